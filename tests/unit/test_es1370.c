// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the ES1370 model (devices/es1370.c), driven only
 * through port accesses and es1370_advance, mostly with the register
 * sequences Linux's snd-ens1370 uses (prepare, trigger, pause, the
 * interrupt handler's acknowledge, the pointer read). The "guest" is a 1 MiB
 * buffer; dma_map refuses anything not wholly inside it. Callbacks record
 * the played bytes per DAC, hand out a counting sequence to the ADC, and log
 * IRQ changes, channel transitions and errors.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devices/es1370.h"
#include "devices/es1370_regs.h"

#define RAM_SIZE	(1u << 20)
#define OUTSIDE		(RAM_SIZE + 0x1000u)
#define PLAY_CAP	(4u << 20)
#define MS		1000000ull
#define SEC		1000000000ull
#define SRCLOCK		1411200ull

#define FRAME_A		0x10000u
#define FRAME_B		0x40000u
#define FRAME_C		0x80000u

struct ev {
	unsigned ch;
	bool running;
};

struct fake {
	struct es1370 dev;
	uint8_t *ram;
	uint64_t now;
	uint32_t ctrl, sctrl;		/* the driver's shadows, as Linux keeps them */
	bool irq;
	unsigned irq_calls;
	size_t played_at_irq;		/* DAC2 bytes played when INTA last rose */
	uint8_t *played[2];
	size_t played_len[2];
	unsigned play_calls[2];
	uint8_t cap_seq;
	size_t captured;
	unsigned err[ES1370_ERR_COUNT];
	uint64_t last_detail;
	struct ev ev[64];
	unsigned nev;
	unsigned dma_calls;
	bool last_write;
	uint8_t *map_base;		/* the last mapping */
	uint64_t map_len;
};

/* ---------------------------------------------------------- fake VMM */

static void *fake_dma(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	struct fake *fk = ctx;

	fk->dma_calls++;
	fk->last_write = write;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	fk->map_base = fk->ram + gpa;
	fk->map_len = len;
	return fk->map_base;
}

static void fake_irq(void *ctx, bool level)
{
	struct fake *fk = ctx;

	assert_true(level != fk->irq);	/* changes only */
	fk->irq = level;
	fk->irq_calls++;
	if (level)
		fk->played_at_irq = fk->played_len[1];
}

static void fake_channel(void *ctx, enum es1370_channel ch, bool running)
{
	struct fake *fk = ctx;

	assert_true(fk->nev < 64);
	fk->ev[fk->nev].ch = ch;
	fk->ev[fk->nev].running = running;
	fk->nev++;
}

/* The data must lie inside the mapping the model just made. */
static void check_inside(const struct fake *fk, const uint8_t *data, uint32_t len)
{
	assert_true(len > 0);
	assert_true(data >= fk->map_base);
	assert_true((uint64_t)(data - fk->map_base) + len <= fk->map_len);
}

/* Whole samples of the channel's format, at a sample boundary of the frame. */
static void check_whole_samples(const struct fake *fk, enum es1370_channel ch, const uint8_t *data,
				uint32_t len)
{
	struct es1370_format f;
	uint32_t ss;

	es1370_format(&fk->dev, ch, &f);
	ss = f.channels * f.bits / 8u;
	assert_int_equal(len % ss, 0);
	assert_int_equal((uint64_t)(data - fk->map_base) % ss, 0);
}

static void fake_play(void *ctx, enum es1370_channel ch, const uint8_t *data, uint32_t len)
{
	struct fake *fk = ctx;

	assert_true(ch == ES1370_DAC1 || ch == ES1370_DAC2);
	check_inside(fk, data, len);
	check_whole_samples(fk, ch, data, len);
	assert_true(fk->played_len[ch] + len <= PLAY_CAP);
	memcpy(fk->played[ch] + fk->played_len[ch], data, len);
	fk->played_len[ch] += len;
	fk->play_calls[ch]++;
}

static void fake_capture(void *ctx, uint8_t *data, uint32_t len)
{
	struct fake *fk = ctx;

	check_inside(fk, data, len);
	check_whole_samples(fk, ES1370_ADC, data, len);
	for (uint32_t i = 0; i < len; i++)
		data[i] = fk->cap_seq++;
	fk->captured += len;
}

static void fake_error(void *ctx, enum es1370_err e, uint64_t detail)
{
	struct fake *fk = ctx;

	assert_true((unsigned)e < ES1370_ERR_COUNT);
	fk->err[e]++;
	fk->last_detail = detail;
}

static const struct es1370_ops fake_ops = {
	.dma_map = fake_dma,
	.set_irq = fake_irq,
	.channel = fake_channel,
	.play = fake_play,
	.capture = fake_capture,
	.error = fake_error,
};

/* A receiver that takes what the DAC played `lag` bytes late. */
static uint64_t lag;
static unsigned unconsumed_calls;

static uint64_t fake_unconsumed(void *ctx, enum es1370_channel ch)
{
	struct fake *fk = ctx;

	unconsumed_calls++;
	assert_int_equal(ch, ES1370_DAC2);
	return fk->played_len[1] < lag ? fk->played_len[1] : lag;
}

static const struct es1370_ops held_ops = {
	.dma_map = fake_dma,
	.set_irq = fake_irq,
	.channel = fake_channel,
	.play = fake_play,
	.capture = fake_capture,
	.error = fake_error,
	.unconsumed = fake_unconsumed,
};

static int setup(void **state)
{
	struct fake *fk = calloc(1, sizeof(*fk));

	assert_non_null(fk);
	fk->ram = calloc(1, RAM_SIZE);
	fk->played[0] = malloc(PLAY_CAP);
	fk->played[1] = malloc(PLAY_CAP);
	assert_non_null(fk->ram);
	assert_non_null(fk->played[0]);
	assert_non_null(fk->played[1]);
	for (uint32_t i = 0; i < RAM_SIZE; i++)
		fk->ram[i] = (uint8_t)(i * 7 + (i >> 8) * 3 + 1);
	es1370_init(&fk->dev, &fake_ops, fk);
	/* Linux's snd_ensoniq_create + chip_init. */
	fk->ctrl = ES_1370_CDC_EN | (uint32_t)(SRCLOCK / 8000 - 2) << ES_1370_PCLKDIV_SHIFT;
	*state = fk;
	return 0;
}

static int teardown(void **state)
{
	struct fake *fk = *state;

	free(fk->played[0]);
	free(fk->played[1]);
	free(fk->ram);
	free(fk);
	return 0;
}

/* ---------------------------------------------------------- helpers */

static void wr(struct fake *fk, uint32_t off, uint32_t v)
{
	es1370_io_write(&fk->dev, fk->now, off, 4, v);
}

static uint32_t rd(struct fake *fk, uint32_t off)
{
	return es1370_io_read(&fk->dev, fk->now, off, 4);
}

/* Samples a channel with clock divider div has due t ns after its start. */
static uint64_t due(uint64_t t, uint64_t div)
{
	return t * SRCLOCK / (div * SEC);
}

static void run_to(struct fake *fk, uint64_t t)
{
	fk->now = t;
	(void)es1370_advance(&fk->dev, t);
}

