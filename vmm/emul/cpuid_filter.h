/* SPDX-License-Identifier: MIT */
/*
 * What CPUID returns to a guest, computed from what the host CPU returned.
 * The guest sees one logical processor without the features the VMM does
 * not virtualize (VMX, MONITOR/MWAIT, XSAVE/AVX state, perfmon, debug store,
 * machine checks, MTRRs, ...). Unknown leaves read as zero (a whitelist),
 * and so do unknown bits of leaf 7. A feature bit whose MSR the VMM does not
 * emulate is hidden, so that the MSR's #GP agrees with CPUID
 * (vmm/emul/msr_policy.h; the table is in docs/guest-platform.md).
 *
 * Time: the guest's TSC is the host's (no offsetting, no scaling). Leaves
 * 15h and 16h are synthesised on every CPU model from the TSC rate the VMM
 * measured (the host's values describe the host's crystal, and Bochs' models
 * hard-code rates its TSC does not run at), and so is the hypervisor timing
 * leaf 40000010h: EAX = TSC kHz, EBX = bus (APIC timer) kHz, the convention
 * Linux's VMware and KVM code reads.
 * Bit names follow the SDM 2A, "CPUID-CPU Identification".
 */
#ifndef XTALK_VMM_CPUID_FILTER_H
#define XTALK_VMM_CPUID_FILTER_H

#include <stdbool.h>
#include <stdint.h>

/* Leaf 1 ECX */
#define CPUID_1_ECX_DTES64	(1u << 2)
#define CPUID_1_ECX_MONITOR	(1u << 3)
#define CPUID_1_ECX_DS_CPL	(1u << 4)
#define CPUID_1_ECX_VMX		(1u << 5)
#define CPUID_1_ECX_SMX		(1u << 6)
#define CPUID_1_ECX_EST		(1u << 7)
#define CPUID_1_ECX_TM2		(1u << 8)
#define CPUID_1_ECX_SDBG	(1u << 11)
#define CPUID_1_ECX_FMA		(1u << 12)
#define CPUID_1_ECX_XTPR	(1u << 14)
#define CPUID_1_ECX_PDCM	(1u << 15)
#define CPUID_1_ECX_DCA		(1u << 18)
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_XSAVE	(1u << 26)
#define CPUID_1_ECX_OSXSAVE	(1u << 27)
#define CPUID_1_ECX_AVX		(1u << 28)
#define CPUID_1_ECX_F16C	(1u << 29)
#define CPUID_1_ECX_HYPERVISOR	(1u << 31)

/* Leaf 1 EDX */
#define CPUID_1_EDX_MCE		(1u << 7)
#define CPUID_1_EDX_APIC	(1u << 9)
#define CPUID_1_EDX_MTRR	(1u << 12)
#define CPUID_1_EDX_PSN		(1u << 18)
#define CPUID_1_EDX_MCA		(1u << 14)
#define CPUID_1_EDX_DS		(1u << 21)
#define CPUID_1_EDX_ACPI	(1u << 22)
#define CPUID_1_EDX_HTT		(1u << 28)
#define CPUID_1_EDX_TM		(1u << 29)
#define CPUID_1_EDX_PBE		(1u << 31)

/* Leaf 7 subleaf 0 EBX */
#define CPUID_7_EBX_FSGSBASE	(1u << 0)
#define CPUID_7_EBX_TSC_ADJUST	(1u << 1)
#define CPUID_7_EBX_BMI1	(1u << 3)
#define CPUID_7_EBX_HLE		(1u << 4)
#define CPUID_7_EBX_FDP_EXCPTN_ONLY (1u << 6)
#define CPUID_7_EBX_SMEP	(1u << 7)
#define CPUID_7_EBX_BMI2	(1u << 8)
#define CPUID_7_EBX_ERMS	(1u << 9)
#define CPUID_7_EBX_RTM		(1u << 11)
#define CPUID_7_EBX_FPU_CSDS_DEPR (1u << 13)
#define CPUID_7_EBX_RDSEED	(1u << 18)
#define CPUID_7_EBX_ADX		(1u << 19)
#define CPUID_7_EBX_SMAP	(1u << 20)
#define CPUID_7_EBX_CLFLUSHOPT	(1u << 23)
#define CPUID_7_EBX_CLWB	(1u << 24)
#define CPUID_7_EBX_SHA		(1u << 29)
#define CPUID_7_EBX_SGX		(1u << 2)
#define CPUID_7_EBX_AVX2	(1u << 5)
#define CPUID_7_EBX_INVPCID	(1u << 10)
#define CPUID_7_EBX_PQM		(1u << 12)
#define CPUID_7_EBX_MPX		(1u << 14)
#define CPUID_7_EBX_PQE		(1u << 15)
#define CPUID_7_EBX_AVX512F	(1u << 16)
#define CPUID_7_EBX_AVX512DQ	(1u << 17)
#define CPUID_7_EBX_AVX512_IFMA	(1u << 21)
#define CPUID_7_EBX_PT		(1u << 25)
#define CPUID_7_EBX_AVX512PF	(1u << 26)
#define CPUID_7_EBX_AVX512ER	(1u << 27)
#define CPUID_7_EBX_AVX512CD	(1u << 28)
#define CPUID_7_EBX_AVX512BW	(1u << 30)
#define CPUID_7_EBX_AVX512VL	(1u << 31)

