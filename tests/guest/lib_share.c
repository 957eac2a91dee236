// SPDX-License-Identifier: MIT
/* libvivtheap sharing between two processes: send over a socket pair, the receiver writes, the sender sees it; and by path. */
#include "gt.h"
#include <sys/socket.h>
#include <sys/wait.h>
#include <vivtheap.h>

static int child(int sock)
{
	struct vivtheap_buffer *b;
	uint32_t *p;
	void *v;
	size_t i;

	if (vivtheap_buffer_recv(sock, 0, &b))
		return 2;
	if (strcmp(vivtheap_buffer_heap_name(b), VIVTHEAP_HEAP_WC_NAME) ||
	    vivtheap_buffer_caching(b) != VIVTHEAP_CACHING_WC ||
	    vivtheap_buffer_size(b) != 1 << 20)
		return 3;
	if (vivtheap_buffer_map(b, &v) || vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_RW))
		return 4;
	p = v;
	for (i = 0; i < (1 << 20) / 4; i++) {
		if (p[i] != i)
			return 5;
		p[i] = ~(uint32_t)i;
	}
	if (vivtheap_buffer_end(b, VIVTHEAP_ACCESS_RW))
		return 6;
	vivtheap_buffer_free(b);
	return write(sock, "k", 1) == 1 ? 0 : 7;
}

int main(void)
{
	struct vivtheap_heap *h;
	struct vivtheap_buffer *b;
	int sv[2], status;
	uint32_t *p;
	size_t i;
	void *v;
	char c;
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		_exit(child(sv[1]));
	}
	close(sv[1]);
	CHECK(vivtheap_heap_open(VIVTHEAP_HEAP_WC_NAME, &h) == 0);
	CHECK(vivtheap_buffer_alloc(h, 1 << 20, 0, &b) == 0);
	CHECK(vivtheap_buffer_map(b, &v) == 0);
	p = v;
	CHECK(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_WRITE) == 0);
	for (i = 0; i < (1 << 20) / 4; i++)
		p[i] = (uint32_t)i;
	CHECK(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_WRITE) == 0);
	CHECK(vivtheap_buffer_send(b, sv[0]) == 0);
	CHECK(read(sv[0], &c, 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("receiver failed with status 0x%x", status);
	CHECK(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_READ) == 0);
	for (i = 0; i < (1 << 20) / 4; i++)
		if (p[i] != ~(uint32_t)i)
			FAIL("word %zu: sender does not see the receiver's write", i);
	CHECK(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_READ) == 0);
	/* the peer is gone: a receive says so */
	{
		struct vivtheap_buffer *none;

		CHECK(vivtheap_buffer_recv(sv[0], 0, &none) == -ECONNRESET);
	}
	close(sv[0]);
	vivtheap_buffer_free(b);
	vivtheap_heap_close(h);
	printf("shared 1 MiB of %s between two processes both ways\n", VIVTHEAP_HEAP_WC_NAME);
	return 0;
}
