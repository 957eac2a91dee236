// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap_test: a dma-buf importer for the guest tests, playing a device.
 *
 * Writing "FD SEED" to /sys/kernel/debug/vivtheap_test/import, from the
 * process that holds dma-buf FD, attaches the dma-buf to this module's own
 * platform device, maps the attachment DMA_BIDIRECTIONAL as a driver would,
 * and writes through every page the importer was given: the 32-bit word
 * SEED + n at the start of the n-th page, in the order of the sg table's
 * DMA addresses, between dma_sync_sgtable_for_cpu() and _for_device(), so
 * that what it wrote is in memory as a device's write would be. The writer
 * then reads its own mapping of the buffer: page n must hold SEED + n, which
 * proves that the importer's sg table names the buffer's own pages, in
 * order, and covers it exactly.
 *
 * The write fails with EINVAL if the sg table does not cover the dma-buf's
 * size exactly or the fd is not a dma-buf, with the map's error if mapping
 * fails, EBADF for an fd that is not open or not open for writing.
 *
 * Writing "OP FD SEED" to /sys/kernel/debug/vivtheap_test/op, from the
 * process that holds dma-buf FD (SEED a u32, decimal or 0x hex; the words
 * separated by blanks, a trailing newline allowed), runs one operation on the
 * whole buffer. Word i below is the 32-bit word at byte offset 4 * i of the
 * dma-buf, and its pattern value is SEED + i (mod 2^32). The word operations
 * (dev-write, dev-read, vmap-write, vmap-read, dev-fill, bounce-fill) fail
 * with EINVAL, touching nothing, if the dma-buf's size is not a multiple of 4.
 *
 *   dev-write   as "import", but writes every word of every page the DMA
 *               addresses name (pages in DMA-address order) with its pattern
 *               value, between dma_sync_sgtable_for_cpu() and _for_device().
 *   dev-read    the same mapping and syncs, but compares every word with its
 *               pattern value instead of writing it.
 *   vmap-write  dma_buf_vmap(), dma_buf_begin_cpu_access(DMA_TO_DEVICE),
 *               every word written with its pattern value,
 *               dma_buf_end_cpu_access(DMA_TO_DEVICE), dma_buf_vunmap().
 *   vmap-read   the same with DMA_FROM_DEVICE, comparing instead of writing.
 *   pages       the same mapping as dev-read, touching nothing: notes the
 *               physical address of each page (SEED unused). Its map and
 *               syncs maintain the CPU caches (DMA API): see "upages" for a
 *               look that leaves them alone.
 *   dev-fill    a device's write: maps the attachment DMA_FROM_DEVICE, writes
 *               every word with its pattern value where the DMA addresses
 *               point, with no CPU sync (the mapping is the device's until
 *               it is unmapped), and unmaps: the DMA API must bring what the
 *               device wrote into the buffer by then.
 *   bounce-fill dev-fill on the bouncing device (below): its DMA addresses
 *               are bounce slots, as swiotlb's are.
 *
 * dev-write and dev-read access the pages through their DMA addresses between
 * the syncs, which is the CPU's window: on a mapping that bounces they would
 * reach the bounce slots, not the buffer, and are not meant for one.
 *
 * The bouncing device, vivtheap_test_bounce, maps as swiotlb does for a device
 * that cannot reach the buffer (a DMA mask or dma-ranges too small) or under
 * swiotlb=force. None of the kernels the tests boot sets swiotlb up (32-bit
 * ARM calls swiotlb_init() only with CONFIG_ARM_LPAE, and Debian's armmp
 * then only under Xen, arch/arm/xen/mm.c), so the module brings dma_map_ops
 * of its own that copy as kernel/dma/swiotlb.c does (6.1.176 and 7.2.13):
 * mapping a segment gives it a slot of its own and always copies the buffer
 * into it, whatever the direction or DMA_ATTR_SKIP_CPU_SYNC
 * (swiotlb_tbl_map_single()); unmapping copies the slot back for
 * DMA_FROM_DEVICE and DMA_BIDIRECTIONAL unless DMA_ATTR_SKIP_CPU_SYNC, and
 * frees it; a sync for the CPU copies the slot back (FROM_DEVICE,
 * BIDIRECTIONAL), a sync for the device copies the buffer in (TO_DEVICE,
 * BIDIRECTIONAL). A slot is a page (the device's segments are at most one:
 * dma_set_max_seg_size()), and its DMA address is the slot's. qemu models no
 * cache, so a CPU store to a slot is what a device's store would be.
 *
 * Writing "upages ADDR LEN" (ADDR and LEN unsigned longs, decimal or 0x hex)
 * notes the physical address of each page of [ADDR, ADDR + LEN) in the
 * writer's own address space, which must lie in mmap()s of dma-bufs (one or
 * more VMAs, any dma-bufs), from the page table alone, under
 * mmap_read_lock(): no attachment, no mapping, no cache maintenance, the
 * data untouched, so that a cache hazard stays for the cache model to see.
 * ADDR must be page aligned, LEN a non-zero multiple of the page size. It
 * fails with EINVAL if they are not, if the range wraps, or if a page of it
 * is not in a mapping of a dma-buf; with EFAULT if a page is not present and
 * its VMA's fault handler cannot map it (one not faulted in yet is faulted in
 * with fixup_user_fault(), which maps it without the CPU touching its data);
 * with EOPNOTSUPP
 * for a mapping that is neither VM_PFNMAP nor VM_IO (plain or VM_MIXEDMAP
 * pages, as vm_insert_page() makes) on 6.10 and later, whose
 * follow_pfnmap_start() refuses it; before 6.10, follow_pte() follows those
 * too. vivtheap's heaps and the kernel's system heap map VM_PFNMAP
 * (remap_pfn_range()), and so does the kernel's CMA heap on 7.2
 * (vmf_insert_pfn()); 6.1's CMA heap faults its struct pages into a plain
 * VMA.
 *
 * After a successful "pages" or "upages", reading the same open op file
 * gives the pages as "PA+LEN ..." ranges (hex, contiguous pages merged), or
 * E2BIG fails the write if they do not fit 1 KiB. The result belongs to the
 * open file (another open, another result) and lasts until its next write:
 * any other op, or any failed write, leaves it empty. A write sets the file
 * position to 0, so a read after it starts at the beginning; a read goes on
 * from the position as usual. Threads sharing the open file are serialized.
 *
 * A read that finds a word other than its pattern value logs the first one
 * (byte offset, expected and found value, at KERN_INFO) and fails the write
 * with EBADMSG. The write fails with EINVAL for an unknown OP, a malformed or
 * too long line (63 bytes at most), an fd that is not a dma-buf, or (dev-*)
 * an sg table that does not cover the dma-buf exactly; EBADF for an fd that
 * is not open or not open for writing (reads too: one rule for every op);
 * EFAULT if the line cannot be read; with the error of
 * dma_buf_map_attachment(), dma_buf_begin_cpu_access(), dma_buf_vmap() or
 * dma_buf_end_cpu_access() if one fails; EINTR if a fatal signal arrives
 * before or midway (a read of the op file too). Every path detaches, ends the
 * CPU access it began and puts the dma-buf; a successful write returns its
 * count.
 *
 * Writing anything to /sys/kernel/debug/vivtheap_test/warn logs a kernel
 * warning: the mutants use it to prove that the guest runner fails a test
 * that leaves one behind, whatever the test's exit status.
 *
 * Writing a byte count to /sys/kernel/debug/vivtheap_test/cma allocates that
 * much from the test device's CMA area (the default one) with
 * dma_alloc_attrs() and frees it at once: another CMA user beside vivtheap,
 * for the pool test where the kernel has no CMA heap. The write returns its
 * count, ENOMEM if the memory is not there, EINVAL for a count that is not a
 * number or is 0.
 *
 * Not part of vivtheap: built only for the tests (tests/kmod/).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "../../driver/compat.h"

