// SPDX-License-Identifier: MIT
/*
 * Fault injection at every allocation site a path reaches (issue 9 §2):
 * for each path, with N = 1, 2, ... the N-th fault-injection point this
 * task reaches fails (/proc/thread-self/fail-nth: failslab and
 * fail_page_alloc, made to include sleeping and highmem allocations and
 * to print nothing), until the path runs without reaching an N-th point.
 * After every try: the path either failed with a documented errno (ENOMEM;
 * what the path documents besides) or succeeded and its buffer works; the
 * dma-buf count and the CMA pages are back where they were; the same path
 * then succeeds without a fault. The runner adds: no kernel warning, no
 * kmemleak report. Prints the number of sites each path reached.
 *
 * Module init is swept by init_faults.c.
 *
 * Needs CONFIG_FAULT_INJECTION_DEBUG_FS, FAILSLAB and FAIL_PAGE_ALLOC (the
 * vivt targets); skips, saying so, where the kernel has none (Debian's
 * armmp), unless the target promises them (vivtheap.expect=faults).
 */
#include "gt.h"
#include <sys/syscall.h>

#include "gt_fd.h"
#include "gt_kstate.h"

#define DBG GT_DBG
#define BUFINFO DBG "/dma_buf/bufinfo"
#define OP_FILE DBG "/vivtheap_test/op"
#define MAX_N 400
#define SIZE (64 * 1024)

static int nth_fd = -1;

/* A debugfs file, for the record of a failure. */
static void dump(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	printf("%s:\n", path);
	while (fgets(line, sizeof(line), f))
		printf("  %s", line);
	fclose(f);
}

/* This process's mappings of dma-bufs: one left by a failed mmap? */
static void dump_maps(void)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return;
	printf("dma-buf mappings of this process:\n");
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "dmabuf"))
			printf("  %s", line);
	fclose(f);
}

/* Arms the N-th fault of this task (0: none). */
static void fail_nth(int n)
{
	char v[16];
	int len = snprintf(v, sizeof(v), "%d", n);

	if (pwrite(nth_fd, v, (size_t)len, 0) != len)
		FAIL("fail-nth %d: %s", n, strerror(errno));
}

/* What is left of the armed count: non-zero if the N-th point was never reached. */
static int fail_nth_left(void)
{
	char v[16] = "";
	ssize_t r = pread(nth_fd, v, sizeof(v) - 1, 0);

	CHECK(r > 0);
	return atoi(v);
}

static void importer(const char *op, int fd)
{
	char line[64];
	int f = open(OP_FILE, O_WRONLY | O_CLOEXEC);
	int n = snprintf(line, sizeof(line), "%s %d 1", op, fd);

	CHECK(f >= 0);
	if (write(f, line, (size_t)n) != n)
		FAIL("importer %s: %s", line, strerror(errno));
	close(f);
}

/* A buffer that works: mapped, written and read back, seen by the importer. */
static void works(int fd)
{
	volatile uint32_t *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	CHECK(p != MAP_FAILED);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0);
	for (uint32_t i = 0; i < SIZE / 4; i++)
		p[i] = 1 + i;
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0);
	importer("dev-read", fd);
	CHECK(munmap((void *)p, SIZE) == 0);
}

/*
 * One path: prepare() outside the fault (may return a buffer fd), run() with
 * the N-th fault armed (returns 0 or -errno; may set *out to a new fd).
 */
struct path {
	const char *name;
	const char *heap;
	int (*run)(int hfd, int in, int *out);
	int pooled;		/* a buffer of SIZE freed first, so the pool serves it */
	int needs_buf;		/* run() acts on a buffer made beforehand */
	const int *errnos;	/* besides ENOMEM */
};

static int run_alloc(int hfd, int in, int *out)
{
	int fd = gt_alloc(hfd, SIZE, O_RDWR | O_CLOEXEC);

	(void)in;
	if (fd < 0)
		return fd;
	*out = fd;
	return 0;
}

/* run_mmap's mapping: unmapped by the sweep once the fault is disarmed */
static void *mapped;

