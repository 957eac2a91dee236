/* SPDX-License-Identifier: MIT */
/*
 * The library's one seam to the kernel. Every function returns what libc
 * does but with -errno instead of -1/errno (mmap: MAP_FAILED and *err).
 * Host tests replace these symbols with -Wl,--wrap=vivtheap_sys_*.
 */
#ifndef VIVTHEAP_SYS_H
#define VIVTHEAP_SYS_H

#include <sys/socket.h>
#include <sys/types.h>

int vivtheap_sys_open(const char *path, int flags);
int vivtheap_sys_close(int fd);
int vivtheap_sys_ioctl(int fd, unsigned long request, void *arg);
void *vivtheap_sys_mmap(size_t len, int prot, int fd, int *err);
int vivtheap_sys_munmap(void *addr, size_t len);
int vivtheap_sys_mprotect(void *addr, size_t len, int prot);
off_t vivtheap_sys_size(int fd);
/* 1 if fd is a dma-buf (its fdinfo has exp_name), 0 if not, or -errno. */
int vivtheap_sys_is_dmabuf(int fd);
int vivtheap_sys_dup(int fd);
ssize_t vivtheap_sys_sendmsg(int sock, const struct msghdr *msg, int flags);
ssize_t vivtheap_sys_recvmsg(int sock, struct msghdr *msg, int flags);
/* Directory listing: calls fn(name, ctx) per entry; returns 0 or -errno. */
int vivtheap_sys_listdir(const char *path,
			 int (*fn)(const char *name, void *ctx), void *ctx);

#endif /* VIVTHEAP_SYS_H */
