// SPDX-License-Identifier: MIT
/* libvivtheap's misc functions: the version, and the one word for each caching mode. */
#include <string.h>
#include <vivtheap.h>

#include "cmocka_shim.h"

static void test_misc_version_is_the_package_version(void **state)
{
	assert_string_equal(vivtheap_version(), VIVTHEAP_TEST_VERSION);
	(void)state;
}

static void test_misc_caching_names(void **state)
{
	assert_string_equal(vivtheap_caching_name(VIVTHEAP_CACHING_UNKNOWN), "unknown");
	assert_string_equal(vivtheap_caching_name(VIVTHEAP_CACHING_UNCACHED), "uncached");
	assert_string_equal(vivtheap_caching_name(VIVTHEAP_CACHING_WC), "write-combined");
	assert_string_equal(vivtheap_caching_name(VIVTHEAP_CACHING_CACHED), "cached");
	(void)state;
}

/* A value from elsewhere (a newer peer, a cast) is "unknown", never NULL. */
static void test_misc_caching_name_out_of_range(void **state)
{
	assert_string_equal(vivtheap_caching_name((enum vivtheap_caching)4), "unknown");
	assert_string_equal(vivtheap_caching_name((enum vivtheap_caching)-1), "unknown");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_misc_version_is_the_package_version),
		cmocka_unit_test(test_misc_caching_names),
		cmocka_unit_test(test_misc_caching_name_out_of_range),
	};

	return cmocka_run_group_tests_name("misc", tests, NULL, NULL);
}
