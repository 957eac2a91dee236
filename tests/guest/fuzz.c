// SPDX-License-Identifier: MIT
/*
 * An in-guest fuzzer of vivtheap's nodes and dma-bufs, seeded and bounded:
 * random ioctl numbers, struct sizes and flag bits on the heap nodes, the
 * control node and dma-buf fds; random mmap offsets, lengths, protections
 * and flags; mprotect, mremap, munmap, dup, close, fork, SCM_RIGHTS, read,
 * write, lseek. Every failure must give an errno of the operation's
 * documented set (docs/compatibility.md; the kernel's own for the syscalls
 * around ours); anything else, a crash of this program, or (the runner's
 * part) a kernel warning, a leaked dma-buf or CMA page, or a kmemleak report
 * fails. The run is reproducible from the two numbers it prints:
 *
 *   vivtheap.fuzz_seed=S vivtheap.fuzz_ops=N   (the kernel command line;
 *   `make fuzz` sets them, `make check` runs 10000 operations of seed 1)
 */
#include "gt.h"
#include "gt_fd.h"
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define MAXFD 24
#define MAXMAP 12
#define NOPS 13

enum kind { K_NONE, K_HEAP, K_CTL, K_BUF };

static struct slot {
	int fd;
	enum kind kind;
} fds[MAXFD];

static struct map {
	void *p;
	size_t len;
} maps[MAXMAP];

static uint64_t rng;
static unsigned long long opno, nops;
static unsigned long long seen[NOPS], failed[NOPS];
static const char *const opname[NOPS] = {
	"alloc", "heap-ioctl", "ctl-ioctl", "buf-ioctl", "mmap", "mprotect", "mremap",
	"munmap", "dup", "close", "open", "scm-rights", "rw",
};
static int in_child;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t pick(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* A random number biased to the edges: 0, small, page sizes, huge. */
static uint64_t edgy(void)
{
	static const uint64_t v[] = {
		0, 1, 3, 4, 8, 4095, 4096, 4097, 8192, 65536, 1u << 20, 3u << 20,
		16u << 20, 64u << 20, 0x7fffffff, 0x80000000u, 0xffffffffu,
		0x100000000ull, 0x100001000ull, ~0ull, ~0ull - 4095, 1ull << 63,
	};

	return pick(3) ? v[pick(sizeof(v) / sizeof(v[0]))] : rnd();
}

static const char *const heaps[] = {
	HEAP_DIR "/" VIVTHEAP_HEAP_UNCACHED_NAME,
	HEAP_DIR "/" VIVTHEAP_HEAP_WC_NAME,
};

/* errno must be one of the list (0-terminated) */
static void want_errno(int op, const int *ok, const char *what)
{
	int e = errno;

	failed[op]++;
	for (; *ok; ok++)
		if (e == *ok)
			return;
	FAIL("op %llu (%s: %s): errno %d %s is not documented for it; reproduce with "
	     "vivtheap.fuzz_seed=<seed> vivtheap.fuzz_ops=%llu", opno, opname[op], what, e,
	     strerror(e), opno + 1);
}

/* Is slot i one that slot_of(k) picks from? K_NONE: any open one. */
static int slot_is(int i, enum kind k)
{
	return k == K_NONE ? fds[i].kind != K_NONE : fds[i].kind == k;
}

/* A random open slot of kind k (K_NONE: of any kind), or -1. */
static int slot_of(enum kind k)
{
	int i, n = 0, which;

	for (i = 0; i < MAXFD; i++)
		n += slot_is(i, k);
	if (!n)
		return -1;
	which = (int)pick((uint64_t)n);
	for (i = 0; i < MAXFD; i++)
		if (slot_is(i, k) && !which--)
			return i;
	return -1;
}

static int free_slot(void)
{
	int i;

	for (i = 0; i < MAXFD; i++)
		if (fds[i].kind == K_NONE)
			return i;
	/* full: close one at random to make room */
	i = (int)pick(MAXFD);
	close(fds[i].fd);
	fds[i].kind = K_NONE;
	return i;
}

static void keep(int fd, enum kind k)
{
	int i = free_slot();

	fds[i].fd = fd;
	fds[i].kind = k;
}

/* Any pointer a careless or hostile caller could pass: good, NULL, bad. */
static void *arg_ptr(void *good)
{
	switch (pick(12)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)0x1;
	case 2:
		return (void *)(uintptr_t)0xfffff000u;	/* the vectors page end */
	default:
		return good;
	}
}

