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
 * dma-buf is released. A worker zeroes it through that mapping after the
 * free, off the allocation path, and drains the write buffer (a buffer of
 * 64 KiB or less is zeroed at the free); an allocation that comes before
 * the worker zeroes the buffer itself, or waits for that one buffer if the
 * worker is at it. No buffer leaves the pool unzeroed: it leaves as a new
 * one would.
 *
 * Pooled memory is CMA that other drivers may need, and their allocations
 * cannot ask us for it. So the pool is bounded per heap by pool_max_size
 * bytes and by pool_cma_percent of the CMA area the heap draws from; each
 * buffer is freed pool_idle_ms after its own free, however busy the heap is;
 * the pools are emptied and the allocation retried when an allocation of
 * ours fails, and emptied on demand through debugfs.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "vivtheap_priv.h"

/*
 * Freed buffers up to this size are zeroed at the free itself: under qemu
 * -icount on vivt-latest, waking the worker costs about 350 us, zeroing
 * 64 KiB about 50 us.
 */
#define VIVTHEAP_POOL_ZERO_INLINE SZ_64K

static unsigned long vivtheap_pool_max_size = 16UL << 20;
static unsigned int vivtheap_pool_cma_percent = 25;
static unsigned int vivtheap_pool_idle_ms = 1000;

/* Set while the heaps exist; written under kernel_param_lock(). */
static bool vivtheap_pools_live;

/* The most @heap may pool now: both bounds. */
static size_t vivtheap_pool_limit(const struct vivtheap_heap *heap)
{
	size_t max = READ_ONCE(vivtheap_pool_max_size);
	unsigned int pct = min(READ_ONCE(vivtheap_pool_cma_percent), 100U);

	/* "0 = no pool", whether the area's size is known or not. */
	if (!pct)
		return 0;
	if (heap->pool_cma_bytes)
		max = min(max, heap->pool_cma_bytes / 100 * pct);
	return max;
}

/* A bound changed: shrink every pool to it. Under kernel_param_lock(). */
static int vivtheap_pool_param_set(const char *val,
				   const struct kernel_param *kp)
{
	int ret, i;

	if (kp->arg == &vivtheap_pool_cma_percent)
		ret = param_set_uint(val, kp);
	else
		ret = param_set_ulong(val, kp);
	if (ret || !vivtheap_pools_live)
		return ret;
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++)
		vivtheap_pool_shrink(&vivtheap_heaps[i],
				     vivtheap_pool_limit(&vivtheap_heaps[i]));
	return 0;
}

static const struct kernel_param_ops vivtheap_pool_max_size_ops = {
	.set = vivtheap_pool_param_set,
	.get = param_get_ulong,
};

static const struct kernel_param_ops vivtheap_pool_cma_percent_ops = {
	.set = vivtheap_pool_param_set,
	.get = param_get_uint,
};

module_param_cb(pool_max_size, &vivtheap_pool_max_size_ops,
		&vivtheap_pool_max_size, 0644);
MODULE_PARM_DESC(pool_max_size,
		 "freed bytes kept per heap for reuse, 0 = no pool (default 16 MiB)");
module_param_cb(pool_cma_percent, &vivtheap_pool_cma_percent_ops,
		&vivtheap_pool_cma_percent, 0644);
MODULE_PARM_DESC(pool_cma_percent,
		 "freed bytes kept per heap, at most this share of the CMA area it draws from, 0 = no pool (default 25)");
module_param_named(pool_idle_ms, vivtheap_pool_idle_ms, uint, 0644);
MODULE_PARM_DESC(pool_idle_ms,
		 "free a pooled buffer this long after its own free, 0 = no pool (default 1000)");

