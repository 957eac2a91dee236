// SPDX-License-Identifier: MIT
/*
 * gst_share: a frame handed to another process through its dma-buf fd arrives intact, on each heap (GStreamer 1.22 has no unixfdsink).
 *
 *   gst_share [-n FRAMES] [HEAP...]    HEAP: uncached, wc or cached
 *
 * (tests/guest/list runs it as it is: 10 frames, the three heaps.)
 * Process B is forked before GStreamer starts and knows nothing of it. A
 * first renders FRAMES frames of "videotestsrc pattern=ball" (a moving
 * ball: no two frames alike) into system memory and keeps each frame's
 * hash. Then, for each HEAP, A runs
 *   videotestsrc num-buffers=FRAMES pattern=ball ! NV12 640x480
 *     ! vivtheappool heap=HEAP ! appsink
 * and for every frame: checks that it is one dma-buf memory of vivtheap's
 * of that caching, hashes it under a READ map (so inside the allocator's
 * bracket), sends the memory's fd (gst_dmabuf_memory_get_fd()) over a UNIX
 * socket with SCM_RIGHTS, with its offset, size and the hash, and waits.
 * B takes the fd, checks that the dma-buf is as large as the memory says,
 * mmap()s it, brackets its read with DMA_BUF_IOCTL_SYNC START/END READ,
 * hashes the same bytes, unmaps and closes, and replies with its hash. A
 * lets the frame go back to the pool only after B's reply; every hash must
 * be the system-memory frame's, A's and B's alike, and each heap must pass
 * exactly FRAMES frames. Exit 0 when all did, 1 otherwise ("FAIL ..."
 * says which). The runner checks afterwards that no dma-buf is left.
 */
#include <errno.h>
#include <stdarg.h>
#include <gst/allocators/allocators.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <linux/dma-buf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gt_gst.h"

#define CAPS "video/x-raw,format=NV12,width=640,height=480"
#define MAX_FRAMES 64

/* A to B, with the fd; B to A, the reply. */
struct frame_msg {
	guint32 frame;
	guint64 offset, size, maxsize, hash;
};

struct reply_msg {
	guint32 frame;
	gint32 ok;
	guint64 hash;
	char why[128];
};

static guint64 fnv1a(const guint8 *p, gsize n)
{
	guint64 h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* --- process B ----------------------------------------------------------- */

static int dmabuf_sync(int fd, guint64 flags)
{
	struct dma_buf_sync s = { .flags = flags };
	int ret;

	do
		ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	while (ret && (errno == EINTR || errno == EAGAIN));
	return ret;
}

/* One frame: its fd in, the reply out (why is empty when ok). */
static void b_check(int fd, const struct frame_msg *m, struct reply_msg *r)
{
	off_t end = lseek(fd, 0, SEEK_END);
	void *map;

	if (end != (off_t)m->maxsize) {
		snprintf(r->why, sizeof(r->why),
			 "the dma-buf is %lld bytes, the memory says %llu",
			 (long long)end, (unsigned long long)m->maxsize);
		return;
	}
	map = mmap(NULL, m->maxsize, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(r->why, sizeof(r->why), "mmap: %s", strerror(errno));
		return;
	}
	if (dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ)) {
		snprintf(r->why, sizeof(r->why), "SYNC START READ: %s", strerror(errno));
	} else {
		r->hash = fnv1a((const guint8 *)map + m->offset, m->size);
		if (dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
			snprintf(r->why, sizeof(r->why), "SYNC END READ: %s",
				 strerror(errno));
		else if (r->hash != m->hash)
			snprintf(r->why, sizeof(r->why),
				 "B read %016llx, A hashed %016llx",
				 (unsigned long long)r->hash,
				 (unsigned long long)m->hash);
		else
			r->ok = 1;
	}
	munmap(map, m->maxsize);
}

/* Until A closes its end: exit 0 if every frame came with one fd. */
static int process_b(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 2)];
	struct frame_msg m;
	struct reply_msg r;
	int bad = 0;

	for (;;) {
		struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c;
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		int fd = -1, nfds = 0;

		if (n == 0)
			return bad ? 1 : 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			printf("FAIL B: recvmsg: %s\n", strerror(errno));
			return 1;
		}
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			nfds += (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(&fd, CMSG_DATA(c), sizeof(fd));
		}
		memset(&r, 0, sizeof(r));
		r.frame = m.frame;
		if (n != sizeof(m) || (mh.msg_flags & MSG_CTRUNC) || nfds != 1)
			snprintf(r.why, sizeof(r.why),
				 "a message of %zd bytes with %d fds", n, nfds);
		else
			b_check(fd, &m, &r);
		if (fd >= 0)
			close(fd);
		bad += !r.ok;
		if (send(sock, &r, sizeof(r), 0) != sizeof(r)) {
			printf("FAIL B: send: %s\n", strerror(errno));
			return 1;
		}
	}
}

