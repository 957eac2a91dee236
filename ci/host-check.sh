#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/host-check.sh TAPFILE TEST...   (run by `make host-check`)
#
# The host half of `make check`, one TAP line per check: every cmocka test
# case under ASan+UBSan, each test binary once under valgrind, the ABI (the
# header, the version script and `nm -D` list the same functions), the
# getters of a release (NDEBUG) build, the man page generator, an
# install into a scratch DESTDIR with a C and a C++ program built against
# it through pkg-config (and the GStreamer plugin loading from it), the
# GStreamer plugin as gst-inspect-1.0 and gst-launch-1.0 see it, the uapi
# header alone as C89 and C++ with its layout asserted, and the
# library cross-built for armel, armhf and arm64.

. "$(dirname "$0")/lib.sh"

TAPF=${1:?tap}
shift
B=$TOP/build/host
: >"$TAPF"
check() { tap_check "$TAPF" "$@" || true; }

# The cache model's core (cachemodel/): built here, then run by the loop
# below like a tests/host binary (cachemodel/Makefile names it so).
check "cachemodel: the core and its tests build" make -s -C "$TOP/cachemodel" B="$B"
set -- "$@" cachemodel-test_vivt

for t in "$@"; do
	# cmocka's own TAP: one line per test case.
	rc=0
	out=$(cd "$B" && CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 "./$t" 2>"$B/$t.err") || rc=$?
	{ printf '%s\n' "$out" | grep -E '^(not )?ok ' || true; } |
		sed "s/^\(\(not \)\?ok\) [0-9]* - /\1 - host $t: /" >>"$TAPF"
	if [ $rc != 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		cat "$B/$t.err" >&2
		echo "not ok - host $t: exited $rc (sanitizer report in build/host/$t.err)" >>"$TAPF"
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
	# The SONAME is the Makefile's; each symbol carries the version node the
	# map gives it (older nodes stay as they are when a new one is added).
	readelf -d "$B/libvivtheap.so" | grep -qF "Library soname: [$SONAME]" || { echo "no SONAME $SONAME"; return 1; }
	local want got
	want=$(awk '/^VIVTHEAP_[0-9.]* *\{/ { node = $1 } /^[ \t]*vivtheap_[a-z_]+;/ { gsub(/[ \t;]/, ""); print $0 "@@" node }' \
		"$TOP/libvivtheap/libvivtheap.map" | sort)
	got=$(nm -D --defined-only "$B/libvivtheap.so" | awk '$2 == "T" {print $3}' | sort)
	diff <(echo "$want") <(echo "$got") || { echo "symbol versions differ from the map's nodes"; return 1; }
}
SONAME=$(make -s --no-print-directory -C "$TOP" soname)
NODES=$(sed -n 's/^\(VIVTHEAP_[0-9.]*\) *{.*/\1/p' "$TOP/libvivtheap/libvivtheap.map" | tr '\n' ' ')
check "abi: header, version script and nm -D agree; SONAME $SONAME; symbols in their nodes (${NODES% })" abi

# The library as built and installed (NDEBUG, see the Makefile): a getter
# given NULL returns the safe value its man page names instead of failing
# its assertion (debug builds: the host tests' *_getters_assert_on_null).
release_getters() {
	cc -std=gnu11 -Wall -Wextra -Werror -I"$TOP/libvivtheap/include" -o "$B/release_getters" \
		"$TOP/tests/host/release_getters.c" "$B/libvivtheap.a" -lpthread &&
		"$B/release_getters"
}
check "release build (NDEBUG): getters given NULL return their safe values" release_getters
check "man pages: the generator refuses what a page must not be, writes what it must" \
	bash "$TOP/tests/host/gen_man.sh"

