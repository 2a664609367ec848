/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the ES1370 model (devices/es1370.c). The input is a
 * sequence of operations a hostile guest and the VMM can perform: port
 * accesses of any offset, size and value, the register sequences of Linux's
 * driver with mostly plausible and sometimes absurd parameters (frames in,
 * across the end of and outside a 64 KiB fake RAM), its interrupt
 * acknowledge and pointer read, time passing (nanoseconds to days, and
 * backwards), the VMM's timer firing at the announced expiry, resets. After
 * every step the invariants the VMM relies on are checked and abort() on
 * violation:
 *  - every byte played or captured lies inside the mapping the model made
 *    just before (ASan checks the rest: the RAM is one exact allocation and
 *    every byte handed over is read or written), in whole samples of the
 *    channel's format at a sample boundary;
 *  - a catch-up moves at most one frame plus one counter period per channel;
 *  - each channel's position is inside its frame, a multiple of its sample
 *    size, and the frame size register's current word says where it is;
 *  - running only when enabled, not paused and not halted; ops->channel
 *    reports exactly the transitions;
 *  - set_irq reports changes only and the line equals "a status bit is
 *    pending", which STATUS shows with INTR; an announced expiry is later
 *    than now.
 * The RAM's contents never steer the model, so it is not cleared between
 * inputs.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/es1370.h"
#include "devices/es1370_regs.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_SIZE	(64u << 10)
#define SEC		1000000000ull

struct fz {
	struct es1370 d;
	uint8_t *ram;
	uint64_t now;
	bool irq;
	bool running[ES1370_NCHANNELS];
	const uint8_t *map_base;	/* the last mapping */
	uint64_t map_len;
	bool map_write;
	uint64_t moved[ES1370_NCHANNELS];	/* bytes in this entry point */
	uint64_t errors;
	uint32_t ctrl, sctrl;		/* the driver's shadows */
	volatile uint8_t sink;
	const uint8_t *in;
	size_t left;
};

static void check(int ok)
{
	if (!ok)
		abort();
}

/* ---------------------------------------------------------- fake VMM */

static void *fz_dma(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	struct fz *z = ctx;

	check(len >= 4 && len <= 0x40000 && len % 4 == 0);
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	z->map_base = z->ram + gpa;
	z->map_len = len;
	z->map_write = write;
	return z->ram + gpa;
}

static void fz_irq(void *ctx, bool level)
{
	struct fz *z = ctx;

	check(level != z->irq);
	z->irq = level;
}

static void fz_channel(void *ctx, enum es1370_channel ch, bool running)
{
	struct fz *z = ctx;

	check((unsigned)ch < ES1370_NCHANNELS);
	check(z->running[ch] != running);
	z->running[ch] = running;
}

FUZZ_CHECKER static uint32_t sample_size(const struct es1370 *d, enum es1370_channel ch)
{
	struct es1370_format f;

	es1370_format(d, ch, &f);
	check(f.channels == 1 || f.channels == 2);
	check(f.bits == 8 || f.bits == 16);
	check(f.rate >= 172 && f.rate <= 705600);
	return f.channels * f.bits / 8u;
}

/* [data, data + len) inside the last mapping, whole samples at a sample boundary. */
FUZZ_CHECKER static void check_piece(struct fz *z, enum es1370_channel ch, const uint8_t *data,
				     uint32_t len)
{
	uint32_t ss = sample_size(&z->d, ch);
	uint64_t off;

	check(z->map_base != NULL && len > 0);
	check(data >= z->map_base);
	off = (uint64_t)(data - z->map_base);
	check(off < z->map_len && len <= z->map_len - off);
	check(off % ss == 0 && len % ss == 0);
	check(z->map_write == (ch == ES1370_ADC));
	z->moved[ch] += len;
}

static void fz_play(void *ctx, enum es1370_channel ch, const uint8_t *data, uint32_t len)
{
	struct fz *z = ctx;

	check(ch == ES1370_DAC1 || ch == ES1370_DAC2);
	check_piece(z, ch, data, len);
	z->sink = (uint8_t)(data[0] ^ data[len - 1]);	/* ASan: both ends readable */
}

static void fz_capture(void *ctx, uint8_t *data, uint32_t len)
{
	struct fz *z = ctx;

	check_piece(z, ES1370_ADC, data, len);
	data[0] = 0x5a;				/* ASan: both ends writable */
	data[len - 1] = 0xa5;
}

