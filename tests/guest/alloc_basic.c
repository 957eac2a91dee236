// SPDX-License-Identifier: MIT
/* Each vivtheap heap: allocate, size, zeroed, mmap, write and read back under sync brackets, info from the control node. */
#include "gt.h"
#include <sys/resource.h>
#include <sys/stat.h>

/* Allocate, dirty, free, allocate again: zero, at 4 KiB and 8 MiB. */
static void check_rezeroed(const char *heap, int hfd)
{
	static const size_t sizes[] = { 4096, 8 << 20 };
	unsigned int i, round;
	size_t j;

	for (i = 0; i < 2; i++) {
		for (round = 0; round < 2; round++) {
			int fd = gt_alloc(hfd, sizes[i], O_RDWR);
			uint8_t *p;

			CHECK(fd >= 0);
			p = mmap(NULL, sizes[i], PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			CHECK(p != MAP_FAILED);
			CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) == 0);
			for (j = 0; j < sizes[i]; j++)
				if (p[j])
					FAIL("%s: reallocated %zu-byte buffer not zero at %zu",
					     heap, sizes[i], j);
			memset(p, 0xa5, sizes[i]);
			CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) == 0);
			munmap(p, sizes[i]);
			close(fd);
		}
	}
}

static void check_heap(const char *heap, int ctl, uint32_t want_mode)
{
	static const uint64_t sizes[] = { 4096, 1 << 20, 12 << 20 };
	int hfd = gt_heap_open(heap);
	unsigned int i;

	CHECK(hfd >= 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct vivtheap_ioc_buffer_info info = { 0 };
		uint64_t n = sizes[i], j;
		struct rusage ru0, ru1;
		uint32_t *p;
		int fd = gt_alloc(hfd, n, O_RDWR | O_CLOEXEC);

		if (fd < 0)
			FAIL("%s: alloc %llu: %s", heap, (unsigned long long)n,
			     strerror(-fd));
		CHECK((uint64_t)lseek(fd, 0, SEEK_END) == n);
		p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK(p != MAP_FAILED);
		CHECK(getrusage(RUSAGE_SELF, &ru0) == 0);
		CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) == 0);
		for (j = 0; j < n / 4; j++)
			if (p[j])
				FAIL("%s: %llu-byte buffer not zeroed at %llu",
				     heap, (unsigned long long)n,
				     (unsigned long long)j * 4);
		for (j = 0; j < n / 4; j++)
			p[j] = (uint32_t)(j * 2654435761u);
		CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) == 0);
		/* Every page was read and written: no fault after mmap() returned. */
		CHECK(getrusage(RUSAGE_SELF, &ru1) == 0);
		if (ru1.ru_minflt != ru0.ru_minflt || ru1.ru_majflt != ru0.ru_majflt)
			FAIL("%s: %ld page faults touching a mapped %llu-byte buffer", heap,
			     (ru1.ru_minflt - ru0.ru_minflt) + (ru1.ru_majflt - ru0.ru_majflt),
			     (unsigned long long)n);
		CHECK(munmap(p, n) == 0);

		/* A second mapping sees what the first wrote. */
		p = mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0);
		CHECK(p != MAP_FAILED);
		CHECK(gt_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ) == 0);
		for (j = 0; j < n / 4; j++)
			if (p[j] != (uint32_t)(j * 2654435761u))
				FAIL("%s: readback mismatch at %llu", heap,
				     (unsigned long long)j * 4);
		CHECK(gt_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ) == 0);
		CHECK(munmap(p, n) == 0);

		info.fd = (uint32_t)fd;
		CHECK(ioctl(ctl, VIVTHEAP_IOC_BUFFER_INFO, &info) == 0);
		CHECK(info.size == n);
		CHECK(info.cache_mode == want_mode);
		CHECK(info.info_flags & VIVTHEAP_INFO_CONTIGUOUS);
		CHECK(strcmp(info.heap_name, heap) == 0);
		close(fd);
		printf("%s: %llu bytes ok\n", heap, (unsigned long long)n);
	}
	check_rezeroed(heap, hfd);
	close(hfd);
}

int main(void)
{
	struct stat st;
	int ctl = open(VIVTHEAP_CTL_PATH, O_RDWR | O_CLOEXEC);

	CHECK(ctl >= 0);
	CHECK(fstat(ctl, &st) == 0 && S_ISCHR(st.st_mode));
	CHECK((st.st_mode & 0777) == 0600);
	check_heap(VIVTHEAP_HEAP_UNCACHED_NAME, ctl, VIVTHEAP_CACHE_UNCACHED);
	check_heap(VIVTHEAP_HEAP_WC_NAME, ctl, VIVTHEAP_CACHE_WC);
	close(ctl);
	return 0;
}
