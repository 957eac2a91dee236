// SPDX-License-Identifier: MIT
/*
 * ARMv5 page-table walk, condition codes and MCR/MRC decoding: armv5.h.
 */
#include "armv5.h"

#include <errno.h>

int armv5_walk(uint32_t ttbr, uint32_t mva, armv5_read32_fn rd, void *opaque,
	       struct armv5_map *out)
{
	uint32_t d1, d2;
	int rc;

	rc = rd(opaque, (ttbr & 0xffffc000u) | (mva >> 20) << 2, &d1);
	if (rc)
		return rc;
	switch (d1 & 3) {
	case 2:		/* section */
		out->pa = (d1 & 0xfff00000u) | (mva & 0x000fffffu);
		out->c = d1 >> 3 & 1;
		out->b = d1 >> 2 & 1;
		out->size = 1u << 20;
		return 0;
	case 1:		/* coarse table: 256 entries of 4 KiB */
		rc = rd(opaque, (d1 & 0xfffffc00u) | ((mva >> 12) & 0xffu) << 2, &d2);
		break;
	case 3:		/* fine table: 1024 entries of 1 KiB */
		rc = rd(opaque, (d1 & 0xfffff000u) | ((mva >> 10) & 0x3ffu) << 2, &d2);
		break;
	default:
		return -EFAULT;
	}
	if (rc)
		return rc;
	switch (d2 & 3) {
	case 1:		/* large page */
		out->pa = (d2 & 0xffff0000u) | (mva & 0xffffu);
		out->size = 1u << 16;
		break;
	case 2:		/* small page */
		out->pa = (d2 & 0xfffff000u) | (mva & 0xfffu);
		out->size = 1u << 12;
		break;
	case 3:		/* tiny page: fine tables only */
		if ((d1 & 3) != 3)
			return -EFAULT;
		out->pa = (d2 & 0xfffffc00u) | (mva & 0x3ffu);
		out->size = 1u << 10;
		break;
	default:
		return -EFAULT;
	}
	out->c = d2 >> 3 & 1;
	out->b = d2 >> 2 & 1;
	return 0;
}

bool armv5_cond_passed(unsigned int cond, uint32_t cpsr)
{
	bool n = cpsr >> 31 & 1, z = cpsr >> 30 & 1, c = cpsr >> 29 & 1, v = cpsr >> 28 & 1;
	bool r;

	switch ((cond & 15) >> 1) {
	case 0: r = z; break;			/* EQ / NE */
	case 1: r = c; break;			/* CS / CC */
	case 2: r = n; break;			/* MI / PL */
	case 3: r = v; break;			/* VS / VC */
	case 4: r = c && !z; break;		/* HI / LS */
	case 5: r = n == v; break;		/* GE / LT */
	case 6: r = !z && n == v; break;	/* GT / LE */
	default: return true;			/* AL (and 0b1111, not a condition on v5) */
	}
	return (cond & 1) ? !r : r;
}

bool armv5_decode_mcr(uint32_t insn, struct armv5_cp *out)
{
	if (insn >> 28 == 15 || (insn & 0x0f000010u) != 0x0e000010u)
		return false;
	out->cond = insn >> 28;
	out->opc1 = insn >> 21 & 7;
	out->mrc = insn >> 20 & 1;
	out->crn = insn >> 16 & 15;
	out->rt = insn >> 12 & 15;
	out->coproc = insn >> 8 & 15;
	out->opc2 = insn >> 5 & 7;
	out->crm = insn & 15;
	return true;
}
