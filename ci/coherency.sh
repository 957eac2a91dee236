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
# least one hand-over checked, the fault knobs' scenarios show what each
# fault breaks (fault-skip-drain: undrained hand-overs; the cached heap's
# fault-skip-user-clean and fault-skip-invalidate: stale reads), and both
# tests passed. The kernel heaps' rows are reported.
#
# The initramfs comes from ci/guest.sh (one plain boot of the same tests
# first, on the chardev backend: they must pass there too), copied at once
# out of build/TARGET/; with VIVTHEAP_COHERENCY_REUSE=1 (ci/check.sh, right
# after its own guest runs of TARGET passed) the plain boot is skipped and
# build/TARGET/initramfs.cpio.gz taken as ci/guest.sh's "prepare" leaves it
# (built from the sources as they are now), if it holds both tests and the
# modules; otherwise the plain boot runs. With TAPFILE,
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
TESTS="vivt_calib coherency cpu_frame"
OUT=$BUILD/$TARGET
mkdir -p "$RUN"
start=$SECONDS

log "$TARGET: building the cache model's plugin"
make -s -C "$TOP" cachemodel-plugin >"$RUN/plugin-build.log" 2>&1 ||
	{ cat "$RUN/plugin-build.log" >&2; die "building the plugin failed"; }
PLUGIN=$TOP/build/host/libvivtcache.so
[ -f "$PLUGIN" ] || die "no $PLUGIN after make cachemodel-plugin"

