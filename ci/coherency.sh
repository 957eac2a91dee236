#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/coherency.sh TARGET
#
# The VIVT cache model's calibration (docs/cachemodel.md): boots TARGET's
# kernel under qemu 10 with the cache model's plugin, runs only the
# vivt_calib guest test (tests/guest/vivt_calib.c with
# tests/kmod/vivt_calib.ko), attributes the model's events to each case by
# the physical pages the test prints, and prints a table: case, stale reads,
# lost writes, undrained. Exits non-zero unless every case without
# maintenance is caught (stale reads, or lost writes for the lost-write
# case) and every case with it reports nothing, and the guest test passed.
#
# The initramfs comes from ci/guest.sh (one plain boot of the same test
# first, on the chardev backend: it must pass there too), copied at once
# out of build/TARGET/. Leaves in build/TARGET-coherency/: serial.log,
# report.txt (the plugin's), table.txt.

. "$(dirname "$0")/lib.sh"

target_load "${1:?target}"
case $TARGET in
vivt-*) ;;
*) die "$TARGET: the cache model is an ARM926EJ-S's: coherency runs on the vivt-* targets" ;;
esac
RUN=$BUILD/$TARGET-coherency
OUT=$BUILD/$TARGET
mkdir -p "$RUN"
start=$SECONDS

log "$TARGET: building the cache model's plugin"
make -s -C "$TOP" cachemodel-plugin >"$RUN/plugin-build.log" 2>&1 ||
	{ cat "$RUN/plugin-build.log" >&2; die "building the plugin failed"; }
PLUGIN=$TOP/build/host/libvivtcache.so
[ -f "$PLUGIN" ] || die "no $PLUGIN after make cachemodel-plugin"

# The module, the test and the initramfs, with one plain boot.
log "$TARGET: plain boot (ci/guest.sh, no cache model)"
VIVTHEAP_TESTS=vivt_calib "$TOP/ci/guest.sh" "$TARGET" chardev >"$RUN/guest.log" 2>&1 ||
	{ cat "$RUN/guest.log" >&2; die "$TARGET: vivt_calib fails without the cache model"; }
cp "$OUT/initramfs.cpio.gz" "$RUN/initramfs.cpio.gz"

eval "$("$TOP/ci/kernel.sh" "$TARGET")"
sysmap=()
[ -f "$KDIR/System.map" ] && sysmap=(",sysmap=$KDIR/System.map")
dtb=()
[ -n "$DTB" ] && dtb=(-dtb "$DTB")
# The same command line as ci/guest.sh's boot, on qemu 10 with the plugin.
append="console=$CONSOLE rdinit=/init panic=-1 oops=panic log_buf_len=1M ${KAPPEND:-} vivtheap.backend=chardev vivtheap.mode=test vivtheap.expect=${EXPECT:-} vivtheap.tests=vivt_calib"
timeout=${VIVTHEAP_COHERENCY_TIMEOUT:-2400}
rm -f "$RUN/report.txt"
log "$TARGET: booting under the cache model (timeout ${timeout}s; about 8 times a plain boot)"
boot=$SECONDS
rc=0
timeout --foreground -k 10 "$timeout" "$TOP/ci/qemu-plugin.sh" qemu "${QEMU[@]:1}" \
	-nographic -no-reboot -kernel "$KERNEL" "${dtb[@]}" -initrd "$RUN/initramfs.cpio.gz" \
	-append "$append" \
	-plugin "$PLUGIN,out=$RUN/report.txt,maxev=100000000${sysmap[*]}" \
	</dev/null >"$RUN/serial.log" 2>&1 || rc=$?
tr -d '\r' <"$RUN/serial.log" >"$RUN/serial.tmp" && mv "$RUN/serial.tmp" "$RUN/serial.log"
log "$TARGET: guest ran $((SECONDS - boot)) s under the cache model (qemu exit $rc)"
if ! grep -q '^VIVTHEAP-END' "$RUN/serial.log" || [ ! -s "$RUN/report.txt" ]; then
	tail -n 40 "$RUN/serial.log" >&2
	die "$TARGET: the boot under the cache model did not finish (see $RUN)"
fi

verdict=0
# Case -> pages, from the test's "CASE name pa=..." lines; events by page.
awk '
# The 4 KiB page of a hex address, as 8 lower-case digits (mawk: no strtonum).
function page_of(a) {
	a = tolower(a); sub(/^0x/, "", a)
	while (length(a) < 8) a = "0" a
	return substr(a, 1, 5) "000"
}
FNR == NR {
	if ($2 == "vivt_calib:" && $3 == "CASE") {
		ncase++; name[ncase] = $4
		for (i = 5; i <= NF; i++)
			if ($i ~ /^pa=/) page[page_of(substr($i, 4))] = ncase
	}
	next
}
/^EVENT [a-z-]+\// {
	split($2, k, "/"); kind = k[1]; pa = ""
	for (i = 3; i <= NF; i++) if ($i ~ /^pa=/) { pa = substr($i, 4); break }
	pg = page_of(pa)
	c = (pg in page) ? page[pg] : 0
	n[c, kind]++; printed++
	next
}
/^EVENTS: / { total = $3 + $5 + $7 }
END {
	if (!ncase) { print "no CASE lines in the serial log"; exit 2 }
	if (printed != total) { printf "the plugin printed %d of %d events\n", printed, total; exit 2 }
	fail = 0
	printf "%-16s %12s %12s %10s  %-24s %s\n", "case", "stale-reads", "lost-writes", "undrained", "expected", "verdict"
	for (c = 1; c <= ncase; c++) {
		s = n[c, "stale-read"] + 0; l = n[c, "lost-write"] + 0; u = n[c, "undrained"] + 0
		if (name[c] ~ /-maint$/) { want = "0 / 0"; ok = (s == 0 && l == 0) }
		else if (name[c] ~ /^lost-/) { want = "lost-writes > 0"; ok = (l > 0) }
		else { want = "stale-reads > 0"; ok = (s > 0) }
		printf "%-16s %12d %12d %10d  %-24s %s\n", name[c], s, l, u, want, ok ? "ok" : "FAIL"
		if (!ok) fail = 1
	}
	printf "%-16s %12d %12d %10d  %-24s %s\n", "(rest of boot)", n[0, "stale-read"], n[0, "lost-write"], n[0, "undrained"], "(reported)", ""
	exit fail
}' "$RUN/serial.log" "$RUN/report.txt" >"$RUN/table.txt" || verdict=$?
cat "$RUN/table.txt"
grep -E '^(TOTAL|EVENTS):' "$RUN/report.txt"
if ! grep -q '^VIVTHEAP-RESULT vivt_calib pass' "$RUN/serial.log"; then
	grep -E '^(VIVTHEAP-RESULT|# vivt_calib)' "$RUN/serial.log" >&2
	die "$TARGET: the vivt_calib guest test did not pass under the cache model"
fi
log "$TARGET: coherency calibration took $((SECONDS - start)) s"
[ "$verdict" = 0 ] || die "$TARGET: the cache model's calibration failed (table above; $RUN)"
