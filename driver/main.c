// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: DMA-BUF heaps for CPUs whose caches alias: uncached,
 * write-combined, and cached with every alias maintained. Module parameters,
 * the DMA device, the heaps, init and exit.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernfs.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "compat.h"
#include "vivtheap_priv.h"

static char *uncached_name = VIVTHEAP_HEAP_UNCACHED_NAME;
module_param(uncached_name, charp, 0444);
MODULE_PARM_DESC(uncached_name,
		 "name of the uncached heap (default " VIVTHEAP_HEAP_UNCACHED_NAME ")");

static char *wc_name = VIVTHEAP_HEAP_WC_NAME;
module_param(wc_name, charp, 0444);
MODULE_PARM_DESC(wc_name,
		 "name of the write-combined heap (default " VIVTHEAP_HEAP_WC_NAME ")");

static char *cached_name = VIVTHEAP_HEAP_CACHED_NAME;
module_param(cached_name, charp, 0444);
MODULE_PARM_DESC(cached_name,
		 "name of the cached heap (default " VIVTHEAP_HEAP_CACHED_NAME ")");

static unsigned long uncached_max_size = 256UL << 20;
module_param(uncached_max_size, ulong, 0444);
MODULE_PARM_DESC(uncached_max_size, "largest uncached buffer, bytes (default 256 MiB)");

static unsigned long wc_max_size = 256UL << 20;
module_param(wc_max_size, ulong, 0444);
MODULE_PARM_DESC(wc_max_size, "largest write-combined buffer, bytes (default 256 MiB)");

static unsigned long cached_max_size = 256UL << 20;
module_param(cached_max_size, ulong, 0444);
MODULE_PARM_DESC(cached_max_size, "largest cached buffer, bytes (default 256 MiB)");

static unsigned int dma_bits = 32;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits, "DMA address width of the buffers' device (default 32)");

static char *backend = "auto";
module_param(backend, charp, 0444);
MODULE_PARM_DESC(backend,
		 "auto|heap|chardev: the dma-heap core or own nodes (auto: heap if exported, 64-bit)");

static unsigned int fault_init_nth;
module_param(fault_init_nth, uint, 0444);
MODULE_PARM_DESC(fault_init_nth,
		 "for tests: fail the N-th fault-injection point of module init (CONFIG_FAULT_INJECTION); reads back what was left, 0 once reached");

static unsigned int fault_pinned_nth;
module_param(fault_pinned_nth, uint, 0444);
MODULE_PARM_DESC(fault_pinned_nth,
		 "for tests: as fault_init_nth, counted from when the first heap pins the module (heap backend)");

struct vivtheap_heap vivtheap_heaps[VIVTHEAP_NR_HEAPS];

static struct platform_device *vivtheap_pdev;
static const struct vivtheap_backend_ops *vivtheap_backend;

/* Set once module init can no longer fail: see vivtheap_node_open(). */
static bool vivtheap_init_done;

/**
 * vivtheap_default_dev() - the module's own device
 *
 * Return: the device a heap uses unless a device-tree node gives it one.
 */
struct device *vivtheap_default_dev(void)
{
	return &vivtheap_pdev->dev;
}

/**
 * vivtheap_dma_configure() - give a heap's device the DMA mask of dma_bits
 * @dev: the device
 *
 * Return: 0, or -EIO if the platform cannot address that much.
 */
int vivtheap_dma_configure(struct device *dev)
{
	return dma_set_mask_and_coherent(dev, DMA_BIT_MASK(dma_bits));
}

/**
 * vivtheap_virtual_device_exists() - whether a class has a device of a name
 * @class_name: the class, as under /sys/class
 * @name: the device's name
 *
 * Looks for /sys/devices/virtual/<class_name>/<name> in sysfs itself, not
 * through a mount: where the driver core puts a device of a class created
 * without a parent (get_device_parent(), drivers/base/core.c), as every
 * dma-heap of the core is (dma_heap_add()) and most misc devices are. A
 * misc device with a parent is not seen: registering over its name fails,
 * later and cleanly.
 *
 * Return: true if the device exists.
 */
