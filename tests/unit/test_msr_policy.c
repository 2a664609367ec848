// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the MSR policy (vmm/emul/msr_policy.c): the decision
 * table of docs/guest-platform.md, for the default CPUID configuration and
 * for one that offers the local APIC, x2APIC and TSC-deadline mode; and the
 * rule behind it: an MSR whose CPUID bit the filter offers never #GPs.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vmm/emul/cpuid_filter.h"
#include "vmm/emul/msr_index.h"
#include "vmm/emul/msr_policy.h"

enum { GP = MSR_ACT_GP, PASS = MSR_ACT_PASS, EMU = MSR_ACT_EMULATE, ZERO = MSR_ACT_ZERO,
       LAPIC = MSR_ACT_LAPIC };

static const struct cpuid_policy dflt = { .hv_version = 1 };
static const struct cpuid_policy apic = {
	.expose_apic = true, .expose_x2apic = true, .tsc_deadline = true, .hv_version = 1,
};

struct row {
	uint32_t msr;
	int read, write;		/* default CPUID */
	int apic_read, apic_write;	/* APIC, x2APIC, TSC-deadline offered */
};

/* The table of docs/guest-platform.md, "MSRs", row by row. */
static const struct row table[] = {
	{ MSR_IA32_TSC, PASS, GP, PASS, GP },
	{ MSR_IA32_FS_BASE, PASS, PASS, PASS, PASS },
	{ MSR_IA32_GS_BASE, PASS, PASS, PASS, PASS },
	{ MSR_IA32_KERNEL_GS_BASE, PASS, PASS, PASS, PASS },
	{ MSR_IA32_STAR, PASS, PASS, PASS, PASS },
	{ MSR_IA32_LSTAR, PASS, PASS, PASS, PASS },
	{ MSR_IA32_CSTAR, PASS, PASS, PASS, PASS },
	{ MSR_IA32_FMASK, PASS, PASS, PASS, PASS },
	{ MSR_IA32_TSC_AUX, PASS, PASS, PASS, PASS },
	{ MSR_IA32_SYSENTER_CS, PASS, PASS, PASS, PASS },
	{ MSR_IA32_SYSENTER_ESP, PASS, PASS, PASS, PASS },
	{ MSR_IA32_SYSENTER_EIP, PASS, PASS, PASS, PASS },
	{ MSR_IA32_EFER, EMU, EMU, EMU, EMU },
	{ MSR_IA32_PAT, EMU, EMU, EMU, EMU },
	{ MSR_IA32_MISC_ENABLE, EMU, EMU, EMU, EMU },
	{ MSR_IA32_FEATURE_CONTROL, EMU, GP, EMU, GP },
	{ MSR_IA32_PLATFORM_ID, EMU, GP, EMU, GP },
	{ MSR_IA32_BIOS_SIGN_ID, EMU, EMU, EMU, EMU },
	{ MSR_IA32_DEBUGCTL, EMU, EMU, EMU, EMU },
	{ MSR_IA32_MCG_CAP, ZERO, GP, ZERO, GP },		/* 0x179 in issue 13 */
	{ MSR_IA32_MCG_STATUS, ZERO, ZERO, ZERO, ZERO },
	{ MSR_IA32_SMI_COUNT, ZERO, GP, ZERO, GP },		/* 0x34 in issue 13 */
	{ MSR_IA32_APIC_BASE, GP, GP, LAPIC, LAPIC },
	{ MSR_IA32_TSC_DEADLINE, GP, GP, LAPIC, LAPIC },
	{ MSR_X2APIC_FIRST, GP, GP, LAPIC, LAPIC },
	{ 0x808, GP, GP, LAPIC, LAPIC },			/* x2APIC TPR */
	{ MSR_X2APIC_LAST, GP, GP, LAPIC, LAPIC },
	{ MSR_IA32_TSC_ADJUST, GP, GP, GP, GP },		/* 0x3b: CPUID bit hidden */
	{ MSR_IA32_SPEC_CTRL, GP, GP, GP, GP },
	{ MSR_IA32_PRED_CMD, GP, GP, GP, GP },
	{ MSR_IA32_ARCH_CAPABILITIES, GP, GP, GP, GP },
	{ MSR_IA32_FLUSH_CMD, GP, GP, GP, GP },
	{ MSR_IA32_CORE_CAPABILITIES, GP, GP, GP, GP },
	{ MSR_IA32_TSX_CTRL, GP, GP, GP, GP },
	{ MSR_TSX_FORCE_ABORT, GP, GP, GP, GP },
	{ MSR_IA32_UMWAIT_CONTROL, GP, GP, GP, GP },
	{ MSR_IA32_PKRS, GP, GP, GP, GP },
	{ MSR_IA32_BNDCFGS, GP, GP, GP, GP },
	{ MSR_IA32_XSS, GP, GP, GP, GP },
	{ MSR_IA32_MTRRCAP, GP, GP, GP, GP },
	{ MSR_IA32_MTRR_DEF_TYPE, GP, GP, GP, GP },
	{ MSR_IA32_MCG_CTL, GP, GP, GP, GP },
	{ MSR_IA32_MC0_CTL, GP, GP, GP, GP },
	{ MSR_IA32_PERF_CAPABILITIES, GP, GP, GP, GP },
	{ MSR_IA32_ENERGY_PERF_BIAS, GP, GP, GP, GP },
	{ MSR_IA32_BBL_CR_CTL, GP, GP, GP, GP },
	{ MSR_MISC_FEATURES_ENABLES, GP, GP, GP, GP },		/* 0x140 in issue 13 */
	{ MSR_PPIN_CTL, GP, GP, GP, GP },			/* 0x4e */
	{ MSR_PPERF, GP, GP, GP, GP },				/* 0x64e */
	{ MSR_OC_MAILBOX, GP, GP, GP, GP },			/* write 0x150 */
	{ MSR_AMD64_DE_CFG, GP, GP, GP, GP },			/* 0xc0011029 */
	{ MSR_PLATFORM_INFO, GP, GP, GP, GP },
	{ MSR_IA32_TEST_CTRL, GP, GP, GP, GP },
	{ MSR_RAPL_POWER_UNIT, GP, GP, GP, GP },
	{ MSR_IA32_VMX_BASIC, GP, GP, GP, GP },			/* no nested VMX */
	{ 0x0badc0de, GP, GP, GP, GP },				/* the selftest's unknown MSR */
	{ 0x7ff, GP, GP, GP, GP },				/* just below x2APIC */
	{ 0x900, GP, GP, GP, GP },				/* just above */
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct row *t = &table[i];

		assert_int_equal(msr_policy(&dflt, t->msr, false), t->read);
		assert_int_equal(msr_policy(&dflt, t->msr, true), t->write);
		assert_int_equal(msr_policy(&apic, t->msr, false), t->apic_read);
		assert_int_equal(msr_policy(&apic, t->msr, true), t->apic_write);
	}
}

