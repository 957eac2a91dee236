// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: the chardev registration backend.
 *
 * For kernels whose dma-heap core does not export dma_heap_add() (6.1,
 * 6.12) or is not built at all (Debian 12's armmp), each heap gets its own
 * misc device whose node is /dev/dma_heap/<name>, speaking the core's
 * DMA_HEAP_IOCTL_ALLOC ABI with the core's validation, and three fixes: a
 * 64-bit len is checked before it is narrowed to size_t, a command that
 * cannot return the fd is refused, and the fd is installed only after the
 * result reached userspace.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>
#include <uapi/linux/dma-heap.h>

#include "vivtheap_priv.h"

static const unsigned int vivtheap_chardev_cmds[] = {
	DMA_HEAP_IOCTL_ALLOC,
};

static struct vivtheap_heap *vivtheap_chardev_heap(struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return container_of(misc, struct vivtheap_heap, misc);
}

static long vivtheap_chardev_alloc(struct vivtheap_heap *heap, void *kdata,
				   void __user *uarg, unsigned int out_size)
{
	struct dma_heap_allocation_data *data = kdata;
	struct dma_buf *dmabuf;
	int fd, ret;

	if (data->fd)
		return -EINVAL;
	if (data->fd_flags & ~DMA_HEAP_VALID_FD_FLAGS)
		return -EINVAL;
	if (data->heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return -EINVAL;

	dmabuf = vivtheap_buffer_alloc(heap, data->len, data->fd_flags);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	fd = get_unused_fd_flags(data->fd_flags);
	if (fd < 0) {
		ret = fd;
		goto put_dmabuf;
	}
	data->fd = fd;
	if (copy_to_user(uarg, kdata, out_size)) {
		ret = -EFAULT;
		goto put_fd;
	}
	/* The fd now owns our dma-buf reference. */
	fd_install(fd, dmabuf->file);
	return 0;

put_fd:
	put_unused_fd(fd);
put_dmabuf:
	dma_buf_put(dmabuf);
	return ret;
}

/*
 * The core's argument rule (ioctl.c), so that old and new userspace see the
 * same thing on both backends.
 */
static long vivtheap_chardev_ioctl(struct file *file, unsigned int ucmd,
				   unsigned long arg)
{
	struct vivtheap_heap *heap = vivtheap_chardev_heap(file);
	void __user *uarg = (void __user *)arg;
	struct vivtheap_ioctl_arg io;
	char stack_kdata[128];
	char *kdata = stack_kdata;
	long ret;

	ret = vivtheap_ioctl_dma_heap_arg(ucmd, vivtheap_chardev_cmds,
					  ARRAY_SIZE(vivtheap_chardev_cmds),
					  &io);
	if (ret)
		return ret;

	if (io.ksize > sizeof(stack_kdata)) {
		kdata = kmalloc(io.ksize, GFP_KERNEL);
		if (!kdata)
			return -ENOMEM;
	}
	ret = vivtheap_ioctl_copy_in(kdata, &io, uarg);
	if (ret)
		goto free_kdata;

	switch (io.kcmd) {
	case DMA_HEAP_IOCTL_ALLOC:
		/*
		 * Unlike the core, refuse a command that cannot return the
		 * fd (no _IOC_READ, or too short): the fd would be leaked.
		 */
		if (io.out_size <
		    offsetofend(struct dma_heap_allocation_data, fd)) {
			ret = -EINVAL;
			break;
		}
		ret = vivtheap_chardev_alloc(heap, kdata, uarg, io.out_size);
		break;
	default:
		ret = -ENOTTY;
		break;
	}

free_kdata:
	if (kdata != stack_kdata)
		kfree(kdata);
	return ret;
}

static const struct file_operations vivtheap_chardev_fops = {
	.owner = THIS_MODULE,
	.open = vivtheap_node_open,
	.unlocked_ioctl = vivtheap_chardev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * A heap's misc device is named after the heap: another misc device of
 * that name would make misc_register() fail only once our other nodes
 * exist, with a sysfs warning.
 */
static const char *vivtheap_chardev_name_taken(const char *name)
{
	return vivtheap_virtual_device_exists("misc", name) ? "a misc device" :
		NULL;
}

/* Make /dev/dma_heap/<name> for a heap, set up. */
static int vivtheap_chardev_register(struct vivtheap_heap *heap)
{
	snprintf(heap->misc_name, sizeof(heap->misc_name), "dma_heap/%s",
		 heap->name);
	heap->misc.minor = MISC_DYNAMIC_MINOR;
	heap->misc.name = heap->name;
	heap->misc.nodename = heap->misc_name;
	heap->misc.fops = &vivtheap_chardev_fops;
	heap->misc.mode = 0600;
	return misc_register(&heap->misc);
}

/* Remove a heap's node. Buffers handed out live on: each pins the module. */
static void vivtheap_chardev_unregister(struct vivtheap_heap *heap)
{
	misc_deregister(&heap->misc);
}

/* Any kernel with dma-buf can have the module's own nodes. */
static bool vivtheap_chardev_available(void)
{
	return true;
}

const struct vivtheap_backend_ops vivtheap_backend_chardev_ops = {
	.name = "chardev",
	.available = vivtheap_chardev_available,
	.auto_ok = true,
	.name_taken = vivtheap_chardev_name_taken,
	.register_heap = vivtheap_chardev_register,
	.unregister_heap = vivtheap_chardev_unregister,
};
