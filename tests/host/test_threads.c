// SPDX-License-Identifier: MIT
/* libvivtheap thread safety: one heap shared by threads allocating; one buffer whose brackets, whole and ranged, threads contend for. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <linux/vivtheap.h>
#include <vivtheap.h>

#include "fixture.h"

#define THREADS 4
#define ROUNDS 200

static struct vivtheap_buffer *shared;
static int inside; /* threads inside the shared bracket: must stay <= 1 */
static int max_inside;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

static int setup(void **state)
{
	fixture_open_heap("vivtheap-wc", VIVTHEAP_CACHE_WC);
	(void)state;
	return 0;
}


static void *own_buffers(void *arg)
{
	long bad = 0;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		struct vivtheap_buffer *b;
		void *p;

		if (vivtheap_buffer_alloc(heap, 4096, 0, &b)) {
			bad++;
			continue;
		}
		bad += vivtheap_buffer_map(b, &p) != 0;
		bad += vivtheap_buffer_begin(b, VIVTHEAP_ACCESS_WRITE) != 0;
		((char *)p)[i % 4096] = 1;
		bad += vivtheap_buffer_end(b, VIVTHEAP_ACCESS_WRITE) != 0;
		bad += vivtheap_buffer_unmap(b) != 0;
		vivtheap_buffer_free(b);
	}
	(void)arg;
	return (void *)bad;
}

/* A while inside the shared bracket, counted. */
static void be_inside(void)
{
	pthread_mutex_lock(&count_lock);
	if (++inside > max_inside)
		max_inside = inside;
	pthread_mutex_unlock(&count_lock);
	sched_yield(); /* give another thread the chance to get in */
	pthread_mutex_lock(&count_lock);
	inside--;
	pthread_mutex_unlock(&count_lock);
}

static void *contend(void *arg)
{
	long bad = 0;
	int i, ret;

	for (i = 0; i < ROUNDS; i++) {
		while ((ret = vivtheap_buffer_begin(shared, VIVTHEAP_ACCESS_RW)) == -EBUSY)
			sched_yield();
		if (ret) {
			bad++;
			continue;
		}
		be_inside();
		bad += vivtheap_buffer_end(shared, VIVTHEAP_ACCESS_RW) != 0;
	}
	(void)arg;
	return (void *)bad;
}

/* Thread n: ranged brackets on its own page (odd n) or whole ones (even). */
static void *contend_ranged(void *arg)
{
	long n = (long)arg, bad = 0;
	int i, ret;

	for (i = 0; i < ROUNDS; i++) {
		while ((ret = n % 2 ? vivtheap_buffer_begin_range(shared, VIVTHEAP_ACCESS_RW,
								   (size_t)n * 4096, 4096) :
				      vivtheap_buffer_begin(shared, VIVTHEAP_ACCESS_RW)) == -EBUSY)
			sched_yield();
		if (ret) {
			bad++;
			continue;
		}
		be_inside();
		/* the other kind of end is refused, and the bracket stays */
		bad += (n % 2 ? vivtheap_buffer_end(shared, VIVTHEAP_ACCESS_RW) :
				vivtheap_buffer_end_range(shared, VIVTHEAP_ACCESS_RW, 0, 4096)) != -EINVAL;
		bad += (n % 2 ? vivtheap_buffer_end_range(shared, VIVTHEAP_ACCESS_RW,
							  (size_t)n * 4096, 4096) :
				vivtheap_buffer_end(shared, VIVTHEAP_ACCESS_RW)) != 0;
	}
	return (void *)bad;
}

static void run(void *(*fn)(void *))
{
	pthread_t t[THREADS];
	void *bad;
	long i;

	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fn, (void *)i), 0);
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(t[i], &bad), 0);
		assert_null(bad);
	}
}

static void test_threads_share_a_heap(void **state)
{
	run(own_buffers);
	(void)state;
}

static void test_threads_contend_for_one_bracket(void **state)
{
	int syncs = fake_syncs();

	assert_int_equal(vivtheap_buffer_alloc(heap, 4096, 0, &shared), 0);
	run(contend);
	assert_int_equal(max_inside, 1);
	assert_int_equal(fake_syncs() - syncs, 2 * THREADS * ROUNDS);
	vivtheap_buffer_free(shared);
	(void)state;
}

static void test_threads_contend_for_one_bracket_ranged(void **state)
{
	assert_int_equal(vivtheap_buffer_alloc(heap, THREADS * 4096, 0, &shared), 0);
	max_inside = 0;
	run(contend_ranged);
	assert_int_equal(max_inside, 1);
	assert_int_equal(fake_syncs(), 2 * (THREADS / 2) * ROUNDS);
	assert_int_equal(fake_range_syncs(), 2 * (THREADS / 2) * ROUNDS);
	vivtheap_buffer_free(shared);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_threads_share_a_heap, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_threads_contend_for_one_bracket, setup, fixture_teardown),
		cmocka_unit_test_setup_teardown(test_threads_contend_for_one_bracket_ranged, setup,
						fixture_teardown),
	};

	return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
