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

#endif /* VIVTHEAP_COMPAT_H */
