// SPDX-License-Identifier: MIT
/*
 * Ensoniq AudioPCI ES1370 with its AK4531 codec: registers, the three
 * channels' frames and sample counters, INTA. The contract is in the
 * header; register names are in devices/es1370_regs.h.
 *
 * Sources: Linux's sound/pci/ens1370.c (the CHIP1370 parts: register map,
 * how ALSA prepares, triggers, pauses, acknowledges and reads the pointer),
 * Thomas Sailer's OSS driver drivers/sound/es1370.c (bit meanings, the
 * measured clock fs = 1411200 / (PCLKDIV + 2), the start sequence), Bochs'
 * iodev/sound/es1370.cc and 86Box's snd_audiopci.c (how emulators treat the
 * frame and count registers; 86Box quotes the ES1371 datasheet's access
 * sizes, whose layout the ES1370 shares). The ES1370 datasheet itself was
 * not at hand; where the sources disagree the choice and its reason are
 * below.
 *
 * A channel is a timeline: while it runs, the samples due by now are
 * floor((now - start_ns) * rate / 10^9), moved counts those already moved,
 * and every entry point first moves the difference (catch_up), before the
 * access it serves changes anything. Invariants after every entry point:
 * pos < the frame's length and a multiple of the channel's sample size;
 * frame_size bits 31:16 are pos / 4; running implies enabled, not paused
 * and not halted; irq == (status has a pending bit).
 *
 * Choices:
 * - Rates come from the 1411200 Hz sample clock (22.5792 MHz / 16): DAC2 and
 *   the ADC divide it by PCLKDIV + 2 (Linux's ES_1370_SRTODIV), DAC1 by 256,
 *   128, 64 or 32 (WTSRSEL). The samples due are counted on that clock, so
 *   the "5512 Hz" DAC1 rate is really 5512.5 Hz as on the card (Sailer
 *   measured PCLKDIV 254 against it); es1370_format reports whole Hz.
 * - Sample counter: a write sets bits 15:0 (the reload value) only; bits
 *   31:16 are loaded from it when the channel's enable bit goes from 0 to 1,
 *   count down one per sample and reload after 0 (so they read the samples
 *   left before the interrupt, minus 1). Sailer's start sequence
 *   (count for the first partial period, enable, count for the full period)
 *   only works this way; Bochs loads both halves on a write, which Linux
 *   (count written before enable) cannot tell apart. P1_SCT_RLD set in a
 *   SERIAL write reloads DAC1's counter at once.
 * - Interrupt enable bit clear holds the channel's status bit clear ("disable
 *   and clear"): an expiry then sets nothing, and clearing the bit clears a
 *   pending one, which is Linux's acknowledge (clear, then set). As in Bochs.
 *   Several expiries within one catch-up set the bit once (it is a level).
 * - Frame size register: a write sets the size (15:0) and the current word
 *   (31:16; beyond the size it counts as 0); the position is that word. The
 *   frame address register does not move the position, nor does enabling:
 *   Linux rewrites the size register (current word 0) before every start.
 * - Stop mode (loop select 1): at the frame's end the position wraps to 0
 *   and the channel halts until its enable bit is cleared or its frame
 *   address or size is written. A frame not wholly in guest RAM halts it
 *   the same way (counted as ES1370_ERR_FRAME_DMA).
 * - Pause (P1/P2 PAUSE, ADC_STOP for the ADC), a halt and a disable stop the
 *   channel's timeline; a start (enable, resume, restart) maps the frame,
 *   sets start_ns to now and owes nothing for the time before. A change of
 *   a running channel's rate or mode restarts its timeline the same way; a
 *   mode change aligns the position down to the new sample size.
 * - A catch-up moves at most one frame plus one counter period per channel;
 *   a channel further behind drops the rest and restarts its timeline at
 *   now. It makes at most ES1370_PIECES_MAX play/capture calls per channel
 *   (each frame wrap and each expiry ends a piece): beyond that, with a
 *   frame of a few samples, the rest moves position and counter without
 *   data (counted in skipped). Calling es1370_advance at the time it returned always reaches that
 *   expiry, since it is at most one period away.
 * - Access sizes (the ES1371 datasheet's, as 86Box quotes it): CONTROL,
 *   MEM_PAGE and SERIAL byte, word or dword; STATUS dword; the UART bytes
 *   byte; the codec register word or dword at 0x10; the sample counters
 *   word or dword (the upper word is read-only); the paged window dword.
 *   Unaligned or other sizes are counted (ES1370_ERR_ACCESS_SIZE, detail
 *   offset << 8 | size): a write is dropped, a read gives all ones. Offsets
 *   with no register (0x14..0x1f) read all ones and drop writes, uncounted.
 * - Power-on values as QEMU and Bochs have them: CONTROL SERR_DISABLE,
 *   STATUS 0x60 (voice code 3), everything else 0. Linux writes CONTROL and
 *   SERIAL before it relies on either.
 * - CODEC: a write stores the data byte in codec[] (registers 0x00..0x19;
 *   others are counted as ES1370_ERR_CODEC_REG) and completes at once, so
 *   CSTAT, CBUSY and CWRIP read 0. The register is write-only; a read (Linux
 *   reads it back after the reset writes) gives the last value written.
 *   AK4531 register 0x16 (reset, power down) and 0x17 (clock) are stored
 *   only: nothing here depends on them, and Linux writes every register
 *   after the reset. Writes are not gated by CDC_EN.
 *
 * Not modelled (limitations): the UART has no MIDI port: bytes written are
 * dropped, status says transmitter ready and no receive data, it never
 * interrupts, and its FIFO pages read 0. The phantom frame registers only
 * read back (the hardware's phantom-write bug is not reproduced). P2_ST_INC
 * and P2_END_INC (the DAC2 byte increments) and P2_DAC_SEN are stored but the
 * step is always the sample size. DAC_SYNC and M_SBB (other clock sources),
 * CCB/MPEG inputs, the joystick, pages 0..11 of the window (the chip's
 * sample memory: read 0, writes dropped). Callbacks must not call back into
 * the model.
 */
