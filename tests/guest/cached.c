// SPDX-License-Identifier: MIT
/* The cached heap's maintenance, counted: a begin of any direction invalidates every alias that can hold lines and cleans nothing, a read end does nothing, a write end cleans the kernel alias and the user mappings of the process that can hold lines (VIVT: its own only, a fork's or a split's pieces included, another process's never); a fresh buffer's zeroes are cleaned; VIVTHEAP_IOC_SYNC_RANGE maintains only the pages of its range, and refuses bad input with the documented errno. */
#include <sys/wait.h>
#include <drm/drm.h>
#include <drm/drm_mode.h>

#include "gt.h"
#include "gt_vgem.h"

#define HEAP VIVTHEAP_HEAP_CACHED_NAME
#define SIZE (64 * 4096UL)
#define DRAIN_POOLS "/sys/kernel/debug/vivtheap/drain_pools"

static long page;
static int aliases;	/* the data cache aliases: every user mapping counts */

static const char *const names[] = {
	"inval_kernel_bytes", "inval_user_bytes",
	"clean_kernel_bytes", "clean_user_bytes",
};

struct snap {
	long long v[4];
};

static void take(struct snap *s)
{
	for (int i = 0; i < 4; i++)
		s->v[i] = gt_stat(HEAP, names[i]);
}

/* What the CPU is, from /proc/cpuinfo: ARMv5 is VIVT, ARMv7 PIPT-like. */
static int cache_aliases(void)
{
	int arch = gt_cpu_arch();

	if (arch == 5 || arch == 4)
		return 1;
	if (arch == 7)
		return 0;
	FAIL("CPU architecture %d: which caches alias is not known here", arch);
}

/*
 * Run one sync (whole buffer with DMA_BUF_IOCTL_SYNC, or a range through
 * the control node) and check each counter moved by exactly what is wanted:
 * {inval_kernel, inval_user, clean_kernel, clean_user}.
 */
static void expect(const char *what, int ctl, int fd, uint32_t flags,
		   uint64_t off, uint64_t len, const long long want[4])
{
	struct snap a, b;

	take(&a);
	if (ctl < 0) {
		CHECK(gt_sync(fd, flags) == 0);
	} else {
		struct vivtheap_ioc_sync_range r = {
			.fd = fd, .flags = flags, .offset = off, .length = len,
		};

		CHECK(ioctl(ctl, VIVTHEAP_IOC_SYNC_RANGE, &r) == 0);
	}
	take(&b);
	for (int i = 0; i < 4; i++)
		if (b.v[i] - a.v[i] != want[i])
			FAIL("%s: %s moved by %lld, want %lld", what, names[i],
			     b.v[i] - a.v[i], want[i]);
	printf("%s: inval %lld/%lld clean %lld/%lld (kernel/user) ok\n", what,
	       want[0], want[1], want[2], want[3]);
}

/* The user part of a maintenance: @bytes where the cache aliases, else 0. */
static long long u(long long bytes)
{
	return aliases ? bytes : 0;
}

/* Whole-buffer brackets, each direction, with one mapping of @mapped bytes. */
static void whole(int fd, long long mapped)
{
	const long long begin_r[4] = { SIZE, u(mapped), 0, 0 };
	/* a writer's old lines would be written back whole: invalidated too */
	const long long begin_w[4] = { SIZE, u(mapped), 0, 0 };
	const long long end_r[4] = { 0, 0, 0, 0 };
	const long long end_w[4] = { 0, 0, SIZE, u(mapped) };

	expect("begin read", -1, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, 0, begin_r);
	expect("end read", -1, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, 0, 0, end_r);
	expect("begin write", -1, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE, 0, 0, begin_w);
	expect("end write", -1, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE, 0, 0, end_w);
	expect("begin rw", -1, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW, 0, 0, begin_r);
	expect("end rw", -1, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW, 0, 0, end_w);
}

