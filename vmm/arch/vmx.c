/* SPDX-License-Identifier: MIT */
/* VT-x discovery and VMXON (SDM 3C, "Enabling and Entering VMX Operation"). */
#include "vmm/arch/vmx_caps.h"

#include "ept/ept_defs.h"
#include "lib/xerrno.h"
#include "vmm/core/console.h"
#include "vmm/emul/cpuid_filter.h"
#include "vmm/arch/msr.h"
#include "vmm/core/palloc.h"
#include "vmm/arch/vmx.h"
#include "vmm/arch/x86.h"

struct vmx_caps vmx_caps;

static const char how_to_get_vmx[] =
	"on real hardware enable Intel Virtualization Technology (VT-x) in the firmware setup; "
	"under QEMU use -enable-kvm -cpu host,+vmx on a host whose kvm_intel module has nested=1; "
	"under Bochs use a cpu model with VMX (e.g. corei7_skylake_x)";

/* Settle a control field: required bits must be allowed-1, optional bits are
 * taken when allowed, allowed-0 (must-be-one) bits are always set. SDM 3D,
 * "VM-Execution Controls" capability MSRs: low dword allowed-0, high allowed-1. */
static int adjust(uint32_t msr, uint32_t required, uint32_t optional, uint32_t *out,
		  const char *what)
{
	uint64_t cap = rdmsr(msr);
	uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);

	if ((required & may) != required) {
		xt_err("VT-x lacks required %s controls 0x%08x (CPU allows 0x%08x); %s", what,
		       required & ~may, may, how_to_get_vmx);
		return -XT_ENOTSUP;
	}
	*out = ((required | optional) & may) | must;
	return 0;
}

static int check_cpuid_and_lock(void)
{
	uint32_t r[4];
	uint64_t fc;

	cpuid(1, 0, r);
	if (!(r[2] & CPUID_1_ECX_VMX)) {
		xt_err("VT-x not available: this CPU does not report VMX (CPUID.1:ECX.VMX = 0); %s",
		       how_to_get_vmx);
		return -XT_ENOTSUP;
	}
	fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (fc & FEATURE_CONTROL_LOCKED) {
		if (!(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
			xt_err("VT-x not available: disabled by the firmware "
			       "(IA32_FEATURE_CONTROL locked without VMX); %s",
			       how_to_get_vmx);
			return -XT_ENOTSUP;
		}
		return 0;
	}
	/* Firmware left it unlocked (OVMF under Bochs does): enable and lock. */
	wrmsr(MSR_IA32_FEATURE_CONTROL,
	      fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
	return 0;
}

static int check_basic(void)
{
	uint64_t basic = rdmsr(MSR_IA32_VMX_BASIC);

	vmx_caps.revision = (uint32_t)(basic & VMX_BASIC_REVISION_MASK);
	if (VMX_BASIC_VMCS_SIZE(basic) > PAGE_SIZE || VMX_BASIC_MEMTYPE(basic) != VMX_BASIC_MEMTYPE_WB) {
		xt_err("VT-x: unsupported VMCS size %llu or memory type %llu",
		       (unsigned long long)VMX_BASIC_VMCS_SIZE(basic),
		       (unsigned long long)VMX_BASIC_MEMTYPE(basic));
		return -XT_ENOTSUP;
	}
	return (basic & VMX_BASIC_TRUE_CTLS) ? 1 : 0;
}

static int choose_controls(bool true_ctls)
{
	int err;

	err = adjust(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
		     PIN_BASED_EXT_INTR_EXITING | PIN_BASED_PREEMPTION_TIMER, 0, &vmx_caps.pin,
		     "pin-based");
	if (err)
		return err;
	err = adjust(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
		     CPU_BASED_HLT_EXITING | CPU_BASED_USE_IO_BITMAPS | CPU_BASED_USE_MSR_BITMAPS |
			     CPU_BASED_ACTIVATE_SECONDARY_CONTROLS,
		     CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING | CPU_BASED_RDPMC_EXITING |
			     CPU_BASED_PAUSE_EXITING | CPU_BASED_USE_TSC_OFFSETTING,
		     &vmx_caps.proc, "processor-based");
	if (err)
		return err;
	err = adjust(MSR_IA32_VMX_PROCBASED_CTLS2, SECONDARY_EXEC_ENABLE_EPT,
		     SECONDARY_EXEC_ENABLE_RDTSCP | SECONDARY_EXEC_UNRESTRICTED_GUEST,
		     &vmx_caps.proc2, "secondary (EPT)");
	if (err)
		return err;
	err = adjust(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
		     VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_ACK_INTR_ON_EXIT |
			     VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER,
		     VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT, &vmx_caps.exit, "VM-exit");
	if (err)
		return err;
	err = adjust(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
		     VM_ENTRY_IA32E_MODE | VM_ENTRY_LOAD_IA32_EFER, VM_ENTRY_LOAD_IA32_PAT,
		     &vmx_caps.entry, "VM-entry");
	if (err)
		return err;
	/* IA32E_MODE is per guest and per moment: set at VMCS setup. */
	vmx_caps.entry &= ~VM_ENTRY_IA32E_MODE;
	/* PAT is switched only if both directions are available. */
	if (!(vmx_caps.exit & VM_EXIT_LOAD_IA32_PAT) || !(vmx_caps.entry & VM_ENTRY_LOAD_IA32_PAT)) {
		vmx_caps.exit &= ~(VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT);
		vmx_caps.entry &= ~VM_ENTRY_LOAD_IA32_PAT;
	}
	return 0;
}

/*
 * APIC virtualization (SDM 3C, "APIC Virtualization and Virtual
 * Interrupts"): TPR shadow, virtualized APIC accesses, APIC-register
 * virtualization and virtual-interrupt delivery, all four or none (the
 * local APIC is then trapped and emulated). Virtual-interrupt delivery
 * needs external-interrupt exiting, which xtalk always has.
 */
static void choose_apicv(bool true_ctls)
{
	const uint32_t want2 = SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES |
			       SECONDARY_EXEC_APIC_REGISTER_VIRT |
			       SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY;
	uint32_t may1 = (uint32_t)(rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
						 : MSR_IA32_VMX_PROCBASED_CTLS) >> 32);
	uint32_t may2 = (uint32_t)(rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32);

	vmx_caps.apicv = (may1 & CPU_BASED_TPR_SHADOW) && (may2 & want2) == want2 &&
			 (vmx_caps.pin & PIN_BASED_EXT_INTR_EXITING);
	if (!vmx_caps.apicv)
		return;
	vmx_caps.proc |= CPU_BASED_TPR_SHADOW;
	vmx_caps.proc2 |= want2;
}

void vmx_disable_apicv(void)
{
	if (!vmx_caps.apicv)
		return;
	vmx_caps.apicv = false;
	vmx_caps.proc &= ~CPU_BASED_TPR_SHADOW;
	vmx_caps.proc2 &= ~(SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES |
			    SECONDARY_EXEC_APIC_REGISTER_VIRT |
			    SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY);
	xt_info("VT-x: APIC virtualization off (apicv = off): the local APIC is trapped");
}

static int check_ept(void)
{
	uint64_t cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	const uint64_t need = EPT_CAP_WALK_4 | EPT_CAP_MT_WB | EPT_CAP_PAGE_2M |
			      EPT_CAP_INVEPT;

	vmx_caps.ept_vpid = cap;
	if ((cap & need) != need ||
	    !(cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL))) {
		xt_err("VT-x: EPT lacks 4-level walks, write-back, 2 MiB pages or INVEPT "
		       "(IA32_VMX_EPT_VPID_CAP 0x%llx); %s",
		       (unsigned long long)cap, how_to_get_vmx);
		return -XT_ENOTSUP;
	}
	return 0;
}

