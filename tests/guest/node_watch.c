// SPDX-License-Identifier: MIT
/* Helper of load_fail (not a test): while an insmod runs, report what appears in /dev and debugfs, and keep opening the given nodes, holding what opens. */
/*
 * Usage: node_watch DIR PATH...
 *
 * Prints "ready" once it watches (inotify, IN_CREATE) /dev, /dev/dma_heap
 * and /sys/kernel/debug, and then tries to open every PATH that did not
 * exist at start (one that did is not the module's: /dev/dma_heap/system),
 * over and over, until DIR/stop exists. It prints "created DIR/NAME" for each
 * entry made meanwhile and "held PATH" for each node it opened, and keeps
 * that file open. Then it reads every held file (the module may be gone: a
 * file that outlived it must still be safe to use), prints
 * "read PATH: RESULT", closes it and prints "done".
 */
#include "gt.h"

#include <sched.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#define MAX_PATHS 64

static const char *const watched[] = {
	"/dev",
	"/dev/dma_heap",
	"/sys/kernel/debug",
};

/* Prints the entries created since the last call. */
static void report_created(int in, const int *wd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;
	size_t i;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			for (i = 0; i < sizeof(watched) / sizeof(watched[0]); i++)
				if (wd[i] == ev->wd)
					break;
			if (ev->mask & IN_Q_OVERFLOW)
				printf("created (events lost: queue overflow)\n");
			else if (i < sizeof(watched) / sizeof(watched[0]))
				printf("created %s/%s\n", watched[i],
				       ev->len ? ev->name : "?");
		}
	}
}

int main(int argc, char **argv)
{
	int fds[MAX_PATHS], wd[sizeof(watched) / sizeof(watched[0])];
	int skip[MAX_PATHS];
	char stop[256], buf[64];
	int i, n = argc - 2, in;
	size_t w;
	ssize_t r;

	if (argc < 3 || n > MAX_PATHS)
		return 2;
	snprintf(stop, sizeof(stop), "%s/stop", argv[1]);
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK(in >= 0);
	for (w = 0; w < sizeof(watched) / sizeof(watched[0]); w++) {
		wd[w] = inotify_add_watch(in, watched[w], IN_CREATE);
		/* Not there yet (no heap): its creation shows in /dev. */
		CHECK(wd[w] >= 0 || errno == ENOENT);
	}
	for (i = 0; i < n; i++) {
		fds[i] = -1;
		skip[i] = gt_exists(argv[i + 2]);
	}
	printf("ready\n");
	fflush(stdout);

	while (!gt_exists(stop)) {
		for (i = 0; i < n; i++) {
			if (skip[i] || fds[i] >= 0)
				continue;
			fds[i] = open(argv[i + 2], O_RDONLY | O_NONBLOCK);
			if (fds[i] >= 0) {
				printf("held %s\n", argv[i + 2]);
				fflush(stdout);
			}
		}
		report_created(in, wd);
		fflush(stdout);
		sched_yield();
	}
	report_created(in, wd);

	for (i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		r = read(fds[i], buf, sizeof(buf));
		if (r < 0)
			printf("read %s: %s\n", argv[i + 2], strerror(errno));
		else
			printf("read %s: %zd bytes\n", argv[i + 2], r);
		fflush(stdout);
		close(fds[i]);
	}
	close(in);
	printf("done\n");
	return 0;
}
