/* SPDX-License-Identifier: MIT */
/*
 * GstVivtheapBufferPool: video frames in vivtheap memory. What
 * GstVideoBufferPool does (the layout from the caps' GstVideoInfo, padding
 * and stride alignment with GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT, which
 * needs GST_BUFFER_POOL_OPTION_VIDEO_META as there), plus:
 * - its memory always comes from its GstVivtheapAllocator, whatever
 *   allocator a configuration names (the configuration is rewritten so);
 * - every buffer carries a GstVideoMeta with its plane offsets and strides
 *   (and its alignment), which dma-buf importers such as v4l2src need;
 * - an allocation failure is an ERROR message of the owner element, with
 *   the heap's errno in words, besides GST_FLOW_ERROR.
 */
#ifndef GST_VIVTHEAP_BUFFER_POOL_H
#define GST_VIVTHEAP_BUFFER_POOL_H

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_VIVTHEAP_BUFFER_POOL (gst_vivtheap_buffer_pool_get_type())
#define GST_VIVTHEAP_BUFFER_POOL(obj)                                   \
	(G_TYPE_CHECK_INSTANCE_CAST((obj), GST_TYPE_VIVTHEAP_BUFFER_POOL, \
				    GstVivtheapBufferPool))
#define GST_IS_VIVTHEAP_BUFFER_POOL(obj) \
	(G_TYPE_CHECK_INSTANCE_TYPE((obj), GST_TYPE_VIVTHEAP_BUFFER_POOL))

typedef struct _GstVivtheapBufferPool GstVivtheapBufferPool;
typedef struct _GstVivtheapBufferPoolClass {
	GstBufferPoolClass parent_class;
} GstVivtheapBufferPoolClass;

GType gst_vivtheap_buffer_pool_get_type(void);

/*
 * A pool allocating from @allocator (a GstVivtheapAllocator; the pool
 * keeps a reference). @owner (may be NULL; not kept alive by the pool)
 * gets an ERROR message when an allocation fails. Returns the pool
 * (transfer full), not configured.
 */
GstBufferPool *gst_vivtheap_buffer_pool_new(GstAllocator *allocator,
					    GstElement *owner);

G_END_DECLS

#endif /* GST_VIVTHEAP_BUFFER_POOL_H */