static struct platform_device *vivtheap_test_pdev;
static struct platform_device *vivtheap_test_bounce_pdev;
static struct dentry *vivtheap_test_dir;

/**
 * struct vivtheap_test_slot - one segment mapped by the bouncing device
 * @dma: the segment's DMA address: its slot's
 * @orig: the buffer's page the segment is in
 * @offset: the segment's offset in @orig
 * @len: the segment's length; @offset + @len is at most a page
 * @slot: the bounce slot, a lowmem page
 */
struct vivtheap_test_slot {
	dma_addr_t dma;
	struct page *orig;
	unsigned int offset;
	unsigned int len;
	struct page *slot;
};

/* The bouncing device's mapped segments, by the PFN of their slot. */
static DEFINE_XARRAY(vivtheap_test_slots);

/* The slot whose DMA range holds @dma, or NULL. */
static struct vivtheap_test_slot *vivtheap_test_slot_find(struct device *dev,
							  dma_addr_t dma)
{
	struct vivtheap_test_slot *s;

	s = xa_load(&vivtheap_test_slots, PHYS_PFN(dma_to_phys(dev, dma)));
	return s && dma - s->dma < s->len ? s : NULL;
}

/*
 * Copy @len bytes at offset @off of a segment between the buffer and the
 * slot: into the slot if @to_slot, else back into the buffer.
 */
static void vivtheap_test_slot_copy(struct vivtheap_test_slot *s, size_t off,
				    size_t len, bool to_slot)
{
	void *slot = page_address(s->slot) + off;

	if (to_slot)
		memcpy_from_page(slot, s->orig, s->offset + off, len);
	else
		memcpy_to_page(s->orig, s->offset + off, slot, len);
}

/* Drop a slot: out of the array, its page freed. */
static void vivtheap_test_slot_free(struct vivtheap_test_slot *s)
{
	xa_erase(&vivtheap_test_slots, page_to_pfn(s->slot));
	__free_page(s->slot);
	kfree(s);
}

static void vivtheap_test_bounce_unmap_sg(struct device *dev,
					  struct scatterlist *sgl, int nents,
					  enum dma_data_direction dir,
					  unsigned long attrs)
{
	struct vivtheap_test_slot *s;
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i) {
		s = vivtheap_test_slot_find(dev, sg_dma_address(sg));
		if (WARN_ON(!s))
			continue;
		if (!(attrs & DMA_ATTR_SKIP_CPU_SYNC) && dir != DMA_TO_DEVICE)
			vivtheap_test_slot_copy(s, 0, s->len, false);
		vivtheap_test_slot_free(s);
	}
}

static int vivtheap_test_bounce_map_sg(struct device *dev,
				       struct scatterlist *sgl, int nents,
				       enum dma_data_direction dir,
				       unsigned long attrs)
{
	struct vivtheap_test_slot *s;
	struct scatterlist *sg;
	int i, ret = -ENOMEM;

	for_each_sg(sgl, sg, nents, i) {
		if (sg->offset + sg->length > PAGE_SIZE) {
			ret = -EINVAL;
			goto unmap;
		}
		s = kzalloc(sizeof(*s), GFP_KERNEL);
		if (!s)
			goto unmap;
		s->slot = alloc_page(GFP_KERNEL);
		if (!s->slot) {
			kfree(s);
			goto unmap;
		}
		s->orig = sg_page(sg);
		s->offset = sg->offset;
		s->len = sg->length;
		s->dma = phys_to_dma(dev, page_to_phys(s->slot));
		/* Whatever the direction and attributes, as swiotlb does. */
		vivtheap_test_slot_copy(s, 0, s->len, true);
		if (xa_err(xa_store(&vivtheap_test_slots, page_to_pfn(s->slot), s,
				    GFP_KERNEL))) {
			__free_page(s->slot);
			kfree(s);
			goto unmap;
		}
		sg_dma_address(sg) = s->dma;
		sg_dma_len(sg) = s->len;
	}
	return nents;

unmap:
	vivtheap_test_bounce_unmap_sg(dev, sgl, i, dir,
				      attrs | DMA_ATTR_SKIP_CPU_SYNC);
	return ret;
}

