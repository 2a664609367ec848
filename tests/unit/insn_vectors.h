/* SPDX-License-Identifier: MIT */
/*
 * Instruction vectors for tests/unit/test_insn_decode.c, taken from real
 * compiler output. The sources were small functions doing MMIO-style
 * volatile accesses, e.g.
 *
 *	void st32_d8(char *base, uint32_t v) { *(volatile uint32_t *)(base + 0x10) = v; }
 *	uint32_t ldb_zx(char *base) { return readb(base + 0x5); }
 *	void st8_ah(char *base, uint32_t v) { *(volatile uint8_t *)(base + 0xb) = (uint8_t)(v >> 8); }
 *	void lapic_eoi(void) { *(volatile uint32_t *)0xfee000b0UL = 0; }
 *	uint64_t many(char *p, ..., char *u) { six readq, six stores of 8..1 bytes }
 *	uint32_t loop_poll(char *a, ..., int n) { bases kept in callee-saved regs across ext() }
 *
 * (readb/readw/readl/readq: volatile loads of 1/2/4/8 bytes), built with
 * Debian gcc 12.2.0 and clang 14.0.6:
 *
 *	gcc|clang -O2 -c                                  (x86-64)
 *	gcc|clang -m32 -O2 -fno-pic -ffreestanding -c     (i386)
 *	gcc|clang -m16 -O2 -fno-pic -ffreestanding -c     (16-bit mode code)
 *
 * and dumped with objdump -d. Each comment gives the function, the C line
 * and the disassembly. The instruction bytes are exact; the tests append
 * trailing bytes themselves.
 */
#ifndef XTALK_TESTS_INSN_VECTORS_H
#define XTALK_TESTS_INSN_VECTORS_H

#include "lib/xerrno.h"
#include "vmm/emul/insn_decode.h"

struct insn_vec {
	const char *src;	/* function, C line, compiler, disassembly */
	enum insn_mode mode;
	const char *bytes;	/* exactly one instruction */
	unsigned n;		/* its length */
	int ret;		/* expected return */
	struct insn_mmio exp;	/* expected output (len is n) */
};

/* GPR numbers; AH..BH are reported as the GPR holding them, with reg_high8. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
enum { AH = RAX, CH = RCX, DH = RDX, BH = RBX };

#define VEC(src_, mode_, bytes_, ret_, ...)                                            \
	{ .src = (src_), .mode = (mode_), .bytes = (bytes_), .n = sizeof(bytes_) - 1, \
	  .ret = (ret_), .exp = __VA_ARGS__ }
#define V64(src_, bytes_, ...) VEC(src_, INSN_MODE_64, bytes_, 0, __VA_ARGS__)
#define V32(src_, bytes_, ...) VEC(src_, INSN_MODE_32, bytes_, 0, __VA_ARGS__)
#define V16(src_, bytes_, ...) VEC(src_, INSN_MODE_16, bytes_, 0, __VA_ARGS__)
#define NOTSUP(src_, mode_, bytes_) VEC(src_, mode_, bytes_, -XT_ENOTSUP, { 0 })
#define BAD(src_, mode_, bytes_) VEC(src_, mode_, bytes_, -XT_EINVAL, { 0 })

/* Expected outputs: loads, sign-extending loads, stores, high-byte and immediate stores. */
#define LD(sz, r, dsz) { .size = (sz), .reg = (r), .dst_size = (dsz) }
#define LDSX(sz, r, dsz) { .size = (sz), .reg = (r), .dst_size = (dsz), .sign_extend = true }
#define LDH8(r) { .size = 1, .reg = (r), .reg_high8 = true, .dst_size = 1 }
#define ST(sz, r) { .size = (sz), .write = true, .reg = (r), .dst_size = (sz) }
#define STH8(r) { .size = 1, .write = true, .reg = (r), .reg_high8 = true, .dst_size = 1 }
#define STIMM(sz, v)                                                                     \
	{ .size = (sz), .write = true, .imm = true, .imm_value = (uint64_t)(v), .dst_size = (sz) }

