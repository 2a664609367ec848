// SPDX-License-Identifier: MIT
/*
 * 82540EM register model: reset, MMIO and I/O window dispatch, interrupts
 * with ITR throttling, statistics. Descriptor processing is in e1000_tx.c
 * and e1000_rx.c; EECD/EERD go to the EEPROM module, MDIC to the PHY module.
 * Register behaviour follows the 8254x SDM, "Register Descriptions".
 */
#include "devices/e1000.h"

#include <string.h>

/* ---------------------------------------------------------- store-only registers */

struct stored_reg {
	uint32_t off;
	uint32_t mask;		/* bits that hold what was written */
	uint32_t reset;
};

#define CTRL_EXT_MASK (E1000_CTRL_EXT_GPI_EN_MASK | E1000_CTRL_EXT_SDP_MASK | \
		       E1000_CTRL_EXT_ASDCHK | E1000_CTRL_EXT_IPS | E1000_CTRL_EXT_SPD_BYPS | \
		       E1000_CTRL_EXT_RO_DIS | E1000_CTRL_EXT_LINK_MODE_MASK)

/* Table indexes with behaviour: VET is used by VLAN insertion/stripping, PBA
 * reads back with the derived TXA field (see stored_read()). */
#define STORED_VET 3
#define STORED_PBA 9

static const struct stored_reg stored_regs[E1000_STORED_REGS] = {
	{ E1000_FCAL,	  0xffffffffu, 0 },
	{ E1000_FCAH,	  0x0000ffffu, 0 },
	{ E1000_FCT,	  0x0000ffffu, 0 },
	{ E1000_VET,	  0x0000ffffu, 0x8100 },	/* 802.1Q TPID */
	{ E1000_FCTTV,	  0x0000ffffu, 0 },
	{ E1000_TXCW,	  0xc000ffffu, 0 },
	{ E1000_RXCW,	  0xfc00ffffu, 0 },
	{ E1000_CTRL_EXT, CTRL_EXT_MASK, 0 },		/* EE_RST self-clears: never stored */
	{ E1000_LEDCTL,	  0xafafafafu, 0x07068302 },	/* LED n: mode, IVRT, BLINK */
	{ E1000_PBA,	  E1000_PBA_RXA_MASK, E1000_PBA_48K },
	{ E1000_FCRTL,	  0x8000fff8u, 0 },
	{ E1000_FCRTH,	  0x0000fff8u, 0 },
	{ E1000_RDTR,	  0x0000ffffu, 0 },		/* FPD (bit 31) is write-only */
	{ E1000_RADV,	  0x0000ffffu, 0 },
	{ E1000_RSRPD,	  0x00000fffu, 0 },
	{ E1000_TIPG,	  0x3fffffffu, 0 },
	{ E1000_TIDV,	  0x0000ffffu, 0 },
	{ E1000_TXDCTL,	  0xff3f3f3fu, 0 },
	{ E1000_TADV,	  0x0000ffffu, 0 },
	{ E1000_AIT,	  0x0000ffffu, 0 },
	{ E1000_RXCSUM,	  0x000003ffu, 0 },
	{ E1000_WUC,	  0x0000000fu, 0 },
	{ E1000_WUFC,	  0x000f00ffu, 0 },
	{ E1000_MANC,	  0xffffffffu, 0 },
};

_Static_assert(sizeof(stored_regs) / sizeof(stored_regs[0]) == E1000_STORED_REGS,
	       "stored register table size");

static int stored_index(uint32_t off)
{
	for (unsigned i = 0; i < E1000_STORED_REGS; i++)
		if (stored_regs[i].off == off)
			return (int)i;
	return -1;
}

