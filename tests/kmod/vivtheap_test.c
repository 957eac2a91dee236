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
 * dma-buf, and its pattern value is SEED + i (mod 2^32).
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
 *               physical address of each page (SEED unused). Reading the op
 *               file afterwards gives them as "PA+LEN ..." ranges (hex,
 *               contiguous pages merged); after any other op, or a failed
 *               one, it reads empty. E2BIG if they do not fit 1 KiB.
 *
 * A read that finds a word other than its pattern value logs the first one
 * (byte offset, expected and found value, at KERN_INFO) and fails the write
 * with EBADMSG. The write fails with EINVAL for an unknown OP or a malformed
 * line, an fd that is not a dma-buf, or (dev-*) an sg table that does not
 * cover the dma-buf exactly; EBADF for an fd that is not open or not open for
 * writing (reads too: one rule for every op); with the error of
 * dma_buf_map_attachment(), dma_buf_begin_cpu_access(), dma_buf_vmap() or
 * dma_buf_end_cpu_access() if one fails; EINTR if a fatal signal arrives
 * midway. Every path detaches, ends the CPU access it began and puts the
 * dma-buf; a successful write returns its count.
 *
 * Writing anything to /sys/kernel/debug/vivtheap_test/warn logs a kernel
 * warning: the mutants use it to prove that the guest runner fails a test
 * that leaves one behind, whatever the test's exit status.
 *
 * Not part of vivtheap: built only for the tests (tests/kmod/).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "../../driver/compat.h"

static struct platform_device *vivtheap_test_pdev;
static struct dentry *vivtheap_test_dir;

/**
 * struct vivtheap_test_op - one operation on a dma-buf
 * @name: its OP word in the op file
 * @run: runs it on a dma-buf opened for writing
 * @access: what @run does to each part of the buffer it reaches: @map points
 *	at byte @offset of the dma-buf, @len bytes (a multiple of 4, at most a
 *	page) are to be accessed, @phys is their physical address (0 through a
 *	vmap); returns 0 or a negative errno
 * @dir: the direction of the CPU access, for the vmap operations
 */
struct vivtheap_test_op {
	const char *name;
	int (*run)(struct dma_buf *dmabuf, const struct vivtheap_test_op *op,
		   u32 seed);
	int (*access)(const struct iosys_map *map, phys_addr_t phys,
		      size_t offset, size_t len, u32 seed);
	enum dma_data_direction dir;
};

/**
 * vivtheap_test_page_stamp() - the "import" access: one word per page
 * @map: the start of a page of the dma-buf
 * @phys: unused
 * @offset: its byte offset in the dma-buf, a multiple of PAGE_SIZE
 * @len: unused: only the page's first word is written
 * @seed: the value for the first page
 *
 * Return: 0.
 */
static int vivtheap_test_page_stamp(const struct iosys_map *map,
				    phys_addr_t phys, size_t offset,
				    size_t len, u32 seed)
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
 *
 * Return: 0.
 */
static int vivtheap_test_words_write(const struct iosys_map *map,
				     phys_addr_t phys,
				     size_t offset, size_t len, u32 seed)
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
 *
 * Logs the first word that differs: its byte offset in the dma-buf, the
 * expected and the found value.
 *
 * Return: 0, or -EBADMSG if a word differs.
 */
static int vivtheap_test_words_check(const struct iosys_map *map,
				     phys_addr_t phys,
				     size_t offset, size_t len, u32 seed)
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
 *
 * Through the DMA addresses, as a device sees the buffer: an importer must not
 * follow the sg table's page links (CONFIG_DMABUF_DEBUG scrambles them, and
 * newer kernels hand importers none). The module's device has no IOMMU, so a
 * DMA address is a physical one. Pages are accessed in the order of their DMA
 * addresses, between dma_sync_sgtable_for_cpu() and _for_device().
 *
 * Return: 0; -EINVAL if the sg table does not cover @size exactly, page by
 * page; -EINTR on a fatal signal; or the error of @op's access.
 */
static int vivtheap_test_dev_pages(struct device *dev, struct sg_table *sgt,
				   size_t size,
				   const struct vivtheap_test_op *op, u32 seed)
{
	struct sg_dma_page_iter diter;
	size_t offset = 0;
	int ret = 0;

	dma_sync_sgtable_for_cpu(dev, sgt, DMA_BIDIRECTIONAL);
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
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		len = min_t(size_t, PAGE_SIZE, size - offset);
		va = kmap_local_page(pfn_to_page(PHYS_PFN(phys)));
		iosys_map_set_vaddr(&map, va);
		ret = op->access(&map, phys, offset, len, seed);
		kunmap_local(va);
		if (ret)
			break;
		offset += len;
	}
	/*
	 * What the "device" wrote goes to memory, and the buffer back to the
	 * device, before it is unmapped: on every path.
	 */
	dma_sync_sgtable_for_device(dev, sgt, DMA_BIDIRECTIONAL);
	if (!ret && offset != size)
		ret = -EINVAL;
	return ret;
}

