// SPDX-License-Identifier: GPL-2.0-only
/*
 * libaiot-accel against the real modules: discovery, query, buffers and
 * PRIME, jobs with fences in and out, models with the copying and the
 * zero-copy paths. A device without buffers or jobs fails the cases that
 * need them, loudly: a missing capability is a bug here, not a skip.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include <aiot/accel.h>
#include <aiot/model_format.h>
#include <linux/aiot_isa.h>

#include "aiot_testlib.h"
#include "tap.h"

#define SECOND_NS	1000000000LL

static struct aiot_accel *open_accel(void)
{
	struct aiot_accel *accel = NULL;
	int ret = aiot_accel_open_default(&accel);

	if (ret)
		tap_diag("aiot_accel_open_default: %s", aiot_strerror(ret));
	return accel;
}

/* Fail (not skip) when the kernel lacks what the case needs. */
static int have_caps(struct aiot_accel *accel, uint64_t caps)
{
	struct aiot_accel_info *info = NULL;
	uint64_t have = 0;

	if (aiot_accel_get_info(accel, &info) == 0)
		have = aiot_accel_info_get_capabilities(info);
	aiot_accel_info_free(info);
	if ((have & caps) == caps)
		return 1;
	tap_diag("the device lacks capabilities 0x%llx (has 0x%llx): this aiot.ko "
		 "does not implement BO_CREATE/SUBMIT/JOB_WAIT yet",
		 (unsigned long long)(caps & ~have), (unsigned long long)have);
	return 0;
}

#define REQUIRE_CAPS(accel, caps) do {					\
	if (!have_caps(accel, caps)) {					\
		tap_case_failed = 1;					\
		aiot_accel_close(accel);				\
		return;							\
	}								\
} while (0)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SECOND_NS + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------ command streams */

static struct aiot_isa_tensor isa_tensor(uint8_t binding, uint32_t offset, uint32_t c)
{
	struct aiot_isa_tensor t = {
		.offset = offset,
		.binding = binding,
		.dtype = AIOT_ISA_DTYPE_INT8,
		.dims = { 1, 1, 1, c },
	};
	return t;
}

/* One NOP: the smallest valid stream. Returns its size. */
static size_t nop_stream(void *buf)
{
	struct {
		struct aiot_isa_header hdr;
		struct aiot_isa_op_nop nop;
	} s = {
		.hdr = { .magic = AIOT_ISA_MAGIC, .version = AIOT_ISA_VERSION_CURRENT,
			 .size = sizeof(s), .op_count = 1 },
		.nop = { .hdr = { .opcode = AIOT_ISA_OP_NOP, .size = sizeof(s.nop) } },
	};

	memcpy(buf, &s, sizeof(s));
	return sizeof(s);
}

#define MODEL_N		16	/* elements of the test model's input/output */
#define SLOT_WEIGHTS	0
#define SLOT_INPUT	1
#define SLOT_OUTPUT	2
#define SLOT_ARENA	3

/*
 * The test model: output = 2 * input (int8, saturating), through the arena:
 * REQUANTIZE input -> arena (multiplier 0.5 in Q31, shift +2), then RESHAPE
 * arena -> output. Weights are present (unused) so their slot is exercised.
 */
