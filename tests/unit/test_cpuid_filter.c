// SPDX-License-Identifier: MIT
/* Host unit tests for the CPUID filter (vmm/emul/cpuid_filter.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/emul/cpuid_filter.h"

#define MAX_STD 0x20u
#define MAX_EXT 0x80000008u
#define ONES 0xffffffffu

static const struct cpuid_policy pol = {
	.apic_id = 0x25,
	.expose_apic = false,
	.expose_x2apic = false,
	.hv_version = 0x00010002,
};

static void run(const struct cpuid_policy *p, uint32_t max_std, uint32_t max_ext, uint32_t leaf,
		uint32_t subleaf, uint32_t in, uint32_t out[4])
{
	for (int i = 0; i < 4; i++)
		out[i] = in;
	cpuid_filter(p, max_std, max_ext, leaf, subleaf, out);
}

static void expect(uint32_t leaf, uint32_t subleaf, uint32_t in, uint32_t a, uint32_t b,
		   uint32_t c, uint32_t d)
{
	uint32_t r[4];

	run(&pol, MAX_STD, MAX_EXT, leaf, subleaf, in, r);
	assert_int_equal(r[0], a);
	assert_int_equal(r[1], b);
	assert_int_equal(r[2], c);
	assert_int_equal(r[3], d);
}

static void test_leaf0(void **state)
{
	uint32_t r[4] = { 0x23, 0x756e6547, 0x6c65746e, 0x49656e69 };	/* GenuineIntel */

	(void)state;
	cpuid_filter(&pol, 0x23, MAX_EXT, 0, 0, r);
	assert_int_equal(r[0], 0x1f);
	assert_int_equal(r[1], 0x756e6547);
	assert_int_equal(r[2], 0x6c65746e);
	assert_int_equal(r[3], 0x49656e69);
	r[0] = 0x16;
	cpuid_filter(&pol, 0x16, MAX_EXT, 0, 0, r);
	assert_int_equal(r[0], 0x16);
}

static void test_leaf1_all_ones(void **state)
{
	uint32_t ecx_gone = (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) |
			    (1u << 8) | (1u << 11) | (1u << 12) | (1u << 14) | (1u << 15) |
			    (1u << 18) | (1u << 21) | (1u << 24) | (1u << 26) | (1u << 27) |
			    (1u << 28) | (1u << 29);
	uint32_t edx_gone = (1u << 7) | (1u << 9) | (1u << 12) | (1u << 14) | (1u << 18) |
			    (1u << 21) | (1u << 22) | (1u << 28) | (1u << 29) | (1u << 31);

	(void)state;
	expect(1, 0, ONES, ONES, 0x2501ffff, ONES & ~ecx_gone, ONES & ~edx_gone);
	/* The hypervisor bit is set even if the host did not report it. */
	expect(1, 0, 0, 0, 0x25010000, 1u << 31, 0);
}

static void test_leaf1_policy(void **state)
{
	struct cpuid_policy p = pol;
	uint32_t r[4];

	(void)state;
	p.expose_apic = true;
	p.expose_x2apic = true;
	p.apic_id = 0x1234;		/* only 8 bits fit in EBX[31:24] */
	run(&p, MAX_STD, MAX_EXT, 1, 0, ONES, r);
	assert_true(r[3] & CPUID_1_EDX_APIC);
	assert_true(r[2] & CPUID_1_ECX_X2APIC);
	assert_int_equal(r[1] >> 24, 0x34);
	assert_int_equal((r[1] >> 16) & 0xff, 1);
	/* Exposing never adds a feature the host lacks. */
	run(&p, MAX_STD, MAX_EXT, 1, 0, 0, r);
	assert_false(r[3] & CPUID_1_EDX_APIC);
	assert_false(r[2] & CPUID_1_ECX_X2APIC);
	/* A realistic host: family 6 model 0x55, SSE2, APIC, FPU ... */
	r[0] = 0x00050654;
	r[1] = 0x1a400800;
	r[2] = 0x7ffefbff;
	r[3] = 0xbfebfbff;
	cpuid_filter(&pol, MAX_STD, MAX_EXT, 1, 0, r);
	assert_int_equal(r[0], 0x00050654);
	assert_int_equal(r[1], 0x25010800);
	assert_int_equal(r[2], (0x7ffefbffu & ~0x3d24d9fcu) | (1u << 31));
	assert_int_equal(r[3], 0xbfebfbffu & ~0xb0645280u);
}