static void ranged(int ctl, int fd)
{
	/* [5000, 75000) touches pages 1..18: 18 pages. */
	const long long span = 18 * page;
	const long long br[4] = { span, u(span), 0, 0 };
	const long long ew[4] = { 0, 0, span, u(span) };
	const long long er[4] = { 0, 0, 0, 0 };
	/* The last byte only: one page. */
	const long long last[4] = { page, u(page), 0, 0 };

	expect("range begin read", ctl, fd, VIVTHEAP_SYNC_START | VIVTHEAP_SYNC_READ,
	       5000, 70000, br);
	expect("range end read", ctl, fd, VIVTHEAP_SYNC_END | VIVTHEAP_SYNC_READ,
	       5000, 70000, er);
	expect("range begin rw", ctl, fd, VIVTHEAP_SYNC_START | VIVTHEAP_SYNC_RW,
	       5000, 70000, br);
	expect("range end rw", ctl, fd, VIVTHEAP_SYNC_END | VIVTHEAP_SYNC_RW,
	       5000, 70000, ew);
	expect("range last byte", ctl, fd, VIVTHEAP_SYNC_START | VIVTHEAP_SYNC_READ,
	       SIZE - 1, 1, last);
	CHECK(ioctl(ctl, VIVTHEAP_IOC_SYNC_RANGE, &(struct vivtheap_ioc_sync_range){
		.fd = fd, .flags = VIVTHEAP_SYNC_END | VIVTHEAP_SYNC_READ,
		.offset = SIZE - 1, .length = 1 }) == 0);
}

static void range_errno(int ctl, uint32_t fd, uint32_t flags, uint64_t off,
			uint64_t len, uint64_t reserved, int want, const char *what)
{
	struct vivtheap_ioc_sync_range r = {
		.fd = fd, .flags = flags, .offset = off, .length = len,
		.reserved = { 0, reserved },
	};

	errno = 0;
	if (ioctl(ctl, VIVTHEAP_IOC_SYNC_RANGE, &r) != -1 || errno != want)
		FAIL("sync range %s: errno %d (%s), want %d (%s)", what, errno,
		     strerror(errno), want, strerror(want));
	printf("sync range %s: %s ok\n", what, strerror(want));
}

/* A dma-buf that is not vivtheap's: a vgem dumb buffer's PRIME fd. */
static int foreign_dmabuf(int *drm)
{
	struct drm_mode_create_dumb dumb = { .width = 64, .height = 64, .bpp = 32 };
	struct drm_prime_handle prime = { .flags = DRM_CLOEXEC };

	*drm = gt_open_vgem();
	if (*drm < 0)
		FAIL("no vgem device under /dev/dri (the target has vgem)");
	CHECK(ioctl(*drm, DRM_IOCTL_MODE_CREATE_DUMB, &dumb) == 0);
	prime.handle = dumb.handle;
	CHECK(ioctl(*drm, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime) == 0);
	return prime.fd;
}

static void bad_input(int ctl, int fd)
{
	const uint32_t r = VIVTHEAP_SYNC_READ;
	int drm, foreign = foreign_dmabuf(&drm), null = open("/dev/null", O_RDONLY);

	CHECK(null >= 0);
	range_errno(ctl, fd, 0, 0, 4096, 0, EINVAL, "without a direction");
	range_errno(ctl, fd, VIVTHEAP_SYNC_END, 0, 4096, 0, EINVAL, "end without a direction");
	range_errno(ctl, fd, r | 8, 0, 4096, 0, EINVAL, "with an unknown flag");
	range_errno(ctl, fd, r | 0x80000000u, 0, 4096, 0, EINVAL, "with the top flag");
	range_errno(ctl, fd, r, 0, 4096, 1, EINVAL, "with reserved set");
	range_errno(ctl, fd, r, 0, 0, 0, EINVAL, "of length 0");
	range_errno(ctl, fd, r, SIZE, 1, 0, EINVAL, "at the end");
	range_errno(ctl, fd, r, SIZE - 4096, 4097, 0, EINVAL, "past the end");
	range_errno(ctl, fd, r, UINT64_MAX - 4095, 8192, 0, EINVAL, "wrapping around");
	range_errno(ctl, fd, r, 4096, UINT64_MAX, 0, EINVAL, "of length 2^64-1");
	range_errno(ctl, (uint32_t)-1, r, 0, 4096, 0, EBADF, "of fd -1");
	range_errno(ctl, null, r, 0, 4096, 0, EINVAL, "of /dev/null");
	range_errno(ctl, foreign, r, 0, 4096, 0, ENODEV, "of a vgem dma-buf");
	close(null);
	close(foreign);
	close(drm);
}