#include "devices/es1370.h"

#include <string.h>

#include "devices/es1370_regs.h"
#include "devices/timebase.h"

#define SERIAL_MASK	0x003fffffu	/* bits 21:0 exist */
#define PENDING_MASK	(ES_DAC1 | ES_DAC2 | ES_ADC | ES_UART)
#define CTRL_POWER_ON	ES_1370_SERR_DISABLE
#define STATUS_VC	(3u << ES_1370_VC_SHIFT)
#define CURR_SHIFT	ES_REG_CURR_COUNT_SHIFT

static const struct es1370_ops no_ops;

static const uint32_t ch_enable[ES1370_NCHANNELS] = { ES_DAC1_EN, ES_DAC2_EN, ES_ADC_EN };
static const uint32_t ch_int_en[ES1370_NCHANNELS] = { ES_P1_INT_EN, ES_P2_INT_EN, ES_R1_INT_EN };
static const uint32_t ch_pending[ES1370_NCHANNELS] = { ES_DAC1, ES_DAC2, ES_ADC };
static const uint32_t ch_loop_sel[ES1370_NCHANNELS] = {
	ES_P1_LOOP_SEL, ES_P2_LOOP_SEL, ES_R1_LOOP_SEL
};
static const unsigned ch_mode_shift[ES1370_NCHANNELS] = {
	ES_P1_MODE_SHIFT, ES_P2_MODE_SHIFT, ES_R1_MODE_SHIFT
};
static const uint32_t dac1_div[4] = { 256, 128, 64, 32 };	/* 5512.5 ... 44100 Hz */

/* ---------------------------------------------------------------- helpers */

static void report(struct es1370 *d, enum es1370_err e, uint64_t detail)
{
	d->errors[e]++;
	if (d->ops->error)
		d->ops->error(d->ctx, e, detail);
}

