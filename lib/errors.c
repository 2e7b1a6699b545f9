// SPDX-License-Identifier: LGPL-2.1-or-later
/* aiot_strerror(): errors in aiot's terms. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "internal.h"

const char *aiot_strerror(int err)
{
	const char *desc;

	if (err == INT_MIN)
		return "unknown error";
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case ENODEV:
		return "no aiot device (module not loaded, not an aiot node, or device removed)";
	case ETIME:
		return "timed out waiting, or the job's deadline passed before it started";
	case ETIMEDOUT:
		return "the job hung and the device was reset";
	case ECANCELED:
		return "the job was cancelled (its file was closed or its stream stopped)";
	case EINPROGRESS:
		return "the job has not completed yet";
	case EBADMSG:
		return "corrupt data: checksum mismatch";
	case ENOEXEC:
		return "not an aiot model blob";
	case EPROTONOSUPPORT:
		return "unsupported version (uAPI, model blob or ISA)";
	case EOPNOTSUPP:
		return "the device does not support this (see its capabilities)";
	case EXDEV:
		return "object belongs to another aiot device";
	case E2BIG:
		return "too many items (bindings, in-fences or tensors)";
	case ENOENT:
		return "no such file, device or job (a job record may have expired)";
	case EINVAL:
		return "invalid argument (or a command stream the device rejected)";
	case EACCES:
		return "permission denied (a device node's group; high priority needs CAP_SYS_NICE)";
	case EIO:
		return "device I/O error (e.g. a sensor DMA fault)";
	default:
		/* strerrordesc_np() returns a constant string: thread-safe. */
		desc = strerrordesc_np(err);
		return desc ? desc : "unknown error";
	}
}