static uint32_t stored_read(const struct e1000 *d, unsigned i)
{
	uint32_t v = d->stored[i];

	if (i == STORED_PBA) {
		/* TXA = what RXA leaves of the 64 KB packet buffer. */
		uint32_t rxa = v & E1000_PBA_RXA_MASK;
		uint32_t txa = rxa < E1000_PBA_TOTAL_KB ? E1000_PBA_TOTAL_KB - rxa : 0;

		v = rxa | txa << E1000_PBA_TXA_SHIFT;
	}
	return v;
}

uint16_t e1000_vet(const struct e1000 *d)
{
	return (uint16_t)d->stored[STORED_VET];
}

/* ---------------------------------------------------------- errors, DMA */

static const char *const err_names[E1000_ERR_COUNT] = {
	[E1000_ERR_RING_LEN] = "ring length",
	[E1000_ERR_RING_INDEX] = "ring index",
	[E1000_ERR_RING_DMA] = "ring outside RAM",
	[E1000_ERR_BUF_DMA] = "buffer outside RAM",
	[E1000_ERR_ZERO_LEN] = "zero-length descriptor",
	[E1000_ERR_NO_EOP] = "no end of packet",
	[E1000_ERR_SHORT_FRAME] = "short frame",
	[E1000_ERR_LONG_FRAME] = "long frame",
	[E1000_ERR_BAD_DESC] = "bad descriptor",
	[E1000_ERR_BAD_OFFLOAD] = "bad checksum offload",
	[E1000_ERR_BAD_TSO] = "bad TCP segmentation",
};

const char *e1000_err_name(enum e1000_err e)
{
	if ((unsigned)e >= E1000_ERR_COUNT)
		return "?";
	return err_names[e];
}

static const char *const reg_kind_names[E1000_RK_COUNT] = {
	"CTRL", "STATUS", "ICR", "ITR", "ICS", "IMS", "IMC", "RCTL", "TCTL",
	"RDH", "RDT", "TDH", "TDT", "statistics", "other",
};

const char *e1000_reg_kind_name(enum e1000_reg_kind k)
{
	return (unsigned)k < E1000_RK_COUNT ? reg_kind_names[k] : "?";
}

static enum e1000_reg_kind reg_kind(uint32_t reg)
{
	switch (reg) {
	case E1000_CTRL: return E1000_RK_CTRL;
	case E1000_STATUS: return E1000_RK_STATUS;
	case E1000_ICR: return E1000_RK_ICR;
	case E1000_ITR: return E1000_RK_ITR;
	case E1000_ICS: return E1000_RK_ICS;
	case E1000_IMS: return E1000_RK_IMS;
	case E1000_IMC: return E1000_RK_IMC;
	case E1000_RCTL: return E1000_RK_RCTL;
	case E1000_TCTL: return E1000_RK_TCTL;
	case E1000_RDH: return E1000_RK_RDH;
	case E1000_RDT: return E1000_RK_RDT;
	case E1000_TDH: return E1000_RK_TDH;
	case E1000_TDT: return E1000_RK_TDT;
	default:
		return reg >= E1000_STATS_BASE && reg < E1000_STATS_BASE + 4 * E1000_STATS_REGS ?
			       E1000_RK_STATS : E1000_RK_OTHER;
	}
}

static const struct e1000_ops no_ops;

void e1000_report(struct e1000 *d, enum e1000_err e, uint64_t detail)
{
	if ((unsigned)e >= E1000_ERR_COUNT)
		return;
	d->errors[e]++;
	if (d->ops->error)
		d->ops->error(d->ctx, e, detail);
}

void *e1000_dma(struct e1000 *d, uint64_t gpa, uint64_t len)
{
	if (!len || gpa + len < gpa || !d->ops->dma_map)
		return NULL;
	return d->ops->dma_map(d->ctx, gpa, len);
}

/* For memory the device writes: the descriptor rings and the RX buffers. */
void *e1000_dma_rw(struct e1000 *d, uint64_t gpa, uint64_t len)
{
	if (!d->ops->dma_map_rw)
		return e1000_dma(d, gpa, len);
	if (!len || gpa + len < gpa)
		return NULL;
	return d->ops->dma_map_rw(d->ctx, gpa, len);
}