bool vivtheap_virtual_device_exists(const char *class_name, const char *name)
{
	/* platform_bus is /sys/devices/platform: its parent, /sys/devices. */
	struct kernfs_node *devices = platform_bus.kobj.parent->sd;
	struct kernfs_node *virt_dir, *class_dir, *dev = NULL;
	bool found;

	virt_dir = sysfs_get_dirent(devices, "virtual");
	if (!virt_dir)
		return false;
	class_dir = sysfs_get_dirent(virt_dir, class_name);
	if (class_dir) {
		dev = sysfs_get_dirent(class_dir, name);
		sysfs_put(class_dir);
	}
	sysfs_put(virt_dir);
	found = dev;
	sysfs_put(dev);
	return found;
}

/**
 * vivtheap_node_open() - open of the control node and the chardev heap nodes
 * @inode: the node
 * @file: the file being opened
 *
 * Refused until module init is done. A module whose init fails is freed
 * without waiting for its open files (do_init_module(), kernel/module/
 * main.c), so a file opened in between would call freed code when used or
 * closed. Once init is done nothing can fail the load.
 *
 * Return: 0, or -ENODEV while the module is still loading.
 */
int vivtheap_node_open(struct inode *inode, struct file *file)
{
	/* Pairs with the release at the end of vivtheap_init(). */
	if (!smp_load_acquire(&vivtheap_init_done))
		return -ENODEV;
	return nonseekable_open(inode, file);
}

static int vivtheap_device_create(void)
{
	struct platform_device_info info = {
		.name = "vivtheap",
		.id = PLATFORM_DEVID_NONE,
	};
	int ret;

	/* Before DMA_BIT_MASK(): a shift by 65 is undefined. */
	if (dma_bits < 24 || dma_bits > 64)
		return -EINVAL;
	info.dma_mask = DMA_BIT_MASK(dma_bits);

	vivtheap_pdev = platform_device_register_full(&info);
	if (IS_ERR(vivtheap_pdev))
		return PTR_ERR(vivtheap_pdev);
	/* Not cache-coherent: the default for a device without firmware data. */
	ret = vivtheap_dma_configure(&vivtheap_pdev->dev);
	if (ret)
		platform_device_unregister(vivtheap_pdev);
	return ret;
}

static void vivtheap_heap_init(struct vivtheap_heap *heap, const char *name,
			       enum vivtheap_cache_mode mode,
			       unsigned long dma_attrs, size_t max_size)
{
	int i;

	heap->name = name;
	heap->mode = mode;
	heap->dma_attrs = dma_attrs;
	heap->max_size = max_size;
	heap->dev = &vivtheap_pdev->dev;
	mutex_init(&heap->lock);
	INIT_LIST_HEAD(&heap->buffers);
	for (i = 0; i < VIVTHEAP_STAT_NR; i++)
		atomic64_set(&heap->stats[i], 0);
}

static bool vivtheap_name_valid(const char *name)
{
	size_t len = strlen(name);

	return len > 0 && len < VIVTHEAP_NAME_LEN && !strchr(name, '/') &&
	       strcmp(name, ".") && strcmp(name, "..");
}

/* The module parameter that names each heap. */
static const char *const vivtheap_name_params[VIVTHEAP_NR_HEAPS] = {
	[VIVTHEAP_HEAP_UNCACHED] = "uncached_name",
	[VIVTHEAP_HEAP_WC] = "wc_name",
	[VIVTHEAP_HEAP_CACHED] = "cached_name",
};

/*
 * What already holds the name of heap @i, in words for the log, or NULL:
 * a heap before it, a name of the module's own (the control node, a
 * debugfs file), a heap of the system (/dev/dma_heap/<name>, on every
 * backend), or what the backend needs besides.
 */
