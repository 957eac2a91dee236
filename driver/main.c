// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: uncached and write-combined DMA-BUF heaps for CPUs whose caches
 * alias. Module parameters, the DMA device, the heaps, init and exit.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/string.h>

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

static unsigned long uncached_max_size = 256UL << 20;
module_param(uncached_max_size, ulong, 0444);
MODULE_PARM_DESC(uncached_max_size, "largest uncached buffer, bytes (default 256 MiB)");

static unsigned long wc_max_size = 256UL << 20;
module_param(wc_max_size, ulong, 0444);
MODULE_PARM_DESC(wc_max_size, "largest write-combined buffer, bytes (default 256 MiB)");

static unsigned int dma_bits = 32;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits, "DMA address width of the buffers' device (default 32)");

static char *backend = "auto";
module_param(backend, charp, 0444);
MODULE_PARM_DESC(backend,
		 "auto|heap|chardev: the dma-heap core or own nodes (auto: heap if exported, 64-bit)");

struct vivtheap_heap vivtheap_heaps[VIVTHEAP_NR_HEAPS];

static struct platform_device *vivtheap_pdev;
static const struct vivtheap_backend_ops *vivtheap_backend;

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

/* Remove the first @nr heaps' nodes, if the backend can. */
static void vivtheap_unregister_heaps(int nr)
{
	if (!vivtheap_backend->unregister_heap)
		return;
	while (nr--)
		vivtheap_backend->unregister_heap(&vivtheap_heaps[nr]);
}

static int vivtheap_register_heaps(void)
{
	struct vivtheap_heap *heap;
	int i, ret;

	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		heap = &vivtheap_heaps[i];
		ret = vivtheap_backend->register_heap(heap);
		if (!ret)
			continue;
		dev_err(heap->dev, "cannot register %s: %d\n", heap->name, ret);
		/*
		 * A backend that cannot remove a heap has pinned the module
		 * with the first one: stay loaded with what we have.
		 */
		if (!vivtheap_backend->unregister_heap && i > 0)
			return 0;
		vivtheap_unregister_heaps(i);
		return ret;
	}
	return 0;
}

static int __init vivtheap_init(void)
{
	int ret;

	if (!vivtheap_name_valid(uncached_name) ||
	    !vivtheap_name_valid(wc_name) || !strcmp(uncached_name, wc_name)) {
		pr_err("heap names must be distinct, 1..%d bytes, without '/'\n",
		       VIVTHEAP_NAME_LEN - 1);
		return -EINVAL;
	}
	ret = vivtheap_backend_choose();
	if (ret)
		return ret;
	ret = vivtheap_device_create();
	if (ret)
		return ret;

	vivtheap_heap_init(&vivtheap_heaps[VIVTHEAP_HEAP_UNCACHED], uncached_name,
			   VIVTHEAP_CACHE_UNCACHED, 0, uncached_max_size);
	vivtheap_heap_init(&vivtheap_heaps[VIVTHEAP_HEAP_WC], wc_name,
			   VIVTHEAP_CACHE_WC, DMA_ATTR_WRITE_COMBINE, wc_max_size);
	/* Device-tree nodes may give the heaps their own devices. */
	ret = vivtheap_of_register();
	if (ret)
		goto unregister_device;
	vivtheap_pool_init();
	vivtheap_debugfs_init();

	ret = vivtheap_ctl_register();
	if (ret)
		goto remove_debugfs;
	vivtheap_of_close();
	ret = vivtheap_register_heaps();
	if (ret)
		goto unregister_ctl;
	pr_info("heaps %s and %s ready (%s backend)\n", uncached_name, wc_name,
		vivtheap_backend->name);
	return 0;

unregister_ctl:
	vivtheap_ctl_unregister();
remove_debugfs:
	vivtheap_debugfs_exit();
	vivtheap_pool_exit();
	vivtheap_of_unregister();
unregister_device:
	platform_device_unregister(vivtheap_pdev);
	return ret;
}

static void __exit vivtheap_exit(void)
{
	/*
	 * Every buffer pins the module: none is alive here. A backend without
	 * unregister_heap has pinned the module for good.
	 */
	vivtheap_unregister_heaps(VIVTHEAP_NR_HEAPS);
	vivtheap_ctl_unregister();
	vivtheap_debugfs_exit();
	vivtheap_pool_exit();
	vivtheap_of_unregister();
	platform_device_unregister(vivtheap_pdev);
}

module_init(vivtheap_init);
module_exit(vivtheap_exit);

MODULE_DESCRIPTION("Uncached and write-combined DMA-BUF heaps for aliasing caches");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
