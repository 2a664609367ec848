// SPDX-License-Identifier: MIT
/*
 * x86 instruction decoder for MMIO emulation. Encodings: SDM 2A,
 * "Instruction Format for Protected Mode, Real-Address Mode, and Virtual-8086
 * Mode", "Instruction Prefixes", "ModR/M and SIB Bytes", "REX Prefixes";
 * the instructions: SDM 2A/2B, "MOV-Move", "MOVZX-Move With Zero-Extend",
 * "MOVSX/MOVSXD-Move With Sign-Extension".
 *
 * Only lengths and operand sizes are computed, never addresses: the VMM
 * already has the guest-physical address from the EPT violation.
 */
#include "vmm/emul/insn_decode.h"

#include "lib/xerrno.h"

/* REX prefix bits (SDM 2A, "REX Prefixes"). */
#define REX_W 0x08u
#define REX_R 0x04u

/* Legacy prefixes (SDM 2A, "Instruction Prefixes"). */
#define PFX_LOCK 0xf0
#define PFX_REPNE 0xf2
#define PFX_REP 0xf3
#define PFX_ES 0x26
#define PFX_CS 0x2e
#define PFX_SS 0x36
#define PFX_DS 0x3e
#define PFX_FS 0x64
#define PFX_GS 0x65
#define PFX_OPSIZE 0x66
#define PFX_ADDRSIZE 0x67

/* Opcodes handled here. */
#define OP_MOVSXD 0x63
#define OP_MOV_RM8_R8 0x88
#define OP_MOV_RM_R 0x89
#define OP_MOV_R8_RM8 0x8a
#define OP_MOV_R_RM 0x8b
#define OP_MOV_AL_MOFFS 0xa0
#define OP_MOV_EAX_MOFFS 0xa1
#define OP_MOV_MOFFS_AL 0xa2
#define OP_MOV_MOFFS_EAX 0xa3
#define OP_MOV_RM8_IMM8 0xc6
#define OP_MOV_RM_IMM 0xc7
#define OP_ESCAPE 0x0f
#define OP2_MOVZX_B 0xb6
#define OP2_MOVZX_W 0xb7
#define OP2_MOVSX_B 0xbe
#define OP2_MOVSX_W 0xbf

/* C6 F8 is XABORT, C7 F8 XBEGIN (SDM 2C, "XABORT", "XBEGIN"). */
#define MODRM_XABORT_XBEGIN 0xf8

struct insn_state {
	const uint8_t *bytes;
	size_t avail;
	enum insn_mode mode;
	unsigned pos;		/* next byte to decode */
	bool opsize;		/* 66 seen */
	bool addrsize;		/* 67 seen */
	bool lock;		/* F0 seen */
	uint8_t rex;		/* the REX prefix in effect (0x40..0x4f), else 0 */
};

/* Take the next byte; fails at the end of 'avail' or of the 15-byte limit. */
static int next_byte(struct insn_state *st, uint8_t *b)
{
	if (st->pos >= INSN_MAX_LEN || st->pos >= st->avail)
		return -XT_EINVAL;
	*b = st->bytes[st->pos++];
	return 0;
}

/* Is pos a complete instruction within both limits? */
static bool fits(const struct insn_state *st, unsigned pos)
{
	return pos <= INSN_MAX_LEN && pos <= st->avail;
}

/* Record a legacy prefix; false if b is not one. */
static bool legacy_prefix(struct insn_state *st, uint8_t b)
{
	switch (b) {
	case PFX_OPSIZE:
		st->opsize = true;
		return true;
	case PFX_ADDRSIZE:
		st->addrsize = true;
		return true;
	case PFX_LOCK:
		st->lock = true;
		return true;
	case PFX_REPNE:
	case PFX_REP:
	case PFX_ES:
	case PFX_CS:
	case PFX_SS:
	case PFX_DS:
	case PFX_FS:
	case PFX_GS:
		/* Segment: the VMM has the GPA. REP/REPNE: no meaning for MOV. */
		return true;
	default:
		return false;
	}
}

