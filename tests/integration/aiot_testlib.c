// SPDX-License-Identifier: GPL-2.0-only
#include "aiot_testlib.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>
#include <linux/aiot_sensor.h>

uint64_t aiot_test_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int is_aiot(int fd)
{
	char name[32] = "";
	struct drm_version v = {
		.name = name,
		.name_len = sizeof(name) - 1,
	};

	if (ioctl(fd, DRM_IOCTL_VERSION, &v))
		return 0;
	return strcmp(name, AIOT_DRM_DRIVER_NAME) == 0;
}

static int scan(const char *dir, const char *prefix, char *path, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int fd = -1;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, len, "%s/%s", dir, de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_aiot(fd))
			break;
		close(fd);
		fd = -1;
	}
	closedir(d);
	return fd;
}

int aiot_test_open_accel(char *path, size_t pathlen)
{
	int fd = scan("/dev/accel", "accel", path, pathlen);

	if (fd < 0)
		fd = scan("/dev/dri", "renderD", path, pathlen);
	if (fd < 0)
		errno = ENODEV;
	return fd;
}

int aiot_test_node_sysfs(const char *devpath, char *out, size_t outlen)
{
	const char *base = strrchr(devpath, '/');

	if (!base)
		return -EINVAL;
	base++;
	snprintf(out, outlen, "/sys/class/%s/%s",
		 strncmp(base, "accel", 5) == 0 ? "accel" : "drm", base);
	return access(out, F_OK) ? -errno : 0;
}

int aiot_test_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

int aiot_test_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), ret = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int aiot_test_modprobe(const char *name)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execlp("modprobe", "modprobe", name, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int aiot_test_rmmod(const char *name)
{
	/*
	 * delete_module(2) directly, for its errno: with O_NONBLOCK a module
	 * that is in use or depended upon gives EWOULDBLOCK.
	 */
	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		return -errno;
	return 0;
}

int aiot_test_module_loaded(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

int aiot_test_open_sensor(unsigned int kind, char *path, size_t pathlen)
{
	struct aiot_sensor_info info;
	struct dirent *de;
	DIR *d = opendir("/dev/aiot");
	int fd = -1;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "sensor", 6))
			continue;
		snprintf(path, pathlen, "/dev/aiot/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (ioctl(fd, AIOT_SENSOR_IOC_INFO, &info) == 0 &&
		    info.kind == kind)
			break;
		close(fd);
		fd = -1;
	}
	closedir(d);
	if (fd < 0)
		errno = ENODEV;
	return fd;
}

int aiot_test_rmmod_wait(const char *name, int timeout_ms)
{
	int ret, waited;

	/* Finished jobs release the module from a workqueue, a moment later. */
	for (waited = 0;; waited += 20) {
		ret = aiot_test_rmmod(name);
		if (ret != -EWOULDBLOCK || waited >= timeout_ms)
			return ret;
		usleep(20 * 1000);
	}
}

int aiot_test_npu_is_card(void)
{
	const char *npu = getenv("AIOT_TEST_NPU");

	return npu && strcmp(npu, "card") == 0;
}

const char *aiot_test_npu_backend(void)
{
	return aiot_test_npu_is_card() ? "aiot-npu-card" : "aiot-sim-npu";
}

const char *aiot_test_npu_module(void)
{
	return aiot_test_npu_is_card() ? "aiot_card" : "aiot_sim";
}

/* The first entry of dir (skipping dot files), for one-device guests. */
static int first_entry(const char *dir, char *out, size_t outlen)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ret = snprintf(out, outlen, "%s/%s", dir, de->d_name) <
		      (int)outlen ? 0 : -ENAMETOOLONG;
		break;
	}
	closedir(d);
	return ret;
}

const char *aiot_test_sim_npu_dev(void)
{
	static char name[256];
	struct dirent *de;
	DIR *d;

	if (name[0])
		return name;
	/* Created by aiot-sim (create_devices), or a devicetree node's. */
	snprintf(name, sizeof(name), "aiot-sim-npu.0");
	d = opendir("/sys/bus/platform/devices");
	if (!d || access("/sys/bus/platform/devices/aiot-sim-npu.0", F_OK) == 0)
		goto out;
	while ((de = readdir(d))) {
		char path[512], compat[64] = "";

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/of_node/compatible",
			 de->d_name);
		if (aiot_test_read_file(path, compat, sizeof(compat)) == 0 &&
		    strcmp(compat, "aiot,sim-npu") == 0) {
			snprintf(name, sizeof(name), "%s", de->d_name);
			break;
		}
	}
out:
	if (d)
		closedir(d);
	return name;
}

int aiot_test_npu_knob_path(const char *knob, char *out, size_t outlen)
{
	char dir[256];
	int ret;

	if (!aiot_test_npu_is_card()) {
		snprintf(out, outlen, "/sys/kernel/debug/%s/%s", aiot_test_sim_npu_dev(), knob);
		return 0;
	}
	ret = first_entry("/sys/kernel/debug/aiot-card", dir, sizeof(dir));
	if (ret)
		return ret;
	snprintf(out, outlen, "%s/%s", dir, knob);
	return 0;
}

