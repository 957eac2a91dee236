#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/guest.sh TARGET BACKEND [test|demo|bench|module|prepare]
#
# BACKEND is auto, heap or chardev, the module's backend parameter; a "-dt"
# suffix (chardev-dt) also merges ci/dt/vivtheap-*.dtsi into the board's
# device tree, so the heaps come from their own CMA pools, and runs the
# tests marked "dt" in tests/guest/list; a "-nocma" suffix (chardev-nocma)
# boots with cma=0, no CMA area at all, and runs only the tests marked
# "nocma" (a short boot: the uncached and write-combined heaps refused).
#
# Builds vivtheap.ko and the guest tests for TARGET, makes an initramfs,
# boots qemu with a hard timeout and runs the tests (or the demo). Leaves in
# build/TARGET-BACKEND/: serial.log, dmesg.txt, results.tap. Prints the
# result lines; exits 0 when every test passed or skipped. "prepare" builds
# (and fills the caches: kernel, sysroots) without booting. The module, the
# tests and the initramfs are built once per TARGET for the same sources:
# the boots of a target's other backends reuse them (build_key).

. "$(dirname "$0")/lib.sh"

target_load "${1:?target}"
BACKEND=${2:?backend}
MODULE_BACKEND=${BACKEND%%-*}
VARIANT=${BACKEND#"$MODULE_BACKEND"}
case $VARIANT in
"" | -dt | -nocma) ;;
*) die "backend $BACKEND: the suffix is -dt or -nocma" ;;
esac
MODE=${3:-test}
RUN=$BUILD/$TARGET-$BACKEND
[ "$MODE" = demo ] && RUN=$BUILD/$TARGET-demo
[ "$MODE" = bench ] && RUN=$BUILD/$TARGET-$BACKEND-bench
OUT=$BUILD/$TARGET
mkdir -p "$RUN" "$OUT"

eval "$("$TOP/ci/kernel.sh" "$TARGET")"

# --- vivtheap.ko ------------------------------------------------------------
# kbuild WHAT DIR LOG [VAR=VALUE...]: build the out-of-tree modules in DIR
# against the target kernel, W=1 and sparse; a failed build, a sparse the
# kernel skipped, or any warning in our code fails WHAT.
kbuild() {
	local what=$1 dir=$2 log=$3
	shift 3
	make -s -C "$KDIR" M="$dir" ARCH="$KARCH" CROSS_COMPILE="$CROSS" \
		W=1 C=2 CHECK="$SPARSE" "$@" modules >"$log" 2>&1 ||
		{ cat "$log" >&2; die "$TARGET: $what build failed"; }
	# A kernel that finds the checker unfit says so and builds without it.
	if grep -E 'specified, but .* not available' "$log" >&2; then
		die "$TARGET: sparse did not run ($what)"
	fi
	# Warnings are errors for our code.
	if grep -E 'warning:' "$log" | grep -v '^scripts/' >&2; then
		die "$TARGET: $what build has warnings"
	fi
}

build_module() {
	rm -rf "$OUT/src"
	mkdir -p "$OUT/src/tests"
	cp -r "$TOP/driver" "$TOP/uapi" "$OUT/src/"
	local extra=()
	# A distribution's modpost is built for the host: see driver/of.c.
	[ "$KIND" = distro ] && extra+=(VIVTHEAP_NO_MODALIAS=1)
	SPARSE=$(ensure_sparse)
	kbuild module "$OUT/src/driver" "$OUT/module.log" "${extra[@]}"
	cp "$OUT/src/driver/vivtheap.ko" "$OUT/vivtheap.ko"
	# The test modules (tests/kmod), held to the same rules.
	cp -r "$TOP/tests/kmod" "$OUT/src/tests/kmod"
	kbuild "test module" "$OUT/src/tests/kmod" "$OUT/kmod.log"
	cp "$OUT/src/tests/kmod/vivtheap_test.ko" "$OUT/vivtheap_test.ko"
	cp "$OUT/src/tests/kmod/vivt_calib.ko" "$OUT/vivt_calib.ko"
}

