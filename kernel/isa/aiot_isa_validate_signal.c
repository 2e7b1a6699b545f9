// SPDX-License-Identifier: GPL-2.0-only OR MIT
/*
 * aiot ISA validator, ISA 1.4's audio front end: the operations of TFLite
 * Micro's signal library and the plain int32 operations around them. Each
 * check proves that every operand lies inside its buffer, that the
 * parameters are in range and counts the work; tables the kernels index
 * are data and are bounds-checked by the executor at every access.
 */

#include "aiot_isa_validate.h"

static u64 aiot_isa_sig_elems(const struct aiot_isa_tensor *t)
{
	return (u64)t->dims[0] * t->dims[1] * t->dims[2] * t->dims[3];
}

/* Same leading dims N, H, W (the innermost may differ). */
static bool aiot_isa_sig_same_rows(const struct aiot_isa_tensor *a,
				   const struct aiot_isa_tensor *b)
{
	return a->dims[0] == b->dims[0] && a->dims[1] == b->dims[1] &&
	       a->dims[2] == b->dims[2];
}

static int aiot_isa_check_sig_window(const struct aiot_isa_cursor *cur,
				     const struct aiot_isa_op_signal_window *op,
				     struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_w, s_out;
	u64 n, w;
	int ret;

	if (op->reserved)
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT16,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->weights,
					    AIOT_ISA_DTYPE_INT16, false, sum,
					    &s_w);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT16, true, sum,
					    &s_out);
	if (ret)
		return ret;
	n = aiot_isa_sig_elems(&op->input);
	w = aiot_isa_sig_elems(&op->weights);
	if (!aiot_isa_same_dims(&op->input, &op->output) || n % w ||
	    !aiot_isa_in_range(op->shift, 0, 31))
		return -EINVAL;
	ret = aiot_isa_check_alias(&s_out, &s_in, true);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_w, false);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, n);
	return 0;
}

static int
aiot_isa_check_sig_autoscale(const struct aiot_isa_cursor *cur,
			     const struct aiot_isa_op_signal_fft_auto_scale *op,
			     struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_out, s_scale;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT16,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT16, true, sum,
					    &s_out);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->scale,
					    AIOT_ISA_DTYPE_INT32, true, sum,
					    &s_scale);
	if (ret)
		return ret;
	if (!aiot_isa_same_dims(&op->input, &op->output) ||
	    aiot_isa_sig_elems(&op->scale) != 1)
		return -EINVAL;
	ret = aiot_isa_check_alias(&s_out, &s_in, true);
	if (!ret)
		ret = aiot_isa_check_alias(&s_scale, &s_in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_scale, &s_out, false);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, 2 * aiot_isa_sig_elems(&op->input));
	return 0;
}

static int aiot_isa_check_sig_rfft(const struct aiot_isa_cursor *cur,
				   const struct aiot_isa_op_signal_rfft *op,
				   struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_out, s_scr, s_tw;
	u32 len = op->fft_length;
	u64 rows;
	int ret;

	if (op->reserved)
		return -EINVAL;
	if (len < 4 || len > 4096 || (len & (len - 1)))
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT16,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT16, true, sum,
					    &s_out);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->scratch,
					    AIOT_ISA_DTYPE_INT16, true, sum,
					    &s_scr);
	if (!ret)
		ret = aiot_isa_check_array(cur, &op->twiddles, 3 * (len / 2),
					   sizeof(s16), sum, &s_tw);
	if (ret)
		return ret;
	if (!aiot_isa_sig_same_rows(&op->input, &op->output) ||
	    op->input.dims[3] > len || op->output.dims[3] != len + 2 ||
	    aiot_isa_sig_elems(&op->scratch) < 2ull * len)
		return -EINVAL;
	ret = aiot_isa_check_alias(&s_out, &s_in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_tw, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_scr, &s_in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_scr, &s_out, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_scr, &s_tw, false);
	if (ret)
		return ret;
	/* About log2(len) butterflies per sample and row. */
	rows = (u64)op->input.dims[0] * op->input.dims[1] * op->input.dims[2];
	aiot_isa_add_work(sum, rows * len * 16);
	return 0;
}

static int aiot_isa_check_sig_energy(const struct aiot_isa_cursor *cur,
				     const struct aiot_isa_op_signal_energy *op,
				     struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_out;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT16,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT32, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_sig_same_rows(&op->input, &op->output) ||
	    (u64)op->input.dims[3] != 2ull * op->output.dims[3] ||
	    op->start_index > op->end_index ||
	    op->end_index > op->output.dims[3])
		return -EINVAL;
	ret = aiot_isa_check_alias(&s_out, &s_in, false);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, aiot_isa_sig_elems(&op->output));
	return 0;
}

