// SPDX-License-Identifier: MIT
/*
 * The fake kernel: see fake_sys.h. Every seam call holds one lock.
 *
 * As strict as the kernel where the kernel refuses (DMA_HEAP_IOCTL_ALLOC's
 * fd, fd_flags and heap_flags; DMA_BUF_IOCTL_SYNC's flags; the control
 * node's VIVTHEAP_IOC_SYNC_RANGE, each errno of its uapi; a writable shared
 * mapping of a read-only fd), and a witness where the kernel is lenient but
 * the library promises more (an END without its START, or with another
 * direction, or another range, or through the other ioctl; an munmap of
 * something it did not map): those count as violations, which every test's
 * teardown asserts to be none.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/vivtheap.h>

#include "fake_sys.h"

#define MAX_FDS 256
#define MAX_HEAPS 8
#define MAX_OBJS 8192 /* buffer objects ever made in one test */
#define MAX_MAPS 64
#define FD_BASE 1000

enum kind { K_FREE, K_HEAP, K_BUF, K_CTL };

struct ffd {
	enum kind kind;
	int heap;    /* K_HEAP: index */
	int obj;     /* K_BUF: buffer object id */
};

static struct {
	char name[64];
	int ours;
	uint32_t mode;
} heaps[MAX_HEAPS];
static int nr_heaps, ctl_present, ctl_old;
static struct ffd fds[MAX_FDS];
static size_t buf_size[MAX_OBJS];
static int buf_heap[MAX_OBJS];
static int buf_mode[MAX_OBJS];    /* O_RDONLY or O_RDWR: the file's mode */
static uint64_t buf_open[MAX_OBJS]; /* the open bracket's direction */
/* The open bracket came through VIVTHEAP_IOC_SYNC_RANGE, on this range. */
static int buf_ranged[MAX_OBJS];
static uint64_t buf_roff[MAX_OBJS], buf_rlen[MAX_OBJS];
static int nr_bufs;
static struct { void *addr; size_t len; } maps[MAX_MAPS];
static int violations;
static char last_violation[128];
static int calls[FAKE_NR_OPS];
static struct { int nth, err, count; } fails[FAKE_NR_OPS];
static uint64_t last_sync, last_len, alloc_limit;
static uint32_t last_flags;
static int syncs, mappings, range_syncs;
static uint32_t last_range_flags;
static uint64_t last_range_off, last_range_len;
static char last_name[64];
static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
/* One queued message. */
static unsigned char q_data[256];
static size_t q_len;
static int q_fd = -1, q_full;

void fake_reset(void)
{
	memset(heaps, 0, sizeof(heaps));
	memset(fds, 0, sizeof(fds));
	memset(calls, 0, sizeof(calls));
	memset(fails, 0, sizeof(fails));
	memset(buf_open, 0, sizeof(buf_open));
	memset(maps, 0, sizeof(maps));
	memset(buf_ranged, 0, sizeof(buf_ranged));
	nr_heaps = ctl_present = ctl_old = nr_bufs = syncs = mappings = violations = 0;
	range_syncs = 0;
	last_range_flags = 0;
	last_range_off = last_range_len = 0;
	last_violation[0] = '\0';
	last_sync = last_len = alloc_limit = 0;
	last_flags = 0;
	last_name[0] = '\0';
	q_len = 0;
	q_fd = -1;
	q_full = 0;
}

void fake_add_heap(const char *name, int ours, uint32_t mode)
{
	strcpy(heaps[nr_heaps].name, name);
	heaps[nr_heaps].ours = ours;
	heaps[nr_heaps].mode = mode;
	nr_heaps++;
}

void fake_set_ctl(int present) { ctl_present = present; }
void fake_set_alloc_limit(uint64_t len) { alloc_limit = len; }
void fake_set_ctl_old(int old) { ctl_old = old; }

void fake_fail(enum fake_op op, int nth, int err, int count)
{
	fails[op].nth = calls[op] + nth;
	fails[op].err = err;
	fails[op].count = count;
}

int fake_calls(enum fake_op op) { return calls[op]; }
uint64_t fake_last_sync(void) { return last_sync; }
int fake_syncs(void) { return syncs; }
int fake_range_syncs(void) { return range_syncs; }

