/* SPDX-License-Identifier: MIT */
/*
 * x86-64 architectural definitions and the helpers every side uses (the
 * VMM, the UEFI loader, the test guests): CPUID, TSC, port I/O, PAUSE.
 * Privileged helpers of the VMM alone are in vmm/arch/x86.h.
 */
#ifndef XTALK_LIB_X86_H
#define XTALK_LIB_X86_H

#include <stdint.h>

/* SDM 3A, "Control Registers" */
#define X86_CR0_PE (1ULL << 0)
#define X86_CR0_MP (1ULL << 1)
#define X86_CR0_EM (1ULL << 2)
#define X86_CR0_TS (1ULL << 3)
#define X86_CR0_ET (1ULL << 4)
#define X86_CR0_NE (1ULL << 5)
#define X86_CR0_WP (1ULL << 16)
#define X86_CR0_AM (1ULL << 18)
#define X86_CR0_NW (1ULL << 29)
#define X86_CR0_CD (1ULL << 30)
#define X86_CR0_PG (1ULL << 31)

#define X86_CR4_VME (1ULL << 0)
#define X86_CR4_PVI (1ULL << 1)
#define X86_CR4_TSD (1ULL << 2)
#define X86_CR4_DE (1ULL << 3)
#define X86_CR4_PSE (1ULL << 4)
#define X86_CR4_PAE (1ULL << 5)
#define X86_CR4_MCE (1ULL << 6)
#define X86_CR4_PGE (1ULL << 7)
#define X86_CR4_PCE (1ULL << 8)
#define X86_CR4_OSFXSR (1ULL << 9)
#define X86_CR4_OSXMMEXCPT (1ULL << 10)
#define X86_CR4_UMIP (1ULL << 11)
#define X86_CR4_LA57 (1ULL << 12)
#define X86_CR4_VMXE (1ULL << 13)
#define X86_CR4_SMXE (1ULL << 14)
#define X86_CR4_FSGSBASE (1ULL << 16)
#define X86_CR4_PCIDE (1ULL << 17)
#define X86_CR4_OSXSAVE (1ULL << 18)
#define X86_CR4_SMEP (1ULL << 20)
#define X86_CR4_SMAP (1ULL << 21)
#define X86_CR4_PKE (1ULL << 22)
#define X86_CR4_CET (1ULL << 23)
#define X86_CR4_PKS (1ULL << 24)

/* SDM 3A, "Extended Feature Enable Register" */
#define X86_EFER_SCE (1ULL << 0)
#define X86_EFER_LME (1ULL << 8)
#define X86_EFER_LMA (1ULL << 10)
#define X86_EFER_NXE (1ULL << 11)

#define X86_RFLAGS_CF (1ULL << 0)
#define X86_RFLAGS_FIXED (1ULL << 1)
#define X86_RFLAGS_ZF (1ULL << 6)
#define X86_RFLAGS_TF (1ULL << 8)
#define X86_RFLAGS_IF (1ULL << 9)
#define X86_RFLAGS_DF (1ULL << 10)
#define X86_RFLAGS_VM (1ULL << 17)

/* Exception vectors, SDM 3A "Exception and Interrupt Reference" */
#define X86_EXC_DE 0
#define X86_EXC_DB 1
#define X86_EXC_NMI 2
#define X86_EXC_BP 3
#define X86_EXC_UD 6
#define X86_EXC_NM 7
#define X86_EXC_DF 8
#define X86_EXC_TS 10
#define X86_EXC_NP 11
#define X86_EXC_SS 12
#define X86_EXC_GP 13
#define X86_EXC_PF 14
#define X86_EXC_MC 18

/* CPUID feature bits the VMM itself checks (the guest-visible ones are in
 * vmm/emul/cpuid_filter.h) */
#define CPUID_80000001_EDX_RDTSCP (1U << 27)

/* Paging-structure entry bits (SDM 3A, "Hierarchical Paging Structures"). */
#define PTE_P (1ULL << 0)   /* present */
#define PTE_RW (1ULL << 1)  /* writable */
#define PTE_US (1ULL << 2)  /* user-mode accessible */
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A (1ULL << 5)   /* accessed */
#define PTE_D (1ULL << 6)   /* dirty (leaf entries only) */
#define PTE_PS (1ULL << 7)  /* page size (maps a large page) */
#define PTE_G (1ULL << 8)
#define PTE_NX (1ULL << 63) /* execute-disable (XD) */

/* Page-fault error code (SDM 3A, "Interrupt 14-Page-Fault Exception (#PF)"). */
#define PF_EC_P (1U << 0)    /* 0: not present, 1: protection violation */
#define PF_EC_W (1U << 1)    /* write access */
#define PF_EC_U (1U << 2)    /* user-mode (CPL 3) access */
#define PF_EC_RSVD (1U << 3) /* reserved bit set in a paging-structure entry */
#define PF_EC_I (1U << 4)    /* instruction fetch */
#define PF_EC_PK (1U << 5)
#define PF_EC_SS (1U << 6)

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#endif
