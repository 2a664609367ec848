// SPDX-License-Identifier: MIT
/*
 * Driver core for the machine's physical Intel 8254x NIC (see physnic.h and
 * docs/physnic.md). Register offsets and bits are devices/e1000_regs.h (the
 * 8254x SDM names); descriptors are built and decoded as 16-byte arrays with
 * explicit byte offsets. Sequences follow the SDM, chapter 14 "General
 * Initialization and Reset Operation".
 *
 * The device is trusted more than a guest, but what it writes back is still
 * checked: only the DD/EOP/error bits and the length of a descriptor are
 * used, the buffer a descriptor refers to is always the driver's own (never
 * the address read back), and lengths are bounded by the buffer.
 */
#include "vmm/hw/physnic.h"

#include <string.h>

#include "devices/e1000_eeprom.h"	/* EERD bits, EEPROM word offsets */
#include "devices/e1000_regs.h"
#include "lib/fmt.h"
#include "lib/xerrno.h"

/* ---------------------------------------------------------- device table */

enum {
	V_NONE,		/* known, not supported */
	V_8254X,	/* 82540/82545/82546: EERD DONE bit 4, ADDR 15:8 */
	V_82541,	/* 82541xx/82547xx: EERD DONE bit 1, ADDR 15:2 (SDM table 13-8) */
	V_KIND_MASK = 0x0f,
	V_DUAL = 0x10,	/* two ports share one EEPROM: LAN B's MAC has bit 0 of byte 5 flipped */
};

struct model {
	uint16_t id;
	uint8_t variant;
	const char *name;
};

