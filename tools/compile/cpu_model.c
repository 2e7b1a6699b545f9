// SPDX-License-Identifier: GPL-2.0-only
/*
 * A model blob on the CPU executor (see cpu_model.h).
 */
#include "cpu_model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aiot_isa.h"
#include "fastexec.h"

struct aiot_cpu_model {
	uint8_t *blob;                          /* private copy; the view points here */
	struct aiot_model_blob_view view;
	void *bindings[AIOT_ISA_MAX_BINDINGS];
	u64 sizes[AIOT_ISA_MAX_BINDINGS];
	void *owned[AIOT_ISA_MAX_BINDINGS];     /* arena and input/output buffers */
	unsigned int nbindings;
	struct aiot_fx_plan *fast;              /* NULL: the reference executor runs */
	char executor[32];
};

void aiot_cpu_model_free(struct aiot_cpu_model *model)
{
	if (!model)
		return;
	aiot_fx_free(model->fast);
	for (unsigned int i = 0; i < AIOT_ISA_MAX_BINDINGS; i++)
		free(model->owned[i]);
	free(model->blob);
	free(model);
}

static int bind_new(struct aiot_cpu_model *m, unsigned int slot, u64 size)
{
	/* calloc: a zeroed arena is the reset state of model memory */
	m->owned[slot] = calloc(1, size ? (size_t)size : 1);
	if (!m->owned[slot])
		return -ENOMEM;
	m->bindings[slot] = m->owned[slot];
	m->sizes[slot] = size;
	if (slot + 1 > m->nbindings)
		m->nbindings = slot + 1;
	return 0;
}

/*
 * The fast executor unless AIOT_CPU_EXECUTOR=reference; the weights slot is
 * constant (the blob's private copy), so its layers are repacked once.
 */
static int cpu_model_pick_executor(struct aiot_cpu_model *m, char *err, size_t errlen)
{
	const char *which = getenv(AIOT_CPU_EXECUTOR_ENV);
	const struct aiot_model_blob_view *v = &m->view;
	uint32_t const_mask = 0;
	int rc;

	if (which && !strcmp(which, "reference")) {
		snprintf(m->executor, sizeof(m->executor), "reference");
		return 0;
	}
	if (which && *which && strcmp(which, "fast")) {
		if (err && errlen)
			snprintf(err, errlen, "%s=%s: not \"fast\" or \"reference\"",
				 AIOT_CPU_EXECUTOR_ENV, which);
		return -EINVAL;
	}
	if (v->header.weights_binding != AIOT_MODEL_NO_BINDING)
		const_mask = 1u << v->header.weights_binding;
	rc = aiot_fx_prepare(v->command_stream, v->command_stream_size, m->bindings, m->sizes,
			     m->nbindings, const_mask, AIOT_FX_SIMD_AUTO, &m->fast);
	if (rc) {
		if (err && errlen) {
			if (rc == -EINVAL || rc == -EOPNOTSUPP)
				snprintf(err, errlen, "fast executor: %s (%s=%s)", strerror(-rc),
					 AIOT_FX_SIMD_ENV, getenv(AIOT_FX_SIMD_ENV) ?
					 getenv(AIOT_FX_SIMD_ENV) : "");
			else
				snprintf(err, errlen, "fast executor: %s", strerror(-rc));
		}
		return rc;
	}
	snprintf(m->executor, sizeof(m->executor), "fast/%s",
		 aiot_fx_simd_name(aiot_fx_plan_simd(m->fast)));
	return 0;
}

