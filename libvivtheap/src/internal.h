/* SPDX-License-Identifier: MIT */
/* libvivtheap internals: shared by the library's files, never installed. */
#ifndef VIVTHEAP_INTERNAL_H
#define VIVTHEAP_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "../include/vivtheap.h"

#define VIVTHEAP_EXPORT __attribute__((visibility("default")))

#define VIVTHEAP_HEAP_DIR "/dev/dma_heap"

/* Internal bits of struct vivtheap_buffer.access. */
#define VIVTHEAP_ACCESS_BUSY (1u << 31)
#define VIVTHEAP_ACCESS_RANGED (1u << 30) /* the open bracket is a range */

/* struct vivtheap_buffer.ctl when it holds no fd. */
#define VIVTHEAP_CTL_UNTRIED (-1) /* no ranged bracket asked for it yet */
#define VIVTHEAP_CTL_NONE (-2)    /* ranged brackets use DMA_BUF_IOCTL_SYNC */

struct vivtheap_heap {
	int fd;
	char name[VIVTHEAP_HEAP_NAME_MAX];
	enum vivtheap_caching caching;
	unsigned int props;
	enum vivtheap_caching wanted;
	bool fallback;
};

struct vivtheap_buffer {
	pthread_mutex_t lock;
	int fd;
	size_t size;
	unsigned int flags;
	enum vivtheap_caching caching;
	char heap[VIVTHEAP_HEAP_NAME_MAX];
	void *addr;
	unsigned int map_count;
	/* The open bracket's access, 0 when none; VIVTHEAP_ACCESS_RANGED for a
	 * ranged one; VIVTHEAP_ACCESS_BUSY while a begin or end is under way.
	 * Changed with compare-and-swap only. */
	_Atomic(unsigned int) access;
	/*
	 * Ranged brackets (buffer.c). Owned by whoever holds the bracket: the
	 * thread whose compare-and-swap set VIVTHEAP_ACCESS_BUSY, and nobody
	 * while a bracket is open; vivtheap_buffer_free() closes ctl.
	 */
	size_t range_offset, range_length; /* the open ranged bracket's range */
	bool range_ctl;      /* it went through the control node */
	int ctl;             /* the control node's fd, or VIVTHEAP_CTL_* */
	bool checked;        /* checker mode, decided when the buffer is made */
	int check_slot;      /* checker registry slot, -1 when none */
	/* Checker mode: what the mapping lets through (check.c), under lock:
	 * check_access 0 is nothing; check_length 0 is the whole buffer. */
	unsigned int check_access;
	size_t check_offset, check_length;
};

/* The library's caching for a uapi enum vivtheap_cache_mode value (misc.c,
 * beside the words for each caching). */
enum vivtheap_caching vivtheap_caching_from_mode(uint32_t mode);

/* What is known of a heap by name; fills caching and props. */
void vivtheap_heap_describe(const char *name, enum vivtheap_caching *caching,
			    unsigned int *props);

/* The ioctl wrapper: retries EINTR/EAGAIN, returns 0/positive or -errno. */
int vivtheap_ioctl(int fd, unsigned long request, void *arg);

/*
 * A new buffer object around fd (taken over); -errno, fd closed on error.
 * known_size: fd came from DMA_HEAP_IOCTL_ALLOC and has this size; 0: fd
 * was received or imported, so check that it is a dma-buf and ask its size.
 * heap NULL: ask the control node what the buffer is.
 */
int vivtheap_buffer_wrap(int fd, unsigned int flags, const char *heap,
			 enum vivtheap_caching caching, size_t known_size,
			 struct vivtheap_buffer **buf);

/* Checker mode (check.c). */
bool vivtheap_check_enabled(unsigned int flags);
/* The protection a new checked mapping starts with (the lock held). */
int vivtheap_check_map_prot(const struct vivtheap_buffer *buf);
/* Register a new checked mapping and give it the open window (the lock held). */
int vivtheap_check_register(struct vivtheap_buffer *buf);
void vivtheap_check_unregister(struct vivtheap_buffer *buf);
/* Open the window: the bytes offset to offset + length (length 0: the
 * whole buffer), read-only for VIVTHEAP_ACCESS_READ (the lock held). */
int vivtheap_check_open(struct vivtheap_buffer *buf, unsigned int access,
			size_t offset, size_t length);
int vivtheap_check_close(struct vivtheap_buffer *buf);

#endif /* VIVTHEAP_INTERNAL_H */
