// SPDX-License-Identifier: MIT
/*
 * Unloading against opening (issue 9 §3, chardev backend): two processes
 * open and close the heap nodes and the control node without pause (and
 * allocate and free a buffer on what they open) while this one unloads the
 * module with rmmod's O_NONBLOCK semantics and loads it again, ROUNDS
 * times. An open of a node that is gone fails with ENOENT (the node was
 * removed) or ENODEV/ENXIO (it is going); an unload with a node or buffer
 * held fails with EBUSY or EAGAIN and is retried. Nothing else may fail; the
 * runner fails any kernel warning, oops, lockdep report, leak. Ends with the
 * module loaded as init.sh loads it. On a heap boot the module is pinned
 * since boot: the test skips, saying so.
 */
#include "gt.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define ROUNDS 20
#define OPENERS 2

static const char *const nodes[] = {
	HEAP_DIR "/" VIVTHEAP_HEAP_UNCACHED_NAME,
	HEAP_DIR "/" VIVTHEAP_HEAP_WC_NAME,
	VIVTHEAP_CTL_PATH,
};

static void opener(int id)
{
	unsigned long opened = 0, gone = 0, allocs = 0;
	unsigned int i = (unsigned int)id;

	for (;;) {
		const char *path = nodes[i++ % 3];
		int fd = open(path, O_RDWR | O_CLOEXEC);

		if (fd < 0) {
			if (errno != ENOENT && errno != ENODEV && errno != ENXIO)
				FAIL("opener %d: open %s: %s", id, path, strerror(errno));
			gone++;
			continue;
		}
		opened++;
		if (path != nodes[2]) {
			int b = gt_alloc(fd, 4096, O_RDWR | O_CLOEXEC);

			if (b >= 0) {
				allocs++;
				close(b);
			} else if (b != -ENOMEM) {
				FAIL("opener %d: alloc on %s: %s", id, path, strerror(-b));
			}
		}
		close(fd);
		if ((opened + gone) % 5000 == 0)
			printf("opener %d: %lu opens, %lu found the node gone, %lu buffers\n", id,
			       opened, gone, allocs);
	}
}

static int load(const char *params)
{
	int fd = open("/lib/vivtheap.ko", O_RDONLY | O_CLOEXEC), ret;

	CHECK(fd >= 0);
	ret = (int)syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

int main(void)
{
	char backend[32] = "", params[64];
	pid_t pids[OPENERS];
	unsigned long busy = 0;
	int i, round, status;
	FILE *f;

	if (!access("/sys/class/dma_heap/" VIVTHEAP_HEAP_WC_NAME, F_OK))
		SKIP("heap backend: vivtheap is pinned since boot (the dma-heap core cannot remove a heap)");
	f = fopen("/tmp/backend", "r");
	if (!f || !fgets(backend, sizeof(backend), f))
		FAIL("/tmp/backend: the boot's backend is not recorded");
	fclose(f);
	backend[strcspn(backend, "\n")] = 0;
	snprintf(params, sizeof(params), "backend=%s", backend);
	fflush(stdout);
	for (i = 0; i < OPENERS; i++) {
		pids[i] = fork();
		CHECK(pids[i] >= 0);
		if (!pids[i]) {
			opener(i);
			_exit(0);
		}
	}
	for (round = 0; round < ROUNDS; round++) {
		/* O_NONBLOCK: refused while anything holds the module */
		while (syscall(SYS_delete_module, "vivtheap", O_NONBLOCK)) {
			if (errno != EBUSY && errno != EAGAIN && errno != EWOULDBLOCK)
				FAIL("round %d: rmmod: %s", round, strerror(errno));
			busy++;
			usleep(1000);
		}
		usleep(2000);
		if (load(params))
			FAIL("round %d: insmod %s: %s", round, params, strerror(errno));
		usleep(2000);
	}
	for (i = 0; i < OPENERS; i++) {
		kill(pids[i], SIGTERM);
		CHECK(waitpid(pids[i], &status, 0) == pids[i]);
		if (WIFEXITED(status))
			FAIL("opener %d stopped by itself (exit %d)", i, WEXITSTATUS(status));
	}
	if (access(HEAP_DIR "/" VIVTHEAP_HEAP_WC_NAME, F_OK))
		FAIL("vivtheap is not loaded at the end");
	printf("ok: %d unloads and loads against %d openers (%lu unloads refused while held)\n",
	       ROUNDS, OPENERS, busy);
	return 0;
}
