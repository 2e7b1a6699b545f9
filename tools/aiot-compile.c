// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-compile: a TensorFlow Lite int8 model -> an aiot model blob.
 *
 *   aiot-compile MODEL.tflite -o OUT.aiot [--report] [--name NAME]
 *                [--input FMT:WxH] [--rolling-window ROWS[:HOP]]
 *
 * Parses and checks the flatbuffer (tools/compile/tflite_reader.c), lowers
 * it to the aiot ISA (lower*.c), validates the stream with the kernel's own
 * validator, and writes the blob (blob.c). See docs/compiler.md.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "aiot_isa.h"
#include "blob.h"
#include "lower.h"
#include "tflite.h"

/* Exit codes (also in --help and docs/compiler.md). */
enum {
	EXIT_OK = 0,
	EXIT_MODEL = 1,     /* malformed model or unsupported operator */
	EXIT_USAGE = 2,
	EXIT_IO = 3,
	EXIT_INTERNAL = 4,  /* the lowered stream failed validation: a compiler bug */
};

#define MAX_MODEL_BYTES (256u * 1024 * 1024)

/* Every opcode of <linux/aiot_isa.h>, as the report names it. */
static const char *const isa_op_names[AIOT_ISA_NUM_OPCODES] = {
	[AIOT_ISA_OP_NOP] = "NOP",
	[AIOT_ISA_OP_FULLY_CONNECTED] = "FULLY_CONNECTED",
	[AIOT_ISA_OP_CONV_2D] = "CONV_2D",
	[AIOT_ISA_OP_DEPTHWISE_CONV_2D] = "DEPTHWISE_CONV_2D",
	[AIOT_ISA_OP_AVERAGE_POOL_2D] = "AVERAGE_POOL_2D",
	[AIOT_ISA_OP_MAX_POOL_2D] = "MAX_POOL_2D",
	[AIOT_ISA_OP_ADD] = "ADD",
	[AIOT_ISA_OP_RESHAPE] = "RESHAPE",
	[AIOT_ISA_OP_SOFTMAX] = "SOFTMAX",
	[AIOT_ISA_OP_REQUANTIZE] = "REQUANTIZE",
	[AIOT_ISA_OP_SENSOR_TO_INT8] = "SENSOR_TO_INT8",
	[AIOT_ISA_OP_SVDF] = "SVDF",
	[AIOT_ISA_OP_PAD] = "PAD",
	[AIOT_ISA_OP_TRANSPOSE] = "TRANSPOSE",
	[AIOT_ISA_OP_INSERT] = "INSERT",
	[AIOT_ISA_OP_MEAN] = "MEAN",
	[AIOT_ISA_OP_SUB] = "SUB",
	[AIOT_ISA_OP_MUL] = "MUL",
	[AIOT_ISA_OP_MAXIMUM] = "MAXIMUM",
	[AIOT_ISA_OP_MINIMUM] = "MINIMUM",
	[AIOT_ISA_OP_LEAKY_RELU] = "LEAKY_RELU",
	[AIOT_ISA_OP_TABLE] = "TABLE",
	[AIOT_ISA_OP_RESIZE] = "RESIZE",
	[AIOT_ISA_OP_FRAME_TO_TENSOR] = "FRAME_TO_TENSOR",
	[AIOT_ISA_OP_SIGNAL_WINDOW] = "SIGNAL_WINDOW",
	[AIOT_ISA_OP_SIGNAL_FFT_AUTO_SCALE] = "SIGNAL_FFT_AUTO_SCALE",
	[AIOT_ISA_OP_SIGNAL_RFFT] = "SIGNAL_RFFT",
	[AIOT_ISA_OP_SIGNAL_ENERGY] = "SIGNAL_ENERGY",
	[AIOT_ISA_OP_SIGNAL_FILTER_BANK] = "SIGNAL_FILTER_BANK",
	[AIOT_ISA_OP_SIGNAL_FILTER_BANK_SQRT] = "SIGNAL_FILTER_BANK_SQRT",
	[AIOT_ISA_OP_SIGNAL_SPECTRAL_SUBTRACTION] = "SIGNAL_SPECTRAL_SUBTRACTION",
	[AIOT_ISA_OP_SIGNAL_PCAN] = "SIGNAL_PCAN",
	[AIOT_ISA_OP_SIGNAL_FILTER_BANK_LOG] = "SIGNAL_FILTER_BANK_LOG",
	[AIOT_ISA_OP_CAST] = "CAST",
	[AIOT_ISA_OP_STRIDED_SLICE] = "STRIDED_SLICE",
	[AIOT_ISA_OP_ADD_INT32] = "ADD_INT32",
	[AIOT_ISA_OP_MUL_INT32] = "MUL_INT32",
	[AIOT_ISA_OP_DIV_INT32] = "DIV_INT32",
	[AIOT_ISA_OP_MINIMUM_INT32] = "MINIMUM_INT32",
	[AIOT_ISA_OP_MAXIMUM_INT32] = "MAXIMUM_INT32",
	[AIOT_ISA_OP_SLICE] = "SLICE",
	[AIOT_ISA_OP_TRANSPOSE_CONV] = "TRANSPOSE_CONV",
	[AIOT_ISA_OP_REDUCE] = "REDUCE",
	[AIOT_ISA_OP_LSTM] = "LSTM",
	[AIOT_ISA_OP_CONV_2D_S16] = "CONV_2D_S16",
	[AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16] = "DEPTHWISE_CONV_2D_S16",
	[AIOT_ISA_OP_FULLY_CONNECTED_S16] = "FULLY_CONNECTED_S16",
	[AIOT_ISA_OP_ADD_S16] = "ADD_S16",
	[AIOT_ISA_OP_TRANSPOSE_CONV_S16] = "TRANSPOSE_CONV_S16",
	[AIOT_ISA_OP_SOFTMAX_S16] = "SOFTMAX_S16",
	[AIOT_ISA_OP_SIGMOID_S16] = "SIGMOID_S16",
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: aiot-compile MODEL.tflite -o OUT.aiot [--report] [--name NAME]\n"
		"                    [--input FMT:WxH] [--rolling-window ROWS[:HOP]]\n"
		"\n"
		"Compile a TensorFlow Lite int8 model into an aiot model blob: the ISA\n"
		"command stream, its weights and the input/output description.\n"
		"\n"
		"  -o, --output FILE   where to write the blob (required)\n"
		"  -r, --report        print operators, memory and tensors\n"
		"  -n, --name NAME     model name stored in the blob (default: file name)\n"
		"  -i, --input FMT:WxH the blob's input is a camera frame: FMT grey, yuyv,\n"
		"                      uyvy, nv12, rgb24 or bgr24, W x H pixels (e.g.\n"
		"                      yuyv:640x480); FRAME_TO_TENSOR converts, resizes\n"
		"                      and quantises it to the model's input on the NPU;\n"
		"                      nv12m (multi-planar: two inputs, luma and chroma\n"
		"                      planes in buffers of their own) needs ISA 1.6\n"
		"  -w, --rolling-window ROWS[:HOP]\n"
		"                      an audio front end (int16 frame -> int8 feature row)\n"
		"                      as a per-slot stage: the input is a slot of HOP\n"
		"                      samples (default 2/3 of the frame), the frame its\n"
		"                      previous samples and the slot; the output keeps the\n"
		"                      last ROWS rows, newest last (docs/pipeline.md)\n"
		"  -q, --quiet         print nothing on success\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 compiled; 1 the model is malformed or uses an operator\n"
		"the aiot ISA does not have (reported by name and index); 2 usage;\n"
		"3 file I/O; 4 internal error (the stream failed validation).\n");
}

