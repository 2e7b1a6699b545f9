// SPDX-License-Identifier: GPL-2.0-only
/*
 * libaiot-accel's sensor side against the real modules: discovery,
 * settings, streaming with sequence numbers, timeouts, and the zero-copy
 * pipeline: jobs queued ahead on slots the DMA has not filled yet, each
 * starting when its slot's write fence signals, reading the very pages the
 * sensor wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <aiot/accel.h>
#include <aiot/model_format.h>
#include <aiot/sensor.h>
#include <aiot/sim_sensor.h>
#include <linux/aiot_isa.h>

#include "tap.h"

#define SECOND_NS	1000000000LL
#define CHANNELS	3	/* accel0: x, y, z */
#define SAMPLES		8	/* per slot */
#define ELEMENTS	(CHANNELS * SAMPLES)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SECOND_NS + (uint64_t)ts.tv_nsec;
}

static struct aiot_sensor *open_accel0(void)
{
	struct aiot_sensor *sensor = NULL;
	int ret = aiot_sensor_open_by_name("accel0", &sensor);

	if (ret)
		tap_diag("aiot_sensor_open_by_name(accel0): %s", aiot_strerror(ret));
	return sensor;
}

static struct aiot_sensor_settings *ramp_settings(unsigned int rate, unsigned int slots)
{
	struct aiot_sensor_settings *s = aiot_sensor_settings_new();

	if (!s)
		return NULL;
	aiot_sensor_settings_set_format(s, AIOT_SENSOR_FMT_S16_LE);
	aiot_sensor_settings_set_channels(s, CHANNELS);
	aiot_sensor_settings_set_rate(s, rate);
	aiot_sensor_settings_set_samples_per_slot(s, SAMPLES);
	aiot_sensor_settings_set_slot_count(s, slots);
	aiot_sensor_settings_set_pattern(s, AIOT_SIM_PATTERN_RAMP);
	return s;
}

/* RAMP: element k of sample n is e + n with e = n * CHANNELS + k. */
static int16_t ramp_value(uint64_t sequence, unsigned int element)
{
	uint64_t n = sequence * SAMPLES + element / CHANNELS;
	uint64_t e = n * CHANNELS + element % CHANNELS;

	return (int16_t)(uint16_t)(e + n);
}

static void find_streams(void)
{
	struct aiot_sensor *sensor = open_accel0(), *by_index = NULL;
	struct aiot_sensor_properties *props = NULL;
	unsigned int min, max;

	REQUIRE(sensor);
	tap_diag("accel0 is %s", aiot_sensor_get_path(sensor));
	CHECK(aiot_sensor_get_fd(sensor) >= 0);
	REQUIRE(aiot_sensor_get_properties(sensor, &props) == 0);
	CHECK(strcmp(aiot_sensor_properties_get_name(props), "accel0") == 0);
	CHECK_EQ(aiot_sensor_properties_get_kind(props), AIOT_SENSOR_KIND_ACCEL);
	CHECK(aiot_sensor_properties_has_format(props, AIOT_SENSOR_FMT_S16_LE));
	CHECK(aiot_sensor_properties_has_pattern(props, AIOT_SIM_PATTERN_RAMP));
	/* Test patterns by the backend's names; the numbers are aiot-sim's. */
	{
		unsigned int n = 0;

		CHECK_EQ(aiot_sensor_find_test_pattern(sensor, "ramp", &n), 0);
		CHECK_EQ(n, AIOT_SIM_PATTERN_RAMP);
		CHECK_EQ(aiot_sensor_find_test_pattern(sensor, "replay", &n), 0);
		CHECK_EQ(n, AIOT_SIM_PATTERN_REPLAY);
		CHECK_EQ(aiot_sensor_find_test_pattern(sensor, "live", &n), -ENOENT);
		CHECK_EQ(aiot_sensor_find_test_pattern(sensor, "square", &n), -ENOENT);
	}
	CHECK(aiot_sensor_properties_get_capabilities(props) & AIOT_SENSOR_CAP_DMABUF);
	aiot_sensor_properties_get_channels(props, &min, &max);
	CHECK(min <= CHANNELS && CHANNELS <= max);
	aiot_sensor_properties_get_rate_range(props, &min, &max);
	CHECK(min >= 1 && max >= 100);
	CHECK(aiot_sensor_properties_get_max_slots(props) >= 4);
	aiot_sensor_properties_free(props);
	CHECK_EQ(aiot_sensor_open_by_name("no-such-sensor", &by_index), -ENOENT);
	CHECK_EQ(aiot_sensor_open_by_index(999, &by_index), -ENOENT);
	/* Every stream is reachable by index too. */
	for (unsigned int i = 0; i < 8; i++) {
		if (aiot_sensor_open_by_index(i, &by_index) == 0) {
			tap_diag("sensor%u: %s", i, aiot_sensor_get_path(by_index));
			aiot_sensor_close(by_index);
		}
	}
	CHECK_EQ(aiot_sensor_open("/dev/null", &by_index), -ENODEV);
	aiot_sensor_close(sensor);
}