/*
 * The rings are mapped on every kick, fetch and completion: a mapping is
 * kept and reused until the owner's epoch moves (remap, bus mastering) or
 * the ring registers name another range. The device writes descriptors
 * back, so a ring must lie in memory the guest may write.
 */
uint8_t *e1000_ring_dma(struct e1000 *d, unsigned ring, uint64_t gpa, uint64_t len)
{
	struct e1000_ring_map *m = &d->ring_map[ring & 1];
	uint64_t epoch;
	uint8_t *va;

	if (!d->ops->dma_epoch)
		return e1000_dma_rw(d, gpa, len);
	epoch = d->ops->dma_epoch(d->ctx);
	if (m->va && m->gpa == gpa && m->len == len && m->epoch == epoch)
		return m->va;
	va = e1000_dma_rw(d, gpa, len);
	m->gpa = gpa;
	m->len = len;
	m->epoch = epoch;
	m->va = va;
	return va;
}

/* ---------------------------------------------------------- statistics */

static unsigned stat_index(uint32_t reg)
{
	return (reg - E1000_STATS_BASE) / 4;
}

static bool stat_is_high(uint32_t reg)
{
	return reg == E1000_GORCH || reg == E1000_GOTCH || reg == E1000_TORH || reg == E1000_TOTH;
}

static bool stat_is_low(uint32_t reg)
{
	return reg == E1000_GORCL || reg == E1000_GOTCL || reg == E1000_TORL || reg == E1000_TOTL;
}

/*
 * Read to clear. A 64-bit pair clears when its high half is read ("This
 * register resets each time the upper 32 bits are read"); reading the low
 * half alone clears nothing.
 */
static void stat_add32(struct e1000 *d, uint32_t reg, uint64_t v)
{
	uint32_t *c = &d->stats[stat_index(reg)];
	uint64_t sum = *c + v;

	*c = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
}

/* One direction's sums into its registers: the frame counters (two each),
 * the octet pairs (two each), the size buckets from first, broadcast and
 * multicast. */
static void fold_sums(struct e1000 *d, struct e1000_stat_sums *s, const uint32_t frames[2],
		      const uint32_t octets[2], uint32_t first, uint32_t bcast, uint32_t mcast)
{
	if (!s->frames)
		return;
	for (unsigned k = 0; k < 2; k++) {
		stat_add32(d, frames[k], s->frames);
		e1000_stat_add64(d, octets[k], s->octets);
	}
	for (unsigned k = 0; k < 6; k++)
		stat_add32(d, first + 4 * k, s->size[k]);
	stat_add32(d, bcast, s->bcast);
	stat_add32(d, mcast, s->mcast);
	memset(s, 0, sizeof(*s));
}

void e1000_stats_fold(struct e1000 *d)
{
	static const uint32_t rx_frames[2] = { E1000_TPR, E1000_GPRC };
	static const uint32_t rx_octets[2] = { E1000_TORL, E1000_GORCL };
	static const uint32_t tx_frames[2] = { E1000_TPT, E1000_GPTC };
	static const uint32_t tx_octets[2] = { E1000_TOTL, E1000_GOTCL };

	fold_sums(d, &d->rx_sums, rx_frames, rx_octets, E1000_PRC64, E1000_BPRC, E1000_MPRC);
	fold_sums(d, &d->tx_sums, tx_frames, tx_octets, E1000_PTC64, E1000_BPTC, E1000_MPTC);
}

static uint32_t stat_read(struct e1000 *d, uint32_t reg)
{
	unsigned i = stat_index(reg);
	uint32_t v;

	e1000_stats_fold(d);
	v = d->stats[i];

	if (stat_is_low(reg))
		return v;
	d->stats[i] = 0;
	if (stat_is_high(reg))
		d->stats[i - 1] = 0;
	return v;
}