static const char *human_bytes(size_t n, char *buf, size_t len)
{
	if (n < 1024)
		snprintf(buf, len, "%zu B", n);
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%.1f KiB (%zu B)", n / 1024.0, n);
	else
		snprintf(buf, len, "%.2f MiB (%zu B)", n / (1024.0 * 1024.0), n);
	return buf;
}

static const char *dtype_name(int dtype)
{
	switch (dtype) {
	case AIOT_ISA_DTYPE_INT8: return "int8";
	case AIOT_ISA_DTYPE_INT16: return "int16";
	case AIOT_ISA_DTYPE_INT32: return "int32";
	default: return "?";
	}
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	size_t got;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		fclose(f);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > MAX_MODEL_BYTES) {
		fclose(f);
		return -EFBIG;
	}
	*data = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!*data) {
		fclose(f);
		return -ENOMEM;
	}
	got = fread(*data, 1, (size_t)st.st_size, f);
	fclose(f);
	if (got != (size_t)st.st_size) {
		free(*data);
		return -EIO;
	}
	*size = got;
	return 0;
}

/* Write to a temporary file next to `path`, then rename: no half blobs. */
static int write_file(const char *path, const void *data, size_t size)
{
	size_t len = strlen(path) + 16;
	char *tmp = malloc(len);
	FILE *f;
	int rc = 0;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "wb");
	if (!f) {
		rc = -errno;
		free(tmp);
		return rc;
	}
	if (fwrite(data, 1, size, f) != size)
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

