// SPDX-License-Identifier: GPL-2.0-only
/*
 * Simulated sensors: a 3-axis accelerometer, a microphone and a 96x96
 * grayscale camera. A soft hrtimer (softirq, interrupts on) plays the sensor
 * and its DMA engine: at the end of every period it takes the next queued
 * slot from the core, writes the period's samples into it and completes
 * it, as a DMA completion would. Not a hard (hardirq) timer: a slot is up
 * to 4 MiB of samples to generate, too long with interrupts off, and the
 * core's spinlock_t may not be taken in hardirq on PREEMPT_RT. The slot's
 * DMA-done time is taken when the fill ends (aiot_sensor_dma_end()).
 *
 * Samples are a pure function of (pattern, sample index, element index), so
 * tests can check every byte. The test patterns and the replay recordings
 * are aiot-sim's, not the uAPI's: their numbers and format are in
 * include/aiot/sim_sensor.h, the generators in docs/sensor-uapi.md. The
 * REPLAY pattern plays a recording that the sensor device's sysfs
 * attributes name (replay_firmware) or hold (replay_data, root only).
 *
 * Suspend pauses the period timer, as a real sensor stops sampling; resume
 * counts the periods the suspend lasted (CLOCK_BOOTTIME, which runs through
 * s2idle) as dropped and carries on, so that sequence numbers still count
 * periods and timestamps stay on the CLOCK_MONOTONIC timeline.
 *
 * Devices come from devicetree (compatible "aiot,sim-sensor", property
 * "aiot,kind" = "accel" | "mic" | "camera", optional "label") or, without
 * one, from the module parameter sensors=accel,mic,camera.
 */

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/firmware.h>
#include <linux/fixp-arith.h>
#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "aiot_compat.h"
#include "aiot_sensor.h"
#include "aiot_sim_sensor.h"

static char *sensors = "accel,mic,camera";
module_param(sensors, charp, 0444);
MODULE_PARM_DESC(sensors,
		 "Comma-separated simulated sensors to create when no devicetree describes them: accel, mic, camera (default: accel,mic,camera)");

#define AIOT_SIM_MAX_SENSORS	16
/* Periods produced in one timer callback at most; the rest are skipped. */
#define AIOT_SIM_MAX_BURST	8

struct aiot_sim_kind {
	const char *name;
	struct aiot_sensor_desc desc;
	u32 sine_hz[3];		/* per channel */
	s32 sine_amp;
};

#define AIOT_SIM_SIGNAL_PATTERNS					\
	(BIT(AIOT_SENSOR_PATTERN_LIVE) | BIT(AIOT_SIM_PATTERN_SINE) |	\
	 BIT(AIOT_SIM_PATTERN_RAMP) | BIT(AIOT_SIM_PATTERN_NOISE) |	\
	 BIT(AIOT_SIM_PATTERN_ANOMALY) | BIT(AIOT_SIM_PATTERN_REPLAY))

/* sysfs test_patterns of every simulated sensor (the core shows them). */
static const char * const aiot_sim_test_patterns[] = {
	[AIOT_SIM_PATTERN_SINE] = "sine",
	[AIOT_SIM_PATTERN_RAMP] = "ramp",
	[AIOT_SIM_PATTERN_NOISE] = "noise",
	[AIOT_SIM_PATTERN_ANOMALY] = "anomaly",
	[AIOT_SIM_PATTERN_REPLAY] = "replay",
};

