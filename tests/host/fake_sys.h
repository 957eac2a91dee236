/* SPDX-License-Identifier: MIT */
/*
 * A fake kernel behind libvivtheap's syscall seam (-Wl,--wrap=vivtheap_sys_*):
 * heaps, dma-bufs, the control node, a socket queue, with error injection.
 * Memory for mappings is real (anonymous), so checker-mode faults are real.
 */
#ifndef FAKE_SYS_H
#define FAKE_SYS_H

#include <stddef.h>
#include <stdint.h>

enum fake_op {
	FAKE_OPEN, FAKE_CLOSE, FAKE_IOCTL, FAKE_MMAP, FAKE_MUNMAP,
	FAKE_MPROTECT, FAKE_SIZE, FAKE_DUP, FAKE_SENDMSG, FAKE_RECVMSG,
	FAKE_LISTDIR, FAKE_IS_DMABUF, FAKE_NR_OPS
};

/* Start from nothing: no heaps, no control node, no fds. */
void fake_reset(void);
/* Add a heap node; ours = 1 makes the control node know it with mode. */
void fake_add_heap(const char *name, int ours, uint32_t mode);
/* Make the control node exist. */
void fake_set_ctl(int present);
/* Make it a module's from before VIVTHEAP_IOC_SYNC_RANGE (ENOTTY). */
void fake_set_ctl_old(int old);
/* A heap's limit: a DMA_HEAP_IOCTL_ALLOC of more than len bytes fails
 * with ENOMEM, as a heap without that much memory does (0: no limit). */
void fake_set_alloc_limit(uint64_t len);
/* The nth (1-based) next call of op fails with -err, count times in a row. */
void fake_fail(enum fake_op op, int nth, int err, int count);
/* Calls of op so far. */
int fake_calls(enum fake_op op);
/* Open fake fds (heaps, buffers, control node) right now. */
int fake_open_fds(void);
/* Live mappings right now. */
int fake_mappings(void);
/* The last DMA_BUF_IOCTL_SYNC flags seen, and how many. */
uint64_t fake_last_sync(void);
int fake_syncs(void);
/* The last VIVTHEAP_IOC_SYNC_RANGE the control node took, and how many. */
void fake_last_range(uint32_t *flags, uint64_t *offset, uint64_t *length);
int fake_range_syncs(void);
/* The name last set on a buffer. */
const char *fake_last_name(void);
/* Make a fake dma-buf fd of size bytes, its file opened with mode
 * (O_RDONLY or O_RDWR), as if received from a driver. */
int fake_make_dmabuf(size_t size, int mode);
/* Protocol violations seen (END without START, END with another
 * direction, START inside a bracket, munmap of what was not mapped), and
 * the last one's description. */
int fake_violations(void);
const char *fake_last_violation(void);
/* The ALLOC request last seen: len and fd_flags. */
uint64_t fake_last_alloc_len(void);
uint32_t fake_last_alloc_flags(void);
/* Queue a raw message (no fd) for the next recvmsg. */
void fake_queue_raw(const void *data, size_t len, int with_fd);

#endif
