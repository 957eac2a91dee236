#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/mutants.sh [--tap FILE] host|all|MUTANT...
#
# The mutation harness (docs/testbench.md): every tests/mutants/*.patch is a
# small change to the code (or to the bench) that the suite must notice.
# Each is applied to a scratch copy of the tree and the part of the suite
# named in its header is run there; the mutant is *killed* when that part
# fails in the way the header says, where the same part passes on the
# unpatched tree (run once per distinct part). One line per mutant, then
# "N killed, N survived"; a survivor, a patch that no longer applies or a
# run that fails for another reason (the mutant does not build) fails the
# run.
#
# Header of a mutant (the lines before the diff):
#   Mutant: what the change does, in one line
#   Claim: the claim of the suite that kills it
#   Run: host | lint | guest TARGET BACKEND TEST[,TEST...] | bench TARGET BACKEND
#        | coherency TARGET (ci/coherency.sh: the cache model's verdicts)
#   Killed-by: an extended regex that a "not ok" line of that run matches
#
# "host" mutants run in `make check`; `make mutants` runs them all.

. "$(dirname "$0")/lib.sh"

TAPF=""
if [ "${1:-}" = --tap ]; then
	TAPF=$2
	shift 2
fi
[ $# -gt 0 ] || set -- all
SCRATCH=$BUILD/mutants
mkdir -p "$SCRATCH"

header() { sed -n "s/^$2: *//p" "$1" | head -n1; }

# scratch NAME: a copy of the working tree (tracked and new files, no
# build output) in $SCRATCH/NAME; prints its path.
scratch() {
	local dir=$SCRATCH/$1
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$TOP" && git ls-files -co --exclude-standard -z |
		grep -zv '^build/' | xargs -0 cp --parents -t "$dir" 2>/dev/null) || true
	printf '%s\n' "$dir"
}

# run_part DIR RUN LOG TAP: the suite's part RUN in DIR; its TAP lines to TAP.
run_part() {
	local dir=$1 run=$2 log=$3 tap=$4 target backend tests
	read -r kind target backend tests <<<"$run"
	case $kind in
	host)
		make -s -C "$dir" host-check TAP="$tap" >"$log" 2>&1 ;;
	lint)
		bash "$dir/ci/lint.sh" "$tap" >"$log" 2>&1 ;;
	guest)
		[ -n "$tests" ] || die "Run: guest TARGET BACKEND TESTS"
		BUILD=$dir/build VIVTHEAP_TESTS=$tests "$dir/ci/guest.sh" "$target" "$backend" \
			>"$tap" 2>"$log" ;;
	bench)
		# The benchmarks print no TAP: one line for the run as a whole.
		if BUILD=$dir/build "$dir/ci/guest.sh" "$target" "$backend" bench >"$log" 2>&1; then
			echo "ok - bench $target" >"$tap"
		else
			echo "not ok - bench $target: heapbench or vivtheap bench failed" >"$tap"
			return 1
		fi ;;
	coherency)
		BUILD=$dir/build "$dir/ci/coherency.sh" "$target" "$tap" >"$log" 2>&1 ;;
	*) die "unknown Run: $run" ;;
	esac
}

# baseline RUN: the same part on the unpatched tree, once per distinct RUN;
# it must pass, or a mutant could be "killed" by a failure already there.
# VIVTHEAP_MUTANT_BASELINE_OK="host lint": parts that just passed on this
# tree (ci/check.sh's own steps), not run again.
declare -A BASELINE=()
for run in ${VIVTHEAP_MUTANT_BASELINE_OK:-}; do
	BASELINE[$run]=ok
done
baseline() {
	local run=$1 key dir rc=0
	key=$(printf '%s' "$run" | tr -c 'a-zA-Z0-9_-' '_')
	if [ -z "${BASELINE[$key]:-}" ]; then
		dir=$(scratch "baseline-$key")
		log "mutants: baseline: $run on the unpatched tree"
		run_part "$dir" "$run" "$dir/baseline.log" "$dir/baseline.tap" || rc=$?
		if [ "$rc" = 0 ]; then
			BASELINE[$key]=ok
			rm -rf "${dir:?}"
		else
			BASELINE[$key]="fails unpatched (see $dir/baseline.log)"
		fi
	fi
	BASE_WHY=${BASELINE[$key]}
	[ "$BASE_WHY" = ok ]
}

