// SPDX-License-Identifier: MIT
/*
 * The ARM926EJ-S data cache, as far as coherency goes: see vivt.h and
 * docs/cachemodel.md.
 *
 * Three views of every physical byte the model has seen:
 *   - mem: what DRAM holds (a linefill reads it, a write-back or a drained
 *     store lands in it);
 *   - newest: what a coherent memory would hold, the last value written to
 *     the byte by anybody in program order, with the record of that write;
 *   - the lines of the cache, each holding its own copy of 32 bytes.
 * A load returning bytes that differ from newest is a stale read; a byte
 * whose newest value leaves memory and every buffer and line for good is a
 * lost write.
 */
#include "vivt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SHIFT 12
#define PAGE_SZ 4096u
#define PAGE_MASK (PAGE_SZ - 1u)
#define HALF (VIVT_LINE / 2u)
#define LINE_MASK (VIVT_LINE - 1u)
#define PAGES_INIT 64u
#define RECS_INIT 64u
#define OP(crm, opc2) (((crm) << 3) | (opc2))

enum counter {
	C_LOADS, C_STORES, C_HITS, C_MISSES, C_FILLS, C_WRITEBACKS,
	C_UNCACHED, C_BUFFERED, C_UNCACHED_BUFFERED, C_DRAINS, C_STALE, C_LOST, C_UNDRAINED, C_N
};

struct line {
	uint32_t va, pa;	/* line-aligned tags */
	bool valid;
	uint8_t dirty;		/* one bit per half line (TRM 4.1: two dirty bits) */
	uint8_t data[VIVT_LINE];
};

struct page {
	uint32_t pfn;
	uint8_t *newest;	/* NULL until first written: newest == mem */
	uint32_t *writer;	/* with newest: each byte's newest write, in recs[] */
	uint8_t mem[PAGE_SZ];
};

/* A write that is the newest of at least one byte (refs of them). */
struct rec {
	struct vivt_write w;
	uint32_t refs;
	uint32_t next_free;
};

/* A write-buffer entry: a buffered store, or a dirty line's write-back. */
struct wentry {
	uint32_t pa, va;	/* of data[0] */
	uint32_t line_va;	/* a write-back's line; VIVT_NO_LINE for a store */
	unsigned int len;
	struct vivt_write w;
	uint8_t data[VIVT_LINE];
};

struct range {
	uint32_t pa, len;
	uint64_t cnt[C_N];
};

struct vivt {
	struct vivt_config cfg;
	unsigned int sets;
	struct line *lines;	/* sets * VIVT_WAYS, set-major */
	uint8_t *rr;		/* round-robin victim counter of each set */
	uint32_t rng;		/* xorshift32 state */
	unsigned int tc_cursor;	/* where test-and-clean looks first */

	struct page **pages;	/* open addressing by page number */
	size_t pcap, npages;
	struct page *last;

	struct rec *recs;	/* recs[0]: no write (memory as first read) */
	uint32_t nrecs, rcap, free_rec;
	uint64_t seq;

	struct wentry *wb;	/* a FIFO of cfg.wb_depth entries */
	unsigned int wb_head, wb_count;

	vivt_report_fn report;
	void *report_opaque;
	uint64_t cnt[C_N];
	struct range ranges[VIVT_MAX_RANGES];
	unsigned int nranges;
};

static bool in_range(const struct range *r, uint32_t pa)
{
	return pa - r->pa < r->len;
}

static void count(struct vivt *m, uint32_t pa, enum counter c)
{
	unsigned int i;

	m->cnt[c]++;
	for (i = 0; i < m->nranges; i++)
		if (in_range(&m->ranges[i], pa))
			m->ranges[i].cnt[c]++;
}

static int range_of(const struct vivt *m, uint32_t pa)
{
	unsigned int i;

	for (i = 0; i < m->nranges; i++)
		if (in_range(&m->ranges[i], pa))
			return (int)i;
	return -1;
}

static void emit(struct vivt *m, struct vivt_event *ev)
{
	ev->range = range_of(m, ev->pa);
	if (m->report)
		m->report(m->report_opaque, ev);
}

static uint64_t le_value(const uint8_t *b, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | b[n];
	return v;
}

/* ---- physical pages ---- */

static size_t page_slot(uint32_t pfn, size_t cap)
{
	return (size_t)(pfn * 2654435761u) & (cap - 1);
}

static struct page *page_find(struct vivt *m, uint32_t pa)
{
	uint32_t pfn = pa >> PAGE_SHIFT;
	size_t i;

	if (m->last && m->last->pfn == pfn)
		return m->last;
	for (i = page_slot(pfn, m->pcap); m->pages[i]; i = (i + 1) & (m->pcap - 1))
		if (m->pages[i]->pfn == pfn)
			return m->last = m->pages[i];
	return NULL;
}

static void page_insert(struct page **tab, size_t cap, struct page *pg)
{
	size_t i;

	for (i = page_slot(pg->pfn, cap); tab[i]; i = (i + 1) & (cap - 1))
		;
	tab[i] = pg;
}

