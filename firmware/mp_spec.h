/* SPDX-License-Identifier: MIT */
/*
 * Byte layouts of the Intel MultiProcessor Specification 1.4 (chapter 4,
 * "MP Configuration Table"), named as there. Packed structs because these
 * are byte layouts the spec defines; the offsets are checked below.
 */
#ifndef XTALK_FIRMWARE_MP_SPEC_H
#define XTALK_FIRMWARE_MP_SPEC_H

#include <stddef.h>
#include <stdint.h>

#define MP_PACKED __attribute__((packed))
#define MP_SPEC_REV		4	/* version 1.4 */

/* "MP Floating Pointer Structure": 16-byte aligned, found by scanning. */
#define MPF_SIGNATURE		"_MP_"
#define MPF_FEATURE2_IMCRP	(1U << 7)	/* IMCR present (PIC mode); clear: virtual wire */
struct mpf_intel {
	char signature[4];
	uint32_t physptr;		/* the configuration table */
	uint8_t length;			/* in 16-byte units: 1 */
	uint8_t specification;
	uint8_t checksum;		/* all 16 bytes sum to 0 */
	uint8_t feature1;		/* 0: a configuration table is present */
	uint8_t feature2;
	uint8_t feature3, feature4, feature5;
} MP_PACKED;

/* "MP Configuration Table Header" */
#define MPC_SIGNATURE		"PCMP"
struct mpc_table {
	char signature[4];
	uint16_t length;		/* base table: header and entries */
	uint8_t spec;
	uint8_t checksum;		/* base table sums to 0 */
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount;		/* entry count */
	uint32_t lapic;			/* local APIC address */
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} MP_PACKED;

/* "Base MP Configuration Table Entry Types", in the order they must appear. */
#define MP_PROCESSOR		0
#define MP_BUS			1
#define MP_IOAPIC		2
#define MP_INTSRC		3
#define MP_LINTSRC		4

/* "Processor Entries" */
#define MPC_CPU_ENABLED		(1U << 0)
#define MPC_CPU_BOOTPROCESSOR	(1U << 1)
#define MPC_APIC_VERSION	0x14	/* an integrated local APIC (not 82489DX) */
struct mpc_cpu {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature;		/* CPU signature: CPUID.1:EAX */
	uint32_t featureflag;		/* CPUID.1:EDX */
	uint32_t reserved[2];
} MP_PACKED;

/* "Bus Entries": the bus type is a blank-padded string. */
#define MPC_BUS_PCI		"PCI   "
#define MPC_BUS_ISA		"ISA   "
struct mpc_bus {
	uint8_t type;
	uint8_t busid;
	char bustype[6];
} MP_PACKED;

/* "I/O APIC Entries" */
#define MPC_APIC_USABLE		(1U << 0)
#define MPC_IOAPIC_VERSION	0x11
struct mpc_ioapic {
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} MP_PACKED;

/* "I/O Interrupt Assignment Entries" and "Local Interrupt Assignment
 * Entries": interrupt types; flags as FW_INTI_*. A PCI source IRQ is
 * device << 2 | pin (0 = INTA). */
#define MP_INT			0
#define MP_NMI			1
#define MP_SMI			2
#define MP_EXTINT		3
#define MP_PCI_IRQ(dev, pin)	((uint8_t)((dev) << 2 | (pin)))
#define MP_APIC_ALL		0xff
struct mpc_intsrc {
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} MP_PACKED;

struct mpc_lintsrc {
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbusid;
	uint8_t srcbusirq;
	uint8_t destapic;
	uint8_t destapiclint;
} MP_PACKED;

#define MP_CHECK(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field)

MP_CHECK(mpf_intel, physptr, 4);
MP_CHECK(mpf_intel, checksum, 10);
MP_CHECK(mpf_intel, feature2, 12);
_Static_assert(sizeof(struct mpf_intel) == 16, "floating pointer length");
MP_CHECK(mpc_table, checksum, 7);
MP_CHECK(mpc_table, productid, 16);
MP_CHECK(mpc_table, oemcount, 34);
MP_CHECK(mpc_table, lapic, 36);
MP_CHECK(mpc_table, ext_checksum, 42);
_Static_assert(sizeof(struct mpc_table) == 44, "configuration table header length");
MP_CHECK(mpc_cpu, cpufeature, 4);
MP_CHECK(mpc_cpu, featureflag, 8);
_Static_assert(sizeof(struct mpc_cpu) == 20, "processor entry length");
_Static_assert(sizeof(struct mpc_bus) == 8, "bus entry length");
MP_CHECK(mpc_ioapic, apicaddr, 4);
_Static_assert(sizeof(struct mpc_ioapic) == 8, "I/O APIC entry length");
MP_CHECK(mpc_intsrc, srcbus, 4);
MP_CHECK(mpc_intsrc, dstirq, 7);
_Static_assert(sizeof(struct mpc_intsrc) == 8, "I/O interrupt entry length");
MP_CHECK(mpc_lintsrc, destapiclint, 7);
_Static_assert(sizeof(struct mpc_lintsrc) == 8, "local interrupt entry length");

#endif
