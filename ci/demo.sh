#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Usage: ci/demo.sh       (what `make demo` runs)
#
# Installs what is missing, boots Debian 12's own ARMv7 kernel (no kernel
# build), loads vivtheap.ko and runs tests/guest/demo.c, which prints a
# short report of what it did with each heap.

. "$(dirname "$0")/lib.sh"

start=$SECONDS
"$TOP/ci/deps.sh"
if "$TOP/ci/guest.sh" distro-armmp auto demo; then
	log "demo finished in $((SECONDS - start)) s; full log: build/distro-armmp-demo/serial.log"
else
	die "demo failed; full log: build/distro-armmp-demo/serial.log"
fi
