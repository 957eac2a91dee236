// SPDX-License-Identifier: MIT
/*
 * vivtheappool: answers the ALLOCATION query from upstream with a
 * GstVivtheapBufferPool; frames pass through unchanged (see vivtheappool.h).
 *
 * The heap is opened when the element starts (READY to PAUSED): a heap
 * value that names no heap, a heap that is missing or may not be opened,
 * or min-buffers above max-buffers, fail that state change with an ERROR
 * message saying which, in the errno's words. The query is forwarded
 * downstream first (the element is a passthrough), so that downstream's
 * metas and the buffers it holds (its min) stay in the answer; then every
 * pool and allocator downstream offered is replaced by this element's, so
 * that upstream has no system-memory fallback to take.
 */
#include <gst/video/video.h>

#include "allocator.h"
#include "bufferpool.h"
#include "debug.h"
#include "heap.h"
#include "vivtheappool.h"

#define GST_CAT_DEFAULT gst_vivtheap_debug

#define DEFAULT_MIN_BUFFERS 2
#define DEFAULT_MAX_BUFFERS 0

enum {
	PROP_0,
	PROP_HEAP,
	PROP_MIN_BUFFERS,
	PROP_MAX_BUFFERS,
};

struct _GstVivtheapPool {
	GstBaseTransform parent;

	/* Properties, under the object lock; read at start(). */
	gchar *heap;
	guint min_buffers, max_buffers;

	/* From start() to stop(), under the object lock. */
	GstAllocator *allocator;
	guint min, max;
	gboolean warned_foreign;
};

G_DEFINE_TYPE(GstVivtheapPool, gst_vivtheap_pool, GST_TYPE_BASE_TRANSFORM)
GST_ELEMENT_REGISTER_DEFINE(vivtheappool, "vivtheappool", GST_RANK_NONE,
			    GST_TYPE_VIVTHEAP_POOL)

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE(
	"sink", GST_PAD_SINK, GST_PAD_ALWAYS,
	GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(GST_VIDEO_FORMATS_ALL)));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE(
	"src", GST_PAD_SRC, GST_PAD_ALWAYS,
	GST_STATIC_CAPS(GST_VIDEO_CAPS_MAKE(GST_VIDEO_FORMATS_ALL)));

static gboolean gst_vivtheap_pool_start(GstBaseTransform *trans)
{
	GstVivtheapPool *self = GST_VIVTHEAP_POOL(trans);
	GstAllocator *allocator;
	GError *error = NULL;
	guint min, max;
	gchar *heap;

	GST_OBJECT_LOCK(self);
	heap = g_strdup(self->heap);
	min = self->min_buffers;
	max = self->max_buffers;
	GST_OBJECT_UNLOCK(self);

	if (max && min > max) {
		g_set_error(&error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
			    "min-buffers (%u) is more than max-buffers (%u)", min, max);
		GST_VIVTHEAP_ELEMENT_ERROR(self, error, "max-buffers=0 is no limit");
		goto fail;
	}
	allocator = gst_vivtheap_allocator_new(heap, &error);
	if (!allocator) {
		gchar *debug = g_strdup_printf("heap=%s: uncached, wc or cached ask for vivtheap's heap of that caching (vivtheap.ko loaded), any other value for /dev/dma_heap/<value>; `vivtheap list` shows the heaps",
					       heap);

		GST_VIVTHEAP_ELEMENT_ERROR(self, error, debug);
		g_free(debug);
		goto fail;
	}
	GST_OBJECT_LOCK(self);
	self->allocator = allocator;
	self->min = min;
	self->max = max;
	self->warned_foreign = FALSE;
	GST_OBJECT_UNLOCK(self);
	GST_INFO_OBJECT(self, "heap %s (%s%s), %u to %u buffers",
			gst_vivtheap_allocator_get_heap_name(allocator),
			gst_vivtheap_allocator_get_caching(allocator),
			gst_vivtheap_allocator_is_contiguous(allocator) ? ", contiguous" : "",
			min, max);
	g_free(heap);
	return TRUE;
fail:
	g_error_free(error);
	g_free(heap);
	return FALSE;
}

static gboolean gst_vivtheap_pool_stop(GstBaseTransform *trans)
{
	GstVivtheapPool *self = GST_VIVTHEAP_POOL(trans);
	GstAllocator *allocator;

	GST_OBJECT_LOCK(self);
	allocator = self->allocator;
	self->allocator = NULL;
	GST_OBJECT_UNLOCK(self);
	/* The pools upstream still holds keep the allocator alive. */
	gst_clear_object(&allocator);
	return TRUE;
}

