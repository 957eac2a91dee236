// SPDX-License-Identifier: MIT
/* Bad input to each vivtheap heap, the control node and the dma-buf: each gets its documented errno, nothing leaks. */
#include "gt.h"
#include <dirent.h>


struct alloc_older {
	uint64_t len;
	uint32_t fd;
	uint32_t fd_flags;
};

struct alloc_newer {
	uint64_t len;
	uint32_t fd;
	uint32_t fd_flags;
	uint64_t heap_flags;
	uint64_t extra[3];
};

static void check_alloc_errors(const char *heap, int hfd)
{
	struct dma_heap_allocation_data d;
	int fd;

	/* len 0 */
	CHECK(gt_alloc(hfd, 0, O_RDWR) == -EINVAL);
	/* len > SIZE_MAX on 32-bit: must not come back as a 4 KiB buffer */
	fd = gt_alloc(hfd, (1ULL << 32) + 4096, O_RDWR);
	if (fd >= 0 && gt_heap_backend(heap) && sizeof(size_t) == 4 &&
	    lseek(fd, 0, SEEK_END) == 4096) {
		/*
		 * Through the dma-heap core the len is narrowed before any heap
		 * sees it (drivers/dma-buf/dma-heap.c: size_t len =
		 * PAGE_ALIGN(u64)): a kernel bug no heap can mend. That is why
		 * backend=auto takes chardev on 32-bit kernels.
		 */
		printf("KNOWN dma-heap core narrows a 64-bit len on 32-bit: 2^32+4096 gives 4 KiB\n");
		close(fd);
	} else {
		if (fd >= 0)
			FAIL("%s: 2^32+4096 gave a buffer of %lld bytes", heap,
			     (long long)lseek(fd, 0, SEEK_END));
		if (sizeof(size_t) == 4)
			CHECK(fd == -EINVAL);
	}
	/* len that wraps when page-aligned */
	CHECK(gt_alloc(hfd, UINT64_MAX, O_RDWR) == -EINVAL);
	CHECK(gt_alloc(hfd, (uint64_t)SIZE_MAX - 10, O_RDWR) == -EINVAL);
	/* over the heap's max_size (256 MiB by default; guests have less) */
	CHECK(gt_alloc(hfd, 512ULL << 20, O_RDWR) == -ENOMEM);
	/* over what CMA can give, but under max_size: prompt ENOMEM */
	CHECK(gt_alloc(hfd, 200ULL << 20, O_RDWR) == -ENOMEM);
	/* bad fd_flags, heap_flags, non-zero input fd */
	memset(&d, 0, sizeof(d));
	d.len = 4096;
	d.fd_flags = O_RDWR | O_NONBLOCK;
	CHECK_ERRNO(ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &d), EINVAL);
	d.fd_flags = O_RDWR;
	d.heap_flags = 1;
	CHECK_ERRNO(ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &d), EINVAL);
	d.heap_flags = 0;
	d.fd = 3;
	CHECK_ERRNO(ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, &d), EINVAL);
	/* unknown commands */
	CHECK_ERRNO(ioctl(hfd, _IOWR(DMA_HEAP_IOC_MAGIC, 0x1, d), &d), EINVAL);
	/* A known number is that command whatever its type, as in the core. */
	d.fd = 0;
	CHECK(ioctl(hfd, _IOWR('Z', 0x0, d), &d) == 0);
	CHECK(d.fd > 0 && lseek((int)d.fd, 0, SEEK_END) == 4096);
	close((int)d.fd);
	/*
	 * A command that cannot return the fd: our chardev refuses it; the
	 * core (heap backend) allocates and leaks the fd, its code not ours.
	 */
	if (!gt_heap_backend(heap))
		CHECK_ERRNO(ioctl(hfd, _IOW(DMA_HEAP_IOC_MAGIC, 0x0, uint64_t), &d),
			    EINVAL);
	/* bad argument pointer */
	CHECK_ERRNO(ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, (void *)16), EFAULT);
}

/*
 * The fds the kernel lists for this process: /proc/self/fd shows every slot
 * of the fd table that holds a file (6.1 lists a slot even when its file was
 * put behind the table's back, which fcntl() would not see).
 */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	CHECK(d != NULL);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
			n++;
	closedir(d);
	return n;
}

