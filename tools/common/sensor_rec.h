/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiot-sim's replay recordings (format: include/aiot/sim_sensor.h), for the
 * tools: writing one, and handing one to a simulated sensor through its
 * root-only sysfs attribute replay_data.
 */
#ifndef TOOLS_COMMON_SENSOR_REC_H
#define TOOLS_COMMON_SENSOR_REC_H

#include <stddef.h>
#include <stdint.h>

#include <aiot/sim_sensor.h>

/* Fill the AIOT_SIM_REC_HEADER_SIZE bytes at hdr for data (data_bytes). */
void sensor_rec_header(uint8_t *hdr, uint32_t format, uint32_t channels, uint32_t width,
		       uint32_t height, uint32_t rate_hz, const uint8_t *data, uint32_t data_bytes);

/*
 * Give the recording rec (len bytes, header included) to the simulated
 * sensor behind the device node node; aiot-sim checks it when the stream
 * is configured with its REPLAY pattern. Return: 0 or a negative errno
 * (-ENOENT: not an aiot-sim sensor; -EACCES: not root).
 */
int sensor_rec_give(const char *node, const uint8_t *rec, size_t len);

#endif /* TOOLS_COMMON_SENSOR_REC_H */
