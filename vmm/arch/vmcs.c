/* SPDX-License-Identifier: MIT */
/*
 * VMCS setup, split as the SDM splits the VMCS: execution controls, exit and
 * entry controls, host-state area, guest-state area (SDM 3C, "Organization
 * of VMCS Data").
 */
#include "vmm/arch/vmcs.h"

#include <string.h>

#include "lib/xerrno.h"
#include "vmm/core/console.h"
#include "vmm/arch/cpu.h"
#include "vmm/emul/guest_layout.h"
#include "vmm/arch/msr.h"
#include "vmm/emul/msr_policy.h"
#include "vmm/core/palloc.h"
#include "vmm/arch/vmx_caps.h"
#include "vmm/arch/x86.h"

#define MSR_BITMAP_READ_LOW 0x000
#define MSR_BITMAP_READ_HIGH 0x400
#define MSR_BITMAP_WRITE_LOW 0x800
#define MSR_BITMAP_WRITE_HIGH 0xc00
#define MSR_HIGH_BASE 0xc0000000U

#define AR_TSS_BUSY64 (0xbU | VMX_AR_P)

static int vmcs_errors;

static void w(uint64_t field, uint64_t value)
{
	if (vmwrite(field, value)) {
		xt_err("VMWRITE of field 0x%llx failed (VM-instruction error %llu)",
		       (unsigned long long)field,
		       (unsigned long long)vmread(VMCS_VM_INSTRUCTION_ERROR));
		vmcs_errors++;
	}
}

uint64_t vmcs_cr0_guest_host_mask(void)
{
	uint64_t m = (vmx_caps.cr0_fixed0 | ~vmx_caps.cr0_fixed1) & 0xffffffffULL;

	if (vmx_caps.unrestricted_guest)
		m &= ~(X86_CR0_PE | X86_CR0_PG);
	return m;
}

uint64_t vmcs_cr4_guest_host_mask(void)
{
	/* Fixed bits, plus features the guest's CPUID does not offer. */
	return ((vmx_caps.cr4_fixed0 | ~vmx_caps.cr4_fixed1) & 0xffffffffULL) | X86_CR4_VMXE |
	       X86_CR4_SMXE | X86_CR4_OSXSAVE | X86_CR4_PKE | X86_CR4_LA57 | X86_CR4_CET |
	       X86_CR4_PKS;
}

uint64_t vmcs_cr0_real(uint64_t guest_cr0)
{
	uint64_t fixed0 = vmx_caps.cr0_fixed0;

	if (vmx_caps.unrestricted_guest)
		fixed0 &= ~(X86_CR0_PE | X86_CR0_PG);
	return (guest_cr0 | fixed0) & vmx_caps.cr0_fixed1;
}

uint64_t vmcs_cr4_real(uint64_t guest_cr4)
{
	return (guest_cr4 | vmx_caps.cr4_fixed0 | X86_CR4_VMXE) & vmx_caps.cr4_fixed1;
}

static void msr_passthrough(uint8_t *bitmap, uint32_t msr, bool read, bool write)
{
	unsigned off = msr >= MSR_HIGH_BASE ? msr - MSR_HIGH_BASE : msr;
	unsigned rbase = msr >= MSR_HIGH_BASE ? MSR_BITMAP_READ_HIGH : MSR_BITMAP_READ_LOW;
	unsigned wbase = msr >= MSR_HIGH_BASE ? MSR_BITMAP_WRITE_HIGH : MSR_BITMAP_WRITE_LOW;

	if (read)
		bitmap[rbase + off / 8] &= (uint8_t)~(1U << (off % 8));
	if (write)
		bitmap[wbase + off / 8] &= (uint8_t)~(1U << (off % 8));
}

/* Every MSR exits except the policy's pass-through rows (vmm/emul/msr_policy.c):
 * those the VMCS or the vCPU switch keeps per guest, and reads of the TSC. */
static void fill_msr_bitmap(uint8_t *bitmap)
{
	memset(bitmap, 0xff, PAGE_SIZE);
	for (size_t i = 0; i < msr_passed_count; i++)
		msr_passthrough(bitmap, msr_passed[i].msr, true, msr_passed[i].write);
}

/* One APIC-access page for every vCPU: what it holds is never used, only
 * its address (SDM 3C, "Virtualizing Memory-Mapped APIC Accesses"). */
static uint64_t apic_access_hpa(void)
{
	static void *page;

	if (!page)
		page = page_alloc();
	return page ? virt_to_phys(page) : 0;
}

static int alloc_bitmaps(struct vcpu *v)
{
	v->msr_bitmap = page_alloc();
	v->io_bitmap_a = page_alloc();
	v->io_bitmap_b = page_alloc();
	if (!v->msr_bitmap || !v->io_bitmap_a || !v->io_bitmap_b)
		return -XT_ENOMEM;
	fill_msr_bitmap(v->msr_bitmap);
	if (vmx_caps.apicv) {
		v->vapic = page_alloc();
		if (!v->vapic || !apic_access_hpa())
			return -XT_ENOMEM;
		v->vapic_hpa = virt_to_phys(v->vapic);
	}
	/* Every port exits: devices are emulated or read as all-ones. */
	memset(v->io_bitmap_a, 0xff, PAGE_SIZE);
	memset(v->io_bitmap_b, 0xff, PAGE_SIZE);
	return 0;
}