/* Advance to t in steps of step ns, as a VMM's timer would. */
static void run_steps(struct fake *fk, uint64_t t, uint64_t step)
{
	while (fk->now + step < t)
		run_to(fk, fk->now + step);
	run_to(fk, t);
}

/* Linux's snd_ensoniq_playback2_prepare for a frame of bytes at gpa. */
static void prepare_dac2(struct fake *fk, uint32_t gpa, uint32_t bytes, uint32_t rate,
			 unsigned mode, uint32_t period_samples)
{
	fk->ctrl &= ~ES_DAC2_EN;
	wr(fk, ES_REG_CONTROL, fk->ctrl);
	wr(fk, ES_REG_MEM_PAGE, ES_PAGE_DAC);
	wr(fk, ES_REG_DAC2_FRAME, gpa);
	wr(fk, ES_REG_DAC2_SIZE, bytes / 4 - 1);
	fk->sctrl &= ~(ES_P2_LOOP_SEL | ES_P2_PAUSE | ES_P2_DAC_SEN | ES_P2_END_INC_MASK |
		       ES_P2_ST_INC_MASK | ES_P2_MODE_MASK);
	fk->sctrl |= ES_P2_INT_EN | mode << ES_P2_MODE_SHIFT |
		     (mode & ES_MODE_16BIT ? 2u : 1u) << ES_P2_END_INC_SHIFT;
	wr(fk, ES_REG_SERIAL, fk->sctrl);
	wr(fk, ES_REG_DAC2_COUNT, period_samples - 1);
	fk->ctrl &= ~ES_1370_PCLKDIV_MASK;
	fk->ctrl |= (uint32_t)(SRCLOCK / rate - 2) << ES_1370_PCLKDIV_SHIFT;
	wr(fk, ES_REG_CONTROL, fk->ctrl);
}

/* Linux's snd_ensoniq_playback1_prepare (wtsrsel 0..3 = 5512..44100 Hz). */
static void prepare_dac1(struct fake *fk, uint32_t gpa, uint32_t bytes, unsigned wtsrsel,
			 unsigned mode, uint32_t period_samples)
{
	fk->ctrl &= ~ES_DAC1_EN;
	wr(fk, ES_REG_CONTROL, fk->ctrl);
	wr(fk, ES_REG_MEM_PAGE, ES_PAGE_DAC);
	wr(fk, ES_REG_DAC1_FRAME, gpa);
	wr(fk, ES_REG_DAC1_SIZE, bytes / 4 - 1);
	fk->sctrl &= ~(ES_P1_LOOP_SEL | ES_P1_PAUSE | ES_P1_SCT_RLD | ES_P1_MODE_MASK);
	fk->sctrl |= ES_P1_INT_EN | mode << ES_P1_MODE_SHIFT;
	wr(fk, ES_REG_SERIAL, fk->sctrl);
	wr(fk, ES_REG_DAC1_COUNT, period_samples - 1);
	fk->ctrl &= ~ES_1370_WTSRSEL_MASK;
	fk->ctrl |= wtsrsel << ES_1370_WTSRSEL_SHIFT;
	wr(fk, ES_REG_CONTROL, fk->ctrl);
}

/* Linux's snd_ensoniq_capture_prepare. */
static void prepare_adc(struct fake *fk, uint32_t gpa, uint32_t bytes, uint32_t rate,
			unsigned mode, uint32_t period_samples)
{
	fk->ctrl &= ~ES_ADC_EN;
	wr(fk, ES_REG_CONTROL, fk->ctrl);
	wr(fk, ES_REG_MEM_PAGE, ES_PAGE_ADC);
	wr(fk, ES_REG_ADC_FRAME, gpa);
	wr(fk, ES_REG_ADC_SIZE, bytes / 4 - 1);
	fk->sctrl &= ~(ES_R1_LOOP_SEL | ES_R1_MODE_MASK);
	fk->sctrl |= ES_R1_INT_EN | mode << ES_R1_MODE_SHIFT;
	wr(fk, ES_REG_SERIAL, fk->sctrl);
	wr(fk, ES_REG_ADC_COUNT, period_samples - 1);
	fk->ctrl &= ~ES_1370_PCLKDIV_MASK;
	fk->ctrl |= (uint32_t)(SRCLOCK / rate - 2) << ES_1370_PCLKDIV_SHIFT;
	wr(fk, ES_REG_CONTROL, fk->ctrl);
}

/* snd_ensoniq_trigger START / STOP. */
static void trigger(struct fake *fk, uint32_t en, bool on)
{
	if (on)
		fk->ctrl |= en;
	else
		fk->ctrl &= ~en;
	wr(fk, ES_REG_CONTROL, fk->ctrl);
}

/* snd_ensoniq_trigger PAUSE_PUSH / PAUSE_RELEASE. */
static void pause_dac(struct fake *fk, uint32_t what, bool push)
{
	if (push)
		fk->sctrl |= what;
	else
		fk->sctrl &= ~what;
	wr(fk, ES_REG_SERIAL, fk->sctrl);
}

/* snd_audiopci_interrupt's acknowledge; returns the status it read. */
static uint32_t linux_isr(struct fake *fk)
{
	uint32_t status = rd(fk, ES_REG_STATUS), sctrl = fk->sctrl;

	if (!(status & ES_INTR))
		return status;
	if (status & ES_DAC1)
		sctrl &= ~ES_P1_INT_EN;
	if (status & ES_DAC2)
		sctrl &= ~ES_P2_INT_EN;
	if (status & ES_ADC)
		sctrl &= ~ES_R1_INT_EN;
	wr(fk, ES_REG_SERIAL, sctrl);
	wr(fk, ES_REG_SERIAL, fk->sctrl);
	return status;
}

/* snd_ensoniq_playback2_pointer: the current word as a byte offset. */
static uint32_t dac2_pointer_bytes(struct fake *fk)
{
	wr(fk, ES_REG_MEM_PAGE, ES_PAGE_DAC);
	return (rd(fk, ES_REG_DAC2_SIZE) >> 14) & 0x3fffc;
}

/* The played stream is the frame's bytes in order, wrapping at its end. */
static void check_stream(const uint8_t *out, size_t len, const uint8_t *frame, uint32_t fbytes,
			 uint32_t from)
{
	for (size_t i = 0; i < len; i++)
		if (out[i] != frame[(from + i) % fbytes])
			fail_msg("byte %zu: %02x, frame has %02x", i, out[i],
				 frame[(from + i) % fbytes]);
}

static unsigned count_ev(const struct fake *fk, unsigned ch, bool running)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fk->nev; i++)
		n += fk->ev[i].ch == ch && fk->ev[i].running == running;
	return n;
}

/* ---------------------------------------------------------- registers */

