/* SPDX-License-Identifier: MIT */
/*
 * Error codes used across xtalk. Functions return 0 or a negative XT_E* value
 * (errno-style numbers, prefixed so they never clash with a host <errno.h>).
 */
#ifndef XTALK_LIB_XERRNO_H
#define XTALK_LIB_XERRNO_H

#define XT_EPERM 1
#define XT_ENOENT 2
#define XT_EIO 5
#define XT_E2BIG 7
#define XT_ENOEXEC 8
#define XT_EAGAIN 11
#define XT_ENOMEM 12
#define XT_EFAULT 14
#define XT_EBUSY 16
#define XT_EEXIST 17
#define XT_EINVAL 22
#define XT_ENOSPC 28
#define XT_ERANGE 34
#define XT_ENOSYS 38
#define XT_ENOTSUP 95

const char *xt_strerror(int err);

#endif