/*
 * A sync of @size bytes at @dma: for the CPU the slot is copied back
 * (DMA_FROM_DEVICE, DMA_BIDIRECTIONAL), for the device the buffer is copied
 * in (DMA_TO_DEVICE, DMA_BIDIRECTIONAL).
 */
static void vivtheap_test_bounce_sync(struct device *dev, dma_addr_t dma,
				      size_t size, enum dma_data_direction dir,
				      bool for_device)
{
	struct vivtheap_test_slot *s;

	if (dir == (for_device ? DMA_FROM_DEVICE : DMA_TO_DEVICE))
		return;
	s = vivtheap_test_slot_find(dev, dma);
	if (WARN_ON(!s || size > s->len - (dma - s->dma)))
		return;
	vivtheap_test_slot_copy(s, dma - s->dma, size, for_device);
}

static void vivtheap_test_bounce_sync_sg(struct device *dev,
					 struct scatterlist *sgl, int nents,
					 enum dma_data_direction dir,
					 bool for_device)
{
	struct scatterlist *sg;
	int i;

	for_each_sg(sgl, sg, nents, i) {
		vivtheap_test_bounce_sync(dev, sg_dma_address(sg),
					  sg_dma_len(sg), dir, for_device);
	}
}

static void vivtheap_test_bounce_sync_single_for_cpu(struct device *dev,
						     dma_addr_t dma,
						     size_t size,
						     enum dma_data_direction dir)
{
	vivtheap_test_bounce_sync(dev, dma, size, dir, false);
}

static void
vivtheap_test_bounce_sync_single_for_device(struct device *dev,
					    dma_addr_t dma, size_t size,
					    enum dma_data_direction dir)
{
	vivtheap_test_bounce_sync(dev, dma, size, dir, true);
}

static void vivtheap_test_bounce_sync_sg_for_cpu(struct device *dev,
						 struct scatterlist *sgl,
						 int nents,
						 enum dma_data_direction dir)
{
	vivtheap_test_bounce_sync_sg(dev, sgl, nents, dir, false);
}

static void vivtheap_test_bounce_sync_sg_for_device(struct device *dev,
						    struct scatterlist *sgl,
						    int nents,
						    enum dma_data_direction dir)
{
	vivtheap_test_bounce_sync_sg(dev, sgl, nents, dir, true);
}

static const struct dma_map_ops vivtheap_test_bounce_ops = {
	.map_sg = vivtheap_test_bounce_map_sg,
	.unmap_sg = vivtheap_test_bounce_unmap_sg,
	.sync_single_for_cpu = vivtheap_test_bounce_sync_single_for_cpu,
	.sync_single_for_device = vivtheap_test_bounce_sync_single_for_device,
	.sync_sg_for_cpu = vivtheap_test_bounce_sync_sg_for_cpu,
	.sync_sg_for_device = vivtheap_test_bounce_sync_sg_for_device,
};

/**
 * struct vivtheap_test_result - the "pages"/"upages" result of one open op file
 * @lock: serializes the writes and reads of the open file, which threads
 *	can share
 * @len: the length of the text in @buf: 0 after any other op or a failed one
 * @start: the start of the range being gathered
 * @end: its end: @start while there is none
 * @buf: the ranges written out so far, "PA+LEN ..." (hex), @len bytes
 */
struct vivtheap_test_result {
	struct mutex lock;	/* the open file's: every other member */
	size_t len;
	phys_addr_t start, end;
	char buf[1024];
};

/**
 * struct vivtheap_test_op - one operation of the op file
 * @name: its OP word in the op file
 * @run: runs it on a dma-buf opened for writing (the "OP FD SEED" ops)
 * @run_user: runs it on a range of the writer's address space instead
 *	("upages ADDR LEN"); @run is then NULL
 * @access: what @run does to each part of the buffer it reaches: @map points
 *	at byte @offset of the dma-buf, @len bytes (a multiple of 4, at most a
 *	page) are to be accessed, @phys is their physical address (0 through a
 *	vmap), @res is the writer's result; returns 0 or a negative errno
 * @dir: the direction of the CPU access, for the vmap operations; the
 *	direction of the mapping, for the device operations
 * @words: it accesses 32-bit words: the dma-buf's size must be a multiple of 4
 * @records: it records pages in the writer's result, to be read back
 * @bounce: a device operation on the bouncing device
 * @unsynced: a device operation whose access is the device's own, made while
 *	the mapping is the device's: no CPU sync around it
 */
struct vivtheap_test_op {
	const char *name;
	int (*run)(struct dma_buf *dmabuf, const struct vivtheap_test_op *op,
		   u32 seed, struct vivtheap_test_result *res);
	int (*run_user)(unsigned long addr, unsigned long len,
			struct vivtheap_test_result *res);
	int (*access)(const struct iosys_map *map, phys_addr_t phys,
		      size_t offset, size_t len, u32 seed,
		      struct vivtheap_test_result *res);
	enum dma_data_direction dir;
	bool words;
	bool records;
	bool bounce;
	bool unsynced;
};

