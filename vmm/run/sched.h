/* SPDX-License-Identifier: MIT */
/* Round-robin scheduling of vCPUs on one CPU, sliced by the VMX preemption timer. */
#ifndef XTALK_VMM_SCHED_H
#define XTALK_VMM_SCHED_H

#include <stdbool.h>
#include <stdint.h>

void sched_init(uint64_t tsc_hz, uint32_t timeslice_us);
/* Could another vCPU than v run now? */
struct vcpu;
/* Run every guest until all have stopped. */
void sched_run(void);

#endif
