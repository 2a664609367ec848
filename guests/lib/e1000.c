/* SPDX-License-Identifier: MIT */
/* The 82540EM driver (see e1000.h); register facts from the 8254x SDM. */
#include "e1000.h"

#include <string.h>

#include "ether.h"
#include "guest.h"
#include "pic.h"
#include "pit.h"
#include "tsc.h"

#define E1000_CLASS_ETHERNET 0x020000
#define E1000_BAR0_MIN 0x20000          /* 128 KiB of registers */
#define UNCACHED_LO 0xc0000000ULL       /* boot page tables map 3-4 GiB uncached */
#define UNCACHED_HI 0x100000000ULL
#define RESET_QUIESCE_MS 10             /* before CTRL.RST, as Linux */
#define RESET_EEPROM_MS 5               /* after: the 82540's EEPROM auto-read */
#define RESET_TIMEOUT_MS 10
#define MDIC_TIMEOUT_US 100000
#define LINK_TIMEOUT_MS 1000
#define IMS_ENABLED (E1000_ICR_RXT0 | E1000_ICR_TXDW | E1000_ICR_LSC | E1000_ICR_RXDMT0 | \
		     E1000_ICR_RXO)
#define RX_FRAME_MIN (ETH_ZLEN + ETH_FCS_LEN)
#define RX_FRAME_MAX (ETH_FRAME_MAX + ETH_FCS_LEN)

static bool probed;

static uint64_t dma_addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ------------------------------------------------------------ PCI */

static int pci_setup(struct e1000_nic *nic)
{
	struct pci_dev *d = &nic->pci;
	struct pci_bar bar0, io = { 0, 0, false, false };
	uint32_t class;
	uint16_t cmd;
	uint8_t pin;

	if (!pci_find(E1000_VENDOR, E1000_DEVICE_82540EM, d)) {
		print("e1000: error: no %04x:%04x on PCI bus 0\n", E1000_VENDOR,
		      E1000_DEVICE_82540EM);
		return E1000_EIO;
	}
	class = pci_read32(d, PCI_CLASS_REVISION) >> 8;
	if (class != E1000_CLASS_ETHERNET) {
		print("e1000: error: class code 0x%06x, not an Ethernet controller\n", class);
		return E1000_EIO;
	}
	pci_bar_probe(d, 0, &bar0);
	if (bar0.io || bar0.size < E1000_BAR0_MIN) {
		print("e1000: error: BAR0 is not a 128 KiB memory BAR (%s, size 0x%lx)\n",
		      bar0.io ? "I/O" : "memory", (unsigned long)bar0.size);
		return E1000_EIO;
	}
	if (bar0.base < UNCACHED_LO || bar0.base + bar0.size > UNCACHED_HI) {
		print("e1000: error: BAR0 0x%lx is outside the uncached 3-4 GiB window\n",
		      (unsigned long)bar0.base);
		return E1000_EIO;
	}
	/* The I/O BAR is the first I/O BAR after BAR0 (BAR1 on the 82540EM). */
	for (unsigned i = bar0.is64 ? 2 : 1; i < PCI_NUM_BARS; i++) {
		struct pci_bar b;

		pci_bar_probe(d, i, &b);
		if (b.size && b.io) {
			io = b;
			break;
		}
		if (b.is64)
			i++;
	}
	if (io.size < 8 || !io.base || io.base + io.size > 0x10000) {
		print("e1000: error: no usable I/O BAR (base 0x%lx size %lu)\n",
		      (unsigned long)io.base, (unsigned long)io.size);
		return E1000_EIO;
	}
	cmd = pci_enable(d, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	if ((cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)) !=
		    (PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER) ||
	    (cmd & PCI_COMMAND_INTX_DISABLE)) {
		print("e1000: error: COMMAND reads 0x%04x after enabling\n", cmd);
		return E1000_EIO;
	}
	nic->mmio = (volatile uint8_t *)(uintptr_t)bar0.base;
	nic->mmio_size = bar0.size;
	nic->iobase = (uint16_t)io.base;
	nic->irq = pci_read8(d, PCI_INTERRUPT_LINE);
	pin = pci_read8(d, PCI_INTERRUPT_PIN);
	print("e1000: %02x:%02x.%x %04x:%04x bar0 0x%lx (%lu KiB) io 0x%x irq %u pin %c\n", d->bus,
	      d->dev, d->fn, d->vendor, d->device, (unsigned long)bar0.base,
	      (unsigned long)(bar0.size >> 10), nic->iobase, nic->irq,
	      pin >= 1 && pin <= 4 ? 'A' + pin - 1 : '-');
	if (nic->mode == E1000_IRQ) {
		if (pin != 1) {
			print("e1000: error: interrupt pin %u, expected INTA\n", pin);
			return E1000_EIO;
		}
		if (nic->irq >= PIC_NR_IRQS || nic->irq == PIC_CASCADE_IRQ) {
			print("e1000: error: interrupt line %u is not a usable 8259 IRQ\n", nic->irq);
			return E1000_EIO;
		}
	}
	return 0;
}

/* ------------------------------------------------------------ reset */

static void io_write(const struct e1000_nic *nic, uint32_t reg, uint32_t val)
{
	outl((uint16_t)(nic->iobase + E1000_IOADDR), reg);
	outl((uint16_t)(nic->iobase + E1000_IODATA), val);
}

static uint32_t io_read(const struct e1000_nic *nic, uint32_t reg)
{
	outl((uint16_t)(nic->iobase + E1000_IOADDR), reg);
	return inl((uint16_t)(nic->iobase + E1000_IODATA));
}

/* Linux's e1000_reset_hw() for the 82540: mask interrupts, stop RX and TX,
 * let DMA settle, then CTRL.RST written through the I/O BAR (these parts
 * may not complete the memory write that resets them), wait for the EEPROM
 * auto-read, mask and clear interrupts again. */