/*
 * The size of the CMA area dma_alloc_attrs() takes @dev's buffers from, or 0
 * if it is not known. Neither 6.1.176 nor 7.2.13 exports cma_get_size() or
 * totalcma_pages, and 6.1's dev_get_cma_area() reads the unexported
 * dma_contiguous_default_area, so the size comes from what both export: a
 * device-tree memory-region's reserved_mem, the default region of
 * /reserved-memory ("linux,cma-default"), or else all CMA pages (the zones'
 * counts) less every other reusable region: the area the cma= parameter or
 * CONFIG_CMA_SIZE_MBYTES made.
 */
static size_t vivtheap_pool_cma_bytes(struct device *dev)
{
	struct device_node *mem, *np;
	struct reserved_mem *rmem;
	size_t others = 0, total = 0;
	int nid, z;

	np = dev->of_node ? of_parse_phandle(dev->of_node, "memory-region", 0) :
			    NULL;
	if (np) {
		rmem = of_reserved_mem_lookup(np);
		of_node_put(np);
		return rmem ? rmem->size : 0;
	}

	mem = of_find_node_by_path("/reserved-memory");
	for_each_available_child_of_node(mem, np) {
		if (!of_device_is_compatible(np, "shared-dma-pool") ||
		    !of_property_read_bool(np, "reusable"))
			continue;
		rmem = of_reserved_mem_lookup(np);
		if (!rmem)
			continue;
		if (of_property_read_bool(np, "linux,cma-default")) {
			of_node_put(np);
			of_node_put(mem);
			return rmem->size;
		}
		others += rmem->size;
	}
	of_node_put(mem);

	for_each_online_node(nid)
		for (z = 0; z < MAX_NR_ZONES; z++)
			total += zone_cma_pages(&NODE_DATA(nid)->node_zones[z]);
	total <<= PAGE_SHIFT;
	return total > others ? total - others : 0;
}

/*
 * Move pooled buffers, oldest first, to @victims until at most @keep bytes
 * are left. The buffer the zeroing worker holds stays: the worker frees it
 * itself if it no longer fits (vivtheap_pool_zero()).
 */
static void vivtheap_pool_collect(struct vivtheap_heap *heap, size_t keep,
				  struct list_head *victims)
{
	struct vivtheap_buffer *buffer, *tmp;