/* The page holding pa, read through read_phys the first time. */
static int page_get(struct vivt *m, uint32_t pa, struct page **out)
{
	struct page *pg = page_find(m, pa);
	int rc;

	if (pg) {
		*out = pg;
		return 0;
	}
	if ((m->npages + 1) * 2 > m->pcap) {
		size_t cap = m->pcap * 2, i;
		struct page **tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return -ENOMEM;
		for (i = 0; i < m->pcap; i++)
			if (m->pages[i])
				page_insert(tab, cap, m->pages[i]);
		free(m->pages);
		m->pages = tab;
		m->pcap = cap;
	}
	pg = malloc(sizeof(*pg));
	if (!pg)
		return -ENOMEM;
	pg->pfn = pa >> PAGE_SHIFT;
	pg->newest = NULL;
	pg->writer = NULL;
	rc = m->cfg.read_phys(m->cfg.opaque, pa & ~PAGE_MASK, pg->mem, PAGE_SZ);
	if (rc) {
		free(pg);
		return rc < 0 ? rc : -EIO;
	}
	page_insert(m->pages, m->pcap, pg);
	m->npages++;
	*out = m->last = pg;
	return 0;
}

/* Gives the page its newest view, before its first write. */
static int page_track(struct page *pg)
{
	if (pg->newest)
		return 0;
	pg->newest = malloc(PAGE_SZ);
	pg->writer = calloc(PAGE_SZ, sizeof(*pg->writer));
	if (!pg->newest || !pg->writer) {
		free(pg->newest);
		free(pg->writer);
		pg->newest = NULL;
		pg->writer = NULL;
		return -ENOMEM;
	}
	memcpy(pg->newest, pg->mem, PAGE_SZ);
	return 0;
}

/* Reads (and with track, prepares for writing) every page of a range. */
static int pages_get(struct vivt *m, uint32_t pa, size_t len, bool track)
{
	uint64_t p, end = (uint64_t)pa + len;
	struct page *pg;
	int rc;

	for (p = pa & ~PAGE_MASK; len && p < end; p += PAGE_SZ) {
		rc = page_get(m, (uint32_t)p, &pg);
		if (!rc && track)
			rc = page_track(pg);
		if (rc)
			return rc;
	}
	return 0;
}

static int check_span(const struct vivt *m, uint32_t pa, const void *buf, size_t len)
{
	if (!m || (!buf && len) || (uint64_t)pa + len > ((uint64_t)1 << 32))
		return -EINVAL;
	return 0;
}

static uint8_t newest_byte(const struct page *pg, uint32_t off)
{
	return pg->newest ? pg->newest[off] : pg->mem[off];
}

/* ---- records of writes ---- */

static const struct vivt_write *writer_of(const struct vivt *m, const struct page *pg, uint32_t off)
{
	return &m->recs[pg->writer ? pg->writer[off] : 0].w;
}

/* A new record (0 if out of memory: recs[0] is never handed out). */
static uint32_t rec_new(struct vivt *m, const struct vivt_write *w)
{
	uint32_t i;

	if (m->free_rec) {
		i = m->free_rec;
		m->free_rec = m->recs[i].next_free;
	} else {
		if (m->nrecs == m->rcap) {
			struct rec *r;

			if (m->rcap > UINT32_MAX / 2)
				return 0;
			r = realloc(m->recs, (size_t)m->rcap * 2 * sizeof(*r));
			if (!r)
				return 0;
			m->recs = r;
			m->rcap *= 2;
		}
		i = m->nrecs++;
	}
	m->recs[i].w = *w;
	m->recs[i].refs = 0;
	m->recs[i].next_free = 0;
	return i;
}

static void set_newest(struct vivt *m, struct page *pg, uint32_t off, uint8_t b, uint32_t rec)
{
	uint32_t old = pg->writer[off];

	pg->newest[off] = b;
	if (old == rec)
		return;
	pg->writer[off] = rec;
	m->recs[rec].refs++;
	if (old && --m->recs[old].refs == 0) {
		m->recs[old].next_free = m->free_rec;
		m->free_rec = old;
	}
}

/* ---- the write buffer ---- */

static struct wentry *wb_at(const struct vivt *m, unsigned int k)
{
	return &m->wb[(m->wb_head + k) % m->cfg.wb_depth];
}

static bool entry_writes(const struct wentry *p, uint32_t pa, uint8_t b)
{
	return p && pa >= p->pa && pa - p->pa < p->len && p->data[pa - p->pa] == b;
}

/*
 * Does an entry still in the write buffer (so landing later than the one
 * landing now), or next, the write that is waiting for room in it, write
 * byte value b at pa? Memory then ends up with b again before anybody can
 * read it (a read of a pending address drains first).
 */
static bool pending_writes(const struct vivt *m, uint32_t pa, uint8_t b, const struct wentry *next)
{
	unsigned int k;

	for (k = 0; k < m->wb_count; k++)
		if (entry_writes(wb_at(m, k), pa, b))
			return true;
	return entry_writes(next, pa, b);
}

