/* SPDX-License-Identifier: MIT */
/* xtalk's console: formatted output to COM1, with log levels. */
#ifndef XTALK_VMM_CONSOLE_H
#define XTALK_VMM_CONSOLE_H

#include <stdarg.h>
#include <stdint.h>

#include "boot/ini.h"

void con_set_level(enum xt_log_level level);
/* Queues output for COM1 (vmm/core/console.c says how it drains). */
void con_write(const char *s, unsigned len);
/* Moves queued output to the UART as far as it takes it without waiting. */
void con_pump(void);
/* 0 when nothing is queued, else when to pump again (ns): the time the
 * line takes to send a FIFO-full. The scheduler comes back by then. */
uint64_t con_pending_ns(void);
/* Writes out everything queued, waiting for the line: before the guests
 * start and before power-off. */
void con_flush(void);
/* The most bytes ever queued; bytes a writer had to wait for. */
void con_queue_stats(unsigned *peak, unsigned long *waited_bytes);
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One "xtalk: ..." line when level is enabled. */
void xt_log(enum xt_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define xt_err(...) xt_log(XT_LOG_ERROR, __VA_ARGS__)
#define xt_warn(...) xt_log(XT_LOG_WARN, __VA_ARGS__)
#define xt_info(...) xt_log(XT_LOG_INFO, __VA_ARGS__)
#define xt_debug(...) xt_log(XT_LOG_DEBUG, __VA_ARGS__)

#endif
