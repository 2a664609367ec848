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
		CPUID_1_ECX_TSC_DEADLINE |		/* set below, from the policy */
		CPUID_1_ECX_XSAVE | CPUID_1_ECX_OSXSAVE |	/* XSAVE state not switched */
		CPUID_1_ECX_AVX | CPUID_1_ECX_F16C |	/* need XSAVE-enabled YMM state */
		CPUID_1_ECX_FMA;			/* likewise (VEX-encoded, YMM) */
	uint32_t edx_clear =
		CPUID_1_EDX_MCE | CPUID_1_EDX_MCA |	/* machine checks stay with the host */
		CPUID_1_EDX_MTRR |			/* MTRRs: EPT decides memory types */
		CPUID_1_EDX_PSN |			/* its control MSR (BBL_CR_CTL) is the host's */
		CPUID_1_EDX_DS | CPUID_1_EDX_ACPI |	/* debug store, thermal MSRs */
		CPUID_1_EDX_TM | CPUID_1_EDX_PBE |
		CPUID_1_EDX_HTT;			/* one logical processor */

	if (!p->expose_x2apic || !p->expose_apic)	/* no x2APIC MSRs unless emulated */
		ecx_clear |= CPUID_1_ECX_X2APIC;
	if (!p->expose_apic)			/* no LAPIC unless emulated */
		edx_clear |= CPUID_1_EDX_APIC;
	/* EBX[7:0] brand index and [15:8] CLFLUSH size pass; one processor; our APIC ID. */
	regs[EBX] = (regs[EBX] & 0xffffu) | (1u << 16) | ((p->apic_id & 0xffu) << 24);
	regs[ECX] = (regs[ECX] & ~ecx_clear) | CPUID_1_ECX_HYPERVISOR;	/* we are a VM */
	regs[EDX] &= ~edx_clear;
	/* The deadline mode is the LAPIC model's (IA32_TSC_DEADLINE), not the host's. */
	if (p->expose_apic && p->tsc_deadline)
		regs[ECX] |= CPUID_1_ECX_TSC_DEADLINE;
}

/* Leaf 4 (deterministic cache parameters): one core per package, one thread per cache. */
static void leaf_4(uint32_t regs[4])
{
	regs[EAX] &= ~((0x3fu << 26) | (0xfffu << 14));
}

/*
 * Leaf 7, subleaf 0: a whitelist. These are instructions and paging bits
 * that run natively in VMX non-root operation and imply no MSR. Everything
 * else is hidden: AVX/AVX-512/AMX/PKU/CET/MPX/UINTR/ARCH_LBR/ENQCMD (XSAVE
 * state not switched), SGX/TME/PCONFIG/KL (the host's), PT/PQM/PQE/HYBRID,
 * WAITPKG (UMWAIT_CONTROL, idles the host), BUS_LOCK_DETECT (a DEBUGCTL bit
 * the VMM refuses), TSC_ADJUST (set only with p->tsc_adjust, whatever the
 * host has: the VMM emulates IA32_TSC_ADJUST then), and the
 * speculation controls IBRS_IBPB/STIBP/SSBD/L1D_FLUSH/ARCH_CAPABILITIES/
 * CORE_CAPABILITIES/SRBDS_CTRL/TSX_FORCE_ABORT (their MSRs are not passed).
 */