static unsigned ch_mode(const struct es1370 *d, unsigned ch)
{
	return d->sctrl >> ch_mode_shift[ch] & 3;
}

static uint32_t sample_bytes(const struct es1370 *d, unsigned ch)
{
	unsigned m = ch_mode(d, ch);

	return (m & ES_MODE_STEREO ? 2u : 1u) * (m & ES_MODE_16BIT ? 2u : 1u);
}

/* The channel's divider of the ES_1370_SRCLOCK sample clock. */
static uint32_t clock_div(const struct es1370 *d, unsigned ch)
{
	if (ch == ES1370_DAC1)
		return dac1_div[(d->ctrl & ES_1370_WTSRSEL_MASK) >> ES_1370_WTSRSEL_SHIFT];
	return ((d->ctrl & ES_1370_PCLKDIV_MASK) >> ES_1370_PCLKDIV_SHIFT) + 2;
}

/* Samples of a channel with divider div in the first ns nanoseconds. */
static uint64_t samples_in(uint64_t ns, uint32_t div)
{
	return tb_ticks(ns, ES_1370_SRCLOCK) / div;
}

static uint32_t frame_bytes(const struct es1370_chan *c)
{
	return ((c->frame_size & ES_REG_FSIZE_MASK) + 1) * 4;
}

static uint32_t reload_value(const struct es1370_chan *c)
{
	return c->count & ES_REG_COUNT_MASK;
}

static void reload_counter(struct es1370_chan *c)
{
	c->count = reload_value(c) | reload_value(c) << CURR_SHIFT;
}

static void set_pos(struct es1370_chan *c, uint32_t pos)
{
	c->pos = pos;
	c->frame_size = (c->frame_size & ES_REG_FSIZE_MASK) | (pos / 4) << ES_REG_FCURR_COUNT_SHIFT;
}

static void update_irq(struct es1370 *d)
{
	bool level = (d->status & PENDING_MASK) != 0;

	if (level == d->irq)
		return;
	d->irq = level;
	if (level)
		d->irqs++;
	if (d->ops->set_irq)
		d->ops->set_irq(d->ctx, level);
}

/* ---------------------------------------------------------------- running */

static bool paused(const struct es1370 *d, unsigned ch)
{
	switch (ch) {
	case ES1370_DAC1:
		return d->sctrl & ES_P1_PAUSE;
	case ES1370_DAC2:
		return d->sctrl & ES_P2_PAUSE;
	default:
		return d->ctrl & ES_1370_ADC_STOP;
	}
}

static bool wants_run(const struct es1370 *d, unsigned ch)
{
	return (d->ctrl & ch_enable[ch]) && !paused(d, ch) && !d->ch[ch].halted;
}

static void set_running(struct es1370 *d, unsigned ch, bool running)
{
	d->ch[ch].running = running;
	d->ch[ch].held = false;		/* a stopped stream's interrupt is not owed */
	if (d->ops->channel)
		d->ops->channel(d->ctx, (enum es1370_channel)ch, running);
}

/* Host pointer to the whole frame, NULL (counted) when it is not all RAM. */
static uint8_t *map_frame(struct es1370 *d, unsigned ch)
{
	struct es1370_chan *c = &d->ch[ch];
	void *p = NULL;

	if (d->ops->dma_map)
		p = d->ops->dma_map(d->ctx, c->frame_addr, frame_bytes(c), ch == ES1370_ADC);
	if (!p)
		report(d, ES1370_ERR_FRAME_DMA, c->frame_addr);
	return p;
}

static void restart_clock(struct es1370 *d, struct es1370_chan *c)
{
	c->start_ns = d->now_ns;
	c->moved = 0;
}

static void start(struct es1370 *d, unsigned ch)
{
	struct es1370_chan *c = &d->ch[ch];

	if (!map_frame(d, ch)) {
		c->halted = true;
		return;
	}
	restart_clock(d, c);
	set_running(d, ch, true);
}

static void halt(struct es1370 *d, unsigned ch)
{
	d->ch[ch].halted = true;
	set_running(d, ch, false);
}

