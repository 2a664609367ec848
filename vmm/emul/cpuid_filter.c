// SPDX-License-Identifier: MIT
/*
 * CPUID filter. Leaf and bit meanings: SDM 2A, "CPUID-CPU Identification";
 * topology leaves: SDM 3A, "Identifying Topology Using CPUID Leaf 0BH/1FH".
 */
#include "vmm/emul/cpuid_filter.h"

#include <string.h>

enum { EAX, EBX, ECX, EDX };

/* 12 bytes in register order EBX, ECX, EDX. */
static const char hv_signature[12] = "xtalkxtalk\0\0";

static void zero(uint32_t regs[4])
{
	memset(regs, 0, 4 * sizeof(regs[0]));
}

/* Leaf 1: identity of one logical processor and the features we virtualize. */
static void leaf_1(const struct cpuid_policy *p, uint32_t regs[4])
{
	uint32_t ecx_clear =
		CPUID_1_ECX_DTES64 | CPUID_1_ECX_DS_CPL |	/* debug store: not virtualized */
		CPUID_1_ECX_MONITOR |			/* MONITOR/MWAIT exit to the VMM */
		CPUID_1_ECX_VMX | CPUID_1_ECX_SMX |	/* no nested VMX, no TXT */
		CPUID_1_ECX_EST | CPUID_1_ECX_TM2 |	/* power/thermal MSRs are the host's */
		CPUID_1_ECX_SDBG | CPUID_1_ECX_PDCM |	/* debug/perf-capability MSRs */
		CPUID_1_ECX_XTPR | CPUID_1_ECX_DCA |	/* chipset features */
		CPUID_1_ECX_TSC_DEADLINE |		/* needs an emulated LAPIC timer */
		CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE |	/* XSAVE state not switched */
		CPUID_1_ECX_AVX | CPUID_1_ECX_F16C |	/* need XSAVE-enabled YMM state */
		CPUID_1_ECX_FMA;			/* likewise (VEX-encoded, YMM) */
	uint32_t edx_clear =
		CPUID_1_EDX_MCE | CPUID_1_EDX_MCA |	/* machine checks stay with the host */
		CPUID_1_EDX_MTRR |			/* MTRRs: EPT decides memory types */
		CPUID_1_EDX_DS | CPUID_1_EDX_ACPI |	/* debug store, thermal MSRs */
		CPUID_1_EDX_TM | CPUID_1_EDX_PBE |
		CPUID_1_EDX_HTT;			/* one logical processor */

	if (!p->expose_x2apic)			/* no x2APIC MSRs unless emulated */
		ecx_clear |= CPUID_1_ECX_X2APIC;
	if (!p->expose_apic)			/* no LAPIC unless emulated */
		edx_clear |= CPUID_1_EDX_APIC;
	/* EBX[7:0] brand index and [15:8] CLFLUSH size pass; one processor; our APIC ID. */
	regs[EBX] = (regs[EBX] & 0xffffu) | (1u << 16) | ((p->apic_id & 0xffu) << 24);
	regs[ECX] = (regs[ECX] & ~ecx_clear) | CPUID_1_ECX_HYPERVISOR;	/* we are a VM */
	regs[EDX] &= ~edx_clear;
}

/* Leaf 4 (deterministic cache parameters): one core per package, one thread per cache. */
static void leaf_4(uint32_t regs[4])
{
	regs[EAX] &= ~((0x3fu << 26) | (0xfffu << 14));
}

