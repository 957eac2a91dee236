// SPDX-License-Identifier: MIT
/* GstVivtheapAllocator: dma-buf memory from a heap, one CPU-access bracket per map in its direction, errors with the errno's words. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <gst/allocators/allocators.h>

#include "allocator.h"
#include "child.h"
#include "gst_fixture.h"

static GstAllocator *new_allocator(const char *heap)
{
	GError *error = NULL;
	GstAllocator *a = gst_vivtheap_allocator_new(heap, &error);

	if (!a)
		fail_msg("gst_vivtheap_allocator_new(%s): %s", heap, error->message);
	return a;
}

static GstMemory *alloc(GstAllocator *a, gsize size)
{
	GError *error = NULL;
	GstMemory *mem = gst_vivtheap_allocator_alloc_memory(a, size, NULL, &error);

	if (!mem)
		fail_msg("alloc %zu: %s", size, error->message);
	return mem;
}

static void test_allocator_memory_is_dmabuf_and_says_its_heap(void **state)
{
	static const struct {
		const char *heap, *name, *caching;
		gboolean contiguous;
	} cases[] = {
		{ "uncached", "vivtheap-uncached", "uncached", TRUE },
		{ "wc", "vivtheap-wc", "write-combined", TRUE },
		{ "cached", "vivtheap-cached", "cached", TRUE },
		{ "system", "system", "cached", FALSE },
		{ "linux,cma", "linux,cma", "cached", TRUE },
	};
	GstAllocator *a;
	GstMemory *mem;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		a = new_allocator(cases[i].heap);
		assert_string_equal(gst_vivtheap_allocator_get_heap_name(a), cases[i].name);
		assert_string_equal(gst_vivtheap_allocator_get_caching(a), cases[i].caching);
		assert_int_equal(gst_vivtheap_allocator_is_contiguous(a), cases[i].contiguous);
		/* any element may allocate from it (GstFdAllocator says it may not) */
		assert_false(GST_OBJECT_FLAG_IS_SET(a, GST_ALLOCATOR_FLAG_CUSTOM_ALLOC));
		mem = alloc(a, 5000);
		assert_true(gst_is_dmabuf_memory(mem));
		assert_true(gst_is_vivtheap_memory(mem));
		assert_true(gst_dmabuf_memory_get_fd(mem) >= 0);
		assert_int_equal(fake_last_alloc_len(), 5000);
		assert_int_equal(mem->size, 5000);
		assert_int_equal(mem->maxsize, 8192); /* whole pages */
		assert_int_equal(mem->offset, 0);
		assert_string_equal(gst_vivtheap_memory_get_caching(mem), cases[i].caching);
		assert_string_equal(gst_vivtheap_memory_get_heap_name(mem), cases[i].name);
		/* the qdata, as code that does not link the plugin reads it */
		assert_string_equal(gst_mini_object_get_qdata(GST_MINI_OBJECT(mem),
				    g_quark_from_string("GstVivtheapMemoryCaching")),
				    cases[i].caching);
		assert_string_equal(gst_mini_object_get_qdata(GST_MINI_OBJECT(mem),
				    g_quark_from_string("GstVivtheapMemoryHeap")),
				    cases[i].name);
		assert_int_equal(!!GST_MEMORY_FLAG_IS_SET(mem, GST_MEMORY_FLAG_PHYSICALLY_CONTIGUOUS),
				 cases[i].contiguous);
		/* another allocator's memory is not vivtheap memory */
		gst_memory_unref(mem);
		gst_object_unref(a);
	}
	mem = gst_allocator_alloc(NULL, 100, NULL);
	assert_false(gst_is_vivtheap_memory(mem));
	assert_null(gst_vivtheap_memory_get_caching(mem));
	gst_memory_unref(mem);
	(void)state;
}

