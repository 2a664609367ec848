/* SPDX-License-Identifier: MIT */
/*
 * Byte layouts of the ACPI tables xtalk gives its guests, with the names of
 * the ACPI Specification 6.3 (chapter "ACPI Software Programming Model").
 * Packed structs because these are byte layouts the spec defines; every
 * offset is checked against the spec's tables below. Multi-byte fields are
 * little endian (x86 hosts only, see lib/le.h).
 */
#ifndef XTALK_FIRMWARE_ACPI_SPEC_H
#define XTALK_FIRMWARE_ACPI_SPEC_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_PACKED __attribute__((packed))

/* "Root System Description Pointer (RSDP) Structure" */
#define ACPI_RSDP_SIGNATURE	"RSD PTR "
#define ACPI_RSDP_REVISION	2	/* ACPI 2.0 and later: XSDT, extended checksum */
#define ACPI_RSDP_V1_LEN	20	/* bytes the first checksum covers */
struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;		/* first 20 bytes */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;		/* of the whole structure */
	uint64_t xsdt_address;
	uint8_t extended_checksum;	/* whole structure */
	uint8_t reserved[3];
} ACPI_PACKED;

/* "System Description Table Header" */
struct acpi_table_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char asl_compiler_id[4];
	uint32_t asl_compiler_revision;
} ACPI_PACKED;

/* "Generic Address Structure (GAS)" */
#define ACPI_GAS_SYSTEM_MEMORY	0
#define ACPI_GAS_SYSTEM_IO	1
#define ACPI_GAS_ACCESS_BYTE	1
#define ACPI_GAS_ACCESS_WORD	2
#define ACPI_GAS_ACCESS_DWORD	3
struct acpi_gas {
	uint8_t space_id;
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;
} ACPI_PACKED;

/* "Extended System Description Table (XSDT)": the header, then 64-bit table
 * addresses. */
#define ACPI_XSDT_SIGNATURE	"XSDT"
#define ACPI_XSDT_REVISION	1

/* "Fixed ACPI Description Table (FADT)", ACPI 6.3: major version 6, minor 3. */
#define ACPI_FADT_SIGNATURE	"FACP"
#define ACPI_FADT_REVISION	6
#define ACPI_FADT_MINOR_REVISION 3
/* "Fixed ACPI Description Table Fixed Feature Flags" */
#define ACPI_FADT_WBINVD		(1U << 0)
#define ACPI_FADT_WBINVD_FLUSH		(1U << 1)
#define ACPI_FADT_PROC_C1		(1U << 2)
#define ACPI_FADT_P_LVL2_UP		(1U << 3)
#define ACPI_FADT_PWR_BUTTON		(1U << 4)
#define ACPI_FADT_SLP_BUTTON		(1U << 5)
#define ACPI_FADT_FIX_RTC		(1U << 6)
#define ACPI_FADT_RTC_S4		(1U << 7)
#define ACPI_FADT_TMR_VAL_EXT		(1U << 8)
#define ACPI_FADT_DCK_CAP		(1U << 9)
#define ACPI_FADT_RESET_REG_SUP		(1U << 10)
#define ACPI_FADT_SEALED_CASE		(1U << 11)
#define ACPI_FADT_HEADLESS		(1U << 12)
#define ACPI_FADT_HW_REDUCED_ACPI	(1U << 20)
/* "IA-PC Boot Architecture Flags" */
#define ACPI_FADT_LEGACY_DEVICES	(1U << 0)
#define ACPI_FADT_8042			(1U << 1)
#define ACPI_FADT_VGA_NOT_PRESENT	(1U << 2)
#define ACPI_FADT_MSI_NOT_SUPPORTED	(1U << 3)
#define ACPI_FADT_PCIE_ASPM_CONTROLS	(1U << 4)
#define ACPI_FADT_CMOS_RTC_NOT_PRESENT	(1U << 5)
/* P_LVL2_LAT above 100 and P_LVL3_LAT above 1000: no C2, no C3. */
#define ACPI_FADT_P_LVL2_NONE		101
#define ACPI_FADT_P_LVL3_NONE		1001
struct acpi_fadt {
	struct acpi_table_header header;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t fadt_minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_identity;
} ACPI_PACKED;