/* Starts or stops the channel as its registers now say. */
static void update_running(struct es1370 *d, unsigned ch)
{
	bool want = wants_run(d, ch);

	if (want && !d->ch[ch].running)
		start(d, ch);
	else if (!want && d->ch[ch].running)
		set_running(d, ch, false);
}

/* ---------------------------------------------------------------- moving samples */

/* Callbacks per channel in one call at most: a frame of a few samples with
 * a long counter period would otherwise mean thousands per call (each
 * frame wrap and each expiry is one piece). */
#define ES1370_PIECES_MAX	256

/* Counts k samples on the channel's sample counter; true if it expired. */
static bool count_samples(struct es1370_chan *c, uint64_t k)
{
	uint64_t left = (c->count >> CURR_SHIFT) + 1;	/* samples up to the expiry */
	uint32_t reload = reload_value(c), curr;

	if (k < left)
		curr = (uint32_t)(left - 1 - k);
	else
		curr = reload - (uint32_t)((k - left) % ((uint64_t)reload + 1));
	c->count = reload | curr << CURR_SHIFT;
	return k >= left;
}

static void expire(struct es1370 *d, unsigned ch)
{
	if (!(d->sctrl & ch_int_en[ch]))
		return;				/* interrupt enable 0 holds the bit clear */
	d->status |= ch_pending[ch];
	update_irq(d);
}

/* The samples up to the held expiry are taken: the newest `played since`
 * bytes are all that is left with the receiver (it takes in order). */
static void release(struct es1370 *d, unsigned ch)
{
	struct es1370_chan *c = &d->ch[ch];
	uint64_t out, since;

	if (!c->held)
		return;
	out = d->ops->unconsumed(d->ctx, (enum es1370_channel)ch);
	since = c->played - c->held_at;
	if (out > since && d->now_ns - c->held_since_ns < ES1370_HOLD_MAX_NS)
		return;
	if (out > since)
		d->held_timeouts++;
	c->held = false;
	expire(d, ch);
}

/* A DAC's counter expired: its interrupt, or held while a receiver has
 * not taken the samples yet (the claimed signalling, es1370.h). */
static void expire_or_hold(struct es1370 *d, unsigned ch)
{
	struct es1370_chan *c = &d->ch[ch];

	if (ch == ES1370_ADC || !d->ops->unconsumed || !(d->sctrl & ch_int_en[ch])) {
		expire(d, ch);
		return;
	}
	if (!c->held) {
		c->held = true;
		c->held_since_ns = d->now_ns;
		d->held_irqs++;
	}
	c->held_at = c->played;
	release(d, ch);
}

void es1370_signal(struct es1370 *d, uint64_t now_ns)
{
	if (now_ns > d->now_ns)
		d->now_ns = now_ns;
	for (unsigned ch = 0; ch < ES1370_ADC; ch++)
		release(d, ch);
}

/* How many of n samples to move in one piece: not past the frame's end, and
 * not past an expiry that will raise the interrupt (so what comes before it
 * is played first). */
static uint64_t piece(const struct es1370 *d, unsigned ch, uint64_t n)
{
	const struct es1370_chan *c = &d->ch[ch];
	uint64_t k = (frame_bytes(c) - c->pos) / sample_bytes(d, ch);

	if (n < k)
		k = n;
	if ((d->sctrl & ch_int_en[ch]) && !(d->status & ch_pending[ch])) {
		uint64_t left = (c->count >> CURR_SHIFT) + 1;

		if (left < k)
			k = left;
	}
	return k;
}

static void transfer(struct es1370 *d, unsigned ch, uint8_t *data, uint32_t len)
{
	if (ch != ES1370_ADC) {
		if (d->ops->play)
			d->ops->play(d->ctx, (enum es1370_channel)ch, data, len);
	} else if (d->ops->capture) {
		d->ops->capture(d->ctx, data, len);
	} else {
		/* No source: silence (unsigned 8-bit or signed 16-bit). */
		memset(data, ch_mode(d, ch) & ES_MODE_16BIT ? 0 : 0x80, len);
	}
}