/* Each MSR exists exactly when its CPUID bit is offered, for each flag alone. */
static void test_apic_flags_one_by_one(void **state)
{
	struct cpuid_policy p = dflt;

	(void)state;
	p.tsc_deadline = true;				/* deadline without an APIC: nothing */
	assert_int_equal(msr_policy(&p, MSR_IA32_TSC_DEADLINE, false), GP);
	p.tsc_deadline = false;
	p.expose_apic = true;				/* xAPIC only */
	assert_int_equal(msr_policy(&p, MSR_IA32_APIC_BASE, false), LAPIC);
	assert_int_equal(msr_policy(&p, MSR_IA32_TSC_DEADLINE, true), GP);
	assert_int_equal(msr_policy(&p, 0x802, false), GP);
	p.expose_x2apic = true;
	assert_int_equal(msr_policy(&p, 0x802, false), LAPIC);
	p.expose_apic = false;				/* x2APIC needs the APIC */
	assert_int_equal(msr_policy(&p, 0x802, false), GP);
}

/* The rule, checked against the CPUID filter itself on an all-ones host. */
static void test_offered_bits_have_msrs(void **state)
{
	uint32_t r1[4] = { ~0u, ~0u, ~0u, ~0u }, r7[4] = { ~0u, ~0u, ~0u, ~0u };

	(void)state;
	cpuid_filter(&dflt, 0x1f, 0x80000008, 1, 0, r1);
	cpuid_filter(&dflt, 0x1f, 0x80000008, 7, 0, r7);
	/* Hidden bits: their MSRs #GP. */
	assert_false(r7[1] & CPUID_7_EBX_TSC_ADJUST);
	assert_int_equal(msr_policy(&dflt, MSR_IA32_TSC_ADJUST, false), GP);
	assert_false(r7[3] & CPUID_7_EDX_IBRS_IBPB);
	assert_int_equal(msr_policy(&dflt, MSR_IA32_SPEC_CTRL, false), GP);
	assert_false(r7[3] & CPUID_7_EDX_ARCH_CAPABILITIES);
	assert_int_equal(msr_policy(&dflt, MSR_IA32_ARCH_CAPABILITIES, false), GP);
	assert_false(r1[3] & (CPUID_1_EDX_MCE | CPUID_1_EDX_MCA | CPUID_1_EDX_MTRR));
	assert_false(r1[3] & CPUID_1_EDX_APIC);
	assert_false(r1[2] & (CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE));
	/* Offered bits: their MSRs answer. EDX.PAT (16), EDX.SEP (11), EDX.TSC (4) reads. */
	assert_true(r1[3] & (1u << 16));
	assert_int_equal(msr_policy(&dflt, MSR_IA32_PAT, true), EMU);
	assert_true(r1[3] & (1u << 11));
	assert_int_equal(msr_policy(&dflt, MSR_IA32_SYSENTER_EIP, true), PASS);
	assert_true(r7[2] & CPUID_7_ECX_RDPID);
	assert_int_equal(msr_policy(&dflt, MSR_IA32_TSC_AUX, false), PASS);
	/* With the APIC offered, the filter and the policy agree too. */
	for (int i = 0; i < 4; i++)
		r1[i] = ~0u;
	cpuid_filter(&apic, 0x1f, 0x80000008, 1, 0, r1);
	assert_true(r1[3] & CPUID_1_EDX_APIC);
	assert_true(r1[2] & CPUID_1_ECX_TSC_DEADLINE);
	assert_int_equal(msr_policy(&apic, MSR_IA32_TSC_DEADLINE, true), LAPIC);
}

