// SPDX-License-Identifier: MIT
/*
 * GstVivtheapAllocator: memory from a dma-buf heap through libvivtheap.
 *
 * Each memory is a GstFdMemory (made by GstDmaBufAllocator, so every
 * dma-buf consumer knows it) whose fd is a struct vivtheap_buffer's. The
 * buffer hangs off the memory as qdata with its map state; the memory's
 * last unref frees it, which unmaps it and closes the fd (the GstFdMemory
 * is made GST_FD_MEMORY_FLAG_DONT_CLOSE: one owner for the fd).
 *
 * Map and unmap: GStreamer 1.22's GstDmaBufAllocator (gstdmabuf.c) installs
 * mem_map_full/mem_unmap_full that issue DMA_BUF_IOCTL_SYNC START at every
 * gst_memory_map() and END at every unmap, in the map's direction, around
 * GstFdMemory's mmap (made once, counted); a failed sync is only a warning,
 * EINTR is not retried, and nested maps nest STARTs. Here those callbacks
 * are replaced, not chained to, so the sync happens exactly once, through
 * libvivtheap's bracket: START (retried on EINTR/EAGAIN) at the first of
 * the maps open at once, END at the last unmap, in the first map's
 * direction (GstMemory's lock only lets later maps ask for a subset of it).
 * A failed START fails the map. The buffer's mapping is made at the first
 * map and kept until the memory is freed: a pooled frame is not mmap()ed
 * per frame; in libvivtheap's checker mode (VIVTHEAP_CHECK=1) it is
 * inaccessible outside the bracket all the same.
 */
#include <errno.h>
#include <unistd.h>

#include <vivtheap.h>

#include "allocator.h"
#include "debug.h"
#include "heap.h"

#define GST_CAT_DEFAULT gst_vivtheap_debug

struct _GstVivtheapAllocator {
	GstDmaBufAllocator parent;

	/* Set by gst_vivtheap_allocator_new(), then immutable. */
	struct vivtheap_heap *heap;
	gchar *heap_name;
	const gchar *caching;
	gboolean contiguous;
};

/* A memory's buffer and map state (qdata on the memory, never a sub-memory). */
struct vivtheap_mem {
	struct vivtheap_buffer *buf;
	GMutex lock;           /* guards the fields below */
	void *addr;            /* the mapping, from the first map to the end */
	guint maps;            /* maps open at once: one bracket for all */
	unsigned int access;   /* the open bracket's VIVTHEAP_ACCESS_* */
};

G_DEFINE_TYPE(GstVivtheapAllocator, gst_vivtheap_allocator,
	      GST_TYPE_DMABUF_ALLOCATOR)

static GQuark mem_quark(void)
{
	return g_quark_from_static_string("GstVivtheapMemoryState");
}

static struct vivtheap_mem *mem_state(GstMemory *mem)
{
	if (mem->parent)
		mem = mem->parent; /* gst_fd_mem_share() names the root */
	return gst_mini_object_get_qdata(GST_MINI_OBJECT_CAST(mem), mem_quark());
}

static unsigned int access_of(GstMapFlags flags)
{
	unsigned int access = 0;

	if (flags & GST_MAP_READ)
		access |= VIVTHEAP_ACCESS_READ;
	if (flags & GST_MAP_WRITE)
		access |= VIVTHEAP_ACCESS_WRITE;
	/* A map that says neither still gets a bracket: the narrowest one. */
	return access ? access : VIVTHEAP_ACCESS_READ;
}

static const gchar *access_name(unsigned int access)
{
	switch (access) {
	case VIVTHEAP_ACCESS_READ:
		return "read";
	case VIVTHEAP_ACCESS_WRITE:
		return "write";
	default:
		return "read-write";
	}
}