static gboolean gst_vivtheap_pool_propose_allocation(GstBaseTransform *trans,
						     GstQuery *decide_query,
						     GstQuery *query)
{
	GstVivtheapPool *self = GST_VIVTHEAP_POOL(trans);
	GstBufferPool *pool = NULL;
	GstAllocationParams params;
	GstAllocator *allocator;
	guint i, min, max, dmin;
	gboolean need_pool;
	GstStructure *config;
	GstVideoInfo info;
	GstCaps *caps;

	/* Passthrough: downstream answers first (its metas, what it holds). */
	if (!GST_BASE_TRANSFORM_CLASS(gst_vivtheap_pool_parent_class)->propose_allocation(trans, decide_query, query))
		GST_DEBUG_OBJECT(self, "downstream gave no answer to the allocation query");

	gst_query_parse_allocation(query, &caps, &need_pool);
	if (!caps || !gst_video_info_from_caps(&info, caps)) {
		GST_WARNING_OBJECT(self, "no video layout for caps %" GST_PTR_FORMAT ": no pool proposed",
				   caps);
		return FALSE;
	}
	GST_OBJECT_LOCK(self);
	allocator = self->allocator ? gst_object_ref(self->allocator) : NULL;
	min = self->min;
	max = self->max;
	GST_OBJECT_UNLOCK(self);
	if (!allocator)
		return FALSE; /* not started */

	for (i = 0, dmin = 0; i < gst_query_get_n_allocation_pools(query); i++) {
		guint pmin;

		gst_query_parse_nth_allocation_pool(query, i, NULL, NULL, &pmin, NULL);
		dmin = MAX(dmin, pmin);
	}
	if (dmin > min) {
		GST_DEBUG_OBJECT(self, "downstream holds %u buffers: min %u", dmin, dmin);
		min = dmin;
	}
	if (max && max < min) {
		GST_WARNING_OBJECT(self, "downstream holds %u buffers, more than max-buffers (%u): max %u",
				   min, max, min);
		max = min;
	}

	/* Downstream's first parameters (alignment, prefix, padding) stay. */
	if (gst_query_get_n_allocation_params(query) > 0)
		gst_query_parse_nth_allocation_param(query, 0, NULL, &params);
	else
		gst_allocation_params_init(&params);

	if (need_pool) {
		pool = gst_vivtheap_buffer_pool_new(allocator, GST_ELEMENT(self));
		config = gst_buffer_pool_get_config(pool);
		gst_buffer_pool_config_set_params(config, caps, (guint)info.size, min, max);
		gst_buffer_pool_config_set_allocator(config, allocator, &params);
		if (!gst_buffer_pool_set_config(pool, config)) {
			GST_ERROR_OBJECT(self, "the pool refused %" GST_PTR_FORMAT, caps);
			gst_object_unref(pool);
			gst_object_unref(allocator);
			return FALSE;
		}
	}

	/* Only this element's pool and allocator: no fallback upstream. */
	while (gst_query_get_n_allocation_pools(query) > 0)
		gst_query_remove_nth_allocation_pool(query, 0);
	while (gst_query_get_n_allocation_params(query) > 0)
		gst_query_remove_nth_allocation_param(query, 0);
	gst_query_add_allocation_pool(query, pool, (guint)info.size, min, max);
	gst_query_add_allocation_param(query, allocator, &params);
	GST_DEBUG_OBJECT(self, "proposed %" GST_PTR_FORMAT " on %s, %u to %u buffers of %" G_GSIZE_FORMAT " bytes",
			 pool, gst_vivtheap_allocator_get_heap_name(allocator),
			 min, max, info.size);
	if (pool)
		gst_object_unref(pool);
	gst_object_unref(allocator);
	return TRUE;
}

/* Frames pass unchanged; say once if upstream did not take the pool. */
static GstFlowReturn gst_vivtheap_pool_transform_ip(GstBaseTransform *trans,
						    GstBuffer *buf)
{
	GstVivtheapPool *self = GST_VIVTHEAP_POOL(trans);
	gboolean warn = FALSE;
	guint i;

	for (i = 0; i < gst_buffer_n_memory(buf); i++)
		if (!gst_is_vivtheap_memory(gst_buffer_peek_memory(buf, i)))
			break;
	if (i == gst_buffer_n_memory(buf) && i)
		return GST_FLOW_OK;
	GST_OBJECT_LOCK(self);
	if (!self->warned_foreign)
		warn = self->warned_foreign = TRUE;
	GST_OBJECT_UNLOCK(self);
	if (warn)
		GST_ELEMENT_WARNING(self, CORE, NEGOTIATION,
				    ("Frames are not in vivtheap memory: upstream did not take the proposed pool"),
				    ("first such buffer: %" GST_PTR_FORMAT, buf));
	return GST_FLOW_OK;
}

