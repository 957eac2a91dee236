// SPDX-License-Identifier: MIT
/* A device writes into our buffer through a mapping made DMA_FROM_DEVICE and unmaps: what it wrote is in the buffer, through a mapping that bounces (the test importer's bouncing device, copying as swiotlb does) as through a direct one; map_bounced counts the mappings that were synced, and only those. */
#include "gt.h"

#define OP_FILE "/sys/kernel/debug/vivtheap_test/op"
#define SWIOTLB_SLABS "/sys/kernel/debug/swiotlb/io_tlb_nslabs"

/* Run one operation of the test importer; 0 or -errno. */
static int importer(const char *op, int fd, uint32_t seed)
{
	char line[64];
	int f = open(OP_FILE, O_WRONLY | O_CLOEXEC), n, ret = 0;

	if (f < 0)
		FAIL("open %s: %s (tests/kmod/vivtheap_test.ko loaded?)", OP_FILE,
		     strerror(errno));
	n = snprintf(line, sizeof(line), "%s %d %u", op, fd, seed);
	if (write(f, line, (size_t)n) != n)
		ret = -errno;
	close(f);
	return ret;
}

/*
 * Whether the plain importer's mappings can bounce here: only if the kernel
 * set swiotlb up (none of the kernels booted today does, with or without
 * swiotlb=force: see tests/kmod/vivtheap_test.c).
 */
static long long swiotlb_slabs(void)
{
	if (access(SWIOTLB_SLABS, R_OK))
		return 0;
	return gt_read_number(SWIOTLB_SLABS);
}

/*
 * map_bounced before an operation, read leniently so that a module without
 * the counter fails on what the device wrote first; gt_stat() reads it
 * strictly afterwards.
 */
static long long bounced_before(const char *heap)
{
	char path[128], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/vivtheap/%s/stats", heap);
	f = fopen(path, "r");
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "map_bounced %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * The importer op writes word i of the buffer with seed + i as a device, and
 * unmaps; the words must be there, read through our own mapping. Returns
 * how much map_bounced grew.
 */
static long long fill(const char *heap, int hfd, size_t size, const char *op,
		      uint32_t seed)
{
	long long bounced = bounced_before(heap);
	volatile uint32_t *p;
	size_t i;
	int fd, ret;

	fd = gt_alloc(hfd, size, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	ret = importer(op, fd, seed);
	if (ret)
		FAIL("%s, %zu bytes: importer %s: %s", heap, size, op, strerror(-ret));
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0);
	for (i = 0; i < size / 4; i++)
		if (p[i] != seed + (uint32_t)i)
			FAIL("%s, %zu bytes, %s: word %zu holds %#x, want %#x: what the device wrote did not reach the buffer",
			     heap, size, op, i, p[i], (unsigned int)(seed + i));
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0);
	CHECK(munmap((void *)p, size) == 0);
	close(fd);
	return gt_stat(heap, "map_bounced") - bounced;
}

int main(void)
{
	static const size_t sizes[] = { 4096, (1 << 20) + 8192 };
	long long slabs = swiotlb_slabs(), n;
	size_t s;
	int i, hfd;

	printf("swiotlb: %lld slabs%s\n", slabs,
	       slabs ? "" : " (not set up: only the bouncing importer bounces)");
	for (i = 0; i < GT_NR_OUR_HEAPS; i++) {
		const char *heap = gt_our_heaps[i];

		hfd = gt_heap_open(heap);
		CHECK(hfd >= 0);
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			uint32_t seed = 0xb0000000u + (uint32_t)(i << 16) + (uint32_t)(s << 8);

			n = fill(heap, hfd, sizes[s], "bounce-fill", seed);
			if (n != 1)
				FAIL("%s: map_bounced grew by %lld for a mapping that bounced, want 1",
				     heap, n);
			n = fill(heap, hfd, sizes[s], "dev-fill", seed + 1);
			/* A direct mapping: no sync through another alias. */
			if (!slabs && n != 0)
				FAIL("%s: map_bounced grew by %lld for a direct mapping, want 0",
				     heap, n);
			printf("%s: %zu bytes written by a device through a bounced and a direct mapping, in the buffer after unmap\n",
			       heap, sizes[s]);
		}
		close(hfd);
	}
	return 0;
}
