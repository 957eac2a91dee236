/* SPDX-License-Identifier: MIT */
/*
 * vivt: a model of the ARM926EJ-S data cache as far as coherency goes, with
 * the data it holds, so that it can say when a load returns stale bytes and
 * when a write is lost. The caller (the qemu plugin, or a test) hands it
 * every data access with the virtual and physical address and the page's C
 * and B bits, every CP15 c7 operation, and a way to read physical memory it
 * has not seen yet. See docs/cachemodel.md.
 *
 * Addresses are 32-bit (ARMv5, no LPAE); values are little-endian. Every
 * int function returns 0 (or a count) on success and a negative errno on
 * failure, and changes nothing when it fails. Not thread-safe: one model
 * per emulated core, called from one thread at a time.
 */
#ifndef VIVT_H
#define VIVT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIVT_LINE 32u		/* bytes per line (ARM926EJ-S TRM 4.1) */
#define VIVT_WAYS 4u		/* four-way set associative (TRM 4.1) */
#define VIVT_MIN_SIZE (4u * 1024u)
#define VIVT_MAX_SIZE (128u * 1024u)
#define VIVT_DEFAULT_SIZE (16u * 1024u)
#define VIVT_DEFAULT_WB_DEPTH 16u
#define VIVT_MAX_WB_DEPTH 256u
#define VIVT_MAX_RANGES 64u
#define VIVT_DEFAULT_SEED 0x926u
/* line_va of an event that concerns no line (an uncached access, a device) */
#define VIVT_NO_LINE UINT32_MAX

struct vivt;

/* The C and B bits of the page an access goes through (TRM Table 4-4). */
enum vivt_attr {
	VIVT_NCNB = 0,	/* C=0 B=0: noncachable, nonbufferable (strongly ordered) */
	VIVT_NCB = 1,	/* C=0 B=1: noncachable, bufferable (write-combined) */
	VIVT_WT = 2,	/* C=1 B=0: write-through */
	VIVT_WB = 3,	/* C=1 B=1: write-back */
};
#define VIVT_ATTR_CB(c, b) ((enum vivt_attr)((((c) != 0) << 1) | ((b) != 0)))

/* Victim choice when all four ways of a set are valid (CP15 c1 RR bit). */
enum vivt_replacement {
	VIVT_RANDOM = 0,	/* RR=0, the reset value and Linux's default */
	VIVT_ROUND_ROBIN = 1,	/* RR=1 (CONFIG_CPU_CACHE_ROUND_ROBIN) */
};

/*
 * Reads len bytes of physical memory at pa (within one 4 KiB page) into
 * buf, for a page the model has not seen yet. Returns 0 or a negative errno.
 */
typedef int (*vivt_read_phys_fn)(void *opaque, uint32_t pa, void *buf, size_t len);

struct vivt_config {
	uint32_t size;		/* D-cache bytes: a power of two, 4 KiB to 128 KiB */
	unsigned int wb_depth;	/* write-buffer entries, 1 to VIVT_MAX_WB_DEPTH */
	enum vivt_replacement replacement;
	uint32_t seed;		/* of the pseudo-random victim choice (0: the default) */
	vivt_read_phys_fn read_phys;	/* required */
	void *opaque;		/* passed to read_phys */
};

enum vivt_event_kind {
	VIVT_EV_STALE_READ = 1,	/* a load returned bytes older than the newest write */
	VIVT_EV_LOST_WRITE,	/* the newest data of some bytes left memory for good */
	VIVT_EV_UNDRAINED,	/* vivt_handover_check() found the write buffer not empty */
};

/* How it happened. */
enum vivt_how {
	VIVT_HOW_HIT = 1,	/* stale read: a line of this alias, older than the data */
	VIVT_HOW_FILL,		/* stale read: a linefill of memory that is older */
	VIVT_HOW_UNCACHED,	/* stale read: a C=0 read of memory that is older */
	VIVT_HOW_DEVICE,	/* stale read: vivt_device_read() of memory that is older */
	VIVT_HOW_WRITEBACK,	/* lost write: a dirty line written back over newer bytes */
	VIVT_HOW_STORE,		/* lost write: a buffered store landed over newer bytes */
	VIVT_HOW_INVALIDATE,	/* lost write: a dirty line invalidated, its data dropped */
	VIVT_HOW_PENDING,	/* undrained: entries still in the write buffer */
};

