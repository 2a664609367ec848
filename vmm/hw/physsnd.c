// SPDX-License-Identifier: MIT
/*
 * Driver core for the machine's physical ES1370 (see physsnd.h and
 * docs/audio.md). Register offsets and bits are devices/es1370_regs.h (the
 * names of the ES1370 datasheet and Linux's sound/pci/ens1370.c); the codec
 * sequence is the AK4531's (reset and power-down register, then the clock
 * select, then the mixer).
 *
 * The card is trusted more than a guest, but what it reports is still
 * bounded: its position is taken modulo the ring, and the ring is the only
 * memory it is ever given.
 */
#include "vmm/hw/physsnd.h"

#include <string.h>

#include "devices/es1370_regs.h"
#include "lib/xerrno.h"

#define FRAME_MAX_BYTES		(256u << 10)	/* the frame size register: 16 bits of dwords */
#define CODEC_POLL_US		10
#define CODEC_RESET_US		100		/* reset held, then released */
#define AK4531_RUN		0x03		/* RST# and PD# high: normal operation */
#define AK4531_MUTE_BIT		0x80		/* bit 7 of every volume register */
#define AK4531_OUT_SW2_VOICE	0x0c		/* bits 3, 2: voice (DAC2) left, right */
#define COUNT_MAX		0xffffu		/* samples per DAC2 interrupt - 1 (off anyway) */

/* ---------------------------------------------------------- registers */

static uint32_t rd32(struct physsnd *s, uint32_t off)
{
	return s->ops->in(s->ops->ctx, off, 4);
}

static void wr32(struct physsnd *s, uint32_t off, uint32_t val)
{
	s->ops->out(s->ops->ctx, off, 4, val);
}

static void write_ctrl(struct physsnd *s, uint32_t ctrl)
{
	s->ctrl = ctrl;
	wr32(s, ES_REG_CONTROL, ctrl);
}

/* The codec is write-only; STATUS.CSTAT says a write is still going on. */
static void codec_write(struct physsnd *s, uint8_t reg, uint8_t val)
{
	unsigned waited = 0;

	while (rd32(s, ES_REG_STATUS) & ES_1370_CSTAT) {
		if (waited >= PHYSSND_CODEC_WAIT_US) {
			s->st.codec_timeouts++;
			break;
		}
		s->ops->delay_us(s->ops->ctx, CODEC_POLL_US);
		waited += CODEC_POLL_US;
	}
	wr32(s, ES_REG_1370_CODEC, (uint32_t)reg << ES_1370_CODEC_ADDR_SHIFT | val);
}

static void set_volumes(struct physsnd *s, const uint8_t vol[4])
{
	for (uint8_t r = 0; r < 4; r++)
		codec_write(s, (uint8_t)(AK4531_LMASTER + r), vol[r]);
	memcpy(s->vol, vol, sizeof(s->vol));
}

/* Reset, clock, and a mixer with only the voice (DAC2) routed out, muted. */
static void codec_init(struct physsnd *s)
{
	static const uint8_t muted[4] = { AK4531_MUTE_BIT | 0x1f, AK4531_MUTE_BIT | 0x1f,
					  AK4531_MUTE_BIT | 0x1f, AK4531_MUTE_BIT | 0x1f };

	codec_write(s, AK4531_RESET, 0);
	s->ops->delay_us(s->ops->ctx, CODEC_RESET_US);
	codec_write(s, AK4531_RESET, AK4531_RUN);
	s->ops->delay_us(s->ops->ctx, CODEC_RESET_US);
	codec_write(s, AK4531_CLOCK, 0);
	codec_write(s, AK4531_OUT_SW1, 0);
	codec_write(s, AK4531_OUT_SW2, AK4531_OUT_SW2_VOICE);
	set_volumes(s, muted);
}

/* DAC2's current byte in the ring (the frame size register's upper half
 * counts dwords). */
static uint32_t position(struct physsnd *s)
{
	uint32_t v;

	wr32(s, ES_REG_MEM_PAGE, ES_PAGE_DAC);
	v = rd32(s, ES_REG_DAC2_SIZE);
	return (v >> ES_REG_FCURR_COUNT_SHIFT) * 4 % s->size;
}

/* ---------------------------------------------------------- the ring */

