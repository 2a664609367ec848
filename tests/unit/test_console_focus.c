// SPDX-License-Identifier: MIT
/* Host unit tests for the console input focus (vmm/emul/console_focus.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/emul/console_focus.h"

#define MAXG 8
#define CA CF_SWITCH_BYTE

/* What a stream of input did: bytes per guest, dropped bytes, announcements. */
struct sink {
	uint8_t got[MAXG][512];
	unsigned n[MAXG];
	unsigned dropped;
	unsigned announced[64];
	unsigned nannounced;
};

static void take(struct sink *s, const struct cf_result *r)
{
	assert_true(r->nbytes <= CF_SWITCH_COUNT);
	if (r->announce) {
		assert_true(s->nannounced < 64);
		s->announced[s->nannounced++] = r->to;
	}
	for (unsigned i = 0; i < r->nbytes; i++) {
		if (r->to == CF_NONE) {
			s->dropped++;
			continue;
		}
		assert_true(r->to < MAXG);
		assert_true(s->n[r->to] < sizeof(s->got[0]));
		s->got[r->to][s->n[r->to]++] = r->bytes[i];
	}
}

static void feed(struct console_focus *f, const bool *running, const void *data, size_t len,
		 struct sink *s)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		struct cf_result r;

		cf_input(f, p[i], running, &r);
		take(s, &r);
	}
}

static void assert_got(const struct sink *s, unsigned g, const void *want, unsigned len)
{
	assert_int_equal(s->n[g], len);
	assert_memory_equal(s->got[g], want, len);
}

static void test_init_first_running(void **state)
{
	bool all[3] = { true, true, true }, later[3] = { false, true, true }, none[3] = { false };
	struct console_focus f;

	(void)state;
	cf_init(&f, 3, all);
	assert_int_equal(f.focus, 0);
	cf_init(&f, 3, later);
	assert_int_equal(f.focus, 1);
	cf_init(&f, 3, none);
	assert_int_equal(f.focus, CF_NONE);
	cf_init(&f, 0, none);
	assert_int_equal(f.focus, CF_NONE);
}

/* Every byte value but Ctrl-A goes through at once, unchanged, to the focus. */
static void test_plain_bytes(void **state)
{
	bool run[2] = { true, true };
	struct console_focus f;
	struct sink s = { 0 };
	uint8_t want[255];
	unsigned n = 0;

	(void)state;
	cf_init(&f, 2, run);
	for (unsigned b = 0; b < 256; b++) {
		struct cf_result r;

		if (b == CA)
			continue;
		cf_input(&f, (uint8_t)b, run, &r);
		assert_int_equal(r.to, 0);
		assert_int_equal(r.nbytes, 1);
		assert_int_equal(r.bytes[0], b);
		assert_false(r.announce);
		want[n++] = (uint8_t)b;
		take(&s, &r);
	}
	assert_got(&s, 0, want, n);
	assert_int_equal(s.n[1], 0);
}

static void test_switch_three(void **state)
{
	bool run[3] = { true, true, true };
	struct console_focus f;
	struct cf_result r;

	(void)state;
	cf_init(&f, 3, run);
	cf_input(&f, CA, run, &r);
	assert_int_equal(r.nbytes, 0);
	assert_false(r.announce);
	cf_input(&f, CA, run, &r);
	assert_int_equal(r.nbytes, 0);
	assert_false(r.announce);
	cf_input(&f, CA, run, &r);
	assert_int_equal(r.nbytes, 0);
	assert_true(r.announce);
	assert_int_equal(r.to, 1);
	assert_int_equal(f.focus, 1);
	assert_int_equal(f.held, 0);
}

/* A Ctrl-A run that does not reach three is delivered before the byte that ends it. */
static void test_held_delivered_late(void **state)
{
	bool run[2] = { true, true };
	struct console_focus f;
	struct sink s = { 0 };
	static const uint8_t in[] = { 'a', CA, 'b', CA, CA, 'c', CA, CA, CA, CA, 'd' };
	static const uint8_t want0[] = { 'a', CA, 'b', CA, CA, 'c' };
	static const uint8_t want1[] = { CA, 'd' };

	(void)state;
	cf_init(&f, 2, run);
	feed(&f, run, in, sizeof(in), &s);
	assert_got(&s, 0, want0, sizeof(want0));
	assert_got(&s, 1, want1, sizeof(want1));
	assert_int_equal(s.nannounced, 1);
	assert_int_equal(s.announced[0], 1);
	assert_int_equal(s.dropped, 0);
}

