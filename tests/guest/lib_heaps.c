// SPDX-License-Identifier: MIT
/* libvivtheap on the real heaps: listing, finding by properties, the fallback rules, alloc/map/brackets/name/import. */
#include "gt.h"
#include <vivtheap.h>

int main(void)
{
	const struct vivtheap_heap_desc *d;
	struct vivtheap_heap_list *list;
	struct vivtheap_heap *h;
	struct vivtheap_buffer *b, *b2;
	int have_cached = 0, ret;
	size_t i;
	char *p;
	void *v;

	CHECK(vivtheap_heap_list_new(&list) == 0);
	CHECK(vivtheap_heap_list_count(list) >= 3);
	/* ours first, described by the control node, each once */
	{
		static const struct {
			const char *name;
			enum vivtheap_caching caching;
		} ours[] = {
			{ VIVTHEAP_HEAP_UNCACHED_NAME, VIVTHEAP_CACHING_UNCACHED },
			{ VIVTHEAP_HEAP_WC_NAME, VIVTHEAP_CACHING_WC },
			{ VIVTHEAP_HEAP_CACHED_NAME, VIVTHEAP_CACHING_CACHED },
		};
		int seen[3] = { 0 };

		for (i = 0; i < 3; i++) {
			size_t j;

			d = vivtheap_heap_list_get(list, i);
			for (j = 0; j < 3; j++)
				if (!strcmp(vivtheap_heap_desc_name(d), ours[j].name))
					break;
			if (j == 3)
				FAIL("heap %zu of the list is %s, not one of ours", i,
				     vivtheap_heap_desc_name(d));
			CHECK(!seen[j]++);
			CHECK(vivtheap_heap_desc_caching(d) == ours[j].caching);
			CHECK(vivtheap_heap_desc_props(d) ==
			      (VIVTHEAP_PROP_VIVTHEAP | VIVTHEAP_PROP_CONTIGUOUS));
		}
	}
	for (i = 0; i < vivtheap_heap_list_count(list); i++) {
		d = vivtheap_heap_list_get(list, i);
		printf("heap %s caching %s props %u\n", vivtheap_heap_desc_name(d),
		       vivtheap_caching_name(vivtheap_heap_desc_caching(d)),
		       vivtheap_heap_desc_props(d));
		have_cached |= vivtheap_heap_desc_caching(d) == VIVTHEAP_CACHING_CACHED;
	}
	CHECK(vivtheap_heap_list_get(list, i) == NULL);
	vivtheap_heap_list_free(list);

	CHECK(vivtheap_heap_find(VIVTHEAP_CACHING_WC, VIVTHEAP_PROP_CONTIGUOUS, 0, &h) == 0);
	CHECK(!strcmp(vivtheap_heap_name(h), VIVTHEAP_HEAP_WC_NAME));
	CHECK(!vivtheap_heap_is_fallback(h));
	vivtheap_heap_close(h);

	/* Cached: ours first, itself, never a fallback. */
	CHECK(have_cached);
	ret = vivtheap_heap_find(VIVTHEAP_CACHING_CACHED, 0, 0, &h);
	CHECK(ret == 0);
	CHECK(!strcmp(vivtheap_heap_name(h), VIVTHEAP_HEAP_CACHED_NAME));
	CHECK(vivtheap_heap_caching(h) == VIVTHEAP_CACHING_CACHED);
	CHECK(!vivtheap_heap_is_fallback(h));
	vivtheap_heap_close(h);
	/* Uncached never yields the cached heap, fallback or not. */
	CHECK(vivtheap_heap_find(VIVTHEAP_CACHING_UNCACHED, 0,
				 VIVTHEAP_FIND_ALLOW_FALLBACK, &h) == 0);
	CHECK(vivtheap_heap_caching(h) == VIVTHEAP_CACHING_UNCACHED);
	vivtheap_heap_close(h);

	CHECK(vivtheap_heap_open(VIVTHEAP_HEAP_UNCACHED_NAME, &h) == 0);
	CHECK(vivtheap_buffer_alloc(h, 100000, 0, &b) == 0);
	CHECK(vivtheap_buffer_size(b) == 102400);
	CHECK(vivtheap_buffer_caching(b) == VIVTHEAP_CACHING_UNCACHED);
	CHECK(vivtheap_buffer_set_name(b, "lib-test") == 0);
	CHECK(vivtheap_buffer_map(b, &v) == 0);
	p = v;
	CHECK(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_WRITE) == 0);
	memset(p, 0x33, vivtheap_buffer_size(b));
	CHECK(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_READ) == -EINVAL);
	CHECK(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_WRITE) == 0);
	CHECK(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_WRITE) == -EPERM);
	/* import: the same buffer, known through the control node */
	CHECK(vivtheap_buffer_import(vivtheap_buffer_fd(b), 0, &b2) == 0);
	CHECK(!strcmp(vivtheap_buffer_heap_name(b2), VIVTHEAP_HEAP_UNCACHED_NAME));
	CHECK(vivtheap_buffer_caching(b2) == VIVTHEAP_CACHING_UNCACHED);
	CHECK(vivtheap_buffer_begin(b2, VIVTHEAP_ACCESS_READ) == 0);
	{
		void *v2;

		CHECK(vivtheap_buffer_map(b2, &v2) == 0);
		CHECK(((char *)v2)[102399] == 0x33);
		CHECK(vivtheap_buffer_unmap(b2) == 0);
	}
	CHECK(vivtheap_buffer_end(b2, VIVTHEAP_ACCESS_READ) == 0);
	vivtheap_buffer_free(b2);
	CHECK(vivtheap_buffer_unmap(b) == 0);
	vivtheap_buffer_free(b);
	/* a bad size comes back as the kernel's errno */
	CHECK(vivtheap_buffer_alloc(h, (size_t)1 << 30, 0, &b) == -ENOMEM);
	/* READONLY: a read-only fd, a read-only mapping that reads, no WRITE bracket */
	CHECK(vivtheap_buffer_alloc(h, 8192, VIVTHEAP_BUFFER_READONLY, &b) == 0);
	CHECK((fcntl(vivtheap_buffer_fd(b), F_GETFL) & O_ACCMODE) == O_RDONLY);
	CHECK(vivtheap_buffer_map(b, &v) == 0);
	CHECK(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_WRITE) == -EACCES);
	CHECK(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_READ) == 0);
	CHECK(((volatile char *)v)[8191] == 0);
	CHECK(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_READ) == 0);
	CHECK(vivtheap_buffer_unmap(b) == 0);
	vivtheap_buffer_free(b);
	vivtheap_heap_close(h);
	CHECK(gt_stat(VIVTHEAP_HEAP_UNCACHED_NAME, "buffers") == 0);

	/* The library's brackets reach the driver with their direction: on the
	 * WC heap a WRITE end drains the write buffer once, a READ end never. */
	CHECK(vivtheap_heap_open(VIVTHEAP_HEAP_WC_NAME, &h) == 0);
	CHECK(vivtheap_buffer_alloc(h, 4096, 0, &b) == 0);
	{
		long long d0 = gt_stat(VIVTHEAP_HEAP_WC_NAME, "drain_write_buffer"), d1;

		CHECK(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_WRITE) == 0);
		CHECK(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_WRITE) == 0);
		d1 = gt_stat(VIVTHEAP_HEAP_WC_NAME, "drain_write_buffer");
		if (d1 != d0 + 1)
			FAIL("a library WRITE bracket on the WC heap drained %lld times, want 1", d1 - d0);
		CHECK(vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_READ) == 0);
		CHECK(vivtheap_buffer_end(b, VIVTHEAP_ACCESS_READ) == 0);
		CHECK(gt_stat(VIVTHEAP_HEAP_WC_NAME, "drain_write_buffer") == d1);
	}
	vivtheap_buffer_free(b);
	vivtheap_heap_close(h);
	CHECK(gt_stat(VIVTHEAP_HEAP_WC_NAME, "buffers") == 0);
	return 0;
}
