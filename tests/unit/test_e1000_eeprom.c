// SPDX-License-Identifier: MIT
/* Host unit tests for the 82540EM EEPROM model (devices/e1000_eeprom.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "devices/e1000_eeprom.h"

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

#define EECD_DEFINED (E1000_EECD_SW_MASK | E1000_EECD_GNT | E1000_EECD_PRES | \
		      E1000_EECD_DO | E1000_EECD_SIZE)
#define EERD_RESERVED 0x000000eeU

static int setup(void **state)
{
	static struct e1000_eeprom ee;

	e1000_eeprom_init(&ee, test_mac);
	*state = &ee;
	return 0;
}

static uint16_t sum_words(const struct e1000_eeprom *ee)
{
	uint16_t sum = 0;

	for (unsigned i = 0; i < E1000_EEPROM_WORDS; i++)
		sum = (uint16_t)(sum + ee->word[i]);
	return sum;
}

/*
 * A replay of the register accesses Linux's e1000 driver makes to read a
 * Microwire EEPROM on an 82540 (e1000_hw.c: acquire with REQ/GNT, standby,
 * shift out opcode and address, shift in 16 bits per word, release).
 */
struct lnx {
	struct e1000_eeprom *ee;
	unsigned long accesses;
};

static uint32_t lnx_rd(struct lnx *hw)
{
	hw->accesses++;
	return e1000_eeprom_eecd_read(hw->ee);
}

static void lnx_wr(struct lnx *hw, uint32_t v)
{
	hw->accesses++;
	e1000_eeprom_eecd_write(hw->ee, v);
}

static void lnx_clk_up(struct lnx *hw, uint32_t *eecd)
{
	*eecd |= E1000_EECD_SK;
	lnx_wr(hw, *eecd);
}

static void lnx_clk_down(struct lnx *hw, uint32_t *eecd)
{
	*eecd &= ~E1000_EECD_SK;
	lnx_wr(hw, *eecd);
}

static void lnx_shift_out(struct lnx *hw, uint16_t data, unsigned count)
{
	uint32_t eecd = lnx_rd(hw) & ~E1000_EECD_DO;

	for (uint32_t mask = 1U << (count - 1); mask; mask >>= 1) {
		eecd &= ~E1000_EECD_DI;
		if (data & mask)
			eecd |= E1000_EECD_DI;
		lnx_wr(hw, eecd);
		lnx_clk_up(hw, &eecd);
		lnx_clk_down(hw, &eecd);
	}
	eecd &= ~E1000_EECD_DI;
	lnx_wr(hw, eecd);
}

static uint16_t lnx_shift_in(struct lnx *hw, unsigned count)
{
	uint32_t eecd = lnx_rd(hw) & ~(E1000_EECD_DO | E1000_EECD_DI);
	uint16_t data = 0;

	for (unsigned i = 0; i < count; i++) {
		data = (uint16_t)(data << 1);
		lnx_clk_up(hw, &eecd);
		eecd = lnx_rd(hw) & ~E1000_EECD_DI;
		if (eecd & E1000_EECD_DO)
			data |= 1;
		lnx_clk_down(hw, &eecd);
	}
	return data;
}

static bool lnx_acquire(struct lnx *hw)
{
	uint32_t eecd = lnx_rd(hw) | E1000_EECD_REQ;
	unsigned tries = 0;

	lnx_wr(hw, eecd);
	eecd = lnx_rd(hw);
	while (!(eecd & E1000_EECD_GNT) && tries++ < 1000)
		eecd = lnx_rd(hw);
	if (!(eecd & E1000_EECD_GNT)) {
		lnx_wr(hw, eecd & ~E1000_EECD_REQ);
		return false;
	}
	eecd &= ~(E1000_EECD_DI | E1000_EECD_SK);
	lnx_wr(hw, eecd);
	eecd |= E1000_EECD_CS;
	lnx_wr(hw, eecd);
	return true;
}

static void lnx_standby(struct lnx *hw)
{
	uint32_t eecd = lnx_rd(hw) & ~(E1000_EECD_CS | E1000_EECD_SK);

	lnx_wr(hw, eecd);
	eecd |= E1000_EECD_SK;
	lnx_wr(hw, eecd);
	eecd |= E1000_EECD_CS;
	lnx_wr(hw, eecd);
	eecd &= ~E1000_EECD_SK;
	lnx_wr(hw, eecd);
}

