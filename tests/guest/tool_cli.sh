#!/bin/sh
# SPDX-License-Identifier: MIT
# The vivtheap tool on the real heaps: list, alloc, info on another process's fd, exit codes.
set -u
fail() { echo "FAIL $*"; exit 1; }
out=$(vivtheap list) || fail "list exited $?"
echo "$out"
echo "$out" | grep -q '^vivtheap-uncached *uncached *contiguous vivtheap$' || fail "list: uncached heap"
echo "$out" | grep -q '^vivtheap-wc *write-combined *contiguous vivtheap$' || fail "list: wc heap"
out=$(vivtheap alloc --wc 3m) || fail "alloc --wc exited $?"
echo "$out"
echo "$out" | grep -q 'heap vivtheap-wc: 3145728 bytes, write-combined, filled and verified: 0 bad words' || fail "alloc report"
vivtheap alloc --heap no-such-heap 4k; [ $? = 3 ] || fail "alloc from a missing heap: want exit 3"
vivtheap alloc --wc 0; [ $? = 2 ] || fail "alloc 0: want exit 2"
vivtheap frobnicate; [ $? = 2 ] || fail "unknown command: want exit 2"
vivtheap alloc --help || fail "--help exited $?"
# info: a process holding a dma-buf fd (the demo helper keeps one open)
/tests/hold_dmabuf vivtheap-uncached 65536 >/tmp/hold.out &
pid=$!
i=0
while ! grep -q '^fd ' /tmp/hold.out 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "holder did not start"; sleep 0.1
done
fd=$(sed -n 's/^fd //p' /tmp/hold.out)
out=$(vivtheap info "/proc/$pid/fd/$fd") || fail "info exited $?"
echo "$out"
kill "$pid"
wait "$pid" 2>/dev/null
echo "$out" | grep -q "dma-buf, 65536 bytes, uncached, heap vivtheap-uncached" || fail "info report"
vivtheap info /proc/1/fd/0; [ $? = 1 ] || fail "info on a non-dma-buf: want exit 1"
exit 0
