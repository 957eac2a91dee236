// SPDX-License-Identifier: MIT
/*
 * Host tests of armv5.c (cmocka): the ARMv5 page-table walk, condition
 * codes and MCR/MRC decoding that the qemu plugin relies on. Run from
 * test_vivt.c's main, so that they run wherever the core's tests do.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "armv5.h"
#include "test_armv5.h"

#define MEM_WORDS (1u << 18)	/* 1 MiB of fake physical memory */
#define TTBR 0x4000u
#define COARSE 0x80000u
#define FINE 0xc0000u

static uint32_t mem[MEM_WORDS];
static uint32_t fail_at = UINT32_MAX;

static int rd(void *opaque, uint32_t pa, uint32_t *val)
{
	(void)opaque;
	if (pa == fail_at)
		return -EIO;
	if (pa / 4 >= MEM_WORDS)
		return -EFAULT;
	*val = mem[pa / 4];
	return 0;
}

static void set(uint32_t pa, uint32_t v)
{
	mem[pa / 4] = v;
}

static int tables(void **state)
{
	(void)state;
	memset(mem, 0, sizeof(mem));
	fail_at = UINT32_MAX;
	set(TTBR + (0xc00u << 2), 0x00000c0eu);		/* section 0xc00 -> 0, C B */
	set(TTBR + (0xc01u << 2), 0x00100c02u);		/* section 0xc01 -> 1 MiB, NC NB */
	set(TTBR + (0x001u << 2), COARSE | 0x1e1u);	/* coarse, domain 15 */
	set(COARSE + (0x05u << 2), 0x00123ffau);	/* small 0x00123000, C */
	set(COARSE + (0x10u << 2), 0x00a00ff5u);	/* large 0x00a00000, B */
	set(COARSE + (0x20u << 2), 0x0040040fu);	/* tiny: not in a coarse table */
	set(TTBR + (0x002u << 2), FINE | 0x003u);	/* fine */
	set(FINE + (0x001u << 2), 0x0040040fu);		/* tiny 0x00400400, C B */
	set(FINE + (0x002u << 2), 0x00567ff6u);		/* small 0x00567000, B */
	return 0;
}

static void expect_map(uint32_t mva, uint32_t pa, unsigned int c, unsigned int b, uint32_t size)
{
	struct armv5_map m;

	assert_int_equal(armv5_walk(TTBR, mva, rd, NULL, &m), 0);
	assert_int_equal(m.pa, pa);
	assert_int_equal(m.c, c);
	assert_int_equal(m.b, b);
	assert_int_equal(m.size, size);
}

static void test_walk_section(void **state)
{
	(void)state;
	expect_map(0xc0012345u, 0x00012345u, 1, 1, 1u << 20);
	expect_map(0xc01fffffu, 0x001fffffu, 0, 0, 1u << 20);
	/* TTBR's low bits are not part of the table base */
	struct armv5_map m;

	assert_int_equal(armv5_walk(TTBR | 0x3fffu, 0xc0000010u, rd, NULL, &m), 0);
	assert_int_equal(m.pa, 0x10u);
}

static void test_walk_coarse(void **state)
{
	struct armv5_map m;

	(void)state;
	expect_map(0x00105678u, 0x00123678u, 1, 0, 1u << 12);
	expect_map(0x00110234u, 0x00a00234u, 0, 1, 1u << 16);
	assert_int_equal(armv5_walk(TTBR, 0x00120000u, rd, NULL, &m), -EFAULT);
	assert_int_equal(armv5_walk(TTBR, 0x00106000u, rd, NULL, &m), -EFAULT);
}

static void test_walk_fine(void **state)
{
	(void)state;
	expect_map(0x00200412u, 0x00400412u, 1, 1, 1u << 10);
	expect_map(0x00200abcu, 0x00567abcu, 0, 1, 1u << 12);
}