/* x2APIC needs the APIC (its MSRs go to the local APIC), as in msr_policy. */
static void test_leaf1_x2apic_needs_apic(void **state)
{
	struct cpuid_policy p = pol;
	uint32_t r[4];

	(void)state;
	p.expose_x2apic = true;
	run(&p, MAX_STD, MAX_EXT, 1, 0, ONES, r);
	assert_false(r[2] & CPUID_1_ECX_X2APIC);
	p.expose_apic = true;
	run(&p, MAX_STD, MAX_EXT, 1, 0, ONES, r);
	assert_true(r[2] & CPUID_1_ECX_X2APIC);
}

/* Without the "enable RDTSCP" control, RDTSCP and RDPID #UD: both bits go. */
static void test_hide_rdtscp(void **state)
{
	struct cpuid_policy p = pol;
	uint32_t r[4];

	(void)state;
	run(&p, MAX_STD, MAX_EXT, 0x80000001, 0, ONES, r);
	assert_true(r[3] & (1u << 27));
	run(&p, MAX_STD, MAX_EXT, 7, 0, ONES, r);
	assert_true(r[2] & CPUID_7_ECX_RDPID);
	p.hide_rdtscp = true;
	run(&p, MAX_STD, MAX_EXT, 0x80000001, 0, ONES, r);
	assert_int_equal(r[3], ONES & ~(1u << 27));
	run(&p, MAX_STD, MAX_EXT, 7, 0, ONES, r);
	assert_false(r[2] & CPUID_7_ECX_RDPID);
	assert_true(r[2] & CPUID_7_ECX_UMIP);
}

/* TSC-deadline mode is the LAPIC model's: offered only with the APIC, whatever the host. */
static void test_leaf1_tsc_deadline(void **state)
{
	struct cpuid_policy p = pol;
	uint32_t r[4];

	(void)state;
	run(&p, MAX_STD, MAX_EXT, 1, 0, ONES, r);		/* default: off */
	assert_false(r[2] & CPUID_1_ECX_TSC_DEADLINE);
	p.tsc_deadline = true;					/* no APIC: still off */
	run(&p, MAX_STD, MAX_EXT, 1, 0, ONES, r);
	assert_false(r[2] & CPUID_1_ECX_TSC_DEADLINE);
	p.expose_apic = true;
	run(&p, MAX_STD, MAX_EXT, 1, 0, 0, r);			/* even if the host lacks it */
	assert_true(r[2] & CPUID_1_ECX_TSC_DEADLINE);
	assert_true(r[2] & CPUID_1_ECX_HYPERVISOR);
	p.tsc_deadline = false;					/* APIC without deadline mode */
	run(&p, MAX_STD, MAX_EXT, 1, 0, ONES, r);
	assert_false(r[2] & CPUID_1_ECX_TSC_DEADLINE);
	assert_true(r[3] & CPUID_1_EDX_APIC);
}

static void test_leaf4(void **state)
{
	(void)state;
	expect(4, 0, ONES, 0x3fff, ONES, ONES, ONES);
	expect(4, 3, 0x1c03c163, 0x163, 0x1c03c163, 0x1c03c163, 0x1c03c163);
}

static void test_passthrough_std(void **state)
{
	(void)state;
	expect(2, 0, 0x00feff01, 0x00feff01, 0x00feff01, 0x00feff01, 0x00feff01);
	/* The host's 15h/16h never pass: with the time unknown they say "not enumerated". */
	expect(0x15, 0, 0x12345678, 0, 0, 0, 0);
	expect(0x16, 0, ONES, 0, 0, 0, 0);
}

