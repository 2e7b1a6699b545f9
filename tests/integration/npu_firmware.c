// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference NPU's firmware (docs/npu-firmware.md): the device comes up
 * only with a good file, and a missing, truncated, corrupted or hostile one
 * gives a clear reason in the kernel log and no device, never a crash.
 * Each case rebinds the driver (sysfs unbind/bind runs the probe again)
 * and leaves the good firmware and a working device behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>
#include <drm/aiot_accel.h>

#include <aiot/model_format.h>

#include "aiot_testlib.h"
#include "tap.h"

#define FW_PATH		"/lib/firmware/aiot/aiot-sim-npu-1.fw"
#define NPU_DEV		aiot_test_sim_npu_dev()
#define NPU_DRV		"/sys/bus/platform/drivers/aiot-sim-npu/"

/* The NPU device's sysfs file @file. */
static const char *npu_sysfs(const char *file)
{
	static char path[512];

	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/%s", NPU_DEV, file);
	return path;
}
#define FW_MAX		(1 << 20)

/* Header fields (kernel/sim/aiot_sim_fw_format.h). */
#define OFF_VERSION	12
#define OFF_ISA		16
#define OFF_FILE_SIZE	20
#define OFF_CRC		24
#define OFF_NBINDINGS	28
#define OFF_CHECK	40
#define OFF_GOLDEN	52
#define OFF_BINDINGS	56