/* The fd is the buffer's dma-buf: a consumer imports it as any other. */
static void test_allocator_fd_is_importable(void **state)
{
	GstAllocator *a = new_allocator("wc");
	GstMemory *mem = alloc(a, 10000);
	struct vivtheap_buffer *imported;

	assert_int_equal(vivtheap_buffer_import(gst_dmabuf_memory_get_fd(mem), 0, &imported), 0);
	assert_int_equal(vivtheap_buffer_size(imported), 12288);
	assert_int_equal(vivtheap_buffer_caching(imported), VIVTHEAP_CACHING_WC);
	assert_string_equal(vivtheap_buffer_heap_name(imported), "vivtheap-wc");
	vivtheap_buffer_free(imported);
	/* the memory's fd is still open and its own */
	assert_int_equal(fake_open_fds(), 2); /* the heap, the buffer */
	gst_memory_unref(mem);
	assert_int_equal(fake_open_fds(), 1);
	gst_object_unref(a);
	(void)state;
}

/* Each map direction is the bracket's, at START and at END; once each. */
static void test_allocator_map_brackets_in_the_map_direction(void **state)
{
	static const struct {
		GstMapFlags flags;
		uint64_t dir;
	} cases[] = {
		{ GST_MAP_READ, DMA_BUF_SYNC_READ },
		{ GST_MAP_WRITE, DMA_BUF_SYNC_WRITE },
		{ GST_MAP_READWRITE, DMA_BUF_SYNC_RW },
		{ 0, DMA_BUF_SYNC_READ }, /* says neither: the narrowest bracket */
	};
	GstAllocator *a = new_allocator("cached");
	GstMemory *mem = alloc(a, 4096);
	GstMapInfo info;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		int syncs = fake_syncs();

		assert_true(gst_memory_map(mem, &info, cases[i].flags));
		assert_int_equal(fake_syncs(), syncs + 1);
		assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_START | cases[i].dir);
		assert_int_equal(info.size, 4096);
		gst_memory_unmap(mem, &info);
		assert_int_equal(fake_syncs(), syncs + 2);
		assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_END | cases[i].dir);
	}
	gst_memory_unref(mem);
	gst_object_unref(a);
	(void)state;
}

/*
 * No second bracket: GstDmaBufAllocator's map (which syncs with ioctl(2)
 * on the fd) is not called, nor its mmap; the mapping is made once for
 * all the maps of the memory's life, and what is written stays.
 */
static void test_allocator_map_is_not_double_bracketed(void **state)
{
	GstAllocator *a = new_allocator("wc");
	GstMemory *mem = alloc(a, 4096);
	GstMapInfo info;
	int i;

	for (i = 0; i < 3; i++) {
		assert_true(gst_memory_map(mem, &info, GST_MAP_READWRITE));
		assert_int_equal(info.data[0], i);
		info.data[0] = (guint8)(i + 1);
		gst_memory_unmap(mem, &info);
	}
	assert_int_equal(fake_syncs(), 6);
	assert_int_equal(foreign_syncs, 0);
	assert_int_equal(fake_calls(FAKE_MMAP), 1);
	assert_int_equal(fake_mappings(), 1);
	gst_memory_unref(mem);
	assert_int_equal(fake_mappings(), 0);
	gst_object_unref(a);
	(void)state;
}

/* Maps open at once share one bracket: START at the first, END at the last. */
static void test_allocator_nested_maps_share_one_bracket(void **state)
{
	GstAllocator *a = new_allocator("cached");
	GstMemory *mem = alloc(a, 4096);
	GstMapInfo outer, inner;

	assert_true(gst_memory_map(mem, &outer, GST_MAP_READ));
	assert_true(gst_memory_map(mem, &inner, GST_MAP_READ));
	assert_ptr_equal(outer.data, inner.data);
	assert_int_equal(fake_syncs(), 1);
	gst_memory_unmap(mem, &outer);
	assert_int_equal(fake_syncs(), 1);
	gst_memory_unmap(mem, &inner);
	assert_int_equal(fake_syncs(), 2);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);

	/* a read inside a read-write map: the read-write bracket covers it */
	assert_true(gst_memory_map(mem, &outer, GST_MAP_READWRITE));
	assert_true(gst_memory_map(mem, &inner, GST_MAP_READ));
	gst_memory_unmap(mem, &inner);
	gst_memory_unmap(mem, &outer);
	assert_int_equal(fake_syncs(), 4);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);

	/* a write inside a read map is refused (by GstMemory's lock first) */
	assert_true(gst_memory_map(mem, &outer, GST_MAP_READ));
	assert_false(gst_memory_map(mem, &inner, GST_MAP_WRITE));
	gst_memory_unmap(mem, &outer);
	assert_int_equal(fake_syncs(), 6);
	gst_memory_unref(mem);
	gst_object_unref(a);
	(void)state;
}

