// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run --sensor: the live pipeline as a user runs it. The simulated
 * camera replays person.bmp and no_person.bmp (each held for HOLD frames,
 * looping), every frame's DMA slot is person_detect's input with no copy,
 * and aiot-run prints one decision per slot and a summary:
 *  - exactly --count decisions, in sequence order, each labelled as the
 *    image the camera sent in that period (sequence / HOLD, modulo 2), with
 *    the NPU's bit-exact scores for that image (0.94 person, 0.72
 *    no_person, as the CPU executor gives on the files);
 *  - latencies parsed, positive and bounded; the summary agrees with the
 *    lines; 0 bytes copied by the CPU (library + sensor driver);
 *  - --summary and --duration; Ctrl-C of an unbounded run on the camera's
 *    live pattern (summary, exit 0); and clear failures, with a non-zero exit,
 *    for an unknown sensor, a missing or corrupt model, a model whose
 *    input does not fit the sensor, and bad usage.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aiot_testlib_cmd.h"
#include "tap.h"

#define RUN	"/aiot/bin/aiot-run"
#define MODEL	"/aiot/data/models/person_detect.aiot"
#define IMAGES	"/aiot/data/images/"
#define REPLAY	IMAGES "person.bmp," IMAGES "no_person.bmp"
#define COUNT	12
#define HOLD	2

static struct aiot_test_cmd out;

/* Run aiot-run with these arguments, stdout and stderr merged; its exit code. */
static int run(const char *args)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), RUN " %s 2>&1", args);
	/* Enough to see what happened; not the whole --help every time. */
	return aiot_test_cmd_run(&out, cmd, 40, NULL);
}

static bool have_files(void)
{
	return !access(RUN, X_OK) && !access(MODEL, R_OK) && !access(IMAGES "person.bmp", R_OK) &&
	       !access(IMAGES "no_person.bmp", R_OK);
}

struct decision {
	unsigned long long seq;
	char label[32];
	double score, lat_ns;
};

/* Every "#SEQ t=... LABEL SCORE capture->decision LATENCY" line. */
static int parse_decisions(struct decision *d, int max, int *errors)
{
	int n = 0;

	*errors = 0;
	for (int i = 0; i < out.n; i++) {
		char unit[8];
		double t, lat;

		if (out.line[i][0] != '#')
			continue;
		if (n < max && sscanf(out.line[i], "#%llu t=%lf s %31s %lf capture->decision %lf %7s",
				      &d[n].seq, &t, d[n].label, &d[n].score, &lat, unit) == 6) {
			d[n].lat_ns = aiot_test_to_ns(lat, unit);
			n++;
		} else {
			(*errors)++;
		}
	}
	return n;
}

