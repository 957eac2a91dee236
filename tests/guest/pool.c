// SPDX-License-Identifier: MIT
/* The pool of freed buffers: reuse of the same size only, re-zeroed, bounded, emptied when idle, on demand, and when an allocation needs its memory. */
#include "gt.h"

#define MIB (1UL << 20)
#define PARAMS "/sys/module/vivtheap/parameters/"
#define DRAIN "/sys/kernel/debug/vivtheap/drain_pools"

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

	/* Lowering pool_max_size shrinks the pool at once. */
	param_set("pool_max_size", MIB);
	EXPECT_STAT(heap, "pool_bytes", 0);
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

	close(hfd);
	printf("%s: reuse zeroed, same size only, bounded, idle/drain/param empty it, %lu MiB taken back from the pool\n",
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
