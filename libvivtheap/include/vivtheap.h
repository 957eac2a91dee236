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
 * - strings returned by an object live as long as the object;
 * - getters take a valid object: a NULL one is a bug. The library as built
 *   and installed (NDEBUG) returns the safe value the getter's page names;
 *   a debug build (make DEBUG=1) catches it with assert(), the int getters
 *   vivtheap_buffer_fd() and vivtheap_heap_is_fallback() included: the
 *   "never abort" above is the release build's promise.
 *
 * Thread safety: a struct vivtheap_heap is immutable after it is opened and
 * may be used from any number of threads at once. A struct vivtheap_buffer
 * may be used from several threads: map/unmap take an internal lock, the
 * CPU-access bracket is claimed atomically and belongs to the buffer, not
 * to a thread (one bracket at a time per buffer, whole or ranged; a begin
 * or end that meets another one under way gets -EBUSY).
 * vivtheap_buffer_free() must not race with any other use of the same
 * buffer. Checker mode (VIVTHEAP_CHECK=1) is read when a buffer is
 * allocated, imported or received.
 *
 * Each function's doc comment is the source of its man page
 * (libvivtheap/gen-man.py): a first sentence for NAME, then the
 * description, @param, @return (RETURN VALUE), @retval -E... (ERRORS) and
 * @see (SEE ALSO).
 */
#ifndef VIVTHEAP_H
#define VIVTHEAP_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The API version this header describes. */
#define VIVTHEAP_API_VERSION 3

/** How the CPU's mappings of a heap's buffers are cached. */
enum vivtheap_caching {
	VIVTHEAP_CACHING_UNKNOWN = 0,  /**< "unknown": a heap we know nothing of */
	VIVTHEAP_CACHING_UNCACHED = 1, /**< "uncached": non-cacheable in every mapping */
	VIVTHEAP_CACHING_WC = 2,       /**< "write-combined": non-cacheable, bufferable */
	VIVTHEAP_CACHING_CACHED = 3    /**< "cached": cacheable, needs the sync brackets */
};

/**
 * The word for a caching mode.
 *
 * The one vocabulary of the library, its tool and its documentation:
 * - VIVTHEAP_CACHING_UNCACHED: "uncached", non-cacheable in every mapping;
 * - VIVTHEAP_CACHING_WC: "write-combined", non-cacheable but bufferable;
 * - VIVTHEAP_CACHING_CACHED: "cached", cacheable, needs the sync brackets;
 * - VIVTHEAP_CACHING_UNKNOWN, and any value outside the enum: "unknown".
 * @param caching a caching mode
 * @return the word, a string in static storage that the caller must not
 *         free; never NULL.
 * @see vivtheap_heap_caching(), vivtheap_buffer_caching(),
 *      vivtheap_heap_desc_caching()
 */
const char *vivtheap_caching_name(enum vivtheap_caching caching);

/** Heap property: buffers are physically contiguous. */
#define VIVTHEAP_PROP_CONTIGUOUS (1u << 0)
/** Heap property: the heap is served by vivtheap.ko. */
#define VIVTHEAP_PROP_VIVTHEAP (1u << 1)

/**
 * Size of the longest heap name the library handles, NUL included. Names of
 * vivtheap's own heaps are shorter: VIVTHEAP_NAME_LEN (32) in
 * <linux/vivtheap.h>, which the library asserts fits.
 */
#define VIVTHEAP_HEAP_NAME_MAX 64

/** A snapshot of the heaps under /dev/dma_heap. */
struct vivtheap_heap_list;
/** One heap of a struct vivtheap_heap_list: its name, caching and properties. */
struct vivtheap_heap_desc;

