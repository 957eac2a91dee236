// SPDX-License-Identifier: MIT
/* The fake kernel itself: it refuses what the kernel refuses and reports what the library must never do. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/vivtheap.h>

#include "cmocka_shim.h"
#include "fake_sys.h"

/* The seam, as the library calls it. */
int __wrap_vivtheap_sys_open(const char *path, int flags);
int __wrap_vivtheap_sys_close(int fd);
int __wrap_vivtheap_sys_ioctl(int fd, unsigned long req, void *arg);
void *__wrap_vivtheap_sys_mmap(size_t len, int prot, int fd, int *err);
int __wrap_vivtheap_sys_munmap(void *addr, size_t len);

static int heap_fd;

static int setup(void **state)
{
	fake_reset();
	fake_add_heap("h", 0, 0);
	heap_fd = __wrap_vivtheap_sys_open("/dev/dma_heap/h", O_RDONLY);
	assert_true(heap_fd >= 0);
	(void)state;
	return 0;
}

static int teardown(void **state)
{
	assert_int_equal(__wrap_vivtheap_sys_close(heap_fd), 0);
	assert_int_equal(fake_open_fds(), 0);
	(void)state;
	return 0;
}

static int alloc(uint32_t fd_flags, uint64_t heap_flags, uint32_t fd_in)
{
	struct dma_heap_allocation_data d = {
		.len = 4096, .fd = fd_in, .fd_flags = fd_flags, .heap_flags = heap_flags,
	};
	int ret = __wrap_vivtheap_sys_ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d);

	return ret ? ret : (int)d.fd;
}

static int sync_buf(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return __wrap_vivtheap_sys_ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

static void test_fake_alloc_refuses_what_the_core_refuses(void **state)
{
	assert_int_equal(alloc(O_RDWR | O_CLOEXEC, 1, 0), -EINVAL);
	assert_int_equal(alloc(O_RDWR | O_NONBLOCK, 0, 0), -EINVAL);
	assert_int_equal(alloc(O_RDWR, 0, 5), -EINVAL);
	assert_int_equal(fake_open_fds(), 1);
	(void)state;
}

/* A heap's limit: more than it is ENOMEM, up to it an fd; reset clears it. */
static void test_fake_alloc_limit(void **state)
{
	struct dma_heap_allocation_data d = { .len = 8193, .fd_flags = O_RDWR };

	fake_set_alloc_limit(8192);
	assert_int_equal(__wrap_vivtheap_sys_ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d), -ENOMEM);
	assert_int_equal(fake_open_fds(), 1);
	d.len = 8192;
	assert_int_equal(__wrap_vivtheap_sys_ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d), 0);
	assert_int_equal(__wrap_vivtheap_sys_close((int)d.fd), 0);
	fake_reset();
	fake_add_heap("h", 0, 0);
	heap_fd = __wrap_vivtheap_sys_open("/dev/dma_heap/h", O_RDONLY);
	d.len = 1 << 20;
	d.fd = 0;
	assert_int_equal(__wrap_vivtheap_sys_ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &d), 0);
	assert_int_equal(__wrap_vivtheap_sys_close((int)d.fd), 0);
	(void)state;
}

static void test_fake_sync_refuses_bad_flags(void **state)
{
	int fd = alloc(O_RDWR, 0, 0);

	assert_true(fd >= 0);
	assert_int_equal(sync_buf(fd, DMA_BUF_SYNC_START), -EINVAL);
	assert_int_equal(sync_buf(fd, DMA_BUF_SYNC_END), -EINVAL);
	assert_int_equal(sync_buf(fd, DMA_BUF_SYNC_RW | 0x100), -EINVAL);
	assert_int_equal(fake_syncs(), 0);
	assert_int_equal(fake_violations(), 0);
	assert_int_equal(__wrap_vivtheap_sys_close(fd), 0);
	(void)state;
}

static void test_fake_reports_unbalanced_brackets(void **state)
{
	int fd = alloc(O_RDWR, 0, 0);

	assert_int_equal(sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	assert_int_equal(fake_violations(), 1);
	assert_string_equal(fake_last_violation(), "END without START");
	assert_int_equal(sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE), 0);
	assert_int_equal(sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ), 0);
	assert_int_equal(fake_violations(), 2);
	assert_string_equal(fake_last_violation(), "END with another direction than its START");
	assert_int_equal(sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_int_equal(sync_buf(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ), 0);
	assert_int_equal(fake_violations(), 3);
	assert_int_equal(__wrap_vivtheap_sys_close(fd), 0);
	(void)state;
}

static int sync_range(int ctl, uint32_t fd, uint32_t flags, uint64_t offset,
		      uint64_t length, uint64_t reserved)
{
	struct vivtheap_ioc_sync_range r = {
		.fd = fd, .flags = flags, .offset = offset, .length = length,
		.reserved = { 0, reserved },
	};

	return __wrap_vivtheap_sys_ioctl(ctl, VIVTHEAP_IOC_SYNC_RANGE, &r);
}

/* The control node's ranged sync refuses with each errno of its uapi, and
 * its brackets are checked like DMA_BUF_IOCTL_SYNC's. */
