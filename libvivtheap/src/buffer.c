// SPDX-License-Identifier: MIT
/* Buffers: allocate, import, map, CPU-access brackets (whole or ranged), name, free. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/vivtheap.h>

#include "internal.h"
#include "sys.h"

#define VIVTHEAP_BUFFER_FLAGS (VIVTHEAP_BUFFER_CHECKED | VIVTHEAP_BUFFER_READONLY)

/* The control node's ranged sync takes DMA_BUF_IOCTL_SYNC's flags as they are. */
_Static_assert(VIVTHEAP_SYNC_READ == DMA_BUF_SYNC_READ &&
	       VIVTHEAP_SYNC_WRITE == DMA_BUF_SYNC_WRITE &&
	       VIVTHEAP_SYNC_START == DMA_BUF_SYNC_START &&
	       VIVTHEAP_SYNC_END == DMA_BUF_SYNC_END,
	       "VIVTHEAP_SYNC_* must be DMA_BUF_SYNC_*'s values");

int vivtheap_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = vivtheap_sys_ioctl(fd, request, arg);
	} while (ret == -EINTR || ret == -EAGAIN);
	return ret;
}

/* Ask vivtheap's control node what the buffer is; quietly nothing if not ours. */
static void vivtheap_buffer_query(struct vivtheap_buffer *buf)
{
	struct vivtheap_ioc_buffer_info info;
	int ctl = vivtheap_sys_open(VIVTHEAP_CTL_PATH, O_RDWR);

	if (ctl < 0)
		return;
	memset(&info, 0, sizeof(info));
	info.fd = (uint32_t)buf->fd;
	if (!vivtheap_ioctl(ctl, VIVTHEAP_IOC_BUFFER_INFO, &info)) {
		buf->caching = vivtheap_caching_from_mode(info.cache_mode);
		memcpy(buf->heap, info.heap_name, sizeof(info.heap_name));
		buf->heap[sizeof(info.heap_name) - 1] = '\0';
	}
	vivtheap_sys_close(ctl);
}

int vivtheap_buffer_wrap(int fd, unsigned int flags, const char *heap,
			 enum vivtheap_caching caching, size_t known_size,
			 struct vivtheap_buffer **buf)
{
	struct vivtheap_buffer *b;
	off_t size;
	int ret;

	/* A heap's answer is a dma-buf; what was received or imported is checked. */
	if (!known_size) {
		ret = vivtheap_sys_is_dmabuf(fd);
		if (ret <= 0) {
			ret = ret ? ret : -EINVAL; /* not a dma-buf: not ours to take */
			goto close_fd;
		}
	}
	/* The size of what was received or imported is asked of the kernel. */
	size = known_size ? (off_t)known_size : vivtheap_sys_size(fd);
	if (size <= 0) {
		ret = size ? (int)size : -EINVAL;
		goto close_fd;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		ret = -ENOMEM;
		goto close_fd;
	}
	ret = -pthread_mutex_init(&b->lock, NULL);
	if (ret)
		goto free_buffer;
	b->fd = fd;
	b->size = (size_t)size;
	b->flags = flags;
	b->check_slot = -1;
	b->ctl = VIVTHEAP_CTL_UNTRIED;
	b->checked = vivtheap_check_enabled(flags);
	atomic_init(&b->access, 0);
	b->caching = caching;
	if (heap) {
		strncpy(b->heap, heap, sizeof(b->heap) - 1);
	}
	if (!heap)
		vivtheap_buffer_query(b);
	*buf = b;
	return 0;

free_buffer:
	free(b);
close_fd:
	vivtheap_sys_close(fd);
	return ret;
}

VIVTHEAP_EXPORT int vivtheap_buffer_alloc(struct vivtheap_heap *heap,
					  size_t size, unsigned int flags,
					  struct vivtheap_buffer **buf)
{
	struct dma_heap_allocation_data data;
	size_t page;
	int ret;

