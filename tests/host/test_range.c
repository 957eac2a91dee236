// SPDX-License-Identifier: MIT
/* libvivtheap ranged brackets: the control node's ranged sync, the bracket rules, every errno, the range checks, the whole-buffer fallback. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <linux/dma-buf.h>
#include <linux/vivtheap.h>
#include <vivtheap.h>

#include "fixture.h"

int __wrap_vivtheap_sys_close(int fd);

#define SIZE 16384

static struct vivtheap_buffer *buf;

static int setup(void **state)
{
	fixture_open_heap(VIVTHEAP_HEAP_CACHED_NAME, VIVTHEAP_CACHE_CACHED);
	assert_int_equal(vivtheap_buffer_alloc(heap, SIZE, 0, &buf), 0);
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	vivtheap_buffer_free(buf);
	buf = NULL;
	return fixture_teardown(state);
}

/* The last ranged sync the control node took was this one. */
static void assert_range(uint32_t flags, uint64_t offset, uint64_t length)
{
	uint32_t f;
	uint64_t o, l;

	fake_last_range(&f, &o, &l);
	assert_int_equal(f, flags);
	assert_int_equal(o, offset);
	assert_int_equal(l, length);
}

/* A ranged pair on b that reached the kernel as DMA_BUF_IOCTL_SYNC on the
 * whole buffer, START and END, in direction dir. */
static void assert_whole_pair(struct vivtheap_buffer *b, unsigned int access,
			      uint64_t dir, size_t offset, size_t length)
{
	assert_int_equal(vivtheap_buffer_begin_range(b, access, offset, length), 0);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_START | dir);
	assert_int_equal(vivtheap_buffer_end_range(b, access, offset, length), 0);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_END | dir);
}

/* Each access goes to the control node with its direction and the range
 * as given (the kernel widens it to pages, not the library); no
 * whole-buffer DMA_BUF_IOCTL_SYNC. */
static void test_range_reaches_the_control_node(void **state)
{
	static const struct {
		unsigned int access;
		uint32_t dir;
	} cases[] = {
		{ VIVTHEAP_ACCESS_READ, VIVTHEAP_SYNC_READ },
		{ VIVTHEAP_ACCESS_WRITE, VIVTHEAP_SYNC_WRITE },
		{ VIVTHEAP_ACCESS_RW, VIVTHEAP_SYNC_RW },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(vivtheap_buffer_begin_range(buf, cases[i].access, 5000, 3000), 0);
		assert_range(VIVTHEAP_SYNC_START | cases[i].dir, 5000, 3000);
		assert_int_equal(vivtheap_buffer_end_range(buf, cases[i].access, 5000, 3000), 0);
		assert_range(VIVTHEAP_SYNC_END | cases[i].dir, 5000, 3000);
	}
	assert_int_equal(fake_range_syncs(), 6);
	assert_int_equal(fake_syncs(), 0);
	(void)state;
}

/* The control node is opened at the first ranged bracket, kept, and
 * closed by vivtheap_buffer_free() (the teardown counts the fds). */
static void test_range_opens_the_control_node_once(void **state)
{
	int opens = fake_calls(FAKE_OPEN), fds = fake_open_fds();

	assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_WRITE, 0, 1), 0);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_WRITE, 0, 1), 0);
	assert_int_equal(fake_calls(FAKE_OPEN) - opens, 1);
	assert_int_equal(fake_open_fds() - fds, 1);
	assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_READ, 8192, 8192), 0);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_READ, 8192, 8192), 0);
	assert_int_equal(fake_calls(FAKE_OPEN) - opens, 1);
	/* Whole-buffer brackets do not need it. */
	assert_int_equal(vivtheap_buffer_begin(buf, VIVTHEAP_ACCESS_RW), 0);
	assert_int_equal(vivtheap_buffer_end(buf, VIVTHEAP_ACCESS_RW), 0);
	assert_int_equal(fake_syncs(), 2);
	assert_int_equal(fake_range_syncs(), 4);
	(void)state;
}

/* Empty, outside, overflowing: -EINVAL before any system call, for begin
 * and for end alike; the edges of the buffer are inside. */
