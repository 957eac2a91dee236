// SPDX-License-Identifier: MIT
/* libvivtheap buffers: alloc, import, map, brackets with EINTR/EAGAIN retry, name, free, every unwind step. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <linux/dma-buf.h>
#include <linux/vivtheap.h>
#include <vivtheap.h>

#include "child.h"
#include "fixture.h"

int __wrap_vivtheap_sys_open(const char *path, int flags);
int __wrap_vivtheap_sys_close(int fd);


static int setup(void **state)
{
	fixture_open_heap("vivtheap-wc", VIVTHEAP_CACHE_WC);
	fake_add_heap("system", 0, 0);
	(void)state;
	return 0;
}


static void test_buffer_alloc_reports_what_it_is(void **state)
{
	struct vivtheap_buffer *b;

	assert_int_equal(vivtheap_buffer_alloc(heap, 5000, 0, &b), 0);
	assert_int_equal(vivtheap_buffer_size(b), 8192);
	assert_int_equal(fake_last_alloc_len(), 5000);
	assert_int_equal(fake_last_alloc_flags(), O_RDWR | O_CLOEXEC);
	assert_int_equal(vivtheap_buffer_caching(b), VIVTHEAP_CACHING_WC);
	assert_string_equal(vivtheap_buffer_heap_name(b), "vivtheap-wc");
	assert_true(vivtheap_buffer_fd(b) >= 0);
	vivtheap_buffer_free(b);
	vivtheap_buffer_free(NULL);
	(void)state;
}

static void test_buffer_alloc_readonly(void **state)
{
	struct vivtheap_buffer *b;
	const volatile char *c;
	void *p;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, VIVTHEAP_BUFFER_READONLY, &b), 0);
	assert_int_equal(fake_last_alloc_flags(), O_RDONLY | O_CLOEXEC);
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_WRITE), -EACCES);
	/* The fd is read-only: the mapping must be too, or mmap() refuses. */
	assert_int_equal(vivtheap_buffer_map(b, &p), 0);
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_READ), 0);
	c = p;
	assert_int_equal(c[4095], 0);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_READ), 0);
	assert_int_equal(vivtheap_buffer_unmap(b), 0);
	vivtheap_buffer_free(b);
	(void)state;
}

/* Each access maps to its own DMA_BUF_SYNC direction, at START and at END. */
static void test_buffer_bracket_directions(void **state)
{
	static const struct {
		unsigned int access;
		uint64_t dir;
	} cases[] = {
		{ VIVTHEAP_ACCESS_READ, DMA_BUF_SYNC_READ },
		{ VIVTHEAP_ACCESS_WRITE, DMA_BUF_SYNC_WRITE },
		{ VIVTHEAP_ACCESS_RW, DMA_BUF_SYNC_RW },
	};
	struct vivtheap_buffer *b;
	size_t i;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &b), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(vivtheap_buffer_begin(b, cases[i].access), 0);
		assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_START | cases[i].dir);
		assert_int_equal(vivtheap_buffer_end(b, cases[i].access), 0);
		assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_END | cases[i].dir);
	}
	vivtheap_buffer_free(b);
	(void)state;
}

static void test_buffer_alloc_errors(void **state)
{
	struct vivtheap_buffer *b = NULL;

	assert_int_equal(vivtheap_buffer_alloc(NULL, 4096, 0, &b), -EINVAL);
	assert_int_equal(vivtheap_buffer_alloc(heap, 0, 0, &b), -EINVAL);
	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0x80, &b), -EINVAL);
	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, NULL), -EINVAL);
	fake_fail(FAKE_IOCTL, 1, ENOMEM, 1);
	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &b), -ENOMEM);
	assert_null(b);
	(void)state;
}