static bool half_dirty(const struct line *l, unsigned int i);

/* Does a dirty line (any alias) hold byte value b of pa in a dirty half? It
 * will write b back later: a landing under it loses nothing yet. */
static bool dirty_line_holds(const struct vivt *m, uint32_t pa, uint8_t b)
{
	unsigned int n, i = pa & LINE_MASK;

	for (n = 0; n < m->sets * VIVT_WAYS; n++) {
		const struct line *o = &m->lines[n];

		if (o->valid && o->dirty && o->pa == (pa & ~LINE_MASK) && half_dirty(o, i) &&
		    o->data[i] == b)
			return true;
	}
	return false;
}

/* An entry reaches memory; newer bytes it overwrites are lost, unless a
 * later entry in the write buffer, or next (NULL: none), brings them back. */
static void land(struct vivt *m, const struct wentry *e, const struct wentry *next)
{
	struct page *pg = page_find(m, e->pa);
	uint32_t off = e->pa & PAGE_MASK;
	unsigned int i, lost = 0, first = 0;

	if (!pg)	/* cannot happen: an entry's page was read before */
		return;
	for (i = 0; pg->newest && i < e->len; i++) {
		uint8_t nb = pg->newest[off + i];

		if (e->data[i] != nb && pg->mem[off + i] == nb &&
		    !pending_writes(m, e->pa + i, nb, next) &&
		    !dirty_line_holds(m, e->pa + i, nb) && !lost++)
			first = i;
	}
	if (lost) {
		struct vivt_event ev = {
			.kind = VIVT_EV_LOST_WRITE,
			.how = e->w.source == VIVT_SRC_WRITEBACK ? VIVT_HOW_WRITEBACK : VIVT_HOW_STORE,
			.pc = e->w.pc, .va = e->va + first, .pa = e->pa + first,
			.line_va = e->line_va, .size = lost, .value = e->data[first],
			.coherent = pg->newest[off + first], .write = *writer_of(m, pg, off + first),
		};

		count(m, ev.pa, C_LOST);
		emit(m, &ev);
	}
	memcpy(pg->mem + off, e->data, e->len);
}

static void wb_pop(struct vivt *m, const struct wentry *next)
{
	struct wentry e = *wb_at(m, 0);

	m->wb_head = (m->wb_head + 1) % m->cfg.wb_depth;
	m->wb_count--;
	land(m, &e, next);
}

/* Drains the write buffer; next: the write waiting for it (or NULL). */
static void wb_drain_for(struct vivt *m, const struct wentry *next)
{
	while (m->wb_count)
		wb_pop(m, next);
}

static void wb_drain(struct vivt *m)
{
	wb_drain_for(m, NULL);
}

static void wb_push(struct vivt *m, const struct wentry *e)
{
	if (m->wb_count == m->cfg.wb_depth)
		wb_pop(m, e);	/* the core stalls until the oldest is out */
	*wb_at(m, m->wb_count) = *e;
	m->wb_count++;
}

/* TRM 4.2: a read with pending writes to its address is not forwarded:
 * the write buffer is drained and the value fetched from memory. */
static void wb_drain_for_read(struct vivt *m, uint32_t pa, unsigned int len)
{
	unsigned int k;

	for (k = 0; k < m->wb_count; k++) {
		const struct wentry *e = wb_at(m, k);

		if ((uint64_t)e->pa < (uint64_t)pa + len && (uint64_t)pa < (uint64_t)e->pa + e->len) {
			wb_drain(m);
			return;
		}
	}
}

static void wentry_init(struct wentry *e, uint32_t va, uint32_t pa, uint32_t line_va,
			const uint8_t *data, unsigned int len)
{
	memset(e, 0, sizeof(*e));
	e->va = va;
	e->pa = pa;
	e->line_va = line_va;
	e->len = len;
	memcpy(e->data, data, len);
}

/* ---- lines ---- */

static unsigned int set_index(const struct vivt *m, uint32_t va)
{
	return (va / VIVT_LINE) & (m->sets - 1);
}

static struct line *lookup(struct vivt *m, uint32_t va)
{
	struct line *ls = &m->lines[set_index(m, va) * VIVT_WAYS];
	unsigned int w;

	for (w = 0; w < VIVT_WAYS; w++)
		if (ls[w].valid && ls[w].va == (va & ~LINE_MASK))
			return &ls[w];
	return NULL;
}

static struct line *line_at_index(struct vivt *m, uint32_t index)
{
	unsigned int set = (index / VIVT_LINE) & (m->sets - 1);

	return &m->lines[set * VIVT_WAYS + (index >> 30)];
}

/* An invalid way if there is one, else as the RR bit says. */
static struct line *victim(struct vivt *m, uint32_t va)
{
	unsigned int set = set_index(m, va), w;
	struct line *ls = &m->lines[set * VIVT_WAYS];