static void move_pos(struct es1370 *d, unsigned ch, uint32_t bytes)
{
	struct es1370_chan *c = &d->ch[ch];
	uint32_t pos = c->pos + bytes;

	if (pos < frame_bytes(c)) {
		set_pos(c, pos);
		return;
	}
	set_pos(c, 0);
	if (d->sctrl & ch_loop_sel[ch])
		halt(d, ch);			/* stop mode: end of the frame */
}

/*
 * n samples of a running channel counted as moved without being played or
 * recorded: position and sample counter as if they had (stop mode still
 * halts at the frame's end). For a frame so short that moving them piece
 * by piece would take more than ES1370_PIECES_MAX callbacks in one call.
 */
static void skip(struct es1370 *d, unsigned ch, uint64_t n)
{
	struct es1370_chan *c = &d->ch[ch];
	uint32_t ss = sample_bytes(d, ch), fb = frame_bytes(c);

	d->skipped += n;
	while (n && c->running) {
		uint64_t k = (fb - c->pos) / ss;

		if (!(d->sctrl & ch_loop_sel[ch])) {
			/* Loop mode: the whole rest at once. */
			if (count_samples(c, n))
				expire(d, ch);
			set_pos(c, (uint32_t)((c->pos + (n % (fb / ss)) * ss) % fb));
			return;
		}
		if (n < k)
			k = n;
		if (count_samples(c, k))
			expire(d, ch);
		move_pos(d, ch, (uint32_t)(k * ss));
		n -= k;
	}
}

/* Moves n samples of a running channel, piece by piece, in order. */
static void move(struct es1370 *d, unsigned ch, uint64_t n)
{
	struct es1370_chan *c = &d->ch[ch];
	uint32_t ss = sample_bytes(d, ch);
	unsigned pieces = 0;

	while (n && c->running) {
		if (pieces++ == ES1370_PIECES_MAX) {
			skip(d, ch, n);
			return;
		}
		uint8_t *frame = map_frame(d, ch);
		uint64_t k;

		if (!frame) {
			halt(d, ch);
			return;
		}
		k = piece(d, ch, n);
		transfer(d, ch, frame + c->pos, (uint32_t)(k * ss));
		c->played += k * ss;
		n -= k;
		if (count_samples(c, k))
			expire_or_hold(d, ch);
		move_pos(d, ch, (uint32_t)(k * ss));
	}
}

static void run_channel(struct es1370 *d, unsigned ch)
{
	struct es1370_chan *c = &d->ch[ch];
	uint64_t n, bound;

	if (!c->running)
		return;
	n = samples_in(d->now_ns - c->start_ns, clock_div(d, ch)) - c->moved;
	bound = frame_bytes(c) / sample_bytes(d, ch) + reload_value(c) + 1;
	if (n > bound) {
		move(d, ch, bound);
		restart_clock(d, c);		/* fell behind: drop the rest */
		return;
	}
	move(d, ch, n);
	c->moved += n;
}

static void catch_up(struct es1370 *d, uint64_t now_ns)
{
	if (now_ns > d->now_ns)
		d->now_ns = now_ns;
	for (unsigned ch = 0; ch < ES1370_NCHANNELS; ch++)
		run_channel(d, ch);
}

/* When the channel's sample counter next expires with its interrupt
 * enabled; 0 if it does not run or that is beyond 2^64 ns. */
static uint64_t expiry_ns(const struct es1370 *d, unsigned ch)
{
	const struct es1370_chan *c = &d->ch[ch];
	uint32_t div = clock_div(d, ch);
	uint64_t k, t;

	if (!c->running || !(d->sctrl & ch_int_en[ch]))
		return 0;
	k = c->moved + (c->count >> CURR_SHIFT) + 1;
	if (k > (TB_NEVER - 1) / div)
		return 0;
	t = tb_ns(k * div, ES_1370_SRCLOCK);
	if (t == TB_NEVER || t > UINT64_MAX - c->start_ns)
		return 0;
	return c->start_ns + t;
}

