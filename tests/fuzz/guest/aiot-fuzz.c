// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-fuzz: an in-guest fuzzer of aiot's whole uAPI, run inside the QEMU
 * guests against the real modules (docs/fuzzing.md).
 *
 * Several processes with several threads each call, in a random but
 * seed-determined order: the accelerator's ioctls (QUERY, BO_*, SUBMIT,
 * JOB_WAIT), the DRM core's that aiot uses (GEM_CLOSE, PRIME, syncobjs),
 * mmap of buffers, sync_file and dma-buf ioctls and poll, the sensor
 * streams' ioctls, read(), poll() and mmap(), and ioctl numbers nobody
 * defined. Command streams are built shape-coherent from the ISA
 * (<linux/aiot_isa.h>): every tensor inside its bound buffer, so that the
 * executor runs; then some are mutated, and some are random bytes. Pointers
 * and sizes are valid or not. A thread in the parent unbinds and rebinds
 * the backends' devices mid-run (sysfs); the parent kills children and
 * starts new ones. With --fault, kmalloc and alloc_pages fail at random in
 * the fuzzing tasks (failslab, fail_page_alloc with task-filter) and so do
 * the driver's functions marked ALLOW_ERROR_INJECTION (fail_function).
 *
 * Every result is counted per handler: the table at the end says which
 * handlers were reached (at least one call succeeded) and with which errors
 * the others failed. Any errno is fine; only the kernel's log judges (the
 * harness fails a run on any report). Exit status: 0, or 2 for bad usage
 * or no device at all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>
#include <linux/aiot_sensor.h>

#define MAX_PROCS	8
#define MAX_THREADS	8
#define NERRNO		150

/* Every call site the fuzzer counts, in the order the table prints them. */
#define HANDLERS(X)							\
	X(OPEN_ACCEL) X(CLOSE_ACCEL) X(VERSION) X(GET_CAP)		\
	X(QUERY) X(BO_CREATE) X(BO_MMAP_OFFSET) X(BO_MMAP) X(BO_WAIT)	\
	X(GEM_CLOSE) X(PRIME_EXPORT) X(PRIME_IMPORT) X(SUBMIT)		\
	X(SUBMIT_VALID) X(JOB_WAIT) X(SYNCOBJ_CREATE) X(SYNCOBJ_DESTROY)\
	X(SYNCOBJ_WAIT) X(SYNCOBJ_RESET) X(SYNCOBJ_SIGNAL)		\
	X(SYNCOBJ_TO_FD) X(SYNCOBJ_FROM_FD) X(SYNC_FILE_INFO)		\
	X(SYNC_FILE_POLL) X(SYNC_FILE_CLOSE) X(ACCEL_BAD_IOCTL)		\
	X(OPEN_SENSOR) X(CLOSE_SENSOR) X(S_INFO) X(S_CONFIGURE)		\
	X(S_G_CONFIG) X(S_START) X(S_STOP) X(S_DQBUF) X(S_QBUF)	\
	X(S_EXPBUF) X(S_READ) X(S_POLL) X(S_MMAP) X(S_BAD_IOCTL)	\
	X(DMABUF_SYNC) X(DMABUF_EXPORT_SYNC_FILE) X(DMABUF_POLL)	\
	X(DMABUF_MMAP) X(DMABUF_CLOSE) X(UNBIND) X(BIND) X(KILL_CHILD)

enum handler {
#define X(n) H_##n,
	HANDLERS(X)
#undef X
	H_COUNT
};

static const char *const handler_names[] = {
#define X(n) #n,
	HANDLERS(X)
#undef X
};

/* Shared by every process (MAP_SHARED): the counters and the stop flag. */
struct shared {
	uint64_t calls[H_COUNT];
	uint64_t ok[H_COUNT];
	uint64_t err[H_COUNT][NERRNO];
	uint64_t total;
	int stop;
};

static struct shared *cnt;

struct options {
	uint64_t seed;
	double seconds;
	uint64_t max_calls;
	int procs;
	int threads;
	bool unbind;
	bool kill_children;
	int fault_percent;
	bool trace;
	bool quiet;
};

static struct options opt = {
	.seed = 1, .seconds = 30, .procs = 2, .threads = 3,
	.unbind = true, .kill_children = true,
};

static double t_end;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static bool stopping(void)
{
	return __atomic_load_n(&cnt->stop, __ATOMIC_RELAXED) || now_s() >= t_end ||
	       (opt.max_calls &&
		__atomic_load_n(&cnt->total, __ATOMIC_RELAXED) >= opt.max_calls);
}

/* ---- deterministic randomness (splitmix64) ---- */

struct rng {
	uint64_t s;
};

static uint64_t rnext(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 for n == 0. */
static uint32_t rn(struct rng *r, uint32_t n)
{
	return n ? (uint32_t)(rnext(r) % n) : 0;
}

static bool chance(struct rng *r, unsigned int percent)
{
	return rn(r, 100) < percent;
}

/* A "interesting" 32-bit value: boundaries, powers of two, random. */
static uint32_t rval32(struct rng *r)
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

static uint64_t rval64(struct rng *r)
{
	if (chance(r, 70))
		return rval32(r);
	return rnext(r);
}

/* ---- counting ---- */

static __thread const char *trace_tag;

static long count(enum handler h, long ret, int err)
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

/* Call and count: ret < 0 means failure with errno. */
#define CALL(h, expr) ({ long _r = (long)(expr); count((h), _r, errno); _r; })

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg);
}

/* ---- surviving faults on mappings (SIGBUS after a backend went away) ---- */

static __thread sigjmp_buf *fault_jmp;

