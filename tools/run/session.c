// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run's session: the model loaded onto the NPU through libaiot-accel,
 * or onto the userspace ISA executor (the CPU fallback), and one inference.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/videodev2.h>

#include "run.h"

static void desc_from_blob(const struct aiot_model_tensor *t, struct tensor_desc *d)
{
	d->dtype = t->dtype;
	memcpy(d->dims, t->dims, sizeof(d->dims));
	d->size = t->size;
	memcpy(&d->scale, &t->scale_bits, sizeof(d->scale));
	d->zero_point = t->zero_point;
	d->dequantize = t->flags & AIOT_MODEL_TENSOR_F_DEQUANTIZE;
	memcpy(d->name, t->name, AIOT_MODEL_NAME_LEN);
	d->name[AIOT_MODEL_NAME_LEN] = '\0';
}

static void desc_from_info(const struct aiot_tensor_info *t, struct tensor_desc *d)
{
	d->dtype = aiot_tensor_info_get_dtype(t);
	aiot_tensor_info_get_shape(t, d->dims);
	d->size = aiot_tensor_info_get_size(t);
	d->scale = aiot_tensor_info_get_scale(t);
	d->zero_point = aiot_tensor_info_get_zero_point(t);
	d->pixel_format = aiot_tensor_info_get_pixel_format(t);
	d->dequantize = aiot_tensor_info_is_dequantized(t);
	snprintf(d->name, sizeof(d->name), "%s", aiot_tensor_info_get_name(t));
}

int open_cpu(struct session *s, const char *path)
{
	const struct aiot_model_blob_view *v;
	char err[512];
	uint8_t *blob;
	size_t size;
	int rc = tool_read_file(path, MAX_FILE_BYTES, &blob, &size);

	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", path, strerror(-rc));
		return rc;
	}
	rc = aiot_cpu_model_load(blob, size, &s->cpu, err, sizeof(err));
	free(blob);
	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", path, err);
		return rc;
	}
	v = aiot_cpu_model_view(s->cpu);
	s->input_count = v->input_count;
	s->output_count = v->output_count;
	for (unsigned int i = 0; i < v->input_count; i++) {
		desc_from_blob(&v->tensors[i], &s->ins[i]);
		s->in_bufs[i] = aiot_cpu_model_input(s->cpu, i);
	}
	for (unsigned int j = 0; j < v->output_count; j++) {
		desc_from_blob(&v->tensors[v->input_count + j], &s->outs[j]);
		s->out_bufs[j] = aiot_cpu_model_output(s->cpu, j);
	}
	snprintf(s->name, sizeof(s->name), "%s", v->name);
	return 0;
}

int open_npu(struct session *s, const char *accel_path, const char *path, bool quiet)
{
	char err[512];
	uint8_t *blob;
	size_t size;
	int rc = accel_path ? aiot_accel_open(accel_path, &s->accel) :
			      aiot_accel_open_default(&s->accel);

	if (rc) {
		if (quiet)
			return rc;
		if (rc == -ENODEV && !accel_path)
			fprintf(stderr, "aiot-run: no aiot accelerator found (is the module loaded? "
				"try: modprobe aiot-sim)\n");
		else
			fprintf(stderr, "aiot-run: no aiot accelerator%s%s: %s\n",
				accel_path ? " at " : "", accel_path ? accel_path : "",
				aiot_strerror(rc));
		return rc;
	}
	/*
	 * Read the file here, so that a missing or unreadable file is told as
	 * such; the library then says what is wrong with the blob itself.
	 */
	rc = tool_read_file(path, MAX_FILE_BYTES, &blob, &size);
	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", path,
			rc == -EFBIG ? "larger than 64 MiB" : strerror(-rc));
		return rc;
	}
	err[0] = '\0';
	rc = aiot_model_load(s->accel, blob, size, &s->model, err, sizeof(err));
	free(blob);
	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", path, err[0] ? err : aiot_strerror(rc));
		return rc;
	}
	/* An NV12M frame is two inputs, its luma and its chroma plane. */
	s->in_planes = 1;
	if (aiot_model_get_input_count(s->model) == 2 &&
	    aiot_tensor_info_get_pixel_format(aiot_model_get_input_info(s->model, 0)) ==
	    V4L2_PIX_FMT_NV12M &&
	    aiot_tensor_info_get_pixel_format(aiot_model_get_input_info(s->model, 1)) ==
	    V4L2_PIX_FMT_NV12M) {
		struct tensor_desc uv;

		desc_from_info(aiot_model_get_input_info(s->model, 1), &uv);
		s->in_planes = 2;
		s->in1_size = uv.size;
	}
	s->npu = true;	/* close_session() frees the host copies from here on */
	s->input_count = s->in_planes == 2 ? 1 : aiot_model_get_input_count(s->model);
	s->output_count = aiot_model_get_output_count(s->model);
	for (unsigned int i = 0; i < s->input_count; i++) {
		desc_from_info(aiot_model_get_input_info(s->model, i), &s->ins[i]);
		s->in_bufs[i] = calloc(1, s->ins[i].size);
		if (!s->in_bufs[i])
			return -ENOMEM;
	}
	for (unsigned int j = 0; j < s->output_count; j++) {
		desc_from_info(aiot_model_get_output_info(s->model, j), &s->outs[j]);
		s->out_bufs[j] = calloc(1, s->outs[j].size);
		if (!s->out_bufs[j])
			return -ENOMEM;
	}
	snprintf(s->name, sizeof(s->name), "%s", aiot_model_get_name(s->model));
	return 0;
}

void close_session(struct session *s)
{
	if (s->npu) {
		for (unsigned int i = 0; i < RUN_MAX_IO; i++) {
			free(s->in_bufs[i]);
			free(s->out_bufs[i]);
		}
	}
	aiot_model_free(s->model);
	aiot_accel_close(s->accel);
	aiot_cpu_model_free(s->cpu);
}

int infer(struct session *s)
{
	int rc;

	struct aiot_job *job;
	uint64_t started = 0, ended = 0;

	if (!s->npu)
		return aiot_cpu_model_run(s->cpu);
	for (unsigned int i = 0; i < s->input_count; i++) {
		rc = aiot_model_write_input(s->model, i, s->in_bufs[i], s->ins[i].size);
		if (rc)
			return rc;
	}
	/* aiot_model_run(), keeping the job for its time on the device. */
	rc = aiot_model_submit(s->model, NULL, &job);
	if (rc)
		return rc;
	rc = aiot_job_wait(job, NPU_TIMEOUT_NS);
	if (!rc)
		rc = aiot_job_get_status(job);
	if (!rc)
		aiot_job_get_timing(job, NULL, NULL, &started, &ended);
	aiot_job_free(job);
	s->device_ns = started && ended >= started ? ended - started : 0;
	for (unsigned int j = 0; !rc && j < s->output_count; j++)
		rc = aiot_model_read_output(s->model, j, s->out_bufs[j], s->outs[j].size);
	return rc;
}