/**
 * vivtheap_test_page_stamp() - the "import" access: one word per page
 * @map: the start of a page of the dma-buf
 * @phys: unused
 * @offset: its byte offset in the dma-buf, a multiple of PAGE_SIZE
 * @len: unused: only the page's first word is written
 * @seed: the value for the first page
 * @res: unused
 *
 * Return: 0.
 */
static int vivtheap_test_page_stamp(const struct iosys_map *map,
				    phys_addr_t phys, size_t offset,
				    size_t len, u32 seed,
				    struct vivtheap_test_result *res)
{
	iosys_map_wr(map, 0, u32, seed + (u32)(offset >> PAGE_SHIFT));
	return 0;
}

/**
 * vivtheap_test_words_write() - write the pattern over part of a dma-buf
 * @map: where byte @offset of the dma-buf is mapped
 * @phys: unused
 * @offset: the byte offset of @map in the dma-buf, a multiple of 4
 * @len: how many bytes to write, a multiple of 4
 * @seed: the pattern's first word: word i of the dma-buf gets @seed + i
 * @res: unused
 *
 * Return: 0.
 */
static int vivtheap_test_words_write(const struct iosys_map *map,
				     phys_addr_t phys,
				     size_t offset, size_t len, u32 seed,
				     struct vivtheap_test_result *res)
{
	size_t i;

	for (i = 0; i < len; i += sizeof(u32))
		iosys_map_wr(map, i, u32, seed + (u32)((offset + i) / sizeof(u32)));
	return 0;
}

/**
 * vivtheap_test_words_check() - compare part of a dma-buf with the pattern
 * @map: where byte @offset of the dma-buf is mapped
 * @phys: unused
 * @offset: the byte offset of @map in the dma-buf, a multiple of 4
 * @len: how many bytes to compare, a multiple of 4
 * @seed: the pattern's first word: word i of the dma-buf must hold @seed + i
 * @res: unused
 *
 * Logs the first word that differs: its byte offset in the dma-buf, the
 * expected and the found value.
 *
 * Return: 0, or -EBADMSG if a word differs.
 */
static int vivtheap_test_words_check(const struct iosys_map *map,
				     phys_addr_t phys,
				     size_t offset, size_t len, u32 seed,
				     struct vivtheap_test_result *res)
{
	size_t i;

	for (i = 0; i < len; i += sizeof(u32)) {
		u32 expected = seed + (u32)((offset + i) / sizeof(u32));
		u32 found = iosys_map_rd(map, i, u32);

		if (found != expected) {
			pr_info("word at byte offset %zu: expected 0x%08x, found 0x%08x\n",
				offset + i, expected, found);
			return -EBADMSG;
		}
	}
	return 0;
}

/**
 * vivtheap_test_dev_pages() - access a mapped attachment as a device would
 * @dev: the device the attachment is mapped for
 * @sgt: the attachment's sg table
 * @size: the dma-buf's size
 * @op: whose @access is applied to each page
 * @seed: passed to @access
 * @res: passed to @access
 *
 * Through the DMA addresses, as a device sees the buffer: an importer must not
 * follow the sg table's page links (CONFIG_DMABUF_DEBUG scrambles them, and
 * newer kernels hand importers none). The module's devices have no IOMMU, so
 * a DMA address is a physical one. Pages are accessed in the order of their
 * DMA addresses, between dma_sync_sgtable_for_cpu() and _for_device() in
 * @op's direction, or with no sync at all if @op is @unsynced.
 *
 * Return: 0; -EINVAL if the sg table does not cover @size exactly, page by
 * page; -EINTR on a fatal signal; or the error of @op's access.
 */
static int vivtheap_test_dev_pages(struct device *dev, struct sg_table *sgt,
				   size_t size,
				   const struct vivtheap_test_op *op, u32 seed,
				   struct vivtheap_test_result *res)
{
	struct sg_dma_page_iter diter;
	size_t offset = 0;
	int ret = 0;

	if (!op->unsynced)
		dma_sync_sgtable_for_cpu(dev, sgt, op->dir);
	for_each_sgtable_dma_page(sgt, &diter, 0) {
		phys_addr_t phys = dma_to_phys(dev, sg_page_iter_dma_address(&diter));
		struct iosys_map map;
		size_t len;
		void *va;

		if (offset >= size || offset_in_page(phys) ||
		    !pfn_valid(PHYS_PFN(phys))) {
			ret = -EINVAL;
			break;
		}
		cond_resched();
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		len = min_t(size_t, PAGE_SIZE, size - offset);
		va = kmap_local_page(pfn_to_page(PHYS_PFN(phys)));
		iosys_map_set_vaddr(&map, va);
		ret = op->access(&map, phys, offset, len, seed, res);
		kunmap_local(va);
		if (ret)
			break;
		offset += len;
	}
	/*
	 * What the "device" wrote goes to memory, and the buffer back to the
	 * device, before it is unmapped: on every path.
	 */
	if (!op->unsynced)
		dma_sync_sgtable_for_device(dev, sgt, op->dir);
	if (!ret && offset != size)
		ret = -EINVAL;
	return ret;
}

/**
 * vivtheap_test_dev_run() - run an operation through a device's mapping
 * @dmabuf: the dma-buf, opened for writing
 * @op: the operation: its @access is applied page by page
 * @seed: passed to @op's access
 * @res: passed to @op's access
 *
 * Attaches @dmabuf to the module's platform device (the bouncing one if @op
 * says so), maps the attachment in @op's direction as a driver would, runs
 * vivtheap_test_dev_pages(), unmaps and detaches.
 *
 * Return: 0, the error of attaching or mapping, or that of
 * vivtheap_test_dev_pages().
 */