/* ---------------------------------------------------------- interrupts */

static uint64_t itr_interval_ns(const struct e1000 *d)
{
	if (!d->ops->now_ns)
		return 0;
	return (uint64_t)(d->itr & E1000_ITR_INTERVAL_MASK) * E1000_ITR_UNIT_NS;
}

static void set_line(struct e1000 *d, bool level)
{
	if (d->irq_level == level)
		return;
	d->irq_level = level;
	if (d->ops->set_irq)
		d->ops->set_irq(d->ctx, level);
}

/*
 * Line = (ICR & IMS) != 0, except that with ITR != 0 a new assertion waits
 * until ITR * 256 ns after the previous one (8254x SDM, "Interrupt
 * Throttling"). Deassertion is immediate.
 */
static void update_irq(struct e1000 *d)
{
	uint64_t iv, now = 0;

	if (!(d->icr & d->ims)) {
		set_line(d, false);
		return;
	}
	if (d->irq_level)
		return;
	iv = itr_interval_ns(d);
	if (d->ops->now_ns)
		now = d->ops->now_ns(d->ctx);
	if (iv && d->irq_asserted_once && now - d->irq_last_ns < iv)
		return;	/* throttled: e1000_irq_deadline() says when */
	d->irq_last_ns = now;
	d->irq_asserted_once = true;
	set_line(d, true);
}

void e1000_raise(struct e1000 *d, uint32_t causes)
{
	d->icr |= causes & E1000_ICR_VALID;
	update_irq(d);
}

uint64_t e1000_irq_deadline(const struct e1000 *d)
{
	uint64_t iv = itr_interval_ns(d), t;

	if (!(d->icr & d->ims) || d->irq_level || !iv || !d->irq_asserted_once)
		return 0;
	t = d->irq_last_ns + iv;
	if (t < d->irq_last_ns)
		t = UINT64_MAX;
	return t ? t : 1;
}

void e1000_irq_timer(struct e1000 *d)
{
	update_irq(d);
}

/* ---------------------------------------------------------- reset */

#define CTRL_WRITABLE (E1000_CTRL_FD | E1000_CTRL_LRST | E1000_CTRL_ASDE | E1000_CTRL_SLU | \
		       E1000_CTRL_ILOS | E1000_CTRL_SPEED_MASK | E1000_CTRL_FRCSPD | \
		       E1000_CTRL_FRCDPX | E1000_CTRL_SWDPIN0 | E1000_CTRL_SWDPIN1 | \
		       E1000_CTRL_ADVD3WUC | E1000_CTRL_EN_PHY_PWR_MGMT | E1000_CTRL_SWDPIO0 | \
		       E1000_CTRL_SWDPIO1 | E1000_CTRL_RFCE | E1000_CTRL_TFCE | E1000_CTRL_VME | \
		       E1000_CTRL_PHY_RST)
#define CTRL_RESET (E1000_CTRL_FD | E1000_CTRL_SLU | E1000_CTRL_SPEED_1000)

#define RCTL_WRITABLE (E1000_RCTL_EN | E1000_RCTL_SBP | E1000_RCTL_UPE | E1000_RCTL_MPE | \
		       E1000_RCTL_LPE | E1000_RCTL_LBM_MASK | E1000_RCTL_RDMTS_MASK | \
		       E1000_RCTL_MO_MASK | E1000_RCTL_BAM | E1000_RCTL_BSIZE_MASK | \
		       E1000_RCTL_VFE | E1000_RCTL_CFIEN | E1000_RCTL_CFI | E1000_RCTL_DPF | \
		       E1000_RCTL_PMCF | E1000_RCTL_BSEX | E1000_RCTL_SECRC)
#define TCTL_WRITABLE (E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_CT_MASK | \
		       E1000_TCTL_COLD_MASK | E1000_TCTL_RTLC | E1000_TCTL_NRTU)
