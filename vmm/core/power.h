/* SPDX-License-Identifier: MIT */
/* Turning the machine off at the end of a run. */
#ifndef XTALK_VMM_POWER_H
#define XTALK_VMM_POWER_H

#include <stdint.h>

/* Read the ACPI tables once, while they are known to be intact. */
void power_init(uint64_t acpi_rsdp);
/* ACPI S5; failing that, Bochs' shutdown port; failing that, halt. */
__attribute__((noreturn)) void power_off_or_halt(void);

#endif
