// SPDX-License-Identifier: MIT
/*
 * heapbench: vivtheap's heaps against the kernel's own, same boot. Run in
 * the guest under qemu -icount (make bench), so times are a function of the
 * instruction count. Prints microseconds and ratios:
 *  - DMA_BUF_IOCTL_SYNC start+end pair at 4 KiB and 12 MiB, and at 12 MiB
 *    while an importer holds the buffer: vgem (attached and mapped) and,
 *    where the kernel has it, vivid (queued with V4L2_MEMORY_DMABUF);
 *  - alloc+free at 4 KiB, 1, 3 and 12 MiB; for vivtheap's heaps both as
 *    users see it (a freed buffer of the size is pooled) and cold (pool
 *    off: every buffer from dma_alloc_attrs());
 *  - the allocation alone at 4 KiB and 12 MiB, 50 ms after the last free of
 *    the size: what a pooled allocation costs once the pool's worker has
 *    zeroed the freed buffer (the kernel's heaps have no pool: their cost);
 *  - mmap + write one byte per page of 12 MiB, with the page faults taken.
 * Each timed figure is the best of three runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <xf86drm.h>

#include "gt.h"
#include "gt_vgem.h"
#include "gt_vivid.h"
#include "bench.h" /* tools/bench.h: shared with `vivtheap bench` */

#define MAX_HEAPS 8

struct result {
	char name[64];
	double alloc[VIVTHEAP_BENCH_NR_SIZES];
	double alloc_cold[VIVTHEAP_BENCH_NR_SIZES]; /* vivtheap, pool off; 0 for kernel heaps */
	double alloc_only4k, alloc_only12m; /* the allocation alone, after a pause */
	double sync4k, sync12m, sync12m_imported, sync12m_vivid;
	double touch_ms;
	long faults;
};

static int alloc_fd(int hfd, size_t size)
{
	return gt_alloc(hfd, size, O_RDWR | O_CLOEXEC);
}