static int build_double_model(void **blob, size_t *size)
{
	struct {
		struct aiot_isa_header hdr;
		struct aiot_isa_op_requantize rq;
		struct aiot_isa_op_reshape rs;
	} s;
	struct aiot_model_tensor tensors[2];
	static const uint8_t weights[64] = { 1, 2, 3 };
	struct aiot_model_blob_parts parts = { 0 };
	const float scale = 0.25f;
	char err[200];
	int ret;

	memset(&s, 0, sizeof(s));
	s.hdr = (struct aiot_isa_header){ .magic = AIOT_ISA_MAGIC,
		.version = AIOT_ISA_VERSION_CURRENT, .size = sizeof(s), .op_count = 2 };
	s.rq.hdr = (struct aiot_isa_op_header){ .opcode = AIOT_ISA_OP_REQUANTIZE,
						.size = sizeof(s.rq) };
	s.rq.input = isa_tensor(SLOT_INPUT, 0, MODEL_N);
	s.rq.output = isa_tensor(SLOT_ARENA, 64, MODEL_N);
	s.rq.multiplier = 1 << 30;
	s.rq.shift = 2;
	s.rq.act = (struct aiot_isa_activation){ -128, 127 };
	s.rs.hdr = (struct aiot_isa_op_header){ .opcode = AIOT_ISA_OP_RESHAPE,
						.size = sizeof(s.rs) };
	s.rs.input = isa_tensor(SLOT_ARENA, 64, MODEL_N);
	s.rs.output = isa_tensor(SLOT_OUTPUT, 0, MODEL_N);

	memset(tensors, 0, sizeof(tensors));
	for (int i = 0; i < 2; i++) {
		struct aiot_model_tensor *t = &tensors[i];

		snprintf(t->name, sizeof(t->name), "%s", i ? "doubled" : "samples");
		t->direction = (uint8_t)i;
		t->dtype = AIOT_ISA_DTYPE_INT8;
		t->binding = i ? SLOT_OUTPUT : SLOT_INPUT;
		t->dims[0] = t->dims[1] = t->dims[2] = 1;
		t->dims[3] = MODEL_N;
		t->size = MODEL_N;
		memcpy(&t->scale_bits, &scale, 4);
		t->zero_point = 0;
	}
	parts.name = "double";
	parts.isa_version = AIOT_ISA_VERSION_CURRENT;
	parts.command_stream = &s;
	parts.command_stream_size = sizeof(s);
	parts.weights = weights;
	parts.weights_size = sizeof(weights);
	parts.weights_binding = SLOT_WEIGHTS;
	parts.arena_size = 4096;
	parts.arena_binding = SLOT_ARENA;
	parts.tensors = tensors;
	parts.tensor_count = 2;
	ret = aiot_model_blob_build(&parts, blob, size, err, sizeof(err));
	if (ret)
		tap_diag("aiot_model_blob_build: %s", err);
	return ret;
}

static void fill_input(int8_t *in, int seed)
{
	for (int i = 0; i < MODEL_N; i++)
		in[i] = (int8_t)(seed + i * 9 - 70);
}

static int check_doubled(const int8_t *in, const int8_t *out)
{
	for (int i = 0; i < MODEL_N; i++) {
		int want = 2 * in[i];

		want = want > 127 ? 127 : want < -128 ? -128 : want;
		if (out[i] != want) {
			tap_diag("element %d: %d doubled gave %d, want %d", i, in[i],
				 out[i], want);
			return 0;
		}
	}
	return 1;
}

/* ------------------------------------------------------------- devices */

static void open_default_finds_the_accelerator(void)
{
	char path[64];
	int fd = aiot_test_open_accel(path, sizeof(path));
	struct aiot_accel *accel = open_accel();

	REQUIRE(fd >= 0);
	close(fd);
	REQUIRE(accel);
	CHECK(strcmp(aiot_accel_get_path(accel), path) == 0);
	CHECK(aiot_accel_get_fd(accel) >= 0);
	tap_diag("opened %s", aiot_accel_get_path(accel));
	aiot_accel_close(accel);
}

static void open_by_path_and_reject_others(void)
{
	struct aiot_accel *accel = NULL, *again = NULL;
	char path[64];
	int fd = aiot_test_open_accel(path, sizeof(path));

	REQUIRE(fd >= 0);
	close(fd);
	CHECK_EQ(aiot_accel_open(path, &accel), 0);
	/* Two opens are two independent files. */
	CHECK_EQ(aiot_accel_open(path, &again), 0);
	CHECK(accel && again && aiot_accel_get_fd(accel) != aiot_accel_get_fd(again));
	CHECK_EQ(aiot_accel_open("/dev/null", &accel), -ENODEV);
	CHECK_EQ(aiot_accel_open("/dev/accel/none", &accel), -ENOENT);
	aiot_accel_close(accel);
	aiot_accel_close(again);
}

