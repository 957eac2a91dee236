/* SPDX-License-Identifier: MIT */
/*
 * armv5: the pieces of an ARMv5 (ARM926EJ-S) core that the qemu plugin
 * needs and qemu's plugin API does not give: a walk of the page tables
 * (ARM926EJ-S TRM chapter 3, "Memory Management Unit"; ARMv5 has no TEX
 * bits and no XP mode), the condition codes, and MCR/MRC decoding.
 * Pure functions: host-tested by test_armv5.c.
 */
#ifndef ARMV5_H
#define ARMV5_H

#include <stdbool.h>
#include <stdint.h>

/* Reads the 32-bit little-endian word at physical address pa. */
typedef int (*armv5_read32_fn)(void *opaque, uint32_t pa, uint32_t *val);

struct armv5_map {
	uint32_t pa;		/* the physical address of mva */
	unsigned int c, b;	/* the C and B bits of the descriptor used */
	uint32_t size;		/* section 1 MiB, large 64 KiB, small 4 KiB, tiny 1 KiB */
};

/*
 * Translates mva through the tables at ttbr: 0, -EFAULT for a translation
 * fault (also a tiny-page entry in a coarse table), or the read's error.
 */
int armv5_walk(uint32_t ttbr, uint32_t mva, armv5_read32_fn rd, void *opaque,
	       struct armv5_map *out);

/* Does condition field cond (insn[31:28]) pass with these CPSR flags? */
bool armv5_cond_passed(unsigned int cond, uint32_t cpsr);

/* The fields of an ARM-state MCR/MRC (cond != 0b1111). */
struct armv5_cp {
	unsigned int cond, coproc, opc1, crn, rt, crm, opc2;
	bool mrc;		/* MRC (read), not MCR */
};

/* Decodes insn if it is an ARM-state MCR or MRC; false otherwise. */
bool armv5_decode_mcr(uint32_t insn, struct armv5_cp *out);

#endif
