#!/bin/sh
# SPDX-License-Identifier: MIT
# The vivtheap tool on the real heaps: list, alloc, info and sync (whole and ranged) on another process's fd, exit codes.
set -u
fail() { echo "FAIL $*"; exit 1; }
# hold HEAP SIZE: a process holding a dma-buf fd of HEAP (the demo helper
# keeps one open); sets hpid and hfd once it has said its fd.
hold() {
	/tests/hold_dmabuf "$1" "$2" >"/tmp/hold-$1.out" &
	hpid=$!
	i=0
	while ! grep -q '^fd ' "/tmp/hold-$1.out" 2>/dev/null; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "$1 holder did not start"; sleep 0.1
	done
	hfd=$(sed -n 's/^fd //p' "/tmp/hold-$1.out")
}
out=$(vivtheap list) || fail "list exited $?"
echo "$out"
echo "$out" | grep -q '^vivtheap-uncached *uncached *contiguous vivtheap$' || fail "list: uncached heap"
echo "$out" | grep -q '^vivtheap-wc *write-combined *contiguous vivtheap$' || fail "list: wc heap"
echo "$out" | grep -q '^vivtheap-cached *cached *contiguous vivtheap$' || fail "list: cached heap"
out=$(vivtheap alloc --wc 3m) || fail "alloc --wc exited $?"
echo "$out"
echo "$out" | grep -q 'heap vivtheap-wc: 3145728 bytes, write-combined, filled and verified: 0 bad words' || fail "alloc report"
out=$(vivtheap alloc --cached 3m) || fail "alloc --cached exited $?"
echo "$out"
echo "$out" | grep -q 'heap vivtheap-cached: 3145728 bytes, cached, filled and verified: 0 bad words' || fail "alloc report (cached)"
vivtheap alloc --heap no-such-heap 4k; [ $? = 3 ] || fail "alloc from a missing heap: want exit 3"
vivtheap alloc --wc 0; [ $? = 2 ] || fail "alloc 0: want exit 2"
vivtheap frobnicate; [ $? = 2 ] || fail "unknown command: want exit 2"
vivtheap alloc --help || fail "--help exited $?"
# info: a process holding a dma-buf fd
hold vivtheap-uncached 65536
pid=$hpid fd=$hfd
out=$(vivtheap info "/proc/$pid/fd/$fd") || fail "info exited $?"
echo "$out"
s1=$(vivtheap sync --write --offset 4096 --length 100 "/proc/$pid/fd/$fd") || fail "sync range exited $?"
echo "$s1"
echo "$s1" | grep -q 'write bracket on bytes 4096 to 4195 of 65536 (pages 1 to 1): VIVTHEAP_IOC_SYNC_RANGE, heap vivtheap-uncached' || fail "sync range report"
s2=$(vivtheap sync --read "/proc/$pid/fd/$fd") || fail "sync whole exited $?"
echo "$s2"
echo "$s2" | grep -q 'read bracket on the whole buffer (65536 bytes): DMA_BUF_IOCTL_SYNC, heap vivtheap-uncached' || fail "sync whole report"
vivtheap sync --offset 65536 --length 1 "/proc/$pid/fd/$fd"; [ $? = 1 ] || fail "sync outside the buffer: want exit 1"
vivtheap sync --length 0 "/proc/$pid/fd/$fd"; [ $? = 2 ] || fail "sync --length 0: want exit 2"
kill "$pid"
wait "$pid" 2>/dev/null
echo "$out" | grep -q "dma-buf, 65536 bytes, uncached, heap vivtheap-uncached" || fail "info report"
vivtheap info /proc/1/fd/0; [ $? = 1 ] || fail "info on a non-dma-buf: want exit 1"
# the cached heap: info, and a ranged bracket the kernel takes as such
hold vivtheap-cached 1048576
cpid=$hpid cfd=$hfd
cinfo=$(vivtheap info "/proc/$cpid/fd/$cfd") || fail "info (cached) exited $?"
csync=$(vivtheap sync --offset 64k --length 64k "/proc/$cpid/fd/$cfd") || fail "sync (cached) exited $?"
kill "$cpid"
wait "$cpid" 2>/dev/null
echo "$cinfo"
echo "$csync"
echo "$cinfo" | grep -q 'dma-buf, 1048576 bytes, cached, heap vivtheap-cached' || fail "info report (cached)"
echo "$csync" | grep -q 'read-write bracket on bytes 65536 to 131071 of 1048576 (pages 16 to 31): VIVTHEAP_IOC_SYNC_RANGE, heap vivtheap-cached' || fail "sync report (cached)"
exit 0
