// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: aiot-sim's parser of replay recordings (its firmware files),
 * untrusted input.
 */

#include <kunit/test.h>
#include <linux/crc32.h>
#include <linux/string.h>

#include "aiot_sensor_kunit.h"
#include "sim/aiot_sim_sensor.h"

#define REC_SAMPLES	8

static void put_le32(u8 *buf, size_t off, u32 v)
{
	__le32 le = cpu_to_le32(v);

	memcpy(buf + off, &le, sizeof(le));
}

static void put_le16(u8 *buf, size_t off, u16 v)
{
	__le16 le = cpu_to_le16(v);

	memcpy(buf + off, &le, sizeof(le));
}

static size_t make_rec(u8 *buf)
{
	u8 *data = buf + AIOT_SIM_REC_HEADER_SIZE;
	unsigned int i;

	for (i = 0; i < REC_SAMPLES * 3 * 2; i++)
		data[i] = i * 7;
	memset(buf, 0, AIOT_SIM_REC_HEADER_SIZE);
	put_le32(buf, AIOT_SIM_REC_OFF_MAGIC, AIOT_SIM_REC_MAGIC);
	put_le16(buf, AIOT_SIM_REC_OFF_VERSION, AIOT_SIM_REC_VERSION);
	put_le16(buf, AIOT_SIM_REC_OFF_HEADER_SIZE, AIOT_SIM_REC_HEADER_SIZE);
	put_le32(buf, AIOT_SIM_REC_OFF_FORMAT, AIOT_SENSOR_FMT_S16_LE);
	put_le32(buf, AIOT_SIM_REC_OFF_CHANNELS, 3);
	put_le32(buf, AIOT_SIM_REC_OFF_WIDTH, 1);
	put_le32(buf, AIOT_SIM_REC_OFF_HEIGHT, 1);
	put_le32(buf, AIOT_SIM_REC_OFF_RATE_HZ, 100);
	put_le32(buf, AIOT_SIM_REC_OFF_DATA_BYTES, REC_SAMPLES * 3 * 2);
	put_le32(buf, AIOT_SIM_REC_OFF_CRC32,
		 crc32_le(~0U, data, REC_SAMPLES * 3 * 2) ^ ~0U);
	return AIOT_SIM_REC_HEADER_SIZE + REC_SAMPLES * 3 * 2;
}

static void rec_parses_good_file(struct kunit *test)
{
	u8 buf[128];
	size_t len = make_rec(buf);
	struct aiot_sim_rec rec;

	KUNIT_ASSERT_EQ(test, aiot_sim_rec_parse(buf, len, &rec), 0);
	KUNIT_EXPECT_EQ(test, rec.format, AIOT_SENSOR_FMT_S16_LE);
	KUNIT_EXPECT_EQ(test, rec.channels, 3);
	KUNIT_EXPECT_EQ(test, rec.rate_hz, 100);
	KUNIT_EXPECT_EQ(test, rec.data_bytes, REC_SAMPLES * 3 * 2);
	KUNIT_EXPECT_PTR_EQ(test, rec.data,
			    buf + AIOT_SIM_REC_HEADER_SIZE);
	/* Trailing bytes after the data are ignored. */
	KUNIT_EXPECT_EQ(test, aiot_sim_rec_parse(buf, len + 3, &rec), 0);
}

static void rec_rejects_truncated(struct kunit *test)
{
	u8 buf[128];
	size_t len = make_rec(buf), i;
	struct aiot_sim_rec rec;

	for (i = 0; i < len; i++)
		KUNIT_EXPECT_EQ_MSG(test, aiot_sim_rec_parse(buf, i, &rec),
				    -EMSGSIZE, "length %zu", i);
}

static void rec_rejects_bad_header(struct kunit *test)
{
	static const struct {
		const char *what;
		size_t off;
		u32 value;
		int err;
	} bad[] = {
#define F(field) AIOT_SIM_REC_OFF_##field
		{ "magic", F(MAGIC), 0x52534942, -EINVAL },
		{ "format", F(FORMAT), 3, -EINVAL },
		{ "channels", F(CHANNELS), 0, -EINVAL },
		{ "width", F(WIDTH), 0, -EINVAL },
		{ "rate", F(RATE_HZ), 0, -EINVAL },
		{ "geometry overflow", F(HEIGHT), 0x80000000, -EINVAL },
		{ "partial sample", F(DATA_BYTES), REC_SAMPLES * 6 - 2, -EINVAL },
		{ "no data", F(DATA_BYTES), 0, -EINVAL },
		{ "data past the end", F(DATA_BYTES), REC_SAMPLES * 6 + 6, -EMSGSIZE },
		{ "huge data", F(DATA_BYTES), 0xfffffffa, -EINVAL },
		{ "reserved", F(RESERVED), 1, -EINVAL },
#undef F
	};
	struct aiot_sim_rec rec;
	u8 buf[128];
	size_t len;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		len = make_rec(buf);
		put_le32(buf, bad[i].off, bad[i].value);
		KUNIT_EXPECT_EQ_MSG(test, aiot_sim_rec_parse(buf, len, &rec),
				    bad[i].err, "%s", bad[i].what);
	}
	len = make_rec(buf);
	put_le16(buf, AIOT_SIM_REC_OFF_VERSION, 2);
	KUNIT_EXPECT_EQ(test, aiot_sim_rec_parse(buf, len, &rec), -EPROTO);
	len = make_rec(buf);
	put_le16(buf, AIOT_SIM_REC_OFF_HEADER_SIZE, 48);
	KUNIT_EXPECT_EQ(test, aiot_sim_rec_parse(buf, len, &rec), -EINVAL);
}

static void rec_rejects_bad_checksum(struct kunit *test)
{
	u8 buf[128];
	size_t len = make_rec(buf), i;
	struct aiot_sim_rec rec;

	/* Any flipped data bit, and a wrong stored checksum. */
	for (i = AIOT_SIM_REC_HEADER_SIZE; i < len; i++) {
		buf[i] ^= 0x10;
		KUNIT_EXPECT_EQ(test, aiot_sim_rec_parse(buf, len, &rec),
				-EBADMSG);
		buf[i] ^= 0x10;
	}
	buf[AIOT_SIM_REC_OFF_CRC32] ^= 1;
	KUNIT_EXPECT_EQ(test, aiot_sim_rec_parse(buf, len, &rec), -EBADMSG);
}

static struct kunit_case aiot_sensor_rec_cases[] = {
	KUNIT_CASE(rec_parses_good_file),
	KUNIT_CASE(rec_rejects_truncated),
	KUNIT_CASE(rec_rejects_bad_header),
	KUNIT_CASE(rec_rejects_bad_checksum),
	{}
};

static struct kunit_suite aiot_sensor_rec_suite = {
	.name = "aiot_sensor_rec",
	.test_cases = aiot_sensor_rec_cases,
};

kunit_test_suite(aiot_sensor_rec_suite);