	for (w = 0; w < VIVT_WAYS; w++)
		if (!ls[w].valid)
			return &ls[w];
	if (m->cfg.replacement == VIVT_ROUND_ROBIN) {
		w = m->rr[set];
		m->rr[set] = (uint8_t)((w + 1) % VIVT_WAYS);
	} else {
		m->rng ^= m->rng << 13;
		m->rng ^= m->rng >> 17;
		m->rng ^= m->rng << 5;
		w = m->rng >> 30;
	}
	return &ls[w];
}

static uint8_t halves(unsigned int off, unsigned int n)
{
	return (uint8_t)((1u << (off / HALF)) | (1u << ((off + n - 1) / HALF)));
}

static bool half_dirty(const struct line *l, unsigned int i)
{
	return l->dirty & (1u << (i / HALF));
}

/* Writes the dirty halves of a line back, through the write buffer. */
static void castout(struct vivt *m, struct line *l, uint32_t pc)
{
	unsigned int lo, hi;
	struct wentry e;

	if (!l->valid || !l->dirty)
		return;
	lo = (l->dirty & 1u) ? 0 : HALF;
	hi = (l->dirty & 2u) ? VIVT_LINE : HALF;
	wentry_init(&e, l->va + lo, l->pa + lo, l->va, l->data + lo, hi - lo);
	e.w.source = VIVT_SRC_WRITEBACK;
	e.w.pc = pc;
	e.w.va = e.va;
	e.w.pa = e.pa;
	e.w.size = e.len;
	e.w.attr = VIVT_WB;
	l->dirty = 0;
	count(m, l->pa, C_WRITEBACKS);
	wb_push(m, &e);
}

/* Is the newest value of byte i of l still held by a pending entry or by
 * another dirty line of the same physical line? Clears cand[] where so. */
static void held_elsewhere(const struct vivt *m, const struct line *l, const uint8_t *newest,
			   bool *cand)
{
	unsigned int i, k, n;

	for (k = 0; k < m->wb_count; k++) {
		const struct wentry *e = wb_at(m, k);

		for (i = 0; i < VIVT_LINE; i++) {
			uint32_t pa = l->pa + i;

			if (cand[i] && pa - e->pa < e->len && e->data[pa - e->pa] == newest[i])
				cand[i] = false;
		}
	}
	for (n = 0; n < m->sets * VIVT_WAYS; n++) {
		const struct line *o = &m->lines[n];

		if (o == l || !o->valid || !o->dirty || o->pa != l->pa)
			continue;
		for (i = 0; i < VIVT_LINE; i++)
			if (cand[i] && half_dirty(o, i) && o->data[i] == newest[i])
				cand[i] = false;
	}
}

/* Invalidates a line; dirty bytes that were the only copy of the newest
 * data are lost. */
static void drop(struct vivt *m, struct line *l, uint32_t pc)
{
	struct page *pg = l->valid && l->dirty ? page_find(m, l->pa) : NULL;
	bool cand[VIVT_LINE] = { false };
	unsigned int i, lost = 0, first = 0;
	uint32_t base = 0;

	if (pg && pg->newest) {
		base = l->pa & PAGE_MASK;
		for (i = 0; i < VIVT_LINE; i++) {
			uint8_t nb = pg->newest[base + i];

			cand[i] = half_dirty(l, i) && l->data[i] == nb && pg->mem[base + i] != nb;
		}
		held_elsewhere(m, l, pg->newest + base, cand);
		for (i = 0; i < VIVT_LINE; i++)
			if (cand[i] && !lost++)
				first = i;
	}
	if (lost) {
		struct vivt_event ev = {
			.kind = VIVT_EV_LOST_WRITE, .how = VIVT_HOW_INVALIDATE,
			.pc = pc, .va = l->va + first, .pa = l->pa + first, .line_va = l->va,
			.size = lost, .value = pg->mem[base + first],
			.coherent = pg->newest[base + first], .write = *writer_of(m, pg, base + first),
		};

		count(m, ev.pa, C_LOST);
		emit(m, &ev);
	}
	l->valid = false;
	l->dirty = 0;
}

static void fill(struct vivt *m, struct line *l, const struct page *pg, uint32_t va, uint32_t pa,
		 uint32_t pc)
{
	castout(m, l, pc);
	wb_drain_for_read(m, pa & ~LINE_MASK, VIVT_LINE);
	l->va = va & ~LINE_MASK;
	l->pa = pa & ~LINE_MASK;
	l->valid = true;
	l->dirty = 0;
	memcpy(l->data, pg->mem + (l->pa & PAGE_MASK), VIVT_LINE);
	count(m, l->pa, C_FILLS);
}

/* ---- accesses ---- */

static bool cacheable(enum vivt_attr attr)
{
	return attr == VIVT_WT || attr == VIVT_WB;
}