static void test_power_on_values(void **state)
{
	struct fake *fk = *state;
	struct es1370_format f;

	assert_int_equal(rd(fk, ES_REG_CONTROL), ES_1370_SERR_DISABLE);
	assert_int_equal(rd(fk, ES_REG_STATUS), 0x60);	/* no INTR, codec idle */
	assert_int_equal(rd(fk, ES_REG_SERIAL), 0);
	assert_int_equal(rd(fk, ES_REG_MEM_PAGE), 0);
	assert_int_equal(rd(fk, ES_REG_DAC2_COUNT), 0);
	wr(fk, ES_REG_MEM_PAGE, ES_PAGE_DAC);
	assert_int_equal(rd(fk, ES_REG_DAC2_FRAME), 0);
	assert_int_equal(rd(fk, ES_REG_DAC2_SIZE), 0);
	es1370_format(&fk->dev, ES1370_DAC1, &f);
	assert_int_equal(f.rate, 5512);
	assert_int_equal(f.channels, 1);
	assert_int_equal(f.bits, 8);
	es1370_format(&fk->dev, ES1370_DAC2, &f);
	assert_int_equal(f.rate, SRCLOCK / 2);		/* PCLKDIV 0 */
	assert_int_equal(fk->irq_calls, 0);
	assert_int_equal(fk->nev, 0);
	assert_int_equal(es1370_advance(&fk->dev, SEC), 0);
	assert_int_equal(fk->dma_calls, 0);
}

static void test_registers_read_back(void **state)
{
	struct fake *fk = *state;

	wr(fk, ES_REG_CONTROL, fk->ctrl | ES_1370_XCTL1 | ES_1370_OPEN);
	assert_int_equal(rd(fk, ES_REG_CONTROL), fk->ctrl | ES_1370_XCTL1 | ES_1370_OPEN);
	wr(fk, ES_REG_SERIAL, 0xffffffffu);
	assert_int_equal(rd(fk, ES_REG_SERIAL), 0x003fffff);	/* bits 31:22 do not exist */
	wr(fk, ES_REG_SERIAL, 0);
	wr(fk, ES_REG_MEM_PAGE, 0xfd);
	assert_int_equal(rd(fk, ES_REG_MEM_PAGE), ES_PAGE_ADC);
	wr(fk, ES_REG_PHANTOM_FRAME, 0x1230);
	wr(fk, ES_REG_PHANTOM_COUNT, 7);
	assert_int_equal(rd(fk, ES_REG_PHANTOM_FRAME), 0x1230);
	assert_int_equal(rd(fk, ES_REG_PHANTOM_COUNT), 7);
	wr(fk, ES_REG_ADC_FRAME, FRAME_C);
	assert_int_equal(rd(fk, ES_REG_ADC_FRAME), FRAME_C);
	wr(fk, ES_REG_ADC_SIZE, 0x0003ffff);		/* current word 3 */
	assert_int_equal(rd(fk, ES_REG_ADC_SIZE), 0x0003ffff);
	wr(fk, ES_REG_ADC_SIZE, 0x00200010);		/* word 0x20 beyond size 0x10 */
	assert_int_equal(rd(fk, ES_REG_ADC_SIZE), 0x00000010);
	wr(fk, ES_REG_MEM_PAGE, ES_PAGE_UART);
	assert_int_equal(rd(fk, ES_REG_UART_FIFO), 0);	/* no valid byte */
	wr(fk, ES_REG_MEM_PAGE, ES_PAGE_DAC);
	assert_int_equal(rd(fk, ES_REG_DAC1_FRAME), 0);	/* ADC's frame not here */
	wr(fk, ES_REG_STATUS, 0xffffffffu);		/* Linux writes cssr: ignored */
	assert_int_equal(rd(fk, ES_REG_STATUS), 0x60);
	assert_int_equal(fk->dev.errors[ES1370_ERR_ACCESS_SIZE], 0);
	wr(fk, ES_REG_DAC2_COUNT, 0xabcd1234u);		/* the upper half is read-only */
	assert_int_equal(rd(fk, ES_REG_DAC2_COUNT), 0x1234);
}

static void test_reset_stops_and_lowers(void **state)
{
	struct fake *fk = *state;

	prepare_dac2(fk, FRAME_A, 4096, 44100, 3, 64);
	trigger(fk, ES_DAC2_EN, true);
	run_to(fk, 10 * MS);
	assert_true(fk->irq);
	es1370_reset(&fk->dev);
	assert_false(fk->irq);
	assert_int_equal(count_ev(fk, ES1370_DAC2, false), 1);
	assert_false(fk->dev.ch[ES1370_DAC2].running);
	assert_int_equal(rd(fk, ES_REG_CONTROL), ES_1370_SERR_DISABLE);
	assert_int_equal(rd(fk, ES_REG_SERIAL), 0);
	assert_int_equal(rd(fk, ES_REG_STATUS), 0x60);
	size_t before = fk->played_len[1];
	run_to(fk, SEC);
	assert_int_equal(fk->played_len[1], before);
	assert_int_equal(fk->dev.irqs, 1);		/* statistics survive */
}

static void test_codec_writes(void **state)
{
	struct fake *fk = *state;

	wr(fk, ES_REG_CONTROL, fk->ctrl);
	/* snd_ensoniq_1370_mixer: reset the AK4531, read back each time. */
	es1370_io_write(&fk->dev, 0, ES_REG_1370_CODEC, 2, AK4531_RESET << 8 | 0x02);
	assert_int_equal(es1370_io_read(&fk->dev, 0, ES_REG_1370_CODEC, 2), 0x1602);
	es1370_io_write(&fk->dev, 0, ES_REG_1370_CODEC, 2, AK4531_RESET << 8 | 0x03);
	assert_int_equal(fk->dev.codec[AK4531_RESET], 0x03);
	/* snd_es1370_codec_write: waits for CSTAT clear, then writes. */
	assert_int_equal(rd(fk, ES_REG_STATUS) & (ES_1370_CSTAT | ES_1370_CBUSY | ES_1370_CWRIP), 0);
	es1370_io_write(&fk->dev, 0, ES_REG_1370_CODEC, 2, AK4531_LMASTER << 8 | 0x9f);
	es1370_io_write(&fk->dev, 0, ES_REG_1370_CODEC, 4, AK4531_MIC_GAIN << 8 | 0x01);
	assert_int_equal(fk->dev.codec[AK4531_LMASTER], 0x9f);
	assert_int_equal(fk->dev.codec[AK4531_MIC_GAIN], 0x01);
	assert_int_equal(fk->dev.errors[ES1370_ERR_CODEC_REG], 0);
	/* Registers the AK4531 does not have. */
	es1370_io_write(&fk->dev, 0, ES_REG_1370_CODEC, 2, 0x1a << 8 | 0x55);
	assert_int_equal(fk->last_detail, 0x1a);
	es1370_io_write(&fk->dev, 0, ES_REG_1370_CODEC, 2, 0xff << 8 | 0x55);
	assert_int_equal(fk->dev.errors[ES1370_ERR_CODEC_REG], 2);
	assert_int_equal(fk->err[ES1370_ERR_CODEC_REG], 2);
	assert_int_equal(fk->last_detail, 0xff);
	for (unsigned r = AK4531_NREGS; r < sizeof(fk->dev.codec); r++)
		assert_int_equal(fk->dev.codec[r], 0);
	/* A byte write is not a size the register has. */
	es1370_io_write(&fk->dev, 0, ES_REG_1370_CODEC, 1, 0x44);
	assert_int_equal(fk->dev.codec[AK4531_LMASTER], 0x9f);
	assert_int_equal(fk->dev.errors[ES1370_ERR_ACCESS_SIZE], 1);
}

