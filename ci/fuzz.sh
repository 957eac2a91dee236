#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/fuzz.sh fuzz|stress [OPS [SEED]]
#        (make fuzz OPS=... SEED=..., make stress OPS=... SEED=...)
#
# The in-guest fuzzer (tests/guest/fuzz.c) or the concurrent stress
# (tests/guest/stress.c) at length: OPS operations (default 1000000 fuzz,
# 100000 stress) of SEED (default: the date, printed) on every target's
# chardev boot (VIVTHEAP_TARGETS limits them), with the guest runner's usual
# verdicts after it: no kernel warning, lockdep or slab report, no kmemleak
# report, no dma-buf or CMA page left behind. `make check` runs a short
# fixed-seed run of both programs in every guest run (tests/guest/list).
# A failure prints the seed and the operation count that reproduce it.

. "$(dirname "$0")/lib.sh"

KIND=${1:?fuzz or stress}
case $KIND in
fuzz) OPS=${2:-1000000} PER=10000 ;;
stress) OPS=${2:-100000} PER=4000 ;;
*) die "$KIND: want fuzz or stress" ;;
esac
SEED=${3:-$(date +%Y%m%d)}
mkdir -p "$BUILD"
rc=0
for t in ${VIVTHEAP_TARGETS:-$TARGETS_ALL}; do
	log "$KIND: $t, $OPS operations of seed $SEED"
	start=$SECONDS
	# The list's 600 s is for the make check length: scaled with it.
	scale=$(((OPS + PER - 1) / PER))
	if VIVTHEAP_TESTS=$KIND \
		VIVTHEAP_APPEND="vivtheap.${KIND}_ops=$OPS vivtheap.${KIND}_seed=$SEED vivtheap.timeout_scale=$scale" \
		VIVTHEAP_GUEST_TIMEOUT=$((900 + 600 * scale)) \
		"$TOP/ci/guest.sh" "$t" chardev >"$BUILD/$KIND-$t.tap"; then
		log "$KIND: $t passed in $((SECONDS - start)) s"
	else
		rc=1
		log "$KIND: $t FAILED after $((SECONDS - start)) s: reproduce with make $KIND OPS=$OPS SEED=$SEED"
	fi
	grep -E "^(not )?ok|^# $KIND: " "$BUILD/$KIND-$t.tap" | grep -v "^# $KIND: [0-9]* operations\$" || true
done
exit "$rc"
