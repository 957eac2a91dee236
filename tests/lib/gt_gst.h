/* SPDX-License-Identifier: MIT */
/* What the GStreamer programs of the guest share (tests/guest/gst, tests/bench/gst). */
#ifndef GT_GST_H
#define GT_GST_H

#include <gst/gst.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* "FAIL <fmt ...>", a line of its own. */
static inline void gt_gst_vfail(const char *fmt, va_list ap)
{
	printf("FAIL ");
	vprintf(fmt, ap);
	printf("\n");
}

/* gst_init() with what tests/guest/gst_pipelines.sh sets: a writable registry. */
static inline void gt_gst_init(void)
{
	setenv("HOME", "/tmp", 0);
	setenv("GST_REGISTRY", "/tmp/gst-registry.bin", 0);
	gst_init(NULL, NULL);
}

/*
 * After the last sample: waits up to @timeout for EOS or an ERROR on the
 * pipeline's bus. Returns the message's type, 0 if none came; for an ERROR
 * its text in *@error (the caller g_free()s it).
 */
static inline GstMessageType gt_gst_wait_end(GstElement *pipeline,
					     GstClockTime timeout, gchar **error)
{
	GstBus *bus = gst_element_get_bus(pipeline);
	GstMessage *msg = gst_bus_timed_pop_filtered(bus, timeout,
						     GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
	GstMessageType type = msg ? GST_MESSAGE_TYPE(msg) : (GstMessageType)0;
	GError *err = NULL;

	if (type == GST_MESSAGE_ERROR) {
		gst_message_parse_error(msg, &err, NULL);
		*error = g_strdup(err->message);
		g_error_free(err);
	}
	if (msg)
		gst_message_unref(msg);
	gst_object_unref(bus);
	return type;
}

/* Stops @pipeline; drops it and @sink, a reference taken from it. */
static inline void gt_gst_free(GstElement *pipeline, GstElement *sink)
{
	gst_element_set_state(pipeline, GST_STATE_NULL);
	gst_object_unref(sink);
	gst_object_unref(pipeline);
}

#endif /* GT_GST_H */
