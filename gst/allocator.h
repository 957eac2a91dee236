/* SPDX-License-Identifier: MIT */
/*
 * GstVivtheapAllocator: a GstDmaBufAllocator whose memory comes from a
 * dma-buf heap through libvivtheap, and whose gst_memory_map()/unmap() are
 * the heap buffer's CPU-access bracket (DMA_BUF_IOCTL_SYNC START/END in the
 * map's direction), done once: GstDmaBufAllocator's own map, which syncs
 * too, is replaced, not chained to (docs/gstreamer.md says why).
 *
 * The memory is dma-buf memory like any other (gst_is_dmabuf_memory(),
 * gst_dmabuf_memory_get_fd(): the fd belongs to the memory; dup() it to keep
 * it), GST_MEMORY_FLAG_PHYSICALLY_CONTIGUOUS when the heap is contiguous,
 * and says its caching and heap in qdata that any code can read without
 * linking this plugin (GST_VIVTHEAP_MEMORY_CACHING_QUARK,
 * GST_VIVTHEAP_MEMORY_HEAP_QUARK).
 */
#ifndef GST_VIVTHEAP_ALLOCATOR_H
#define GST_VIVTHEAP_ALLOCATOR_H

#include <gst/allocators/allocators.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_VIVTHEAP_ALLOCATOR (gst_vivtheap_allocator_get_type())
#define GST_VIVTHEAP_ALLOCATOR(obj)                                   \
	(G_TYPE_CHECK_INSTANCE_CAST((obj), GST_TYPE_VIVTHEAP_ALLOCATOR, \
				    GstVivtheapAllocator))
#define GST_IS_VIVTHEAP_ALLOCATOR(obj) \
	(G_TYPE_CHECK_INSTANCE_TYPE((obj), GST_TYPE_VIVTHEAP_ALLOCATOR))

/*
 * qdata of each memory (on the parent of a shared sub-memory): its caching,
 * "uncached", "write-combined", "cached" or "unknown" (vivtheap_caching_name()),
 * and its heap's name; static or allocator-owned strings, valid as long as
 * the memory.
 */
#define GST_VIVTHEAP_MEMORY_CACHING_QUARK \
	g_quark_from_static_string("GstVivtheapMemoryCaching")
#define GST_VIVTHEAP_MEMORY_HEAP_QUARK \
	g_quark_from_static_string("GstVivtheapMemoryHeap")

typedef struct _GstVivtheapAllocator GstVivtheapAllocator;
typedef struct _GstVivtheapAllocatorClass {
	GstDmaBufAllocatorClass parent_class;
} GstVivtheapAllocatorClass;

GType gst_vivtheap_allocator_get_type(void);

/*
 * An allocator on the heap @heap names (see heap.h: "uncached", "wc",
 * "cached" or a heap's name; NULL for the default). Returns it (transfer
 * full), or NULL with @error set: GST_RESOURCE_ERROR_SETTINGS for a value
 * that names no heap, else the errno of opening it, in words.
 */
GstAllocator *gst_vivtheap_allocator_new(const gchar *heap, GError **error);

/*
 * A memory of @size bytes, with @params' prefix, padding, flags and
 * alignment (at most a page: heap buffers are page-aligned); NULL for
 * the defaults. Returns it (transfer full), or NULL with @error set to the
 * heap's errno in words (an allocation failure is never papered over with
 * other memory). gst_allocator_alloc() does the same and logs the error.
 */
GstMemory *gst_vivtheap_allocator_alloc_memory(GstAllocator *allocator,
					       gsize size,
					       const GstAllocationParams *params,
					       GError **error);

/* The heap's name, its caching's word, whether it is contiguous. */
const gchar *gst_vivtheap_allocator_get_heap_name(GstAllocator *allocator);
const gchar *gst_vivtheap_allocator_get_caching(GstAllocator *allocator);
gboolean gst_vivtheap_allocator_is_contiguous(GstAllocator *allocator);

/* Whether @mem (or its parent) is a GstVivtheapAllocator's. */
gboolean gst_is_vivtheap_memory(GstMemory *mem);
/* The qdata above, or NULL for memory that is not vivtheap memory. */
const gchar *gst_vivtheap_memory_get_caching(GstMemory *mem);
const gchar *gst_vivtheap_memory_get_heap_name(GstMemory *mem);

G_END_DECLS

#endif /* GST_VIVTHEAP_ALLOCATOR_H */
