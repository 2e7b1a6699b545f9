// SPDX-License-Identifier: GPL-2.0-only
/*
 * Real models on the reference NPU: person_detect compiled by aiot-compile
 * (build/guest/data/models) classifies upstream's test images right, with
 * scores bit-identical to the CPU executor run in the same guest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define RUN	"/aiot/bin/aiot-run"
#define MODEL	"/aiot/data/models/person_detect.aiot"
#define IMAGES	"/aiot/data/images/"

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

TAP_MAIN(
	TAP_CASE(person_detect_person),
	TAP_CASE(person_detect_no_person),
)