static void test_access_sizes(void **state)
{
	struct fake *fk = *state;
	struct es1370 *d = &fk->dev;

	/* Sizes that exist. */
	es1370_io_write(d, 0, ES_REG_CONTROL, 1, ES_1370_CDC_EN);
	es1370_io_write(d, 0, ES_REG_CONTROL + 2, 2, 0x1234);
	assert_int_equal(rd(fk, ES_REG_CONTROL), 0x12340000u | ES_1370_CDC_EN);
	assert_int_equal(es1370_io_read(d, 0, ES_REG_CONTROL + 3, 1), 0x12);
	assert_int_equal(es1370_io_read(d, 0, ES_REG_CONTROL + 2, 1), 0x34);
	assert_int_equal(es1370_io_read(d, 0, ES_REG_CONTROL, 2), ES_1370_CDC_EN);
	es1370_io_write(d, 0, ES_REG_SERIAL + 1, 1, ES_P2_INT_EN >> 8);
	assert_int_equal(rd(fk, ES_REG_SERIAL), ES_P2_INT_EN);
	es1370_io_write(d, 0, ES_REG_DAC1_COUNT, 2, 0x77);
	assert_int_equal(es1370_io_read(d, 0, ES_REG_DAC1_COUNT, 2), 0x77);
	assert_int_equal(es1370_io_read(d, 0, ES_REG_DAC1_COUNT + 2, 2), 0);
	es1370_io_write(d, 0, ES_REG_DAC1_COUNT + 2, 2, 0x55);	/* read-only half */
	assert_int_equal(rd(fk, ES_REG_DAC1_COUNT), 0x77);
	es1370_io_write(d, 0, ES_REG_MEM_PAGE, 1, ES_PAGE_DAC);
	es1370_io_write(d, 0, ES_REG_MEM_PAGE + 1, 1, ES_PAGE_ADC);	/* bits 15:8: none */
	assert_int_equal(es1370_io_read(d, 0, ES_REG_MEM_PAGE, 2), ES_PAGE_DAC);
	assert_int_equal(d->errors[ES1370_ERR_ACCESS_SIZE], 0);
	/* Sizes that do not: counted, reads all ones, writes dropped. */
	assert_int_equal(es1370_io_read(d, 0, ES_REG_STATUS, 1), 0xff);
	assert_int_equal(fk->last_detail, ES_REG_STATUS << 8 | 1);
	assert_int_equal(es1370_io_read(d, 0, ES_REG_STATUS, 2), 0xffff);
	es1370_io_write(d, 0, ES_REG_DAC2_FRAME, 2, 0x5000);
	assert_int_equal(rd(fk, ES_REG_DAC2_FRAME), 0);
	es1370_io_write(d, 0, ES_REG_DAC1_COUNT, 1, 0x11);
	assert_int_equal(es1370_io_read(d, 0, ES_REG_DAC1_COUNT, 2), 0x77);
	es1370_io_write(d, 0, ES_REG_CONTROL + 1, 4, 0xffffffffu);	/* unaligned */
	es1370_io_write(d, 0, ES_REG_SERIAL + 1, 2, 0xffff);		/* unaligned */
	es1370_io_write(d, 0, ES_REG_SERIAL, 3, 0xffffff);		/* no such size */
	assert_int_equal(rd(fk, ES_REG_SERIAL), ES_P2_INT_EN);
	es1370_io_write(d, 0, ES_REG_UART_DATA, 2, 0x90);
	es1370_io_write(d, 0, ES_REG_1370_CODEC + 2, 2, 0x0000);
	assert_int_equal(d->errors[ES1370_ERR_ACCESS_SIZE], 9);
	assert_int_equal(fk->err[ES1370_ERR_ACCESS_SIZE], 9);
	/* No register, or beyond the BAR: all ones, not counted. */
	assert_int_equal(es1370_io_read(d, 0, 0x14, 4), 0xffffffffu);
	assert_int_equal(es1370_io_read(d, 0, 64, 2), 0xffff);
	es1370_io_write(d, 0, 200, 4, 0);
	assert_int_equal(d->errors[ES1370_ERR_ACCESS_SIZE], 9);
}

static void test_uart_for_linux(void **state)
{
	struct fake *fk = *state;
	struct es1370 *d = &fk->dev;

	/* snd_ensoniq_midi_output_open: reset, control 0, UART enable. */
	es1370_io_write(d, 0, ES_REG_UART_CONTROL, 1, ES_CNTRL_MASK);
	es1370_io_write(d, 0, ES_REG_UART_CONTROL, 1, 0);
	fk->ctrl |= ES_UART_EN;
	wr(fk, ES_REG_CONTROL, fk->ctrl);
	/* The transmit loop ends when the data runs out: TXRDY stays set. */
	for (unsigned i = 0; i < 100; i++) {
		assert_true(es1370_io_read(d, 0, ES_REG_UART_STATUS, 1) & ES_TXRDY);
		es1370_io_write(d, 0, ES_REG_UART_DATA, 1, 0x90 + i);
	}
	/* Input: nothing ever arrives. */
	assert_false(es1370_io_read(d, 0, ES_REG_UART_STATUS, 1) & ES_RXRDY);
	es1370_io_write(d, 0, ES_REG_UART_CONTROL, 1, ES_RXINTEN | 1u << ES_TXINTEN_SHIFT);
	assert_int_equal(d->uart_ctrl, ES_RXINTEN | 1u << ES_TXINTEN_SHIFT);
	es1370_io_write(d, 0, ES_REG_UART_RES, 1, 0xff);
	assert_int_equal(es1370_io_read(d, 0, ES_REG_UART_RES, 1), ES_TEST_MODE);
	assert_false(rd(fk, ES_REG_STATUS) & (ES_UART | ES_INTR));
	assert_int_equal(fk->irq_calls, 0);
	assert_int_equal(d->errors[ES1370_ERR_ACCESS_SIZE], 0);
}

/* ---------------------------------------------------------- DAC2 streams */

static void test_dac2_plays_due_samples_in_order(void **state)
{
	struct fake *fk = *state;
	const uint32_t fbytes = 16384;		/* 4096 samples of 16-bit stereo */
	const uint8_t *frame = fk->ram + FRAME_A;

	fk->now = 5 * MS;			/* the stream starts at 5 ms */
	prepare_dac2(fk, FRAME_A, fbytes, 44100, ES_MODE_16BIT | ES_MODE_STEREO, 1024);
	trigger(fk, ES_DAC2_EN, true);
	assert_int_equal(count_ev(fk, ES1370_DAC2, true), 1);
	run_steps(fk, 15 * MS, MS);
	assert_int_equal(fk->played_len[1], due(10 * MS, 32) * 4);	/* 441 samples */
	run_steps(fk, 105 * MS, 3 * MS);
	assert_int_equal(fk->played_len[1], due(100 * MS, 32) * 4);
	run_steps(fk, SEC + 5 * MS, 7 * MS);
	assert_int_equal(fk->played_len[1], 44100 * 4);
	assert_true(fk->played_len[1] > 10 * fbytes);			/* several wraps */
	check_stream(fk->played[1], fk->played_len[1], frame, fbytes, 0);
	assert_int_equal(dac2_pointer_bytes(fk), (44100 * 4) % fbytes);
	assert_int_equal(fk->played_len[0], 0);
	assert_int_equal(fk->dev.errors[ES1370_ERR_FRAME_DMA], 0);
	assert_false(fk->last_write);			/* a DAC only reads */
}

