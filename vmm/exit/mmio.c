/* SPDX-License-Identifier: MIT */
/*
 * Emulated MMIO (SDM 3C, "EPT Violations"): device ranges are not mapped in
 * the guest's EPT, so an access there exits. The VMM fetches and decodes the
 * instruction (vmm/emul/insn_decode.c), passes a plain request to the guest's
 * I/O bus (vmm/io/bus.h) and completes the instruction.
 */
#include "vmm/exit/exit.h"

#include "lib/xerrno.h"
#include "vmm/core/console.h"
#include "vmm/emul/gpt_walk.h"
#include "vmm/guest/guest.h"
#include "vmm/io/bus.h"
#include "vmm/emul/insn_decode.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"

#define INSN_MAX 15
#define FETCH_PAGE 4096U

static enum insn_mode cpu_mode(void)
{
	uint64_t ar = vmread(VMCS_GUEST_CS_AR);

	if ((vmread(VMCS_GUEST_IA32_EFER) & X86_EFER_LMA) && (ar & VMX_AR_L))
		return INSN_MODE_64;
	return (ar & VMX_AR_DB) ? INSN_MODE_32 : INSN_MODE_16;
}

/* Read up to 15 instruction bytes at CS:RIP; fewer if the next page is not
 * mapped (the decoder then reports a truncated instruction). */
static unsigned fetch_insn(struct vcpu *v, uint8_t *buf)
{
	struct gpt_mode m;
	uint64_t la = vmread(VMCS_GUEST_CS_BASE) + vmread(VMCS_GUEST_RIP);
	unsigned access = GPT_ACCESS_FETCH | (vcpu_cpl(v) == 3 ? GPT_ACCESS_USER : 0);
	unsigned n = INSN_MAX, first = (unsigned)(FETCH_PAGE - (la & (FETCH_PAGE - 1)));
	uint32_t pf;
	uint64_t fault;

	exit_paging_mode(&m);
	if (!gpt_read(&m, vmx_caps.maxphyaddr, la, buf, n, access, gmem_cpu_map, &v->guest->mem, &pf,
		      &fault))
		return n;
	if (first < n && !gpt_read(&m, vmx_caps.maxphyaddr, la, buf, first, access, gmem_cpu_map,
				   &v->guest->mem, &pf, &fault))
		return first;
	return 0;
}

static enum exit_result bad_insn(struct vcpu *v, const uint8_t *bytes, unsigned n,
				 uint64_t gpa, const char *why)
{
	char hex[3 * INSN_MAX + 1];

	insn_format_bytes(bytes, n, hex, sizeof(hex));
	guest_stop(v->guest, GUEST_BAD_STATE, "MMIO access at GPA 0x%llx by %s instruction [%s] at RIP 0x%llx",
		   (unsigned long long)gpa, why, hex, (unsigned long long)vmread(VMCS_GUEST_RIP));
	return EXIT_YIELD;
}

/* Only MOV forms are decoded (vmm/emul/insn_decode.c): MOVS/STOS to or from MMIO
 * stop the guest as unsupported. Were they emulated, their RAM operand would
 * be a write the CPU makes for the guest: gmem_write with GMEM_WRITE, as INS
 * in vmm/exit/io.c, never a plain pointer. */
enum exit_result mmio_emulate(struct vcpu *v, const struct io_range *r, uint64_t gpa, bool write)
{
	struct guest *g = v->guest;
	uint8_t bytes[INSN_MAX];
	unsigned n = fetch_insn(v, bytes);
	struct insn_mmio in;
	uint64_t val;
	int rc;

	rc = insn_decode_mmio(bytes, n, cpu_mode(), &in);
	if (rc)
		return bad_insn(v, bytes, n, gpa, rc == -XT_ENOTSUP ? "an unsupported" : "an invalid");
	/* The decoded direction must be the one the CPU reported. */
	if (in.write != write)
		return bad_insn(v, bytes, in.len, gpa, "a mismatching");
	if (r && gpa - r->base + in.size > r->size)
		return bad_insn(v, bytes, in.len, gpa, "a region-crossing");
	g->stats.mmio_accesses++;
	if (in.write) {
		io_range_write(g, r, IO_SPACE_MMIO, gpa, in.size,
			       insn_store_value(&in, vcpu_gpr_read(v, in.reg)));
	} else {
		io_range_read(g, r, IO_SPACE_MMIO, gpa, in.size, &val);
		vcpu_gpr_write(v, in.reg, insn_load_result(&in, vcpu_gpr_read(v, in.reg), val));
	}
	vcpu_advance_rip(v, in.len);
	return EXIT_RESUME;
}