static int check_access(const struct vivt *m, uint32_t va, uint32_t pa, unsigned int size,
			enum vivt_attr attr)
{
	if (!m || size < 1 || size > 8 || (unsigned int)attr > VIVT_WB)
		return -EINVAL;
	if ((pa & PAGE_MASK) + size > PAGE_SZ || ((va ^ pa) & 0x3ffu))
		return -EINVAL;
	return 0;
}

/* Bytes of an access that lie in one line: how far from va to its end. */
static unsigned int part_len(uint32_t va, unsigned int left)
{
	unsigned int n = VIVT_LINE - (va & LINE_MASK);

	return n < left ? n : left;
}

/* One part of a load, within one line. */
static enum vivt_how load_part(struct vivt *m, const struct page *pg, uint32_t va, uint32_t pa,
			       unsigned int n, enum vivt_attr attr, uint32_t pc, uint8_t *out,
			       uint32_t *line_va)
{
	enum vivt_how how;
	struct line *l;

	if (!cacheable(attr)) {
		count(m, pa, C_UNCACHED);
		wb_drain_for_read(m, pa, n);
		memcpy(out, pg->mem + (pa & PAGE_MASK), n);
		*line_va = VIVT_NO_LINE;
		return VIVT_HOW_UNCACHED;
	}
	how = VIVT_HOW_HIT;
	l = lookup(m, va);
	if (l) {
		count(m, pa, C_HITS);
	} else {
		count(m, pa, C_MISSES);
		l = victim(m, va);
		fill(m, l, pg, va, pa, pc);
		how = VIVT_HOW_FILL;
	}
	memcpy(out, l->data + (va & LINE_MASK), n);
	*line_va = l->va;
	return how;
}

int vivt_load(struct vivt *m, uint32_t va, uint32_t pa, unsigned int size, enum vivt_attr attr,
	      uint32_t pc, uint64_t *value)
{
	uint8_t got[8], coh[8];
	enum vivt_how how[8];
	uint32_t line_va[8], off = pa & PAGE_MASK;
	unsigned int i, j, n, first;
	struct page *pg;
	int rc = check_access(m, va, pa, size, attr);

	if (!rc && !value)
		rc = -EINVAL;
	if (!rc)
		rc = page_get(m, pa, &pg);
	if (rc)
		return rc;
	count(m, pa, C_LOADS);
	for (i = 0; i < size; i += n) {
		n = part_len(va + i, size - i);
		how[i] = load_part(m, pg, va + i, pa + i, n, attr, pc, got + i, &line_va[i]);
		for (j = 1; j < n; j++) {
			how[i + j] = how[i];
			line_va[i + j] = line_va[i];
		}
	}
	for (i = 0, first = size; i < size; i++) {
		coh[i] = newest_byte(pg, off + i);
		if (first == size && got[i] != coh[i])
			first = i;
	}
	if (first < size) {
		struct vivt_event ev = {
			.kind = VIVT_EV_STALE_READ, .how = how[first], .pc = pc, .va = va, .pa = pa,
			.line_va = line_va[first], .size = size, .value = le_value(got, size),
			.coherent = le_value(coh, size), .write = *writer_of(m, pg, off + first),
		};

		count(m, pa, C_STALE);
		emit(m, &ev);
	}
	*value = le_value(got, size);
	return 0;
}

static void buffer_store(struct vivt *m, uint32_t va, uint32_t pa, const uint8_t *b,
			 unsigned int n, const struct vivt_write *w)
{
	struct wentry e;

	wentry_init(&e, va, pa, VIVT_NO_LINE, b, n);
	e.w = *w;
	count(m, pa, C_BUFFERED);
	wb_push(m, &e);
}

/* One part of a store, within one line (TRM Table 4-4). */
static void store_part(struct vivt *m, uint32_t va, uint32_t pa, const uint8_t *b, unsigned int n,
		       enum vivt_attr attr, const struct vivt_write *w)
{
	struct line *l;
	struct wentry e;

	if (cacheable(attr)) {
		l = lookup(m, va);
		if (l) {
			count(m, pa, C_HITS);
			memcpy(l->data + (va & LINE_MASK), b, n);
			if (attr == VIVT_WB) {
				l->dirty |= halves(va & LINE_MASK, n);
				return;
			}
		} else {
			count(m, pa, C_MISSES);	/* no allocation on a write miss */
		}
		buffer_store(m, va, pa, b, n, w);
		return;
	}
	count(m, pa, C_UNCACHED);
	if (attr == VIVT_NCB) {
		count(m, pa, C_UNCACHED_BUFFERED);
		buffer_store(m, va, pa, b, n, w);
		return;
	}
	/* Nonbuffered: assumed to reach memory after every earlier write. */
	wentry_init(&e, va, pa, VIVT_NO_LINE, b, n);
	e.w = *w;
	wb_drain_for(m, &e);
	land(m, &e, NULL);
}

int vivt_store(struct vivt *m, uint32_t va, uint32_t pa, unsigned int size, uint64_t value,
	       enum vivt_attr attr, uint32_t pc)
{
	struct vivt_write w = {
		.source = VIVT_SRC_CPU, .pc = pc, .va = va, .pa = pa, .size = size, .attr = attr,
	};
	uint32_t rec, off = pa & PAGE_MASK;
	uint8_t b[8];
	unsigned int i, n;
	struct page *pg;
	int rc = check_access(m, va, pa, size, attr);

