/* SPDX-License-Identifier: MIT */
/*
 * AML for the processor devices (acpi_cpus.h), encoded as iasl would
 * encode the ASL
 *
 *   Scope (\_SB) { Device (CP00) { Name (_HID, "ACPI0007") Name (_UID, 0) } ... }
 *
 * so that `iasl -d` and a recompile give the same bytes. ACPI 6.3, "ACPI
 * Machine Language (AML) Specification": "Package Length Encoding",
 * "Namespace Modifier Objects Encoding" (ScopeOp, NameOp), "Named Objects
 * Encoding" (DeviceOp), "Data Objects Encoding".
 */
#include "firmware/acpi_cpus.h"

#include <string.h>

#define AML_ZERO_OP		0x00
#define AML_ONE_OP		0x01
#define AML_NAME_OP		0x08
#define AML_BYTE_PREFIX		0x0a
#define AML_STRING_PREFIX	0x0d
#define AML_SCOPE_OP		0x10
#define AML_ROOT_CHAR		'\\'
#define AML_EXT_OP_PREFIX	0x5b
#define AML_DEVICE_OP		0x82	/* after AML_EXT_OP_PREFIX */

#define HID_LEN		(1 + 4 + 1 + sizeof("ACPI0007"))	/* NameOp _HID "ACPI0007\0" */
#define SB_NAME_LEN	5					/* \_SB_ */

/* Name (_UID, uid): Zero, One or a ByteConst, as iasl folds them. */
static size_t uid_len(unsigned uid)
{
	return 1 + 4 + (uid > 1 ? 2 : 1);
}

static size_t device_body_len(unsigned uid)
{
	return 4 + HID_LEN + uid_len(uid);	/* NameSeg, then the two names */
}

/* A PkgLength counts itself: 1 byte up to 63, 2 bytes up to 4095. */
static size_t pkg_len(size_t body)
{
	return body + 1 < 64 ? body + 1 : body + 2;
}

static size_t put_pkg_len(uint8_t *p, size_t total)
{
	if (total < 64) {
		p[0] = (uint8_t)total;
		return 1;
	}
	p[0] = (uint8_t)(1 << 6 | (total & 0xf));
	p[1] = (uint8_t)(total >> 4);
	return 2;
}

static size_t devices_len(unsigned cpus)
{
	size_t n = 0;

	for (unsigned i = 0; i < cpus; i++)
		n += 2 + pkg_len(device_body_len(i));
	return n;
}

size_t acpi_cpus_aml_len(unsigned cpus)
{
	return 1 + pkg_len(SB_NAME_LEN + devices_len(cpus));
}

static size_t put_uid(uint8_t *p, unsigned uid)
{
	p[0] = AML_NAME_OP;
	memcpy(p + 1, "_UID", 4);
	if (uid <= 1) {
		p[5] = uid ? AML_ONE_OP : AML_ZERO_OP;
		return 6;
	}
	p[5] = AML_BYTE_PREFIX;
	p[6] = (uint8_t)uid;
	return 7;
}

static size_t put_device(uint8_t *p, unsigned i)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 2;

	p[0] = AML_EXT_OP_PREFIX;
	p[1] = AML_DEVICE_OP;
	n += put_pkg_len(p + n, pkg_len(device_body_len(i)));
	p[n++] = 'C';
	p[n++] = 'P';
	p[n++] = (uint8_t)hex[(i >> 4) & 0xf];
	p[n++] = (uint8_t)hex[i & 0xf];
	p[n++] = AML_NAME_OP;
	memcpy(p + n, "_HID", 4);
	p[n + 4] = AML_STRING_PREFIX;
	memcpy(p + n + 5, "ACPI0007", sizeof("ACPI0007"));
	n += HID_LEN - 1;
	return n + put_uid(p + n, i);
}

size_t acpi_cpus_aml(uint8_t *aml, unsigned cpus)
{
	size_t n = 1;

	aml[0] = AML_SCOPE_OP;
	n += put_pkg_len(aml + n, pkg_len(SB_NAME_LEN + devices_len(cpus)));
	aml[n++] = AML_ROOT_CHAR;
	memcpy(aml + n, "_SB_", 4);
	n += 4;
	for (unsigned i = 0; i < cpus; i++)
		n += put_device(aml + n, i);
	return n;
}
