// SPDX-License-Identifier: MIT
/* GstVivtheapBufferPool: plane offsets, strides and alignment from the caps, the GstVideoMeta, its allocator only, min/max, allocation errors posted. */
#include <gst/video/video.h>

#include "allocator.h"
#include "bufferpool.h"
#include "gst_fixture.h"

/* A layout, as GstVideoInfo's rules give it (numbers checked by hand). */
struct layout {
	const char *format;
	int width, height;
	gsize size;
	guint n_planes;
	gsize offset[3];
	gint stride[3];
};

/* Odd sizes: rows rounded up to 4 bytes, chroma heights rounded up. */
static const struct layout plain[] = {
	{ "NV12", 33, 17, 972, 2, { 0, 648 }, { 36, 36 } },
	{ "NV12", 1, 1, 12, 2, { 0, 8 }, { 4, 4 } },
	{ "NV12", 641, 479, 463680, 2, { 0, 309120 }, { 644, 644 } },
	{ "I420", 33, 17, 1008, 3, { 0, 648, 828 }, { 36, 20, 20 } },
	{ "I420", 1, 1, 16, 3, { 0, 8, 12 }, { 4, 4, 4 } },
	{ "I420", 641, 479, 464640, 3, { 0, 309120, 386880 }, { 644, 324, 324 } },
	{ "YUY2", 33, 17, 1156, 1, { 0 }, { 68 } },
	{ "YUY2", 1, 1, 4, 1, { 0 }, { 4 } },
	{ "YUY2", 641, 479, 615036, 1, { 0 }, { 1284 } },
};

/* Two lines of padding above and below, strides aligned to 32 bytes. */
static const struct layout aligned[] = {
	{ "NV12", 33, 17, 2112, 2, { 128, 1472 }, { 64, 64 } },
	{ "I420", 33, 17, 2112, 3, { 128, 1440, 1792 }, { 64, 32, 32 } },
	{ "YUY2", 33, 17, 2016, 1, { 192 }, { 96 } },
	{ "NV12", 641, 479, 487872, 2, { 1344, 325920 }, { 672, 672 } },
	{ "I420", 641, 479, 511104, 3, { 1408, 341088, 426272 }, { 704, 352, 352 } },
	{ "YUY2", 641, 479, 633696, 1, { 2624 }, { 1312 } },
};

static GstAllocator *allocator;
static GstBufferPool *pool;

static int setup(void **state)
{
	GError *error = NULL;

	gst_setup(state);
	allocator = gst_vivtheap_allocator_new("wc", &error);
	assert_non_null(allocator);
	pool = gst_vivtheap_buffer_pool_new(allocator, NULL);
	return 0;
}

static int teardown(void **state)
{
	gst_object_unref(pool);
	gst_object_unref(allocator);
	return gst_teardown(state);
}

static GstCaps *caps_of(const char *format, int width, int height)
{
	return gst_caps_new_simple("video/x-raw", "format", G_TYPE_STRING, format,
				   "width", G_TYPE_INT, width, "height", G_TYPE_INT, height,
				   "framerate", GST_TYPE_FRACTION, 30, 1, NULL);
}

/* Configure the pool; with_align: VIDEO_META and VIDEO_ALIGNMENT as above. */
static gboolean configure(const char *format, int width, int height,
			  gboolean with_meta, gboolean with_align, guint min, guint max)
{
	GstStructure *config = gst_buffer_pool_get_config(pool);
	GstCaps *caps = caps_of(format, width, height);
	GstVideoAlignment align;
	gboolean ok;
	int n;

	gst_buffer_pool_config_set_params(config, caps, 0, min, max);
	if (with_meta)
		gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_META);
	if (with_align) {
		gst_buffer_pool_config_add_option(config, GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT);
		gst_video_alignment_reset(&align);
		align.padding_top = 2;
		align.padding_bottom = 2;
		for (n = 0; n < GST_VIDEO_MAX_PLANES; n++)
			align.stride_align[n] = 31;
		gst_buffer_pool_config_set_video_alignment(config, &align);
	}
	ok = gst_buffer_pool_set_config(pool, config);
	gst_caps_unref(caps);
	return ok;
}

