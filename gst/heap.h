/* SPDX-License-Identifier: MIT */
/*
 * The `heap` value of the element (and of gst_vivtheap_allocator_new()):
 * "uncached", "wc" (or "write-combined") or "cached" ask vivtheap_heap_find()
 * for a heap of that caching, never a fallback to another; anything else is
 * a heap's name under /dev/dma_heap for vivtheap_heap_open(). Also the one
 * mapping from an errno to a GStreamer error.
 */
#ifndef GST_VIVTHEAP_HEAP_H
#define GST_VIVTHEAP_HEAP_H

#include <gst/gst.h>
#include <vivtheap.h>

G_BEGIN_DECLS

/* The element's default: device-only frames, the common case. */
#define GST_VIVTHEAP_HEAP_DEFAULT "wc"

typedef struct {
	/* VIVTHEAP_CACHING_UNKNOWN: the heap is asked for by name */
	enum vivtheap_caching caching;
	gchar name[VIVTHEAP_HEAP_NAME_MAX];
} GstVivtheapHeapSpec;

/*
 * Parses @value (NULL: GST_VIVTHEAP_HEAP_DEFAULT) into @spec. On a value
 * that can be neither a caching nor a heap's name, returns FALSE with
 * GST_RESOURCE_ERROR_SETTINGS in @error, saying why.
 */
gboolean gst_vivtheap_heap_spec_parse(const gchar *value,
				      GstVivtheapHeapSpec *spec,
				      GError **error);

/*
 * Opens the heap @spec names. Returns it (the caller's until
 * vivtheap_heap_close()), or NULL with @error set from the library's errno.
 */
struct vivtheap_heap *gst_vivtheap_heap_open(const GstVivtheapHeapSpec *spec,
					     GError **error);

/*
 * Sets @error to "<@format ...>: <strerror(@err)>" in GST_RESOURCE_ERROR,
 * its code chosen from @err (a positive errno): NOT_FOUND for ENOENT and
 * ENODEV, OPEN_READ_WRITE for EACCES and EPERM, NO_SPACE_LEFT for ENOMEM
 * and ENOSPC, SETTINGS for EINVAL, FAILED otherwise.
 */
void gst_vivtheap_set_errno_error(GError **error, int err,
				  const gchar *format, ...) G_GNUC_PRINTF(3, 4);

G_END_DECLS

#endif /* GST_VIVTHEAP_HEAP_H */
