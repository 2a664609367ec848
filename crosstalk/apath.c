/* SPDX-License-Identifier: MIT */
/* The audio data path between guests' ES1370s: see apath.h. */
#include "crosstalk/apath.h"

#include <stddef.h>
#include <string.h>

#include "lib/xerrno.h"

#define ONE (1ULL << 32)	/* 1.0 in the resampler's 32.32 fixed point */

unsigned ap_frame_bytes(const struct es1370_format *f)
{
	if (!f || !f->rate || (f->channels != 1 && f->channels != 2) ||
	    (f->bits != 8 && f->bits != 16))
		return 0;
	return f->channels * f->bits / 8u;
}

static bool same_format(const struct es1370_format *a, const struct es1370_format *b)
{
	return a->rate == b->rate && a->channels == b->channels && a->bits == b->bits;
}

void ap_init(struct apath *ap, const struct apath_ops *ops)
{
	memset(ap, 0, sizeof(*ap));
	ap->ops = ops;
	for (unsigned p = 0; p < AP_MAX_PORTS; p++)
		ap->port[p].target = AP_NO_PORT;
}

int ap_add_port(struct apath *ap, unsigned p)
{
	if (p >= AP_MAX_PORTS || ap->port[p].present)
		return -XT_EINVAL;
	ap->port[p].present = true;
	ap->port[p].target = AP_NO_PORT;
	ap->port[p].filling = true;
	if (p >= ap->nports)
		ap->nports = p + 1;
	return 0;
}

/* What waits in a FIFO its ADC will not take (stopped, or another format): counted. */
static void fifo_flush(struct ap_port *P)
{
	P->st.flushed += P->len;
	P->len = P->head = 0;
	P->filling = true;
}

/* ---------------------------------------------------------- routing */

static int receiver_of(const struct apath *ap, unsigned p)
{
	if (!ap->port[p].dac_running)
		return AP_NO_PORT;
	for (unsigned q = 0; q < ap->nports; q++)
		if (q != p && ap->port[q].present && ap->port[q].adc_running &&
		    (!ap->ops || !ap->ops->coupled || ap->ops->coupled(ap->ops->ctx, p, q)))
			return (int)q;
	return AP_NO_PORT;
}

/* Every playing port's receiver, chosen again after any channel change. */
static void route_all(struct apath *ap)
{
	for (unsigned p = 0; p < ap->nports; p++) {
		struct ap_port *P = &ap->port[p];
		int t = receiver_of(ap, p);

		if (!P->present || t == P->target)
			continue;
		/* Starting to play is not a move; changing receivers while
		 * playing (or losing the last one) is. */
		if (P->dac_running && (P->target != AP_NO_PORT || P->st.played))
			P->st.moves++;
		P->target = t;
		memset(&P->rs, 0, sizeof(P->rs));
		if (P->dac_running && ap->ops && ap->ops->moved)
			ap->ops->moved(ap->ops->ctx, p, t);
	}
}

void ap_channel(struct apath *ap, unsigned p, enum es1370_channel ch, bool running,
		const struct es1370_format *f)
{
	struct ap_port *P;

	if (p >= ap->nports || !ap->port[p].present)
		return;
	P = &ap->port[p];
	/* DAC2 is the PCM stream a guest plays (Linux: the first PCM);
	 * DAC1 plays outside only (counted in ap_play). */
	if (ch == ES1370_DAC2) {
		P->dac_running = running;
		if (running && f)
			P->dac_fmt = *f;
	} else if (ch == ES1370_ADC) {
		if (running && f && (!P->adc_running || !same_format(&P->adc_fmt, f))) {
			/* What waits in the FIFO is in the old format. */
			fifo_flush(P);
			P->adc_fmt = *f;
		}
		P->adc_running = running;
		if (!running)
			fifo_flush(P);
	}
	route_all(ap);
}

