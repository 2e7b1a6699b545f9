// SPDX-License-Identifier: GPL-2.0-only
/* The sensor suite: read(), the copying I/O mode. */
#include "sensor.h"

/*
 * read() does not say which period it returns: find the first sequence in
 * [from, to] whose first samples match (NOISE is a hash: no false match).
 */
static int64_t find_seq(const struct stream *st, const uint8_t *p,
			uint64_t from, uint64_t to, uint32_t pattern)
{
	uint64_t seq;
	uint32_t k;

	for (seq = from; seq <= to; seq++) {
		for (k = 0; k < 8; k++) {
			long tol, want = expect(st, pattern,
						seq * st->cfg.samples_per_slot + k,
						0, &tol);
			long got = (int16_t)(p[2 * k] | p[2 * k + 1] << 8);

			if (labs(got - want) > tol)
				break;
		}
		if (k == 8)
			return (int64_t)seq;
	}
	return -1;
}

/* read() with a timeout, so that a broken driver fails instead of hanging. */
static ssize_t read_wait(struct stream *st, void *buf, size_t len)
{
	int r = wait_fd(st->fd, POLLIN, WAIT_MS);

	if (r <= 0 || !(r & POLLIN)) {
		errno = r == 0 ? ETIMEDOUT : EIO;
		return -1;
	}
	return read(st->fd, buf, len);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Whole slots, oldest first, equal to the generator; copies counted. */
void read_matches_generator(void)
{
	struct stream st;
	struct aiot_sensor_config c;
	uint64_t copied0, sys0, drops0, gaps = 0;
	int64_t seq, prev = -1;
	uint8_t *buf;
	int i, bad = 0;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_MIC) == 0);
	c = mkcfg(&st, 16000, 800, 8, AIOT_SENSOR_OVERFLOW_DROP_NEWEST,
		  AIOT_SIM_PATTERN_NOISE);
	st.cfg = c;
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	copied0 = st.info.bytes_copied;
	drops0 = st.info.drops;
	sys0 = sysfs_u64(&st, "bytes_copied");
	CHECK_EQ(sys0, copied0);
	/* Room for three slots: still one slot per read(). */
	REQUIRE((buf = malloc(3 * st.cfg.slot_bytes)) != NULL);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	for (i = 0; i < 20; i++) {
		ssize_t n = read_wait(&st, buf, 3 * st.cfg.slot_bytes);

		REQUIRE(n == (ssize_t)st.cfg.slot_bytes);
		REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
		seq = find_seq(&st, buf, prev + 1, st.info.sequence,
			       AIOT_SIM_PATTERN_NOISE);
		CHECK(seq >= 0);
		if (seq < 0)
			break;
		if (i == 0)
			CHECK_EQ(seq, 0);
		gaps += seq - prev - 1;
		bad += check_slot(&st, buf, seq, AIOT_SIM_PATTERN_NOISE);
		prev = seq;
	}
	CHECK_EQ(bad, 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	/* Exactly what was returned, in INFO and in sysfs. */
	CHECK_EQ(st.info.bytes_copied - copied0, 20ull * st.cfg.slot_bytes);
	CHECK_EQ(sysfs_u64(&st, "bytes_copied") - sys0,
		 20ull * st.cfg.slot_bytes);
	/* Periods read() skipped over were counted as drops. */
	CHECK(st.info.drops - drops0 >= gaps);
	if (gaps)
		tap_diag("%llu periods dropped by a slow guest",
			 (unsigned long long)gaps);
	/* Stopped: what was filled can still be read, then EPIPE. */
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	for (i = 0; i < 8 && read(st.fd, buf, st.cfg.slot_bytes) > 0; i++)
		;
	CHECK_ERRNO(read(st.fd, buf, st.cfg.slot_bytes), EPIPE);
	free(buf);
	close_stream(&st);
}

