// SPDX-License-Identifier: MIT
/*
 * libvivtcache.so: a qemu TCG plugin (plugin API version 4, qemu 10.0) that
 * feeds the ARM926EJ-S data-cache model (vivt.h) from a versatilepb guest:
 * every data access with its VA, PA, size, value and the C and B bits of
 * the page it went through (a walk of the guest's ARMv5 page tables), and
 * every CP15 c7 operation with its operand. See docs/cachemodel.md.
 *
 *   qemu-system-arm -M versatilepb ... -plugin build/host/libvivtcache.so,ARGS \
 *       -d plugin -D report.txt
 *
 * ARGS (comma separated): size=BYTES (4096..131072, K suffix allowed),
 * wb=ENTRIES, replacement=random|rr, seed=N, out=FILE (events and totals;
 * default: qemu's plugin log), range=PA:LEN (repeatable; per-range totals),
 * maxev=N (events printed in full, default 50), page_offset=VA (default
 * 0xc0000000), lowmem=BYTES (RAM reachable through the linear map, default
 * 256M), regs=on (list the registers qemu offers at start), trace=PA (print
 * every access to that 32-byte line), sysmap=FILE (the kernel's System.map:
 * kernel PCs printed as symbol+offset), nomaint=on (a test of the model
 * itself: c7 operations are counted but not applied, so a guest that is
 * right under the model must now show stale reads), handover=SYMBOL
 * (repeatable; with sysmap=, default dma_buf_end_cpu_access and
 * dma_buf_map_attachment: when a call of SYMBOL returns, to the address its
 * entry found in lr, the write buffer must hold nothing of the buffer under
 * test; handover=none checks nothing).
 *
 * Marks: the guest executes "orr r11, r11, r11" (a no-op, vivtcache_mark()
 * in vivtcache-mark.h) with r0 pointing to "begin NAME [PA+LEN ...]" or
 * "end"; the events between the two are the window NAME's, counted in
 * when they fall in its physical ranges (all, if it names none), and the
 * hand-over checks in it look only at those ranges. "end" prints a WINDOW
 * line with the window's totals.
 *
 * CP15 state (SCTLR, TTBR, FCSE PID) is followed through the MCR
 * instructions that write it, read in an exec callback with
 * QEMU_PLUGIN_CB_R_REGS, and cross-checked against qemu's SCTLR and
 * TTBR0_EL1 registers at each c7 operation. Single vCPU only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <qemu-plugin.h>

#include "armv5.h"
#include "vivt.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define PFX "vivtcache: "
#define ARM926_MIDR 0x41069260u		/* implementer, arch v5TEJ, part 926; revision masked */
#define ARM926_MIDR_MASK 0xff0ffff0u
#define SCTLR_M (1u << 0)
#define SCTLR_C (1u << 2)
#define SCTLR_RR (1u << 14)
#define WC_SIZE 4096u			/* walk cache entries (direct mapped by VPN) */
#define MAX_RANGES 16
#define MARK_INSN 0xe18bb00bu		/* orr r11, r11, r11 */
#define MAX_HANDOVER 8
#define MAX_WIN_RANGES 64
#define MAX_PENDING 16
#define MODULES_SPAN (16u << 20)

static struct {
	struct vivt_config cfg;
	bool replacement_fixed;	/* replacement= given: ignore the guest's RR bit */
	char *out;
	unsigned int maxev;
	uint32_t page_offset;
	uint32_t lowmem;
	bool regs;
	uint32_t trace;		/* PA of a line whose every access is printed (0: none) */
	char *sysmap;		/* the kernel's System.map: PCs printed as symbol+offset */
	bool nomaint;		/* a test of the model: c7 operations counted, not applied */
	unsigned int nranges;
	uint32_t range_pa[MAX_RANGES], range_len[MAX_RANGES];
	int range_id[MAX_RANGES];
	unsigned int nhand;
	char *hand_name[MAX_HANDOVER];
	bool hand_none;
} opt;

static struct vivt *model;
static FILE *outf;

/* Registers (handles from qemu_plugin_get_registers at vCPU init). */
static struct qemu_plugin_register *gpr[16], *cpsr_reg, *midr_reg, *sctlr_reg, *ttbr0_reg;
static GByteArray *rbuf, *mbuf;
static GHashTable *cp15_ops;	/* (pc << 32 | insn) -> struct cp15_op */

/* CP15 state as the guest's MCRs set it; reset values. */
static uint32_t sctlr, ttbr, fcse;
static bool cpu_checked;
static bool kernel_virt;	/* code above page_offset has run: the linear map exists */
static uint32_t cur_pc;
/* The page the current access goes through: its PA is readable at its VA. */
static uint32_t cur_va_page, cur_pa_page;
static bool cur_valid;
static GHashTable *event_pcs;	/* event pc -> count, per kind */
static bool ev_seen;		/* the core reported an event during the current call */

/* Cached page-table walks, dropped on TTBR/SCTLR writes and TLB operations. */
struct walk_entry {
	uint32_t vpn, ppn, gen;
	enum vivt_attr attr;
};
static struct walk_entry wcache[WC_SIZE];
static uint32_t wgen = 1;

static struct {
	uint64_t accesses, io, skipped_size, skipped_cross, skipped_high_pa;
	uint64_t mmu_off, walk_fault, walk_read_fail, walk_read_fail_low, walk_pa_mismatch, walks;
	uint64_t unknown_pa, model_err, divergent;
	uint64_t c7[16][8], c7_mrc_tc, c7_bad, c7_user, c7_cond_skipped;
	uint64_t sctlr_w, ttbr_w, tlb_ops, fcse_w;
	uint64_t xcheck_ok, xcheck_bad;
	uint64_t events[4], printed;
	uint64_t marks, bad_marks, nowin[4];
	uint64_t hand_calls[MAX_HANDOVER], hand_checked[MAX_HANDOVER], hand_lost, hand_late_sites;
} st;

/* Hand-over points: each symbol's entry, and the return sites seen in lr. */
static uint32_t hand_addr[MAX_HANDOVER];
static GHashTable *ret_sites;	/* return address -> 1 */
static GHashTable *tbs_seen;	/* kernel TB start -> 1 (a site found late misses checks) */
/*
 * Calls in flight: where each returns and its sp at entry (the same sp is
 * back at the return). Tasks interleave here (a call that sleeps), so a
 * return matches its own entry by both, never the newest by position.
 */