# install_as NAME VAR=VALUE...: install into a scratch DESTDIR with those
# directories (after a build with the defaults), then build the C and C++
# consumers through the installed .pc (PKG_CONFIG_SYSROOT_DIR, as a cross
# build would) and run them; the tool, the man pages and the cache model's
# plugin, man page and marks header are where asked.
# shellcheck disable=SC2086 # pkg-config's output is a list of words
install_as() {
	local d=$B/install-$1 prefix=/usr/local libdir incdir bindir mandir pcdir v
	shift
	for v in "$@"; do
		case $v in PREFIX=*) prefix=${v#*=} ;; esac
	done
	libdir=$prefix/lib incdir=$prefix/include bindir=$prefix/bin mandir=$prefix/share/man
	for v in "$@"; do
		case $v in
		LIBDIR=*) libdir=${v#*=} ;;
		INCLUDEDIR=*) incdir=${v#*=} ;;
		BINDIR=*) bindir=${v#*=} ;;
		MANDIR=*) mandir=${v#*=} ;;
		esac
	done
	pcdir=$libdir/pkgconfig
	rm -rf "$d"
	make -s -C "$TOP" install DESTDIR="$d" "$@" >/dev/null || return 1
	local pc=(env PKG_CONFIG_LIBDIR="$d$pcdir" PKG_CONFIG_PATH= PKG_CONFIG_SYSROOT_DIR="$d")
	local cflags libs version
	# pkgconf puts the sysroot in front of the variables too.
	[ "$("${pc[@]}" pkg-config --variable=libdir libvivtheap)" = "$d$libdir" ] ||
		{ echo ".pc: libdir is not $libdir"; return 1; }
	[ "$("${pc[@]}" pkg-config --variable=includedir libvivtheap)" = "$d$incdir" ] ||
		{ echo ".pc: includedir is not $incdir"; return 1; }
	cflags=$("${pc[@]}" pkg-config --cflags libvivtheap) || return 1
	libs=$("${pc[@]}" pkg-config --libs libvivtheap) || return 1
	version=$(make -s --no-print-directory -C "$TOP" version)
	cc -std=c99 -Wall -Wextra -Werror -DWANT_VERSION="\"$version\"" $cflags \
		-o "$d/consumer-c" "$TOP/tests/host/consumer.c" $libs || return 1
	c++ -std=c++11 -Wall -Wextra -Werror -DWANT_VERSION="\"$version\"" $cflags -x c++ \
		-o "$d/consumer-cxx" "$TOP/tests/host/consumer.c" $libs || return 1
	LD_LIBRARY_PATH="$d$libdir" "$d/consumer-c" || return 1
	LD_LIBRARY_PATH="$d$libdir" "$d/consumer-cxx" || return 1
	test -f "$d$mandir/man3/vivtheap_buffer_alloc.3" || { echo "no man3 in $mandir"; return 1; }
	test -f "$d$mandir/man1/vivtheap.1" || { echo "no man1 in $mandir"; return 1; }
	test -x "$d$bindir/vivtheap" || { echo "no tool in $bindir"; return 1; }
	test -f "$d$libdir/vivtheap/libvivtcache.so" || { echo "no plugin in $libdir/vivtheap"; return 1; }
	test -f "$d$mandir/man7/vivtcache.7" || { echo "no man7 in $mandir"; return 1; }
	test -f "$d$incdir/vivtcache-mark.h" || { echo "no vivtcache-mark.h in $incdir"; return 1; }
	# The GStreamer plugin, loaded from there: it finds the installed
	# libvivtheap beside it (RUNPATH $ORIGIN/..), no system plugin needed.
	test -f "$d$libdir/gstreamer-1.0/libgstvivtheap.so" ||
		{ echo "no GStreamer plugin in $libdir/gstreamer-1.0"; return 1; }
	env -u GST_PLUGIN_PATH -u GST_PLUGIN_PATH_1_0 -u LD_LIBRARY_PATH GST_REGISTRY="$d/gst-registry.bin" \
		GST_PLUGIN_SYSTEM_PATH_1_0="$d$libdir/gstreamer-1.0" gst-inspect-1.0 vivtheappool >/dev/null ||
		{ echo "gst-inspect-1.0 cannot load the installed plugin"; return 1; }
}
check "install: defaults (/usr/local): C and C++ consumers build through pkg-config and run" \
	install_as default
check "install: PREFIX=/usr after a default build: the .pc follows" install_as usr PREFIX=/usr
check "install: multiarch LIBDIR: the .pc follows" \
	install_as multiarch PREFIX=/usr LIBDIR="/usr/lib/$(cc -print-multiarch)"