int aiot_test_npu_state_path(char *out, size_t outlen)
{
	char dir[256];
	int ret;

	if (!aiot_test_npu_is_card()) {
		snprintf(out, outlen, "/sys/kernel/debug/aiot/%s/state",
			 aiot_test_sim_npu_dev());
		return 0;
	}
	ret = first_entry("/sys/kernel/debug/aiot", dir, sizeof(dir));
	if (ret)
		return ret;
	snprintf(out, outlen, "%s/state", dir);
	return 0;
}

static int sysfs_in_class(const char *class, const char *prefix, const char *name,
			  char *out, size_t outlen)
{
	const char *want = aiot_test_npu_backend();
	char path[512], backend[64];
	struct dirent *de;
	DIR *d = opendir(class);
	int ret = -ENOENT;

	if (!d)
		return -ENOENT;
	while (ret && (de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "%s/%s/device/aiot/backend", class, de->d_name);
		if (aiot_test_read_file(path, backend, sizeof(backend)))
			continue;
		backend[strcspn(backend, "\n")] = 0;
		if (strcmp(backend, want))
			continue;
		ret = snprintf(out, outlen, "%s/%s/device/aiot/%s", class, de->d_name, name) <
		      (int)outlen ? 0 : -ENAMETOOLONG;
	}
	closedir(d);
	return ret;
}

int aiot_test_npu_sysfs_path(const char *name, char *out, size_t outlen)
{
	if (!sysfs_in_class("/sys/class/accel", "accel", name, out, outlen))
		return 0;
	return sysfs_in_class("/sys/class/drm", "renderD", name, out, outlen);
}

long aiot_test_npu_sysfs_long(const char *name)
{
	char path[512], buf[64];

	if (aiot_test_npu_sysfs_path(name, path, sizeof(path)) ||
	    aiot_test_read_file(path, buf, sizeof(buf)))
		return -1;
	return atol(buf);
}

int aiot_test_npu_unload(int with_core, int timeout_ms)
{
	int ret = 0;

	if (aiot_test_npu_is_card())
		ret = aiot_test_rmmod_wait("aiot_card", timeout_ms);
	if (!ret)
		ret = aiot_test_rmmod_wait("aiot_sim", timeout_ms);
	if (!ret && with_core)
		ret = aiot_test_rmmod_wait("aiot", timeout_ms);
	return ret;
}

int aiot_test_npu_load(int with_core, const char *core_args)
{
	char cmd[256];
	int ret;

	if (with_core) {
		snprintf(cmd, sizeof(cmd), "modprobe aiot %s", core_args ? core_args : "");
		if (system(cmd))
			return -EIO;
	}
	ret = aiot_test_modprobe("aiot-sim");
	if (!ret && aiot_test_npu_is_card())
		ret = aiot_test_modprobe("aiot-card");
	return ret;
}

long aiot_test_npu_state_counter(const char *key)
{
	char buf[1024], path[256], *p;

	if (aiot_test_npu_state_path(path, sizeof(path)) ||
	    aiot_test_read_file(path, buf, sizeof(buf)))
		return -1;
	p = strstr(buf, key);
	return p ? atol(p + strlen(key) + 2) : -1;
}

int aiot_test_npu_knob(const char *knob, const char *val)
{
	char path[256];

	if (aiot_test_npu_knob_path(knob, path, sizeof(path)))
		return -1;
	return aiot_test_write_file(path, val, strlen(val)) ? -1 : 0;
}

uint32_t aiot_test_bo_create(int fd, uint64_t size)
{
	struct drm_aiot_bo_create c = { .size = size };

	if (ioctl(fd, DRM_IOCTL_AIOT_BO_CREATE, &c))
		return 0;
	return c.handle;
}

void *aiot_test_bo_map(int fd, uint32_t handle, size_t size)
{
	struct drm_aiot_bo_mmap_offset m = { .handle = handle };
	void *p;

	if (ioctl(fd, DRM_IOCTL_AIOT_BO_MMAP_OFFSET, &m))
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	return p == MAP_FAILED ? NULL : p;
}

static const int8_t fc_weights[AIOT_TEST_FC_O][AIOT_TEST_FC_D] = {
	{ 1, -2, 3, 4 }, { 10, 20, -30, 40 }
};
static const int32_t fc_bias[AIOT_TEST_FC_O] = { 100, -7 };

void *aiot_test_stream_one_op(void *buf, uint32_t opcode, uint32_t op_size)
{
	struct aiot_isa_header *h = buf;
	struct aiot_isa_op_header *op = (void *)(h + 1);

	memset(buf, 0, sizeof(*h) + op_size);
	h->magic = AIOT_ISA_MAGIC;
	h->version = AIOT_ISA_VERSION_CURRENT;
	h->size = sizeof(*h) + op_size;
	h->op_count = 1;
	op->opcode = opcode;
	op->size = op_size;
	return op;
}

