// SPDX-License-Identifier: MIT
/* libvivtheap heaps: listing, describing, opening, finding, fallback rules. */
#include <errno.h>
#include <string.h>
#include <linux/vivtheap.h>
#include <vivtheap.h>

#include "child.h"
#include "cmocka_shim.h"
#include "fake_sys.h"

static int setup(void **state)
{
	fake_reset();
	fake_set_ctl(1);
	fake_add_heap("system", 0, 0);
	fake_add_heap("vivtheap-wc", 1, VIVTHEAP_CACHE_WC);
	fake_add_heap("reserved", 0, 0);
	fake_add_heap("vivtheap-uncached", 1, VIVTHEAP_CACHE_UNCACHED);
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(fake_open_fds(), 0);
	assert_int_equal(fake_mappings(), 0);
	(void)state;
	return 0;
}

/* Heap i of list is name, with that caching and those properties. */
static void assert_desc(const struct vivtheap_heap_list *list, size_t i,
			const char *name, enum vivtheap_caching caching,
			unsigned int props)
{
	const struct vivtheap_heap_desc *d = vivtheap_heap_list_get(list, i);

	assert_non_null(d);
	assert_string_equal(vivtheap_heap_desc_name(d), name);
	assert_int_equal(vivtheap_heap_desc_caching(d), caching);
	assert_int_equal(vivtheap_heap_desc_props(d), props);
}

static void test_heap_list_describes_every_heap(void **state)
{
	int opens = fake_calls(FAKE_OPEN);
	struct vivtheap_heap_list *list;

	assert_int_equal(vivtheap_heap_list_new(&list), 0);
	assert_int_equal(vivtheap_heap_list_count(list), 4);
	/* One open of the control node describes all four heaps. */
	assert_int_equal(fake_calls(FAKE_OPEN) - opens, 1);
	/* vivtheap's heaps first, then by name */
	assert_desc(list, 0, "vivtheap-uncached", VIVTHEAP_CACHING_UNCACHED,
		    VIVTHEAP_PROP_VIVTHEAP | VIVTHEAP_PROP_CONTIGUOUS);
	assert_desc(list, 1, "vivtheap-wc", VIVTHEAP_CACHING_WC,
		    VIVTHEAP_PROP_VIVTHEAP | VIVTHEAP_PROP_CONTIGUOUS);
	assert_desc(list, 2, "reserved", VIVTHEAP_CACHING_CACHED, VIVTHEAP_PROP_CONTIGUOUS);
	assert_desc(list, 3, "system", VIVTHEAP_CACHING_CACHED, 0);
	assert_null(vivtheap_heap_list_get(list, 4));
	vivtheap_heap_list_free(list);
	vivtheap_heap_list_free(NULL);
	(void)state;
}

static void test_heap_list_without_control_node(void **state)
{
	struct vivtheap_heap_list *list;

	fake_set_ctl(0);
	assert_int_equal(vivtheap_heap_list_new(&list), 0);
	assert_int_equal(vivtheap_heap_list_count(list), 4);
	assert_desc(list, 0, "reserved", VIVTHEAP_CACHING_CACHED, VIVTHEAP_PROP_CONTIGUOUS);
	assert_desc(list, 2, "vivtheap-uncached", VIVTHEAP_CACHING_UNKNOWN, 0);
	vivtheap_heap_list_free(list);
	(void)state;
}

static void test_heap_list_errors(void **state)
{
	/* A failure leaves the out-parameter as it was: seeded, not NULL. */
	struct vivtheap_heap_list *const seed = (struct vivtheap_heap_list *)&seed;
	struct vivtheap_heap_list *list = seed;

	assert_int_equal(vivtheap_heap_list_new(NULL), -EINVAL);
	fake_fail(FAKE_LISTDIR, 1, EACCES, 1);
	assert_int_equal(vivtheap_heap_list_new(&list), -EACCES);
	assert_ptr_equal(list, seed);
	fake_reset();
	assert_int_equal(vivtheap_heap_list_new(&list), -ENOENT);
	assert_ptr_equal(list, seed);
	(void)state;
}

static void test_heap_open_by_name(void **state)
{
	struct vivtheap_heap *h;

	assert_int_equal(vivtheap_heap_open("vivtheap-wc", &h), 0);
	assert_string_equal(vivtheap_heap_name(h), "vivtheap-wc");
	assert_int_equal(vivtheap_heap_caching(h), VIVTHEAP_CACHING_WC);
	assert_int_equal(vivtheap_heap_wanted_caching(h), VIVTHEAP_CACHING_WC);
	assert_int_equal(vivtheap_heap_is_fallback(h), 0);
	assert_true(vivtheap_heap_props(h) & VIVTHEAP_PROP_VIVTHEAP);
	vivtheap_heap_close(h);
	vivtheap_heap_close(NULL);
	(void)state;
}

