#!/bin/sh
# SPDX-License-Identifier: MIT
# The kernel's own dmabuf-heap selftest, run on one set of heaps at a time:
# "ours" (vivtheap's) or "kernel" (the kernel's own heaps), by showing it a
# private /dev/dma_heap with only those nodes (a mount namespace).
# Usage: kselftest_heaps.sh ours|kernel
set -u
which=$1
p=/sys/module/vivtheap/parameters
ours=" $(cat $p/uncached_name) $(cat $p/wc_name) "
d=/tmp/heaps-$which
rm -rf "$d"
mkdir -p "$d"
n=0
for node in /dev/dma_heap/*; do
	[ -c "$node" ] || continue
	name=${node##*/}
	case "$ours" in
	*" $name "*) mine=ours ;;
	*) mine=kernel ;;
	esac
	[ "$mine" = "$which" ] || continue
	mknod "$d/$name" c "$((0x$(stat -c %t "$node")))" "$((0x$(stat -c %T "$node")))"
	n=$((n + 1))
done
if [ $n = 0 ]; then
	if [ "$which" = kernel ]; then
		echo "SKIP the kernel has no dma-buf heaps of its own (CONFIG_DMABUF_HEAPS unset)"
		exit 77
	fi
	echo "FAIL no vivtheap heap under /dev/dma_heap"
	exit 1
fi
(cd "$d" && echo "heaps:" *)
exec unshare -m sh -c "mount --bind '$d' /dev/dma_heap && exec /tests/dmabuf-heap-selftest"