/* "Firmware ACPI Control Structure (FACS)": 64-byte aligned. */
#define ACPI_FACS_SIGNATURE	"FACS"
#define ACPI_FACS_VERSION	2
#define ACPI_FACS_ALIGN		64
struct acpi_facs {
	char signature[4];
	uint32_t length;
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;
	uint8_t reserved0[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
} ACPI_PACKED;

/* "Multiple APIC Description Table (MADT)", ACPI 6.3 revision 5. */
#define ACPI_MADT_SIGNATURE	"APIC"
#define ACPI_MADT_REVISION	5
#define ACPI_MADT_PCAT_COMPAT	(1U << 0)	/* "Multiple APIC Flags": 8259s present */
struct acpi_madt {
	struct acpi_table_header header;
	uint32_t local_apic_address;
	uint32_t flags;
} ACPI_PACKED;

/* "Interrupt Controller Structure Types" */
#define MADT_TYPE_LOCAL_APIC		0
#define MADT_TYPE_IOAPIC		1
#define MADT_TYPE_INT_SRC_OVERRIDE	2
#define MADT_TYPE_LOCAL_APIC_NMI	4

/* "Processor Local APIC Structure"; "Local APIC Flags" */
#define MADT_LAPIC_ENABLED		(1U << 0)
struct madt_local_apic {
	uint8_t type;
	uint8_t length;
	uint8_t acpi_processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} ACPI_PACKED;

/* "I/O APIC Structure" */
struct madt_ioapic {
	uint8_t type;
	uint8_t length;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t ioapic_address;
	uint32_t gsi_base;
} ACPI_PACKED;

/* "Interrupt Source Override Structure": bus 0 is ISA. */
#define MADT_ISO_BUS_ISA		0
struct madt_int_src_override {
	uint8_t type;
	uint8_t length;
	uint8_t bus;
	uint8_t source;
	uint32_t gsi;
	uint16_t flags;
} ACPI_PACKED;

/* "Local APIC NMI Structure": UID 0xFF means every processor. */
#define MADT_NMI_ALL_PROCESSORS		0xff
#define MADT_LINT1			1
struct madt_local_apic_nmi {
	uint8_t type;
	uint8_t length;
	uint8_t acpi_processor_uid;
	uint16_t flags;
	uint8_t lint;
} ACPI_PACKED;

/* IA-PC HPET (High Precision Event Timers) Specification 1.0a, "ACPI
 * Table": the "HPET" description table. */
#define ACPI_HPET_SIGNATURE	"HPET"
#define ACPI_HPET_REVISION	1
#define HPET_PAGE_PROTECT_4K	1	/* no other device in the 4 KiB page */
struct acpi_hpet {
	struct acpi_table_header header;
	uint32_t event_timer_block_id;	/* copy of the capabilities register's low half */
	struct acpi_gas base_address;
	uint8_t hpet_number;
	uint16_t min_clock_tick;
	uint8_t page_protection;
} ACPI_PACKED;

/* "Differentiated System Description Table (DSDT)" and "Secondary System
 * Description Table (SSDT)", revision 2: 64-bit integers in AML. */
#define ACPI_DSDT_SIGNATURE	"DSDT"
#define ACPI_SSDT_SIGNATURE	"SSDT"
#define ACPI_SSDT_REVISION	2

#define ACPI_CHECK(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field)

ACPI_CHECK(acpi_rsdp, checksum, 8);
ACPI_CHECK(acpi_rsdp, revision, 15);
ACPI_CHECK(acpi_rsdp, rsdt_address, 16);
ACPI_CHECK(acpi_rsdp, length, 20);
ACPI_CHECK(acpi_rsdp, xsdt_address, 24);
ACPI_CHECK(acpi_rsdp, extended_checksum, 32);
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP length");
ACPI_CHECK(acpi_table_header, checksum, 9);
ACPI_CHECK(acpi_table_header, oem_table_id, 16);
ACPI_CHECK(acpi_table_header, asl_compiler_revision, 32);
_Static_assert(sizeof(struct acpi_table_header) == 36, "header length");
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS length");
ACPI_CHECK(acpi_fadt, firmware_ctrl, 36);
ACPI_CHECK(acpi_fadt, sci_int, 46);
ACPI_CHECK(acpi_fadt, smi_cmd, 48);
ACPI_CHECK(acpi_fadt, pm1a_evt_blk, 56);
ACPI_CHECK(acpi_fadt, pm1a_cnt_blk, 64);
ACPI_CHECK(acpi_fadt, pm_tmr_blk, 76);
ACPI_CHECK(acpi_fadt, pm1_evt_len, 88);
ACPI_CHECK(acpi_fadt, p_lvl2_lat, 96);
ACPI_CHECK(acpi_fadt, century, 108);
ACPI_CHECK(acpi_fadt, iapc_boot_arch, 109);
ACPI_CHECK(acpi_fadt, flags, 112);
ACPI_CHECK(acpi_fadt, reset_reg, 116);
ACPI_CHECK(acpi_fadt, reset_value, 128);
ACPI_CHECK(acpi_fadt, fadt_minor_version, 131);
ACPI_CHECK(acpi_fadt, x_firmware_ctrl, 132);
ACPI_CHECK(acpi_fadt, x_dsdt, 140);
ACPI_CHECK(acpi_fadt, x_pm1a_evt_blk, 148);
ACPI_CHECK(acpi_fadt, x_pm1a_cnt_blk, 172);
ACPI_CHECK(acpi_fadt, x_pm_tmr_blk, 208);
ACPI_CHECK(acpi_fadt, sleep_control_reg, 244);
ACPI_CHECK(acpi_fadt, hypervisor_vendor_identity, 268);
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT length");
ACPI_CHECK(acpi_facs, global_lock, 16);
ACPI_CHECK(acpi_facs, x_firmware_waking_vector, 24);
ACPI_CHECK(acpi_facs, version, 32);
ACPI_CHECK(acpi_facs, ospm_flags, 36);
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS length");
ACPI_CHECK(acpi_madt, local_apic_address, 36);
ACPI_CHECK(acpi_madt, flags, 40);
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT header length");
_Static_assert(sizeof(struct madt_local_apic) == 8, "MADT local APIC length");
ACPI_CHECK(madt_ioapic, ioapic_address, 4);
ACPI_CHECK(madt_ioapic, gsi_base, 8);
_Static_assert(sizeof(struct madt_ioapic) == 12, "MADT IOAPIC length");
ACPI_CHECK(madt_int_src_override, gsi, 4);
ACPI_CHECK(madt_int_src_override, flags, 8);
_Static_assert(sizeof(struct madt_int_src_override) == 10, "MADT ISO length");
ACPI_CHECK(madt_local_apic_nmi, flags, 3);
ACPI_CHECK(madt_local_apic_nmi, lint, 5);
_Static_assert(sizeof(struct madt_local_apic_nmi) == 6, "MADT NMI length");
ACPI_CHECK(acpi_hpet, base_address, 40);
ACPI_CHECK(acpi_hpet, hpet_number, 52);
ACPI_CHECK(acpi_hpet, min_clock_tick, 53);
ACPI_CHECK(acpi_hpet, page_protection, 55);
_Static_assert(sizeof(struct acpi_hpet) == 56, "HPET table length");

#endif
