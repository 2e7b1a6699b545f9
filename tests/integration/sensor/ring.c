// SPDX-License-Identifier: GPL-2.0-only
/* The sensor suite: the ring's overflow policies under a stalled reader. */
#include "sensor.h"

/* Drain the filled slots without blocking; return how many. */
static int drain(struct stream *st, struct aiot_sensor_buffer *out, int max)
{
	int n = 0;

	while (n < max && wait_fd(st->fd, POLLIN, 0) > 0) {
		memset(&out[n], 0, sizeof(out[n]));
		if (ioctl(st->fd, AIOT_SENSOR_IOC_DQBUF, &out[n]))
			break;
		n++;
	}
	return n;
}

/* Wait until the sensor has produced `periods` periods. */
static int wait_sequence(struct stream *st, uint64_t periods)
{
	int i;

	for (i = 0; i < 600; i++) {
		if (ioctl(st->fd, AIOT_SENSOR_IOC_INFO, &st->info))
			return -1;
		if (st->info.sequence >= periods)
			return 0;
		usleep(50000);
	}
	errno = ETIMEDOUT;
	return -1;
}

void drop_newest_under_stalled_reader(void)
{
	struct stream st;
	struct aiot_sensor_buffer b[8], nb;
	uint64_t drops0, sys0;
	int n, i, bad = 0;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 16000, 160, 4,
				 AIOT_SENSOR_OVERFLOW_DROP_NEWEST,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	drops0 = st.info.drops;
	sys0 = sysfs_u64(&st, "drops");
	CHECK_EQ(sys0, drops0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	/* Nobody reads while 20 periods go by: 4 fill, 16 drop. */
	REQUIRE(wait_sequence(&st, 20) == 0);
	n = drain(&st, b, 8);
	CHECK_EQ(n, 4);
	/* Drop-newest keeps the oldest: periods 0..3, in order. */
	for (i = 0; i < n; i++) {
		CHECK_EQ(b[i].sequence, i);
		CHECK_EQ(b[i].flags, 0);
		bad += check_slot(&st, st.ring + b[i].offset, b[i].sequence,
				  AIOT_SIM_PATTERN_RAMP);
	}
	CHECK_EQ(bad, 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK(st.info.drops - drops0 >= 16);
	CHECK(sysfs_u64(&st, "drops") - sys0 >= 16);
	for (i = 0; i < n; i++)
		REQUIRE(qb(&st, b[i].index) == 0);
	/* The next slot carries the gap: flagged, and all of it counted. */
	REQUIRE(dq(&st, &nb) == 0);
	CHECK(nb.sequence >= 20);
	CHECK(nb.flags & AIOT_SENSOR_BUF_OVERFLOWED);
	CHECK_EQ(check_slot(&st, st.ring + nb.offset, nb.sequence,
			    AIOT_SIM_PATTERN_RAMP), 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK(st.info.drops - drops0 >= nb.sequence - 4);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	/* Counters are cumulative: they survive the stop. */
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK(st.info.drops - drops0 >= nb.sequence - 4);
	CHECK_EQ(sysfs_u64(&st, "drops"), st.info.drops);
	close_stream(&st);
}

void overwrite_oldest_under_stalled_reader(void)
{
	struct stream st;
	struct aiot_sensor_buffer b[8];
	uint64_t drops0, ow0;
	int n, i, bad = 0;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 16000, 160, 4,
				 AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	drops0 = st.info.drops;
	ow0 = sysfs_u64(&st, "overwritten");
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE(wait_sequence(&st, 40) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_STOP) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	n = drain(&st, b, 8);
	/* The newest periods survive, the oldest were overwritten. */
	CHECK(n >= 2 && n <= 4);
	for (i = 0; i < n; i++) {
		if (i)
			CHECK(b[i].sequence > b[i - 1].sequence);
		bad += check_slot(&st, st.ring + b[i].offset, b[i].sequence,
				  AIOT_SIM_PATTERN_RAMP);
	}
	CHECK_EQ(bad, 0);
	CHECK(n > 0 && b[0].sequence >= 20);
	CHECK(n > 0 && b[n - 1].sequence + 8 >= st.info.sequence);
	CHECK(n > 0 && (b[0].flags & AIOT_SENSOR_BUF_OVERFLOWED));
	CHECK(sysfs_u64(&st, "overwritten") - ow0 >= 10);
	/* Every period is either dequeued or counted as dropped. */
	CHECK_EQ(st.info.drops - drops0 + n, st.info.sequence);
	close_stream(&st);
}