static void test_zero_std(void **state)
{
	static const uint32_t zeroed[] = { 3, 5, 6, 8, 9, 0xa, 0xc, 0xd, 0xe, 0xf, 0x10, 0x11,
					   0x12, 0x13, 0x14, 0x17, 0x18, 0x19, 0x1a, 0x1b,
					   0x1c, 0x1d, 0x1e, 0x20 };

	(void)state;
	for (size_t i = 0; i < sizeof(zeroed) / sizeof(zeroed[0]); i++) {
		expect(zeroed[i], 0, ONES, 0, 0, 0, 0);
		expect(zeroed[i], 1, ONES, 0, 0, 0, 0);
	}
}

static void test_leaf7(void **state)
{
	/* The whitelist, written out as bit numbers (SDM 2A, leaf 07H). */
	uint32_t ebx_kept = (1u << 0) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 7) |
			    (1u << 8) | (1u << 9) | (1u << 11) | (1u << 13) | (1u << 18) |
			    (1u << 19) | (1u << 20) | (1u << 23) | (1u << 24) | (1u << 29);
	uint32_t ecx_kept = (1u << 0) | (1u << 2) | (1u << 8) | (1u << 22) | (1u << 25) |
			    (1u << 27) | (1u << 28);
	uint32_t edx_kept = (1u << 4) | (1u << 10) | (1u << 11) | (1u << 14) | (1u << 16);
	uint32_t r[4];

	(void)state;
	expect(7, 0, ONES, 0, ebx_kept, ecx_kept, edx_kept);
	run(&pol, MAX_STD, MAX_EXT, 7, 0, ONES, r);
	assert_true(r[2] & CPUID_7_ECX_RDPID);
	assert_true(r[1] & (1u << 7));		/* SMEP */
	assert_true(r[1] & (1u << 20));		/* SMAP */
	/* Features whose MSR is not emulated are hidden (Linux reads those with rdmsrl). */
	assert_false(r[1] & CPUID_7_EBX_TSC_ADJUST);		/* IA32_TSC_ADJUST */
	assert_false(r[3] & CPUID_7_EDX_ARCH_CAPABILITIES);	/* IA32_ARCH_CAPABILITIES */
	assert_false(r[3] & (CPUID_7_EDX_IBRS_IBPB | CPUID_7_EDX_STIBP | CPUID_7_EDX_SSBD));
	assert_false(r[3] & CPUID_7_EDX_L1D_FLUSH);		/* IA32_FLUSH_CMD */
	assert_false(r[3] & (CPUID_7_EDX_CORE_CAPABILITIES | CPUID_7_EDX_TSX_FORCE_ABORT));
	assert_false(r[3] & (CPUID_7_EDX_PCONFIG | CPUID_7_EDX_ARCH_LBR | CPUID_7_EDX_UINTR));
	assert_false(r[2] & (CPUID_7_ECX_BUS_LOCK_DETECT | CPUID_7_ECX_WAITPKG | CPUID_7_ECX_KL));
	assert_true(r[3] & CPUID_7_EDX_MD_CLEAR);		/* VERW: no MSR */
	expect(7, 1, ONES, 0, 0, 0, 0);
	expect(7, 2, ONES, 0, 0, 0, 0);
	expect(7, 0xffffffff, ONES, 0, 0, 0, 0);
}

static void test_topology(void **state)
{
	static const uint32_t leaves[] = { 0xb, 0x1f };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		uint32_t l = leaves[i];

		expect(l, 0, ONES, 0, 1, 0x100, 0x25);
		expect(l, 1, ONES, 0, 1, 0x201, 0x25);
		expect(l, 2, ONES, 0, 0, 2, 0x25);
		expect(l, 0x1ff, ONES, 0, 0, 0xff, 0x25);
	}
	/* 0x1F is beyond a host whose max standard leaf is 0x16. */
	uint32_t r[4];
	run(&pol, 0x16, MAX_EXT, 0x1f, 0, ONES, r);
	assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
	run(&pol, 0x16, MAX_EXT, 0xb, 0, ONES, r);
	assert_int_equal(r[1], 1);
}