# --- guest userland ---------------------------------------------------------
sysroot() {
	local root=$VIVTHEAP_CACHE/sysroot/$GUEST_ARCH-$GUEST_SUITE
	if [ ! -f "$root/.done" ]; then
		local p
		for p in libdrm-dev busybox-static; do
			extract_deb "$(fetch_deb "$GUEST_ARCH" "$p=$(apt_version "$GUEST_ARCH" "$GUEST_SUITE" "$p")")" "$root"
		done
		touch "$root/.done"
	fi
	echo "$root"
}

# --- GStreamer (targets that set GST_RUNTIME) -------------------------------
# gst_packages: the packages of the guest's GStreamer, "name=version" a line:
# GST_RUNTIME's dependency closure as apt resolves it in GUEST_SUITE for an
# empty system (no Recommends), then GST_PLUGIN_PKGS and GST_DEV alone.
# Cached under $VIVTHEAP_CACHE/gst, keyed by the lists: a warm run asks apt
# nothing (the .debs are cached in $DEBS).
gst_packages() {
	local key list status opts p
	key=$(printf '%s\n' "$GUEST_ARCH" "$GUEST_SUITE" "$GST_RUNTIME" "$GST_PLUGIN_PKGS" "$GST_DEV" |
		sha256sum | cut -c1-16)
	list=$VIVTHEAP_CACHE/gst/$GUEST_ARCH-$GUEST_SUITE-$key.list
	if [ ! -s "$list" ]; then
		mkdir -p "${list%/*}"
		apt_private_update "$GUEST_ARCH"
		mapfile -t opts < <(apt_private_opts "$GUEST_ARCH")
		status=$(mktemp)
		# shellcheck disable=SC2086 # the lists are words
		apt-get "${opts[@]}" -o Dir::State::status="$status" \
			-o APT::Default-Release="$GUEST_SUITE" -s -q install \
			--no-install-recommends $GST_RUNTIME >"$list.log" 2>&1 ||
			{ rm -f "$status"; tail -n 20 "$list.log" >&2; die "apt cannot resolve $GST_RUNTIME"; }
		rm -f "$status"
		sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p' "$list.log" >"$list.tmp"
		for p in $GST_PLUGIN_PKGS $GST_DEV; do
			echo "$p=$(apt_version "$GUEST_ARCH" "$GUEST_SUITE" "$p")"
		done >>"$list.tmp"
		grep -q '=$' "$list.tmp" && die "not in $GUEST_SUITE: $(grep '=$' "$list.tmp" | tr '\n' ' ')"
		mv "$list.tmp" "$list"
	fi
	cat "$list"
}

# gst_sysroot ROOT: the guest's GStreamer packages unpacked into ROOT (once
# per package list).
gst_sysroot() {
	local root=$1 pkgs p
	pkgs=$(gst_packages) || exit 1
	[ -f "$root/.gst-$(echo "$pkgs" | sha256sum | cut -c1-16)" ] && return 0
	log "$TARGET: unpacking GStreamer ($(echo "$pkgs" | wc -l) packages) into $root"
	for p in $pkgs; do
		extract_deb "$(fetch_deb "$GUEST_ARCH" "$p")" "$root"
	done
	touch "$root/.gst-$(echo "$pkgs" | sha256sum | cut -c1-16)"
}

