/* SPDX-License-Identifier: MIT */
#include "vmm/io/apic.h"

#include "firmware/fw_config.h"
#include "lib/xerrno.h"
#include "vmm/guest/apicv.h"
#include "vmm/io/bus.h"
#include "vmm/io/timers.h"
#include "vmm/arch/x86.h"

static int lapic_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	*val = lapic_mmio_read(dev, (uint32_t)off, size, vcpu_tsc(&g->vcpu));
	return 0;
}

static int lapic_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	lapic_mmio_write(dev, (uint32_t)off, size, val, vcpu_tsc(&g->vcpu));
	/* A register written: the virtual-APIC page shows it (and whatever
	 * else the write changed) before the guest runs again. */
	g->vcpu.vapic_full = true;
	/* The timer may have been (re)armed, an EOI may have re-raised a level pin. */
	platform_retick(g);
	return 0;
}

static int ioapic_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)g;
	*val = ioapic_mmio_read(dev, (uint32_t)off, size);
	return 0;
}

static int ioapic_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	ioapic_mmio_write(dev, (uint32_t)off, size, (uint32_t)val);
	/* A redirection entry may have become level-triggered: the EOI-exit
	 * bitmap is computed again before the next entry. */
	g->vcpu.vapic_full = true;
	platform_retick(g);
	return 0;
}

int apic_create(struct guest *g)
{
	const struct io_range lapic_range = {
		.space = IO_SPACE_MMIO, .base = lapic_base(&g->vcpu.lapic), .size = LAPIC_PAGE_SIZE,
		.enabled = true, .read = lapic_read, .write = lapic_write, .dev = &g->vcpu.lapic,
	};
	const struct io_range ioapic_range = {
		.space = IO_SPACE_MMIO, .base = FW_IOAPIC_ADDR, .size = IOAPIC_MMIO_SIZE,
		.enabled = true, .read = ioapic_read, .write = ioapic_write, .dev = &g->ioapic,
	};
	int rc = io_register(g, &lapic_range);

	if (rc < 0)
		return rc;
	g->lapic_range = (unsigned)rc;
	rc = io_register(g, &ioapic_range);
	return rc < 0 ? rc : 0;
}

void apic_reset(struct guest *g)
{
	io_update(g, g->lapic_range, true, lapic_base(&g->vcpu.lapic));
	g->vcpu.vapic_full = true;
	apicv_map(g);
}

bool apic_msr_read(struct guest *g, uint32_t msr, uint64_t *val)
{
	struct lapic *l = &g->vcpu.lapic;

	switch (msr) {
	case LAPIC_MSR_APIC_BASE:
		*val = lapic_get_apic_base(l);
		return true;
	case LAPIC_MSR_TSC_DEADLINE:
		*val = lapic_read_tsc_deadline(l, vcpu_tsc(&g->vcpu));
		return true;
	default:
		return lapic_msr_read(l, msr, val, vcpu_tsc(&g->vcpu)) == 0;
	}
}

bool apic_msr_write(struct guest *g, uint32_t msr, uint64_t val)
{
	struct lapic *l = &g->vcpu.lapic;
	bool ok = true;

	switch (msr) {
	case LAPIC_MSR_APIC_BASE:
		ok = lapic_set_apic_base(l, val, vcpu_tsc(&g->vcpu)) == 0;
		/* The xAPIC page follows the base; gone while disabled or in x2APIC mode. */
		io_update(g, g->lapic_range, lapic_hw_enabled(l) && !lapic_x2apic_mode(l),
			  lapic_base(l));
		g->vcpu.vapic_full = true;
		apicv_map(g);
		break;
	case LAPIC_MSR_TSC_DEADLINE:
		lapic_write_tsc_deadline(l, val, vcpu_tsc(&g->vcpu));
		break;
	default:
		ok = lapic_msr_write(l, msr, val, vcpu_tsc(&g->vcpu)) == 0;
		break;
	}
	platform_retick(g);
	return ok;
}