static void test_hypervisor_leaves(void **state)
{
	uint32_t r[4];
	char sig[13] = { 0 };

	(void)state;
	run(&pol, MAX_STD, MAX_EXT, 0x40000000, 0, ONES, r);
	assert_int_equal(r[0], 0x40000010);
	for (int i = 0; i < 3; i++)
		for (int b = 0; b < 4; b++)
			sig[i * 4 + b] = (char)(r[1 + i] >> (8 * b));
	assert_memory_equal(sig, "xtalkxtalk\0\0", 12);
	assert_int_equal(r[1], 0x6c617478);	/* "xtal" */
	assert_int_equal(r[2], 0x6174786b);	/* "kxta" */
	assert_int_equal(r[3], 0x00006b6c);	/* "lk\0\0" */
	expect(0x40000001, 0, ONES, 0x00010002, 0, 0, 0);
	expect(0x40000002, 0, ONES, 0, 0, 0, 0);
	expect(0x4000000f, 0, ONES, 0, 0, 0, 0);
	expect(0x40000010, 0, ONES, 0, 0, 0, 0);	/* time unknown */
	expect(0x40000011, 0, ONES, 0, 0, 0, 0);
	expect(0x40000100, 0, ONES, 0, 0, 0, 0);
	expect(0x4fffffff, 0, ONES, 0, 0, 0, 0);
	/* Independent of the host's maxima. */
	run(&pol, 1, 0x80000000, 0x40000001, 0, ONES, r);
	assert_int_equal(r[0], 0x00010002);
}

static void test_extended(void **state)
{
	(void)state;
	expect(0x80000000, 0, MAX_EXT, MAX_EXT, MAX_EXT, MAX_EXT, MAX_EXT);
	expect(0x80000001, 0, ONES, ONES, ONES, ONES & ~((1u << 2) | (1u << 29)), ONES);
	for (uint32_t l = 0x80000002; l <= 0x80000008; l++) {
		if (l == 0x80000005)
			expect(l, 0, ONES, 0, 0, 0, 0);
		else
			expect(l, 0, 0x61626364, 0x61626364, 0x61626364, 0x61626364, 0x61626364);
	}
}

static void test_out_of_range(void **state)
{
	static const uint32_t leaves[] = { 0x21, 0x100, 0x3fffffff, 0x50000000, 0x7fffffff,
					   0x80000009, 0x80000021, 0x8fffffff, 0xc0000000,
					   0xffffffff };
	uint32_t r[4];

	(void)state;
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		expect(leaves[i], 0, ONES, 0, 0, 0, 0);
	/* A host with max standard leaf 7 has no leaf 0xB, 0xD, 0x15 ... */
	run(&pol, 7, MAX_EXT, 0x15, 0, ONES, r);
	assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
	run(&pol, 7, MAX_EXT, 7, 0, ONES, r);
	assert_int_not_equal(r[1], 0);
	/* Extended leaves beyond the host's maximum. */
	run(&pol, MAX_STD, 0x80000004, 0x80000008, 0, ONES, r);
	assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
	run(&pol, MAX_STD, 0x80000004, 0x80000004, 0, ONES, r);
	assert_int_equal(r[0], ONES);
	/* A host without extended leaves. */
	run(&pol, MAX_STD, 0, 0x80000000, 0, ONES, r);
	assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
}

/* A policy with the time of a TSC measured at measured_hz and a 100 MHz bus. */
static struct cpuid_policy timed(uint64_t measured_hz)
{
	struct cpuid_policy p = pol;

	assert_int_equal(cpuid_timing_set(&p, measured_hz, CPUID_DEFAULT_BUS_HZ), 0);
	return p;
}

static void assert_timing(uint64_t measured, uint32_t want, uint32_t per_bus, uint32_t bus_hz,
			  uint64_t tsc_hz)
{
	struct cpuid_policy p = pol;

	assert_int_equal(cpuid_timing_set(&p, measured, want), 0);
	assert_int_equal(p.tsc_per_bus, per_bus);
	assert_int_equal(p.bus_hz, bus_hz);
	assert_int_equal(p.tsc_hz, tsc_hz);
}

