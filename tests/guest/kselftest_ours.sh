#!/bin/sh
# SPDX-License-Identifier: MIT
# The kernel's dmabuf-heap selftest on vivtheap's heaps.
exec /tests/kselftest_heaps ours