# One mutant: prints its line, returns 0 if killed.
mutant() {
	local patch=$1 name run want what dir rc=0
	name=$(basename "$patch" .patch)
	run=$(header "$patch" Run)
	want=$(header "$patch" Killed-by)
	what=$(header "$patch" Mutant)
	if [ -z "$run" ] || [ -z "$want" ] || [ -z "$what" ]; then
		echo "invalid $name: header needs Mutant, Run and Killed-by"
		return 1
	fi
	if ! baseline "$run"; then
		echo "invalid $name: $run $BASE_WHY"
		return 1
	fi
	dir=$(scratch "$name")
	# No fuzz: a patch whose context drifted is stale, not applied elsewhere.
	if ! (cd "$dir" && patch -p1 -s -F0 --dry-run <"$patch" >/dev/null 2>&1 &&
		patch -p1 -s -F0 <"$patch" >/dev/null); then
		echo "stale $name: the patch no longer applies ($what)"
		return 1
	fi
	local start=$SECONDS tap=$dir/mutant.tap log=$dir/mutant.log
	: >"$tap"
	run_part "$dir" "$run" "$log" "$tap" || rc=$?
	local took=$((SECONDS - start))
	if [ "$rc" != 0 ] && grep -E '^not ok' "$tap" | grep -Eq -- "$want"; then
		echo "killed $name (${took}s): $what"
		return 0
	fi
	if [ "$rc" = 0 ]; then
		echo "SURVIVED $name (${took}s): $what — $run passed"
	else
		echo "SURVIVED $name (${took}s): $what — $run failed, but not as /$want/ says" \
			"(see $log)"
		grep -E '^not ok' "$tap" | head -n 5 | sed 's/^/    /'
		tail -n 5 "$log" | sed 's/^/    /'
	fi
	return 1
}

patches=()
for sel in "$@"; do
	case $sel in
	all) patches+=("$TOP"/tests/mutants/*.patch) ;;
	host)
		for p in "$TOP"/tests/mutants/*.patch; do
			case $(header "$p" Run) in host | lint) patches+=("$p") ;; esac
		done ;;
	*) patches+=("$TOP/tests/mutants/$sel.patch") ;;
	esac
done

killed=0 survived=0 start=$SECONDS n=0
[ -z "$TAPF" ] || : >"$TAPF"
for p in "${patches[@]}"; do
	[ -f "$p" ] || die "no mutant $p"
done
# Host and lint mutants run VIVTHEAP_MUTANT_JOBS at a time (default 2: the
# machine's cores), each in its own scratch tree; guest, bench and coherency
# ones one at a time (one qemu). The baselines come first, in this shell,
# so that every job sees them.
JOBS=${VIVTHEAP_MUTANT_JOBS:-2}
for p in "${patches[@]}"; do
	baseline "$(header "$p" Run)" || true
done
running=0
for p in "${patches[@]}"; do
	name=$(basename "$p" .patch)
	case $(header "$p" Run) in
	host | lint)
		mutant "$p" >"$SCRATCH/line-$name" &
		running=$((running + 1))
		if [ "$running" -ge "$JOBS" ]; then
			wait -n || true
			running=$((running - 1))
		fi ;;
	*)
		wait || true
		running=0
		mutant "$p" >"$SCRATCH/line-$name" || true ;;
	esac
done
wait || true
for p in "${patches[@]}"; do
	n=$((n + 1))
	name=$(basename "$p" .patch)
	line=$(cat "$SCRATCH/line-$name")
	rm -f "$SCRATCH/line-$name"
	echo "$line"
	if [ "${line#killed }" != "$line" ]; then
		killed=$((killed + 1))
		[ -z "$TAPF" ] || echo "ok $n - mutant ${line#killed }" >>"$TAPF"
		rm -rf "${SCRATCH:?}/$name"
	else
		survived=$((survived + 1))
		# Keep a survivor's scratch tree for a look.
		[ -z "$TAPF" ] || echo "not ok $n - mutant $line" >>"$TAPF"
	fi
done
echo "took $(((SECONDS - start) / 60)) min $(((SECONDS - start) % 60)) s"
echo "$killed killed, $survived survived"
[ "$survived" = 0 ]