static void test_timing_choice(void **state)
{
	struct cpuid_policy p = pol;

	(void)state;
	/* Bochs with ips=200000000: its TSC counts instructions. */
	assert_timing(200000000, 100000000, 2, 100000000, 200000000);
	/* The loader's 10 ms measurement is not round: 2 x 100.006 MHz. */
	assert_timing(200012300, 100000000, 2, 100006000, 200012000);
	/* A real CPU's measured rate: 29 x 100.138 MHz, 2.7 ppm from the measurement. */
	assert_timing(2903994100ULL, 100000000, 29, 100138000, 2904002000ULL);
	/* A 24 MHz crystal asked for. */
	assert_timing(2400000000ULL, 24000000, 100, 24000000, 2400000000ULL);
	/* Bus = TSC when asked (0) or when the TSC is slower than the bus. */
	assert_timing(200012345, 0, 1, 200012000, 200012000);
	assert_timing(50000000, 100000000, 1, 50000000, 50000000);
	/* A crystal must fit CPUID.15h:ECX: a 5 GHz TSC gets a 2.5 GHz bus. */
	assert_timing(5000000000ULL, 0, 2, 2500000000u, 5000000000ULL);
	/* Unknown: nothing measured, or below 1 kHz. */
	assert_int_equal(cpuid_timing_set(&p, 0, 100000000), -1);
	assert_int_equal(p.tsc_hz | p.bus_hz | p.tsc_per_bus, 0);
	assert_int_equal(cpuid_timing_set(&p, 400, 0), -1);
	assert_int_equal(p.tsc_hz | p.bus_hz | p.tsc_per_bus, 0);
}

/* Every leaf tells the same time: 15h exactly, 16h to the MHz, 40000010h to the kHz. */
static void assert_time_leaves(const struct cpuid_policy *p, uint32_t host_max)
{
	uint32_t r[4];

	run(p, host_max, MAX_EXT, 0x15, 0, 0xdeadbeef, r);
	assert_int_equal(r[0], 1);
	assert_int_equal((uint64_t)r[2] * r[1] / r[0], p->tsc_hz);
	assert_int_equal((uint64_t)r[2] * r[1] % r[0], 0);
	assert_int_equal(r[2], p->bus_hz);	/* Linux: APIC timer = crystal */
	assert_int_equal(r[3], 0);
	run(p, host_max, MAX_EXT, 0x16, 0, 0xdeadbeef, r);
	assert_int_equal(r[0], (p->tsc_hz + 500000) / 1000000);
	assert_int_equal(r[1], r[0]);
	assert_int_equal(r[2], (p->bus_hz + 500000) / 1000000);
	assert_int_equal(r[3], 0);
	run(p, host_max, MAX_EXT, 0x40000010, 0, 0xdeadbeef, r);
	assert_int_equal((uint64_t)r[0] * 1000, p->tsc_hz);
	assert_int_equal((uint64_t)r[1] * 1000, p->bus_hz);
	assert_int_equal(r[2] | r[3], 0);
	run(p, host_max, MAX_EXT, 0, 0, 0, r);
	assert_true(r[0] >= 0x16);
}

static void test_time_leaves_consistent(void **state)
{
	(void)state;
	for (uint64_t hz = 1000000; hz < 6000000000ULL; hz = hz * 3 / 2 + 12345) {
		struct cpuid_policy p = timed(hz);

		assert_time_leaves(&p, MAX_STD);
		assert_time_leaves(&p, 0xd);
		assert_true(p.tsc_hz <= hz + p.tsc_per_bus * 500ULL + 500);
		assert_true(p.tsc_hz + p.tsc_per_bus * 500ULL + 500 >= hz);
	}
}

/*
 * Bochs 2.7's models (docs: /work/shared/PLATFORM.md) with ips=200000000:
 * whatever they hard-code in 15h/16h, the guest learns 200 MHz and a 100 MHz
 * bus; corei7_haswell_4770 stops at leaf 0Dh and gets 15h/16h all the same.
 */
struct bochs_model {
	const char *name;
	uint32_t max_std;
	uint32_t l15[4], l16[4];
};