static void on_fault(int sig)
{
	if (fault_jmp)
		siglongjmp(*fault_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Read and write every page of a mapping; a fault ends the walk. */
static void touch(void *p, size_t len, bool write, struct rng *r)
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

/* ---- per-thread state ---- */

#define N_ACCEL		3
#define N_BO		24
#define N_SYNCOBJ	8
#define N_SYNCFILE	8
#define N_JOB		32
#define N_SENSOR	3
#define N_DMABUF	8
#define N_MAP		8

struct bo {
	int fd;			/* the accel fd it belongs to */
	uint32_t handle;
	uint32_t size;		/* 0: unknown */
	void *map;
};

struct map {
	void *p;
	size_t len;
};

struct dmabuf {
	int fd;
	uint32_t size;
};

struct sensor {
	int fd;
	bool configured;
	struct aiot_sensor_info info;
	struct aiot_sensor_config cfg;
	void *ring;
	size_t ring_len;
};

struct worker {
	struct rng r;
	char tag[32];
	int accel[N_ACCEL];
	struct bo bo[N_BO];
	struct { int fd; uint32_t h; } syncobj[N_SYNCOBJ];
	int syncfile[N_SYNCFILE];
	struct { int fd; uint64_t id; } job[N_JOB];
	struct sensor sensor[N_SENSOR];
	struct dmabuf dmabuf[N_DMABUF];
	struct map map[N_MAP];
	/*
	 * SCRATCH bytes the kernel may write, followed by an inaccessible
	 * guard page: a pointer near the end straddles it (EFAULT), never
	 * the heap.
	 */
	uint8_t *scratch;
};

#define SCRATCH		65536

static int pick_fd(struct worker *w, const int *fds, int n)
{
	int i, start = rn(&w->r, n);

	for (i = 0; i < n; i++)
		if (fds[(start + i) % n] >= 0)
			return fds[(start + i) % n];
	return -1;
}

static int any_accel(struct worker *w)
{
	return pick_fd(w, w->accel, N_ACCEL);
}

/* A random fd of ours of any kind, or a bad one. */
static int any_fd(struct worker *w)
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
static void *any_ptr(struct worker *w, size_t need)
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

/* ---- device discovery ---- */

static bool is_aiot_accel(int fd)
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
static int random_node(struct rng *r, const char *dir, const char *prefix,
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

static void op_open_accel(struct worker *w)
{
	char path[128];
	int slot = rn(&w->r, N_ACCEL), fd;

	if (w->accel[slot] >= 0)
		return;
	if (random_node(&w->r, "/dev/accel", "accel", path, sizeof(path)) &&
	    random_node(&w->r, "/dev/dri", "renderD", path, sizeof(path)))
		return;
	fd = CALL(H_OPEN_ACCEL, open(path, O_RDWR | O_CLOEXEC));
	if (fd < 0)
		return;
	if (!is_aiot_accel(fd)) {
		close(fd);
		return;
	}
	w->accel[slot] = fd;
}

static void forget_fd_objects(struct worker *w, int fd)
{
	int i;

	for (i = 0; i < N_BO; i++) {
		if (w->bo[i].fd != fd)
			continue;
		if (w->bo[i].map)
			munmap(w->bo[i].map, w->bo[i].size);
		w->bo[i] = (struct bo){ .fd = -1 };
	}
	for (i = 0; i < N_SYNCOBJ; i++)
		if (w->syncobj[i].fd == fd)
			w->syncobj[i].fd = -1;
	for (i = 0; i < N_JOB; i++)
		if (w->job[i].fd == fd)
			w->job[i].fd = -1;
}

static void op_close_accel(struct worker *w)
{
	int slot = rn(&w->r, N_ACCEL), fd = w->accel[slot];

	if (fd < 0)
		return;
	forget_fd_objects(w, fd);
	w->accel[slot] = -1;
	CALL(H_CLOSE_ACCEL, close(fd));
}

/* ---- accelerator ioctls ---- */

static void op_version_cap(struct worker *w)
{
	int fd = any_accel(w);
	struct drm_get_cap cap = { .capability = rn(&w->r, 0x20) };
	struct drm_version v = { 0 };

	if (fd < 0)
		return;
	if (chance(&w->r, 50)) {
		v.name_len = rn(&w->r, 64);
		v.name = (char *)any_ptr(w, v.name_len);
		v.desc_len = rn(&w->r, 64);
		v.desc = (char *)w->scratch + 1024;
		CALL(H_VERSION, xioctl(fd, DRM_IOCTL_VERSION, &v));
	} else {
		CALL(H_GET_CAP, xioctl(fd, DRM_IOCTL_GET_CAP, &cap));
	}
}

static void op_query(struct worker *w)
{
	int fd = any_accel(w);
	struct drm_aiot_query q = { 0 };

	if (fd < 0)
		return;
	q.type = chance(&w->r, 80) ? DRM_AIOT_QUERY_DEVICE_INFO : rval32(&w->r);
	q.size = chance(&w->r, 60) ? sizeof(struct drm_aiot_device_info) : rval32(&w->r) % 512;
	q.ptr = (uintptr_t)any_ptr(w, q.size);
	if (chance(&w->r, 10))
		q.flags = rval32(&w->r);
	if (chance(&w->r, 10))
		q.pad = rval32(&w->r);
	CALL(H_QUERY, xioctl(fd, DRM_IOCTL_AIOT_QUERY, &q));
}

static struct bo *free_bo(struct worker *w)
{
	int i, start = rn(&w->r, N_BO);

	for (i = 0; i < N_BO; i++)
		if (w->bo[(start + i) % N_BO].fd < 0)
			return &w->bo[(start + i) % N_BO];
	return NULL;
}

static struct bo *some_bo(struct worker *w)
{
	int i, start = rn(&w->r, N_BO);

	for (i = 0; i < N_BO; i++)
		if (w->bo[(start + i) % N_BO].fd >= 0)
			return &w->bo[(start + i) % N_BO];
	return NULL;
}

static void drop_bo(struct bo *b)
{
	if (b->map)
		munmap(b->map, b->size);
	*b = (struct bo){ .fd = -1 };
}

static void op_bo_create(struct worker *w)
{
	int fd = any_accel(w);
	struct drm_aiot_bo_create c = { 0 };
	struct bo *b = free_bo(w);

	if (fd < 0)
		return;
	if (!b) {
		/* Full: give one back first (sometimes by closing its handle). */
		b = some_bo(w);
		if (chance(&w->r, 50)) {
			struct drm_gem_close gc = { .handle = b->handle };

			CALL(H_GEM_CLOSE, xioctl(b->fd, DRM_IOCTL_GEM_CLOSE, &gc));
		}
		drop_bo(b);
	}
	switch (rn(&w->r, 10)) {
	case 0:
		c.size = rval64(&w->r);
		break;
	case 1:
		c.size = (1 + rn(&w->r, 256)) * 4096;
		break;
	default:
		c.size = (1 + rn(&w->r, 4)) * 4096;
		break;
	}
	if (chance(&w->r, 5))
		c.flags = rval32(&w->r);
	if (CALL(H_BO_CREATE, xioctl(fd, DRM_IOCTL_AIOT_BO_CREATE, &c)) < 0)
		return;
	b->fd = fd;
	b->handle = c.handle;
	b->size = (uint32_t)((c.size + 4095) & ~4095ull);
	b->map = NULL;
}

/* The BO's CPU mapping (made on first use), or NULL. */
static void *bo_map(struct worker *w, struct bo *b)
{
	struct drm_aiot_bo_mmap_offset mo = { .handle = b->handle };
	void *p;

	(void)w;
	if (b->map)
		return b->map;
	if (!b->size || b->size > (64u << 20))
		return NULL;
	if (CALL(H_BO_MMAP_OFFSET, xioctl(b->fd, DRM_IOCTL_AIOT_BO_MMAP_OFFSET, &mo)) < 0)
		return NULL;
	p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, mo.offset);
	if (CALL(H_BO_MMAP, p == MAP_FAILED ? -1 : 0) < 0)
		return NULL;
	b->map = p;
	return p;
}

static void op_bo_mmap(struct worker *w)
{
	struct bo *b = some_bo(w);
	struct drm_aiot_bo_mmap_offset mo = { 0 };
	int fd = any_accel(w);
	void *p;
	size_t len;

	if (!b || fd < 0)
		return;
	if (chance(&w->r, 60)) {
		p = bo_map(w, b);
		if (p)
			touch(p, b->size, chance(&w->r, 50), &w->r);
		return;
	}
	/* Odd requests: other handles, flags, lengths, offsets. */
	mo.handle = chance(&w->r, 70) ? b->handle : rval32(&w->r);
	if (chance(&w->r, 10))
		mo.flags = rval32(&w->r);
	if (CALL(H_BO_MMAP_OFFSET, xioctl(fd, DRM_IOCTL_AIOT_BO_MMAP_OFFSET, &mo)) < 0)
		mo.offset = rval64(&w->r) & ~4095ull;
	len = (1 + rn(&w->r, 8)) * 4096;
	p = mmap(NULL, len, chance(&w->r, 50) ? PROT_READ : PROT_READ | PROT_WRITE,
		 chance(&w->r, 90) ? MAP_SHARED : MAP_PRIVATE, fd,
		 mo.offset + (chance(&w->r, 10) ? 4096 * rn(&w->r, 4) : 0));
	if (CALL(H_BO_MMAP, p == MAP_FAILED ? -1 : 0) < 0)
		return;
	touch(p, len, chance(&w->r, 50), &w->r);
	munmap(p, len);
}

static void op_bo_wait(struct worker *w)
{
	struct bo *b = some_bo(w);
	struct drm_aiot_bo_wait bw = { 0 };

	if (!b)
		return;
	bw.handle = chance(&w->r, 90) ? b->handle : rval32(&w->r);
	bw.flags = chance(&w->r, 90) ? rn(&w->r, 2) * DRM_AIOT_BO_WAIT_WRITERS : rval32(&w->r);
	bw.timeout_ns = chance(&w->r, 90) ? rn(&w->r, 20) * 1000000ll : -(int64_t)rn(&w->r, 10);
	CALL(H_BO_WAIT, xioctl(b->fd, DRM_IOCTL_AIOT_BO_WAIT, &bw));
}

static void op_gem_close(struct worker *w)
{
	struct bo *b = some_bo(w);
	struct drm_gem_close gc = { 0 };
	int fd = any_accel(w);

	if (!b || fd < 0)
		return;
	gc.handle = chance(&w->r, 85) ? b->handle : rval32(&w->r);
	if (chance(&w->r, 5))
		gc.pad = rval32(&w->r);
	if (CALL(H_GEM_CLOSE, xioctl(b->fd, DRM_IOCTL_GEM_CLOSE, &gc)) == 0 &&
	    gc.handle == b->handle)
		drop_bo(b);
}

static void keep_dmabuf(struct worker *w, int fd, uint32_t size)
{
	int slot = rn(&w->r, N_DMABUF);

	if (w->dmabuf[slot].fd >= 0)
		CALL(H_DMABUF_CLOSE, close(w->dmabuf[slot].fd));
	w->dmabuf[slot].fd = fd;
	w->dmabuf[slot].size = size;
}

static void op_prime_export(struct worker *w)
{
	struct bo *b = some_bo(w);
	struct drm_prime_handle ph = { 0 };

	if (!b)
		return;
	ph.handle = chance(&w->r, 90) ? b->handle : rval32(&w->r);
	ph.flags = chance(&w->r, 90) ? DRM_CLOEXEC | (chance(&w->r, 50) ? DRM_RDWR : 0)
				     : rval32(&w->r);
	ph.fd = -1;
	if (CALL(H_PRIME_EXPORT, xioctl(b->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph)) < 0)
		return;
	keep_dmabuf(w, ph.fd, b->size);
}

static void op_prime_import(struct worker *w)
{
	int fd = any_accel(w);
	struct dmabuf *d = &w->dmabuf[rn(&w->r, N_DMABUF)];
	struct drm_prime_handle ph = { 0 };
	struct bo *b;
	int i;

	if (fd < 0)
		return;
	ph.fd = chance(&w->r, 85) ? d->fd : any_fd(w);
	if (chance(&w->r, 5))
		ph.flags = rval32(&w->r);
	if (CALL(H_PRIME_IMPORT, xioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph)) < 0)
		return;
	/* An import of a buffer already known on this fd gives its handle. */
	for (i = 0; i < N_BO; i++)
		if (w->bo[i].fd == fd && w->bo[i].handle == ph.handle)
			return;
	b = free_bo(w);
	if (!b)
		return;
	b->fd = fd;
	b->handle = ph.handle;
	b->size = ph.fd == d->fd ? d->size : 0;
	b->map = NULL;
}

/* ---- command streams ---- */

/* Place a tensor of dims in a random one of the bindings that can hold it. */
struct binding_space {
	uint32_t size[AIOT_ISA_MAX_BINDINGS];
	int n;
};

static bool place(struct worker *w, const struct binding_space *bs,
		  struct aiot_isa_tensor *t, uint32_t dtype,
		  uint32_t n, uint32_t h, uint32_t wd, uint32_t c)
{
	uint32_t esz = aiot_isa_dtype_bytes(dtype);
	uint64_t bytes = (uint64_t)n * h * wd * c * esz;
	int tries;

	memset(t, 0, sizeof(*t));
	t->dtype = (uint8_t)dtype;
	t->dims[0] = n;
	t->dims[1] = h;
	t->dims[2] = wd;
	t->dims[3] = c;
	for (tries = 0; tries < 4; tries++) {
		int b = rn(&w->r, bs->n);

		if (bs->size[b] < bytes)
			continue;
		t->binding = (uint8_t)b;
		t->offset = rn(&w->r, (uint32_t)(bs->size[b] - bytes) / esz + 1) * esz;
		return true;
	}
	return false;
}

static bool place_array(struct worker *w, const struct binding_space *bs,
			struct aiot_isa_array_ref *a, uint32_t bytes)
{
	int b = rn(&w->r, bs->n);

	memset(a, 0, sizeof(*a));
	if (bs->size[b] < bytes)
		return false;
	a->binding = (uint8_t)b;
	a->offset = rn(&w->r, (bs->size[b] - bytes) / 4 + 1) * 4;
	return true;
}

static uint32_t small(struct worker *w, uint32_t max)
{
	return 1 + rn(&w->r, max);
}

static void act_i8(struct worker *w, struct aiot_isa_activation *a)
{
	a->min = -128 + (int32_t)rn(&w->r, 64);
	a->max = 127 - (int32_t)rn(&w->r, 64);
}

static int32_t zp(struct worker *w)
{
	return (int32_t)rn(&w->r, 256) - 128;
}

/*
 * One shape-coherent operation at p (room bytes free): returns its size, or
 * 0 if it could not be placed in the bound buffers.
 */
static uint32_t gen_op(struct worker *w, const struct binding_space *bs, void *p,
		       uint32_t room)
{
	uint32_t kind = rn(&w->r, 10);
	const uint32_t I8 = AIOT_ISA_DTYPE_INT8;

	switch (kind) {
	case 0: {
		struct aiot_isa_op_nop *op = p;

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){ AIOT_ISA_OP_NOP, 0, sizeof(*op) };
		return sizeof(*op);
	}
	case 1: {
		struct aiot_isa_op_fully_connected *op = p;
		uint32_t b = small(w, 2), d = small(w, 32), o = small(w, 16);

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){ AIOT_ISA_OP_FULLY_CONNECTED, 0,
						       sizeof(*op) };
		if (!place(w, bs, &op->input, I8, b, 1, 1, d) ||
		    !place(w, bs, &op->filter, I8, o, 1, 1, d) ||
		    !place(w, bs, &op->output, I8, b, 1, 1, o) ||
		    !place_array(w, bs, &op->quant, o * 12))
			return 0;
		op->input_zero_point = zp(w);
		op->filter_zero_point = chance(&w->r, 80) ? 0 : zp(w);
		op->output_zero_point = zp(w);
		act_i8(w, &op->act);
		return sizeof(*op);
	}
	case 2:
	case 3: {
		struct aiot_isa_op_conv *op = p;
		bool dw = kind == 3;
		uint32_t h = small(w, 8), wd = small(w, 8), cin = small(w, 4);
		uint32_t kh = small(w, 3), kw = small(w, 3), sh = small(w, 2), sw = small(w, 2);
		uint32_t dm = dw ? small(w, 2) : 0, cout = dw ? cin * dm : small(w, 4);
		uint32_t oh, ow;

		if (room < sizeof(*op))
			return 0;
		if (kh > h)
			kh = h;
		if (kw > wd)
			kw = wd;
		oh = (h - kh) / sh + 1;
		ow = (wd - kw) / sw + 1;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){
			dw ? AIOT_ISA_OP_DEPTHWISE_CONV_2D : AIOT_ISA_OP_CONV_2D, 0,
			sizeof(*op) };
		if (!place(w, bs, &op->input, I8, 1, h, wd, cin) ||
		    !(dw ? place(w, bs, &op->filter, I8, 1, kh, kw, cout)
			 : place(w, bs, &op->filter, I8, cout, kh, kw, cin)) ||
		    !place(w, bs, &op->output, I8, 1, oh, ow, cout) ||
		    !place_array(w, bs, &op->quant, cout * 12))
			return 0;
		op->input_zero_point = zp(w);
		op->output_zero_point = zp(w);
		act_i8(w, &op->act);
		op->stride_h = (uint16_t)sh;
		op->stride_w = (uint16_t)sw;
		op->dilation_h = 1;
		op->dilation_w = 1;
		op->depth_multiplier = dm;
		return sizeof(*op);
	}
	case 4:
	case 5: {
		struct aiot_isa_op_pool *op = p;
		uint32_t h = small(w, 8), wd = small(w, 8), c = small(w, 4);
		uint32_t fh = small(w, 3), fw = small(w, 3), sh = small(w, 2), sw = small(w, 2);

		if (room < sizeof(*op))
			return 0;
		if (fh > h)
			fh = h;
		if (fw > wd)
			fw = wd;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){
			kind == 4 ? AIOT_ISA_OP_AVERAGE_POOL_2D : AIOT_ISA_OP_MAX_POOL_2D, 0,
			sizeof(*op) };
		if (!place(w, bs, &op->input, I8, 1, h, wd, c) ||
		    !place(w, bs, &op->output, I8, 1, (h - fh) / sh + 1, (wd - fw) / sw + 1, c))
			return 0;
		act_i8(w, &op->act);
		op->filter_h = (uint16_t)fh;
		op->filter_w = (uint16_t)fw;
		op->stride_h = (uint16_t)sh;
		op->stride_w = (uint16_t)sw;
		return sizeof(*op);
	}
	case 6: {
		struct aiot_isa_op_add *op = p;
		uint32_t h = small(w, 4), wd = small(w, 4), c = small(w, 8);

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){ AIOT_ISA_OP_ADD, 0, sizeof(*op) };
		if (!place(w, bs, &op->input1, I8, 1, h, wd, c) ||
		    !place(w, bs, &op->input2, I8, 1, chance(&w->r, 50) ? 1 : h, wd, c) ||
		    !place(w, bs, &op->output, I8, 1, h, wd, c))
			return 0;
		op->input1_zero_point = zp(w);
		op->input2_zero_point = zp(w);
		op->output_zero_point = zp(w);
		op->left_shift = 20;
		op->input1_multiplier = 1 << 30;
		op->input2_multiplier = 1 << 30;
		op->output_multiplier = (int32_t)(rnext(&w->r) & 0x7fffffff);
		op->output_shift = -(int32_t)rn(&w->r, 20);
		act_i8(w, &op->act);
		return sizeof(*op);
	}
	case 7: {
		struct aiot_isa_op_reshape *op = p;
		uint32_t a = small(w, 8), b = small(w, 8);

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){ AIOT_ISA_OP_RESHAPE, 0, sizeof(*op) };
		if (!place(w, bs, &op->input, I8, 1, a, b, 1) ||
		    !place(w, bs, &op->output, I8, 1, 1, 1, a * b))
			return 0;
		return sizeof(*op);
	}
	case 8: {
		struct aiot_isa_op_softmax *op = p;
		uint32_t rows = small(w, 4), c = small(w, 16);

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){ AIOT_ISA_OP_SOFTMAX, 0, sizeof(*op) };
		if (!place(w, bs, &op->input, I8, 1, 1, rows, c) ||
		    !place(w, bs, &op->output, I8, 1, 1, rows, c))
			return 0;
		op->input_multiplier = 1 << 30;
		op->input_left_shift = (int32_t)rn(&w->r, 32);
		op->diff_min = -(int32_t)rn(&w->r, 1000);
		return sizeof(*op);
	}
	default: {
		struct aiot_isa_op_requantize *op = p;
		bool s16 = chance(&w->r, 50);
		uint32_t n = small(w, 64);

		if (room < sizeof(*op))
			return 0;
		memset(op, 0, sizeof(*op));
		op->hdr = (struct aiot_isa_op_header){
			s16 ? AIOT_ISA_OP_SENSOR_TO_INT8 : AIOT_ISA_OP_REQUANTIZE, 0, sizeof(*op) };
		if (!place(w, bs, &op->input, s16 ? AIOT_ISA_DTYPE_INT16 : I8, 1, 1, n, 1) ||
		    !place(w, bs, &op->output, I8, 1, 1, n, 1))
			return 0;
		op->input_zero_point = s16 ? 0 : zp(w);
		op->output_zero_point = zp(w);
		op->multiplier = 1 << 30;
		op->shift = -(int32_t)rn(&w->r, 8);
		act_i8(w, &op->act);
		return sizeof(*op);
	}
	}
}

