/* SPDX-License-Identifier: MIT */
/*
 * A small driver for the Intel 82540EM (8086:100e) written against the
 * 8254x SDM, for xtalk's network test guests. One NIC per guest; its rings
 * and buffers live in struct e1000_nic (about 520 KiB: make it static).
 *
 * - e1000_probe(): PCI discovery and enabling, reset through the I/O BAR,
 *   the EEPROM read twice (Microwire bit-banging via EECD, and EERD) and
 *   checked, PHY ID and link via MDIC, address filters, TX/RX rings, and in
 *   interrupt mode the IRQ handler. Prints "e1000: ..." lines.
 * - TX: legacy descriptors with EOP | IFCS | RS, frames copied into the
 *   driver's buffers, completed descriptors reclaimed by their DD bit.
 * - RX: 2048-byte buffers, FCS kept by the NIC (RCTL.SECRC = 0) and
 *   stripped by the driver; every descriptor is checked (DD, EOP, errors,
 *   length) before its frame is handed out. Descriptors go back to the NIC
 *   (RDT) one by one, or in batches (rdt_batch).
 * - Buffers: 2048 bytes (default; packed two per page) or 4096 (one whole,
 *   page-aligned page per descriptor, RCTL.BSIZE 4096 with BSEX, and every
 *   TX descriptor's buffer address written at ring setup), the layout the
 *   VMM's cross-talk path needs for zero copy.
 * - Waiting is bounded by TSC deadlines. In E1000_POLL mode no interrupt is
 *   enabled and waits spin; in E1000_IRQ mode the handler reads ICR and
 *   waits sleep in STI; HLT until an interrupt arrives (then check the ring
 *   and the deadline again).
 */
#ifndef XTALK_GUEST_E1000_H
#define XTALK_GUEST_E1000_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "e1000_regs.h"
#include "pci.h"

#define E1000_VENDOR 0x8086
#define E1000_DEVICE_82540EM 0x100e

#define E1000_NUM_TX 256    /* descriptors (as Linux e1000 by default); TDLEN multiple of 128 */
#define E1000_NUM_RX 256
#define E1000_RX_BUF 2048   /* default buffer size: RCTL.BSIZE 2048 */
#define E1000_TX_BUF 2048   /* one frame per descriptor */
#define E1000_BUF_MAX 4096  /* buffer storage per descriptor (buf=4096) */
#define E1000_MAX_BATCH (E1000_NUM_TX - 1)
#define E1000_DEFAULT_TIMEOUT_MS 5000

/* Return codes (negative) */
#define E1000_ETIMEDOUT (-1)
#define E1000_EINVAL (-2)
#define E1000_EIO (-3)

enum e1000_mode { E1000_POLL, E1000_IRQ };

/* Bring-up options (e1000_probe_opts). */
struct e1000_opts {
	enum e1000_mode mode;
	unsigned buf_size;          /* 2048 or 4096 */
	unsigned rdt_batch;         /* RX descriptors per RDT write, 1..E1000_NUM_RX - 1 */
};

/* Hardware statistics, accumulated (the registers clear on read). */
struct e1000_hw_stats {
	uint64_t gprc, gptc, gorc, gotc, bprc, bptc, mprc, tpr, tpt;
	uint64_t mpc, rnbc, crcerrs, rxerrc, ruc, roc;
};

/* Descriptor rings and buffers, inside the NIC structure so that only the
 * guests that have one pay for them. Guest-physical = virtual (identity
 * paging), so these addresses are also the DMA addresses. Buffer i starts
 * at i * buf_size in txmem/rxmem (e1000_tx_buf, e1000_rx_buf): packed
 * 2048-byte buffers, or one page each. */
struct e1000_dma {
	struct e1000_tx_desc tx[E1000_NUM_TX];
	struct e1000_rx_desc rx[E1000_NUM_RX];
	uint8_t txmem[E1000_NUM_TX * E1000_BUF_MAX] __attribute__((aligned(4096)));
	uint8_t rxmem[E1000_NUM_RX * E1000_BUF_MAX] __attribute__((aligned(4096)));
};

struct e1000_nic {
	/* configuration */
	enum e1000_mode mode;
	unsigned tx_timeout_ms;     /* how long send waits for a free descriptor */
	unsigned buf_size;          /* 2048 or 4096 bytes per buffer */
	unsigned rdt_batch;         /* processed RX descriptors per RDT write */
	bool wake_timer;            /* irq mode: the PIT ends a wait at its deadline (pit.h) */
	bool tx_prefill;            /* ring setup writes every TX descriptor's buffer address
				     * (default: with 4096-byte buffers) */
	bool rx_lpe;                /* RCTL.LPE: frames up to 16 KiB, over several buffers */