/* A buffer of the pool has the layout l, in its meta, its size and its memory. */
static void assert_layout(const struct layout *l)
{
	GstVideoMeta *meta;
	GstBuffer *buf;
	GstMemory *mem;
	guint i;

	assert_true(gst_buffer_pool_set_active(pool, TRUE));
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL), GST_FLOW_OK);
	assert_int_equal(gst_buffer_get_size(buf), l->size);
	assert_int_equal(gst_buffer_n_memory(buf), 1);
	mem = gst_buffer_peek_memory(buf, 0);
	assert_true(gst_is_vivtheap_memory(mem));
	assert_int_equal(fake_last_alloc_len(), l->size);
	meta = gst_buffer_get_video_meta(buf);
	if (!meta)
		fail_msg("%s %dx%d: no GstVideoMeta", l->format, l->width, l->height);
	assert_string_equal(gst_video_format_to_string(meta->format), l->format);
	assert_int_equal(meta->width, l->width);
	assert_int_equal(meta->height, l->height);
	assert_int_equal(meta->n_planes, l->n_planes);
	for (i = 0; i < l->n_planes; i++) {
		if (meta->offset[i] != l->offset[i] || meta->stride[i] != l->stride[i])
			fail_msg("%s %dx%d plane %u: offset %zu stride %d, want %zu and %d",
				 l->format, l->width, l->height, i, meta->offset[i],
				 meta->stride[i], l->offset[i], l->stride[i]);
	}
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
}

static void test_bufferpool_layout_from_the_caps(void **state)
{
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(plain); i++) {
		/* the same with or without VIDEO_META: the meta is always there */
		assert_true(configure(plain[i].format, plain[i].width, plain[i].height,
				      i % 2, FALSE, 0, 0));
		assert_layout(&plain[i]);
	}
	(void)state;
}

static void test_bufferpool_alignment_padding_and_strides(void **state)
{
	GstStructure *config;
	GstAllocationParams params;
	GstVideoMeta *meta;
	GstBuffer *buf;
	gsize i;
	guint n;

	for (i = 0; i < G_N_ELEMENTS(aligned); i++) {
		assert_true(configure(aligned[i].format, aligned[i].width, aligned[i].height,
				      TRUE, TRUE, 0, 0));
		for (n = 0; n < aligned[i].n_planes; n++)
			assert_int_equal(aligned[i].stride[n] % 32, 0);
		assert_layout(&aligned[i]);
	}
	/* the allocation params' alignment follows the strides', as the meta says */
	config = gst_buffer_pool_get_config(pool);
	assert_true(gst_buffer_pool_config_get_allocator(config, NULL, &params));
	assert_int_equal(params.align, 31);
	gst_structure_free(config);
	assert_true(gst_buffer_pool_set_active(pool, TRUE));
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL), GST_FLOW_OK);
	assert_int_equal(gst_buffer_peek_memory(buf, 0)->align, 31);
	meta = gst_buffer_get_video_meta(buf);
	assert_int_equal(meta->alignment.padding_top, 2);
	assert_int_equal(meta->alignment.stride_align[0], 31);
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	(void)state;
}

/* VIDEO_ALIGNMENT without VIDEO_META is not applied (GstVideoBufferPool's rule). */
static void test_bufferpool_alignment_needs_the_meta_option(void **state)
{
	assert_true(configure("NV12", 33, 17, FALSE, TRUE, 0, 0));
	assert_layout(&plain[0]);
	(void)state;
}

static void test_bufferpool_options(void **state)
{
	assert_true(gst_buffer_pool_has_option(pool, GST_BUFFER_POOL_OPTION_VIDEO_META));
	assert_true(gst_buffer_pool_has_option(pool, GST_BUFFER_POOL_OPTION_VIDEO_ALIGNMENT));
	(void)state;
}

/* Whatever allocator a configuration names, the memory is the pool's heap's. */
static void test_bufferpool_uses_its_allocator_only(void **state)
{
	GstStructure *config = gst_buffer_pool_get_config(pool);
	GstCaps *caps = caps_of("NV12", 33, 17);
	GstAllocator *sysmem = gst_allocator_find(NULL), *got;
	GstBuffer *buf;

	gst_buffer_pool_config_set_params(config, caps, 0, 0, 0);
	gst_buffer_pool_config_set_allocator(config, sysmem, NULL);
	assert_true(gst_buffer_pool_set_config(pool, config));
	config = gst_buffer_pool_get_config(pool);
	assert_true(gst_buffer_pool_config_get_allocator(config, &got, NULL));
	assert_ptr_equal(got, allocator);
	gst_structure_free(config);
	assert_true(gst_buffer_pool_set_active(pool, TRUE));
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL), GST_FLOW_OK);
	assert_true(gst_is_vivtheap_memory(gst_buffer_peek_memory(buf, 0)));
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(sysmem);
	gst_caps_unref(caps);
	(void)state;
}

