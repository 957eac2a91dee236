// SPDX-License-Identifier: MIT
/* The maintenance counters: a WC end-of-write-access drains the write buffer, no sync does per-line work, reads never drain. */
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
	long long begin, end, drain, clean_k, inval_k, clean_u, inval_u;
};

static void take(const char *heap, struct snap *s)
{
	s->begin = gt_stat(heap, "begin_cpu_access");
	s->end = gt_stat(heap, "end_cpu_access");
	s->drain = gt_stat(heap, "drain_write_buffer");
	s->clean_k = gt_stat(heap, "clean_kernel_bytes");
	s->inval_k = gt_stat(heap, "invalidate_kernel_bytes");
	s->clean_u = gt_stat(heap, "clean_user_bytes");
	s->inval_u = gt_stat(heap, "invalidate_user_bytes");
}

int main(void)
{
	int bufferable = uncached_is_bufferable(), i;

	for (i = 0; i < GT_NR_OUR_HEAPS; i++) {
		const char *heap = gt_our_heaps[i];
		int wc = i == 1, hfd = gt_heap_open(heap), fd;
		long long want_drain = (wc || bufferable) ? 1 : 0;
		struct snap a, b, c;
		uint8_t *p;

		CHECK(hfd >= 0);
		fd = gt_alloc(hfd, 12 << 20, O_RDWR);
		CHECK(fd >= 0);
		p = mmap(NULL, 12 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(p != MAP_FAILED);

		take(heap, &a);
		CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0);
		p[0] = 1;
		p[(12 << 20) - 1] = 2;
		CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0);
		take(heap, &b);
		CHECK(b.begin == a.begin + 1 && b.end == a.end + 1);
		if (b.drain != a.drain + want_drain)
			FAIL("%s: write end drained %lld times, want %lld", heap,
			     b.drain - a.drain, want_drain);
		/* No alias is cacheable: no per-line work, whatever the size. */
		CHECK(b.clean_k == 0 && b.inval_k == 0 && b.clean_u == 0 &&
		      b.inval_u == 0);

		CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0);
		CHECK(p[0] == 1);
		CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0);
		take(heap, &c);
		CHECK(c.begin == b.begin + 1 && c.end == b.end + 1);
		CHECK(c.drain == b.drain);

		munmap(p, 12 << 20);
		close(fd);
		close(hfd);
		printf("%s: drains per write end %lld, per read end 0, line work 0\n",
		       heap, want_drain);
	}
	return 0;
}
