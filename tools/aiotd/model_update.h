/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiotd's model updates (docs/cloud.md, "Models from the cloud"): the
 * message on aiot/DEVICE/cmd/model, little-endian:
 *
 *   0   8  magic "AIOTMDL1"
 *   8  32  stream name, NUL-padded
 *  40   4  version (> 0)
 *  44   4  blob size
 *  48  32  SHA-256 of the blob
 *  80  32  HMAC-SHA256 with the device's key of bytes 0..79 and the blob
 * 112      the compiled model blob (aiot-compile)
 *
 * Checking it is a pure function of the bytes and the key (host-tested).
 */
#ifndef AIOTD_MODEL_UPDATE_H
#define AIOTD_MODEL_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#define MU_MAGIC	"AIOTMDL1"
#define MU_HDR		112u
#define MU_NAME_LEN	32u
#define MU_KEY_MAX	128u

struct model_update {
	char stream[MU_NAME_LEN + 1];
	uint32_t version;
	const uint8_t *blob;		/* inside the message */
	size_t size;
};

/*
 * 0 and *u, or -EMSGSIZE (over max), -EBADMSG (malformed: short, bad
 * magic, name, version or size), -EILSEQ (SHA-256 mismatch), -EACCES (MAC
 * mismatch); why says it in words.
 */
int mu_verify(const uint8_t *msg, size_t len, const uint8_t *key, size_t keylen, size_t max,
	      struct model_update *u, char *why, size_t whylen);

/* Build a message (tests, tools): msg holds MU_HDR + size bytes. */
void mu_build(uint8_t *msg, const char *stream, uint32_t version, const uint8_t *blob,
	      size_t size, const uint8_t *key, size_t keylen);

/*
 * The device key: a file of 32..256 hex digits (16..128 bytes), owned by
 * this user, no access for group and others. Returns its length or -errno.
 */
int mu_read_key(const char *path, uint8_t *key, char *err, size_t len);

#endif /* AIOTD_MODEL_UPDATE_H */