static void lnx_release(struct lnx *hw)
{
	uint32_t eecd = lnx_rd(hw) & ~(E1000_EECD_CS | E1000_EECD_DI);

	lnx_wr(hw, eecd);
	eecd |= E1000_EECD_SK;
	lnx_wr(hw, eecd);
	eecd &= ~E1000_EECD_SK;
	lnx_wr(hw, eecd);
	eecd &= ~E1000_EECD_REQ;
	lnx_wr(hw, eecd);
}

static bool lnx_read(struct lnx *hw, uint16_t off, uint16_t n, uint16_t *data)
{
	/* word size from EECD.SIZE, as e1000_init_eeprom_params does */
	unsigned abits = (lnx_rd(hw) & E1000_EECD_SIZE) ? 8 : 6;

	if (!lnx_acquire(hw))
		return false;
	for (unsigned i = 0; i < n; i++) {
		lnx_shift_out(hw, 0x6, 3);	/* start bit + READ */
		lnx_shift_out(hw, (uint16_t)(off + i), abits);
		data[i] = lnx_shift_in(hw, 16);
		lnx_standby(hw);
	}
	lnx_release(hw);
	return true;
}

static void test_image_fields(void **state)
{
	struct e1000_eeprom *ee = *state;

	assert_int_equal(ee->word[0], 0x5452);
	assert_int_equal(ee->word[1], 0x1200);
	assert_int_equal(ee->word[2], 0x5634);
	assert_int_equal(ee->word[E1000_EEPROM_COMPAT], 0x0000);
	assert_int_equal(ee->word[E1000_EEPROM_LED], 0xffff);
	assert_int_equal(ee->word[E1000_EEPROM_PBA], 0x3000);
	assert_int_equal(ee->word[E1000_EEPROM_PBA + 1], 0x1000);
	assert_int_equal(ee->word[E1000_EEPROM_ICW1], 0x6403);
	assert_int_equal(ee->word[E1000_EEPROM_ICW1] & 0xc000, 0x4000);
	assert_int_equal(ee->word[E1000_EEPROM_SUBSYS_ID], 0x001e);
	assert_int_equal(ee->word[E1000_EEPROM_SUBSYS_VENDOR], 0x8086);
	assert_int_equal(ee->word[E1000_EEPROM_DEVICE_ID], 0x100e);
	assert_int_equal(ee->word[E1000_EEPROM_VENDOR_ID], 0x8086);
	assert_int_equal(ee->word[E1000_EEPROM_ICW2], 0x3040);
	assert_int_equal(ee->word[E1000_EEPROM_ICW2] & 0x3000, 0x3000);
	assert_int_equal(ee->word[E1000_EEPROM_ICW3] & 0x0400, 0x0400);
	assert_int_equal(ee->word[0x3e], 0xffff);
	assert_int_equal(sum_words(ee), E1000_EEPROM_SUM);
}

static void test_checksum_any_mac(void **state)
{
	static const uint8_t macs[][6] = {
		{ 0, 0, 0, 0, 0, 0 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe },
		{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 },
		{ 0x00, 0x1b, 0x21, 0xba, 0xba, 0x00 },
	};
	struct e1000_eeprom ee;

	(void)state;
	for (size_t i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
		e1000_eeprom_init(&ee, macs[i]);
		assert_int_equal(sum_words(&ee), E1000_EEPROM_SUM);
		assert_int_equal(ee.word[2] >> 8, macs[i][5]);
	}
}

