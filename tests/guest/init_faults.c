// SPDX-License-Identifier: MIT
/*
 * Fault injection at every point of module init (issue 9 §2, with §1.3 and
 * §1.7): for N = 1, 2, ... vivtheap is loaded with fault_init_nth=N, which
 * arms the loading task's fail-nth for init alone (driver/main.c), so the
 * N-th allocation init makes, in the module or in a kernel function it
 * calls, fails; until a load reaches no N-th point. After every try:
 *   - a load that failed did so with ENOMEM (or the driver core's EINVAL:
 *     errno_expected()) and left nothing: no module, no
 *     node in /dev, no debugfs directory, no CMA page, no dma-buf;
 *   - while it ran, a thread opened the module's nodes as they appeared
 *     (inotify): every open before init was done was refused (ENODEV), none
 *     held a file of a load that then failed (§1.3: such a file would call
 *     freed code);
 *   - a load that succeeded (the fault absorbed) serves every heap, unloads
 *     and gives every CMA page back.
 * Then, where the kernel exports dma_heap_add and the boot has no
 * device-tree nodes, the heap backend: the first heap registered pins the
 * module (the dma-heap core cannot remove a heap), so no sweep can go past
 * a load that succeeds there; fault_pinned_nth=1 fails the first point
 * after the pin, in the second heap's registration, and the load must
 * succeed without that heap, which is then in no listing (§1.7): no node,
 * no debugfs directory, HEAP_INFO ENOENT, "not registered" in the log. The
 * module stays loaded so (this test runs last). The runner adds: no kernel
 * warning, and kmemleak at the end of the boot.
 *
 * A load that succeeds may lack a node in /dev: devtmpfs could not make it
 * (device_add() goes on without); the failure's stack in the log must say
 * so, and the node is made from sysfs, as udev would.
 *
 * Prints the number of points each sweep reached and how many opens init
 * refused. Needs the kernel's fault injection (the vivt targets); skips,
 * saying so, where it has none, unless the target promises it.
 */
#include "gt.h"
#include <pthread.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>

#include "gt_fd.h"
#include "gt_kstate.h"

#define KO "/lib/vivtheap.ko"
#define PARAM "/sys/module/vivtheap/parameters/fault_init_nth"
#define DBGDIR GT_DBG "/vivtheap"
#define CTL "/dev/vivtheap"
#define MAX_N 3000
#define NR_NODES (1 + GT_NR_OUR_HEAPS)

static const char *const nodes[NR_NODES] = {
	CTL,
	HEAP_DIR "/" VIVTHEAP_HEAP_UNCACHED_NAME,
	HEAP_DIR "/" VIVTHEAP_HEAP_WC_NAME,
	HEAP_DIR "/" VIVTHEAP_HEAP_CACHED_NAME,
};

/* The thread that opens the nodes while a load runs. */
static atomic_int watch_stop;
static int held[NR_NODES];
static long refused;
/* Opens refused (ENODEV) in loads that succeeded: only init's guard says so. */
static long refused_total;

/*
 * Sleeps on inotify (set up by load(), before the load starts) until
 * something is made in /dev or /dev/dma_heap, then tries every node it does
 * not hold yet: the load runs at full speed in between, and each node is
 * tried as soon as it appears.
 */
static int watch_fd = -1;

static void *watcher(void *arg)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd pfd = { .fd = watch_fd, .events = POLLIN };
	int i, fd, heap_dir_watched = *(int *)arg;

	while (!atomic_load(&watch_stop)) {
		if (poll(&pfd, 1, 20) <= 0)
			continue;
		while (read(pfd.fd, buf, sizeof(buf)) > 0)
			;
		/* The first heap node of a boot made /dev/dma_heap: watch it too. */
		if (!heap_dir_watched)
			heap_dir_watched = inotify_add_watch(pfd.fd, HEAP_DIR, IN_CREATE) >= 0;
		for (i = 0; i < NR_NODES; i++) {
			if (held[i] >= 0)
				continue;
			fd = open(nodes[i], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
			if (fd >= 0)
				held[i] = fd;
			else if (errno == ENODEV)
				refused++;
		}
	}
	return NULL;
}

/* The kernel's log as records (/dev/kmsg): no line of ours is lost or stale. */
static int kmsg_fd = -1;
static const char *last_log = "";

static const char *new_log(void);

/*
 * From now on: what new_log() returns. What was logged since the last
 * new_log() (a check, an unload, what a failed load's unwind left to run
 * later) is read and checked first; the first call starts at the end.
 */
