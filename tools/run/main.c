// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run: run a compiled model on files, or on a live sensor stream, and
 * print its decisions.
 *
 *   aiot-run [--device npu|cpu] MODEL.aiot INPUT...
 *   aiot-run --sensor NAME [--replay A.bmp,...] [--count N] [--duration SEC]
 *            MODEL.aiot
 *   aiot-run --v4l2 /dev/videoN [--count N] [--duration SEC] MODEL.aiot
 *
 * --device npu loads the blob onto the aiot accelerator through
 * libaiot-accel's model API; --device cpu runs it on the userspace build of
 * the ISA reference executor (the CPU fallback, bit-exact with the NPU).
 * A model of several inputs takes "FILE,FILE" or "NAME=FILE,..." per
 * inference (input.c) and prints every output. Inputs: .bmp (8-bit grayscale, pixel bytes fed unchanged, top row
 * first: upstream's convention), .wav (16-bit mono PCM into an int16
 * input) or, with --raw, the tensor's bytes. Several inputs run one after
 * the other on the same model, so stateful models (SVDF) see a stream.
 * --bench N reports throughput and latency percentiles (on the CPU also
 * the reference executor against the fast one, lib/exec). See
 * docs/compiler.md.
 *
 * --sensor runs the model on the NPU on every slot of a live sensor stream
 * with no copy: tools/pipeline/ (shared with aiot-bench) imports the ring's
 * slots into the accelerator and queues a job ahead on each, which starts
 * when the slot's DMA completes. Each decision is printed with its
 * capture -> decision latency, then a summary. See docs/tools.md.
 *
 * --v4l2 does the same on a V4L2 camera (v4l2.c): a format the model's
 * input takes as it is, MMAP buffers exported once and imported once into
 * the NPU, each frame bound with no copy and requeued when its job's fence
 * signals.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: aiot-run [OPTIONS] MODEL.aiot INPUT...\n"
		"       aiot-run --sensor NAME [LIVE OPTIONS] MODEL.aiot\n"
		"       aiot-run --v4l2 /dev/videoN [--pipeline] [--count N] [--duration SEC] [--slots N]\n"
		"                [--summary [--quiet]] MODEL.aiot\n"
		"\n"
		"Run a compiled model (aiot-compile) on input files and print the scores;\n"
		"or, with --sensor, on every slot of a live sensor stream, on the NPU with\n"
		"no copy, printing each decision with its capture->decision latency and a\n"
		"summary at the end.\n"
		"\n"
		"  -d, --device npu|cpu   npu: the aiot accelerator (default when one is\n"
		"                         present); cpu: the userspace reference executor\n"
		"  -a, --accel PATH       accelerator node (default: the first aiot device)\n"
		"  -l, --labels a,b,...   class names of the outputs (default for\n"
		"                         person_detect and micro_speech)\n"
		"  -r, --raw              inputs are raw tensor bytes (exactly its size)\n"
		"  -b, --bench N          run N timed inferences on the (last) input, or on\n"
		"                         zeros without INPUT; print inferences/s, p50, p99\n"
		"                         (on the NPU also of each job's device time; on\n"
		"                         the CPU also the reference executor against the\n"
		"                         fast one, in alternating batches, and whether\n"
		"                         their outputs are identical)\n"
		"  -h, --help             this text\n"
		"\n"
		"INPUT: .bmp (8-bit grayscale; pixel bytes fed unchanged, top row first),\n"
		".wav (16-bit mono PCM, into an int16 input), or any file with --raw.\n"
		"A model of several inputs takes each INPUT as FILE,FILE,... (one file per\n"
		"input, in order) or NAME=FILE,... (by input tensor name); every output is\n"
		"printed, the labels naming output 0's classes.\n"
		"      --frontend FE.aiot each .wav INPUT goes through this audio front end\n"
		"                         (a compiled audio_preprocessor_int8.tflite) in\n"
		"                         frames overlapping by a third; the feature rows\n"
		"                         are the model's input (micro_speech_quantized)\n"
		"\n"
		"Live options (the model's input must be exactly one slot of the stream,\n"
		"of the same element type: U8 samples for an int8 input, S16_LE for int16):\n"
		"  -s, --sensor NAME      the sensor stream, by name (camera0; aiot-info lists\n"
		"                         them) or device node (/dev/aiot/sensor2)\n"
		"  -i, --replay A.bmp,... the (simulated) camera replays these 8-bit\n"
		"                         grayscale images, in this order, then loops\n"
		"                         (default: the sensor's live pattern); up to %d\n"
		"      --hold N           frames each replayed image lasts (default: 1 s)\n"
		"  -c, --count N          stop after N slots (each a decision or an error)\n"
		"  -t, --duration SEC     stop after SEC seconds (default, without --count\n"
		"                         either: run until Ctrl-C)\n"
		"      --rate HZ          sensor sample rate (default: about half of what the\n"
		"                         NPU sustains, from 5 timed runs at start)\n"
		"      --slots N          ring slots, each with a job queued ahead, 2..%d\n"
		"                         (default 4)\n"
		"  -S, --summary          print only the summary, not every decision; a\n"
		"                         progress line goes to stderr every 5 s\n"
		"  -q, --quiet            with --summary: no progress line\n"
		"\n"
		"Keyword spotting in a standing pipeline (docs/pipeline.md):\n"
		"  aiot-run --sensor mic0 --frontend FE.aiot [--replay A.wav,...] [--period K]\n"
		"           [--rate HZ] [--count N] [--duration SEC] MODEL.aiot\n"
		"FE is a front end compiled with aiot-compile --rolling-window (a slot of\n"
		"samples in, MODEL's whole input out); the kernel runs it on every slot and\n"
		"MODEL every K slots (default: the window's rows), with no userspace work\n"
		"per slot. --replay has the simulated microphone play the .wav files (16-bit\n"
		"mono) one after the other; without --count or --duration the run ends after\n"
		"the decisions their samples fill. --rate defaults to 16000; --count counts\n"
		"decisions. Output: \"decision P (slot S): word W score X ... DMA\n"
		"done->decision T, device T\" (W: the top class at probability >= 200/256,\n"
		"else the first class), then the pipeline's counters (slots, periods, late,\n"
		"skipped, sensor drops, userspace wake-ups per slot) and timing.\n"
		"\n"
		"V4L2 cameras (--v4l2 DEVICE): the camera's frames go to the NPU with no copy.\n"
		"The model's input must be a frame as it is: int8 [1,H,W,1] takes GREY HxW,\n"
		"int8 [1,H,W,3] RGB24 HxW (pixel bytes unchanged); otherwise aiot-run names\n"
		"the preprocessing that is missing and stops (exit 1). --slots sets the\n"
		"number of V4L2 buffers (default 4); --count, --duration and --summary as\n"
		"above. Output: \"#SEQ t=SEC LABEL SCORE capture->decision LATENCY device\n"
		"TIME\" per frame (SEQ: the V4L2 sequence number, the latency from the\n"
		"buffer's V4L2 timestamp), the buffers returned at stop, and a summary with\n"
		"frames/s, p50/p99 latency and the bytes the CPU copied (0).\n"
		"--pipeline (with --v4l2): hand each frame to a standing pipeline in the\n"
		"kernel (uAPI 1.3, docs/pipeline.md) instead of submitting a job per frame;\n"
		"a frame that comes while the model still runs is skipped and counted; the\n"
		"summary adds the userspace wake-ups per frame.\n"
		"\n"
		"Live output: \"#SEQ t=SEC LABEL SCORE capture->decision LATENCY\" per slot,\n"
		"SEQ being the sensor's period number (gaps are dropped periods), then\n"
		"\"summary: N decisions ..., p50/p99/max latency, bytes the CPU copied\n"
		"(library + sensor driver; 0 on this path), dropped periods, errors\".\n"
		"Ctrl-C stops the stream and prints the summary.\n"
		"\n"
		"Exit status: 0 ok; 1 load/run failed (no accelerator, unknown sensor,\n"
		"model unusable or not fitting the sensor, a device error, or a slot whose\n"
		"DMA or job failed); 2 usage (also a --rate the sensor does not take, or\n"
		"--replay on a sensor that is not an 8-bit camera); 3 input file (INPUT or\n"
		"--replay image) unusable; 130 interrupted before --count/--duration.\n",
		LP_MAX_IMAGES, LP_MAX_SLOTS);
}

