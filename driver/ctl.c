// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: the control node /dev/vivtheap (uapi/linux/vivtheap.h).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "vivtheap_priv.h"

static const unsigned int vivtheap_ctl_cmds[] = {
	VIVTHEAP_IOC_BUFFER_INFO,
	VIVTHEAP_IOC_HEAP_INFO,
	VIVTHEAP_IOC_SYNC_RANGE,
};

static int vivtheap_ctl_buffer_info(struct vivtheap_ioc_buffer_info *info)
{
	struct vivtheap_buffer *buffer;
	struct dma_buf *dmabuf;
	int ret = 0;

	if (info->flags || info->reserved[0] || info->reserved[1])
		return -EINVAL;

	/*
	 * Never NULL: the only files dma_buf_get() accepts are the ones
	 * dma_buf_export() made (a dma-buf inode cannot be reopened through
	 * /proc/PID/fd: it has no_open_fops, fs/inode.c), and each holds its
	 * dma_buf.
	 */
	dmabuf = dma_buf_get(info->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	buffer = vivtheap_buffer_from_dmabuf(dmabuf);
	if (!buffer) {
		ret = -ENODEV;
		goto put_dmabuf;
	}
	info->size = buffer->size;
	info->cache_mode = buffer->heap->mode;
	info->info_flags = VIVTHEAP_INFO_CONTIGUOUS;
	strscpy(info->heap_name, buffer->heap->name, sizeof(info->heap_name));

put_dmabuf:
	dma_buf_put(dmabuf);
	return ret;
}

static int vivtheap_ctl_heap_info(struct vivtheap_ioc_heap_info *info)
{
	struct vivtheap_heap *heap;
	int i;

	if (info->flags || info->reserved0 || info->reserved[0] ||
	    info->reserved[1])
		return -EINVAL;
	if (!memchr(info->name, '\0', sizeof(info->name)))
		return -EINVAL;
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		heap = &vivtheap_heaps[i];
		/* A heap that has no node is not ours to describe. */
		if (!heap->registered || strcmp(heap->name, info->name))
			continue;
		info->cache_mode = heap->mode;
		info->info_flags = VIVTHEAP_INFO_CONTIGUOUS;
		info->max_size = heap->max_size;
		return 0;
	}
	return -ENOENT;
}

static int vivtheap_ctl_sync_range(struct vivtheap_ioc_sync_range *sync)
{
	struct dma_buf *dmabuf;
	int ret;

	if (sync->reserved[0] || sync->reserved[1])
		return -EINVAL;
	dmabuf = dma_buf_get(sync->fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	ret = vivtheap_buffer_sync_range(dmabuf, sync->flags, sync->offset,
					 sync->length);
	dma_buf_put(dmabuf);
	return ret;
}

/* Size-extensible arguments, by the control node's rule (ioctl.c). */
static long vivtheap_ctl_ioctl(struct file *file, unsigned int ucmd,
			       unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct vivtheap_ioctl_arg io;
	union {
		struct vivtheap_ioc_buffer_info buffer;
		struct vivtheap_ioc_heap_info heap;
		struct vivtheap_ioc_sync_range sync;
	} kdata;
	long ret;

	ret = vivtheap_ioctl_ctl_arg(ucmd, vivtheap_ctl_cmds,
				     ARRAY_SIZE(vivtheap_ctl_cmds), &io);
	if (ret)
		return ret;
	ret = vivtheap_ioctl_copy_in(&kdata, &io, uarg);
	if (ret)
		return ret;

	switch (io.kcmd) {
	case VIVTHEAP_IOC_BUFFER_INFO:
		ret = vivtheap_ctl_buffer_info(&kdata.buffer);
		break;
	case VIVTHEAP_IOC_HEAP_INFO:
		ret = vivtheap_ctl_heap_info(&kdata.heap);
		break;
	case VIVTHEAP_IOC_SYNC_RANGE:
		ret = vivtheap_ctl_sync_range(&kdata.sync);
		break;
	default:
		return -ENOTTY;
	}
	if (ret)
		return ret;
	if (copy_to_user(uarg, &kdata, io.out_size))
		return -EFAULT;
	return 0;
}

static const struct file_operations vivtheap_ctl_fops = {
	.owner = THIS_MODULE,
	.open = vivtheap_node_open,
	.unlocked_ioctl = vivtheap_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice vivtheap_ctl_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vivtheap",
	.fops = &vivtheap_ctl_fops,
	.mode = 0600,
};

/**
 * vivtheap_ctl_name_taken() - whether a heap name is the control node's
 * @name: the heap name
 *
 * The chardev backend's heaps are misc devices too, named after the heap;
 * the name is kept from the heap backend's as well, so that the two
 * backends take the same names.
 *
 * Return: what holds @name, in words for the log, or NULL.
 */
const char *vivtheap_ctl_name_taken(const char *name)
{
	return strcmp(name, vivtheap_ctl_misc.name) ? NULL :
		"the control node " VIVTHEAP_CTL_PATH;
}

/**
 * vivtheap_ctl_register() - create /dev/vivtheap
 *
 * Return: 0, or the error of misc_register().
 */
int vivtheap_ctl_register(void)
{
	return misc_register(&vivtheap_ctl_misc);
}

/**
 * vivtheap_ctl_unregister() - remove /dev/vivtheap
 */
void vivtheap_ctl_unregister(void)
{
	misc_deregister(&vivtheap_ctl_misc);
}
