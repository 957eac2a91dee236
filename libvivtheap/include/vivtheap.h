/* SPDX-License-Identifier: MIT */
/**
 * @file vivtheap.h
 * @brief libvivtheap: dma-buf heaps from C, for any heap under /dev/dma_heap.
 *
 * Conventions, for every function here:
 * - functions returning int give 0 (or a file descriptor) on success and a
 *   negative errno on failure; they never exit, abort or print;
 * - objects come back through out-parameters and are owned by the caller
 *   until passed to their _close/_free function, which accepts NULL;
 * - strings returned by an object live as long as the object.
 *
 * Thread safety: a struct vivtheap_heap is immutable after it is opened and
 * may be used from any number of threads at once. A struct vivtheap_buffer
 * may be used from several threads: map/unmap take an internal lock, the
 * CPU-access bracket is claimed atomically and belongs to the buffer, not
 * to a thread (one bracket at a time per buffer; a begin or end that meets
 * another one under way gets -EBUSY). vivtheap_buffer_free() must not race
 * with any other use of the same buffer. Checker mode (VIVTHEAP_CHECK=1) is
 * read when a buffer is allocated, imported or received.
 */
#ifndef VIVTHEAP_H
#define VIVTHEAP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The API version this header describes. */
#define VIVTHEAP_API_VERSION 1

/** How the CPU's mappings of a heap's buffers are cached. */
enum vivtheap_caching {
	VIVTHEAP_CACHING_UNKNOWN = 0,  /**< a heap we know nothing of */
	VIVTHEAP_CACHING_UNCACHED = 1, /**< non-cacheable in every mapping */
	VIVTHEAP_CACHING_WC = 2,       /**< write-combined: non-cacheable, bufferable */
	VIVTHEAP_CACHING_CACHED = 3    /**< cacheable: needs the sync brackets */
};

/** Heap property: buffers are physically contiguous. */
#define VIVTHEAP_PROP_CONTIGUOUS (1u << 0)
/** Heap property: the heap is served by vivtheap.ko. */
#define VIVTHEAP_PROP_VIVTHEAP (1u << 1)

/** Longest heap name, NUL included. */
#define VIVTHEAP_HEAP_NAME_MAX 64

/** One heap as listed by vivtheap_heaps_list(). */
struct vivtheap_heap_desc {
	char name[VIVTHEAP_HEAP_NAME_MAX]; /**< name under /dev/dma_heap */
	enum vivtheap_caching caching;     /**< how its buffers are cached */
	unsigned int props;                /**< VIVTHEAP_PROP_* bits */
	unsigned int reserved[6];          /**< zero */
};

/**
 * List the heaps under /dev/dma_heap with what is known of them: vivtheap's
 * through its control node, the kernel's by their documented names
 * ("system": cached; "system-uncached": uncached; "reserved", "linux,cma",
 * "default_cma_region" and other CMA names: cached and contiguous), others
 * as VIVTHEAP_CACHING_UNKNOWN.
 * @param descs out: an array owned by the caller, freed with
 *              vivtheap_heaps_list_free(); NULL when there are none
 * @param count out: its length
 * @return 0, -ENOENT if there is no /dev/dma_heap, -ENOMEM, or the error of
 *         reading the directory.
 */
int vivtheap_heaps_list(struct vivtheap_heap_desc **descs, size_t *count);

/** Free what vivtheap_heaps_list() returned. Accepts NULL. */
void vivtheap_heaps_list_free(struct vivtheap_heap_desc *descs);

struct vivtheap_heap;

/**
 * Open a heap by name.
 * @param name the name under /dev/dma_heap, without "/"
 * @param heap out: the heap, owned by the caller until vivtheap_heap_close()
 * @return 0; -EINVAL for a NULL, empty, too long or "/"-containing name;
 *         -ENOENT if there is no such heap; -EACCES; -ENOMEM.
 */
int vivtheap_heap_open(const char *name, struct vivtheap_heap **heap);