static void test_sample_counter_interrupt(void **state)
{
	struct fake *fk = *state;
	uint64_t t1, t2;

	prepare_dac2(fk, FRAME_A, 8192, 44100, ES_MODE_16BIT | ES_MODE_STEREO, 256);
	trigger(fk, ES_DAC2_EN, true);
	t1 = es1370_advance(&fk->dev, 0);
	assert_int_equal(t1, (256ull * SEC + 44099) / 44100);	/* first ns with 256 due */
	run_to(fk, t1 - 1);
	assert_false(fk->irq);
	assert_int_equal(fk->played_len[1], 255 * 4);
	assert_false(rd(fk, ES_REG_STATUS) & (ES_DAC2 | ES_INTR));
	run_to(fk, t1);
	assert_true(fk->irq);
	assert_int_equal(fk->played_at_irq, 256 * 4);		/* the data before the interrupt */
	assert_int_equal(dac2_pointer_bytes(fk), 256 * 4);
	assert_int_equal(linux_isr(fk) & (ES_INTR | ES_DAC2 | ES_DAC1 | ES_ADC),
			 ES_INTR | ES_DAC2);
	assert_false(fk->irq);
	assert_false(rd(fk, ES_REG_STATUS) & (ES_DAC2 | ES_INTR));
	assert_int_equal(rd(fk, ES_REG_SERIAL), fk->sctrl);	/* IE set again */
	t2 = es1370_advance(&fk->dev, fk->now);
	assert_int_equal(t2, (512ull * SEC + 44099) / 44100);
	run_to(fk, t2 - 1);
	assert_false(fk->irq);
	/* One call 100 samples past the expiry: INTA rises after sample 512. */
	run_to(fk, t2 + (100ull * SEC) / 44100 + 1);
	assert_true(fk->irq);
	assert_int_equal(fk->played_at_irq, 512 * 4);
	assert_int_equal(fk->played_len[1], 612 * 4);
	assert_int_equal(fk->dev.irqs, 2);
	assert_int_equal(fk->irq_calls, 3);
	/* The count register reads the samples left - 1. */
	assert_int_equal(rd(fk, ES_REG_DAC2_COUNT), 255u | (255u - 100) << 16);
}

/* The claimed signalling: DAC2's period interrupt waits until the
 * receiver has taken the samples up to the expiry, and no longer than
 * ES1370_HOLD_MAX_NS. */
static void test_interrupt_held_for_the_capture(void **state)
{
	struct fake *fk = *state;
	uint64_t t1;

	es1370_init(&fk->dev, &held_ops, fk);
	lag = 100 * 4;				/* the receiver is 100 samples behind */
	unconsumed_calls = 0;
	prepare_dac2(fk, FRAME_A, 8192, 44100, ES_MODE_16BIT | ES_MODE_STEREO, 256);
	trigger(fk, ES_DAC2_EN, true);
	t1 = es1370_advance(&fk->dev, 0);
	run_to(fk, t1);
	assert_false(fk->irq);			/* 256 played, 156 taken */
	assert_int_equal(fk->dev.held_irqs, 1);
	assert_true(unconsumed_calls > 0);
	es1370_signal(&fk->dev, fk->now);
	assert_false(fk->irq);
	/* 99 more samples: the receiver has 255 of the 256. */
	run_to(fk, t1 + 99ull * SEC / 44100 + 1);
	es1370_signal(&fk->dev, fk->now);
	assert_false(fk->irq);
	run_to(fk, t1 + 100ull * SEC / 44100 + 1);
	es1370_signal(&fk->dev, fk->now);
	assert_true(fk->irq);			/* all 256 taken: "buffer consumed" */
	assert_int_equal(fk->played_len[1], 356 * 4);
	assert_int_equal(fk->dev.held_timeouts, 0);
	linux_isr(fk);
	/* A receiver that takes nothing holds it at most 50 ms. */
	lag = UINT32_MAX;
	run_to(fk, (512ull * SEC + 44099) / 44100);
	assert_false(fk->irq);
	assert_int_equal(fk->dev.held_irqs, 2);
	run_to(fk, fk->now + ES1370_HOLD_MAX_NS - 1);
	es1370_signal(&fk->dev, fk->now);
	assert_false(fk->irq);
	es1370_signal(&fk->dev, fk->now + 1);
	assert_true(fk->irq);
	assert_int_equal(fk->dev.held_timeouts, 1);
	linux_isr(fk);
	/* Stopping the stream drops a held interrupt: nothing is owed. */
	lag = UINT32_MAX;
	run_to(fk, fk->now + 256ull * SEC / 44100 + 1);
	assert_int_equal(fk->dev.held_irqs, 3);
	trigger(fk, ES_DAC2_EN, false);
	es1370_signal(&fk->dev, fk->now + ES1370_HOLD_MAX_NS);
	assert_false(fk->irq);
	lag = 0;
}

static void test_interrupt_enable_clear_holds_status(void **state)
{
	struct fake *fk = *state;

	prepare_dac2(fk, FRAME_A, 8192, 44100, ES_MODE_16BIT | ES_MODE_STEREO, 100);
	fk->sctrl &= ~ES_P2_INT_EN;
	wr(fk, ES_REG_SERIAL, fk->sctrl);
	trigger(fk, ES_DAC2_EN, true);
	assert_int_equal(es1370_advance(&fk->dev, 0), 0);	/* no interrupt to come */
	run_steps(fk, 10 * MS, MS);				/* 441 samples: 4 expiries */
	assert_false(fk->irq);
	assert_false(rd(fk, ES_REG_STATUS) & ES_DAC2);
	fk->sctrl |= ES_P2_INT_EN;
	wr(fk, ES_REG_SERIAL, fk->sctrl);
	assert_false(fk->irq);
	/* The counter kept counting: next expiry after 500 samples. */
	assert_int_equal(es1370_advance(&fk->dev, fk->now), (500ull * SEC + 44099) / 44100);
}

static void test_pause_resume_owes_nothing(void **state)
{
	struct fake *fk = *state;
	const uint32_t fbytes = 8192;
	size_t at_pause;

	prepare_dac2(fk, FRAME_A, fbytes, 44100, ES_MODE_16BIT | ES_MODE_STEREO, 1024);
	trigger(fk, ES_DAC2_EN, true);
	run_steps(fk, 50 * MS, MS);
	pause_dac(fk, ES_P2_PAUSE, true);
	at_pause = fk->played_len[1];
	assert_int_equal(at_pause, due(50 * MS, 32) * 4);
	assert_int_equal(count_ev(fk, ES1370_DAC2, false), 1);
	assert_int_equal(es1370_advance(&fk->dev, fk->now), 0);
	run_steps(fk, SEC, 10 * MS);
	assert_int_equal(fk->played_len[1], at_pause);
	assert_int_equal(dac2_pointer_bytes(fk), at_pause % fbytes);
	pause_dac(fk, ES_P2_PAUSE, false);
	assert_int_equal(count_ev(fk, ES1370_DAC2, true), 2);
	run_steps(fk, SEC + 10 * MS, MS);
	assert_int_equal(fk->played_len[1], at_pause + due(10 * MS, 32) * 4);
	check_stream(fk->played[1], fk->played_len[1], fk->ram + FRAME_A, fbytes, 0);
}

