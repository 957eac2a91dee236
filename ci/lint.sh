#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/lint.sh TAPFILE
#
# Style and static checks, one TAP line each: checkpatch --strict and
# kernel-doc on driver/ and uapi/ (scripts from Debian's linux-source-6.1),
# ShellCheck on every script, cppcheck on the userspace C.

. "$(dirname "$0")/lib.sh"

TAPF=${1:?tap file}
: >"$TAPF"
n=0 bad=0
check() {
	local name=$1
	shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $n - lint $name" >>"$TAPF"
	else
		printf '%s\n' "$out" | tail -n 40 >&2
		echo "not ok $n - lint $name" >>"$TAPF"
		bad=1
	fi
}

KSRC=$(bash -c ". '$TOP/ci/lib.sh'; . <(sed -n '/^ensure_source()/,/^}/p' '$TOP/ci/kernel.sh'); ensure_source linux-source-6.1 \$(apt_version amd64 bookworm linux-source-6.1)")
kfiles=("$TOP"/driver/*.c "$TOP"/driver/*.h "$TOP"/uapi/linux/*.h)

checkpatch() {
	# Ignored, once for all: NEW_TYPEDEFS and the like do not arise;
	# FILE_PATH_CHANGES and SPDX placement are about in-tree patches.
	perl "$KSRC/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
		--ignore FILE_PATH_CHANGES -f "${kfiles[@]}" |
		grep -v '^total:' | grep . && return 1
	return 0
}
kerneldoc() {
	local out
	out=$(perl "$KSRC/scripts/kernel-doc" -none "${kfiles[@]}" 2>&1)
	[ -z "$out" ] || { echo "$out"; return 1; }
}
shellchecks() {
	shellcheck -x -P "$TOP/ci" "$TOP"/ci/*.sh "$TOP"/.ci/run "$TOP"/tests/guest/*.sh
}
cppchecks() {
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--std=c11 --inline-suppr -I "$TOP/uapi" -I "$TOP/libvivtheap/include" \
		"$TOP/tests" "$TOP/libvivtheap" "$TOP/tools"
}

check "checkpatch --strict (driver, uapi)" checkpatch
check "kernel-doc (driver, uapi)" kerneldoc
check shellcheck shellchecks
check cppcheck cppchecks
exit $bad
