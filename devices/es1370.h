/* SPDX-License-Identifier: MIT */
/*
 * Model of an Ensoniq AudioPCI ES1370 (PCI 1274:5000) with its AK4531
 * codec, as the guest's own driver (Linux snd-ens1370, our test guests)
 * sees it: the 64-byte I/O BAR (control, status, UART, memory page, codec,
 * serial interface, sample counters, and the paged frame registers), the
 * three channels DAC1, DAC2 and ADC, level-triggered INTA. Pure device
 * logic: the VMM traps the guest's port accesses and calls es1370_io_*;
 * channel frames are guest RAM reached through ops->dma_map.
 *
 * Streams run in real time: es1370_advance(now) moves the samples a
 * running channel is due by now, measured from when it started at its
 * rate, never faster. Played samples go to ops->play, captured ones come
 * from ops->capture: where they come from or go (a coupled guest, the
 * machine's sound card, nowhere) is the data path's business.
 *
 * Every register value and every frame address is hostile: a frame that is
 * not wholly in guest RAM stops its channel and is counted (es1370_err),
 * as are register accesses of a size the register does not have; each
 * call does bounded work.
 *
 * Names as in the ES1370 datasheet and Linux's sound/pci/ens1370.c.
 */
#ifndef XTALK_DEVICES_ES1370_H
#define XTALK_DEVICES_ES1370_H

#include <stdbool.h>
#include <stdint.h>

#define ES1370_VENDOR		0x1274
#define ES1370_DEVICE		0x5000
#define ES1370_IO_SIZE		64	/* BAR0, I/O */

enum es1370_channel {
	ES1370_DAC1,
	ES1370_DAC2,
	ES1370_ADC,
	ES1370_NCHANNELS
};

/* A channel's sample format. */
struct es1370_format {
	uint32_t rate;		/* samples per second per channel (Hz) */
	uint8_t channels;	/* 1 or 2 */
	uint8_t bits;		/* 8 (unsigned) or 16 (signed little-endian) */
};

/* Bad guest input, each counted in es1370.errors[] and reported through ops->error. */
enum es1370_err {
	ES1370_ERR_FRAME_DMA,	/* a running channel's frame not wholly in guest RAM */
	ES1370_ERR_ACCESS_SIZE,	/* a register accessed with a size it does not have */
	ES1370_ERR_CODEC_REG,	/* an AK4531 register that does not exist */
	ES1370_ERR_COUNT
};

struct es1370;

struct es1370_ops {
	/* Host pointer to guest RAM [gpa, gpa + len), NULL when any of it is
	 * not RAM; write: the device will write it (ADC). */
	void *(*dma_map)(void *ctx, uint64_t gpa, uint64_t len, bool write);
	void (*set_irq)(void *ctx, bool level);
	/* A channel started (enabled, frame mapped, not paused) or stopped. */
	void (*channel)(void *ctx, enum es1370_channel ch, bool running);
	/* A DAC played bytes (whole samples of its format, in order). */
	void (*play)(void *ctx, enum es1370_channel ch, const uint8_t *data, uint32_t len);
	/* The ADC takes len bytes (whole samples of its format): fill data. */
	void (*capture)(void *ctx, uint8_t *data, uint32_t len);
	void (*error)(void *ctx, enum es1370_err e, uint64_t detail);
	/* Optional, the claimed signalling of a stream a guest captures: bytes
	 * of the DAC's playback its receiver has not taken yet. While the
	 * samples up to a DAC's counter expiry are among them, its interrupt
	 * ("buffer consumed") is held (es1370_signal releases it), at most
	 * ES1370_HOLD_MAX_NS: no capturer holds a player up for longer. */
	uint64_t (*unconsumed)(void *ctx, enum es1370_channel ch);
};

#define ES1370_HOLD_MAX_NS	50000000ull	/* 50 ms */

struct es1370_chan {
	uint64_t frame_addr;	/* frame address register (bytes, 32-bit) */
	uint32_t frame_size;	/* frame size register: bits 15:0 size in dwords - 1,
				 * bits 31:16 current dword (read back) */
	uint32_t count;		/* sample count register: bits 15:0 samples per
				 * interrupt - 1, bits 31:16 samples left (read back) */
	bool running;
	uint64_t start_ns;	/* when it started (or its clock was rebased) */
	uint64_t moved;		/* samples moved since start_ns */
	uint32_t pos;		/* byte offset in the frame of the next sample */
	uint64_t played;	/* DAC: bytes handed to ops->play since the model began */
	bool held;		/* DAC: an interrupt held until its samples are taken */
	uint64_t held_at;	/* played when the held expiry came */
	uint64_t held_since_ns;
	/* Private to devices/es1370.c: */
	bool halted;		/* stopped by the model (stop-mode frame end, frame
				 * not in RAM) until disabled or FRAME/SIZE written */
};

struct es1370 {
	uint32_t ctrl;		/* ES_REG_CONTROL */
	uint32_t status;	/* ES_REG_STATUS (interrupt bits) */
	uint32_t sctrl;		/* ES_REG_SERIAL */
	uint32_t mem_page;	/* ES_REG_MEM_PAGE: bits 3:0 */
	uint8_t uart_ctrl;
	uint8_t codec[32];	/* AK4531 registers, written through ES_REG_1370_CODEC */
	struct es1370_chan ch[ES1370_NCHANNELS];
	uint64_t now_ns;	/* last time given to the model */
	uint64_t errors[ES1370_ERR_COUNT];
	uint64_t irqs;		/* rising edges of INTA */
	uint64_t held_irqs;	/* DAC interrupts held until the receiver took the samples */
	uint64_t held_timeouts;	/* of those, released after ES1370_HOLD_MAX_NS instead */
	uint64_t skipped;	/* samples counted as moved but not played or recorded:
				 * a frame too short for one call's pieces (es1370.c) */
	bool irq;
	const struct es1370_ops *ops;
	void *ctx;
	/* Private to devices/es1370.c: */
	uint8_t uart_res;	/* ES_REG_UART_RES */
	uint16_t codec_wr;	/* last ES_REG_1370_CODEC value (reads back) */
	uint32_t phantom_frame;	/* ES_REG_PHANTOM_FRAME, ES_REG_PHANTOM_COUNT */
	uint32_t phantom_count;
};

void es1370_init(struct es1370 *d, const struct es1370_ops *ops, void *ctx);
/* Power-on state (PCI reset): every channel stopped. */
void es1370_reset(struct es1370 *d);

/* Guest port accesses at offset off (0..63) of BAR0, size 1, 2 or 4; now_ns:
 * the guest's clock, the model first moves what is due by then. */
uint32_t es1370_io_read(struct es1370 *d, uint64_t now_ns, uint32_t off, unsigned size);
void es1370_io_write(struct es1370 *d, uint64_t now_ns, uint32_t off, unsigned size,
		     uint32_t val);

/* Move every running channel's samples due by now_ns; the time of the next
 * sample-counter expiry of a running channel (its interrupt), 0 if none. */
uint64_t es1370_advance(struct es1370 *d, uint64_t now_ns);

/* Release each held DAC interrupt whose samples the receiver has taken (or
 * that has waited ES1370_HOLD_MAX_NS); the VMM calls it after the
 * receivers have moved their samples. */
void es1370_signal(struct es1370 *d, uint64_t now_ns);

/* The channel's current format (rate from the clock dividers, width and
 * channels from the serial interface control). */
void es1370_format(const struct es1370 *d, enum es1370_channel ch, struct es1370_format *f);

#endif