int aiot_cpu_model_load(const void *blob, size_t size, struct aiot_cpu_model **out,
			char *err, size_t errlen)
{
	struct aiot_cpu_model *m;
	struct aiot_model_blob_view *v;
	u64 need[AIOT_ISA_MAX_BINDINGS] = { 0 };
	struct aiot_isa_summary sum;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!blob || !size) {
		if (err && errlen)
			snprintf(err, errlen, "empty blob");
		return -ENOEXEC;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->blob = malloc(size ? size : 1))) {
		free(m);
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(m->blob, blob, size);
	v = &m->view;
	rc = aiot_model_blob_parse(m->blob, size, v, err, errlen);
	if (rc)
		goto fail;
	for (unsigned int i = 0; i < v->input_count + v->output_count; i++) {
		const struct aiot_model_tensor *t = &v->tensors[i];
		u64 end = (u64)t->offset + t->size;

		if (end > need[t->binding])
			need[t->binding] = end;
	}
	rc = -ENOMEM;
	for (unsigned int slot = 0; slot < AIOT_ISA_MAX_BINDINGS; slot++)
		if (need[slot] && bind_new(m, slot, need[slot]))
			goto nomem;
	if (v->header.arena_binding != AIOT_MODEL_NO_BINDING &&
	    bind_new(m, v->header.arena_binding, v->header.arena_size))
		goto nomem;
	if (v->header.weights_binding != AIOT_MODEL_NO_BINDING) {
		unsigned int slot = v->header.weights_binding;

		/* The copy is ours: a hostile stream writing there harms nobody. */
		m->bindings[slot] = (void *)v->weights;
		m->sizes[slot] = v->weights_size;
		if (slot + 1 > m->nbindings)
			m->nbindings = slot + 1;
	}
	rc = aiot_isa_validate(v->command_stream, v->command_stream_size, m->sizes,
			       m->nbindings, &sum);
	if (rc) {
		if (err && errlen) {
			if (sum.error_op == AIOT_ISA_HEADER_OP)
				snprintf(err, errlen, "command stream header rejected (%s)",
					 strerror(-rc));
			else
				snprintf(err, errlen, "command stream operation %u rejected (%s)",
					 sum.error_op, strerror(-rc));
		}
		goto fail;
	}
	rc = cpu_model_pick_executor(m, err, errlen);
	if (rc)
		goto fail;
	*out = m;
	return 0;
nomem:
	if (err && errlen)
		snprintf(err, errlen, "out of memory for the model's buffers");
fail:
	aiot_cpu_model_free(m);
	return rc;
}

const struct aiot_model_blob_view *aiot_cpu_model_view(const struct aiot_cpu_model *model)
{
	return model ? &model->view : NULL;
}

void *aiot_cpu_model_tensor(struct aiot_cpu_model *model, unsigned int index)
{
	const struct aiot_model_tensor *t;

	if (!model || index >= model->view.input_count + model->view.output_count)
		return NULL;
	t = &model->view.tensors[index];
	return (uint8_t *)model->bindings[t->binding] + t->offset;
}

void *aiot_cpu_model_input(struct aiot_cpu_model *model, unsigned int index)
{
	if (!model || index >= model->view.input_count)
		return NULL;
	return aiot_cpu_model_tensor(model, index);
}

void *aiot_cpu_model_output(struct aiot_cpu_model *model, unsigned int index)
{
	if (!model || index >= model->view.output_count)
		return NULL;
	return aiot_cpu_model_tensor(model, model->view.input_count + index);
}

int aiot_cpu_model_run(struct aiot_cpu_model *model)
{
	if (!model)
		return -EINVAL;
	if (model->fast)
		return aiot_fx_run(model->fast, model->bindings, model->sizes, model->nbindings);
	return aiot_cpu_model_run_reference(model);
}

int aiot_cpu_model_run_reference(struct aiot_cpu_model *model)
{
	if (!model)
		return -EINVAL;
	return aiot_isa_execute(model->view.command_stream, model->view.command_stream_size,
				model->bindings, model->sizes, model->nbindings);
}

void aiot_cpu_model_reset(struct aiot_cpu_model *model)
{
	unsigned int slot;

	if (!model || model->view.header.arena_binding == AIOT_MODEL_NO_BINDING)
		return;
	slot = model->view.header.arena_binding;
	memset(model->bindings[slot], 0, (size_t)model->sizes[slot]);
}

const char *aiot_cpu_model_executor(const struct aiot_cpu_model *model)
{
	return model ? model->executor : "";
}

void *aiot_cpu_model_binding(struct aiot_cpu_model *model, unsigned int slot, size_t *size)
{
	if (!model || slot >= model->nbindings || !model->bindings[slot]) {
		if (size)
			*size = 0;
		return NULL;
	}
	if (size)
		*size = (size_t)model->sizes[slot];
	return model->bindings[slot];
}