static void test_range_checks_the_range_first(void **state)
{
	static const struct {
		size_t offset, length;
	} bad[] = {
		{ 0, 0 },
		{ 100, 0 },
		{ SIZE, 1 },
		{ SIZE - 1, 2 },
		{ 0, SIZE + 1 },
		{ SIZE + 4096, 4096 },
		{ SIZE_MAX, 1 },
		{ SIZE_MAX, 2 },        /* offset + length wraps to 1 */
		{ SIZE_MAX - 4095, 8192 }, /* wraps to 4096 */
		{ 4096, SIZE_MAX },     /* wraps to 4095 */
		{ 1, SIZE_MAX },        /* wraps to 0 */
		{ SIZE_MAX, SIZE_MAX },
	};
	int opens = fake_calls(FAKE_OPEN), ioctls = fake_calls(FAKE_IOCTL);
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_RW,
							     bad[i].offset, bad[i].length), -EINVAL);
		assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW,
							   bad[i].offset, bad[i].length), -EINVAL);
	}
	assert_int_equal(vivtheap_buffer_begin_range(NULL, VIVTHEAP_ACCESS_RW, 0, 1), -EINVAL);
	assert_int_equal(vivtheap_buffer_end_range(NULL, VIVTHEAP_ACCESS_RW, 0, 1), -EINVAL);
	assert_int_equal(vivtheap_buffer_begin_range(buf, 0, 0, 1), -EINVAL);
	assert_int_equal(vivtheap_buffer_begin_range(buf, 4, 0, 1), -EINVAL);
	assert_int_equal(vivtheap_buffer_end_range(buf, 0, 0, 1), -EINVAL);
	assert_int_equal(vivtheap_buffer_end_range(buf, 8, 0, 1), -EINVAL);
	assert_int_equal(fake_calls(FAKE_OPEN), opens);
	assert_int_equal(fake_calls(FAKE_IOCTL), ioctls);
	/* The last byte, and the whole buffer as a range. */
	assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_RW, SIZE - 1, 1), 0);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW, SIZE - 1, 1), 0);
	assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_RW, 0, SIZE), 0);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW, 0, SIZE), 0);
	assert_int_equal(fake_range_syncs(), 4);
	(void)state;
}

/* One bracket at a time, whole or ranged; an end must match its begin's
 * kind, access and range, and a mismatch leaves the bracket open. */
static void test_range_bracket_rules(void **state)
{
	int ranged;

	assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_RW, 4096, 100), 0);
	assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_RW, 0, 100), -EBUSY);
	assert_int_equal(vivtheap_buffer_begin(buf, VIVTHEAP_ACCESS_RW), -EBUSY);
	ranged = fake_range_syncs();
	assert_int_equal(vivtheap_buffer_end(buf, VIVTHEAP_ACCESS_RW), -EINVAL);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_READ, 4096, 100), -EINVAL);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW, 4097, 100), -EINVAL);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW, 4096, 99), -EINVAL);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW, 0, SIZE), -EINVAL);
	assert_int_equal(fake_range_syncs(), ranged);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW, 4096, 100), 0);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW, 4096, 100), -EPERM);
	/* A whole-buffer bracket is not ended by a range, even the whole one. */
	assert_int_equal(vivtheap_buffer_begin(buf, VIVTHEAP_ACCESS_WRITE), 0);
	assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_WRITE, 0, 1), -EBUSY);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_WRITE, 0, SIZE), -EINVAL);
	assert_int_equal(vivtheap_buffer_end(buf, VIVTHEAP_ACCESS_WRITE), 0);
	(void)state;
}

static void test_range_readonly_buffer(void **state)
{
	struct vivtheap_buffer *ro;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, VIVTHEAP_BUFFER_READONLY, &ro), 0);
	assert_int_equal(vivtheap_buffer_begin_range(ro, VIVTHEAP_ACCESS_WRITE, 0, 1), -EACCES);
	assert_int_equal(vivtheap_buffer_begin_range(ro, VIVTHEAP_ACCESS_RW, 0, 1), -EACCES);
	assert_int_equal(vivtheap_buffer_begin_range(ro, VIVTHEAP_ACCESS_READ, 0, 1), 0);
	assert_int_equal(vivtheap_buffer_end_range(ro, VIVTHEAP_ACCESS_READ, 0, 1), 0);
	vivtheap_buffer_free(ro);
	(void)state;
}

/* EINTR (a signal while the kernel waits for the fences) and EAGAIN are
 * retried, at START and at END. */
static void test_range_retries_eintr_eagain(void **state)
{
	int ioctls;

	/* Open the control node first, so that only ioctls are counted. */
	assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_RW, 0, 1), 0);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW, 0, 1), 0);
	ioctls = fake_calls(FAKE_IOCTL);
	fake_fail(FAKE_IOCTL, 1, EINTR, 3);
	assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_WRITE, 8000, 10), 0);
	assert_int_equal(fake_calls(FAKE_IOCTL) - ioctls, 4);
	fake_fail(FAKE_IOCTL, 1, EAGAIN, 2);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_WRITE, 8000, 10), 0);
	assert_int_equal(fake_calls(FAKE_IOCTL) - ioctls, 7);
	assert_int_equal(fake_range_syncs(), 4);
	(void)state;
}

/* The kernel's other errors come back as they are: at START no bracket is
 * open; at END the bracket is closed all the same. */
static void test_range_kernel_errors(void **state)
{
	static const int errs[] = { EBADF, EINVAL, EFAULT, EIO };
	size_t i;

	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		fake_fail(FAKE_IOCTL, 1, errs[i], 1);
		assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_RW, 0, 4096),
				 -errs[i]);
		assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW, 0, 4096), -EPERM);
		assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_RW, 0, 4096), 0);
		fake_fail(FAKE_IOCTL, 1, errs[i], 1);
		assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW, 0, 4096),
				 -errs[i]);
		assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_RW, 0, 4096), -EPERM);
	}
	/* None of them was taken for "not vivtheap's": no whole-buffer sync. */
	assert_int_equal(fake_syncs(), 0);
	(void)state;
}

