// SPDX-License-Identifier: GPL-2.0-only
/*
 * accel_bench: what a job costs on the reference NPU, next to what the
 * kernel boundary alone costs.
 *   - a bare ioctl round trip (QUERY): the floor of any submission;
 *   - a null job (one NOP) submitted and waited for: p50/p99 latency;
 *   - null jobs per second with 1 and with 4 submitting processes.
 * Prints figures and ratios; asserts nothing about speed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static double multi_process(int procs, int seconds_x10)
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
		waitpid(pid[i], &status, 0);
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
	return total;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	uint64_t *ioctl_ns = calloc(n, sizeof(uint64_t));
	uint64_t *job_ns = calloc(n, sizeof(uint64_t));
	struct drm_aiot_device_info info;
	struct drm_aiot_query q = {
		.type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = sizeof(info),
		.ptr = (uintptr_t)&info,
	};
	struct nop_job j;
	double one, four;
	uint64_t id, t;
	int i;

	if (!ioctl_ns || !job_ns || nop_job_open(&j)) {
		fprintf(stderr, "accel_bench: no aiot accelerator: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		t = now_ns();
		if (ioctl(j.fd, DRM_IOCTL_AIOT_QUERY, &q))
			return 1;
		ioctl_ns[i] = now_ns() - t;
	}
	for (i = 0; i < n; i++) {
		t = now_ns();
		if (nop_submit(&j, &id) || nop_wait(&j, id))
			return 1;
		job_ns[i] = now_ns() - t;
	}
	qsort(ioctl_ns, n, sizeof(uint64_t), cmp_u64);
	qsort(job_ns, n, sizeof(uint64_t), cmp_u64);
	printf("accel_bench: %d samples each (QEMU TCG guest: absolute figures are emulated, ratios matter)\n", n);
	printf("  bare ioctl round trip (QUERY):  p50 %7.1f us  p99 %7.1f us\n",
	       pct(ioctl_ns, n, 0.5) / 1e3, pct(ioctl_ns, n, 0.99) / 1e3);
	printf("  null job submit + wait:         p50 %7.1f us  p99 %7.1f us  (%.1fx the bare ioctl at p50)\n",
	       pct(job_ns, n, 0.5) / 1e3, pct(job_ns, n, 0.99) / 1e3,
	       (double)pct(job_ns, n, 0.5) / pct(ioctl_ns, n, 0.5));
	close(j.fd);
	one = multi_process(1, 30);
	four = multi_process(4, 30);
	if (one <= 0 || four <= 0)
		return 1;
	printf("  null jobs per second, 1 process:   %8.0f\n", one);
	printf("  null jobs per second, 4 processes: %8.0f  (%.2fx one process)\n",
	       four, four / one);
	free(ioctl_ns);
	free(job_ns);
	return 0;
}
