// SPDX-License-Identifier: MIT
/*
 * The coherency scenarios (docs/cachemodel.md, ci/coherency.sh): every way a
 * buffer is handed between the CPU's aliases and a device, on each vivtheap
 * heap and on the kernel's own heaps, each in a window the VIVT cache model
 * judges (vivtcache_mark(): a no-op outside the model):
 *
 *   cpu-to-device   user writes, END; the test importer reads it as a device
 *   device-to-cpu   user reads (lines in its alias), the importer writes as a
 *                   device, START READ, user reads
 *   user-to-vmap    user writes, END; the importer reads through dma_buf_vmap
 *   vmap-to-user    user reads, the importer writes through dma_buf_vmap,
 *                   START READ, user reads
 *   fork            parent writes, a child reads and writes, the parent reads
 *   scm-rights      the same between two processes through SCM_RIGHTS
 *   two-maps        two mappings of one buffer in one process
 *   pool-reuse      a freed buffer's pages handed out again read as zeroes
 *   vivid           vivid captures into the buffers (vivtheap heaps)
 *   vgem            vgem imports the buffer (a hand-over) and hands it back;
 *                   writes through the returned fd's mapping, reads through
 *                   ours (vivtheap heaps)
 *   fault-skip-drain  (vivtheap-wc) the debugfs knob skips the write-buffer
 *                   drain at END: the model must report undrained hand-overs
 *   ranged          (vivtheap-cached) the user writes and reads the buffer in
 *                   two halves, each in its own VIVTHEAP_IOC_SYNC_RANGE
 *                   bracket, the importer reading and writing as a device
 *   fault-skip-user-clean  (vivtheap-cached) END skips the user alias's
 *                   clean: the device reads memory without the user's writes
 *   fault-skip-invalidate  (vivtheap-cached) START skips the invalidates: the
 *                   user reads its old lines, not what the device wrote
 *
 * qemu itself is coherent, so every read here sees what was written and the
 * test passes on every target (a mismatch is a real bug, with or without
 * the model). The model's verdict on each window is ci/coherency.sh's. Each
 * window names its buffer's physical pages (the test importer's "upages"), and
 * every buffer stays alive until the end so no page is in two windows but
 * pool-reuse's, which is about exactly that.
 */
#include "gt.h"
#include "gt_fd.h"
#include <dirent.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/videodev2.h>
#include <xf86drm.h>

#include "gt_upages.h"
#include "gt_vgem.h"
#include "gt_vivid.h"
#include "../../cachemodel/vivtcache-mark.h"

#define SIZE (8 * 4096u)
#define WORDS(n) ((n) / 4)
#define MAX_BUFS 160	/* 3 heaps of ours, and a device-tree boot's kernel heaps */
#define KNOB_DIR "/sys/kernel/debug/vivtheap/"
#define KNOB_DRAIN KNOB_DIR "fault_skip_drain"
#define KNOB_USER_CLEAN KNOB_DIR "fault_skip_user_clean"
#define KNOB_INVALIDATE KNOB_DIR "fault_skip_invalidate"

struct buf {
	int fd;
	volatile uint32_t *map;
	size_t size;
	char ranges[600];	/* "PA+LEN ..." of its pages */
};

static struct buf held[MAX_BUFS];
static int nheld;
static char window[128];

static struct buf *buf_new(int hfd, size_t size)
{
	struct buf *b;

	CHECK(nheld < MAX_BUFS);
	b = &held[nheld++];
	b->size = size;
	b->fd = gt_alloc(hfd, size, O_RDWR | O_CLOEXEC);
	if (b->fd < 0)
		FAIL("alloc %zu: %s", size, strerror(-b->fd));
	b->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);
	CHECK(b->map != MAP_FAILED);
	gt_page_ranges(b->map, size, b->ranges, sizeof(b->ranges));
	return b;
}

static void begin(const char *heap, const char *scenario, const char *ranges)
{
	char m[800];

	snprintf(window, sizeof(window), "%s/%s", heap, scenario);
	snprintf(m, sizeof(m), "begin %s %s", window, ranges);
	printf("WINDOW %s %s\n", window, ranges);
	fflush(stdout);
	vivtcache_mark(m);
}

static void end(void)
{
	vivtcache_mark("end");
}