static struct {
	uint32_t ret, sp;
	unsigned int hand;
} pending[MAX_PENDING];
static unsigned int npending;

/* The marked window open now (a test's scenario). */
static struct {
	bool open;
	char name[128];
	unsigned int nranges;
	uint32_t pa[MAX_WIN_RANGES], len[MAX_WIN_RANGES];
	uint64_t in[4], out[4], handovers, hand[MAX_HANDOVER];
	struct vivt_stats s0;		/* the run's totals at begin */
	uint64_t c7_0[16][8];		/* CP15 c7 operations at begin */
} win;

static void win_print(void);
static bool parse_u32(const char *s, uint32_t *out);

/* ---- output ---- */

static void G_GNUC_PRINTF(1, 2) say(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (outf) {
		fputs(s, outf);
	} else {
		qemu_plugin_outs(s);
	}
	g_free(s);
}

static void G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN fatal(const char *fmt, ...)
{
	va_list ap;

	fputs(PFX "error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (outf)
		fflush(outf);
	exit(EXIT_FAILURE);
}

/* ---- guest memory ---- */

/*
 * Reads guest physical memory. qemu's plugin API reads only by virtual
 * address, and through the current mode's permissions (a user-mode access
 * cannot read the kernel's linear map): the page of the access being
 * modelled is read through the access's own VA; otherwise, with the MMU
 * off VA = PA; before the kernel proper runs (the zImage decompressor,
 * head.S's identity map) the tables map PA 1:1; after, lowmem is reached
 * through the kernel's linear map.
 */
static int read_pa(uint32_t pa, void *buf, size_t len)
{
	uint64_t va;

	if (cur_valid && (pa & ~0xfffu) == cur_pa_page && (pa & 0xfffu) + len <= 0x1000u) {
		va = cur_va_page | (pa & 0xfffu);
	} else if (!(sctlr & SCTLR_M) || !kernel_virt) {
		va = pa;
	} else {
		if (pa >= opt.lowmem || len > opt.lowmem - pa)
			return -EIO;
		va = (uint64_t)opt.page_offset + pa;
	}
	g_byte_array_set_size(mbuf, 0);
	if (!qemu_plugin_read_memory_vaddr(va, mbuf, len) || mbuf->len < len)
		return -EIO;
	memcpy(buf, mbuf->data, len);
	return 0;
}

static int model_read_phys(void *opaque, uint32_t pa, void *buf, size_t len)
{
	(void)opaque;
	return read_pa(pa, buf, len);
}

/* ---- ARMv5 page tables (armv5.c) ---- */

static int read_desc(void *opaque, uint32_t pa, uint32_t *d)
{
	uint8_t b[4];

	(void)opaque;
	/* The model's newest view first: page tables are written by stores it
	 * saw; qemu's memory only for pages it never held. */
	if (vivt_newest_peek(model, pa, b, 4) < 0 && read_pa(pa, b, 4) < 0)
		return -EIO;
	*d = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return 0;
}

/* The PA and C/B bits of mva, or -EFAULT (translation fault) / -EIO. */
static int walk(uint32_t mva, uint32_t *pa, enum vivt_attr *attr)
{
	struct walk_entry *e = &wcache[(mva >> 12) % WC_SIZE];
	struct armv5_map map;
	int rc;

	if (e->gen == wgen && e->vpn == mva >> 12) {
		*pa = e->ppn << 12 | (mva & 0xfff);
		*attr = e->attr;
		return 0;
	}
	st.walks++;
	rc = armv5_walk(ttbr, mva, read_desc, NULL, &map);
	if (rc)
		return rc == -EFAULT ? -EFAULT : -EIO;
	*pa = map.pa;
	*attr = VIVT_ATTR_CB(map.c, map.b);
	if (map.size >= 4096u) {	/* tiny pages are not cached by 4 KiB page */
		e->vpn = mva >> 12;
		e->ppn = map.pa >> 12;
		e->attr = *attr;
		e->gen = wgen;
	}
	return 0;
}

static void walks_drop(void)
{
	wgen++;
}

/* ---- reports ---- */

/* Text symbols of System.map, sorted by address. */
struct sym {
	uint32_t addr;
	char *name;
};
static struct sym *syms;
static size_t nsyms;

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int sysmap_load(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512], type, name[256];
	unsigned int addr;
	size_t cap = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%x %c %255s", &addr, &type, name) != 3 ||
		    !strchr("tTwW", type))
			continue;
		if (nsyms == cap) {
			cap = cap ? cap * 2 : 4096;
			syms = g_renew(struct sym, syms, cap);
		}
		syms[nsyms].addr = addr;
		syms[nsyms].name = g_strdup(name);
		nsyms++;
	}
	fclose(f);
	qsort(syms, nsyms, sizeof(*syms), sym_cmp);
	return nsyms ? 0 : -ENOENT;
}

/* " (name+0xoff)" for a PC in the kernel's text, or "". Static buffer. */
static const char *sym_of(uint32_t pc)
{
	static char buf[2][300];
	static unsigned int which;
	size_t lo = 0, hi = nsyms;
	char *b = buf[which++ % 2];

	if (!nsyms || pc < syms[0].addr || pc < opt.page_offset)
		return "";
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (syms[mid].addr <= pc)
			lo = mid;
		else
			hi = mid;
	}
	snprintf(b, sizeof(buf[0]), " (%s+0x%" PRIx32 ")", syms[lo].name, pc - syms[lo].addr);
	return b;
}

static const char *const kind_name[] = { "?", "stale-read", "lost-write", "undrained" };
static const char *const how_name[] = {
	"?", "hit", "fill", "uncached", "device", "writeback", "store", "invalidate", "pending",
};
static const char *const src_name[] = { "none", "cpu", "device", "writeback" };
static const char *const attr_name[] = { "NCNB", "NCB", "WT", "WB" };

/* Does [pa, pa + len) touch the open window's buffer? Yes if it names none. */
static bool win_holds(uint32_t pa, unsigned int len)
{
	if (!win.nranges)
		return true;
	if (!len)
		len = 1;
	for (unsigned int i = 0; i < win.nranges; i++)
		if (pa - win.pa[i] < win.len[i] || win.pa[i] - pa < len)
			return true;
	return false;
}

static bool win_filter(void *opaque, uint32_t pa, unsigned int len)
{
	(void)opaque;
	return win_holds(pa, len);
}