static int reset(struct e1000_nic *nic)
{
	uint64_t deadline;
	uint32_t ctrl, ctrl_mmio, ctrl_io;

	e1000_wr(nic, E1000_IMC, 0xffffffffU);
	e1000_wr(nic, E1000_RCTL, 0);
	e1000_wr(nic, E1000_TCTL, E1000_TCTL_PSP);
	(void)e1000_rd(nic, E1000_STATUS); /* flush */
	mdelay(RESET_QUIESCE_MS);

	ctrl = e1000_rd(nic, E1000_CTRL);
	io_write(nic, E1000_CTRL, ctrl | E1000_CTRL_RST);
	mdelay(RESET_EEPROM_MS);
	deadline = tsc_deadline_ms(RESET_TIMEOUT_MS);
	while ((ctrl = e1000_rd(nic, E1000_CTRL)) & E1000_CTRL_RST) {
		if (tsc_expired(deadline)) {
			print("e1000: error: CTRL.RST still set (0x%08x)\n", ctrl);
			return E1000_ETIMEDOUT;
		}
		udelay(100);
	}
	e1000_wr(nic, E1000_IMC, 0xffffffffU);
	(void)e1000_rd(nic, E1000_ICR);

	/* Both windows should show the same register (CTRL: nothing changes
	 * it behind our back, unlike STATUS while the link comes up). Only a
	 * warning: QEMU's e1000 implements the I/O BAR as a dummy. */
	ctrl_mmio = e1000_rd(nic, E1000_CTRL);
	ctrl_io = io_read(nic, E1000_CTRL);
	if (ctrl_mmio == 0xffffffffU) {
		print("e1000: error: CTRL reads 0x%08x: no device behind BAR0\n", ctrl_mmio);
		return E1000_EIO;
	}
	if (ctrl_mmio != ctrl_io) {
		print("e1000: warning: CTRL reads 0x%08x via BAR0, 0x%08x via the I/O BAR\n",
		      ctrl_mmio, ctrl_io);
		nic->warnings++;
	}
	return 0;
}

/* ------------------------------------------------------------ EEPROM */

static int read_eeprom(struct e1000_nic *nic)
{
	uint16_t mw[E1000_EE_WORDS], rd[E1000_EE_WORDS];
	unsigned diff = 0, first = 0;
	uint16_t sum;
	int rc;

	rc = e1000_ee_read_microwire(nic, 0, E1000_EE_WORDS, mw);
	if (rc)
		return rc;
	rc = e1000_ee_read_eerd(nic, 0, E1000_EE_WORDS, rd);
	if (rc)
		return rc;
	for (unsigned i = E1000_EE_WORDS; i-- > 0;) {
		if (mw[i] != rd[i]) {
			diff++;
			first = i;
		}
	}
	if (diff) {
		print("e1000: error: EEPROM word 0x%02x: microwire 0x%04x, EERD 0x%04x (%u words "
		      "differ)\n",
		      first, mw[first], rd[first], diff);
		return E1000_EIO;
	}
	sum = e1000_ee_sum(mw);
	if (sum != E1000_EE_SUM) {
		print("e1000: error: EEPROM checksum 0x%04x, expected 0x%04x\n", sum, E1000_EE_SUM);
		return E1000_EIO;
	}
	for (unsigned i = 0; i < E1000_EE_MAC_WORDS; i++) {
		nic->mac[2 * i] = (uint8_t)mw[i];
		nic->mac[2 * i + 1] = (uint8_t)(mw[i] >> 8);
	}
	if (mac_is_multicast(nic->mac) || mac_is_zero(nic->mac)) {
		print("e1000: error: EEPROM address " MAC_FMT " is not a unicast address\n",
		      MAC_ARGS(nic->mac));
		return E1000_EIO;
	}
	memcpy(nic->eeprom, mw, sizeof(mw));
	print("e1000: eeprom %u words, microwire and eerd agree, checksum 0x%04x\n",
	      E1000_EE_WORDS, sum);
	return 0;
}

/* ------------------------------------------------------------ PHY, link */

static int phy_read(struct e1000_nic *nic, unsigned reg, uint16_t *val)
{
	uint32_t cmd = reg << E1000_MDIC_REG_SHIFT | E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT |
		       E1000_MDIC_OP_READ;
	uint64_t deadline = rdtsc() + tsc_from_us(MDIC_TIMEOUT_US);
	uint32_t v;

	e1000_wr(nic, E1000_MDIC, cmd);
	while (!((v = e1000_rd(nic, E1000_MDIC)) & E1000_MDIC_READY)) {
		if (tsc_expired(deadline)) {
			print("e1000: error: MDIC read of PHY register %u never ready\n", reg);
			return E1000_ETIMEDOUT;
		}
		udelay(10);
	}
	if ((v & E1000_MDIC_ERROR) || ((v >> E1000_MDIC_REG_SHIFT) & 0x1f) != reg ||
	    ((v >> E1000_MDIC_PHY_SHIFT) & 0x1f) != E1000_PHY_ADDR) {
		print("e1000: error: MDIC read of PHY register %u: 0x%08x\n", reg, v);
		return E1000_EIO;
	}
	*val = (uint16_t)v;
	return 0;
}

