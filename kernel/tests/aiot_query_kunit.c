// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the QUERY ioctl on a real accelerator registered by a test backend,
 * with user buffers mapped into the test's own address space.
 */

#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/uaccess.h>
#include <drm/aiot_accel.h>
#include <linux/aiot_isa.h>

#include "aiot_device.h"
#include "aiot_npu.h"

struct aiot_query_test {
	struct device *parent;
	struct aiot_device *adev;
	unsigned long ubuf;	/* one user page */
};

static const struct aiot_npu_desc kunit_npu_desc = {
	/* Longer than the 32-byte uAPI field: must come out truncated. */
	.name = "aiot-kunit-npu-with-a-rather-long-name",
	.hw_id = 0x12345678,
	.isa_version = AIOT_ISA_VERSION_CURRENT,
	.mem = AIOT_NPU_MEM_CPU,
};

static void kunit_npu_run(struct aiot_device *adev, struct aiot_npu_job *job)
{
	aiot_npu_job_done(job, 0);
}

static void kunit_npu_reset(struct aiot_device *adev, struct aiot_npu_job *job)
{
}

static const struct aiot_npu_ops kunit_npu_ops = {
	.run = kunit_npu_run,
	.reset = kunit_npu_reset,
};

static int aiot_query_test_init(struct kunit *test)
{
	struct aiot_query_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->parent = kunit_device_register(test, "aiot-kunit-npu");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->parent));
	t->adev = aiot_npu_register(t->parent, &kunit_npu_desc, &kunit_npu_ops,
				    NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->adev));
	t->ubuf = kunit_vm_mmap(test, NULL, 0, PAGE_SIZE,
				PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE,
				0);
	KUNIT_ASSERT_NE(test, t->ubuf, 0);
	test->priv = t;
	return 0;
}

static void aiot_query_test_exit(struct kunit *test)
{
	struct aiot_query_test *t = test->priv;

	aiot_npu_unregister(t->adev);
}

static void fill_user(struct kunit *test, unsigned long uaddr, u8 byte)
{
	u8 pattern[256];

	memset(pattern, byte, sizeof(pattern));
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)uaddr, pattern,
					   sizeof(pattern)), 0);
}

static void read_user(struct kunit *test, unsigned long uaddr, void *buf,
		      size_t len)
{
	KUNIT_ASSERT_EQ(test, copy_from_user(buf, (void __user *)uaddr, len), 0);
}

static void aiot_query_size_probe(struct kunit *test)
{
	struct aiot_query_test *t = test->priv;
	struct drm_aiot_query q = { .type = DRM_AIOT_QUERY_DEVICE_INFO };
	u8 after[16];

	fill_user(test, t->ubuf, 0x5a);
	q.ptr = t->ubuf;
	KUNIT_EXPECT_EQ(test, aiot_ioctl_query(&t->adev->drm, &q, NULL), 0);
	KUNIT_EXPECT_EQ(test, q.size, sizeof(struct drm_aiot_device_info));
	/* Size 0 reports the size and writes nothing. */
	read_user(test, t->ubuf, after, sizeof(after));
	KUNIT_EXPECT_EQ(test, after[0], 0x5a);
	KUNIT_EXPECT_EQ(test, after[15], 0x5a);
}