static void query_through_the_library(void)
{
	struct aiot_accel *accel = open_accel();
	struct aiot_accel_info *info = NULL;
	unsigned int major, minor, patch;
	int accel_node;

	REQUIRE(accel);
	REQUIRE(aiot_accel_get_info(accel, &info) == 0);
	CHECK(strcmp(aiot_accel_info_get_backend(info),
		     aiot_test_npu_backend()) == 0);
	CHECK_EQ(aiot_accel_info_get_uapi_major(info), 1);
	CHECK_EQ(aiot_accel_info_get_max_bindings(info), AIOT_MAX_BINDINGS);
	CHECK_EQ(aiot_accel_info_get_isa_version(info) >> 16, AIOT_ISA_VERSION_MAJOR);
	CHECK(aiot_accel_info_get_job_timeout_ms(info) > 0);
	accel_node = strncmp(aiot_accel_get_path(accel), "/dev/accel/", 11) == 0;
	CHECK_EQ(!!(aiot_accel_info_get_capabilities(info) & AIOT_ACCEL_CAP_ACCEL_NODE),
		 accel_node);
	CHECK_EQ(aiot_accel_has_capability(accel, AIOT_ACCEL_CAP_ACCEL_NODE), accel_node);
	aiot_accel_info_get_driver_version(info, &major, &minor, &patch);
	tap_diag("%s: driver %u.%u.%u, uAPI %u.%u, caps 0x%llx", aiot_accel_info_get_backend(info),
		 major, minor, patch, aiot_accel_info_get_uapi_major(info),
		 aiot_accel_info_get_uapi_minor(info),
		 (unsigned long long)aiot_accel_info_get_capabilities(info));
	aiot_accel_info_free(info);
	aiot_accel_close(accel);
}

static void device_has_buffers_and_jobs(void)
{
	struct aiot_accel *accel = open_accel();

	REQUIRE(accel);
	REQUIRE_CAPS(accel, AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT);
	aiot_accel_close(accel);
}

/* ------------------------------------------------------------- buffers */

static void buffer_create_map_free(void)
{
	struct aiot_accel *accel = open_accel();
	struct aiot_buffer *buf = NULL;
	void *ptr = NULL, *again = NULL;

	REQUIRE(accel);
	REQUIRE_CAPS(accel, AIOT_ACCEL_CAP_BO);
	REQUIRE(aiot_buffer_create(accel, 10000, &buf) == 0);
	CHECK_EQ(aiot_buffer_get_size(buf), 12288);	/* whole pages */
	CHECK(aiot_buffer_get_handle(buf) != 0);
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BUFFERS), 1);
	REQUIRE(aiot_buffer_map(buf, &ptr) == 0);
	memset(ptr, 0x5a, 12288);
	REQUIRE(aiot_buffer_map(buf, &again) == 0);
	CHECK(ptr == again);
	CHECK_EQ(((uint8_t *)again)[12287], 0x5a);
	CHECK_EQ(aiot_buffer_wait(buf, 0, 0), 0);
	CHECK_EQ(aiot_buffer_wait(buf, AIOT_BUFFER_WAIT_WRITERS, SECOND_NS), 0);
	CHECK_EQ(aiot_buffer_wait(buf, 0x100, 0), -EINVAL);
	CHECK_EQ(aiot_buffer_create(accel, 0, &buf), -EINVAL);
	CHECK_EQ(aiot_buffer_create(accel, (1ull << 30) + 1, &buf), -EINVAL);
	aiot_buffer_free(buf);
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BUFFERS), 0);
	aiot_accel_close(accel);
}

static void buffer_export_import_shares_pages(void)
{
	struct aiot_accel *accel = open_accel(), *other = open_accel();
	struct aiot_buffer *buf = NULL, *self_import = NULL, *twice = NULL, *remote = NULL;
	uint8_t *ptr = NULL, *rptr = NULL;
	int fd;

	REQUIRE(accel && other);
	REQUIRE_CAPS(accel, AIOT_ACCEL_CAP_BO);
	REQUIRE(aiot_buffer_create(accel, 4096, &buf) == 0);
	REQUIRE(aiot_buffer_map(buf, (void **)&ptr) == 0);
	for (int i = 0; i < 4096; i++)
		ptr[i] = (uint8_t)(i * 7);
	fd = aiot_buffer_export_dmabuf(buf);
	REQUIRE(fd >= 0);

	/* Back into the same file: same GEM object, counted handle. */
	REQUIRE(aiot_buffer_import_dmabuf(accel, fd, &self_import) == 0);
	REQUIRE(aiot_buffer_import_dmabuf(accel, fd, &twice) == 0);
	CHECK_EQ(aiot_buffer_get_handle(self_import), aiot_buffer_get_handle(buf));
	CHECK_EQ(aiot_buffer_get_size(self_import), 4096);
	aiot_buffer_free(self_import);
	aiot_buffer_free(twice);
	/* The original's handle survived the imports' release. */
	CHECK_EQ(aiot_buffer_wait(buf, 0, 0), 0);

	/* Into another file (another process would be the same): same pages. */
	REQUIRE(aiot_buffer_import_dmabuf(other, fd, &remote) == 0);
	close(fd);	/* the import holds its own reference */
	REQUIRE(aiot_buffer_map(remote, (void **)&rptr) == 0);
	CHECK(memcmp(rptr, ptr, 4096) == 0);
	rptr[100] = 0xee;
	CHECK_EQ(ptr[100], 0xee);
	CHECK_EQ(aiot_buffer_import_dmabuf(accel, -1, &remote), -EBADF);
	aiot_buffer_free(remote);
	aiot_buffer_free(buf);
	aiot_accel_close(accel);
	aiot_accel_close(other);
}