static void gst_vivtheap_pool_set_property(GObject *object, guint prop_id,
					   const GValue *value, GParamSpec *pspec)
{
	GstVivtheapPool *self = GST_VIVTHEAP_POOL(object);

	GST_OBJECT_LOCK(self);
	switch (prop_id) {
	case PROP_HEAP: {
		GstVivtheapHeapSpec spec;
		GError *error = NULL;
		const gchar *heap = g_value_get_string(value);

		g_free(self->heap);
		self->heap = g_strdup(heap ? heap : GST_VIVTHEAP_HEAP_DEFAULT);
		/* Said now in the log; the element fails to start on it. */
		if (!gst_vivtheap_heap_spec_parse(self->heap, &spec, &error)) {
			GST_WARNING_OBJECT(self, "%s", error->message);
			g_error_free(error);
		}
		break;
	}
	case PROP_MIN_BUFFERS:
		self->min_buffers = g_value_get_uint(value);
		break;
	case PROP_MAX_BUFFERS:
		self->max_buffers = g_value_get_uint(value);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
	GST_OBJECT_UNLOCK(self);
}

static void gst_vivtheap_pool_get_property(GObject *object, guint prop_id,
					   GValue *value, GParamSpec *pspec)
{
	GstVivtheapPool *self = GST_VIVTHEAP_POOL(object);

	GST_OBJECT_LOCK(self);
	switch (prop_id) {
	case PROP_HEAP:
		g_value_set_string(value, self->heap);
		break;
	case PROP_MIN_BUFFERS:
		g_value_set_uint(value, self->min_buffers);
		break;
	case PROP_MAX_BUFFERS:
		g_value_set_uint(value, self->max_buffers);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
		break;
	}
	GST_OBJECT_UNLOCK(self);
}

static void gst_vivtheap_pool_finalize(GObject *object)
{
	GstVivtheapPool *self = GST_VIVTHEAP_POOL(object);

	g_free(self->heap);
	gst_clear_object(&self->allocator);
	G_OBJECT_CLASS(gst_vivtheap_pool_parent_class)->finalize(object);
}

static void gst_vivtheap_pool_class_init(GstVivtheapPoolClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
	GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);
	const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
				  GST_PARAM_MUTABLE_READY;

	gst_vivtheap_debug_init();
	object_class->set_property = gst_vivtheap_pool_set_property;
	object_class->get_property = gst_vivtheap_pool_get_property;
	object_class->finalize = gst_vivtheap_pool_finalize;

	g_object_class_install_property(object_class, PROP_HEAP,
		g_param_spec_string("heap", "Heap",
				    "The dma-buf heap the frames come from: uncached, wc (write-combined) or cached for "
				    "vivtheap's heap of that caching (never another caching instead), or the name of "
				    "any heap under /dev/dma_heap (vivtheap-cached, system, ...). Read when the element starts",
				    GST_VIVTHEAP_HEAP_DEFAULT, flags));
	g_object_class_install_property(object_class, PROP_MIN_BUFFERS,
		g_param_spec_uint("min-buffers", "Minimum buffers",
				  "Buffers the pool allocates when it starts and keeps; more if downstream holds more",
				  0, G_MAXUINT, DEFAULT_MIN_BUFFERS, flags));
	g_object_class_install_property(object_class, PROP_MAX_BUFFERS,
		g_param_spec_uint("max-buffers", "Maximum buffers",
				  "Most buffers the pool allocates (0: no limit); never fewer than downstream holds",
				  0, G_MAXUINT, DEFAULT_MAX_BUFFERS, flags));

	gst_element_class_add_static_pad_template(element_class, &sink_template);
	gst_element_class_add_static_pad_template(element_class, &src_template);
	gst_element_class_set_static_metadata(element_class,
		"vivtheap buffer pool", "Generic/Video",
		"Offers upstream a pool of dma-buf heap buffers (vivtheap): frames are captured or rendered "
		"into them and pass through unchanged",
		"vivtheap maintainers");

	trans_class->start = GST_DEBUG_FUNCPTR(gst_vivtheap_pool_start);
	trans_class->stop = GST_DEBUG_FUNCPTR(gst_vivtheap_pool_stop);
	trans_class->propose_allocation = GST_DEBUG_FUNCPTR(gst_vivtheap_pool_propose_allocation);
	trans_class->transform_ip = GST_DEBUG_FUNCPTR(gst_vivtheap_pool_transform_ip);
	trans_class->transform_ip_on_passthrough = TRUE;
}

static void gst_vivtheap_pool_init(GstVivtheapPool *self)
{
	self->heap = g_strdup(GST_VIVTHEAP_HEAP_DEFAULT);
	self->min_buffers = DEFAULT_MIN_BUFFERS;
	self->max_buffers = DEFAULT_MAX_BUFFERS;
	gst_base_transform_set_passthrough(GST_BASE_TRANSFORM(self), TRUE);
	gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
}
