// SPDX-License-Identifier: MIT
/* The counters: allocation, bytes and peak, mmap; a WC end of a write or read-write access drains the write buffer, a read end never does; the buffers listing's mmaps column counts the live user mappings (a fork's copy and each piece of a split one too) and, with the pool listing, is root's only. */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "gt.h"

#define BUFFERS "/sys/kernel/debug/vivtheap/buffers"
#define POOL "/sys/kernel/debug/vivtheap/pool"

/* ARMv5 maps "uncached" strongly ordered: nothing to drain there. */
static int uncached_is_bufferable(void)
{
	return gt_cpu_arch() >= 6;
}

struct snap {
	long long begin, end, drain;
};

static void take(const char *heap, struct snap *s)
{
	s->begin = gt_stat(heap, "begin_cpu_access");
	s->end = gt_stat(heap, "end_cpu_access");
	s->drain = gt_stat(heap, "drain_write_buffer");
}

/* One bracket of direction dir: begin and end counted once, drains as want. */
static void bracket(const char *heap, int fd, uint64_t dir, long long want_drain)
{
	struct snap a, b;

	take(heap, &a);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | dir) == 0);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | dir) == 0);
	take(heap, &b);
	CHECK(b.begin == a.begin + 1 && b.end == a.end + 1);
	if (b.drain != a.drain + want_drain)
		FAIL("%s: end of a %s access drained %lld times, want %lld", heap,
		     dir == DMA_BUF_SYNC_READ ? "read" :
		     dir == DMA_BUF_SYNC_WRITE ? "write" : "read-write",
		     b.drain - a.drain, want_drain);
}

/* The mmaps column of the one live buffer of this heap and size. */
static long long live_mmaps(const char *heap, size_t size)
{
	char line[256], h[64];
	unsigned long long id, sz;
	long long mmaps = -1, m;
	int att, rows = 0;
	FILE *f = fopen(BUFFERS, "r");

	CHECK(f != NULL);
	CHECK(fgets(line, sizeof(line), f) != NULL);
	if (strcmp(line, "id heap size dma_addr attachments mmaps\n"))
		FAIL("%s: header is \"%s\"", BUFFERS, line);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llu %63s %llu %*s %d %lld", &id, h, &sz, &att, &m) == 5 &&
		    !strcmp(h, heap) && sz == size) {
			mmaps = m;
			rows++;
		}
	fclose(f);
	if (rows != 1)
		FAIL("%s: %d rows for a %zu-byte buffer of %s, want 1", BUFFERS, rows, size, heap);
	return mmaps;
}

static void want_mmaps(const char *heap, size_t size, long long want, const char *when)
{
	long long got = live_mmaps(heap, size);

	if (got != want)
		FAIL("%s: mmaps column %lld %s, want %lld: it must count the live user mappings",
		     heap, got, when, want);
}

/*
 * A fork's child has its own copy of the mapping (the column counts it), and
 * its PTEs are copied clean (mm/memory.c, copy_present_pte()): on ARM, where
 * the dirty bit is kept in software, its first write to each page faults once,
 * which the parent's mapping never does (alloc_basic). Returns the child's
 * faults writing one word per page.
 */