/** vivtheap_heap_find(): a heap whose caching differs may be returned. */
#define VIVTHEAP_FIND_ALLOW_FALLBACK (1u << 0)

/**
 * Open the first heap with the wanted properties, vivtheap's heaps first.
 * Without VIVTHEAP_FIND_ALLOW_FALLBACK only a heap with exactly @p caching
 * and all of @p props is taken. With it, when none has them, the closest
 * heap is opened and vivtheap_heap_is_fallback() says so: never silently.
 * @param caching the wanted caching (not VIVTHEAP_CACHING_UNKNOWN)
 * @param props VIVTHEAP_PROP_* bits that must be set
 * @param flags 0 or VIVTHEAP_FIND_ALLOW_FALLBACK
 * @param heap out: the heap, owned by the caller until vivtheap_heap_close()
 * @return 0; -EINVAL for bad arguments or unknown flags; -ENOENT when no heap
 *         qualifies; the errors of vivtheap_heap_open().
 */
int vivtheap_heap_find(enum vivtheap_caching caching, unsigned int props,
		       unsigned int flags, struct vivtheap_heap **heap);

/** The heap's name; lives as long as @p heap. */
const char *vivtheap_heap_name(const struct vivtheap_heap *heap);
/** How the heap's buffers are cached (what was got). */
enum vivtheap_caching vivtheap_heap_caching(const struct vivtheap_heap *heap);
/** The heap's VIVTHEAP_PROP_* bits (what was got). */
unsigned int vivtheap_heap_props(const struct vivtheap_heap *heap);
/** The caching asked of vivtheap_heap_find(); for vivtheap_heap_open(), the heap's own. */
enum vivtheap_caching vivtheap_heap_wanted_caching(const struct vivtheap_heap *heap);
/** 1 if the heap was taken as a fallback (what was got is not what was asked), else 0. */
int vivtheap_heap_is_fallback(const struct vivtheap_heap *heap);
/** Close a heap. Buffers allocated from it stay valid. Accepts NULL. */
void vivtheap_heap_close(struct vivtheap_heap *heap);

struct vivtheap_buffer;

/** Buffer flag: checker mode for this buffer (also on with VIVTHEAP_CHECK=1). */
#define VIVTHEAP_BUFFER_CHECKED (1u << 0)
/** Buffer flag: the fd may be mapped for reading only. */
#define VIVTHEAP_BUFFER_READONLY (1u << 1)

/**
 * Allocate a buffer.
 * @param heap the heap
 * @param size bytes; the heap rounds it up to whole pages
 * @param flags VIVTHEAP_BUFFER_* bits
 * @param buf out: the buffer, owned by the caller until vivtheap_buffer_free()
 * @return 0; -EINVAL for a NULL argument, a size of 0 or unknown flags;
 *         the heap's error (-ENOMEM when the memory is not there).
 */
int vivtheap_buffer_alloc(struct vivtheap_heap *heap, size_t size,
			  unsigned int flags, struct vivtheap_buffer **buf);

/**
 * Wrap a dma-buf fd received from a process or a driver.
 * @param fd the dma-buf; the library takes a duplicate, the caller keeps
 *           @p fd and closes it when it likes
 * @param flags VIVTHEAP_BUFFER_* bits
 * @param buf out: the buffer, owned by the caller until vivtheap_buffer_free()
 * @return 0; -EBADF for a closed fd; -EINVAL if @p fd is not a dma-buf or
 *         for unknown flags; -ENOMEM.
 */
int vivtheap_buffer_import(int fd, unsigned int flags,
			   struct vivtheap_buffer **buf);

/** The buffer's dma-buf fd, owned by the buffer: dup() it to keep it. */
int vivtheap_buffer_fd(const struct vivtheap_buffer *buf);
/** The buffer's size in bytes (as the kernel reports it). */
size_t vivtheap_buffer_size(const struct vivtheap_buffer *buf);
/** How the buffer is cached: from vivtheap's control node, or its heap; UNKNOWN otherwise. */
enum vivtheap_caching vivtheap_buffer_caching(const struct vivtheap_buffer *buf);
/** The heap it came from, "" if unknown; lives as long as @p buf. */
const char *vivtheap_buffer_heap_name(const struct vivtheap_buffer *buf);