/* A heap's answer is not re-checked: no fdinfo read, no lseek per alloc. */
static void test_buffer_alloc_trusts_the_heap(void **state)
{
	int checks = fake_calls(FAKE_IS_DMABUF), sizes = fake_calls(FAKE_SIZE);
	struct vivtheap_buffer *b;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4097, 0, &b), 0);
	assert_int_equal(vivtheap_buffer_size(b), 8192);
	assert_int_equal(fake_calls(FAKE_IS_DMABUF), checks);
	assert_int_equal(fake_calls(FAKE_SIZE), sizes);
	vivtheap_buffer_free(b);
	(void)state;
}

static void test_buffer_alloc_retries_eintr_eagain(void **state)
{
	struct vivtheap_buffer *b;
	int before = fake_calls(FAKE_IOCTL);

	fake_fail(FAKE_IOCTL, 1, EINTR, 2);
	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &b), 0);
	assert_int_equal(fake_calls(FAKE_IOCTL) - before, 3);
	vivtheap_buffer_free(b);
	fake_fail(FAKE_IOCTL, 1, EAGAIN, 1);
	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &b), 0);
	vivtheap_buffer_free(b);
	(void)state;
}

static void test_buffer_import(void **state)
{
	struct vivtheap_buffer *b;
	int fd = fake_make_dmabuf(3 << 20, O_RDWR);

	assert_int_equal(vivtheap_buffer_import(fd, 0, &b), 0);
	assert_int_not_equal(vivtheap_buffer_fd(b), fd);
	assert_int_equal(fake_calls(FAKE_IS_DMABUF), 1);
	assert_int_equal(vivtheap_buffer_size(b), 3 << 20);
	/* Not a vivtheap buffer: nothing more is known. */
	assert_int_equal(vivtheap_buffer_caching(b), VIVTHEAP_CACHING_UNKNOWN);
	assert_string_equal(vivtheap_buffer_heap_name(b), "");
	vivtheap_buffer_free(b);
	/* The caller still owns its fd. */
	assert_int_equal(fake_open_fds(), 2);
	assert_int_equal(__wrap_vivtheap_sys_close(fd), 0);
	(void)state;
}

static void test_buffer_import_learns_ours(void **state)
{
	struct vivtheap_buffer *a, *b;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &a), 0);
	assert_int_equal(vivtheap_buffer_import(vivtheap_buffer_fd(a), 0, &b), 0);
	assert_int_equal(vivtheap_buffer_caching(b), VIVTHEAP_CACHING_WC);
	assert_string_equal(vivtheap_buffer_heap_name(b), "vivtheap-wc");
	vivtheap_buffer_free(b);
	vivtheap_buffer_free(a);
	(void)state;
}

/* A buffer of vivtheap's cached heap says so, allocated and imported. */
static void test_buffer_cached_heap_says_cached(void **state)
{
	struct vivtheap_buffer *a, *b;
	struct vivtheap_heap *c;

	fake_add_heap(VIVTHEAP_HEAP_CACHED_NAME, 1, VIVTHEAP_CACHE_CACHED);
	assert_int_equal(vivtheap_heap_open(VIVTHEAP_HEAP_CACHED_NAME, &c), 0);
	assert_int_equal(vivtheap_heap_caching(c), VIVTHEAP_CACHING_CACHED);
	assert_int_equal(vivtheap_buffer_alloc(c, 4096, 0, &a), 0);
	assert_int_equal(vivtheap_buffer_caching(a), VIVTHEAP_CACHING_CACHED);
	assert_int_equal(vivtheap_buffer_import(vivtheap_buffer_fd(a), 0, &b), 0);
	assert_int_equal(vivtheap_buffer_caching(b), VIVTHEAP_CACHING_CACHED);
	assert_string_equal(vivtheap_buffer_heap_name(b), VIVTHEAP_HEAP_CACHED_NAME);
	assert_string_equal(vivtheap_caching_name(vivtheap_buffer_caching(b)), "cached");
	vivtheap_buffer_free(b);
	vivtheap_buffer_free(a);
	vivtheap_heap_close(c);
	(void)state;
}

