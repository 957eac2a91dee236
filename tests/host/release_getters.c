// SPDX-License-Identifier: MIT
/*
 * Against the library built with NDEBUG (ci/host-check.sh): every getter
 * given NULL returns the safe value its man page names, where a debug build
 * fails an assertion. Exit 0 when all do; names the first that does not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <vivtheap.h>

#define WANT(expr)                                              \
	do {                                                    \
		if (!(expr)) {                                  \
			printf("release build: %s\n", #expr);   \
			return 1;                               \
		}                                               \
	} while (0)

int main(void)
{
	WANT(vivtheap_heap_list_count(NULL) == 0);
	WANT(vivtheap_heap_list_get(NULL, 0) == NULL);
	WANT(!strcmp(vivtheap_heap_desc_name(NULL), ""));
	WANT(vivtheap_heap_desc_caching(NULL) == VIVTHEAP_CACHING_UNKNOWN);
	WANT(vivtheap_heap_desc_props(NULL) == 0);
	WANT(!strcmp(vivtheap_heap_name(NULL), ""));
	WANT(vivtheap_heap_caching(NULL) == VIVTHEAP_CACHING_UNKNOWN);
	WANT(vivtheap_heap_props(NULL) == 0);
	WANT(vivtheap_heap_wanted_caching(NULL) == VIVTHEAP_CACHING_UNKNOWN);
	WANT(vivtheap_heap_is_fallback(NULL) == 0);
	WANT(vivtheap_buffer_fd(NULL) == -EINVAL);
	WANT(vivtheap_buffer_size(NULL) == 0);
	WANT(vivtheap_buffer_caching(NULL) == VIVTHEAP_CACHING_UNKNOWN);
	WANT(!strcmp(vivtheap_buffer_heap_name(NULL), ""));
	return 0;
}
