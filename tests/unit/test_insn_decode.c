// SPDX-License-Identifier: MIT
/*
 * Host unit tests for the MMIO instruction decoder (vmm/emul/insn_decode.c).
 * Compiler-generated vectors are in insn_vectors.h; the hand-written ones
 * below were checked with GNU as / objdump.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "lib/xerrno.h"
#include "vmm/emul/insn_decode.h"
#include "insn_vectors.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Decode from a heap copy of exactly 'avail' bytes so ASan sees any over-read. */
static int decode_exact(const void *bytes, size_t avail, enum insn_mode mode,
			struct insn_mmio *out)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, bytes, avail);
	ret = insn_decode_mmio(copy, avail, mode, out);
	free(copy);
	return ret;
}

static void field(const char *src, const char *name, uint64_t got, uint64_t want)
{
	if (got == want)
		return;
	print_error("%s: %s = %#llx, want %#llx\n", src, name, (unsigned long long)got,
		    (unsigned long long)want);
	fail();
}

static void check_fields(const char *src, const struct insn_mmio *got,
			 const struct insn_mmio *want, unsigned len)
{
	field(src, "len", got->len, len);
	field(src, "size", got->size, want->size);
	field(src, "write", got->write, want->write);
	field(src, "imm", got->imm, want->imm);
	field(src, "imm_value", got->imm_value, want->imm_value);
	field(src, "reg", got->reg, want->reg);
	field(src, "reg_high8", got->reg_high8, want->reg_high8);
	field(src, "dst_size", got->dst_size, want->dst_size);
	field(src, "sign_extend", got->sign_extend, want->sign_extend);
}

/*
 * One vector: with trailing bytes after it (C3, the RET that followed most
 * of them), with exactly its bytes, and, for a valid one, cut short at
 * every length (truncated: -XT_EINVAL, output untouched).
 */
static void check_vec(const struct insn_vec *v)
{
	uint8_t buf[32];
	struct insn_mmio out, sentinel;
	int ret;

	assert_true(v->n <= 16);
	memset(buf, 0xc3, sizeof(buf));
	memcpy(buf, v->bytes, v->n);
	memset(&sentinel, 0x5a, sizeof(sentinel));
	memcpy(&out, &sentinel, sizeof(out));
	ret = insn_decode_mmio(buf, sizeof(buf), v->mode, &out);
	field(v->src, "return (trailing bytes)", (uint64_t)ret, (uint64_t)v->ret);
	if (ret == 0)
		check_fields(v->src, &out, &v->exp, v->n);
	else
		assert_memory_equal(&out, &sentinel, sizeof(out));
	memcpy(&out, &sentinel, sizeof(out));
	ret = decode_exact(v->bytes, v->n, v->mode, &out);
	field(v->src, "return (exact)", (uint64_t)ret, (uint64_t)v->ret);
	if (ret == 0)
		check_fields(v->src, &out, &v->exp, v->n);
	if (v->ret != 0)
		return;
	for (unsigned k = 0; k < v->n; k++) {
		memcpy(&out, &sentinel, sizeof(out));
		ret = decode_exact(v->bytes, k, v->mode, &out);
		field(v->src, "return (truncated)", (uint64_t)ret, (uint64_t)-XT_EINVAL);
		assert_memory_equal(&out, &sentinel, sizeof(out));
	}
}

static void check_vecs(const struct insn_vec *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_vec(&v[i]);
}

#define CHECK_VECS(table) check_vecs(table, ARRAY_SIZE(table))

/* ------------------------------------------------------------ compiler vectors */

static void test_gcc_x86_64(void **state)
{
	(void)state;
	CHECK_VECS(gcc_x86_64_vecs);
}

static void test_clang_x86_64(void **state)
{
	(void)state;
	CHECK_VECS(clang_x86_64_vecs);
}

static void test_gcc_i386(void **state)
{
	(void)state;
	CHECK_VECS(gcc_i386_vecs);
}

static void test_clang_i386(void **state)
{
	(void)state;
	CHECK_VECS(clang_i386_vecs);
}

static void test_m16(void **state)
{
	(void)state;
	CHECK_VECS(m16_vecs);
}

static void test_compiler_unsupported(void **state)
{
	(void)state;
	CHECK_VECS(compiler_notsup_vecs);
}

/* ------------------------------------------------------------ addressing forms */

static const struct insn_vec addressing64_vecs[] = {
	V64("mov %eax,(%rsp): RSP base needs a SIB", "\x89\x04\x24", ST(4, RAX)),
	V64("mov %eax,(%r12): R12 base needs a SIB too (REX.B ignored)", "\x41\x89\x04\x24",
	    ST(4, RAX)),
	V64("mov %eax,0x0(%rbp): RBP base needs a disp8", "\x89\x45\x00", ST(4, RAX)),
	V64("mov %eax,0x0(%r13): R13 base needs a disp8 too", "\x41\x89\x45\x00", ST(4, RAX)),
	V64("mov %eax,0x12345678(,%rcx,4): SIB, mod 0, base 5: disp32, no base",
	    "\x89\x04\x8d\x78\x56\x34\x12", ST(4, RAX)),
	V64("mov 0x12345678(,%r14,8),%r10: SIB without base, REX.X index",
	    "\x4e\x8b\x14\xf5\x78\x56\x34\x12", LD(8, R10, 8)),
	V64("mov 0x78(%r13,%rax,1),%eax: SIB base 5 with mod 1 is R13 + disp8",
	    "\x41\x8b\x44\x05\x78", LD(4, RAX, 4)),
	V64("mov 0x12345678(%rbp,%rax,1),%eax: SIB base 5 with mod 2 is RBP + disp32",
	    "\x8b\x84\x05\x78\x56\x34\x12", LD(4, RAX, 4)),
	V64("mov 0x10(%rip),%r11b: RIP-relative", "\x44\x8a\x1d\x10\x00\x00\x00",
	    LD(1, R11, 1)),
	V64("mov 0x7f(%r12,%r13,2),%r9w", "\x66\x47\x8b\x4c\x6c\x7f", LD(2, R9, 2)),
	V64("mov %eax,-0x80(%rdi)", "\x89\x47\x80", ST(4, RAX)),
};

static void test_addressing_64(void **state)
{
	(void)state;
	CHECK_VECS(addressing64_vecs);
}