static const char *vivtheap_name_taken(const char *const *names, int i)
{
	const char *taken;
	int j;

	for (j = 0; j < i; j++)
		if (!strcmp(names[j], names[i]))
			return vivtheap_name_params[j];
	taken = vivtheap_ctl_name_taken(names[i]);
	if (!taken)
		taken = vivtheap_debugfs_name_taken(names[i]);
	if (!taken && vivtheap_virtual_device_exists("dma_heap", names[i]))
		taken = "another heap in /dev/dma_heap";
	if (!taken && vivtheap_backend->name_taken)
		taken = vivtheap_backend->name_taken(names[i]);
	return taken;
}

/* In the order backend=auto prefers them. */
static const struct vivtheap_backend_ops *const vivtheap_backends[] = {
	&vivtheap_backend_heap_ops,
	&vivtheap_backend_chardev_ops,
};

static int vivtheap_backend_choose(void)
{
	const struct vivtheap_backend_ops *ops;
	bool pick_auto = !strcmp(backend, "auto");
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vivtheap_backends); i++) {
		ops = vivtheap_backends[i];
		if (pick_auto) {
			if (!ops->auto_ok || !ops->available())
				continue;
		} else if (strcmp(backend, ops->name)) {
			continue;
		} else if (!ops->available()) {
			pr_err("backend=%s: not available on this kernel\n",
			       ops->name);
			return -EOPNOTSUPP;
		}
		vivtheap_backend = ops;
		return 0;
	}
	pr_err("backend=%s: want auto, heap or chardev\n", backend);
	return -EINVAL;
}

/* Remove the heaps' nodes, if the backend can. */
static void vivtheap_unregister_heaps(void)
{
	int i;

	if (!vivtheap_backend->unregister_heap)
		return;
	for (i = VIVTHEAP_NR_HEAPS - 1; i >= 0; i--) {
		if (!vivtheap_heaps[i].registered)
			continue;
		vivtheap_backend->unregister_heap(&vivtheap_heaps[i]);
		vivtheap_heaps[i].registered = false;
	}
}

/*
 * fault_init_nth arms the loading task's fail-nth (Documentation/
 * fault-injection/fault-injection.rst) for the length of module init. Armed
 * from user space before finit_module(), it would count the module
 * loader's own allocations too (and 7.2.13's ARM module_finalize() oopses
 * when one fails); armed here it reaches exactly what init does: the
 * module's allocations and those of every kernel function init calls, as
 * failslab and fail_page_alloc are set up in debugfs. The load then fails
 * as that allocation makes it, or goes on without what failed.
 */
#ifdef CONFIG_FAULT_INJECTION
/*
 * Whether init armed fail-nth (and fault_pinned_nth's count, once the
 * module was pinned), and the loading task's own count before.
 */
static bool vivtheap_fault_armed, vivtheap_fault_pinned;
static unsigned int vivtheap_fault_caller_nth;
#endif

static int vivtheap_fault_init_arm(void)
{
	if (!fault_init_nth && !fault_pinned_nth)
		return 0;
#ifdef CONFIG_FAULT_INJECTION
	/* One count at a time: the second would overwrite the first's. */
	if (fault_init_nth && fault_pinned_nth) {
		pr_err("fault_init_nth, fault_pinned_nth: one or the other\n");
		return -EINVAL;
	}
	vivtheap_fault_caller_nth = READ_ONCE(current->fail_nth);
	vivtheap_fault_armed = true;
	WRITE_ONCE(current->fail_nth, fault_init_nth);
	return 0;
#else
	pr_err("fault_init_nth, fault_pinned_nth: this kernel has no fault injection (CONFIG_FAULT_INJECTION)\n");
	return -EOPNOTSUPP;
#endif
}

/*
 * fault_pinned_nth: the same, armed once the first heap pins the module
 * (the heap backend), so that a test reaches the failure of a later heap's
 * registration (vivtheap_register_heaps()) without a load that pins the
 * module before it.
 */
