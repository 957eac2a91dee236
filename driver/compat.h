/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vivtheap: every kernel-version difference lives here, each named after the
 * modern API with the version and the reason, so it can be deleted when the
 * oldest supported kernel has it. Call sites use the modern API.
 *
 * Feature tests that distributions could backport are compile probes
 * (VIVTHEAP_HAVE_*, set by Kbuild from the target kernel's exports), not
 * version numbers.
 */
#ifndef VIVTHEAP_COMPAT_H
#define VIVTHEAP_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/version.h>

/*
 * 6.13 made MODULE_IMPORT_NS() take a string literal ("DMA_BUF"); before, it
 * stringified a bare token. Give old kernels the string form.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#undef MODULE_IMPORT_NS
#define MODULE_IMPORT_NS(ns) MODULE_INFO(import_ns, ns)
#endif

/* 6.3 made vma->vm_flags read-only and added vm_flags_set(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}
#endif

/*
 * 6.2 made dma_buf_vmap()/dma_buf_vunmap() expect the caller to hold the
 * dma-buf's reservation lock and added the _unlocked variants, which take it.
 * Before, dma_buf_vmap() took the dma-buf's own lock itself: it is the
 * unlocked variant. (Only the test importer, tests/kmod/, vmaps.)
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
static inline int dma_buf_vmap_unlocked(struct dma_buf *dmabuf,
					struct iosys_map *map)
{
	return dma_buf_vmap(dmabuf, map);
}

static inline void dma_buf_vunmap_unlocked(struct dma_buf *dmabuf,
					   struct iosys_map *map)
{
	dma_buf_vunmap(dmabuf, map);
}
#endif

/*
 * 6.12 added follow_pfnmap_start()/follow_pfnmap_end() (struct
 * follow_pfnmap_args) and removed follow_pte(), which they replace. The
 * emulation sets only the output pfn and looks at a PTE only (huge PFN
 * mappings came with 6.12). 6.10 made follow_pte() take the VMA and refuse
 * one that is neither VM_IO nor VM_PFNMAP, as follow_pfnmap_start() does.
 * Before, it took the mm and walked the page table of any VMA, a page-backed
 * one too (6.1's CMA heap maps its struct pages so): the emulation keeps
 * that, and VIVTHEAP_FOLLOW_PFNMAP_ANY_VMA says whether it does. No caller
 * may pass a hugetlb or THP mapping to it (follow_pte() before 6.10 assumes
 * none). Only the test importer, tests/kmod/, follows PFNs.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#include <linux/highmem.h>	/* pte_unmap() is kunmap_atomic() with HIGHPTE */

struct follow_pfnmap_args {
	struct vm_area_struct *vma;
	unsigned long address;
	spinlock_t *lock;	/* the PTE's, taken and dropped in start() */
	pte_t *ptep;
	unsigned long pfn;
};

static inline int follow_pfnmap_start(struct follow_pfnmap_args *args)
{
	int ret;

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
	ret = follow_pte(args->vma->vm_mm, args->address, &args->ptep,
			 &args->lock);
#else
	ret = follow_pte(args->vma, args->address, &args->ptep, &args->lock);
#endif
	if (ret)
		return ret;
	/* follow_pte() returned with the PTE lock held (sparse cannot see it) */
	__acquire(args->lock);
	args->pfn = pte_pfn(ptep_get(args->ptep));
	/* the pfn is read: the lock is not kept to end(), as 6.12's is */
	pte_unmap_unlock(args->ptep, args->lock);
	return 0;
}

static inline void follow_pfnmap_end(struct follow_pfnmap_args *args)
{
}
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
#define VIVTHEAP_FOLLOW_PFNMAP_ANY_VMA true
#else
#define VIVTHEAP_FOLLOW_PFNMAP_ANY_VMA false
#endif

/*
 * kmalloc_obj() and family (7.0): kzalloc_obj(P, GFP) allocates one zeroed
 * typeof(P). The flags may be left out there (GFP_KERNEL); not here, so pass
 * them. A macro, so a compile probe finds it whatever the version.
 */
#ifndef kzalloc_obj
#define kzalloc_obj(P, GFP) kzalloc(sizeof(P), GFP)
#endif

/*
 * 6.11 made platform_driver.remove return void (remove_new was the void one
 * from 6.3 to 6.12): VIVTHEAP_PLATFORM_REMOVE(fn) sets the void callback.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
#define VIVTHEAP_PLATFORM_REMOVE(fn) .remove_new = (fn)
#else
#define VIVTHEAP_PLATFORM_REMOVE(fn) .remove = (fn)
#endif

#endif /* VIVTHEAP_COMPAT_H */
