// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sensor suite: streaming each kind of sensor and pattern, checking
 * content, sequence numbers and timestamps.
 */
#include "sensor.h"

/*
 * Stream a sensor for `count` slots, requeueing each: check content,
 * sequence continuity (or exactly counted gaps), timestamps.
 */
void stream_and_check(unsigned int kind, struct aiot_sensor_config c,
		      int count)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	uint64_t t_start, prev_seq = 0, prev_ts = 0, prev_done = 0, gaps = 0, drops0;
	uint64_t span_min = UINT64_MAX, span_max = 0;
	int i, bad = 0;

	REQUIRE(open_kind(&st, kind) == 0);
	c.channels = c.channels ? c.channels : st.info.max_channels;
	c.format = kind == AIOT_SENSOR_KIND_CAMERA ? AIOT_SENSOR_FMT_U8 :
						     AIOT_SENSOR_FMT_S16_LE;
	REQUIRE(setup(&st, c) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK_EQ(st.info.state, AIOT_SENSOR_STATE_STOPPED);
	drops0 = st.info.drops;
	t_start = aiot_test_now_ns();
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	for (i = 0; i < count; i++) {
		uint64_t t_dq;

		REQUIRE(dq(&st, &b) == 0);
		t_dq = aiot_test_now_ns();
		CHECK(b.index < st.cfg.slot_count);
		CHECK_EQ(b.offset, b.index * st.cfg.slot_stride);
		CHECK_EQ(b.bytesused, st.cfg.slot_bytes);
		CHECK(!(b.flags & AIOT_SENSOR_BUF_ERROR));
		/* The slot is complete only at the end of its period. */
		CHECK(b.timestamp_ns >= t_start);
		CHECK(b.timestamp_ns + st.cfg.period_ns <= t_dq);
		/*
		 * Its DMA completed after its first sample, and at least a
		 * slot's worth of periods later, before the DQBUF returned.
		 */
		CHECK(b.dma_done_ns != 0);
		CHECK(b.dma_done_ns >= b.timestamp_ns);
		CHECK(b.dma_done_ns <= t_dq);
		CHECK(b.dma_done_ns - b.timestamp_ns >= st.cfg.period_ns);
		if (b.dma_done_ns - b.timestamp_ns < span_min)
			span_min = b.dma_done_ns - b.timestamp_ns;
		if (b.dma_done_ns - b.timestamp_ns > span_max)
			span_max = b.dma_done_ns - b.timestamp_ns;
		CHECK_EQ(b.reserved, 0);
		if (i == 0) {
			CHECK_EQ(b.sequence, 0);
		} else {
			uint64_t d = b.sequence - prev_seq;

			CHECK(b.sequence > prev_seq);
			gaps += d - 1;
			/* A gap, and only a gap, is flagged. */
			CHECK_EQ(!!(b.flags & AIOT_SENSOR_BUF_OVERFLOWED), d > 1);
			/* Spaced by the period (+-1 us for rounding). */
			CHECK(llabs((long long)(b.timestamp_ns - prev_ts) -
				    (long long)(d * st.cfg.period_ns)) <= 1000);
			/* Completions are monotonic. */
			CHECK(b.dma_done_ns > prev_done);
		}
		bad += check_slot(&st, st.ring + b.offset, b.sequence, c.pattern);
		prev_seq = b.sequence;
		prev_ts = b.timestamp_ns;
		prev_done = b.dma_done_ns;
		REQUIRE(qb(&st, b.index) == 0);
	}
	CHECK_EQ(bad, 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK_EQ(st.info.state, AIOT_SENSOR_STATE_STREAMING);
	/* Every gap is counted as a drop (more may have happened since). */
	CHECK(st.info.drops - drops0 >= gaps);
	CHECK(st.info.sequence > prev_seq);
	if (gaps)
		tap_diag("%llu periods dropped by a slow guest",
			 (unsigned long long)gaps);
	tap_diag("first sample -> DMA done: %llu..%llu us for a %llu us period",
		 (unsigned long long)span_min / 1000, (unsigned long long)span_max / 1000,
		 (unsigned long long)st.cfg.period_ns / 1000);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close_stream(&st);
}

void accel_ramp(void)
{
	struct aiot_sensor_config c = { .rate_hz = 200, .samples_per_slot = 20,
		.slot_count = 8, .pattern = AIOT_SIM_PATTERN_RAMP };

	stream_and_check(AIOT_SENSOR_KIND_ACCEL, c, 12);
}

void accel_sine_two_channels(void)
{
	struct aiot_sensor_config c = { .rate_hz = 100, .samples_per_slot = 25,
		.slot_count = 4, .channels = 2 };

	stream_and_check(AIOT_SENSOR_KIND_ACCEL, c, 6);
}

void accel_anomaly(void)
{
	/* Samples 0..9 of every 200 are noise: slot 0 is, slots 1.. are not. */
	struct aiot_sensor_config c = { .rate_hz = 100, .samples_per_slot = 10,
		.slot_count = 4, .pattern = AIOT_SIM_PATTERN_ANOMALY };

	stream_and_check(AIOT_SENSOR_KIND_ACCEL, c, 4);
}

void mic_16k_sine(void)
{
	struct aiot_sensor_config c = { .rate_hz = 16000, .samples_per_slot = 320,
		.slot_count = 8, .pattern = AIOT_SIM_PATTERN_SINE };

	stream_and_check(AIOT_SENSOR_KIND_MIC, c, 25);
}

void mic_16k_noise(void)
{
	struct aiot_sensor_config c = { .rate_hz = 16000, .samples_per_slot = 160,
		.slot_count = 16, .pattern = AIOT_SIM_PATTERN_NOISE };

	stream_and_check(AIOT_SENSOR_KIND_MIC, c, 25);
}

void camera_frames(void)
{
	struct aiot_sensor_config c = { .rate_hz = 15, .samples_per_slot = 1,
		.slot_count = 4, .pattern = AIOT_SENSOR_PATTERN_LIVE };

	stream_and_check(AIOT_SENSOR_KIND_CAMERA, c, 6);
}

void camera_two_frames_per_slot_ramp(void)
{
	struct aiot_sensor_config c = { .rate_hz = 20, .samples_per_slot = 2,
		.slot_count = 3, .pattern = AIOT_SIM_PATTERN_RAMP };

	stream_and_check(AIOT_SENSOR_KIND_CAMERA, c, 4);
}