static int setup_link(struct e1000_nic *nic)
{
	static const unsigned speeds[4] = { 10, 100, 1000, 1000 };
	uint16_t id1, id2, bmsr;
	uint32_t ctrl, status;
	uint64_t deadline;
	int rc;

	/* Copper, auto-negotiated speed and duplex, no flow control: what
	 * Linux's e1000_setup_copper_link() leaves for an 82540 (SLU, no
	 * forced speed/duplex). */
	ctrl = e1000_rd(nic, E1000_CTRL);
	ctrl |= E1000_CTRL_SLU | E1000_CTRL_ASDE;
	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_PHY_RST | E1000_CTRL_ILOS | E1000_CTRL_FRCSPD |
		  E1000_CTRL_FRCDPX | E1000_CTRL_VME | E1000_CTRL_RFCE | E1000_CTRL_TFCE);
	e1000_wr(nic, E1000_CTRL, ctrl);

	rc = phy_read(nic, PHY_ID1, &id1);
	if (!rc)
		rc = phy_read(nic, PHY_ID2, &id2);
	if (rc)
		return rc;
	nic->phy_id = (uint32_t)id1 << 16 | id2;
	if ((nic->phy_id & PHY_REVISION_MASK) != M88E1011_PHY_ID) {
		print("e1000: error: PHY ID 0x%08x, expected an M88E1011 (0x%08x)\n", nic->phy_id,
		      M88E1011_PHY_ID);
		return E1000_EIO;
	}

	deadline = tsc_deadline_ms(LINK_TIMEOUT_MS);
	while (!((status = e1000_rd(nic, E1000_STATUS)) & E1000_STATUS_LU) &&
	       !tsc_expired(deadline))
		mdelay(1);
	nic->link_up = status & E1000_STATUS_LU;
	/* The PHY's link bit latches low: the second read is the state. */
	rc = phy_read(nic, PHY_STATUS, &bmsr);
	if (!rc)
		rc = phy_read(nic, PHY_STATUS, &bmsr);
	if (rc)
		return rc;
	print("e1000: mac " MAC_FMT " phy 0x%08x link %s %u Mb/s %s duplex\n", MAC_ARGS(nic->mac),
	      nic->phy_id, nic->link_up ? "up" : "down",
	      speeds[(status & E1000_STATUS_SPEED_MASK) >> E1000_STATUS_SPEED_SHIFT],
	      (status & E1000_STATUS_FD) ? "full" : "half");
	if (!nic->link_up || !(bmsr & PHY_STATUS_LINK)) {
		print("e1000: warning: link down (STATUS 0x%08x, PHY status 0x%04x)\n", status, bmsr);
		nic->warnings++;
	}
	return 0;
}

/* ------------------------------------------------------------ filters */

static int setup_filters(struct e1000_nic *nic, uint32_t ral0_reset, uint32_t rah0_reset)
{
	const uint8_t *m = nic->mac;
	uint32_t ral = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 |
		       (uint32_t)m[3] << 24;
	uint32_t rah = (uint32_t)m[4] | (uint32_t)m[5] << 8 | E1000_RAH_AV;

	/* The 82540 loads receive address 0 from the EEPROM at reset. */
	if (ral0_reset != ral || rah0_reset != rah) {
		print("e1000: warning: RAL0/RAH0 after reset 0x%08x/0x%08x, EEPROM says "
		      "0x%08x/0x%08x\n",
		      ral0_reset, rah0_reset, ral, rah);
		nic->warnings++;
	}
	e1000_wr(nic, E1000_RAL(0), ral);
	e1000_wr(nic, E1000_RAH(0), rah);
	for (unsigned i = 1; i < E1000_RAR_ENTRIES; i++) {
		e1000_wr(nic, E1000_RAL(i), 0);
		e1000_wr(nic, E1000_RAH(i), 0);
	}
	for (unsigned i = 0; i < E1000_MTA_ENTRIES; i++)
		e1000_wr(nic, E1000_MTA + 4 * i, 0);
	if (e1000_rd(nic, E1000_RAL(0)) != ral || e1000_rd(nic, E1000_RAH(0)) != rah) {
		print("e1000: error: RAL0/RAH0 read 0x%08x/0x%08x after writing 0x%08x/0x%08x\n",
		      e1000_rd(nic, E1000_RAL(0)), e1000_rd(nic, E1000_RAH(0)), ral, rah);
		return E1000_EIO;
	}
	return 0;
}

/* ------------------------------------------------------------ rings */

static int check_reg(struct e1000_nic *nic, uint32_t reg, const char *name, uint32_t want)
{
	uint32_t v = e1000_rd(nic, reg);

	if (v == want)
		return 0;
	print("e1000: error: %s reads 0x%x, expected 0x%x\n", name, v, want);
	return E1000_EIO;
}

static int setup_tx(struct e1000_nic *nic)
{
	uint64_t base = dma_addr(nic->dma.tx);

	memset(nic->dma.tx, 0, sizeof(nic->dma.tx));
	/* Page-sized buffers: every descriptor names its buffer from the start
	 * (length 0, no command: nothing to send), so that the VMM can pair
	 * TX and RX pages when the rings come up, before the first frame. */
	if (nic->tx_prefill)
		for (unsigned i = 0; i < E1000_NUM_TX; i++)
			nic->dma.tx[i].addr = dma_addr(e1000_tx_buf(nic, i));
	nic->tx_tail = nic->tx_clean = 0;
	e1000_wr(nic, E1000_TDBAL, (uint32_t)base);
	e1000_wr(nic, E1000_TDBAH, (uint32_t)(base >> 32));
	e1000_wr(nic, E1000_TDLEN, sizeof(nic->dma.tx));
	e1000_wr(nic, E1000_TDH, 0);
	e1000_wr(nic, E1000_TDT, 0);
	e1000_wr(nic, E1000_TIPG, E1000_TIPG_COPPER);
	e1000_wr(nic, E1000_TIDV, 0);
	e1000_wr(nic, E1000_TADV, 0);
	e1000_wr(nic, E1000_TCTL,
		 E1000_TCTL_EN | E1000_TCTL_PSP | E1000_TCTL_RTLC |
			 E1000_COLLISION_THRESHOLD << E1000_TCTL_CT_SHIFT |
			 E1000_COLLISION_DISTANCE_FD << E1000_TCTL_COLD_SHIFT);
	if (check_reg(nic, E1000_TDBAL, "TDBAL", (uint32_t)base) ||
	    check_reg(nic, E1000_TDLEN, "TDLEN", sizeof(nic->dma.tx)) ||
	    check_reg(nic, E1000_TDH, "TDH", 0) || check_reg(nic, E1000_TDT, "TDT", 0))
		return E1000_EIO;
	return 0;
}