static const struct aiot_sim_kind aiot_sim_kinds[] = {
	{
		.name = "accel",
		.desc = {
			.kind = AIOT_SENSOR_KIND_ACCEL,
			.formats = BIT(AIOT_SENSOR_FMT_S16_LE),
			.patterns = AIOT_SIM_SIGNAL_PATTERNS,
			.min_channels = 1, .max_channels = 3,
			.width = 1, .height = 1,
			.min_rate_hz = 1, .max_rate_hz = 4000,
		},
		/* 1 g = 4096 LSB; x, y, z swing at 1, 2, 3 Hz. */
		.sine_hz = { 1, 2, 3 },
		.sine_amp = 4096,
	},
	{
		.name = "mic",
		.desc = {
			.kind = AIOT_SENSOR_KIND_MIC,
			.formats = BIT(AIOT_SENSOR_FMT_S16_LE),
			.patterns = AIOT_SIM_SIGNAL_PATTERNS,
			.min_channels = 1, .max_channels = 1,
			.width = 1, .height = 1,
			.min_rate_hz = 8000, .max_rate_hz = 48000,
		},
		/* A 440 Hz tone at a quarter of full scale. */
		.sine_hz = { 440 },
		.sine_amp = 8192,
	},
	{
		.name = "camera",
		.desc = {
			.kind = AIOT_SENSOR_KIND_CAMERA,
			.formats = BIT(AIOT_SENSOR_FMT_U8),
			.patterns = BIT(AIOT_SENSOR_PATTERN_LIVE) |
				    BIT(AIOT_SIM_PATTERN_RAMP) |
				    BIT(AIOT_SIM_PATTERN_NOISE) |
				    BIT(AIOT_SIM_PATTERN_REPLAY),
			.min_channels = 1, .max_channels = 1,
			.width = 96, .height = 96,
			.min_rate_hz = 1, .max_rate_hz = 60,
		},
	},
};

struct aiot_sim_sensor_pdata {
	u32 kind;	/* index in aiot_sim_kinds */
	u32 index;	/* of its kind */
};

struct aiot_sim_sensor {
	struct device *dev;
	struct aiot_sensor *sensor;
	const struct aiot_sim_kind *kind;
	struct aiot_sensor_desc desc;
	char name[AIOT_SENSOR_NAME_LEN];
	struct hrtimer timer;
	struct aiot_sensor_config cfg;	/* of the running stream */
	u32 elems;			/* elements per sample */
	ktime_t t0;
	/* Under pm_lock: a stream is running; it is paused by a suspend. */
	struct mutex pm_lock;
	bool running;
	bool paused;
	ktime_t paused_boot;		/* CLOCK_BOOTTIME at the suspend */
	ktime_t paused_mono;		/* CLOCK_MONOTONIC at the suspend */
	ktime_t paused_expires;		/* the next period's end then */
	/* The recording for REPLAY; changed only while stopped. */
	u8 *rec;
	u32 rec_bytes;
	/*
	 * Where the next REPLAY configuration takes it from: the recording
	 * written to replay_data if any, else the firmware file replay_firmware
	 * names (empty: the default names). Under rec_lock.
	 */
	struct mutex rec_lock;
	char rec_fw[64];
	u8 *rec_data;
	size_t rec_data_len;
	size_t rec_data_cap;
	/* Test knobs in debugfs. */
	struct dentry *debugfs;
	atomic_t stall;			/* produce nothing while set */
	atomic_t faults;		/* fail this many next periods */
};

static struct dentry *aiot_sim_sensor_debugfs;