void fake_last_range(uint32_t *flags, uint64_t *offset, uint64_t *length)
{
	*flags = last_range_flags;
	*offset = last_range_off;
	*length = last_range_len;
}
const char *fake_last_name(void) { return last_name; }
int fake_mappings(void) { return mappings; }
uint64_t fake_last_alloc_len(void) { return last_len; }
uint32_t fake_last_alloc_flags(void) { return last_flags; }

int fake_violations(void) { return violations; }
const char *fake_last_violation(void) { return last_violation; }

static void violation(const char *what)
{
	violations++;
	strncpy(last_violation, what, sizeof(last_violation) - 1);
}

int fake_open_fds(void)
{
	int i, n = 0;

	for (i = 0; i < MAX_FDS; i++)
		n += fds[i].kind != K_FREE;
	return n;
}

/* Returns -err if this call of op is to fail. */
static int enter(enum fake_op op)
{
	int n = ++calls[op];

	if (fails[op].count && n >= fails[op].nth &&
	    n < fails[op].nth + fails[op].count)
		return -fails[op].err;
	return 0;
}

static struct ffd *get(int fd)
{
	if (fd < FD_BASE || fd >= FD_BASE + MAX_FDS)
		return NULL;
	return fds[fd - FD_BASE].kind == K_FREE ? NULL : &fds[fd - FD_BASE];
}

static int new_fd(enum kind kind, int heap, int obj)
{
	int i;

	for (i = 0; i < MAX_FDS; i++) {
		if (fds[i].kind == K_FREE) {
			fds[i].kind = kind;
			fds[i].heap = heap;
			fds[i].obj = obj;
			return FD_BASE + i;
		}
	}
	return -EMFILE;
}

int fake_make_dmabuf(size_t size, int mode)
{
	int obj = nr_bufs++;

	buf_size[obj] = size;
	buf_heap[obj] = -1;
	buf_mode[obj] = mode & O_ACCMODE;
	return new_fd(K_BUF, -1, obj);
}

void fake_queue_raw(const void *data, size_t len, int with_fd)
{
	memcpy(q_data, data, len);
	q_len = len;
	q_fd = -1;
	if (with_fd) {
		int obj = nr_bufs++;

		buf_size[obj] = 4096;
		buf_heap[obj] = -1;
		buf_mode[obj] = O_RDWR;
		q_fd = -2 - obj; /* an object in flight */
	}
	q_full = 1;
}

static int fake_do_open(const char *path, int flags)
{
	int ret = enter(FAKE_OPEN), i;

	if (ret)
		return ret;
	if (!strcmp(path, VIVTHEAP_CTL_PATH))
		return ctl_present ? new_fd(K_CTL, -1, -1) : -ENOENT;
	if (strncmp(path, "/dev/dma_heap/", 14))
		return -ENOENT;
	for (i = 0; i < nr_heaps; i++)
		if (!strcmp(path + 14, heaps[i].name))
			return new_fd(K_HEAP, i, -1);
	(void)flags;
	return -ENOENT;
}

static int fake_do_close(int fd)
{
	struct ffd *f;
	int ret = enter(FAKE_CLOSE);

	f = get(fd);
	if (!f)
		return -EBADF;
	f->kind = K_FREE; /* close releases the fd even when it reports an error */
	return ret;
}

/*
 * A START or END (flags) of obj's bracket, whole-buffer or ranged: the
 * library's promises are checked here (the kernel would not refuse).
 */
static void bracket(int obj, uint64_t flags, int ranged, uint64_t off, uint64_t len)
{
	uint64_t dir = flags & DMA_BUF_SYNC_RW;

	if (!(flags & DMA_BUF_SYNC_END)) {
		if (buf_open[obj])
			violation("START inside an open bracket");
		buf_open[obj] = dir;
		buf_ranged[obj] = ranged;
		buf_roff[obj] = off;
		buf_rlen[obj] = len;
		return;
	}
	if (!buf_open[obj]) {
		violation("END without START");
		return;
	}
	if (buf_open[obj] != dir)
		violation("END with another direction than its START");
	else if (buf_ranged[obj] != ranged)
		violation("END through another ioctl than its START");
	else if (ranged && (buf_roff[obj] != off || buf_rlen[obj] != len))
		violation("END with another range than its START");
	buf_open[obj] = 0;
}

