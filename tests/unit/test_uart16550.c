// SPDX-License-Identifier: MIT
/* Host unit tests for the guest 16550A UART model (devices/uart16550.c). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "devices/uart16550.h"

struct sink {
	uint8_t buf[64];
	size_t n;
};

static void sink_tx(void *ctx, uint8_t byte)
{
	struct sink *s = ctx;

	if (s->n < sizeof(s->buf))
		s->buf[s->n] = byte;
	s->n++;
}

struct fixture {
	struct uart16550 u;
	struct sink sink;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	uart16550_init(&f.u, sink_tx, &f.sink);
	*state = &f;
	return 0;
}

static uint8_t rd(struct uart16550 *u, unsigned reg)
{
	return uart16550_read(u, reg);
}

static void wr(struct uart16550 *u, unsigned reg, uint8_t v)
{
	uart16550_write(u, reg, v);
}

static void test_reset_values(void **state)
{
	struct uart16550 *u = &((struct fixture *)*state)->u;

	assert_int_equal(rd(u, UART_IER), 0);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(rd(u, UART_LCR), 0);
	assert_int_equal(rd(u, UART_MCR), 0);
	assert_int_equal(rd(u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(u, UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	assert_int_equal(rd(u, UART_SCR), 0);
	assert_false(uart16550_irq_pending(u));
	assert_true(uart16550_rx_ready(u));
}

static void test_registers_rw(void **state)
{
	struct uart16550 *u = &((struct fixture *)*state)->u;

	wr(u, UART_SCR, 0xa5);
	assert_int_equal(rd(u, UART_SCR), 0xa5);
	wr(u, UART_SCR, 0x5a);
	assert_int_equal(rd(u, UART_SCR), 0x5a);
	wr(u, UART_LCR, 0x5b);
	assert_int_equal(rd(u, UART_LCR), 0x5b);
	wr(u, UART_LCR, 0x03);
	wr(u, UART_IER, 0xff);			/* bits 7:4 read as 0 */
	assert_int_equal(rd(u, UART_IER), 0x0f);
	wr(u, UART_MCR, 0xff);			/* bits 7:5 read as 0 */
	assert_int_equal(rd(u, UART_MCR), 0x1f);
	wr(u, UART_MCR, 0);
	/* LSR and MSR writes are ignored. */
	wr(u, UART_LSR, 0xff);
	assert_int_equal(rd(u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	rd(u, UART_MSR);
	wr(u, UART_MSR, 0x0f);
	assert_int_equal(rd(u, UART_MSR), 0xb0);
	/* IIR bits 5:4 are always 0; only offset bits 2:0 are decoded. */
	assert_int_equal(rd(u, UART_IIR) & 0x30, 0);
	wr(u, 8 + UART_SCR, 0x77);
	assert_int_equal(rd(u, UART_SCR), 0x77);
	assert_int_equal(rd(u, 0x100 + UART_SCR), 0x77);
}

static void test_dlab(void **state)
{
	struct fixture *f = *state;
	struct uart16550 *u = &f->u;

	wr(u, UART_IER, UART_IER_ERBFI);
	wr(u, UART_LCR, UART_LCR_DLAB | 0x03);
	wr(u, UART_DLL, 0x0c);
	wr(u, UART_DLM, 0x34);
	assert_int_equal(rd(u, UART_DLL), 0x0c);
	assert_int_equal(rd(u, UART_DLM), 0x34);
	assert_int_equal(f->sink.n, 0);		/* not transmitted */
	/* LCR, IIR, LSR ... are not affected by DLAB. */
	assert_int_equal(rd(u, UART_LCR), 0x83);
	assert_int_equal(rd(u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	wr(u, UART_LCR, 0x03);
	assert_int_equal(rd(u, UART_IER), UART_IER_ERBFI);
	wr(u, UART_THR, 'x');
	assert_int_equal(f->sink.n, 1);
	assert_int_equal(f->sink.buf[0], 'x');
	wr(u, UART_LCR, UART_LCR_DLAB);
	assert_int_equal(rd(u, UART_DLL), 0x0c);
	assert_int_equal(rd(u, UART_DLM), 0x34);
}

static void test_transmit(void **state)
{
	struct fixture *f = *state;
	struct uart16550 *u = &f->u;
	const char *msg = "hello\n";

	for (size_t i = 0; msg[i]; i++) {
		assert_true(rd(u, UART_LSR) & UART_LSR_THRE);
		wr(u, UART_THR, (uint8_t)msg[i]);
		assert_int_equal(rd(u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	}
	assert_int_equal(f->sink.n, 6);
	assert_memory_equal(f->sink.buf, msg, 6);
	assert_int_equal(u->tx_bytes, 6);
	assert_int_equal(u->rx_bytes, 0);

	/* A NULL tx callback drops bytes. */
	uart16550_init(u, NULL, NULL);
	wr(u, UART_THR, 'z');
	assert_int_equal(u->tx_bytes, 1);
}

static void test_receive(void **state)
{
	struct uart16550 *u = &((struct fixture *)*state)->u;

	assert_true(uart16550_receive(u, 'a'));
	assert_int_equal(rd(u, UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(u, UART_RBR), 'a');
	assert_int_equal(rd(u, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(u, UART_RBR), 'a');		/* empty: last byte again */
	assert_int_equal(u->rx_bytes, 1);
}

static void test_loopback(void **state)
{
	struct fixture *f = *state;
	struct uart16550 *u = &f->u;

	wr(u, UART_MCR, UART_MCR_LOOP);
	assert_int_equal(rd(u, UART_MSR) & 0xf0, 0);
	wr(u, UART_THR, 0x55);
	assert_int_equal(f->sink.n, 0);
	assert_int_equal(u->tx_bytes, 0);
	assert_int_equal(rd(u, UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(u, UART_RBR), 0x55);
	assert_false(rd(u, UART_LSR) & UART_LSR_DR);

	/* External input is disconnected. */
	assert_false(uart16550_rx_ready(u));
	assert_false(uart16550_receive(u, 'q'));
	assert_false(rd(u, UART_LSR) & (UART_LSR_DR | UART_LSR_OE));

	/* MSR follows MCR: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD, with deltas. */
	wr(u, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
	assert_int_equal(rd(u, UART_MSR), UART_MSR_DSR | UART_MSR_DDSR);
	assert_int_equal(rd(u, UART_MSR), UART_MSR_DSR);
	wr(u, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	assert_int_equal(rd(u, UART_MSR), UART_MSR_CTS | UART_MSR_DCTS | UART_MSR_DDSR);
	wr(u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
	assert_int_equal(rd(u, UART_MSR), UART_MSR_RI | UART_MSR_DCTS);	/* RI rising: no TERI */
	wr(u, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2);
	assert_int_equal(rd(u, UART_MSR), UART_MSR_DCD | UART_MSR_TERI | UART_MSR_DDCD);
	wr(u, UART_MCR, 0x1f);
	assert_int_equal(rd(u, UART_MSR) & 0xf0, 0xf0);
	/* Leaving loopback: the cable lines are back (RI off: trailing edge). */
	wr(u, UART_MCR, 0);
	assert_int_equal(rd(u, UART_MSR), 0xb0 | UART_MSR_TERI);
	assert_true(uart16550_receive(u, 'q'));
	assert_int_equal(rd(u, UART_RBR), 'q');
}

static void test_loopback_overrun(void **state)
{
	struct uart16550 *u = &((struct fixture *)*state)->u;

	wr(u, UART_MCR, UART_MCR_LOOP);
	wr(u, UART_THR, 1);
	wr(u, UART_THR, 2);			/* FIFOs off: one-byte holding register */
	assert_int_equal(rd(u, UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(u, UART_RBR), 1);
	wr(u, UART_FCR, UART_FCR_FE);
	for (int i = 0; i < UART_FIFO_SIZE; i++)
		wr(u, UART_THR, (uint8_t)(0x40 + i));
	assert_false(rd(u, UART_LSR) & UART_LSR_OE);
	wr(u, UART_THR, 0xff);
	assert_true(rd(u, UART_LSR) & UART_LSR_OE);
	for (int i = 0; i < UART_FIFO_SIZE; i++)
		assert_int_equal(rd(u, UART_RBR), 0x40 + i);
	assert_false(rd(u, UART_LSR) & UART_LSR_DR);
}

static void test_fifo_overflow(void **state)
{
	struct uart16550 *u = &((struct fixture *)*state)->u;

	/* FIFOs off: a single byte. */
	assert_true(uart16550_receive(u, 'a'));
	assert_false(uart16550_rx_ready(u));
	assert_false(uart16550_receive(u, 'b'));
	assert_int_equal(rd(u, UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(u, UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(rd(u, UART_RBR), 'a');

	/* FIFOs on: 16 bytes, the 17th is lost with an overrun. */
	wr(u, UART_FCR, UART_FCR_FE);
	for (int i = 0; i < UART_FIFO_SIZE; i++) {
		assert_true(uart16550_rx_ready(u));
		assert_true(uart16550_receive(u, (uint8_t)i));
	}
	assert_false(uart16550_rx_ready(u));
	assert_false(uart16550_receive(u, 0x99));
	assert_int_equal(u->rx_bytes, 1 + UART_FIFO_SIZE);
	assert_int_equal(rd(u, UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	assert_false(rd(u, UART_LSR) & UART_LSR_OE);	/* cleared by the read */
	for (int i = 0; i < UART_FIFO_SIZE; i++)
		assert_int_equal(rd(u, UART_RBR), i);
	assert_false(rd(u, UART_LSR) & UART_LSR_DR);
	/* Wrap-around of the ring. */
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 11; i++)
			assert_true(uart16550_receive(u, (uint8_t)(round * 16 + i)));
		for (int i = 0; i < 11; i++)
			assert_int_equal(rd(u, UART_RBR), round * 16 + i);
	}
}

static void test_fcr(void **state)
{
	struct uart16550 *u = &((struct fixture *)*state)->u;

	assert_int_equal(rd(u, UART_IIR) & 0xc0, 0);
	wr(u, UART_FCR, 0xc7);			/* enable, reset both, trigger 14 */
	assert_int_equal(rd(u, UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	assert_true(uart16550_receive(u, 1));
	assert_true(uart16550_receive(u, 2));
	wr(u, UART_FCR, UART_FCR_FE | UART_FCR_TFR);	/* TX reset leaves RX alone */
	assert_true(rd(u, UART_LSR) & UART_LSR_DR);
	wr(u, UART_FCR, UART_FCR_FE | UART_FCR_RFR);
	assert_false(rd(u, UART_LSR) & UART_LSR_DR);
	/* Disabling the FIFOs empties them and clears IIR[7:6]. */
	assert_true(uart16550_receive(u, 3));
	wr(u, UART_FCR, 0xc6);			/* FE = 0: other bits not programmed */
	assert_false(rd(u, UART_LSR) & UART_LSR_DR);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_NO_INT);
	/* Enabling them empties them too. */
	assert_true(uart16550_receive(u, 4));
	wr(u, UART_FCR, UART_FCR_FE);
	assert_false(rd(u, UART_LSR) & UART_LSR_DR);
}

static void test_rx_trigger_and_timeout(void **state)
{
	struct uart16550 *u = &((struct fixture *)*state)->u;
	static const uint8_t trig[4] = { 1, 4, 8, 14 };

	wr(u, UART_IER, UART_IER_ERBFI);
	for (unsigned t = 0; t < 4; t++) {
		wr(u, UART_FCR, (uint8_t)(UART_FCR_FE | UART_FCR_RFR | (t << 6)));
		for (unsigned n = 1; n <= trig[t]; n++) {
			assert_true(uart16550_receive(u, (uint8_t)n));
			uint8_t want = n < trig[t] ? UART_IIR_CTI : UART_IIR_RDI;
			assert_int_equal(rd(u, UART_IIR), UART_IIR_FIFO | want);
		}
	}
	/* Draining the FIFO clears the interrupt. */
	for (unsigned n = 0; n < 14; n++)
		rd(u, UART_RBR);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	/* Without FIFOs one byte is "data available". */
	wr(u, UART_FCR, 0);
	assert_true(uart16550_receive(u, 9));
	assert_int_equal(rd(u, UART_IIR), UART_IIR_RDI);
}

static void test_iir_priorities(void **state)
{
	struct uart16550 *u = &((struct fixture *)*state)->u;

	wr(u, UART_MCR, UART_MCR_OUT2);
	rd(u, UART_MSR);
	wr(u, UART_IER, 0x0f);			/* ETBEI rising edge: THRE pending */
	assert_true(uart16550_irq_pending(u));
	assert_true(uart16550_receive(u, 'a'));
	assert_false(uart16550_receive(u, 'b'));	/* overrun */
	assert_int_equal(rd(u, UART_IIR), UART_IIR_RLSI);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_RLSI);	/* cleared by LSR, not IIR */
	rd(u, UART_LSR);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_RDI);
	assert_int_equal(rd(u, UART_RBR), 'a');
	/* THRE survived the IIR reads that reported other sources. */
	assert_int_equal(rd(u, UART_IIR), UART_IIR_THRI);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_NO_INT);	/* cleared by that read */
	assert_false(uart16550_irq_pending(u));

	/* Modem status has the lowest priority; cleared by reading MSR. */
	wr(u, UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP | UART_MCR_RTS);
	wr(u, UART_THR, 'c');			/* THRE again, and RX data via loopback */
	assert_int_equal(rd(u, UART_IIR), UART_IIR_RDI);
	rd(u, UART_RBR);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_THRI);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_MSI);
	/* Cable CTS|DSR|DCD -> looped RTS->CTS, OUT2->DCD: only DSR changed. */
	assert_int_equal(rd(u, UART_MSR) & 0x0f, UART_MSR_DDSR);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_NO_INT);

	/* Disabled sources are not reported. */
	wr(u, UART_MCR, UART_MCR_OUT2);
	wr(u, UART_IER, 0);
	assert_true(uart16550_receive(u, 'd'));
	assert_false(uart16550_receive(u, 'e'));
	assert_int_equal(rd(u, UART_IIR), UART_IIR_NO_INT);
	assert_false(uart16550_irq_pending(u));
}

static void test_thre_semantics(void **state)
{
	struct uart16550 *u = &((struct fixture *)*state)->u;

	wr(u, UART_MCR, UART_MCR_OUT2);
	wr(u, UART_IER, UART_IER_ETBEI);
	assert_true(uart16550_irq_pending(u));
	assert_int_equal(rd(u, UART_IIR), UART_IIR_THRI);
	assert_false(uart16550_irq_pending(u));
	/* Rewriting IER with ETBEI already set does not raise it again. */
	wr(u, UART_IER, UART_IER_ETBEI);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_NO_INT);
	/* Each THR write raises it again. */
	wr(u, UART_THR, 'x');
	assert_true(uart16550_irq_pending(u));
	wr(u, UART_THR, 'y');
	assert_int_equal(rd(u, UART_IIR), UART_IIR_THRI);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_NO_INT);
	/* Toggling ETBEI 0 -> 1 raises it (THR is empty). */
	wr(u, UART_IER, 0);
	wr(u, UART_IER, UART_IER_ETBEI);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_THRI);
	/* While ETBEI is clear THRE is not reported (and IIR reads keep the latch). */
	wr(u, UART_IER, 0);
	rd(u, UART_IIR);
	wr(u, UART_THR, 'z');
	assert_int_equal(rd(u, UART_IIR), UART_IIR_NO_INT);
	assert_false(uart16550_irq_pending(u));
	wr(u, UART_IER, UART_IER_ETBEI);
	assert_int_equal(rd(u, UART_IIR), UART_IIR_THRI);
	/* With FIFOs on, IIR carries bits 7:6. */
	wr(u, UART_FCR, UART_FCR_FE);
	wr(u, UART_THR, 'w');
	assert_int_equal(rd(u, UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
}

static void test_irq_gating(void **state)
{
	struct uart16550 *u = &((struct fixture *)*state)->u;

	wr(u, UART_IER, UART_IER_ERBFI);
	assert_true(uart16550_receive(u, 'a'));
	assert_int_equal(rd(u, UART_IIR), UART_IIR_RDI);
	assert_false(uart16550_irq_pending(u));	/* OUT2 = 0 */
	wr(u, UART_MCR, UART_MCR_OUT2);
	assert_true(uart16550_irq_pending(u));
	wr(u, UART_MCR, UART_MCR_OUT2 | UART_MCR_LOOP);
	assert_false(uart16550_irq_pending(u));	/* OUT2 pin forced inactive */
	assert_int_equal(rd(u, UART_IIR), UART_IIR_RDI);
	wr(u, UART_MCR, UART_MCR_OUT2 | UART_MCR_DTR | UART_MCR_RTS);
	assert_true(uart16550_irq_pending(u));
	rd(u, UART_RBR);
	assert_false(uart16550_irq_pending(u));
}

/* The essentials of Linux's 8250 autoconfig and startup checks. */
static void test_linux_probe(void **state)
{
	struct fixture *f = *state;
	struct uart16550 *u = &f->u;

	/* IER read-back test. */
	wr(u, UART_IER, 0);
	assert_int_equal(rd(u, UART_IER) & 0x0f, 0);
	wr(u, UART_IER, 0x0f);
	assert_int_equal(rd(u, UART_IER) & 0x0f, 0x0f);
	wr(u, UART_IER, 0);
	/* Scratch register. */
	wr(u, UART_SCR, 0xa5);
	assert_int_equal(rd(u, UART_SCR), 0xa5);
	/* Loopback test of MSR: RTS|OUT2 -> CTS|DCD. */
	uint8_t save_mcr = rd(u, UART_MCR);
	wr(u, UART_MCR, UART_MCR_LOOP | 0x0a);
	assert_int_equal(rd(u, UART_MSR) & 0xf0, 0x90);
	wr(u, UART_MCR, save_mcr);
	/* FIFO type: 16550A reports 11b in IIR[7:6]. */
	wr(u, UART_FCR, UART_FCR_FE);
	assert_int_equal(rd(u, UART_IIR) >> 6, 3);
	wr(u, UART_FCR, 0xc7);
	assert_int_equal(rd(u, UART_IIR) & 0xc0, 0xc0);
	/* With LCR = 0xBF, offset 2 reads IIR (non-zero): not a 16650 EFR. */
	wr(u, UART_LCR, 0xbf);
	assert_int_not_equal(rd(u, UART_IIR), 0);
	/* No 64-byte FIFO (16750): IIR bit 5 stays 0 either way. */
	wr(u, UART_LCR, UART_LCR_DLAB);
	wr(u, UART_FCR, UART_FCR_FE | 0x20);
	assert_int_equal(rd(u, UART_IIR) >> 5, 6);
	wr(u, UART_LCR, 0);
	assert_int_equal(rd(u, UART_IIR) >> 5, 6);
	/* Clear FIFOs, set 8N1, 115200. */
	wr(u, UART_FCR, UART_FCR_FE | UART_FCR_RFR | UART_FCR_TFR);
	wr(u, UART_FCR, 0);
	wr(u, UART_LCR, UART_LCR_DLAB | 0x03);
	wr(u, UART_DLL, 1);
	wr(u, UART_DLM, 0);
	wr(u, UART_LCR, 0x03);
	/* THRE interrupt test (UART_BUG_THRE): both IIR reads see THRE. */
	wr(u, UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	wr(u, UART_IER, UART_IER_ETBEI);
	uint8_t iir1 = rd(u, UART_IIR);
	wr(u, UART_IER, 0);
	wr(u, UART_IER, UART_IER_ETBEI);
	uint8_t iir = rd(u, UART_IIR);
	wr(u, UART_IER, 0);
	assert_false(iir1 & UART_IIR_NO_INT);
	assert_false(iir & UART_IIR_NO_INT);
	assert_true(rd(u, UART_LSR) & UART_LSR_TEMT);
	/* Flow control: CTS and DSR up. */
	assert_int_equal(rd(u, UART_MSR) & 0xb0, 0xb0);
	wr(u, UART_THR, 'L');
	assert_int_equal(f->sink.n, 1);
	assert_int_equal(f->sink.buf[0], 'L');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reset_values, setup),
		cmocka_unit_test_setup(test_registers_rw, setup),
		cmocka_unit_test_setup(test_dlab, setup),
		cmocka_unit_test_setup(test_transmit, setup),
		cmocka_unit_test_setup(test_receive, setup),
		cmocka_unit_test_setup(test_loopback, setup),
		cmocka_unit_test_setup(test_loopback_overrun, setup),
		cmocka_unit_test_setup(test_fifo_overflow, setup),
		cmocka_unit_test_setup(test_fcr, setup),
		cmocka_unit_test_setup(test_rx_trigger_and_timeout, setup),
		cmocka_unit_test_setup(test_iir_priorities, setup),
		cmocka_unit_test_setup(test_thre_semantics, setup),
		cmocka_unit_test_setup(test_irq_gating, setup),
		cmocka_unit_test_setup(test_linux_probe, setup),
	};

	return cmocka_run_group_tests_name("uart16550", tests, NULL, NULL);
}
