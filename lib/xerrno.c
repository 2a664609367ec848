/* SPDX-License-Identifier: MIT */
#include "lib/xerrno.h"

const char *xt_strerror(int err)
{
	switch (err < 0 ? -err : err) {
	case 0: return "success";
	case XT_EPERM: return "operation not permitted";
	case XT_ENOENT: return "not found";
	case XT_EIO: return "I/O error";
	case XT_E2BIG: return "too big";
	case XT_ENOEXEC: return "not an executable";
	case XT_EAGAIN: return "try again";
	case XT_ENOMEM: return "out of memory";
	case XT_EFAULT: return "bad address";
	case XT_EBUSY: return "busy";
	case XT_EEXIST: return "already exists";
	case XT_EINVAL: return "invalid argument";
	case XT_ENOSPC: return "no space left";
	case XT_ERANGE: return "out of range";
	case XT_ENOSYS: return "not supported by this VMM";
	case XT_ENOTSUP: return "not supported";
	default: return "unknown error";
	}
}