static int
aiot_isa_check_sig_fbank(const struct aiot_isa_cursor *cur,
			 const struct aiot_isa_op_signal_filter_bank *op,
			 struct aiot_isa_summary *sum)
{
	const struct aiot_isa_tensor *tables[5] = {
		&op->weights, &op->unweights, &op->channel_frequency_starts,
		&op->channel_weight_starts, &op->channel_widths,
	};
	struct aiot_isa_span s_in, s_out, s_tab;
	u64 channels;
	int i, ret;

	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT32,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT32, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (op->output.dims[3] != 2)
		return -EINVAL;
	channels = aiot_isa_sig_elems(&op->output) / 2;
	ret = aiot_isa_check_alias(&s_out, &s_in, false);
	for (i = 0; !ret && i < 5; i++) {
		ret = aiot_isa_check_tensor(cur, tables[i],
					    AIOT_ISA_DTYPE_INT16, false, sum,
					    &s_tab);
		if (!ret)
			ret = aiot_isa_check_alias(&s_out, &s_tab, false);
		if (!ret && i >= 2 &&
		    aiot_isa_sig_elems(tables[i]) != channels + 1)
			ret = -EINVAL;
	}
	if (ret)
		return ret;
	if (aiot_isa_sig_elems(&op->weights) !=
	    aiot_isa_sig_elems(&op->unweights))
		return -EINVAL;
	/* A channel reads at most the whole spectrum. */
	aiot_isa_add_work(sum, (channels + 1) * aiot_isa_sig_elems(&op->input));
	return 0;
}

static int
aiot_isa_check_sig_sqrt(const struct aiot_isa_cursor *cur,
			const struct aiot_isa_op_signal_filter_bank_sqrt *op,
			struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_scale, s_out;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT32,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->scale,
					    AIOT_ISA_DTYPE_INT32, false, sum,
					    &s_scale);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT32, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (op->input.dims[3] != 2 || aiot_isa_sig_elems(&op->scale) != 1 ||
	    aiot_isa_sig_elems(&op->input) !=
	    2 * aiot_isa_sig_elems(&op->output))
		return -EINVAL;
	ret = aiot_isa_check_alias(&s_out, &s_in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_scale, false);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, 32 * aiot_isa_sig_elems(&op->output));
	return 0;
}

static int aiot_isa_check_sig_subtract(const struct aiot_isa_cursor *cur,
				       const struct aiot_isa_op_signal_spectral_subtraction *op,
				       struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_out, s_noise, s_state;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT32,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT32, true, sum,
					    &s_out);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->noise_estimate,
					    AIOT_ISA_DTYPE_INT32, true, sum,
					    &s_noise);
	/* The state is read and written. */
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->state,
					    AIOT_ISA_DTYPE_INT32, false, sum,
					    &s_state);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->state,
					    AIOT_ISA_DTYPE_INT32, true, sum,
					    NULL);
	if (ret)
		return ret;
	if (!aiot_isa_same_dims(&op->input, &op->output) ||
	    !aiot_isa_same_dims(&op->input, &op->noise_estimate) ||
	    !aiot_isa_same_dims(&op->input, &op->state) ||
	    op->smoothing_bits > 31 || op->spectral_subtraction_bits > 63 ||
	    op->clamping > 1)
		return -EINVAL;
	ret = aiot_isa_check_alias(&s_out, &s_in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_noise, &s_in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_noise, &s_out, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_state, &s_in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_state, &s_out, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_state, &s_noise, false);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, 2 * aiot_isa_sig_elems(&op->input));
	return 0;
}

static int aiot_isa_check_sig_pcan(const struct aiot_isa_cursor *cur,
				   const struct aiot_isa_op_signal_pcan *op,
				   struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_noise, s_lut, s_out;
	int ret;

	if (op->reserved)
		return -EINVAL;
	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT32,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->noise_estimate,
					    AIOT_ISA_DTYPE_INT32, false, sum,
					    &s_noise);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->gain_lut,
					    AIOT_ISA_DTYPE_INT16, false, sum,
					    &s_lut);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT32, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_same_dims(&op->input, &op->output) ||
	    !aiot_isa_same_dims(&op->input, &op->noise_estimate) ||
	    aiot_isa_sig_elems(&op->gain_lut) < AIOT_ISA_PCAN_LUT_ENTRIES ||
	    op->snr_shift > 63)
		return -EINVAL;
	ret = aiot_isa_check_alias(&s_out, &s_in, true);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_noise, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_lut, false);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, 2 * aiot_isa_sig_elems(&op->input));
	return 0;
}

static int
aiot_isa_check_sig_log(const struct aiot_isa_cursor *cur,
		       const struct aiot_isa_op_signal_filter_bank_log *op,
		       struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_lut, s_out;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INT32,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->log_lut,
					    AIOT_ISA_DTYPE_INT16, false, sum,
					    &s_lut);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT16, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_same_dims(&op->input, &op->output) ||
	    aiot_isa_sig_elems(&op->log_lut) < AIOT_ISA_LOG_LUT_ENTRIES ||
	    op->input_correction_bits > 31)
		return -EINVAL;
	ret = aiot_isa_check_alias(&s_out, &s_in, false);
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_lut, false);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, 2 * aiot_isa_sig_elems(&op->input));
	return 0;
}

