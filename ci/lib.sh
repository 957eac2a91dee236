# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Common helpers for the ci/ scripts: paths, logging, the private apt.
#
# Nothing here touches the machine's own apt configuration: extra suites
# and architectures go through a private sources list and state directory
# under $VIVTHEAP_CACHE/apt.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export TOP
VIVTHEAP_CACHE=${VIVTHEAP_CACHE:-/var/cache/vivtheap}
export VIVTHEAP_CACHE
BUILD=${BUILD:-$TOP/build}
export BUILD

# tap_check TAPFILE NAME CMD...: runs CMD and appends one TAP line for it,
# "ok - NAME" or "not ok - NAME"; a failure's last 40 lines of output go to
# stderr. Returns CMD's status. The one TAP helper of the ci/ scripts.
tap_check() {
	local tap=$1 name=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		echo "ok - $name" >>"$tap"
	else
		printf '%s\n' "$out" | tail -n 40 >&2
		echo "not ok - $name" >>"$tap"
		return 1
	fi
}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

APTDIR=$VIVTHEAP_CACHE/apt
DEBS=$VIVTHEAP_CACHE/debs
APT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
APT_MIRROR=${VIVTHEAP_APT_MIRROR:-http://deb.debian.org/debian}

# locked CMD...: CMD (a function too) holding the cache's lock
# ($VIVTHEAP_CACHE/.lock), so that runs side by side (make check's lanes and
# its host steps beside the guest builds, a helper's run) fill the cache one
# at a time. Nested calls take it once; a run that dies lets it go.
CACHE_LOCK_DEPTH=0
locked() {
	if [ "$CACHE_LOCK_DEPTH" = 0 ]; then
		mkdir -p "$VIVTHEAP_CACHE"
		exec {CACHE_LOCK_FD}>>"$VIVTHEAP_CACHE/.lock"
		flock "$CACHE_LOCK_FD"
	fi
	CACHE_LOCK_DEPTH=$((CACHE_LOCK_DEPTH + 1))
	"$@"
	CACHE_LOCK_DEPTH=$((CACHE_LOCK_DEPTH - 1))
	if [ "$CACHE_LOCK_DEPTH" = 0 ]; then
		exec {CACHE_LOCK_FD}>&-
	fi
}

# apt_private ARCH CMD...: run apt-get/apt-cache against the private lists
# for one architecture: bookworm (Debian 12 as shipped, point releases
# included), bookworm-backports (the newer qemu of the cache model's
# plugin) and unstable (the newest kernel sources).
apt_private_opts() {
	local arch=$1
	printf '%s\n' \
		-o "Dir::Etc::sourcelist=$APTDIR/$arch/sources.list" \
		-o "Dir::Etc::sourceparts=-" \
		-o "Dir::State::Lists=$APTDIR/$arch/lists" \
		-o "Dir::Cache::archives=$DEBS" \
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" \
		-o "APT::Architecture=$arch" -o "APT::Architectures=$arch" \
		-o "APT::Default-Release=" \
		-o "Debug::NoLocking=1"
}

apt_private_update() { locked apt_private_update_ "$@"; }
apt_private_update_() {
	local arch=$1 stamp list
	stamp=$APTDIR/$arch/updated
	list=$APTDIR/$arch/sources.list
	mkdir -p "$APTDIR/$arch/lists/partial" "$DEBS/partial"
	# Replaced, not rewritten in place, and only when it changes: another
	# run's apt-cache may be reading it.
	cat >"$list.new" <<EOF
deb [signed-by=$APT_KEYRING] $APT_MIRROR bookworm main
deb [signed-by=$APT_KEYRING] $APT_MIRROR bookworm-backports main
deb [signed-by=$APT_KEYRING] $APT_MIRROR sid main
EOF
	if cmp -s "$list.new" "$list"; then
		rm -f "$list.new"
	else
		mv "$list.new" "$list"
	fi
	# Refresh at most once a day.
	if [ -f "$stamp" ] && [ -z "$(find "$stamp" -mmin +1440)" ]; then
		return 0
	fi
	log "apt: updating private lists for $arch"
	local opts
	mapfile -t opts < <(apt_private_opts "$arch")
	apt-get "${opts[@]}" -q update >"$APTDIR/$arch/update.log" 2>&1 ||
		{ tail -n 20 "$APTDIR/$arch/update.log" >&2; die "apt update ($arch) failed"; }
	touch "$stamp"
}

apt_private() { locked apt_private_ "$@"; }
apt_private_() {
	local arch=$1
	shift
	local opts
	mapfile -t opts < <(apt_private_opts "$arch")
	apt_private_update "$arch"
	"$@" "${opts[@]}"
}

# apt_version ARCH SUITE PKG: the candidate version of PKG in SUITE.
apt_version() {
	local arch=$1 suite=$2 pkg=$3
	apt_private "$arch" apt-cache madison "$pkg" 2>/dev/null |
		awk -F'|' -v s="$suite" '$3 ~ " "s"/" || $3 ~ " "s" " {gsub(/ /,"",$2); print $2; exit}'
}

# apt_newest ARCH PKG: the highest version of PKG across the suites.
apt_newest() {
	local arch=$1 pkg=$2
	apt_private "$arch" apt-cache madison "$pkg" 2>/dev/null |
		awk -F'|' '{gsub(/ /,"",$2); print $2}' | sort -V | tail -n1
}

# fetch_deb ARCH PKG[=VERSION]: download a .deb into $DEBS, print its path.
fetch_deb() { locked fetch_deb_ "$@"; }
fetch_deb_() {
	local arch=$1 spec=$2 pkg ver file
	pkg=${spec%%=*}
	if [ "$spec" = "$pkg" ]; then
		ver=$(apt_newest "$arch" "$pkg")
	else
		ver=${spec#*=}
	fi
	[ -n "$ver" ] || die "package $pkg ($arch) not found in the archive"
	file=$(find "$DEBS" -maxdepth 1 \( -name "${pkg}_${ver//:/%3a}_$arch.deb" \
		-o -name "${pkg}_${ver//:/%3a}_all.deb" \) | head -n1)
	if [ -z "$file" ]; then
		log "apt: downloading $pkg $ver ($arch)"
		(cd "$DEBS" && apt_private "$arch" apt-get -q download "$pkg=$ver" >/dev/null 2>&1) ||
			die "download of $pkg=$ver ($arch) failed"
		file=$(find "$DEBS" -maxdepth 1 \( -name "${pkg}_${ver//:/%3a}_$arch.deb" \
		-o -name "${pkg}_${ver//:/%3a}_all.deb" \) | head -n1)
	fi
	[ -n "$file" ] || die "download of $pkg=$ver ($arch) left no file"
	printf '%s\n' "$file"
}

# extract_deb DEB DIR: unpack a .deb's data into DIR (once).
extract_deb() { locked extract_deb_ "$@"; }
extract_deb_() {
	local deb=$1 dir=$2
	mkdir -p "$dir"
	if [ ! -f "$dir/.extracted-$(basename "$deb")" ]; then
		dpkg-deb -x "$deb" "$dir"
		touch "$dir/.extracted-$(basename "$deb")"
	fi
}

# fetch_pinned POOLPATH SHA256 FILE: download a file from the Debian
# archive's pool (e.g. "main/s/sparse/sparse_X.orig.tar.gz") to FILE and
# check it against its pinned sha256; dies (FILE removed) otherwise.
fetch_pinned() {
	local path=$1 sha=$2 file=$3
	curl -fsS -o "$file" "$APT_MIRROR/pool/$path" ||
		{ rm -f "$file"; die "cannot download $APT_MIRROR/pool/$path"; }
	echo "$sha  $file" | sha256sum -c --quiet - ||
		{ rm -f "$file"; die "${path##*/}: checksum mismatch (want $sha)"; }
}

# ensure_sparse: print the path of a sparse that the newest kernels accept.
# Kernels from 6.14 on run sparse only if it knows __typeof_unqual__
# (scripts/checker-valid.sh) and silently skip it otherwise; bookworm's 0.6.4
# does not, and unstable's binary needs a newer glibc. So sparse is built
# once from unstable's source, pinned by the checksum in its .dsc.
SPARSE_VER=0.6.5~rc1
SPARSE_SHA256=3ac8855ec7f3ab92f325be0f64347ccc2b10f8b4d7c2906783ee8e2bdab3f0de
ensure_sparse() { locked ensure_sparse_; }
ensure_sparse_() {
	local dir=$VIVTHEAP_CACHE/tools/sparse-$SPARSE_VER tmp tarball
	if [ ! -x "$dir/sparse" ]; then
		log "building sparse $SPARSE_VER from Debian's source"
		tmp=$(mktemp -d "$VIVTHEAP_CACHE/tools.XXXXXX")
		tarball=$tmp/sparse_$SPARSE_VER.orig.tar.gz
		fetch_pinned "main/s/sparse/sparse_$SPARSE_VER.orig.tar.gz" "$SPARSE_SHA256" "$tarball"
		tar -xf "$tarball" -C "$tmp" --strip-components=1
		make -s -C "$tmp" -j"$(nproc)" sparse HAVE_LLVM=no HAVE_LIBXML=no >"$tmp/build.log" 2>&1 ||
			{ tail -n 20 "$tmp/build.log" >&2; die "sparse build failed"; }
		mkdir -p "$dir.new"
		cp "$tmp/sparse" "$dir.new/sparse"
		rm -rf "$tmp" "$dir"
		mv "$dir.new" "$dir"
	fi
	printf '%s\n' "$dir/sparse"
}

# ensure_source PKG VERSION: unpack a linux-source package once, print its tree.
ensure_source() { locked ensure_source_ "$@"; }
ensure_source_() {
	local pkg=$1 ver=$2 src deb tarball
	src=$VIVTHEAP_CACHE/src/$pkg-$ver
	if [ ! -f "$src/.done" ]; then
		deb=$(fetch_deb amd64 "$pkg=$ver")
		rm -rf "$src" "$src.tmp" "$src.deb"
		mkdir -p "$src.tmp" "$src.deb"
		log "unpacking $pkg $ver"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -x -C "$src.deb" --wildcards './usr/src/linux-source-*.tar.*'
		tarball=$(find "$src.deb/usr/src" -name 'linux-source-*.tar.*' | head -n1)
		tar -xf "$tarball" -C "$src.tmp" --strip-components=1
		rm -rf "$src.deb"
		touch "$src.tmp/.done"
		mv "$src.tmp" "$src"
	fi
	printf '%s\n' "$src"
}

# target_load NAME: read ci/targets/NAME.conf
target_load() {
	local f=$TOP/ci/targets/$1.conf
	[ -f "$f" ] || die "unknown target $1"
	# shellcheck source=/dev/null
	. "$f"
	# shellcheck disable=SC2034 # used by the sourcing script
	TARGET=$1
}

# shellcheck disable=SC2034 # used by the sourcing script
TARGETS_ALL="vivt-6.1 vivt-latest distro-armmp"
