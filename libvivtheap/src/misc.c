// SPDX-License-Identifier: MIT
/* What belongs to no object: the library's version and the words for caching modes. */
#include <linux/vivtheap.h>

#include "internal.h"

VIVTHEAP_EXPORT const char *vivtheap_version(void)
{
	return VIVTHEAP_VERSION_STRING;
}

/* The one table of words for caching modes: the tool and the docs use these. */
static const char *const vivtheap_caching_names[] = {
	[VIVTHEAP_CACHING_UNKNOWN] = "unknown",
	[VIVTHEAP_CACHING_UNCACHED] = "uncached",
	[VIVTHEAP_CACHING_WC] = "write-combined",
	[VIVTHEAP_CACHING_CACHED] = "cached",
};

VIVTHEAP_EXPORT const char *vivtheap_caching_name(enum vivtheap_caching caching)
{
	if ((unsigned int)caching >= sizeof(vivtheap_caching_names) /
					 sizeof(vivtheap_caching_names[0]))
		return vivtheap_caching_names[VIVTHEAP_CACHING_UNKNOWN];
	return vivtheap_caching_names[caching];
}

enum vivtheap_caching vivtheap_caching_from_mode(uint32_t mode)
{
	switch (mode) {
	case VIVTHEAP_CACHE_UNCACHED:
		return VIVTHEAP_CACHING_UNCACHED;
	case VIVTHEAP_CACHE_WC:
		return VIVTHEAP_CACHING_WC;
	case VIVTHEAP_CACHE_CACHED:
		return VIVTHEAP_CACHING_CACHED;
	default:
		return VIVTHEAP_CACHING_UNKNOWN;
	}
}
