#!/bin/sh
# SPDX-License-Identifier: MIT
# A failed load leaves nothing behind: names that collide are refused with EBUSY before any node exists, while a helper keeps opening the nodes (issue 9 #3, #7).
#
# Unloads vivtheap, tries every kind of colliding name (docs/compatibility.md,
# "Loading") on the boot's backend and, where the kernel exports
# dma_heap_add, on the heap backend too; each insmod must fail with EBUSY
# and the documented log line, with nothing of the module appearing, even
# for a moment, nor staying (tests/guest/node_watch.c watches and opens, and
# reads what it held once the load failed). Then good names load, and the
# module is loaded again as tests/guest/init.sh loads it, for rmmod after us.
set -u
KO=/lib/vivtheap.ko
RUN=/tmp/load_fail
DBG=/sys/kernel/debug/vivtheap
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $*"
	# At once on the console too: an oops later would lose our output.
	echo "# load_fail: not ok $n - $*" >/dev/console
}
bail() {
	not_ok "$*"
	echo "Bail out! $*"
	exit 1
}
# The kernel log since the last mark.
mark() { logmark=$(dmesg | wc -l); }
newlog() { dmesg | sed -n "$((logmark + 1)),\$p"; }

if [ -e /sys/class/dma_heap/vivtheap-wc ]; then
	echo "SKIP heap backend: vivtheap is pinned since boot (the dma-heap core cannot remove a heap) and cannot load again;" \
		"the heap backend's refusals run on this kernel's chardev boot"
	exit 77
fi
BOOT_BACKEND=$(cat /tmp/backend)
[ -e /dev/dma_heap/vivtheap-wc ] || bail "vivtheap is not loaded as init.sh loads it"

# Every file at the top of vivtheap's debugfs directory, as the module
# made them: a heap may take none of these names.
DBGFILES=""
for f in "$DBG"/*; do
	[ -d "$f" ] || DBGFILES="$DBGFILES ${f##*/}"
done
echo "# debugfs files:$DBGFILES"
echo "$DBGFILES" | grep -q ' buffers' || bail "no $DBG/buffers: debugfs not as expected"
# A heap of the kernel's own (none on Debian's armmp) and a misc device
# that is not ours, made without a parent (/sys/devices/virtual/misc).
KHEAP=""
for f in /sys/class/dma_heap/*; do
	[ -e "$f" ] && KHEAP=${f##*/} && break