static uint8_t good[FW_MAX];
static size_t good_len;
static int kmsg = -1;

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Re-seal a modified image, so the driver's later checks are reached. */
static void fix_crc(uint8_t *fw, size_t len)
{
	uint32_t crc = aiot_crc32(0, fw, OFF_CRC);

	put32(fw + OFF_CRC, aiot_crc32(crc, fw + OFF_CRC + 4, len - OFF_CRC - 4));
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

static int npu_bound(void)
{
	return access(npu_sysfs("driver"), F_OK) == 0;
}

/* Forget the kernel log so far; kmsg_find() sees what comes after. */
static void kmsg_mark(void)
{
	if (kmsg < 0)
		kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
}

static int kmsg_find(const char *needle)
{
	char rec[2048];
	int found = 0;
	ssize_t n;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		if (strchr(rec, '\n'))
			*strchr(rec, '\n') = 0;
		if (strstr(rec, needle)) {
			found = 1;
			printf("# kernel: %s\n", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
		}
	}
	return found;
}

static void load_good(void)
{
	FILE *f;

	if (good_len)
		return;
	f = fopen(FW_PATH, "rb");
	if (!f)
		return;
	good_len = fread(good, 1, sizeof(good), f);
	fclose(f);
}

/*
 * Probe the NPU again with @fw installed (NULL: no file at all). Returns
 * 1 when the device came up, 0 when the driver refused it.
 */
static int probe_with(const uint8_t *fw, size_t len)
{
	load_good();
	if (!good_len)
		return -1;
	if (npu_bound() && sysfs_write(NPU_DRV "unbind", NPU_DEV) != 0)
		return -1;
	unlink(FW_PATH);
	if (fw && aiot_test_write_file(FW_PATH, fw, len) != 0)
		return -1;
	kmsg_mark();
	/* The write fails with the probe's error on most kernels; either way
	 * the binding is what counts. */
	sysfs_write(NPU_DRV "bind", NPU_DEV);
	return npu_bound();
}

static int restore(void)
{
	return probe_with(good, good_len);
}

static int query_ok(void)
{
	struct drm_aiot_device_info info;
	struct drm_aiot_query q = {
		.type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = sizeof(info),
		.ptr = (uintptr_t)&info,
	};
	char node[64];
	int fd = aiot_test_open_accel(node, sizeof(node)), ret;

	if (fd < 0)
		return fd;
	ret = ioctl(fd, DRM_IOCTL_AIOT_QUERY, &q);
	close(fd);
	return ret;
}

/* The image must be refused, for the reason the log names. */
static void expect_refused(const uint8_t *fw, size_t len, const char *reason)
{
	char node[64];
	int fd;

	CHECK_EQ(probe_with(fw, len), 0);
	CHECK(kmsg_find(reason));
	fd = aiot_test_open_accel(node, sizeof(node));
	CHECK(fd < 0);
	if (fd >= 0)
		close(fd);
	REQUIRE(restore() == 1);
	CHECK_EQ(query_ok(), 0);
}

static void good_firmware_probes(void)
{
	char version[32] = "";

	load_good();
	REQUIRE(good_len > 64);
	CHECK_EQ(probe_with(good, good_len), 1);
	CHECK(kmsg_find("self-test passed"));
	REQUIRE(aiot_test_read_file(npu_sysfs("firmware_version"), version,
				    sizeof(version)) == 0);
	CHECK(strcmp(version, "1.0.0") == 0);
	CHECK_EQ(query_ok(), 0);
}

static void missing_firmware_refused(void)
{
	expect_refused(NULL, 0, "cannot load it");
}

static void truncated_firmware_refused(void)
{
	expect_refused(good, 40, "truncated");
	expect_refused(good, good_len - 1, "the header says");
}

static void bit_flip_caught_by_checksum(void)
{
	static uint8_t fw[FW_MAX];

	/*
	 * A flip in the header (past the fields read before the checksum),
	 * in the stream and in the golden bytes.
	 */
	for (size_t at = 29; at < good_len; at += good_len / 3) {
		memcpy(fw, good, good_len);
		fw[at] ^= 0x10;
		expect_refused(fw, good_len, "checksum mismatch");
	}
}

static void wrong_golden_fails_self_test(void)
{
	static uint8_t fw[FW_MAX];
	uint32_t golden = get32(good + OFF_GOLDEN);

	memcpy(fw, good, good_len);
	fw[golden + 7] ^= 1;
	fix_crc(fw, good_len);
	expect_refused(fw, good_len, "self-test failed: byte 7 of binding 2");
}

static void hostile_headers_refused(void)
{
	static uint8_t fw[FW_MAX];

	memcpy(fw, good, good_len);
	memcpy(fw, "NOTNPUFW", 8);
	fix_crc(fw, good_len);
	expect_refused(fw, good_len, "bad magic");

	memcpy(fw, good, good_len);
	put32(fw + OFF_ISA, (1u << 16) | 999);
	fix_crc(fw, good_len);
	expect_refused(fw, good_len, "needs ISA 1.999");

	memcpy(fw, good, good_len);
	put32(fw + OFF_NBINDINGS, 0x10000001);
	fix_crc(fw, good_len);
	expect_refused(fw, good_len, "bad binding table");

	memcpy(fw, good, good_len);
	put32(fw + OFF_BINDINGS, 0xfffffff0);
	fix_crc(fw, good_len);
	expect_refused(fw, good_len, "bad binding table");

	/* The checked range runs past its buffer. */
	memcpy(fw, good, good_len);
	put32(fw + OFF_CHECK + 4, 0xffffff00);
	fix_crc(fw, good_len);
	expect_refused(fw, good_len, "bad golden result");

	/* A binding claims a gigabyte. */
	memcpy(fw, good, good_len);
	put32(fw + get32(good + OFF_BINDINGS), 1u << 30);
	fix_crc(fw, good_len);
	expect_refused(fw, good_len, "bad binding 0");

	/* The self-test stream itself is hostile: an out-of-range opcode. */
	memcpy(fw, good, good_len);
	fw[get32(good + 32) + 32] = 0xee;
	fix_crc(fw, good_len);
	expect_refused(fw, good_len, "self-test stream is invalid");
}

/*
 * Random damage, re-sealed with a valid checksum so it reaches the parser
 * and the validator: the kernel must survive every image (the debug guest
 * checks KASAN and friends), and a device that still comes up must work.
 */
static void random_damage_survived(void)
{
	static uint8_t fw[FW_MAX];
	unsigned int seed = 4242, up = 0, refused = 0;

	for (int i = 0; i < 60; i++) {
		int r;

		memcpy(fw, good, good_len);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			fw[(seed >> 8) % good_len] ^= (uint8_t)(1u << (seed % 8));
		}
		fix_crc(fw, good_len);
		r = probe_with(fw, good_len);
		REQUIRE(r >= 0);
		if (r) {
			up++;
			CHECK_EQ(query_ok(), 0);
		} else {
			refused++;
		}
	}
	printf("# 60 damaged images: %u refused, %u harmless (padding, version)\n",
	       refused, up);
	CHECK(refused > 0);
	REQUIRE(restore() == 1);
	CHECK_EQ(query_ok(), 0);
}

/* Whatever a case did, the next one starts with the good firmware. */
static void after_case(const char *name)
{
	(void)name;
	restore();
}

TAP_MAIN_WITH_HOOK(after_case,
	TAP_CASE(good_firmware_probes),
	TAP_CASE(missing_firmware_refused),
	TAP_CASE(truncated_firmware_refused),
	TAP_CASE(bit_flip_caught_by_checksum),
	TAP_CASE(wrong_golden_fails_self_test),
	TAP_CASE(hostile_headers_refused),
	TAP_CASE(random_damage_survived),
)
