/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/**
 * DOC: aiot-sim's sensors: test patterns and replay recordings
 *
 * What belongs to the simulated backend (aiot-sim.ko) and not to the
 * sensor uAPI: the numbers of its test patterns and the format of the
 * recordings its REPLAY pattern plays. The one definition of both; the
 * kernel (kernel/sim), the library's users, the tools (aiot-sensor-rec,
 * aiot-run --replay) and the tests include it. Plain C macros, no
 * includes: it builds in the kernel and in userspace alike.
 *
 * Test patterns. The uAPI only says that pattern 0 is the sensor's own
 * signal and that a non-zero value selects one of the backend's test
 * patterns, which the backend names in sysfs (/sys/class/aiot/sensorN/
 * test_patterns, "1 sine\n2 ramp\n..."; aiot_sensor_find_test_pattern()).
 * aiot-sim's numbers are those of the first uAPI, which listed them, so
 * binaries built against it keep working. For element k of sample n (the
 * n-th sample since START, elements counted across channels and pixels
 * within the sample, e = n * elements_per_sample + k), truncated to the
 * format:
 *
 *   RAMP:    e + n
 *   NOISE:   lowbias32(e) >> 16 (S16), >> 24 (U8)
 *   SINE:    per-channel frequency and amplitude (docs/sensor-uapi.md)
 *   ANOMALY: SINE, with NOISE during the first tenth of every 2 seconds
 *   REPLAY:  a recording, looped (below)
 *
 * Recordings. A 40-byte header, every integer little endian, then
 * data_bytes of samples in the sensor's format, a whole number of samples.
 * The CRC-32 is zlib's crc32() (IEEE 802.3) of the data. aiot-sim takes a
 * recording either as a firmware file (its sensor device's sysfs attribute
 * replay_firmware names it; the project installs its recordings as
 * aiot/aiot-rec-<kind>.bin) or written directly into the root-only binary
 * attribute replay_data; it checks it when the stream is configured with
 * the REPLAY pattern (docs/sensor-uapi.md).
 */
#ifndef AIOT_SIM_SENSOR_H
#define AIOT_SIM_SENSOR_H

/* aiot-sim's test patterns (struct aiot_sensor_config.pattern). */
#define AIOT_SIM_PATTERN_SINE		1
#define AIOT_SIM_PATTERN_RAMP		2
#define AIOT_SIM_PATTERN_NOISE		3
#define AIOT_SIM_PATTERN_ANOMALY	4
#define AIOT_SIM_PATTERN_REPLAY		5

/* Recording header: byte offsets, all integers little endian. */
#define AIOT_SIM_REC_MAGIC		0x52534941u	/* "AISR" */
#define AIOT_SIM_REC_VERSION		1
#define AIOT_SIM_REC_HEADER_SIZE	40

#define AIOT_SIM_REC_OFF_MAGIC		0	/* u32, AIOT_SIM_REC_MAGIC */
#define AIOT_SIM_REC_OFF_VERSION	4	/* u16, AIOT_SIM_REC_VERSION */
#define AIOT_SIM_REC_OFF_HEADER_SIZE	6	/* u16, the header's size */
#define AIOT_SIM_REC_OFF_FORMAT		8	/* u32, AIOT_SENSOR_FMT_* */
#define AIOT_SIM_REC_OFF_CHANNELS	12	/* u32, channels per sample */
#define AIOT_SIM_REC_OFF_WIDTH		16	/* u32, elements per row */
#define AIOT_SIM_REC_OFF_HEIGHT		20	/* u32, rows per sample */
#define AIOT_SIM_REC_OFF_RATE_HZ	24	/* u32, samples per second */
#define AIOT_SIM_REC_OFF_DATA_BYTES	28	/* u32, bytes after the header */
#define AIOT_SIM_REC_OFF_CRC32		32	/* u32, of the data */
#define AIOT_SIM_REC_OFF_RESERVED	36	/* u32, zero */

/* Largest recording replay_data accepts. */
#define AIOT_SIM_REC_MAX_BYTES		(16u << 20)

/* Attributes of aiot-sim's sensor devices (/sys/class/aiot/sensorN/device/). */
#define AIOT_SIM_ATTR_REPLAY_FIRMWARE	"replay_firmware"
#define AIOT_SIM_ATTR_REPLAY_DATA	"replay_data"

/* The firmware name replay_firmware starts with: "aiot/aiot-rec-<kind>.bin". */
#define AIOT_SIM_REC_FIRMWARE_PREFIX	"aiot/aiot-rec-"
#define AIOT_SIM_REC_FIRMWARE_SUFFIX	".bin"

#endif /* AIOT_SIM_SENSOR_H */
