// SPDX-License-Identifier: MIT
/* A driver importing our buffers (tests/kmod) gets the buffer's own pages, in order, exactly covering it: what it writes through its sg table is what user space reads, page by page; the attach and map counters count it. */
#include "gt.h"

#define IMPORT "/sys/kernel/debug/vivtheap_test/import"

/* The test importer writes seed + n at the start of the sg table's n-th page. */
static int import_write(int fd, uint32_t seed)
{
	char cmd[48];
	int n, ifd = open(IMPORT, O_WRONLY | O_CLOEXEC), ret = 0;

	if (ifd < 0)
		FAIL("open %s: %s (tests/kmod/vivtheap_test.ko loaded?)", IMPORT, strerror(errno));
	n = snprintf(cmd, sizeof(cmd), "%d %u", fd, seed);
	if (write(ifd, cmd, n) != n)
		ret = -errno;
	close(ifd);
	return ret;
}

int main(void)
{
	static const size_t sizes[] = { 4096, (1 << 20) + 4096, 3 << 20 };
	int i, hfd, fd;
	size_t s, pg;

	for (i = 0; i < GT_NR_OUR_HEAPS; i++) {
		const char *heap = gt_our_heaps[i];

		hfd = gt_heap_open(heap);
		CHECK(hfd >= 0);
		for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			size_t size = sizes[s], pages = size / 4096;
			long long attach = gt_stat(heap, "attach");
			long long map = gt_stat(heap, "map_dma_buf");
			uint32_t seed = 0x5eed0000u + (uint32_t)(i << 12) + (uint32_t)s;
			volatile uint32_t *p;

			fd = gt_alloc(hfd, size, O_RDWR | O_CLOEXEC);
			CHECK(fd >= 0);
			p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			CHECK(p != MAP_FAILED);
			CHECK(import_write(fd, seed) == 0);
			CHECK(gt_stat(heap, "attach") == attach + 1);
			CHECK(gt_stat(heap, "map_dma_buf") == map + 1);
			CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0);
			for (pg = 0; pg < pages; pg++)
				if (p[pg * 1024] != seed + pg)
					FAIL("%s, %zu bytes: page %zu holds %#x, want %#x: the importer's sg table does not name this page",
					     heap, size, pg, p[pg * 1024], (unsigned int)(seed + pg));
			CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0);
			CHECK(munmap((void *)p, size) == 0);
			/* dma_buf_get(): EINVAL for a file that is not a dma-buf; EBADF for an fd not open. */
			CHECK(import_write(hfd, seed) == -EINVAL);
			close(fd);
			/* The importer writes: a read-only fd is refused. */
			fd = gt_alloc(hfd, size, O_RDONLY | O_CLOEXEC);
			CHECK(fd >= 0);
			CHECK(import_write(fd, seed) == -EBADF);
			close(fd);
			CHECK(fcntl(999, F_GETFD) == -1 && errno == EBADF);
			CHECK(import_write(999, seed) == -EBADF);
			printf("%s: %zu bytes, %zu pages written by the importer, read back in order\n",
			       heap, size, pages);
		}
		close(hfd);
	}
	return 0;
}