static void log_mark(void)
{
	if (kmsg_fd < 0) {
		kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		CHECK(kmsg_fd >= 0);
		CHECK(lseek(kmsg_fd, 0, SEEK_END) >= 0);
	} else {
		new_log();
	}
	last_log = "";
}

/*
 * The messages logged since log_mark(), a line each; the stack lines of an
 * injected failure too. Fails the test on what the runner would call a
 * kernel complaint, at once: over 300 loads, each injected failure's stack
 * would push it out of the ring before the runner reads it.
 */
static const char *new_log(void)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "lockdep", "possible recursive locking",
		"circular locking", "inconsistent lock state", "DMA-API:", "UBSAN",
		"KASAN", "sleeping function called", "Unable to handle kernel",
		"page allocation failure", "new suspected",
	};
	static char all[1 << 18];
	char rec[8192], *msg;
	size_t len = 0, ml, i;
	ssize_t r;

	all[0] = 0;
	for (;;) {
		r = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (r < 0 && errno == EPIPE)
			continue;	/* records lost to the ring: read on */
		if (r <= 0)
			break;
		rec[r] = 0;
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		ml = strcspn(msg, "\n");
		msg[ml] = 0;
		/* Every record is checked, kept or not. */
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			if (strstr(msg, bad[i]))
				FAIL("%s%s\nthe kernel complained (\"%s\") during the step above",
				     all, msg, bad[i]);
		if (len + ml + 2 > sizeof(all))
			continue;	/* kept: the first 256 KiB */
		memcpy(all + len, msg, ml);
		len += ml;
		all[len++] = '\n';
	}
	all[len] = 0;
	last_log = all;
	return all;
}

/*
 * Fails the test, with the kernel's log of the load (new_log()) first: the injected
 * failure's stack (failslab and fail_page_alloc are verbose here) and what
 * init said of it.
 */
#define fail_log(...)                                                    \
	do {                                                             \
		printf("%s", last_log);                                  \
		FAIL(__VA_ARGS__);                                       \
	} while (0)

/*
 * ENOMEM, as a failed allocation gives; or EINVAL where the driver core
 * turns one into that, seen in the failure's stack: platform_device_add()
 * does not check dev_set_name(), and device_add() then refuses a device
 * without a name; bus_add_driver() fails a driver whose module links
 * (module_add_driver()) could not be made with EINVAL.
 */
static int errno_expected(int err, const char *log)
{
	return err == ENOMEM ||
	       (err == EINVAL && (strstr(log, " dev_set_name from ") ||
				  strstr(log, " module_add_driver from ")));
}

/* Loads vivtheap with params while the watcher runs; returns errno or 0. */
static int load(const char *params)
{
	pthread_t t;
	int fd, i, ret, err = 0, heap_dir_watched;

	for (i = 0; i < NR_NODES; i++)
		held[i] = -1;
	refused = 0;
	atomic_store(&watch_stop, 0);
	watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK(watch_fd >= 0);
	CHECK(inotify_add_watch(watch_fd, "/dev", IN_CREATE) >= 0);
	heap_dir_watched = inotify_add_watch(watch_fd, HEAP_DIR, IN_CREATE) >= 0;
	CHECK(heap_dir_watched || errno == ENOENT);
	CHECK(pthread_create(&t, NULL, watcher, &heap_dir_watched) == 0);
	fd = open(KO, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	ret = (int)syscall(SYS_finit_module, fd, params, 0);
	if (ret)
		err = errno;
	close(fd);
	atomic_store(&watch_stop, 1);
	CHECK(pthread_join(t, NULL) == 0);
	close(watch_fd);
	return err;
}

/* Closes what the watcher opened of a load that succeeded. */
static void release_held(void)
{
	int i;

	for (i = 0; i < NR_NODES; i++)
		if (held[i] >= 0)
			close(held[i]);
}

static void unload(const char *what)
{
	if (syscall(SYS_delete_module, "vivtheap", O_NONBLOCK))
		FAIL("%s: rmmod vivtheap: %s", what, strerror(errno));
	if (gt_exists("/sys/module/vivtheap"))
		FAIL("%s: vivtheap still loaded after rmmod", what);
}

/* Nothing of the module is left: no module, node or debugfs directory. */
static void check_gone(const char *what, int n)
{
	static const char *const paths[] = {
		"/sys/module/vivtheap",
		CTL,
		HEAP_DIR "/" VIVTHEAP_HEAP_UNCACHED_NAME,
		HEAP_DIR "/" VIVTHEAP_HEAP_WC_NAME,
		HEAP_DIR "/" VIVTHEAP_HEAP_CACHED_NAME,
		DBGDIR,
	};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (gt_exists(paths[i]))
			fail_log("%s: fault %d: the load failed and left %s", what, n, paths[i]);
}

static void check_balance(const char *what, int n, long long bufs0, long long cma0)
{
	long long bufs = gt_dmabufs(), cma = gt_cma_used();

	if (bufs != bufs0)
		fail_log("%s: fault %d: dma-bufs %lld before, %lld after", what, n, bufs0, bufs);
	if (cma != cma0)
		fail_log("%s: fault %d: CMA pages %lld before, %lld after", what, n, cma0, cma);
}

/* A heap with a node serves a buffer that holds what is written to it. */
static void check_heap_works(const char *what, int n, const char *heap)
{
	int hfd = gt_heap_open(heap), fd;
	volatile unsigned char *p;

	if (hfd < 0)
		FAIL("%s: fault %d: open %s: %s", what, n, heap, strerror(errno));
	fd = gt_alloc(hfd, 8192, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		FAIL("%s: fault %d: allocate from %s: %s", what, n, heap, strerror(errno));
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) == 0);
	if (p[100] != 0)
		FAIL("%s: fault %d: %s handed out a buffer not zeroed", what, n, heap);
	p[100] = 0x5a;
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) == 0);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0);
	if (p[100] != 0x5a)
		FAIL("%s: fault %d: %s lost a write", what, n, heap);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0);
	munmap((void *)p, 8192);
	close(fd);
	close(hfd);
}

