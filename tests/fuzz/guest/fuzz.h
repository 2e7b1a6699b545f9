/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiot-fuzz: what its files share (see main.c for what the fuzzer does).
 *
 * main.c     options, the parent's loop, the processes and worker threads
 * util.c     clock, randomness, counting, fault-surviving touch, fds, sysfs
 * accel.c    the accelerator's ioctls: files, BOs, mmap, SUBMIT, JOB_WAIT
 * stream.c   shape-coherent command streams, mutated or random
 * sync.c     PRIME, syncobjs, sync_files, dma-bufs
 * sensor.c   the sensor streams' ioctls, read, poll and mmap
 * unbind.c   the thread that unbinds and rebinds the backends' devices
 * fault.c    fault injection (failslab, fail_page_alloc, fail_function)
 * report.c   the per-handler table at the end
 */
#ifndef AIOT_FUZZ_H
#define AIOT_FUZZ_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

extern const char *const handler_names[];

/* Shared by every process (MAP_SHARED): the counters and the stop flag. */
struct shared {
	uint64_t calls[H_COUNT];
	uint64_t ok[H_COUNT];
	uint64_t err[H_COUNT][NERRNO];
	uint64_t total;
	int stop;
};

extern struct shared *cnt;

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

extern struct options opt;
extern double t_end;
extern __thread const char *trace_tag;

struct rng {
	uint64_t s;
};

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

/* The sizes of the buffers bound to a stream being generated. */
struct binding_space {
	uint32_t size[AIOT_ISA_MAX_BINDINGS];
	int n;
};

/* util.c: clock, randomness (splitmix64), counting */
double now_s(void);
int64_t now_ns(void);
bool stopping(void);
uint64_t rnext(struct rng *r);
uint32_t rn(struct rng *r, uint32_t n);
bool chance(struct rng *r, unsigned int percent);
uint32_t rval32(struct rng *r);
uint64_t rval64(struct rng *r);
long count(enum handler h, long ret, int err);

/* Call and count: ret < 0 means failure with errno. */
#define CALL(h, expr) ({ long _r = (long)(expr); count((h), _r, errno); _r; })

int xioctl(int fd, unsigned long cmd, void *arg);
void on_fault(int sig);
void touch(void *p, size_t len, bool write, struct rng *r);
int any_accel(struct worker *w);
int any_fd(struct worker *w);
void *any_ptr(struct worker *w, size_t need);
bool is_aiot_accel(int fd);
int random_node(struct rng *r, const char *dir, const char *prefix,
		char *out, size_t outlen);
int sysfs_write(const char *dir, const char *file, const char *val);

/* accel.c */
void op_open_accel(struct worker *w);
void op_close_accel(struct worker *w);
void op_version_cap(struct worker *w);
void op_query(struct worker *w);
void op_bo_create(struct worker *w);
void op_bo_mmap(struct worker *w);
void op_bo_wait(struct worker *w);
void op_gem_close(struct worker *w);
struct bo *free_bo(struct worker *w);
struct bo *some_bo(struct worker *w);
void op_submit(struct worker *w);
void op_job_wait(struct worker *w);
void op_bad_ioctl(struct worker *w);

/* stream.c */
uint32_t gen_stream(struct worker *w, const struct binding_space *bs,
		    uint8_t *out, uint32_t cap, bool *valid);

/* sync.c */
void keep_dmabuf(struct worker *w, int fd, uint32_t size);
void keep_syncfile(struct worker *w, int fd);
void op_prime_export(struct worker *w);
void op_prime_import(struct worker *w);
void op_syncobj(struct worker *w);
void op_sync_file(struct worker *w);
void op_dmabuf(struct worker *w);

/* sensor.c */
void sensor_forget(struct sensor *s);
void op_sensor(struct worker *w);

/* unbind.c */
extern int ndevs;
void find_devices(void);
void *unbinder_main(void *arg);
int rebind_all(void);

/* fault.c */
extern bool fault_filtered;
void set_make_it_fail(int on);
bool fault_setup(int percent);
int fail_function_setup(int percent);

/* report.c */
int report(double wall, int ff);

#endif /* AIOT_FUZZ_H */