/* A fresh buffer's zeroes are cleaned to memory, all of them, once. */
static void zeroed(int hfd)
{
	long long before, after;
	int fd;

	{
		int dfd = open(DRAIN_POOLS, O_WRONLY | O_CLOEXEC);

		CHECK(dfd >= 0 && write(dfd, "1", 1) == 1);
		close(dfd);
	}
	before = gt_stat(HEAP, "clean_zeroed_bytes");
	fd = gt_alloc(hfd, 3 * SIZE, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	after = gt_stat(HEAP, "clean_zeroed_bytes");
	if (after - before != (long long)(3 * SIZE))
		FAIL("a fresh %lu-byte buffer: %lld bytes of zeroes cleaned",
		     3 * SIZE, after - before);
	printf("fresh buffer: its %lu bytes of zeroes cleaned ok\n", 3 * SIZE);
	close(fd);
}

int main(void)
{
	int hfd, fd, ctl;
	char *map;
	pid_t pid;
	int st, pipefd[2];

	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	aliases = cache_aliases();
	printf("data cache %s\n", aliases ? "aliases (VIVT)" : "does not alias");
	hfd = gt_heap_open(HEAP);
	if (hfd < 0)
		FAIL("open heap %s: %s", HEAP, strerror(errno));
	ctl = open(VIVTHEAP_CTL_PATH, O_RDWR | O_CLOEXEC);
	CHECK(ctl >= 0);
	fd = gt_alloc(hfd, SIZE, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);

	printf("-- no user mapping\n");
	whole(fd, 0);

	printf("-- one mapping of the whole buffer\n");
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED);
	whole(fd, SIZE);
	ranged(ctl, fd);

	printf("-- split in three by mprotect: the pieces together\n");
	CHECK(mprotect(map + 8 * page, 8 * page, PROT_READ) == 0);
	whole(fd, SIZE);
	printf("-- a piece unmapped\n");
	CHECK(munmap(map + 8 * page, 8 * page) == 0);
	whole(fd, SIZE - 8 * page);
	CHECK(munmap(map, 8 * page) == 0);
	CHECK(munmap(map + 16 * page, SIZE - 16 * page) == 0);

	printf("-- a mapping of pages 4..7 only\n");
	map = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 4 * page);
	CHECK(map != MAP_FAILED);
	whole(fd, 4 * page);
	{
		const long long none[4] = { 2 * page, 0, 0, 0 };
		const long long half[4] = { 4 * page, u(2 * page), 0, 0 };

		expect("range outside the mapping", ctl, fd,
		       VIVTHEAP_SYNC_START | VIVTHEAP_SYNC_READ, 0, 2 * page, none);
		CHECK(ioctl(ctl, VIVTHEAP_IOC_SYNC_RANGE, &(struct vivtheap_ioc_sync_range){
			.fd = fd, .flags = VIVTHEAP_SYNC_END | VIVTHEAP_SYNC_READ,
			.offset = 0, .length = 2 * page }) == 0);
		expect("range half over the mapping", ctl, fd,
		       VIVTHEAP_SYNC_START | VIVTHEAP_SYNC_READ, 2 * page, 4 * page, half);
		CHECK(ioctl(ctl, VIVTHEAP_IOC_SYNC_RANGE, &(struct vivtheap_ioc_sync_range){
			.fd = fd, .flags = VIVTHEAP_SYNC_END | VIVTHEAP_SYNC_READ,
			.offset = 2 * page, .length = 4 * page }) == 0);
	}
	CHECK(munmap(map, 4 * page) == 0);

	printf("-- a mapping in another process only\n");
	{
		int up[2], down[2];
		char c;

		/*
		 * up: the child says it has mapped and written; down: the
		 * child waits for its EOF. Each side closes the ends it does
		 * not use: a child that fails gives the parent EOF, not a hang.
		 */
		CHECK(pipe(up) == 0 && pipe(down) == 0);
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			char *m;

			close(up[0]);
			close(down[1]);
			m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			if (m == MAP_FAILED)
				_exit(1);
			m[0] = 1;
			if (write(up[1], "r", 1) != 1 || read(down[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		close(up[1]);
		close(down[0]);
		CHECK(read(up[0], &c, 1) == 1);
		/* VIVT: the child's lines went at the switch to this process. */
		whole(fd, 0);
		close(down[1]);
		close(up[0]);
		CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}

	printf("-- a mapping shared with a forked child: this process's copy only\n");
	map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED);
	CHECK(pipe(pipefd) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char c;

		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[0]);
	whole(fd, SIZE);
	close(pipefd[1]);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(munmap(map, SIZE) == 0);

	bad_input(ctl, fd);
	zeroed(hfd);
	close(fd);
	close(ctl);
	close(hfd);
	printf("cached heap: maintenance counted per alias ok\n");
	return 0;
}