static void test_heap_open_errors(void **state)
{
	struct vivtheap_heap *h = NULL;
	char longname[100];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(vivtheap_heap_open(NULL, &h), -EINVAL);
	assert_int_equal(vivtheap_heap_open("system", NULL), -EINVAL);
	assert_int_equal(vivtheap_heap_open("", &h), -EINVAL);
	assert_int_equal(vivtheap_heap_open("../x", &h), -EINVAL);
	assert_int_equal(vivtheap_heap_open("..", &h), -EINVAL);
	assert_int_equal(vivtheap_heap_open(longname, &h), -EINVAL);
	assert_int_equal(vivtheap_heap_open("nope", &h), -ENOENT);
	fake_fail(FAKE_OPEN, 1, EACCES, 1);
	assert_int_equal(vivtheap_heap_open("system", &h), -EACCES);
	assert_null(h);
	(void)state;
}

NULL_CALL(vivtheap_heap_name, NULL)
NULL_CALL(vivtheap_heap_caching, NULL)
NULL_CALL(vivtheap_heap_props, NULL)
NULL_CALL(vivtheap_heap_wanted_caching, NULL)
NULL_CALL(vivtheap_heap_is_fallback, NULL)
NULL_CALL(vivtheap_heap_list_count, NULL)
NULL_CALL(vivtheap_heap_list_get, NULL, 0)
NULL_CALL(vivtheap_heap_desc_name, NULL)
NULL_CALL(vivtheap_heap_desc_caching, NULL)
NULL_CALL(vivtheap_heap_desc_props, NULL)

static void test_heap_getters_assert_on_null(void **state)
{
	static const struct null_getter getters[] = {
		NULL_GETTER(vivtheap_heap_name),
		NULL_GETTER(vivtheap_heap_caching),
		NULL_GETTER(vivtheap_heap_props),
		NULL_GETTER(vivtheap_heap_wanted_caching),
		NULL_GETTER(vivtheap_heap_is_fallback),
		NULL_GETTER(vivtheap_heap_list_count),
		NULL_GETTER(vivtheap_heap_list_get),
		NULL_GETTER(vivtheap_heap_desc_name),
		NULL_GETTER(vivtheap_heap_desc_caching),
		NULL_GETTER(vivtheap_heap_desc_props),
	};

	assert_getters_abort(getters, sizeof(getters) / sizeof(getters[0]));
	(void)state;
}

static void test_heap_find_exact(void **state)
{
	struct vivtheap_heap *h;

	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_UNCACHED, 0, 0, &h), 0);
	assert_string_equal(vivtheap_heap_name(h), "vivtheap-uncached");
	assert_int_equal(vivtheap_heap_is_fallback(h), 0);
	vivtheap_heap_close(h);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_CACHED,
					    VIVTHEAP_PROP_CONTIGUOUS, 0, &h), 0);
	assert_string_equal(vivtheap_heap_name(h), "reserved");
	vivtheap_heap_close(h);
	(void)state;
}

static void test_heap_find_never_falls_back_silently(void **state)
{
	struct vivtheap_heap *h = NULL;

	fake_reset();
	fake_set_ctl(1);
	fake_add_heap("system", 0, 0);
	fake_add_heap("vivtheap-uncached", 1, VIVTHEAP_CACHE_UNCACHED);
	/* Cached and vivtheap's asked: the kernel's cached heap lacks the
	 * property, ours the caching; refused without the flag... */
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_CACHED,
					    VIVTHEAP_PROP_VIVTHEAP, 0, &h), -ENOENT);
	assert_null(h);
	/* ...and with it the closest (the caching weighs more than the
	 * properties), which says what was asked and what was got. */
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_CACHED, VIVTHEAP_PROP_VIVTHEAP,
					    VIVTHEAP_FIND_ALLOW_FALLBACK, &h), 0);
	assert_string_equal(vivtheap_heap_name(h), "system");
	assert_int_equal(vivtheap_heap_is_fallback(h), 1);
	assert_int_equal(vivtheap_heap_wanted_caching(h), VIVTHEAP_CACHING_CACHED);
	assert_int_equal(vivtheap_heap_caching(h), VIVTHEAP_CACHING_CACHED);
	assert_int_equal(vivtheap_heap_props(h) & VIVTHEAP_PROP_VIVTHEAP, 0);
	vivtheap_heap_close(h);
	(void)state;
}

/* Uncached asked, only cached heaps or heaps of unknown caching there:
 * refused, with the flag too (API 3: the data could sit in a CPU cache). */
