// SPDX-License-Identifier: MIT
/* GstVivtheapBufferPool: video frames in vivtheap memory (see bufferpool.h). */
#include <unistd.h>

#include <gst/video/video.h>

#include "allocator.h"
#include "bufferpool.h"
#include "debug.h"

#define GST_CAT_DEFAULT gst_vivtheap_debug

struct _GstVivtheapBufferPool {
	GstBufferPool parent;

	GstAllocator *allocator; /* set by _new(), then immutable */
	GWeakRef owner;

	/* From the last set_config(), under GstBufferPool's own rules. */
	GstVideoInfo info;
	GstAllocationParams params;
	GstVideoAlignment align;
	gboolean aligned;
};

G_DEFINE_TYPE(GstVivtheapBufferPool, gst_vivtheap_buffer_pool,
	      GST_TYPE_BUFFER_POOL)

static const gchar **gst_vivtheap_buffer_pool_get_options(GstBufferPool *pool)
{
	static const gchar *options[] = { GST_BUFFER_POOL_OPTION_VIDEO_META,
					  GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT,
					  NULL };

	return options;
}

static gboolean gst_vivtheap_buffer_pool_set_config(GstBufferPool *pool,
						    GstStructure *config)
{
	GstVivtheapBufferPool *self = GST_VIVTHEAP_BUFFER_POOL(pool);
	guint size, min, max, n, max_align;
	GstAllocationParams params;
	GstAllocator *allocator;
	GstVideoAlignment align;
	gboolean aligned = FALSE;
	GstVideoInfo info;
	GstCaps *caps;

	if (!gst_buffer_pool_config_get_params(config, &caps, &size, &min, &max) ||
	    !gst_buffer_pool_config_get_allocator(config, &allocator, &params)) {
		GST_WARNING_OBJECT(pool, "invalid configuration");
		return FALSE;
	}
	if (!caps || !gst_video_info_from_caps(&info, caps)) {
		GST_WARNING_OBJECT(pool, "no video layout for caps %" GST_PTR_FORMAT, caps);
		return FALSE;
	}
	if (size && size < info.size) {
		GST_WARNING_OBJECT(pool, "size %u is less than a frame of %" GST_PTR_FORMAT " (%" G_GSIZE_FORMAT ")",
				   size, caps, info.size);
		return FALSE;
	}
	if (allocator && allocator != self->allocator)
		GST_INFO_OBJECT(pool, "allocating from %" GST_PTR_FORMAT ", not %" GST_PTR_FORMAT,
				self->allocator, allocator);

	gst_video_alignment_reset(&align);
	if (gst_buffer_pool_config_has_option(config, GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT) &&
	    gst_buffer_pool_config_has_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META)) {
		/* As GstVideoBufferPool: one stride alignment, the strictest. */
		gst_buffer_pool_config_get_video_alignment(config, &align);
		max_align = (guint)params.align;
		for (n = 0; n < GST_VIDEO_MAX_PLANES; n++)
			max_align |= align.stride_align[n];
		for (n = 0; n < GST_VIDEO_MAX_PLANES; n++)
			align.stride_align[n] = max_align;
		if (!gst_video_info_align(&info, &align)) {
			GST_WARNING_OBJECT(pool, "cannot align %" GST_PTR_FORMAT, caps);
			return FALSE;
		}
		gst_buffer_pool_config_set_video_alignment(config, &align);
		params.align = MAX(params.align, max_align);
		aligned = TRUE;
	}
	if (params.align >= (gsize)sysconf(_SC_PAGESIZE)) {
		GST_WARNING_OBJECT(pool, "alignment of %" G_GSIZE_FORMAT " bytes: heap buffers are page-aligned, no more",
				   params.align + 1);
		return FALSE;
	}
	info.size = MAX(size, info.size);
	gst_buffer_pool_config_set_allocator(config, self->allocator, &params);
	gst_buffer_pool_config_set_params(config, caps, (guint)info.size, min, max);

	self->info = info;
	self->params = params;
	self->align = align;
	self->aligned = aligned;
	GST_DEBUG_OBJECT(pool, "%s %dx%d, %u planes, %" G_GSIZE_FORMAT " bytes, %u to %u buffers",
			 GST_VIDEO_INFO_NAME(&info), GST_VIDEO_INFO_WIDTH(&info),
			 GST_VIDEO_INFO_HEIGHT(&info), GST_VIDEO_INFO_N_PLANES(&info),
			 info.size, min, max);
	return GST_BUFFER_POOL_CLASS(gst_vivtheap_buffer_pool_parent_class)->set_config(pool, config);
}

