// SPDX-License-Identifier: MIT
/*
 * Host unit tests of the cache model's core (vivt.c): synthetic sequences,
 * one behaviour per case.
 *
 * One physical page P is seen through three aliases: A (kernel-like) and B
 * (user-like), both cacheable, and U, uncached. With the 16 KiB cache a way
 * spans 4 KiB, so every alias of P falls in the same set, in different
 * ways; other pages at page offset 0 (OTHER_VA(k)) fill that set up.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "test_armv5.h"
#include "vivt.h"

#define PHYS_SIZE (1u << 20)
#define P 0x2000u
#define A 0xc0002000u
#define B 0x40002000u
#define U 0xd0002000u
#define OTHER_PA(k) (0x10000u + (k) * 0x1000u)
#define OTHER_VA(k) (0xc0010000u + (k) * 0x1000u)
#define MAX_EVENTS 32

static uint8_t phys[PHYS_SIZE];
static uint32_t fail_pa = UINT32_MAX;	/* read_phys fails for this page */

struct fx {
	struct vivt *m;
	struct vivt_event ev[MAX_EVENTS];
	unsigned int nev;
};

static int read_phys(void *opaque, uint32_t pa, void *buf, size_t len)
{
	(void)opaque;
	if (pa == fail_pa)
		return -EIO;
	if (pa >= PHYS_SIZE || len > PHYS_SIZE - pa)
		return -EFAULT;
	memcpy(buf, phys + pa, len);
	return 0;
}

static void collect(void *opaque, const struct vivt_event *ev)
{
	struct fx *f = opaque;

	if (f->nev < MAX_EVENTS)
		f->ev[f->nev] = *ev;
	f->nev++;
}

static void cfg_default(struct vivt_config *cfg)
{
	vivt_config_init(cfg);
	cfg->replacement = VIVT_ROUND_ROBIN;
	cfg->read_phys = read_phys;
}

static void fx_open(struct fx *f, const struct vivt_config *cfg)
{
	assert_int_equal(vivt_create(cfg, &f->m), 0);
	vivt_set_reporter(f->m, collect, f);
}

static int setup(void **state)
{
	static struct fx f;
	struct vivt_config cfg;
	uint32_t i;

	for (i = 0; i < PHYS_SIZE; i++)
		phys[i] = (uint8_t)(i * 7u + 1u);
	fail_pa = UINT32_MAX;
	memset(&f, 0, sizeof(f));
	cfg_default(&cfg);
	fx_open(&f, &cfg);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vivt_free(f->m);
	return 0;
}

static uint64_t ld(struct fx *f, uint32_t va, uint32_t pa, unsigned int size, enum vivt_attr attr,
		   uint32_t pc)
{
	uint64_t v = 0;

	assert_int_equal(vivt_load(f->m, va, pa, size, attr, pc, &v), 0);
	return v;
}

static void st(struct fx *f, uint32_t va, uint32_t pa, unsigned int size, uint64_t v,
	       enum vivt_attr attr, uint32_t pc)
{
	assert_int_equal(vivt_store(f->m, va, pa, size, v, attr, pc), 0);
}

/* The little-endian value of physical memory as the test set it up. */
static uint64_t initial(uint32_t pa, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | phys[pa + n];
	return v;
}

static uint32_t mem32(struct fx *f, uint32_t pa)
{
	uint8_t b[4];

	assert_int_equal(vivt_mem_read(f->m, pa, b, 4), 0);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* The way of va's set holding va's line, or -1. */
static int way_of(struct fx *f, uint32_t va)
{
	struct vivt_line_info li;
	unsigned int w;

	for (w = 0; w < VIVT_WAYS; w++) {
		assert_int_equal(vivt_line_info(f->m, vivt_set_of(f->m, va), w, &li), 0);
		if (li.valid && li.va == (va & ~(VIVT_LINE - 1)))
			return (int)w;
	}
	return -1;
}

static struct vivt_line_info line_of(struct fx *f, uint32_t va)
{
	struct vivt_line_info li = { .valid = false };
	int w = way_of(f, va);

	if (w >= 0)
		assert_int_equal(vivt_line_info(f->m, vivt_set_of(f->m, va), (unsigned int)w, &li), 0);
	return li;
}

static struct vivt_stats stats(struct fx *f, int range)
{
	struct vivt_stats s;

	assert_int_equal(vivt_stats_get(f->m, range, &s), 0);
	return s;
}

/* Set/way operand of the line of va in way w (TRM: way [31:30], set [S+4:5]). */
static uint32_t setway(struct fx *f, uint32_t va, unsigned int w)
{
	return (uint32_t)w << 30 | vivt_set_of(f->m, va) * VIVT_LINE;
}

/* Exactly n events so far, the first of that kind and how, at pc, for va,
 * pa and the line at line_va. */
static void assert_event(const struct fx *f, unsigned int n, enum vivt_event_kind kind,
			 enum vivt_how how, uint32_t pc, uint32_t va, uint32_t pa, uint32_t line_va)
{
	const struct vivt_event *e = &f->ev[0];

	assert_int_equal(f->nev, n);
	assert_int_equal(e->kind, kind);
	assert_int_equal(e->how, how);
	assert_int_equal(e->pc, pc);
	assert_int_equal(e->va, va);
	assert_int_equal(e->pa, pa);
	assert_int_equal(e->line_va, line_va);
}

/* A load through A, then a store of v through A: A's line is dirty. */
static void dirty_a(struct fx *f, uint32_t v)
{
	ld(f, A, P, 4, VIVT_WB, 0x100);
	st(f, A, P, 4, v, VIVT_WB, 0x104);
}

/* Lines in A and B both dirty, A's with va, B's (newest) with vb. */
static void dirty_a_then_b(struct fx *f, uint32_t va, uint32_t vb)
{
	ld(f, B, P, 4, VIVT_WB, 0x200);
	dirty_a(f, va);
	st(f, B, P, 4, vb, VIVT_WB, 0x204);
}

static void test_fill_then_hit(void **state)
{
	struct fx *f = *state;
	struct vivt_stats s;

	assert_int_equal(ld(f, A, P, 4, VIVT_WB, 0x10), initial(P, 4));
	assert_int_equal(ld(f, A + 8, P + 8, 4, VIVT_WB, 0x14), initial(P + 8, 4));
	s = stats(f, -1);
	assert_int_equal(s.loads, 2);
	assert_int_equal(s.misses, 1);
	assert_int_equal(s.fills, 1);
	assert_int_equal(s.hits, 1);
	assert_true(line_of(f, A).valid);
	assert_int_equal(line_of(f, A).pa, P);
	assert_int_equal(f->nev, 0);
}

/* vivt_newest_peek: the newest bytes of held pages, whatever the cache
 * holds; -ENOENT for a page never read, which it does not read. */
static void test_newest_peek(void **state)
{
	struct fx *f = *state;
	uint8_t b[4];

	assert_int_equal(vivt_newest_peek(f->m, P, b, 4), -ENOENT);
	st(f, A, P, 4, 0x11223344u, VIVT_WB, 0x10);	/* write miss: buffered */
	(void)ld(f, A, P, 4, VIVT_WB, 0x14);		/* drains, fills */
	st(f, A, P, 2, 0x5566u, VIVT_WB, 0x18);		/* dirty in the line only */
	assert_int_equal(vivt_newest_peek(f->m, P, b, 4), 0);
	assert_int_equal(b[0], 0x66);
	assert_int_equal(b[1], 0x55);
	assert_int_equal(b[2], 0x22);
	assert_int_equal(b[3], 0x11);
	assert_int_equal(mem32(f, P), 0x11223344u);
	assert_int_equal(vivt_newest_peek(f->m, P + 4, b, 4), 0);
	assert_int_equal(b[0], phys[P + 4]);
	assert_int_equal(vivt_newest_peek(f->m, OTHER_PA(1), b, 1), -ENOENT);
	assert_int_equal(vivt_newest_peek(NULL, P, b, 1), -EINVAL);
	assert_int_equal(f->nev, 0);
}

/* An access across a line boundary touches both lines. */
static void test_access_across_lines(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ld(f, A + 28, P + 28, 8, VIVT_WB, 0x10), initial(P + 28, 8));
	assert_int_equal(stats(f, -1).fills, 2);
	assert_true(line_of(f, A).valid);
	assert_true(line_of(f, A + 32).valid);
	assert_int_equal(f->nev, 0);
}

