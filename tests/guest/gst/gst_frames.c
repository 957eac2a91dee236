// SPDX-License-Identifier: MIT
/*
 * gst_frames: a frame checker for the GStreamer guest test (gst_pipelines).
 *
 *   gst_frames [-m CACHING] [-d HEAP] PIPELINE
 *
 * Runs PIPELINE (gst-launch-1.0 syntax, ending in "appsink name=sink") to
 * EOS and prints one line per frame, "frame N HASH" (FNV-1a over the visible
 * bytes of every plane, mapped through the memory's allocator, so through
 * vivtheap's bracket when it is vivtheap's), then "frames N". With -m,
 * every frame must be one memory whose "GstVivtheapMemoryCaching" qdata is
 * CACHING ("none": memory that is not vivtheap's). With -d, at the first
 * frame /sys/kernel/debug/vivtheap/buffers must list buffers of HEAP, and
 * their count is printed. An ERROR on the bus is printed as "ERROR: text"
 * and exits 1; a check that fails prints "FAIL ..." and exits 1.
 */
#include <gst/allocators/allocators.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gt_gst.h"

static const char *want_caching;
static const char *debugfs_heap;

static int fail(const char *what)
{
	printf("FAIL %s\n", what);
	return 1;
}

/* Buffers of HEAP that vivtheap's debugfs lists now. */
static int debugfs_count(const char *heap)
{
	FILE *f = fopen("/sys/kernel/debug/vivtheap/buffers", "r");
	char line[256], name[64];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %63s", name) == 1 && !strcmp(name, heap))
			n++;
	fclose(f);
	return n;
}

static const char *memory_caching(GstMemory *mem)
{
	static GQuark q;
	const char *c;

	if (!q)
		q = g_quark_from_static_string("GstVivtheapMemoryCaching");
	c = gst_mini_object_get_qdata(GST_MINI_OBJECT(mem), q);
	if (!c && mem->parent)
		c = gst_mini_object_get_qdata(GST_MINI_OBJECT(mem->parent), q);
	return c ? c : "none";
}

static guint64 frame_hash(GstVideoFrame *vf)
{
	const GstVideoFormatInfo *fi = vf->info.finfo;
	guint64 h = 0xcbf29ce484222325ULL;
	guint p, y, x;

	for (p = 0; p < GST_VIDEO_FRAME_N_PLANES(vf); p++) {
		gint comp[GST_VIDEO_MAX_COMPONENTS];
		const guint8 *row;
		guint w, rows;

		gst_video_format_info_component(fi, p, comp);
		w = GST_VIDEO_FRAME_COMP_WIDTH(vf, comp[0]) *
		    GST_VIDEO_FRAME_COMP_PSTRIDE(vf, comp[0]);
		rows = GST_VIDEO_FRAME_COMP_HEIGHT(vf, comp[0]);
		for (y = 0; y < rows; y++) {
			row = (const guint8 *)GST_VIDEO_FRAME_PLANE_DATA(vf, p) +
			      (gsize)y * GST_VIDEO_FRAME_PLANE_STRIDE(vf, p);
			for (x = 0; x < w; x++)
				h = (h ^ row[x]) * 0x100000001b3ULL;
		}
	}
	return h;
}

static int check_sample(GstSample *sample, guint n)
{
	GstBuffer *buf = gst_sample_get_buffer(sample);
	GstVideoInfo info;
	GstVideoFrame vf;
	GstMemory *mem;
	guint64 h;

	if (!buf || !gst_video_info_from_caps(&info, gst_sample_get_caps(sample)))
		return fail("a sample without a buffer or video caps");
	if (want_caching) {
		if (gst_buffer_n_memory(buf) != 1)
			return fail("a frame in more than one memory");
		mem = gst_buffer_peek_memory(buf, 0);
		if (strcmp(memory_caching(mem), want_caching)) {
			printf("FAIL frame %u: memory caching %s, want %s\n", n,
			       memory_caching(mem), want_caching);
			return 1;
		}
		if (strcmp(want_caching, "none") && !gst_is_dmabuf_memory(mem))
			return fail("vivtheap memory that is not dma-buf memory");
	}
	if (debugfs_heap && n == 0) {
		int k = debugfs_count(debugfs_heap);

		if (k <= 0) {
			printf("FAIL debugfs lists %d buffers of %s while the pipeline runs\n",
			       k, debugfs_heap);
			return 1;
		}
		printf("debugfs %s buffers %d\n", debugfs_heap, k);
	}
	if (!gst_video_frame_map(&vf, &info, buf, GST_MAP_READ))
		return fail("gst_video_frame_map failed");
	h = frame_hash(&vf);
	gst_video_frame_unmap(&vf);
	printf("frame %u %016llx\n", n, (unsigned long long)h);
	return 0;
}

int main(int argc, char **argv)
{
	GstElement *pipeline, *sink;
	GstMessageType type;
	gchar *error = NULL;
	GError *err = NULL;
	GstSample *sample;
	int opt, rc = 0;
	guint n = 0;

	gst_init(&argc, &argv);
	while ((opt = getopt(argc, argv, "m:d:")) != -1) {
		if (opt == 'm')
			want_caching = optarg;
		else if (opt == 'd')
			debugfs_heap = optarg;
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: gst_frames [-m CACHING] [-d HEAP] PIPELINE\n");
		return 2;
	}
	pipeline = gst_parse_launch(argv[optind], &err);
	if (!pipeline) {
		printf("FAIL parse: %s\n", err ? err->message : "?");
		return 1;
	}
	sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
	if (!sink || !GST_IS_APP_SINK(sink))
		return fail("the pipeline has no appsink named sink");
	/* A start that fails (an element's start error) leaves no sample. */
	if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
		rc = -1;
	while (!rc && (sample = gst_app_sink_pull_sample(GST_APP_SINK(sink)))) {
		rc = check_sample(sample, n++);
		gst_sample_unref(sample);
	}
	/* EOS, or an error that stopped the sink: the bus says which. */
	type = gt_gst_wait_end(pipeline, rc > 0 ? 0 : 10 * GST_SECOND, &error);
	if (type == GST_MESSAGE_ERROR) {
		printf("ERROR: %s\n", error);
		g_free(error);
		rc = 1;
	} else if (rc < 0) {
		rc = fail("the pipeline did not start and posted no error");
	} else if (!rc && !type) {
		rc = fail("no EOS after the last frame");
	}
	gt_gst_free(pipeline, sink);
	if (!rc)
		printf("frames %u\n", n);
	return rc;
}