/* ---------------------------------------------------------------- jobs */

struct nop_job_setup {
	struct aiot_accel *accel;
	struct aiot_buffer *cmd;
	struct aiot_job_config *config;
};

static int nop_setup(struct nop_job_setup *s)
{
	void *ptr;
	size_t size;

	memset(s, 0, sizeof(*s));
	s->accel = open_accel();
	if (!s->accel || !have_caps(s->accel, AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT))
		return 0;
	if (aiot_buffer_create(s->accel, 4096, &s->cmd) ||
	    aiot_buffer_map(s->cmd, &ptr))
		return 0;
	size = nop_stream(ptr);
	s->config = aiot_job_config_new();
	return s->config &&
	       aiot_job_config_set_command_stream(s->config, s->cmd, 0, size) == 0;
}

static void nop_teardown(struct nop_job_setup *s)
{
	aiot_job_config_free(s->config);
	aiot_buffer_free(s->cmd);
	aiot_accel_close(s->accel);
}

static void submit_and_wait_nop_job(void)
{
	struct nop_job_setup s;
	struct aiot_job *job = NULL;
	uint64_t capture, queued, started, ended, before = now_ns();

	if (!nop_setup(&s)) {
		tap_case_failed = 1;
		nop_teardown(&s);
		return;
	}
	CHECK_EQ(aiot_job_config_set_capture_time(s.config, before - 1000), 0);
	REQUIRE(aiot_accel_submit(s.accel, s.config, &job) == 0);
	CHECK(aiot_job_get_syncobj(job) != 0);
	CHECK_EQ(aiot_job_wait(job, 5 * SECOND_NS), 0);
	CHECK_EQ(aiot_job_get_status(job), 0);
	CHECK_EQ(aiot_job_get_timing(job, &capture, &queued, &started, &ended), 0);
	CHECK_EQ(capture, before - 1000);
	CHECK(queued >= before && started >= queued && ended >= started);
	CHECK(ended <= now_ns());
	tap_diag("nop job: queued->started %llu ns, started->ended %llu ns",
		 (unsigned long long)(started - queued), (unsigned long long)(ended - started));
	/* A completed job answers again without asking the device. */
	CHECK_EQ(aiot_job_wait(job, 0), 0);
	CHECK_EQ(aiot_accel_get_stat(s.accel, AIOT_STAT_JOBS_SUBMITTED), 1);
	CHECK_EQ(aiot_accel_get_stat(s.accel, AIOT_STAT_JOBS_COMPLETED), 1);
	aiot_job_free(job);
	nop_teardown(&s);
}

static void submit_rejects_bad_streams(void)
{
	struct nop_job_setup s;
	struct aiot_job *job = NULL;
	void *ptr;

	if (!nop_setup(&s)) {
		tap_case_failed = 1;
		nop_teardown(&s);
		return;
	}
	REQUIRE(aiot_buffer_map(s.cmd, &ptr) == 0);
	((struct aiot_isa_header *)ptr)->magic ^= 1;	/* the device validates */
	CHECK_EQ(aiot_accel_submit(s.accel, s.config, &job), -EINVAL);
	((struct aiot_isa_header *)ptr)->magic ^= 1;
	CHECK_EQ(aiot_job_config_set_priority(s.config, AIOT_PRIORITY_LOW), 0);
	CHECK_EQ(aiot_accel_submit(s.accel, s.config, &job), 0);
	CHECK_EQ(aiot_job_wait(job, 5 * SECOND_NS), 0);
	aiot_job_free(job);
	nop_teardown(&s);
}

