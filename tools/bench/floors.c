// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench's floors: what the kernel boundary and a wakeup cost, next to
 * what a job costs, and how jobs share the device:
 *   - a bare ioctl round trip (QUERY): the floor of any submission;
 *   - an eventfd round trip between two threads and between two
 *     processes: the floor of waking another task, what a job's
 *     completion must at least cost;
 *   - a null job (one NOP) submitted and waited for;
 *   - null jobs per second with 1 and with 4 submitting processes, and
 *     each process's share of the 4.
 * The first three are measured as they come and with the vCPUs kept awake
 * by a SCHED_IDLE spinner on each CPU: an idle vCPU halts, and waking it
 * is a host round trip that dwarfs the kernel's own work under QEMU.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>

#include "bench.h"

enum { F_IOCTL, F_EFD_THREAD, F_EFD_PROC, F_NULL_JOB, F_COUNT };

static const char *const f_names[F_COUNT] = {
	"ioctl", "eventfd_threads", "eventfd_processes", "null_job",
};

static const char *const f_titles[F_COUNT] = {
	"bare ioctl round trip (QUERY)", "eventfd round trip, 2 threads",
	"eventfd round trip, 2 processes", "null job SUBMIT + JOB_WAIT",
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ----------------------------------------------------------- null job */

struct nop_job {
	int fd;
	uint32_t cmd;
	uint32_t size;
};

static int nop_job_open(const char *node, struct nop_job *j)
{
	struct drm_aiot_bo_create c = { .size = 4096 };
	struct drm_aiot_bo_mmap_offset m = { 0 };
	struct aiot_isa_header *h;
	struct aiot_isa_op_nop *op;
	void *p;

	j->fd = open(node, O_RDWR | O_CLOEXEC);
	if (j->fd < 0 || ioctl(j->fd, DRM_IOCTL_AIOT_BO_CREATE, &c))
		return -1;
	m.handle = c.handle;
	if (ioctl(j->fd, DRM_IOCTL_AIOT_BO_MMAP_OFFSET, &m))
		return -1;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, j->fd, (off_t)m.offset);
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
	struct drm_aiot_job_wait w = { .job_id = id, .timeout_ns = 10 * (int64_t)NS };

	if (ioctl(j->fd, DRM_IOCTL_AIOT_JOB_WAIT, &w))
		return -errno;
	return w.status;
}

/* Jobs per second of one process for @ns: keep 8 in flight. */
static double throughput(const char *node, uint64_t ns)
{
	struct nop_job j;
	uint64_t ids[8], end, n = 0, t0;
	int i, ret;

	if (nop_job_open(node, &j)) {
		fprintf(stderr, "aiot-bench: null-job throughput: %s: %s\n", node, strerror(errno));
		return -1;
	}
	for (i = 0; i < 8; i++)
		if ((ret = nop_submit(&j, &ids[i])))
			goto fail;
	t0 = lp_now_ns();
	end = t0 + ns;
	for (i = 0; lp_now_ns() < end; i = (i + 1) % 8, n++)
		if ((ret = nop_wait(&j, ids[i])) || (ret = nop_submit(&j, &ids[i])))
			goto fail;
	for (i = 0; i < 8; i++)
		nop_wait(&j, ids[i]);
	close(j.fd);
	return (double)n / ((double)(lp_now_ns() - t0) / 1e9);
fail:
	/* Which job and why: a failed null job is a finding, not noise. */
	fprintf(stderr, "aiot-bench: null-job throughput: after %llu jobs: %s\n",
		(unsigned long long)n, aiot_strerror(ret));
	close(j.fd);
	return -1;
}

/* Total jobs/s of @procs processes at once; each one's in @each. */
static double multi_process(const char *node, int procs, uint64_t ns, double *each)
{
	int pipes[4][2], i, status;
	double total = 0, r;
	pid_t pid[4];

	fflush(NULL);
	for (i = 0; i < procs; i++) {
		if (pipe(pipes[i]))
			return -1;
		pid[i] = fork();
		if (pid[i] == 0) {
			r = throughput(node, ns);
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

/* ------------------------------------------------------------ eventfd */

/* A SCHED_IDLE spinner per CPU: the vCPUs never halt while they run. */
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
	for (long cpu = 0; cpu < cpus && a->n < 64; cpu++) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
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

struct pong_arg {
	int ping, pong, n;
};

/* The other side: read a ping, write a pong, n times. */
static void *pong(void *arg)
{
	struct pong_arg *p = arg;
	uint64_t v;

	for (int i = 0; i < p->n; i++)
		if (read(p->ping, &v, sizeof(v)) != sizeof(v) ||
		    write(p->pong, &v, sizeof(v)) != sizeof(v))
			break;
	return NULL;
}

/* n eventfd round trips to another thread (or process), sorted in v[]. */
static int eventfd_rtt(bool process, int n, uint64_t *v)
{
	struct pong_arg p = { eventfd(0, EFD_CLOEXEC), eventfd(0, EFD_CLOEXEC), n };
	pthread_t t;
	pid_t pid = -1;
	uint64_t one = 1, x;
	int ret = 0;

	if (p.ping < 0 || p.pong < 0)
		return -1;
	if (process) {
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			pong(&p);
			_exit(0);
		}
		if (pid < 0)
			return -1;
	} else if (pthread_create(&t, NULL, pong, &p)) {
		return -1;
	}
	for (int i = 0; i < n; i++) {
		uint64_t t0 = lp_now_ns();

		if (write(p.ping, &one, sizeof(one)) != sizeof(one) ||
		    read(p.pong, &x, sizeof(x)) != sizeof(x)) {
			ret = -1;
			break;
		}
		v[i] = lp_now_ns() - t0;
	}
	if (process)
		waitpid(pid, NULL, 0);
	else
		pthread_join(t, NULL);
	close(p.ping);
	close(p.pong);
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return ret;
}

/* ------------------------------------------------------------- floors */

static void measure(struct nop_job *j, int n, uint64_t *v, uint64_t out[F_COUNT][3])
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
				die("eventfd round trip: %s", strerror(errno));
		} else {
			for (int i = 0; i < n; i++) {
				int ret;

				t = lp_now_ns();
				if (k == F_IOCTL)
					ret = ioctl(j->fd, DRM_IOCTL_AIOT_QUERY, &q) ? -errno : 0;
				else if (!(ret = nop_submit(j, &id)))
					ret = nop_wait(j, id);
				if (ret)
					die("%s: %s", f_titles[k], aiot_strerror(ret));
				v[i] = lp_now_ns() - t;
			}
			qsort(v, (size_t)n, sizeof(*v), cmp_u64);
		}
		out[k][0] = v[n / 2];
		out[k][1] = v[(size_t)n * 99 / 100];
		out[k][2] = v[n - 1];
	}
}

