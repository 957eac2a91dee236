/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the guest tests: exit 0 pass, 1 fail, 77 skip (with the reason
 * on a line starting with "SKIP"). Every check prints what it saw.
 */
#ifndef GT_H
#define GT_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include <linux/vivtheap.h>

#define GT_SKIP 77

#define FAIL(...)                                                        \
	do {                                                             \
		printf("FAIL %s:%d: ", __FILE__, __LINE__);              \
		printf(__VA_ARGS__);                                     \
		printf("\n");                                            \
		exit(1);                                                 \
	} while (0)

#define SKIP(...)                                                        \
	do {                                                             \
		printf("SKIP ");                                         \
		printf(__VA_ARGS__);                                     \
		printf("\n");                                            \
		exit(GT_SKIP);                                           \
	} while (0)

#define CHECK(cond)                                                      \
	do {                                                             \
		if (!(cond))                                             \
			FAIL("%s (errno %d %s)", #cond, errno,           \
			     strerror(errno));                           \
	} while (0)

/* A call that must fail with exactly errno e. */
#define CHECK_ERRNO(call, e)                                             \
	do {                                                             \
		errno = 0;                                               \
		long r_ = (long)(call);                                  \
		if (r_ != -1 || errno != (e))                            \
			FAIL("%s: want -1/%s, got %ld/%s", #call,        \
			     strerror(e), r_, strerror(errno));          \
	} while (0)

#define HEAP_DIR "/dev/dma_heap"

/* Does PATH exist (a node, a sysfs or debugfs file)? */
static inline int gt_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static inline int gt_heap_open(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), HEAP_DIR "/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Returns the dma-buf fd or -errno. */
static inline int gt_alloc(int heap_fd, uint64_t len, uint32_t fd_flags)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = fd_flags,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -errno;
	return (int)data.fd;
}

static inline int gt_sync(int buf_fd, uint64_t flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(buf_fd, DMA_BUF_IOCTL_SYNC, &sync);
}

/* The heaps of this module, as loaded: every name. */
static const char *const gt_our_heaps[] = {
	VIVTHEAP_HEAP_UNCACHED_NAME,
	VIVTHEAP_HEAP_WC_NAME,
	VIVTHEAP_HEAP_CACHED_NAME,
};
#define GT_NR_OUR_HEAPS 3

/* Is the heap registered through the kernel's dma-heap core? */
static inline int gt_heap_backend(const char *heap)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/dma_heap/%s", heap);
	return access(path, F_OK) == 0;
}

/* The number a sysfs, debugfs or module-parameter file holds. */
static inline long long gt_read_number(const char *path)
{
	long long v;
	FILE *f = fopen(path, "r");

	if (!f)
		FAIL("open %s: %s", path, strerror(errno));
	if (fscanf(f, "%lld", &v) != 1)
		FAIL("%s: no number", path);
	fclose(f);
	return v;
}

/* Read one value (its last line) from /sys/kernel/debug/vivtheap/<heap>/stats. */
static inline void gt_stat_string(const char *heap, const char *name,
				  char *out, size_t len)
{
	char path[128], key[64], v[128], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/vivtheap/%s/stats",
		 heap);
	f = fopen(path, "r");
	if (!f)
		FAIL("open %s: %s", path, strerror(errno));
	out[0] = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %127s", key, v) == 2 &&
		    !strcmp(key, name))
			snprintf(out, len, "%s", v);
	fclose(f);
	if (!out[0])
		FAIL("no %s in %s", name, path);
}

/* Read one counter from /sys/kernel/debug/vivtheap/<heap>/stats. */
static inline long long gt_stat(const char *heap, const char *name)
{
	char v[128], *end;
	long long n;

	gt_stat_string(heap, name, v, sizeof(v));
	n = strtoll(v, &end, 10);
	if (*end || n < 0)
		FAIL("counter %s of %s is \"%s\", not a count", name, heap, v);
	return n;
}

/* The CPU architecture /proc/cpuinfo names (ARM: 5 for ARMv5TEJ, 7...). */
static inline int gt_cpu_arch(void)
{
	char line[256];
	int arch = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		FAIL("open /proc/cpuinfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CPU architecture : %d", &arch) == 1 ||
		    sscanf(line, "CPU architecture: %d", &arch) == 1)
			break;
	fclose(f);
	if (arch < 4)
		FAIL("/proc/cpuinfo: no CPU architecture");
	return arch;
}

#endif /* GT_H */
