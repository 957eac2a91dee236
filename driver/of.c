// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: optional device-tree nodes, one per heap, that give the heap its
 * own memory (docs/devicetree.md, binding in
 * docs/bindings/vivtheap,dma-heap.yaml):
 *
 *	vivtheap-wc {
 *		compatible = "vivtheap,dma-heap";
 *		vivtheap,cache-mode = "write-combined";
 *		memory-region = <&camera_pool>;
 *	};
 *
 * The node's device replaces the module's own device for that heap, so
 * dma_alloc_attrs() takes the buffers from the node's CMA pool (a reusable
 * "shared-dma-pool"), with the DMA mask of dma_bits and the heap's
 * attributes. Nodes are bound while the module loads, before any heap is
 * registered; a node that appears later is refused, as is unbinding.
 *
 * Lifetimes: probing is synchronous whatever async_probe says, so every node
 * present at load is bound before the heaps go live; the check "heaps live
 * yet?" and the switch of heap->dev are one step under vivtheap_of_lock. A
 * heap holds a reference on its node's device, and the node's reserved
 * region stays attached to it until the module unloads. Unbinding from user
 * space is refused (suppress_bind_attrs). Removing a node while the module
 * is loaded (a DT overlay taken away) is not supported: the driver core
 * then tears down the device's DMA setup (device_unbind_cleanup():
 * arch_teardown_dma_ops() and the dma_range_map freed, 6.1
 * drivers/base/dd.c:528-540, 7.2.13 :593-608) while the heap goes on
 * allocating and mapping on it. The removal is logged.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_device.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/string.h>

#include "compat.h"
#include "vivtheap_priv.h"

/*
 * Protects vivtheap_of_closed, vivtheap_of_unloading and the switch of a
 * heap's dev to a node's.
 */
static DEFINE_MUTEX(vivtheap_of_lock);
static bool vivtheap_of_closed;
static bool vivtheap_of_unloading;

/*
 * The words of vivtheap,cache-mode, the library's (vivtheap_caching_name()),
 * and the heap each selects. "write-combine" is the spelling of the binding
 * before vivtheap 0.2, still accepted so that board trees keep booting.
 */
static const struct {
	const char *word;
	enum vivtheap_heap_index heap;
} vivtheap_of_modes[] = {
	{ "uncached", VIVTHEAP_HEAP_UNCACHED },
	{ "write-combined", VIVTHEAP_HEAP_WC },
	{ "write-combine", VIVTHEAP_HEAP_WC },
};

/* Only a reusable shared-dma-pool is CMA, allocated with our attributes. */
static int vivtheap_of_check_region(struct device *dev)
{
	struct device_node *region;
	bool ok;

	region = of_parse_phandle(dev->of_node, "memory-region", 0);
	if (!region)
		return -ENOENT;
	ok = of_device_is_compatible(region, "shared-dma-pool") &&
	     of_property_read_bool(region, "reusable") &&
	     !of_property_read_bool(region, "no-map");
	of_node_put(region);
	if (!ok) {
		dev_err(dev, "memory-region: want a reusable shared-dma-pool (CMA)\n");
		return -EINVAL;
	}
	if (of_count_phandle_with_args(dev->of_node, "memory-region",
				       NULL) != 1) {
		dev_err(dev, "memory-region: want exactly one region\n");
		return -EINVAL;
	}
	return 0;
}

static int vivtheap_of_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct vivtheap_heap *heap;
	const char *mode;
	bool has_region;
	unsigned int i;
	int ret;

	ret = of_property_read_string(dev->of_node, "vivtheap,cache-mode",
				      &mode);
	if (ret) {
		dev_err(dev, "vivtheap,cache-mode missing\n");
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(vivtheap_of_modes); i++)
		if (!strcmp(vivtheap_of_modes[i].word, mode))
			break;
	if (i == ARRAY_SIZE(vivtheap_of_modes)) {
		dev_err(dev, "vivtheap,cache-mode \"%s\": want \"uncached\" or \"write-combined\"\n",
			mode);
		return -EINVAL;
	}
	heap = &vivtheap_heaps[vivtheap_of_modes[i].heap];
	/* Non-coherent is the point: a coherent device would get cacheable memory. */
	if (of_dma_is_coherent(dev->of_node)) {
		dev_err(dev, "dma-coherent: vivtheap buffers must be non-coherent\n");
		return -EINVAL;
	}
	/*
	 * Behind an IOMMU, dma_alloc_attrs() gathers pages that are contiguous
	 * in the device's addresses only (6.1 arch/arm/mm/dma-mapping.c:
	 * arm_iommu_alloc_attrs() -> __iommu_alloc_buffer(), :856-945), while
	 * the heaps promise, and give importers, one physical range. The
	 * driver core sets the IOMMU up before it probes (really_probe():
	 * dev->bus->dma_configure(), 6.1 drivers/base/dd.c:620-621, that is
	 * platform_dma_configure() -> of_dma_configure(), platform.c:1443-1450),
	 * so the device is in its IOMMU group by now.
	 */
	if (device_iommu_mapped(dev)) {
		dev_err(dev, "iommus: behind an IOMMU the buffers would not be physically contiguous, as vivtheap heaps are\n");
		return -EINVAL;
	}
	ret = vivtheap_of_check_region(dev);
	if (ret && ret != -ENOENT)
		return ret;
	has_region = !ret;

	mutex_lock(&vivtheap_of_lock);
	if (vivtheap_of_closed) {
		dev_err(dev, "the heaps are registered already; reload vivtheap to use this node\n");
		ret = -EBUSY;
		goto unlock;
	}
	if (heap->dev != vivtheap_default_dev()) {
		dev_err(dev, "a second node for the %s heap\n", mode);
		ret = -EBUSY;
		goto unlock;
	}
	if (has_region) {
		ret = of_reserved_mem_device_init(dev);
		if (ret) {
			dev_err(dev, "memory-region: %d\n", ret);
			goto unlock;
		}
	}
	ret = vivtheap_dma_configure(dev);
	if (ret) {
		if (has_region)
			of_reserved_mem_device_release(dev);
		goto unlock;
	}
	heap->dev = get_device(dev);
	heap->of_region = has_region;
	dev_info(dev, "%s heap: buffers from %s\n", mode,
		 has_region ? "its memory-region" : "the default CMA area");
