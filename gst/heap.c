// SPDX-License-Identifier: MIT
/* The `heap` value: parse it, open the heap it names; errno to GError. */
#include <errno.h>
#include <string.h>

#include "heap.h"

static const struct {
	const gchar *word;
	enum vivtheap_caching caching;
} cachings[] = {
	{ "uncached", VIVTHEAP_CACHING_UNCACHED },
	{ "wc", VIVTHEAP_CACHING_WC },
	{ "write-combined", VIVTHEAP_CACHING_WC },
	{ "cached", VIVTHEAP_CACHING_CACHED },
};

static GstResourceError code_of(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
		return GST_RESOURCE_ERROR_NOT_FOUND;
	case EACCES:
	case EPERM:
		return GST_RESOURCE_ERROR_OPEN_READ_WRITE;
	case ENOMEM:
	case ENOSPC:
		return GST_RESOURCE_ERROR_NO_SPACE_LEFT;
	case EINVAL:
		return GST_RESOURCE_ERROR_SETTINGS;
	default:
		return GST_RESOURCE_ERROR_FAILED;
	}
}

void gst_vivtheap_set_errno_error(GError **error, int err,
				  const gchar *format, ...)
{
	va_list ap;
	gchar *what;

	va_start(ap, format);
	what = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_set_error(error, GST_RESOURCE_ERROR, code_of(err), "%s: %s", what,
		    g_strerror(err));
	g_free(what);
}

static gboolean invalid(GError **error, const gchar *value, const gchar *why)
{
	g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
		    "Invalid heap \"%s\": %s", value, why);
	return FALSE;
}

gboolean gst_vivtheap_heap_spec_parse(const gchar *value,
				      GstVivtheapHeapSpec *spec,
				      GError **error)
{
	gsize i;

	if (!value)
		value = GST_VIVTHEAP_HEAP_DEFAULT;
	memset(spec, 0, sizeof(*spec));
	for (i = 0; i < G_N_ELEMENTS(cachings); i++) {
		if (!strcmp(value, cachings[i].word)) {
			spec->caching = cachings[i].caching;
			return TRUE;
		}
	}
	/* The rules of vivtheap_heap_open(), checked here to say which. */
	if (!*value)
		return invalid(error, value,
			       "give uncached, wc or cached, or a heap's name under /dev/dma_heap");
	if (!strcmp(value, ".") || !strcmp(value, ".."))
		return invalid(error, value, "not a heap's name");
	if (strchr(value, '/'))
		return invalid(error, value,
			       "a heap's name has no \"/\" (give the name under /dev/dma_heap, not a path)");
	if (strlen(value) >= sizeof(spec->name)) {
		gchar why[64];

		g_snprintf(why, sizeof(why), "a heap's name has at most %u characters",
			   (guint)sizeof(spec->name) - 1);
		return invalid(error, value, why);
	}
	g_strlcpy(spec->name, value, sizeof(spec->name));
	return TRUE;
}

struct vivtheap_heap *gst_vivtheap_heap_open(const GstVivtheapHeapSpec *spec,
					     GError **error)
{
	struct vivtheap_heap *heap = NULL;
	int err;

	if (spec->caching == VIVTHEAP_CACHING_UNKNOWN) {
		err = vivtheap_heap_open(spec->name, &heap);
		if (err)
			gst_vivtheap_set_errno_error(error, -err,
						     "Could not open heap \"%s\"",
						     spec->name);
		return heap;
	}
	/* No VIVTHEAP_FIND_ALLOW_FALLBACK: another caching is an error. */
	err = vivtheap_heap_find(spec->caching, 0, 0, &heap);
	if (err == -ENOENT)
		gst_vivtheap_set_errno_error(error, -err, "No %s heap under /dev/dma_heap",
					     vivtheap_caching_name(spec->caching));
	else if (err)
		gst_vivtheap_set_errno_error(error, -err,
					     "Could not open a %s heap",
					     vivtheap_caching_name(spec->caching));
	return heap;
}
