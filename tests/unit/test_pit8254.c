// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the 8254 PIT and port 0x61 model (devices/pit8254.c):
 * the output waveforms of modes 0-5 pulse by pulse against the datasheet,
 * random programs of modes 0, 2, 3 and 4 against a pulse-stepped reference
 * counter written from the datasheet's mode descriptions, BCD, latch and
 * read-back, the flip-flops, GATE2, and Linux's TSC
 * calibrations replayed with a simulated guest whose every port access costs
 * time (arch/x86/kernel/tsc.c pit_calibrate_tsc and quick_pit_calibrate, the
 * i8253 clockevent's periodic and shutdown sequences).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "devices/pit8254.h"
#include "devices/timebase.h"

static struct pit8254 pit;

/* Time of input pulse p (plus a little, to be inside the pulse). */
static uint64_t at(uint64_t p)
{
	return tb_ns(p, PIT_HZ) + 5;
}

static void out_p(uint16_t port, uint8_t v, uint64_t p)
{
	pit_io_write(&pit, port, v, at(p));
}

static uint8_t in_p(uint16_t port, uint64_t p)
{
	return pit_io_read(&pit, port, at(p));
}

/* 16-bit count after a latch command, read LSB then MSB. */
static uint16_t latched(unsigned ch, uint64_t p)
{
	out_p(PIT_MODE, (uint8_t)(ch << PIT_CW_SC_SHIFT), p);
	uint16_t lo = in_p((uint16_t)(PIT_CH0 + ch), p);
	return (uint16_t)(lo | in_p((uint16_t)(PIT_CH0 + ch), p) << 8);
}

static uint8_t status(unsigned ch, uint64_t p)
{
	out_p(PIT_MODE, 0xc0 | PIT_RB_COUNT_N | PIT_RB_CNT(ch), p);
	return in_p((uint16_t)(PIT_CH0 + ch), p);
}

static bool out_at(unsigned ch, uint64_t p)
{
	return pit_out(&pit, ch, at(p));
}

/* Program counter ch: mode, LSB then MSB, binary, count n, at pulse p. */
static void program(unsigned ch, unsigned mode, uint16_t n, uint64_t p)
{
	out_p(PIT_MODE, (uint8_t)(ch << 6 | 0x30 | mode << 1), p);
	out_p((uint16_t)(PIT_CH0 + ch), (uint8_t)n, p);
	out_p((uint16_t)(PIT_CH0 + ch), (uint8_t)(n >> 8), p);
}

static int setup(void **state)
{
	(void)state;
	pit_init(&pit, 0);
	return 0;
}

/* ---------------------------------------------------------------- reset */

static void test_power_on(void **state)
{
	(void)state;
	/* Counter 0 as a BIOS leaves it: mode 3, count 65536, loaded at pulse 1. */
	assert_true(out_at(0, 0));
	assert_int_equal(pit_next_rise(&pit, 0, 0), tb_ns(1 + 65536, PIT_HZ));
	assert_true(out_at(0, 32768));
	assert_false(out_at(0, 32769));
	assert_int_equal(status(0, 10), 0x36 | PIT_ST_OUTPUT);
	/* Counter 2 idle, GATE2 low, speaker off, OUT2 high. */
	assert_int_equal(pit_next_rise(&pit, 2, 0), TB_NEVER);
	assert_int_equal(in_p(PIT_PORT_B, 0) & 0x2f, PORTB_TMR2_OUT);
	assert_int_equal(status(2, 0), 0x36 | PIT_ST_OUTPUT | PIT_ST_NULL_COUNT);
	assert_true(pit_claims_port(0x40) && pit_claims_port(0x43) && pit_claims_port(0x61));
	assert_false(pit_claims_port(0x44) || pit_claims_port(0x60));
	assert_int_equal(in_p(PIT_MODE, 0), 0xff);
}

/* ---------------------------------------------------------------- modes */

static void test_mode0_interrupt_on_terminal_count(void **state)
{
	(void)state;
	uint64_t w = 1000;

	program(0, 0, 10, w);
	assert_int_equal(status(0, w) & PIT_ST_NULL_COUNT, PIT_ST_NULL_COUNT);
	/* OUT goes high N + 1 pulses after the count is written. */
	for (uint64_t p = w; p < w + 11; p++)
		assert_false(out_at(0, p));
	assert_true(out_at(0, w + 11));
	assert_true(out_at(0, w + 100000));
	assert_int_equal(pit_next_rise(&pit, 0, at(w)), tb_ns(w + 11, PIT_HZ));
	assert_int_equal(pit_next_rise(&pit, 0, at(w + 11)), TB_NEVER);
	/* CE: loaded with N on the next pulse, decrements, wraps after 0. */
	assert_int_equal(status(0, w + 1) & PIT_ST_NULL_COUNT, 0);
	assert_int_equal(latched(0, w + 1), 10);
	assert_int_equal(latched(0, w + 4), 7);
	assert_int_equal(latched(0, w + 11), 0);
	assert_int_equal(latched(0, w + 12), 0xffff);
	/* A new count sets OUT low again; a control word too. */
	out_p(PIT_CH0, 5, w + 20);
	out_p(PIT_CH0, 0, w + 20);
	assert_false(out_at(0, w + 20));
	assert_true(out_at(0, w + 26));
	out_p(PIT_MODE, 0x30, w + 30);
	assert_false(out_at(0, w + 30));
	assert_int_equal(pit_next_rise(&pit, 0, at(w + 30)), TB_NEVER);
}

static void test_mode0_first_byte_stops_counting(void **state)
{
	(void)state;
	program(0, 0, 100, 0);
	assert_int_equal(latched(0, 11), 90);
	out_p(PIT_CH0, 50, 20);			/* first byte: stop, OUT low */
	assert_int_equal(latched(0, 30), 81);
	assert_int_equal(latched(0, 500), 81);
	assert_false(out_at(0, 500));
	assert_int_equal(pit_next_rise(&pit, 0, at(500)), TB_NEVER);
	out_p(PIT_CH0, 0, 600);			/* second byte: load 50 at 601 */
	assert_int_equal(latched(0, 600), 81);
	assert_int_equal(latched(0, 601), 50);
	assert_int_equal(pit_next_rise(&pit, 0, at(600)), tb_ns(651, PIT_HZ));
}

static void test_mode1_retriggerable_one_shot(void **state)
{
	(void)state;
	program(2, 1, 5, 0);
	assert_true(out_at(2, 1));
	assert_int_equal(pit_next_rise(&pit, 2, at(1)), TB_NEVER);
	assert_int_equal(status(2, 10) & PIT_ST_NULL_COUNT, PIT_ST_NULL_COUNT);
	out_p(PIT_PORT_B, PORTB_TIM2_GATE, 100);	/* trigger */
	assert_true(out_at(2, 100));
	for (uint64_t p = 101; p <= 105; p++)
		assert_false(out_at(2, p));
	assert_true(out_at(2, 106));
	assert_int_equal(pit_next_rise(&pit, 2, at(100)), tb_ns(106, PIT_HZ));
	assert_int_equal(status(2, 101) & PIT_ST_NULL_COUNT, 0);
	/* GATE level does not matter; a new rising edge retriggers. */
	out_p(PIT_PORT_B, 0, 200);
	out_p(PIT_PORT_B, PORTB_TIM2_GATE, 203);
	out_p(PIT_PORT_B, 0, 205);
	out_p(PIT_PORT_B, PORTB_TIM2_GATE, 206);	/* retrigger while low */
	assert_false(out_at(2, 210));
	assert_true(out_at(2, 212));
	assert_int_equal(in_p(PIT_PORT_B, 211) & PORTB_TMR2_OUT, 0);
	assert_int_equal(in_p(PIT_PORT_B, 212) & PORTB_TMR2_OUT, PORTB_TMR2_OUT);
}

static void check_rate_generator(uint64_t w, uint32_t n, unsigned cycles)
{
	uint64_t l = w + 1;

	for (uint64_t p = l; p < l + (uint64_t)n * cycles; p++) {
		uint64_t k = p - l;

		assert_int_equal(out_at(0, p), k % n != n - 1);
		if (k % 97 == 0)
			assert_int_equal(latched(0, p), n - k % n);
		if (k % n == n - 1)	/* the next rise is the reload */
			assert_int_equal(pit_next_rise(&pit, 0, at(p)), tb_ns(p + 1, PIT_HZ));
	}
}

static void test_mode2_rate_generator(void **state)
{
	(void)state;
	/* Linux's periodic clockevent: 0x34, LATCH = (PIT_HZ + HZ/2) / HZ. */
	uint16_t latch = (PIT_HZ + 125) / 250;

	out_p(PIT_MODE, 0x34, 50);
	out_p(PIT_CH0, latch & 0xff, 50);
	out_p(PIT_CH0, latch >> 8, 50);
	assert_true(out_at(0, 50));
	assert_int_equal(pit_next_rise(&pit, 0, at(50)), tb_ns(51 + latch, PIT_HZ));
	check_rate_generator(50, latch, 3);
	/* Edges exactly one period apart, forever. */
	uint64_t e = pit_next_rise(&pit, 0, at(50 + 3 * latch));
	assert_int_equal(e, tb_ns(51 + 3 * latch, PIT_HZ));
	for (unsigned i = 0; i < 1000; i++) {
		uint64_t e2 = pit_next_rise(&pit, 0, e);

		assert_int_equal(e2, tb_ns(51 + (uint64_t)(i + 4) * latch, PIT_HZ));
		assert_false(pit_out(&pit, 0, e - 1));
		assert_true(pit_out(&pit, 0, e));
		e = e2;
	}
}

static void test_mode2_new_count_at_end_of_cycle(void **state)
{
	(void)state;
	program(0, 2, 100, 0);			/* loaded at 1, rises at 101, 201 */
	out_p(PIT_CH0, 10, 150);
	out_p(PIT_CH0, 0, 150);
	assert_int_equal(latched(0, 160), 100 - 59);	/* current cycle goes on */
	assert_int_equal(status(0, 199) & PIT_ST_NULL_COUNT, PIT_ST_NULL_COUNT);
	assert_int_equal(pit_next_rise(&pit, 0, at(150)), tb_ns(201, PIT_HZ));
	assert_false(out_at(0, 200));
	assert_int_equal(latched(0, 201), 10);	/* then period 10 */
	assert_int_equal(status(0, 201) & PIT_ST_NULL_COUNT, 0);
	assert_int_equal(pit_next_rise(&pit, 0, at(201)), tb_ns(211, PIT_HZ));
	assert_false(out_at(0, 210));
	assert_true(out_at(0, 211));
}

static void check_square(uint64_t l, uint32_t n, unsigned cycles)
{
	uint32_t hi = (n + 1) / 2;

	for (uint64_t p = l; p < l + (uint64_t)n * cycles; p++) {
		uint32_t ph = (uint32_t)((p - l) % n);
		uint32_t ce = ph < hi ? (n & ~1u) - 2 * ph : (n & ~1u) - 2 * (ph - hi);

		assert_int_equal(out_at(0, p), ph < hi);
		assert_int_equal(latched(0, p), ce);
	}
}

static void test_mode3_square_wave(void **state)
{
	(void)state;
	program(0, 3, 10, 0);			/* even: 5 high, 5 low */
	assert_int_equal(pit_next_rise(&pit, 0, at(1)), tb_ns(11, PIT_HZ));
	check_square(1, 10, 3);
	program(0, 3, 7, 100);			/* odd: 4 high, 3 low, reads 6 4 2 0 / 6 4 2 */
	assert_int_equal(pit_next_rise(&pit, 0, at(101)), tb_ns(108, PIT_HZ));
	check_square(101, 7, 3);
	/* Count 0 is 65536: 18.2 Hz. */
	program(0, 3, 0, 1000);
	assert_int_equal(pit_next_rise(&pit, 0, at(1000)), tb_ns(1001 + 65536, PIT_HZ));
	assert_false(out_at(0, 1001 + 32768));
}

static void test_mode3_new_count_at_half_cycle(void **state)
{
	(void)state;
	program(0, 3, 100, 0);			/* high 1..50, low 51..100 */
	out_p(PIT_CH0, 20, 10);
	out_p(PIT_CH0, 0, 10);
	assert_true(out_at(0, 50));
	assert_false(out_at(0, 51));		/* the high half ends as it was */
	assert_int_equal(latched(0, 51), 20);	/* new count from the low half */
	assert_true(out_at(0, 61));		/* low for 10, then period 20 */
	assert_int_equal(pit_next_rise(&pit, 0, at(20)), tb_ns(61, PIT_HZ));
	assert_int_equal(pit_next_rise(&pit, 0, at(61)), tb_ns(81, PIT_HZ));
	/* Written in the low half: applies at the end of it. */
	out_p(PIT_CH0, 4, 75);
	out_p(PIT_CH0, 0, 75);
	assert_int_equal(pit_next_rise(&pit, 0, at(75)), tb_ns(81, PIT_HZ));
	assert_int_equal(pit_next_rise(&pit, 0, at(81)), tb_ns(85, PIT_HZ));
	assert_false(out_at(0, 83));
}

static void test_mode4_software_strobe(void **state)
{
	(void)state;
	program(0, 4, 8, 0);
	for (uint64_t p = 0; p < 30; p++)
		assert_int_equal(out_at(0, p), p != 9);	/* low one pulse at L + N */
	assert_int_equal(pit_next_rise(&pit, 0, at(0)), tb_ns(10, PIT_HZ));
	assert_int_equal(pit_next_rise(&pit, 0, at(10)), TB_NEVER);
	assert_int_equal(latched(0, 10), 0xffff);
	/* The first byte of a new count has no effect in mode 4. */
	program(0, 4, 300, 100);
	out_p(PIT_CH0, 1, 150);
	assert_int_equal(latched(0, 151), 250);
	out_p(PIT_CH0, 0, 160);
	assert_int_equal(latched(0, 161), 1);
	assert_false(out_at(0, 162));
}

static void test_mode5_hardware_strobe(void **state)
{
	(void)state;
	program(2, 5, 4, 0);
	assert_true(out_at(2, 100));
	out_p(PIT_PORT_B, PORTB_TIM2_GATE, 100);
	for (uint64_t p = 100; p < 120; p++)
		assert_int_equal(out_at(2, p), p != 105);
	/* Retrigger restarts from the count. */
	out_p(PIT_PORT_B, 0, 200);
	out_p(PIT_PORT_B, PORTB_TIM2_GATE, 201);
	assert_int_equal(latched(2, 202), 4);
	assert_int_equal(pit_next_rise(&pit, 2, at(201)), tb_ns(207, PIT_HZ));
}

static void test_gate2_in_modes_0_2_3(void **state)
{
	(void)state;
	/* Mode 0: GATE low holds CE; counting goes on after it rises. */
	out_p(PIT_PORT_B, PORTB_TIM2_GATE, 0);
	program(2, 0, 100, 0);
	assert_int_equal(latched(2, 41), 60);
	out_p(PIT_PORT_B, 0, 41);
	assert_int_equal(latched(2, 500), 60);
	assert_int_equal(pit_next_rise(&pit, 2, at(500)), TB_NEVER);
	out_p(PIT_PORT_B, PORTB_TIM2_GATE, 1000);
	assert_int_equal(latched(2, 1010), 50);
	assert_int_equal(pit_next_rise(&pit, 2, at(1000)), tb_ns(1060, PIT_HZ));
	/* Mode 0 written while GATE is low: OUT high N pulses after GATE rises. */
	out_p(PIT_PORT_B, 0, 2000);
	program(2, 0, 30, 2000);
	assert_int_equal(latched(2, 2100), 30);
	out_p(PIT_PORT_B, PORTB_TIM2_GATE, 2200);
	assert_false(out_at(2, 2229));
	assert_true(out_at(2, 2230));
	/* Mode 2: GATE low forces OUT high at once; rising reloads. */
	program(2, 2, 10, 3000);
	assert_false(out_at(2, 3010));
	out_p(PIT_PORT_B, 0, 3010);
	assert_true(out_at(2, 3010));
	assert_int_equal(pit_next_rise(&pit, 2, at(3010)), TB_NEVER);
	out_p(PIT_PORT_B, PORTB_TIM2_GATE, 3100);
	assert_int_equal(latched(2, 3101), 10);
	assert_int_equal(pit_next_rise(&pit, 2, at(3100)), tb_ns(3111, PIT_HZ));
	/* Mode 3 count written with GATE low waits for the rising edge. */
	out_p(PIT_PORT_B, 0, 4000);
	program(2, 3, 6, 4000);
	assert_int_equal(status(2, 4100) & PIT_ST_NULL_COUNT, PIT_ST_NULL_COUNT);
	out_p(PIT_PORT_B, PORTB_TIM2_GATE, 4200);
	assert_int_equal(latched(2, 4201), 6);
	assert_false(out_at(2, 4204));
	assert_true(out_at(2, 4207));
}

static void test_mode_aliases_and_count_1(void **state)
{
	(void)state;
	/* Modes 6 and 7 run as 2 and 3 and read back as written. */
	out_p(PIT_MODE, 0x3c, 0);		/* M = 110 */
	out_p(PIT_CH0, 4, 0);
	out_p(PIT_CH0, 0, 0);
	assert_int_equal(status(0, 2) & PIT_CW_BITS, 0x3c);
	assert_false(out_at(0, 4));
	assert_int_equal(pit_next_rise(&pit, 0, at(5)), tb_ns(9, PIT_HZ));
	out_p(PIT_MODE, 0x3e, 100);		/* M = 111: square wave */
	out_p(PIT_CH0, 4, 100);
	out_p(PIT_CH0, 0, 100);
	assert_true(out_at(0, 102));
	assert_false(out_at(0, 103));
	/* A count of 1 in mode 2 or 3 runs as 2. */
	program(0, 2, 1, 200);
	assert_false(out_at(0, 202));
	assert_true(out_at(0, 203));
	assert_int_equal(pit_next_rise(&pit, 0, at(203)), tb_ns(205, PIT_HZ));
	/* ... but is a count of 1 in mode 0. */
	program(0, 0, 1, 300);
	assert_int_equal(pit_next_rise(&pit, 0, at(300)), tb_ns(302, PIT_HZ));
}

/* ---------------------------------------------------------------- access */

static void test_bcd(void **state)
{
	(void)state;
	out_p(PIT_MODE, 0x31, 0);		/* counter 0, mode 0, BCD */
	out_p(PIT_CH0, 0x00, 0);
	out_p(PIT_CH0, 0x01, 0);		/* 0100 = 100 pulses */
	assert_int_equal(latched(0, 1), 0x0100);
	assert_int_equal(latched(0, 2), 0x0099);
	assert_int_equal(latched(0, 90), 0x0011);
	assert_int_equal(pit_next_rise(&pit, 0, 0), tb_ns(101, PIT_HZ));
	assert_int_equal(latched(0, 102), 0x9999);	/* wraps modulo 10000 */
	/* Count 0 in BCD is 10000. */
	out_p(PIT_MODE, 0x35, 200);		/* mode 2, BCD */
	out_p(PIT_CH0, 0, 200);
	out_p(PIT_CH0, 0, 200);
	assert_int_equal(pit_next_rise(&pit, 0, at(200)), tb_ns(201 + 10000, PIT_HZ));
	assert_int_equal(latched(0, 202), 0x9999);
}

static void test_latch_holds_until_read(void **state)
{
	(void)state;
	program(0, 2, 1000, 0);
	out_p(PIT_MODE, 0x00, 101);		/* latch: CE = 900 */
	out_p(PIT_MODE, 0x00, 300);		/* ignored: already latched */
	assert_int_equal(in_p(PIT_CH0, 500), 900 & 0xff);
	assert_int_equal(in_p(PIT_CH0, 600), 900 >> 8);
	/* Released: reads follow CE again. */
	uint16_t lo = in_p(PIT_CH0, 701);
	assert_int_equal(lo | in_p(PIT_CH0, 701) << 8, 300);
	/* LSB-only and MSB-only access. */
	out_p(PIT_MODE, 0x14, 800);		/* LSB only, mode 2 */
	out_p(PIT_CH0, 200, 800);
	assert_int_equal(in_p(PIT_CH0, 811), 190);
	out_p(PIT_MODE, 0x24, 900);		/* MSB only */
	out_p(PIT_CH0, 2, 900);			/* 512 */
	assert_int_equal(in_p(PIT_CH0, 901 + 256), 1);
	out_p(PIT_MODE, 0x00, 901 + 256);
	out_p(PIT_MODE, 0x00, 901 + 300);
	assert_int_equal(in_p(PIT_CH0, 901 + 400), 1);	/* latched value, once */
	assert_int_equal(in_p(PIT_CH0, 901 + 400), 0);	/* live: 112 -> MSB 0 */
}

static void test_flip_flops_interleave(void **state)
{
	(void)state;
	/* Datasheet: read LSB, write LSB, read MSB, write MSB is valid. */
	program(1, 2, 0x1234, 0);
	assert_int_equal(in_p(PIT_CH1, 1), 0x34);
	out_p(PIT_CH1, 0x78, 2);
	assert_int_equal(in_p(PIT_CH1, 3), 0x12);
	out_p(PIT_CH1, 0x56, 4);
	assert_int_equal(pit_next_rise(&pit, 1, at(4)), tb_ns(1 + 0x1234, PIT_HZ));
	assert_int_equal(latched(1, 1 + 0x1234), 0x5678);
	/* A control word resets both flip-flops. */
	assert_int_equal(in_p(PIT_CH1, 5000), (0x5678 - (5000 - 1 - 0x1234) % 0x5678) & 0xff);
	out_p(PIT_MODE, 0x74, 5001);
	out_p(PIT_CH1, 0x10, 5001);
	out_p(PIT_CH1, 0x00, 5001);
	assert_int_equal(latched(1, 5002), 0x10);
}

static void test_read_back(void **state)
{
	(void)state;
	program(0, 2, 50, 0);
	program(2, 0, 30, 0);
	out_p(PIT_PORT_B, PORTB_TIM2_GATE, 0);
	/* Status and count of counters 0 and 2 at pulse 11. */
	out_p(PIT_MODE, 0xc0 | PIT_RB_CNT(0) | PIT_RB_CNT(2), 11);
	out_p(PIT_MODE, 0xc0 | PIT_RB_CNT(0), 40);	/* ignored for 0: still latched */
	assert_int_equal(in_p(PIT_CH0, 100), PIT_ST_OUTPUT | 0x34);
	assert_int_equal(in_p(PIT_CH0, 100), 40);
	assert_int_equal(in_p(PIT_CH0, 100), 0);
	assert_int_equal(in_p(PIT_CH2, 100), 0x30);	/* mode 0, OUT low, loaded */
	assert_int_equal(in_p(PIT_CH2, 100), 20);
	assert_int_equal(in_p(PIT_CH2, 100), 0);
	/* Status only; then count only; null count after a new count. */
	assert_int_equal(status(2, 200), PIT_ST_OUTPUT | 0x30);
	out_p(PIT_CH2, 9, 300);
	out_p(PIT_CH2, 0, 300);
	assert_int_equal(status(2, 300), 0x30 | PIT_ST_NULL_COUNT);
	out_p(PIT_MODE, 0xc0 | PIT_RB_STATUS_N | PIT_RB_CNT(2), 305);
	assert_int_equal(in_p(PIT_CH2, 305), 5);
	/* A control word drops a latch not yet read, and sets null count. */
	out_p(PIT_MODE, 0x00, 400);
	out_p(PIT_MODE, 0x34, 401);
	assert_int_equal(status(0, 401) & PIT_ST_NULL_COUNT, PIT_ST_NULL_COUNT);
	out_p(PIT_CH0, 1000 & 0xff, 401);
	out_p(PIT_CH0, 1000 >> 8, 401);
	uint16_t lo = in_p(PIT_CH0, 500);
	assert_int_equal(lo | in_p(PIT_CH0, 500) << 8, 1000 - 98);
}

static void test_port61(void **state)
{
	(void)state;
	out_p(PIT_PORT_B, 0xff, 0);
	assert_int_equal(in_p(PIT_PORT_B, 0) & 0xcf, 0x0f);
	/* REF_TOGGLE flips every 15.085 us. */
	assert_int_equal(pit_io_read(&pit, PIT_PORT_B, 15084) & PORTB_REF_TOGGLE, 0);
	assert_int_equal(pit_io_read(&pit, PIT_PORT_B, 15085) & PORTB_REF_TOGGLE, PORTB_REF_TOGGLE);
	assert_int_equal(pit_io_read(&pit, PIT_PORT_B, 30170) & PORTB_REF_TOGGLE, 0);
	/* Time never runs backwards: an earlier time reads as the latest. */
	assert_int_equal(pit_io_read(&pit, PIT_PORT_B, 0) & PORTB_REF_TOGGLE, 0);
	assert_int_equal(pit_io_read(&pit, 0x44, 40000), 0xff);
}

/* ---------------------------------------------------------------- reference */

/*
 * A pulse-by-pulse 8254 counter written from the datasheet's mode
 * descriptions, independent of the model's timeline arithmetic: counter 0,
 * GATE high, binary, LSB then MSB.
 */
struct ref {
	unsigned mode;
	bool out, have_count, load, hold, armed, expired, odd;
	uint32_t ce, cr;
};

static uint32_t ref_n(const struct ref *r)
{
	uint32_t n = r->cr ? r->cr : 65536;

	return (r->mode == 2 || r->mode == 3) && n < 2 ? 2 : n;
}

/* Mode 3 loads N for even counts and N - 1 for odd ones. */
static void ref_load3(struct ref *r)
{
	uint32_t n = ref_n(r);

	r->odd = n & 1;
	r->ce = n & ~1u;
}

static void ref_square(struct ref *r)
{
	if (r->expired) {		/* odd count: one pulse after expiry */
		r->expired = false;
		r->out = false;
		ref_load3(r);
		return;
	}
	r->ce -= 2;
	if (r->ce != 0)
		return;
	if (r->out && r->odd) {
		r->expired = true;
		return;
	}
	r->out = !r->out;
	ref_load3(r);
}

static void ref_pulse(struct ref *r)
{
	if (!r->have_count)
		return;
	if (r->load) {
		r->load = false;
		r->armed = true;
		if (r->mode == 4)
			r->out = true;	/* a strobe lasts one pulse */
		if (r->mode == 3)
			ref_load3(r);
		else
			r->ce = ref_n(r);
		return;
	}
	if (r->hold)
		return;
	switch (r->mode) {
	case 0:
		r->ce = (r->ce + 65535) % 65536;
		r->out |= r->ce == 0;
		break;
	case 2:
		if (r->ce == 1) {
			r->ce = ref_n(r);
			r->out = true;
		} else {
			r->ce--;
			r->out = r->ce != 1;
		}
		break;
	case 3:
		ref_square(r);
		break;
	default:		/* 4 */
		r->ce = (r->ce + 65535) % 65536;
		r->out = !(r->ce == 0 && r->armed);
		if (r->ce == 0)
			r->armed = false;
		break;
	}
}

static void ref_control(struct ref *r, unsigned mode)
{
	r->mode = mode;
	r->have_count = r->load = r->hold = r->expired = false;
	r->out = mode != 0;
}

static void ref_count(struct ref *r, uint16_t n)
{
	r->cr = n;
	r->hold = false;
	if (r->mode == 0)
		r->out = false;
	if (r->mode == 0 || r->mode == 4 || !r->have_count || r->load)
		r->load = true;
	r->have_count = true;
}

static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 16;
}

