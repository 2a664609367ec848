// SPDX-License-Identifier: MIT
/* Host unit tests for the console output queue (vmm/emul/con_ring.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/emul/con_ring.h"

static struct con_ring *fresh(void)
{
	struct con_ring *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	return r;
}

static void test_empty_takes_nothing(void **state)
{
	struct con_ring *r = fresh();
	char b[4] = { 'x', 'x', 'x', 'x' };

	(void)state;
	assert_int_equal(con_ring_used(r), 0);
	assert_int_equal(con_ring_take(r, b, 4), 0);
	assert_int_equal(b[0], 'x');
	free(r);
}

/* Bytes come out in the order they went in, in takes of any size. */
static void test_order_kept(void **state)
{
	struct con_ring *r = fresh();
	char b[16];
	unsigned got = 0, n;

	(void)state;
	for (unsigned i = 0; i < 1000; i++)
		assert_true(con_ring_put(r, (char)(i % 251)));
	assert_int_equal(con_ring_used(r), 1000);
	while ((n = con_ring_take(r, b, 1 + got % 16)) != 0)
		for (unsigned i = 0; i < n; i++, got++)
			assert_int_equal((unsigned char)b[i], got % 251);
	assert_int_equal(got, 1000);
	assert_int_equal(r->peak, 1000);
	free(r);
}

/* Full: a put is refused and changes nothing; one take makes room for one. */
static void test_full_refuses(void **state)
{
	struct con_ring *r = fresh();
	char c;

	(void)state;
	for (unsigned i = 0; i < CON_RING_SIZE; i++)
		assert_true(con_ring_put(r, (char)i));
	assert_true(con_ring_full(r));
	assert_false(con_ring_put(r, 'z'));
	assert_int_equal(con_ring_used(r), CON_RING_SIZE);
	assert_int_equal(con_ring_take(r, &c, 1), 1);
	assert_int_equal(c, 0);
	assert_true(con_ring_put(r, 'z'));
	assert_false(con_ring_put(r, 'y'));
	for (unsigned i = 1; i < CON_RING_SIZE; i++) {
		assert_int_equal(con_ring_take(r, &c, 1), 1);
		assert_int_equal(c, (char)i);
	}
	assert_int_equal(con_ring_take(r, &c, 1), 1);
	assert_int_equal(c, 'z');
	assert_int_equal(con_ring_used(r), 0);
	free(r);
}

/* The free-running indexes wrap past 2^32 without losing a byte. */
static void test_index_wrap(void **state)
{
	struct con_ring *r = fresh();
	char b[8];

	(void)state;
	r->head = r->tail = UINT32_MAX - 2;
	assert_true(con_ring_put(r, 'a'));
	assert_true(con_ring_put(r, 'b'));
	assert_true(con_ring_put(r, 'c'));
	assert_true(con_ring_put(r, 'd'));
	assert_int_equal(con_ring_used(r), 4);
	assert_int_equal(con_ring_take(r, b, 8), 4);
	assert_memory_equal(b, "abcd", 4);
	assert_int_equal(con_ring_used(r), 0);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_takes_nothing),
		cmocka_unit_test(test_order_kept),
		cmocka_unit_test(test_full_refuses),
		cmocka_unit_test(test_index_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