static int setup_rx(struct e1000_nic *nic)
{
	uint64_t base = dma_addr(nic->dma.rx);

	uint32_t bsize = nic->buf_size == E1000_BUF_MAX ? E1000_RCTL_BSIZE_4096 | E1000_RCTL_BSEX
							: E1000_RCTL_BSIZE_2048;

	for (unsigned i = 0; i < E1000_NUM_RX; i++)
		nic->dma.rx[i] = (struct e1000_rx_desc){ .addr = dma_addr(e1000_rx_buf(nic, i)) };
	nic->rx_next = 0;
	nic->rx_discarding = false;
	nic->rx_unreturned = 0;
	e1000_wr(nic, E1000_RCTL, 0);
	e1000_wr(nic, E1000_RDBAL, (uint32_t)base);
	e1000_wr(nic, E1000_RDBAH, (uint32_t)(base >> 32));
	e1000_wr(nic, E1000_RDLEN, sizeof(nic->dma.rx));
	e1000_wr(nic, E1000_RDH, 0);
	e1000_wr(nic, E1000_RDT, 0);
	e1000_wr(nic, E1000_RDTR, 0);
	e1000_wr(nic, E1000_RADV, 0);
	e1000_wr(nic, E1000_RXCSUM, 0);
	/* Unicast to RAL0/RAH0 and broadcast; 2048- or 4096-byte buffers; the
	 * FCS stays in the buffer (SECRC = 0); no long frames, no loopback. */
	e1000_wr(nic, E1000_RCTL,
		 E1000_RCTL_EN | E1000_RCTL_BAM | bsize | E1000_RCTL_RDMTS_HALF | E1000_RCTL_MO_36 |
			 E1000_RCTL_LBM_NONE | (nic->rx_lpe ? E1000_RCTL_LPE : 0));
	/* RDH is checked while the NIC owns no descriptor (RDT = RDH): once
	 * it owns some, a frame may arrive at any moment and move RDH. */
	if (check_reg(nic, E1000_RDBAL, "RDBAL", (uint32_t)base) ||
	    check_reg(nic, E1000_RDLEN, "RDLEN", sizeof(nic->dma.rx)) ||
	    check_reg(nic, E1000_RDH, "RDH", 0))
		return E1000_EIO;
	/* All descriptors but one belong to the NIC: [RDH, RDT). */
	e1000_wr(nic, E1000_RDT, E1000_NUM_RX - 1);
	if (check_reg(nic, E1000_RDT, "RDT", E1000_NUM_RX - 1))
		return E1000_EIO;
	return 0;
}

/* ------------------------------------------------------------ interrupts */

/* Record the causes in an ICR value read (with interrupts off). */
static void account_icr(struct e1000_nic *nic, uint32_t icr)
{
	nic->events |= icr;
	nic->icr_log |= icr;
	if (icr & E1000_ICR_RXT0)
		nic->irq_rx++;
	if (icr & E1000_ICR_TXDW)
		nic->irq_tx++;
	if (icr & E1000_ICR_RXO)
		nic->irq_rxo++;
	if (icr & E1000_ICR_RXDMT0)
		nic->irq_rxdmt++;
	if (icr & E1000_ICR_LSC) {
		nic->irq_lsc++;
		nic->link_up = e1000_rd(nic, E1000_STATUS) & E1000_STATUS_LU;
	}
}

static void e1000_isr(unsigned irq, void *ctx)
{
	struct e1000_nic *nic = ctx;
	uint32_t icr = e1000_rd(nic, E1000_ICR); /* read-to-clear: drops INTA */

	(void)irq;
	nic->irqs++;
	if (!icr) {
		nic->irq_none++;
		return;
	}
	nic->last_icr = icr;
	if (icr & E1000_ICR_RXT0)
		nic->last_rx_icr = icr;
	account_icr(nic, icr);
}

static bool irqs_enabled(void)
{
	uint64_t flags;

	__asm__ volatile("pushfq; popq %0" : "=r"(flags)::"memory");
	return flags & (1U << 9); /* RFLAGS.IF */
}

uint32_t e1000_icr_read(struct e1000_nic *nic)
{
	bool was_on = irqs_enabled();
	uint32_t icr;

	irq_disable();
	icr = e1000_rd(nic, E1000_ICR);
	if (icr)
		account_icr(nic, icr);
	if (was_on)
		irq_enable();
	return icr;
}

static int setup_irq(struct e1000_nic *nic)
{
	e1000_wr(nic, E1000_IMC, 0xffffffffU);
	e1000_wr(nic, E1000_ITR, 0);
	(void)e1000_rd(nic, E1000_ICR);
	if (nic->mode != E1000_IRQ)
		return 0;
	if (irq_register(nic->irq, e1000_isr, nic))
		return E1000_EINVAL;
	if (pic_set_level(nic->irq)) {
		print("e1000: warning: IRQ %u cannot be made level-triggered in the ELCR\n",
		      nic->irq);
		nic->warnings++;
	}
	pic_unmask(nic->irq);
	e1000_wr(nic, E1000_IMS, IMS_ENABLED);
	return check_reg(nic, E1000_IMS, "IMS", IMS_ENABLED);
}