static const struct insn_vec gcc_x86_64_vecs[] = {
	V64("st32_d8: *(volatile uint32_t *)(base + 0x10) = v; gcc: mov %esi,0x10(%rdi)",
	    "\x89\x77\x10", ST(4, RSI)),
	V64("st32_d32: *(volatile uint32_t *)(base + 0x1000) = v; gcc: mov %esi,0x1000(%rdi)",
	    "\x89\xb7\x00\x10\x00\x00", ST(4, RSI)),
	V64("ld32_d8: return readl(base + 0x10); gcc: mov 0x10(%rdi),%eax",
	    "\x8b\x47\x10", LD(4, RAX, 4)),
	V64("ld32_d32: return readl(base + 0x2040); gcc: mov 0x2040(%rdi),%eax",
	    "\x8b\x87\x40\x20\x00\x00", LD(4, RAX, 4)),
	V64("ld64: return readq(base + 0x18); gcc: mov 0x18(%rdi),%rax",
	    "\x48\x8b\x47\x18", LD(8, RAX, 8)),
	V64("st64: *(volatile uint64_t *)(base + 0x18) = v; gcc: mov %rsi,0x18(%rdi)",
	    "\x48\x89\x77\x18", ST(8, RSI)),
	V64("ldb_zx: return readb(base + 0x5); gcc: movzbl 0x5(%rdi),%eax",
	    "\x0f\xb6\x47\x05", LD(1, RAX, 4)),
	V64("ldw_zx: return readw(base + 0x6); gcc: movzwl 0x6(%rdi),%eax",
	    "\x0f\xb7\x47\x06", LD(2, RAX, 4)),
	V64("ldb_sx: return *(volatile int8_t *)(base + 0x7); gcc: movsbl 0x7(%rdi),%eax",
	    "\x0f\xbe\x47\x07", LDSX(1, RAX, 4)),
	V64("ldw_sx: return *(volatile int16_t *)(base + 0x8); gcc: movswl 0x8(%rdi),%eax",
	    "\x0f\xbf\x47\x08", LDSX(2, RAX, 4)),
	V64("ldl_sx: int64_t = *(volatile int32_t *)(base + 0xc); gcc: movslq 0xc(%rdi),%rax",
	    "\x48\x63\x47\x0c", LDSX(4, RAX, 8)),
	V64("st16: *(volatile uint16_t *)(base + 0x4) = v; gcc: mov %si,0x4(%rdi)",
	    "\x66\x89\x77\x04", ST(2, RSI)),
	V64("st8: *(volatile uint8_t *)(base + 0x3) = v; gcc: mov %sil,0x3(%rdi)",
	    "\x40\x88\x77\x03", ST(1, RSI)),
	V64("st8_idx: *(volatile uint8_t *)(base + i) = v; gcc: mov %dl,(%rdi)",
	    "\x88\x17", ST(1, RDX)),
	V64("st32_idx: ((volatile uint32_t *)base)[i] = v; gcc: mov %edx,(%rax)",
	    "\x89\x10", ST(4, RDX)),
	V64("ld32_idx: return ((volatile uint32_t *)base)[i + 4]; gcc: mov (%rax),%eax",
	    "\x8b\x00", LD(4, RAX, 4)),
	V64("st32_imm: *(volatile uint32_t *)(base + 0x20) = 0xdeadbeef; gcc: movl $0xdeadbeef,0x20(%rdi)",
	    "\xc7\x47\x20\xef\xbe\xad\xde", STIMM(4, 0xffffffffdeadbeefull)),
	V64("st64_imm: *(volatile uint64_t *)(base + 0x28) = -2; gcc: movq $0xfffffffffffffffe,0x28(%rdi)",
	    "\x48\xc7\x47\x28\xfe\xff\xff\xff", STIMM(8, 0xfffffffffffffffeull)),
	V64("st16_imm: *(volatile uint16_t *)(base + 0x2) = 0x1234; gcc: mov %ax,0x2(%rdi)",
	    "\x66\x89\x47\x02", ST(2, RAX)),
	V64("st8_imm: *(volatile uint8_t *)(base + 0x1) = 0x80; gcc: movb $0x80,0x1(%rdi)",
	    "\xc6\x47\x01\x80", STIMM(1, 0xffffffffffffff80ull)),
	V64("st32_r8: *(volatile uint32_t *)(base + 0x40) = v (5th/6th args); gcc: mov %r9d,0x40(%r8)",
	    "\x45\x89\x48\x40", ST(4, R9)),
	V64("st64_r9: *(volatile uint64_t *)(base + 0x48) = v; gcc: mov %r8,0x48(%r9)",
	    "\x4d\x89\x41\x48", ST(8, R8)),
	V64("st8_dil: *(volatile uint8_t *)(base + 0xa) = v; gcc: mov %dil,0xa(%rsi)",
	    "\x40\x88\x7e\x0a", ST(1, RDI)),
	V64("ld_global: return g_reg32; gcc: mov 0x0(%rip),%eax",
	    "\x8b\x05\x00\x00\x00\x00", LD(4, RAX, 4)),
	V64("st_global: g_reg32 = v; gcc: mov %edi,0x0(%rip)",
	    "\x89\x3d\x00\x00\x00\x00", ST(4, RDI)),
	V64("st_global8_imm: g_reg8 = 1; gcc: movb $0x1,0x0(%rip)",
	    "\xc6\x05\x00\x00\x00\x00\x01", STIMM(1, 1)),
	V64("ld_global64: return g_reg64; gcc: mov 0x0(%rip),%rax",
	    "\x48\x8b\x05\x00\x00\x00\x00", LD(8, RAX, 8)),
	V64("ld_rsp: volatile uint32_t x[4]; return x[1]; gcc: mov -0x14(%rsp),%eax",
	    "\x8b\x44\x24\xec", LD(4, RAX, 4)),
	V64("many: a = readq(p); gcc: mov (%rdi),%r10",
	    "\x4c\x8b\x17", LD(8, R10, 8)),
	V64("many: e = readq(t); gcc: mov (%r8),%r12",
	    "\x4d\x8b\x20", LD(8, R12, 8)),
	V64("many: *(volatile uint16_t *)(q + 8) = (uint16_t)e; gcc: mov %r12w,0x8(%rsi)",
	    "\x66\x44\x89\x66\x08", ST(2, R12)),
	V64("many: *(volatile uint8_t *)(p + 8) = (uint8_t)f; gcc: mov %al,0x8(%rdi)",
	    "\x88\x47\x08", ST(1, RAX)),
	V64("loop_poll: s += *(volatile uint32_t *)(a + 0x0); gcc: mov 0x0(%r13),%ecx",
	    "\x41\x8b\x4d\x00", LD(4, RCX, 4)),
	V64("loop_poll: s += *(volatile uint32_t *)(e + 0x0); gcc: mov (%r8),%r9d",
	    "\x45\x8b\x08", LD(4, R9, 4)),
	V64("loop_poll: *(volatile uint8_t *)(a) = (uint8_t)s; gcc: mov %al,0x0(%r13)",
	    "\x41\x88\x45\x00", ST(1, RAX)),
	V64("loop_poll: *(volatile uint16_t *)(b) = (uint16_t)s; gcc: mov %ax,(%r14)",
	    "\x66\x41\x89\x06", ST(2, RAX)),
	V64("loop_poll: *(volatile uint32_t *)(c) = s; gcc: mov %eax,(%r15)",
	    "\x41\x89\x07", ST(4, RAX)),
	V64("loop_poll: *(volatile uint64_t *)(d) = s; gcc: mov %rax,(%rbx)",
	    "\x48\x89\x03", ST(8, RAX)),
	V64("loop_poll: *(volatile uint32_t *)(e) = 7; gcc: movl $0x7,(%r8)",
	    "\x41\xc7\x00\x07\x00\x00\x00", STIMM(4, 7)),
	V64("lapic_eoi: *(volatile uint32_t *)0xfee000b0UL = 0; gcc: movl $0x0,(%rax)",
	    "\xc7\x00\x00\x00\x00\x00", STIMM(4, 0)),
	V64("lapic_read: return *(volatile uint32_t *)0xfee00020UL; gcc: movabs 0xfee00020,%eax",
	    "\xa1\x20\x00\xe0\xfe\x00\x00\x00\x00", LD(4, RAX, 4)),
	V64("low_abs: *(volatile uint32_t *)0x1000UL = v; gcc: mov %edi,0x1000 (SIB, no base)",
	    "\x89\x3c\x25\x00\x10\x00\x00", ST(4, RDI)),
	V64("low_abs_ld: return *(volatile uint32_t *)0x2000UL; gcc: mov 0x2000,%eax",
	    "\x8b\x04\x25\x00\x20\x00\x00", LD(4, RAX, 4)),
	V64("lapic_readb: return *(volatile uint8_t *)0xfee00023UL; gcc: movabs 0xfee00023,%al",
	    "\xa0\x23\x00\xe0\xfe\x00\x00\x00\x00", LD(1, RAX, 1)),
	V64("lapic_writeb: *(volatile uint8_t *)0xfee00024UL = v; gcc: movabs %al,0xfee00024",
	    "\xa2\x24\x00\xe0\xfe\x00\x00\x00\x00", ST(1, RAX)),
	V64("hpet_read: return *(volatile uint64_t *)0xfed000f0UL; gcc: movabs 0xfed000f0,%rax",
	    "\x48\xa1\xf0\x00\xd0\xfe\x00\x00\x00\x00", LD(8, RAX, 8)),
	V64("idx_st16: *(volatile uint16_t *)(base + i * 2 + 0x80) = v; gcc: mov %r9w,(%rax)",
	    "\x66\x44\x89\x08", ST(2, R9)),
	V64("zx8_q: return *(volatile uint8_t *)(base + 0x300); gcc: movzbl 0x300(%rdi),%eax",
	    "\x0f\xb6\x87\x00\x03\x00\x00", LD(1, RAX, 4)),
	V64("sx16_q: (int64_t)*(volatile int16_t *)(base + 0x40); gcc: movswq 0x40(%rdi),%rax",
	    "\x48\x0f\xbf\x47\x40", LDSX(2, RAX, 8)),
	V64("sx8_q: (int64_t)*(volatile int8_t *)(base + 0x41); gcc: movsbq 0x41(%rdi),%rax",
	    "\x48\x0f\xbe\x47\x41", LDSX(1, RAX, 8)),
};

