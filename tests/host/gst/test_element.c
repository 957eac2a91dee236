// SPDX-License-Identifier: MIT
/* vivtheappool: properties, start errors on the bus, its ALLOCATION answer, pipelines through it (videotestsrc, appsrc) and their brackets. */
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

#include "allocator.h"
#include "bufferpool.h"
#include "gst_fixture.h"

static void test_element_properties(void **state)
{
	GstElement *e = gst_element_factory_make("vivtheappool", NULL);
	guint min, max;
	gchar *heap;

	assert_non_null(e);
	g_object_get(e, "heap", &heap, "min-buffers", &min, "max-buffers", &max, NULL);
	assert_string_equal(heap, "wc");
	assert_int_equal(min, 2);
	assert_int_equal(max, 0);
	g_free(heap);
	g_object_set(e, "heap", "vivtheap-cached", "min-buffers", 4, "max-buffers", 8, NULL);
	g_object_get(e, "heap", &heap, "min-buffers", &min, "max-buffers", &max, NULL);
	assert_string_equal(heap, "vivtheap-cached");
	assert_int_equal(min, 4);
	assert_int_equal(max, 8);
	g_free(heap);
	/* NULL is the default; an invalid value is kept, and refused at start */
	g_object_set(e, "heap", NULL, NULL);
	g_object_get(e, "heap", &heap, NULL);
	assert_string_equal(heap, "wc");
	g_free(heap);
	gst_util_set_object_arg(G_OBJECT(e), "heap", "a/b");
	g_object_get(e, "heap", &heap, NULL);
	assert_string_equal(heap, "a/b");
	g_free(heap);
	gst_object_unref(e);
	(void)state;
}

/* The first ERROR on bus, or fail; its text in *error, its source's name. */
static GstMessage *pop_error(GstBus *bus, GError **error)
{
	GstMessage *msg = gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GST_MESSAGE_ERROR);

	if (!msg)
		fail_msg("no ERROR message");
	gst_message_parse_error(msg, error, NULL);
	return msg;
}

/* Start the element in a pipeline with props; it must fail with code and message. */
static void assert_start_fails(const char *props, GstResourceError code, const char *message)
{
	gchar *desc = g_strdup_printf("fakesrc ! vivtheappool name=p %s ! fakesink", props);
	GstElement *pipeline = gst_parse_launch(desc, NULL);
	GstBus *bus = gst_element_get_bus(pipeline);
	GError *error = NULL;
	GstMessage *msg;

	assert_int_equal(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
	msg = pop_error(bus, &error);
	assert_string_equal(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), "p");
	if (!g_error_matches(error, GST_RESOURCE_ERROR, code) || strcmp(error->message, message))
		fail_msg("%s: \"%s\" (code %d), want \"%s\" (code %d)", props,
			 error->message, error->code, message, code);
	g_error_free(error);
	gst_message_unref(msg);
	assert_int_equal(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
	gst_object_unref(bus);
	unref_and_wait(pipeline);
	g_free(desc);
}

static void test_element_start_errors_are_clear(void **state)
{
	assert_start_fails("heap=a/b", GST_RESOURCE_ERROR_SETTINGS,
			   "Invalid heap \"a/b\": a heap's name has no \"/\" (give the name under /dev/dma_heap, not a path)");
	assert_start_fails("heap=\"\"", GST_RESOURCE_ERROR_SETTINGS,
			   "Invalid heap \"\": give uncached, wc or cached, or a heap's name under /dev/dma_heap");
	assert_start_fails("heap=nosuch", GST_RESOURCE_ERROR_NOT_FOUND,
			   "Could not open heap \"nosuch\": No such file or directory");
	assert_start_fails("min-buffers=3 max-buffers=2", GST_RESOURCE_ERROR_SETTINGS,
			   "min-buffers (3) is more than max-buffers (2)");
	fake_fail(FAKE_OPEN, 1, EACCES, 1);
	assert_start_fails("heap=system", GST_RESOURCE_ERROR_OPEN_READ_WRITE,
			   "Could not open heap \"system\": Permission denied");
	/* the heap is missing: vivtheap.ko not loaded, nothing under /dev/dma_heap */
	fake_reset();
	assert_start_fails("heap=cached", GST_RESOURCE_ERROR_NOT_FOUND,
			   "No cached heap under /dev/dma_heap: No such file or directory");
	(void)state;
}

/*
 * A stand-in for downstream: answers the ALLOCATION query with a system
 * memory pool (min 4), the system allocator with 15-byte alignment, and
 * GstVideoMeta support; or nothing when answer is FALSE.
 */
static gboolean answer;

static gboolean downstream_query(GstPad *pad, GstObject *parent, GstQuery *query)
{
	GstAllocationParams params = { .align = 15 };
	GstAllocator *sysmem;
	GstBufferPool *pool;

	if (GST_QUERY_TYPE(query) != GST_QUERY_ALLOCATION)
		return gst_pad_query_default(pad, parent, query);
	if (!answer)
		return FALSE;
	pool = gst_buffer_pool_new();
	sysmem = gst_allocator_find(NULL);
	gst_query_add_allocation_pool(query, pool, 1000, 4, 0);
	gst_query_add_allocation_param(query, sysmem, &params);
	gst_query_add_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL);
	gst_object_unref(pool);
	gst_object_unref(sysmem);
	return TRUE;
}