/* Wait for something to happen: spin once in polling mode; in interrupt
 * mode sleep until an interrupt unless one came since the last wait. The
 * caller re-checks the ring and its deadline afterwards. */
void e1000_wait(struct e1000_nic *nic)
{
	if (nic->mode == E1000_POLL) {
		cpu_relax();
		return;
	}
	irq_disable();
	if (!nic->events) {
		nic->sleeps++;
		irq_enable_and_halt();
		irq_disable();
	}
	nic->events = 0;
	irq_enable();
}

void e1000_wait_until(struct e1000_nic *nic, uint64_t deadline)
{
	uint64_t now = rdtsc();

	if (nic->mode == E1000_IRQ && nic->wake_timer && deadline > now)
		pit_arm_us(tsc_to_us(deadline - now) + 1);
	e1000_wait(nic);
}

/* ------------------------------------------------------------ probe */

int e1000_probe(struct e1000_nic *nic, enum e1000_mode mode)
{
	const struct e1000_opts o = { mode, E1000_RX_BUF, 1 };

	return e1000_probe_opts(nic, &o);
}

int e1000_probe_opts(struct e1000_nic *nic, const struct e1000_opts *o)
{
	enum e1000_mode mode = o->mode;
	uint32_t ral0, rah0;
	int rc;

	memset(nic, 0, sizeof(*nic));
	nic->mode = mode;
	nic->tx_timeout_ms = E1000_DEFAULT_TIMEOUT_MS;
	if ((o->buf_size != E1000_RX_BUF && o->buf_size != E1000_BUF_MAX) || !o->rdt_batch ||
	    o->rdt_batch >= E1000_NUM_RX) {
		print("e1000: error: buffer size %u or RDT batch %u not supported\n", o->buf_size,
		      o->rdt_batch);
		return E1000_EINVAL;
	}
	nic->buf_size = o->buf_size;
	nic->rdt_batch = o->rdt_batch;
	nic->tx_prefill = o->buf_size == E1000_BUF_MAX;
	if (probed) {
		print("e1000: error: only one NIC is supported\n");
		return E1000_EINVAL;
	}
	rc = pci_setup(nic);
	if (!rc)
		rc = reset(nic);
	if (rc)
		return rc;
	ral0 = e1000_rd(nic, E1000_RAL(0));
	rah0 = e1000_rd(nic, E1000_RAH(0));
	rc = read_eeprom(nic);
	if (!rc)
		rc = setup_link(nic);
	if (!rc)
		rc = setup_filters(nic, ral0, rah0);
	if (rc)
		return rc;
	e1000_stats_update(nic); /* clear the counters */
	memset(&nic->hw, 0, sizeof(nic->hw));
	rc = setup_tx(nic);
	if (!rc)
		rc = setup_rx(nic);
	if (!rc)
		rc = setup_irq(nic);
	if (rc)
		return rc;
	probed = true;
	print("e1000: ready, %u tx / %u rx descriptors, %u-byte buffers, mode %s, %lu warnings\n",
	      E1000_NUM_TX, E1000_NUM_RX, nic->buf_size, mode == E1000_IRQ ? "irq" : "poll",
	      (unsigned long)nic->warnings);
	if (nic->rdt_batch > 1)
		print("e1000: rx descriptors go back in batches of %u\n", nic->rdt_batch);
	return 0;
}

/* ------------------------------------------------------------ reinit */

int e1000_reinit(struct e1000_nic *nic)
{
	uint64_t deadline;
	uint32_t ctrl, status;
	int rc;

	if (!probed)
		return E1000_EINVAL;
	/* Nothing arrives from here on; account for what did. */
	e1000_wr(nic, E1000_RCTL, 0);
	e1000_stats_update(nic);
	e1000_tx_reclaim(nic);
	for (unsigned n = 0; n < E1000_NUM_RX; n++) {
		volatile struct e1000_rx_desc *d = &nic->dma.rx[nic->rx_next];

		if (!(d->status & E1000_RXD_STAT_DD))
			break;
		d->status = 0;
		nic->rx_desc++;
		nic->rx_next = (nic->rx_next + 1) % E1000_NUM_RX;
	}
	rc = reset(nic);
	if (rc)
		return rc;

	/* The link as setup_link() leaves it (the PHY keeps its registers). */
	ctrl = e1000_rd(nic, E1000_CTRL);
	ctrl |= E1000_CTRL_SLU | E1000_CTRL_ASDE;
	ctrl &= ~(E1000_CTRL_LRST | E1000_CTRL_PHY_RST | E1000_CTRL_ILOS | E1000_CTRL_FRCSPD |
		  E1000_CTRL_FRCDPX | E1000_CTRL_VME | E1000_CTRL_RFCE | E1000_CTRL_TFCE);
	e1000_wr(nic, E1000_CTRL, ctrl);
	deadline = tsc_deadline_ms(LINK_TIMEOUT_MS);
	while (!((status = e1000_rd(nic, E1000_STATUS)) & E1000_STATUS_LU) &&
	       !tsc_expired(deadline))
		mdelay(1);
	nic->link_up = status & E1000_STATUS_LU;
	if (!nic->link_up) {
		print("e1000: warning: link down after reset (STATUS 0x%08x)\n", status);
		nic->warnings++;
	}

	rc = setup_filters(nic, e1000_rd(nic, E1000_RAL(0)), e1000_rd(nic, E1000_RAH(0)));
	if (!rc)
		rc = setup_tx(nic);
	if (!rc)
		rc = setup_rx(nic);
	if (rc)
		return rc;
	e1000_wr(nic, E1000_IMC, 0xffffffffU);
	e1000_wr(nic, E1000_ITR, 0);
	(void)e1000_rd(nic, E1000_ICR);
	if (nic->mode != E1000_IRQ)
		return 0;
	e1000_wr(nic, E1000_IMS, IMS_ENABLED);
	return check_reg(nic, E1000_IMS, "IMS", IMS_ENABLED);
}