/**
 * vivtheap_test_dev_run() - run an operation through a device's mapping
 * @dmabuf: the dma-buf, opened for writing
 * @op: the operation: its @access is applied page by page
 * @seed: passed to @op's access
 *
 * Attaches @dmabuf to the module's platform device, maps the attachment
 * DMA_BIDIRECTIONAL as a driver would, runs vivtheap_test_dev_pages(),
 * unmaps and detaches.
 *
 * Return: 0, the error of attaching or mapping, or that of
 * vivtheap_test_dev_pages().
 */
static int vivtheap_test_dev_run(struct dma_buf *dmabuf,
				 const struct vivtheap_test_op *op, u32 seed)
{
	struct device *dev = &vivtheap_test_pdev->dev;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	int ret;

	attach = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(attach))
		return PTR_ERR(attach);
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto detach;
	}
	ret = vivtheap_test_dev_pages(dev, sgt, dmabuf->size, op, seed);
	if (ret == -EINVAL)
		dev_err(dev, "sg table of dma-buf %s does not cover its %zu bytes page by page\n",
			dmabuf->exp_name, dmabuf->size);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
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
				  const struct vivtheap_test_op *op, u32 seed)
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

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = op->access(&part, 0, offset,
				 min_t(size_t, PAGE_SIZE, dmabuf->size - offset),
				 seed);
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

/*
 * The "pages" op's result, read back from the op file: the buffer's physical
 * ranges. vivtheap_test_lock serializes the op file's writers and readers.
 */
static DEFINE_MUTEX(vivtheap_test_lock);
static char vivtheap_test_pages_buf[1024];
static size_t vivtheap_test_pages_len;
static phys_addr_t vivtheap_test_pages_start, vivtheap_test_pages_end;

static int vivtheap_test_pages_flush(void)
{
	size_t room = sizeof(vivtheap_test_pages_buf) - vivtheap_test_pages_len;
	int n;

	if (vivtheap_test_pages_end == vivtheap_test_pages_start)
		return 0;
	n = snprintf(vivtheap_test_pages_buf + vivtheap_test_pages_len, room,
		     "%s%pa+0x%llx", vivtheap_test_pages_len ? " " : "",
		     &vivtheap_test_pages_start,
		     (unsigned long long)(vivtheap_test_pages_end -
					  vivtheap_test_pages_start));
	if (n < 0 || (size_t)n >= room)
		return -E2BIG;
	vivtheap_test_pages_len += n;
	return 0;
}

/**
 * vivtheap_test_page_record() - the "pages" access: note a page's address
 * @map: unused
 * @phys: the physical address of the part
 * @offset: unused
 * @len: the part's length
 * @seed: unused
 *
 * Appends @phys to the ranges the op file reads back, merged with the range
 * before it when they touch.
 *
 * Return: 0, or -E2BIG if the ranges do not fit the result buffer.
 */
static int vivtheap_test_page_record(const struct iosys_map *map,
				     phys_addr_t phys, size_t offset,
				     size_t len, u32 seed)
{
	int ret;

	if (phys == vivtheap_test_pages_end) {
		vivtheap_test_pages_end += len;
		return 0;
	}
	ret = vivtheap_test_pages_flush();
	vivtheap_test_pages_start = phys;
	vivtheap_test_pages_end = phys + len;
	return ret;
}

static const struct vivtheap_test_op vivtheap_test_import_op = {
	.name = "import",
	.run = vivtheap_test_dev_run,
	.access = vivtheap_test_page_stamp,
};

static const struct vivtheap_test_op vivtheap_test_ops[] = {
	{
		.name = "dev-write",
		.run = vivtheap_test_dev_run,
		.access = vivtheap_test_words_write,
	},
	{
		.name = "dev-read",
		.run = vivtheap_test_dev_run,
		.access = vivtheap_test_words_check,
	},
	{
		.name = "vmap-write",
		.run = vivtheap_test_vmap_run,
		.access = vivtheap_test_words_write,
		.dir = DMA_TO_DEVICE,
	},
	{
		.name = "pages",
		.run = vivtheap_test_dev_run,
		.access = vivtheap_test_page_record,
	},
	{
		.name = "vmap-read",
		.run = vivtheap_test_vmap_run,
		.access = vivtheap_test_words_check,
		.dir = DMA_FROM_DEVICE,
	},
};

/**
 * vivtheap_test_fd_run() - run an operation on a dma-buf fd of the writer
 * @fd: a dma-buf fd of the calling process
 * @op: the operation
 * @seed: passed to @op
 *
 * Return: 0; -EBADF if @fd is not open or not open for writing; -EINVAL if it
 * is not a dma-buf; or @op's error.
 */