	if (!heap || !buf || !size || (flags & ~VIVTHEAP_BUFFER_FLAGS))
		return -EINVAL;
	memset(&data, 0, sizeof(data));
	data.len = size;
	data.fd_flags = O_CLOEXEC |
			((flags & VIVTHEAP_BUFFER_READONLY) ? O_RDONLY : O_RDWR);
	ret = vivtheap_ioctl(heap->fd, DMA_HEAP_IOCTL_ALLOC, &data);
	if (ret < 0)
		return ret;
	/*
	 * From here the buffer object owns data.fd. DMA_HEAP_IOCTL_ALLOC gives
	 * a buffer of len rounded up to whole pages (the dma-heap core's
	 * PAGE_ALIGN), so the size needs no lseek().
	 */
	page = (size_t)sysconf(_SC_PAGESIZE);
	return vivtheap_buffer_wrap((int)data.fd, flags, heap->name,
				    heap->caching, (size + page - 1) & ~(page - 1),
				    buf);
}

VIVTHEAP_EXPORT int vivtheap_buffer_import(int fd, unsigned int flags,
					   struct vivtheap_buffer **buf)
{
	int dup;

	if (!buf || fd < 0 || (flags & ~VIVTHEAP_BUFFER_FLAGS))
		return fd < 0 ? -EBADF : -EINVAL;
	dup = vivtheap_sys_dup(fd);
	if (dup < 0)
		return dup;
	return vivtheap_buffer_wrap(dup, flags, NULL, VIVTHEAP_CACHING_UNKNOWN,
				    0, buf);
}

VIVTHEAP_EXPORT int vivtheap_buffer_fd(const struct vivtheap_buffer *buf)
{
	assert(buf);
	return buf ? buf->fd : -EINVAL;
}

VIVTHEAP_EXPORT size_t vivtheap_buffer_size(const struct vivtheap_buffer *buf)
{
	assert(buf);
	return buf ? buf->size : 0;
}

VIVTHEAP_EXPORT enum vivtheap_caching
vivtheap_buffer_caching(const struct vivtheap_buffer *buf)
{
	assert(buf);
	return buf ? buf->caching : VIVTHEAP_CACHING_UNKNOWN;
}

VIVTHEAP_EXPORT const char *
vivtheap_buffer_heap_name(const struct vivtheap_buffer *buf)
{
	assert(buf);
	return buf ? buf->heap : "";
}

static int vivtheap_buffer_prot(const struct vivtheap_buffer *buf)
{
	return (buf->flags & VIVTHEAP_BUFFER_READONLY) ? PROT_READ :
							  PROT_READ | PROT_WRITE;
}

VIVTHEAP_EXPORT int vivtheap_buffer_map(struct vivtheap_buffer *buf, void **addr)
{
	int ret = 0, prot;
	void *p;

	if (!buf || !addr)
		return -EINVAL;
	pthread_mutex_lock(&buf->lock);
	if (buf->map_count) {
		buf->map_count++;
		*addr = buf->addr;
		goto unlock;
	}
	/* In checker mode the mapping is accessible only inside a bracket. */
	prot = buf->checked ? vivtheap_check_map_prot(buf) : vivtheap_buffer_prot(buf);
	p = vivtheap_sys_mmap(buf->size, prot, buf->fd, &ret);
	if (ret)
		goto unlock;
	buf->addr = p;
	buf->map_count = 1;
	if (buf->checked) {
		ret = vivtheap_check_register(buf);
		if (ret) {
			vivtheap_sys_munmap(p, buf->size);
			buf->addr = NULL;
			buf->map_count = 0;
			goto unlock;
		}
	}
	*addr = p;
unlock:
	pthread_mutex_unlock(&buf->lock);
	return ret;
}

VIVTHEAP_EXPORT int vivtheap_buffer_unmap(struct vivtheap_buffer *buf)
{
	int ret = 0;

	if (!buf)
		return -EINVAL;
	pthread_mutex_lock(&buf->lock);
	if (!buf->map_count) {
		ret = -EPERM;
	} else if (--buf->map_count == 0) {
		vivtheap_check_unregister(buf);
		ret = vivtheap_sys_munmap(buf->addr, buf->size);
		buf->addr = NULL;
	}
	pthread_mutex_unlock(&buf->lock);
	return ret;
}

static __u64 vivtheap_sync_flags(unsigned int access)
{
	__u64 f = 0;

	if (access & VIVTHEAP_ACCESS_READ)
		f |= DMA_BUF_SYNC_READ;
	if (access & VIVTHEAP_ACCESS_WRITE)
		f |= DMA_BUF_SYNC_WRITE;
	return f;
}