static void test_stop_mode_halts_at_frame_end(void **state)
{
	struct fake *fk = *state;
	const uint32_t fbytes = 4096;

	prepare_dac2(fk, FRAME_A, fbytes, 44100, ES_MODE_16BIT | ES_MODE_STEREO, 4096);
	fk->sctrl |= ES_P2_LOOP_SEL;
	wr(fk, ES_REG_SERIAL, fk->sctrl);
	trigger(fk, ES_DAC2_EN, true);
	run_steps(fk, 100 * MS, MS);				/* 4410 samples due */
	assert_int_equal(fk->played_len[1], fbytes);
	assert_int_equal(count_ev(fk, ES1370_DAC2, false), 1);
	assert_false(fk->dev.ch[ES1370_DAC2].running);
	assert_true(rd(fk, ES_REG_CONTROL) & ES_DAC2_EN);
	assert_int_equal(dac2_pointer_bytes(fk), 0);
	run_steps(fk, 200 * MS, 10 * MS);
	assert_int_equal(fk->played_len[1], fbytes);
	/* Stop, start again: the frame plays once more. */
	trigger(fk, ES_DAC2_EN, false);
	trigger(fk, ES_DAC2_EN, true);
	run_steps(fk, 300 * MS, MS);
	assert_int_equal(fk->played_len[1], 2 * fbytes);
	check_stream(fk->played[1], fk->played_len[1], fk->ram + FRAME_A, fbytes, 0);
	assert_int_equal(count_ev(fk, ES1370_DAC2, true), 2);
}

static void test_size_current_count(void **state)
{
	struct fake *fk = *state;
	const uint32_t fbytes = 1024;

	prepare_dac2(fk, FRAME_A, fbytes, 11025, 0, 1000);	/* 8-bit mono */
	trigger(fk, ES_DAC2_EN, true);
	run_to(fk, 10 * MS);					/* 110 samples */
	assert_int_equal(due(10 * MS, 128), 110);
	assert_int_equal(rd(fk, ES_REG_DAC2_SIZE), (110u / 4) << 16 | (fbytes / 4 - 1));
	run_steps(fk, 100 * MS, 5 * MS);			/* 1102 samples */
	assert_int_equal(dac2_pointer_bytes(fk), (1102 % fbytes) & ~3u);
	/* Writing the size register sets the position (word 5 = byte 20). */
	trigger(fk, ES_DAC2_EN, false);
	wr(fk, ES_REG_DAC2_SIZE, 5u << 16 | (fbytes / 4 - 1));
	trigger(fk, ES_DAC2_EN, true);
	size_t before = fk->played_len[1];
	run_to(fk, fk->now + 5 * MS);
	assert_true(fk->played_len[1] > before);
	check_stream(fk->played[1] + before, fk->played_len[1] - before, fk->ram + FRAME_A,
		     fbytes, 20);
}

static void test_format_change_restarts_clock(void **state)
{
	struct fake *fk = *state;

	prepare_dac2(fk, FRAME_A, 65536, 44100, ES_MODE_16BIT | ES_MODE_STEREO, 4096);
	trigger(fk, ES_DAC2_EN, true);
	run_steps(fk, 100 * MS, MS);
	/* 22050 Hz from here: the rate change restarts the count at now. */
	fk->ctrl = (fk->ctrl & ~ES_1370_PCLKDIV_MASK) | 62u << ES_1370_PCLKDIV_SHIFT;
	wr(fk, ES_REG_CONTROL, fk->ctrl);
	run_steps(fk, 200 * MS, MS);
	assert_int_equal(fk->played_len[1], (due(100 * MS, 32) + due(100 * MS, 64)) * 4);
	/* 16-bit mono (2 bytes) from here. */
	fk->sctrl = (fk->sctrl & ~ES_P2_MODE_MASK) | ES_MODE_16BIT << ES_P2_MODE_SHIFT;
	size_t before = fk->played_len[1];
	wr(fk, ES_REG_SERIAL, fk->sctrl);
	run_steps(fk, 300 * MS, MS);
	assert_int_equal(fk->played_len[1] - before, due(100 * MS, 64) * 2);
	check_stream(fk->played[1], fk->played_len[1], fk->ram + FRAME_A, 65536, 0);
}

/* A mode change mid-sample: the sample in progress is dropped (the count
 * restarts at the write), and the position is aligned to the new size. */
static void test_mode_change_aligns_and_restarts(void **state)
{
	struct fake *fk = *state;
	const uint64_t sample = SEC / 44100;		/* 22675 ns */

	prepare_dac2(fk, FRAME_A, 4096, 44100, 0, 4096);	/* 8-bit mono */
	trigger(fk, ES_DAC2_EN, true);
	run_to(fk, 3 * sample + sample / 2);			/* 3 bytes in */
	assert_int_equal(fk->played_len[1], 3);
	fk->sctrl = (fk->sctrl & ~ES_P2_MODE_MASK) | 3u << ES_P2_MODE_SHIFT;
	wr(fk, ES_REG_SERIAL, fk->sctrl);			/* 16-bit stereo */
	run_to(fk, fk->now + sample * 3 / 4);			/* 4.25 samples since the start */
	assert_int_equal(fk->played_len[1], 3);
	run_to(fk, fk->now + sample / 2);
	assert_int_equal(fk->played_len[1], 3 + 4);
	/* Byte 3 was not a sample boundary of 4: it went on from byte 0. */
	assert_memory_equal(fk->played[1] + 3, fk->ram + FRAME_A, 4);
	assert_int_equal(fk->dev.ch[ES1370_DAC2].pos, 4);
}

static void test_huge_time_jump_is_bounded(void **state)
{
	struct fake *fk = *state;
	const uint32_t fbytes = 4096, period = 256;

	prepare_dac2(fk, FRAME_A, fbytes, 44100, ES_MODE_16BIT | ES_MODE_STEREO, period);
	trigger(fk, ES_DAC2_EN, true);
	run_to(fk, 1000000000000000000ull);			/* 10^18 ns later */
	assert_int_equal(fk->played_len[1], fbytes + period * 4);
	assert_true(fk->play_calls[1] <= 4);
	assert_true(fk->irq);
	/* The clock restarted at the jump: 10 ms more is 441 samples. */
	size_t before = fk->played_len[1];
	run_to(fk, fk->now + 10 * MS);
	assert_int_equal(fk->played_len[1] - before, due(10 * MS, 32) * 4);
	check_stream(fk->played[1], fk->played_len[1], fk->ram + FRAME_A, fbytes, 0);
	/* Time going backwards is no time. */
	before = fk->played_len[1];
	run_to(fk, 5 * MS);
	assert_int_equal(fk->played_len[1], before);
}

/*
 * A frame of one sample with a long counter period: one call may not make
 * thousands of callbacks. At most ES1370_PIECES_MAX (256) pieces are played;
 * the rest is counted as skipped, and the interrupt still comes at the
 * sample the counter says.
 */
