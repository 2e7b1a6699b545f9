// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sensor suite: the devices and their sysfs, the info structure, every
 * bad configuration and buffer request, and the backend going away.
 */
#include "sensor.h"

void sensors_present(void)
{
	static const struct { unsigned int kind; const char *name, *kname; } want[] = {
		{ AIOT_SENSOR_KIND_ACCEL, "accel0", "accel" },
		{ AIOT_SENSOR_KIND_MIC, "mic0", "mic" },
		{ AIOT_SENSOR_KIND_CAMERA, "camera0", "camera" },
	};
	unsigned int i;

	for (i = 0; i < 3; i++) {
		struct stream st;
		char buf[64];

		REQUIRE(open_kind(&st, want[i].kind) == 0);
		CHECK_EQ(st.info.struct_size, sizeof(st.info));
		CHECK_EQ(st.info.uapi_version, AIOT_SENSOR_UAPI_VERSION);
		CHECK(strcmp(st.info.name, want[i].name) == 0);
		CHECK_EQ(st.info.state, AIOT_SENSOR_STATE_UNCONFIGURED);
		CHECK(st.info.capabilities & AIOT_SENSOR_CAP_DMABUF);
		CHECK(st.info.capabilities & AIOT_SENSOR_CAP_MMAP);
		CHECK(st.info.capabilities & AIOT_SENSOR_CAP_OVERWRITE);
		CHECK(sysfs_str(&st, "name", buf, sizeof(buf)) == 0 &&
		      strcmp(buf, want[i].name) == 0);
		CHECK(sysfs_str(&st, "kind", buf, sizeof(buf)) == 0 &&
		      strcmp(buf, want[i].kname) == 0);
		CHECK(sysfs_str(&st, "state", buf, sizeof(buf)) == 0 &&
		      strcmp(buf, "unconfigured") == 0);
		if (want[i].kind == AIOT_SENSOR_KIND_CAMERA) {
			CHECK_EQ(st.info.width, 96);
			CHECK_EQ(st.info.height, 96);
			CHECK_EQ(st.info.formats, 1u << AIOT_SENSOR_FMT_U8);
		} else {
			CHECK_EQ(st.info.formats, 1u << AIOT_SENSOR_FMT_S16_LE);
		}
		if (want[i].kind == AIOT_SENSOR_KIND_ACCEL)
			CHECK_EQ(st.info.max_channels, 3);
		if (want[i].kind == AIOT_SENSOR_KIND_MIC)
			CHECK(st.info.min_rate_hz <= 16000 &&
			      st.info.max_rate_hz >= 16000);
		close_stream(&st);
	}
}

/* An older binary's smaller INFO gets a prefix; a newer one a zero tail. */
void info_struct_sizes(void)
{
	struct stream st;
	struct { struct aiot_sensor_info info; uint8_t tail[16]; } big;
	uint8_t zero[16] = { 0 };

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	memset(&big, 0xa5, sizeof(big));
	REQUIRE(ioctl(st.fd, _IOR(AIOT_SENSOR_IOC_MAGIC, 0x00, big), &big) == 0);
	CHECK_EQ(big.info.struct_size, sizeof(big.info));
	CHECK(memcmp(big.tail, zero, sizeof(zero)) == 0);
	CHECK_ERRNO(ioctl(st.fd, _IOR(AIOT_SENSOR_IOC_MAGIC, 0x00, uint64_t), &big),
		    ENOTTY);
	/* The first published INFO (without bytes_copied) still works. */
	{
		struct { uint8_t b[AIOT_SENSOR_INFO_SIZE_V1]; } v1;

		memset(&big, 0xa5, sizeof(big));
		CHECK_EQ(ioctl(st.fd, _IOR(AIOT_SENSOR_IOC_MAGIC, 0x00, v1), &big),
			 0);
		CHECK_EQ(big.info.struct_size, sizeof(big.info));
		CHECK_EQ(big.info.bytes_copied, 0xa5a5a5a5a5a5a5a5ull);
		CHECK_ERRNO(ioctl(st.fd, _IOR(AIOT_SENSOR_IOC_MAGIC, 0x00,
					      uint8_t[AIOT_SENSOR_INFO_SIZE_V1 - 8]),
				  &big), ENOTTY);
	}
	CHECK_ERRNO(ioctl(st.fd, _IOR(AIOT_SENSOR_IOC_MAGIC, 0x3f, big), &big),
		    ENOTTY);
	CHECK_ERRNO(ioctl(st.fd, _IOW(AIOT_SENSOR_IOC_MAGIC, 0x00,
				       struct aiot_sensor_info), &big), ENOTTY);
	close_stream(&st);
}