static long child_faults(const char *heap, uint8_t *p, size_t size)
{
	int go[2], back[2], status;
	long faults;
	char c;
	pid_t pid;

	CHECK(pipe(go) == 0 && pipe(back) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct rusage ru0, ru1;
		size_t i;

		/* The first call takes the copy-on-write fault of its stack. */
		CHECK(getrusage(RUSAGE_SELF, &ru1) == 0);
		CHECK(getrusage(RUSAGE_SELF, &ru0) == 0);
		for (i = 0; i < size; i += 4096)
			p[i] = 1;
		CHECK(getrusage(RUSAGE_SELF, &ru1) == 0);
		faults = ru1.ru_minflt - ru0.ru_minflt;
		CHECK(write(back[1], &faults, sizeof(faults)) == sizeof(faults));
		/* Held until the parent has counted the mappings. */
		CHECK(read(go[0], &c, 1) == 1);
		_exit(0);
	}
	CHECK(read(back[0], &faults, sizeof(faults)) == sizeof(faults));
	want_mmaps(heap, size, 2, "with a forked child");
	CHECK(write(go[1], "x", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(go[0]);
	close(go[1]);
	close(back[0]);
	close(back[1]);
	return faults;
}

/* Physical (DMA) addresses: root only. */
static void check_root_only(const char *path)
{
	struct stat st;

	CHECK(stat(path, &st) == 0);
	if ((st.st_mode & 07777) != 0400 || st.st_uid != 0)
		FAIL("%s: mode %o, uid %u: it lists DMA addresses, want 0400 root",
		     path, (unsigned int)(st.st_mode & 07777), (unsigned int)st.st_uid);
}

/*
 * The live mappings of a buffer: one, two across a fork, back to one when
 * the child is gone, two pieces when its middle page is unmapped, none after.
 */
static void check_live_mmaps(const char *heap, int fd, size_t size)
{
	uint8_t *p;
	long faults;

	want_mmaps(heap, size, 0, "with no mapping left");
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	want_mmaps(heap, size, 1, "after mmap");
	faults = child_faults(heap, p, size);
	if (faults < (long)(size / 4096))
		FAIL("%s: a forked child took %ld faults writing %zu pages, want one a page at least",
		     heap, faults, size / 4096);
	want_mmaps(heap, size, 1, "after the child exited");
	CHECK(munmap(p + 4096, 4096) == 0);
	want_mmaps(heap, size, 2, "with its middle page unmapped");
	CHECK(munmap(p, size) == 0);
	want_mmaps(heap, size, 0, "after munmap");
	printf("%s: live mappings counted across fork, split and munmap; a forked child faulted %ld times on %zu pages\n",
	       heap, faults, size / 4096);
}

int main(void)
{
	const size_t size = 12 << 20;
	int bufferable = uncached_is_bufferable(), i;

	check_root_only(BUFFERS);
	check_root_only(POOL);
	for (i = 0; i < GT_NR_OUR_HEAPS; i++) {
		const char *heap = gt_our_heaps[i];
		int wc = i == 1, hfd = gt_heap_open(heap), fd;
		/*
		 * The cached heap's end of a write access cleans through the
		 * DMA API, which drains the write buffer itself: counted as
		 * clean_kernel_bytes (tests/guest/cached.c), not as a drain.
		 */
		int cached = !strcmp(heap, VIVTHEAP_HEAP_CACHED_NAME);
		long long want_drain = !cached && (wc || bufferable) ? 1 : 0;
		long long allocs = gt_stat(heap, "alloc"), mmaps = gt_stat(heap, "mmap");
		long long bytes = gt_stat(heap, "bytes"), peak = gt_stat(heap, "peak_bytes");
		uint8_t *p;

		CHECK(hfd >= 0);
		fd = gt_alloc(hfd, size, O_RDWR);
		CHECK(fd >= 0);
		CHECK(gt_stat(heap, "alloc") == allocs + 1);
		CHECK(gt_stat(heap, "bytes") == bytes + (long long)size);
		CHECK(gt_stat(heap, "peak_bytes") ==
		      (peak > bytes + (long long)size ? peak : bytes + (long long)size));
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(p != MAP_FAILED);
		CHECK(gt_stat(heap, "mmap") == mmaps + 1);

		bracket(heap, fd, DMA_BUF_SYNC_WRITE, want_drain);
		/* What the library, the selftest and heapbench use. */
		bracket(heap, fd, DMA_BUF_SYNC_RW, want_drain);
		bracket(heap, fd, DMA_BUF_SYNC_READ, 0);

		munmap(p, size);
		check_live_mmaps(heap, fd, size);
		close(fd);
		close(hfd);
		CHECK(gt_stat(heap, "bytes") == bytes);
		printf("%s: drains per write or read-write end %lld, per read end 0\n",
		       heap, want_drain);
	}
	return 0;
}
