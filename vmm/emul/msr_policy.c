// SPDX-License-Identifier: MIT
/*
 * The per-MSR decision table (see msr_policy.h and docs/guest-platform.md,
 * "CPUID and MSRs"). Every MSR not named here raises #GP.
 */
#include "vmm/emul/msr_policy.h"

#include "vmm/emul/msr_index.h"

const struct msr_pass msr_passed[] = {
	/* Switched by the VMCS or by the vCPU switch (vmm/run/sched.c). */
	{ MSR_IA32_FS_BASE, true },	  { MSR_IA32_GS_BASE, true },
	{ MSR_IA32_KERNEL_GS_BASE, true }, { MSR_IA32_STAR, true },
	{ MSR_IA32_LSTAR, true },	  { MSR_IA32_CSTAR, true },
	{ MSR_IA32_FMASK, true },	  { MSR_IA32_TSC_AUX, true },
	{ MSR_IA32_SYSENTER_CS, true },	  { MSR_IA32_SYSENTER_ESP, true },
	{ MSR_IA32_SYSENTER_EIP, true },
	/* The guest's TSC is the host's; writing it would need TSC offsetting. */
	{ MSR_IA32_TSC, false },
};
const size_t msr_passed_count = sizeof(msr_passed) / sizeof(msr_passed[0]);

struct msr_row {
	uint32_t msr;
	const char *name;
	enum msr_action read, write;
};

/*
 * Rows that do not depend on the CPUID configuration. The reason for each
 * is in docs/guest-platform.md; in short: emulated = the platform's own
 * value; zero = "nothing there" is the truth and Linux acts on nothing;
 * #GP = hidden feature or model-specific MSR that Linux reads only with
 * rdmsrl_safe.
 */
static const struct msr_row rows[] = {
	{ MSR_IA32_PLATFORM_ID, "IA32_PLATFORM_ID", MSR_ACT_EMULATE, MSR_ACT_GP },
	{ MSR_IA32_TEST_CTRL, "MSR_TEST_CTRL", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_SMI_COUNT, "MSR_SMI_COUNT", MSR_ACT_ZERO, MSR_ACT_GP },
	{ MSR_IA32_FEATURE_CONTROL, "IA32_FEATURE_CONTROL", MSR_ACT_EMULATE, MSR_ACT_GP },
	{ MSR_IA32_TSC_ADJUST, "IA32_TSC_ADJUST", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_SPEC_CTRL, "IA32_SPEC_CTRL", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_PRED_CMD, "IA32_PRED_CMD", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_PPIN_CTL, "MSR_PPIN_CTL", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_BIOS_SIGN_ID, "IA32_BIOS_SIGN_ID", MSR_ACT_EMULATE, MSR_ACT_EMULATE },
	{ MSR_PLATFORM_INFO, "MSR_PLATFORM_INFO", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_CORE_CAPABILITIES, "IA32_CORE_CAPABILITIES", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_UMWAIT_CONTROL, "IA32_UMWAIT_CONTROL", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_MTRRCAP, "IA32_MTRRCAP", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_ARCH_CAPABILITIES, "IA32_ARCH_CAPABILITIES", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_FLUSH_CMD, "IA32_FLUSH_CMD", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_TSX_FORCE_ABORT, "MSR_TSX_FORCE_ABORT", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_BBL_CR_CTL, "IA32_BBL_CR_CTL", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_TSX_CTRL, "IA32_TSX_CTRL", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_MISC_FEATURES_ENABLES, "MSR_MISC_FEATURES_ENABLES", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_OC_MAILBOX, "MSR 0x150 (OC mailbox)", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_MCG_CAP, "IA32_MCG_CAP", MSR_ACT_ZERO, MSR_ACT_GP },
	{ MSR_IA32_MCG_STATUS, "IA32_MCG_STATUS", MSR_ACT_ZERO, MSR_ACT_ZERO },
	{ MSR_IA32_MCG_CTL, "IA32_MCG_CTL", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_MISC_ENABLE, "IA32_MISC_ENABLE", MSR_ACT_EMULATE, MSR_ACT_EMULATE },
	{ MSR_IA32_ENERGY_PERF_BIAS, "IA32_ENERGY_PERF_BIAS", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_DEBUGCTL, "IA32_DEBUGCTL", MSR_ACT_EMULATE, MSR_ACT_EMULATE },
	{ MSR_IA32_PAT, "IA32_PAT", MSR_ACT_EMULATE, MSR_ACT_EMULATE },
	{ MSR_IA32_MTRR_DEF_TYPE, "IA32_MTRR_DEF_TYPE", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_PERF_CAPABILITIES, "IA32_PERF_CAPABILITIES", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_RAPL_POWER_UNIT, "MSR_RAPL_POWER_UNIT", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_PPERF, "MSR_PPERF", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_PKRS, "IA32_PKRS", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_BNDCFGS, "IA32_BNDCFGS", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_XSS, "IA32_XSS", MSR_ACT_GP, MSR_ACT_GP },
	{ MSR_IA32_EFER, "IA32_EFER", MSR_ACT_EMULATE, MSR_ACT_EMULATE },
	{ MSR_AMD64_DE_CFG, "MSR_AMD64_DE_CFG", MSR_ACT_GP, MSR_ACT_GP },
};

static const struct msr_row *find_row(uint32_t msr)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].msr == msr)
			return &rows[i];
	return NULL;
}

static const struct msr_pass *find_passed(uint32_t msr)
{
	for (size_t i = 0; i < msr_passed_count; i++)
		if (msr_passed[i].msr == msr)
			return &msr_passed[i];
	return NULL;
}

/* The local APIC's MSRs exist exactly when CPUID says so. */
static enum msr_action apic_msr(const struct cpuid_policy *p, uint32_t msr)
{
	if (msr == MSR_IA32_APIC_BASE)
		return p->expose_apic ? MSR_ACT_LAPIC : MSR_ACT_GP;
	if (msr == MSR_IA32_TSC_DEADLINE)
		return p->expose_apic && p->tsc_deadline ? MSR_ACT_LAPIC : MSR_ACT_GP;
	return p->expose_apic && p->expose_x2apic ? MSR_ACT_LAPIC : MSR_ACT_GP;
}

static bool is_apic_msr(uint32_t msr)
{
	return msr == MSR_IA32_APIC_BASE || msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST);
}

enum msr_action msr_policy(const struct cpuid_policy *p, uint32_t msr, bool write)
{
	const struct msr_pass *pass = find_passed(msr);
	const struct msr_row *row;

	if (pass)
		return !write || pass->write ? MSR_ACT_PASS : MSR_ACT_GP;
	if (is_apic_msr(msr))
		return apic_msr(p, msr);
	if (msr == MSR_IA32_TSC_ADJUST)
		return p->tsc_adjust ? MSR_ACT_EMULATE : MSR_ACT_GP;
	row = find_row(msr);
	if (!row)
		return MSR_ACT_GP;
	return write ? row->write : row->read;
}

const char *msr_name(uint32_t msr)
{
	const struct msr_row *row = find_row(msr);

	return row ? row->name : NULL;
}
