/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _AIOT_SIM_SENSOR_H_
#define _AIOT_SIM_SENSOR_H_

#include <linux/types.h>
#include <asm/byteorder.h>

#define AIOT_SIM_SENSOR_NAME	"aiot-sim-sensor"

/*
 * Recorded sensor data for AIOT_SENSOR_PATTERN_REPLAY, loaded with
 * request_firmware() as "aiot-rec-<kind>.bin" (docs/sensor-uapi.md):
 * this header, little endian, then data_bytes of samples in the sensor's
 * format, replayed in a loop.
 */
#define AIOT_SIM_REC_MAGIC	0x52534941	/* "AISR" */
#define AIOT_SIM_REC_VERSION	1

struct aiot_sim_rec_header {
	__le32 magic;
	__le16 version;
	__le16 header_size;
	__le32 format;
	__le32 channels;
	__le32 width;
	__le32 height;
	__le32 rate_hz;
	__le32 data_bytes;
	__le32 crc32;		/* of the data: zlib's crc32() */
	__le32 reserved;	/* zero */
};

/**
 * struct aiot_sim_rec - a parsed recording
 * @format: AIOT_SENSOR_FMT_*
 * @channels: channels per sample
 * @width: elements per row of a sample
 * @height: rows of a sample
 * @rate_hz: the sample rate it was recorded at
 * @data: the samples, inside the buffer parsed
 * @data_bytes: a whole number of samples
 */
struct aiot_sim_rec {
	u32 format;
	u32 channels;
	u32 width;
	u32 height;
	u32 rate_hz;
	const u8 *data;
	u32 data_bytes;
};

int aiot_sim_rec_parse(const u8 *buf, size_t len, struct aiot_sim_rec *rec);

int aiot_sim_sensor_init(bool create_devices);
void aiot_sim_sensor_exit(void);

#endif /* _AIOT_SIM_SENSOR_H_ */