static void random_against_reference(uint32_t seed)
{
	static const unsigned modes[4] = { 0, 2, 3, 4 };
	struct ref r = { 0 };
	uint32_t x = seed;
	uint16_t pending = 0;
	bool half = false;

	pit_init(&pit, 0);
	ref_control(&r, 3);
	r.ce = 0;
	ref_count(&r, 0);		/* the reset state: mode 3, count 65536 */
	for (uint64_t p = 1; p < 40000; p++) {
		ref_pulse(&r);
		uint32_t a = lcg(&x) % 1000;

		if (a < 3) {
			unsigned m = modes[lcg(&x) % 4];

			out_p(PIT_MODE, (uint8_t)(0x30 | m << 1), p);
			ref_control(&r, m);
			half = false;
		} else if (a < 15 && !half) {
			uint16_t n = (uint16_t)(lcg(&x) % 97 == 0 ? 0 : lcg(&x) % 40 + 1);

			out_p(PIT_CH0, (uint8_t)n, p);
			if (lcg(&x) % 4 == 0) {	/* MSB later */
				pending = n;
				half = true;
				if (r.mode == 0 && r.have_count) {
					r.hold = true;
					r.out = false;
				}
			} else {
				out_p(PIT_CH0, (uint8_t)(n >> 8), p);
				ref_count(&r, n);
			}
		} else if (a < 40 && half) {
			out_p(PIT_CH0, (uint8_t)(pending >> 8), p);
			ref_count(&r, pending);
			half = false;
		}
		assert_int_equal(out_at(0, p), r.out);
		if (!half && p % 3 == 0)
			assert_int_equal(latched(0, p), r.ce % 65536);
	}
}

