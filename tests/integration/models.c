// SPDX-License-Identifier: GPL-2.0-only
/*
 * Real models on the reference NPU, compiled by aiot-compile on the host
 * (build/guest/data/models):
 *  - person_detect classifies upstream's test images right, with scores
 *    bit-identical to the CPU executor run in the same guest;
 *  - hello_world, driven through libaiot-accel (quantize with the input's
 *    scale and zero point, run, dequantize), stays within 0.05 of sin(x)
 *    and agrees bit for bit with the CPU executor;
 *  - keyword_scrambled (SVDF: state carried from one inference to the
 *    next) runs a stream of frames with the NPU and the CPU in lockstep.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aiot/accel.h>

#include "aiot_testlib.h"
#include "tap.h"

#define RUN	"/aiot/bin/aiot-run"
#define MODELS	"/aiot/data/models/"
#define MODEL	MODELS "person_detect.aiot"
#define IMAGES	"/aiot/data/images/"
#define TIMEOUT_NS (10LL * 1000 * 1000 * 1000)

/* Run aiot-run, collect its "[i] label int8 q deq" lines; 0 on success. */
static int run_model(const char *device, const char *image, int q[2],
		     char *winner, size_t winner_len)
{
	char cmd[512], line[256], label[32];
	int idx, val, n = 0, rc;
	FILE *p;

	snprintf(cmd, sizeof(cmd), RUN " --device %s --labels no_person,person "
		 MODEL " " IMAGES "%s 2>&1", device, image);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	winner[0] = 0;
	while (fgets(line, sizeof(line), p)) {
		fputs("# ", stdout);
		fputs(line, stdout);
		if (sscanf(line, " [%d] %31s int8 %d", &idx, label, &val) == 3 &&
		    idx >= 0 && idx < 2) {
			q[idx] = val;
			n++;
		}
		if (sscanf(line, " -> %31s", label) == 1)
			snprintf(winner, winner_len, "%s", label);
	}
	rc = pclose(p);
	return rc == 0 && n == 2 ? 0 : -1;
}

static void check_image(const char *image, const char *expect)
{
	int npu[2] = { 0 }, cpu[2] = { 0 };
	char w_npu[32], w_cpu[32];

	REQUIRE(run_model("npu", image, npu, w_npu, sizeof(w_npu)) == 0);
	REQUIRE(run_model("cpu", image, cpu, w_cpu, sizeof(w_cpu)) == 0);
	CHECK(strcmp(w_npu, expect) == 0);
	CHECK(strcmp(w_cpu, expect) == 0);
	CHECK_EQ(npu[0], cpu[0]);
	CHECK_EQ(npu[1], cpu[1]);
}

static void person_detect_person(void)
{
	check_image("person.bmp", "person");
}

static void person_detect_no_person(void)
{
	check_image("no_person.bmp", "no_person");
}

/*
 * Run aiot-run on raw input files (one inference each, in order, on one
 * model instance) and collect every printed output value, in order.
 */
static int run_raw(const char *device, const char *model, const char *inputs,
		   long long *vals, int max)
{
	char cmd[1024], line[256], dtype[16];
	long long v;
	int idx, n = 0, rc;
	FILE *p;

	snprintf(cmd, sizeof(cmd), RUN " --device %s --raw " MODELS "%s %s 2>&1",
		 device, model, inputs);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		fputs("# ", stdout);
		fputs(line, stdout);
		if (sscanf(line, " [%d] %15s %lld", &idx, dtype, &v) == 3 &&
		    strncmp(dtype, "int", 3) == 0 && n < max)
			vals[n++] = v;
	}
	rc = pclose(p);
	return rc == 0 ? n : -1;
}

