/* SPDX-License-Identifier: MIT */
/* A guest's ES1370 and the audio path between guests: see sound.h. */
#include "vmm/audio/sound.h"

#include "crosstalk/apath.h"
#include "devices/es1370.h"
#include "devices/es1370_regs.h"
#include "devices/pci.h"
#include "ept/gmem.h"
#include "firmware/fw_config.h"
#include "lib/xerrno.h"
#include "vmm/arch/x86.h"
#include "vmm/core/console.h"
#include "vmm/core/palloc.h"
#include "vmm/guest/irq.h"
#include "vmm/hw/physsnd.h"
#include "vmm/io/bus.h"
#include "vmm/io/platform.h"

#define PCI_CLASS_MULTIMEDIA_AUDIO 0x040100
#define CARD_PAGES ((sizeof(struct es1370) + PAGE_SIZE - 1) / PAGE_SIZE)
#define PATH_PAGES ((sizeof(struct apath) + PAGE_SIZE - 1) / PAGE_SIZE)

static const struct xt_config *config;
static struct apath *path;
static uint64_t ns_mult;	/* ns = tsc * ns_mult >> 32 */
static uint64_t tsc_mult;	/* tsc = ns * tsc_mult >> 32 */
static struct guest *port_guest[AP_MAX_PORTS];
static unsigned nports;
/* Channel starts and stops, and stream moves, logged per card; then counted
 * only (a guest toggling its channels must not flood the console). */
#define LOG_EVENTS 32
static unsigned logged[AP_MAX_PORTS];
/* The machine's own ES1370: where a stream nobody captures plays. */
static struct physsnd_pci card_pci;
static struct physsnd card;
static bool card_present;
static uint64_t card_busy[AP_MAX_PORTS];	/* bytes refused: it played another's */
#define CARD_POLL_NS 10000000ull		/* while it plays, at least this often */
#define DRAIN_SLACK_NS 300000000ull		/* sound_drain: beyond what is in the ring */

static bool log_event(unsigned port)
{
	if (port >= AP_MAX_PORTS || logged[port] > LOG_EVENTS)
		return false;
	if (++logged[port] <= LOG_EVENTS)
		return true;
	xt_info("audio: '%s': further channel starts, stops and stream moves are not logged "
		"(moves are counted)", port_guest[port] ? port_guest[port]->name : "?");
	return false;
}

static uint64_t now_ns(void)
{
	return (uint64_t)(((unsigned __int128)rdtsc() * ns_mult) >> 32);
}

static uint64_t ns_to_tsc(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * tsc_mult) >> 32);
}

static unsigned pic_irq(void)
{
	return fw_pci_pic_irq(PLATFORM_SOUND_SLOT, FW_PCI_INTA);
}

/* ---------------------------------------------------------- coupling */

static bool ports_coupled(void *ctx, unsigned a, unsigned b)
{
	(void)ctx;
	if (a >= nports || b >= nports || !port_guest[a] || !port_guest[b])
		return false;
	return xt_guests_audio_coupled(config, port_guest[a]->boot->cfg_index,
				       port_guest[b]->boot->cfg_index);
}

static void stream_moved(void *ctx, unsigned from, int to)
{
	(void)ctx;
	if (from >= nports || !port_guest[from] || !log_event(from))
		return;
	if (to >= 0 && (unsigned)to < nports && port_guest[to])
		xt_info("audio: '%s' plays to '%s' (shared stream, copied)",
			port_guest[from]->name, port_guest[to]->name);
	else if (card_present)
		xt_info("audio: '%s' plays outside (the machine's sound card)",
			port_guest[from]->name);
	else
		xt_info("audio: '%s' plays outside (no physical sound card: dropped, counted)",
			port_guest[from]->name);
	if (to >= 0)
		physsnd_close(&card, (int)from);	/* what it has there still plays */
}

/* ---------------------------------------------------------- the machine's card */

static uint32_t pclkdiv_of(const struct es1370 *d)
{
	return (d->ctrl & ES_1370_PCLKDIV_MASK) >> ES_1370_PCLKDIV_SHIFT;
}

/* Port p's samples for the outside: on the machine's card if it is free or
 * already p's; the guest's own AK4531 volumes go with them. */
static uint32_t to_card(void *ctx, unsigned p, const uint8_t *data, uint32_t len,
			const struct es1370_format *f)
{
	const struct es1370 *d;
	int rc;

	(void)ctx;
	if (!card_present || p >= nports || !port_guest[p])
		return 0;
	d = port_guest[p]->snd;
	if (card.owner != (int)p || card.draining || card.fmt.bits != f->bits ||
	    card.fmt.channels != f->channels || card.pclkdiv != pclkdiv_of(d)) {
		rc = physsnd_open(&card, (int)p, f, pclkdiv_of(d), d->codec);
		if (rc == -XT_EBUSY) {
			if (!card_busy[p] && log_event(p))
				xt_info("audio: '%s' plays outside while the machine's sound card "
					"plays '%s': dropped, counted", port_guest[p]->name,
					port_guest[card.owner]->name);
			card_busy[p] += len;
			return 0;
		}
		if (rc)
			return 0;
	}
	physsnd_volume(&card, (int)p, d->codec);
	return physsnd_write(&card, (int)p, data, len);
}

