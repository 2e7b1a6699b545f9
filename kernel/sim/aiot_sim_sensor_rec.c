// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parser of recorded sensor data (firmware files "aiot-rec-<kind>.bin").
 * The file is untrusted input: every field is checked before use.
 */

#include <linux/crc32.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/overflow.h>
#include <linux/string.h>
#include <linux/aiot_sensor.h>

#include "aiot_compat.h"
#include "aiot_sim_sensor.h"

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
	const struct aiot_sim_rec_header *h = (const void *)buf;
	u32 hsize, esize, sample;
	size_t need;

	if (len < sizeof(*h))
		return -EMSGSIZE;
	if (le32_to_cpu(h->magic) != AIOT_SIM_REC_MAGIC)
		return -EINVAL;
	if (le16_to_cpu(h->version) != AIOT_SIM_REC_VERSION)
		return -EPROTO;
	hsize = le16_to_cpu(h->header_size);
	if (hsize != sizeof(*h) || h->reserved)
		return -EINVAL;

	memset(rec, 0, sizeof(*rec));
	rec->format = le32_to_cpu(h->format);
	rec->channels = le32_to_cpu(h->channels);
	rec->width = le32_to_cpu(h->width);
	rec->height = le32_to_cpu(h->height);
	rec->rate_hz = le32_to_cpu(h->rate_hz);
	rec->data_bytes = le32_to_cpu(h->data_bytes);
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
	    le32_to_cpu(h->crc32))
		return -EBADMSG;
	return 0;
}

AIOT_EXPORT_FOR_KUNIT(aiot_sim_rec_parse);