static void fz_error(void *ctx, enum es1370_err e, uint64_t detail)
{
	struct fz *z = ctx;

	(void)detail;
	check((unsigned)e < ES1370_ERR_COUNT);
	z->errors++;
}

static const struct es1370_ops fz_ops = {
	.dma_map = fz_dma,
	.set_irq = fz_irq,
	.channel = fz_channel,
	.play = fz_play,
	.capture = fz_capture,
	.error = fz_error,
};

/* ---------------------------------------------------------- input */

FUZZ_CHECKER static uint32_t take(struct fz *z, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes && z->left; i++) {
		v |= (uint32_t)*z->in << (8 * i);
		z->in++;
		z->left--;
	}
	return v;
}

static unsigned take_size(struct fz *z)
{
	static const unsigned sizes[8] = { 4, 4, 4, 2, 2, 1, 3, 8 };

	return sizes[take(z, 1) & 7];
}

/* ---------------------------------------------------------- invariants */

FUZZ_CHECKER static bool paused(const struct es1370 *d, unsigned ch)
{
	if (ch == ES1370_DAC1)
		return d->sctrl & ES_P1_PAUSE;
	if (ch == ES1370_DAC2)
		return d->sctrl & ES_P2_PAUSE;
	return d->ctrl & ES_1370_ADC_STOP;
}

FUZZ_CHECKER static uint64_t bound_bytes(const struct es1370 *d, unsigned ch)
{
	const struct es1370_chan *c = &d->ch[ch];
	uint64_t frame = ((uint64_t)(c->frame_size & 0xffff) + 1) * 4;

	return frame + ((uint64_t)(c->count & 0xffff) + 1) * sample_size(d, ch);
}

FUZZ_CHECKER static void check_state(struct fz *z)
{
	const struct es1370 *d = &z->d;
	static const uint32_t enable[ES1370_NCHANNELS] = { ES_DAC1_EN, ES_DAC2_EN, ES_ADC_EN };
	uint64_t errs = 0;

	for (unsigned ch = 0; ch < ES1370_NCHANNELS; ch++) {
		const struct es1370_chan *c = &d->ch[ch];
		uint32_t frame = ((c->frame_size & 0xffff) + 1) * 4;

		check(c->pos < frame);
		check(c->pos % sample_size(d, ch) == 0);
		check(c->frame_size >> 16 == c->pos / 4);
		check(c->running == z->running[ch]);
		if (c->running)
			check((d->ctrl & enable[ch]) && !paused(d, ch) && !c->halted);
	}
	check(z->irq == d->irq);
	check(d->irq == ((d->status & (ES_DAC1 | ES_DAC2 | ES_ADC | ES_UART)) != 0));
	for (unsigned e = 0; e < ES1370_ERR_COUNT; e++)
		errs += d->errors[e];
	check(errs == z->errors);
}

/* Before an entry point: nothing moved yet. After: within the bound. */
FUZZ_CHECKER static void begin(struct fz *z, uint64_t bound[ES1370_NCHANNELS])
{
	for (unsigned ch = 0; ch < ES1370_NCHANNELS; ch++) {
		z->moved[ch] = 0;
		bound[ch] = z->d.ch[ch].running ? bound_bytes(&z->d, ch) : 0;
	}
}

FUZZ_CHECKER static void end(struct fz *z, const uint64_t bound[ES1370_NCHANNELS])
{
	for (unsigned ch = 0; ch < ES1370_NCHANNELS; ch++)
		check(z->moved[ch] <= bound[ch]);
	check_state(z);
}

/* ---------------------------------------------------------- operations */

static void io_write(struct fz *z, uint32_t off, unsigned size, uint32_t v)
{
	uint64_t bound[ES1370_NCHANNELS];

	begin(z, bound);
	es1370_io_write(&z->d, z->now, off, size, v);
	end(z, bound);
}

static uint32_t io_read(struct fz *z, uint32_t off, unsigned size)
{
	uint64_t bound[ES1370_NCHANNELS];
	uint32_t v;

	begin(z, bound);
	v = es1370_io_read(&z->d, z->now, off, size);
	end(z, bound);
	if (off == ES_REG_STATUS && size == 4)
		check(!(v & ES_INTR) == !z->irq);
	return v;
}