/* Chris Wellons' lowbias32: a good, cheap integer hash. */
static u32 aiot_sim_lowbias32(u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

static s32 aiot_sim_sine(u64 n, u32 hz, u32 rate, s32 amp)
{
	u32 rem;
	u64 phase;

	/* The phase, in 1/65536 of a turn (fixp_sin32_rad needs >= 360). */
	div_u64_rem(n, rate, &rem);
	div_u64_rem((u64)rem * hz, rate, &rem);
	rem = div_u64((u64)rem << 16, rate);
	phase = (s64)amp * fixp_sin32_rad(rem, 1 << 16);
	return (s32)((s64)phase >> 31);
}

/* Element k of sample n, as an int (truncated by the caller). */
static u32 aiot_sim_value(const struct aiot_sim_sensor *ss, u64 n, u32 k)
{
	const struct aiot_sensor_config *cfg = &ss->cfg;
	u64 e = n * ss->elems + k;
	bool s16 = cfg->format == AIOT_SENSOR_FMT_S16_LE;
	u32 pattern = cfg->pattern, rem;

	if (ss->kind->desc.kind == AIOT_SENSOR_KIND_CAMERA &&
	    pattern == AIOT_SENSOR_PATTERN_LIVE) {
		u32 x = k % ss->desc.width, y = k / ss->desc.width;

		/* A diagonal gradient moving by two levels per frame. */
		return x + y + 2 * (u32)n;
	}
	if (pattern == AIOT_SIM_PATTERN_ANOMALY) {
		div_u64_rem(n, 2 * cfg->rate_hz, &rem);
		pattern = rem < cfg->rate_hz / 10 ? AIOT_SIM_PATTERN_NOISE :
						    AIOT_SIM_PATTERN_SINE;
	}
	switch (pattern) {
	case AIOT_SIM_PATTERN_REPLAY: {
		u64 off = e * (s16 ? 2 : 1);

		div_u64_rem(off, ss->rec_bytes, &rem);
		return s16 ? ss->rec[rem] | ss->rec[rem + 1] << 8 : ss->rec[rem];
	}
	case AIOT_SIM_PATTERN_RAMP:
		return (u32)(e + n);
	case AIOT_SIM_PATTERN_NOISE:
		return aiot_sim_lowbias32((u32)e) >> (s16 ? 16 : 24);
	default: /* LIVE and SINE */
		return (u32)aiot_sim_sine(n, ss->kind->sine_hz[k % cfg->channels],
					  cfg->rate_hz, ss->kind->sine_amp);
	}
}

static void aiot_sim_fill(const struct aiot_sim_sensor *ss, void *vaddr,
			  u64 seq)
{
	const struct aiot_sensor_config *cfg = &ss->cfg;
	u64 n0 = seq * cfg->samples_per_slot;
	u8 *p = vaddr;
	u32 i, k;

	for (i = 0; i < cfg->samples_per_slot; i++) {
		for (k = 0; k < ss->elems; k++) {
			u32 v = aiot_sim_value(ss, n0 + i, k);

			if (cfg->format == AIOT_SENSOR_FMT_S16_LE) {
				*p++ = v;
				*p++ = v >> 8;
			} else {
				*p++ = v;
			}
		}
	}
}

/* One period: what the sensor's DMA completion interrupt does. */
static void aiot_sim_period(struct aiot_sim_sensor *ss)
{
	struct aiot_sensor_slot *slot;
	void *vaddr;
	ktime_t ts;
	u64 seq;
	int err = 0;

	slot = aiot_sensor_dma_begin(ss->sensor, &seq, &vaddr);
	if (!slot)
		return;
	aiot_sim_fill(ss, vaddr, seq);
	ts = ktime_add_ns(ss->t0,
			  mul_u64_u32_div(seq * ss->cfg.samples_per_slot,
					  NSEC_PER_SEC, ss->cfg.rate_hz));
	if (atomic_add_unless(&ss->faults, -1, 0))
		err = -EIO;
	aiot_sensor_dma_end(ss->sensor, slot, ts, ss->cfg.slot_bytes, err);
}

static enum hrtimer_restart aiot_sim_tick(struct hrtimer *timer)
{
	struct aiot_sim_sensor *ss = container_of(timer, struct aiot_sim_sensor,
						  timer);
	u64 periods, i;

	periods = hrtimer_forward_now(timer, ns_to_ktime(ss->cfg.period_ns));
	if (atomic_read(&ss->stall))
		return HRTIMER_RESTART;
	for (i = 0; i < periods && i < AIOT_SIM_MAX_BURST; i++)
		aiot_sim_period(ss);
	if (periods > AIOT_SIM_MAX_BURST)
		aiot_sensor_dma_skip(ss->sensor, periods - AIOT_SIM_MAX_BURST);
	return HRTIMER_RESTART;
}

static int aiot_sim_start(struct aiot_sensor *sensor,
			  const struct aiot_sensor_config *cfg)
{
	struct aiot_sim_sensor *ss = aiot_sensor_get_drvdata(sensor);

	mutex_lock(&ss->pm_lock);
	ss->cfg = *cfg;
	ss->elems = cfg->channels * ss->desc.width * ss->desc.height;
	ss->t0 = ktime_get();
	ss->running = true;
	ss->paused = false;
	hrtimer_start(&ss->timer, ktime_add_ns(ss->t0, cfg->period_ns),
		      HRTIMER_MODE_ABS_SOFT);
	mutex_unlock(&ss->pm_lock);
	return 0;
}

static void aiot_sim_stop(struct aiot_sensor *sensor)
{
	struct aiot_sim_sensor *ss = aiot_sensor_get_drvdata(sensor);

	mutex_lock(&ss->pm_lock);
	hrtimer_cancel(&ss->timer);
	ss->running = false;
	ss->paused = false;
	mutex_unlock(&ss->pm_lock);
}

/* The sensor stops sampling: no period ends while the system sleeps. */
static int aiot_sim_sensor_suspend(struct device *dev)
{
	struct aiot_sim_sensor *ss = dev_get_drvdata(dev);

	mutex_lock(&ss->pm_lock);
	if (ss->running) {
		hrtimer_cancel(&ss->timer);
		ss->paused = true;
		ss->paused_boot = ktime_get_boottime();
		ss->paused_mono = ktime_get();
		ss->paused_expires = hrtimer_get_expires(&ss->timer);
	}
	mutex_unlock(&ss->pm_lock);
	return 0;
}

/*
 * The periods the suspend lasted are dropped; the timeline moves on by as
 * many periods as CLOCK_MONOTONIC did, the rest (time CLOCK_MONOTONIC did
 * not count) shifts t0, so the next timestamps are the monotonic times of
 * their first samples again.
 */
static int aiot_sim_sensor_resume(struct device *dev)
{
	struct aiot_sim_sensor *ss = dev_get_drvdata(dev);
	u64 period = ss->cfg.period_ns, lost, mono;

	mutex_lock(&ss->pm_lock);
	if (ss->paused) {
		lost = div64_u64(ktime_to_ns(ktime_sub(ktime_get_boottime(),
						       ss->paused_boot)), period);
		mono = div64_u64(ktime_to_ns(ktime_sub(ktime_get(),
						       ss->paused_mono)), period);
		mono = min(mono, lost);
		aiot_sensor_dma_skip(ss->sensor, lost);
		ss->t0 = ktime_sub_ns(ss->t0, (lost - mono) * period);
		ss->paused = false;
		hrtimer_start(&ss->timer,
			      ktime_add_ns(ss->paused_expires, mono * period),
			      HRTIMER_MODE_ABS_SOFT);
	}
	mutex_unlock(&ss->pm_lock);
	return 0;
}

static DEFINE_SIMPLE_DEV_PM_OPS(aiot_sim_sensor_pm_ops, aiot_sim_sensor_suspend,
				aiot_sim_sensor_resume);

/* Take a checked recording that matches @cfg as the one to replay. */
static int aiot_sim_rec_take(struct aiot_sim_sensor *ss,
			     const struct aiot_sensor_config *cfg,
			     const u8 *buf, size_t len, const char *what)
{
	struct aiot_sim_rec rec;
	u8 *copy;
	int ret;

	ret = aiot_sim_rec_parse(buf, len, &rec);
	if (ret) {
		dev_info(ss->dev, "%s: bad recording (%d)\n", what, ret);
		return ret;
	}
	if (rec.format != cfg->format || rec.channels != cfg->channels ||
	    rec.width != ss->desc.width || rec.height != ss->desc.height ||
	    rec.rate_hz != cfg->rate_hz)
		return -EINVAL;
	copy = kvmalloc(rec.data_bytes, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, rec.data, rec.data_bytes);
	kvfree(ss->rec);
	ss->rec = copy;
	ss->rec_bytes = rec.data_bytes;
	return 0;
}

static int aiot_sim_rec_take_fw(struct aiot_sim_sensor *ss,
				const struct aiot_sensor_config *cfg,
				const char *name)
{
	const struct firmware *fw;
	int ret;

	ret = request_firmware_direct(&fw, name, ss->dev);
	if (ret)
		return ret;
	ret = aiot_sim_rec_take(ss, cfg, fw->data, fw->size, name);
	release_firmware(fw);
	return ret;
}

/*
 * REPLAY: load the recording now, while the stream cannot be running. By
 * default "aiot-rec-<kind>.bin" first (what binaries that pointed the
 * firmware loader at their own folder wrote), then the installed
 * "aiot/aiot-rec-<kind>.bin".
 */
static int aiot_sim_validate(struct aiot_sensor *sensor,
			     const struct aiot_sensor_config *cfg)
{
	struct aiot_sim_sensor *ss = aiot_sensor_get_drvdata(sensor);
	char name[64];
	int ret;

	if (cfg->pattern != AIOT_SIM_PATTERN_REPLAY)
		return 0;
	mutex_lock(&ss->rec_lock);
	if (ss->rec_data) {
		ret = aiot_sim_rec_take(ss, cfg, ss->rec_data, ss->rec_data_len,
					AIOT_SIM_ATTR_REPLAY_DATA);
	} else if (ss->rec_fw[0]) {
		ret = aiot_sim_rec_take_fw(ss, cfg, ss->rec_fw);
	} else {
		snprintf(name, sizeof(name), "aiot-rec-%s.bin", ss->kind->name);
		ret = aiot_sim_rec_take_fw(ss, cfg, name);
		if (ret == -ENOENT) {
			snprintf(name, sizeof(name), "%s%s%s",
				 AIOT_SIM_REC_FIRMWARE_PREFIX, ss->kind->name,
				 AIOT_SIM_REC_FIRMWARE_SUFFIX);
			ret = aiot_sim_rec_take_fw(ss, cfg, name);
		}
	}
	mutex_unlock(&ss->rec_lock);
	return ret;
}

/*
 * sysfs of the sensor's platform device (/sys/class/aiot/sensorN/device/):
 * where REPLAY takes its recording from.
 *
 * replay_firmware: the firmware file to load, a relative path of letters,
 * digits and "._-/" without "..". Writing it drops a recording written to
 * replay_data; writing an empty line restores the default names. Reads as
 * the name, empty for the default names or while replay_data holds one.
 */
static bool aiot_sim_rec_name_ok(const char *name, size_t len)
{
	size_t i;

	if (name[0] == '/' || name[0] == '.' || strstr(name, ".."))
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("._-/", name[i]))
			return false;
	return true;
}

