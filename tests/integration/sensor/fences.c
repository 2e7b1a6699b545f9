// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sensor suite: dma-buf export with mmap and DMA_BUF_IOCTL_SYNC, and
 * write fences, signalled on completion, with an error on stop, fault and
 * timeout.
 */
#include "sensor.h"

void dmabuf_export_mmap_sync(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	struct dma_buf_sync sync;
	uint8_t *m;
	int fd;
	off_t size;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_MIC) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 16000, 800, 4, 0,
				 AIOT_SIM_PATTERN_NOISE)) == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE(dq(&st, &b) == 0);
	fd = expbuf(&st, b.index);
	REQUIRE(fd >= 0);
	size = lseek(fd, 0, SEEK_END);
	CHECK_EQ(size, st.cfg.slot_stride);
	m = mmap(NULL, st.cfg.slot_stride, PROT_READ, MAP_SHARED, fd, 0);
	REQUIRE(m != MAP_FAILED);
	CHECK(mmap(NULL, st.cfg.slot_stride + 4096, PROT_READ, MAP_SHARED, fd,
		   0) == MAP_FAILED);
	sync.flags = DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ;
	CHECK_EQ(ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	CHECK_EQ(check_slot(&st, m, b.sequence, AIOT_SIM_PATTERN_NOISE), 0);
	CHECK(memcmp(m, st.ring + b.offset, st.cfg.slot_bytes) == 0);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	CHECK_EQ(ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), 0);
	sync.flags = 0x100;
	CHECK_ERRNO(ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync), EINVAL);
	/* Filled and dequeued: its write fence has signalled. */
	CHECK_EQ(fence_status(fd), 1);
	/* Exported: the memory stays, the ring cannot be reconfigured. */
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_STOP) == 0);
	munmap(st.ring, st.cfg.ring_bytes);
	st.ring = NULL;
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_CONFIGURE, &st.cfg), EBUSY);
	/* Closing the stream keeps the dma-buf valid. */
	close_stream(&st);
	CHECK_EQ(check_slot(&st, m, b.sequence, AIOT_SIM_PATTERN_NOISE), 0);
	munmap(m, st.cfg.slot_stride);
	close(fd);
}

/* Slow periods (1 s) so that "not yet signalled" is observable. */
void fence_signals_on_completion(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	int fds[2], i, r;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 2, 4, 2, 0,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	for (i = 0; i < 2; i++) {
		fds[i] = expbuf(&st, i);
		REQUIRE(fds[i] >= 0);
		/* Not streaming: no fence, readable at once. */
		CHECK_EQ(fence_status(fds[i]), 1);
	}
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	/* Armed: both write fences pending, reading must wait. */
	CHECK_EQ(fence_status(fds[0]), 0);
	CHECK_EQ(fence_status(fds[1]), 0);
	CHECK_EQ(wait_fd(fds[1], POLLIN, 0), 0);
	/* Slot 0 is filled first: its fence signals, without error. */
	r = wait_fd(fds[0], POLLIN, WAIT_MS);
	CHECK(r > 0 && (r & POLLIN));
	CHECK_EQ(fence_status(fds[0]), 1);
	REQUIRE(dq(&st, &b) == 0);
	CHECK_EQ(b.index, 0);
	CHECK_EQ(b.sequence, 0);
	r = wait_fd(fds[1], POLLIN, WAIT_MS);
	CHECK(r > 0 && (r & POLLIN));
	CHECK_EQ(fence_status(fds[1]), 1);
	/* Requeued while streaming: armed again with a new fence. */
	REQUIRE(qb(&st, 0) == 0);
	CHECK_EQ(fence_status(fds[0]), 0);
	r = wait_fd(fds[0], POLLIN, WAIT_MS);
	CHECK(r > 0 && (r & POLLIN));
	CHECK_EQ(fence_status(fds[0]), 1);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close(fds[0]);
	close(fds[1]);
	close_stream(&st);
}

