/* SPDX-License-Identifier: MIT */
/* The end-of-run report, and the same figures for one guest on demand. */
#ifndef XTALK_VMM_SUMMARY_H
#define XTALK_VMM_SUMMARY_H

struct guest;
struct xtalk_counters;

void summary_print_guest(struct guest *g);
/* Machine-wide counters (hypercall XTALK_HC_COUNTERS). */
void summary_counters(struct xtalk_counters *c);
void summary_print(void);

#endif
