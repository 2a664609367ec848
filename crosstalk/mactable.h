/* SPDX-License-Identifier: MIT */
/*
 * The table of guest MAC addresses: which port (guest NIC) owns an address,
 * and on which network it is. Lookups are O(1) (open addressing on a small
 * power-of-two table), so the per-frame cost does not grow with the number
 * of guests. Pure: used by the VMM's bridge and the cross-talk detector, and
 * unit-tested on the host.
 */
#ifndef XTALK_CROSSTALK_MACTABLE_H
#define XTALK_CROSSTALK_MACTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define MAC_TABLE_SLOTS 128 /* >= 2 x the most ports, a power of two */
#define MAC_TABLE_MAX_PORTS 64

struct mac_entry {
	uint8_t mac[6];
	bool used;
	uint8_t port;
	uint16_t network;
};

struct mac_table {
	struct mac_entry slot[MAC_TABLE_SLOTS];
	unsigned count;
};

void mac_table_init(struct mac_table *t);
/* 0, -XT_EEXIST (address taken), -XT_ENOSPC, -XT_EINVAL (multicast/zero address, port out of range). */
int mac_table_add(struct mac_table *t, const uint8_t mac[6], unsigned port, uint16_t network);
/* Port owning mac, or -1; *network set when found and network is non-NULL. */
int mac_table_lookup(const struct mac_table *t, const uint8_t mac[6], uint16_t *network);
/* Remove every address of port. */
void mac_table_remove_port(struct mac_table *t, unsigned port);

static inline bool mac_is_multicast(const uint8_t mac[6])
{
	return mac[0] & 1; /* includes broadcast */
}

#endif