static void report(void *opaque, const struct vivt_event *ev)
{
	uint64_t key;
	uint64_t *cnt;

	(void)opaque;
	ev_seen = true;
	if (ev->kind >= 1 && ev->kind <= 3) {
		st.events[ev->kind]++;
		if (!win.open)
			st.nowin[ev->kind]++;
		else if (win_holds(ev->pa, 1))
			win.in[ev->kind]++;
		else
			win.out[ev->kind]++;
	}
	key = (uint64_t)ev->kind << 32 | ev->pc;
	cnt = g_hash_table_lookup(event_pcs, &key);
	if (!cnt) {
		cnt = g_new0(uint64_t, 1);
		g_hash_table_insert(event_pcs, g_memdup2(&key, sizeof(key)), cnt);
	}
	(*cnt)++;
	if (st.printed >= opt.maxev)
		return;
	st.printed++;
	say("EVENT %s/%s pc=%08" PRIx32 "%s va=%08" PRIx32 " pa=%08" PRIx32 " line_va=%08" PRIx32
	    " size=%u value=%" PRIx64 " coherent=%" PRIx64 " range=%d"
	    " | write #%" PRIu64 " %s pc=%08" PRIx32 "%s va=%08" PRIx32 " pa=%08" PRIx32
	    " size=%u %s\n",
	    kind_name[ev->kind <= 3 ? ev->kind : 0],
	    how_name[ev->how <= VIVT_HOW_PENDING ? ev->how : 0],
	    ev->pc, sym_of(ev->pc), ev->va, ev->pa, ev->line_va, ev->size, ev->value,
	    ev->coherent, ev->range, ev->write.seq,
	    src_name[ev->write.source <= 3 ? ev->write.source : 0], ev->write.pc,
	    sym_of(ev->write.pc), ev->write.va, ev->write.pa, ev->write.size,
	    attr_name[ev->write.attr & 3]);
}

static void print_stats(const char *what, const struct vivt_stats *s)
{
	say("%s: loads %" PRIu64 " stores %" PRIu64 " hits %" PRIu64 " misses %" PRIu64
	    " fills %" PRIu64 " writebacks %" PRIu64 " uncached %" PRIu64 " buffered %" PRIu64
	    " drains %" PRIu64 " | stale_reads %" PRIu64 " lost_writes %" PRIu64
	    " undrained %" PRIu64 "\n", what, s->loads, s->stores, s->hits, s->misses, s->fills,
	    s->writebacks, s->uncached, s->buffered, s->drains, s->stale_reads, s->lost_writes,
	    s->undrained);
}

static gint by_count(gconstpointer a, gconstpointer b, gpointer data)
{
	const uint64_t *ca = g_hash_table_lookup(data, a), *cb = g_hash_table_lookup(data, b);

	return *ca < *cb ? 1 : *ca > *cb ? -1 : 0;
}

/* The event PCs, most frequent first (the first 20). */
static void print_event_pcs(void)
{
	GList *keys = g_hash_table_get_keys(event_pcs), *k;
	unsigned int n = 0;

	keys = g_list_sort_with_data(keys, by_count, event_pcs);
	for (k = keys; k && n < 20; k = k->next, n++) {
		const uint64_t *key = k->data;
		const uint64_t *cnt = g_hash_table_lookup(event_pcs, key);
		unsigned int kind = (unsigned int)(*key >> 32);

		say("EVENT-PC %s pc=%08" PRIx32 "%s %" PRIu64 "\n", kind_name[kind <= 3 ? kind : 0],
		    (uint32_t)*key, sym_of((uint32_t)*key), *cnt);
	}
	g_list_free(keys);
}

static void at_exit(qemu_plugin_id_t id, void *p)
{
	struct vivt_stats s;
	uint64_t c7 = 0;
	unsigned int crm, op2;

	(void)id;
	(void)p;
	if (vivt_stats_get(model, -1, &s) == 0)
		print_stats("TOTAL", &s);
	for (unsigned int i = 0; i < opt.nranges; i++) {
		char name[64];

		snprintf(name, sizeof(name), "RANGE %08" PRIx32 "+%" PRIx32, opt.range_pa[i],
			 opt.range_len[i]);
		if (vivt_stats_get(model, opt.range_id[i], &s) == 0)
			print_stats(name, &s);
	}
	say("ACCESSES: seen %" PRIu64 " io %" PRIu64 " mmu/dcache-off %" PRIu64
	    " | skipped: size>8 %" PRIu64 " page-crossing %" PRIu64 " pa>4G %" PRIu64
	    " walk-fault %" PRIu64 " walk-unreadable %" PRIu64 " (pc<page_offset %" PRIu64
	    ") pa-unreadable %" PRIu64 " model-error %" PRIu64 "\n", st.accesses, st.io,
	    st.mmu_off, st.skipped_size, st.skipped_cross, st.skipped_high_pa, st.walk_fault,
	    st.walk_read_fail, st.walk_read_fail_low, st.unknown_pa, st.model_err);
	say("WALKS: %" PRIu64 " (pa differing from qemu's: %" PRIu64 ")"
	    " | loads whose model value differs from qemu's with no event: %" PRIu64 "\n",
	    st.walks, st.walk_pa_mismatch, st.divergent);
	say("CP15: sctlr-writes %" PRIu64 " ttbr-writes %" PRIu64 " tlb-ops %" PRIu64
	    " fcse-writes %" PRIu64 " | cross-check with qemu's registers: %" PRIu64
	    " agree %" PRIu64 " differ\n", st.sctlr_w, st.ttbr_w, st.tlb_ops, st.fcse_w,
	    st.xcheck_ok, st.xcheck_bad);
	say("C7:");
	for (crm = 0; crm < 16; crm++) {
		for (op2 = 0; op2 < 8; op2++) {
			if (st.c7[crm][op2]) {
				say(" c%u,%u=%" PRIu64, crm, op2, st.c7[crm][op2]);
				c7 += st.c7[crm][op2];
			}
		}
	}
	say(" | total %" PRIu64 " test-clean loops %" PRIu64 " rejected %" PRIu64
	    " user-mode %" PRIu64 " condition-failed %" PRIu64 "\n", c7, st.c7_mrc_tc,
	    st.c7_bad, st.c7_user, st.c7_cond_skipped);
	print_event_pcs();
	say("HANDOVERS:");
	for (unsigned int h = 0; h < opt.nhand && !opt.hand_none; h++)
		say(" %s calls %" PRIu64 " checked %" PRIu64, opt.hand_name[h], st.hand_calls[h],
		    st.hand_checked[h]);
	say(" | never returned %" PRIu64 " return-sites %u (found after translation %" PRIu64
	    ")\n", st.hand_lost, ret_sites ? g_hash_table_size(ret_sites) : 0,
	    st.hand_late_sites);
	if (win.open) {
		say("MARK window %s still open at exit\n", win.name);
		win_print();
	}
	say("MARKS: %" PRIu64 " (rejected %" PRIu64 ") | events outside any window: stale-read %"
	    PRIu64 " lost-write %" PRIu64 " undrained %" PRIu64 "\n", st.marks, st.bad_marks,
	    st.nowin[1], st.nowin[2], st.nowin[3]);
	say("EVENTS: stale-read %" PRIu64 " lost-write %" PRIu64 " undrained %" PRIu64
	    " (printed %" PRIu64 ")\n", st.events[1], st.events[2], st.events[3], st.printed);
	if (outf) {
		fclose(outf);
		outf = NULL;
		qemu_plugin_outs(PFX "report written to ");
		qemu_plugin_outs(opt.out);
		qemu_plugin_outs("\n");
	}
	vivt_free(model);
	model = NULL;
}

