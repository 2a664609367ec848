/* SPDX-License-Identifier: MIT */
/*
 * Streams through an emulated Ensoniq ES1370 (guests/audio/README.md):
 *   role=play    [seed=S] [delay=MS] [hold=MS]  the test sequence out of DAC2
 *   role=tone    [freq=HZ] [amp=A] [delay=MS] [hold=MS]  a sine out of DAC2
 *   role=capture [seed=S] [start=MS] [join=1]  the ADC, checked against the sequence
 *   role=measure [start=MS]                the ADC: frequency and peak
 * common: [mode=irq|poll] [rate=HZ] [bits=8|16] [channels=1|2] [frame=BYTES]
 *         [samples=N] [timeout=MS] [tsc_mhz=N] [voice=ATT]
 *
 * join=1: the capture may begin anywhere in the sequence (a stream that
 * moves to it while it plays): its first sample says where (16-bit only),
 * printed as "from sequence sample K".
 * hold=MS: stay that long after the stream ended (what a card still holds
 * plays out). voice=ATT: the AK4531 voice volume register (0 the loudest,
 * 6 is 0 dB, the default; a physical card under Bochs scales by it).
 *
 * One frame of frame= bytes in our RAM, looped over by the card, its
 * sample counter at half the frame: each period end (interrupt, or the
 * STATUS bit in poll mode) means one half is done. A player then refills
 * that half with the next part of the stream (the whole frame is filled
 * before the start); it stops DAC2 after the period holding sample N
 * (samples past N are silence). A capturer reads that half: it skips
 * silent samples until the signal starts, then takes N samples from
 * there. The sequence and the tone are described in pattern.h.
 *
 * Exit status: 0 success; 1 a failure (timeout, mismatch, late refill, no
 * signal); -1 bad command line; -2 the card or the platform could not be
 * set up.
 */
#include <string.h>

#include "cmdline.h"
#include "es1370.h"
#include "guest.h"
#include "lib/fmt.h"
#include "lib/x86.h"
#include "pattern.h"
#include "pic.h"
#include "tsc.h"

#define NAME "audio"
#define EXIT_USAGE (-1)
#define EXIT_DEVICE (-2)
#define MAX_SAMPLES 100000000U
#define MAX_REPORTS 5
#define SLACK_MS 5000        /* default timeout beyond the expected duration */
#define PERIOD_SLACK_MS 2000 /* longest wait for one period end beyond its length */
#define START_MS 30000       /* default wait for the signal (capture, measure) */
#define HYSTERESIS 128       /* zero-crossing band, 16-bit units */

enum role { ROLE_PLAY, ROLE_TONE, ROLE_CAPTURE, ROLE_MEASURE, ROLE_BAD };

static const char *const role_names[] = {
	[ROLE_PLAY] = "play", [ROLE_TONE] = "tone",
	[ROLE_CAPTURE] = "capture", [ROLE_MEASURE] = "measure", [ROLE_BAD] = "bad",
};

struct opts {
	enum role role;
	enum es1370_mode mode;
	struct es1370_format fmt;
	uint32_t frame;      /* bytes */
	uint32_t period;     /* samples: half the frame */
	uint32_t sample_bytes;
	uint32_t samples;
	uint64_t seed;
	uint32_t freq, amp;  /* tone */
	uint64_t timeout_ms; /* 0: the default for the role */
	uint64_t start_ms, delay_ms, hold_ms;
	uint64_t voice;      /* AK4531 voice attenuation register (voice=) */
	bool voice_set;
	uint64_t join;       /* capture: from wherever the sequence is */
	uint64_t ram_mib;    /* bad: the guest's RAM (memory = in xtalk.ini) */
	char who[16];        /* "audio: play" */
};

static uint8_t frame_buf[ES1370_FRAME_MAX] __attribute__((aligned(4096)));
static struct es1370 dev;

/* ------------------------------------------------------------ command line */

static bool opt(const uint8_t *bp, const char *key, uint64_t def, uint64_t min, uint64_t max,
		uint64_t *out)
{
	uint64_t v = def;

	if (cmdline_get_u64(bp, key, &v) < 0 || v < min || v > max) {
		print(NAME ": bad %s= (a number from %lu to %lu)\n", key, (unsigned long)min,
		      (unsigned long)max);
		return false;
	}
	*out = v;
	return true;
}

