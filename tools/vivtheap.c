// SPDX-License-Identifier: MIT
/* vivtheap: list dma-buf heaps, allocate and check a buffer, tell what a process's dma-buf is, sync it or a range of it, benchmark. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/vivtheap.h>
#include <vivtheap.h>

#include "bench.h"

/* Exit codes (documented in vivtheap(1)). */
#define EXIT_OK 0
#define EXIT_FAILED 1  /* the operation failed */
#define EXIT_USAGE 2   /* bad command line */
#define EXIT_NOHEAP 3  /* no such heap, or none with the wanted properties */

static int usage(const char *cmd)
{
	FILE *o = stderr;

	if (!cmd || !strcmp(cmd, "list"))
		fprintf(o, "vivtheap list\n  the heaps under /dev/dma_heap and what they are\n");
	if (!cmd || !strcmp(cmd, "alloc"))
		fprintf(o, "vivtheap alloc [--heap NAME | --uncached | --write-combined | --wc | --cached]\n"
			   "               [--allow-fallback] SIZE[k|m]\n"
			   "  allocate, fill under CPU-access brackets, verify, report\n");
	if (!cmd || !strcmp(cmd, "info"))
		fprintf(o, "vivtheap info /proc/PID/fd/N\n  what a running process's dma-buf fd is\n");
	if (!cmd || !strcmp(cmd, "sync"))
		fprintf(o, "vivtheap sync [--read | --write | --rw] [--offset N[k|m]] [--length N[k|m]]\n"
			   "              /proc/PID/fd/N\n"
			   "  begin and end a CPU-access bracket on a running process's dma-buf fd:\n"
			   "  the whole buffer, or with --offset/--length a range (ranged sync)\n");
	if (!cmd || !strcmp(cmd, "bench"))
		fprintf(o, "vivtheap bench [--heap NAME] [--rounds N]\n"
			   "  alloc+free and sync-bracket cost, library against raw ioctls, per heap\n");
	fprintf(o, "exit codes: 0 ok, 1 failed, 2 usage, 3 no such heap\n");
	return EXIT_USAGE;
}

/* A number of bytes, N[k|m]: 0 and *v, or -1 if s is not one that fits. */
static int parse_bytes(const char *s, size_t *v)
{
	unsigned long long n;
	unsigned int shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -1; /* strtoull() would take "-1" */
	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		shift = 10, end++;
	else if (*end == 'm' || *end == 'M')
		shift = 20, end++;
	if (*end || n > (SIZE_MAX >> shift))
		return -1;
	*v = (size_t)n << shift;
	return 0;
}

/* A buffer size: N[k|m], not 0; 0 if s is not one. */
static size_t parse_size(const char *s)
{
	size_t v;

	return parse_bytes(s, &v) ? 0 : v;
}

/*
 * The heaps under /dev/dma_heap, or, when there are none, what a missing or
 * empty /dev/dma_heap means and what to do (vivtheap(1), DIAGNOSTICS).
 * Returns EXIT_OK with *list to free, or the exit code, having said why.
 */
static int heaps_or_hint(struct vivtheap_heap_list **list)
{
	int ret = vivtheap_heap_list_new(list);

	if (ret && ret != -ENOENT) {
		fprintf(stderr, "vivtheap: cannot list heaps: %s\n", strerror(-ret));
		return EXIT_FAILED;
	}
	if (!ret && vivtheap_heap_list_count(*list))
		return EXIT_OK;
	if (!ret)
		vivtheap_heap_list_free(*list);
	fprintf(stderr,
		"vivtheap: no dma-buf heaps: /dev/dma_heap is %s.\n"
		"  vivtheap's heaps: load the module (modprobe vivtheap, or insmod vivtheap.ko).\n"
		"  The kernel's own heaps need CONFIG_DMABUF_HEAPS with CONFIG_DMABUF_HEAPS_SYSTEM\n"
		"  and/or CONFIG_DMABUF_HEAPS_CMA; Debian 12's armmp kernel has neither.\n",
		ret ? "missing" : "empty");
	return EXIT_NOHEAP;
}

