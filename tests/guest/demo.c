// SPDX-License-Identifier: MIT
/* The demo: allocate from each vivtheap heap, fill under CPU-access brackets, hand to a second process over a UNIX socket which reads it back, import into vgem, report. */
#include "gt.h"
#include <dirent.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include "gt_vgem.h"

#define SOCK_PATH "/tmp/vivtheap-demo.sock"
#define SIZE (3u << 20) /* a 1080p NV12 frame, rounded up */

static const char *mode_name(uint32_t m)
{
	return m == VIVTHEAP_CACHE_UNCACHED ? "uncached" :
	       m == VIVTHEAP_CACHE_WC	    ? "write-combined" : "?";
}

static int reader(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(sizeof(int))];
	char name[64] = { 0 };
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) - 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), fd, tries;
	uint32_t *p, bad = 0, i;

	strcpy(addr.sun_path, SOCK_PATH);
	for (tries = 0; connect(s, (void *)&addr, sizeof(addr)); tries++) {
		if (tries > 100)
			return 1;
		usleep(20000);
	}
	if (recvmsg(s, &msg, MSG_CMSG_CLOEXEC) <= 0 || !CMSG_FIRSTHDR(&msg))
		return 1;
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	p = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	if (gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		return 1;
	for (i = 0; i < SIZE / 4; i++)
		bad += p[i] != (0xc0de0000u ^ i);
	if (gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
		return 1;
	printf("    reader (pid %d) got fd %d over %s for %s: %u of %u words wrong\n",
	       getpid(), fd, SOCK_PATH, name, bad, SIZE / 4);
	munmap(p, SIZE);
	close(fd);
	close(s);
	return bad ? 1 : 0;
}

static int vgem_import(int fd, uint32_t *handle)
{
	int drm = gt_open_vgem(), ret;

	if (drm < 0)
		return -ENODEV;
	ret = drmPrimeFDToHandle(drm, fd, handle);
	if (!ret)
		drmCloseBufferHandle(drm, *handle);
	close(drm);
	return ret;
}

static int demo_heap(const char *heap, int ctl)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct vivtheap_ioc_buffer_info info = { 0 };
	long long d0 = gt_stat(heap, "drain_write_buffer"), d1;
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)heap, .iov_len = strlen(heap) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	int hfd = gt_heap_open(heap), fd, ls, cs, status;
	uint32_t *p, i, handle = 0;
	pid_t pid;

	printf("  heap %s\n", heap);
	if (hfd < 0 || (fd = gt_alloc(hfd, SIZE, O_RDWR | O_CLOEXEC)) < 0) {
		printf("    allocation failed\n");
		return 1;
	}
	info.fd = (uint32_t)fd;
	if (ioctl(ctl, VIVTHEAP_IOC_BUFFER_INFO, &info))
		return 1;
	printf("    allocated %llu bytes: %s, %s, from heap %s\n",
	       (unsigned long long)info.size, mode_name(info.cache_mode),
	       info.info_flags & VIVTHEAP_INFO_CONTIGUOUS ? "contiguous" : "scattered",
	       info.heap_name);
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 1;
	if (gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE)) {
		printf("    DMA_BUF_IOCTL_SYNC START failed: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < SIZE / 4; i++)
		p[i] = 0xc0de0000u ^ i;
	if (gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE)) {
		printf("    DMA_BUF_IOCTL_SYNC END failed: %s\n", strerror(errno));
		return 1;
	}
	d1 = gt_stat(heap, "drain_write_buffer");
	printf("    wrote a pattern inside DMA_BUF_IOCTL_SYNC START/END (WRITE): write buffer drained %lld time(s), 0 cache lines cleaned\n",
	       d1 - d0);
	printf("      (%s)\n", info.cache_mode == VIVTHEAP_CACHE_WC ?
		       "write-combined stores are buffered: the end of the bracket drains them" :
		       d1 > d0 ? "ARMv6+: the DMA API's 'uncached' memory is bufferable, so it is drained too" :
				 "ARMv5: 'uncached' is strongly ordered, nothing is ever buffered");

	unlink(SOCK_PATH);
	strcpy(addr.sun_path, SOCK_PATH);
	ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || bind(ls, (void *)&addr, sizeof(addr)) || listen(ls, 1))
		return 1;
	pid = fork();
	if (pid == 0)
		_exit(reader());
	cs = accept(ls, NULL, NULL);
	if (cs < 0)
		return 1;
	CMSG_FIRSTHDR(&msg)->cmsg_level = SOL_SOCKET;
	CMSG_FIRSTHDR(&msg)->cmsg_type = SCM_RIGHTS;
	CMSG_FIRSTHDR(&msg)->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(CMSG_FIRSTHDR(&msg)), &fd, sizeof(int));
	if (sendmsg(cs, &msg, 0) <= 0)
		return 1;
	waitpid(pid, &status, 0);
	close(cs);
	close(ls);
	unlink(SOCK_PATH);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("    the reader saw wrong data\n");
		return 1;
	}
	if (vgem_import(fd, &handle)) {
		printf("    vgem import failed\n");
		return 1;
	}
	printf("    imported into vgem with drmPrimeFDToHandle: GEM handle %u (attachments so far: %lld)\n",
	       handle, gt_stat(heap, "attach"));
	munmap(p, SIZE);
	close(fd);
	close(hfd);
	return 0;
}

int main(void)
{
	struct utsname u;
	struct dirent *e;
	int ctl, bad = 0, i;
	DIR *d;

	uname(&u);
	printf("vivtheap demo on Linux %s (%s)\n", u.release, u.machine);
	printf("  heaps in " HEAP_DIR ":");
	d = opendir(HEAP_DIR);
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			printf(" %s", e->d_name);
	if (d)
		closedir(d);
	printf("\n");
	ctl = open(VIVTHEAP_CTL_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		printf("  no " VIVTHEAP_CTL_PATH ": is vivtheap.ko loaded?\n");
		return 1;
	}
	for (i = 0; i < GT_NR_OUR_HEAPS; i++)
		bad |= demo_heap(gt_our_heaps[i], ctl);
	close(ctl);
	printf("%s\n", bad ? "demo FAILED" : "demo OK: every reader saw every word");
	return bad;
}
