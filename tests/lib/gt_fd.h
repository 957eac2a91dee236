/* SPDX-License-Identifier: MIT */
/* Passing an fd through a unix socket (SCM_RIGHTS), and the kernel command
 * line's numbers (vivtheap.fuzz_ops=...), for the guest tests. */
#ifndef GT_FD_H
#define GT_FD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gt.h"

static inline void gt_send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char byte = 'b';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	CHECK(sendmsg(sock, &msg, 0) == 1);
}

/* The fd of the next message, close-on-exec. */
static inline int gt_recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd;

	CHECK(recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) == 1);
	c = CMSG_FIRSTHDR(&msg);
	CHECK(c && c->cmsg_type == SCM_RIGHTS);
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* The kernel command line ("" if unreadable). */
static inline void gt_cmdline(char *cmd, size_t len)
{
	FILE *f = fopen("/proc/cmdline", "r");

	cmd[0] = 0;
	if (f) {
		if (!fgets(cmd, (int)len, f))
			cmd[0] = 0;
		fclose(f);
	}
}

/* The number after KEY ("vivtheap.fuzz_ops=") on the kernel command line. */
static inline unsigned long long gt_cmdline_number(const char *key, unsigned long long dflt)
{
	char cmd[2048], *p;

	gt_cmdline(cmd, sizeof(cmd));
	p = strstr(cmd, key);
	return p ? strtoull(p + strlen(key), NULL, 0) : dflt;
}

/* Does the target promise WHAT (vivtheap.expect=a,b,... from ci/targets)? */
static inline int gt_expects(const char *what)
{
	char cmd[2048], list[512], want[64], *p, *end;

	gt_cmdline(cmd, sizeof(cmd));
	p = strstr(cmd, "vivtheap.expect=");
	if (!p)
		return 0;
	p += strlen("vivtheap.expect=");
	end = strpbrk(p, " \n");
	if (end)
		*end = 0;
	snprintf(list, sizeof(list), ",%s,", p);
	snprintf(want, sizeof(want), ",%s,", what);
	return strstr(list, want) != NULL;
}

#endif /* GT_FD_H */
