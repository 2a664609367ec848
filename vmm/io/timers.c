/* SPDX-License-Identifier: MIT */
#include "vmm/io/timers.h"

#include "devices/timebase.h"
#include "firmware/fw_config.h"
#include "lib/xerrno.h"
#include "vmm/core/console.h"
#include "vmm/guest/clock.h"
#include "vmm/guest/irq.h"
#include "vmm/hw/host_rtc.h"
#include "vmm/io/bus.h"
#include "vmm/arch/x86.h"
#include "vmm/emul/guest_layout.h"

#define PIT_PORTS 4
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)
#define PM1_SCI_EN (1u << 0)
#define PM1_CNT_WRITABLE (PM1_SLP_TYP_MASK | 0x0006u) /* SLP_TYP, BM_RLD, GBL_RLS */
#define PM_BLOCK_PORTS (FW_PM_TMR_BLK + FW_PM_TMR_LEN - FW_PM1A_EVT_BLK)

static uint64_t now_ns(void)
{
	return clock_ns(rdtsc());
}

/* ------------------------------------------------------------ PIT */

static int pit_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)g;
	if (size != 1)
		return -XT_EINVAL;
	*val = pit_io_read(dev, (uint16_t)(PIT_CH0 + off), now_ns());
	return 0;
}

static int pit_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	if (size != 1)
		return -XT_EINVAL;
	pit_io_write(dev, (uint16_t)(PIT_CH0 + off), (uint8_t)val, now_ns());
	platform_retick(g);
	return 0;
}

static int portb_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)g;
	(void)off;
	if (size != 1)
		return -XT_EINVAL;
	*val = pit_io_read(dev, PIT_PORT_B, now_ns());
	return 0;
}

static int portb_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	(void)off;
	if (size != 1)
		return -XT_EINVAL;
	pit_io_write(dev, PIT_PORT_B, (uint8_t)val, now_ns());
	platform_retick(g);
	return 0;
}

/* ------------------------------------------------------------ RTC */

static int rtc_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	uint64_t ns = now_ns();

	if (size != 1)
		return -XT_EINVAL;
	*val = mc146818_io_read(dev, (uint16_t)(RTC_INDEX_PORT + off), ns);
	/* Reading register C lowers IRQ 8. */
	irq_isa_line(g, FW_ISA_IRQ_RTC, mc146818_irq(dev, ns));
	platform_retick(g);
	return 0;
}

static int rtc_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	uint64_t ns = now_ns();

	if (size != 1)
		return -XT_EINVAL;
	mc146818_io_write(dev, (uint16_t)(RTC_INDEX_PORT + off), (uint8_t)val, ns);
	irq_isa_line(g, FW_ISA_IRQ_RTC, mc146818_irq(dev, ns));
	platform_retick(g);
	return 0;
}

/* ------------------------------------------------------------ ACPI PM */

/*
 * PM1a_STS/PM1a_EN (ACPI 6.3, "PM1 Event Registers"), PM1a_CNT ("PM1
 * Control Registers") and PM_TMR in one block of ports. No event source
 * sets a status bit and no SCI is raised (no power button, no PM timer
 * carry interrupt): status reads what was never set, enables are stored.
 * The FADT has no SMI_CMD, so the platform is always in ACPI mode and
 * SCI_EN reads 1. SLP_EN with the \_S5 sleep type powers the guest off.
 */
static uint16_t pm_reg(struct guest *g, unsigned off)
{
	switch (off & ~1u) {
	case 0:
		return g->pm1_sts;
	case 2:
		return g->pm1_en;
	case 4:
		return g->pm1_cnt | PM1_SCI_EN;
	default:
		return 0xffff;
	}
}

static int pm_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	uint16_t port = (uint16_t)(FW_PM1A_EVT_BLK + off);
	uint64_t v = 0;

	if (acpi_pm_timer_claims_port(dev, port)) {
		if (off - (FW_PM_TMR_BLK - FW_PM1A_EVT_BLK) + size > FW_PM_TMR_LEN)
			return -XT_EINVAL;
		*val = acpi_pm_timer_read(dev, port, size, now_ns());
		return 0;
	}
	if (off + size > FW_PM_TMR_BLK - FW_PM1A_EVT_BLK)
		return -XT_EINVAL;
	for (unsigned i = 0; i < size; i++) {
		unsigned o = (unsigned)off + i;

		v |= (uint64_t)((pm_reg(g, o) >> (8 * (o & 1))) & 0xff) << (8 * i);
	}
	*val = v;
	return 0;
}

static void pm_cnt_write(struct guest *g, uint16_t val)
{
	unsigned slp_typ = (val & PM1_SLP_TYP_MASK) >> PM1_SLP_TYP_SHIFT;

	g->pm1_cnt = val & PM1_CNT_WRITABLE;
	if (!(val & PM1_SLP_EN))
		return;
	if (slp_typ == FW_S5_SLP_TYP) {
		g->exit_status = 0;
		guest_stop(g, GUEST_POWERED_OFF, "powered off (ACPI S5)");
		return;
	}
	/* S1-S4 are not offered (the DSDT has only \_S5): ignore. */
	xt_info("guest '%s': sleep type %u not supported, ignored", g->name, slp_typ);
}