/**
 * List the heaps under /dev/dma_heap and what each is.
 *
 * vivtheap's heaps are described by its control node (uncached,
 * write-combined or cached), the kernel's by their documented names:
 * "system" is cached; "system-uncached" uncached; "reserved", "linux,cma",
 * "default_cma_region" and other names containing "cma" cached and
 * contiguous. Other heaps are VIVTHEAP_CACHING_UNKNOWN. vivtheap's heaps come
 * first, uncached, then write-combined, then cached (by name within each),
 * then the others by name. Heaps whose names do not fit
 * VIVTHEAP_HEAP_NAME_MAX are left out: they cannot be opened.
 * @param list out: the list, owned by the caller until
 *             vivtheap_heap_list_free(); it may have no heap
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of reading the directory, and @p list is
 *         left untouched.
 * @retval -EINVAL @p list is NULL.
 * @retval -ENOENT there is no /dev/dma_heap.
 * @retval -ENOMEM out of memory.
 * @see vivtheap_heap_list_count(), vivtheap_heap_list_get(),
 *      vivtheap_heap_list_free(), vivtheap_heap_find()
 */
int vivtheap_heap_list_new(struct vivtheap_heap_list **list);

/**
 * Free a heap list and the descriptions in it.
 *
 * Pointers got from vivtheap_heap_list_get() and the descriptions' getters
 * are invalid afterwards. Accepts NULL.
 * @param list the list, or NULL
 * @return nothing.
 * @see vivtheap_heap_list_new()
 */
void vivtheap_heap_list_free(struct vivtheap_heap_list *list);

/**
 * The number of heaps in a list.
 * @param list the list
 * @return the number, possibly 0; 0 for a NULL @p list in a build with
 *         NDEBUG (without it, a NULL @p list fails an assertion).
 * @see vivtheap_heap_list_get(), vivtheap_heap_list_new()
 */
size_t vivtheap_heap_list_count(const struct vivtheap_heap_list *list);

/**
 * One heap of a list.
 * @param list the list
 * @param index from 0 to vivtheap_heap_list_count() - 1
 * @return the description, owned by @p list and valid until
 *         vivtheap_heap_list_free(); NULL if @p index is out of range, or
 *         for a NULL @p list in a build with NDEBUG (without it, a NULL
 *         @p list fails an assertion).
 * @see vivtheap_heap_list_count(), vivtheap_heap_desc_name(),
 *      vivtheap_heap_desc_caching(), vivtheap_heap_desc_props()
 */
const struct vivtheap_heap_desc *
vivtheap_heap_list_get(const struct vivtheap_heap_list *list, size_t index);

/**
 * A listed heap's name.
 * @param desc a description from vivtheap_heap_list_get()
 * @return the name under /dev/dma_heap, owned by the list and valid until
 *         vivtheap_heap_list_free(); "" for a NULL @p desc in a build with
 *         NDEBUG (without it, a NULL @p desc fails an assertion).
 * @see vivtheap_heap_list_get(), vivtheap_heap_open()
 */
const char *vivtheap_heap_desc_name(const struct vivtheap_heap_desc *desc);

/**
 * How a listed heap's buffers are cached.
 * @param desc a description from vivtheap_heap_list_get()
 * @return the heap's caching, VIVTHEAP_CACHING_UNKNOWN if nothing is known
 *         of it; VIVTHEAP_CACHING_UNKNOWN also for a NULL @p desc in a
 *         build with NDEBUG (without it, a NULL @p desc fails an assertion).
 * @see vivtheap_heap_list_get(), vivtheap_caching_name()
 */
enum vivtheap_caching
vivtheap_heap_desc_caching(const struct vivtheap_heap_desc *desc);

/**
 * A listed heap's properties.
 * @param desc a description from vivtheap_heap_list_get()
 * @return the VIVTHEAP_PROP_CONTIGUOUS and VIVTHEAP_PROP_VIVTHEAP bits that
 *         the heap has; 0 for a NULL @p desc in a build with NDEBUG
 *         (without it, a NULL @p desc fails an assertion).
 * @see vivtheap_heap_list_get(), vivtheap_heap_find()
 */
unsigned int vivtheap_heap_desc_props(const struct vivtheap_heap_desc *desc);

struct vivtheap_heap;

/**
 * Open a heap by name.
 *
 * What the heap is (caching, properties) is learnt as in
 * vivtheap_heap_list_new().
 * @param name the name under /dev/dma_heap, without "/"
 * @param heap out: the heap, owned by the caller until vivtheap_heap_close()
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of open(2), and @p heap is left untouched.
 * @retval -EINVAL @p name or @p heap is NULL, or @p name is empty, "." or
 *         "..", contains "/" or does not fit VIVTHEAP_HEAP_NAME_MAX.
 * @retval -ENOENT there is no such heap.
 * @retval -EACCES the heap's device may not be opened.
 * @retval -ENOMEM out of memory.
 * @see vivtheap_heap_find(), vivtheap_heap_close(), vivtheap_buffer_alloc()
 */