	/* what probe found */
	struct pci_dev pci;
	volatile uint8_t *mmio;
	uint64_t mmio_size;
	uint16_t iobase;
	uint8_t irq;                /* PCI Interrupt Line */
	uint8_t mac[6];
	uint16_t eeprom[E1000_EE_WORDS];
	uint32_t phy_id;
	bool link_up;

	/* rings (driver side) */
	unsigned tx_tail;           /* next descriptor to fill; TDT as last written */
	unsigned tx_clean;          /* oldest descriptor not yet reclaimed */
	/* Per descriptor starting a packet: the index of its last descriptor,
	 * and how many frames it puts on the wire (0: a frame of e1000_send,
	 * in the driver's own buffer; TSO packets: their segments). */
	uint16_t tx_pkt_end[E1000_NUM_TX];
	uint16_t tx_pkt_frames[E1000_NUM_TX];
	unsigned rx_next;           /* next descriptor the NIC will complete */
	bool rx_discarding;         /* inside a frame that spans descriptors: drop to EOP */
	unsigned rx_unreturned;     /* processed (status cleared), RDT not yet moved past them */

	/* driver counters */
	uint64_t tx_frames, tx_bytes, tx_kicks, tx_done, tx_errors;
	uint64_t rx_frames, rx_bytes;       /* frames handed out */
	uint64_t rx_desc;                   /* descriptors consumed, good or bad */
	uint64_t rx_bad_status, rx_bad_len, rx_no_eop, rx_too_long;
	uint64_t rx_drained;          /* frames dropped while draining TX */
	uint64_t rx_rdt_writes;             /* RDT writes giving descriptors back */
	uint64_t bad_index;                 /* TDH/RDH read back out of range */
	uint64_t sleeps;                    /* HLTs in irq mode */
	uint64_t warnings;                  /* probe found something off, but went on */

	/* interrupt side (written by the handler) */
	volatile uint32_t events;           /* ICR bits since the last wait */
	volatile uint32_t icr_log;          /* every ICR bit read (handler or e1000_icr_read); callers clear it */
	volatile uint32_t last_icr;         /* the handler's last non-zero ICR */
	volatile uint32_t last_rx_icr;      /* the handler's last ICR with RXT0 */
	volatile uint64_t irqs, irq_none, irq_rx, irq_tx, irq_lsc, irq_rxo, irq_rxdmt;

	struct e1000_hw_stats hw;

	struct e1000_dma dma __attribute__((aligned(4096)));
};

/* Find, reset and bring up the NIC. In E1000_IRQ mode the caller must have
 * run idt_install() and pic_init() and must enable interrupts afterwards.
 * Returns 0 or a negative code (after printing why). */
int e1000_probe(struct e1000_nic *nic, enum e1000_mode mode);
/* The same with buffer size and RDT batching (e1000_probe: 2048, 1). */
int e1000_probe_opts(struct e1000_nic *nic, const struct e1000_opts *o);

/* Where buffer i lives (also its DMA address). */
static inline uint8_t *e1000_tx_buf(struct e1000_nic *nic, unsigned i)
{
	return nic->dma.txmem + (size_t)i * nic->buf_size;
}

static inline uint8_t *e1000_rx_buf(struct e1000_nic *nic, unsigned i)
{
	return nic->dma.rxmem + (size_t)i * nic->buf_size;
}

/* Queue one frame (14..1514 bytes, without FCS; the NIC pads short ones).
 * Waits up to tx_timeout_ms for a free descriptor. 0 or negative code. */
int e1000_send(struct e1000_nic *nic, const void *frame, size_t len);
/* Queue n frames (n <= E1000_MAX_BATCH) with a single TDT write. */
int e1000_send_batch(struct e1000_nic *nic, const void *const frames[], const size_t lens[],
		     unsigned n);
/* Queue one packet the caller built (n descriptors, any kind: context,
 * data, legacy; buffers of the caller's; RS on the last one) that puts
 * frames frames of bytes bytes in all on the wire (TSO: its segments),
 * without writing TDT; e1000_tx_kick() publishes what was queued. The
 * caller checked e1000_tx_free() >= n. */
