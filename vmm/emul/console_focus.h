/* SPDX-License-Identifier: MIT */
/*
 * Console input focus: which guest the bytes typed on the machine's COM1 go
 * to. One guest has the focus at a time; Ctrl-A (0x01) three times in a row
 * moves it to the next guest still running (in INI order, wrapping). Those
 * three bytes reach no guest. A Ctrl-A followed by anything else than two
 * more is held back, then delivered in order before the byte that ended the
 * run: nothing typed is lost. When the focused guest stops, the focus moves
 * on to the next one still running.
 *
 * Pure: no VMM state. The caller says which guests are running at each call
 * (running[i] for guest i < nguests) and does what the result says.
 */
#ifndef XTALK_VMM_CONSOLE_FOCUS_H
#define XTALK_VMM_CONSOLE_FOCUS_H

#include <stdbool.h>
#include <stdint.h>

#define CF_SWITCH_BYTE	0x01	/* Ctrl-A */
#define CF_SWITCH_COUNT	3	/* in a row */
#define CF_NONE		(~0u)	/* no guest has the focus (none running) */

struct console_focus {
	unsigned nguests;
	unsigned focus;		/* guest index, or CF_NONE */
	unsigned held;		/* Ctrl-A bytes held back, 0..CF_SWITCH_COUNT-1 */
};

/* What to do after one call. */
struct cf_result {
	unsigned to;				/* the guest the bytes go to; CF_NONE: nobody (drop them) */
	uint8_t bytes[CF_SWITCH_COUNT];		/* in order */
	unsigned nbytes;
	bool announce;				/* the focus moved or a switch was asked: say where it is now */
};

/* Focus on the first running guest (CF_NONE when none runs). nguests is
 * clamped to what an unsigned index can name. */
void cf_init(struct console_focus *f, unsigned nguests, const bool *running);

/* One byte typed on the machine's console. Focus first leaves a guest that
 * stopped (as cf_update). */
void cf_input(struct console_focus *f, uint8_t byte, const bool *running, struct cf_result *r);

/* No input: only move the focus off a guest that stopped (announce set if it
 * moved). Never delivers bytes. */
void cf_update(struct console_focus *f, const bool *running, struct cf_result *r);

/*
 * Bytes for one guest that its UART cannot take yet: a bounded FIFO. A byte
 * put into a full queue is dropped and counted.
 */
#define CF_QUEUE_SIZE 256

struct cf_queue {
	uint8_t buf[CF_QUEUE_SIZE];
	unsigned head, count;
	uint64_t dropped;
};

/* False (and dropped counted) when the queue is full. */
bool cf_queue_put(struct cf_queue *q, uint8_t byte);
/* The oldest byte, left in place; false when empty. */
bool cf_queue_peek(const struct cf_queue *q, uint8_t *byte);
void cf_queue_pop(struct cf_queue *q);
/* Empty it, counting what it held as dropped (its guest stopped). */
void cf_queue_discard(struct cf_queue *q);

#endif
