// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-fuzz: clock, deterministic randomness (splitmix64), counting,
 * surviving faults on mappings, picking fds and pointers, device
 * nodes and sysfs.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>

#include "fuzz.h"

const char *const handler_names[] = {
#define X(n) #n,
	HANDLERS(X)
#undef X
};

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool stopping(void)
{
	return __atomic_load_n(&cnt->stop, __ATOMIC_RELAXED) || now_s() >= t_end ||
	       (opt.max_calls &&
		__atomic_load_n(&cnt->total, __ATOMIC_RELAXED) >= opt.max_calls);
}

/* ---- deterministic randomness (splitmix64) ---- */

uint64_t rnext(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 for n == 0. */
uint32_t rn(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnext(r) % n) : 0;
}

bool chance(struct rng *r, unsigned int percent)
{
	return rn(r, 100) < percent;
}

/* A "interesting" 32-bit value: boundaries, powers of two, random. */
uint32_t rval32(struct rng *r)
{
	static const uint32_t edge[] = {
		0, 1, 2, 3, 4, 7, 8, 15, 16, 63, 64, 127, 128, 255, 256,
		4095, 4096, 4097, 65535, 65536, 0x7fffffff, 0x80000000,
		0xfffffffe, 0xffffffff, 1u << 20, 1u << 30,
	};

	switch (rn(r, 4)) {
	case 0:
		return edge[rn(r, sizeof(edge) / sizeof(edge[0]))];
	case 1:
		return 1u << rn(r, 32);
	case 2:
		return rn(r, 64);
	default:
		return (uint32_t)rnext(r);
	}
}

uint64_t rval64(struct rng *r)
{
	if (chance(r, 70))
		return rval32(r);
	return rnext(r);
}

/* ---- counting ---- */

__thread const char *trace_tag;

long count(enum handler h, long ret, int err)
{
	__atomic_fetch_add(&cnt->calls[h], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&cnt->total, 1, __ATOMIC_RELAXED);
	if (ret >= 0)
		__atomic_fetch_add(&cnt->ok[h], 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&cnt->err[h][err > 0 && err < NERRNO ? err : 0], 1,
				   __ATOMIC_RELAXED);
	if (opt.trace)
		fprintf(stderr, "%s %s -> %ld (%s)\n", trace_tag ? trace_tag : "?",
			handler_names[h], ret, ret < 0 ? strerror(err) : "ok");
	return ret;
}

int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg);
}

/* ---- surviving faults on mappings (SIGBUS after a backend went away) ---- */

static __thread sigjmp_buf *fault_jmp;

void on_fault(int sig)
{
	if (fault_jmp)
		siglongjmp(*fault_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read and write every page of a mapping; a fault ends the walk. */
void touch(void *p, size_t len, bool write, struct rng *r)
{
	sigjmp_buf jb;
	volatile uint8_t *b = p;
	volatile size_t off;
	uint8_t v = (uint8_t)rnext(r);

	if (sigsetjmp(jb, 1) == 0) {
		fault_jmp = &jb;
		for (off = 0; off < len; off += 4096) {
			v ^= b[off];
			if (write)
				b[off] = v;
		}
	}
	fault_jmp = NULL;
}

/* ---- fds, pointers, device nodes ---- */

static int pick_fd(struct worker *w, const int *fds, int n)
{
	int i, start = rn(&w->r, n);

	for (i = 0; i < n; i++)
		if (fds[(start + i) % n] >= 0)
			return fds[(start + i) % n];
	return -1;
}

int any_accel(struct worker *w)
{
	return pick_fd(w, w->accel, N_ACCEL);
}

/* A random fd of ours of any kind, or a bad one. */
int any_fd(struct worker *w)
{
	switch (rn(&w->r, 6)) {
	case 0:
		return any_accel(w);
	case 1:
		return w->sensor[rn(&w->r, N_SENSOR)].fd;
	case 2:
		return w->dmabuf[rn(&w->r, N_DMABUF)].fd;
	case 3:
		return w->syncfile[rn(&w->r, N_SYNCFILE)];
	case 4:
		return -1;
	default:
		return 1000 + rn(&w->r, 64);
	}
}

/* A user pointer: the scratch area, NULL, or a bad address. */
void *any_ptr(struct worker *w, size_t need)
{
	switch (rn(&w->r, 10)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)0x1000;
	case 2:
		return (void *)(uintptr_t)0xffff800000000000ull;
	case 3:
		return w->scratch + SCRATCH - (need ? need / 2 : 1);
	default:
		return w->scratch;
	}
}

bool is_aiot_accel(int fd)
{
	struct drm_version v = { 0 };
	char name[16] = "";

	v.name = name;
	v.name_len = sizeof(name) - 1;
	if (ioctl(fd, DRM_IOCTL_VERSION, &v))
		return false;
	return strcmp(name, AIOT_DRM_DRIVER_NAME) == 0;
}

/* The path of a random node under dir whose name starts with prefix. */
int random_node(struct rng *r, const char *dir, const char *prefix,
		char *out, size_t outlen)
{
	char names[16][256];
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d)) && n < 16)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 &&
		    snprintf(names[n], sizeof(names[0]), "%s", e->d_name) < (int)sizeof(names[0]))
			n++;
	closedir(d);
	if (!n)
		return -1;
	if ((size_t)snprintf(out, outlen, "%s/%s", dir, names[rn(r, n)]) >= outlen)
		return -1;
	return 0;
}

int sysfs_write(const char *dir, const char *file, const char *val)
{
	char path[640];
	int fd, ret = 0;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, val, strlen(val)) < 0)
		ret = -1;
	close(fd);
	return ret;
}
