// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: the argument rules of the module's two ioctl ABIs, side by side.
 *
 * Both pass size-extensible structs whose size is part of the command: the
 * kernel copies what both sides know, and a shorter (older) struct reads as
 * if its missing fields were zero. They differ on a longer (newer) struct,
 * whose trailing bytes the module does not know:
 *
 * - DMA_HEAP_IOCTL_ALLOC on the chardev backend's /dev/dma_heap/<name> follows
 *   the dma-heap core (drivers/dma-buf/dma-heap.c, dma_heap_ioctl()): the
 *   trailing bytes are ignored, and copied back as they were. The ABI is the
 *   core's, not ours to tighten: a program must see the same thing on either
 *   backend, and the kernel's own selftest (dmabuf-heap.c, "newer alloc
 *   compat") passes non-zero trailing bytes and expects a buffer.
 * - /dev/vivtheap (uapi/linux/vivtheap.h) is our ABI: the trailing bytes must
 *   be zero, else -EINVAL. A newer program that asks for something this
 *   module does not know learns so, instead of silently getting less. This
 *   is the rule of copy_struct_from_user(), which says -E2BIG; the uapi
 *   promised -EINVAL before this module used it, and keeps its word.
 *
 * Both rules end in one copy, vivtheap_ioctl_copy_in(); they differ only in
 * how big the kernel's copy is. The core's rule makes it big enough for the
 * whole of the caller's struct, so no byte is ever "trailing"; ours makes it
 * exactly the module's struct.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/ioctl.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>

#include "vivtheap_priv.h"

/**
 * vivtheap_ioctl_dma_heap_arg() - decode a command by the dma-heap core's rule
 * @ucmd: the command the caller passed
 * @cmds: the commands the node knows, indexed by command number
 * @nr_cmds: the number of @cmds
 * @arg: set to the command and sizes of this call
 *
 * As the core: the type is not checked; the caller's size is copied in only
 * if both commands have _IOC_WRITE, and back only if both have _IOC_READ;
 * the kernel's copy holds the larger of both structs.
 *
 * Return: 0, or -EINVAL for a command number the node does not know.
 */
int vivtheap_ioctl_dma_heap_arg(unsigned int ucmd, const unsigned int *cmds,
				unsigned int nr_cmds,
				struct vivtheap_ioctl_arg *arg)
{
	unsigned int nr = _IOC_NR(ucmd);

	if (nr >= nr_cmds)
		return -EINVAL;
	nr = array_index_nospec(nr, nr_cmds);
	arg->kcmd = cmds[nr];

	arg->in_size = (ucmd & arg->kcmd & IOC_IN) ? _IOC_SIZE(ucmd) : 0;
	arg->out_size = (ucmd & arg->kcmd & IOC_OUT) ? _IOC_SIZE(ucmd) : 0;
	arg->ksize = max3(arg->in_size, arg->out_size, _IOC_SIZE(arg->kcmd));
	return 0;
}

/**
 * vivtheap_ioctl_ctl_arg() - decode a command by the control node's rule
 * @ucmd: the command the caller passed
 * @cmds: the commands the node knows, indexed by command number
 * @nr_cmds: the number of @cmds
 * @arg: set to the command and sizes of this call
 *
 * The type must be VIVTHEAP_IOC_MAGIC and the direction the module's; the
 * kernel's copy is exactly the module's struct, and what both sides know is
 * copied back if the command reads.
 *
 * Return: 0, or -ENOTTY for a command the node does not know.
 */
int vivtheap_ioctl_ctl_arg(unsigned int ucmd, const unsigned int *cmds,
			   unsigned int nr_cmds, struct vivtheap_ioctl_arg *arg)
{
	unsigned int nr = _IOC_NR(ucmd);

	if (_IOC_TYPE(ucmd) != VIVTHEAP_IOC_MAGIC || nr >= nr_cmds)
		return -ENOTTY;
	nr = array_index_nospec(nr, nr_cmds);
	arg->kcmd = cmds[nr];
	if (_IOC_DIR(ucmd) != _IOC_DIR(arg->kcmd))
		return -ENOTTY;

	arg->in_size = _IOC_SIZE(ucmd);
	arg->ksize = _IOC_SIZE(arg->kcmd);
	/* Back only to a command that reads (not VIVTHEAP_IOC_SYNC_RANGE). */
	arg->out_size = (_IOC_DIR(arg->kcmd) & _IOC_READ) ?
		min(arg->in_size, arg->ksize) : 0;
	return 0;
}

/**
 * vivtheap_ioctl_copy_in() - copy a decoded command's argument in
 * @kdata: the kernel's copy, @arg->ksize bytes
 * @arg: the command and sizes, from vivtheap_ioctl_dma_heap_arg() or
 *	vivtheap_ioctl_ctl_arg()
 * @uarg: the caller's argument
 *
 * Copies what both sides know and zero-fills the rest of @kdata.
 *
 * Return: 0; -EFAULT if @uarg cannot be read; -EINVAL if the caller's struct
 * is longer than @arg->ksize and a byte past it is not zero.
 */
int vivtheap_ioctl_copy_in(void *kdata, const struct vivtheap_ioctl_arg *arg,
			   const void __user *uarg)
{
	int ret;

	ret = copy_struct_from_user(kdata, arg->ksize, uarg, arg->in_size);
	return ret == -E2BIG ? -EINVAL : ret;
}
