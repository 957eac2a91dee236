/* SPDX-License-Identifier: MIT */
/*
 * vivtheappool: an in-place passthrough element that answers the
 * ALLOCATION query from upstream with a GstVivtheapBufferPool on the heap
 * its `heap` property names, so that upstream (v4l2src io-mode=dmabuf-import,
 * videotestsrc, a decoder) writes its frames into vivtheap buffers.
 */
#ifndef GST_VIVTHEAP_POOL_H
#define GST_VIVTHEAP_POOL_H

#include <gst/base/gstbasetransform.h>

G_BEGIN_DECLS

#define GST_TYPE_VIVTHEAP_POOL (gst_vivtheap_pool_get_type())
#define GST_VIVTHEAP_POOL(obj)                                   \
	(G_TYPE_CHECK_INSTANCE_CAST((obj), GST_TYPE_VIVTHEAP_POOL, \
				    GstVivtheapPool))

typedef struct _GstVivtheapPool GstVivtheapPool;
typedef struct _GstVivtheapPoolClass {
	GstBaseTransformClass parent_class;
} GstVivtheapPoolClass;

GType gst_vivtheap_pool_get_type(void);

GST_ELEMENT_REGISTER_DECLARE(vivtheappool);

G_END_DECLS

#endif /* GST_VIVTHEAP_POOL_H */