/* Write through A, read through B: B's fill reads memory that A's dirty
 * line has not reached yet; the core returns the old value. */
static void test_alias_stale_read(void **state)
{
	struct fx *f = *state;
	const struct vivt_event *e = &f->ev[0];

	dirty_a(f, 0x11223344);
	assert_int_equal(ld(f, B, P, 4, VIVT_WB, 0x200), initial(P, 4));
	assert_event(f, 1, VIVT_EV_STALE_READ, VIVT_HOW_FILL, 0x200, B, P, B);
	assert_int_equal(e->value, initial(P, 4));
	assert_int_equal(e->coherent, 0x11223344);
	assert_int_equal(e->write.source, VIVT_SRC_CPU);
	assert_int_equal(e->write.pc, 0x104);
	assert_int_equal(e->write.va, A);
	assert_int_equal(e->range, -1);
	assert_int_equal(stats(f, -1).stale_reads, 1);
}

/* Cleaning A before the read makes B's fill see the data. */
static void test_clean_writer_before_read(void **state)
{
	struct fx *f = *state;

	dirty_a(f, 0x11223344);
	assert_int_equal(vivt_clean_mva(f->m, A, 0x108), 0);
	assert_int_equal(ld(f, B, P, 4, VIVT_WB, 0x200), 0x11223344);
	assert_int_equal(f->nev, 0);
}

/* A reader's line that is already there stays stale after the writer's
 * clean: it hits, and the event names B's line and A's store. */
static void test_stale_hit_needs_reader_invalidate(void **state)
{
	struct fx *f = *state;

	ld(f, B, P, 4, VIVT_WB, 0x200);
	dirty_a(f, 0x11223344);
	assert_int_equal(vivt_clean_mva(f->m, A, 0x108), 0);
	assert_int_equal(vivt_drain(f->m, 0x10c), 0);
	assert_int_equal(ld(f, B, P, 4, VIVT_WB, 0x204), initial(P, 4));
	assert_int_equal(f->nev, 1);
	assert_int_equal(f->ev[0].how, VIVT_HOW_HIT);
	assert_int_equal(f->ev[0].line_va, B);
	assert_int_equal(f->ev[0].write.va, A);

	assert_int_equal(vivt_inval_mva(f->m, B, 0x208), 0);
	assert_int_equal(ld(f, B, P, 4, VIVT_WB, 0x20c), 0x11223344);
	assert_int_equal(f->nev, 1);
}

/* Fills four other pages into P's set: round robin evicts way 0 first. */
static void evict_set(struct fx *f, unsigned int n, uint32_t pc)
{
	unsigned int k;

	for (k = 0; k < n; k++)
		ld(f, OTHER_VA(k), OTHER_PA(k), 4, VIVT_WB, pc);
}

/* The guest's RR bit changes the victim choice at run time. */
static void test_set_replacement(void **state)
{
	struct fx *f = *state;

	assert_int_equal(vivt_set_replacement(f->m, VIVT_RANDOM), 0);
	assert_int_equal(vivt_set_replacement(f->m, VIVT_ROUND_ROBIN), 0);
	assert_int_equal(vivt_set_replacement(f->m, (enum vivt_replacement)7), -EINVAL);
	assert_int_equal(vivt_set_replacement(NULL, VIVT_RANDOM), -EINVAL);
	/* round robin again: the fifth line of a set evicts the first */
	evict_set(f, VIVT_WAYS, 0x10);
	ld(f, OTHER_VA(VIVT_WAYS), OTHER_PA(VIVT_WAYS), 4, VIVT_WB, 0x20);
	assert_int_equal(way_of(f, OTHER_VA(0)), -1);
}

