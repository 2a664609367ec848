/* SPDX-License-Identifier: MIT */
/*
 * ACPI table generator; see acpi_tables.h for the layout and
 * docs/guest-platform.md, "Firmware tables", for what the tables say and why.
 * Section names are those of the ACPI Specification 6.3.
 */
#include "firmware/acpi_tables.h"

#include <string.h>

#include "firmware/acpi_cpus.h"
#include "firmware/acpi_spec.h"
#include "lib/xerrno.h"

#define TABLE_ALIGN		16
#define FOUR_GIB		0x100000000ULL
#define HEADER_CHECKSUM		offsetof(struct acpi_table_header, checksum)
#define ASL_COMPILER_ID		"XTLK"
#define ASL_COMPILER_REVISION	1
#define OEM_REVISION		1
#define RESET_PORT		0xcf9
/* PIIX/ICH reset control register: SYS_RST (bit 1) | RST_CPU (bit 2), a
 * hard reset; devices/pci.c treats RST_CPU as the guest's reboot. */
#define RESET_VALUE		0x06
#define HPET_MIN_CLOCK_TICK	0x80

/* Offsets of each table in the buffer. */
struct plan {
	size_t rsdp, facs, xsdt, fadt, madt, ssdt, hpet, dsdt, end;
	size_t madt_len, ssdt_len, dsdt_len;
	unsigned xsdt_entries;
	const uint8_t *dsdt_aml;
};

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static size_t madt_length(const struct fw_config *c)
{
	return sizeof(struct acpi_madt) + c->cpu_count * sizeof(struct madt_local_apic) +
	       sizeof(struct madt_ioapic) +
	       c->override_count * sizeof(struct madt_int_src_override) +
	       sizeof(struct madt_local_apic_nmi);
}

/* Place one table of len bytes at the next aligned offset. */
static size_t place(size_t *cursor, size_t len, size_t align)
{
	size_t at = align_up(*cursor, align);

	*cursor = at + len;
	return at;
}

static void plan_tables(const struct fw_config *c, struct plan *p)
{
	size_t cur = 0;

	memset(p, 0, sizeof(*p));
	p->dsdt_aml = c->hpet ? fw_dsdt_hpet_aml : fw_dsdt_aml;
	p->dsdt_len = c->hpet ? fw_dsdt_hpet_aml_len : fw_dsdt_aml_len;
	p->madt_len = madt_length(c);
	p->ssdt_len = sizeof(struct acpi_table_header) + acpi_cpus_aml_len(c->cpu_count);
	p->xsdt_entries = c->hpet ? 4 : 3;
	p->rsdp = place(&cur, sizeof(struct acpi_rsdp), TABLE_ALIGN);
	p->facs = place(&cur, sizeof(struct acpi_facs), ACPI_FACS_ALIGN);
	p->xsdt = place(&cur, sizeof(struct acpi_table_header) + 8 * p->xsdt_entries, TABLE_ALIGN);
	p->fadt = place(&cur, sizeof(struct acpi_fadt), TABLE_ALIGN);
	p->madt = place(&cur, p->madt_len, TABLE_ALIGN);
	p->ssdt = place(&cur, p->ssdt_len, TABLE_ALIGN);
	if (c->hpet)
		p->hpet = place(&cur, sizeof(struct acpi_hpet), TABLE_ALIGN);
	p->dsdt = place(&cur, p->dsdt_len, TABLE_ALIGN);
	p->end = cur;
}

size_t acpi_tables_size(const struct fw_config *c)
{
	struct plan p;

	if (fw_config_check(c))
		return 0;
	plan_tables(c, &p);
	return p.end;
}

/* ---------------------------------------------------------------- helpers */

static void header_init(struct acpi_table_header *h, const char *sig, size_t len, uint8_t rev)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = (uint32_t)len;
	h->revision = rev;
	memcpy(h->oem_id, ACPI_OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, ACPI_OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = OEM_REVISION;
	memcpy(h->asl_compiler_id, ASL_COMPILER_ID, sizeof(h->asl_compiler_id));
	h->asl_compiler_revision = ASL_COMPILER_REVISION;
}

