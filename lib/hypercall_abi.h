/* SPDX-License-Identifier: MIT */
/*
 * The xtalk hypercall ABI, shared by the VMM and guests (docs/hypercalls.md).
 *
 * A guest at CPL 0 executes VMCALL with the call number in RAX and arguments
 * in RDI, RSI, RDX, R10 (the System V order, with R10 for the fourth as
 * SYSCALL does). The result comes back in RAX: >= 0 on success, a negative
 * XT_E* error code otherwise (-XT_ENOSYS for an unknown call). Other
 * registers are preserved. VMCALL at CPL > 0 raises #UD in the guest.
 * Detect xtalk first with CPUID leaf 0x40000000 ("xtalkxtalk").
 */
#ifndef XTALK_HYPERCALL_ABI_H
#define XTALK_HYPERCALL_ABI_H

#define XTALK_CPUID_SIGNATURE_LEAF 0x40000000U
#define XTALK_CPUID_VERSION_LEAF 0x40000001U
#define XTALK_HC_ABI_VERSION 1

#define XTALK_HC_VERSION 0 /* () -> XTALK_HC_ABI_VERSION */
#define XTALK_HC_EXIT 1    /* (int64 status) -> does not return: the guest stops */
#define XTALK_HC_STATS 2   /* () -> 0; prints this guest's counters on the console */
#define XTALK_HC_XT_DUMP 3 /* () -> 0; prints the caller's shared pages (its GPAs) and path counters;
			    * -XT_EPERM without `debug_dump = on`, -XT_EAGAIN within 1 s of the last */
#define XTALK_HC_COUNTERS 4 /* (gpa, size) -> bytes written: struct xtalk_counters, the caller's own,
			     * or summed over all guests with `counters = machine` */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Counters for benchmarks: totals since the VMM started, of the calling
 * guest, or over every guest with `counters = machine` in its xtalk.ini
 * section (then remaps and INVEPTs are the remapper's totals). Compare two
 * snapshots. */
struct xtalk_counters {
	uint64_t version;         /* XTALK_COUNTERS_VERSION */
	uint64_t tsc;             /* when the snapshot was taken */
	uint64_t exits;           /* VM exits */
	uint64_t exits_io;        /* port I/O */
	uint64_t exits_mmio;      /* EPT violations (emulated MMIO, copy on write) */
	uint64_t exits_hlt;
	uint64_t exits_timer;     /* preemption timer */
	uint64_t exits_other;
	uint64_t irqs;            /* interrupts injected */
	uint64_t copies;          /* frame copies made by the VMM */
	uint64_t bytes_copied;
	uint64_t remaps;          /* page pairs shared or unshared */
	uint64_t invepts;
	uint64_t frames;          /* frames moved between guests or to the physical NIC */
	uint64_t vmm_cycles;      /* TSC spent in the VMM between VM exits and entries */
};
#define XTALK_COUNTERS_VERSION 1
#endif

#endif