static void leaf_7(const struct cpuid_policy *p, uint32_t subleaf, uint32_t regs[4])
{
	const uint32_t ebx_keep =
		CPUID_7_EBX_FSGSBASE | CPUID_7_EBX_BMI1 | CPUID_7_EBX_HLE |
		CPUID_7_EBX_FDP_EXCPTN_ONLY | CPUID_7_EBX_SMEP | CPUID_7_EBX_BMI2 |
		CPUID_7_EBX_ERMS | CPUID_7_EBX_RTM | CPUID_7_EBX_FPU_CSDS_DEPR |
		CPUID_7_EBX_RDSEED | CPUID_7_EBX_ADX | CPUID_7_EBX_SMAP |
		CPUID_7_EBX_CLFLUSHOPT | CPUID_7_EBX_CLWB | CPUID_7_EBX_SHA;
	const uint32_t ecx_keep =
		CPUID_7_ECX_PREFETCHWT1 | CPUID_7_ECX_UMIP | CPUID_7_ECX_GFNI |
		CPUID_7_ECX_RDPID |			/* reads IA32_TSC_AUX, which is passed */
		CPUID_7_ECX_CLDEMOTE | CPUID_7_ECX_MOVDIRI | CPUID_7_ECX_MOVDIR64B;
	const uint32_t edx_keep =
		CPUID_7_EDX_FSRM |
		CPUID_7_EDX_MD_CLEAR |			/* VERW flushes buffers: no MSR */
		CPUID_7_EDX_RTM_ALWAYS_ABORT |		/* its MSR only with TSX_FORCE_ABORT */
		CPUID_7_EDX_SERIALIZE | CPUID_7_EDX_TSXLDTRK;

	if (subleaf != 0) {			/* we report no further subleaves */
		zero(regs);
		return;
	}
	regs[EAX] = 0;				/* max subleaf */
	regs[EBX] &= ebx_keep;
	regs[ECX] &= ecx_keep;
	regs[EDX] &= edx_keep;
	if (p->tsc_adjust)
		regs[EBX] |= CPUID_7_EBX_TSC_ADJUST;
	if (p->hide_rdtscp)
		regs[ECX] &= ~CPUID_7_ECX_RDPID;
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

static bool time_known(const struct cpuid_policy *p)
{
	return p->tsc_hz && p->bus_hz && p->tsc_per_bus;
}

/*
 * Leaf 15h: TSC = crystal * EBX / EAX. The crystal (ECX, Hz) is the bus rate,
 * because Linux takes the APIC timer's rate from it (lapic_timer_period), so
 * EAX = 1 and EBX = tsc_per_bus: ECX * EBX / EAX == tsc_hz exactly.
 */
static void leaf_15(const struct cpuid_policy *p, uint32_t regs[4])
{
	zero(regs);				/* EBX = 0: "not enumerated" */
	if (!time_known(p))
		return;
	regs[EAX] = 1;
	regs[EBX] = p->tsc_per_bus;
	regs[ECX] = p->bus_hz;
}

static uint32_t mhz(uint64_t hz)
{
	return (uint32_t)((hz + 500000) / 1000000) & 0xffffu;	/* bits 15:0 */
}

/* Leaf 16h: base and maximum frequency = the TSC's, bus = the APIC timer's (MHz). */
static void leaf_16(const struct cpuid_policy *p, uint32_t regs[4])
{
	zero(regs);
	if (!time_known(p))
		return;
	regs[EAX] = mhz(p->tsc_hz);
	regs[EBX] = mhz(p->tsc_hz);
	regs[ECX] = mhz(p->bus_hz);
}

static void leaf_std(const struct cpuid_policy *p, uint32_t host_max_std, uint32_t leaf,
		     uint32_t subleaf, uint32_t regs[4])
{
	switch (leaf) {
	case 0:
		regs[EAX] = cpuid_guest_max_std(p, host_max_std);	/* vendor passes */
		break;
	case 1:
		leaf_1(p, regs);
		break;
	case 2:		/* cache/TLB descriptors: harmless */
		break;
	case CPUID_TSC_LEAF:
		leaf_15(p, regs);
		break;
	case CPUID_FREQ_LEAF:
		leaf_16(p, regs);
		break;
	case 4:
		leaf_4(regs);
		break;
	case 7:
		leaf_7(p, subleaf, regs);
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

/* Hypervisor leaves 40000000h-4FFFFFFFh: our own; 0, 1 and 10h are defined. */
static void leaf_hv(const struct cpuid_policy *p, uint32_t leaf, uint32_t regs[4])
{
	zero(regs);
	if (leaf == CPUID_HV_BASE) {
		regs[EAX] = CPUID_HV_TIMING;	/* highest hypervisor leaf */
		regs[EBX] = sig_word(&hv_signature[0]);
		regs[ECX] = sig_word(&hv_signature[4]);
		regs[EDX] = sig_word(&hv_signature[8]);
	} else if (leaf == CPUID_HV_VERSION) {
		regs[EAX] = p->hv_version;
	} else if (leaf == CPUID_HV_TIMING && time_known(p)) {
		regs[EAX] = (uint32_t)(p->tsc_hz / 1000);	/* TSC kHz */
		regs[EBX] = p->bus_hz / 1000;			/* bus (APIC timer) kHz */
	}
}

static void leaf_ext(const struct cpuid_policy *p, uint32_t leaf, uint32_t regs[4])
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
		if (p->hide_rdtscp)
			regs[EDX] &= ~CPUID_80000001_EDX_RDTSCP_BIT;
		break;
	default:		/* reserved on Intel or not needed */
		zero(regs);
		break;
	}
}

uint32_t cpuid_guest_max_std(const struct cpuid_policy *p, uint32_t host_max_std)
{
	uint32_t max = host_max_std < CPUID_MAX_STD ? host_max_std : CPUID_MAX_STD;

	if (time_known(p) && max < CPUID_FREQ_LEAF)
		max = CPUID_FREQ_LEAF;
	return max;
}

static uint64_t div_round(uint64_t a, uint64_t b)
{
	return (a + b / 2) / b;
}

int cpuid_timing_set(struct cpuid_policy *p, uint64_t measured_tsc_hz, uint32_t want_bus_hz)
{
	uint64_t per_bus = want_bus_hz ? div_round(measured_tsc_hz, want_bus_hz) : 1;
	uint64_t bus_khz;

	if (!per_bus)				/* a bus faster than the TSC: run it at the TSC */
		per_bus = 1;
	while (div_round(measured_tsc_hz, per_bus * 1000) * 1000 > UINT32_MAX)
		per_bus++;			/* the crystal must fit CPUID.15h:ECX */
	bus_khz = div_round(measured_tsc_hz, per_bus * 1000);
	p->tsc_per_bus = bus_khz ? (uint32_t)per_bus : 0;
	p->bus_hz = (uint32_t)(bus_khz * 1000);
	p->tsc_hz = p->bus_hz * per_bus;
	return time_known(p) ? 0 : -1;
}

void cpuid_filter(const struct cpuid_policy *p, uint32_t host_max_std, uint32_t host_max_ext,
		  uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
	if (leaf >= 0x40000000u && leaf <= 0x4fffffffu) {
		leaf_hv(p, leaf, regs);
	} else if (leaf < 0x40000000u && leaf <= cpuid_guest_max_std(p, host_max_std)) {
		if (leaf > host_max_std)	/* the host answered with its last leaf's data */
			zero(regs);
		leaf_std(p, host_max_std, leaf, subleaf, regs);
	} else if (leaf >= 0x80000000u && leaf <= host_max_ext) {
		leaf_ext(p, leaf, regs);
	} else {
		zero(regs);	/* beyond what the guest has: nothing to report */
	}
}