static const struct insn_vec addressing16_vecs[] = {
	V16("mov %ax,(%bx,%si)", "\x89\x00", ST(2, RAX)),
	V16("mov 0x0(%bp),%al: BP needs a disp8", "\x8a\x46\x00", LD(1, RAX, 1)),
	V16("mov 0x1234,%cx: mod 0, r/m 6 is disp16", "\x8b\x0e\x34\x12", LD(2, RCX, 2)),
	V16("movw $0x5678,0x1234(%bx,%di): disp16 + imm16", "\xc7\x81\x34\x12\x78\x56",
	    STIMM(2, 0x5678)),
	V16("movb $0x12,-0x2(%bp,%si)", "\xc6\x42\xfe\x12", STIMM(1, 0x12)),
	V16("mov %eax,(%bx): 66 makes it 32-bit", "\x66\x89\x07", ST(4, RAX)),
	V16("mov %eax,(%eax): 67 selects 32-bit addressing", "\x67\x66\x89\x00", ST(4, RAX)),
	V16("mov (%esp),%eax: 67, SIB", "\x67\x66\x8b\x04\x24", LD(4, RAX, 4)),
	V16("mov 0x12345678,%eax: 67, mod 0 r/m 5 is disp32", "\x67\x66\x8b\x05\x78\x56\x34\x12",
	    LD(4, RAX, 4)),
	V16("mov %dh,0x7f(%bx)", "\x88\x77\x7f", STH8(DH)),
	V16("movl $0x80000000,(%si)", "\x66\xc7\x04\x00\x00\x00\x80",
	    STIMM(4, 0xffffffff80000000ull)),
	V16("mov %es:(%di),%bx", "\x26\x8b\x1d", LD(2, RBX, 2)),
	V32("mov %eax,(%bx,%si): 67 in 32-bit mode", "\x67\x89\x00", ST(4, RAX)),
	V32("mov 0x1234(%bp,%di),%eax", "\x67\x8b\x83\x34\x12", LD(4, RAX, 4)),
	V32("mov %dl,0x10(%bp)", "\x67\x88\x56\x10", ST(1, RDX)),
	V32("mov 0x1234,%ax: 67 66, r/m 6 disp16", "\x67\x66\x8b\x06\x34\x12", LD(2, RAX, 2)),
	V32("mov %ch,(%esp)", "\x88\x2c\x24", STH8(CH)),
	V32("mov 0x0(%ebp),%ax", "\x66\x8b\x45\x00", LD(2, RAX, 2)),
	V32("movw $0xffff,0x10(%ebx,%esi,8)", "\x66\xc7\x44\xf3\x10\xff\xff",
	    STIMM(2, 0xffffffffffffffffull)),
	V32("mov 0x12345678,%eax: mod 0 r/m 5 is an absolute disp32 (not EIP-relative)",
	    "\x8b\x05\x78\x56\x34\x12", LD(4, RAX, 4)),
};

static void test_addressing_16(void **state)
{
	(void)state;
	CHECK_VECS(addressing16_vecs);
}

/* ------------------------------------------------------------ prefixes */

static const struct insn_vec opsize_vecs[] = {
	V64("66 89 07: mov %ax,(%rdi)", "\x66\x89\x07", ST(2, RAX)),
	V64("66 48 89 07: REX.W beats 66", "\x66\x48\x89\x07", ST(8, RAX)),
	V64("66 48 8b 07: REX.W beats 66 (load)", "\x66\x48\x8b\x07", LD(8, RAX, 8)),
	V64("66 c7 07 34 82: movw, imm16 sign-extended", "\x66\xc7\x07\x34\x82",
	    STIMM(2, 0xffffffffffff8234ull)),
	V64("66 48 c7 07 imm32: REX.W beats 66, imm32", "\x66\x48\xc7\x07\x00\x00\x00\x80",
	    STIMM(8, 0xffffffff80000000ull)),
	V64("48 c7 07 ff ff ff 7f: movq $0x7fffffff", "\x48\xc7\x07\xff\xff\xff\x7f",
	    STIMM(8, 0x7fffffff)),
	V64("66 88 07: 66 does not change an 8-bit opcode", "\x66\x88\x07", ST(1, RAX)),
	V64("66 66 66 89 07: repeated 66", "\x66\x66\x66\x89\x07", ST(2, RAX)),
	V64("48 88 07: REX.W does not change an 8-bit opcode", "\x48\x88\x07", ST(1, RAX)),
	V32("66 89 07 in 32-bit mode", "\x66\x89\x07", ST(2, RAX)),
	V16("89 07 in 16-bit mode", "\x89\x07", ST(2, RAX)),
	V16("66 89 07 in 16-bit mode", "\x66\x89\x07", ST(4, RAX)),
};

static void test_prefix_66_rexw(void **state)
{
	(void)state;
	CHECK_VECS(opsize_vecs);
}

static const struct insn_vec addrsize64_vecs[] = {
	V64("67 8b 08: mov (%eax),%ecx", "\x67\x8b\x08", LD(4, RCX, 4)),
	V64("67 8b 05: mov 0x10(%eip),%eax", "\x67\x8b\x05\x10\x00\x00\x00", LD(4, RAX, 4)),
	V64("67 a1: addr32 mov 0x11223344,%eax (moffs32)", "\x67\xa1\x44\x33\x22\x11",
	    LD(4, RAX, 4)),
	V64("67 a2: addr32 mov %al,0x11223344", "\x67\xa2\x44\x33\x22\x11", ST(1, RAX)),
	V64("67 48 89 04 24: mov %rax,(%esp)", "\x67\x48\x89\x04\x24", ST(8, RAX)),
	V64("67 41 c6 45 00 01: movb $1,0x0(%r13d)", "\x67\x41\xc6\x45\x00\x01", STIMM(1, 1)),
};

static void test_prefix_67_64bit(void **state)
{
	(void)state;
	CHECK_VECS(addrsize64_vecs);
}