static int cmd_list(void)
{
	struct vivtheap_heap_list *list;
	const struct vivtheap_heap_desc *d;
	unsigned int props;
	size_t i;
	int ret = heaps_or_hint(&list);

	if (ret != EXIT_OK)
		return ret;
	printf("%-24s %-15s %s\n", "heap", "caching", "properties");
	for (i = 0; i < vivtheap_heap_list_count(list); i++) {
		d = vivtheap_heap_list_get(list, i);
		props = vivtheap_heap_desc_props(d);
		printf("%-24s %-15s %s%s\n", vivtheap_heap_desc_name(d),
		       vivtheap_caching_name(vivtheap_heap_desc_caching(d)),
		       props & VIVTHEAP_PROP_CONTIGUOUS ? "contiguous " : "",
		       props & VIVTHEAP_PROP_VIVTHEAP ? "vivtheap" : "");
	}
	vivtheap_heap_list_free(list);
	return EXIT_OK;
}

static int cmd_alloc(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "heap", required_argument, NULL, 'h' },
		{ "uncached", no_argument, NULL, 'u' },
		{ "write-combined", no_argument, NULL, 'w' },
		{ "wc", no_argument, NULL, 'w' },
		{ "cached", no_argument, NULL, 'c' },
		{ "allow-fallback", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, '?' },
		{ NULL, 0, NULL, 0 },
	};
	enum vivtheap_caching want = VIVTHEAP_CACHING_UNCACHED;
	const char *name = NULL;
	unsigned int flags = 0;
	struct vivtheap_heap *heap;
	struct vivtheap_buffer *buf;
	size_t size, i, bad = 0;
	uint32_t *p;
	void *v;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'h': name = optarg; break;
		case 'u': want = VIVTHEAP_CACHING_UNCACHED; break;
		case 'w': want = VIVTHEAP_CACHING_WC; break;
		case 'c': want = VIVTHEAP_CACHING_CACHED; break;
		case 'f': flags |= VIVTHEAP_FIND_ALLOW_FALLBACK; break;
		default: return usage("alloc");
		}
	}
	if (optind != argc - 1 || !(size = parse_size(argv[optind])))
		return usage("alloc");
	ret = name ? vivtheap_heap_open(name, &heap) :
		     vivtheap_heap_find(want, 0, flags, &heap);
	if (ret == -ENOENT && !name) {
		struct vivtheap_heap_list *list;

		if (heaps_or_hint(&list) != EXIT_OK)
			return EXIT_NOHEAP;
		vivtheap_heap_list_free(list);
	}
	if (ret) {
		fprintf(stderr, "vivtheap: no heap: %s\n", strerror(-ret));
		return ret == -ENOENT ? EXIT_NOHEAP : EXIT_FAILED;
	}
	if (vivtheap_heap_is_fallback(heap))
		printf("fallback: asked for %s, got %s from heap %s\n",
		       vivtheap_caching_name(vivtheap_heap_wanted_caching(heap)),
		       vivtheap_caching_name(vivtheap_heap_caching(heap)), vivtheap_heap_name(heap));
	ret = vivtheap_buffer_alloc(heap, size, 0, &buf);
	if (ret) {
		fprintf(stderr, "vivtheap: alloc %zu from %s: %s\n", size,
			vivtheap_heap_name(heap), strerror(-ret));
		vivtheap_heap_close(heap);
		return EXIT_FAILED;
	}
	ret = vivtheap_buffer_map(buf, &v);
	if (!ret)
		ret = vivtheap_buffer_begin(buf, VIVTHEAP_ACCESS_WRITE);
	if (ret)
		goto fail;
	p = v;
	for (i = 0; i < vivtheap_buffer_size(buf) / 4; i++)
		p[i] = (uint32_t)i * 2654435761u;
	ret = vivtheap_buffer_end(buf, VIVTHEAP_ACCESS_WRITE);
	if (!ret)
		ret = vivtheap_buffer_begin(buf, VIVTHEAP_ACCESS_READ);
	if (ret)
		goto fail;
	for (i = 0; i < vivtheap_buffer_size(buf) / 4; i++)
		bad += p[i] != (uint32_t)i * 2654435761u;
	ret = vivtheap_buffer_end(buf, VIVTHEAP_ACCESS_READ);
	if (ret)
		goto fail;
	printf("heap %s: %zu bytes, %s, filled and verified: %zu bad words\n",
	       vivtheap_heap_name(heap), vivtheap_buffer_size(buf),
	       vivtheap_caching_name(vivtheap_buffer_caching(buf)), bad);
	vivtheap_buffer_free(buf);
	vivtheap_heap_close(heap);
	return bad ? EXIT_FAILED : EXIT_OK;
