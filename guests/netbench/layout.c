/* SPDX-License-Identifier: MIT */
/* netbench's layouts: IPv4/TCP frames as Linux's e1000 driver queues them
 * (see layout.h); descriptor formats from the 8254x SDM ("Transmit
 * Descriptors": TCP/IP context and data descriptors). */
#include "layout.h"

#include <string.h>

#include "ether.h"
#include "frame.h"

#define IP_OFF ETH_HLEN
#define TCP_OFF (IP_OFF + 20)
#define TCP_CSUM_OFF (TCP_OFF + 16)
#define IPPROTO_TCP 6
#define MSS_LINUX 1460
#define MSS_JUMBO 8960
#define TSO_SEGS_LINUX 44      /* 64,240 payload bytes */
#define TSO_SEGS_JUMBO 7       /* 62,720 */
#define TSO_PAYLOAD_MAX 65536
#define SPORT 5001
#define DPORT 5002
#define TCP_ACK_PSH 0x18
/* Context/data descriptor bits (SDM): DTYP in bits 23:20 of dword 2. */
#define DTYP_DATA (1U << 4)     /* in the byte at offset 10 */
#define TUCMD_TCP (1U << 0)
#define TUCMD_IP (1U << 1)
#define CMD_TSE (1U << 2)
#define POPTS_IXSM (1U << 0)
#define POPTS_TXSM (1U << 1)

static const uint8_t ip_src[4] = { 10, 0, 0, 1 }, ip_dst[4] = { 10, 0, 0, 2 };
static uint8_t mac_dst[ETH_ALEN], mac_src[ETH_ALEN];
/* One page per TX descriptor slot, the caller's buffers (not the driver's,
 * whose 2048-byte buffers would overlap them). */
static uint8_t arena[E1000_NUM_TX][NB_PAGE] __attribute__((aligned(NB_PAGE)));
static uint8_t pat[TSO_PAYLOAD_MAX] __attribute__((aligned(64)));
static uint8_t hdr[NB_IP_HLEN];
static struct nb_spec hdr_for;
static bool hdr_valid;

static const char *const names[NB_NLAYOUTS] = { "aligned", "linux", "jumbo" };

const char *nb_layout_name(enum nb_layout l)
{
	return l < NB_NLAYOUTS ? names[l] : "?";
}

bool nb_layout_parse(const char *s, size_t len, enum nb_layout *l)
{
	for (unsigned i = 0; i < NB_NLAYOUTS; i++)
		if (strlen(names[i]) == len && !strncmp(s, names[i], len)) {
			*l = (enum nb_layout)i;
			return true;
		}
	return false;
}

unsigned nb_mss(enum nb_layout l)
{
	return l == NB_JUMBO ? MSS_JUMBO : MSS_LINUX;
}

void nb_spec_init(struct nb_spec *s, enum nb_layout l, bool tso, unsigned size)
{
	s->layout = l;
	s->tso = tso && l != NB_ALIGNED;
	s->size = s->tso ? NB_IP_HLEN + nb_mss(l) * (l == NB_JUMBO ? TSO_SEGS_JUMBO : TSO_SEGS_LINUX)
			 : size;
}

unsigned nb_segs(const struct nb_spec *s)
{
	unsigned mss = nb_mss(s->layout);

	return s->tso ? (s->size - NB_IP_HLEN + mss - 1) / mss : 1;
}

unsigned nb_descs(const struct nb_spec *s)
{
	if (s->layout == NB_ALIGNED)
		return 1;
	if (s->layout == NB_LINUX && !s->tso)
		return 2;
	return 2 + (s->size - NB_IP_HLEN + NB_PAGE - 1) / NB_PAGE;
}

unsigned nb_seg_len(const struct nb_spec *s, unsigned k)
{
	unsigned mss = nb_mss(s->layout), pay = s->size - NB_IP_HLEN;

	if (!s->tso)
		return s->size;
	return NB_IP_HLEN + (pay - k * mss < mss ? pay - k * mss : mss);
}