void ap_port_reset(struct apath *ap, unsigned p)
{
	if (p >= ap->nports || !ap->port[p].present)
		return;
	ap->port[p].dac_running = false;
	ap->port[p].adc_running = false;
	fifo_flush(&ap->port[p]);
	route_all(ap);
}

/* ---------------------------------------------------------- samples */

/* One sample frame of f at src as 16-bit left/right. */
static void decode(const struct es1370_format *f, const uint8_t *src, int32_t out[2])
{
	for (unsigned c = 0; c < 2; c++) {
		unsigned k = f->channels == 2 ? c : 0;

		if (f->bits == 16)
			out[c] = (int16_t)(uint16_t)(src[2 * k] | src[2 * k + 1] << 8);
		else
			out[c] = ((int32_t)src[k] - 128) * 256;
	}
}

static void encode(const struct es1370_format *f, const int32_t in[2], uint8_t *dst)
{
	int32_t v[2] = { in[0], in[1] };

	if (f->channels == 1)
		v[0] = (in[0] + in[1]) / 2;
	for (unsigned c = 0; c < f->channels; c++) {
		int32_t s = v[c] < -32768 ? -32768 : v[c] > 32767 ? 32767 : v[c];

		if (f->bits == 16) {
			dst[2 * c] = (uint8_t)s;
			dst[2 * c + 1] = (uint8_t)((uint16_t)s >> 8);
		} else {
			dst[c] = (uint8_t)((s >> 8) + 128);
		}
	}
}

/* Room for n more bytes in q's FIFO; the newest are dropped (counted) if not. */
static bool fifo_put(struct ap_port *Q, const uint8_t *b, uint32_t n)
{
	uint32_t tail, first;

	if (AP_FIFO_BYTES - Q->len < n) {
		Q->st.overrun += n;
		return false;
	}
	tail = (Q->head + Q->len) % AP_FIFO_BYTES;
	first = AP_FIFO_BYTES - tail < n ? AP_FIFO_BYTES - tail : n;
	memcpy(Q->fifo + tail, b, first);
	memcpy(Q->fifo, b + first, n - first);
	Q->len += n;
	Q->st.received += n;
	return true;
}

/* One output frame of the conversion, interpolated between prev and cur. */
static void emit(struct ap_port *Q, const struct ap_resample *r)
{
	uint8_t out[4];
	int32_t v[2];
	int64_t frac = (int64_t)(r->pos >> 16);	/* 0..65535 */

	for (unsigned c = 0; c < 2; c++)
		v[c] = r->prev[c] + (int32_t)(((int64_t)(r->cur[c] - r->prev[c]) * frac) >> 16);
	encode(&Q->adc_fmt, v, out);
	fifo_put(Q, out, ap_frame_bytes(&Q->adc_fmt));
}

/*
 * Source frame s through P's resampler into Q's FIFO: output frames at
 * source positions 0, step, 2 step, ..., each interpolated between the two
 * source frames around it (prev, the one before s, and s); the newest
 * source frame waits for the next one.
 */
static void convert_frame(struct ap_port *P, struct ap_port *Q, const int32_t s[2])
{
	struct ap_resample *r = &P->rs;

	r->cur[0] = s[0];
	r->cur[1] = s[1];
	if (!r->primed) {
		r->primed = true;
		r->pos = 0;
		r->step = ((uint64_t)P->dac_fmt.rate << 32) / Q->adc_fmt.rate;
	} else {
		/* Bounded: the rates are at most 9x apart (ap_play), so at
		 * most 9 output frames per source frame. */
		while (r->pos < ONE) {
			emit(Q, r);
			r->pos += r->step;
		}
		r->pos -= ONE;
	}
	r->prev[0] = r->cur[0];
	r->prev[1] = r->cur[1];
}

