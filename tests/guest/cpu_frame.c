// SPDX-License-Identifier: MIT
/* The CPU processes a 1920x1080 NV12 frame in place on each of our heaps (every word read, changed and written back, brackets included), then a 64 KiB slice of it in a ranged bracket, then the brackets alone: the data come out right; under the cache model each step is a window (HEAP/cpu-frame, cpu-slice64k, cpu-brackets, cpu-brackets-slice64k) judged like a coherency scenario, whose COST line gives the modelled cycles of docs/benchmarks.md (ci/coherency.sh). */
#include "gt.h"
#include "gt_upages.h"
#include "../../cachemodel/vivtcache-mark.h"

#define FRAME (1920 * 1080 * 3 / 2)
#define MAPPED ((FRAME + 4095) & ~4095)	/* whole pages */
#define SLICE_OFF (1024 * 1024)
#define SLICE (64 * 1024)

static int ctl = -1;
static char ranges[1800];	/* the frame's pages, "PA+LEN ..." */

/* A window of the cache model, HEAP/cpu-WHAT, over the frame's pages. */
static void window(const char *what, const char *heap)
{
	char m[2000];

	snprintf(m, sizeof(m), "begin %s/cpu-%s %s", heap, what, ranges);
	printf("WINDOW %s/cpu-%s %s\n", heap, what, ranges);
	fflush(stdout);
	vivtcache_mark(m);
}

static void sync_whole(int fd, uint64_t flags)
{
	if (gt_sync(fd, flags))
		FAIL("DMA_BUF_IOCTL_SYNC %#llx: %s", (unsigned long long)flags, strerror(errno));
}

static void sync_range(int fd, uint32_t flags, uint64_t off, uint64_t len)
{
	struct vivtheap_ioc_sync_range r = {
		.fd = (uint32_t)fd, .flags = flags, .offset = off, .length = len,
	};

	if (ioctl(ctl, VIVTHEAP_IOC_SYNC_RANGE, &r))
		FAIL("VIVTHEAP_IOC_SYNC_RANGE %#x %llu+%llu: %s", flags,
		     (unsigned long long)off, (unsigned long long)len, strerror(errno));
}

/* Read, change and write back every word of [w0, w1): in-place processing. */
static void process(volatile uint32_t *map, size_t w0, size_t w1)
{
	for (size_t w = w0; w < w1; w++)
		map[w] = map[w] ^ 0x5a5a5a5au;
}

static void one_heap(const char *heap)
{
	int hfd = gt_heap_open(heap), fd;
	size_t words = FRAME / 4, s0 = SLICE_OFF / 4, s1 = (SLICE_OFF + SLICE) / 4, bad = 0;
	volatile uint32_t *map;

	if (hfd < 0)
		FAIL("open heap %s: %s", heap, strerror(errno));
	fd = gt_alloc(hfd, FRAME, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		FAIL("%s: alloc %d: %s", heap, FRAME, strerror(-fd));
	map = mmap(NULL, MAPPED, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED);
	gt_page_ranges(map, MAPPED, ranges, sizeof(ranges));
	sync_whole(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (size_t w = 0; w < words; w++)
		map[w] = (uint32_t)w;
	sync_whole(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);

	window("frame", heap);
	sync_whole(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	process(map, 0, words);
	sync_whole(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	vivtcache_mark("end");

	window("slice64k", heap);
	sync_range(fd, VIVTHEAP_SYNC_START | VIVTHEAP_SYNC_RW, SLICE_OFF, SLICE);
	process(map, s0, s1);
	sync_range(fd, VIVTHEAP_SYNC_END | VIVTHEAP_SYNC_RW, SLICE_OFF, SLICE);
	vivtcache_mark("end");

	window("brackets", heap);
	sync_whole(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	sync_whole(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	vivtcache_mark("end");

	window("brackets-slice64k", heap);
	sync_range(fd, VIVTHEAP_SYNC_START | VIVTHEAP_SYNC_RW, SLICE_OFF, SLICE);
	sync_range(fd, VIVTHEAP_SYNC_END | VIVTHEAP_SYNC_RW, SLICE_OFF, SLICE);
	vivtcache_mark("end");

	/* Every word changed once, the slice's twice: back as it was. */
	sync_whole(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (size_t w = 0; w < words; w++) {
		uint32_t want = (uint32_t)w ^ (w >= s0 && w < s1 ? 0 : 0x5a5a5a5au);

		bad += map[w] != want;
	}
	sync_whole(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	if (bad)
		FAIL("%s: %zu of %zu words wrong after processing", heap, bad, words);
	printf("%s: a %d-byte frame and a 64 KiB slice processed in place, every word right\n",
	       heap, FRAME);
	munmap((void *)map, MAPPED);
	close(fd);
	close(hfd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	ctl = open(VIVTHEAP_CTL_PATH, O_RDWR | O_CLOEXEC);
	CHECK(ctl >= 0);
	for (int i = 0; i < GT_NR_OUR_HEAPS; i++)
		one_heap(gt_our_heaps[i]);
	close(ctl);
	return 0;
}
