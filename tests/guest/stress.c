// SPDX-License-Identifier: MIT
/*
 * A bounded, seeded concurrent stress of vivtheap's heaps: 4 processes of 4
 * threads each. In every process thread 0 and 1 are "hostile neighbours"
 * (one reads the debugfs listings and counters, one writes pool_max_size
 * and drain_pools and sleeps a random time, so the pool's idle timer fires
 * between its writes); the other threads mix allocation (sizes that hit and
 * miss the pool), mmap with a written and checked pattern inside SYNC
 * brackets, SCM_RIGHTS passing, vgem import, and free. Every failure of an
 * operation that must succeed, and every pattern read back wrong, fails the
 * test; the runner fails it for a kernel warning, a lockdep report, a
 * dma-buf or CMA page left behind, or kmemleak.
 *
 *   vivtheap.stress_ops=N vivtheap.stress_seed=S   (the kernel command line;
 *   `make stress` runs 100000 per target, `make check` 4000 of seed 1)
 *
 * The run is reproducible only as far as the scheduler lets it: the seed
 * fixes each thread's sequence, not how the threads interleave.
 */
#include "gt.h"
#include "gt_fd.h"
#include <pthread.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <xf86drm.h>

#include "gt_vgem.h"

#define NPROC 4
#define NTHREAD 4
#define KEEP 4
#define DBG "/sys/kernel/debug/vivtheap"
#define PARAM "/sys/module/vivtheap/parameters"

static unsigned long long ops_per_worker, seed;
static int workers_done;	/* __atomic: the helper threads stop */
static int drm = -1;

struct worker {
	int proc, id;
	uint64_t rng;
	unsigned long long ops, allocs, refused, maps, passes, imports;
	pthread_t th;
};

static uint64_t rnd(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 7;
	w->rng ^= w->rng << 17;
	return w->rng;
}

static const char *const heaps[] = { VIVTHEAP_HEAP_UNCACHED_NAME, VIVTHEAP_HEAP_WC_NAME };

/* Sizes that the pool serves again and sizes that miss it. */
static size_t some_size(struct worker *w)
{
	static const size_t v[] = { 4096, 4096, 8192, 65536, 65536, 196608, 1 << 20, 3 << 20 };

	return rnd(w) % 4 ? v[rnd(w) % 8] : (size_t)(rnd(w) % 64 + 1) * 4096;
}

static void check_pattern(struct worker *w, int fd, size_t size, uint32_t tag)
{
	volatile uint32_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	size_t i, step = size / 4 / 64 + 1;

	if (p == MAP_FAILED)
		FAIL("proc %d thread %d: mmap %zu: %s", w->proc, w->id, size, strerror(errno));
	w->maps++;
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0);
	for (i = 0; i < size / 4; i += step)
		p[i] = tag ^ (uint32_t)i;
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) == 0);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0);
	for (i = 0; i < size / 4; i += step)
		if (p[i] != (tag ^ (uint32_t)i))
			FAIL("proc %d thread %d: word %zu of a %zu-byte buffer: %08x, want %08x",
			     w->proc, w->id, i, size, p[i], tag ^ (uint32_t)i);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0);
	CHECK(munmap((void *)p, size) == 0);
}

/* The fd travels through a socket: the received number is the buffer. */
static int pass_fd(int fd)
{
	int sv[2], got;

	CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0);
	gt_send_fd(sv[0], fd);
	got = gt_recv_fd(sv[1]);
	close(sv[0]);
	close(sv[1]);
	return got;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	int hfd[2], fds[KEEP];
	size_t sizes[KEEP];
	int i;

	for (i = 0; i < 2; i++) {
		hfd[i] = gt_heap_open(heaps[i]);
		CHECK(hfd[i] >= 0);
	}
	for (i = 0; i < KEEP; i++)
		fds[i] = -1;
	for (w->ops = 0; w->ops < ops_per_worker; w->ops++) {
		int k = (int)(rnd(w) % KEEP), fd;
		uint32_t handle;

		switch (rnd(w) % 6) {
		case 0:
		case 1:	/* allocate (or free and allocate) */
			if (fds[k] >= 0)
				close(fds[k]);
			sizes[k] = some_size(w);
			fds[k] = gt_alloc(hfd[rnd(w) % 2], sizes[k], O_RDWR | O_CLOEXEC);
			w->allocs++;
			if (fds[k] == -ENOMEM) {
				/* the CMA area is shared by 12 workers: a miss is allowed */
				w->refused++;
				fds[k] = -1;
			} else if (fds[k] < 0) {
				FAIL("proc %d thread %d: alloc %zu: %s", w->proc, w->id, sizes[k],
				     strerror(-fds[k]));
			}
			break;
		case 2:
			if (fds[k] >= 0)
				check_pattern(w, fds[k], sizes[k], (uint32_t)rnd(w));
			break;
		case 3:
			if (fds[k] >= 0) {
				fd = pass_fd(fds[k]);
				close(fds[k]);
				fds[k] = fd;
				w->passes++;
			}
			break;
		case 4:
			if (fds[k] >= 0 && drm >= 0) {
				CHECK(drmPrimeFDToHandle(drm, fds[k], &handle) == 0);
				CHECK(drmCloseBufferHandle(drm, handle) == 0);
				w->imports++;
			}
			break;
		default:
			if (fds[k] >= 0) {
				close(fds[k]);
				fds[k] = -1;
			}
			break;
		}
	}
	for (i = 0; i < KEEP; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (i = 0; i < 2; i++)
		close(hfd[i]);
	return NULL;
}