done
MISC=""
for f in /sys/devices/virtual/misc/*; do
	f=${f##*/}
	case $f in vivtheap*) continue ;; esac
	[ -e "/sys/devices/virtual/misc/$f" ] && [ ${#f} -lt 32 ] && MISC=$f && break
done
echo "# a kernel heap: ${KHEAP:-none}; a misc device: ${MISC:-none}"
HEAP_BACKEND=0
grep -q ' __ksymtab_dma_heap_add$' /proc/kallsyms && HEAP_BACKEND=1

rmmod vivtheap || bail "rmmod vivtheap: the chardev backend must unload here"
[ ! -e /sys/module/vivtheap ] || bail "vivtheap still loaded after rmmod"

# watch_start PATH...: node_watch in the background, once it watches.
watch_start() {
	rm -rf "$RUN"
	mkdir -p "$RUN"
	/tests/node_watch "$RUN" "$@" >"$RUN/watch" 2>&1 &
	pid=$!
	i=0
	until grep -q '^ready' "$RUN/watch"; do
		i=$((i + 1))
		[ $i -gt 100 ] && bail "node_watch did not start: $(cat "$RUN/watch")"
		sleep 0.1
	done
}

# refused BACKEND SAYS PARAM...: insmod with backend=BACKEND and the PARAMs
# fails with EBUSY and logs SAYS; no node or debugfs entry appears.
refused() {
	be=$1 says=$2
	shift 2
	what="backend=$be $*"
	paths="/dev/vivtheap /dev/dma_heap/vivtheap-uncached /dev/dma_heap/vivtheap-wc"
	paths="$paths /dev/dma_heap/vivtheap-cached $DBG/vivtheap-cached/stats"
	paths="$paths $DBG/vivtheap-uncached/stats $DBG/vivtheap-wc/stats"
	for p in "$@"; do
		paths="$paths /dev/dma_heap/${p#*=} $DBG/${p#*=}/stats"
	done
	for f in $DBGFILES; do
		paths="$paths $DBG/$f"
	done
	before=""
	for p in $paths /sys/class/misc/* /sys/class/dma_heap/*; do
		[ -e "$p" ] && before="$before $p"
	done
	# shellcheck disable=SC2086 # one argument a path
	watch_start $paths
	mark
	insmod "$KO" backend="$be" "$@" 2>"$RUN/err"
	rc=$?
	touch "$RUN/stop"
	wait "$pid"
	log=$(newlog)
	sed 's/^/# watch: /' "$RUN/watch"
	echo "$log" | sed 's/^/# dmesg: /'
	if [ "$rc" = 0 ]; then
		vivtheap list 2>&1 | sed 's/^/# vivtheap list: /'
		if [ -e /sys/module/vivtheap ] && ! rmmod vivtheap; then
			bail "$what: loaded, and pinned (the heaps above are advertised)"
		fi
		not_ok "$what: loaded, want EBUSY"
		return
	fi
	bad=""
	grep -q "can't insert.*: Device or resource busy$" "$RUN/err" ||
		bad="$bad; insmod: want Device or resource busy (EBUSY), got: $(cat "$RUN/err")"
	echo "$log" | grep -qF "vivtheap: $says" || bad="$bad; no log line \"$says\""
	if echo "$log" | grep -E 'duplicate filename|kobject_add_internal failed|already exists in|Already registered'; then
		bad="$bad; a registration collided (log above)"
	fi
	if grep -E '^(created|held)' "$RUN/watch" >/dev/null; then
		bad="$bad; appeared during the load: $(grep -E '^(created|held)' "$RUN/watch" | tr '\n' ' ')"
	fi
	grep -q '^done' "$RUN/watch" || bad="$bad; node_watch did not finish"
	for p in /sys/module/vivtheap "$DBG" $paths /sys/class/misc/* /sys/class/dma_heap/*; do
		[ -e "$p" ] || continue
		case " $before " in *" $p "*) continue ;; esac
		bad="$bad; left behind: $p"
	done
	if [ -n "$bad" ]; then
		not_ok "$what:${bad#;}"
	else
		ok "$what: EBUSY, \"$says\", nothing appeared"
	fi
}

# colliding BACKEND: every kind of colliding name on BACKEND.
colliding() {
	be=$1
	# A heap of the kernel's: on the heap backend the first heap would be
	# registered for good before the second failed (issue 9 #7).
	if [ -n "$KHEAP" ]; then
		refused "$be" "wc_name=$KHEAP: taken by another heap in /dev/dma_heap" wc_name="$KHEAP"
		refused "$be" "uncached_name=$KHEAP: taken by another heap in /dev/dma_heap" uncached_name="$KHEAP"
		refused "$be" "cached_name=$KHEAP: taken by another heap in /dev/dma_heap" cached_name="$KHEAP"
	else
		echo "# no kernel heap on this kernel: that case is not run"
	fi
	refused "$be" "wc_name=vivtheap: taken by the control node /dev/vivtheap" wc_name=vivtheap
	refused "$be" "wc_name=vivtheap-wc: taken by uncached_name" uncached_name=vivtheap-wc
	refused "$be" "cached_name=vivtheap-wc: taken by wc_name" cached_name=vivtheap-wc
	for f in $DBGFILES; do
		refused "$be" "wc_name=$f: taken by a file in /sys/kernel/debug/vivtheap" wc_name="$f"
	done
}

# The heap backend first: it is the one that cannot undo a registration.
if [ "$HEAP_BACKEND" = 1 ]; then
	colliding heap
else
	echo "# the kernel does not export dma_heap_add: no heap backend here"
fi
colliding chardev
if [ -n "$MISC" ]; then
	refused chardev "wc_name=$MISC: taken by a misc device" wc_name="$MISC"
fi

# Good names load; the watcher sees their nodes appear (it can see them)
# and opens them once the load is done.
watch_start /dev/vivtheap /dev/dma_heap/lf-wc "$DBG/buffers"
mark
if insmod "$KO" backend="$BOOT_BACKEND" uncached_name=lf-uncached wc_name=lf-wc cached_name=lf-cached; then
	# Until the watcher has opened the nodes of the loaded module.
	i=0
	until [ "$(grep -c '^held' "$RUN/watch")" = 3 ] || [ $i -gt 100 ]; do
		i=$((i + 1))
		sleep 0.1
	done
	touch "$RUN/stop"
	wait "$pid"
	sed 's/^/# watch: /' "$RUN/watch"
	log=$(newlog)
	echo "$log" | sed 's/^/# dmesg: /'
	if ! grep -q '^created /dev/vivtheap$' "$RUN/watch" ||
		! grep -q '^created /sys/kernel/debug/vivtheap$' "$RUN/watch" ||
		! grep -q '^held /dev/dma_heap/lf-wc$' "$RUN/watch"; then
		not_ok "good names: node_watch did not see the nodes appear and open"
	elif ! echo "$log" | grep -q 'vivtheap: live heaps: lf-uncached lf-wc lf-cached ('; then
		not_ok "good names: no log line \"live heaps: lf-uncached lf-wc lf-cached (...)\""
	elif ! [ -e "$DBG/lf-wc/stats" ] || ! [ -e "$DBG/lf-cached/stats" ]; then
		not_ok "good names: no $DBG/lf-wc/stats or $DBG/lf-cached/stats"
	else
		ok "good names: loaded, live heaps logged, nodes opened"
	fi
else
	touch "$RUN/stop"
	wait "$pid"
	not_ok "good names: insmod failed"
fi
rmmod vivtheap || bail "rmmod after the good names failed"

# As init.sh left it.
mark
if ! insmod "$KO" backend="$BOOT_BACKEND"; then
	bail "insmod backend=$BOOT_BACKEND failed: the next tests need vivtheap"
elif ! [ -e /dev/dma_heap/vivtheap-wc ] || ! [ -e /dev/dma_heap/vivtheap-uncached ]; then
	not_ok "reload: the default heap nodes are missing"
elif ! newlog | grep -q 'vivtheap: live heaps: vivtheap-uncached vivtheap-wc vivtheap-cached ('; then
	not_ok "reload: no log line \"live heaps: vivtheap-uncached vivtheap-wc vivtheap-cached (...)\""
else
	ok "reloaded with backend=$BOOT_BACKEND, as init.sh loads it"
fi
echo "1..$n"
[ "$failed" = 0 ]
