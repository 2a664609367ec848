/* SPDX-License-Identifier: MIT */
/*
 * VMX definitions: VMCS field encodings (SDM 3D, "Field Encoding in VMCS"),
 * VM-execution/exit/entry control bits (SDM 3C, "VM-Execution Controls",
 * "VM-Exit Controls", "VM-Entry Controls"), basic exit reasons (SDM 3D,
 * "Basic Exit Reasons") and exit-qualification formats, plus wrappers for the
 * VMX instructions.
 */
#ifndef XTALK_VMM_VMX_H
#define XTALK_VMM_VMX_H

#include <stdint.h>

/* 16-bit fields */
#define VMCS_VPID 0x0000
#define VMCS_GUEST_ES_SELECTOR 0x0800
#define VMCS_GUEST_CS_SELECTOR 0x0802
#define VMCS_GUEST_SS_SELECTOR 0x0804
#define VMCS_GUEST_DS_SELECTOR 0x0806
#define VMCS_GUEST_FS_SELECTOR 0x0808
#define VMCS_GUEST_GS_SELECTOR 0x080a
#define VMCS_GUEST_LDTR_SELECTOR 0x080c
#define VMCS_GUEST_TR_SELECTOR 0x080e
#define VMCS_GUEST_INTR_STATUS 0x0810 /* RVI bits 7:0, SVI bits 15:8 */
#define VMCS_HOST_ES_SELECTOR 0x0c00
#define VMCS_HOST_CS_SELECTOR 0x0c02
#define VMCS_HOST_SS_SELECTOR 0x0c04
#define VMCS_HOST_DS_SELECTOR 0x0c06
#define VMCS_HOST_FS_SELECTOR 0x0c08
#define VMCS_HOST_GS_SELECTOR 0x0c0a
#define VMCS_HOST_TR_SELECTOR 0x0c0c

/* 64-bit fields */
#define VMCS_IO_BITMAP_A 0x2000
#define VMCS_IO_BITMAP_B 0x2002
#define VMCS_MSR_BITMAP 0x2004
#define VMCS_EXIT_MSR_STORE_ADDR 0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR 0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR 0x200a
#define VMCS_TSC_OFFSET 0x2010
#define VMCS_VIRTUAL_APIC_PAGE_ADDR 0x2012
#define VMCS_APIC_ACCESS_ADDR 0x2014
#define VMCS_EPT_POINTER 0x201a
#define VMCS_EOI_EXIT_BITMAP0 0x201c /* 1-3 follow, 2 apart */
#define VMCS_GUEST_PHYSICAL_ADDRESS 0x2400
#define VMCS_LINK_POINTER 0x2800
#define VMCS_GUEST_IA32_DEBUGCTL 0x2802
#define VMCS_GUEST_IA32_PAT 0x2804
#define VMCS_GUEST_IA32_EFER 0x2806
#define VMCS_GUEST_PDPTE0 0x280a
#define VMCS_GUEST_PDPTE1 0x280c
#define VMCS_GUEST_PDPTE2 0x280e
#define VMCS_GUEST_PDPTE3 0x2810
#define VMCS_HOST_IA32_PAT 0x2c00
#define VMCS_HOST_IA32_EFER 0x2c02

