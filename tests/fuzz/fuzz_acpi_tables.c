/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the guest firmware tables (firmware/acpi_tables.c,
 * firmware/mptable.c). The input is a platform description (CPU count and
 * APIC IDs, IOAPIC, ISA overrides, PM ports, SCI, HPET), a guest-physical
 * base and a buffer size; the buffer is allocated at exactly that size so
 * ASan sees any write past it. Aborts when:
 * - a call fails but wrote to the buffer, or succeeds with a bad layout
 *   (size beyond the buffer or differing from *_size(), a table outside it);
 * - a call fails although the config is valid, the base aligned and below
 *   4 GiB and the buffer large enough;
 * - any checksum (RSDP both, every SDT, MP floating pointer and
 *   configuration table) or length is wrong, an XSDT entry or FADT pointer
 *   does not point at a table of the buffer, the MADT's entries do not add
 *   up to its length.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/acpi_tables.h"
#include "firmware/fw_config.h"
#include "firmware/mptable.h"
#include "lib/xerrno.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FILL 0xa5
#define FOUR_GIB 0x100000000ULL

struct input {
	const uint8_t *p;
	size_t left;
};

FUZZ_CHECKER static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

FUZZ_CHECKER static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

FUZZ_CHECKER static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* Start from the defaults, then let the input change every field. */
static void read_config(struct input *in, struct fw_config *c)
{
	fw_config_default(c, (unsigned)take(in, 1) % (FW_MAX_CPUS + 8));
	if (take(in, 1) & 1)
		for (unsigned i = 0; i < FW_MAX_CPUS; i++)
			c->apic_id[i] = (uint8_t)take(in, 1);
	if (take(in, 1) & 1) {
		c->ioapic_id = (uint8_t)take(in, 1);
		c->ioapic_gsi_base = (uint32_t)take(in, 1) & 0x1f;
		c->ioapic_pins = (uint8_t)take(in, 1);
	}
	if (take(in, 1) & 1) {
		c->override_count = (unsigned)take(in, 1) % (FW_MAX_OVERRIDES + 2);
		for (unsigned i = 0; i < FW_MAX_OVERRIDES; i++) {
			c->override[i].irq = (uint8_t)take(in, 1) % 20;
			c->override[i].gsi = (uint32_t)take(in, 1) % 32;
			c->override[i].flags = (uint16_t)take(in, 1) & 0x1f;
		}
	}
	if (take(in, 1) & 1) {
		c->pm1a_evt_blk = (uint16_t)take(in, 2);
		c->pm1a_cnt_blk = (uint16_t)take(in, 2);
		c->pm_tmr_blk = (uint16_t)take(in, 2);
		c->sci_irq = (uint8_t)take(in, 1) % 20;
	}
	c->hpet = take(in, 1) & 1;
}

FUZZ_CHECKER static void check_sdt(const uint8_t *buf, size_t used, uint64_t base, uint64_t gpa, const char *sig)
{
	size_t off;
	uint32_t len;

	check(gpa >= base && gpa - base + 36 <= used);
	off = (size_t)(gpa - base);
	len = rd32(buf + off + 4);
	check(!memcmp(buf + off, sig, 4) && len >= 36 && off + len <= used);
	check(fw_sum(buf + off, len) == 0);
}

FUZZ_CHECKER static void check_madt(const uint8_t *m, const struct fw_config *c)
{
	uint32_t len = rd32(m + 4), off = 44;
	unsigned cpus = 0;

	while (off < len) {
		check(m[off + 1] >= 2 && off + m[off + 1] <= len);
		cpus += m[off] == 0;
		off += m[off + 1];
	}
	check(off == len && cpus == c->cpu_count);
}