/* A Ctrl-A and a byte in one call: both leave together, in order. */
static void test_held_one_result(void **state)
{
	bool run[1] = { true };
	struct console_focus f;
	struct cf_result r;

	(void)state;
	cf_init(&f, 1, run);
	cf_input(&f, CA, run, &r);
	cf_input(&f, CA, run, &r);
	cf_input(&f, 0, run, &r);
	assert_int_equal(r.nbytes, 3);
	assert_int_equal(r.bytes[0], CA);
	assert_int_equal(r.bytes[1], CA);
	assert_int_equal(r.bytes[2], 0);
	assert_int_equal(r.to, 0);
}

static void test_six_is_two_switches(void **state)
{
	bool run[3] = { true, true, true };
	struct console_focus f;
	struct sink s = { 0 };
	static const uint8_t in[] = { CA, CA, CA, CA, CA, CA, 'x' };

	(void)state;
	cf_init(&f, 3, run);
	feed(&f, run, in, sizeof(in), &s);
	assert_got(&s, 2, "x", 1);
	assert_int_equal(s.nannounced, 2);
	assert_int_equal(s.announced[0], 1);
	assert_int_equal(s.announced[1], 2);
}

static void test_switch_skips_stopped_and_wraps(void **state)
{
	bool run[4] = { true, false, true, false };
	struct console_focus f;
	struct sink s = { 0 };
	static const uint8_t sw[] = { CA, CA, CA };

	(void)state;
	cf_init(&f, 4, run);
	feed(&f, run, sw, 3, &s);
	assert_int_equal(f.focus, 2);
	feed(&f, run, sw, 3, &s);
	assert_int_equal(f.focus, 0);
	assert_int_equal(s.nannounced, 2);
	assert_int_equal(s.announced[0], 2);
	assert_int_equal(s.announced[1], 0);
}

/* With one guest left the switch keeps the focus there, and says so. */
static void test_switch_single_guest(void **state)
{
	bool run[3] = { false, true, false };
	struct console_focus f;
	struct sink s = { 0 };
	static const uint8_t in[] = { CA, CA, CA, 'z' };

	(void)state;
	cf_init(&f, 3, run);
	feed(&f, run, in, sizeof(in), &s);
	assert_int_equal(s.nannounced, 1);
	assert_int_equal(s.announced[0], 1);
	assert_got(&s, 1, "z", 1);
}

/* The focus leaves a guest that stops; held Ctrl-A bytes follow it. */
static void test_focus_leaves_stopped(void **state)
{
	bool run[3] = { true, true, true };
	struct console_focus f;
	struct cf_result r;
	struct sink s = { 0 };

	(void)state;
	cf_init(&f, 3, run);
	cf_update(&f, run, &r);
	assert_false(r.announce);
	assert_int_equal(r.to, 0);
	cf_input(&f, CA, run, &r);
	run[0] = false;
	run[1] = false;
	cf_update(&f, run, &r);
	assert_true(r.announce);
	assert_int_equal(r.to, 2);
	assert_int_equal(r.nbytes, 0);
	cf_update(&f, run, &r);
	assert_false(r.announce);
	feed(&f, run, "q", 1, &s);
	assert_got(&s, 2, "\x01q", 2);
}

/* A stop seen first by cf_input: announced in that same result. */
static void test_input_after_stop(void **state)
{
	bool run[2] = { true, true };
	struct console_focus f;
	struct cf_result r;

	(void)state;
	cf_init(&f, 2, run);
	run[0] = false;
	cf_input(&f, 'k', run, &r);
	assert_true(r.announce);
	assert_int_equal(r.to, 1);
	assert_int_equal(r.nbytes, 1);
	assert_int_equal(r.bytes[0], 'k');
}

/* Nobody running: bytes go nowhere (the caller counts them), switches stay put. */
static void test_all_stopped(void **state)
{
	bool run[2] = { true, false };
	struct console_focus f;
	struct cf_result r;
	struct sink s = { 0 };
	static const uint8_t in[] = { 'a', CA, CA, CA, CA, 'b' };

	(void)state;
	cf_init(&f, 2, run);
	run[0] = false;
	cf_update(&f, run, &r);
	assert_true(r.announce);
	assert_int_equal(r.to, CF_NONE);
	feed(&f, run, in, sizeof(in), &s);
	assert_int_equal(s.dropped, 3);
	assert_int_equal(f.focus, CF_NONE);
	assert_int_equal(s.n[0] + s.n[1], 0);
	/* a guest that runs again (not in xtalk today) gets the focus back */
	run[1] = true;
	cf_update(&f, run, &r);
	assert_true(r.announce);
	assert_int_equal(r.to, 1);
}

