/* SPDX-License-Identifier: MIT */
/*
 * Model of an Intel 82540EM gigabit NIC (e1000): its registers, interrupts
 * and descriptor rings, as the guest's own driver sees them. Pure device
 * logic: the VMM traps the guest's MMIO/IO accesses and calls
 * e1000_mmio_* / e1000_io_*; DMA goes through ops->dma_map. Moving frames is
 * the data path's job (the VMM's bridge, the cross-talk path): it uses the
 * primitives e1000_tx_peek/tx_complete and e1000_rx_* and never touches the
 * register state. See docs/e1000.md for what is modelled, register by
 * register.
 *
 * Files: e1000.c (registers, interrupts, reset, statistics), e1000_tx.c
 * (transmit ring, offloads), e1000_rx.c (receive filter and ring). The
 * EEPROM (EECD/EERD) and the PHY (MDIC) are their own modules.
 *
 * Every register value and every byte of guest memory is treated as
 * hostile: each call does bounded work (at most one pass over a ring),
 * touches only memory that dma_map returned or the bounce buffer, and copies
 * each descriptor out of guest memory once before using it.
 *
 * Not reentrant per device: the owner serialises calls on one struct e1000
 * (callbacks may call back into the model, e.g. tx_kick may run the data
 * path, which calls e1000_tx_peek).
 */
#ifndef XTALK_DEVICES_E1000_H
#define XTALK_DEVICES_E1000_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/e1000_eeprom.h"
#include "devices/e1000_phy.h"
#include "devices/e1000_regs.h"

#define E1000_MMIO_SIZE		0x20000	/* BAR0 */
#define E1000_IO_SIZE		8	/* BAR1 (I/O): IOADDR at +0, IODATA at +4 */
/*
 * Longest frames on the wire, counting the VLAN tag and the 4-byte FCS (the
 * SDM: "packets longer than 1522 bytes are discarded" without RCTL.LPE; Linux
 * sizes its non-jumbo RX buffers to exactly 1522 bytes). A frame handed
 * between NICs carries no FCS, so it may be E1000_CRC_LEN shorter.
 */
#define E1000_MAX_FRAME_STD	1522	/* without RCTL.LPE */
#define E1000_MAX_FRAME_JUMBO	16128	/* with RCTL.LPE; also the bounce buffer size */
#define E1000_MIN_FRAME		14	/* a TX frame must hold an Ethernet header */
#define E1000_PAD_FRAME		60	/* TCTL.PSP pads shorter TX frames (64 with FCS) */
#define E1000_TX_MAX_SEGS	64	/* data descriptors per TX frame */
#define E1000_RX_MAX_DESC	64	/* RX descriptors per frame: jumbo max / 256 + 1 */
#define E1000_CRC_LEN		4	/* FCS; in RX buffers as zeros unless SECRC */
#define E1000_VLAN_TAG_LEN	4
/*
 * TCP segmentation (TSO): the prototype header is held on chip in a 240-byte
 * buffer (SDM "IP/TCP/UDP Header Updating"), so HDRLEN may be at most that.
 * HDRLEN + PAYLEN of one packet is capped at 256 KiB (PAYLEN itself has 20
 * bits; Linux never sends more than 64 KiB).
 */
#define E1000_TSO_HDR_MAX	240
#define E1000_TSO_MAX		(256u << 10)

struct e1000_seg {
	const uint8_t *data;
	uint32_t len;
	uint64_t gpa;	/* where data is in the sender's RAM; 0 for the bounce buffer */
};

/* One frame from the TX ring, ready to deliver. */
struct e1000_frame {
	unsigned nseg;
	struct e1000_seg seg[E1000_TX_MAX_SEGS];	/* into the sender's RAM or bounce buffer */
	uint32_t len;					/* total bytes */
	unsigned ndesc;					/* data descriptors this frame used */
	bool bounced;					/* gathered into the bounce buffer */
};