static void test_eecd_power_on_and_grant(void **state)
{
	struct e1000_eeprom *ee = *state;
	uint32_t v = e1000_eeprom_eecd_read(ee);

	assert_int_equal(v, E1000_EECD_PRES | E1000_EECD_DO | E1000_EECD_FWE_DIS);
	assert_int_equal(v & E1000_EECD_SIZE, 0);
	e1000_eeprom_eecd_write(ee, E1000_EECD_REQ);
	v = e1000_eeprom_eecd_read(ee);
	assert_true(v & E1000_EECD_GNT);
	assert_true(v & E1000_EECD_REQ);
	assert_int_equal(v & E1000_EECD_FWE_MASK, 0);	/* written as 0 */
	/* device-owned bits are not writable */
	e1000_eeprom_eecd_write(ee, E1000_EECD_GNT | E1000_EECD_SIZE |
				E1000_EECD_FWE_EN | 0xfffffc00U);
	v = e1000_eeprom_eecd_read(ee);
	assert_int_equal(v, E1000_EECD_PRES | E1000_EECD_DO | E1000_EECD_FWE_EN);
	e1000_eeprom_eecd_write(ee, E1000_EECD_CS | E1000_EECD_DI);
	assert_int_equal(e1000_eeprom_eecd_read(ee), E1000_EECD_PRES |
			 E1000_EECD_DO | E1000_EECD_CS | E1000_EECD_DI);
}

static void test_linux_read_all_words(void **state)
{
	struct e1000_eeprom *ee = *state;
	struct lnx hw = { .ee = ee };
	uint16_t data[E1000_EEPROM_WORDS], sum = 0;

	/* e1000_validate_eeprom_checksum: one call per word */
	for (uint16_t i = 0; i < E1000_EEPROM_WORDS; i++) {
		assert_true(lnx_read(&hw, i, 1, &data[i]));
		sum = (uint16_t)(sum + data[i]);
	}
	assert_int_equal(sum, 0xbaba);
	assert_memory_equal(data, ee->word, sizeof(data));
	assert_int_equal(ee->reads, E1000_EEPROM_WORDS);
	assert_true(hw.accesses > 5000);	/* thousands of accesses */
	/* released: REQ and GNT down, CS down, idle */
	assert_int_equal(e1000_eeprom_eecd_read(ee) & (E1000_EECD_REQ |
			 E1000_EECD_GNT | E1000_EECD_CS), 0);
	assert_int_equal(ee->state, E1000_EE_IDLE);

	/* one multi-word call, as e1000_read_mac_addr and ethtool do */
	memset(data, 0, sizeof(data));
	assert_true(lnx_read(&hw, 0, E1000_EEPROM_WORDS, data));
	assert_memory_equal(data, ee->word, sizeof(data));
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal((data[i / 2] >> (8 * (i & 1))) & 0xff, test_mac[i]);
	assert_int_equal(ee->reads, 2 * E1000_EEPROM_WORDS);
}

/* Raw Microwire helpers for the odd cases (CS stays as given in base). */
static void mw_bit(struct e1000_eeprom *ee, uint32_t base, bool di)
{
	uint32_t v = base | (di ? E1000_EECD_DI : 0);

	e1000_eeprom_eecd_write(ee, v);
	e1000_eeprom_eecd_write(ee, v | E1000_EECD_SK);
	e1000_eeprom_eecd_write(ee, v);
}

static void mw_send(struct e1000_eeprom *ee, uint32_t bits, unsigned n)
{
	while (n--)
		mw_bit(ee, E1000_EECD_CS, (bits >> n) & 1);
}

static uint16_t mw_recv(struct e1000_eeprom *ee, unsigned n, uint32_t di_noise)
{
	uint16_t data = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t v = E1000_EECD_CS | ((di_noise >> (i & 31)) & 1 ?
					      E1000_EECD_DI : 0);

		e1000_eeprom_eecd_write(ee, v | E1000_EECD_SK);
		data = (uint16_t)((data << 1) |
			!!(e1000_eeprom_eecd_read(ee) & E1000_EECD_DO));
		e1000_eeprom_eecd_write(ee, v);
	}
	return data;
}

static void mw_select(struct e1000_eeprom *ee)
{
	e1000_eeprom_eecd_write(ee, 0);
	e1000_eeprom_eecd_write(ee, E1000_EECD_CS);
}

static void test_sequential_read(void **state)
{
	struct e1000_eeprom *ee = *state;

	mw_select(ee);
	mw_send(ee, 0x6, 3);
	mw_send(ee, 62, 6);
	/* the dummy bit is on DO before the first data clock */
	assert_int_equal(e1000_eeprom_eecd_read(ee) & E1000_EECD_DO, 0);
	assert_int_equal(mw_recv(ee, 16, 0), ee->word[62]);
	assert_int_equal(mw_recv(ee, 16, 0), ee->word[63]);
	assert_int_equal(mw_recv(ee, 16, 0), ee->word[0]);	/* wraps */
	assert_int_equal(mw_recv(ee, 16, 0), ee->word[1]);
	assert_int_equal(ee->reads, 4);
	e1000_eeprom_eecd_write(ee, 0);
	assert_int_equal(ee->state, E1000_EE_IDLE);
	assert_true(e1000_eeprom_eecd_read(ee) & E1000_EECD_DO);
}