static uint32_t ring_off(const struct physsnd *s, uint64_t pos)
{
	return (uint32_t)(pos % s->size);
}

static void ring_zero(struct physsnd *s, uint64_t from, uint64_t to)
{
	while (from < to) {
		uint32_t off = ring_off(s, from);
		uint64_t n = s->size - off;

		if (n > to - from)
			n = to - from;
		memset(s->ring + off, 0, (size_t)n);
		from += n;
	}
}

static void ring_put(struct physsnd *s, const uint8_t *data, uint32_t len)
{
	while (len) {
		uint32_t off = ring_off(s, s->wr);
		uint32_t n = s->size - off < len ? s->size - off : len;

		memcpy(s->ring + off, data, n);
		s->wr += n;
		data += n;
		len -= n;
	}
}

/* ---------------------------------------------------------- DAC2 */

static uint32_t mode_of(const struct es1370_format *f)
{
	return (f->channels == 2 ? ES_MODE_STEREO : 0) | (f->bits == 16 ? ES_MODE_16BIT : 0);
}

static unsigned frame_bytes(const struct es1370_format *f)
{
	return (unsigned)f->channels * f->bits / 8;
}

/* The frame (the whole ring, position 0), the format, no interrupt, loop. */
static void program_dac2(struct physsnd *s)
{
	uint32_t sctrl = s->sctrl & ~(ES_P2_MODE_MASK | ES_P2_INT_EN | ES_P2_LOOP_SEL |
				      ES_P2_PAUSE | ES_P2_DAC_SEN | ES_P2_ST_INC_MASK |
				      ES_P2_END_INC_MASK);

	wr32(s, ES_REG_MEM_PAGE, ES_PAGE_DAC);
	wr32(s, ES_REG_DAC2_FRAME, s->ring_hpa);
	wr32(s, ES_REG_DAC2_SIZE, s->size / 4 - 1);
	wr32(s, ES_REG_DAC2_COUNT, COUNT_MAX);
	s->sctrl = sctrl | mode_of(&s->fmt) << ES_P2_MODE_SHIFT;
	wr32(s, ES_REG_SERIAL, s->sctrl);
	write_ctrl(s, (s->ctrl & ~(ES_1370_PCLKDIV_MASK | ES_DAC2_EN)) |
			      s->pclkdiv << ES_1370_PCLKDIV_SHIFT);
}

static void enable(struct physsnd *s)
{
	s->enabled = true;
	write_ctrl(s, s->ctrl | ES_DAC2_EN);
}

static void release(struct physsnd *s)
{
	write_ctrl(s, s->ctrl & ~ES_DAC2_EN);
	ring_zero(s, s->rd, s->wr > s->rd ? s->wr : s->rd);
	s->enabled = false;
	s->draining = false;
	s->owner = PHYSSND_NO_OWNER;
	s->wr = s->rd = 0;
}

void physsnd_stop(struct physsnd *s)
{
	if (!s->ring || s->owner == PHYSSND_NO_OWNER)
		return;
	if (s->enabled)
		physsnd_poll(s);
	if (s->owner == PHYSSND_NO_OWNER)
		return;
	if (s->wr > s->rd)
		s->st.cut += s->wr - s->rd;
	release(s);
}

/* The card went past [rd, rd + n): zero it behind it; what the writer had
 * not put there was silence (counted, but not after the owner's end). */
static void consume(struct physsnd *s, uint32_t n)
{
	uint64_t to = s->rd + n;

	if (to > s->wr && !s->draining)
		s->st.silence += to - (s->rd > s->wr ? s->rd : s->wr);
	ring_zero(s, s->rd, to);
	s->rd = to;
	s->st.played += n;
	if (s->wr <= s->rd && !s->draining) {
		/* The card has played all there was (and may be inside the
		 * dword at rd: the register counts dwords, a sample may be
		 * 1 or 2 bytes). The writer goes on a lead ahead again (as at
		 * the start: what it writes next must not be late at once);
		 * the ring is zero there: the lead is silence too. */
		s->wr = s->rd + s->lead;
		s->st.silence += s->lead;
	}
}