	if (!rc)
		rc = page_get(m, pa, &pg);
	if (!rc)
		rc = page_track(pg);
	if (rc)
		return rc;
	w.seq = m->seq + 1;
	rec = rec_new(m, &w);
	if (!rec)
		return -ENOMEM;
	m->seq++;
	count(m, pa, C_STORES);
	for (i = 0; i < size; i++) {
		b[i] = (uint8_t)(value >> (8 * i));
		set_newest(m, pg, off + i, b[i], rec);
	}
	for (i = 0; i < size; i += n) {
		n = part_len(va + i, size - i);
		store_part(m, va + i, pa + i, b + i, n, attr, &w);
	}
	return 0;
}

/* ---- CP15 c7 ---- */

int vivt_inval_all(struct vivt *m, uint32_t pc)
{
	unsigned int n;

	if (!m)
		return -EINVAL;
	for (n = 0; n < m->sets * VIVT_WAYS; n++)
		drop(m, &m->lines[n], pc);
	return 0;
}

static void clean_inval(struct vivt *m, struct line *l, uint32_t pc)
{
	castout(m, l, pc);
	l->valid = false;
}

typedef void line_op(struct vivt *m, struct line *l, uint32_t pc);

/* An operation on the line of an MVA, if it is in the cache. */
static int by_mva(struct vivt *m, uint32_t mva, uint32_t pc, line_op *op)
{
	struct line *l;

	if (!m)
		return -EINVAL;
	l = lookup(m, mva);
	if (l)
		op(m, l, pc);
	return 0;
}

/* An operation on the line in a set and way. */
static int by_setway(struct vivt *m, uint32_t index, uint32_t pc, line_op *op)
{
	if (!m)
		return -EINVAL;
	op(m, line_at_index(m, index), pc);
	return 0;
}

int vivt_inval_mva(struct vivt *m, uint32_t mva, uint32_t pc)
{
	return by_mva(m, mva, pc, drop);
}

int vivt_inval_setway(struct vivt *m, uint32_t index, uint32_t pc)
{
	return by_setway(m, index, pc, drop);
}

int vivt_clean_mva(struct vivt *m, uint32_t mva, uint32_t pc)
{
	return by_mva(m, mva, pc, castout);
}

int vivt_clean_setway(struct vivt *m, uint32_t index, uint32_t pc)
{
	return by_setway(m, index, pc, castout);
}

int vivt_clean_inval_mva(struct vivt *m, uint32_t mva, uint32_t pc)
{
	return by_mva(m, mva, pc, clean_inval);
}

int vivt_clean_inval_setway(struct vivt *m, uint32_t index, uint32_t pc)
{
	return by_setway(m, index, pc, clean_inval);
}

/* Cleans the next dirty line, looking from where the last search ended. */
static int test_clean_one(struct vivt *m, uint32_t pc)
{
	unsigned int total = m->sets * VIVT_WAYS, k;

	for (k = 0; k < total; k++) {
		struct line *l = &m->lines[(m->tc_cursor + k) % total];

		if (l->valid && l->dirty) {
			m->tc_cursor = (unsigned int)(l - m->lines);
			castout(m, l, pc);
			return 1;
		}
	}
	return 0;
}

int vivt_test_clean(struct vivt *m, uint32_t pc)
{
	if (!m)
		return -EINVAL;
	return test_clean_one(m, pc);
}

int vivt_test_clean_inval(struct vivt *m, uint32_t pc)
{
	unsigned int n;

	if (!m)
		return -EINVAL;
	if (test_clean_one(m, pc))
		return 1;
	for (n = 0; n < m->sets * VIVT_WAYS; n++)
		m->lines[n].valid = false;	/* all clean: nothing to lose */
	return 0;
}

int vivt_drain(struct vivt *m, uint32_t pc)
{
	(void)pc;
	if (!m)
		return -EINVAL;
	m->cnt[C_DRAINS]++;
	wb_drain(m);
	return 0;
}

int vivt_c7(struct vivt *m, unsigned int crm, unsigned int opc2, uint32_t rd, uint32_t pc)
{
	if (!m || crm > 15 || opc2 > 7)
		return -EINVAL;
	switch (OP(crm, opc2)) {
	case OP(0, 4):		/* wait for interrupt: both write buffers drain (TRM 4.2) */
	case OP(10, 4):
		return vivt_drain(m, pc);
	case OP(5, 0):		/* I-cache: not modelled */
	case OP(5, 1):
	case OP(5, 2):
	case OP(13, 1):
		return 0;
	case OP(6, 0):
	case OP(7, 0):		/* invalidate I and D */
		return vivt_inval_all(m, pc);
	case OP(6, 1):
		return vivt_inval_mva(m, rd, pc);
	case OP(6, 2):
		return vivt_inval_setway(m, rd, pc);
	case OP(10, 1):
		return vivt_clean_mva(m, rd, pc);
	case OP(10, 2):
		return vivt_clean_setway(m, rd, pc);
	case OP(10, 3):
		return vivt_test_clean(m, pc);
	case OP(14, 1):
		return vivt_clean_inval_mva(m, rd, pc);
	case OP(14, 2):
		return vivt_clean_inval_setway(m, rd, pc);
	case OP(14, 3):
		return vivt_test_clean_inval(m, pc);
	default:
		return -EINVAL;
	}
}

