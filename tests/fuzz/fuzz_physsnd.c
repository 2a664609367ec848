/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the physical ES1370 driver core (vmm/hw/physsnd.c),
 * run against xtalk's own ES1370 model as the card (as in
 * tests/unit/test_physsnd.c). The input is a sequence of what guests and
 * the VMM make the driver do: streams opened by several owners with any
 * format and divider (mostly valid), writes of any length, volume changes,
 * closes, stops, polls, and time passing (microseconds to seconds, polled
 * at least every PHYSSND_POLL_MAX_MS as physsnd.h requires). After
 * every step, abort() on a violated invariant:
 *  - the card's DMA reaches only the driver's ring (ASan checks the bytes);
 *  - the writer is never behind the card nor more than the ring ahead of it
 *    (while a stream is not draining), and an idle driver has DAC2 off;
 *  - what the card plays is what was written, each dword once and in order,
 *    with silence (zeros) between: written data is a counter that is never
 *    zero, so a replayed or reordered dword shows;
 *  - the counts add up: a write takes plus refuses exactly what it was
 *    given, and the card never plays what was never taken without
 *    counting it as silence (checked through the speaker).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/es1370.h"
#include "devices/es1370_regs.h"
#include "tests/fuzz/harness.h"
#include "vmm/hw/physsnd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RING_HPA	0x00200000u
#define RING		PHYSSND_RING_BYTES
#define MAX_WRITE	(96u << 10)

struct fz {
	struct es1370 card;
	uint8_t *ring;
	uint64_t now;
	uint32_t next;		/* the next counter value a write carries */
	uint32_t last_heard;	/* the last non-zero dword the card played */
	uint8_t part[4];	/* a dword the card played in pieces */
	unsigned npart;
	struct physsnd_ops ops;
	struct physsnd s;
	uint8_t buf[MAX_WRITE];
	const uint8_t *in;
	size_t left;
};

static void check(int ok)
{
	if (!ok)
		abort();
}

/* ---------------------------------------------------------- the card */

static void *card_dma(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	struct fz *z = ctx;

	check(!write);
	check(gpa >= RING_HPA && len <= RING && gpa - RING_HPA <= RING - len);
	return z->ring + (gpa - RING_HPA);
}

static void card_irq(void *ctx, bool level)
{
	(void)ctx;
	check(!level);
}

static void card_channel(void *ctx, enum es1370_channel ch, bool running)
{
	struct fz *z = ctx;

	check(ch == ES1370_DAC2);
	if (!running)
		z->npart = 0;	/* a stream cut inside a dword (8-bit, mono) */
}

FUZZ_CHECKER static void heard_dword(struct fz *z, const uint8_t *d)
{
	uint32_t v = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 |
		     (uint32_t)d[3] << 24;

	if (!v)
		return;
	check(v > z->last_heard && v < z->next);	/* once, in order, written */
	z->last_heard = v;
}

FUZZ_CHECKER static void card_play(void *ctx, enum es1370_channel ch, const uint8_t *data,
				   uint32_t len)
{
	struct fz *z = ctx;

	check(ch == ES1370_DAC2);
	for (uint32_t i = 0; i < len; i++) {
		z->part[z->npart++] = data[i];
		if (z->npart == 4) {
			heard_dword(z, z->part);
			z->npart = 0;
		}
	}
}

static void card_capture(void *ctx, uint8_t *data, uint32_t len)
{
	(void)ctx;
	memset(data, 0, len);
}

static void card_error(void *ctx, enum es1370_err e, uint64_t detail)
{
	(void)ctx;
	(void)e;
	(void)detail;
	abort();		/* the driver never gives the card bad input */
}

static const struct es1370_ops card_ops = {
	.dma_map = card_dma, .set_irq = card_irq, .channel = card_channel, .play = card_play,
	.capture = card_capture, .error = card_error,
};

static uint32_t drv_in(void *ctx, uint32_t off, unsigned size)
{
	struct fz *z = ctx;

	return es1370_io_read(&z->card, z->now, off, size);
}

static void drv_out(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	struct fz *z = ctx;

	es1370_io_write(&z->card, z->now, off, size, val);
}

static void drv_delay(void *ctx, unsigned us)
{
	struct fz *z = ctx;

	z->now += us * 1000ull;
}

/* ---------------------------------------------------------- input */