static void test_random_against_reference(void **state)
{
	(void)state;
	for (uint32_t seed = 1; seed <= 40; seed++)
		random_against_reference(seed * 2654435761u);
}

/* ---------------------------------------------------------------- Linux */

/* A guest whose port accesses take io_ns each, with a TSC at tsc_khz. */
struct guest {
	uint64_t now, io_ns, tsc_khz;
};

static uint8_t g_in(struct guest *g, uint16_t port)
{
	g->now += g->io_ns;
	return pit_io_read(&pit, port, g->now);
}

static void g_out(struct guest *g, uint8_t v, uint16_t port)
{
	g->now += g->io_ns;
	pit_io_write(&pit, port, v, g->now);
}

static uint64_t g_tsc(const struct guest *g)
{
	return g->now * g->tsc_khz / 1000000;
}

/* tsc.c pit_calibrate_tsc(): counter 2, mode 0, poll OUT2 in port 0x61. */
static uint64_t replay_pit_calibrate(struct guest *g, uint32_t latch, uint64_t ms, int loopmin,
				     uint64_t *rise_ns)
{
	uint64_t tsc, t1, t2, d, tmin = UINT64_MAX, tmax = 0;
	int cnt = 0;

	g_out(g, (uint8_t)((g_in(g, 0x61) & ~0x02) | 0x01), 0x61);
	g_out(g, 0xb0, 0x43);
	g_out(g, latch & 0xff, 0x42);
	g_out(g, (uint8_t)(latch >> 8), 0x42);
	*rise_ns = tb_ns(tb_ticks(g->now, PIT_HZ) + 1 + latch, PIT_HZ);
	tsc = t1 = t2 = g_tsc(g);
	while ((g_in(g, 0x61) & 0x20) == 0) {
		t2 = g_tsc(g);
		d = t2 - tsc;
		tsc = t2;
		tmin = d < tmin ? d : tmin;
		tmax = d > tmax ? d : tmax;
		cnt++;
	}
	if (cnt < loopmin || tmax > 10 * tmin)
		return UINT64_MAX;
	return (t2 - t1) / ms;
}