/* SDM 3C, "VM-Execution Control Fields" */
static void setup_execution_controls(struct vcpu *v, uint64_t eptp)
{
	w(VMCS_PIN_BASED_CTLS, vmx_caps.pin);
	v->proc_ctls = vmx_caps.proc;
	w(VMCS_PROC_BASED_CTLS, vmx_caps.proc);
	w(VMCS_PROC_BASED_CTLS2, vmx_caps.proc2);
	w(VMCS_EXCEPTION_BITMAP, 0);
	w(VMCS_PF_ERROR_CODE_MASK, 0);
	w(VMCS_PF_ERROR_CODE_MATCH, 0);
	w(VMCS_CR3_TARGET_COUNT, 0);
	w(VMCS_IO_BITMAP_A, virt_to_phys(v->io_bitmap_a));
	w(VMCS_IO_BITMAP_B, virt_to_phys(v->io_bitmap_b));
	w(VMCS_MSR_BITMAP, virt_to_phys(v->msr_bitmap));
	w(VMCS_TSC_OFFSET, 0);
	w(VMCS_EPT_POINTER, eptp);
	w(VMCS_CR0_GUEST_HOST_MASK, vmcs_cr0_guest_host_mask());
	w(VMCS_CR4_GUEST_HOST_MASK, vmcs_cr4_guest_host_mask());
	if (v->vapic) {
		w(VMCS_VIRTUAL_APIC_PAGE_ADDR, v->vapic_hpa);
		w(VMCS_APIC_ACCESS_ADDR, apic_access_hpa());
		w(VMCS_TPR_THRESHOLD, 0);	/* not used with virtual-interrupt delivery */
	}
}

/* The virtual APIC as at power-on: nothing pending, in service or EOI-exiting;
 * every register exported before the first entry (vmm/guest/apicv.c). */
static void reset_virtual_apic(struct vcpu *v)
{
	if (!v->vapic)
		return;
	w(VMCS_GUEST_INTR_STATUS, 0);
	for (unsigned i = 0; i < 4; i++)
		w(VMCS_EOI_EXIT_BITMAP0 + 2 * i, 0);
	v->intr_status = 0;
	memset(v->eoi_exit, 0, sizeof(v->eoi_exit));
	memset(v->vapic_irr, 0, sizeof(v->vapic_irr));
	v->vapic_tpr = 0;
	v->vapic_full = true;
}

uint64_t vmcs_apic_access_hpa(void)
{
	return apic_access_hpa();
}