static bool parse_role(const uint8_t *bp, struct opts *o)
{
	for (unsigned r = 0; r < sizeof(role_names) / sizeof(role_names[0]); r++) {
		if (cmdline_is(bp, "role", role_names[r])) {
			o->role = (enum role)r;
			return true;
		}
	}
	print(NAME ": role=play, role=tone, role=capture, role=measure or role=bad\n");
	return false;
}

static bool parse_mode(const uint8_t *bp, struct opts *o)
{
	if (!cmdline_get(bp, "mode") || cmdline_is(bp, "mode", "irq"))
		o->mode = ES1370_IRQ;
	else if (cmdline_is(bp, "mode", "poll"))
		o->mode = ES1370_POLL;
	else {
		print(NAME ": bad mode= (irq or poll)\n");
		return false;
	}
	return true;
}

static bool parse(const uint8_t *bp, struct opts *o)
{
	uint64_t rate, bits, channels, frame, samples, freq, amp, mhz;
	const char *why;

	if (!parse_role(bp, o) || !parse_mode(bp, o) ||
	    !opt(bp, "rate", 44100, ES1370_RATE_MIN, ES1370_RATE_MAX, &rate) ||
	    !opt(bp, "bits", 16, 8, 16, &bits) || !opt(bp, "channels", 2, 1, 2, &channels) ||
	    !opt(bp, "frame", 16384, ES1370_FRAME_MIN, ES1370_FRAME_MAX, &frame) ||
	    !opt(bp, "samples", 44100, 1, MAX_SAMPLES, &samples) ||
	    !opt(bp, "seed", 1, 0, UINT64_MAX, &o->seed) ||
	    !opt(bp, "freq", 1000, 1, rate / 2, &freq) || !opt(bp, "amp", 16384, 1, 32767, &amp) ||
	    !opt(bp, "timeout", 0, 0, 3600000, &o->timeout_ms) ||
	    !opt(bp, "start", START_MS, 1, 3600000, &o->start_ms) ||
	    !opt(bp, "delay", 0, 0, 3600000, &o->delay_ms) ||
	    !opt(bp, "hold", 0, 0, 3600000, &o->hold_ms) ||
	    !opt(bp, "voice", 0, 0, 0x9f, &o->voice) || !opt(bp, "join", 0, 0, 1, &o->join) ||
	    !opt(bp, "ram_mib", 16, 1, 4095, &o->ram_mib) ||
	    !opt(bp, "tsc_mhz", TSC_DEFAULT_MHZ, 1, 100000, &mhz))
		return false;
	o->voice_set = cmdline_get(bp, "voice") != NULL;
	o->fmt = (struct es1370_format){ (uint32_t)rate, (unsigned)bits, (unsigned)channels };
	if (es1370_check(&o->fmt, (uint32_t)frame, &why)) {
		print(NAME ": bad format: %s\n", why);
		return false;
	}
	tsc_set_mhz(mhz);
	o->frame = (uint32_t)frame;
	o->samples = (uint32_t)samples;
	o->freq = (uint32_t)freq;
	o->amp = (uint32_t)amp;
	o->sample_bytes = o->fmt.bits / 8 * o->fmt.channels;
	o->period = o->frame / 2 / o->sample_bytes;
	xt_snprintf(o->who, sizeof(o->who), NAME ": %s", role_names[o->role]);
	return true;
}

/* ------------------------------------------------------------ common */

static const char *format_name(const struct es1370_format *f)
{
	if (f->bits == 16)
		return f->channels == 2 ? "16-bit stereo" : "16-bit mono";
	return f->channels == 2 ? "8-bit stereo" : "8-bit mono";
}

static uint64_t ms_of(uint64_t samples, uint32_t rate)
{
	return (samples * 1000 + rate - 1) / rate;
}

static uint64_t elapsed_ms(uint64_t from, uint64_t to)
{
	return tsc_to_us(to - from) / 1000;
}

static void print_setup(const struct opts *o)
{
	uint32_t actual = es1370_actual_rate(o->fmt.rate);

	print("%s: %s at %u Hz (divider %u: %u Hz), frame %u bytes at 0x%lx, periods of %u "
	      "samples, mode %s\n",
	      o->who, format_name(&o->fmt), o->fmt.rate, es1370_divider(o->fmt.rate), actual,
	      o->frame, (unsigned long)(uintptr_t)frame_buf, o->period,
	      o->mode == ES1370_IRQ ? "irq" : "poll");
	if (o->role == ROLE_TONE)
		print("%s: %u Hz, amplitude %u\n", o->who, o->freq, o->amp);
	else if (o->role != ROLE_MEASURE)
		print("%s: sequence seed %lu (first state 0x%04x)\n", o->who,
		      (unsigned long)o->seed, seq_first_state(o->seed));
}