static long param_left(void)
{
	long long left = gt_read_number(PARAM);

	if (left < 0)
		FAIL("cannot read %s", PARAM);
	return (long)left;
}

static int devtmpfs_made;

/*
 * A node that a load which succeeded left out of /dev: devtmpfs could not
 * make it (the driver core ignores that: device_add() goes on), which the
 * failure's stack in the log must show. The device is registered: its node
 * is made from its numbers in sysfs, as udev would (a heap's device is of
 * heap_class). Returns a bit per node made (of nodes[]), for the caller to
 * remove after the unload.
 */
static int make_missing_nodes(const char *what, int n, const char *log, const char *heap_class)
{
	char path[128], dev[32];
	unsigned int major, minor;
	int i, made = 0;
	FILE *f;

	for (i = 0; i < NR_NODES; i++) {
		if (gt_exists(nodes[i]))
			continue;
		snprintf(path, sizeof(path), "/sys/class/%s/%s/dev", i ? heap_class : "misc",
			 strrchr(nodes[i], '/') + 1);
		if (!gt_exists(path))
			continue;	/* not registered: the caller decides */
		if (!strstr(log, " devtmpfs_create_node from "))
			fail_log("%s: fault %d: loaded without %s, and the fault was not devtmpfs's",
				 what, n, nodes[i]);
		f = fopen(path, "r");
		if (!f || !fgets(dev, sizeof(dev), f) || sscanf(dev, "%u:%u", &major, &minor) != 2)
			fail_log("%s: fault %d: no %s in /dev, and no %s", what, n, nodes[i], path);
		fclose(f);
		if (mknod(nodes[i], S_IFCHR | 0600, makedev(major, minor)))
			FAIL("mknod %s: %s", nodes[i], strerror(errno));
		made |= 1 << i;
	}
	return made;
}

/*
 * The sweep on the chardev backend: every load that fails leaves nothing,
 * every one that succeeds works and unloads. Returns the points reached.
 */
