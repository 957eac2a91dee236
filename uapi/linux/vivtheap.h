/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vivtheap: DMA-BUF heaps for CPUs whose caches alias (VIVT, aliasing
 * VIPT): uncached, write-combined, and cached with every alias maintained.
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

/** VIVTHEAP_HEAP_CACHED_NAME - default name of the cached heap */
#define VIVTHEAP_HEAP_CACHED_NAME "vivtheap-cached"

/** VIVTHEAP_NAME_LEN - size of a heap name buffer, NUL included */
#define VIVTHEAP_NAME_LEN 32

/**
 * enum vivtheap_cache_mode - how every CPU alias of a buffer is mapped
 * @VIVTHEAP_CACHE_UNCACHED: non-cacheable (the DMA API's coherent
 *	attributes; strongly ordered on ARMv5)
 * @VIVTHEAP_CACHE_WC: non-cacheable, bufferable (write-combined): CPU
 *	writes are buffered, end_cpu_access drains them
 * @VIVTHEAP_CACHE_CACHED: cacheable; begin and end of CPU access maintain
 *	every alias the buffer has (the kernel's, each user mapping)
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

/** VIVTHEAP_SYNC_READ - the CPU reads the range (as DMA_BUF_SYNC_READ) */
#define VIVTHEAP_SYNC_READ (1U << 0)
/** VIVTHEAP_SYNC_WRITE - the CPU writes the range (as DMA_BUF_SYNC_WRITE) */
#define VIVTHEAP_SYNC_WRITE (1U << 1)
/** VIVTHEAP_SYNC_RW - both */
#define VIVTHEAP_SYNC_RW (VIVTHEAP_SYNC_READ | VIVTHEAP_SYNC_WRITE)
/** VIVTHEAP_SYNC_START - begin of CPU access (as DMA_BUF_SYNC_START) */
#define VIVTHEAP_SYNC_START (0U << 2)
/** VIVTHEAP_SYNC_END - end of CPU access (as DMA_BUF_SYNC_END) */
#define VIVTHEAP_SYNC_END (1U << 2)

/**
 * struct vivtheap_ioc_sync_range - begin or end CPU access to a part of a
 *	buffer
 * @fd: in: a dma-buf file descriptor of a vivtheap buffer
 * @flags: in: VIVTHEAP_SYNC_START or VIVTHEAP_SYNC_END, with
 *	VIVTHEAP_SYNC_READ, VIVTHEAP_SYNC_WRITE or both (the values of
 *	DMA_BUF_IOCTL_SYNC's flags)
 * @offset: in: first byte of the range
 * @length: in: bytes in the range, at least 1
 * @reserved: must be 0
 *
 * DMA_BUF_IOCTL_SYNC limited to a range: the same waits and the same
 * maintenance, on the whole pages the range touches only (the range is
 * widened to page boundaries). A START and its END give the same range and
 * direction. On the uncached and write-combined heaps it does what
 * DMA_BUF_IOCTL_SYNC does.
 *
 * Errors: EBADF @fd is not open; EINVAL @fd is not a dma-buf, @flags has
 * unknown bits or no direction, @reserved is not zero, @length is 0, or
 * the range does not lie inside the buffer; ENODEV the dma-buf was not
 * exported by vivtheap; EINTR a signal came while waiting for the
 * buffer's fences; EFAULT.
 */
struct vivtheap_ioc_sync_range {
	__u32 fd;
	__u32 flags;
	__u64 offset;
	__u64 length;
	__u64 reserved[2];
};

#define VIVTHEAP_IOC_MAGIC 0xB7

/** VIVTHEAP_IOC_BUFFER_INFO - fill a &struct vivtheap_ioc_buffer_info */
#define VIVTHEAP_IOC_BUFFER_INFO \
	_IOWR(VIVTHEAP_IOC_MAGIC, 0x0, struct vivtheap_ioc_buffer_info)
/** VIVTHEAP_IOC_HEAP_INFO - fill a &struct vivtheap_ioc_heap_info */
#define VIVTHEAP_IOC_HEAP_INFO \
	_IOWR(VIVTHEAP_IOC_MAGIC, 0x1, struct vivtheap_ioc_heap_info)
/** VIVTHEAP_IOC_SYNC_RANGE - begin or end CPU access to a range */
#define VIVTHEAP_IOC_SYNC_RANGE \
	_IOW(VIVTHEAP_IOC_MAGIC, 0x2, struct vivtheap_ioc_sync_range)

#endif /* _UAPI_LINUX_VIVTHEAP_H */
