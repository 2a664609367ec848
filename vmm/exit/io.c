/* SPDX-License-Identifier: MIT */
/*
 * Port I/O exits (SDM 3C, "Exit Qualification for I/O Instructions"). Every
 * port exits; the access goes to the guest's I/O bus (vmm/io/bus.h), where
 * unclaimed ports read as all-ones (an empty ISA bus) and are counted.
 */
#include "lib/xerrno.h"
#include "vmm/core/console.h"
#include "vmm/exit/exit.h"
#include "vmm/emul/gpt_walk.h"
#include "vmm/guest/guest.h"
#include "vmm/io/bus.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"

/* Iterations of a REP string instruction done per exit; the rest restart
 * the instruction, so a huge RCX never monopolises the CPU. */
#define IO_STRING_BATCH 1024

static uint32_t size_mask(unsigned size)
{
	return size == 4 ? 0xffffffffU : (1U << (size * 8)) - 1;
}

static uint32_t io_in(struct guest *g, uint16_t port, unsigned size)
{
	uint64_t val;

	io_read(g, IO_SPACE_PORT, port, size, &val);
	return (uint32_t)val;
}

static void io_out(struct guest *g, uint16_t port, unsigned size, uint32_t val)
{
	io_write(g, IO_SPACE_PORT, port, size, val);
}

/* A memory operand the walker could not reach: #PF or #GP in the guest, or
 * the guest stopped if its page tables point outside its RAM, or a write
 * where it may only read could not get its own copy of the page (as an EPT
 * violation the VMM cannot resolve, vmm/exit/ept.c). */
static enum exit_result guest_memory_fault(struct vcpu *v, int err, uint32_t pf_error,
					   uint64_t gva)
{
	if (err == -XT_EFAULT) {
		v->regs.cr2 = gva;
		vcpu_inject_exception(v, X86_EXC_PF, true, pf_error);
		return EXIT_RESUME;
	}
	if (err == -XT_EINVAL) {
		vcpu_inject_exception(v, X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	if (err == -XT_EPERM) {
		guest_stop(v->guest, GUEST_EPT_VIOLATION,
			   "string I/O writes where it may only read (linear address 0x%llx)",
			   (unsigned long long)gva);
		return EXIT_YIELD;
	}
	guest_stop(v->guest, GUEST_BAD_STATE,
		   "string I/O through page tables outside its RAM (linear address 0x%llx)",
		   (unsigned long long)gva);
	return EXIT_YIELD;
}

/* INS/OUTS, with or without REP (SDM 2B, "INS/INSB/INSW/INSD" and "OUTS").
 * The VMCS gives the linear address of the first element. */
static enum exit_result io_string(struct vcpu *v, uint16_t port, unsigned size, bool in, bool rep)
{
	unsigned asz = EXIT_INSN_INFO_ADDR_SIZE(vmread(VMCS_EXIT_INSTRUCTION_INFO));
	uint64_t amask = asz == 0 ? 0xffff : asz == 1 ? 0xffffffffULL : ~0ULL;
	uint64_t la = vmread(VMCS_GUEST_LINEAR_ADDRESS);
	unsigned idx = in ? REG_RDI : REG_RSI;
	uint64_t count = rep ? v->regs.gpr[REG_RCX] & amask : 1;
	int64_t step = (vmread(VMCS_GUEST_RFLAGS) & X86_RFLAGS_DF) ? -(int64_t)size : (int64_t)size;
	unsigned access = vcpu_cpl(v) == 3 ? GPT_ACCESS_USER : 0;
	struct gpt_mode mode;
	uint32_t pf_error;
	uint64_t fault;

	exit_paging_mode(&mode);
	for (unsigned n = 0; count && n < IO_STRING_BATCH; n++) {
		uint32_t val = 0;
		int err;

		if (in) {
			val = io_in(v->guest, port, size);
			err = gpt_write(&mode, vmx_caps.maxphyaddr, la, &val, size,
					access | GPT_ACCESS_WRITE, gmem_cpu_map, &v->guest->mem,
					&pf_error, &fault);
		} else {
			err = gpt_read(&mode, vmx_caps.maxphyaddr, la, &val, size, access,
				       gmem_cpu_map, &v->guest->mem, &pf_error, &fault);
			if (!err)
				io_out(v->guest, port, size, val);
		}
		if (err)
			return guest_memory_fault(v, err, pf_error, fault);
		la += (uint64_t)step;
		v->regs.gpr[idx] = (v->regs.gpr[idx] & ~amask) |
				   ((v->regs.gpr[idx] + (uint64_t)step) & amask);
		count--;
		if (rep)
			v->regs.gpr[REG_RCX] = (v->regs.gpr[REG_RCX] & ~amask) | count;
	}
	if (!count)
		vcpu_skip_insn(v);
	return EXIT_RESUME;
}

enum exit_result handle_io(struct vcpu *v)
{
	uint64_t q = v->exit_qual;
	uint16_t port = (uint16_t)EXIT_QUAL_IO_PORT(q);
	unsigned size = (unsigned)EXIT_QUAL_IO_SIZE(q);
	bool in = q & EXIT_QUAL_IO_IN;
	uint64_t *rax = &v->regs.gpr[REG_RAX];

	if (q & EXIT_QUAL_IO_STRING)
		return io_string(v, port, size, in, q & EXIT_QUAL_IO_REP);
	if (in) {
		uint32_t val = io_in(v->guest, port, size);

		/* A 32-bit destination zero-extends into RAX; 8/16 keep the rest. */
		*rax = size == 4 ? val : (*rax & ~(uint64_t)size_mask(size)) | val;
	} else {
		io_out(v->guest, port, size, (uint32_t)*rax);
	}
	vcpu_skip_insn(v);
	return EXIT_RESUME;
}
