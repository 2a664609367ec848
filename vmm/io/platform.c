/* SPDX-License-Identifier: MIT */
#include "vmm/io/platform.h"

#include "lib/xerrno.h"
#include "vmm/guest/guest.h"

#define COM1_PORTS 8

static void com1_tx(void *ctx, uint8_t byte)
{
	guest_console_byte(ctx, byte);
}

static int com1_read(struct guest *g, void *dev, uint16_t port, unsigned size, uint32_t *val)
{
	(void)g;
	if (size != 1)
		return -XT_EINVAL;
	*val = uart16550_read(dev, port - PLATFORM_COM1_BASE);
	return 0;
}

static int com1_write(struct guest *g, void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)g;
	if (size != 1)
		return -XT_EINVAL;
	uart16550_write(dev, port - PLATFORM_COM1_BASE, (uint8_t)val);
	return 0;
}

/* The 8259s and ELCR take byte accesses only, as on the chipset. */
static int pic_read(struct guest *g, void *dev, uint16_t port, unsigned size, uint32_t *val)
{
	(void)g;
	if (size != 1)
		return -XT_EINVAL;
	*val = pic_io_read(dev, port);
	return 0;
}

static int pic_write(struct guest *g, void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)g;
	if (size != 1)
		return -XT_EINVAL;
	pic_io_write(dev, port, (uint8_t)val);
	return 0;
}

static int pci_read(struct guest *g, void *dev, uint16_t port, unsigned size, uint32_t *val)
{
	(void)g;
	*val = pci_io_read(dev, port, size);
	return 0;
}

static int pci_write(struct guest *g, void *dev, uint16_t port, unsigned size, uint32_t val)
{
	(void)g;
	pci_io_write(dev, port, size, val);
	return 0;
}

static int register_ports(struct guest *g)
{
	const struct io_handler handlers[] = {
		{ .base = PLATFORM_COM1_BASE, .count = COM1_PORTS, .enabled = true,
		  .read = com1_read, .write = com1_write, .dev = &g->com1 },
		{ .base = 0x20, .count = 2, .enabled = true,
		  .read = pic_read, .write = pic_write, .dev = &g->pic },
		{ .base = 0xa0, .count = 2, .enabled = true,
		  .read = pic_read, .write = pic_write, .dev = &g->pic },
		{ .base = 0x4d0, .count = 2, .enabled = true,
		  .read = pic_read, .write = pic_write, .dev = &g->pic },
		{ .base = 0xcf8, .count = 8, .enabled = true,
		  .read = pci_read, .write = pci_write, .dev = &g->pci },
	};

	for (unsigned i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++) {
		int rc = guest_io_register(g, &handlers[i]);

		if (rc < 0)
			return rc;
	}
	return 0;
}

int platform_create(struct guest *g)
{
	int rc;

	uart16550_init(&g->com1, com1_tx, g);
	pic_init(&g->pic);
	pci_bus_init(&g->pci);
	pci_host_bridge_init(&g->pci_host);
	rc = pci_bus_add(&g->pci, &g->pci_host);
	if (!rc)
		rc = register_ports(g);
	return rc;
}