/*
 * Prefixes, then the opcode byte. A REX prefix counts only when it is the
 * last prefix: one followed by a legacy prefix or another REX is ignored
 * (SDM 2A, "REX Prefixes"). Outside 64-bit mode 40-4F are INC/DEC opcodes.
 * next_byte() bounds the loop at 15 bytes.
 */
static int read_opcode(struct insn_state *st, uint8_t *opcode)
{
	uint8_t b;
	int err;

	for (;;) {
		err = next_byte(st, &b);
		if (err)
			return err;
		if (st->mode == INSN_MODE_64 && (b & 0xf0) == 0x40) {
			st->rex = b;
			continue;
		}
		if (!legacy_prefix(st, b))
			break;
		st->rex = 0;
	}
	*opcode = b;
	return 0;
}

/*
 * Operand size: REX.W, then 66 toggles the mode default (SDM 1,
 * "Operand-Size and Address-Size Attributes"; SDM 2A, "REX Prefixes").
 */
static unsigned operand_size(const struct insn_state *st)
{
	if (st->rex & REX_W)
		return 8;
	if (st->mode == INSN_MODE_16)
		return st->opsize ? 4 : 2;
	return st->opsize ? 2 : 4;
}

/* Address size: 67 toggles the mode default (64-bit mode: 8 -> 4). */
static unsigned address_size(const struct insn_state *st)
{
	switch (st->mode) {
	case INSN_MODE_16:
		return st->addrsize ? 4 : 2;
	case INSN_MODE_32:
		return st->addrsize ? 2 : 4;
	default:
		return st->addrsize ? 4 : 8;
	}
}

/* Displacement bytes with 16-bit addressing (SDM 2A, Table 2-1). */
static unsigned disp_len16(unsigned mod, unsigned rm)
{
	if (mod == 1)
		return 1;
	if (mod == 2 || rm == 6)
		return 2;
	return 0;
}

/*
 * Displacement bytes with 32/64-bit addressing (SDM 2A, Tables 2-2 and 2-3):
 * mod 0 with r/m 5 is disp32 (RIP-relative in 64-bit mode), and so is a SIB
 * base of 5 with mod 0. REX.B does not change either rule, hence R13 and
 * RBP bases need a displacement and R12 and RSP bases a SIB byte.
 */
static unsigned disp_len32(unsigned mod, unsigned rm, uint8_t sib)
{
	if (mod == 1)
		return 1;
	if (mod == 2)
		return 4;
	if (rm == 5 || (rm == 4 && (sib & 7) == 5))
		return 4;
	return 0;
}

/* Skip the SIB and displacement that follow a ModRM byte with mod != 3. */
static int skip_mem_operand(struct insn_state *st, uint8_t modrm)
{
	unsigned mod = modrm >> 6, rm = modrm & 7;
	uint8_t sib = 0;
	int err;

	if (mod == 3)
		return -XT_EINVAL;	/* register operand: no memory access */
	if (address_size(st) == 2) {
		st->pos += disp_len16(mod, rm);
		return 0;
	}
	if (rm == 4) {
		err = next_byte(st, &sib);
		if (err)
			return err;
	}
	st->pos += disp_len32(mod, rm, sib);
	return 0;
}

/* ModRM byte and memory operand; *modrm gets the ModRM byte. */
static int read_modrm(struct insn_state *st, uint8_t *modrm)
{
	int err = next_byte(st, modrm);

	if (err)
		return err;
	return skip_mem_operand(st, *modrm);
}

/*
 * ModRM.reg extended by REX.R. With an 8-bit operand and no REX, 4..7 are
 * AH, CH, DH, BH, bits 15:8 of RAX..RBX; with any REX they are SPL, BPL,
 * SIL, DIL (SDM 2A, "Byte-Register Addressing in 64-Bit Mode").
 */
static void set_reg(const struct insn_state *st, struct insn_mmio *m, uint8_t modrm)
{
	unsigned reg = (modrm >> 3) & 7;

	m->reg_high8 = m->size == 1 && !st->rex && reg >= 4;
	if (m->reg_high8)
		m->reg = reg - 4;
	else
		m->reg = reg | ((st->rex & REX_R) ? 8 : 0);
}