/* A's dirty line, evicted, is written back over newer uncached data. */
static void test_evicted_dirty_line_loses_newer_write(void **state)
{
	struct fx *f = *state;
	const struct vivt_event *e = &f->ev[0];

	dirty_a(f, 0x11223344);
	st(f, U, P, 4, 0x55667788, VIVT_NCNB, 0x300);
	assert_int_equal(mem32(f, P), 0x55667788);
	evict_set(f, VIVT_WAYS, 0x400);
	assert_int_equal(way_of(f, A), -1);
	assert_int_equal(stats(f, -1).writebacks, 1);
	assert_int_equal(vivt_drain(f->m, 0x500), 0);
	assert_int_equal(mem32(f, P), 0x11223344);
	assert_event(f, 1, VIVT_EV_LOST_WRITE, VIVT_HOW_WRITEBACK, 0x400, A, P, A);
	assert_int_equal(e->size, 4);
	assert_int_equal(e->value, 0x44);
	assert_int_equal(e->coherent, 0x88);
	assert_int_equal(e->write.pc, 0x300);
	assert_int_equal(e->write.va, U);
	assert_int_equal(e->write.attr, VIVT_NCNB);
	assert_int_equal(stats(f, -1).lost_writes, 1);
}

/* A dirty line's write-back lands over memory that holds, by chance, the
 * newest value while the store that wrote it is still buffered behind the
 * write-back: the store lands last, nothing is lost (seen in a real boot). */
static void test_writeback_before_pending_store_loses_nothing(void **state)
{
	struct fx *f = *state;
	uint32_t old = (uint32_t)initial(P, 4);

	dirty_a(f, 0x11223344);			/* memory still holds old */
	evict_set(f, VIVT_WAYS, 0x400);		/* write-back pending */
	assert_int_equal(way_of(f, A), -1);
	assert_int_equal(vivt_pending(f->m), 1);
	st(f, A, P, 4, old, VIVT_WB, 0x500);	/* miss: buffered behind it */
	assert_int_equal(vivt_pending(f->m), 2);
	assert_int_equal(vivt_drain(f->m, 0x600), 0);
	assert_int_equal(mem32(f, P), old);
	assert_int_equal(f->nev, 0);
	assert_int_equal(stats(f, -1).lost_writes, 0);
}

/* A full write buffer: the store waiting for room carries the newest
 * value that memory holds by chance; the older entry landing loses nothing. */
static void test_full_buffer_store_waiting_loses_nothing(void **state)
{
	struct fx *f = *state;
	struct vivt_config cfg;
	uint32_t old = (uint32_t)initial(P, 4);

	vivt_free(f->m);
	cfg_default(&cfg);
	cfg.wb_depth = 1;
	fx_open(f, &cfg);
	st(f, U, P, 4, 0x11223344, VIVT_NCB, 0x10);
	st(f, U, P, 4, old, VIVT_NCB, 0x14);		/* the first lands now */
	assert_int_equal(vivt_pending(f->m), 1);
	assert_int_equal(vivt_drain(f->m, 0x18), 0);
	assert_int_equal(mem32(f, P), old);
	assert_int_equal(f->nev, 0);
}

/* An older buffered store lands while the newest value, equal by chance to
 * what memory held, is in a dirty line of another alias: not lost yet. */
static void test_landing_under_dirty_line_loses_nothing(void **state)
{
	struct fx *f = *state;
	uint32_t old = (uint32_t)initial(P, 4);

	ld(f, A, P, 4, VIVT_WB, 0x10);
	st(f, U, P, 4, 0x11223344, VIVT_NCB, 0x14);	/* pending */
	st(f, A, P, 4, old, VIVT_WB, 0x18);		/* newest, in A's dirty line */
	assert_int_equal(vivt_drain(f->m, 0x1c), 0);
	assert_int_equal(f->nev, 0);
	assert_int_equal(vivt_clean_mva(f->m, A, 0x20), 0);
	assert_int_equal(vivt_drain(f->m, 0x24), 0);
	assert_int_equal(mem32(f, P), old);
	assert_int_equal(f->nev, 0);
}

/* Invalidating a dirty line drops the only copy of its data. */
static void test_invalidate_dirty_line_loses_write(void **state)
{
	struct fx *f = *state;
	const struct vivt_event *e = &f->ev[0];

	dirty_a(f, 0x11223344);
	assert_int_equal(vivt_inval_mva(f->m, A + 4, 0x600), 0);
	assert_int_equal(way_of(f, A), -1);
	assert_event(f, 1, VIVT_EV_LOST_WRITE, VIVT_HOW_INVALIDATE, 0x600, A, P, A);
	assert_int_equal(e->size, 4);
	assert_int_equal(e->value, phys[P]);
	assert_int_equal(e->coherent, 0x44);
	assert_int_equal(e->write.pc, 0x104);
}

/* Invalidating a dirty line whose data a device has since overwritten in
 * memory loses nothing: the dropped bytes were stale. */
static void test_invalidate_stale_dirty_line_loses_nothing(void **state)
{
	struct fx *f = *state;
	const uint8_t dma[4] = { 1, 2, 3, 4 };

	dirty_a(f, 0x11223344);
	assert_int_equal(vivt_device_write(f->m, P, dma, sizeof(dma)), 0);
	assert_int_equal(vivt_inval_mva(f->m, A, 0x600), 0);
	assert_int_equal(f->nev, 0);
	assert_int_equal(ld(f, A, P, 4, VIVT_WB, 0x604), 0x04030201);
	assert_int_equal(f->nev, 0);
}

/* Invalidating a dirty line loses nothing while another dirty alias holds
 * the same newest bytes. */
static void test_invalidate_dirty_line_held_by_alias(void **state)
{
	struct fx *f = *state;

	dirty_a_then_b(f, 0x11223344, 0x11223344);
	assert_int_equal(vivt_inval_mva(f->m, A, 0x600), 0);
	assert_int_equal(f->nev, 0);
	assert_int_equal(vivt_inval_mva(f->m, B, 0x604), 0);
	assert_int_equal(f->nev, 1);
	assert_int_equal(f->ev[0].line_va, B);
	assert_int_equal(f->ev[0].write.pc, 0x204);
}

