// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-mkfw: write the reference NPU's firmware file (docs/npu-firmware.md).
 *
 *   aiot-mkfw [--version MAJ.MIN.PATCH] -o aiot-sim-npu-1.fw
 *
 * The firmware is the NPU's power-on self-test: a command stream that runs
 * every kind of operation once (sensor conversion, convolution, depthwise
 * convolution, both poolings, add, reshape, fully connected, softmax) on
 * fixed pseudo-random data, and the golden bytes of the arena afterwards,
 * computed here by the userspace build of the reference executor. aiot-sim
 * runs the stream at probe with the kernel build of the same executor and
 * refuses the device if a single byte differs. The output is a pure
 * function of the version: the build is reproducible.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aiot/model_format.h>
#include <linux/aiot_isa.h>

#include "aiot_isa.h"
#include "../../lib/le_bytes.h"
#include "sim/aiot_sim_fw_format.h"

enum { B_INPUT, B_WEIGHTS, B_ARENA, NBINDINGS };

/* Where everything lives; each region 16-byte aligned. */
enum {
	/* B_INPUT: int16 [1, 8, 8, 4] "sensor" samples */
	IN_SAMPLES = 0, INPUT_SIZE = 512,
	/* B_WEIGHTS */
	W_CONV = 0,		/* int8 [8, 3, 3, 4] */
	W_CONV_Q = 288,		/* 8 channel quant records */
	W_DW = 384,		/* int8 [1, 3, 3, 8] */
	W_DW_Q = 464,		/* 8 records */
	W_FC = 560,		/* int8 [10, 1, 1, 32] */
	W_FC_Q = 880,		/* 10 records */
	WEIGHTS_SIZE = 1008,
	/* B_ARENA */
	A_INT8 = 0,		/* int8 [1, 8, 8, 4] */
	A_CONV = 256,		/* int8 [1, 8, 8, 8] */
	A_DW = 768,		/* int8 [1, 4, 4, 8] */
	A_MAX = 896,		/* int8 [1, 2, 2, 8] */
	A_AVG = 928,		/* int8 [1, 2, 2, 8] */
	A_ADD = 960,		/* int8 [1, 2, 2, 8] */
	A_FLAT = 992,		/* int8 [1, 1, 1, 32] */
	A_FC = 1024,		/* int8 [1, 1, 1, 10] */
	A_SOFTMAX = 1040,	/* int8 [1, 1, 1, 10] */
	ARENA_SIZE = 1056,
};

struct stream {
	uint8_t buf[4096];
	uint32_t size, ops;
};

static void emit(struct stream *s, void *op, uint16_t opcode, uint32_t size)
{
	struct aiot_isa_op_header *hdr = op;

	hdr->opcode = opcode;
	hdr->size = size;
	memcpy(s->buf + s->size, op, size);
	s->size += size;
	s->ops++;
}

static struct aiot_isa_tensor tensor(uint8_t binding, uint32_t offset, uint8_t dtype,
				     uint32_t n, uint32_t h, uint32_t w, uint32_t c)
{
	struct aiot_isa_tensor t = {
		.offset = offset, .binding = binding, .dtype = dtype,
		.dims = { n, h, w, c },
	};
	return t;
}

#define I8(b, off, n, h, w, c) tensor(b, off, AIOT_ISA_DTYPE_INT8, n, h, w, c)

/* A fixed 32-bit LCG: the same bytes on every host. */
static uint32_t lcg_state = 0x41494f54;

static uint32_t lcg(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state >> 8;
}

static void fill_random(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)lcg();
}

static void put_quant(uint8_t *p, unsigned int channels, int32_t multiplier, int32_t shift)
{
	for (unsigned int i = 0; i < channels; i++) {
		struct aiot_isa_channel_quant q = {
			.bias = (int32_t)(lcg() % 2048) - 1024,
			/* Slightly different scales per channel, as real models have. */
			.multiplier = multiplier - (int32_t)(lcg() % (1u << 26)),
			.shift = shift,
		};
		memcpy(p + i * sizeof(q), &q, sizeof(q));
	}
}