/* Leaf 7: only subleaf 0, without features we do not virtualize. */
static void leaf_7(uint32_t subleaf, uint32_t regs[4])
{
	const uint32_t ebx_clear =
		CPUID_7_EBX_SGX |			/* enclaves: not virtualized */
		CPUID_7_EBX_AVX2 |			/* AVX state hidden (no XSAVE) */
		CPUID_7_EBX_INVPCID |			/* not enabled in the VMCS */
		CPUID_7_EBX_PQM | CPUID_7_EBX_PQE |	/* RDT is the host's */
		CPUID_7_EBX_MPX |			/* needs XSAVE state */
		CPUID_7_EBX_PT |			/* processor trace not virtualized */
		CPUID_7_EBX_AVX512F | CPUID_7_EBX_AVX512DQ | CPUID_7_EBX_AVX512_IFMA |
		CPUID_7_EBX_AVX512PF | CPUID_7_EBX_AVX512ER | CPUID_7_EBX_AVX512CD |
		CPUID_7_EBX_AVX512BW | CPUID_7_EBX_AVX512VL;	/* AVX-512 state hidden */
	const uint32_t ecx_clear =
		CPUID_7_ECX_AVX512_VBMI | CPUID_7_ECX_AVX512_VBMI2 | CPUID_7_ECX_AVX512_VNNI |
		CPUID_7_ECX_AVX512_BITALG | CPUID_7_ECX_AVX512_VPOPCNTDQ |
		CPUID_7_ECX_VAES | CPUID_7_ECX_VPCLMULQDQ |	/* AVX/AVX-512 state hidden */
		CPUID_7_ECX_PKU | CPUID_7_ECX_OSPKE |	/* PKRU is XSAVE state */
		CPUID_7_ECX_PKS |			/* PKRS MSR not switched */
		CPUID_7_ECX_WAITPKG |			/* UMWAIT/TPAUSE would idle the host CPU */
		CPUID_7_ECX_CET_SS |			/* CET state not switched */
		CPUID_7_ECX_TME |			/* memory encryption is the host's */
		CPUID_7_ECX_LA57 |			/* 5-level paging not offered */
		CPUID_7_ECX_SGX_LC;			/* SGX hidden */
	const uint32_t edx_clear =
		CPUID_7_EDX_AVX512_4VNNIW | CPUID_7_EDX_AVX512_4FMAPS |
		CPUID_7_EDX_AVX512_VP2INTERSECT | CPUID_7_EDX_AVX512_FP16 |	/* AVX-512 */
		CPUID_7_EDX_AMX_BF16 | CPUID_7_EDX_AMX_TILE |
		CPUID_7_EDX_AMX_INT8 |			/* AMX tile state hidden */
		CPUID_7_EDX_CET_IBT |			/* CET state not switched */
		CPUID_7_EDX_HYBRID |			/* one processor type */
		CPUID_7_EDX_PCONFIG |			/* memory encryption is the host's */
		CPUID_7_EDX_SRBDS_CTRL | CPUID_7_EDX_TSX_FORCE_ABORT |
		CPUID_7_EDX_IBRS_IBPB | CPUID_7_EDX_STIBP | CPUID_7_EDX_L1D_FLUSH |
		CPUID_7_EDX_SSBD |			/* their MSRs are not passed through */
		CPUID_7_EDX_ARCH_CAPABILITIES |
		CPUID_7_EDX_CORE_CAPABILITIES;		/* capability MSRs not emulated */

	if (subleaf != 0) {			/* we report no further subleaves */
		zero(regs);
		return;
	}
	regs[EAX] = 0;				/* max subleaf */
	regs[EBX] &= ~ebx_clear;
	regs[ECX] &= ~ecx_clear;		/* RDPID (bit 22) and others pass */
	regs[EDX] &= ~edx_clear;
}

/* Leaves 0Bh/1Fh: one SMT level and one core level with a single processor. */
static void leaf_topology(const struct cpuid_policy *p, uint32_t subleaf, uint32_t regs[4])
{
	regs[EDX] = p->apic_id;			/* x2APIC ID */
	if (subleaf == 0 || subleaf == 1) {
		regs[EAX] = 0;			/* no bits to shift: one processor */
		regs[EBX] = 1;			/* one logical processor at this level */
		regs[ECX] = subleaf | ((subleaf + 1) << 8);	/* type 1 = SMT, 2 = core */
		return;
	}
	regs[EAX] = 0;				/* invalid level */
	regs[EBX] = 0;
	regs[ECX] = subleaf & 0xffu;
}

