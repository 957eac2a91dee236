/* SPDX-License-Identifier: MIT */
/*
 * The plugin's one debug category, "vivtheap" (GST_DEBUG=vivtheap:5 shows
 * the allocator, the pool and the element), and the one way its objects
 * turn a GError into an element's ERROR message on the bus.
 */
#ifndef GST_VIVTHEAP_DEBUG_H
#define GST_VIVTHEAP_DEBUG_H

#include <gst/gst.h>

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN(gst_vivtheap_debug);

/* Registers the category once; every type's class_init calls it. */
void gst_vivtheap_debug_init(void);

/*
 * Posts @error as an ERROR message of @element, its message as the text and
 * @debug (may be NULL) as the details. Use GST_VIVTHEAP_ELEMENT_ERROR().
 */
void gst_vivtheap_element_error(GstElement *element, const GError *error,
				const gchar *debug, const gchar *file,
				const gchar *function, gint line);

#define GST_VIVTHEAP_ELEMENT_ERROR(element, error, debug)                       \
	gst_vivtheap_element_error(GST_ELEMENT(element), error, debug, __FILE__, \
				   GST_FUNCTION, __LINE__)

G_END_DECLS

#endif /* GST_VIVTHEAP_DEBUG_H */