/* 32-bit fields */
#define VMCS_PIN_BASED_CTLS 0x4000
#define VMCS_PROC_BASED_CTLS 0x4002
#define VMCS_EXCEPTION_BITMAP 0x4004
#define VMCS_PF_ERROR_CODE_MASK 0x4006
#define VMCS_PF_ERROR_CODE_MATCH 0x4008
#define VMCS_CR3_TARGET_COUNT 0x400a
#define VMCS_EXIT_CTLS 0x400c
#define VMCS_EXIT_MSR_STORE_COUNT 0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010
#define VMCS_ENTRY_CTLS 0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014
#define VMCS_ENTRY_INTR_INFO 0x4016
#define VMCS_ENTRY_EXCEPTION_ERROR_CODE 0x4018
#define VMCS_ENTRY_INSTRUCTION_LEN 0x401a
#define VMCS_TPR_THRESHOLD 0x401c
#define VMCS_PROC_BASED_CTLS2 0x401e
#define VMCS_VM_INSTRUCTION_ERROR 0x4400
#define VMCS_EXIT_REASON 0x4402
#define VMCS_EXIT_INTR_INFO 0x4404
#define VMCS_EXIT_INTR_ERROR_CODE 0x4406
#define VMCS_IDT_VECTORING_INFO 0x4408
#define VMCS_IDT_VECTORING_ERROR_CODE 0x440a
#define VMCS_EXIT_INSTRUCTION_LEN 0x440c
#define VMCS_EXIT_INSTRUCTION_INFO 0x440e
#define VMCS_GUEST_ES_LIMIT 0x4800
#define VMCS_GUEST_CS_LIMIT 0x4802
#define VMCS_GUEST_SS_LIMIT 0x4804
#define VMCS_GUEST_DS_LIMIT 0x4806
#define VMCS_GUEST_FS_LIMIT 0x4808
#define VMCS_GUEST_GS_LIMIT 0x480a
#define VMCS_GUEST_LDTR_LIMIT 0x480c
#define VMCS_GUEST_TR_LIMIT 0x480e
#define VMCS_GUEST_GDTR_LIMIT 0x4810
#define VMCS_GUEST_IDTR_LIMIT 0x4812
#define VMCS_GUEST_ES_AR 0x4814
#define VMCS_GUEST_CS_AR 0x4816
#define VMCS_GUEST_SS_AR 0x4818
#define VMCS_GUEST_DS_AR 0x481a
#define VMCS_GUEST_FS_AR 0x481c
#define VMCS_GUEST_GS_AR 0x481e
#define VMCS_GUEST_LDTR_AR 0x4820
#define VMCS_GUEST_TR_AR 0x4822
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY_STATE 0x4826
#define VMCS_GUEST_SYSENTER_CS 0x482a
#define VMCS_PREEMPTION_TIMER_VALUE 0x482e
#define VMCS_HOST_IA32_SYSENTER_CS 0x4c00

/* Natural-width fields */
#define VMCS_CR0_GUEST_HOST_MASK 0x6000
#define VMCS_CR4_GUEST_HOST_MASK 0x6002
#define VMCS_CR0_READ_SHADOW 0x6004
#define VMCS_CR4_READ_SHADOW 0x6006
#define VMCS_EXIT_QUALIFICATION 0x6400
#define VMCS_GUEST_LINEAR_ADDRESS 0x640a
#define VMCS_GUEST_CR0 0x6800
#define VMCS_GUEST_CR3 0x6802
#define VMCS_GUEST_CR4 0x6804
#define VMCS_GUEST_ES_BASE 0x6806
#define VMCS_GUEST_CS_BASE 0x6808
#define VMCS_GUEST_SS_BASE 0x680a
#define VMCS_GUEST_DS_BASE 0x680c
#define VMCS_GUEST_FS_BASE 0x680e
#define VMCS_GUEST_GS_BASE 0x6810
#define VMCS_GUEST_LDTR_BASE 0x6812
#define VMCS_GUEST_TR_BASE 0x6814
#define VMCS_GUEST_GDTR_BASE 0x6816
#define VMCS_GUEST_IDTR_BASE 0x6818
#define VMCS_GUEST_DR7 0x681a
#define VMCS_GUEST_RSP 0x681c
#define VMCS_GUEST_RIP 0x681e
#define VMCS_GUEST_RFLAGS 0x6820
#define VMCS_GUEST_PENDING_DBG_EXCEPTIONS 0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0 0x6c00
#define VMCS_HOST_CR3 0x6c02
#define VMCS_HOST_CR4 0x6c04
#define VMCS_HOST_FS_BASE 0x6c06
#define VMCS_HOST_GS_BASE 0x6c08
#define VMCS_HOST_TR_BASE 0x6c0a
#define VMCS_HOST_GDTR_BASE 0x6c0c
#define VMCS_HOST_IDTR_BASE 0x6c0e
#define VMCS_HOST_IA32_SYSENTER_ESP 0x6c10
#define VMCS_HOST_IA32_SYSENTER_EIP 0x6c12
#define VMCS_HOST_RSP 0x6c14
#define VMCS_HOST_RIP 0x6c16

/* Pin-based VM-execution controls */
#define PIN_BASED_EXT_INTR_EXITING (1U << 0)
#define PIN_BASED_NMI_EXITING (1U << 3)
#define PIN_BASED_VIRTUAL_NMIS (1U << 5)
#define PIN_BASED_PREEMPTION_TIMER (1U << 6)