/* Nor while a pending write-buffer entry holds them. */
static void test_invalidate_dirty_line_held_by_write_buffer(void **state)
{
	struct fx *f = *state;

	dirty_a(f, 0x11223344);
	st(f, U, P, 4, 0x11223344, VIVT_NCB, 0x300);
	assert_int_equal(vivt_inval_mva(f->m, A, 0x600), 0);
	assert_int_equal(f->nev, 0);
	assert_int_equal(vivt_drain(f->m, 0x604), 0);
	assert_int_equal(mem32(f, P), 0x11223344);
	assert_int_equal(f->nev, 0);
}

/* An older write-back landing while the newest bytes sit in another
 * alias's dirty line loses nothing yet: that line lands later. */
static void test_writeback_under_newer_dirty_alias(void **state)
{
	struct fx *f = *state;

	dirty_a_then_b(f, 0x11223344, 0x55667788);
	assert_int_equal(vivt_clean_mva(f->m, A, 0x600), 0);
	assert_int_equal(vivt_drain(f->m, 0x604), 0);
	assert_int_equal(f->nev, 0);
	assert_int_equal(vivt_clean_mva(f->m, B, 0x608), 0);
	assert_int_equal(vivt_drain(f->m, 0x60c), 0);
	assert_int_equal(mem32(f, P), 0x55667788);
	assert_int_equal(f->nev, 0);
}

/* A write-through store updates the line, leaves it clean, and reaches
 * memory through the write buffer. */
static void test_write_through(void **state)
{
	struct fx *f = *state;

	ld(f, A, P, 4, VIVT_WT, 0x10);
	st(f, A, P, 4, 0x11223344, VIVT_WT, 0x14);
	assert_int_equal(line_of(f, A).dirty, 0);
	assert_int_equal(vivt_pending(f->m), 1);
	assert_int_equal(mem32(f, P), initial(P, 4));
	assert_int_equal(vivt_drain(f->m, 0x18), 0);
	assert_int_equal(vivt_pending(f->m), 0);
	assert_int_equal(mem32(f, P), 0x11223344);
	assert_int_equal(ld(f, A, P, 4, VIVT_WT, 0x1c), 0x11223344);
	assert_int_equal(stats(f, -1).buffered, 1);
	assert_int_equal(f->nev, 0);
}

/*
 * The counters the modelled cycles come from (docs/benchmarks.md): a C=0 B=1
 * store is uncached, buffered and uncached-buffered; a C=0 B=0 store and a
 * C=0 load are uncached only; a cacheable store miss is buffered only.
 */
static void test_uncached_buffered_counted(void **state)
{
	struct fx *f = *state;
	struct vivt_stats s;

	st(f, U, P, 4, 0x11223344, VIVT_NCB, 0x10);
	st(f, U + 4, P + 4, 4, 0x55667788, VIVT_NCNB, 0x14);
	ld(f, U + 8, P + 8, 4, VIVT_NCNB, 0x18);
	st(f, A + 0x40, P + 0x40, 4, 0x99aabbcc, VIVT_WB, 0x1c);
	s = stats(f, -1);
	assert_int_equal(s.uncached, 3);
	assert_int_equal(s.uncached_buffered, 1);
	assert_int_equal(s.buffered, 2);
	assert_int_equal(s.misses, 1);
}

/* A write-back store that misses does not allocate: it is buffered. */
static void test_write_miss_does_not_allocate(void **state)
{
	struct fx *f = *state;

	st(f, A, P, 4, 0x11223344, VIVT_WB, 0x14);
	assert_int_equal(way_of(f, A), -1);
	assert_int_equal(vivt_pending(f->m), 1);
	assert_int_equal(stats(f, -1).misses, 1);
}

/* C=0 accesses never touch the cache; a nonbuffered store is in memory
 * at once. */
static void test_uncached_bypasses_cache(void **state)
{
	struct fx *f = *state;
	struct vivt_stats s;

	assert_int_equal(ld(f, U, P, 4, VIVT_NCNB, 0x10), initial(P, 4));
	st(f, U, P, 4, 0x11223344, VIVT_NCNB, 0x14);
	assert_int_equal(ld(f, U + 4, P + 4, 4, VIVT_NCB, 0x18), initial(P + 4, 4));
	assert_int_equal(way_of(f, U), -1);
	assert_int_equal(vivt_pending(f->m), 0);
	assert_int_equal(mem32(f, P), 0x11223344);
	s = stats(f, -1);
	assert_int_equal(s.uncached, 3);
	assert_int_equal(s.hits + s.misses + s.fills, 0);
	assert_int_equal(f->nev, 0);
}

/* A bufferable store still pending when the bracket returns is reported;
 * after a drain it is not. */
static void test_undrained_handover(void **state)
{
	struct fx *f = *state;
	const struct vivt_event *e = &f->ev[0];

	st(f, U, P, 4, 0x11223344, VIVT_NCB, 0x14);
	assert_int_equal(mem32(f, P), initial(P, 4));
	assert_int_equal(vivt_handover_check(f->m, 0x700), 1);
	assert_event(f, 1, VIVT_EV_UNDRAINED, VIVT_HOW_PENDING, 0x700, U, P, VIVT_NO_LINE);
	assert_int_equal(e->size, 1);
	assert_int_equal(e->write.pc, 0x14);
	assert_int_equal(e->write.attr, VIVT_NCB);

	assert_int_equal(vivt_drain(f->m, 0x704), 0);
	assert_int_equal(vivt_handover_check(f->m, 0x708), 0);
	assert_int_equal(f->nev, 1);
	assert_int_equal(mem32(f, P), 0x11223344);
	assert_int_equal(stats(f, -1).undrained, 1);
	assert_int_equal(stats(f, -1).drains, 1);
}

static bool only_page_q(void *opaque, uint32_t pa, unsigned int len)
{
	(void)len;
	return (pa & ~0xfffu) == *(const uint32_t *)opaque;
}

/* A hand-over of one buffer counts only its own pending entries: another
 * page's store (the kernel's stack, say) pending beside it is not charged. */