uint64_t es1370_advance(struct es1370 *d, uint64_t now_ns)
{
	uint64_t next = 0;

	catch_up(d, now_ns);
	for (unsigned ch = 0; ch < ES1370_NCHANNELS; ch++) {
		uint64_t t = expiry_ns(d, ch);

		if (t && (!next || t < next))
			next = t;
	}
	return next;
}

/* ---------------------------------------------------------------- register writes */

static void write_control(struct es1370 *d, uint32_t v)
{
	uint32_t old = d->ctrl, div[ES1370_NCHANNELS];

	for (unsigned ch = 0; ch < ES1370_NCHANNELS; ch++)
		div[ch] = clock_div(d, ch);
	d->ctrl = v;
	for (unsigned ch = 0; ch < ES1370_NCHANNELS; ch++) {
		struct es1370_chan *c = &d->ch[ch];

		if (v & ~old & ch_enable[ch])
			reload_counter(c);
		if (!(v & ch_enable[ch]))
			c->halted = false;
		if (c->running && clock_div(d, ch) != div[ch])
			restart_clock(d, c);
		update_running(d, ch);
	}
}

static void write_serial(struct es1370 *d, uint32_t v)
{
	uint32_t old = d->sctrl;

	d->sctrl = v & SERIAL_MASK;
	for (unsigned ch = 0; ch < ES1370_NCHANNELS; ch++)
		if (!(d->sctrl & ch_int_en[ch]))
			d->status &= ~ch_pending[ch];
	update_irq(d);
	if (d->sctrl & ES_P1_SCT_RLD)
		reload_counter(&d->ch[ES1370_DAC1]);
	for (unsigned ch = 0; ch < ES1370_NCHANNELS; ch++) {
		struct es1370_chan *c = &d->ch[ch];

		if ((old ^ d->sctrl) >> ch_mode_shift[ch] & 3) {
			set_pos(c, c->pos & ~(sample_bytes(d, ch) - 1));
			if (c->running)
				restart_clock(d, c);
		}
		update_running(d, ch);
	}
}

static void write_codec(struct es1370 *d, uint32_t v)
{
	uint32_t reg = (v & ES_1370_CODEC_ADDR_MASK) >> ES_1370_CODEC_ADDR_SHIFT;

	d->codec_wr = (uint16_t)v;
	if (reg >= AK4531_NREGS) {
		report(d, ES1370_ERR_CODEC_REG, reg);
		return;
	}
	d->codec[reg] = (uint8_t)(v & ES_1370_CODEC_DATA_MASK);
}

static void write_uart(struct es1370 *d, uint32_t off, uint32_t v)
{
	if (off == ES_REG_UART_CONTROL)
		d->uart_ctrl = (uint8_t)v;
	else if (off == ES_REG_UART_RES)
		d->uart_res = (uint8_t)(v & ES_TEST_MODE);
	/* ES_REG_UART_DATA: no MIDI port, the byte is dropped. */
}

static void write_frame(struct es1370 *d, unsigned ch, uint32_t v)
{
	d->ch[ch].frame_addr = v;
	d->ch[ch].halted = false;
	update_running(d, ch);
}

static void write_size(struct es1370 *d, unsigned ch, uint32_t v)
{
	struct es1370_chan *c = &d->ch[ch];
	uint32_t size = v & ES_REG_FSIZE_MASK, word = v >> ES_REG_FCURR_COUNT_SHIFT;

	c->frame_size = size;
	set_pos(c, word > size ? 0 : word * 4);
	c->halted = false;
	update_running(d, ch);
}