static void fence_fd_fits_a_poll_loop(void)
{
	struct nop_job_setup s;
	struct aiot_job *job = NULL;
	struct pollfd pfd;

	if (!nop_setup(&s)) {
		tap_case_failed = 1;
		nop_teardown(&s);
		return;
	}
	/* Both ways: sync_file made at submit, and made on demand. */
	for (int at_submit = 0; at_submit < 2; at_submit++) {
		CHECK_EQ(aiot_job_config_set_flags(s.config,
						   at_submit ? AIOT_JOB_CONFIG_FENCE_FD : 0), 0);
		REQUIRE(aiot_accel_submit(s.accel, s.config, &job) == 0);
		pfd.fd = aiot_job_get_fence_fd(job);
		pfd.events = POLLIN;
		REQUIRE(pfd.fd >= 0);
		CHECK_EQ(aiot_job_get_fence_fd(job), pfd.fd);	/* same fd again */
		CHECK_EQ(poll(&pfd, 1, 5000), 1);
		CHECK(pfd.revents & POLLIN);
		CHECK_EQ(aiot_job_wait(job, 0), 0);
		CHECK_EQ(aiot_job_get_status(job), 0);
		aiot_job_free(job);
	}
	nop_teardown(&s);
}

static void jobs_chain_through_in_fences(void)
{
	struct nop_job_setup s;
	struct aiot_job *first = NULL, *second = NULL, *third = NULL;
	uint64_t first_end, second_start, second_end, third_start;
	int fence;

	if (!nop_setup(&s)) {
		tap_case_failed = 1;
		nop_teardown(&s);
		return;
	}
	REQUIRE(aiot_accel_submit(s.accel, s.config, &first) == 0);
	/* As a job (its syncobj). */
	REQUIRE(aiot_job_config_add_in_job(s.config, first) == 0);
	REQUIRE(aiot_accel_submit(s.accel, s.config, &second) == 0);
	aiot_job_config_clear_in_fences(s.config);
	/* As a sync_file (imported into a temporary syncobj). */
	fence = aiot_job_get_fence_fd(second);
	REQUIRE(fence >= 0);
	REQUIRE(aiot_job_config_add_in_sync_file(s.config, fence) == 0);
	REQUIRE(aiot_accel_submit(s.accel, s.config, &third) == 0);
	aiot_job_config_clear_in_fences(s.config);
	CHECK_EQ(aiot_job_wait(third, 5 * SECOND_NS), 0);
	CHECK_EQ(aiot_job_wait(second, 5 * SECOND_NS), 0);
	CHECK_EQ(aiot_job_wait(first, 5 * SECOND_NS), 0);
	CHECK_EQ(aiot_job_get_status(third), 0);
	aiot_job_get_timing(first, NULL, NULL, NULL, &first_end);
	aiot_job_get_timing(second, NULL, NULL, &second_start, &second_end);
	aiot_job_get_timing(third, NULL, NULL, &third_start, NULL);
	CHECK(second_start >= first_end);
	CHECK(third_start >= second_end);
	aiot_job_free(first);
	aiot_job_free(second);
	aiot_job_free(third);
	nop_teardown(&s);
}

/*
 * An in-fence given as a DRM syncobj the application owns (here: holding
 * another job's sync_file, as a display or camera driver would hand one
 * over), and what the configuration reports back.
 */
static void syncobj_in_fence_and_config_getters(void)
{
	struct nop_job_setup s;
	struct aiot_job *first = NULL, *second = NULL;
	uint64_t first_end, second_start;
	uint32_t syncobj;
	int fd;

	if (!nop_setup(&s)) {
		tap_case_failed = 1;
		nop_teardown(&s);
		return;
	}
	fd = aiot_accel_get_fd(s.accel);
	REQUIRE(drmSyncobjCreate(fd, 0, &syncobj) == 0);
	REQUIRE(aiot_accel_submit(s.accel, s.config, &first) == 0);
	REQUIRE(drmSyncobjImportSyncFile(fd, syncobj, aiot_job_get_fence_fd(first)) == 0);

	CHECK_EQ(aiot_job_config_get_in_fence_count(s.config), 0);
	REQUIRE(aiot_job_config_add_in_syncobj(s.config, syncobj) == 0);
	CHECK_EQ(aiot_job_config_get_in_fence_count(s.config), 1);
	CHECK_EQ(aiot_job_config_set_priority(s.config, AIOT_PRIORITY_LOW), 0);
	CHECK_EQ(aiot_job_config_get_priority(s.config), AIOT_PRIORITY_LOW);
	CHECK_EQ(aiot_job_config_set_flags(s.config, AIOT_JOB_CONFIG_FENCE_FD), 0);
	CHECK_EQ(aiot_job_config_get_flags(s.config), AIOT_JOB_CONFIG_FENCE_FD);
	CHECK_EQ(aiot_job_config_set_deadline(s.config, now_ns() + 10 * SECOND_NS), 0);
	CHECK(aiot_job_config_get_deadline(s.config) > now_ns());
	CHECK(aiot_job_config_get_binding(s.config, 0) == NULL);
	REQUIRE(aiot_accel_submit(s.accel, s.config, &second) == 0);

	CHECK_EQ(aiot_job_wait(second, 5 * SECOND_NS), 0);
	CHECK_EQ(aiot_job_get_status(second), 0);
	CHECK_EQ(aiot_job_wait(first, 0), 0);
	aiot_job_get_timing(first, NULL, NULL, NULL, &first_end);
	aiot_job_get_timing(second, NULL, NULL, &second_start, NULL);
	CHECK(second_start >= first_end);
	/* Ids: per file, increasing, never 0. */
	CHECK(aiot_job_get_id(first) != 0);
	CHECK(aiot_job_get_id(second) > aiot_job_get_id(first));
	CHECK_EQ(aiot_job_config_add_in_syncobj(s.config, 0), -EINVAL);
	drmSyncobjDestroy(fd, syncobj);
	aiot_job_free(first);
	aiot_job_free(second);
	nop_teardown(&s);
}