static unsigned long ioc(unsigned int dir, unsigned int type, unsigned int nr, unsigned int size)
{
	return _IOC(dir, type, nr, size & _IOC_SIZEMASK);
}

/* A command near a real one: its number, a random size, direction or nr. */
static unsigned long mutate_cmd(unsigned long cmd)
{
	switch (pick(6)) {
	case 0:
		return ioc(_IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), (unsigned int)pick(256));
	case 1:
		return ioc((unsigned int)pick(4), _IOC_TYPE(cmd), _IOC_NR(cmd), _IOC_SIZE(cmd));
	case 2:
		return ioc(_IOC_DIR(cmd), _IOC_TYPE(cmd), (unsigned int)pick(256), _IOC_SIZE(cmd));
	case 3:
		return (unsigned long)rnd();
	default:
		return cmd;
	}
}

static uint8_t junk[8192];

static void fill_junk(size_t n)
{
	size_t i;

	for (i = 0; i < n && i < sizeof(junk); i++)
		junk[i] = (uint8_t)rnd();
}

static void op_alloc(void)
{
	static const int ok[] = { EINVAL, ENOMEM, EFAULT, ENOTTY, EMFILE, 0 };
	int h = slot_of(K_HEAP);
	struct dma_heap_allocation_data *d = (void *)junk;
	unsigned long cmd = DMA_HEAP_IOCTL_ALLOC;

	if (h < 0)
		return;
	fill_junk(sizeof(junk));
	d->len = pick(4) ? (pick(8) + 1) * 4096 : edgy();
	d->fd = pick(8) ? 0 : (uint32_t)rnd();
	d->fd_flags = pick(6) ? O_RDWR | O_CLOEXEC : (uint32_t)(pick(2) ? O_RDONLY : rnd());
	d->heap_flags = pick(8) ? 0 : rnd();
	if (!pick(4))
		cmd = mutate_cmd(cmd);
	if (ioctl(fds[h].fd, cmd, arg_ptr(d)) < 0) {
		want_errno(0, ok, "DMA_HEAP_IOCTL_ALLOC");
		return;
	}
	/*
	 * A command that succeeded handed out a dma-buf; keep it if the command
	 * copied the fd back (a shorter one is refused, or the fd is not ours to
	 * know: the process's exit closes it).
	 */
	if ((_IOC_DIR(cmd) & _IOC_READ) && _IOC_SIZE(cmd) >= 12 &&
	    fcntl((int)d->fd, F_GETFD) >= 0)
		keep((int)d->fd, K_BUF);
}

static void op_heap_ioctl(void)
{
	static const int ok[] = { EINVAL, ENOTTY, EFAULT, ENOMEM, 0 };
	int h = slot_of(K_HEAP);
	unsigned long cmd = pick(2) ? mutate_cmd(DMA_HEAP_IOCTL_ALLOC) : (unsigned long)rnd();

	if (h < 0)
		return;
	/* never a real ALLOC here (its fd would not be kept) */
	if (cmd == DMA_HEAP_IOCTL_ALLOC)
		cmd ^= 1;
	fill_junk(sizeof(junk));
	((struct dma_heap_allocation_data *)junk)->len = 0;
	if (ioctl(fds[h].fd, cmd, arg_ptr(junk)) < 0)
		want_errno(1, ok, "random command");
	else if (_IOC_TYPE(cmd) == 'H' && _IOC_NR(cmd) == 0)
		FAIL("op %llu: heap command %#lx with len 0 succeeded", opno, cmd);
}