static ssize_t replay_firmware_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct aiot_sim_sensor *ss = dev_get_drvdata(dev);
	ssize_t ret;

	mutex_lock(&ss->rec_lock);
	ret = sysfs_emit(buf, "%s\n", ss->rec_data ? "" : ss->rec_fw);
	mutex_unlock(&ss->rec_lock);
	return ret;
}

static ssize_t replay_firmware_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	struct aiot_sim_sensor *ss = dev_get_drvdata(dev);
	char name[sizeof(ss->rec_fw)];
	size_t len = count;

	if (len && buf[len - 1] == '\n')
		len--;
	if (len >= sizeof(name) || memchr(buf, 0, len))
		return -EINVAL;
	memcpy(name, buf, len);
	name[len] = 0;
	if (len && !aiot_sim_rec_name_ok(name, len))
		return -EINVAL;
	mutex_lock(&ss->rec_lock);
	strscpy(ss->rec_fw, name, sizeof(ss->rec_fw));
	kvfree(ss->rec_data);
	ss->rec_data = NULL;
	ss->rec_data_len = 0;
	ss->rec_data_cap = 0;
	mutex_unlock(&ss->rec_lock);
	return count;
}
static DEVICE_ATTR_RW(replay_firmware);

/*
 * replay_data (root only): a recording, written from offset 0 on in one
 * go (write() may take it in pieces; each write at offset 0 starts a new
 * one). It is checked when a stream is configured with REPLAY, as a
 * firmware file would be: up to AIOT_SIM_REC_MAX_BYTES.
 */