/* Leaf 7 subleaf 0 ECX */
#define CPUID_7_ECX_PREFETCHWT1	(1u << 0)
#define CPUID_7_ECX_UMIP	(1u << 2)
#define CPUID_7_ECX_GFNI	(1u << 8)
#define CPUID_7_ECX_CLDEMOTE	(1u << 25)
#define CPUID_7_ECX_MOVDIRI	(1u << 27)
#define CPUID_7_ECX_MOVDIR64B	(1u << 28)
#define CPUID_7_ECX_KL		(1u << 23)
#define CPUID_7_ECX_BUS_LOCK_DETECT (1u << 24)
#define CPUID_7_ECX_ENQCMD	(1u << 29)
#define CPUID_7_ECX_AVX512_VBMI	(1u << 1)
#define CPUID_7_ECX_PKU		(1u << 3)
#define CPUID_7_ECX_OSPKE	(1u << 4)
#define CPUID_7_ECX_WAITPKG	(1u << 5)
#define CPUID_7_ECX_AVX512_VBMI2 (1u << 6)
#define CPUID_7_ECX_CET_SS	(1u << 7)
#define CPUID_7_ECX_VAES	(1u << 9)
#define CPUID_7_ECX_VPCLMULQDQ	(1u << 10)
#define CPUID_7_ECX_AVX512_VNNI	(1u << 11)
#define CPUID_7_ECX_AVX512_BITALG (1u << 12)
#define CPUID_7_ECX_TME		(1u << 13)
#define CPUID_7_ECX_AVX512_VPOPCNTDQ (1u << 14)
#define CPUID_7_ECX_LA57	(1u << 16)
#define CPUID_7_ECX_RDPID	(1u << 22)
#define CPUID_7_ECX_SGX_LC	(1u << 30)
#define CPUID_7_ECX_PKS		(1u << 31)

/* Leaf 7 subleaf 0 EDX */
#define CPUID_7_EDX_FSRM	(1u << 4)
#define CPUID_7_EDX_UINTR	(1u << 5)
#define CPUID_7_EDX_MD_CLEAR	(1u << 10)
#define CPUID_7_EDX_RTM_ALWAYS_ABORT (1u << 11)
#define CPUID_7_EDX_SERIALIZE	(1u << 14)
#define CPUID_7_EDX_TSXLDTRK	(1u << 16)
#define CPUID_7_EDX_ARCH_LBR	(1u << 19)
#define CPUID_7_EDX_AVX512_4VNNIW (1u << 2)
#define CPUID_7_EDX_AVX512_4FMAPS (1u << 3)
#define CPUID_7_EDX_AVX512_VP2INTERSECT (1u << 8)
#define CPUID_7_EDX_SRBDS_CTRL	(1u << 9)
#define CPUID_7_EDX_TSX_FORCE_ABORT (1u << 13)
#define CPUID_7_EDX_HYBRID	(1u << 15)
#define CPUID_7_EDX_PCONFIG	(1u << 18)
#define CPUID_7_EDX_CET_IBT	(1u << 20)
#define CPUID_7_EDX_AMX_BF16	(1u << 22)
#define CPUID_7_EDX_AVX512_FP16	(1u << 23)
#define CPUID_7_EDX_AMX_TILE	(1u << 24)
#define CPUID_7_EDX_AMX_INT8	(1u << 25)
#define CPUID_7_EDX_IBRS_IBPB	(1u << 26)
#define CPUID_7_EDX_STIBP	(1u << 27)
#define CPUID_7_EDX_L1D_FLUSH	(1u << 28)
#define CPUID_7_EDX_ARCH_CAPABILITIES (1u << 29)
#define CPUID_7_EDX_CORE_CAPABILITIES (1u << 30)
#define CPUID_7_EDX_SSBD	(1u << 31)

