// SPDX-License-Identifier: MIT
/*
 * gst_mapbench: the cost of a gst_memory_map()/unmap() pair on vivtheappool's memory against GStreamer's own dma-buf memory on a buffer of the same heap and size.
 *
 *   gst_mapbench [-r RUNS] [-i PAIRS] [HEAP...]     (default 5, 50; uncached wc cached)
 *
 * Run by tests/guest/init.sh in bench mode next to gst_bench (ci/guest.sh
 * distro-armmp chardev bench, under -icount: docs/benchmarks.md).
 *
 * For each frame layout (YUY2 640x480, NV12 1920x1080) and HEAP, two
 * frames come out of "videotestsrc ! vivtheappool heap=HEAP ! appsink":
 * the first's memory is ours (GstVivtheapAllocator: one bracket per map,
 * the mapping kept); the second's fd, dup()ed, is wrapped by GStreamer's
 * gst_dmabuf_allocator_alloc() as any application would (1.22: a
 * DMA_BUF_IOCTL_SYNC at every map and unmap, and an mmap()/munmap() per
 * map unless the memory is GST_FD_MEMORY_FLAG_KEEP_MAPPED), and once more
 * with KEEP_MAPPED, to tell the bracket from the mmap(). Each of READ,
 * WRITE and READWRITE is timed as PAIRS map/unmap pairs, the best of RUNS
 * runs; the data are not touched. Every map must succeed, and every run
 * must show exactly PAIRS begin_cpu_access in the heap's debugfs stats (one
 * bracket per map, in both allocators), or the program fails.
 *
 * Prints, per layout, heap and direction:
 *   gst-mapbench: LAYOUT BYTES HEAP DIR ours U gst G keep K ours/gst R ours/keep Q
 * with U, G, K in microseconds per pair.
 */
#include <errno.h>
#include <gst/allocators/allocators.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gt_gst.h"

static guint runs = 5, pairs = 50;

static void die(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gt_gst_vfail(fmt, ap);
	va_end(ap);
	exit(1);
}

static gint64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* begin_cpu_access of HEAP so far, from vivtheap's debugfs. */
static long long begins(const char *heap)
{
	gchar *path = g_strdup_printf("/sys/kernel/debug/vivtheap/%s/stats", heap);
	long long v = -1;
	char line[128];
	FILE *f = fopen(path, "r");

	if (!f)
		die("%s: %s", path, g_strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "begin_cpu_access %lld", &v) == 1)
			break;
	fclose(f);
	if (v < 0)
		die("%s: no begin_cpu_access", path);
	g_free(path);
	return v;
}

/* Best time of a map/unmap pair of MEM in µs, over the runs. */
static double time_pairs(GstMemory *mem, GstMapFlags flags, const char *heap,
			 const char *what)
{
	gint64 best = G_MAXINT64, t;
	long long b0;
	GstMapInfo mi;
	guint r, i;

	for (r = 0; r < runs; r++) {
		b0 = begins(heap);
		t = now_ns();
		for (i = 0; i < pairs; i++) {
			if (!gst_memory_map(mem, &mi, flags))
				die("%s %s: map %u failed", heap, what, i);
			gst_memory_unmap(mem, &mi);
		}
		t = now_ns() - t;
		if (begins(heap) - b0 != pairs)
			die("%s %s: %lld brackets for %u maps", heap, what,
			    begins(heap) - b0, pairs);
		best = MIN(best, t);
	}
	return (double)best / pairs / 1000.0;
}

static const char *heap_dir(const char *heap)
{
	return !strcmp(heap, "uncached") ? "vivtheap-uncached" :
	       !strcmp(heap, "wc") ? "vivtheap-wc" :
	       !strcmp(heap, "cached") ? "vivtheap-cached" : NULL;
}