static const struct insn_vec clang_x86_64_vecs[] = {
	V64("st8_idx: *(volatile uint8_t *)(base + i) = v; clang: mov %dl,(%rdi,%rsi,1)",
	    "\x88\x14\x37", ST(1, RDX)),
	V64("st32_idx: ((volatile uint32_t *)base)[i] = v; clang: mov %edx,(%rdi,%rsi,4)",
	    "\x89\x14\xb7", ST(4, RDX)),
	V64("ld32_idx: return ((volatile uint32_t *)base)[i + 4]; clang: mov 0x10(%rdi,%rsi,4),%eax",
	    "\x8b\x44\xb7\x10", LD(4, RAX, 4)),
	V64("st16_imm: *(volatile uint16_t *)(base + 0x2) = 0x1234; clang: movw $0x1234,0x2(%rdi)",
	    "\x66\xc7\x47\x02\x34\x12", STIMM(2, 0x1234)),
	V64("st8_ah: *(volatile uint8_t *)(base + 0xb) = (uint8_t)(v >> 8); clang: mov %ah,0xb(%rdi)",
	    "\x88\x67\x0b", STH8(AH)),
	V64("ld_rsp: volatile uint32_t x[4] = {0}; clang: movl $0x0,-0x18(%rsp)",
	    "\xc7\x44\x24\xe8\x00\x00\x00\x00", STIMM(4, 0)),
	V64("ld_rsp: volatile uint32_t x[4] = {0}; clang: movq $0x0,-0x8(%rsp)",
	    "\x48\xc7\x44\x24\xf8\x00\x00\x00\x00", STIMM(8, 0)),
	V64("ld_rsp: return x[1]; clang: mov -0x1c(%rsp),%eax",
	    "\x8b\x44\x24\xe4", LD(4, RAX, 4)),
	V64("many: *(volatile uint8_t *)(p + 8) = (uint8_t)f; clang: mov %r15b,0x8(%rdi)",
	    "\x44\x88\x7f\x08", ST(1, R15)),
	V64("many: *(volatile uint16_t *)(q + 8) = (uint16_t)e; clang: mov %r14w,0x8(%rsi)",
	    "\x66\x44\x89\x76\x08", ST(2, R14)),
	V64("many: *(volatile uint64_t *)(t + 8) = b; clang: mov %rax,0x8(%r8)",
	    "\x49\x89\x40\x08", ST(8, RAX)),
	V64("many: *(volatile uint64_t *)(s + 8) = c; clang: mov %r11,0x8(%rcx)",
	    "\x4c\x89\x59\x08", ST(8, R11)),
	V64("many: f = readq(u); clang: mov (%r9),%r15",
	    "\x4d\x8b\x39", LD(8, R15, 8)),
	V64("loop_poll: *(volatile uint8_t *)(a) = (uint8_t)s; clang: mov %bpl,(%rdi)",
	    "\x40\x88\x2f", ST(1, RBP)),
	V64("loop_poll: *(volatile uint16_t *)(b) = (uint16_t)s; clang: mov %bp,(%r14)",
	    "\x66\x41\x89\x2e", ST(2, RBP)),
	V64("loop_poll: *(volatile uint32_t *)(c) = s; clang: mov %ebp,0x0(%r13)",
	    "\x41\x89\x6d\x00", ST(4, RBP)),
	V64("loop_poll: *(volatile uint64_t *)(d) = s; clang: mov %rbp,(%r12)",
	    "\x49\x89\x2c\x24", ST(8, RBP)),
	V64("loop_poll: *(volatile uint32_t *)(e) = 7; clang: movl $0x7,(%r15)",
	    "\x41\xc7\x07\x07\x00\x00\x00", STIMM(4, 7)),
	V64("lapic_readb: return *(volatile uint8_t *)0xfee00023UL; clang: mov (%rax),%al",
	    "\x8a\x00", LD(1, RAX, 1)),
	V64("lapic_writeb: *(volatile uint8_t *)0xfee00024UL = v; clang: mov %dil,(%rax)",
	    "\x40\x88\x38", ST(1, RDI)),
	V64("hpet_read: return *(volatile uint64_t *)0xfed000f0UL; clang: mov (%rax),%rax",
	    "\x48\x8b\x00", LD(8, RAX, 8)),
	V64("idx_ld: return *(volatile uint32_t *)(base + i * 8 + 0x100);"
	    " clang: mov 0x100(%rdi,%r9,8),%eax",
	    "\x42\x8b\x84\xcf\x00\x01\x00\x00", LD(4, RAX, 4)),
	V64("idx_st16: *(volatile uint16_t *)(base + i * 2 + 0x80) = v; clang: mov %r9w,0x80(%rdi,%r8,2)",
	    "\x66\x46\x89\x8c\x47\x80\x00\x00\x00", ST(2, R9)),
	V64("zx8_q: return *(volatile uint8_t *)(base + 0x300); clang: movzbl 0x300(%rdi),%eax",
	    "\x0f\xb6\x87\x00\x03\x00\x00", LD(1, RAX, 4)),
	V64("ldw: return *(volatile uint16_t *)(base + 0x30); clang: movzwl 0x30(%rdi),%eax",
	    "\x0f\xb7\x47\x30", LD(2, RAX, 4)),
	V64("ldl_sx: int64_t = *(volatile int32_t *)(base + 0xc); clang: movslq 0xc(%rdi),%rax",
	    "\x48\x63\x47\x0c", LDSX(4, RAX, 8)),
};

