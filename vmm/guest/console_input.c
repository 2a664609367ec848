// SPDX-License-Identifier: MIT
/*
 * Console input glue (console_input.h): the host UART, the focus machine,
 * a queue per guest and the guests' emulated UARTs. Nothing here raises the
 * guest's UART interrupt: the platform derives IRQ 4 from the model's state
 * (uart16550_irq_pending), so a guest either polls LSR or takes that IRQ.
 */
#include "vmm/guest/console_input.h"

#include <stdbool.h>

#include "vmm/core/console.h"
#include "vmm/core/serial.h"
#include "vmm/emul/console_focus.h"
#include "vmm/guest/guest.h"

/* Bytes read from the host UART per call: a bound on the time spent here
 * (its FIFO holds 16). */
#define READ_PER_POLL 64

static struct console_focus focus;
static struct cf_queue queue[XT_MAX_GUESTS];
static bool started;
static unsigned long overruns_told, nobody_dropped;

static unsigned guest_count(void)
{
	return nguests < XT_MAX_GUESTS ? nguests : XT_MAX_GUESTS;
}

static void running_now(bool running[XT_MAX_GUESTS])
{
	for (unsigned i = 0; i < XT_MAX_GUESTS; i++)
		running[i] = i < guest_count() && guests[i].vcpu.state != VCPU_STOPPED;
}

static void announce(unsigned to)
{
	if (to == CF_NONE)
		xt_info("console input: no guest running; input is dropped");
	else
		xt_info("console input -> guest '%s' (Ctrl-A x3 to switch)", guests[to].name);
}

/* Losses are said when their count reaches a power of two: a stuck guest
 * cannot flood the console, and no loss goes untold. */
static bool tell(uint64_t n)
{
	return n && !(n & (n - 1));
}

static void queue_byte(unsigned to, uint8_t byte)
{
	if (to == CF_NONE) {
		if (tell(++nobody_dropped))
			xt_warn("console input: %lu byte(s) dropped, no guest running", nobody_dropped);
		return;
	}
	if (!cf_queue_put(&queue[to], byte) && tell(queue[to].dropped))
		xt_warn("console input: guest '%s' does not read its COM1: %llu byte(s) dropped",
			guests[to].name, (unsigned long long)queue[to].dropped);
}

static void act(const struct cf_result *r)
{
	if (r->announce)
		announce(r->to);
	for (unsigned i = 0; i < r->nbytes; i++)
		queue_byte(r->to, r->bytes[i]);
}

/* Someone typed: from then on the focused guest's unfinished lines are
 * shown (its prompt, the echo of what is typed). */
static bool typed;

/* Each guest's receiver takes what its FIFO has room for; a stopped guest's
 * queue is emptied and counted. */

static bool drain(const bool running[XT_MAX_GUESTS])
{
	bool fed = false;

	for (unsigned i = 0; i < guest_count(); i++) {
		struct cf_queue *q = &queue[i];
		uint8_t byte;

		if (!running[i]) {
			if (q->count)
				cf_queue_discard(q);
			continue;
		}
		while (uart16550_rx_ready(&guests[i].com1) && cf_queue_peek(q, &byte)) {
			if (!uart16550_receive(&guests[i].com1, byte))
				break;
			cf_queue_pop(q);
			/* Its receiver may now raise IRQ 4 (vmm/io/timers.c). */
			guests[i].tick_due = 0;
			fed = true;
		}
	}
	return fed;
}

bool console_input_poll(void)
{
	bool running[XT_MAX_GUESTS];
	struct cf_result r;
	unsigned long ovr;

	running_now(running);
	if (!started) {
		started = true;
		cf_init(&focus, guest_count(), running);
		announce(focus.focus);
	}
	cf_update(&focus, running, &r);
	act(&r);
	for (unsigned n = 0; n < READ_PER_POLL; n++) {
		int c = serial_getc();

		if (c < 0)
			break;
		typed = true;
		cf_input(&focus, (uint8_t)c, running, &r);
		act(&r);
	}
	ovr = serial_overruns();
	if (ovr != overruns_told && tell(ovr)) {
		overruns_told = ovr;
		xt_warn("console input: the machine's UART lost input %lu time(s) (typed faster than xtalk reads)",
			ovr);
	}
	if (typed && focus.focus != CF_NONE && focus.focus < guest_count())
		guest_console_show_partial(&guests[focus.focus]);
	return drain(running);
}

bool console_input_waits(unsigned id)
{
	return id < XT_MAX_GUESTS && started && focus.focus == id;
}

uint64_t console_input_dropped(unsigned id)
{
	return id < XT_MAX_GUESTS ? queue[id].dropped : 0;
}
