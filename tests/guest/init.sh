#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the test initramfs: mounts, loads vivtheap.ko and the importers,
# runs every test in /tests/list, and prints one result line per test:
#   VIVTHEAP-RESULT <name> <pass|fail|skip> <reason>
# A test fails if it exits non-zero (77 = skip), runs past its timeout, or
# leaves a new kernel warning, a live dma-buf or used CMA pages behind; the
# last three fail a skipped test too. The host (ci/guest.sh) fails any test
# of the list that has no result line. Ends with the full dmesg between
# markers, then reboots (qemu runs with -no-reboot, so it exits).

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/tests
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp && mount -t tmpfs tmpfs /tmp
dmesg -n 1
# DMA-API debug prints only its first error per boot unless told otherwise.
[ -w /sys/kernel/debug/dma-api/all_errors ] && echo 1 >/sys/kernel/debug/dma-api/all_errors

arg() { sed -n "s/.*\\<vivtheap\\.$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
BACKEND=$(arg backend)
MODE=$(arg mode)
FILTER=$(arg tests)
# vivtheap.timeout_scale=N: every test's timeout times N (make fuzz).
SCALE=$(arg timeout_scale)
DT=$(arg dt)
# vivtheap.nocma=1: a boot with cma=0 that runs only the tests marked "nocma".
NOCMA=$(arg nocma)
# vivtheap.gst=1: the initramfs has GStreamer (ci/guest.sh, GST_RUNTIME).
GST=$(arg gst)
# What this kernel's configuration promises (EXPECT in ci/targets/*.conf):
# "kmemleak", "kheaps" (the kernel's own dma-buf heaps) and "faults"
# (failslab and fail_page_alloc: tests/guest/faults.c).
EXPECT=$(arg expect)
expects() { echo ",$EXPECT," | grep -q ",$1,"; }
[ -n "$BACKEND" ] || BACKEND=auto

# What counts as a kernel complaint: warnings and bugs, lockdep, sanitizers,
# DMA-API debug, kmemleak, allocation failures that should have been silent
# (__GFP_NOWARN, cma_alloc's no_warn), SLUB's object checks ("BUG
# kmalloc-64 (Not tainted): ..."), RCU stalls and hung tasks, and 6.1's
# check for an fd slot still holding a file ("alloc_fd: slot N not NULL!").
BAD='alloc_fd: slot|WARNING:|BUG:|BUG [^ ]+ \(|Oops|Kernel panic|lockdep|possible recursive locking|circular locking|inconsistent lock state|KASAN|UBSAN|DMA-API:|kmemleak: .*new suspected|sleeping function called|INFO: task .* blocked|general protection|Unable to handle kernel|page allocation failure|cma_alloc.*failed|rcu: INFO:|detected stalls?|rcu_(sched|preempt) .*stall'

result() { echo "VIVTHEAP-RESULT $1 $2 $3"; }

# Kernel modules of the image (distro target): loaded in dependency order.
if [ -f /modules/order ]; then
	while read -r m; do
		insmod "/modules/$m" 2>/tmp/insmod.err || echo "insmod $m: $(cat /tmp/insmod.err)"
	done </modules/order
fi

# The kernel log is read and cleared around every step (dmesg -c), so each
# step sees exactly its own lines even when the ring buffer wraps; all of it
# is kept in /tmp/dmesg.all for the end.
newlog() { dmesg -c | tee -a /tmp/dmesg.all; }
newlog >/dev/null
# A device-tree boot loads with async_probe=1: the nodes must still be bound
# before the heaps go live (the driver forces synchronous probing).
ASYNC=""
[ "$DT" = 1 ] && ASYNC="async_probe=1"
# shellcheck disable=SC2086 # ASYNC is one word or none
if insmod /lib/vivtheap.ko backend="$BACKEND" $ASYNC 2>/tmp/insmod.err; then
	new=$(newlog)
	if echo "$new" | grep -Eq "$BAD"; then
		result module-load fail "kernel warning at insmod"
	else
		result module-load pass "backend=$BACKEND"
	fi
else
	result module-load fail "insmod: $(cat /tmp/insmod.err)"
fi
echo "$BACKEND" >/tmp/backend
# The test importer (tests/kmod/vivtheap_test.c).
insmod /lib/vivtheap_test.ko 2>/tmp/insmod.err ||
	echo "insmod vivtheap_test.ko: $(cat /tmp/insmod.err)"
# The cache model's calibration (tests/kmod/vivt_calib.c).
insmod /lib/vivt_calib.ko 2>/tmp/insmod.err ||
	echo "insmod vivt_calib.ko: $(cat /tmp/insmod.err)"

# kmemleak: forget what boot left, so that the end report is ours. No
# automatic scans while the tests run: one in the middle of an operation
# reports an object it cannot see referenced at that instant (seen once in
# 10^6 fuzz operations on vivt-6.1: a report the scans at the end no longer
# listed); the scans at the end (below) find what stays unreferenced.
KML=/sys/kernel/debug/kmemleak
if [ -w $KML ]; then
	echo scan=off >$KML
	echo scan >$KML
	echo clear >$KML
fi

# drop_known TEST: stdin is new dmesg; prints it without the warning blocks
# that /tests/known-warnings lists for TEST (every pattern in one block).
drop_known() {
	awk -v test="$1" -v kf=/tests/known-warnings '
	BEGIN {
		while ((getline l < kf) > 0) {
			if (l ~ /^#/ || l == "") continue
			split(l, f, "[|]")
			if (f[1] == test) { n++; pats[n] = f[2]; why[n] = f[3] }
		}
	}
	function flush(   i, j, k, parts, all) {
		for (i = 1; i <= n; i++) {
			k = split(pats[i], parts, " && ")
			all = 1
			for (j = 1; j <= k; j++) if (index(blk, parts[j]) == 0) all = 0
			if (all) { print "KNOWN " why[i] > "/tmp/known"; return }
		}
		printf "%s", blk
	}
	/cut here/ { inblk = 1; blk = "" }
	inblk { blk = blk $0 "\n"; if ($0 ~ /end trace/) { flush(); inblk = 0 }; next }
	{ print }
	END { if (inblk) flush() }'
}

# Live dma-bufs in the whole system, from the dma-buf core's own list.
BUFINFO=/sys/kernel/debug/dma_buf/bufinfo
dmabufs() { sed -n 's/^Total \([0-9]*\) objects.*/\1/p' $BUFINFO 2>/dev/null; }

# Pages allocated from every CMA area (CONFIG_CMA_DEBUGFS), after the
# module's pools of freed buffers are emptied; empty where the kernel has no
# such count (Debian's armmp: /proc/meminfo's CmaFree also moves with the
# page allocator's per-CPU lists, so it cannot be compared exactly).
CMA=/sys/kernel/debug/cma
cma_used() {
	[ -w /sys/kernel/debug/vivtheap/drain_pools ] &&
		echo 1 >/sys/kernel/debug/vivtheap/drain_pools
	[ -d $CMA ] || return 0
	cat $CMA/*/used 2>/dev/null | awk '{ n += $1 } END { if (NR) print n }'
}

# Lines logged between steps count too: a late warning fails a pseudo-test.
gap_check() {
	gap=$(newlog)
	if echo "$gap" | grep -Eq "$BAD"; then
		echo "$gap" | grep -E "$BAD" | head -n 5 | sed "s/^/# $1: dmesg: /"
		result "$1" fail "kernel warning between tests"
	fi
}

run_test() {
	name=$1 timeout=$2
	bufs_before=$(dmabufs)
	cma_before=$(cma_used)
	gap_check "before-$name"
	t0=$(cut -d' ' -f1 /proc/uptime)
	# stdin is not the list this loop reads.
	timeout "$timeout" "/tests/$name" </dev/null >/tmp/out 2>&1
	rc=$?
	sed "s/^/# $name: /" /tmp/out
	# The test's own time, for the host's profile (ci/guest.sh: times.txt).
	echo "VIVTHEAP-TIME $name $(awk -v t0="$t0" '{ printf "%.1f", $1 - t0 }' /proc/uptime)"
	rm -f /tmp/known
	new=$(newlog | drop_known "$name")
	known=""
	[ -f /tmp/known ] && known="with a known warning: $(sort -u /tmp/known | head -n1 | cut -c7-)"
	# A test's own note of a known kernel bug it met (KNOWN lines).
	grep -q '^KNOWN ' /tmp/out && known="$known known: $(sed -n 's/^KNOWN //p' /tmp/out | sort -u | head -n1)"
	bufs_after=$(dmabufs)
	cma_after=$(cma_used)
	# A skip (77) is checked for leaks and warnings like a pass.
	if [ $rc = 143 ] || [ $rc = 124 ]; then
		result "$name" fail "timed out after ${timeout}s"
	elif [ $rc != 0 ] && [ $rc != 77 ]; then
		result "$name" fail "exit $rc: $(grep -E '^(FAIL|not ok)' /tmp/out | head -n1)"
	elif [ "$bufs_before" != "$bufs_after" ]; then
		result "$name" fail "dma-bufs alive before $bufs_before, after $bufs_after (bufinfo)"
	elif [ "$cma_before" != "$cma_after" ]; then
		result "$name" fail "CMA pages used before $cma_before, after $cma_after"
	elif echo "$new" | grep -Eq "$BAD"; then
		echo "$new" | grep -E "$BAD" | head -n 5 | sed "s/^/# $name: dmesg: /"
		result "$name" fail "new kernel warning in dmesg"
	elif [ $rc = 77 ]; then
		result "$name" skip "$(sed -n 's/^SKIP //p' /tmp/out | head -n1)"
	else
		result "$name" pass "$known"
	fi
}

echo "VIVTHEAP-BEGIN"
if [ "$MODE" = demo ]; then
	/tests/demo
	echo "VIVTHEAP-DEMO-RC $?"
elif [ "$MODE" = bench ]; then
	# No background scanning in the middle of a timed loop.
	[ -w $KML ] && echo scan=off >$KML
	/tests/heapbench 20 && vivtheap bench --rounds 20 &&
		{ [ "$GST" != 1 ] || { /tests/gst_bench && /tests/gst_mapbench; }; }
	echo "VIVTHEAP-DEMO-RC $?"
else
	while read -r name timeout only; do
		case "$name" in ''|\#*) continue ;; esac
		# "dt": only on boots with vivtheap's device-tree nodes; "nodt": not
		# on them (the long generic runs: the other boots have them);
		# "nocma": only on the cma=0 boot, which runs nothing else.
		[ "$only" = dt ] && [ "$DT" != 1 ] && continue
		[ "$only" = nodt ] && [ "$DT" = 1 ] && continue
		[ "$only" = nocma ] && [ "$NOCMA" != 1 ] && continue
		[ "$NOCMA" = 1 ] && [ "$only" != nocma ] && continue
		[ "$only" = gst ] && [ "$GST" != 1 ] && continue
		if [ -n "$FILTER" ] && ! echo ",$FILTER," | grep -q ",$name,"; then
			continue
		fi
		run_test "$name" "$((timeout * ${SCALE:-1}))"
	done </tests/list
fi

# kmemleak, where the configuration has it: a detector that is missing or
# disabled itself (a failed scan) fails, it does not pass.
if [ "$MODE" = test ] && expects kmemleak; then
	if [ ! -w $KML ]; then
		result kmemleak fail "CONFIG_DEBUG_KMEMLEAK is set but $KML is missing"
	elif ! { sleep 6 && echo scan >$KML && echo scan >$KML && cat $KML >/tmp/kml; }; then
		result kmemleak fail "kmemleak scan failed: the detector disabled itself"
	elif grep -q unreferenced /tmp/kml; then
		head -n 40 /tmp/kml | sed 's/^/# kmemleak: /'
		result kmemleak fail "unreferenced objects after the tests"
	else
		result kmemleak pass ""
	fi
fi
echo "VIVTHEAP-END"
gap_check after-tests
echo "VIVTHEAP-DMESG-BEGIN"
cat /tmp/dmesg.all
echo "VIVTHEAP-DMESG-END"
sync
reboot -f
