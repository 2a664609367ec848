/* SPDX-License-Identifier: MIT */
/*
 * MP table generator; see mptable.h. Section names are those of the Intel
 * MultiProcessor Specification 1.4.
 */
#include "firmware/mptable.h"

#include <string.h>

#include "firmware/mp_spec.h"
#include "lib/xerrno.h"

#define FOUR_GIB	0x100000000ULL
#define ISA_IRQS	16
#define PCI_PINS	4
#define PCI_FLAGS	(FW_INTI_TRIGGER_LEVEL | FW_INTI_POLARITY_LOW)

/* The override for ISA IRQ irq, or NULL. */
static const struct fw_isa_override *isa_override(const struct fw_config *c, unsigned irq)
{
	for (unsigned i = 0; i < c->override_count; i++)
		if (c->override[i].irq == irq)
			return &c->override[i];
	return NULL;
}

/* The GSI ISA IRQ irq reaches, or -1 if another IRQ's override took its pin
 * and it has none of its own (IRQ 2 when IRQ 0 goes to GSI 2). */
static int64_t isa_gsi(const struct fw_config *c, unsigned irq)
{
	const struct fw_isa_override *o = isa_override(c, irq);

	if (o)
		return o->gsi;
	for (unsigned i = 0; i < c->override_count; i++)
		if (c->override[i].gsi == irq)
			return -1;
	return irq;
}

static unsigned isa_entries(const struct fw_config *c)
{
	unsigned n = 0;

	for (unsigned irq = 0; irq < ISA_IRQS; irq++)
		n += isa_gsi(c, irq) >= 0;
	return n;
}

static unsigned entry_count(const struct fw_config *c)
{
	return c->cpu_count + 2 + 1 + isa_entries(c) + FW_PCI_SLOTS * PCI_PINS + 2;
}

static size_t table_length(const struct fw_config *c)
{
	return sizeof(struct mpc_table) + c->cpu_count * sizeof(struct mpc_cpu) +
	       2 * sizeof(struct mpc_bus) + sizeof(struct mpc_ioapic) +
	       (isa_entries(c) + FW_PCI_SLOTS * PCI_PINS) * sizeof(struct mpc_intsrc) +
	       2 * sizeof(struct mpc_lintsrc);
}

size_t mptable_size(const struct fw_config *c)
{
	if (fw_config_check(c))
		return 0;
	return sizeof(struct mpf_intel) + table_length(c);
}

/* Append one entry of len bytes. */
static uint8_t *put(uint8_t *at, const void *entry, size_t len)
{
	memcpy(at, entry, len);
	return at + len;
}

/* "Processor Entries": the first CPU is the bootstrap processor. */
static uint8_t *put_cpus(uint8_t *at, const struct fw_config *c)
{
	for (unsigned i = 0; i < c->cpu_count; i++) {
		struct mpc_cpu e = {
			.type = MP_PROCESSOR, .apicid = c->apic_id[i], .apicver = MPC_APIC_VERSION,
			.cpuflag = MPC_CPU_ENABLED | (i == 0 ? MPC_CPU_BOOTPROCESSOR : 0),
			.cpufeature = c->cpu_signature, .featureflag = c->cpu_features,
		};

		at = put(at, &e, sizeof(e));
	}
	return at;
}

/* "Bus Entries" and "I/O APIC Entries". */
static uint8_t *put_buses_ioapic(uint8_t *at, const struct fw_config *c)
{
	struct mpc_bus pci = { .type = MP_BUS, .busid = MPTABLE_BUS_PCI };
	struct mpc_bus isa = { .type = MP_BUS, .busid = MPTABLE_BUS_ISA };
	struct mpc_ioapic io = {
		.type = MP_IOAPIC, .apicid = c->ioapic_id, .apicver = MPC_IOAPIC_VERSION,
		.flags = MPC_APIC_USABLE, .apicaddr = c->ioapic_addr,
	};

	memcpy(pci.bustype, MPC_BUS_PCI, sizeof(pci.bustype));
	memcpy(isa.bustype, MPC_BUS_ISA, sizeof(isa.bustype));
	at = put(at, &pci, sizeof(pci));
	at = put(at, &isa, sizeof(isa));
	return put(at, &io, sizeof(io));
}