/* The element between two test pads, started with min/max-buffers. */
struct harness {
	GstElement *e;
	GstPad *up, *down;
};

static void harness_start(struct harness *h, guint min, guint max)
{
	GstPad *pad;

	h->e = gst_element_factory_make("vivtheappool", "p");
	g_object_set(h->e, "min-buffers", min, "max-buffers", max, NULL);
	h->up = gst_pad_new("up", GST_PAD_SRC);
	h->down = gst_pad_new("down", GST_PAD_SINK);
	gst_pad_set_query_function(h->down, downstream_query);
	pad = gst_element_get_static_pad(h->e, "sink");
	assert_int_equal(gst_pad_link(h->up, pad), GST_PAD_LINK_OK);
	gst_object_unref(pad);
	pad = gst_element_get_static_pad(h->e, "src");
	assert_int_equal(gst_pad_link(pad, h->down), GST_PAD_LINK_OK);
	gst_object_unref(pad);
	assert_true(gst_pad_set_active(h->up, TRUE));
	assert_true(gst_pad_set_active(h->down, TRUE));
	assert_int_equal(gst_element_set_state(h->e, GST_STATE_PAUSED), GST_STATE_CHANGE_SUCCESS);
}

static void harness_stop(struct harness *h)
{
	assert_int_equal(gst_element_set_state(h->e, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
	gst_pad_set_active(h->up, FALSE);
	gst_pad_set_active(h->down, FALSE);
	gst_object_unref(h->e);
	gst_object_unref(h->up);
	gst_object_unref(h->down);
}

/* The ALLOCATION query from upstream, for NV12 33x17. */
static GstQuery *ask(struct harness *h, gboolean need_pool)
{
	GstCaps *caps = gst_caps_from_string("video/x-raw, format=NV12, width=33, height=17, framerate=30/1");
	GstQuery *query = gst_query_new_allocation(caps, need_pool);

	assert_true(gst_pad_peer_query(h->up, query));
	gst_caps_unref(caps);
	return query;
}

/* The answer: the element's pool and allocator only, min and max as said. */
static void assert_answer(GstQuery *query, gboolean with_pool, guint min, guint max,
			  gsize align)
{
	GstAllocationParams params;
	GstAllocator *allocator;
	GstBufferPool *pool;
	guint size, pmin, pmax;

	assert_int_equal(gst_query_get_n_allocation_pools(query), 1);
	gst_query_parse_nth_allocation_pool(query, 0, &pool, &size, &pmin, &pmax);
	if (with_pool) {
		assert_non_null(pool);
		assert_true(GST_IS_VIVTHEAP_BUFFER_POOL(pool));
		gst_object_unref(pool);
	} else {
		assert_null(pool);
	}
	assert_int_equal(size, 972);
	assert_int_equal(pmin, min);
	assert_int_equal(pmax, max);
	assert_int_equal(gst_query_get_n_allocation_params(query), 1);
	gst_query_parse_nth_allocation_param(query, 0, &allocator, &params);
	assert_true(GST_IS_VIVTHEAP_ALLOCATOR(allocator));
	assert_string_equal(gst_vivtheap_allocator_get_heap_name(allocator), "vivtheap-wc");
	assert_int_equal(params.align, align);
	gst_object_unref(allocator);
}

static void test_element_answers_allocation_alone(void **state)
{
	struct harness h;
	GstQuery *query;

	answer = FALSE; /* downstream answers nothing (fakesink does so) */
	harness_start(&h, 2, 0);
	query = ask(&h, TRUE);
	assert_answer(query, TRUE, 2, 0, 0);
	assert_int_equal(gst_query_get_n_allocation_metas(query), 0);
	gst_query_unref(query);
	/* need_pool FALSE: no pool, the allocator all the same */
	query = ask(&h, FALSE);
	assert_answer(query, FALSE, 2, 0, 0);
	gst_query_unref(query);
	harness_stop(&h);
	(void)state;
}

/* Downstream's metas, alignment and held buffers stay; its pool and allocator go. */
static void test_element_answers_allocation_over_downstream(void **state)
{
	struct harness h;
	GstQuery *query;

	answer = TRUE;
	harness_start(&h, 2, 0);
	query = ask(&h, TRUE);
	assert_answer(query, TRUE, 4, 0, 15);
	assert_true(gst_query_find_allocation_meta(query, GST_VIDEO_META_API_TYPE, NULL));
	gst_query_unref(query);
	harness_stop(&h);

	/* max-buffers below what downstream holds: raised to it */
	harness_start(&h, 1, 3);
	query = ask(&h, TRUE);
	assert_answer(query, TRUE, 4, 4, 15);
	gst_query_unref(query);
	harness_stop(&h);
	(void)state;
}

/* The offered pool is configured and gives vivtheap frames as they are. */
static void test_element_offered_pool_works(void **state)
{
	GstBufferPool *pool;
	GstQuery *query;
	struct harness h;
	GstBuffer *buf;

	answer = FALSE;
	harness_start(&h, 3, 0);
	query = ask(&h, TRUE);
	gst_query_parse_nth_allocation_pool(query, 0, &pool, NULL, NULL, NULL);
	assert_true(gst_buffer_pool_set_active(pool, TRUE));
	assert_int_equal(fake_open_fds(), 4); /* the heap and 3 buffers */
	assert_int_equal(gst_buffer_pool_acquire_buffer(pool, &buf, NULL), GST_FLOW_OK);
	assert_true(gst_is_vivtheap_memory(gst_buffer_peek_memory(buf, 0)));
	assert_non_null(gst_buffer_get_video_meta(buf));
	gst_buffer_unref(buf);
	assert_true(gst_buffer_pool_set_active(pool, FALSE));
	gst_object_unref(pool);
	gst_query_unref(query);
	harness_stop(&h);
	(void)state;
}

/* Run a pipeline to EOS (or ERROR: returned, with its message). */
static GstMessage *run(GstElement *pipeline)
{
	GstBus *bus = gst_element_get_bus(pipeline);
	GstMessage *msg;

	assert_int_not_equal(gst_element_set_state(pipeline, GST_STATE_PLAYING),
			     GST_STATE_CHANGE_FAILURE);
	msg = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
	assert_non_null(msg);
	assert_int_equal(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
	gst_object_unref(bus);
	return msg;
}

/*
 * videotestsrc renders into the pool's frames through gst_memory_map()
 * (each a WRITE bracket), the element passes them, appsink's reader maps
 * each for READ: every frame arrives whole, in vivtheap memory of the asked
 * heap, and every map was one bracket (the count, at the end).
 */
static void test_element_videotestsrc_renders_into_the_heap(void **state)
{
	static const struct {
		const char *heap, *caching;
	} heaps[] = {
		{ "uncached", "uncached" }, { "wc", "write-combined" }, { "cached", "cached" },
	};
	GstElement *pipeline, *sink;
	GstSample *sample;
	GstMapInfo info;
	GstMessage *msg;
	int frames, before;
	gsize i, j;

	for (i = 0; i < G_N_ELEMENTS(heaps); i++) {
		gchar *desc = g_strdup_printf(
			"videotestsrc num-buffers=5 pattern=solid-color foreground-color=0xffffffff "
			"! video/x-raw,format=I420,width=33,height=17 "
			"! vivtheappool heap=%s ! appsink name=sink sync=false", heaps[i].heap);

		pipeline = gst_parse_launch(desc, NULL);
		g_free(desc);
		before = fake_syncs();
		sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
		assert_int_equal(gst_element_set_state(pipeline, GST_STATE_PLAYING),
				 GST_STATE_CHANGE_ASYNC);
		for (frames = 0; (sample = gst_app_sink_pull_sample(GST_APP_SINK(sink))); frames++) {
			GstBuffer *buf = gst_sample_get_buffer(sample);
			GstMemory *mem = gst_buffer_peek_memory(buf, 0);

			assert_true(gst_is_vivtheap_memory(mem));
			assert_string_equal(gst_vivtheap_memory_get_caching(mem), heaps[i].caching);
			/*
			 * The source's streaming thread syncs its next frames
			 * meanwhile: no count or last sync here is ours alone.
			 * The directions are the allocator tests'; the total
			 * is checked below, once the pipeline is done.
			 */
			assert_true(gst_buffer_map(buf, &info, GST_MAP_READ));
			/* I420 white: Y 235 over the 36x17 Y plane's 33 columns, U and V 128 */
			for (j = 0; j < 17 * 36; j++)
				if (j % 36 < 33 && info.data[j] != 235)
					fail_msg("%s frame %d: Y[%zu] = %d", heaps[i].heap, frames, j, info.data[j]);
			assert_int_equal(info.data[648], 128);
			assert_int_equal(info.data[828], 128);
			gst_buffer_unmap(buf, &info);
			gst_sample_unref(sample);
		}
		assert_int_equal(frames, 5);
		assert_int_equal(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
		msg = gst_bus_pop_filtered(GST_ELEMENT_BUS(pipeline), GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
		if (msg)
			fail_msg("%s: %" GST_PTR_FORMAT, heaps[i].heap, msg);
		/* each frame: videotestsrc's WRITE bracket, ours READ: 4 syncs */
		assert_int_equal(fake_syncs() - before, 4 * frames);
		gst_object_unref(sink);
		unref_and_wait(pipeline);
		assert_int_equal(fake_open_fds(), 0);
	}
	(void)state;
}

/* The heap cannot give a frame: the pipeline stops with our errno's words. */
static void test_element_allocation_failure_stops_the_pipeline(void **state)
{
	GstElement *pipeline = gst_parse_launch(
		"videotestsrc num-buffers=5 ! video/x-raw,format=I420,width=641,height=479 "
		"! vivtheappool name=p heap=cached ! fakesink", NULL);
	GError *error = NULL;
	GstMessage *msg;

	fake_set_alloc_limit(1 << 18); /* a frame is 464640 bytes */
	msg = run(pipeline);
	assert_int_equal(GST_MESSAGE_TYPE(msg), GST_MESSAGE_ERROR);
	assert_string_equal(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), "p");
	gst_message_parse_error(msg, &error, NULL);
	assert_true(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT));
	assert_string_equal(error->message,
			    "Could not allocate a 464640-byte buffer from heap \"vivtheap-cached\": Cannot allocate memory");
	g_error_free(error);
	gst_message_unref(msg);
	unref_and_wait(pipeline);
	assert_int_equal(fake_open_fds(), 0);
	(void)state;
}

/* Frames not from the pool pass, and the element says so once. */
static void test_element_warns_once_of_foreign_frames(void **state)
{
	GstElement *pipeline = gst_parse_launch(
		"appsrc name=src format=time caps=video/x-raw,format=GRAY8,width=4,height=4,framerate=1/1 "
		"! vivtheappool name=p ! fakesink name=sink", NULL);
	GstElement *src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
	GstBus *bus = gst_element_get_bus(pipeline);
	GstMessage *msg;
	GError *error = NULL;
	int i, warnings = 0;

	assert_int_not_equal(gst_element_set_state(pipeline, GST_STATE_PLAYING),
			     GST_STATE_CHANGE_FAILURE);
	for (i = 0; i < 3; i++)
		assert_int_equal(gst_app_src_push_buffer(GST_APP_SRC(src), gst_buffer_new_allocate(NULL, 16, NULL)),
				 GST_FLOW_OK);
	assert_int_equal(gst_app_src_end_of_stream(GST_APP_SRC(src)), GST_FLOW_OK);
	/* up to EOS: one WARNING, of the element, saying what is wrong */
	while ((msg = gst_bus_timed_pop_filtered(bus, 30 * GST_SECOND,
						 GST_MESSAGE_EOS | GST_MESSAGE_ERROR |
						 GST_MESSAGE_WARNING))) {
		if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS)
			break;
		assert_int_equal(GST_MESSAGE_TYPE(msg), GST_MESSAGE_WARNING);
		assert_string_equal(GST_OBJECT_NAME(GST_MESSAGE_SRC(msg)), "p");
		gst_message_parse_warning(msg, &error, NULL);
		assert_string_equal(error->message,
				    "Frames are not in vivtheap memory: upstream did not take the proposed pool");
		g_clear_error(&error);
		gst_message_unref(msg);
		warnings++;
	}
	assert_non_null(msg);
	gst_message_unref(msg);
	assert_int_equal(warnings, 1);
	assert_int_equal(gst_element_set_state(pipeline, GST_STATE_NULL), GST_STATE_CHANGE_SUCCESS);
	gst_object_unref(bus);
	gst_object_unref(src);
	unref_and_wait(pipeline);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GST_TEST(test_element_properties),
		GST_TEST(test_element_start_errors_are_clear),
		GST_TEST(test_element_answers_allocation_alone),
		GST_TEST(test_element_answers_allocation_over_downstream),
		GST_TEST(test_element_offered_pool_works),
		GST_TEST(test_element_videotestsrc_renders_into_the_heap),
		GST_TEST(test_element_allocation_failure_stops_the_pipeline),
		GST_TEST(test_element_warns_once_of_foreign_frames),
	};

	return cmocka_run_group_tests_name("gst element", tests, gst_group_setup,
					   gst_group_teardown);
}
