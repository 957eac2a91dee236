#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/deps.sh
#
# Installs what the project needs from Debian's archive, if it is missing.
# Idempotent and quick when everything is there; every entry point calls it.
# As root it runs apt-get; otherwise it prints the one command to run.
# It never edits the machine's apt configuration: the guest's packages
# (armel/armhf, other suites) come through ci/lib.sh's private lists.

. "$(dirname "$0")/lib.sh"

PACKAGES=(
	# host build and checks
	build-essential pkg-config libcmocka-dev libdrm-dev valgrind cppcheck
	shellcheck clang mandoc
	# the cache model's qemu plugin (cachemodel/plugin.c)
	libglib2.0-dev
	# the GStreamer plugin (gst/): headers and pkg-config files; gst-inspect-1.0;
	# videotestsrc and appsink for its host tests (fakesink is in the core)
	libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools
	gstreamer1.0-plugins-base
	# the device-tree binding: dtc and the schema tools
	device-tree-compiler dt-schema
	# cross compilers and C libraries for the guests (armel: ARM926, armhf: ARMv7)
	gcc-arm-linux-gnueabi libc6-dev-armel-cross linux-libc-dev-armel-cross
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross linux-libc-dev-armhf-cross
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross linux-libc-dev-arm64-cross g++
	# kernel builds
	bc bison flex libssl-dev libelf-dev kmod cpio rsync xz-utils zstd
	sparse python3 perl curl
	# guests
	qemu-system-arm
	# the private apt
	apt debian-archive-keyring ca-certificates
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	printf 'missing packages: %s\nrun as root:\n  %s\n' "${missing[*]}" "$cmd" >&2
	exit 1
fi
log "deps: installing ${missing[*]}"
# Refresh the lists if they are older than a day or absent.
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -n1)" ]; then
	apt-get update -q >/dev/null
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
	die "apt-get install failed: $cmd"
