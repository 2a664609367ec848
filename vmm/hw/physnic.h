/* SPDX-License-Identifier: MIT */
/*
 * The VMM's own driver for the machine's physical Intel e1000-family NIC
 * (8254x register set, legacy descriptors): the device through which
 * guests' outside-bound frames leave and outside frames arrive.
 *
 * physnic.c is pure: every register access, DMA allocation and delay goes
 * through struct physnic_ops, it keeps no global state and executes no
 * privileged instruction, so it is tested on the host against xtalk's own
 * e1000 model acting as the hardware. physnic_pci.c is the privileged part:
 * it finds the device on the host's PCI buses (0xcf8/0xcfc), enables it and
 * supplies ops doing volatile 32-bit MMIO. See docs/physnic.md.
 *
 * No interrupts: the owner polls (physnic_tx_reap, physnic_rx_poll). Calls
 * on one struct physnic must be serialised; the done/rx callbacks may call
 * physnic_xmit (the driver's state is consistent when they run).
 */
#ifndef XTALK_VMM_PHYSNIC_H
#define XTALK_VMM_PHYSNIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct physnic_ops {
	/* 32-bit register access at a BAR0 offset. */
	uint32_t (*rd32)(void *ctx, uint32_t reg);
	void (*wr32)(void *ctx, uint32_t reg, uint32_t val);
	/* Zeroed, physically contiguous, 4 KiB aligned; never freed. NULL: no memory. */
	void *(*alloc_dma)(void *ctx, size_t size, uint64_t *hpa);
	/* Busy-wait at least us microseconds. */
	void (*delay_us)(void *ctx, unsigned us);
	void *ctx;
};

#define PHYSNIC_TX_DESC		256	/* one 4 KiB page of descriptors; 255 usable */
#define PHYSNIC_RX_DESC		256
#define PHYSNIC_RX_BUF		2048	/* RCTL.BSIZE 2048, BSEX 0 */
#define PHYSNIC_MAX_SEGS	8	/* per frame handed to physnic_xmit */
#define PHYSNIC_MIN_FRAME	14	/* an Ethernet header; TCTL.PSP pads to 60 */
#define PHYSNIC_MAX_FRAME	1518	/* FCS excluded: 1514 + one 802.1Q tag (no LPE) */
#define PHYSNIC_MAX_ADDRS	15	/* exact filters RAL/RAH[1..15]; more: UPE */
#define PHYSNIC_LINK_TIMEOUT_MS	5000	/* physnic_init waits this long for STATUS.LU */

/* One piece of a frame to send, at a host-physical address. */
struct physnic_seg {
	uint64_t hpa;
	uint32_t len;
};

struct physnic_stats {
	uint64_t tx_frames, tx_bytes;	/* completions reaped (DD written back) */
	uint64_t rx_frames, rx_bytes;	/* frames handed to the rx callback */
	uint64_t tx_ring_full;		/* physnic_xmit returned -XT_EAGAIN */
	uint64_t tx_bad;		/* physnic_xmit refused its arguments (-XT_EINVAL) */
	uint64_t tx_errors;		/* completions with EC, LC or TU set (still reaped) */
	uint64_t rx_bad;		/* descriptors dropped: error bits, bad length, no EOP */
	/* The NIC's own read-to-clear counters, summed by physnic_update_stats. */
	uint64_t hw_gptc, hw_gprc;	/* good packets transmitted / received */
	uint64_t hw_tpt, hw_tpr;	/* total packets transmitted / received */
	uint64_t hw_gotc, hw_gorc;	/* good octets transmitted / received (FCS counted) */
	uint64_t hw_mpc;		/* missed: no room in the NIC's receive FIFO */
	uint64_t hw_rnbc;		/* receive descriptors ran out */
	uint64_t hw_crcerrs;		/* frames received with a bad CRC */
	uint64_t hw_ecol, hw_latecol;	/* excessive / late collisions */
};

struct physnic {
	const struct physnic_ops *ops;
	uint16_t device_id;
	uint8_t variant;		/* register-set details, from the device table */
	uint8_t mac[6];			/* the NIC's own address (RAL0/RAH0) */
	bool link_up;			/* STATUS.LU when physnic_init returned */
	bool full_duplex;
	bool uc_promisc;		/* exact filters exhausted: RCTL.UPE */
	bool mc_promisc;		/* a multicast hash bit did not stick: RCTL.MPE */
	bool ra_full;			/* no further RAL/RAH entry is usable */
	unsigned naddrs;		/* RAL/RAH[1..naddrs] hold addr[0..naddrs-1] */
	uint8_t addr[PHYSNIC_MAX_ADDRS][6];
	uint32_t rctl;			/* what was last written to RCTL */

	/* Rings and buffers in DMA memory (VA == what alloc_dma returned). */
	uint8_t *tx_ring, *rx_ring, *rx_bufs;
	uint64_t tx_ring_hpa, rx_ring_hpa, rx_bufs_hpa;

	uint32_t tx_tail;		/* next descriptor to fill (TDT as written) */
	uint32_t tx_clean;		/* first descriptor of the oldest unreaped frame */
	uint64_t tx_cookie[PHYSNIC_TX_DESC];	/* indexed by a frame's first descriptor */
	uint16_t tx_last[PHYSNIC_TX_DESC];	/* ... its EOP descriptor */
	uint16_t tx_len[PHYSNIC_TX_DESC];	/* ... its length */

	uint32_t rx_next;		/* next descriptor the NIC will complete */
	bool rx_discard;		/* inside a frame without EOP: drop up to its end */

	struct physnic_stats st;
};

