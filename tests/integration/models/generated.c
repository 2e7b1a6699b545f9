// SPDX-License-Identifier: GPL-2.0-only
/*
 * The graphs the tests generate (tests/unit/gen_*_model.cc, compiled by
 * mk/models.mk), through libaiot-accel on the NPU under test, every output
 * byte against the CPU reference executor in this process:
 *  - two_io: two graph inputs of different sizes, two outputs (one of
 *    them also read by another operator);
 *  - lstm: two stacked UNIDIRECTIONAL_SEQUENCE_LSTM layers (int8, int16
 *    cell state) whose state carries from one inference to the next;
 *  - int16: ISA 1.8's int16 pool, SUB, LEAKY_RELU, bilinear RESIZE and
 *    MAXIMUM, then ISA 1.9's int16 TANH, between an int8 input and output.
 * Inputs are pseudo-random with fixed seeds, the first runs at the int8
 * extremes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "models.h"

/* A 32-bit LCG: the same bytes on every guest. */
static void fill_pseudo_random(uint32_t *seed, int8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		*seed = *seed * 1664525u + 1013904223u;
		buf[i] = (int8_t)(*seed >> 24);
	}
}

/*
 * Input @k (of several) for run @run: the first runs put every input at
 * -128 or 127, then alternate the two within a tensor, then random bytes.
 */
static void fill_input(int8_t *buf, size_t n, unsigned int run, unsigned int k, uint32_t *seed)
{
	switch (run) {
	case 0:
		memset(buf, -128, n);
		break;
	case 1:
		memset(buf, 127, n);
		break;
	case 2:		/* inputs at opposite extremes */
		memset(buf, k % 2 ? 127 : -128, n);
		break;
	case 3:
		for (size_t i = 0; i < n; i++)
			buf[i] = (int8_t)((i + k) % 2 ? 127 : -128);
		break;
	default:
		fill_pseudo_random(seed, buf, n);
	}
}

/*
 * Distinct byte values in @buf, added to @seen: a guard against a model
 * whose outputs saturate to a few values and so compare equal too easily.
 */
static void note_values(bool seen[256], const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		seen[buf[i]] = true;
}

static unsigned int count_values(const bool seen[256])
{
	unsigned int n = 0;

	for (unsigned int v = 0; v < 256; v++)
		n += seen[v];
	return n;
}

#define TWO_IO_RUNS 12

void two_inputs_two_outputs(void)
{
	static const struct expected_tensor in[2] = {
		{ "features", AIOT_DTYPE_INT8, { 1, 4, 4, 8 }, 128 },
		{ "gain", AIOT_DTYPE_INT8, { 1, 1, 1, 8 }, 8 },
	};
	static const struct expected_tensor out[2] = {
		{ "joined", AIOT_DTYPE_INT8, { 1, 4, 4, 16 }, 256 },
		{ "product_mean", AIOT_DTYPE_INT8, { 1, 1, 1, 8 }, 8 },
	};
	bool seen[2][256] = { { false } };
	struct npu_cpu_pair p;
	uint32_t seed = 1414;

	if (npu_cpu_pair_load(&p, MODELS "two_io.aiot")) {
		tap_case_failed = 1;
		goto out;
	}
	npu_cpu_pair_check_tensors(&p, in, 2, out, 2);
	if (tap_case_failed)
		goto out;
	for (unsigned int run = 0; run < TWO_IO_RUNS; run++) {
		int8_t features[128], gain[8];
		char label[32];

		fill_input(features, sizeof(features), run, 0, &seed);
		fill_input(gain, sizeof(gain), run, 1, &seed);
		if (npu_cpu_pair_write_input(&p, 0, features, sizeof(features)) ||
		    npu_cpu_pair_write_input(&p, 1, gain, sizeof(gain))) {
			tap_case_failed = 1;
			goto out;
		}
		snprintf(label, sizeof(label), "run %u", run);
		CHECK_EQ(npu_cpu_pair_run(&p, label), 0);
		note_values(seen[0], p.npu_out[0], out[0].size);
		note_values(seen[1], p.npu_out[1], out[1].size);
	}
	tap_diag("distinct output bytes: joined %u, product_mean %u", count_values(seen[0]),
		 count_values(seen[1]));
	CHECK(count_values(seen[0]) >= 64);
	CHECK(count_values(seen[1]) >= 16);
out:
	npu_cpu_pair_free(&p);
}

