// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench: sensor-to-decision latency, throughput and CPU copies of one
 * model on one sensor stream, through four paths, idle and under a CPU
 * load, in one run, after the floors (floors.c) every path is compared
 * with:
 *
 *  (a) zero-copy: every ring slot is imported into the accelerator once;
 *      a job is queued ahead on each slot, so it starts when the slot's DMA
 *      completes (its write fence), and reads the very pages the sensor
 *      wrote. Nothing is copied by the CPU. This is the live pipeline of
 *      tools/pipeline/, shared with aiot-run --sensor.
 *  (b) relay: the application dequeues a slot (poll, DQBUF) and submits a
 *      job on the slot itself (imported once, no copy), waits.
 *  (c) copy: the application dequeues a slot, copies it out of the ring
 *      (what read() does in the kernel), then copies it into the model's
 *      input tensor (aiot_model_write_input()), runs the model and waits.
 *  (d) tcp: what a gateway does today: the application copies the slot out,
 *      sends it over a loopback TCP connection to a separate inference
 *      process, which receives it, copies it into its tensor, runs the
 *      model and sends the scores back.
 *  (e) mqtt: what gateways do with a broker: the application copies the slot
 *      out and publishes it at QoS 1 to Debian's mosquitto on the loopback
 *      (mqtt.c starts it); a subscribed inference process copies it into its
 *      tensor and runs the model; its scores are the decision.
 *
 * Latencies start when the slot's DMA completed (DQBUF's dma_done_ns, the
 * moment its write fence signalled): to the job's start on the device, to
 * the moment the consuming process holds the scores; the job's time on the
 * device is apart. Capture -> decision (from the slot's first sample, so
 * including the slot's own capture) is kept. Copies are counted where they happen: our own
 * memcpy/send/recv, the library's AIOT_STAT_BYTES_COPIED and the sensor
 * driver's bytes_copied (aiot_sensor_get_stat()), when it has one.
 *
 * --live runs path (a) alone and prints every decision: the demo pipeline
 * before aiot-run --sensor took that role.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

volatile sig_atomic_t interrupted;

/* ------------------------------------------------------------- setup */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: aiot-bench [OPTIONS]\n"
"\n"
"First the floors: a bare ioctl, an eventfd round trip between two threads\n"
"and two processes, a null job (SUBMIT + JOB_WAIT), null jobs/s with 1 and\n"
"4 processes and each one's share. Then one model on one live sensor\n"
"stream through five paths, idle and under a CPU load it makes itself:\n"
"from the slot's DMA completion to the job's start and to the decision,\n"
"the device time (p50/p99/max, ratios to the fenced path), capture->decision,\n"
"inferences per second, CPU bytes copied and CPU time per inference.\n"
"  (a) zero-copy: sensor slots imported into the NPU, jobs queued ahead on\n"
"      upcoming slots, each starting when its slot's DMA completes\n"
"  (b) relay: dequeue, submit a job on the slot itself (no copy), wait\n"
"  (c) copy: dequeue, copy the slot out, copy it into the input tensor, run\n"
"  (d) tcp: copy out, send over loopback TCP to a separate inference\n"
"      process that copies it into its tensor, runs, sends the scores back\n"
"  (e) mqtt: copy out, publish at QoS 1 to a mosquitto broker on the\n"
"      loopback (started here; needs /usr/sbin/mosquitto); a subscribed\n"
"      inference process copies it into its tensor and runs: the decision\n"
"\n"
"  -m, --model FILE       compiled model (aiot-compile); its input must be\n"
"                         exactly one sensor slot (default:\n"
"                         /aiot/data/models/person_detect.aiot); 'trivial':\n"
"                         one NOP, the sensor's frame in, two scores out\n"
"  -s, --sensor NAME      sensor stream by name or device node (default camera0)\n"
"  -a, --accel PATH       accelerator node (default: the first aiot device)\n"
"  -i, --replay A.bmp,... replay these 8-bit grayscale images (simulated\n"
"                         camera; default: the sensor's live pattern)\n"
"      --hold N           frames each replayed image lasts (default: 1 s)\n"
"  -l, --labels a,b,...   class names of the model's outputs\n"
"  -d, --duration SEC     seconds per path (default 20; --live: 10)\n"
"  -r, --rate HZ          sensor rate (default: from a calibration run, about\n"
"                         half of what the NPU sustains, so every path keeps up)\n"
"  -n, --slots N          ring slots, 2..%d (default 4)\n"
"  -p, --paths LIST       some of zero-copy,relay,copy,tcp,mqtt (default: all)\n"
"      --loads LIST       some of idle,cpu_load (default: both)\n"
"      --load-procs N     CPU hogs of cpu_load (default: one per CPU)\n"
"      --no-floors        skip the floors, throughput and fairness\n"
"      --floor-samples N  samples of each floor (default 2000)\n"
"  -j, --json             print one JSON object on stdout (the human output\n"
"                         goes to stderr)\n"
"      --json-file FILE   write that JSON object to FILE as well\n"
"  -S, --saturate SEC     then run each path SEC seconds with the sensor at its\n"
"                         top rate, faster than the NPU: the most inferences/s\n"
"                         each path sustains (default 5; 0 skips)\n"
"  -L, --live             path (a) only, print every decision with its\n"
"                         latency, then a summary (as aiot-run --sensor does)\n"
"  -q, --quiet            no progress lines\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 done; 1 a device, model or I/O error; 2 usage.\n", MAX_SLOTS);
}