static const struct insn_vec gcc_i386_vecs[] = {
	V32("st32_d8: *(volatile uint32_t *)(base + 0x10) = v; gcc -m32: mov %edx,0x10(%eax)",
	    "\x89\x50\x10", ST(4, RDX)),
	V32("st32_d32: *(volatile uint32_t *)(base + 0x1000) = v; gcc -m32: mov %edx,0x1000(%eax)",
	    "\x89\x90\x00\x10\x00\x00", ST(4, RDX)),
	V32("ld32_d8: return readl(base + 0x10); gcc -m32: mov 0x10(%eax),%eax",
	    "\x8b\x40\x10", LD(4, RAX, 4)),
	V32("st32_d8: (stack argument) gcc -m32: mov 0x4(%esp),%eax",
	    "\x8b\x44\x24\x04", LD(4, RAX, 4)),
	V32("ldb_zx: return readb(base + 0x5); gcc -m32: movzbl 0x5(%eax),%eax",
	    "\x0f\xb6\x40\x05", LD(1, RAX, 4)),
	V32("ldw_sx: return *(volatile int16_t *)(base + 0x8); gcc -m32: movswl 0x8(%eax),%eax",
	    "\x0f\xbf\x40\x08", LDSX(2, RAX, 4)),
	V32("st16: *(volatile uint16_t *)(base + 0x4) = v; gcc -m32: mov %dx,0x4(%eax)",
	    "\x66\x89\x50\x04", ST(2, RDX)),
	V32("st8: *(volatile uint8_t *)(base + 0x3) = v; gcc -m32: mov %dl,0x3(%eax)",
	    "\x88\x50\x03", ST(1, RDX)),
	V32("st32_imm: *(volatile uint32_t *)(base + 0x20) = 0xdeadbeef;"
	    " gcc -m32: movl $0xdeadbeef,0x20(%eax)",
	    "\xc7\x40\x20\xef\xbe\xad\xde", STIMM(4, 0xffffffffdeadbeefull)),
	V32("st8_imm: *(volatile uint8_t *)(base + 0x1) = 0x80; gcc -m32: movb $0x80,0x1(%eax)",
	    "\xc6\x40\x01\x80", STIMM(1, 0xffffffffffffff80ull)),
	V32("ld_global: return g_reg32; gcc -m32: mov 0x0,%eax",
	    "\xa1\x00\x00\x00\x00", LD(4, RAX, 4)),
	V32("st_global: g_reg32 = v; gcc -m32: mov %eax,0x0",
	    "\xa3\x00\x00\x00\x00", ST(4, RAX)),
	V32("st_global8_imm: g_reg8 = 1; gcc -m32: movb $0x1,0x0",
	    "\xc6\x05\x00\x00\x00\x00\x01", STIMM(1, 1)),
	V32("ld_global64: return g_reg64; gcc -m32: mov 0x4,%edx",
	    "\x8b\x15\x04\x00\x00\x00", LD(4, RDX, 4)),
	V32("ld_rsp: volatile uint32_t x[4] = {0}; gcc -m32: movl $0x0,(%esp)",
	    "\xc7\x04\x24\x00\x00\x00\x00", STIMM(4, 0)),
	V32("lapic_eoi: *(volatile uint32_t *)0xfee000b0UL = 0; gcc -m32: movl $0x0,0xfee000b0",
	    "\xc7\x05\xb0\x00\xe0\xfe\x00\x00\x00\x00", STIMM(4, 0)),
	V32("lapic_read: return *(volatile uint32_t *)0xfee00020UL; gcc -m32: mov 0xfee00020,%eax",
	    "\xa1\x20\x00\xe0\xfe", LD(4, RAX, 4)),
	V32("lapic_readb: return *(volatile uint8_t *)0xfee00023UL; gcc -m32: movzbl 0xfee00023,%eax",
	    "\x0f\xb6\x05\x23\x00\xe0\xfe", LD(1, RAX, 4)),
	V32("lapic_writeb: *(volatile uint8_t *)0xfee00024UL = v; gcc -m32: mov %al,0xfee00024",
	    "\xa2\x24\x00\xe0\xfe", ST(1, RAX)),
	V32("idx_st16: *(volatile uint16_t *)(base + i * 2 + 0x80) = v; gcc -m32: mov %dx,(%eax)",
	    "\x66\x89\x10", ST(2, RDX)),
	V32("sx8_q: (int64_t)*(volatile int8_t *)(base + 0x41); gcc -m32: movsbl 0x41(%eax),%eax",
	    "\x0f\xbe\x40\x41", LDSX(1, RAX, 4)),
};

