/* SPDX-License-Identifier: MIT */
/*
 * The uapi header must compile on its own, as C89 and as C++, and its
 * structs keep the layout of the ABI: every size and offset below is
 * checked at compile time (a negative array size where one is off), so a
 * field added, moved or resized does not build.
 */
#include <stddef.h>
#include <linux/vivtheap.h>

#define VIVTHEAP_ABI(name, cond) typedef char vivtheap_abi_##name[(cond) ? 1 : -1]

/* 64-bit alignment on every ABI: no hidden padding. */
VIVTHEAP_ABI(name_len, VIVTHEAP_NAME_LEN == 32);
VIVTHEAP_ABI(buffer_info_size, sizeof(struct vivtheap_ioc_buffer_info) == 72);
VIVTHEAP_ABI(buffer_info_fd, offsetof(struct vivtheap_ioc_buffer_info, fd) == 0);
VIVTHEAP_ABI(buffer_info_flags, offsetof(struct vivtheap_ioc_buffer_info, flags) == 4);
VIVTHEAP_ABI(buffer_info_size_, offsetof(struct vivtheap_ioc_buffer_info, size) == 8);
VIVTHEAP_ABI(buffer_info_mode, offsetof(struct vivtheap_ioc_buffer_info, cache_mode) == 16);
VIVTHEAP_ABI(buffer_info_info, offsetof(struct vivtheap_ioc_buffer_info, info_flags) == 20);
VIVTHEAP_ABI(buffer_info_name, offsetof(struct vivtheap_ioc_buffer_info, heap_name) == 24);
VIVTHEAP_ABI(buffer_info_res, offsetof(struct vivtheap_ioc_buffer_info, reserved) == 56);
VIVTHEAP_ABI(heap_info_size, sizeof(struct vivtheap_ioc_heap_info) == 72);
VIVTHEAP_ABI(heap_info_name, offsetof(struct vivtheap_ioc_heap_info, name) == 0);
VIVTHEAP_ABI(heap_info_flags, offsetof(struct vivtheap_ioc_heap_info, flags) == 32);
VIVTHEAP_ABI(heap_info_mode, offsetof(struct vivtheap_ioc_heap_info, cache_mode) == 36);
VIVTHEAP_ABI(heap_info_info, offsetof(struct vivtheap_ioc_heap_info, info_flags) == 40);
VIVTHEAP_ABI(heap_info_res0, offsetof(struct vivtheap_ioc_heap_info, reserved0) == 44);
VIVTHEAP_ABI(heap_info_max, offsetof(struct vivtheap_ioc_heap_info, max_size) == 48);
VIVTHEAP_ABI(heap_info_res, offsetof(struct vivtheap_ioc_heap_info, reserved) == 56);
VIVTHEAP_ABI(sync_range_size, sizeof(struct vivtheap_ioc_sync_range) == 40);
VIVTHEAP_ABI(sync_range_fd, offsetof(struct vivtheap_ioc_sync_range, fd) == 0);
VIVTHEAP_ABI(sync_range_flags, offsetof(struct vivtheap_ioc_sync_range, flags) == 4);
VIVTHEAP_ABI(sync_range_offset, offsetof(struct vivtheap_ioc_sync_range, offset) == 8);
VIVTHEAP_ABI(sync_range_length, offsetof(struct vivtheap_ioc_sync_range, length) == 16);
VIVTHEAP_ABI(sync_range_res, offsetof(struct vivtheap_ioc_sync_range, reserved) == 24);
/* The flags are DMA_BUF_IOCTL_SYNC's (<linux/dma-buf.h>: READ 1, WRITE 2, END 4). */
VIVTHEAP_ABI(sync_flags, VIVTHEAP_SYNC_READ == 1 && VIVTHEAP_SYNC_WRITE == 2 &&
	     VIVTHEAP_SYNC_START == 0 && VIVTHEAP_SYNC_END == 4);
VIVTHEAP_ABI(ioctls_differ, VIVTHEAP_IOC_BUFFER_INFO != VIVTHEAP_IOC_HEAP_INFO &&
	     VIVTHEAP_IOC_SYNC_RANGE != VIVTHEAP_IOC_HEAP_INFO);