/* ---- registers ---- */

static uint32_t reg_read(struct qemu_plugin_register *r)
{
	g_byte_array_set_size(rbuf, 0);
	if (!r || qemu_plugin_read_register(r, rbuf) != 4)
		fatal("cannot read a register (qemu_plugin_read_register failed)");
	return (uint32_t)rbuf->data[0] | (uint32_t)rbuf->data[1] << 8 |
	       (uint32_t)rbuf->data[2] << 16 | (uint32_t)rbuf->data[3] << 24;
}

static void vcpu_init(qemu_plugin_id_t id, unsigned int vcpu)
{
	GArray *regs = qemu_plugin_get_registers();
	static const char *const names[16] = {
		"r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11",
		"r12", "sp", "lr", "pc",
	};

	(void)id;
	if (vcpu != 0)
		fatal("only one vCPU is modelled (the ARM926EJ-S is single core)");
	if (opt.regs)
		say("registers (%u):", regs->len);
	for (guint i = 0; i < regs->len; i++) {
		qemu_plugin_reg_descriptor *d = &g_array_index(regs, qemu_plugin_reg_descriptor, i);

		if (opt.regs)
			say(" %s", d->name);
		for (unsigned int n = 0; n < 16; n++)
			if (!gpr[n] && strcmp(d->name, names[n]) == 0)
				gpr[n] = d->handle;
		if (!cpsr_reg && strcmp(d->name, "cpsr") == 0)
			cpsr_reg = d->handle;
		else if (!midr_reg && strcmp(d->name, "MIDR") == 0)
			midr_reg = d->handle;
		else if (!sctlr_reg && strcmp(d->name, "SCTLR") == 0)
			sctlr_reg = d->handle;
		else if (!ttbr0_reg && strcmp(d->name, "TTBR0_EL1") == 0)
			ttbr0_reg = d->handle;
	}
	if (opt.regs)
		say("\n");
	g_array_free(regs, TRUE);
	for (unsigned int n = 0; n < 16; n++)
		if (!gpr[n])
			fatal("qemu offers no register %s: not a 32-bit ARM guest?", names[n]);
	if (!cpsr_reg || !midr_reg)
		fatal("qemu offers no cpsr or MIDR register: not a 32-bit ARM guest?");
}

/* ---- CP15 instructions ---- */

enum cp15_kind { OP_C7, OP_C7_MRC, OP_SCTLR, OP_TTBR, OP_TLB, OP_FCSE, OP_CHECK_CPU };

struct cp15_op {
	enum cp15_kind kind;
	uint32_t pc;
	unsigned int cond, rt, crm, opc2;
};

static void check_cpu(void)
{
	uint32_t midr = reg_read(midr_reg);

	cpu_checked = true;
	if ((midr & ARM926_MIDR_MASK) != ARM926_MIDR)
		fatal("the guest CPU is not an ARM926EJ-S (MIDR %08" PRIx32 ", want 4106926x):"
		      " only its cache is modelled; run with -M versatilepb (or -cpu arm926)",
		      midr);
}

static void cp15_exec(unsigned int vcpu, void *udata)
{
	struct cp15_op *op = udata;
	uint32_t cpsr, rt;

	(void)vcpu;
	if (op->kind == OP_CHECK_CPU) {
		if (!cpu_checked)
			check_cpu();
		return;
	}
	cpsr = reg_read(cpsr_reg);
	if ((cpsr & 0x1f) == 0x10) {	/* user mode: the MCR will trap, nothing happens */
		st.c7_user++;
		return;
	}
	if (!armv5_cond_passed(op->cond, cpsr)) {
		st.c7_cond_skipped++;
		return;
	}
	rt = op->rt == 15 ? op->pc + 8 : reg_read(gpr[op->rt]);
	if (opt.trace && (!kernel_virt || (rt & ~(VIVT_LINE - 1)) == opt.page_offset + opt.trace ||
			  op->kind == OP_C7_MRC || op->opc2 == 0 || op->opc2 == 2))
		say("TRACE cp15 kind %d pc=%08" PRIx32 " c%u,%u rt=%08" PRIx32 " wb=%u\n",
		    (int)op->kind, op->pc, op->crm, op->opc2, rt, vivt_pending(model));
	switch (op->kind) {
	case OP_C7:
		if (sctlr_reg && ttbr0_reg) {
			uint32_t mask = SCTLR_M | SCTLR_C | SCTLR_RR;

			if (((reg_read(sctlr_reg) ^ sctlr) & mask) == 0 &&
			    (reg_read(ttbr0_reg) == ttbr || !(sctlr & SCTLR_M)))
				st.xcheck_ok++;
			else
				st.xcheck_bad++;
		}
		st.c7[op->crm][op->opc2]++;
		if (opt.nomaint)
			break;
		if (vivt_c7(model, op->crm, op->opc2, rt, op->pc) < 0)
			st.c7_bad++;
		break;
	case OP_C7_MRC:
		/* qemu answers "clean" at once, so the guest's loop runs once: loop here */
		st.c7[op->crm][op->opc2]++;
		st.c7_mrc_tc++;
		if (opt.nomaint)
			break;
		if (op->crm == 10) {
			while (vivt_test_clean(model, op->pc) > 0)
				;
		} else {
			while (vivt_test_clean_inval(model, op->pc) > 0)
				;
		}
		break;
	case OP_SCTLR:
		st.sctlr_w++;
		if (((rt ^ sctlr) & SCTLR_RR) && opt.replacement_fixed)
			say(PFX "note: guest set the RR bit to %u; the model keeps replacement=%s\n",
			    (unsigned int)(rt >> 14 & 1),
			    opt.cfg.replacement == VIVT_ROUND_ROBIN ? "rr" : "random");
		else if ((rt ^ sctlr) & SCTLR_RR)
			vivt_set_replacement(model, (rt & SCTLR_RR) ? VIVT_ROUND_ROBIN : VIVT_RANDOM);
		sctlr = rt;
		walks_drop();
		break;
	case OP_TTBR:
		st.ttbr_w++;
		ttbr = rt;
		walks_drop();
		break;
	case OP_TLB:
		st.tlb_ops++;
		walks_drop();
		break;
	case OP_FCSE:
		st.fcse_w++;
		fcse = rt & 0xfe000000u;
		walks_drop();
		break;
	case OP_CHECK_CPU:
		break;
	}
}

