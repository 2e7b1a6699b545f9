/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The `models` suite: real and generated models on the NPU under test.
 * models.c has the cases on upstream's models and TAP_MAIN;
 * npu_cpu_pair.c loads one blob on the NPU and on the CPU reference
 * executor and compares their outputs byte for byte; generated.c has the
 * cases on the graphs the tests generate (tests/unit/gen_*_model.cc).
 */
#ifndef AIOT_TESTS_MODELS_H
#define AIOT_TESTS_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include <aiot/accel.h>
#include <aiot/model_format.h>

#include "cpu_model.h"
#include "tap.h"

#define MODELS	"/aiot/data/models/"
#define MODEL_RUN_TIMEOUT_NS (10LL * 1000 * 1000 * 1000)

/*
 * One blob loaded twice: on the NPU through libaiot-accel, and on the CPU
 * reference executor (tools/compile/cpu_model.c, the oracle the host tests
 * hold to TensorFlow Lite Micro). Each has its own arena, so state that a
 * model carries from run to run (LSTM, SVDF) is carried by both.
 */
struct npu_cpu_pair {
	struct aiot_accel *accel;
	struct aiot_model *npu;
	struct aiot_cpu_model *cpu;
	const struct aiot_model_blob_view *view;
	/* The NPU's outputs of the last run, one buffer per output. */
	uint8_t *npu_out[AIOT_MODEL_MAX_TENSORS];
};

/* What a model's input or output should be, from the generator's graph. */
struct expected_tensor {
	const char *name;
	enum aiot_dtype dtype;
	uint32_t dims[AIOT_TENSOR_DIMS];
	size_t size;
};

/* 0, or -1 with the reason printed; free the pair either way. */
int npu_cpu_pair_load(struct npu_cpu_pair *p, const char *path);
void npu_cpu_pair_free(struct npu_cpu_pair *p);

/*
 * CHECKs that the library's description of the model (counts, names,
 * dtypes, shapes, sizes, lookups by name) and the CPU's parse of the same
 * blob say what the generator's graph says.
 */
void npu_cpu_pair_check_tensors(struct npu_cpu_pair *p, const struct expected_tensor *in,
				unsigned int n_in, const struct expected_tensor *out,
				unsigned int n_out);

/* The same bytes into input @index of both; 0, or -1 with the reason. */
int npu_cpu_pair_write_input(struct npu_cpu_pair *p, unsigned int index, const void *data,
			     size_t size);

/*
 * One inference on each, then every output byte compared: the count of
 * bytes that differ (the first few printed), or -1 if a run or a read
 * failed.
 */
long npu_cpu_pair_run(struct npu_cpu_pair *p, const char *label);

/* Cases of generated.c. */
void two_inputs_two_outputs(void);
void lstm_stacked_stream(void);
void int16_elements(void);

#endif /* AIOT_TESTS_MODELS_H */
