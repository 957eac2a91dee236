// SPDX-License-Identifier: MIT
/* The "vivtheap" debug category and element errors from a GError. */
#include "debug.h"

GST_DEBUG_CATEGORY(gst_vivtheap_debug);

void gst_vivtheap_debug_init(void)
{
	static gsize once;

	if (g_once_init_enter(&once)) {
		GST_DEBUG_CATEGORY_INIT(gst_vivtheap_debug, "vivtheap", 0,
					"vivtheap: dma-buf heap allocator, pool and element");
		g_once_init_leave(&once, 1);
	}
}

void gst_vivtheap_element_error(GstElement *element, const GError *error,
				const gchar *debug, const gchar *file,
				const gchar *function, gint line)
{
	/* gst_element_message_full() takes the text and the details. */
	gst_element_message_full(element, GST_MESSAGE_ERROR, error->domain,
				 error->code, g_strdup(error->message),
				 g_strdup(debug), file, function, line);
}