/* Flip, overwrite or splice some bytes and fields of a stream. */
static void mutate(struct worker *w, uint8_t *s, uint32_t len)
{
	int i, n = 1 + rn(&w->r, 4);

	for (i = 0; i < n && len >= 4; i++) {
		uint32_t at = rn(&w->r, len);

		switch (rn(&w->r, 4)) {
		case 0:
			s[at] ^= (uint8_t)(1u << rn(&w->r, 8));
			break;
		case 1:
			s[at] = (uint8_t)rnext(&w->r);
			break;
		default: {
			uint32_t v = rval32(&w->r);

			at &= ~3u;
			if (at + 4 <= len)
				memcpy(s + at, &v, 4);
			break;
		}
		}
	}
}

/*
 * A command stream into out (at most cap bytes) for buffers of the given
 * sizes: valid, mutated or random. Returns its length.
 */
static uint32_t gen_stream(struct worker *w, const struct binding_space *bs,
			   uint8_t *out, uint32_t cap, bool *valid)
{
	struct aiot_isa_header *hdr = (void *)out;
	uint32_t len = sizeof(*hdr), ops = 0, want = 1 + rn(&w->r, 4), mode = rn(&w->r, 10);

	*valid = false;
	if (mode == 0 || cap < sizeof(*hdr)) {
		len = rn(&w->r, cap < 512 ? cap : 512);
		for (uint32_t i = 0; i < len; i++)
			out[i] = (uint8_t)rnext(&w->r);
		return len;
	}
	memset(hdr, 0, sizeof(*hdr));
	while (ops < want) {
		uint32_t sz = gen_op(w, bs, out + len, cap - len);

		if (!sz)
			break;
		len += sz;
		ops++;
	}
	hdr->magic = AIOT_ISA_MAGIC;
	hdr->version = AIOT_ISA_VERSION_CURRENT;
	hdr->size = len;
	hdr->op_count = ops;
	*valid = ops > 0 && mode > 3;
	if (mode <= 3)
		mutate(w, out, len);
	return len;
}