static void test_linux_pit_calibrate_tsc(void **state)
{
	(void)state;
	uint64_t rise;

	/* CAL_LATCH, 10 ms, 1000 loops; CAL2: 50 ms, 5000 loops. */
	for (uint64_t io = 500; io <= 2000; io += 750) {
		struct guest g = { .now = pit.last_ns + 123456789, .io_ns = io, .tsc_khz = 2900000 };
		uint64_t khz = replay_pit_calibrate(&g, PIT_HZ / 100, 10, 1000, &rise);

		/* OUT2 rose at the exact pulse, seen by the first poll after it. */
		assert_true(g.now >= rise && g.now < rise + io);
		/*
		 * OUT2 rises latch + 1 pulses after the pulse of the write, 9.9993
		 * to 10.00015 ms after it (Linux's latch is rounded down), and
		 * Linux's t2 is the last poll that saw it low: -68 ppm minus one
		 * poll to +15 ppm.
		 */
		assert_true(khz >= 2900000 - 2900 * (io + 70) / 10000 && khz <= 2900000 + 45);
		struct guest g2 = { .now = g.now + 777, .io_ns = io, .tsc_khz = 3500000 };
		khz = replay_pit_calibrate(&g2, PIT_HZ / 20, 50, 5000, &rise);
		assert_true(khz >= 3500000 - 3500 * (io + 20) / 50000 && khz <= 3500000 + 55);
	}
	/* An exit costing 20 us polls too few times: Linux refuses, not a wrong rate. */
	struct guest slow = { .now = pit.last_ns + 1000, .io_ns = 20000, .tsc_khz = 2000000 };
	assert_int_equal(replay_pit_calibrate(&slow, PIT_HZ / 100, 10, 1000, &rise), UINT64_MAX);
}

