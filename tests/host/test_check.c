// SPDX-License-Identifier: MIT
/* libvivtheap checker mode: an access outside a bracket, or outside a ranged bracket's pages, crashes at once with a message naming the buffer; inside, it works. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/vivtheap.h>
#include <vivtheap.h>

#include "child.h"
#include "fixture.h"


static int setup(void **state)
{
	fixture_open_heap("vivtheap-wc", VIVTHEAP_CACHE_WC);
	(void)state;
	return 0;
}


static void write_outside_bracket(void)
{
	struct vivtheap_buffer *b;
	volatile char *p;
	void *v;

	if (vivtheap_buffer_alloc(heap, 8192, VIVTHEAP_BUFFER_CHECKED, &b) ||
	    vivtheap_buffer_map(b, &v))
		_exit(3);
	p = v;
	p[100] = 1; /* no begin: must crash here */
	_exit(4);
}

static void write_outside_bracket_env(void)
{
	struct vivtheap_buffer *b;
	volatile char *p;
	void *v;

	if (vivtheap_buffer_alloc(heap, 8192, 0, &b) || vivtheap_buffer_map(b, &v))
		_exit(3);
	p = v;
	p[8] = 1;
	_exit(4);
}

static void write_inside_read_bracket(void)
{
	struct vivtheap_buffer *b;
	volatile char *p;
	void *v;

	if (vivtheap_buffer_alloc(heap, 8192, VIVTHEAP_BUFFER_CHECKED, &b) ||
	    vivtheap_buffer_map(b, &v) ||
	    vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_READ))
		_exit(3);
	p = v;
	(void)p[5]; /* reading is fine */
	p[4097] = 1;
	_exit(4);
}

/* A ranged checked bracket on pages 1 and 2 of a 4-page buffer (offset
 * 4106, 5000 bytes: the range ends at 9105, in page 2), mapped. */
static volatile char *range_child_map(unsigned int access,
				       struct vivtheap_buffer **b)
{
	void *v;

	if (vivtheap_buffer_alloc(heap, 16384, VIVTHEAP_BUFFER_CHECKED, b) ||
	    vivtheap_buffer_map(*b, &v) ||
	    vivtheap_buffer_begin_range(*b, access, 4106, 5000))
		_exit(3);
	return v;
}

static void write_before_range(void)
{
	struct vivtheap_buffer *b;
	volatile char *p = range_child_map(VIVTHEAP_ACCESS_RW, &b);

	p[4106] = 1;
	p[9105] = 1;
	p[4095] = 1; /* the page before the range's: must crash here */
	_exit(4);
}

static void read_after_range(void)
{
	struct vivtheap_buffer *b;
	volatile char *p = range_child_map(VIVTHEAP_ACCESS_READ, &b);

	(void)p[4096];
	(void)p[12287]; /* the range's pages, whole: the kernel's granularity */
	(void)p[12288]; /* the page after them: must crash here */
	_exit(4);
}

static void write_in_read_range(void)
{
	struct vivtheap_buffer *b;
	volatile char *p = range_child_map(VIVTHEAP_ACCESS_READ, &b);

	(void)p[5000];
	p[5000] = 1;
	_exit(4);
}

static void touch_after_range_end(void)
{
	struct vivtheap_buffer *b;
	volatile char *p = range_child_map(VIVTHEAP_ACCESS_WRITE, &b);

	p[5000] = 1;
	if (vivtheap_buffer_end_range(b, VIVTHEAP_ACCESS_WRITE, 4106, 5000))
		_exit(3);
	p[5000] = 2; /* the bracket is over: must crash here */
	_exit(4);
}

/* A mapping made inside a ranged bracket opens only the range's pages. */
static void map_inside_range(void)
{
	struct vivtheap_buffer *b;
	volatile char *p;
	void *v;

	if (vivtheap_buffer_alloc(heap, 16384, VIVTHEAP_BUFFER_CHECKED, &b) ||
	    vivtheap_buffer_begin_range(b, VIVTHEAP_ACCESS_WRITE, 8192, 1) ||
	    vivtheap_buffer_map(b, &v))
		_exit(3);
	p = v;
	p[8192] = 1;
	p[12287] = 1;
	p[100] = 1; /* must crash here */
	_exit(4);
}

