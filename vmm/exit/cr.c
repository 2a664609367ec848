/* SPDX-License-Identifier: MIT */
/*
 * Control-register exits (SDM 3C, "Exit Qualification for Control-Register
 * Accesses"). The guest owns CR0/CR4 except the bits in the guest/host masks:
 * bits VMX fixes (CR0.NE, CR4.VMXE...) and features hidden from its CPUID.
 * Writes touching those bits exit here; the guest's value goes to the read
 * shadow, the CPU runs with the value VMX requires.
 */
#include "vmm/core/console.h"
#include "vmm/exit/exit.h"
#include "vmm/guest/guest.h"
#include "vmm/arch/vmcs.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"

#define CR4_HIDDEN (X86_CR4_VMXE | X86_CR4_SMXE | X86_CR4_OSXSAVE | X86_CR4_PKE | X86_CR4_CET | X86_CR4_PKS)

/* PAE paging outside long mode: with EPT the CPU takes the four PDPTEs from
 * the VMCS at VM entry (SDM 3C, "Loading Page-Directory-Pointer-Table
 * Entries"), so a mode switch done by the VMM must load them. */
static bool load_pdptes(struct vcpu *v, uint64_t cr0, uint64_t cr4, uint64_t efer)
{
	const uint64_t *pdpte;

	if (!(cr0 & X86_CR0_PG) || !(cr4 & X86_CR4_PAE) || (efer & X86_EFER_LMA))
		return true;
	pdpte = guest_ram_ptr(v->guest, vmread(VMCS_GUEST_CR3) & 0xffffffe0ULL, 32, GMEM_READ);
	if (!pdpte)
		return false;
	for (unsigned i = 0; i < 4; i++)
		vmwrite(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	return true;
}

static bool set_cr0(struct vcpu *v, uint64_t val)
{
	uint64_t old = vmread(VMCS_CR0_READ_SHADOW), efer = vmread(VMCS_GUEST_IA32_EFER);
	uint64_t entry = vmread(VMCS_ENTRY_CTLS);

	if ((val >> 32) || ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(val & X86_CR0_PE)))
		return false;
	if (!vmx_caps.unrestricted_guest && (~val & (X86_CR0_PE | X86_CR0_PG))) {
		guest_stop(v->guest, GUEST_BAD_STATE,
			   "turned paging or protection off (CR0 0x%llx); this CPU lacks unrestricted guest",
			   (unsigned long long)val);
		return true;
	}
	/* SDM 3A, "IA-32e Mode Operation": PG with LME activates long mode. */
	if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & X86_EFER_LME)) {
		if (!(vmread(VMCS_CR4_READ_SHADOW) & X86_CR4_PAE))
			return false;
		efer |= X86_EFER_LMA;
		entry |= VM_ENTRY_IA32E_MODE;
	} else if (!(val & X86_CR0_PG) && (old & X86_CR0_PG) && (efer & X86_EFER_LMA)) {
		if (vmread(VMCS_GUEST_CS_AR) & VMX_AR_L)
			return false; /* only from compatibility mode */
		efer &= ~X86_EFER_LMA;
		entry &= ~(uint64_t)VM_ENTRY_IA32E_MODE;
	}
	vmwrite(VMCS_GUEST_IA32_EFER, efer);
	vmwrite(VMCS_ENTRY_CTLS, entry);
	vmwrite(VMCS_CR0_READ_SHADOW, val);
	vmwrite(VMCS_GUEST_CR0, vmcs_cr0_real(val));
	return load_pdptes(v, val, vmread(VMCS_CR4_READ_SHADOW), efer);
}

static bool set_cr4(struct vcpu *v, uint64_t val)
{
	uint64_t old = vmread(VMCS_CR4_READ_SHADOW), efer = vmread(VMCS_GUEST_IA32_EFER);

	if ((val >> 32) || (val & CR4_HIDDEN) || (val & ~vmx_caps.cr4_fixed1))
		return false;
	if ((efer & X86_EFER_LMA) && (!(val & X86_CR4_PAE) || ((val ^ old) & X86_CR4_LA57)))
		return false;
	if ((val & X86_CR4_PCIDE) && !(old & X86_CR4_PCIDE) &&
	    (!(efer & X86_EFER_LMA) || (vmread(VMCS_GUEST_CR3) & 0xfff)))
		return false;
	vmwrite(VMCS_CR4_READ_SHADOW, val);
	vmwrite(VMCS_GUEST_CR4, vmcs_cr4_real(val));
	return load_pdptes(v, vmread(VMCS_CR0_READ_SHADOW), val, efer);
}

static bool mov_to_cr(struct vcpu *v, unsigned cr, uint64_t val)
{
	switch (cr) {
	case 0:
		return set_cr0(v, val);
	case 4:
		return set_cr4(v, val);
	default:
		/* CR3 and CR8 accesses do not exit with xtalk's controls. */
		guest_stop(v->guest, GUEST_BAD_EXIT, "unexpected write to CR%u", cr);
		return true;
	}
}

enum exit_result handle_cr_access(struct vcpu *v)
{
	uint64_t q = v->exit_qual, cr0;
	unsigned cr = EXIT_QUAL_CR_NUM(q);
	bool ok;

	switch (EXIT_QUAL_CR_TYPE(q)) {
	case CR_ACCESS_MOV_TO_CR:
		ok = mov_to_cr(v, cr, vcpu_gpr_read(v, EXIT_QUAL_CR_GPR(q)));
		break;
	case CR_ACCESS_CLTS:
		cr0 = vmread(VMCS_CR0_READ_SHADOW) & ~X86_CR0_TS;
		ok = set_cr0(v, cr0);
		break;
	case CR_ACCESS_LMSW:
		/* LMSW loads CR0[3:0] but cannot clear PE. */
		cr0 = vmread(VMCS_CR0_READ_SHADOW);
		ok = set_cr0(v, (cr0 & ~0xeULL) | (EXIT_QUAL_CR_LMSW_DATA(q) & 0xf));
		break;
	default:
		guest_stop(v->guest, GUEST_BAD_EXIT, "unexpected read of CR%u", cr);
		return EXIT_YIELD;
	}
	if (v->state == VCPU_STOPPED)
		return EXIT_YIELD;
	if (!ok) {
		vcpu_inject_exception(v, X86_EXC_GP, true, 0);
		return EXIT_RESUME;
	}
	vcpu_skip_insn(v);
	return EXIT_RESUME;
}
