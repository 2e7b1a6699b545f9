// SPDX-License-Identifier: GPL-2.0-only
/* The sensor suite: a stream under test, its ioctls, sysfs and debugfs. */
#include "sensor.h"

int open_kind(struct stream *st, unsigned int kind)
{
	memset(st, 0, sizeof(*st));
	st->fd = aiot_test_open_sensor(kind, st->node, sizeof(st->node));
	if (st->fd < 0)
		return -1;
	return ioctl(st->fd, AIOT_SENSOR_IOC_INFO, &st->info);
}

void close_stream(struct stream *st)
{
	if (st->ring)
		munmap(st->ring, st->cfg.ring_bytes);
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	st->ring = NULL;
}

struct aiot_sensor_config mkcfg(const struct stream *st, uint32_t rate,
				uint32_t spp, uint32_t slots,
				uint32_t overflow, uint32_t pattern)
{
	struct aiot_sensor_config c = {
		.format = st->info.kind == AIOT_SENSOR_KIND_CAMERA ?
			  AIOT_SENSOR_FMT_U8 : AIOT_SENSOR_FMT_S16_LE,
		.channels = st->info.max_channels,
		.rate_hz = rate,
		.samples_per_slot = spp,
		.slot_count = slots,
		.overflow = overflow,
		.pattern = pattern,
	};
	return c;
}

/* Configure, map the ring. */
int setup(struct stream *st, struct aiot_sensor_config c)
{
	st->cfg = c;
	if (ioctl(st->fd, AIOT_SENSOR_IOC_CONFIGURE, &st->cfg))
		return -1;
	st->ring = mmap(NULL, st->cfg.ring_bytes, PROT_READ, MAP_SHARED,
			st->fd, 0);
	if (st->ring == MAP_FAILED) {
		st->ring = NULL;
		return -1;
	}
	return 0;
}

int wait_fd(int fd, short events, int ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, ms);

	return r == 1 ? p.revents : r;
}

/* Blocking dequeue with a timeout, so that a broken driver fails the case
 * instead of hanging the guest. */
int dq(struct stream *st, struct aiot_sensor_buffer *b)
{
	int r = wait_fd(st->fd, POLLIN, WAIT_MS);

	if (r <= 0 || !(r & POLLIN)) {
		errno = r == 0 ? ETIMEDOUT : EIO;
		return -1;
	}
	memset(b, 0, sizeof(*b));
	return ioctl(st->fd, AIOT_SENSOR_IOC_DQBUF, b);
}

int qb(struct stream *st, uint32_t index)
{
	struct aiot_sensor_buffer b = { .index = index };

	return ioctl(st->fd, AIOT_SENSOR_IOC_QBUF, &b);
}

int expbuf(struct stream *st, uint32_t index)
{
	struct aiot_sensor_expbuf e = { .index = index,
					.flags = O_RDWR | O_CLOEXEC };

	if (ioctl(st->fd, AIOT_SENSOR_IOC_EXPBUF, &e))
		return -1;
	return e.fd;
}

/* Status of what a reader of the dma-buf would wait for now. */
int fence_status(int dmabuf)
{
	int sf = aiot_test_export_sync(dmabuf), ret;

	if (sf < 0)
		return -2000 - errno;
	ret = aiot_test_sync_status(sf);
	close(sf);
	return ret;
}

uint64_t sysfs_u64(const struct stream *st, const char *attr)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/sys/class/aiot/%s/%s",
		 strrchr(st->node, '/') + 1, attr);
	if (aiot_test_read_file(path, buf, sizeof(buf)))
		return UINT64_MAX;
	return strtoull(buf, NULL, 0);
}

int sysfs_str(const struct stream *st, const char *attr, char *buf,
	      size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/class/aiot/%s/%s",
		 strrchr(st->node, '/') + 1, attr);
	return aiot_test_read_file(path, buf, len);
}

int debugfs_write(const char *name, const char *knob, const char *val)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/kernel/debug/aiot-sim-sensor/%s/%s",
		 name, knob);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}