static void vivtheap_fault_pinned_arm(void)
{
#ifdef CONFIG_FAULT_INJECTION
	if (fault_pinned_nth) {
		WRITE_ONCE(current->fail_nth, fault_pinned_nth);
		vivtheap_fault_pinned = true;
	}
#endif
}

/*
 * Disarm, giving the loading task its own count back. The parameter given
 * reads back how many points were left: 0 if the N-th was reached, N minus
 * the points reached otherwise (fault_pinned_nth: N if the module was never
 * pinned). Under the parameters' lock: their sysfs files exist already.
 */
static void vivtheap_fault_init_disarm(void)
{
#ifdef CONFIG_FAULT_INJECTION
	unsigned int left;

	if (!vivtheap_fault_armed)
		return;
	left = READ_ONCE(current->fail_nth);
	WRITE_ONCE(current->fail_nth, vivtheap_fault_caller_nth);
	kernel_param_lock(THIS_MODULE);
	if (fault_init_nth)
		fault_init_nth = left;
	else if (vivtheap_fault_pinned)
		fault_pinned_nth = left;
	kernel_param_unlock(THIS_MODULE);
#endif
}

/*
 * Give every heap its node, but a heap whose buffers would have a cacheable
 * alias (vivtheap_buffer_check_heap(): left without a node and out of
 * every listing, as it said). Where the backend can remove nodes, a failure
 * removes the ones made and fails the load. Where it cannot (the dma-heap
 * core), the first heap registered pins the module for good: the core
 * calls into it as long as the system runs, so from then on nothing may
 * fail the load. A later heap that fails is left without a node and out
 * of every listing, and the load goes on.
 */
static int vivtheap_register_heaps(void)
{
	struct vivtheap_heap *heap;
	bool pinned = false;
	int i, ret;

	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		heap = &vivtheap_heaps[i];
		if (heap->cacheable_alias)
			continue;
		ret = vivtheap_backend->register_heap(heap);
		if (!ret) {
			heap->registered = true;
			if (!pinned && !vivtheap_backend->unregister_heap) {
				pinned = true;
				vivtheap_fault_pinned_arm();
			}
			continue;
		}
		if (pinned) {
			dev_err(heap->dev, "%s: not registered (%d): left out of the control node and debugfs\n",
				heap->name, ret);
			continue;
		}
		dev_err(heap->dev, "cannot register %s: %d\n", heap->name, ret);
		vivtheap_unregister_heaps();
		return ret;
	}
	return 0;
}

/* Says which heaps have a node. */
static void vivtheap_log_live(void)
{
	char live[VIVTHEAP_NR_HEAPS * VIVTHEAP_NAME_LEN + 1] = "";
	size_t len = 0;
	int i;

	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++)
		if (vivtheap_heaps[i].registered)
			len += scnprintf(live + len, sizeof(live) - len, " %s",
					 vivtheap_heaps[i].name);
	pr_info("live heaps:%s (%s backend)\n", live, vivtheap_backend->name);
}

/*
 * Everything that can be checked before anything is created: the names
 * (EINVAL if malformed, EBUSY if taken) and the backend. Not EEXIST: from
 * [f]init_module() it means "loaded already", which modprobe takes for
 * success; 7.2 turns an init's EEXIST into EBUSY itself, 6.1 does not.
 */
static int vivtheap_params_check(void)
{
	const char *const names[VIVTHEAP_NR_HEAPS] = {
		[VIVTHEAP_HEAP_UNCACHED] = uncached_name,
		[VIVTHEAP_HEAP_WC] = wc_name,
		[VIVTHEAP_HEAP_CACHED] = cached_name,
	};
	const char *taken;
	int i, ret;

	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		if (vivtheap_name_valid(names[i]))
			continue;
		pr_err("%s=%s: a heap name is 1..%d bytes, without '/', not . or ..\n",
		       vivtheap_name_params[i], names[i], VIVTHEAP_NAME_LEN - 1);
		return -EINVAL;
	}
	ret = vivtheap_backend_choose();
	if (ret)
		return ret;
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		taken = vivtheap_name_taken(names, i);
		if (!taken)
			continue;
		pr_err("%s=%s: taken by %s\n", vivtheap_name_params[i], names[i],
		       taken);
		return -EBUSY;
	}
	return 0;
}