static const struct bochs_model bochs_models[] = {
	{ "corei7_skylake_x", 0x16, { 2, 0x124, 0, 0 }, { 3500, 3500, 100, 0 } },
	{ "tigerlake", 0x1b, { 2, 0x124, 0, 0 }, { 2400, 2400, 100, 0 } },
	{ "corei7_icelake_u", 0x1b, { 2, 0x124, 0, 0 }, { 1500, 1500, 100, 0 } },
	{ "corei7_haswell_4770", 0xd, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } },
};

static void check_bochs_model(const struct bochs_model *m)
{
	struct cpuid_policy p = timed(200000000);
	uint32_t r[4];

	memcpy(r, m->l15, sizeof(r));
	cpuid_filter(&p, m->max_std, MAX_EXT, 0x15, 0, r);
	assert_int_equal(r[0], 1);
	assert_int_equal(r[1], 2);
	assert_int_equal(r[2], 100000000);
	memcpy(r, m->l16, sizeof(r));
	cpuid_filter(&p, m->max_std, MAX_EXT, 0x16, 0, r);
	assert_int_equal(r[0], 200);
	assert_int_equal(r[1], 200);
	assert_int_equal(r[2], 100);
	run(&p, m->max_std, MAX_EXT, 0x40000010, 0, ONES, r);
	assert_int_equal(r[0], 200000);
	assert_int_equal(r[1], 100000);
	r[0] = m->max_std;
	cpuid_filter(&p, m->max_std, MAX_EXT, 0, 0, r);
	assert_int_equal(r[0], m->max_std < 0x16 ? 0x16 : m->max_std);
	assert_time_leaves(&p, m->max_std);
}

static void test_bochs_models(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bochs_models) / sizeof(bochs_models[0]); i++)
		check_bochs_model(&bochs_models[i]);
}

/* Raised to 16h, a host with max 0Dh answers 0Eh-14h with leaf 0Dh's data: the guest sees zeros. */
static void test_raised_max_leaf(void **state)
{
	struct cpuid_policy p = timed(200000000);
	uint32_t r[4];

	(void)state;
	for (uint32_t l = 0xe; l <= 0x14; l++) {
		run(&p, 0xd, MAX_EXT, l, 0, 0x1234567, r);
		assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
	}
	run(&p, 0xd, MAX_EXT, 0x17, 0, ONES, r);	/* beyond the guest's max */
	assert_int_equal(r[0] | r[1] | r[2] | r[3], 0);
	run(&p, 0xd, MAX_EXT, 7, 0, ONES, r);		/* below the host's: filtered as usual */
	assert_int_equal(r[1], (1u << 0) | (1u << 3) | (1u << 4) | (1u << 6) | (1u << 7) |
				       (1u << 8) | (1u << 9) | (1u << 11) | (1u << 13) |
				       (1u << 18) | (1u << 19) | (1u << 20) | (1u << 23) |
				       (1u << 24) | (1u << 29));
	/* The time unknown: the host's maximum stays. */
	assert_int_equal(cpuid_guest_max_std(&pol, 0xd), 0xd);
	assert_int_equal(cpuid_guest_max_std(&p, 0xd), 0x16);
	assert_int_equal(cpuid_guest_max_std(&p, 0x23), 0x1f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leaf0),
		cmocka_unit_test(test_leaf1_all_ones),
		cmocka_unit_test(test_leaf1_policy),
		cmocka_unit_test(test_leaf4),
		cmocka_unit_test(test_passthrough_std),
		cmocka_unit_test(test_zero_std),
		cmocka_unit_test(test_leaf7),
		cmocka_unit_test(test_topology),
		cmocka_unit_test(test_hypervisor_leaves),
		cmocka_unit_test(test_extended),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_leaf1_tsc_deadline),
		cmocka_unit_test(test_leaf1_x2apic_needs_apic),
		cmocka_unit_test(test_hide_rdtscp),
		cmocka_unit_test(test_timing_choice),
		cmocka_unit_test(test_time_leaves_consistent),
		cmocka_unit_test(test_bochs_models),
		cmocka_unit_test(test_raised_max_leaf),
	};

	return cmocka_run_group_tests_name("cpuid_filter", tests, NULL, NULL);
}