static void test_tiny_frame_bounded_callbacks(void **state)
{
	struct fake *fk = *state;
	uint64_t t;

	prepare_dac2(fk, FRAME_A, 4, 44100, ES_MODE_16BIT | ES_MODE_STEREO, 40000);
	trigger(fk, ES_DAC2_EN, true);
	t = es1370_advance(&fk->dev, 0);
	assert_int_equal(t, (40000ull * SEC + 44099) / 44100);
	run_to(fk, t - 1);
	assert_true(fk->play_calls[1] <= 256);
	assert_int_equal(fk->played_len[1], fk->play_calls[1] * 4);
	assert_int_equal(fk->dev.skipped + fk->play_calls[1], 39999);
	assert_false(fk->irq);
	run_to(fk, t);
	assert_true(fk->irq);
	assert_int_equal(rd(fk, ES_REG_DAC2_COUNT) >> 16, 39999);	/* reloaded */
	assert_true(fk->dev.ch[ES1370_DAC2].running);
}

static void test_8bit_and_mono_sizes(void **state)
{
	static const struct {
		unsigned mode, bytes, channels, bits;
	} fmts[4] = { { 0, 1, 1, 8 }, { 1, 2, 2, 8 }, { 2, 2, 1, 16 }, { 3, 4, 2, 16 } };
	struct fake *fk = *state;

	for (unsigned i = 0; i < 4; i++) {
		struct es1370_format f;
		size_t before = fk->played_len[1];
		uint64_t t0 = fk->now;

		prepare_dac2(fk, FRAME_B, 3000, 11025, fmts[i].mode, 300);
		es1370_format(&fk->dev, ES1370_DAC2, &f);
		assert_int_equal(f.rate, 11025);
		assert_int_equal(f.channels, fmts[i].channels);
		assert_int_equal(f.bits, fmts[i].bits);
		trigger(fk, ES_DAC2_EN, true);
		run_steps(fk, t0 + SEC, 10 * MS);
		assert_int_equal(fk->played_len[1] - before, 11025 * fmts[i].bytes);
		check_stream(fk->played[1] + before, fk->played_len[1] - before,
			     fk->ram + FRAME_B, 3000, 0);
	}
}

/* ---------------------------------------------------------- DAC1, ADC */

static void test_dac1_fixed_rates(void **state)
{
	static const uint32_t rates[4] = { 5512, 11025, 22050, 44100 };
	struct fake *fk = *state;

	for (unsigned sel = 0; sel < 4; sel++) {
		struct es1370_format f;
		size_t before = fk->played_len[0];
		uint64_t t0 = fk->now;

		prepare_dac1(fk, FRAME_B, 32768, sel, ES_MODE_16BIT | ES_MODE_STEREO, 2048);
		es1370_format(&fk->dev, ES1370_DAC1, &f);
		assert_int_equal(f.rate, rates[sel]);
		trigger(fk, ES_DAC1_EN, true);
		run_steps(fk, t0 + 2 * SEC, 10 * MS);
		/* The card's clock / 256 .. / 32: 5512.5 Hz is 11025 in 2 s. */
		assert_int_equal(fk->played_len[0] - before, (2 * SRCLOCK >> (8 - sel)) * 4);
		trigger(fk, ES_DAC1_EN, false);
	}
	assert_int_equal(fk->played_len[1], 0);
	assert_int_equal(linux_isr(fk) & ES_DAC1, ES_DAC1);
}

static void test_dac1_and_dac2_together(void **state)
{
	struct fake *fk = *state;

	prepare_dac1(fk, FRAME_B, 8192, 2, ES_MODE_16BIT | ES_MODE_STEREO, 512);
	prepare_dac2(fk, FRAME_A, 4096, 44100, ES_MODE_16BIT, 512);
	fk->ctrl |= ES_DAC1_EN | ES_DAC2_EN;			/* a linked start */
	wr(fk, ES_REG_CONTROL, fk->ctrl);
	run_steps(fk, 500 * MS, 2 * MS);
	assert_int_equal(fk->played_len[0], due(500 * MS, 64) * 4);
	assert_int_equal(fk->played_len[1], due(500 * MS, 32) * 2);
	check_stream(fk->played[0], fk->played_len[0], fk->ram + FRAME_B, 8192, 0);
	check_stream(fk->played[1], fk->played_len[1], fk->ram + FRAME_A, 4096, 0);
}

static void test_adc_captures_in_order(void **state)
{
	struct fake *fk = *state;
	const uint32_t fbytes = 2048, period = 256;
	uint64_t t1;

	memset(fk->ram + FRAME_C, 0xee, fbytes + 64);
	prepare_adc(fk, FRAME_C, fbytes, 22050, ES_MODE_16BIT, period);	/* 2-byte samples */
	trigger(fk, ES_ADC_EN, true);
	assert_int_equal(count_ev(fk, ES1370_ADC, true), 1);
	t1 = es1370_advance(&fk->dev, 0);
	assert_int_equal(t1, (period * 64ull * SEC + SRCLOCK - 1) / SRCLOCK);
	run_to(fk, t1 - 1);
	assert_false(fk->irq);
	run_to(fk, t1);
	assert_true(fk->irq);
	assert_int_equal(linux_isr(fk) & (ES_ADC | ES_DAC2), ES_ADC);
	assert_false(fk->irq);
	assert_true(fk->last_write);				/* mapped writable */
	run_steps(fk, 100 * MS, MS);
	assert_int_equal(fk->captured, due(100 * MS, 64) * 2);	/* 2205 samples */
	/* The frame holds the newest bytes of the sequence, in order. */
	uint32_t pos = (uint32_t)(fk->captured % fbytes);
	for (uint32_t i = 0; i < fbytes; i++) {
		size_t n = fk->captured - fbytes + i;		/* sequence index */

		assert_int_equal(fk->ram[FRAME_C + (pos + i) % fbytes], (uint8_t)n);
	}
	assert_int_equal(fk->ram[FRAME_C + fbytes], 0xee);	/* nothing past the frame */
	wr(fk, ES_REG_MEM_PAGE, ES_PAGE_ADC);
	assert_int_equal(rd(fk, ES_REG_ADC_SIZE) >> 16, pos / 4);
	/* ADC_STOP stops the transfers like a pause. */
	fk->ctrl |= ES_1370_ADC_STOP;
	wr(fk, ES_REG_CONTROL, fk->ctrl);
	size_t at_stop = fk->captured;
	run_steps(fk, 200 * MS, MS);
	assert_int_equal(fk->captured, at_stop);
	assert_int_equal(count_ev(fk, ES1370_ADC, false), 1);
}

/* ---------------------------------------------------------- hostile frames */

static void test_frame_outside_ram(void **state)
{
	struct fake *fk = *state;

	prepare_dac2(fk, OUTSIDE, 4096, 44100, 3, 256);
	trigger(fk, ES_DAC2_EN, true);
	assert_int_equal(fk->dev.errors[ES1370_ERR_FRAME_DMA], 1);
	assert_int_equal(fk->err[ES1370_ERR_FRAME_DMA], 1);
	assert_int_equal(fk->last_detail, OUTSIDE);
	assert_int_equal(fk->nev, 0);				/* it never started */
	run_steps(fk, 100 * MS, 10 * MS);
	assert_int_equal(fk->played_len[1], 0);
	assert_int_equal(fk->dev.errors[ES1370_ERR_FRAME_DMA], 1);	/* once */
	/* A frame that starts in RAM and ends past it. */
	trigger(fk, ES_DAC2_EN, false);
	prepare_dac2(fk, RAM_SIZE - 2048, 4096, 44100, 3, 256);
	trigger(fk, ES_DAC2_EN, true);
	assert_int_equal(fk->dev.errors[ES1370_ERR_FRAME_DMA], 2);
	assert_int_equal(fk->last_detail, RAM_SIZE - 2048);
	assert_int_equal(fk->nev, 0);
	assert_false(fk->irq);
}

