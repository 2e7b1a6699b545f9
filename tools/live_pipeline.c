// SPDX-License-Identifier: GPL-2.0-only
/*
 * The zero-copy live pipeline of aiot-bench and aiot-run --sensor: see
 * live_pipeline.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <aiot/model_format.h>

#include "../lib/dtype.h"
#include "live_pipeline.h"

#define FW_PATH_PARAM "/sys/module/firmware_class/parameters/path"
#define MAX_IMAGE_FILE (1L << 30)

static int fail(int ret, char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(int ret, char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* ------------------------------------------------------------ utilities */

uint64_t lp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * LP_NS + (uint64_t)ts.tv_nsec;
}

uint64_t lp_cpu_self_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * LP_NS +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

const char *lp_fmt_time(char *buf, size_t len, double ns)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.2f s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.1f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.0f us", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
	return buf;
}

const char *lp_fmt_bytes(char *buf, size_t len, double b)
{
	if (b >= 1024.0 * 1024)
		snprintf(buf, len, "%.1f MiB", b / (1024.0 * 1024));
	else if (b >= 1024.0)
		snprintf(buf, len, "%.1f KiB", b / 1024.0);
	else
		snprintf(buf, len, "%.0f B", b);
	return buf;
}

int lp_latencies_add(struct lp_latencies *l, uint64_t ns)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 1024;
		uint64_t *p = realloc(l->v, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->v = p;
		l->cap = cap;
	}
	l->v[l->n++] = ns;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void lp_latencies_sort(struct lp_latencies *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(l->v[0]), cmp_u64);
}

uint64_t lp_latencies_percentile(const struct lp_latencies *l, double p)
{
	size_t i;

	if (!l->n)
		return 0;
	i = (size_t)ceil(p * (double)l->n);
	i = i ? i - 1 : 0;
	if (i >= l->n)
		i = l->n - 1;
	return l->v[i];
}

uint64_t lp_latencies_max(const struct lp_latencies *l)
{
	return l->n ? l->v[l->n - 1] : 0;
}

