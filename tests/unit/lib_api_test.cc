// SPDX-License-Identifier: GPL-2.0-only
/*
 * libaiot-accel without a device: argument validation of every call,
 * aiot_strerror(), job configuration logic, and the exported symbols.
 */
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <fstream>
#include <cctype>
#include <set>
#include <sstream>
#include <string>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <aiot/accel.h>
#include <aiot/model_format.h>
#include <aiot/sensor.h>
#include <aiot/sim_sensor.h>
#include <linux/aiot_isa.h>

#include "lib_test_fakes.h"

namespace {

// ------------------------------------------------------------- accelerator

TEST(LibAccelArgs, OpenRejectsBadArguments)
{
	struct aiot_accel *accel = nullptr;

	EXPECT_EQ(aiot_accel_open(nullptr, &accel), -EINVAL);
	EXPECT_EQ(aiot_accel_open("/dev/null", nullptr), -EINVAL);
	EXPECT_EQ(aiot_accel_open("/nonexistent/accel0", &accel), -ENOENT);
	// Not a DRM device at all.
	EXPECT_EQ(aiot_accel_open("/dev/null", &accel), -ENODEV);
	EXPECT_EQ(accel, nullptr);
	EXPECT_EQ(aiot_accel_open_default(nullptr), -EINVAL);
}

TEST(LibAccelArgs, OpenDefaultFindsNothingOnTheHost)
{
	struct aiot_accel *accel = nullptr;
	int ret = aiot_accel_open_default(&accel);

	// The development machine cannot load modules: no aiot device.
	EXPECT_EQ(ret, -ENODEV) << aiot_strerror(ret);
	EXPECT_EQ(accel, nullptr);
}

TEST(LibAccelArgs, NullObjectsAreHarmless)
{
	aiot_accel_close(nullptr);
	aiot_accel_info_free(nullptr);
	aiot_buffer_free(nullptr);
	aiot_job_config_free(nullptr);
	aiot_job_free(nullptr);
	aiot_model_free(nullptr);

	EXPECT_EQ(aiot_accel_get_path(nullptr), nullptr);
	EXPECT_EQ(aiot_accel_get_fd(nullptr), -EINVAL);
	EXPECT_FALSE(aiot_accel_has_capability(nullptr, 0));
	EXPECT_EQ(aiot_accel_get_stat(nullptr, AIOT_STAT_BYTES_COPIED), 0u);
	struct aiot_accel_info *info = nullptr;
	EXPECT_EQ(aiot_accel_get_info(nullptr, &info), -EINVAL);
	EXPECT_STREQ(aiot_accel_info_get_backend(nullptr), "");
	EXPECT_EQ(aiot_accel_info_get_capabilities(nullptr), 0u);
	EXPECT_EQ(aiot_accel_info_get_uapi_major(nullptr), 0u);
	EXPECT_EQ(aiot_accel_info_get_uapi_minor(nullptr), 0u);
	EXPECT_EQ(aiot_accel_info_get_hw_id(nullptr), 0u);
	EXPECT_EQ(aiot_accel_info_get_isa_version(nullptr), 0u);
	EXPECT_EQ(aiot_accel_info_get_max_bindings(nullptr), 0u);
	EXPECT_EQ(aiot_accel_info_get_job_timeout_ms(nullptr), 0u);
	unsigned int major = 9, minor = 9, patch = 9;
	aiot_accel_info_get_driver_version(nullptr, &major, &minor, &patch);
	EXPECT_EQ(major + minor + patch, 0u);
	aiot_accel_info_get_driver_version(nullptr, nullptr, nullptr, nullptr);

	EXPECT_EQ(aiot_buffer_get_size(nullptr), 0u);
	EXPECT_EQ(aiot_buffer_get_handle(nullptr), 0u);
	EXPECT_EQ(aiot_job_get_syncobj(nullptr), 0u);
	EXPECT_EQ(aiot_job_get_id(nullptr), 0u);
	EXPECT_STREQ(aiot_model_get_name(nullptr), "");
	EXPECT_EQ(aiot_model_get_input_count(nullptr), 0u);
	EXPECT_EQ(aiot_model_get_output_count(nullptr), 0u);
	EXPECT_EQ(aiot_model_get_arena_size(nullptr), 0u);
	EXPECT_EQ(aiot_model_get_accel(nullptr), nullptr);
	EXPECT_EQ(aiot_model_get_input_info(nullptr, 0), nullptr);
	EXPECT_EQ(aiot_model_get_output_info(nullptr, 0), nullptr);
	EXPECT_STREQ(aiot_tensor_info_get_name(nullptr), "");
	EXPECT_EQ(aiot_tensor_info_get_size(nullptr), 0u);
	EXPECT_EQ(aiot_tensor_info_get_scale(nullptr), 0.0f);
	EXPECT_EQ(aiot_tensor_info_get_zero_point(nullptr), 0);
	EXPECT_EQ(aiot_tensor_info_get_binding(nullptr), 0u);
	EXPECT_EQ(aiot_tensor_info_get_offset(nullptr), 0u);
	uint32_t dims[AIOT_TENSOR_DIMS] = { 1, 2, 3, 4 };
	aiot_tensor_info_get_shape(nullptr, dims);
	EXPECT_EQ(dims[0] + dims[1] + dims[2] + dims[3], 0u);
}

TEST(LibAccelArgs, FakeAccelBasics)
{
	struct aiot_accel *accel = fake_accel_new(AIOT_ACCEL_CAP_BO);

	ASSERT_NE(accel, nullptr);
	EXPECT_STREQ(aiot_accel_get_path(accel), "/dev/null");
	EXPECT_GE(aiot_accel_get_fd(accel), 0);
	EXPECT_TRUE(aiot_accel_has_capability(accel, AIOT_ACCEL_CAP_BO));
	EXPECT_TRUE(aiot_accel_has_capability(accel, 0));
	EXPECT_FALSE(aiot_accel_has_capability(accel, AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT));
	EXPECT_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BUFFERS), 0u);
	EXPECT_EQ(aiot_accel_get_stat(accel, AIOT_STAT_COUNT_), 0u);
	EXPECT_EQ(aiot_accel_get_stat(accel, static_cast<aiot_stat>(-1)), 0u);
	// /dev/null answers no ioctl: the query fails cleanly.
	struct aiot_accel_info *info = nullptr;
	EXPECT_LT(aiot_accel_get_info(accel, &info), 0);
	EXPECT_EQ(info, nullptr);
	EXPECT_EQ(aiot_accel_get_info(accel, nullptr), -EINVAL);
	aiot_accel_close(accel);
}

// ----------------------------------------------------------------- buffers

