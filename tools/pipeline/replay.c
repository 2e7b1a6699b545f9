// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replay through a simulated camera (live_pipeline.h), all of it: loading
 * the images, writing them as aiot-sim's replay recording, handing that to
 * the sensor (its root-only sysfs attribute replay_data) and selecting its
 * REPLAY test pattern when the stream is configured. How a replay is set
 * up is this file's business alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <aiot/model_format.h>

#include "../../lib/dtype.h"
#include "../common/sensor_rec.h"
#include "internal.h"
#include "live_pipeline.h"

#define MAX_IMAGE_FILE (1L << 30)

/* ---------------------------------------------------- replay recording */

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_whole_file(const char *path, uint8_t **data, size_t *size, char *err,
			   size_t len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;
	int ret;

	if (!f)
		return lp_fail(-errno, err, len, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		ret = lp_fail(-errno, err, len, "%s: cannot size: %s", path, strerror(errno));
		fclose(f);
		return ret;
	}
	if (n > MAX_IMAGE_FILE) {
		fclose(f);
		return lp_fail(-EFBIG, err, len, "%s: larger than 1 GiB", path);
	}
	buf = malloc((size_t)n + 1);
	if (!buf) {
		fclose(f);
		return lp_fail(-ENOMEM, err, len, "out of memory");
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return lp_fail(-EIO, err, len, "%s: read error", path);
	}
	fclose(f);
	*data = buf;
	*size = (size_t)n;
	return 0;
}

/* An uncompressed 8-bit BMP as grayscale bytes, top row first. */
static int load_bmp(const char *path, unsigned int w, unsigned int h, uint8_t *out, char *err,
		    size_t len)
{
	uint32_t off, hsize, bw, bh_raw, bpp, comp;
	const uint8_t *pal;
	size_t n = 0, stride, pal_n;
	uint8_t *b = NULL;
	int32_t bh;
	int ret = read_whole_file(path, &b, &n, err, len);

	if (ret)
		return ret;
	ret = -EINVAL;
	if (n < 54 || b[0] != 'B' || b[1] != 'M') {
		lp_fail(ret, err, len, "%s: not a BMP file", path);
		goto out;
	}
	off = le32(b + 10);
	hsize = le32(b + 14);
	bw = le32(b + 18);
	bh_raw = le32(b + 22);
	memcpy(&bh, &bh_raw, 4);
	bpp = b[28] | b[29] << 8;
	comp = le32(b + 30);
	if (bpp != 8 || comp != 0) {
		lp_fail(ret, err, len, "%s: not an uncompressed 8-bit grayscale BMP", path);
		goto out;
	}
	if (bw != w || bh == INT32_MIN || (unsigned int)abs(bh) != h) {
		lp_fail(ret, err, len, "%s: %ux%d pixels, the sensor's frame is %ux%u", path, bw,
			bh == INT32_MIN ? 0 : abs(bh), w, h);
		goto out;
	}
	stride = (bw + 3) & ~3u;
	if (off > n || stride * h > n - off || 14 + (size_t)hsize > off) {
		lp_fail(ret, err, len, "%s: truncated", path);
		goto out;
	}
	pal = b + 14 + hsize;
	pal_n = (off - 14 - hsize) / 4;
	for (unsigned int y = 0; y < h; y++) {
		unsigned int row = bh > 0 ? h - 1 - y : y;	/* bottom-up */

		for (unsigned int x = 0; x < w; x++) {
			uint8_t i = b[off + row * stride + x];

			out[(size_t)y * w + x] = i < pal_n ? pal[4 * i] : i;
		}
	}
	ret = 0;
out:
	free(b);
	return ret;
}

int lp_replay_load(struct lp_replay *r, const struct lp_stream *st, const char *const *images,
		   unsigned int count, char *err, size_t len)
{
	memset(r, 0, sizeof(*r));
	if (st->format != AIOT_SENSOR_FMT_U8 || st->channels != 1)
		return lp_fail(-EINVAL, err, len, "--replay needs an 8-bit grayscale camera; %s is not",
			       st->sensor);
	if (!st->can_replay)
		return lp_fail(-EOPNOTSUPP, err, len, "--replay needs a sensor that replays recordings "
			       "(aiot-sim's); %s does not", st->sensor);
	if (!count || count > LP_MAX_IMAGES)
		return lp_fail(-EINVAL, err, len, "--replay takes 1..%d images", LP_MAX_IMAGES);
	r->frame_bytes = (size_t)st->width * st->height;
	r->frames = malloc(r->frame_bytes * count);
	if (!r->frames)
		return lp_fail(-ENOMEM, err, len, "out of memory");
	for (unsigned int i = 0; i < count; i++) {
		int ret = load_bmp(images[i], st->width, st->height,
				   r->frames + i * r->frame_bytes, err, len);

		if (ret) {
			lp_replay_free(r);
			return ret;
		}
		r->names[i] = images[i];
	}
	r->count = count;
	return 0;
}

void lp_replay_free(struct lp_replay *r)
{
	free(r->frames);
	memset(r, 0, sizeof(*r));
}

/*
 * The recording (include/aiot/sim_sensor.h): the frames, each image held
 * for `hold` frames, which the camera loops over.
 */
int lp_replay_install(struct lp_stream *st, const struct lp_replay *r, unsigned int hold,
		      char *err, size_t len)
{
	size_t frame = r->frame_bytes, data;
	const size_t hsize = AIOT_SIM_REC_HEADER_SIZE;
	uint8_t *buf;
	int ret;

	if (!hold)
		hold = st->rate_hz;
	data = frame * r->count * hold;
	if (data > AIOT_SIM_REC_MAX_BYTES - hsize)
		return lp_fail(-EFBIG, err, len, "the recording (%zu B) is too large: fewer frames "
			       "per image (--hold)", data);
	buf = malloc(hsize + data);
	if (!buf)
		return lp_fail(-ENOMEM, err, len, "out of memory");
	for (size_t i = 0; i < r->count; i++)
		for (unsigned int k = 0; k < hold; k++)
			memcpy(buf + hsize + (i * hold + k) * frame, r->frames + i * frame, frame);
	sensor_rec_header(buf, AIOT_SENSOR_FMT_U8, 1, st->width, st->height, st->rate_hz,
			  buf + hsize, (uint32_t)data);
	ret = sensor_rec_give(st->node, buf, hsize + data);
	if (ret)
		lp_fail(ret, err, len, "cannot give the recording to %s (sysfs %s, root only): %s",
			st->sensor, AIOT_SIM_ATTR_REPLAY_DATA, aiot_strerror(ret));
	else
		st->replaying = true;
	free(buf);
	return ret;
}

int lp_replay_configure(const struct lp_stream *st, struct aiot_sensor *s,
			struct aiot_sensor_settings *set, unsigned int slots, char *err,
			size_t len)
{
	int ret;

	aiot_sensor_settings_set_pattern(set, st->replaying ? st->replay_pattern :
					 AIOT_SENSOR_PATTERN_LIVE);
	/* aiot-sim checks the recording given when it is configured. */
	ret = aiot_sensor_configure(s, set);
	if (ret)
		lp_fail(ret, err, len, "configure %s (%u Hz, %u per slot, %u slots%s): %s", st->sensor,
			st->rate_hz, st->spp, slots, st->replaying ? ", replay" : "",
			aiot_strerror(ret));
	return ret;
}