bool physsnd_poll(struct physsnd *s)
{
	if (!s->ring || s->owner == PHYSSND_NO_OWNER)
		return false;
	if (s->enabled) {
		uint32_t pos = position(s), at = ring_off(s, s->rd);

		consume(s, (pos + s->size - at) % s->size);
	} else if (s->wr - s->rd >= s->lead || (s->draining && s->wr > s->rd)) {
		enable(s);
	}
	if (s->draining && s->rd >= s->wr) {
		release(s);
		return false;
	}
	return true;
}

/* ---------------------------------------------------------- the owner's calls */

int physsnd_init(struct physsnd *s, const struct physsnd_ops *ops, void *ring,
		 uint64_t ring_hpa, uint32_t size)
{
	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->owner = PHYSSND_NO_OWNER;
	if (!ring || !size || size % 4 || size > FRAME_MAX_BYTES || ring_hpa % 4 ||
	    ring_hpa + size > (1ull << 32))
		return -XT_EINVAL;
	if (rd32(s, ES_REG_STATUS) == 0xffffffffu)
		return -XT_EIO;		/* nothing answers at the BAR */
	s->ring = ring;
	s->ring_hpa = (uint32_t)ring_hpa;
	s->size = size;
	memset(ring, 0, size);
	wr32(s, ES_REG_SERIAL, 0);
	write_ctrl(s, ES_1370_CDC_EN);
	codec_init(s);
	return 0;
}

static bool format_ok(const struct es1370_format *f, uint32_t pclkdiv)
{
	return (f->channels == 1 || f->channels == 2) && (f->bits == 8 || f->bits == 16) &&
	       pclkdiv <= ES_1370_PCLKDIV_MASK >> ES_1370_PCLKDIV_SHIFT &&
	       f->rate <= PHYSSND_RATE_MAX &&
	       f->rate == ES_1370_SRCLOCK / (pclkdiv + 2);
}

static bool same_stream(const struct physsnd *s, const struct es1370_format *f,
			uint32_t pclkdiv)
{
	return s->pclkdiv == pclkdiv && s->fmt.channels == f->channels && s->fmt.bits == f->bits;
}

int physsnd_open(struct physsnd *s, int owner, const struct es1370_format *f,
		 uint32_t pclkdiv, const uint8_t vol[4])
{
	if (!s->ring || owner < 0 || !format_ok(f, pclkdiv))
		return -XT_EINVAL;
	physsnd_poll(s);
	if (s->owner != PHYSSND_NO_OWNER && s->owner != owner)
		return -XT_EBUSY;
	if (s->owner == owner && same_stream(s, f, pclkdiv)) {
		s->draining = false;	/* resumed: it goes on where it was */
		physsnd_volume(s, owner, vol);
		return 0;
	}
	physsnd_stop(s);
	s->owner = owner;
	s->fmt = *f;
	s->pclkdiv = pclkdiv;
	s->lead = (uint32_t)((uint64_t)f->rate * PHYSSND_LEAD_MS / 1000) * frame_bytes(f);
	s->lead -= s->lead % 4;
	if (s->lead > s->size / 2)
		s->lead = s->size / 2;
	s->st.streams++;
	program_dac2(s);
	set_volumes(s, vol);
	return 0;
}

uint32_t physsnd_write(struct physsnd *s, int owner, const uint8_t *data, uint32_t len)
{
	uint64_t room;
	uint32_t n;

	if (!s->ring || owner < 0 || s->owner != owner || s->draining)
		return 0;
	physsnd_poll(s);
	len -= len % frame_bytes(&s->fmt);
	room = s->size - (s->wr - s->rd);
	n = len < room ? len : (uint32_t)room;
	n -= n % frame_bytes(&s->fmt);
	ring_put(s, data, n);
	s->st.taken += n;
	s->st.overrun += len - n;
	if (!s->enabled && s->wr - s->rd >= s->lead)
		enable(s);
	return n;
}

void physsnd_volume(struct physsnd *s, int owner, const uint8_t vol[4])
{
	if (s->ring && owner >= 0 && s->owner == owner && memcmp(s->vol, vol, sizeof(s->vol)))
		set_volumes(s, vol);
}

void physsnd_close(struct physsnd *s, int owner)
{
	if (!s->ring || owner < 0 || s->owner != owner || s->draining)
		return;
	s->draining = true;
	physsnd_poll(s);
}
