// SPDX-License-Identifier: MIT
/* The vivtheap GStreamer plugin, libgstvivtheap.so: the vivtheappool element. */
#include <gst/gst.h>

#include "debug.h"
#include "vivtheappool.h"

/* GST_PLUGIN_DEFINE's "source module". */
#define PACKAGE "vivtheap"

static gboolean plugin_init(GstPlugin *plugin)
{
	gst_vivtheap_debug_init();
	return GST_ELEMENT_REGISTER(vivtheappool, plugin);
}

/* The macro leaves GstPluginDesc's reserved fields to their zero default. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, vivtheap,
		  "dma-buf heap buffers for media pipelines: a pool element whose "
		  "frames come from vivtheap (or any dma-buf) heaps",
		  plugin_init, VIVTHEAP_VERSION_STRING, "MIT/X11", "vivtheap",
		  "docs/gstreamer.md in the vivtheap sources")
#pragma GCC diagnostic pop