static void print_tensor(const char *what, unsigned int index, const char *name,
			 const struct aiot_lowered_tensor *t)
{
	printf("  %-6s %u \"%s\" %s [%ux%ux%ux%u] scale %.9g zero point %d (%u B, slot %u)%s\n",
	       what, index, name, dtype_name(t->dtype), t->dims[0], t->dims[1], t->dims[2],
	       t->dims[3], (double)t->scale, t->zero_point, t->bytes, t->binding,
	       t->dequantize ? "; its DEQUANTIZE to float32 is the host's" : "");
}

static void report(const struct tflite_model *m, const struct aiot_lowered_model *lm,
		   size_t blob_size, uint64_t work)
{
	unsigned int tfl_count[256] = { 0 }, isa_count[AIOT_ISA_NUM_OPCODES] = { 0 };
	struct aiot_isa_op_header oh;
	size_t pos = sizeof(struct aiot_isa_header);
	char b1[64];

	printf("TFLite operators (%u):\n", m->operator_count);
	for (uint32_t i = 0; i < m->operator_count; i++) {
		int32_t code = m->operators[i].builtin_code;

		if (code >= 0 && code < 256)
			tfl_count[code]++;
	}
	for (int code = 0; code < 256; code++)
		if (tfl_count[code])
			printf("  %-20s %u\n", tflite_builtin_name(code), tfl_count[code]);
	/* The stream was validated: its records are well formed. */
	for (uint32_t i = 0; i < lm->op_count && pos + sizeof(oh) <= lm->stream_size; i++) {
		memcpy(&oh, lm->stream + pos, sizeof(oh));
		if (oh.opcode < AIOT_ISA_NUM_OPCODES)
			isa_count[oh.opcode]++;
		pos += oh.size;
	}
	printf("aiot ISA %u.%u operations (%u):\n", lm->isa_version >> 16,
	       lm->isa_version & 0xffff, lm->op_count);
	for (int op = 0; op < AIOT_ISA_NUM_OPCODES; op++)
		if (isa_count[op])
			printf("  %-20s %u\n", isa_op_names[op] ? isa_op_names[op] : "?",
			       isa_count[op]);
	printf("memory:\n");
	printf("  arena            %s\n", human_bytes(lm->arena_size, b1, sizeof(b1)));
	if (lm->state_size)
		printf("  of which state   %s (persists between runs; zeroed at load)\n",
		       human_bytes(lm->state_size, b1, sizeof(b1)));
	printf("  weights          %s\n", human_bytes(lm->weights_size, b1, sizeof(b1)));
	printf("  command stream   %s\n", human_bytes(lm->stream_size, b1, sizeof(b1)));
	printf("  work             %" PRIu64 " units (MACs and elements; docs/isa.md)\n", work);
	printf("  blob             %s\n", human_bytes(blob_size, b1, sizeof(b1)));
	if (lm->input_pixel_format) {
		const struct aiot_lowered_tensor *g = &lm->graph_input;

		printf("added preprocessing (--input):\n");
		printf("  operation 0: FRAME_TO_TENSOR %s %ux%u (%u B, packed rows) -> "
		       "\"%s\" int8 [%ux%ux%ux%u]: whole frame, bilinear, half-pixel centres, "
		       "%s, pixel v 0..255 -> v - 128 (the input's int8 range; its scale %.9g, "
		       "zero point %d)\n",
		       aiot_lower_frame_name(lm->input_pixel_format), lm->input.dims[2],
		       lm->input.dims[1], lm->input.bytes, m->tensors[m->inputs[0]].name,
		       g->dims[0], g->dims[1], g->dims[2], g->dims[3],
		       g->dims[3] == 1 ? "luma" : "R, G, B", (double)g->scale, g->zero_point);
	}
	printf("tensors:\n");
	if (lm->input_pixel_format) {
		printf("  input  \"frame\" %s %ux%u (V4L2 fourcc 0x%08x, %u B%s)\n",
		       aiot_lower_frame_name(lm->input_pixel_format), lm->input.dims[2],
		       lm->input.dims[1], lm->input_pixel_format, lm->input.bytes,
		       lm->input_pixel_format == V4L2_PIX_FMT_NV12M ? ", the luma plane" : "");
	if (lm->input_pixel_format == V4L2_PIX_FMT_NV12M)
		printf("  input  \"frame_chroma\" NV12M %ux%u (the chroma plane, %u B)\n",
		       lm->input.dims[2], lm->input.dims[1], lm->input.bytes / 2);
	} else {
		for (unsigned int i = 0; i < lm->input_count; i++)
			print_tensor("input", i, m->tensors[m->inputs[i]].name, &lm->inputs[i]);
	}
	for (unsigned int j = 0; j < lm->output_count; j++)
		print_tensor("output", j, m->tensors[m->outputs[j]].name, &lm->outputs[j]);
}