/* ---------------------------------------------------------------- main */

static int parse_count(const char *opt, const char *arg, unsigned long long min,
		       unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max) {
		fprintf(stderr, "aiot-run: %s takes a count of %llu..%llu, not '%s'\n", opt, min,
			max, arg);
		return -1;
	}
	*out = v;
	return 0;
}

enum { OPT_HOLD = 256, OPT_RATE, OPT_SLOTS, OPT_V4L2, OPT_FRONTEND, OPT_V4L2_PIPELINE,
       OPT_PERIOD };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "accel", required_argument, NULL, 'a' },
		{ "labels", required_argument, NULL, 'l' },
		{ "raw", no_argument, NULL, 'r' },
		{ "bench", required_argument, NULL, 'b' },
		{ "sensor", required_argument, NULL, 's' },
		{ "v4l2", required_argument, NULL, OPT_V4L2 },
		{ "pipeline", no_argument, NULL, OPT_V4L2_PIPELINE },
		{ "replay", required_argument, NULL, 'i' },
		{ "hold", required_argument, NULL, OPT_HOLD },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "slots", required_argument, NULL, OPT_SLOTS },
		{ "summary", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "frontend", required_argument, NULL, OPT_FRONTEND },
		{ "period", required_argument, NULL, OPT_PERIOD },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *device = NULL, *accel_path = NULL, *label_arg = NULL, *model_path;
	struct live_opts lo = { .slots = 4 };
	struct session s = { 0 };
	const char *labels[MAX_LABELS];
	char *label_copy = NULL, *replay_copy = NULL, *end;
	const char *replay_arg = NULL, *frontend = NULL;
	unsigned int nlabels = 0;
	unsigned long long v;
	long bench_n = 0;
	bool raw = false;
	int c, rc, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "d:a:l:rb:s:i:c:t:Sqh", opts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'a': accel_path = optarg; break;
		case 'l': label_arg = optarg; break;
		case 'r': raw = true; break;
		case 'b':
			errno = 0;
			bench_n = strtol(optarg, &end, 10);
			if (errno || *end || bench_n < 1 || bench_n > 10000000) {
				fprintf(stderr, "aiot-run: --bench takes a count of 1..10000000\n");
				return EXIT_USAGE;
			}
			break;
		case 's': lo.sensor = optarg; break;
		case OPT_V4L2: lo.v4l2 = optarg; break;
		case OPT_V4L2_PIPELINE: lo.v4l2_pipeline = true; break;
		case OPT_FRONTEND: frontend = optarg; break;
		case 'i': replay_arg = optarg; break;
		case OPT_HOLD:
			if (parse_count("--hold", optarg, 1, 100000, &v))
				return EXIT_USAGE;
			lo.hold = (unsigned int)v;
			break;
		case 'c':
			if (parse_count("--count", optarg, 1, 1000000000, &v))
				return EXIT_USAGE;
			lo.count = v;
			break;
		case 't':
			errno = 0;
			lo.duration = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(lo.duration > 0) ||
			    lo.duration > 31 * 86400.0) {
				fprintf(stderr, "aiot-run: --duration takes seconds in (0, %u], not "
					"'%s'\n", 31 * 86400, optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_RATE:
			if (parse_count("--rate", optarg, 1, 10000000, &v))
				return EXIT_USAGE;
			lo.rate = (unsigned int)v;
			break;
		case OPT_PERIOD:
			if (parse_count("--period", optarg, 1, 65536, &v))
				return EXIT_USAGE;
			lo.period = (unsigned int)v;
			break;
		case OPT_SLOTS:
			if (parse_count("--slots", optarg, 2, LP_MAX_SLOTS, &v))
				return EXIT_USAGE;
			lo.slots = (unsigned int)v;
			break;
		case 'S': lo.summary = true; break;
		case 'q': lo.quiet = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (device && strcmp(device, "cpu") && strcmp(device, "npu")) {
		fprintf(stderr, "aiot-run: unknown device \"%s\" (npu or cpu)\n", device);
		return EXIT_USAGE;
	}
	if (lo.v4l2_pipeline && !lo.v4l2) {
		fprintf(stderr, "aiot-run: --pipeline goes with --v4l2\n");
		return EXIT_USAGE;
	}
	if (lo.sensor && lo.v4l2) {
		fprintf(stderr, "aiot-run: --sensor and --v4l2 do not go together\n");
		return EXIT_USAGE;
	}
	if (lo.v4l2) {
		const char *bad = replay_arg ? "--replay" : lo.hold ? "--hold" :
				  lo.rate ? "--rate" : NULL;

		if (bad) {
			fprintf(stderr, "aiot-run: --v4l2 does not go with %s (a camera has its own "
				"frames and frame rate)\n", bad);
			return EXIT_USAGE;
		}
	}
	if (lo.sensor || lo.v4l2) {
		const char *opt = lo.sensor ? "--sensor" : "--v4l2";
		const char *bad = device && !strcmp(device, "cpu") ?
				  "--device cpu (a live stream runs on the NPU, without a copy)" :
				  raw ? "--raw" : bench_n ? "--bench" : NULL;

		if (bad) {
			fprintf(stderr, "aiot-run: %s does not go with %s\n", opt, bad);
			return EXIT_USAGE;
		}
		if (optind >= argc) {
			fprintf(stderr, "aiot-run: no model given\n");
			usage(stderr);
			return EXIT_USAGE;
		}
		if (optind + 1 < argc) {
			fprintf(stderr, "aiot-run: %s takes no INPUT file ('%s')%s\n", opt,
				argv[optind + 1], lo.sensor ? "; --replay A.bmp,B.bmp has the "
				"camera replay images" : "");
			return EXIT_USAGE;
		}
	} else {
		const char *live_only = replay_arg ? "--replay" : lo.hold ? "--hold" :
					lo.count ? "--count" : lo.duration > 0 ? "--duration" :
					lo.rate ? "--rate" : lo.slots != 4 ? "--slots" :
					lo.summary ? "--summary" : lo.quiet ? "--quiet" : NULL;

		if (live_only) {
			fprintf(stderr, "aiot-run: %s goes with --sensor or --v4l2\n", live_only);
			return EXIT_USAGE;
		}
		if (optind >= argc || (optind == argc - 1 && !bench_n)) {
			fprintf(stderr, "aiot-run: %s\n", optind >= argc ? "no model given" :
				"no input given");
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (lo.hold && !replay_arg) {
		fprintf(stderr, "aiot-run: --hold goes with --replay\n");
		return EXIT_USAGE;
	}
	if (lo.quiet && !lo.summary) {
		fprintf(stderr, "aiot-run: --quiet goes with --summary (every decision is printed "
			"otherwise)\n");
		return EXIT_USAGE;
	}
	if (replay_arg) {
		replay_copy = strdup(replay_arg);
		if (!replay_copy) {
			fprintf(stderr, "aiot-run: out of memory\n");
			return EXIT_FAIL;
		}
		for (char *tok = strtok(replay_copy, ","); tok; tok = strtok(NULL, ",")) {
			if (lo.image_count == LP_MAX_IMAGES) {
				fprintf(stderr, "aiot-run: --replay takes at most %d images\n",
					LP_MAX_IMAGES);
				free(replay_copy);
				return EXIT_USAGE;
			}
			lo.images[lo.image_count++] = tok;
		}
		if (!lo.image_count) {
			fprintf(stderr, "aiot-run: --replay needs at least one image\n");
			free(replay_copy);
			return EXIT_USAGE;
		}
	}
	model_path = argv[optind++];

	if (lo.sensor || lo.v4l2) {
		rc = open_npu(&s, accel_path, model_path, false);
	} else if (!device || !strcmp(device, "npu")) {
		rc = open_npu(&s, accel_path, model_path, !device);
		if (rc && !device && !s.accel) {
			fprintf(stderr, "aiot-run: no aiot accelerator; running on the CPU "
				"(--device cpu)\n");
			rc = open_cpu(&s, model_path);
		}
	} else {
		rc = open_cpu(&s, model_path);
	}
	if (rc) {
		status = EXIT_FAIL;
		goto out;
	}
	if (!label_arg)
		label_arg = default_labels(s.name);
	if (label_arg) {
		label_copy = strdup(label_arg);
		if (!label_copy) {
			status = EXIT_FAIL;
			goto out;
		}
		nlabels = split_labels(label_copy, labels);
	}
	if ((lo.sensor || lo.v4l2 || frontend) && (s.input_count != 1 || s.output_count != 1)) {
		fprintf(stderr, "aiot-run: %s has %u inputs and %u outputs; %s takes a model of "
			"one input and one output\n", model_path, s.input_count, s.output_count,
			lo.sensor ? "--sensor" : lo.v4l2 ? "--v4l2" : "--frontend");
		status = EXIT_FAIL;
		goto out;
	}
	if (lo.sensor && frontend) {
		status = run_mic(&lo, &s, model_path, frontend, labels, nlabels);
		goto out;
	}
	if (lo.sensor) {
		status = run_live(&lo, &s, model_path, labels, nlabels);
		goto out;
	}
	if (lo.v4l2) {
		status = run_v4l2(&lo, &s, model_path, labels, nlabels);
		goto out;
	}
	if (s.in_planes == 2) {
		fprintf(stderr, "aiot-run: %s takes an NV12M camera frame in two planes (two "
			"inputs): run it on a camera with --v4l2\n", model_path);
		status = EXIT_FAIL;
		goto out;
	}
	print_model(&s, model_path);
	for (; optind < argc; optind++) {
		double t0;

		if (frontend) {
			status = run_frontend(frontend, accel_path, &s, argv[optind], labels,
					      nlabels);
			if (status)
				goto out;
			continue;
		}

		if (load_inputs(argv[optind], raw, &s)) {
			status = EXIT_IO;
			goto out;
		}
		t0 = now_us();
		rc = infer(&s);
		if (rc) {
			fprintf(stderr, "aiot-run: %s: inference failed: %s\n", argv[optind],
				strerror(-rc));
			status = EXIT_FAIL;
			goto out;
		}
		print_scores(&s, argv[optind], now_us() - t0, labels, nlabels);
	}
	if (bench_n) {
		rc = bench(&s, bench_n);
		if (!rc && !s.npu)
			rc = bench_cpu_executors(&s, bench_n);
		if (rc) {
			fprintf(stderr, "aiot-run: bench: %s\n", strerror(-rc));
			status = EXIT_FAIL;
		}
	}
out:
	free(label_copy);
	free(replay_copy);
	close_session(&s);
	return status;
}