/* --- process A ----------------------------------------------------------- */

static int failed;
/* Frames B read intact, in the pipeline that runs. */
static guint shared;

static void fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gt_gst_vfail(fmt, ap);
	va_end(ap);
	failed++;
}

static const char *caching_of(GstMemory *mem)
{
	const char *c = gst_mini_object_get_qdata(GST_MINI_OBJECT(mem),
		g_quark_from_static_string("GstVivtheapMemoryCaching"));

	return c ? c : "none";
}

/* Hash of the buffer's bytes under a READ map; the memory in *mem. */
static gboolean hash_buffer(GstBuffer *buf, guint64 *hash, GstMemory **mem)
{
	GstMapInfo mi;

	if (gst_buffer_n_memory(buf) != 1)
		return FALSE;
	*mem = gst_buffer_peek_memory(buf, 0);
	if (!gst_memory_map(*mem, &mi, GST_MAP_READ))
		return FALSE;
	*hash = fnv1a(mi.data, mi.size);
	gst_memory_unmap(*mem, &mi);
	return TRUE;
}

/* A frame to B and back; the sample is held until B's reply. */
static void share_frame(int sock, const char *heap, guint n, GstMemory *mem,
			guint64 hash, guint64 want)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct frame_msg m = { .frame = n, .offset = mem->offset,
			       .size = mem->size, .maxsize = mem->maxsize,
			       .hash = hash };
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int fd = gst_dmabuf_memory_get_fd(mem);
	struct reply_msg r;
	ssize_t got;

	if (hash != want)
		fail("heap=%s frame %u: A read %016llx, system memory's is %016llx",
		     heap, n, (unsigned long long)hash, (unsigned long long)want);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	if (sendmsg(sock, &mh, 0) != sizeof(m)) {
		fail("heap=%s frame %u: sendmsg: %s", heap, n, strerror(errno));
		return;
	}
	do
		got = recv(sock, &r, sizeof(r), 0);
	while (got < 0 && errno == EINTR);
	if (got != sizeof(r) || r.frame != n)
		fail("heap=%s frame %u: no reply from B (%zd bytes)", heap, n, got);
	else if (!r.ok)
		fail("heap=%s frame %u: B: %s", heap, n, r.why);
	else if (r.hash != want)
		fail("heap=%s frame %u: B read %016llx, system memory's is %016llx",
		     heap, n, (unsigned long long)r.hash, (unsigned long long)want);
	else
		shared++;
}

/*
 * Runs "videotestsrc ... ! MIDDLE appsink": without a socket, the hashes
 * into ref[] (system memory); with one, each frame through B, checked
 * against ref[]. Returns the frames seen.
 */