static uint64_t advance(struct fz *z)
{
	uint64_t bound[ES1370_NCHANNELS], t;

	begin(z, bound);
	t = es1370_advance(&z->d, z->now);
	end(z, bound);
	check(t == 0 || t > z->d.now_ns);
	return t;
}

static uint64_t step_ns(struct fz *z)
{
	unsigned kind = take(z, 1);
	uint64_t a = take(z, 2);

	switch (kind & 7) {
	case 0:
		return a;			/* up to 65 us */
	case 1:
	case 2:
		return a * 1000;		/* up to 65 ms */
	case 3:
		return a * 100000;		/* up to 6.5 s */
	case 4:
		return a * 86400 * SEC;		/* up to 180 years */
	default:
		return (a & 0xff) * 10000;	/* up to 2.5 ms */
	}
}

static void op_time(struct fz *z)
{
	uint64_t d = step_ns(z);

	if (take(z, 1) == 0xbb && z->now > d)
		z->now -= d;			/* earlier than seen: no time */
	else if (z->now + d > z->now)
		z->now += d;
	(void)advance(z);
}

/* The VMM's timer: wake at the announced expiry (or a little later). */
static void op_timer(struct fz *z)
{
	uint64_t t = advance(z), late = take(z, 1);

	if (!t)
		return;
	z->now = t + late * 1000;
	(void)advance(z);
}

static const uint32_t frame_reg[ES1370_NCHANNELS] = {
	ES_REG_DAC1_FRAME, ES_REG_DAC2_FRAME, ES_REG_ADC_FRAME
};
static const uint32_t size_reg[ES1370_NCHANNELS] = {
	ES_REG_DAC1_SIZE, ES_REG_DAC2_SIZE, ES_REG_ADC_SIZE
};
static const uint32_t count_reg[ES1370_NCHANNELS] = {
	ES_REG_DAC1_COUNT, ES_REG_DAC2_COUNT, ES_REG_ADC_COUNT
};
static const uint32_t enable_bit[ES1370_NCHANNELS] = { ES_DAC1_EN, ES_DAC2_EN, ES_ADC_EN };
static const uint32_t int_en[ES1370_NCHANNELS] = { ES_P1_INT_EN, ES_P2_INT_EN, ES_R1_INT_EN };
static const unsigned mode_shift[ES1370_NCHANNELS] = {
	ES_P1_MODE_SHIFT, ES_P2_MODE_SHIFT, ES_R1_MODE_SHIFT
};

/* A frame: mostly in RAM, sometimes across its end or outside. */
static uint32_t frame_addr(struct fz *z, uint32_t bytes)
{
	uint32_t sel = take(z, 1), at = (take(z, 2) * 4u) % RAM_SIZE;

	if (sel == 0xfe)
		return RAM_SIZE - 4 * (take(z, 1) & 0x3f);
	if (sel == 0xff)
		return take(z, 4);
	return bytes >= RAM_SIZE ? 0 : at % (RAM_SIZE - bytes + 4) & ~3u;
}

/* Linux's prepare, then usually trigger START. */
static void op_stream(struct fz *z)
{
	unsigned ch = take(z, 1) % ES1370_NCHANNELS, sel = take(z, 1), mode = sel & 3;
	uint32_t words = 1 + (sel & 0x80 ? take(z, 2) : take(z, 1) * 4);
	uint32_t count = sel & 0x40 ? take(z, 2) : take(z, 1);
	uint32_t pclkdiv = sel & 0x20 ? take(z, 2) & 0x1fff : 28 + take(z, 1) % 230;

	z->ctrl &= ~enable_bit[ch];
	io_write(z, ES_REG_CONTROL, 4, z->ctrl);
	io_write(z, ES_REG_MEM_PAGE, 4, ch == ES1370_ADC ? ES_PAGE_ADC : ES_PAGE_DAC);
	io_write(z, frame_reg[ch], 4, frame_addr(z, words * 4));
	io_write(z, size_reg[ch], 4, (words - 1) & 0xffff);
	z->sctrl = (z->sctrl & ~(3u << mode_shift[ch])) | int_en[ch] | mode << mode_shift[ch];
	if (sel & 0x10)
		z->sctrl ^= take(z, 2) & 0xf800;	/* loop select, pause */
	io_write(z, ES_REG_SERIAL, 4, z->sctrl);
	io_write(z, count_reg[ch], 4, count);
	if (ch == ES1370_DAC1)
		z->ctrl = (z->ctrl & ~ES_1370_WTSRSEL_MASK) | (sel >> 2 & 3) << ES_1370_WTSRSEL_SHIFT;
	else
		z->ctrl = (z->ctrl & ~ES_1370_PCLKDIV_MASK) | pclkdiv << ES_1370_PCLKDIV_SHIFT;
	io_write(z, ES_REG_CONTROL, 4, z->ctrl);
	if (!(sel & 8)) {
		z->ctrl |= enable_bit[ch];
		io_write(z, ES_REG_CONTROL, 4, z->ctrl);
	}
}