int vivtheap_heap_open(const char *name, struct vivtheap_heap **heap);

/** vivtheap_heap_find(): a heap whose caching differs may be returned. */
#define VIVTHEAP_FIND_ALLOW_FALLBACK (1u << 0)

/**
 * Open the first heap with the wanted caching and properties.
 *
 * vivtheap's heaps are looked at first. Without VIVTHEAP_FIND_ALLOW_FALLBACK
 * only a heap with exactly @p caching and all of @p props is taken. With it,
 * when none has them, the closest heap is opened and
 * vivtheap_heap_is_fallback() says so: never silently. A fallback never
 * makes data cacheable that was asked not to be: for
 * VIVTHEAP_CACHING_UNCACHED or VIVTHEAP_CACHING_WC only the other of the
 * two stands in, never a cached heap nor one whose caching is unknown (API
 * version 3; before, a cached heap could). For VIVTHEAP_CACHING_CACHED any
 * heap may stand in, which costs speed only.
 * @param caching the wanted caching: VIVTHEAP_CACHING_UNCACHED,
 *                VIVTHEAP_CACHING_WC or VIVTHEAP_CACHING_CACHED
 * @param props VIVTHEAP_PROP_* bits that must be set
 * @param flags 0 or VIVTHEAP_FIND_ALLOW_FALLBACK
 * @param heap out: the heap, owned by the caller until vivtheap_heap_close()
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or one of vivtheap_heap_list_new() and vivtheap_heap_open(),
 *         and @p heap is left untouched.
 * @retval -EINVAL @p heap is NULL, @p caching is not one of the three,
 *         or @p props or @p flags have unknown bits.
 * @retval -ENOENT no heap qualifies, not even as a fallback.
 * @see vivtheap_heap_open(), vivtheap_heap_is_fallback(),
 *      vivtheap_heap_wanted_caching(), vivtheap_heap_close()
 */
int vivtheap_heap_find(enum vivtheap_caching caching, unsigned int props,
		       unsigned int flags, struct vivtheap_heap **heap);

/**
 * An open heap's name.
 * @param heap the heap
 * @return the name under /dev/dma_heap, owned by @p heap and valid until
 *         vivtheap_heap_close(); "" for a NULL @p heap in a build with
 *         NDEBUG (without it, a NULL @p heap fails an assertion).
 * @see vivtheap_heap_open(), vivtheap_heap_find()
 */
const char *vivtheap_heap_name(const struct vivtheap_heap *heap);

/**
 * How an open heap's buffers are cached: what was got.
 * @param heap the heap
 * @return the heap's caching, VIVTHEAP_CACHING_UNKNOWN if nothing is known
 *         of it; VIVTHEAP_CACHING_UNKNOWN also for a NULL @p heap in a
 *         build with NDEBUG (without it, a NULL @p heap fails an assertion).
 * @see vivtheap_heap_wanted_caching(), vivtheap_heap_is_fallback(),
 *      vivtheap_caching_name()
 */
enum vivtheap_caching vivtheap_heap_caching(const struct vivtheap_heap *heap);

/**
 * An open heap's properties: what was got.
 * @param heap the heap
 * @return the VIVTHEAP_PROP_CONTIGUOUS and VIVTHEAP_PROP_VIVTHEAP bits that
 *         the heap has; 0 for a NULL @p heap in a build with NDEBUG
 *         (without it, a NULL @p heap fails an assertion).
 * @see vivtheap_heap_find(), vivtheap_heap_caching()
 */
unsigned int vivtheap_heap_props(const struct vivtheap_heap *heap);

/**
 * The caching that was asked for the heap.
 * @param heap the heap
 * @return the caching given to vivtheap_heap_find(); for a heap from
 *         vivtheap_heap_open(), its own caching; VIVTHEAP_CACHING_UNKNOWN
 *         for a NULL @p heap in a build with NDEBUG (without it, a NULL
 *         @p heap fails an assertion).
 * @see vivtheap_heap_caching(), vivtheap_heap_is_fallback()
 */