static void test_prefix_segment_overrides(void **state)
{
	static const uint8_t seg[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };
	const struct insn_mmio want = ST(4, RAX);
	struct insn_mmio out;

	(void)state;
	for (unsigned m = INSN_MODE_16; m <= INSN_MODE_64; m++) {
		for (size_t i = 0; i < sizeof(seg); i++) {
			/* seg mov %eax,(%eax) with a 32-bit operand in every mode */
			uint8_t b[4] = { seg[i], 0x89, 0x00, 0xc3 };
			uint8_t b16[5] = { seg[i], 0x66, 0x89, 0x00, 0xc3 };

			if (m == INSN_MODE_16) {
				assert_int_equal(decode_exact(b16, 5, m, &out), 0);
				check_fields("seg 66 89 00", &out, &want, 4);
			} else {
				assert_int_equal(decode_exact(b, 4, m, &out), 0);
				check_fields("seg 89 00", &out, &want, 3);
			}
		}
	}
	/* Compiler-style: mov %fs:0x10(%rax),%eax and mov %gs:(%rax),%rdx. */
	check_vec(&(struct insn_vec)V64("64 8b 40 10", "\x64\x8b\x40\x10", LD(4, RAX, 4)));
	check_vec(&(struct insn_vec)V64("65 48 8b 10", "\x65\x48\x8b\x10", LD(8, RDX, 8)));
}

static const struct insn_vec rep_vecs[] = {
	V64("f3 89 07: REP ignored (XRELEASE hint)", "\xf3\x89\x07", ST(4, RAX)),
	V64("f2 89 07: REPNE ignored", "\xf2\x89\x07", ST(4, RAX)),
	V64("f3 0f b6 07: REP ignored with MOVZX", "\xf3\x0f\xb6\x07", LD(1, RAX, 4)),
	V64("f2 f3 48 8b 07", "\xf2\xf3\x48\x8b\x07", LD(8, RAX, 8)),
	V32("f3 c6 00 05", "\xf3\xc6\x00\x05", STIMM(1, 5)),
};

static void test_prefix_rep_ignored(void **state)
{
	(void)state;
	CHECK_VECS(rep_vecs);
}

/* A REX prefix followed by a legacy prefix is ignored (SDM 2A, "REX Prefixes"). */
static const struct insn_vec rex_ignored_vecs[] = {
	V64("48 66 89 07: REX.W ignored, 66 applies", "\x48\x66\x89\x07", ST(2, RAX)),
	V64("48 2e 8b 07: REX.W ignored", "\x48\x2e\x8b\x07", LD(4, RAX, 4)),
	V64("4c 3e 89 3f: REX.R ignored: edi, not r15", "\x4c\x3e\x89\x3f", ST(4, RDI)),
	V64("40 2e 88 27: REX ignored, so AH not SPL", "\x40\x2e\x88\x27", STH8(AH)),
	V64("41 f3 8a 3f: REX ignored, BH", "\x41\xf3\x8a\x3f", LDH8(BH)),
	V64("48 67 a1 moffs32: REX.W ignored, 67 applies", "\x48\x67\xa1\x00\x00\x00\x00",
	    LD(4, RAX, 4)),
	V64("48 66 c7 07 34 12: REX.W ignored: imm16", "\x48\x66\xc7\x07\x34\x12",
	    STIMM(2, 0x1234)),
	V64("66 48 2e 4c 89 3f: only the last REX counts", "\x66\x48\x2e\x4c\x89\x3f",
	    ST(8, R15)),
	V64("48 41 89 07: REX REX: the first is ignored", "\x48\x41\x89\x07", ST(4, RAX)),
	V64("41 48 89 07: REX REX: REX.W without REX.B", "\x41\x48\x89\x07", ST(8, RAX)),
};

static void test_rex_before_legacy_ignored(void **state)
{
	(void)state;
	CHECK_VECS(rex_ignored_vecs);
}

static const struct insn_vec rex_legacy_mode_vecs[] = {
	NOTSUP("48 89 07 in 32-bit mode: 48 is DEC eAX", INSN_MODE_32, "\x48\x89\x07"),
	NOTSUP("40 89 07 in 16-bit mode: 40 is INC AX", INSN_MODE_16, "\x40\x89\x07"),
	NOTSUP("66 4c 89 3f in 32-bit mode", INSN_MODE_32, "\x66\x4c\x89\x3f"),
};

static void test_rex_only_in_64bit_mode(void **state)
{
	(void)state;
	CHECK_VECS(rex_legacy_mode_vecs);
}

/* ------------------------------------------------------------ registers */

static const struct insn_vec byte_reg_vecs[] = {
	V64("88 27: mov %ah,(%rdi)", "\x88\x27", STH8(AH)),
	V64("88 2f: mov %ch,(%rdi)", "\x88\x2f", STH8(CH)),
	V64("88 37: mov %dh,(%rdi)", "\x88\x37", STH8(DH)),
	V64("8a 3f: mov (%rdi),%bh", "\x8a\x3f", LDH8(BH)),
	V64("8a 1f: mov (%rdi),%bl", "\x8a\x1f", LD(1, RBX, 1)),
	V64("40 88 27: mov %spl,(%rdi)", "\x40\x88\x27", ST(1, RSP)),
	V64("41 88 27: mov %spl,(%r15): any REX selects SPL", "\x41\x88\x27", ST(1, RSP)),
	V64("40 8a 3f: mov (%rdi),%dil", "\x40\x8a\x3f", LD(1, RDI, 1)),
	V64("44 88 07: mov %r8b,(%rdi)", "\x44\x88\x07", ST(1, R8)),
	V64("44 8a 27: mov (%rdi),%r12b", "\x44\x8a\x27", LD(1, R12, 1)),
	V64("4c 89 3f: mov %r15,(%rdi)", "\x4c\x89\x3f", ST(8, R15)),
	V64("0f b6 27: movzbl (%rdi),%esp: never high8 for MOVZX", "\x0f\xb6\x27",
	    LD(1, RSP, 4)),
	V32("88 27 in 32-bit mode: mov %ah,(%edi)", "\x88\x27", STH8(AH)),
	V16("8a 3f in 16-bit mode: mov (%bx),%bh", "\x8a\x3f", LDH8(BH)),
};

static void test_byte_registers(void **state)
{
	(void)state;
	CHECK_VECS(byte_reg_vecs);
}

/* ------------------------------------------------------------ opcodes */