static int run_mmap(int hfd, int in, int *out)
{
	void *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, in, 0);

	(void)hfd;
	(void)out;
	if (p == MAP_FAILED)
		return -errno;
	mapped = p;
	return 0;
}

static int run_op(const char *op, int in)
{
	char line[64];
	int f = open(OP_FILE, O_WRONLY | O_CLOEXEC), n, r = 0;

	if (f < 0)
		return -errno;
	n = snprintf(line, sizeof(line), "%s %d 1", op, in);
	if (write(f, line, (size_t)n) != n)
		r = -errno;
	close(f);
	return r;
}

static int run_attach_map(int hfd, int in, int *out)
{
	(void)hfd;
	(void)out;
	return run_op("dev-write", in);
}

static int run_vmap(int hfd, int in, int *out)
{
	(void)hfd;
	(void)out;
	return run_op("vmap-write", in);
}

static int run_set_name(int hfd, int in, int *out)
{
	(void)hfd;
	(void)out;
	return ioctl(in, DMA_BUF_SET_NAME_B, "faults") ? -errno : 0;
}

static int run_buffer_info(int hfd, int in, int *out)
{
	struct vivtheap_ioc_buffer_info bi = { .fd = (uint32_t)in };
	int c = open(VIVTHEAP_CTL_PATH, O_RDWR | O_CLOEXEC), r = 0;

	(void)hfd;
	(void)out;
	if (c < 0)
		return -errno;
	if (ioctl(c, VIVTHEAP_IOC_BUFFER_INFO, &bi))
		r = -errno;
	close(c);
	return r;
}

/* A ranged bracket (begin and end of read-write access) on the control node. */
static int run_sync_range(int hfd, int in, int *out)
{
	struct vivtheap_ioc_sync_range sr = {
		.fd = (uint32_t)in, .offset = 4096, .length = 8192,
	};
	int c = open(VIVTHEAP_CTL_PATH, O_RDWR | O_CLOEXEC), r = 0;

	(void)hfd;
	(void)out;
	if (c < 0)
		return -errno;
	sr.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW;
	if (ioctl(c, VIVTHEAP_IOC_SYNC_RANGE, &sr))
		r = -errno;
	sr.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW;
	if (!r && ioctl(c, VIVTHEAP_IOC_SYNC_RANGE, &sr))
		r = -errno;
	close(c);
	return r;
}

