// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run --bench on the CPU: the reference executor (kernel/isa) and the
 * fast executor (lib/exec) timed in the same run, in alternating batches so
 * that both see the same load on a shared machine, and their outputs and
 * arenas compared byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiot_isa.h"
#include "run.h"

#define CPUBENCH_BATCHES 10

/* Bytes of every output together. */
static size_t outputs_size(const struct session *s)
{
	size_t n = 0;

	for (unsigned int j = 0; j < s->output_count; j++)
		n += s->outs[j].size;
	return n;
}

/* Every output, one after the other, and the arena after one run from a
 * zeroed arena. */
static int snapshot(struct session *s, bool reference, uint8_t *out, size_t out_size,
		    uint8_t *arena, size_t arena_size)
{
	size_t size;
	void *a = aiot_cpu_model_binding(s->cpu, aiot_cpu_model_view(s->cpu)->header.arena_binding,
					 &size);
	int rc;

	aiot_cpu_model_reset(s->cpu);
	rc = reference ? aiot_cpu_model_run_reference(s->cpu) : aiot_cpu_model_run(s->cpu);
	if (rc)
		return rc;
	for (unsigned int j = 0; j < s->output_count && out_size >= s->outs[j].size; j++) {
		memcpy(out, s->out_bufs[j], s->outs[j].size);
		out += s->outs[j].size;
		out_size -= s->outs[j].size;
	}
	if (a && size == arena_size)
		memcpy(arena, a, arena_size);
	return 0;
}

static int identical(struct session *s, bool *same)
{
	const struct aiot_model_blob_view *v = aiot_cpu_model_view(s->cpu);
	size_t out_size = outputs_size(s), arena_size = 0;
	uint8_t *buf;
	int rc;

	if (v->header.arena_binding != AIOT_MODEL_NO_BINDING)
		aiot_cpu_model_binding(s->cpu, v->header.arena_binding, &arena_size);
	buf = calloc(2, out_size + arena_size + 1);
	if (!buf)
		return -ENOMEM;
	rc = snapshot(s, true, buf, out_size, buf + out_size, arena_size);
	if (!rc)
		rc = snapshot(s, false, buf + out_size + arena_size + 1, out_size,
			      buf + 2 * out_size + arena_size + 1, arena_size);
	*same = !rc && !memcmp(buf, buf + out_size + arena_size + 1, out_size + arena_size);
	free(buf);
	return rc;
}

/* Mean time of @per inferences, in microseconds. */
static int time_batch(struct session *s, bool reference, long per, double *us)
{
	double t0 = now_us();
	int rc = 0;

	for (long i = 0; !rc && i < per; i++)
		rc = reference ? aiot_cpu_model_run_reference(s->cpu) : aiot_cpu_model_run(s->cpu);
	*us = (now_us() - t0) / per;
	return rc;
}

int bench_cpu_executors(struct session *s, long n)
{
	const struct aiot_model_blob_view *v = aiot_cpu_model_view(s->cpu);
	const char *fast = aiot_cpu_model_executor(s->cpu);
	long per = n / CPUBENCH_BATCHES > 0 ? n / CPUBENCH_BATCHES : 1;
	double best[2] = { 0, 0 }, sum[2] = { 0, 0 }, us;
	struct aiot_isa_header hdr;
	bool same;
	int rc;

	if (strncmp(fast, "fast/", 5))
		return 0; /* AIOT_CPU_EXECUTOR=reference: nothing to compare */
	memcpy(&hdr, v->command_stream, sizeof(hdr));
	rc = identical(s, &same);
	for (int b = 0; !rc && b < CPUBENCH_BATCHES; b++) {
		for (int e = 0; !rc && e < 2; e++) {
			rc = time_batch(s, e == 0, per, &us);
			sum[e] += us;
			if (!b || us < best[e])
				best[e] = us;
		}
	}
	if (rc)
		return rc;
	printf("cpu executors on %s: %u ops, arena %llu B, %d batches of %ld, single thread\n",
	       s->name, hdr.op_count, (unsigned long long)v->header.arena_size,
	       CPUBENCH_BATCHES, per);
	printf("  reference  %.3f ms/inference (best batch), %.3f ms (mean)\n", best[0] / 1e3,
	       sum[0] / CPUBENCH_BATCHES / 1e3);
	printf("  %-10s %.3f ms/inference (best batch), %.3f ms (mean)\n", fast, best[1] / 1e3,
	       sum[1] / CPUBENCH_BATCHES / 1e3);
	printf("  fast is %.1fx the reference's speed; outputs and arena %s\n", best[0] / best[1],
	       same ? "identical" : "DIFFER");
	/* One line for scripts (tools/cpubench/bench-cpu.sh). */
	printf("cpubench model=%s ops=%u arena=%llu ref_ms=%.6f fast_ms=%.6f simd=%s identical=%d\n",
	       s->name, hdr.op_count, (unsigned long long)v->header.arena_size, best[0] / 1e3,
	       best[1] / 1e3, fast + 5, same);
	return same ? 0 : -EPROTO;
}