static ssize_t replay_data_write(struct file *file, struct kobject *kobj,
				 struct bin_attribute *attr, char *buf,
				 loff_t off, size_t count)
{
	struct aiot_sim_sensor *ss = dev_get_drvdata(kobj_to_dev(kobj));
	size_t cap;
	u8 *p;
	ssize_t ret = count;

	if (off < 0 || off > AIOT_SIM_REC_MAX_BYTES ||
	    count > AIOT_SIM_REC_MAX_BYTES - off)
		return -EFBIG;
	mutex_lock(&ss->rec_lock);
	if (!off) {
		kvfree(ss->rec_data);
		ss->rec_data = NULL;
		ss->rec_data_len = 0;
		ss->rec_data_cap = 0;
	}
	if (off != ss->rec_data_len) {
		ret = -EINVAL;	/* not where the last write ended */
		goto out;
	}
	if (off + count > ss->rec_data_cap) {
		cap = max_t(size_t, 2 * ss->rec_data_cap, PAGE_SIZE);
		cap = clamp_t(size_t, cap, off + count, AIOT_SIM_REC_MAX_BYTES);
		p = kvmalloc(cap, GFP_KERNEL);
		if (!p) {
			ret = -ENOMEM;
			goto out;
		}
		if (ss->rec_data)
			memcpy(p, ss->rec_data, ss->rec_data_len);
		kvfree(ss->rec_data);
		ss->rec_data = p;
		ss->rec_data_cap = cap;
	}
	memcpy(ss->rec_data + off, buf, count);
	ss->rec_data_len = off + count;
out:
	mutex_unlock(&ss->rec_lock);
	return ret;
}
static BIN_ATTR_WO(replay_data, 0);

