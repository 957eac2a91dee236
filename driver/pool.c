// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: a small per-heap pool of freed buffers, kept with their
 * non-cacheable mappings so that the next allocation of the same size skips
 * what makes dma_alloc_attrs() slow on ARM: the CMA search, the clean of the
 * cacheable linear alias and the rewrite of the linear map's attributes
 * (arch/arm/mm/dma-mapping.c, __alloc_from_contiguous() and __dma_remap()).
 *
 * A pooled buffer keeps exactly the aliases it had: the kernel mapping of
 * dma_alloc_attrs(). No user mapping, importer or vmap user is left when the
 * dma-buf is released. It is zeroed through that mapping when it is taken,
 * and the write buffer drained, so it leaves the pool as a new one would.
 *
 * The pool is bounded (pool_max_size bytes per heap), emptied after
 * pool_idle_ms without a free, emptied and retried when an allocation fails
 * (pooled memory is CMA that other users may need), and emptied on demand
 * through debugfs.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "vivtheap_priv.h"

static unsigned long vivtheap_pool_max_size = 16UL << 20;
static unsigned int vivtheap_pool_idle_ms = 1000;

/* Set while the heaps exist; written under kernel_param_lock(). */
static bool vivtheap_pools_live;

static int vivtheap_pool_max_size_set(const char *val,
				      const struct kernel_param *kp)
{
	int ret, i;

	ret = param_set_ulong(val, kp);
	if (ret || !vivtheap_pools_live)
		return ret;
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++)
		vivtheap_pool_shrink(&vivtheap_heaps[i],
				     READ_ONCE(vivtheap_pool_max_size));
	return 0;
}

static const struct kernel_param_ops vivtheap_pool_max_size_ops = {
	.set = vivtheap_pool_max_size_set,
	.get = param_get_ulong,
};

module_param_cb(pool_max_size, &vivtheap_pool_max_size_ops,
		&vivtheap_pool_max_size, 0644);
MODULE_PARM_DESC(pool_max_size,
		 "freed bytes kept per heap for reuse, 0 = no pool (default 16 MiB)");
module_param_named(pool_idle_ms, vivtheap_pool_idle_ms, uint, 0644);
MODULE_PARM_DESC(pool_idle_ms,
		 "empty a heap's pool after this long without a free, 0 = no pool (default 1000)");

/*
 * Move pooled buffers, oldest first, to @victims until at most @keep bytes
 * are left. Called with the heap's lock held.
 */
static void vivtheap_pool_collect(struct vivtheap_heap *heap, size_t keep,
				  struct list_head *victims)
{
	struct vivtheap_buffer *buffer, *tmp;

	lockdep_assert_held(&heap->lock);
	list_for_each_entry_safe(buffer, tmp, &heap->pool, node) {
		if (heap->pool_bytes <= keep)
			break;
		list_move_tail(&buffer->node, victims);
		heap->pool_bytes -= buffer->size;
		heap->pool_nr--;
	}
}

static void vivtheap_pool_free_list(struct vivtheap_heap *heap,
				    struct list_head *victims)
{
	struct vivtheap_buffer *buffer, *tmp;

	list_for_each_entry_safe(buffer, tmp, victims, node) {
		list_del(&buffer->node);
		vivtheap_buffer_destroy(buffer);
		vivtheap_stat_add(heap, VIVTHEAP_STAT_POOL_FREE, 1);
	}
}

/**
 * vivtheap_pool_shrink() - free pooled buffers, oldest first
 * @heap: the heap
 * @keep: the most pooled bytes to leave
 */
void vivtheap_pool_shrink(struct vivtheap_heap *heap, size_t keep)
{
	LIST_HEAD(victims);

	mutex_lock(&heap->lock);
	vivtheap_pool_collect(heap, keep, &victims);
	mutex_unlock(&heap->lock);
	vivtheap_pool_free_list(heap, &victims);
}

/**
 * vivtheap_pool_shrink_all() - empty every heap's pool
 *
 * Return: true if anything was freed.
 */