void run_floors(const struct ctx *c, struct floors *f)
{
	const char *node = aiot_accel_get_path(c->st.accel);
	int n = (int)c->o->floor_samples;
	uint64_t *v = calloc((size_t)n, sizeof(*v));
	double each1[1];
	struct nop_job j;
	struct awake a;

	if (!v)
		die("out of memory");
	if (nop_job_open(node, &j))
		die("%s: null job: %s", node, strerror(errno));
	measure(&j, n, v, f->v[0]);
	awake_start(&a);
	measure(&j, n, v, f->v[1]);
	awake_stop(&a);
	close(j.fd);
	free(v);
	f->jobs_1 = multi_process(node, 1, 3 * NS, each1);
	f->jobs_4 = multi_process(node, 4, 3 * NS, f->share);
	if (f->jobs_1 <= 0 || f->jobs_4 <= 0)
		die("null-job throughput: a process failed");
	for (int i = 0; i < 4; i++)
		f->share[i] /= f->jobs_4;
	f->samples = n;
	f->ran = true;
}

static double worst_from_fair(const struct floors *f)
{
	double w = 0;

	for (int i = 0; i < 4; i++)
		w = fmax(w, fabs(f->share[i] - 0.25) / 0.25);
	return w;
}

void print_floors(const struct floors *f)
{
	static const char *const cond[2] = {
		"as they come", "vCPUs kept awake (a SCHED_IDLE spinner per CPU)",
	};

	printf("floors (%d samples each; under QEMU TCG absolute figures are emulated, ratios matter):\n",
	       f->samples);
	for (int a = 0; a < 2; a++) {
		printf("  %s:\n", cond[a]);
		for (int k = 0; k < F_COUNT; k++)
			printf("    %-32s p50 %8.1f us  p99 %9.1f us  max %9.1f us\n", f_titles[k],
			       (double)f->v[a][k][0] / 1e3, (double)f->v[a][k][1] / 1e3,
			       (double)f->v[a][k][2] / 1e3);
		printf("    null job p50 / eventfd thread round trip p50: %.1fx (target <= 3x)\n",
		       (double)f->v[a][F_NULL_JOB][0] / (double)f->v[a][F_EFD_THREAD][0]);
	}
	printf("throughput: null jobs/s, 1 process %.0f, 4 processes %.0f (%.2fx; target >= 0.8x)\n",
	       f->jobs_1, f->jobs_4, f->jobs_4 / f->jobs_1);
	printf("fairness: shares of the 4 processes %.1f%% %.1f%% %.1f%% %.1f%%; furthest from a "
	       "fair 25%%: %.0f%% of it (target <= 20%%)\n", 100 * f->share[0], 100 * f->share[1],
	       100 * f->share[2], 100 * f->share[3], 100 * worst_from_fair(f));
}

void json_floors(FILE *out, const struct floors *f)
{
	static const char *const cond[2] = { "as_they_come", "vcpus_awake" };

	fprintf(out, "\"floors\":{");
	for (int a = 0; a < 2; a++) {
		fprintf(out, "%s\"%s\":{", a ? "," : "", cond[a]);
		for (int k = 0; k < F_COUNT; k++)
			fprintf(out, "%s\"%s\":{\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}",
				k ? "," : "", f_names[k], (double)f->v[a][k][0] / 1e3,
				(double)f->v[a][k][1] / 1e3, (double)f->v[a][k][2] / 1e3);
		fprintf(out, ",\"null_job_over_eventfd_threads\":%.2f}",
			(double)f->v[a][F_NULL_JOB][0] / (double)f->v[a][F_EFD_THREAD][0]);
	}
	fprintf(out, "},\"throughput\":{\"null_jobs_per_s_1proc\":%.0f,"
		"\"null_jobs_per_s_4proc\":%.0f,\"ratio_4_to_1\":%.2f,"
		"\"shares_4proc\":[%.3f,%.3f,%.3f,%.3f],\"worst_from_fair\":%.3f}",
		f->jobs_1, f->jobs_4, f->jobs_4 / f->jobs_1, f->share[0], f->share[1],
		f->share[2], f->share[3], worst_from_fair(f));
}