static guint run_pipeline(guint frames, const char *heap, const char *caching,
			  int sock, guint64 *ref)
{
	gchar *desc = heap ?
		g_strdup_printf("videotestsrc num-buffers=%u pattern=ball ! " CAPS
				" ! vivtheappool heap=%s ! appsink name=sink", frames, heap) :
		g_strdup_printf("videotestsrc num-buffers=%u pattern=ball ! " CAPS
				" ! appsink name=sink", frames);
	const char *what = heap ? heap : "system memory";
	GstElement *pipeline, *sink;
	gchar *error = NULL;
	GstMessageType type;
	GError *err = NULL;
	GstSample *sample;
	guint n = 0;

	pipeline = gst_parse_launch(desc, &err);
	g_free(desc);
	/* A missing element gives a pipeline and an error: it would not run. */
	if (!pipeline || err) {
		fail("%s: parse: %s", what, err ? err->message : "?");
		g_clear_error(&err);
		if (pipeline)
			gst_object_unref(pipeline);
		return 0;
	}
	sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
	if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
		fail("%s: the pipeline did not start", what);
	/* An error upstream does not wake the sink: at most 30 s a frame. */
	while ((sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 30 * GST_SECOND))) {
		GstBuffer *buf = gst_sample_get_buffer(sample);
		GstMemory *mem;
		guint64 h;

		if (n >= frames) {
			fail("%s: more than %u frames", what, frames);
		} else if (!buf || !hash_buffer(buf, &h, &mem)) {
			fail("%s frame %u: not one memory, or it does not map", what, n);
		} else if (!heap) {
			ref[n] = h;
		} else if (strcmp(caching_of(mem), caching) || !gst_is_dmabuf_memory(mem)) {
			fail("heap=%s frame %u: memory of caching %s%s, want vivtheap's %s",
			     heap, n, caching_of(mem),
			     gst_is_dmabuf_memory(mem) ? "" : " (not dma-buf)", caching);
		} else {
			share_frame(sock, heap, n, mem, h, ref[n]);
		}
		/* Only now may the frame go back to the pool. */
		gst_sample_unref(sample);
		n++;
	}
	type = gt_gst_wait_end(pipeline, 10 * GST_SECOND, &error);
	if (!type)
		fail("%s: no EOS after %u frames", what, n);
	else if (type == GST_MESSAGE_ERROR)
		fail("%s: ERROR: %s", what, error);
	g_free(error);
	gt_gst_free(pipeline, sink);
	return n;
}

static const char *caching_word(const char *heap)
{
	if (!strcmp(heap, "uncached"))
		return "uncached";
	if (!strcmp(heap, "wc"))
		return "write-combined";
	if (!strcmp(heap, "cached"))
		return "cached";
	return NULL;
}

int main(int argc, char **argv)
{
	static char *all[] = { "gst_share", "uncached", "wc", "cached", NULL };
	guint64 ref[MAX_FRAMES];
	guint frames = 10, n, i, j;
	int sv[2], opt, status;
	pid_t b;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n')
			return 2;
		frames = (guint)strtoul(optarg, NULL, 10);
	}
	if (!frames || frames > MAX_FRAMES) {
		fprintf(stderr, "usage: gst_share [-n FRAMES (1..%d)] [uncached|wc|cached...]\n",
			MAX_FRAMES);
		return 2;
	}
	if (optind == argc) {
		argv = all;
		argc = G_N_ELEMENTS(all) - 1;
		optind = 1;
	}
	for (i = (guint)optind; i < (guint)argc; i++)
		if (!caching_word(argv[i])) {
			fprintf(stderr, "gst_share: unknown heap %s\n", argv[i]);
			return 2;
		}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* B first, before GStreamer has threads: it never touches GStreamer. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		printf("FAIL socketpair: %s\n", strerror(errno));
		return 1;
	}
	b = fork();
	if (b < 0) {
		printf("FAIL fork: %s\n", strerror(errno));
		return 1;
	}
	if (b == 0) {
		close(sv[0]);
		_exit(process_b(sv[1]));
	}
	close(sv[1]);

	gt_gst_init();

	n = run_pipeline(frames, NULL, NULL, -1, ref);
	if (n != frames)
		fail("system memory: %u frames, want %u", n, frames);
	/* A moving ball: a frame B read late (another frame's) would differ. */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (ref[i] == ref[j])
				fail("system memory: frames %u and %u are alike", i, j);
	for (i = (guint)optind; !failed && i < (guint)argc; i++) {
		int before = failed;

		shared = 0;
		n = run_pipeline(frames, argv[i], caching_word(argv[i]), sv[0], ref);
		if (n != frames || shared != frames)
			fail("heap=%s: %u frames, %u read intact by B, want %u",
			     argv[i], n, shared, frames);
		if (failed == before)
			printf("heap=%s: %u frames, each read intact by process B\n",
			       argv[i], n);
	}
	close(sv[0]);
	if (waitpid(b, &status, 0) != b || !WIFEXITED(status) || WEXITSTATUS(status))
		fail("process B: exit status %#x", status);
	gst_deinit();
	return failed ? 1 : 0;
}
