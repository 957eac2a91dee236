# SPDX-License-Identifier: MIT
#
# vivtheap: top-level build.
#
#   make              host library, tool, man pages and the GStreamer plugin
#                     (warnings are errors; NO_GST=1: not the plugin)
#   make gst          the GStreamer plugin, build/host/gst/libgstvivtheap.so
#                     (gst/gst.mk, docs/gstreamer.md)
#   make check        everything: host tests, lint, module and guest tests on
#                     every target under qemu; ends "N passed, N failed"
#   make demo         boots Debian 12's ARMv7 kernel and shows the heaps at work
#   make module TARGET=vivt-6.1      build vivtheap.ko for one target
#   make guest TARGET=vivt-6.1 BACKEND=chardev   guest tests on one target
#   make install PREFIX=/usr/local DESTDIR=      library, header, .pc, tool, man,
#                     the cache model's qemu plugin (NO_CACHEMODEL=1: not it),
#                     the GStreamer plugin into GST_PLUGINDIR (NO_GST=1: not it)
#                     (also BINDIR, LIBDIR, INCLUDEDIR, MANDIR, PKGCONFIGDIR)
#   make bench TARGET=vivt-latest   benchmarks under qemu -icount
#   make coherency TARGET=vivt-latest   the VIVT cache model's calibration
#   make fuzz OPS=1000000 SEED=N        the in-guest fuzzer on every target
#   make stress OPS=100000 SEED=N       the concurrent stress on every target
#                     (qemu 10 and its plugin; slow: not in make check yet)
#   make man          the library's man pages, from its header, into build/host/man
#   make lint         checkpatch, kernel-doc, shellcheck, cppcheck, mandoc -T lint
#   make mutants      every mutant in tests/mutants/ must be killed (host and
#                     guest); MUTANTS=host or MUTANTS="name ..." for some

