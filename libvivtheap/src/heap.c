// SPDX-License-Identifier: MIT
/* Heaps: what is under /dev/dma_heap, what each is, opening one. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <linux/vivtheap.h>

#include "internal.h"
#include "sys.h"

/* vivtheap's heap names (the uapi's) fit wherever the library keeps a name. */
_Static_assert(VIVTHEAP_NAME_LEN <= VIVTHEAP_HEAP_NAME_MAX,
	       "VIVTHEAP_HEAP_NAME_MAX must hold the uapi's VIVTHEAP_NAME_LEN");

/* One heap as listed; private to this file, callers use the getters. */
struct vivtheap_heap_desc {
	char name[VIVTHEAP_HEAP_NAME_MAX];
	enum vivtheap_caching caching;
	unsigned int props;
};

struct vivtheap_heap_list {
	struct vivtheap_heap_desc *descs;
	size_t count;
};

/* The kernel's heaps, by their documented names. */
static const struct {
	const char *name;
	enum vivtheap_caching caching;
	unsigned int props;
} vivtheap_known_heaps[] = {
	{ "system", VIVTHEAP_CACHING_CACHED, 0 },
	{ "system-uncached", VIVTHEAP_CACHING_UNCACHED, 0 },
	{ "reserved", VIVTHEAP_CACHING_CACHED, VIVTHEAP_PROP_CONTIGUOUS },
	{ "linux,cma", VIVTHEAP_CACHING_CACHED, VIVTHEAP_PROP_CONTIGUOUS },
	{ "default_cma_region", VIVTHEAP_CACHING_CACHED, VIVTHEAP_PROP_CONTIGUOUS },
};

/* Ask vivtheap's control node @ctl (if open); 0 if it knows the heap. */
static int vivtheap_ctl_heap(int ctl, const char *name,
			     enum vivtheap_caching *caching, unsigned int *props)
{
	struct vivtheap_ioc_heap_info info;
	int ret;

	if (ctl < 0)
		return ctl;
	if (strlen(name) >= sizeof(info.name))
		return -ENOENT;
	memset(&info, 0, sizeof(info));
	strcpy(info.name, name);
	ret = vivtheap_ioctl(ctl, VIVTHEAP_IOC_HEAP_INFO, &info);
	if (ret < 0)
		return ret;
	*caching = vivtheap_caching_from_mode(info.cache_mode);
	*props = VIVTHEAP_PROP_VIVTHEAP;
	if (info.info_flags & VIVTHEAP_INFO_CONTIGUOUS)
		*props |= VIVTHEAP_PROP_CONTIGUOUS;
	return 0;
}

/* vivtheap_heap_describe() with the control node already open (or -errno). */
static void vivtheap_describe_with(int ctl, const char *name,
				   enum vivtheap_caching *caching,
				   unsigned int *props)
{
	size_t i;

	if (!vivtheap_ctl_heap(ctl, name, caching, props))
		return;
	*caching = VIVTHEAP_CACHING_UNKNOWN;
	*props = 0;
	for (i = 0; i < sizeof(vivtheap_known_heaps) / sizeof(vivtheap_known_heaps[0]); i++) {
		if (!strcmp(name, vivtheap_known_heaps[i].name)) {
			*caching = vivtheap_known_heaps[i].caching;
			*props = vivtheap_known_heaps[i].props;
			return;
		}
	}
	/* CMA areas from the device tree are named after their node. */
	if (strstr(name, "cma")) {
		*caching = VIVTHEAP_CACHING_CACHED;
		*props = VIVTHEAP_PROP_CONTIGUOUS;
	}
}

void vivtheap_heap_describe(const char *name, enum vivtheap_caching *caching,
			    unsigned int *props)
{
	int ctl = vivtheap_sys_open(VIVTHEAP_CTL_PATH, O_RDWR);

	vivtheap_describe_with(ctl, name, caching, props);
	if (ctl >= 0)
		vivtheap_sys_close(ctl);
}

struct vivtheap_list_ctx {
	struct vivtheap_heap_list *list;
	int ctl; /* the control node, opened once for the whole list */
};