# build_gst ROOT: the plugin (with its shared libvivtheap.so.1) and the
# GStreamer test and benchmark programs (tests/guest/gst/*.c,
# tests/bench/gst/*.c), cross-built against ROOT's GStreamer, dynamically
# linked: they run on the guest's own libraries.
build_gst() {
	local root=$1 triplet=${CROSS%-} t name
	local pc=(env PKG_CONFIG_LIBDIR="$root/usr/lib/$triplet/pkgconfig:$root/usr/share/pkgconfig"
		PKG_CONFIG_SYSROOT_DIR="$root")
	local ldflags=-Wl,-rpath-link,$root/usr/lib/$triplet:$root/lib/$triplet
	rm -rf "$OUT/gst"
	"${pc[@]}" make -s -C "$TOP" B="build/$TARGET/gst" CC="${CROSS}gcc" CFLAGS="-O2 -g" \
		LDFLAGS="$ldflags" gst >"$OUT/gst.log" 2>&1 ||
		{ cat "$OUT/gst.log" >&2; die "$TARGET: cross-building the GStreamer plugin failed"; }
	local mods=(gstreamer-1.0 gstreamer-app-1.0 gstreamer-video-1.0 gstreamer-allocators-1.0)
	local cflags libs
	read -ra cflags < <("${pc[@]}" pkg-config --cflags "${mods[@]}")
	read -ra libs < <("${pc[@]}" pkg-config --libs "${mods[@]}")
	for t in "$TOP"/tests/guest/gst/*.c "$TOP"/tests/bench/gst/*.c; do
		name=$(basename "$t" .c)
		"${CROSS}gcc" -O2 -g -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
			-Wmissing-prototypes -Wstrict-prototypes -D_GNU_SOURCE -I"$TOP/tests/lib" \
			"${cflags[@]}" -o "$OUT/tests/$name" "$t" "${libs[@]}" "$ldflags" ||
			die "$TARGET: building GStreamer test $name failed"
	done
	cp "$TOP/tests/bench/gst_bench.sh" "$OUT/tests/gst_bench"
}

# gst_root ROOT IR: what the guest runs of GStreamer, from ROOT, into the
# initramfs IR: the loader, gst-launch-1.0, gst-inspect-1.0, the plugin
# scanner, libgstreamer's own plugins and GST_PLUGINS, our plugin and
# libvivtheap.so.1, and every library these and the test programs need
# (their DT_NEEDED, transitively; one not in ROOT fails the build).
gst_root() {
	local root=$1 ir=$2 triplet=${CROSS%-} p f so dir found
	local lib=usr/lib/$triplet
	local plugdir=$lib/gstreamer-1.0 scanner=$lib/gstreamer1.0/gstreamer-1.0/gst-plugin-scanner
	mkdir -p "$ir/usr/bin" "$ir/$plugdir" "$ir/${scanner%/*}"
	cp -L "$root/lib/ld-linux-armhf.so.3" "$ir/lib/"
	cp "$root/usr/bin/gst-launch-1.0" "$root/usr/bin/gst-inspect-1.0" "$ir/usr/bin/"
	cp "$root/$scanner" "$ir/$scanner"
	for p in coreelements coretracers $GST_PLUGINS; do
		cp "$root/$plugdir/libgst$p.so" "$ir/$plugdir/" || die "$TARGET: no GStreamer plugin $p in $root"
	done
	cp "$OUT/gst/gst/libgstvivtheap.so" "$ir/$plugdir/"
	# The plugin's RUNPATH, $ORIGIN/.., is this directory.
	cp -L "$OUT/gst/libvivtheap.so.1" "$ir/$lib/"
	local queue=("$ir"/usr/bin/* "$ir/$scanner" "$ir/$plugdir"/*.so "$ir/$lib/libvivtheap.so.1")
	for f in "$TOP"/tests/guest/gst/*.c "$TOP"/tests/bench/gst/*.c; do
		queue+=("$ir/tests/$(basename "$f" .c)")
	done
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		for so in $("${CROSS}readelf" -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -e "$ir/$lib/$so" ] || [ "$so" = ld-linux-armhf.so.3 ] && continue
			found=""
			for dir in "$root/lib/$triplet" "$root/$lib"; do
				[ -e "$dir/$so" ] && { found=$dir/$so; break; }
			done
			[ -n "$found" ] || die "$TARGET: $so (needed by ${f#"$ir"/}) is in none of the GStreamer packages"
			cp -L "$found" "$ir/$lib/$so"
			queue+=("$ir/$lib/$so")
		done
	done
}

build_tests() {
	local root=$1 cc="${CROSS}gcc" t name libdrm
	libdrm=$(find "$root/usr/lib" -name libdrm.a | head -n1)
	[ -n "$libdrm" ] || die "no libdrm.a in $root"
	rm -rf "$OUT/tests"
	mkdir -p "$OUT/tests"
	# libvivtheap and the vivtheap tool, cross-built for the guest.
	make -s -C "$TOP" B="build/$TARGET/lib" CC="$cc" AR="${CROSS}ar" \
		CFLAGS="-O2 -g" lib >"$OUT/lib.log" 2>&1 ||
		{ cat "$OUT/lib.log" >&2; die "$TARGET: cross-building libvivtheap failed"; }
	local lib=$OUT/lib/libvivtheap.a
	local cflags=(-static -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -D_GNU_SOURCE
		-I"$TOP/libvivtheap/include" -I"$TOP/uapi" -I"$TOP/tests/lib" -I"$TOP/tools"
		-I"$root/usr/include/libdrm" -I"$root/usr/include")
	"$cc" "${cflags[@]}" -o "$OUT/tests/vivtheap" "$TOP/tools/vivtheap.c" "$lib" -lpthread ||
		die "$TARGET: building the vivtheap tool failed"
	for t in "$TOP"/tests/guest/*.c "$TOP"/docs/examples/*.c "$TOP"/tests/bench/*.c; do
		name=$(basename "$t" .c)
		"$cc" "${cflags[@]}" -o "$OUT/tests/$name" "$t" "$lib" "$libdrm" -lpthread ||
			die "$TARGET: building guest test $name failed"
	done
	# The kernel's own dmabuf-heap selftest, from the target's source.
	local st=$KSRC/tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c
	[ -f "$st" ] || die "$TARGET: no dmabuf-heap selftest in $KSRC"
	"$cc" -static -O2 -w -I"$KSRC/tools/testing/selftests" -I"$root/usr/include/libdrm" \
		-o "$OUT/tests/dmabuf-heap-selftest" "$st" ||
		die "$TARGET: building the kernel's dmabuf-heap selftest failed"
	[ -n "${GST_RUNTIME:-}" ] && build_gst "$root"
	cp "$TOP/tests/guest/list" "$TOP/tests/guest/known-warnings" "$OUT/tests/"
	local f
	# Shell tests and their helpers, named without the suffix in the guest.
	for f in "$TOP"/tests/guest/*.sh; do
		[ "${f##*/}" = init.sh ] || cp "$f" "$OUT/tests/$(basename "$f" .sh)"
	done
}

