#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/check.sh            (what `make check` runs)
#
# Everything, in order: dependencies, host build and unit tests, lint, the
# host-side mutants, then
# for every target and backend the module build and the guest tests, then
# the VIVT cache model's verdicts on vivt-latest (ci/coherency.sh). Every
# step is a TAP line in build/check/*.tap; the run ends with a table per
# target and one line "N passed, N failed, N skipped". A target that cannot
# run counts as failed.
#
# VIVTHEAP_TARGETS="vivt-6.1 ..." limits the targets (default: all).

. "$(dirname "$0")/lib.sh"

START=$SECONDS
CHECK_EPOCH=$(date +%s)
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

# Host side: library, tool, unit tests under ASan/UBSan, lint.
step host "$CHECK/host.tap" make -C "$TOP" host-check TAP="$CHECK/host.tap"
step lint "$CHECK/lint.tap" make -C "$TOP" lint TAP="$CHECK/lint.tap"
# The host-side mutants (tests/mutants/, Run: host or lint) must be killed.
step mutants "$CHECK/mutants.tap" bash "$TOP/ci/mutants.sh" --tap "$CHECK/mutants.tap" host

# guest TARGET BACKEND TAPFILE: one guest run; its result lines to TAPFILE.
guest() {
	local rc=0
	"$TOP/ci/guest.sh" "$1" "$2" >"$3.tmp" || rc=$?
	grep -E '^(not )?ok ' "$3.tmp" >"$3" || true
	return "$rc"
}

TARGETS=${VIVTHEAP_TARGETS:-$TARGETS_ALL}
for t in $TARGETS; do
	# shellcheck disable=SC2153 # BACKENDS comes from the target file
	read -ra backends < <(target_load "$t"; echo "$BACKENDS")
	for b in "${backends[@]}"; do
		step "$t-$b" "$CHECK/$t-$b.tap" guest "$t" "$b" "$CHECK/$t-$b.tap"
	done
done

# The VIVT cache model judges vivt-latest (docs/cachemodel.md): the
# calibration and every coherency scenario, from the initramfs its guest
# runs above just used (ci/coherency.sh; about 3 minutes).
# The guest runs' initramfs is reused only if they all passed.
case " $TARGETS " in
*" vivt-latest "*)
	reuse=1
	grep -qs '^not ok' "$CHECK"/vivt-latest-*.tap && reuse=0
	step coherency-vivt-latest "$CHECK/coherency-vivt-latest.tap" \
		env VIVTHEAP_COHERENCY_REUSE=$reuse VIVTHEAP_COHERENCY_REUSE_AFTER="$CHECK_EPOCH" \
		"$TOP/ci/coherency.sh" vivt-latest "$CHECK/coherency-vivt-latest.tap"
	;;
esac

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