/* VIVTHEAP_IOC_SYNC_RANGE, as its uapi documents each errno. */
static int ctl_sync_range(struct vivtheap_ioc_sync_range *r)
{
	struct ffd *b = get((int)r->fd);
	size_t size;
	int h;

	if (ctl_old)
		return -ENOTTY; /* a module from before the ranged sync */
	if (!b)
		return -EBADF;
	if (b->kind != K_BUF)
		return -EINVAL;
	size = buf_size[b->obj];
	if ((r->flags & ~(VIVTHEAP_SYNC_RW | VIVTHEAP_SYNC_END)) ||
	    !(r->flags & VIVTHEAP_SYNC_RW) || r->reserved[0] || r->reserved[1] ||
	    !r->length || r->offset > size || r->length > size - r->offset)
		return -EINVAL;
	h = buf_heap[b->obj];
	if (h < 0 || !heaps[h].ours)
		return -ENODEV;
	last_range_flags = r->flags;
	last_range_off = r->offset;
	last_range_len = r->length;
	range_syncs++;
	bracket(b->obj, r->flags, 1, r->offset, r->length);
	return 0;
}

static int ctl_ioctl(unsigned long req, void *arg)
{
	if (req == VIVTHEAP_IOC_SYNC_RANGE)
		return ctl_sync_range(arg);
	if (req == VIVTHEAP_IOC_HEAP_INFO) {
		struct vivtheap_ioc_heap_info *hi = arg;
		int i;

		for (i = 0; i < nr_heaps; i++) {
			if (heaps[i].ours && !strcmp(hi->name, heaps[i].name)) {
				hi->cache_mode = heaps[i].mode;
				hi->info_flags = VIVTHEAP_INFO_CONTIGUOUS;
				return 0;
			}
		}
		return -ENOENT;
	}
	if (req == VIVTHEAP_IOC_BUFFER_INFO) {
		struct vivtheap_ioc_buffer_info *bi = arg;
		struct ffd *b = get((int)bi->fd);
		int h;

		if (!b || b->kind != K_BUF)
			return -EBADF;
		h = buf_heap[b->obj];
		if (h < 0 || !heaps[h].ours)
			return -ENODEV;
		bi->size = buf_size[b->obj];
		bi->cache_mode = heaps[h].mode;
		bi->info_flags = VIVTHEAP_INFO_CONTIGUOUS;
		strcpy(bi->heap_name, heaps[h].name);
		return 0;
	}
	return -ENOTTY;
}

