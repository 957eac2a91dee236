// SPDX-License-Identifier: MIT
/* Each vivtheap heap's buffer imported by vgem through libdrm's drmPrimeFDToHandle, then exported back and mapped. */
#include "gt.h"
#include "gt_vgem.h"
#include <sys/stat.h>

int main(void)
{
	int drm = gt_open_vgem(), i;

	if (drm < 0)
		FAIL("no vgem device under /dev/dri (the target has vgem)");
	for (i = 0; i < GT_NR_OUR_HEAPS; i++) {
		const char *heap = gt_our_heaps[i];
		long long attach = gt_stat(heap, "attach");
		uint32_t handle = 0, handle2 = 0;
		struct stat st, st2;
		int hfd = gt_heap_open(heap), fd, fd2;
		uint8_t *p;

		CHECK(hfd >= 0);
		fd = gt_alloc(hfd, 1 << 20, O_RDWR | O_CLOEXEC);
		CHECK(fd >= 0);
		p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(p != MAP_FAILED);
		CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0);
		memset(p, 0x5a, 1 << 20);
		CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0);

		CHECK(drmPrimeFDToHandle(drm, fd, &handle) == 0);
		CHECK(handle != 0);
		CHECK(gt_stat(heap, "attach") == attach + 1);
		/* Importing the same buffer again gives the same handle. */
		CHECK(drmPrimeFDToHandle(drm, fd, &handle2) == 0);
		CHECK(handle2 == handle);
		/* Exported back, it is the same dma-buf (its own inode), not a copy. */
		CHECK(drmPrimeHandleToFD(drm, handle, DRM_CLOEXEC, &fd2) == 0);
		CHECK(fstat(fd, &st) == 0 && fstat(fd2, &st2) == 0);
		CHECK(st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
		close(fd2);
		/* The sync pair still works while an importer holds it. */
		CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0);
		CHECK(p[12345] == 0x5a);
		CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0);
		CHECK(drmCloseBufferHandle(drm, handle) == 0);
		CHECK(munmap(p, 1 << 20) == 0);
		close(fd);
		close(hfd);
		CHECK(gt_stat(heap, "buffers") == 0);
		printf("%s: vgem import ok (handle %u)\n", heap, handle);
	}
	close(drm);
	return 0;
}
