/* SPDX-License-Identifier: MIT */
/*
 * What `vivtheap bench` and tests/bench/heapbench.c share: the clock and the
 * buffer sizes they time, so that their figures are comparable.
 */
#ifndef VIVTHEAP_BENCH_H
#define VIVTHEAP_BENCH_H

#include <stddef.h>
#include <time.h>

/* The sizes an alloc+free is timed at: a page, and typical frame sizes. */
static const size_t vivtheap_bench_sizes[] = { 4096, 1 << 20, 3 << 20, 12 << 20 };
#define VIVTHEAP_BENCH_NR_SIZES ((int)(sizeof(vivtheap_bench_sizes) / sizeof(vivtheap_bench_sizes[0])))

/* Microseconds on the monotonic clock (virtual ones under qemu -icount). */
static inline double vivtheap_bench_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

#endif /* VIVTHEAP_BENCH_H */
