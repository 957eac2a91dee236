// SPDX-License-Identifier: MIT
/*
 * The VIVT cache model's calibration (tests/kmod/vivt_calib.c,
 * ci/coherency.sh): a vmalloc_user() buffer shared through
 * remap_vmalloc_range(), written by one alias and read by the other, without
 * and with the maintenance docs/vivt.md asks for. qemu itself is coherent,
 * so every case reads what was written and the test passes on every
 * target; only the cache model (ci/coherency.sh) sees the difference, and
 * attributes its events to a case by the physical pages this test prints:
 *   CASE <name> pa=<page> ...
 * Each case has its own buffer, all alive until the end, so that no page
 * belongs to two cases.
 */
#include "gt.h"
#include "../kmod/vivt_calib.h"

#define WORDS(size) ((size) / 4)

struct calib {
	const char *name;
	int fd;
	volatile uint32_t *map;
	uint32_t size;
};

enum { KWRITE_NOMAINT, KWRITE_MAINT, UWRITE_NOMAINT, UWRITE_MAINT, LOST_NOMAINT, LOST_MAINT, NCASES };

static const char *const names[NCASES] = {
	"kwrite-nomaint", "kwrite-maint", "uwrite-nomaint", "uwrite-maint",
	"lost-nomaint", "lost-maint",
};

/* Reads every word of the user alias: its lines are now in the cache. */
static uint32_t user_touch(const struct calib *c)
{
	uint32_t sum = 0;

	for (uint32_t w = 0; w < WORDS(c->size); w++)
		sum += c->map[w];
	return sum;
}

static void user_write(const struct calib *c, uint32_t seed)
{
	for (uint32_t w = 0; w < WORDS(c->size); w++)
		c->map[w] = seed + w;
}

/* Words of the user alias that differ from want(w); prints the first. */
static uint32_t user_check(const struct calib *c, uint32_t seed, uint32_t seed2, uint32_t stride2)
{
	uint32_t bad = 0;

	for (uint32_t w = 0; w < WORDS(c->size); w++) {
		uint32_t want = stride2 && w % stride2 == 0 ? seed2 + w : seed + w;
		uint32_t v = c->map[w];

		if (v != want && !bad++)
			printf("%s: user read word %u = %08x, want %08x\n", c->name, w, v, want);
	}
	return bad;
}

static struct vivt_calib_op op_of(const struct calib *c, uint32_t seed, uint32_t stride, int maint)
{
	struct vivt_calib_op op = {
		.uaddr = (uintptr_t)c->map,
		.flags = maint ? VIVT_CALIB_MAINT : 0,
		.seed = seed,
		.stride = stride,
	};

	return op;
}

static void kwrite(const struct calib *c, uint32_t seed, uint32_t stride, int maint)
{
	struct vivt_calib_op op = op_of(c, seed, stride, maint);

	CHECK(ioctl(c->fd, VIVT_CALIB_KWRITE, &op) == 0);
}

/* The kernel's read through its alias: words that differ from seed + w. */
static uint32_t kread(const struct calib *c, uint32_t seed, int maint)
{
	struct vivt_calib_op op = op_of(c, seed, 1, maint);

	CHECK(ioctl(c->fd, VIVT_CALIB_KREAD, &op) == 0);
	if (op.mismatches)
		printf("%s: kernel read %u words differing, first word %u = %08x, want %08x\n",
		       c->name, op.mismatches, op.first_bad, op.first_val, seed + op.first_bad);
	return op.mismatches;
}

/* The kernel reads every word of its alias: its lines are now in the cache. */
static void kernel_touch(const struct calib *c)
{
	struct vivt_calib_op op = op_of(c, 0, 1, 0);

	CHECK(ioctl(c->fd, VIVT_CALIB_KREAD, &op) == 0);
}

/*
 * One case. Both aliases are first read (their lines now cached, clean), as
 * a driver and a process polling a shared buffer would have them, except
 * where said. The result line is printed after the case's accesses: nothing
 * between them that could switch to another process (which flushes the
 * whole ARM926 D-cache and would make the case coherent by accident).
 */
