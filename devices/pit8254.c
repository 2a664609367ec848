// SPDX-License-Identifier: MIT
/*
 * PC 8254 PIT and port 0x61. Behaviour follows the Intel 8254 datasheet
 * sections named in the header, which also lists the choices made.
 *
 * A counter is a timeline, not a state machine stepped per pulse: while it
 * runs, seg says at which pulse t0 CE was loaded with which count n; k =
 * pulses since t0 (plus a phase offset) gives CE and OUT for any pulse. A new
 * count in mode 2 or 3 is a second segment (next) that takes over at its t0;
 * settle() folds it in once time has passed it, before any state change.
 * Invariants after every entry point: run == PIT_RUN whenever stopped or pend
 * is set; pend implies !stopped and next.t0 > the pulse of last_ns; seg.n and
 * next.n are in 1..65536 (>= 2 in modes 2 and 3); off < n.
 */
#include "devices/pit8254.h"

#include <string.h>

#include "devices/timebase.h"

/* ---------------------------------------------------------------- counts */

static unsigned ch_mode(const struct pit_channel *c)
{
	unsigned m = (c->cw & PIT_CW_M_MASK) >> PIT_CW_M_SHIFT;

	return m >= 6 ? m - 4 : m;	/* 6 and 7 are 2 and 3 */
}

static unsigned ch_rw(const struct pit_channel *c)
{
	return (c->cw & PIT_CW_RW_MASK) >> PIT_CW_RW_SHIFT;
}

static bool ch_bcd(const struct pit_channel *c)
{
	return c->cw & PIT_CW_BCD;
}

static bool periodic(unsigned mode)
{
	return mode == 2 || mode == 3;
}

/* CE wraps modulo this: 65536 binary, 10000 BCD. */
static uint32_t modulus(const struct pit_channel *c)
{
	return ch_bcd(c) ? 10000 : 65536;
}

static uint32_t bcd_to_bin(uint16_t v)
{
	uint32_t n = 0;

	for (int shift = 12; shift >= 0; shift -= 4) {
		uint32_t d = (v >> shift) & 0xf;

		n = n * 10 + (d > 9 ? 9 : d);
	}
	return n;
}

static uint16_t bin_to_bcd(uint32_t n)
{
	return (uint16_t)(n % 10 | n / 10 % 10 << 4 | n / 100 % 10 << 8 | n / 1000 % 10 << 12);
}

/* The count register as a number of pulses. */
static uint32_t count_n(const struct pit_channel *c)
{
	uint32_t n = ch_bcd(c) ? bcd_to_bin(c->cr) : c->cr;

	if (n == 0)
		n = modulus(c);
	if (periodic(ch_mode(c)) && n < 2)
		n = 2;
	return n;
}

static uint32_t half_high(uint32_t n)
{
	return (n + 1) / 2;
}

/* ---------------------------------------------------------------- timeline */

static uint64_t pulse_of(uint64_t ns)
{
	return tb_ticks(ns, PIT_HZ);
}

static uint64_t clamp_ns(const struct pit8254 *pit, uint64_t now_ns)
{
	return now_ns > pit->last_ns ? now_ns : pit->last_ns;
}

/* The segment in force at pulse p (p >= seg.t0). */
static const struct pit_seg *seg_at(const struct pit_channel *c, uint64_t p)
{
	return c->pend && p >= c->next.t0 ? &c->next : &c->seg;
}

/* Pulses counted at p in segment s, with its phase offset. */
static uint64_t seg_k(const struct pit_channel *c, const struct pit_seg *s, uint64_t p)
{
	return c->stopped ? c->k_held : p - s->t0 + s->off;
}

/* OUT of a running segment after k pulses. */
static bool seg_out(const struct pit_channel *c, const struct pit_seg *s, uint64_t k)
{
	switch (ch_mode(c)) {
	case 0:
		return !c->wr_hold && k >= s->n;
	case 1:
		return k >= s->n;
	case 2:
		return c->stopped || k % s->n != s->n - 1;
	case 3:
		return c->stopped || k % s->n < half_high(s->n);
	default:		/* 4, 5: one pulse low at the terminal count */
		return k != s->n;
	}
}

