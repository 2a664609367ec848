/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the guest ACPI tables (firmware/acpi_tables.c): every
 * checksum and length, the pointers between tables at the guest-physical
 * base given, the MADT for 1 and 4 CPUs, the FADT fields, the DSDT copied
 * whole, and the buffer bounds. The VMM's own ACPI parser (vmm/core/acpi.c) reads
 * the generated tables back as a second opinion on RSDP -> XSDT -> FADT ->
 * DSDT -> \_S5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "firmware/acpi_spec.h"
#include "firmware/acpi_tables.h"
#include "firmware/fw_config.h"
#include "lib/xerrno.h"
#include "vmm/core/acpi.h"

#define BASE 0xe0000ULL
#define BUF_SIZE 8192
#define CANARY 0xa5

static uint8_t buf[BUF_SIZE];

static const uint8_t *at(uint64_t gpa)
{
	assert_true(gpa >= BASE && gpa < BASE + BUF_SIZE);
	return buf + (gpa - BASE);
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static struct acpi_tables_layout build(const struct fw_config *c)
{
	struct acpi_tables_layout l;

	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(acpi_tables_build(c, BASE, buf, sizeof(buf), &l), 0);
	assert_int_equal(l.size, acpi_tables_size(c));
	return l;
}

static struct acpi_tables_layout build_default(unsigned cpus, bool hpet)
{
	struct fw_config c;

	fw_config_default(&c, cpus);
	c.hpet = hpet;
	return build(&c);
}

/* A table at gpa: signature, length as expected, checksum 0, inside the area. */
static void check_table(uint64_t gpa, const char *sig, size_t len, const struct acpi_tables_layout *l)
{
	const uint8_t *t = at(gpa);

	assert_memory_equal(t, sig, 4);
	assert_int_equal(rd32(t + 4), len);
	assert_true(gpa + len <= BASE + l->size);
	assert_int_equal(fw_sum(t, len), 0);
	assert_int_equal(gpa % 16, 0);
}

static void test_rsdp(void **state)
{
	struct acpi_tables_layout l = build_default(1, false);
	const uint8_t *r = at(l.rsdp);

	(void)state;
	assert_int_equal(l.rsdp, BASE);
	assert_memory_equal(r, "RSD PTR ", 8);
	assert_int_equal(fw_sum(r, 20), 0);
	assert_int_equal(fw_sum(r, 36), 0);
	assert_int_equal(r[15], 2);
	assert_int_equal(rd32(r + 16), 0); /* no RSDT */
	assert_int_equal(rd32(r + 20), 36);
	assert_int_equal(rd64(r + 24), l.xsdt);
	assert_memory_equal(r + 9, ACPI_OEM_ID, 6);
}

/* Every pointer is the base given plus the table's offset in the buffer. */
static void test_pointers_follow_base(void **state)
{
	const uint64_t base = 0x7ffe0040ULL;
	struct fw_config c;
	struct acpi_tables_layout l;
	uint64_t xsdt, fadt, madt;

	(void)state;
	fw_config_default(&c, 2);
	assert_int_equal(acpi_tables_build(&c, base, buf, sizeof(buf), &l), 0);
	assert_int_equal(l.rsdp, base);
	xsdt = rd64(buf + 24);
	assert_int_equal(xsdt, l.xsdt);
	assert_memory_equal(buf + (xsdt - base), "XSDT", 4);
	fadt = rd64(buf + (xsdt - base) + 36);
	madt = rd64(buf + (xsdt - base) + 44);
	assert_memory_equal(buf + (fadt - base), "FACP", 4);
	assert_memory_equal(buf + (madt - base), "APIC", 4);
	assert_memory_equal(buf + (rd64(buf + (fadt - base) + 140) - base), "DSDT", 4);
	assert_memory_equal(buf + (rd32(buf + (fadt - base) + 36) - base), "FACS", 4);
}

static void check_all(unsigned cpus, bool hpet)
{
	struct acpi_tables_layout l = build_default(cpus, hpet);
	size_t madt_len = 44 + 8 * cpus + 12 + 2 * 10 + 6;
	const uint8_t *x = at(l.xsdt);

	check_table(l.xsdt, "XSDT", 36 + 8 * (hpet ? 4 : 3), &l);
	check_table(l.fadt, "FACP", 276, &l);
	check_table(l.madt, "APIC", madt_len, &l);
	check_table(l.ssdt, "SSDT", rd32(at(l.ssdt) + 4), &l);
	check_table(l.dsdt, "DSDT", hpet ? fw_dsdt_hpet_aml_len : fw_dsdt_aml_len, &l);
	assert_int_equal(rd64(x + 36), l.fadt);
	assert_int_equal(rd64(x + 44), l.madt);
	assert_int_equal(rd64(x + 52), l.ssdt);
	if (hpet) {
		check_table(l.hpet, "HPET", 56, &l);
		assert_int_equal(rd64(x + 60), l.hpet);
	} else {
		assert_int_equal(l.hpet, 0);
	}
	/* FACS: no checksum, 64 bytes, 64-byte aligned. */
	assert_memory_equal(at(l.facs), "FACS", 4);
	assert_int_equal(rd32(at(l.facs) + 4), 64);
	assert_int_equal(l.facs % 64, 0);
	/* Nothing written past the end. */
	for (size_t i = l.size; i < BUF_SIZE; i++)
		assert_int_equal(buf[i], CANARY);
}

static void test_checksums_and_lengths(void **state)
{
	(void)state;
	check_all(1, false);
	check_all(1, true);
	check_all(4, false);
	check_all(4, true);
	check_all(FW_MAX_CPUS, true);
}

/* The MADT's entries, in order: local APICs, the IOAPIC, overrides, NMI. */
static void check_madt(unsigned cpus)
{
	struct acpi_tables_layout l = build_default(cpus, false);
	const uint8_t *m = at(l.madt), *e = m + 44;

	assert_int_equal(m[8], ACPI_MADT_REVISION);
	assert_int_equal(rd32(m + 36), 0xfee00000);
	assert_int_equal(rd32(m + 40), ACPI_MADT_PCAT_COMPAT);
	for (unsigned i = 0; i < cpus; i++, e += 8) {
		assert_int_equal(e[0], MADT_TYPE_LOCAL_APIC);
		assert_int_equal(e[1], 8);
		assert_int_equal(e[2], i);		/* processor UID */
		assert_int_equal(e[3], i);		/* APIC ID */
		assert_int_equal(rd32(e + 4), MADT_LAPIC_ENABLED);
	}
	assert_int_equal(e[0], MADT_TYPE_IOAPIC);
	assert_int_equal(e[1], 12);
	assert_int_equal(e[2], cpus);			/* IOAPIC ID after the CPUs */
	assert_int_equal(rd32(e + 4), 0xfec00000);
	assert_int_equal(rd32(e + 8), 0);
	e += 12;
	/* IRQ 0 -> GSI 2, edge, active high. */
	assert_int_equal(e[0], MADT_TYPE_INT_SRC_OVERRIDE);
	assert_int_equal(e[1], 10);
	assert_int_equal(e[2], 0);
	assert_int_equal(e[3], 0);
	assert_int_equal(rd32(e + 4), 2);
	assert_int_equal(e[8] | e[9] << 8, 0x5);
	e += 10;
	/* IRQ 9 (SCI) -> GSI 9, level, active low. */
	assert_int_equal(e[0], MADT_TYPE_INT_SRC_OVERRIDE);
	assert_int_equal(e[3], 9);
	assert_int_equal(rd32(e + 4), 9);
	assert_int_equal(e[8] | e[9] << 8, 0xf);
	e += 10;
	/* NMI on LINT1 of every processor. */
	assert_int_equal(e[0], MADT_TYPE_LOCAL_APIC_NMI);
	assert_int_equal(e[1], 6);
	assert_int_equal(e[2], 0xff);
	assert_int_equal(e[5], 1);
	assert_ptr_equal(e + 6, m + rd32(m + 4));
}

static void test_madt_one_cpu(void **state)
{
	(void)state;
	check_madt(1);
}

static void test_madt_four_cpus(void **state)
{
	(void)state;
	check_madt(4);
}

static void test_madt_custom_ids(void **state)
{
	struct fw_config c;
	struct acpi_tables_layout l;
	const uint8_t *e;

	(void)state;
	fw_config_default(&c, 3);
	c.apic_id[0] = 6;
	c.apic_id[1] = 2;
	c.apic_id[2] = 4;
	c.ioapic_id = 0;
	l = build(&c);
	e = at(l.madt) + 44;
	assert_int_equal(e[3], 6);
	assert_int_equal(e[8 + 3], 2);
	assert_int_equal(e[16 + 2], 2);	/* UID follows the order */
	assert_int_equal(e[16 + 3], 4);
	assert_int_equal(e[24 + 2], 0);	/* IOAPIC ID */
}

static void check_gas_io(const uint8_t *g, uint16_t port, uint8_t bits, uint8_t access)
{
	assert_int_equal(g[0], ACPI_GAS_SYSTEM_IO);
	assert_int_equal(g[1], bits);
	assert_int_equal(g[2], 0);
	assert_int_equal(g[3], access);
	assert_int_equal(rd64(g + 4), port);
}

static void test_fadt(void **state)
{
	struct acpi_tables_layout l = build_default(1, false);
	const uint8_t *f = at(l.fadt);
	uint32_t flags = rd32(f + 112);
	uint16_t boot_arch = (uint16_t)(f[109] | f[110] << 8);

	(void)state;
	assert_int_equal(f[8], 6);			/* FADT revision: ACPI 6.x */
	assert_int_equal(f[131], 3);			/* minor: 6.3 */
	assert_int_equal(rd32(f + 36), l.facs);
	assert_int_equal(rd64(f + 132), l.facs);
	assert_int_equal(rd32(f + 40), l.dsdt);
	assert_int_equal(rd64(f + 140), l.dsdt);
	assert_int_equal(f[46] | f[47] << 8, 9);	/* SCI_INT */
	assert_int_equal(rd32(f + 48), 0);		/* SMI_CMD: always ACPI mode */
	assert_int_equal(rd32(f + 56), 0x600);
	assert_int_equal(rd32(f + 64), 0x604);
	assert_int_equal(rd32(f + 76), 0x608);
	assert_int_equal(rd32(f + 60) | rd32(f + 68) | rd32(f + 72) | rd32(f + 80), 0);
	assert_int_equal(f[88], 4);
	assert_int_equal(f[89], 2);
	assert_int_equal(f[91], 4);
	check_gas_io(f + 148, 0x600, 32, ACPI_GAS_ACCESS_WORD);
	check_gas_io(f + 172, 0x604, 16, ACPI_GAS_ACCESS_WORD);
	check_gas_io(f + 208, 0x608, 32, ACPI_GAS_ACCESS_DWORD);
	check_gas_io(f + 116, 0xcf9, 8, ACPI_GAS_ACCESS_BYTE);
	assert_int_equal(f[128], 0x06);			/* RESET_VALUE */
	assert_true(flags & ACPI_FADT_RESET_REG_SUP);
	assert_true(flags & ACPI_FADT_WBINVD);
	assert_true(flags & ACPI_FADT_PROC_C1);
	assert_false(flags & ACPI_FADT_HW_REDUCED_ACPI);
	assert_false(flags & ACPI_FADT_TMR_VAL_EXT);	/* 24-bit PM timer */
	assert_true(boot_arch & ACPI_FADT_LEGACY_DEVICES);
	assert_false(boot_arch & ACPI_FADT_8042);
	assert_false(boot_arch & ACPI_FADT_CMOS_RTC_NOT_PRESENT);
	assert_true((f[96] | f[97] << 8) > 100);		/* no C2 */
	assert_true((f[98] | f[99] << 8) > 1000);	/* no C3 */
}

static void test_fadt_config_ports(void **state)
{
	struct fw_config c;
	struct acpi_tables_layout l;
	const uint8_t *f;

	(void)state;
	fw_config_default(&c, 1);
	c.pm1a_evt_blk = 0xb000;
	c.pm1a_cnt_blk = 0xb004;
	c.pm_tmr_blk = 0xb008;
	c.sci_irq = 10;
	c.override[1].irq = 10;
	c.override[1].gsi = 10;
	c.rtc_century = 0x32;
	l = build(&c);
	f = at(l.fadt);
	assert_int_equal(rd32(f + 56), 0xb000);
	assert_int_equal(rd64(f + 172 + 4), 0xb004);
	assert_int_equal(rd32(f + 76), 0xb008);
	assert_int_equal(f[46], 10);
	assert_int_equal(f[108], 0x32);
}

static void test_dsdt_copied_whole(void **state)
{
	struct acpi_tables_layout l = build_default(1, false);

	(void)state;
	assert_memory_equal(at(l.dsdt), fw_dsdt_aml, fw_dsdt_aml_len);
	assert_int_equal(fw_sum(fw_dsdt_aml, fw_dsdt_aml_len), 0);
	assert_int_equal(at(l.dsdt)[8], 2);		/* 64-bit AML integers */
	assert_true(l.dsdt + fw_dsdt_aml_len == BASE + l.size);
	l = build_default(2, true);
	assert_memory_equal(at(l.dsdt), fw_dsdt_hpet_aml, fw_dsdt_hpet_aml_len);
}

/* Whether the AML contains a 4-character name (a crude namespace check). */
static bool aml_has(const uint8_t *aml, size_t len, const char *name)
{
	for (size_t i = 0; i + 4 <= len; i++)
		if (!memcmp(aml + i, name, 4))
			return true;
	return false;
}

static void test_dsdt_contents(void **state)
{
	uint8_t typa, typb;

	(void)state;
	assert_int_equal(acpi_find_s5(fw_dsdt_aml + 36, fw_dsdt_aml_len - 36, &typa, &typb), 0);
	assert_int_equal(typa, FW_S5_SLP_TYP);
	assert_int_equal(typb, FW_S5_SLP_TYP);
	assert_true(aml_has(fw_dsdt_aml, fw_dsdt_aml_len, "PCI0"));
	assert_true(aml_has(fw_dsdt_aml, fw_dsdt_aml_len, "_PRT"));
	assert_true(aml_has(fw_dsdt_aml, fw_dsdt_aml_len, "_PIC"));
	assert_true(aml_has(fw_dsdt_aml, fw_dsdt_aml_len, "COM1"));
	assert_false(aml_has(fw_dsdt_aml, fw_dsdt_aml_len, "HPET"));
	assert_true(aml_has(fw_dsdt_hpet_aml, fw_dsdt_hpet_aml_len, "HPET"));
	assert_int_equal(acpi_find_s5(fw_dsdt_hpet_aml + 36, fw_dsdt_hpet_aml_len - 36, &typa,
				      &typb), 0);
	assert_int_equal(typa, FW_S5_SLP_TYP);
}

static const void *map(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (pa < BASE || pa - BASE > BUF_SIZE || len > BUF_SIZE - (pa - BASE))
		return NULL;
	return buf + (pa - BASE);
}

/* The VMM's parser of a machine's tables finds poweroff in ours. */
static void test_vmm_parser_reads_them(void **state)
{
	struct acpi_power p;
	struct acpi_tables_layout l = build_default(4, true);

	(void)state;
	assert_int_equal(acpi_parse_power(l.rsdp, map, NULL, &p), 0);
	assert_true(p.valid);
	assert_int_equal(p.pm1a_cnt, FW_PM1A_CNT_BLK);
	assert_int_equal(p.pm1b_cnt, 0);
	assert_int_equal(p.smi_cmd, 0);
	assert_int_equal(p.slp_typa, FW_S5_SLP_TYP);
}

/* The AML of one processor device, as iasl encodes Device (CPnn) {
 * Name (_HID, "ACPI0007") Name (_UID, uid) }; NULL if absent. */
static const uint8_t *find_cpu(const uint8_t *aml, size_t len, const char *name)
{
	for (size_t i = 3; i + 4 <= len; i++)
		if (!memcmp(aml + i, name, 4) && aml[i - 3] == 0x5b && aml[i - 2] == 0x82)
			return aml + i + 4;
	return NULL;
}

/* The SSDT declares one processor device per CPU, _UID = MADT UID. */
static void test_ssdt_processors(void **state)
{
	static const uint8_t hid[] = "\x08_HID\x0d" "ACPI0007";
	struct acpi_tables_layout l = build_default(FW_MAX_CPUS, false);
	const uint8_t *t = at(l.ssdt), *d;
	uint32_t len = rd32(t + 4);
	char name[5];

	(void)state;
	assert_int_equal(t[8], 2);
	assert_memory_equal(t + 36, "\x10", 1);		/* Scope */
	for (unsigned i = 0; i < FW_MAX_CPUS; i++) {
		snprintf(name, sizeof(name), "CP%02X", i);
		d = find_cpu(t, len, name);
		assert_non_null(d);
		assert_memory_equal(d, hid, sizeof(hid));	/* with the NUL */
		d += sizeof(hid);
		assert_memory_equal(d, "\x08_UID", 5);
		if (i <= 1)
			assert_int_equal(d[5], i);		/* ZeroOp, OneOp */
		else
			assert_true(d[5] == 0x0a && d[6] == i);	/* ByteConst */
	}
	assert_null(find_cpu(t, len, "CP40"));
	l = build_default(1, false);
	assert_non_null(find_cpu(at(l.ssdt), rd32(at(l.ssdt) + 4), "CP00"));
	assert_null(find_cpu(at(l.ssdt), rd32(at(l.ssdt) + 4), "CP01"));
}

static void test_hpet_table(void **state)
{
	struct acpi_tables_layout l = build_default(1, true);
	const uint8_t *h = at(l.hpet);

	(void)state;
	assert_int_equal(h[8], 1);
	assert_int_equal(rd32(h + 36), FW_HPET_BLOCK_ID);
	assert_int_equal(h[40], ACPI_GAS_SYSTEM_MEMORY);
	assert_int_equal(h[41], 64);
	assert_int_equal(rd64(h + 44), 0xfed00000);
	assert_int_equal(h[52], 0);
	assert_int_equal(h[55], HPET_PAGE_PROTECT_4K);
}

/* Every size short of the need fails and leaves the whole buffer alone. */
static void test_buffer_too_small(void **state)
{
	struct fw_config c;
	struct acpi_tables_layout l;
	size_t need;

	(void)state;
	fw_config_default(&c, 4);
	c.hpet = true;
	need = acpi_tables_size(&c);
	assert_true(need > 0 && need < BUF_SIZE);
	for (size_t n = 0; n < need; n++) {
		memset(buf, CANARY, sizeof(buf));
		assert_int_equal(acpi_tables_build(&c, BASE, buf, n, &l), -XT_ENOSPC);
		for (size_t i = 0; i < BUF_SIZE; i++)
			assert_int_equal(buf[i], CANARY);
	}
	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(acpi_tables_build(&c, BASE, buf, need, &l), 0);
	assert_int_equal(l.size, need);
	for (size_t i = need; i < BUF_SIZE; i++)
		assert_int_equal(buf[i], CANARY);
}

static int try_build(const struct fw_config *c, uint64_t base)
{
	struct acpi_tables_layout l;

	return acpi_tables_build(c, base, buf, sizeof(buf), &l);
}

static void test_bad_config(void **state)
{
	struct fw_config c;

	(void)state;
	fw_config_default(&c, 0);
	assert_int_equal(try_build(&c, BASE), -XT_EINVAL);
	assert_int_equal(acpi_tables_size(&c), 0);
	fw_config_default(&c, FW_MAX_CPUS + 1);
	assert_int_equal(try_build(&c, BASE), -XT_EINVAL);
	fw_config_default(&c, 4);
	c.apic_id[3] = 1;				/* two CPUs with ID 1 */
	assert_int_equal(try_build(&c, BASE), -XT_EINVAL);
	fw_config_default(&c, 4);
	c.ioapic_id = 2;				/* IOAPIC shares a CPU's ID */
	assert_int_equal(try_build(&c, BASE), -XT_EINVAL);
	fw_config_default(&c, 1);
	c.override[0].irq = 16;				/* not an ISA IRQ */
	assert_int_equal(try_build(&c, BASE), -XT_EINVAL);
	fw_config_default(&c, 1);
	c.override[1].irq = 0;				/* IRQ 0 twice */
	assert_int_equal(try_build(&c, BASE), -XT_EINVAL);
	fw_config_default(&c, 1);
	c.ioapic_pins = 16;				/* no pins for the PCI links */
	assert_int_equal(try_build(&c, BASE), -XT_EINVAL);
	fw_config_default(&c, 1);
	c.pm_tmr_blk = 0x605;				/* overlaps PM1a_CNT */
	assert_int_equal(try_build(&c, BASE), -XT_EINVAL);
	fw_config_default(&c, 1);
	assert_int_equal(try_build(&c, BASE + 16), -XT_EINVAL);
	assert_int_equal(try_build(&c, 0x100000000ULL), -XT_ERANGE);
	assert_int_equal(try_build(&c, 0x100000000ULL - 64), -XT_ERANGE);
	assert_int_equal(try_build(&c, 0), 0);
}

static void test_pci_routing(void **state)
{
	(void)state;
	assert_int_equal(fw_pci_gsi(0, FW_PCI_INTA), 16);
	assert_int_equal(fw_pci_gsi(1, FW_PCI_INTA), 17);
	assert_int_equal(fw_pci_gsi(3, FW_PCI_INTA), 19);
	assert_int_equal(fw_pci_gsi(3, 1), 16);
	assert_int_equal(fw_pci_gsi(31, FW_PCI_INTD), 18);
	assert_int_equal(fw_pci_pic_irq(3, FW_PCI_INTA), 11);	/* the e1000 today */
	assert_int_equal(fw_pci_pic_irq(0, FW_PCI_INTA), 10);
	assert_int_equal(fw_pci_pic_irq(1, FW_PCI_INTA), 10);
	assert_int_equal(fw_pci_pic_irq(2, FW_PCI_INTA), 11);
	for (unsigned s = 0; s < FW_PCI_SLOTS; s++)
		for (unsigned p = 0; p < 4; p++)
			assert_int_equal(fw_pci_gsi(s, p) - 16, fw_pci_link(s, p));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp),
		cmocka_unit_test(test_checksums_and_lengths),
		cmocka_unit_test(test_pointers_follow_base),
		cmocka_unit_test(test_madt_one_cpu),
		cmocka_unit_test(test_madt_four_cpus),
		cmocka_unit_test(test_madt_custom_ids),
		cmocka_unit_test(test_fadt),
		cmocka_unit_test(test_fadt_config_ports),
		cmocka_unit_test(test_dsdt_copied_whole),
		cmocka_unit_test(test_dsdt_contents),
		cmocka_unit_test(test_vmm_parser_reads_them),
		cmocka_unit_test(test_ssdt_processors),
		cmocka_unit_test(test_hpet_table),
		cmocka_unit_test(test_buffer_too_small),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_pci_routing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