/*
 * The accelerator's default work limit per job (docs/uapi.md,
 * max_job_work); a device may report a lower one.
 */
#define DEFAULT_MAX_JOB_WORK	(1ULL << 32)

/* The kernel will validate the stream anyway; failing here means a bug. */
static int self_check(const struct aiot_lowered_model *lm, char *err, size_t errlen,
		      uint64_t *work)
{
	u64 sizes[AIOT_ISA_MAX_BINDINGS] = { 0 };
	unsigned int n = AIOT_ISA_BINDING_ARENA + 1;
	struct aiot_isa_summary sum;
	int rc;

	sizes[AIOT_ISA_BINDING_WEIGHTS] = lm->weights_size;
	sizes[AIOT_ISA_BINDING_ARENA] = lm->arena_size;
	for (unsigned int i = 0; i < lm->input_count + lm->output_count; i++) {
		const struct aiot_lowered_tensor *t = i < lm->input_count ? &lm->inputs[i] :
						      &lm->outputs[i - lm->input_count];

		sizes[t->binding] = t->bytes;
		if (t->binding >= n)
			n = t->binding + 1u;
	}
	if (lm->input_pixel_format == V4L2_PIX_FMT_NV12M) {
		/* NV12M's chroma plane, the second input */
		sizes[AIOT_LOWER_BINDING_CHROMA] = lm->input.bytes / 2;
		if (n < AIOT_LOWER_BINDING_CHROMA + 1)
			n = AIOT_LOWER_BINDING_CHROMA + 1;
	}
	rc = aiot_isa_validate(lm->stream, lm->stream_size, sizes, n, &sum);
	if (rc)
		snprintf(err, errlen, "the ISA validator rejects operation %u of the lowered "
			 "stream (%s)", sum.error_op, strerror(-rc));
	*work = sum.work;
	return rc;
}