/* ------------------------------------------------------------ TX */

static unsigned tx_in_flight(const struct e1000_nic *nic)
{
	return (nic->tx_tail + E1000_NUM_TX - nic->tx_clean) % E1000_NUM_TX;
}

unsigned e1000_tx_reclaim(struct e1000_nic *nic)
{
	unsigned n = 0;

	/* Packet by packet: only its last descriptor has RS (and so DD). */
	while (nic->tx_clean != nic->tx_tail) {
		unsigned first = nic->tx_clean, last = nic->tx_pkt_end[first] % E1000_NUM_TX;
		unsigned frames = nic->tx_pkt_frames[first];
		volatile struct e1000_tx_desc *d = &nic->dma.tx[last];
		uint8_t st = d->status;

		if (!(st & E1000_TXD_STAT_DD))
			break;
		barrier();
		if ((st & (E1000_TXD_STAT_EC | E1000_TXD_STAT_LC)) ||
		    (!frames && d->addr != dma_addr(e1000_tx_buf(nic, first))))
			nic->tx_errors += frames ? frames : 1;
		else
			nic->tx_done += frames ? frames : 1;
		for (unsigned i = first;; i = (i + 1) % E1000_NUM_TX) {
			nic->dma.tx[i].status = 0;
			n++;
			if (i == last)
				break;
		}
		nic->tx_clean = (last + 1) % E1000_NUM_TX;
	}
	return n;
}

static void tx_timeout_report(struct e1000_nic *nic, const char *what)
{
	uint32_t tdh = e1000_rd(nic, E1000_TDH), tdt = e1000_rd(nic, E1000_TDT);
	unsigned later = 0;

	if (tdh >= E1000_NUM_TX)
		nic->bad_index++;
	/* Descriptors completed after one that was not: out of order. */
	for (unsigned i = (nic->tx_clean + 1) % E1000_NUM_TX; i != nic->tx_tail;
	     i = (i + 1) % E1000_NUM_TX)
		later += !!(((volatile struct e1000_tx_desc *)&nic->dma.tx[i])->status & E1000_TXD_STAT_DD);
	print("e1000: tx timeout (%s): TDH %u TDT %u, driver clean %u tail %u, %u in flight, %u "
	      "done out of order\n",
	      what, tdh, tdt, nic->tx_clean, nic->tx_tail, tx_in_flight(nic), later);
}

static int tx_wait_free(struct e1000_nic *nic, unsigned n)
{
	uint64_t deadline = tsc_deadline_ms(nic->tx_timeout_ms);

	for (;;) {
		e1000_tx_reclaim(nic);
		if (E1000_NUM_TX - 1 - tx_in_flight(nic) >= n)
			return 0;
		if (tsc_expired(deadline)) {
			tx_timeout_report(nic, "no free descriptor");
			return E1000_ETIMEDOUT;
		}
		e1000_wait(nic);
	}
}

int e1000_send_batch(struct e1000_nic *nic, const void *const frames[], const size_t lens[],
		     unsigned n)
{
	int rc;

	if (!n)
		return 0;
	if (n > E1000_MAX_BATCH)
		return E1000_EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (lens[i] < ETH_HLEN || lens[i] > ETH_FRAME_MAX)
			return E1000_EINVAL;
	rc = tx_wait_free(nic, n);
	if (rc)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		unsigned t = nic->tx_tail;
		volatile struct e1000_tx_desc *d = &nic->dma.tx[t];

		memcpy(e1000_tx_buf(nic, t), frames[i], lens[i]);
		d->addr = dma_addr(e1000_tx_buf(nic, t));
		d->length = (uint16_t)lens[i];
		d->cso = 0;
		d->cmd = E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS;
		d->status = 0;
		d->css = 0;
		d->special = 0;
		nic->tx_pkt_end[t] = (uint16_t)t;
		nic->tx_pkt_frames[t] = 0;
		nic->tx_tail = (t + 1) % E1000_NUM_TX;
		nic->tx_frames++;
		nic->tx_bytes += lens[i];
	}
	/* x86 does not reorder stores, and stores to write-back RAM are
	 * visible before a later store to uncached MMIO: a compiler barrier is
	 * enough to publish the descriptors before the NIC sees the new TDT. */
	barrier();
	e1000_wr(nic, E1000_TDT, nic->tx_tail);
	nic->tx_kicks++;
	return 0;
}

void e1000_tx_queue_raw(struct e1000_nic *nic, const struct e1000_tx_desc *descs, unsigned n,
			unsigned frames, size_t bytes)
{
	unsigned first = nic->tx_tail;

	for (unsigned i = 0; i < n; i++) {
		volatile struct e1000_tx_desc *d = &nic->dma.tx[nic->tx_tail];

		d->addr = descs[i].addr;
		d->length = descs[i].length;
		d->cso = descs[i].cso;
		d->cmd = descs[i].cmd;
		d->status = 0;
		d->css = descs[i].css;
		d->special = descs[i].special;
		nic->tx_tail = (nic->tx_tail + 1) % E1000_NUM_TX;
	}
	nic->tx_pkt_end[first] = (uint16_t)((first + n - 1) % E1000_NUM_TX);
	nic->tx_pkt_frames[first] = (uint16_t)(frames ? frames : 1);
	nic->tx_frames += frames;
	nic->tx_bytes += bytes;
}

void e1000_tx_kick(struct e1000_nic *nic)
{
	barrier();
	e1000_wr(nic, E1000_TDT, nic->tx_tail);
	nic->tx_kicks++;
}

