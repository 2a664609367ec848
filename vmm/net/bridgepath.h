/* SPDX-License-Identifier: MIT */
/* The software bridge as a data path (bridge_path in vmm/net/datapath.h). */
#ifndef XTALK_VMM_NET_BRIDGEPATH_H
#define XTALK_VMM_NET_BRIDGEPATH_H

#include <stdint.h>

#include "vmm/net/bridge.h"

/* Every guest NIC has a port here, whichever path it uses: the port number
 * names the guest on both paths (guests_by_port). */
extern struct bridge vmm_bridge;

/* Frames the bridge moved so far, over all ports (the rate line). */
uint64_t bridgepath_frames(void);
/* The bridge's bounded waits (bridge_tick); now on the NIC clock (ns). */
uint64_t bridgepath_tick(uint64_t now);

#endif
