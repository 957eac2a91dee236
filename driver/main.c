// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: uncached and write-combined DMA-BUF heaps for CPUs whose caches
 * alias. Module parameters, the DMA device, the heaps, init and exit.
 */

#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/string.h>

#include "compat.h"
#include "vivtheap.h"

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
static bool vivtheap_use_heap_backend;

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
		.dma_mask = DMA_BIT_MASK(dma_bits),
	};
	int ret;

	if (dma_bits < 24 || dma_bits > 64)
		return -EINVAL;

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

static int vivtheap_backend_choose(void)
{
	if (!strcmp(backend, "chardev")) {
		vivtheap_use_heap_backend = false;
	} else if (!strcmp(backend, "heap")) {
		if (!vivtheap_heap_backend_available()) {
			pr_err("vivtheap: backend=heap: this kernel does not export dma_heap_add()\n");
			return -EOPNOTSUPP;
		}
		vivtheap_use_heap_backend = true;
	} else if (!strcmp(backend, "auto")) {
		/*
		 * The core narrows the u64 len to size_t before the heap sees
		 * it, so on 32-bit 2^32 + 4096 bytes becomes 4 KiB: there the
		 * chardev backend, which checks first, is the safe default.
		 */
		vivtheap_use_heap_backend = vivtheap_heap_backend_available() &&
					    BITS_PER_LONG == 64;
	} else {
		pr_err("vivtheap: backend=%s: want auto, heap or chardev\n",
		       backend);
		return -EINVAL;
	}
	return 0;
}

static void vivtheap_unregister_heaps(void)
{
	int i;

	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++)
		vivtheap_chardev_unregister(&vivtheap_heaps[i]);
}

static int vivtheap_register_heaps(void)
{
	int i, ret;

	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		if (vivtheap_use_heap_backend)
			ret = vivtheap_heap_backend_register(&vivtheap_heaps[i]);
		else
			ret = vivtheap_chardev_register(&vivtheap_heaps[i]);
		if (ret) {
			pr_err("vivtheap: cannot register %s: %d\n",
			       vivtheap_heaps[i].name, ret);
			/*
			 * A heap already in the core cannot be removed and has
			 * pinned the module: stay loaded with what we have.
			 */
			if (vivtheap_use_heap_backend && i > 0)
				return 0;
			vivtheap_unregister_heaps();
			return ret;
		}
	}
	return 0;
}

static int __init vivtheap_init(void)
{
	int ret;

	if (!vivtheap_name_valid(uncached_name) ||
	    !vivtheap_name_valid(wc_name) || !strcmp(uncached_name, wc_name)) {
		pr_err("vivtheap: heap names must be distinct, 1..%d bytes, without '/'\n",
		       VIVTHEAP_NAME_LEN - 1);
		return -EINVAL;
	}
	ret = vivtheap_backend_choose();
	if (ret)
		return ret;
	ret = vivtheap_device_create();
	if (ret)
		return ret;

	vivtheap_heap_init(&vivtheap_heaps[0], uncached_name,
			   VIVTHEAP_CACHE_UNCACHED, 0, uncached_max_size);
	vivtheap_heap_init(&vivtheap_heaps[1], wc_name, VIVTHEAP_CACHE_WC,
			   DMA_ATTR_WRITE_COMBINE, wc_max_size);
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
	pr_info("vivtheap: heaps %s and %s ready (%s backend)\n",
		uncached_name, wc_name,
		vivtheap_use_heap_backend ? "heap" : "chardev");
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
	/* Every buffer pins the module: none is alive here. */
	vivtheap_unregister_heaps();
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