static const struct insn_vec imm_vecs[] = {
	V64("c6 07 ff: movb $0xff", "\xc6\x07\xff", STIMM(1, 0xffffffffffffffffull)),
	V64("c6 07 7f: movb $0x7f", "\xc6\x07\x7f", STIMM(1, 0x7f)),
	V64("66 c7 07 ff 7f: movw $0x7fff", "\x66\xc7\x07\xff\x7f", STIMM(2, 0x7fff)),
	V64("c7 07 00 00 00 80: movl $0x80000000", "\xc7\x07\x00\x00\x00\x80",
	    STIMM(4, 0xffffffff80000000ull)),
	V64("48 c7 07 00 00 00 80: movq $-0x80000000", "\x48\xc7\x07\x00\x00\x00\x80",
	    STIMM(8, 0xffffffff80000000ull)),
	V64("41 c6 04 24 01: movb $1,(%r12)", "\x41\xc6\x04\x24\x01", STIMM(1, 1)),
	V64("c7 05 disp32 imm32: movl $0x12345678,0x10(%rip)",
	    "\xc7\x05\x10\x00\x00\x00\x78\x56\x34\x12", STIMM(4, 0x12345678)),
	V64("48 c7 84 88 disp32 imm32: movq $-1,0x12345678(%rax,%rcx,4)",
	    "\x48\xc7\x84\x88\x78\x56\x34\x12\xff\xff\xff\xff", STIMM(8, ~0ull)),
	V32("c7 04 8d disp32 imm32: SIB no base", "\xc7\x04\x8d\x00\x10\x00\x00\x01\x00\x00\x00",
	    STIMM(4, 1)),
};

static void test_mov_imm(void **state)
{
	(void)state;
	CHECK_VECS(imm_vecs);
}

static const struct insn_vec movx_vecs[] = {
	V64("0f b6: movzbl", "\x0f\xb6\x07", LD(1, RAX, 4)),
	V64("0f b7: movzwl", "\x0f\xb7\x07", LD(2, RAX, 4)),
	V64("0f be: movsbl", "\x0f\xbe\x07", LDSX(1, RAX, 4)),
	V64("0f bf: movswl", "\x0f\xbf\x07", LDSX(2, RAX, 4)),
	V64("66 0f b6: movzbw (%rax),%cx", "\x66\x0f\xb6\x08", LD(1, RCX, 2)),
	V64("66 0f be: movsbw (%rax),%ax", "\x66\x0f\xbe\x00", LDSX(1, RAX, 2)),
	V64("66 0f b7: movzww", "\x66\x0f\xb7\x07", LD(2, RAX, 2)),
	V64("66 0f bf: movsww", "\x66\x0f\xbf\x07", LDSX(2, RAX, 2)),
	V64("4d 0f b6 38: movzbq (%r8),%r15", "\x4d\x0f\xb6\x38", LD(1, R15, 8)),
	V64("49 0f b7 00: movzwq (%r8),%rax", "\x49\x0f\xb7\x00", LD(2, RAX, 8)),
	V64("4d 0f bf b5 disp32: movswq 0x100(%r13),%r14",
	    "\x4d\x0f\xbf\xb5\x00\x01\x00\x00", LDSX(2, R14, 8)),
	V64("66 48 0f be: REX.W beats 66", "\x66\x48\x0f\xbe\x07", LDSX(1, RAX, 8)),
	V32("0f be 09: movsbl (%ecx),%ecx", "\x0f\xbe\x09", LDSX(1, RCX, 4)),
	V32("66 0f b6: movzbw in 32-bit mode", "\x66\x0f\xb6\x07", LD(1, RAX, 2)),
	V16("0f b6 44 04: movzbw 0x4(%si),%ax", "\x0f\xb6\x44\x04", LD(1, RAX, 2)),
	V16("66 0f b6 44 04: movzbl 0x4(%si),%eax", "\x66\x0f\xb6\x44\x04", LD(1, RAX, 4)),
	V16("66 0f bf 15: movswl (%di),%edx", "\x66\x0f\xbf\x15", LDSX(2, RDX, 4)),
};

static void test_movzx_movsx(void **state)
{
	(void)state;
	CHECK_VECS(movx_vecs);
}

static const struct insn_vec movsxd_vecs[] = {
	V64("48 63 07: movslq (%rdi),%rax", "\x48\x63\x07", LDSX(4, RAX, 8)),
	V64("4d 63 2c 24: movslq (%r12),%r13", "\x4d\x63\x2c\x24", LDSX(4, R13, 8)),
	V64("66 48 63 07: 66 ignored with REX.W", "\x66\x48\x63\x07", LDSX(4, RAX, 8)),
	NOTSUP("63 07: MOVSXD r32 without REX.W", INSN_MODE_64, "\x63\x07"),
	NOTSUP("66 63 07: MOVSXD r16", INSN_MODE_64, "\x66\x63\x07"),
	NOTSUP("48 2e 63 07: REX.W ignored, so no REX.W", INSN_MODE_64, "\x48\x2e\x63\x07"),
	NOTSUP("63 00: ARPL in 32-bit mode", INSN_MODE_32, "\x63\x00"),
	NOTSUP("63 00: ARPL in 16-bit mode", INSN_MODE_16, "\x63\x00"),
	BAD("48 63 c0: movslq %eax,%rax (mod 3)", INSN_MODE_64, "\x48\x63\xc0"),
};

static void test_movsxd(void **state)
{
	(void)state;
	CHECK_VECS(movsxd_vecs);
}

/* moffs: 8 bytes in 64-bit mode (4 with 67), 4 in 32 (2 with 67), 2 in 16 (4 with 67). */
static const struct insn_vec moffs_vecs[] = {
	V64("a0 moffs64", "\xa0\x88\x77\x66\x55\x44\x33\x22\x11", LD(1, RAX, 1)),
	V64("a1 moffs64", "\xa1\x88\x77\x66\x55\x44\x33\x22\x11", LD(4, RAX, 4)),
	V64("66 a1 moffs64", "\x66\xa1\x88\x77\x66\x55\x44\x33\x22\x11", LD(2, RAX, 2)),
	V64("48 a3 moffs64: movabs %rax", "\x48\xa3\x88\x77\x66\x55\x44\x33\x22\x11",
	    ST(8, RAX)),
	V64("49 a3 moffs64: REX.B does not change RAX", "\x49\xa3\x88\x77\x66\x55\x44\x33\x22\x11",
	    ST(8, RAX)),
	V64("44 a2 moffs64: REX.R does not change AL", "\x44\xa2\x88\x77\x66\x55\x44\x33\x22\x11",
	    ST(1, RAX)),
	V64("67 48 a1 moffs32", "\x67\x48\xa1\x44\x33\x22\x11", LD(8, RAX, 8)),
	V32("a1 moffs32", "\xa1\x78\x56\x34\x12", LD(4, RAX, 4)),
	V32("66 a3 moffs32", "\x66\xa3\x78\x56\x34\x12", ST(2, RAX)),
	V32("a0 moffs32", "\xa0\x78\x56\x34\x12", LD(1, RAX, 1)),
	V32("67 a1 moffs16", "\x67\xa1\x34\x12", LD(4, RAX, 4)),
	V32("67 a2 moffs16", "\x67\xa2\x34\x12", ST(1, RAX)),
	V16("a0 moffs16", "\xa0\x34\x12", LD(1, RAX, 1)),
	V16("a1 moffs16", "\xa1\x34\x12", LD(2, RAX, 2)),
	V16("a3 moffs16", "\xa3\x34\x12", ST(2, RAX)),
	V16("67 a1 moffs32: addr32 mov 0x12345678,%ax", "\x67\xa1\x78\x56\x34\x12",
	    LD(2, RAX, 2)),
	V16("67 66 a3 moffs32", "\x67\x66\xa3\x78\x56\x34\x12", ST(4, RAX)),
	BAD("f0 a1: LOCK", INSN_MODE_32, "\xf0\xa1\x78\x56\x34\x12"),
};