static uint32_t run_case(int i, const struct calib *c)
{
	uint32_t seed = 0x10000000u * (uint32_t)(i + 1), bad = 0;
	int maint = i == KWRITE_MAINT || i == UWRITE_MAINT || i == LOST_MAINT;

	switch (i) {
	case KWRITE_NOMAINT:
	case KWRITE_MAINT:
		/* The kernel writes, the user reads. */
		user_touch(c);
		kernel_touch(c);
		kwrite(c, seed, 1, maint);
		bad = user_check(c, seed, 0, 0);
		break;
	case UWRITE_NOMAINT:
	case UWRITE_MAINT:
		/* The user writes, the kernel reads. */
		user_touch(c);
		kernel_touch(c);
		user_write(c, seed);
		bad = kread(c, seed, maint);
		break;
	case LOST_NOMAINT:
	case LOST_MAINT:
		/*
		 * The kernel alias holds clean lines; the user writes the whole
		 * buffer (its alias holds none: the stores go to memory); the
		 * kernel then writes one word per 32-byte line. Without
		 * maintenance, its lines are dirty with the other words' old
		 * values, and their write-back (at the latest when the buffer
		 * is freed) lands over the user's data.
		 */
		kernel_touch(c);
		user_write(c, seed);
		kwrite(c, seed ^ 0x0f000000u, 8, maint);
		bad = user_check(c, seed, seed ^ 0x0f000000u, 8);
		break;
	}
	return bad;
}

/* A buffer outlives its file descriptor while it is mapped (own buffer). */
static void lifetime(void)
{
	struct calib l = { .name = "lifetime", .size = 4096 * VIVT_CALIB_PAGES };

	l.fd = open(VIVT_CALIB_DEV, O_RDWR | O_CLOEXEC);
	if (l.fd < 0 && errno == ENOENT)
		FAIL("no %s: is vivt_calib.ko loaded?", VIVT_CALIB_DEV);
	CHECK(l.fd >= 0);
	l.map = mmap(NULL, l.size, PROT_READ | PROT_WRITE, MAP_SHARED, l.fd, 0);
	CHECK(l.map != MAP_FAILED);
	CHECK(close(l.fd) == 0);
	user_write(&l, 1);
	CHECK(user_check(&l, 1, 0, 0) == 0);
	CHECK(munmap((void *)l.map, l.size) == 0);
}

int main(void)
{
	struct calib c[NCASES];
	uint32_t total = 0;
	int i;

	lifetime();
	for (i = 0; i < NCASES; i++) {
		struct vivt_calib_info info;

		c[i].name = names[i];
		c[i].fd = open(VIVT_CALIB_DEV, O_RDWR | O_CLOEXEC);
		CHECK(c[i].fd >= 0);
		CHECK(ioctl(c[i].fd, VIVT_CALIB_INFO, &info) == 0);
		CHECK(info.npages == VIVT_CALIB_PAGES && info.size == info.npages * 4096u);
		c[i].size = info.size;
		c[i].map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, c[i].fd, 0);
		CHECK(c[i].map != MAP_FAILED);
		printf("CASE %s", names[i]);
		for (uint32_t p = 0; p < info.npages; p++)
			printf(" pa=%#llx", (unsigned long long)info.pa[p]);
		printf("\n");
	}
	/* What a hostile or careless caller gets. */
	{
		struct vivt_calib_op op = op_of(&c[0], 0, 0, 0);

		CHECK_ERRNO(ioctl(c[0].fd, VIVT_CALIB_KWRITE, &op), EINVAL);
		op = op_of(&c[0], 0, 1, 1);
		op.uaddr = (uintptr_t)c[1].map;		/* another buffer's mapping */
		CHECK_ERRNO(ioctl(c[0].fd, VIVT_CALIB_KWRITE, &op), EINVAL);
		op.uaddr = (uintptr_t)c[0].map + 4096;	/* not the mapping's start */
		CHECK_ERRNO(ioctl(c[0].fd, VIVT_CALIB_KREAD, &op), EINVAL);
		op = op_of(&c[0], 0, 1, 0);
		op.flags = 2;
		CHECK_ERRNO(ioctl(c[0].fd, VIVT_CALIB_KREAD, &op), EINVAL);
		CHECK(mmap(NULL, 2 * c[0].size, PROT_READ, MAP_SHARED, c[0].fd, 0) == MAP_FAILED);
		CHECK(mmap(NULL, c[0].size, PROT_READ, MAP_SHARED, c[0].fd, 4096) == MAP_FAILED);
		CHECK(mmap(NULL, c[0].size, PROT_READ, MAP_PRIVATE, c[0].fd, 0) == MAP_FAILED);
	}
	fflush(stdout);
	for (i = 0; i < NCASES; i++) {
		uint32_t bad;

		printf("CASE-BEGIN %s\n", names[i]);
		fflush(stdout);
		bad = run_case(i, &c[i]);
		printf("CASE-END %s words-differing %u\n", names[i], bad);
		fflush(stdout);
		total += bad;
	}
	for (i = 0; i < NCASES; i++) {
		CHECK(munmap((void *)c[i].map, c[i].size) == 0);
		CHECK(close(c[i].fd) == 0);
	}
	/* qemu is coherent: any difference here is a bug of the module or test. */
	if (total)
		FAIL("%u words read differently from what was written", total);
	printf("ok: every case read what was written (qemu models no cache)\n");
	return 0;
}