/* ---- submit and jobs ---- */

static void fill_quant(struct worker *w, struct bo *b)
{
	uint8_t *p = bo_map(w, b);
	uint32_t i;

	if (!p || b->size > (1u << 20))
		return;
	/* Sensible requantisation records everywhere: bias, multiplier, shift. */
	for (i = 0; i + 12 <= b->size && i < 8192; i += 12) {
		int32_t q[3] = { (int32_t)rn(&w->r, 200) - 100, 1 << 30,
				 -(int32_t)rn(&w->r, 8) };

		memcpy(p + i, q, sizeof(q));
	}
}

static struct bo *bo_on(struct worker *w, int fd, bool need_size)
{
	int i, start = rn(&w->r, N_BO);

	for (i = 0; i < N_BO; i++) {
		struct bo *b = &w->bo[(start + i) % N_BO];

		if (b->fd == fd && (!need_size || (b->size && b->size <= (1u << 20))))
			return b;
	}
	return NULL;
}

static void keep_job(struct worker *w, int fd, uint64_t id)
{
	int slot = rn(&w->r, N_JOB);

	w->job[slot].fd = fd;
	w->job[slot].id = id;
}

static void keep_syncfile(struct worker *w, int fd)
{
	int slot = rn(&w->r, N_SYNCFILE);

	if (w->syncfile[slot] >= 0)
		CALL(H_SYNC_FILE_CLOSE, close(w->syncfile[slot]));
	w->syncfile[slot] = fd;
}

static void op_submit(struct worker *w)
{
	int fd = any_accel(w);
	struct drm_aiot_submit s = { 0 };
	struct binding_space bs = { 0 };
	struct bo *cmd;
	uint32_t handles[8];
	uint8_t *cp;
	uint32_t len, i;
	bool valid;
	long ret;

	if (fd < 0)
		return;
	cmd = bo_on(w, fd, true);
	if (!cmd || !(cp = bo_map(w, cmd)))
		return;
	/* Bindings: buffers of this file with known sizes (sensor slots too). */
	bs.n = 1 + rn(&w->r, 4);
	for (i = 0; i < (uint32_t)bs.n; i++) {
		struct bo *b = bo_on(w, fd, true);

		if (!b)
			return;
		s.bindings[i] = b->handle;
		bs.size[i] = b->size;
		if (i == 0 && chance(&w->r, 50))
			fill_quant(w, b);
	}
	s.cmd_offset = chance(&w->r, 80) ? 0 : rn(&w->r, cmd->size / 4) * 4;
	if (s.cmd_offset >= cmd->size)
		s.cmd_offset = 0;
	len = gen_stream(w, &bs, cp + s.cmd_offset, cmd->size - s.cmd_offset, &valid);
	s.cmd_handle = cmd->handle;
	s.cmd_size = len;
	if (chance(&w->r, 5)) {
		s.cmd_size = rval32(&w->r);
		valid = false;
	}
	if (chance(&w->r, 5)) {
		s.cmd_handle = rval32(&w->r);
		valid = false;
	}
	if (chance(&w->r, 5)) {
		s.bindings[rn(&w->r, DRM_AIOT_MAX_BINDINGS)] = rval32(&w->r);
		valid = false;
	}
	s.priority = chance(&w->r, 95) ? rn(&w->r, 3) : rval32(&w->r);
	s.flags = chance(&w->r, 40) ? DRM_AIOT_SUBMIT_OUT_SYNC_FILE : 0;
	if (chance(&w->r, 3))
		s.flags = rval32(&w->r);
	s.out_sync_file = -1;
	if (chance(&w->r, 30)) {
		uint32_t n = 0;

		for (i = 0; i < N_SYNCOBJ && n < 8; i++)
			if (w->syncobj[i].fd == fd && chance(&w->r, 50))
				handles[n++] = w->syncobj[i].h;
		s.in_syncobj_count = chance(&w->r, 95) ? n : rval32(&w->r);
		s.in_syncobjs = (uintptr_t)(chance(&w->r, 95) ? (void *)handles
							      : any_ptr(w, 64));
	}
	if (chance(&w->r, 30)) {
		uint32_t k = rn(&w->r, N_SYNCOBJ);

		s.out_syncobj = w->syncobj[k].fd == fd ? w->syncobj[k].h : rval32(&w->r);
	}
	if (chance(&w->r, 10))
		s.deadline_ns = now_ns() + (int64_t)rn(&w->r, 20) * 1000000 - 5000000;
	if (chance(&w->r, 3)) {
		s.pad = rval32(&w->r);
		s.pad2 = rval32(&w->r);
	}
	ret = CALL(H_SUBMIT, xioctl(fd, DRM_IOCTL_AIOT_SUBMIT, &s));
	if (valid)
		count(H_SUBMIT_VALID, ret, errno);
	if (ret < 0)
		return;
	keep_job(w, fd, s.job_id);
	if ((s.flags & DRM_AIOT_SUBMIT_OUT_SYNC_FILE) && s.out_sync_file >= 0)
		keep_syncfile(w, s.out_sync_file);
}

