/* SPDX-License-Identifier: MIT */
/* The physical pages of a user mapping, from the test importer (tests/kmod). */
#ifndef GT_UPAGES_H
#define GT_UPAGES_H

#include "gt.h"

/* The test importer's operation file (tests/kmod/vivtheap_test.c). */
#define GT_OP_FILE "/sys/kernel/debug/vivtheap_test/op"

/*
 * The physical pages of a mapping, as "PA+LEN ..." ranges: the test
 * importer's "upages" op reads them from the page table, with no cache
 * maintenance (pagemap shows no PFN of a VM_PFNMAP mapping; attaching and
 * mapping the dma-buf would clean the caches and hide what an allocation
 * left in them).
 */
static inline void gt_page_ranges(volatile uint32_t *map, size_t size, char *out, size_t len)
{
	char line[64];
	int f = open(GT_OP_FILE, O_RDWR | O_CLOEXEC);
	int n = snprintf(line, sizeof(line), "upages %lu %zu", (unsigned long)(uintptr_t)map,
			 size);
	ssize_t got;

	CHECK(f >= 0);
	if (write(f, line, (size_t)n) != n)
		FAIL("importer %s: %s", line, strerror(errno));
	/* the write left the position at 0; read to the end, refuse to cut */
	got = 0;
	for (;;) {
		ssize_t r = read(f, out + got, len - 1 - (size_t)got);

		CHECK(r >= 0);
		if (!r)
			break;
		got += r;
		if ((size_t)got == len - 1)
			FAIL("the buffer's physical ranges do not fit %zu bytes", len);
	}
	CHECK(got > 0);
	out[got] = 0;
	close(f);
}

#endif /* GT_UPAGES_H */