static void leaf_std(const struct cpuid_policy *p, uint32_t host_max_std, uint32_t leaf,
		     uint32_t subleaf, uint32_t regs[4])
{
	switch (leaf) {
	case 0:
		/* Vendor passes; no leaves above 1Fh, which we do not know. */
		regs[EAX] = host_max_std < CPUID_MAX_STD ? host_max_std : CPUID_MAX_STD;
		break;
	case 1:
		leaf_1(p, regs);
		break;
	case 2:		/* cache/TLB descriptors: harmless */
	case 0x15:	/* TSC/crystal ratio: the guest TSC runs at host rate */
	case 0x16:	/* processor frequency information */
		break;
	case 4:
		leaf_4(regs);
		break;
	case 7:
		leaf_7(subleaf, regs);
		break;
	case 0xb:
	case 0x1f:
		leaf_topology(p, subleaf, regs);
		break;
	default:
		/*
		 * 5 (MONITOR/MWAIT), 6 (thermal/power), 0Ah (perfmon), 0Dh (XSAVE),
		 * 0Fh/10h (RDT), 12h (SGX), 14h (PT), 18h (TLB), 19h (Key Locker),
		 * 1Ah (hybrid), 1Bh (PCONFIG), 1Ch (LBR), 1Dh/1Eh (AMX): features
		 * hidden above. 3, 8, 9 (DCA), 0Ch, 0Eh, 11h, 13h, 17h (SoC vendor)
		 * and anything unknown: reserved or not needed.
		 */
		zero(regs);
		break;
	}
}

/* Little-endian 4 bytes of the signature. */
static uint32_t sig_word(const char *s)
{
	return (uint32_t)(uint8_t)s[0] | (uint32_t)(uint8_t)s[1] << 8 |
	       (uint32_t)(uint8_t)s[2] << 16 | (uint32_t)(uint8_t)s[3] << 24;
}

/* Hypervisor leaves 40000000h-4FFFFFFFh: our own; only two are defined. */
static void leaf_hv(const struct cpuid_policy *p, uint32_t leaf, uint32_t regs[4])
{
	zero(regs);
	if (leaf == CPUID_HV_BASE) {
		regs[EAX] = CPUID_HV_VERSION;	/* highest hypervisor leaf */
		regs[EBX] = sig_word(&hv_signature[0]);
		regs[ECX] = sig_word(&hv_signature[4]);
		regs[EDX] = sig_word(&hv_signature[8]);
	} else if (leaf == CPUID_HV_VERSION) {
		regs[EAX] = p->hv_version;
	}
}

static void leaf_ext(uint32_t leaf, uint32_t regs[4])
{
	switch (leaf) {
	case 0x80000000:	/* max extended leaf */
	case 0x80000002:	/* brand string */
	case 0x80000003:
	case 0x80000004:
	case 0x80000006:	/* L2 cache */
	case 0x80000007:	/* invariant TSC */
	case 0x80000008:	/* address sizes */
		break;
	case 0x80000001:
		/* SVM and MONITORX are AMD features we do not offer; LM, NX, ... pass. */
		regs[ECX] &= ~(CPUID_80000001_ECX_SVM | CPUID_80000001_ECX_MONITORX);
		break;
	default:		/* reserved on Intel or not needed */
		zero(regs);
		break;
	}
}

void cpuid_filter(const struct cpuid_policy *p, uint32_t host_max_std, uint32_t host_max_ext,
		  uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	if (leaf >= 0x40000000u && leaf <= 0x4fffffffu)
		leaf_hv(p, leaf, regs);
	else if (leaf < 0x40000000u && leaf <= host_max_std)
		leaf_std(p, host_max_std, leaf, subleaf, regs);
	else if (leaf >= 0x80000000u && leaf <= host_max_ext)
		leaf_ext(leaf, regs);
	else
		zero(regs);	/* beyond what the host has: nothing to report */
}
