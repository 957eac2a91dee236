#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/fuzz.sh [OPS [SEED]]      (make fuzz OPS=... SEED=...)
#
# The in-guest fuzzer (tests/guest/fuzz.c) at length: OPS operations
# (default 1000000) of SEED (default: the date, printed) on every target's
# chardev boot (VIVTHEAP_TARGETS limits them), with the guest runner's usual
# verdicts after it: no kernel warning, lockdep, KASAN-less slab or kmemleak
# report, no dma-buf or CMA page left behind. `make check` runs a short
# fixed-seed run of the same program in every guest run (tests/guest/list).
# A failure prints the seed and the operation count that reproduce it.

. "$(dirname "$0")/lib.sh"

OPS=${1:-1000000}
SEED=${2:-$(date +%Y%m%d)}
rc=0
for t in ${VIVTHEAP_TARGETS:-$TARGETS_ALL}; do
	log "fuzz: $t, $OPS operations of seed $SEED"
	start=$SECONDS
	# The list's 600 s is for 20000 operations: scaled with the length.
	scale=$(((OPS + 19999) / 20000))
	if VIVTHEAP_TESTS=fuzz \
		VIVTHEAP_APPEND="vivtheap.fuzz_ops=$OPS vivtheap.fuzz_seed=$SEED vivtheap.timeout_scale=$scale" \
		VIVTHEAP_GUEST_TIMEOUT=$((900 + 600 * scale)) \
		"$TOP/ci/guest.sh" "$t" chardev >"$BUILD/fuzz-$t.tap"; then
		log "fuzz: $t passed in $((SECONDS - start)) s"
	else
		rc=1
		log "fuzz: $t FAILED after $((SECONDS - start)) s: reproduce with make fuzz OPS=$OPS SEED=$SEED"
	fi
	grep -E '^(not )?ok|^# fuzz: ' "$BUILD/fuzz-$t.tap" | grep -v '^# fuzz: [0-9]* operations$' || true
done
exit "$rc"