static void test_buffer_import_errors(void **state)
{
	struct vivtheap_buffer *b = NULL;

	assert_int_equal(vivtheap_buffer_import(-1, 0, &b), -EBADF);
	assert_int_equal(vivtheap_buffer_import(1234, 0, &b), -EBADF);
	assert_int_equal(vivtheap_buffer_import(3, 0x40, &b), -EINVAL);
	assert_int_equal(vivtheap_buffer_import(3, 0, NULL), -EINVAL);
	(void)state;
}

/* A heap fd is not a dma-buf: EINVAL, and the dup is closed. */
static void test_buffer_import_refuses_a_heap_fd(void **state)
{
	int hfd = __wrap_vivtheap_sys_open("/dev/dma_heap/system", O_RDONLY);
	struct vivtheap_buffer *b = NULL;

	assert_true(hfd >= 0);
	assert_int_equal(vivtheap_buffer_import(hfd, 0, &b), -EINVAL);
	assert_null(b);
	assert_int_equal(__wrap_vivtheap_sys_close(hfd), 0);
	(void)state;
}

/* Each step of an import that fails gives its error and closes the dup
 * (the fixture's teardown counts the fds). */
static void test_buffer_import_unwinds_each_step(void **state)
{
	int fd = fake_make_dmabuf(4096, O_RDWR);
	struct vivtheap_buffer *b = NULL;

	fake_fail(FAKE_DUP, 1, EMFILE, 1);
	assert_int_equal(vivtheap_buffer_import(fd, 0, &b), -EMFILE);
	assert_null(b);
	/* no /proc to tell a dma-buf */
	fake_fail(FAKE_IS_DMABUF, 1, ENOENT, 1);
	assert_int_equal(vivtheap_buffer_import(fd, 0, &b), -ENOENT);
	assert_null(b);
	/* the size query fails */
	fake_fail(FAKE_SIZE, 1, EIO, 1);
	assert_int_equal(vivtheap_buffer_import(fd, 0, &b), -EIO);
	assert_null(b);
	assert_int_equal(__wrap_vivtheap_sys_close(fd), 0);
	(void)state;
}

static void test_buffer_map_is_lazy_and_counted(void **state)
{
	struct vivtheap_buffer *b;
	void *p, *q;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &b), 0);
	assert_int_equal(fake_mappings(), 0);
	assert_int_equal(vivtheap_buffer_map(b, &p), 0);
	assert_int_equal(vivtheap_buffer_map(b, &q), 0);
	assert_ptr_equal(p, q);
	assert_int_equal(fake_mappings(), 1);
	assert_int_equal(vivtheap_buffer_unmap(b), 0);
	assert_int_equal(fake_mappings(), 1);
	assert_int_equal(vivtheap_buffer_unmap(b), 0);
	assert_int_equal(fake_mappings(), 0);
	assert_int_equal(vivtheap_buffer_unmap(b), -EPERM);
	/* free unmaps what is still mapped */
	assert_int_equal(vivtheap_buffer_map(b, &p), 0);
	vivtheap_buffer_free(b);
	(void)state;
}

static void test_buffer_map_errors(void **state)
{
	struct vivtheap_buffer *b;
	void *p = NULL;

	assert_int_equal(vivtheap_buffer_map(NULL, &p), -EINVAL);
	assert_int_equal(vivtheap_buffer_unmap(NULL), -EINVAL);
	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &b), 0);
	assert_int_equal(vivtheap_buffer_map(b, NULL), -EINVAL);
	fake_fail(FAKE_MMAP, 1, ENOMEM, 1);
	assert_int_equal(vivtheap_buffer_map(b, &p), -ENOMEM);
	assert_null(p);
	/* and a later map works */
	assert_int_equal(vivtheap_buffer_map(b, &p), 0);
	assert_int_equal(vivtheap_buffer_unmap(b), 0);
	vivtheap_buffer_free(b);
	(void)state;
}

