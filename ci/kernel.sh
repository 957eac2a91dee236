#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/kernel.sh TARGET
#
# Makes the kernel of one target ready and prints, as shell assignments,
# where its parts are: KDIR (to build modules against), KERNEL (the image
# qemu boots), DTB (or empty), KREL (uname -r), MODDIR (the image's own
# modules, distro targets only).
#
# Built kernels are cached under $VIVTHEAP_CACHE/kernels/<key>, where the key
# covers the source version, defconfig, fragment and compiler: a warm cache
# costs nothing, a cold one prints progress while it builds.

. "$(dirname "$0")/lib.sh"

target_load "${1:?target}"

cross_check() {
	command -v "${CROSS}gcc" >/dev/null ||
		die "${CROSS}gcc missing: run ci/deps.sh"
}

# Newest linux-source-X.Y in SUITE.
newest_source_pkg() {
	apt_private amd64 apt-cache pkgnames linux-source- |
		grep -E '^linux-source-[0-9]+\.[0-9]+$' | sort -V |
		while read -r p; do
			[ -n "$(apt_version amd64 "$1" "$p")" ] && echo "$p"
		done | tail -n1
}

build_kernel() {
	local pkg ver key src out jobs
	pkg=$KSRC_PKG
	if [ "$pkg" = newest ]; then
		pkg=$(newest_source_pkg "$KSRC_SUITE")
		[ -n "$pkg" ] || die "$TARGET: Debian $KSRC_SUITE has no linux-source-X.Y package"
	fi
	ver=$(apt_version amd64 "$KSRC_SUITE" "$pkg")
	[ -n "$ver" ] || die "$TARGET: $pkg not found in Debian $KSRC_SUITE"
	# The key: source, defconfig, the fragment's options (not its comments)
	# and the compiler.
	key=$( { echo "$pkg $ver $DEFCONFIG"; grep '^CONFIG_' "$TOP/$FRAGMENT" | sort
		"${CROSS}gcc" --version | head -n1; } |
		sha256sum | cut -c1-16)
	out=$VIVTHEAP_CACHE/kernels/$TARGET-$ver-$key
	src=$(ensure_source "$pkg" "$ver")
	if [ -f "$out/.done" ]; then
		log "$TARGET: kernel $pkg $ver cached in $out"
	else
		rm -rf "$out"
		mkdir -p "$out"
		local mk=(make -s -C "$src" O="$out" ARCH="$KARCH" CROSS_COMPILE="$CROSS")
		"${mk[@]}" "$DEFCONFIG" >/dev/null
		"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$TOP/$FRAGMENT" >/dev/null
		"${mk[@]}" olddefconfig >/dev/null
		# Every option the fragment asks for must have stuck.
		local line missing="" optional=0
		while read -r line; do
			case "$line" in
			"# optional"*) optional=1; continue ;;
			CONFIG_*) [ $optional = 1 ] || grep -qx "$line" "$out/.config" ||
				missing="$missing $line" ;;
			esac
			optional=0
		done <"$TOP/$FRAGMENT"
		[ -z "$missing" ] || die "$TARGET: config options did not stick:$missing"
		jobs=$(nproc)
		log "$TARGET: building $pkg $ver with -j$jobs into $out (10-16 minutes on two cores)"
		local start=$SECONDS
		("${mk[@]}" -j"$jobs" zImage modules dtbs >"$out/build.log" 2>&1; echo $? >"$out/build.rc") &
		local pid=$! n
		while kill -0 "$pid" 2>/dev/null; do
			sleep 30
			n=$(find "$out" -name '*.o' | wc -l)
			log "$TARGET: building... $n objects, $((SECONDS - start)) s"
		done
		wait "$pid" || true
		if [ "$(cat "$out/build.rc")" != 0 ]; then
			tail -n 30 "$out/build.log" >&2
			die "$TARGET: kernel build failed (log: $out/build.log)"
		fi
		log "$TARGET: kernel built in $((SECONDS - start)) s"
		touch "$out/.done"
	fi
	echo "KDIR=$out"
	echo "KERNEL=$out/$KIMAGE"
	echo "DTB=$out/$DTB"
	echo "KREL=$(cat "$out/include/config/kernel.release")"
	echo "KSRC=$src"
	echo "MODDIR="
	echo "KVERSION=$ver"
}

distro_kernel() {
	local ver abi kpkg root
	ver=$(apt_version armhf "$KSUITE" "$KIMAGE_PKG")
	[ -n "$ver" ] || die "$TARGET: $KIMAGE_PKG not in Debian $KSUITE"
	# linux-image-armmp depends on linux-image-<abi>-armmp of the same version.
	kpkg=$(apt_private armhf apt-cache show "$KIMAGE_PKG=$ver" |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,]*-armmp\).*/\1/p' | head -n1)
	[ -n "$kpkg" ] || die "$TARGET: cannot resolve $KIMAGE_PKG $ver"
	abi=${kpkg#linux-image-}
	abi=${abi%-armmp}
	root=$VIVTHEAP_CACHE/distro/$kpkg-$ver
	if [ ! -f "$root/.done" ]; then
		local series
		series=$(echo "$abi" | cut -d. -f1-2)
		rm -rf "$root"
		mkdir -p "$root"
		extract_deb "$(fetch_deb armhf "$kpkg=$ver")" "$root"
		extract_deb "$(fetch_deb armhf "linux-headers-$abi-armmp=$ver")" "$root"
		extract_deb "$(fetch_deb armhf "linux-headers-$abi-common=$ver")" "$root"
		extract_deb "$(fetch_deb amd64 "linux-kbuild-$series=$ver")" "$root"
		# The packages point at /usr/src and /usr/lib with absolute paths:
		# point them into the prefix instead.
		local hdr=$root/usr/src/linux-headers-$abi-armmp l t
		sed -i "s|/usr/src/|$root/usr/src/|g" "$hdr/Makefile"
		find "$root/usr/src" "$root/usr/lib" -type l | while read -r l; do
			t=$(readlink "$l")
			case "$t" in /*) ln -sfn "$root$t" "$l" ;; esac
		done
		# The package leaves modules.dep to the installing machine.
		depmod -b "$root" "$abi-armmp"
		touch "$root/.done"
	fi
	echo "KDIR=$root/usr/src/linux-headers-$abi-armmp"
	echo "KERNEL=$root/boot/vmlinuz-$abi-armmp"
	echo "DTB="
	echo "KREL=$abi-armmp"
	# The selftests come from the linux-source of the same version.
	echo "KSRC=$(ensure_source "linux-source-$(echo "$abi" | cut -d. -f1-2)" "$ver")"
	echo "MODDIR=$root/lib/modules/$abi-armmp"
	echo "KVERSION=$ver"
}

cross_check
case $KIND in
build) build_kernel ;;
distro) distro_kernel ;;
*) die "$TARGET: unknown KIND $KIND" ;;
esac