void nb_ip_setup(const uint8_t *dst, const uint8_t *src)
{
	memcpy(mac_dst, dst, ETH_ALEN);
	memcpy(mac_src, src, ETH_ALEN);
	for (unsigned i = 0; i < TSO_PAYLOAD_MAX; i++)
		pat[i] = (uint8_t)(i * 7);
	hdr_valid = false;
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The 54 header bytes of every frame of spec s, seq 0: IPv4 total length
 * and checksum (TSO: both 0, the NIC writes them per segment), TCP
 * checksum seeded with the pseudo-header (TSO: without the length), as
 * Linux leaves them for the NIC. */
static void build_hdr(const struct nb_spec *s)
{
	uint8_t *ip = hdr + IP_OFF, *tcp = hdr + TCP_OFF;
	uint32_t l4 = s->size - TCP_OFF, ps;

	eth_put_header(hdr, mac_dst, mac_src, 0x0800);
	memset(ip, 0, NB_IP_HLEN - IP_OFF);
	ip[0] = 0x45;
	put_be16(ip + 2, (uint16_t)(s->tso ? 0 : s->size - IP_OFF));
	put_be16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, ip_src, 4);
	memcpy(ip + 16, ip_dst, 4);
	if (!s->tso)
		put_be16(ip + 10, (uint16_t)~fold(sum16(0, ip, 20)));
	put_be16(tcp, SPORT);
	put_be16(tcp + 2, DPORT);
	tcp[12] = 5 << 4;
	tcp[13] = TCP_ACK_PSH;
	put_be16(tcp + 14, 0xffff);
	ps = sum16(0, ip_src, 4) + sum16(0, ip_dst, 4) + IPPROTO_TCP + (s->tso ? 0 : l4);
	put_be16(tcp + 16, fold(ps));
	hdr_for = *s;
	hdr_valid = true;
}

static struct e1000_tx_desc ctx_desc(uint8_t ipcss, uint8_t ipcso, uint16_t ipcse, uint8_t tucss,
				     uint8_t tucso, uint16_t tucse, uint8_t tucmd, uint32_t paylen,
				     uint8_t hdrlen, uint16_t mss)
{
	struct e1000_tx_desc d;

	d.addr = (uint64_t)ipcss | (uint64_t)ipcso << 8 | (uint64_t)ipcse << 16 |
		 (uint64_t)tucss << 32 | (uint64_t)tucso << 40 | (uint64_t)tucse << 48;
	d.length = (uint16_t)paylen;
	d.cso = (uint8_t)((paylen >> 16) & 0xf); /* DTYP 0: context */
	d.cmd = (uint8_t)(tucmd | E1000_TXD_CMD_DEXT);
	d.status = 0;
	d.css = hdrlen;
	d.special = mss;
	return d;
}

static struct e1000_tx_desc data_desc(const void *buf, uint32_t len, uint8_t dcmd, uint8_t popts)
{
	struct e1000_tx_desc d;

	d.addr = (uint64_t)(uintptr_t)buf;
	d.length = (uint16_t)len;
	d.cso = (uint8_t)(((len >> 16) & 0xf) | DTYP_DATA);
	d.cmd = (uint8_t)(dcmd | E1000_TXD_CMD_DEXT | E1000_TXD_CMD_IFCS);
	d.status = 0;
	d.css = popts;
	d.special = 0;
	return d;
}

/* Where the header (linux: the whole frame) of packet seq starts in its
 * page: Linux's headroom (NET_SKB_PAD + NET_IP_ALIGN = 66) plus a step
 * that changes per frame; never page aligned, never past the page. */
static unsigned head_off(uint32_t seq)
{
	return 66 + (seq % 16) * 122;
}

