// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: the heap registration backend, through the kernel's dma-heap
 * core, where the target kernel exports dma_heap_add().
 *
 * The core has no way to remove a heap, so once one is registered the
 * module can never be unloaded: it takes a reference on itself, and says so.
 */

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/module.h>

#include "compat.h"
#include "vivtheap.h"

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

/**
 * vivtheap_heap_backend_available() - can heaps go through the dma-heap core
 *
 * Return: true if the target kernel exports dma_heap_add().
 */
bool vivtheap_heap_backend_available(void)
{
	return true;
}

/**
 * vivtheap_heap_backend_register() - register a heap with the dma-heap core
 * @heap: the heap, set up
 *
 * On success the module pins itself: the core cannot remove heaps.
 *
 * Return: 0, or the error of dma_heap_add().
 */
int vivtheap_heap_backend_register(struct vivtheap_heap *heap)
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
	heap->dma_heap = dma_heap;
	__module_get(THIS_MODULE);
	pr_info("vivtheap: %s registered with the dma-heap core; the module can no longer be unloaded\n",
		heap->name);
	return 0;
}
#else
bool vivtheap_heap_backend_available(void)
{
	return false;
}

int vivtheap_heap_backend_register(struct vivtheap_heap *heap)
{
	return -EOPNOTSUPP;
}
#endif