#define RAH_WRITABLE (E1000_RAH_AV | E1000_RAH_AS_MASK | E1000_RAH_ADDR_MASK)

/*
 * STATUS link, speed and duplex follow the PHY (its link to the bridge is up
 * at 1000 Mb/s full duplex unless the guest powers it down or forces
 * something else); the speed field has the same encoding in both.
 */
static uint32_t status_value(const struct e1000 *d)
{
	uint32_t pssr = d->phy.reg[E1000_PHY_REG_M88_SPEC_STATUS];
	uint32_t v = E1000_STATUS_LU;

	if (!e1000_phy_link_up(&d->phy))
		return 0;
	if (pssr & E1000_PHY_PSSR_FULL_DUPLEX)
		v |= E1000_STATUS_FD;
	v |= (pssr & E1000_PHY_PSSR_SPEED_MASK) / E1000_PHY_PSSR_SPEED_100 * E1000_STATUS_SPEED_100;
	return v;
}

/* After anything that may change the PHY's link: ICR.LSC on a change. */
static void check_link(struct e1000 *d)
{
	bool up = e1000_phy_link_up(&d->phy);

	if (up == d->link_up)
		return;
	d->link_up = up;
	e1000_raise(d, E1000_ICR_LSC);
}

static void load_mac_from_eeprom(struct e1000 *d)
{
	const uint16_t *w = d->eeprom.word;

	d->ral[0] = (uint32_t)w[0] | (uint32_t)w[1] << 16;
	d->rah[0] = (uint32_t)w[2] | E1000_RAH_AV;
}

static void reset_regs(struct e1000 *d)
{
	d->ctrl = CTRL_RESET;
	d->rctl = 0;
	d->tctl = 0;	/* SDM: every TCTL field resets to 0 */
	d->icr = 0;
	d->ims = 0;
	d->itr = 0;
	d->ioaddr = 0;
	d->tdbal = d->tdbah = d->tdlen = d->tdh = d->tdt = 0;
	d->rdbal = d->rdbah = d->rdlen = d->rdh = d->rdt = 0;
	memset(d->ral, 0, sizeof(d->ral));
	memset(d->rah, 0, sizeof(d->rah));
	memset(d->mta, 0, sizeof(d->mta));
	memset(d->vfta, 0, sizeof(d->vfta));
	memset(d->stats, 0, sizeof(d->stats));
	memset(&d->rx_sums, 0, sizeof(d->rx_sums));
	memset(&d->tx_sums, 0, sizeof(d->tx_sums));
	memset(d->ring_map, 0, sizeof(d->ring_map));
	for (unsigned i = 0; i < E1000_STORED_REGS; i++)
		d->stored[i] = stored_regs[i].reset;
	e1000_eeprom_reset(&d->eeprom);
	load_mac_from_eeprom(d);
	e1000_tx_reset(d);
	d->tx_ring_reported = false;
	d->rx_ring_reported = false;
	d->irq_asserted_once = false;
	d->irq_last_ns = 0;
	d->link_up = e1000_phy_link_up(&d->phy);
	update_irq(d);	/* ICR is 0: the line drops if it was up */
}

void e1000_init(struct e1000 *d, const uint8_t mac[6], const struct e1000_ops *ops, void *ctx,
		uint8_t *bounce)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops ? ops : &no_ops;
	d->ctx = ctx;
	d->bounce = bounce;
	e1000_eeprom_init(&d->eeprom, mac);
	e1000_phy_init(&d->phy);
	reset_regs(d);
}

void e1000_reset(struct e1000 *d)
{
	reset_regs(d);
	if (d->ops->reset)
		d->ops->reset(d->ctx);
}

/* ---------------------------------------------------------- register writes */