/* Little-endian immediate of n bytes (1, 2 or 4), sign-extended to 64 bits. */
static int read_imm(struct insn_state *st, unsigned n, uint64_t *value)
{
	uint64_t v = 0, sign = 1ull << (n * 8 - 1);

	if (!fits(st, st->pos + n))
		return -XT_EINVAL;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)st->bytes[st->pos + i] << (i * 8);
	st->pos += n;
	*value = (v ^ sign) - sign;
	return 0;
}

/* 88, 89: MOV r/m, r; 8A, 8B: MOV r, r/m. */
static int decode_mov_modrm(struct insn_state *st, uint8_t op, struct insn_mmio *m)
{
	uint8_t modrm;
	int err = read_modrm(st, &modrm);

	if (err)
		return err;
	m->size = (op & 1) ? operand_size(st) : 1;
	m->dst_size = m->size;
	m->write = !(op & 2);
	set_reg(st, m, modrm);
	return 0;
}

/* C6 /0 ib: MOV r/m8, imm8; C7 /0 iw/id: MOV r/m, imm (REX.W: imm32 sign-extended). */
static int decode_mov_imm(struct insn_state *st, uint8_t op, struct insn_mmio *m)
{
	uint8_t modrm;
	int err = next_byte(st, &modrm);

	if (err)
		return err;
	if (modrm == MODRM_XABORT_XBEGIN)
		return -XT_ENOTSUP;
	if ((modrm >> 3) & 7)
		return -XT_EINVAL;	/* C6/C7 /1../7: #UD */
	err = skip_mem_operand(st, modrm);
	if (err)
		return err;
	m->size = op == OP_MOV_RM_IMM ? operand_size(st) : 1;
	m->dst_size = m->size;
	m->write = true;
	m->imm = true;
	return read_imm(st, m->size == 8 ? 4 : m->size, &m->imm_value);
}

/*
 * A0-A3: MOV AL/eAX, moffs and back. The offset has the address size
 * (8 bytes in 64-bit mode, 4 with 67), SDM 2A, "MOV-Move", note on moffs.
 */
static int decode_mov_moffs(struct insn_state *st, uint8_t op, struct insn_mmio *m)
{
	st->pos += address_size(st);
	m->size = (op & 1) ? operand_size(st) : 1;
	m->dst_size = m->size;
	m->write = (op & 2) != 0;
	m->reg = 0;
	return 0;
}

/* 0F B6/B7: MOVZX; 0F BE/BF: MOVSX. Source 1 or 2 bytes, never a high8 destination. */
static int decode_movx(struct insn_state *st, uint8_t op2, struct insn_mmio *m)
{
	uint8_t modrm;
	int err = read_modrm(st, &modrm);

	if (err)
		return err;
	m->size = (op2 & 1) ? 2 : 1;
	m->dst_size = operand_size(st);
	m->sign_extend = op2 == OP2_MOVSX_B || op2 == OP2_MOVSX_W;
	m->reg = ((modrm >> 3) & 7) | ((st->rex & REX_R) ? 8 : 0);
	return 0;
}

/* REX.W 63: MOVSXD r64, r/m32. */
static int decode_movsxd(struct insn_state *st, struct insn_mmio *m)
{
	uint8_t modrm;
	int err = read_modrm(st, &modrm);

	if (err)
		return err;
	m->size = 4;
	m->dst_size = 8;
	m->sign_extend = true;
	m->reg = ((modrm >> 3) & 7) | ((st->rex & REX_R) ? 8 : 0);
	return 0;
}

/* Two-byte opcodes (0F xx). */
static int decode_0f(struct insn_state *st, struct insn_mmio *m)
{
	uint8_t op2;
	int err = next_byte(st, &op2);

	if (err)
		return err;
	switch (op2) {
	case OP2_MOVZX_B:
	case OP2_MOVZX_W:
	case OP2_MOVSX_B:
	case OP2_MOVSX_W:
		return decode_movx(st, op2, m);
	default:
		return -XT_ENOTSUP;
	}
}