static void test_odd_clocking_recovers(void **state)
{
	struct e1000_eeprom *ee = *state;
	struct lnx hw = { .ee = ee };
	uint16_t w;

	/* CS dropped in the middle of a word */
	mw_select(ee);
	mw_send(ee, 0x6, 3);
	mw_send(ee, 10, 6);
	(void)mw_recv(ee, 7, 0);
	e1000_eeprom_eecd_write(ee, 0);
	assert_int_equal(ee->state, E1000_EE_IDLE);
	/* clocks with CS low do nothing */
	for (int i = 0; i < 40; i++)
		mw_bit(ee, 0, i & 1);
	assert_int_equal(ee->state, E1000_EE_IDLE);
	/* CS dropped in the middle of the address */
	mw_select(ee);
	mw_send(ee, 0x6, 3);
	mw_send(ee, 0x5, 3);
	e1000_eeprom_eecd_write(ee, 0);
	/* SK already high when CS rises is no clock edge; leading zeros are
	 * not start bits; DI noise while data shifts out is ignored */
	e1000_eeprom_eecd_write(ee, E1000_EECD_SK | E1000_EECD_DI);
	e1000_eeprom_eecd_write(ee, E1000_EECD_SK | E1000_EECD_DI | E1000_EECD_CS);
	assert_int_equal(ee->state, E1000_EE_IDLE);
	e1000_eeprom_eecd_write(ee, E1000_EECD_CS);
	mw_send(ee, 0, 5);
	assert_int_equal(ee->state, E1000_EE_IDLE);
	mw_send(ee, 0x6, 3);
	mw_send(ee, 0x0d, 6);
	w = mw_recv(ee, 16, 0xa5a5f00fU);
	assert_int_equal(w, E1000_82540EM_DEVICE_ID);
	/* extra clocks (repeated SK high writes) are one edge */
	e1000_eeprom_eecd_write(ee, E1000_EECD_CS | E1000_EECD_SK);
	e1000_eeprom_eecd_write(ee, E1000_EECD_CS | E1000_EECD_SK);
	e1000_eeprom_eecd_write(ee, E1000_EECD_CS | E1000_EECD_SK | E1000_EECD_DI);
	assert_int_equal(ee->out_bits, 1);
	e1000_eeprom_eecd_write(ee, 0);
	/* and the driver reads cleanly afterwards */
	assert_true(lnx_read(&hw, 0x0e, 1, &w));
	assert_int_equal(w, 0x8086);
}

static void test_writes_ignored(void **state)
{
	struct e1000_eeprom *ee = *state;
	struct e1000_eeprom before = *ee;
	static const struct {
		uint32_t cmd;	/* start bit, opcode, address */
		unsigned data_bits;
	} cmds[] = {
		{ (1U << 8) | (0U << 6) | 0x30, 0 },	/* EWEN */
		{ (1U << 8) | (1U << 6) | 0x05, 16 },	/* WRITE word 5 */
		{ (1U << 8) | (3U << 6) | 0x05, 0 },	/* ERASE word 5 */
		{ (1U << 8) | (0U << 6) | 0x20, 0 },	/* ERAL */
		{ (1U << 8) | (0U << 6) | 0x10, 16 },	/* WRAL */
		{ (1U << 8) | (0U << 6) | 0x00, 0 },	/* EWDS */
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		mw_select(ee);
		mw_send(ee, cmds[i].cmd, 9);
		mw_send(ee, 0x1234, cmds[i].data_bits);
		assert_int_equal(ee->state, E1000_EE_IGNORE);
		assert_true(e1000_eeprom_eecd_read(ee) & E1000_EECD_DO);
		/* Linux's write path: standby, then poll DO for ready */
		e1000_eeprom_eecd_write(ee, 0);
		e1000_eeprom_eecd_write(ee, E1000_EECD_CS);
		assert_true(e1000_eeprom_eecd_read(ee) & E1000_EECD_DO);
		e1000_eeprom_eecd_write(ee, 0);
	}
	assert_memory_equal(ee->word, before.word, sizeof(ee->word));
	assert_int_equal(ee->reads, 0);
}