# --- initramfs --------------------------------------------------------------
make_initramfs() {
	local root=$1 ir=$OUT/initramfs
	rm -rf "$ir"
	mkdir -p "$ir"/{bin,sbin,dev,proc,sys,tmp,lib,tests,modules}
	cp "$root/bin/busybox" "$ir/bin/busybox"
	ln -s busybox "$ir/bin/sh"
	cp "$TOP/tests/guest/init.sh" "$ir/init"
	chmod +x "$ir/init"
	cp "$OUT/vivtheap.ko" "$OUT/vivtheap_test.ko" "$OUT/vivt_calib.ko" "$ir/lib/"
	cp "$OUT"/tests/* "$ir/tests/"
	mv "$ir/tests/vivtheap" "$ir/bin/vivtheap"
	if [ -n "$MODDIR" ] && [ -n "${GUEST_MODULES:-}" ]; then
		# The image's own modules and their dependencies, decompressed,
		# in load order (from modules.dep).
		local order=() m
		resolve() {
			local mod=$1 line dep
			line=$(grep -E "(^|/)$mod\\.ko(\\.xz|\\.zst)?:" "$MODDIR/modules.dep" | head -n1 || true)
			[ -n "$line" ] || die "$TARGET: module $mod not in the image"
			for dep in ${line#*:}; do
				resolve "$(basename "${dep%%.ko*}")"
			done
			local f=${line%%:*}
			case " ${order[*]} " in *" $f "*) ;; *) order+=("$f") ;; esac
		}
		for m in $GUEST_MODULES; do resolve "$m"; done
		for m in "${order[@]}"; do
			local base
			base=$(basename "${m%%.ko*}").ko
			case $m in
			*.xz) xz -dc "$MODDIR/$m" >"$ir/modules/$base" ;;
			*.zst) zstd -qdc "$MODDIR/$m" >"$ir/modules/$base" ;;
			*) cp "$MODDIR/$m" "$ir/modules/$base" ;;
			esac
			echo "$base" >>"$ir/modules/order"
		done
	fi
	[ -n "${GST_RUNTIME:-}" ] && gst_root "$root" "$ir"
	(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUT/initramfs.cpio.gz"
	log "$TARGET: initramfs $(du -sk "$ir" | cut -f1) KiB unpacked, $(($(stat -c %s "$OUT/initramfs.cpio.gz") / 1024)) KiB compressed"
}

# --- device tree --------------------------------------------------------------
# The kernel's own dtb with vivtheap's nodes merged in, with the kernel's dtc.
dt_merge() {
	local dtc=$KDIR/scripts/dtc/dtc src=$RUN/board.dts f
	if [ -z "$DTB" ] || [ ! -x "$dtc" ]; then
		die "$TARGET: backend $BACKEND needs a built kernel with a dtb"
	fi
	"$dtc" -q -I dtb -O dts "$DTB" >"$src"
	for f in "$TOP"/ci/dt/vivtheap-*.dtsi; do
		echo "/* $f */"
		sed '/^\/\/ SPDX/d' "$f"
	done >>"$src"
	"$dtc" -q -I dts -O dtb -o "$RUN/board.dtb" "$src" ||
		die "$TARGET: cannot merge ci/dt into $DTB"
	DTB=$RUN/board.dtb
}

