/* SPDX-License-Identifier: MIT */
#include "vmm/io/platform.h"

#include "lib/xerrno.h"
#include "vmm/guest/guest.h"
#include "firmware/fw_config.h"
#include "vmm/guest/irq.h"
#include "vmm/io/apic.h"
#include "vmm/io/bus.h"
#include "vmm/io/timers.h"

#define COM1_PORTS 8

static void com1_tx(void *ctx, uint8_t byte)
{
	guest_console_byte(ctx, byte);
}

/* The 16550's INTR, gated by MCR.OUT2 in the model, is ISA IRQ 4. */
static void com1_irq(struct guest *g)
{
	irq_isa_line(g, FW_ISA_IRQ_COM1, uart16550_irq_pending(&g->com1));
}

static int com1_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	if (size != 1)
		return -XT_EINVAL;
	*val = uart16550_read(dev, (unsigned)off);
	com1_irq(g);
	return 0;
}

static int com1_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	if (size != 1)
		return -XT_EINVAL;
	uart16550_write(dev, (unsigned)off, (uint8_t)val);
	com1_irq(g);
	return 0;
}

/* The 8259s and ELCR take byte accesses only, as on the chipset. The model
 * takes port numbers: each of its three ranges adds its own base. */
static int pic_read(void *dev, uint16_t port, unsigned size, uint64_t *val)
{
	if (size != 1)
		return -XT_EINVAL;
	*val = pic_io_read(dev, port);
	return 0;
}

static int pic_write(void *dev, uint16_t port, unsigned size, uint64_t val)
{
	if (size != 1)
		return -XT_EINVAL;
	pic_io_write(dev, port, (uint8_t)val);
	return 0;
}

#define PIC_RANGE(name, base)                                                                 \
	static int name##_read(struct guest *g, void *dev, uint64_t off, unsigned size,        \
			       uint64_t *val)                                                  \
	{                                                                                      \
		(void)g;                                                                       \
		return pic_read(dev, (uint16_t)((base) + off), size, val);                     \
	}                                                                                      \
	static int name##_write(struct guest *g, void *dev, uint64_t off, unsigned size,       \
				uint64_t val)                                                  \
	{                                                                                      \
		(void)g;                                                                       \
		return pic_write(dev, (uint16_t)((base) + off), size, val);                    \
	}
PIC_RANGE(pic_master, PIC_MASTER_CMD)
PIC_RANGE(pic_slave, PIC_SLAVE_CMD)
PIC_RANGE(pic_elcr, PIC_ELCR1)
#undef PIC_RANGE

/* Port 0x80, the POST code port: a write-only sink on a PC that Linux and
 * firmware write for an I/O delay (io_delay); reads return the last byte. */
#define POST_PORT 0x80

static int post_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)g;
	(void)off;
	if (size != 1)
		return -XT_EINVAL;
	*val = *(uint8_t *)dev;
	return 0;
}

static int post_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	(void)g;
	(void)off;
	if (size != 1)
		return -XT_EINVAL;
	*(uint8_t *)dev = (uint8_t)val;
	return 0;
}

#define PCI_CONFIG_PORTS 0xcf8

static int pci_read(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)g;
	*val = pci_io_read(dev, (uint16_t)(PCI_CONFIG_PORTS + off), size);
	return 0;
}

static int pci_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	pci_io_write(dev, (uint16_t)(PCI_CONFIG_PORTS + off), size, (uint32_t)val);
	if (pci_reset_requested(dev))
		g->reset_req = "reset control register 0xcf9";
	return 0;
}

/*
 * The 8042 keyboard controller's command port, for its one use left on a
 * machine without a PS/2 keyboard: command 0xFE pulses the CPU reset line
 * (Linux's reboot=kbd, tried after the ACPI reset register). Reads are not
 * claimed (all-ones: no controller), so drivers find no keyboard.
 */
#define KBC_CMD_PORT 0x64
#define KBC_CMD_PULSE_RESET 0xfe

static int kbc_write(struct guest *g, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	(void)dev;
	(void)off;
	if (size != 1)
		return -XT_EINVAL;
	if (val == KBC_CMD_PULSE_RESET)
		g->reset_req = "keyboard controller reset pulse";
	return 0;
}

#define PORTS(b, n, rd, wr, d)                                                               \
	{ .space = IO_SPACE_PORT, .base = (b), .size = (n), .enabled = true, .read = (rd),      \
	  .write = (wr), .dev = (d) }

static int register_ports(struct guest *g)
{
	const struct io_range ranges[] = {
		PORTS(PLATFORM_COM1_BASE, COM1_PORTS, com1_read, com1_write, &g->com1),
		PORTS(PIC_MASTER_CMD, 2, pic_master_read, pic_master_write, &g->pic),
		PORTS(PIC_SLAVE_CMD, 2, pic_slave_read, pic_slave_write, &g->pic),
		PORTS(PIC_ELCR1, 2, pic_elcr_read, pic_elcr_write, &g->pic),
		PORTS(PCI_CONFIG_PORTS, 8, pci_read, pci_write, &g->pci),
		PORTS(POST_PORT, 1, post_read, post_write, &g->post_code),
		PORTS(KBC_CMD_PORT, 1, NULL, kbc_write, NULL),
	};

	for (unsigned i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		int rc = io_register(g, &ranges[i]);

		if (rc < 0)
			return rc;
	}
	return 0;
}

void platform_reset(struct guest *g)
{
	uart16550_init(&g->com1, com1_tx, g);
	irq_init(g);
	pci_host_bridge_init(&g->pci_host);
	timers_reset(g);
	apic_reset(g);
	g->post_code = 0;
}

int platform_create(struct guest *g)
{
	int rc;

	uart16550_init(&g->com1, com1_tx, g);
	irq_init(g);
	pci_bus_init(&g->pci);
	pci_host_bridge_init(&g->pci_host);
	rc = pci_bus_add(&g->pci, &g->pci_host);
	if (!rc)
		rc = register_ports(g);
	if (!rc)
		rc = timers_create(g);
	if (!rc)
		rc = apic_create(g);
	return rc;
}
