#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/coherency.sh TARGET [TAPFILE]
#
# The VIVT cache model (docs/cachemodel.md) judges the guest: boots TARGET's
# kernel under qemu 10 with the model's plugin and runs two guest tests:
# vivt_calib (the calibration: tests/guest/vivt_calib.c with
# tests/kmod/vivt_calib.ko, a vmalloc_user() buffer shared the way broken
# drivers do) and coherency (tests/guest/coherency.c: every hand-over
# scenario on each vivtheap heap and the kernel's own heaps). Events are
# attributed by the physical pages each case (CASE lines) and scenario
# (WINDOW lines) names. Prints a table: heap/scenario, stale reads, lost
# writes, undrained hand-overs, hand-over checks, expected, verdict. Exits
# non-zero unless every calibration case without maintenance is caught and
# every one with it is clean, every vivtheap scenario is 0 / 0 / 0 with at
# least one hand-over checked, the fault knob's scenario shows undrained
# hand-overs, and both tests passed. The kernel heaps' rows are reported.
#
# The initramfs comes from ci/guest.sh (one plain boot of the same tests
# first, on the chardev backend: they must pass there too), copied at once
# out of build/TARGET/; with VIVTHEAP_COHERENCY_REUSE=1 (ci/check.sh, right
# after its own guest runs of TARGET passed these tests) the plain boot is
# skipped and build/TARGET/initramfs.cpio.gz taken as it is. With TAPFILE,
# one TAP line per table row. VIVTHEAP_PLUGIN_ARGS="trace=0x...,..." adds
# arguments to the plugin's (vivtcache(7)). Leaves in build/TARGET-coherency/:
# serial.log, report.txt (the plugin's), table.txt.

. "$(dirname "$0")/lib.sh"

target_load "${1:?target}"
TAP=${2:-}
case $TARGET in
vivt-*) ;;
*) die "$TARGET: the cache model is an ARM926EJ-S's: coherency runs on the vivt-* targets" ;;
esac
RUN=$BUILD/$TARGET-coherency
TESTS="vivt_calib coherency"
OUT=$BUILD/$TARGET
mkdir -p "$RUN"
start=$SECONDS

log "$TARGET: building the cache model's plugin"
make -s -C "$TOP" cachemodel-plugin >"$RUN/plugin-build.log" 2>&1 ||
	{ cat "$RUN/plugin-build.log" >&2; die "building the plugin failed"; }
PLUGIN=$TOP/build/host/libvivtcache.so
[ -f "$PLUGIN" ] || die "no $PLUGIN after make cachemodel-plugin"

# The module, the test and the initramfs, with one plain boot.
if [ "${VIVTHEAP_COHERENCY_REUSE:-}" = 1 ] && [ -f "$OUT/initramfs.cpio.gz" ]; then
	log "$TARGET: the initramfs of the guest run just made"
else
	log "$TARGET: plain boot (ci/guest.sh, no cache model)"
	VIVTHEAP_TESTS="${TESTS// /,}" "$TOP/ci/guest.sh" "$TARGET" chardev >"$RUN/guest.log" 2>&1 ||
		{ cat "$RUN/guest.log" >&2; die "$TARGET: $TESTS fail without the cache model"; }
fi
cp "$OUT/initramfs.cpio.gz" "$RUN/initramfs.cpio.gz"

eval "$("$TOP/ci/kernel.sh" "$TARGET")"
sysmap=()
[ -f "$KDIR/System.map" ] && sysmap=(",sysmap=$KDIR/System.map")
dtb=()
[ -n "$DTB" ] && dtb=(-dtb "$DTB")
# The same command line as ci/guest.sh's boot, on qemu 10 with the plugin.
append="console=$CONSOLE rdinit=/init panic=-1 oops=panic log_buf_len=1M ${KAPPEND:-} vivtheap.backend=chardev vivtheap.mode=test vivtheap.expect=${EXPECT:-} vivtheap.tests=${TESTS// /,}"
timeout=${VIVTHEAP_COHERENCY_TIMEOUT:-2400}
rm -f "$RUN/report.txt"
log "$TARGET: booting under the cache model (timeout ${timeout}s; about 8 times a plain boot)"
boot=$SECONDS
rc=0
timeout --foreground -k 10 "$timeout" "$TOP/ci/qemu-plugin.sh" qemu "${QEMU[@]:1}" \
	-nographic -no-reboot -kernel "$KERNEL" "${dtb[@]}" -initrd "$RUN/initramfs.cpio.gz" \
	-append "$append" \
	-plugin "$PLUGIN,out=$RUN/report.txt,maxev=100000000${sysmap[*]}${VIVTHEAP_PLUGIN_ARGS:+,$VIVTHEAP_PLUGIN_ARGS}" \
	</dev/null >"$RUN/serial.log" 2>&1 || rc=$?
tr -d '\r' <"$RUN/serial.log" >"$RUN/serial.tmp" && mv "$RUN/serial.tmp" "$RUN/serial.log"
log "$TARGET: guest ran $((SECONDS - boot)) s under the cache model (qemu exit $rc)"
if ! grep -q '^VIVTHEAP-END' "$RUN/serial.log" || [ ! -s "$RUN/report.txt" ]; then
	tail -n 40 "$RUN/serial.log" >&2
	die "$TARGET: the boot under the cache model did not finish (see $RUN)"
fi