/* The paged window (reg 0x30..0x3c, dword only). */
static void write_paged(struct es1370 *d, uint32_t reg, uint32_t v)
{
	if (d->mem_page == ES_PAGE_DAC) {
		unsigned ch = reg < ES_REG_DAC2_FRAME ? ES1370_DAC1 : ES1370_DAC2;

		if (reg & 4)
			write_size(d, ch, v);
		else
			write_frame(d, ch, v);
	} else if (d->mem_page == ES_PAGE_ADC) {
		if (reg == ES_REG_ADC_FRAME)
			write_frame(d, ES1370_ADC, v);
		else if (reg == ES_REG_ADC_SIZE)
			write_size(d, ES1370_ADC, v);
		else if (reg == ES_REG_PHANTOM_FRAME)
			d->phantom_frame = v;
		else
			d->phantom_count = v;
	}
	/* UART FIFO pages and the sample memory pages: not modelled. */
}

static void write_count(struct es1370 *d, uint32_t off, uint32_t v)
{
	struct es1370_chan *c = &d->ch[(off - ES_REG_DAC1_COUNT) / 4];

	if (off & 2)
		return;				/* the current count is read-only */
	c->count = (c->count & ~ES_REG_COUNT_MASK) | (v & ES_REG_COUNT_MASK);
}

/* ---------------------------------------------------------------- register reads */

static uint32_t read_status(const struct es1370 *d)
{
	uint32_t v = d->status | STATUS_VC;

	if (d->status & PENDING_MASK)
		v |= ES_INTR;
	return v;		/* the codec is never busy: CSTAT, CBUSY, CWRIP 0 */
}

static uint32_t read_paged(const struct es1370 *d, uint32_t reg)
{
	if (d->mem_page == ES_PAGE_DAC) {
		const struct es1370_chan *c =
			&d->ch[reg < ES_REG_DAC2_FRAME ? ES1370_DAC1 : ES1370_DAC2];

		return reg & 4 ? c->frame_size : (uint32_t)c->frame_addr;
	}
	if (d->mem_page == ES_PAGE_ADC) {
		if (reg == ES_REG_ADC_FRAME)
			return (uint32_t)d->ch[ES1370_ADC].frame_addr;
		if (reg == ES_REG_ADC_SIZE)
			return d->ch[ES1370_ADC].frame_size;
		return reg == ES_REG_PHANTOM_FRAME ? d->phantom_frame : d->phantom_count;
	}
	return 0;		/* UART FIFO: no valid byte; sample memory: not modelled */
}

/* The dword at reg (a multiple of 4), as far as the offset has one. */
static uint32_t read_reg(const struct es1370 *d, uint32_t reg)
{
	switch (reg) {
	case ES_REG_CONTROL:
		return d->ctrl;
	case ES_REG_STATUS:
		return read_status(d);
	case ES_REG_UART_DATA:	/* data 0 (nothing received), status, reserved */
		return (uint32_t)ES_TXRDY << 8 | (uint32_t)d->uart_res << 16;
	case ES_REG_MEM_PAGE:
		return d->mem_page;
	case ES_REG_1370_CODEC:
		return d->codec_wr;
	case ES_REG_SERIAL:
		return d->sctrl;
	case ES_REG_DAC1_COUNT:
	case ES_REG_DAC2_COUNT:
	case ES_REG_ADC_COUNT:
		return d->ch[(reg - ES_REG_DAC1_COUNT) / 4].count;
	default:
		return reg >= ES_REG_PAGED ? read_paged(d, reg) : 0xffffffffu;
	}
}

/* ---------------------------------------------------------------- access sizes */

#define SZ_B	1u
#define SZ_W	2u
#define SZ_D	4u

/* The sizes the dword at reg may be accessed with. */
static unsigned reg_sizes(uint32_t reg)
{
	switch (reg) {
	case ES_REG_STATUS:
		return SZ_D;
	case ES_REG_UART_DATA:
		return SZ_B;
	case ES_REG_1370_CODEC:
	case ES_REG_DAC1_COUNT:
	case ES_REG_DAC2_COUNT:
	case ES_REG_ADC_COUNT:
		return SZ_W | SZ_D;
	default:
		return reg >= ES_REG_PAGED ? SZ_D : SZ_B | SZ_W | SZ_D;
	}
}

