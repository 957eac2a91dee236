// SPDX-License-Identifier: MIT
/*
 * The complete example of docs/library.md: allocate a frame from an
 * uncached heap (never a silent cached fallback), fill it under CPU-access
 * brackets, hand it to a DRM importer (vgem), share it with another process
 * that reads it back. Built and run in every guest as a test.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vivtheap.h>
#include <xf86drm.h>

#define WIDTH 1920
#define HEIGHT 1080
#define FRAME_SIZE (WIDTH * HEIGHT * 3 / 2) /* NV12 */

static int consumer(int sock)
{
	struct vivtheap_buffer *frame;
	const uint8_t *y;
	void *p;
	int ret, bad = 0;

	ret = vivtheap_buffer_recv(sock, 0, &frame);
	if (ret) {
		fprintf(stderr, "consumer: recv: %s\n", strerror(-ret));
		return 1;
	}
	ret = vivtheap_buffer_map(frame, &p);
	if (!ret)
		ret = vivtheap_buffer_begin(frame, VIVTHEAP_ACCESS_READ);
	if (ret) {
		vivtheap_buffer_free(frame);
		return 1;
	}
	y = p;
	for (int row = 0; row < HEIGHT; row++)
		bad += y[row * WIDTH] != (uint8_t)row;
	vivtheap_buffer_end(frame, VIVTHEAP_ACCESS_READ);
	printf("consumer: %zu-byte %s frame from heap %s, %d bad rows\n",
	       vivtheap_buffer_size(frame),
	       vivtheap_caching_name(vivtheap_buffer_caching(frame)),
	       vivtheap_buffer_heap_name(frame), bad);
	vivtheap_buffer_free(frame); /* unmaps and closes our fd */
	return bad != 0;
}

static int import_into_vgem(int dmabuf_fd)
{
	char path[32];
	uint32_t handle;

	for (int i = 0; i < 8; i++) {
		drmVersionPtr v;
		int drm, ret = -ENODEV;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		drm = open(path, O_RDWR | O_CLOEXEC);
		if (drm < 0)
			continue;
		v = drmGetVersion(drm);
		if (v && !strcmp(v->name, "vgem")) {
			ret = drmPrimeFDToHandle(drm, dmabuf_fd, &handle);
			if (!ret) {
				printf("producer: vgem imported the frame as GEM handle %u\n", handle);
				drmCloseBufferHandle(drm, handle);
			}
		}
		drmFreeVersion(v);
		close(drm);
		if (!ret)
			return 0;
	}
	return -ENODEV;
}

int main(void)
{
	struct vivtheap_heap *heap;
	struct vivtheap_buffer *frame;
	int sv[2], status, ret;
	uint8_t *y;
	void *p;
	pid_t pid;

	/* 1. An uncached, contiguous heap; no fallback to a cached one. */
	ret = vivtheap_heap_find(VIVTHEAP_CACHING_UNCACHED, VIVTHEAP_PROP_CONTIGUOUS, 0, &heap);
	if (ret) {
		fprintf(stderr, "no uncached contiguous heap: %s\n", strerror(-ret));
		return 1;
	}
	ret = vivtheap_buffer_alloc(heap, FRAME_SIZE, 0, &frame);
	vivtheap_heap_close(heap); /* the buffer does not need the heap open */
	if (ret) {
		fprintf(stderr, "alloc: %s\n", strerror(-ret));
		return 1;
	}

	/* 2. Fill it inside a WRITE bracket. */
	ret = vivtheap_buffer_map(frame, &p);
	if (!ret)
		ret = vivtheap_buffer_begin(frame, VIVTHEAP_ACCESS_WRITE);
	if (ret)
		goto out;
	y = p;
	for (int row = 0; row < HEIGHT; row++)
		memset(y + row * WIDTH, row, WIDTH);
	ret = vivtheap_buffer_end(frame, VIVTHEAP_ACCESS_WRITE);
	if (ret)
		goto out;

	/* 3. Hand it to a DRM importer: the fd stays ours. */
	ret = import_into_vgem(vivtheap_buffer_fd(frame));
	if (ret)
		goto out;

	/* 4. Share it with another process over a UNIX socket. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		ret = -errno;
		goto out;
	}
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(consumer(sv[1]));
	}
	close(sv[1]);
	ret = vivtheap_buffer_send(frame, sv[0]);
	close(sv[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		ret = ret ? ret : -EIO;
out:
	if (ret)
		fprintf(stderr, "example: %s\n", strerror(-ret));
	vivtheap_buffer_free(frame);
	return ret ? 1 : 0;
}