static unsigned int parse_uint(const char *opt, const char *s, unsigned int min, unsigned int max)
{
	char *e;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || e == s || *e || v < min || v > max) {
		fprintf(stderr, PROG ": %s: '%s' is not a number in %u..%u\n", opt, s, min, max);
		exit(2);
	}
	return (unsigned int)v;
}

static unsigned int split(char *s, const char **out, unsigned int max, const char *opt)
{
	unsigned int n = 0;

	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (n == max) {
			fprintf(stderr, PROG ": %s: at most %u items\n", opt, max);
			exit(2);
		}
		out[n++] = tok;
	}
	return n;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "sensor", required_argument, NULL, 's' },
		{ "accel", required_argument, NULL, 'a' },
		{ "replay", required_argument, NULL, 'i' },
		{ "hold", required_argument, NULL, 'H' },
		{ "labels", required_argument, NULL, 'l' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "slots", required_argument, NULL, 'n' },
		{ "paths", required_argument, NULL, 'p' },
		{ "saturate", required_argument, NULL, 'S' },
		{ "loads", required_argument, NULL, 'D' },
		{ "load-procs", required_argument, NULL, 'P' },
		{ "no-floors", no_argument, NULL, 'F' },
		{ "floor-samples", required_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "json-file", required_argument, NULL, 'J' },
		{ "live", no_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool duration_set = false;
	int ch;

	o->model = "/aiot/data/models/person_detect.aiot";
	o->sensor = "camera0";
	o->duration = 20;
	o->slots = 4;
	o->saturate = 5;
	for (int p = 0; p < PATH_COUNT; p++)
		o->paths[p] = true;
	for (int l = 0; l < LOAD_COUNT; l++)
		o->loads[l] = true;
	o->floors = true;
	o->floor_samples = 2000;
	while ((ch = getopt_long(argc, argv, "m:s:a:i:l:d:r:n:p:jLqh", lo, NULL)) != -1) {
		switch (ch) {
		case 'm': o->model = optarg; break;
		case 's': o->sensor = optarg; break;
		case 'a': o->accel = optarg; break;
		case 'i': o->image_count = split(optarg, o->images, MAX_IMAGES, "--replay"); break;
		case 'H': o->hold = parse_uint("--hold", optarg, 1, 100000); break;
		case 'l': o->label_count = split(optarg, o->labels, MAX_LABELS, "--labels"); break;
		case 'd': {
			char *e;

			o->duration = strtod(optarg, &e);
			if (e == optarg || *e || !(o->duration > 0) || o->duration > 86400) {
				fprintf(stderr, PROG ": --duration: '%s' is not a number of seconds in (0, 86400]\n",
					optarg);
				exit(2);
			}
			duration_set = true;
			break;
		}
		case 'r': o->rate = parse_uint("--rate", optarg, 1, 1000000); break;
		case 'S': o->saturate = parse_uint("--saturate", optarg, 0, 86400); break;
		case 'n': o->slots = parse_uint("--slots", optarg, 2, MAX_SLOTS); break;
		case 'p': {
			const char *items[PATH_COUNT + 1];
			unsigned int n = split(optarg, items, PATH_COUNT + 1, "--paths");

			memset(o->paths, 0, sizeof(o->paths));
			for (unsigned int i = 0; i < n; i++) {
				int p;

				for (p = 0; p < PATH_COUNT; p++)
					if (!strcmp(items[i], path_names[p]))
						break;
				if (p == PATH_COUNT) {
					fprintf(stderr, PROG ": --paths: unknown path '%s' (zero-copy, relay, copy, tcp, mqtt)\n",
						items[i]);
					exit(2);
				}
				o->paths[p] = true;
			}
			break;
		}
		case 'D': {
			const char *items[LOAD_COUNT + 1];
			unsigned int n = split(optarg, items, LOAD_COUNT + 1, "--loads");

			memset(o->loads, 0, sizeof(o->loads));
			for (unsigned int i = 0; i < n; i++) {
				int l;

				for (l = 0; l < LOAD_COUNT; l++)
					if (!strcmp(items[i], load_names[l]))
						break;
				if (l == LOAD_COUNT) {
					fprintf(stderr, PROG ": --loads: unknown load '%s' (idle, cpu_load)\n",
						items[i]);
					exit(2);
				}
				o->loads[l] = true;
			}
			break;
		}
		case 'P': o->load_procs = parse_uint("--load-procs", optarg, 1, 64); break;
		case 'F': o->floors = false; break;
		case 'N': o->floor_samples = parse_uint("--floor-samples", optarg, 10, 1000000); break;
		case 'j': o->json_file = "-"; break;
		case 'J': o->json_file = optarg; break;
		case 'L': o->live = true; break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s' (see --help)\n", argv[optind]);
		exit(2);
	}
	if (o->live) {
		o->saturate = 0;
		o->floors = false;
	}
	if (o->live && !duration_set)
		o->duration = 10;
}

static void setup(struct ctx *c)
{
	struct aiot_sensor *s = open_sensor(c->o->sensor);
	struct aiot_accel_info *ai = NULL;
	struct aiot_accel *accel = NULL;
	struct aiot_model *model = NULL;
	char err[LP_ERR_LEN] = "", a[32];
	uint64_t t_inf;
	int ret;

	ret = c->o->accel ? aiot_accel_open(c->o->accel, &accel) : aiot_accel_open_default(&accel);
	if (ret == -ENODEV && !c->o->accel)
		die("no aiot accelerator found (is the module loaded? try: modprobe aiot-sim)");
	if (ret)
		die("accelerator %s: %s", c->o->accel ? c->o->accel : "", aiot_strerror(ret));
	if ((ret = load_model(c, accel, &model, err, sizeof(err))))
		die("%s: %s%s%s", c->o->model, aiot_strerror(ret), err[0] ? ": " : "", err);
	if (lp_stream_init(&c->st, s, c->o->sensor, accel, model, c->o->model, err, sizeof(err)))
		die("%s", err);

	/* How fast can the NPU go? Choose a sensor rate every path can follow. */
	if ((ret = lp_calibrate(model, &t_inf)))
		die("calibration run of %s: %s", c->o->model, aiot_strerror(ret));
	lp_stream_set_rate(&c->st, c->o->rate ? c->o->rate : lp_auto_rate(&c->st, t_inf));
	if (c->o->image_count) {
		if (lp_replay_load(&c->replay, &c->st, c->o->images, c->o->image_count, err,
				   sizeof(err)))
			die("%s", err);
		write_recording(c);
	}

	if ((ret = aiot_accel_get_info(accel, &ai)))
		die("accelerator info: %s", aiot_strerror(ret));
	printf("%s on %s (%s), sensor %s: %u Hz, %u sample%s per slot, %u slots%s\n",
	       aiot_model_get_name(model), aiot_accel_get_path(accel),
	       aiot_accel_info_get_backend(ai), c->o->sensor, c->st.rate_hz, c->st.spp,
	       c->st.spp == 1 ? "" : "s", c->o->slots, c->st.replaying ? ", replaying images" : "");
	printf("input %zu B = one slot; one inference alone takes %s on the NPU%s\n",
	       c->st.in_size, lp_fmt_time(a, sizeof(a), (double)t_inf),
	       c->o->rate ? "" : " (rate chosen at about half of what it sustains)");
	printf("a slot's timestamp is its first sample: capture->decision includes the slot's own "
	       "%s of capture; the DMA-done intervals start when its DMA completed\n",
	       lp_fmt_time(a, sizeof(a), 1e9 / c->st.slot_rate_hz));
	fflush(stdout);
	aiot_accel_info_free(ai);
	aiot_sensor_close(s);
}

void run_path(struct ctx *c, enum path p, struct result *r)
{
	if (p == PATH_ZERO_COPY)
		run_zero_copy(c, r, false);
	else if (p == PATH_RELAY)
		run_relay(c, r);
	else if (p == PATH_COPY)
		run_copy(c, r);
	else if (p == PATH_TCP)
		run_tcp(c, r);
	else
		run_mqtt(c, r);
}

/* --json: stdout becomes stderr for the human output; the JSON goes to the real one. */
static FILE *json_out(const struct opts *o)
{
	FILE *f;
	int fd;

	if (!o->json_file)
		return NULL;
	if (strcmp(o->json_file, "-")) {
		f = fopen(o->json_file, "w");
		if (!f)
			die("%s: %s", o->json_file, strerror(errno));
		return f;
	}
	fflush(stdout);
	fd = dup(STDOUT_FILENO);
	if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0 || !(f = fdopen(fd, "w")))
		die("--json: %s", strerror(errno));
	return f;
}

