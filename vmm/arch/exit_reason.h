/* SPDX-License-Identifier: MIT */
/* Names of the basic exit reasons, for messages and the run summary. */
#ifndef XTALK_VMM_ARCH_EXIT_REASON_H
#define XTALK_VMM_ARCH_EXIT_REASON_H

/* The SDM's name of a basic exit reason, or "OTHER". */
const char *exit_reason_name(unsigned reason);

#endif