/*
 * The arguments of a bracket: a buffer, an access, and for a ranged one a
 * range of at least one byte inside the buffer (no sum can overflow).
 */
static bool vivtheap_bracket_valid(const struct vivtheap_buffer *buf,
				   unsigned int access, bool ranged,
				   size_t offset, size_t length)
{
	if (!buf || !access || (access & ~VIVTHEAP_ACCESS_RW))
		return false;
	return !ranged || (length && offset <= buf->size && length <= buf->size - offset);
}

/* What struct vivtheap_buffer.access holds while the bracket is open. */
static unsigned int vivtheap_bracket_state(unsigned int access, bool ranged)
{
	return access | (ranged ? VIVTHEAP_ACCESS_RANGED : 0);
}

/*
 * START or END (flags: DMA_BUF_SYNC_*) of the bracket the caller holds:
 * through the control node when its begin went there (a ranged bracket
 * with range_ctl), else DMA_BUF_IOCTL_SYNC on the whole buffer.
 */
static int vivtheap_bracket_sync(struct vivtheap_buffer *buf, __u64 flags,
				 bool ranged)
{
	struct vivtheap_ioc_sync_range range;
	struct dma_buf_sync sync;

	if (ranged && buf->range_ctl) {
		memset(&range, 0, sizeof(range));
		range.fd = (__u32)buf->fd;
		range.flags = (__u32)flags;
		range.offset = buf->range_offset;
		range.length = buf->range_length;
		return vivtheap_ioctl(buf->ctl, VIVTHEAP_IOC_SYNC_RANGE, &range);
	}
	sync.flags = flags;
	return vivtheap_ioctl(buf->fd, DMA_BUF_IOCTL_SYNC, &sync);
}

/*
 * The START of a ranged bracket, which decides where it goes: the control
 * node's VIVTHEAP_IOC_SYNC_RANGE, opened at the buffer's first ranged
 * bracket and kept until vivtheap_buffer_free(); else a whole-buffer
 * DMA_BUF_IOCTL_SYNC, which does all the range needs and more, when there
 * is no control node to open (no vivtheap module), when the buffer is not
 * vivtheap's (ENODEV) or when the module has no ranged sync (ENOTTY). The
 * buffer remembers that answer: the control node is not asked again.
 */
static int vivtheap_range_start(struct vivtheap_buffer *buf, __u64 flags)
{
	int ret;

	if (buf->ctl == VIVTHEAP_CTL_UNTRIED) {
		ret = vivtheap_sys_open(VIVTHEAP_CTL_PATH, O_RDWR);
		buf->ctl = ret >= 0 ? ret : VIVTHEAP_CTL_NONE;
	}
	buf->range_ctl = buf->ctl >= 0;
	if (buf->range_ctl) {
		ret = vivtheap_bracket_sync(buf, flags, true);
		if (ret != -ENODEV && ret != -ENOTTY)
			return ret;
		vivtheap_sys_close(buf->ctl);
		buf->ctl = VIVTHEAP_CTL_NONE;
		buf->range_ctl = false;
	}
	return vivtheap_bracket_sync(buf, flags, false);
}

/*
 * The brackets take no lock: the bracket state is claimed and released by
 * compare-and-swap (two atomics per begin+end pair), so a bracket costs
 * little more than its two ioctls. Checker mode takes the buffer lock around
 * its mprotect(), which needs the mapping stable. A bracket that is not
 * ranged has offset and length 0.
 */
