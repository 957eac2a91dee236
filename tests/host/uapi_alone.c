/* SPDX-License-Identifier: MIT */
/* The uapi header must compile on its own, as C89 and as C++. */
#include <linux/vivtheap.h>

int vivtheap_uapi_sizes_ok(void);
int vivtheap_uapi_sizes_ok(void)
{
	/* The structs keep 64-bit alignment on every ABI: no hidden padding. */
	return sizeof(struct vivtheap_ioc_buffer_info) == 64 &&
	       sizeof(struct vivtheap_ioc_heap_info) == 72 &&
	       VIVTHEAP_IOC_BUFFER_INFO != VIVTHEAP_IOC_HEAP_INFO;
}