static gpointer vivtheap_mem_map(GstMemory *mem, GstMapFlags flags)
{
	struct vivtheap_mem *vm = mem_state(mem);
	unsigned int access = access_of(flags);
	gpointer ret = NULL;
	int err;

	if (!vm) {
		GST_ERROR_OBJECT(mem->allocator,
				 "memory %p was not allocated by this allocator: not mapped",
				 mem);
		return NULL;
	}
	g_mutex_lock(&vm->lock);
	if (vm->maps) {
		if ((vm->access & access) != access) {
			GST_ERROR_OBJECT(mem->allocator,
					 "memory %p: a %s map inside an open %s one",
					 mem, access_name(access), access_name(vm->access));
			goto out;
		}
		vm->maps++;
		ret = vm->addr;
		goto out;
	}
	if (!vm->addr) {
		err = vivtheap_buffer_map(vm->buf, &vm->addr);
		if (err) {
			vm->addr = NULL;
			GST_ERROR_OBJECT(mem->allocator, "memory %p: mmap: %s", mem,
					 g_strerror(-err));
			goto out;
		}
	}
	err = vivtheap_buffer_begin(vm->buf, access);
	if (err) {
		GST_ERROR_OBJECT(mem->allocator,
				 "memory %p: DMA_BUF_IOCTL_SYNC START (%s): %s",
				 mem, access_name(access), g_strerror(-err));
		goto out;
	}
	GST_TRACE_OBJECT(mem->allocator, "memory %p: %s bracket opened", mem,
			 access_name(access));
	vm->access = access;
	vm->maps = 1;
	ret = vm->addr;
out:
	g_mutex_unlock(&vm->lock);
	return ret;
}

static void vivtheap_mem_unmap(GstMemory *mem)
{
	struct vivtheap_mem *vm = mem_state(mem);
	int err;

	if (!vm)
		return;
	g_mutex_lock(&vm->lock);
	if (!vm->maps) {
		GST_ERROR_OBJECT(mem->allocator, "memory %p: unmap without map", mem);
	} else if (!--vm->maps) {
		err = vivtheap_buffer_end(vm->buf, vm->access);
		if (err)
			GST_ERROR_OBJECT(mem->allocator,
					 "memory %p: DMA_BUF_IOCTL_SYNC END (%s): %s",
					 mem, access_name(vm->access), g_strerror(-err));
		else
			GST_TRACE_OBJECT(mem->allocator, "memory %p: %s bracket closed",
					 mem, access_name(vm->access));
	}
	g_mutex_unlock(&vm->lock);
}

/* GstAllocator's two ways of calling map and unmap lead to the same place. */
static gpointer vivtheap_mem_map_full(GstMemory *mem, GstMapInfo *info,
				      gsize maxsize)
{
	return vivtheap_mem_map(mem, info->flags);
}

static void vivtheap_mem_unmap_full(GstMemory *mem, GstMapInfo *info)
{
	vivtheap_mem_unmap(mem);
}

static gpointer vivtheap_mem_map_flags(GstMemory *mem, gsize maxsize,
				       GstMapFlags flags)
{
	return vivtheap_mem_map(mem, flags);
}

/* The memory's last unref (qdata goes before GstFdMemory's free). */
static void vivtheap_mem_free(gpointer data)
{
	struct vivtheap_mem *vm = data;

	if (vm->maps) {
		GST_WARNING("memory freed inside a CPU-access bracket: closing it");
		vivtheap_buffer_end(vm->buf, vm->access);
	}
	vivtheap_buffer_free(vm->buf);
	g_mutex_clear(&vm->lock);
	g_free(vm);
}