static void test_heap_find_never_falls_back_to_cacheable(void **state)
{
	struct vivtheap_heap *h = NULL;

	fake_reset();
	fake_set_ctl(1);
	fake_add_heap("system", 0, 0);
	fake_add_heap("some-vendor-carveout", 0, 0);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_UNCACHED, 0, 0, &h), -ENOENT);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_UNCACHED, 0,
					    VIVTHEAP_FIND_ALLOW_FALLBACK, &h), -ENOENT);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_WC, 0,
					    VIVTHEAP_FIND_ALLOW_FALLBACK, &h), -ENOENT);
	assert_null(h);
	(void)state;
}

static void test_heap_find_prefers_noncacheable_fallback(void **state)
{
	struct vivtheap_heap *h;

	/* WC asked, none: uncached is closer than cached. */
	fake_reset();
	fake_set_ctl(1);
	fake_add_heap("system", 0, 0);
	fake_add_heap("vivtheap-uncached", 1, VIVTHEAP_CACHE_UNCACHED);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_WC, 0,
					    VIVTHEAP_FIND_ALLOW_FALLBACK, &h), 0);
	assert_string_equal(vivtheap_heap_name(h), "vivtheap-uncached");
	assert_int_equal(vivtheap_heap_is_fallback(h), 1);
	vivtheap_heap_close(h);
	(void)state;
}

/* vivtheap's cached heap: listed after its non-cacheable ones, "cached". */
static void test_heap_list_reports_the_cached_heap(void **state)
{
	struct vivtheap_heap_list *list;
	const struct vivtheap_heap_desc *d;

	fake_add_heap(VIVTHEAP_HEAP_CACHED_NAME, 1, VIVTHEAP_CACHE_CACHED);
	assert_int_equal(vivtheap_heap_list_new(&list), 0);
	assert_int_equal(vivtheap_heap_list_count(list), 5);
	assert_desc(list, 0, "vivtheap-uncached", VIVTHEAP_CACHING_UNCACHED,
		    VIVTHEAP_PROP_VIVTHEAP | VIVTHEAP_PROP_CONTIGUOUS);
	assert_desc(list, 1, "vivtheap-wc", VIVTHEAP_CACHING_WC,
		    VIVTHEAP_PROP_VIVTHEAP | VIVTHEAP_PROP_CONTIGUOUS);
	assert_desc(list, 2, "vivtheap-cached", VIVTHEAP_CACHING_CACHED,
		    VIVTHEAP_PROP_VIVTHEAP | VIVTHEAP_PROP_CONTIGUOUS);
	assert_desc(list, 3, "reserved", VIVTHEAP_CACHING_CACHED, VIVTHEAP_PROP_CONTIGUOUS);
	d = vivtheap_heap_list_get(list, 2);
	assert_string_equal(vivtheap_caching_name(vivtheap_heap_desc_caching(d)), "cached");
	vivtheap_heap_list_free(list);
	(void)state;
}

/* A heap whose mode this library does not know: ours, but listed last of
 * ours, "unknown", and never found for a caching. */
static void test_heap_list_unknown_mode_last(void **state)
{
	struct vivtheap_heap_list *list;
	struct vivtheap_heap *h = NULL;

	fake_add_heap("vivtheap-a-future-one", 1, 9);
	assert_int_equal(vivtheap_heap_list_new(&list), 0);
	assert_desc(list, 2, "vivtheap-a-future-one", VIVTHEAP_CACHING_UNKNOWN,
		    VIVTHEAP_PROP_VIVTHEAP | VIVTHEAP_PROP_CONTIGUOUS);
	vivtheap_heap_list_free(list);
	fake_reset();
	fake_set_ctl(1);
	fake_add_heap("vivtheap-a-future-one", 1, 9);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_CACHED, 0, 0, &h), -ENOENT);
	assert_null(h);
	(void)state;
}

static void test_heap_find_cached_prefers_ours(void **state)
{
	struct vivtheap_heap *h;

	fake_add_heap(VIVTHEAP_HEAP_CACHED_NAME, 1, VIVTHEAP_CACHE_CACHED);
	/* before the kernel's "reserved" and "system", which are cached too */
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_CACHED, 0, 0, &h), 0);
	assert_string_equal(vivtheap_heap_name(h), VIVTHEAP_HEAP_CACHED_NAME);
	assert_int_equal(vivtheap_heap_caching(h), VIVTHEAP_CACHING_CACHED);
	assert_int_equal(vivtheap_heap_is_fallback(h), 0);
	vivtheap_heap_close(h);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_CACHED, VIVTHEAP_PROP_VIVTHEAP |
					    VIVTHEAP_PROP_CONTIGUOUS, 0, &h), 0);
	assert_string_equal(vivtheap_heap_name(h), VIVTHEAP_HEAP_CACHED_NAME);
	vivtheap_heap_close(h);
	/* and asking for the others still gives the others */
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_UNCACHED, 0, 0, &h), 0);
	assert_string_equal(vivtheap_heap_name(h), VIVTHEAP_HEAP_UNCACHED_NAME);
	vivtheap_heap_close(h);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_WC, 0, 0, &h), 0);
	assert_string_equal(vivtheap_heap_name(h), VIVTHEAP_HEAP_WC_NAME);
	vivtheap_heap_close(h);
	(void)state;
}

