// SPDX-License-Identifier: MIT
/* Helper (not a test): allocate from a heap, print "fd N", hold it until killed. */
#include "gt.h"

int main(int argc, char **argv)
{
	int hfd, fd;

	if (argc != 3)
		return 2;
	hfd = gt_heap_open(argv[1]);
	fd = hfd < 0 ? -1 : gt_alloc(hfd, strtoull(argv[2], NULL, 0), O_RDWR);
	if (fd < 0)
		return 1;
	printf("fd %d\n", fd);
	fflush(stdout);
	pause();
	return 0;
}