/* Readers in several threads at once: the bracket is opened and closed in turn, never twice. */
static gpointer map_many(gpointer data)
{
	GstMemory *mem = data;
	GstMapInfo info;
	int i;

	for (i = 0; i < 500; i++) {
		if (!gst_memory_map(mem, &info, GST_MAP_READ))
			return GINT_TO_POINTER(1);
		gst_memory_unmap(mem, &info);
	}
	return NULL;
}

static void test_allocator_maps_from_threads(void **state)
{
	GstAllocator *a = new_allocator("cached");
	GstMemory *mem = alloc(a, 4096);
	GThread *threads[4];
	GstMapInfo info;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(threads); i++)
		threads[i] = g_thread_new("mapper", map_many, mem);
	for (i = 0; i < G_N_ELEMENTS(threads); i++)
		assert_null(g_thread_join(threads[i]));
	/* balanced (the teardown checks the order), and all closed */
	assert_true(fake_syncs() >= 2);
	assert_int_equal(fake_syncs() % 2, 0);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	assert_true(gst_memory_map(mem, &info, GST_MAP_WRITE));
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	gst_memory_unmap(mem, &info);
	gst_memory_unref(mem);
	gst_object_unref(a);
	(void)state;
}

/* A shared sub-memory maps through its parent's buffer and bracket. */
static void test_allocator_shared_memory_brackets_the_parent(void **state)
{
	GstAllocator *a = new_allocator("cached");
	GstMemory *mem = alloc(a, 8192), *sub;
	GstMapInfo info, pinfo;

	sub = gst_memory_share(mem, 100, 200);
	assert_true(gst_is_vivtheap_memory(sub));
	assert_true(gst_is_dmabuf_memory(sub));
	assert_int_equal(gst_dmabuf_memory_get_fd(sub), gst_dmabuf_memory_get_fd(mem));
	assert_string_equal(gst_vivtheap_memory_get_caching(sub), "cached");
	assert_true(gst_memory_map(sub, &info, GST_MAP_READ));
	assert_int_equal(info.size, 200);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	assert_true(gst_memory_map(mem, &pinfo, GST_MAP_READ));
	assert_ptr_equal(info.data, pinfo.data + 100);
	assert_int_equal(fake_syncs(), 1);
	gst_memory_unmap(mem, &pinfo);
	gst_memory_unmap(sub, &info);
	assert_int_equal(fake_syncs(), 2);
	gst_memory_unref(sub);
	gst_memory_unref(mem);
	gst_object_unref(a);
	(void)state;
}

/* gst_memory_copy(): a new buffer of the same heap, read and written in brackets. */
static void test_allocator_copy_is_heap_memory(void **state)
{
	GstAllocator *a = new_allocator("cached");
	GstMemory *mem = alloc(a, 6000), *copy;
	GstMapInfo info;

	assert_true(gst_memory_map(mem, &info, GST_MAP_WRITE));
	memset(info.data, 0x5a, info.size);
	gst_memory_unmap(mem, &info);
	copy = gst_memory_copy(mem, 1000, 2000);
	assert_non_null(copy);
	assert_true(gst_is_vivtheap_memory(copy));
	assert_string_equal(gst_vivtheap_memory_get_heap_name(copy), "vivtheap-cached");
	assert_int_equal(copy->size, 2000);
	/* the source's READ bracket and the copy's WRITE one, each closed */
	assert_int_equal(fake_syncs(), 6);
	assert_true(gst_memory_map(copy, &info, GST_MAP_READ));
	assert_int_equal(info.data[0], 0x5a);
	assert_int_equal(info.data[1999], 0x5a);
	gst_memory_unmap(copy, &info);
	gst_memory_unref(copy);
	gst_memory_unref(mem);
	gst_object_unref(a);
	(void)state;
}

