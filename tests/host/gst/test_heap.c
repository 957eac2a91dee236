// SPDX-License-Identifier: MIT
/* The `heap` value: the words for a caching, heap names, what is refused and why; opening; errno to GStreamer errors. */
#include <string.h>

#include "gst_fixture.h"
#include "heap.h"

static void test_heap_words_ask_for_a_caching(void **state)
{
	static const struct {
		const char *value;
		enum vivtheap_caching caching;
	} cases[] = {
		{ "uncached", VIVTHEAP_CACHING_UNCACHED },
		{ "wc", VIVTHEAP_CACHING_WC },
		{ "write-combined", VIVTHEAP_CACHING_WC },
		{ "cached", VIVTHEAP_CACHING_CACHED },
		{ NULL, VIVTHEAP_CACHING_WC }, /* the default */
	};
	GstVivtheapHeapSpec spec;
	GError *error = NULL;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		assert_true(gst_vivtheap_heap_spec_parse(cases[i].value, &spec, &error));
		assert_null(error);
		assert_int_equal(spec.caching, cases[i].caching);
		assert_string_equal(spec.name, "");
	}
	(void)state;
}

static void test_heap_other_values_are_names(void **state)
{
	static const char *const names[] = {
		"vivtheap-wc", "system", "linux,cma", "WC", "cached ", "x",
		"123456789012345678901234567890123456789012345678901234567890123",
	};
	GstVivtheapHeapSpec spec;
	GError *error = NULL;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		assert_true(gst_vivtheap_heap_spec_parse(names[i], &spec, &error));
		assert_null(error);
		assert_int_equal(spec.caching, VIVTHEAP_CACHING_UNKNOWN);
		assert_string_equal(spec.name, names[i]);
	}
	(void)state;
}

static void test_heap_invalid_values_say_why(void **state)
{
	static const struct {
		const char *value, *message;
	} cases[] = {
		{ "", "Invalid heap \"\": give uncached, wc or cached, or a heap's name under /dev/dma_heap" },
		{ ".", "Invalid heap \".\": not a heap's name" },
		{ "..", "Invalid heap \"..\": not a heap's name" },
		{ "a/b", "Invalid heap \"a/b\": a heap's name has no \"/\" (give the name under /dev/dma_heap, not a path)" },
		{ "/dev/dma_heap/system", "Invalid heap \"/dev/dma_heap/system\": a heap's name has no \"/\" (give the name under /dev/dma_heap, not a path)" },
		{ "1234567890123456789012345678901234567890123456789012345678901234",
		  "Invalid heap \"1234567890123456789012345678901234567890123456789012345678901234\": a heap's name has at most 63 characters" },
	};
	GstVivtheapHeapSpec spec;
	GError *error = NULL;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		assert_false(gst_vivtheap_heap_spec_parse(cases[i].value, &spec, &error));
		assert_non_null(error);
		assert_true(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS));
		assert_string_equal(error->message, cases[i].message);
		g_clear_error(&error);
	}
	(void)state;
}

/* Open what spec names; NULL and the message in err on failure. */
static struct vivtheap_heap *open_value(const char *value, GError **error)
{
	GstVivtheapHeapSpec spec;

	assert_true(gst_vivtheap_heap_spec_parse(value, &spec, NULL));
	return gst_vivtheap_heap_open(&spec, error);
}

static void test_heap_open_by_caching_and_by_name(void **state)
{
	static const struct {
		const char *value, *name;
	} cases[] = {
		{ "uncached", "vivtheap-uncached" },
		{ "wc", "vivtheap-wc" },
		{ "cached", "vivtheap-cached" },
		{ "system", "system" },
		{ "vivtheap-cached", "vivtheap-cached" },
	};
	struct vivtheap_heap *heap;
	GError *error = NULL;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		heap = open_value(cases[i].value, &error);
		assert_non_null(heap);
		assert_null(error);
		assert_string_equal(vivtheap_heap_name(heap), cases[i].name);
		vivtheap_heap_close(heap);
	}
	(void)state;
}