static struct attribute *aiot_sim_sensor_attrs[] = {
	&dev_attr_replay_firmware.attr,
	NULL,
};

static struct bin_attribute *aiot_sim_sensor_bin_attrs[] = {
	&bin_attr_replay_data,
	NULL,
};

static const struct attribute_group aiot_sim_sensor_group = {
	.attrs = aiot_sim_sensor_attrs,
	.bin_attrs = aiot_sim_sensor_bin_attrs,
};

static const struct attribute_group *aiot_sim_sensor_groups[] = {
	&aiot_sim_sensor_group,
	NULL,
};

static const struct aiot_sensor_ops aiot_sim_sensor_ops = {
	.validate = aiot_sim_validate,
	.start = aiot_sim_start,
	.stop = aiot_sim_stop,
};

static int aiot_sim_sensor_kind_of(struct device *dev, u32 *kind,
				   const char **label)
{
	const struct aiot_sim_sensor_pdata *pdata = dev_get_platdata(dev);
	const char *name;
	unsigned int i;

	*label = NULL;
	if (pdata) {
		*kind = pdata->kind;
		return *kind < ARRAY_SIZE(aiot_sim_kinds) ? 0 : -EINVAL;
	}
	if (device_property_read_string(dev, "aiot,kind", &name))
		return -EINVAL;
	device_property_read_string(dev, "label", label);
	for (i = 0; i < ARRAY_SIZE(aiot_sim_kinds); i++) {
		if (!strcmp(name, aiot_sim_kinds[i].name)) {
			*kind = i;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * A devicetree label is the stream's name and a udev link's last component
 * (the binding: '^[^/\s]{1,31}$'): one the name cannot hold whole, which
 * truncated could equal another sensor's, is refused rather than cut.
 */
static bool aiot_sim_sensor_label_valid(const char *label)
{
	size_t len = strnlen(label, AIOT_SENSOR_NAME_LEN);
	size_t i;

	if (!len || len >= AIOT_SENSOR_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (label[i] == '/' || isspace(label[i]))
			return false;
	return true;
}

static int aiot_sim_sensor_probe(struct platform_device *pdev)
{
	const struct aiot_sim_sensor_pdata *pdata =
		dev_get_platdata(&pdev->dev);
	struct aiot_sim_sensor *ss;
	struct aiot_sensor *sensor;
	const char *label;
	u32 kind;
	int ret;

	ret = aiot_sim_sensor_kind_of(&pdev->dev, &kind, &label);
	if (ret)
		return dev_err_probe(&pdev->dev, ret, "unknown sensor kind\n");
	if (label && !aiot_sim_sensor_label_valid(label))
		return dev_err_probe(&pdev->dev, -EINVAL,
				     "label \"%s\": want 1 to %d characters, no '/' or white space\n",
				     label, AIOT_SENSOR_NAME_LEN - 1);

	ss = devm_kzalloc(&pdev->dev, sizeof(*ss), GFP_KERNEL);
	if (!ss)
		return -ENOMEM;
	ss->dev = &pdev->dev;
	ss->kind = &aiot_sim_kinds[kind];
	ss->desc = ss->kind->desc;
	if (label)
		strscpy(ss->name, label, sizeof(ss->name));
	else
		snprintf(ss->name, sizeof(ss->name), "%s%u", ss->kind->name,
			 pdata ? pdata->index : 0);
	ss->desc.name = ss->name;
	ss->desc.test_patterns = aiot_sim_test_patterns;
	mutex_init(&ss->rec_lock);
	mutex_init(&ss->pm_lock);
	atomic_set(&ss->stall, 0);
	atomic_set(&ss->faults, 0);
	hrtimer_init(&ss->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	ss->timer.function = aiot_sim_tick;

	/* Stored before the node exists: the tick and resume use it. */
	sensor = aiot_sensor_alloc(&pdev->dev, &ss->desc, &aiot_sim_sensor_ops,
				   ss);
	if (IS_ERR(sensor))
		return dev_err_probe(&pdev->dev, PTR_ERR(sensor),
				     "cannot set up the sensor\n");
	ss->sensor = sensor;
	ret = aiot_sensor_add(sensor);
	if (ret) {
		aiot_sensor_put(sensor);
		return dev_err_probe(&pdev->dev, ret,
				     "cannot register the sensor\n");
	}

	ss->debugfs = debugfs_create_dir(ss->name, aiot_sim_sensor_debugfs);
	debugfs_create_atomic_t("stall", 0600, ss->debugfs, &ss->stall);
	debugfs_create_atomic_t("faults", 0600, ss->debugfs, &ss->faults);
	platform_set_drvdata(pdev, ss);
	return 0;
}

static void aiot_sim_sensor_remove(struct platform_device *pdev)
{
	struct aiot_sim_sensor *ss = platform_get_drvdata(pdev);

	debugfs_remove_recursive(ss->debugfs);
	aiot_sensor_unregister(ss->sensor);
	kvfree(ss->rec);
	kvfree(ss->rec_data);
	mutex_destroy(&ss->rec_lock);
	mutex_destroy(&ss->pm_lock);
}

AIOT_DEFINE_PLATFORM_REMOVE(aiot_sim_sensor_remove)

static const struct of_device_id aiot_sim_sensor_of_match[] = {
	{ .compatible = "aiot,sim-sensor" },
	{ }
};
MODULE_DEVICE_TABLE(of, aiot_sim_sensor_of_match);

static struct platform_driver aiot_sim_sensor_driver = {
	.probe = aiot_sim_sensor_probe,
	.remove = AIOT_PLATFORM_REMOVE(aiot_sim_sensor_remove),
	.driver = {
		.name = AIOT_SIM_SENSOR_NAME,
		.of_match_table = aiot_sim_sensor_of_match,
		.dev_groups = aiot_sim_sensor_groups,
		.pm = pm_sleep_ptr(&aiot_sim_sensor_pm_ops),
	},
};

static struct platform_device *aiot_sim_sensor_pdevs[AIOT_SIM_MAX_SENSORS];

static void aiot_sim_sensor_remove_devices(void)
{
	int i;

	for (i = AIOT_SIM_MAX_SENSORS - 1; i >= 0; i--) {
		platform_device_unregister(aiot_sim_sensor_pdevs[i]);
		aiot_sim_sensor_pdevs[i] = NULL;
	}
}

static int aiot_sim_sensor_create_devices(void)
{
	u32 per_kind[ARRAY_SIZE(aiot_sim_kinds)] = { };
	char *list, *cur, *tok;
	int n = 0, ret = 0;
	unsigned int k;

	list = kstrdup(sensors ? sensors : "", GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = list;
	while ((tok = strsep(&cur, ",")) && !ret) {
		struct aiot_sim_sensor_pdata pdata;
		struct platform_device *pdev;

		tok = strim(tok);
		if (!*tok)
			continue;
		for (k = 0; k < ARRAY_SIZE(aiot_sim_kinds); k++)
			if (!strcmp(tok, aiot_sim_kinds[k].name))
				break;
		if (k == ARRAY_SIZE(aiot_sim_kinds)) {
			pr_err("aiot-sim: unknown sensor kind '%s'\n", tok);
			ret = -EINVAL;
			break;
		}
		if (n == AIOT_SIM_MAX_SENSORS) {
			pr_err("aiot-sim: more than %d sensors\n",
			       AIOT_SIM_MAX_SENSORS);
			ret = -E2BIG;
			break;
		}
		pdata.kind = k;
		pdata.index = per_kind[k]++;
		pdev = platform_device_register_data(NULL, AIOT_SIM_SENSOR_NAME,
						     n, &pdata, sizeof(pdata));
		if (IS_ERR(pdev)) {
			ret = PTR_ERR(pdev);
			break;
		}
		aiot_sim_sensor_pdevs[n++] = pdev;
	}
	kfree(list);
	if (ret)
		aiot_sim_sensor_remove_devices();
	return ret;
}

/**
 * aiot_sim_sensor_init() - register the simulated sensors' driver
 * @create_devices: create platform devices from the module parameter when
 *	no devicetree node describes simulated sensors
 *
 * Return: 0 or a negative errno; nothing is left registered on failure.
 */
int aiot_sim_sensor_init(bool create_devices)
{
	struct device_node *np;
	int ret;

	aiot_sim_sensor_debugfs = debugfs_create_dir("aiot-sim-sensor", NULL);
	ret = platform_driver_register(&aiot_sim_sensor_driver);
	if (ret)
		goto err_debugfs;
	np = of_find_compatible_node(NULL, NULL, "aiot,sim-sensor");
	of_node_put(np);
	if (create_devices && !np) {
		ret = aiot_sim_sensor_create_devices();
		if (ret)
			goto err_driver;
	}
	return 0;

err_driver:
	platform_driver_unregister(&aiot_sim_sensor_driver);
err_debugfs:
	debugfs_remove_recursive(aiot_sim_sensor_debugfs);
	return ret;
}

void aiot_sim_sensor_exit(void)
{
	aiot_sim_sensor_remove_devices();
	platform_driver_unregister(&aiot_sim_sensor_driver);
	debugfs_remove_recursive(aiot_sim_sensor_debugfs);
}