static const struct model models[] = {
	/* Supported: copper 8254x. */
	{ 0x100e, V_8254X, "82540EM" },
	{ 0x1015, V_8254X, "82540EM (LOM)" },
	{ 0x1016, V_8254X, "82540EP (LOM)" },
	{ 0x1017, V_8254X, "82540EP" },
	{ 0x101e, V_8254X, "82540EP (LP)" },
	{ 0x100f, V_8254X, "82545EM" },
	{ 0x1026, V_8254X, "82545GM" },
	{ 0x1010, V_8254X | V_DUAL, "82546EB" },
	{ 0x101d, V_8254X | V_DUAL, "82546EB (quad)" },
	{ 0x1079, V_8254X | V_DUAL, "82546GB" },
	{ 0x1099, V_8254X | V_DUAL, "82546GB (quad)" },
	{ 0x10b5, V_8254X | V_DUAL, "82546GB (quad)" },
	{ 0x108a, V_8254X | V_DUAL, "82546GB (PCIe)" },
	{ 0x1013, V_82541, "82541EI" },
	{ 0x1018, V_82541, "82541EI (mobile)" },
	{ 0x1014, V_82541, "82541ER (LOM)" },
	{ 0x1078, V_82541, "82541ER" },
	{ 0x1076, V_82541, "82541GI" },
	{ 0x107c, V_82541, "82541GI (LF)" },
	{ 0x1077, V_82541, "82541GI (mobile)" },
	{ 0x1019, V_82541, "82547EI" },
	{ 0x101a, V_82541, "82547EI (mobile)" },
	{ 0x1075, V_82541, "82547GI" },
	/* Older 8254x, fiber and SerDes parts: other link setup. */
	{ 0x1000, V_NONE, "82542" },
	{ 0x1001, V_NONE, "82543GC (fiber)" },
	{ 0x1004, V_NONE, "82543GC" },
	{ 0x1008, V_NONE, "82544EI" },
	{ 0x1009, V_NONE, "82544EI (fiber)" },
	{ 0x100c, V_NONE, "82544GC" },
	{ 0x100d, V_NONE, "82544GC (LOM)" },
	{ 0x1011, V_NONE, "82545EM (fiber)" },
	{ 0x1027, V_NONE, "82545GM (fiber)" },
	{ 0x1028, V_NONE, "82545GM (SerDes)" },
	{ 0x1012, V_NONE, "82546EB (fiber)" },
	{ 0x107a, V_NONE, "82546GB (fiber)" },
	{ 0x107b, V_NONE, "82546GB (SerDes)" },
	/* e1000e: PCIe parts with their own init (semaphores, errata, ME). */
	{ 0x105e, V_NONE, "82571EB" },
	{ 0x105f, V_NONE, "82571EB (fiber)" },
	{ 0x1060, V_NONE, "82571EB (SerDes)" },
	{ 0x10a4, V_NONE, "82571EB (quad)" },
	{ 0x10a5, V_NONE, "82571EB (quad fiber)" },
	{ 0x10bc, V_NONE, "82571EB (quad)" },
	{ 0x10d5, V_NONE, "82571PT (quad)" },
	{ 0x10d9, V_NONE, "82571EB (SerDes)" },
	{ 0x10da, V_NONE, "82571EB (SerDes)" },
	{ 0x107d, V_NONE, "82572EI" },
	{ 0x107e, V_NONE, "82572EI (fiber)" },
	{ 0x107f, V_NONE, "82572EI (SerDes)" },
	{ 0x10b9, V_NONE, "82572EI" },
	{ 0x108b, V_NONE, "82573E" },
	{ 0x108c, V_NONE, "82573E" },
	{ 0x109a, V_NONE, "82573L" },
	{ 0x10d3, V_NONE, "82574L" },
	{ 0x10f6, V_NONE, "82574LA" },
	{ 0x150c, V_NONE, "82583V" },
	{ 0x1096, V_NONE, "80003ES2LAN" },
	{ 0x1098, V_NONE, "80003ES2LAN (SerDes)" },
	{ 0x10ba, V_NONE, "80003ES2LAN" },
	{ 0x10bb, V_NONE, "80003ES2LAN (SerDes)" },
	{ 0x1049, V_NONE, "ICH8 LAN" }, { 0x104a, V_NONE, "ICH8 LAN" },
	{ 0x104b, V_NONE, "ICH8 LAN" }, { 0x104c, V_NONE, "ICH8 LAN" },
	{ 0x104d, V_NONE, "ICH8 LAN" }, { 0x10c4, V_NONE, "ICH8 LAN" },
	{ 0x10c5, V_NONE, "ICH8 LAN" }, { 0x1501, V_NONE, "ICH8 LAN" },
	{ 0x10bf, V_NONE, "ICH9 LAN" }, { 0x10f5, V_NONE, "ICH9 LAN" },
	{ 0x10cb, V_NONE, "ICH9 LAN" }, { 0x10bd, V_NONE, "ICH9 LAN" },
	{ 0x10e5, V_NONE, "ICH9 LAN" }, { 0x294c, V_NONE, "ICH9 LAN" },
	{ 0x10c0, V_NONE, "ICH9 LAN" }, { 0x10c3, V_NONE, "ICH9 LAN" },
	{ 0x10c2, V_NONE, "ICH9 LAN" },
	{ 0x10cc, V_NONE, "ICH10 LAN" }, { 0x10cd, V_NONE, "ICH10 LAN" },
	{ 0x10ce, V_NONE, "ICH10 LAN" }, { 0x10de, V_NONE, "ICH10 LAN" },
	{ 0x10df, V_NONE, "ICH10 LAN" }, { 0x1525, V_NONE, "ICH10 LAN" },
	{ 0x10ea, V_NONE, "82577LM" }, { 0x10eb, V_NONE, "82577LC" },
	{ 0x10ef, V_NONE, "82578DM" }, { 0x10f0, V_NONE, "82578DC" },
	{ 0x1502, V_NONE, "82579LM" }, { 0x1503, V_NONE, "82579V" },
	{ 0x153a, V_NONE, "I217-LM" }, { 0x153b, V_NONE, "I217-V" },
	{ 0x155a, V_NONE, "I218-LM" }, { 0x1559, V_NONE, "I218-V" },
	{ 0x15a0, V_NONE, "I218-LM" }, { 0x15a1, V_NONE, "I218-V" },
	{ 0x15a2, V_NONE, "I218-LM" }, { 0x15a3, V_NONE, "I218-V" },
	{ 0x156f, V_NONE, "I219-LM" }, { 0x1570, V_NONE, "I219-V" },
	{ 0x15b7, V_NONE, "I219-LM" }, { 0x15b8, V_NONE, "I219-V" },
	{ 0x15b9, V_NONE, "I219-LM" },
	{ 0x15d7, V_NONE, "I219-LM" }, { 0x15d8, V_NONE, "I219-V" },
	{ 0x15e3, V_NONE, "I219-LM" }, { 0x15d6, V_NONE, "I219-V" },
	{ 0x15bd, V_NONE, "I219-LM" }, { 0x15be, V_NONE, "I219-V" },
	{ 0x15bb, V_NONE, "I219-LM" }, { 0x15bc, V_NONE, "I219-V" },
	{ 0x15df, V_NONE, "I219-LM" }, { 0x15e0, V_NONE, "I219-V" },
	{ 0x15e1, V_NONE, "I219-LM" }, { 0x15e2, V_NONE, "I219-V" },
	{ 0x0d4e, V_NONE, "I219-LM" }, { 0x0d4f, V_NONE, "I219-V" },
	{ 0x0d4c, V_NONE, "I219-LM" }, { 0x0d4d, V_NONE, "I219-V" },
	{ 0x0d53, V_NONE, "I219-LM" }, { 0x0d55, V_NONE, "I219-V" },
	{ 0x15fb, V_NONE, "I219-LM" }, { 0x15fc, V_NONE, "I219-V" },
	{ 0x15f9, V_NONE, "I219-LM" }, { 0x15fa, V_NONE, "I219-V" },
	{ 0x15f4, V_NONE, "I219-LM" }, { 0x15f5, V_NONE, "I219-V" },
	{ 0x1a1e, V_NONE, "I219-LM" }, { 0x1a1f, V_NONE, "I219-V" },
	{ 0x1a1c, V_NONE, "I219-LM" }, { 0x1a1d, V_NONE, "I219-V" },
	{ 0x550a, V_NONE, "I219-LM" }, { 0x550b, V_NONE, "I219-V" },
	{ 0x550c, V_NONE, "I219-LM" }, { 0x550d, V_NONE, "I219-V" },
	{ 0x550e, V_NONE, "I219-LM" }, { 0x550f, V_NONE, "I219-V" },
	{ 0x5510, V_NONE, "I219-LM" }, { 0x5511, V_NONE, "I219-V" },
	{ 0x0dc7, V_NONE, "I219-LM" }, { 0x0dc8, V_NONE, "I219-V" },
	{ 0x0dc5, V_NONE, "I219-LM" }, { 0x0dc6, V_NONE, "I219-V" },
	{ 0x57a0, V_NONE, "I219-LM" }, { 0x57a1, V_NONE, "I219-V" },
	{ 0x57b3, V_NONE, "I219-LM" }, { 0x57b4, V_NONE, "I219-V" },
	{ 0x57b7, V_NONE, "I219-LM" }, { 0x57b8, V_NONE, "I219-V" },
	/* igb and igc: a different (advanced) descriptor family. */
	{ 0x10a7, V_NONE, "82575EB" }, { 0x10a9, V_NONE, "82575EB" },
	{ 0x10d6, V_NONE, "82575GB" }, { 0x10e2, V_NONE, "82575GB" },
	{ 0x10c9, V_NONE, "82576" }, { 0x10e6, V_NONE, "82576" },
	{ 0x10e7, V_NONE, "82576" }, { 0x10e8, V_NONE, "82576" },
	{ 0x150a, V_NONE, "82576NS" }, { 0x150d, V_NONE, "82576" },
	{ 0x1518, V_NONE, "82576NS" }, { 0x1526, V_NONE, "82576" },
	{ 0x150e, V_NONE, "82580" }, { 0x150f, V_NONE, "82580" },
	{ 0x1510, V_NONE, "82580" }, { 0x1511, V_NONE, "82580" },
	{ 0x1516, V_NONE, "82580" }, { 0x1527, V_NONE, "82580" },
	{ 0x1521, V_NONE, "I350" }, { 0x1522, V_NONE, "I350" },
	{ 0x1523, V_NONE, "I350" }, { 0x1524, V_NONE, "I350" },
	{ 0x1546, V_NONE, "I350" },
	{ 0x1533, V_NONE, "I210" }, { 0x1534, V_NONE, "I210" },
	{ 0x1535, V_NONE, "I210" }, { 0x1536, V_NONE, "I210" },
	{ 0x1537, V_NONE, "I210" }, { 0x1538, V_NONE, "I210" },
	{ 0x157b, V_NONE, "I210" }, { 0x157c, V_NONE, "I210" },
	{ 0x1539, V_NONE, "I211" },
	{ 0x15f2, V_NONE, "I225-LM" }, { 0x15f3, V_NONE, "I225-V" },
	{ 0x125b, V_NONE, "I226-LM" }, { 0x125c, V_NONE, "I226-V" },
};

