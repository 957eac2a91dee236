// SPDX-License-Identifier: MIT
/* On a boot without a CMA area (cma=0): the uncached and write-combined heaps are not registered (dma_alloc_attrs() would leave their pages a cacheable linear alias), in no listing, and the log says why; the cached heap works; pool_cma_percent=0 turns its pool off though the CMA area's size is unknown. */
#include <dirent.h>
#include <sys/stat.h>

#include "gt.h"

#define PARAMS "/sys/module/vivtheap/parameters/"
#define DEBUGFS "/sys/kernel/debug/vivtheap/"
#define CMA_DIR "/sys/kernel/debug/cma"
#define BOOT_LOG "/tmp/dmesg.all" /* init.sh keeps the whole kernel log */
#define SIZE (1UL << 20)

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		FAIL("write %s to %s: %s", text, path, strerror(errno));
	close(fd);
}

/* Whether the boot log has a line containing @what. */
static int logged(const char *what)
{
	char line[512];
	int found = 0;
	FILE *f = fopen(BOOT_LOG, "r");

	if (!f)
		FAIL("open %s: %s", BOOT_LOG, strerror(errno));
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

/* This must be a boot without any CMA area, or the test proves nothing. */
static void check_no_cma(void)
{
	char cmdline[1024] = "";
	struct dirent *d;
	FILE *f = fopen("/proc/cmdline", "r");
	DIR *dir;

	CHECK(f != NULL);
	CHECK(fgets(cmdline, sizeof(cmdline), f) != NULL);
	fclose(f);
	if (!strstr(cmdline, " cma=0"))
		FAIL("not a cma=0 boot: %s", cmdline);
	dir = opendir(CMA_DIR);
	if (!dir)
		return; /* no CONFIG_CMA_DEBUGFS: the command line must do */
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			FAIL("cma=0, yet there is a CMA area: %s/%s", CMA_DIR, d->d_name);
	closedir(dir);
}

/* A heap refused at load: no node, no control-node answer, no debugfs, logged. */
static void check_refused(int ctl, const char *heap)
{
	struct vivtheap_ioc_heap_info hi = { 0 };
	char path[256], want[256];
	struct stat st;

	CHECK_ERRNO(gt_heap_open(heap), ENOENT);
	snprintf(hi.name, sizeof(hi.name), "%s", heap);
	CHECK_ERRNO(ioctl(ctl, VIVTHEAP_IOC_HEAP_INFO, &hi), ENOENT);
	snprintf(path, sizeof(path), DEBUGFS "%s", heap);
	CHECK_ERRNO(stat(path, &st), ENOENT);
	snprintf(want, sizeof(want),
		 "vivtheap: %s: not registered: vivtheap has no CMA area", heap);
	if (!logged(want))
		FAIL("no \"%s\" line in the boot log", want);
	printf("%s: not registered, in no listing, logged\n", heap);
}

/* The cached heap: listed, and a buffer holds what is written to it. */
static void check_cached(int ctl)
{
	struct vivtheap_ioc_heap_info hi = { 0 };
	struct vivtheap_ioc_buffer_info bi = { 0 };
	int hfd, fd;
	uint32_t *p;
	size_t i;

	snprintf(hi.name, sizeof(hi.name), VIVTHEAP_HEAP_CACHED_NAME);
	CHECK(ioctl(ctl, VIVTHEAP_IOC_HEAP_INFO, &hi) == 0);
	CHECK(hi.cache_mode == VIVTHEAP_CACHE_CACHED);
	hfd = gt_heap_open(VIVTHEAP_HEAP_CACHED_NAME);
	CHECK(hfd >= 0);
	fd = gt_alloc(hfd, SIZE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		FAIL("%s: %lu bytes: %s", VIVTHEAP_HEAP_CACHED_NAME, SIZE, strerror(-fd));
	bi.fd = (uint32_t)fd;
	CHECK(ioctl(ctl, VIVTHEAP_IOC_BUFFER_INFO, &bi) == 0);
	CHECK(bi.cache_mode == VIVTHEAP_CACHE_CACHED && bi.size == SIZE);
	CHECK(bi.info_flags & VIVTHEAP_INFO_CONTIGUOUS);
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0);
	for (i = 0; i < SIZE / 4; i++)
		p[i] = 0x5a000000u + (uint32_t)i;
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0);
	for (i = 0; i < SIZE / 4; i++)
		if (p[i] != 0x5a000000u + (uint32_t)i)
			FAIL("cached: word %zu holds %#x", i, p[i]);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0);
	munmap(p, SIZE);
	close(fd);
	close(hfd);
	printf("%s: listed, a %lu-byte buffer works\n", VIVTHEAP_HEAP_CACHED_NAME, SIZE);
}

/* Allocate and free one buffer of the cached heap: it may go to the pool. */
static void alloc_free(void)
{
	int hfd = gt_heap_open(VIVTHEAP_HEAP_CACHED_NAME), fd;

	CHECK(hfd >= 0);
	fd = gt_alloc(hfd, SIZE, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	close(fd);
	close(hfd);
}

/*
 * Without a CMA area the pool's CMA-relative bound has no size to take a
 * share of; pool_cma_percent=0 ("no pool") must still turn the pool off.
 * That the buffer is pooled with the default share shows the check can fail.
 */
static void check_pool_off(void)
{
	const char *heap = VIVTHEAP_HEAP_CACHED_NAME;
	long long pct = gt_read_number(PARAMS "pool_cma_percent");
	char text[32];

	write_file(DEBUGFS "drain_pools", "1");
	alloc_free();
	if (gt_stat(heap, "pool_buffers") != 1)
		FAIL("%s: a freed buffer is not pooled with pool_cma_percent=%lld",
		     heap, pct);
	write_file(PARAMS "pool_cma_percent", "0");
	alloc_free();
	if (gt_stat(heap, "pool_buffers"))
		FAIL("%s: pool_cma_percent=0, the CMA area's size unknown: %lld buffers pooled",
		     heap, gt_stat(heap, "pool_buffers"));
	snprintf(text, sizeof(text), "%lld", pct);
	write_file(PARAMS "pool_cma_percent", text);
	write_file(DEBUGFS "drain_pools", "1");
	printf("pool_cma_percent=0 turns the pool off without a CMA area\n");
}

int main(void)
{
	int ctl;

	check_no_cma();
	ctl = open(VIVTHEAP_CTL_PATH, O_RDWR | O_CLOEXEC);
	CHECK(ctl >= 0);
	check_refused(ctl, VIVTHEAP_HEAP_UNCACHED_NAME);
	check_refused(ctl, VIVTHEAP_HEAP_WC_NAME);
	if (!logged("vivtheap: live heaps: " VIVTHEAP_HEAP_CACHED_NAME " ("))
		FAIL("no \"live heaps: %s (...)\" line in the boot log",
		     VIVTHEAP_HEAP_CACHED_NAME);
	check_cached(ctl);
	check_pool_off();
	close(ctl);
	return 0;
}