enum vivtheap_caching vivtheap_heap_wanted_caching(const struct vivtheap_heap *heap);

/**
 * Whether a heap was taken as a fallback.
 * @param heap the heap
 * @return 1 if what was got is not what was asked (the caching or the
 *         properties differ), 0 if it is; 0 for a NULL @p heap in a build
 *         with NDEBUG (without it, a NULL @p heap fails an assertion).
 * @see vivtheap_heap_find(), vivtheap_heap_wanted_caching(),
 *      vivtheap_heap_caching()
 */
int vivtheap_heap_is_fallback(const struct vivtheap_heap *heap);

/**
 * Close a heap.
 *
 * Buffers allocated from it stay valid. Accepts NULL.
 * @param heap the heap, or NULL
 * @return nothing.
 * @see vivtheap_heap_open(), vivtheap_heap_find()
 */
void vivtheap_heap_close(struct vivtheap_heap *heap);

struct vivtheap_buffer;

/** Buffer flag: checker mode for this buffer (also on with VIVTHEAP_CHECK=1). */
#define VIVTHEAP_BUFFER_CHECKED (1u << 0)
/** Buffer flag: the fd may be mapped for reading only. */
#define VIVTHEAP_BUFFER_READONLY (1u << 1)

/**
 * Allocate a buffer from a heap.
 *
 * The buffer's fd is opened close-on-exec, read-only with
 * VIVTHEAP_BUFFER_READONLY and read-write otherwise; the buffer knows its
 * heap's name and caching.
 * @param heap the heap
 * @param size bytes; the heap rounds it up to whole pages
 * @param flags VIVTHEAP_BUFFER_CHECKED, VIVTHEAP_BUFFER_READONLY or 0
 * @param buf out: the buffer, owned by the caller until vivtheap_buffer_free()
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the heap's own (DMA_HEAP_IOCTL_ALLOC), and @p buf is
 *         left untouched.
 * @retval -EINVAL @p heap or @p buf is NULL, @p size is 0, or @p flags has
 *         unknown bits.
 * @retval -ENOMEM the heap has not the memory, or the library is out of it.
 * @see vivtheap_heap_open(), vivtheap_buffer_map(), vivtheap_buffer_free()
 */
int vivtheap_buffer_alloc(struct vivtheap_heap *heap, size_t size,
			  unsigned int flags, struct vivtheap_buffer **buf);

/**
 * Wrap a dma-buf fd received from a process or a driver.
 *
 * The library takes a duplicate of @p fd: the caller keeps @p fd and closes
 * it when it likes. A buffer of vivtheap's is described by its control
 * node; of any other, only the size is known.
 * @param fd the dma-buf
 * @param flags VIVTHEAP_BUFFER_CHECKED, VIVTHEAP_BUFFER_READONLY or 0
 * @param buf out: the buffer, owned by the caller until vivtheap_buffer_free()
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of dup(2), and @p buf is left untouched.
 * @retval -EBADF @p fd is negative or not open.
 * @retval -EINVAL @p fd is not a dma-buf, @p buf is NULL, or @p flags has
 *         unknown bits.
 * @retval -ENOMEM out of memory.
 * @see vivtheap_buffer_recv(), vivtheap_buffer_caching(),
 *      vivtheap_buffer_free()
 */
int vivtheap_buffer_import(int fd, unsigned int flags,
			   struct vivtheap_buffer **buf);

/**
 * A buffer's dma-buf file descriptor.
 * @param buf the buffer
 * @return the fd, owned by the buffer and closed by vivtheap_buffer_free():
 *         dup(2) it to keep it; -EINVAL for a NULL @p buf in a build with
 *         NDEBUG (without it, a NULL @p buf fails an assertion).
 * @see vivtheap_buffer_import(), vivtheap_buffer_send()
 */
int vivtheap_buffer_fd(const struct vivtheap_buffer *buf);

