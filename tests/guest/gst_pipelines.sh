#!/bin/sh
# SPDX-License-Identifier: MIT
# GStreamer with vivtheappool on the guest's own GStreamer: gst-inspect-1.0, docs/gstreamer.md's pipelines, frames checked against system memory, vivtheap buffers in debugfs, the errors, the heap missing (vivtheap unloaded).
#
# The pipelines run here are docs/gstreamer.md's, verbatim (the gst-launch-1.0
# lines); the frame checks run the same with "appsink name=sink" where the
# docs have fakesink, through gst_frames (tests/guest/gst/gst_frames.c), and
# compare every frame's hash with the same pipeline on system memory.
export PATH="/usr/bin:$PATH" HOME=/tmp GST_REGISTRY=/tmp/gst-registry.bin
fail() { echo "FAIL $*"; exit 1; }
# run NAME CMD...: CMD's output in /tmp/gst.NAME, its status in $rc.
run() {
	n=$1
	shift
	"$@" >"/tmp/gst.$n" 2>&1
	rc=$?
	sed "s/^/$n: /" "/tmp/gst.$n" | grep -v '^[^:]*: frame ' | tail -n 12
}

# --- gst-inspect-1.0 ----------------------------------------------------------
run inspect gst-inspect-1.0 vivtheappool
[ $rc = 0 ] || fail "gst-inspect-1.0 vivtheappool: exit $rc"
grep -q '^  Long-name *vivtheap buffer pool$' /tmp/gst.inspect || fail "gst-inspect-1.0: no Long-name"
grep -q 'Filename *.*/gstreamer-1.0/libgstvivtheap.so$' /tmp/gst.inspect || fail "gst-inspect-1.0: not the installed plugin"
for p in heap min-buffers max-buffers; do
	grep -q "^  $p  *:" /tmp/gst.inspect || fail "gst-inspect-1.0: no property $p"
done
grep -q 'String. Default: "wc"' /tmp/gst.inspect || fail "gst-inspect-1.0: heap's default is not wc"
echo "gst-inspect-1.0 vivtheappool: ok"

# --- videotestsrc into each heap (docs: "Render with the CPU") ----------------
CAPS=video/x-raw,format=NV12,width=640,height=480
run docs-videotestsrc gst-launch-1.0 videotestsrc num-buffers=300 \
	! video/x-raw,format=NV12,width=640,height=480 \
	! vivtheappool heap=cached ! videoconvert ! fakesink
