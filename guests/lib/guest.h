/* SPDX-License-Identifier: MIT */
/* The tiny runtime of xtalk's test guests: console, hypercalls, exceptions. */
#ifndef XTALK_GUEST_H
#define XTALK_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/hypercall_abi.h"
#include "lib/x86.h"

/* Called by crt0 with the boot_params pointer; the return value is the exit status. */
long guest_main(const uint8_t *boot_params);

void putc_serial(char c);
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void guest_exit(long status);

static inline long hypercall(long nr, long a0, long a1, long a2)
{
	long ret;

	__asm__ volatile("vmcall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
			 : "memory");
	return ret;
}

/* Ask the VMM to print our cross-talk state: our shared pages (our GPAs)
 * and per-path counters ("xtalk: xt-dump: ..." lines). Needs debug_dump = on
 * in our xtalk.ini section; at most one a second (else a negative error). */
static inline long xt_dump(void)
{
	return hypercall(XTALK_HC_XT_DUMP, 0, 0, 0);
}

/* Compiler barrier: memory accesses are not moved across it. */
static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* Busy-wait for about n iterations of a loop the compiler cannot remove. */
void spin(unsigned long n);

/*
 * Exceptions. idt_install() sets up handlers for vectors 0-47: 0-31 are
 * exceptions, 32-47 the 8259 IRQs (pic.h dispatches them). While an
 * "expected fault" is armed, an exception is recorded and the faulting
 * instruction skipped (its length is given); any other exception prints
 * a report and exits with status 100 + vector.
 */
struct fault {
	bool hit;
	unsigned vector;
	uint64_t error;
	uint64_t rip;
};

void idt_install(void);
void fault_expect(unsigned insn_len);
/* Stop expecting; returns what happened since fault_expect(). */
struct fault fault_take(void);

/* kvm-unit-tests style reporting */
void report(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
long report_summary(void);

#endif