static int vivtheap_bracket_begin(struct vivtheap_buffer *buf, unsigned int access,
				  bool ranged, size_t offset, size_t length)
{
	unsigned int idle = 0, state = vivtheap_bracket_state(access, ranged);
	__u64 dir = vivtheap_sync_flags(access);
	int ret;

	if (!vivtheap_bracket_valid(buf, access, ranged, offset, length))
		return -EINVAL;
	if ((access & VIVTHEAP_ACCESS_WRITE) &&
	    (buf->flags & VIVTHEAP_BUFFER_READONLY))
		return -EACCES;
	if (!atomic_compare_exchange_strong(&buf->access, &idle,
					    state | VIVTHEAP_ACCESS_BUSY))
		return -EBUSY;
	/* From here this thread owns the bracket and its range. */
	buf->range_offset = offset;
	buf->range_length = length;
	if (ranged)
		ret = vivtheap_range_start(buf, DMA_BUF_SYNC_START | dir);
	else
		ret = vivtheap_bracket_sync(buf, DMA_BUF_SYNC_START | dir, false);
	if (ret)
		goto release;
	if (buf->checked) {
		pthread_mutex_lock(&buf->lock);
		ret = vivtheap_check_open(buf, access, offset, length);
		pthread_mutex_unlock(&buf->lock);
		if (ret) {
			/* Close the bracket the kernel has open. */
			vivtheap_bracket_sync(buf, DMA_BUF_SYNC_END | dir, ranged);
			goto release;
		}
	}
	atomic_store(&buf->access, state);
	return 0;

release:
	atomic_store(&buf->access, 0);
	return ret;
}

static int vivtheap_bracket_end(struct vivtheap_buffer *buf, unsigned int access,
				bool ranged, size_t offset, size_t length)
{
	unsigned int state = vivtheap_bracket_state(access, ranged), cur = state;
	int ret;

	if (!vivtheap_bracket_valid(buf, access, ranged, offset, length))
		return -EINVAL;
	if (!atomic_compare_exchange_strong(&buf->access, &cur,
					    state | VIVTHEAP_ACCESS_BUSY)) {
		if (!cur)
			return -EPERM;
		return (cur & VIVTHEAP_ACCESS_BUSY) ? -EBUSY : -EINVAL;
	}
	if (ranged && (offset != buf->range_offset || length != buf->range_length)) {
		atomic_store(&buf->access, state); /* still open */
		return -EINVAL;
	}
	/* Fence the CPU off before the device may touch the data. */
	if (buf->checked) {
		pthread_mutex_lock(&buf->lock);
		ret = vivtheap_check_close(buf);
		pthread_mutex_unlock(&buf->lock);
		if (ret) {
			atomic_store(&buf->access, state); /* still open */
			return ret;
		}
	}
	ret = vivtheap_bracket_sync(buf, DMA_BUF_SYNC_END | vivtheap_sync_flags(access),
				    ranged);
	/* The bracket is over for the kernel even when END reports an error. */
	atomic_store(&buf->access, 0);
	return ret;
}

VIVTHEAP_EXPORT int vivtheap_buffer_begin(struct vivtheap_buffer *buf,
					  unsigned int access)
{
	return vivtheap_bracket_begin(buf, access, false, 0, 0);
}

VIVTHEAP_EXPORT int vivtheap_buffer_end(struct vivtheap_buffer *buf,
					unsigned int access)
{
	return vivtheap_bracket_end(buf, access, false, 0, 0);
}

VIVTHEAP_EXPORT int vivtheap_buffer_begin_range(struct vivtheap_buffer *buf,
						unsigned int access,
						size_t offset, size_t length)
{
	return vivtheap_bracket_begin(buf, access, true, offset, length);
}

VIVTHEAP_EXPORT int vivtheap_buffer_end_range(struct vivtheap_buffer *buf,
					      unsigned int access,
					      size_t offset, size_t length)
{
	return vivtheap_bracket_end(buf, access, true, offset, length);
}

VIVTHEAP_EXPORT int vivtheap_buffer_set_name(struct vivtheap_buffer *buf,
					     const char *name)
{
	if (!buf || !name)
		return -EINVAL;
	/* DMA_BUF_SET_NAME's historical encoding has no size; the kernel
	 * copies a NUL-terminated string of at most DMA_BUF_NAME_LEN. */
	return vivtheap_ioctl(buf->fd, DMA_BUF_SET_NAME, (void *)name);
}

VIVTHEAP_EXPORT void vivtheap_buffer_free(struct vivtheap_buffer *buf)
{
	if (!buf)
		return;
	if (buf->map_count) {
		vivtheap_check_unregister(buf);
		vivtheap_sys_munmap(buf->addr, buf->size);
	}
	if (buf->ctl >= 0)
		vivtheap_sys_close(buf->ctl);
	vivtheap_sys_close(buf->fd);
	pthread_mutex_destroy(&buf->lock);
	free(buf);
}