static void test_eerd_every_word(void **state)
{
	struct e1000_eeprom *ee = *state;

	for (uint32_t a = 0; a < 256; a++) {
		uint32_t v;

		e1000_eeprom_eerd_write(ee, (a << E1000_EERD_ADDR_SHIFT) |
					E1000_EERD_START);
		v = e1000_eeprom_eerd_read(ee);
		assert_true(v & E1000_EERD_DONE);
		assert_int_equal(v & E1000_EERD_START, 0);
		assert_int_equal((v >> E1000_EERD_ADDR_SHIFT) & 0xff, a);
		/* addresses >= 64 wrap: only 6 address bits reach the part */
		assert_int_equal(v >> E1000_EERD_DATA_SHIFT, ee->word[a & 63]);
	}
	assert_int_equal(ee->reads, 256);
	assert_int_equal(ee->state, E1000_EE_IDLE);
}

static void test_eerd_done_semantics(void **state)
{
	struct e1000_eeprom *ee = *state;
	uint32_t v;

	assert_int_equal(e1000_eeprom_eerd_read(ee), 0);
	/* software cannot set DONE or DATA, and reserved bits read 0 */
	e1000_eeprom_eerd_write(ee, 0xffff0000U | E1000_EERD_DONE |
				EERD_RESERVED | (5U << E1000_EERD_ADDR_SHIFT));
	assert_int_equal(e1000_eeprom_eerd_read(ee), 5U << E1000_EERD_ADDR_SHIFT);
	assert_int_equal(ee->reads, 0);
	e1000_eeprom_eerd_write(ee, E1000_EERD_START | EERD_RESERVED |
				(0x0dU << E1000_EERD_ADDR_SHIFT));
	v = e1000_eeprom_eerd_read(ee);
	assert_int_equal(v, (0x100eU << 16) | (0x0dU << 8) | E1000_EERD_DONE);
	/* a write without START moves ADDR; DATA and DONE stay */
	e1000_eeprom_eerd_write(ee, 0x0eU << E1000_EERD_ADDR_SHIFT);
	assert_int_equal(e1000_eeprom_eerd_read(ee),
			 (0x100eU << 16) | (0x0eU << 8) | E1000_EERD_DONE);
	assert_int_equal(ee->reads, 1);
}

static void test_eerd_during_bitbang(void **state)
{
	struct e1000_eeprom *ee = *state;

	mw_select(ee);
	mw_send(ee, 0x6, 3);
	mw_send(ee, 0x0b, 6);
	assert_int_equal(mw_recv(ee, 5, 0), ee->word[0x0b] >> 11);
	e1000_eeprom_eerd_write(ee, E1000_EERD_START | (0x30U << 8));
	assert_int_equal(e1000_eeprom_eerd_read(ee) >> 16, ee->word[0x30]);
	assert_int_equal(mw_recv(ee, 11, 0), ee->word[0x0b] & 0x7ff);
	e1000_eeprom_eecd_write(ee, 0);
	assert_int_equal(ee->reads, 2);
}

static void test_reset(void **state)
{
	struct e1000_eeprom *ee = *state;

	ee->word[0x3e] = 0x1234;	/* contents survive a reset */
	e1000_eeprom_eecd_write(ee, E1000_EECD_REQ | E1000_EECD_FWE_EN);
	mw_bit(ee, E1000_EECD_REQ | E1000_EECD_CS, 1);
	mw_send(ee, 0x2, 2);
	mw_send(ee, 0x01, 6);
	mw_recv(ee, 3, 0);
	e1000_eeprom_eerd_write(ee, E1000_EERD_START);
	e1000_eeprom_reset(ee);
	assert_int_equal(e1000_eeprom_eecd_read(ee),
			 E1000_EECD_PRES | E1000_EECD_DO | E1000_EECD_FWE_DIS);
	assert_int_equal(e1000_eeprom_eerd_read(ee), 0);
	assert_int_equal(ee->state, E1000_EE_IDLE);
	assert_int_equal(ee->word[0x3e], 0x1234);
	assert_int_equal(ee->word[0], 0x5452);
	assert_int_equal(ee->reads, 1);
}