static int aiot_isa_check_cast(const struct aiot_isa_cursor *cur,
			       const struct aiot_isa_op_cast *op,
			       struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in, s_out;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input, AIOT_ISA_DTYPE_INVALID,
				    false, sum, &s_in);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INVALID, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_same_dims(&op->input, &op->output))
		return -EINVAL;
	/* In place only when the element size stays the same. */
	ret = aiot_isa_check_alias(&s_out, &s_in,
				   op->input.dtype == op->output.dtype);
	if (ret)
		return ret;
	aiot_isa_add_work(sum, aiot_isa_sig_elems(&op->output));
	return 0;
}

/* The positive-stride case of ISA 1.5's SLICE (aiot_isa_validate_shape.c). */
static int aiot_isa_check_slice(const struct aiot_isa_cursor *cur,
				const struct aiot_isa_op_strided_slice *op,
				struct aiot_isa_summary *sum)
{
	s64 stride[AIOT_ISA_DIMS];
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++)
		stride[i] = op->stride[i];
	return aiot_isa_check_strided(cur, &op->input, &op->output, op->begin,
				      stride, sum);
}

static bool aiot_isa_sig_broadcasts(const struct aiot_isa_tensor *in,
				    const struct aiot_isa_tensor *out)
{
	int i;

	for (i = 0; i < AIOT_ISA_DIMS; i++)
		if (in->dims[i] != out->dims[i] && in->dims[i] != 1)
			return false;
	return true;
}

static int aiot_isa_check_bin32(const struct aiot_isa_cursor *cur,
				const struct aiot_isa_op_binary_int32 *op,
				struct aiot_isa_summary *sum)
{
	struct aiot_isa_span s_in1, s_in2, s_out;
	int ret;

	ret = aiot_isa_check_tensor(cur, &op->input1, AIOT_ISA_DTYPE_INT32,
				    false, sum, &s_in1);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->input2,
					    AIOT_ISA_DTYPE_INT32, false, sum,
					    &s_in2);
	if (!ret)
		ret = aiot_isa_check_tensor(cur, &op->output,
					    AIOT_ISA_DTYPE_INT32, true, sum,
					    &s_out);
	if (ret)
		return ret;
	if (!aiot_isa_sig_broadcasts(&op->input1, &op->output) ||
	    !aiot_isa_sig_broadcasts(&op->input2, &op->output) ||
	    op->act.min > op->act.max)
		return -EINVAL;
	ret = aiot_isa_check_alias(&s_out, &s_in1,
				   aiot_isa_same_dims(&op->input1,
						      &op->output));
	if (!ret)
		ret = aiot_isa_check_alias(&s_out, &s_in2,
					   aiot_isa_same_dims(&op->input2,
							      &op->output));
	if (ret)
		return ret;
	aiot_isa_add_work(sum, aiot_isa_sig_elems(&op->output));
	return 0;
}

int aiot_isa_check_signal_op(const struct aiot_isa_cursor *cur,
			     const union aiot_isa_op *op,
			     struct aiot_isa_summary *sum)
{
	switch (op->hdr.opcode) {
	case AIOT_ISA_OP_SIGNAL_WINDOW:
		return aiot_isa_check_sig_window(cur, &op->sig_window, sum);
	case AIOT_ISA_OP_SIGNAL_FFT_AUTO_SCALE:
		return aiot_isa_check_sig_autoscale(cur, &op->sig_autoscale,
						    sum);
	case AIOT_ISA_OP_SIGNAL_RFFT:
		return aiot_isa_check_sig_rfft(cur, &op->sig_rfft, sum);
	case AIOT_ISA_OP_SIGNAL_ENERGY:
		return aiot_isa_check_sig_energy(cur, &op->sig_energy, sum);
	case AIOT_ISA_OP_SIGNAL_FILTER_BANK:
		return aiot_isa_check_sig_fbank(cur, &op->sig_fbank, sum);
	case AIOT_ISA_OP_SIGNAL_FILTER_BANK_SQRT:
		return aiot_isa_check_sig_sqrt(cur, &op->sig_sqrt, sum);
	case AIOT_ISA_OP_SIGNAL_SPECTRAL_SUBTRACTION:
		return aiot_isa_check_sig_subtract(cur, &op->sig_subtract, sum);
	case AIOT_ISA_OP_SIGNAL_PCAN:
		return aiot_isa_check_sig_pcan(cur, &op->sig_pcan, sum);
	case AIOT_ISA_OP_SIGNAL_FILTER_BANK_LOG:
		return aiot_isa_check_sig_log(cur, &op->sig_log, sum);
	case AIOT_ISA_OP_CAST:
		return aiot_isa_check_cast(cur, &op->cast, sum);
	case AIOT_ISA_OP_STRIDED_SLICE:
		return aiot_isa_check_slice(cur, &op->slice, sum);
	case AIOT_ISA_OP_ADD_INT32:
	case AIOT_ISA_OP_MUL_INT32:
	case AIOT_ISA_OP_DIV_INT32:
	case AIOT_ISA_OP_MINIMUM_INT32:
	case AIOT_ISA_OP_MAXIMUM_INT32:
		return aiot_isa_check_bin32(cur, &op->bin32, sum);
	default:
		return -EOPNOTSUPP;
	}
}