static void stream_ramp_in_sequence(void)
{
	struct aiot_sensor *sensor = open_accel0();
	struct aiot_sensor_settings *settings = ramp_settings(400, 4);
	struct aiot_sensor_slot slot;
	uint64_t last_sequence = 0, last_timestamp = 0, last_done = 0, first, done, t_dq;
	int ret;

	REQUIRE(sensor && settings);
	REQUIRE(aiot_sensor_configure(sensor, settings) == 0);
	CHECK_EQ(aiot_sensor_get_slot_count(sensor), 4);
	CHECK_EQ(aiot_sensor_get_slot_size(sensor), ELEMENTS * 2);
	CHECK_EQ(aiot_sensor_get_period_ns(sensor), SAMPLES * SECOND_NS / 400);
	/* Nothing dequeued yet: no times. */
	CHECK_EQ(aiot_sensor_get_slot_timing(sensor, 0, &first, &done), -ENODATA);
	CHECK_EQ(aiot_sensor_get_slot_timing(sensor, 4, &first, &done), -EINVAL);
	REQUIRE(aiot_sensor_start(sensor) == 0);
	CHECK_EQ(aiot_sensor_start(sensor), -EBUSY);
	for (int i = 0; i < 12; i++) {
		const int16_t *data;

		REQUIRE(aiot_sensor_dequeue(sensor, 2 * SECOND_NS, &slot) == 0);
		t_dq = now_ns();
		CHECK(slot.index < 4);
		/*
		 * Start and end of the slot's capture: the first sample, then the
		 * DMA's completion at least one period later, before the dequeue.
		 */
		first = done = 0;
		CHECK_EQ(aiot_sensor_get_slot_timing(sensor, slot.index, &first, &done), 0);
		CHECK_EQ(first, slot.timestamp_ns);
		CHECK(done >= first + aiot_sensor_get_period_ns(sensor));
		CHECK(done <= t_dq);
		if (i)
			CHECK(done > last_done);
		last_done = done;
		CHECK_EQ(slot.bytes_used, ELEMENTS * 2);
		CHECK_EQ(slot.flags & AIOT_SENSOR_BUF_ERROR, 0);
		if (i) {
			CHECK(slot.sequence > last_sequence);
			CHECK(slot.timestamp_ns > last_timestamp);
		}
		last_sequence = slot.sequence;
		last_timestamp = slot.timestamp_ns;
		REQUIRE(aiot_sensor_get_slot_data(sensor, slot.index, (const void **)&data) == 0);
		for (unsigned int k = 0; k < ELEMENTS; k++) {
			if (data[k] != ramp_value(slot.sequence, k)) {
				tap_diag("sequence %llu element %u: %d, want %d",
					 (unsigned long long)slot.sequence, k, data[k],
					 ramp_value(slot.sequence, k));
				tap_case_failed = 1;
				break;
			}
		}
		CHECK_EQ(aiot_sensor_queue(sensor, slot.index), 0);
	}
	CHECK_EQ(aiot_sensor_queue(sensor, slot.index), -EBUSY);	/* queued already */
	CHECK_EQ(aiot_sensor_stop(sensor), 0);
	CHECK_EQ(aiot_sensor_stop(sensor), 0);
	/* Drain what was filled, then the stream says it has stopped. */
	do
		ret = aiot_sensor_dequeue(sensor, 0, &slot);
	while (ret == 0);
	CHECK_EQ(ret, -EPIPE);
	aiot_sensor_settings_free(settings);
	aiot_sensor_close(sensor);
}

static void dequeue_times_out(void)
{
	struct aiot_sensor *sensor = open_accel0();
	struct aiot_sensor_settings *settings = ramp_settings(8, 2);	/* 1 s periods */
	struct aiot_sensor_slot slot;
	const void *data;

	REQUIRE(sensor && settings);
	REQUIRE(aiot_sensor_configure(sensor, settings) == 0);
	REQUIRE(aiot_sensor_start(sensor) == 0);
	CHECK_EQ(aiot_sensor_dequeue(sensor, 0, &slot), -ETIME);
	CHECK_EQ(aiot_sensor_dequeue(sensor, 50 * 1000 * 1000, &slot), -ETIME);
	CHECK_EQ(aiot_sensor_dequeue(sensor, 3 * SECOND_NS, &slot), 0);
	CHECK_EQ(aiot_sensor_get_slot_data(sensor, 2, &data), -EINVAL);	/* 2 slots */
	aiot_sensor_stop(sensor);
	aiot_sensor_settings_free(settings);
	aiot_sensor_close(sensor);
}