static void build_stream(struct stream *s)
{
	const struct aiot_isa_activation full = { -128, 127 };
	struct aiot_isa_op_requantize rq = {
		.input = tensor(B_INPUT, IN_SAMPLES, AIOT_ISA_DTYPE_INT16, 1, 8, 8, 4),
		.output = I8(B_ARENA, A_INT8, 1, 8, 8, 4),
		.output_zero_point = -3, .multiplier = 1518500250, .shift = -8,
		.act = full,
	};
	struct aiot_isa_op_conv conv = {
		.input = I8(B_ARENA, A_INT8, 1, 8, 8, 4),
		.filter = I8(B_WEIGHTS, W_CONV, 8, 3, 3, 4),
		.output = I8(B_ARENA, A_CONV, 1, 8, 8, 8),
		.quant = { .offset = W_CONV_Q, .binding = B_WEIGHTS },
		.input_zero_point = -3, .output_zero_point = -128,
		.act = { -128, 127 },	/* RELU: the output zero point upwards */
		.stride_h = 1, .stride_w = 1, .dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_left = 1,
	};
	struct aiot_isa_op_conv dw = {
		.input = I8(B_ARENA, A_CONV, 1, 8, 8, 8),
		.filter = I8(B_WEIGHTS, W_DW, 1, 3, 3, 8),
		.output = I8(B_ARENA, A_DW, 1, 4, 4, 8),
		.quant = { .offset = W_DW_Q, .binding = B_WEIGHTS },
		.input_zero_point = -128, .output_zero_point = 5,
		.act = { -100, 100 },
		.stride_h = 2, .stride_w = 2, .dilation_h = 1, .dilation_w = 1,
		.pad_top = 1, .pad_left = 1, .depth_multiplier = 1,
	};
	struct aiot_isa_op_pool maxp = {
		.input = I8(B_ARENA, A_DW, 1, 4, 4, 8),
		.output = I8(B_ARENA, A_MAX, 1, 2, 2, 8),
		.act = full, .filter_h = 2, .filter_w = 2, .stride_h = 2, .stride_w = 2,
	};
	struct aiot_isa_op_pool avgp = maxp;
	struct aiot_isa_op_add add = {
		.input1 = I8(B_ARENA, A_MAX, 1, 2, 2, 8),
		.input2 = I8(B_ARENA, A_AVG, 1, 2, 2, 8),
		.output = I8(B_ARENA, A_ADD, 1, 2, 2, 8),
		.input1_zero_point = 5, .input2_zero_point = 5, .output_zero_point = -7,
		.left_shift = 20,
		.input1_multiplier = 1073741824, .input1_shift = 0,
		.input2_multiplier = 1431655765, .input2_shift = -1,
		.output_multiplier = 1717986918, .output_shift = -19,
		.act = full,
	};
	struct aiot_isa_op_reshape flat = {
		.input = I8(B_ARENA, A_ADD, 1, 2, 2, 8),
		.output = I8(B_ARENA, A_FLAT, 1, 1, 1, 32),
	};
	struct aiot_isa_op_fully_connected fc = {
		.input = I8(B_ARENA, A_FLAT, 1, 1, 1, 32),
		.filter = I8(B_WEIGHTS, W_FC, 10, 1, 1, 32),
		.output = I8(B_ARENA, A_FC, 1, 1, 1, 10),
		.quant = { .offset = W_FC_Q, .binding = B_WEIGHTS },
		.input_zero_point = -7, .output_zero_point = 9,
		.act = full,
	};
	struct aiot_isa_op_softmax sm = {
		.input = I8(B_ARENA, A_FC, 1, 1, 1, 10),
		.output = I8(B_ARENA, A_SOFTMAX, 1, 1, 1, 10),
		.input_multiplier = 1518500250, .input_left_shift = 22, .diff_min = -248,
	};
	struct aiot_isa_header h = {
		.magic = AIOT_ISA_MAGIC, .version = AIOT_ISA_VERSION(1, 0),
	};

	avgp.output = I8(B_ARENA, A_AVG, 1, 2, 2, 8);
	s->size = sizeof(h);
	emit(s, &rq, AIOT_ISA_OP_SENSOR_TO_INT8, sizeof(rq));
	emit(s, &conv, AIOT_ISA_OP_CONV_2D, sizeof(conv));
	emit(s, &dw, AIOT_ISA_OP_DEPTHWISE_CONV_2D, sizeof(dw));
	emit(s, &maxp, AIOT_ISA_OP_MAX_POOL_2D, sizeof(maxp));
	emit(s, &avgp, AIOT_ISA_OP_AVERAGE_POOL_2D, sizeof(avgp));
	emit(s, &add, AIOT_ISA_OP_ADD, sizeof(add));
	emit(s, &flat, AIOT_ISA_OP_RESHAPE, sizeof(flat));
	emit(s, &fc, AIOT_ISA_OP_FULLY_CONNECTED, sizeof(fc));
	emit(s, &sm, AIOT_ISA_OP_SOFTMAX, sizeof(sm));
	h.size = s->size;
	h.op_count = s->ops;
	memcpy(s->buf, &h, sizeof(h));
}