int vivt_handover_check_if(struct vivt *m, uint32_t pc, vivt_pa_filter_fn want, void *opaque)
{
	struct vivt_event ev;
	const struct wentry *e, *oldest = NULL;
	unsigned int i, k, n = 0;

	if (!m)
		return -EINVAL;
	for (k = 0; k < m->wb_count; k++) {
		e = wb_at(m, k);
		if (want && !want(opaque, e->pa, e->len))
			continue;
		if (!oldest)
			oldest = e;
		n++;
	}
	if (!n)
		return 0;
	ev = (struct vivt_event){
		.kind = VIVT_EV_UNDRAINED, .how = VIVT_HOW_PENDING, .pc = pc, .va = oldest->va,
		.pa = oldest->pa, .line_va = oldest->line_va, .size = n, .write = oldest->w,
	};
	m->cnt[C_UNDRAINED]++;
	for (i = 0; i < m->nranges; i++) {
		for (k = 0; k < m->wb_count; k++) {
			e = wb_at(m, k);
			if ((!want || want(opaque, e->pa, e->len)) && in_range(&m->ranges[i], e->pa))
				break;
		}
		if (k < m->wb_count)
			m->ranges[i].cnt[C_UNDRAINED]++;
	}
	emit(m, &ev);
	return (int)n;
}

int vivt_handover_check(struct vivt *m, uint32_t pc)
{
	return vivt_handover_check_if(m, pc, NULL, NULL);
}

/* ---- devices and inspection ---- */

int vivt_device_write(struct vivt *m, uint32_t pa, const void *buf, size_t len)
{
	struct vivt_write w = { .source = VIVT_SRC_DEVICE, .pa = pa, .attr = VIVT_NCNB };
	const uint8_t *b = buf;
	uint32_t rec;
	size_t i;
	int rc = check_span(m, pa, buf, len);

	if (!rc)
		rc = pages_get(m, pa, len, true);
	if (rc || !len)
		return rc;
	w.seq = m->seq + 1;
	w.size = len > UINT32_MAX ? UINT32_MAX : (unsigned int)len;
	rec = rec_new(m, &w);
	if (!rec)
		return -ENOMEM;
	m->seq++;
	for (i = 0; i < len; i++) {
		uint32_t p = pa + (uint32_t)i;
		struct page *pg = page_find(m, p);

		pg->mem[p & PAGE_MASK] = b[i];
		set_newest(m, pg, p & PAGE_MASK, b[i], rec);
	}
	return 0;
}

int vivt_mem_read(struct vivt *m, uint32_t pa, void *buf, size_t len)
{
	uint8_t *b = buf;
	size_t i;
	int rc = check_span(m, pa, buf, len);

	if (!rc)
		rc = pages_get(m, pa, len, false);
	if (rc)
		return rc;
	for (i = 0; i < len; i++) {
		uint32_t p = pa + (uint32_t)i;

		b[i] = page_find(m, p)->mem[p & PAGE_MASK];
	}
	return 0;
}

int vivt_set_replacement(struct vivt *m, enum vivt_replacement r)
{
	if (!m || (r != VIVT_RANDOM && r != VIVT_ROUND_ROBIN))
		return -EINVAL;
	m->cfg.replacement = r;
	return 0;
}

int vivt_newest_peek(struct vivt *m, uint32_t pa, void *buf, size_t len)
{
	uint8_t *b = buf;
	size_t i;
	int rc = check_span(m, pa, buf, len);

	for (i = 0; !rc && i < len; i++) {
		uint32_t p = pa + (uint32_t)i;
		const struct page *pg = page_find(m, p);

		if (!pg)
			return -ENOENT;
		b[i] = pg->newest ? pg->newest[p & PAGE_MASK] : pg->mem[p & PAGE_MASK];
	}
	return rc;
}

int vivt_device_read(struct vivt *m, uint32_t pa, void *buf, size_t len)
{
	const uint8_t *b = buf;
	size_t i;
	int rc = vivt_mem_read(m, pa, buf, len);

	for (i = 0; !rc && i < len; i++) {
		uint32_t p = pa + (uint32_t)i;
		const struct page *pg = page_find(m, p);
		uint8_t nb = newest_byte(pg, p & PAGE_MASK);

		if (b[i] != nb) {
			struct vivt_event ev = {
				.kind = VIVT_EV_STALE_READ, .how = VIVT_HOW_DEVICE, .pa = p,
				.line_va = VIVT_NO_LINE,
				.size = len > UINT32_MAX ? UINT32_MAX : (unsigned int)len,
				.value = b[i], .coherent = nb, .write = *writer_of(m, pg, p & PAGE_MASK),
			};

			count(m, p, C_STALE);
			emit(m, &ev);
			break;
		}
	}
	return rc;
}

