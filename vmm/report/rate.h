/* SPDX-License-Identifier: MIT */
/*
 * The periodic rate line ([xtalk] rate_ms): frames per second on each data
 * path, printed from the run loop so that a person watching the console
 * sees cross-talk at work while the guests run.
 */
#ifndef XTALK_VMM_RATE_H
#define XTALK_VMM_RATE_H

#include <stdint.h>

void rate_init(uint64_t tsc_hz, uint32_t rate_ms);
/* Called from the run loop: prints a line once per period, else nothing. */
void rate_tick(void);

#endif
