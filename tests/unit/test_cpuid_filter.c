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
	uint32_t edx_gone = (1u << 7) | (1u << 9) | (1u << 12) | (1u << 14) | (1u << 21) |
			    (1u << 22) | (1u << 28) | (1u << 29) | (1u << 31);

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
	assert_int_equal(r[3], 0xbfebfbffu & ~0xb0605280u);
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
	expect(0x15, 0, 0x12345678, 0x12345678, 0x12345678, 0x12345678, 0x12345678);
	expect(0x16, 0, ONES, ONES, ONES, ONES, ONES);
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
	uint32_t ebx_gone = (1u << 2) | (1u << 5) | (1u << 10) | (1u << 12) | (1u << 14) |
			    (1u << 15) | (1u << 16) | (1u << 17) | (1u << 21) | (1u << 25) |
			    (1u << 26) | (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31);
	uint32_t ecx_gone = (1u << 1) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) |
			    (1u << 7) | (1u << 9) | (1u << 10) | (1u << 11) | (1u << 12) |
			    (1u << 13) | (1u << 14) | (1u << 16) | (1u << 30) | (1u << 31);
	uint32_t edx_gone = (1u << 2) | (1u << 3) | (1u << 8) | (1u << 9) | (1u << 13) |
			    (1u << 15) | (1u << 18) | (1u << 20) | (1u << 22) | (1u << 23) |
			    (1u << 24) | (1u << 25) | (1u << 26) | (1u << 27) | (1u << 28) |
			    (1u << 29) | (1u << 30) | (1u << 31);
	uint32_t r[4];

	(void)state;
	expect(7, 0, ONES, 0, ONES & ~ebx_gone, ONES & ~ecx_gone, ONES & ~edx_gone);
	run(&pol, MAX_STD, MAX_EXT, 7, 0, ONES, r);
	assert_true(r[2] & CPUID_7_ECX_RDPID);
	assert_true(r[1] & (1u << 7));		/* SMEP */
	assert_true(r[1] & (1u << 20));		/* SMAP */
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
	assert_int_equal(r[0], 0x40000001);
	for (int i = 0; i < 3; i++)
		for (int b = 0; b < 4; b++)
			sig[i * 4 + b] = (char)(r[1 + i] >> (8 * b));
	assert_memory_equal(sig, "xtalkxtalk\0\0", 12);
	assert_int_equal(r[1], 0x6c617478);	/* "xtal" */
	assert_int_equal(r[2], 0x6174786b);	/* "kxta" */
	assert_int_equal(r[3], 0x00006b6c);	/* "lk\0\0" */
	expect(0x40000001, 0, ONES, 0x00010002, 0, 0, 0);
	expect(0x40000002, 0, ONES, 0, 0, 0, 0);
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
	};

	return cmocka_run_group_tests_name("cpuid_filter", tests, NULL, NULL);
}
