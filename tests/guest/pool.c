// SPDX-License-Identifier: MIT
/* The pool of freed buffers: reuse of the same size only, zeroed before reuse, bounded absolutely and by a share of the CMA area, each buffer aged by its own free time, emptied on demand and when an allocation needs its memory; another CMA user's allocation succeeds while the pool churns. */
#include <sched.h>

#include "gt.h"
#include "gt_fd.h"

#define MIB (1UL << 20)
#define PARAMS "/sys/module/vivtheap/parameters/"
#define DRAIN "/sys/kernel/debug/vivtheap/drain_pools"
#define TEST_CMA "/sys/kernel/debug/vivtheap_test/cma"

/* Write @text to @path: 0, or the errno of the open or the write. */
static int try_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		err = errno;
	close(fd);
	return err;
}

static void write_file(const char *path, const char *text)
{
	int err = try_write(path, text);

	if (err)
		FAIL("write %s to %s: %s", text, path, strerror(err));
}

static void param_set(const char *name, unsigned long v)
{
	char path[128], text[32];

	snprintf(path, sizeof(path), PARAMS "%s", name);
	snprintf(text, sizeof(text), "%lu", v);
	write_file(path, text);
}

static unsigned long param_get(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), PARAMS "%s", name);
	return (unsigned long)gt_read_number(path);
}

/* Allocate, fill with 0xa5 under brackets, free: the buffer goes to the pool. */
static void dirty_free(int hfd, size_t size)
{
	int fd = gt_alloc(hfd, size, O_RDWR);
	uint8_t *p;

	CHECK(fd >= 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0);
	memset(p, 0xa5, size);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0);
	munmap(p, size);
	close(fd);
}

static void check_zero(const char *heap, int fd, size_t size)
{
	uint8_t *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	size_t i;

	CHECK(p != MAP_FAILED);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0);
	for (i = 0; i < size; i++)
		if (p[i])
			FAIL("%s: reused %zu-byte buffer holds 0x%02x at %zu",
			     heap, size, p[i], i);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0);
	munmap(p, size);
}

#define EXPECT_STAT(heap, name, want)                                     \
	do {                                                              \
		long long got_ = gt_stat(heap, name);                     \
		if (got_ != (long long)(want))                            \
			FAIL("%s: %s is %lld, want %lld", heap, name,     \
			     got_, (long long)(want));                    \
	} while (0)

/* Lines of /sys/kernel/debug/vivtheap/pool for @heap and @size. */
static int pool_listed(const char *heap, size_t size)
{
	FILE *f = fopen("/sys/kernel/debug/vivtheap/pool", "r");
	char line[256], h[64];
	size_t sz;
	int n = 0;

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %zu", h, &sz) == 2 && !strcmp(h, heap) &&
		    sz == size)
			n++;
	fclose(f);
	return n;
}

/* Largest allocation that succeeds now, in MiB (pool off). */
static unsigned long largest_mib(int hfd)
{
	unsigned long lo = 0, hi = 257, mid;
	int fd;

	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		fd = gt_alloc(hfd, mid * MIB, O_RDWR);
		if (fd >= 0) {
			close(fd);
			lo = mid;
		} else {
			CHECK(fd == -ENOMEM);
			hi = mid;
		}
	}
	return lo;
}

/* CmaTotal of /proc/meminfo, bytes. */
static unsigned long cma_total(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	unsigned long kib = 0;
	char line[128];

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CmaTotal: %lu kB", &kib) == 1)
			break;
	fclose(f);
	CHECK(kib > 0);
	return kib << 10;
}

/*
 * Another CMA user than vivtheap: the kernel's CMA heap where present (its
 * 7.2 name, its 6.1 name), else the test module's cma file. Names it in
 * @who; returns a heap fd, or -1 for the test module.
 */
static int other_user(const char **who)
{
	static const char *const names[] = { "default_cma_region", "reserved" };
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fd = gt_heap_open(names[i]);
		if (fd >= 0) {
			*who = names[i];
			return fd;
		}
	}
	if (access(TEST_CMA, W_OK))
		FAIL("no kernel CMA heap and no %s: %s", TEST_CMA, strerror(errno));
	*who = "vivtheap_test";
	return -1;
}