/* Run fn in a child: it must die of SIGSEGV, saying want. */
static void assert_traps(void (*fn)(void), const char *want)
{
	char err[1024];
	int status = run_child(fn, err, sizeof(err));

	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV || !strstr(err, want))
		fail_msg("wait status 0x%x, stderr \"%s\"; want SIGSEGV and \"%s\"",
			 status, err, want);
}

static void test_check_range_traps_outside_its_pages(void **state)
{
	assert_traps(write_before_range,
		     "at offset 4095 outside the open range (offset 4106, length 5000)");
	assert_traps(read_after_range,
		     "at offset 12288 outside the open range (offset 4106, length 5000)");
	assert_traps(write_in_read_range, "at offset 5000: a write inside a READ bracket");
	assert_traps(touch_after_range_end, "at offset 5000 outside a CPU-access bracket");
	assert_traps(map_inside_range,
		     "at offset 100 outside the open range (offset 8192, length 1)");
	(void)state;
}

/* Inside the range's pages it works; one mprotect per begin and per end,
 * of those pages only. */
static void test_check_range_inside_works(void **state)
{
	struct vivtheap_buffer *b;
	char *p;
	void *v;
	int before;

	assert_int_equal(vivtheap_buffer_alloc(heap, 16384, VIVTHEAP_BUFFER_CHECKED, &b), 0);
	assert_int_equal(vivtheap_buffer_map(b, &v), 0);
	p = v;
	before = fake_calls(FAKE_MPROTECT);
	assert_int_equal(vivtheap_buffer_begin_range(b, VIVTHEAP_ACCESS_WRITE, 4097, 8000), 0);
	memset(p + 4097, 0x5a, 8000);
	assert_int_equal(vivtheap_buffer_end_range(b, VIVTHEAP_ACCESS_WRITE, 4097, 8000), 0);
	assert_int_equal(vivtheap_buffer_begin_range(b, VIVTHEAP_ACCESS_READ, 12096, 1), 0);
	assert_int_equal(p[12096], 0x5a);
	assert_int_equal(vivtheap_buffer_end_range(b, VIVTHEAP_ACCESS_READ, 12096, 1), 0);
	assert_int_equal(fake_calls(FAKE_MPROTECT) - before, 4);
	/* The whole buffer still opens whole after a range. */
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_READ), 0);
	assert_int_equal(p[0] + p[16383] + p[4097], 0x5a);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_READ), 0);
	assert_int_equal(vivtheap_buffer_unmap(b), 0);
	vivtheap_buffer_free(b);
	(void)state;
}

static void test_check_range_mprotect_failure_unwinds(void **state)
{
	struct vivtheap_buffer *b;
	void *v;
	int ranged;

	assert_int_equal(vivtheap_buffer_alloc(heap, 8192, VIVTHEAP_BUFFER_CHECKED, &b), 0);
	assert_int_equal(vivtheap_buffer_map(b, &v), 0);
	ranged = fake_range_syncs();
	fake_fail(FAKE_MPROTECT, 1, ENOMEM, 1);
	assert_int_equal(vivtheap_buffer_begin_range(b, VIVTHEAP_ACCESS_RW, 10, 10), -ENOMEM);
	/* START and the END that undoes it reached the control node */
	assert_int_equal(fake_range_syncs() - ranged, 2);
	assert_int_equal(vivtheap_buffer_end_range(b, VIVTHEAP_ACCESS_RW, 10, 10), -EPERM);
	assert_int_equal(vivtheap_buffer_begin_range(b, VIVTHEAP_ACCESS_RW, 10, 10), 0);
	fake_fail(FAKE_MPROTECT, 1, ENOMEM, 1);
	assert_int_equal(vivtheap_buffer_end_range(b, VIVTHEAP_ACCESS_RW, 10, 10), -ENOMEM);
	assert_int_equal(vivtheap_buffer_end_range(b, VIVTHEAP_ACCESS_RW, 10, 10), 0);
	/* a mapping made inside a ranged bracket whose mprotect fails */
	assert_int_equal(vivtheap_buffer_unmap(b), 0);
	assert_int_equal(vivtheap_buffer_begin_range(b, VIVTHEAP_ACCESS_RW, 10, 10), 0);
	fake_fail(FAKE_MPROTECT, 1, ENOMEM, 1);
	assert_int_equal(vivtheap_buffer_map(b, &v), -ENOMEM);
	assert_int_equal(fake_mappings(), 0);
	assert_int_equal(vivtheap_buffer_map(b, &v), 0);
	((char *)v)[19] = 1;
	assert_int_equal(vivtheap_buffer_end_range(b, VIVTHEAP_ACCESS_RW, 10, 10), 0);
	vivtheap_buffer_free(b);
	(void)state;
}