#define LSTM_RUNS 10
#define LSTM_IN_BYTES (2 * 5 * 6)	/* [batch 2, steps 5, features 6] */
#define LSTM_OUT_BYTES (2 * 5 * 7)	/* [2, 5, units 7] */
/* The run fed the run before it's frames again: only the state differs. */
#define LSTM_REPEATED_RUN 7

void lstm_stacked_stream(void)
{
	static const struct expected_tensor in[1] = {
		{ "frames", AIOT_DTYPE_INT8, { 1, 2, 5, 6 }, LSTM_IN_BYTES },
	};
	static const struct expected_tensor out[1] = {
		{ "lstm2/output", AIOT_DTYPE_INT8, { 1, 2, 5, 7 }, LSTM_OUT_BYTES },
	};
	uint8_t previous[LSTM_OUT_BYTES];
	int8_t frames[LSTM_IN_BYTES];
	bool seen[256] = { false };
	struct npu_cpu_pair p;
	uint32_t seed = 49;

	if (npu_cpu_pair_load(&p, MODELS "lstm.aiot")) {
		tap_case_failed = 1;
		goto out;
	}
	npu_cpu_pair_check_tensors(&p, in, 1, out, 1);
	if (tap_case_failed)
		goto out;
	/* One stream on one model: the state of run r is what runs 0..r-1 left. */
	for (unsigned int run = 0; run < LSTM_RUNS; run++) {
		char label[32];

		if (run != LSTM_REPEATED_RUN)
			fill_input(frames, sizeof(frames), run, 0, &seed);
		if (npu_cpu_pair_write_input(&p, 0, frames, sizeof(frames))) {
			tap_case_failed = 1;
			goto out;
		}
		snprintf(label, sizeof(label), "run %u", run);
		CHECK_EQ(npu_cpu_pair_run(&p, label), 0);
		note_values(seen, p.npu_out[0], LSTM_OUT_BYTES);
		/* The same frames again give other outputs: the state carried. */
		if (run == LSTM_REPEATED_RUN)
			CHECK(memcmp(previous, p.npu_out[0], LSTM_OUT_BYTES) != 0);
		memcpy(previous, p.npu_out[0], LSTM_OUT_BYTES);
	}
	tap_diag("distinct output bytes: %u", count_values(seen));
	CHECK(count_values(seen) >= 32);
out:
	npu_cpu_pair_free(&p);
}

#define INT16_RUNS 8
#define INT16_IN_BYTES (6 * 8 * 4)
#define INT16_OUT_BYTES (9 * 12 * 4)

void int16_elements(void)
{
	static const struct expected_tensor in[1] = {
		{ "samples", AIOT_DTYPE_INT8, { 1, 6, 8, 4 }, INT16_IN_BYTES },
	};
	static const struct expected_tensor out[1] = {
		{ "peaks", AIOT_DTYPE_INT8, { 1, 9, 12, 4 }, INT16_OUT_BYTES },
	};
	int8_t samples[INT16_IN_BYTES];
	bool seen[256] = { false };
	struct npu_cpu_pair p;
	uint32_t seed = 1618;

	if (npu_cpu_pair_load(&p, MODELS "int16.aiot")) {
		tap_case_failed = 1;
		goto out;
	}
	npu_cpu_pair_check_tensors(&p, in, 1, out, 1);
	if (tap_case_failed)
		goto out;
	/* The device runs what the compiler declared: ISA 1.9 (the TANH). */
	CHECK_EQ(p.view->header.isa_version, 0x10009u);
	for (unsigned int run = 0; run < INT16_RUNS; run++) {
		char label[32];

		fill_input(samples, sizeof(samples), run, 0, &seed);
		if (npu_cpu_pair_write_input(&p, 0, samples, sizeof(samples))) {
			tap_case_failed = 1;
			goto out;
		}
		snprintf(label, sizeof(label), "run %u", run);
		CHECK_EQ(npu_cpu_pair_run(&p, label), 0);
		note_values(seen, p.npu_out[0], INT16_OUT_BYTES);
	}
	tap_diag("distinct output bytes: %u", count_values(seen));
	CHECK(count_values(seen) >= 32);
out:
	npu_cpu_pair_free(&p);
}
