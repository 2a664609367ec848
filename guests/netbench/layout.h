/* SPDX-License-Identifier: MIT */
/*
 * netbench's buffer layouts (tests/bench/bench.py, docs/performance.md):
 *   aligned  page-aligned whole-page buffers (RX 4096, TX addresses written
 *            at ring setup), one legacy descriptor per frame: netbench's
 *            own frames (frame.h);
 *   linux    what Linux's e1000 driver does at MTU 1500: 2 KiB RX buffers
 *            two per page; each frame an IPv4/TCP frame at an offset in
 *            its TX page that changes from frame to frame (never page
 *            aligned), sent as a context descriptor (TCP checksum offload:
 *            TUCSS 34, TUCSO 50, TUCSE 0, as e1000_tx_csum) plus one data
 *            descriptor with POPTS.TXSM;
 *   jumbo    Linux at MTU 9000: whole-page RX buffers with RCTL.LPE (a
 *            frame longer than a page spreads over several RX
 *            descriptors); on TX a context descriptor, the 54 header
 *            bytes in one buffer and the payload in page-sized fragments.
 * With tso, linux and jumbo also send TSO super-frames (e1000_tso): the
 * context descriptor with TSE, IP and TCP checksum insertion, header
 * buffer, payload in page-sized fragments; NB_TSO_SEGS(layout) segments of
 * the layout's MSS (64,240 and 62,720 payload bytes).
 *
 * IPv4/TCP frames: 14 Ethernet + 20 IP (10.0.0.1 -> 10.0.0.2) + 20 TCP
 * (5001 -> 5002, ACK|PSH), then the payload: byte p of a (super-)frame's
 * payload is (uint8_t)(p * 7), except byte 0 (nb_chk_mid(seq)) and the
 * last (nb_chk_last(seq)); the TCP sequence number is seq << 16 (TSO: plus
 * the segment's payload offset, as the NIC writes it), so that the
 * receiver knows which frame (and segment) it holds.
 */
#ifndef XTALK_NETBENCH_LAYOUT_H
#define XTALK_NETBENCH_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "e1000.h"

enum nb_layout { NB_ALIGNED, NB_LINUX, NB_JUMBO, NB_NLAYOUTS };

#define NB_IP_HLEN 54          /* Ethernet + IPv4 + TCP headers */
#define NB_JUMBO_MAX 9014      /* MTU 9000 */
#define NB_PAGE 4096
#define NB_TSO_MAX_DESCS 18    /* context + header + 16 payload pages */

struct nb_spec {
	enum nb_layout layout;
	bool tso;
	unsigned size;         /* frame length without FCS; tso: the super-frame's */
};

const char *nb_layout_name(enum nb_layout l);
bool nb_layout_parse(const char *s, size_t len, enum nb_layout *l);
/* A spec for layout l: size (or a TSO super-frame when tso). */
void nb_spec_init(struct nb_spec *s, enum nb_layout l, bool tso, unsigned size);
unsigned nb_mss(enum nb_layout l);
unsigned nb_segs(const struct nb_spec *s);        /* wire frames per packet */
unsigned nb_descs(const struct nb_spec *s);       /* TX descriptors per packet */
/* Wire length of segment k of packet (without FCS). */
unsigned nb_seg_len(const struct nb_spec *s, unsigned k);

/* Addresses of the IPv4/TCP frames. */
void nb_ip_setup(const uint8_t *dst, const uint8_t *src);
/* Queue packet seq (descriptors free: the caller checked). */
void nb_ip_queue(struct e1000_nic *nic, const struct nb_spec *s, uint32_t seq);

/* A received frame in place: first RX descriptor and length (no FCS). */
struct nb_rxview {
	struct e1000_nic *nic;
	unsigned first;
	size_t len;
};

/* NULL if v is wire frame got (0, 1, ...) of a stream of packets s from
 * src to dst, else what differs. */
const char *nb_ip_verify(const struct nb_rxview *v, const struct nb_spec *s, const uint8_t *src,
			 const uint8_t *dst, uint32_t got);
/* An IPv4/TCP frame from src to dst (first buffer). */
bool nb_ip_is(const uint8_t *f, size_t len, const uint8_t *src, const uint8_t *dst);

#endif