static void test_check_catches_unbracketed_write(void **state)
{
	char err[1024];
	int status = run_child(write_outside_bracket, err, sizeof(err));

	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
	assert_non_null(strstr(err, "vivtheap checker"));
	assert_non_null(strstr(err, "heap \"vivtheap-wc\""));
	assert_non_null(strstr(err, "at offset 100 outside a CPU-access bracket"));
	(void)state;
}

static void test_check_catches_write_in_read_bracket(void **state)
{
	char err[1024];
	int status = run_child(write_inside_read_bracket, err, sizeof(err));

	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
	assert_non_null(strstr(err, "at offset 4097: a write inside a READ bracket"));
	(void)state;
}

static void test_check_bracketed_access_works(void **state)
{
	struct vivtheap_buffer *b;
	char *p;
	void *v;
	int before = fake_calls(FAKE_MPROTECT);

	assert_int_equal(vivtheap_buffer_alloc(heap, 8192, VIVTHEAP_BUFFER_CHECKED, &b), 0);
	assert_int_equal(vivtheap_buffer_map(b, &v), 0);
	p = v;
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_WRITE), 0);
	memset(p, 0x42, 8192);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_WRITE), 0);
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_READ), 0);
	assert_int_equal(p[8191], 0x42);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_READ), 0);
	/* the cost: one mprotect per begin and per end */
	assert_int_equal(fake_calls(FAKE_MPROTECT) - before, 4);
	assert_int_equal(vivtheap_buffer_unmap(b), 0);
	vivtheap_buffer_free(b);
	(void)state;
}

static void test_check_map_inside_bracket(void **state)
{
	struct vivtheap_buffer *b;
	char *p;
	void *v;

	/* Mapping while a bracket is open gives an accessible mapping. */
	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, VIVTHEAP_BUFFER_CHECKED, &b), 0);
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_RW), 0);
	assert_int_equal(vivtheap_buffer_map(b, &v), 0);
	p = v;
	p[0] = 7;
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_RW), 0);
	vivtheap_buffer_free(b);
	(void)state;
}

static void test_check_mprotect_failure_unwinds(void **state)
{
	struct vivtheap_buffer *b;
	void *v;
	int syncs;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, VIVTHEAP_BUFFER_CHECKED, &b), 0);
	assert_int_equal(vivtheap_buffer_map(b, &v), 0);
	syncs = fake_syncs();
	fake_fail(FAKE_MPROTECT, 1, ENOMEM, 1);
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_RW), -ENOMEM);
	/* START and the END that undoes it reached the kernel */
	assert_int_equal(fake_syncs() - syncs, 2);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_RW), -EPERM);
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_RW), 0);
	fake_fail(FAKE_MPROTECT, 1, ENOMEM, 1);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_RW), -ENOMEM);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_RW), 0);
	vivtheap_buffer_free(b);
	(void)state;
}

static void test_check_env_turns_it_on(void **state)
{
	char err[1024];
	int status;

	/* No flag, only the environment. */
	setenv("VIVTHEAP_CHECK", "1", 1);
	status = run_child(write_outside_bracket_env, err, sizeof(err));
	unsetenv("VIVTHEAP_CHECK");
	assert_true(WIFSIGNALED(status));
	assert_non_null(strstr(err, "at offset 8 outside"));
	/* and without it, the same write is silently fine */
	status = run_child(write_outside_bracket_env, err, sizeof(err));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 4);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fixture_teardown)
		T(test_check_catches_unbracketed_write),
		T(test_check_catches_write_in_read_bracket),
		T(test_check_bracketed_access_works),
		T(test_check_map_inside_bracket),
		T(test_check_mprotect_failure_unwinds),
		T(test_check_env_turns_it_on),
		T(test_check_range_traps_outside_its_pages),
		T(test_check_range_inside_works),
		T(test_check_range_mprotect_failure_unwinds),
	};

	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
