#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/qemu-plugin.sh ensure          fetch and unpack (once), print the paths
#        ci/qemu-plugin.sh header-dir      print the directory holding qemu-plugin.h
#        ci/qemu-plugin.sh qemu ARGS...    run qemu-system-arm 10.0.2 with ARGS
#
# The qemu that runs the VIVT cache model's plugin (docs/cachemodel.md).
# Debian 12's qemu 7.2 has a plugin API that reads no registers and no
# guest memory; bookworm-backports' 10.0.2 (plugin API version 4) does.
# The host's own qemu-system-arm stays 7.2 (the test bench runs it): the
# backports packages are downloaded through ci/lib.sh's private lists and
# unpacked into $VIVTHEAP_CACHE/qemu-10, and the binary is run from there.
# No binary package ships qemu-plugin.h: it is taken from the matching
# source tarball, pinned by its sha256.

. "$(dirname "$0")/lib.sh"

QEMU10_VER='1:10.0.2+ds-2+deb13u1~bpo12+1'
QEMU10_SUITE=bookworm-backports
QEMU10_PKGS=(qemu-system-arm qemu-system-common qemu-system-data)
QEMU10_ORIG=qemu_10.0.2+ds.orig.tar.xz
QEMU10_ORIG_SHA256=0901da33844a331bf8b3602b9c1fbd178e60b737c8e3ade678255bd090c9b9f1
QEMU10_DIR=$VIVTHEAP_CACHE/qemu-10
QEMU10_BIN=$QEMU10_DIR/usr/bin/qemu-system-arm
QEMU10_INC=$QEMU10_DIR/include

# The private lists must know bookworm-backports: lists refreshed before
# ci/lib.sh listed it are refreshed now, once.
ensure_backports_lists() {
	if ! compgen -G "$APTDIR/amd64/lists/*_dists_${QEMU10_SUITE}_InRelease" >/dev/null; then
		log "qemu-10: private apt lists have no $QEMU10_SUITE yet: refreshing"
		rm -f "$APTDIR/amd64/updated"
	fi
	apt_private_update amd64
	local have
	have=$(apt_version amd64 "$QEMU10_SUITE" qemu-system-arm)
	[ -n "$have" ] || die "qemu-10: qemu-system-arm not found in $QEMU10_SUITE (private lists under $APTDIR/amd64)"
	[ "$have" = "$QEMU10_VER" ] ||
		log "qemu-10: note: $QEMU10_SUITE now has qemu-system-arm $have; using the pinned $QEMU10_VER"
}

ensure_binary() {
	local stamp=$QEMU10_DIR/.qemu-$QEMU10_VER p deb missing
	if [ ! -f "$stamp" ]; then
		ensure_backports_lists
		mkdir -p "$QEMU10_DIR"
		for p in "${QEMU10_PKGS[@]}"; do
			deb=$(fetch_deb amd64 "$p=$QEMU10_VER")
			log "qemu-10: unpacking $(basename "$deb")"
			extract_deb "$deb" "$QEMU10_DIR"
		done
		[ -x "$QEMU10_BIN" ] || die "qemu-10: no $QEMU10_BIN after unpacking"
		touch "$stamp"
	fi
	# Every library it needs is in bookworm at a version its Depends accept
	# (checked with dpkg-deb -I); the host's qemu 7.2 pulls them in. Say
	# which ones are missing rather than letting the loader fail.
	missing=$(ldd "$QEMU10_BIN" 2>/dev/null | awk '/not found/ {print $1}' | tr '\n' ' ')
	[ -z "$missing" ] ||
		die "qemu-10: libraries not found: $missing(install qemu-system-arm from bookworm, ci/deps.sh does)"
}

ensure_header() {
	local h=$QEMU10_INC/qemu-plugin.h tmp tarball
	[ -f "$h" ] && [ -f "$QEMU10_INC/.sha256-$QEMU10_ORIG_SHA256" ] && return 0
	tmp=$(mktemp -d "$VIVTHEAP_CACHE/qemu-src.XXXXXX")
	tarball=$tmp/$QEMU10_ORIG
	log "qemu-10: downloading $QEMU10_ORIG (about 40 MB) for qemu-plugin.h"
	( fetch_pinned "main/q/qemu/$QEMU10_ORIG" "$QEMU10_ORIG_SHA256" "$tarball" ) ||
		{ rm -rf "$tmp"; exit 1; }
	tar -xJf "$tarball" -C "$tmp" --wildcards '*/include/qemu/qemu-plugin.h' ||
		{ rm -rf "$tmp"; die "qemu-10: $QEMU10_ORIG holds no include/qemu/qemu-plugin.h"; }
	mkdir -p "$QEMU10_INC"
	find "$tmp" -path '*/include/qemu/qemu-plugin.h' -exec cp {} "$h.tmp" \;
	[ -s "$h.tmp" ] || { rm -rf "$tmp"; die "qemu-10: qemu-plugin.h not extracted"; }
	mv "$h.tmp" "$h"
	touch "$QEMU10_INC/.sha256-$QEMU10_ORIG_SHA256"
	rm -rf "$tmp"
	log "qemu-10: $h (API version $(awk '/define QEMU_PLUGIN_VERSION/ {print $3}' "$h"))"
}

case "${1:-}" in
ensure)
	ensure_binary
	ensure_header
	printf 'qemu %s\nheader %s\n' "$QEMU10_BIN" "$QEMU10_INC/qemu-plugin.h"
	"$QEMU10_BIN" --version | head -n1
	;;
header-dir)
	ensure_header
	printf '%s\n' "$QEMU10_INC"
	;;
qemu)
	shift
	ensure_binary
	# The data files (keymaps, firmware) are found relative to the binary;
	# its modules are not: without QEMU_MODULE_DIR it tries the host's 7.2
	# ones (and warns that they are from another build).
	QEMU_MODULE_DIR=$QEMU10_DIR/usr/lib/x86_64-linux-gnu/qemu exec "$QEMU10_BIN" "$@"
	;;
*)
	sed -n '3,5s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
