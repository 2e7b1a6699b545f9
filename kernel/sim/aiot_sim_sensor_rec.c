// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parser of recorded sensor data for the REPLAY test pattern, in the format
 * <aiot/sim_sensor.h> defines: firmware files or what root writes to a
 * sensor's replay_data. Untrusted input: every field is checked before use.
 */

#include <linux/crc32.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/aiot_sensor.h>
#include <asm/byteorder.h>

#include "aiot_compat.h"
#include "aiot_sim_sensor.h"

static u16 rec_le16(const u8 *p)
{
	__le16 v;

	memcpy(&v, p, sizeof(v));
	return le16_to_cpu(v);
}

static u32 rec_le32(const u8 *p)
{
	__le32 v;

	memcpy(&v, p, sizeof(v));
	return le32_to_cpu(v);
}

/**
 * aiot_sim_rec_parse() - check and parse a recording
 * @buf: the file's contents
 * @len: its size
 * @rec: out: the recording; @rec->data points into @buf
 *
 * Return: 0; -EMSGSIZE if the file is shorter than its header says;
 * -EINVAL for a bad magic, header size, format, geometry, non-zero reserved
 * field or a data size that is not a whole number of samples; -EPROTO for an
 * unknown version; -EBADMSG for a checksum mismatch.
 */
int aiot_sim_rec_parse(const u8 *buf, size_t len, struct aiot_sim_rec *rec)
{
	u32 hsize, esize, sample;
	size_t need;

	if (len < AIOT_SIM_REC_HEADER_SIZE)
		return -EMSGSIZE;
	if (rec_le32(buf + AIOT_SIM_REC_OFF_MAGIC) !=
	    AIOT_SIM_REC_MAGIC)
		return -EINVAL;
	if (rec_le16(buf + AIOT_SIM_REC_OFF_VERSION) !=
	    AIOT_SIM_REC_VERSION)
		return -EPROTO;
	hsize = rec_le16(buf + AIOT_SIM_REC_OFF_HEADER_SIZE);
	if (hsize != AIOT_SIM_REC_HEADER_SIZE ||
	    rec_le32(buf + AIOT_SIM_REC_OFF_RESERVED))
		return -EINVAL;

	memset(rec, 0, sizeof(*rec));
	rec->format = rec_le32(buf + AIOT_SIM_REC_OFF_FORMAT);
	rec->channels = rec_le32(buf + AIOT_SIM_REC_OFF_CHANNELS);
	rec->width = rec_le32(buf + AIOT_SIM_REC_OFF_WIDTH);
	rec->height = rec_le32(buf + AIOT_SIM_REC_OFF_HEIGHT);
	rec->rate_hz = rec_le32(buf + AIOT_SIM_REC_OFF_RATE_HZ);
	rec->data_bytes = rec_le32(buf + AIOT_SIM_REC_OFF_DATA_BYTES);
	switch (rec->format) {
	case AIOT_SENSOR_FMT_S16_LE:
		esize = 2;
		break;
	case AIOT_SENSOR_FMT_U8:
		esize = 1;
		break;
	default:
		return -EINVAL;
	}
	if (!rec->channels || !rec->width || !rec->height || !rec->rate_hz ||
	    check_mul_overflow(rec->channels, rec->width, &sample) ||
	    check_mul_overflow(sample, rec->height, &sample) ||
	    check_mul_overflow(sample, esize, &sample))
		return -EINVAL;
	if (!rec->data_bytes || rec->data_bytes % sample)
		return -EINVAL;
	if (check_add_overflow((size_t)hsize, (size_t)rec->data_bytes, &need) ||
	    len < need)
		return -EMSGSIZE;
	rec->data = buf + hsize;
	if ((crc32_le(~0U, rec->data, rec->data_bytes) ^ ~0U) !=
	    rec_le32(buf + AIOT_SIM_REC_OFF_CRC32))
		return -EBADMSG;
	return 0;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sim_rec_parse);
