// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-fuzz: the sensor streams' ioctls, read(), poll() and mmap().
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <aiot/sim_sensor.h>

#include "fuzz.h"

void sensor_forget(struct sensor *s)
{
	if (s->ring)
		munmap(s->ring, s->ring_len);
	*s = (struct sensor){ .fd = -1 };
}

static void op_open_sensor(struct worker *w)
{
	struct sensor *s = &w->sensor[rn(&w->r, N_SENSOR)];
	char path[128];
	int fd;

	if (s->fd >= 0) {
		int old = s->fd;

		sensor_forget(s);
		CALL(H_CLOSE_SENSOR, close(old));
		return;
	}
	if (random_node(&w->r, "/dev/aiot", "sensor", path, sizeof(path)))
		return;
	fd = CALL(H_OPEN_SENSOR, open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC));
	if (fd < 0)
		return;
	s->fd = fd;
	s->configured = false;
	if (xioctl(fd, AIOT_SENSOR_IOC_INFO, &s->info))
		memset(&s->info, 0, sizeof(s->info));
}

static struct sensor *some_sensor(struct worker *w)
{
	int i, start = rn(&w->r, N_SENSOR);

	for (i = 0; i < N_SENSOR; i++)
		if (w->sensor[(start + i) % N_SENSOR].fd >= 0)
			return &w->sensor[(start + i) % N_SENSOR];
	return NULL;
}

static uint32_t between(struct worker *w, uint32_t lo, uint32_t hi)
{
	return hi > lo ? lo + rn(&w->r, hi - lo + 1) : lo;
}

static void op_sensor_configure(struct worker *w, struct sensor *s)
{
	struct aiot_sensor_config c = { 0 };
	const struct aiot_sensor_info *in = &s->info;
	uint32_t rate;
	bool replay;
	int ret;

	if (s->ring) {
		munmap(s->ring, s->ring_len);
		s->ring = NULL;
	}
	c.format = in->formats ? (uint32_t)__builtin_ctz(in->formats) : 1;
	if (in->formats && chance(&w->r, 30)) {
		do
			c.format = rn(&w->r, 32);
		while (!(in->formats & (1u << c.format)) && chance(&w->r, 90));
	}
	c.channels = between(w, in->min_channels, in->max_channels);
	rate = between(w, in->min_rate_hz, in->max_rate_hz < 4000 ? in->max_rate_hz : 4000);
	c.rate_hz = rate ? rate : 1;
	/* Periods of 2..50 ms mostly: the stream moves during a short run. */
	c.samples_per_slot = (uint32_t)((uint64_t)c.rate_hz * between(w, 2, 50) / 1000);
	if (!c.samples_per_slot)
		c.samples_per_slot = 1;
	c.slot_count = between(w, 2, in->max_slots ? (in->max_slots < 8 ? in->max_slots : 8) : 4);
	c.overflow = rn(&w->r, 2);
	c.pattern = chance(&w->r, 50) ? 0 : rn(&w->r, 6);
	if (chance(&w->r, 25)) {
		/* Anything at all. */
		uint32_t *f = (uint32_t *)&c;

		f[rn(&w->r, sizeof(c) / 4)] = rval32(&w->r);
	}
	/*
	 * REPLAY loads a recording with the firmware loader in this task: the
	 * loader's vmalloc warns when it fails (kernel_read_file(), not
	 * aiot's), so faults are off for that call, as for a bind.
	 */
	replay = opt.fault_percent && c.pattern == AIOT_SIM_PATTERN_REPLAY;
	if (replay)
		set_make_it_fail(0);
	ret = CALL(H_S_CONFIGURE, xioctl(s->fd, AIOT_SENSOR_IOC_CONFIGURE, &c));
	if (replay)
		set_make_it_fail(1);
	if (ret == 0) {
		s->configured = true;
		s->cfg = c;
	}
}