TEST(LibBufferArgs, CreateAndImportValidateFirst)
{
	struct aiot_accel *with_bo = fake_accel_new(AIOT_ACCEL_CAP_BO);
	struct aiot_accel *without_bo = fake_accel_new(0);
	struct aiot_buffer *buf = nullptr;

	EXPECT_EQ(aiot_buffer_create(nullptr, 4096, &buf), -EINVAL);
	EXPECT_EQ(aiot_buffer_create(with_bo, 4096, nullptr), -EINVAL);
	EXPECT_EQ(aiot_buffer_create(with_bo, 0, &buf), -EINVAL);
	EXPECT_EQ(aiot_buffer_create(with_bo, (1ull << 30) + 1, &buf), -EINVAL);
	EXPECT_EQ(aiot_buffer_create(without_bo, 4096, &buf), -EOPNOTSUPP);
	// The fake device answers no ioctl.
	EXPECT_LT(aiot_buffer_create(with_bo, 4096, &buf), 0);

	EXPECT_EQ(aiot_buffer_import_dmabuf(nullptr, 0, &buf), -EINVAL);
	EXPECT_EQ(aiot_buffer_import_dmabuf(with_bo, 0, nullptr), -EINVAL);
	EXPECT_EQ(aiot_buffer_import_dmabuf(with_bo, -1, &buf), -EBADF);
	EXPECT_EQ(aiot_buffer_import_dmabuf(without_bo, 0, &buf), -EOPNOTSUPP);
	// A pipe is no dma-buf: it cannot seek.
	int fds[2];
	ASSERT_EQ(pipe(fds), 0);
	EXPECT_EQ(aiot_buffer_import_dmabuf(with_bo, fds[0], &buf), -EBADF);
	close(fds[0]);
	close(fds[1]);
	EXPECT_EQ(buf, nullptr);
	EXPECT_EQ(aiot_accel_get_stat(with_bo, AIOT_STAT_BUFFERS), 0u);
	aiot_accel_close(with_bo);
	aiot_accel_close(without_bo);
}

TEST(LibBufferArgs, OperationsValidateArguments)
{
	struct aiot_accel *accel = fake_accel_new(AIOT_ACCEL_CAP_BO);
	struct aiot_buffer *buf = fake_buffer_new(accel, 7, 8192);
	void *ptr = nullptr;

	EXPECT_EQ(aiot_buffer_export_dmabuf(nullptr), -EINVAL);
	EXPECT_EQ(aiot_buffer_map(nullptr, &ptr), -EINVAL);
	EXPECT_EQ(aiot_buffer_map(buf, nullptr), -EINVAL);
	EXPECT_EQ(aiot_buffer_wait(nullptr, 0, 0), -EINVAL);
	EXPECT_EQ(aiot_buffer_wait(buf, 2, 0), -EINVAL);
	EXPECT_EQ(aiot_buffer_wait(buf, ~0u, 0), -EINVAL);
	EXPECT_EQ(aiot_buffer_get_size(buf), 8192u);
	EXPECT_EQ(aiot_buffer_get_handle(buf), 7u);
	// Real calls reach the (fake) device and fail there, not here.
	EXPECT_LT(aiot_buffer_export_dmabuf(buf), 0);
	EXPECT_LT(aiot_buffer_map(buf, &ptr), 0);
	EXPECT_LT(aiot_buffer_wait(buf, AIOT_BUFFER_WAIT_WRITERS, 0), 0);
	fake_buffer_free(buf);
	aiot_accel_close(accel);
}

// ------------------------------------------------------ job configuration

class LibJobConfig : public ::testing::Test {
protected:
	void SetUp() override
	{
		accel = fake_accel_new(AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT);
		other = fake_accel_new(AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT);
		cmd = fake_buffer_new(accel, 1, 4096);
		in = fake_buffer_new(accel, 2, 4096);
		out = fake_buffer_new(accel, 3, 4096);
		foreign = fake_buffer_new(other, 4, 4096);
		config = aiot_job_config_new();
		ASSERT_NE(config, nullptr);
	}

	void TearDown() override
	{
		aiot_job_config_free(config);
		for (auto *b : { cmd, in, out, foreign })
			fake_buffer_free(b);
		aiot_accel_close(accel);
		aiot_accel_close(other);
	}

	struct aiot_accel *accel, *other;
	struct aiot_buffer *cmd, *in, *out, *foreign;
	struct aiot_job_config *config;
};

TEST_F(LibJobConfig, Defaults)
{
	EXPECT_EQ(aiot_job_config_get_priority(config), AIOT_PRIORITY_NORMAL);
	EXPECT_EQ(aiot_job_config_get_deadline(config), 0u);
	EXPECT_EQ(aiot_job_config_get_flags(config), 0u);
	EXPECT_EQ(aiot_job_config_get_in_fence_count(config), 0u);
	for (unsigned int slot = 0; slot < AIOT_MAX_BINDINGS; slot++)
		EXPECT_EQ(aiot_job_config_get_binding(config, slot), nullptr);
	EXPECT_EQ(aiot_job_config_get_priority(nullptr), AIOT_PRIORITY_NORMAL);
	EXPECT_EQ(aiot_job_config_get_deadline(nullptr), 0u);
	EXPECT_EQ(aiot_job_config_get_flags(nullptr), 0u);
	EXPECT_EQ(aiot_job_config_get_in_fence_count(nullptr), 0u);
	EXPECT_EQ(aiot_job_config_get_binding(nullptr, 0), nullptr);
}

TEST_F(LibJobConfig, CommandStreamRange)
{
	EXPECT_EQ(aiot_job_config_set_command_stream(nullptr, cmd, 0, 64), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_command_stream(config, cmd, 0, 0), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_command_stream(config, cmd, 0, 4097), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_command_stream(config, cmd, 4096, 1), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_command_stream(config, cmd, 8192, 1), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_command_stream(config, cmd, SIZE_MAX, 2), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_command_stream(config, cmd, 2, SIZE_MAX), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_command_stream(config, cmd, 0, 4096), 0);
	EXPECT_EQ(aiot_job_config_set_command_stream(config, cmd, 4000, 96), 0);
	EXPECT_EQ(aiot_job_config_set_command_stream(config, nullptr, 0, 0), 0);
}

TEST_F(LibJobConfig, Bindings)
{
	EXPECT_EQ(aiot_job_config_set_binding(nullptr, 0, in), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_binding(config, AIOT_MAX_BINDINGS, in), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_binding(config, ~0u, in), -EINVAL);
	EXPECT_EQ(aiot_job_config_get_binding(config, AIOT_MAX_BINDINGS), nullptr);
	EXPECT_EQ(aiot_job_config_set_binding(config, AIOT_MAX_BINDINGS - 1, in), 0);
	EXPECT_EQ(aiot_job_config_get_binding(config, AIOT_MAX_BINDINGS - 1), in);
	EXPECT_EQ(aiot_job_config_set_binding(config, AIOT_MAX_BINDINGS - 1, nullptr), 0);
	EXPECT_EQ(aiot_job_config_get_binding(config, AIOT_MAX_BINDINGS - 1), nullptr);
}