static int vivtheap_test_dev_run(struct dma_buf *dmabuf,
				 const struct vivtheap_test_op *op, u32 seed,
				 struct vivtheap_test_result *res)
{
	struct device *dev = op->bounce ? &vivtheap_test_bounce_pdev->dev :
		&vivtheap_test_pdev->dev;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	int ret;

	attach = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	sgt = dma_buf_map_attachment_unlocked(attach, op->dir);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto detach;
	}
	ret = vivtheap_test_dev_pages(dev, sgt, dmabuf->size, op, seed, res);
	if (ret == -EINVAL)
		dev_err(dev, "sg table of dma-buf %s does not cover its %zu bytes page by page\n",
			dmabuf->exp_name, dmabuf->size);
	dma_buf_unmap_attachment_unlocked(attach, sgt, op->dir);
detach:
	dma_buf_detach(dmabuf, attach);
	return ret;
}

/**
 * vivtheap_test_vmap_run() - run an operation through the kernel mapping
 * @dmabuf: the dma-buf, opened for writing
 * @op: the operation: its @access is applied page by page over the whole
 *	buffer, inside a CPU access in its @dir
 * @seed: passed to @op's access
 * @res: passed to @op's access
 *
 * Return: 0; the error of dma_buf_vmap(), dma_buf_begin_cpu_access() or
 * dma_buf_end_cpu_access(); -EINTR on a fatal signal; or the error of @op's
 * access. The CPU access is ended whenever it began.
 *
 * The mapping is made before the CPU access begins and dropped after it
 * ends, as a driver that keeps its vmap (vb2, a display) brackets each
 * access: the last store is then the closest it can be to the hand-over,
 * which is what the cache model's undrained check looks at (on VIVT,
 * vunmap() flushes the whole cache and drains the write buffer).
 */
static int vivtheap_test_vmap_run(struct dma_buf *dmabuf,
				  const struct vivtheap_test_op *op, u32 seed,
				  struct vivtheap_test_result *res)
{
	struct iosys_map map;
	size_t offset;
	int ret, end_ret;

	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	if (ret)
		return ret;
	ret = dma_buf_begin_cpu_access(dmabuf, op->dir);
	if (ret)
		goto vunmap;
	for (offset = 0; offset < dmabuf->size; offset += PAGE_SIZE) {
		struct iosys_map part = IOSYS_MAP_INIT_OFFSET(&map, offset);

		cond_resched();
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = op->access(&part, 0, offset,
				 min_t(size_t, PAGE_SIZE, dmabuf->size - offset),
				 seed, res);
		if (ret)
			break;
	}
	end_ret = dma_buf_end_cpu_access(dmabuf, op->dir);
	if (!ret)
		ret = end_ret;
vunmap:
	dma_buf_vunmap_unlocked(dmabuf, &map);
	return ret;
}

/**
 * vivtheap_test_result_clear() - empty a result
 * @res: the result, its lock held
 */
static void vivtheap_test_result_clear(struct vivtheap_test_result *res)
{
	res->len = 0;
	res->buf[0] = '\0';
	res->start = 0;
	res->end = 0;
}

/**
 * vivtheap_test_result_flush() - write out the range being gathered
 * @res: the result, its lock held
 *
 * Return: 0, or -E2BIG if the range does not fit @res's buffer.
 */
static int vivtheap_test_result_flush(struct vivtheap_test_result *res)
{
	size_t room = sizeof(res->buf) - res->len;
	int n;

	if (res->end == res->start)
		return 0;
	n = snprintf(res->buf + res->len, room, "%s%pa+0x%llx",
		     res->len ? " " : "", &res->start,
		     (unsigned long long)(res->end - res->start));
	if (n < 0 || (size_t)n >= room)
		return -E2BIG;
	res->len += n;
	return 0;
}

/**
 * vivtheap_test_result_add() - note a part of a buffer in a result
 * @res: the result, its lock held
 * @phys: the physical address of the part
 * @len: its length
 *
 * Appends the part to the ranges the op file reads back, merged with the
 * range before it when they touch.
 *
 * Return: 0, or -E2BIG if the ranges do not fit @res's buffer.
 */
static int vivtheap_test_result_add(struct vivtheap_test_result *res,
				    phys_addr_t phys, size_t len)
{
	int ret;

	if (phys == res->end) {
		res->end += len;
		return 0;
	}
	ret = vivtheap_test_result_flush(res);
	res->start = phys;
	res->end = phys + len;
	return ret;
}

/**
 * vivtheap_test_page_record() - the "pages" access: note a page's address
 * @map: unused
 * @phys: the physical address of the part
 * @offset: unused
 * @len: the part's length
 * @seed: unused
 * @res: the writer's result
 *
 * Return: 0, or -E2BIG if the ranges do not fit @res's buffer.
 */
static int vivtheap_test_page_record(const struct iosys_map *map,
				     phys_addr_t phys, size_t offset,
				     size_t len, u32 seed,
				     struct vivtheap_test_result *res)
{
	return vivtheap_test_result_add(res, phys, len);
}

/**
 * vivtheap_test_vma_check() - can "upages" follow a VMA's pages
 * @vma: the VMA at an address of the range, or NULL if there is none
 *
 * Only a mapping of a dma-buf (a file of the dma-buf pseudo filesystem,
 * which an exporter's mmap keeps as the VMA's file): never a hugetlb or THP
 * mapping, which the page table walk before 6.10 does not expect.
 *
 * Return: 0; -EINVAL if @vma is NULL or does not map a dma-buf; -EOPNOTSUPP
 * if it is neither VM_PFNMAP nor VM_IO on a kernel whose
 * follow_pfnmap_start() refuses such a VMA (6.10 and later).
 */