check "install: INCLUDEDIR, BINDIR, MANDIR honoured" \
	install_as dirs PREFIX=/opt/vt INCLUDEDIR=/opt/vt/include/vivtheap-0 \
	BINDIR=/opt/vt/sbin MANDIR=/opt/vt/man

# The GStreamer plugin as built (build/host/gst), with a registry of its
# own: gst-inspect-1.0 documents the element and its properties; only the
# plugin's descriptor is exported; gst-launch-1.0 stops on a heap that is
# not there with the element's error, in the errno's words.
gst_env=(env -u GST_PLUGIN_PATH_1_0 GST_REGISTRY="$B/gst-inspect-registry.bin" GST_PLUGIN_PATH="$B/gst")
gst_inspect() {
	local out want
	out=$("${gst_env[@]}" gst-inspect-1.0 vivtheappool 2>&1) || { printf '%s\n' "$out"; return 1; }
	for want in 'Long-name +vivtheap buffer pool' "Filename +$B/gst/libgstvivtheap.so" \
		'License +MIT/X11' '^  heap +: ' 'String. Default: "wc"' '^  min-buffers +: ' \
		'^  max-buffers +: ' 'SINK template' 'SRC template'; do
		printf '%s\n' "$out" | grep -qE "$want" ||
			{ printf '%s\n' "$out"; echo "gst-inspect-1.0 vivtheappool: no /$want/"; return 1; }
	done
	out=$("${gst_env[@]}" gst-inspect-1.0 vivtheap 2>&1) || { printf '%s\n' "$out"; return 1; }
	printf '%s\n' "$out" | grep -qE '^  vivtheappool: vivtheap buffer pool' ||
		{ printf '%s\n' "$out"; echo "gst-inspect-1.0 vivtheap: the element is not listed"; return 1; }
}
check "gst: gst-inspect-1.0 vivtheappool documents the element (GST_PLUGIN_PATH=build/host/gst)" gst_inspect
gst_exports() {
	local got
	got=$(nm -D --defined-only "$B/gst/libgstvivtheap.so" | awk '{print $3}' | sort | tr '\n' ' ')
	[ "$got" = "gst_plugin_vivtheap_get_desc gst_plugin_vivtheap_register " ] ||
		{ echo "exported: $got"; return 1; }
}
check "gst: the plugin exports its descriptor only" gst_exports
gst_missing_heap() {
	local out rc=0
	out=$("${gst_env[@]}" timeout 60 gst-launch-1.0 videotestsrc num-buffers=1 ! \
		vivtheappool heap=vivtheap-nosuch ! fakesink 2>&1) || rc=$?
	printf '%s\n' "$out"
	# gst-launch-1.0 exits 255 on an error; 124 and above is a timeout or a signal
	[ "$rc" != 0 ] && { [ "$rc" -lt 124 ] || [ "$rc" = 255 ]; } &&
		printf '%s\n' "$out" | grep -qF 'ERROR: from element /GstPipeline:pipeline0/GstVivtheapPool:vivtheappool0: Could not open heap "vivtheap-nosuch": No such file or directory'
}
check "gst: gst-launch-1.0 stops on a missing heap with the element's error" gst_missing_heap

# plugin_refuses WANT ARGS...: qemu 10 with the cache model's plugin and
# ARGS refuses to start (or stops at the first instruction) with a message
# matching WANT, exit non-zero, and no crash (no signal). No guest needed.
plugin_refuses() {
	local want=$1 out rc=0
	shift
	out=$(timeout 60 "$TOP/ci/qemu-plugin.sh" qemu -M versatilepb -nographic -display none \
		-audio none "$@" </dev/null 2>&1) || rc=$?
	if [ "$rc" = 0 ] || [ "$rc" -ge 124 ] || ! printf '%s\n' "$out" | grep -qE "$want"; then
		printf 'exit %s, want non-zero (no signal, no timeout) and /%s/:\n%s\n' "$rc" "$want" "$out"
		return 1
	fi
}
PLUGIN=$TOP/build/host/libvivtcache.so
check "cachemodel: the qemu plugin builds" make -s -C "$TOP" cachemodel-plugin
printf 'T dma_buf_end_cpu_access\n' | sed 's/^/c04e6be0 /' >"$B/fake-System.map"
check "cachemodel plugin: bad cache size refused" \
	plugin_refuses 'vivtcache: bad cache parameters' -plugin "$PLUGIN,size=3000"
