// SPDX-License-Identifier: MIT
/*
 * The device-tree binding (docs/bindings/vivtheap,dma-heap.yaml), on a boot whose board tree
 * has ci/dt merged in: each heap is bound to its node and takes its buffers
 * from that node's CMA pool, and nothing else; the bad nodes are refused
 * with their errno (the driver core's line in the boot log) and left unbound;
 * user space cannot unbind a node from under its heap (no unbind file).
 */
#include "gt.h"
#include <limits.h>

#define MIB (1UL << 20)
#define CMA_DIR "/sys/kernel/debug/cma"
#define BOOT_LOG "/tmp/dmesg.all" /* init.sh keeps the whole kernel log */

static long cma_read(const char *area, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), CMA_DIR "/%s/%s", area, file);
	return (long)gt_read_number(path);
}

/* Pages used in every CMA area but @area. */
static long cma_used_elsewhere(const char *area)
{
	FILE *p = popen("ls " CMA_DIR, "r");
	char name[256];
	long sum = 0;

	CHECK(p != NULL);
	while (fscanf(p, "%255s", name) == 1)
		if (strcmp(name, area))
			sum += cma_read(name, "used");
	pclose(p);
	return sum;
}

/* The node a platform device came from, e.g. "/vivtheap-wc". */
static void of_node_of(const char *dev, char *out, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/of_node", dev);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		FAIL("readlink %s: %s", path, strerror(errno));
	link[n] = 0;
	/* ../../../firmware/devicetree/base/vivtheap-wc */
	p = strstr(link, "/devicetree/base");
	if (!p)
		FAIL("%s -> %s: not a device-tree node", path, link);
	snprintf(out, len, "%s", p + strlen("/devicetree/base"));
}

/* The dma_addr of the heap's live buffer of @size, from debugfs. */
static unsigned long long buffer_dma_addr(const char *heap, size_t size)
{
	char line[256], h[64];
	unsigned long long id, dma = 0;
	size_t sz;
	FILE *f = fopen("/sys/kernel/debug/vivtheap/buffers", "r");

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llu %63s %zu %llx", &id, h, &sz, &dma) == 4 &&
		    !strcmp(h, heap) && sz == size)
			break;
		else
			dma = 0;
	fclose(f);
	if (!dma)
		FAIL("%s: no %zu-byte buffer in the buffers list", heap, size);
	return dma;
}

static void check_heap(const char *heap, const char *node)
{
	char dev[128], of[PATH_MAX], area[128];
	long used, elsewhere, base, count;
	unsigned long long dma;
	int hfd = gt_heap_open(heap), fd;

	CHECK(hfd >= 0);
	/* Bound to its node. */
	gt_stat_string(heap, "device", dev, sizeof(dev));
	of_node_of(dev, of, sizeof(of));
	if (strcmp(of, node))
		FAIL("%s: device %s comes from %s, want %s", heap, dev, of, node);

	/* 4 MiB from its own pool: its pages, its address range, no other area. */
	snprintf(area, sizeof(area), "%s-pool", node + 1);
	used = cma_read(area, "used");
	elsewhere = cma_used_elsewhere(area);
	base = cma_read(area, "base_pfn");
	count = cma_read(area, "count");
	fd = gt_alloc(hfd, 4 * MIB, O_RDWR);
	CHECK(fd >= 0);
	if (cma_read(area, "used") != used + (long)(4 * MIB / 4096))
		FAIL("%s: %s used %ld pages, want %ld", heap, area,
		     cma_read(area, "used") - used, (long)(4 * MIB / 4096));
	CHECK(cma_used_elsewhere(area) == elsewhere);
	dma = buffer_dma_addr(heap, 4 * MIB);
	if (dma < (unsigned long long)base * 4096 ||
	    dma + 4 * MIB > (unsigned long long)(base + count) * 4096)
		FAIL("%s: buffer at %#llx, pool is pfn %#lx + %ld", heap, dma,
		     base, count);
	close(fd);

	/* More than the pool holds: ENOMEM, though the default area has it. */
	CHECK(count * 4096 < 56 * (long)MIB);
	CHECK(gt_alloc(hfd, 56 * MIB, O_RDWR) == -ENOMEM);
	close(hfd);
	printf("%s: node %s, device %s, buffers from CMA area %s (%ld MiB)\n",
	       heap, node, dev, area, count * 4096 / (long)MIB);
}

static void check_refused(const char *node, int err)
{
	char path[PATH_MAX], want[256], line[512];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/driver", node);
	if (access(path, F_OK) == 0)
		FAIL("%s: bound, but the driver must refuse it", node);
	snprintf(want, sizeof(want), "%s: probe with driver vivtheap-of failed with error %d",
		 node, -err);
	f = fopen(BOOT_LOG, "r");
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f))
		found |= strstr(line, want) != NULL;
	fclose(f);
	if (!found)
		FAIL("no \"%s\" in the boot log", want);
	printf("%s: refused, %s\n", node, strerror(err));
}

/*
 * The driver offers no bind or unbind file (suppress_bind_attrs): unbinding
 * would tear down the DMA setup of a device its heap goes on using.
 */
static void check_no_unbind(void)
{
	const char *drv = "/sys/bus/platform/drivers/vivtheap-of";
	const char *const files[] = { "unbind", "bind" };
	char path[PATH_MAX];
	unsigned int i;

	if (access(drv, F_OK))
		FAIL("%s: %s", drv, strerror(errno));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", drv, files[i]);
		if (access(path, F_OK) == 0)
			FAIL("%s exists: a node could be unbound from under its heap",
			     path);
	}
	printf("vivtheap-of: no bind or unbind file\n");
}

int main(void)
{
	int fd;

	if (access("/proc/device-tree/vivtheap-uncached", F_OK))
		FAIL("no vivtheap nodes in this boot's device tree");
	fd = open("/sys/kernel/debug/vivtheap/drain_pools", O_WRONLY);

	/* Nothing pooled from before: the pages counted below are new. */
	CHECK(fd >= 0 && write(fd, "1", 1) == 1);
	close(fd);
	check_heap(gt_our_heaps[0], "/vivtheap-uncached");
	check_heap(gt_our_heaps[1], "/vivtheap-wc");
	check_refused("vivtheap-bad-mode", EINVAL);
	check_refused("vivtheap-bad-coherent", EINVAL);
	check_refused("vivtheap-bad-region", EINVAL);
	check_no_unbind();
	return 0;
}