static void test_moffs(void **state)
{
	(void)state;
	CHECK_VECS(moffs_vecs);
}

/* ------------------------------------------------------------ invalid and unsupported */

/* A valid 15-byte instruction: cs, 66, 67, REX.W, movq $imm32,disp32(%eax,%ecx,4). */
static const uint8_t long15[15] = { 0x2e, 0x66, 0x67, 0x48, 0xc7, 0x84, 0x88, 0x78,
				    0x56, 0x34, 0x12, 0xef, 0xbe, 0xad, 0xde };

static void test_truncation_every_length(void **state)
{
	const struct insn_mmio want = STIMM(8, 0xffffffffdeadbeefull);
	struct insn_mmio out;

	(void)state;
	assert_int_equal(decode_exact(long15, 15, INSN_MODE_64, &out), 0);
	check_fields("long15", &out, &want, 15);
	for (size_t k = 0; k < 15; k++)
		assert_int_equal(decode_exact(long15, k, INSN_MODE_64, &out), -XT_EINVAL);
}

static void test_too_long(void **state)
{
	uint8_t b[32];
	struct insn_mmio out;

	(void)state;
	/* One more prefix makes the 15-byte instruction 16 bytes long: #GP. */
	b[0] = 0xf3;
	memcpy(b + 1, long15, 15);
	assert_int_equal(decode_exact(b, 16, INSN_MODE_64, &out), -XT_EINVAL);
	assert_int_equal(insn_decode_mmio(b, sizeof(b), INSN_MODE_64, &out), -XT_EINVAL);
	/* 13 prefixes + mov %eax,(%rdi) is 15 bytes; 14 make 16. */
	memset(b, 0x2e, sizeof(b));
	b[13] = 0x89;
	b[14] = 0x07;
	assert_int_equal(decode_exact(b, 15, INSN_MODE_64, &out), 0);
	assert_int_equal(out.len, 15);
	memset(b, 0x2e, sizeof(b));
	b[14] = 0x89;
	b[15] = 0x07;
	assert_int_equal(decode_exact(b, 16, INSN_MODE_64, &out), -XT_EINVAL);
	/* 15 and 16 prefixes: the opcode would be byte 16 or 17. */
	for (unsigned m = INSN_MODE_16; m <= INSN_MODE_64; m++) {
		memset(b, 0x66, sizeof(b));
		b[15] = 0x89;
		b[16] = 0x07;
		assert_int_equal(decode_exact(b, 17, m, &out), -XT_EINVAL);
		memset(b, 0x66, sizeof(b));
		assert_int_equal(decode_exact(b, 16, m, &out), -XT_EINVAL);
		assert_int_equal(insn_decode_mmio(b, sizeof(b), m, &out), -XT_EINVAL);
	}
	/* 14 REX prefixes + 8b 07 in 64-bit mode: 16 bytes. */
	memset(b, 0x48, sizeof(b));
	b[14] = 0x8b;
	b[15] = 0x07;
	assert_int_equal(decode_exact(b, 16, INSN_MODE_64, &out), -XT_EINVAL);
	/* 13 REX prefixes + 8b 07 is 15: fine, the last REX (W) counts. */
	assert_int_equal(decode_exact(b + 1, 15, INSN_MODE_64, &out), 0);
	assert_int_equal(out.len, 15);
	assert_int_equal(out.size, 8);
}

static const struct insn_vec lock_vecs[] = {
	BAD("f0 89 07: lock mov", INSN_MODE_64, "\xf0\x89\x07"),
	BAD("f0 8b 07", INSN_MODE_64, "\xf0\x8b\x07"),
	BAD("f0 88 27", INSN_MODE_32, "\xf0\x88\x27"),
	BAD("f0 c7 07 imm32", INSN_MODE_64, "\xf0\xc7\x07\x01\x00\x00\x00"),
	BAD("f0 c6 07 imm8", INSN_MODE_16, "\xf0\xc6\x07\x01"),
	BAD("f0 0f b6 07", INSN_MODE_64, "\xf0\x0f\xb6\x07"),
	BAD("f0 48 63 07", INSN_MODE_64, "\xf0\x48\x63\x07"),
	BAD("2e f0 48 89 07: LOCK anywhere", INSN_MODE_64, "\x2e\xf0\x48\x89\x07"),
	BAD("f0 a3 moffs64", INSN_MODE_64, "\xf0\xa3\x88\x77\x66\x55\x44\x33\x22\x11"),
	NOTSUP("f0 01 07: lock add is valid but not emulated", INSN_MODE_64, "\xf0\x01\x07"),
	NOTSUP("f0 0f b1 07: lock cmpxchg", INSN_MODE_64, "\xf0\x0f\xb1\x07"),
};

static void test_lock_invalid(void **state)
{
	(void)state;
	CHECK_VECS(lock_vecs);
}

static const struct insn_vec mod3_vecs[] = {
	BAD("89 c0: mov %eax,%eax", INSN_MODE_64, "\x89\xc0"),
	BAD("8b c1: mov %ecx,%eax", INSN_MODE_32, "\x8b\xc1"),
	BAD("88 e0: mov %ah,%al", INSN_MODE_16, "\x88\xe0"),
	BAD("8a c4", INSN_MODE_64, "\x8a\xc4"),
	BAD("4d 89 c8: mov %r9,%r8", INSN_MODE_64, "\x4d\x89\xc8"),
	BAD("c6 c0 01: mov $1,%al", INSN_MODE_64, "\xc6\xc0\x01"),
	BAD("c7 c0 imm32: mov $1,%eax", INSN_MODE_64, "\xc7\xc0\x01\x00\x00\x00"),
	BAD("0f b6 c0: movzbl %al,%eax", INSN_MODE_64, "\x0f\xb6\xc0"),
	BAD("0f bf c1: movswl %cx,%eax", INSN_MODE_32, "\x0f\xbf\xc1"),
	BAD("67 89 c0: 67 does not matter", INSN_MODE_64, "\x67\x89\xc0"),
};