static void missed_deadline_is_reported(void)
{
	struct nop_job_setup s;
	struct aiot_job *job = NULL;

	if (!nop_setup(&s)) {
		tap_case_failed = 1;
		nop_teardown(&s);
		return;
	}
	/* Long past: the job must complete with -ETIME without running. */
	CHECK_EQ(aiot_job_config_set_deadline(s.config, 1), 0);
	REQUIRE(aiot_accel_submit(s.accel, s.config, &job) == 0);
	CHECK_EQ(aiot_job_wait(job, 5 * SECOND_NS), 0);
	CHECK_EQ(aiot_job_get_status(job), -ETIME);
	CHECK_EQ(aiot_accel_get_stat(s.accel, AIOT_STAT_JOBS_FAILED), 1);
	aiot_job_free(job);
	nop_teardown(&s);
}

/* --------------------------------------------------------------- models */

static struct aiot_model *load_double(struct aiot_accel *accel)
{
	struct aiot_model *model = NULL;
	char err[200] = "";
	void *blob;
	size_t size;
	int ret;

	if (build_double_model(&blob, &size))
		return NULL;
	ret = aiot_model_load(accel, blob, size, &model, err, sizeof(err));
	if (ret)
		tap_diag("aiot_model_load: %s: %s", aiot_strerror(ret), err);
	free(blob);
	return model;
}

static void model_load_and_describe(void)
{
	struct aiot_accel *accel = open_accel();
	struct aiot_model *model;
	const struct aiot_tensor_info *in, *out;
	uint32_t dims[AIOT_TENSOR_DIMS];
	char err[200] = "";
	const char junk[128] = "AIOTMODL";

	REQUIRE(accel);
	REQUIRE_CAPS(accel, AIOT_ACCEL_CAP_BO);
	CHECK_EQ(aiot_model_load(accel, junk, sizeof(junk), &model, err, sizeof(err)),
		 -EPROTONOSUPPORT);
	tap_diag("junk blob: %s", err);
	model = load_double(accel);
	REQUIRE(model);
	CHECK(strcmp(aiot_model_get_name(model), "double") == 0);
	CHECK(aiot_model_get_accel(model) == accel);
	CHECK_EQ(aiot_model_get_input_count(model), 1);
	CHECK_EQ(aiot_model_get_output_count(model), 1);
	CHECK_EQ(aiot_model_get_arena_size(model), 4096);
	in = aiot_model_get_input_info(model, 0);
	out = aiot_model_get_output_info(model, 0);
	REQUIRE(in && out);
	CHECK(aiot_model_get_input_info(model, 1) == NULL);
	CHECK(strcmp(aiot_tensor_info_get_name(in), "samples") == 0);
	CHECK(strcmp(aiot_tensor_info_get_name(out), "doubled") == 0);
	CHECK_EQ(aiot_tensor_info_get_dtype(in), AIOT_DTYPE_INT8);
	aiot_tensor_info_get_shape(in, dims);
	CHECK(dims[0] == 1 && dims[3] == MODEL_N);
	CHECK_EQ(aiot_tensor_info_get_size(out), MODEL_N);
	CHECK(aiot_tensor_info_get_scale(in) == 0.25f);
	CHECK_EQ(aiot_tensor_info_get_zero_point(in), 0);
	CHECK_EQ(aiot_tensor_info_get_binding(in), SLOT_INPUT);
	CHECK_EQ(aiot_tensor_info_get_offset(out), 0);
	/* Stream and weights went in once, at load. */
	CHECK(aiot_accel_get_stat(accel, AIOT_STAT_BYTES_LOADED) > 64);
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED), 0);
	aiot_model_free(model);
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BUFFERS), 0);
	aiot_accel_close(accel);
}

