// SPDX-License-Identifier: GPL-2.0-only
/* aiot-sim's replay recordings: see sensor_rec.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <aiot/model_format.h>

#include "../../lib/le_bytes.h"
#include "sensor_rec.h"

void sensor_rec_header(uint8_t *hdr, uint32_t format, uint32_t channels, uint32_t width,
		       uint32_t height, uint32_t rate_hz, const uint8_t *data, uint32_t data_bytes)
{
	memset(hdr, 0, AIOT_SIM_REC_HEADER_SIZE);
	aiot_le32_put(hdr + AIOT_SIM_REC_OFF_MAGIC, AIOT_SIM_REC_MAGIC);
	aiot_le16_put(hdr + AIOT_SIM_REC_OFF_VERSION, AIOT_SIM_REC_VERSION);
	aiot_le16_put(hdr + AIOT_SIM_REC_OFF_HEADER_SIZE, AIOT_SIM_REC_HEADER_SIZE);
	aiot_le32_put(hdr + AIOT_SIM_REC_OFF_FORMAT, format);
	aiot_le32_put(hdr + AIOT_SIM_REC_OFF_CHANNELS, channels);
	aiot_le32_put(hdr + AIOT_SIM_REC_OFF_WIDTH, width);
	aiot_le32_put(hdr + AIOT_SIM_REC_OFF_HEIGHT, height);
	aiot_le32_put(hdr + AIOT_SIM_REC_OFF_RATE_HZ, rate_hz);
	aiot_le32_put(hdr + AIOT_SIM_REC_OFF_DATA_BYTES, data_bytes);
	aiot_le32_put(hdr + AIOT_SIM_REC_OFF_CRC32, aiot_crc32(0, data, data_bytes));
}

int sensor_rec_give(const char *node, const uint8_t *rec, size_t len)
{
	char path[128];
	struct stat st;
	size_t done = 0;
	int fd, ret = 0;

	if (stat(node, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/" AIOT_SIM_ATTR_REPLAY_DATA,
		 major(st.st_rdev), minor(st.st_rdev));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* sysfs takes a binary attribute a page per write(). */
	while (done < len) {
		ssize_t n = write(fd, rec + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	close(fd);
	return ret;
}