void fence_error_on_stop(void)
{
	struct stream st;
	int fds[3], sync[3], i;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	/* 5 s periods: nothing completes before the stop. */
	REQUIRE(setup(&st, mkcfg(&st, 1, 5, 3, 0,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	for (i = 0; i < 3; i++)
		REQUIRE((fds[i] = expbuf(&st, i)) >= 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	for (i = 0; i < 3; i++) {
		REQUIRE((sync[i] = aiot_test_export_sync(fds[i])) >= 0);
		CHECK_EQ(aiot_test_sync_status(sync[i]), 0);
		CHECK_EQ(wait_fd(fds[i], POLLIN, 0), 0);
	}
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_STOP) == 0);
	for (i = 0; i < 3; i++) {
		int r = wait_fd(fds[i], POLLIN, 0);

		CHECK(r > 0 && (r & POLLIN));
		r = wait_fd(sync[i], POLLIN, 0);
		CHECK(r > 0 && (r & POLLIN));
		CHECK_EQ(aiot_test_sync_status(sync[i]), -ECANCELED);
		close(sync[i]);
	}
	/* A new start arms new fences, which the owner's close cancels. */
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((sync[0] = aiot_test_export_sync(fds[0])) >= 0);
	CHECK_EQ(aiot_test_sync_status(sync[0]), 0);
	close_stream(&st);
	CHECK_EQ(aiot_test_sync_status(sync[0]), -ECANCELED);
	CHECK_EQ(fence_status(fds[0]), 1);
	close(sync[0]);
	for (i = 0; i < 3; i++)
		close(fds[i]);
}

void fence_error_on_dma_fault(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	int fd0, fd1, s0, s1;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	/* 1 s periods: the fences are taken while pending. */
	REQUIRE(setup(&st, mkcfg(&st, 2, 2, 2, 0,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	REQUIRE((fd0 = expbuf(&st, 0)) >= 0);
	REQUIRE((fd1 = expbuf(&st, 1)) >= 0);
	REQUIRE(debugfs_write(st.info.name, "faults", "1") == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((s0 = aiot_test_export_sync(fd0)) >= 0);
	REQUIRE((s1 = aiot_test_export_sync(fd1)) >= 0);
	CHECK_EQ(aiot_test_sync_status(s0), 0);
	REQUIRE(dq(&st, &b) == 0);
	CHECK_EQ(b.index, 0);
	CHECK(b.flags & AIOT_SENSOR_BUF_ERROR);
	CHECK_EQ(aiot_test_sync_status(s0), -EIO);
	REQUIRE(dq(&st, &b) == 0);
	CHECK_EQ(b.index, 1);
	CHECK_EQ(b.flags & AIOT_SENSOR_BUF_ERROR, 0);
	CHECK_EQ(aiot_test_sync_status(s1), 1);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close(s0);
	close(s1);
	close(fd0);
	close(fd1);
	close_stream(&st);
}

/* A DMA that never completes: the watchdog fails the fences in bounded time. */
void fence_error_on_dma_timeout(void)
{
	struct stream st;
	struct aiot_sensor_buffer b;
	char state[32];
	int fd, sf, r;

	REQUIRE(open_kind(&st, AIOT_SENSOR_KIND_ACCEL) == 0);
	REQUIRE(setup(&st, mkcfg(&st, 100, 10, 2, 0,
				 AIOT_SIM_PATTERN_RAMP)) == 0);
	REQUIRE((fd = expbuf(&st, 1)) >= 0);
	REQUIRE(debugfs_write(st.info.name, "stall", "1") == 0);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE((sf = aiot_test_export_sync(fd)) >= 0);
	CHECK_EQ(aiot_test_sync_status(sf), 0);
	/* Timeout: (2 + 2) periods + 5 s; wait up to 30 s. */
	r = wait_fd(sf, POLLIN, 30000);
	CHECK(r > 0 && (r & POLLIN));
	CHECK_EQ(aiot_test_sync_status(sf), -ETIMEDOUT);
	close(sf);
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_INFO, &st.info) == 0);
	CHECK_EQ(st.info.state, AIOT_SENSOR_STATE_ERROR);
	CHECK(sysfs_str(&st, "state", state, sizeof(state)) == 0 &&
	      strcmp(state, "error") == 0);
	memset(&b, 0, sizeof(b));
	CHECK_ERRNO(ioctl(st.fd, AIOT_SENSOR_IOC_DQBUF, &b), EIO);
	CHECK(wait_fd(st.fd, POLLIN, 0) & POLLERR);
	REQUIRE(debugfs_write(st.info.name, "stall", "0") == 0);
	/* The stream recovers with a new start. */
	REQUIRE(ioctl(st.fd, AIOT_SENSOR_IOC_START) == 0);
	REQUIRE(dq(&st, &b) == 0);
	CHECK_EQ(b.sequence, 0);
	CHECK_EQ(ioctl(st.fd, AIOT_SENSOR_IOC_STOP), 0);
	close(fd);
	close_stream(&st);
}