unsigned e1000_tx_free(struct e1000_nic *nic)
{
	e1000_tx_reclaim(nic);
	return E1000_NUM_TX - 1 - tx_in_flight(nic);
}

int e1000_send(struct e1000_nic *nic, const void *frame, size_t len)
{
	const void *frames[1] = { frame };
	size_t lens[1] = { len };

	return e1000_send_batch(nic, frames, lens, 1);
}

static int rx_take(struct e1000_nic *nic, void *buf, size_t maxlen);

/*
 * Wait until every queued frame is sent. Frames still arriving are taken
 * and dropped meanwhile: a peer's transmit completes only once we give its
 * buffers back (xtalk's cross-talk path reports TX completion after the
 * receiver returned the buffer), so two guests draining at once must not
 * wait for each other.
 */
int e1000_tx_drain(struct e1000_nic *nic, unsigned timeout_ms)
{
	uint64_t deadline = tsc_deadline_ms(timeout_ms);
	static uint8_t scratch[E1000_RX_BUF];

	for (;;) {
		while (rx_take(nic, scratch, sizeof(scratch)) > 0)
			nic->rx_drained++;
		e1000_tx_reclaim(nic);
		if (nic->tx_clean == nic->tx_tail)
			return 0;
		if (tsc_expired(deadline)) {
			tx_timeout_report(nic, "drain");
			return E1000_ETIMEDOUT;
		}
		e1000_wait(nic);
	}
}

/* ------------------------------------------------------------ RX */

/* Give the processed descriptors back: RDT onto the last one processed
 * (the NIC owns [RDH, RDT)), one register write for all of them. */
static void rx_give_back(struct e1000_nic *nic)
{
	if (!nic->rx_unreturned)
		return;
	barrier();
	e1000_wr(nic, E1000_RDT, (nic->rx_next + E1000_NUM_RX - 1) % E1000_NUM_RX);
	nic->rx_unreturned = 0;
	nic->rx_rdt_writes++;
}

void e1000_rx_flush(struct e1000_nic *nic)
{
	rx_give_back(nic);
}

/* Consume completed descriptors until one holds a valid frame that fits:
 * copy it out and return its length without FCS; 0 when none is pending.
 * Every descriptor gets its status cleared once looked at and goes back to
 * the NIC (RDT) when rdt_batch of them are waiting, or when no completed
 * descriptor is left (so a partial batch never outlives a wait). */
static int rx_take(struct e1000_nic *nic, void *buf, size_t maxlen)
{
	for (;;) {
		unsigned i = nic->rx_next;
		volatile struct e1000_rx_desc *d = &nic->dma.rx[i];
		uint8_t st = d->status, err;
		unsigned len;
		int ret = 0;

		if (!(st & E1000_RXD_STAT_DD)) {
			rx_give_back(nic);
			return 0;
		}
		barrier(); /* loads stay in order on x86: length and data after DD */
		len = d->length;
		err = d->errors;
		nic->rx_desc++;
		if (nic->rx_discarding || !(st & E1000_RXD_STAT_EOP)) {
			/* Part of a frame that spans buffers: impossible with
			 * LPE = 0 and 2048-byte buffers, so drop it all. */
			if (!nic->rx_discarding)
				nic->rx_no_eop++;
			nic->rx_discarding = !(st & E1000_RXD_STAT_EOP);
		} else if ((err & E1000_RXD_ERR_FRAME) || d->addr != dma_addr(e1000_rx_buf(nic, i))) {
			nic->rx_bad_status++;
		} else if (len < RX_FRAME_MIN || len > RX_FRAME_MAX) {
			nic->rx_bad_len++;
		} else if (len - ETH_FCS_LEN > maxlen) {
			nic->rx_too_long++;
		} else {
			ret = (int)(len - ETH_FCS_LEN);
			memcpy(buf, e1000_rx_buf(nic, i), (size_t)ret);
			nic->rx_frames++;
			nic->rx_bytes += (unsigned)ret;
		}
		d->addr = dma_addr(e1000_rx_buf(nic, i));
		d->length = 0;
		d->errors = 0;
		d->status = 0;
		nic->rx_next = (i + 1) % E1000_NUM_RX;
		if (++nic->rx_unreturned >= nic->rdt_batch)
			rx_give_back(nic);
		if (ret)
			return ret;
	}
}

volatile struct e1000_rx_desc *e1000_rx_peek(struct e1000_nic *nic, unsigned k)
{
	volatile struct e1000_rx_desc *d;

	if (k >= E1000_NUM_RX - 1)
		return NULL;
	for (unsigned j = 0; j <= k; j++) {
		d = &nic->dma.rx[(nic->rx_next + j) % E1000_NUM_RX];
		if (!(d->status & E1000_RXD_STAT_DD))
			return NULL;
	}
	barrier();
	return d;
}

void e1000_rx_return(struct e1000_nic *nic, unsigned n)
{
	for (unsigned j = 0; j < n; j++) {
		unsigned i = nic->rx_next;
		volatile struct e1000_rx_desc *d = &nic->dma.rx[i];
		uint8_t st = d->status;
		unsigned len = d->length;

		if (!(st & E1000_RXD_STAT_DD))
			break;
		nic->rx_desc++;
		if ((st & E1000_RXD_STAT_EOP) && !(d->errors & E1000_RXD_ERR_FRAME) &&
		    len >= RX_FRAME_MIN && len <= RX_FRAME_MAX) {
			nic->rx_frames++;
			nic->rx_bytes += len - ETH_FCS_LEN;
		}
		d->addr = dma_addr(e1000_rx_buf(nic, i));
		d->length = 0;
		d->errors = 0;
		d->status = 0;
		nic->rx_next = (i + 1) % E1000_NUM_RX;
		nic->rx_unreturned++;
	}
	rx_give_back(nic);
}

