// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: buffers and their dma-buf ops.
 *
 * Uncached and write-combined heaps: a buffer has exactly the aliases the
 * DMA API made for it: the kernel mapping returned by dma_alloc_attrs() and
 * user mappings made by dma_mmap_attrs() with the same attributes. vmap
 * hands out the existing kernel mapping and importers get the sg table
 * mapped with DMA_ATTR_SKIP_CPU_SYNC, so no cacheable alias is ever created;
 * only a mapping that bounces is synced (vivtheap_segment_bounces()).
 *
 * Cached heap: a buffer comes from dma_alloc_pages(), cacheable, in lowmem.
 * Its aliases are the linear map (its kernel alias: vmap hands it out, no
 * vmap() alias is made) and each user mapping, made with remap_pfn_range()
 * and the VMA's own (cacheable) protection, each tracked until its vm_ops
 * close. Importers' mappings are synced by the DMA API at map and unmap, and
 * the long-lived ones at each begin and end of CPU access (maint.c).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/iommu.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "compat.h"
#include "vivtheap_priv.h"

static atomic64_t vivtheap_buffer_serial = ATOMIC64_INIT(0);

static int vivtheap_buffer_attach(struct dma_buf *dmabuf,
				  struct dma_buf_attachment *attachment)
{
	struct vivtheap_buffer *buffer = dmabuf->priv;
	struct vivtheap_attachment *a;
	size_t seg, len, off = 0;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;

	/*
	 * The memory is physically contiguous, but the importer may take
	 * shorter segments only (vgem: 64 KiB): cut it to what it claims.
	 */
	seg = max_t(size_t, dma_get_max_seg_size(attachment->dev) & PAGE_MASK,
		    PAGE_SIZE);
	ret = sg_alloc_table(&a->sgt, DIV_ROUND_UP(buffer->size, seg),
			     GFP_KERNEL);
	if (ret)
		goto free_attachment;
	for_each_sgtable_sg(&a->sgt, sg, i) {
		len = min(seg, buffer->size - off);
		sg_set_page(sg, pfn_to_page(page_to_pfn(buffer->page) +
					    (off >> PAGE_SHIFT)), len, 0);
		off += len;
	}

	a->dev = attachment->dev;
	INIT_LIST_HEAD(&a->node);
	attachment->priv = a;
	atomic_inc(&buffer->attachments);
	vivtheap_stat_add(buffer->heap, VIVTHEAP_STAT_ATTACH, 1);
	return 0;

free_attachment:
	kfree(a);
	return ret;
}

static void vivtheap_buffer_detach(struct dma_buf *dmabuf,
				   struct dma_buf_attachment *attachment)
{
	struct vivtheap_buffer *buffer = dmabuf->priv;
	struct vivtheap_attachment *a = attachment->priv;
	bool mapped;

	if (buffer->heap->mode == VIVTHEAP_CACHE_CACHED) {
		/*
		 * An importer that detaches a mapping it did not unmap: the
		 * core does not unmap it for us (7.2's dma_buf_detach() never
		 * does; 6.1's only a mapping it cached, and we ask it to cache
		 * none). Off the list first: begin and end walk it.
		 */
		mutex_lock(&buffer->alias_lock);
		mapped = !list_empty(&a->node);
		list_del_init(&a->node);
		mutex_unlock(&buffer->alias_lock);
		if (WARN_ONCE(mapped, "%s: %s detached a mapped attachment\n",
			      buffer->heap->name, dev_name(a->dev)))
			dma_unmap_sgtable(a->dev, &a->sgt, a->dir,
					  DMA_ATTR_SKIP_CPU_SYNC);
	}
	sg_free_table(&a->sgt);
	kfree(a);
	atomic_dec(&buffer->attachments);
}

