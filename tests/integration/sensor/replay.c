// SPDX-License-Identifier: GPL-2.0-only
/* The sensor suite: aiot-sim replaying recordings, and bad ones refused. */
#include "sensor.h"

/* The project's recordings, installed as aiot-sim's default names. */
#define REC_DIR "/lib/firmware/aiot"

/* Write an attribute of aiot-sim's device behind the stream, in pieces. */
static int sim_attr_write(const struct stream *st, const char *attr,
			  const void *data, size_t len)
{
	char path[160];
	size_t done = 0;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/sys/class/aiot/%s/device/%s",
		 strrchr(st->node, '/') + 1, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, (const uint8_t *)data + done, len - done);

		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		done += n;
	}
	close(fd);
	return ret;
}

static int sim_attr_read(const struct stream *st, const char *attr,
			 char *buf, size_t len)
{
	char path[160];

	snprintf(path, sizeof(path), "/sys/class/aiot/%s/device/%s",
		 strrchr(st->node, '/') + 1, attr);
	return aiot_test_read_file(path, buf, len);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	static uint8_t buf[1 << 20];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return NULL;
	*len = n;
	return buf;
}

static uint32_t le32_at(const uint8_t *p, size_t off)
{
	return p[off] | p[off + 1] << 8 | p[off + 2] << 16 |
	       (uint32_t)p[off + 3] << 24;
}

/*
 * Stream a recording: every sample must come from the file, looping.
 * aiot-sim finds it by its default name, or by the name given to
 * replay_firmware, or takes it written to replay_data.
 */
enum rec_source { REC_DEFAULT, REC_NAMED, REC_WRITTEN };

static void replay(const char *kind, unsigned int skind, uint32_t spp,
		   int count, enum rec_source src)
{
	char path[128], name[64];
	struct aiot_sensor_config c = { .samples_per_slot = spp,
					.slot_count = 4,
					.pattern = AIOT_SIM_PATTERN_REPLAY };
	struct stream st;
	size_t len;
	uint8_t *f;

	snprintf(path, sizeof(path), REC_DIR "/aiot-rec-%s.bin", kind);
	f = read_all(path, &len);
	if (!f)
		TAP_SKIP("no recording (../shared/models missing at build time)");
	REQUIRE(len > AIOT_SIM_REC_HEADER_SIZE);
	REQUIRE(le32_at(f, AIOT_SIM_REC_OFF_MAGIC) == AIOT_SIM_REC_MAGIC);
	REQUIRE((le32_at(f, AIOT_SIM_REC_OFF_VERSION) & 0xffff) ==
		AIOT_SIM_REC_VERSION);
	REQUIRE(len == AIOT_SIM_REC_HEADER_SIZE +
		le32_at(f, AIOT_SIM_REC_OFF_DATA_BYTES));
	c.channels = le32_at(f, AIOT_SIM_REC_OFF_CHANNELS);
	c.rate_hz = le32_at(f, AIOT_SIM_REC_OFF_RATE_HZ);
	rec_data = f + AIOT_SIM_REC_HEADER_SIZE;
	rec_bytes = le32_at(f, AIOT_SIM_REC_OFF_DATA_BYTES);
	REQUIRE(open_kind(&st, skind) == 0);
	/* An empty name: the default names. */
	snprintf(name, sizeof(name), "\n");
	if (src == REC_NAMED)
		snprintf(name, sizeof(name), "aiot/aiot-rec-%s.bin\n", kind);
	REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, name,
			       strlen(name)) == 0);
	if (src == REC_WRITTEN)
		REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_DATA, f,
				       len) == 0);
	close_stream(&st);
	stream_and_check(skind, c, count);
	REQUIRE(open_kind(&st, skind) == 0);
	CHECK_EQ(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, "\n", 1), 0);
	close_stream(&st);
}

void replay_mic_speech(void)
{
	/* 1 s of "yes" at 16 kHz in 100 ms slots, looping after 10. */
	replay("mic", AIOT_SENSOR_KIND_MIC, 1600, 13, REC_DEFAULT);
}

void replay_camera_frame(void)
{
	replay("camera", AIOT_SENSOR_KIND_CAMERA, 1, 2, REC_DEFAULT);
}

void replay_accel_taps(void)
{
	replay("accel", AIOT_SENSOR_KIND_ACCEL, 50, 6, REC_DEFAULT);
}

void replay_named_firmware(void)
{
	replay("accel", AIOT_SENSOR_KIND_ACCEL, 50, 3, REC_NAMED);
}