static void test_buffer_brackets(void **state)
{
	struct vivtheap_buffer *b;
	int before;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &b), 0);
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_RW), 0);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	/* a second bracket is refused, as is a mismatched end */
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_READ), -EBUSY);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_READ), -EINVAL);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_RW), 0);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	/* unbalanced end */
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_RW), -EPERM);
	/* bad access values */
	assert_int_equal(vivtheap_buffer_begin(b, 0), -EINVAL);
	assert_int_equal(vivtheap_buffer_begin(b, 4), -EINVAL);
	assert_int_equal(vivtheap_buffer_end(b, 0), -EINVAL);
	assert_int_equal(vivtheap_buffer_begin(NULL, 1), -EINVAL);
	assert_int_equal(vivtheap_buffer_end(NULL, 1), -EINVAL);
	/* EINTR and EAGAIN are retried */
	before = fake_syncs();
	fake_fail(FAKE_IOCTL, 1, EINTR, 3);
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_WRITE), 0);
	fake_fail(FAKE_IOCTL, 1, EAGAIN, 2);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_WRITE), 0);
	assert_int_equal(fake_syncs() - before, 2);
	/* another error is not, and leaves no bracket open */
	fake_fail(FAKE_IOCTL, 1, EIO, 1);
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_READ), -EIO);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_READ), -EPERM);
	/* an END that fails still closes the bracket */
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_READ), 0);
	fake_fail(FAKE_IOCTL, 1, EIO, 1);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_READ), -EIO);
	assert_int_equal(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_READ), 0);
	assert_int_equal(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_READ), 0);
	vivtheap_buffer_free(b);
	(void)state;
}

static void test_buffer_set_name(void **state)
{
	struct vivtheap_buffer *b;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &b), 0);
	assert_int_equal(vivtheap_buffer_set_name(b, "frame-7"), 0);
	assert_string_equal(fake_last_name(), "frame-7");
	assert_int_equal(vivtheap_buffer_set_name(b, NULL), -EINVAL);
	assert_int_equal(vivtheap_buffer_set_name(NULL, "x"), -EINVAL);
	fake_fail(FAKE_IOCTL, 1, EBUSY, 1);
	assert_int_equal(vivtheap_buffer_set_name(b, "y"), -EBUSY);
	vivtheap_buffer_free(b);
	(void)state;
}

NULL_CALL(vivtheap_buffer_fd, NULL)
NULL_CALL(vivtheap_buffer_size, NULL)
NULL_CALL(vivtheap_buffer_caching, NULL)
NULL_CALL(vivtheap_buffer_heap_name, NULL)

static void test_buffer_getters_assert_on_null(void **state)
{
	static const struct null_getter getters[] = {
		NULL_GETTER(vivtheap_buffer_fd),
		NULL_GETTER(vivtheap_buffer_size),
		NULL_GETTER(vivtheap_buffer_caching),
		NULL_GETTER(vivtheap_buffer_heap_name),
	};

	assert_getters_abort(getters, sizeof(getters) / sizeof(getters[0]));
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fixture_teardown)
		T(test_buffer_alloc_reports_what_it_is),
		T(test_buffer_alloc_readonly),
		T(test_buffer_alloc_errors),
		T(test_buffer_alloc_trusts_the_heap),
		T(test_buffer_alloc_retries_eintr_eagain),
		T(test_buffer_import),
		T(test_buffer_import_learns_ours),
		T(test_buffer_cached_heap_says_cached),
		T(test_buffer_import_errors),
		T(test_buffer_import_refuses_a_heap_fd),
		T(test_buffer_import_unwinds_each_step),
		T(test_buffer_map_is_lazy_and_counted),
		T(test_buffer_map_errors),
		T(test_buffer_brackets),
		T(test_buffer_bracket_directions),
		T(test_buffer_set_name),
		T(test_buffer_getters_assert_on_null),
	};

	return cmocka_run_group_tests_name("buffer", tests, NULL, NULL);
}