/* CE (binary, may equal the modulus) of a running segment after k pulses. */
static uint32_t seg_ce(const struct pit_channel *c, const struct pit_seg *s, uint64_t k)
{
	uint32_t n = s->n, m = modulus(c), km, ph;

	switch (ch_mode(c)) {
	case 2:
		return n - (uint32_t)(k % n);
	case 3:
		ph = (uint32_t)(k % n);
		if (n % 2 == 0)
			return n - 2 * (ph % (n / 2));
		if (ph >= half_high(n))
			ph -= half_high(n);
		return n - 1 - 2 * ph;
	default:
		km = (uint32_t)(k % m);
		return n >= km ? n - km : n + m - km;
	}
}

static bool ch_out(const struct pit_channel *c, uint64_t p)
{
	if (c->run == PIT_IDLE)
		return ch_mode(c) != 0;	/* the control word sets OUT */
	if (c->run == PIT_ARMED)
		return true;
	if (p < c->seg.t0)
		return c->wr_hold ? false : c->out_before;

	const struct pit_seg *s = seg_at(c, p);

	return seg_out(c, s, seg_k(c, s, p));
}

static uint32_t ch_ce(const struct pit_channel *c, uint64_t p)
{
	if (c->run != PIT_RUN || p < c->seg.t0)
		return c->ce_hold;

	const struct pit_seg *s = seg_at(c, p);

	return seg_ce(c, s, seg_k(c, s, p));
}

/* CE as the guest reads it: 16 bits, BCD when programmed so. */
static uint16_t ch_ce_reg(const struct pit_channel *c, uint64_t p)
{
	uint32_t v = ch_ce(c, p) % modulus(c);

	return ch_bcd(c) ? bin_to_bcd(v) : (uint16_t)v;
}

/* First rising edge of OUT after pulse p in segment s (ignoring later ones). */
static uint64_t seg_rise(const struct pit_channel *c, const struct pit_seg *s, uint64_t p)
{
	unsigned mode = ch_mode(c);
	uint64_t kmin, e;

	if (p < s->t0 && s->rise0)
		return s->t0;
	if (periodic(mode)) {
		kmin = p < s->t0 ? s->off : p - s->t0 + s->off;
		return s->t0 + (kmin / s->n + 1) * s->n - s->off;
	}
	e = s->t0 + s->n + (mode >= 4 ? 1 : 0);
	return e > p ? e : TB_NEVER;
}

static uint64_t ch_next_rise(const struct pit_channel *c, uint64_t p)
{
	if (c->run != PIT_RUN || c->stopped || (ch_mode(c) == 0 && c->wr_hold))
		return TB_NEVER;

	uint64_t e = seg_rise(c, &c->seg, p);

	if (c->pend && e >= c->next.t0)
		e = seg_rise(c, &c->next, p);
	return e;
}

/* Fold a pending segment in once its start has passed. */
static void settle(struct pit_channel *c, uint64_t p)
{
	if (c->pend && p >= c->next.t0) {
		c->seg = c->next;
		c->pend = false;
	}
}

/* CE is loaded from CR on pulse p + 1 and counting (re)starts from there. */
static void restart(struct pit_channel *c, uint64_t p)
{
	unsigned mode = ch_mode(c);
	struct pit_seg s = { .t0 = p + 1, .n = count_n(c) };

	c->out_before = mode == 0 ? false : ch_out(c, p);
	c->ce_hold = ch_ce(c, p);
	c->run = PIT_RUN;
	c->pend = false;
	c->wr_hold = false;
	c->stopped = (mode == 0 || mode == 4) && !c->gate;
	c->k_held = 0;
	s.rise0 = !c->out_before && seg_out(c, &s, 0);
	c->seg = s;
	c->null_until = p + 1;
}

/* Stop counting at pulse p, holding CE (GATE low, mode 0 first byte). */
static void hold(struct pit_channel *c, uint64_t p)
{
	if (c->run != PIT_RUN || c->stopped)
		return;
	c->k_held = p < c->seg.t0 ? c->seg.off : p - c->seg.t0 + c->seg.off;
	c->stopped = true;
	c->pend = false;	/* modes 2, 3: the GATE rising edge reloads CR */
}

/* Modes 0, 4: counting continues from the held CE on the pulse after p. */
static void resume(struct pit_channel *c, uint64_t p)
{
	if (!c->stopped || c->wr_hold)
		return;
	if (p >= c->seg.t0)
		c->seg.t0 = p - c->k_held;
	c->stopped = false;
}

