/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * aiotd's model updates (docs/cloud.md, "Models from the cloud"): the
 * message on aiot/DEVICE/cmd/model, little-endian:
 *
 *   0   8  magic "AIOTMDL2"
 *   8  32  stream name, NUL-padded
 *  40   4  version (> 0)
 *  44   4  blob size B (> 0)
 *  48   4  reference input size R (> 0)
 *  52   4  flags: 0 (anything else is refused)
 *  56  32  SHA-256 of the blob
 *  88  32  SHA-256 of the expected output: the model's output tensor for
 *          the reference input
 * 120  32  HMAC-SHA256 with the device's key of bytes 0..119, the blob and
 *          the reference input
 * 152   B  the compiled model blob (aiot-compile)
 * 152+B R  the reference input (the model's input tensor, its bytes)
 *
 * "AIOTMDL1" (the first format, no reference test) is refused with its
 * own reason. Checking a message is a pure function of the bytes and the
 * key (host-tested); the test run is aiotd's (main.c).
 */
#ifndef AIOTD_MODEL_UPDATE_H
#define AIOTD_MODEL_UPDATE_H

#include <stddef.h>
#include <stdint.h>

#define MU_MAGIC	"AIOTMDL2"
#define MU_MAGIC_V1	"AIOTMDL1"
#define MU_HDR		152u
#define MU_MAC_OFF	120u
#define MU_NAME_LEN	32u
#define MU_KEY_MAX	128u

struct model_update {
	char stream[MU_NAME_LEN + 1];
	uint32_t version;
	const uint8_t *blob;		/* inside the message */
	size_t size;
	const uint8_t *ref;		/* the reference input, inside the message */
	size_t ref_size;
	uint8_t expected[32];		/* SHA-256 of the expected output */
};

/*
 * 0 and *u, or -EMSGSIZE (over max), -EBADMSG (malformed: short, bad
 * magic, name, version, sizes or flags; an AIOTMDL1 message), -EILSEQ
 * (SHA-256 mismatch), -EACCES (MAC mismatch); why says it in words.
 */
int mu_verify(const uint8_t *msg, size_t len, const uint8_t *key, size_t keylen, size_t max,
	      struct model_update *u, char *why, size_t whylen);

/*
 * Build a message (tests, tools): msg holds MU_HDR + size + ref_size
 * bytes; blob may already be at msg + MU_HDR; ref must not overlap msg.
 */
void mu_build(uint8_t *msg, const char *stream, uint32_t version, const uint8_t *blob,
	      size_t size, const uint8_t *ref, size_t ref_size, const uint8_t expected[32],
	      const uint8_t *key, size_t keylen);

/* SHA-256 of data (the expected output's digest): 0 or -EIO. */
int mu_sha256(const void *data, size_t len, uint8_t out[32]);

/*
 * The device key: a file of 32..256 hex digits (16..128 bytes), owned by
 * this user, no access for group and others. Returns its length or -errno.
 */
int mu_read_key(const char *path, uint8_t *key, char *err, size_t len);

#endif /* AIOTD_MODEL_UPDATE_H */