enum wait_result { WAIT_OK, WAIT_DEADLINE, WAIT_STALLED };

/* Wait for the end of period p (0-based) until deadline, and at most one
 * period and PERIOD_SLACK_MS from now: a card whose counter stopped is
 * reported at once (with its registers), a deadline is the caller's to
 * report. */
static enum wait_result wait_period(const struct opts *o, enum es1370_chan ch, uint64_t p,
				    uint64_t deadline)
{
	uint64_t wait_ms = ms_of(o->period, o->fmt.rate) + PERIOD_SLACK_MS;
	uint64_t limit = tsc_deadline_ms(wait_ms);
	bool stall_first = (int64_t)(limit - deadline) < 0;

	if (es1370_wait(&dev, ch, p, stall_first ? limit : deadline))
		return WAIT_OK;
	if (!stall_first)
		return WAIT_DEADLINE;
	print("%s: error: no period end within %lu ms (period %lu)\n", o->who,
	      (unsigned long)wait_ms, (unsigned long)p);
	es1370_dump(&dev, ch, o->who);
	return WAIT_STALLED;
}

/* Is the card in the half of the frame that was just worked on? */
static bool in_half(const struct opts *o, enum es1370_chan ch, uint64_t p)
{
	uint32_t pos = es1370_position(&dev, ch) % o->frame;

	return (pos >= o->frame / 2) == (p % 2 == 1);
}

/* ------------------------------------------------------------ play, tone */

struct source {
	const struct opts *o;
	struct seq seq;
	struct tone tone;
	uint64_t next; /* index of the next sample */
};

static void fill(struct source *src, uint8_t *dst, uint32_t samples)
{
	const struct opts *o = src->o;

	for (uint32_t i = 0; i < samples; i++, src->next++, dst += o->sample_bytes) {
		if (src->next >= o->samples)
			silence_fill(&o->fmt, dst, o->sample_bytes);
		else if (o->role == ROLE_TONE)
			tone_next(&src->tone, &o->fmt, dst);
		else
			seq_next(&src->seq, &o->fmt, dst);
	}
}

/* Play periods periods: after the end of period p, half p % 2 gets
 * period p + 2. Returns how many ended (periods unless a wait failed). */
static uint64_t play_loop(const struct opts *o, struct source *src, uint64_t periods,
			  uint64_t timeout, uint32_t *late, uint32_t *behind)
{
	struct es1370_stream *s = &dev.ch[ES1370_CH_DAC2];
	uint64_t deadline = s->start_tsc + tsc_from_us(timeout * 1000), p;
	enum wait_result w;

	for (p = 0; p < periods; p++) {
		w = wait_period(o, ES1370_CH_DAC2, p, deadline);
		if (w == WAIT_DEADLINE) {
			print("%s: error: timed out after %lu of %lu periods (timeout %lu ms)\n",
			      o->who, (unsigned long)p, (unsigned long)periods,
			      (unsigned long)timeout);
			es1370_dump(&dev, ES1370_CH_DAC2, o->who);
		}
		if (w != WAIT_OK)
			break;
		fill(src, frame_buf + (p % 2) * (o->frame / 2), o->period);
		barrier(); /* the samples are in memory before the card gets there */
		if (s->periods > p + 1)
			(*late)++;
		else if (in_half(o, ES1370_CH_DAC2, p))
			(*behind)++;
	}
	return p;
}