void op_sensor(struct worker *w)
{
	struct sensor *s = some_sensor(w);
	uint32_t slots;

	if (!s) {
		op_open_sensor(w);
		return;
	}
	slots = s->configured && s->cfg.slot_count ? s->cfg.slot_count : 4;
	switch (rn(&w->r, 16)) {
	case 0: {
		struct aiot_sensor_info info;
		/* Every size the kernel might see: older, current, newer. */
		unsigned int sz = chance(&w->r, 70) ? sizeof(info)
				  : chance(&w->r, 50) ? AIOT_SENSOR_INFO_SIZE_V1 : rn(&w->r, 256);
		unsigned long cmd = _IOC(_IOC_READ, AIOT_SENSOR_IOC_MAGIC, 0, sz);

		if (CALL(H_S_INFO, ioctl(s->fd, cmd, sz <= sizeof(info) ? (void *)&info
									 : (void *)w->scratch)) == 0 &&
		    sz == sizeof(info))
			s->info = info;
		break;
	}
	case 1:
	case 2:
		op_sensor_configure(w, s);
		break;
	case 3: {
		struct aiot_sensor_config c;

		CALL(H_S_G_CONFIG, xioctl(s->fd, AIOT_SENSOR_IOC_G_CONFIG,
					  chance(&w->r, 95) ? (void *)&c : any_ptr(w, sizeof(c))));
		break;
	}
	case 4:
	case 5:
		CALL(H_S_START, ioctl(s->fd, AIOT_SENSOR_IOC_START));
		break;
	case 6:
		CALL(H_S_STOP, ioctl(s->fd, AIOT_SENSOR_IOC_STOP));
		break;
	case 7:
	case 8: {
		struct aiot_sensor_buffer b = { 0 };

		if (CALL(H_S_DQBUF, xioctl(s->fd, AIOT_SENSOR_IOC_DQBUF, &b)) == 0 &&
		    chance(&w->r, 80)) {
			b.dma_done_ns = 0;
			b.flags = 0;
			CALL(H_S_QBUF, xioctl(s->fd, AIOT_SENSOR_IOC_QBUF, &b));
		}
		break;
	}
	case 9: {
		struct aiot_sensor_buffer b = { 0 };

		b.index = chance(&w->r, 90) ? rn(&w->r, slots) : rval32(&w->r);
		if (chance(&w->r, 5))
			b.flags = rval32(&w->r);
		if (chance(&w->r, 5))
			b.reserved = rval64(&w->r);
		CALL(H_S_QBUF, xioctl(s->fd, AIOT_SENSOR_IOC_QBUF, &b));
		break;
	}
	case 10:
	case 11: {
		struct aiot_sensor_expbuf e = { 0 };

		e.index = chance(&w->r, 90) ? rn(&w->r, slots) : rval32(&w->r);
		e.flags = O_CLOEXEC | (chance(&w->r, 50) ? O_RDWR : O_RDONLY);
		if (chance(&w->r, 5))
			e.flags = rval32(&w->r);
		if (chance(&w->r, 5))
			e.reserved = rval32(&w->r);
		if (CALL(H_S_EXPBUF, xioctl(s->fd, AIOT_SENSOR_IOC_EXPBUF, &e)) == 0)
			keep_dmabuf(w, e.fd, s->configured ? s->cfg.slot_bytes : 0);
		break;
	}
	case 12: {
		size_t n = s->configured ? s->cfg.slot_bytes : 4096;
		void *buf = w->scratch;

		if (n > SCRATCH || chance(&w->r, 10))
			n = rn(&w->r, SCRATCH);
		if (chance(&w->r, 10))
			buf = any_ptr(w, n);
		CALL(H_S_READ, read(s->fd, buf, n));
		break;
	}
	case 13: {
		struct pollfd p = { .fd = s->fd, .events = POLLIN | POLLOUT | POLLPRI };

		CALL(H_S_POLL, poll(&p, 1, (int)rn(&w->r, 20)));
		break;
	}
	case 14: {
		size_t len = s->configured && s->cfg.ring_bytes && s->cfg.ring_bytes < (64u << 20)
			     ? s->cfg.ring_bytes : 4096;
		void *p;

		if (chance(&w->r, 20))
			len = (1 + rn(&w->r, 64)) * 4096;
		if (s->ring) {
			munmap(s->ring, s->ring_len);
			s->ring = NULL;
		}
		p = mmap(NULL, len, chance(&w->r, 50) ? PROT_READ : PROT_READ | PROT_WRITE,
			 MAP_SHARED, s->fd, chance(&w->r, 90) ? 0 : 4096 * rn(&w->r, 8));
		if (CALL(H_S_MMAP, p == MAP_FAILED ? -1 : 0) < 0)
			break;
		touch(p, len, false, &w->r);
		s->ring = p;
		s->ring_len = len;
		break;
	}
	default:
		op_open_sensor(w);
		break;
	}
}