int vivt_range_add(struct vivt *m, uint32_t pa, uint32_t len)
{
	struct range *r;

	if (!m || !len || (uint64_t)pa + len > ((uint64_t)1 << 32))
		return -EINVAL;
	if (m->nranges == VIVT_MAX_RANGES)
		return -ENOSPC;
	r = &m->ranges[m->nranges];
	memset(r, 0, sizeof(*r));
	r->pa = pa;
	r->len = len;
	return (int)m->nranges++;
}

int vivt_stats_get(const struct vivt *m, int range, struct vivt_stats *out)
{
	const uint64_t *c;

	if (!m || !out || range < -1 || range >= (int)m->nranges)
		return -EINVAL;
	c = range < 0 ? m->cnt : m->ranges[range].cnt;
	*out = (struct vivt_stats){
		.loads = c[C_LOADS], .stores = c[C_STORES], .hits = c[C_HITS],
		.misses = c[C_MISSES], .fills = c[C_FILLS], .writebacks = c[C_WRITEBACKS],
		.uncached = c[C_UNCACHED], .buffered = c[C_BUFFERED],
		.uncached_buffered = c[C_UNCACHED_BUFFERED], .drains = c[C_DRAINS],
		.stale_reads = c[C_STALE], .lost_writes = c[C_LOST], .undrained = c[C_UNDRAINED],
	};
	return 0;
}

unsigned int vivt_sets(const struct vivt *m)
{
	return m ? m->sets : 0;
}

unsigned int vivt_set_of(const struct vivt *m, uint32_t va)
{
	return m ? set_index(m, va) : 0;
}

int vivt_line_info(const struct vivt *m, unsigned int set, unsigned int way,
		   struct vivt_line_info *out)
{
	const struct line *l;

	if (!m || !out || set >= m->sets || way >= VIVT_WAYS)
		return -EINVAL;
	l = &m->lines[set * VIVT_WAYS + way];
	*out = (struct vivt_line_info){
		.valid = l->valid, .dirty = l->dirty, .va = l->va, .pa = l->pa,
	};
	return 0;
}

unsigned int vivt_pending(const struct vivt *m)
{
	return m ? m->wb_count : 0;
}

/* ---- life cycle ---- */

void vivt_config_init(struct vivt_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = VIVT_DEFAULT_SIZE;
	cfg->wb_depth = VIVT_DEFAULT_WB_DEPTH;
	cfg->replacement = VIVT_RANDOM;
	cfg->seed = VIVT_DEFAULT_SEED;
}

int vivt_create(const struct vivt_config *cfg, struct vivt **out)
{
	struct vivt *m;

	if (!cfg || !out || !cfg->read_phys)
		return -EINVAL;
	if (cfg->size < VIVT_MIN_SIZE || cfg->size > VIVT_MAX_SIZE || (cfg->size & (cfg->size - 1)))
		return -EINVAL;
	if (cfg->wb_depth < 1 || cfg->wb_depth > VIVT_MAX_WB_DEPTH)
		return -EINVAL;
	if (cfg->replacement != VIVT_RANDOM && cfg->replacement != VIVT_ROUND_ROBIN)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cfg = *cfg;
	m->sets = cfg->size / (VIVT_WAYS * VIVT_LINE);
	m->rng = cfg->seed ? cfg->seed : VIVT_DEFAULT_SEED;
	m->lines = calloc((size_t)m->sets * VIVT_WAYS, sizeof(*m->lines));
	m->rr = calloc(m->sets, sizeof(*m->rr));
	m->pcap = PAGES_INIT;
	m->pages = calloc(m->pcap, sizeof(*m->pages));
	m->rcap = RECS_INIT;
	m->nrecs = 1;
	m->recs = calloc(m->rcap, sizeof(*m->recs));
	m->wb = calloc(cfg->wb_depth, sizeof(*m->wb));
	if (!m->lines || !m->rr || !m->pages || !m->recs || !m->wb) {
		vivt_free(m);
		return -ENOMEM;
	}
	*out = m;
	return 0;
}

void vivt_free(struct vivt *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; m->pages && i < m->pcap; i++) {
		if (m->pages[i]) {
			free(m->pages[i]->newest);
			free(m->pages[i]->writer);
			free(m->pages[i]);
		}
	}
	free(m->pages);
	free(m->lines);
	free(m->rr);
	free(m->recs);
	free(m->wb);
	free(m);
}

void vivt_set_reporter(struct vivt *m, vivt_report_fn fn, void *opaque)
{
	if (!m)
		return;
	m->report = fn;
	m->report_opaque = opaque;
}