/* Modes 2, 3: the new count starts at the end of this cycle or half cycle. */
static void schedule(struct pit_channel *c, uint64_t p)
{
	const struct pit_seg *s = &c->seg;
	uint32_t n = s->n, hl = half_high(n);
	uint32_t ph = (uint32_t)((p - s->t0 + s->off) % n);
	struct pit_seg nx = { .n = count_n(c) };

	if (ch_mode(c) == 3 && ph < hl) {	/* ends a high half: falls */
		nx.t0 = p + (hl - ph);
		nx.off = half_high(nx.n);
	} else {				/* ends a cycle: CE reloads, OUT rises */
		nx.t0 = p + (n - ph);
		nx.rise0 = true;
	}
	if (c->pend)
		nx.t0 = c->next.t0;	/* same boundary, newer count */
	c->next = nx;
	c->pend = true;
	c->null_until = nx.t0;
}

static void write_count(struct pit_channel *c, uint16_t val, uint64_t p)
{
	unsigned mode = ch_mode(c);

	c->cr = val;
	if (mode == 0 || mode == 4) {
		restart(c, p);
	} else if (mode == 1 || mode == 5 || !c->gate) {
		if (c->run == PIT_IDLE)
			c->run = PIT_ARMED;
		c->null_until = TB_NEVER;	/* until the next trigger */
	} else if (c->run != PIT_RUN || p < c->seg.t0 || c->stopped) {
		restart(c, p);
	} else {
		schedule(c, p);
	}
}

static void gate_change(struct pit_channel *c, bool level, uint64_t p)
{
	unsigned mode = ch_mode(c);

	if (level == c->gate)
		return;
	c->gate = level;
	if (mode == 0 || mode == 4) {
		if (level)
			resume(c, p);
		else
			hold(c, p);
	} else if (!level) {
		if (periodic(mode))
			hold(c, p);
	} else if (c->run != PIT_IDLE) {
		restart(c, p);		/* trigger */
	}
}

/* ---------------------------------------------------------------- ports */

static void latch_count(struct pit_channel *c, uint64_t p)
{
	if (c->ol_valid)
		return;
	c->ol = ch_ce_reg(c, p);
	c->ol_valid = true;
}

static void latch_status(struct pit_channel *c, uint64_t p)
{
	if (c->st_valid)
		return;
	c->st = (uint8_t)((ch_out(c, p) ? PIT_ST_OUTPUT : 0) |
			  (p < c->null_until ? PIT_ST_NULL_COUNT : 0) | c->cw);
	c->st_valid = true;
}

static void read_back(struct pit8254 *pit, uint8_t val, uint64_t p)
{
	for (unsigned i = 0; i < PIT_NR_COUNTERS; i++) {
		struct pit_channel *c = &pit->ch[i];

		if (!(val & PIT_RB_CNT(i)))
			continue;
		if (!(val & PIT_RB_COUNT_N))
			latch_count(c, p);
		if (!(val & PIT_RB_STATUS_N))
			latch_status(c, p);
	}
}

static void control_word(struct pit_channel *c, uint8_t val, uint64_t p)
{
	c->ce_hold = ch_ce(c, p);
	c->cw = val & PIT_CW_BITS;
	c->run = PIT_IDLE;
	c->stopped = false;
	c->wr_hold = false;
	c->pend = false;
	c->wr_msb = false;
	c->rd_msb = false;
	c->ol_valid = false;
	c->st_valid = false;
	c->null_until = TB_NEVER;
}

static void write_mode(struct pit8254 *pit, uint8_t val, uint64_t p)
{
	unsigned sc = val >> PIT_CW_SC_SHIFT;

	if (sc == PIT_SC_READBACK) {
		read_back(pit, val, p);
		return;
	}
	if (((val & PIT_CW_RW_MASK) >> PIT_CW_RW_SHIFT) == PIT_RW_LATCH)
		latch_count(&pit->ch[sc], p);
	else
		control_word(&pit->ch[sc], val, p);
}

