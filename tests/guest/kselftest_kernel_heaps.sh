#!/bin/sh
# SPDX-License-Identifier: MIT
# The kernel's dmabuf-heap selftest on the kernel's own heaps, same boot.
exec /tests/kselftest_heaps kernel