static int sweep_chardev(const char *extra, long long bufs0, long long cma0)
{
	const char *what = "chardev", *log;
	int n, failed = 0, absorbed = 0, i, made, end = 0, varied = 0;
	char params[128];
	long left;

	for (n = 1; n <= MAX_N; n++) {
		snprintf(params, sizeof(params), "backend=chardev fault_init_nth=%d%s", n, extra);
		log_mark();
		int err = load(params);

		if (err) {
			log = new_log();
			if (end)	/* a later load had more points: on */
				end = 0, varied = 1;
			if (!errno_expected(err, log))
				FAIL("%s%s: fault %d: the load failed with %s, want ENOMEM (or EINVAL from "
				     "the driver core)", log, what, n, strerror(err));
			for (i = 0; i < NR_NODES; i++)
				if (held[i] >= 0)
					fail_log("%s: fault %d: the load failed, and %s was opened while it ran: "
					     "a file that outlives the module", what, n, nodes[i]);
			check_gone(what, n);
			check_balance(what, n, bufs0, cma0);
			failed++;
			continue;
		}
		left = param_left();
		release_held();
		refused_total += refused;
		log = new_log();
		made = make_missing_nodes(what, n, log, "misc");
		for (i = 0; i < NR_NODES; i++)
			if (!gt_exists(nodes[i]))
				fail_log("%s: fault %d: loaded without %s (nor its device in sysfs)",
					 what, n, nodes[i]);
		for (i = 0; i < GT_NR_OUR_HEAPS; i++)
			check_heap_works(what, n, gt_our_heaps[i]);
		unload(what);
		for (i = 0; i < NR_NODES; i++)
			if (made & (1 << i))
				CHECK(unlink(nodes[i]) == 0);
		devtmpfs_made += made != 0;
		check_balance(what, n, bufs0, cma0);
		if (left) {
			/*
			 * Not reached. The number of points may vary by one
			 * or two from load to load (seen on the device-tree
			 * boot): the sweep ends after three loads in a row
			 * reach no N-th point, and goes on if a later one
			 * does, so that a point some loads have is not
			 * skipped.
			 */
			if (!end)
				end = n;
			if (n - left < end - 1)
				varied = 1;
			if (n < end + 2)
				continue;
			printf("%s: %d fault points in module init%s%s: %d failed the load (ENOMEM, or the driver core's EINVAL) and left nothing, "
			       "%d were absorbed (the module then worked and unloaded; %d of them lost a node in /dev "
			       "to devtmpfs, made from sysfs as udev would)\n",
			       what, end - 1, extra, varied ? " (fewer in some loads)" : "",
			       failed, absorbed, devtmpfs_made);
			return end - 1;
		}
		if (end)	/* a later load had more points: on */
			end = 0, varied = 1;
		absorbed++;
	}
	FAIL("%s: still reaching a fault point at the %d-th: a loop?", what, MAX_N);
}

/*
 * The heap backend: the first heap registered pins the module, so no sweep
 * can go past a load that succeeds. fault_pinned_nth=1 fails the first
 * point after the pin, in the second heap's registration: the load must
 * succeed without that heap, which is then in no listing (§1.7).
 */
static void drop_after_pin(long long bufs0)
{
	const char *what = "heap", *log, *live;
	struct vivtheap_ioc_heap_info info;
	char path[256];
	int i, ctl, err, dropped = -1;

	log_mark();
	err = load("backend=heap fault_pinned_nth=1");
	release_held();
	log = new_log();
	if (err)
		fail_log("%s: fault_pinned_nth=1: the load failed with %s: once pinned it may not",
			 what, strerror(err));
	if (gt_read_number("/sys/module/vivtheap/parameters/fault_pinned_nth"))
		fail_log("%s: fault_pinned_nth=1: no fault point after the pin", what);
	make_missing_nodes(what, 1, log, "dma_heap");
	for (i = 0; i < GT_NR_OUR_HEAPS; i++) {
		snprintf(path, sizeof(path), "/sys/class/dma_heap/%s", gt_our_heaps[i]);
		if (gt_exists(path)) {
			check_heap_works(what, 1, gt_our_heaps[i]);
			continue;
		}
		if (dropped >= 0)
			fail_log("%s: two heaps without a node", what);
		dropped = i;
	}
	if (dropped != 1)
		fail_log("%s: fault_pinned_nth=1: want %s dropped, got %s", what, gt_our_heaps[1],
			 dropped < 0 ? "every heap registered" : gt_our_heaps[dropped]);
	/* Out of every listing: the control node and debugfs. */
	ctl = open(CTL, O_RDONLY | O_CLOEXEC);
	CHECK(ctl >= 0);
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", gt_our_heaps[dropped]);
	CHECK_ERRNO(ioctl(ctl, VIVTHEAP_IOC_HEAP_INFO, &info), ENOENT);
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", gt_our_heaps[0]);
	CHECK(ioctl(ctl, VIVTHEAP_IOC_HEAP_INFO, &info) == 0);
	close(ctl);
	snprintf(path, sizeof(path), DBGDIR "/%s", gt_our_heaps[dropped]);
	if (gt_exists(path))
		fail_log("%s: %s has no node but is in debugfs (%s)", what, gt_our_heaps[dropped], path);
	snprintf(path, sizeof(path), "%s: not registered (-12): left out", gt_our_heaps[dropped]);
	if (!strstr(log, path))
		fail_log("%s: no log line \"%s ...\"", what, path);
	live = strstr(log, "vivtheap: live heaps:");
	if (!live)
		fail_log("%s: no \"live heaps\" log line", what);
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(live, "\n"), live);
	if (strstr(path, gt_our_heaps[dropped]))
		fail_log("%s: the log names %s live: %s", what, gt_our_heaps[dropped], path);
	if (gt_dmabufs() != bufs0)
		FAIL("%s: dma-bufs %lld before, %lld after", what, bufs0, gt_dmabufs());
	printf("%s: the first fault after the first heap pinned the module failed %s's registration: "
	       "loaded without it, in no listing (HEAP_INFO ENOENT, no debugfs), logged; "
	       "the module stays (the core cannot remove a heap)\n", what, gt_our_heaps[dropped]);
}