/* Raw samples (int16) to int8, saturating: SENSOR_TO_INT8 with scale 1. */
static int load_sensor_model(struct aiot_accel *accel, struct aiot_model **model)
{
	struct {
		struct aiot_isa_header hdr;
		struct aiot_isa_op_requantize op;
	} s;
	struct aiot_model_tensor t[2];
	struct aiot_model_blob_parts parts = { 0 };
	const float one = 1.0f;
	char err[200] = "";
	void *blob = NULL;
	size_t size;
	int ret;

	memset(&s, 0, sizeof(s));
	s.hdr = (struct aiot_isa_header){ .magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION_CURRENT, .size = sizeof(s), .op_count = 1 };
	s.op.hdr = (struct aiot_isa_op_header){ .opcode = AIOT_ISA_OP_SENSOR_TO_INT8,
						.size = sizeof(s.op) };
	s.op.input = (struct aiot_isa_tensor){ .binding = 1, .dtype = AIOT_ISA_DTYPE_INT16,
					       .dims = { 1, 1, SAMPLES, CHANNELS } };
	s.op.output = (struct aiot_isa_tensor){ .binding = 2, .dtype = AIOT_ISA_DTYPE_INT8,
						.dims = { 1, 1, SAMPLES, CHANNELS } };
	s.op.multiplier = 1 << 30;	/* 0.5 ... */
	s.op.shift = 1;			/* ... times 2: scale 1 */
	s.op.act = (struct aiot_isa_activation){ -128, 127 };

	memset(t, 0, sizeof(t));
	for (int i = 0; i < 2; i++) {
		t[i].direction = (uint8_t)i;
		t[i].dtype = i ? AIOT_ISA_DTYPE_INT8 : AIOT_ISA_DTYPE_INT16;
		t[i].binding = (uint8_t)(1 + i);
		t[i].dims[0] = t[i].dims[1] = 1;
		t[i].dims[2] = SAMPLES;
		t[i].dims[3] = CHANNELS;
		t[i].size = ELEMENTS * (i ? 1 : 2);
		memcpy(&t[i].scale_bits, &one, 4);
	}
	parts.name = "sensor-to-int8";
	parts.isa_version = AIOT_ISA_VERSION_CURRENT;
	parts.command_stream = &s;
	parts.command_stream_size = sizeof(s);
	parts.weights_binding = AIOT_MODEL_NO_BINDING;
	parts.arena_binding = AIOT_MODEL_NO_BINDING;
	parts.tensors = t;
	parts.tensor_count = 2;
	ret = aiot_model_blob_build(&parts, &blob, &size, err, sizeof(err));
	if (!ret)
		ret = aiot_model_load(accel, blob, size, model, err, sizeof(err));
	if (ret)
		tap_diag("sensor model: %s: %s", aiot_strerror(ret), err);
	free(blob);
	return ret;
}

/* A slot exported as a dma-buf fd that any dma-buf importer can take. */
static void slot_exported_as_dmabuf(void)
{
	struct aiot_sensor *sensor = open_accel0();
	struct aiot_sensor_settings *settings = ramp_settings(200, 2);
	struct aiot_accel *accel = NULL;
	struct aiot_buffer *buf = NULL;
	int fd;

	REQUIRE(sensor && settings);
	REQUIRE(aiot_accel_open_default(&accel) == 0);
	REQUIRE(aiot_sensor_configure(sensor, settings) == 0);
	fd = aiot_sensor_export_slot(sensor, 1);
	REQUIRE(fd >= 0);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK_EQ(aiot_buffer_import_dmabuf(accel, fd, &buf), 0);
	CHECK(aiot_buffer_get_size(buf) >= aiot_sensor_get_slot_size(sensor));
	CHECK_EQ(aiot_sensor_export_slot(sensor, 99), -EINVAL);
	aiot_buffer_free(buf);
	close(fd);
	aiot_accel_close(accel);
	aiot_sensor_settings_free(settings);
	aiot_sensor_close(sensor);
}

enum { RING = 4, ROUNDS = 12 };