/* The table at t is complete: set its header checksum over its length. */
static void table_sum(uint8_t *t, size_t len)
{
	t[HEADER_CHECKSUM] = 0;
	t[HEADER_CHECKSUM] = fw_checksum(t, len);
}

static struct acpi_gas gas_io(uint16_t port, uint8_t len, uint8_t access)
{
	struct acpi_gas g = {
		.space_id = ACPI_GAS_SYSTEM_IO,
		.bit_width = (uint8_t)(len * 8),
		.access_size = access,
		.address = port,
	};

	return g;
}

/* ---------------------------------------------------------------- tables */

/* "Root System Description Pointer (RSDP) Structure" */
static void write_rsdp(uint8_t *buf, const struct plan *p, uint64_t base)
{
	struct acpi_rsdp r;

	memset(&r, 0, sizeof(r));
	memcpy(r.signature, ACPI_RSDP_SIGNATURE, sizeof(r.signature));
	memcpy(r.oem_id, ACPI_OEM_ID, sizeof(r.oem_id));
	r.revision = ACPI_RSDP_REVISION;
	r.length = sizeof(r);
	r.xsdt_address = base + p->xsdt;
	r.checksum = fw_checksum((const uint8_t *)&r, ACPI_RSDP_V1_LEN);
	r.extended_checksum = fw_checksum((const uint8_t *)&r, sizeof(r));
	memcpy(buf + p->rsdp, &r, sizeof(r));
}

/* "Firmware ACPI Control Structure (FACS)": no waking vector (no S3), no
 * global lock users (no SMM firmware shares hardware with the OS). */
static void write_facs(uint8_t *buf, const struct plan *p)
{
	struct acpi_facs f;

	memset(&f, 0, sizeof(f));
	memcpy(f.signature, ACPI_FACS_SIGNATURE, sizeof(f.signature));
	f.length = sizeof(f);
	f.version = ACPI_FACS_VERSION;
	memcpy(buf + p->facs, &f, sizeof(f));
}

/* "Extended System Description Table (XSDT)": FADT, MADT, SSDT, then HPET. */
static void write_xsdt(uint8_t *buf, const struct plan *p, uint64_t base)
{
	size_t len = sizeof(struct acpi_table_header) + 8 * p->xsdt_entries;
	uint64_t entry[4] = { base + p->fadt, base + p->madt, base + p->ssdt, base + p->hpet };
	struct acpi_table_header h;

	header_init(&h, ACPI_XSDT_SIGNATURE, len, ACPI_XSDT_REVISION);
	memcpy(buf + p->xsdt, &h, sizeof(h));
	memcpy(buf + p->xsdt + sizeof(h), entry, 8 * p->xsdt_entries);
	table_sum(buf + p->xsdt, len);
}

/* The PM blocks, in the legacy 32-bit fields and as X_ generic addresses. */
static void fadt_pm_blocks(struct acpi_fadt *f, const struct fw_config *c)
{
	f->pm1a_evt_blk = c->pm1a_evt_blk;
	f->pm1a_cnt_blk = c->pm1a_cnt_blk;
	f->pm_tmr_blk = c->pm_tmr_blk;
	f->pm1_evt_len = FW_PM1_EVT_LEN;
	f->pm1_cnt_len = FW_PM1_CNT_LEN;
	f->pm_tmr_len = FW_PM_TMR_LEN;
	f->x_pm1a_evt_blk = gas_io(c->pm1a_evt_blk, FW_PM1_EVT_LEN, ACPI_GAS_ACCESS_WORD);
	f->x_pm1a_cnt_blk = gas_io(c->pm1a_cnt_blk, FW_PM1_CNT_LEN, ACPI_GAS_ACCESS_WORD);
	f->x_pm_tmr_blk = gas_io(c->pm_tmr_blk, FW_PM_TMR_LEN, ACPI_GAS_ACCESS_DWORD);
}

/*
 * "Fixed ACPI Description Table Fixed Feature Flags": WBINVD works, C1 is
 * HLT, no C2/C3 (latencies above the limits), the power and sleep buttons
 * are not fixed features (there are none), the RTC has no wake status in
 * PM1 (FIX_RTC), the PM timer is 24 bits (TMR_VAL_EXT clear), and the reset
 * register is supported. "IA-PC Boot Architecture Flags": legacy devices
 * (COM1, RTC, PIT) present, no 8042 (none is emulated: Linux then skips the
 * i8042 probe), no VGA, no MSI (no device offers it yet).
 */