static int pm_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	uint16_t port = (uint16_t)(FW_PM1A_EVT_BLK + off);

	if (acpi_pm_timer_claims_port(dev, port))
		return 0; /* read-only */
	if (off + size > FW_PM_TMR_BLK - FW_PM1A_EVT_BLK)
		return -XT_EINVAL;
	for (unsigned i = 0; i < size; i++) {
		unsigned o = (unsigned)off + i, shift = 8 * (o & 1);
		uint16_t byte = (uint16_t)((val >> (8 * i)) & 0xff);
		uint16_t keep = (uint16_t)~(0xffu << shift);

		switch (o & ~1u) {
		case 0: /* write 1 to clear */
			g->pm1_sts &= (uint16_t)~(byte << shift);
			break;
		case 2:
			g->pm1_en = (uint16_t)((g->pm1_en & keep) | byte << shift);
			break;
		case 4:
			/* SLP_EN is in the high byte: act once that byte is written. */
			if (shift || size == 1)
				pm_cnt_write(g, (uint16_t)((g->pm1_cnt & keep) | byte << shift));
			else
				g->pm1_cnt = (uint16_t)(((g->pm1_cnt & keep) | byte) & PM1_CNT_WRITABLE);
			break;
		default:
			return -XT_EINVAL;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ wiring */

#define PORTS(b, n, rd, wr, d)                                                               \
	{ .space = IO_SPACE_PORT, .base = (b), .size = (n), .enabled = true, .read = (rd),      \
	  .write = (wr), .dev = (d) }

void timers_reset(struct guest *g)
{
	uint64_t ns = now_ns();

	pit_init(&g->pit, ns);
	g->pit_rise_ns = pit_next_rise(&g->pit, 0, ns);
	g->pm1_sts = g->pm1_en = g->pm1_cnt = 0;
	platform_retick(g);
}

int timers_create(struct guest *g)
{
	uint64_t ns = now_ns();
	struct mc146818_tm tm;
	const struct io_range ranges[] = {
		PORTS(PIT_CH0, PIT_PORTS, pit_read, pit_write, &g->pit),
		PORTS(PIT_PORT_B, 1, portb_read, portb_write, &g->pit),
		PORTS(RTC_INDEX_PORT, 2, rtc_read, rtc_write, &g->rtc),
		PORTS(FW_PM1A_EVT_BLK, PM_BLOCK_PORTS, pm_read, pm_write, &g->pm_tmr),
	};

	pit_init(&g->pit, ns);
	g->pit_rise_ns = pit_next_rise(&g->pit, 0, ns);
	host_rtc_time(&tm);
	mc146818_init(&g->rtc, &tm, ns);
	mc146818_set_memory(&g->rtc, (uint32_t)(GUEST_LOW_RAM_KIB), g->ram.size, 0);
	acpi_pm_timer_init(&g->pm_tmr, FW_PM_TMR_BLK, false);
	for (unsigned i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		int rc = io_register(g, &ranges[i]);

		if (rc < 0)
			return rc;
	}
	platform_retick(g);
	return 0;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void platform_tick(struct guest *g)
{
	uint64_t tsc = rdtsc(), ns, due, wake, t;
	struct lapic *l = &g->vcpu.lapic;

	if (tsc < g->tick_due)
		return;
	ns = clock_ns(tsc);
	/* One interrupt per rising edge of OUT0; edges missed while the
	 * guest did not run coalesce into one, as they would at an 8259
	 * whose request was not yet taken. */
	if (ns >= g->pit_rise_ns) {
		irq_isa_pulse(g, FW_ISA_IRQ_PIT);
		g->stats.timer_irqs++;
	}
	g->pit_rise_ns = pit_next_rise(&g->pit, 0, ns);
	irq_isa_line(g, FW_ISA_IRQ_RTC, mc146818_irq(&g->rtc, ns));
	irq_isa_line(g, FW_ISA_IRQ_COM1, uart16550_irq_pending(&g->com1));
	lapic_update(l, tsc + g->vcpu.tsc_offset);

	t = clock_tsc(g->pit_rise_ns);
	due = t;
	wake = irq_isa_routed(g, FW_ISA_IRQ_PIT) ? t : UINT64_MAX;
	t = clock_tsc(mc146818_next_event(&g->rtc, ns));
	due = min64(due, t);
	if (irq_isa_routed(g, FW_ISA_IRQ_RTC))
		wake = min64(wake, t);
	/* The local APIC counts guest TSC (host TSC + offset, modulo 2^64). */
	t = lapic_next_event(l);
	if (t != LAPIC_NO_EVENT)
		t -= g->vcpu.tsc_offset;
	due = min64(due, t);
	wake = min64(wake, t);
	g->tick_due = due;
	g->wake_due = wake;
}

uint64_t platform_wake_tsc(const struct guest *g)
{
	return g->wake_due;
}
