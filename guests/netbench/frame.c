/* SPDX-License-Identifier: MIT */
#include "frame.h"

void nb_build(uint8_t *f, size_t size, const uint8_t *dst, const uint8_t *src, uint8_t kind)
{
	eth_put_header(f, dst, src, NB_TYPE);
	f[NB_OFF_KIND] = kind;
	f[NB_OFF_ARG] = 0;
	put_be32(f + NB_OFF_SEQ, 0);
	put_be16(f + NB_OFF_SIZE, (uint16_t)size);
	put_be32(f + NB_OFF_A, 0);
	put_be32(f + NB_OFF_B, 0);
	put_be32(f + NB_OFF_C, 0);
	for (size_t i = NB_OFF_PAT; i < size; i++)
		f[i] = (uint8_t)i;
}

const char *nb_verify(const uint8_t *f, size_t len, const uint8_t *src, uint8_t kind, size_t size,
		      uint32_t seq)
{
	if (len != size)
		return "length";
	if (eth_type(f) != NB_TYPE || f[NB_OFF_KIND] != kind || !mac_eq(f + ETH_OFF_SRC, src))
		return "header";
	if (get_be16(f + NB_OFF_SIZE) != size)
		return "size field";
	if (get_be32(f + NB_OFF_SEQ) != seq)
		return "sequence";
	if (f[NB_OFF_PAT] != (uint8_t)NB_OFF_PAT || f[nb_mid(size)] != nb_chk_mid(seq) ||
	    f[size - 1] != nb_chk_last(seq))
		return "payload";
	return NULL;
}