/* "dir/person_detect.tflite" -> "person_detect" */
static void default_name(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/');
	char *dot;

	snprintf(out, len, "%s", base ? base + 1 : path);
	dot = strrchr(out, '.');
	if (dot && dot != out)
		*dot = '\0';
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "report", no_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "input", required_argument, NULL, 'i' },
		{ "rolling-window", required_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = NULL, *name = NULL, *in_path, *frame_spec = NULL;
	const char *window_spec = NULL;
	struct aiot_lower_window window;
	struct aiot_lower_frame frame;
	bool want_report = false, quiet = false;
	struct aiot_lowered_model *lm = NULL;
	struct tflite_model *m = NULL;
	uint64_t work = 0;
	struct aiot_blob_names names;
	char err[16384], name_buf[64];
	uint8_t *data = NULL;
	void *blob = NULL;
	size_t size = 0, blob_size = 0;
	int c, rc, status = EXIT_OK;

	while ((c = getopt_long(argc, argv, "o:rn:i:w:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case 'r': want_report = true; break;
		case 'n': name = optarg; break;
		case 'i': frame_spec = optarg; break;
		case 'w': window_spec = optarg; break;
		case 'q': quiet = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !out_path) {
		fprintf(stderr, "aiot-compile: %s\n", optind >= argc ? "no model given" :
			optind < argc - 1 ? "more than one model given" : "no output (-o) given");
		usage(stderr);
		return EXIT_USAGE;
	}
	in_path = argv[optind];
	if (frame_spec && aiot_lower_parse_frame(frame_spec, &frame, err, sizeof(err))) {
		fprintf(stderr, "aiot-compile: --input %s\n", err);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (window_spec && aiot_lower_parse_window(window_spec, &window, err, sizeof(err))) {
		fprintf(stderr, "aiot-compile: --rolling-window %s: %s\n", window_spec, err);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (window_spec && frame_spec) {
		fprintf(stderr, "aiot-compile: --input and --rolling-window do not go together\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	rc = read_file(in_path, &data, &size);
	if (rc) {
		fprintf(stderr, "aiot-compile: %s: %s\n", in_path,
			rc == -EFBIG ? "larger than 256 MiB" :
			rc == -EINVAL ? "not a regular file" : strerror(-rc));
		return EXIT_IO;
	}
	rc = tflite_model_load(data, size, &m, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "aiot-compile: %s: not a usable TFLite model: %s\n", in_path, err);
		status = rc == -ENOMEM ? EXIT_INTERNAL : EXIT_MODEL;
		goto out;
	}
	rc = aiot_lower_model_opts(m, frame_spec ? &frame : NULL, window_spec ? &window : NULL,
				   &lm, err, sizeof(err));
	if (rc) {
		/* One line per operator that cannot be lowered. */
		for (char *line = err, *nl; line; line = nl) {
			nl = strchr(line, '\n');
			if (nl)
				*nl++ = '\0';
			fprintf(stderr, "aiot-compile: %s: %s%s\n", in_path,
				rc == -EOPNOTSUPP ? "unsupported: " : "", line);
		}
		status = rc == -ENOMEM ? EXIT_INTERNAL : EXIT_MODEL;
		goto out;
	}
	if (self_check(lm, err, sizeof(err), &work)) {
		fprintf(stderr, "aiot-compile: %s: internal error: %s\n", in_path, err);
		status = EXIT_INTERNAL;
		goto out;
	}
	if (work > DEFAULT_MAX_JOB_WORK)
		fprintf(stderr, "aiot-compile: %s: warning: %" PRIu64 " units of work (MACs) "
			"exceed the accelerator's default limit of %llu a job: SUBMIT will "
			"fail with E2BIG\n", in_path, work, DEFAULT_MAX_JOB_WORK);
	if (!name) {
		default_name(in_path, name_buf, sizeof(name_buf));
		name = name_buf;
	}
	names.model = name;
	/* The lowered tensors' own names: the model's, or "frame", "slot", "window". */
	names.input = NULL;
	names.output = NULL;
	rc = aiot_blob_write(lm, &names, &blob, &blob_size, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "aiot-compile: %s: cannot write a blob: %s\n", in_path, err);
		status = EXIT_MODEL;
		goto out;
	}
	rc = write_file(out_path, blob, blob_size);
	if (rc) {
		fprintf(stderr, "aiot-compile: %s: %s\n", out_path, strerror(-rc));
		status = EXIT_IO;
		goto out;
	}
	if (want_report)
		report(m, lm, blob_size, work);
	else if (!quiet)
		printf("%s: %u operations, arena %zu B, weights %zu B -> %s (%zu B)\n", in_path,
		       lm->op_count, lm->arena_size, lm->weights_size, out_path, blob_size);
out:
	free(blob);
	aiot_lowered_model_free(lm);
	tflite_model_free(m);
	free(data);
	return status;
}