/* Bad guest input, each counted in e1000.errors[] and reported through ops->error. */
enum e1000_err {
	E1000_ERR_RING_LEN,	/* TDLEN/RDLEN zero or not a multiple of 128 */
	E1000_ERR_RING_INDEX,	/* TDH/TDT/RDH/RDT beyond the ring */
	E1000_ERR_RING_DMA,	/* ring base/length outside guest RAM (or in MMIO) */
	E1000_ERR_BUF_DMA,	/* a buffer address outside guest RAM */
	E1000_ERR_ZERO_LEN,	/* zero-length TX data descriptor */
	E1000_ERR_NO_EOP,	/* more than E1000_TX_MAX_SEGS TX descriptors without EOP */
	E1000_ERR_SHORT_FRAME,	/* TX frame shorter than 14 bytes */
	E1000_ERR_LONG_FRAME,	/* TX frame longer than the maximum without LPE / jumbo max */
	E1000_ERR_BAD_DESC,	/* reserved DTYP, mixed kinds (or TSE and not) in a frame */
	E1000_ERR_BAD_OFFLOAD,	/* checksum offsets beyond the frame, or no context loaded */
	E1000_ERR_BAD_TSO,	/* TSO: no TSE context, HDRLEN/MSS/PAYLEN absurd or not matching */
	E1000_ERR_COUNT
};

const char *e1000_err_name(enum e1000_err e);

/*
 * Register accesses the guest made through BAR0 (or the I/O window), by
 * register: the ones a driver makes per frame or per interrupt, then the
 * rest together. Each is a VM exit in the VMM: the summary prints them, so
 * the exits of a workload can be named register by register.
 */
enum e1000_reg_kind {
	E1000_RK_CTRL, E1000_RK_STATUS, E1000_RK_ICR, E1000_RK_ITR, E1000_RK_ICS, E1000_RK_IMS,
	E1000_RK_IMC, E1000_RK_RCTL, E1000_RK_TCTL, E1000_RK_RDH, E1000_RK_RDT, E1000_RK_TDH,
	E1000_RK_TDT, E1000_RK_STATS, E1000_RK_OTHER, E1000_RK_COUNT
};
const char *e1000_reg_kind_name(enum e1000_reg_kind k);

struct e1000_ops {
	/* Host pointer to [gpa, gpa+len) of the guest's RAM, or NULL if any byte of it is not RAM. */
	void *(*dma_map)(void *ctx, uint64_t gpa, uint64_t len);
	/* The same for memory the device writes (the descriptor rings): NULL
	 * also where the guest may only read (a page another guest shares
	 * with it read-only). NULL op: dma_map is used. */
	void *(*dma_map_rw)(void *ctx, uint64_t gpa, uint64_t len);
	/* INTx line: (ICR & IMS) != 0 after throttling; called on changes only. */
	void (*set_irq)(void *ctx, bool level);
	/* TDT written or TCTL.EN set: the data path should call e1000_tx_peek. */
	void (*tx_kick)(void *ctx);
	/* RDT written or RCTL.EN set: blocked senders may retry. */
	void (*rx_kick)(void *ctx);
	/* CTRL.RST (MMIO or I/O window) or e1000_reset: forget in-flight state. */
	void (*reset)(void *ctx);
	/* TCTL.EN (tx = true) or RCTL.EN was cleared: the data path stops using that side. */
	void (*disabled)(void *ctx, bool tx);
	/* Bad input seen (already counted); detail: the offending value or index. */
	void (*error)(void *ctx, enum e1000_err e, uint64_t detail);
	/* Monotonic time in ns, for ITR throttling. NULL: no throttling. */
	uint64_t (*now_ns)(void *ctx);
	/* A value that changes whenever dma_map might answer differently for
	 * the same range (bus mastering switched, guest pages remapped). With
	 * it the descriptor rings' mappings are kept between accesses; NULL:
	 * every access maps again. */
	uint64_t (*dma_epoch)(void *ctx);
};