# --- boot -------------------------------------------------------------------
boot() {
	local timeout=${VIVTHEAP_GUEST_TIMEOUT:-900} append dtb=() extra=() qpid tpid
	append="console=$CONSOLE rdinit=/init panic=-1 oops=panic log_buf_len=1M ${KAPPEND:-} vivtheap.backend=$MODULE_BACKEND vivtheap.mode=$MODE vivtheap.expect=${EXPECT:-}"
	[ "$VARIANT" = -dt ] && append="$append vivtheap.dt=1"
	# After KAPPEND: the last cma= is the one the kernel takes.
	[ "$VARIANT" = -nocma ] && append="$append cma=0 vivtheap.nocma=1"
	[ -n "${GST_RUNTIME:-}" ] && append="$append vivtheap.gst=1"
	[ -n "${VIVTHEAP_TESTS:-}" ] && append="$append vivtheap.tests=$VIVTHEAP_TESTS"
	# More words for the kernel command line (make fuzz: its seed and length).
	[ -n "${VIVTHEAP_APPEND:-}" ] && append="$append $VIVTHEAP_APPEND"
	[ -n "$DTB" ] && dtb=(-dtb "$DTB")
	read -ra extra <<<"${VIVTHEAP_QEMU_EXTRA:-}"
	# Benchmarks: guest time as a function of the instruction count.
	if [ "$MODE" = bench ]; then
		extra+=(-icount "shift=3,sleep=off")
		# A target may bench on another qemu line (distro-armmp: one vCPU).
		[ -n "${BENCH_QEMU[*]:-}" ] && QEMU=("${BENCH_QEMU[@]}")
		timeout=$((timeout * 3))
	fi
	log "$TARGET: booting ($BACKEND backend, $MODE, timeout ${timeout}s)"
	local start=$SECONDS rc=0
	timeout --foreground -k 10 "$timeout" "${QEMU[@]}" -nographic -no-reboot \
		-kernel "$KERNEL" "${dtb[@]}" -initrd "$OUT/initramfs.cpio.gz" \
		-append "$append" "${extra[@]}" </dev/null >"$RUN/serial.log" 2>&1 &
	tpid=$!
	# What qemu was really started with, read back from the running process.
	qpid=""
	while [ -z "$qpid" ] && kill -0 "$tpid" 2>/dev/null; do
		qpid=$(pgrep -P "$tpid" | head -n1 || true)
		[ -n "$qpid" ] || sleep 0.1
	done
	[ -n "$qpid" ] && tr '\0' ' ' <"/proc/$qpid/cmdline" >"$RUN/qemu.cmdline" 2>/dev/null
	wait "$tpid" || rc=$?
	tr -d '\r' <"$RUN/serial.log" >"$RUN/serial.tmp" && mv "$RUN/serial.tmp" "$RUN/serial.log"
	log "$TARGET: guest ran $((SECONDS - start)) s (qemu exit $rc)"
	sed -n '/^VIVTHEAP-DMESG-BEGIN/,/^VIVTHEAP-DMESG-END/p' "$RUN/serial.log" |
		sed '1d;$d' >"$RUN/dmesg.txt"
	if ! grep -q '^VIVTHEAP-END' "$RUN/serial.log" &&
		! grep -q '^VIVTHEAP-DEMO-RC' "$RUN/serial.log"; then
		echo "---- last lines of the serial log ($RUN/serial.log) ----" >&2
		tail -n 40 "$RUN/serial.log" >&2
		[ $rc = 124 ] && log "$TARGET: the guest hit the ${timeout}s timeout"
		return 1
	fi
	return 0
}