	lockdep_assert_held(&heap->lock);
	list_for_each_entry_safe(buffer, tmp, &heap->pool, node) {
		if (heap->pool_bytes <= keep)
			break;
		if (buffer == heap->pool_zeroing)
			continue;
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

/*
 * Free pooled buffers, oldest first, but the one the worker is zeroing.
 * Return: whether the worker holds one; then @seq is heap->pool_zero_seq.
 */
static bool vivtheap_pool_release(struct vivtheap_heap *heap, size_t keep,
				  unsigned long *seq)
{
	LIST_HEAD(victims);
	bool busy;

	mutex_lock(&heap->lock);
	vivtheap_pool_collect(heap, keep, &victims);
	busy = heap->pool_zeroing;
	*seq = heap->pool_zero_seq;
	mutex_unlock(&heap->lock);
	vivtheap_pool_free_list(heap, &victims);
	return busy;
}

/**
 * vivtheap_pool_shrink() - free pooled buffers, oldest first
 * @heap: the heap
 * @keep: the most pooled bytes to leave
 *
 * With @keep 0 the pool is empty on return: the zeroing worker is waited
 * for first. Not from the pool's own workers.
 */
void vivtheap_pool_shrink(struct vivtheap_heap *heap, size_t keep)
{
	unsigned long seq;

	if (!keep)
		cancel_work_sync(&heap->pool_zero_work);
	vivtheap_pool_release(heap, keep, &seq);
}

/**
 * vivtheap_pool_shrink_all() - empty every heap's pool
 *
 * Waits for each heap's zeroing worker to finish its run (uninterruptibly):
 * for the debugfs file drain_pools, not for an allocation.
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

/**
 * vivtheap_pool_reclaim() - empty every heap's pool for an allocation
 *
 * For an allocation the memory refused: frees every pooled buffer, and the
 * one a zeroing worker holds once it is done with it, waiting (killable)
 * for that buffer only. vivtheap_pool_shrink_all() would wait,
 * uninterruptibly, for the worker's whole run, which goes on as long as
 * others free large buffers.
 *
 * Return: 1 if anything was freed, 0 if nothing was pooled, -EINTR if a
 * fatal signal came while waiting.
 */
int vivtheap_pool_reclaim(void)
{
	struct vivtheap_heap *heap;
	unsigned long seq;
	bool freed = false;
	int i;

	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		heap = &vivtheap_heaps[i];
		freed |= READ_ONCE(heap->pool_nr) != 0;
		if (!vivtheap_pool_release(heap, 0, &seq))
			continue;
		if (wait_event_killable(heap->pool_wait,
					READ_ONCE(heap->pool_zero_seq) != seq))
			return -EINTR;
		vivtheap_pool_release(heap, 0, &seq);
	}
	return freed;
}

/* Whether @buffer has been pooled for @idle jiffies at @now. */
static bool vivtheap_pool_expired(const struct vivtheap_buffer *buffer,
				  unsigned long idle, unsigned long now)
{
	return time_after_eq(now, buffer->pooled_at + idle);
}

/*
 * Have the aging worker run at @due at the latest: now if @due is not after
 * @now. A pending run that is due earlier stays.
 */
static void vivtheap_pool_age_by(struct vivtheap_heap *heap,
				 unsigned long due, unsigned long now)
{
	lockdep_assert_held(&heap->lock);
	if (delayed_work_pending(&heap->pool_work) &&
	    !time_before(due, heap->pool_due))
		return;
	heap->pool_due = due;
	mod_delayed_work(system_long_wq, &heap->pool_work,
			 time_after(due, now) ? due - now : 0);
}

/*
 * The aging worker: frees every buffer pooled for pool_idle_ms, then sleeps
 * until the oldest one left is due.
 */
static void vivtheap_pool_age(struct work_struct *work)
{
	struct vivtheap_heap *heap = container_of(to_delayed_work(work),
						  struct vivtheap_heap,
						  pool_work);
	unsigned long idle = msecs_to_jiffies(READ_ONCE(vivtheap_pool_idle_ms));
	struct vivtheap_buffer *buffer, *tmp;
	unsigned long now, due = 0;
	bool again = false;

	LIST_HEAD(victims);

	mutex_lock(&heap->lock);
	now = jiffies;
	list_for_each_entry_safe(buffer, tmp, &heap->pool, node) {
		if (!vivtheap_pool_expired(buffer, idle, now)) {
			/* after now: not expired */
			due = buffer->pooled_at + idle;
			again = true;
			break;
		}
		/* The zeroing worker frees it when it is done. */
		if (buffer == heap->pool_zeroing)
			continue;
		list_move_tail(&buffer->node, &victims);
		heap->pool_bytes -= buffer->size;
		heap->pool_nr--;
	}
	if (again)
		vivtheap_pool_age_by(heap, due, now);
	mutex_unlock(&heap->lock);
	vivtheap_pool_free_list(heap, &victims);
}

/*
 * Zero @buffer through its kernel mapping. Non-cacheable: drain the stores.
 * Cached heap: clean the zeroes to memory (vivtheap_maint_zeroed()); no user
 * mapping is left to hold lines (each was flushed when it was unmapped).
 */
static void vivtheap_pool_clear(struct vivtheap_heap *heap,
				struct vivtheap_buffer *buffer)
{
	memset(buffer->vaddr, 0, buffer->size);
	if (heap->mode == VIVTHEAP_CACHE_CACHED)
		vivtheap_maint_zeroed(buffer);
	else
		vivtheap_maint_drain(heap);
}

/*
 * The zeroing worker: zeroes the pooled buffers freed since it last ran, one
 * at a time, oldest first. The buffer it zeroes stays in the pool, marked as
 * heap->pool_zeroing: no one else takes or frees it meanwhile, so it cannot
 * be freed under the worker. Done, the worker clears the mark, wakes
 * whoever waits for it (vivtheap_pool_take()), and frees the buffer if it
 * has aged out or no longer fits the bound; else it makes sure the aging
 * worker comes back for it, which skipped it if it ran meanwhile.
 */
static void vivtheap_pool_zero(struct work_struct *work)
{
	struct vivtheap_heap *heap = container_of(work, struct vivtheap_heap,
						  pool_zero_work);
	struct vivtheap_buffer *buffer;
	unsigned long idle, now;
	bool drop;

	for (;;) {
		mutex_lock(&heap->lock);
		buffer = NULL;
		list_for_each_entry(buffer, &heap->pool, node)
			if (!buffer->zeroed)
				break;
		if (list_entry_is_head(buffer, &heap->pool, node)) {
			mutex_unlock(&heap->lock);
			return;
		}
		WRITE_ONCE(heap->pool_zeroing, buffer);
		mutex_unlock(&heap->lock);

		vivtheap_pool_clear(heap, buffer);

		idle = msecs_to_jiffies(READ_ONCE(vivtheap_pool_idle_ms));
		mutex_lock(&heap->lock);
		WRITE_ONCE(heap->pool_zeroing, NULL);
		WRITE_ONCE(heap->pool_zero_seq, heap->pool_zero_seq + 1);
		buffer->zeroed = true;
		now = jiffies;
		drop = vivtheap_pool_expired(buffer, idle, now) ||
		       heap->pool_bytes > vivtheap_pool_limit(heap);
		if (drop) {
			list_del(&buffer->node);
			heap->pool_bytes -= buffer->size;
			heap->pool_nr--;
		} else {
			vivtheap_pool_age_by(heap, buffer->pooled_at + idle, now);
		}
		mutex_unlock(&heap->lock);
		wake_up_all(&heap->pool_wait);
		if (drop) {
			vivtheap_buffer_destroy(buffer);
			vivtheap_stat_add(heap, VIVTHEAP_STAT_POOL_FREE, 1);
		}
		cond_resched();
	}
}

/**
 * vivtheap_pool_init() - set up every heap's empty pool
 *
 * Call after the heaps' locks are set up and their devices are final (no
 * device-tree node can bind any more: vivtheap_of_close()), before any
 * allocation: the CMA-relative bound is the device's area's.
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
		heap->pool_zeroing = NULL;
		heap->pool_zero_seq = 0;
		init_waitqueue_head(&heap->pool_wait);
		heap->pool_cma_bytes = vivtheap_pool_cma_bytes(heap->dev);
		INIT_DELAYED_WORK(&heap->pool_work, vivtheap_pool_age);
		INIT_WORK(&heap->pool_zero_work, vivtheap_pool_zero);
	}
	kernel_param_lock(THIS_MODULE);
	vivtheap_pools_live = true;
	kernel_param_unlock(THIS_MODULE);
}

/**
 * vivtheap_pool_exit() - free every pooled buffer for good
 *
 * No allocation or release may run any more. The workers are stopped first:
 * none runs after this returns.
 */
void vivtheap_pool_exit(void)
{
	int i;

	kernel_param_lock(THIS_MODULE);
	vivtheap_pools_live = false;
	kernel_param_unlock(THIS_MODULE);
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		/* The zeroing worker arms the aging one: stopped first. */
		cancel_work_sync(&vivtheap_heaps[i].pool_zero_work);
		cancel_delayed_work_sync(&vivtheap_heaps[i].pool_work);
		vivtheap_pool_shrink(&vivtheap_heaps[i], 0);
	}
}