static void probe_card(uint64_t tsc_hz)
{
	void *ring;
	int rc;

	if (physsnd_pci_probe(&card_pci, tsc_hz)) {
		xt_info("audio: no physical ES1370: a stream no guest captures is dropped (counted)");
		return;
	}
	ring = pages_alloc_contig(PHYSSND_RING_BYTES / PAGE_SIZE);
	rc = ring ? physsnd_init(&card, &card_pci.ops, ring, virt_to_phys(ring),
				 PHYSSND_RING_BYTES)
		  : -XT_ENOMEM;
	if (rc) {
		xt_warn("audio: the machine's ES1370 at %02x:%02x.%u is not used (%s)",
			card_pci.bus, card_pci.dev, card_pci.fn, xt_strerror(rc));
		return;
	}
	card_present = true;
	xt_info("audio: the machine's ES1370 at %02x:%02x.%u (I/O 0x%x) plays the streams no "
		"guest captures", card_pci.bus, card_pci.dev, card_pci.fn, card_pci.io);
}

static const struct apath_ops path_ops = {
	.coupled = ports_coupled, .moved = stream_moved, .outside = to_card,
};

static uint64_t card_tsc_hz;

void sound_init(const struct xt_config *cfg, uint64_t tsc_hz)
{
	config = cfg;
	card_tsc_hz = tsc_hz;
	tsc_mult = ((tsc_hz / 1000) << 32) / 1000000; /* tsc_hz / 1000 < 2^32 */
	ns_mult = tsc_hz ? (1000000000ULL << 32) / tsc_hz : 0;
}

/* ---------------------------------------------------------- the card's ops */

/* Channel frames are guest RAM only, and only while bus mastering is on. */
static void *snd_dma(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	struct guest *g = ctx;
	void *p = NULL;

	if (!pci_func_bus_master(&g->pci_snd))
		return NULL;
	return gmem_map(&g->mem, gpa, len, write ? GMEM_DMA_WRITE : GMEM_READ, &p) ? NULL : p;
}

static void snd_set_irq(void *ctx, bool level)
{
	struct guest *g = ctx;

	pci_func_set_intx_status(&g->pci_snd, level);
	irq_pci_line(g, pic_irq(), fw_pci_gsi(PLATFORM_SOUND_SLOT, FW_PCI_INTA),
		     level && !pci_func_intx_disabled(&g->pci_snd));
}

static const char *const chan_name[ES1370_NCHANNELS] = { "DAC1", "DAC2", "ADC" };

static void snd_channel(void *ctx, enum es1370_channel ch, bool running)
{
	struct guest *g = ctx;
	struct es1370_format f;

	es1370_format(g->snd, ch, &f);
	if ((unsigned)ch < ES1370_NCHANNELS && log_event((unsigned)g->snd_port))
		xt_info("audio: '%s': %s %s (%u Hz, %u-bit, %s)", g->name, chan_name[ch],
			running ? "started" : "stopped", f.rate, f.bits,
			f.channels == 2 ? "stereo" : "mono");
	ap_channel(path, (unsigned)g->snd_port, ch, running, &f);
	if (ch == ES1370_DAC2 && !running)
		physsnd_close(&card, g->snd_port);	/* what it has there still plays */
}

static void snd_play(void *ctx, enum es1370_channel ch, const uint8_t *data, uint32_t len)
{
	struct guest *g = ctx;
	struct es1370_format f;

	es1370_format(g->snd, ch, &f);
	ap_play(path, (unsigned)g->snd_port, ch, data, len, &f);
}

static void snd_capture(void *ctx, uint8_t *data, uint32_t len)
{
	struct guest *g = ctx;
	struct es1370_format f;

	es1370_format(g->snd, ES1370_ADC, &f);
	ap_capture(path, (unsigned)g->snd_port, data, len, &f);
}

static const char *const err_name[ES1370_ERR_COUNT] = {
	"a channel frame outside its RAM", "a register accessed with a size it lacks",
	"an AK4531 register that does not exist",
};

static void snd_error(void *ctx, enum es1370_err e, uint64_t detail)
{
	struct guest *g = ctx;

	if ((unsigned)e < ES1370_ERR_COUNT && g->snd->errors[e] == 1)
		xt_warn("guest '%s': es1370: %s (0x%llx); counted from now on", g->name,
			err_name[e], (unsigned long long)detail);
}