static int vivtheap_list_one(const char *name, void *data)
{
	struct vivtheap_list_ctx *ctx = data;
	struct vivtheap_heap_list *list = ctx->list;
	struct vivtheap_heap_desc *d;

	if (strlen(name) >= VIVTHEAP_HEAP_NAME_MAX)
		return 0;
	d = realloc(list->descs, (list->count + 1) * sizeof(*d));
	if (!d)
		return -ENOMEM;
	list->descs = d;
	d += list->count++;
	memset(d, 0, sizeof(*d));
	strcpy(d->name, name);
	vivtheap_describe_with(ctx->ctl, name, &d->caching, &d->props);
	return 0;
}

/* vivtheap's heaps in the order of their caching, a mode unknown to us last. */
static int vivtheap_desc_rank(const struct vivtheap_heap_desc *d)
{
	if (!(d->props & VIVTHEAP_PROP_VIVTHEAP))
		return 0;
	return d->caching == VIVTHEAP_CACHING_UNKNOWN ? VIVTHEAP_CACHING_CACHED + 1 :
							 (int)d->caching;
}

/* vivtheap's heaps first, uncached, write-combined, cached; then by name. */
static int vivtheap_desc_cmp(const void *a, const void *b)
{
	const struct vivtheap_heap_desc *x = a, *y = b;
	int ours = !!(y->props & VIVTHEAP_PROP_VIVTHEAP) -
		   !!(x->props & VIVTHEAP_PROP_VIVTHEAP);
	int rank = vivtheap_desc_rank(x) - vivtheap_desc_rank(y);

	if (ours)
		return ours;
	return rank ? rank : strcmp(x->name, y->name);
}

VIVTHEAP_EXPORT int vivtheap_heap_list_new(struct vivtheap_heap_list **list)
{
	struct vivtheap_list_ctx ctx;
	int ret;

	if (!list)
		return -EINVAL;
	ctx.list = calloc(1, sizeof(*ctx.list));
	if (!ctx.list)
		return -ENOMEM;
	ctx.ctl = vivtheap_sys_open(VIVTHEAP_CTL_PATH, O_RDWR);
	ret = vivtheap_sys_listdir(VIVTHEAP_HEAP_DIR, vivtheap_list_one, &ctx);
	if (ctx.ctl >= 0)
		vivtheap_sys_close(ctx.ctl);
	if (ret) {
		vivtheap_heap_list_free(ctx.list);
		return ret;
	}
	if (ctx.list->count)
		qsort(ctx.list->descs, ctx.list->count,
		      sizeof(*ctx.list->descs), vivtheap_desc_cmp);
	*list = ctx.list;
	return 0;
}

VIVTHEAP_EXPORT void vivtheap_heap_list_free(struct vivtheap_heap_list *list)
{
	if (!list)
		return;
	free(list->descs);
	free(list);
}

VIVTHEAP_EXPORT size_t
vivtheap_heap_list_count(const struct vivtheap_heap_list *list)
{
	assert(list);
	return list ? list->count : 0;
}

VIVTHEAP_EXPORT const struct vivtheap_heap_desc *
vivtheap_heap_list_get(const struct vivtheap_heap_list *list, size_t index)
{
	assert(list);
	return list && index < list->count ? &list->descs[index] : NULL;
}

VIVTHEAP_EXPORT const char *
vivtheap_heap_desc_name(const struct vivtheap_heap_desc *desc)
{
	assert(desc);
	return desc ? desc->name : "";
}

VIVTHEAP_EXPORT enum vivtheap_caching
vivtheap_heap_desc_caching(const struct vivtheap_heap_desc *desc)
{
	assert(desc);
	return desc ? desc->caching : VIVTHEAP_CACHING_UNKNOWN;
}

VIVTHEAP_EXPORT unsigned int
vivtheap_heap_desc_props(const struct vivtheap_heap_desc *desc)
{
	assert(desc);
	return desc ? desc->props : 0;
}

VIVTHEAP_EXPORT int vivtheap_heap_open(const char *name,
				       struct vivtheap_heap **heap)
{
	char path[sizeof(VIVTHEAP_HEAP_DIR) + VIVTHEAP_HEAP_NAME_MAX];
	struct vivtheap_heap *h;
	int fd;

