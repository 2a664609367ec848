/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the MultiProcessor Specification table (firmware/mptable.c):
 * the floating pointer and its checksum, the configuration table header, and
 * every entry in order for 1 and 4 CPUs: processors, buses, the IOAPIC, the
 * ISA and PCI interrupt assignments (the same routing as the DSDT's _PRT),
 * the local interrupts; buffer bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "firmware/fw_config.h"
#include "firmware/mp_spec.h"
#include "firmware/mptable.h"
#include "lib/xerrno.h"

#define BASE 0xf0000ULL
#define BUF_SIZE 8192
#define CANARY 0x5a

static uint8_t buf[BUF_SIZE];

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static struct mptable_layout build(const struct fw_config *c)
{
	struct mptable_layout l;

	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(mptable_build(c, BASE, buf, sizeof(buf), &l), 0);
	assert_int_equal(l.size, mptable_size(c));
	for (size_t i = l.size; i < BUF_SIZE; i++)
		assert_int_equal(buf[i], CANARY);
	return l;
}

static void test_floating_pointer(void **state)
{
	struct fw_config c;
	struct mptable_layout l;

	(void)state;
	fw_config_default(&c, 1);
	l = build(&c);
	assert_int_equal(l.floating, BASE);
	assert_int_equal(l.config, BASE + 16);
	assert_memory_equal(buf, "_MP_", 4);
	assert_int_equal(rd32(buf + 4), BASE + 16);
	assert_int_equal(buf[8], 1);			/* 16-byte units */
	assert_int_equal(buf[9], 4);			/* version 1.4 */
	assert_int_equal(fw_sum(buf, 16), 0);
	assert_int_equal(buf[11], 0);			/* a configuration table follows */
	assert_int_equal(buf[12] & MPF_FEATURE2_IMCRP, 0);	/* virtual wire */
}

/* Walk the entries: each is 20 bytes (processor) or 8, types never decrease. */
static const uint8_t *next(const uint8_t *e)
{
	return e + (e[0] == MP_PROCESSOR ? 20 : 8);
}

static const uint8_t *check_header(const struct mptable_layout *l)
{
	const uint8_t *t = buf + 16, *e;
	uint16_t len = rd16(t + 4);
	unsigned n = 0, type = MP_PROCESSOR;

	assert_memory_equal(t, "PCMP", 4);
	assert_int_equal(t[6], 4);
	assert_int_equal(fw_sum(t, len), 0);
	assert_int_equal(16 + len, l->size);
	assert_int_equal(rd16(t + 34), l->entries);
	assert_int_equal(rd32(t + 36), 0xfee00000);
	assert_int_equal(rd16(t + 40), 0);		/* no extended table */
	for (e = t + 44; e < t + len; e = next(e), n++) {
		assert_true(e[0] >= type && e[0] <= MP_LINTSRC);
		type = e[0];
	}
	assert_ptr_equal(e, t + len);
	assert_int_equal(n, l->entries);
	return t + 44;
}

static const uint8_t *check_cpus(const uint8_t *e, unsigned cpus)
{
	for (unsigned i = 0; i < cpus; i++, e += 20) {
		assert_int_equal(e[0], MP_PROCESSOR);
		assert_int_equal(e[1], i);
		assert_int_equal(e[2], MPC_APIC_VERSION);
		assert_int_equal(e[3], MPC_CPU_ENABLED | (i == 0 ? MPC_CPU_BOOTPROCESSOR : 0));
	}
	return e;
}

static const uint8_t *check_buses_ioapic(const uint8_t *e, unsigned ioapic_id)
{
	assert_int_equal(e[0], MP_BUS);
	assert_int_equal(e[1], MPTABLE_BUS_PCI);
	assert_memory_equal(e + 2, "PCI   ", 6);
	assert_int_equal(e[8], MP_BUS);
	assert_int_equal(e[9], MPTABLE_BUS_ISA);
	assert_memory_equal(e + 10, "ISA   ", 6);
	e += 16;
	assert_int_equal(e[0], MP_IOAPIC);
	assert_int_equal(e[1], ioapic_id);
	assert_int_equal(e[3], MPC_APIC_USABLE);
	assert_int_equal(rd32(e + 4), 0xfec00000);
	return e + 8;
}

static void check_intsrc(const uint8_t *e, uint8_t bus, uint8_t irq, uint8_t pin, uint16_t flags,
			 unsigned ioapic_id)
{
	assert_int_equal(e[0], MP_INTSRC);
	assert_int_equal(e[1], MP_INT);
	assert_int_equal(rd16(e + 2), flags);
	assert_int_equal(e[4], bus);
	assert_int_equal(e[5], irq);
	assert_int_equal(e[6], ioapic_id);
	assert_int_equal(e[7], pin);
}

/* ISA IRQs 0-15 except 2: IRQ 0 on pin 2, IRQ 9 level/low, others as-is. */
static const uint8_t *check_isa(const uint8_t *e, unsigned ioapic_id)
{
	for (unsigned irq = 0; irq < 16; irq++) {
		uint16_t flags = irq == 0 ? 0x5 : irq == 9 ? 0xf : 0;

		if (irq == 2)
			continue;
		check_intsrc(e, MPTABLE_BUS_ISA, (uint8_t)irq, irq == 0 ? 2 : (uint8_t)irq, flags,
			     ioapic_id);
		e += 8;
	}
	return e;
}

static const uint8_t *check_pci(const uint8_t *e, unsigned ioapic_id)
{
	for (unsigned slot = 0; slot < 32; slot++)
		for (unsigned pin = 0; pin < 4; pin++, e += 8)
			check_intsrc(e, MPTABLE_BUS_PCI, (uint8_t)(slot << 2 | pin),
				     (uint8_t)(16 + (slot + pin) % 4), 0xf, ioapic_id);
	return e;
}

static void check_local(const uint8_t *e)
{
	assert_int_equal(e[0], MP_LINTSRC);
	assert_int_equal(e[1], MP_EXTINT);
	assert_int_equal(e[6], 0xff);
	assert_int_equal(e[7], 0);
	assert_int_equal(e[8], MP_LINTSRC);
	assert_int_equal(e[9], MP_NMI);
	assert_int_equal(e[14], 0xff);
	assert_int_equal(e[15], 1);
}

static void check_cpus_table(unsigned cpus)
{
	struct fw_config c;
	struct mptable_layout l;
	const uint8_t *e;

	fw_config_default(&c, cpus);
	l = build(&c);
	assert_int_equal(l.entries, cpus + 2 + 1 + 15 + 128 + 2);
	e = check_header(&l);
	e = check_cpus(e, cpus);
	e = check_buses_ioapic(e, cpus);
	e = check_isa(e, cpus);
	e = check_pci(e, cpus);
	check_local(e);
}

static void test_one_cpu(void **state)
{
	(void)state;
	check_cpus_table(1);
}

static void test_four_cpus(void **state)
{
	(void)state;
	check_cpus_table(4);
}

static void test_max_cpus(void **state)
{
	(void)state;
	check_cpus_table(FW_MAX_CPUS);
}

/* The PCI entries are fw_pci_gsi(): what the VMM wires and _PRT says. */
static void test_pci_matches_routing(void **state)
{
	struct fw_config c;
	struct mptable_layout l;
	const uint8_t *e;

	(void)state;
	fw_config_default(&c, 1);
	l = build(&c);
	e = check_header(&l) + 20 + 16 + 8 + 15 * 8;
	for (unsigned i = 0; i < 128; i++, e += 8)
		assert_int_equal(e[7], fw_pci_gsi(e[5] >> 2, e[5] & 3));
}

static void test_no_override(void **state)
{
	struct fw_config c;
	struct mptable_layout l;
	const uint8_t *e;

	(void)state;
	fw_config_default(&c, 1);
	c.override_count = 0;
	l = build(&c);
	assert_int_equal(l.entries, 1 + 3 + 16 + 128 + 2);
	e = check_header(&l) + 20 + 16 + 8;
	for (unsigned irq = 0; irq < 16; irq++, e += 8)
		check_intsrc(e, MPTABLE_BUS_ISA, (uint8_t)irq, (uint8_t)irq, 0, 1);
}

static void test_buffer_too_small(void **state)
{
	struct fw_config c;
	struct mptable_layout l;
	size_t need;

	(void)state;
	fw_config_default(&c, 4);
	need = mptable_size(&c);
	for (size_t n = 0; n < need; n++) {
		memset(buf, CANARY, sizeof(buf));
		assert_int_equal(mptable_build(&c, BASE, buf, n, &l), -XT_ENOSPC);
		for (size_t i = 0; i < BUF_SIZE; i++)
			assert_int_equal(buf[i], CANARY);
	}
	assert_int_equal(mptable_build(&c, BASE, buf, need, &l), 0);
}

static void test_bad_placement(void **state)
{
	struct fw_config c;
	struct mptable_layout l;

	(void)state;
	fw_config_default(&c, 1);
	assert_int_equal(mptable_build(&c, BASE + 8, buf, sizeof(buf), &l), -XT_EINVAL);
	assert_int_equal(mptable_build(&c, 0xffffff00ULL, buf, sizeof(buf), &l), -XT_ERANGE);
	c.cpu_count = 0;
	assert_int_equal(mptable_build(&c, BASE, buf, sizeof(buf), &l), -XT_EINVAL);
	assert_int_equal(mptable_size(&c), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_floating_pointer),
		cmocka_unit_test(test_one_cpu),
		cmocka_unit_test(test_four_cpus),
		cmocka_unit_test(test_max_cpus),
		cmocka_unit_test(test_pci_matches_routing),
		cmocka_unit_test(test_no_override),
		cmocka_unit_test(test_buffer_too_small),
		cmocka_unit_test(test_bad_placement),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
