/* SPDX-License-Identifier: MIT */
/*
 * A small driver for the Ensoniq AudioPCI ES1370 (1274:5000) and its AK4531
 * codec, for xtalk's audio test guest. Register use follows Linux's
 * sound/pci/ens1370.c; names are in es1370_regs.h. One card per guest.
 *
 * - es1370_probe(): PCI discovery (the 64-byte I/O BAR0, Interrupt Line and
 *   Pin), COMMAND I/O | MASTER, CONTROL and SERIAL to a known state (every
 *   channel off, codec interface on), the phantom frame, the UART quiet,
 *   then the AK4531: out of reset, master and voice (DAC2) at 0 dB and
 *   unmuted, the voice in the output mixer, line in at 0 dB routed to the
 *   ADC; everything else muted as Linux leaves it. In irq mode: the
 *   handler on the Interrupt Line, made level-triggered, and the PIT for
 *   deadlines. Prints "es1370: ..." lines.
 * - Streams (DAC2 for playback, the ADC for capture): one frame in guest
 *   RAM (guest-physical = virtual), looped over by the card, its sample
 *   counter set to half the frame, so that an interrupt comes each time
 *   the card has finished one half (double buffering). The driver counts
 *   those period ends per channel; what to do with each half is the
 *   caller's business.
 * - An interrupt is acknowledged as Linux does it: SERIAL written with the
 *   channel's interrupt-enable bit cleared, then with it set again.
 * - ES1370_IRQ: the handler reads STATUS and acknowledges; waits sleep in
 *   STI; HLT (the PIT ends a sleep at its deadline). ES1370_POLL: the
 *   channel's interrupt-enable bit is still set (STATUS reports the
 *   counter only through it), but the 8259 line stays masked and the CPU's
 *   interrupts off; waits poll STATUS and acknowledge the same way.
 */
#ifndef XTALK_GUEST_ES1370_H
#define XTALK_GUEST_ES1370_H

#include <stdbool.h>
#include <stdint.h>

#include "es1370_regs.h"
#include "pci.h"

/* Frames: at most 128 KiB (Linux's limit; the SIZE field would allow
 * 256 KiB), a multiple of 8 bytes so that each half is whole 32-bit words. */
#define ES1370_FRAME_MIN 64U
#define ES1370_FRAME_MAX (128U * 1024U)
#define ES1370_RATE_MIN 4000U
#define ES1370_RATE_MAX 48000U

/* Return codes (negative) */
#define ES1370_ETIMEDOUT (-1)
#define ES1370_EINVAL (-2)
#define ES1370_EIO (-3)

enum es1370_mode { ES1370_POLL, ES1370_IRQ };

/* The channels this driver runs (DAC1, the fixed-rate one, it leaves off). */
enum es1370_chan { ES1370_CH_DAC2, ES1370_CH_ADC, ES1370_NCH };

struct es1370_format {
	uint32_t rate;      /* samples per second, ES1370_RATE_MIN..ES1370_RATE_MAX */
	unsigned bits;      /* 8 (unsigned) or 16 (signed, little-endian) */
	unsigned channels;  /* 1 or 2, interleaved left first */
};

struct es1370_stream {
	struct es1370_format fmt;
	uint8_t *frame;             /* guest RAM, the card's DMA address */
	uint32_t frame_bytes;
	uint32_t sample_bytes;      /* bits / 8 * channels */
	uint32_t period;            /* samples per interrupt: half the frame */
	bool running;
	uint64_t start_tsc;         /* just before the channel was enabled */
	volatile uint64_t periods;  /* period ends seen (interrupts or polled STATUS bits) */
	volatile uint64_t last_tsc; /* TSC when the last one was seen */
};

struct es1370 {
	struct pci_dev pci;
	uint16_t io;                /* BAR0 */
	uint8_t irq, pin;
	enum es1370_mode mode;
	bool wake_timer;            /* irq mode: the PIT ends a sleep at its deadline */
	uint32_t ctrl, sctrl;       /* what was last written to CONTROL and SERIAL */
	struct es1370_stream ch[ES1370_NCH];
	volatile uint64_t irqs;     /* handler runs */
	volatile uint64_t irq_none; /* ... that found no channel interrupt in STATUS */
	volatile uint64_t polls;    /* STATUS reads in poll mode */
	volatile uint32_t status_log; /* STATUS bits seen with a channel interrupt, ORed */
	uint64_t sleeps;            /* HLTs in irq mode */
};

/* 0, or a negative code after printing "es1370: error: ...". */
int es1370_probe(struct es1370 *d, enum es1370_mode mode);

/* The AK4531 voice (DAC2) volume, both sides: att is the register's value
 * (bits 4:0, 0 the loudest; bit 7 mutes). 0 or a negative code. */
int es1370_set_voice(struct es1370 *d, uint8_t att);

/* The rate the card really runs at for a requested one (the divider is an
 * integer), and that divider. */
uint32_t es1370_divider(uint32_t rate);
uint32_t es1370_actual_rate(uint32_t rate);

/* Check a format and frame size: 0, or ES1370_EINVAL with the reason in
 * *why (a static string). */
int es1370_check(const struct es1370_format *f, uint32_t frame_bytes, const char **why);

/* Program ch for format f over frame[0..frame_bytes) (aligned to 4 bytes;
 * page-aligned is best) and enable it: the counter interrupts after every
 * frame_bytes / 2 bytes. The caller fills a DAC2 frame before. Returns 0,
 * or a negative code after printing why (a register that does not read
 * back what was written). */
int es1370_start(struct es1370 *d, enum es1370_chan ch, const struct es1370_format *f,
		 uint8_t *frame, uint32_t frame_bytes);
/* Disable ch and its interrupt (and acknowledge one left pending). */
void es1370_stop(struct es1370 *d, enum es1370_chan ch);

/* Wait until ch has seen more than seen period ends, or until deadline (a
 * TSC value): true if it has. */
bool es1370_wait(struct es1370 *d, enum es1370_chan ch, uint64_t seen, uint64_t deadline);

/* Byte offset in its frame the channel is at (SIZE bits 31:16). */
uint32_t es1370_position(struct es1370 *d, enum es1370_chan ch);

/* Print the channel's registers: "WHO: CONTROL 0x... STATUS 0x... ...". */
void es1370_dump(struct es1370 *d, enum es1370_chan ch, const char *who);
/* Print "WHO: es1370 irqs I none N polls P sleeps S status 0x..". */
void es1370_print_stats(const struct es1370 *d, const char *who);

#endif