/* One descriptor ring's mapping, valid while (gpa, len, epoch) hold. */
struct e1000_ring_map {
	uint64_t gpa, len, epoch;
	uint8_t *va;				/* NULL: nothing kept */
};
enum { E1000_RING_TX, E1000_RING_RX };

/* Offload parameters from the last context descriptor. */
struct e1000_tx_ctx {
	uint8_t ipcss, ipcso;
	uint16_t ipcse;
	uint8_t tucss, tucso;
	uint16_t tucse;
	uint8_t tucmd;
	uint8_t hdrlen;		/* TSO only: prototype header length */
	uint16_t mss;		/* TSO only: payload bytes per frame */
	uint32_t paylen;	/* TSO only: payload bytes of the whole packet */
	bool valid;		/* a context descriptor was seen since reset */
};

/*
 * The TCP segmentation packet being cut into frames: its descriptors as read
 * once, the context it uses and the prototype header, copied when its first
 * frame is built. Frame k is HDRLEN header bytes then payload bytes
 * [k * MSS, (k + 1) * MSS) of PAYLEN.
 */
struct e1000_tso {
	bool active;
	uint32_t head;		/* its first descriptor */
	uint16_t ndesc;
	uint64_t rs;		/* bit k: descriptor head+k asked for status */
	uint8_t popts;		/* IXSM/TXSM of its first descriptor */
	bool vlan;		/* VLE (on the EOP descriptor) and CTRL.VME */
	uint16_t special;	/* VLAN tag */
	uint32_t frames;	/* ceil(PAYLEN / MSS) */
	uint32_t next;		/* the frame e1000_tx_peek/fetch hands out next */
	struct e1000_tx_ctx ctx;
	uint8_t hdr[E1000_TSO_HDR_MAX];
	uint64_t addr[E1000_TX_MAX_SEGS];	/* its buffers, header first */
	uint32_t len[E1000_TX_MAX_SEGS];
};

/* The frame e1000_tx_peek last returned, until e1000_tx_complete. */
struct e1000_tx_pending {
	bool valid;
	uint32_t head;		/* TDH of its first descriptor */
	unsigned ndesc;
	uint64_t rs;		/* bit k: descriptor head+k asked for status (RS/RPS) */
	uint32_t len;		/* bytes as delivered (after VLAN insertion) */
	uint8_t dst[6];		/* destination address, for BPTC/MPTC */
	bool tso;		/* frame tso_frame of the TSO packet at head */
	bool tso_last;		/* its last frame: ndesc and rs are the packet's */
	uint32_t tso_frame;
};

/* A frame handed out by e1000_tx_fetch and not yet handed back to the guest. */
#define E1000_TX_INFLIGHT 256
struct e1000_tx_flight {
	uint32_t head;		/* its first descriptor */
	uint16_t ndesc;
	bool done;		/* delivered or dropped: may be handed back */
	bool frame;		/* a good frame (counted in the statistics when handed back) */
	uint64_t rs;
	uint32_t len;
	uint8_t dst[6];
	bool tso;		/* frame tso_frame of the TSO packet at head (ndesc 0 */
	bool tso_last;		/* but for the last one, which hands back all of it) */
	uint32_t tso_frame;
};

/* Store-only registers (see the table in e1000.c). */
#define E1000_STORED_REGS	24
#define E1000_STATS_REGS	((E1000_STATS_END - E1000_STATS_BASE) / 4)

/*
 * Good frames of one direction as plain sums, folded into the statistics
 * registers before the guest reads any of them (e1000_stats_fold): the
 * data path adds to four or five 64-bit sums per frame instead of a
 * saturating read-modify-write of each register. The registers read the
 * same: every sum only grows, and saturation applies when it is folded.
 */
struct e1000_stat_sums {
	uint64_t frames, octets;	/* octets on the wire, CRC included */
	uint64_t bcast, mcast;
	uint64_t size[7];		/* PxC64 .. PxC1522; [6]: longer, in no register */
};

