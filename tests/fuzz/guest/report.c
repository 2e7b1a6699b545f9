// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-fuzz: the table at the end: calls, successes and the most
 * frequent errors per handler.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "fuzz.h"

static const char *errname(int e)
{
	static char buf[16];

	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case EPIPE: return "EPIPE";
	case ERANGE: return "ERANGE";
	case ENOTTY: return "ENOTTY";
	case E2BIG: return "E2BIG";
	case ETIME: return "ETIME";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EOVERFLOW: return "EOVERFLOW";
	case ENOSYS: return "ENOSYS";
	case EALREADY: return "EALREADY";
	case ECANCELED: return "ECANCELED";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENXIO: return "ENXIO";
	case EMSGSIZE: return "EMSGSIZE";
	default:
		snprintf(buf, sizeof(buf), "errno%d", e);
		return buf;
	}
}

int report(double wall, int ff)
{
	int h, reached = 0;
	uint64_t calls = 0;

	printf("aiot-fuzz: %-24s %10s %10s  %s\n", "handler", "calls", "ok", "errors (most frequent)");
	for (h = 0; h < H_COUNT; h++) {
		char errs[160] = "";
		size_t len = 0;
		int k, e;
		uint64_t done[3] = { 0 };

		calls += cnt->calls[h];
		if (cnt->ok[h])
			reached++;
		for (k = 0; k < 3; k++) {
			int best = -1;

			for (e = 0; e < NERRNO; e++)
				if (cnt->err[h][e] && (best < 0 || cnt->err[h][e] > cnt->err[h][best]) &&
				    (k < 1 || (uint64_t)e != done[0]) && (k < 2 || (uint64_t)e != done[1]))
					best = e;
			if (best < 0)
				break;
			done[k] = (uint64_t)best;
			len += snprintf(errs + len, sizeof(errs) - len, "%s%s %" PRIu64,
					k ? ", " : "", errname(best), cnt->err[h][best]);
		}
		printf("aiot-fuzz: %-24s %10" PRIu64 " %10" PRIu64 "  %s\n", handler_names[h],
		       cnt->calls[h], cnt->ok[h], errs);
	}
	printf("aiot-fuzz: seed=%" PRIu64 " calls=%" PRIu64 " handlers_reached=%d of %d "
	       "wall=%.1fs procs=%d threads=%d fault=%d%% fail_function=%d unbind=%d\n",
	       opt.seed, calls, reached, H_COUNT, wall, opt.procs, opt.threads,
	       opt.fault_percent, ff, opt.unbind);
	fflush(stdout);
	return reached;
}
