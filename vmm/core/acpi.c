/* SPDX-License-Identifier: MIT */
#include "vmm/core/acpi.h"

#include <string.h>

#include "lib/xerrno.h"

#define SDT_HEADER_LEN 36
#define RSDP_RSDT 16
#define RSDP_REVISION 15
#define RSDP_XSDT 24
#define RSDP_LEN_V2 36
#define FADT_DSDT 40
#define FADT_SMI_CMD 48
#define FADT_ACPI_ENABLE 52
#define FADT_PM1A_CNT 64
#define FADT_PM1B_CNT 68
#define FADT_X_DSDT 140
#define FADT_MIN_LEN 116
#define AML_NAME_OP 0x08
#define AML_PACKAGE_OP 0x12
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_BYTE_PREFIX 0x0a
#define SDT_MAX_LEN (16U << 20)

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static bool checksum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

/* Map a whole table after reading its header; NULL if absent or corrupt. */
static const uint8_t *map_sdt(uint64_t pa, acpi_map_fn map, void *ctx, uint32_t *len)
{
	const uint8_t *h = pa ? map(ctx, pa, SDT_HEADER_LEN) : NULL;

	if (!h)
		return NULL;
	*len = get32(h + 4);
	if (*len < SDT_HEADER_LEN || *len > SDT_MAX_LEN)
		return NULL;
	h = map(ctx, pa, *len);
	return h && checksum_ok(h, *len) ? h : NULL;
}

static const uint8_t *find_fadt(uint64_t rsdp_pa, acpi_map_fn map, void *ctx, uint32_t *len)
{
	const uint8_t *rsdp = map(ctx, rsdp_pa, RSDP_LEN_V2);
	bool x;
	uint64_t root_pa;
	const uint8_t *root;
	uint32_t root_len;

	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) || !checksum_ok(rsdp, 20))
		return NULL;
	x = rsdp[RSDP_REVISION] >= 2 && get64(rsdp + RSDP_XSDT);
	root_pa = x ? get64(rsdp + RSDP_XSDT) : get32(rsdp + RSDP_RSDT);
	root = map_sdt(root_pa, map, ctx, &root_len);
	if (!root)
		return NULL;
	for (uint32_t off = SDT_HEADER_LEN; off + (x ? 8 : 4) <= root_len; off += x ? 8 : 4) {
		uint64_t pa = x ? get64(root + off) : get32(root + off);
		const uint8_t *t = map(ctx, pa, SDT_HEADER_LEN);

		if (t && !memcmp(t, "FACP", 4))
			return map_sdt(pa, map, ctx, len);
	}
	return NULL;
}

static unsigned aml_int(const uint8_t *p, const uint8_t *end, uint8_t *val)
{
	if (p >= end)
		return 0;
	switch (p[0]) {
	case AML_ZERO_OP:
		*val = 0;
		return 1;
	case AML_ONE_OP:
		*val = 1;
		return 1;
	case AML_BYTE_PREFIX:
		if (p + 1 >= end)
			return 0;
		*val = p[1];
		return 2;
	default:
		return 0;
	}
}

int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
	for (size_t i = 1; i + 4 < len; i++) {
		const uint8_t *p = aml + i, *end = aml + len;
		unsigned n;

		if (memcmp(p, "_S5_", 4))
			continue;
		/* NameOp, optionally followed by the root prefix '\'. */
		if (p[-1] != AML_NAME_OP && !(p[-1] == '\\' && i >= 2 && p[-2] == AML_NAME_OP))
			continue;
		p += 4;
		if (p >= end || *p++ != AML_PACKAGE_OP || p >= end)
			continue;
		p += 1 + (*p >> 6); /* PkgLength: bits 7:6 count the extra bytes */
		if (p >= end)
			continue;
		p++; /* NumElements */
		n = aml_int(p, end, typa);
		if (!n)
			continue;
		if (!aml_int(p + n, end, typb))
			*typb = *typa;
		return 0;
	}
	return -XT_ENOENT;
}

int acpi_parse_power(uint64_t rsdp_pa, acpi_map_fn map, void *ctx, struct acpi_power *out)
{
	const uint8_t *fadt, *dsdt;
	uint32_t fadt_len, dsdt_len;
	uint64_t dsdt_pa;

	memset(out, 0, sizeof(*out));
	fadt = find_fadt(rsdp_pa, map, ctx, &fadt_len);
	if (!fadt || fadt_len < FADT_MIN_LEN)
		return -XT_ENOENT;
	out->pm1a_cnt = (uint16_t)get32(fadt + FADT_PM1A_CNT);
	out->pm1b_cnt = (uint16_t)get32(fadt + FADT_PM1B_CNT);
	out->smi_cmd = (uint16_t)get32(fadt + FADT_SMI_CMD);
	out->acpi_enable = fadt[FADT_ACPI_ENABLE];
	dsdt_pa = fadt_len >= FADT_X_DSDT + 8 && get64(fadt + FADT_X_DSDT)
			  ? get64(fadt + FADT_X_DSDT)
			  : get32(fadt + FADT_DSDT);
	dsdt = map_sdt(dsdt_pa, map, ctx, &dsdt_len);
	if (!out->pm1a_cnt || !dsdt)
		return -XT_ENOENT;
	if (acpi_find_s5(dsdt + SDT_HEADER_LEN, dsdt_len - SDT_HEADER_LEN, &out->slp_typa,
			 &out->slp_typb))
		return -XT_ENOENT;
	out->valid = true;
	return 0;
}