/* Who wrote some bytes. */
enum vivt_source {
	VIVT_SRC_NONE = 0,	/* nobody since the model first read the page */
	VIVT_SRC_CPU,		/* a store (vivt_store) */
	VIVT_SRC_DEVICE,	/* a device (vivt_device_write) */
	VIVT_SRC_WRITEBACK,	/* a dirty line's write-back (a write-buffer entry) */
};

struct vivt_write {
	uint64_t seq;		/* 1, 2, ... in the order of vivt_store/vivt_device_write; 0 if none */
	enum vivt_source source;
	uint32_t pc;		/* of the store; of the operation that caused a write-back */
	uint32_t va;		/* of the store: the alias it went through; of the line written back */
	uint32_t pa;
	unsigned int size;	/* bytes */
	enum vivt_attr attr;	/* of the store */
};

struct vivt_event {
	enum vivt_event_kind kind;
	enum vivt_how how;
	uint32_t pc;		/* the load; the op whose write-back landed; the invalidate; the hand-over */
	uint32_t va;		/* the load's VA; the lost byte's VA in the line or store; the oldest pending entry's */
	uint32_t pa;		/* the load's PA (a device read: its first stale byte); the first lost byte; the oldest pending entry's */
	uint32_t line_va;	/* the line concerned (the alias that held it), or VIVT_NO_LINE */
	unsigned int size;	/* the load's size; the bytes lost; the entries pending */
	uint64_t value;		/* stale read: what the core returned; lost write: the first lost byte as memory now holds it */
	uint64_t coherent;	/* stale read: what a coherent memory would return; lost write: the byte that was lost */
	struct vivt_write write;	/* stale read: the newest write of the first stale byte (the write
					 * this load missed, through its own alias in write.va); lost write:
					 * the write that was lost; undrained: the oldest pending entry */
	int range;		/* the first registered range holding pa, or -1 */
};

typedef void (*vivt_report_fn)(void *opaque, const struct vivt_event *ev);

/* Totals of a run, or of one registered range of physical memory. */
struct vivt_stats {
	uint64_t loads, stores;
	uint64_t hits, misses;	/* cacheable (C=1) accesses */
	uint64_t fills;		/* linefills */
	uint64_t writebacks;	/* dirty lines written back (evicted or cleaned) */
	uint64_t uncached;	/* C=0 accesses */
	uint64_t buffered;	/* stores that entered the write buffer */
	uint64_t uncached_buffered;	/* C=0 B=1 stores (also in both above) */
	uint64_t drains;	/* drain operations (totals only) */
	uint64_t stale_reads, lost_writes, undrained;
};

/* State of one line, for tests and reports. */
struct vivt_line_info {
	bool valid;
	unsigned int dirty;	/* bit 0: bytes 0-15 dirty, bit 1: bytes 16-31 */
	uint32_t va, pa;	/* line-aligned MVA tag and PA tag */
};

/* Fills *cfg with the defaults: 16 KiB, 16 entries, random, seed 0x926. */
void vivt_config_init(struct vivt_config *cfg);
/* -EINVAL for a size that is not a power of two in range, a write-buffer
 * depth out of range, an unknown replacement or no read_phys. */
int vivt_create(const struct vivt_config *cfg, struct vivt **out);
void vivt_free(struct vivt *m);		/* accepts NULL */
void vivt_set_reporter(struct vivt *m, vivt_report_fn fn, void *opaque);

/*
 * A data access of size 1 to 8 bytes at va (the MVA: FCSE already applied)
 * that the MMU translated to pa with those C and B bits. It must not cross a
 * 4 KiB page, and va and pa must agree in their low 10 bits. A load sets
 * *value to what the real core would return (stale or not); a store writes
 * the size low bytes of value.
 */
int vivt_load(struct vivt *m, uint32_t va, uint32_t pa, unsigned int size,
	      enum vivt_attr attr, uint32_t pc, uint64_t *value);
int vivt_store(struct vivt *m, uint32_t va, uint32_t pa, unsigned int size,
	       uint64_t value, enum vivt_attr attr, uint32_t pc);

/*
 * CP15 c7 data-cache operations. A line operation by MVA looks the line up
 * by its virtual tag and writes it back to the PA in its own PA tag (as the
 * ARM926 does, TRM 4.1): no translation is needed. Set/way operand: way in
 * bits [31:30], set in bits [S+4:5], S = log2(sets).
 */
