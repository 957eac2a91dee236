// SPDX-License-Identifier: MIT
/* rmmod semantics: chardev unloads only once no buffer or node user is left, then reloads; the heap backend never unloads. */
#include "gt.h"
#include "gt_kstate.h"
#include <sys/stat.h>
#include <sys/syscall.h>

static int rmmod(void)
{
	return (int)syscall(SYS_delete_module, "vivtheap", O_NONBLOCK);
}

static int insmod(const char *params)
{
	int fd = open("/lib/vivtheap.ko", O_RDONLY | O_CLOEXEC), ret;

	CHECK(fd >= 0);
	ret = (int)syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

int main(void)
{
	int heap_backend = gt_heap_backend(VIVTHEAP_HEAP_WC_NAME);
	const char *node = HEAP_DIR "/" VIVTHEAP_HEAP_WC_NAME;
	int hfd, fd;
	void *p;

	CHECK(gt_exists(node));
	if (heap_backend) {
		/* The dma-heap core cannot remove heaps: pinned for good. */
		CHECK_ERRNO(rmmod(), EAGAIN);
		CHECK(gt_exists(node));
		printf("heap backend: rmmod refused with EAGAIN, as documented\n");
		return 0;
	}

	hfd = open(node, O_RDONLY | O_CLOEXEC);
	CHECK(hfd >= 0);
	fd = gt_alloc(hfd, 1 << 20, O_RDWR | O_CLOEXEC);
	CHECK(fd >= 0);
	close(hfd);
	p = mmap(NULL, 1 << 20, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(p != MAP_FAILED);
	/* A live buffer pins the module: the kernel says EAGAIN (EWOULDBLOCK). */
	CHECK_ERRNO(rmmod(), EAGAIN);
	close(fd);
	CHECK_ERRNO(rmmod(), EAGAIN); /* the mapping still holds it */
	CHECK(munmap(p, 1 << 20) == 0);
	/* An open heap node pins it too. */
	hfd = open(node, O_RDONLY | O_CLOEXEC);
	CHECK(hfd >= 0);
	CHECK_ERRNO(rmmod(), EAGAIN);
	close(hfd);

	CHECK(rmmod() == 0);
	CHECK(!gt_exists(node));
	CHECK(!gt_exists(VIVTHEAP_CTL_PATH));
	CHECK(!gt_exists("/sys/kernel/debug/vivtheap"));

	/* Bad parameters are refused at load. */
	CHECK_ERRNO(insmod("backend=bogus"), EINVAL);
	CHECK_ERRNO(insmod("wc_name=a/b"), EINVAL);
	CHECK_ERRNO(insmod("uncached_name=same wc_name=same"), EBUSY);
	/* dma_bits out of range, checked before any DMA_BIT_MASK() (issue 9 #8) */
	CHECK_ERRNO(insmod("dma_bits=65"), EINVAL);
	CHECK_ERRNO(insmod("dma_bits=23"), EINVAL);
	if (!gt_kernel_exports("dma_heap_add"))
		CHECK_ERRNO(insmod("backend=heap"), EOPNOTSUPP);

	/* And it comes back, under other names too. */
	CHECK(insmod("backend=chardev wc_name=renamed-wc") == 0);
	CHECK(gt_exists(HEAP_DIR "/renamed-wc"));
	CHECK(rmmod() == 0);
	CHECK(insmod("backend=chardev") == 0);
	CHECK(gt_exists(node));
	hfd = open(node, O_RDONLY | O_CLOEXEC);
	CHECK(hfd >= 0);
	fd = gt_alloc(hfd, 4096, O_RDWR);
	CHECK(fd >= 0);
	close(fd);
	close(hfd);
	printf("chardev backend: EAGAIN while used, unload and reload ok\n");
	return 0;
}