/*
 * Whether a mapped segment bounces: whether DMA_ATTR_SKIP_CPU_SYNC must not
 * skip its sync. [@start, @end) is the buffer's memory, physical.
 *
 * The attribute skips two different things. Where a segment's DMA address
 * is the buffer's own memory, the sync would be cache maintenance of
 * non-cacheable memory through its linear alias: redundant, and through the
 * wrong alias (kernel/dma/mapping.c, the comment above
 * dma_get_sgtable_attrs()). Where it is not (a swiotlb bounce slot, for an
 * importer whose DMA mask or dma-ranges cannot reach the buffer or under
 * swiotlb=force), the sync is the copy between the buffer and the slot and
 * the slot's own maintenance: skipped, the device reads a slot not cleaned
 * to memory and what it writes never reaches the buffer. dma_need_sync()
 * cannot tell the two apart on a non-coherent device, where it is true for
 * every address (dma_direct_need_sync(): 6.1.176 and 7.2.13 alike); where
 * the address leads can. So a segment bounces if dma_need_sync() asks for
 * its sync and its DMA address does not lead into the buffer.
 *
 * Where it leads: for an importer behind an IOMMU the DMA address is an
 * IOVA, and dma_to_phys() of it means nothing; dma_need_sync() is true there
 * whenever the ops sync at all (6.1 kernel/dma/mapping.c:818, "return
 * ops->sync_single_for_cpu || ops->sync_single_for_device"; 7.2.13
 * __dma_need_sync() the same), so every such mapping would count as
 * bouncing. The IOMMU's own page table says where an IOVA leads:
 * iommu_iova_to_phys() in the device's paging domain. The IOMMU API is
 * exported where it is built (Debian's armmp) and is an inline stub
 * returning no domain where it is not (the vivt kernels). We are called
 * from the importer's map or unmap, within its bound driver, for which the
 * domain stays valid (7.2.13 drivers/iommu/iommu.c:2266-2286). A DMA
 * address is compared with the buffer's range, not with its own sg entry:
 * an IOMMU may merge entries into fewer DMA segments. A bounce slot is
 * never inside the buffer.
 */
static bool vivtheap_segment_bounces(struct device *dev, struct scatterlist *sg,
				     phys_addr_t start, phys_addr_t end)
{
	dma_addr_t addr = sg_dma_address(sg);
	struct iommu_domain *domain;
	phys_addr_t phys;

	if (!dma_need_sync(dev, addr))
		return false;
	domain = iommu_get_domain_for_dev(dev);
	if (domain && (domain->type & __IOMMU_DOMAIN_PAGING))
		phys = iommu_iova_to_phys(domain, addr);
	else
		phys = dma_to_phys(dev, addr);
	return phys < start || phys >= end;
}

/*
 * The physical range an attachment's sg table covers: the buffer, one
 * contiguous range (vivtheap_buffer_create() refuses anything else).
 */
static void vivtheap_attachment_range(struct sg_table *sgt, phys_addr_t *start,
				      phys_addr_t *end)
{
	struct scatterlist *sg;
	phys_addr_t len = 0;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i)
		len += sg->length;
	*start = sg_phys(sgt->sgl);
	*end = *start + len;
}

/* Whether a segment of a mapped attachment bounces. */
static bool vivtheap_attachment_bounces(struct device *dev,
					struct sg_table *sgt)
{
	phys_addr_t start, end;
	struct scatterlist *sg;
	unsigned int i;

	vivtheap_attachment_range(sgt, &start, &end);
	for_each_sgtable_dma_sg(sgt, sg, i)
		if (vivtheap_segment_bounces(dev, sg, start, end))
			return true;
	return false;
}

/**
 * vivtheap_attachment_sync() - sync the bounce slots of a mapped attachment
 * @dev: the importer's device
 * @sgt: the attachment's mapped sg table
 * @dir: the direction to sync in
 * @for_device: for the device (after the CPU wrote), or for the CPU (after
 *	the device wrote)
 *
 * Only the segments that bounce: see vivtheap_segment_bounces().
 *
 * Return: whether a segment was synced.
 */
bool vivtheap_attachment_sync(struct device *dev, struct sg_table *sgt,
			      enum dma_data_direction dir, bool for_device)
{
	phys_addr_t start, end;
	struct scatterlist *sg;
	bool synced = false;
	unsigned int i;

	vivtheap_attachment_range(sgt, &start, &end);
	for_each_sgtable_dma_sg(sgt, sg, i) {
		if (!vivtheap_segment_bounces(dev, sg, start, end))
			continue;
		if (for_device)
			dma_sync_single_for_device(dev, sg_dma_address(sg),
						   sg_dma_len(sg), dir);
		else
			dma_sync_single_for_cpu(dev, sg_dma_address(sg),
						sg_dma_len(sg), dir);
		synced = true;
	}
	return synced;
}

/*
 * Whether a mapped attachment bounces through a cacheable alias of the
 * buffer. swiotlb copies between the buffer and its slots through the
 * buffer's linear map (phys_to_virt(): 6.1 kernel/dma/swiotlb.c:631-634,
 * 7.2.13 :941-944), or through a temporary kmap for a page in highmem
 * (6.1 :593, 7.2.13 :902). The linear map is non-cacheable only where the
 * DMA API remapped it (CMA in lowmem: @linear_remapped); a kmap is
 * cacheable, its lines flushed at kunmap on VIVT, not on ARMv6+, where the
 * non-cacheable alias then misses the copy. Such a mapping is refused.
 */
