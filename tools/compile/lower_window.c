// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-compile --rolling-window ROWS[:HOP] (docs/pipeline.md, "The rolling
 * feature window"): an audio front end (int16 samples of one frame -> one
 * int8 feature row) made a stage that runs once per sensor slot of HOP
 * samples and keeps, in its own output buffer, the last ROWS feature rows,
 * the newest last: the keyword model's input.
 *
 * The blob's input is the slot (int16 [1, 1, 1, HOP]); its output is the
 * window (int8 [1, 1, ROWS, F]). The frame (W samples) is the previous
 * W - HOP samples, kept in the arena, followed by the slot:
 *
 *   prologue  INSERT tail -> frame[0 .. W-HOP)           (arena -> arena)
 *             INSERT slot -> frame[W-HOP .. W)           (input -> arena)
 *             STRIDED_SLICE frame[HOP .. W) -> tail       (arena -> arena)
 *   the front end's own operations, frame -> row          (arena -> arena)
 *   epilogue  STRIDED_SLICE window rows 1 .. ROWS-1 -> scratch
 *             INSERT scratch -> window rows 0 .. ROWS-2
 *             INSERT row -> window row ROWS-1             (-> output)
 *
 * (INSERT's input and output may not overlap: hence the scratch.) The
 * tail and the window are state: they must keep their contents from one
 * run to the next and start zeroed, as the front end's own state (the
 * noise estimate) does. The first frame is thus W - HOP zero samples and
 * the first slot; run over the slots of a recording, the rows are those
 * of the plain front end over W - HOP zeros followed by the recording, in
 * frames of W every HOP samples.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower_internal.h"

static int parse_fail(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return -EINVAL;
}

static int parse_u32(const char **p, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (**p < '0' || **p > '9')
		return -EINVAL;
	errno = 0;
	x = strtoul(*p, &end, 10);
	if (errno || x < 1 || x > AIOT_ISA_MAX_DIM)
		return -EINVAL;
	*v = (uint32_t)x;
	*p = end;
	return 0;
}

int aiot_lower_parse_window(const char *spec, struct aiot_lower_window *w, char *err,
			    size_t errlen)
{
	const char *p = spec;

	memset(w, 0, sizeof(*w));
	if (!spec || parse_u32(&p, &w->rows))
		goto bad;
	if (*p == ':') {
		p++;
		if (parse_u32(&p, &w->hop))
			goto bad;
	}
	if (*p)
		goto bad;
	return 0;
bad:
	return parse_fail(err, errlen, "must be ROWS or ROWS:HOP, each 1..65535 (e.g. 49 or "
			  "49:320)");
}

static size_t arena_take(struct lowering *l, size_t bytes)
{
	size_t at = (l->arena_size + ARENA_ALIGNMENT - 1) & ~(size_t)(ARENA_ALIGNMENT - 1);

	l->arena_size = at + bytes;
	return at;
}

static void flat(struct aiot_isa_tensor *t, unsigned int binding, size_t offset,
		 unsigned int dtype, uint32_t h, uint32_t w, uint32_t c)
{
	memset(t, 0, sizeof(*t));
	t->binding = (uint8_t)binding;
	t->offset = (uint32_t)offset;
	t->dtype = (uint8_t)dtype;
	t->dims[0] = 1;
	t->dims[1] = h;
	t->dims[2] = w;
	t->dims[3] = c;
}

static int emit_insert(struct lowering *l, const struct aiot_isa_tensor *in,
		       const struct aiot_isa_tensor *out, uint32_t at_w, uint32_t at_c)
{
	struct aiot_isa_op_insert op;

	lower_op_init(&op.hdr, sizeof(op), AIOT_ISA_OP_INSERT);
	op.input = *in;
	op.output = *out;
	op.offset[2] = at_w;
	op.offset[3] = at_c;
	return lower_emit(l, &op, sizeof(op));
}

static int emit_slice(struct lowering *l, const struct aiot_isa_tensor *in,
		      const struct aiot_isa_tensor *out, uint32_t from_w, uint32_t from_c)
{
	struct aiot_isa_op_strided_slice op;

	lower_op_init(&op.hdr, sizeof(op), AIOT_ISA_OP_STRIDED_SLICE);
	op.input = *in;
	op.output = *out;
	op.begin[2] = from_w;
	op.begin[3] = from_c;
	for (int d = 0; d < AIOT_ISA_DIMS; d++)
		op.stride[d] = 1;
	return lower_emit(l, &op, sizeof(op));
}