static void op_ctl_ioctl(void)
{
	static const int ok[] = { EINVAL, ENOTTY, EFAULT, ENOENT, EBADF, ENODEV, E2BIG, 0 };
	int c = slot_of(K_CTL), b = slot_of(K_BUF);
	unsigned long cmd = pick(2) ? VIVTHEAP_IOC_BUFFER_INFO : VIVTHEAP_IOC_HEAP_INFO;

	if (c < 0)
		return;
	fill_junk(sizeof(junk));
	if (cmd == VIVTHEAP_IOC_BUFFER_INFO) {
		struct vivtheap_ioc_buffer_info *bi = (void *)junk;

		bi->fd = b >= 0 && pick(2) ? (uint32_t)fds[b].fd : (uint32_t)edgy();
		if (pick(2)) {
			bi->flags = 0;
			memset(bi->reserved, 0, sizeof(bi->reserved));
		}
	} else {
		struct vivtheap_ioc_heap_info *hi = (void *)junk;

		if (pick(2))
			snprintf(hi->name, sizeof(hi->name), "%s",
				 pick(2) ? VIVTHEAP_HEAP_WC_NAME : "system");
		if (pick(2)) {
			hi->flags = 0;
			hi->reserved0 = 0;
			memset(hi->reserved, 0, sizeof(hi->reserved));
		}
	}
	if (!pick(3))
		cmd = mutate_cmd(cmd);
	if (ioctl(fds[c].fd, cmd, arg_ptr(junk)) < 0)
		want_errno(2, ok, "control-node command");
}

static void op_buf_ioctl(void)
{
	static const int ok[] = { EINVAL, ENOTTY, EFAULT, EBUSY, ENOMEM, EPERM, EBADF, 0 };
	int b = slot_of(K_BUF);
	unsigned long cmd;
	uint64_t flags;

	if (b < 0)
		return;
	fill_junk(sizeof(junk));
	switch (pick(3)) {
	case 0:
		flags = pick(2) ? (pick(2) ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) |
				  (pick(3) + 1) : rnd();
		memcpy(junk, &flags, sizeof(flags));
		cmd = DMA_BUF_IOCTL_SYNC;
		break;
	case 1:
		junk[pick(80)] = 0;
		cmd = DMA_BUF_SET_NAME;
		break;
	default:
		cmd = (unsigned long)rnd();
		break;
	}
	if (!pick(4))
		cmd = mutate_cmd(cmd);
	if (ioctl(fds[b].fd, cmd, arg_ptr(junk)) < 0)
		want_errno(3, ok, "dma-buf command");
}

static void touch(void *p, size_t len, int prot)
{
	volatile uint8_t *q = p;

	if (!len)
		return;
	if (prot & PROT_READ)
		(void)q[0], (void)q[len - 1];
	if ((prot & (PROT_READ | PROT_WRITE)) == (PROT_READ | PROT_WRITE))
		q[0] = q[len - 1] = (uint8_t)rnd();
}