/* The claimed signalling: DAC2's playback its receiver has not taken. */
static uint64_t snd_unconsumed(void *ctx, enum es1370_channel ch)
{
	struct guest *g = ctx;

	return ch == ES1370_DAC2 ? ap_unconsumed(path, (unsigned)g->snd_port) : 0;
}

static const struct es1370_ops snd_ops = {
	.dma_map = snd_dma,
	.set_irq = snd_set_irq,
	.channel = snd_channel,
	.play = snd_play,
	.capture = snd_capture,
	.error = snd_error,
	.unconsumed = snd_unconsumed,
};

/* ---------------------------------------------------------- its BAR */

static uint64_t advance_all(uint64_t now);

/*
 * Every card moves what it is due before one of them is accessed: a
 * capturing guest's ADC takes from its FIFO what the players' DACs put
 * there up to the same moment (the FIFO's jitter buffer covers only what
 * the scheduler's own polling leaves in between).
 */
static int bar0_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	uint64_t now = now_ns();

	(void)g;
	advance_all(now);
	*val = size <= 4 ? es1370_io_read(dev, now, (uint32_t)off, size) : ~0ULL;
	return 0;
}

static int bar0_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	uint64_t now = now_ns();

	(void)g;
	advance_all(now);
	if (size <= 4)
		es1370_io_write(dev, now, (uint32_t)off, size, (uint32_t)val);
	return 0;
}

/* A guest may move its BAR within the I/O window, never onto another device. */
static bool snd_bar_allowed(void *ctx, unsigned bar, uint32_t base, uint32_t size)
{
	struct guest *g = ctx;

	if (bar != 0 || base < PLATFORM_IO_WINDOW_BASE ||
	    (uint64_t)base + size > PLATFORM_IO_WINDOW_END)
		return false;
	return !io_overlaps(g, IO_SPACE_PORT, base, size, g->snd_io);
}

static void snd_bar_update(void *ctx, unsigned bar, bool enabled, uint32_t base, uint32_t size)
{
	struct guest *g = ctx;

	(void)bar;
	(void)size;
	io_update(g, (unsigned)g->snd_io, enabled, base);
}

static void setup_pci_function(struct guest *g)
{
	struct pci_func *f = &g->pci_snd;

	pci_func_init(f, PLATFORM_SOUND_SLOT, ES1370_VENDOR, ES1370_DEVICE,
		      PCI_CLASS_MULTIMEDIA_AUDIO, 0);
	pci_func_set_subsystem(f, ES1370_VENDOR, ES1370_DEVICE);
	pci_func_add_bar(f, 0, true, ES1370_IO_SIZE, PLATFORM_SOUND_BAR0);
	pci_func_set_intx(f, 1, pic_irq());
	f->bar_update = snd_bar_update;
	f->bar_allowed = snd_bar_allowed;
	f->ctx = g;
	/* As firmware leaves it: decoding and bus mastering on. */
	pci_func_set_command(f, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
}

int sound_create(struct guest *g)
{
	const struct io_range bar0 = {
		.space = IO_SPACE_PORT, .base = PLATFORM_SOUND_BAR0, .size = ES1370_IO_SIZE,
		.enabled = true, .read = bar0_read, .write = bar0_write,
	};
	struct io_range r = bar0;
	int rc;

	if (!g->cfg->audio[0])
		return 0;
	if (!path) {
		path = pages_alloc_contig(PATH_PAGES);
		if (!path)
			return -XT_ENOMEM;
		ap_init(path, &path_ops);
		probe_card(card_tsc_hz);
	}
	if (nports >= AP_MAX_PORTS)
		return -XT_ENOSPC;
	g->snd = pages_alloc_contig(CARD_PAGES);
	if (!g->snd)
		return -XT_ENOMEM;
	es1370_init(g->snd, &snd_ops, g);
	setup_pci_function(g);
	rc = pci_bus_add(&g->pci, &g->pci_snd);
	if (rc)
		return rc;
	r.dev = g->snd;
	g->snd_io = io_register(g, &r);
	if (g->snd_io < 0)
		return g->snd_io;
	pic_set_elcr(&g->pic, pic_irq(), true);
	g->snd_port = (int)nports;
	port_guest[nports] = g;
	rc = ap_add_port(path, nports++);
	if (!rc)
		xt_info("guest '%s': ES1370 sound card at 00:%02x.0, audio bus '%s'", g->name,
			PLATFORM_SOUND_SLOT, g->cfg->audio);
	return rc;
}

void sound_restart(struct guest *g)
{
	if (!g->snd)
		return;
	es1370_reset(g->snd);
	ap_port_reset(path, (unsigned)g->snd_port);
	physsnd_close(&card, g->snd_port);
	setup_pci_function(g);
	io_update(g, (unsigned)g->snd_io, true, PLATFORM_SOUND_BAR0);
	pic_set_elcr(&g->pic, pic_irq(), true);
	snd_set_irq(g, false);
}

void sound_guest_stopped(struct guest *g)
{
	if (!g->snd)
		return;
	es1370_reset(g->snd);
	ap_port_reset(path, (unsigned)g->snd_port);
	physsnd_close(&card, g->snd_port);
}

/* The players first, so that their samples are in before anyone captures. */
static uint64_t advance_all(uint64_t now)
{
	uint64_t next = 0;

	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned p = 0; p < nports; p++) {
			struct guest *g = port_guest[p];
			uint64_t t;

			if (!g || g->vcpu.state == VCPU_STOPPED ||
			    (pass == 0) != path->port[p].dac_running)
				continue;
			t = es1370_advance(g->snd, now);
			if (t && (!next || t < next))
				next = t;
		}
	/* The capturers took theirs: the players' held interrupts may go. */
	for (unsigned p = 0; p < nports; p++)
		if (port_guest[p] && port_guest[p]->vcpu.state != VCPU_STOPPED &&
		    path->port[p].dac_running)
			es1370_signal(port_guest[p]->snd, now);
	return next;
}

