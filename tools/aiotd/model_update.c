// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiotd's model update messages (model_update.h): SHA-256 and HMAC-SHA256
 * through OpenSSL's libcrypto, a constant-time comparison of the MAC.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "model_update.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * HMAC-SHA256 (RFC 2104) of the header's first MU_MAC_OFF bytes, the blob
 * and the reference input, on EVP digests.
 */
static void mac(const uint8_t *msg, const uint8_t *blob, size_t size, const uint8_t *ref,
		size_t ref_size, const uint8_t *key, size_t keylen, uint8_t out[32])
{
	uint8_t k0[64] = { 0 }, pad[64], inner[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok;

	memset(out, 0, 32);
	if (!c)
		return;
	if (keylen > sizeof(k0))
		EVP_Digest(key, keylen, k0, NULL, EVP_sha256(), NULL);
	else
		memcpy(k0, key, keylen);
	for (int i = 0; i < 64; i++)
		pad[i] = k0[i] ^ 0x36;
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, pad, 64) &&
	     EVP_DigestUpdate(c, msg, MU_MAC_OFF) && EVP_DigestUpdate(c, blob, size) &&
	     EVP_DigestUpdate(c, ref, ref_size) && EVP_DigestFinal_ex(c, inner, NULL);
	for (int i = 0; i < 64; i++)
		pad[i] = k0[i] ^ 0x5c;
	ok = ok && EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, pad, 64) &&
	     EVP_DigestUpdate(c, inner, 32) && EVP_DigestFinal_ex(c, out, NULL);
	if (!ok)
		memset(out, 0, 32);
	EVP_MD_CTX_free(c);
}

int mu_sha256(const void *data, size_t len, uint8_t out[32])
{
	return EVP_Digest(data, len, out, NULL, EVP_sha256(), NULL) ? 0 : -EIO;
}

static int fail(int ret, char *why, size_t len, const char *text)
{
	snprintf(why, len, "%s", text);
	return ret;
}

int mu_verify(const uint8_t *msg, size_t len, const uint8_t *key, size_t keylen, size_t max,
	      struct model_update *u, char *why, size_t whylen)
{
	uint8_t digest[32], m[32];
	size_t size, ref_size;

	memset(u, 0, sizeof(*u));
	if (len > max)
		return fail(-EMSGSIZE, why, whylen, "update larger than model_max");
	if (len >= 8 && !memcmp(msg, MU_MAGIC_V1, 8))
		return fail(-EBADMSG, why, whylen,
			    "AIOTMDL1 carries no reference test: send AIOTMDL2");
	if (len < MU_HDR || memcmp(msg, MU_MAGIC, 8))
		return fail(-EBADMSG, why, whylen, "not a model update (magic, header)");
	if (!msg[8] || msg[8 + MU_NAME_LEN - 1])
		return fail(-EBADMSG, why, whylen, "malformed stream name");
	for (size_t i = strnlen((const char *)msg + 8, MU_NAME_LEN); i < MU_NAME_LEN; i++)
		if (msg[8 + i])
			return fail(-EBADMSG, why, whylen, "stream name not NUL-padded");
	size = le32(msg + 44);
	ref_size = le32(msg + 48);
	if (!le32(msg + 40))
		return fail(-EBADMSG, why, whylen, "version 0");
	if (le32(msg + 52))
		return fail(-EBADMSG, why, whylen, "unknown flags");
	if (!size || !ref_size || size > len - MU_HDR || ref_size != len - MU_HDR - size)
		return fail(-EBADMSG, why, whylen,
			    "blob and reference input sizes do not match the message");
	if (mu_sha256(msg + MU_HDR, size, digest))
		return fail(-EIO, why, whylen, "SHA-256 failed");
	if (memcmp(digest, msg + 56, 32))
		return fail(-EILSEQ, why, whylen, "SHA-256 mismatch (corrupt blob)");
	mac(msg, msg + MU_HDR, size, msg + MU_HDR + size, ref_size, key, keylen, m);
	if (!keylen || CRYPTO_memcmp(m, msg + MU_MAC_OFF, 32))
		return fail(-EACCES, why, whylen, "authentication failed (HMAC)");
	memcpy(u->stream, msg + 8, MU_NAME_LEN);
	u->stream[MU_NAME_LEN] = '\0';
	u->version = le32(msg + 40);
	u->blob = msg + MU_HDR;
	u->size = size;
	u->ref = msg + MU_HDR + size;
	u->ref_size = ref_size;
	memcpy(u->expected, msg + 88, 32);
	return 0;
}

void mu_build(uint8_t *msg, const char *stream, uint32_t version, const uint8_t *blob,
	      size_t size, const uint8_t *ref, size_t ref_size, const uint8_t expected[32],
	      const uint8_t *key, size_t keylen)
{
	memmove(msg + MU_HDR, blob, size);	/* blob may already be there */
	memcpy(msg + MU_HDR + size, ref, ref_size);
	memset(msg, 0, MU_HDR);
	memcpy(msg, MU_MAGIC, 8);
	strncpy((char *)msg + 8, stream, MU_NAME_LEN - 1);
	put_le32(msg + 40, version);
	put_le32(msg + 44, (uint32_t)size);
	put_le32(msg + 48, (uint32_t)ref_size);
	mu_sha256(msg + MU_HDR, size, msg + 56);
	memcpy(msg + 88, expected, 32);
	mac(msg, msg + MU_HDR, size, msg + MU_HDR + size, ref_size, key, keylen,
	    msg + MU_MAC_OFF);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int mu_read_key(const char *path, uint8_t *key, char *err, size_t len)
{
	char buf[2 * MU_KEY_MAX + 2];
	struct stat sb;
	ssize_t n;
	size_t k = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		snprintf(err, len, "model key %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 077)) {
		close(fd);
		snprintf(err, len, "model key %s: must be a regular file of this user with no "
			 "access for group and others", path);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	for (ssize_t i = 0; i + 1 < n; i += 2) {
		int h = hexval(buf[i]), l = hexval(buf[i + 1]);

		if (h < 0 || l < 0 || k == MU_KEY_MAX)
			goto bad;
		key[k++] = (uint8_t)(h << 4 | l);
	}
	if (n % 2 || k < 16)
		goto bad;
	return (int)k;
bad:
	snprintf(err, len, "model key %s: expected 32..256 hex digits", path);
	return -EINVAL;
}