/*
 * A load given neither fault parameter leaves the loading task's own
 * fail-nth alone (armed from user space, as a fuzzer does around a load):
 * counted down by the loader and init, never zeroed or replaced by init.
 */
static void check_callers_count(const char *extra)
{
	const long armed = 100000;
	char params[64], v[32];
	int nth, err;
	ssize_t r;
	long left;

	nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	CHECK(nth >= 0);
	snprintf(v, sizeof(v), "%ld", armed);
	CHECK(pwrite(nth, v, strlen(v), 0) == (ssize_t)strlen(v));
	snprintf(params, sizeof(params), "backend=chardev%s", extra);
	err = load(params);
	r = pread(nth, v, sizeof(v) - 1, 0);
	CHECK(pwrite(nth, "0", 1, 0) == 1);
	close(nth);
	CHECK(r > 0);
	v[r] = 0;
	left = strtol(v, NULL, 10);
	if (err)
		FAIL("load with the task's fail-nth at %ld: %s", armed, strerror(err));
	release_held();
	unload("the task's own fail-nth");
	if (left <= 0 || left >= armed)
		FAIL("the task's own fail-nth, %ld before the load, read %ld after it: init %s it",
		     armed, left, left ? "replaced" : "zeroed");
	printf("a load without fault parameters left the task's own fail-nth counting (%ld, %ld before)\n",
	       left, armed);
}

int main(void)
{
	int dt = gt_cmdline_number("vivtheap.dt=", 0) == 1;
	const char *extra = dt ? " async_probe=1" : "";
	long long bufs0, cma0;
	char params[64];
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	gt_fault_setup(gt_expects("faults"));
	/* Each injected failure logs its stack: fail_log() shows it. */
	gt_put(GT_DBG "/failslab/verbose", "2");
	gt_put(GT_DBG "/fail_page_alloc/verbose", "2");
	if (gt_heap_backend(VIVTHEAP_HEAP_WC_NAME))
		SKIP("heap backend: vivtheap is pinned since boot and cannot load again; "
		     "its init is swept on this kernel's chardev boot");
	if (gt_exists("/sys/module/vivtheap"))
		unload("before the sweep");
	bufs0 = gt_dmabufs();
	cma0 = gt_cma_used();
	if (bufs0 < 0 || cma0 < 0)
		FAIL("no dma-buf count (%lld) or CMA page count (%lld): the checks would pass on -1",
		     bufs0, cma0);

	check_callers_count(extra);
	sweep_chardev(extra, bufs0, cma0);
	/*
	 * In a load that succeeded nothing was unregistered, so ENODEV came
	 * from vivtheap_node_open() alone (misc_open() also says ENODEV for a
	 * node a failed load's unwind removed: not counted).
	 */
	if (!refused_total)
		FAIL("no open of a node was refused during an init that then succeeded: "
		     "the watcher never ran in the window");
	printf("opens refused (ENODEV) by init's guard in the loads that succeeded: %ld; "
	       "no file of a failed load held\n", refused_total);
	if (dt || !gt_kernel_exports("dma_heap_add")) {
		/* As init.sh loads it. */
		snprintf(params, sizeof(params), "backend=chardev%s", extra);
		err = load(params);
		release_held();
		if (err)
			FAIL("reload with %s: %s", params, strerror(err));
		printf("heap backend: not swept (%s); reloaded with %s\n",
		       dt ? "a device-tree boot" : "this kernel does not export dma_heap_add", params);
		return 0;
	}
	drop_after_pin(bufs0);
	return 0;
}