static void model_runs_with_copies(void)
{
	struct aiot_accel *accel = open_accel();
	struct aiot_model *model;
	int8_t in[MODEL_N], out[MODEL_N];
	int ret;

	REQUIRE(accel);
	REQUIRE_CAPS(accel, AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT);
	model = load_double(accel);
	REQUIRE(model);
	fill_input(in, 3);
	CHECK_EQ(aiot_model_write_input(model, 0, in, sizeof(in) - 1), -EINVAL);
	REQUIRE(aiot_model_write_input(model, 0, in, sizeof(in)) == 0);
	ret = aiot_model_run(model, 5 * SECOND_NS);
	if (ret)
		tap_diag("aiot_model_run: %s", aiot_strerror(ret));
	CHECK_EQ(ret, 0);
	REQUIRE(aiot_model_read_output(model, 0, out, sizeof(out)) == 0);
	CHECK(check_doubled(in, out));
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED), 2 * MODEL_N);
	aiot_model_free(model);
	aiot_accel_close(accel);
}

/* The output written straight into the caller's buffer, read in place. */
static void model_output_into_caller_buffer(void)
{
	struct aiot_accel *accel = open_accel();
	const struct aiot_tensor_info *info;
	struct aiot_buffer *buf = NULL;
	struct aiot_model *model;
	int8_t in[MODEL_N], out[MODEL_N];
	void *ptr;

	REQUIRE(accel);
	REQUIRE_CAPS(accel, AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT);
	model = load_double(accel);
	REQUIRE(model);
	info = aiot_model_get_output_info(model, 0);
	REQUIRE(info);
	REQUIRE(aiot_buffer_create(accel, aiot_tensor_info_get_offset(info) +
				   aiot_tensor_info_get_size(info), &buf) == 0);
	REQUIRE(aiot_model_bind_output(model, 0, buf) == 0);
	fill_input(in, 7);
	REQUIRE(aiot_model_write_input(model, 0, in, sizeof(in)) == 0);
	CHECK_EQ(aiot_model_run(model, 5 * SECOND_NS), 0);
	REQUIRE(aiot_buffer_map(buf, &ptr) == 0);
	CHECK_EQ(aiot_buffer_wait(buf, 0, 5 * SECOND_NS), 0);
	memcpy(out, (int8_t *)ptr + aiot_tensor_info_get_offset(info), sizeof(out));
	CHECK(check_doubled(in, out));
	/* Back to the model's own buffer. */
	CHECK_EQ(aiot_model_bind_output(model, 0, NULL), 0);
	CHECK_EQ(aiot_model_bind_output(model, 9, buf), -EINVAL);
	aiot_model_free(model);
	aiot_buffer_free(buf);
	aiot_accel_close(accel);
}

/*
 * The zero-copy path: the input lives in a dma-buf made elsewhere (as a
 * sensor slot is), imported and bound; the output is read in place.
 */
static void model_runs_zero_copy_on_imported_buffer(void)
{
	struct aiot_accel *accel = open_accel(), *producer = open_accel();
	struct aiot_buffer *slot = NULL, *imported = NULL;
	struct aiot_model *model;
	struct aiot_job *job = NULL;
	int8_t *samples;
	const void *result;
	int fd;

	REQUIRE(accel && producer);
	REQUIRE_CAPS(accel, AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT);
	model = load_double(accel);
	REQUIRE(model);
	REQUIRE(aiot_buffer_create(producer, 4096, &slot) == 0);
	REQUIRE(aiot_buffer_map(slot, (void **)&samples) == 0);
	fill_input(samples, -11);
	fd = aiot_buffer_export_dmabuf(slot);
	REQUIRE(fd >= 0);
	REQUIRE(aiot_buffer_import_dmabuf(accel, fd, &imported) == 0);
	close(fd);

	CHECK_EQ(aiot_model_bind_input(model, 0, slot), -EXDEV);
	CHECK_EQ(aiot_model_bind_input(model, 1, imported), -EINVAL);
	REQUIRE(aiot_model_bind_input(model, 0, imported) == 0);
	REQUIRE(aiot_model_submit(model, NULL, &job) == 0);
	CHECK_EQ(aiot_job_wait(job, 5 * SECOND_NS), 0);
	CHECK_EQ(aiot_job_get_status(job), 0);
	REQUIRE(aiot_model_map_output(model, 0, &result) == 0);
	CHECK(check_doubled(samples, result));
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED), 0);
	aiot_job_free(job);

	/* Back to the model's own buffer. */
	REQUIRE(aiot_model_bind_input(model, 0, NULL) == 0);
	aiot_model_free(model);
	aiot_buffer_free(imported);
	aiot_buffer_free(slot);
	aiot_accel_close(accel);
	aiot_accel_close(producer);
}