/**
 * vivtheap_pool_take() - reuse a pooled buffer of exactly @size bytes
 * @heap: the heap
 * @size: the size wanted, a multiple of PAGE_SIZE
 *
 * Prefers the newest buffer the worker has zeroed; else takes one of that
 * size the worker has not reached, and zeroes it here; else, if the worker
 * is zeroing one, waits once for that buffer (killable).
 *
 * Return: a zeroed buffer no longer in the pool, owned by the caller; NULL
 * if none of that size is pooled; ERR_PTR(-EINTR) if a fatal signal came
 * while waiting.
 */
struct vivtheap_buffer *vivtheap_pool_take(struct vivtheap_heap *heap,
					   size_t size)
{
	struct vivtheap_buffer *buffer, *found;
	bool busy, waited = false;
	unsigned long seq;

again:
	found = NULL;
	busy = false;
	mutex_lock(&heap->lock);
	seq = heap->pool_zero_seq;
	/* Newest first: its memory was touched last. */
	list_for_each_entry_reverse(buffer, &heap->pool, node) {
		if (buffer->size != size)
			continue;
		if (buffer == heap->pool_zeroing) {
			busy = true;
			continue;
		}
		if (!found || !found->zeroed)
			found = buffer;
		if (found->zeroed)
			break;
	}
	if (found) {
		list_del(&found->node);
		heap->pool_bytes -= size;
		heap->pool_nr--;
	}
	mutex_unlock(&heap->lock);
	if (!found && busy && !waited) {
		/*
		 * The worker is zeroing the one: waiting for it costs less
		 * than CMA, and a new buffer may not fit beside the pool. For
		 * that buffer only, which its size bounds: flush_work() would
		 * wait, uninterruptibly, until the worker ran out of buffers
		 * to zero, which may be never while others free. Until the
		 * mark moves: the same buffer may be taken, freed and marked
		 * again before this runs. Killable: a dying caller gets no
		 * buffer.
		 */
		if (wait_event_killable(heap->pool_wait,
					READ_ONCE(heap->pool_zero_seq) != seq))
			return ERR_PTR(-EINTR);
		waited = true;
		goto again;
	}
	if (!found)
		return NULL;

	if (!found->zeroed)
		vivtheap_pool_clear(heap, found);
	vivtheap_stat_add(heap, VIVTHEAP_STAT_POOL_HIT, 1);
	return found;
}