size_t aiot_test_fc_stream(void *buf)
{
	struct aiot_isa_op_fully_connected *op;

	op = aiot_test_stream_one_op(buf, AIOT_ISA_OP_FULLY_CONNECTED, sizeof(*op));
	op->input = (struct aiot_isa_tensor){ .offset = 0, .binding = 1,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, AIOT_TEST_FC_D } };
	op->filter = (struct aiot_isa_tensor){ .offset = 0, .binding = 0,
		.dtype = AIOT_ISA_DTYPE_INT8,
		.dims = { AIOT_TEST_FC_O, 1, 1, AIOT_TEST_FC_D } };
	op->output = (struct aiot_isa_tensor){ .offset = 0, .binding = 2,
		.dtype = AIOT_ISA_DTYPE_INT8, .dims = { 1, 1, 1, AIOT_TEST_FC_O } };
	op->quant = (struct aiot_isa_array_ref){ .offset = 8, .binding = 0 };
	op->input_zero_point = 3;
	op->output_zero_point = -5;
	op->act.min = -128;
	op->act.max = 127;
	return ((struct aiot_isa_header *)buf)->size;
}

void aiot_test_fc_weights(void *w)
{
	int32_t *q = (int32_t *)((char *)w + 8);
	int o;

	memcpy(w, fc_weights, sizeof(fc_weights));
	for (o = 0; o < AIOT_TEST_FC_O; o++) {
		q[o * 3 + 0] = fc_bias[o];
		q[o * 3 + 1] = 1 << 30;	/* x 0.5 */
		q[o * 3 + 2] = 0;
	}
}

/*
 * TFLite's SaturatingRoundingDoublingHighMul with multiplier 2^30 (shift 0,
 * so no rounding divide): (acc * 2^30 + nudge) / 2^31, truncating, where the
 * nudge is 2^30 for a non-negative product and 1 - 2^30 otherwise. Halves
 * round up for positive and toward zero for negative values.
 */
int8_t aiot_test_fc_expect(const int8_t *in, int o)
{
	int64_t ab, nudge;
	int32_t acc = fc_bias[o], r;
	int d;

	for (d = 0; d < AIOT_TEST_FC_D; d++)
		acc += (in[d] - 3) * fc_weights[o][d];
	ab = (int64_t)acc * (1 << 30);
	nudge = ab >= 0 ? (1 << 30) : 1 - (1 << 30);
	r = (int32_t)((ab + nudge) / (1ll << 31));
	r -= 5;
	return r < -128 ? -128 : r > 127 ? 127 : r;
}

int aiot_test_fc_open(struct aiot_test_fc_job *j, char *node, size_t nodelen,
		      unsigned int flags)
{
	const size_t sz = AIOT_TEST_FC_BO_SIZE;
	int err;

	memset(j, 0, sizeof(*j));
	j->fd = aiot_test_open_accel(node, nodelen);
	if (j->fd < 0)
		return -1;
	j->cmd = aiot_test_bo_create(j->fd, sz);
	j->weights = aiot_test_bo_create(j->fd, sz);
	j->in = aiot_test_bo_create(j->fd, sz);
	j->out = aiot_test_bo_create(j->fd, sz);
	if (!j->cmd || !j->weights || !j->in || !j->out)
		goto fail;
	j->cmd_map = aiot_test_bo_map(j->fd, j->cmd, sz);
	j->w_map = aiot_test_bo_map(j->fd, j->weights, sz);
	if (!j->cmd_map || !j->w_map)
		goto fail;
	if (flags & AIOT_TEST_FC_MAPPED) {
		j->in_map = aiot_test_bo_map(j->fd, j->in, sz);
		j->out_map = aiot_test_bo_map(j->fd, j->out, sz);
		if (!j->in_map || !j->out_map)
			goto fail;
	}
	if (!(flags & AIOT_TEST_FC_BLANK)) {
		j->cmd_size = aiot_test_fc_stream(j->cmd_map);
		aiot_test_fc_weights(j->w_map);
	}
	if (!(flags & AIOT_TEST_FC_MAPPED)) {
		munmap(j->cmd_map, sz);
		munmap(j->w_map, sz);
		j->cmd_map = j->w_map = NULL;
	}
	return 0;
fail:
	err = errno;
	aiot_test_fc_close(j);
	errno = err;
	return -1;
}

void aiot_test_fc_close(struct aiot_test_fc_job *j)
{
	void **maps[] = { &j->cmd_map, &j->w_map, &j->in_map, &j->out_map };
	size_t i;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		if (*maps[i])
			munmap(*maps[i], AIOT_TEST_FC_BO_SIZE);
		*maps[i] = NULL;
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
}

void aiot_test_check_jobs_released(const char *name)
{
	/* The modules that use aiot.ko: aiot-sim, and aiot-card if tested. */
	int i, base = aiot_test_npu_is_card() ? 2 : 1;
	char refs[32] = "";

	for (i = 0; i < 250; i++) {
		if (aiot_test_read_file("/sys/module/aiot/refcnt", refs,
					sizeof(refs)) == 0 && atoi(refs) <= base)
			return;
		usleep(20 * 1000);
	}
	/* A mapping or a file left open also pins it: a test bug then. */
	tap_diag("after %s: aiot.ko still has %s references", name, refs);
	tap_case_failed = 1;
}