static void op_mmap(void)
{
	static const int ok[] = { EINVAL, EACCES, ENOMEM, EPERM, ENODEV, EOVERFLOW, EAGAIN, 0 };
	static const int flags[] = { MAP_SHARED, MAP_PRIVATE, MAP_SHARED | MAP_POPULATE,
				     MAP_SHARED | MAP_NORESERVE, MAP_SHARED_VALIDATE };
	int b = slot_of(K_BUF), m, prot = (int)pick(8);
	off_t size, off;
	size_t len;
	void *p;

	if (b < 0)
		return;
	size = lseek(fds[b].fd, 0, SEEK_END);
	CHECK(size > 0);
	len = pick(3) ? (size_t)size : (size_t)(pick(2) ? edgy() : pick(4) * 4096);
	off = pick(2) ? 0 : pick(2) ? (off_t)(pick(4) * 4096) : (off_t)(edgy() & 0x7fffffff);
	p = mmap(NULL, len, prot, flags[pick(sizeof(flags) / sizeof(flags[0]))], fds[b].fd, off);
	if (p == MAP_FAILED) {
		want_errno(4, ok, "mmap of a dma-buf");
		return;
	}
	if (off < size)
		touch(p, (size_t)(size - off) < len ? (size_t)(size - off) : len, prot);
	m = (int)pick(MAXMAP);
	if (maps[m].p)
		munmap(maps[m].p, maps[m].len);
	maps[m].p = p;
	maps[m].len = len;
}

static int some_map(void)
{
	int m = (int)pick(MAXMAP);

	return maps[m].p ? m : -1;
}

static void op_mprotect(void)
{
	static const int ok[] = { EACCES, EINVAL, ENOMEM, 0 };
	int m = some_map();

	if (m >= 0 && mprotect(maps[m].p, maps[m].len, (int)pick(8)) < 0)
		want_errno(5, ok, "mprotect");
}

static void op_mremap(void)
{
	static const int ok[] = { EFAULT, EINVAL, ENOMEM, EAGAIN, 0 };
	int m = some_map();
	size_t len;
	void *p;

	if (m < 0)
		return;
	len = pick(2) ? maps[m].len / 2 & ~4095ul : maps[m].len + 4096 * (pick(4) + 1);
	p = mremap(maps[m].p, maps[m].len, len, pick(2) ? MREMAP_MAYMOVE : 0);
	if (p == MAP_FAILED) {
		want_errno(6, ok, "mremap");
		return;
	}
	if (!len) {
		/* shrinking to 0 is refused (EINVAL): not reached */
		maps[m].p = NULL;
		return;
	}
	maps[m].p = p;
	maps[m].len = len;
}

static void op_munmap(void)
{
	int m = some_map();

	if (m >= 0) {
		CHECK(munmap(maps[m].p, maps[m].len) == 0);
		maps[m].p = NULL;
	}
}

static void op_dup(void)
{
	static const int ok[] = { EMFILE, 0 };
	int s = slot_of(K_NONE), fd;

	if (s < 0)
		return;
	fd = fcntl(fds[s].fd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		want_errno(8, ok, "dup");
	else
		keep(fd, fds[s].kind);
}

static void op_close(void)
{
	int s = slot_of(K_NONE);

	if (s >= 0) {
		CHECK(close(fds[s].fd) == 0);
		fds[s].kind = K_NONE;
	}
}

static void op_open(void)
{
	static const int ok[] = { EACCES, EINVAL, ENXIO, 0 };
	static const int modes[] = { O_RDONLY, O_RDWR, O_WRONLY, O_RDWR | O_NONBLOCK };
	int which = (int)pick(3);
	const char *path = which == 2 ? VIVTHEAP_CTL_PATH : heaps[which];
	int fd = open(path, modes[pick(4)] | O_CLOEXEC);

	if (fd < 0)
		want_errno(10, ok, path);
	else
		keep(fd, which == 2 ? K_CTL : K_HEAP);
}

/* An fd to ourselves through a socket: a new number for the same file. */
static void op_scm_rights(void)
{
	int s = slot_of(K_NONE), sv[2], fd;
	char c = 0, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;

	if (s < 0)
		return;
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fds[s].fd, sizeof(int));
	CHECK(sendmsg(sv[0], &msg, 0) == 1);
	/* sometimes the fd dies in flight: the socket closed unread */
	if (pick(4)) {
		msg.msg_controllen = sizeof(cbuf);
		CHECK(recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC) == 1);
		cm = CMSG_FIRSTHDR(&msg);
		CHECK(cm && cm->cmsg_type == SCM_RIGHTS);
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		keep(fd, fds[s].kind);
	}
	close(sv[0]);
	close(sv[1]);
}