struct e1000 {
	const struct e1000_ops *ops;
	void *ctx;
	uint8_t *bounce;			/* E1000_MAX_FRAME_JUMBO bytes supplied by the owner */
	uint64_t errors[E1000_ERR_COUNT];
	uint64_t unknown_reg_accesses;		/* reads/writes of unmodelled offsets, bad sizes */
	uint64_t reg_reads[E1000_RK_COUNT];	/* guest accesses by register (e1000_reg_kind) */
	uint64_t reg_writes[E1000_RK_COUNT];

	/* Registers with behaviour. */
	uint32_t ctrl, rctl, tctl;
	uint32_t icr, ims, itr;
	uint32_t ioaddr;
	uint32_t tdbal, tdbah, tdlen, tdh, tdt;	/* tdlen/rdlen: raw bits 19:0 as written */
	uint32_t rdbal, rdbah, rdlen, rdh, rdt;
	uint32_t ral[E1000_RAR_ENTRIES], rah[E1000_RAR_ENTRIES];
	uint32_t mta[E1000_MTA_SIZE];
	uint32_t vfta[E1000_VFTA_SIZE];
	uint32_t stored[E1000_STORED_REGS];
	uint32_t stats[E1000_STATS_REGS];	/* 0x4000..0x40fc, saturating */
	struct e1000_stat_sums rx_sums, tx_sums;	/* good frames not yet in stats[] */

	struct e1000_eeprom eeprom;
	struct e1000_phy phy;

	struct e1000_tx_ctx tx_ctx;
	struct e1000_tso tso;
	struct e1000_tx_pending tx_pend;
	uint32_t tx_cur;			/* next descriptor e1000_tx_fetch scans */
	unsigned fl_first, fl_count;		/* frames in flight, oldest first */
	uint16_t fl_gen;			/* bumped when in-flight ids go stale */
	struct e1000_tx_flight flight[E1000_TX_INFLIGHT];
	struct e1000_ring_map ring_map[2];	/* E1000_RING_TX, E1000_RING_RX */
	bool tx_ring_reported;			/* broken TX ring reported since the last kick */
	bool rx_ring_reported;
	bool rx_batch;				/* e1000_rx_batch_begin: interrupts held */
	bool rx_batch_delivered;		/* a frame went into the ring meanwhile */

	bool link_up;				/* last PHY link state seen (for ICR.LSC) */

	/* INTx line and ITR throttling. */
	bool irq_level;
	bool irq_asserted_once;
	uint64_t irq_last_ns;			/* when the line last went up */
};

/* Power-on: EEPROM image for mac, PHY at power-on values, then e1000_reset
 * without calling ops->reset. bounce: E1000_MAX_FRAME_JUMBO bytes. */
void e1000_init(struct e1000 *d, const uint8_t mac[6], const struct e1000_ops *ops, void *ctx,
		uint8_t *bounce);
/* As CTRL.RST: registers to defaults, RAL0/RAH0 <- EEPROM MAC (AV set),
 * EEPROM contents and PHY registers kept; calls ops->reset. */
void e1000_reset(struct e1000 *d);

/* BAR0 accesses, offset < E1000_MMIO_SIZE, size 1, 2 or 4, naturally aligned
 * (anything else reads 0 / is ignored and counts in unknown_reg_accesses). */
uint32_t e1000_mmio_read(struct e1000 *d, uint32_t offset, unsigned size);
void e1000_mmio_write(struct e1000 *d, uint32_t offset, unsigned size, uint32_t val);
/* BAR1 (I/O): 32-bit accesses at IOADDR (+0) and IODATA (+4). */
uint32_t e1000_io_read(struct e1000 *d, uint32_t offset, unsigned size);
void e1000_io_write(struct e1000 *d, uint32_t offset, unsigned size, uint32_t val);

