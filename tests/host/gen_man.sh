#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: tests/host/gen_man.sh   (run by ci/host-check.sh)
#
# libvivtheap/gen-man.py refuses each thing a man page must not be (with
# its reason) and writes the sections a page must have.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# refuses REASON: the header on stdin is refused with REASON.
refuses() {
	local out
	cat >"$tmp/h.h"
	if out=$(python3 "$TOP/libvivtheap/gen-man.py" -o "$tmp/out" "$tmp/h.h" 2>&1); then
		echo "accepted a header it must refuse ($1)"
		return 1
	fi
	printf '%s\n' "$out" | grep -qF "$1" || { echo "want \"$1\", got: $out"; return 1; }
}

good='/**
 * Open a thing.
 *
 * Longer words.
 * @param a the a
 * @return 0 on success, or a negative errno (ERRORS).
 * @retval -EINVAL bad @p a.
 * @see vivtheap_b()
 */
int vivtheap_a(int a);
/**
 * Close a thing.
 * @return nothing.
 * @see vivtheap_a()
 */
void vivtheap_b(void);
'
refuses "vivtheap_c() has no doc comment" <<<"$good int vivtheap_c(void);"
refuses "parameter a has no @param" <<<"${good/ \* @param a the a
/}"
refuses "@param z: no such parameter" <<<"${good/@param a/@param z}"
refuses "not \"see DESCRIPTION\"" <<<"${good/0 on success, or a negative errno (ERRORS)./see DESCRIPTION}"
refuses "@see lists the page itself" <<<"${good/@see vivtheap_b()/@see vivtheap_a()}"
refuses "@see vivtheap_z: no such function" <<<"${good/@see vivtheap_b()/@see vivtheap_z()}"
refuses "@return names ERRORS but there is no @retval" <<<"${good/ \* @retval -EINVAL bad @p a.
/}"
refuses "no @return" <<<"${good/ \* @return nothing.
/}"

printf '%s' "$good" >"$tmp/h.h"
python3 "$TOP/libvivtheap/gen-man.py" --version 9.9 --date 2000-01-02 -o "$tmp/out" "$tmp/h.h"
page=$tmp/out/vivtheap_a.3
for want in '.TH VIVTHEAP_A 3 2000-01-02 "libvivtheap 9.9"' 'vivtheap_a \- open a thing' \
	'.BI "int vivtheap_a(int " a ");"' '.SH RETURN VALUE' '.SH ERRORS' '.B EINVAL' \
	'.BR vivtheap_b (3)'; do
	grep -qF -- "$want" "$page" || { echo "vivtheap_a.3 lacks: $want"; cat "$page"; exit 1; }
done
! grep -q 'SH ERRORS' "$tmp/out/vivtheap_b.3" || { echo "ERRORS on a void function"; exit 1; }
mandoc -T lint "$page" "$tmp/out/vivtheap_b.3"