/**
 * Map the buffer into this process (shared, read-write unless READONLY).
 * Lazy and counted: the first call maps, later ones return the same address.
 * @param buf the buffer
 * @param addr out: the mapping, valid until the matching unmap
 * @return 0; -EINVAL for NULL; the error of mmap().
 */
int vivtheap_buffer_map(struct vivtheap_buffer *buf, void **addr);

/**
 * Drop one map reference; the last unmaps.
 * @return 0; -EINVAL for NULL; -EPERM if the buffer is not mapped.
 */
int vivtheap_buffer_unmap(struct vivtheap_buffer *buf);

#define VIVTHEAP_ACCESS_READ (1u << 0)  /**< the CPU will read */
#define VIVTHEAP_ACCESS_WRITE (1u << 1) /**< the CPU will write */
#define VIVTHEAP_ACCESS_RW (VIVTHEAP_ACCESS_READ | VIVTHEAP_ACCESS_WRITE) /**< both */

/**
 * Open a CPU-access bracket (DMA_BUF_IOCTL_SYNC START), retried on
 * EINTR/EAGAIN. In checker mode the mapping becomes accessible.
 * @param buf the buffer
 * @param access VIVTHEAP_ACCESS_READ, _WRITE or _RW
 * @return 0; -EINVAL for NULL or bad @p access; -EBUSY if a bracket is
 *         already open; -EACCES for WRITE on a read-only buffer; the
 *         kernel's error.
 */
int vivtheap_buffer_begin(struct vivtheap_buffer *buf, unsigned int access);

/**
 * Close the CPU-access bracket (DMA_BUF_IOCTL_SYNC END), retried on
 * EINTR/EAGAIN. In checker mode the mapping becomes inaccessible again.
 * @param access must equal what vivtheap_buffer_begin() was given
 * @return 0; -EINVAL for NULL or an @p access that differs from the open
 *         bracket's; -EPERM if no bracket is open; -EBUSY if another thread's
 *         begin or end is under way; the kernel's error.
 */
int vivtheap_buffer_end(struct vivtheap_buffer *buf, unsigned int access);

/**
 * Name the buffer (DMA_BUF_SET_NAME; shown in /sys/kernel/debug/dma_buf).
 * @return 0; -EINVAL for NULL or a name the kernel refuses; -EBUSY on kernels
 *         that refuse renaming an attached buffer; the kernel's error.
 */
int vivtheap_buffer_set_name(struct vivtheap_buffer *buf, const char *name);

/**
 * Free the buffer: unmaps it, closes its fd. The memory lives on while any
 * other process, driver or fd still holds it. Accepts NULL.
 */
void vivtheap_buffer_free(struct vivtheap_buffer *buf);

/**
 * Send the buffer over a connected UNIX socket (SCM_RIGHTS), with its size
 * and heap name. The buffer stays the caller's.
 * @return 0; -EINVAL for NULL; the error of sendmsg().
 */
int vivtheap_buffer_send(const struct vivtheap_buffer *buf, int sock);

/**
 * Receive a buffer sent by vivtheap_buffer_send().
 * @param sock a connected UNIX socket
 * @param flags VIVTHEAP_BUFFER_* bits for the new buffer
 * @param buf out: the buffer, owned by the caller until vivtheap_buffer_free()
 * @return 0; -EINVAL for NULL or unknown flags; -EPROTO for a message that
 *         is not a vivtheap buffer; -ECONNRESET if the peer closed; the error
 *         of recvmsg().
 */
int vivtheap_buffer_recv(int sock, unsigned int flags,
			 struct vivtheap_buffer **buf);

/** The library's version, "MAJOR.MINOR.PATCH"; static storage. */
const char *vivtheap_version(void);

#ifdef __cplusplus
}
#endif

#endif /* VIVTHEAP_H */
