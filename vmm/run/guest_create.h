/* SPDX-License-Identifier: MIT */
#ifndef XTALK_VMM_GUEST_CREATE_H
#define XTALK_VMM_GUEST_CREATE_H

#include "boot/bootinfo.h"

/* Build the next guest from the loader's description (RAM, image, boot
 * state, EPT, devices, VMCS). 0, or a negative XT_E* code after telling the
 * console why the guest is refused. */
int guest_create(const struct xt_boot_info *bi, const struct xt_boot_guest *bg);
struct guest;
/* Boot a guest again (a reset request with on_reboot = restart): its NIC and
 * platform as at power-on, RAM cleared and its files loaded again, the vCPU
 * at the entry. Its VMCS must be the current one. 0 or XT_E*. */
int guest_restart(struct guest *g);

#endif