bool vivtheap_pool_shrink_all(void)
{
	bool freed = false;
	int i;

	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		freed |= READ_ONCE(vivtheap_heaps[i].pool_nr) != 0;
		vivtheap_pool_shrink(&vivtheap_heaps[i], 0);
	}
	return freed;
}

static void vivtheap_pool_idle(struct work_struct *work)
{
	struct vivtheap_heap *heap = container_of(to_delayed_work(work),
						  struct vivtheap_heap,
						  pool_work);

	vivtheap_pool_shrink(heap, 0);
}

/**
 * vivtheap_pool_init() - set up every heap's empty pool
 *
 * Call after the heaps' locks are set up, before any allocation.
 */
void vivtheap_pool_init(void)
{
	struct vivtheap_heap *heap;
	int i;

	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		heap = &vivtheap_heaps[i];
		INIT_LIST_HEAD(&heap->pool);
		heap->pool_bytes = 0;
		heap->pool_nr = 0;
		INIT_DELAYED_WORK(&heap->pool_work, vivtheap_pool_idle);
	}
	kernel_param_lock(THIS_MODULE);
	vivtheap_pools_live = true;
	kernel_param_unlock(THIS_MODULE);
}

/**
 * vivtheap_pool_exit() - free every pooled buffer for good
 *
 * No allocation or release may run any more.
 */
void vivtheap_pool_exit(void)
{
	int i;

	kernel_param_lock(THIS_MODULE);
	vivtheap_pools_live = false;
	kernel_param_unlock(THIS_MODULE);
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		cancel_delayed_work_sync(&vivtheap_heaps[i].pool_work);
		vivtheap_pool_shrink(&vivtheap_heaps[i], 0);
	}
}

/**
 * vivtheap_pool_take() - reuse a pooled buffer of exactly @size bytes
 * @heap: the heap
 * @size: the size wanted, a multiple of PAGE_SIZE
 *
 * Return: a zeroed buffer no longer in the pool, owned by the caller, or
 * NULL if none of that size is pooled.
 */
struct vivtheap_buffer *vivtheap_pool_take(struct vivtheap_heap *heap,
					   size_t size)
{
	struct vivtheap_buffer *buffer, *found = NULL;

	mutex_lock(&heap->lock);
	/* Newest first: its memory was touched last. */
	list_for_each_entry_reverse(buffer, &heap->pool, node) {
		if (buffer->size == size) {
			found = buffer;
			list_del(&found->node);
			heap->pool_bytes -= size;
			heap->pool_nr--;
			break;
		}
	}
	mutex_unlock(&heap->lock);
	if (!found)
		return NULL;

	/*
	 * Through the buffer's own non-cacheable mapping: no cache line to
	 * clean afterwards, only the write buffer to drain.
	 */
	memset(found->vaddr, 0, size);
	vivtheap_maint_drain(heap);
	vivtheap_stat_add(heap, VIVTHEAP_STAT_POOL_HIT, 1);
	return found;
}

/**
 * vivtheap_pool_put() - keep a released buffer for reuse if it fits
 * @heap: the heap
 * @buffer: a buffer with no dma-buf, mapping or importer left
 *
 * Older pooled buffers make room for @buffer when the pool is full.
 *
 * Return: true if the pool took @buffer, false if the caller must free it.
 */
bool vivtheap_pool_put(struct vivtheap_heap *heap,
		       struct vivtheap_buffer *buffer)
{
	size_t max = READ_ONCE(vivtheap_pool_max_size);
	unsigned int idle_ms = READ_ONCE(vivtheap_pool_idle_ms);

	LIST_HEAD(victims);

	if (buffer->size > max || !idle_ms)
		return false;

	mutex_lock(&heap->lock);
	vivtheap_pool_collect(heap, max - buffer->size, &victims);
	list_add_tail(&buffer->node, &heap->pool);
	heap->pool_bytes += buffer->size;
	heap->pool_nr++;
	mutex_unlock(&heap->lock);
	vivtheap_pool_free_list(heap, &victims);
	mod_delayed_work(system_long_wq, &heap->pool_work,
			 msecs_to_jiffies(idle_ms));
	return true;
}