/* IA32_TSC_ADJUST exists exactly when CPUID.7:EBX.TSC_ADJUST says so, and
 * the bit follows the policy, not the host. */
static void test_tsc_adjust(void **state)
{
	struct cpuid_policy adj = dflt;
	uint32_t r7[4] = { 0, 0, 0, 0 };

	(void)state;
	adj.tsc_adjust = true;
	cpuid_filter(&adj, 0x1f, 0x80000008, 7, 0, r7);
	assert_true(r7[1] & CPUID_7_EBX_TSC_ADJUST);	/* a host without it */
	assert_int_equal(msr_policy(&adj, MSR_IA32_TSC_ADJUST, false), EMU);
	assert_int_equal(msr_policy(&adj, MSR_IA32_TSC_ADJUST, true), EMU);
	assert_int_equal(msr_policy(&dflt, MSR_IA32_TSC_ADJUST, true), GP);
}

/* The bitmap's rows: pass-through MSRs never exit, and only those. */
static void test_passed_rows(void **state)
{
	(void)state;
	assert_int_equal(msr_passed_count, 12);
	for (size_t i = 0; i < msr_passed_count; i++) {
		assert_int_equal(msr_policy(&dflt, msr_passed[i].msr, false), PASS);
		assert_int_equal(msr_policy(&dflt, msr_passed[i].msr, true),
				 msr_passed[i].write ? PASS : GP);
		assert_null(msr_name(msr_passed[i].msr));
	}
	assert_string_equal(msr_name(MSR_IA32_TSC_ADJUST), "IA32_TSC_ADJUST");
	assert_string_equal(msr_name(MSR_MISC_FEATURES_ENABLES), "MSR_MISC_FEATURES_ENABLES");
	assert_null(msr_name(0x0badc0de));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_apic_flags_one_by_one),
		cmocka_unit_test(test_offered_bits_have_msrs),
		cmocka_unit_test(test_tsc_adjust),
		cmocka_unit_test(test_passed_rows),
	};

	return cmocka_run_group_tests_name("msr_policy", tests, NULL, NULL);
}