static void test_undrained_handover_filtered(void **state)
{
	struct fx *f = *state;
	const struct vivt_event *e = &f->ev[0];
	uint32_t page = P & ~0xfffu, other = OTHER_PA(0) & ~0xfffu;

	st(f, OTHER_VA(0), OTHER_PA(0), 4, 0x55, VIVT_NCB, 0x10);
	assert_int_equal(vivt_handover_check_if(f->m, 0x700, only_page_q, &page), 0);
	assert_int_equal(f->nev, 0);
	st(f, U + 4, P + 4, 4, 0x66, VIVT_NCB, 0x14);
	st(f, U + 8, P + 8, 4, 0x77, VIVT_NCB, 0x18);
	assert_int_equal(vivt_handover_check_if(f->m, 0x704, only_page_q, &page), 2);
	assert_event(f, 1, VIVT_EV_UNDRAINED, VIVT_HOW_PENDING, 0x704, U + 4, P + 4,
		     VIVT_NO_LINE);
	assert_int_equal(e->size, 2);
	assert_int_equal(e->write.pc, 0x14);
	assert_int_equal(vivt_handover_check_if(f->m, 0x708, only_page_q, &other), 1);
	assert_int_equal(vivt_handover_check(f->m, 0x70c), 3);
	assert_int_equal(stats(f, -1).undrained, 3);
}

/* TRM 4.2: a read of an address with a pending write drains the buffer
 * (no forwarding); a read elsewhere leaves it. */
static void test_read_drains_pending_write_to_its_address(void **state)
{
	struct fx *f = *state;

	st(f, U, P, 4, 0x11223344, VIVT_NCB, 0x14);
	assert_int_equal(ld(f, U + 64, P + 64, 4, VIVT_NCB, 0x18), initial(P + 64, 4));
	assert_int_equal(vivt_pending(f->m), 1);
	assert_int_equal(ld(f, U, P, 4, VIVT_NCB, 0x1c), 0x11223344);
	assert_int_equal(vivt_pending(f->m), 0);
	assert_int_equal(f->nev, 0);
}

/* A full write buffer sends its oldest entry to memory. */
static void test_write_buffer_depth(void **state)
{
	struct fx *f = *state;
	struct vivt_config cfg;

	vivt_free(f->m);
	cfg_default(&cfg);
	cfg.wb_depth = 2;
	fx_open(f, &cfg);
	st(f, U, P, 4, 0x11111111, VIVT_NCB, 0x10);
	st(f, U + 4, P + 4, 4, 0x22222222, VIVT_NCB, 0x14);
	st(f, U + 8, P + 8, 4, 0x33333333, VIVT_NCB, 0x18);
	assert_int_equal(vivt_pending(f->m), 2);
	assert_int_equal(mem32(f, P), 0x11111111);
	assert_int_equal(mem32(f, P + 4), initial(P + 4, 4));
}

/* A nonbuffered store lands after the buffered ones before it. */
static void test_nonbuffered_store_drains_first(void **state)
{
	struct fx *f = *state;

	st(f, U, P, 4, 0x11111111, VIVT_NCB, 0x10);
	st(f, U + 4, P + 4, 4, 0x22222222, VIVT_NCNB, 0x14);
	assert_int_equal(vivt_pending(f->m), 0);
	assert_int_equal(mem32(f, P), 0x11111111);
	assert_int_equal(mem32(f, P + 4), 0x22222222);
}

/* A store buffered before a device wrote the same bytes lands over them. */
static void test_buffered_store_lands_over_device_data(void **state)
{
	struct fx *f = *state;
	const uint8_t dma[4] = { 1, 2, 3, 4 };

	st(f, U, P, 4, 0x11223344, VIVT_NCB, 0x14);
	assert_int_equal(vivt_device_write(f->m, P, dma, sizeof(dma)), 0);
	assert_int_equal(vivt_drain(f->m, 0x18), 0);
	assert_int_equal(f->nev, 1);
	assert_int_equal(f->ev[0].kind, VIVT_EV_LOST_WRITE);
	assert_int_equal(f->ev[0].how, VIVT_HOW_STORE);
	assert_int_equal(f->ev[0].pc, 0x14);
	assert_int_equal(f->ev[0].write.source, VIVT_SRC_DEVICE);
}

/* A device writes memory under a cached line: the next hit is stale. */
static void test_device_write_under_cached_line(void **state)
{
	struct fx *f = *state;
	const uint8_t dma[4] = { 1, 2, 3, 4 };

	ld(f, A, P, 4, VIVT_WB, 0x10);
	assert_int_equal(vivt_device_write(f->m, P, dma, sizeof(dma)), 0);
	assert_int_equal(ld(f, A, P, 4, VIVT_WB, 0x14), initial(P, 4));
	assert_int_equal(f->nev, 1);
	assert_int_equal(f->ev[0].how, VIVT_HOW_HIT);
	assert_int_equal(f->ev[0].coherent, 0x04030201);
	assert_int_equal(f->ev[0].write.source, VIVT_SRC_DEVICE);
}

/* A device reading memory under a dirty line reads stale data; after a
 * clean and a drain it does not. */
static void test_device_read_under_dirty_line(void **state)
{
	struct fx *f = *state;
	uint8_t buf[8];

	dirty_a(f, 0x11223344);
	assert_int_equal(vivt_device_read(f->m, P, buf, sizeof(buf)), 0);
	assert_int_equal(f->nev, 1);
	assert_int_equal(f->ev[0].how, VIVT_HOW_DEVICE);
	assert_int_equal(f->ev[0].pa, P);
	assert_int_equal(f->ev[0].coherent, 0x44);

	assert_int_equal(vivt_clean_mva(f->m, A, 0x20), 0);
	assert_int_equal(vivt_drain(f->m, 0x24), 0);
	assert_int_equal(vivt_device_read(f->m, P, buf, sizeof(buf)), 0);
	assert_int_equal(f->nev, 1);
	assert_int_equal(buf[0], 0x44);
}

/* Two dirty bits a line: only the dirty half is written back, so a clean
 * half never overwrites newer memory. */