/* ---------------------------------------------------------- data path */
/*
 * Next complete frame at TDH (TCTL.EN set, ring valid): 1 = *f filled, its
 * descriptors not yet written back; 0 = nothing to send (or the frame's EOP
 * is not written yet). Bad frames are consumed here (counted, DD written back
 * where RS/RPS, TDH advanced) and the call goes on to the next frame; context
 * descriptors are consumed here too. A broken ring returns 0 and is reported
 * once per kick. Segments stay valid until the next call on this device
 * (bounced frames live in d->bounce).
 * A TCP segmentation packet comes out one frame per call (each bounced, at
 * most HDRLEN + MSS bytes); TDH stays on it until its last frame completes.
 */
int e1000_tx_peek(struct e1000 *d, struct e1000_frame *f);
/*
 * The frame from the last e1000_tx_peek was delivered (or dropped on purpose
 * by the data path): DD written back where RS/RPS, TDH advanced, TX
 * statistics counted, ICR.TXDW raised (when something was written back) and
 * TXQE when TDH == TDT. A call without a pending frame (or after the guest
 * rewrote the ring registers, or a reset) does nothing.
 */
void e1000_tx_complete(struct e1000 *d, const struct e1000_frame *f);

/*
 * Frames in flight, for a data path that completes frames later and out of
 * step with fetching them (cross-talk: a frame is done when the receiver has
 * returned its buffer). Do not mix with e1000_tx_peek on one device.
 * e1000_tx_fetch: the next frame after those in flight: 1 = *f filled and
 * queued, *id names it; 0 = nothing (or E1000_TX_INFLIGHT frames in flight).
 * Bad frames and context descriptors are queued as done. Segments stay valid
 * until the next fetch (bounced frames live in d->bounce). Each frame of a
 * TCP segmentation packet is its own entry; only the last one hands the
 * packet's descriptors back.
 * e1000_tx_unfetch: give back the frame just fetched (it will be fetched
 * again later: the receiver had no room).
 * e1000_tx_done: the frame was delivered or dropped; TDH moves over every
 * done frame at the head of the queue, in ring order, with DD where RS,
 * statistics, TXDW (and TXQE when TDH reaches TDT). Stale ids (after the
 * guest rewrote the ring registers or reset the device) are ignored.
 * e1000_tx_mark_done + e1000_tx_retire: e1000_tx_done for many frames with
 * one hand-back (TDH write-back, statistics, one interrupt cause update).
 * e1000_tx_fetch hands back the done frames at the head first, so frames
 * marked done between fetches never hold up the next fetch.
 */
int e1000_tx_fetch(struct e1000 *d, struct e1000_frame *f, unsigned *id);

/* A one-descriptor frame at the fetch cursor (e1000_tx_peek_simple). */
struct e1000_tx_simple {
	uint64_t gpa;		/* its buffer */
	const uint8_t *data;	/* mapped (e1000_tx_peek_simple leaves it to the caller) */
	uint32_t len;
	uint32_t idx;		/* its descriptor */
	bool rs;		/* RS/RPS: DD is written back */
	uint8_t *base;		/* the ring, kept for a burst (NULL: map it) */
	uint32_t ring;		/* its descriptors */
};
int e1000_tx_peek_simple(struct e1000 *d, struct e1000_tx_simple *t);
unsigned e1000_tx_take_simple(struct e1000 *d, const struct e1000_tx_simple *t);
void e1000_tx_unfetch(struct e1000 *d, unsigned id);
void e1000_tx_done(struct e1000 *d, unsigned id);
void e1000_tx_mark_done(struct e1000 *d, unsigned id);
void e1000_tx_retire(struct e1000 *d);
unsigned e1000_tx_inflight(const struct e1000 *d);

/* Would this NIC accept a frame for dst (RCTL.EN, PHY link up, the address filters)? */
bool e1000_rx_accepts(const struct e1000 *d, const uint8_t dst[6]);
/* RX descriptors owned by hardware (RDH..RDT); 0 if RX is off or the ring is invalid. */
unsigned e1000_rx_free(const struct e1000 *d);
/* The status byte of RX descriptor slot as the guest sees it now, or -1 when
 * the ring is invalid or slot beyond it. */
