/* SPDX-License-Identifier: MIT */
/*
 * The audio data path between guests' ES1370s (docs/audio.md): where a
 * guest's playback goes. Pure logic, host-tested, driven by the VMM's
 * glue (vmm/audio/sound.c) from the device model's callbacks.
 *
 * A port is one guest's sound card. When a port's DAC plays, its samples go
 * to the receiving port: the first port (lowest index) coupled with it
 * (ops->coupled: same audio bus or a [couple] link) whose ADC is running.
 * Without one the stream goes outside: ops->outside hands it to the
 * machine's own sound card (vmm/hw/physsnd.c), and what that does not take
 * (no card, or it plays another guest's stream) is counted as dropped. The
 * receiver is chosen again whenever a channel starts or stops anywhere, so
 * a stream moves between guests and the outside while it plays; each move
 * is counted and logged.
 *
 * Samples reach the receiver through its capture FIFO, in the receiver's
 * ADC format: the same format is copied byte for byte; another one is
 * converted (8-bit unsigned / 16-bit signed, mono / stereo, and the rate by
 * linear interpolation), never passed through as noise. The receiver's ADC
 * takes from the FIFO at its own rate. Both cards run on the TSC but are
 * advanced at different moments, so the FIFO is a jitter buffer: the ADC
 * records silence until AP_PREFILL_MS of samples are in (counted: prefill),
 * then takes them in order; if the FIFO runs dry anyway it records silence
 * (counted: underrun) and fills up again. A full FIFO drops the newest
 * samples (counted: overrun). Nothing is lost or added without a count.
 */
#ifndef XTALK_CROSSTALK_APATH_H
#define XTALK_CROSSTALK_APATH_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/es1370.h"

#define AP_MAX_PORTS	16
#define AP_FIFO_BYTES	(64u << 10)	/* per receiver: 370 ms of 44.1 kHz 16-bit stereo */
#define AP_NO_PORT	(-1)
#define AP_PREFILL_MS	20		/* the receiver's jitter buffer (see ap_capture) */

struct ap_stats {
	uint64_t played;	/* bytes its DACs played */
	uint64_t sent;		/* of those, bytes that went to a receiving guest */
	uint64_t outside;	/* of those, bytes with no receiving guest */
	uint64_t card;		/* of those, bytes the machine's sound card took (the rest:
				 * dropped, as are DAC1's and unconvertible streams) */
	uint64_t converted;	/* bytes sent through a format conversion */
	uint64_t received;	/* bytes put into its capture FIFO by senders */
	uint64_t captured;	/* bytes its ADC took */
	uint64_t idle;		/* of those, silence: no guest played to it */
	uint64_t prefill;	/* of those, silence while its FIFO filled up (stream start) */
	uint64_t underrun;	/* of those, silence: the FIFO ran dry mid-stream */
	uint64_t overrun;	/* bytes for it dropped: its FIFO was full */
	uint64_t flushed;	/* bytes for it dropped: in its FIFO when its ADC stopped
				 * or changed format (received = taken + flushed + in FIFO) */
	uint64_t moves;		/* its playback moved to another receiver or outside */
};

/* A stream's resampling state (rate conversion across calls). */
struct ap_resample {
	uint64_t step;		/* source frames per output frame, 32.32 fixed point */
	uint64_t pos;		/* position of the next output frame between prev and cur */
	int32_t prev[2], cur[2];/* the two source frames it lies between */
	bool primed;		/* prev holds a source frame */
};

struct ap_port {
	bool present;
	bool dac_running;			/* DAC1 or DAC2 plays */
	bool adc_running;
	struct es1370_format dac_fmt;		/* the playing DAC's format */
	struct es1370_format adc_fmt;
	int target;				/* receiving port, AP_NO_PORT: outside */
	struct ap_resample rs;			/* this port's playback towards target */
	uint8_t fifo[AP_FIFO_BYTES];		/* its capture FIFO (ADC format) */
	uint32_t head, len;
	bool filling;				/* silence until AP_PREFILL_MS are in */
	struct ap_stats st;
};

struct apath_ops {
	/* Whether ports a and b may hear each other. */
	bool (*coupled)(void *ctx, unsigned a, unsigned b);
	/* A stream moved: from's playback now goes to port to (AP_NO_PORT: outside). */
	void (*moved)(void *ctx, unsigned from, int to);
	/* Port p's DAC2 samples (format f) with no receiving guest: the bytes
	 * the machine's sound card took. NULL: none is. */
	uint32_t (*outside)(void *ctx, unsigned p, const uint8_t *data, uint32_t len,
			    const struct es1370_format *f);
	void *ctx;
};

struct apath {
	struct ap_port port[AP_MAX_PORTS];
	unsigned nports;
	const struct apath_ops *ops;
};

void ap_init(struct apath *ap, const struct apath_ops *ops);
/* Port number p is a guest with a sound card; 0 or -XT_EINVAL. */
int ap_add_port(struct apath *ap, unsigned p);

/* A channel of port p started (f: its format) or stopped. */
void ap_channel(struct apath *ap, unsigned p, enum es1370_channel ch, bool running,
		const struct es1370_format *f);
/* Port p's DAC ch played len bytes of format f (DAC1 always goes outside). */
void ap_play(struct apath *ap, unsigned p, enum es1370_channel ch, const uint8_t *data,
	     uint32_t len, const struct es1370_format *f);
/* Port p's ADC takes len bytes of format f: filled from its FIFO, silence after. */
void ap_capture(struct apath *ap, unsigned p, uint8_t *data, uint32_t len,
		const struct es1370_format *f);
/* Port p's card was reset or its guest stopped: its channels stop, its FIFO empties. */
void ap_port_reset(struct apath *ap, unsigned p);

/* Bytes of port p's DAC2 playback its receiving guest has not taken yet
 * (in its capture FIFO), in p's format; 0 when it plays outside. For the
 * claimed signalling (devices/es1370.h, ops->unconsumed). */
uint64_t ap_unconsumed(const struct apath *ap, unsigned p);

/* Bytes per sample frame of f (channels * bits / 8), 0 for a format the codec lacks. */
unsigned ap_frame_bytes(const struct es1370_format *f);

#endif