/* A START that fails fails the map and leaves no bracket; the next works. */
static void test_allocator_failed_start_fails_the_map(void **state)
{
	GstAllocator *a = new_allocator("wc");
	GstMemory *mem = alloc(a, 4096);
	GstMapInfo info;

	fake_fail(FAKE_IOCTL, 1, EIO, 1);
	assert_false(gst_memory_map(mem, &info, GST_MAP_WRITE));
	assert_int_equal(fake_syncs(), 0);
	/* a failed mmap too */
	gst_memory_unref(mem);
	mem = alloc(a, 4096);
	fake_fail(FAKE_MMAP, 1, ENOMEM, 1);
	assert_false(gst_memory_map(mem, &info, GST_MAP_WRITE));
	assert_true(gst_memory_map(mem, &info, GST_MAP_WRITE));
	gst_memory_unmap(mem, &info);
	assert_int_equal(fake_syncs(), 2);
	gst_memory_unref(mem);
	gst_object_unref(a);
	(void)state;
}

/* A failed allocation is an error in the errno's words, never other memory. */
static void test_allocator_alloc_failure_is_an_error_with_errno_text(void **state)
{
	GstAllocator *a = new_allocator("wc");
	GError *error = NULL;
	GstMemory *mem;

	fake_set_alloc_limit(8192);
	mem = gst_vivtheap_allocator_alloc_memory(a, 9000, NULL, &error);
	assert_null(mem);
	assert_true(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT));
	assert_string_equal(error->message,
			    "Could not allocate a 9000-byte buffer from heap \"vivtheap-wc\": Cannot allocate memory");
	g_clear_error(&error);

	/* gst_allocator_alloc(), as elements call it: NULL, and the error logged */
	fixture_errors = g_string_new(NULL);
	gst_debug_set_threshold_for_name("vivtheap", GST_LEVEL_ERROR);
	mem = gst_allocator_alloc(a, 9000, NULL);
	gst_debug_set_threshold_for_name("vivtheap", GST_LEVEL_NONE);
	assert_null(mem);
	assert_non_null(strstr(fixture_errors->str,
			       "Could not allocate a 9000-byte buffer from heap \"vivtheap-wc\": Cannot allocate memory"));
	g_string_free(fixture_errors, TRUE);
	fixture_errors = NULL;
	assert_int_equal(fake_open_fds(), 1); /* the heap only: nothing leaked */
	gst_object_unref(a);
	(void)state;
}

static void test_allocator_params_are_honoured(void **state)
{
	GstAllocator *a = new_allocator("uncached");
	GstAllocationParams params;
	GError *error = NULL;
	GstMapInfo info;
	GstMemory *mem;

	gst_allocation_params_init(&params);
	params.prefix = 64;
	params.padding = 32;
	params.align = 127;
	params.flags = GST_MEMORY_FLAG_ZERO_PREFIXED | GST_MEMORY_FLAG_ZERO_PADDED;
	mem = gst_vivtheap_allocator_alloc_memory(a, 1000, &params, &error);
	assert_non_null(mem);
	assert_int_equal(fake_last_alloc_len(), 1096);
	assert_int_equal(mem->offset, 64);
	assert_int_equal(mem->size, 1000);
	assert_int_equal(mem->maxsize, 4096);
	assert_int_equal(mem->align, 127);
	assert_true(GST_MEMORY_FLAG_IS_SET(mem, GST_MEMORY_FLAG_ZERO_PREFIXED));
	assert_true(GST_MEMORY_FLAG_IS_SET(mem, GST_MEMORY_FLAG_ZERO_PADDED));
	assert_true(gst_memory_map(mem, &info, GST_MAP_READ));
	assert_int_equal(((guintptr)info.data - 64) % 128, 0);
	gst_memory_unmap(mem, &info);
	gst_memory_unref(mem);

	/* alignment up to a page (4095 is a mask of 4096) and no more */
	params.align = 4095;
	mem = gst_vivtheap_allocator_alloc_memory(a, 1000, &params, &error);
	assert_non_null(mem);
	gst_memory_unref(mem);
	params.align = 8191;
	assert_null(gst_vivtheap_allocator_alloc_memory(a, 1000, &params, &error));
	assert_true(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS));
	assert_string_equal(error->message,
			    "Alignment of 8192 bytes asked of heap \"vivtheap-uncached\": its buffers are aligned to a page (4096 bytes), no more");
	g_clear_error(&error);

	/* sizes that overflow are refused before the heap is asked */
	gst_allocation_params_init(&params);
	params.prefix = 16;
	assert_null(gst_vivtheap_allocator_alloc_memory(a, G_MAXSIZE - 8, &params, &error));
	assert_non_null(strstr(error->message, g_strerror(EOVERFLOW)));
	g_clear_error(&error);
	assert_int_equal(fake_last_alloc_len(), 1096); /* the last one asked */

	/* 0 bytes: a page, as gst_allocator_alloc(NULL, 0) gives a memory too */
	mem = gst_vivtheap_allocator_alloc_memory(a, 0, NULL, &error);
	assert_non_null(mem);
	assert_int_equal(mem->size, 0);
	assert_int_equal(fake_last_alloc_len(), 1);
	gst_memory_unref(mem);
	gst_object_unref(a);
	(void)state;
}

