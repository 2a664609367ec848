/* SPDX-License-Identifier: MIT */
/* Host tests for the ACPI power-off table parsing (vmm/core/acpi.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/xerrno.h"
#include "vmm/core/acpi.h"

/* A fake physical address space: 64 KiB at PA 0x100000. */
#define MEM_BASE 0x100000ULL
#define MEM_SIZE 0x10000
#define RSDP_PA (MEM_BASE + 0x0)
#define XSDT_PA (MEM_BASE + 0x100)
#define FADT_PA (MEM_BASE + 0x400)
#define DSDT_PA (MEM_BASE + 0x1000)

static uint8_t mem[MEM_SIZE];

static const void *map(void *ctx, uint64_t pa, size_t len)
{
	(void)ctx;
	if (pa < MEM_BASE || pa - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (pa - MEM_BASE))
		return NULL;
	return mem + (pa - MEM_BASE);
}

static uint8_t *at(uint64_t pa)
{
	return mem + (pa - MEM_BASE);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void fix_checksum(uint8_t *p, size_t len, size_t sum_off)
{
	uint8_t s = 0;

	p[sum_off] = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	p[sum_off] = (uint8_t)-s;
}

static void sdt(uint64_t pa, const char *sig, uint32_t len)
{
	memcpy(at(pa), sig, 4);
	put32(at(pa) + 4, len);
	at(pa)[8] = 2;
}

/* RSDP rev 2 -> XSDT -> FADT (PM1a 0xb004, SMI 0xb2/0xf1) -> DSDT with aml. */
static void build_tables(const uint8_t *aml, size_t aml_len)
{
	memset(mem, 0, sizeof(mem));
	memcpy(at(RSDP_PA), "RSD PTR ", 8);
	at(RSDP_PA)[15] = 2;
	put64(at(RSDP_PA) + 24, XSDT_PA);
	fix_checksum(at(RSDP_PA), 20, 8);

	sdt(XSDT_PA, "XSDT", 36 + 16);
	put64(at(XSDT_PA) + 36, XSDT_PA + 0x200); /* an unrelated table first */
	put64(at(XSDT_PA) + 44, FADT_PA);
	sdt(XSDT_PA + 0x200, "APIC", 44);
	fix_checksum(at(XSDT_PA + 0x200), 44, 9);
	fix_checksum(at(XSDT_PA), 36 + 16, 9);

	sdt(FADT_PA, "FACP", 244);
	put32(at(FADT_PA) + 40, (uint32_t)DSDT_PA);
	put32(at(FADT_PA) + 48, 0xb2);
	at(FADT_PA)[52] = 0xf1;
	put32(at(FADT_PA) + 64, 0xb004);
	fix_checksum(at(FADT_PA), 244, 9);

	sdt(DSDT_PA, "DSDT", (uint32_t)(36 + aml_len));
	memcpy(at(DSDT_PA) + 36, aml, aml_len);
	fix_checksum(at(DSDT_PA), 36 + aml_len, 9);
}

/* Name (_S5, Package (4) { 5, 5, 0, 0 }) as iasl emits it, after some noise. */
static const uint8_t s5_byte_prefix[] = { 0x10, 0x05, '_', 'S', 'B', '_', 0x08, '_', 'S', '5',
					  '_', 0x12, 0x0a, 0x04, 0x0a, 0x05, 0x0a, 0x05,
					  0x00, 0x00 };

static void test_parse_full_chain(void **state)
{
	struct acpi_power pw;

	(void)state;
	build_tables(s5_byte_prefix, sizeof(s5_byte_prefix));
	assert_int_equal(acpi_parse_power(RSDP_PA, map, NULL, &pw), 0);
	assert_true(pw.valid);
	assert_int_equal(pw.pm1a_cnt, 0xb004);
	assert_int_equal(pw.pm1b_cnt, 0);
	assert_int_equal(pw.smi_cmd, 0xb2);
	assert_int_equal(pw.acpi_enable, 0xf1);
	assert_int_equal(pw.slp_typa, 5);
	assert_int_equal(pw.slp_typb, 5);
}

static void test_rsdt_when_revision_1(void **state)
{
	struct acpi_power pw;

	(void)state;
	build_tables(s5_byte_prefix, sizeof(s5_byte_prefix));
	at(RSDP_PA)[15] = 0;
	put32(at(RSDP_PA) + 16, (uint32_t)(XSDT_PA + 0x240));
	fix_checksum(at(RSDP_PA), 20, 8);
	sdt(XSDT_PA + 0x240, "RSDT", 40);
	put32(at(XSDT_PA + 0x240) + 36, (uint32_t)FADT_PA);
	fix_checksum(at(XSDT_PA + 0x240), 40, 9);
	assert_int_equal(acpi_parse_power(RSDP_PA, map, NULL, &pw), 0);
	assert_int_equal(pw.pm1a_cnt, 0xb004);
}

static void test_bad_checksums_rejected(void **state)
{
	struct acpi_power pw;

	(void)state;
	build_tables(s5_byte_prefix, sizeof(s5_byte_prefix));
	at(RSDP_PA)[1] ^= 1;
	assert_int_equal(acpi_parse_power(RSDP_PA, map, NULL, &pw), -XT_ENOENT);
	build_tables(s5_byte_prefix, sizeof(s5_byte_prefix));
	at(FADT_PA)[64] ^= 1;
	assert_int_equal(acpi_parse_power(RSDP_PA, map, NULL, &pw), -XT_ENOENT);
	assert_false(pw.valid);
}

static void test_table_length_beyond_memory(void **state)
{
	struct acpi_power pw;

	(void)state;
	build_tables(s5_byte_prefix, sizeof(s5_byte_prefix));
	put32(at(XSDT_PA) + 4, 0x7fffffff);
	assert_int_equal(acpi_parse_power(RSDP_PA, map, NULL, &pw), -XT_ENOENT);
	assert_int_equal(acpi_parse_power(0, map, NULL, &pw), -XT_ENOENT);
}

static void test_s5_forms(void **state)
{
	static const uint8_t zero_one[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x01 };
	static const uint8_t rooted[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 7 };
	static const uint8_t not_name[] = { 0x70, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 7 };
	static const uint8_t long_pkglen[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x00, 0x02, 0x0a, 3, 0x0a, 4 };
	uint8_t a = 0xee, b = 0xee;

	(void)state;
	assert_int_equal(acpi_find_s5(zero_one, sizeof(zero_one), &a, &b), 0);
	assert_int_equal(a, 0);
	assert_int_equal(b, 1);
	assert_int_equal(acpi_find_s5(rooted, sizeof(rooted), &a, &b), 0);
	assert_int_equal(a, 7);
	assert_int_equal(b, 7); /* one element: b repeats a */
	assert_int_equal(acpi_find_s5(not_name, sizeof(not_name), &a, &b), -XT_ENOENT);
	assert_int_equal(acpi_find_s5(long_pkglen, sizeof(long_pkglen), &a, &b), 0);
	assert_int_equal(a, 3);
	assert_int_equal(b, 4);
}

/* Every truncation of the AML, in an exact-size heap copy, stays in bounds. */
static void test_s5_truncated(void **state)
{
	(void)state;
	for (size_t n = 0; n <= sizeof(s5_byte_prefix); n++) {
		uint8_t *copy = malloc(n ? n : 1);
		uint8_t a, b;
		int rc;

		memcpy(copy, s5_byte_prefix, n);
		rc = acpi_find_s5(copy, n, &a, &b);
		assert_int_equal(rc, n >= 16 ? 0 : -XT_ENOENT);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full_chain),
		cmocka_unit_test(test_rsdt_when_revision_1),
		cmocka_unit_test(test_bad_checksums_rejected),
		cmocka_unit_test(test_table_length_beyond_memory),
		cmocka_unit_test(test_s5_forms),
		cmocka_unit_test(test_s5_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