static long do_play(const struct opts *o)
{
	struct es1370_stream *s = &dev.ch[ES1370_CH_DAC2];
	uint64_t periods = (o->samples + o->period - 1) / o->period;
	uint64_t timeout = o->timeout_ms ? o->timeout_ms
					  : ms_of(periods * o->period, o->fmt.rate) + SLACK_MS;
	struct source src = { .o = o };
	uint32_t late = 0, behind = 0;
	uint64_t done, end;

	seq_init(&src.seq, o->seed);
	/* The card's own rate (an integer divider), so that the tone is freq Hz. */
	tone_init(&src.tone, o->freq, es1370_actual_rate(o->fmt.rate), o->amp);
	fill(&src, frame_buf, 2 * o->period);
	if (o->delay_ms)
		mdelay(o->delay_ms);
	if (es1370_start(&dev, ES1370_CH_DAC2, &o->fmt, frame_buf, o->frame))
		return EXIT_DEVICE;
	done = play_loop(o, &src, periods, timeout, &late, &behind);
	end = s->last_tsc;
	es1370_stop(&dev, ES1370_CH_DAC2);
	if (o->hold_ms)
		mdelay(o->hold_ms);
	if (done < periods)
		return 1;
	print("%s: %u samples at %u Hz %s in %lu ms (interrupts %lu)\n", o->who, o->samples,
	      o->fmt.rate, format_name(&o->fmt), (unsigned long)elapsed_ms(s->start_tsc, end),
	      (unsigned long)periods);
	if (behind)
		print("%s: warning: %u periods ended with DAC2 already in the half just refilled\n",
		      o->who, behind);
	if (late)
		print("%s: error: %u of %lu periods refilled late (DAC2 may have played stale "
		      "samples)\n",
		      o->who, late, (unsigned long)periods);
	return late ? 1 : 0;
}

/* ------------------------------------------------------------ capture, measure */

struct sink {
	const struct opts *o;
	bool started;
	uint64_t skipped, taken;
	/* capture */
	struct seq seq;
	uint64_t mismatches, first_bad;
	long joined;             /* join=1: the sequence sample it began at, -1 none */
	/* measure */
	int level;               /* -1 below the band, 1 above, 0 not yet either */
	uint64_t crossings, first_cross, last_cross;
	int32_t peak;
};

/* Which sample of the sequence has channel-0 word w (16-bit only: the LFSR
 * state is the word); -1 if none within one period of the LFSR. */
static long seq_index_of(uint64_t seed, uint16_t w)
{
	uint16_t s = seq_first_state(seed);

	for (long i = 0; i < 65535; i++, s = seq_step(s)) {
		if (s == w)
			return i;
	}
	return -1;
}

static void compare(struct sink *k, const uint8_t *got)
{
	const struct opts *o = k->o;
	uint8_t want[4];
	int digits = (int)(o->fmt.channels * o->fmt.bits / 4);

	seq_next(&k->seq, &o->fmt, want);
	if (!memcmp(got, want, o->sample_bytes))
		return;
	if (!k->mismatches++)
		k->first_bad = k->taken;
	if (k->mismatches > MAX_REPORTS)
		return;
	print("%s: mismatch at sample %lu: got 0x%0*x want 0x%0*x\n", o->who,
	      (unsigned long)k->taken, digits, sample_word(&o->fmt, got), digits,
	      sample_word(&o->fmt, want));
	if (k->mismatches == 1 && o->fmt.bits == 16) {
		long idx = seq_index_of(o->seed, (uint16_t)(got[0] | got[1] << 8));

		if (idx >= 0)
			print("%s: sample %lu holds sequence sample %ld (mod 65535)\n",
			      o->who, (unsigned long)k->taken, idx);
	}
}

/* The first sample's place in the sequence: compare from there on. */
static void join_sequence(struct sink *k, const uint8_t *p)
{
	const struct opts *o = k->o;

	k->joined = o->fmt.bits == 16 ? seq_index_of(o->seed, (uint16_t)(p[0] | p[1] << 8)) : -1;
	for (long i = 0; i < k->joined; i++)
		k->seq.s = seq_step(k->seq.s);
}

static void measure(struct sink *k, const uint8_t *p)
{
	const struct opts *o = k->o;
	int32_t v0 = sample_value(&o->fmt, p, 0);

	for (unsigned c = 0; c < o->fmt.channels; c++) {
		int32_t v = sample_value(&o->fmt, p, c);

		if (v < 0)
			v = -v;
		if (v > k->peak)
			k->peak = v;
	}
	if (v0 < -HYSTERESIS) {
		k->level = -1;
	} else if (v0 > HYSTERESIS) {
		if (k->level < 0) {
			if (!k->crossings++)
				k->first_cross = k->taken;
			k->last_cross = k->taken;
		}
		k->level = 1;
	}
}

static void take(struct sink *k, const uint8_t *half)
{
	const struct opts *o = k->o;

	for (uint32_t i = 0; i < o->period && k->taken < o->samples; i++) {
		const uint8_t *p = half + i * o->sample_bytes;

		if (!k->started) {
			if (sample_silent(&o->fmt, p)) {
				k->skipped++;
				continue;
			}
			k->started = true;
			if (o->role == ROLE_CAPTURE && o->join)
				join_sequence(k, p);
		}
		if (o->role == ROLE_CAPTURE)
			compare(k, p);
		else
			measure(k, p);
		k->taken++;
	}
}