static void test_mod3_invalid(void **state)
{
	(void)state;
	CHECK_VECS(mod3_vecs);
}

static const struct insn_vec c6c7_vecs[] = {
	BAD("c7 08 imm32: C7 /1", INSN_MODE_64, "\xc7\x08\x00\x00\x00\x00"),
	BAD("c7 70 10 imm32: C7 /6", INSN_MODE_64, "\xc7\x70\x10\x00\x00\x00\x00"),
	BAD("c6 38 00: C6 /7 with memory", INSN_MODE_64, "\xc6\x38\x00"),
	BAD("c6 f9 00: C6 /7 other than F8", INSN_MODE_64, "\xc6\xf9\x00"),
	NOTSUP("c6 f8 01: xabort $1", INSN_MODE_64, "\xc6\xf8\x01"),
	NOTSUP("c7 f8 rel32: xbegin", INSN_MODE_64, "\xc7\xf8\x00\x00\x00\x00"),
};

static void test_c6_c7_other_reg(void **state)
{
	(void)state;
	CHECK_VECS(c6c7_vecs);
}

static const struct insn_vec notsup_vecs[] = {
	NOTSUP("01 07: add %eax,(%rdi)", INSN_MODE_64, "\x01\x07"),
	NOTSUP("09 07: or %eax,(%rdi)", INSN_MODE_64, "\x09\x07"),
	NOTSUP("21 07: and %eax,(%rdi)", INSN_MODE_64, "\x21\x07"),
	NOTSUP("39 07: cmp %eax,(%rdi)", INSN_MODE_64, "\x39\x07"),
	NOTSUP("85 07: test %eax,(%rdi)", INSN_MODE_64, "\x85\x07"),
	NOTSUP("87 07: xchg %eax,(%rdi)", INSN_MODE_64, "\x87\x07"),
	NOTSUP("86 07: xchg %al,(%rdi)", INSN_MODE_32, "\x86\x07"),
	NOTSUP("a5: movsl", INSN_MODE_64, "\xa5"),
	NOTSUP("f3 a4: rep movsb", INSN_MODE_64, "\xf3\xa4"),
	NOTSUP("ab: stosl", INSN_MODE_64, "\xab"),
	NOTSUP("ad: lodsl", INSN_MODE_32, "\xad"),
	NOTSUP("0f b1 07: cmpxchg", INSN_MODE_64, "\x0f\xb1\x07"),
	NOTSUP("0f c3 07: movnti", INSN_MODE_64, "\x0f\xc3\x07"),
	NOTSUP("0f 38 f0 07: movbe", INSN_MODE_64, "\x0f\x38\xf0\x07"),
	NOTSUP("8e 1f: mov (%rdi),%ds", INSN_MODE_64, "\x8e\x1f"),
	NOTSUP("8c 1f: mov %ds,(%rdi)", INSN_MODE_64, "\x8c\x1f"),
	NOTSUP("c5 fe 6f 07: vmovdqu (%rdi),%ymm0", INSN_MODE_64, "\xc5\xfe\x6f\x07"),
	NOTSUP("62 ...: EVEX", INSN_MODE_64, "\x62\xf1\x7c\x48\x10\x07"),
	NOTSUP("0f 10 07: movups (%rdi),%xmm0", INSN_MODE_64, "\x0f\x10\x07"),
	NOTSUP("0f 6f 07: movq (%rdi),%mm0", INSN_MODE_64, "\x0f\x6f\x07"),
	NOTSUP("ff 37: push (%rdi)", INSN_MODE_64, "\xff\x37"),
	NOTSUP("8f 07: pop (%rdi)", INSN_MODE_64, "\x8f\x07"),
	NOTSUP("f6 07 01: testb $1,(%rdi)", INSN_MODE_64, "\xf6\x07\x01"),
	NOTSUP("c5 00: lds (%eax),%eax", INSN_MODE_32, "\xc5\x00"),
	NOTSUP("0f 0b: ud2", INSN_MODE_64, "\x0f\x0b"),
	NOTSUP("90: nop", INSN_MODE_64, "\x90"),
};

static void test_unsupported_opcodes(void **state)
{
	(void)state;
	CHECK_VECS(notsup_vecs);
}

static void test_bad_arguments(void **state)
{
	static const uint8_t b[] = { 0x89, 0x07 };
	struct insn_mmio out;

	(void)state;
	assert_int_equal(insn_decode_mmio(b, 0, INSN_MODE_64, &out), -XT_EINVAL);
	assert_int_equal(insn_decode_mmio(NULL, 0, INSN_MODE_64, &out), -XT_EINVAL);
	assert_int_equal(insn_decode_mmio(NULL, 2, INSN_MODE_64, &out), -XT_EINVAL);
	assert_int_equal(insn_decode_mmio(b, 2, INSN_MODE_64, NULL), -XT_EINVAL);
	assert_int_equal(insn_decode_mmio(b, 2, (enum insn_mode)3, &out), -XT_EINVAL);
	assert_int_equal(insn_decode_mmio(b, 2, (enum insn_mode)-1, &out), -XT_EINVAL);
	/* A huge avail is fine: only 15 bytes are ever looked at. */
	assert_int_equal(insn_decode_mmio(b, SIZE_MAX, INSN_MODE_64, &out), 0);
	assert_int_equal(out.len, 2);
}

static void test_truncated_prefix_only(void **state)
{
	static const uint8_t b[] = { 0x66, 0x67, 0x2e, 0x48, 0x0f };
	struct insn_mmio out;

	(void)state;
	for (size_t k = 0; k <= sizeof(b); k++)
		assert_int_equal(decode_exact(b, k, INSN_MODE_64, &out), -XT_EINVAL);
}

/* ------------------------------------------------------------ store values */

static void test_store_value_sizes(void **state)
{
	const uint64_t v = 0x8877665544332211ull;
	struct insn_mmio m = ST(1, RAX);

	(void)state;
	assert_int_equal(insn_store_value(&m, v), 0x11);
	m.size = 2;
	assert_int_equal(insn_store_value(&m, v), 0x2211);
	m.size = 4;
	assert_int_equal(insn_store_value(&m, v), 0x44332211);
	m.size = 8;
	assert_int_equal(insn_store_value(&m, v), v);
}