static const struct insn_vec clang_i386_vecs[] = {
	V32("st8_ah: (uint8_t)(v >> 8) from the stack; clang -m32: mov 0x9(%esp),%al",
	    "\x8a\x44\x24\x09", LD(1, RAX, 1)),
	V32("st8_ah: *(volatile uint8_t *)(base + 0xb) = ...; clang -m32: mov %al,0xb(%ecx)",
	    "\x88\x41\x0b", ST(1, RAX)),
	V32("st16_imm: *(volatile uint16_t *)(base + 0x2) = 0x1234; clang -m32: movw $0x1234,0x2(%eax)",
	    "\x66\xc7\x40\x02\x34\x12", STIMM(2, 0x1234)),
	V32("ldw_zx: return readw(base + 0x6); clang -m32: movzwl 0x6(%eax),%eax",
	    "\x0f\xb7\x40\x06", LD(2, RAX, 4)),
	V32("idx_ld: return *(volatile uint32_t *)(base + i * 8 + 0x100);"
	    " clang -m32: mov 0x100(%ecx,%eax,8),%eax",
	    "\x8b\x84\xc1\x00\x01\x00\x00", LD(4, RAX, 4)),
	V32("idx_st16: *(volatile uint16_t *)(base + i * 2 + 0x80) = v;"
	    " clang -m32: mov %ax,0x80(%edx,%ecx,2)",
	    "\x66\x89\x84\x4a\x80\x00\x00\x00", ST(2, RAX)),
	V32("lapic_readb: return *(volatile uint8_t *)0xfee00023UL; clang -m32: mov 0xfee00023,%al",
	    "\xa0\x23\x00\xe0\xfe", LD(1, RAX, 1)),
	V32("many: *(volatile uint8_t *)(p + 8) = (uint8_t)f; clang -m32: mov %bl,0x8(%ecx)",
	    "\x88\x59\x08", ST(1, RBX)),
	V32("many: *(volatile uint16_t *)(q + 8) = (uint16_t)e; clang -m32: mov %si,0x8(%ecx)",
	    "\x66\x89\x71\x08", ST(2, RSI)),
	V32("many: *(volatile uint32_t *)(r + 8) = (uint32_t)d; clang -m32: mov %ebp,0x8(%ecx)",
	    "\x89\x69\x08", ST(4, RBP)),
};