/* A caching is never served by another, not even the kernel's cached heaps. */
static void test_heap_open_by_caching_never_falls_back(void **state)
{
	GError *error = NULL;

	fake_reset();
	fake_set_ctl(1);
	fake_add_heap("vivtheap-wc", 1, VIVTHEAP_CACHE_WC);
	fake_add_heap("system", 0, 0);
	assert_null(open_value("uncached", &error));
	assert_true(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND));
	assert_string_equal(error->message,
			    "No uncached heap under /dev/dma_heap: No such file or directory");
	g_clear_error(&error);
	/* the library's fallback would take the uncached heap for wc: not asked */
	fake_reset();
	fake_set_ctl(1);
	fake_add_heap("vivtheap-uncached", 1, VIVTHEAP_CACHE_UNCACHED);
	fake_add_heap("system", 0, 0);
	assert_null(open_value("wc", &error));
	assert_string_equal(error->message,
			    "No write-combined heap under /dev/dma_heap: No such file or directory");
	g_clear_error(&error);
	(void)state;
}

static void test_heap_open_errors_in_words(void **state)
{
	GError *error = NULL;

	assert_null(open_value("nosuch", &error));
	assert_true(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND));
	assert_string_equal(error->message,
			    "Could not open heap \"nosuch\": No such file or directory");
	g_clear_error(&error);

	fake_fail(FAKE_OPEN, 1, EACCES, 1);
	assert_null(open_value("vivtheap-wc", &error));
	assert_true(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ_WRITE));
	assert_string_equal(error->message, "Could not open heap \"vivtheap-wc\": Permission denied");
	g_clear_error(&error);

	/* by caching, the directory listing fails: its errno, not ENOENT's words */
	fake_fail(FAKE_LISTDIR, 1, EIO, 1);
	assert_null(open_value("cached", &error));
	assert_true(g_error_matches(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED));
	assert_string_equal(error->message, "Could not open a cached heap: Input/output error");
	g_clear_error(&error);
	(void)state;
}

static void test_heap_errno_codes(void **state)
{
	static const struct {
		int err;
		GstResourceError code;
	} cases[] = {
		{ ENOENT, GST_RESOURCE_ERROR_NOT_FOUND },
		{ ENODEV, GST_RESOURCE_ERROR_NOT_FOUND },
		{ EACCES, GST_RESOURCE_ERROR_OPEN_READ_WRITE },
		{ EPERM, GST_RESOURCE_ERROR_OPEN_READ_WRITE },
		{ ENOMEM, GST_RESOURCE_ERROR_NO_SPACE_LEFT },
		{ ENOSPC, GST_RESOURCE_ERROR_NO_SPACE_LEFT },
		{ EINVAL, GST_RESOURCE_ERROR_SETTINGS },
		{ EIO, GST_RESOURCE_ERROR_FAILED },
	};
	GError *error = NULL;
	gchar *want;
	gsize i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		gst_vivtheap_set_errno_error(&error, cases[i].err, "doing %d", (int)i);
		assert_true(g_error_matches(error, GST_RESOURCE_ERROR, cases[i].code));
		want = g_strdup_printf("doing %d: %s", (int)i, g_strerror(cases[i].err));
		assert_string_equal(error->message, want);
		g_free(want);
		g_clear_error(&error);
	}
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GST_TEST(test_heap_words_ask_for_a_caching),
		GST_TEST(test_heap_other_values_are_names),
		GST_TEST(test_heap_invalid_values_say_why),
		GST_TEST(test_heap_open_by_caching_and_by_name),
		GST_TEST(test_heap_open_by_caching_never_falls_back),
		GST_TEST(test_heap_open_errors_in_words),
		GST_TEST(test_heap_errno_codes),
	};

	return cmocka_run_group_tests_name("gst heap", tests, gst_group_setup,
					   gst_group_teardown);
}