static bool access_ok(uint32_t off, unsigned size)
{
	if ((size != 1 && size != 2 && size != 4) || off % size)
		return false;
	if (off == ES_REG_1370_CODEC + 2)
		return false;			/* the codec register is one word */
	return reg_sizes(off & ~3u) & size;
}

static uint32_t size_mask(unsigned size)
{
	return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

/* ---------------------------------------------------------------- entry points */

uint32_t es1370_io_read(struct es1370 *d, uint64_t now_ns, uint32_t off, unsigned size)
{
	if (off >= ES1370_IO_SIZE)
		return size_mask(size);
	catch_up(d, now_ns);
	if (!access_ok(off, size)) {
		report(d, ES1370_ERR_ACCESS_SIZE, (uint64_t)off << 8 | size);
		return size_mask(size);
	}
	return read_reg(d, off & ~3u) >> 8 * (off & 3) & size_mask(size);
}

static uint32_t merge(uint32_t old, uint32_t off, unsigned size, uint32_t v)
{
	unsigned shift = 8 * (off & 3);
	uint32_t mask = size_mask(size) << shift;

	return (old & ~mask) | (v << shift & mask);
}

void es1370_io_write(struct es1370 *d, uint64_t now_ns, uint32_t off, unsigned size,
		     uint32_t val)
{
	uint32_t reg = off & ~3u;

	if (off >= ES1370_IO_SIZE)
		return;
	catch_up(d, now_ns);
	if (!access_ok(off, size)) {
		report(d, ES1370_ERR_ACCESS_SIZE, (uint64_t)off << 8 | size);
		return;
	}
	val &= size_mask(size);
	switch (reg) {
	case ES_REG_CONTROL:
		write_control(d, merge(d->ctrl, off, size, val));
		break;
	case ES_REG_UART_DATA:
		write_uart(d, off, val);
		break;
	case ES_REG_MEM_PAGE:
		if (off == ES_REG_MEM_PAGE)
			d->mem_page = val & ES_MEM_PAGE_MASK;
		break;
	case ES_REG_1370_CODEC:
		write_codec(d, val);
		break;
	case ES_REG_SERIAL:
		write_serial(d, merge(d->sctrl, off, size, val));
		break;
	case ES_REG_DAC1_COUNT:
	case ES_REG_DAC2_COUNT:
	case ES_REG_ADC_COUNT:
		write_count(d, off, val);
		break;
	default:			/* STATUS is read-only; 0x14..0x1f: nothing */
		if (reg >= ES_REG_PAGED)
			write_paged(d, reg, val);
		break;
	}
}

void es1370_format(const struct es1370 *d, enum es1370_channel ch, struct es1370_format *f)
{
	unsigned c = (unsigned)ch, m;

	if (c >= ES1370_NCHANNELS) {
		memset(f, 0, sizeof(*f));
		return;
	}
	m = ch_mode(d, c);
	f->rate = ES_1370_SRCLOCK / clock_div(d, c);
	f->channels = m & ES_MODE_STEREO ? 2 : 1;
	f->bits = m & ES_MODE_16BIT ? 16 : 8;
}

void es1370_reset(struct es1370 *d)
{
	for (unsigned ch = 0; ch < ES1370_NCHANNELS; ch++)
		if (d->ch[ch].running)
			set_running(d, ch, false);
	d->status = 0;
	update_irq(d);
	memset(d->ch, 0, sizeof(d->ch));
	memset(d->codec, 0, sizeof(d->codec));
	d->ctrl = CTRL_POWER_ON;
	d->sctrl = 0;
	d->mem_page = 0;
	d->uart_ctrl = 0;
	d->uart_res = 0;
	d->codec_wr = 0;
	d->phantom_frame = 0;
	d->phantom_count = 0;
}

void es1370_init(struct es1370 *d, const struct es1370_ops *ops, void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops ? ops : &no_ops;
	d->ctx = ctx;
	es1370_reset(d);
}