/* gcc/clang -m16 emit 32-bit code with 66/67 prefixes for a 16-bit CS. */
static const struct insn_vec m16_vecs[] = {
	V16("st32_d8: *(volatile uint32_t *)(base + 0x10) = v; gcc -m16: mov %edx,0x10(%eax)",
	    "\x67\x66\x89\x50\x10", ST(4, RDX)),
	V16("ld32_d32: return readl(base + 0x2040); gcc -m16: mov 0x2040(%eax),%eax",
	    "\x67\x66\x8b\x80\x40\x20\x00\x00", LD(4, RAX, 4)),
	V16("ldb_zx: return readb(base + 0x5); gcc -m16: movzbl 0x5(%eax),%eax",
	    "\x67\x66\x0f\xb6\x40\x05", LD(1, RAX, 4)),
	V16("ldw_sx: return *(volatile int16_t *)(base + 0x8); gcc -m16: movswl 0x8(%eax),%eax",
	    "\x67\x66\x0f\xbf\x40\x08", LDSX(2, RAX, 4)),
	V16("st16: *(volatile uint16_t *)(base + 0x4) = v; gcc -m16: mov %dx,0x4(%eax)",
	    "\x67\x89\x50\x04", ST(2, RDX)),
	V16("st8: *(volatile uint8_t *)(base + 0x3) = v; gcc -m16: mov %dl,0x3(%eax)",
	    "\x67\x88\x50\x03", ST(1, RDX)),
	V16("st32_imm: *(volatile uint32_t *)(base + 0x20) = 0xdeadbeef;"
	    " gcc -m16: movl $0xdeadbeef,0x20(%eax)",
	    "\x67\x66\xc7\x40\x20\xef\xbe\xad\xde", STIMM(4, 0xffffffffdeadbeefull)),
	V16("st8_imm: *(volatile uint8_t *)(base + 0x1) = 0x80; gcc -m16: movb $0x80,0x1(%eax)",
	    "\x67\xc6\x40\x01\x80", STIMM(1, 0xffffffffffffff80ull)),
	V16("ld_global: return g_reg32; gcc -m16: mov 0x0,%eax (moffs16)",
	    "\x66\xa1\x00\x00", LD(4, RAX, 4)),
	V16("st_global: g_reg32 = v; gcc -m16: mov %eax,0x0 (moffs16)",
	    "\x66\xa3\x00\x00", ST(4, RAX)),
	V16("st_global8_imm: g_reg8 = 1; gcc -m16: movb $0x1,0x0 (disp16)",
	    "\xc6\x06\x00\x00\x01", STIMM(1, 1)),
	V16("ld_global64: return g_reg64; gcc -m16: mov 0x4,%edx (disp16)",
	    "\x66\x8b\x16\x04\x00", LD(4, RDX, 4)),
	V16("lapic_eoi: *(volatile uint32_t *)0xfee000b0UL = 0; gcc -m16: movl $0x0,0xb0 (disp16)",
	    "\x66\xc7\x06\xb0\x00\x00\x00\x00\x00", STIMM(4, 0)),
	V16("loop_poll: *(volatile uint8_t *)(a) = (uint8_t)s; gcc -m16: mov %bl,(%edi)",
	    "\x67\x88\x1f", ST(1, RBX)),
	V16("loop_poll: *(volatile uint16_t *)(b) = (uint16_t)s; gcc -m16: mov %bx,0x0(%ebp)",
	    "\x67\x89\x5d\x00", ST(2, RBX)),
	V16("loop_poll: *(volatile uint32_t *)(e) = 7; gcc -m16: movl $0x7,(%eax)",
	    "\x67\x66\xc7\x00\x07\x00\x00\x00", STIMM(4, 7)),
	V16("st16_imm: *(volatile uint16_t *)(base + 0x2) = 0x1234; clang -m16: movw $0x1234,0x2(%eax)",
	    "\x67\xc7\x40\x02\x34\x12", STIMM(2, 0x1234)),
	V16("st8_idx: *(volatile uint8_t *)(base + i) = v; clang -m16: mov %al,(%edx,%ecx,1)",
	    "\x67\x88\x04\x0a", ST(1, RAX)),
	V16("ld32_idx: return ((volatile uint32_t *)base)[i + 4]; clang -m16: mov 0x10(%ecx,%eax,4),%eax",
	    "\x67\x66\x8b\x44\x81\x10", LD(4, RAX, 4)),
	V16("ld_rsp: volatile uint32_t x[4] = {0}; clang -m16: movl $0x0,0xc(%esp)",
	    "\x67\x66\xc7\x44\x24\x0c\x00\x00\x00\x00", STIMM(4, 0)),
	V16("ld_global: return g_reg32; clang -m16: addr32 mov 0x0,%eax (moffs32)",
	    "\x67\x66\xa1\x00\x00\x00\x00", LD(4, RAX, 4)),
	V16("st_global: g_reg32 = v; clang -m16: addr32 mov %eax,0x0 (moffs32)",
	    "\x67\x66\xa3\x00\x00\x00\x00", ST(4, RAX)),
};