void ap_play(struct apath *ap, unsigned p, enum es1370_channel ch, const uint8_t *data,
	     uint32_t len, const struct es1370_format *f)
{
	struct ap_port *P, *Q;
	unsigned fb, qb;

	if (p >= ap->nports || !ap->port[p].present || !data || !f)
		return;
	P = &ap->port[p];
	fb = ap_frame_bytes(f);
	if (!fb)
		return;
	len -= len % fb;
	P->st.played += len;
	if (P->target == AP_NO_PORT || ch != ES1370_DAC2) {
		/* No receiver, or DAC1 (not the guest's PCM stream). */
		P->st.outside += len;
		if (ch == ES1370_DAC2 && ap->ops && ap->ops->outside)
			P->st.card += ap->ops->outside(ap->ops->ctx, p, data, len, f);
		return;
	}
	Q = &ap->port[P->target];
	qb = ap_frame_bytes(&Q->adc_fmt);
	if (!qb || Q->adc_fmt.rate * 9ull < f->rate || f->rate * 9ull < Q->adc_fmt.rate) {
		P->st.outside += len;
		return;
	}
	P->st.sent += len;
	if (same_format(f, &Q->adc_fmt)) {
		fifo_put(Q, data, len);
		return;
	}
	P->st.converted += len;
	for (uint32_t o = 0; o < len; o += fb) {
		int32_t s[2];

		decode(f, data + o, s);
		convert_frame(P, Q, s);
	}
}

/* Whether a playing port sends to port q. */
static bool fed(const struct apath *ap, unsigned q)
{
	for (unsigned p = 0; p < ap->nports; p++)
		if (ap->port[p].target == (int)q)
			return true;
	return false;
}

void ap_capture(struct apath *ap, unsigned p, uint8_t *data, uint32_t len,
		const struct es1370_format *f)
{
	struct ap_port *Q;
	uint32_t take, first;
	unsigned fb;
	bool feeding;

	if (p >= ap->nports || !ap->port[p].present || !data || !f)
		return;
	Q = &ap->port[p];
	fb = ap_frame_bytes(f);
	feeding = fed(ap, p);
	/* The jitter buffer fills before the ADC takes from it, unless the
	 * stream that fills it ended (its last samples are all there is). */
	if (Q->filling && fb &&
	    (Q->len >= (uint64_t)f->rate * fb * AP_PREFILL_MS / 1000 || !feeding))
		Q->filling = false;
	take = Q->filling ? 0 : Q->len < len ? Q->len : len;
	if (fb)
		take -= take % fb;
	first = AP_FIFO_BYTES - Q->head < take ? AP_FIFO_BYTES - Q->head : take;
	memcpy(data, Q->fifo + Q->head, first);
	memcpy(data + first, Q->fifo, take - first);
	Q->head = (Q->head + take) % AP_FIFO_BYTES;
	Q->len -= take;
	/* Silence for the rest: 0 for signed 16-bit, 0x80 for unsigned 8-bit. */
	memset(data + take, f->bits == 8 ? 0x80 : 0, len - take);
	Q->st.captured += len;
	if (Q->filling) {
		Q->st.prefill += len - take;
	} else if (take < len && feeding) {
		Q->st.underrun += len - take;
		Q->filling = true;
	} else if (take < len) {
		/* Nobody plays to it (any more): the next stream fills first. */
		Q->st.idle += len - take;
		Q->filling = true;
	}
}

uint64_t ap_unconsumed(const struct apath *ap, unsigned p)
{
	const struct ap_port *P, *Q;
	unsigned pb, qb;

	if (p >= ap->nports || !ap->port[p].present || ap->port[p].target == AP_NO_PORT)
		return 0;
	P = &ap->port[p];
	Q = &ap->port[P->target];
	pb = ap_frame_bytes(&P->dac_fmt);
	qb = ap_frame_bytes(&Q->adc_fmt);
	if (!pb || !qb)
		return 0;
	/* Its frames in the FIFO, at the receiver's rate, as the player's. */
	return (uint64_t)(Q->len / qb) * P->dac_fmt.rate / Q->adc_fmt.rate * pb;
}
