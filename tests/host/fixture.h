/* SPDX-License-Identifier: MIT */
/*
 * The fixture most host tests share: a fresh fake kernel with the control
 * node and one vivtheap heap, opened as `heap`; at teardown the heap is
 * closed and nothing may be left open or mapped, and the fake kernel must
 * have seen no protocol violation.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <linux/vivtheap.h>
#include <vivtheap.h>

#include "cmocka_shim.h"
#include "fake_sys.h"

static struct vivtheap_heap *heap;

/* Fresh fake kernel with vivtheap heap `name` of cache `mode`, opened. */
static inline void fixture_open_heap(const char *name, uint32_t mode)
{
	fake_reset();
	fake_set_ctl(1);
	fake_add_heap(name, 1, mode);
	assert_int_equal(vivtheap_heap_open(name, &heap), 0);
}

static int fixture_teardown(void **state)
{
	vivtheap_heap_close(heap);
	heap = NULL;
	assert_int_equal(fake_open_fds(), 0);
	assert_int_equal(fake_mappings(), 0);
	if (fake_violations())
		fail_msg("the library broke the protocol: %s", fake_last_violation());
	(void)state;
	return 0;
}

#endif /* FIXTURE_H */
