// SPDX-License-Identifier: GPL-2.0-only
/*
 * How SUBMIT reads a command stream from its buffer: anywhere in the BO,
 * across page boundaries, afresh on every SUBMIT (userspace rewrites a
 * command buffer between jobs with no call in between), and the same from
 * a BO imported back from its own dma-buf.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>

#include "aiot_testlib.h"
#include "tap.h"

#define PAGE 4096u

struct fc_job {
	int fd;
	uint32_t cmd, bo[3];
	uint8_t *cmd_map, *map[3];
	size_t cmd_len;
};

static int fc_open(struct fc_job *j, size_t cmd_len)
{
	char node[64];
	int i;

	memset(j, 0, sizeof(*j));
	j->fd = aiot_test_open_accel(node, sizeof(node));
	if (j->fd < 0)
		return -1;
	j->cmd_len = cmd_len;
	j->cmd = aiot_test_bo_create(j->fd, cmd_len);
	j->cmd_map = j->cmd ? aiot_test_bo_map(j->fd, j->cmd, cmd_len) : NULL;
	if (!j->cmd_map)
		return -1;
	for (i = 0; i < 3; i++) {
		j->bo[i] = aiot_test_bo_create(j->fd, PAGE);
		j->map[i] = j->bo[i] ? aiot_test_bo_map(j->fd, j->bo[i], PAGE) : NULL;
		if (!j->map[i])
			return -1;
	}
	aiot_test_fc_weights(j->map[0]);
	return 0;
}

static void fc_close(struct fc_job *j)
{
	int i;

	for (i = 0; i < 3; i++)
		if (j->map[i])
			munmap(j->map[i], PAGE);
	if (j->cmd_map)
		munmap(j->cmd_map, j->cmd_len);
	close(j->fd);
}

/* SUBMIT the stream at [offset, offset + size) of the command BO, wait. */
static int fc_run(struct fc_job *j, uint32_t cmd, uint32_t offset,
		  uint32_t size, int32_t *status)
{
	struct drm_aiot_submit s = {
		.cmd_handle = cmd,
		.cmd_offset = offset,
		.cmd_size = size,
		.out_sync_file = -1,
	};
	struct drm_aiot_job_wait w = { .timeout_ns = 10LL * 1000000000 };
	int i;

	for (i = 0; i < 3; i++)
		s.bindings[i] = j->bo[i];
	if (ioctl(j->fd, DRM_IOCTL_AIOT_SUBMIT, &s))
		return -errno;
	w.job_id = s.job_id;
	if (ioctl(j->fd, DRM_IOCTL_AIOT_JOB_WAIT, &w))
		return -errno;
	*status = w.status;
	return 0;
}

/* The known outputs at byte @at of the output buffer. */
static int outputs_match(const struct fc_job *j, const int8_t *in, unsigned int at)
{
	int o;

	for (o = 0; o < AIOT_TEST_FC_O; o++) {
		int8_t want = aiot_test_fc_expect(in, o);

		if ((int8_t)j->map[2][at + o] != want) {
			tap_diag("output %d at %u: %d, want %d", o, at,
				 (int8_t)j->map[2][at + o], want);
			return 0;
		}
	}
	return 1;
}

static const int8_t input[AIOT_TEST_FC_D] = { 10, -20, 30, -40 };

/*
 * The stream's header ends one page and its operation starts the next: a
 * job that computes the known result proves both pages were read.
 */
static void stream_across_a_page_boundary(void)
{
	uint32_t offset = PAGE - 16, size;
	struct fc_job j;
	int32_t status = -1;

	REQUIRE(fc_open(&j, 3 * PAGE) == 0);
	memcpy(j.map[1], input, sizeof(input));
	size = aiot_test_fc_stream(j.cmd_map + offset);
	REQUIRE(offset + size > PAGE);
	memset(j.map[2], 0x55, PAGE);
	CHECK_EQ(fc_run(&j, j.cmd, offset, size, &status), 0);
	CHECK_EQ(status, 0);
	CHECK(outputs_match(&j, input, 0));

	/* Past the end of the BO by one byte: refused, nothing read. */
	CHECK_EQ(fc_run(&j, j.cmd, 3 * PAGE - size + 4, size, &status), -EINVAL);
	fc_close(&j);
}