fail:
	fprintf(stderr, "vivtheap: %s\n", strerror(-ret));
	vivtheap_buffer_free(buf);
	vivtheap_heap_close(heap);
	return EXIT_FAILED;
}

/*
 * The dma-buf fd N of process PID, from its path /proc/PID/fd/N, as a
 * buffer of the caller's. Returns EXIT_OK, or the exit code, having said
 * why.
 */
static int import_proc_fd(const char *path, struct vivtheap_buffer **buf)
{
	int pid, n, pidfd, fd, ret;
	char extra;

	if (sscanf(path, "/proc/%d/fd/%d%c", &pid, &n, &extra) != 2)
		return EXIT_USAGE;
	/* A duplicate of the process's own fd: opening the /proc link anew
	 * would not give the dma-buf. Needs ptrace rights over PID. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		fprintf(stderr, "vivtheap: pid %d: %s\n", pid, strerror(errno));
		return EXIT_FAILED;
	}
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, n, 0);
	close(pidfd);
	if (fd < 0) {
		fprintf(stderr, "vivtheap: %s: %s\n", path, strerror(errno));
		return EXIT_FAILED;
	}
	ret = vivtheap_buffer_import(fd, 0, buf);
	close(fd);
	if (ret) {
		fprintf(stderr, "vivtheap: %s: not a dma-buf (%s)\n", path, strerror(-ret));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int cmd_info(int argc, char **argv)
{
	struct vivtheap_buffer *buf;
	int ret;

	if (argc != 2)
		return usage("info");
	ret = import_proc_fd(argv[1], &buf);
	if (ret != EXIT_OK)
		return ret == EXIT_USAGE ? usage("info") : ret;
	printf("%s: dma-buf, %zu bytes, %s, heap %s\n", argv[1], vivtheap_buffer_size(buf),
	       vivtheap_caching_name(vivtheap_buffer_caching(buf)),
	       *vivtheap_buffer_heap_name(buf) ? vivtheap_buffer_heap_name(buf) : "(not vivtheap)");
	vivtheap_buffer_free(buf);
	return EXIT_OK;
}

static const char *access_name(unsigned int access)
{
	if (access == VIVTHEAP_ACCESS_RW)
		return "read-write";
	return access == VIVTHEAP_ACCESS_READ ? "read" : "write";
}

/*
 * A START and its END on another process's dma-buf: the whole buffer
 * (DMA_BUF_IOCTL_SYNC) or a range. A range reaches the kernel as one
 * (vivtheap's VIVTHEAP_IOC_SYNC_RANGE) for a buffer of vivtheap's; for any
 * other the library syncs the whole buffer, and the tool says so.
 */
static int cmd_sync(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "read", no_argument, NULL, 'r' },
		{ "write", no_argument, NULL, 'w' },
		{ "rw", no_argument, NULL, 'b' },
		{ "offset", required_argument, NULL, 'o' },
		{ "length", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned int access = VIVTHEAP_ACCESS_RW;
	size_t offset = 0, length = 0, page = (size_t)sysconf(_SC_PAGESIZE);
	bool ranged = false, have_length = false;
	struct vivtheap_buffer *buf;
	const char *heap;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': access = VIVTHEAP_ACCESS_READ; break;
		case 'w': access = VIVTHEAP_ACCESS_WRITE; break;
		case 'b': access = VIVTHEAP_ACCESS_RW; break;
		case 'o':
			if (parse_bytes(optarg, &offset))
				return usage("sync");
			ranged = true;
			break;
		case 'l':
			if (parse_bytes(optarg, &length) || !length)
				return usage("sync");
			ranged = have_length = true;
			break;
		default: return usage("sync");
		}
	}
	if (optind != argc - 1)
		return usage("sync");
	ret = import_proc_fd(argv[optind], &buf);
	if (ret != EXIT_OK)
		return ret == EXIT_USAGE ? usage("sync") : ret;
	/* --offset alone: to the end of the buffer. */
	if (ranged && !have_length)
		length = offset < vivtheap_buffer_size(buf) ? vivtheap_buffer_size(buf) - offset : 0;
	heap = vivtheap_buffer_heap_name(buf);
	ret = ranged ? vivtheap_buffer_begin_range(buf, access, offset, length) :
		       vivtheap_buffer_begin(buf, access);
	if (!ret)
		ret = ranged ? vivtheap_buffer_end_range(buf, access, offset, length) :
			       vivtheap_buffer_end(buf, access);
	if (ret == -EINVAL && ranged) {
		fprintf(stderr, "vivtheap: %s: bytes %zu+%zu are not inside the buffer (%zu bytes)\n",
			argv[optind], offset, length, vivtheap_buffer_size(buf));
	} else if (ret) {
		fprintf(stderr, "vivtheap: %s: sync: %s\n", argv[optind], strerror(-ret));
	} else if (!ranged) {
		printf("%s: %s bracket on the whole buffer (%zu bytes): DMA_BUF_IOCTL_SYNC, heap %s\n",
		       argv[optind], access_name(access), vivtheap_buffer_size(buf),
		       *heap ? heap : "(not vivtheap)");
	} else if (*heap) {
		/* The control node knew the buffer: the range went to it. */
		printf("%s: %s bracket on bytes %zu to %zu of %zu (pages %zu to %zu): "
		       "VIVTHEAP_IOC_SYNC_RANGE, heap %s\n",
		       argv[optind], access_name(access), offset, offset + length - 1,
		       vivtheap_buffer_size(buf), offset / page, (offset + length - 1) / page, heap);
	} else {
		printf("%s: %s bracket on bytes %zu to %zu of %zu: not a vivtheap buffer, "
		       "DMA_BUF_IOCTL_SYNC on the whole buffer\n",
		       argv[optind], access_name(access), offset, offset + length - 1,
		       vivtheap_buffer_size(buf));
	}
	vivtheap_buffer_free(buf);
	return ret ? EXIT_FAILED : EXIT_OK;
}