/* read() blocks until a slot is filled, unless O_NONBLOCK. */
void read_blocking_and_nonblocking(void)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct stream st;
	uint8_t buf[64];
	uint64_t t0, t1;
	ssize_t n;
	int fl;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	/* 3 channels, 2 samples per 1 s slot: 12 bytes, one per second. */
	st.cfg = mkcfg(&st, 2, 2, 2, 0, AIOT_SIM_PATTERN_RAMP);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg) == 0);
	REQUIRE(st.cfg.slot_bytes == 12);
	fl = fcntl(st.fd, F_GETFL);
	REQUIRE(fcntl(st.fd, F_SETFL, fl | O_NONBLOCK) == 0);
	t0 = aiot_test_now_ns();
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	/* Nothing can be filled before the first period ends. */
	CHECK_ERRNO(read(st.fd, buf, sizeof(buf)), EAGAIN);
	REQUIRE(fcntl(st.fd, F_SETFL, fl) == 0);
	/* Blocking, with an alarm (no SA_RESTART) against a hang. */
	sigemptyset(&sa.sa_mask);
	REQUIRE(sigaction(SIGALRM, &sa, &old) == 0);
	alarm(WAIT_MS / 1000);
	n = read(st.fd, buf, sizeof(buf));
	t1 = aiot_test_now_ns();
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	CHECK_EQ(n, 12);
	/* It waited for the end of the first period. */
	CHECK(t1 - t0 >= st.cfg.period_ns);
	CHECK(n == 12 && (int16_t)(buf[0] | buf[1] << 8) == 0 &&
	      (int16_t)(buf[2] | buf[3] << 8) == 1);
	/* A signal interrupts a blocked read(): EINTR, nothing consumed. */
	REQUIRE(sigaction(SIGALRM, &sa, &old) == 0);
	{
		struct itimerval it = { .it_value = { .tv_usec = 100000 } };

		setitimer(ITIMER_REAL, &it, NULL);
	}
	n = read(st.fd, buf, sizeof(buf));
	sigaction(SIGALRM, &old, NULL);
	CHECK(n == 12 || (n < 0 && errno == EINTR));
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close_stream(&st);
}

/* Short buffers, bad pointers, not the owner, mixing with DQBUF, faults. */
void read_bad_requests_rejected(void)
{
	struct stream st, other;
	struct aiot_sensor_buffer b;
	struct aiot_sensor_config c;
	uint8_t buf[64];
	uint64_t copied0;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	/* Not configured. */
	CHECK_ERRNO(read(st.fd, buf, sizeof(buf)), EINVAL);
	/* 3 channels x 10 samples x 2 bytes: 60-byte slots, 10 ms periods. */
	c = mkcfg(&st, 1000, 10, 4, 0, AIOT_SIM_PATTERN_RAMP);
	st.cfg = c;
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg) == 0);
	REQUIRE(st.cfg.slot_bytes == 60);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	copied0 = st.info.bytes_copied;
	/* Whole slots only. */
	CHECK_ERRNO(read(st.fd, buf, 59), EINVAL);
	CHECK_ERRNO(read(st.fd, buf, 1), EINVAL);
	CHECK_ERRNO(read(st.fd, buf, 0), EINVAL);
	/* Stopped, nothing filled. */
	CHECK_ERRNO(read(st.fd, buf, 60), EPIPE);
	/* Another file: the stream is not its own. */
	REQUIRE(open_kind(&other, AIOT_SENSOR_KIND_ACCEL) == 0);
	CHECK_ERRNO(read(other.fd, buf, 60), EBUSY);
	close_stream(&other);

	/* A DMA fault: -EIO for that slot, the next one is fine. */
	REQUIRE(debugfs_write(st.info.name, "faults", "1") == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	CHECK_ERRNO(read_wait(&st, buf, 60), EIO);
	CHECK_EQ(read_wait(&st, buf, 60), 60);
	/* Bad address: EFAULT, the slot is lost, nothing counted. */
	CHECK_ERRNO(read_wait(&st, NULL, 60), EFAULT);
	/* read() chose the I/O mode: DQBUF and QBUF are refused. */
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EBUSY);
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_QBUF, &b), EBUSY);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK_EQ(st.info.bytes_copied - copied0, 60);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);

	/* CONFIGURE resets the choice; DQBUF first, then read() is refused. */
	st.cfg = c;
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE(dq(&st, &b) == 0);
	CHECK_ERRNO(read(st.fd, buf, 60), EBUSY);
	CHECK_EQ(qb(&st, b.index), 0);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close_stream(&st);
}