/* Decodes MCR/MRC p15, 0, Rt, CRn, CRm, opc2 (ARM state); NULL if not one we follow. */
static struct cp15_op *cp15_decode(uint32_t insn, uint32_t pc)
{
	struct armv5_cp cp;
	enum cp15_kind kind;
	struct cp15_op *op;
	uint64_t key = (uint64_t)pc << 32 | insn;

	if (!armv5_decode_mcr(insn, &cp) || cp.coproc != 15 || cp.opc1)
		return NULL;
	if (cp.crn == 7 && !cp.mrc)
		kind = OP_C7;
	else if (cp.crn == 7 && cp.mrc && cp.opc2 == 3 && (cp.crm == 10 || cp.crm == 14))
		kind = OP_C7_MRC;
	else if (cp.crn == 1 && !cp.mrc && cp.crm == 0 && cp.opc2 == 0)
		kind = OP_SCTLR;
	else if (cp.crn == 2 && !cp.mrc && cp.crm == 0 && cp.opc2 == 0)
		kind = OP_TTBR;
	else if (cp.crn == 8 && !cp.mrc)
		kind = OP_TLB;
	else if (cp.crn == 13 && !cp.mrc && cp.crm == 0 && cp.opc2 == 0)
		kind = OP_FCSE;
	else
		return NULL;
	op = g_hash_table_lookup(cp15_ops, &key);
	if (op)
		return op;
	op = g_new0(struct cp15_op, 1);
	*op = (struct cp15_op){ .kind = kind, .pc = pc, .cond = cp.cond, .rt = cp.rt,
				.crm = cp.crm, .opc2 = cp.opc2 };
	g_hash_table_insert(cp15_ops, g_memdup2(&key, sizeof(key)), op);
	return op;
}

/* ---- marks and hand-overs ---- */

/* The NUL-terminated string at va (at most len - 1 bytes), or false. */
static bool read_guest_string(uint32_t va, char *out, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		/* no read across a page: the next one may not be mapped */
		size_t chunk = MIN(len - 1 - n, 0x1000u - ((va + n) & 0xfffu));

		g_byte_array_set_size(mbuf, 0);
		if (!qemu_plugin_read_memory_vaddr(va + n, mbuf, chunk) || mbuf->len != chunk)
			return false;
		for (size_t i = 0; i < chunk; i++) {
			out[n] = (char)mbuf->data[i];
			if (!out[n])
				return true;
			n++;
		}
	}
	return false;
}

/*
 * What the window cost, for modelled cycles (docs/benchmarks.md): the run's
 * totals over it (every access of the guest, kernel included, not only the
 * window's ranges) and its CP15 c7 operations by kind: line operations by
 * MVA or set/way (c7,c5-c14 opcode 1 or 2), test-and-clean iterations
 * (c10,3 and c14,3: each cleans one line), whole-cache operations (opcode 0,
 * drains excluded: counted as drains).
 */
static void win_cost(void)
{
	struct vivt_stats s;
	uint64_t line = 0, test = 0, all = 0;
	unsigned int crm, op2;

	if (vivt_stats_get(model, -1, &s))
		return;
	for (crm = 5; crm < 16; crm++)
		for (op2 = 0; op2 < 8; op2++) {
			uint64_t n = st.c7[crm][op2] - win.c7_0[crm][op2];

			if (op2 == 1 || op2 == 2)
				line += n;
			else if (op2 == 3)
				test += n;
			else if (op2 == 0 && !(crm == 10 || crm == 0))
				all += n;
		}
	say("COST %s loads %" PRIu64 " stores %" PRIu64 " hits %" PRIu64 " misses %" PRIu64
	    " fills %" PRIu64 " writebacks %" PRIu64 " uncached %" PRIu64 " buffered %" PRIu64
	    " uncached-buffered %" PRIu64 " drains %" PRIu64 " c7-line %" PRIu64 " c7-test %" PRIu64
	    " c7-all %" PRIu64 "\n",
	    win.name, s.loads - win.s0.loads, s.stores - win.s0.stores, s.hits - win.s0.hits,
	    s.misses - win.s0.misses, s.fills - win.s0.fills, s.writebacks - win.s0.writebacks,
	    s.uncached - win.s0.uncached, s.buffered - win.s0.buffered,
	    s.uncached_buffered - win.s0.uncached_buffered, s.drains - win.s0.drains,
	    line, test, all);
}

static void win_print(void)
{
	say("WINDOW %s stale-reads %" PRIu64 " lost-writes %" PRIu64 " undrained %" PRIu64
	    " handovers %" PRIu64 " | outside its ranges: stale-reads %" PRIu64 " lost-writes %"
	    PRIu64 " undrained %" PRIu64 " | handovers by symbol:", win.name,
	    win.in[VIVT_EV_STALE_READ], win.in[VIVT_EV_LOST_WRITE], win.in[VIVT_EV_UNDRAINED],
	    win.handovers, win.out[VIVT_EV_STALE_READ], win.out[VIVT_EV_LOST_WRITE],
	    win.out[VIVT_EV_UNDRAINED]);
	for (unsigned int h = 0; h < opt.nhand && !opt.hand_none; h++)
		say(" %s=%" PRIu64, opt.hand_name[h], win.hand[h]);
	say("\n");
}