# Installation directories, as GNU makefiles name them. Each may be given on
# the install command line alone: the .pc is written at install time from
# the values in force then, never from those of an earlier build.
PREFIX ?= /usr/local
EXEC_PREFIX ?= $(PREFIX)
BINDIR ?= $(EXEC_PREFIX)/bin
LIBDIR ?= $(EXEC_PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DATAROOTDIR ?= $(PREFIX)/share
MANDIR ?= $(DATAROOTDIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR ?=
B := build/host
TAP ?= $(B)/host.tap

# Package, API and ABI versions are kept apart (see docs/library.md). The
# real file is named after the ABI, so libraries of two ABIs can be
# installed side by side: MAJOR is the SONAME's, MINOR counts compatible
# additions (a new version node), PATCH releases with no ABI change.
VERSION := 0.2.0
ABI_MAJOR := 1
ABI_MINOR := 1
ABI_PATCH := 0
SONAME := libvivtheap.so.$(ABI_MAJOR)
REALNAME := $(SONAME).$(ABI_MINOR).$(ABI_PATCH)

CC ?= cc
CXX ?= c++
AR ?= ar
CFLAGS_WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wformat=2 -Wno-unused-parameter
CFLAGS ?= -O2 -g
# The library as built and installed is a release build (NDEBUG: a getter
# given NULL returns its safe value); `make DEBUG=1` keeps the assertions.
# The host unit tests always build their own copy with assertions.
LIB_NDEBUG := $(if $(DEBUG),,-DNDEBUG)
LIB_CFLAGS := -std=gnu11 $(CFLAGS_WARN) -D_GNU_SOURCE -fPIC -fvisibility=hidden \
	-Ilibvivtheap/include -Iuapi -DVIVTHEAP_VERSION_STRING='"$(VERSION)"' $(CFLAGS)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC := $(wildcard libvivtheap/src/*.c)
LIB_HDR := $(wildcard libvivtheap/src/*.h) libvivtheap/include/vivtheap.h uapi/linux/vivtheap.h
LIB_OBJ := $(patsubst libvivtheap/src/%.c,$(B)/obj/%.o,$(LIB_SRC))
LIB_OBJ_SAN := $(patsubst libvivtheap/src/%.c,$(B)/obj-san/%.o,$(LIB_SRC))
HOST_TESTS := $(patsubst tests/host/%.c,%,$(wildcard tests/host/test_*.c))
WRAP := $(foreach f,open close ioctl mmap munmap mprotect size is_dmabuf dup sendmsg recvmsg listdir,-Wl,--wrap=vivtheap_sys_$(f))

.PHONY: all lib tool man check demo host-check host-tests valgrind abi-check install \
	install-check lint module guest bench coherency clean version soname mutants

all: lib tool man $(if $(NO_GST),,gst)

lib: $(B)/$(SONAME) $(B)/libvivtheap.a
tool: $(B)/vivtheap

$(B)/obj/%.o: libvivtheap/src/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(LIB_NDEBUG) -c -o $@ $<
$(B)/obj-san/%.o: libvivtheap/src/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(SAN) -c -o $@ $<

$(B)/$(SONAME): $(LIB_OBJ) libvivtheap/libvivtheap.map
	$(CC) -shared -Wl,-soname,$(SONAME) -Wl,-z,defs -Wl,--version-script=libvivtheap/libvivtheap.map \
		-o $(B)/$(REALNAME) $(LIB_OBJ) -lpthread
	ln -sf $(REALNAME) $@
	ln -sf $(SONAME) $(B)/libvivtheap.so
$(B)/libvivtheap.a: $(LIB_OBJ)
	rm -f $@ && $(AR) rcs $@ $^
$(B)/vivtheap: tools/vivtheap.c $(B)/libvivtheap.a
	$(CC) -std=gnu11 $(CFLAGS_WARN) -D_GNU_SOURCE -Ilibvivtheap/include -Iuapi $(CFLAGS) \
		-o $@ $< $(B)/libvivtheap.a -lpthread

# One man page per public function, written from the header's doc comments
# (libvivtheap/gen-man.py refuses an undocumented function); dated by the
# header's last commit, or SOURCE_DATE_EPOCH, or today outside git.
MAN_DATE ?= $(shell git log -1 --format=%cs -- libvivtheap/include/vivtheap.h 2>/dev/null)
man: $(B)/man/.stamp
$(B)/man/.stamp: libvivtheap/include/vivtheap.h libvivtheap/gen-man.py
	python3 libvivtheap/gen-man.py --version $(VERSION) --date "$(MAN_DATE)" \
		-o $(B)/man libvivtheap/include/vivtheap.h
	touch $@

# Host unit tests: the library's objects with the syscall seam replaced by
# tests/host/fake_sys.c, under ASan+UBSan.
TEST_DEFS := -D_GNU_SOURCE -Ilibvivtheap/include -Iuapi -DVIVTHEAP_TEST_VERSION='"$(VERSION)"'
$(B)/%: tests/host/%.c tests/host/fake_sys.c $(wildcard tests/host/*.h) $(LIB_OBJ_SAN)
	$(CC) -std=gnu11 $(CFLAGS_WARN) $(TEST_DEFS) -g -O1 $(SAN) \
		-o $@ $< tests/host/fake_sys.c $(LIB_OBJ_SAN) $(WRAP) -lcmocka -lpthread
# The same tests without sanitizers, for valgrind.
$(B)/vg-%: tests/host/%.c tests/host/fake_sys.c $(wildcard tests/host/*.h) $(LIB_OBJ)
	$(CC) -std=gnu11 $(CFLAGS_WARN) $(TEST_DEFS) -g -O1 \
		-o $@ $< tests/host/fake_sys.c $(LIB_OBJ) $(WRAP) -lcmocka -lpthread

# The GStreamer plugin and its host tests: gst/gst.mk. host-check always
# builds and tests it, NO_GST or not.
include gst/gst.mk

host-check: lib tool man gst $(addprefix $(B)/,$(HOST_TESTS)) $(addprefix $(B)/vg-,$(HOST_TESTS)) \
		$(addprefix $(B)/,$(GST_TESTS)) $(addprefix $(B)/vg-,$(GST_TESTS))
	ci/host-check.sh $(TAP) $(HOST_TESTS) $(GST_TESTS)

# The VIVT cache model's core (cachemodel/, docs/cachemodel.md): its cmocka
# tests under ASan+UBSan. ci/host-check.sh builds and runs them too.
.PHONY: cachemodel-check
cachemodel-check:
	$(MAKE) -C cachemodel B=$(abspath $(B)) check

# The cache model's qemu plugin, build/host/libvivtcache.so: built against
# qemu 10.0's qemu-plugin.h, which ci/qemu-plugin.sh fetches (once, pinned).
# Run it with `ci/qemu-plugin.sh qemu ... -plugin build/host/libvivtcache.so`.
.PHONY: cachemodel-plugin
cachemodel-plugin:
	inc=$$(ci/qemu-plugin.sh header-dir) && \
		$(MAKE) -C cachemodel B=$(abspath $(B)) QEMU_PLUGIN_INC="$$inc" plugin

install: lib tool man $(if $(NO_GST),,gst)
	install -d $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man1
	install -m 644 libvivtheap/include/vivtheap.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 755 $(B)/$(REALNAME) $(DESTDIR)$(LIBDIR)/
	ln -sf $(REALNAME) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libvivtheap.so
	install -m 644 $(B)/libvivtheap.a $(DESTDIR)$(LIBDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@EXEC_PREFIX@|$(EXEC_PREFIX)|' \
		-e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' libvivtheap/libvivtheap.pc.in \
		>$(DESTDIR)$(PKGCONFIGDIR)/libvivtheap.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/libvivtheap.pc
	install -m 755 $(B)/vivtheap $(DESTDIR)$(BINDIR)/
	install -m 644 $(B)/man/*.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 tools/vivtheap.1 $(DESTDIR)$(MANDIR)/man1/
ifeq ($(NO_CACHEMODEL),)
	$(MAKE) --no-print-directory install-cachemodel
endif
ifeq ($(NO_GST),)
	$(MAKE) --no-print-directory install-gst
endif

# The cache model's plugin (in LIBDIR/vivtheap: qemu loads it by path, it is
# no library to link), its man page and the marks' header. `make install
# NO_CACHEMODEL=1` leaves it out (it needs qemu 10's qemu-plugin.h, which
# ci/qemu-plugin.sh fetches from the Debian archive once).
.PHONY: install-cachemodel
install-cachemodel: cachemodel-plugin
	install -d $(DESTDIR)$(LIBDIR)/vivtheap $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(INCLUDEDIR)
	install -m 755 $(B)/libvivtcache.so $(DESTDIR)$(LIBDIR)/vivtheap/
	install -m 644 cachemodel/vivtcache.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 644 cachemodel/vivtcache-mark.h $(DESTDIR)$(INCLUDEDIR)/

version:
	@echo $(VERSION)
soname:
	@echo $(SONAME)

lint:
	bash ci/lint.sh $(TAP)

check:
	bash ci/check.sh

demo:
	bash ci/demo.sh

mutants:
	bash ci/mutants.sh $(or $(MUTANTS),all)

module:
	ci/guest.sh $(TARGET) none module

guest:
	ci/guest.sh $(TARGET) $(BACKEND)

# Benchmarks under qemu -icount: make bench TARGET=vivt-latest BACKEND=chardev
bench:
	ci/guest.sh $(or $(TARGET),vivt-latest) $(or $(BACKEND),chardev) bench

# The in-guest fuzzer and the concurrent stress at length (tests/guest/fuzz.c,
# stress.c): make fuzz OPS=N SEED=S, make stress OPS=N SEED=S
.PHONY: fuzz stress
fuzz:
	ci/fuzz.sh fuzz $(or $(OPS),1000000) $(SEED)
stress:
	ci/fuzz.sh stress $(or $(OPS),100000) $(SEED)

# The cache model's calibration: make coherency TARGET=vivt-latest
coherency:
	ci/coherency.sh $(or $(TARGET),vivt-latest)

clean:
	rm -rf build