static void test_bufferpool_refuses_what_it_cannot_lay_out(void **state)
{
	GstStructure *config;
	GstCaps *caps;

	/* no caps, caps that are not raw video, a size below a frame */
	config = gst_buffer_pool_get_config(pool);
	gst_buffer_pool_config_set_params(config, NULL, 4096, 0, 0);
	assert_false(gst_buffer_pool_set_config(pool, config));
	caps = gst_caps_from_string("audio/x-raw, format=S16LE, rate=48000, channels=2, layout=interleaved");
	config = gst_buffer_pool_get_config(pool);
	gst_buffer_pool_config_set_params(config, caps, 4096, 0, 0);
	assert_false(gst_buffer_pool_set_config(pool, config));
	gst_caps_unref(caps);
	caps = caps_of("NV12", 33, 17);
	config = gst_buffer_pool_get_config(pool);
	gst_buffer_pool_config_set_params(config, caps, 971, 0, 0);
	assert_false(gst_buffer_pool_set_config(pool, config));
	/* an alignment above a page */
	config = gst_buffer_pool_get_config(pool);
	gst_buffer_pool_config_set_params(config, caps, 0, 0, 0);
	gst_buffer_pool_config_set_allocator(config, allocator,
					     &(GstAllocationParams){ .align = 8191 });
	assert_false(gst_buffer_pool_set_config(pool, config));
	gst_caps_unref(caps);
	(void)state;
}

/* min buffers are allocated at activation; no more than max are handed out. */
static void test_bufferpool_min_and_max(void **state)
{
	GstBufferPoolAcquireParams dontwait = { .flags = GST_BUFFER_POOL_ACQUIRE_FLAG_DONTWAIT };
	GstBuffer *a, *b, *c;

	assert_true(configure("YUY2", 33, 17, FALSE, FALSE, 2, 2));
	assert_int_equal(fake_open_fds(), 1); /* the heap */
	assert_true(gst_buffer_pool_set_active(pool, TRUE));
	assert_int_equal(fake_open_fds(), 3);
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &a, &dontwait), GST_FLOW_OK);
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &b, &dontwait), GST_FLOW_OK);
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &c, &dontwait), GST_FLOW_EOS);
	assert_int_equal(fake_open_fds(), 3);
	gst_buffer_unref(a);
	gst_buffer_unref(b);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	assert_int_equal(fake_open_fds(), 1);
	(void)state;
}

/*
 * An allocation the heap refuses: GST_FLOW_ERROR, and an ERROR message of
 * the owner element with the errno's words; nothing left allocated.
 */
static void test_bufferpool_alloc_failure_is_posted(void **state)
{
	GstElement *owner = gst_pipeline_new("owner");
	GstBus *bus = gst_element_get_bus(owner);
	GstBufferPool *owned = gst_vivtheap_buffer_pool_new(allocator, owner);
	GstStructure *config = gst_buffer_pool_get_config(owned);
	GstCaps *caps = caps_of("I420", 641, 479);
	GstMessage *msg;
	GError *error;
	gchar *debug;
	GstBuffer *buf;

	gst_buffer_pool_config_set_params(config, caps, 0, 1, 0);
	assert_true(gst_buffer_pool_set_config(owned, config));
	fake_set_alloc_limit(1 << 18);
	/* min 1: the activation allocates, and fails */
	assert_false(gst_buffer_pool_set_active(owned, TRUE));
	msg = gst_bus_pop_filtered(bus, GST_MESSAGE_ERROR);
	assert_non_null(msg);
	assert_ptr_equal(GST_MESSAGE_SRC(msg), owner);
	gst_message_parse_error(msg, &error, &debug);
	assert_true(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT));
	assert_string_equal(error->message,
			    "Could not allocate a 464640-byte buffer from heap \"vivtheap-wc\": Cannot allocate memory");
	assert_non_null(strstr(debug, "a I420 641x479 frame"));
	g_error_free(error);
	g_free(debug);
	gst_message_unref(msg);
	assert_int_equal(fake_open_fds(), 1);

	/* without an owner: GST_FLOW_ERROR all the same */
	config = gst_buffer_pool_get_config(pool);
	gst_buffer_pool_config_set_params(config, caps, 0, 0, 0);
	assert_true(gst_buffer_pool_set_config(pool, config));
	assert_true(gst_buffer_pool_set_active(pool, TRUE));
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL), GST_FLOW_ERROR);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	assert_int_equal(fake_open_fds(), 1);

	gst_caps_unref(caps);
	gst_object_unref(owned);
	gst_object_unref(bus);
	gst_object_unref(owner);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_bufferpool_layout_from_the_caps),
		T(test_bufferpool_alignment_padding_and_strides),
		T(test_bufferpool_alignment_needs_the_meta_option),
		T(test_bufferpool_options),
		T(test_bufferpool_uses_its_allocator_only),
		T(test_bufferpool_refuses_what_it_cannot_lay_out),
		T(test_bufferpool_min_and_max),
		T(test_bufferpool_alloc_failure_is_posted),
	};

	return cmocka_run_group_tests_name("gst bufferpool", tests, gst_group_setup,
					   gst_group_teardown);
}