GstMemory *gst_vivtheap_allocator_alloc_memory(GstAllocator *allocator,
					       gsize size,
					       const GstAllocationParams *params,
					       GError **error)
{
	GstVivtheapAllocator *self;
	GstAllocationParams defaults;
	struct vivtheap_buffer *buf;
	struct vivtheap_mem *vm;
	gsize total, page;
	GstMemory *mem;
	int err;

	g_return_val_if_fail(GST_IS_VIVTHEAP_ALLOCATOR(allocator), NULL);
	self = GST_VIVTHEAP_ALLOCATOR(allocator);
	if (!params) {
		gst_allocation_params_init(&defaults);
		params = &defaults;
	}
	if (!self->heap) {
		g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
			    "An allocator made without gst_vivtheap_allocator_new() has no heap");
		return NULL;
	}
	page = (gsize)sysconf(_SC_PAGESIZE);
	if (params->align >= page) {
		g_set_error(error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
			    "Alignment of %" G_GSIZE_FORMAT " bytes asked of heap \"%s\": its buffers are aligned to a page (%" G_GSIZE_FORMAT " bytes), no more",
			    params->align + 1, self->heap_name, page);
		return NULL;
	}
	if (size > G_MAXSIZE - params->prefix ||
	    size + params->prefix > G_MAXSIZE - params->padding) {
		gst_vivtheap_set_errno_error(error, EOVERFLOW,
					     "Could not allocate %" G_GSIZE_FORMAT " bytes with a prefix of %" G_GSIZE_FORMAT " and padding of %" G_GSIZE_FORMAT " from heap \"%s\"",
					     size, params->prefix, params->padding,
					     self->heap_name);
		return NULL;
	}
	total = MAX(params->prefix + size + params->padding, 1);
	err = vivtheap_buffer_alloc(self->heap, total, 0, &buf);
	if (err) {
		gst_vivtheap_set_errno_error(error, -err,
					     "Could not allocate a %" G_GSIZE_FORMAT "-byte buffer from heap \"%s\"",
					     total, self->heap_name);
		return NULL;
	}
	mem = gst_dmabuf_allocator_alloc_with_flags(allocator, vivtheap_buffer_fd(buf),
						    vivtheap_buffer_size(buf),
						    GST_FD_MEMORY_FLAG_DONT_CLOSE);
	if (!mem) {
		vivtheap_buffer_free(buf);
		gst_vivtheap_set_errno_error(error, ENOMEM,
					     "Could not wrap a buffer of heap \"%s\"",
					     self->heap_name);
		return NULL;
	}
	vm = g_new0(struct vivtheap_mem, 1);
	vm->buf = buf;
	g_mutex_init(&vm->lock);
	/* From here the memory owns buf: only its last unref frees it. */
	gst_mini_object_set_qdata(GST_MINI_OBJECT_CAST(mem), mem_quark(), vm,
				  vivtheap_mem_free);
	gst_mini_object_set_qdata(GST_MINI_OBJECT_CAST(mem),
				  GST_VIVTHEAP_MEMORY_CACHING_QUARK,
				  (gpointer)self->caching, NULL);
	gst_mini_object_set_qdata(GST_MINI_OBJECT_CAST(mem),
				  GST_VIVTHEAP_MEMORY_HEAP_QUARK,
				  self->heap_name, NULL);
	gst_memory_resize(mem, (gssize)params->prefix, size);
	/*
	 * After the resize, which clears ZERO_PREFIXED/PADDED: heaps zero
	 * every buffer they hand out, so those hold when asked for.
	 */
	GST_MINI_OBJECT_FLAG_SET(mem, params->flags);
	if (self->contiguous)
		GST_MINI_OBJECT_FLAG_SET(mem, GST_MEMORY_FLAG_PHYSICALLY_CONTIGUOUS);
	mem->align = params->align;
	GST_DEBUG_OBJECT(allocator, "memory %p: fd %d, %" G_GSIZE_FORMAT " bytes (%" G_GSIZE_FORMAT " in the buffer) from %s",
			 mem, vivtheap_buffer_fd(buf), size, mem->maxsize,
			 self->heap_name);
	return mem;
}

static GstMemory *gst_vivtheap_allocator_alloc(GstAllocator *allocator,
					       gsize size,
					       GstAllocationParams *params)
{
	GError *error = NULL;
	GstMemory *mem;

	mem = gst_vivtheap_allocator_alloc_memory(allocator, size, params, &error);
	if (!mem) {
		GST_ERROR_OBJECT(allocator, "%s", error->message);
		g_error_free(error);
	}
	return mem;
}

GstAllocator *gst_vivtheap_allocator_new(const gchar *heap, GError **error)
{
	GstVivtheapAllocator *self;
	GstVivtheapHeapSpec spec;
	struct vivtheap_heap *h;

	gst_vivtheap_debug_init();
	if (!gst_vivtheap_heap_spec_parse(heap, &spec, error))
		return NULL;
	h = gst_vivtheap_heap_open(&spec, error);
	if (!h)
		return NULL;
	self = g_object_new(GST_TYPE_VIVTHEAP_ALLOCATOR, NULL);
	gst_object_ref_sink(self);
	self->heap = h;
	self->heap_name = g_strdup(vivtheap_heap_name(h));
	self->caching = vivtheap_caching_name(vivtheap_heap_caching(h));
	self->contiguous = !!(vivtheap_heap_props(h) & VIVTHEAP_PROP_CONTIGUOUS);
	GST_INFO_OBJECT(self, "heap %s (%s%s)", self->heap_name, self->caching,
			self->contiguous ? ", contiguous" : "");
	return GST_ALLOCATOR_CAST(self);
}

