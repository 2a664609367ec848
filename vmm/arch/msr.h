/* SPDX-License-Identifier: MIT */
/* Model-specific register numbers: one pure header (vmm/emul/msr_index.h). */
#ifndef XTALK_VMM_MSR_H
#define XTALK_VMM_MSR_H

#include "vmm/emul/msr_index.h"

#endif