static int parse_version(const char *s, uint32_t *out)
{
	unsigned int maj, min, patch;
	char end;

	if (sscanf(s, "%u.%u.%u%c", &maj, &min, &patch, &end) != 3 ||
	    maj > 255 || min > 255 || patch > 255)
		return -EINVAL;
	*out = AIOT_SIM_FW_VERSION(maj, min, patch);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: aiot-mkfw [--version MAJ.MIN.PATCH] -o FILE\n"
		"\n"
		"Write the aiot reference NPU's firmware (" AIOT_SIM_FW_NAME "):\n"
		"its power-on self-test and golden results (docs/npu-firmware.md).\n"
		"\n"
		"  -o, --output FILE    where to write it (required)\n"
		"  -V, --version X.Y.Z  firmware version (default 1.0.0)\n"
		"  -h, --help           this text\n"
		"\n"
		"Exit status: 0 written; 1 the self-test failed here; 2 usage; 3 I/O.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "version", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static uint8_t input[INPUT_SIZE], weights[WEIGHTS_SIZE], arena[ARENA_SIZE];
	static uint8_t file[AIOT_SIM_FW_MAX_FILE];
	void *const bindings[NBINDINGS] = { input, weights, arena };
	const uint64_t sizes[NBINDINGS] = { INPUT_SIZE, WEIGHTS_SIZE, ARENA_SIZE };
	const uint8_t *inits[NBINDINGS] = { input, weights, NULL };
	uint32_t version = AIOT_SIM_FW_VERSION(1, 0, 0), pos, crc;
	const char *out = NULL;
	struct stream s = { 0 };
	int c, err;
	FILE *f;

	while ((c = getopt_long(argc, argv, "o:V:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'V':
			if (parse_version(optarg, &version)) {
				fprintf(stderr, "aiot-mkfw: bad version '%s' (want X.Y.Z, each 0..255)\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!out || optind != argc) {
		usage(stderr);
		return 2;
	}

	fill_random(input, sizeof(input));
	fill_random(weights + W_CONV, 288);
	fill_random(weights + W_DW, 72);
	fill_random(weights + W_FC, 320);
	put_quant(weights + W_CONV_Q, 8, 1518500250, -9);
	put_quant(weights + W_DW_Q, 8, 1288490188, -10);
	put_quant(weights + W_FC_Q, 10, 1395864371, -9);
	build_stream(&s);

	err = aiot_isa_validate(s.buf, s.size, sizes, NBINDINGS, NULL);
	if (!err)
		err = aiot_isa_execute(s.buf, s.size, bindings, sizes, NBINDINGS);
	if (err) {
		fprintf(stderr, "aiot-mkfw: the self-test stream fails here: %s\n",
			strerror(-err));
		return 1;
	}

	/* Header, binding table, stream, initial bytes, golden arena. */
	memset(file, 0, sizeof(file));
	pos = AIOT_SIM_FW_HEADER_SIZE + NBINDINGS * AIOT_SIM_FW_BINDING_SIZE;
	memcpy(file + AIOT_SIM_FW_OFF_MAGIC, AIOT_SIM_FW_MAGIC, 8);
	aiot_le16_put(file + AIOT_SIM_FW_OFF_FORMAT, AIOT_SIM_FW_FORMAT);
	aiot_le16_put(file + AIOT_SIM_FW_OFF_HEADER_SIZE, AIOT_SIM_FW_HEADER_SIZE);
	aiot_le32_put(file + AIOT_SIM_FW_OFF_VERSION, version);
	aiot_le32_put(file + AIOT_SIM_FW_OFF_ISA_VERSION, AIOT_ISA_VERSION(1, 0));
	aiot_le32_put(file + AIOT_SIM_FW_OFF_NBINDINGS, NBINDINGS);
	aiot_le32_put(file + AIOT_SIM_FW_OFF_BINDINGS, AIOT_SIM_FW_HEADER_SIZE);
	aiot_le32_put(file + AIOT_SIM_FW_OFF_STREAM, pos);
	aiot_le32_put(file + AIOT_SIM_FW_OFF_STREAM + 4, s.size);
	memcpy(file + pos, s.buf, s.size);
	pos += (s.size + 15) & ~15u;
	for (unsigned int b = 0; b < NBINDINGS; b++) {
		uint8_t *e = file + AIOT_SIM_FW_HEADER_SIZE + b * AIOT_SIM_FW_BINDING_SIZE;

		aiot_le32_put(e, (uint32_t)sizes[b]);
		if (!inits[b])
			continue;
		aiot_le32_put(e + 4, pos);
		aiot_le32_put(e + 8, (uint32_t)sizes[b]);
		memcpy(file + pos, inits[b], sizes[b]);
		pos += ((uint32_t)sizes[b] + 15) & ~15u;
	}
	aiot_le32_put(file + AIOT_SIM_FW_OFF_CHECK, B_ARENA);
	aiot_le32_put(file + AIOT_SIM_FW_OFF_CHECK + 4, 0);
	aiot_le32_put(file + AIOT_SIM_FW_OFF_CHECK + 8, ARENA_SIZE);
	aiot_le32_put(file + AIOT_SIM_FW_OFF_GOLDEN, pos);
	memcpy(file + pos, arena, ARENA_SIZE);
	pos += ARENA_SIZE;
	aiot_le32_put(file + AIOT_SIM_FW_OFF_FILE_SIZE, pos);
	crc = aiot_crc32(0, file, AIOT_SIM_FW_OFF_CRC);
	crc = aiot_crc32(crc, file + AIOT_SIM_FW_OFF_CRC + 4, pos - AIOT_SIM_FW_OFF_CRC - 4);
	aiot_le32_put(file + AIOT_SIM_FW_OFF_CRC, crc);

	f = fopen(out, "wb");
	if (!f || fwrite(file, 1, pos, f) != pos || fclose(f) != 0) {
		fprintf(stderr, "aiot-mkfw: %s: %s\n", out, strerror(errno));
		return 3;
	}
	return 0;
}