unlock:
	mutex_unlock(&vivtheap_of_lock);
	return ret;
}

/*
 * A node's device going away while vivtheap is loaded (a DT overlay removed;
 * unbinding from user space is refused): not supported, said in the log.
 * The heap keeps the device and its region, which its buffers may still
 * use, until the module unloads, but the device's DMA setup is gone.
 */
static void vivtheap_of_remove(struct platform_device *pdev)
{
	unsigned int i;

	mutex_lock(&vivtheap_of_lock);
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++)
		if (vivtheap_heaps[i].dev == &pdev->dev && !vivtheap_of_unloading)
			dev_warn(&pdev->dev, "removed while the %s heap uses it: not supported, its DMA setup is gone; unload vivtheap\n",
				 vivtheap_heaps[i].name);
	mutex_unlock(&vivtheap_of_lock);
}

static const struct of_device_id vivtheap_of_match[] = {
	{ .compatible = "vivtheap,dma-heap" },
	{ }
};

/*
 * The alias that lets udev load the module for a node. A cross-build with a
 * distribution's host-built modpost (Debian's linux-kbuild: 64-bit struct
 * sizes for a 32-bit target) cannot check the table and leaves it out.
 */
#ifndef VIVTHEAP_NO_MODALIAS
MODULE_DEVICE_TABLE(of, vivtheap_of_match);
#endif

static struct platform_driver vivtheap_of_driver = {
	.probe = vivtheap_of_probe,
	VIVTHEAP_PLATFORM_REMOVE(vivtheap_of_remove),
	.driver = {
		.name = "vivtheap-of",
		.of_match_table = vivtheap_of_match,
		/* The heaps use the device until the module goes. */
		.suppress_bind_attrs = true,
		/* Every node present at load is bound before the heaps go live. */
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

/**
 * vivtheap_of_register() - bind the device-tree nodes present now
 *
 * Call after the heaps are set up on the module's own device and before
 * they are registered: a heap with a node gets the node's device.
 *
 * Return: 0 or a negative errno from the driver core. A node that does not
 * bind only leaves its heap on the module's own device.
 */
int vivtheap_of_register(void)
{
	mutex_lock(&vivtheap_of_lock);
	vivtheap_of_closed = false;
	vivtheap_of_unloading = false;
	mutex_unlock(&vivtheap_of_lock);
	return platform_driver_register(&vivtheap_of_driver);
}

/**
 * vivtheap_of_close() - refuse nodes from now on: the heaps are live
 */
void vivtheap_of_close(void)
{
	mutex_lock(&vivtheap_of_lock);
	vivtheap_of_closed = true;
	mutex_unlock(&vivtheap_of_lock);
}

/**
 * vivtheap_of_unregister() - unbind the nodes, releasing their regions
 *
 * Call when no buffer is left, pooled or live: each heap on a node's device
 * goes back to the module's own, the node's region is released and the
 * device reference dropped.
 */
void vivtheap_of_unregister(void)
{
	unsigned int i;

	mutex_lock(&vivtheap_of_lock);
	vivtheap_of_closed = true;
	vivtheap_of_unloading = true;
	mutex_unlock(&vivtheap_of_lock);
	platform_driver_unregister(&vivtheap_of_driver);
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		struct vivtheap_heap *heap = &vivtheap_heaps[i];

		if (!heap->dev || heap->dev == vivtheap_default_dev())
			continue;
		if (heap->of_region)
			of_reserved_mem_device_release(heap->dev);
		put_device(heap->dev);
		heap->dev = vivtheap_default_dev();
		heap->of_region = false;
	}
}