static void op_job_wait(struct worker *w)
{
	int k = rn(&w->r, N_JOB);
	struct drm_aiot_job_wait jw = { 0 };
	int fd = w->job[k].fd >= 0 ? w->job[k].fd : any_accel(w);

	if (fd < 0)
		return;
	jw.job_id = w->job[k].fd >= 0 && chance(&w->r, 90) ? w->job[k].id : rval64(&w->r);
	jw.timeout_ns = chance(&w->r, 90) ? rn(&w->r, 30) * 1000000ll : -(int64_t)rn(&w->r, 3);
	if (chance(&w->r, 5))
		jw.flags = rval32(&w->r);
	CALL(H_JOB_WAIT, xioctl(fd, DRM_IOCTL_AIOT_JOB_WAIT, &jw));
}

/* ---- syncobjs and sync_files ---- */

static void op_syncobj(struct worker *w)
{
	int fd = any_accel(w), k = rn(&w->r, N_SYNCOBJ);
	uint32_t handles[N_SYNCOBJ], n = 0, i;

	if (fd < 0)
		return;
	for (i = 0; i < N_SYNCOBJ; i++)
		if (w->syncobj[i].fd == fd)
			handles[n++] = w->syncobj[i].h;
	switch (rn(&w->r, 7)) {
	case 0: {
		struct drm_syncobj_create c = { 0 };

		c.flags = chance(&w->r, 90) ? rn(&w->r, 2) * DRM_SYNCOBJ_CREATE_SIGNALED
					    : rval32(&w->r);
		if (CALL(H_SYNCOBJ_CREATE, xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c)) == 0) {
			if (w->syncobj[k].fd >= 0) {
				struct drm_syncobj_destroy d = { .handle = w->syncobj[k].h };

				CALL(H_SYNCOBJ_DESTROY,
				     xioctl(w->syncobj[k].fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d));
			}
			w->syncobj[k].fd = fd;
			w->syncobj[k].h = c.handle;
		}
		break;
	}
	case 1: {
		struct drm_syncobj_destroy d = { 0 };

		d.handle = w->syncobj[k].fd == fd ? w->syncobj[k].h : rval32(&w->r);
		if (CALL(H_SYNCOBJ_DESTROY, xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d)) == 0 &&
		    w->syncobj[k].fd == fd)
			w->syncobj[k].fd = -1;
		break;
	}
	case 2: {
		struct drm_syncobj_wait sw = { 0 };

		sw.handles = (uintptr_t)(chance(&w->r, 95) ? (void *)handles : any_ptr(w, 32));
		/*
		 * Not beyond 64Ki: the DRM core kmallocs count * 4 bytes without
		 * __GFP_NOWARN (drm_syncobj_array_find(), 6.12), and a count past
		 * the largest kmalloc WARNs there, in the core, not in aiot.
		 */
		sw.count_handles = chance(&w->r, 95) ? (n ? 1 + rn(&w->r, n) : 0)
						     : rn(&w->r, 1u << 16);
		sw.timeout_nsec = now_ns() + rn(&w->r, 20) * 1000000ll;
		sw.flags = chance(&w->r, 90) ? rn(&w->r, 4) : rval32(&w->r);
		CALL(H_SYNCOBJ_WAIT, xioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &sw));
		break;
	}
	case 3:
	case 4: {
		struct drm_syncobj_array a = { 0 };
		bool reset = rn(&w->r, 2);

		a.handles = (uintptr_t)handles;
		a.count_handles = n ? 1 + rn(&w->r, n) : rn(&w->r, 2);
		if (chance(&w->r, 5))
			a.pad = rval32(&w->r);
		CALL(reset ? H_SYNCOBJ_RESET : H_SYNCOBJ_SIGNAL,
		     xioctl(fd, reset ? DRM_IOCTL_SYNCOBJ_RESET : DRM_IOCTL_SYNCOBJ_SIGNAL, &a));
		break;
	}
	case 5: {
		struct drm_syncobj_handle h = { 0 };

		h.handle = w->syncobj[k].fd == fd ? w->syncobj[k].h : rval32(&w->r);
		h.flags = chance(&w->r, 60) ? DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE
					    : chance(&w->r, 80) ? 0 : rval32(&w->r);
		h.fd = -1;
		if (CALL(H_SYNCOBJ_TO_FD, xioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h)) < 0)
			break;
		if (h.flags & DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE)
			keep_syncfile(w, h.fd);
		else
			close(h.fd);
		break;
	}
	default: {
		struct drm_syncobj_handle h = { 0 };

		h.fd = w->syncfile[rn(&w->r, N_SYNCFILE)];
		if (chance(&w->r, 20))
			h.fd = any_fd(w);
		h.handle = w->syncobj[k].fd == fd ? w->syncobj[k].h : 0;
		h.flags = h.handle ? DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE : 0;
		if (chance(&w->r, 5))
			h.flags = rval32(&w->r);
		if (CALL(H_SYNCOBJ_FROM_FD, xioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h)) == 0 &&
		    !h.flags && w->syncobj[k].fd < 0) {
			w->syncobj[k].fd = fd;
			w->syncobj[k].h = h.handle;
		}
		break;
	}
	}
}

static void op_sync_file(struct worker *w)
{
	int k = rn(&w->r, N_SYNCFILE), fd = w->syncfile[k];

	if (fd < 0)
		return;
	switch (rn(&w->r, 4)) {
	case 0: {
		struct sync_file_info info = { 0 };
		struct sync_fence_info fi[4];

		if (chance(&w->r, 50)) {
			info.num_fences = 1 + rn(&w->r, 4);
			info.sync_fence_info = (uintptr_t)(chance(&w->r, 90) ? (void *)fi
									     : any_ptr(w, 64));
		}
		CALL(H_SYNC_FILE_INFO, xioctl(fd, SYNC_IOC_FILE_INFO, &info));
		break;
	}
	case 1:
	case 2: {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		CALL(H_SYNC_FILE_POLL, poll(&p, 1, (int)rn(&w->r, 20)));
		break;
	}
	default:
		w->syncfile[k] = -1;
		CALL(H_SYNC_FILE_CLOSE, close(fd));
		break;
	}
}

/* An ioctl nobody defined, or a defined one with a wrong size, on any fd. */
static void op_bad_ioctl(struct worker *w)
{
	bool sensor = chance(&w->r, 40);
	int fd = sensor ? w->sensor[rn(&w->r, N_SENSOR)].fd : any_accel(w);
	unsigned int dir = rn(&w->r, 4), size = rn(&w->r, 256), nr;
	unsigned long cmd;

	if (fd < 0)
		return;
	if (sensor)
		nr = rn(&w->r, 16);
	else
		nr = chance(&w->r, 70) ? DRM_COMMAND_BASE + rn(&w->r, 16) : rn(&w->r, 0xd0);
	cmd = _IOC(dir, sensor ? AIOT_SENSOR_IOC_MAGIC : DRM_IOCTL_BASE, nr, size);
	if (chance(&w->r, 10))
		cmd = (unsigned long)rnext(&w->r);
	/* Never the destructive DRM master/auth ones: they do not reach us. */
	for (unsigned int i = 0; i < 256; i++)
		w->scratch[i] = chance(&w->r, 70) ? 0 : (uint8_t)rnext(&w->r);
	CALL(sensor ? H_S_BAD_IOCTL : H_ACCEL_BAD_IOCTL,
	     ioctl(fd, cmd, chance(&w->r, 90) ? w->scratch : any_ptr(w, size)));
}

/* ---- sensor streams ---- */

static void sensor_forget(struct sensor *s)
{
	if (s->ring)
		munmap(s->ring, s->ring_len);
	*s = (struct sensor){ .fd = -1 };
}

static void op_open_sensor(struct worker *w)
{
	struct sensor *s = &w->sensor[rn(&w->r, N_SENSOR)];
	char path[128];
	int fd;

	if (s->fd >= 0) {
		int old = s->fd;

		sensor_forget(s);
		CALL(H_CLOSE_SENSOR, close(old));
		return;
	}
	if (random_node(&w->r, "/dev/aiot", "sensor", path, sizeof(path)))
		return;
	fd = CALL(H_OPEN_SENSOR, open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC));
	if (fd < 0)
		return;
	s->fd = fd;
	s->configured = false;
	if (xioctl(fd, AIOT_SENSOR_IOC_INFO, &s->info))
		memset(&s->info, 0, sizeof(s->info));
}

