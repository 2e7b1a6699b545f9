// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench: sensor-to-decision latency, throughput and CPU copies of one
 * model on one sensor stream, through three paths, in one run:
 *
 *  (a) zero-copy: every ring slot is imported into the accelerator once;
 *      a job is queued ahead on each slot, so it starts when the slot's DMA
 *      completes (its write fence), and reads the very pages the sensor
 *      wrote. Nothing is copied by the CPU.
 *  (b) copy: the application dequeues a slot, copies it out of the ring
 *      (what read() does in the kernel), then copies it into the model's
 *      input tensor (aiot_model_write_input()), runs the model and waits.
 *  (c) tcp: what a gateway does today: the application copies the slot out,
 *      sends it over a loopback TCP connection to a separate inference
 *      process, which receives it, copies it into its tensor, runs the
 *      model and sends the scores back.
 *
 * Latency is capture -> decision: from the slot's capture timestamp (the
 * driver's CLOCK_MONOTONIC time of the DMA) to the moment the consuming
 * process holds the scores. Copies are counted where they happen: our own
 * memcpy/send/recv, the library's AIOT_STAT_BYTES_COPIED and the sensor
 * driver's bytes_copied (sysfs), when it has one.
 *
 * --live runs path (a) alone and prints every decision: the demo pipeline.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <aiot/accel.h>
#include <aiot/sensor.h>

#define PROG "aiot-bench"
#define NS 1000000000LL
#define MAX_SLOTS 16
#define MAX_LABELS 16
#define MAX_IMAGES 8
#define FW_PATH_PARAM "/sys/module/firmware_class/parameters/path"
#define FW_DIR "/tmp/aiot-bench-fw"

enum path { PATH_ZERO_COPY, PATH_COPY, PATH_TCP, PATH_COUNT };

static const char *const path_names[PATH_COUNT] = { "zero-copy", "copy", "tcp" };
static const char *const path_titles[PATH_COUNT] = {
	"(a) zero-copy, fenced", "(b) dequeue + copy", "(c) loopback TCP to a server",
};

struct opts {
	const char *model;
	const char *sensor;
	const char *accel;
	const char *images[MAX_IMAGES];
	unsigned int image_count;
	const char *labels[MAX_LABELS];
	unsigned int label_count;
	double duration;
	unsigned int rate;	/* 0: auto */
	unsigned int hold;	/* frames per replayed image, 0: one second */
	unsigned int slots;
	double saturate;	/* seconds per path at the sensor's top rate, 0: skip */
	bool paths[PATH_COUNT];
	bool live;
	bool quiet;
};

struct result {
	bool ran;
	uint64_t *lat;		/* capture -> decision, ns */
	size_t n, cap;
	uint64_t elapsed_ns;
	uint64_t drops;		/* sequence gaps */
	uint64_t errors;	/* slots with a DMA error, failed jobs */
	uint64_t app_copied;	/* memcpy/send/recv by this tool (both processes) */
	uint64_t lib_copied;	/* AIOT_STAT_BYTES_COPIED (both processes) */
	uint64_t drv_copied;	/* the sensor driver's bytes_copied */
	bool drv_known;
	uint64_t cpu_ns;	/* user + system time of the processes involved */
	unsigned int class_count[MAX_LABELS];
};

struct ctx {
	struct opts *o;
	struct aiot_accel *accel;
	struct aiot_model *model;
	const struct aiot_tensor_info *in, *out;
	size_t in_size, out_size, out_offset;
	unsigned int in_binding, out_binding;
	unsigned int slot_rate_hz;	/* slots per second */
	unsigned int rate_hz;		/* the sensor's sample rate */
	unsigned int max_rate_hz;
	unsigned int spp;		/* samples per slot */
	enum aiot_sensor_format format;
	unsigned int channels;
	bool replay;
	const char *kind;
	unsigned int width, height;
	char sysfs_copied[128];
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_self_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * NS +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

/* "12.3 ms", "456 us", "1.23 s" */
static const char *fmt_time(char *buf, size_t len, double ns)
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

/* "0 B", "18.0 KiB", "1.5 MiB" */
static const char *fmt_bytes(char *buf, size_t len, double b)
{
	if (b >= 1024.0 * 1024)
		snprintf(buf, len, "%.1f MiB", b / (1024.0 * 1024));
	else if (b >= 1024.0)
		snprintf(buf, len, "%.1f KiB", b / 1024.0);
	else
		snprintf(buf, len, "%.0f B", b);
	return buf;
}

static void result_add(struct result *r, uint64_t lat)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 1024;
		uint64_t *p = realloc(r->lat, cap * sizeof(*p));

		if (!p)
			die("out of memory");
		r->lat = p;
		r->cap = cap;
	}
	r->lat[r->n++] = lat;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t percentile(const struct result *r, double p)
{
	size_t i;

	if (!r->n)
		return 0;
	i = (size_t)ceil(p * (double)r->n) - 1;
	if (i >= r->n)
		i = r->n - 1;
	return r->lat[i];
}

static double per_second(const struct result *r)
{
	return r->elapsed_ns ? (double)r->n * 1e9 / (double)r->elapsed_ns : 0;
}

static double copied_per_inf(const struct result *r)
{
	return r->n ? (double)(r->app_copied + r->lib_copied + r->drv_copied) / (double)r->n : 0;
}

/* ------------------------------------------------------------ scores */