static void aiot_query_device_info(struct kunit *test)
{
	struct aiot_query_test *t = test->priv;
	struct drm_aiot_device_info info;
	struct drm_aiot_query q = {
		.type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = sizeof(info),
	};

	q.ptr = t->ubuf;
	KUNIT_ASSERT_EQ(test, aiot_ioctl_query(&t->adev->drm, &q, NULL), 0);
	read_user(test, t->ubuf, &info, sizeof(info));
	KUNIT_EXPECT_EQ(test, info.struct_size, sizeof(info));
	KUNIT_EXPECT_EQ(test, info.uapi_major, AIOT_UAPI_VERSION_MAJOR);
	KUNIT_EXPECT_EQ(test, info.uapi_minor, AIOT_UAPI_VERSION_MINOR);
	KUNIT_EXPECT_EQ(test, info.hw_id, 0x12345678);
	KUNIT_EXPECT_EQ(test, info.reserved0, 0);
	/* This kernel has DRM accel, so the node is an accel node. */
	KUNIT_EXPECT_EQ(test, info.capabilities,
			DRM_AIOT_CAP_BO | DRM_AIOT_CAP_SUBMIT |
			DRM_AIOT_CAP_SYNC_FILE | DRM_AIOT_CAP_PIPELINE |
			DRM_AIOT_CAP_PIPELINE_EXTERNAL |
			(IS_ENABLED(CONFIG_DRM_ACCEL) ? DRM_AIOT_CAP_ACCEL_NODE : 0));
	KUNIT_EXPECT_EQ(test, info.max_bindings, 16);
	KUNIT_EXPECT_EQ(test, info.reserved1, 0);
	/* Truncated to the field, always NUL-terminated. */
	KUNIT_EXPECT_EQ(test, info.backend[sizeof(info.backend) - 1], '\0');
	KUNIT_EXPECT_EQ(test, strlen(info.backend), sizeof(info.backend) - 1);
	KUNIT_EXPECT_EQ(test, strncmp(info.backend, kunit_npu_desc.name,
				      sizeof(info.backend) - 1), 0);
}

static void aiot_query_short_buffer(struct kunit *test)
{
	struct aiot_query_test *t = test->priv;
	struct drm_aiot_query q = { .type = DRM_AIOT_QUERY_DEVICE_INFO, .size = 6 };
	u8 got[16];

	fill_user(test, t->ubuf, 0x5a);
	q.ptr = t->ubuf;
	KUNIT_ASSERT_EQ(test, aiot_ioctl_query(&t->adev->drm, &q, NULL), 0);
	KUNIT_EXPECT_EQ(test, q.size, sizeof(struct drm_aiot_device_info));
	read_user(test, t->ubuf, got, sizeof(got));
	/* struct_size, little-endian, then 2 bytes of uapi_major: 6 bytes. */
	KUNIT_EXPECT_EQ(test, got[0], sizeof(struct drm_aiot_device_info));
	KUNIT_EXPECT_EQ(test, got[4], AIOT_UAPI_VERSION_MAJOR);
	KUNIT_EXPECT_EQ(test, got[6], 0x5a);
	KUNIT_EXPECT_EQ(test, got[15], 0x5a);
}

static void aiot_query_long_buffer(struct kunit *test)
{
	struct aiot_query_test *t = test->priv;
	const u32 ksize = sizeof(struct drm_aiot_device_info);
	struct drm_aiot_query q = {
		.type = DRM_AIOT_QUERY_DEVICE_INFO,
		.size = ksize + 100,
	};
	u8 got[sizeof(struct drm_aiot_device_info) + 128];
	size_t i;

	fill_user(test, t->ubuf, 0x5a);
	q.ptr = t->ubuf;
	KUNIT_ASSERT_EQ(test, aiot_ioctl_query(&t->adev->drm, &q, NULL), 0);
	KUNIT_EXPECT_EQ(test, q.size, ksize);
	read_user(test, t->ubuf, got, sizeof(got));
	for (i = ksize; i < ksize + 100; i++)
		KUNIT_EXPECT_EQ(test, got[i], 0);
	for (i = ksize + 100; i < sizeof(got); i++)
		KUNIT_EXPECT_EQ(test, got[i], 0x5a);
}

static void aiot_query_rejects(struct kunit *test)
{
	struct aiot_query_test *t = test->priv;
	struct drm_device *drm = &t->adev->drm;
	struct drm_aiot_query q;

	q = (struct drm_aiot_query){ .size = 8, .ptr = t->ubuf, .flags = 1 };
	KUNIT_EXPECT_EQ(test, aiot_ioctl_query(drm, &q, NULL), -EINVAL);
	q = (struct drm_aiot_query){ .size = 8, .ptr = t->ubuf, .pad = 1 };
	KUNIT_EXPECT_EQ(test, aiot_ioctl_query(drm, &q, NULL), -EINVAL);
	q = (struct drm_aiot_query){ .size = 8, .ptr = t->ubuf, .type = 1 };
	KUNIT_EXPECT_EQ(test, aiot_ioctl_query(drm, &q, NULL), -EINVAL);
	q = (struct drm_aiot_query){ .size = 8, .ptr = 0 };
	KUNIT_EXPECT_EQ(test, aiot_ioctl_query(drm, &q, NULL), -EINVAL);
	/* Past the end of the mapping: the copy faults. */
	q = (struct drm_aiot_query){ .size = 64, .ptr = t->ubuf + PAGE_SIZE - 8 };
	KUNIT_EXPECT_EQ(test, aiot_ioctl_query(drm, &q, NULL), -EFAULT);
}