/**
 * A buffer's size.
 * @param buf the buffer
 * @return the size in bytes, as the kernel reports it (whole pages); 0 for
 *         a NULL @p buf in a build with NDEBUG (without it, a NULL @p buf
 *         fails an assertion).
 * @see vivtheap_buffer_alloc(), vivtheap_buffer_map()
 */
size_t vivtheap_buffer_size(const struct vivtheap_buffer *buf);

/**
 * How a buffer is cached.
 * @param buf the buffer
 * @return the caching its heap or vivtheap's control node tells,
 *         VIVTHEAP_CACHING_UNKNOWN when neither does;
 *         VIVTHEAP_CACHING_UNKNOWN also for a NULL @p buf in a build with
 *         NDEBUG (without it, a NULL @p buf fails an assertion).
 * @see vivtheap_buffer_heap_name(), vivtheap_caching_name()
 */
enum vivtheap_caching vivtheap_buffer_caching(const struct vivtheap_buffer *buf);

/**
 * The name of the heap a buffer came from.
 * @param buf the buffer
 * @return the name, owned by @p buf and valid until vivtheap_buffer_free();
 *         "" if unknown, and for a NULL @p buf in a build with NDEBUG
 *         (without it, a NULL @p buf fails an assertion).
 * @see vivtheap_buffer_caching(), vivtheap_buffer_import()
 */
const char *vivtheap_buffer_heap_name(const struct vivtheap_buffer *buf);

/**
 * Map a buffer into this process.
 *
 * The mapping is shared, read-write unless the buffer is
 * VIVTHEAP_BUFFER_READONLY. Lazy and counted: the first call maps, later
 * ones return the same address. In checker mode the mapping is accessible
 * only inside a CPU-access bracket, and inside a ranged one only the pages of
 * its range.
 * @param buf the buffer
 * @param addr out: the mapping, valid until the matching
 *             vivtheap_buffer_unmap() or vivtheap_buffer_free()
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of mmap(2), and @p addr is left untouched.
 * @retval -EINVAL @p buf or @p addr is NULL.
 * @retval -ENOMEM out of memory.
 * @retval -ENOSPC checker mode, and 256 checked mappings exist already.
 * @see vivtheap_buffer_unmap(), vivtheap_buffer_begin(),
 *      vivtheap_buffer_begin_range()
 */
int vivtheap_buffer_map(struct vivtheap_buffer *buf, void **addr);

/**
 * Drop one reference to a buffer's mapping.
 *
 * The last one unmaps.
 * @param buf the buffer
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of munmap(2).
 * @retval -EINVAL @p buf is NULL.
 * @retval -EPERM the buffer is not mapped.
 * @see vivtheap_buffer_map(), vivtheap_buffer_free()
 */
int vivtheap_buffer_unmap(struct vivtheap_buffer *buf);

#define VIVTHEAP_ACCESS_READ (1u << 0)  /**< the CPU will read */
#define VIVTHEAP_ACCESS_WRITE (1u << 1) /**< the CPU will write */
#define VIVTHEAP_ACCESS_RW (VIVTHEAP_ACCESS_READ | VIVTHEAP_ACCESS_WRITE) /**< both */

/**
 * Open a CPU-access bracket.
 *
 * Issues DMA_BUF_IOCTL_SYNC with DMA_BUF_SYNC_START and the direction of
 * @p access, retried on EINTR and EAGAIN. The bracket belongs to the
 * buffer, not to the thread; a buffer has one at a time. In checker mode the
 * mapping becomes accessible (read-only for VIVTHEAP_ACCESS_READ).
 * @param buf the buffer
 * @param access VIVTHEAP_ACCESS_READ, VIVTHEAP_ACCESS_WRITE or
 *               VIVTHEAP_ACCESS_RW
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of DMA_BUF_IOCTL_SYNC (or, in checker mode,
 *         of mprotect(2)), and no bracket is open.
 * @retval -EINVAL @p buf is NULL or @p access is none of the three.
 * @retval -EBUSY a bracket is already open, or another thread's begin or
 *         end is under way.
 * @retval -EACCES @p access has VIVTHEAP_ACCESS_WRITE and the buffer is
 *         VIVTHEAP_BUFFER_READONLY.
 * @see vivtheap_buffer_end(), vivtheap_buffer_map(),
 *      vivtheap_buffer_begin_range()
 */