static int __init vivtheap_init_armed(void)
{
	int i, ret;

	ret = vivtheap_params_check();
	if (ret)
		return ret;
	ret = vivtheap_device_create();
	if (ret)
		return ret;

	vivtheap_heap_init(&vivtheap_heaps[VIVTHEAP_HEAP_UNCACHED], uncached_name,
			   VIVTHEAP_CACHE_UNCACHED, 0, uncached_max_size);
	vivtheap_heap_init(&vivtheap_heaps[VIVTHEAP_HEAP_WC], wc_name,
			   VIVTHEAP_CACHE_WC, DMA_ATTR_WRITE_COMBINE, wc_max_size);
	vivtheap_heap_init(&vivtheap_heaps[VIVTHEAP_HEAP_CACHED], cached_name,
			   VIVTHEAP_CACHE_CACHED, 0, cached_max_size);
	/* Device-tree nodes may give the heaps their own devices. */
	ret = vivtheap_of_register();
	if (ret)
		goto unregister_device;
	/*
	 * From here each heap's device is final: the pool's CMA bound and the
	 * check of each heap's aliases are that device's.
	 */
	vivtheap_of_close();
	vivtheap_pool_init();
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		ret = vivtheap_buffer_check_heap(&vivtheap_heaps[i]);
		if (ret) {
			pr_err("%s: cannot allocate a page to check the heap: %d\n",
			       vivtheap_heaps[i].name, ret);
			goto exit_pool;
		}
	}

	/*
	 * The nodes, last, in this order. The control node refuses to open
	 * until init is done, so it can go first and be removed again. The
	 * heaps' nodes come after it: on the heap backend the first one is
	 * for good (the core cannot remove a heap), so it must follow every
	 * step that can fail the load. debugfs files cannot refuse an open
	 * and cannot fail: they come after the heaps, when nothing can fail.
	 */
	ret = vivtheap_ctl_register();
	if (ret)
		goto exit_pool;
	ret = vivtheap_register_heaps();
	if (ret)
		goto unregister_ctl;
	vivtheap_debugfs_init();
	/* An open that sees it sees all of init (vivtheap_node_open()). */
	smp_store_release(&vivtheap_init_done, true);
	vivtheap_log_live();
	return 0;

unregister_ctl:
	vivtheap_ctl_unregister();
exit_pool:
	vivtheap_pool_exit();
	vivtheap_of_unregister();
unregister_device:
	platform_device_unregister(vivtheap_pdev);
	/* A registration's EEXIST would read as "loaded already". */
	return ret == -EEXIST ? -EBUSY : ret;
}

static int __init vivtheap_init(void)
{
	int ret;

	ret = vivtheap_fault_init_arm();
	if (ret)
		return ret;
	ret = vivtheap_init_armed();
	vivtheap_fault_init_disarm();
	return ret;
}

static void __exit vivtheap_exit(void)
{
	/*
	 * Every buffer pins the module: none is alive here. A backend without
	 * unregister_heap has pinned the module for good.
	 */
	vivtheap_unregister_heaps();
	vivtheap_ctl_unregister();
	vivtheap_debugfs_exit();
	vivtheap_pool_exit();
	vivtheap_of_unregister();
	platform_device_unregister(vivtheap_pdev);
}

module_init(vivtheap_init);
module_exit(vivtheap_exit);

MODULE_DESCRIPTION("Uncached, write-combined and alias-maintained cached DMA-BUF heaps for aliasing caches");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