TEST_F(LibJobConfig, InFences)
{
	struct aiot_job *job = fake_job_new(accel, 42);

	EXPECT_EQ(aiot_job_config_add_in_syncobj(nullptr, 1), -EINVAL);
	EXPECT_EQ(aiot_job_config_add_in_syncobj(config, 0), -EINVAL);
	EXPECT_EQ(aiot_job_config_add_in_sync_file(nullptr, 3), -EINVAL);
	EXPECT_EQ(aiot_job_config_add_in_sync_file(config, -1), -EBADF);
	EXPECT_EQ(aiot_job_config_add_in_job(nullptr, job), -EINVAL);
	EXPECT_EQ(aiot_job_config_add_in_job(config, nullptr), -EINVAL);
	EXPECT_EQ(aiot_job_config_get_in_fence_count(config), 0u);

	for (unsigned int i = 0; i < AIOT_MAX_IN_FENCES; i++) {
		int ret = i % 3 == 0 ? aiot_job_config_add_in_syncobj(config, i + 1) :
			  i % 3 == 1 ? aiot_job_config_add_in_sync_file(config, 0) :
				       aiot_job_config_add_in_job(config, job);
		ASSERT_EQ(ret, 0) << i;
	}
	EXPECT_EQ(aiot_job_config_get_in_fence_count(config), unsigned(AIOT_MAX_IN_FENCES));
	EXPECT_EQ(aiot_job_config_add_in_syncobj(config, 1), -E2BIG);
	EXPECT_EQ(aiot_job_config_add_in_sync_file(config, 0), -E2BIG);
	EXPECT_EQ(aiot_job_config_add_in_job(config, job), -E2BIG);
	aiot_job_config_clear_in_fences(config);
	aiot_job_config_clear_in_fences(nullptr);
	EXPECT_EQ(aiot_job_config_get_in_fence_count(config), 0u);
	fake_job_free(job);
}

TEST_F(LibJobConfig, PriorityDeadlineFlags)
{
	EXPECT_EQ(aiot_job_config_set_priority(nullptr, AIOT_PRIORITY_LOW), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_priority(config, static_cast<aiot_priority>(3)), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_priority(config, static_cast<aiot_priority>(-1)), -EINVAL);
	EXPECT_EQ(aiot_job_config_get_priority(config), AIOT_PRIORITY_NORMAL);
	EXPECT_EQ(aiot_job_config_set_priority(config, AIOT_PRIORITY_HIGH), 0);
	EXPECT_EQ(aiot_job_config_get_priority(config), AIOT_PRIORITY_HIGH);

	EXPECT_EQ(aiot_job_config_set_deadline(nullptr, 5), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_deadline(config, 123456789), 0);
	EXPECT_EQ(aiot_job_config_get_deadline(config), 123456789u);
	EXPECT_EQ(aiot_job_config_set_capture_time(nullptr, 5), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_capture_time(config, 5), 0);

	EXPECT_EQ(aiot_job_config_set_flags(nullptr, 0), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_flags(config, 2), -EINVAL);
	EXPECT_EQ(aiot_job_config_set_flags(config, ~0u), -EINVAL);
	EXPECT_EQ(aiot_job_config_get_flags(config), 0u);
	EXPECT_EQ(aiot_job_config_set_flags(config, AIOT_JOB_CONFIG_FENCE_FD), 0);
	EXPECT_EQ(aiot_job_config_get_flags(config), AIOT_JOB_CONFIG_FENCE_FD);
}

TEST_F(LibJobConfig, TranslatesToSubmit)
{
	struct drm_aiot_submit submit;

	// No command stream: nothing to run.
	EXPECT_EQ(fake_config_to_submit(config, accel, &submit), -EINVAL);

	ASSERT_EQ(aiot_job_config_set_command_stream(config, cmd, 64, 128), 0);
	ASSERT_EQ(aiot_job_config_set_binding(config, 1, in), 0);
	ASSERT_EQ(aiot_job_config_set_binding(config, 2, out), 0);
	ASSERT_EQ(aiot_job_config_set_priority(config, AIOT_PRIORITY_LOW), 0);
	ASSERT_EQ(aiot_job_config_set_deadline(config, 999), 0);
	ASSERT_EQ(fake_config_to_submit(config, accel, &submit), 0);
	EXPECT_EQ(submit.cmd_handle, 1u);
	EXPECT_EQ(submit.cmd_offset, 64u);
	EXPECT_EQ(submit.cmd_size, 128u);
	EXPECT_EQ(submit.bindings[0], 0u);
	EXPECT_EQ(submit.bindings[1], 2u);
	EXPECT_EQ(submit.bindings[2], 3u);
	for (unsigned int slot = 3; slot < DRM_AIOT_MAX_BINDINGS; slot++)
		EXPECT_EQ(submit.bindings[slot], 0u);
	EXPECT_EQ(submit.priority, unsigned(DRM_AIOT_PRIORITY_LOW));
	EXPECT_EQ(submit.deadline_ns, 999u);
	EXPECT_EQ(submit.flags, 0u);
	EXPECT_EQ(submit.out_sync_file, -1);
	EXPECT_EQ(submit.pad, 0u);
	EXPECT_EQ(submit.pad2, 0u);
	EXPECT_EQ(submit.in_syncobj_count, 0u);

	ASSERT_EQ(aiot_job_config_set_priority(config, AIOT_PRIORITY_HIGH), 0);
	ASSERT_EQ(fake_config_to_submit(config, accel, &submit), 0);
	EXPECT_EQ(submit.priority, unsigned(DRM_AIOT_PRIORITY_HIGH));
}

TEST_F(LibJobConfig, SyncFileFlagFollowsTheCapability)
{
	struct aiot_accel *with_sync_file = fake_accel_new(
		AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT | AIOT_ACCEL_CAP_SYNC_FILE);
	struct aiot_buffer *cmd2 = fake_buffer_new(with_sync_file, 9, 4096);
	struct drm_aiot_submit submit;

	ASSERT_EQ(aiot_job_config_set_command_stream(config, cmd, 0, 64), 0);
	ASSERT_EQ(aiot_job_config_set_flags(config, AIOT_JOB_CONFIG_FENCE_FD), 0);
	ASSERT_EQ(fake_config_to_submit(config, accel, &submit), 0);
	EXPECT_EQ(submit.flags, 0u);	// device cannot: made on demand later
	ASSERT_EQ(aiot_job_config_set_command_stream(config, cmd2, 0, 64), 0);
	ASSERT_EQ(fake_config_to_submit(config, with_sync_file, &submit), 0);
	EXPECT_EQ(submit.flags, unsigned(DRM_AIOT_SUBMIT_OUT_SYNC_FILE));
	ASSERT_EQ(aiot_job_config_set_command_stream(config, nullptr, 0, 0), 0);
	fake_buffer_free(cmd2);
	aiot_accel_close(with_sync_file);
}

