// SPDX-License-Identifier: MIT
/* A buffer passed by fork and by SCM_RIGHTS is written by the receiver and seen by the sender; close-while-mapped keeps the mapping valid. */
#include "gt.h"
#include "gt_fd.h"
#include <sys/socket.h>
#include <sys/wait.h>

static void fill(int fd, size_t n, uint32_t seed)
{
	uint32_t *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	size_t i;

	CHECK(p != MAP_FAILED);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0);
	for (i = 0; i < n / 4; i++)
		p[i] = seed + (uint32_t)i;
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0);
	CHECK(munmap(p, n) == 0);
}

static int verify(const uint32_t *p, int fd, size_t n, uint32_t seed)
{
	size_t i;
	int ok = 1;

	if (gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		return 0;
	for (i = 0; i < n / 4 && ok; i++)
		ok = p[i] == seed + (uint32_t)i;
	if (gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
		return 0;
	return ok;
}

static void wait_child(pid_t pid)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("child failed (status 0x%x)", status);
}

int main(void)
{
	const size_t n = 1 << 20;
	int i;

	for (i = 0; i < GT_NR_OUR_HEAPS; i++) {
		const char *heap = gt_our_heaps[i];
		int hfd = gt_heap_open(heap), fd, sv[2];
		uint32_t *p;
		pid_t pid;

		CHECK(hfd >= 0);
		fd = gt_alloc(hfd, n, O_RDWR | O_CLOEXEC);
		CHECK(fd >= 0);
		p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(p != MAP_FAILED);

		/* By fork: the child writes through its inherited fd. */
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			fill(fd, n, 0x1000);
			_exit(0);
		}
		wait_child(pid);
		if (!verify(p, fd, n, 0x1000))
			FAIL("%s: parent does not see what the forked child wrote", heap);

		/* By SCM_RIGHTS to a process that never had it. */
		CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
		pid = fork();
		CHECK(pid >= 0);
		if (pid == 0) {
			int got;

			close(sv[0]);
			close(fd);
			got = gt_recv_fd(sv[1]);
			if (lseek(got, 0, SEEK_END) != (off_t)n)
				_exit(2);
			fill(got, n, 0xabc00000);
			close(got);
			_exit(0);
		}
		close(sv[1]);
		gt_send_fd(sv[0], fd);
		close(sv[0]);
		wait_child(pid);
		if (!verify(p, fd, n, 0xabc00000))
			FAIL("%s: sender does not see what the receiver wrote", heap);

		/* Close while mapped: the mapping holds the buffer. */
		close(fd);
		close(hfd);
		CHECK(gt_stat(heap, "buffers") == 1);
		CHECK(p[5] == 0xabc00005);
		CHECK(munmap(p, n) == 0);
		CHECK(gt_stat(heap, "buffers") == 0);
		printf("%s: fork, SCM_RIGHTS, close-while-mapped ok\n", heap);
	}
	return 0;
}
