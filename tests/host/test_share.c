// SPDX-License-Identifier: MIT
/* libvivtheap sharing: send and receive a buffer with its size and heap, and every way a message can be wrong. */
#include <errno.h>
#include <string.h>
#include <linux/vivtheap.h>
#include <vivtheap.h>

#include "fixture.h"


static int setup(void **state)
{
	fixture_open_heap("vivtheap-uncached", VIVTHEAP_CACHE_UNCACHED);
	(void)state;
	return 0;
}


static void test_share_send_recv(void **state)
{
	struct vivtheap_buffer *a, *b;

	assert_int_equal(vivtheap_buffer_alloc(heap, 1 << 20, 0, &a), 0);
	assert_int_equal(vivtheap_buffer_send(a, 7), 0);
	assert_int_equal(vivtheap_buffer_recv(7, 0, &b), 0);
	assert_int_equal(vivtheap_buffer_size(b), 1 << 20);
	assert_string_equal(vivtheap_buffer_heap_name(b), "vivtheap-uncached");
	assert_int_equal(vivtheap_buffer_caching(b), VIVTHEAP_CACHING_UNCACHED);
	assert_int_not_equal(vivtheap_buffer_fd(b), vivtheap_buffer_fd(a));
	vivtheap_buffer_free(b);
	vivtheap_buffer_free(a);
	(void)state;
}

static void test_share_retries_eintr(void **state)
{
	struct vivtheap_buffer *a, *b;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &a), 0);
	fake_fail(FAKE_SENDMSG, 1, EINTR, 2);
	assert_int_equal(vivtheap_buffer_send(a, 7), 0);
	fake_fail(FAKE_RECVMSG, 1, EINTR, 1);
	assert_int_equal(vivtheap_buffer_recv(7, 0, &b), 0);
	vivtheap_buffer_free(b);
	vivtheap_buffer_free(a);
	(void)state;
}

static void test_share_errors(void **state)
{
	struct vivtheap_buffer *a, *b = NULL;

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &a), 0);
	assert_int_equal(vivtheap_buffer_send(NULL, 7), -EINVAL);
	assert_int_equal(vivtheap_buffer_send(a, -1), -EINVAL);
	assert_int_equal(vivtheap_buffer_recv(7, 0, NULL), -EINVAL);
	assert_int_equal(vivtheap_buffer_recv(-1, 0, &b), -EINVAL);
	assert_int_equal(vivtheap_buffer_recv(7, 0x100, &b), -EINVAL);
	fake_fail(FAKE_SENDMSG, 1, EPIPE, 1);
	assert_int_equal(vivtheap_buffer_send(a, 7), -EPIPE);
	fake_fail(FAKE_RECVMSG, 1, ENOTCONN, 1);
	assert_int_equal(vivtheap_buffer_recv(7, 0, &b), -ENOTCONN);
	/* the peer closed */
	assert_int_equal(vivtheap_buffer_recv(7, 0, &b), -ECONNRESET);
	assert_null(b);
	vivtheap_buffer_free(a);
	(void)state;
}

static void test_share_rejects_foreign_messages(void **state)
{
	struct vivtheap_buffer *b = NULL;
	char junk[16] = "not a buffer";

	/* bytes without an fd */
	fake_queue_raw(junk, sizeof(junk), 0);
	assert_int_equal(vivtheap_buffer_recv(7, 0, &b), -EPROTO);
	/* an fd with bytes of the wrong shape: the fd is closed */
	fake_queue_raw(junk, sizeof(junk), 1);
	assert_int_equal(vivtheap_buffer_recv(7, 0, &b), -EPROTO);
	assert_null(b);
	(void)state;
}

/* The wire format, as the protocol defines it (share.c). */
struct wire {
	uint32_t magic, version;
	uint64_t size;
	uint32_t caching, reserved;
	char heap[64];
};

static void test_share_rejects_size_mismatch(void **state)
{
	struct vivtheap_buffer *b = NULL;
	struct wire w = { 0x76697674u, 1, 8192, VIVTHEAP_CACHING_WC, 0, "x" };

	/* The wire says 8 KiB, the fd has 4 KiB: refused, fd closed. */
	fake_queue_raw(&w, sizeof(w), 1);
	assert_int_equal(vivtheap_buffer_recv(7, 0, &b), -EPROTO);
	assert_null(b);
	/* The same message with the right size is taken. */
	w.size = 4096;
	fake_queue_raw(&w, sizeof(w), 1);
	assert_int_equal(vivtheap_buffer_recv(7, 0, &b), 0);
	assert_string_equal(vivtheap_buffer_heap_name(b), "x");
	assert_int_equal(vivtheap_buffer_caching(b), VIVTHEAP_CACHING_WC);
	vivtheap_buffer_free(b);
	/* A newer protocol version is not guessed at. */
	w.version = 2;
	fake_queue_raw(&w, sizeof(w), 1);
	assert_int_equal(vivtheap_buffer_recv(7, 0, &b), -EPROTO);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, fixture_teardown)
		T(test_share_send_recv),
		T(test_share_retries_eintr),
		T(test_share_errors),
		T(test_share_rejects_foreign_messages),
		T(test_share_rejects_size_mismatch),
	};

	return cmocka_run_group_tests_name("share", tests, NULL, NULL);
}
