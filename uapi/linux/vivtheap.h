/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vivtheap: uncached and write-combined DMA-BUF heaps for CPUs whose
 * caches alias (VIVT, aliasing VIPT).
 *
 * Buffers are allocated through the standard DMA_HEAP_IOCTL_ALLOC on
 * /dev/dma_heap/<name> (<linux/dma-heap.h>). This header is the project's
 * own ABI: the heap names, and the control node /dev/vivtheap, which tells
 * what a dma-buf fd is.
 *
 * Every argument struct is size-extensible: the size is part of the ioctl
 * number, the kernel copies what both sides know and zero-fills the rest;
 * reserved fields and unknown flags must be zero or the call fails with
 * EINVAL.
 */
#ifndef _UAPI_LINUX_VIVTHEAP_H
#define _UAPI_LINUX_VIVTHEAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

/** VIVTHEAP_CTL_PATH - path of the control node */
#define VIVTHEAP_CTL_PATH "/dev/vivtheap"

/** VIVTHEAP_HEAP_UNCACHED_NAME - default name of the uncached heap */
#define VIVTHEAP_HEAP_UNCACHED_NAME "vivtheap-uncached"
/** VIVTHEAP_HEAP_WC_NAME - default name of the write-combined heap */
#define VIVTHEAP_HEAP_WC_NAME "vivtheap-wc"

/** VIVTHEAP_NAME_LEN - size of a heap name buffer, NUL included */
#define VIVTHEAP_NAME_LEN 32

/**
 * enum vivtheap_cache_mode - how every CPU alias of a buffer is mapped
 * @VIVTHEAP_CACHE_UNCACHED: non-cacheable (the DMA API's coherent
 *	attributes; strongly ordered on ARMv5)
 * @VIVTHEAP_CACHE_WC: non-cacheable, bufferable (write-combined): CPU
 *	writes are buffered, end_cpu_access drains them
 * @VIVTHEAP_CACHE_CACHED: cacheable, every alias maintained on sync
 *	(reserved for a later heap)
 */
enum vivtheap_cache_mode {
	VIVTHEAP_CACHE_UNCACHED = 1,
	VIVTHEAP_CACHE_WC = 2,
	VIVTHEAP_CACHE_CACHED = 3
};

/** VIVTHEAP_INFO_CONTIGUOUS - the buffer is physically contiguous */
#define VIVTHEAP_INFO_CONTIGUOUS (1U << 0)

/**
 * struct vivtheap_ioc_buffer_info - what a dma-buf fd is
 * @fd: in: the dma-buf file descriptor
 * @flags: in: must be 0
 * @size: out: size of the buffer in bytes
 * @cache_mode: out: an &enum vivtheap_cache_mode
 * @info_flags: out: VIVTHEAP_INFO_* bits
 * @heap_name: out: the heap that allocated it, NUL-terminated
 * @reserved: must be 0
 *
 * Errors: EBADF @fd is not open; EINVAL @fd is not a dma-buf, or @flags
 * or @reserved are not zero; ENODEV the dma-buf was not exported by
 * vivtheap; EFAULT the argument is not readable or writable.
 */
struct vivtheap_ioc_buffer_info {
	__u32 fd;
	__u32 flags;
	__u64 size;
	__u32 cache_mode;
	__u32 info_flags;
	char heap_name[VIVTHEAP_NAME_LEN];
	__u64 reserved[2];
};

/**
 * struct vivtheap_ioc_heap_info - what a vivtheap heap is
 * @name: in: the heap's name (as under /dev/dma_heap), NUL-terminated
 * @flags: in: must be 0
 * @cache_mode: out: an &enum vivtheap_cache_mode
 * @info_flags: out: VIVTHEAP_INFO_* bits its buffers have
 * @reserved0: must be 0
 * @max_size: out: the largest buffer it hands out, bytes
 * @reserved: must be 0
 *
 * Errors: ENOENT no vivtheap heap has that name; EINVAL @name is not
 * NUL-terminated, or @flags or @reserved are not zero; EFAULT.
 */
struct vivtheap_ioc_heap_info {
	char name[VIVTHEAP_NAME_LEN];
	__u32 flags;
	__u32 cache_mode;
	__u32 info_flags;
	__u32 reserved0;
	__u64 max_size;
	__u64 reserved[2];
};

#define VIVTHEAP_IOC_MAGIC 0xB7

/** VIVTHEAP_IOC_BUFFER_INFO - fill a &struct vivtheap_ioc_buffer_info */
#define VIVTHEAP_IOC_BUFFER_INFO \
	_IOWR(VIVTHEAP_IOC_MAGIC, 0x0, struct vivtheap_ioc_buffer_info)
/** VIVTHEAP_IOC_HEAP_INFO - fill a &struct vivtheap_ioc_heap_info */
#define VIVTHEAP_IOC_HEAP_INFO \
	_IOWR(VIVTHEAP_IOC_MAGIC, 0x1, struct vivtheap_ioc_heap_info)

#endif /* _UAPI_LINUX_VIVTHEAP_H */
