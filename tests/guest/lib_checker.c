// SPDX-License-Identifier: MIT
/* libvivtheap checker mode on a real heap: an unbracketed write crashes at once with the buffer named; bracketed use works. */
#include "gt.h"
#include <signal.h>
#include <sys/wait.h>
#include <vivtheap.h>

int main(void)
{
	struct vivtheap_heap *h;
	struct vivtheap_buffer *b;
	int pipefd[2], status;
	char err[512] = { 0 };
	ssize_t n, got = 0;
	volatile char *p;
	void *v;
	pid_t pid;

	CHECK(vivtheap_heap_open(VIVTHEAP_HEAP_UNCACHED_NAME, &h) == 0);
	/* bracketed: fine */
	CHECK(vivtheap_buffer_alloc(h, 8192, VIVTHEAP_BUFFER_CHECKED, &b) == 0);
	CHECK(vivtheap_buffer_map(b, &v) == 0);
	p = v;
	CHECK(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_WRITE) == 0);
	p[10] = 1;
	CHECK(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_WRITE) == 0);
	vivtheap_buffer_free(b);

	CHECK(pipe(pipefd) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], 2);
		setenv("VIVTHEAP_CHECK", "1", 1);
		if (vivtheap_buffer_alloc(h, 8192, 0, &b) || vivtheap_buffer_map(b, &v))
			_exit(3);
		p = v;
		p[4100] = 1; /* no bracket: the test expects this to crash */
		_exit(4);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], err + got, sizeof(err) - 1 - (size_t)got)) > 0)
		got += n;
	CHECK(waitpid(pid, &status, 0) == pid);
	printf("child said: %s", err);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
		FAIL("unbracketed write did not crash (status 0x%x)", status);
	CHECK(strstr(err, "heap \"" VIVTHEAP_HEAP_UNCACHED_NAME "\"") != NULL);
	CHECK(strstr(err, "at offset 4100 outside a CPU-access bracket") != NULL);
	vivtheap_heap_close(h);
	return 0;
}
