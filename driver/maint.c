// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: cache maintenance at CPU-access hand-over, in one place.
 *
 * Uncached and write-combined heaps: every alias of a buffer is
 * non-cacheable (the kernel remap or remapped linear map from
 * dma_alloc_attrs(), each user mapping from dma_mmap_attrs() with the same
 * attributes, the device), so no alias can hold a cache line and there are
 * no lines to clean or invalidate. What is left is the CPU's write buffer: a
 * write-combined mapping is bufferable, so stores may still sit in the write
 * buffer when the device is told to read. end_cpu_access drains it.
 *
 * Cached heap: every alias is cacheable, and on a VIVT or aliasing VIPT data
 * cache each holds its own lines. The buffer has two kinds of alias: the
 * kernel's linear map (its only kernel alias: vmap hands it out) and each
 * user mapping, tracked from mmap to vm_ops close. At begin of access every
 * alias that can hold lines of the range is invalidated, so that whatever
 * alias the CPU then uses reads memory; at end of a writing access every
 * such alias is cleaned, so that memory holds what the CPU wrote through any
 * of them. The kernel alias goes through the DMA API (which also does what
 * the CPU's speculation and the outer cache need); the user aliases through
 * flush_cache_range(), only where the cache aliases. See
 * docs/maintenance.md for the per-CPU table and the kernel lines.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-direction.h>
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/preempt.h>
#include <linux/pgtable.h>
#include <asm/barrier.h>
#ifdef CONFIG_ARM
#include <asm/cacheflush.h>
#include <asm/cachetype.h>
#endif

#include "vivtheap_priv.h"

/*
 * Drain the CPU write buffer. On ARMv5 without SMP, wmb() is only a compiler
 * barrier (arch/arm/include/asm/barrier.h: no CONFIG_ARM_DMA_MEM_BUFFERABLE),
 * so the drain itself is dsb(): "mcr p15, 0, r0, c7, c10, 4" there, a real
 * DSB on ARMv6+. wmb() then adds outer_sync() where an outer cache needs it.
 */
static void vivtheap_drain_write_buffer(void)
{
#ifdef CONFIG_ARM
	dsb(st);
#endif
	/* Orders the stores above; adds outer_sync() where there is one. */
	wmb();
}

/*
 * Does the heap's kernel and user mapping buffer writes? WC always does.
 * The "uncached" attributes are strongly ordered on ARMv5 but normal
 * non-cacheable, hence bufferable, on ARMv6+ (CONFIG_ARM_DMA_MEM_BUFFERABLE),
 * and bufferable elsewhere we cannot rule out.
 */
static bool vivtheap_mode_buffers_writes(enum vivtheap_cache_mode mode)
{
	if (mode == VIVTHEAP_CACHE_WC)
		return true;
#if defined(CONFIG_ARM) && !defined(CONFIG_ARM_DMA_MEM_BUFFERABLE)
	return false;
#else
	return true;
#endif
}

/*
 * A fault for the cache model's tests (docs/cachemodel.md): while set, through
 * the root-only debugfs file fault_skip_drain, end_cpu_access does not drain
 * the write buffer, and the model must report undrained hand-overs on the
 * write-combined heap. Never set outside a test.
 */
bool vivtheap_fault_skip_drain;

/**
 * vivtheap_maint_drain() - make the CPU's stores to a heap's memory visible
 * @heap: the heap whose mapping was written
 *
 * Drains the write buffer if @heap's mappings buffer writes, and counts it.
 */
void vivtheap_maint_drain(struct vivtheap_heap *heap)
{
	if (vivtheap_mode_buffers_writes(heap->mode)) {
		vivtheap_drain_write_buffer();
		vivtheap_stat_add(heap, VIVTHEAP_STAT_DRAIN_WB, 1);
	}
}

/*
 * Faults for the cached heap's tests under the cache model, as
 * fault_skip_drain: while set (root-only debugfs files of the same names),
 * end of access does not clean the user mappings, or begin of access
 * invalidates no alias itself (the DMA API's own sync stays). The model must
 * then report stale reads. Never set outside a test.
 */
bool vivtheap_fault_skip_user_clean;
bool vivtheap_fault_skip_invalidate;

/* Whether the data cache can hold one line under two virtual addresses. */
static bool vivtheap_cache_aliases(void)
{
#ifdef CONFIG_ARM
	return cache_is_vivt() || cache_is_vipt_aliasing();
#else
	return false;
#endif
}

/*
 * Clean and invalidate the lines of a user mapping's part of the buffer's
 * bytes [offset, offset + len), adding the bytes it covers to *bytes.
 *
 * On VIVT only the mm this CPU last switched to can hold lines: the switch to
 * another mm flushes the whole cache and takes the CPU out of the old mm's
 * cpumask (switch_mm(), arch/arm/include/asm/mmu_context.h), while a kernel
 * thread borrows the last mm lazily, without a switch: that mm keeps the CPU
 * in its mask and its lines in the cache, and is flushed here too.
 * vivt_flush_cache_range() makes the same test; it is made here first, with
 * preemption off until the flush is done, so that only what was maintained
 * is counted.
 *
 * The mapping's range is read under its mm's mmap_lock, as the mm reads it: a
 * split (__split_vma() changes vm_start or vm_pgoff after the new piece's
 * open) or a move must not be seen half done. The vm_ops take alias_lock
 * under mmap_lock, so it is only tried here, under alias_lock: a trylock
 * cannot deadlock.
 *
 * Return: 0, or -EBUSY if the mm's mmap_lock is taken for writing (a split,
 * a move, an exit under way): the caller flushes the whole cache instead.
 */
static int vivtheap_flush_user_vma(struct vm_area_struct *vma, size_t offset,
				   size_t len, size_t *bytes)
{
#ifdef CONFIG_ARM
	struct mm_struct *mm = vma->vm_mm;
	size_t vstart, lo, hi;

	if (!mmap_read_trylock(mm))
		return -EBUSY;
	vstart = vma->vm_pgoff << PAGE_SHIFT;
	lo = max(offset, vstart);
	hi = min(offset + len, vstart + (vma->vm_end - vma->vm_start));
	if (lo < hi) {
		preempt_disable();
		if (cpumask_test_cpu(smp_processor_id(), mm_cpumask(mm))) {
			vivt_flush_cache_range(vma, vma->vm_start + lo - vstart,
					       vma->vm_start + hi - vstart);
			*bytes += hi - lo;
		}
		preempt_enable();
	}
	mmap_read_unlock(mm);
#endif
	return 0;
}

/* The bytes of [offset, offset + len) a user mapping covers, for counting. */
static size_t vivtheap_vma_overlap(struct vm_area_struct *vma, size_t offset,
				   size_t len)
{
	size_t vstart = vma->vm_pgoff << PAGE_SHIFT;
	size_t lo = max(offset, vstart);
	size_t hi = min(offset + len, vstart + (vma->vm_end - vma->vm_start));

	return lo < hi ? hi - lo : 0;
}

/*
 * Clean and invalidate the user aliases of the buffer's bytes
 * [offset, offset + len), page-aligned. Return: the bytes covered.
 *
 * On VIVT each live tracked mapping's part of the range, by its virtual
 * addresses (vivtheap_flush_user_vma()). On aliasing VIPT
 * flush_cache_range() cleans and invalidates the whole data cache whatever
 * the range (arch/arm/mm/flush.c), and it is not exported there:
 * flush_cache_all() does the same, once for all mappings. A mapping that
 * could not be tracked (its entry was not allocated at fork or split)
 * cannot be found by address, and one whose range cannot be read safely now
 * cannot either: the whole cache then, too, and the whole range counted.
 */
static size_t vivtheap_maint_user(struct vivtheap_buffer *buffer,
				  size_t offset, size_t len)
{
	struct vivtheap_heap *heap = buffer->heap;
	bool vivt = false, whole, blind;
	struct vivtheap_vma *v;
	size_t bytes = 0;

#ifdef CONFIG_ARM
	vivt = cache_is_vivt();
#endif
	mutex_lock(&buffer->alias_lock);
	/* blind: some alias cannot be found by address */
	blind = buffer->untracked_vmas;
	whole = blind || !vivt;
	list_for_each_entry(v, &buffer->vmas, node) {
		if (whole) {
			bytes += vivtheap_vma_overlap(v->vma, offset, len);
		} else if (vivtheap_flush_user_vma(v->vma, offset, len,
						   &bytes)) {
			blind = true;
			whole = true;
		}
	}
	if (bytes || blind) {
		if (whole) {
#ifdef CONFIG_ARM
			flush_cache_all();
#endif
			vivtheap_stat_add(heap, VIVTHEAP_STAT_FLUSH_ALL, 1);
		}
		if (blind)
			bytes = max(bytes, len);
	}
	mutex_unlock(&buffer->alias_lock);
	return bytes;
}

/*
 * Bounce slots of mapped attachments: the DMA API's copy, in each mapping's
 * own direction (DMA-API debug refuses another), and only where it goes:
 * for the CPU from a mapping the device may have written (not TO_DEVICE:
 * its slot holds what was copied in at the map, and would overwrite newer
 * bytes), for the device into a mapping the device may read (not
 * FROM_DEVICE).
 */
static void vivtheap_maint_mapped(struct vivtheap_buffer *buffer,
				  bool for_device)
{
	struct vivtheap_attachment *a;

	mutex_lock(&buffer->alias_lock);
	list_for_each_entry(a, &buffer->mapped, node) {
		if (a->dir == (for_device ? DMA_FROM_DEVICE : DMA_TO_DEVICE))
			continue;
		vivtheap_attachment_sync(a->dev, &a->sgt, a->dir, for_device);
	}
	mutex_unlock(&buffer->alias_lock);
}

/**
 * vivtheap_maint_begin() - maintenance before the CPU accesses a buffer
 * @buffer: the buffer
 * @dir: the direction of the CPU access
 * @offset: first byte of the range accessed, page-aligned
 * @len: bytes in the range, page-aligned, not 0
 *
 * Uncached and write-combined heaps: no alias is cacheable, so there is
 * nothing to invalidate: the CPU reads memory. Counted, nothing else.
 *
 * Cached heap: the DMA API syncs the kernel alias for the CPU, as for a
 * device that wrote (ARMv6+: an invalidate of lines the CPU may have fetched
 * meanwhile; whatever @dir: a writer's alias holding lines from before would
 * write them back with its new bytes at the clean, a line being written back
 * whole), then what a device wrote comes back from the bounce slots of
 * long-lived mappings (after the invalidate, which would drop the copy).
 * Where the cache aliases, the kernel alias and every user alias are then
 * invalidated too, whatever @dir, for the same reason and so that the reader
 * hits no old line. Nothing is cleaned that an end of access has not already
 * cleaned: the aliases are flushed (clean and invalidate; the kernel has no
 * invalidate of a user range), which writes back nothing unless someone
 * wrote without a bracket, or the bounce copy just did.
 */
void vivtheap_maint_begin(struct vivtheap_buffer *buffer,
			  enum dma_data_direction dir, size_t offset,
			  size_t len)
{
	struct vivtheap_heap *heap = buffer->heap;
	bool aliases = vivtheap_cache_aliases();
	size_t user;

	vivtheap_stat_add(heap, VIVTHEAP_STAT_BEGIN_ACCESS, 1);
	if (heap->mode != VIVTHEAP_CACHE_CACHED)
		return;

	dma_sync_single_for_cpu(heap->dev, buffer->dma_addr + offset, len,
				dir == DMA_TO_DEVICE ? DMA_FROM_DEVICE : dir);
	if (atomic_read(&buffer->attachments))
		vivtheap_maint_mapped(buffer, false);
	if (!aliases) {
		/* The sync above was the invalidate (ARMv7: v7_dma_inv_range). */
		vivtheap_stat_add(heap, VIVTHEAP_STAT_INVAL_KERNEL, len);
		return;
	}
	if (READ_ONCE(vivtheap_fault_skip_invalidate))
		return;
	invalidate_kernel_vmap_range(buffer->vaddr + offset, len);
	vivtheap_stat_add(heap, VIVTHEAP_STAT_INVAL_KERNEL, len);
	user = vivtheap_maint_user(buffer, offset, len);
	vivtheap_stat_add(heap, VIVTHEAP_STAT_INVAL_USER, user);
}

/**
 * vivtheap_maint_end() - maintenance after the CPU accessed a buffer
 * @buffer: the buffer
 * @dir: the direction of the CPU access
 * @offset: first byte of the range accessed, page-aligned
 * @len: bytes in the range, page-aligned, not 0
 *
 * Uncached and write-combined heaps: drains the write buffer when the CPU
 * may have written through a bufferable mapping, so that the device sees
 * every store. No cache line to clean.
 *
 * Cached heap: after a writing access (@dir not DMA_FROM_DEVICE), every user
 * alias that can hold lines is cleaned where the cache aliases, then the
 * kernel alias through the DMA API (a clean, and the write buffer drained;
 * where the cache aliases a clean and invalidate, so that the bounce copy
 * that follows reads memory, not old lines of the kernel alias), and the
 * bounce slots of long-lived mappings get the new bytes. After a read
 * nothing is dirty: nothing to do.
 */
void vivtheap_maint_end(struct vivtheap_buffer *buffer,
			enum dma_data_direction dir, size_t offset,
			size_t len)
{
	struct vivtheap_heap *heap = buffer->heap;
	bool aliases;
	size_t user;

	vivtheap_stat_add(heap, VIVTHEAP_STAT_END_ACCESS, 1);
	if (dir == DMA_FROM_DEVICE)
		return;
	if (heap->mode != VIVTHEAP_CACHE_CACHED) {
		if (!READ_ONCE(vivtheap_fault_skip_drain))
			vivtheap_maint_drain(heap);
		return;
	}

	aliases = vivtheap_cache_aliases();
	if (aliases && !READ_ONCE(vivtheap_fault_skip_user_clean)) {
		user = vivtheap_maint_user(buffer, offset, len);
		vivtheap_stat_add(heap, VIVTHEAP_STAT_CLEAN_USER, user);
	}
	dma_sync_single_for_device(heap->dev, buffer->dma_addr + offset, len,
				   aliases ? DMA_BIDIRECTIONAL : DMA_TO_DEVICE);
	vivtheap_stat_add(heap, VIVTHEAP_STAT_CLEAN_KERNEL, len);
	if (atomic_read(&buffer->attachments))
		vivtheap_maint_mapped(buffer, true);
}

/**
 * vivtheap_maint_zeroed() - make a freshly zeroed buffer's zeroes memory's
 * @buffer: a buffer zeroed through its kernel alias, seen by no one yet
 *
 * Cached heap: the zeroes are in the kernel alias's lines; another alias (a
 * user mapping, a device) would read what the memory held before, someone
 * else's data. Clean and invalidate the kernel alias, so that no line of it
 * is left either. Nothing to do on the other heaps: their alias is not
 * cacheable.
 */
void vivtheap_maint_zeroed(struct vivtheap_buffer *buffer)
{
	struct vivtheap_heap *heap = buffer->heap;

	if (heap->mode != VIVTHEAP_CACHE_CACHED)
		return;
	dma_sync_single_for_device(heap->dev, buffer->dma_addr, buffer->size,
				   DMA_BIDIRECTIONAL);
	vivtheap_stat_add(heap, VIVTHEAP_STAT_CLEAN_ZEROED, buffer->size);
}

/**
 * vivtheap_maint_user_prot() - page protection for a user mapping
 * @prot: the VMA's protection, before the DMA attributes are applied
 *
 * ARM keeps the PTE dirty bit in software: a writable PTE without
 * L_PTE_DIRTY is installed read-only in hardware (cpu_*_set_pte_ext), so the
 * first write to every page faults only to set the bit. A PFN mapping has no
 * page cache to write back, so the mapping starts dirty and no access of the
 * process that made it faults once mmap() has returned. Not so in a child
 * after fork(): a shared mapping's PTEs are copied clean (mm/memory.c:
 * copy_present_pte() in 6.1, __copy_present_ptes() in 7.2), so the child's
 * first write to each page faults once, to set the bit again. A read-only
 * mapping stays read-only (L_PTE_RDONLY wins in set_pte_ext).
 *
 * Return: @prot, with the dirty bit where the architecture has one.
 */
pgprot_t vivtheap_maint_user_prot(pgprot_t prot)
{
#ifdef CONFIG_ARM
	return __pgprot(pgprot_val(prot) | L_PTE_DIRTY);
#else
	return prot;
#endif
}