static uint8_t *put_intsrc(uint8_t *at, const struct fw_config *c, uint8_t bus, uint8_t irq,
			   uint32_t gsi, uint16_t flags)
{
	struct mpc_intsrc e = {
		.type = MP_INTSRC, .irqtype = MP_INT, .irqflag = flags, .srcbus = bus,
		.srcbusirq = irq, .dstapic = c->ioapic_id,
		.dstirq = (uint8_t)(gsi - c->ioapic_gsi_base),
	};

	return put(at, &e, sizeof(e));
}

/* "I/O Interrupt Assignment Entries": ISA IRQs, then PCI INTx. */
static uint8_t *put_io_ints(uint8_t *at, const struct fw_config *c)
{
	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		const struct fw_isa_override *o = isa_override(c, irq);
		int64_t gsi = isa_gsi(c, irq);

		if (gsi >= 0)
			at = put_intsrc(at, c, MPTABLE_BUS_ISA, (uint8_t)irq, (uint32_t)gsi,
					o ? o->flags : 0);
	}
	for (unsigned slot = 0; slot < FW_PCI_SLOTS; slot++)
		for (unsigned pin = 0; pin < PCI_PINS; pin++)
			at = put_intsrc(at, c, MPTABLE_BUS_PCI, MP_PCI_IRQ(slot, pin),
					fw_pci_gsi(slot, pin), PCI_FLAGS);
	return at;
}

/* "Local Interrupt Assignment Entries": the 8259s on LINT0, NMI on LINT1. */
static uint8_t *put_local_ints(uint8_t *at)
{
	struct mpc_lintsrc extint = {
		.type = MP_LINTSRC, .irqtype = MP_EXTINT, .srcbusid = MPTABLE_BUS_ISA,
		.destapic = MP_APIC_ALL, .destapiclint = 0,
	};
	struct mpc_lintsrc nmi = {
		.type = MP_LINTSRC, .irqtype = MP_NMI, .srcbusid = MPTABLE_BUS_ISA,
		.destapic = MP_APIC_ALL, .destapiclint = 1,
	};

	at = put(at, &extint, sizeof(extint));
	return put(at, &nmi, sizeof(nmi));
}

/* "MP Configuration Table Header", then the entries in type order. */
static void write_config(uint8_t *t, const struct fw_config *c, size_t len)
{
	struct mpc_table h;
	uint8_t *at;

	memset(&h, 0, sizeof(h));
	memcpy(h.signature, MPC_SIGNATURE, sizeof(h.signature));
	h.length = (uint16_t)len;
	h.spec = MP_SPEC_REV;
	memcpy(h.oem, MPTABLE_OEM, sizeof(h.oem));
	memcpy(h.productid, MPTABLE_PRODUCT, sizeof(h.productid));
	h.oemcount = (uint16_t)entry_count(c);
	h.lapic = c->lapic_addr;
	at = put(t, &h, sizeof(h));
	at = put_cpus(at, c);
	at = put_buses_ioapic(at, c);
	at = put_io_ints(at, c);
	put_local_ints(at);
	t[offsetof(struct mpc_table, checksum)] = fw_checksum(t, len);
}

/* "MP Floating Pointer Structure" */
static void write_floating(uint8_t *f, uint64_t config_gpa)
{
	struct mpf_intel m;

	memset(&m, 0, sizeof(m));
	memcpy(m.signature, MPF_SIGNATURE, sizeof(m.signature));
	m.physptr = (uint32_t)config_gpa;
	m.length = sizeof(m) / 16;
	m.specification = MP_SPEC_REV;
	m.checksum = fw_checksum((const uint8_t *)&m, sizeof(m));
	memcpy(f, &m, sizeof(m));
}

int mptable_build(const struct fw_config *c, uint64_t base_gpa, uint8_t *buf, size_t size,
		  struct mptable_layout *out)
{
	size_t len, total;

	if (fw_config_check(c) || base_gpa % MPTABLE_ALIGN)
		return -XT_EINVAL;
	len = table_length(c);
	total = sizeof(struct mpf_intel) + len;
	if (base_gpa >= FOUR_GIB || total > FOUR_GIB - base_gpa)
		return -XT_ERANGE;
	if (size < total)
		return -XT_ENOSPC;
	write_floating(buf, base_gpa + sizeof(struct mpf_intel));
	write_config(buf + sizeof(struct mpf_intel), c, len);
	*out = (struct mptable_layout){
		.floating = base_gpa, .config = base_gpa + sizeof(struct mpf_intel),
		.size = total, .entries = entry_count(c),
	};
	return 0;
}
