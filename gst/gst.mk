# SPDX-License-Identifier: MIT
#
# The GStreamer plugin (gst/, docs/gstreamer.md), included by the top-level
# Makefile:
#
#   make gst          $(B)/gst/libgstvivtheap.so, linked against this tree's
#                     libvivtheap.so (found at run time through the RUNPATH
#                     $ORIGIN/..: LIBDIR, installed or in build/host)
#   make gst-tests    its host tests, tests/host/gst/ (make host-check runs them)
#
# GStreamer comes through $(PKG_CONFIG) (gstreamer-1.0, -base, -video and
# -allocators; a cross build sets PKG_CONFIG to its own). `make` and
# `make install` build and install the plugin (into GST_PLUGINDIR,
# LIBDIR/gstreamer-1.0) unless NO_GST=1; `make host-check`, and so
# `make check`, always require it.

PKG_CONFIG ?= pkg-config
GST_PKGS := gstreamer-1.0 gstreamer-base-1.0 gstreamer-video-1.0 gstreamer-allocators-1.0
GST_PLUGINDIR ?= $(LIBDIR)/gstreamer-1.0
# Asked once, when first needed (not at all for `make lib`).
GST_CFLAGS = $(eval GST_CFLAGS := $$(shell $(PKG_CONFIG) --cflags $(GST_PKGS)))$(GST_CFLAGS)
GST_LIBS = $(eval GST_LIBS := $$(shell $(PKG_CONFIG) --libs $(GST_PKGS)))$(GST_LIBS)
GST_TEST_LIBS = $(eval GST_TEST_LIBS := $$(shell $(PKG_CONFIG) --libs $(GST_PKGS) gstreamer-app-1.0))$(GST_TEST_LIBS)

GST_SRC := $(wildcard gst/*.c)
GST_HDR := $(wildcard gst/*.h) libvivtheap/include/vivtheap.h
GST_OBJ := $(patsubst gst/%.c,$(B)/gst/obj/%.o,$(GST_SRC))
# The tests register the element themselves: all but plugin.c.
GST_OBJ_LIB := $(filter-out %/plugin.o,$(GST_OBJ))
GST_OBJ_SAN := $(filter-out %/plugin.o,$(patsubst gst/%.c,$(B)/gst/obj-san/%.o,$(GST_SRC)))
GST_PLUGIN := $(B)/gst/libgstvivtheap.so
GST_TESTS := $(patsubst tests/host/gst/%.c,gst-%,$(wildcard tests/host/gst/test_*.c))
GST_TEST_HDR := $(wildcard tests/host/gst/*.h) $(wildcard tests/host/*.h)
GST_CC = -std=gnu11 $(CFLAGS_WARN) -D_GNU_SOURCE -fPIC -fvisibility=hidden \
	-Ilibvivtheap/include -DVIVTHEAP_VERSION_STRING='"$(VERSION)"' $(GST_CFLAGS)

.PHONY: gst gst-tests gst-deps install-gst

gst: $(GST_PLUGIN)
gst-tests: $(addprefix $(B)/,$(GST_TESTS)) $(addprefix $(B)/vg-,$(GST_TESTS))

gst-deps:
	@$(PKG_CONFIG) --exists $(GST_PKGS) || { \
		echo "error: GStreamer's development files ($(GST_PKGS)) are missing:" \
			"run ci/deps.sh as root, or build without the plugin (NO_GST=1)" >&2; exit 1; }

$(B)/gst/obj/%.o: gst/%.c $(GST_HDR) | gst-deps
	@mkdir -p $(@D)
	$(CC) $(GST_CC) $(CFLAGS) -c -o $@ $<
$(B)/gst/obj-san/%.o: gst/%.c $(GST_HDR) | gst-deps
	@mkdir -p $(@D)
	$(CC) $(GST_CC) -g -O1 $(SAN) -c -o $@ $<

# Only gst_plugin_vivtheap_get_desc is exported (-fvisibility=hidden).
$(GST_PLUGIN): $(GST_OBJ) $(B)/$(SONAME)
	$(CC) -shared -Wl,-z,defs -Wl,-rpath,'$$ORIGIN/..' -o $@ $(GST_OBJ) \
		-L$(B) -lvivtheap $(GST_LIBS) $(LDFLAGS)

# Host tests: the plugin's objects on libvivtheap's, with the syscall seam
# replaced by tests/host/fake_sys.c (no /dev/dma_heap needed), under
# ASan+UBSan; and the same without sanitizers, for valgrind.
GST_TEST_CC = -std=gnu11 $(CFLAGS_WARN) $(TEST_DEFS) -Igst -Itests/host $(GST_CFLAGS) \
	-DGST_TEST_BUILD_DIR='"$(abspath $(B))"' -g -O1
$(B)/gst-%: tests/host/gst/%.c tests/host/fake_sys.c $(GST_TEST_HDR) $(GST_OBJ_SAN) $(LIB_OBJ_SAN) | gst-deps
	$(CC) $(GST_TEST_CC) $(SAN) -o $@ $< tests/host/fake_sys.c $(GST_OBJ_SAN) $(LIB_OBJ_SAN) \
		$(WRAP) $(GST_TEST_LIBS) -lcmocka -lpthread
$(B)/vg-gst-%: tests/host/gst/%.c tests/host/fake_sys.c $(GST_TEST_HDR) $(GST_OBJ_LIB) $(LIB_OBJ) | gst-deps
	$(CC) $(GST_TEST_CC) -o $@ $< tests/host/fake_sys.c $(GST_OBJ_LIB) $(LIB_OBJ) \
		$(WRAP) $(GST_TEST_LIBS) -lcmocka -lpthread

install-gst: gst
	install -d $(DESTDIR)$(GST_PLUGINDIR)
	install -m 755 $(GST_PLUGIN) $(DESTDIR)$(GST_PLUGINDIR)/
