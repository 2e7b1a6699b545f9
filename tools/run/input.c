// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-run's input decoders: .bmp (8-bit grayscale), .wav (16-bit mono
 * PCM) and raw tensor bytes, into the model's input tensors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../lib/le_bytes.h"
#include "run.h"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcasecmp(s + a - b, suffix);
}

/*
 * 8-bit grayscale BMP -> input bytes, top row first, values unchanged
 * (upstream's person_detection test feeds them so: pixel 200 is int8 -56).
 */
static int load_bmp(const char *path, const uint8_t *f, size_t n, const struct tensor_desc *in,
		    uint8_t *dst)
{
	uint32_t data_at, w, stride;
	int32_t h;
	uint16_t bpp;
	uint32_t compression;

	if (n < 54 || f[0] != 'B' || f[1] != 'M') {
		fprintf(stderr, "aiot-run: %s: not a BMP file\n", path);
		return -EINVAL;
	}
	data_at = aiot_le32_get(f + 10);
	w = aiot_le32_get(f + 18);
	h = (int32_t)aiot_le32_get(f + 22);
	bpp = aiot_le16_get(f + 28);
	compression = aiot_le32_get(f + 30);
	if (bpp != 8 || compression != 0 || w == 0 || w > 65535 || h == 0 || h < -65535 ||
	    h > 65535) {
		fprintf(stderr, "aiot-run: %s: need an uncompressed 8-bit grayscale BMP "
			"(has %u bits per pixel, compression %u)\n", path, bpp, compression);
		return -EINVAL;
	}
	if (in->dtype != AIOT_ISA_DTYPE_INT8 || (size_t)w * (uint32_t)abs(h) != in->size) {
		fprintf(stderr, "aiot-run: %s: %ux%d pixels do not fit the %s input of %zu "
			"elements\n", path, w, abs(h), dtype_name(in->dtype), in->size /
			dtype_size(in->dtype));
		return -EINVAL;
	}
	stride = (w + 3) / 4 * 4;
	if (data_at > n || (uint64_t)stride * (uint32_t)abs(h) > n - data_at) {
		fprintf(stderr, "aiot-run: %s: truncated pixel data\n", path);
		return -EINVAL;
	}
	for (uint32_t row = 0; row < (uint32_t)abs(h); row++) {
		/* positive height: rows are stored bottom-up */
		uint32_t src = h > 0 ? (uint32_t)h - 1 - row : row;

		memcpy(dst + (size_t)row * w, f + data_at + (size_t)src * stride, w);
	}
	return 0;
}

/* 16-bit mono PCM into an int16 input: the first samples, zero padded. */
static int load_wav(const char *path, const uint8_t *f, size_t n, const struct tensor_desc *in,
		    uint8_t *dst)
{
	size_t pos = 12, want = in->size / 2, have;
	bool fmt_ok = false;

	if (n < 12 || memcmp(f, "RIFF", 4) || memcmp(f + 8, "WAVE", 4)) {
		fprintf(stderr, "aiot-run: %s: not a RIFF/WAVE file\n", path);
		return -EINVAL;
	}
	if (in->dtype != AIOT_ISA_DTYPE_INT16) {
		fprintf(stderr, "aiot-run: %s: the model's input is %s; a .wav goes into an int16 "
			"input (audio features are not computed here)\n", path,
			dtype_name(in->dtype));
		return -EINVAL;
	}
	while (pos + 8 <= n) {
		uint32_t len = aiot_le32_get(f + pos + 4);
		const uint8_t *body = f + pos + 8;

		if (len > n - pos - 8) {
			fprintf(stderr, "aiot-run: %s: truncated chunk\n", path);
			return -EINVAL;
		}
		if (!memcmp(f + pos, "fmt ", 4) && len >= 16) {
			fmt_ok = aiot_le16_get(body) == 1 && aiot_le16_get(body + 2) == 1 && aiot_le16_get(body + 14) == 16;
			if (!fmt_ok) {
				fprintf(stderr, "aiot-run: %s: need 16-bit mono PCM (format %u, "
					"%u channels, %u bits)\n", path, aiot_le16_get(body),
					aiot_le16_get(body + 2), aiot_le16_get(body + 14));
				return -EINVAL;
			}
		} else if (!memcmp(f + pos, "data", 4)) {
			if (!fmt_ok) {
				fprintf(stderr, "aiot-run: %s: data before fmt chunk\n", path);
				return -EINVAL;
			}
			have = len / 2 < want ? len / 2 : want;
			memset(dst, 0, in->size);
			memcpy(dst, body, have * 2);
			if (have < want)
				fprintf(stderr, "aiot-run: %s: %zu samples, input takes %zu: "
					"zero padded\n", path, have, want);
			return 0;
		}
		pos += 8 + len + (len & 1);
	}
	fprintf(stderr, "aiot-run: %s: no data chunk\n", path);
	return -EINVAL;
}

