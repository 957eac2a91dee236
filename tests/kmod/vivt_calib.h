/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * vivt_calib: the interface between the calibration module
 * (tests/kmod/vivt_calib.c) and its guest test (tests/guest/vivt_calib.c).
 * Test-only: not a stable ABI.
 */
#ifndef VIVT_CALIB_H
#define VIVT_CALIB_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VIVT_CALIB_DEV "/dev/vivt_calib"

/* Every open() has its own buffer of this many pages. */
#define VIVT_CALIB_PAGES 1

/* With the right maintenance of both aliases (else none at all). */
#define VIVT_CALIB_MAINT 0x1u

struct vivt_calib_info {
	__u32 size;				/* bytes, a multiple of the page size */
	__u32 npages;
	__u64 pa[VIVT_CALIB_PAGES];		/* physical address of each page */
};

/*
 * One kernel access to the buffer, through its vmalloc alias: word w, for w
 * = 0, stride, 2 * stride ... below size / 4, is written as, or compared
 * with, seed + w. uaddr is the start of the caller's own mapping of the
 * whole buffer, whose alias VIVT_CALIB_MAINT maintains too.
 */
struct vivt_calib_op {
	__u64 uaddr;
	__u32 flags;
	__u32 seed;
	__u32 stride;				/* 1 .. size / 4 */
	__u32 mismatches;			/* out (read): words that differ */
	__u32 first_bad;			/* out (read): index of the first, or ~0 */
	__u32 first_val;			/* out (read): the value read there */
};

#define VIVT_CALIB_INFO		_IOR('V', 0xc0, struct vivt_calib_info)
#define VIVT_CALIB_KWRITE	_IOW('V', 0xc1, struct vivt_calib_op)
#define VIVT_CALIB_KREAD	_IOWR('V', 0xc2, struct vivt_calib_op)

#endif /* VIVT_CALIB_H */
