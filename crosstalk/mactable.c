/* SPDX-License-Identifier: MIT */
#include "crosstalk/mactable.h"

#include <string.h>

#include "lib/xerrno.h"

_Static_assert((MAC_TABLE_SLOTS & (MAC_TABLE_SLOTS - 1)) == 0, "slots must be a power of two");
_Static_assert(MAC_TABLE_SLOTS >= 2 * MAC_TABLE_MAX_PORTS, "keep the load factor at most 1/2");

/* FNV-1a over the 6 bytes: cheap, and spreads the sequential low bytes
 * that locally administered guest addresses tend to have. */
static unsigned mac_hash(const uint8_t mac[6])
{
	uint32_t h = 2166136261U;

	for (unsigned i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619U;
	return h & (MAC_TABLE_SLOTS - 1);
}

void mac_table_init(struct mac_table *t)
{
	memset(t, 0, sizeof(*t));
}

static const struct mac_entry *find(const struct mac_table *t, const uint8_t mac[6])
{
	unsigned i = mac_hash(mac);

	for (unsigned n = 0; n < MAC_TABLE_SLOTS; n++, i = (i + 1) & (MAC_TABLE_SLOTS - 1)) {
		const struct mac_entry *e = &t->slot[i];

		if (!e->used)
			return NULL;
		if (e->mac[0] == mac[0] && e->mac[1] == mac[1] && e->mac[2] == mac[2] &&
		    e->mac[3] == mac[3] && e->mac[4] == mac[4] && e->mac[5] == mac[5])
			return e;
	}
	return NULL;
}

int mac_table_add(struct mac_table *t, const uint8_t mac[6], unsigned port, uint16_t network)
{
	static const uint8_t zero[6];
	unsigned i = mac_hash(mac);

	if (port >= MAC_TABLE_MAX_PORTS || mac_is_multicast(mac) || !memcmp(mac, zero, 6))
		return -XT_EINVAL;
	if (find(t, mac))
		return -XT_EEXIST;
	if (t->count >= MAC_TABLE_MAX_PORTS)
		return -XT_ENOSPC;
	while (t->slot[i].used)
		i = (i + 1) & (MAC_TABLE_SLOTS - 1);
	memcpy(t->slot[i].mac, mac, 6);
	t->slot[i].used = true;
	t->slot[i].port = (uint8_t)port;
	t->slot[i].network = network;
	t->count++;
	return 0;
}

int mac_table_lookup(const struct mac_table *t, const uint8_t mac[6], uint16_t *network)
{
	const struct mac_entry *e = find(t, mac);

	if (!e)
		return -1;
	if (network)
		*network = e->network;
	return e->port;
}

/* Linear probing cannot simply clear a slot: rebuild without the port. */
void mac_table_remove_port(struct mac_table *t, unsigned port)
{
	struct mac_table old = *t;

	mac_table_init(t);
	for (unsigned i = 0; i < MAC_TABLE_SLOTS; i++)
		if (old.slot[i].used && old.slot[i].port != port)
			mac_table_add(t, old.slot[i].mac, old.slot[i].port, old.slot[i].network);
}