# expected_results: the result lines this boot must print, one name a line:
# module-load, every test of tests/guest/list that the filter and the "dt",
# "nodt", "nocma" and "gst" marks select (as tests/guest/init.sh does), and
# kmemleak where the target promises it. A name in the filter that is not in
# the list is an error, not an empty run.
expected_results() {
	local name only f
	echo module-load
	if [ -n "${VIVTHEAP_TESTS:-}" ]; then
		for f in ${VIVTHEAP_TESTS//,/ }; do
			grep -Eq "^$f( |\$)" "$TOP/tests/guest/list" ||
				die "VIVTHEAP_TESTS: no test $f in tests/guest/list"
		done
	fi
	while read -r name _ only; do
		case "$name" in '' | \#*) continue ;; esac
		[ "$only" = dt ] && [ "$VARIANT" != -dt ] && continue
		[ "$only" = nodt ] && [ "$VARIANT" = -dt ] && continue
		[ "$only" = nocma ] && [ "$VARIANT" != -nocma ] && continue
		[ "$VARIANT" = -nocma ] && [ "$only" != nocma ] && continue
		[ "$only" = gst ] && [ -z "${GST_RUNTIME:-}" ] && continue
		[ -n "${VIVTHEAP_TESTS:-}" ] && ! echo ",$VIVTHEAP_TESTS," | grep -q ",$name," && continue
		echo "$name"
	done <"$TOP/tests/guest/list"
	case ",${EXPECT:-}," in *,kmemleak,*) echo kmemleak ;; esac
}

if [ "$MODE" = test ]; then
	expected_results >"$RUN/expected" || exit 1
	# A filter that selects no test on this boot (a "dt" test on another
	# backend, any other test on a -nocma boot) would pass having run nothing.
	[ -z "${VIVTHEAP_TESTS:-}" ] || grep -qvxE 'module-load|kmemleak' "$RUN/expected" ||
		die "VIVTHEAP_TESTS=$VIVTHEAP_TESTS selects no test on a $BACKEND boot"
fi
# build_key: what the target's build is made of, as one hash: every source
# file it is built from (and ci/ itself), the kernel build, the target, the
# cross compiler, the guest root's packages.
build_key() {
	{
		(cd "$TOP" && find driver uapi tests libvivtheap tools gst docs/examples ci Makefile \
			cachemodel -type f -print0 | sort -z | xargs -0 sha256sum)
		echo "$TARGET $KDIR ${MODDIR:-} ${GST_RUNTIME:-}"
		"${CROSS}gcc" --version | head -n1
		# extract_deb's markers name each package unpacked there, version too.
		ls -A "$VIVTHEAP_CACHE/sysroot/$GUEST_ARCH-$GUEST_SUITE" 2>/dev/null || true
	} | sha256sum | cut -c1-16
}
KEY=$(build_key)
if [ "$MODE" != module ] && [ "$(cat "$OUT/build.key" 2>/dev/null)" = "$KEY" ] &&
	[ -f "$OUT/initramfs.cpio.gz" ]; then
	log "$TARGET: reusing the build of the same sources ($OUT, key $KEY)"
