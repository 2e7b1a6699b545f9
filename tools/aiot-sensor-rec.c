// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-sensor-rec: make aiot-sim replay recordings (include/aiot/sim_sensor.h)
 * from recorded data, or give one to a simulated sensor.
 *
 *   aiot-sensor-rec wav IN.wav OUT.bin     16-bit PCM -> S16_LE mic
 *   aiot-sensor-rec bmp IN.bmp OUT.bin     8-bit grayscale BMP -> U8 frame
 *   aiot-sensor-rec accel OUT.bin          a synthetic 3-axis "tap" at 100 Hz
 *   aiot-sensor-rec give NODE IN.bin       to the sensor's replay_data (root)
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <aiot/model_format.h>
#include <linux/aiot_sensor.h>

#include "../lib/le_bytes.h"
#include "common/sensor_rec.h"

#define MAX_INPUT (64L << 20)

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("aiot-sensor-rec: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		die("%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > MAX_INPUT || fseek(f, 0, SEEK_SET))
		die("%s: cannot size it, or larger than 64 MiB", path);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("%s: cannot read it", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void write_rec(const char *out, uint32_t format, uint32_t channels, uint32_t width,
		      uint32_t height, uint32_t rate, const uint8_t *data, size_t bytes)
{
	uint8_t hdr[AIOT_SIM_REC_HEADER_SIZE];
	FILE *f;

	if (bytes > AIOT_SIM_REC_MAX_BYTES - AIOT_SIM_REC_HEADER_SIZE)
		die("%s: %zu bytes of samples is too many", out, bytes);
	sensor_rec_header(hdr, format, channels, width, height, rate, data, (uint32_t)bytes);
	f = fopen(out, "wb");
	if (!f || fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    fwrite(data, 1, bytes, f) != bytes || fclose(f))
		die("%s: cannot write it", out);
}

/* RIFF/WAVE, PCM: the "fmt " and "data" chunks. */
static void from_wav(const char *in, const char *out)
{
	size_t len, off = 12;
	uint8_t *b = slurp(in, &len);
	uint32_t rate = 0, channels = 0, bits = 0;
	const uint8_t *data = NULL;
	size_t bytes = 0;

	if (len < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4))
		die("%s: not a WAVE file", in);
	while (off + 8 <= len) {
		uint32_t size = aiot_le32_get(b + off + 4);

		if (size > len - off - 8)
			die("%s: truncated", in);
		if (!memcmp(b + off, "fmt ", 4) && size >= 16) {
			if (aiot_le16_get(b + off + 8) != 1)
				die("%s: not PCM", in);
			channels = aiot_le16_get(b + off + 10);
			rate = aiot_le32_get(b + off + 12);
			bits = aiot_le16_get(b + off + 22);
		} else if (!memcmp(b + off, "data", 4)) {
			data = b + off + 8;
			bytes = size;
		}
		off += 8 + size + (size & 1);
	}
	if (!data || !channels || !rate)
		die("%s: no fmt or data chunk", in);
	if (bits != 16)
		die("%s: not 16-bit PCM", in);
	bytes -= bytes % (2 * channels);
	write_rec(out, AIOT_SENSOR_FMT_S16_LE, channels, 1, 1, rate, data, bytes);
	free(b);
}

/* An uncompressed 8-bit BMP as grayscale bytes (palette's blue), top row first. */
static void from_bmp(const char *in, const char *out)
{
	size_t len, stride, pal_n;
	uint8_t *b = slurp(in, &len), *px;
	uint32_t off, hsize, w;
	int32_t h;

	if (len < 54 || b[0] != 'B' || b[1] != 'M')
		die("%s: not a BMP file", in);
	off = aiot_le32_get(b + 10);
	hsize = aiot_le32_get(b + 14);
	w = aiot_le32_get(b + 18);
	h = (int32_t)aiot_le32_get(b + 22);
	if (aiot_le16_get(b + 28) != 8 || aiot_le32_get(b + 30) != 0)
		die("%s: not an uncompressed 8-bit BMP", in);
	if (!w || w > 4096 || !h || h == INT32_MIN || abs(h) > 4096)
		die("%s: unsupported size", in);
	stride = (w + 3) & ~3u;
	if (off > len || stride * (size_t)abs(h) > len - off || 14 + (size_t)hsize > off)
		die("%s: truncated", in);
	pal_n = (off - 14 - hsize) / 4;
	px = malloc((size_t)w * abs(h));
	if (!px)
		die("out of memory");
	for (int y = 0; y < abs(h); y++) {
		size_t row = h > 0 ? (size_t)(abs(h) - 1 - y) : (size_t)y;	/* bottom-up */

		for (uint32_t x = 0; x < w; x++) {
			uint8_t i = b[off + row * stride + x];

			px[(size_t)y * w + x] = i < pal_n ? b[14 + hsize + 4 * i] : i;
		}
	}
	write_rec(out, AIOT_SENSOR_FMT_U8, 1, w, (uint32_t)abs(h), 1, px, (size_t)w * abs(h));
	free(px);
	free(b);
}

/* Two seconds at 100 Hz: a decaying tap every second, 1 g on z. */
static void accel(const char *out)
{
	enum { RATE = 100, N = 200 };
	uint8_t data[N * 3 * 2], *p = data;

	for (int i = 0; i < N; i++) {
		double tap = i % 100 < 30 ? 12000 * exp(-(i % 100) / 5.0) : 0.0;
		double v[3] = { tap, 0.3 * tap, 4096 + 0.1 * tap };

		for (int k = 0; k < 3; k++, p += 2)
			aiot_le16_put(p, (uint16_t)(int16_t)nearbyint(v[k]));
	}
	write_rec(out, AIOT_SENSOR_FMT_S16_LE, 3, 1, 1, RATE, data, sizeof(data));
}

static void give(const char *node, const char *in)
{
	size_t len;
	uint8_t *b = slurp(in, &len);
	int ret = sensor_rec_give(node, b, len);

	if (ret)
		die("%s: cannot give it %s: %s", node, in, strerror(-ret));
	free(b);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "wav"))
		from_wav(argv[2], argv[3]);
	else if (argc == 4 && !strcmp(argv[1], "bmp"))
		from_bmp(argv[2], argv[3]);
	else if (argc == 3 && !strcmp(argv[1], "accel"))
		accel(argv[2]);
	else if (argc == 4 && !strcmp(argv[1], "give"))
		give(argv[2], argv[3]);
	else {
		fputs("usage: aiot-sensor-rec wav IN.wav OUT.bin | bmp IN.bmp OUT.bin |\n"
		      "                       accel OUT.bin | give NODE IN.bin\n", stderr);
		return 2;
	}
	return 0;
}