static void test_fake_sync_range_refuses_what_the_uapi_refuses(void **state)
{
	int fd, foreign, ctl;

	/* Anew, with a heap of vivtheap's (the teardown closes heap_fd). */
	fake_reset();
	fake_set_ctl(1);
	fake_add_heap("h", 1, VIVTHEAP_CACHE_CACHED);
	heap_fd = __wrap_vivtheap_sys_open("/dev/dma_heap/h", O_RDONLY);
	foreign = fake_make_dmabuf(4096, O_RDWR);
	fd = alloc(O_RDWR, 0, 0);
	ctl = __wrap_vivtheap_sys_open(VIVTHEAP_CTL_PATH, O_RDWR);
	assert_true(ctl >= 0);
	assert_int_equal(sync_range(ctl, 999, VIVTHEAP_SYNC_RW, 0, 1, 0), -EBADF);
	assert_int_equal(sync_range(ctl, (uint32_t)heap_fd, VIVTHEAP_SYNC_RW, 0, 1, 0), -EINVAL);
	assert_int_equal(sync_range(ctl, (uint32_t)fd, VIVTHEAP_SYNC_START, 0, 1, 0), -EINVAL);
	assert_int_equal(sync_range(ctl, (uint32_t)fd, VIVTHEAP_SYNC_RW | 8, 0, 1, 0), -EINVAL);
	assert_int_equal(sync_range(ctl, (uint32_t)fd, VIVTHEAP_SYNC_RW, 0, 1, 1), -EINVAL);
	assert_int_equal(sync_range(ctl, (uint32_t)fd, VIVTHEAP_SYNC_RW, 0, 0, 0), -EINVAL);
	assert_int_equal(sync_range(ctl, (uint32_t)fd, VIVTHEAP_SYNC_RW, 4096, 1, 0), -EINVAL);
	assert_int_equal(sync_range(ctl, (uint32_t)fd, VIVTHEAP_SYNC_RW, UINT64_MAX, 2, 0), -EINVAL);
	assert_int_equal(sync_range(ctl, (uint32_t)foreign, VIVTHEAP_SYNC_RW, 0, 1, 0), -ENODEV);
	assert_int_equal(fake_range_syncs(), 0);
	assert_int_equal(fake_violations(), 0);
	/* a ranged START ended with another range, or by DMA_BUF_IOCTL_SYNC */
	assert_int_equal(sync_range(ctl, (uint32_t)fd, VIVTHEAP_SYNC_RW, 0, 4096, 0), 0);
	assert_int_equal(sync_range(ctl, (uint32_t)fd, VIVTHEAP_SYNC_END | VIVTHEAP_SYNC_RW, 0, 10, 0), 0);
	assert_string_equal(fake_last_violation(), "END with another range than its START");
	assert_int_equal(sync_range(ctl, (uint32_t)fd, VIVTHEAP_SYNC_RW, 0, 4096, 0), 0);
	assert_int_equal(sync_buf(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW), 0);
	assert_string_equal(fake_last_violation(), "END through another ioctl than its START");
	assert_int_equal(fake_violations(), 2);
	assert_int_equal(fake_range_syncs(), 3);
	fake_set_ctl_old(1);
	assert_int_equal(sync_range(ctl, (uint32_t)fd, VIVTHEAP_SYNC_RW, 0, 1, 0), -ENOTTY);
	assert_int_equal(__wrap_vivtheap_sys_close(ctl), 0);
	assert_int_equal(__wrap_vivtheap_sys_close(foreign), 0);
	assert_int_equal(__wrap_vivtheap_sys_close(fd), 0);
	(void)state;
}

static void test_fake_mmap_follows_the_fd_mode(void **state)
{
	int ro = alloc(O_RDONLY, 0, 0), err = 0;
	void *p;

	p = __wrap_vivtheap_sys_mmap(4096, PROT_READ | PROT_WRITE, ro, &err);
	assert_true(p == MAP_FAILED);
	assert_int_equal(err, -EACCES);
	p = __wrap_vivtheap_sys_mmap(4096, PROT_READ, ro, &err);
	assert_int_equal(err, 0);
	assert_int_equal(fake_mappings(), 1);
	/* only what was mapped can be unmapped, whole */
	assert_int_equal(__wrap_vivtheap_sys_munmap((char *)p + 4096, 4096), -EINVAL);
	assert_int_equal(fake_violations(), 1);
	assert_int_equal(fake_mappings(), 1);
	assert_int_equal(__wrap_vivtheap_sys_munmap(p, 4096), 0);
	assert_int_equal(fake_mappings(), 0);
	p = __wrap_vivtheap_sys_mmap(8192, PROT_READ, ro, &err);
	assert_int_equal(err, -EINVAL);
	assert_int_equal(__wrap_vivtheap_sys_close(ro), 0);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_fake_alloc_refuses_what_the_core_refuses),
		T(test_fake_alloc_limit),
		T(test_fake_sync_refuses_bad_flags),
		T(test_fake_reports_unbalanced_brackets),
		T(test_fake_mmap_follows_the_fd_mode),
		T(test_fake_sync_range_refuses_what_the_uapi_refuses),
	};

	return cmocka_run_group_tests_name("fake", tests, NULL, NULL);
}