int vivtheap_buffer_begin(struct vivtheap_buffer *buf, unsigned int access);

/**
 * Close the CPU-access bracket.
 *
 * Issues DMA_BUF_IOCTL_SYNC with DMA_BUF_SYNC_END, retried on EINTR and
 * EAGAIN. In checker mode the mapping becomes inaccessible again, before
 * the kernel is told. The bracket is closed even when DMA_BUF_IOCTL_SYNC
 * reports an error.
 * @param buf the buffer
 * @param access what vivtheap_buffer_begin() was given
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of DMA_BUF_IOCTL_SYNC (or, in checker mode,
 *         of mprotect(2), and then the bracket stays open).
 * @retval -EINVAL @p buf is NULL, @p access differs from the open
 *         bracket's, or the open bracket is a ranged one.
 * @retval -EPERM no bracket is open.
 * @retval -EBUSY another thread's begin or end is under way.
 * @see vivtheap_buffer_begin(), vivtheap_buffer_end_range()
 */
int vivtheap_buffer_end(struct vivtheap_buffer *buf, unsigned int access);

/**
 * Open a CPU-access bracket on a range of a buffer.
 *
 * For the CPU work that touches a slice of a buffer (a few lines of a
 * frame): on vivtheap's cached heap, only the pages the range touches are
 * maintained, where vivtheap_buffer_begin() maintains the whole buffer.
 * Issues the control node's VIVTHEAP_IOC_SYNC_RANGE with
 * VIVTHEAP_SYNC_START and the direction of @p access, retried on EINTR and
 * EAGAIN; the kernel widens the range to whole pages. The range is checked
 * before any system call.
 *
 * Where the control node cannot take it, the bracket covers the whole
 * buffer in the kernel (DMA_BUF_IOCTL_SYNC with DMA_BUF_SYNC_START), which
 * is correct, only wider: when /dev/vivtheap cannot be opened (the vivtheap
 * module is not loaded, or the process may not open it), when the buffer is
 * not vivtheap's (ENODEV) and
 * when the module has no ranged sync (ENOTTY). The buffer remembers that
 * answer for its life. A buffer whose ranged brackets reach the control
 * node keeps it open (one file descriptor) from its first ranged bracket
 * until vivtheap_buffer_free(). Either way the bracket's rules and checker
 * mode are the same.
 *
 * The bracket belongs to the buffer, not to the thread; a buffer has one
 * at a time, whole or ranged. In checker mode the pages the range touches
 * become accessible (read-only for VIVTHEAP_ACCESS_READ), and the rest of
 * the mapping stays inaccessible.
 * @param buf the buffer
 * @param access VIVTHEAP_ACCESS_READ, VIVTHEAP_ACCESS_WRITE or
 *               VIVTHEAP_ACCESS_RW
 * @param offset the range's first byte, from the start of the buffer
 * @param length the range's size in bytes, at least 1
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of VIVTHEAP_IOC_SYNC_RANGE or
 *         DMA_BUF_IOCTL_SYNC (or, in checker mode, of mprotect(2)), and no
 *         bracket is open.
 * @retval -EINVAL @p buf is NULL, @p access is none of the three,
 *         @p length is 0, or the range does not lie inside the buffer
 *         (@p offset + @p length beyond vivtheap_buffer_size(), an
 *         @p offset near SIZE_MAX included: the sum is never formed).
 * @retval -EBUSY a bracket is already open, or another thread's begin or
 *         end is under way.
 * @retval -EACCES @p access has VIVTHEAP_ACCESS_WRITE and the buffer is
 *         VIVTHEAP_BUFFER_READONLY.
 * @see vivtheap_buffer_end_range(), vivtheap_buffer_begin(),
 *      vivtheap_buffer_map()
 */
int vivtheap_buffer_begin_range(struct vivtheap_buffer *buf,
				unsigned int access, size_t offset,
				size_t length);