TEST_F(LibJobConfig, ObjectsOfAnotherAccelAreRejected)
{
	struct drm_aiot_submit submit;
	struct aiot_job *foreign_job = fake_job_new(other, 5);

	ASSERT_EQ(aiot_job_config_set_command_stream(config, foreign, 0, 64), 0);
	EXPECT_EQ(fake_config_to_submit(config, accel, &submit), -EXDEV);
	ASSERT_EQ(aiot_job_config_set_command_stream(config, cmd, 0, 64), 0);
	ASSERT_EQ(aiot_job_config_set_binding(config, 5, foreign), 0);
	EXPECT_EQ(fake_config_to_submit(config, accel, &submit), -EXDEV);
	ASSERT_EQ(aiot_job_config_set_binding(config, 5, nullptr), 0);
	ASSERT_EQ(aiot_job_config_add_in_job(config, foreign_job), 0);
	EXPECT_EQ(fake_config_to_submit(config, accel, &submit), -EXDEV);
	aiot_job_config_clear_in_fences(config);
	EXPECT_EQ(fake_config_to_submit(config, accel, &submit), 0);
	fake_job_free(foreign_job);
}

TEST_F(LibJobConfig, SubmitValidatesBeforeTheDevice)
{
	struct aiot_accel *no_submit = fake_accel_new(AIOT_ACCEL_CAP_BO);
	struct aiot_job *job = nullptr;

	EXPECT_EQ(aiot_accel_submit(nullptr, config, &job), -EINVAL);
	EXPECT_EQ(aiot_accel_submit(accel, nullptr, &job), -EINVAL);
	EXPECT_EQ(aiot_accel_submit(accel, config, nullptr), -EINVAL);
	EXPECT_EQ(aiot_accel_submit(no_submit, config, &job), -EOPNOTSUPP);
	EXPECT_EQ(aiot_accel_submit(accel, config, &job), -EINVAL);	// no stream
	ASSERT_EQ(aiot_job_config_set_command_stream(config, foreign, 0, 64), 0);
	EXPECT_EQ(aiot_accel_submit(accel, config, &job), -EXDEV);
	EXPECT_EQ(job, nullptr);
	EXPECT_EQ(aiot_accel_get_stat(accel, AIOT_STAT_JOBS_SUBMITTED), 0u);
	aiot_accel_close(no_submit);
}

TEST(LibJobArgs, JobCallsValidateArguments)
{
	struct aiot_accel *accel = fake_accel_new(AIOT_ACCEL_CAP_SUBMIT);
	struct aiot_job *job = fake_job_new(accel, 3);
	uint64_t t[4] = { 1, 1, 1, 1 };

	EXPECT_EQ(aiot_job_wait(nullptr, 0), -EINVAL);
	EXPECT_EQ(aiot_job_get_status(nullptr), -EINVAL);
	EXPECT_EQ(aiot_job_get_fence_fd(nullptr), -EINVAL);
	EXPECT_EQ(aiot_job_get_timing(nullptr, &t[0], &t[1], &t[2], &t[3]), -EINVAL);
	// A job not seen to complete.
	EXPECT_EQ(aiot_job_get_status(job), -EINPROGRESS);
	EXPECT_EQ(aiot_job_get_timing(job, &t[0], &t[1], &t[2], &t[3]), -EINPROGRESS);
	EXPECT_EQ(t[0] + t[1] + t[2] + t[3], 0u);
	EXPECT_EQ(aiot_job_get_timing(job, nullptr, nullptr, nullptr, nullptr), -EINPROGRESS);
	EXPECT_EQ(aiot_job_get_syncobj(job), 3u);
	// The fake device answers no ioctl: the wait fails, the job stays open.
	EXPECT_LT(aiot_job_wait(job, 0), 0);
	EXPECT_EQ(aiot_job_get_status(job), -EINPROGRESS);
	EXPECT_LT(aiot_job_get_fence_fd(job), 0);
	fake_job_free(job);
	aiot_accel_close(accel);
}

// ------------------------------------------------------------------ models

