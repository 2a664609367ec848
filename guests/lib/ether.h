/* SPDX-License-Identifier: MIT */
/* Ethernet frame helpers: header layout, MAC addresses, big-endian fields. */
#ifndef XTALK_GUEST_ETHER_H
#define XTALK_GUEST_ETHER_H

#include <stdbool.h>
#include <stdint.h>

#define ETH_ALEN 6
#define ETH_HLEN 14        /* dst, src, ethertype */
#define ETH_ZLEN 60        /* shortest frame without FCS (shorter ones get padded) */
#define ETH_FRAME_MAX 1514 /* longest untagged frame without FCS */
#define ETH_FCS_LEN 4

#define ETH_OFF_DST 0
#define ETH_OFF_SRC 6
#define ETH_OFF_TYPE 12

/* "%02x:...": print(MAC_FMT, MAC_ARGS(m)) */
#define MAC_FMT "%02x:%02x:%02x:%02x:%02x:%02x"
#define MAC_ARGS(m) (m)[0], (m)[1], (m)[2], (m)[3], (m)[4], (m)[5]
#define MAC_STR_LEN 18 /* with the NUL */

extern const uint8_t mac_broadcast[ETH_ALEN];

bool mac_eq(const uint8_t *a, const uint8_t *b);
bool mac_is_multicast(const uint8_t *m); /* broadcast included */
bool mac_is_zero(const uint8_t *m);
void mac_to_str(const uint8_t *m, char out[MAC_STR_LEN]);

void put_be16(uint8_t *p, uint16_t v);
void put_be32(uint8_t *p, uint32_t v);
uint16_t get_be16(const uint8_t *p);
uint32_t get_be32(const uint8_t *p);

/* Write dst, src and ethertype; returns ETH_HLEN. */
unsigned eth_put_header(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type);
static inline uint16_t eth_type(const uint8_t *f)
{
	return (uint16_t)(f[ETH_OFF_TYPE] << 8 | f[ETH_OFF_TYPE + 1]);
}

#endif
