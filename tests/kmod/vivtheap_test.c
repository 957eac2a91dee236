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
 * Writing anything to /sys/kernel/debug/vivtheap_test/warn logs a kernel
 * warning: the mutants use it to prove that the guest runner fails a test
 * that leaves one behind, whatever the test's exit status.
 *
 * Not part of vivtheap: built only for the tests (tests/kmod/).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/uaccess.h>

#include "../../driver/compat.h"

static struct platform_device *vivtheap_test_pdev;
static struct dentry *vivtheap_test_dir;

/*
 * Through the DMA addresses, as a device sees the buffer: an importer must not
 * follow the sg table's page links (CONFIG_DMABUF_DEBUG scrambles them, and
 * newer kernels hand importers none). The module's device has no IOMMU, so a
 * DMA address is a physical one.
 */
static int vivtheap_test_write_pages(struct device *dev, struct sg_table *sgt,
				     size_t size, u32 seed)
{
	struct sg_dma_page_iter diter;
	size_t n = 0;
	int ret = 0;

	dma_sync_sgtable_for_cpu(dev, sgt, DMA_BIDIRECTIONAL);
	for_each_sgtable_dma_page(sgt, &diter, 0) {
		phys_addr_t phys = dma_to_phys(dev, sg_page_iter_dma_address(&diter));
		struct page *page;
		u32 *va;

		if (n >= size >> PAGE_SHIFT || !pfn_valid(PHYS_PFN(phys))) {
			ret = -EINVAL;
			break;
		}
		page = pfn_to_page(PHYS_PFN(phys));
		va = kmap_local_page(page);
		*va = seed + n;
		kunmap_local(va);
		n++;
	}
	/*
	 * What the "device" wrote goes to memory, and the buffer back to the
	 * device, before it is unmapped: on every path.
	 */
	dma_sync_sgtable_for_device(dev, sgt, DMA_BIDIRECTIONAL);
	if (!ret && n != size >> PAGE_SHIFT)
		ret = -EINVAL;
	return ret;
}

static int vivtheap_test_import(int fd, u32 seed)
{
	struct device *dev = &vivtheap_test_pdev->dev;
	struct dma_buf_attachment *attach;
	struct sg_table *sgt;
	struct dma_buf *dmabuf;
	int ret;

	dmabuf = dma_buf_get(fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	/* Only a dma-buf opened for writing (one file, every fd): the importer writes. */
	if (!(dmabuf->file->f_mode & FMODE_WRITE)) {
		ret = -EBADF;
		goto put_dmabuf;
	}
	attach = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto put_dmabuf;
	}
	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto detach;
	}
	ret = vivtheap_test_write_pages(dev, sgt, dmabuf->size, seed);
	if (ret)
		dev_err(dev, "sg table of dma-buf %s does not cover its %zu bytes page by page\n",
			dmabuf->exp_name, dmabuf->size);
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
detach:
	dma_buf_detach(dmabuf, attach);
put_dmabuf:
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
	ret = vivtheap_test_import(fd, seed);
	return ret ? ret : count;
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