static int fake_do_ioctl(int fd, unsigned long req, void *arg)
{
	struct ffd *f;
	int ret = enter(FAKE_IOCTL);

	f = get(fd);
	if (ret) {
		/*
		 * An injected error: a START did not open a bracket, nor did
		 * an interrupted END (EINTR, EAGAIN: retried) close one; an END
		 * that failed otherwise closed it all the same (the kernel's
		 * end_cpu_access ran and failed).
		 */
		if (f && f->kind == K_BUF && req == DMA_BUF_IOCTL_SYNC &&
		    ret != -EINTR && ret != -EAGAIN &&
		    (((struct dma_buf_sync *)arg)->flags & DMA_BUF_SYNC_END))
			buf_open[f->obj] = 0;
		if (f && f->kind == K_CTL && req == VIVTHEAP_IOC_SYNC_RANGE &&
		    ret != -EINTR && ret != -EAGAIN &&
		    (((struct vivtheap_ioc_sync_range *)arg)->flags & VIVTHEAP_SYNC_END)) {
			struct ffd *b = get((int)((struct vivtheap_ioc_sync_range *)arg)->fd);

			if (b && b->kind == K_BUF)
				buf_open[b->obj] = 0;
		}
		return ret;
	}
	if (!f)
		return -EBADF;
	switch (f->kind) {
	case K_CTL:
		return ctl_ioctl(req, arg);
	case K_HEAP: {
		struct dma_heap_allocation_data *d = arg;
		int obj, nfd;

		if (req != DMA_HEAP_IOCTL_ALLOC)
			return -ENOTTY;
		last_len = d->len;
		last_flags = d->fd_flags;
		/* drivers/dma-buf/dma-heap.c: dma_heap_ioctl_allocate() */
		if (d->fd || (d->fd_flags & ~(O_ACCMODE | O_CLOEXEC)) || d->heap_flags)
			return -EINVAL;
		if (!d->len)
			return -EINVAL;
		if (alloc_limit && d->len > alloc_limit)
			return -ENOMEM;
		obj = nr_bufs++;
		buf_size[obj] = (d->len + 4095) & ~4095ULL;
		buf_heap[obj] = f->heap;
		buf_mode[obj] = d->fd_flags & O_ACCMODE;
		nfd = new_fd(K_BUF, f->heap, obj);
		if (nfd < 0)
			return nfd;
		d->fd = (uint32_t)nfd;
		return 0;
	}
	case K_BUF:
		if (req == DMA_BUF_IOCTL_SYNC) {
			struct dma_buf_sync *s = arg;
			uint64_t dir = s->flags & DMA_BUF_SYNC_RW;

			/* drivers/dma-buf/dma-buf.c: dma_buf_ioctl() */
			if ((s->flags & ~DMA_BUF_SYNC_VALID_FLAGS_MASK) || !dir)
				return -EINVAL;
			last_sync = s->flags;
			syncs++;
			bracket(f->obj, s->flags, 0, 0, 0);
			return 0;
		}
		if (req == DMA_BUF_SET_NAME) {
			strncpy(last_name, arg, sizeof(last_name) - 1);
			return 0;
		}
		return -ENOTTY;
	default:
		return -EBADF;
	}
}

static void *fake_do_mmap(size_t len, int prot, int fd, int *err)
{
	struct ffd *f;
	void *p;
	int i;

	*err = enter(FAKE_MMAP);
	if (*err)
		return MAP_FAILED;
	f = get(fd);
	if (!f || f->kind != K_BUF) {
		*err = -ENODEV;
		return MAP_FAILED;
	}
	if (len > buf_size[f->obj]) {
		*err = -EINVAL;
		return MAP_FAILED;
	}
	/* mm/mmap.c: a shared writable mapping needs a writable file. */
	if ((prot & PROT_WRITE) && buf_mode[f->obj] == O_RDONLY) {
		*err = -EACCES;
		return MAP_FAILED;
	}
	for (i = 0; i < MAX_MAPS && maps[i].addr; i++)
		;
	if (i == MAX_MAPS) {
		*err = -ENOMEM;
		return MAP_FAILED;
	}
	p = mmap(NULL, len, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		*err = -errno;
		return p;
	}
	maps[i].addr = p;
	maps[i].len = len;
	mappings++;
	return p;
}

static int fake_do_munmap(void *addr, size_t len)
{
	int ret = enter(FAKE_MUNMAP), i;

	for (i = 0; i < MAX_MAPS; i++)
		if (maps[i].addr == addr && maps[i].len == len)
			break;
	if (i == MAX_MAPS) {
		violation("munmap of a range that is not one mapping");
		return -EINVAL;
	}
	if (munmap(addr, len))
		return -errno;
	maps[i].addr = NULL;
	mappings--;
	return ret;
}

static int fake_do_mprotect(void *addr, size_t len, int prot)
{
	int ret = enter(FAKE_MPROTECT);

	if (ret)
		return ret;
	return mprotect(addr, len, prot) ? -errno : 0;
}

static off_t fake_do_size(int fd)
{
	struct ffd *f;
	int ret = enter(FAKE_SIZE);

	if (ret)
		return ret;
	f = get(fd);
	if (!f)
		return -EBADF;
	if (f->kind != K_BUF)
		return 0; /* a character device */
	return (off_t)buf_size[f->obj];
}

static int fake_do_is_dmabuf(int fd)
{
	struct ffd *f;
	int ret = enter(FAKE_IS_DMABUF);

	if (ret)
		return ret;
	f = get(fd);
	if (!f)
		return -EBADF;
	return f->kind == K_BUF;
}

