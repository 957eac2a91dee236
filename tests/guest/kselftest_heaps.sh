#!/bin/sh
# SPDX-License-Identifier: MIT
# The kernel's dmabuf-heap selftest, run on one set of heaps at a time:
# "ours" (vivtheap's) or "kernel" (the kernel's own heaps), by showing it a
# private /dev/dma_heap with only those nodes (a mount namespace).
# Usage: kselftest_heaps.sh ours|kernel
#
# Its exit status is not enough: the 6.1 version prints "FAIL (Allocated
# buffer not zeroed ...)" and still returns 0, and returns the result of the
# last heap only. So its output is read: every heap must have been tested,
# and no line may say FAIL, "not ok" or "Bail out".
set -eu
which=$1
p=/sys/module/vivtheap/parameters
ours=" $(cat $p/uncached_name) $(cat $p/wc_name) "
d=/tmp/heaps-$which
rm -rf "$d"
mkdir -p "$d"
names=""
for node in /dev/dma_heap/*; do
	[ -c "$node" ] || continue
	name=${node##*/}
	case "$ours" in
	*" $name "*) mine=ours ;;
	*) mine=kernel ;;
	esac
	[ "$mine" = "$which" ] || continue
	mknod "$d/$name" c "$((0x$(stat -c %t "$node")))" "$((0x$(stat -c %T "$node")))" ||
		{ echo "FAIL mknod $d/$name"; exit 1; }
	names="$names $name"
done
if [ -z "$names" ]; then
	if [ "$which" = kernel ]; then
		# The built kernels' fragment enables the system and CMA heaps.
		if grep -q 'vivtheap\.expect=[^ ]*kheaps' /proc/cmdline; then
			echo "FAIL no kernel heap under /dev/dma_heap, though the configuration enables them"
			exit 1
		fi
		echo "SKIP the kernel has no dma-buf heaps of its own (CONFIG_DMABUF_HEAPS unset)"
		exit 77
	fi
	echo "FAIL no vivtheap heap under /dev/dma_heap"
	exit 1
fi
echo "heaps:$names"
rc=0
unshare -m sh -c "mount --bind '$d' /dev/dma_heap && exec /tests/dmabuf-heap-selftest" \
	>/tmp/selftest.out 2>&1 || rc=$?
cat /tmp/selftest.out
[ "$rc" = 0 ] || { echo "FAIL the selftest exited $rc"; exit 1; }
if grep -E 'FAIL|^not ok|Bail out' /tmp/selftest.out; then
	echo "FAIL the selftest reported a failure (above)"
	exit 1
fi
for name in $names; do
	grep -q "Testing heap: $name\$" /tmp/selftest.out ||
		{ echo "FAIL heap $name was not tested"; exit 1; }
done
echo "ok: the selftest passed on:$names"