static struct sensor *some_sensor(struct worker *w)
{
	int i, start = rn(&w->r, N_SENSOR);

	for (i = 0; i < N_SENSOR; i++)
		if (w->sensor[(start + i) % N_SENSOR].fd >= 0)
			return &w->sensor[(start + i) % N_SENSOR];
	return NULL;
}

static uint32_t between(struct worker *w, uint32_t lo, uint32_t hi)
{
	return hi > lo ? lo + rn(&w->r, hi - lo + 1) : lo;
}

static void op_sensor_configure(struct worker *w, struct sensor *s)
{
	struct aiot_sensor_config c = { 0 };
	const struct aiot_sensor_info *in = &s->info;
	uint32_t rate;

	if (s->ring) {
		munmap(s->ring, s->ring_len);
		s->ring = NULL;
	}
	c.format = in->formats ? (uint32_t)__builtin_ctz(in->formats) : 1;
	if (in->formats && chance(&w->r, 30)) {
		do
			c.format = rn(&w->r, 32);
		while (!(in->formats & (1u << c.format)) && chance(&w->r, 90));
	}
	c.channels = between(w, in->min_channels, in->max_channels);
	rate = between(w, in->min_rate_hz, in->max_rate_hz < 4000 ? in->max_rate_hz : 4000);
	c.rate_hz = rate ? rate : 1;
	/* Periods of 2..50 ms mostly: the stream moves during a short run. */
	c.samples_per_slot = (uint32_t)((uint64_t)c.rate_hz * between(w, 2, 50) / 1000);
	if (!c.samples_per_slot)
		c.samples_per_slot = 1;
	c.slot_count = between(w, 2, in->max_slots ? (in->max_slots < 8 ? in->max_slots : 8) : 4);
	c.overflow = rn(&w->r, 2);
	c.pattern = chance(&w->r, 50) ? 0 : rn(&w->r, 6);
	if (chance(&w->r, 25)) {
		/* Anything at all. */
		uint32_t *f = (uint32_t *)&c;

		f[rn(&w->r, sizeof(c) / 4)] = rval32(&w->r);
	}
	if (CALL(H_S_CONFIGURE, xioctl(s->fd, AIOT_SENSOR_IOC_CONFIGURE, &c)) == 0) {
		s->configured = true;
		s->cfg = c;
	}
}

static void op_sensor(struct worker *w)
{
	struct sensor *s = some_sensor(w);
	uint32_t slots;

	if (!s) {
		op_open_sensor(w);
		return;
	}
	slots = s->configured && s->cfg.slot_count ? s->cfg.slot_count : 4;
	switch (rn(&w->r, 16)) {
	case 0: {
		struct aiot_sensor_info info;
		/* Every size the kernel might see: older, current, newer. */
		unsigned int sz = chance(&w->r, 70) ? sizeof(info)
				  : chance(&w->r, 50) ? AIOT_SENSOR_INFO_SIZE_V1 : rn(&w->r, 256);
		unsigned long cmd = _IOC(_IOC_READ, AIOT_SENSOR_IOC_MAGIC, 0, sz);

		if (CALL(H_S_INFO, ioctl(s->fd, cmd, sz <= sizeof(info) ? (void *)&info
									 : (void *)w->scratch)) == 0 &&
		    sz == sizeof(info))
			s->info = info;
		break;
	}
	case 1:
	case 2:
		op_sensor_configure(w, s);
		break;
	case 3: {
		struct aiot_sensor_config c;

		CALL(H_S_G_CONFIG, xioctl(s->fd, AIOT_SENSOR_IOC_G_CONFIG,
					  chance(&w->r, 95) ? (void *)&c : any_ptr(w, sizeof(c))));
		break;
	}
	case 4:
	case 5:
		CALL(H_S_START, ioctl(s->fd, AIOT_SENSOR_IOC_START));
		break;
	case 6:
		CALL(H_S_STOP, ioctl(s->fd, AIOT_SENSOR_IOC_STOP));
		break;
	case 7:
	case 8: {
		struct aiot_sensor_buffer b = { 0 };

		if (CALL(H_S_DQBUF, xioctl(s->fd, AIOT_SENSOR_IOC_DQBUF, &b)) == 0 &&
		    chance(&w->r, 80)) {
			b.dma_done_ns = 0;
			b.flags = 0;
			CALL(H_S_QBUF, xioctl(s->fd, AIOT_SENSOR_IOC_QBUF, &b));
		}
		break;
	}
	case 9: {
		struct aiot_sensor_buffer b = { 0 };

		b.index = chance(&w->r, 90) ? rn(&w->r, slots) : rval32(&w->r);
		if (chance(&w->r, 5))
			b.flags = rval32(&w->r);
		if (chance(&w->r, 5))
			b.reserved = rval64(&w->r);
		CALL(H_S_QBUF, xioctl(s->fd, AIOT_SENSOR_IOC_QBUF, &b));
		break;
	}
	case 10:
	case 11: {
		struct aiot_sensor_expbuf e = { 0 };

		e.index = chance(&w->r, 90) ? rn(&w->r, slots) : rval32(&w->r);
		e.flags = O_CLOEXEC | (chance(&w->r, 50) ? O_RDWR : O_RDONLY);
		if (chance(&w->r, 5))
			e.flags = rval32(&w->r);
		if (chance(&w->r, 5))
			e.reserved = rval32(&w->r);
		if (CALL(H_S_EXPBUF, xioctl(s->fd, AIOT_SENSOR_IOC_EXPBUF, &e)) == 0)
			keep_dmabuf(w, e.fd, s->configured ? s->cfg.slot_bytes : 0);
		break;
	}
	case 12: {
		size_t n = s->configured ? s->cfg.slot_bytes : 4096;
		void *buf = w->scratch;

		if (n > SCRATCH || chance(&w->r, 10))
			n = rn(&w->r, SCRATCH);
		if (chance(&w->r, 10))
			buf = any_ptr(w, n);
		CALL(H_S_READ, read(s->fd, buf, n));
		break;
	}
	case 13: {
		struct pollfd p = { .fd = s->fd, .events = POLLIN | POLLOUT | POLLPRI };

		CALL(H_S_POLL, poll(&p, 1, (int)rn(&w->r, 20)));
		break;
	}
	case 14: {
		size_t len = s->configured && s->cfg.ring_bytes && s->cfg.ring_bytes < (64u << 20)
			     ? s->cfg.ring_bytes : 4096;
		void *p;

		if (chance(&w->r, 20))
			len = (1 + rn(&w->r, 64)) * 4096;
		if (s->ring) {
			munmap(s->ring, s->ring_len);
			s->ring = NULL;
		}
		p = mmap(NULL, len, chance(&w->r, 50) ? PROT_READ : PROT_READ | PROT_WRITE,
			 MAP_SHARED, s->fd, chance(&w->r, 90) ? 0 : 4096 * rn(&w->r, 8));
		if (CALL(H_S_MMAP, p == MAP_FAILED ? -1 : 0) < 0)
			break;
		touch(p, len, false, &w->r);
		s->ring = p;
		s->ring_len = len;
		break;
	}
	default:
		op_open_sensor(w);
		break;
	}
}

/* ---- dma-bufs (of BOs and of sensor slots) ---- */

static void op_dmabuf(struct worker *w)
{
	int k = rn(&w->r, N_DMABUF), fd = w->dmabuf[k].fd;

	if (fd < 0)
		return;
	switch (rn(&w->r, 6)) {
	case 0: {
		struct dma_buf_sync s = { 0 };

		s.flags = chance(&w->r, 90) ? (rn(&w->r, 3) + 1) | (rn(&w->r, 2) ? DMA_BUF_SYNC_END : 0)
					    : rval64(&w->r);
		CALL(H_DMABUF_SYNC, xioctl(fd, DMA_BUF_IOCTL_SYNC, &s));
		break;
	}
	case 1: {
		struct dma_buf_export_sync_file e = { 0 };

		e.flags = chance(&w->r, 90) ? 1 + rn(&w->r, 3) : rval32(&w->r);
		e.fd = -1;
		if (CALL(H_DMABUF_EXPORT_SYNC_FILE,
			 xioctl(fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e)) == 0)
			keep_syncfile(w, e.fd);
		break;
	}
	case 2: {
		struct pollfd p = { .fd = fd, .events = rn(&w->r, 2) ? POLLIN : POLLOUT };

		CALL(H_DMABUF_POLL, poll(&p, 1, (int)rn(&w->r, 20)));
		break;
	}
	case 3:
	case 4: {
		size_t len = w->dmabuf[k].size ? w->dmabuf[k].size : 4096;
		void *p;

		if (chance(&w->r, 10))
			len += 4096 * rn(&w->r, 4);
		len = (len + 4095) & ~(size_t)4095;
		p = mmap(NULL, len, PROT_READ | (chance(&w->r, 50) ? PROT_WRITE : 0),
			 MAP_SHARED, fd, 0);
		if (CALL(H_DMABUF_MMAP, p == MAP_FAILED ? -1 : 0) < 0)
			break;
		touch(p, len, chance(&w->r, 30), &w->r);
		munmap(p, len);
		break;
	}
	default:
		w->dmabuf[k].fd = -1;
		CALL(H_DMABUF_CLOSE, close(fd));
		break;
	}
}

