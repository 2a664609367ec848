/* SPDX-License-Identifier: MIT */
/*
 * A small x86 instruction decoder for MMIO emulation. When a guest access to
 * an emulated device's MMIO range exits as an EPT violation, the VMM has the
 * guest-physical address but not the access size, direction or register: it
 * fetches the bytes at the guest RIP and decodes them here.
 *
 * Pure: no VMCS access, no allocation, no state. The bytes come from the
 * guest and may be anything; the decoder never reads past 'avail' bytes nor
 * past the architectural 15-byte limit (SDM 2A, "Instruction Format for
 * Protected Mode, Real-Address Mode, and Virtual-8086 Mode").
 */
#ifndef XTALK_VMM_INSN_DECODE_H
#define XTALK_VMM_INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest legal instruction; a longer one raises #GP. */
#define INSN_MAX_LEN 15u

/* CS.D / CS.L / EFER.LMA as the CPU sees them. */
enum insn_mode { INSN_MODE_16, INSN_MODE_32, INSN_MODE_64 };

struct insn_mmio {
	unsigned len;		/* instruction length in bytes */
	unsigned size;		/* bytes of memory accessed: 1, 2, 4 or 8 */
	bool write;		/* true: store to memory; false: load from memory */
	bool imm;		/* store of an immediate (C6/C7); reg is 0 then */
	uint64_t imm_value;	/* the immediate, sign-extended to 64 bits */
	/*
	 * The GPR holding the register operand, 0..15 (RAX=0 ... R15=15):
	 * the source of a store, the destination of a load. For AH, CH, DH,
	 * BH (reg_high8) it is the GPR they are bits 15:8 of, i.e. RAX, RCX,
	 * RDX or RBX (0..3), so a register file can be indexed with it
	 * directly. The moffs forms (A0-A3) always use RAX (AL/AX/EAX/RAX).
	 */
	unsigned reg;
	bool reg_high8;		/* AH/CH/DH/BH: 8-bit operand, no REX, ModRM.reg 4..7 */
	unsigned dst_size;	/* loads: bytes written to the register; stores: == size */
	bool sign_extend;	/* MOVSX/MOVSXD loads */
};

/*
 * Decode one instruction that accesses memory through its ModRM r/m operand
 * or a moffs: MOV 88/89/8A/8B, MOV C6 /0 and C7 /0, MOV A0-A3, MOVZX 0F B6/B7,
 * MOVSX 0F BE/BF, MOVSXD 63 with REX.W (64-bit mode), with any legacy
 * prefixes and a REX prefix. On success fills *out and returns 0. Returns
 * -XT_ENOTSUP for an opcode this decoder does not emulate (the guest should
 * be stopped and the bytes reported), -XT_EINVAL when the bytes are
 * truncated (fewer than needed in 'avail'), longer than 15 bytes, or an
 * invalid or register-only (ModRM.mod == 3) encoding of a supported opcode.
 * *out is only written on success.
 */
int insn_decode_mmio(const uint8_t *bytes, size_t avail, enum insn_mode mode,
		     struct insn_mmio *out);

/*
 * The value a store writes, given the full 64-bit value of GPR in->reg
 * (ignored for immediates; bits 15:8 for AH..BH), truncated to in->size.
 */
uint64_t insn_store_value(const struct insn_mmio *in, uint64_t reg_value);

/*
 * The new 64-bit value of GPR in->reg (old value old_reg) after a load of mem_value
 * (only its low in->size bytes count): zero or sign extension to dst_size,
 * then the partial-register rule: a 4-byte destination zero-extends to 64
 * bits, 1- and 2-byte destinations (and AH..BH) keep the other bits of
 * old_reg (SDM 1, "General-Purpose Registers in 64-Bit Mode").
 */
uint64_t insn_load_result(const struct insn_mmio *in, uint64_t old_reg, uint64_t mem_value);

/*
 * Format n bytes as lowercase hex separated by spaces ("8b 45 10") into buf.
 * Writes only whole bytes and always NUL-terminates when size > 0. Returns
 * the length the full text would have (like snprintf), or -XT_EINVAL when
 * n is larger than 4096 or buf is NULL with size > 0.
 */
int insn_format_bytes(const uint8_t *bytes, size_t n, char *buf, size_t size);

#endif