static bool vivtheap_attachment_bounces_cacheable(struct vivtheap_buffer *buffer,
						  struct device *dev,
						  struct sg_table *sgt)
{
	return !buffer->linear_remapped &&
	       vivtheap_attachment_bounces(dev, sgt);
}

static struct sg_table *
vivtheap_buffer_map(struct dma_buf_attachment *attachment,
		    enum dma_data_direction dir)
{
	struct vivtheap_buffer *buffer = attachment->dmabuf->priv;
	struct vivtheap_attachment *a = attachment->priv;
	struct device *dev = attachment->dev;
	int ret;

	if (buffer->heap->mode == VIVTHEAP_CACHE_CACHED) {
		/* One mapping per attachment: its sg table is the one. */
		mutex_lock(&buffer->alias_lock);
		if (!list_empty(&a->node)) {
			mutex_unlock(&buffer->alias_lock);
			return ERR_PTR(-EBUSY);
		}
		/*
		 * Cacheable: synced for the device (and a bounce copied). Not
		 * by the mapping itself: the buffer's own mapping for the
		 * heap's device covers the same lines, and DMA-API debug calls
		 * two overlapping mappings that both sync an error ("cacheline
		 * tracking EEXIST", kernel/dma/debug.c add_dma_entry()). The
		 * sync is the same one, made explicit.
		 */
		ret = dma_map_sgtable(dev, &a->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
		if (ret) {
			mutex_unlock(&buffer->alias_lock);
			return ERR_PTR(ret);
		}
		dma_sync_sgtable_for_device(dev, &a->sgt, dir);
		a->dir = dir;
		list_add_tail(&a->node, &buffer->mapped);
		mutex_unlock(&buffer->alias_lock);
		if (vivtheap_attachment_bounces(dev, &a->sgt))
			vivtheap_stat_add(buffer->heap,
					  VIVTHEAP_STAT_MAP_BOUNCED, 1);
		vivtheap_stat_add(buffer->heap, VIVTHEAP_STAT_MAP, 1);
		return &a->sgt;
	}

	/*
	 * No CPU sync for the buffer's own memory: it is non-cacheable. A
	 * mapping that bounces is synced: see vivtheap_segment_bounces().
	 */
	ret = dma_map_sgtable(dev, &a->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		return ERR_PTR(ret);
	if (vivtheap_attachment_bounces_cacheable(buffer, dev, &a->sgt)) {
		pr_warn_ratelimited("%s: refused: %s's mapping bounces (swiotlb), and the copy would go through a cacheable alias of the buffer (highmem, or a linear map not remapped)\n",
				    buffer->heap->name, dev_name(dev));
		dma_unmap_sgtable(dev, &a->sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (vivtheap_attachment_sync(dev, &a->sgt, dir, true))
		vivtheap_stat_add(buffer->heap, VIVTHEAP_STAT_MAP_BOUNCED, 1);
	vivtheap_stat_add(buffer->heap, VIVTHEAP_STAT_MAP, 1);
	return &a->sgt;
}

static void vivtheap_buffer_unmap(struct dma_buf_attachment *attachment,
				  struct sg_table *sgt,
				  enum dma_data_direction dir)
{
	struct vivtheap_buffer *buffer = attachment->dmabuf->priv;
	struct vivtheap_attachment *a = attachment->priv;

	if (buffer->heap->mode == VIVTHEAP_CACHE_CACHED) {
		mutex_lock(&buffer->alias_lock);
		list_del_init(&a->node);
		mutex_unlock(&buffer->alias_lock);
		/* What the device wrote, for the CPU: see vivtheap_buffer_map(). */
		dma_sync_sgtable_for_cpu(attachment->dev, sgt, dir);
		/*
		 * A bounce slot's copy back went through the linear alias
		 * (swiotlb_bounce(): memcpy to phys_to_virt()), cacheable:
		 * clean it, so that no dirty line of the kernel alias outlives
		 * the hand-over (a begin on ARMv7 invalidates that alias).
		 */
		if (dir != DMA_TO_DEVICE &&
		    vivtheap_attachment_bounces(attachment->dev, sgt))
			dma_sync_single_for_device(buffer->heap->dev,
						   buffer->dma_addr, buffer->size,
						   DMA_TO_DEVICE);
		dma_unmap_sgtable(attachment->dev, sgt, dir,
				  DMA_ATTR_SKIP_CPU_SYNC);
		return;
	}
	/* What the device wrote to a bounce slot goes back to the buffer. */
	vivtheap_attachment_sync(attachment->dev, sgt, dir, false);
	dma_unmap_sgtable(attachment->dev, sgt, dir, DMA_ATTR_SKIP_CPU_SYNC);
}

/*
 * Wait for the fences a CPU access in @dir must wait for, as
 * dma_buf_begin_cpu_access() does (drivers/dma-buf/dma-buf.c). Return: 0,
 * or -ERESTARTSYS if a signal came.
 */
static int vivtheap_buffer_wait(struct dma_buf *dmabuf,
				enum dma_data_direction dir)
{
	long ret;

	ret = dma_resv_wait_timeout(dmabuf->resv,
				    dma_resv_usage_rw(dir != DMA_FROM_DEVICE),
				    true, MAX_SCHEDULE_TIMEOUT);
	return ret < 0 ? ret : 0;
}

static int vivtheap_buffer_begin_cpu_access(struct dma_buf *dmabuf,
					    enum dma_data_direction dir)
{
	struct vivtheap_buffer *buffer = dmabuf->priv;
	int ret;

	/*
	 * The core waits for the buffer's fences only after this returns
	 * (dma_buf_begin_cpu_access()): a device still writing would write
	 * behind the invalidate, and a CPU that fetches speculatively could
	 * load a line in between. Cached heap: wait first, as the ranged sync
	 * does; the core's wait then finds the fences signalled.
	 */
	if (buffer->heap->mode == VIVTHEAP_CACHE_CACHED) {
		ret = vivtheap_buffer_wait(dmabuf, dir);
		if (ret)
			return ret;
	}
	vivtheap_maint_begin(buffer, dir, 0, buffer->size);
	return 0;
}

static int vivtheap_buffer_end_cpu_access(struct dma_buf *dmabuf,
					  enum dma_data_direction dir)
{
	struct vivtheap_buffer *buffer = dmabuf->priv;

	vivtheap_maint_end(buffer, dir, 0, buffer->size);
	return 0;
}

/*
 * Cached heap: start tracking a user mapping. @v is a new entry, or NULL if
 * none could be allocated: the mapping is then counted as untracked, and
 * maintenance flushes the whole cache while it lives (maint.c).
 */
static void vivtheap_buffer_track(struct vivtheap_buffer *buffer,
				  struct vm_area_struct *vma,
				  struct vivtheap_vma *v)
{
	mutex_lock(&buffer->alias_lock);
	if (v) {
		v->vma = vma;
		list_add_tail(&v->node, &buffer->vmas);
	} else {
		buffer->untracked_vmas++;
	}
	mutex_unlock(&buffer->alias_lock);
}

static void vivtheap_buffer_untrack(struct vivtheap_buffer *buffer,
				    struct vm_area_struct *vma)
{
	struct vivtheap_vma *v, *found = NULL;

	mutex_lock(&buffer->alias_lock);
	list_for_each_entry(v, &buffer->vmas, node) {
		if (v->vma == vma) {
			found = v;
			list_del(&v->node);
			break;
		}
	}
	if (!found && !WARN_ON_ONCE(!buffer->untracked_vmas))
		buffer->untracked_vmas--;
	mutex_unlock(&buffer->alias_lock);
	kfree(found);
}

/*
 * Count the buffer's live user mappings: the core calls open for every new
 * VMA that copies one (fork, a split by a partial munmap or mprotect, mremap)
 * and close for every VMA that goes, before it drops the dma-buf file. On the
 * cached heap each is tracked too, for its cache maintenance. open cannot
 * fail: without memory for the entry the mapping lives untracked.
 */
static void vivtheap_buffer_vm_open(struct vm_area_struct *vma)
{
	struct vivtheap_buffer *buffer = vma->vm_private_data;

	if (buffer->heap->mode == VIVTHEAP_CACHE_CACHED)
		vivtheap_buffer_track(buffer, vma,
				      kzalloc_obj(struct vivtheap_vma,
						  GFP_KERNEL));
	atomic_inc(&buffer->mmaps);
}

static void vivtheap_buffer_vm_close(struct vm_area_struct *vma)
{
	struct vivtheap_buffer *buffer = vma->vm_private_data;

	if (buffer->heap->mode == VIVTHEAP_CACHE_CACHED)
		vivtheap_buffer_untrack(buffer, vma);
	atomic_dec(&buffer->mmaps);
}

static const struct vm_operations_struct vivtheap_buffer_vm_ops = {
	.open = vivtheap_buffer_vm_open,
	.close = vivtheap_buffer_vm_close,
};

static int vivtheap_buffer_mmap(struct dma_buf *dmabuf,
				struct vm_area_struct *vma)
{
	struct vivtheap_buffer *buffer = dmabuf->priv;
	unsigned long npages = buffer->size >> PAGE_SHIFT;
	struct vivtheap_vma *v;
	int ret;

	/*
	 * A private mapping would give copy-on-write pages that never reach
	 * the buffer (and, written, a cacheable copy): shared only, as the
	 * kernel's CMA heap and udmabuf. A read-only shared mapping of a
	 * read-only fd has VM_MAYSHARE without VM_SHARED.
	 */
	if (!(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;

	/*
	 * Defence in depth, not reachable from user space today: dma_buf_mmap
	 * and the dma-buf file's mmap refuse a range past the end before an
	 * exporter is called, and remap_pfn_range() (under dma_mmap_attrs())
	 * sets VM_DONTEXPAND itself. Kept so that the exporter's own
	 * guarantees do not depend on its callers; no test can reach them.
	 */
	if (vma->vm_pgoff >= npages || vma_pages(vma) > npages - vma->vm_pgoff)
		return -EINVAL;

	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_page_prot = vivtheap_maint_user_prot(vma->vm_page_prot);
	if (buffer->heap->mode == VIVTHEAP_CACHE_CACHED) {
		v = kzalloc_obj(*v, GFP_KERNEL);
		if (!v)
			return -ENOMEM;
		/* The VMA's own protection: cacheable, tracked from here. */
		ret = remap_pfn_range(vma, vma->vm_start,
				      page_to_pfn(buffer->page) + vma->vm_pgoff,
				      vma->vm_end - vma->vm_start,
				      vma->vm_page_prot);
		if (ret) {
			kfree(v);
			return ret;
		}
		vivtheap_buffer_track(buffer, vma, v);
	} else {
		/* Same attributes as the kernel alias: never cacheable. */
		ret = dma_mmap_attrs(buffer->heap->dev, vma, buffer->vaddr,
				     buffer->dma_addr, buffer->size,
				     buffer->heap->dma_attrs);
		if (ret)
			return ret;
	}
	vma->vm_private_data = buffer;
	vma->vm_ops = &vivtheap_buffer_vm_ops;
	atomic_inc(&buffer->mmaps);
	vivtheap_stat_add(buffer->heap, VIVTHEAP_STAT_MMAP, 1);
	return 0;
}

static int vivtheap_buffer_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct vivtheap_buffer *buffer = dmabuf->priv;

	/*
	 * The existing mapping, never a new vmap() alias: non-cacheable, or
	 * the cached heap's linear map, maintained at each begin and end.
	 */
	iosys_map_set_vaddr(map, buffer->vaddr);
	vivtheap_stat_add(buffer->heap, VIVTHEAP_STAT_VMAP, 1);
	return 0;
}

/**
 * vivtheap_buffer_destroy() - give a buffer's memory back for good
 * @buffer: a buffer no dma-buf, mapping or importer refers to any more
 */
void vivtheap_buffer_destroy(struct vivtheap_buffer *buffer)
{
	struct vivtheap_heap *heap = buffer->heap;

	if (heap->mode == VIVTHEAP_CACHE_CACHED)
		dma_free_pages(heap->dev, buffer->size, buffer->page,
			       buffer->dma_addr, DMA_BIDIRECTIONAL);
	else
		dma_free_attrs(heap->dev, buffer->size, buffer->vaddr,
			       buffer->dma_addr, heap->dma_attrs);
	mutex_destroy(&buffer->alias_lock);
	kfree(buffer);
}

static void vivtheap_buffer_release(struct dma_buf *dmabuf)
{
	struct vivtheap_buffer *buffer = dmabuf->priv;
	struct vivtheap_heap *heap = buffer->heap;

	mutex_lock(&heap->lock);
	list_del(&buffer->node);
	heap->nr_buffers--;
	heap->bytes -= buffer->size;
	mutex_unlock(&heap->lock);

	if (!vivtheap_pool_put(heap, buffer))
		vivtheap_buffer_destroy(buffer);
}

static const struct dma_buf_ops vivtheap_buffer_ops = {
	.attach = vivtheap_buffer_attach,
	.detach = vivtheap_buffer_detach,
	.map_dma_buf = vivtheap_buffer_map,
	.unmap_dma_buf = vivtheap_buffer_unmap,
	.begin_cpu_access = vivtheap_buffer_begin_cpu_access,
	.end_cpu_access = vivtheap_buffer_end_cpu_access,
	.mmap = vivtheap_buffer_mmap,
	.vmap = vivtheap_buffer_vmap,
	/* No vunmap: the mapping vmap hands out lives as long as the buffer. */
	.release = vivtheap_buffer_release,
};

/**
 * vivtheap_buffer_from_dmabuf() - the vivtheap buffer behind a dma-buf
 * @dmabuf: any dma-buf
 *
 * Return: the buffer, or NULL if vivtheap did not export @dmabuf. The
 * caller's reference on @dmabuf keeps the buffer alive.
 */
struct vivtheap_buffer *vivtheap_buffer_from_dmabuf(struct dma_buf *dmabuf)
{
	if (dmabuf->ops != &vivtheap_buffer_ops)
		return NULL;
	return dmabuf->priv;
}

/*
 * A new buffer from dma_alloc_pages() (cached heap: zeroed by it through the
 * linear map, the zeroes cleaned here) or dma_alloc_attrs() (zeroed by it).
 * Return: the buffer, or ERR_PTR: -ENOMEM when the memory is not there,
 * -EOPNOTSUPP when dma_alloc_attrs() gave memory that is not one physically
 * contiguous range (the heap's device is behind an IOMMU).
 */
static struct vivtheap_buffer *vivtheap_buffer_create(struct vivtheap_heap *heap,
						      size_t size)
{
	struct vivtheap_buffer *buffer;
	struct sg_table sgt;
	int ret;

	buffer = kzalloc(sizeof(*buffer), GFP_KERNEL);
	if (!buffer)
		return ERR_PTR(-ENOMEM);
	buffer->heap = heap;
	buffer->size = size;
	mutex_init(&buffer->alias_lock);
	INIT_LIST_HEAD(&buffer->vmas);
	INIT_LIST_HEAD(&buffer->mapped);

	if (heap->mode == VIVTHEAP_CACHE_CACHED) {
		/*
		 * Contiguous (the device's CMA area, or its DMA zone), in
		 * lowmem (dma_direct_alloc_pages() refuses highmem), zeroed
		 * through the linear map; mapped for the device both ways.
		 */
		buffer->page = dma_alloc_pages(heap->dev, size,
					       &buffer->dma_addr,
					       DMA_BIDIRECTIONAL,
					       GFP_KERNEL | __GFP_NOWARN);
		if (!buffer->page) {
			mutex_destroy(&buffer->alias_lock);
			kfree(buffer);
			return ERR_PTR(-ENOMEM);
		}
		/*
		 * Never an error with a page: checked so that DMA-API debug
		 * (6.1) does not call the handle unchecked at the free.
		 */
		if (dma_mapping_error(heap->dev, buffer->dma_addr)) {
			vivtheap_buffer_destroy(buffer);
			return ERR_PTR(-ENOMEM);
		}
		buffer->vaddr = page_address(buffer->page);
		vivtheap_maint_zeroed(buffer);
		return buffer;
	}

	/* __GFP_NOWARN: a request CMA cannot meet fails quietly with -ENOMEM. */
	buffer->vaddr = dma_alloc_attrs(heap->dev, size, &buffer->dma_addr,
					GFP_KERNEL | __GFP_NOWARN,
					heap->dma_attrs);
	if (!buffer->vaddr) {
		mutex_destroy(&buffer->alias_lock);
		kfree(buffer);
		return ERR_PTR(-ENOMEM);
	}
	/*
	 * The first page, for the importers' sg tables (first page + n), and
	 * the proof that there is nothing else: one range. Behind an IOMMU
	 * the memory is contiguous in the device's addresses only
	 * (arm_iommu_alloc_attrs() gathers pages one order at a time,
	 * __iommu_alloc_buffer(), 6.1 arch/arm/mm/dma-mapping.c:856-945, and
	 * arm_iommu_get_sgtable() lists them as they lie, :1183-1195). of.c
	 * refuses such a node; this is for a device that got an IOMMU
	 * another way.
	 */
	ret = dma_get_sgtable_attrs(heap->dev, &sgt, buffer->vaddr,
				    buffer->dma_addr, size, heap->dma_attrs);
	if (ret) {
		vivtheap_buffer_destroy(buffer);
		return ERR_PTR(ret);
	}
	if (sgt.orig_nents != 1 || sgt.sgl->length < size) {
		dev_err_ratelimited(heap->dev, "%s: refused: dma_alloc_attrs() gave %zu bytes in %u ranges, not one (an IOMMU?)\n",
				    heap->name, size, sgt.orig_nents);
		sg_free_table(&sgt);
		vivtheap_buffer_destroy(buffer);
		return ERR_PTR(-EOPNOTSUPP);
	}
	buffer->page = sg_page(sgt.sgl);
	sg_free_table(&sgt);
	/*
	 * Whether the linear map's alias of the pages is the non-cacheable
	 * one. CMA in lowmem: the DMA API rewrote the linear map in place and
	 * returned it (__alloc_from_contiguous(): "__dma_remap(page, size,
	 * prot); ptr = page_address(page);", 6.1 arch/arm/mm/dma-mapping.c:
	 * 415-416, 7.2.13 :417-418). Without a CMA area the pages come from
	 * the page allocator and get a new non-cacheable mapping while the
	 * linear map keeps them cacheable (__alloc_remap_buffer():
	 * dma_common_contiguous_remap(), 6.1 :326-351, chosen by __dma_alloc()
	 * when dev_get_cma_area(dev) is NULL, 6.1 :579-586, 7.2.13 :573-580).
	 * CMA in highmem: a new mapping too, and no linear alias at all.
	 */
	buffer->linear_remapped = !PageHighMem(buffer->page) &&
				  buffer->vaddr == page_address(buffer->page);
	return buffer;
}

/**
 * vivtheap_buffer_check_heap() - whether a heap's buffers keep its promise
 * @heap: a heap with its final device, not registered yet
 *
 * An uncached or write-combined heap promises that no alias of its buffers
 * is cacheable. On ARM that holds only where dma_alloc_attrs() takes the
 * pages from a CMA area, whose lowmem pages it remaps in place; without one
 * (cma=0, CONFIG_DMA_CMA=n, a reservation that failed at boot) the pages
 * keep a cacheable alias in the linear map (vivtheap_buffer_create()).
 * Which allocator serves a device is not exported (dev_get_cma_area() reads
 * dma_contiguous_default_area, exported by neither 6.1.176 nor 7.2.13), so
 * one page is allocated as the heap would and looked at. Pages in highmem
 * have no linear alias: such a heap is kept, and an importer's mapping that
 * bounces is refused per buffer (vivtheap_buffer_map()). The cached heap
 * promises nothing of the kind.
 *
 * Sets @heap->cacheable_alias and logs why the heap will not be registered.
 *
 * Return: 0 (the heap is usable or not), or the errno of the allocation.
 */
int vivtheap_buffer_check_heap(struct vivtheap_heap *heap)
{
	struct vivtheap_buffer *buffer;

	heap->cacheable_alias = false;
	if (heap->mode == VIVTHEAP_CACHE_CACHED)
		return 0;
	buffer = vivtheap_buffer_create(heap, PAGE_SIZE);
	if (IS_ERR(buffer))
		return PTR_ERR(buffer);
	heap->cacheable_alias = !PageHighMem(buffer->page) &&
				!buffer->linear_remapped;
	vivtheap_buffer_destroy(buffer);
	if (heap->cacheable_alias)
		pr_warn("%s: not registered: %s has no CMA area (cma=0, CONFIG_DMA_CMA=n, or its reservation failed): dma_alloc_attrs() would leave the pages' cacheable linear alias\n",
			heap->name, dev_name(heap->dev));
	return 0;
}

/**
 * vivtheap_buffer_alloc() - allocate a zeroed buffer and export it
 * @heap: the heap
 * @len: the size asked for, bytes; rounded up to whole pages
 * @fd_flags: O_ACCMODE and O_CLOEXEC bits, already validated
 *
 * The kernel and user aliases follow @heap's DMA attributes. The memory
 * comes zeroed from dma_alloc_attrs(), or from the heap's pool, zeroed there.
 *
 * Return: the dma-buf (one reference, owned by the caller), or ERR_PTR:
 * -EINVAL for a length of 0 or one that does not fit size_t when rounded
 * up, -ENOMEM over the heap's max_size or when the memory is not there,
 * -EOPNOTSUPP when the heap's device gave memory that is not contiguous,
 * -EINTR when a fatal signal came while waiting for the pool's zeroing.
 */
struct dma_buf *vivtheap_buffer_alloc(struct vivtheap_heap *heap, u64 len,
				      u32 fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct vivtheap_buffer *buffer;
	struct dma_buf *dmabuf;
	size_t size;
	int ret;

	/* Check before PAGE_ALIGN(): on 32-bit, 2^32 + 4096 is not 4096. */
	if (!len || len > SIZE_MAX - (PAGE_SIZE - 1))
		return ERR_PTR(-EINVAL);
	size = PAGE_ALIGN((size_t)len);
	if (size > heap->max_size) {
		ret = -ENOMEM;
		goto count_failure;
	}

	buffer = vivtheap_pool_take(heap, size);
	if (IS_ERR(buffer)) {
		ret = PTR_ERR(buffer);
		goto count_failure;
	}
	if (!buffer) {
		buffer = vivtheap_buffer_create(heap, size);
		/* Pooled memory may be what CMA lacks: give it back, retry. */
		if (IS_ERR(buffer) && PTR_ERR(buffer) == -ENOMEM) {
			ret = vivtheap_pool_reclaim();
			if (ret < 0)
				goto count_failure;
			if (ret)
				buffer = vivtheap_buffer_create(heap, size);
		}
		if (IS_ERR(buffer)) {
			ret = PTR_ERR(buffer);
			goto count_failure;
		}
	}

	exp_info.exp_name = heap->name;
	exp_info.owner = THIS_MODULE;
	exp_info.ops = &vivtheap_buffer_ops;
	exp_info.size = size;
	exp_info.flags = fd_flags;
	exp_info.priv = buffer;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		vivtheap_buffer_destroy(buffer);
		goto count_failure;
	}
	/* From here the dma-buf owns buffer; only dma_buf_put() may free it. */

	buffer->id = atomic64_inc_return(&vivtheap_buffer_serial);
	mutex_lock(&heap->lock);
	list_add_tail(&buffer->node, &heap->buffers);
	heap->nr_buffers++;
	heap->bytes += size;
	heap->peak_bytes = max(heap->peak_bytes, heap->bytes);
	mutex_unlock(&heap->lock);
	vivtheap_stat_add(heap, VIVTHEAP_STAT_ALLOC, 1);
	return dmabuf;

count_failure:
	vivtheap_stat_add(heap, VIVTHEAP_STAT_ALLOC_FAIL, 1);
	return ERR_PTR(ret);
}

/**
 * vivtheap_buffer_sync_range() - begin or end CPU access to part of a buffer
 * @dmabuf: a dma-buf, held by the caller
 * @flags: VIVTHEAP_SYNC_* bits
 * @offset: first byte of the range
 * @length: bytes in the range
 *
 * DMA_BUF_IOCTL_SYNC on the whole pages of [@offset, @offset + @length):
 * before beginning, the same wait for the buffer's fences as
 * dma_buf_begin_cpu_access() (drivers/dma-buf/dma-buf.c), then the same
 * maintenance on those pages only. The range is page-granular because the
 * user aliases' maintenance is (vivt_flush_cache_range() rounds to pages),
 * and widening it cannot lose a byte: what it cleans is written back, what
 * it invalidates is flushed (maint.c).
 *
 * Return: 0; -ENODEV if vivtheap did not export @dmabuf; -EINVAL for
 * unknown @flags bits, no direction, an empty range or one not inside the
 * buffer; -EINTR (or -ERESTARTSYS) if a signal came while waiting.
 */
int vivtheap_buffer_sync_range(struct dma_buf *dmabuf, u32 flags,
			       u64 offset, u64 length)
{
	struct vivtheap_buffer *buffer = vivtheap_buffer_from_dmabuf(dmabuf);
	enum dma_data_direction dir;
	size_t start, end;
	int ret;

	if (!buffer)
		return -ENODEV;
	if (flags & ~(VIVTHEAP_SYNC_RW | VIVTHEAP_SYNC_END))
		return -EINVAL;
	switch (flags & VIVTHEAP_SYNC_RW) {
	case VIVTHEAP_SYNC_READ:
		dir = DMA_FROM_DEVICE;
		break;
	case VIVTHEAP_SYNC_WRITE:
		dir = DMA_TO_DEVICE;
		break;
	case VIVTHEAP_SYNC_RW:
		dir = DMA_BIDIRECTIONAL;
		break;
	default:
		return -EINVAL;
	}
	if (!length || offset >= buffer->size || length > buffer->size - offset)
		return -EINVAL;
	start = round_down((size_t)offset, PAGE_SIZE);
	end = PAGE_ALIGN((size_t)(offset + length));

	vivtheap_stat_add(buffer->heap, VIVTHEAP_STAT_SYNC_RANGE, 1);
	if (flags & VIVTHEAP_SYNC_END) {
		vivtheap_maint_end(buffer, dir, start, end - start);
		return 0;
	}
	ret = vivtheap_buffer_wait(dmabuf, dir);
	if (ret)
		return ret;
	vivtheap_maint_begin(buffer, dir, start, end - start);
	return 0;
}
