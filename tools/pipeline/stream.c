// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live pipeline's sensor stream matched to a model (live_pipeline.h):
 * opening the stream, checking that one slot is the model's input, timing
 * the NPU, choosing the rate, configuring the stream, its counters.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/dtype.h"
#include "internal.h"
#include "live_pipeline.h"

/* -------------------------------------------------- sensor and model */

static const char *dtype_name(enum aiot_dtype t)
{
	const char *name = aiot_dtype_name(t);

	return name ? name : "of an unknown type";
}

int lp_open_sensor(const char *name, struct aiot_sensor **out, char *err, size_t len)
{
	int ret = name[0] == '/' ? aiot_sensor_open(name, out) : aiot_sensor_open_by_name(name, out);

	if (ret == -ENOENT && name[0] != '/')
		return lp_fail(ret, err, len, "no sensor stream named '%s' (aiot-info lists them; "
			       "is aiot-sim loaded?)", name);
	if (ret == -ENOENT || ret == -ENODEV)
		return lp_fail(ret, err, len, "%s: %s (aiot-info lists the sensor streams)", name,
			       ret == -ENOENT ? "no such device node" : "not an aiot sensor stream");
	if (ret)
		return lp_fail(ret, err, len, "sensor %s: %s", name, aiot_strerror(ret));
	return 0;
}

int lp_stream_init(struct lp_stream *st, struct aiot_sensor *sensor, const char *sensor_name,
		   struct aiot_accel *accel, struct aiot_model *model, const char *model_path,
		   char *err, size_t len)
{
	struct aiot_sensor_properties *props = NULL;
	unsigned int w, h, cmin, cmax, elem;
	enum aiot_dtype dtype;
	size_t sample;
	int ret;

	memset(st, 0, sizeof(*st));
	st->sensor = sensor_name;
	st->model_path = model_path;
	st->accel = accel;
	st->model = model;
	if (aiot_model_get_input_count(model) != 1 || aiot_model_get_output_count(model) < 1)
		return lp_fail(-EINVAL, err, len, "%s: needs one input and at least one output",
			       model_path);
	st->in = aiot_model_get_input_info(model, 0);
	st->out = aiot_model_get_output_info(model, 0);
	st->in_size = aiot_tensor_info_get_size(st->in);
	st->out_size = aiot_tensor_info_get_size(st->out);
	st->out_offset = aiot_tensor_info_get_offset(st->out);
	st->in_binding = aiot_tensor_info_get_binding(st->in);
	st->out_binding = aiot_tensor_info_get_binding(st->out);
	if (aiot_tensor_info_get_offset(st->in) != 0)
		return lp_fail(-EINVAL, err, len, "%s: the input does not start its buffer; it "
			       "cannot be a sensor slot", model_path);
	if (st->in_binding == st->out_binding)
		return lp_fail(-EINVAL, err, len, "%s: input and output share a buffer", model_path);

	if ((ret = aiot_sensor_get_properties(sensor, &props)))
		return lp_fail(ret, err, len, "%s: %s", sensor_name, aiot_strerror(ret));
	aiot_sensor_properties_get_frame_size(props, &w, &h);
	aiot_sensor_properties_get_channels(props, &cmin, &cmax);
	aiot_sensor_properties_get_rate_range(props, &st->min_rate_hz, &st->max_rate_hz);
	st->kind = aiot_sensor_properties_get_kind(props);
	st->can_replay = !aiot_sensor_find_test_pattern(sensor, "replay", &st->replay_pattern) &&
			 aiot_sensor_properties_has_pattern(props, st->replay_pattern);
	snprintf(st->node, sizeof(st->node), "%s", aiot_sensor_get_path(sensor));
	st->width = w;
	st->height = h;

	/* The slot's bytes are the input's bytes: the element types must agree. */
	dtype = aiot_tensor_info_get_dtype(st->in);
	ret = 0;
	if (dtype == AIOT_DTYPE_INT8 && aiot_sensor_properties_has_format(props, AIOT_SENSOR_FMT_U8))
		st->format = AIOT_SENSOR_FMT_U8;
	else if (dtype == AIOT_DTYPE_INT16 &&
		 aiot_sensor_properties_has_format(props, AIOT_SENSOR_FMT_S16_LE))
		st->format = AIOT_SENSOR_FMT_S16_LE;
	else if (dtype == AIOT_DTYPE_INT8 || dtype == AIOT_DTYPE_INT16)
		ret = lp_fail(-EINVAL, err, len, "%s gives %s samples, but the input of %s is %s: "
			      "its slots cannot be the model's input as they are (this sensor needs "
			      "a model whose input is %s)", sensor_name,
			      dtype == AIOT_DTYPE_INT8 ? "16-bit (S16_LE)" : "8-bit (U8)", model_path,
			      dtype_name(dtype), dtype == AIOT_DTYPE_INT8 ? "int16" : "int8");
	else
		ret = lp_fail(-EINVAL, err, len, "the input of %s is %s; sensor slots hold 8-bit (U8) "
			      "or 16-bit (S16_LE) samples, for int8 or int16 inputs", model_path,
			      dtype_name(dtype));
	if (ret)
		goto out;
	elem = st->format == AIOT_SENSOR_FMT_U8 ? 1 : 2;
	st->channels = cmin;
	sample = (size_t)elem * st->channels * w * h;
	if (!sample || st->in_size % sample) {
		ret = lp_fail(-EINVAL, err, len, "the model's input (%zu B) is not a whole number of "
			      "%s samples (%zu B)", st->in_size, sensor_name, sample);
		goto out;
	}
	if (st->in_size / sample > UINT_MAX) {
		ret = lp_fail(-ERANGE, err, len, "the model's input (%zu B) is too large for %s",
			      st->in_size, sensor_name);
		goto out;
	}
	st->spp = (unsigned int)(st->in_size / sample);
out:
	aiot_sensor_properties_free(props);
	return ret;
}