#define FADT_FLAGS (ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 | ACPI_FADT_PWR_BUTTON | \
		    ACPI_FADT_SLP_BUTTON | ACPI_FADT_FIX_RTC | ACPI_FADT_RESET_REG_SUP)
#define FADT_IAPC_BOOT_ARCH (ACPI_FADT_LEGACY_DEVICES | ACPI_FADT_VGA_NOT_PRESENT | \
			     ACPI_FADT_MSI_NOT_SUPPORTED)

static void fadt_fixed(struct acpi_fadt *f, const struct fw_config *c)
{
	f->sci_int = c->sci_irq;
	f->p_lvl2_lat = ACPI_FADT_P_LVL2_NONE;
	f->p_lvl3_lat = ACPI_FADT_P_LVL3_NONE;
	f->century = c->rtc_century;
	f->iapc_boot_arch = FADT_IAPC_BOOT_ARCH;
	f->flags = FADT_FLAGS;
	/* "Reset Register": the 0xCF9 reset control register (see RESET_VALUE). */
	f->reset_reg = gas_io(RESET_PORT, 1, ACPI_GAS_ACCESS_BYTE);
	f->reset_value = RESET_VALUE;
	f->fadt_minor_version = ACPI_FADT_MINOR_REVISION;
}

/* "Fixed ACPI Description Table (FADT)". SMI_CMD is 0: the platform is always
 * in ACPI mode, so PM1a_CNT.SCI_EN must read 1. No GPE blocks. */
static void write_fadt(uint8_t *buf, const struct plan *p, const struct fw_config *c,
		       uint64_t base)
{
	struct acpi_fadt f;

	memset(&f, 0, sizeof(f));
	header_init(&f.header, ACPI_FADT_SIGNATURE, sizeof(f), ACPI_FADT_REVISION);
	f.firmware_ctrl = (uint32_t)(base + p->facs);
	f.x_firmware_ctrl = base + p->facs;
	f.dsdt = (uint32_t)(base + p->dsdt);
	f.x_dsdt = base + p->dsdt;
	fadt_pm_blocks(&f, c);
	fadt_fixed(&f, c);
	memcpy(buf + p->fadt, &f, sizeof(f));
	table_sum(buf + p->fadt, sizeof(f));
}

static uint8_t *madt_cpus(uint8_t *at, const struct fw_config *c)
{
	for (unsigned i = 0; i < c->cpu_count; i++) {
		struct madt_local_apic e = {
			.type = MADT_TYPE_LOCAL_APIC, .length = sizeof(e),
			.acpi_processor_uid = (uint8_t)i, .apic_id = c->apic_id[i],
			.flags = MADT_LAPIC_ENABLED,
		};

		memcpy(at, &e, sizeof(e));
		at += sizeof(e);
	}
	return at;
}

static uint8_t *madt_ioapic(uint8_t *at, const struct fw_config *c)
{
	struct madt_ioapic e = {
		.type = MADT_TYPE_IOAPIC, .length = sizeof(e), .ioapic_id = c->ioapic_id,
		.ioapic_address = c->ioapic_addr, .gsi_base = c->ioapic_gsi_base,
	};

	memcpy(at, &e, sizeof(e));
	return at + sizeof(e);
}

static uint8_t *madt_overrides(uint8_t *at, const struct fw_config *c)
{
	for (unsigned i = 0; i < c->override_count; i++) {
		struct madt_int_src_override e = {
			.type = MADT_TYPE_INT_SRC_OVERRIDE, .length = sizeof(e),
			.bus = MADT_ISO_BUS_ISA, .source = c->override[i].irq,
			.gsi = c->override[i].gsi, .flags = c->override[i].flags,
		};

		memcpy(at, &e, sizeof(e));
		at += sizeof(e);
	}
	return at;
}

/* NMI on LINT1 of every processor, edge and active high ("Local APIC NMI
 * Structure"), as the PC wires it. */
