/* SPDX-License-Identifier: MIT */
#include "vmm/arch/cpu.h"

#include <string.h>

#include "vmm/core/console.h"
#include "vmm/arch/msr.h"
#include "vmm/core/power.h"
#include "vmm/arch/x86.h"

struct host_cpu host_cpu;

/* 64-bit TSS, SDM 3A "Task Management in 64-bit Mode" */
struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");

struct __attribute__((packed)) idt_gate {
	uint16_t offset0;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset1;
	uint32_t offset2;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

#define GDT_CODE64 0x00af9a000000ffffULL /* P, DPL0, code exec/read, L, G */
#define GDT_DATA 0x00cf92000000ffffULL   /* P, DPL0, data read/write, D/B, G */
#define IDT_INTERRUPT_GATE 0x8e
#define IST_FATAL 1

static uint64_t gdt[5] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[32] __attribute__((aligned(16)));
static uint8_t fatal_stack[8192] __attribute__((aligned(16)));

extern const int32_t isr_table[32];

static void gdt_set_tss(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof(tss) - 1;

	/* Available 64-bit TSS (type 9), present. */
	gdt[HOST_TR / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
			   ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[HOST_TR / 8 + 1] = base >> 32;
}

static void load_gdt(void)
{
	struct x86_dtr d = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ax\n\t"
			 "mov %%ax, %%ds\n\t"
			 "mov %%ax, %%es\n\t"
			 "mov %%ax, %%ss\n\t"
			 "mov %%ax, %%fs\n\t"
			 "mov %%ax, %%gs\n\t"
			 "ltr %w3"
			 :
			 : "m"(d), "i"(HOST_CS), "i"(HOST_DS), "r"(HOST_TR)
			 : "rax", "memory");
}

static void load_idt(void)
{
	uint64_t table = (uint64_t)(uintptr_t)isr_table;
	struct x86_dtr d = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

	for (unsigned v = 0; v < 32; v++) {
		uint64_t h = table + (uint64_t)(int64_t)isr_table[v];

		idt[v] = (struct idt_gate){
			.offset0 = (uint16_t)h,
			.selector = HOST_CS,
			/* #DF, NMI and #MC get a known-good stack. */
			.ist = (v == X86_EXC_DF || v == X86_EXC_NMI || v == X86_EXC_MC) ? IST_FATAL : 0,
			.type_attr = IDT_INTERRUPT_GATE,
			.offset1 = (uint16_t)(h >> 16),
			.offset2 = (uint32_t)(h >> 32),
		};
	}
	__asm__ volatile("lidt %0" ::"m"(d));
}

void cpu_init_tables(void)
{
	gdt[0] = 0;
	gdt[HOST_CS / 8] = GDT_CODE64;
	gdt[HOST_DS / 8] = GDT_DATA;
	memset(&tss, 0, sizeof(tss));
	tss.ist[IST_FATAL - 1] = (uint64_t)(uintptr_t)(fatal_stack + sizeof(fatal_stack));
	tss.iomap_base = sizeof(tss);
	gdt_set_tss();
	load_gdt();
	load_idt();
	host_cpu.gdt_base = (uint64_t)(uintptr_t)gdt;
	host_cpu.idt_base = (uint64_t)(uintptr_t)idt;
	host_cpu.tss_base = (uint64_t)(uintptr_t)&tss;
}

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1
#define APIC_BASE_ENABLE (1ULL << 11)
#define APIC_BASE_X2APIC (1ULL << 10)
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_MASKED (1U << 16)
#define MSR_X2APIC_LVT_TIMER 0x832

void cpu_quiesce_interrupts(void)
{
	uint64_t apic = rdmsr(MSR_IA32_APIC_BASE);

	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	if (!(apic & APIC_BASE_ENABLE))
		return;
	if (apic & APIC_BASE_X2APIC) {
		wrmsr(MSR_X2APIC_LVT_TIMER, rdmsr(MSR_X2APIC_LVT_TIMER) | APIC_LVT_MASKED);
	} else {
		volatile uint32_t *lvt = (volatile uint32_t *)(uintptr_t)((apic & ~0xfffULL) + APIC_LVT_TIMER);

		*lvt |= APIC_LVT_MASKED;
	}
}

struct host_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

void host_exception(struct host_frame *f);

__attribute__((noreturn)) void host_exception(struct host_frame *f)
{
	con_printf("\nxtalk: FATAL: CPU exception %llu (error code 0x%llx) in the VMM\n",
		   (unsigned long long)f->vector, (unsigned long long)f->error);
	con_printf("  RIP %016llx CS %04llx RFLAGS %016llx RSP %016llx CR2 %016llx\n",
		   (unsigned long long)f->rip, (unsigned long long)f->cs,
		   (unsigned long long)f->rflags, (unsigned long long)f->rsp,
		   (unsigned long long)read_cr2());
	con_printf("  RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n",
		   (unsigned long long)f->rax, (unsigned long long)f->rbx,
		   (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	con_printf("  RSI %016llx RDI %016llx RBP %016llx\n", (unsigned long long)f->rsi,
		   (unsigned long long)f->rdi, (unsigned long long)f->rbp);
	power_off_or_halt();
}