static void op_rw(void)
{
	static const int ok[] = { EINVAL, EFAULT, ESPIPE, EBADF, EAGAIN, EPERM, 0 };
	int s = slot_of(K_NONE);
	struct pollfd pfd;
	ssize_t r = 0;

	if (s < 0)
		return;
	switch (pick(4)) {
	case 0:
		r = read(fds[s].fd, arg_ptr(junk), (size_t)pick(64));
		break;
	case 1:
		r = write(fds[s].fd, arg_ptr(junk), (size_t)pick(64));
		break;
	case 2:
		r = (ssize_t)lseek(fds[s].fd, (off_t)(edgy() & 0x7fffffff), (int)pick(3));
		break;
	default:
		pfd = (struct pollfd){ .fd = fds[s].fd, .events = POLLIN | POLLOUT };
		r = poll(&pfd, 1, 0);
		break;
	}
	if (r < 0)
		want_errno(12, ok, "read/write/lseek/poll");
}

static void one_op(void)
{
	unsigned int op = (unsigned int)pick(NOPS + 1);

	if (op == NOPS) {
		/* fork: the child runs a few operations on the inherited fds and maps */
		pid_t pid;
		int status;

		if (in_child)
			return;
		fflush(stdout);
		pid = fork();
		CHECK(pid >= 0);
		if (!pid) {
			in_child = 1;
			for (int i = 0; i < 20; i++)
				one_op();
			_exit(0);
		}
		CHECK(waitpid(pid, &status, 0) == pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			FAIL("op %llu: a forked child failed (status %#x)", opno, status);
		return;
	}
	seen[op]++;
	switch (op) {
	case 0: op_alloc(); break;
	case 1: op_heap_ioctl(); break;
	case 2: op_ctl_ioctl(); break;
	case 3: op_buf_ioctl(); break;
	case 4: op_mmap(); break;
	case 5: op_mprotect(); break;
	case 6: op_mremap(); break;
	case 7: op_munmap(); break;
	case 8: op_dup(); break;
	case 9: op_close(); break;
	case 10: op_open(); break;
	case 11: op_scm_rights(); break;
	default: op_rw(); break;
	}
}

int main(void)
{
	unsigned long long seed = gt_cmdline_number("vivtheap.fuzz_seed=", 1);
	int i;

	nops = gt_cmdline_number("vivtheap.fuzz_ops=", 10000);
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	printf("seed %llu, %llu operations (vivtheap.fuzz_seed=%llu vivtheap.fuzz_ops=%llu)\n",
	       seed, nops, seed, nops);
	/* A write to a pipe or socket whose reader is gone is an errno here. */
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < 2; i++) {
		int fd = open(heaps[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			FAIL("open %s: %s", heaps[i], strerror(errno));
		keep(fd, K_HEAP);
	}
	i = open(VIVTHEAP_CTL_PATH, O_RDWR | O_CLOEXEC);
	if (i < 0)
		FAIL("open %s: %s", VIVTHEAP_CTL_PATH, strerror(errno));
	keep(i, K_CTL);
	for (opno = 0; opno < nops; opno++) {
		one_op();
		if (opno && opno % 100000 == 0)
			printf("%llu operations\n", opno);
	}
	for (i = 0; i < MAXMAP; i++)
		if (maps[i].p)
			munmap(maps[i].p, maps[i].len);
	for (i = 0; i < MAXFD; i++)
		if (fds[i].kind != K_NONE)
			close(fds[i].fd);
	for (i = 0; i < NOPS; i++)
		printf("%-12s %8llu run, %8llu refused with a documented errno\n", opname[i],
		       seen[i], failed[i]);
	printf("ok: %llu operations of seed %llu, every failure documented\n", nops, seed);
	return 0;
}