int main(int argc, char **argv)
{
	static struct result res[LOAD_COUNT][PATH_COUNT];
	static struct floors floors;
	struct opts o = { 0 };
	struct ctx c = { .o = &o };
	FILE *json;
	int status = 0;

	parse_args(argc, argv, &o);
	tool_catch_signals(&interrupted);
	json = json_out(&o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup(&c);

	if (o.live) {
		struct result *r = &res[LOAD_IDLE][PATH_ZERO_COPY];
		char a[32], b[32], d[32], lb[32];

		printf("streaming for %.0f s: every slot goes to the NPU without a copy\n", o.duration);
		run_zero_copy(&c, r, true);
		lp_latencies_sort(&r->lat);
		printf("summary: %zu decisions in %.1f s (%.2f/s), capture->decision p50 %s p99 %s max %s, "
		       "%s copied, %llu dropped, %llu errors;",
		       r->lat.n, (double)r->elapsed_ns / 1e9, per_second(r),
		       lp_fmt_time(a, sizeof(a), (double)percentile(r, 0.5)),
		       lp_fmt_time(b, sizeof(b), (double)percentile(r, 0.99)),
		       lp_fmt_time(d, sizeof(d), (double)lp_latencies_max(&r->lat)),
		       lp_fmt_bytes(lb, sizeof(lb), copied_per_inf(r) * (double)r->lat.n),
		       (unsigned long long)r->drops, (unsigned long long)r->errors);
		for (unsigned int k = 0; k < MAX_LABELS; k++)
			if (r->class_count[k])
				printf(" %s %u", label_of(&c, k, lb, sizeof(lb)), r->class_count[k]);
		printf("\n");
	} else {
		struct result *idle = res[LOAD_IDLE];

		if (o.floors) {
			run_floors(&c, &floors);
			print_floors(&floors);
		}
		atexit(load_stop);
		for (int l = 0; l < LOAD_COUNT && !interrupted; l++) {
			if (!o.loads[l])
				continue;
			printf("--- %s%s\n", load_names[l],
			       l == LOAD_CPU ? ": a nice-0 CPU hog per CPU from now on" : "");
			if (l == LOAD_CPU)
				load_start(o.load_procs);
			for (int p = 0; p < PATH_COUNT && !interrupted; p++) {
				if (!o.paths[p])
					continue;
				run_path(&c, (enum path)p, &res[l][p]);
				lp_latencies_sort(&res[l][p].lat);
				print_result(&c, (enum path)p, &res[l][p]);
			}
			if (l == LOAD_CPU)
				load_stop();
		}
		for (int p = PATH_RELAY; p < PATH_COUNT; p++)
			if (idle[PATH_ZERO_COPY].ran && idle[p].ran)
				print_ratios(&idle[PATH_ZERO_COPY], &idle[p], path_titles[p]);
		print_table(&c, res);
		if (o.saturate > 0 && !interrupted)
			saturate(&c, idle);
		if (json)
			write_json(json, &c, &floors, res);
		for (int l = 0; l < LOAD_COUNT; l++)
			if (res[l][PATH_ZERO_COPY].ran &&
			    copied_per_inf(&res[l][PATH_ZERO_COPY]) != 0) {
				printf("FAIL: the zero-copy path copied bytes\n");
				status = 1;
			}
	}
	if (json)
		fclose(json);
	for (int l = 0; l < LOAD_COUNT; l++)
		for (int p = 0; p < PATH_COUNT; p++)
			result_free(&res[l][p]);
	lp_replay_free(&c.replay);
	aiot_model_free(c.st.model);
	aiot_accel_close(c.st.accel);
	return interrupted ? 130 : status;
}