static void test_half_line_dirty_bits(void **state)
{
	struct fx *f = *state;

	ld(f, A, P, 4, VIVT_WB, 0x10);
	st(f, A, P, 1, 0xaa, VIVT_WB, 0x14);
	assert_int_equal(line_of(f, A).dirty, 1);
	st(f, U + 20, P + 20, 4, 0x55667788, VIVT_NCNB, 0x18);
	assert_int_equal(vivt_clean_mva(f->m, A, 0x1c), 0);
	assert_int_equal(vivt_drain(f->m, 0x20), 0);
	assert_int_equal(mem32(f, P + 20), 0x55667788);
	assert_int_equal(mem32(f, P) & 0xff, 0xaa);
	assert_int_equal(f->nev, 0);
	st(f, A + 16, P + 16, 1, 0xbb, VIVT_WB, 0x24);
	assert_int_equal(line_of(f, A).dirty, 2);
}

/* c7,c6,0: every line invalid; dirty data dropped is reported. */
static void test_c7_inval_all(void **state)
{
	struct fx *f = *state;

	dirty_a(f, 0x11223344);
	ld(f, B + 64, P + 64, 4, VIVT_WB, 0x10);
	assert_int_equal(vivt_c7(f->m, 6, 0, 0, 0x800), 0);
	assert_int_equal(way_of(f, A), -1);
	assert_int_equal(way_of(f, B + 64), -1);
	assert_int_equal(f->nev, 1);
	assert_int_equal(f->ev[0].how, VIVT_HOW_INVALIDATE);
	assert_int_equal(f->ev[0].pc, 0x800);
}

/* c7,c6,1 on a clean line: invalid, nothing lost. */
static void test_c7_inval_mva_clean_line(void **state)
{
	struct fx *f = *state;

	ld(f, A, P, 4, VIVT_WB, 0x10);
	assert_int_equal(vivt_c7(f->m, 6, 1, A, 0x800), 0);
	assert_int_equal(way_of(f, A), -1);
	assert_int_equal(f->nev, 0);
}

/* c7,c6,2: the line in that set/way, and only it, is invalid. */
static void test_c7_inval_setway(void **state)
{
	struct fx *f = *state;
	unsigned int wa, wb;

	ld(f, A, P, 4, VIVT_WB, 0x10);
	ld(f, B, P, 4, VIVT_WB, 0x14);
	wa = (unsigned int)way_of(f, A);
	wb = (unsigned int)way_of(f, B);
	assert_int_equal(vivt_c7(f->m, 6, 2, setway(f, B, wb), 0x800), 0);
	assert_int_equal(way_of(f, B), -1);
	assert_int_equal(way_of(f, A), (int)wa);
}

/* c7,c10,1: the line stays valid, clean; its data reaches memory once
 * drained. */
static void test_c7_clean_mva(void **state)
{
	struct fx *f = *state;

	dirty_a(f, 0x11223344);
	assert_int_equal(vivt_c7(f->m, 10, 1, A + 12, 0x800), 0);
	assert_true(line_of(f, A).valid);
	assert_int_equal(line_of(f, A).dirty, 0);
	assert_int_equal(vivt_pending(f->m), 1);
	assert_int_equal(vivt_c7(f->m, 10, 4, 0, 0x804), 0);
	assert_int_equal(mem32(f, P), 0x11223344);
	assert_int_equal(stats(f, -1).writebacks, 1);
}

/* c7,c10,2: cleans the line in that set/way, not its neighbour in the set. */
static void test_c7_clean_setway(void **state)
{
	struct fx *f = *state;
	unsigned int wo;

	dirty_a(f, 0x11223344);
	ld(f, OTHER_VA(0), OTHER_PA(0), 4, VIVT_WB, 0x10);
	st(f, OTHER_VA(0), OTHER_PA(0), 4, 0x55667788, VIVT_WB, 0x14);
	wo = (unsigned int)way_of(f, OTHER_VA(0));
	assert_int_equal(vivt_set_of(f->m, A), vivt_set_of(f->m, OTHER_VA(0)));
	assert_int_equal(vivt_c7(f->m, 10, 2, setway(f, OTHER_VA(0), wo), 0x800), 0);
	assert_int_equal(line_of(f, OTHER_VA(0)).dirty, 0);
	assert_true(line_of(f, OTHER_VA(0)).valid);
	assert_int_not_equal(line_of(f, A).dirty, 0);
	assert_int_equal(vivt_drain(f->m, 0x804), 0);
	assert_int_equal(mem32(f, OTHER_PA(0)), 0x55667788);
	assert_int_equal(mem32(f, P), initial(P, 4));
}

/* c7,c14,1: written back and invalid. */
static void test_c7_clean_inval_mva(void **state)
{
	struct fx *f = *state;

	dirty_a(f, 0x11223344);
	assert_int_equal(vivt_c7(f->m, 14, 1, A, 0x800), 0);
	assert_int_equal(way_of(f, A), -1);
	assert_int_equal(vivt_drain(f->m, 0x804), 0);
	assert_int_equal(mem32(f, P), 0x11223344);
	assert_int_equal(f->nev, 0);
}

/* c7,c14,2: the line in that set/way written back and invalid. */
static void test_c7_clean_inval_setway(void **state)
{
	struct fx *f = *state;

	dirty_a(f, 0x11223344);
	assert_int_equal(vivt_c7(f->m, 14, 2, setway(f, A, (unsigned int)way_of(f, A)), 0x800), 0);
	assert_int_equal(way_of(f, A), -1);
	assert_int_equal(vivt_drain(f->m, 0x804), 0);
	assert_int_equal(mem32(f, P), 0x11223344);
	assert_int_equal(f->nev, 0);
}

/* Makes n lines dirty, in different sets. */
static void dirty_lines(struct fx *f, unsigned int n)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		ld(f, A + 64 * k, P + 64 * k, 4, VIVT_WB, 0x10);
		st(f, A + 64 * k, P + 64 * k, 4, 0x10000 + k, VIVT_WB, 0x14);
	}
}

static void assert_no_dirty_line(struct fx *f, bool valid)
{
	struct vivt_line_info li;
	unsigned int s, w;

	for (s = 0; s < vivt_sets(f->m); s++) {
		for (w = 0; w < VIVT_WAYS; w++) {
			assert_int_equal(vivt_line_info(f->m, s, w, &li), 0);
			assert_int_equal(li.dirty, 0);
			if (!valid)
				assert_false(li.valid);
		}
	}
}

