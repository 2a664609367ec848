// SPDX-License-Identifier: MIT
/*
 * Console input focus (console_focus.h). The switch sequence is counted
 * across calls; the Ctrl-A bytes of an unfinished sequence are the only
 * input ever held, so at most CF_SWITCH_COUNT bytes leave in one call.
 */
#include "vmm/emul/console_focus.h"

#include <string.h>

/* The first running guest after `from` in INI order, wrapping, `from` itself
 * last; from == CF_NONE starts at guest 0. CF_NONE when none runs. */
static unsigned next_running(const struct console_focus *f, unsigned from, const bool *running)
{
	unsigned start = from == CF_NONE || from >= f->nguests ? 0 : from + 1;

	for (unsigned i = 0; i < f->nguests; i++) {
		unsigned g = (start + i) % f->nguests;

		if (running[g])
			return g;
	}
	return CF_NONE;
}

void cf_init(struct console_focus *f, unsigned nguests, const bool *running)
{
	f->nguests = nguests == CF_NONE ? CF_NONE - 1 : nguests;
	f->held = 0;
	f->focus = next_running(f, CF_NONE, running);
}

static void result_clear(struct cf_result *r)
{
	memset(r, 0, sizeof(*r));
}

static void leave_stopped(struct console_focus *f, const bool *running, struct cf_result *r)
{
	unsigned next;

	if (f->focus != CF_NONE && f->focus < f->nguests && running[f->focus])
		return;
	next = next_running(f, f->focus, running);
	if (next != f->focus) {
		f->focus = next;
		r->announce = true;
	}
}

void cf_update(struct console_focus *f, const bool *running, struct cf_result *r)
{
	result_clear(r);
	leave_stopped(f, running, r);
	r->to = f->focus;
}

void cf_input(struct console_focus *f, uint8_t byte, const bool *running, struct cf_result *r)
{
	cf_update(f, running, r);
	if (byte == CF_SWITCH_BYTE) {
		if (++f->held < CF_SWITCH_COUNT)
			return;
		f->held = 0;
		f->focus = next_running(f, f->focus, running);
		r->to = f->focus;
		r->announce = true;
		return;
	}
	while (f->held) {
		r->bytes[r->nbytes++] = CF_SWITCH_BYTE;
		f->held--;
	}
	r->bytes[r->nbytes++] = byte;
}

bool cf_queue_put(struct cf_queue *q, uint8_t byte)
{
	if (q->count >= CF_QUEUE_SIZE) {
		q->dropped++;
		return false;
	}
	q->buf[(q->head + q->count) % CF_QUEUE_SIZE] = byte;
	q->count++;
	return true;
}

bool cf_queue_peek(const struct cf_queue *q, uint8_t *byte)
{
	if (!q->count)
		return false;
	*byte = q->buf[q->head % CF_QUEUE_SIZE];
	return true;
}

void cf_queue_pop(struct cf_queue *q)
{
	if (!q->count)
		return;
	q->head = (q->head + 1) % CF_QUEUE_SIZE;
	q->count--;
}

void cf_queue_discard(struct cf_queue *q)
{
	q->dropped += q->count;
	q->head = 0;
	q->count = 0;
}