static void live_replay_decisions(void)
{
	static const char *const expect[2] = { "person", "no_person" };
	static const double expect_score[2] = { 0.94, 0.72 };
	struct decision d[COUNT + 8];
	const char *sum;
	unsigned long long sum_n = 0;
	int n, bad, count[2] = { 0 }, sum_count[2] = { -1, -1 }, rc;
	double max_lat = 0, p50, p99, pmax;
	char args[512];

	if (!have_files())
		TAP_SKIP("no aiot-run, person_detect.aiot or test images in the guest "
			 "(../shared/models missing at build time)");
	snprintf(args, sizeof(args), "--sensor camera0 --replay " REPLAY " --hold %d --count %d "
		 "--labels no_person,person " MODEL, HOLD, COUNT);
	rc = run(args);
	CHECK_EQ(rc, 0);
	n = parse_decisions(d, COUNT + 8, &bad);
	CHECK_EQ(n, COUNT);
	CHECK_EQ(bad, 0);
	for (int i = 0; i < n; i++) {
		/* The camera sends image (sequence / HOLD) % 2 in that period. */
		int img = (int)((d[i].seq / HOLD) % 2);

		if (strcmp(d[i].label, expect[img]))
			tap_diag("#%llu: %s, the camera sent %s.bmp", d[i].seq, d[i].label,
				 expect[img]);
		CHECK(strcmp(d[i].label, expect[img]) == 0);
		CHECK(fabs(d[i].score - expect_score[img]) < 0.006);
		if (i)
			CHECK(d[i].seq > d[i - 1].seq);
		/* Positive, and below the pipeline's own timeouts. */
		CHECK(d[i].lat_ns > 0 && d[i].lat_ns < 30e9);
		if (d[i].lat_ns > max_lat)
			max_lat = d[i].lat_ns;
		count[img]++;
	}
	/* Both images went through, in the replay order. */
	CHECK(count[0] > 0 && count[1] > 0);

	sum = aiot_test_cmd_find_line(&out, "summary: ");
	REQUIRE(sum != NULL);
	CHECK(sscanf(sum, "summary: %llu decisions", &sum_n) == 1);
	CHECK_EQ(sum_n, COUNT);
	p50 = aiot_test_time_after(sum, "p50 ");
	p99 = aiot_test_time_after(sum, "p99 ");
	pmax = aiot_test_time_after(sum, "max ");
	CHECK(p50 > 0 && p99 >= p50 && pmax >= p99);
	/* The printed max is the largest line, up to the printed precision. */
	CHECK(fabs(pmax - max_lat) <= 0.01 * max_lat + 1e5);
	/* Zero-copy: neither the library nor the sensor driver copied a byte. */
	CHECK(strstr(sum, ", 0 B copied by the CPU (library 0 B, sensor driver 0 B),") != NULL);
	CHECK(strstr(sum, " 0 errors;") != NULL);
	if (strstr(sum, " person "))
		sscanf(strstr(sum, " person ") + 8, "%d", &sum_count[0]);
	if (strstr(sum, " no_person "))
		sscanf(strstr(sum, " no_person ") + 11, "%d", &sum_count[1]);
	CHECK_EQ(sum_count[0], count[0]);
	CHECK_EQ(sum_count[1], count[1]);
}

/* --summary --duration: no decision lines, a summary after about that long. */
static void live_summary_duration(void)
{
	unsigned long long n = 0;
	double secs = 0;
	const char *sum;
	int dec, bad;
	struct decision d[4];

	if (!have_files())
		TAP_SKIP("no aiot-run, person_detect.aiot or test images in the guest");
	CHECK_EQ(run("--sensor camera0 --replay " REPLAY " --summary --quiet --duration 2 "
		     MODEL), 0);
	dec = parse_decisions(d, 4, &bad);
	CHECK_EQ(dec + bad, 0);
	sum = aiot_test_cmd_find_line(&out, "summary: ");
	REQUIRE(sum != NULL);
	CHECK(sscanf(sum, "summary: %llu decisions in %lf s", &n, &secs) == 2);
	CHECK(n >= 1);
	CHECK(secs >= 1.9 && secs < 10);
	CHECK(strstr(sum, ", 0 B copied by the CPU") != NULL);
}

/*
 * No bound and the camera's live pattern: runs until Ctrl-C (SIGINT), then
 * prints the summary and exits 0.
 */
static void live_until_interrupted(void)
{
	unsigned long long n = 0;
	const char *sum;

	if (!have_files())
		TAP_SKIP("no aiot-run or person_detect.aiot in the guest");
	/*
	 * A shell's background job ignores SIGINT until aiot-run installs its
	 * handler: interrupt it only once it says it is streaming (its timing
	 * runs take seconds on a loaded host), then give it decisions to make.
	 */
	CHECK_EQ(run("--sensor camera0 --summary " MODEL " > /tmp/live.out 2>&1 & pid=$!; "
		     "i=0; until grep -q '^streaming' /tmp/live.out || [ $i -ge 1200 ]; do "
		     "sleep 0.1; i=$((i + 1)); done; sleep 3; kill -INT $pid; wait $pid; rc=$?; "
		     "cat /tmp/live.out; exit $rc"), 0);
	sum = aiot_test_cmd_find_line(&out, "summary: ");
	REQUIRE(sum != NULL);
	CHECK(sscanf(sum, "summary: %llu decisions", &n) == 1 && n >= 1);
	CHECK(strstr(sum, ", 0 B copied by the CPU") != NULL);
	CHECK(aiot_test_cmd_has(&out, "until Ctrl-C"));
}