static const struct model *model_find(uint16_t device_id)
{
	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		if (models[i].id == device_id)
			return &models[i];
	return NULL;
}

const char *physnic_device_name(uint16_t device_id)
{
	const struct model *m = model_find(device_id);

	return m && (m->variant & V_KIND_MASK) != V_NONE ? m->name : NULL;
}

const char *physnic_model_name(uint16_t vendor, uint16_t device)
{
	const struct model *m = vendor == E1000_VENDOR_ID_INTEL ? model_find(device) : NULL;

	return m ? m->name : NULL;
}

int physnic_pci_describe(const struct physnic_pci *p, char *buf, size_t size)
{
	const char *name = physnic_model_name(p->vendor, p->device);
	char what[48];

	if (name)
		xt_snprintf(what, sizeof(what), "Intel %s", name);
	else
		xt_snprintf(what, sizeof(what), "%s", p->vendor == E1000_VENDOR_ID_INTEL ?
			    "Intel, unknown model" : "not an Intel e1000");
	if (p->supported)
		return xt_snprintf(buf, size, "physical NIC %04x:%04x at %02x:%02x.%x (%s), BAR0 0x%llx",
				   p->vendor, p->device, p->bus, p->dev, p->fn, what,
				   (unsigned long long)p->bar0);
	if (physnic_device_name(p->device) && p->vendor == E1000_VENDOR_ID_INTEL)
		return xt_snprintf(buf, size, "physical NIC %04x:%04x at %02x:%02x.%x (%s): BAR0 0x%llx "
				   "is not a memory BAR below 4 GiB; outside traffic will be dropped",
				   p->vendor, p->device, p->bus, p->dev, p->fn, what,
				   (unsigned long long)p->bar0);
	return xt_snprintf(buf, size, "physical NIC %04x:%04x at %02x:%02x.%x (%s) is not supported; "
			   "outside traffic will be dropped",
			   p->vendor, p->device, p->bus, p->dev, p->fn, what);
}

