/* SPDX-License-Identifier: MIT */
/* The vivid V4L2 capture device, for the tests and the benchmark. */
#ifndef GT_VIVID_H
#define GT_VIVID_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/videodev2.h>

/* An fd of a vivid capture node that streams, or -1 if there is none. */
static inline int gt_open_vivid_capture(void)
{
	char path[64];
	int i, fd;

	for (i = 0; i < 64; i++) {
		struct v4l2_capability cap;

		snprintf(path, sizeof(path), "/dev/video%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (!ioctl(fd, VIDIOC_QUERYCAP, &cap) &&
		    !strcmp((char *)cap.driver, "vivid") &&
		    (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE) &&
		    (cap.device_caps & V4L2_CAP_STREAMING))
			return fd;
		close(fd);
	}
	return -1;
}

#endif /* GT_VIVID_H */