int e1000_rx_desc_status(struct e1000 *d, uint32_t slot);
/*
 * Copy f into the next RX buffer(s). 0 on success (*copied += bytes written
 * to guest buffers); -XT_EAGAIN: not enough free descriptors, nothing
 * written (wait for rx_kick); -XT_E2BIG: longer than RCTL allows (ROC) or
 * than the whole ring can ever hold (RNBC), dropped; -XT_EFAULT: bad ring
 * registers (RDLEN, RDH/RDT), or a buffer or
 * the ring is outside RAM, counted, the descriptors involved are written back
 * with RXE, dropped; -XT_EINVAL: f itself is malformed (segments not adding
 * up to len, NULL data, len 0 or over E1000_MAX_FRAME_JUMBO: a data path bug).
 * The caller decides with e1000_rx_accepts() whether the frame is for us.
 */
int e1000_rx_deliver(struct e1000 *d, const struct e1000_frame *f, uint64_t *copied);
/*
 * Zero copy: e1000_rx_peek_buffer gives the buffer address and size of the
 * free descriptor at RDH (-XT_EAGAIN: none free or RX off; -XT_EFAULT:
 * broken ring). Once the frame's len bytes are in that buffer (the data path
 * wrote them, or they are on a page shared with the sender),
 * e1000_rx_deliver_inplace writes the descriptor back (length includes the
 * FCS unless RCTL.SECRC, the FCS bytes themselves are not written), moves
 * RDH, counts and raises RXT0. -XT_ENOTSUP when the descriptor changed
 * since the peek or VLAN stripping is on (copy with e1000_rx_deliver
 * instead), -XT_E2BIG when it does not fit one buffer or RCTL.
 */
int e1000_rx_peek_buffer(struct e1000 *d, uint64_t *gpa, uint32_t *bufsize);
int e1000_rx_deliver_inplace(struct e1000 *d, uint64_t gpa, uint32_t len, const uint8_t dst[6]);
/* The descriptor at RDH for a zero-copy data path (e1000_rx_peek_slot). */
struct e1000_rx_slot {
	uint8_t *base;		/* the ring, kept for a burst (NULL: map it) */
	uint32_t n;		/* its descriptors */
	uint8_t *desc;		/* in the ring */
	uint64_t gpa;		/* its buffer, as read once */
	uint32_t bufsize;
	uint32_t next;		/* RDH after it */
};
int e1000_rx_peek_slot(struct e1000 *d, struct e1000_rx_slot *s);
int e1000_rx_put_slot(struct e1000 *d, const struct e1000_rx_slot *s, uint32_t len,
		      const uint8_t dst[6]);
void e1000_rx_signal(struct e1000 *d);
/*
 * A data path delivering a batch of frames: from e1000_rx_batch_begin to
 * e1000_rx_batch_end, e1000_rx_deliver and e1000_rx_deliver_inplace raise
 * no interrupt; the end raises RXT0 once if any frame was delivered (and
 * RXDMT0 if the free descriptors are at or below the threshold then: they
 * only fall during a batch, so that is where they crossed it). The guest
 * runs only after the end, so it sees what one interrupt per frame would
 * have left in ICR.
 */
void e1000_rx_batch_begin(struct e1000 *d);
void e1000_rx_batch_end(struct e1000 *d);
/* The data path dropped a frame meant for this NIC for lack of buffers: MPC++, ICR.RXO. */
void e1000_rx_missed(struct e1000 *d);
/* A frame from a peer dropped after the ring stayed without buffers too
 * long (the bounded wait of the data paths): RNBC++, then as e1000_rx_missed. */
void e1000_rx_no_buffers(struct e1000 *d);

/* Copy up to n bytes from offset off of the frame into dst; returns bytes copied. */
uint32_t e1000_frame_read(const struct e1000_frame *f, uint32_t off, void *dst, uint32_t n);