static int run_open(int hfd, int in, int *out)
{
	char path[128];
	int fd;

	(void)hfd;
	(void)in;
	snprintf(path, sizeof(path), HEAP_DIR "/%s", VIVTHEAP_HEAP_WC_NAME);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static const int none[] = { 0 };
/* the importer's op file: its attach, map or vmap failed (ENOMEM), or EINTR */
static const int op_errnos[] = { EINTR, 0 };

static const struct path paths[] = {
	{ "alloc uncached, cold", VIVTHEAP_HEAP_UNCACHED_NAME, run_alloc, 0, 0, none },
	{ "alloc wc, cold", VIVTHEAP_HEAP_WC_NAME, run_alloc, 0, 0, none },
	{ "alloc cached, cold", VIVTHEAP_HEAP_CACHED_NAME, run_alloc, 0, 0, none },
	{ "alloc uncached, pooled", VIVTHEAP_HEAP_UNCACHED_NAME, run_alloc, 1, 0, none },
	{ "alloc wc, pooled", VIVTHEAP_HEAP_WC_NAME, run_alloc, 1, 0, none },
	{ "alloc cached, pooled", VIVTHEAP_HEAP_CACHED_NAME, run_alloc, 1, 0, none },
	{ "mmap", VIVTHEAP_HEAP_WC_NAME, run_mmap, 0, 1, none },
	{ "mmap cached (its VMA tracked)", VIVTHEAP_HEAP_CACHED_NAME, run_mmap, 0, 1, none },
	{ "attach and map (importer)", VIVTHEAP_HEAP_WC_NAME, run_attach_map, 0, 1, op_errnos },
	{ "attach and map cached (importer)", VIVTHEAP_HEAP_CACHED_NAME, run_attach_map, 0, 1,
	  op_errnos },
	{ "vmap (importer)", VIVTHEAP_HEAP_UNCACHED_NAME, run_vmap, 0, 1, op_errnos },
	{ "DMA_BUF_SET_NAME", VIVTHEAP_HEAP_WC_NAME, run_set_name, 0, 1, none },
	{ "control node BUFFER_INFO", VIVTHEAP_HEAP_WC_NAME, run_buffer_info, 0, 1, none },
	{ "control node SYNC_RANGE (cached)", VIVTHEAP_HEAP_CACHED_NAME, run_sync_range, 0, 1, none },
	{ "heap node open", VIVTHEAP_HEAP_WC_NAME, run_open, 0, 0, none },
};

static int documented(const struct path *p, int e)
{
	const int *d;

	if (e == ENOMEM)
		return 1;
	for (d = p->errnos; *d; d++)
		if (*d == e)
			return 1;
	return 0;
}

static void sweep(const struct path *p)
{
	int hfd = gt_heap_open(p->heap), n, failures = 0;
	long long bufs0, cma0;

	CHECK(hfd >= 0);
	for (n = 1; n <= MAX_N; n++) {
		int in = -1, out = -1, r, left;

		if (p->pooled) {
			int f = gt_alloc(hfd, SIZE, O_RDWR | O_CLOEXEC);

			CHECK(f >= 0);
			close(f);
		}
		bufs0 = gt_dmabufs();
		cma0 = gt_cma_used();
		if (p->pooled) {
			/* gt_cma_used() emptied the pool: fill it again */
			int f = gt_alloc(hfd, SIZE, O_RDWR | O_CLOEXEC);

			CHECK(f >= 0);
			close(f);
		}
		if (p->needs_buf) {
			in = gt_alloc(hfd, SIZE, O_RDWR | O_CLOEXEC);
			CHECK(in >= 0);
		}
		fail_nth(n);
		r = p->run(hfd, in, &out);
		left = fail_nth_left();
		fail_nth(0);
		if (mapped) {
			/* not under the fault: munmap can fail with ENOMEM too */
			CHECK(munmap(mapped, SIZE) == 0);
			mapped = NULL;
		}
		if (r < 0 && !documented(p, -r))
			FAIL("%s: fault %d: errno %d %s is not documented for it", p->name, n, -r,
			     strerror(-r));
		if (r < 0)
			failures++;
		/* Whatever came out must work; what did not must be gone. */
		if (out >= 0) {
			works(out);
			close(out);
		}
		if (in >= 0) {
			works(in);
			close(in);
		}
		if (gt_dmabufs() != bufs0) {
			dump_maps();
			dump(BUFINFO);
			FAIL("%s: fault %d: dma-bufs %lld before, %lld after", p->name, n, bufs0,
			     gt_dmabufs());
		}
		if (gt_cma_used() != cma0) {
			dump(DBG "/vivtheap/buffers");
			dump(DBG "/vivtheap/pool");
			dump(BUFINFO);
			FAIL("%s: fault %d: CMA pages %lld before, %lld after", p->name, n, cma0,
			     gt_cma_used());
		}
		if (left)
			break;	/* the path reached fewer than n points: all swept */
	}
	if (n > MAX_N)
		FAIL("%s: still reaching a fault point at the %d-th: a loop?", p->name, MAX_N);
	printf("%-28s %3d fault sites reached, %3d of them failed the path "
	       "(the others were absorbed)\n", p->name, n - 1, failures);
	close(hfd);
}

int main(void)
{
	char path[64];
	size_t i;

	gt_fault_setup(gt_expects("faults"));
	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", (long)syscall(SYS_gettid));
	nth_fd = open(path, O_RDWR | O_CLOEXEC);
	if (nth_fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		sweep(&paths[i]);
	close(nth_fd);
	printf("ok: every fault failed its path with ENOMEM or was absorbed; nothing leaked\n");
	return 0;
}
