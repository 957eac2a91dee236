#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/check.sh            (what `make check` runs)
#
# Everything: dependencies; host build and unit tests and lint beside each
# target's guest build; then in two lanes at once (one per core) vivt-latest's boots
# and the VIVT cache model's verdicts on them (ci/coherency.sh), and the
# host-side mutants and the other targets' boots. Every
# step is a TAP line in build/check/*.tap; the run ends with a table per
# target and one line "N passed, N failed, N skipped". A target that cannot
# run counts as failed.
#
# VIVTHEAP_TARGETS="vivt-6.1 ..." limits the targets (default: all).

. "$(dirname "$0")/lib.sh"

START=$SECONDS
"$TOP/ci/deps.sh"
CHECK=$BUILD/check
rm -rf "$CHECK"
mkdir -p "$CHECK"

# step NAME TAPFILE CMD...: run CMD; its TAP (if it writes one to TAPFILE)
# is kept, else one line for the step as a whole.
step() {
	local name=$1 tap=$2
	shift 2
	log "== $name"
	if "$@" >"$CHECK/$name.log" 2>&1; then
		[ -s "$tap" ] || echo "ok 1 - $name" >"$tap"
	else
		tail -n 40 "$CHECK/$name.log" >&2
		if [ ! -s "$tap" ] || ! grep -q '^not ok' "$tap"; then
			echo "not ok 1 - $name # failed, see build/check/$name.log" >>"$tap"
		fi
	fi
	grep -E '^(not )?ok ' "$tap" | grep -E '^not ok|# SKIP' >&2 || true
}

# Two things at once where there are two cores: the host steps beside the
# guest builds, then two lanes of boots. VIVTHEAP_CHECK_LANES=1 (or a
# one-core machine) runs everything one after the other.
side_by_side() { [ "${VIVTHEAP_CHECK_LANES:-2}" -ge 2 ] && [ "$(nproc)" -ge 2 ]; }

# Host side: library, tool, unit tests under ASan/UBSan, lint; beside the
# guest builds below.
host_side() {
	step host "$CHECK/host.tap" make -C "$TOP" host-check TAP="$CHECK/host.tap"
	step lint "$CHECK/lint.tap" make -C "$TOP" lint TAP="$CHECK/lint.tap"
}
if side_by_side; then
	host_side &
	host_pid=$!
else
	host_side
	host_pid=""
fi

# guest TARGET BACKEND TAPFILE: one guest run; its result lines to TAPFILE.
guest() {
	local rc=0
	"$TOP/ci/guest.sh" "$1" "$2" >"$3.tmp" || rc=$?
	grep -E '^(not )?ok ' "$3.tmp" >"$3" || true
	return "$rc"
}

# passed TAPFILE: it exists and holds no failure.
passed() { [ -s "$1" ] && ! grep -q '^not ok' "$1"; }

# backends TARGET: the target's boots (BACKENDS in its file).
backends() { (target_load "$1" && echo "$BACKENDS"); }

TARGETS=${VIVTHEAP_TARGETS:-$TARGETS_ALL}
# latest_selected: vivt-latest is one of the targets (the cache model's).
latest_selected() { case " $TARGETS " in *" vivt-latest "*) ;; *) return 1 ;; esac; }
# Every target's module, tests and initramfs, one target after another: a
# cold run builds the kernels and fills the caches (sysroots, GStreamer)
# here, so that the two lanes below only read them; each target's boots
# then reuse its build (ci/guest.sh, build_key).
for t in $TARGETS; do
	read -ra bs < <(backends "$t")
	step "$t-build" "$CHECK/$t-build.tap" "$TOP/ci/guest.sh" "$t" "${bs[0]}" prepare
done
[ -z "$host_pid" ] || wait "$host_pid" || echo "not ok 1 - host steps: exited $?" >>"$CHECK/lanes.tap"

# boots TARGET: every boot of the target, one after another.
boots() {
	local b bs
	read -ra bs < <(backends "$1")
	for b in "${bs[@]}"; do
		step "$1-$b" "$CHECK/$1-$b.tap" guest "$1" "$b" "$CHECK/$1-$b.tap"
	done
}

# Two lanes, one per core (each qemu runs one vCPU thread busy, but
# distro-armmp's two): vivt-latest's boots and the cache model's verdicts on
# them; the host-side mutants and the other targets.
lane_latest() {
	latest_selected || return 0
	boots vivt-latest
	# The VIVT cache model judges vivt-latest (docs/cachemodel.md): the
	# calibration and every coherency scenario, from the initramfs its
	# guest runs above just used (ci/coherency.sh; about 3 minutes),
	# reused only if they all passed.
	local reuse=1
	grep -qs '^not ok' "$CHECK"/vivt-latest-*.tap && reuse=0
	step coherency-vivt-latest "$CHECK/coherency-vivt-latest.tap" \
		env VIVTHEAP_COHERENCY_REUSE=$reuse \
		"$TOP/ci/coherency.sh" vivt-latest "$CHECK/coherency-vivt-latest.tap"
}
lane_others() {
	local t base=""
	# The host-side mutants (tests/mutants/, Run: host or lint) must be
	# killed; the baselines of host and lint are the steps above.
	passed "$CHECK/host.tap" && base="host"
	passed "$CHECK/lint.tap" && base="$base lint"
	step mutants "$CHECK/mutants.tap" env VIVTHEAP_MUTANT_JOBS="$1" \
		VIVTHEAP_MUTANT_BASELINE_OK="$base" \
		bash "$TOP/ci/mutants.sh" --tap "$CHECK/mutants.tap" host
	for t in $TARGETS; do
		[ "$t" = vivt-latest ] || boots "$t"
	done
}
if side_by_side; then
	lane_latest &
	lane=$!
	lane_others 1 || echo "not ok 1 - lane of the mutants and other targets: exited $?" >>"$CHECK/lanes.tap"
	wait "$lane" || echo "not ok 1 - lane of vivt-latest: exited $?" >>"$CHECK/lanes.tap"
else
	lane_others 2
	lane_latest
fi
# Every part that should have run left its TAP (a lane that died did not).
for part in host lint mutants $(for t in $TARGETS; do
	for b in $(backends "$t"); do echo "$t-$b"; done
done); do
	[ -s "$CHECK/$part.tap" ] || echo "not ok 1 - $part: no result (its lane stopped early)" >>"$CHECK/lanes.tap"
done
if latest_selected && [ ! -s "$CHECK/coherency-vivt-latest.tap" ]; then
	echo "not ok 1 - coherency-vivt-latest: no result (its lane stopped early)" >>"$CHECK/lanes.tap"
fi

# The table and the summary line.
total_p=0 total_f=0 total_s=0
printf '\n%-28s %7s %7s %7s\n' "part" passed failed skipped
for tap in "$CHECK"/*.tap; do
	p=$(grep -E '^ok ' "$tap" | grep -vc '# SKIP' || true)
	s=$(grep -E '^ok ' "$tap" | grep -c '# SKIP' || true)
	f=$(grep -c '^not ok ' "$tap" || true)
	printf '%-28s %7d %7d %7d\n' "$(basename "$tap" .tap)" "$p" "$f" "$s"
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
done
if [ "$total_f" -gt 0 ]; then
	echo
	echo "failed:"
	grep -h '^not ok' "$CHECK"/*.tap | sed 's/^/  /'
fi
if [ "$total_s" -gt 0 ]; then
	echo "skipped:"
	grep -h '# SKIP' "$CHECK"/*.tap | sed 's/^/  /'
fi
echo
echo "took $(((SECONDS - START) / 60)) min $(((SECONDS - START) % 60)) s"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" = 0 ]