static GstFlowReturn gst_vivtheap_buffer_pool_alloc_buffer(GstBufferPool *pool,
							   GstBuffer **buffer,
							   GstBufferPoolAcquireParams *params)
{
	GstVivtheapBufferPool *self = GST_VIVTHEAP_BUFFER_POOL(pool);
	GstVideoInfo *info = &self->info;
	GError *error = NULL;
	GstElement *owner;
	GstVideoMeta *meta;
	GstMemory *mem;
	GstBuffer *buf;

	mem = gst_vivtheap_allocator_alloc_memory(self->allocator, info->size,
						  &self->params, &error);
	if (!mem) {
		GST_ERROR_OBJECT(pool, "%s", error->message);
		owner = g_weak_ref_get(&self->owner);
		if (owner) {
			gchar *debug = g_strdup_printf("%s: a %s %dx%d frame from %s",
						       GST_OBJECT_NAME(pool),
						       GST_VIDEO_INFO_NAME(info),
						       GST_VIDEO_INFO_WIDTH(info),
						       GST_VIDEO_INFO_HEIGHT(info),
						       GST_OBJECT_NAME(self->allocator));

			GST_VIVTHEAP_ELEMENT_ERROR(owner, error, debug);
			g_free(debug);
			gst_object_unref(owner);
		}
		g_error_free(error);
		return GST_FLOW_ERROR;
	}
	buf = gst_buffer_new();
	gst_buffer_append_memory(buf, mem);
	meta = gst_buffer_add_video_meta_full(buf, GST_VIDEO_FRAME_FLAG_NONE,
					      GST_VIDEO_INFO_FORMAT(info),
					      GST_VIDEO_INFO_WIDTH(info),
					      GST_VIDEO_INFO_HEIGHT(info),
					      GST_VIDEO_INFO_N_PLANES(info),
					      info->offset, info->stride);
	if (self->aligned)
		gst_video_meta_set_alignment(meta, self->align);
	*buffer = buf;
	return GST_FLOW_OK;
}

GstBufferPool *gst_vivtheap_buffer_pool_new(GstAllocator *allocator,
					    GstElement *owner)
{
	GstVivtheapBufferPool *self;

	g_return_val_if_fail(GST_IS_VIVTHEAP_ALLOCATOR(allocator), NULL);
	self = g_object_new(GST_TYPE_VIVTHEAP_BUFFER_POOL, NULL);
	gst_object_ref_sink(self);
	self->allocator = gst_object_ref(allocator);
	g_weak_ref_set(&self->owner, owner);
	return GST_BUFFER_POOL_CAST(self);
}

static void gst_vivtheap_buffer_pool_finalize(GObject *object)
{
	GstVivtheapBufferPool *self = GST_VIVTHEAP_BUFFER_POOL(object);

	g_weak_ref_clear(&self->owner);
	gst_clear_object(&self->allocator);
	G_OBJECT_CLASS(gst_vivtheap_buffer_pool_parent_class)->finalize(object);
}

static void gst_vivtheap_buffer_pool_class_init(GstVivtheapBufferPoolClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GstBufferPoolClass *pool_class = GST_BUFFER_POOL_CLASS(klass);

	gst_vivtheap_debug_init();
	object_class->finalize = gst_vivtheap_buffer_pool_finalize;
	pool_class->get_options = gst_vivtheap_buffer_pool_get_options;
	pool_class->set_config = gst_vivtheap_buffer_pool_set_config;
	pool_class->alloc_buffer = gst_vivtheap_buffer_pool_alloc_buffer;
}

static void gst_vivtheap_buffer_pool_init(GstVivtheapBufferPool *self)
{
	g_weak_ref_init(&self->owner, NULL);
	gst_video_info_init(&self->info);
	gst_allocation_params_init(&self->params);
	gst_video_alignment_reset(&self->align);
}