static void hello_world_sine(void)
{
	static const float xs[] = { 0.77f, 1.57f, 2.3f, 3.14f };
	const struct aiot_tensor_info *in, *out;
	struct aiot_accel *accel = NULL;
	struct aiot_model *model = NULL;
	char inputs[256] = "", err[256] = "";
	long long cpu[4];
	int8_t npu[4];

	REQUIRE(aiot_accel_open_default(&accel) == 0);
	CHECK_EQ(aiot_model_load_file(accel, MODELS "hello_world_int8.aiot", &model,
				      err, sizeof(err)), 0);
	if (!model) {
		printf("# load: %s\n", err);
		goto out;
	}
	in = aiot_model_get_input_info(model, 0);
	out = aiot_model_get_output_info(model, 0);
	REQUIRE(in && out);
	CHECK_EQ(aiot_tensor_info_get_dtype(in), AIOT_DTYPE_INT8);
	CHECK_EQ(aiot_tensor_info_get_size(in), 1);
	CHECK_EQ(aiot_tensor_info_get_size(out), 1);

	for (unsigned int i = 0; i < 4; i++) {
		float q = roundf(xs[i] / aiot_tensor_info_get_scale(in)) +
			  (float)aiot_tensor_info_get_zero_point(in);
		int8_t x = (int8_t)fmaxf(-128.0f, fminf(127.0f, q));
		char path[64];
		float y;

		CHECK_EQ(aiot_model_write_input(model, 0, &x, 1), 0);
		CHECK_EQ(aiot_model_run(model, TIMEOUT_NS), 0);
		CHECK_EQ(aiot_model_read_output(model, 0, &npu[i], 1), 0);
		y = aiot_tensor_info_get_scale(out) *
		    (float)(npu[i] - aiot_tensor_info_get_zero_point(out));
		printf("# x %.2f: int8 %d -> %d, y %.4f, sin(x) %.4f\n",
		       xs[i], x, npu[i], y, sinf(xs[i]));
		CHECK(fabsf(y - sinf(xs[i])) <= 0.05f);

		snprintf(path, sizeof(path), "/tmp/hello_x%u.raw", i);
		REQUIRE(aiot_test_write_file(path, &x, 1) == 0);
		strcat(inputs, path);
		strcat(inputs, " ");
	}
	/* The same four inputs on the CPU executor: identical bytes. */
	REQUIRE(run_raw("cpu", "hello_world_int8.aiot", inputs, cpu, 4) == 4);
	for (unsigned int i = 0; i < 4; i++)
		CHECK_EQ(npu[i], cpu[i]);
out:
	aiot_model_free(model);
	aiot_accel_close(accel);
}

#define KWS_FRAMES 6
#define KWS_INPUT_BYTES (96 * 2)	/* int16 [1x96] */

static void keyword_scrambled_stream(void)
{
	long long npu[2 * KWS_FRAMES], cpu[2 * KWS_FRAMES];
	char inputs[512] = "";
	int n_npu, n_cpu;
	uint32_t seed = 12345;

	/* Deterministic pseudo-random frames (a 32-bit LCG). */
	for (unsigned int f = 0; f < KWS_FRAMES; f++) {
		int16_t frame[KWS_INPUT_BYTES / 2];
		char path[64];

		for (unsigned int i = 0; i < KWS_INPUT_BYTES / 2; i++) {
			seed = seed * 1664525u + 1013904223u;
			frame[i] = (int16_t)(seed >> 16);
		}
		snprintf(path, sizeof(path), "/tmp/kws_f%u.raw", f);
		REQUIRE(aiot_test_write_file(path, frame, sizeof(frame)) == 0);
		strcat(inputs, path);
		strcat(inputs, " ");
	}
	n_npu = run_raw("npu", "keyword_scrambled_8bit.aiot", inputs, npu, 2 * KWS_FRAMES);
	n_cpu = run_raw("cpu", "keyword_scrambled_8bit.aiot", inputs, cpu, 2 * KWS_FRAMES);
	CHECK_EQ(n_npu, 2 * KWS_FRAMES);
	CHECK_EQ(n_cpu, 2 * KWS_FRAMES);
	if (n_npu != 2 * KWS_FRAMES || n_cpu != n_npu)
		return;
	for (int i = 0; i < n_npu; i++)
		CHECK_EQ(npu[i], cpu[i]);
	/*
	 * The output is an int32 softmax in 1/32768 steps: two probabilities
	 * that add up to one. (The scrambled weights favour class 1 on any
	 * input, so the scores themselves do not move.)
	 */
	for (int f = 0; f < KWS_FRAMES; f++) {
		CHECK(npu[2 * f] >= 0 && npu[2 * f + 1] >= 0);
		CHECK(llabs(npu[2 * f] + npu[2 * f + 1] - 32768) <= 2);
	}
}

TAP_MAIN(
	TAP_CASE(person_detect_person),
	TAP_CASE(person_detect_no_person),
	TAP_CASE(hello_world_sine),
	TAP_CASE(keyword_scrambled_stream),
)
