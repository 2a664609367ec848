/* SPDX-License-Identifier: MIT */
/* The end-of-run report, and the same figures for one guest on demand. */
#ifndef XTALK_VMM_SUMMARY_H
#define XTALK_VMM_SUMMARY_H

struct guest;
struct xtalk_counters;

void summary_print_guest(struct guest *g);
/* The counters hypercall XTALK_HC_COUNTERS gives guest g: its own, or the
 * machine's with `counters = machine` (vmm/emul/hc_policy.h). */
void summary_counters(const struct guest *g, struct xtalk_counters *c);
void summary_print(void);

#endif
