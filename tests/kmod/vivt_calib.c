// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivt_calib: the failure the VIVT cache model exists to catch, on demand.
 *
 * /dev/vivt_calib (root only) shares a vmalloc_user() buffer with user space
 * exactly as the drivers that break on VIVT caches do: mmap() maps it with
 * remap_vmalloc_range(), cacheable, and the kernel reads and writes it
 * through its own vmalloc alias. Each open() has its own buffer
 * (VIVT_CALIB_PAGES pages, zeroed), freed at the last close: a mapping holds
 * a reference to the file, so the buffer outlives every mapping of it.
 *
 * VIVT_CALIB_KWRITE writes the pattern through the vmalloc alias and
 * VIVT_CALIB_KREAD reads and compares it (tests/kmod/vivt_calib.h). Without
 * VIVT_CALIB_MAINT neither does any cache maintenance, as the broken drivers
 * do not; with it, both do what docs/vivt.md says a hand-over between the
 * two aliases needs, the user alias (the caller's mapping at op.uaddr) being
 * maintained from the caller's own context:
 *
 *   before the kernel's access: flush_cache_range() on the user VMA (clean
 *   what the user wrote, drop what it holds) and
 *   invalidate_kernel_vmap_range() (drop the vmalloc alias's lines, older
 *   than the user's writes; a partial write would write them back);
 *   after a kernel write: flush_kernel_vmap_range() (clean it to memory).
 *
 * VIVT_CALIB_INFO gives the buffer's physical pages, so that the model's
 * reports can be attributed to a buffer (ci/coherency.sh).
 *
 * Not part of vivtheap: built only for the tests (tests/kmod/).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cacheflush.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "../../driver/compat.h"
#include "vivt_calib.h"

#define VIVT_CALIB_SIZE (VIVT_CALIB_PAGES * PAGE_SIZE)

struct vivt_calib {
	struct mutex lock;	/* serialises the kernel's accesses */
	u32 *buf;		/* vmalloc_user(), VIVT_CALIB_SIZE bytes */
};

/*
 * The user alias: clean and invalidate the caller's mapping. ARM's
 * flush_cache_range() is an inline over exported cache functions where the
 * cache may be VIVT, and an unexported function on VIPT-only kernels. It is
 * left out on every VIPT kernel: right for the non-aliasing ARMv7 caches of
 * the distro target, wrong for an aliasing ARMv6 VIPT cache, which no target
 * of this bench has (VIVT_CALIB_MAINT would report false mismatches there).
 */
static void vivt_calib_flush_user(struct vm_area_struct *vma)
{
#if !defined(CONFIG_ARM) || !defined(CONFIG_CPU_CACHE_VIPT)
	flush_cache_range(vma, vma->vm_start, vma->vm_end);
#endif
}

/*
 * The caller's mapping of this file's whole buffer at uaddr, with the
 * caller's mmap lock held for reading, or an ERR_PTR (lock not held).
 */
static struct vm_area_struct *vivt_calib_user_vma(struct file *file, u64 uaddr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;

	if (!mm || uaddr != (unsigned long)uaddr)
		return ERR_PTR(-EINVAL);
	if (mmap_read_lock_killable(mm))
		return ERR_PTR(-EINTR);
	vma = vma_lookup(mm, uaddr);
	if (!vma || vma->vm_file != file || vma->vm_start != uaddr ||
	    vma->vm_pgoff || vma->vm_end - vma->vm_start != VIVT_CALIB_SIZE) {
		mmap_read_unlock(mm);
		return ERR_PTR(-EINVAL);
	}
	return vma;
}

static int vivt_calib_op_check(const struct vivt_calib_op *op)
{
	if (op->flags & ~VIVT_CALIB_MAINT)
		return -EINVAL;
	if (!op->stride || op->stride > VIVT_CALIB_SIZE / sizeof(u32))
		return -EINVAL;
	return 0;
}

static long vivt_calib_access(struct file *file, struct vivt_calib *c,
			      unsigned int cmd, struct vivt_calib_op *op)
{
	struct vm_area_struct *vma = NULL;
	size_t n = VIVT_CALIB_SIZE / sizeof(u32), w;
	int ret;

	ret = vivt_calib_op_check(op);
	if (ret)
		return ret;
	if (op->flags & VIVT_CALIB_MAINT) {
		vma = vivt_calib_user_vma(file, op->uaddr);
		if (IS_ERR(vma))
			return PTR_ERR(vma);
	}
	mutex_lock(&c->lock);
	if (vma) {
		vivt_calib_flush_user(vma);
		invalidate_kernel_vmap_range(c->buf, VIVT_CALIB_SIZE);
	}
	if (cmd == VIVT_CALIB_KWRITE) {
		for (w = 0; w < n; w += op->stride)
			WRITE_ONCE(c->buf[w], op->seed + (u32)w);
		if (vma)
			flush_kernel_vmap_range(c->buf, VIVT_CALIB_SIZE);
	} else {
		op->mismatches = 0;
		op->first_bad = ~0u;
		op->first_val = 0;
		for (w = 0; w < n; w += op->stride) {
			u32 v = READ_ONCE(c->buf[w]);

			if (v == op->seed + (u32)w)
				continue;
			if (!op->mismatches++) {
				op->first_bad = w;
				op->first_val = v;
			}
		}
	}
	mutex_unlock(&c->lock);
	if (vma)
		mmap_read_unlock(current->mm);
	return 0;
}

static long vivt_calib_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vivt_calib *c = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct vivt_calib_info info = {};
	struct vivt_calib_op op;
	unsigned int i;
	long ret;

	switch (cmd) {
	case VIVT_CALIB_INFO:
		info.size = VIVT_CALIB_SIZE;
		info.npages = VIVT_CALIB_PAGES;
		for (i = 0; i < VIVT_CALIB_PAGES; i++)
			info.pa[i] = page_to_phys(vmalloc_to_page((u8 *)c->buf + i * PAGE_SIZE));
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	case VIVT_CALIB_KWRITE:
	case VIVT_CALIB_KREAD:
		if (copy_from_user(&op, uarg, sizeof(op)))
			return -EFAULT;
		ret = vivt_calib_access(file, c, cmd, &op);
		if (ret || cmd == VIVT_CALIB_KWRITE)
			return ret;
		return copy_to_user(uarg, &op, sizeof(op)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static int vivt_calib_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct vivt_calib *c = file->private_data;

	/* Shared, as the drivers it plays: a private mapping would copy on write. */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	/* Checks that the VMA fits in the buffer; VM_DONTEXPAND keeps it so. */
	return remap_vmalloc_range(vma, c->buf, vma->vm_pgoff);
}

static int vivt_calib_open(struct inode *inode, struct file *file)
{
	struct vivt_calib *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->buf = vmalloc_user(VIVT_CALIB_SIZE);
	if (!c->buf) {
		kfree(c);
		return -ENOMEM;
	}
	mutex_init(&c->lock);
	file->private_data = c;
	return 0;
}

/* The last reference to the file: no mapping of the buffer is left. */
static int vivt_calib_release(struct inode *inode, struct file *file)
{
	struct vivt_calib *c = file->private_data;

	vfree(c->buf);
	mutex_destroy(&c->lock);
	kfree(c);
	return 0;
}

static const struct file_operations vivt_calib_fops = {
	.owner = THIS_MODULE,
	.open = vivt_calib_open,
	.release = vivt_calib_release,
	.mmap = vivt_calib_mmap,
	.unlocked_ioctl = vivt_calib_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice vivt_calib_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vivt_calib",
	.fops = &vivt_calib_fops,
	.mode = 0600,
};

module_misc_device(vivt_calib_misc);
MODULE_DESCRIPTION("VIVT cache model calibration: a vmalloc_user() buffer shared the broken way");
MODULE_LICENSE("GPL");
