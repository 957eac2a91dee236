#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/lint.sh TAPFILE
#
# Style and static checks, one TAP line each: checkpatch --strict and
# kernel-doc on driver/ and uapi/ (scripts from Debian's linux-source-6.1),
# ShellCheck on every script, cppcheck on the userspace C (gst/ included), the device-tree
# binding against dt-schema and ci/dt's nodes against the binding, and
# mandoc -T lint on every man page.

. "$(dirname "$0")/lib.sh"

TAPF=${1:?tap file}
: >"$TAPF"
bad=0
check() { tap_check "$TAPF" "lint $1" "${@:2}" || bad=1; }

KSRC=$(ensure_source linux-source-6.1 "$(apt_version amd64 bookworm linux-source-6.1)")
kfiles=("$TOP"/driver/*.c "$TOP"/driver/*.h "$TOP"/uapi/linux/*.h)

checkpatch() {
	# Ignored, once for all: NEW_TYPEDEFS and the like do not arise;
	# FILE_PATH_CHANGES and SPDX placement are about in-tree patches.
	# What is ignored, and why, in this one place:
	# - compat.h is the one file for version checks (its header says why): there
	#   LINUX_VERSION_CODE and its comparisons are the point;
	# - uapi/: BIT() does not exist for userspace.
	local out f dfiles=() cp=(perl "$KSRC/scripts/checkpatch.pl" --strict --no-tree --terse --show-types)
	for f in "$TOP"/driver/*.[ch] "$TOP"/tests/kmod/*.c; do
		[ "${f##*/}" = compat.h ] || dfiles+=("$f")
	done
	# checkpatch exits 0 when clean and 1 with a "total:" line when it has
	# findings; anything else (no perl, no script, a crash) is a failure
	# to run, not a pass.
	[ -f "$KSRC/scripts/checkpatch.pl" ] || { echo "no checkpatch.pl in $KSRC"; return 1; }
	run() {
		local rc=0 o
		o=$("${cp[@]}" "$@" 2>&1) || rc=$?
		case $rc in
		0) ;;
		1) printf '%s\n' "$o" | grep -q '^total: ' ||
			{ printf '%s\n' "$o"; echo "checkpatch failed to run"; } ;;
		*) printf '%s\n' "$o"; echo "checkpatch failed to run (exit $rc)" ;;
		esac
		[ "$rc" = 0 ] || printf '%s\n' "$o" | grep -v '^total: '
	}
	out=$(
		run -f "${dfiles[@]}"
		run --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f "$TOP/driver/compat.h"
		run --ignore BIT_MACRO -f "$TOP"/uapi/linux/*.h
	)
	[ -z "$out" ] || { echo "$out"; return 1; }
}
kerneldoc() {
	local out
	out=$(perl "$KSRC/scripts/kernel-doc" -none "${kfiles[@]}" 2>&1)
	[ -z "$out" ] || { echo "$out"; return 1; }
}
shellchecks() {
	local scripts
	mapfile -t scripts < <(cd "$TOP" && git ls-files | while read -r f; do
		head -n1 "$f" 2>/dev/null | grep -qE '^#!.*(ba)?sh' && echo "$TOP/$f"
	done)
	shellcheck -x -P "$TOP/ci" "$TOP"/ci/*.sh "${scripts[@]}"
}
# GLib's and GStreamer's file-scope macros (G_DEFINE_TYPE, GST_PLUGIN_DEFINE)
# come from cppcheck's gtk.cfg and ci/gstreamer.cfg.
cppchecks() {
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--std=c11 --inline-suppr --library=gtk --library="$TOP/ci/gstreamer.cfg" \
		-I "$TOP/uapi" -I "$TOP/libvivtheap/include" -I "$TOP/tests/lib" \
		"$TOP/tests" "$TOP/libvivtheap" "$TOP/tools" "$TOP/cachemodel" "$TOP/gst"
}

# Every man page, at mandoc's strictest level (style): the library's, as
# `make man` generates them from the header (which fails on a missing doc
# comment), and the tool's.
manlint() {
	local f rc=0
	make -s -C "$TOP" man || return 1
	for f in "$TOP"/build/host/man/*.3 "$TOP/tools/vivtheap.1" "$TOP/cachemodel/vivtcache.7"; do
		mandoc -T lint "$f" || rc=1
	done
	return "$rc"
}

# The binding is a valid schema; ci/dt's heap nodes pass it; the bad nodes
# that the driver must refuse fail it where a schema can tell (mode, coherent).
devicetree() {
	local tmp out bindings=$TOP/docs/bindings
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # expand now: tmp is local
	trap "rm -rf '$tmp'" RETURN
	(cd "$bindings" && dt-doc-validate -u . vivtheap,dma-heap.yaml) || return 1
	dt-mk-schema -j "$bindings" >"$tmp/schema.json" || return 1
	board() {
		printf '/dts-v1/;\n/ { model = "lint"; compatible = "lint"; #address-cells = <1>; #size-cells = <1>; };\n'
		sed '/^\/\/ SPDX/d' "$@"
	}
	board "$TOP/ci/dt/vivtheap-heaps.dtsi" | dtc -q -I dts -O dtb -o "$tmp/good.dtb" - || return 1
	out=$(dt-validate -s "$tmp/schema.json" "$tmp/good.dtb" 2>&1)
	[ -z "$out" ] || { echo "ci/dt/vivtheap-heaps.dtsi: $out"; return 1; }
	board "$TOP"/ci/dt/vivtheap-{heaps,bad-nodes}.dtsi | dtc -q -I dts -O dtb -o "$tmp/bad.dtb" - || return 1
	out=$(dt-validate -s "$tmp/schema.json" "$tmp/bad.dtb" 2>&1 | grep -v 'From schema')
	if ! printf '%s\n' "$out" | grep -q "vivtheap-bad-mode: vivtheap,cache-mode:0: 'cached' is not one of" ||
		! printf '%s\n' "$out" | grep -q "vivtheap-bad-coherent: dma-coherent: False schema" ||
		[ "$(printf '%s\n' "$out" | wc -l)" != 2 ]; then
		echo "the bad nodes: want the mode and dma-coherent errors only, got:"
		echo "$out"
		return 1
	fi
}

check "checkpatch --strict (driver, uapi, tests/kmod)" checkpatch
check "kernel-doc (driver, uapi)" kerneldoc
check shellcheck shellchecks
check cppcheck cppchecks
check "devicetree binding (dt-schema)" devicetree
check "man pages (mandoc -T lint: the generated man3, tools/vivtheap.1, cachemodel/vivtcache.7)" manlint
exit $bad