static void test_frame_moved_out_while_running(void **state)
{
	struct fake *fk = *state;

	prepare_dac2(fk, FRAME_A, 4096, 44100, 3, 256);
	trigger(fk, ES_DAC2_EN, true);
	run_steps(fk, 10 * MS, MS);
	size_t before = fk->played_len[1];
	assert_true(before > 0);
	wr(fk, ES_REG_DAC2_FRAME, RAM_SIZE - 4);
	run_to(fk, 20 * MS);
	assert_int_equal(fk->played_len[1], before);
	assert_int_equal(fk->dev.errors[ES1370_ERR_FRAME_DMA], 1);
	assert_int_equal(count_ev(fk, ES1370_DAC2, false), 1);
	assert_false(fk->dev.ch[ES1370_DAC2].running);
	/* A good frame address restarts it. */
	wr(fk, ES_REG_DAC2_FRAME, FRAME_A);
	assert_int_equal(count_ev(fk, ES1370_DAC2, true), 2);
	run_to(fk, 30 * MS);
	assert_int_equal(fk->played_len[1] - before, due(10 * MS, 32) * 4);
}

/* ---------------------------------------------------------- sequences */

/* Sailer's OSS start: count for the first partial period, enable, then
 * the full period; the first expiry follows the first count. */
static void test_counter_loaded_at_enable(void **state)
{
	struct fake *fk = *state;

	prepare_dac2(fk, FRAME_A, 8192, 44100, 3, 1000);
	wr(fk, ES_REG_DAC2_COUNT, 99);
	trigger(fk, ES_DAC2_EN, true);
	wr(fk, ES_REG_DAC2_COUNT, 199);
	assert_int_equal(rd(fk, ES_REG_DAC2_COUNT), 199u | 99u << 16);
	assert_int_equal(es1370_advance(&fk->dev, 0), (100ull * SEC + 44099) / 44100);
	run_to(fk, (100ull * SEC + 44099) / 44100);
	assert_true(fk->irq);
	linux_isr(fk);
	assert_int_equal(es1370_advance(&fk->dev, fk->now), (300ull * SEC + 44099) / 44100);
	/* P1_SCT_RLD reloads DAC1's counter. */
	wr(fk, ES_REG_DAC1_COUNT, 42);
	assert_int_equal(rd(fk, ES_REG_DAC1_COUNT), 42);
	wr(fk, ES_REG_SERIAL, fk->sctrl | ES_P1_SCT_RLD);
	assert_int_equal(rd(fk, ES_REG_DAC1_COUNT), 42u | 42u << 16);
}

static void test_linux_full_cycle(void **state)
{
	struct fake *fk = *state;
	unsigned periods = 0;

	/* 48000 Hz asked for: ALSA's ratnum gives PCLKDIV 27, 1411200 / 29 Hz. */
	prepare_dac2(fk, FRAME_A, 16384, 48662, 3, 1024);
	trigger(fk, ES_DAC2_EN, true);
	while (fk->now < SEC) {
		uint64_t t = es1370_advance(&fk->dev, fk->now);

		assert_true(t > fk->now);
		run_to(fk, t);
		assert_true(fk->irq);
		assert_int_equal(dac2_pointer_bytes(fk), (++periods * 4096) % 16384);
		linux_isr(fk);
		assert_false(fk->irq);
	}
	assert_int_equal(periods, SRCLOCK / 29 / 1024 + 1);
	trigger(fk, ES_DAC2_EN, false);
	assert_int_equal(count_ev(fk, ES1370_DAC2, false), 1);
	assert_int_equal(es1370_advance(&fk->dev, fk->now), 0);
	check_stream(fk->played[1], fk->played_len[1], fk->ram + FRAME_A, 16384, 0);
}

static const struct es1370_ops no_source_ops = {
	.dma_map = fake_dma,
	.set_irq = fake_irq,
};

/* Without a capture callback the ADC records silence of its format. */
static void test_adc_without_source_records_silence(void **state)
{
	struct fake *fk = *state;

	es1370_init(&fk->dev, &no_source_ops, fk);
	prepare_adc(fk, FRAME_C, 64, 11025, ES_MODE_STEREO, 1000);	/* 8-bit: 0x80 */
	trigger(fk, ES_ADC_EN, true);
	run_to(fk, 5 * MS);					/* 55 samples, 110 bytes */
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(fk->ram[FRAME_C + i], 0x80);
	assert_int_not_equal(fk->ram[FRAME_C + 64], 0x80);
	trigger(fk, ES_ADC_EN, false);
	prepare_adc(fk, FRAME_C, 64, 11025, ES_MODE_16BIT, 1000);	/* 16-bit: 0 */
	trigger(fk, ES_ADC_EN, true);
	run_to(fk, 10 * MS);
	for (unsigned i = 0; i < 64; i++)
		assert_int_equal(fk->ram[FRAME_C + i], 0);
}

static void test_no_callbacks(void **state)
{
	struct es1370 d;

	(void)state;
	es1370_init(&d, NULL, NULL);
	es1370_io_write(&d, 0, ES_REG_MEM_PAGE, 4, ES_PAGE_ADC);
	es1370_io_write(&d, 0, ES_REG_ADC_SIZE, 4, 15);
	es1370_io_write(&d, 0, ES_REG_SERIAL, 4, ES_R1_INT_EN);
	es1370_io_write(&d, 0, ES_REG_CONTROL, 4, ES_ADC_EN);
	assert_int_equal(d.errors[ES1370_ERR_FRAME_DMA], 1);	/* nothing maps */
	assert_false(d.ch[ES1370_ADC].running);
	(void)es1370_advance(&d, SEC);
	es1370_io_write(&d, SEC, ES_REG_1370_CODEC, 1, 0);
	assert_int_equal(d.errors[ES1370_ERR_ACCESS_SIZE], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_power_on_values),
		T(test_registers_read_back),
		T(test_reset_stops_and_lowers),
		T(test_codec_writes),
		T(test_access_sizes),
		T(test_uart_for_linux),
		T(test_dac2_plays_due_samples_in_order),
		T(test_sample_counter_interrupt),
		T(test_interrupt_held_for_the_capture),
		T(test_interrupt_enable_clear_holds_status),
		T(test_pause_resume_owes_nothing),
		T(test_stop_mode_halts_at_frame_end),
		T(test_size_current_count),
		T(test_format_change_restarts_clock),
		T(test_mode_change_aligns_and_restarts),
		T(test_huge_time_jump_is_bounded),
		T(test_tiny_frame_bounded_callbacks),
		T(test_8bit_and_mono_sizes),
		T(test_dac1_fixed_rates),
		T(test_dac1_and_dac2_together),
		T(test_adc_captures_in_order),
		T(test_frame_outside_ram),
		T(test_frame_moved_out_while_running),
		T(test_counter_loaded_at_enable),
		T(test_linux_full_cycle),
		T(test_adc_without_source_records_silence),
		cmocka_unit_test(test_no_callbacks),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