static int vivtheap_test_vma_check(const struct vm_area_struct *vma)
{
	if (!vma || !vma->vm_file ||
	    file_inode(vma->vm_file)->i_sb->s_magic != DMA_BUF_MAGIC)
		return -EINVAL;
	if (!VIVTHEAP_FOLLOW_PFNMAP_ANY_VMA &&
	    !(vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return -EOPNOTSUPP;
	return 0;
}

/**
 * vivtheap_test_upages_run() - the "upages" operation
 * @addr: ADDR: the start of the range in the writer's address space
 * @len: LEN: its length in bytes
 * @res: the writer's result: the range's pages are recorded there
 *
 * Under mmap_read_lock(), checks that mappings of dma-bufs it can follow
 * cover the whole range, then reads each page's PFN from the page table
 * with follow_pfnmap_start(): the pages are neither faulted in nor touched,
 * and no cache is maintained.
 *
 * Return: 0; -EINVAL if @addr or @len is not page aligned, @len is 0, the
 * range wraps or a page of it is not in a mapping of a dma-buf;
 * -EOPNOTSUPP (see vivtheap_test_vma_check()); -EFAULT if a page is not
 * present; -E2BIG if the ranges do not fit @res's buffer; -EINTR on a fatal
 * signal.
 */
static int vivtheap_test_upages_run(unsigned long addr, unsigned long len,
				    struct vivtheap_test_result *res)
{
	struct mm_struct *mm = current->mm;
	unsigned long end = addr + len, a;
	struct vm_area_struct *vma;
	int ret = 0;

	if (!len || !PAGE_ALIGNED(addr) || !PAGE_ALIGNED(len) || end < addr ||
	    !mm)
		return -EINVAL;
	if (mmap_read_lock_killable(mm))
		return -EINTR;
	/* The whole range first: its errno does not depend on what is present. */
	for (a = addr; a < end; a = vma->vm_end) {
		vma = vma_lookup(mm, a);
		ret = vivtheap_test_vma_check(vma);
		if (ret)
			goto unlock;
	}
	vma = vma_lookup(mm, addr);
	for (a = addr; a < end; a += PAGE_SIZE) {
		struct follow_pfnmap_args args = {};
		unsigned long pfn;

		cond_resched();
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (a >= vma->vm_end)
			vma = vma_lookup(mm, a);
		args.vma = vma;
		args.address = a;
		/* A VMA it accepts, in range, mmap_lock held: fails if absent. */
		if (follow_pfnmap_start(&args)) {
			bool unlocked = false;

			/*
			 * Not faulted in yet (the kernel's CMA heap maps on
			 * fault): the VMA's fault handler maps it, the CPU
			 * touches no data. The lock may have been dropped:
			 * look the VMA up again.
			 */
			if (fixup_user_fault(mm, a, 0, &unlocked)) {
				ret = -EFAULT;
				break;
			}
			vma = vma_lookup(mm, a);
			ret = vivtheap_test_vma_check(vma);
			if (ret)
				break;
			args.vma = vma;
			if (follow_pfnmap_start(&args)) {
				ret = -EFAULT;
				break;
			}
		}
		pfn = args.pfn;
		follow_pfnmap_end(&args);
		ret = vivtheap_test_result_add(res, PFN_PHYS(pfn), PAGE_SIZE);
		if (ret)
			break;
	}
unlock:
	mmap_read_unlock(mm);
	return ret;
}

static const struct vivtheap_test_op vivtheap_test_import_op = {
	.name = "import",
	.run = vivtheap_test_dev_run,
	.access = vivtheap_test_page_stamp,
	.dir = DMA_BIDIRECTIONAL,
};

static const struct vivtheap_test_op vivtheap_test_ops[] = {
	{
		.name = "dev-write",
		.run = vivtheap_test_dev_run,
		.access = vivtheap_test_words_write,
		.dir = DMA_BIDIRECTIONAL,
		.words = true,
	},
	{
		.name = "dev-read",
		.run = vivtheap_test_dev_run,
		.access = vivtheap_test_words_check,
		.dir = DMA_BIDIRECTIONAL,
		.words = true,
	},
	{
		.name = "vmap-write",
		.run = vivtheap_test_vmap_run,
		.access = vivtheap_test_words_write,
		.dir = DMA_TO_DEVICE,
		.words = true,
	},
	{
		.name = "pages",
		.run = vivtheap_test_dev_run,
		.access = vivtheap_test_page_record,
		.dir = DMA_BIDIRECTIONAL,
		.records = true,
	},
	{
		.name = "vmap-read",
		.run = vivtheap_test_vmap_run,
		.access = vivtheap_test_words_check,
		.dir = DMA_FROM_DEVICE,
		.words = true,
	},
	{
		.name = "upages",
		.run_user = vivtheap_test_upages_run,
		.records = true,
	},
	{
		.name = "dev-fill",
		.run = vivtheap_test_dev_run,
		.access = vivtheap_test_words_write,
		.dir = DMA_FROM_DEVICE,
		.words = true,
		.unsynced = true,
	},
	{
		.name = "bounce-fill",
		.run = vivtheap_test_dev_run,
		.access = vivtheap_test_words_write,
		.dir = DMA_FROM_DEVICE,
		.words = true,
		.bounce = true,
		.unsynced = true,
	},
};

/**
 * vivtheap_test_fd_run() - run an operation on a dma-buf fd of the writer
 * @fd: a dma-buf fd of the calling process
 * @op: the operation
 * @seed: passed to @op
 * @res: passed to @op: the writer's result, or NULL for "import"
 *
 * Return: 0; -EBADF if @fd is not open or not open for writing; -EINVAL if it
 * is not a dma-buf, or if @op accesses words and its size is not a multiple
 * of 4; or @op's error.
 */
static int vivtheap_test_fd_run(int fd, const struct vivtheap_test_op *op,
				u32 seed, struct vivtheap_test_result *res)
{
	struct dma_buf *dmabuf;
	int ret;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	/*
	 * Only a dma-buf opened for writing (one file, every fd): the importer
	 * writes, and one rule serves every operation.
	 */
	if (!(dmabuf->file->f_mode & FMODE_WRITE))
		ret = -EBADF;
	else if (op->words && !IS_ALIGNED(dmabuf->size, sizeof(u32)))
		ret = -EINVAL;
	else
		ret = op->run(dmabuf, op, seed, res);
	dma_buf_put(dmabuf);
	return ret;
}

static ssize_t vivtheap_test_import_write(struct file *file,
					  const char __user *ubuf,
					  size_t count, loff_t *ppos)
{
	char buf[48];
	int fd, ret;
	u32 seed;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (sscanf(buf, "%d %u", &fd, &seed) != 2)
		return -EINVAL;
	ret = vivtheap_test_fd_run(fd, &vivtheap_test_import_op, seed, NULL);
	return ret ? ret : count;
}

/**
 * struct vivtheap_test_req - one op file line, parsed
 * @op: the operation OP names
 * @fd: FD, for an operation on a dma-buf
 * @seed: SEED, for an operation on a dma-buf
 * @addr: ADDR, for "upages"
 * @len: LEN, for "upages"
 */
struct vivtheap_test_req {
	const struct vivtheap_test_op *op;
	int fd;
	u32 seed;
	unsigned long addr, len;
};

/**
 * vivtheap_test_base() - the base of a number word of the op file
 * @word: the word
 *
 * Return: 16 after "0x" (or "0X"), else 10.
 */
static unsigned int vivtheap_test_base(const char *word)
{
	return word[0] == '0' && tolower(word[1]) == 'x' ? 16 : 10;
}

/**
 * vivtheap_test_op_parse() - parse an op file line
 * @line: the line, NUL-terminated: "OP FD SEED", or "upages ADDR LEN"
 * @req: set to what it asks for: FD a decimal int; SEED a u32, ADDR and LEN
 *	unsigned longs, each in decimal or, after "0x", in hex
 *
 * Return: 0; -EINVAL for an unknown OP or a malformed line; -ENOMEM.
 */
static int vivtheap_test_op_parse(const char *line,
				  struct vivtheap_test_req *req)
{
	char **argv;
	int argc, ret = -EINVAL;
	size_t i;

	argv = argv_split(GFP_KERNEL, line, &argc);
	if (!argv)
		return -ENOMEM;
	if (argc != 3)
		goto free_argv;
	req->op = NULL;
	for (i = 0; i < ARRAY_SIZE(vivtheap_test_ops); i++) {
		if (!strcmp(argv[0], vivtheap_test_ops[i].name)) {
			req->op = &vivtheap_test_ops[i];
			break;
		}
	}
	if (!req->op)
		goto free_argv;
	if (req->op->run_user) {
		if (kstrtoul(argv[1], vivtheap_test_base(argv[1]), &req->addr) ||
		    kstrtoul(argv[2], vivtheap_test_base(argv[2]), &req->len))
			goto free_argv;
	} else {
		if (kstrtoint(argv[1], 10, &req->fd) ||
		    kstrtou32(argv[2], vivtheap_test_base(argv[2]), &req->seed))
			goto free_argv;
	}
	ret = 0;
free_argv:
	argv_free(argv);
	return ret;
}

/**
 * vivtheap_test_op_write() - the op file's write: one line, one operation
 * @file: the op file, open
 * @ubuf: the line
 * @count: its length
 * @ppos: set to 0, so that a read of the result starts at its beginning
 *
 * Every write clears the open file's result first: only a successful
 * "pages" or "upages" leaves one.
 *
 * Return: @count, or the error of reading or parsing the line or of running
 * the operation; -EINTR on a fatal signal.
 */
static ssize_t vivtheap_test_op_write(struct file *file,
				      const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	struct vivtheap_test_result *res = file->private_data;
	struct vivtheap_test_req req;
	char buf[64];
	int ret;

	ret = mutex_lock_killable(&res->lock);
	if (ret)
		return ret;
	vivtheap_test_result_clear(res);
	*ppos = 0;
	if (count >= sizeof(buf)) {
		ret = -EINVAL;
		goto unlock;
	}
	if (copy_from_user(buf, ubuf, count)) {
		ret = -EFAULT;
		goto unlock;
	}
	buf[count] = '\0';
	ret = vivtheap_test_op_parse(buf, &req);
	if (ret)
		goto unlock;
	if (req.op->run_user)
		ret = req.op->run_user(req.addr, req.len, res);
	else
		ret = vivtheap_test_fd_run(req.fd, req.op, req.seed, res);
	if (!ret && req.op->records)
		ret = vivtheap_test_result_flush(res);
	if (ret)
		vivtheap_test_result_clear(res);
unlock:
	mutex_unlock(&res->lock);
	return ret ? ret : count;
}

/**
 * vivtheap_test_op_read() - the op file's read: its last "pages" result
 * @file: the op file, open
 * @ubuf: where to copy the result
 * @count: room there
 * @ppos: the position in the result
 *
 * Return: the bytes copied (0 at the end, or when the open file's last write
 * was not a successful "pages" or "upages"), -EFAULT, or -EINTR on a fatal
 * signal.
 */
static ssize_t vivtheap_test_op_read(struct file *file, char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	struct vivtheap_test_result *res = file->private_data;
	ssize_t ret;

	ret = mutex_lock_killable(&res->lock);
	if (ret)
		return ret;
	ret = simple_read_from_buffer(ubuf, count, ppos, res->buf, res->len);
	mutex_unlock(&res->lock);
	return ret;
}

/**
 * vivtheap_test_op_open() - give an open op file its own, empty result
 * @inode: the op file's inode
 * @file: the op file, being opened
 *
 * Return: 0, or -ENOMEM.
 */
static int vivtheap_test_op_open(struct inode *inode, struct file *file)
{
	struct vivtheap_test_result *res;

	res = kzalloc_obj(*res, GFP_KERNEL);
	if (!res)
		return -ENOMEM;
	mutex_init(&res->lock);
	file->private_data = res;
	return 0;
}

/**
 * vivtheap_test_op_release() - free an op file's result
 * @inode: the op file's inode
 * @file: the op file, last closed
 *
 * Return: 0.
 */
static int vivtheap_test_op_release(struct inode *inode, struct file *file)
{
	struct vivtheap_test_result *res = file->private_data;

	mutex_destroy(&res->lock);
	kfree(res);
	return 0;
}

static ssize_t vivtheap_test_warn_write(struct file *file,
					const char __user *ubuf,
					size_t count, loff_t *ppos)
{
	WARN(1, "vivtheap_test: a warning, as asked\n");
	return count;
}

static ssize_t vivtheap_test_cma_write(struct file *file,
				       const char __user *ubuf, size_t count,
				       loff_t *ppos)
{
	struct device *dev = &vivtheap_test_pdev->dev;
	const unsigned long attrs = DMA_ATTR_NO_KERNEL_MAPPING;
	unsigned long size;
	dma_addr_t dma;
	void *cookie;
	int ret;

	ret = kstrtoul_from_user(ubuf, count, 0, &size);
	if (ret)
		return ret;
	if (!size)
		return -EINVAL;
	/* Over MAX_ORDER only CMA can give it: no fallback to the buddy allocator. */
	cookie = dma_alloc_attrs(dev, size, &dma, GFP_KERNEL | __GFP_NOWARN,
				 attrs);
	if (!cookie)
		return -ENOMEM;
	dma_free_attrs(dev, size, cookie, dma, attrs);
	return count;
}

static const struct file_operations vivtheap_test_cma_fops = {
	.owner = THIS_MODULE,
	.write = vivtheap_test_cma_write,
};

static const struct file_operations vivtheap_test_warn_fops = {
	.owner = THIS_MODULE,
	.write = vivtheap_test_warn_write,
};

static const struct file_operations vivtheap_test_import_fops = {
	.owner = THIS_MODULE,
	.write = vivtheap_test_import_write,
};

static const struct file_operations vivtheap_test_op_fops = {
	.owner = THIS_MODULE,
	.open = vivtheap_test_op_open,
	.release = vivtheap_test_op_release,
	.write = vivtheap_test_op_write,
	.read = vivtheap_test_op_read,
};

/* The bouncing device: its own dma_map_ops, segments of at most a page. */
static int vivtheap_test_bounce_register(void)
{
	struct platform_device_info info = {
		.name = "vivtheap_test_bounce",
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(32),
	};
	struct device *dev;
	int ret;

	vivtheap_test_bounce_pdev = platform_device_register_full(&info);
	if (IS_ERR(vivtheap_test_bounce_pdev))
		return PTR_ERR(vivtheap_test_bounce_pdev);
	dev = &vivtheap_test_bounce_pdev->dev;
	/* Before the mask: 7.2 decides then whether the device needs syncs. */
	set_dma_ops(dev, &vivtheap_test_bounce_ops);
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (ret) {
		platform_device_unregister(vivtheap_test_bounce_pdev);
		return ret;
	}
	dma_set_max_seg_size(dev, PAGE_SIZE);
	return 0;
}

static int __init vivtheap_test_init(void)
{
	struct platform_device_info info = {
		.name = "vivtheap_test",
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(32),
	};
	int ret;

	vivtheap_test_pdev = platform_device_register_full(&info);
	if (IS_ERR(vivtheap_test_pdev))
		return PTR_ERR(vivtheap_test_pdev);
	ret = dma_set_mask_and_coherent(&vivtheap_test_pdev->dev, DMA_BIT_MASK(32));
	if (ret)
		goto unregister;
	ret = vivtheap_test_bounce_register();
	if (ret)
		goto unregister;
	vivtheap_test_dir = debugfs_create_dir("vivtheap_test", NULL);
	debugfs_create_file("import", 0200, vivtheap_test_dir, NULL,
			    &vivtheap_test_import_fops);
	debugfs_create_file("op", 0600, vivtheap_test_dir, NULL,
			    &vivtheap_test_op_fops);
	debugfs_create_file("warn", 0200, vivtheap_test_dir, NULL,
			    &vivtheap_test_warn_fops);
	debugfs_create_file("cma", 0200, vivtheap_test_dir, NULL,
			    &vivtheap_test_cma_fops);
	return 0;

unregister:
	platform_device_unregister(vivtheap_test_pdev);
	return ret;
}

static void __exit vivtheap_test_exit(void)
{
	debugfs_remove_recursive(vivtheap_test_dir);
	platform_device_unregister(vivtheap_test_bounce_pdev);
	platform_device_unregister(vivtheap_test_pdev);
}

module_init(vivtheap_test_init);
module_exit(vivtheap_test_exit);
MODULE_DESCRIPTION("vivtheap test importer (guest tests only)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
