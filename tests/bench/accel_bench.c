// SPDX-License-Identifier: GPL-2.0-only
/*
 * accel_bench: what a job costs on the reference NPU, next to what the
 * kernel boundary alone costs.
 *   - a bare ioctl round trip (QUERY): the floor of any submission;
 *   - an eventfd round trip between two threads and between two processes:
 *     the floor of any wakeup of another task, what a job's completion
 *     must at least cost;
 *   - a null job (one NOP) submitted and waited for: p50/p99 latency;
 *   - null jobs per second with 1 and with 4 submitting processes, and
 *     each process's share of the 4.
 * The floors and the null job are measured twice: as they come, and with
 * the vCPUs kept awake by a SCHED_IDLE spinner on each CPU (an idle vCPU
 * halts, and waking it is a host round trip that dwarfs the kernel's own
 * work under QEMU). Prints figures and ratios; asserts nothing about speed.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>

#include "aiot_testlib.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(uint64_t *v, size_t n, double p)
{
	return v[(size_t)(p * (n - 1))];
}

struct nop_job {
	int fd;
	uint32_t cmd;
	uint32_t size;
};

static int nop_job_open(struct nop_job *j)
{
	struct drm_aiot_bo_create c = { .size = 4096 };
	struct drm_aiot_bo_mmap_offset m = { 0 };
	struct aiot_isa_header *h;
	struct aiot_isa_op_nop *op;
	char node[64];
	void *p;

	j->fd = aiot_test_open_accel(node, sizeof(node));
	if (j->fd < 0 || ioctl(j->fd, DRM_IOCTL_AIOT_BO_CREATE, &c))
		return -1;
	m.handle = c.handle;
	if (ioctl(j->fd, DRM_IOCTL_AIOT_BO_MMAP_OFFSET, &m))
		return -1;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, j->fd, m.offset);
	if (p == MAP_FAILED)
		return -1;
	h = p;
	op = (void *)(h + 1);
	memset(p, 0, 4096);
	h->magic = AIOT_ISA_MAGIC;
	h->version = AIOT_ISA_VERSION_CURRENT;
	h->size = sizeof(*h) + sizeof(*op);
	h->op_count = 1;
	op->hdr.opcode = AIOT_ISA_OP_NOP;
	op->hdr.size = sizeof(*op);
	munmap(p, 4096);
	j->cmd = c.handle;
	j->size = sizeof(*h) + sizeof(*op);
	return 0;
}

static int nop_submit(struct nop_job *j, uint64_t *id)
{
	struct drm_aiot_submit s = {
		.cmd_handle = j->cmd,
		.cmd_size = j->size,
		.priority = DRM_AIOT_PRIORITY_NORMAL,
	};

	if (ioctl(j->fd, DRM_IOCTL_AIOT_SUBMIT, &s))
		return -errno;
	*id = s.job_id;
	return 0;
}

static int nop_wait(struct nop_job *j, uint64_t id)
{
	struct drm_aiot_job_wait w = { .job_id = id, .timeout_ns = 10000000000ll };

	if (ioctl(j->fd, DRM_IOCTL_AIOT_JOB_WAIT, &w))
		return -errno;
	return w.status;
}

/* Jobs per second of one process: keep 8 in flight. */
static double throughput(int seconds_x10)
{
	struct nop_job j;
	uint64_t ids[8], end, n = 0, t0;
	int i;

	if (nop_job_open(&j))
		return -1;
	for (i = 0; i < 8; i++)
		if (nop_submit(&j, &ids[i]))
			return -1;
	t0 = now_ns();
	end = t0 + (uint64_t)seconds_x10 * 100000000ull;
	for (i = 0; now_ns() < end; i = (i + 1) % 8, n++) {
		if (nop_wait(&j, ids[i]) || nop_submit(&j, &ids[i]))
			return -1;
	}
	for (i = 0; i < 8; i++)
		nop_wait(&j, ids[i]);
	close(j.fd);
	return n / ((now_ns() - t0) / 1e9);
}

