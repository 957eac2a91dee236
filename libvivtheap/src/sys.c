// SPDX-License-Identifier: MIT
/* The library's syscall seam: thin, no logic, replaced in host tests. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sys.h"

int vivtheap_sys_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int vivtheap_sys_close(int fd)
{
	return close(fd) ? -errno : 0;
}

int vivtheap_sys_ioctl(int fd, unsigned long request, void *arg)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? -errno : ret;
}

void *vivtheap_sys_mmap(size_t len, int prot, int fd, int *err)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, 0);

	*err = p == MAP_FAILED ? -errno : 0;
	return p;
}

int vivtheap_sys_munmap(void *addr, size_t len)
{
	return munmap(addr, len) ? -errno : 0;
}

int vivtheap_sys_mprotect(void *addr, size_t len, int prot)
{
	return mprotect(addr, len, prot) ? -errno : 0;
}

off_t vivtheap_sys_size(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);

	return size < 0 ? -errno : size;
}

int vivtheap_sys_is_dmabuf(int fd)
{
	char path[64], line[128];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "exp_name:", 9);
	fclose(f);
	return found;
}

int vivtheap_sys_dup(int fd)
{
	int ret = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	return ret < 0 ? -errno : ret;
}

ssize_t vivtheap_sys_sendmsg(int sock, const struct msghdr *msg, int flags)
{
	ssize_t ret = sendmsg(sock, msg, flags | MSG_NOSIGNAL);

	return ret < 0 ? -errno : ret;
}

ssize_t vivtheap_sys_recvmsg(int sock, struct msghdr *msg, int flags)
{
	ssize_t ret = recvmsg(sock, msg, flags | MSG_CMSG_CLOEXEC);

	return ret < 0 ? -errno : ret;
}

int vivtheap_sys_listdir(const char *path,
			 int (*fn)(const char *name, void *ctx), void *ctx)
{
	struct dirent *e;
	int ret = 0;
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	for (;;) {
		errno = 0;
		e = readdir(d);
		if (!e) {
			ret = errno ? -errno : 0;
			break;
		}
		if (e->d_name[0] == '.')
			continue;
		ret = fn(e->d_name, ctx);
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}