/* ---- one worker thread ---- */

static void worker_init(struct worker *w, uint64_t seed, const char *tag)
{
	uint8_t *scratch = w->scratch;
	int i;

	memset(w, 0, sizeof(*w));
	w->scratch = scratch;
	w->r.s = seed;
	snprintf(w->tag, sizeof(w->tag), "%s", tag);
	for (i = 0; i < N_ACCEL; i++)
		w->accel[i] = -1;
	for (i = 0; i < N_BO; i++)
		w->bo[i].fd = -1;
	for (i = 0; i < N_SYNCOBJ; i++)
		w->syncobj[i].fd = -1;
	for (i = 0; i < N_SYNCFILE; i++)
		w->syncfile[i] = -1;
	for (i = 0; i < N_JOB; i++)
		w->job[i].fd = -1;
	for (i = 0; i < N_SENSOR; i++)
		w->sensor[i].fd = -1;
	for (i = 0; i < N_DMABUF; i++)
		w->dmabuf[i].fd = -1;
}

static void worker_cleanup(struct worker *w)
{
	int i;

	for (i = 0; i < N_SENSOR; i++)
		if (w->sensor[i].fd >= 0) {
			int fd = w->sensor[i].fd;

			sensor_forget(&w->sensor[i]);
			close(fd);
		}
	for (i = 0; i < N_DMABUF; i++)
		if (w->dmabuf[i].fd >= 0)
			close(w->dmabuf[i].fd);
	for (i = 0; i < N_SYNCFILE; i++)
		if (w->syncfile[i] >= 0)
			close(w->syncfile[i]);
	for (i = 0; i < N_BO; i++)
		if (w->bo[i].map)
			munmap(w->bo[i].map, w->bo[i].size);
	for (i = 0; i < N_ACCEL; i++)
		if (w->accel[i] >= 0)
			close(w->accel[i]);
}

static void set_make_it_fail(int on)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/make-it-fail", (long)syscall(SYS_gettid));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, on ? "1" : "0", 1) < 0) {
		/* Without fault injection in the kernel: nothing to do. */
	}
	close(fd);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t n = 0;

	trace_tag = w->tag;
	if (opt.fault_percent)
		set_make_it_fail(1);
	while (!stopping()) {
		uint32_t pick = rn(&w->r, 100);

		if (pick < 4)
			op_open_accel(w);
		else if (pick < 5)
			op_close_accel(w);
		else if (pick < 7)
			op_version_cap(w);
		else if (pick < 10)
			op_query(w);
		else if (pick < 20)
			op_bo_create(w);
		else if (pick < 25)
			op_bo_mmap(w);
		else if (pick < 28)
			op_bo_wait(w);
		else if (pick < 30)
			op_gem_close(w);
		else if (pick < 33)
			op_prime_export(w);
		else if (pick < 37)
			op_prime_import(w);
		else if (pick < 52)
			op_submit(w);
		else if (pick < 57)
			op_job_wait(w);
		else if (pick < 63)
			op_syncobj(w);
		else if (pick < 67)
			op_sync_file(w);
		else if (pick < 70)
			op_bad_ioctl(w);
		else if (pick < 92)
			op_sensor(w);
		else
			op_dmabuf(w);
		/* Now and then, start over with fresh files. */
		if (++n % 4096 == 0 && chance(&w->r, 30)) {
			if (opt.fault_percent)
				set_make_it_fail(0);
			worker_cleanup(w);
			worker_init(w, rnext(&w->r), w->tag);
			if (opt.fault_percent)
				set_make_it_fail(1);
		}
	}
	if (opt.fault_percent)
		set_make_it_fail(0);
	worker_cleanup(w);
	return NULL;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	struct rng r = { a * 0x100000001b3ull ^ b };

	return rnext(&r);
}

/* One fuzzing process: opt.threads workers, seeded from (seed, proc, gen). */
static void child_main(int proc, int gen)
{
	pthread_t th[MAX_THREADS];
	struct worker *w[MAX_THREADS];
	int i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < opt.threads; i++) {
		char tag[32];

		w[i] = calloc(1, sizeof(*w[i]));
		if (!w[i])
			_exit(3);
		w[i]->scratch = mmap(NULL, SCRATCH + 4096, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w[i]->scratch == MAP_FAILED ||
		    mprotect(w[i]->scratch + SCRATCH, 4096, PROT_NONE))
			_exit(3);
		snprintf(tag, sizeof(tag), "p%dg%dt%d", proc, gen, i);
		worker_init(w[i], mix(mix(opt.seed, proc * 1000 + gen), i), tag);
		if (pthread_create(&th[i], NULL, worker_main, w[i])) {
			/* Fault injection may refuse a thread: run with fewer. */
			free(w[i]);
			w[i] = NULL;
		}
	}
	for (i = 0; i < opt.threads; i++)
		if (w[i]) {
			pthread_join(th[i], NULL);
			free(w[i]);
		}
	_exit(0);
}

/* ---- unbinding and rebinding the backends' devices ---- */

struct bound {
	char drv[320];	/* /sys/bus/<bus>/drivers/<driver> */
	char dev[256];
};

static struct bound devs[32];
static int ndevs;

static void find_devices(void)
{
	static const char *const buses[] = { "/sys/bus/platform/drivers",
					     "/sys/bus/pci/drivers" };
	unsigned int b;

	for (b = 0; b < 2; b++) {
		DIR *d = opendir(buses[b]);
		struct dirent *e;

		if (!d)
			continue;
		while ((e = readdir(d))) {
			char drv[320];
			DIR *dd;
			struct dirent *de;

			if (strncmp(e->d_name, "aiot", 4))
				continue;
			if (snprintf(drv, sizeof(drv), "%s/%s", buses[b], e->d_name) >=
			    (int)sizeof(drv))
				continue;
			dd = opendir(drv);
			if (!dd)
				continue;
			while ((de = readdir(dd)) && ndevs < 32) {
				/* Devices are the links that are not "module". */
				if (de->d_type != DT_LNK || !strcmp(de->d_name, "module"))
					continue;
				if (snprintf(devs[ndevs].drv, sizeof(devs[0].drv), "%s", drv) <
				    (int)sizeof(devs[0].drv) &&
				    snprintf(devs[ndevs].dev, sizeof(devs[0].dev), "%s", de->d_name) <
				    (int)sizeof(devs[0].dev))
					ndevs++;
			}
			closedir(dd);
		}
		closedir(d);
	}
}

static int sysfs_write(const char *dir, const char *file, const char *val)
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

static bool is_bound(const struct bound *b)
{
	char path[640];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", b->drv, b->dev) >= (int)sizeof(path))
		return false;
	return lstat(path, &st) == 0;
}

static void *unbinder_main(void *arg)
{
	struct rng *r = arg;

	if (opt.fault_percent)
		set_make_it_fail(1);
	while (!stopping()) {
		struct bound *b;

		usleep(200000 + rn(r, 2000) * 1000);
		if (stopping() || !ndevs)
			break;
		b = &devs[rn(r, ndevs)];
		if (is_bound(b))
			CALL(H_UNBIND, sysfs_write(b->drv, "unbind", b->dev));
		usleep(rn(r, 500) * 1000);
		CALL(H_BIND, sysfs_write(b->drv, "bind", b->dev));
	}
	if (opt.fault_percent)
		set_make_it_fail(0);
	return NULL;
}

/* Bind back whatever is still unbound (a probe may have failed by design). */
static int rebind_all(void)
{
	int i, tries, missing = 0;

	for (i = 0; i < ndevs; i++) {
		for (tries = 0; tries < 50 && !is_bound(&devs[i]); tries++) {
			sysfs_write(devs[i].drv, "bind", devs[i].dev);
			if (!is_bound(&devs[i]))
				usleep(100000);
		}
		if (!is_bound(&devs[i])) {
			fprintf(stderr, "aiot-fuzz: %s stays unbound from %s\n", devs[i].dev,
				devs[i].drv);
			missing++;
		}
	}
	return missing;
}