/* c7,c10,3 in Linux's loop: one dirty line cleaned a call, then "clean". */
static void test_c7_test_clean_loop(void **state)
{
	struct fx *f = *state;
	unsigned int calls = 0;
	int rc;

	dirty_lines(f, 5);
	while ((rc = vivt_c7(f->m, 10, 3, 0, 0x800)) == 1)
		calls++;
	assert_int_equal(rc, 0);
	assert_int_equal(calls, 5);
	assert_no_dirty_line(f, true);
	assert_true(line_of(f, A).valid);
	assert_int_equal(stats(f, -1).writebacks, 5);
	assert_int_equal(vivt_drain(f->m, 0x804), 0);
	assert_int_equal(mem32(f, P + 256), 0x10004);
	assert_int_equal(f->nev, 0);
}

/* c7,c14,3: the same, and the call that finds nothing dirty invalidates
 * the whole cache. */
static void test_c7_test_clean_inval_loop(void **state)
{
	struct fx *f = *state;
	unsigned int calls = 0;

	dirty_lines(f, 3);
	while (vivt_c7(f->m, 14, 3, 0, 0x800) == 1)
		calls++;
	assert_int_equal(calls, 3);
	assert_no_dirty_line(f, false);
	assert_int_equal(vivt_drain(f->m, 0x804), 0);
	assert_int_equal(mem32(f, P + 128), 0x10002);
	assert_int_equal(f->nev, 0);
}

/* c7,c10,4 and c7,c0,4 (wait for interrupt) drain the write buffer. */
static void test_c7_drain(void **state)
{
	struct fx *f = *state;

	st(f, U, P, 4, 0x11223344, VIVT_NCB, 0x14);
	assert_int_equal(vivt_c7(f->m, 10, 4, 0, 0x800), 0);
	assert_int_equal(vivt_pending(f->m), 0);
	st(f, U, P, 4, 0x55667788, VIVT_NCB, 0x18);
	assert_int_equal(vivt_c7(f->m, 0, 4, 0, 0x804), 0);
	assert_int_equal(mem32(f, P), 0x55667788);
}

/* c7,c7,0 invalidates D (and I); I-cache operations change nothing;
 * anything else is refused. */
static void test_c7_other_ops(void **state)
{
	struct fx *f = *state;

	ld(f, A, P, 4, VIVT_WB, 0x10);
	assert_int_equal(vivt_c7(f->m, 5, 0, 0, 0x800), 0);
	assert_int_equal(vivt_c7(f->m, 5, 1, A, 0x800), 0);
	assert_int_equal(vivt_c7(f->m, 5, 2, 0, 0x800), 0);
	assert_int_equal(vivt_c7(f->m, 13, 1, A, 0x800), 0);
	assert_true(line_of(f, A).valid);
	assert_int_equal(vivt_c7(f->m, 7, 0, 0, 0x804), 0);
	assert_int_equal(way_of(f, A), -1);
	assert_int_equal(vivt_c7(f->m, 10, 5, 0, 0x808), -EINVAL);
	assert_int_equal(vivt_c7(f->m, 11, 1, A, 0x808), -EINVAL);
	assert_int_equal(vivt_c7(f->m, 16, 0, 0, 0x808), -EINVAL);
	assert_int_equal(vivt_c7(f->m, 6, 8, 0, 0x808), -EINVAL);
	assert_int_equal(vivt_c7(NULL, 10, 4, 0, 0x808), -EINVAL);
}

/* With every way of a set valid, round robin replaces ways 0, 1, 2, 3. */
static void test_round_robin_order(void **state)
{
	struct fx *f = *state;
	unsigned int k;

	evict_set(f, VIVT_WAYS, 0x10);
	for (k = 0; k < VIVT_WAYS; k++)
		assert_int_equal(way_of(f, OTHER_VA(k)), (int)k);
	for (k = VIVT_WAYS; k < 2 * VIVT_WAYS; k++) {
		ld(f, OTHER_VA(k), OTHER_PA(k), 4, VIVT_WB, 0x14);
		assert_int_equal(way_of(f, OTHER_VA(k)), (int)(k - VIVT_WAYS));
		assert_int_equal(way_of(f, OTHER_VA(k - VIVT_WAYS)), -1);
	}
}

/* The pseudo-random choice is the same for the same seed. */
static void test_random_is_repeatable(void **state)
{
	struct fx *f = *state;
	struct vivt_config cfg;
	int ways[2][12];
	unsigned int run, k;

	for (run = 0; run < 2; run++) {
		vivt_free(f->m);
		cfg_default(&cfg);
		cfg.replacement = VIVT_RANDOM;
		cfg.seed = 1234;
		fx_open(f, &cfg);
		for (k = 0; k < 12; k++) {
			ld(f, OTHER_VA(k), OTHER_PA(k), 4, VIVT_WB, 0x10);
			ways[run][k] = way_of(f, OTHER_VA(k));
			assert_true(ways[run][k] >= 0);
		}
	}
	assert_memory_equal(ways[0], ways[1], sizeof(ways[0]));
}

