#!/bin/sh
# SPDX-License-Identifier: MIT
# vivid 640x480 YUY2 capture into vivtheappool's buffers (v4l2src io-mode=dmabuf-import, heap=wc) against v4l2src's own (io-mode=mmap), on one boot: frames per second and CPU time.
#
# Run by tests/guest/init.sh in bench mode where the guest has GStreamer
# (ci/guest.sh distro-armmp chardev bench, under -icount: docs/benchmarks.md).
# Usage: gst_bench [FRAMES] (default 150). Each pipeline runs twice, the
# first as a warm-up; the second is measured: the pipeline's running time
# from gst-launch-1.0's "Execution ended after", the CPU time of the
# gst-launch-1.0 process (user + sys, from the shell's `times`) and the
# whole machine's busy time (/proc/stat, vivid's own thread included).
export PATH="/usr/bin:$PATH" HOME=/tmp GST_REGISTRY=/tmp/gst-registry.bin
N=${1:-150}
gst-inspect-1.0 vivtheappool >/dev/null || { echo "FAIL gst-inspect-1.0 vivtheappool"; exit 1; }
# The machine's busy time in USER_HZ ticks (100 a second).
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
# secs "0m1.230s" -> 1.230
secs() { echo "$1" | awk -F'[ms]' '{ printf "%.3f", $1 * 60 + $2 }'; }

# bench NAME PIPELINE...: one line "NAME frames N running S fps F cpu C busy B",
# also kept in /tmp/gst-bench.NAME.
bench() {
	name=$1
	shift
	gst-launch-1.0 "$@" >/dev/null 2>&1
	b0=$(busy)
	# The subshell's `times`: its second line is the children's user and sys.
	t=$( (gst-launch-1.0 "$@" >/tmp/gst-bench.out 2>&1 || echo "FAIL" >>/tmp/gst-bench.out; times) | tail -n 1)
	b1=$(busy)
	grep -q '^FAIL' /tmp/gst-bench.out && { cat /tmp/gst-bench.out; echo "FAIL $name"; exit 1; }
	grep -q 'Frames are not in vivtheap memory' /tmp/gst-bench.out && { echo "FAIL $name: frames not in vivtheap memory"; exit 1; }
	run=$(sed -n 's/^Execution ended after \([0-9]*\):\([0-9]*\):\([0-9.]*\)$/\1 \2 \3/p' /tmp/gst-bench.out |
		awk '{ printf "%.3f", $1 * 3600 + $2 * 60 + $3 }')
	[ -n "$run" ] || { cat /tmp/gst-bench.out; echo "FAIL $name: no running time"; exit 1; }
	# shellcheck disable=SC2086 # two words, user and sys
	set -- $t
	cpu=$(awk -v u="$(secs "$1")" -v s="$(secs "$2")" 'BEGIN { printf "%.3f", u + s }')
	echo "$name frames $N running $run fps $(awk -v n="$N" -v r="$run" 'BEGIN { printf "%.2f", n / r }')" \
		"cpu $cpu busy $(awk -v b="$((b1 - b0))" -v hz=100 'BEGIN { printf "%.3f", b / hz }')" |
		tee "/tmp/gst-bench.$name"
}

SRC="v4l2src device=/dev/video0 num-buffers=$N"
CAPS=video/x-raw,format=YUY2,width=640,height=480
echo "gst-bench: vivid $CAPS, $N frames per run"
# shellcheck disable=SC2086 # SRC is words
bench mmap $SRC io-mode=mmap ! $CAPS ! fakesink
# shellcheck disable=SC2086
bench vivtheappool $SRC io-mode=dmabuf-import ! $CAPS ! vivtheappool heap=wc ! fakesink
awk '{ for (i = 1; i < NF; i++) v[NR, $i] = $(i + 1) }
END { printf "gst-bench: vivtheappool/mmap fps %.3f cpu %.3f busy %.3f\n",
	v[2, "fps"] / v[1, "fps"], v[2, "cpu"] / v[1, "cpu"], v[2, "busy"] / v[1, "busy"] }' \
	/tmp/gst-bench.mmap /tmp/gst-bench.vivtheappool