/* "begin NAME [PA+LEN ...]" or "end" */
static void mark(const char *s)
{
	char **all = g_strsplit_set(s, " \t\n", -1), *w[MAX_WIN_RANGES + 3];
	unsigned int n = 0, i;
	bool ok = true;

	for (i = 0; all[i] && n < G_N_ELEMENTS(w); i++)
		if (*all[i])
			w[n++] = all[i];	/* empty words (two spaces) dropped */
	st.marks++;
	if (all[i]) {
		ok = false;	/* more words than a window can hold */
	} else if (n == 1 && strcmp(w[0], "end") == 0 && win.open) {
		win_print();
		win_cost();
		win.open = false;
	} else if (n >= 2 && strcmp(w[0], "begin") == 0 && !win.open) {
		memset(&win, 0, sizeof(win));
		g_strlcpy(win.name, w[1], sizeof(win.name));
		vivt_stats_get(model, -1, &win.s0);
		memcpy(win.c7_0, st.c7, sizeof(win.c7_0));
		for (i = 2; i < n && ok; i++) {
			char *plus = strchr(w[i], '+');

			if (!plus || win.nranges == MAX_WIN_RANGES) {
				ok = false;
				break;
			}
			*plus = '\0';
			ok = parse_u32(w[i], &win.pa[win.nranges]) &&
			     parse_u32(plus + 1, &win.len[win.nranges]);
			win.nranges++;
		}
		win.open = ok;
		say("MARK begin %s ranges %u%s:", win.name, win.nranges, ok ? "" : " (bad range)");
		for (i = 0; i < win.nranges; i++)
			say(" %08" PRIx32 "+%" PRIx32, win.pa[i], win.len[i]);
		say("\n");
	} else {
		ok = false;
	}
	if (!ok) {
		st.bad_marks++;
		say("MARK rejected: \"%s\" (window %s)\n", s, win.open ? "open" : "closed");
	}
	g_strfreev(all);
}

static void mark_exec(unsigned int vcpu, void *udata)
{
	char s[2048];	/* "begin", a name, MAX_WIN_RANGES "0x12345000+0x1000" */

	(void)vcpu;
	(void)udata;
	if (read_guest_string(reg_read(gpr[0]), s, sizeof(s))) {
		mark(s);
	} else {
		st.bad_marks++;
		say("MARK rejected: r0 does not point to a readable string\n");
	}
}

/* A hand-over symbol was entered: where will it return to? */
static void hand_enter(unsigned int vcpu, void *udata)
{
	unsigned int h = (unsigned int)(uintptr_t)udata;
	uint32_t lr = reg_read(gpr[14]) & ~1u, sp = reg_read(gpr[13]);

	(void)vcpu;
	st.hand_calls[h]++;
	if (!g_hash_table_contains(ret_sites, GUINT_TO_POINTER(lr))) {
		g_hash_table_add(ret_sites, GUINT_TO_POINTER(lr));
		/* translated before: no check there until qemu translates it again */
		if (g_hash_table_contains(tbs_seen, GUINT_TO_POINTER(lr)))
			st.hand_late_sites++;
	}
	if (npending == MAX_PENDING) {
		st.hand_lost++;	/* the oldest call in flight is forgotten */
		memmove(pending, pending + 1, sizeof(pending[0]) * (MAX_PENDING - 1));
		npending--;
	}
	pending[npending].ret = lr;
	pending[npending].sp = sp;
	pending[npending].hand = h;
	npending++;
}

/* A return site: is it the return of a call in flight (same lr and sp)? */
static void hand_return(unsigned int vcpu, void *udata)
{
	uint32_t pc = (uint32_t)(uintptr_t)udata, sp = reg_read(gpr[13]);
	unsigned int k = npending, h;

	(void)vcpu;
	while (k && (pending[k - 1].ret != pc || pending[k - 1].sp != sp))
		k--;
	if (!k)
		return;	/* reached by another way than that return */
	h = pending[k - 1].hand;
	memmove(pending + k - 1, pending + k, sizeof(pending[0]) * (npending - k));
	npending--;
	st.hand_checked[h]++;
	if (win.open) {
		win.handovers++;
		win.hand[h]++;
		vivt_handover_check_if(model, pc, win_filter, NULL);
	} else {
		vivt_handover_check(model, pc);
	}
}

static int hand_resolve(void)
{
	static const char *const defaults[] = { "dma_buf_end_cpu_access", "dma_buf_map_attachment" };

	if (opt.hand_none && opt.nhand) {
		fprintf(stderr, PFX "handover=none with handover=%s: which?\n", opt.hand_name[0]);
		return -1;
	}
	if (opt.hand_none)
		return 0;
	if (!opt.nhand) {
		if (!nsyms)
			return 0;
		for (size_t i = 0; i < G_N_ELEMENTS(defaults); i++)
			opt.hand_name[opt.nhand++] = g_strdup(defaults[i]);
	}
	if (!nsyms) {
		fprintf(stderr, PFX "handover= needs sysmap= (the kernel's System.map)\n");
		return -1;
	}
	for (unsigned int h = 0; h < opt.nhand; h++) {
		size_t i;

		for (i = 0; i < nsyms; i++)
			if (strcmp(syms[i].name, opt.hand_name[h]) == 0)
				break;
		if (i == nsyms) {
			fprintf(stderr, PFX "handover=%s: no such text symbol in %s\n",
				opt.hand_name[h], opt.sysmap);
			return -1;
		}
		hand_addr[h] = syms[i].addr;
	}
	return 0;
}

/* ---- data accesses ---- */

static void trace_access(bool store, uint32_t mva, uint32_t pa, unsigned int size, uint64_t value,
			 enum vivt_attr attr, int r)
{
	unsigned int set = vivt_set_of(model, mva);

	say("TRACE %s pc=%08" PRIx32 " va=%08" PRIx32 " pa=%08" PRIx32 " size=%u value=%" PRIx64
	    " %s r=%d wb=%u set %u:", store ? "store" : "load ", cur_pc, mva, pa, size, value,
	    attr_name[attr & 3], r, vivt_pending(model), set);
	for (unsigned int w = 0; w < VIVT_WAYS; w++) {
		struct vivt_line_info li;

		if (vivt_line_info(model, set, w, &li) == 0 && li.valid)
			say(" [%u %08" PRIx32 " d%u]", w, li.va, li.dirty);
	}
	say("\n");
}