/* No control node (no vivtheap module): the whole buffer, every time,
 * without asking again; the bracket's rules are the same. */
static void test_range_falls_back_without_control_node(void **state)
{
	int opens;

	fake_set_ctl(0);
	opens = fake_calls(FAKE_OPEN);
	assert_int_equal(vivtheap_buffer_begin_range(buf, VIVTHEAP_ACCESS_READ, 100, 200), 0);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	assert_int_equal(vivtheap_buffer_end(buf, VIVTHEAP_ACCESS_READ), -EINVAL);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_READ, 100, 201), -EINVAL);
	assert_int_equal(vivtheap_buffer_end_range(buf, VIVTHEAP_ACCESS_READ, 100, 200), 0);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	assert_whole_pair(buf, VIVTHEAP_ACCESS_WRITE, DMA_BUF_SYNC_WRITE, 0, 1);
	assert_int_equal(fake_calls(FAKE_OPEN) - opens, 1);
	assert_int_equal(fake_syncs(), 4);
	assert_int_equal(fake_range_syncs(), 0);
	(void)state;
}

/* A dma-buf that is not vivtheap's (ENODEV from the control node): the
 * whole buffer, and the control node is closed and not asked again. */
static void test_range_falls_back_for_a_foreign_dmabuf(void **state)
{
	int fd = fake_make_dmabuf(8192, O_RDWR), ioctls, fds;
	struct vivtheap_buffer *b;

	assert_int_equal(vivtheap_buffer_import(fd, 0, &b), 0);
	fds = fake_open_fds();
	ioctls = fake_calls(FAKE_IOCTL);
	assert_int_equal(vivtheap_buffer_begin_range(b, VIVTHEAP_ACCESS_WRITE, 4096, 4096), 0);
	/* SYNC_RANGE (ENODEV), then DMA_BUF_IOCTL_SYNC */
	assert_int_equal(fake_calls(FAKE_IOCTL) - ioctls, 2);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	assert_int_equal(fake_open_fds(), fds);
	assert_int_equal(vivtheap_buffer_end_range(b, VIVTHEAP_ACCESS_WRITE, 4096, 4096), 0);
	assert_int_equal(fake_last_sync(), DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	assert_whole_pair(b, VIVTHEAP_ACCESS_READ, DMA_BUF_SYNC_READ, 0, 8192);
	assert_int_equal(fake_calls(FAKE_IOCTL) - ioctls, 5);
	assert_int_equal(fake_range_syncs(), 0);
	assert_int_equal(fake_syncs(), 4);
	vivtheap_buffer_free(b);
	assert_int_equal(__wrap_vivtheap_sys_close(fd), 0);
	(void)state;
}

/* A module from before the ranged sync (ENOTTY): the whole buffer. */
static void test_range_falls_back_on_an_older_module(void **state)
{
	fake_set_ctl_old(1);
	assert_whole_pair(buf, VIVTHEAP_ACCESS_RW, DMA_BUF_SYNC_RW, 1, 2);
	assert_whole_pair(buf, VIVTHEAP_ACCESS_READ, DMA_BUF_SYNC_READ, SIZE - 1, 1);
	assert_int_equal(fake_syncs(), 4);
	assert_int_equal(fake_range_syncs(), 0);
	(void)state;
}

/* A buffer freed inside a ranged bracket still closes everything. */
static void test_range_free_inside_a_bracket(void **state)
{
	struct vivtheap_buffer *b;
	void *p;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &b), 0);
	assert_int_equal(vivtheap_buffer_map(b, &p), 0);
	assert_int_equal(vivtheap_buffer_begin_range(b, VIVTHEAP_ACCESS_WRITE, 0, 10), 0);
	((char *)p)[9] = 1;
	assert_int_equal(vivtheap_buffer_end_range(b, VIVTHEAP_ACCESS_WRITE, 0, 10), 0);
	assert_int_equal(vivtheap_buffer_begin_range(b, VIVTHEAP_ACCESS_READ, 0, 10), 0);
	vivtheap_buffer_free(b);
	/* Unmapped, the fds closed (the teardown counts them); the kernel
	 * ends the last bracket when the dma-buf goes. */
	assert_int_equal(fake_mappings(), 0);
	assert_int_equal(fake_range_syncs(), 3);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_range_reaches_the_control_node),
		T(test_range_opens_the_control_node_once),
		T(test_range_checks_the_range_first),
		T(test_range_bracket_rules),
		T(test_range_readonly_buffer),
		T(test_range_retries_eintr_eagain),
		T(test_range_kernel_errors),
		T(test_range_falls_back_without_control_node),
		T(test_range_falls_back_for_a_foreign_dmabuf),
		T(test_range_falls_back_on_an_older_module),
		T(test_range_free_inside_a_bracket),
	};

	return cmocka_run_group_tests_name("range", tests, NULL, NULL);
}