/*
 * Reset the device and bring it up for polling: interrupts masked (IMC all),
 * MAC from RAL0/RAH0 as loaded at reset or else the EEPROM words 0-2 through
 * EERD, statistics cleared, TX and RX rings in DMA memory, TCTL (EN, PSP),
 * RCTL (EN, BAM, SECRC, 2048-byte buffers; no LPE), exact filter RAL/RAH0 =
 * the NIC's MAC, MTA cleared, link up (CTRL.SLU | ASDE) and a wait of at
 * most PHYSNIC_LINK_TIMEOUT_MS for STATUS.LU (no link is not an error:
 * n->link_up says; the hardware brings the link up by itself later).
 * 0; -XT_ENOTSUP (device not supported, nothing touched); -XT_EINVAL (ops
 * incomplete); -XT_EIO (reset did not complete, no valid MAC address);
 * -XT_ENOMEM (alloc_dma failed or returned misaligned memory).
 */
int physnic_init(struct physnic *n, const struct physnic_ops *ops, uint16_t device_id);
/*
 * Receive frames for this address too (a guest's MAC). Unicast: the next
 * free RAL/RAH[1..15], verified by reading it back; when none is left,
 * RCTL.UPE (the owner then filters by destination itself). Multicast: its
 * MTA hash bit (RCTL.MO = 0), or RCTL.MPE if the bit does not stick.
 * Broadcast, the NIC's own address and duplicates: nothing to do. 0, or
 * -XT_EINVAL for 00:00:00:00:00:00.
 */
int physnic_add_address(struct physnic *n, const uint8_t mac[6]);
/*
 * Queue one frame made of 1..PHYSNIC_MAX_SEGS host-physical segments (zero
 * copy: the NIC reads them until the frame is reaped, so they must stay put
 * until then). Legacy descriptors, IFCS on each, EOP|RS on the last; TDT is
 * written once. cookie comes back from physnic_tx_reap. 0; -XT_EAGAIN: not
 * enough free descriptors (st.tx_ring_full); -XT_EINVAL: no segments, more
 * than PHYSNIC_MAX_SEGS, a zero-length or wrapping segment, a total outside
 * PHYSNIC_MIN_FRAME..PHYSNIC_MAX_FRAME (st.tx_bad).
 */
int physnic_xmit(struct physnic *n, const struct physnic_seg *segs, unsigned nseg, uint64_t cookie);
/* Descriptors free for physnic_xmit (a frame takes one per segment). */
unsigned physnic_tx_free(const struct physnic *n);
/* Completed transmissions, in order: done(ctx, cookie) for each (done may be
 * NULL); returns how many. */
unsigned physnic_tx_reap(struct physnic *n, void (*done)(void *ctx, uint64_t cookie), void *ctx);
/*
 * Received frames, in order: rx(ctx, data, len) for each good one (data is
 * valid during the call only; len excludes the FCS), then the buffer goes
 * back to the NIC. rx may call physnic_xmit, not physnic_rx_poll. At most
 * budget descriptors are consumed (a good frame is one descriptor; dropped
 * ones count too), RDT is written once. Returns the number of frames handed
 * to rx.
 */
unsigned physnic_rx_poll(struct physnic *n, void (*rx)(void *ctx, const uint8_t *data, uint32_t len),
			 void *ctx, unsigned budget);
/* Read the NIC's read-to-clear statistics and add them to n->st.hw_*. */
void physnic_update_stats(struct physnic *n);
/* STATUS.LU now. */
bool physnic_link_up(const struct physnic *n);

/* Marketing name of a supported Intel device ("82540EM"), or NULL. */
const char *physnic_device_name(uint16_t device_id);
/* Name of any Intel NIC xtalk knows ("I219-V"), supported or not, or NULL. */
const char *physnic_model_name(uint16_t vendor, uint16_t device);

/* ---------------------------------------------------------- PCI (physnic_pci.c) */

struct physnic_pci {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint8_t revision;
	uint64_t bar0;		/* BAR0 memory base (32- or 64-bit BAR); 0: not a memory BAR */
	bool bar0_64;
	bool supported;		/* Intel, physnic_device_name() != NULL, BAR0 usable */
};

/* BAR0 must lie below PHYSNIC_BAR0_LIMIT: the VMM's identity map always
 * covers the first 4 GiB (vmm/arch/paging.c), not necessarily beyond. */
#define PHYSNIC_BAR0_SIZE	0x20000ull
#define PHYSNIC_BAR0_LIMIT	0x100000000ull

/* Every network controller (class 0x02) on buses 0-255, supported or not;
 * returns how many were stored (at most max). */
unsigned physnic_pci_scan(struct physnic_pci *found, unsigned max);
/* Memory decoding and bus mastering on, INTx off (the VMM polls). 0 or
 * -XT_EINVAL if p is not supported. */
int physnic_pci_enable(const struct physnic_pci *p);
/*
 * Scan, print one line per network controller found (supported ones with
 * their BAR0, others as "... is not supported; outside traffic will be
 * dropped"), enable the first supported one and copy it to *out. 0, or
 * -XT_ENOENT when there is none.
 */
int physnic_pci_probe(struct physnic_pci *out);

/* ops for a device physnic_pci_enable'd: MMIO at its BAR0, DMA memory from
 * the VMM's page allocator, delays on the TSC. ops.ctx points at the struct. */
struct physnic_pci_hw {
	struct physnic_ops ops;
	volatile uint8_t *mmio;
	uint64_t tsc_hz;
};
void physnic_pci_hw_init(struct physnic_pci_hw *hw, const struct physnic_pci *p, uint64_t tsc_hz);

/* The line physnic_pci_probe prints for p (without the "xtalk: " prefix);
 * pure, in physnic.c. Returns what xt_snprintf returns. */
int physnic_pci_describe(const struct physnic_pci *p, char *buf, size_t size);

#endif