/* Total jobs/s of @procs processes at once; each one's in @each. */
static double multi_process(int procs, int seconds_x10, double *each)
{
	int pipes[8][2], i, status;
	double total = 0, r;
	pid_t pid[8];

	for (i = 0; i < procs; i++) {
		if (pipe(pipes[i]))
			return -1;
		pid[i] = fork();
		if (pid[i] == 0) {
			r = throughput(seconds_x10);
			if (write(pipes[i][1], &r, sizeof(r)) != sizeof(r))
				_exit(1);
			_exit(r < 0);
		}
	}
	for (i = 0; i < procs; i++) {
		if (read(pipes[i][0], &r, sizeof(r)) != sizeof(r) || r < 0)
			total = -1;
		else if (total >= 0)
			total += r;
		each[i] = r;
		waitpid(pid[i], &status, 0);
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	return total;
}

/* ------------------------------------------------------------ floors */

/* A SCHED_IDLE spinner per CPU: the vCPUs never halt while it runs. */
struct awake {
	atomic_bool stop;
	pthread_t t[64];
	int n;
};

static void *spin(void *arg)
{
	struct awake *a = arg;

	while (!atomic_load_explicit(&a->stop, memory_order_relaxed))
		;
	return NULL;
}

static void awake_start(struct awake *a)
{
	struct sched_param sp = { 0 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_attr_t at;

	atomic_store(&a->stop, false);
	a->n = 0;
	pthread_attr_init(&at);
	pthread_attr_setinheritsched(&at, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&at, SCHED_IDLE);
	pthread_attr_setschedparam(&at, &sp);
	for (long c = 0; c < cpus && a->n < 64; c++) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(c, &set);
		pthread_attr_setaffinity_np(&at, sizeof(set), &set);
		if (pthread_create(&a->t[a->n], &at, spin, a) == 0)
			a->n++;
	}
	pthread_attr_destroy(&at);
}

static void awake_stop(struct awake *a)
{
	atomic_store(&a->stop, true);
	for (int i = 0; i < a->n; i++)
		pthread_join(a->t[i], NULL);
}

/* The other side of an eventfd ping-pong: read ping, write pong, n times. */
static void pong(int ping, int pong_fd, int n)
{
	uint64_t v;

	for (int i = 0; i < n; i++) {
		if (read(ping, &v, sizeof(v)) != sizeof(v) ||
		    write(pong_fd, &v, sizeof(v)) != sizeof(v))
			return;
	}
}

struct pong_arg {
	int ping, pong, n;
};

static void *pong_thread(void *arg)
{
	struct pong_arg *p = arg;

	pong(p->ping, p->pong, p->n);
	return NULL;
}

/* n eventfd round trips to another thread (or process): each in v[]. */
static int eventfd_rtt(bool process, int n, uint64_t *v)
{
	struct pong_arg p = { eventfd(0, 0), eventfd(0, 0), n };
	pthread_t t;
	pid_t pid = -1;
	uint64_t one = 1, x;
	int ret = 0;

	if (p.ping < 0 || p.pong < 0)
		return -1;
	if (process) {
		pid = fork();
		if (pid == 0) {
			pong(p.ping, p.pong, n);
			_exit(0);
		}
		if (pid < 0)
			return -1;
	} else if (pthread_create(&t, NULL, pong_thread, &p)) {
		return -1;
	}
	for (int i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		if (write(p.ping, &one, sizeof(one)) != sizeof(one) ||
		    read(p.pong, &x, sizeof(x)) != sizeof(x)) {
			ret = -1;
			break;
		}
		v[i] = now_ns() - t0;
	}
	if (process)
		waitpid(pid, NULL, 0);
	else
		pthread_join(t, NULL);
	close(p.ping);
	close(p.pong);
	qsort(v, n, sizeof(*v), cmp_u64);
	return ret;
}

/* ------------------------------------------------------------- main */

enum { F_IOCTL, F_EFD_THREAD, F_EFD_PROC, F_NULL_JOB, F_COUNT };

static const char *const f_names[F_COUNT] = {
	"ioctl", "eventfd_threads", "eventfd_processes", "null_job",
};

static const char *const f_titles[F_COUNT] = {
	"bare ioctl round trip (QUERY)", "eventfd round trip, 2 threads",
	"eventfd round trip, 2 processes", "null job submit + wait",
};

struct floors {
	uint64_t p50[F_COUNT], p99[F_COUNT], max[F_COUNT];
};

static int measure(struct nop_job *j, int n, uint64_t *v, struct floors *f)
{
	struct drm_aiot_device_info info;
	struct drm_aiot_query q = {
		.type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = sizeof(info),
		.ptr = (uintptr_t)&info,
	};
	uint64_t id, t;

	for (int k = 0; k < F_COUNT; k++) {
		if (k == F_EFD_THREAD || k == F_EFD_PROC) {
			if (eventfd_rtt(k == F_EFD_PROC, n, v))
				return -1;
		} else {
			for (int i = 0; i < n; i++) {
				t = now_ns();
				if (k == F_IOCTL ? ioctl(j->fd, DRM_IOCTL_AIOT_QUERY, &q) :
				    nop_submit(j, &id) || nop_wait(j, id))
					return -1;
				v[i] = now_ns() - t;
			}
			qsort(v, n, sizeof(*v), cmp_u64);
		}
		f->p50[k] = pct(v, n, 0.5);
		f->p99[k] = pct(v, n, 0.99);
		f->max[k] = v[n - 1];
	}
	return 0;
}

static void print_floors(const char *cond, const struct floors *f)
{
	printf("  %s:\n", cond);
	for (int k = 0; k < F_COUNT; k++)
		printf("    %-34s p50 %7.1f us  p99 %7.1f us  max %8.1f us\n", f_titles[k],
		       f->p50[k] / 1e3, f->p99[k] / 1e3, f->max[k] / 1e3);
	printf("    null job p50 / eventfd thread round trip p50: %.1fx (target <= 3x)\n",
	       (double)f->p50[F_NULL_JOB] / (double)f->p50[F_EFD_THREAD]);
}

static void json_floors(const char *cond, const struct floors *f, bool last)
{
	printf("\"%s\":{", cond);
	for (int k = 0; k < F_COUNT; k++)
		printf("\"%s\":{\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}%s", f_names[k],
		       f->p50[k] / 1e3, f->p99[k] / 1e3, f->max[k] / 1e3,
		       k + 1 < F_COUNT ? "," : "");
	printf("}%s", last ? "" : ",");
}

int main(int argc, char **argv)
{
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	int n = argc > 1 + json ? atoi(argv[1 + json]) : 2000;
	uint64_t *v = calloc(n > 0 ? n : 1, sizeof(uint64_t));
	struct floors asleep, awake;
	double one, four, each1[1], each4[4], fair, worst = 0;
	struct awake a;
	struct nop_job j;

	if (n < 2 || !v)
		return 2;
	if (nop_job_open(&j)) {
		fprintf(stderr, "accel_bench: no aiot accelerator: %s\n", strerror(errno));
		return 1;
	}
	if (measure(&j, n, v, &asleep))
		return 1;
	awake_start(&a);
	if (measure(&j, n, v, &awake))
		return 1;
	awake_stop(&a);
	close(j.fd);
	one = multi_process(1, 30, each1);
	four = multi_process(4, 30, each4);
	if (one <= 0 || four <= 0)
		return 1;
	fair = four / 4;
	for (int i = 0; i < 4; i++)
		if (fabs(each4[i] - fair) / fair > worst)
			worst = fabs(each4[i] - fair) / fair;
	if (json) {
		printf("{\"samples\":%d,\"floors\":{", n);
		json_floors("idle", &asleep, false);
		json_floors("vcpus_awake", &awake, true);
		printf("},\"throughput\":{\"jobs_per_s_1proc\":%.0f,\"jobs_per_s_4proc\":%.0f,"
		       "\"ratio\":%.2f,\"shares\":[%.3f,%.3f,%.3f,%.3f],\"worst_from_fair\":%.3f}}\n",
		       one, four, four / one, each4[0] / four, each4[1] / four, each4[2] / four,
		       each4[3] / four, worst);
		free(v);
		return 0;
	}
	printf("accel_bench: %d samples each (QEMU TCG guest: absolute figures are emulated, ratios matter)\n",
	       n);
	print_floors("as they come", &asleep);
	print_floors("vCPUs kept awake (a SCHED_IDLE spinner per CPU)", &awake);
	printf("  null jobs per second, 1 process:   %8.0f\n", one);
	printf("  null jobs per second, 4 processes: %8.0f  (%.2fx one process; target >= 0.8x)\n",
	       four, four / one);
	printf("  shares of the 4:");
	for (int i = 0; i < 4; i++)
		printf(" %.1f%%", 100 * each4[i] / four);
	printf("  (furthest from a fair 25%%: %.0f%% of it; target <= 20%%)\n", 100 * worst);
	free(v);
	return 0;
}