/* Leaf 80000001h ECX */
#define CPUID_80000001_ECX_SVM	(1u << 2)
#define CPUID_80000001_ECX_MONITORX (1u << 29)
#define CPUID_80000001_EDX_RDTSCP_BIT (1u << 27)

#define CPUID_HV_BASE		0x40000000u	/* vendor signature leaf */
#define CPUID_HV_VERSION	0x40000001u
#define CPUID_HV_TIMING		0x40000010u	/* EAX TSC kHz, EBX bus kHz */
#define CPUID_MAX_STD		0x1fu		/* highest standard leaf reported */
#define CPUID_TSC_LEAF		0x15u		/* "Time Stamp Counter and Nominal Core Crystal Clock" */
#define CPUID_FREQ_LEAF		0x16u		/* "Processor Frequency Information" */

/* The bus (APIC timer, core crystal) rate the VMM offers by default. */
#define CPUID_DEFAULT_BUS_HZ	100000000u

struct cpuid_policy {
	uint32_t apic_id;	/* reported initial APIC ID */
	bool expose_apic;	/* CPUID.1:EDX.APIC (false until the VMM emulates a LAPIC) */
	bool expose_x2apic;	/* CPUID.1:ECX.x2APIC (kept only if the host has it) */
	bool tsc_deadline;	/* CPUID.1:ECX.TSC_DEADLINE (only with expose_apic: the
				 * LAPIC model's deadline mode, whatever the host has) */
	bool tsc_adjust;	/* CPUID.7:EBX.TSC_ADJUST: IA32_TSC_ADJUST emulated (needs
				 * VMX TSC offsetting); set whatever the host has */
	bool hide_rdtscp;	/* the VMCS does not enable RDTSCP, so RDTSCP and
				 * RDPID raise #UD: hide 80000001h:EDX.RDTSCP and
				 * 7:ECX.RDPID (SDM 3C, "Secondary Processor-Based
				 * VM-Execution Controls") */
	uint32_t hv_version;	/* returned in leaf 0x40000001 EAX */
	/* Time, set by cpuid_timing_set(); all 0 = unknown: leaves 15h, 16h
	 * and 40000010h read as zero ("not enumerated"). */
	uint64_t tsc_hz;	/* the guest's TSC rate, a multiple of bus_hz */
	uint32_t bus_hz;	/* crystal = APIC timer input, a multiple of 1 kHz */
	uint32_t tsc_per_bus;	/* tsc_hz / bus_hz, >= 1 (the LAPIC's tsc_per_tick) */
};

/*
 * Choose the guest-visible time figures from the measured TSC rate and the
 * wanted bus rate (0: the bus runs at the TSC rate). tsc_per_bus is the
 * integer nearest tsc / want; the bus rate is the measured rate / tsc_per_bus
 * rounded to 1 kHz, and the TSC rate reported is bus * tsc_per_bus, so every
 * leaf's figures agree exactly. The reported TSC rate differs from the
 * measurement by at most tsc_per_bus / 2 kHz (5 ppm with a 100 MHz bus),
 * far below the measurement's own error. A measured rate below 1 kHz leaves
 * the time unknown. Returns 0, or -1 if the time is unknown.
 */
int cpuid_timing_set(struct cpuid_policy *p, uint64_t measured_tsc_hz, uint32_t want_bus_hz);

/* CPUID.0:EAX the guest sees: the host's, at most 1Fh, at least 16h when the
 * time is known (so that 15h and 16h exist on every CPU model). */
uint32_t cpuid_guest_max_std(const struct cpuid_policy *p, uint32_t host_max_std);

/*
 * regs[0..3] = EAX, EBX, ECX, EDX. In: what the host CPU returned for
 * (leaf, subleaf). Out: what the guest sees.
 * host_max_std / host_max_ext = host CPUID.0:EAX and CPUID.80000000h:EAX.
 */
void cpuid_filter(const struct cpuid_policy *p, uint32_t host_max_std, uint32_t host_max_ext,
		  uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

#endif