int lp_calibrate(struct aiot_model *model, uint64_t *t_inf_ns)
{
	uint64_t t[5];
	int ret;

	for (int i = 0; i < 5; i++) {
		uint64_t t0 = lp_now_ns();

		if ((ret = aiot_model_run(model, 30 * LP_NS)))
			return ret;
		t[i] = lp_now_ns() - t0;
	}
	qsort(t, 5, sizeof(t[0]), lp_cmp_u64);
	*t_inf_ns = t[2];
	return 0;
}

unsigned int lp_auto_rate(const struct lp_stream *st, uint64_t t_inf_ns)
{
	double slots = 0.5e9 / (double)(t_inf_ns ? t_inf_ns : 1);
	double rate = floor(slots * st->spp);

	return rate < st->min_rate_hz ? st->min_rate_hz :
	       rate > st->max_rate_hz ? st->max_rate_hz : (unsigned int)rate;
}

void lp_stream_set_rate(struct lp_stream *st, unsigned int rate_hz)
{
	st->rate_hz = rate_hz;
	st->slot_rate_hz = rate_hz / st->spp ? rate_hz / st->spp : 1;
}

int lp_configure(const struct lp_stream *st, unsigned int slots, struct aiot_sensor **out,
		 char *err, size_t len)
{
	struct aiot_sensor_settings *set;
	struct aiot_sensor *s;
	int ret = lp_open_sensor(st->sensor, &s, err, len);

	if (ret)
		return ret;
	set = aiot_sensor_settings_new();
	if (!set) {
		aiot_sensor_close(s);
		return lp_fail(-ENOMEM, err, len, "out of memory");
	}
	aiot_sensor_settings_set_format(set, st->format);
	aiot_sensor_settings_set_channels(set, st->channels);
	aiot_sensor_settings_set_rate(set, st->rate_hz);
	aiot_sensor_settings_set_samples_per_slot(set, st->spp);
	aiot_sensor_settings_set_slot_count(set, slots);
	aiot_sensor_settings_set_overflow(set, AIOT_SENSOR_OVERFLOW_DROP_NEWEST);
	ret = lp_replay_configure(st, s, set, slots, err, len);
	if (ret)
		goto out;
	if (aiot_sensor_get_slot_size(s) != st->in_size) {
		ret = lp_fail(-EINVAL, err, len, "a slot of %s holds %zu bytes, the model's input %zu",
			      st->sensor, aiot_sensor_get_slot_size(s), st->in_size);
		goto out;
	}
out:
	aiot_sensor_settings_free(set);
	if (ret)
		aiot_sensor_close(s);
	else
		*out = s;
	return ret;
}

uint64_t lp_driver_copied(const struct aiot_sensor *sensor, bool *ok)
{
	uint64_t v = 0;

	*ok = aiot_sensor_get_stat(sensor, AIOT_SENSOR_STAT_BYTES_COPIED, &v) == 0;
	return *ok ? v : 0;
}

uint64_t lp_sequence_gap(struct lp_sequence *seq, uint64_t sequence)
{
	uint64_t gap = seq->seen && sequence > seq->last + 1 ? sequence - seq->last - 1 : 0;

	seq->seen = true;
	seq->last = sequence;
	return gap;
}