static void ctrl_write(struct e1000 *d, uint32_t val)
{
	uint32_t old = d->ctrl;

	if (val & E1000_CTRL_RST) {
		e1000_reset(d);	/* self-clearing; the rest of the write is lost */
		return;
	}
	d->ctrl = val & CTRL_WRITABLE;
	if ((val & E1000_CTRL_PHY_RST) && !(old & E1000_CTRL_PHY_RST)) {
		e1000_phy_reset(&d->phy);
		check_link(d);
	}
}

static void rctl_write(struct e1000 *d, uint32_t val)
{
	uint32_t old = d->rctl;

	d->rctl = val & RCTL_WRITABLE;
	if ((d->rctl & E1000_RCTL_EN) && !(old & E1000_RCTL_EN)) {
		d->rx_ring_reported = false;
		if (d->ops->rx_kick)
			d->ops->rx_kick(d->ctx);
	}
	if (!(d->rctl & E1000_RCTL_EN) && (old & E1000_RCTL_EN) && d->ops->disabled)
		d->ops->disabled(d->ctx, false);
}

static void tctl_write(struct e1000 *d, uint32_t val)
{
	uint32_t old = d->tctl;

	d->tctl = val & TCTL_WRITABLE;	/* SWXOFF self-clears: no pause frames here */
	if ((d->tctl & E1000_TCTL_EN) && !(old & E1000_TCTL_EN)) {
		d->tx_ring_reported = false;
		if (d->ops->tx_kick)
			d->ops->tx_kick(d->ctx);
	}
	if (!(d->tctl & E1000_TCTL_EN) && (old & E1000_TCTL_EN) && d->ops->disabled)
		d->ops->disabled(d->ctx, true);
}

static void tx_ring_write(struct e1000 *d, uint32_t off, uint32_t val)
{
	switch (off) {
	case E1000_TDBAL:
		d->tdbal = val & E1000_TDBAL_MASK;
		break;
	case E1000_TDBAH:
		d->tdbah = val;
		break;
	case E1000_TDLEN:
		d->tdlen = val & E1000_DLEN_RAW_MASK;
		break;
	case E1000_TDH:
		d->tdh = val & E1000_DH_MASK;
		break;
	case E1000_TDT:
		d->tdt = val & E1000_DH_MASK;
		d->tx_ring_reported = false;
		if (d->ops->tx_kick)
			d->ops->tx_kick(d->ctx);
		return;
	}
	d->tx_pend.valid = false;	/* the ring moved under the pending frame */
	e1000_tx_flush(d);
}

static void rx_ring_write(struct e1000 *d, uint32_t off, uint32_t val)
{
	switch (off) {
	case E1000_RDBAL:
		d->rdbal = val & E1000_RDBAL_MASK;
		break;
	case E1000_RDBAH:
		d->rdbah = val;
		break;
	case E1000_RDLEN:
		d->rdlen = val & E1000_DLEN_RAW_MASK;
		break;
	case E1000_RDH:
		d->rdh = val & E1000_DH_MASK;
		break;
	case E1000_RDT:
		d->rdt = val & E1000_DH_MASK;
		d->rx_ring_reported = false;
		if (d->ops->rx_kick)
			d->ops->rx_kick(d->ctx);
		break;
	}
}

static bool in_range(uint32_t off, uint32_t base, uint32_t count)
{
	return off >= base && off < base + 4 * count;
}

/* Arrays and tables; false when nothing lives at off. */
static bool table_write(struct e1000 *d, uint32_t off, uint32_t val)
{
	int i;

	if (in_range(off, E1000_RAL0, 2 * E1000_RAR_ENTRIES)) {
		unsigned n = (off - E1000_RAL0) / 8;

		if (off & 4)
			d->rah[n] = val & RAH_WRITABLE;
		else
			d->ral[n] = val;
	} else if (in_range(off, E1000_MTA, E1000_MTA_SIZE)) {
		d->mta[(off - E1000_MTA) / 4] = val;
	} else if (in_range(off, E1000_VFTA, E1000_VFTA_SIZE)) {
		d->vfta[(off - E1000_VFTA) / 4] = val;
	} else if (off >= E1000_STATS_BASE && off < E1000_STATS_END) {
		/* read only */
	} else if ((i = stored_index(off)) >= 0) {
		d->stored[i] = val & stored_regs[i].mask;
	} else {
		return false;
	}
	return true;
}

