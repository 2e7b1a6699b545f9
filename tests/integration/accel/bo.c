// SPDX-License-Identifier: GPL-2.0-only
/* The accel suite: buffer objects, mmap and PRIME. */
#include "accel.h"

void bo_create_map_and_reject(void)
{
	struct drm_aiot_bo_create c = { .size = 10000 };
	struct drm_aiot_bo_mmap_offset m = { 0 };
	int fd = open_accel();
	unsigned char *p;
	size_t i;

	REQUIRE(fd >= 0);
	REQUIRE(ioctl(fd, DRM_IOCTL_AIOT_BO_CREATE, &c) == 0);
	CHECK(c.handle != 0);
	p = aiot_test_bo_map(fd, c.handle, 12288);	/* rounded up to pages */
	REQUIRE(p);
	for (i = 0; i < 12288; i++)
		CHECK_EQ(p[i], 0);	/* new buffers are zeroed */
	memset(p, 0x5a, 12288);
	munmap(p, 12288);
	p = aiot_test_bo_map(fd, c.handle, 12288);
	REQUIRE(p);
	CHECK_EQ(p[12287], 0x5a);
	munmap(p, 12288);
	bo_close(fd, c.handle);

	c = (struct drm_aiot_bo_create){ .size = 0 };
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_BO_CREATE, &c), EINVAL);
	c = (struct drm_aiot_bo_create){ .size = (1ull << 30) + 1 };
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_BO_CREATE, &c), EINVAL);
	c = (struct drm_aiot_bo_create){ .size = ~0ull };
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_BO_CREATE, &c), EINVAL);
	c = (struct drm_aiot_bo_create){ .size = 4096, .flags = 1 };
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_BO_CREATE, &c), EINVAL);
	m.handle = 12345;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_BO_MMAP_OFFSET, &m), ENOENT);
	m.handle = aiot_test_bo_create(fd, 4096);
	m.flags = 2;
	CHECK_ERRNO(ioctl(fd, DRM_IOCTL_AIOT_BO_MMAP_OFFSET, &m), EINVAL);
	close(fd);
}

void bo_prime_roundtrip(void)
{
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_prime_handle imp = { 0 };
	int fd = open_accel(), fd2 = open_accel();
	unsigned char *p, *q;

	REQUIRE(fd >= 0 && fd2 >= 0);
	exp.handle = aiot_test_bo_create(fd, 4096);
	REQUIRE(exp.handle);
	p = aiot_test_bo_map(fd, exp.handle, 4096);
	REQUIRE(p);
	memset(p, 0x77, 4096);
	REQUIRE(ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp) == 0);
	/* Another file imports it: same pages. */
	imp.fd = exp.fd;
	REQUIRE(ioctl(fd2, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp) == 0);
	q = aiot_test_bo_map(fd2, imp.handle, 4096);
	REQUIRE(q);
	CHECK_EQ(q[100], 0x77);
	q[200] = 0x11;
	CHECK_EQ(p[200], 0x11);
	/* The dma-buf itself is mappable too. */
	munmap(q, 4096);
	q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, exp.fd, 0);
	REQUIRE(q != MAP_FAILED);
	CHECK_EQ(q[200], 0x11);
	munmap(q, 4096);
	munmap(p, 4096);
	close(exp.fd);
	close(fd2);
	close(fd);
}