static void test_store_value_high8(void **state)
{
	const struct insn_mmio m = STH8(AH);

	(void)state;
	assert_int_equal(insn_store_value(&m, 0x8877665544332211ull), 0x22);
	assert_int_equal(insn_store_value(&m, 0xff00), 0xff);
	assert_int_equal(insn_store_value(&m, 0xff), 0);
}

static void test_store_value_imm(void **state)
{
	struct insn_mmio m = STIMM(1, 0xffffffffffffff80ull);

	(void)state;
	assert_int_equal(insn_store_value(&m, 0x1234), 0x80);	/* register ignored */
	m = (struct insn_mmio)STIMM(2, 0xffffffffffff8234ull);
	assert_int_equal(insn_store_value(&m, 0), 0x8234);
	m = (struct insn_mmio)STIMM(4, 0xffffffffdeadbeefull);
	assert_int_equal(insn_store_value(&m, 0), 0xdeadbeef);
	m = (struct insn_mmio)STIMM(8, 0xfffffffffffffffeull);
	assert_int_equal(insn_store_value(&m, 0), 0xfffffffffffffffeull);
}

static void test_store_value_from_decode(void **state)
{
	struct insn_mmio m;

	(void)state;
	/* clang: mov %ah,0xb(%rdi) with RAX = 0x...beef stores 0xbe. */
	assert_int_equal(insn_decode_mmio((const uint8_t *)"\x88\x67\x0b", 3, INSN_MODE_64, &m), 0);
	assert_int_equal(m.reg, RAX);
	assert_int_equal(insn_store_value(&m, 0x11223344deadbeefull), 0xbe);
	/* gcc: movq $-2,0x28(%rdi) */
	assert_int_equal(insn_decode_mmio((const uint8_t *)"\x48\xc7\x47\x28\xfe\xff\xff\xff", 8,
					  INSN_MODE_64, &m), 0);
	assert_int_equal(insn_store_value(&m, 0), 0xfffffffffffffffeull);
	/* gcc: mov %r12w,0x8(%rsi) */
	assert_int_equal(insn_decode_mmio((const uint8_t *)"\x66\x44\x89\x66\x08", 5, INSN_MODE_64,
					  &m), 0);
	assert_int_equal(m.reg, R12);
	assert_int_equal(insn_store_value(&m, 0x1122334455667788ull), 0x7788);
}

/* ------------------------------------------------------------ load results */

static const uint64_t OLD = 0xa1a2a3a4a5a6a7a8ull;

static void test_load_result_mov(void **state)
{
	struct insn_mmio m = LD(1, RAX, 1);

	(void)state;
	/* 8 and 16-bit destinations keep the other bits (mem bits above size ignored). */
	assert_int_equal(insn_load_result(&m, OLD, 0xffffff81), 0xa1a2a3a4a5a6a781ull);
	m = (struct insn_mmio)LD(2, RAX, 2);
	assert_int_equal(insn_load_result(&m, OLD, 0xffff8001), 0xa1a2a3a4a5a68001ull);
	/* 32-bit destinations zero-extend to 64 bits. */
	m = (struct insn_mmio)LD(4, RAX, 4);
	assert_int_equal(insn_load_result(&m, OLD, 0xffffffff80000001ull), 0x80000001ull);
	m = (struct insn_mmio)LD(8, RAX, 8);
	assert_int_equal(insn_load_result(&m, OLD, 0x8000000000000001ull), 0x8000000000000001ull);
}

static void test_load_result_high8(void **state)
{
	struct insn_mmio m = LDH8(BH);

	(void)state;
	assert_int_equal(insn_load_result(&m, OLD, 0x1234), 0xa1a2a3a4a5a634a8ull);
	assert_int_equal(insn_load_result(&m, 0, 0xff), 0xff00);
	assert_int_equal(insn_load_result(&m, ~0ull, 0), 0xffffffffffff00ffull);
}

static void test_load_result_zero_extend(void **state)
{
	struct insn_mmio m = LD(1, RAX, 2);

	(void)state;
	/* movzbw keeps bits 63:16 */
	assert_int_equal(insn_load_result(&m, OLD, 0xf0), 0xa1a2a3a4a5a600f0ull);
	m = (struct insn_mmio)LD(1, RAX, 4);
	assert_int_equal(insn_load_result(&m, OLD, 0xf0), 0xf0);
	m = (struct insn_mmio)LD(1, RAX, 8);
	assert_int_equal(insn_load_result(&m, OLD, 0xfffff0), 0xf0);
	m = (struct insn_mmio)LD(2, RAX, 2);
	assert_int_equal(insn_load_result(&m, OLD, 0xfff0f0), 0xa1a2a3a4a5a6f0f0ull);
	m = (struct insn_mmio)LD(2, RAX, 4);
	assert_int_equal(insn_load_result(&m, OLD, 0xfff0f0), 0xf0f0);
	m = (struct insn_mmio)LD(2, RAX, 8);
	assert_int_equal(insn_load_result(&m, OLD, 0x8000), 0x8000);
}

static void test_load_result_sign_extend(void **state)
{
	struct insn_mmio m = LDSX(1, RAX, 2);

	(void)state;
	/* movsbw keeps bits 63:16 */
	assert_int_equal(insn_load_result(&m, OLD, 0x80), 0xa1a2a3a4a5a6ff80ull);
	assert_int_equal(insn_load_result(&m, OLD, 0x7f), 0xa1a2a3a4a5a6007full);
	m = (struct insn_mmio)LDSX(1, RAX, 4);
	assert_int_equal(insn_load_result(&m, OLD, 0x80), 0xffffff80ull);
	assert_int_equal(insn_load_result(&m, OLD, 0x17f), 0x7f);
	m = (struct insn_mmio)LDSX(1, RAX, 8);
	assert_int_equal(insn_load_result(&m, OLD, 0x80), 0xffffffffffffff80ull);
	m = (struct insn_mmio)LDSX(2, RAX, 2);
	assert_int_equal(insn_load_result(&m, OLD, 0x8001), 0xa1a2a3a4a5a68001ull);
	m = (struct insn_mmio)LDSX(2, RAX, 4);
	assert_int_equal(insn_load_result(&m, OLD, 0x8001), 0xffff8001ull);
	assert_int_equal(insn_load_result(&m, OLD, 0x7fff), 0x7fff);
	m = (struct insn_mmio)LDSX(2, RAX, 8);
	assert_int_equal(insn_load_result(&m, OLD, 0x18001), 0xffffffffffff8001ull);
	/* movsxd */
	m = (struct insn_mmio)LDSX(4, RAX, 8);
	assert_int_equal(insn_load_result(&m, OLD, 0x80000000), 0xffffffff80000000ull);
	assert_int_equal(insn_load_result(&m, OLD, 0xff7fffffffull), 0x7fffffffull);
}