/* ---------------------------------------------------------- constants */

/* 82541xx/82547GI/EI EERD layout (8254x SDM, table 13-8). */
#define EERD_82541_DONE		(1u << 1)
#define EERD_82541_ADDR_SHIFT	2
#define EERD_82541_ADDR_MASK	0x3fffu

#define MANC_ARP_EN		(1u << 13)	/* firmware answers ARP itself */
#define STATUS_FUNC_1		(1u << 2)	/* STATUS.FUNC_ID: this is LAN B */

/* TIPG for copper: IPGT 8, IPGR1 8, IPGR2 6 (SDM 13.4.34, 82540/1/5/6/7). */
#define TIPG_COPPER		(8u | 8u << 10 | 6u << 20)
/* TCTL.CT and TCTL.COLD (SDM 14.5: 0x40 full duplex, 0x200 half). */
#define TCTL_CT			(0x0fu << E1000_TCTL_CT_SHIFT)
#define TCTL_COLD_FD		(0x40u << E1000_TCTL_COLD_SHIFT)
#define TCTL_COLD_HD		(0x200u << E1000_TCTL_COLD_SHIFT)

#define RX_ERR_FRAME		(E1000_RXD_ERR_CE | E1000_RXD_ERR_SE | E1000_RXD_ERR_SEQ | \
				 E1000_RXD_ERR_CXE | E1000_RXD_ERR_RXE)
#define TX_STAT_ERR		(E1000_TXD_STAT_EC | E1000_TXD_STAT_LC | E1000_TXD_STAT_TU)

#define RESET_QUIESCE_US	10000	/* pending DMA drains after RCTL/TCTL off */
#define RESET_SETTLE_US		20000	/* reset plus EEPROM auto-read (82541/7: 20 ms) */
#define RESET_POLLS		100	/* then CTRL.RST checked every ms */
#define EERD_POLLS		1000
#define EERD_POLL_US		10
#define LINK_POLL_US		10000

#define RING_BYTES		(PHYSNIC_TX_DESC * E1000_DESC_SIZE)

_Static_assert(PHYSNIC_TX_DESC * E1000_DESC_SIZE % E1000_DLEN_ALIGN == 0, "TDLEN alignment");
_Static_assert(PHYSNIC_RX_DESC * E1000_DESC_SIZE % E1000_DLEN_ALIGN == 0, "RDLEN alignment");
_Static_assert(PHYSNIC_TX_DESC == PHYSNIC_RX_DESC, "one ring size");
_Static_assert(PHYSNIC_TX_DESC <= 65536, "tx_last is 16 bits");
_Static_assert(PHYSNIC_MAX_FRAME <= PHYSNIC_RX_BUF, "a frame fits a buffer");

/* ---------------------------------------------------------- helpers */

static uint32_t rd(const struct physnic *n, uint32_t reg)
{
	return n->ops->rd32(n->ops->ctx, reg);
}

static void wr(const struct physnic *n, uint32_t reg, uint32_t val)
{
	n->ops->wr32(n->ops->ctx, reg, val);
}

static void delay(const struct physnic *n, unsigned us)
{
	n->ops->delay_us(n->ops->ctx, us);
}

static uint32_t ring_next(uint32_t i)
{
	return i + 1 == PHYSNIC_TX_DESC ? 0 : i + 1;
}

static volatile uint8_t *desc_at(uint8_t *ring, uint32_t i)
{
	return (volatile uint8_t *)ring + (size_t)i * E1000_DESC_SIZE;
}