void bad_configs_rejected(void)
{
	struct stream st, cam, other;
	struct aiot_sensor_config c, good;
	struct { struct aiot_sensor_config c; uint32_t tail; } big;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	good = mkcfg(&st, 100, 10, 4, AIOT_SENSOR_OVERFLOW_DROP_NEWEST,
		     AIOT_SIM_PATTERN_RAMP);
#define BAD(field, value, err) do {					\
		c = good; c.field = value;				\
		CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), err); \
	} while (0)
	BAD(flags, 1, EINVAL);
	BAD(flags, 0x80000000u, EINVAL);
	BAD(reserved[0], 1, EINVAL);
	BAD(reserved[1], 1ull << 63, EINVAL);
	BAD(format, 0, EINVAL);
	BAD(format, AIOT_SENSOR_FMT_U8, EINVAL);	/* not an accel format */
	BAD(format, 77, EINVAL);
	BAD(overflow, 2, EINVAL);
	BAD(pattern, 6, EINVAL);
	BAD(pattern, 31, EINVAL);
	BAD(pattern, 1000, EINVAL);
	BAD(channels, 0, ERANGE);
	BAD(channels, 4, ERANGE);
	BAD(rate_hz, 0, ERANGE);
	BAD(rate_hz, st.info.max_rate_hz + 1, ERANGE);
	BAD(samples_per_slot, 0, ERANGE);
	BAD(samples_per_slot, 65537, ERANGE);
	BAD(slot_count, 0, ERANGE);
	BAD(slot_count, 1, ERANGE);
	BAD(slot_count, AIOT_SENSOR_MAX_SLOTS + 1, ERANGE);
	/* period 10 / 4000 Hz = 2.5 ms is fine, 1 / 4000 Hz too short */
	c = good; c.rate_hz = 4000; c.samples_per_slot = 1;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), ERANGE);
	/* 20 samples at 1 Hz: 20 s, longer than the 10 s limit */
	c = good; c.rate_hz = 1; c.samples_per_slot = 20;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), ERANGE);
	/* Nothing was configured by all that. */
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_START), EINVAL);
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_G_CONFIG, &c), EINVAL);

	/* A newer binary's bigger struct: its unknown tail must be zero. */
	memset(&big, 0, sizeof(big));
	big.c = good;
	big.tail = 1;
	CHECK_ERRNO(ioctl(st.fd, _IOWR(AIOT_SENSOR_IOC_MAGIC, 0x01, big), &big),
		    E2BIG);
	big.tail = 0;
	CHECK_EQ(ioctl(st.fd, _IOWR(AIOT_SENSOR_IOC_MAGIC, 0x01, big), &big), 0);
	CHECK_EQ(big.c.slot_bytes, 10 * 3 * 2);
	CHECK_EQ(big.c.slot_stride, 4096);
	CHECK_EQ(big.c.ring_bytes, 4 * 4096);
	CHECK_EQ(big.c.period_ns, 100000000);
	CHECK_EQ(big.tail, 0);

	/* Too big a slot: 1000 frames of 96x96. */
	REQUIRE(open_kind(&cam, AIOT_SENSOR_KIND_CAMERA) == 0);
	c = mkcfg(&cam, 30, 1000, 2, 0, 0);
	CHECK_ERRNO(ioctl(cam.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), ERANGE);
	c = mkcfg(&cam, 30, 1, 2, 0, AIOT_SIM_PATTERN_SINE);
	CHECK_ERRNO(ioctl(cam.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), EINVAL);
	close_stream(&cam);

	/* The stream belongs to the file that configured it. */
	c = good;
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c) == 0);
	REQUIRE(open_kind(&other, AIOT_SENSOR_KIND_ACCEL) == 0);
	CHECK_ERRNO(ioctl(other.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), EBUSY);
	CHECK_ERRNO(ioctl(other.fd, AIOT_SENSOR_IOC_START), EBUSY);
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, other.fd, 0) == MAP_FAILED);
	CHECK_EQ(other.info.state, AIOT_SENSOR_STATE_STOPPED);
	close_stream(&other);
	close_stream(&st);
}