static uint32_t take(struct fz *z, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n && z->left; i++, z->left--)
		v |= (uint32_t)*z->in++ << (8 * i);
	return v;
}

FUZZ_CHECKER static void check_state(const struct fz *z)
{
	const struct physsnd *s = &z->s;

	if (s->owner == PHYSSND_NO_OWNER) {
		check(!(z->card.ctrl & ES_DAC2_EN) && !s->enabled && s->wr == 0 && s->rd == 0);
		return;
	}
	check(s->wr % 4 == 0 && s->rd % 4 == 0);
	if (!s->draining)
		check(s->wr >= s->rd && s->wr - s->rd <= s->size);
	check(s->enabled == !!(z->card.ctrl & ES_DAC2_EN));
}

/* Formats: mostly ones the card has, at a divider that gives their rate. */
static void do_open(struct fz *z)
{
	static const uint32_t divs[] = { 30, 62, 126, 29, 0, 8191 };
	uint32_t r = take(z, 2), div = r & 0x8000 ? take(z, 2) & 0x1fff : divs[r % 6];
	struct es1370_format f = {
		ES_1370_SRCLOCK / (div + 2), (uint8_t)(1 + (r >> 4 & 1)), (uint8_t)(r & 0x20 ? 8 : 16)
	};
	uint8_t vol[4];

	if (r & 0x4000)
		f.rate += take(z, 1);		/* not the divider's rate */
	for (unsigned i = 0; i < 4; i++)
		vol[i] = (uint8_t)take(z, 1);
	physsnd_open(&z->s, (int)(r >> 8 & 3), &f, div, vol);
}

FUZZ_CHECKER static void fill(struct fz *z, uint32_t len)
{
	for (uint32_t i = 0; i + 4 <= len; i += 4) {
		uint32_t v = z->next + i / 4;

		memcpy(z->buf + i, &v, 4);
	}
}

static void do_write(struct fz *z)
{
	uint32_t r = take(z, 3), len = (r >> 2) % MAX_WRITE, got;
	int owner = (int)(r & 3);
	uint64_t overrun = z->s.st.overrun, taken = z->s.st.taken;

	len -= len % 4;
	fill(z, len);
	got = physsnd_write(&z->s, owner, z->buf, len);
	check(got <= len && got % 4 == 0);
	check(z->s.st.taken - taken == got);
	if (got) {
		check(z->s.st.overrun - overrun == len - got);
		z->next += got / 4;		/* what was not taken is never heard */
	}
}

/* Time passes; the owner polls as often as physsnd.h asks (or more). */
static void run(struct fz *z, uint64_t ns)
{
	const uint64_t poll = PHYSSND_POLL_MAX_MS * 1000000ull;

	while (ns) {
		uint64_t d = ns < poll ? ns : poll;

		z->now += d;
		ns -= d;
		es1370_advance(&z->card, z->now);
		physsnd_poll(&z->s);
	}
}

static void step(struct fz *z)
{
	uint8_t op = (uint8_t)take(z, 1);
	uint8_t vol[4] = { (uint8_t)take(z, 1), 0, 0x1f, 0x80 };

	switch (op % 8) {
	case 0: do_open(z); break;
	case 1: case 2: do_write(z); break;
	case 3: physsnd_close(&z->s, (int)(op >> 4 & 3)); break;
	case 4: run(z, (uint64_t)take(z, 2) * 1000); break;		/* up to 65 ms */
	case 5: run(z, (uint64_t)take(z, 1) * 10000000ull); break;	/* up to 2.5 s */
	case 6: physsnd_volume(&z->s, (int)(op >> 4 & 3), vol); break;
	default: if (op & 0x80) physsnd_stop(&z->s); else physsnd_poll(&z->s); break;
	}
	check_state(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz *z;

	if (!z) {
		z = calloc(1, sizeof(*z));
		z->ring = malloc(RING);
		if (!z->ring)
			abort();
	}
	memset(&z->card, 0, sizeof(z->card));
	z->now = 1000000000ull;
	z->next = 1;
	z->last_heard = 0;
	z->npart = 0;
	z->in = data;
	z->left = size;
	es1370_init(&z->card, &card_ops, z);
	z->ops = (struct physsnd_ops){ drv_in, drv_out, drv_delay, z };
	check(physsnd_init(&z->s, &z->ops, z->ring, RING_HPA, RING) == 0);
	for (unsigned n = 0; z->left && n < 256; n++)
		step(z);
	return 0;
}