static void bad_sensor_name(void)
{
	if (!have_files())
		TAP_SKIP("no aiot-run or person_detect.aiot in the guest");
	CHECK_EQ(run("--sensor nosuch7 --count 1 " MODEL), 1);
	CHECK(aiot_test_cmd_has(&out, "aiot-run: no sensor stream named 'nosuch7'"));
	CHECK(!aiot_test_cmd_find_line(&out, "summary: "));
	CHECK_EQ(run("--sensor /dev/null --count 1 " MODEL), 1);
	CHECK(aiot_test_cmd_has(&out, "aiot-run: /dev/null: not an aiot sensor stream"));
}

static void bad_model(void)
{
	FILE *f;

	if (!have_files())
		TAP_SKIP("no aiot-run or person_detect.aiot in the guest");
	CHECK_EQ(run("--sensor camera0 --count 1 /aiot/data/models/nosuch.aiot"), 1);
	CHECK(aiot_test_cmd_has(&out, "aiot-run: /aiot/data/models/nosuch.aiot: "));
	CHECK(aiot_test_cmd_has(&out, "No such file"));
	/* Not a model at all: an image given as the model. */
	CHECK_EQ(run("--sensor camera0 --count 1 " IMAGES "person.bmp"), 1);
	CHECK(aiot_test_cmd_has(&out, "aiot-run: " IMAGES "person.bmp"));
	/* A model truncated in the middle. */
	f = fopen("/tmp/run_live_truncated.aiot", "wb");
	REQUIRE(f != NULL);
	{
		FILE *m = fopen(MODEL, "rb");
		char buf[4096];
		size_t k;

		REQUIRE(m != NULL);
		k = fread(buf, 1, sizeof(buf), m);
		fclose(m);
		CHECK(fwrite(buf, 1, k / 2, f) == k / 2);
	}
	fclose(f);
	CHECK_EQ(run("--sensor camera0 --count 1 /tmp/run_live_truncated.aiot"), 1);
	CHECK(aiot_test_cmd_has(&out, "aiot-run: /tmp/run_live_truncated.aiot"));
	CHECK(!aiot_test_cmd_find_line(&out, "summary: "));
	unlink("/tmp/run_live_truncated.aiot");
}

/* person_detect takes int8 pixels; the microphone gives int16 samples. */
static void sensor_model_mismatch(void)
{
	if (!have_files())
		TAP_SKIP("no aiot-run or person_detect.aiot in the guest");
	CHECK_EQ(run("--sensor mic0 --count 1 " MODEL), 1);
	CHECK(aiot_test_cmd_has(&out, "mic0 gives 16-bit (S16_LE) samples, but the input of " MODEL
			 " is int8"));
	CHECK(!aiot_test_cmd_find_line(&out, "summary: "));
	/* Replaying images needs a camera. */
	CHECK_EQ(run("--sensor mic0 --replay " REPLAY " --count 1 " MODEL), 1);
	CHECK(aiot_test_cmd_has(&out, "int8"));
}

static void usage_errors(void)
{
	if (access(RUN, X_OK))
		TAP_SKIP("no aiot-run in the guest");
	CHECK_EQ(run("--sensor camera0"), 2);
	CHECK(aiot_test_cmd_has(&out, "no model given"));
	CHECK_EQ(run("--sensor camera0 --count 0 " MODEL), 2);
	CHECK(aiot_test_cmd_has(&out, "--count"));
	CHECK_EQ(run("--sensor camera0 " MODEL " " IMAGES "person.bmp"), 2);
	CHECK(aiot_test_cmd_has(&out, "--replay"));
	CHECK_EQ(run("--replay " REPLAY " " MODEL " " IMAGES "person.bmp"), 2);
	CHECK(aiot_test_cmd_has(&out, "--replay goes with --sensor"));
	CHECK_EQ(run("--sensor camera0 --rate 100000 --count 1 " MODEL), 2);
	CHECK(aiot_test_cmd_has(&out, "camera0 takes"));
	CHECK_EQ(run("--help"), 0);
	CHECK(aiot_test_cmd_has(&out, "Exit status"));
}

TAP_MAIN(
	TAP_CASE(live_replay_decisions),
	TAP_CASE(live_summary_duration),
	TAP_CASE(live_until_interrupted),
	TAP_CASE(bad_sensor_name),
	TAP_CASE(bad_model),
	TAP_CASE(sensor_model_mismatch),
	TAP_CASE(usage_errors),
)