static void sync_or_fail(int fd, uint64_t flags)
{
	if (gt_sync(fd, flags))
		FAIL("%s: DMA_BUF_IOCTL_SYNC %llx: %s", window, (unsigned long long)flags,
		     strerror(errno));
}

/* Reads every word: the user alias's lines are in the cache now. */
static uint32_t prime(const struct buf *b, volatile uint32_t *map)
{
	uint32_t sum = 0;

	sync_or_fail(b->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (size_t w = 0; w < WORDS(b->size); w++)
		sum += map[w];
	sync_or_fail(b->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	return sum;
}

static void fill(const struct buf *b, volatile uint32_t *map, uint32_t seed)
{
	sync_or_fail(b->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	for (size_t w = 0; w < WORDS(b->size); w++)
		map[w] = seed + (uint32_t)w;
	sync_or_fail(b->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
}

/*
 * fill() in a read-write bracket, each word read before it is written: on
 * the ARM926, which allocates no line on a write miss, only a store that
 * hits a line read in before leaves a dirty line in the writer's alias.
 */
static void rmw_fill(const struct buf *b, volatile uint32_t *map, uint32_t seed)
{
	sync_or_fail(b->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	for (size_t w = 0; w < WORDS(b->size); w++)
		map[w] = map[w] - map[w] + seed + (uint32_t)w;
	sync_or_fail(b->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
}

/* seed + w in every word w (seed 0 and zero: all zeroes). */
static void check(const struct buf *b, volatile uint32_t *map, uint32_t seed, int zero)
{
	size_t bad = 0, first = 0;

	sync_or_fail(b->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	for (size_t w = 0; w < WORDS(b->size); w++) {
		uint32_t want = zero ? 0 : seed + (uint32_t)w;

		if (map[w] != want && !bad++)
			first = w;
	}
	sync_or_fail(b->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	if (bad)
		FAIL("%s: %zu words wrong, the first %zu: %08x", window, bad, first, map[first]);
}

/* The test importer (tests/kmod/vivtheap_test.c) as a device, or a vmap. */
static void importer(const char *op, int fd, uint32_t seed)
{
	char line[64];
	int f = open(GT_OP_FILE, O_WRONLY | O_CLOEXEC);
	int n = snprintf(line, sizeof(line), "%s %d %u", op, fd, seed);

	CHECK(f >= 0);
	if (write(f, line, (size_t)n) != n)
		FAIL("%s: importer %s: %s", window, line, strerror(errno));
	close(f);
}

/* A FAIL with a fault knob on must not leave it on for the next test. */
static void knobs_off(void)
{
	static const char *const knobs[] = {
		KNOB_DRAIN, KNOB_USER_CLEAN, KNOB_INVALIDATE,
	};

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		int f = open(knobs[i], O_WRONLY | O_CLOEXEC);

		if (f >= 0) {
			if (write(f, "N", 1) != 1)
				perror(knobs[i]);
			close(f);
		}
	}
}

static void knob(const char *path, const char *v)
{
	int f = open(path, O_WRONLY | O_CLOEXEC);

	CHECK(f >= 0);
	CHECK(write(f, v, 1) == 1);
	close(f);
}

static void sc_cpu_to_device(int hfd, const char *heap)
{
	struct buf *b = buf_new(hfd, SIZE);

	begin(heap, "cpu-to-device", b->ranges);
	prime(b, b->map);
	fill(b, b->map, 0x1000);
	importer("dev-read", b->fd, 0x1000);
	end();
}

static void sc_device_to_cpu(int hfd, const char *heap)
{
	struct buf *b = buf_new(hfd, SIZE);

	begin(heap, "device-to-cpu", b->ranges);
	fill(b, b->map, 0x2000);
	prime(b, b->map);
	importer("dev-write", b->fd, 0x2100);
	check(b, b->map, 0x2100, 0);
	end();
}

static void sc_user_to_vmap(int hfd, const char *heap)
{
	struct buf *b = buf_new(hfd, SIZE);

	begin(heap, "user-to-vmap", b->ranges);
	prime(b, b->map);
	fill(b, b->map, 0x3000);
	importer("vmap-read", b->fd, 0x3000);
	end();
}

static void sc_vmap_to_user(int hfd, const char *heap)
{
	struct buf *b = buf_new(hfd, SIZE);

	begin(heap, "vmap-to-user", b->ranges);
	fill(b, b->map, 0x4000);
	prime(b, b->map);
	/* several writes: each has its end_cpu_access hand-over judged */
	for (uint32_t round = 0; round < 4; round++)
		importer("vmap-write", b->fd, 0x4100 + round);
	check(b, b->map, 0x4103, 0);
	end();
}

static void wait_child(pid_t pid)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL("%s: the child failed (status %#x)", window, status);
}

static void sc_fork(int hfd, const char *heap)
{
	struct buf *b = buf_new(hfd, SIZE);
	pid_t pid;

	begin(heap, "fork", b->ranges);
	prime(b, b->map);
	fill(b, b->map, 0x5000);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		check(b, b->map, 0x5000, 0);
		fill(b, b->map, 0x5100);
		_exit(0);
	}
	wait_child(pid);
	check(b, b->map, 0x5100, 0);
	end();
}

/* The child is another process from before the buffer existed. */
static void sc_scm_rights(int hfd, const char *heap)
{
	int sv[2];
	struct buf *b;
	pid_t pid;
	char c = 0;

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (!pid) {
		struct buf r = { .size = SIZE };

		close(sv[0]);
		r.fd = gt_recv_fd(sv[1]);
		/* a different address than the sender's, most likely */
		r.map = mmap(NULL, 3 * SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(r.map != MAP_FAILED);
		r.map = mmap((char *)r.map + SIZE, SIZE, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_FIXED, r.fd, 0);
		CHECK(r.map != MAP_FAILED);
		check(&r, r.map, 0x6000, 0);
		fill(&r, r.map, 0x6100);
		CHECK(write(sv[1], &c, 1) == 1);
		_exit(0);
	}
	close(sv[1]);
	b = buf_new(hfd, SIZE);
	begin(heap, "scm-rights", b->ranges);
	prime(b, b->map);
	fill(b, b->map, 0x6000);
	gt_send_fd(sv[0], b->fd);
	CHECK(read(sv[0], &c, 1) == 1);
	wait_child(pid);
	check(b, b->map, 0x6100, 0);
	end();
	close(sv[0]);
}

static void sc_two_maps(int hfd, const char *heap)
{
	struct buf *b = buf_new(hfd, SIZE);
	volatile uint32_t *m2 = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, 0);

	CHECK(m2 != MAP_FAILED);
	begin(heap, "two-maps", b->ranges);
	prime(b, b->map);
	prime(b, m2);
	fill(b, b->map, 0x7000);
	check(b, m2, 0x7000, 0);
	fill(b, m2, 0x7100);
	check(b, b->map, 0x7100, 0);
	end();
	munmap((void *)m2, SIZE);
}

/* Returns whether the second buffer got the first one's pages. */
static int sc_pool_reuse(int hfd, const char *heap)
{
	struct buf a = { .size = SIZE }, *b;
	char ranges[sizeof(a.ranges)];
	int reused;

	a.fd = gt_alloc(hfd, SIZE, O_RDWR | O_CLOEXEC);
	CHECK(a.fd >= 0);
	a.map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	CHECK(a.map != MAP_FAILED);
	gt_page_ranges(a.map, SIZE, ranges, sizeof(ranges));
	begin(heap, "pool-reuse", ranges);
	fill(&a, a.map, 0x8000);
	munmap((void *)a.map, SIZE);
	close(a.fd);
	b = buf_new(hfd, SIZE);
	check(b, b->map, 0, 1);
	end();
	reused = !strcmp(ranges, b->ranges);
	printf("%s: the new buffer %s the freed one's pages\n", window,
	       reused ? "has" : "does not have");
	return reused;
}

static void sc_vivid(int hfd, const char *heap)
{
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int vfd = gt_open_vivid_capture(), i, lines;
	unsigned int w, h;
	struct v4l2_requestbuffers req;
	struct v4l2_format fmt;
	struct v4l2_buffer vb;
	struct pollfd pfd;
	struct buf *b[2];
	char ranges[1300];
	const uint8_t *line;

	if (vfd < 0)
		FAIL("no vivid capture node (the target has vivid)");
	memset(&fmt, 0, sizeof(fmt));
	fmt.type = type;
	CHECK(ioctl(vfd, VIDIOC_G_FMT, &fmt) == 0);
	fmt.fmt.pix.width = 640;
	fmt.fmt.pix.height = 360;
	fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
	CHECK(ioctl(vfd, VIDIOC_S_FMT, &fmt) == 0);
	w = fmt.fmt.pix.width;
	h = fmt.fmt.pix.height;
	CHECK(fmt.fmt.pix.pixelformat == V4L2_PIX_FMT_YUYV && w >= 64 && h >= 16);
	memset(&req, 0, sizeof(req));
	req.count = 2;
	req.type = type;
	req.memory = V4L2_MEMORY_DMABUF;
	CHECK(ioctl(vfd, VIDIOC_REQBUFS, &req) == 0 && req.count == 2);
	for (i = 0; i < 2; i++)
		b[i] = buf_new(hfd, (fmt.fmt.pix.sizeimage + 4095) & ~4095u);
	snprintf(ranges, sizeof(ranges), "%s %s", b[0]->ranges, b[1]->ranges);
	begin(heap, "vivid", ranges);
	for (i = 0; i < 2; i++) {
		prime(b[i], b[i]->map);
		memset(&vb, 0, sizeof(vb));
		vb.type = type;
		vb.memory = V4L2_MEMORY_DMABUF;
		vb.index = (uint32_t)i;
		vb.m.fd = b[i]->fd;
		vb.length = (uint32_t)b[i]->size;
		CHECK(ioctl(vfd, VIDIOC_QBUF, &vb) == 0);
	}
	CHECK(ioctl(vfd, VIDIOC_STREAMON, &type) == 0);
	pfd = (struct pollfd){ .fd = vfd, .events = POLLIN };
	CHECK(poll(&pfd, 1, 10000) == 1);
	memset(&vb, 0, sizeof(vb));
	vb.type = type;
	vb.memory = V4L2_MEMORY_DMABUF;
	CHECK(ioctl(vfd, VIDIOC_DQBUF, &vb) == 0 && vb.index < 2);
	sync_or_fail(b[vb.index]->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
	/* vivid's colour bars (as vivid_capture checks them) */
	for (lines = (int)h * 5 / 18; lines < (int)h * 6 / 18; lines++) {
		int seen[256] = { 0 }, d = 0;

		line = (const uint8_t *)b[vb.index]->map + lines * fmt.fmt.pix.bytesperline;
		for (unsigned int x = 0; x < w * 2; x++)
			if (!seen[line[x]]++)
				d++;
		if (d < 8)
			FAIL("%s: line %d of the %ux%u frame is not vivid's colour bars (%d byte values)",
			     window, lines, w, h, d);
	}
	sync_or_fail(b[vb.index]->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
	CHECK(ioctl(vfd, VIDIOC_STREAMOFF, &type) == 0);
	end();
	req.count = 0;
	CHECK(ioctl(vfd, VIDIOC_REQBUFS, &req) == 0);
	close(vfd);
}

/*
 * vgem imports the buffer and hands it back through PRIME. On these kernels
 * vgem's import only attaches (7.2: drm_gem_shmem_prime_import_no_map; no
 * dma_buf_map_attachment, so no hand-over to a device), and what PRIME
 * gives back is the same dma-buf (the same file, asserted): the scenario is
 * an importer's attachment living across a second mapping of the buffer,
 * written through one and read through the other. (vgem cannot mmap an
 * imported object itself: drm_gem_dumb_map_offset() refuses imports.)
 */
static void sc_vgem(int hfd, const char *heap)
{
	int drm = gt_open_vgem(), fd2;
	struct buf *b = buf_new(hfd, SIZE);
	volatile uint32_t *gm;
	uint32_t handle;

	if (drm < 0)
		FAIL("no vgem card (the target has vgem)");
	begin(heap, "vgem", b->ranges);
	prime(b, b->map);
	fill(b, b->map, 0x9000);
	CHECK(drmPrimeFDToHandle(drm, b->fd, &handle) == 0);
	CHECK(drmPrimeHandleToFD(drm, handle, DRM_CLOEXEC | DRM_RDWR, &fd2) == 0);
	{
		struct stat s1, s2;

		CHECK(fstat(b->fd, &s1) == 0 && fstat(fd2, &s2) == 0);
		if (s1.st_ino != s2.st_ino || s1.st_dev != s2.st_dev)
			FAIL("%s: vgem handed back another file than the buffer", window);
	}
	gm = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0);
	CHECK(gm != MAP_FAILED);
	check(b, gm, 0x9000, 0);
	fill(b, gm, 0x9100);
	check(b, b->map, 0x9100, 0);
	end();
	munmap((void *)gm, SIZE);
	close(fd2);
	CHECK(drmCloseBufferHandle(drm, handle) == 0);
	close(drm);
}

/*
 * vivtheap-wc with the drain skipped: the model must see it. The writer is
 * the kernel through a vmap, whose last store is a few instructions before
 * end_cpu_access. (A user writer's stores are pushed out of the write
 * buffer by the kernel's own store misses on its way into the ioctl, lockdep
 * first: the model shows nothing pending there, drain or not.) In one of
 * the first two runs a single kernel write too had nothing pending at the
 * return (13 stores were in the other): it writes eight times.
 */
static void sc_fault_skip_drain(int hfd, const char *heap)
{
	struct buf *b = buf_new(hfd, SIZE);

	begin(heap, "fault-skip-drain", b->ranges);
	knob(KNOB_DRAIN, "Y");
	/* an interrupt on the way can push the stores out: several rounds */
	for (uint32_t round = 0; round < 8; round++)
		importer("vmap-write", b->fd, 0xa000 + round);
	knob(KNOB_DRAIN, "N");
	check(b, b->map, 0xa007, 0);
	end();
}

/* A VIVTHEAP_IOC_SYNC_RANGE bracket of words [w0, w1) of @b. */
static void range_sync(const struct buf *b, uint32_t flags, size_t w0, size_t w1)
{
	static int ctl = -1;
	struct vivtheap_ioc_sync_range r = {
		.fd = (uint32_t)b->fd, .flags = flags,
		.offset = w0 * 4, .length = (w1 - w0) * 4,
	};

	if (ctl < 0)
		ctl = open(VIVTHEAP_CTL_PATH, O_RDWR | O_CLOEXEC);
	CHECK(ctl >= 0);
	if (ioctl(ctl, VIVTHEAP_IOC_SYNC_RANGE, &r))
		FAIL("%s: VIVTHEAP_IOC_SYNC_RANGE %#x words %zu..%zu: %s", window,
		     flags, w0, w1, strerror(errno));
}

/*
 * The user writes the buffer in two halves, each in its own ranged bracket;
 * the device reads it; the device writes; the user reads it in two ranged
 * brackets. Each range's maintenance must be enough for its half.
 */
static void sc_ranged(int hfd, const char *heap)
{
	struct buf *b = buf_new(hfd, SIZE);
	size_t half = WORDS(SIZE) / 2, bad = 0;

	begin(heap, "ranged", b->ranges);
	prime(b, b->map);
	for (int h = 0; h < 2; h++) {
		range_sync(b, VIVTHEAP_SYNC_START | VIVTHEAP_SYNC_RW, h * half, (h + 1) * half);
		/* read first: the stores hit lines, left dirty (rmw_fill()) */
		for (size_t w = h * half; w < (h + 1) * half; w++)
			b->map[w] = b->map[w] - b->map[w] + 0xb000 + (uint32_t)w;
		range_sync(b, VIVTHEAP_SYNC_END | VIVTHEAP_SYNC_RW, h * half, (h + 1) * half);
	}
	importer("dev-read", b->fd, 0xb000);
	importer("dev-write", b->fd, 0xb100);
	for (int h = 0; h < 2; h++) {
		range_sync(b, VIVTHEAP_SYNC_START | VIVTHEAP_SYNC_READ, h * half, (h + 1) * half);
		for (size_t w = h * half; w < (h + 1) * half; w++)
			bad += b->map[w] != 0xb100 + (uint32_t)w;
		range_sync(b, VIVTHEAP_SYNC_END | VIVTHEAP_SYNC_READ, h * half, (h + 1) * half);
	}
	if (bad)
		FAIL("%s: %zu words wrong", window, bad);
	end();
}

/*
 * The two faults of the cached heap each need a user line to survive the
 * device's access, a syscall through the test importer that runs enough
 * kernel code (DMA-API debug, lockdep) to evict most of a 16 KiB cache: in
 * one run a single line of the buffer survived it, in another none. So each
 * scenario runs eight rounds, with the knob on throughout (turning it on and
 * off is a syscall too).
 */
#define FAULT_ROUNDS 8

/*
 * END skips the user alias's clean: the user's writes stay in its dirty
 * lines (read, then written: rmw_fill()), and the device reads memory
 * without them. qemu is coherent: the read is right here; the model must
 * report it stale.
 */
static void sc_fault_skip_user_clean(int hfd, const char *heap)
{
	struct buf *b = buf_new(hfd, SIZE);

	begin(heap, "fault-skip-user-clean", b->ranges);
	knob(KNOB_USER_CLEAN, "Y");
	for (uint32_t round = 0; round < FAULT_ROUNDS; round++) {
		rmw_fill(b, b->map, 0xc000 + round);
		importer("dev-read", b->fd, 0xc000 + round);
	}
	knob(KNOB_USER_CLEAN, "N");
	end();
}

/*
 * START skips the invalidates: the user's old lines survive the device's
 * write, and the user reads them: stale reads, for the model.
 */
static void sc_fault_skip_invalidate(int hfd, const char *heap)
{
	struct buf *b = buf_new(hfd, SIZE);

	begin(heap, "fault-skip-invalidate", b->ranges);
	fill(b, b->map, 0xd000);
	knob(KNOB_INVALIDATE, "Y");
	for (uint32_t round = 0; round < FAULT_ROUNDS; round++) {
		prime(b, b->map);
		importer("dev-write", b->fd, 0xd100 + round);
		check(b, b->map, 0xd100 + round, 0);
	}
	knob(KNOB_INVALIDATE, "N");
	end();
}

/* The kernel's heaps present: "system" and a CMA one. */
static int kernel_heaps(char names[][64], int max)
{
	DIR *d = opendir(HEAP_DIR);
	struct dirent *e;
	int n = 0, i;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		int ours = e->d_name[0] == '.';

		for (i = 0; i < GT_NR_OUR_HEAPS; i++)
			ours |= !strcmp(e->d_name, gt_our_heaps[i]);
		if (!ours && strlen(e->d_name) < 64)
			memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	return n;
}

static void scenarios(const char *heap, int ours)
{
	int hfd = gt_heap_open(heap);

	if (hfd < 0)
		FAIL("open heap %s: %s", heap, strerror(errno));
	sc_cpu_to_device(hfd, heap);
	sc_device_to_cpu(hfd, heap);
	sc_user_to_vmap(hfd, heap);
	sc_vmap_to_user(hfd, heap);
	sc_fork(hfd, heap);
	sc_scm_rights(hfd, heap);
	sc_two_maps(hfd, heap);
	if (sc_pool_reuse(hfd, heap) != 1 && ours)
		FAIL("%s: the pool did not hand the freed buffer's pages out again", heap);
	if (ours) {
		sc_vivid(hfd, heap);
		sc_vgem(hfd, heap);
	}
	if (!strcmp(heap, VIVTHEAP_HEAP_WC_NAME))
		sc_fault_skip_drain(hfd, heap);
	if (!strcmp(heap, VIVTHEAP_HEAP_CACHED_NAME)) {
		sc_ranged(hfd, heap);
		sc_fault_skip_user_clean(hfd, heap);
		sc_fault_skip_invalidate(hfd, heap);
	}
	close(hfd);
}

int main(void)
{
	char kh[8][64];
	int n = kernel_heaps(kh, 8), i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	atexit(knobs_off);
	for (i = 0; i < GT_NR_OUR_HEAPS; i++)
		scenarios(gt_our_heaps[i], 1);
	if (!n && gt_expects("kheaps"))
		FAIL("the target promises the kernel's heaps (vivtheap.expect=kheaps): none");
	for (i = 0; i < n; i++)
		scenarios(kh[i], 0);
	for (i = 0; i < nheld; i++) {
		munmap((void *)held[i].map, held[i].size);
		close(held[i].fd);
	}
	printf("%d buffers on %d heaps, every read as written\n", nheld, GT_NR_OUR_HEAPS + n);
	return 0;
}