static void put_le(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/* Descriptors live in memory the NIC reads: volatile, whole, once. */
static void desc_store(volatile uint8_t *d, const uint8_t src[E1000_DESC_SIZE])
{
	for (unsigned i = 0; i < E1000_DESC_SIZE; i++)
		d[i] = src[i];
}

static void desc_load(uint8_t dst[E1000_DESC_SIZE], const volatile uint8_t *d)
{
	for (unsigned i = 0; i < E1000_DESC_SIZE; i++)
		dst[i] = d[i];
}

static void mac_from_ra(uint8_t mac[6], uint32_t lo, uint32_t hi)
{
	put_le(mac, lo, 4);
	put_le(mac + 4, hi & E1000_RAH_ADDR_MASK, 2);
}

static uint32_t ral_of(const uint8_t mac[6])
{
	return (uint32_t)mac[0] | (uint32_t)mac[1] << 8 | (uint32_t)mac[2] << 16 |
	       (uint32_t)mac[3] << 24;
}

static uint32_t rah_of(const uint8_t mac[6])
{
	return (uint32_t)mac[4] | (uint32_t)mac[5] << 8 | E1000_RAH_AV;
}

static bool mac_is_zero(const uint8_t mac[6])
{
	return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

static bool mac_is_bcast(const uint8_t mac[6])
{
	return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}

/* ---------------------------------------------------------- reset and MAC */

/* SDM 14.9 and Linux's e1000_reset_hw: quiesce, CTRL.RST, wait, mask again. */
static int hw_reset(struct physnic *n)
{
	unsigned i;

	wr(n, E1000_IMC, 0xffffffffu);
	wr(n, E1000_RCTL, 0);
	wr(n, E1000_TCTL, E1000_TCTL_PSP);
	(void)rd(n, E1000_STATUS);	/* flush the posted writes */
	delay(n, RESET_QUIESCE_US);
	wr(n, E1000_CTRL, rd(n, E1000_CTRL) | E1000_CTRL_RST);
	delay(n, RESET_SETTLE_US);
	for (i = 0; i < RESET_POLLS && (rd(n, E1000_CTRL) & E1000_CTRL_RST); i++)
		delay(n, 1000);
	if (i == RESET_POLLS)
		return -XT_EIO;
	wr(n, E1000_IMC, 0xffffffffu);
	(void)rd(n, E1000_ICR);
	wr(n, E1000_MANC, rd(n, E1000_MANC) & ~MANC_ARP_EN);
	return 0;
}

/* One EEPROM word through EERD, in this part's layout. */
static int eerd_read(struct physnic *n, unsigned word, uint16_t *val)
{
	bool alt = (n->variant & V_KIND_MASK) == V_82541;
	uint32_t done = alt ? EERD_82541_DONE : E1000_EERD_DONE;
	uint32_t cmd = E1000_EERD_START;

	cmd |= alt ? (word & EERD_82541_ADDR_MASK) << EERD_82541_ADDR_SHIFT :
		     (word & E1000_EERD_ADDR_MASK) << E1000_EERD_ADDR_SHIFT;
	wr(n, E1000_EERD, cmd);
	for (unsigned i = 0; i < EERD_POLLS; i++) {
		uint32_t v = rd(n, E1000_EERD);

		if (v & done) {
			*val = (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
			return 0;
		}
		delay(n, EERD_POLL_US);
	}
	return -XT_EIO;
}

static int mac_from_eeprom(struct physnic *n, uint8_t mac[6])
{
	for (unsigned w = 0; w < 3; w++) {
		uint16_t v;
		int rc = eerd_read(n, E1000_EEPROM_MAC + w, &v);

		if (rc)
			return rc;
		put_le(mac + 2 * w, v, 2);
	}
	if ((n->variant & V_DUAL) && (rd(n, E1000_STATUS) & STATUS_FUNC_1))
		mac[5] ^= 1;
	return 0;
}

static bool mac_usable(const uint8_t mac[6])
{
	return !mac_is_zero(mac) && !(mac[0] & 1);
}

/* RAL0/RAH0 as the reset loaded them, else the EEPROM (Bochs' 82540EM does
 * not load RAL0 at reset); RAL0/RAH0 are (re)written either way. */
static int read_mac(struct physnic *n)
{
	uint32_t hi = rd(n, E1000_RAH0);
	uint8_t mac[6];

	mac_from_ra(mac, rd(n, E1000_RAL0), hi);
	if (!(hi & E1000_RAH_AV) || !mac_usable(mac)) {
		if (mac_from_eeprom(n, mac) || !mac_usable(mac))
			return -XT_EIO;
	}
	memcpy(n->mac, mac, sizeof(n->mac));
	wr(n, E1000_RAL0, ral_of(mac));
	wr(n, E1000_RAH0, rah_of(mac));
	return 0;
}

/* ---------------------------------------------------------- statistics */

struct hw_stat {
	uint32_t reg;		/* the low half for 64-bit counters */
	uint16_t field;		/* offset in struct physnic_stats */
	bool wide;		/* low then high; reading the high half clears both */
};

#define STAT(r, f, w) { r, (uint16_t)offsetof(struct physnic_stats, f), w }
static const struct hw_stat hw_stats[] = {
	STAT(E1000_GPTC, hw_gptc, false),
	STAT(E1000_GPRC, hw_gprc, false),
	STAT(E1000_TPT, hw_tpt, false),
	STAT(E1000_TPR, hw_tpr, false),
	STAT(E1000_GOTCL, hw_gotc, true),
	STAT(E1000_GORCL, hw_gorc, true),
	STAT(E1000_MPC, hw_mpc, false),
	STAT(E1000_RNBC, hw_rnbc, false),
	STAT(E1000_CRCERRS, hw_crcerrs, false),
	STAT(E1000_ECOL, hw_ecol, false),
	STAT(E1000_LATECOL, hw_latecol, false),
};
#undef STAT

void physnic_update_stats(struct physnic *n)
{
	for (size_t i = 0; i < sizeof(hw_stats) / sizeof(hw_stats[0]); i++) {
		const struct hw_stat *s = &hw_stats[i];
		uint64_t v = rd(n, s->reg);

		if (s->wide)
			v |= (uint64_t)rd(n, s->reg + 4) << 32;
		*(uint64_t *)((uint8_t *)&n->st + s->field) += v;
	}
}

/* SDM 14.3: counters start from zero (read to clear, low halves first). */
static void clear_hw_stats(struct physnic *n)
{
	for (uint32_t reg = E1000_STATS_BASE; reg < E1000_STATS_END; reg += 4)
		(void)rd(n, reg);
}

/* ---------------------------------------------------------- rings */

static void *dma_alloc(struct physnic *n, size_t size, uint64_t *hpa)
{
	void *p = n->ops->alloc_dma(n->ops->ctx, size, hpa);

	/* The ring registers ignore bits 3:0; anything but the promised 4 KiB
	 * alignment or a range that wraps is refused rather than truncated. */
	if (!p || (*hpa & 0xfff) || *hpa + size < *hpa)
		return NULL;
	return p;
}

static int alloc_rings(struct physnic *n)
{
	n->tx_ring = dma_alloc(n, RING_BYTES, &n->tx_ring_hpa);
	n->rx_ring = dma_alloc(n, RING_BYTES, &n->rx_ring_hpa);
	n->rx_bufs = dma_alloc(n, (size_t)PHYSNIC_RX_DESC * PHYSNIC_RX_BUF, &n->rx_bufs_hpa);
	return n->tx_ring && n->rx_ring && n->rx_bufs ? 0 : -XT_ENOMEM;
}

static uint8_t *rx_buf(const struct physnic *n, uint32_t i)
{
	return n->rx_bufs + (size_t)i * PHYSNIC_RX_BUF;
}

/* Give descriptor i its buffer (the driver's, whatever the NIC wrote back) and clear its status. */
static void rx_arm(struct physnic *n, uint32_t i)
{
	uint8_t d[E1000_DESC_SIZE] = { 0 };

	put_le(d + E1000_RXD_ADDR, n->rx_bufs_hpa + (uint64_t)i * PHYSNIC_RX_BUF, 8);
	desc_store(desc_at(n->rx_ring, i), d);
}

static void tx_setup(struct physnic *n)
{
	wr(n, E1000_TDBAL, (uint32_t)n->tx_ring_hpa);
	wr(n, E1000_TDBAH, (uint32_t)(n->tx_ring_hpa >> 32));
	wr(n, E1000_TDLEN, RING_BYTES);
	wr(n, E1000_TDH, 0);
	wr(n, E1000_TDT, 0);
	wr(n, E1000_TIPG, TIPG_COPPER);
	wr(n, E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_RTLC | TCTL_CT | TCTL_COLD_FD);
}

/* SDM 14.4: filters, ring, then RCTL. Descriptors 0..254 belong to the NIC,
 * 255 is the one-slot gap (RDH == RDT means empty). */
static void rx_setup(struct physnic *n)
{
	for (unsigned k = 1; k < E1000_RAR_ENTRIES; k++) {
		wr(n, E1000_RAH(k), 0);
		wr(n, E1000_RAL(k), 0);
	}
	for (unsigned k = 0; k < E1000_MTA_SIZE; k++)
		wr(n, E1000_MTA + 4 * k, 0);
	for (uint32_t i = 0; i < PHYSNIC_RX_DESC; i++)
		rx_arm(n, i);
	wr(n, E1000_RDTR, 0);
	wr(n, E1000_RADV, 0);
	wr(n, E1000_RDBAL, (uint32_t)n->rx_ring_hpa);
	wr(n, E1000_RDBAH, (uint32_t)(n->rx_ring_hpa >> 32));
	wr(n, E1000_RDLEN, RING_BYTES);
	wr(n, E1000_RDH, 0);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr(n, E1000_RDT, PHYSNIC_RX_DESC - 1);
	n->rctl = E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_SECRC;	/* BSIZE 00: 2048 */
	wr(n, E1000_RCTL, n->rctl);
}

/* SDM 14.3/14.5: internal copper PHY, speed and duplex from the PHY, no
 * flow control; the PHY auto-negotiates by itself. */
static void link_setup(struct physnic *n)
{
	uint32_t ctrl = rd(n, E1000_CTRL);

	ctrl |= E1000_CTRL_SLU | E1000_CTRL_ASDE;
	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_FRCSPD | E1000_CTRL_FRCDPX | E1000_CTRL_ILOS |
		  E1000_CTRL_PHY_RST | E1000_CTRL_VME | E1000_CTRL_RFCE | E1000_CTRL_TFCE);
	wr(n, E1000_CTRL, ctrl);
	wr(n, E1000_FCAL, 0);
	wr(n, E1000_FCAH, 0);
	wr(n, E1000_FCT, 0);
	wr(n, E1000_FCTTV, 0);
}

static void link_wait(struct physnic *n)
{
	unsigned polls = PHYSNIC_LINK_TIMEOUT_MS * 1000u / LINK_POLL_US;
	uint32_t status = rd(n, E1000_STATUS);

	for (unsigned i = 0; i < polls && !(status & E1000_STATUS_LU); i++) {
		delay(n, LINK_POLL_US);
		status = rd(n, E1000_STATUS);
	}
	n->link_up = status & E1000_STATUS_LU;
	n->full_duplex = status & E1000_STATUS_FD;
	if (n->link_up && !n->full_duplex)
		wr(n, E1000_TCTL, (rd(n, E1000_TCTL) & ~E1000_TCTL_COLD_MASK) | TCTL_COLD_HD);
}

bool physnic_link_up(const struct physnic *n)
{
	return rd(n, E1000_STATUS) & E1000_STATUS_LU;
}

int physnic_init(struct physnic *n, const struct physnic_ops *ops, uint16_t device_id)
{
	const struct model *m = model_find(device_id);
	int rc;

	if (!m || (m->variant & V_KIND_MASK) == V_NONE)
		return -XT_ENOTSUP;
	if (!ops || !ops->rd32 || !ops->wr32 || !ops->alloc_dma || !ops->delay_us)
		return -XT_EINVAL;
	memset(n, 0, sizeof(*n));
	n->ops = ops;
	n->device_id = device_id;
	n->variant = m->variant;
	rc = hw_reset(n);
	if (!rc)
		rc = read_mac(n);
	if (!rc)
		rc = alloc_rings(n);
	if (rc)
		return rc;
	clear_hw_stats(n);
	link_setup(n);
	tx_setup(n);
	rx_setup(n);
	link_wait(n);
	return 0;
}

/* ---------------------------------------------------------- address filter */

static bool addr_known(const struct physnic *n, const uint8_t mac[6])
{
	if (!memcmp(mac, n->mac, 6))
		return true;
	for (unsigned i = 0; i < n->naddrs; i++)
		if (!memcmp(mac, n->addr[i], 6))
			return true;
	return false;
}

static void set_rctl(struct physnic *n, uint32_t bits)
{
	n->rctl |= bits;
	wr(n, E1000_RCTL, n->rctl);
}

/* The next RAL/RAH entry, read back: a part (Bochs' model) may implement fewer. */
static bool ra_program(struct physnic *n, const uint8_t mac[6])
{
	unsigned k = n->naddrs + 1;

	wr(n, E1000_RAL(k), ral_of(mac));
	wr(n, E1000_RAH(k), rah_of(mac));
	if (rd(n, E1000_RAL(k)) == ral_of(mac) && rd(n, E1000_RAH(k)) == rah_of(mac))
		return true;
	wr(n, E1000_RAH(k), 0);
	return false;
}

/* MTA hash for RCTL.MO = 0: destination address bits 47:36. */
static void mta_add(struct physnic *n, const uint8_t mac[6])
{
	uint32_t hash = ((uint32_t)mac[4] >> 4 | (uint32_t)mac[5] << 4) & 0xfff;
	uint32_t reg = E1000_MTA + 4 * (hash >> 5), bit = 1u << (hash & 31);

	wr(n, reg, rd(n, reg) | bit);
	if (!(rd(n, reg) & bit) && !n->mc_promisc) {
		n->mc_promisc = true;
		set_rctl(n, E1000_RCTL_MPE);
	}
}

int physnic_add_address(struct physnic *n, const uint8_t mac[6])
{
	if (mac_is_zero(mac))
		return -XT_EINVAL;
	if (mac_is_bcast(mac))
		return 0;
	if (mac[0] & 1) {
		mta_add(n, mac);
		return 0;
	}
	if (addr_known(n, mac) || n->uc_promisc)
		return 0;
	if (!n->ra_full && n->naddrs < PHYSNIC_MAX_ADDRS && ra_program(n, mac)) {
		memcpy(n->addr[n->naddrs++], mac, 6);
		return 0;
	}
	n->ra_full = true;
	n->uc_promisc = true;
	set_rctl(n, E1000_RCTL_UPE);
	return 0;
}

/* ---------------------------------------------------------- transmit */

unsigned physnic_tx_free(const struct physnic *n)
{
	return (n->tx_clean + PHYSNIC_TX_DESC - n->tx_tail - 1) % PHYSNIC_TX_DESC;
}

/* 0 and the total length, or -XT_EINVAL. */
static int tx_check(const struct physnic_seg *segs, unsigned nseg, uint32_t *total)
{
	uint32_t sum = 0;

	if (!segs || !nseg || nseg > PHYSNIC_MAX_SEGS)
		return -XT_EINVAL;
	for (unsigned i = 0; i < nseg; i++) {
		if (!segs[i].len || segs[i].len > PHYSNIC_MAX_FRAME ||
		    segs[i].hpa + segs[i].len < segs[i].hpa)
			return -XT_EINVAL;
		sum += segs[i].len;
	}
	if (sum < PHYSNIC_MIN_FRAME || sum > PHYSNIC_MAX_FRAME)
		return -XT_EINVAL;
	*total = sum;
	return 0;
}

static void tx_fill(struct physnic *n, uint32_t i, const struct physnic_seg *s, bool last)
{
	uint8_t d[E1000_DESC_SIZE] = { 0 };
	uint8_t cmd = E1000_TXD_CMD_IFCS;

	if (last)
		cmd |= E1000_TXD_CMD_EOP | E1000_TXD_CMD_RS;
	put_le(d + E1000_TXD_ADDR, s->hpa, 8);
	put_le(d + E1000_TXD_LENGTH, s->len, 2);
	d[E1000_TXD_CMD] = cmd;
	desc_store(desc_at(n->tx_ring, i), d);
}

int physnic_xmit(struct physnic *n, const struct physnic_seg *segs, unsigned nseg, uint64_t cookie)
{
	uint32_t total, first = n->tx_tail, i = first;

	if (tx_check(segs, nseg, &total)) {
		n->st.tx_bad++;
		return -XT_EINVAL;
	}
	if (physnic_tx_free(n) < nseg) {
		n->st.tx_ring_full++;
		return -XT_EAGAIN;
	}
	for (unsigned k = 0; k < nseg; k++) {
		tx_fill(n, i, &segs[k], k + 1 == nseg);
		if (k + 1 < nseg)
			i = ring_next(i);
	}
	n->tx_cookie[first] = cookie;
	n->tx_last[first] = (uint16_t)i;
	n->tx_len[first] = (uint16_t)total;
	n->tx_tail = ring_next(i);
	/* Descriptors before the tail (x86: ordinary stores stay in order). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr(n, E1000_TDT, n->tx_tail);
	return 0;
}

unsigned physnic_tx_reap(struct physnic *n, void (*done)(void *ctx, uint64_t cookie), void *ctx)
{
	unsigned count = 0;

	while (n->tx_clean != n->tx_tail) {
		uint32_t first = n->tx_clean, last = n->tx_last[first];
		uint8_t sta = desc_at(n->tx_ring, last)[E1000_TXD_STA];

		if (!(sta & E1000_TXD_STAT_DD))
			break;
		n->tx_clean = ring_next(last);
		n->st.tx_frames++;
		n->st.tx_bytes += n->tx_len[first];
		if (sta & TX_STAT_ERR)
			n->st.tx_errors++;
		count++;
		if (done)
			done(ctx, n->tx_cookie[first]);
	}
	return count;
}

/* ---------------------------------------------------------- receive */

/* The frame length in descriptor d, or 0 if it is to be dropped (counted). */
static uint32_t rx_check(struct physnic *n, const uint8_t d[E1000_DESC_SIZE])
{
	uint8_t status = d[E1000_RXD_STATUS];
	uint32_t len = get_le16(d + E1000_RXD_LENGTH);

	if (n->rx_discard) {			/* the rest of a frame already counted */
		n->rx_discard = !(status & E1000_RXD_STAT_EOP);
		return 0;
	}
	if (!(status & E1000_RXD_STAT_EOP)) {	/* longer than a buffer: never with LPE off */
		n->rx_discard = true;
		n->st.rx_bad++;
		return 0;
	}
	if ((d[E1000_RXD_ERRORS] & RX_ERR_FRAME) || len < PHYSNIC_MIN_FRAME || len > PHYSNIC_RX_BUF) {
		n->st.rx_bad++;
		return 0;
	}
	return len;
}

unsigned physnic_rx_poll(struct physnic *n, void (*rx)(void *ctx, const uint8_t *data, uint32_t len),
			 void *ctx, unsigned budget)
{
	unsigned used = 0, frames = 0;
	uint32_t i = n->rx_next;

	while (used < budget) {
		volatile uint8_t *slot = desc_at(n->rx_ring, i);
		uint8_t d[E1000_DESC_SIZE];
		uint32_t len;

		if (!(slot[E1000_RXD_STATUS] & E1000_RXD_STAT_DD))
			break;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);	/* the rest after DD */
		desc_load(d, slot);
		len = rx_check(n, d);
		if (len) {
			n->st.rx_frames++;
			n->st.rx_bytes += len;
			frames++;
			if (rx)
				rx(ctx, rx_buf(n, i), len);
		}
		rx_arm(n, i);
		used++;
		n->rx_next = ring_next(i);
		i = n->rx_next;
	}
	if (used) {
		/* The last descriptor handled becomes the gap; the one before it goes back. */
		__atomic_thread_fence(__ATOMIC_RELEASE);
		wr(n, E1000_RDT, (i + PHYSNIC_RX_DESC - 1) % PHYSNIC_RX_DESC);
	}
	return frames;
}
