/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vivtheap: private definitions shared by the module's files.
 *
 * Locking:
 * - &vivtheap_heap.lock (mutex) guards the heap's list of live buffers and
 *   its byte counts (nr_buffers, bytes, peak_bytes), and its pool (pool,
 *   pool_bytes, pool_nr). It is taken when a buffer is born and when it is
 *   released, and by the debugfs readers. No memory is freed under it.
 * - The maintenance counters (&vivtheap_heap.stats) are atomics and need no
 *   lock.
 * - A &vivtheap_buffer is immutable after export except for its counters
 *   (atomics) and its list node (heap lock).
 * - vivtheap_heaps[] and the backends are set up in module init before any
 *   node exists and torn down in module exit after every node is gone.
 */
#ifndef VIVTHEAP_H
#define VIVTHEAP_H

#include <linux/atomic.h>
#include <linux/dma-direction.h>
#include <linux/dma-buf.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/pgtable.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "../uapi/linux/vivtheap.h"

struct dma_heap;

/**
 * enum vivtheap_stat - maintenance and allocation counters of a heap
 * @VIVTHEAP_STAT_BEGIN_ACCESS: begin_cpu_access calls
 * @VIVTHEAP_STAT_END_ACCESS: end_cpu_access calls
 * @VIVTHEAP_STAT_DRAIN_WB: write-buffer drains (dsb) done at end of access
 * @VIVTHEAP_STAT_CLEAN_KERNEL: bytes cleaned through kernel aliases
 * @VIVTHEAP_STAT_INVAL_KERNEL: bytes invalidated through kernel aliases
 * @VIVTHEAP_STAT_CLEAN_USER: bytes cleaned through user aliases
 * @VIVTHEAP_STAT_INVAL_USER: bytes invalidated through user aliases
 * @VIVTHEAP_STAT_ATTACH: importer attachments made
 * @VIVTHEAP_STAT_MAP: importer sg mappings made
 * @VIVTHEAP_STAT_MMAP: user mappings made
 * @VIVTHEAP_STAT_VMAP: kernel vmaps handed out (always the existing remap)
 * @VIVTHEAP_STAT_ALLOC: buffers allocated
 * @VIVTHEAP_STAT_ALLOC_FAIL: allocations that failed
 * @VIVTHEAP_STAT_POOL_HIT: allocations served from the pool
 * @VIVTHEAP_STAT_POOL_FREE: pooled buffers given back to the DMA allocator
 * @VIVTHEAP_STAT_NR: number of counters
 */
enum vivtheap_stat {
	VIVTHEAP_STAT_BEGIN_ACCESS,
	VIVTHEAP_STAT_END_ACCESS,
	VIVTHEAP_STAT_DRAIN_WB,
	VIVTHEAP_STAT_CLEAN_KERNEL,
	VIVTHEAP_STAT_INVAL_KERNEL,
	VIVTHEAP_STAT_CLEAN_USER,
	VIVTHEAP_STAT_INVAL_USER,
	VIVTHEAP_STAT_ATTACH,
	VIVTHEAP_STAT_MAP,
	VIVTHEAP_STAT_MMAP,
	VIVTHEAP_STAT_VMAP,
	VIVTHEAP_STAT_ALLOC,
	VIVTHEAP_STAT_ALLOC_FAIL,
	VIVTHEAP_STAT_POOL_HIT,
	VIVTHEAP_STAT_POOL_FREE,
	VIVTHEAP_STAT_NR,
};

extern const char *const vivtheap_stat_names[VIVTHEAP_STAT_NR];

/**
 * struct vivtheap_heap - one heap (one cache mode)
 * @name: heap name, also the node name under /dev/dma_heap
 * @mode: cache mode of every alias of its buffers
 * @dma_attrs: attributes for dma_alloc_attrs() and dma_mmap_attrs()
 * @max_size: largest buffer handed out, bytes
 * @dev: the device whose DMA configuration the buffers follow: the module's
 *	own, or a device-tree node's (set before the heap is registered)
 * @lock: guards @buffers, @nr_buffers, @bytes, @peak_bytes
 * @buffers: live buffers
 * @nr_buffers: number of live buffers
 * @bytes: bytes in live buffers
 * @peak_bytes: the most @bytes has been
 * @stats: counters, indexed by &enum vivtheap_stat
 * @pool: released buffers kept for reuse, oldest first
 * @pool_bytes: bytes in @pool
 * @pool_nr: buffers in @pool
 * @pool_work: empties @pool once the heap has been idle
 * @misc: chardev backend: the /dev/dma_heap/<name> node
 * @misc_name: chardev backend: the node's name below /dev
 * @misc_registered: chardev backend: @misc is registered
 * @dma_heap: heap backend: the kernel's heap
 */
