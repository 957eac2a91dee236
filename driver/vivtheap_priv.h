/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vivtheap: private definitions shared by the module's files.
 *
 * Locking:
 * - &vivtheap_heap.lock (mutex) guards the heap's list of live buffers and
 *   its byte counts (nr_buffers, bytes, peak_bytes), and its pool (pool,
 *   pool_bytes, pool_nr, pool_zeroing, pool_due, and each pooled buffer's
 *   node, pooled_at and zeroed). It is taken when a buffer is born and
 *   when it is released, by the pool's two workers and by the debugfs
 *   readers. No memory is freed, no buffer zeroed and no work waited for
 *   under it.
 * - The pool's zeroing worker (pool_zero_work) zeroes the buffer it marked
 *   as pool_zeroing without the lock: that buffer stays in the pool, and no
 *   one else takes or frees it until the worker clears the mark (pool.c)
 *   and wakes pool_wait. An allocation that wants that buffer waits on
 *   pool_wait for the mark to move (pool_zero_seq, read under the lock
 *   with the mark), with no lock held. Emptying a pool
 *   (vivtheap_pool_shrink() to 0, module exit) waits for the worker first,
 *   with no lock held; an allocation that the memory refused empties them
 *   without waiting for the worker's run, only (killable) for the buffer it
 *   holds (vivtheap_pool_reclaim()).
 * - The maintenance counters (&vivtheap_heap.stats) are atomics and need no
 *   lock.
 * - A &vivtheap_buffer is immutable after export except for its counters
 *   (atomics) and its list node (heap lock).
 * - vivtheap_heaps[] (with each heap's @registered and @cacheable_alias)
 *   and the chosen &vivtheap_backend_ops are set up in module init before
 *   any node exists, and torn down in module exit after every node is
 *   gone; in between they are only read. Our own nodes refuse to open until init is done
 *   (vivtheap_node_open()), and the debugfs files are made after the last
 *   step that can fail, so no file of ours outlives a failed load.
 */
#ifndef VIVTHEAP_PRIV_H
#define VIVTHEAP_PRIV_H

#include <linux/atomic.h>
#include <linux/dma-direction.h>
#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/pgtable.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "../uapi/linux/vivtheap.h"

/**
 * enum vivtheap_stat - maintenance and allocation counters of a heap
 * @VIVTHEAP_STAT_BEGIN_ACCESS: begin_cpu_access calls
 * @VIVTHEAP_STAT_END_ACCESS: end_cpu_access calls
 * @VIVTHEAP_STAT_DRAIN_WB: write-buffer drains (dsb) done at end of access
 * @VIVTHEAP_STAT_ATTACH: importer attachments made
 * @VIVTHEAP_STAT_MAP: importer sg mappings made
 * @VIVTHEAP_STAT_MAP_BOUNCED: importer sg mappings that bounce (swiotlb),
 *	synced at map and unmap
 * @VIVTHEAP_STAT_MMAP: user mappings made
 * @VIVTHEAP_STAT_VMAP: kernel vmaps handed out (always the existing remap)
 * @VIVTHEAP_STAT_ALLOC: buffers allocated
 * @VIVTHEAP_STAT_ALLOC_FAIL: allocations that failed
 * @VIVTHEAP_STAT_POOL_HIT: allocations served from the pool
 * @VIVTHEAP_STAT_POOL_FREE: pooled buffers given back to the DMA allocator
 * @VIVTHEAP_STAT_SYNC_RANGE: ranged begins and ends (VIVTHEAP_IOC_SYNC_RANGE)
 * @VIVTHEAP_STAT_CLEAN_KERNEL: bytes of the kernel alias cleaned at end of
 *	access (cached heap)
 * @VIVTHEAP_STAT_INVAL_KERNEL: bytes of the kernel alias invalidated at begin
 *	of access (cached heap)
 * @VIVTHEAP_STAT_CLEAN_USER: bytes of user mappings cleaned at end of access
 *	(cached heap, aliasing caches only)
 * @VIVTHEAP_STAT_INVAL_USER: bytes of user mappings invalidated at begin of
 *	access (cached heap, aliasing caches only)
 * @VIVTHEAP_STAT_CLEAN_ZEROED: bytes of freshly zeroed buffers cleaned to
 *	memory before anyone could see them (cached heap)
 * @VIVTHEAP_STAT_FLUSH_ALL: whole-cache flushes done for a user mapping that
 *	could not be tracked (cached heap)
 * @VIVTHEAP_STAT_NR: number of counters
 */
enum vivtheap_stat {
	VIVTHEAP_STAT_BEGIN_ACCESS,
	VIVTHEAP_STAT_END_ACCESS,
	VIVTHEAP_STAT_DRAIN_WB,
	VIVTHEAP_STAT_ATTACH,
	VIVTHEAP_STAT_MAP,
	VIVTHEAP_STAT_MAP_BOUNCED,
	VIVTHEAP_STAT_MMAP,
	VIVTHEAP_STAT_VMAP,
	VIVTHEAP_STAT_ALLOC,
	VIVTHEAP_STAT_ALLOC_FAIL,
	VIVTHEAP_STAT_POOL_HIT,
	VIVTHEAP_STAT_POOL_FREE,
	VIVTHEAP_STAT_SYNC_RANGE,
	VIVTHEAP_STAT_CLEAN_KERNEL,
	VIVTHEAP_STAT_INVAL_KERNEL,
	VIVTHEAP_STAT_CLEAN_USER,
	VIVTHEAP_STAT_INVAL_USER,
	VIVTHEAP_STAT_CLEAN_ZEROED,
	VIVTHEAP_STAT_FLUSH_ALL,
	VIVTHEAP_STAT_NR,
};

extern const char *const vivtheap_stat_names[VIVTHEAP_STAT_NR];

/**
 * struct vivtheap_heap - one heap (one cache mode)
 * @name: heap name, also the node name under /dev/dma_heap
 * @mode: cache mode of every alias of its buffers
 * @dma_attrs: attributes for dma_alloc_attrs() and dma_mmap_attrs()
 *	(uncached and write-combined heaps)
 * @max_size: largest buffer handed out, bytes
 * @dev: the device whose DMA configuration the buffers follow: the module's
 *	own, or a device-tree node's (set before the heap is registered, under
 *	of.c's lock, with a reference held until the module unloads)
 * @of_region: @dev is a node's with its own reserved memory region, attached
 *	until the module unloads
 * @lock: guards @buffers, @nr_buffers, @bytes, @peak_bytes
 * @buffers: live buffers
 * @nr_buffers: number of live buffers
 * @bytes: bytes in live buffers
 * @peak_bytes: the most @bytes has been
 * @stats: counters, indexed by &enum vivtheap_stat
 * @pool: released buffers kept for reuse, in the order they were freed,
 *	oldest first
 * @pool_bytes: bytes in @pool
 * @pool_nr: buffers in @pool
 * @pool_zeroing: the buffer in @pool that @pool_zero_work is zeroing, or
 *	NULL; nobody else takes or frees it
 * @pool_wait: woken each time @pool_zeroing is cleared
 * @pool_zero_seq: how many times @pool_zeroing was cleared: what a waiter
 *	for the buffer it holds waits to see change (the same buffer may be
 *	marked again before the waiter runs)
 * @pool_cma_bytes: the size of the CMA area the heap draws from, or 0 if it
 *	is not known; set at init
 * @pool_due: while @pool_work is pending: the jiffies it is due at
 * @pool_work: frees each pooled buffer pool_idle_ms after its own free
 * @pool_zero_work: zeroes the buffers freed into @pool
 * @misc: chardev backend: the /dev/dma_heap/<name> node
 * @misc_name: chardev backend: the node's name below /dev
 * @registered: the backend gave the heap its node. A heap without one is in
 *	no listing: the control node does not know it, debugfs does not show it
 * @cacheable_alias: uncached and write-combined heaps: the DMA API leaves
 *	the heap's buffers a cacheable linear-map alias on @dev (no CMA area:
 *	vivtheap_buffer_check_heap(), at load); the heap is not registered
 */
struct vivtheap_heap {
	const char *name;
	enum vivtheap_cache_mode mode;
	unsigned long dma_attrs;
	size_t max_size;
	struct device *dev;
	bool of_region;

	struct mutex lock; /* see "Locking:" above */
	struct list_head buffers;
	size_t nr_buffers;
	size_t bytes;
	size_t peak_bytes;
	atomic64_t stats[VIVTHEAP_STAT_NR];
	struct list_head pool;
	size_t pool_bytes;
	size_t pool_nr;
	struct vivtheap_buffer *pool_zeroing;
	wait_queue_head_t pool_wait;
	unsigned long pool_zero_seq;
	size_t pool_cma_bytes;
	unsigned long pool_due;
	struct delayed_work pool_work;
	struct work_struct pool_zero_work;

	struct miscdevice misc;
	char misc_name[VIVTHEAP_NAME_LEN + 16];
	bool registered;
	bool cacheable_alias;
};

/**
 * struct vivtheap_buffer - one buffer from dma_alloc_attrs() (uncached and
 *	write-combined heaps) or dma_alloc_pages() (cached heap)
 * @heap: the heap it came from
 * @node: entry in &vivtheap_heap.buffers, or in &vivtheap_heap.pool once
 *	released
 * @size: size in bytes, a multiple of PAGE_SIZE
 * @vaddr: the kernel's one mapping: with the heap's attributes, or the
 *	linear map (cached heap)
 * @dma_addr: the DMA address for @heap's device
 * @page: first page (the buffer is contiguous)
 * @linear_remapped: uncached and write-combined heaps: the pages' linear-map
 *	alias is @vaddr, made non-cacheable by the DMA API (CMA in lowmem).
 *	False for pages in highmem (they have no linear alias, and a kmap of
 *	them is cacheable) and for lowmem pages whose linear alias the DMA API
 *	left cacheable (no CMA area). Set at creation
 * @id: serial number, for debugfs
 * @attachments: importers attached now
 * @mmaps: user mappings alive now: each VMA, so a fork's copy and each piece
 *	of a partly unmapped one count too
 * @pooled_at: in the pool: jiffies when it was freed into it
 * @zeroed: in the pool: zeroed since it was freed, may be handed out as is
 * @alias_lock: cached heap: guards @vmas, @untracked_vmas, @mapped and each
 *	entry's fields; taken under mmap_lock (vm_ops) and under the dma-buf's
 *	reservation lock (map and unmap), never the other way round
 * @vmas: cached heap: the user mappings, one &struct vivtheap_vma each
 * @untracked_vmas: cached heap: user mappings whose entry could not be
 *	allocated (fork, split): while not 0, maintenance flushes the whole cache
 * @mapped: cached heap: attachments mapped now, &struct vivtheap_attachment
 */
struct vivtheap_buffer {
	struct vivtheap_heap *heap;
	struct list_head node;
	size_t size;
	void *vaddr;
	dma_addr_t dma_addr;
	struct page *page;
	bool linear_remapped;
	u64 id;
	atomic_t attachments;
	atomic_t mmaps;
	unsigned long pooled_at;
	bool zeroed;

	struct mutex alias_lock; /* see the kernel-doc above */
	struct list_head vmas;
	unsigned int untracked_vmas;
	struct list_head mapped;
};

/**
 * struct vivtheap_vma - a user mapping of a cached buffer
 * @node: entry in &vivtheap_buffer.vmas
 * @vma: the mapping; the entry goes at its vm_ops close, before it is freed
 */
struct vivtheap_vma {
	struct list_head node;
	struct vm_area_struct *vma;
};

/**
 * struct vivtheap_attachment - an importer's view of a buffer
 * @sgt: the buffer's pages, cut to the importer's segment size
 * @dev: the importer's device
 * @node: while mapped (cached heap): entry in &vivtheap_buffer.mapped
 * @dir: while mapped: the direction it was mapped for
 */
struct vivtheap_attachment {
	struct sg_table sgt;
	struct device *dev;
	struct list_head node;
	enum dma_data_direction dir;
};

/**
 * enum vivtheap_heap_index - the module's heaps, one per cache mode, by name
 * @VIVTHEAP_HEAP_UNCACHED: vivtheap-uncached
 * @VIVTHEAP_HEAP_WC: vivtheap-wc, write-combined
 * @VIVTHEAP_HEAP_CACHED: vivtheap-cached, cacheable, every alias maintained
 * @VIVTHEAP_NR_HEAPS: number of heaps
 */
enum vivtheap_heap_index {
	VIVTHEAP_HEAP_UNCACHED,
	VIVTHEAP_HEAP_WC,
	VIVTHEAP_HEAP_CACHED,
	VIVTHEAP_NR_HEAPS,
};

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
int vivtheap_buffer_check_heap(struct vivtheap_heap *heap);

void vivtheap_pool_init(void);
void vivtheap_pool_exit(void);
struct vivtheap_buffer *vivtheap_pool_take(struct vivtheap_heap *heap,
					   size_t size);
bool vivtheap_pool_put(struct vivtheap_heap *heap,
		       struct vivtheap_buffer *buffer);
void vivtheap_pool_shrink(struct vivtheap_heap *heap, size_t keep);
bool vivtheap_pool_shrink_all(void);
int vivtheap_pool_reclaim(void);

bool vivtheap_attachment_sync(struct device *dev, struct sg_table *sgt,
			      enum dma_data_direction dir, bool for_device);
int vivtheap_buffer_sync_range(struct dma_buf *dmabuf, u32 flags,
			       u64 offset, u64 length);

void vivtheap_maint_begin(struct vivtheap_buffer *buffer,
			  enum dma_data_direction dir, size_t offset,
			  size_t len);
void vivtheap_maint_end(struct vivtheap_buffer *buffer,
			enum dma_data_direction dir, size_t offset,
			size_t len);
void vivtheap_maint_zeroed(struct vivtheap_buffer *buffer);

void vivtheap_maint_drain(struct vivtheap_heap *heap);
extern bool vivtheap_fault_skip_drain;
extern bool vivtheap_fault_skip_user_clean;
extern bool vivtheap_fault_skip_invalidate;
pgprot_t vivtheap_maint_user_prot(pgprot_t prot);

/**
 * struct vivtheap_backend_ops - a way to give the heaps their nodes
 * @name: the value of the backend= module parameter that picks it
 * @available: whether the running kernel has what it needs
 * @auto_ok: backend=auto may pick it where it is available
 * @name_taken: NULL, or what already holds a name that @register_heap would
 *	need besides /dev/dma_heap/<name> (which main.c checks for every
 *	backend), in words for the log, or NULL if it is free. Called before
 *	anything is created
 * @register_heap: make /dev/dma_heap/<name> for a heap, set up; 0 or a
 *	negative errno
 * @unregister_heap: remove a heap's node; buffers handed out live on. NULL
 *	if a registered heap cannot be removed: the backend then pins the
 *	module in @register_heap, and module exit never comes
 *
 * One per registration backend, each in its own backend_<name>.c; main.c
 * picks one at load and uses only it.
 */
struct vivtheap_backend_ops {
	const char *name;
	bool (*available)(void);
	bool auto_ok;
	const char *(*name_taken)(const char *name);
	int (*register_heap)(struct vivtheap_heap *heap);
	void (*unregister_heap)(struct vivtheap_heap *heap);
};

extern const struct vivtheap_backend_ops vivtheap_backend_heap_ops;
extern const struct vivtheap_backend_ops vivtheap_backend_chardev_ops;

/**
 * struct vivtheap_ioctl_arg - one ioctl call's command and argument sizes
 * @kcmd: the command as the module defines it
 * @in_size: bytes to copy in from the caller
 * @out_size: bytes to copy back to the caller
 * @ksize: bytes of the kernel's copy, at least the size of @kcmd's struct
 *
 * Set by the rule of the node's ABI: see ioctl.c.
 */
struct vivtheap_ioctl_arg {
	unsigned int kcmd;
	unsigned int in_size;
	unsigned int out_size;
	unsigned int ksize;
};

int vivtheap_ioctl_dma_heap_arg(unsigned int ucmd, const unsigned int *cmds,
				unsigned int nr_cmds,
				struct vivtheap_ioctl_arg *arg);
int vivtheap_ioctl_ctl_arg(unsigned int ucmd, const unsigned int *cmds,
			   unsigned int nr_cmds, struct vivtheap_ioctl_arg *arg);
int vivtheap_ioctl_copy_in(void *kdata, const struct vivtheap_ioctl_arg *arg,
			   const void __user *uarg);

struct device *vivtheap_default_dev(void);
int vivtheap_dma_configure(struct device *dev);
bool vivtheap_virtual_device_exists(const char *class_name, const char *name);
int vivtheap_node_open(struct inode *inode, struct file *file);

int vivtheap_of_register(void);
void vivtheap_of_close(void);
void vivtheap_of_unregister(void);

const char *vivtheap_ctl_name_taken(const char *name);
int vivtheap_ctl_register(void);
void vivtheap_ctl_unregister(void);

const char *vivtheap_debugfs_name_taken(const char *name);
void vivtheap_debugfs_init(void);
void vivtheap_debugfs_exit(void);

#endif /* VIVTHEAP_PRIV_H */