static void mem_access(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr,
		       void *udata)
{
	struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
	uint32_t va = (uint32_t)vaddr, mva, pa, wpa;
	unsigned int size = 1u << qemu_plugin_mem_size_shift(info);
	qemu_plugin_mem_value mv;
	uint64_t value, got;
	enum vivt_attr attr;
	uint64_t hpa;
	int r;

	(void)vcpu;
	st.accesses++;
	cur_valid = false;
	cur_pc = (uint32_t)(uintptr_t)udata;
	if (cur_pc >= opt.page_offset)
		kernel_virt = true;
	if (!hw || qemu_plugin_hwaddr_is_io(hw)) {
		st.io++;
		return;
	}
	if (size > 8) {
		st.skipped_size++;
		return;
	}
	hpa = qemu_plugin_hwaddr_phys_addr(hw);
	if (hpa > UINT32_MAX) {
		st.skipped_high_pa++;
		return;
	}
	pa = (uint32_t)hpa;
	if ((va & 0xfffu) + size > 0x1000u) {
		st.skipped_cross++;
		return;
	}
	mva = va < 0x02000000u ? va | fcse : va;
	cur_va_page = va & ~0xfffu;
	cur_pa_page = pa & ~0xfffu;
	cur_valid = true;
	if (!(sctlr & SCTLR_M) || !(sctlr & SCTLR_C)) {
		attr = VIVT_NCNB;
		st.mmu_off++;
	} else {
		r = walk(mva, &wpa, &attr);
		if (r == -EFAULT) {
			st.walk_fault++;
			return;
		}
		if (r < 0) {
			st.walk_read_fail++;
			if (cur_pc < opt.page_offset)
				st.walk_read_fail_low++;
			if (st.walk_read_fail <= 3)
				say(PFX "walk unreadable: pc %08" PRIx32 " va %08" PRIx32 " pa %08"
				    PRIx32 " ttbr %08" PRIx32 " sctlr %08" PRIx32 " kernel %d\n",
				    cur_pc, va, pa, ttbr, sctlr, kernel_virt);
			return;
		}
		if (wpa != pa) {
			/* a stale cached walk (the guest changed a PTE without a TLB op) */
			st.walk_pa_mismatch++;
			walks_drop();
			r = walk(mva, &wpa, &attr);
			if (r < 0 || wpa != pa) {
				st.walk_fault++;
				return;
			}
		}
	}
	mv = qemu_plugin_mem_get_value(info);
	switch (mv.type) {
	case QEMU_PLUGIN_MEM_VALUE_U8: value = mv.data.u8; break;
	case QEMU_PLUGIN_MEM_VALUE_U16: value = mv.data.u16; break;
	case QEMU_PLUGIN_MEM_VALUE_U32: value = mv.data.u32; break;
	case QEMU_PLUGIN_MEM_VALUE_U64: value = mv.data.u64; break;
	default:
		st.skipped_size++;
		return;
	}
	if (qemu_plugin_mem_is_store(info)) {
		r = vivt_store(model, mva, pa, size, value, attr, cur_pc);
	} else {
		ev_seen = false;
		r = vivt_load(model, mva, pa, size, attr, cur_pc, &got);
		if (r == 0 && !ev_seen && size < 8)
			got &= (UINT64_C(1) << (size * 8)) - 1;
		if (r == 0 && !ev_seen && got != value)
			st.divergent++;
	}
	cur_valid = false;
	if (opt.trace && (pa & ~(VIVT_LINE - 1)) == opt.trace)
		trace_access(qemu_plugin_mem_is_store(info), mva, pa, size, value, attr, r);
	if (r == -EIO)
		st.unknown_pa++;
	else if (r < 0)
		st.model_err++;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);
	static struct cp15_op check_op = { .kind = OP_CHECK_CPU };

	(void)id;
	for (size_t i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint32_t pc = (uint32_t)qemu_plugin_insn_vaddr(insn);
		uint8_t b[4];
		struct cp15_op *op;

		if (i == 0 && !cpu_checked)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, cp15_exec, QEMU_PLUGIN_CB_R_REGS,
							       &check_op);
		/* the kernel and its modules (ARM: 16 MiB below PAGE_OFFSET) */
		if (i == 0 && pc >= opt.page_offset - MODULES_SPAN)
			g_hash_table_add(tbs_seen, GUINT_TO_POINTER(pc));
		for (unsigned int h = 0; h < opt.nhand && !opt.hand_none; h++)
			if (pc == hand_addr[h])
				qemu_plugin_register_vcpu_insn_exec_cb(insn, hand_enter,
								       QEMU_PLUGIN_CB_R_REGS,
								       (void *)(uintptr_t)h);
		if (g_hash_table_contains(ret_sites, GUINT_TO_POINTER(pc)))
			qemu_plugin_register_vcpu_insn_exec_cb(insn, hand_return,
							       QEMU_PLUGIN_CB_R_REGS,
							       (void *)(uintptr_t)pc);
		qemu_plugin_register_vcpu_mem_cb(insn, mem_access, QEMU_PLUGIN_CB_NO_REGS,
						 QEMU_PLUGIN_MEM_RW, (void *)(uintptr_t)pc);
		if (qemu_plugin_insn_size(insn) != 4 || qemu_plugin_insn_data(insn, b, 4) != 4)
			continue;
		if (((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
		     (uint32_t)b[3] << 24) == MARK_INSN) {
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec,
							       QEMU_PLUGIN_CB_R_REGS, NULL);
			continue;
		}
		op = cp15_decode((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
				 (uint32_t)b[3] << 24, pc);
		if (op)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, cp15_exec, QEMU_PLUGIN_CB_R_REGS,
							       op);
	}
}

/* ---- arguments ---- */