static int raw_alloc(int hfd, size_t size)
{
	struct dma_heap_allocation_data d = { .len = size, .fd_flags = O_RDWR | O_CLOEXEC };

	return ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &d) ? -errno : (int)d.fd;
}

static int raw_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
}

static int bench_heap(const char *name, int rounds)
{
	struct vivtheap_heap *heap;
	struct vivtheap_buffer *buf;
	double raw, lib;
	unsigned int s;
	int r, run, hfd, fd;
	char path[128];

	if (vivtheap_heap_open(name, &heap))
		return EXIT_NOHEAP;
	snprintf(path, sizeof(path), "/dev/dma_heap/%s", name);
	hfd = open(path, O_RDONLY | O_CLOEXEC);
	if (hfd < 0)
		return EXIT_FAILED;
	for (s = 0; s < VIVTHEAP_BENCH_NR_SIZES; s++) {
		raw = lib = -1;
		for (run = 0; run < 3; run++) {
			double t0 = vivtheap_bench_now_us(), t;

			for (r = 0; r < rounds; r++) {
				fd = raw_alloc(hfd, vivtheap_bench_sizes[s]);
				if (fd < 0)
					goto fail;
				close(fd);
			}
			t = (vivtheap_bench_now_us() - t0) / rounds;
			raw = raw < 0 || t < raw ? t : raw;
			t0 = vivtheap_bench_now_us();
			for (r = 0; r < rounds; r++) {
				if (vivtheap_buffer_alloc(heap, vivtheap_bench_sizes[s], 0, &buf))
					goto fail;
				vivtheap_buffer_free(buf);
			}
			t = (vivtheap_bench_now_us() - t0) / rounds;
			lib = lib < 0 || t < lib ? t : lib;
		}
		printf("%-20s alloc+free %6zu KiB  raw %9.1f us  lib %9.1f us  overhead %+6.1f %%\n",
		       name, vivtheap_bench_sizes[s] >> 10, raw, lib, (lib - raw) * 100 / raw);
	}
	if (vivtheap_buffer_alloc(heap, 4096, 0, &buf))
		goto fail;
	fd = vivtheap_buffer_fd(buf);
	/* Interleaved raw/lib runs, best of each: no drift favours either. */
	raw = lib = -1;
	for (run = 0; run < 5; run++) {
		double t0 = vivtheap_bench_now_us(), t;

		for (r = 0; r < rounds * 50; r++)
			if (raw_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) ||
			    raw_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
				goto fail_buf;
		t = (vivtheap_bench_now_us() - t0) / (rounds * 50);
		raw = raw < 0 || t < raw ? t : raw;
		t0 = vivtheap_bench_now_us();
		for (r = 0; r < rounds * 50; r++)
			if (vivtheap_buffer_begin(buf, VIVTHEAP_ACCESS_RW) ||
			    vivtheap_buffer_end(buf, VIVTHEAP_ACCESS_RW))
				goto fail_buf;
		t = (vivtheap_bench_now_us() - t0) / (rounds * 50);
		lib = lib < 0 || t < lib ? t : lib;
	}
	printf("%-20s sync pair      4 KiB  raw %9.1f us  lib %9.1f us  overhead %+6.1f %%\n",
	       name, raw, lib, (lib - raw) * 100 / raw);
	vivtheap_buffer_free(buf);
	if (!vivtheap_buffer_alloc(heap, 4096, VIVTHEAP_BUFFER_CHECKED, &buf)) {
		void *v;

		double chk = -1;

		if (vivtheap_buffer_map(buf, &v))
			goto fail_buf;
		/* Best of three: background work only ever adds time. */
		for (run = 0; run < 3; run++) {
			double t0 = vivtheap_bench_now_us(), t;

			for (r = 0; r < rounds * 50; r++)
				if (vivtheap_buffer_begin(buf, VIVTHEAP_ACCESS_RW) ||
				    vivtheap_buffer_end(buf, VIVTHEAP_ACCESS_RW))
					goto fail_buf;
			t = (vivtheap_bench_now_us() - t0) / (rounds * 50);
			chk = chk < 0 || t < chk ? t : chk;
		}
		printf("%-20s sync pair, checker mode  %9.1f us  (+%.1f us per begin+end)\n",
		       name, chk, chk - lib);
		vivtheap_buffer_free(buf);
	}
	close(hfd);
	vivtheap_heap_close(heap);
	return EXIT_OK;
fail_buf:
	vivtheap_buffer_free(buf);
fail:
	fprintf(stderr, "vivtheap: bench %s failed\n", name);
	close(hfd);
	vivtheap_heap_close(heap);
	return EXIT_FAILED;
}

