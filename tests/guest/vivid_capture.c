// SPDX-License-Identifier: MIT
/* vivid V4L2 capture into each vivtheap heap's buffers (V4L2_MEMORY_DMABUF), frames checked; the sync pair while vivid holds them. */
#include "gt.h"
#include <dirent.h>
#include <poll.h>
#include <linux/videodev2.h>

#include "gt_vivid.h"

#define NBUF 3

/* vivid's default pattern is colour bars: a line has many byte values. */
static int distinct_bytes(const uint8_t *p, size_t n)
{
	int seen[256] = { 0 }, d = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (!seen[p[i]]++)
			d++;
	return d;
}

static void capture(int vfd, const char *heap)
{
	struct v4l2_requestbuffers req;
	struct v4l2_format fmt;
	struct v4l2_buffer b;
	int hfd = gt_heap_open(heap), fds[NBUF], i, frames = 0;
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	long long syncs, vmaps = gt_stat(heap, "vmap");
	uint8_t *maps[NBUF];
	size_t size;

	CHECK(hfd >= 0);
	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	CHECK(ioctl(vfd, VIDIOC_G_FMT, &fmt) == 0);
	fmt.fmt.pix.width = 640;
	fmt.fmt.pix.height = 360;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	CHECK(ioctl(vfd, VIDIOC_S_FMT, &fmt) == 0);
	size = fmt.fmt.pix.sizeimage;
	CHECK(size >= 640 * 360 * 2);

	memset(&req, 0, sizeof(req));
	req.count = NBUF;
	req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.memory = V4L2_MEMORY_DMABUF;
	CHECK(ioctl(vfd, VIDIOC_REQBUFS, &req) == 0);
	CHECK(req.count == NBUF);
	for (i = 0; i < NBUF; i++) {
		fds[i] = gt_alloc(hfd, size, O_RDWR | O_CLOEXEC);
		CHECK(fds[i] >= 0);
		maps[i] = mmap(NULL, size, PROT_READ, MAP_SHARED, fds[i], 0);
		CHECK(maps[i] != MAP_FAILED);
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_DMABUF;
		b.index = (uint32_t)i;
		b.m.fd = fds[i];
		b.length = (uint32_t)size;
		CHECK(ioctl(vfd, VIDIOC_QBUF, &b) == 0);
	}
	/* queued: vivid holds every buffer now; the sync pair still works */
	syncs = gt_stat(heap, "begin_cpu_access");
	CHECK(gt_sync(fds[0], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0);
	CHECK(gt_sync(fds[0], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0);
	CHECK(gt_stat(heap, "begin_cpu_access") == syncs + 1);
	CHECK(ioctl(vfd, VIDIOC_STREAMON, &type) == 0);
	while (frames < 6) {
		struct pollfd pfd = { .fd = vfd, .events = POLLIN };

		CHECK(poll(&pfd, 1, 5000) == 1);
		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_DMABUF;
		CHECK(ioctl(vfd, VIDIOC_DQBUF, &b) == 0);
		CHECK(b.index < NBUF && b.m.fd == fds[b.index]);
		CHECK(b.bytesused >= 640 * 360 * 2);
		CHECK(gt_sync(fds[b.index], DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0);
		if (distinct_bytes(maps[b.index] + 640 * 2 * 100, 640 * 2) < 8)
			FAIL("%s: frame %d line 100 is not vivid's colour bars", heap, frames);
		CHECK(gt_sync(fds[b.index], DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0);
		CHECK(ioctl(vfd, VIDIOC_QBUF, &b) == 0);
		frames++;
	}
	/* vivid (vb2-vmalloc) reads our buffers through one vmap each. */
	if (gt_stat(heap, "vmap") != vmaps + NBUF)
		FAIL("%s: %lld vmaps for %d queued buffers", heap,
		     gt_stat(heap, "vmap") - vmaps, NBUF);
	CHECK(ioctl(vfd, VIDIOC_STREAMOFF, &type) == 0);
	req.count = 0;
	CHECK(ioctl(vfd, VIDIOC_REQBUFS, &req) == 0);
	for (i = 0; i < NBUF; i++) {
		munmap(maps[i], size);
		close(fds[i]);
	}
	close(hfd);
	CHECK(gt_stat(heap, "buffers") == 0);
	printf("%s: %d vivid frames captured into dma-bufs and checked\n", heap, frames);
}

int main(void)
{
	int vfd = gt_open_vivid_capture(), i;

	if (vfd < 0)
		FAIL("no vivid capture node (the target has vivid)");
	for (i = 0; i < GT_NR_OUR_HEAPS; i++)
		capture(vfd, gt_our_heaps[i]);
	close(vfd);
	return 0;
}