const gchar *gst_vivtheap_allocator_get_heap_name(GstAllocator *allocator)
{
	g_return_val_if_fail(GST_IS_VIVTHEAP_ALLOCATOR(allocator), NULL);
	return GST_VIVTHEAP_ALLOCATOR(allocator)->heap_name;
}

const gchar *gst_vivtheap_allocator_get_caching(GstAllocator *allocator)
{
	g_return_val_if_fail(GST_IS_VIVTHEAP_ALLOCATOR(allocator), NULL);
	return GST_VIVTHEAP_ALLOCATOR(allocator)->caching;
}

gboolean gst_vivtheap_allocator_is_contiguous(GstAllocator *allocator)
{
	g_return_val_if_fail(GST_IS_VIVTHEAP_ALLOCATOR(allocator), FALSE);
	return GST_VIVTHEAP_ALLOCATOR(allocator)->contiguous;
}

gboolean gst_is_vivtheap_memory(GstMemory *mem)
{
	g_return_val_if_fail(mem != NULL, FALSE);
	return mem->allocator && GST_IS_VIVTHEAP_ALLOCATOR(mem->allocator) &&
	       mem_state(mem) != NULL;
}

static const gchar *mem_qdata(GstMemory *mem, GQuark quark)
{
	if (!gst_is_vivtheap_memory(mem))
		return NULL;
	if (mem->parent)
		mem = mem->parent;
	return gst_mini_object_get_qdata(GST_MINI_OBJECT_CAST(mem), quark);
}

const gchar *gst_vivtheap_memory_get_caching(GstMemory *mem)
{
	return mem_qdata(mem, GST_VIVTHEAP_MEMORY_CACHING_QUARK);
}

const gchar *gst_vivtheap_memory_get_heap_name(GstMemory *mem)
{
	return mem_qdata(mem, GST_VIVTHEAP_MEMORY_HEAP_QUARK);
}

static void gst_vivtheap_allocator_finalize(GObject *object)
{
	GstVivtheapAllocator *self = GST_VIVTHEAP_ALLOCATOR(object);

	/* Its memories hold a reference: none is left. */
	vivtheap_heap_close(self->heap);
	g_free(self->heap_name);
	G_OBJECT_CLASS(gst_vivtheap_allocator_parent_class)->finalize(object);
}

static void gst_vivtheap_allocator_class_init(GstVivtheapAllocatorClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);
	GstAllocatorClass *allocator_class = GST_ALLOCATOR_CLASS(klass);

	gst_vivtheap_debug_init();
	object_class->finalize = gst_vivtheap_allocator_finalize;
	/* GstFdAllocator has none; the free stays GstFdMemory's. */
	allocator_class->alloc = gst_vivtheap_allocator_alloc;
}

static void gst_vivtheap_allocator_init(GstVivtheapAllocator *self)
{
	GstAllocator *alloc = GST_ALLOCATOR_CAST(self);

	/*
	 * mem_type stays GST_ALLOCATOR_DMABUF (gst_is_dmabuf_memory()); the
	 * dma-buf allocator's syncing map is replaced (see the top of the file).
	 */
	alloc->mem_map_full = vivtheap_mem_map_full;
	alloc->mem_unmap_full = vivtheap_mem_unmap_full;
	alloc->mem_map = vivtheap_mem_map_flags;
	alloc->mem_unmap = vivtheap_mem_unmap;
	/*
	 * GstFdAllocator says CUSTOM_ALLOC (only its own API allocates); this
	 * one allocates through gst_allocator_alloc() too, so any element
	 * that takes it from an ALLOCATION query may use it.
	 */
	GST_OBJECT_FLAG_UNSET(self, GST_ALLOCATOR_FLAG_CUSTOM_ALLOC);
}
