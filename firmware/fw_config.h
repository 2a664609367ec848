/* SPDX-License-Identifier: MIT */
/*
 * The PC platform a guest's firmware tables describe, shared by the ACPI
 * generator (firmware/acpi_tables.c) and the MultiProcessor table generator
 * (firmware/mptable.c), so that the two can never disagree: the CPUs and
 * their local APIC IDs, the IOAPIC, the ISA interrupt overrides, the ACPI
 * power-management ports, and the PCI INTx routing (the same swizzle in the
 * DSDT's _PRT, in the MP table and in fw_pci_gsi()/fw_pci_pic_irq() below,
 * which the VMM uses to wire its devices and to fill PCI config 0x3C).
 *
 * Pure: no allocation, no global state. docs/guest-platform.md, "Firmware
 * tables", describes the default platform.
 */
#ifndef XTALK_FIRMWARE_FW_CONFIG_H
#define XTALK_FIRMWARE_FW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FW_MAX_CPUS		64
#define FW_MAX_OVERRIDES	16

#define FW_LAPIC_ADDR		0xfee00000U
#define FW_IOAPIC_ADDR		0xfec00000U
#define FW_IOAPIC_PINS		24
/* Fixed: the DSDT's HPET device names it too. */
#define FW_HPET_ADDR		0xfed00000U
/* HPET General Capabilities and ID register, bits 31:0 (IA-PC HPET 1.0a,
 * "General Capabilities and ID Register"): vendor 0x8086, LegacyReplacement
 * route capable, 64-bit counter, 3 timers (NUM_TIM_CAP 2), revision 1. */
#define FW_HPET_BLOCK_ID	0x8086a201U

/* ACPI fixed-hardware ports (ACPI 6.3, "PM1 Event Grouping", "PM1 Control
 * Grouping", "Power Management Timer"): a block at 0x600, as on Q35/ICH9
 * machines, free of every legacy ISA port. */
#define FW_PM1A_EVT_BLK		0x600	/* PM1a_STS (16 bits), PM1a_EN (16 bits) */
#define FW_PM1A_CNT_BLK		0x604	/* PM1a_CNT (16 bits) */
#define FW_PM_TMR_BLK		0x608	/* PM_TMR (24 bits in 32, 3.579545 MHz) */
#define FW_PM1_EVT_LEN		4
#define FW_PM1_CNT_LEN		2
#define FW_PM_TMR_LEN		4
#define FW_SCI_IRQ		9

/* The sleep type \_S5 carries and the OS writes to PM1a_CNT.SLP_TYP with
 * SLP_EN to power off. firmware/dsdt.asl must say the same (a unit test
 * reads it back from the AML). */
#define FW_S5_SLP_TYP		5

/* Legacy ISA IRQs of the platform's devices. */
#define FW_ISA_IRQ_PIT		0
#define FW_ISA_IRQ_COM1		4
#define FW_ISA_IRQ_RTC		8

/*
 * MPS INTI flags (ACPI 6.3, "Interrupt Source Override Structure", Table
 * "MPS INTI Flags"; the same encoding as the MultiProcessor Specification
 * 1.4 "I/O Interrupt Assignment Entries"): polarity in bits 1:0, trigger
 * mode in bits 3:2; 0 means "conforms to the bus" (ISA: edge, active high;
 * PCI: level, active low).
 */
#define FW_INTI_POLARITY_CONFORMS	0x0
#define FW_INTI_POLARITY_HIGH		0x1
#define FW_INTI_POLARITY_LOW		0x3
#define FW_INTI_TRIGGER_CONFORMS	(0x0 << 2)
#define FW_INTI_TRIGGER_EDGE		(0x1 << 2)
#define FW_INTI_TRIGGER_LEVEL		(0x3 << 2)

/* An ISA IRQ that does not reach the IOAPIC pin of the same number, or not
 * with the ISA default of edge/active high. */
