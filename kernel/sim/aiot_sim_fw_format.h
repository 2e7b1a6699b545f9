/* SPDX-License-Identifier: GPL-2.0-only OR MIT */
/*
 * The reference NPU's firmware file, as firmware/npu/aiot-mkfw.c writes
 * it and aiot-sim reads it at probe (docs/npu-firmware.md). Byte offsets
 * only, no structs: the kernel and the host tool both decode it byte by
 * byte.
 *
 * The firmware carries the power-on self-test of the NPU: a command stream,
 * the initial contents of its buffers and the golden bytes one buffer must
 * hold afterwards. The driver refuses a device whose self-test fails.
 */
#ifndef AIOT_SIM_FW_FORMAT_H
#define AIOT_SIM_FW_FORMAT_H

/* A new format gets a new file name: both can be installed side by side. */
#define AIOT_SIM_FW_NAME		"aiot/aiot-sim-npu-1.fw"
#define AIOT_SIM_FW_MAGIC		"AIOTNPFW"
#define AIOT_SIM_FW_FORMAT		1

#define AIOT_SIM_FW_VERSION(maj, min, patch) \
	(((maj) << 16) | ((min) << 8) | (patch))

/* Header, 64 bytes; every integer little-endian. */
#define AIOT_SIM_FW_OFF_MAGIC		0	/* char[8] */
#define AIOT_SIM_FW_OFF_FORMAT		8	/* u16, AIOT_SIM_FW_FORMAT */
#define AIOT_SIM_FW_OFF_HEADER_SIZE	10	/* u16, 64 */
#define AIOT_SIM_FW_OFF_VERSION		12	/* u32, AIOT_SIM_FW_VERSION() */
#define AIOT_SIM_FW_OFF_ISA_VERSION	16	/* u32, ISA the stream needs */
#define AIOT_SIM_FW_OFF_FILE_SIZE	20	/* u32, whole file */
#define AIOT_SIM_FW_OFF_CRC		24	/* u32, see below */
#define AIOT_SIM_FW_OFF_NBINDINGS	28	/* u32, 1..AIOT_ISA_MAX_BINDINGS */
#define AIOT_SIM_FW_OFF_STREAM		32	/* u32 offset, u32 size */
#define AIOT_SIM_FW_OFF_CHECK		40	/* u32 binding, offset, size */
#define AIOT_SIM_FW_OFF_GOLDEN		52	/* u32 offset of the golden bytes */
#define AIOT_SIM_FW_OFF_BINDINGS	56	/* u32 offset of the binding table */
#define AIOT_SIM_FW_OFF_RESERVED	60	/* u32, 0 */
#define AIOT_SIM_FW_HEADER_SIZE		64

/*
 * Binding table: one 16-byte entry per binding: u32 size of the buffer,
 * u32 offset and u32 size of its initial bytes in the file (the rest of the
 * buffer is zero), u32 reserved (0).
 */
#define AIOT_SIM_FW_BINDING_SIZE	16

/*
 * CRC-32 (IEEE 802.3, as zlib's crc32()) of the whole file with the four
 * CRC bytes left out.
 */

/* Limits: the self-test must stay a quick power-on check. */
#define AIOT_SIM_FW_MAX_FILE		0x100000u	/* 1 MiB */
#define AIOT_SIM_FW_MAX_BUFFER		0x40000u	/* 256 KiB */

#endif /* AIOT_SIM_FW_FORMAT_H */