int lower_window_setup(struct lowering *l, const struct aiot_lower_window *w,
		       struct lower_window_plan *wp)
{
	const struct tflite_model *m = l->m;
	const struct tflite_tensor *in = &m->tensors[m->inputs[0]];
	const struct tflite_tensor *out = &m->tensors[m->outputs[0]];

	memset(wp, 0, sizeof(*wp));
	if (in->type != TFLITE_TYPE_INT16 || out->type != TFLITE_TYPE_INT8)
		return lower_fail(l, "--rolling-window: the model must map int16 samples to int8 "
				  "features (an audio front end); its input is %s, its output %s",
				  lower_type_name(in->type), lower_type_name(out->type));
	wp->frame = (uint32_t)(in->byte_size / 2);
	wp->features = (uint32_t)out->byte_size;
	wp->rows = w->rows;
	wp->hop = w->hop ? w->hop : wp->frame * 2 / 3;
	if (!wp->frame || wp->frame > AIOT_ISA_MAX_DIM || !wp->features ||
	    wp->features > AIOT_ISA_MAX_DIM)
		return lower_fail(l, "--rolling-window: a frame of %u samples, %u features: "
				  "each must be 1..%u", wp->frame, wp->features, AIOT_ISA_MAX_DIM);
	if (!wp->hop || wp->hop > wp->frame)
		return lower_fail(l, "--rolling-window: a hop of %u samples; the frame is %u "
				  "(the hop must be 1..%u)", wp->hop, wp->frame, wp->frame);
	if ((uint64_t)wp->rows * wp->features > AIOT_ISA_MAX_TENSOR_BYTES)
		return lower_fail(l, "--rolling-window: %u rows of %u features are too many",
				  wp->rows, wp->features);
	/* Past the plan, as a frame input's tensor: nothing else uses them. */
	l->input_in_arena = true;
	l->output_in_arena = true;
	l->arena_offsets[m->inputs[0]] = arena_take(l, in->byte_size);
	l->arena_offsets[m->outputs[0]] = arena_take(l, out->byte_size);
	wp->tail_offset = arena_take(l, ((size_t)wp->frame - wp->hop) * 2);
	wp->scratch_offset = arena_take(l, ((size_t)wp->rows - 1) * wp->features);
	l->state_size += ((size_t)wp->frame - wp->hop) * 2 +
			 (size_t)wp->rows * wp->features;
	lower_need_isa(l, 4);	/* STRIDED_SLICE */
	return 0;
}

int lower_window_prologue(struct lowering *l, const struct lower_window_plan *wp)
{
	size_t frame_at = l->arena_offsets[l->m->inputs[0]];
	uint32_t keep = wp->frame - wp->hop;
	struct aiot_isa_tensor frame, tail, slot;
	int rc = 0;

	flat(&frame, AIOT_ISA_BINDING_ARENA, frame_at, AIOT_ISA_DTYPE_INT16, 1, 1, wp->frame);
	flat(&tail, AIOT_ISA_BINDING_ARENA, wp->tail_offset, AIOT_ISA_DTYPE_INT16, 1, 1, keep);
	flat(&slot, AIOT_ISA_BINDING_INPUT, 0, AIOT_ISA_DTYPE_INT16, 1, 1, wp->hop);
	if (keep)
		rc = emit_insert(l, &tail, &frame, 0, 0);
	if (!rc)
		rc = emit_insert(l, &slot, &frame, 0, keep);
	if (!rc && keep)
		rc = emit_slice(l, &frame, &tail, 0, wp->hop);
	return rc;
}

int lower_window_epilogue(struct lowering *l, const struct lower_window_plan *wp)
{
	size_t row_at = l->arena_offsets[l->m->outputs[0]];
	struct aiot_isa_tensor window, older, scratch, row;
	int rc = 0;

	flat(&window, AIOT_ISA_BINDING_OUTPUT, 0, AIOT_ISA_DTYPE_INT8, 1, wp->rows,
	     wp->features);
	flat(&row, AIOT_ISA_BINDING_ARENA, row_at, AIOT_ISA_DTYPE_INT8, 1, 1, wp->features);
	if (wp->rows > 1) {
		flat(&older, AIOT_ISA_BINDING_OUTPUT, 0, AIOT_ISA_DTYPE_INT8, 1, wp->rows,
		     wp->features);
		flat(&scratch, AIOT_ISA_BINDING_ARENA, wp->scratch_offset, AIOT_ISA_DTYPE_INT8, 1,
		     wp->rows - 1, wp->features);
		rc = emit_slice(l, &older, &scratch, 1, 0);
		if (!rc)
			rc = emit_insert(l, &scratch, &window, 0, 0);
	}
	if (!rc)
		rc = emit_insert(l, &row, &window, wp->rows - 1, 0);
	return rc;
}