int load_input(const char *path, bool raw, const struct tensor_desc *in, uint8_t *dst)
{
	uint8_t *f = NULL;
	size_t n = 0;
	int rc = tool_read_file(path, MAX_FILE_BYTES, &f, &n);

	if (rc) {
		fprintf(stderr, "aiot-run: %s: %s\n", path,
			rc == -EFBIG ? "larger than 64 MiB" : strerror(-rc));
		return rc;
	}
	if (raw) {
		if (n != in->size) {
			fprintf(stderr, "aiot-run: %s: %zu bytes, the input tensor has %zu\n", path,
				n, in->size);
			rc = -EINVAL;
		} else {
			memcpy(dst, f, n);
		}
	} else if (has_suffix(path, ".bmp")) {
		rc = load_bmp(path, f, n, in, dst);
	} else if (has_suffix(path, ".wav")) {
		rc = load_wav(path, f, n, in, dst);
	} else {
		fprintf(stderr, "aiot-run: %s: unknown input type (use .bmp, .wav or --raw)\n",
			path);
		rc = -EINVAL;
	}
	free(f);
	return rc;
}

/* Input by tensor name; -1 if none is called so. */
static int input_by_name(const struct session *s, const char *name, size_t len)
{
	for (unsigned int i = 0; i < s->input_count; i++)
		if (strlen(s->ins[i].name) == len && !strncmp(s->ins[i].name, name, len))
			return (int)i;
	return -1;
}

int load_inputs(const char *arg, bool raw, struct session *s)
{
	bool given[RUN_MAX_IO] = { false };
	unsigned int n = 0;
	char *copy, *tok, *save = NULL;
	int rc = 0;

	if (s->input_count == 1)
		return load_input(arg, raw, &s->in, s->in_buf);
	copy = strdup(arg);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save), n++) {
		char *eq = strchr(tok, '=');
		int i = (int)n;

		if (eq) {
			i = input_by_name(s, tok, (size_t)(eq - tok));
			if (i < 0) {
				fprintf(stderr, "aiot-run: %s: the model has no input \"%.*s\"\n",
					arg, (int)(eq - tok), tok);
				rc = -EINVAL;
				break;
			}
			tok = eq + 1;
		} else if (n >= s->input_count) {
			fprintf(stderr, "aiot-run: %s: more files than the model's %u inputs\n",
				arg, s->input_count);
			rc = -EINVAL;
			break;
		}
		if (given[i]) {
			fprintf(stderr, "aiot-run: %s: input %d (\"%s\") given twice\n", arg, i,
				s->ins[i].name);
			rc = -EINVAL;
			break;
		}
		given[i] = true;
		rc = load_input(tok, raw, &s->ins[i], s->in_bufs[i]);
	}
	for (unsigned int i = 0; !rc && i < s->input_count; i++) {
		if (given[i])
			continue;
		fprintf(stderr, "aiot-run: %s: no file for input %u (\"%s\"); the model takes %u "
			"inputs: FILE,FILE,... in order or NAME=FILE,...\n", arg, i, s->ins[i].name,
			s->input_count);
		rc = -EINVAL;
	}
	free(copy);
	return rc;
}