verdict=0
# Events are attributed by physical page: to a calibration case by the pages
# its CASE line names, to a scenario by the ranges its WINDOW line names
# (tests/guest/coherency.c; every buffer alive until the test ends), so an
# event that happens after its window closed (a write-back at a later
# eviction) still counts. The plugin's WINDOW lines give each window's
# hand-over checks: a scenario judged "0 undrained" must have had some.
awk '
# The 4 KiB page of a hex address, as 8 lower-case digits (mawk: no strtonum).
function page_of(a) {
	a = tolower(a); sub(/^0x/, "", a)
	while (length(a) < 8) a = "0" a
	return substr(a, 1, 5) "000"
}
function hexval(a,   v, i) {
	a = tolower(a); sub(/^0x/, "", a); v = 0
	for (i = 1; i <= length(a); i++) v = v * 16 + index("0123456789abcdef", substr(a, i, 1)) - 1
	return v
}
function hexpage(v,   s, d) {
	v = int(v / 4096); s = ""
	while (v > 0) { d = v % 16; s = substr("0123456789abcdef", d + 1, 1) s; v = int(v / 16) }
	while (length(s) < 5) s = "0" s
	return s "000"
}
function add_case(nm) { ncase++; name[ncase] = nm; return ncase }
FILENAME == ARGV[1] {
	if ($2 == "vivt_calib:" && $3 == "CASE") {
		c = add_case($4); kind[c] = "calib"
		for (i = 5; i <= NF; i++)
			if ($i ~ /^pa=/) page[page_of(substr($i, 4))] = c
	} else if ($2 == "coherency:" && $3 == "WINDOW") {
		c = add_case($4); kind[c] = "scenario"
		for (i = 5; i <= NF; i++) {
			split($i, r, "+"); a = hexval(r[1]); l = hexval(r[2])
			for (o = 0; o < l; o += 4096) page[hexpage(a + o)] = c
		}
	}
	next
}
FILENAME == ARGV[2] {
	if ($1 == "WINDOW") { handovers[$2] = $10; windows++ }
	if ($1 == "HANDOVERS:") hline = $0
	if ($1 ~ /^EVENT$/ && $2 ~ /^[a-z-]+\//) {
		split($2, k, "/"); ek = k[1]; pa = ""
		for (i = 3; i <= NF; i++) if ($i ~ /^pa=/) { pa = substr($i, 4); break }
		pg = page_of(pa)
		c = (pg in page) ? page[pg] : 0
		n[c, ek]++; printed++
	}
	if ($1 == "EVENTS:") total = $3 + $5 + $7
}
END {
	if (!ncase) { print "no CASE or WINDOW lines in the serial log"; exit 2 }
	if (printed != total) { printf "the plugin printed %d of %d events\n", printed, total; exit 2 }
	fail = 0
	printf "%-34s %11s %11s %9s %9s  %-18s %s\n", "heap/scenario", "stale-reads", "lost-writes", "undrained", "handovers", "expected", "verdict"
	for (c = 1; c <= ncase; c++) {
		s = n[c, "stale-read"] + 0; l = n[c, "lost-write"] + 0; u = n[c, "undrained"] + 0
		h = (name[c] in handovers) ? handovers[name[c]] : "-"
		if (kind[c] == "calib") {
			nm = "calibration/" name[c]
			if (name[c] ~ /-maint$/) { want = "0 / 0"; ok = (s == 0 && l == 0) }
			else if (name[c] ~ /^lost-/) { want = "lost-writes > 0"; ok = (l > 0) }
			else { want = "stale-reads > 0"; ok = (s > 0) }
		} else {
			nm = name[c]
			if (nm !~ /^vivtheap-/) { want = "(reported)"; ok = 1 }
			else if (nm ~ /\/fault-skip-drain$/) { want = "undrained > 0"; ok = (u > 0) }
			else { want = "0 / 0 / 0"; ok = (s == 0 && l == 0 && u == 0 && h + 0 > 0) }
		}
		printf "%-34s %11d %11d %9d %9s  %-18s %s\n", nm, s, l, u, h, want, ok ? "ok" : "FAIL"
		if (!ok) fail = 1
	}
	printf "%-34s %11d %11d %9d %9s  %-18s %s\n", "(rest of boot)", n[0, "stale-read"], n[0, "lost-write"], n[0, "undrained"], "", "(reported)", ""
	print hline
	exit fail
}' "$RUN/serial.log" "$RUN/report.txt" >"$RUN/table.txt" || verdict=$?
cat "$RUN/table.txt"
if [ -n "$TAP" ]; then
	# "name s l u h expected... verdict" -> one TAP line each
	awk -v t="$TARGET" '$NF == "ok" || $NF == "FAIL" {
		want = $6; for (i = 7; i < NF; i++) want = want " " $i
		printf "%s - coherency %s %s: stale-reads %s lost-writes %s undrained %s handovers %s (want %s)\n", ($NF == "ok") ? "ok" : "not ok", t, $1, $2, $3, $4, $5, want
	}' "$RUN/table.txt" >"$TAP"
	[ "$verdict" = 2 ] && echo "not ok - coherency $TARGET: $(head -n1 "$RUN/table.txt")" >>"$TAP"
fi
grep -E '^(TOTAL|EVENTS|MARKS):' "$RUN/report.txt"
for t in $TESTS; do
	if ! grep -q "^VIVTHEAP-RESULT $t pass" "$RUN/serial.log"; then
		grep -E "^(VIVTHEAP-RESULT|# $t)" "$RUN/serial.log" >&2
		die "$TARGET: the $t guest test did not pass under the cache model"
	fi
done
log "$TARGET: coherency under the cache model took $((SECONDS - start)) s"
[ "$verdict" = 0 ] || die "$TARGET: the cache model's calibration failed (table above; $RUN)"
