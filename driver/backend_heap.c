// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: the heap registration backend, through the kernel's dma-heap
 * core, where the target kernel exports dma_heap_add() (Kbuild reads it from
 * the target's Module.symvers and defines VIVTHEAP_HAVE_DMA_HEAP_ADD).
 *
 * The core has no way to remove a heap (no dma_heap_remove() or the like in
 * 6.1.176 or 7.2.13, where the core keeps the heap and calls our ops as long
 * as the system runs), so once one is registered the module can never be
 * unloaded: it takes a reference on itself, and says so. Hence no
 * unregister_heap, and the order of module init (main.c): dma_heap_add()
 * comes after every step that can fail the load.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/module.h>

#include "compat.h"
#include "vivtheap_priv.h"

#ifdef VIVTHEAP_HAVE_DMA_HEAP_ADD
#include <linux/dma-heap.h>

MODULE_IMPORT_NS("DMA_BUF_HEAP");

static struct dma_buf *vivtheap_heap_allocate(struct dma_heap *dma_heap,
					      unsigned long len, u32 fd_flags,
					      u64 heap_flags)
{
	/* The core validated the flags and page-aligned len. */
	return vivtheap_buffer_alloc(dma_heap_get_drvdata(dma_heap), len,
				     fd_flags);
}

static const struct dma_heap_ops vivtheap_heap_ops = {
	.allocate = vivtheap_heap_allocate,
};

static bool vivtheap_heap_backend_available(void)
{
	return true;
}

/* On success the module pins itself: the core cannot remove heaps. */
static int vivtheap_heap_backend_register(struct vivtheap_heap *heap)
{
	struct dma_heap_export_info exp_info = {
		.name = heap->name,
		.ops = &vivtheap_heap_ops,
		.priv = heap,
	};
	struct dma_heap *dma_heap;

	dma_heap = dma_heap_add(&exp_info);
	if (IS_ERR(dma_heap))
		return PTR_ERR(dma_heap);
	__module_get(THIS_MODULE);
	dev_info(heap->dev, "%s registered with the dma-heap core; the module can no longer be unloaded\n",
		 heap->name);
	return 0;
}
#else
static bool vivtheap_heap_backend_available(void)
{
	return false;
}

/* Never called: vivtheap_heap_backend_available() says no. */
static int vivtheap_heap_backend_register(struct vivtheap_heap *heap)
{
	return -EOPNOTSUPP;
}
#endif

/*
 * backend=auto does not pick it on 32-bit: the core narrows the u64 len to
 * size_t before the heap sees it, so there 2^32 + 4096 bytes become 4 KiB
 * (drivers/dma-buf/dma-heap.c). The chardev backend checks first.
 */
const struct vivtheap_backend_ops vivtheap_backend_heap_ops = {
	.name = "heap",
	.available = vivtheap_heap_backend_available,
	.auto_ok = BITS_PER_LONG == 64,
	.register_heap = vivtheap_heap_backend_register,
	/* .unregister_heap: none, the core cannot remove a heap. */
};