void nb_ip_queue(struct e1000_nic *nic, const struct nb_spec *s, uint32_t seq)
{
	struct e1000_tx_desc d[NB_TSO_MAX_DESCS];
	unsigned t = nic->tx_tail, n = 0, pay = s->size - NB_IP_HLEN, segs = nb_segs(s);
	uint8_t popts = s->tso ? POPTS_IXSM | POPTS_TXSM : POPTS_TXSM;
	uint8_t tse = s->tso ? CMD_TSE : 0;
	uint8_t *h, *first = NULL, *last = NULL;

	if (!hdr_valid || hdr_for.layout != s->layout || hdr_for.tso != s->tso ||
	    hdr_for.size != s->size)
		build_hdr(s);
	if (s->tso)
		d[n++] = ctx_desc(IP_OFF, IP_OFF + 10, TCP_OFF - 1, TCP_OFF, TCP_CSUM_OFF, 0,
				  CMD_TSE | TUCMD_IP | TUCMD_TCP, pay, NB_IP_HLEN,
				  (uint16_t)nb_mss(s->layout));
	else
		d[n++] = ctx_desc(0, 0, 0, TCP_OFF, TCP_CSUM_OFF, 0, TUCMD_TCP, 0, 0, 0);
	h = arena[(t + n) % E1000_NUM_TX] + head_off(seq);
	memcpy(h, hdr, NB_IP_HLEN);
	put_be32(h + TCP_OFF + 4, seq << 16);
	if (s->layout == NB_LINUX && !s->tso) {
		memcpy(h + NB_IP_HLEN, pat, pay);
		first = h + NB_IP_HLEN;
		last = h + s->size - 1;
		d[n++] = data_desc(h, s->size, E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS, popts);
	} else {
		d[n++] = data_desc(h, NB_IP_HLEN, tse, popts);
		for (unsigned p = 0; p < pay; p += NB_PAGE) {
			uint8_t *b = arena[(t + n) % E1000_NUM_TX];
			unsigned c = pay - p < NB_PAGE ? pay - p : NB_PAGE;

			memcpy(b, pat + p, c);
			if (!p)
				first = b;
			last = b + c - 1;
			d[n++] = data_desc(b, c, tse, popts);
		}
		d[n - 1].cmd |= E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS;
	}
	*first = nb_chk_mid(seq);
	*last = nb_chk_last(seq);
	e1000_tx_queue_raw(nic, d, n, segs, s->size + (segs - 1) * NB_IP_HLEN);
}

bool nb_ip_is(const uint8_t *f, size_t len, const uint8_t *src, const uint8_t *dst)
{
	return len >= NB_IP_HLEN && eth_type(f) == 0x0800 && mac_eq(f + ETH_OFF_SRC, src) &&
	       mac_eq(f + ETH_OFF_DST, dst) && f[IP_OFF] == 0x45 && f[IP_OFF + 9] == IPPROTO_TCP;
}

static uint8_t rx_byte(const struct nb_rxview *v, size_t o)
{
	unsigned bs = v->nic->buf_size;

	return e1000_rx_buf(v->nic, (unsigned)((v->first + o / bs) % E1000_NUM_RX))[o % bs];
}

/* The offloads' work, checked on the first frame of every stream (too
 * slow for every frame): IPv4 header checksum, TCP checksum over the
 * pseudo-header and the segment. */
static bool csums_ok(const struct nb_rxview *v)
{
	uint32_t sum = 0, l4 = (uint32_t)v->len - TCP_OFF;

	for (size_t o = IP_OFF; o < TCP_OFF; o += 2)
		sum += (uint32_t)rx_byte(v, o) << 8 | rx_byte(v, o + 1);
	if (fold(sum) != 0xffff)
		return false;
	sum = sum16(0, ip_src, 4) + sum16(0, ip_dst, 4) + IPPROTO_TCP + l4;
	for (size_t o = TCP_OFF; o < v->len; o += 2)
		sum += (uint32_t)rx_byte(v, o) << 8 | (o + 1 < v->len ? rx_byte(v, o + 1) : 0);
	return fold(sum) == 0xffff;
}

const char *nb_ip_verify(const struct nb_rxview *v, const struct nb_spec *s, const uint8_t *src,
			 const uint8_t *dst, uint32_t got)
{
	const uint8_t *f = e1000_rx_buf(v->nic, v->first);
	unsigned segs = nb_segs(s), k = got % segs, mss = nb_mss(s->layout);
	uint32_t pkt = got / segs, off = s->tso ? k * mss : 0, pay = s->size - NB_IP_HLEN;
	size_t n, at[3];

	if (!nb_ip_is(f, v->len, src, dst))
		return "header";
	if (v->len != nb_seg_len(s, k) || get_be16(f + IP_OFF + 2) != v->len - IP_OFF)
		return "length";
	if (get_be32(f + TCP_OFF + 4) != (pkt << 16) + off)
		return "sequence";
	n = v->len - NB_IP_HLEN;
	at[0] = 0;
	at[1] = n / 2;
	at[2] = n - 1;
	for (unsigned i = 0; i < 3; i++) {
		uint32_t po = off + (uint32_t)at[i];
		uint8_t want = po == 0 ? nb_chk_mid(pkt)
			       : po == pay - 1 ? nb_chk_last(pkt) : (uint8_t)(po * 7);

		if (rx_byte(v, NB_IP_HLEN + at[i]) != want)
			return "payload";
	}
	if (!got && !csums_ok(v))
		return "checksum";
	return NULL;
}