/* tsc.c pit_verify_msb(): read LSB, compare MSB. */
static bool verify_msb(struct guest *g, uint8_t val)
{
	g_in(g, 0x42);
	return g_in(g, 0x42) == val;
}

static bool expect_msb(struct guest *g, uint8_t val, uint64_t *tscp, uint64_t *deltap)
{
	uint64_t tsc = 0, prev = 0;
	int count;

	for (count = 0; count < 50000; count++) {
		if (!verify_msb(g, val))
			break;
		prev = tsc;
		tsc = g_tsc(g);
	}
	*deltap = g_tsc(g) - prev;
	*tscp = tsc;
	return count > 5;
}

/* tsc.c quick_pit_calibrate(): counter 2 mode 0 from 0xffff, watch the MSB. */
static uint64_t replay_quick_pit(struct guest *g)
{
	const unsigned max_iter = 50 * PIT_HZ / 1000 / 256;
	uint64_t tsc, delta, d1, d2;

	g_out(g, (uint8_t)((g_in(g, 0x61) & ~0x02) | 0x01), 0x61);
	g_out(g, 0xb0, 0x43);
	g_out(g, 0xff, 0x42);
	g_out(g, 0xff, 0x42);
	verify_msb(g, 0);
	if (!expect_msb(g, 0xff, &tsc, &d1))
		return 0;
	for (unsigned i = 1; i <= max_iter; i++) {
		if (!expect_msb(g, (uint8_t)(0xff - i), &delta, &d2))
			return 0;
		delta -= tsc;
		if (i == 1 && d1 + d2 >= (delta * max_iter) >> 11)
			return 0;
		if (d1 + d2 >= delta >> 11)
			continue;
		if (!verify_msb(g, (uint8_t)(0xfe - i)))
			return 0;
		return delta * PIT_HZ / (i * 256 * 1000);
	}
	return 0;
}

