/* SPDX-License-Identifier: MIT */
/* The armv5 tests' group, run from test_vivt.c's main. */
#ifndef TEST_ARMV5_H
#define TEST_ARMV5_H

int armv5_tests(void);

#endif