static int fake_do_dup(int fd)
{
	struct ffd *f;
	int ret = enter(FAKE_DUP);

	if (ret)
		return ret;
	f = get(fd);
	if (!f)
		return -EBADF;
	return new_fd(f->kind, f->heap, f->obj);
}

static ssize_t fake_do_sendmsg(int sock, const struct msghdr *msg, int flags)
{
	struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)msg);
	int ret = enter(FAKE_SENDMSG), fd;
	struct ffd *f;

	if (ret)
		return ret;
	if (q_full)
		return -EAGAIN;
	memcpy(q_data, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len);
	q_len = msg->msg_iov[0].iov_len;
	q_fd = -1;
	if (c && c->cmsg_type == SCM_RIGHTS) {
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
		f = get(fd);
		if (!f)
			return -EBADF;
		q_fd = -2 - f->obj; /* the object in flight */
	}
	q_full = 1;
	(void)sock;
	(void)flags;
	return (long)q_len;
}

static ssize_t fake_do_recvmsg(int sock, struct msghdr *msg, int flags)
{
	int ret = enter(FAKE_RECVMSG), fd;
	size_t n;

	if (ret)
		return ret;
	if (!q_full) {
		msg->msg_controllen = 0;
		return 0; /* peer closed */
	}
	n = q_len < msg->msg_iov[0].iov_len ? q_len : msg->msg_iov[0].iov_len;
	memcpy(msg->msg_iov[0].iov_base, q_data, n);
	msg->msg_flags = q_len > n ? MSG_TRUNC : 0;
	if (q_fd <= -2) {
		struct cmsghdr *c = CMSG_FIRSTHDR(msg);

		fd = new_fd(K_BUF, -1, -2 - q_fd);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	} else {
		msg->msg_controllen = 0;
	}
	q_full = 0;
	q_fd = -1;
	(void)sock;
	(void)flags;
	return (long)n;
}

static int fake_do_listdir(const char *path,
				int (*fn)(const char *name, void *ctx), void *ctx)
{
	int ret = enter(FAKE_LISTDIR), i;

	if (ret)
		return ret;
	if (!nr_heaps)
		return -ENOENT;
	for (i = 0; i < nr_heaps; i++) {
		ret = fn(heaps[i].name, ctx);
		if (ret)
			return ret;
	}
	(void)path;
	return 0;
}

/* The seam: every call holds the lock, so threaded tests are safe. */
#define FAKE_SEAM(type, name, params, args)                    \
	type __wrap_vivtheap_sys_##name params;                \
	type __wrap_vivtheap_sys_##name params                 \
	{                                                      \
		type r;                                        \
                                                               \
		pthread_mutex_lock(&lock);                     \
		r = fake_do_##name args;                       \
		pthread_mutex_unlock(&lock);                   \
		return r;                                      \
	}

typedef int (*listdir_fn)(const char *name, void *ctx);
typedef void *voidp;

FAKE_SEAM(int, open, (const char *path, int flags), (path, flags))
FAKE_SEAM(int, close, (int fd), (fd))
FAKE_SEAM(int, ioctl, (int fd, unsigned long req, void *arg), (fd, req, arg))
FAKE_SEAM(voidp, mmap, (size_t len, int prot, int fd, int *err), (len, prot, fd, err))
FAKE_SEAM(int, munmap, (void *addr, size_t len), (addr, len))
FAKE_SEAM(int, mprotect, (void *addr, size_t len, int prot), (addr, len, prot))
FAKE_SEAM(off_t, size, (int fd), (fd))
FAKE_SEAM(int, is_dmabuf, (int fd), (fd))
FAKE_SEAM(int, dup, (int fd), (fd))
FAKE_SEAM(ssize_t, sendmsg, (int sock, const struct msghdr *msg, int flags), (sock, msg, flags))
FAKE_SEAM(ssize_t, recvmsg, (int sock, struct msghdr *msg, int flags), (sock, msg, flags))
FAKE_SEAM(int, listdir, (const char *path, listdir_fn fn, void *ctx), (path, fn, ctx))