# The module, the test and the initramfs, with one plain boot.
# reusable: the guest runs' build, still the sources as they are (not
# rebuilt by prepare), holding both tests and the test importer
reusable() {
	local ir=$OUT/initramfs.cpio.gz list key
	key=$(cat "$OUT/build.key" 2>/dev/null) || return 1
	"$TOP/ci/guest.sh" "$TARGET" chardev prepare >"$RUN/prepare.log" 2>&1 || return 1
	# Rebuilt (a source changed since the guest runs): not what they tested.
	[ "$(cat "$OUT/build.key")" = "$key" ] || return 1
	list=$(gzip -dc "$ir" | cpio -it 2>/dev/null) || return 1
	for f in tests/vivt_calib tests/coherency tests/cpu_frame lib/vivtheap_test.ko lib/vivtheap.ko; do
		printf '%s\n' "$list" | grep -qx "$f" || return 1
	done
}
if [ "${VIVTHEAP_COHERENCY_REUSE:-}" = 1 ] && reusable; then
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
rm -f "$RUN/report.txt" "$RUN/table.txt"
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
# Events are attributed by physical page, in the report's order: to a
# calibration case by the pages its CASE line names (from the start: it runs
# first), to a scenario by the ranges its mark names from the mark on (every
# buffer of tests/guest/coherency.c lives until the test ends, so an event
# after its window closed, a write-back at a later eviction, still counts;
# a page a later window reuses is the later window's from its begin). The
# plugin's WINDOW lines give each window's hand-over checks, by symbol: a
# scenario judged "0 undrained" must have had some, and the importer's
# scenarios its dma_buf_map_attachment ones. Every vivtheap scenario must
# be in the table, and no mark may have been rejected.
awk '
function hexval(a,   v, i) {
	a = tolower(a); sub(/^0x/, "", a); v = 0
	for (i = 1; i <= length(a); i++) v = v * 16 + index("0123456789abcdef", substr(a, i, 1)) - 1
	return v
}
function page_of(a) { return int(hexval(a) / 4096) }
function case_of(nm, k) {
	if (!(nm in idx)) { ncase++; name[ncase] = nm; kind[ncase] = k; idx[nm] = ncase }
	return idx[nm]
}
# The calibration cases own their pages from the start (vivt_calib runs first).
FILENAME == ARGV[1] {
	if ($2 == "vivt_calib:" && $3 == "CASE") {
		c = case_of($4, "calib")
		for (i = 5; i <= NF; i++)
			if ($i ~ /^pa=/) owner[page_of(substr($i, 4))] = c
	}
	next
}
# The report in its order: a window owns its pages from its begin on.
$1 == "MARK" && $2 == "begin" {
	c = case_of($3, "scenario")
	for (i = 6; i <= NF; i++) {
		split($i, r, "+"); a = hexval(r[1]); l = hexval(r[2])
		for (o = 0; o < l; o += 4096) owner[int((a + o) / 4096)] = c
	}
	next
}
$1 == "WINDOW" {
	handovers[$2] = $10
	for (i = 11; i <= NF; i++) if (split($i, kv, "=") == 2) bysym[$2, kv[1]] = kv[2]
	next
}
$1 == "MARKS:" { rejected = $4 + 0 }
$1 == "HANDOVERS:" { hline = $0 }
$1 == "EVENT" && $2 ~ /^[a-z-]+\// {
	split($2, k, "/"); ek = k[1]; pa = ""
	for (i = 3; i <= NF; i++) if ($i ~ /^pa=/) { pa = substr($i, 4); break }
	pg = page_of(pa)
	c = (pg in owner) ? owner[pg] : 0
	n[c, ek]++; printed++
}
$1 == "EVENTS:" { total = $3 + $5 + $7 }
END {
	if (!ncase) { print "no CASE lines in the serial log, no marks in the report"; exit 2 }
	if (printed != total) { printf "the plugin printed %d of %d events\n", printed, total; exit 2 }
	fail = 0
	# Every scenario must be there for both of vivtheap heaps.
	ns = split("cpu-to-device device-to-cpu user-to-vmap vmap-to-user fork scm-rights two-maps pool-reuse vivid vgem", sc, " ")
	split("vivtheap-uncached vivtheap-wc vivtheap-cached", heaps, " ")
	for (h = 1; h <= 3; h++)
		for (i = 1; i <= ns; i++) case_of(heaps[h] "/" sc[i], "scenario")
	case_of("vivtheap-wc/fault-skip-drain", "scenario")
	case_of("vivtheap-cached/ranged", "scenario")
	split("cpu-frame cpu-slice64k cpu-brackets cpu-brackets-slice64k", cpu, " ")
	for (h = 1; h <= 3; h++)
		for (i = 1; i <= 4; i++) case_of(heaps[h] "/" cpu[i], "scenario")
	case_of("vivtheap-cached/fault-skip-user-clean", "scenario")
	case_of("vivtheap-cached/fault-skip-invalidate", "scenario")
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
			if (h == "-") { want = "(the test ran it)"; ok = 0 }
			else if (nm !~ /^vivtheap-/) { want = "(reported)"; ok = 1 }
			else if (nm ~ /\/fault-skip-drain$/) { want = "undrained > 0"; ok = (u > 0) }
			else if (nm ~ /\/fault-skip-(user-clean|invalidate)$/) { want = "stale-reads > 0"; ok = (s > 0) }
			# a ranged END is no symbol the plugin can find (a module
			# function): no hand-over is checked in these windows
			else if (nm ~ /\/cpu-(brackets-)?slice64k$/) { want = "0 / 0 / 0, ranged"; ok = (s == 0 && l == 0 && u == 0) }
			else {
				want = "0 / 0 / 0"; ok = (s == 0 && l == 0 && u == 0 && h + 0 > 0)
				# the importer maps the attachment: that hand-over was checked
				if (nm ~ /\/(cpu-to-device|device-to-cpu)$/ && bysym[nm, "dma_buf_map_attachment"] + 0 == 0) ok = 0
			}
		}
		printf "%-34s %11d %11d %9d %9s  %-18s %s\n", nm, s, l, u, h, want, ok ? "ok" : "FAIL"
		if (!ok) fail = 1
	}
	printf "%-34s %11d %11d %9d %9s  %-18s %s\n", "(rest of boot)", n[0, "stale-read"], n[0, "lost-write"], n[0, "undrained"], "", "(reported)", ""
	print hline
	if (rejected) { printf "%d marks rejected by the plugin\n", rejected; fail = 1 }
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
# Modelled cycles of the cpu_frame windows (docs/benchmarks.md): an
# ARM926EJ-S at R times its AHB's clock, SDRAM L bus cycles to the first
# word of an access and 1 to each next one of a burst. Core cycles per event:
# a cache hit 1; a linefill (8 words) R*(L+7); a write-back of a dirty line
# the same; a C=0 access that is not buffered (an uncached load, a strongly
# ordered store) R*L; a store into the write buffer R*(L+7)/8 (the buffer
# drains sequential stores as 8-word bursts: its rate is the bus's); a CP15
# c7 line operation 2, a test-and-clean iteration 3. R=2, L=6 in the table;
# the frame's ratios for L = 4, 6, 10 after it.
awk -v R=2 '
function cost(k, L) {
	return v[k, "hits"] + (v[k, "fills"] + v[k, "writebacks"]) * R * (L + 7) + \
	    (v[k, "uncached"] - v[k, "uncached-buffered"]) * R * L + v[k, "buffered"] * R * (L + 7) / 8 + \
	    v[k, "c7-line"] * 2 + v[k, "c7-test"] * 3
}
$1 == "COST" {
	for (i = 3; i < NF; i += 2) v[$2, $i] = $(i + 1)
	seen[$2] = 1; n++
}
END {
	if (!n) exit
	printf "%-38s %12s %9s %8s %10s %9s %9s %8s %7s %6s\n", "window (modelled ARM926 cycles)", "cycles", "hits", "fills", "writebacks", "uncached", "buffered", "c7-line", "c7-test", "c7-all"
	split("cpu-frame cpu-slice64k cpu-brackets cpu-brackets-slice64k", win, " ")
	split("vivtheap-uncached vivtheap-wc vivtheap-cached", hp, " ")
	for (j = 1; j <= 12; j++) {
		k = hp[int((j - 1) / 4) + 1] "/" win[(j - 1) % 4 + 1]
		if (!(k in seen)) continue
		printf "%-38s %12.0f %9d %8d %10d %9d %9d %8d %7d %6d\n", k, cost(k, 6), v[k, "hits"], v[k, "fills"], v[k, "writebacks"], v[k, "uncached"] - v[k, "uncached-buffered"], v[k, "buffered"], v[k, "c7-line"], v[k, "c7-test"], v[k, "c7-all"]
	}
	c = "vivtheap-cached/"; u = "vivtheap-uncached/"; w = "vivtheap-wc/"
	for (i = 1; i <= 2; i++)
		if ((u win[i]) in seen && (c win[i]) in seen)
			printf "RATIO %s cached/uncached %.3f (L=4) %.3f (L=6) %.3f (L=10); cached/wc %.3f (L=6)\n", win[i], \
				cost(c win[i], 4) / cost(u win[i], 4), cost(c win[i], 6) / cost(u win[i], 6), \
				cost(c win[i], 10) / cost(u win[i], 10), cost(c win[i], 6) / cost(w win[i], 6)
	if ((c "cpu-brackets") in seen && (c "cpu-brackets-slice64k") in seen)
		printf "RATIO cached brackets, 64 KiB slice / whole frame: line operations %.4f, cycles %.4f (the slice is %.4f of the frame)\n", \
			v[c "cpu-brackets-slice64k", "c7-line"] / v[c "cpu-brackets", "c7-line"], \
			cost(c "cpu-brackets-slice64k", 6) / cost(c "cpu-brackets", 6), 65536 / 3110400
}' "$RUN/report.txt" >"$RUN/cycles.txt"
cat "$RUN/cycles.txt"
log "$TARGET: coherency under the cache model took $((SECONDS - start)) s"
[ "$verdict" = 0 ] || die "$TARGET: the cache model's calibration failed (table above; $RUN)"