int vivt_inval_all(struct vivt *m, uint32_t pc);			/* c7,c6,0 */
int vivt_inval_mva(struct vivt *m, uint32_t mva, uint32_t pc);		/* c7,c6,1 */
int vivt_inval_setway(struct vivt *m, uint32_t index, uint32_t pc);	/* c7,c6,2 */
int vivt_clean_mva(struct vivt *m, uint32_t mva, uint32_t pc);		/* c7,c10,1 */
int vivt_clean_setway(struct vivt *m, uint32_t index, uint32_t pc);	/* c7,c10,2 */
int vivt_clean_inval_mva(struct vivt *m, uint32_t mva, uint32_t pc);	/* c7,c14,1 */
int vivt_clean_inval_setway(struct vivt *m, uint32_t index, uint32_t pc); /* c7,c14,2 */
/*
 * c7,c10,3 and c7,c14,3: clean one dirty line and return 1, or return 0
 * when no line was dirty (the core's Z flag set: Linux's loop ends). The
 * second, finding nothing dirty, invalidates the whole cache. qemu answers
 * "clean" at once, so the guest runs the loop once: the plugin loops here.
 */
int vivt_test_clean(struct vivt *m, uint32_t pc);
int vivt_test_clean_inval(struct vivt *m, uint32_t pc);
int vivt_drain(struct vivt *m, uint32_t pc);				/* c7,c10,4 */
/*
 * Any MCR/MRC p15, 0, rd, c7, crm, opc2 of the ARM926 (TRM Table 2-17):
 * dispatches to the above; c7,c7,0 invalidates the D-cache (and I); c7,c0,4
 * (wait for interrupt) drains the write buffer; I-cache operations (c5,x,
 * c13,1) are accepted and ignored. -EINVAL for anything else.
 */
int vivt_c7(struct vivt *m, unsigned int crm, unsigned int opc2, uint32_t rd, uint32_t pc);

/*
 * A bracket handing the data over (end_cpu_access, a DMA map) returns at pc:
 * reports VIVT_EV_UNDRAINED if the write buffer still holds entries.
 * Returns their number.
 */
int vivt_handover_check(struct vivt *m, uint32_t pc);
/*
 * The same for one buffer: only the pending entries (stores and write-backs)
 * that want() accepts count, the event names the oldest of them. The plugin
 * passes the buffer a marked test window names, so that the kernel's own
 * write-backs (its stack, say) pending at that moment are not charged to it.
 */
typedef bool (*vivt_pa_filter_fn)(void *opaque, uint32_t pa, unsigned int len);
int vivt_handover_check_if(struct vivt *m, uint32_t pc, vivt_pa_filter_fn want, void *opaque);

/* A device writes or reads physical memory directly (no cache, no write
 * buffer); a read of bytes older than the newest write is a stale read. */
int vivt_device_write(struct vivt *m, uint32_t pa, const void *buf, size_t len);
int vivt_device_read(struct vivt *m, uint32_t pa, void *buf, size_t len);

/* Physical memory as the model holds it (what DRAM holds, not the cache). */
int vivt_mem_read(struct vivt *m, uint32_t pa, void *buf, size_t len);

/* The guest wrote the CP15 c1 RR bit: the victim choice from now on. */
int vivt_set_replacement(struct vivt *m, enum vivt_replacement r);

/*
 * The newest value of each byte (the last write by anybody, what a coherent
 * memory would hold), from pages the model holds already: -ENOENT if one is
 * not held (read_phys is not called). For a page-table walk.
 */
int vivt_newest_peek(struct vivt *m, uint32_t pa, void *buf, size_t len);

/* Registers [pa, pa + len) for per-range totals; returns its id (>= 0). */
int vivt_range_add(struct vivt *m, uint32_t pa, uint32_t len);
/* Totals of the run (range -1) or of one range. */
int vivt_stats_get(const struct vivt *m, int range, struct vivt_stats *out);

unsigned int vivt_sets(const struct vivt *m);
unsigned int vivt_set_of(const struct vivt *m, uint32_t va);
int vivt_line_info(const struct vivt *m, unsigned int set, unsigned int way,
		   struct vivt_line_info *out);
unsigned int vivt_pending(const struct vivt *m);	/* write-buffer entries */

#endif