int vmx_probe(void)
{
	uint32_t r[4];
	int true_ctls, err;

	err = check_cpuid_and_lock();
	if (err)
		return err;
	true_ctls = check_basic();
	if (true_ctls < 0)
		return true_ctls;
	err = choose_controls(true_ctls);
	if (err)
		return err;
	err = check_ept();
	if (err)
		return err;
	choose_apicv(true_ctls);
	vmx_caps.cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	vmx_caps.cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	vmx_caps.cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	vmx_caps.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	vmx_caps.timer_rate = VMX_MISC_PREEMPTION_TIMER_RATE(rdmsr(MSR_IA32_VMX_MISC));
	vmx_caps.unrestricted_guest = vmx_caps.proc2 & SECONDARY_EXEC_UNRESTRICTED_GUEST;
	cpuid(0x80000000, 0, r);
	vmx_caps.maxphyaddr = 36;
	if (r[0] >= 0x80000008) {
		cpuid(0x80000008, 0, r);
		vmx_caps.maxphyaddr = r[0] & 0xff;
	}
	xt_info("VT-x: VMCS revision %u, EPT, preemption timer rate %u%s%s", vmx_caps.revision,
		vmx_caps.timer_rate, vmx_caps.unrestricted_guest ? ", unrestricted guest" : "",
		vmx_caps.apicv ? ", APIC virtualization" : ", no APIC virtualization (trapped)");
	return 0;
}

int vmx_enable(void)
{
	uint32_t *vmxon = page_alloc();

	if (!vmxon)
		return -XT_ENOMEM;
	write_cr0((read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	write_cr4((read_cr4() | X86_CR4_VMXE | vmx_caps.cr4_fixed0) & vmx_caps.cr4_fixed1);
	*vmxon = vmx_caps.revision;
	if (vmx_on(virt_to_phys(vmxon))) {
		xt_err("VMXON failed");
		return -XT_EIO;
	}
	return 0;
}

void vmx_invept(uint64_t eptp)
{
	unsigned type = (vmx_caps.ept_vpid & EPT_CAP_INVEPT_SINGLE)
				? INVEPT_TYPE_SINGLE_CONTEXT
				: INVEPT_TYPE_ALL_CONTEXT;

	if (invept(type, eptp))
		xt_err("INVEPT failed (type %u)", type);
}
