// SPDX-License-Identifier: GPL-2.0-only
/*
 * A compiled model on the NPU under test and on the CPU reference executor
 * side by side, fed the same bytes, their outputs compared byte for byte
 * (models.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models.h"

/* A blob above this is not one of the suite's models. */
#define BLOB_MAX (64u << 20)

static void *read_blob(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;

	if (!f) {
		tap_diag("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) <= 0 || (size_t)len > BLOB_MAX ||
	    fseek(f, 0, SEEK_SET)) {
		tap_diag("%s: not a readable blob of a sensible size", path);
		goto out;
	}
	buf = malloc((size_t)len);
	if (!buf) {
		tap_diag("%s: no memory for %ld bytes", path, len);
	} else if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		tap_diag("%s: short read", path);
		free(buf);
		buf = NULL;
	}
	*size = (size_t)len;
out:
	fclose(f);
	return buf;
}

int npu_cpu_pair_load(struct npu_cpu_pair *p, const char *path)
{
	char err[256] = "";
	size_t size = 0;
	void *blob;
	int rc;

	memset(p, 0, sizeof(*p));
	blob = read_blob(path, &size);
	if (!blob)
		return -1;
	/* Both from the very same bytes. */
	rc = aiot_accel_open_default(&p->accel);
	if (rc) {
		tap_diag("aiot_accel_open_default: %s", strerror(-rc));
		goto out;
	}
	rc = aiot_model_load(p->accel, blob, size, &p->npu, err, sizeof(err));
	if (rc) {
		tap_diag("NPU load of %s: %s (%s)", path, strerror(-rc), err);
		goto out;
	}
	rc = aiot_cpu_model_load(blob, size, &p->cpu, err, sizeof(err));
	if (rc) {
		tap_diag("CPU load of %s: %s (%s)", path, strerror(-rc), err);
		goto out;
	}
	p->view = aiot_cpu_model_view(p->cpu);
	for (unsigned int j = 0; j < aiot_model_get_output_count(p->npu); j++) {
		size_t n = aiot_tensor_info_get_size(aiot_model_get_output_info(p->npu, j));

		p->npu_out[j] = malloc(n ? n : 1);
		if (!p->npu_out[j]) {
			rc = -ENOMEM;
			goto out;
		}
	}
out:
	free(blob);
	return rc ? -1 : 0;
}

void npu_cpu_pair_free(struct npu_cpu_pair *p)
{
	for (unsigned int j = 0; j < AIOT_MODEL_MAX_TENSORS; j++)
		free(p->npu_out[j]);
	aiot_cpu_model_free(p->cpu);
	aiot_model_free(p->npu);
	aiot_accel_close(p->accel);
	memset(p, 0, sizeof(*p));
}

/* One tensor: the library's description and the CPU's parse against @want. */
static void check_tensor(const struct aiot_tensor_info *info, const struct aiot_model_tensor *cpu,
			 const struct expected_tensor *want, const char *what, unsigned int index)
{
	uint32_t dims[AIOT_TENSOR_DIMS];

	if (!info) {
		tap_diag("%s %u: no description", what, index);
		tap_case_failed = 1;
		return;
	}
	if (strcmp(aiot_tensor_info_get_name(info), want->name) ||
	    strncmp(cpu->name, want->name, AIOT_MODEL_NAME_LEN)) {
		tap_diag("%s %u: named \"%s\" (CPU \"%.*s\"), not \"%s\"", what, index,
			 aiot_tensor_info_get_name(info), AIOT_MODEL_NAME_LEN, cpu->name,
			 want->name);
		tap_case_failed = 1;
	}
	CHECK_EQ(aiot_tensor_info_get_dtype(info), want->dtype);
	aiot_tensor_info_get_shape(info, dims);
	for (unsigned int d = 0; d < AIOT_TENSOR_DIMS; d++) {
		CHECK_EQ(dims[d], want->dims[d]);
		CHECK_EQ(cpu->dims[d], want->dims[d]);
	}
	CHECK_EQ(aiot_tensor_info_get_size(info), want->size);
	CHECK_EQ(cpu->size, want->size);
}

void npu_cpu_pair_check_tensors(struct npu_cpu_pair *p, const struct expected_tensor *in,
				unsigned int n_in, const struct expected_tensor *out,
				unsigned int n_out)
{
	CHECK_EQ(aiot_model_get_input_count(p->npu), n_in);
	CHECK_EQ(aiot_model_get_output_count(p->npu), n_out);
	CHECK_EQ(p->view->input_count, n_in);
	CHECK_EQ(p->view->output_count, n_out);
	if (aiot_model_get_input_count(p->npu) != n_in || p->view->input_count != n_in ||
	    aiot_model_get_output_count(p->npu) != n_out || p->view->output_count != n_out)
		return;
	for (unsigned int i = 0; i < n_in; i++) {
		check_tensor(aiot_model_get_input_info(p->npu, i), &p->view->tensors[i], &in[i],
			     "input", i);
		CHECK_EQ(aiot_model_find_input(p->npu, in[i].name), i);
	}
	for (unsigned int j = 0; j < n_out; j++) {
		check_tensor(aiot_model_get_output_info(p->npu, j), &p->view->tensors[n_in + j],
			     &out[j], "output", j);
		CHECK_EQ(aiot_model_find_output(p->npu, out[j].name), j);
	}
}

int npu_cpu_pair_write_input(struct npu_cpu_pair *p, unsigned int index, const void *data,
			     size_t size)
{
	int rc;

	if (index >= p->view->input_count || size != p->view->tensors[index].size) {
		tap_diag("input %u: %zu bytes do not fit the model", index, size);
		return -1;
	}
	rc = aiot_model_write_input(p->npu, index, data, size);
	if (rc) {
		tap_diag("aiot_model_write_input(%u): %s", index, strerror(-rc));
		return -1;
	}
	memcpy(aiot_cpu_model_input(p->cpu, index), data, size);
	return 0;
}

/* How many differing bytes each run prints, for a diagnosis. */
#define MISMATCHES_SHOWN 4

long npu_cpu_pair_run(struct npu_cpu_pair *p, const char *label)
{
	long differ = 0;
	int rc;

	rc = aiot_model_run(p->npu, MODEL_RUN_TIMEOUT_NS);
	if (rc) {
		tap_diag("%s: NPU run: %s", label, strerror(-rc));
		return -1;
	}
	rc = aiot_cpu_model_run_reference(p->cpu);
	if (rc) {
		tap_diag("%s: CPU run: %s", label, strerror(-rc));
		return -1;
	}
	for (unsigned int j = 0; j < p->view->output_count; j++) {
		const struct aiot_model_tensor *t = &p->view->tensors[p->view->input_count + j];
		const uint8_t *cpu = aiot_cpu_model_output(p->cpu, j);

		rc = aiot_model_read_output(p->npu, j, p->npu_out[j], t->size);
		if (rc) {
			tap_diag("%s: aiot_model_read_output(%u): %s", label, j, strerror(-rc));
			return -1;
		}
		for (size_t b = 0; b < t->size; b++) {
			if (p->npu_out[j][b] == cpu[b])
				continue;
			if (differ++ < MISMATCHES_SHOWN)
				tap_diag("%s: output %u (%.*s) byte %zu: NPU 0x%02x, CPU 0x%02x",
					 label, j, AIOT_MODEL_NAME_LEN, t->name, b,
					 p->npu_out[j][b], cpu[b]);
		}
	}
	return differ;
}