static int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "heap", required_argument, NULL, 'h' },
		{ "rounds", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct vivtheap_heap_list *list;
	const char *name = NULL;
	int c, rounds = 20, ret = EXIT_OK;
	size_t i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h')
			name = optarg;
		else if (c == 'r' && atoi(optarg) > 0)
			rounds = atoi(optarg);
		else
			return usage("bench");
	}
	if (optind != argc)
		return usage("bench");
	if (name)
		return bench_heap(name, rounds);
	ret = heaps_or_hint(&list);
	if (ret != EXIT_OK)
		return ret;
	for (i = 0; i < vivtheap_heap_list_count(list); i++)
		if (bench_heap(vivtheap_heap_desc_name(vivtheap_heap_list_get(list, i)),
			       rounds) != EXIT_OK)
			ret = EXIT_FAILED;
	vivtheap_heap_list_free(list);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd || !strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
		return cmd ? (usage(NULL), EXIT_OK) : usage(NULL);
	if (argc > 2 && !strcmp(argv[2], "--help"))
		return usage(cmd), EXIT_OK;
	if (!strcmp(cmd, "--version")) {
		printf("vivtheap %s\n", vivtheap_version());
		return EXIT_OK;
	}
	if (!strcmp(cmd, "list"))
		return argc == 2 ? cmd_list() : usage("list");
	if (!strcmp(cmd, "alloc"))
		return cmd_alloc(argc - 1, argv + 1);
	if (!strcmp(cmd, "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(cmd, "sync"))
		return cmd_sync(argc - 1, argv + 1);
	if (!strcmp(cmd, "bench"))
		return cmd_bench(argc - 1, argv + 1);
	fprintf(stderr, "vivtheap: unknown command %s\n", cmd);
	return usage(NULL);
}