FUZZ_CHECKER static void check_acpi(const uint8_t *buf, const struct acpi_tables_layout *l,
		       const struct fw_config *c, uint64_t base)
{
	const uint8_t *r = buf + (l->rsdp - base), *x, *f;

	check(l->rsdp == base && !memcmp(r, "RSD PTR ", 8));
	check(fw_sum(r, 20) == 0 && fw_sum(r, 36) == 0);
	check_sdt(buf, l->size, base, rd64(r + 24), "XSDT");
	x = buf + (rd64(r + 24) - base);
	check(rd32(x + 4) == 36u + 8u * (c->hpet ? 4 : 3));
	check_sdt(buf, l->size, base, rd64(x + 36), "FACP");
	check_sdt(buf, l->size, base, rd64(x + 44), "APIC");
	check_sdt(buf, l->size, base, rd64(x + 52), "SSDT");
	if (c->hpet)
		check_sdt(buf, l->size, base, rd64(x + 60), "HPET");
	f = buf + (rd64(x + 36) - base);
	check_sdt(buf, l->size, base, rd64(f + 140), "DSDT");
	check(rd32(f + 40) == rd64(f + 140) && rd32(f + 36) == rd64(f + 132));
	check(rd64(f + 132) % 64 == 0 && !memcmp(buf + (rd64(f + 132) - base), "FACS", 4));
	check_madt(buf + (rd64(x + 44) - base), c);
}

FUZZ_CHECKER static void check_mp(const uint8_t *buf, const struct mptable_layout *l, uint64_t base)
{
	const uint8_t *t = buf + 16;
	uint16_t len;

	check(l->floating == base && !memcmp(buf, "_MP_", 4) && fw_sum(buf, 16) == 0);
	check(rd32(buf + 4) == base + 16 && l->size >= 16 + 44);
	len = (uint16_t)(t[4] | t[5] << 8);
	check(!memcmp(t, "PCMP", 4) && 16u + len == l->size && fw_sum(t, len) == 0);
	check((unsigned)(t[34] | t[35] << 8) == l->entries);
}

static uint8_t *fresh(size_t n)
{
	uint8_t *b = malloc(n ? n : 1);

	check(b != NULL);
	memset(b, FILL, n);
	return b;
}

FUZZ_CHECKER static bool untouched(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != FILL)
			return false;
	return true;
}

/* Whether a build with these arguments must succeed. */
FUZZ_CHECKER static bool should_fit(const struct fw_config *c, uint64_t base, size_t need, size_t n,
		       uint64_t align)
{
	return !fw_config_check(c) && base % align == 0 && base < FOUR_GIB &&
	       need <= FOUR_GIB - base && n >= need;
}

static void fuzz_acpi(const struct fw_config *c, uint64_t base, size_t n)
{
	struct acpi_tables_layout l;
	uint8_t *b = fresh(n);
	size_t need = acpi_tables_size(c);
	int rc = acpi_tables_build(c, base, b, n, &l);

	check(rc == 0 || rc == -XT_EINVAL || rc == -XT_ERANGE || rc == -XT_ENOSPC);
	check(!rc == should_fit(c, base, need, n, ACPI_TABLES_ALIGN));
	if (rc) {
		check(untouched(b, n));
	} else {
		check(l.size == need && l.size <= n);
		check_acpi(b, &l, c, base);
	}
	free(b);
}

static void fuzz_mp(const struct fw_config *c, uint64_t base, size_t n)
{
	struct mptable_layout l;
	uint8_t *b = fresh(n);
	size_t need = mptable_size(c);
	int rc = mptable_build(c, base, b, n, &l);

	check(rc == 0 || rc == -XT_EINVAL || rc == -XT_ERANGE || rc == -XT_ENOSPC);
	check(!rc == should_fit(c, base, need, n, MPTABLE_ALIGN));
	if (rc) {
		check(untouched(b, n));
	} else {
		check(l.size == need && l.size <= n);
		check_mp(b, &l, base);
	}
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct fw_config c;
	uint64_t base;
	size_t n;

	read_config(&in, &c);
	base = take(&in, 8);
	switch (take(&in, 1) & 3) {
	case 0: /* as given: odd, unaligned, above 4 GiB */
		break;
	case 1: /* aligned, below 4 GiB */
		base &= 0xffffffc0ULL;
		break;
	case 2: /* aligned, just below 4 GiB */
		base = (FOUR_GIB - (base & 0x3fff)) & ~63ULL;
		break;
	default: /* 16-byte aligned only */
		base &= 0xfffffff0ULL;
		break;
	}
	n = (size_t)take(&in, 2) % 8192;
	fuzz_acpi(&c, base, n);
	fuzz_mp(&c, base, n);
	return 0;
}