struct vivtheap_heap {
	const char *name;
	enum vivtheap_cache_mode mode;
	unsigned long dma_attrs;
	size_t max_size;
	struct device *dev;

	struct mutex lock; /* see "Locking:" above */
	struct list_head buffers;
	size_t nr_buffers;
	size_t bytes;
	size_t peak_bytes;
	atomic64_t stats[VIVTHEAP_STAT_NR];
	struct list_head pool;
	size_t pool_bytes;
	size_t pool_nr;
	struct delayed_work pool_work;

	struct miscdevice misc;
	char misc_name[VIVTHEAP_NAME_LEN + 16];
	bool misc_registered;
	struct dma_heap *dma_heap;
};

/**
 * struct vivtheap_buffer - one buffer from dma_alloc_attrs()
 * @heap: the heap it came from
 * @node: entry in &vivtheap_heap.buffers, or in &vivtheap_heap.pool once
 *	released
 * @size: size in bytes, a multiple of PAGE_SIZE
 * @vaddr: the kernel's one mapping, with the heap's attributes
 * @dma_addr: the DMA address for @heap's device
 * @page: first page (the buffer is contiguous)
 * @id: serial number, for debugfs
 * @attachments: importers attached now
 * @mmaps: user mappings made so far
 */
struct vivtheap_buffer {
	struct vivtheap_heap *heap;
	struct list_head node;
	size_t size;
	void *vaddr;
	dma_addr_t dma_addr;
	struct page *page;
	u64 id;
	atomic_t attachments;
	atomic_t mmaps;
};

/* One heap per cache mode. */
#define VIVTHEAP_NR_HEAPS 2
extern struct vivtheap_heap vivtheap_heaps[VIVTHEAP_NR_HEAPS];

static inline void vivtheap_stat_add(struct vivtheap_heap *heap,
				     enum vivtheap_stat stat, s64 n)
{
	atomic64_add(n, &heap->stats[stat]);
}

struct dma_buf *vivtheap_buffer_alloc(struct vivtheap_heap *heap, u64 len,
				      u32 fd_flags);
struct vivtheap_buffer *vivtheap_buffer_from_dmabuf(struct dma_buf *dmabuf);
void vivtheap_buffer_destroy(struct vivtheap_buffer *buffer);

void vivtheap_pool_init(void);
void vivtheap_pool_exit(void);
struct vivtheap_buffer *vivtheap_pool_take(struct vivtheap_heap *heap,
					   size_t size);
bool vivtheap_pool_put(struct vivtheap_heap *heap,
		       struct vivtheap_buffer *buffer);
void vivtheap_pool_shrink(struct vivtheap_heap *heap, size_t keep);
bool vivtheap_pool_shrink_all(void);

void vivtheap_maint_begin(struct vivtheap_buffer *buffer,
			  enum dma_data_direction dir);
void vivtheap_maint_end(struct vivtheap_buffer *buffer,
			enum dma_data_direction dir);

void vivtheap_maint_drain(struct vivtheap_heap *heap);
pgprot_t vivtheap_maint_user_prot(pgprot_t prot);

int vivtheap_chardev_register(struct vivtheap_heap *heap);
void vivtheap_chardev_unregister(struct vivtheap_heap *heap);
bool vivtheap_heap_backend_available(void);
int vivtheap_heap_backend_register(struct vivtheap_heap *heap);

struct device *vivtheap_default_dev(void);
int vivtheap_dma_configure(struct device *dev);

int vivtheap_of_register(void);
void vivtheap_of_close(void);
void vivtheap_of_unregister(void);

int vivtheap_ctl_register(void);
void vivtheap_ctl_unregister(void);

void vivtheap_debugfs_init(void);
void vivtheap_debugfs_exit(void);

#endif /* VIVTHEAP_H */