static void write_counter(struct pit_channel *c, uint8_t val, uint64_t p)
{
	switch (ch_rw(c)) {
	case PIT_RW_LSB:
		write_count(c, val, p);
		break;
	case PIT_RW_MSB:
		write_count(c, (uint16_t)(val << 8), p);
		break;
	default:		/* LSB then MSB */
		if (c->wr_msb) {
			c->wr_msb = false;
			write_count(c, (uint16_t)(c->cr_lsb | val << 8), p);
			break;
		}
		c->cr_lsb = val;
		c->wr_msb = true;
		if (ch_mode(c) == 0 && c->run == PIT_RUN) {
			hold(c, p);
			c->wr_hold = true;
		}
		break;
	}
}

static uint8_t read_counter(struct pit_channel *c, uint64_t p)
{
	if (c->st_valid) {
		c->st_valid = false;
		return c->st;
	}

	uint16_t v = c->ol_valid ? c->ol : ch_ce_reg(c, p);
	bool msb;

	switch (ch_rw(c)) {
	case PIT_RW_LSB:
		msb = false;
		break;
	case PIT_RW_MSB:
		msb = true;
		break;
	default:
		msb = c->rd_msb;
		c->rd_msb = !c->rd_msb;
		break;
	}
	if (!c->rd_msb)		/* the last byte of this value was read */
		c->ol_valid = false;
	return (uint8_t)(msb ? v >> 8 : v);
}

static uint8_t read_portb(const struct pit8254 *pit, uint64_t now_ns)
{
	uint8_t v = pit->portb;

	if ((now_ns / PORTB_REFRESH_NS) & 1)
		v |= PORTB_REF_TOGGLE;
	if (ch_out(&pit->ch[2], pulse_of(now_ns)))
		v |= PORTB_TMR2_OUT;
	return v;
}

/* Bring every counter's pending segment up to now; returns its pulse. */
static uint64_t advance(struct pit8254 *pit, uint64_t now_ns)
{
	pit->last_ns = clamp_ns(pit, now_ns);

	uint64_t p = pulse_of(pit->last_ns);

	for (unsigned i = 0; i < PIT_NR_COUNTERS; i++)
		settle(&pit->ch[i], p);
	return p;
}

uint8_t pit_io_read(struct pit8254 *pit, uint16_t port, uint64_t now_ns)
{
	uint64_t p = advance(pit, now_ns);

	switch (port) {
	case PIT_CH0:
	case PIT_CH1:
	case PIT_CH2:
		return read_counter(&pit->ch[port - PIT_CH0], p);
	case PIT_PORT_B:
		return read_portb(pit, pit->last_ns);
	default:
		return 0xff;
	}
}

void pit_io_write(struct pit8254 *pit, uint16_t port, uint8_t val, uint64_t now_ns)
{
	uint64_t p = advance(pit, now_ns);

	switch (port) {
	case PIT_CH0:
	case PIT_CH1:
	case PIT_CH2:
		write_counter(&pit->ch[port - PIT_CH0], val, p);
		break;
	case PIT_MODE:
		write_mode(pit, val, p);
		break;
	case PIT_PORT_B:
		pit->portb = val & PORTB_WRITABLE;
		gate_change(&pit->ch[2], val & PORTB_TIM2_GATE, p);
		break;
	default:
		break;
	}
}

bool pit_claims_port(uint16_t port)
{
	return (port >= PIT_CH0 && port <= PIT_MODE) || port == PIT_PORT_B;
}

bool pit_out(const struct pit8254 *pit, unsigned ch, uint64_t now_ns)
{
	if (ch >= PIT_NR_COUNTERS)
		return false;
	return ch_out(&pit->ch[ch], pulse_of(clamp_ns(pit, now_ns)));
}

uint64_t pit_next_rise(const struct pit8254 *pit, unsigned ch, uint64_t now_ns)
{
	if (ch >= PIT_NR_COUNTERS)
		return TB_NEVER;

	uint64_t e = ch_next_rise(&pit->ch[ch], pulse_of(clamp_ns(pit, now_ns)));

	return tb_ns(e, PIT_HZ);
}

void pit_init(struct pit8254 *pit, uint64_t now_ns)
{
	memset(pit, 0, sizeof(*pit));
	pit->last_ns = now_ns;

	uint64_t p = pulse_of(now_ns);

	for (unsigned i = 0; i < PIT_NR_COUNTERS; i++) {
		pit->ch[i].gate = i != 2;
		control_word(&pit->ch[i], 0x36, p);
	}
	write_count(&pit->ch[0], 0, p);
}