/* Index of the best output element and its dequantized score. */
static unsigned int best_class(const struct ctx *c, const void *scores, double *score)
{
	float scale = aiot_tensor_info_get_scale(c->out);
	int32_t zp = aiot_tensor_info_get_zero_point(c->out);
	enum aiot_dtype t = aiot_tensor_info_get_dtype(c->out);
	size_t n = c->out_size / (t == AIOT_DTYPE_INT8 ? 1 : t == AIOT_DTYPE_INT16 ? 2 : 4);
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

static const char *label_of(const struct ctx *c, unsigned int i, char *buf, size_t len)
{
	if (i < c->o->label_count)
		return c->o->labels[i];
	snprintf(buf, len, "class %u", i);
	return buf;
}

static void count_class(const struct ctx *c, struct result *r, const void *scores)
{
	double s;
	unsigned int k = best_class(c, scores, &s);

	if (k < MAX_LABELS)
		r->class_count[k]++;
}

/* ---------------------------------------------------- replay recording */

static uint32_t crc32_zlib(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		die("%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("%s: cannot size: %s", path, strerror(errno));
	if (n > (1L << 30))
		die("%s: larger than 1 GiB", path);
	buf = malloc((size_t)n + 1);
	if (!buf)
		die("out of memory");
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("%s: read error", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* An uncompressed 8-bit BMP as grayscale bytes, top row first. */
static void load_bmp(const char *path, unsigned int w, unsigned int h, uint8_t *out)
{
	size_t len;
	uint8_t *b = read_file(path, &len);
	uint32_t off, hsize, bw, bh_raw, bpp, comp;
	int32_t bh;

	if (len < 54 || b[0] != 'B' || b[1] != 'M')
		die("%s: not a BMP file", path);
	off = le32(b + 10);
	hsize = le32(b + 14);
	bw = le32(b + 18);
	bh_raw = le32(b + 22);
	memcpy(&bh, &bh_raw, 4);
	bpp = b[28] | b[29] << 8;
	comp = le32(b + 30);
	if (bpp != 8 || comp != 0)
		die("%s: not an uncompressed 8-bit grayscale BMP", path);
	if (bw != w || (unsigned int)abs(bh) != h)
		die("%s: %ux%d pixels, the sensor's frame is %ux%u", path, bw, abs(bh), w, h);
	size_t stride = (bw + 3) & ~3u;
	if (off > len || off + stride * h > len || 14 + hsize > off)
		die("%s: truncated", path);
	const uint8_t *pal = b + 14 + hsize;
	size_t pal_n = (off - 14 - hsize) / 4;
	for (unsigned int y = 0; y < h; y++) {
		unsigned int row = bh > 0 ? h - 1 - y : y;	/* bottom-up */
		for (unsigned int x = 0; x < w; x++) {
			uint8_t i = b[off + row * stride + x];
			out[y * w + x] = i < pal_n ? pal[4 * i] : i;
		}
	}
	free(b);
}

static void write_all_file(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	if (write(fd, p, n) != (ssize_t)n)
		die("%s: write failed", path);
	close(fd);
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

/*
 * Write the replayed images as aiot-sim's replay firmware (docs/sensor-uapi.md),
 * each image held for `hold` frames, at the stream's rate.
 */
static void write_recording(struct ctx *c, const char *kind, unsigned int w, unsigned int h)
{
	size_t frame = (size_t)w * h, n = c->o->image_count;
	unsigned int hold = c->o->hold ? c->o->hold : c->rate_hz;
	size_t data = frame * n * hold;
	uint8_t *buf = malloc(40 + data), *img = malloc(frame);
	uint32_t hdr[10];
	char path[160];

	if (!buf || !img)
		die("out of memory");
	for (size_t i = 0; i < n; i++) {
		load_bmp(c->o->images[i], w, h, img);
		for (unsigned int k = 0; k < hold; k++)
			memcpy(buf + 40 + (i * hold + k) * frame, img, frame);
	}
	hdr[0] = 0x52534941;			/* "AISR" */
	hdr[1] = 1 | 40u << 16;			/* version 1, header size */
	hdr[2] = AIOT_SENSOR_FMT_U8;
	hdr[3] = 1;
	hdr[4] = w;
	hdr[5] = h;
	hdr[6] = c->rate_hz;
	hdr[7] = (uint32_t)data;
	hdr[8] = crc32_zlib(buf + 40, data);
	hdr[9] = 0;
	memcpy(buf, hdr, 40);			/* x86/arm little endian */
	mkdir(FW_DIR, 0755);
	snprintf(path, sizeof(path), FW_DIR "/aiot-rec-%s.bin", kind);
	write_all_file(path, buf, 40 + data);
	free(img);
	free(buf);
}

/* ------------------------------------------------------------ sensor */

static const char *kind_name(enum aiot_sensor_kind k)
{
	switch (k) {
	case AIOT_SENSOR_KIND_ACCEL: return "accel";
	case AIOT_SENSOR_KIND_MIC: return "mic";
	case AIOT_SENSOR_KIND_CAMERA: return "camera";
	default: return "other";
	}
}

static struct aiot_sensor *open_sensor(const char *name)
{
	struct aiot_sensor *s = NULL;
	int ret = name[0] == '/' ? aiot_sensor_open(name, &s) : aiot_sensor_open_by_name(name, &s);

	if (ret == -ENOENT)
		die("no sensor stream named '%s' (aiot-info lists them; is aiot-sim loaded?)", name);
	if (ret)
		die("sensor %s: %s", name, aiot_strerror(ret));
	return s;
}

/* Configure and start a stream for the model; the caller owns the stream. */
static struct aiot_sensor *configure_sensor(struct ctx *c, unsigned int slots)
{
	struct aiot_sensor *s = open_sensor(c->o->sensor);
	struct aiot_sensor_settings *st = aiot_sensor_settings_new();
	int ret;

	if (!st)
		die("out of memory");
	aiot_sensor_settings_set_format(st, c->format);
	aiot_sensor_settings_set_channels(st, c->channels);
	aiot_sensor_settings_set_rate(st, c->rate_hz);
	aiot_sensor_settings_set_samples_per_slot(st, c->spp);
	aiot_sensor_settings_set_slot_count(st, slots);
	aiot_sensor_settings_set_overflow(st, AIOT_SENSOR_OVERFLOW_DROP_NEWEST);
	aiot_sensor_settings_set_pattern(st, c->replay ? AIOT_SENSOR_PATTERN_REPLAY :
					 AIOT_SENSOR_PATTERN_LIVE);
	if (c->replay && (ret = set_fw_path(FW_DIR)))
		die("cannot point the firmware loader at " FW_DIR " (%s): %s",
		    FW_PATH_PARAM, aiot_strerror(ret));
	ret = aiot_sensor_configure(s, st);
	if (c->replay)
		set_fw_path("");
	if (ret)
		die("configure %s (%u Hz, %u per slot, %u slots%s): %s", c->o->sensor,
		    c->rate_hz, c->spp, slots, c->replay ? ", replay" : "", aiot_strerror(ret));
	if (aiot_sensor_get_slot_size(s) != c->in_size)
		die("a slot of %s holds %zu bytes, the model's input %zu", c->o->sensor,
		    aiot_sensor_get_slot_size(s), c->in_size);
	aiot_sensor_settings_free(st);
	return s;
}

static uint64_t read_u64_file(const char *path, bool *ok)
{
	FILE *f = fopen(path, "r");
	unsigned long long v = 0;

	*ok = f && fscanf(f, "%llu", &v) == 1;
	if (f)
		fclose(f);
	return v;
}

static uint64_t driver_copied(const struct ctx *c, bool *ok)
{
	return read_u64_file(c->sysfs_copied, ok);
}

/* ---------------------------------------------------------- progress */

struct progress {
	const char *name;
	uint64_t start, next;
	double total_s;
	bool tty;
};

static void progress_init(struct progress *p, const char *name, double total_s)
{
	p->name = name;
	p->start = now_ns();
	p->next = p->start + 5 * NS;
	p->total_s = total_s;
	/* Serial consoles are ttys too: rewrite the line only on a terminal. */
	p->tty = isatty(STDERR_FILENO) && getenv("TERM") && strcmp(getenv("TERM"), "linux") &&
		 strcmp(getenv("TERM"), "dumb");
}

static void progress_tick(struct progress *p, const struct result *r, bool quiet)
{
	uint64_t t = now_ns();
	char a[32];

	if (quiet || t < p->next)
		return;
	p->next = t + (p->tty ? NS / 2 : 5 * NS);
	fprintf(stderr, "%s  %-10s %4.0f/%.0f s  %6zu decisions  last %s%s",
		p->tty ? "\r" : "", p->name, (double)(t - p->start) / 1e9, p->total_s, r->n,
		fmt_time(a, sizeof(a), r->n ? (double)r->lat[r->n - 1] : 0),
		p->tty ? "   " : "\n");
}

static void progress_done(struct progress *p, bool quiet)
{
	if (!quiet && p->tty)
		fprintf(stderr, "\r%70s\r", "");
}

/* ------------------------------------------------- (a) zero-copy path */

static void print_decision(const struct ctx *c, const struct aiot_sensor_slot *slot,
			   const void *scores, uint64_t lat, uint64_t t0)
{
	char a[32], lb[32];
	double s;
	unsigned int k = best_class(c, scores, &s);

	printf("#%-5llu t=%6.2f s  %-12s %.2f   capture->decision %s\n",
	       (unsigned long long)slot->sequence, (double)(slot->timestamp_ns - t0) / 1e9,
	       label_of(c, k, lb, sizeof(lb)), s, fmt_time(a, sizeof(a), (double)lat));
	fflush(stdout);
}

static void run_zero_copy(struct ctx *c, struct result *r, bool live)
{
	unsigned int n = c->o->slots;
	struct aiot_sensor *s = configure_sensor(c, n);
	struct aiot_buffer *slot_buf[MAX_SLOTS] = { 0 }, *out_buf[MAX_SLOTS] = { 0 };
	struct aiot_job *job[MAX_SLOTS] = { 0 };
	struct aiot_job_config *cfg = aiot_job_config_new();
	const uint8_t *out_map[MAX_SLOTS];
	uint64_t lib0 = aiot_accel_get_stat(c->accel, AIOT_STAT_BYTES_COPIED), drv0, drv1;
	uint64_t cpu0, t0, end, last_seq = 0, first_ts = 0;
	struct progress pg;
	bool have_seq = false, ok0, ok1;
	int ret;

	if (!cfg)
		die("out of memory");
	for (unsigned int i = 0; i < n; i++) {
		void *p;

		if ((ret = aiot_sensor_import_slot(s, i, c->accel, &slot_buf[i])))
			die("import slot %u of %s into the accelerator: %s", i, c->o->sensor,
			    aiot_strerror(ret));
		if ((ret = aiot_buffer_create(c->accel, c->out_offset + c->out_size, &out_buf[i])) ||
		    (ret = aiot_buffer_map(out_buf[i], &p)))
			die("output buffer: %s", aiot_strerror(ret));
		out_map[i] = (const uint8_t *)p + c->out_offset;
	}
	drv0 = driver_copied(c, &ok0);
	cpu0 = cpu_self_ns();
	if ((ret = aiot_sensor_start(s)))
		die("start %s: %s", c->o->sensor, aiot_strerror(ret));
	/* A job on every slot before its DMA even started: each waits for its fence. */
	for (unsigned int i = 0; i < n; i++) {
		aiot_job_config_set_binding(cfg, c->in_binding, slot_buf[i]);
		aiot_job_config_set_binding(cfg, c->out_binding, out_buf[i]);
		if ((ret = aiot_model_submit(c->model, cfg, &job[i])))
			die("submit: %s", aiot_strerror(ret));
	}
	t0 = now_ns();
	end = t0 + (uint64_t)(c->o->duration * 1e9);
	progress_init(&pg, path_names[PATH_ZERO_COPY], c->o->duration);
	while (!interrupted && now_ns() < end) {
		struct aiot_sensor_slot slot;
		uint64_t lat, dec;
		unsigned int i;

		ret = aiot_sensor_dequeue(s, 2 * NS + (int64_t)(NS / c->slot_rate_hz), &slot);
		if (ret)
			die("dequeue from %s: %s", c->o->sensor, aiot_strerror(ret));
		i = slot.index;
		if (i >= n || !job[i])
			die("dequeued slot %u that has no job", i);
		if ((ret = aiot_job_wait(job[i], 10 * NS)))
			die("waiting for the job on slot %u: %s", i, aiot_strerror(ret));
		dec = now_ns();
		if (have_seq && slot.sequence > last_seq + 1)
			r->drops += slot.sequence - last_seq - 1;
		have_seq = true;
		last_seq = slot.sequence;
		if (!first_ts)
			first_ts = slot.timestamp_ns;
		if ((slot.flags & AIOT_SENSOR_BUF_ERROR) || aiot_job_get_status(job[i])) {
			r->errors++;
		} else {
			lat = dec - slot.timestamp_ns;
			result_add(r, lat);
			count_class(c, r, out_map[i]);
			if (live)
				print_decision(c, &slot, out_map[i], lat, first_ts);
		}
		aiot_job_free(job[i]);
		job[i] = NULL;
		/* The job is done: the slot goes back to the DMA, then a job waits on it. */
		if ((ret = aiot_sensor_queue(s, i)))
			die("queue slot %u: %s", i, aiot_strerror(ret));
		aiot_job_config_set_binding(cfg, c->in_binding, slot_buf[i]);
		aiot_job_config_set_binding(cfg, c->out_binding, out_buf[i]);
		if ((ret = aiot_model_submit(c->model, cfg, &job[i])))
			die("submit: %s", aiot_strerror(ret));
		if (!live)
			progress_tick(&pg, r, c->o->quiet);
	}
	r->elapsed_ns = now_ns() - t0;
	progress_done(&pg, c->o->quiet || live);
	aiot_sensor_stop(s);	/* pending fences signal -ECANCELED: the jobs complete */
	for (unsigned int i = 0; i < n; i++) {
		if (job[i])
			aiot_job_wait(job[i], 10 * NS);
		aiot_job_free(job[i]);
	}
	r->cpu_ns = cpu_self_ns() - cpu0;
	r->lib_copied = aiot_accel_get_stat(c->accel, AIOT_STAT_BYTES_COPIED) - lib0;
	drv1 = driver_copied(c, &ok1);
	r->drv_known = ok0 && ok1;
	r->drv_copied = r->drv_known ? drv1 - drv0 : 0;
	for (unsigned int i = 0; i < n; i++) {
		aiot_buffer_free(slot_buf[i]);
		aiot_buffer_free(out_buf[i]);
	}
	aiot_job_config_free(cfg);
	aiot_sensor_close(s);
	r->ran = true;
}

/* ------------------------------------------------------ (b) copy path */

static void run_copy(struct ctx *c, struct result *r)
{
	struct aiot_sensor *s = configure_sensor(c, c->o->slots);
	uint8_t *buf = malloc(c->in_size);
	uint64_t lib0 = aiot_accel_get_stat(c->accel, AIOT_STAT_BYTES_COPIED), drv0, drv1;
	uint64_t cpu0, t0, end, last_seq = 0;
	const void *scores;
	struct progress pg;
	bool have_seq = false, ok0, ok1;
	int ret;

	if (!buf)
		die("out of memory");
	/* The model's own input buffer: undo any earlier binding. */
	aiot_model_bind_input(c->model, 0, NULL);
	if ((ret = aiot_model_map_output(c->model, 0, &scores)))
		die("map output: %s", aiot_strerror(ret));
	drv0 = driver_copied(c, &ok0);
	cpu0 = cpu_self_ns();
	if ((ret = aiot_sensor_start(s)))
		die("start %s: %s", c->o->sensor, aiot_strerror(ret));
	t0 = now_ns();
	end = t0 + (uint64_t)(c->o->duration * 1e9);
	progress_init(&pg, path_names[PATH_COPY], c->o->duration);
	while (!interrupted && now_ns() < end) {
		struct aiot_sensor_slot slot;
		const void *data;

		ret = aiot_sensor_dequeue(s, 2 * NS + (int64_t)(NS / c->slot_rate_hz), &slot);
		if (ret)
			die("dequeue from %s: %s", c->o->sensor, aiot_strerror(ret));
		if (have_seq && slot.sequence > last_seq + 1)
			r->drops += slot.sequence - last_seq - 1;
		have_seq = true;
		last_seq = slot.sequence;
		if (slot.flags & AIOT_SENSOR_BUF_ERROR) {
			r->errors++;
			aiot_sensor_queue(s, slot.index);
			continue;
		}
		/* What read() does: the slot's bytes into the application's memory. */
		if ((ret = aiot_sensor_get_slot_data(s, slot.index, &data)))
			die("map slot: %s", aiot_strerror(ret));
		memcpy(buf, data, c->in_size);
		r->app_copied += c->in_size;
		if ((ret = aiot_sensor_queue(s, slot.index)))
			die("queue slot %u: %s", slot.index, aiot_strerror(ret));
		/* Then into the accelerator's tensor. */
		if ((ret = aiot_model_write_input(c->model, 0, buf, c->in_size)))
			die("write input: %s", aiot_strerror(ret));
		ret = aiot_model_run(c->model, 10 * NS);
		if (ret) {
			r->errors++;
			continue;
		}
		result_add(r, now_ns() - slot.timestamp_ns);
		count_class(c, r, scores);
		progress_tick(&pg, r, c->o->quiet);
	}
	r->elapsed_ns = now_ns() - t0;
	progress_done(&pg, c->o->quiet);
	aiot_sensor_stop(s);
	r->cpu_ns = cpu_self_ns() - cpu0;
	r->lib_copied = aiot_accel_get_stat(c->accel, AIOT_STAT_BYTES_COPIED) - lib0;
	drv1 = driver_copied(c, &ok1);
	r->drv_known = ok0 && ok1;
	r->drv_copied = r->drv_known ? drv1 - drv0 : 0;
	aiot_sensor_close(s);
	free(buf);
	r->ran = true;
}

/* ---------------------------------------------- (c) loopback TCP path */

#define MSG_MAGIC 0x41494f54u	/* "AIOT" */

struct msg {
	uint32_t magic;
	uint32_t len;		/* payload bytes; 0 ends the session */
	uint64_t sequence;
	uint64_t capture_ns;
	int32_t status;
	uint32_t pad;
};

struct server_stats {
	uint64_t bytes_sent, bytes_recv, lib_copied, cpu_ns, jobs, failed;
};

static int send_all(int fd, const void *p, size_t n, uint64_t *count)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t k = send(fd, b, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EPIPE;
		b += k;
		n -= (size_t)k;
		*count += (uint64_t)k;
	}
	return 0;
}

static int recv_all(int fd, void *p, size_t n, uint64_t *count)
{
	uint8_t *b = p;

	while (n) {
		ssize_t k = recv(fd, b, n, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -ECONNRESET;
		b += k;
		n -= (size_t)k;
		*count += (uint64_t)k;
	}
	return 0;
}

/* The "inference service": its own process, its own device file and model. */
static int tcp_server(struct ctx *c, int lfd)
{
	struct aiot_accel *accel = NULL;
	struct aiot_model *model = NULL;
	struct server_stats st = { 0 };
	uint8_t *buf = malloc(c->in_size);
	const void *scores;
	char err[256] = "";
	int fd, ret, one = 1;

	fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (fd < 0 || !buf) {
		fprintf(stderr, PROG ": server: accept: %s\n", strerror(errno));
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ret = c->o->accel ? aiot_accel_open(c->o->accel, &accel) : aiot_accel_open_default(&accel);
	if (!ret)
		ret = aiot_model_load_file(accel, c->o->model, &model, err, sizeof(err));
	if (!ret)
		ret = aiot_model_map_output(model, 0, &scores);
	if (ret) {
		fprintf(stderr, PROG ": server: %s %s\n", aiot_strerror(ret), err);
		return 1;
	}
	for (;;) {
		struct msg m;

		if ((ret = recv_all(fd, &m, sizeof(m), &st.bytes_recv)))
			break;
		if (m.magic != MSG_MAGIC || m.len > c->in_size) {
			ret = -EPROTO;
			break;
		}
		if (!m.len) {	/* the end: report the counters */
			st.lib_copied = aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED);
			st.cpu_ns = cpu_self_ns();
			ret = send_all(fd, &st, sizeof(st), &st.bytes_sent);
			break;
		}
		if ((ret = recv_all(fd, buf, m.len, &st.bytes_recv)))
			break;
		m.status = aiot_model_write_input(model, 0, buf, m.len);
		if (!m.status)
			m.status = aiot_model_run(model, 10 * NS);
		st.jobs++;
		st.failed += m.status != 0;
		m.len = (uint32_t)c->out_size;
		if ((ret = send_all(fd, &m, sizeof(m), &st.bytes_sent)) ||
		    (ret = send_all(fd, scores, c->out_size, &st.bytes_sent)))
			break;
	}
	if (ret)
		fprintf(stderr, PROG ": server: %s\n", aiot_strerror(ret));
	aiot_model_free(model);
	aiot_accel_close(accel);
	close(fd);
	free(buf);
	return ret ? 1 : 0;
}

/* Busybox guests boot with the loopback interface down. */
static void loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(s, SIOCGIFFLAGS, &ifr) && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr))
			fprintf(stderr, PROG ": the loopback interface is down and cannot be brought up: %s\n",
				strerror(errno));
	}
	close(s);
}

static void run_tcp(struct ctx *c, struct result *r)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	struct server_stats st;
	struct aiot_sensor *s;
	uint8_t *buf = malloc(sizeof(struct msg) + c->in_size), *scores = malloc(c->out_size);
	uint64_t drv0, drv1, cpu0, t0, end, last_seq = 0, sent = 0, recvd = 0;
	struct progress pg;
	struct rusage ru;
	bool have_seq = false, ok0, ok1;
	int lfd, fd, ret, one = 1, status;
	pid_t pid;

	if (!buf || !scores)
		die("out of memory");
	loopback_up();
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(lfd, 1) || getsockname(lfd, (struct sockaddr *)&addr, &alen))
		die("loopback TCP server socket: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(tcp_server(c, lfd));
	close(lfd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("connect to the inference server on 127.0.0.1:%u: %s",
		    ntohs(addr.sin_port), strerror(errno));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	s = configure_sensor(c, c->o->slots);
	drv0 = driver_copied(c, &ok0);
	cpu0 = cpu_self_ns();
	if ((ret = aiot_sensor_start(s)))
		die("start %s: %s", c->o->sensor, aiot_strerror(ret));
	t0 = now_ns();
	end = t0 + (uint64_t)(c->o->duration * 1e9);
	progress_init(&pg, path_names[PATH_TCP], c->o->duration);
	while (!interrupted && now_ns() < end) {
		struct aiot_sensor_slot slot;
		struct msg m = { .magic = MSG_MAGIC };
		const void *data;

		ret = aiot_sensor_dequeue(s, 2 * NS + (int64_t)(NS / c->slot_rate_hz), &slot);
		if (ret)
			die("dequeue from %s: %s", c->o->sensor, aiot_strerror(ret));
		if (have_seq && slot.sequence > last_seq + 1)
			r->drops += slot.sequence - last_seq - 1;
		have_seq = true;
		last_seq = slot.sequence;
		if (slot.flags & AIOT_SENSOR_BUF_ERROR) {
			r->errors++;
			aiot_sensor_queue(s, slot.index);
			continue;
		}
		if ((ret = aiot_sensor_get_slot_data(s, slot.index, &data)))
			die("map slot: %s", aiot_strerror(ret));
		m.len = (uint32_t)c->in_size;
		m.sequence = slot.sequence;
		m.capture_ns = slot.timestamp_ns;
		memcpy(buf, &m, sizeof(m));
		memcpy(buf + sizeof(m), data, c->in_size);	/* read() into the app */
		r->app_copied += c->in_size;
		if ((ret = aiot_sensor_queue(s, slot.index)))
			die("queue slot %u: %s", slot.index, aiot_strerror(ret));
		if ((ret = send_all(fd, buf, sizeof(m) + c->in_size, &sent)) ||
		    (ret = recv_all(fd, &m, sizeof(m), &recvd)) ||
		    (m.magic != MSG_MAGIC || m.len != c->out_size ? (ret = -EPROTO) : 0) ||
		    (ret = recv_all(fd, scores, c->out_size, &recvd)))
			die("inference server connection: %s", aiot_strerror(ret));
		if (m.status) {
			r->errors++;
			continue;
		}
		result_add(r, now_ns() - m.capture_ns);
		count_class(c, r, scores);
		progress_tick(&pg, r, c->o->quiet);
	}
	r->elapsed_ns = now_ns() - t0;
	progress_done(&pg, c->o->quiet);
	aiot_sensor_stop(s);
	r->cpu_ns = cpu_self_ns() - cpu0;
	{
		struct msg m = { .magic = MSG_MAGIC, .len = 0 };
		uint64_t ignore = 0;

		if ((ret = send_all(fd, &m, sizeof(m), &sent)) ||
		    (ret = recv_all(fd, &st, sizeof(st), &ignore)))
			die("inference server did not report its counters: %s", aiot_strerror(ret));
	}
	close(fd);
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("the inference server failed (status 0x%x)", status);
	/* Client: ring -> buffer, send, recv. Server: recv, send; its library's copies. */
	r->app_copied += sent + recvd + st.bytes_recv + st.bytes_sent;
	r->lib_copied = st.lib_copied;
	r->cpu_ns += st.cpu_ns;
	drv1 = driver_copied(c, &ok1);
	r->drv_known = ok0 && ok1;
	r->drv_copied = r->drv_known ? drv1 - drv0 : 0;
	aiot_sensor_close(s);
	free(buf);
	free(scores);
	r->ran = true;
}

/* ------------------------------------------------------------ report */

static void print_result(const struct ctx *c, enum path p, const struct result *r)
{
	char a[32], b[32], d[32], e[32], lb[32];

	printf("%s: %zu decisions in %.1f s: %.2f inferences/s\n", path_titles[p], r->n,
	       (double)r->elapsed_ns / 1e9, per_second(r));
	printf("  capture->decision  p50 %s  p99 %s  max %s\n",
	       fmt_time(a, sizeof(a), (double)percentile(r, 0.50)),
	       fmt_time(b, sizeof(b), (double)percentile(r, 0.99)),
	       fmt_time(d, sizeof(d), r->n ? (double)r->lat[r->n - 1] : 0));
	printf("  CPU bytes copied   %s per inference (application %s, library %s, driver %s)\n",
	       fmt_bytes(a, sizeof(a), copied_per_inf(r)),
	       fmt_bytes(b, sizeof(b), r->n ? (double)r->app_copied / (double)r->n : 0),
	       fmt_bytes(d, sizeof(d), r->n ? (double)r->lib_copied / (double)r->n : 0),
	       r->drv_known ? fmt_bytes(e, sizeof(e), (double)r->drv_copied / (double)r->n) :
			      "n/a");
	printf("  CPU time           %s per inference; %llu periods dropped, %llu errors\n",
	       fmt_time(a, sizeof(a), r->n ? (double)r->cpu_ns / (double)r->n : 0),
	       (unsigned long long)r->drops, (unsigned long long)r->errors);
	printf("  decisions:");
	for (unsigned int k = 0; k < MAX_LABELS; k++)
		if (r->class_count[k])
			printf(" %s %u", label_of(c, k, lb, sizeof(lb)), r->class_count[k]);
	printf("\n");
}

static void ratio(const char *what, double a, double b, const char *unit)
{
	if (b > 0)
		printf(" %s %.2fx%s", what, a / b, unit);
	else
		printf(" %s n/a", what);
}

static void print_ratios(const struct result *a, const struct result *x, const char *name)
{
	char b1[32], b2[32];

	printf("(a)/%s:", name);
	ratio("latency p50", (double)percentile(a, 0.5), (double)percentile(x, 0.5), ",");
	ratio("p99", (double)percentile(a, 0.99), (double)percentile(x, 0.99), ",");
	ratio("inferences/s", per_second(a), per_second(x), ",");
	ratio("CPU time/inference", a->n ? (double)a->cpu_ns / (double)a->n : 0,
	      x->n ? (double)x->cpu_ns / (double)x->n : 0, ",");
	printf(" bytes copied %s vs %s per inference\n",
	       fmt_bytes(b1, sizeof(b1), copied_per_inf(a)),
	       fmt_bytes(b2, sizeof(b2), copied_per_inf(x)));
}

/*
 * The sensor faster than the NPU: each path runs flat out, and the slots it
 * cannot take are dropped (DROP_NEWEST). Latency is not reported: it is
 * mostly the time frames wait in the ring.
 */
static void saturate(struct ctx *c, const struct result *paced)
{
	static struct result sat[PATH_COUNT];
	unsigned int rate = c->rate_hz, slot_rate = c->slot_rate_hz;
	double duration = c->o->duration;

	c->rate_hz = c->max_rate_hz;
	c->slot_rate_hz = c->rate_hz / c->spp ? c->rate_hz / c->spp : 1;
	c->o->duration = c->o->saturate;
	if (c->replay)
		write_recording(c, c->kind, c->width, c->height);
	printf("saturated: sensor at %u Hz, %.0f s per path:", c->rate_hz, c->o->duration);
	fflush(stdout);
	for (int p = 0; p < PATH_COUNT && !interrupted; p++) {
		bool q = c->o->quiet;

		if (!paced[p].ran)
			continue;
		c->o->quiet = true;
		if (p == PATH_ZERO_COPY)
			run_zero_copy(c, &sat[p], false);
		else if (p == PATH_COPY)
			run_copy(c, &sat[p]);
		else
			run_tcp(c, &sat[p]);
		c->o->quiet = q;
		printf(" %s %.2f inferences/s%s", path_names[p], per_second(&sat[p]),
		       p + 1 < PATH_COUNT && paced[p + 1].ran ? "," : "\n");
		fflush(stdout);
	}
	if (sat[PATH_ZERO_COPY].ran && sat[PATH_COPY].ran)
		printf("saturated inferences/s (a)/(b) %.2fx", per_second(&sat[PATH_ZERO_COPY]) /
		       per_second(&sat[PATH_COPY]));
	if (sat[PATH_ZERO_COPY].ran && sat[PATH_TCP].ran)
		printf(", (a)/(c) %.2fx", per_second(&sat[PATH_ZERO_COPY]) / per_second(&sat[PATH_TCP]));
	printf("\n");
	for (int p = 0; p < PATH_COUNT; p++)
		free(sat[p].lat);
	c->rate_hz = rate;
	c->slot_rate_hz = slot_rate;
	c->o->duration = duration;
}

/* ------------------------------------------------------------- setup */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: aiot-bench [OPTIONS]\n"
"\n"
"Run one compiled model on one live sensor stream through three paths and\n"
"compare them: capture->decision latency (p50/p99/max), inferences per\n"
"second, CPU bytes copied and CPU time per inference.\n"
"  (a) zero-copy: sensor slots imported into the NPU, jobs queued ahead on\n"
"      upcoming slots, each starting when its slot's DMA completes\n"
"  (b) copy: dequeue, copy the slot out, copy it into the input tensor, run\n"
"  (c) tcp: copy out, send over loopback TCP to a separate inference\n"
"      process that copies it into its tensor, runs, sends the scores back\n"
"\n"
"  -m, --model FILE       compiled model (aiot-compile); its input must be\n"
"                         exactly one sensor slot (default:\n"
"                         /aiot/data/models/person_detect.aiot)\n"
"  -s, --sensor NAME      sensor stream by name or device node (default camera0)\n"
"  -a, --accel PATH       accelerator node (default: the first aiot device)\n"
"  -i, --replay A.bmp,... replay these 8-bit grayscale images (simulated\n"
"                         camera; default: the sensor's live pattern)\n"
"      --hold N           frames each replayed image lasts (default: 1 s)\n"
"  -l, --labels a,b,...   class names of the model's outputs\n"
"  -d, --duration SEC     seconds per path (default 20; --live: 10)\n"
"  -r, --rate HZ          sensor rate (default: from a calibration run, about\n"
"                         half of what the NPU sustains, so every path keeps up)\n"
"  -n, --slots N          ring slots, 2..%d (default 4)\n"
"  -p, --paths LIST       some of zero-copy,copy,tcp (default: all three)\n"
"  -S, --saturate SEC     then run each path SEC seconds with the sensor at its\n"
"                         top rate, faster than the NPU: the most inferences/s\n"
"                         each path sustains (default 5; 0 skips)\n"
"  -L, --live             the demo pipeline: path (a) only, print every\n"
"                         decision with its latency, then a summary\n"
"  -q, --quiet            no progress lines\n"
"  -h, --help             this text\n"
"\n"
"Exit status: 0 done; 1 a device, model or I/O error; 2 usage.\n", MAX_SLOTS);
}