/*
 * Random streams against a model written the other way round: a maximal run
 * of k Ctrl-A bytes followed by a byte c moves the focus k / 3 times, then
 * delivers k % 3 Ctrl-A bytes and c to the guest it reached.
 */
static void test_random_against_model(void **state)
{
	(void)state;
	srand(12345);
	for (unsigned iter = 0; iter < 2000; iter++) {
		unsigned n = 1 + (unsigned)rand() % MAXG, len = (unsigned)rand() % 200;
		bool run[MAXG];
		uint8_t in[200];
		struct console_focus f;
		struct sink s = { 0 }, m = { 0 };
		unsigned focus = CF_NONE, i = 0, held = 0;

		for (unsigned g = 0; g < n; g++)
			run[g] = rand() % 3 != 0;
		for (unsigned j = 0; j < len; j++) {
			static const uint8_t alphabet[] = { CA, CA, CA, 'a', 0, 0xff };

			in[j] = alphabet[rand() % sizeof(alphabet)];
		}
		cf_init(&f, n, run);
		feed(&f, run, in, len, &s);

		for (unsigned g = 0; g < n && focus == CF_NONE; g++)
			if (run[g])
				focus = g;
		while (i < len) {
			unsigned k = 0;

			while (i < len && in[i] == CA) {
				k++;
				i++;
			}
			for (unsigned sw = 0; sw < k / 3 && focus != CF_NONE; sw++)
				do
					focus = (focus + 1) % n;
				while (!run[focus]);
			if (i == len) {
				held = k % 3;
				break;
			}
			for (unsigned j = 0; j < k % 3 + 1; j++) {
				uint8_t b = j < k % 3 ? CA : in[i];

				if (focus == CF_NONE)
					m.dropped++;
				else
					m.got[focus][m.n[focus]++] = b;
			}
			i++;
		}
		assert_int_equal(f.focus, focus);
		assert_int_equal(f.held, held);
		assert_int_equal(s.dropped, m.dropped);
		for (unsigned g = 0; g < n; g++)
			assert_got(&s, g, m.got[g], m.n[g]);
	}
}

static void test_queue(void **state)
{
	static struct cf_queue q;
	uint8_t b = 0;

	(void)state;
	assert_false(cf_queue_peek(&q, &b));
	cf_queue_pop(&q); /* empty: nothing happens */
	assert_int_equal(q.count, 0);
	/* fill, wrap around, overflow */
	for (unsigned i = 0; i < 100; i++)
		assert_true(cf_queue_put(&q, (uint8_t)i));
	for (unsigned i = 0; i < 100; i++) {
		assert_true(cf_queue_peek(&q, &b));
		assert_int_equal(b, (uint8_t)i);
		cf_queue_pop(&q);
	}
	for (unsigned i = 0; i < CF_QUEUE_SIZE; i++)
		assert_true(cf_queue_put(&q, (uint8_t)(i * 7)));
	assert_false(cf_queue_put(&q, 0xaa));
	assert_false(cf_queue_put(&q, 0xbb));
	assert_int_equal(q.dropped, 2);
	for (unsigned i = 0; i < CF_QUEUE_SIZE; i++) {
		assert_true(cf_queue_peek(&q, &b));
		assert_int_equal(b, (uint8_t)(i * 7));
		cf_queue_pop(&q);
	}
	assert_false(cf_queue_peek(&q, &b));
	cf_queue_put(&q, 1);
	cf_queue_put(&q, 2);
	cf_queue_discard(&q);
	assert_int_equal(q.count, 0);
	assert_int_equal(q.dropped, 4);
	assert_false(cf_queue_peek(&q, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_first_running),
		cmocka_unit_test(test_plain_bytes),
		cmocka_unit_test(test_switch_three),
		cmocka_unit_test(test_held_delivered_late),
		cmocka_unit_test(test_held_one_result),
		cmocka_unit_test(test_six_is_two_switches),
		cmocka_unit_test(test_switch_skips_stopped_and_wraps),
		cmocka_unit_test(test_switch_single_guest),
		cmocka_unit_test(test_focus_leaves_stopped),
		cmocka_unit_test(test_input_after_stop),
		cmocka_unit_test(test_all_stopped),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