static void test_walk_faults_and_errors(void **state)
{
	struct armv5_map m;

	(void)state;
	assert_int_equal(armv5_walk(TTBR, 0x00300000u, rd, NULL, &m), -EFAULT);
	fail_at = COARSE + (0x05u << 2);
	assert_int_equal(armv5_walk(TTBR, 0x00105678u, rd, NULL, &m), -EIO);
	fail_at = TTBR + (0xc00u << 2);
	assert_int_equal(armv5_walk(TTBR, 0xc0000000u, rd, NULL, &m), -EIO);
}

static void test_conditions(void **state)
{
	const uint32_t N = 1u << 31, Z = 1u << 30, C = 1u << 29, V = 1u << 28;

	(void)state;
	assert_true(armv5_cond_passed(0x0, Z));		/* EQ */
	assert_false(armv5_cond_passed(0x1, Z));	/* NE */
	assert_true(armv5_cond_passed(0x1, 0));
	assert_true(armv5_cond_passed(0x2, C));		/* CS */
	assert_true(armv5_cond_passed(0x3, 0));		/* CC */
	assert_true(armv5_cond_passed(0x4, N));		/* MI */
	assert_false(armv5_cond_passed(0x5, N));	/* PL */
	assert_true(armv5_cond_passed(0x6, V));		/* VS */
	assert_true(armv5_cond_passed(0x8, C));		/* HI */
	assert_false(armv5_cond_passed(0x8, C | Z));
	assert_true(armv5_cond_passed(0x9, C | Z));	/* LS */
	assert_true(armv5_cond_passed(0xa, N | V));	/* GE */
	assert_true(armv5_cond_passed(0xb, N));		/* LT */
	assert_true(armv5_cond_passed(0xc, 0));		/* GT */
	assert_false(armv5_cond_passed(0xc, Z));
	assert_true(armv5_cond_passed(0xd, Z));		/* LE */
	assert_true(armv5_cond_passed(0xe, N | Z | C | V));	/* AL */
}

static void test_decode_mcr(void **state)
{
	struct armv5_cp cp;

	(void)state;
	/* mcr p15, 0, r0, c7, c10, 4 (drain write buffer) */
	assert_true(armv5_decode_mcr(0xee070f9au, &cp));
	assert_false(cp.mrc);
	assert_int_equal(cp.cond, 0xe);
	assert_int_equal(cp.coproc, 15);
	assert_int_equal(cp.opc1, 0);
	assert_int_equal(cp.crn, 7);
	assert_int_equal(cp.rt, 0);
	assert_int_equal(cp.crm, 10);
	assert_int_equal(cp.opc2, 4);
	/* mrc p15, 0, APSR_nzcv, c7, c14, 3 (test, clean and invalidate) */
	assert_true(armv5_decode_mcr(0xee17ff7eu, &cp));
	assert_true(cp.mrc);
	assert_int_equal(cp.rt, 15);
	assert_int_equal(cp.crm, 14);
	assert_int_equal(cp.opc2, 3);
	/* mcrne p15, 0, r0, c7, c10, 1 (clean D line), as in proc-arm926.S */
	assert_true(armv5_decode_mcr(0x1e070f3au, &cp));
	assert_int_equal(cp.cond, 0x1);
	assert_int_equal(cp.opc2, 1);
	/* mcr p15, 0, r3, c2, c0, 0 (TTBR) */
	assert_true(armv5_decode_mcr(0xee023f10u, &cp));
	assert_int_equal(cp.crn, 2);
	assert_int_equal(cp.rt, 3);
	/* not MCR/MRC: ldr, cdp, mcr2 */
	assert_false(armv5_decode_mcr(0xe5910000u, &cp));
	assert_false(armv5_decode_mcr(0xee070f0au, &cp));
	assert_false(armv5_decode_mcr(0xfe070f9au, &cp));
}

int armv5_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_walk_section, tables),
		cmocka_unit_test_setup(test_walk_coarse, tables),
		cmocka_unit_test_setup(test_walk_fine, tables),
		cmocka_unit_test_setup(test_walk_faults_and_errors, tables),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_decode_mcr),
	};

	return cmocka_run_group_tests_name("armv5", tests, NULL, NULL);
}