/* Jobs queued ahead, each on its own input buffer (as on upcoming slots). */
static void model_jobs_queued_ahead_on_separate_buffers(void)
{
	enum { AHEAD = 4 };
	struct aiot_accel *accel = open_accel();
	struct aiot_buffer *inputs[AHEAD] = { 0 }, *outputs[AHEAD] = { 0 };
	struct aiot_job *jobs[AHEAD] = { 0 };
	struct aiot_job_config *options = aiot_job_config_new();
	struct aiot_model *model;
	int8_t *in[AHEAD], *out[AHEAD];
	int i;

	REQUIRE(accel && options);
	REQUIRE_CAPS(accel, AIOT_ACCEL_CAP_BO | AIOT_ACCEL_CAP_SUBMIT);
	model = load_double(accel);
	REQUIRE(model);
	for (i = 0; i < AHEAD; i++) {
		REQUIRE(aiot_buffer_create(accel, 4096, &inputs[i]) == 0);
		REQUIRE(aiot_buffer_create(accel, 4096, &outputs[i]) == 0);
		REQUIRE(aiot_buffer_map(inputs[i], (void **)&in[i]) == 0);
		REQUIRE(aiot_buffer_map(outputs[i], (void **)&out[i]) == 0);
		fill_input(in[i], 10 * i);
		aiot_job_config_set_binding(options, SLOT_INPUT, inputs[i]);
		aiot_job_config_set_binding(options, SLOT_OUTPUT, outputs[i]);
		aiot_job_config_set_capture_time(options, now_ns());
		REQUIRE(aiot_model_submit(model, options, &jobs[i]) == 0);
	}
	for (i = 0; i < AHEAD; i++) {
		uint64_t capture, ended;

		CHECK_EQ(aiot_job_wait(jobs[i], 5 * SECOND_NS), 0);
		CHECK_EQ(aiot_job_get_status(jobs[i]), 0);
		CHECK(check_doubled(in[i], out[i]));
		aiot_job_get_timing(jobs[i], &capture, NULL, NULL, &ended);
		CHECK(capture && ended > capture);
		aiot_job_free(jobs[i]);
	}
	CHECK_EQ(aiot_accel_get_stat(accel, AIOT_STAT_BYTES_COPIED), 0);
	aiot_model_free(model);
	for (i = 0; i < AHEAD; i++) {
		aiot_buffer_free(inputs[i]);
		aiot_buffer_free(outputs[i]);
	}
	aiot_job_config_free(options);
	aiot_accel_close(accel);
}

TAP_MAIN(
	TAP_CASE(open_default_finds_the_accelerator),
	TAP_CASE(open_by_path_and_reject_others),
	TAP_CASE(query_through_the_library),
	TAP_CASE(device_has_buffers_and_jobs),
	TAP_CASE(buffer_create_map_free),
	TAP_CASE(buffer_export_import_shares_pages),
	TAP_CASE(submit_and_wait_nop_job),
	TAP_CASE(submit_rejects_bad_streams),
	TAP_CASE(fence_fd_fits_a_poll_loop),
	TAP_CASE(jobs_chain_through_in_fences),
	TAP_CASE(syncobj_in_fence_and_config_getters),
	TAP_CASE(missed_deadline_is_reported),
	TAP_CASE(model_load_and_describe),
	TAP_CASE(model_runs_with_copies),
	TAP_CASE(model_output_into_caller_buffer),
	TAP_CASE(model_runs_zero_copy_on_imported_buffer),
	TAP_CASE(model_jobs_queued_ahead_on_separate_buffers),
)
