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

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

struct shared *cnt;

struct options opt = {
	.seed = 1, .seconds = 30, .procs = 2, .threads = 3,
	.unbind = true, .kill_children = true,
};

double t_end;

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

/* ---- the parent ---- */

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
		if (!fault_filtered)
			fprintf(stderr, "aiot-fuzz: faults reach dma_buf_vmap() (no "
				"FAULT_INJECTION_STACKTRACE_FILTER): its WARN is the kernel's\n");
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