check "cachemodel plugin: unknown argument refused" \
	plugin_refuses "vivtcache: unknown argument 'bogus'" -plugin "$PLUGIN,bogus=1"
check "cachemodel plugin: handover= symbol missing from the System.map refused" \
	plugin_refuses 'vivtcache: handover=nosuch: no such text symbol' \
	-plugin "$PLUGIN,sysmap=$B/fake-System.map,handover=nosuch"
check "cachemodel plugin: a CPU that is not an ARM926EJ-S stopped at its first instruction" \
	plugin_refuses 'vivtcache: error: the guest CPU is not an ARM926EJ-S' -cpu arm1136 \
	-plugin "$PLUGIN"
check "cachemodel plugin: two vCPUs refused" \
	plugin_refuses 'vivtcache: needs exactly one vCPU' -M virt -cpu cortex-a15 -smp 2 \
	-plugin "$PLUGIN"
# Debian 12's own qemu (7.2, plugin API 1): the loader refuses the plugin.
# shellcheck disable=SC2016 # expanded by eval
check "cachemodel plugin: a qemu too old for its API refuses to load it" \
	eval 'out=$(timeout 60 qemu-system-arm -M versatilepb -nographic -display none \
		-plugin "$PLUGIN" </dev/null 2>&1); rc=$?; echo "$out";
		[ $rc != 0 ] && [ $rc -lt 124 ] && echo "$out" | grep -q "Could not load plugin"'

# tool_hint STATE: the tool on a machine whose /dev/dma_heap is STATE
# (missing or empty), in a private mount namespace with its own /dev: exit
# code 3 and a message saying what to do.
tool_hint() {
	local state=$1 out rc=0
	# shellcheck disable=SC2016 # expanded by the inner shell
	out=$(unshare --mount sh -c 'mount -t tmpfs none /dev || exit 99
		[ "$1" = empty ] && mkdir /dev/dma_heap
		"$2" list' sh "$state" "$B/vivtheap" 2>&1) || rc=$?
	printf '%s\n' "$out"
	[ "$rc" = 3 ] || { echo "exit code $rc, want 3"; return 1; }
	printf '%s\n' "$out" | grep -q "/dev/dma_heap is $state" &&
		printf '%s\n' "$out" | grep -q 'load the module' &&
		printf '%s\n' "$out" | grep -q 'CONFIG_DMABUF_HEAPS'
}
check "tool: /dev/dma_heap missing: says what to do, exit 3" tool_hint missing
check "tool: /dev/dma_heap empty: says what to do, exit 3" tool_hint empty

# The uapi header alone, as C89 and C++, on the host and on 32-bit ARM;
# tests/host/uapi_alone.c asserts the ABI's sizes and offsets at compile time.
uapi_alone() {
	cc -std=c89 -pedantic -Wall -Wextra -Werror -I"$TOP/uapi" -c -o /dev/null "$TOP/tests/host/uapi_alone.c" &&
		c++ -x c++ -std=c++11 -Wall -Wextra -Werror -I"$TOP/uapi" -c -o /dev/null "$TOP/tests/host/uapi_alone.c" &&
		arm-linux-gnueabi-gcc -std=c89 -pedantic -Wall -Wextra -Werror -I"$TOP/uapi" -c -o /dev/null \
			"$TOP/tests/host/uapi_alone.c"
}
check "uapi: linux/vivtheap.h compiles alone as C89 and C++ (and for armel) with the ABI's layout" uapi_alone

for cross in arm-linux-gnueabi arm-linux-gnueabihf aarch64-linux-gnu; do
	check "cross-build: libvivtheap for $cross" \
		make -s -C "$TOP" B="build/cross-$cross" CC="$cross-gcc" AR="$cross-ar" lib
done
grep -q '^not ok' "$TAPF" && exit 1
exit 0