/* Only vivtheap's cached heap: asking for a non-cacheable one never yields
 * it, flag or not; with a non-cacheable heap there, the flag takes that. */
static void test_heap_find_uncached_never_yields_cached(void **state)
{
	struct vivtheap_heap *h = NULL;

	fake_reset();
	fake_set_ctl(1);
	fake_add_heap(VIVTHEAP_HEAP_CACHED_NAME, 1, VIVTHEAP_CACHE_CACHED);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_UNCACHED, 0, 0, &h), -ENOENT);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_WC, 0, 0, &h), -ENOENT);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_UNCACHED,
					    VIVTHEAP_PROP_VIVTHEAP, 0, &h), -ENOENT);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_UNCACHED, 0,
					    VIVTHEAP_FIND_ALLOW_FALLBACK, &h), -ENOENT);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_WC, 0,
					    VIVTHEAP_FIND_ALLOW_FALLBACK, &h), -ENOENT);
	assert_null(h);
	fake_add_heap(VIVTHEAP_HEAP_WC_NAME, 1, VIVTHEAP_CACHE_WC);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_UNCACHED, 0, 0, &h), -ENOENT);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_UNCACHED, 0,
					    VIVTHEAP_FIND_ALLOW_FALLBACK, &h), 0);
	assert_string_equal(vivtheap_heap_name(h), VIVTHEAP_HEAP_WC_NAME);
	assert_int_equal(vivtheap_heap_is_fallback(h), 1);
	assert_int_equal(vivtheap_heap_wanted_caching(h), VIVTHEAP_CACHING_UNCACHED);
	assert_int_equal(vivtheap_heap_caching(h), VIVTHEAP_CACHING_WC);
	vivtheap_heap_close(h);
	(void)state;
}

/* Only non-cacheable heaps: asking for cached fails without the flag. */
static void test_heap_find_cached_fails_without_fallback(void **state)
{
	struct vivtheap_heap *h = NULL;

	fake_reset();
	fake_set_ctl(1);
	fake_add_heap(VIVTHEAP_HEAP_UNCACHED_NAME, 1, VIVTHEAP_CACHE_UNCACHED);
	fake_add_heap(VIVTHEAP_HEAP_WC_NAME, 1, VIVTHEAP_CACHE_WC);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_CACHED, 0, 0, &h), -ENOENT);
	assert_null(h);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_CACHED, 0,
					    VIVTHEAP_FIND_ALLOW_FALLBACK, &h), 0);
	assert_int_equal(vivtheap_heap_is_fallback(h), 1);
	assert_int_equal(vivtheap_heap_wanted_caching(h), VIVTHEAP_CACHING_CACHED);
	assert_int_not_equal(vivtheap_heap_caching(h), VIVTHEAP_CACHING_CACHED);
	vivtheap_heap_close(h);
	(void)state;
}

static void test_heap_find_errors(void **state)
{
	struct vivtheap_heap *h;

	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_UNKNOWN, 0, 0, &h), -EINVAL);
	assert_int_equal(vivtheap_heap_find((enum vivtheap_caching)9, 0, 0, &h), -EINVAL);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_WC, 0, 0x10, &h), -EINVAL);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_WC, 0x100, 0, &h), -EINVAL);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_WC, 0, 0, NULL), -EINVAL);
	fake_fail(FAKE_LISTDIR, 1, EIO, 1);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_WC, 0, 0, &h), -EIO);
	/* The heap found cannot be opened: the open's error (open 1 is the
	 * control node, once for the whole list; open 2 the heap). */
	fake_fail(FAKE_OPEN, 2, EMFILE, 1);
	assert_int_equal(vivtheap_heap_find(VIVTHEAP_CACHING_WC, 0, 0, &h), -EMFILE);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_heap_list_describes_every_heap),
		T(test_heap_list_without_control_node),
		T(test_heap_list_errors),
		T(test_heap_open_by_name),
		T(test_heap_open_errors),
		T(test_heap_getters_assert_on_null),
		T(test_heap_find_exact),
		T(test_heap_find_never_falls_back_silently),
		T(test_heap_find_never_falls_back_to_cacheable),
		T(test_heap_find_prefers_noncacheable_fallback),
		T(test_heap_list_reports_the_cached_heap),
		T(test_heap_list_unknown_mode_last),
		T(test_heap_find_cached_prefers_ours),
		T(test_heap_find_uncached_never_yields_cached),
		T(test_heap_find_cached_fails_without_fallback),
		T(test_heap_find_errors),
	};

	return cmocka_run_group_tests_name("heap", tests, NULL, NULL);
}