/* Primary processor-based VM-execution controls */
#define CPU_BASED_INTR_WINDOW_EXITING (1U << 2)
#define CPU_BASED_USE_TSC_OFFSETTING (1U << 3)
#define CPU_BASED_HLT_EXITING (1U << 7)
#define CPU_BASED_INVLPG_EXITING (1U << 9)
#define CPU_BASED_MWAIT_EXITING (1U << 10)
#define CPU_BASED_RDPMC_EXITING (1U << 11)
#define CPU_BASED_RDTSC_EXITING (1U << 12)
#define CPU_BASED_CR3_LOAD_EXITING (1U << 15)
#define CPU_BASED_CR3_STORE_EXITING (1U << 16)
#define CPU_BASED_CR8_LOAD_EXITING (1U << 19)
#define CPU_BASED_CR8_STORE_EXITING (1U << 20)
#define CPU_BASED_TPR_SHADOW (1U << 21)
#define CPU_BASED_NMI_WINDOW_EXITING (1U << 22)
#define CPU_BASED_MOV_DR_EXITING (1U << 23)
#define CPU_BASED_UNCOND_IO_EXITING (1U << 24)
#define CPU_BASED_USE_IO_BITMAPS (1U << 25)
#define CPU_BASED_MONITOR_TRAP_FLAG (1U << 27)
#define CPU_BASED_USE_MSR_BITMAPS (1U << 28)
#define CPU_BASED_MONITOR_EXITING (1U << 29)
#define CPU_BASED_PAUSE_EXITING (1U << 30)
#define CPU_BASED_ACTIVATE_SECONDARY_CONTROLS (1U << 31)

/* Secondary processor-based VM-execution controls */
#define SECONDARY_EXEC_VIRTUALIZE_APIC_ACCESSES (1U << 0)
#define SECONDARY_EXEC_ENABLE_EPT (1U << 1)
#define SECONDARY_EXEC_DESC_TABLE_EXITING (1U << 2)
#define SECONDARY_EXEC_ENABLE_RDTSCP (1U << 3)
#define SECONDARY_EXEC_ENABLE_VPID (1U << 5)
#define SECONDARY_EXEC_WBINVD_EXITING (1U << 6)
#define SECONDARY_EXEC_UNRESTRICTED_GUEST (1U << 7)
#define SECONDARY_EXEC_APIC_REGISTER_VIRT (1U << 8)
#define SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY (1U << 9)
#define SECONDARY_EXEC_ENABLE_INVPCID (1U << 12)
#define SECONDARY_EXEC_ENABLE_XSAVES (1U << 20)

/* VM-exit controls */
#define VM_EXIT_SAVE_DEBUG_CONTROLS (1U << 2)
#define VM_EXIT_HOST_ADDR_SPACE_SIZE (1U << 9)
#define VM_EXIT_ACK_INTR_ON_EXIT (1U << 15)
#define VM_EXIT_SAVE_IA32_PAT (1U << 18)
#define VM_EXIT_LOAD_IA32_PAT (1U << 19)
#define VM_EXIT_SAVE_IA32_EFER (1U << 20)
#define VM_EXIT_LOAD_IA32_EFER (1U << 21)
#define VM_EXIT_SAVE_PREEMPTION_TIMER (1U << 22)

/* VM-entry controls */
#define VM_ENTRY_LOAD_DEBUG_CONTROLS (1U << 2)
#define VM_ENTRY_IA32E_MODE (1U << 9)
#define VM_ENTRY_LOAD_IA32_PAT (1U << 14)
#define VM_ENTRY_LOAD_IA32_EFER (1U << 15)

/* IA32_VMX_BASIC */
#define VMX_BASIC_REVISION_MASK 0x7fffffffULL
#define VMX_BASIC_VMCS_SIZE(b) (((b) >> 32) & 0x1fff)
#define VMX_BASIC_MEMTYPE(b) (((b) >> 50) & 0xf)
#define VMX_BASIC_MEMTYPE_WB 6
#define VMX_BASIC_TRUE_CTLS (1ULL << 55)

/* IA32_VMX_MISC */
#define VMX_MISC_PREEMPTION_TIMER_RATE(m) ((m) & 0x1f)
#define VMX_MISC_UNRESTRICTED_LMA (1ULL << 5)

#define INVEPT_TYPE_SINGLE_CONTEXT 1
#define INVEPT_TYPE_ALL_CONTEXT 2