void bad_buffer_requests_rejected(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	struct aiot_sensor_expbuf e;
	void *m;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EINVAL);
	REQUIRE(setup(&st, mkcfg(&st, 100, 10, 4, 0, AIOT_SIM_PATTERN_RAMP)) == 0);

	/* Mapping past the ring. */
	m = mmap(NULL, st.cfg.ring_bytes + 4096, PROT_READ, MAP_SHARED, st.fd, 0);
	CHECK(m == MAP_FAILED);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, st.fd, st.cfg.ring_bytes);
	CHECK(m == MAP_FAILED);
	/* Mapped: the ring cannot be reconfigured. */
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg), EBUSY);

	/* Stopped, nothing filled: DQBUF says the stream is stopped. */
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EPIPE);
	b.flags = 1;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EINVAL);
	memset(&b, 0, sizeof(b));
	b.reserved = 1;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EINVAL);
	/* dma_done_ns is output only: what a program left there is ignored. */
	memset(&b, 0, sizeof(b));
	b.dma_done_ns = 12345;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EPIPE);

	/* QBUF: bad index, bad flags, a slot already queued. */
	memset(&b, 0, sizeof(b));
	b.index = 4;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EINVAL);
	b.index = 0;
	b.flags = AIOT_SENSOR_BUF_ERROR;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EINVAL);
	b.flags = 0;
	b.reserved = 1;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EINVAL);
	b.reserved = 0;
	b.dma_done_ns = 12345;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EBUSY);
	b.dma_done_ns = 0;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EBUSY);

	/* EXPBUF: bad index, unknown flags, write-only, reserved. */
	memset(&e, 0, sizeof(e));
	e.index = 99;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_EXPBUF, &e), EINVAL);
	e.index = 0;
	e.flags = O_RDWR | O_NONBLOCK;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_EXPBUF, &e), EINVAL);
	e.flags = O_WRONLY;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_EXPBUF, &e), EINVAL);
	e.flags = O_RDWR;
	e.reserved = 1;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_EXPBUF, &e), EINVAL);

	/* Streaming: no second START, no reconfiguration; empty: EAGAIN. */
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_START), EBUSY);
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg), EBUSY);
	{
		int nb = open(st.node, O_RDWR | O_NONBLOCK);

		REQUIRE(nb >= 0);
		memset(&b, 0, sizeof(b));
		CHECK_ERRNO(ioctl(nb, AIOT_SENSOR_IOC_DQBUF, &b), EBUSY);
		close(nb);
	}
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close_stream(&st);
}

/* The backend goes away under a streaming, mapped, exported stream. */
void unplug_while_streaming(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	uint8_t copy[64];
	uint32_t offset;
	int fd, queued_fd, sf, r;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 2, 4, 2, 0,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE(dq(&st, &b) == 0);
	REQUIRE((fd = expbuf(&st, b.index)) >= 0);
	REQUIRE((queued_fd = expbuf(&st, !b.index)) >= 0);
	offset = b.offset;
	memcpy(copy, st.ring + offset, sizeof(copy));
	REQUIRE((sf = aiot_test_export_sync(queued_fd)) >= 0);
	CHECK_EQ(aiot_test_sync_status(sf), 0);
	REQUIRE(aiot_test_rmmod("aiot_sim") == 0);
	/* The queued slot's fence was failed, the file is dead but valid. */
	CHECK_EQ(aiot_test_sync_status(sf), -ENODEV);
	close(sf);
	r = wait_fd(st.fd, POLLIN, 0);
	CHECK(r > 0 && (r & POLLHUP));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_START), ENODEV);
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), ENODEV);
	CHECK_ERRNO(access(st.node, F_OK), ENOENT);
	/* Mappings keep their memory. */
	CHECK(memcmp(copy, st.ring + offset, sizeof(copy)) == 0);
	CHECK_EQ(aiot_test_rmmod("aiot_sensor"), -EWOULDBLOCK);
	close_stream(&st);
	close(fd);
	close(queued_fd);
	REQUIRE(aiot_test_modprobe("aiot-sim") == 0);
	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	close_stream(&st);
}

/* read(): the copying path. */