/* @mib MiB from the other CMA user, given back at once: 0 or an errno. */
static int other_alloc(int ofd, unsigned long mib)
{
	char text[32];
	int fd;

	if (ofd >= 0) {
		fd = gt_alloc(ofd, mib * MIB, O_RDWR);
		if (fd < 0)
			return -fd;
		close(fd);
		return 0;
	}
	snprintf(text, sizeof(text), "%lu", mib * MIB);
	return try_write(TEST_CMA, text);
}

/*
 * Largest allocation another CMA user gets now, in MiB. Probed through the
 * test module, whose failures are quiet (__GFP_NOWARN): the kernel's CMA
 * heap logs every failed cma_alloc(), which the runner takes for a warning.
 */
static unsigned long other_largest_mib(void)
{
	unsigned long lo = 0, hi = (cma_total() >> 20) + 1, mid;
	int err;

	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		err = other_alloc(-1, mid);
		if (!err) {
			lo = mid;
		} else {
			if (err != ENOMEM)
				FAIL("other CMA user, %lu MiB: %s", mid, strerror(err));
			hi = mid;
		}
	}
	return lo;
}

/*
 * Issue 9 #1: a 12 MiB buffer nobody asks for again is pooled, then 4 KiB
 * buffers are freed every 200 ms. Each pooled buffer ages by its own free
 * time: after the idle time the 12 MiB are gone although frees never
 * stopped, and another CMA user gets most of the area, still churning.
 */
static void check_churn(const char *heap, int hfd)
{
	const unsigned int idle_ms = 1000, period_ms = 200;
	unsigned long big, want;
	const char *who;
	int ofd = other_user(&who), err = 0, i;

	param_set("pool_max_size", 0);
	write_file(DRAIN, "1");
	if (access(TEST_CMA, W_OK))
		FAIL("no %s: %s", TEST_CMA, strerror(errno));
	big = other_largest_mib();
	if (big < (cma_total() >> 20) / 2)
		FAIL("%s gets only %lu MiB of %lu MiB CMA with the pools empty",
		     who, big, cma_total() >> 20);
	/* Most of the area, a little margin for what others hold meanwhile. */
	want = big - 4;

	param_set("pool_idle_ms", idle_ms);
	param_set("pool_max_size", 16 * MIB);
	dirty_free(hfd, 12 * MIB);
	EXPECT_STAT(heap, "pool_bytes", 12 * MIB);
	for (i = 0; i * period_ms < idle_ms + 1000; i++) {
		dirty_free(hfd, 4096);
		usleep(period_ms * 1000);
	}
	if (pool_listed(heap, 12 * MIB) || gt_stat(heap, "pool_bytes") >= (long long)(12 * MIB))
		FAIL("%s: 12 MiB still pooled %u ms after its free, 4 KiB freed every %u ms (pool_bytes %lld)",
		     heap, (i * period_ms), period_ms, gt_stat(heap, "pool_bytes"));
	/* Still churning: another driver's allocation succeeds. */
	for (i = 0; i < 3; i++) {
		dirty_free(hfd, 4096);
		err = other_alloc(ofd, want);
		if (err)
			FAIL("%s: %s could not allocate %lu MiB of %lu MiB CMA while the pool churns: %s",
			     heap, who, want, cma_total() >> 20, strerror(err));
		usleep(period_ms * 1000);
	}
	if (ofd >= 0)
		close(ofd);
	param_set("pool_idle_ms", 600000);
	write_file(DRAIN, "1");
	printf("%s: 12 MiB aged out under 4 KiB churn, %s got %lu MiB of %lu MiB CMA meanwhile\n",
	       heap, who, want, cma_total() >> 20);
}

/*
 * pool_bytes once the zeroing worker is done (it frees its buffer itself if
 * the bound fell meanwhile): waits up to a second for it to reach @want.
 */
static long long pool_bytes_settled(const char *heap, long long want)
{
	long long got = gt_stat(heap, "pool_bytes");
	int i;

	for (i = 0; i < 20 && got > want; i++) {
		usleep(50000);
		got = gt_stat(heap, "pool_bytes");
	}
	return got;
}

/*
 * The pool's bound is also a share of the CMA area the heap draws from
 * (pool_cma_percent), whatever pool_max_size says. CmaTotal is at least
 * that area, so no pool may exceed its share of it.
 */