void lp_latencies_free(struct lp_latencies *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

unsigned int lp_best_class(const struct aiot_tensor_info *out, const void *scores,
			   double *score)
{
	float scale = aiot_tensor_info_get_scale(out);
	int32_t zp = aiot_tensor_info_get_zero_point(out);
	enum aiot_dtype t = aiot_tensor_info_get_dtype(out);
	size_t n = aiot_tensor_info_get_size(out) /
		   (t == AIOT_DTYPE_INT8 ? 1 : t == AIOT_DTYPE_INT16 ? 2 : 4);
	unsigned int best = 0;
	long bestv = LONG_MIN;

	for (size_t i = 0; i < n; i++) {
		long v = t == AIOT_DTYPE_INT8 ? ((const int8_t *)scores)[i] :
			 t == AIOT_DTYPE_INT16 ? ((const int16_t *)scores)[i] :
			 ((const int32_t *)scores)[i];
		if (v > bestv) {
			bestv = v;
			best = (unsigned int)i;
		}
	}
	*score = scale * (double)(bestv - zp);
	return best;
}

const char *lp_label(const char *const *labels, unsigned int count, unsigned int k,
		     char *buf, size_t len)
{
	if (k < count)
		return labels[k];
	snprintf(buf, len, "class %u", k);
	return buf;
}

/* ------------------------------------------------------------- progress */

void lp_progress_init(struct lp_progress *p, const char *name, double total_s,
		      size_t total_count)
{
	const char *term = getenv("TERM");

	p->name = name;
	p->start = lp_now_ns();
	p->next = p->start + 5 * LP_NS;
	p->total_s = total_s;
	p->total_count = total_count;
	p->what = "decisions";
	/* Serial consoles are ttys too: rewrite the line only on a terminal. */
	p->tty = isatty(STDERR_FILENO) && term && strcmp(term, "linux") && strcmp(term, "dumb");
}

void lp_progress_tick(struct lp_progress *p, size_t decisions, uint64_t last_ns, bool quiet)
{
	uint64_t t = lp_now_ns();
	char a[32], total[32] = "", count[32] = "";

	if (quiet || t < p->next)
		return;
	p->next = t + (p->tty ? LP_NS / 2 : 5 * LP_NS);
	if (p->total_s > 0)
		snprintf(total, sizeof(total), "/%.0f", p->total_s);
	if (p->total_count)
		snprintf(count, sizeof(count), "/%zu", p->total_count);
	fprintf(stderr, "%s  %-10s %4.0f%s s  %6zu%s %s  last %s%s",
		p->tty ? "\r" : "", p->name, (double)(t - p->start) / 1e9, total, decisions, count,
		p->what, lp_fmt_time(a, sizeof(a), (double)last_ns), p->tty ? "   " : "\n");
}

void lp_progress_done(struct lp_progress *p, bool quiet)
{
	if (!quiet && p->tty)
		fprintf(stderr, "\r%70s\r", "");
}

/* -------------------------------------------------- sensor and model */

static const char *kind_name(enum aiot_sensor_kind k)
{
	switch (k) {
	case AIOT_SENSOR_KIND_ACCEL: return "accel";
	case AIOT_SENSOR_KIND_MIC: return "mic";
	case AIOT_SENSOR_KIND_CAMERA: return "camera";
	default: return "other";
	}
}

static const char *dtype_name(enum aiot_dtype t)
{
	const char *name = aiot_dtype_name(t);

	return name ? name : "of an unknown type";
}

int lp_open_sensor(const char *name, struct aiot_sensor **out, char *err, size_t len)
{
	int ret = name[0] == '/' ? aiot_sensor_open(name, out) : aiot_sensor_open_by_name(name, out);

	if (ret == -ENOENT && name[0] != '/')
		return fail(ret, err, len, "no sensor stream named '%s' (aiot-info lists them; "
			    "is aiot-sim loaded?)", name);
	if (ret == -ENOENT || ret == -ENODEV)
		return fail(ret, err, len, "%s: %s (aiot-info lists the sensor streams)", name,
			    ret == -ENOENT ? "no such device node" : "not an aiot sensor stream");
	if (ret)
		return fail(ret, err, len, "sensor %s: %s", name, aiot_strerror(ret));
	return 0;
}

int lp_stream_init(struct lp_stream *st, struct aiot_sensor *sensor, const char *sensor_name,
		   struct aiot_accel *accel, struct aiot_model *model, const char *model_path,
		   char *err, size_t len)
{
	struct aiot_sensor_properties *props = NULL;
	unsigned int w, h, cmin, cmax, elem;
	enum aiot_dtype dtype;
	size_t sample;
	int ret;

	memset(st, 0, sizeof(*st));
	st->sensor = sensor_name;
	st->model_path = model_path;
	st->accel = accel;
	st->model = model;
	if (aiot_model_get_input_count(model) != 1 || aiot_model_get_output_count(model) < 1)
		return fail(-EINVAL, err, len, "%s: needs one input and at least one output",
			    model_path);
	st->in = aiot_model_get_input_info(model, 0);
	st->out = aiot_model_get_output_info(model, 0);
	st->in_size = aiot_tensor_info_get_size(st->in);
	st->out_size = aiot_tensor_info_get_size(st->out);
	st->out_offset = aiot_tensor_info_get_offset(st->out);
	st->in_binding = aiot_tensor_info_get_binding(st->in);
	st->out_binding = aiot_tensor_info_get_binding(st->out);
	if (aiot_tensor_info_get_offset(st->in) != 0)
		return fail(-EINVAL, err, len, "%s: the input does not start its buffer; it "
			    "cannot be a sensor slot", model_path);
	if (st->in_binding == st->out_binding)
		return fail(-EINVAL, err, len, "%s: input and output share a buffer", model_path);

	if ((ret = aiot_sensor_get_properties(sensor, &props)))
		return fail(ret, err, len, "%s: %s", sensor_name, aiot_strerror(ret));
	aiot_sensor_properties_get_frame_size(props, &w, &h);
	aiot_sensor_properties_get_channels(props, &cmin, &cmax);
	aiot_sensor_properties_get_rate_range(props, &st->min_rate_hz, &st->max_rate_hz);
	st->kind = aiot_sensor_properties_get_kind(props);
	st->can_replay = aiot_sensor_properties_has_pattern(props, AIOT_SENSOR_PATTERN_REPLAY);
	st->width = w;
	st->height = h;

	/* The slot's bytes are the input's bytes: the element types must agree. */
	dtype = aiot_tensor_info_get_dtype(st->in);
	ret = 0;
	if (dtype == AIOT_DTYPE_INT8 && aiot_sensor_properties_has_format(props, AIOT_SENSOR_FMT_U8))
		st->format = AIOT_SENSOR_FMT_U8;
	else if (dtype == AIOT_DTYPE_INT16 &&
		 aiot_sensor_properties_has_format(props, AIOT_SENSOR_FMT_S16_LE))
		st->format = AIOT_SENSOR_FMT_S16_LE;
	else if (dtype == AIOT_DTYPE_INT8 || dtype == AIOT_DTYPE_INT16)
		ret = fail(-EINVAL, err, len, "%s gives %s samples, but the input of %s is %s: "
			   "its slots cannot be the model's input as they are (this sensor needs "
			   "a model whose input is %s)", sensor_name,
			   dtype == AIOT_DTYPE_INT8 ? "16-bit (S16_LE)" : "8-bit (U8)", model_path,
			   dtype_name(dtype), dtype == AIOT_DTYPE_INT8 ? "int16" : "int8");
	else
		ret = fail(-EINVAL, err, len, "the input of %s is %s; sensor slots hold 8-bit (U8) "
			   "or 16-bit (S16_LE) samples, for int8 or int16 inputs", model_path,
			   dtype_name(dtype));
	if (ret)
		goto out;
	elem = st->format == AIOT_SENSOR_FMT_U8 ? 1 : 2;
	st->channels = cmin;
	sample = (size_t)elem * st->channels * w * h;
	if (!sample || st->in_size % sample) {
		ret = fail(-EINVAL, err, len, "the model's input (%zu B) is not a whole number of "
			   "%s samples (%zu B)", st->in_size, sensor_name, sample);
		goto out;
	}
	if (st->in_size / sample > UINT_MAX) {
		ret = fail(-ERANGE, err, len, "the model's input (%zu B) is too large for %s",
			   st->in_size, sensor_name);
		goto out;
	}
	st->spp = (unsigned int)(st->in_size / sample);
out:
	aiot_sensor_properties_free(props);
	return ret;
}

int lp_calibrate(struct aiot_model *model, uint64_t *t_inf_ns)
{
	uint64_t t[5];
	int ret;

	for (int i = 0; i < 5; i++) {
		uint64_t t0 = lp_now_ns();

		if ((ret = aiot_model_run(model, 30 * LP_NS)))
			return ret;
		t[i] = lp_now_ns() - t0;
	}
	qsort(t, 5, sizeof(t[0]), cmp_u64);
	*t_inf_ns = t[2];
	return 0;
}

unsigned int lp_auto_rate(const struct lp_stream *st, uint64_t t_inf_ns)
{
	double slots = 0.5e9 / (double)(t_inf_ns ? t_inf_ns : 1);
	double rate = floor(slots * st->spp);

	return rate < st->min_rate_hz ? st->min_rate_hz :
	       rate > st->max_rate_hz ? st->max_rate_hz : (unsigned int)rate;
}

void lp_stream_set_rate(struct lp_stream *st, unsigned int rate_hz)
{
	st->rate_hz = rate_hz;
	st->slot_rate_hz = rate_hz / st->spp ? rate_hz / st->spp : 1;
}

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
		return fail(-errno, err, len, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		ret = fail(-errno, err, len, "%s: cannot size: %s", path, strerror(errno));
		fclose(f);
		return ret;
	}
	if (n > MAX_IMAGE_FILE) {
		fclose(f);
		return fail(-EFBIG, err, len, "%s: larger than 1 GiB", path);
	}
	buf = malloc((size_t)n + 1);
	if (!buf) {
		fclose(f);
		return fail(-ENOMEM, err, len, "out of memory");
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return fail(-EIO, err, len, "%s: read error", path);
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
		fail(ret, err, len, "%s: not a BMP file", path);
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
		fail(ret, err, len, "%s: not an uncompressed 8-bit grayscale BMP", path);
		goto out;
	}
	if (bw != w || bh == INT32_MIN || (unsigned int)abs(bh) != h) {
		fail(ret, err, len, "%s: %ux%d pixels, the sensor's frame is %ux%u", path, bw,
		     bh == INT32_MIN ? 0 : abs(bh), w, h);
		goto out;
	}
	stride = (bw + 3) & ~3u;
	if (off > n || stride * h > n - off || 14 + (size_t)hsize > off) {
		fail(ret, err, len, "%s: truncated", path);
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
		return fail(-EINVAL, err, len, "--replay needs an 8-bit grayscale camera; %s is not",
			    st->sensor);
	if (!st->can_replay)
		return fail(-EOPNOTSUPP, err, len, "--replay needs a sensor that replays recordings "
			    "(aiot-sim's); %s does not", st->sensor);
	if (!count || count > LP_MAX_IMAGES)
		return fail(-EINVAL, err, len, "--replay takes 1..%d images", LP_MAX_IMAGES);
	r->frame_bytes = (size_t)st->width * st->height;
	r->frames = malloc(r->frame_bytes * count);
	if (!r->frames)
		return fail(-ENOMEM, err, len, "out of memory");
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

static int write_all_file(const char *path, const void *p, size_t n, char *err, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), ret = 0;

	if (fd < 0)
		return fail(-errno, err, len, "%s: %s", path, strerror(errno));
	if (write(fd, p, n) != (ssize_t)n)
		ret = fail(-EIO, err, len, "%s: write failed", path);
	close(fd);
	return ret;
}

/*
 * The recording (docs/sensor-uapi.md): a 40-byte header, then the frames,
 * each image held for `hold` frames; the camera loops over it.
 */
int lp_replay_install(struct lp_stream *st, const struct lp_replay *r, unsigned int hold,
		      const char *fw_dir, char *err, size_t len)
{
	size_t frame = r->frame_bytes, data;
	uint32_t hdr[10];
	char path[PATH_MAX];
	uint8_t *buf;
	int ret;

	if (!hold)
		hold = st->rate_hz;
	data = frame * r->count * hold;
	if (data > UINT32_MAX)
		return fail(-EFBIG, err, len, "the recording (%zu B) is too large: fewer frames "
			    "per image (--hold)", data);
	buf = malloc(40 + data);
	if (!buf)
		return fail(-ENOMEM, err, len, "out of memory");
	for (size_t i = 0; i < r->count; i++)
		for (unsigned int k = 0; k < hold; k++)
			memcpy(buf + 40 + (i * hold + k) * frame, r->frames + i * frame, frame);
	hdr[0] = 0x52534941;			/* "AISR" */
	hdr[1] = 1 | 40u << 16;			/* version 1, header size */
	hdr[2] = AIOT_SENSOR_FMT_U8;
	hdr[3] = 1;
	hdr[4] = st->width;
	hdr[5] = st->height;
	hdr[6] = st->rate_hz;
	hdr[7] = (uint32_t)data;
	hdr[8] = aiot_crc32(0, buf + 40, data);
	hdr[9] = 0;
	memcpy(buf, hdr, 40);			/* x86/arm little endian */
	if (mkdir(fw_dir, 0755) && errno != EEXIST) {
		ret = fail(-errno, err, len, "%s: %s", fw_dir, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/aiot-rec-%s.bin", fw_dir, kind_name(st->kind));
	ret = write_all_file(path, buf, 40 + data, err, len);
	if (!ret)
		st->fw_dir = fw_dir;
out:
	free(buf);
	return ret;
}

static int set_fw_path(const char *dir)
{
	int fd = open(FW_PATH_PARAM, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, dir, strlen(dir));
	close(fd);
	return n == (ssize_t)strlen(dir) ? 0 : -EIO;
}

int lp_configure(const struct lp_stream *st, unsigned int slots, struct aiot_sensor **out,
		 char *err, size_t len)
{
	struct aiot_sensor_settings *set;
	struct aiot_sensor *s;
	int ret = lp_open_sensor(st->sensor, &s, err, len);

	if (ret)
		return ret;
	set = aiot_sensor_settings_new();
	if (!set) {
		aiot_sensor_close(s);
		return fail(-ENOMEM, err, len, "out of memory");
	}
	aiot_sensor_settings_set_format(set, st->format);
	aiot_sensor_settings_set_channels(set, st->channels);
	aiot_sensor_settings_set_rate(set, st->rate_hz);
	aiot_sensor_settings_set_samples_per_slot(set, st->spp);
	aiot_sensor_settings_set_slot_count(set, slots);
	aiot_sensor_settings_set_overflow(set, AIOT_SENSOR_OVERFLOW_DROP_NEWEST);
	aiot_sensor_settings_set_pattern(set, st->fw_dir ? AIOT_SENSOR_PATTERN_REPLAY :
					 AIOT_SENSOR_PATTERN_LIVE);
	/* aiot-sim loads the recording as firmware when it is configured. */
	if (st->fw_dir && (ret = set_fw_path(st->fw_dir))) {
		ret = fail(ret, err, len, "cannot point the firmware loader at %s (%s): %s",
			   st->fw_dir, FW_PATH_PARAM, aiot_strerror(ret));
		goto out;
	}
	ret = aiot_sensor_configure(s, set);
	if (st->fw_dir)
		set_fw_path("");
	if (ret) {
		fail(ret, err, len, "configure %s (%u Hz, %u per slot, %u slots%s): %s", st->sensor,
		     st->rate_hz, st->spp, slots, st->fw_dir ? ", replay" : "", aiot_strerror(ret));
		goto out;
	}
	if (aiot_sensor_get_slot_size(s) != st->in_size) {
		ret = fail(-EINVAL, err, len, "a slot of %s holds %zu bytes, the model's input %zu",
			   st->sensor, aiot_sensor_get_slot_size(s), st->in_size);
		goto out;
	}
out:
	aiot_sensor_settings_free(set);
	if (ret)
		aiot_sensor_close(s);
	else
		*out = s;
	return ret;
}

uint64_t lp_driver_copied(const struct aiot_sensor *sensor, bool *ok)
{
	uint64_t v = 0;

	*ok = aiot_sensor_get_stat(sensor, AIOT_SENSOR_STAT_BYTES_COPIED, &v) == 0;
	return *ok ? v : 0;
}

uint64_t lp_sequence_gap(struct lp_sequence *seq, uint64_t sequence)
{
	uint64_t gap = seq->seen && sequence > seq->last + 1 ? sequence - seq->last - 1 : 0;

	seq->seen = true;
	seq->last = sequence;
	return gap;
}

/* ----------------------------------------------------- the pipeline */

/* A job on slot i: the slot as the model's input, out[i] as its output. */
static int submit_on(const struct lp_stream *st, struct aiot_job_config *cfg,
		     struct aiot_buffer *slot, struct aiot_buffer *out, struct aiot_job **job)
{
	aiot_job_config_set_binding(cfg, st->in_binding, slot);
	aiot_job_config_set_binding(cfg, st->out_binding, out);
	return aiot_model_submit(st->model, cfg, job);
}

int lp_run_zero_copy(const struct lp_stream *st, const struct lp_run_opts *o,
		     struct lp_run_stats *stats, char *err, size_t len)
{
	unsigned int n = o->slots;
	struct aiot_buffer *slot_buf[LP_MAX_SLOTS] = { 0 }, *out_buf[LP_MAX_SLOTS] = { 0 };
	struct aiot_job *job[LP_MAX_SLOTS] = { 0 };
	const uint8_t *out_map[LP_MAX_SLOTS];
	struct aiot_job_config *cfg;
	struct aiot_sensor *s = NULL;
	uint64_t lib0, drv0, drv1, cpu0, t0 = 0, end = 0, first_ts = 0;
	struct lp_sequence seq = { 0 };
	bool started = false, ok0, ok1;
	int ret;

	memset(stats, 0, sizeof(*stats));
	if (n < 2 || n > LP_MAX_SLOTS)
		return fail(-EINVAL, err, len, "%u slots: the pipeline takes 2..%d", n,
			    LP_MAX_SLOTS);
	cfg = aiot_job_config_new();
	if (!cfg)
		return fail(-ENOMEM, err, len, "out of memory");
	lib0 = aiot_accel_get_stat(st->accel, AIOT_STAT_BYTES_COPIED);
	if ((ret = lp_configure(st, n, &s, err, len)))
		goto out;
	for (unsigned int i = 0; i < n; i++) {
		void *p;

		if ((ret = aiot_sensor_import_slot(s, i, st->accel, &slot_buf[i]))) {
			fail(ret, err, len, "import slot %u of %s into the accelerator: %s", i,
			     st->sensor, aiot_strerror(ret));
			goto out;
		}
		if ((ret = aiot_buffer_create(st->accel, st->out_offset + st->out_size,
					      &out_buf[i])) ||
		    (ret = aiot_buffer_map(out_buf[i], &p))) {
			fail(ret, err, len, "output buffer: %s", aiot_strerror(ret));
			goto out;
		}
		out_map[i] = (const uint8_t *)p + st->out_offset;
	}
	drv0 = lp_driver_copied(s, &ok0);
	cpu0 = lp_cpu_self_ns();
	if ((ret = aiot_sensor_start(s))) {
		fail(ret, err, len, "start %s: %s", st->sensor, aiot_strerror(ret));
		goto out;
	}
	started = true;
	/* A job on every slot before its DMA even started: each waits for its fence. */
	for (unsigned int i = 0; i < n; i++) {
		if ((ret = submit_on(st, cfg, slot_buf[i], out_buf[i], &job[i]))) {
			fail(ret, err, len, "submit: %s", aiot_strerror(ret));
			goto out;
		}
	}
	t0 = lp_now_ns();
	end = o->duration_ns ? t0 + o->duration_ns : UINT64_MAX;
	while (!(o->stop && *o->stop) && lp_now_ns() < end &&
	       (!o->max_slots || stats->slots < o->max_slots)) {
		struct lp_decision d = { 0 };
		unsigned int i;

		ret = aiot_sensor_dequeue(s, 2 * LP_NS + (int64_t)(LP_NS / st->slot_rate_hz),
					  &d.slot);
		if (ret) {
			fail(ret, err, len, "dequeue from %s: %s", st->sensor, aiot_strerror(ret));
			goto out;
		}
		i = d.slot.index;
		if (i >= n || !job[i]) {
			ret = fail(-EPROTO, err, len, "dequeued slot %u that has no job", i);
			goto out;
		}
		if ((ret = aiot_job_wait(job[i], 10 * LP_NS))) {
			fail(ret, err, len, "waiting for the job on slot %u: %s", i,
			     aiot_strerror(ret));
			goto out;
		}
		d.latency_ns = lp_now_ns() - d.slot.timestamp_ns;
		stats->drops += lp_sequence_gap(&seq, d.slot.sequence);
		if (!first_ts)
			first_ts = d.slot.timestamp_ns;
		d.first_ts = first_ts;
		stats->slots++;
		if ((d.slot.flags & AIOT_SENSOR_BUF_ERROR) || aiot_job_get_status(job[i])) {
			d.error = true;
			stats->errors++;
		} else {
			d.scores = out_map[i];
			stats->decisions++;
		}
		if (o->on_decision)
			o->on_decision(o->arg, &d);
		aiot_job_free(job[i]);
		job[i] = NULL;
		/* The job is done: the slot goes back to the DMA, then a job waits on it. */
		if ((ret = aiot_sensor_queue(s, i))) {
			fail(ret, err, len, "queue slot %u: %s", i, aiot_strerror(ret));
			goto out;
		}
		if ((ret = submit_on(st, cfg, slot_buf[i], out_buf[i], &job[i]))) {
			fail(ret, err, len, "submit: %s", aiot_strerror(ret));
			goto out;
		}
	}
	ret = 0;
out:
	if (t0)
		stats->elapsed_ns = lp_now_ns() - t0;
	if (s)
		aiot_sensor_stop(s);	/* pending fences signal -ECANCELED: the jobs complete */
	for (unsigned int i = 0; i < n; i++) {
		if (job[i])
			aiot_job_wait(job[i], 10 * LP_NS);
		aiot_job_free(job[i]);
	}
	if (started) {
		stats->cpu_ns = lp_cpu_self_ns() - cpu0;
		stats->lib_copied = aiot_accel_get_stat(st->accel, AIOT_STAT_BYTES_COPIED) - lib0;
		drv1 = lp_driver_copied(s, &ok1);
		stats->drv_known = ok0 && ok1;
		stats->drv_copied = stats->drv_known ? drv1 - drv0 : 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		aiot_buffer_free(slot_buf[i]);
		aiot_buffer_free(out_buf[i]);
	}
	aiot_job_config_free(cfg);
	aiot_sensor_close(s);
	return ret;
}

void lp_print_decision(const struct lp_stream *st, const struct lp_decision *d,
		       const char *const *labels, unsigned int label_count)
{
	char a[32], lb[32];
	double score;
	unsigned int k;

	if (d->error) {
		printf("#%-5llu t=%6.2f s  %-12s        %s\n", (unsigned long long)d->slot.sequence,
		       (double)(d->slot.timestamp_ns - d->first_ts) / 1e9, "error",
		       (d->slot.flags & AIOT_SENSOR_BUF_ERROR) ? "the slot's DMA failed" :
		       "the job failed");
	} else {
		k = lp_best_class(st->out, d->scores, &score);
		printf("#%-5llu t=%6.2f s  %-12s %.2f   capture->decision %s\n",
		       (unsigned long long)d->slot.sequence,
		       (double)(d->slot.timestamp_ns - d->first_ts) / 1e9,
		       lp_label(labels, label_count, k, lb, sizeof(lb)), score,
		       lp_fmt_time(a, sizeof(a), (double)d->latency_ns));
	}
	fflush(stdout);
}
