/* SPDX-License-Identifier: MIT */
#include "ether.h"

#include <string.h>

#include "lib/fmt.h"

const uint8_t mac_broadcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

bool mac_eq(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, ETH_ALEN);
}

bool mac_is_multicast(const uint8_t *m)
{
	return m[0] & 1;
}

bool mac_is_zero(const uint8_t *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

void mac_to_str(const uint8_t *m, char out[MAC_STR_LEN])
{
	xt_snprintf(out, MAC_STR_LEN, MAC_FMT, MAC_ARGS(m));
}

void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

unsigned eth_put_header(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f + ETH_OFF_DST, dst, ETH_ALEN);
	memcpy(f + ETH_OFF_SRC, src, ETH_ALEN);
	put_be16(f + ETH_OFF_TYPE, type);
	return ETH_HLEN;
}
