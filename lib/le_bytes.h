/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Little-endian integers in byte buffers, for the file formats aiot reads
 * and writes (model blobs, NPU firmware): byte by byte, so any alignment
 * and any host byte order work. Internal to the library and the tools.
 */
#ifndef AIOT_LE_BYTES_H
#define AIOT_LE_BYTES_H

#include <stdint.h>

static inline uint16_t aiot_le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t aiot_le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static inline uint64_t aiot_le64_get(const uint8_t *p)
{
	return (uint64_t)aiot_le32_get(p) | ((uint64_t)aiot_le32_get(p + 4) << 32);
}

static inline void aiot_le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void aiot_le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void aiot_le64_put(uint8_t *p, uint64_t v)
{
	aiot_le32_put(p, (uint32_t)v);
	aiot_le32_put(p + 4, (uint32_t)(v >> 32));
}

#endif /* AIOT_LE_BYTES_H */