static uint8_t *madt_nmi(uint8_t *at)
{
	struct madt_local_apic_nmi e = {
		.type = MADT_TYPE_LOCAL_APIC_NMI, .length = sizeof(e),
		.acpi_processor_uid = MADT_NMI_ALL_PROCESSORS,
		.flags = FW_INTI_TRIGGER_EDGE | FW_INTI_POLARITY_HIGH, .lint = MADT_LINT1,
	};

	memcpy(at, &e, sizeof(e));
	return at + sizeof(e);
}

/* "Multiple APIC Description Table (MADT)": the 8259s are present
 * (PCAT_COMPAT), so the OS masks them before it uses the IOAPIC. */
static void write_madt(uint8_t *buf, const struct plan *p, const struct fw_config *c)
{
	struct acpi_madt m;
	uint8_t *at = buf + p->madt + sizeof(m);

	memset(&m, 0, sizeof(m));
	header_init(&m.header, ACPI_MADT_SIGNATURE, p->madt_len, ACPI_MADT_REVISION);
	m.local_apic_address = c->lapic_addr;
	m.flags = ACPI_MADT_PCAT_COMPAT;
	memcpy(buf + p->madt, &m, sizeof(m));
	at = madt_cpus(at, c);
	at = madt_ioapic(at, c);
	at = madt_overrides(at, c);
	madt_nmi(at);
	table_sum(buf + p->madt, p->madt_len);
}

/* "Secondary System Description Table (SSDT)": the processor devices. */
static void write_ssdt(uint8_t *buf, const struct plan *p, const struct fw_config *c)
{
	struct acpi_table_header h;

	header_init(&h, ACPI_SSDT_SIGNATURE, p->ssdt_len, ACPI_SSDT_REVISION);
	memcpy(buf + p->ssdt, &h, sizeof(h));
	acpi_cpus_aml(buf + p->ssdt + sizeof(h), c->cpu_count);
	table_sum(buf + p->ssdt, p->ssdt_len);
}

/* IA-PC HPET Specification 1.0a, "ACPI Table". */
static void write_hpet(uint8_t *buf, const struct plan *p, const struct fw_config *c)
{
	struct acpi_hpet h;

	memset(&h, 0, sizeof(h));
	header_init(&h.header, ACPI_HPET_SIGNATURE, sizeof(h), ACPI_HPET_REVISION);
	h.event_timer_block_id = c->hpet_block_id;
	h.base_address.space_id = ACPI_GAS_SYSTEM_MEMORY;
	h.base_address.bit_width = 64;
	h.base_address.address = FW_HPET_ADDR;
	h.min_clock_tick = HPET_MIN_CLOCK_TICK;
	h.page_protection = HPET_PAGE_PROTECT_4K;
	memcpy(buf + p->hpet, &h, sizeof(h));
	table_sum(buf + p->hpet, sizeof(h));
}

int acpi_tables_build(const struct fw_config *c, uint64_t base_gpa, uint8_t *buf, size_t size,
		      struct acpi_tables_layout *out)
{
	struct plan p;

	if (fw_config_check(c) || base_gpa % ACPI_TABLES_ALIGN)
		return -XT_EINVAL;
	plan_tables(c, &p);
	if (base_gpa >= FOUR_GIB || p.end > FOUR_GIB - base_gpa)
		return -XT_ERANGE;
	if (size < p.end)
		return -XT_ENOSPC;
	memset(buf, 0, p.end);
	write_rsdp(buf, &p, base_gpa);
	write_facs(buf, &p);
	write_xsdt(buf, &p, base_gpa);
	write_fadt(buf, &p, c, base_gpa);
	write_madt(buf, &p, c);
	write_ssdt(buf, &p, c);
	if (c->hpet)
		write_hpet(buf, &p, c);
	memcpy(buf + p.dsdt, p.dsdt_aml, p.dsdt_len);
	*out = (struct acpi_tables_layout){
		.rsdp = base_gpa + p.rsdp, .facs = base_gpa + p.facs, .xsdt = base_gpa + p.xsdt,
		.fadt = base_gpa + p.fadt, .madt = base_gpa + p.madt, .ssdt = base_gpa + p.ssdt,
		.hpet = c->hpet ? base_gpa + p.hpet : 0, .dsdt = base_gpa + p.dsdt, .size = p.end,
	};
	return 0;
}