static void read_all(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		FAIL("open %s: %s", path, strerror(errno));
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		FAIL("write %s to %s: %s", s, path, strerror(errno));
	close(fd);
}

/* Thread 0: reads every listing while the others churn. */
static void *reader(void *arg)
{
	struct worker *w = arg;
	char path[128];

	while (!__atomic_load_n(&workers_done, __ATOMIC_ACQUIRE)) {
		read_all(DBG "/buffers");
		read_all(DBG "/pool");
		snprintf(path, sizeof(path), DBG "/%s/stats", heaps[rnd(w) % 2]);
		read_all(path);
		w->ops++;
	}
	return NULL;
}

/* Thread 1: changes the pool's bound, empties it, lets its timer fire. */
static void *tuner(void *arg)
{
	static const char *const bounds[] = { "0", "65536", "1048576", "4194304", "16777216" };
	struct worker *w = arg;
	char old[64] = "";
	FILE *f = fopen(PARAM "/pool_max_size", "r");

	if (!f || !fgets(old, sizeof(old), f))
		FAIL("read %s/pool_max_size: %s", PARAM, strerror(errno));
	fclose(f);
	old[strcspn(old, "\n")] = 0;
	while (!__atomic_load_n(&workers_done, __ATOMIC_ACQUIRE)) {
		if (rnd(w) % 3)
			write_str(PARAM "/pool_max_size", bounds[rnd(w) % 5]);
		else
			write_str(DBG "/drain_pools", "1");
		usleep((useconds_t)(rnd(w) % 20000));
		w->ops++;
	}
	write_str(PARAM "/pool_max_size", old);
	return NULL;
}

static void process(int proc)
{
	struct worker w[NTHREAD];
	unsigned long long ops = 0, allocs = 0, refused = 0, maps = 0, passes = 0, imports = 0;
	int i;

	drm = gt_open_vgem();
	for (i = 0; i < NTHREAD; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].proc = proc;
		w[i].id = i;
		w[i].rng = (seed * 0x9e3779b97f4a7c15ull) ^ (uint64_t)(proc * NTHREAD + i + 1) * 0x2545f4914f6cdd1dull;
		if (!w[i].rng)
			w[i].rng = 1;
	}
	/* thread 0 of process 0 reads; thread 1 of process 1 tunes; others work */
	for (i = 0; i < NTHREAD; i++) {
		void *(*fn)(void *) = work;

		if (i == 0 && proc == 0)
			fn = reader;
		else if (i == 1 && proc == 1)
			fn = tuner;
		CHECK(pthread_create(&w[i].th, NULL, fn, &w[i]) == 0);
	}
	for (i = 0; i < NTHREAD; i++) {
		if ((i == 0 && proc == 0) || (i == 1 && proc == 1))
			continue;
		CHECK(pthread_join(w[i].th, NULL) == 0);
	}
	__atomic_store_n(&workers_done, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NTHREAD; i++) {
		if ((i == 0 && proc == 0) || (i == 1 && proc == 1)) {
			CHECK(pthread_join(w[i].th, NULL) == 0);
			printf("process %d thread %d: %llu %s\n", proc, i, w[i].ops,
			       i == 0 ? "listing rounds" : "pool changes");
			continue;
		}
		ops += w[i].ops;
		allocs += w[i].allocs;
		refused += w[i].refused;
		maps += w[i].maps;
		passes += w[i].passes;
		imports += w[i].imports;
	}
	printf("process %d: %llu operations: %llu allocations (%llu ENOMEM), %llu checked "
	       "mappings, %llu SCM_RIGHTS passes, %llu vgem imports\n", proc, ops, allocs,
	       refused, maps, passes, imports);
	if (drm >= 0)
		close(drm);
}

int main(void)
{
	unsigned long long total = gt_cmdline_number("vivtheap.stress_ops=", 4000);
	int p, status, workers = NPROC * NTHREAD - 2, failed = 0;
	pid_t pids[NPROC];

	seed = gt_cmdline_number("vivtheap.stress_seed=", 1);
	ops_per_worker = (total + (unsigned long long)workers - 1) / (unsigned long long)workers;
	printf("seed %llu, %llu operations over %d workers in %d processes "
	       "(vivtheap.stress_seed=%llu vivtheap.stress_ops=%llu)\n", seed,
	       ops_per_worker * (unsigned long long)workers, workers, NPROC, seed, total);
	fflush(stdout);
	for (p = 0; p < NPROC; p++) {
		pids[p] = fork();
		CHECK(pids[p] >= 0);
		if (!pids[p]) {
			process(p);
			fflush(stdout);
			_exit(0);
		}
	}
	for (p = 0; p < NPROC; p++) {
		CHECK(waitpid(pids[p], &status, 0) == pids[p]);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("process %d failed (status %#x)\n", p, status);
			failed = 1;
		}
	}
	if (failed)
		FAIL("a stress process failed");
	printf("ok: %llu operations, every pattern read back as written\n",
	       ops_per_worker * (unsigned long long)workers);
	return 0;
}