struct fw_isa_override {
	uint8_t irq;		/* ISA IRQ, 0-15 */
	uint32_t gsi;		/* global system interrupt */
	uint16_t flags;		/* FW_INTI_* */
};

struct fw_config {
	unsigned cpu_count;			/* 1..FW_MAX_CPUS */
	uint8_t apic_id[FW_MAX_CPUS];		/* [0] is the bootstrap processor */
	uint32_t lapic_addr;
	uint32_t cpu_signature;			/* CPUID.1:EAX, for the MP table */
	uint32_t cpu_features;			/* CPUID.1:EDX, for the MP table */

	uint8_t ioapic_id;			/* distinct from every local APIC ID */
	uint32_t ioapic_addr;
	uint32_t ioapic_gsi_base;
	uint8_t ioapic_pins;			/* at least 16 + FW_PCI_LINKS when base is 0 */

	unsigned override_count;
	struct fw_isa_override override[FW_MAX_OVERRIDES];

	uint8_t sci_irq;			/* ISA IRQ of the ACPI SCI */
	uint16_t pm1a_evt_blk, pm1a_cnt_blk, pm_tmr_blk;
	uint8_t rtc_century;			/* CMOS index of the century, 0: none */

	bool hpet;				/* an HPET at FW_HPET_ADDR (table, device) */
	uint32_t hpet_block_id;			/* the emulated HPET's GCAP_ID, bits 31:0 */
};

/*
 * Fill *c with the default platform for cpu_count CPUs (local APIC IDs
 * 0..cpu_count-1, IOAPIC ID cpu_count, i.e. 1 for one vCPU), the IOAPIC at
 * FW_IOAPIC_ADDR with 24 pins at GSI 0, overrides IRQ 0 -> GSI 2 (edge,
 * high) and IRQ 9 -> GSI 9 (level, low: the SCI), the PM ports above, no
 * HPET. cpu_count is not checked here; fw_config_check() does.
 */
void fw_config_default(struct fw_config *c, unsigned cpu_count);

/*
 * 0 if the generators can describe *c, else -XT_EINVAL: no CPU or too many,
 * duplicate APIC IDs (local or IOAPIC), an override of a non-ISA IRQ or
 * too many, GSIs of PCI routing or overrides beyond the IOAPIC's pins, a PM
 * port of 0 or blocks that overlap, an SCI above 15.
 */
int fw_config_check(const struct fw_config *c);

/*
 * PCI INTx routing on bus 0 (the "swizzle"). Slot s, pin p (0 = INTA ..
 * 3 = INTD; PCI config 0x3D holds p + 1) drives link (s + p) mod 4, the
 * usual rotation that spreads the INTA of consecutive slots over the four
 * links. Link n reaches:
 *   - in APIC mode, GSI FW_PCI_GSI_BASE + n (IOAPIC pins 16-19), level,
 *     active low: above the ISA IRQs, so no ISA override is needed;
 *   - in PIC mode, 8259 IRQ 10 (links 0, 1) or 11 (links 2, 3), level
 *     (ELCR), what PC firmware commonly does; the e1000 at slot 3 INTA is
 *     link 3, IRQ 11.
 */
#define FW_PCI_LINKS		4
#define FW_PCI_GSI_BASE		16
#define FW_PCI_SLOTS		32
#define FW_PCI_INTA		0
#define FW_PCI_INTD		3

unsigned fw_pci_link(unsigned slot, unsigned pin);
/* GSI (APIC mode) of slot, pin; what _PRT and the MP table say. */
uint32_t fw_pci_gsi(unsigned slot, unsigned pin);
/* 8259 IRQ (PIC mode) of slot, pin: the value for PCI config 0x3C. */
uint8_t fw_pci_pic_irq(unsigned slot, unsigned pin);

/* The byte that makes the sum of len bytes at p, plus it, zero. */
uint8_t fw_checksum(const uint8_t *p, size_t len);
/* Sum of len bytes modulo 256 (0 for a table with a correct checksum). */
uint8_t fw_sum(const uint8_t *p, size_t len);

#endif
