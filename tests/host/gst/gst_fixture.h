/* SPDX-License-Identifier: MIT */
/*
 * What the plugin's host tests share:
 * - GStreamer set up once per test binary (group setup and teardown), with
 *   its registry in the build directory, the system's plugins only, and
 *   vivtheappool registered from the objects under test;
 * - per case a fresh fake kernel (tests/host/fake_sys.c) with vivtheap's
 *   three heaps, the kernel's "system" heap and a "linux,cma" heap; at
 *   teardown no fd may be left open, nothing mapped, no bracket broken;
 * - a witness of DMA_BUF_IOCTL_SYNC issued around libvivtheap's back:
 *   ioctl(2) itself, interposed here. GstDmaBufAllocator's own map syncs
 *   with ioctl(2) on the memory's fd; every sync of the plugin must go
 *   through libvivtheap's seam instead, where the fake kernel counts it.
 */
#ifndef GST_FIXTURE_H
#define GST_FIXTURE_H

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/vivtheap.h>
#include <vivtheap.h>

#include <gst/gst.h>

#include "cmocka_shim.h"
#include "fake_sys.h"
#include "vivtheappool.h"

static int foreign_syncs;

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (request == DMA_BUF_IOCTL_SYNC) {
		__atomic_add_fetch(&foreign_syncs, 1, __ATOMIC_SEQ_CST);
		errno = EBADF; /* the fake kernel's fds are no real ones */
		return -1;
	}
	return (int)syscall(SYS_ioctl, fd, request, arg);
}

/*
 * The errors the vivtheap category logs go to fixture_errors while a test
 * sets it (and the category's threshold); everything is printed as usual
 * when GST_DEBUG asks for it.
 */
static GString *fixture_errors;

static void fixture_log(GstDebugCategory *category, GstDebugLevel level,
			const gchar *file, const gchar *function, gint line,
			GObject *object, GstDebugMessage *message, gpointer data)
{
	if (fixture_errors && level == GST_LEVEL_ERROR &&
	    !strcmp(gst_debug_category_get_name(category), "vivtheap"))
		g_string_append_printf(fixture_errors, "%s\n", gst_debug_message_get(message));
	if (g_getenv("GST_DEBUG"))
		gst_debug_log_default(category, level, file, function, line, object,
				      message, NULL);
}

static int gst_group_setup(void **state)
{
	/* Not the user's registry nor plugin path (it may hold this plugin). */
	g_setenv("GST_REGISTRY", GST_TEST_BUILD_DIR "/gst-test-registry.bin", TRUE);
	g_unsetenv("GST_PLUGIN_PATH");
	g_unsetenv("GST_PLUGIN_PATH_1_0");
	/*
	 * The one log function, set before gst_init() (GStreamer leaks its
	 * list of them when one is added or removed later, gstinfo.c).
	 */
	gst_debug_remove_log_function(gst_debug_log_default);
	gst_debug_add_log_function(fixture_log, NULL, NULL);
	gst_init(NULL, NULL);
	/* A failed case can leave a pipeline running, and gst_deinit() waits for it. */
	alarm(600);
	assert_true(GST_ELEMENT_REGISTER(vivtheappool, NULL));
	(void)state;
	return 0;
}

static int gst_group_teardown(void **state)
{
	gst_deinit();
	(void)state;
	return 0;
}

static int gst_setup(void **state)
{
	fake_reset();
	fake_set_ctl(1);
	fake_add_heap("vivtheap-uncached", 1, VIVTHEAP_CACHE_UNCACHED);
	fake_add_heap("vivtheap-wc", 1, VIVTHEAP_CACHE_WC);
	fake_add_heap("vivtheap-cached", 1, VIVTHEAP_CACHE_CACHED);
	fake_add_heap("system", 0, 0);
	fake_add_heap("linux,cma", 0, 0);
	foreign_syncs = 0;
	(void)state;
	return 0;
}

static int gst_teardown(void **state)
{
	assert_int_equal(fake_open_fds(), 0);
	assert_int_equal(fake_mappings(), 0);
	if (fake_violations())
		fail_msg("the plugin broke the bracket protocol: %s", fake_last_violation());
	assert_int_equal(foreign_syncs, 0);
	(void)state;
	return 0;
}

/*
 * Drop the caller's reference to a pipeline and wait until it is finalized
 * (10 s at most): GstBin's state-change thread may hold one a moment after
 * gst_element_set_state() returned, and frees the frames then.
 */
static inline void unref_and_wait(gpointer object)
{
	GWeakRef ref;
	GObject *o;
	int i;

	g_weak_ref_init(&ref, object);
	gst_object_unref(object);
	for (i = 0; i < 1000 && (o = g_weak_ref_get(&ref)); i++) {
		g_object_unref(o);
		g_usleep(10000);
	}
	g_weak_ref_clear(&ref);
	if (i == 1000)
		fail_msg("%p still referenced 10 s after its last unref", object);
}

#define GST_TEST(f) cmocka_unit_test_setup_teardown(f, gst_setup, gst_teardown)

#endif /* GST_FIXTURE_H */