/*
 * Rewritten between two SUBMITs with no call in between: the second job
 * runs the new stream, not a copy or mapping kept from the first.
 */
static void stream_rewritten_between_submits(void)
{
	struct aiot_isa_op_fully_connected *op;
	uint32_t offset = 2 * PAGE - 24, size;
	struct fc_job j;
	int32_t status = -1;

	REQUIRE(fc_open(&j, 3 * PAGE) == 0);
	memcpy(j.map[1], input, sizeof(input));
	size = aiot_test_fc_stream(j.cmd_map + offset);
	op = (void *)(j.cmd_map + offset + sizeof(struct aiot_isa_header));
	REQUIRE((uint8_t *)&op->output >= j.cmd_map + 2 * PAGE);

	memset(j.map[2], 0x55, PAGE);
	CHECK_EQ(fc_run(&j, j.cmd, offset, size, &status), 0);
	CHECK_EQ(status, 0);
	CHECK(outputs_match(&j, input, 0));

	/* The output's offset, in the second page, moves the outputs. */
	memset(j.map[2], 0x55, PAGE);
	op->output.offset = 64;
	CHECK_EQ(fc_run(&j, j.cmd, offset, size, &status), 0);
	CHECK_EQ(status, 0);
	CHECK(outputs_match(&j, input, 64));
	CHECK_EQ(j.map[2][0], 0x55);
	CHECK_EQ(j.map[2][1], 0x55);

	/* An unknown opcode in the second page: refused at SUBMIT. */
	op->hdr.opcode = 0x7fff;
	CHECK_EQ(fc_run(&j, j.cmd, offset, size, &status), -EOPNOTSUPP);
	op->hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED;
	op->output.offset = 0;
	CHECK_EQ(fc_run(&j, j.cmd, offset, size, &status), 0);
	CHECK(outputs_match(&j, input, 0));
	fc_close(&j);
}

/* Pages userspace never touched read as zeros: a stream of zeros is refused. */
static void stream_in_untouched_pages(void)
{
	struct fc_job j;
	int32_t status = -1;

	REQUIRE(fc_open(&j, 4 * PAGE) == 0);
	CHECK_EQ(fc_run(&j, j.cmd, 2 * PAGE, 256, &status), -EINVAL);
	fc_close(&j);
}

/* The command BO exported and imported back: the same object, same result. */
static void stream_in_a_reimported_bo(void)
{
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC };
	struct drm_prime_handle imp = { 0 };
	uint32_t offset = PAGE - 8, size;
	struct fc_job j;
	int32_t status = -1;

	REQUIRE(fc_open(&j, 2 * PAGE) == 0);
	memcpy(j.map[1], input, sizeof(input));
	size = aiot_test_fc_stream(j.cmd_map + offset);
	exp.handle = j.cmd;
	REQUIRE(ioctl(j.fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp) == 0);
	imp.fd = exp.fd;
	REQUIRE(ioctl(j.fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp) == 0);
	CHECK_EQ(imp.handle, j.cmd);
	CHECK_EQ(fc_run(&j, imp.handle, offset, size, &status), 0);
	CHECK_EQ(status, 0);
	CHECK(outputs_match(&j, input, 0));
	close(exp.fd);
	fc_close(&j);
}

TAP_MAIN(TAP_CASE(stream_across_a_page_boundary),
	 TAP_CASE(stream_rewritten_between_submits),
	 TAP_CASE(stream_in_untouched_pages),
	 TAP_CASE(stream_in_a_reimported_bo))