/*
 * The argument is readable but not writable: the buffer is made, the result
 * cannot reach user space, so the fd must never have been installed and the
 * buffer is gone again (the fd is installed only after copy_to_user()). Our
 * chardev only: the core (heap backend) installs the fd first and leaks it
 * on this path, its code not ours.
 */
static void check_result_unwritable(const char *heap, int hfd)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct dma_heap_allocation_data *d;
	long long allocs = gt_stat(heap, "alloc");
	int fds = count_fds();

	if (gt_heap_backend(heap))
		return;
	d = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(d != MAP_FAILED);
	d->len = 4096;
	d->fd_flags = O_RDWR | O_CLOEXEC;
	CHECK(mprotect(d, pg, PROT_READ) == 0);
	CHECK_ERRNO(ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, d), EFAULT);
	/* The buffer was made (so the path was walked) and is gone again. */
	CHECK(gt_stat(heap, "alloc") == allocs + 1);
	CHECK(gt_stat(heap, "buffers") == 0);
	if (count_fds() != fds)
		FAIL("%s: %d fds open after the failed copy-out, %d before: an fd was installed",
		     heap, count_fds(), fds);
	CHECK(munmap(d, pg) == 0);
}

static void check_struct_sizes(int hfd)
{
	struct alloc_older o = { .len = 4096, .fd_flags = O_RDWR };
	struct alloc_newer n = { .len = 8192, .fd_flags = O_RDWR,
				 .extra = { 1, 2, 3 } };

	/* A shorter struct: heap_flags reads as zero. */
	CHECK(ioctl(hfd, _IOWR(DMA_HEAP_IOC_MAGIC, 0x0, o), &o) == 0);
	CHECK(o.fd > 0 && lseek((int)o.fd, 0, SEEK_END) == 4096);
	close((int)o.fd);
	/* A longer struct: the extra bytes are ignored, as in the core. */
	CHECK(ioctl(hfd, _IOWR(DMA_HEAP_IOC_MAGIC, 0x0, n), &n) == 0);
	CHECK(n.fd > 0 && lseek((int)n.fd, 0, SEEK_END) == 8192);
	CHECK(n.extra[0] == 1 && n.extra[2] == 3);
	close((int)n.fd);
}

static void check_buffer_errors(const char *heap, int hfd)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *p, *q;
	int fd, ro;

	/* not page-aligned: rounded up */
	fd = gt_alloc(hfd, 5000, O_RDWR);
	CHECK(fd >= 0);
	CHECK(lseek(fd, 0, SEEK_END) == 2 * pg);
	/* mmap past the end, at a huge offset */
	CHECK(mmap(NULL, 3 * pg, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 2 * pg) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mmap(NULL, pg, PROT_READ, MAP_SHARED, fd,
		   (off_t)0x7ffff000) == MAP_FAILED && errno == EINVAL);
	/* a private mapping, read-only or writable, is refused (issue 9 #6) */
	CHECK_ERRNO((long)mmap(NULL, pg, PROT_READ, MAP_PRIVATE, fd, 0), EINVAL);
	CHECK_ERRNO((long)mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0), EINVAL);
	/* an offset inside is honoured */
	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
	CHECK(p != MAP_FAILED);
	/* growing by mremap is refused (VM_DONTEXPAND) */
	q = mremap(p, pg, 2 * pg, MREMAP_MAYMOVE);
	CHECK(q == MAP_FAILED && errno == EFAULT);
	CHECK(munmap(p, pg) == 0);
	/* DMA_BUF_IOCTL_SYNC with bad flags */
	CHECK(gt_sync(fd, 0) == -1 && errno == EINVAL);
	CHECK(gt_sync(fd, DMA_BUF_SYNC_READ | 0x100) == -1 && errno == EINVAL);
	/* (DMA_BUF_SYNC_START is 0: an END alone has no direction either) */
	CHECK(gt_sync(fd, DMA_BUF_SYNC_END) == -1 && errno == EINVAL);
	close(fd);

	/* a read-only fd cannot be mapped for writing */
	ro = gt_alloc(hfd, 4096, O_RDONLY);
	CHECK(ro >= 0);
	CHECK_ERRNO((long)mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED,
			       ro, 0), EACCES);
	p = mmap(NULL, pg, PROT_READ, MAP_SHARED, ro, 0);
	CHECK(p != MAP_FAILED);
	CHECK_ERRNO(mprotect(p, pg, PROT_READ | PROT_WRITE), EACCES);
	CHECK(munmap(p, pg) == 0);
	close(ro);
	printf("%s: buffer errors ok\n", heap);
}