int e1000_recv_until(struct e1000_nic *nic, void *buf, size_t maxlen, uint64_t deadline)
{
	for (;;) {
		int n = rx_take(nic, buf, maxlen);

		if (n)
			return n;
		if (tsc_expired(deadline))
			return 0;
		e1000_wait_until(nic, deadline);
	}
}

int e1000_recv(struct e1000_nic *nic, void *buf, size_t maxlen, unsigned timeout_ms)
{
	return e1000_recv_until(nic, buf, maxlen, tsc_deadline_ms(timeout_ms));
}

/* ------------------------------------------------------------ statistics */

void e1000_stats_update(struct e1000_nic *nic)
{
	struct e1000_hw_stats *s = &nic->hw;
	uint32_t lo;

	s->crcerrs += e1000_rd(nic, E1000_CRCERRS);
	s->rxerrc += e1000_rd(nic, E1000_RXERRC);
	s->mpc += e1000_rd(nic, E1000_MPC);
	s->gprc += e1000_rd(nic, E1000_GPRC);
	s->bprc += e1000_rd(nic, E1000_BPRC);
	s->mprc += e1000_rd(nic, E1000_MPRC);
	s->gptc += e1000_rd(nic, E1000_GPTC);
	lo = e1000_rd(nic, E1000_GORCL);
	s->gorc += (uint64_t)e1000_rd(nic, E1000_GORCH) << 32 | lo;
	lo = e1000_rd(nic, E1000_GOTCL);
	s->gotc += (uint64_t)e1000_rd(nic, E1000_GOTCH) << 32 | lo;
	s->rnbc += e1000_rd(nic, E1000_RNBC);
	s->ruc += e1000_rd(nic, E1000_RUC);
	s->roc += e1000_rd(nic, E1000_ROC);
	s->tpr += e1000_rd(nic, E1000_TPR);
	s->tpt += e1000_rd(nic, E1000_TPT);
	s->bptc += e1000_rd(nic, E1000_BPTC);
}

unsigned e1000_check_consistency(struct e1000_nic *nic, const char *who)
{
	uint32_t tdh, tdt, rdh, rdt;
	unsigned rdt_want, bad = 0, pending = 0;

	rx_give_back(nic); /* a partial RDT batch: RDT as it will stay */
	tdh = e1000_rd(nic, E1000_TDH);
	tdt = e1000_rd(nic, E1000_TDT);
	rdh = e1000_rd(nic, E1000_RDH);
	rdt = e1000_rd(nic, E1000_RDT);
	rdt_want = (nic->rx_next + E1000_NUM_RX - 1) % E1000_NUM_RX;
	e1000_tx_reclaim(nic);
	e1000_stats_update(nic);
	/* Frames the NIC completed that the driver has not looked at yet
	 * (after the statistics: anything counted there is either consumed or
	 * pending now). */
	for (unsigned i = nic->rx_next; pending < E1000_NUM_RX; i = (i + 1) % E1000_NUM_RX) {
		if (!(((volatile struct e1000_rx_desc *)&nic->dma.rx[i])->status & E1000_RXD_STAT_DD))
			break;
		pending++;
	}
	if (tdh >= E1000_NUM_TX || rdh >= E1000_NUM_RX || tdt != nic->tx_tail || rdt != rdt_want) {
		print("%s: check: TDH %u TDT %u (wrote %u), RDH %u RDT %u (wrote %u)\n", who, tdh,
		      tdt, nic->tx_tail, rdh, rdt, rdt_want);
		nic->bad_index++;
		bad++;
	}
	if (nic->hw.gptc < nic->tx_done || nic->hw.gptc > nic->tx_frames) {
		print("%s: check: GPTC %lu, driver queued %lu and saw %lu complete\n", who,
		      (unsigned long)nic->hw.gptc, (unsigned long)nic->tx_frames,
		      (unsigned long)nic->tx_done);
		bad++;
	}
	if (nic->hw.gprc < nic->rx_frames || nic->hw.gprc > nic->rx_desc + pending) {
		print("%s: check: GPRC %lu, driver took %lu descriptors (%lu frames), %u pending\n",
		      who, (unsigned long)nic->hw.gprc, (unsigned long)nic->rx_desc,
		      (unsigned long)nic->rx_frames, pending);
		bad++;
	}
	if (nic->tx_errors || nic->rx_bad_status || nic->rx_bad_len || nic->rx_no_eop) {
		print("%s: check: tx errors %lu, rx bad status %lu, bad length %lu, no EOP %lu\n",
		      who, (unsigned long)nic->tx_errors, (unsigned long)nic->rx_bad_status,
		      (unsigned long)nic->rx_bad_len, (unsigned long)nic->rx_no_eop);
		bad++;
	}
	if (nic->mode == E1000_IRQ && (nic->rx_frames || nic->tx_done) && !nic->irqs) {
		print("%s: check: irq mode, but no interrupt arrived\n", who);
		bad++;
	}
	return bad;
}

void e1000_print_stats(struct e1000_nic *nic, const char *who)
{
	print("%s: nic tx %lu rx %lu kicks %lu irqs %lu sleeps %lu gptc %lu gprc %lu mpc %lu "
	      "rnbc %lu\n",
	      who, (unsigned long)nic->tx_frames, (unsigned long)nic->rx_frames,
	      (unsigned long)nic->tx_kicks, (unsigned long)nic->irqs, (unsigned long)nic->sleeps,
	      (unsigned long)nic->hw.gptc, (unsigned long)nic->hw.gprc, (unsigned long)nic->hw.mpc,
	      (unsigned long)nic->hw.rnbc);
}
