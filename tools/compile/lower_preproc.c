// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lowering of TFLite's RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR (int8;
 * int16 from ISA 1.8) to the ISA 1.4 RESIZE operation, whose arithmetic is TFLite's own
 * (docs/isa.md): the whole input image is the crop window, the output
 * shape gives the size, align_corners and half_pixel_centers become flags.
 */
#include <errno.h>
#include <string.h>

#include "lower_internal.h"

int lower_resize(struct lowering *l, const struct tflite_operator *op)
{
	bool bilinear = op->builtin_code == TFLITE_OP_RESIZE_BILINEAR;
	const struct tflite_resize_options *o = &op->options.resize;
	float in_scale = 0.0f, out_scale = 0.0f;
	int32_t in_zp = 0, out_zp = 0;
	struct aiot_isa_op_resize r;
	int rc;

	if (op->input_count != 2 || op->output_count != 1)
		return lower_fail(l, "expects an image, a size and one output");
	lower_op_init(&r.hdr, sizeof(r), AIOT_ISA_OP_RESIZE);
	rc = lower_isa_tensor(l, op->inputs[0], &r.input);
	if (!rc) rc = lower_isa_tensor(l, op->outputs[0], &r.output);
	if (!rc) rc = lower_require_int8_16(l, &r.input, NULL, "input");
	if (!rc) rc = lower_require_int8_16(l, &r.output, &r.input, "output");
	if (!rc) rc = lower_per_tensor_quant(l, op->inputs[0], &in_scale, &in_zp);
	if (!rc) rc = lower_per_tensor_quant(l, op->outputs[0], &out_scale, &out_zp);
	if (rc)
		return rc;
	if (in_scale != out_scale || in_zp != out_zp)
		return lower_fail(l, "input and output must be quantized alike (%g, %d vs %g, %d)",
				  (double)in_scale, in_zp, (double)out_scale, out_zp);
	if (r.output.dims[0] != r.input.dims[0] || r.output.dims[3] != r.input.dims[3])
		return lower_fail(l, "batch and channels must be the input's");
	if (bilinear && o->align_corners && o->half_pixel_centers)
		return lower_fail(l, "align_corners and half_pixel_centers together "
				  "(TFLite refuses them too)");
	r.crop.height = r.input.dims[1];
	r.crop.width = r.input.dims[2];
	r.mode = bilinear ? AIOT_ISA_RESIZE_BILINEAR : AIOT_ISA_RESIZE_NEAREST;
	r.flags = (o->align_corners ? AIOT_ISA_RESIZE_ALIGN_CORNERS : 0) |
		  (o->half_pixel_centers ? AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS : 0);
	lower_need_isa(l, r.input.dtype == AIOT_ISA_DTYPE_INT16 ? 8 : 4);
	return lower_emit(l, &r, sizeof(r));
}
