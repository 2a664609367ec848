/* SPDX-License-Identifier: MIT */
#include "pit.h"

#include "guest.h"
#include "pic.h"

#define PIT_CH0 0x40
#define PIT_CTRL 0x43
#define PIT_CTRL_CH0_LOHI_MODE0 0x30 /* SC 00, RW 11 (low then high byte), M 000, binary */

static volatile uint64_t fired;

static void pit_isr(unsigned irq, void *ctx)
{
	(void)irq;
	(void)ctx;
	fired++;
}

int pit_init(void)
{
	if (irq_register(0, pit_isr, 0))
		return -1;
	/* Counter 0 runs at 18.2 Hz from reset (as a BIOS leaves it): mode 0
	 * without a count stops it with OUT0 low, so nothing fires before the
	 * first pit_arm_us(). */
	outb(PIT_CTRL, PIT_CTRL_CH0_LOHI_MODE0);
	pic_unmask(0);
	return 0;
}

void pit_arm_us(uint64_t us)
{
	uint64_t count;

	if (us > PIT_ONESHOT_MAX_US)
		us = PIT_ONESHOT_MAX_US;
	count = us * PIT_HZ / 1000000u;
	if (count < 1)
		count = 1;
	if (count > 0xffff)
		count = 0;	/* 0 is 65536 */
	/* The control word sets OUT0 low; the count's high byte starts it. */
	outb(PIT_CTRL, PIT_CTRL_CH0_LOHI_MODE0);
	outb(PIT_CH0, (uint8_t)count);
	outb(PIT_CH0, (uint8_t)(count >> 8));
}

uint64_t pit_fired(void)
{
	return fired;
}