/**
 * Close a CPU-access bracket on a range of a buffer.
 *
 * Issues VIVTHEAP_IOC_SYNC_RANGE with VIVTHEAP_SYNC_END, or
 * DMA_BUF_IOCTL_SYNC with DMA_BUF_SYNC_END where vivtheap_buffer_begin_range()
 * used it, retried on EINTR and EAGAIN. The access and the range must be
 * those the bracket was opened with. In checker mode the range's pages
 * become inaccessible again, before the kernel is told. The bracket is
 * closed even when the kernel reports an error.
 * @param buf the buffer
 * @param access what vivtheap_buffer_begin_range() was given
 * @param offset what vivtheap_buffer_begin_range() was given
 * @param length what vivtheap_buffer_begin_range() was given
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of VIVTHEAP_IOC_SYNC_RANGE or
 *         DMA_BUF_IOCTL_SYNC (or, in checker mode, of mprotect(2), and then
 *         the bracket stays open).
 * @retval -EINVAL @p buf is NULL, @p length is 0, the range does not lie
 *         inside the buffer, @p access, @p offset or @p length differ from
 *         the open bracket's, or the open bracket is a whole-buffer one.
 * @retval -EPERM no bracket is open.
 * @retval -EBUSY another thread's begin or end is under way.
 * @see vivtheap_buffer_begin_range(), vivtheap_buffer_end()
 */
int vivtheap_buffer_end_range(struct vivtheap_buffer *buf, unsigned int access,
			      size_t offset, size_t length);

/**
 * Name a buffer.
 *
 * DMA_BUF_SET_NAME: the name shows in /sys/kernel/debug/dma_buf and in the
 * fd's fdinfo.
 * @param buf the buffer
 * @param name the name, copied by the kernel
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of DMA_BUF_SET_NAME.
 * @retval -EINVAL @p buf or @p name is NULL, or the kernel refuses the
 *         name.
 * @retval -EBUSY the kernel refuses renaming an attached buffer (kernels
 *         before 5.15).
 * @see vivtheap_buffer_alloc()
 */
int vivtheap_buffer_set_name(struct vivtheap_buffer *buf, const char *name);

/**
 * Free a buffer.
 *
 * Unmaps it and closes its fd. The memory lives on while another process,
 * a driver or an fd still holds it. Must not race with any other use of
 * @p buf. Accepts NULL.
 * @param buf the buffer, or NULL
 * @return nothing.
 * @see vivtheap_buffer_alloc(), vivtheap_buffer_import(),
 *      vivtheap_buffer_recv()
 */
void vivtheap_buffer_free(struct vivtheap_buffer *buf);

/**
 * Send a buffer to another process.
 *
 * The fd goes over the connected UNIX socket @p sock (SCM_RIGHTS) with a
 * small versioned header: the size, the caching and the heap's name. The
 * buffer stays the caller's.
 * @param buf the buffer
 * @param sock a connected UNIX socket
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of sendmsg(2).
 * @retval -EINVAL @p buf is NULL or @p sock is negative.
 * @retval -EPROTO the message went out short.
 * @see vivtheap_buffer_recv()
 */
int vivtheap_buffer_send(const struct vivtheap_buffer *buf, int sock);

/**
 * Receive a buffer sent by vivtheap_buffer_send().
 *
 * The message is checked: its header, its version and the size of the fd
 * it carries.
 * @param sock a connected UNIX socket
 * @param flags VIVTHEAP_BUFFER_CHECKED, VIVTHEAP_BUFFER_READONLY or 0, for
 *              the new buffer
 * @param buf out: the buffer, owned by the caller until vivtheap_buffer_free()
 * @return 0 on success; on failure a negative errno, one of those under
 *         ERRORS or the error of recvmsg(2), and @p buf is left untouched.
 * @retval -EINVAL @p buf is NULL, @p sock is negative, or @p flags has
 *         unknown bits.
 * @retval -EPROTO the message is not a vivtheap buffer.
 * @retval -ECONNRESET the peer closed the socket.
 * @see vivtheap_buffer_send(), vivtheap_buffer_import()
 */
int vivtheap_buffer_recv(int sock, unsigned int flags,
			 struct vivtheap_buffer **buf);

/**
 * The library's version.
 * @return the package version, "MAJOR.MINOR.PATCH", a string in static
 *         storage that the caller must not free.
 */
const char *vivtheap_version(void);

#ifdef __cplusplus
}
#endif

#endif /* VIVTHEAP_H */