static void check_cma_bound(const char *heap, int hfd)
{
	unsigned long cma = cma_total();
	long long pooled;
	int a, b;

	param_set("pool_max_size", cma);
	param_set("pool_cma_percent", 100);
	write_file(DRAIN, "1");
	a = gt_alloc(hfd, 4 * MIB, O_RDWR);
	b = gt_alloc(hfd, 4 * MIB, O_RDWR);
	CHECK(a >= 0 && b >= 0);
	close(a);
	close(b);
	EXPECT_STAT(heap, "pool_bytes", 8 * MIB);

	/* 10 % of 64 MiB is 6.4 MiB: lowered, the pool shrinks at once. */
	param_set("pool_cma_percent", 10);
	pooled = pool_bytes_settled(heap, 4 * MIB);
	if (pooled > (long long)(cma / 100 * 10))
		FAIL("%s: %lld bytes pooled over 10 %% of %lu MiB CMA", heap,
		     pooled, cma >> 20);
	write_file(DRAIN, "1");
	a = gt_alloc(hfd, 4 * MIB, O_RDWR);
	b = gt_alloc(hfd, 4 * MIB, O_RDWR);
	CHECK(a >= 0 && b >= 0);
	close(a);
	close(b);
	pooled = pool_bytes_settled(heap, 4 * MIB);
	if (pooled > (long long)(cma / 100 * 10) || pooled != 4 * MIB)
		FAIL("%s: %lld bytes pooled with pool_cma_percent=10 of %lu MiB CMA, want 4 MiB",
		     heap, pooled, cma >> 20);
	write_file(DRAIN, "1");
	param_set("pool_cma_percent", 25);
}

/*
 * Freed buffers are zeroed by a worker after the free; one taken before the
 * worker got to it is zeroed by the allocation. Pinned to one CPU at
 * SCHED_FIFO, the test runs before the worker queued on that CPU can: the
 * allocation right after the free takes the buffer the worker has not seen.
 */
static void check_zeroed_before_worker(const char *heap, int hfd)
{
	struct sched_param rt = { .sched_priority = 1 }, normal = { 0 };
	long long hit = gt_stat(heap, "pool_hit");
	cpu_set_t cpus, old;
	int fd;

	CHECK(sched_getaffinity(0, sizeof(old), &old) == 0);
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	CHECK(sched_setaffinity(0, sizeof(cpus), &cpus) == 0);
	CHECK(sched_setscheduler(0, SCHED_FIFO, &rt) == 0);
	dirty_free(hfd, 2 * MIB);
	fd = gt_alloc(hfd, 2 * MIB, O_RDWR);
	CHECK(sched_setscheduler(0, SCHED_OTHER, &normal) == 0);
	CHECK(sched_setaffinity(0, sizeof(old), &old) == 0);
	CHECK(fd >= 0);
	EXPECT_STAT(heap, "pool_hit", hit + 1);
	check_zero(heap, fd, 2 * MIB);
	close(fd);

	/*
	 * The worker's turn: after a pause the pooled buffer is zeroed too
	 * (dirty_free() takes the one just freed: a hit of its own).
	 */
	dirty_free(hfd, 2 * MIB);
	usleep(300000);
	fd = gt_alloc(hfd, 2 * MIB, O_RDWR);
	CHECK(fd >= 0);
	EXPECT_STAT(heap, "pool_hit", hit + 3);
	check_zero(heap, fd, 2 * MIB);
	close(fd);
}

