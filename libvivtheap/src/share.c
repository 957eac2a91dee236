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

/* One message of the protocol: the wire header and room for one fd. */
struct vivtheap_msg {
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct vivtheap_wire wire;
	struct iovec iov;
	struct msghdr msg;
};

static void vivtheap_msg_init(struct vivtheap_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->iov.iov_base = &m->wire;
	m->iov.iov_len = sizeof(m->wire);
	m->msg.msg_iov = &m->iov;
	m->msg.msg_iovlen = 1;
	m->msg.msg_control = m->control.buf;
	m->msg.msg_controllen = sizeof(m->control.buf);
}

VIVTHEAP_EXPORT int vivtheap_buffer_send(const struct vivtheap_buffer *buf,
					 int sock)
{
	struct vivtheap_msg m;
	struct cmsghdr *c;
	ssize_t ret;

	if (!buf || sock < 0)
		return -EINVAL;
	vivtheap_msg_init(&m);
	m.wire.magic = VIVTHEAP_WIRE_MAGIC;
	m.wire.version = VIVTHEAP_WIRE_VERSION;
	m.wire.size = buf->size;
	m.wire.caching = buf->caching;
	memcpy(m.wire.heap, buf->heap, sizeof(m.wire.heap));
	c = CMSG_FIRSTHDR(&m.msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &buf->fd, sizeof(int));
	do {
		ret = vivtheap_sys_sendmsg(sock, &m.msg, 0);
	} while (ret == -EINTR);
	if (ret < 0)
		return (int)ret;
	return ret == (ssize_t)sizeof(m.wire) ? 0 : -EPROTO;
}

VIVTHEAP_EXPORT int vivtheap_buffer_recv(int sock, unsigned int flags,
					 struct vivtheap_buffer **buf)
{
	struct vivtheap_buffer *b;
	struct vivtheap_msg m;
	struct cmsghdr *c;
	int fd = -1, ret;
	ssize_t n;

	if (!buf || sock < 0 ||
	    (flags & ~(VIVTHEAP_BUFFER_CHECKED | VIVTHEAP_BUFFER_READONLY)))
		return -EINVAL;
	vivtheap_msg_init(&m);
	do {
		n = vivtheap_sys_recvmsg(sock, &m.msg, MSG_WAITALL);
	} while (n == -EINTR);
	if (n < 0)
		return (int)n;
	c = CMSG_FIRSTHDR(&m.msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
	    c->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (n == 0 && fd < 0)
		return -ECONNRESET;
	if (n != (ssize_t)sizeof(m.wire) || fd < 0 ||
	    (m.msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) ||
	    m.wire.magic != VIVTHEAP_WIRE_MAGIC ||
	    m.wire.version != VIVTHEAP_WIRE_VERSION) {
		ret = -EPROTO;
		goto close_fd;
	}
	m.wire.heap[sizeof(m.wire.heap) - 1] = '\0';
	if (m.wire.caching > VIVTHEAP_CACHING_CACHED)
		m.wire.caching = VIVTHEAP_CACHING_UNKNOWN;
	/* From here the buffer object owns fd (closed on failure). */
	ret = vivtheap_buffer_wrap(fd, flags, m.wire.heap,
				   (enum vivtheap_caching)m.wire.caching, 0, &b);
	if (ret)
		return ret;
	if (b->size != m.wire.size) {
		vivtheap_buffer_free(b);
		return -EPROTO;
	}
	*buf = b;
	return 0;

close_fd:
	if (fd >= 0)
		vivtheap_sys_close(fd);
	return ret;
}