uint64_t sound_poll_timers(void)
{
	uint64_t now, next;

	if (!nports)
		return 0;
	now = now_ns();
	next = advance_all(now);
	/* While the machine's card plays, come back soon: it is polled. */
	if (card_present && physsnd_poll(&card) && (!next || next > now + CARD_POLL_NS))
		next = now + CARD_POLL_NS;
	return next ? ns_to_tsc(next) : 0;
}

void sound_drain(void)
{
	uint64_t bps, end;

	if (!card_present || card.owner == PHYSSND_NO_OWNER)
		return;
	physsnd_close(&card, card.owner);
	bps = (uint64_t)card.fmt.rate * card.fmt.channels * card.fmt.bits / 8;
	end = now_ns() + (card.wr - card.rd) * 1000000000ull / (bps ? bps : 1) + DRAIN_SLACK_NS;
	while (physsnd_poll(&card) && now_ns() < end)
		cpu_relax();
	physsnd_stop(&card);		/* counted as cut if the card did not keep up */
}

void sound_print_machine(void)
{
	const struct physsnd_stats *c = &card.st;
	uint64_t busy = 0;

	if (!card_present)
		return;
	for (unsigned p = 0; p < nports; p++)
		busy += card_busy[p];
	xt_info("audio: the machine's ES1370: streams %llu, took %llu bytes, played %llu (silence "
		"%llu), overrun %llu, cut %llu, refused while busy %llu, codec timeouts %llu",
		(unsigned long long)c->streams, (unsigned long long)c->taken,
		(unsigned long long)c->played, (unsigned long long)c->silence,
		(unsigned long long)c->overrun, (unsigned long long)c->cut,
		(unsigned long long)busy, (unsigned long long)c->codec_timeouts);
}

void sound_print_guest(const struct guest *g)
{
	const struct ap_stats *s;
	const struct es1370 *d = g->snd;

	if (!d)
		return;
	s = &path->port[g->snd_port].st;
	xt_info("guest %s: audio: played %llu bytes (to guests %llu, converted %llu, outside "
		"%llu: sound card %llu, dropped %llu), moves %llu; captured %llu bytes (from guests "
		"%llu; silence: nobody playing %llu, filling %llu, run dry %llu; overrun %llu, "
		"flushed %llu)", g->name,
		(unsigned long long)s->played, (unsigned long long)s->sent,
		(unsigned long long)s->converted, (unsigned long long)s->outside,
		(unsigned long long)s->card, (unsigned long long)(s->outside - s->card),
		(unsigned long long)s->moves, (unsigned long long)s->captured,
		(unsigned long long)s->received, (unsigned long long)s->idle,
		(unsigned long long)s->prefill,
		(unsigned long long)s->underrun, (unsigned long long)s->overrun,
		(unsigned long long)s->flushed);
	xt_info("guest %s: es1370: interrupts %llu (held until the capture took the samples %llu, "
		"released after %u ms instead %llu); bad input: frames outside RAM %llu, access "
		"sizes %llu, codec registers %llu", g->name, (unsigned long long)d->irqs,
		(unsigned long long)d->held_irqs, (unsigned)(ES1370_HOLD_MAX_NS / 1000000),
		(unsigned long long)d->held_timeouts,
		(unsigned long long)d->errors[ES1370_ERR_FRAME_DMA],
		(unsigned long long)d->errors[ES1370_ERR_ACCESS_SIZE],
		(unsigned long long)d->errors[ES1370_ERR_CODEC_REG]);
}
