/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the console input focus and queue
 * (vmm/emul/console_focus.c). The input: the number of guests (1..32) and
 * which run, then a stream of typed bytes in which 0xfe followed by a mask
 * byte stops guests (as guests only ever stop in xtalk) and calls cf_update.
 * After every step it aborts when:
 * - a result carries more than CF_SWITCH_COUNT bytes, names another guest
 *   than the focus, or the focus is on a guest that does not run while one
 *   does;
 * - announce is not set exactly when the focus moved or a switch completed;
 * - bytes are lost or made up: typed = delivered + dropped (nobody running)
 *   + 3 x switches + held, and the bytes other than Ctrl-A come out in the
 *   order they were typed;
 * - the per-guest queue loses or reorders what it accepted.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/emul/console_focus.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXG 32
#define OP_STOP 0xfe

struct tally {
	size_t typed, delivered, dropped, switches;
	uint8_t plain_in[4096], plain_out[4096];
	size_t nplain_in, nplain_out;
};

FUZZ_CHECKER static bool any_running(const bool *run, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (run[i])
			return true;
	return false;
}

FUZZ_CHECKER static void check_result(const struct console_focus *f, unsigned before,
				      bool switched, const struct cf_result *r, const bool *run,
				      unsigned n, struct tally *t)
{
	if (r->nbytes > CF_SWITCH_COUNT || r->to != f->focus || f->held >= CF_SWITCH_COUNT)
		abort();
	if (f->focus == CF_NONE ? any_running(run, n) : (f->focus >= n || !run[f->focus]))
		abort();
	if (r->announce != (switched || f->focus != before))
		abort();
	for (unsigned i = 0; i < r->nbytes; i++) {
		if (r->to == CF_NONE)
			t->dropped++;
		else
			t->delivered++;
		if (r->bytes[i] != CF_SWITCH_BYTE && t->nplain_out < sizeof(t->plain_out))
			t->plain_out[t->nplain_out++] = r->bytes[i];
	}
}

static void queue_check(const uint8_t *data, size_t size)
{
	static struct cf_queue q;
	static uint8_t model[CF_QUEUE_SIZE];
	unsigned head = 0, count = 0;
	uint64_t dropped = 0;

	memset(&q, 0, sizeof(q));
	for (size_t i = 0; i < size; i++) {
		uint8_t b;

		if (data[i] & 1) {
			bool ok = cf_queue_put(&q, data[i]);

			if (ok != (count < CF_QUEUE_SIZE))
				abort();
			if (ok)
				model[(head + count++) % CF_QUEUE_SIZE] = data[i];
			else
				dropped++;
			continue;
		}
		if (cf_queue_peek(&q, &b) != (count > 0) || (count && b != model[head]))
			abort();
		cf_queue_pop(&q);
		if (count) {
			head = (head + 1) % CF_QUEUE_SIZE;
			count--;
		}
		if (q.count != count || q.dropped != dropped)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct console_focus f;
	struct tally t;
	bool run[MAXG];
	unsigned n;
	size_t i = 2;

	if (size < 2)
		return 0;
	memset(&t, 0, sizeof(t));
	n = 1 + data[0] % MAXG;
	for (unsigned g = 0; g < n; g++)
		run[g] = (data[1] >> (g % 8)) & 1;
	cf_init(&f, n, run);
	if (f.focus == CF_NONE ? any_running(run, n) : !run[f.focus])
		abort();
	while (i < size) {
		struct cf_result r;
		unsigned before = f.focus;
		bool switched = false;

		if (data[i] == OP_STOP && i + 1 < size) {
			for (unsigned g = 0; g < n; g++)
				if ((data[i + 1] >> (g % 8)) & 1)
					run[g] = false;
			cf_update(&f, run, &r);
			if (r.nbytes)
				abort();
			check_result(&f, before, false, &r, run, n, &t);
			i += 2;
			continue;
		}
		t.typed++;
		if (data[i] != CF_SWITCH_BYTE && t.nplain_in < sizeof(t.plain_in))
			t.plain_in[t.nplain_in++] = data[i];
		else if (data[i] == CF_SWITCH_BYTE && f.held == CF_SWITCH_COUNT - 1) {
			switched = true;
			t.switches++;
		}
		cf_input(&f, data[i], run, &r);
		check_result(&f, before, switched, &r, run, n, &t);
		i++;
	}
	if (t.typed != t.delivered + t.dropped + CF_SWITCH_COUNT * t.switches + f.held)
		abort();
	if (t.nplain_in != t.nplain_out || memcmp(t.plain_in, t.plain_out, t.nplain_in))
		abort();
	queue_check(data, size);
	return 0;
}