static int sync_pair(int fd)
{
	if (gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
		return -1;
	return gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
}

/* The best of three runs: background work only ever adds time. */
static double time_syncs(int fd, int rounds)
{
	double best = -1, t0, t;
	int i, run;

	for (run = 0; run < 3; run++) {
		t0 = vivtheap_bench_now_us();
		for (i = 0; i < rounds; i++)
			if (sync_pair(fd))
				return -1;
		t = (vivtheap_bench_now_us() - t0) / rounds;
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

/* alloc+free of one size: one warm-up, then the best of three timed runs. */
static double time_allocs(int hfd, size_t size, int rounds)
{
	double best = -1, t0, t;
	int fd, i, run;

	fd = alloc_fd(hfd, size);
	if (fd < 0)
		return -1;
	close(fd);
	for (run = 0; run < 3; run++) {
		t0 = vivtheap_bench_now_us();
		for (i = 0; i < rounds; i++) {
			fd = alloc_fd(hfd, size);
			if (fd < 0)
				return -1;
			close(fd);
		}
		t = (vivtheap_bench_now_us() - t0) / rounds;
		if (best < 0 || t < best)
			best = t;
	}
	return best;
}

/*
 * The allocation alone, 50 ms after the last free of @size (untimed: the
 * pool's worker zeroes the freed buffer meanwhile); best of three runs.
 */
static double time_alloc_only(int hfd, size_t size, int rounds)
{
	double best = -1, sum, t0;
	int fd, i, run;

	fd = alloc_fd(hfd, size);
	if (fd < 0)
		return -1;
	close(fd);
	for (run = 0; run < 3; run++) {
		sum = 0;
		for (i = 0; i < rounds; i++) {
			usleep(50000);
			t0 = vivtheap_bench_now_us();
			fd = alloc_fd(hfd, size);
			sum += vivtheap_bench_now_us() - t0;
			if (fd < 0)
				return -1;
			close(fd);
		}
		if (best < 0 || sum / rounds < best)
			best = sum / rounds;
	}
	return best;
}

#define POOL_PARAM "/sys/module/vivtheap/parameters/pool_max_size"

/* vivtheap's pool_max_size, or -1 if the module has none. */
static long pool_get(void)
{
	FILE *f = fopen(POOL_PARAM, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int pool_set(long v)
{
	FILE *f = fopen(POOL_PARAM, "w");

	if (!f)
		return -1;
	if (fprintf(f, "%ld\n", v) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

/*
 * The sync pair on @fd while vivid holds it queued (attached, and mapped by
 * its buffer allocator); VIVID_NONE without vivid, -1 if a step fails.
 */
#define VIVID_NONE (-2.0)
static double time_syncs_vivid(int fd, size_t size, int rounds)
{
	struct v4l2_requestbuffers req = { .count = 1, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
					   .memory = V4L2_MEMORY_DMABUF };
	struct v4l2_format fmt = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE };
	struct v4l2_buffer b = { .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
				 .memory = V4L2_MEMORY_DMABUF };
	int vfd = gt_open_vivid_capture();
	double t = -1;

	if (vfd < 0)
		return VIVID_NONE;
	if (ioctl(vfd, VIDIOC_G_FMT, &fmt) || fmt.fmt.pix.sizeimage > size ||
	    ioctl(vfd, VIDIOC_REQBUFS, &req) || req.count < 1)
		goto out;
	b.index = 0;
	b.m.fd = fd;
	b.length = size;
	if (!ioctl(vfd, VIDIOC_QBUF, &b))
		t = time_syncs(fd, rounds);
	req.count = 0;
	ioctl(vfd, VIDIOC_REQBUFS, &req);
out:
	close(vfd);
	return t;
}

static int bench(const char *name, int rounds, int vgem, struct result *r)
{
	struct rusage ru0, ru1;
	int hfd, fd, i, s;
	uint32_t handle;
	double t0;
	volatile char *p;

	hfd = gt_heap_open(name);
	if (hfd < 0)
		return errno == ENOENT ? 1 : -1; /* 1: no such heap here */
	strncpy(r->name, name, sizeof(r->name) - 1);
	for (s = 0; s < VIVTHEAP_BENCH_NR_SIZES; s++) {
		r->alloc[s] = time_allocs(hfd, vivtheap_bench_sizes[s], rounds);
		if (r->alloc[s] < 0)
			goto fail;
	}
	r->alloc_only4k = time_alloc_only(hfd, 4096, rounds);
	r->alloc_only12m = time_alloc_only(hfd, 12 << 20, rounds);
	if (r->alloc_only4k < 0 || r->alloc_only12m < 0)
		goto fail;
	if (!strncmp(name, "vivtheap", 8)) {
		long pool = pool_get();

		if (pool < 0 || pool_set(0) < 0)
			goto fail;
		for (s = 0; s < VIVTHEAP_BENCH_NR_SIZES; s++)
			r->alloc_cold[s] = time_allocs(hfd, vivtheap_bench_sizes[s], rounds);
		if (pool_set(pool) < 0)
			goto fail;
		for (s = 0; s < VIVTHEAP_BENCH_NR_SIZES; s++)
			if (r->alloc_cold[s] < 0)
				goto fail;
	}
	fd = alloc_fd(hfd, 4096);
	if (fd < 0)
		goto fail;
	r->sync4k = time_syncs(fd, rounds * 50);
	close(fd);
	if (r->sync4k < 0)
		goto fail;
	fd = alloc_fd(hfd, 12 << 20);
	if (fd < 0)
		goto fail;
	r->sync12m = time_syncs(fd, rounds * 50);
	if (r->sync12m < 0)
		goto fail_fd;
	r->sync12m_imported = -1;
	if (vgem >= 0) {
		/* vgem is there: an import that fails is a failure, not "n/a". */
		if (drmPrimeFDToHandle(vgem, fd, &handle))
			goto fail_fd;
		r->sync12m_imported = time_syncs(fd, rounds * 50);
		drmCloseBufferHandle(vgem, handle);
		if (r->sync12m_imported < 0)
			goto fail_fd;
	}
	r->sync12m_vivid = time_syncs_vivid(fd, 12 << 20, rounds * 50);
	if (r->sync12m_vivid == -1)
		goto fail_fd;
	/* mmap + touch every page, the writes inside their WRITE bracket */
	getrusage(RUSAGE_SELF, &ru0);
	t0 = vivtheap_bench_now_us();
	p = mmap(NULL, 12 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail_fd;
	if (gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE))
		goto fail_map;
	for (i = 0; i < (12 << 20); i += 4096)
		p[i] = 1;
	if (gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE))
		goto fail_map;
	r->touch_ms = (vivtheap_bench_now_us() - t0) / 1000;
	getrusage(RUSAGE_SELF, &ru1);
	r->faults = (ru1.ru_minflt - ru0.ru_minflt) + (ru1.ru_majflt - ru0.ru_majflt);
	munmap((void *)p, 12 << 20);
	close(fd);
	close(hfd);
	return 0;
fail_map:
	munmap((void *)p, 12 << 20);
fail_fd:
	close(fd);
fail:
	fprintf(stderr, "heapbench: %s: a step failed (%s)\n", name, strerror(errno));
	close(hfd);
	return -1;
}

static const struct result *find(const struct result *r, int n, const char *const *names)
{
	int i, j;

	for (j = 0; names[j]; j++)
		for (i = 0; i < n; i++)
			if (!strcmp(r[i].name, names[j]))
				return &r[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const char *const sys_names[] = { "system", NULL };
	static const char *const cma_names[] = { "default_cma_region", "reserved", "linux,cma", NULL };
	const char *names[MAX_HEAPS] = { "vivtheap-uncached", "vivtheap-wc", "vivtheap-cached",
					 "system", "default_cma_region", "reserved", "linux,cma" };
	struct result r[MAX_HEAPS];
	const struct result *sys, *cma;
	int rounds = argc > 1 ? atoi(argv[1]) : 20, n = 0, i, s, vgem = gt_open_vgem(), failed = 0;

	memset(r, 0, sizeof(r));
	for (i = 0; i < MAX_HEAPS && names[i]; i++) {
		int ret = bench(names[i], rounds, vgem, &r[n]);

		if (ret < 0)
			failed = 1;
		else if (!ret)
			n++;
	}
	sys = find(r, n, sys_names);
	cma = find(r, n, cma_names);
	printf("\nheapbench: %d rounds, virtual microseconds (qemu -icount)\n", rounds);
	printf("%-20s %9s %9s %9s %9s | %8s %8s %8s %8s | %9s %7s\n", "heap", "a+f 4K", "a+f 1M",
	       "a+f 3M", "a+f 12M", "sync 4K", "sync 12M", "12M vgem", "12M vivid", "touch ms",
	       "faults");
	for (i = 0; i < n; i++) {
		printf("%-20s", r[i].name);
		for (s = 0; s < VIVTHEAP_BENCH_NR_SIZES; s++)
			printf(" %9.1f", r[i].alloc[s]);
		printf(" | %8.1f %8.1f %8.1f %8.1f | %9.1f %7ld\n", r[i].sync4k, r[i].sync12m,
		       r[i].sync12m_imported, r[i].sync12m_vivid, r[i].touch_ms, r[i].faults);
		if (r[i].alloc_cold[0] <= 0)
			continue;
		printf("%-20s", "  cold (pool off)");
		for (s = 0; s < VIVTHEAP_BENCH_NR_SIZES; s++)
			printf(" %9.1f", r[i].alloc_cold[s]);
		printf("\n");
	}
	printf("\nthe allocation alone, 50 ms after a free of the size (virtual us)\n");
	for (i = 0; i < n; i++)
		printf("%-20s alloc 4K %9.1f  alloc 12M %9.1f  12M/4K %.2f\n", r[i].name,
		       r[i].alloc_only4k, r[i].alloc_only12m,
		       r[i].alloc_only12m / r[i].alloc_only4k);
	printf("\nratios (vivtheap / kernel heap, same boot; < 1 is faster)\n");
	for (i = 0; i < n; i++) {
		if (strncmp(r[i].name, "vivtheap", 8))
			continue;
		printf("%-20s sync12M/sync4K %.2f", r[i].name, r[i].sync12m / r[i].sync4k);
		/* the cached heap's pair grows with the size: its slope */
		printf("  sync slope %.3f us/KiB",
		       (r[i].sync12m - r[i].sync4k) / ((12 << 10) - 4));
		if (r[i].sync12m_imported > 0)
			printf("  vgem12M/4K %.2f", r[i].sync12m_imported / r[i].sync4k);
		if (r[i].sync12m_vivid > 0)
			printf("  vivid12M/4K %.2f", r[i].sync12m_vivid / r[i].sync4k);
		if (sys)
			printf("  sync4K/system %.2f", r[i].sync4k / sys->sync4k);
		printf("\n");
		for (s = 0; (sys || cma) && s < VIVTHEAP_BENCH_NR_SIZES; s++) {
			printf("%-20s alloc+free %5zu KiB:", "", vivtheap_bench_sizes[s] >> 10);
			if (sys)
				printf("  /system %.2f", r[i].alloc[s] / sys->alloc[s]);
			if (cma)
				printf("  /%s %.2f", cma->name, r[i].alloc[s] / cma->alloc[s]);
			if (cma)
				printf("  cold /%s %.2f", cma->name,
				       r[i].alloc_cold[s] / cma->alloc[s]);
			printf("\n");
		}
		if (cma)
			printf("%-20s alloc alone after 50 ms: 4 KiB /%s %.2f  12 MiB /%s %.2f\n",
			       "", cma->name, r[i].alloc_only4k / cma->alloc_only4k,
			       cma->name, r[i].alloc_only12m / cma->alloc_only12m);
		printf("%-20s mmap+touch 12 MiB: %ld faults", "", r[i].faults);
		if (sys)
			printf("  /system %.2f", r[i].touch_ms / sys->touch_ms);
		if (cma)
			printf("  /%s %.2f", cma->name, r[i].touch_ms / cma->touch_ms);
		printf("\n");
	}
	if (vgem >= 0)
		close(vgem);
	/* Both of ours measured, and nothing that exists failed. */
	return n >= 2 && !failed ? 0 : 1;
}