/* Basic exit reasons */
#define EXIT_REASON_EXCEPTION_NMI 0
#define EXIT_REASON_EXTERNAL_INTERRUPT 1
#define EXIT_REASON_TRIPLE_FAULT 2
#define EXIT_REASON_INIT_SIGNAL 3
#define EXIT_REASON_SIPI 4
#define EXIT_REASON_IO_SMI 5
#define EXIT_REASON_OTHER_SMI 6
#define EXIT_REASON_INTERRUPT_WINDOW 7
#define EXIT_REASON_NMI_WINDOW 8
#define EXIT_REASON_TASK_SWITCH 9
#define EXIT_REASON_CPUID 10
#define EXIT_REASON_GETSEC 11
#define EXIT_REASON_HLT 12
#define EXIT_REASON_INVD 13
#define EXIT_REASON_INVLPG 14
#define EXIT_REASON_RDPMC 15
#define EXIT_REASON_RDTSC 16
#define EXIT_REASON_RSM 17
#define EXIT_REASON_VMCALL 18
#define EXIT_REASON_VMCLEAR 19
#define EXIT_REASON_VMLAUNCH 20
#define EXIT_REASON_VMPTRLD 21
#define EXIT_REASON_VMPTRST 22
#define EXIT_REASON_VMREAD 23
#define EXIT_REASON_VMRESUME 24
#define EXIT_REASON_VMWRITE 25
#define EXIT_REASON_VMXOFF 26
#define EXIT_REASON_VMXON 27
#define EXIT_REASON_CR_ACCESS 28
#define EXIT_REASON_DR_ACCESS 29
#define EXIT_REASON_IO_INSTRUCTION 30
#define EXIT_REASON_MSR_READ 31
#define EXIT_REASON_MSR_WRITE 32
#define EXIT_REASON_INVALID_GUEST_STATE 33
#define EXIT_REASON_MSR_LOADING 34
#define EXIT_REASON_MWAIT 36
#define EXIT_REASON_MONITOR_TRAP_FLAG 37
#define EXIT_REASON_MONITOR 39
#define EXIT_REASON_PAUSE 40
#define EXIT_REASON_MCE_DURING_VMENTRY 41
#define EXIT_REASON_TPR_BELOW_THRESHOLD 43
#define EXIT_REASON_APIC_ACCESS 44
#define EXIT_REASON_EOI_INDUCED 45
#define EXIT_REASON_GDTR_IDTR 46
#define EXIT_REASON_LDTR_TR 47
#define EXIT_REASON_EPT_VIOLATION 48
#define EXIT_REASON_EPT_MISCONFIG 49
#define EXIT_REASON_INVEPT 50
#define EXIT_REASON_RDTSCP 51
#define EXIT_REASON_PREEMPTION_TIMER 52
#define EXIT_REASON_INVVPID 53
#define EXIT_REASON_WBINVD 54
#define EXIT_REASON_XSETBV 55
#define EXIT_REASON_APIC_WRITE 56
#define EXIT_REASON_RDRAND 57
#define EXIT_REASON_INVPCID 58
#define EXIT_REASON_VMFUNC 59
#define EXIT_REASON_ENCLS 60
#define EXIT_REASON_RDSEED 61
#define EXIT_REASON_PML_FULL 62
#define EXIT_REASON_XSAVES 63
#define EXIT_REASON_XRSTORS 64
#define EXIT_REASON_UMWAIT 67
#define EXIT_REASON_TPAUSE 68
#define EXIT_REASON_MAX 69 /* one past the highest reason the dispatcher knows */

#define EXIT_REASON_BASIC(r) ((r) & 0xffff)
#define EXIT_REASON_FAILED_VMENTRY (1U << 31)

/* Interruption-information format (VM-entry, VM-exit, IDT-vectoring) */
#define INTR_INFO_VECTOR_MASK 0xffU
#define INTR_INFO_TYPE_SHIFT 8
#define INTR_INFO_TYPE_MASK (7U << 8)
#define INTR_TYPE_EXT_INTR (0U << 8)
#define INTR_TYPE_NMI (2U << 8)
#define INTR_TYPE_HW_EXCEPTION (3U << 8)
#define INTR_TYPE_SW_INTR (4U << 8)
#define INTR_TYPE_PRIV_SW_EXCEPTION (5U << 8)
#define INTR_TYPE_SW_EXCEPTION (6U << 8)
#define INTR_INFO_DELIVER_CODE (1U << 11)
#define INTR_INFO_NMI_UNBLOCK_IRET (1U << 12)
#define INTR_INFO_VALID (1U << 31)