/* ITR: the now_ns time at which a throttled interrupt becomes due (0: none). */
uint64_t e1000_irq_deadline(const struct e1000 *d);
/* Call at (or after) that deadline. */
void e1000_irq_timer(struct e1000 *d);

/* ---------------------------------------------------------- internal */
/* Shared between devices/e1000*.c only; not for the VMM. */
void e1000_raise(struct e1000 *d, uint32_t causes);
void e1000_report(struct e1000 *d, enum e1000_err e, uint64_t detail);
void *e1000_dma(struct e1000 *d, uint64_t gpa, uint64_t len);
/* The same for memory the device writes (ops->dma_map_rw: never a page the
 * guest may only read, such as the receiving side of a shared page). */
void *e1000_dma_rw(struct e1000 *d, uint64_t gpa, uint64_t len);
/* e1000_dma for a descriptor ring (E1000_RING_TX/RX), kept while ops->dma_epoch holds. */
uint8_t *e1000_ring_dma(struct e1000 *d, unsigned ring, uint64_t gpa, uint64_t len);
/* Statistics (per frame on the data path, so inline): 32-bit counters and
 * 64-bit low/high pairs stick at all ones; *_size picks PxC64..PxC1522 by
 * the length on the wire (with CRC). */
static inline void e1000_stat_inc(struct e1000 *d, uint32_t reg)
{
	uint32_t *c = &d->stats[(reg - E1000_STATS_BASE) / 4];

	if (*c != UINT32_MAX)
		(*c)++;
}

static inline void e1000_stat_add64(struct e1000 *d, uint32_t reg_low, uint64_t v)
{
	uint32_t *c = &d->stats[(reg_low - E1000_STATS_BASE) / 4];
	uint64_t old = (uint64_t)c[1] << 32 | c[0], sum = old + v;

	if (sum < old)
		sum = UINT64_MAX;
	c[0] = (uint32_t)sum;
	c[1] = (uint32_t)(sum >> 32);
}

static inline bool e1000_mac_is_bcast(const uint8_t a[6])
{
	return (a[0] & a[1] & a[2] & a[3] & a[4] & a[5]) == 0xff;
}

static inline unsigned e1000_size_bucket(uint32_t wire_len)
{
	return wire_len <= 64 ? 0 : wire_len <= 127 ? 1 : wire_len <= 255 ? 2 :
	       wire_len <= 511 ? 3 : wire_len <= 1023 ? 4 : wire_len <= 1522 ? 5 : 6;
}

/* One good frame of wire_len bytes (CRC included) to dst, into a direction's sums. */
static inline void e1000_sums_add(struct e1000_stat_sums *s, uint32_t wire_len,
				  const uint8_t dst[6])
{
	s->frames++;
	s->octets += wire_len;
	s->size[e1000_size_bucket(wire_len)]++;
	if (dst[0] & 1)
		*(e1000_mac_is_bcast(dst) ? &s->bcast : &s->mcast) += 1;
}

/* The sums into the registers (before a statistics register is read). */
void e1000_stats_fold(struct e1000 *d);

/* Longest frame the receive control lets in, FCS included (RCTL.LPE). */
static inline uint32_t e1000_max_frame(const struct e1000 *d)
{
	return (d->rctl & E1000_RCTL_LPE) ? E1000_MAX_FRAME_JUMBO : E1000_MAX_FRAME_STD;
}

void e1000_tx_reset(struct e1000 *d);
void e1000_tx_flush(struct e1000 *d);
uint16_t e1000_vet(const struct e1000 *d);
/* Checksum offload (devices/e1000_tx.c): sum + the RFC 1071 sum of the
 * big-endian 16-bit words at p, n bytes (any alignment, any n), unfolded;
 * then folded to 16 bits and complemented, as inserted into a frame. sum
 * must stay below 2^32 - 2^16 (callers seed with 0 or a frame length). */
uint32_t e1000_csum_add(uint32_t sum, const uint8_t *p, uint32_t n);
uint16_t e1000_csum_fold(uint32_t sum);

#endif