/* snd_audiopci_interrupt's acknowledge. */
static void op_isr(struct fz *z)
{
	uint32_t status = io_read(z, ES_REG_STATUS, 4), s = z->sctrl;

	if (!(status & ES_INTR))
		return;
	for (unsigned ch = 0; ch < ES1370_NCHANNELS; ch++)
		if (status & (ES_DAC1 >> ch))
			s &= ~int_en[ch];
	io_write(z, ES_REG_SERIAL, 4, s);
	io_write(z, ES_REG_SERIAL, 4, z->sctrl);
	/* No time passed: nothing can be pending after the acknowledge. */
	check(!(io_read(z, ES_REG_STATUS, 4) & (ES_INTR | ES_DAC1 | ES_DAC2 | ES_ADC)));
	check(!z->irq);
}

/* Trigger STOP/START, PAUSE_PUSH/RELEASE, or the pointer read. */
static void op_control(struct fz *z)
{
	unsigned sel = take(z, 1), ch = sel % ES1370_NCHANNELS;

	switch (sel >> 2 & 3) {
	case 0:
		z->ctrl ^= enable_bit[ch];
		io_write(z, ES_REG_CONTROL, 4, z->ctrl);
		break;
	case 1:
		z->sctrl ^= ch == ES1370_DAC1 ? ES_P1_PAUSE : ES_P2_PAUSE;
		io_write(z, ES_REG_SERIAL, 4, z->sctrl);
		break;
	case 2:
		z->ctrl ^= ES_1370_ADC_STOP;
		io_write(z, ES_REG_CONTROL, 4, z->ctrl);
		break;
	default:
		io_write(z, ES_REG_MEM_PAGE, 4, ch == ES1370_ADC ? ES_PAGE_ADC : ES_PAGE_DAC);
		(void)io_read(z, size_reg[ch], 4);
		break;
	}
}

static void step(struct fz *z)
{
	unsigned op = take(z, 1) % 12;
	uint32_t off;

	switch (op) {
	case 0:
		off = take(z, 1) % 72;
		io_write(z, off, take_size(z), take(z, 4));
		break;
	case 1:
		off = take(z, 1) % 72;
		(void)io_read(z, off, take_size(z));
		break;
	case 2:
		off = (take(z, 1) % 16) * 4;
		io_write(z, off, 4, take(z, 4));
		break;
	case 3:
	case 4:
		op_time(z);
		break;
	case 5:
	case 6:
		op_stream(z);
		break;
	case 7:
		op_isr(z);
		break;
	case 8:
		op_control(z);
		break;
	case 9:
		op_timer(z);
		break;
	case 10:
		io_write(z, ES_REG_1370_CODEC, 2, take(z, 2));
		break;
	case 11:
		if (take(z, 1) == 0x5a) {
			uint64_t bound[ES1370_NCHANNELS];

			begin(z, bound);
			es1370_reset(&z->d);
			end(z, bound);
			check(!z->irq);
			z->ctrl = z->d.ctrl;
			z->sctrl = 0;
		}
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz z;

	if (!z.ram) {
		z.ram = malloc(RAM_SIZE);
		check(z.ram != NULL);
		memset(z.ram, 0, RAM_SIZE);
	}
	z.now = 0;
	z.irq = false;
	memset(z.running, 0, sizeof(z.running));
	z.map_base = NULL;
	z.errors = 0;
	z.in = data;
	z.left = size;
	es1370_init(&z.d, &fz_ops, &z);
	z.ctrl = z.d.ctrl | ES_1370_CDC_EN;
	z.sctrl = 0;
	check_state(&z);
	while (z.left)
		step(&z);
	return 0;
}
