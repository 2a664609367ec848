/* SPDX-License-Identifier: MIT */
#include "firmware/fw_config.h"

#include <string.h>

#include "lib/xerrno.h"

/* PIC-mode IRQ of each link (see fw_config.h). */
static const uint8_t link_pic_irq[FW_PCI_LINKS] = { 10, 10, 11, 11 };

static const struct fw_isa_override default_overrides[] = {
	{ FW_ISA_IRQ_PIT, 2, FW_INTI_TRIGGER_EDGE | FW_INTI_POLARITY_HIGH },
	{ FW_SCI_IRQ, FW_SCI_IRQ, FW_INTI_TRIGGER_LEVEL | FW_INTI_POLARITY_LOW },
};

void fw_config_default(struct fw_config *c, unsigned cpu_count)
{
	memset(c, 0, sizeof(*c));
	c->cpu_count = cpu_count;
	for (unsigned i = 0; i < cpu_count && i < FW_MAX_CPUS; i++)
		c->apic_id[i] = (uint8_t)i;
	c->lapic_addr = FW_LAPIC_ADDR;
	c->ioapic_id = (uint8_t)(cpu_count < FW_MAX_CPUS ? cpu_count : FW_MAX_CPUS);
	c->ioapic_addr = FW_IOAPIC_ADDR;
	c->ioapic_pins = FW_IOAPIC_PINS;
	c->override_count = sizeof(default_overrides) / sizeof(default_overrides[0]);
	memcpy(c->override, default_overrides, sizeof(default_overrides));
	c->sci_irq = FW_SCI_IRQ;
	c->pm1a_evt_blk = FW_PM1A_EVT_BLK;
	c->pm1a_cnt_blk = FW_PM1A_CNT_BLK;
	c->pm_tmr_blk = FW_PM_TMR_BLK;
	c->hpet_block_id = FW_HPET_BLOCK_ID;
}

/* No two APIC IDs (local or IOAPIC) alike: they share one ID space. */
static bool apic_ids_unique(const struct fw_config *c)
{
	bool seen[256] = { false };

	seen[c->ioapic_id] = true;
	for (unsigned i = 0; i < c->cpu_count; i++) {
		if (seen[c->apic_id[i]])
			return false;
		seen[c->apic_id[i]] = true;
	}
	return true;
}

static bool gsi_on_ioapic(const struct fw_config *c, uint32_t gsi)
{
	return gsi >= c->ioapic_gsi_base && gsi - c->ioapic_gsi_base < c->ioapic_pins;
}

static bool overrides_ok(const struct fw_config *c)
{
	if (c->override_count > FW_MAX_OVERRIDES)
		return false;
	for (unsigned i = 0; i < c->override_count; i++) {
		const struct fw_isa_override *o = &c->override[i];

		if (o->irq > 15 || !gsi_on_ioapic(c, o->gsi) || (o->flags & ~0xfU))
			return false;
		for (unsigned j = 0; j < i; j++)
			if (c->override[j].irq == o->irq)
				return false;
	}
	return true;
}

static bool ports_overlap(uint16_t a, unsigned alen, uint16_t b, unsigned blen)
{
	return a < b + blen && b < a + alen;
}

static bool pm_ports_ok(const struct fw_config *c)
{
	if (!c->pm1a_evt_blk || !c->pm1a_cnt_blk || !c->pm_tmr_blk)
		return false;
	if (c->pm1a_evt_blk > 0x10000 - FW_PM1_EVT_LEN || c->pm1a_cnt_blk > 0x10000 - FW_PM1_CNT_LEN ||
	    c->pm_tmr_blk > 0x10000 - FW_PM_TMR_LEN)
		return false;
	return !ports_overlap(c->pm1a_evt_blk, FW_PM1_EVT_LEN, c->pm1a_cnt_blk, FW_PM1_CNT_LEN) &&
	       !ports_overlap(c->pm1a_evt_blk, FW_PM1_EVT_LEN, c->pm_tmr_blk, FW_PM_TMR_LEN) &&
	       !ports_overlap(c->pm1a_cnt_blk, FW_PM1_CNT_LEN, c->pm_tmr_blk, FW_PM_TMR_LEN);
}

int fw_config_check(const struct fw_config *c)
{
	if (c->cpu_count == 0 || c->cpu_count > FW_MAX_CPUS || !apic_ids_unique(c))
		return -XT_EINVAL;
	if (!gsi_on_ioapic(c, 0) || !gsi_on_ioapic(c, FW_PCI_GSI_BASE + FW_PCI_LINKS - 1))
		return -XT_EINVAL;
	if (!overrides_ok(c) || c->sci_irq > 15 || !pm_ports_ok(c))
		return -XT_EINVAL;
	return 0;
}

unsigned fw_pci_link(unsigned slot, unsigned pin)
{
	return (slot + pin) % FW_PCI_LINKS;
}

uint32_t fw_pci_gsi(unsigned slot, unsigned pin)
{
	return FW_PCI_GSI_BASE + fw_pci_link(slot, pin);
}

uint8_t fw_pci_pic_irq(unsigned slot, unsigned pin)
{
	return link_pic_irq[fw_pci_link(slot, pin)];
}

uint8_t fw_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

uint8_t fw_checksum(const uint8_t *p, size_t len)
{
	return (uint8_t)-fw_sum(p, len);
}