static void test_allocator_new_errors(void **state)
{
	GError *error = NULL;

	assert_null(gst_vivtheap_allocator_new("a/b", &error));
	assert_true(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS));
	g_clear_error(&error);
	fake_reset();
	fake_set_ctl(1);
	fake_add_heap("vivtheap-wc", 1, VIVTHEAP_CACHE_WC);
	assert_null(gst_vivtheap_allocator_new("cached", &error));
	assert_true(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND));
	assert_string_equal(error->message,
			    "No cached heap under /dev/dma_heap: No such file or directory");
	g_clear_error(&error);
	(void)state;
}

/* In checker mode the kept mapping is inaccessible outside the bracket. */
static void touch_after_unmap(void)
{
	GstAllocator *a;
	GstMemory *mem;
	GstMapInfo info;
	volatile guint8 *p;

	g_setenv("VIVTHEAP_CHECK", "1", TRUE);
	a = new_allocator("cached");
	mem = alloc(a, 4096);
	assert_true(gst_memory_map(mem, &info, GST_MAP_WRITE));
	p = info.data;
	p[10] = 1;
	gst_memory_unmap(mem, &info);
	p[10] = 2; /* faults */
}

static void test_allocator_checker_mode_guards_the_kept_mapping(void **state)
{
	char err[1024];
	int status;

	status = run_child(touch_after_unmap, err, sizeof(err));
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV ||
	    !strstr(err, "vivtheap checker: CPU access to dma-buf fd") ||
	    !strstr(err, "outside a CPU-access bracket"))
		fail_msg("wait status 0x%x, stderr \"%s\": want the checker's SIGSEGV", status, err);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GST_TEST(test_allocator_memory_is_dmabuf_and_says_its_heap),
		GST_TEST(test_allocator_fd_is_importable),
		GST_TEST(test_allocator_map_brackets_in_the_map_direction),
		GST_TEST(test_allocator_map_is_not_double_bracketed),
		GST_TEST(test_allocator_nested_maps_share_one_bracket),
		GST_TEST(test_allocator_maps_from_threads),
		GST_TEST(test_allocator_shared_memory_brackets_the_parent),
		GST_TEST(test_allocator_copy_is_heap_memory),
		GST_TEST(test_allocator_failed_start_fails_the_map),
		GST_TEST(test_allocator_alloc_failure_is_an_error_with_errno_text),
		GST_TEST(test_allocator_params_are_honoured),
		GST_TEST(test_allocator_new_errors),
		GST_TEST(test_allocator_checker_mode_guards_the_kept_mapping),
	};

	return cmocka_run_group_tests_name("gst allocator", tests, gst_group_setup,
					   gst_group_teardown);
}
