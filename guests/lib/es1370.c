/* SPDX-License-Identifier: MIT */
/* The ES1370 driver (see es1370.h); register use as in Linux's sound/pci/ens1370.c. */
#include "es1370.h"

#include "guest.h"
#include "pic.h"
#include "pit.h"
#include "tsc.h"

#define ES1370_CLASS_AUDIO 0x0401   /* multimedia, audio (class code bits 23:8) */
#define CODEC_TIMEOUT_MS 100        /* STATUS.CSTAT busy (Linux waits HZ / 10) */
#define CODEC_RESET_US 100
#define POLL_US 50                  /* STATUS read interval in poll mode */
#define BOOT_RATE 8000              /* divider before a stream sets one, as Linux */

static bool probed;
/* The phantom frame Linux gives the ES1370 (a DMA erratum workaround). */
static uint8_t phantom[16] __attribute__((aligned(64)));

static const struct {
	uint32_t en;        /* CONTROL: channel enable */
	uint32_t int_en;    /* SERIAL: interrupt enable (acknowledge) */
	uint32_t status;    /* STATUS: counter expired */
	uint32_t page;      /* MEM_PAGE for the frame registers */
	uint8_t frame, size, count;
	const char *name;
} chans[ES1370_NCH] = {
	[ES1370_CH_DAC2] = { ES_DAC2_EN, ES_P2_INT_EN, ES_DAC2, ES_PAGE_DAC, ES_REG_DAC2_FRAME,
			     ES_REG_DAC2_SIZE, ES_REG_DAC2_COUNT, "DAC2" },
	[ES1370_CH_ADC] = { ES_ADC_EN, ES_R1_INT_EN, ES_ADC, ES_PAGE_ADC, ES_REG_ADC_FRAME,
			    ES_REG_ADC_SIZE, ES_REG_ADC_COUNT, "ADC" },
};

static uint32_t rd(const struct es1370 *d, uint8_t reg)
{
	return inl((uint16_t)(d->io + reg));
}

static void wr(const struct es1370 *d, uint8_t reg, uint32_t v)
{
	outl((uint16_t)(d->io + reg), v);
}

static bool irqs_enabled(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags)::"memory");
	return flags & X86_RFLAGS_IF;
}

/* CONTROL and SERIAL are shared with the handler: change them with
 * interrupts off. */
static bool lock(void)
{
	bool was_on = irqs_enabled();

	irq_disable();
	return was_on;
}

static void unlock(bool was_on)
{
	if (was_on)
		irq_enable();
}

uint32_t es1370_divider(uint32_t rate)
{
	return ES_1370_SRTODIV(rate);
}

uint32_t es1370_actual_rate(uint32_t rate)
{
	return ES_1370_SRCLOCK / (es1370_divider(rate) + 2);
}

/* ------------------------------------------------------------ interrupts */

/* Account and acknowledge the channel interrupts in a STATUS value (with
 * interrupts off); false if there was none. */
static bool service(struct es1370 *d, uint32_t status)
{
	uint32_t ack = 0;
	uint64_t now = rdtsc();

	for (unsigned c = 0; c < ES1370_NCH; c++) {
		if (!(status & chans[c].status))
			continue;
		ack |= chans[c].int_en;
		d->ch[c].periods++;
		d->ch[c].last_tsc = now;
	}
	if (status & ES_DAC1)
		ack |= ES_P1_INT_EN;
	if (!ack)
		return false;
	d->status_log |= status;
	wr(d, ES_REG_SERIAL, d->sctrl & ~ack);
	wr(d, ES_REG_SERIAL, d->sctrl);
	return true;
}

static void es1370_isr(unsigned irq, void *ctx)
{
	struct es1370 *d = ctx;
	uint32_t status = rd(d, ES_REG_STATUS);

	(void)irq;
	d->irqs++;
	if (!(status & ES_INTR) || !service(d, status))
		d->irq_none++;
}

static void poll_status(struct es1370 *d)
{
	bool was_on = lock();

	d->polls++;
	service(d, rd(d, ES_REG_STATUS));
	unlock(was_on);
}