static bool parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s)
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	if (*end == 'K' || *end == 'k') {
		v <<= 10;
		end++;
	} else if (*end == 'M' || *end == 'm') {
		v <<= 20;
		end++;
	}
	if (*end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int parse_arg(const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *key;
	const char *val;
	uint32_t v, len;
	bool ok = true;

	if (!eq) {
		fprintf(stderr, PFX "argument '%s' is not KEY=VALUE\n", arg);
		return -1;
	}
	key = g_strndup(arg, (gsize)(eq - arg));
	val = eq + 1;
	if (strcmp(key, "size") == 0) {
		ok = parse_u32(val, &v);
		opt.cfg.size = v;
	} else if (strcmp(key, "wb") == 0) {
		ok = parse_u32(val, &v);
		opt.cfg.wb_depth = v;
	} else if (strcmp(key, "seed") == 0) {
		ok = parse_u32(val, &v);
		opt.cfg.seed = v;
	} else if (strcmp(key, "replacement") == 0) {
		opt.replacement_fixed = true;
		if (strcmp(val, "random") == 0)
			opt.cfg.replacement = VIVT_RANDOM;
		else if (strcmp(val, "rr") == 0 || strcmp(val, "round-robin") == 0)
			opt.cfg.replacement = VIVT_ROUND_ROBIN;
		else
			ok = false;
	} else if (strcmp(key, "out") == 0) {
		g_free(opt.out);
		opt.out = g_strdup(val);
		ok = *val != '\0';
	} else if (strcmp(key, "maxev") == 0) {
		ok = parse_u32(val, &v);
		opt.maxev = v;
	} else if (strcmp(key, "page_offset") == 0) {
		ok = parse_u32(val, &opt.page_offset);
	} else if (strcmp(key, "lowmem") == 0) {
		ok = parse_u32(val, &opt.lowmem);
	} else if (strcmp(key, "handover") == 0) {
		if (strcmp(val, "none") == 0)
			opt.hand_none = true;
		else if (opt.nhand < MAX_HANDOVER && *val)
			opt.hand_name[opt.nhand++] = g_strdup(val);
		else
			ok = false;
	} else if (strcmp(key, "sysmap") == 0) {
		g_free(opt.sysmap);
		opt.sysmap = g_strdup(val);
		ok = *val != '\0';
	} else if (strcmp(key, "trace") == 0) {
		ok = parse_u32(val, &v);
		opt.trace = v & ~(VIVT_LINE - 1);
	} else if (strcmp(key, "nomaint") == 0) {
		ok = qemu_plugin_bool_parse(key, val, &opt.nomaint);
	} else if (strcmp(key, "regs") == 0) {
		ok = qemu_plugin_bool_parse(key, val, &opt.regs);
	} else if (strcmp(key, "range") == 0) {
		char **p = g_strsplit(val, ":", 2);

		ok = p[0] && p[1] && parse_u32(p[0], &v) && parse_u32(p[1], &len) && len &&
		     opt.nranges < MAX_RANGES;
		if (ok) {
			opt.range_pa[opt.nranges] = v;
			opt.range_len[opt.nranges] = len;
			opt.nranges++;
		}
		g_strfreev(p);
	} else {
		fprintf(stderr, PFX "unknown argument '%s' (size= wb= replacement= seed= out="
			" range= maxev= page_offset= lowmem= regs= trace= sysmap= nomaint= handover=)\n", key);
		g_free(key);
		return -1;
	}
	if (!ok)
		fprintf(stderr, PFX "bad value in '%s'\n", arg);
	g_free(key);
	return ok ? 0 : -1;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	int r;

	if (info->version.cur < 4) {
		fprintf(stderr, PFX "qemu's plugin API is version %d; this plugin needs 4"
			" (qemu 10.0 or later: ci/qemu-plugin.sh)\n", info->version.cur);
		return -1;
	}
	if (strcmp(info->target_name, "arm") != 0 || !info->system_emulation) {
		fprintf(stderr, PFX "needs qemu-system-arm (this is %s, %s emulation)\n",
			info->target_name, info->system_emulation ? "system" : "user");
		return -1;
	}
	if (info->system.smp_vcpus != 1 || info->system.max_vcpus != 1) {
		fprintf(stderr, PFX "needs exactly one vCPU (the ARM926EJ-S is single core)\n");
		return -1;
	}
	vivt_config_init(&opt.cfg);
	opt.maxev = 50;
	opt.page_offset = 0xc0000000u;
	opt.lowmem = 256u << 20;
	for (int i = 0; i < argc; i++)
		if (parse_arg(argv[i]) < 0)
			return -1;
	opt.cfg.read_phys = model_read_phys;
	r = vivt_create(&opt.cfg, &model);
	if (r < 0) {
		fprintf(stderr, PFX "bad cache parameters (size: a power of two, 4K..128K;"
			" wb: 1..%u): %s\n", VIVT_MAX_WB_DEPTH, strerror(-r));
		return -1;
	}
	for (unsigned int i = 0; i < opt.nranges; i++) {
		opt.range_id[i] = vivt_range_add(model, opt.range_pa[i], opt.range_len[i]);
		if (opt.range_id[i] < 0) {
			fprintf(stderr, PFX "cannot register range %08" PRIx32 "+%" PRIx32 "\n",
				opt.range_pa[i], opt.range_len[i]);
			vivt_free(model);
			return -1;
		}
	}
	if (opt.sysmap) {
		r = sysmap_load(opt.sysmap);
		if (r < 0) {
			fprintf(stderr, PFX "cannot read text symbols from %s: %s\n", opt.sysmap,
				strerror(-r));
			vivt_free(model);
			return -1;
		}
	}
	if (hand_resolve() < 0) {
		vivt_free(model);
		return -1;
	}
	if (opt.out) {
		outf = fopen(opt.out, "w");
		if (!outf) {
			fprintf(stderr, PFX "cannot write %s: %s\n", opt.out, strerror(errno));
			vivt_free(model);
			return -1;
		}
	}
	vivt_set_reporter(model, report, NULL);
	rbuf = g_byte_array_new();
	mbuf = g_byte_array_new();
	cp15_ops = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	event_pcs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	ret_sites = g_hash_table_new(g_direct_hash, g_direct_equal);
	tbs_seen = g_hash_table_new(g_direct_hash, g_direct_equal);
	say("vivtcache: ARM926EJ-S D-cache %" PRIu32 " bytes, %u-entry write buffer, %s"
	    " replacement; page_offset %08" PRIx32 " lowmem %" PRIu32 " MiB\n", opt.cfg.size,
	    opt.cfg.wb_depth, !opt.replacement_fixed ? "the guest's (RR bit)" :
	    opt.cfg.replacement == VIVT_ROUND_ROBIN ? "round-robin" : "random",
	    opt.page_offset, opt.lowmem >> 20);
	if (!opt.nhand || opt.hand_none)
		say("vivtcache: no hand-over checks (%s)\n",
		    opt.hand_none ? "handover=none" : "no sysmap=");
	qemu_plugin_register_vcpu_init_cb(id, vcpu_init);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