else
	rm -f "$OUT/build.key"
	build_module
	[ "$MODE" = module ] && { echo "$OUT/vivtheap.ko"; exit 0; }
	ROOT=$(sysroot)
	[ -n "${GST_RUNTIME:-}" ] && gst_sysroot "$ROOT"
	build_tests "$ROOT"
	make_initramfs "$ROOT"
	echo "$KEY" >"$OUT/build.key"
fi
[ "$MODE" = prepare ] && exit 0
[ "$VARIANT" = -dt ] && dt_merge
boot_ok=0
boot || boot_ok=1

if [ "$MODE" = demo ] || [ "$MODE" = bench ]; then
	sed -n '/^VIVTHEAP-BEGIN/,/^VIVTHEAP-DEMO-RC/p' "$RUN/serial.log" | sed '1d;$d' | tee "$RUN/report.txt"
	rc=$(sed -n 's/^VIVTHEAP-DEMO-RC \([0-9]*\)/\1/p' "$RUN/serial.log")
	if [ "$MODE" = bench ] && ! grep -q -- '-icount shift=' "$RUN/qemu.cmdline" 2>/dev/null; then
		echo "bench: qemu did not run with -icount ($RUN/qemu.cmdline): the times are not comparable" >&2
		exit 1
	fi
	[ "$boot_ok" = 0 ] && [ "${rc:-1}" = 0 ]
	exit
fi

# TAP, one line per test, with the target and backend in the name; a test
# that should have run and printed nothing fails.
mapfile -t expected <"$RUN/expected"
{
	grep -E '^VIVTHEAP-RESULT ' "$RUN/serial.log" || true
	[ "$boot_ok" = 0 ] || echo "VIVTHEAP-RESULT guest fail crashed, hung or stopped early"
	for name in "${expected[@]}"; do
		grep -Eq "^VIVTHEAP-RESULT $name " "$RUN/serial.log" ||
			echo "VIVTHEAP-RESULT $name fail no result: the guest never ran it"
	done
	# Results nobody asked for (not the runner's own pseudo-tests) fail too.
	grep -E '^VIVTHEAP-RESULT ' "$RUN/serial.log" | while read -r _ name _; do
		case $name in before-* | after-tests | guest) continue ;; esac
		printf '%s\n' "${expected[@]}" | grep -qx "$name" ||
			echo "VIVTHEAP-RESULT $name fail unexpected result (not in the list or the filter)"
	done
} >"$RUN/results.raw"
n=0
: >"$RUN/results.tap"
while read -r _ name status reason; do
	n=$((n + 1))
	case $status in
	pass) echo "ok $n - $TARGET/$BACKEND $name${reason:+ ($reason)}" ;;
	skip) echo "ok $n - $TARGET/$BACKEND $name # SKIP $reason" ;;
	*) echo "not ok $n - $TARGET/$BACKEND $name # $reason" ;;
	esac >>"$RUN/results.tap"
done <"$RUN/results.raw"
echo "1..$n" >>"$RUN/results.tap"
cat "$RUN/results.tap"
# Each test's guest time in seconds, longest first (where make check's time goes).
sed -n 's/^VIVTHEAP-TIME //p' "$RUN/serial.log" | sort -k2,2 -rn >"$RUN/times.txt"
# Each failed test's own output, for the reader of the CI log.
grep -q '^not ok' "$RUN/results.tap" && {
	grep -E '^# ' "$RUN/serial.log" | tail -n 60 >&2
	exit 1
}
exit 0