static void check_ctl_errors(int ctl, int hfd)
{
	struct vivtheap_ioc_buffer_info bi;
	struct vivtheap_ioc_heap_info hi;
	int pipefd[2];
	int fd;

	memset(&bi, 0, sizeof(bi));
	bi.fd = 1000;
	CHECK_ERRNO(ioctl(ctl, VIVTHEAP_IOC_BUFFER_INFO, &bi), EBADF);
	CHECK(pipe(pipefd) == 0);
	bi.fd = (uint32_t)pipefd[0];
	CHECK_ERRNO(ioctl(ctl, VIVTHEAP_IOC_BUFFER_INFO, &bi), EINVAL);
	close(pipefd[0]);
	close(pipefd[1]);
	fd = gt_alloc(hfd, 4096, O_RDWR);
	CHECK(fd >= 0);
	bi.fd = (uint32_t)fd;
	bi.flags = 1;
	CHECK_ERRNO(ioctl(ctl, VIVTHEAP_IOC_BUFFER_INFO, &bi), EINVAL);
	bi.flags = 0;
	bi.reserved[1] = 1;
	CHECK_ERRNO(ioctl(ctl, VIVTHEAP_IOC_BUFFER_INFO, &bi), EINVAL);
	bi.reserved[1] = 0;
	CHECK(ioctl(ctl, VIVTHEAP_IOC_BUFFER_INFO, &bi) == 0);
	close(fd);

	memset(&hi, 0, sizeof(hi));
	strcpy(hi.name, "no-such-heap");
	CHECK_ERRNO(ioctl(ctl, VIVTHEAP_IOC_HEAP_INFO, &hi), ENOENT);
	memset(hi.name, 'x', sizeof(hi.name));
	CHECK_ERRNO(ioctl(ctl, VIVTHEAP_IOC_HEAP_INFO, &hi), EINVAL);
	memset(&hi, 0, sizeof(hi));
	strcpy(hi.name, VIVTHEAP_HEAP_WC_NAME);
	CHECK(ioctl(ctl, VIVTHEAP_IOC_HEAP_INFO, &hi) == 0);
	CHECK(hi.cache_mode == VIVTHEAP_CACHE_WC);
	CHECK(hi.max_size == 256ULL << 20);
	CHECK_ERRNO(ioctl(ctl, _IOWR(VIVTHEAP_IOC_MAGIC, 0x7, hi), &hi), ENOTTY);
	CHECK_ERRNO(ioctl(ctl, _IOWR('V', 0x1, hi), &hi), ENOTTY);
	CHECK_ERRNO(ioctl(ctl, VIVTHEAP_IOC_HEAP_INFO, (void *)16), EFAULT);
}

int main(void)
{
	int ctl = open(VIVTHEAP_CTL_PATH, O_RDWR | O_CLOEXEC);
	int i, fds_before;

	CHECK(ctl >= 0);
	fds_before = count_fds();
	for (i = 0; i < GT_NR_OUR_HEAPS; i++) {
		int hfd = gt_heap_open(gt_our_heaps[i]);
		long long fails = gt_stat(gt_our_heaps[i], "alloc_failed");

		CHECK(hfd >= 0);
		check_alloc_errors(gt_our_heaps[i], hfd);
		/* max_size and CMA refusals are counted, argument errors are not */
		if (gt_stat(gt_our_heaps[i], "alloc_failed") != fails + 2)
			FAIL("%s: %lld failed allocations counted, want 2", gt_our_heaps[i],
			     gt_stat(gt_our_heaps[i], "alloc_failed") - fails);
		check_result_unwritable(gt_our_heaps[i], hfd);
		check_struct_sizes(hfd);
		check_buffer_errors(gt_our_heaps[i], hfd);
		check_ctl_errors(ctl, hfd);
		close(hfd);
		CHECK(gt_stat(gt_our_heaps[i], "buffers") == 0);
	}
	CHECK(count_fds() == fds_before);
	close(ctl);
	return 0;
}
