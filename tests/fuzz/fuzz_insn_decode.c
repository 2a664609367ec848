/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the MMIO instruction decoder (vmm/emul/insn_decode.c).
 * Decodes the input in each CPU mode from an exact-size copy (so ASan sees
 * any over-read) and aborts if a successful decode breaks what the VMM
 * relies on. The first input byte, if any, also picks a shorter 'avail' to
 * exercise truncation.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xerrno.h"
#include "vmm/emul/insn_decode.h"
#include "tests/fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

FUZZ_CHECKER static int valid_size(unsigned s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

FUZZ_CHECKER static void check_result(const struct insn_mmio *m, size_t avail)
{
	uint64_t v;

	check(m->len >= 1 && m->len <= INSN_MAX_LEN && m->len <= avail);
	check(valid_size(m->size));
	check(m->reg < 16);
	/* AH..BH: ModRM.reg 4..7, reported as the GPR holding them (RAX..RBX). */
	check(!m->reg_high8 || (m->size == 1 && m->reg <= 3));
	check(!m->imm || (m->write && m->reg == 0 && !m->reg_high8));
	check(!m->sign_extend || !m->write);
	if (m->write) {
		check(m->dst_size == m->size);
		v = insn_store_value(m, ~0ull);
		check(m->size == 8 || v >> (m->size * 8) == 0);
	} else {
		check(valid_size(m->dst_size) && m->dst_size >= m->size);
		check(!m->reg_high8 || m->dst_size == 1);
		v = insn_load_result(m, 0, ~0ull);
		check(m->dst_size == 8 || v >> (m->dst_size * 8) == 0 || m->reg_high8);
	}
}

FUZZ_CHECKER static int same(const struct insn_mmio *a, const struct insn_mmio *b)
{
	return a->len == b->len && a->size == b->size && a->write == b->write &&
	       a->imm == b->imm && a->imm_value == b->imm_value && a->reg == b->reg &&
	       a->reg_high8 == b->reg_high8 && a->dst_size == b->dst_size &&
	       a->sign_extend == b->sign_extend;
}

/*
 * The length is exact: the same bytes cut to len decode the same way, one
 * byte fewer is truncated.
 */
static void check_length(const uint8_t *bytes, const struct insn_mmio *m, enum insn_mode mode)
{
	struct insn_mmio again;
	uint8_t *copy = malloc(m->len);

	if (!copy)
		return;
	memcpy(copy, bytes, m->len);
	check(insn_decode_mmio(copy, m->len, mode, &again) == 0);
	check(same(&again, m));
	check(insn_decode_mmio(copy, m->len - 1, mode, &again) == -XT_EINVAL);
	free(copy);
}

/* Decode copy[0..avail) in one mode; errors must leave *out alone. */
static void run(const uint8_t *copy, size_t avail, enum insn_mode mode)
{
	struct insn_mmio out, sentinel;
	char text[3 * INSN_MAX_LEN];
	int ret;

	memset(&sentinel, 0xa5, sizeof(sentinel));
	memcpy(&out, &sentinel, sizeof(out));
	ret = insn_decode_mmio(copy, avail, mode, &out);
	check(ret == 0 || ret == -XT_EINVAL || ret == -XT_ENOTSUP);
	if (ret == 0) {
		check_result(&out, avail);
		check_length(copy, &out, mode);
		check(insn_format_bytes(copy, out.len, text, sizeof(text)) ==
		      (int)(3 * out.len - 1));
		check(strlen(text) == 3 * out.len - 1);
	} else {
		check(memcmp(&out, &sentinel, sizeof(out)) == 0);
	}
}

/* An exact-size heap copy of data[0..n), so ASan sees any over-read. */
static uint8_t *exact_copy(const uint8_t *data, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);

	if (copy)
		memcpy(copy, data, n);
	return copy;
}

/* Each mode decodes the same two exact-size copies (one allocation each per input). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum insn_mode modes[] = { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };
	size_t cut = size > 1 ? data[0] % size : 0;
	uint8_t *all = exact_copy(data, size);
	uint8_t *tail = size > 1 ? exact_copy(data + 1, cut) : NULL;

	for (size_t i = 0; all && i < sizeof(modes) / sizeof(modes[0]); i++) {
		run(all, size, modes[i]);
		if (tail)
			run(tail, cut, modes[i]);
	}
	free(tail);
	free(all);
	return 0;
}
