/* SPDX-License-Identifier: MIT */
/*
 * The VMM's own driver for the machine's physical Ensoniq ES1370: the way
 * out for a guest's playback that no coupled guest captures (docs/audio.md,
 * "Outside").
 *
 * One stream at a time plays on the card's DAC2 (no mixer: a second guest
 * playing outside meanwhile is refused and its samples are counted as
 * dropped by the caller). The card plays, in a loop, a ring of host pages
 * the driver owns; the owner's samples are copied into the ring at the
 * writer's position, ahead of the card's (read back from the DAC2 frame
 * register's current count). So the card's DMA only ever reaches the
 * VMM's ring, never a guest's pages, whatever a guest programs.
 *
 * Real time: the card runs on its own crystal, the guest's emulated card on
 * the TSC. The ring absorbs the difference: DAC2 starts once PHYSSND_LEAD_MS
 * of samples are in; what the card passes is zeroed behind it, so a card
 * that catches up with the writer plays silence, never stale samples
 * (counted: silence), and a writer more than the ring ahead is refused
 * (counted: overrun). When the owner's stream ends or moves to a capturing
 * guest, what is in the ring still plays (drain); then DAC2 stops. Nothing
 * is lost or repeated without a count.
 *
 * physsnd.c is pure: register accesses and delays go through struct
 * physsnd_ops, it keeps no global state, so it is tested on the host
 * against xtalk's own ES1370 model acting as the card. physsnd_pci.c is the
 * privileged part (PCI scan, port I/O, the ring's pages). No interrupts:
 * the owner polls (physsnd_poll), at least every PHYSSND_POLL_MAX_MS: the
 * ring lasts longer than that at every rate the card takes (at most
 * PHYSSND_RATE_MAX: 64 KiB are 341 ms of 48 kHz 16-bit stereo), so the
 * card never comes round to samples it already played before they are
 * zeroed.
 */
#ifndef XTALK_VMM_PHYSSND_H
#define XTALK_VMM_PHYSSND_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/es1370.h"

struct physsnd_ops {
	/* Port access at an offset of the card's I/O BAR, size 1, 2 or 4. */
	uint32_t (*in)(void *ctx, uint32_t off, unsigned size);
	void (*out)(void *ctx, uint32_t off, unsigned size, uint32_t val);
	/* Busy-wait at least us microseconds. */
	void (*delay_us)(void *ctx, unsigned us);
	void *ctx;
};

#define PHYSSND_RING_BYTES	(64u << 10)	/* 371 ms of 44.1 kHz 16-bit stereo */
#define PHYSSND_LEAD_MS		50		/* in the ring before DAC2 starts */
#define PHYSSND_CODEC_WAIT_US	10000		/* for the codec to take a write */
#define PHYSSND_NO_OWNER	(-1)
#define PHYSSND_RATE_MAX	48000		/* the ES1370's highest DAC2 rate */
#define PHYSSND_POLL_MAX_MS	100		/* the owner polls at least this often */

struct physsnd_stats {
	uint64_t streams;	/* streams the card played (physsnd_open) */
	uint64_t taken;		/* bytes physsnd_write put in the ring */
	uint64_t played;	/* bytes the card went past */
	uint64_t silence;	/* of those, bytes never written: it caught up (underrun) */
	uint64_t overrun;	/* bytes physsnd_write refused: the ring was full */
	uint64_t cut;		/* bytes in the ring, unplayed, when a stream was cut
				 * short (its format changed, physsnd_stop) */
	uint64_t codec_timeouts;/* codec writes the card did not take in time */
};

/* Every call is a no-op on a driver physsnd_init did not start (a zeroed
 * struct included): the VMM calls them whether or not the machine has a card. */
struct physsnd {
	const struct physsnd_ops *ops;
	uint8_t *ring;
	uint32_t ring_hpa;	/* below 4 GiB: the frame register has 32 bits */
	uint32_t size;		/* bytes, a multiple of 4, at most 256 KiB */
	int owner;		/* the stream's owner (the caller's number) */
	bool enabled;		/* DAC2_EN is set */
	bool draining;		/* the owner is done: stop when the card has played all */
	struct es1370_format fmt;
	uint32_t pclkdiv;	/* the owner's clock divider: the card's rate is its rate */
	uint32_t lead;		/* bytes in the ring before DAC2 is enabled */
	uint64_t wr, rd;	/* the writer's and the card's positions (bytes, never wrap) */
	uint32_t ctrl, sctrl;	/* what was last written to CONTROL and SERIAL */
	uint8_t vol[4];		/* AK4531 LMASTER, RMASTER, LVOICE, RVOICE as last written */
	struct physsnd_stats st;
};

/* Reset the card (every channel off, codec running, outputs muted) and
 * take ring (size bytes at host-physical ring_hpa) for DAC2. 0, -XT_EIO
 * when the card does not answer, -XT_EINVAL for a ring it cannot address. */
int physsnd_init(struct physsnd *s, const struct physsnd_ops *ops, void *ring,
		 uint64_t ring_hpa, uint32_t size);

/* Owner starts (or resumes) a stream of format f at the ES1370 clock
 * divider pclkdiv (f->rate == 1411200 / (pclkdiv + 2)), at the AK4531
 * volumes vol (registers 0..3, the guest's own). 0; -XT_EBUSY while
 * another owner's stream plays or drains; -XT_EINVAL for a format the card
 * lacks (or a rate above PHYSSND_RATE_MAX). The same owner resuming a draining stream in the same format
 * continues it without a gap; in another format its rest is cut. */
int physsnd_open(struct physsnd *s, int owner, const struct es1370_format *f,
		 uint32_t pclkdiv, const uint8_t vol[4]);

/* Owner's samples (whole sample frames of its format): the bytes taken;
 * the rest did not fit (counted: overrun). 0 when owner does not hold the
 * card or is draining. */
uint32_t physsnd_write(struct physsnd *s, int owner, const uint8_t *data, uint32_t len);

/* Owner's volumes changed (AK4531 registers 0..3). */
void physsnd_volume(struct physsnd *s, int owner, const uint8_t vol[4]);

/* Owner's stream ended or moved away: what is in the ring still plays. */
void physsnd_close(struct physsnd *s, int owner);

/* Follow the card's position: zero what it passed, count silence, start
 * DAC2 once the lead is in, stop it when a drain is done. Returns true
 * while the card plays or waits to (the caller keeps polling). */
bool physsnd_poll(struct physsnd *s);

/* DAC2 off now; what was unplayed is counted as cut. */
void physsnd_stop(struct physsnd *s);

/* ---------------------------------------------------------- physsnd_pci.c */

/* The machine's ES1370 on its PCI bus, and the ops that reach it. */
struct physsnd_pci {
	uint8_t bus, dev, fn;
	uint16_t io;		/* BAR0, I/O space */
	uint64_t tsc_hz;	/* for delays */
	struct physsnd_ops ops;
};

/* Find the first ES1370 (PCI 1274:5000) with an I/O BAR0, turn on its I/O
 * decoding and bus mastering (INTx off: the VMM polls), fill p. 0, or
 * -XT_ENOENT when the machine has none. */
int physsnd_pci_probe(struct physsnd_pci *p, uint64_t tsc_hz);

#endif