void replay_written_recording(void)
{
	replay("accel", AIOT_SENSOR_KIND_ACCEL, 50, 3, REC_WRITTEN);
}

/* The backend names its test patterns; the uAPI only has LIVE. */
void test_patterns_named_in_sysfs(void)
{
	struct stream st;
	char text[256];

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(sysfs_str(&st, "test_patterns", text, sizeof(text)) == 0);
	CHECK(strcmp(text, "1 sine\n2 ramp\n3 noise\n4 anomaly\n5 replay") == 0);
	CHECK_EQ(st.info.patterns, 0x3fu);
	close_stream(&st);
	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_CAMERA) == 0);
	REQUIRE(sysfs_str(&st, "test_patterns", text, sizeof(text)) == 0);
	CHECK(strcmp(text, "2 ramp\n3 noise\n5 replay") == 0);
	CHECK_EQ(st.info.patterns, 0x2du);
	close_stream(&st);
}

void replay_bad_names_rejected(void)
{
	static const char *const bad[] = {
		"/lib/firmware/aiot/aiot-rec-accel.bin", "../aiot-rec-accel.bin",
		"aiot/../../etc/passwd", ".hidden", "aiot/a b.bin",
		"aiot/0123456789012345678901234567890123456789012345678901234567890123.bin",
	};
	struct stream st;
	char text[128];
	size_t i;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, "aiot/x.bin",
			       10) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE,
					bad[i], strlen(bad[i])), -EINVAL);
	/* A refused name leaves the last good one. */
	REQUIRE(sim_attr_read(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, text,
			      sizeof(text)) == 0);
	CHECK(strcmp(text, "aiot/x.bin") == 0);
	CHECK_EQ(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, "\n", 1), 0);
	REQUIRE(sim_attr_read(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, text,
			      sizeof(text)) == 0);
	CHECK_EQ(text[0], 0);
	close_stream(&st);
}

void replay_bad_recordings_rejected(void)
{
	static uint8_t good[1 << 16], bad[1 << 16];
	struct stream st;
	struct aiot_sensor_config c;
	char path[160];
	size_t len;
	uint8_t *f;
	int fd;

	f = read_all(REC_DIR "/aiot-rec-accel.bin", &len);
	REQUIRE(f && len <= sizeof(good));
	memcpy(good, f, len);
	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	c = mkcfg(&st, 100, 10, 4, 0, AIOT_SIM_PATTERN_REPLAY);
#define TRY(buf, n, err) do {						\
		REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_DATA, buf, n) == 0); \
		CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), err); \
	} while (0)
	/* No recording at all. */
	REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE,
			       "aiot/none.bin", 13) == 0);
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), ENOENT);
	TRY(good, 20, EMSGSIZE);		/* truncated header */
	TRY(good, len - 2, EMSGSIZE);		/* truncated data */
	memcpy(bad, good, len);
	bad[AIOT_SIM_REC_OFF_MAGIC] ^= 1;
	TRY(bad, len, EINVAL);			/* magic */
	memcpy(bad, good, len);
	bad[AIOT_SIM_REC_OFF_VERSION] = 2;
	TRY(bad, len, EPROTO);			/* version */
	memcpy(bad, good, len);
	bad[len - 1] ^= 0x40;
	TRY(bad, len, EBADMSG);			/* checksum */
	memcpy(bad, good, len);
	bad[AIOT_SIM_REC_OFF_RESERVED] = 1;
	TRY(bad, len, EINVAL);			/* reserved */
	/* Past the largest recording, or not where the last write ended. */
	snprintf(path, sizeof(path), "/sys/class/aiot/%s/device/%s",
		 strrchr(st.node, '/') + 1, AIOT_SIM_ATTR_REPLAY_DATA);
	REQUIRE((fd = open(path, O_WRONLY | O_CLOEXEC)) >= 0);
	CHECK_ERRNO(pwrite(fd, good, 16, AIOT_SIM_REC_MAX_BYTES - 8), EFBIG);
	CHECK_ERRNO(pwrite(fd, good, 16, len + 4096), EINVAL);
	close(fd);
	/* A good recording that does not match the configuration. */
	REQUIRE(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_DATA, good, len) == 0);
	c.rate_hz = 50;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), EINVAL);
	c.rate_hz = 100;
	c.channels = 2;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), EINVAL);
	c.channels = 3;
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &c), 0);
#undef TRY
	CHECK_EQ(sim_attr_write(&st, AIOT_SIM_ATTR_REPLAY_FIRMWARE, "\n", 1), 0);
	close_stream(&st);
}
