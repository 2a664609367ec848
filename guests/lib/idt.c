/* SPDX-License-Identifier: MIT */
#include "guest.h"
#include "pic.h"

#define NR_EXCEPTIONS 32
#define NR_VECTORS (NR_EXCEPTIONS + PIC_NR_IRQS)

struct __attribute__((packed)) idt_gate {
	uint16_t offset0;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset1;
	uint32_t offset2;
	uint32_t reserved;
};

struct exc_frame {
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

extern const uint64_t guest_isr_table[NR_VECTORS];
void guest_exception(struct exc_frame *f);

static struct idt_gate idt[NR_VECTORS] __attribute__((aligned(16)));
static volatile bool armed;
static volatile unsigned skip_len;
static volatile struct fault last;

void idt_install(void)
{
	uint16_t cs;
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} d = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	for (unsigned v = 0; v < NR_VECTORS; v++) {
		uint64_t h = guest_isr_table[v];

		idt[v] = (struct idt_gate){ (uint16_t)h, cs, 0, 0x8e, (uint16_t)(h >> 16),
					    (uint32_t)(h >> 32), 0 };
	}
	__asm__ volatile("lidt %0" ::"m"(d));
}

void fault_expect(unsigned insn_len)
{
	last.hit = false;
	skip_len = insn_len;
	armed = true;
}

struct fault fault_take(void)
{
	struct fault f = { last.hit, last.vector, last.error, last.rip };

	armed = false;
	last.hit = false;
	return f;
}

void guest_exception(struct exc_frame *f)
{
	if (f->vector >= PIC_VECTOR_BASE && f->vector < PIC_VECTOR_BASE + PIC_NR_IRQS) {
		irq_dispatch((unsigned)(f->vector - PIC_VECTOR_BASE));
		return;
	}
	if (armed && !last.hit) {
		last.hit = true;
		last.vector = (unsigned)f->vector;
		last.error = f->error;
		last.rip = f->rip;
		f->rip += skip_len;
		return;
	}
	print("unexpected exception %lu (error 0x%lx) at RIP 0x%lx\n", (unsigned long)f->vector,
	      (unsigned long)f->error, (unsigned long)f->rip);
	guest_exit(100 + (long)f->vector);
}