static void reg_write(struct e1000 *d, uint32_t off, uint32_t val)
{
	switch (off) {
	case E1000_CTRL:
		ctrl_write(d, val);
		break;
	case E1000_STATUS:
		break;	/* read only */
	case E1000_EECD:
		e1000_eeprom_eecd_write(&d->eeprom, val);
		break;
	case E1000_EERD:
		e1000_eeprom_eerd_write(&d->eeprom, val);
		break;
	case E1000_MDIC:
		if (e1000_phy_mdic_write(&d->phy, val))
			e1000_raise(d, E1000_ICR_MDAC);
		check_link(d);
		break;
	case E1000_ICR:
		d->icr &= ~val;	/* writing 1b clears the cause */
		update_irq(d);
		break;
	case E1000_ICS:
		e1000_raise(d, val);
		break;
	case E1000_IMS:
		d->ims |= val & E1000_ICR_VALID;
		update_irq(d);
		break;
	case E1000_IMC:
		d->ims &= ~val;
		update_irq(d);
		break;
	case E1000_ITR:
		d->itr = val & E1000_ITR_INTERVAL_MASK;
		update_irq(d);
		break;
	case E1000_RCTL:
		rctl_write(d, val);
		break;
	case E1000_TCTL:
		tctl_write(d, val);
		break;
	case E1000_TDBAL: case E1000_TDBAH: case E1000_TDLEN: case E1000_TDH: case E1000_TDT:
		tx_ring_write(d, off, val);
		break;
	case E1000_RDBAL: case E1000_RDBAH: case E1000_RDLEN: case E1000_RDH: case E1000_RDT:
		rx_ring_write(d, off, val);
		break;
	default:
		if (!table_write(d, off, val))
			d->unknown_reg_accesses++;
		break;
	}
}

/* ---------------------------------------------------------- register reads */

static bool table_read(const struct e1000 *d, uint32_t off, uint32_t *v)
{
	int i;

	if (in_range(off, E1000_RAL0, 2 * E1000_RAR_ENTRIES)) {
		unsigned n = (off - E1000_RAL0) / 8;

		*v = (off & 4) ? d->rah[n] : d->ral[n];
	} else if (in_range(off, E1000_MTA, E1000_MTA_SIZE)) {
		*v = d->mta[(off - E1000_MTA) / 4];
	} else if (in_range(off, E1000_VFTA, E1000_VFTA_SIZE)) {
		*v = d->vfta[(off - E1000_VFTA) / 4];
	} else if ((i = stored_index(off)) >= 0) {
		*v = stored_read(d, (unsigned)i);
	} else {
		return false;
	}
	return true;
}

/* Registers read without side effects; false when nothing lives at off. */
static bool plain_read(const struct e1000 *d, uint32_t off, uint32_t *v)
{
	switch (off) {
	case E1000_CTRL:   *v = d->ctrl; break;
	case E1000_STATUS: *v = status_value(d); break;
	case E1000_EECD:   *v = e1000_eeprom_eecd_read(&d->eeprom); break;
	case E1000_EERD:   *v = e1000_eeprom_eerd_read(&d->eeprom); break;
	case E1000_MDIC:   *v = e1000_phy_mdic_read(&d->phy); break;
	case E1000_ITR:    *v = d->itr; break;
	case E1000_ICS:    *v = 0; break;	/* write only */
	case E1000_IMS:    *v = d->ims; break;
	case E1000_IMC:    *v = 0; break;	/* write only */
	case E1000_RCTL:   *v = d->rctl; break;
	case E1000_TCTL:   *v = d->tctl; break;
	case E1000_TDBAL:  *v = d->tdbal; break;
	case E1000_TDBAH:  *v = d->tdbah; break;
	case E1000_TDLEN:  *v = d->tdlen & E1000_DLEN_MASK; break;
	case E1000_TDH:    *v = d->tdh; break;
	case E1000_TDT:    *v = d->tdt; break;
	case E1000_RDBAL:  *v = d->rdbal; break;
	case E1000_RDBAH:  *v = d->rdbah; break;
	case E1000_RDLEN:  *v = d->rdlen & E1000_DLEN_MASK; break;
	case E1000_RDH:    *v = d->rdh; break;
	case E1000_RDT:    *v = d->rdt; break;
	default:
		return table_read(d, off, v);
	}
	return true;
}

