// SPDX-License-Identifier: MIT
/* Sharing: a buffer over a connected UNIX socket, with its size and heap. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "internal.h"
#include "sys.h"

#define VIVTHEAP_WIRE_MAGIC 0x76697674u /* "vivt" */
#define VIVTHEAP_WIRE_VERSION 1u

/* What travels beside the fd; fixed-size, host byte order (same machine). */
struct vivtheap_wire {
	uint32_t magic;
	uint32_t version;
	uint64_t size;
	uint32_t caching;
	uint32_t reserved;
	char heap[VIVTHEAP_HEAP_NAME_MAX];
};

VIVTHEAP_EXPORT int vivtheap_buffer_send(const struct vivtheap_buffer *buf,
					 int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct vivtheap_wire wire;
	struct iovec iov = { &wire, sizeof(wire) };
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t ret;

	if (!buf || sock < 0)
		return -EINVAL;
	memset(&wire, 0, sizeof(wire));
	wire.magic = VIVTHEAP_WIRE_MAGIC;
	wire.version = VIVTHEAP_WIRE_VERSION;
	wire.size = buf->size;
	wire.caching = buf->caching;
	memcpy(wire.heap, buf->heap, sizeof(wire.heap));
	memset(&control, 0, sizeof(control));
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &buf->fd, sizeof(int));
	do {
		ret = vivtheap_sys_sendmsg(sock, &msg, 0);
	} while (ret == -EINTR);
	if (ret < 0)
		return (int)ret;
	return ret == (ssize_t)sizeof(wire) ? 0 : -EPROTO;
}

VIVTHEAP_EXPORT int vivtheap_buffer_recv(int sock, unsigned int flags,
					 struct vivtheap_buffer **buf)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct vivtheap_wire wire;
	struct iovec iov = { &wire, sizeof(wire) };
	struct msghdr msg;
	struct cmsghdr *c;
	int fd = -1, ret;
	ssize_t n;

	if (!buf || sock < 0 ||
	    (flags & ~(VIVTHEAP_BUFFER_CHECKED | VIVTHEAP_BUFFER_READONLY)))
		return -EINVAL;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	do {
		n = vivtheap_sys_recvmsg(sock, &msg, MSG_WAITALL);
	} while (n == -EINTR);
	if (n < 0)
		return (int)n;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (n == 0 && fd < 0)
		return -ECONNRESET;
	if (n != (ssize_t)sizeof(wire) || fd < 0 ||
	    (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) ||
	    wire.magic != VIVTHEAP_WIRE_MAGIC ||
	    wire.version != VIVTHEAP_WIRE_VERSION) {
		ret = -EPROTO;
		goto close_fd;
	}
	wire.heap[sizeof(wire.heap) - 1] = '\0';
	if (wire.caching > VIVTHEAP_CACHING_CACHED)
		wire.caching = VIVTHEAP_CACHING_UNKNOWN;
	/* From here the buffer object owns fd (closed on failure). */
	ret = vivtheap_buffer_wrap(fd, flags, wire.heap,
				   (enum vivtheap_caching)wire.caching, false, buf);
	if (!ret && (*buf)->size != wire.size) {
		vivtheap_buffer_free(*buf);
		*buf = NULL;
		return -EPROTO;
	}
	return ret;

close_fd:
	if (fd >= 0)
		vivtheap_sys_close(fd);
	return ret;
}

VIVTHEAP_EXPORT const char *vivtheap_version(void)
{
	return VIVTHEAP_VERSION_STRING;
}
