/* SPDX-License-Identifier: MIT */
/* The end-of-run report, and the same figures for one guest on demand. */
#ifndef XTALK_VMM_SUMMARY_H
#define XTALK_VMM_SUMMARY_H

struct guest;

void summary_print_guest(struct guest *g);
void summary_print(void);

#endif