static void bench(const char *layout, const char *caps, const char *heap)
{
	static const struct {
		GstMapFlags flags;
		const char *name;
	} dirs[] = { { GST_MAP_READ, "read" },
		     { GST_MAP_WRITE, "write" },
		     { GST_MAP_READWRITE, "readwrite" } };
	gchar *desc = g_strdup_printf("videotestsrc num-buffers=2 ! %s ! vivtheappool heap=%s min-buffers=2 ! appsink name=sink",
				      caps, heap);
	GstAllocator *dmabuf = gst_dmabuf_allocator_new();
	GstMemory *ours, *other, *gst, *keep;
	GstSample *s1, *s2;
	GstElement *pipeline, *sink;
	GError *err = NULL;
	const char *dir = heap_dir(heap);
	guint d;

	pipeline = gst_parse_launch(desc, &err);
	if (!pipeline || err)
		die("%s: %s", desc, err ? err->message : "no pipeline");
	g_free(desc);
	sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
	if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
		die("heap=%s: the pipeline did not start", heap);
	s1 = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 60 * GST_SECOND);
	s2 = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 60 * GST_SECOND);
	if (!s1 || !s2)
		die("heap=%s: two frames did not come", heap);
	ours = gst_buffer_peek_memory(gst_sample_get_buffer(s1), 0);
	other = gst_buffer_peek_memory(gst_sample_get_buffer(s2), 0);
	if (!gst_mini_object_get_qdata(GST_MINI_OBJECT(ours),
				       g_quark_from_static_string("GstVivtheapMemoryCaching")) ||
	    !gst_is_dmabuf_memory(other) || other->maxsize != ours->maxsize)
		die("heap=%s: the frames are not vivtheap memory of one size", heap);
	/* The same extent as ours, on a buffer of the same heap. */
	gst = gst_dmabuf_allocator_alloc(dmabuf, dup(gst_dmabuf_memory_get_fd(other)),
					 other->maxsize);
	keep = gst_dmabuf_allocator_alloc_with_flags(dmabuf,
						     dup(gst_dmabuf_memory_get_fd(other)),
						     other->maxsize,
						     GST_FD_MEMORY_FLAG_KEEP_MAPPED);
	if (!gst || !keep || gst->allocator == ours->allocator)
		die("heap=%s: GStreamer's dma-buf allocator did not wrap the fd", heap);
	gst_memory_resize(gst, (gssize)ours->offset, ours->size);
	gst_memory_resize(keep, (gssize)ours->offset, ours->size);

	for (d = 0; d < G_N_ELEMENTS(dirs); d++) {
		double o = time_pairs(ours, dirs[d].flags, dir, "ours");
		double g = time_pairs(gst, dirs[d].flags, dir, "gst");
		double k = time_pairs(keep, dirs[d].flags, dir, "gst keep-mapped");

		printf("gst-mapbench: %s %" G_GSIZE_FORMAT " %s %s ours %.1f gst %.1f keep %.1f ours/gst %.3f ours/keep %.3f\n",
		       layout, ours->size, heap, dirs[d].name, o, g, k, o / g, o / k);
	}
	gst_memory_unref(gst);
	gst_memory_unref(keep);
	gst_sample_unref(s1);
	gst_sample_unref(s2);
	gt_gst_free(pipeline, sink);
	gst_object_unref(dmabuf);
}

int main(int argc, char **argv)
{
	static char *all[] = { "gst_mapbench", "uncached", "wc", "cached", NULL };
	int opt, i;

	while ((opt = getopt(argc, argv, "r:i:")) != -1) {
		if (opt == 'r')
			runs = (guint)strtoul(optarg, NULL, 10);
		else if (opt == 'i')
			pairs = (guint)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	if (!runs || !pairs) {
		fprintf(stderr, "usage: gst_mapbench [-r RUNS] [-i PAIRS] [uncached|wc|cached...]\n");
		return 2;
	}
	if (optind == argc) {
		argv = all;
		argc = G_N_ELEMENTS(all) - 1;
		optind = 1;
	}
	for (i = optind; i < argc; i++)
		if (!heap_dir(argv[i]))
			die("unknown heap %s", argv[i]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	gt_gst_init();
	printf("gst-mapbench: %u map/unmap pairs a run, best of %u, microseconds a pair\n",
	       pairs, runs);
	for (i = optind; i < argc; i++) {
		bench("YUY2-640x480", "video/x-raw,format=YUY2,width=640,height=480", argv[i]);
		bench("NV12-1920x1080", "video/x-raw,format=NV12,width=1920,height=1080", argv[i]);
	}
	gst_deinit();
	return 0;
}
