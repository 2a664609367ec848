/* SPDX-License-Identifier: MIT */
/*
 * What CPUID returns to a guest, computed from what the host CPU returned.
 * The guest sees one logical processor without the features the VMM does
 * not virtualize (VMX, MONITOR/MWAIT, XSAVE/AVX state, perfmon, debug store,
 * machine checks, MTRRs, ...). Unknown leaves read as zero (a whitelist).
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
#define CPUID_1_EDX_MCA		(1u << 14)
#define CPUID_1_EDX_DS		(1u << 21)
#define CPUID_1_EDX_ACPI	(1u << 22)
#define CPUID_1_EDX_HTT		(1u << 28)
#define CPUID_1_EDX_TM		(1u << 29)
#define CPUID_1_EDX_PBE		(1u << 31)

/* Leaf 7 subleaf 0 EBX */
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

#define CPUID_HV_BASE		0x40000000u	/* vendor signature leaf */
#define CPUID_HV_VERSION	0x40000001u
#define CPUID_MAX_STD		0x1fu		/* highest standard leaf reported */

struct cpuid_policy {
	uint32_t apic_id;	/* reported initial APIC ID */
	bool expose_apic;	/* CPUID.1:EDX.APIC (false until the VMM emulates a LAPIC) */
	bool expose_x2apic;	/* CPUID.1:ECX.x2APIC (kept only if the host has it) */
	uint32_t hv_version;	/* returned in leaf 0x40000001 EAX */
};

/*
 * regs[0..3] = EAX, EBX, ECX, EDX. In: what the host CPU returned for
 * (leaf, subleaf). Out: what the guest sees.
 * host_max_std / host_max_ext = host CPUID.0:EAX and CPUID.80000000h:EAX.
 */
void cpuid_filter(const struct cpuid_policy *p, uint32_t host_max_std, uint32_t host_max_ext,
		  uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);

#endif