static void check_heap(const char *heap)
{
	int hfd = gt_heap_open(heap), fd;
	long long hit, freed;
	unsigned long big;
	int i;

	CHECK(hfd >= 0);
	param_set("pool_idle_ms", 600000);
	param_set("pool_max_size", 2 * MIB);
	write_file(DRAIN, "1");
	EXPECT_STAT(heap, "pool_bytes", 0);

	/* A freed buffer is kept, and the next one of its size is it, zeroed. */
	dirty_free(hfd, MIB);
	EXPECT_STAT(heap, "pool_buffers", 1);
	EXPECT_STAT(heap, "pool_bytes", MIB);
	CHECK(pool_listed(heap, MIB) == 1);
	hit = gt_stat(heap, "pool_hit");
	fd = gt_alloc(hfd, MIB, O_RDWR);
	CHECK(fd >= 0);
	EXPECT_STAT(heap, "pool_hit", hit + 1);
	EXPECT_STAT(heap, "pool_buffers", 0);
	CHECK(pool_listed(heap, MIB) == 0);
	check_zero(heap, fd, MIB);
	close(fd);
	EXPECT_STAT(heap, "pool_bytes", MIB);

	/* Only the same size is reused; a full pool drops its oldest. */
	freed = gt_stat(heap, "pool_free");
	fd = gt_alloc(hfd, 2 * MIB, O_RDWR);
	CHECK(fd >= 0);
	EXPECT_STAT(heap, "pool_hit", hit + 1);
	close(fd);
	EXPECT_STAT(heap, "pool_free", freed + 1);
	EXPECT_STAT(heap, "pool_bytes", 2 * MIB);
	EXPECT_STAT(heap, "pool_buffers", 1);

	/* Bigger than the whole pool: freed at once, the pool untouched. */
	dirty_free(hfd, 3 * MIB);
	EXPECT_STAT(heap, "pool_free", freed + 1);
	EXPECT_STAT(heap, "pool_bytes", 2 * MIB);

	/*
	 * Lowering pool_max_size shrinks the pool at once. The 2 MiB buffer
	 * may still be in the zeroing worker's hands (freed just above); the
	 * worker then frees it itself when done, a moment later (seen on the
	 * cached heap, whose zeroing also cleans): up to 2 s for that.
	 */
	param_set("pool_max_size", MIB);
	EXPECT_STAT(heap, "pool_bytes", 0);
	for (i = 0; i < 20 && gt_stat(heap, "pool_free") != freed + 2; i++)
		usleep(100000);
	EXPECT_STAT(heap, "pool_free", freed + 2);

	/* drain_pools empties it. */
	param_set("pool_max_size", 2 * MIB);
	dirty_free(hfd, MIB);
	EXPECT_STAT(heap, "pool_bytes", MIB);
	write_file(DRAIN, "1");
	EXPECT_STAT(heap, "pool_bytes", 0);

	/* An idle pool empties itself. */
	param_set("pool_idle_ms", 200);
	dirty_free(hfd, MIB);
	for (i = 0; i < 50 && gt_stat(heap, "pool_bytes"); i++)
		usleep(100000);
	EXPECT_STAT(heap, "pool_bytes", 0);
	param_set("pool_idle_ms", 600000);

	/*
	 * An allocation that needs the pooled memory gets it: find the largest
	 * buffer CMA gives with the pool off, pool 8 MiB, ask for it again.
	 */
	param_set("pool_max_size", 0);
	big = largest_mib(hfd);
	CHECK(big >= 16);
	param_set("pool_max_size", 16 * MIB);
	dirty_free(hfd, 8 * MIB);
	EXPECT_STAT(heap, "pool_bytes", 8 * MIB);
	freed = gt_stat(heap, "pool_free");
	fd = gt_alloc(hfd, big * MIB, O_RDWR);
	if (fd < 0)
		FAIL("%s: %lu MiB with 8 MiB pooled: %s", heap, big,
		     strerror(-fd));
	EXPECT_STAT(heap, "pool_bytes", 0);
	EXPECT_STAT(heap, "pool_free", freed + 1);
	param_set("pool_max_size", 0);
	close(fd);
	EXPECT_STAT(heap, "pool_bytes", 0);

	/*
	 * On the device-tree boot each heap draws from its own region, which
	 * no other CMA user shares: the churn's claim is about the default
	 * area, and the other boots check it.
	 */
	if (gt_cmdline_number("vivtheap.dt=", 0))
		printf("%s: churn not checked: a device-tree heap's region is its own\n", heap);
	else
		check_churn(heap, hfd);
	param_set("pool_max_size", 2 * MIB);
	check_zeroed_before_worker(heap, hfd);
	check_cma_bound(heap, hfd);
	param_set("pool_max_size", 0);

	close(hfd);
	printf("%s: reuse zeroed (before the worker, after it), same size only, bounded (bytes, CMA share), idle/drain/param empty it, %lu MiB taken back from the pool\n",
	       heap, big);
}

int main(void)
{
	unsigned long max = param_get("pool_max_size");
	unsigned long idle = param_get("pool_idle_ms");
	int i, err;

	/* Not a number: EINVAL, and the value stays. */
	err = try_write(PARAMS "pool_max_size", "lots");
	if (err != EINVAL)
		FAIL("pool_max_size=lots: want EINVAL, got %s", strerror(err));
	CHECK(param_get("pool_max_size") == max);

	for (i = 0; i < GT_NR_OUR_HEAPS; i++)
		check_heap(gt_our_heaps[i]);
	param_set("pool_max_size", max);
	param_set("pool_idle_ms", idle);
	return 0;
}
