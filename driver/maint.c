// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: cache maintenance at CPU-access hand-over, in one place.
 *
 * Every alias of a vivtheap buffer is non-cacheable (the kernel remap or
 * remapped linear map from dma_alloc_attrs(), each user mapping from
 * dma_mmap_attrs() with the same attributes, the device), so no alias can
 * hold a cache line and there are no lines to clean or invalidate. What is
 * left is the CPU's write buffer: a write-combined mapping is bufferable, so
 * stores may still sit in the write buffer when the device is told to read.
 * end_cpu_access drains it. See docs/maintenance.md for the per-CPU table.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-direction.h>
#include <linux/pgtable.h>
#include <asm/barrier.h>

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

/**
 * vivtheap_maint_begin() - maintenance before the CPU accesses a buffer
 * @buffer: the buffer
 * @dir: the direction of the CPU access
 *
 * No alias is cacheable, so there is nothing to invalidate: the CPU reads
 * memory. Counted, nothing else.
 */
void vivtheap_maint_begin(struct vivtheap_buffer *buffer,
			  enum dma_data_direction dir)
{
	vivtheap_stat_add(buffer->heap, VIVTHEAP_STAT_BEGIN_ACCESS, 1);
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

/**
 * vivtheap_maint_end() - maintenance after the CPU accessed a buffer
 * @buffer: the buffer
 * @dir: the direction of the CPU access
 *
 * Drains the write buffer when the CPU may have written through a bufferable
 * mapping, so that the device sees every store. No cache line to clean.
 */
void vivtheap_maint_end(struct vivtheap_buffer *buffer,
			enum dma_data_direction dir)
{
	struct vivtheap_heap *heap = buffer->heap;

	vivtheap_stat_add(heap, VIVTHEAP_STAT_END_ACCESS, 1);
	if (dir != DMA_FROM_DEVICE && !READ_ONCE(vivtheap_fault_skip_drain))
		vivtheap_maint_drain(heap);
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
