/* SPDX-License-Identifier: MIT */
/*
 * Tests that must crash: run a function in a child with its stderr
 * captured, and the getters that fail their assertion on NULL. Under
 * valgrind (VIVTHEAP_TEST_NO_CRASH) the children are not run (they run
 * under ASan): the test is skipped with its reason.
 */
#ifndef CHILD_H
#define CHILD_H

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmocka_shim.h"

/* Run fn in a child with stderr captured in err; returns its wait status. */
static inline int run_child(void (*fn)(void), char *err, size_t errlen)
{
	int pipefd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (getenv("VIVTHEAP_TEST_NO_CRASH")) {
		print_message("crash test not run under valgrind (it runs under ASan)\n");
		skip();
	}

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		fn();
		_exit(0);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], err + got, errlen - 1 - (size_t)got)) > 0)
		got += n;
	err[got] = '\0';
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* A getter called with NULL (NULL_CALL defines null_<getter>). */
struct null_getter {
	const char *name;
	void (*call)(void);
};
#define NULL_CALL(f, ...) \
	static void null_##f(void) { (void)f(__VA_ARGS__); }
#define NULL_GETTER(f) { #f, null_##f }

/* Each getter given NULL fails its assertion (the library is built
 * without NDEBUG here; ci/host-check.sh checks the NDEBUG build's values). */
static inline void assert_getters_abort(const struct null_getter *g, size_t n)
{
	char err[512];
	size_t i;
	int status;

	for (i = 0; i < n; i++) {
		status = run_child(g[i].call, err, sizeof(err));
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT ||
		    !strstr(err, g[i].name) || !strstr(err, "Assertion"))
			fail_msg("%s(NULL): wait status 0x%x, stderr \"%s\"; want an assertion",
				 g[i].name, status, err);
	}
}

#endif /* CHILD_H */
