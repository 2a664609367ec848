/* SPDX-License-Identifier: MIT */
/* The machine's own MC146818-compatible RTC, read once at start so that
 * each guest's emulated RTC starts at the real date and time. */
#ifndef XTALK_VMM_HOST_RTC_H
#define XTALK_VMM_HOST_RTC_H

#include "devices/mc146818.h"

/* The date and time now (24-hour, binary). If the RTC cannot be read
 * consistently or holds an impossible value, 2000-01-01 00:00:00 and -1. */
int host_rtc_time(struct mc146818_tm *tm);

#endif