static void aiot_copy_out_clamps(struct kunit *test)
{
	struct aiot_query_test *t = test->priv;
	const u8 answer[4] = { 1, 2, 3, 4 };
	u32 usize = 0;
	u8 got[8];

	KUNIT_EXPECT_EQ(test, aiot_query_copy_out(0, &usize, answer, 4), 0);
	KUNIT_EXPECT_EQ(test, usize, 4);

	fill_user(test, t->ubuf, 0xee);
	usize = 3;
	KUNIT_EXPECT_EQ(test, aiot_query_copy_out(t->ubuf, &usize, answer, 4), 0);
	read_user(test, t->ubuf, got, sizeof(got));
	KUNIT_EXPECT_EQ(test, got[2], 3);
	KUNIT_EXPECT_EQ(test, got[3], 0xee);

	usize = U32_MAX;	/* absurd size: faults, never overruns */
	KUNIT_EXPECT_EQ(test, aiot_query_copy_out(t->ubuf, &usize, answer, 4),
			-EFAULT);
}

static void aiot_register_rejects_bad_desc(struct kunit *test)
{
	struct aiot_query_test *t = test->priv;
	const struct aiot_npu_desc nameless = { .hw_id = 1,
						.mem = AIOT_NPU_MEM_CPU };
	/* A backend must say whether it computes on the CPU or by DMA. */
	const struct aiot_npu_desc memless = { .name = "memless" };
	const struct aiot_npu_desc badmem = { .name = "badmem", .mem = 3 };
	const struct aiot_npu_ops runless = { .reset = kunit_npu_reset };
	struct aiot_npu_desc isa = kunit_npu_desc;

	KUNIT_EXPECT_EQ(test, PTR_ERR(aiot_npu_register(t->parent, NULL,
							&kunit_npu_ops, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(aiot_npu_register(t->parent, &nameless,
							&kunit_npu_ops, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(aiot_npu_register(t->parent, &memless,
							&kunit_npu_ops, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(aiot_npu_register(t->parent, &badmem,
							&kunit_npu_ops, NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(aiot_npu_register(t->parent,
							&kunit_npu_desc, NULL,
							NULL)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(aiot_npu_register(t->parent,
							&kunit_npu_desc,
							&runless, NULL)),
			-EINVAL);

	/* An ISA the core has no command-stream checker for. */
	isa.isa_version = AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR + 1, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(aiot_npu_register(t->parent, &isa,
							&kunit_npu_ops, NULL)),
			-EOPNOTSUPP);
	isa.isa_version = AIOT_ISA_VERSION_CURRENT + 1;
	KUNIT_EXPECT_EQ(test, PTR_ERR(aiot_npu_register(t->parent, &isa,
							&kunit_npu_ops, NULL)),
			-EOPNOTSUPP);
	isa.isa_version = 0;
	KUNIT_EXPECT_EQ(test, PTR_ERR(aiot_npu_register(t->parent, &isa,
							&kunit_npu_ops, NULL)),
			-EOPNOTSUPP);
}

static struct kunit_case aiot_query_cases[] = {
	KUNIT_CASE(aiot_query_size_probe),
	KUNIT_CASE(aiot_query_device_info),
	KUNIT_CASE(aiot_query_short_buffer),
	KUNIT_CASE(aiot_query_long_buffer),
	KUNIT_CASE(aiot_query_rejects),
	KUNIT_CASE(aiot_copy_out_clamps),
	KUNIT_CASE(aiot_register_rejects_bad_desc),
	{}
};

static struct kunit_suite aiot_query_suite = {
	.name = "aiot_query",
	.init = aiot_query_test_init,
	.exit = aiot_query_test_exit,
	.test_cases = aiot_query_cases,
};

kunit_test_suite(aiot_query_suite);