/* Guest interruptibility state */
#define GUEST_INTR_STATE_STI (1U << 0)
#define GUEST_INTR_STATE_MOV_SS (1U << 1)
#define GUEST_INTR_STATE_SMI (1U << 2)
#define GUEST_INTR_STATE_NMI (1U << 3)

/* Guest activity state */
#define GUEST_ACTIVITY_ACTIVE 0
#define GUEST_ACTIVITY_HLT 1

/* Segment access rights (VMCS format) */
#define VMX_AR_TYPE_MASK 0xfU
#define VMX_AR_S (1U << 4)
#define VMX_AR_DPL_SHIFT 5
#define VMX_AR_P (1U << 7)
#define VMX_AR_L (1U << 13)
#define VMX_AR_DB (1U << 14)
#define VMX_AR_G (1U << 15)
#define VMX_AR_UNUSABLE (1U << 16)

/* Exit qualification: I/O instructions */
#define EXIT_QUAL_IO_SIZE(q) (((q) & 7) + 1)
#define EXIT_QUAL_IO_IN (1ULL << 3)
#define EXIT_QUAL_IO_STRING (1ULL << 4)
#define EXIT_QUAL_IO_REP (1ULL << 5)
#define EXIT_QUAL_IO_PORT(q) (((q) >> 16) & 0xffff)

/* Exit qualification: control-register accesses */
#define EXIT_QUAL_CR_NUM(q) ((q) & 0xf)
#define EXIT_QUAL_CR_TYPE(q) (((q) >> 4) & 3)
#define CR_ACCESS_MOV_TO_CR 0
#define CR_ACCESS_MOV_FROM_CR 1
#define CR_ACCESS_CLTS 2
#define CR_ACCESS_LMSW 3
#define EXIT_QUAL_CR_GPR(q) (((q) >> 8) & 0xf)
#define EXIT_QUAL_CR_LMSW_DATA(q) (((q) >> 16) & 0xffff)

/* Exit qualification: EPT violations */
#define EPT_VIOLATION_READ (1ULL << 0)
#define EPT_VIOLATION_WRITE (1ULL << 1)
#define EPT_VIOLATION_FETCH (1ULL << 2)
#define EPT_VIOLATION_GLA_VALID (1ULL << 7)
#define EPT_VIOLATION_NMI_UNBLOCK (1ULL << 12)

/* VM-instruction execution: string I/O instruction information */
#define EXIT_INSN_INFO_ADDR_SIZE(i) (((i) >> 7) & 7) /* 0:16 1:32 2:64 bit */
#define EXIT_INSN_INFO_SEG(i) (((i) >> 15) & 7)

/* Exit qualification: APIC-access exits (offset in the page, access type) */
#define APIC_ACCESS_OFFSET(q) ((unsigned)(q) & 0xfff)
#define APIC_ACCESS_TYPE(q) (((unsigned)(q) >> 12) & 0xf)
#define APIC_ACCESS_LINEAR_READ 0
#define APIC_ACCESS_LINEAR_WRITE 1

/* VMX instruction wrappers. Each returns 0 on success, non-zero on VMfail. */
static inline int vmx_on(uint64_t phys)
{
	uint8_t fail;

	__asm__ volatile("vmxon %1; setna %0" : "=q"(fail) : "m"(phys) : "cc", "memory");
	return fail;
}

static inline int vmx_clear(uint64_t phys)
{
	uint8_t fail;

	__asm__ volatile("vmclear %1; setna %0" : "=q"(fail) : "m"(phys) : "cc", "memory");
	return fail;
}

static inline int vmx_ptrld(uint64_t phys)
{
	uint8_t fail;

	__asm__ volatile("vmptrld %1; setna %0" : "=q"(fail) : "m"(phys) : "cc", "memory");
	return fail;
}

static inline uint64_t vmread(uint64_t field)
{
	uint64_t v;

	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(field) : "cc");
	return v;
}

static inline int vmwrite(uint64_t field, uint64_t value)
{
	uint8_t fail;

	__asm__ volatile("vmwrite %2, %1; setna %0" : "=q"(fail) : "r"(field), "rm"(value) : "cc");
	return fail;
}

static inline int invept(unsigned type, uint64_t eptp)
{
	struct {
		uint64_t eptp, reserved;
	} desc = { eptp, 0 };
	uint8_t fail;

	__asm__ volatile("invept %1, %2; setna %0"
			 : "=q"(fail)
			 : "m"(desc), "r"((uint64_t)type)
			 : "cc", "memory");
	return fail;
}

#endif
