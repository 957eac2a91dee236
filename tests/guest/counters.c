// SPDX-License-Identifier: MIT
/* The counters: allocation, bytes and peak, mmap; a WC end of a write or read-write access drains the write buffer, a read end never does. */
#include "gt.h"

/* ARMv5 maps "uncached" strongly ordered: nothing to drain there. */
static int uncached_is_bufferable(void)
{
	char line[256];
	int arch = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CPU architecture : %d", &arch) == 1 ||
		    sscanf(line, "CPU architecture: %d", &arch) == 1)
			break;
	fclose(f);
	CHECK(arch >= 4);
	return arch >= 6;
}

struct snap {
	long long begin, end, drain;
};

static void take(const char *heap, struct snap *s)
{
	s->begin = gt_stat(heap, "begin_cpu_access");
	s->end = gt_stat(heap, "end_cpu_access");
	s->drain = gt_stat(heap, "drain_write_buffer");
}

/* One bracket of direction dir: begin and end counted once, drains as want. */
static void bracket(const char *heap, int fd, uint64_t dir, long long want_drain)
{
	struct snap a, b;

	take(heap, &a);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | dir) == 0);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | dir) == 0);
	take(heap, &b);
	CHECK(b.begin == a.begin + 1 && b.end == a.end + 1);
	if (b.drain != a.drain + want_drain)
		FAIL("%s: end of a %s access drained %lld times, want %lld", heap,
		     dir == DMA_BUF_SYNC_READ ? "read" :
		     dir == DMA_BUF_SYNC_WRITE ? "write" : "read-write",
		     b.drain - a.drain, want_drain);
}

int main(void)
{
	const size_t size = 12 << 20;
	int bufferable = uncached_is_bufferable(), i;

	for (i = 0; i < GT_NR_OUR_HEAPS; i++) {
		const char *heap = gt_our_heaps[i];
		int wc = i == 1, hfd = gt_heap_open(heap), fd;
		long long want_drain = (wc || bufferable) ? 1 : 0;
		long long allocs = gt_stat(heap, "alloc"), mmaps = gt_stat(heap, "mmap");
		long long bytes = gt_stat(heap, "bytes"), peak = gt_stat(heap, "peak_bytes");
		uint8_t *p;

		CHECK(hfd >= 0);
		fd = gt_alloc(hfd, size, O_RDWR);
		CHECK(fd >= 0);
		CHECK(gt_stat(heap, "alloc") == allocs + 1);
		CHECK(gt_stat(heap, "bytes") == bytes + (long long)size);
		CHECK(gt_stat(heap, "peak_bytes") ==
		      (peak > bytes + (long long)size ? peak : bytes + (long long)size));
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(p != MAP_FAILED);
		CHECK(gt_stat(heap, "mmap") == mmaps + 1);

		bracket(heap, fd, DMA_BUF_SYNC_WRITE, want_drain);
		/* What the library, the selftest and heapbench use. */
		bracket(heap, fd, DMA_BUF_SYNC_RW, want_drain);
		bracket(heap, fd, DMA_BUF_SYNC_READ, 0);

		munmap(p, size);
		close(fd);
		close(hfd);
		CHECK(gt_stat(heap, "bytes") == bytes);
		printf("%s: drains per write or read-write end %lld, per read end 0\n",
		       heap, want_drain);
	}
	return 0;
}