	if (!name || !heap || !*name || strchr(name, '/') ||
	    strlen(name) >= VIVTHEAP_HEAP_NAME_MAX || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	strcpy(path, VIVTHEAP_HEAP_DIR "/");
	strcat(path, name);
	fd = vivtheap_sys_open(path, O_RDONLY);
	if (fd < 0) {
		free(h);
		return fd;
	}
	h->fd = fd;
	strcpy(h->name, name);
	vivtheap_heap_describe(name, &h->caching, &h->props);
	h->wanted = h->caching;
	*heap = h;
	return 0;
}

/*
 * How far a heap is from what was wanted; 0 is a match, -1 never. A heap
 * that is or may be cached (cached, unknown) is never taken for a
 * non-cacheable caching, not even as a fallback: whoever asked for one may
 * rely on no CPU cache holding the data. The other way round costs speed
 * only, so a non-cacheable heap may stand in for a cached one.
 */
static int vivtheap_distance(const struct vivtheap_heap_desc *d,
			     enum vivtheap_caching caching, unsigned int props)
{
	bool maybe_cached = d->caching == VIVTHEAP_CACHING_CACHED ||
			    d->caching == VIVTHEAP_CACHING_UNKNOWN;
	int dist = 0;

	if (d->caching != caching) {
		if (caching != VIVTHEAP_CACHING_CACHED && maybe_cached)
			return -1;
		/* Non-cacheable for non-cacheable is closer than for cached. */
		dist += caching == VIVTHEAP_CACHING_CACHED ? 4 : 2;
	}
	if ((d->props & props) != props)
		dist += 1;
	return dist;
}

VIVTHEAP_EXPORT int vivtheap_heap_find(enum vivtheap_caching caching,
				       unsigned int props, unsigned int flags,
				       struct vivtheap_heap **heap)
{
	struct vivtheap_heap_list *list;
	struct vivtheap_heap *h;
	size_t i, best = 0;
	int ret, best_dist = -1, dist;

	if (!heap || caching < VIVTHEAP_CACHING_UNCACHED ||
	    caching > VIVTHEAP_CACHING_CACHED ||
	    (flags & ~VIVTHEAP_FIND_ALLOW_FALLBACK) ||
	    (props & ~(VIVTHEAP_PROP_CONTIGUOUS | VIVTHEAP_PROP_VIVTHEAP)))
		return -EINVAL;
	ret = vivtheap_heap_list_new(&list);
	if (ret)
		return ret;
	/* The list has vivtheap's heaps first: the first best one wins. */
	for (i = 0; i < list->count; i++) {
		dist = vivtheap_distance(&list->descs[i], caching, props);
		if (dist >= 0 && (best_dist < 0 || dist < best_dist)) {
			best_dist = dist;
			best = i;
		}
	}
	if (best_dist < 0 ||
	    (best_dist > 0 && !(flags & VIVTHEAP_FIND_ALLOW_FALLBACK))) {
		vivtheap_heap_list_free(list);
		return -ENOENT;
	}
	ret = vivtheap_heap_open(list->descs[best].name, &h);
	vivtheap_heap_list_free(list);
	if (ret)
		return ret;
	h->wanted = caching;
	h->fallback = best_dist > 0;
	*heap = h;
	return 0;
}

VIVTHEAP_EXPORT const char *vivtheap_heap_name(const struct vivtheap_heap *heap)
{
	assert(heap);
	return heap ? heap->name : "";
}

VIVTHEAP_EXPORT enum vivtheap_caching
vivtheap_heap_caching(const struct vivtheap_heap *heap)
{
	assert(heap);
	return heap ? heap->caching : VIVTHEAP_CACHING_UNKNOWN;
}

VIVTHEAP_EXPORT unsigned int vivtheap_heap_props(const struct vivtheap_heap *heap)
{
	assert(heap);
	return heap ? heap->props : 0;
}

VIVTHEAP_EXPORT enum vivtheap_caching
vivtheap_heap_wanted_caching(const struct vivtheap_heap *heap)
{
	assert(heap);
	return heap ? heap->wanted : VIVTHEAP_CACHING_UNKNOWN;
}

VIVTHEAP_EXPORT int vivtheap_heap_is_fallback(const struct vivtheap_heap *heap)
{
	assert(heap);
	return heap && heap->fallback;
}

VIVTHEAP_EXPORT void vivtheap_heap_close(struct vivtheap_heap *heap)
{
	if (!heap)
		return;
	vivtheap_sys_close(heap->fd);
	free(heap);
}