/* xorshift64*, fixed seed */
static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static void check_invariants(const struct e1000_eeprom *ee)
{
	uint32_t eecd = e1000_eeprom_eecd_read(ee);
	uint32_t eerd = e1000_eeprom_eerd_read(ee);

	assert_true(ee->state < E1000_EE_NSTATES);
	assert_true(ee->bits < 8);
	assert_true(ee->shift_in < 256);
	assert_true(ee->out_bits < 16);
	assert_true(ee->addr < E1000_EEPROM_WORDS);
	assert_int_equal(ee->eecd & ~E1000_EECD_SW_MASK, 0);
	assert_int_equal(eecd & ~EECD_DEFINED, 0);
	assert_true(eecd & E1000_EECD_PRES);
	assert_int_equal(eecd & E1000_EECD_SIZE, 0);
	assert_int_equal(!!(eecd & E1000_EECD_GNT), !!(eecd & E1000_EECD_REQ));
	assert_int_equal(!!(eecd & E1000_EECD_DO), ee->do_bit);
	if (!(eecd & E1000_EECD_CS))
		assert_int_equal(ee->state, E1000_EE_IDLE);
	if (ee->state == E1000_EE_READ)
		assert_int_equal(ee->shift_out, ee->word[ee->addr]);
	else
		assert_true(ee->do_bit);
	assert_int_equal(eerd & (EERD_RESERVED | E1000_EERD_START), 0);
}

static uint32_t random_eecd(void)
{
	uint32_t r = rnd();

	if ((r & 0xff) == 0)
		return rnd();	/* anything at all */
	/* mostly CS high with random SK/DI, so commands get through */
	return ((r >> 8) & (E1000_EECD_SK | E1000_EECD_DI | E1000_EECD_REQ)) |
	       (((r >> 16) & 0xf) ? E1000_EECD_CS : 0);
}

static void random_eerd(struct e1000_eeprom *ee)
{
	uint32_t v = rnd();

	e1000_eeprom_eerd_write(ee, v);
	if (v & E1000_EERD_START) {
		uint32_t a = (v >> E1000_EERD_ADDR_SHIFT) & 0xff;

		assert_int_equal(e1000_eeprom_eerd_read(ee),
				 ((uint32_t)ee->word[a & 63] << 16) | (a << 8) |
				 E1000_EERD_DONE);
	}
}

static void test_random_writes(void **state)
{
	struct e1000_eeprom *ee = *state;
	struct lnx hw = { .ee = ee };
	uint16_t image[E1000_EEPROM_WORDS], data[E1000_EEPROM_WORDS];
	unsigned seen[E1000_EE_NSTATES] = { 0 };

	memcpy(image, ee->word, sizeof(image));
	for (unsigned i = 0; i < 100000; i++) {
		uint32_t r = rnd() % 100;

		if (r < 85)
			e1000_eeprom_eecd_write(ee, random_eecd());
		else if (r < 99)
			random_eerd(ee);
		else
			e1000_eeprom_reset(ee);
		check_invariants(ee);
		seen[ee->state]++;
	}
	assert_memory_equal(ee->word, image, sizeof(image));
	for (unsigned s = 0; s < E1000_EE_NSTATES; s++)
		assert_true(seen[s] > 100);	/* every state was exercised */
	assert_true(lnx_read(&hw, 0, E1000_EEPROM_WORDS, data));
	assert_memory_equal(data, image, sizeof(data));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_image_fields, setup),
		cmocka_unit_test_setup(test_checksum_any_mac, setup),
		cmocka_unit_test_setup(test_eecd_power_on_and_grant, setup),
		cmocka_unit_test_setup(test_linux_read_all_words, setup),
		cmocka_unit_test_setup(test_sequential_read, setup),
		cmocka_unit_test_setup(test_odd_clocking_recovers, setup),
		cmocka_unit_test_setup(test_writes_ignored, setup),
		cmocka_unit_test_setup(test_eerd_every_word, setup),
		cmocka_unit_test_setup(test_eerd_done_semantics, setup),
		cmocka_unit_test_setup(test_eerd_during_bitbang, setup),
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_random_writes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