static void test_load_result_from_decode(void **state)
{
	struct insn_mmio m;

	(void)state;
	/* mov (%rdi),%bh: BH is bits 15:8 of RBX */
	assert_int_equal(insn_decode_mmio((const uint8_t *)"\x8a\x3f", 2, INSN_MODE_64, &m), 0);
	assert_int_equal(m.reg, RBX);
	assert_int_equal(insn_load_result(&m, 0x1111111111111111ull, 0xab), 0x111111111111ab11ull);
	/* gcc: movswq 0x40(%rdi),%rax */
	assert_int_equal(insn_decode_mmio((const uint8_t *)"\x48\x0f\xbf\x47\x40", 5, INSN_MODE_64,
					  &m), 0);
	assert_int_equal(insn_load_result(&m, OLD, 0xfffe), 0xfffffffffffffffeull);
	/* gcc: mov (%r8),%r9d zero-extends */
	assert_int_equal(insn_decode_mmio((const uint8_t *)"\x45\x8b\x08", 3, INSN_MODE_64, &m), 0);
	assert_int_equal(m.reg, R9);
	assert_int_equal(insn_load_result(&m, OLD, 0xdeadbeef), 0xdeadbeefull);
	/* 16-bit mode movzbw 0x4(%si),%ax keeps bits 63:16 */
	assert_int_equal(insn_decode_mmio((const uint8_t *)"\x0f\xb6\x44\x04", 4, INSN_MODE_16,
					  &m), 0);
	assert_int_equal(insn_load_result(&m, OLD, 0x99), 0xa1a2a3a4a5a60099ull);
}

/* ------------------------------------------------------------ formatting */

static void test_format_bytes(void **state)
{
	static const uint8_t b[] = { 0x8b, 0x45, 0x10, 0x0f, 0xff };
	char buf[32];

	(void)state;
	assert_int_equal(insn_format_bytes(b, 3, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "8b 45 10");
	assert_int_equal(insn_format_bytes(b, 5, buf, sizeof(buf)), 14);
	assert_string_equal(buf, "8b 45 10 0f ff");
	assert_int_equal(insn_format_bytes(b, 1, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "8b");
	assert_int_equal(insn_format_bytes(b, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(insn_format_bytes(NULL, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_format_bytes_truncates(void **state)
{
	static const uint8_t b[] = { 0x8b, 0x45, 0x10 };
	char buf[16];

	(void)state;
	/* Only whole bytes; always NUL-terminated; returns the full length. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(insn_format_bytes(b, 3, buf, 8), 8);
	assert_string_equal(buf, "8b 45");
	assert_int_equal(insn_format_bytes(b, 3, buf, 9), 8);
	assert_string_equal(buf, "8b 45 10");
	assert_int_equal(insn_format_bytes(b, 3, buf, 3), 8);
	assert_string_equal(buf, "8b");
	assert_int_equal(insn_format_bytes(b, 3, buf, 2), 8);
	assert_string_equal(buf, "");
	assert_int_equal(insn_format_bytes(b, 3, buf, 1), 8);
	assert_string_equal(buf, "");
	buf[0] = 'x';
	assert_int_equal(insn_format_bytes(b, 3, buf, 0), 8);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(insn_format_bytes(b, 3, NULL, 0), 8);
}

static void test_format_bytes_bad_arguments(void **state)
{
	static const uint8_t b[1];
	char buf[8];

	(void)state;
	assert_int_equal(insn_format_bytes(NULL, 1, buf, sizeof(buf)), -XT_EINVAL);
	assert_int_equal(insn_format_bytes(b, 1, NULL, 8), -XT_EINVAL);
	assert_int_equal(insn_format_bytes(b, 4097, buf, sizeof(buf)), -XT_EINVAL);
	assert_int_equal(insn_format_bytes(long15, 15, buf, sizeof(buf)), 44);
	assert_string_equal(buf, "2e 66");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gcc_x86_64),
		cmocka_unit_test(test_clang_x86_64),
		cmocka_unit_test(test_gcc_i386),
		cmocka_unit_test(test_clang_i386),
		cmocka_unit_test(test_m16),
		cmocka_unit_test(test_compiler_unsupported),
		cmocka_unit_test(test_addressing_64),
		cmocka_unit_test(test_addressing_16),
		cmocka_unit_test(test_prefix_66_rexw),
		cmocka_unit_test(test_prefix_67_64bit),
		cmocka_unit_test(test_prefix_segment_overrides),
		cmocka_unit_test(test_prefix_rep_ignored),
		cmocka_unit_test(test_rex_before_legacy_ignored),
		cmocka_unit_test(test_rex_only_in_64bit_mode),
		cmocka_unit_test(test_byte_registers),
		cmocka_unit_test(test_mov_imm),
		cmocka_unit_test(test_movzx_movsx),
		cmocka_unit_test(test_movsxd),
		cmocka_unit_test(test_moffs),
		cmocka_unit_test(test_truncation_every_length),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_lock_invalid),
		cmocka_unit_test(test_mod3_invalid),
		cmocka_unit_test(test_c6_c7_other_reg),
		cmocka_unit_test(test_unsupported_opcodes),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_truncated_prefix_only),
		cmocka_unit_test(test_store_value_sizes),
		cmocka_unit_test(test_store_value_high8),
		cmocka_unit_test(test_store_value_imm),
		cmocka_unit_test(test_store_value_from_decode),
		cmocka_unit_test(test_load_result_mov),
		cmocka_unit_test(test_load_result_high8),
		cmocka_unit_test(test_load_result_zero_extend),
		cmocka_unit_test(test_load_result_sign_extend),
		cmocka_unit_test(test_load_result_from_decode),
		cmocka_unit_test(test_format_bytes),
		cmocka_unit_test(test_format_bytes_truncates),
		cmocka_unit_test(test_format_bytes_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