/* SDM 3C, "VM-Exit Control Fields" and "VM-Entry Control Fields" */
static void setup_exit_entry_controls(const struct guest_entry_state *st)
{
	w(VMCS_EXIT_CTLS, vmx_caps.exit);
	w(VMCS_EXIT_MSR_STORE_COUNT, 0);
	w(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	w(VMCS_ENTRY_CTLS, vmx_caps.entry | ((st->efer & X86_EFER_LMA) ? VM_ENTRY_IA32E_MODE : 0));
	w(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	w(VMCS_ENTRY_INTR_INFO, 0);
}

/* SDM 3C, "Host-State Area": what a VM exit loads. */
static void setup_host_state(void)
{
	w(VMCS_HOST_CR0, read_cr0());
	w(VMCS_HOST_CR3, read_cr3());
	w(VMCS_HOST_CR4, read_cr4());
	w(VMCS_HOST_CS_SELECTOR, HOST_CS);
	w(VMCS_HOST_SS_SELECTOR, HOST_DS);
	w(VMCS_HOST_DS_SELECTOR, HOST_DS);
	w(VMCS_HOST_ES_SELECTOR, HOST_DS);
	w(VMCS_HOST_FS_SELECTOR, HOST_DS);
	w(VMCS_HOST_GS_SELECTOR, HOST_DS);
	w(VMCS_HOST_TR_SELECTOR, HOST_TR);
	w(VMCS_HOST_FS_BASE, 0);
	w(VMCS_HOST_GS_BASE, 0);
	w(VMCS_HOST_TR_BASE, host_cpu.tss_base);
	w(VMCS_HOST_GDTR_BASE, host_cpu.gdt_base);
	w(VMCS_HOST_IDTR_BASE, host_cpu.idt_base);
	w(VMCS_HOST_IA32_SYSENTER_CS, 0);
	w(VMCS_HOST_IA32_SYSENTER_ESP, 0);
	w(VMCS_HOST_IA32_SYSENTER_EIP, 0);
	w(VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	if (vmx_caps.exit & VM_EXIT_LOAD_IA32_PAT)
		w(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	w(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_entry);
}

static void setup_segment(uint64_t sel_field, uint16_t sel, uint32_t ar)
{
	/* Selector, limit, AR and base fields are laid out in parallel. */
	unsigned idx = (unsigned)(sel_field - VMCS_GUEST_ES_SELECTOR);

	w(sel_field, sel);
	w(VMCS_GUEST_ES_LIMIT + idx, 0xffffffff);
	w(VMCS_GUEST_ES_AR + idx, ar);
	w(VMCS_GUEST_ES_BASE + idx, 0);
}

/* SDM 3C, "Guest-State Area": the guest's first instruction runs with this. */
static void setup_guest_state(const struct guest_entry_state *st)
{
	w(VMCS_GUEST_CR0, vmcs_cr0_real(st->cr0));
	w(VMCS_CR0_READ_SHADOW, st->cr0);
	w(VMCS_GUEST_CR3, st->cr3);
	w(VMCS_GUEST_CR4, vmcs_cr4_real(st->cr4));
	w(VMCS_CR4_READ_SHADOW, st->cr4);
	w(VMCS_GUEST_DR7, 0x400);
	w(VMCS_GUEST_RSP, st->rsp);
	w(VMCS_GUEST_RIP, st->rip);
	w(VMCS_GUEST_RFLAGS, st->rflags);
	setup_segment(VMCS_GUEST_CS_SELECTOR, st->cs, GUEST_CS_ACCESS_RIGHTS);
	setup_segment(VMCS_GUEST_DS_SELECTOR, st->ds, GUEST_DS_ACCESS_RIGHTS);
	setup_segment(VMCS_GUEST_ES_SELECTOR, st->ds, GUEST_DS_ACCESS_RIGHTS);
	setup_segment(VMCS_GUEST_SS_SELECTOR, st->ds, GUEST_DS_ACCESS_RIGHTS);
	setup_segment(VMCS_GUEST_FS_SELECTOR, st->ds, GUEST_DS_ACCESS_RIGHTS);
	setup_segment(VMCS_GUEST_GS_SELECTOR, st->ds, GUEST_DS_ACCESS_RIGHTS);
	w(VMCS_GUEST_LDTR_SELECTOR, 0);
	w(VMCS_GUEST_LDTR_LIMIT, 0);
	w(VMCS_GUEST_LDTR_AR, VMX_AR_UNUSABLE);
	w(VMCS_GUEST_LDTR_BASE, 0);
	/* VM entry requires a usable busy TSS even if the guest never loads one. */
	w(VMCS_GUEST_TR_SELECTOR, 0);
	w(VMCS_GUEST_TR_LIMIT, 0x67);
	w(VMCS_GUEST_TR_AR, AR_TSS_BUSY64);
	w(VMCS_GUEST_TR_BASE, 0);
	w(VMCS_GUEST_GDTR_BASE, st->gdt_base);
	w(VMCS_GUEST_GDTR_LIMIT, st->gdt_limit);
	w(VMCS_GUEST_IDTR_BASE, st->idt_base);
	w(VMCS_GUEST_IDTR_LIMIT, st->idt_limit);
	w(VMCS_GUEST_IA32_EFER, st->efer);
	if (vmx_caps.entry & VM_ENTRY_LOAD_IA32_PAT)
		w(VMCS_GUEST_IA32_PAT, GUEST_PAT_DEFAULT);
	w(VMCS_GUEST_IA32_DEBUGCTL, 0);
	w(VMCS_GUEST_SYSENTER_CS, 0);
	w(VMCS_GUEST_SYSENTER_ESP, 0);
	w(VMCS_GUEST_SYSENTER_EIP, 0);
	w(VMCS_GUEST_INTERRUPTIBILITY, 0);
	w(VMCS_GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	w(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	w(VMCS_LINK_POINTER, ~0ULL);
	w(VMCS_PREEMPTION_TIMER_VALUE, 0);
}

int vmcs_reset_guest(struct vcpu *v, const struct guest_entry_state *st)
{
	vmcs_errors = 0;
	v->proc_ctls = vmx_caps.proc;
	w(VMCS_PROC_BASED_CTLS, vmx_caps.proc);
	w(VMCS_TSC_OFFSET, 0);
	setup_exit_entry_controls(st);
	setup_guest_state(st);
	reset_virtual_apic(v);
	return vmcs_errors ? -XT_EIO : 0;
}

int vmcs_load(struct vcpu *v)
{
	return vmx_ptrld(v->vmcs_hpa) ? -XT_EIO : 0;
}

int vmcs_create(struct vcpu *v, const struct guest_entry_state *st, uint64_t eptp)
{
	int err;

	v->vmcs = page_alloc();
	if (!v->vmcs)
		return -XT_ENOMEM;
	err = alloc_bitmaps(v);
	if (err)
		return err;
	v->vmcs_hpa = virt_to_phys(v->vmcs);
	*(uint32_t *)v->vmcs = vmx_caps.revision;
	if (vmx_clear(v->vmcs_hpa) || vmcs_load(v))
		return -XT_EIO;
	vmcs_errors = 0;
	setup_execution_controls(v, eptp);
	setup_exit_entry_controls(st);
	setup_host_state();
	setup_guest_state(st);
	reset_virtual_apic(v);
	return vmcs_errors ? -XT_EIO : 0;
}