static void report_capture(const struct sink *k, uint64_t ms, uint64_t periods)
{
	const struct opts *o = k->o;

	if (o->join)
		print("%s: joined the sequence at sample %ld\n", o->who, k->joined);
	if (k->taken == o->samples && !k->mismatches)
		print("%s: %u samples bit-exact (skipped %lu silent) in %lu ms (interrupts %lu)\n",
		      o->who, o->samples, (unsigned long)k->skipped, (unsigned long)ms,
		      (unsigned long)periods);
	else
		print("%s: %lu of %u samples checked, %lu mismatches (skipped %lu silent) in %lu "
		      "ms (interrupts %lu)\n",
		      o->who, (unsigned long)k->taken, o->samples, (unsigned long)k->mismatches,
		      (unsigned long)k->skipped, (unsigned long)ms, (unsigned long)periods);
	if (k->mismatches)
		print("%s: %lu mismatches, the first at sample %lu\n", o->who,
		      (unsigned long)k->mismatches, (unsigned long)k->first_bad);
}

static void report_measure(const struct sink *k, uint64_t ms, uint64_t periods)
{
	const struct opts *o = k->o;
	uint64_t rate = es1370_actual_rate(o->fmt.rate), hz = 0;
	uint64_t span = k->last_cross - k->first_cross;

	if (k->crossings >= 2 && span)
		hz = ((k->crossings - 1) * rate * 2 / span + 1) / 2;
	print("%s: %lu samples at %u Hz %s: frequency %lu Hz, peak %d (skipped %lu silent) in "
	      "%lu ms (interrupts %lu)\n",
	      o->who, (unsigned long)k->taken, o->fmt.rate, format_name(&o->fmt),
	      (unsigned long)hz, k->peak, (unsigned long)k->skipped, (unsigned long)ms,
	      (unsigned long)periods);
}

/* Take periods until the sink has o->samples: false when a wait failed. */
static bool capture_loop(const struct opts *o, struct sink *k, uint64_t timeout, uint64_t *p,
			 uint32_t *late)
{
	struct es1370_stream *s = &dev.ch[ES1370_CH_ADC];
	uint64_t deadline = s->start_tsc + tsc_from_us(o->start_ms * 1000);

	for (*p = 0; k->taken < o->samples; (*p)++) {
		bool started = k->started;
		enum wait_result w = wait_period(o, ES1370_CH_ADC, *p, deadline);

		if (w == WAIT_DEADLINE && !started)
			print("%s: error: no signal within %lu ms (%lu silent samples)\n", o->who,
			      (unsigned long)o->start_ms, (unsigned long)k->skipped);
		else if (w == WAIT_DEADLINE)
			print("%s: error: timed out after %lu of %u samples (timeout %lu ms)\n",
			      o->who, (unsigned long)k->taken, o->samples, (unsigned long)timeout);
		if (w == WAIT_DEADLINE)
			es1370_dump(&dev, ES1370_CH_ADC, o->who);
		if (w != WAIT_OK)
			return false;
		barrier(); /* the card wrote the half: read it anew */
		take(k, frame_buf + (*p % 2) * (o->frame / 2));
		if (!started && k->started)
			deadline = s->last_tsc + tsc_from_us(timeout * 1000);
		if (s->periods > *p + 1)
			(*late)++;
	}
	return true;
}

static long do_capture(const struct opts *o)
{
	struct es1370_stream *s = &dev.ch[ES1370_CH_ADC];
	uint64_t timeout = o->timeout_ms ? o->timeout_ms
					  : ms_of(o->samples + o->period, o->fmt.rate) + SLACK_MS;
	struct sink k = { .o = o, .joined = -1 };
	uint64_t periods, ms;
	uint32_t late = 0;
	bool ok;

	seq_init(&k.seq, o->seed);
	memset(frame_buf, 0xa5, o->frame); /* not silence: a card that writes nothing shows */
	if (o->delay_ms)
		mdelay(o->delay_ms);
	if (es1370_start(&dev, ES1370_CH_ADC, &o->fmt, frame_buf, o->frame))
		return EXIT_DEVICE;
	ok = capture_loop(o, &k, timeout, &periods, &late);
	ms = elapsed_ms(s->start_tsc, s->last_tsc);
	es1370_stop(&dev, ES1370_CH_ADC);
	if (late)
		print("%s: warning: %u periods read late (the ADC may have overwritten them)\n",
		      o->who, late);
	if (o->role == ROLE_CAPTURE)
		report_capture(&k, ms, periods);
	else
		report_measure(&k, ms, periods);
	return ok && k.taken == o->samples && !k.mismatches ? 0 : 1;
}