static void test_create_refuses_bad_parameters(void **state)
{
	static const uint32_t bad_sizes[] = { 0, 2048, 6144, 3000, 256 * 1024, 0x80000000u };
	static const uint32_t good_sizes[] = { 4096, 16384, 131072 };
	struct fx *f = *state;
	struct vivt_config cfg;
	struct vivt *m = NULL;
	unsigned int i;

	for (i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		cfg_default(&cfg);
		cfg.size = bad_sizes[i];
		assert_int_equal(vivt_create(&cfg, &m), -EINVAL);
		assert_null(m);
	}
	cfg_default(&cfg);
	cfg.wb_depth = 0;
	assert_int_equal(vivt_create(&cfg, &m), -EINVAL);
	cfg.wb_depth = VIVT_MAX_WB_DEPTH + 1;
	assert_int_equal(vivt_create(&cfg, &m), -EINVAL);
	cfg_default(&cfg);
	cfg.replacement = (enum vivt_replacement)7;
	assert_int_equal(vivt_create(&cfg, &m), -EINVAL);
	cfg_default(&cfg);
	cfg.read_phys = NULL;
	assert_int_equal(vivt_create(&cfg, &m), -EINVAL);
	assert_int_equal(vivt_create(NULL, &m), -EINVAL);
	cfg_default(&cfg);
	assert_int_equal(vivt_create(&cfg, NULL), -EINVAL);
	assert_null(m);

	for (i = 0; i < sizeof(good_sizes) / sizeof(good_sizes[0]); i++) {
		cfg_default(&cfg);
		cfg.size = good_sizes[i];
		assert_int_equal(vivt_create(&cfg, &m), 0);
		assert_int_equal(vivt_sets(m), good_sizes[i] / (VIVT_WAYS * VIVT_LINE));
		vivt_free(m);
		m = NULL;
	}
	vivt_free(NULL);
	(void)f;
}

static void test_access_refuses_bad_parameters(void **state)
{
	struct fx *f = *state;
	uint64_t v;

	assert_int_equal(vivt_load(f->m, A, P, 0, VIVT_WB, 0, &v), -EINVAL);
	assert_int_equal(vivt_load(f->m, A, P, 9, VIVT_WB, 0, &v), -EINVAL);
	assert_int_equal(vivt_load(f->m, A + 0xffe, P + 0xffe, 4, VIVT_WB, 0, &v), -EINVAL);
	assert_int_equal(vivt_load(f->m, A + 4, P, 4, VIVT_WB, 0, &v), -EINVAL);
	assert_int_equal(vivt_load(f->m, A, P, 4, (enum vivt_attr)4, 0, &v), -EINVAL);
	assert_int_equal(vivt_load(f->m, A, P, 4, VIVT_WB, 0, NULL), -EINVAL);
	assert_int_equal(vivt_load(NULL, A, P, 4, VIVT_WB, 0, &v), -EINVAL);
	assert_int_equal(vivt_store(f->m, A, P, 16, 0, VIVT_WB, 0), -EINVAL);
	assert_int_equal(vivt_store(f->m, A + 1, P + 2, 1, 0, VIVT_WB, 0), -EINVAL);
	assert_int_equal(vivt_device_write(f->m, 0xfffffffeu, "abcd", 4), -EINVAL);
	assert_int_equal(vivt_range_add(f->m, P, 0), -EINVAL);
	assert_int_equal(vivt_stats_get(f->m, 0, &(struct vivt_stats){ 0 }), -EINVAL);
	assert_int_equal(stats(f, -1).loads + stats(f, -1).stores, 0);
}

/* A page that cannot be read fails the access, which changes nothing. */
static void test_read_phys_failure(void **state)
{
	struct fx *f = *state;
	uint64_t v;

	fail_pa = P;
	assert_int_equal(vivt_load(f->m, A, P, 4, VIVT_WB, 0, &v), -EIO);
	assert_int_equal(vivt_store(f->m, A, P, 4, 1, VIVT_WB, 0), -EIO);
	assert_int_equal(way_of(f, A), -1);
	assert_int_equal(vivt_pending(f->m), 0);
	assert_int_equal(stats(f, -1).loads + stats(f, -1).stores, 0);
	fail_pa = UINT32_MAX;
	assert_int_equal(ld(f, A, P, 4, VIVT_WB, 0), initial(P, 4));
}

/* Totals per registered range of physical memory. */
static void test_range_totals(void **state)
{
	struct fx *f = *state;
	int r = vivt_range_add(f->m, P, 0x1000);
	struct vivt_stats s;

	assert_int_equal(r, 0);
	dirty_a(f, 0x11223344);
	ld(f, OTHER_VA(0), OTHER_PA(0), 4, VIVT_WB, 0x10);
	ld(f, U, P, 4, VIVT_NCNB, 0x14);
	ld(f, B, P, 4, VIVT_WB, 0x18);
	st(f, U + 8, P + 8, 4, 0, VIVT_NCB, 0x1c);
	assert_int_equal(vivt_handover_check(f->m, 0x20), 1);
	s = stats(f, r);
	assert_int_equal(s.loads, 3);
	assert_int_equal(s.stores, 2);
	assert_int_equal(s.fills, 2);
	assert_int_equal(s.hits, 1);
	assert_int_equal(s.uncached, 2);
	assert_int_equal(s.stale_reads, 2);
	assert_int_equal(s.undrained, 1);
	assert_int_equal(f->ev[0].range, r);
	s = stats(f, -1);
	assert_int_equal(s.loads, 4);
	assert_int_equal(s.fills, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fill_then_hit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newest_peek, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_replacement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_across_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_stale_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clean_writer_before_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_hit_needs_reader_invalidate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evicted_dirty_line_loses_newer_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writeback_before_pending_store_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_buffer_store_waiting_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_landing_under_dirty_line_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalidate_dirty_line_loses_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalidate_stale_dirty_line_loses_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalidate_dirty_line_held_by_alias, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalidate_dirty_line_held_by_write_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writeback_under_newer_dirty_alias, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_through, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uncached_buffered_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_miss_does_not_allocate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uncached_bypasses_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undrained_handover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_undrained_handover_filtered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_drains_pending_write_to_its_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_buffer_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonbuffered_store_drains_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffered_store_lands_over_device_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_write_under_cached_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_read_under_dirty_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_half_line_dirty_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_c7_inval_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_c7_inval_mva_clean_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_c7_inval_setway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_c7_clean_mva, setup, teardown),
		cmocka_unit_test_setup_teardown(test_c7_clean_setway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_c7_clean_inval_mva, setup, teardown),
		cmocka_unit_test_setup_teardown(test_c7_clean_inval_setway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_c7_test_clean_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_c7_test_clean_inval_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_c7_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_c7_other_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_robin_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_is_repeatable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_refuses_bad_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_refuses_bad_parameters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_phys_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range_totals, setup, teardown),
	};

	int failed = cmocka_run_group_tests_name("cachemodel", tests, NULL, NULL);

	return failed + armv5_tests();
}