static int decode_opcode(struct insn_state *st, uint8_t op, struct insn_mmio *m)
{
	switch (op) {
	case OP_MOV_RM8_R8:
	case OP_MOV_RM_R:
	case OP_MOV_R8_RM8:
	case OP_MOV_R_RM:
		return decode_mov_modrm(st, op, m);
	case OP_MOV_RM8_IMM8:
	case OP_MOV_RM_IMM:
		return decode_mov_imm(st, op, m);
	case OP_MOV_AL_MOFFS:
	case OP_MOV_EAX_MOFFS:
	case OP_MOV_MOFFS_AL:
	case OP_MOV_MOFFS_EAX:
		return decode_mov_moffs(st, op, m);
	case OP_MOVSXD:
		/* Outside 64-bit mode ARPL; without REX.W MOVSXD r32/r16 (not emulated). */
		if (st->mode != INSN_MODE_64 || !(st->rex & REX_W))
			return -XT_ENOTSUP;
		return decode_movsxd(st, m);
	case OP_ESCAPE:
		return decode_0f(st, m);
	default:
		return -XT_ENOTSUP;
	}
}

int insn_decode_mmio(const uint8_t *bytes, size_t avail, enum insn_mode mode,
		     struct insn_mmio *out)
{
	struct insn_state st = { .bytes = bytes, .avail = avail, .mode = mode };
	struct insn_mmio m = { 0 };
	uint8_t op;
	int err;

	if (!out || (!bytes && avail) ||
	    (mode != INSN_MODE_16 && mode != INSN_MODE_32 && mode != INSN_MODE_64))
		return -XT_EINVAL;
	err = read_opcode(&st, &op);
	if (err)
		return err;
	err = decode_opcode(&st, op, &m);
	if (err)
		return err;
	/* LOCK with MOV is #UD (SDM 2A, "LOCK-Assert LOCK# Signal Prefix"). */
	if (st.lock || !fits(&st, st.pos))
		return -XT_EINVAL;
	m.len = st.pos;
	*out = m;
	return 0;
}

/* Low 'size' bytes of v; any other size keeps all 64 bits. */
static uint64_t truncate_to(uint64_t v, unsigned size)
{
	switch (size) {
	case 1:
		return v & 0xffu;
	case 2:
		return v & 0xffffu;
	case 4:
		return v & 0xffffffffu;
	default:
		return v;
	}
}

static uint64_t sign_extend_from(uint64_t v, unsigned size)
{
	uint64_t sign;

	if (size != 1 && size != 2 && size != 4)
		return v;
	sign = 1ull << (size * 8 - 1);
	return (truncate_to(v, size) ^ sign) - sign;
}

uint64_t insn_store_value(const struct insn_mmio *in, uint64_t reg_value)
{
	uint64_t v = reg_value;

	if (in->imm)
		v = in->imm_value;
	else if (in->reg_high8)
		v = reg_value >> 8;
	return truncate_to(v, in->size);
}

uint64_t insn_load_result(const struct insn_mmio *in, uint64_t old_reg, uint64_t mem_value)
{
	uint64_t v = truncate_to(mem_value, in->size);

	if (in->sign_extend)
		v = sign_extend_from(v, in->size);
	if (in->reg_high8)
		return (old_reg & ~0xff00ull) | ((v & 0xffu) << 8);
	switch (in->dst_size) {
	case 1:
		return (old_reg & ~0xffull) | (v & 0xffu);
	case 2:
		return (old_reg & ~0xffffull) | (v & 0xffffu);
	case 4:
		return v & 0xffffffffu;	/* 32-bit results zero-extend to 64 */
	default:
		return v;
	}
}

#define FORMAT_MAX_BYTES 4096u

int insn_format_bytes(const uint8_t *bytes, size_t n, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t pos = 0;

	if (n > FORMAT_MAX_BYTES || (n && !bytes) || (size && !buf))
		return -XT_EINVAL;
	for (size_t i = 0; i < n; i++) {
		size_t need = i ? 3 : 2;

		if (pos + need >= size)
			break;
		if (i)
			buf[pos++] = ' ';
		buf[pos++] = hex[bytes[i] >> 4];
		buf[pos++] = hex[bytes[i] & 0xf];
	}
	if (size)
		buf[pos] = '\0';
	return n ? (int)(3 * n - 1) : 0;
}