static void jobs_start_on_slot_fences_zero_copy(void)
{
	struct aiot_sensor *sensor = open_accel0();
	struct aiot_sensor_settings *settings = ramp_settings(200, RING);	/* 40 ms */
	struct aiot_accel *accel = NULL;
	struct aiot_model *model = NULL;
	struct aiot_buffer *slots[RING] = { 0 }, *outputs[RING] = { 0 };
	struct aiot_job *jobs[RING] = { 0 };
	struct aiot_job_config *options = aiot_job_config_new();
	struct aiot_sensor_slot slot;
	uint64_t worst_latency = 0;
	int i;

	REQUIRE(sensor && settings && options);
	REQUIRE(aiot_accel_open_default(&accel) == 0);
	REQUIRE(load_sensor_model(accel, &model) == 0);
	REQUIRE(aiot_sensor_configure(sensor, settings) == 0);
	for (i = 0; i < RING; i++) {
		REQUIRE(aiot_sensor_import_slot(sensor, (unsigned int)i, accel, &slots[i]) == 0);
		REQUIRE(aiot_buffer_create(accel, 4096, &outputs[i]) == 0);
	}
	/* Reconfiguring under exported slots is refused. */
	CHECK_EQ(aiot_sensor_configure(sensor, settings), -EBUSY);

	/* Queue a job on every slot before its DMA even started. */
	REQUIRE(aiot_sensor_start(sensor) == 0);
	for (i = 0; i < RING; i++) {
		aiot_job_config_set_binding(options, 1, slots[i]);
		aiot_job_config_set_binding(options, 2, outputs[i]);
		REQUIRE(aiot_model_submit(model, options, &jobs[i]) == 0);
	}
	for (int round = 0; round < ROUNDS; round++) {
		const int16_t *samples;
		const int8_t *out;
		uint64_t started, ended;
		unsigned int s;

		REQUIRE(aiot_sensor_dequeue(sensor, 2 * SECOND_NS, &slot) == 0);
		s = slot.index;
		REQUIRE(s < RING && jobs[s]);
		CHECK_EQ(aiot_job_wait(jobs[s], 2 * SECOND_NS), 0);
		CHECK_EQ(aiot_job_get_status(jobs[s]), 0);
		aiot_job_get_timing(jobs[s], NULL, NULL, &started, &ended);
		/* The job waited for the DMA: it started after its completion. */
		CHECK(started >= slot.timestamp_ns);
		{
			uint64_t done = 0;

			CHECK_EQ(aiot_sensor_get_slot_timing(sensor, s, NULL, &done), 0);
			CHECK(started >= done);
		}
		if (ended - slot.timestamp_ns > worst_latency)
			worst_latency = ended - slot.timestamp_ns;
		REQUIRE(aiot_sensor_get_slot_data(sensor, s, (const void **)&samples) == 0);
		REQUIRE(aiot_buffer_map(outputs[s], (void **)&out) == 0);
		for (unsigned int k = 0; k < ELEMENTS; k++) {
			int want = samples[k] > 127 ? 127 : samples[k] < -128 ? -128 : samples[k];

			if (out[k] != want || samples[k] != ramp_value(slot.sequence, k)) {
				tap_diag("sequence %llu element %u: sample %d (ramp %d) gave %d",
					 (unsigned long long)slot.sequence, k, samples[k],
					 ramp_value(slot.sequence, k), out[k]);
				tap_case_failed = 1;
				break;
			}
		}
		aiot_job_free(jobs[s]);
		jobs[s] = NULL;
		/* The job is done, so its read fence no longer holds the slot. */
		CHECK_EQ(aiot_sensor_queue(sensor, s), 0);
		if (round + RING < ROUNDS) {
			aiot_job_config_set_binding(options, 1, slots[s]);
			aiot_job_config_set_binding(options, 2, outputs[s]);
			REQUIRE(aiot_model_submit(model, options, &jobs[s]) == 0);
		}
	}
	tap_diag("capture to decision, worst of %d: %llu us", ROUNDS,
		 (unsigned long long)(worst_latency / 1000));
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED), 0);
	aiot_sensor_stop(sensor);
	for (i = 0; i < RING; i++) {
		if (jobs[i])
			aiot_job_wait(jobs[i], 2 * SECOND_NS);
		aiot_job_free(jobs[i]);
		aiot_buffer_free(slots[i]);
		aiot_buffer_free(outputs[i]);
	}
	aiot_model_free(model);
	aiot_job_config_free(options);
	aiot_accel_close(accel);
	aiot_sensor_settings_free(settings);
	aiot_sensor_close(sensor);
}

TAP_MAIN(
	TAP_CASE(find_streams),
	TAP_CASE(stream_ramp_in_sequence),
	TAP_CASE(dequeue_times_out),
	TAP_CASE(slot_exported_as_dmabuf),
	TAP_CASE(jobs_start_on_slot_fences_zero_copy),
)