/* ---- fault injection (debugfs) ---- */

static bool fault_setup(int percent)
{
	static const char *const dirs[] = { "/sys/kernel/debug/failslab",
					    "/sys/kernel/debug/fail_page_alloc" };
	char val[16];
	unsigned int i;
	bool any = false;

	snprintf(val, sizeof(val), "%d", percent);
	for (i = 0; i < 2; i++) {
		if (access(dirs[i], F_OK))
			continue;
		/* Quiet (a report would fail the run), only our tasks, GFP_KERNEL too. */
		sysfs_write(dirs[i], "verbose", "0");
		sysfs_write(dirs[i], "task-filter", "Y");
		sysfs_write(dirs[i], "ignore-gfp-wait", "N");
		sysfs_write(dirs[i], "interval", "1");
		sysfs_write(dirs[i], "times", "-1");
		sysfs_write(dirs[i], "space", "0");
		if (i == 1)
			sysfs_write(dirs[i], "min-order", "0");
		sysfs_write(dirs[i], "probability", percent ? val : "0");
		any = true;
	}
	return any;
}

/* Functions of the driver marked ALLOW_ERROR_INJECTION, failed at random. */
static int fail_function_setup(int percent)
{
	const char *dir = "/sys/kernel/debug/fail_function";
	char line[256], val[16];
	FILE *f;
	int n = 0;

	if (access(dir, F_OK))
		return 0;
	sysfs_write(dir, "inject", "");	/* clear */
	if (!percent)
		return 0;
	f = fopen("/sys/kernel/debug/error_injection/list", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char fn[128], type[32], mod[64] = "";

		/* "func [module]\tTYPE": ERRNO, NULL or ERRNO_NULL are ours. */
		if (sscanf(line, "%127s [%63[^]]] %31s", fn, mod, type) != 3 ||
		    strncmp(mod, "aiot", 4) || !strcmp(type, "TRUE"))
			continue;
		if (sysfs_write(dir, "inject", fn) == 0) {
			char sub[256];

			/* NULL functions fail with NULL (the default retval). */
			if (strncmp(type, "ERRNO", 5) == 0 &&
			    snprintf(sub, sizeof(sub), "%s/%s", dir, fn) < (int)sizeof(sub))
				sysfs_write(sub, "retval", "-12");
			n++;
		}
	}
	fclose(f);
	snprintf(val, sizeof(val), "%d", percent);
	sysfs_write(dir, "verbose", "0");
	sysfs_write(dir, "task-filter", "Y");
	sysfs_write(dir, "interval", "1");
	sysfs_write(dir, "times", "-1");
	sysfs_write(dir, "probability", val);
	return n;
}

/* ---- the parent ---- */

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

static int report(double wall, int ff)
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

static void usage(void)
{
	fprintf(stderr,
		"usage: aiot-fuzz [--seed N] [--seconds S] [--calls N] [--procs P] [--threads T]\n"
		"                 [--fault PERCENT] [--no-unbind] [--no-kill] [--trace]\n"
		"  --seed N         everything random derives from N (default 1)\n"
		"  --seconds S      run for S seconds (default 30)\n"
		"  --calls N        stop after about N calls in all\n"
		"  --procs P        fuzzing processes (1..%d, default 2)\n"
		"  --threads T      threads per process (1..%d, default 3)\n"
		"  --fault PERCENT  fail kmalloc/alloc_pages and the driver's injectable\n"
		"                   functions in the fuzzing tasks with this probability\n"
		"  --no-unbind      do not unbind/rebind the backends' devices\n"
		"  --no-kill        do not kill and restart fuzzing processes\n"
		"  --trace          print every call to stderr (slow; for reproducing)\n",
		MAX_PROCS, MAX_THREADS);
	exit(2);
}

int main(int argc, char **argv)
{
	pid_t pids[MAX_PROCS];
	int gens[MAX_PROCS] = { 0 };
	pthread_t unbinder;
	struct rng prng, urng;
	bool have_unbinder = false;
	double t0;
	int i, ff = 0, missing, reached;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--seed") && v)
			opt.seed = strtoull(v, NULL, 0), i++;
		else if (!strcmp(a, "--seconds") && v)
			opt.seconds = strtod(v, NULL), i++;
		else if (!strcmp(a, "--calls") && v)
			opt.max_calls = strtoull(v, NULL, 0), i++;
		else if (!strcmp(a, "--procs") && v)
			opt.procs = atoi(v), i++;
		else if (!strcmp(a, "--threads") && v)
			opt.threads = atoi(v), i++;
		else if (!strcmp(a, "--fault") && v)
			opt.fault_percent = atoi(v), i++;
		else if (!strcmp(a, "--no-unbind"))
			opt.unbind = false;
		else if (!strcmp(a, "--no-kill"))
			opt.kill_children = false;
		else if (!strcmp(a, "--trace"))
			opt.trace = true;
		else
			usage();
	}
	if (opt.procs < 1 || opt.procs > MAX_PROCS || opt.threads < 1 ||
	    opt.threads > MAX_THREADS || opt.seconds <= 0 || opt.fault_percent < 0 ||
	    opt.fault_percent > 100)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	cnt = mmap(NULL, sizeof(*cnt), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cnt == MAP_FAILED) {
		perror("aiot-fuzz: mmap");
		return 2;
	}
	{
		struct sigaction sa = { 0 };

		sa.sa_handler = on_fault;
		sa.sa_flags = SA_NODEFER;
		sigaction(SIGBUS, &sa, NULL);
		sigaction(SIGSEGV, &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
	if (access("/dev/accel", F_OK) && access("/dev/dri", F_OK) && access("/dev/aiot", F_OK)) {
		fprintf(stderr, "aiot-fuzz: no aiot device (/dev/accel, /dev/dri, /dev/aiot)\n");
		return 2;
	}
	if (opt.unbind)
		find_devices();
	if (opt.fault_percent) {
		if (!fault_setup(opt.fault_percent))
			fprintf(stderr, "aiot-fuzz: no failslab/fail_page_alloc in this kernel\n");
		ff = fail_function_setup(opt.fault_percent);
	}
	printf("aiot-fuzz: seed %" PRIu64 ", %.0f s, %d procs x %d threads, fault %d%%, "
	       "%d injectable functions, %d devices to unbind\n", opt.seed, opt.seconds,
	       opt.procs, opt.threads, opt.fault_percent, ff, opt.unbind ? ndevs : 0);
	t0 = now_s();
	t_end = t0 + opt.seconds;
	prng.s = mix(opt.seed, 0xbeef);
	urng.s = mix(opt.seed, 0xfeed);
	for (i = 0; i < opt.procs; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			child_main(i, 0);
	}
	if (opt.unbind && ndevs)
		have_unbinder = !pthread_create(&unbinder, NULL, unbinder_main, &urng);
	while (!stopping()) {
		int status;
		pid_t p;

		usleep(100000);
		/* A child that exited early (a fault it did not survive) is replaced. */
		while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
			for (i = 0; i < opt.procs; i++)
				if (pids[i] == p)
					break;
			if (i == opt.procs)
				continue;
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				fprintf(stderr, "aiot-fuzz: process %d (gen %d) ended with status 0x%x\n",
					i, gens[i], status);
			pids[i] = stopping() ? -1 : fork();
			gens[i]++;
			if (pids[i] == 0)
				child_main(i, gens[i]);
		}
		/* Kill one now and then: the kernel cleans up after a dead process. */
		if (opt.kill_children && rn(&prng, 30) == 0) {
			i = rn(&prng, opt.procs);
			if (pids[i] > 0)
				CALL(H_KILL_CHILD, kill(pids[i], SIGKILL));
		}
	}
	if (have_unbinder)
		pthread_join(unbinder, NULL);
	for (i = 0; i < opt.procs; i++) {
		int status;

		if (pids[i] <= 0)
			continue;
		if (waitpid(pids[i], &status, 0) > 0 && !WIFEXITED(status) &&
		    !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
			fprintf(stderr, "aiot-fuzz: process %d ended with status 0x%x\n", i, status);
	}
	if (opt.fault_percent) {
		fault_setup(0);
		fail_function_setup(0);
	}
	missing = rebind_all();
	reached = report(now_s() - t0, ff);
	(void)reached;
	return missing ? 1 : 0;
}