bool es1370_wait(struct es1370 *d, enum es1370_chan ch, uint64_t seen, uint64_t deadline)
{
	struct es1370_stream *s = &d->ch[ch];

	for (;;) {
		uint64_t now;

		if (d->mode == ES1370_POLL)
			poll_status(d);
		if (s->periods > seen)
			return true;
		now = rdtsc();
		if ((int64_t)(now - deadline) >= 0)
			return false;
		if (d->mode == ES1370_POLL) {
			udelay(POLL_US);
			continue;
		}
		/* cli; check; sti; hlt: an interrupt after the check ends the HLT. */
		irq_disable();
		if (s->periods <= seen) {
			if (d->wake_timer)
				pit_arm_us(tsc_to_us(deadline - now) + 1);
			d->sleeps++;
			irq_enable_and_halt();
			irq_disable();
		}
		irq_enable();
	}
}

/* ------------------------------------------------------------ probe */

static int pci_setup(struct es1370 *d)
{
	struct pci_bar bar0;
	uint32_t class;
	uint16_t cmd;

	if (!pci_find(ES1370_VENDOR, ES1370_DEVICE, &d->pci)) {
		print("es1370: error: no %04x:%04x on PCI bus 0\n", ES1370_VENDOR, ES1370_DEVICE);
		return ES1370_EIO;
	}
	class = pci_read32(&d->pci, PCI_CLASS_REVISION) >> 8;
	pci_bar_probe(&d->pci, 0, &bar0);
	if (!bar0.io || bar0.size < ES1370_IO_SIZE || !bar0.base ||
	    bar0.base + bar0.size > 0x10000) {
		print("es1370: error: BAR0 is not a 64-byte I/O BAR (%s, base 0x%lx, size %lu)\n",
		      bar0.io ? "I/O" : "memory", (unsigned long)bar0.base,
		      (unsigned long)bar0.size);
		return ES1370_EIO;
	}
	cmd = pci_enable(&d->pci, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
	if ((cmd & (PCI_COMMAND_IO | PCI_COMMAND_MASTER)) !=
		    (PCI_COMMAND_IO | PCI_COMMAND_MASTER) ||
	    (cmd & PCI_COMMAND_INTX_DISABLE)) {
		print("es1370: error: COMMAND reads 0x%04x after enabling\n", cmd);
		return ES1370_EIO;
	}
	d->io = (uint16_t)bar0.base;
	d->irq = pci_read8(&d->pci, PCI_INTERRUPT_LINE);
	d->pin = pci_read8(&d->pci, PCI_INTERRUPT_PIN);
	print("es1370: %02x:%02x.%x %04x:%04x class 0x%06x io 0x%x (%lu bytes) irq %u pin %c\n",
	      d->pci.bus, d->pci.dev, d->pci.fn, d->pci.vendor, d->pci.device, class, d->io,
	      (unsigned long)bar0.size, d->irq,
	      d->pin >= 1 && d->pin <= 4 ? 'A' + d->pin - 1 : '-');
	if (class >> 8 != ES1370_CLASS_AUDIO)
		print("es1370: warning: class code 0x%06x is not multimedia audio\n", class);
	if (d->mode == ES1370_IRQ) {
		if (d->pin != 1) {
			print("es1370: error: interrupt pin %u, expected INTA\n", d->pin);
			return ES1370_EIO;
		}
		if (d->irq >= PIC_NR_IRQS || d->irq == PIC_CASCADE_IRQ) {
			print("es1370: error: interrupt line %u is not a usable 8259 IRQ\n", d->irq);
			return ES1370_EIO;
		}
	}
	return 0;
}

/* Every channel, the UART and the joystick off, the codec interface on,
 * the DAC2/ADC clock at a valid rate (Linux's snd_ensoniq_chip_init). */
static void chip_init(struct es1370 *d)
{
	d->ctrl = ES_1370_CDC_EN | ES_1370_PCLKDIVO(es1370_divider(BOOT_RATE));
	d->sctrl = 0;
	wr(d, ES_REG_CONTROL, d->ctrl);
	wr(d, ES_REG_SERIAL, d->sctrl);
	wr(d, ES_REG_MEM_PAGE, ES_MEM_PAGEO(ES_PAGE_ADC));
	wr(d, ES_REG_PHANTOM_FRAME, (uint32_t)(uintptr_t)phantom);
	wr(d, ES_REG_PHANTOM_COUNT, 0);
	outb((uint16_t)(d->io + ES_REG_UART_CONTROL), 0);
	outb((uint16_t)(d->io + ES_REG_UART_RES), 0);
}

/* The codec is write-only: wait until STATUS says it takes a write. */
static int codec_write(struct es1370 *d, uint8_t reg, uint8_t val)
{
	uint64_t deadline = tsc_deadline_ms(CODEC_TIMEOUT_MS);
	uint32_t status;

	while ((status = rd(d, ES_REG_STATUS)) & ES_1370_CSTAT) {
		if (tsc_expired(deadline)) {
			print("es1370: error: codec busy for %u ms (STATUS 0x%08x) writing 0x%02x\n",
			      CODEC_TIMEOUT_MS, status, reg);
			return ES1370_ETIMEDOUT;
		}
		udelay(10);
	}
	outw((uint16_t)(d->io + ES_REG_1370_CODEC), ES_1370_CODEC_WRITE(reg, val));
	return 0;
}

/* AK4531 registers 0x00..0x19 after reset (RESET and CLOCK are written
 * first, apart). Linux's defaults mute everything; here the DAC2 path to
 * the outputs and line in to the ADC are open at 0 dB. */
static const uint8_t ak4531_init[AK4531_NREGS] = {
	[AK4531_LMASTER] = AK4531_MASTER_0DB,
	[AK4531_RMASTER] = AK4531_MASTER_0DB,
	[AK4531_LVOICE] = AK4531_INPUT_0DB,
	[AK4531_RVOICE] = AK4531_INPUT_0DB,
	[AK4531_LFM] = AK4531_MUTE | 0x1f,
	[AK4531_RFM] = AK4531_MUTE | 0x1f,
	[AK4531_LCD] = AK4531_MUTE | 0x1f,
	[AK4531_RCD] = AK4531_MUTE | 0x1f,
	[AK4531_LLINE] = AK4531_INPUT_0DB,
	[AK4531_RLINE] = AK4531_INPUT_0DB,
	[AK4531_LAUXA] = AK4531_MUTE | 0x1f,
	[AK4531_RAUXA] = AK4531_MUTE | 0x1f,
	[AK4531_MONO1] = AK4531_MUTE | 0x1f,
	[AK4531_MONO2] = AK4531_MUTE | 0x1f,
	[AK4531_MIC] = AK4531_MUTE | 0x1f,
	[AK4531_MONO_OUT] = AK4531_MUTE | 0x07,
	[AK4531_OUT_SW1] = 0,
	[AK4531_OUT_SW2] = AK4531_OUT_SW2_VOICE_L | AK4531_OUT_SW2_VOICE_R,
	[AK4531_LIN_SW1] = AK4531_IN_SW1_LINE_L,
	[AK4531_RIN_SW1] = AK4531_IN_SW1_LINE_R,
	[AK4531_LIN_SW2] = 0,
	[AK4531_RIN_SW2] = 0,
	[AK4531_AD_IN] = 0,
	[AK4531_MIC_GAIN] = 0,
};

static int codec_init(struct es1370 *d)
{
	int rc = codec_write(d, AK4531_RESET, AK4531_RESET_HOLD);

	udelay(CODEC_RESET_US);
	if (!rc)
		rc = codec_write(d, AK4531_RESET, AK4531_RESET_RUN);
	udelay(CODEC_RESET_US);
	if (!rc)
		rc = codec_write(d, AK4531_CLOCK, 0);
	for (uint8_t reg = 0; !rc && reg < AK4531_NREGS; reg++) {
		if (reg != AK4531_RESET && reg != AK4531_CLOCK)
			rc = codec_write(d, reg, ak4531_init[reg]);
	}
	return rc;
}

static int setup_irq(struct es1370 *d)
{
	if (d->mode != ES1370_IRQ)
		return 0;
	if (irq_register(d->irq, es1370_isr, d))
		return ES1370_EINVAL;
	if (pic_set_level(d->irq))
		print("es1370: warning: IRQ %u cannot be made level-triggered in the ELCR\n",
		      d->irq);
	pic_unmask(d->irq);
	/* Deadlines end sleeps too (the 8254, IRQ 0). */
	d->wake_timer = !pit_init();
	return 0;
}

int es1370_probe(struct es1370 *d, enum es1370_mode mode)
{
	int rc;

	*d = (struct es1370){ .mode = mode };
	if (probed) {
		print("es1370: error: only one card is supported\n");
		return ES1370_EINVAL;
	}
	rc = pci_setup(d);
	if (rc)
		return rc;
	chip_init(d);
	if (rd(d, ES_REG_CONTROL) == 0xffffffffU) {
		print("es1370: error: CONTROL reads 0xffffffff: no device behind BAR0\n");
		return ES1370_EIO;
	}
	rc = codec_init(d);
	if (!rc)
		rc = setup_irq(d);
	if (rc)
		return rc;
	probed = true;
	print("es1370: ready, codec AK4531 set up (master and voice 0 dB, line to ADC), mode %s\n",
	      mode == ES1370_IRQ ? "irq" : "poll");
	return 0;
}

/* ------------------------------------------------------------ streams */

int es1370_set_voice(struct es1370 *d, uint8_t att)
{
	int rc = codec_write(d, AK4531_LVOICE, att);

	return rc ? rc : codec_write(d, AK4531_RVOICE, att);
}

int es1370_check(const struct es1370_format *f, uint32_t frame_bytes, const char **why)
{
	*why = "";
	if (f->rate < ES1370_RATE_MIN || f->rate > ES1370_RATE_MAX)
		*why = "rate out of range";
	else if (f->bits != 8 && f->bits != 16)
		*why = "bits must be 8 or 16";
	else if (f->channels != 1 && f->channels != 2)
		*why = "channels must be 1 or 2";
	else if (frame_bytes < ES1370_FRAME_MIN || frame_bytes > ES1370_FRAME_MAX ||
		 frame_bytes % 8)
		*why = "frame must be a multiple of 8 bytes from 64 to 131072";
	return **why ? ES1370_EINVAL : 0;
}

static unsigned mode_of(const struct es1370_format *f)
{
	return (f->bits == 16 ? ES_MODE_16BIT : 0) | (f->channels == 2 ? ES_MODE_STEREO : 0);
}

/* SERIAL for ch in format mode: loop mode, not paused, interrupt on; for
 * DAC2 also the loop increments Linux uses. */
static uint32_t serial_for(uint32_t sctrl, enum es1370_chan ch, unsigned mode)
{
	if (ch == ES1370_CH_DAC2) {
		sctrl &= ~(ES_P2_LOOP_SEL | ES_P2_PAUSE | ES_P2_DAC_SEN | ES_P2_END_INCM |
			   ES_P2_ST_INCM | ES_P2_MODEM);
		return sctrl | ES_P2_INT_EN | ES_P2_MODEO(mode) |
		       ES_P2_END_INCO(mode & ES_MODE_16BIT ? 2 : 1) | ES_P2_ST_INCO(0);
	}
	sctrl &= ~(ES_R1_LOOP_SEL | ES_R1_MODEM);
	return sctrl | ES_R1_INT_EN | ES_R1_MODEO(mode);
}

static int check_reg(struct es1370 *d, enum es1370_chan ch, uint8_t reg, const char *what,
		     uint32_t mask, uint32_t want)
{
	uint32_t got = rd(d, reg) & mask;

	if (got == want)
		return 0;
	print("es1370: error: %s %s reads 0x%08x (masked 0x%08x), wrote 0x%08x\n",
	      chans[ch].name, what, got, mask, want);
	return ES1370_EIO;
}

/* Frame address, size and sample count (Linux's prepare), each read back. */
static int program(struct es1370 *d, enum es1370_chan ch, const struct es1370_stream *s)
{
	uint32_t addr = (uint32_t)(uintptr_t)s->frame, size = s->frame_bytes / 4 - 1;
	uint32_t count = s->period - 1;
	int rc;

	wr(d, ES_REG_MEM_PAGE, ES_MEM_PAGEO(chans[ch].page));
	wr(d, chans[ch].frame, addr);
	wr(d, chans[ch].size, ES_REG_FSIZEO(size));
	rc = check_reg(d, ch, chans[ch].frame, "FRAME", 0xffffffffU, addr);
	if (!rc)
		rc = check_reg(d, ch, chans[ch].size, "SIZE", ES_REG_FSIZEM, size);
	d->sctrl = serial_for(d->sctrl, ch, mode_of(&s->fmt));
	wr(d, ES_REG_SERIAL, d->sctrl);
	wr(d, chans[ch].count, ES_REG_COUNTO(count));
	if (!rc)
		rc = check_reg(d, ch, chans[ch].count, "COUNT", ES_REG_COUNTM, count);
	return rc;
}

int es1370_start(struct es1370 *d, enum es1370_chan ch, const struct es1370_format *f,
		 uint8_t *frame, uint32_t frame_bytes)
{
	struct es1370_stream *s = &d->ch[ch];
	const char *why;
	bool was_on;
	int rc;

	if (es1370_check(f, frame_bytes, &why) || ((uintptr_t)frame & 3)) {
		print("es1370: error: %s stream: %s\n", chans[ch].name,
		      *why ? why : "frame not 4-byte aligned");
		return ES1370_EINVAL;
	}
	*s = (struct es1370_stream){
		.fmt = *f,
		.frame = frame,
		.frame_bytes = frame_bytes,
		.sample_bytes = f->bits / 8 * f->channels,
	};
	s->period = frame_bytes / 2 / s->sample_bytes;
	barrier(); /* the frame's contents before the card may read them */
	was_on = lock();
	d->ctrl &= ~chans[ch].en;
	wr(d, ES_REG_CONTROL, d->ctrl);
	rc = program(d, ch, s);
	if (!rc) {
		/* DAC2 and the ADC share this clock divider. */
		d->ctrl = (d->ctrl & ~ES_1370_PCLKDIVM) |
			  ES_1370_PCLKDIVO(es1370_divider(f->rate));
		wr(d, ES_REG_CONTROL, d->ctrl);
		d->ctrl |= chans[ch].en;
		s->running = true;
		s->start_tsc = rdtsc();
		wr(d, ES_REG_CONTROL, d->ctrl);
	}
	unlock(was_on);
	return rc;
}

void es1370_stop(struct es1370 *d, enum es1370_chan ch)
{
	bool was_on = lock();

	d->ctrl &= ~chans[ch].en;
	wr(d, ES_REG_CONTROL, d->ctrl);
	/* A counter that expired meanwhile is acknowledged and counted. */
	service(d, rd(d, ES_REG_STATUS) & chans[ch].status);
	d->sctrl &= ~chans[ch].int_en;
	wr(d, ES_REG_SERIAL, d->sctrl);
	d->ch[ch].running = false;
	unlock(was_on);
}

uint32_t es1370_position(struct es1370 *d, enum es1370_chan ch)
{
	wr(d, ES_REG_MEM_PAGE, ES_MEM_PAGEO(chans[ch].page));
	return ES_REG_FCURR_COUNTI(rd(d, chans[ch].size));
}

void es1370_dump(struct es1370 *d, enum es1370_chan ch, const char *who)
{
	uint32_t frame, size;

	wr(d, ES_REG_MEM_PAGE, ES_MEM_PAGEO(chans[ch].page));
	frame = rd(d, chans[ch].frame);
	size = rd(d, chans[ch].size);
	print("%s: %s: CONTROL 0x%08x STATUS 0x%08x SERIAL 0x%08x COUNT 0x%08x FRAME 0x%08x "
	      "SIZE 0x%08x, periods %lu\n",
	      who, chans[ch].name, rd(d, ES_REG_CONTROL), rd(d, ES_REG_STATUS),
	      rd(d, ES_REG_SERIAL), rd(d, chans[ch].count), frame, size,
	      (unsigned long)d->ch[ch].periods);
}

void es1370_print_stats(const struct es1370 *d, const char *who)
{
	print("%s: es1370 irqs %lu none %lu polls %lu sleeps %lu status 0x%08x\n", who,
	      (unsigned long)d->irqs, (unsigned long)d->irq_none, (unsigned long)d->polls,
	      (unsigned long)d->sleeps, d->status_log);
}