TEST(LibModelArgs, LoadValidatesAndExplains)
{
	struct aiot_accel *accel = fake_accel_new(0);
	struct aiot_model *model = nullptr;
	char err[256] = "";
	const char garbage[100] = "definitely not a model";

	EXPECT_EQ(aiot_model_load(nullptr, garbage, sizeof(garbage), &model, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "missing argument");
	EXPECT_EQ(aiot_model_load(accel, nullptr, 10, &model, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(aiot_model_load(accel, garbage, sizeof(garbage), nullptr, nullptr, 0), -EINVAL);
	EXPECT_EQ(aiot_model_load(accel, garbage, sizeof(garbage), &model, err, sizeof(err)), -ENOEXEC);
	EXPECT_NE(std::string(err).find("bad magic"), std::string::npos) << err;
	EXPECT_EQ(aiot_model_load_file(accel, "/nonexistent.aiot", &model, err, sizeof(err)), -ENOENT);
	EXPECT_NE(std::string(err).find("/nonexistent.aiot"), std::string::npos) << err;
	EXPECT_EQ(aiot_model_load_file(nullptr, "/x", &model, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(aiot_model_load_file(accel, nullptr, &model, err, sizeof(err)), -EINVAL);
	// A directory reads as nothing: an empty blob.
	EXPECT_EQ(aiot_model_load_file(accel, "/", &model, err, sizeof(err)) < 0, true);
	EXPECT_EQ(model, nullptr);
	aiot_accel_close(accel);
}

TEST(LibModelArgs, ValidBlobNeedsBufferCapability)
{
	struct aiot_accel *accel = fake_accel_new(0);
	struct aiot_model *model = nullptr;
	uint8_t stream[40] = {};
	aiot_model_tensor t[2] = {};
	aiot_model_blob_parts parts = {};
	void *blob;
	size_t size;
	char err[256] = "";

	// A NOP stream (see lib_model_format_test.cc for the layout).
	const uint32_t hdr[4] = { AIOT_ISA_MAGIC, 0x10000, 40, 1 };
	std::memcpy(stream, hdr, sizeof(hdr));
	stream[36] = 8;
	for (int i = 0; i < 2; i++) {
		t[i].direction = uint8_t(i);
		t[i].dtype = 1;
		t[i].binding = uint8_t(1 + i);
		t[i].dims[0] = t[i].dims[1] = t[i].dims[2] = 1;
		t[i].dims[3] = 8;
		t[i].size = 8;
		t[i].scale_bits = 0x3f800000;	// 1.0f
	}
	parts.isa_version = 0x10000;
	parts.command_stream = stream;
	parts.command_stream_size = sizeof(stream);
	parts.weights_binding = AIOT_MODEL_NO_BINDING;
	parts.arena_binding = AIOT_MODEL_NO_BINDING;
	parts.tensors = t;
	parts.tensor_count = 2;
	ASSERT_EQ(aiot_model_blob_build(&parts, &blob, &size, err, sizeof(err)), 0) << err;
	EXPECT_EQ(aiot_model_load(accel, blob, size, &model, err, sizeof(err)), -EOPNOTSUPP);
	EXPECT_NE(std::string(err).find("command stream buffer"), std::string::npos) << err;
	EXPECT_EQ(model, nullptr);
	std::free(blob);
	aiot_accel_close(accel);
}

TEST(LibModelArgs, ModelCallsValidateArguments)
{
	struct aiot_job *job = nullptr;
	const void *ptr = nullptr;
	char data[8];

	EXPECT_EQ(aiot_model_bind_input(nullptr, 0, nullptr), -EINVAL);
	EXPECT_EQ(aiot_model_bind_output(nullptr, 0, nullptr), -EINVAL);
	EXPECT_EQ(aiot_model_write_input(nullptr, 0, data, sizeof(data)), -EINVAL);
	EXPECT_EQ(aiot_model_read_output(nullptr, 0, data, sizeof(data)), -EINVAL);
	EXPECT_EQ(aiot_model_map_output(nullptr, 0, &ptr), -EINVAL);
	EXPECT_EQ(aiot_model_submit(nullptr, nullptr, &job), -EINVAL);
	EXPECT_EQ(aiot_model_run(nullptr, 0), -EINVAL);
	EXPECT_EQ(job, nullptr);
}

// An output's real values: TensorFlow Lite's DEQUANTIZE, (float)(double
// scale * (q - zero point)), checked on values whose result is exact.
TEST(LibModelArgs, ReadOutputFloatDequantizes)
{
	struct aiot_accel *accel = fake_accel_new(AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT);
	struct aiot_model *model = fake_model_new(accel, 0, 16, 16);
	struct aiot_model_tensor *t;
	const void *ptr = nullptr;
	float v[2] = { -1.0f, -1.0f }, scale = 0.5f;
	std::vector<int8_t> mem(4096);

	ASSERT_NE(model, nullptr);
	fake_model_map_output(model, mem.data());
	t = fake_model_output_desc(model);
	EXPECT_FALSE(aiot_tensor_info_is_dequantized(aiot_model_get_output_info(model, 0)));
	std::memcpy(&t->scale_bits, &scale, sizeof(scale));
	t->zero_point = -128;
	t->flags = AIOT_MODEL_TENSOR_F_DEQUANTIZE;
	EXPECT_TRUE(aiot_tensor_info_is_dequantized(aiot_model_get_output_info(model, 0)));
	EXPECT_FALSE(aiot_tensor_info_is_dequantized(nullptr));
	ASSERT_EQ(aiot_model_map_output(model, 0, &ptr), 0);
	int8_t *q = static_cast<int8_t *>(const_cast<void *>(ptr));
	q[0] = 127;
	q[1] = -128;
	EXPECT_EQ(aiot_model_read_output_float(model, 0, v, 2), 0);
	EXPECT_EQ(v[0], 127.5f);
	EXPECT_EQ(v[1], 0.0f);
	// int16, one element: -32768 with zero point 0 and scale 2^-15 is -1.
	t->dtype = 2;
	t->zero_point = 0;
	scale = 1.0f / 32768;
	std::memcpy(&t->scale_bits, &scale, sizeof(scale));
	q[0] = 0;
	q[1] = -128;				// little-endian 0x8000
	EXPECT_EQ(aiot_model_read_output_float(model, 0, v, 1), 0);
	EXPECT_EQ(v[0], -1.0f);
	// The count is the element count, nothing else.
	EXPECT_EQ(aiot_model_read_output_float(model, 0, v, 2), -EINVAL);
	EXPECT_EQ(aiot_model_read_output_float(model, 0, v, 0), -EINVAL);
	EXPECT_EQ(aiot_model_read_output_float(model, 1, v, 1), -EINVAL);
	EXPECT_EQ(aiot_model_read_output_float(model, 0, nullptr, 1), -EINVAL);
	EXPECT_EQ(aiot_model_read_output_float(nullptr, 0, v, 1), -EINVAL);
	fake_model_free(model);
	aiot_accel_close(accel);
}

// Indices past the counts, and the lookup by name, on a model of one input
// ("" named) and one output.
TEST(LibModelArgs, BadIndicesAndNamesAreRefused)
{
	struct aiot_accel *accel = fake_accel_new(AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT);
	struct aiot_model *model = fake_model_new(accel, 0, 16, 16);
	const void *ptr = nullptr;
	char data[16] = {};

	ASSERT_NE(model, nullptr);
	EXPECT_NE(aiot_model_get_input_info(model, 0), nullptr);
	EXPECT_EQ(aiot_model_get_input_info(model, 1), nullptr);
	EXPECT_NE(aiot_model_get_output_info(model, 0), nullptr);
	EXPECT_EQ(aiot_model_get_output_info(model, 1), nullptr);
	EXPECT_EQ(aiot_model_get_output_info(model, ~0u), nullptr);
	EXPECT_EQ(aiot_model_bind_input(model, 1, nullptr), -EINVAL);
	EXPECT_EQ(aiot_model_bind_output(model, 1, nullptr), -EINVAL);
	EXPECT_EQ(aiot_model_write_input(model, 1, data, sizeof(data)), -EINVAL);
	EXPECT_EQ(aiot_model_read_output(model, 1, data, 2), -EINVAL);
	EXPECT_EQ(aiot_model_map_output(model, 1, &ptr), -EINVAL);
	EXPECT_EQ(ptr, nullptr);
	// Index 0 is there: binding back to the model's own buffer works.
	EXPECT_EQ(aiot_model_bind_input(model, 0, nullptr), 0);
	EXPECT_EQ(aiot_model_bind_output(model, 0, nullptr), 0);

	EXPECT_EQ(aiot_model_find_input(model, ""), 0);
	EXPECT_EQ(aiot_model_find_output(model, ""), 0);
	EXPECT_EQ(aiot_model_find_input(model, "image"), -ENOENT);
	EXPECT_EQ(aiot_model_find_output(model, "scores"), -ENOENT);
	EXPECT_EQ(aiot_model_find_input(model, nullptr), -EINVAL);
	EXPECT_EQ(aiot_model_find_input(nullptr, ""), -EINVAL);
	EXPECT_EQ(aiot_model_find_output(nullptr, ""), -EINVAL);
	fake_model_free(model);
	aiot_accel_close(accel);
}

// ------------------------------------------------- external dma-buf inputs

// A file that seeks like a dma-buf (memfd) of @size bytes.
int seekable_fd(size_t size)
{
	int fd = memfd_create("not-a-dmabuf", MFD_CLOEXEC);

	if (fd >= 0 && ftruncate(fd, (off_t)size)) {
		close(fd);
		return -1;
	}
	return fd;
}

// Open fds of this process, to see that a failed import leaks none.
int open_fd_count()
{
	int n = 0;

	for (int fd = 0; fd < 4096; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

class LibDmabufInput : public ::testing::Test {
protected:
	void SetUp() override
	{
		accel = fake_accel_new(AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT);
		// 96x96 GREY frame at offset 0 of slot 1, nothing else in the slot.
		model = fake_model_new(accel, 0, 96 * 96, 96 * 96);
		ASSERT_NE(model, nullptr);
	}

	void TearDown() override
	{
		fake_model_free(model);
		aiot_accel_close(accel);
	}

	int import(int fd, size_t offset, size_t length, unsigned int index = 0)
	{
		err[0] = '\0';
		buf = nullptr;
		return aiot_model_import_input_dmabuf(model, index, fd, offset, length, &buf, err,
						      sizeof(err));
	}

	bool err_has(const char *text) const
	{
		return std::string(err).find(text) != std::string::npos;
	}

	struct aiot_accel *accel;
	struct aiot_model *model;
	struct aiot_buffer *buf = nullptr;
	char err[256] = "";
};

TEST_F(LibDmabufInput, ArgumentsAreCheckedWithAReason)
{
	int fd = seekable_fd(96 * 96);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(aiot_model_import_input_dmabuf(nullptr, 0, fd, 0, 0, &buf, err, sizeof(err)),
		  -EINVAL);
	EXPECT_STREQ(err, "missing argument");
	EXPECT_EQ(aiot_model_import_input_dmabuf(model, 0, fd, 0, 0, nullptr, err, sizeof(err)),
		  -EINVAL);
	EXPECT_EQ(import(fd, 0, 0, 1), -EINVAL);
	EXPECT_TRUE(err_has("no input 1 (the model has 1)")) << err;
	// Messages are optional.
	EXPECT_EQ(aiot_model_import_input_dmabuf(model, 1, fd, 0, 0, &buf, nullptr, 0), -EINVAL);
	EXPECT_EQ(aiot_model_bind_input_dmabuf(nullptr, 0, fd, 0, 0, nullptr, 0), -EINVAL);
	EXPECT_EQ(aiot_model_bind_input_dmabuf(model, 3, fd, 0, 0, err, sizeof(err)), -EINVAL);
	EXPECT_TRUE(err_has("no input 3")) << err;
	EXPECT_EQ(buf, nullptr);
	close(fd);
}

TEST_F(LibDmabufInput, FdsThatAreNoDmabuf)
{
	int fds[2];

	EXPECT_EQ(import(-1, 0, 0), -EBADF);
	EXPECT_TRUE(err_has("fd -1 is not open")) << err;
	EXPECT_EQ(import(4000, 0, 0), -EBADF);
	ASSERT_EQ(pipe(fds), 0);
	EXPECT_EQ(import(fds[0], 0, 0), -EBADF);
	EXPECT_TRUE(err_has("is not a dma-buf (it cannot seek)")) << err;
	close(fds[0]);
	close(fds[1]);
	int empty = seekable_fd(0);
	ASSERT_GE(empty, 0);
	EXPECT_EQ(import(empty, 0, 0), -EBADF);
	EXPECT_TRUE(err_has("it has no bytes")) << err;
	close(empty);
	EXPECT_EQ(aiot_model_get_dmabuf_count(model), 0u);
}

TEST_F(LibDmabufInput, SizeAndOffsetAgainstTheTensor)
{
	int small = seekable_fd(96 * 96 - 1), fd = seekable_fd(96 * 96 + 4096);

	ASSERT_GE(small, 0);
	ASSERT_GE(fd, 0);
	// One byte short of the 96x96 frame.
	EXPECT_EQ(import(small, 0, 0), -EINVAL);
	EXPECT_TRUE(err_has("9215 bytes of data, the tensor takes 9216")) << err;
	// The tensor is at offset 0 of its slot; a frame further in cannot be bound.
	EXPECT_EQ(import(fd, 64, 0), -EINVAL);
	EXPECT_TRUE(err_has("offset 64 of the dma-buf")) << err;
	EXPECT_TRUE(err_has("offset 0 of its binding slot")) << err;
	// Bytes filled by the producer: fewer than the tensor, or past the end.
	EXPECT_EQ(import(fd, 0, 96 * 96 - 1), -EINVAL);
	EXPECT_TRUE(err_has("the tensor takes 9216")) << err;
	EXPECT_EQ(import(fd, 0, 96 * 96 + 4097), -EINVAL);
	EXPECT_TRUE(err_has("overrun the dma-buf's 13312 bytes")) << err;
	EXPECT_EQ(import(fd, 0, SIZE_MAX), -EINVAL);
	EXPECT_EQ(aiot_model_bind_input_dmabuf(model, 0, small, 0, 0, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(aiot_model_get_dmabuf_count(model), 0u);
	close(small);
	close(fd);
}

TEST_F(LibDmabufInput, OtherTensorsOfTheSlotCount)
{
	// The input at offset 4096 of a slot of 4096 + 9216 + 100 bytes.
	struct aiot_model *m = fake_model_new(accel, 4096, 96 * 96, 4096 + 96 * 96 + 100);
	int fd = seekable_fd(4096 + 96 * 96);

	ASSERT_NE(m, nullptr);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(aiot_model_import_input_dmabuf(m, 0, fd, 0, 0, &buf, err, sizeof(err)), -EINVAL);
	EXPECT_EQ(aiot_model_import_input_dmabuf(m, 0, fd, 4096, 0, &buf, err, sizeof(err)),
		  -EINVAL);
	EXPECT_TRUE(err_has("13312 bytes, its binding slot 1 needs 13412")) << err;
	close(fd);
	fake_model_free(m);
}

TEST_F(LibDmabufInput, AFittingFdReachesTheDeviceAndLeaksNothing)
{
	int fd = seekable_fd(96 * 96), before;

	ASSERT_GE(fd, 0);
	before = open_fd_count();
	// The fake device (/dev/null) refuses the PRIME ioctl: the arguments passed.
	int ret = import(fd, 0, 96 * 96);
	EXPECT_LT(ret, 0);
	EXPECT_NE(ret, -EINVAL);
	EXPECT_NE(ret, -EBADF);
	EXPECT_TRUE(err_has("PRIME import of fd")) << err;
	EXPECT_EQ(buf, nullptr);
	EXPECT_EQ(open_fd_count(), before);	// the model's dup() is closed again
	EXPECT_EQ(aiot_model_get_dmabuf_count(model), 0u);
	EXPECT_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BUFFERS), 0u);
	EXPECT_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED), 0u);
	close(fd);
}

TEST_F(LibDmabufInput, ReleaseAndCount)
{
	int fd = seekable_fd(96 * 96);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(aiot_model_release_dmabuf(nullptr, fd), -EINVAL);
	EXPECT_EQ(aiot_model_release_dmabuf(model, -1), -EBADF);
	EXPECT_EQ(aiot_model_release_dmabuf(model, 4000), -EBADF);
	// Never imported.
	EXPECT_EQ(aiot_model_release_dmabuf(model, fd), -ENOENT);
	EXPECT_EQ(aiot_model_get_dmabuf_count(nullptr), 0u);
	EXPECT_EQ(aiot_model_get_dmabuf_count(model), 0u);
	close(fd);
}

TEST(LibExports, DmabufInputsAreVersion05)
{
	std::string cmd = std::string("nm -D --defined-only ") + AIOT_TEST_LIB_SO;
	FILE *p = popen(cmd.c_str(), "r");
	char line[512];
	std::set<std::string> v05;

	ASSERT_NE(p, nullptr);
	while (fgets(line, sizeof(line), p)) {
		char addr[64], type[8], name[256];

		if (sscanf(line, "%63s %7s %255s", addr, type, name) != 3)
			continue;
		std::string n(name);
		size_t at = n.find("@@AIOT_ACCEL_0.5");
		if (at != std::string::npos)
			v05.insert(n.substr(0, at));
	}
	pclose(p);
	EXPECT_EQ(v05, (std::set<std::string>{ "aiot_model_bind_input_dmabuf",
					       "aiot_model_get_dmabuf_count",
					       "aiot_model_import_input_dmabuf",
					       "aiot_model_release_dmabuf" }));
}


// ------------------------------------------------------------------ sensors

TEST(LibSensorArgs, OpenValidatesAndFindsNothingOnTheHost)
{
	struct aiot_sensor *sensor = nullptr;

	EXPECT_EQ(aiot_sensor_open(nullptr, &sensor), -EINVAL);
	EXPECT_EQ(aiot_sensor_open("/dev/null", nullptr), -EINVAL);
	EXPECT_EQ(aiot_sensor_open("/nonexistent/sensor0", &sensor), -ENOENT);
	// Answers no sensor ioctl: not a sensor stream.
	EXPECT_EQ(aiot_sensor_open("/dev/null", &sensor), -ENODEV);
	EXPECT_EQ(aiot_sensor_open_by_name(nullptr, &sensor), -EINVAL);
	EXPECT_EQ(aiot_sensor_open_by_name("", &sensor), -EINVAL);
	EXPECT_EQ(aiot_sensor_open_by_name("accel0", nullptr), -EINVAL);
	EXPECT_EQ(aiot_sensor_open_by_index(0, nullptr), -EINVAL);
	EXPECT_EQ(aiot_sensor_open_by_name("accel0", &sensor), -ENOENT);
	EXPECT_EQ(aiot_sensor_open_by_index(0, &sensor), -ENOENT);
	EXPECT_EQ(sensor, nullptr);
}

TEST(LibSensorArgs, NullObjectsAreHarmless)
{
	struct aiot_sensor_slot slot;
	struct aiot_sensor_properties *props = nullptr;
	struct aiot_buffer *buf = nullptr;
	const void *data = nullptr;
	unsigned int a = 7, b = 7;

	aiot_sensor_close(nullptr);
	aiot_sensor_properties_free(nullptr);
	aiot_sensor_settings_free(nullptr);
	EXPECT_EQ(aiot_sensor_get_path(nullptr), nullptr);
	EXPECT_EQ(aiot_sensor_get_fd(nullptr), -EINVAL);
	EXPECT_EQ(aiot_sensor_get_properties(nullptr, &props), -EINVAL);
	EXPECT_EQ(aiot_sensor_configure(nullptr, nullptr), -EINVAL);
	EXPECT_EQ(aiot_sensor_start(nullptr), -EINVAL);
	EXPECT_EQ(aiot_sensor_stop(nullptr), -EINVAL);
	EXPECT_EQ(aiot_sensor_dequeue(nullptr, 0, &slot), -EINVAL);
	EXPECT_EQ(aiot_sensor_queue(nullptr, 0), -EINVAL);
	EXPECT_EQ(aiot_sensor_get_slot_data(nullptr, 0, &data), -EINVAL);
	EXPECT_EQ(aiot_sensor_get_slot_timing(nullptr, 0, nullptr, nullptr), -EINVAL);
	EXPECT_EQ(aiot_sensor_export_slot(nullptr, 0), -EINVAL);
	EXPECT_EQ(aiot_sensor_import_slot(nullptr, 0, nullptr, &buf), -EINVAL);
	EXPECT_EQ(aiot_sensor_get_slot_count(nullptr), 0u);
	EXPECT_EQ(aiot_sensor_get_slot_size(nullptr), 0u);
	EXPECT_EQ(aiot_sensor_get_period_ns(nullptr), 0u);
	EXPECT_STREQ(aiot_sensor_properties_get_name(nullptr), "");
	EXPECT_EQ(aiot_sensor_properties_get_kind(nullptr), AIOT_SENSOR_KIND_OTHER);
	EXPECT_EQ(aiot_sensor_properties_get_state(nullptr), AIOT_SENSOR_STATE_UNCONFIGURED);
	EXPECT_FALSE(aiot_sensor_properties_has_format(nullptr, AIOT_SENSOR_FMT_U8));
	EXPECT_FALSE(aiot_sensor_properties_has_pattern(nullptr, AIOT_SIM_PATTERN_SINE));
	aiot_sensor_properties_get_channels(nullptr, &a, &b);
	EXPECT_EQ(a + b, 0u);
	a = b = 7;
	aiot_sensor_properties_get_rate_range(nullptr, &a, &b);
	EXPECT_EQ(a + b, 0u);
	a = b = 7;
	aiot_sensor_properties_get_frame_size(nullptr, &a, &b);
	EXPECT_EQ(a + b, 0u);
	aiot_sensor_properties_get_frame_size(nullptr, nullptr, nullptr);
	EXPECT_EQ(aiot_sensor_properties_get_max_slots(nullptr), 0u);
	EXPECT_EQ(aiot_sensor_properties_get_max_slot_size(nullptr), 0u);
	EXPECT_EQ(aiot_sensor_properties_get_capabilities(nullptr), 0u);
	EXPECT_EQ(aiot_sensor_properties_get_drops(nullptr), 0u);
	EXPECT_EQ(aiot_sensor_properties_get_sequence(nullptr), 0u);
}

TEST(LibSensorArgs, SettingsSetters)
{
	struct aiot_sensor_settings *settings = aiot_sensor_settings_new();

	ASSERT_NE(settings, nullptr);
	EXPECT_EQ(aiot_sensor_settings_set_format(nullptr, AIOT_SENSOR_FMT_U8), -EINVAL);
	EXPECT_EQ(aiot_sensor_settings_set_channels(nullptr, 1), -EINVAL);
	EXPECT_EQ(aiot_sensor_settings_set_rate(nullptr, 1), -EINVAL);
	EXPECT_EQ(aiot_sensor_settings_set_samples_per_slot(nullptr, 1), -EINVAL);
	EXPECT_EQ(aiot_sensor_settings_set_slot_count(nullptr, 1), -EINVAL);
	EXPECT_EQ(aiot_sensor_settings_set_overflow(nullptr, AIOT_SENSOR_OVERFLOW_DROP_NEWEST), -EINVAL);
	EXPECT_EQ(aiot_sensor_settings_set_pattern(nullptr, AIOT_SIM_PATTERN_RAMP), -EINVAL);
	EXPECT_EQ(aiot_sensor_settings_set_format(settings, AIOT_SENSOR_FMT_U8), 0);
	EXPECT_EQ(aiot_sensor_settings_set_channels(settings, 3), 0);
	EXPECT_EQ(aiot_sensor_settings_set_rate(settings, 100), 0);
	EXPECT_EQ(aiot_sensor_settings_set_samples_per_slot(settings, 10), 0);
	EXPECT_EQ(aiot_sensor_settings_set_slot_count(settings, 8), 0);
	EXPECT_EQ(aiot_sensor_settings_set_overflow(settings, AIOT_SENSOR_OVERFLOW_OVERWRITE_OLDEST), 0);
	EXPECT_EQ(aiot_sensor_settings_set_pattern(settings, AIOT_SIM_PATTERN_RAMP), 0);
	aiot_sensor_settings_free(settings);
}

// ------------------------------------------------------------------ errors

TEST(LibStrerror, ExplainsAiotMeanings)
{
	EXPECT_STREQ(aiot_strerror(0), "success");
	EXPECT_NE(std::string(aiot_strerror(-ETIMEDOUT)).find("hung"), std::string::npos);
	EXPECT_NE(std::string(aiot_strerror(-ETIME)).find("deadline"), std::string::npos);
	EXPECT_NE(std::string(aiot_strerror(-EBADMSG)).find("checksum"), std::string::npos);
	EXPECT_NE(std::string(aiot_strerror(-ENOEXEC)).find("model blob"), std::string::npos);
	EXPECT_NE(std::string(aiot_strerror(-EXDEV)).find("another aiot device"), std::string::npos);
	EXPECT_NE(std::string(aiot_strerror(-EOPNOTSUPP)).find("capabilities"), std::string::npos);
	EXPECT_NE(std::string(aiot_strerror(-ENODEV)).find("module"), std::string::npos);
	// Positive values are taken as their negation.
	EXPECT_STREQ(aiot_strerror(ETIMEDOUT), aiot_strerror(-ETIMEDOUT));
	// Others fall back to the system's text; unknown values still get one.
	EXPECT_STREQ(aiot_strerror(-ENOMEM), "Cannot allocate memory");
	EXPECT_STREQ(aiot_strerror(-100000), "unknown error");
	EXPECT_NE(aiot_strerror(INT32_MIN), nullptr);
}

// --------------------------------------------------------------- exports

std::set<std::string> exported_symbols()
{
	std::set<std::string> names;
	std::string cmd = std::string("nm -D --defined-only ") + AIOT_TEST_LIB_SO;
	FILE *p = popen(cmd.c_str(), "r");
	char line[512];

	if (!p)
		return names;
	while (fgets(line, sizeof(line), p)) {
		char addr[64], type[8], name[256];

		if (sscanf(line, "%63s %7s %255s", addr, type, name) != 3)
			continue;
		if (std::string(type) == "A")	// the version node, AIOT_ACCEL_0.1
			continue;
		std::string n(name);
		names.insert(n.substr(0, n.find('@')));
	}
	pclose(p);
	return names;
}

// Every function the public headers declare: after each AIOT_API, the
// identifier right before the first '('.
std::set<std::string> declared_functions()
{
	std::set<std::string> names;

	for (const char *h : { "include/aiot/accel.h", "include/aiot/model_format.h",
			       "include/aiot/sensor.h", "include/aiot/pipeline.h" }) {
		std::ifstream f(h);
		std::stringstream ss;

		ss << f.rdbuf();
		std::string text = ss.str();
		EXPECT_FALSE(text.empty()) << h << " (run the tests from the source tree)";
		for (size_t at = text.find("AIOT_API "); at != std::string::npos;
		     at = text.find("AIOT_API ", at + 1)) {
			size_t paren = text.find('(', at);
			size_t end = paren;

			if (paren == std::string::npos)
				break;
			while (end > at && std::isspace((unsigned char)text[end - 1]))
				end--;
			size_t begin = end;
			while (begin > at && (std::isalnum((unsigned char)text[begin - 1]) ||
					      text[begin - 1] == '_'))
				begin--;
			std::string name = text.substr(begin, end - begin);
			if (name.rfind("aiot_", 0) == 0)
				names.insert(name);
		}
	}
	return names;
}

TEST(LibExports, OnlyTheApiIsExported)
{
	std::set<std::string> exported = exported_symbols();
	std::set<std::string> declared = declared_functions();

	ASSERT_FALSE(exported.empty()) << "nm -D " << AIOT_TEST_LIB_SO;
	ASSERT_GT(declared.size(), 50u);
	for (const auto &name : exported) {
		EXPECT_EQ(name.rfind("aiot_", 0), 0u) << "exported: " << name;
		EXPECT_TRUE(declared.count(name)) << "exported but not in a public header: " << name;
	}
	for (const auto &name : declared)
		EXPECT_TRUE(exported.count(name)) << "declared but not exported: " << name;
}

TEST(LibExports, SonameAndVersionNode)
{
	std::string cmd = std::string("readelf -d ") + AIOT_TEST_LIB_SO;
	FILE *p = popen(cmd.c_str(), "r");
	char line[512];
	bool soname = false;

	ASSERT_NE(p, nullptr);
	while (fgets(line, sizeof(line), p))
		soname |= std::strstr(line, "(SONAME)") &&
			  std::strstr(line, "[libaiot-accel.so.0]");
	pclose(p);
	EXPECT_TRUE(soname);

	cmd = std::string("nm -D ") + AIOT_TEST_LIB_SO;
	p = popen(cmd.c_str(), "r");
	ASSERT_NE(p, nullptr);
	bool versioned = false, v03 = false;
	while (fgets(line, sizeof(line), p)) {
		versioned |= std::strstr(line, "aiot_accel_open@@AIOT_ACCEL_0.1") != nullptr;
		// 0.3 added the slots' DMA-done times.
		v03 |= std::strstr(line, "aiot_sensor_get_slot_timing@@AIOT_ACCEL_0.3") != nullptr;
	}
	pclose(p);
	EXPECT_TRUE(versioned);
	EXPECT_TRUE(v03);
}

}  // namespace
