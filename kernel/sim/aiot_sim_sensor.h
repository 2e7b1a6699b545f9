/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _AIOT_SIM_SENSOR_H_
#define _AIOT_SIM_SENSOR_H_

#include <linux/types.h>
#include <aiot/sim_sensor.h>

#define AIOT_SIM_SENSOR_NAME	"aiot-sim-sensor"

/**
 * struct aiot_sim_rec - a parsed recording (format: <aiot/sim_sensor.h>)
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
