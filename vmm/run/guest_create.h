/* SPDX-License-Identifier: MIT */
#ifndef XTALK_VMM_GUEST_CREATE_H
#define XTALK_VMM_GUEST_CREATE_H

#include "boot/bootinfo.h"

/* Build the next guest from the loader's description (RAM, image, boot
 * state, EPT, devices, VMCS). 0, or a negative XT_E* code after telling the
 * console why the guest is refused. */
int guest_create(const struct xt_boot_info *bi, const struct xt_boot_guest *bg);

#endif