[ $rc = 0 ] || fail "docs' videotestsrc pipeline: exit $rc"
grep -q 'Frames are not in vivtheap memory' /tmp/gst.docs-videotestsrc && fail "docs' videotestsrc pipeline: frames not in vivtheap memory"
run sys-videotestsrc gst_frames -m none "videotestsrc num-buffers=10 ! $CAPS ! appsink name=sink"
[ $rc = 0 ] || fail "videotestsrc on system memory: exit $rc"
grep -q '^frames 10$' /tmp/gst.sys-videotestsrc || fail "videotestsrc on system memory: not 10 frames"
for h in uncached:uncached wc:write-combined cached:cached; do
	heap=${h%%:*} caching=${h#*:}
	run "videotestsrc-$heap" gst_frames -m "$caching" -d "vivtheap-$heap" \
		"videotestsrc num-buffers=10 ! $CAPS ! vivtheappool heap=$heap ! appsink name=sink"
	[ $rc = 0 ] || fail "videotestsrc into heap=$heap: exit $rc"
	grep -v '^debugfs' "/tmp/gst.videotestsrc-$heap" >"/tmp/gst.videotestsrc-$heap.frames"
	cmp -s /tmp/gst.sys-videotestsrc "/tmp/gst.videotestsrc-$heap.frames" ||
		fail "videotestsrc into heap=$heap: frames differ from system memory's"
	echo "videotestsrc into heap=$heap: 10 frames, as on system memory"
done
# The debugfs check itself: frames in system memory must fail it.
run debugfs-sysmem gst_frames -d vivtheap-wc "videotestsrc num-buffers=2 ! $CAPS ! appsink name=sink"
{ [ $rc = 1 ] && grep -qx 'FAIL debugfs lists 0 buffers of vivtheap-wc while the pipeline runs' /tmp/gst.debugfs-sysmem; } ||
	fail "gst_frames -d passed frames in system memory (exit $rc)"
echo "gst_frames -d: system memory's frames fail the debugfs check, as they must"

# --- vivid through v4l2src io-mode=dmabuf-import (docs: "Capture from V4L2") --
dev=""
for d in /sys/class/video4linux/video*; do
	[ "$(cat "$d/name" 2>/dev/null)" = vivid-000-vid-cap ] && { dev=/dev/${d##*/}; break; }
done
[ -n "$dev" ] || fail "no vivid capture node (the target loads vivid)"
[ "$dev" = /dev/video0 ] || fail "vivid's capture node is $dev, docs/gstreamer.md says /dev/video0"
run docs-vivid gst-launch-1.0 v4l2src device=/dev/video0 io-mode=dmabuf-import num-buffers=300 \
	! video/x-raw,format=YUY2,width=640,height=480 \
	! vivtheappool heap=wc ! fakesink
[ $rc = 0 ] || fail "docs' vivid pipeline: exit $rc"
grep -q 'Frames are not in vivtheap memory' /tmp/gst.docs-vivid && fail "docs' vivid pipeline: frames not in vivtheap memory"
# vivid without its text overlay (frame counter, time) and without
# movement: every frame is the same colour bars, in any memory.
V4L2="v4l2src device=$dev num-buffers=10 extra-controls=c,osd_text_mode=2"
VCAPS=video/x-raw,format=YUY2,width=640,height=480
run vivid-mmap gst_frames -m none "$V4L2 io-mode=mmap ! $VCAPS ! appsink name=sink"
[ $rc = 0 ] || fail "vivid io-mode=mmap: exit $rc"
run vivid-wc gst_frames -m write-combined -d vivtheap-wc \
	"$V4L2 io-mode=dmabuf-import ! $VCAPS ! vivtheappool heap=wc ! appsink name=sink"
[ $rc = 0 ] || fail "vivid io-mode=dmabuf-import into heap=wc: exit $rc"
grep -q '^frames 10$' /tmp/gst.vivid-wc || fail "vivid into heap=wc: not 10 frames"
ref=$(sed -n 's/^frame [0-9]* //p' /tmp/gst.vivid-mmap | sort -u)
[ "$(echo "$ref" | wc -l)" = 1 ] || fail "vivid on io-mode=mmap: the frames differ ($ref)"
got=$(sed -n 's/^frame [0-9]* //p' /tmp/gst.vivid-wc | sort -u)
[ "$got" = "$ref" ] || fail "vivid into heap=wc: frames $got, io-mode=mmap's $ref"
echo "vivid into heap=wc: 10 frames, each as io-mode=mmap's ($ref)"

# --- errors: a clear message, the pipeline stops ------------------------------
# expect_error NAME MESSAGE PIPELINE...: gst-launch-1.0 fails, not crashes
# (its exits: 255 when the pipeline does not start, 1 for an error while it
# streams), prints MESSAGE as the element's ERROR, and frees the pipeline.
expect_error() {
	n=$1 msg=$2
	shift 2
	run "$n" gst-launch-1.0 "$@"
	case $rc in 1 | 255) ;; *) fail "$n: exit $rc, want 1 or 255" ;; esac
	grep -qF "ERROR: from element /GstPipeline:pipeline0/GstVivtheapPool:vivtheappool0: $msg" "/tmp/gst.$n" ||
		fail "$n: no error \"$msg\""
	grep -q '^Freeing pipeline' "/tmp/gst.$n" || fail "$n: the pipeline was not freed"
	echo "$n: $msg"
}
expect_error unknown-heap 'Could not open heap "nosuch": No such file or directory' \
	videotestsrc num-buffers=1 ! vivtheappool heap=nosuch ! fakesink
expect_error bad-name 'Invalid heap "a/b": a heap'"'"'s name has no "/"' \
	videotestsrc num-buffers=1 ! vivtheappool heap=a/b ! fakesink
# A frame one row larger than the heap's limit (debugfs: max_size).
max=$(sed -n 's/^max_size //p' /sys/kernel/debug/vivtheap/vivtheap-wc/stats)
[ -n "$max" ] || fail "no max_size in /sys/kernel/debug/vivtheap/vivtheap-wc/stats"
h=$((max / 16384 + 1))
expect_error over-limit "Could not allocate a $((16384 * h))-byte buffer from heap \"vivtheap-wc\": Cannot allocate memory" \
	videotestsrc num-buffers=1 ! video/x-raw,format=GRAY8,width=16384,height=$h ! vivtheappool heap=wc ! fakesink

# --- the heap missing: vivtheap.ko not loaded ---------------------------------
# What a user meets who forgot the insmod: heap=cached (a caching) and
# heap=vivtheap-wc (a heap's name, valid, absent). The chardev backend
# unloads once nothing holds it (the heap backend never does: this target
# has no dma-heap core, so it is always chardev here); the module is loaded
# again as tests/guest/init.sh loaded it, whatever the errors' checks say.
backend=$(cat /tmp/backend)
[ -e /sys/class/dma_heap/vivtheap-wc ] && fail "vivtheap is on the heap backend here: it cannot unload"
rmmod vivtheap || fail "rmmod vivtheap (backend $backend) failed"
missing=0
(
	[ -e /dev/dma_heap/vivtheap-cached ] && fail "/dev/dma_heap/vivtheap-cached is still there after rmmod"
	expect_error heap-missing 'No cached heap under /dev/dma_heap: No such file or directory' \
		videotestsrc num-buffers=1 ! vivtheappool heap=cached ! fakesink
	expect_error heap-missing-name 'Could not open heap "vivtheap-wc": No such file or directory' \
		videotestsrc num-buffers=1 ! vivtheappool heap=vivtheap-wc ! fakesink
) || missing=1
insmod /lib/vivtheap.ko backend="$backend" || fail "insmod vivtheap.ko backend=$backend after the heap-missing case failed"
[ -e /dev/dma_heap/vivtheap-cached ] || fail "vivtheap reloaded without /dev/dma_heap/vivtheap-cached"
[ $missing = 0 ] || exit 1
exit 0
