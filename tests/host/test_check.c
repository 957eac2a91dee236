// SPDX-License-Identifier: MIT
/* libvivtheap checker mode: an access outside a bracket crashes at once with a message naming the buffer; inside, it works. */
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
	};

	return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