/* Real compiler output this decoder does not emulate. */
static const struct insn_vec compiler_notsup_vecs[] = {
	NOTSUP("loop_poll: s += *(volatile uint32_t *)(a + 0x0); clang: add (%rdi),%ebp",
	       INSN_MODE_64, "\x03\x2f"),
	NOTSUP("loop_poll: s += *(volatile uint32_t *)(d + 0x0); clang: add (%r12),%ebp",
	       INSN_MODE_64, "\x41\x03\x2c\x24"),
	NOTSUP("loop_poll: for (...; i < n; ...); gcc: cmp %r12d,0xc(%rsp)",
	       INSN_MODE_64, "\x44\x39\x64\x24\x0c"),
	NOTSUP("ld_rsp: volatile uint32_t x[4] = {0}; gcc: movaps %xmm0,-0x18(%rsp)",
	       INSN_MODE_64, "\x0f\x29\x44\x24\xe8"),
	NOTSUP("many: return a + ... + f; clang -m32: adc 0x4(%ecx),%edx",
	       INSN_MODE_32, "\x13\x51\x04"),
	NOTSUP("st8_idx: base + i; gcc -m32: add 0x4(%esp),%eax",
	       INSN_MODE_32, "\x03\x44\x24\x04"),
	NOTSUP("st64_r9: *(volatile uint64_t *)(base + 0x48) = v; gcc -m16: movq %xmm0,0x48(%eax)",
	       INSN_MODE_16, "\x67\x66\x0f\xd6\x40\x48"),
};

#endif