/**
 * vivtheap_pool_put() - keep a released buffer for reuse if it fits
 * @heap: the heap
 * @buffer: a buffer with no dma-buf, mapping or importer left
 *
 * Older pooled buffers make room for @buffer when the pool is full. A small
 * @buffer is zeroed here, a larger one by the zeroing worker, queued for it;
 * the aging worker is due by the time @buffer has aged out.
 *
 * Return: true if the pool took @buffer, false if the caller must free it.
 */
bool vivtheap_pool_put(struct vivtheap_heap *heap,
		       struct vivtheap_buffer *buffer)
{
	size_t max = vivtheap_pool_limit(heap);
	unsigned int idle_ms = READ_ONCE(vivtheap_pool_idle_ms);
	bool zero_now;

	LIST_HEAD(victims);

	if (buffer->size > max || !idle_ms)
		return false;

	/* A small buffer costs less to zero here than to wake the worker. */
	zero_now = buffer->size <= VIVTHEAP_POOL_ZERO_INLINE;
	if (zero_now)
		vivtheap_pool_clear(heap, buffer);
	buffer->zeroed = zero_now;
	mutex_lock(&heap->lock);
	buffer->pooled_at = jiffies;
	vivtheap_pool_collect(heap, max - buffer->size, &victims);
	list_add_tail(&buffer->node, &heap->pool);
	heap->pool_bytes += buffer->size;
	heap->pool_nr++;
	vivtheap_pool_age_by(heap, buffer->pooled_at + msecs_to_jiffies(idle_ms),
			     buffer->pooled_at);
	mutex_unlock(&heap->lock);
	if (!zero_now)
		queue_work(system_long_wq, &heap->pool_zero_work);
	vivtheap_pool_free_list(heap, &victims);
	return true;
}
