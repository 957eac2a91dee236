/* SPDX-License-Identifier: MIT */
/* Debian's cmocka 1.1.5 needs these before <cmocka.h>; included once here. */
#ifndef CMOCKA_SHIM_H
#define CMOCKA_SHIM_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#endif
