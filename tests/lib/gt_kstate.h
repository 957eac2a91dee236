/* SPDX-License-Identifier: MIT */
/*
 * What a guest test reads of the kernel's state around a step, to show that
 * the step left nothing behind (the dma-buf count, CMA pages), and the set-up
 * of the kernel's fault injection (failslab, fail_page_alloc) for a sweep.
 */
#ifndef GT_KSTATE_H
#define GT_KSTATE_H

#include <dirent.h>

#include "gt.h"

#define GT_DBG "/sys/kernel/debug"

/* Writes v to a (debugfs or sysfs) file; fails the test if it cannot. */
static inline void gt_put(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, v, strlen(v)) != (ssize_t)strlen(v))
		FAIL("write %s to %s: %s", v, path, strerror(errno));
	close(fd);
}

/* Live dma-bufs in the whole system, from the dma-buf core's own list. */
static inline long long gt_dmabufs(void)
{
	const char *path = GT_DBG "/dma_buf/bufinfo";
	char line[256];
	long long n = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		FAIL("open %s: %s", path, strerror(errno));
	/* "Total N objects, B bytes" (not a buffer's "Total N devices attached") */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Total %lld", &n) == 1 && strstr(line, " objects"))
			break;
	fclose(f);
	return n;
}

/*
 * CMA pages in use in every area, after vivtheap's pools are emptied (when
 * it is loaded); -1 where the kernel has no such count (CONFIG_CMA_DEBUGFS).
 */
static inline long long gt_cma_used(void)
{
	char path[512], line[64];
	long long sum = -1, v;
	struct dirent *e;
	DIR *d;

	if (!access(GT_DBG "/vivtheap/drain_pools", W_OK))
		gt_put(GT_DBG "/vivtheap/drain_pools", "1");
	d = opendir(GT_DBG "/cma");
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), GT_DBG "/cma/%s/used", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f) && sscanf(line, "%lld", &v) == 1)
			sum = (sum < 0 ? 0 : sum) + v;
		fclose(f);
	}
	closedir(d);
	return sum;
}

/* Does the running kernel export SYM to modules? */
static inline int gt_kernel_exports(const char *sym)
{
	char line[256], want[128];
	int found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	CHECK(f != NULL);
	snprintf(want, sizeof(want), " __ksymtab_%s\n", sym);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	fclose(f);
	return found;
}

/*
 * failslab and fail_page_alloc made to count sleeping and highmem
 * allocations of every order, and to print nothing: then fail-nth reaches
 * every allocation a path makes. Skips where the kernel has no fault
 * injection, unless the target promises it (vivtheap.expect=faults).
 */
static inline void gt_fault_setup(int promised)
{
	if (access(GT_DBG "/failslab", F_OK) || access(GT_DBG "/fail_page_alloc", F_OK)) {
		if (promised)
			FAIL("the target promises fault injection: no failslab/fail_page_alloc");
		SKIP("no failslab or fail_page_alloc in debugfs (CONFIG_FAULT_INJECTION_DEBUG_FS)");
	}
	gt_put(GT_DBG "/failslab/ignore-gfp-wait", "N");
	gt_put(GT_DBG "/fail_page_alloc/ignore-gfp-wait", "N");
	gt_put(GT_DBG "/fail_page_alloc/ignore-gfp-highmem", "N");
	gt_put(GT_DBG "/fail_page_alloc/min-order", "0");
	gt_put(GT_DBG "/failslab/verbose", "0");
	gt_put(GT_DBG "/fail_page_alloc/verbose", "0");
}

#endif
