// SPDX-License-Identifier: MIT
/* Built against the *installed* library, as C and as C++: the header and the .pc work. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <vivtheap.h>

/* WANT_VERSION: the package version, from the build (make version). */

int main(void)
{
	struct vivtheap_heap *heap = NULL;
	int ret = vivtheap_heap_open("no/such", &heap);

	vivtheap_heap_close(heap);
	vivtheap_buffer_free(NULL);
	vivtheap_heap_list_free(NULL);
	if (ret != -EINVAL || strcmp(vivtheap_version(), WANT_VERSION) != 0 ||
	    strcmp(vivtheap_caching_name(VIVTHEAP_CACHING_WC), "write-combined") != 0) {
		printf("unexpected: %d %s\n", ret, vivtheap_version());
		return 1;
	}
	return VIVTHEAP_API_VERSION == 3 ? 0 : 1;
}