/*
 * side_effects = false peeks (to merge a partial write): read-to-clear
 * registers then read as 0, so a byte write to ICR clears only its own bits.
 */
static uint32_t reg_read(struct e1000 *d, uint32_t off, bool side_effects, bool *known)
{
	uint32_t v = 0;

	*known = true;
	if (off == E1000_ICR) {
		if (!side_effects)
			return 0;
		v = d->icr;
		d->icr = 0;
		update_irq(d);
		return v;
	}
	if (off >= E1000_STATS_BASE && off < E1000_STATS_END)
		return side_effects ? stat_read(d, off) : 0;
	*known = plain_read(d, off, &v);
	return v;
}

/* ---------------------------------------------------------- MMIO and I/O */

static bool access_ok(uint32_t off, unsigned size)
{
	if (size != 1 && size != 2 && size != 4)
		return false;
	return off < E1000_MMIO_SIZE && (off & (size - 1)) == 0;
}

static uint32_t size_mask(unsigned size)
{
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

uint32_t e1000_mmio_read(struct e1000 *d, uint32_t offset, unsigned size)
{
	bool known;
	uint32_t v;

	if (!access_ok(offset, size)) {
		d->unknown_reg_accesses++;
		return 0;
	}
	d->reg_reads[reg_kind(offset & ~3u)]++;
	v = reg_read(d, offset & ~3u, true, &known);
	if (!known)
		d->unknown_reg_accesses++;
	return (v >> (8 * (offset & 3))) & size_mask(size);
}

void e1000_mmio_write(struct e1000 *d, uint32_t offset, unsigned size, uint32_t val)
{
	if (!access_ok(offset, size)) {
		d->unknown_reg_accesses++;
		return;
	}
	d->reg_writes[reg_kind(offset & ~3u)]++;
	if (size != 4) {
		unsigned shift = 8 * (offset & 3);
		uint32_t m = size_mask(size) << shift;
		bool known;
		uint32_t cur = reg_read(d, offset & ~3u, false, &known);

		val = (cur & ~m) | ((val << shift) & m);
	}
	reg_write(d, offset & ~3u, val);
}

#define IOADDR_MASK 0x000fffffu	/* register space and flash window */

uint32_t e1000_io_read(struct e1000 *d, uint32_t offset, unsigned size)
{
	if (size == 4 && offset == E1000_IOADDR)
		return d->ioaddr;
	if (size == 4 && offset == E1000_IODATA && d->ioaddr < E1000_MMIO_SIZE)
		return e1000_mmio_read(d, d->ioaddr & ~3u, 4);
	d->unknown_reg_accesses++;
	return 0;
}

void e1000_io_write(struct e1000 *d, uint32_t offset, unsigned size, uint32_t val)
{
	if (size == 4 && offset == E1000_IOADDR) {
		d->ioaddr = val & IOADDR_MASK;
		return;
	}
	if (size == 4 && offset == E1000_IODATA && d->ioaddr < E1000_MMIO_SIZE) {
		e1000_mmio_write(d, d->ioaddr & ~3u, 4, val);
		return;
	}
	d->unknown_reg_accesses++;
}
