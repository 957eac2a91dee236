#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/host-check.sh TAPFILE TEST...   (run by `make host-check`)
#
# The host half of `make check`, one TAP line per check: every cmocka test
# case under ASan+UBSan, each test binary once under valgrind, the ABI (the
# header, the version script and `nm -D` list the same functions), an
# install into a scratch DESTDIR with a C and a C++ program built against
# it through pkg-config, the uapi header alone as C89 and C++, and the
# library cross-built for armel, armhf and arm64.

. "$(dirname "$0")/lib.sh"

TAPF=${1:?tap}
shift
B=$TOP/build/host
: >"$TAPF"
ok() { echo "ok - $*" >>"$TAPF"; }
nok() { echo "not ok - $*" >>"$TAPF"; }
# check NAME CMD...: one TAP line for a command.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else
		printf '%s\n' "$out" | tail -n 30 >&2
		nok "$name"
	fi
}

for t in "$@"; do
	# cmocka's own TAP: one line per test case.
	rc=0
	out=$(cd "$B" && CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 "./$t" 2>"$B/$t.err") || rc=$?
	{ printf '%s\n' "$out" | grep -E '^(not )?ok ' || true; } |
		sed "s/^\(\(not \)\?ok\) [0-9]* - /\1 - host $t: /" >>"$TAPF"
	if [ $rc != 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		cat "$B/$t.err" >&2
		nok "host $t: exited $rc (sanitizer report in build/host/$t.err)"
	fi
	check "valgrind $t: no error, no leak" env VIVTHEAP_TEST_NO_CRASH=1 \
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--trace-children=no "$B/vg-$t"
done

abi() {
	local header map nm
	header=$(grep -oE '\bvivtheap_[a-z_]+\(' "$TOP/libvivtheap/include/vivtheap.h" | tr -d '(' | sort -u)
	map=$(grep -oE '^\s*vivtheap_[a-z_]+;' "$TOP/libvivtheap/libvivtheap.map" | tr -d ' \t;' | sort -u)
	nm=$(nm -D --defined-only "$B/libvivtheap.so" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort -u)
	diff <(echo "$header") <(echo "$map") || { echo "header and version script differ"; return 1; }
	diff <(echo "$map") <(echo "$nm") || { echo "version script and nm -D differ"; return 1; }
	readelf -d "$B/libvivtheap.so" | grep -q 'SONAME.*libvivtheap\.so\.0' || { echo "no SONAME"; return 1; }
	nm -D "$B/libvivtheap.so" | grep -q 'vivtheap_heap_open@@VIVTHEAP_1' || { echo "no symbol version"; return 1; }
}
check "abi: header, version script and nm -D agree; SONAME libvivtheap.so.0" abi

# shellcheck disable=SC2086 # pkg-config's output is a list of words
installed() {
	local d=$B/install
	rm -rf "$d"
	make -s -C "$TOP" install DESTDIR="$d" PREFIX=/usr/local >/dev/null
	local pc=(env PKG_CONFIG_PATH="$d/usr/local/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$d")
	local cflags libs
	cflags=$("${pc[@]}" pkg-config --cflags libvivtheap)
	libs=$("${pc[@]}" pkg-config --libs libvivtheap)
	cc -std=c99 -Wall -Wextra -Werror $cflags -o "$B/consumer-c" "$TOP/tests/host/consumer.c" $libs &&
	c++ -std=c++11 -Wall -Wextra -Werror $cflags -x c++ -o "$B/consumer-cxx" "$TOP/tests/host/consumer.c" $libs &&
	LD_LIBRARY_PATH="$d/usr/local/lib" "$B/consumer-c" &&
	LD_LIBRARY_PATH="$d/usr/local/lib" "$B/consumer-cxx" &&
	test -f "$d/usr/local/share/man/man3/vivtheap_buffer_alloc.3" &&
	test -x "$d/usr/local/bin/vivtheap"
}
check "install: C and C++ programs build and run against the installed library (pkg-config)" installed

check "uapi: linux/vivtheap.h compiles alone as C89 and as C++" test -f "$B/uapi-c89" -a -f "$B/uapi-cxx"

for cross in arm-linux-gnueabi arm-linux-gnueabihf aarch64-linux-gnu; do
	check "cross-build: libvivtheap for $cross" \
		make -s -C "$TOP" B="build/cross-$cross" CC="$cross-gcc" AR="$cross-ar" lib
done
grep -q '^not ok' "$TAPF" && exit 1
exit 0