static void test_linux_quick_pit_calibrate(void **state)
{
	(void)state;
	for (uint64_t io = 300; io <= 3000; io += 900) {
		for (uint64_t start = 0; start < 5000; start += 1731) {
			struct guest g = { .now = pit.last_ns + 10000000 + start, .io_ns = io,
					   .tsc_khz = 2400000 };
			uint64_t khz = replay_quick_pit(&g);

			/* Within Linux's own 500 ppm bound of the truth. */
			assert_true(khz > 2400000 - 1200 && khz < 2400000 + 1200);
		}
	}
}

/* i8253.c: periodic setup, clocksource reads, and shutdown. */
static void test_linux_clockevent_and_clocksource(void **state)
{
	(void)state;
	struct guest g = { .now = 5000000, .io_ns = 1000 };
	uint16_t latch = (PIT_HZ + 125) / 250;
	uint32_t last = 0x10000;

	g_out(&g, 0x34, 0x43);
	g_out(&g, latch & 0xff, 0x40);
	g_out(&g, (uint8_t)(latch >> 8), 0x40);
	uint64_t e = pit_next_rise(&pit, 0, g.now);
	assert_int_equal(e, tb_ns(tb_ticks(g.now, PIT_HZ) + 1 + latch, PIT_HZ));
	/* pit_read(): latch counter 0, LSB then MSB; counts down within a period. */
	for (int i = 0; i < 50; i++) {
		g_out(&g, 0x00, 0x43);
		uint32_t c = g_in(&g, 0x40);

		c |= (uint32_t)g_in(&g, 0x40) << 8;
		assert_true(c >= 1 && c <= latch);
		assert_true(c < last);
		last = c;
	}
	/* pit_shutdown(): mode 0 and count 0: one last edge 65536 pulses later. */
	g_out(&g, 0x30, 0x43);
	assert_false(pit_out(&pit, 0, g.now));
	g_out(&g, 0, 0x40);
	g_out(&g, 0, 0x40);
	e = pit_next_rise(&pit, 0, g.now);
	assert_int_equal(e, tb_ns(tb_ticks(g.now, PIT_HZ) + 1 + 65536, PIT_HZ));
	assert_int_equal(pit_next_rise(&pit, 0, e), TB_NEVER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_power_on, setup),
		cmocka_unit_test_setup(test_mode0_interrupt_on_terminal_count, setup),
		cmocka_unit_test_setup(test_mode0_first_byte_stops_counting, setup),
		cmocka_unit_test_setup(test_mode1_retriggerable_one_shot, setup),
		cmocka_unit_test_setup(test_mode2_rate_generator, setup),
		cmocka_unit_test_setup(test_mode2_new_count_at_end_of_cycle, setup),
		cmocka_unit_test_setup(test_mode3_square_wave, setup),
		cmocka_unit_test_setup(test_mode3_new_count_at_half_cycle, setup),
		cmocka_unit_test_setup(test_mode4_software_strobe, setup),
		cmocka_unit_test_setup(test_mode5_hardware_strobe, setup),
		cmocka_unit_test_setup(test_gate2_in_modes_0_2_3, setup),
		cmocka_unit_test_setup(test_mode_aliases_and_count_1, setup),
		cmocka_unit_test_setup(test_bcd, setup),
		cmocka_unit_test_setup(test_latch_holds_until_read, setup),
		cmocka_unit_test_setup(test_flip_flops_interleave, setup),
		cmocka_unit_test_setup(test_read_back, setup),
		cmocka_unit_test_setup(test_port61, setup),
		cmocka_unit_test_setup(test_random_against_reference, setup),
		cmocka_unit_test_setup(test_linux_pit_calibrate_tsc, setup),
		cmocka_unit_test_setup(test_linux_quick_pit_calibrate, setup),
		cmocka_unit_test_setup(test_linux_clockevent_and_clocksource, setup),
	};

	return cmocka_run_group_tests_name("pit8254", tests, NULL, NULL);
}