/* ------------------------------------------------------------ bad input */

/* DAC2's current frame word after ms with DAC2 enabled on a frame at gpa of
 * bytes (then disabled): a frame the card may not reach never moves. */
static uint32_t run_dac2_at(uint32_t gpa, uint32_t bytes, unsigned ms)
{
	uint32_t pos;

	outl((uint16_t)(dev.io + ES_REG_MEM_PAGE), ES_PAGE_DAC);
	outl((uint16_t)(dev.io + ES_REG_DAC2_FRAME), gpa);
	outl((uint16_t)(dev.io + ES_REG_DAC2_SIZE), bytes / 4 - 1);
	outl((uint16_t)(dev.io + ES_REG_DAC2_COUNT), 255);
	outl((uint16_t)(dev.io + ES_REG_CONTROL), dev.ctrl | ES_DAC2_EN);
	mdelay(ms);
	outl((uint16_t)(dev.io + ES_REG_MEM_PAGE), ES_PAGE_DAC);
	pos = inl((uint16_t)(dev.io + ES_REG_DAC2_SIZE)) >> 16;
	outl((uint16_t)(dev.io + ES_REG_CONTROL), dev.ctrl);
	return pos;
}

/*
 * role=bad: what a broken or hostile driver may do to the card (frames
 * outside RAM, crossing its end, on a device's MMIO; register accesses of
 * sizes the registers lack; a codec register that does not exist); then a
 * good frame, which must still play. The VMM counts each (the run
 * summary's es1370 bad input line); this guest only reports what it saw.
 */
static long do_bad(const struct opts *o)
{
	const uint32_t ram_end = (uint32_t)o->ram_mib << 20;
	uint32_t lapic, crossing, nicbar, good;
	struct es1370_format f = { 44100, 16, 2 };

	/* The card's registers in the DAC2 format the driver uses. */
	if (es1370_start(&dev, ES1370_CH_DAC2, &f, frame_buf, 4096))
		return EXIT_DEVICE;
	es1370_stop(&dev, ES1370_CH_DAC2);
	lapic = run_dac2_at(0xfee00000U, 4096, 20);
	crossing = run_dac2_at(ram_end - 4096, 16384, 20);
	nicbar = run_dac2_at(0xfeb80000U, 4096, 20);
	outw((uint16_t)(dev.io + ES_REG_STATUS), 0x1234);	/* STATUS: dword only */
	outb((uint16_t)(dev.io + ES_REG_DAC2_FRAME), 1);	/* paged window: dword only */
	(void)inw((uint16_t)(dev.io + ES_REG_DAC1_FRAME));
	outw((uint16_t)(dev.io + ES_REG_1370_CODEC), 0x1f << 8 | 0x55);	/* no register 0x1f */
	good = run_dac2_at((uint32_t)(uintptr_t)frame_buf, 4096, 20);
	print("%s: frame on the LAPIC page: word %u; crossing the end of RAM: word %u; on the "
	      "NIC's BAR: word %u; a good frame: word %u\n", o->who, lapic, crossing, nicbar, good);
	return !lapic && !crossing && !nicbar && good ? 0 : 1;
}

/* ------------------------------------------------------------ main */

long guest_main(const uint8_t *bp)
{
	struct opts o;
	long status;

	memset(&o, 0, sizeof(o));
	if (!parse(bp, &o))
		return EXIT_USAGE;
	idt_install();
	if (pic_init() || es1370_probe(&dev, o.mode))
		return EXIT_DEVICE;
	if (o.voice_set && es1370_set_voice(&dev, (uint8_t)o.voice))
		return EXIT_DEVICE;
	if (o.mode == ES1370_IRQ)
		irq_enable();
	print_setup(&o);
	if (o.role == ROLE_BAD)
		status = do_bad(&o);
	else if (o.role == ROLE_PLAY || o.role == ROLE_TONE)
		status = do_play(&o);
	else
		status = do_capture(&o);
	es1370_print_stats(&dev, NAME);
	return status;
}