static unsigned int parse_uint(const char *opt, const char *s, unsigned int min, unsigned int max)
{
	char *e;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || e == s || *e || v < min || v > max) {
		fprintf(stderr, PROG ": %s: '%s' is not a number in %u..%u\n", opt, s, min, max);
		exit(2);
	}
	return (unsigned int)v;
}

static unsigned int split(char *s, const char **out, unsigned int max, const char *opt)
{
	unsigned int n = 0;

	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (n == max) {
			fprintf(stderr, PROG ": %s: at most %u items\n", opt, max);
			exit(2);
		}
		out[n++] = tok;
	}
	return n;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "sensor", required_argument, NULL, 's' },
		{ "accel", required_argument, NULL, 'a' },
		{ "replay", required_argument, NULL, 'i' },
		{ "hold", required_argument, NULL, 'H' },
		{ "labels", required_argument, NULL, 'l' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rate", required_argument, NULL, 'r' },
		{ "slots", required_argument, NULL, 'n' },
		{ "paths", required_argument, NULL, 'p' },
		{ "saturate", required_argument, NULL, 'S' },
		{ "live", no_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool duration_set = false;
	int ch;

	o->model = "/aiot/data/models/person_detect.aiot";
	o->sensor = "camera0";
	o->duration = 20;
	o->slots = 4;
	o->saturate = 5;
	for (int p = 0; p < PATH_COUNT; p++)
		o->paths[p] = true;
	while ((ch = getopt_long(argc, argv, "m:s:a:i:l:d:r:n:p:Lqh", lo, NULL)) != -1) {
		switch (ch) {
		case 'm': o->model = optarg; break;
		case 's': o->sensor = optarg; break;
		case 'a': o->accel = optarg; break;
		case 'i': o->image_count = split(optarg, o->images, MAX_IMAGES, "--replay"); break;
		case 'H': o->hold = parse_uint("--hold", optarg, 1, 100000); break;
		case 'l': o->label_count = split(optarg, o->labels, MAX_LABELS, "--labels"); break;
		case 'd': {
			char *e;

			o->duration = strtod(optarg, &e);
			if (e == optarg || *e || !(o->duration > 0) || o->duration > 86400) {
				fprintf(stderr, PROG ": --duration: '%s' is not a number of seconds in (0, 86400]\n",
					optarg);
				exit(2);
			}
			duration_set = true;
			break;
		}
		case 'r': o->rate = parse_uint("--rate", optarg, 1, 1000000); break;
		case 'S': o->saturate = parse_uint("--saturate", optarg, 0, 86400); break;
		case 'n': o->slots = parse_uint("--slots", optarg, 2, MAX_SLOTS); break;
		case 'p': {
			const char *items[PATH_COUNT + 1];
			unsigned int n = split(optarg, items, PATH_COUNT + 1, "--paths");

			memset(o->paths, 0, sizeof(o->paths));
			for (unsigned int i = 0; i < n; i++) {
				int p;

				for (p = 0; p < PATH_COUNT; p++)
					if (!strcmp(items[i], path_names[p]))
						break;
				if (p == PATH_COUNT) {
					fprintf(stderr, PROG ": --paths: unknown path '%s' (zero-copy, copy, tcp)\n",
						items[i]);
					exit(2);
				}
				o->paths[p] = true;
			}
			break;
		}
		case 'L': o->live = true; break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s' (see --help)\n", argv[optind]);
		exit(2);
	}
	if (o->live)
		o->saturate = 0;
	if (o->live && !duration_set)
		o->duration = 10;
}

/* Median time of a few runs on the model's own (zeroed) input. */
static uint64_t calibrate(struct ctx *c)
{
	uint64_t t[5];
	int ret;

	for (int i = 0; i < 5; i++) {
		uint64_t t0 = now_ns();

		if ((ret = aiot_model_run(c->model, 30 * NS)))
			die("calibration run of %s: %s", c->o->model, aiot_strerror(ret));
		t[i] = now_ns() - t0;
	}
	qsort(t, 5, sizeof(t[0]), cmp_u64);
	return t[2];
}

static void setup(struct ctx *c)
{
	struct aiot_sensor *s = open_sensor(c->o->sensor);
	struct aiot_sensor_properties *props = NULL;
	struct aiot_accel_info *ai = NULL;
	unsigned int w, h, cmin, cmax, rmin, rmax, elem;
	char err[256] = "", a[32];
	uint64_t t_inf;
	size_t sample;
	int ret;

	ret = c->o->accel ? aiot_accel_open(c->o->accel, &c->accel) :
			    aiot_accel_open_default(&c->accel);
	if (ret == -ENODEV && !c->o->accel)
		die("no aiot accelerator found (is the module loaded? try: modprobe aiot-sim)");
	if (ret)
		die("accelerator %s: %s", c->o->accel ? c->o->accel : "", aiot_strerror(ret));
	if ((ret = aiot_model_load_file(c->accel, c->o->model, &c->model, err, sizeof(err))))
		die("%s: %s%s%s", c->o->model, aiot_strerror(ret), err[0] ? ": " : "", err);
	if (aiot_model_get_input_count(c->model) != 1 || aiot_model_get_output_count(c->model) < 1)
		die("%s: needs one input and at least one output", c->o->model);
	c->in = aiot_model_get_input_info(c->model, 0);
	c->out = aiot_model_get_output_info(c->model, 0);
	c->in_size = aiot_tensor_info_get_size(c->in);
	c->out_size = aiot_tensor_info_get_size(c->out);
	c->out_offset = aiot_tensor_info_get_offset(c->out);
	c->in_binding = aiot_tensor_info_get_binding(c->in);
	c->out_binding = aiot_tensor_info_get_binding(c->out);
	if (aiot_tensor_info_get_offset(c->in) != 0)
		die("%s: the input does not start its buffer; it cannot be a sensor slot",
		    c->o->model);
	if (c->in_binding == c->out_binding)
		die("%s: input and output share a buffer", c->o->model);

	if ((ret = aiot_sensor_get_properties(s, &props)))
		die("%s: %s", c->o->sensor, aiot_strerror(ret));
	aiot_sensor_properties_get_frame_size(props, &w, &h);
	aiot_sensor_properties_get_channels(props, &cmin, &cmax);
	aiot_sensor_properties_get_rate_range(props, &rmin, &rmax);
	c->format = aiot_sensor_properties_has_format(props, AIOT_SENSOR_FMT_U8) ?
		    AIOT_SENSOR_FMT_U8 : AIOT_SENSOR_FMT_S16_LE;
	elem = c->format == AIOT_SENSOR_FMT_U8 ? 1 : 2;
	c->channels = cmin;
	sample = (size_t)elem * c->channels * w * h;
	if (c->in_size % sample)
		die("the model's input (%zu B) is not a whole number of %s samples (%zu B)",
		    c->in_size, c->o->sensor, sample);
	c->spp = (unsigned int)(c->in_size / sample);
	snprintf(c->sysfs_copied, sizeof(c->sysfs_copied), "/sys/class/aiot/%s/bytes_copied",
		 strrchr(aiot_sensor_get_path(s), '/') + 1);

	/* How fast can the NPU go? Choose a sensor rate every path can follow. */
	t_inf = calibrate(c);
	if (c->o->rate) {
		c->rate_hz = c->o->rate;
	} else {
		double slots = 0.5e9 / (double)t_inf;
		double rate = floor(slots * c->spp);

		c->rate_hz = rate < rmin ? rmin : rate > rmax ? rmax : (unsigned int)rate;
	}
	c->max_rate_hz = rmax;
	c->slot_rate_hz = c->rate_hz / c->spp ? c->rate_hz / c->spp : 1;
	if (c->o->image_count) {
		if (c->format != AIOT_SENSOR_FMT_U8 || c->channels != 1)
			die("--replay needs an 8-bit grayscale camera; %s is not", c->o->sensor);
		c->replay = true;
		c->kind = kind_name(aiot_sensor_properties_get_kind(props));
		c->width = w;
		c->height = h;
		write_recording(c, c->kind, w, h);
	}

	if ((ret = aiot_accel_get_info(c->accel, &ai)))
		die("accelerator info: %s", aiot_strerror(ret));
	printf("%s on %s (%s), sensor %s: %u Hz, %u sample%s per slot, %u slots%s\n",
	       aiot_model_get_name(c->model), aiot_accel_get_path(c->accel),
	       aiot_accel_info_get_backend(ai), c->o->sensor, c->rate_hz, c->spp,
	       c->spp == 1 ? "" : "s", c->o->slots, c->replay ? ", replaying images" : "");
	printf("input %zu B = one slot; one inference alone takes %s on the NPU%s\n",
	       c->in_size, fmt_time(a, sizeof(a), (double)t_inf),
	       c->o->rate ? "" : " (rate chosen at about half of what it sustains)");
	printf("a slot's timestamp is its first sample: every latency includes the slot's own "
	       "%s of capture\n", fmt_time(a, sizeof(a), 1e9 / c->slot_rate_hz));
	fflush(stdout);
	aiot_accel_info_free(ai);
	aiot_sensor_properties_free(props);
	aiot_sensor_close(s);
}

int main(int argc, char **argv)
{
	static struct result res[PATH_COUNT];
	struct opts o = { 0 };
	struct ctx c = { .o = &o };
	struct sigaction sa = { .sa_handler = on_signal };

	parse_args(argc, argv, &o);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	setup(&c);

	if (o.live) {
		struct result *r = &res[PATH_ZERO_COPY];
		char a[32], b[32], d[32], lb[32];

		printf("streaming for %.0f s: every slot goes to the NPU without a copy\n", o.duration);
		run_zero_copy(&c, r, true);
		qsort(r->lat, r->n, sizeof(r->lat[0]), cmp_u64);
		printf("summary: %zu decisions in %.1f s (%.2f/s), capture->decision p50 %s p99 %s max %s, "
		       "%s copied, %llu dropped, %llu errors;",
		       r->n, (double)r->elapsed_ns / 1e9, per_second(r),
		       fmt_time(a, sizeof(a), (double)percentile(r, 0.5)),
		       fmt_time(b, sizeof(b), (double)percentile(r, 0.99)),
		       fmt_time(d, sizeof(d), r->n ? (double)r->lat[r->n - 1] : 0),
		       fmt_bytes(lb, sizeof(lb), copied_per_inf(r) * (double)r->n),
		       (unsigned long long)r->drops, (unsigned long long)r->errors);
		for (unsigned int k = 0; k < MAX_LABELS; k++)
			if (r->class_count[k])
				printf(" %s %u", label_of(&c, k, lb, sizeof(lb)), r->class_count[k]);
		printf("\n");
	} else {
		for (int p = 0; p < PATH_COUNT && !interrupted; p++) {
			if (!o.paths[p])
				continue;
			if (p == PATH_ZERO_COPY)
				run_zero_copy(&c, &res[p], false);
			else if (p == PATH_COPY)
				run_copy(&c, &res[p]);
			else
				run_tcp(&c, &res[p]);
			qsort(res[p].lat, res[p].n, sizeof(res[p].lat[0]), cmp_u64);
			print_result(&c, (enum path)p, &res[p]);
		}
		if (res[PATH_ZERO_COPY].ran && res[PATH_COPY].ran)
			print_ratios(&res[PATH_ZERO_COPY], &res[PATH_COPY], "(b)");
		if (res[PATH_ZERO_COPY].ran && res[PATH_TCP].ran)
			print_ratios(&res[PATH_ZERO_COPY], &res[PATH_TCP], "(c)");
		if (o.saturate > 0 && !interrupted)
			saturate(&c, res);
		if (res[PATH_ZERO_COPY].ran && copied_per_inf(&res[PATH_ZERO_COPY]) != 0) {
			printf("FAIL: the zero-copy path copied bytes\n");
			return 1;
		}
	}
	for (int p = 0; p < PATH_COUNT; p++)
		free(res[p].lat);
	aiot_model_free(c.model);
	aiot_accel_close(c.accel);
	return interrupted ? 130 : 0;
}