void e1000_tx_queue_raw(struct e1000_nic *nic, const struct e1000_tx_desc *descs, unsigned n,
			unsigned frames, size_t bytes);
void e1000_tx_kick(struct e1000_nic *nic);
/* Reclaim completed TX packets; returns how many descriptors. */
unsigned e1000_tx_reclaim(struct e1000_nic *nic);
/* Wait until every queued frame completed: 0 or E1000_ETIMEDOUT. */
int e1000_tx_drain(struct e1000_nic *nic, unsigned timeout_ms);
/* Free TX descriptors after reclaiming (how many frames can be queued now). */
unsigned e1000_tx_free(struct e1000_nic *nic);

/* Receive one frame into buf (FCS stripped): its length, or 0 when nothing
 * valid arrived before the deadline (a TSC value) / timeout. Frames longer
 * than maxlen are dropped and counted. */
int e1000_recv_until(struct e1000_nic *nic, void *buf, size_t maxlen, uint64_t deadline);
int e1000_recv(struct e1000_nic *nic, void *buf, size_t maxlen, unsigned timeout_ms);
/* Give processed RX descriptors held back by rdt_batch to the NIC now (one
 * RDT write, none if there are none). The driver does this itself whenever
 * it finds no completed descriptor, i.e. before every wait. */
void e1000_rx_flush(struct e1000_nic *nic);

/* Receiving by hand (netseq): the k-th completed descriptor from the next
 * one the driver will look at, or NULL if it is not completed (DD clear). */
volatile struct e1000_rx_desc *e1000_rx_peek(struct e1000_nic *nic, unsigned k);
/* Consume the next n descriptors (which must all be completed): count them,
 * clear their status and give them back with a single RDT write (whatever
 * rdt_batch says). Frames with DD|EOP and no error count as handed out. */
void e1000_rx_return(struct e1000_nic *nic, unsigned n);

/* Interrupts by hand: read ICR (read-to-clear) with interrupts off and
 * account for it as the handler would (events, icr_log, counters), so that
 * nothing the handler would have seen is lost. Returns the value read. */
uint32_t e1000_icr_read(struct e1000_nic *nic);
/* The driver's wait: spin once (poll) or sleep until an interrupt unless one
 * came since the last wait (irq). Callers re-check their condition after. */
void e1000_wait(struct e1000_nic *nic);
/* e1000_wait that also ends by deadline (a TSC value) in interrupt mode,
 * when nic->wake_timer: the PIT is armed for it, so an answer that never
 * comes does not leave the guest asleep for good. */
void e1000_wait_until(struct e1000_nic *nic, uint64_t deadline);

/* Reset the NIC again (CTRL.RST through the I/O window, as in probe) and
 * bring it back up with the same MAC and mode: link (CTRL.SLU, wait for
 * STATUS.LU), filters, fresh TX/RX rings, interrupt mask. For guests that
 * program the NIC behind the driver's back (netbad). Before the reset RX is
 * stopped, the statistics are accumulated, completed TX descriptors are
 * reclaimed and completed RX descriptors nobody took are counted as consumed,
 * so e1000_check_consistency() still adds up; queued frames are forgotten.
 * The IRQ handler stays registered. Prints only on trouble. 0 or a negative
 * code. */
int e1000_reinit(struct e1000_nic *nic);

/* Read the clear-on-read statistics registers into nic->hw. */
void e1000_stats_update(struct e1000_nic *nic);
/* Compare the hardware counters and indices with what the driver saw;
 * prints each disagreement prefixed by who, returns their number. */
unsigned e1000_check_consistency(struct e1000_nic *nic, const char *who);
/* One "who: nic ..." line of counters. */
void e1000_print_stats(struct e1000_nic *nic, const char *who);

/* EEPROM access (e1000_nvm.c). Both return 0 or a negative code. */
int e1000_ee_read_microwire(struct e1000_nic *nic, unsigned first, unsigned count,
			    uint16_t *words);
int e1000_ee_read_eerd(struct e1000_nic *nic, unsigned first, unsigned count, uint16_t *words);
uint16_t e1000_ee_sum(const uint16_t *words); /* of words 0x00..0x3f */

static inline uint32_t e1000_rd(const struct e1000_nic *nic, uint32_t reg)
{
	return e1000_mmio_rd(nic->mmio, reg);
}

static inline void e1000_wr(const struct e1000_nic *nic, uint32_t reg, uint32_t val)
{
	e1000_mmio_wr(nic->mmio, reg, val);
}

#endif