static int vivtheap_test_fd_run(int fd, const struct vivtheap_test_op *op,
				u32 seed)
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
	if (dmabuf->file->f_mode & FMODE_WRITE)
		ret = op->run(dmabuf, op, seed);
	else
		ret = -EBADF;
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
	ret = vivtheap_test_fd_run(fd, &vivtheap_test_import_op, seed);
	return ret ? ret : count;
}

/**
 * vivtheap_test_op_parse() - parse an op file line, "OP FD SEED"
 * @line: the line, NUL-terminated
 * @op: set to the operation OP names
 * @fd: set to FD, a decimal int
 * @seed: set to SEED, a u32 in decimal or, after "0x", in hex
 *
 * Return: 0; -EINVAL for an unknown OP or a malformed line; -ENOMEM.
 */
static int vivtheap_test_op_parse(const char *line,
				  const struct vivtheap_test_op **op,
				  int *fd, u32 *seed)
{
	const char *seed_str;
	unsigned int base;
	char **argv;
	int argc, ret = -EINVAL;
	size_t i;

	argv = argv_split(GFP_KERNEL, line, &argc);
	if (!argv)
		return -ENOMEM;
	if (argc != 3)
		goto free_argv;
	*op = NULL;
	for (i = 0; i < ARRAY_SIZE(vivtheap_test_ops); i++) {
		if (!strcmp(argv[0], vivtheap_test_ops[i].name)) {
			*op = &vivtheap_test_ops[i];
			break;
		}
	}
	if (!*op || kstrtoint(argv[1], 10, fd))
		goto free_argv;
	seed_str = argv[2];
	base = seed_str[0] == '0' && tolower(seed_str[1]) == 'x' ? 16 : 10;
	if (kstrtou32(seed_str, base, seed))
		goto free_argv;
	ret = 0;
free_argv:
	argv_free(argv);
	return ret;
}

/**
 * vivtheap_test_op_write() - the op file's write: one "OP FD SEED" line
 * @file: the op file
 * @ubuf: the line
 * @count: its length
 * @ppos: unused: every write is one whole line
 *
 * Return: @count, or the error of parsing the line or running the operation.
 */
static ssize_t vivtheap_test_op_write(struct file *file,
				      const char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	const struct vivtheap_test_op *op;
	char buf[64];
	int fd, ret;
	u32 seed;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = vivtheap_test_op_parse(buf, &op, &fd, &seed);
	if (ret)
		return ret;
	mutex_lock(&vivtheap_test_lock);
	vivtheap_test_pages_len = 0;
	vivtheap_test_pages_buf[0] = '\0';
	vivtheap_test_pages_start = 0;
	vivtheap_test_pages_end = 0;
	ret = vivtheap_test_fd_run(fd, op, seed);
	if (!ret && op->access == vivtheap_test_page_record)
		ret = vivtheap_test_pages_flush();
	if (ret)
		vivtheap_test_pages_len = 0;
	mutex_unlock(&vivtheap_test_lock);
	return ret ? ret : count;
}

/**
 * vivtheap_test_op_read() - the op file's read: the last "pages" result
 * @file: the op file
 * @ubuf: where to copy it
 * @count: room there
 * @ppos: the position in the result
 *
 * Return: the bytes copied (0 at the end, or when the last op was not
 * "pages" or failed), or -EFAULT.
 */
static ssize_t vivtheap_test_op_read(struct file *file, char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&vivtheap_test_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos,
				      vivtheap_test_pages_buf,
				      vivtheap_test_pages_len);
	mutex_unlock(&vivtheap_test_lock);
	return ret;
}

static ssize_t vivtheap_test_warn_write(struct file *file,
					const char __user *ubuf,
					size_t count, loff_t *ppos)
{
	WARN(1, "vivtheap_test: a warning, as asked\n");
	return count;
}

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
	.write = vivtheap_test_op_write,
	.read = vivtheap_test_op_read,
};

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
	vivtheap_test_dir = debugfs_create_dir("vivtheap_test", NULL);
	debugfs_create_file("import", 0200, vivtheap_test_dir, NULL,
			    &vivtheap_test_import_fops);
	debugfs_create_file("op", 0600, vivtheap_test_dir, NULL,
			    &vivtheap_test_op_fops);
	debugfs_create_file("warn", 0200, vivtheap_test_dir, NULL,
			    &vivtheap_test_warn_fops);
	return 0;

unregister:
	platform_device_unregister(vivtheap_test_pdev);
	return ret;
}

static void __exit vivtheap_test_exit(void)
{
	debugfs_remove_recursive(vivtheap_test_dir);
	platform_device_unregister(vivtheap_test_pdev);
}

module_init(vivtheap_test_init);
module_exit(vivtheap_test_exit);
MODULE_DESCRIPTION("vivtheap test importer (guest tests only)");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("DMA_BUF");
