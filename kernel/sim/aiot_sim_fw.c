// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reference NPU's firmware: loaded at probe, checked field by field
 * (the file is untrusted), then its power-on self-test runs on the
 * executor and must reproduce the golden bytes. A device whose firmware is
 * missing, corrupt or fails the self-test is not registered, and the
 * kernel log says why.
 */

#include <linux/crc32.h>
#include <linux/device.h>
#include <linux/firmware.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "aiot_compat.h"
#include "aiot_sim_fw.h"
#include "aiot_sim_fw_format.h"
#include "isa/aiot_isa.h"

struct aiot_sim_fw_layout {
	u32 nbindings;
	u32 stream_offset, stream_size;
	u32 check_binding, check_offset, check_size;
	u32 golden_offset;
	u32 table_offset;
	u64 sizes[AIOT_ISA_MAX_BINDINGS];
	u32 init_offset[AIOT_ISA_MAX_BINDINGS];
	u32 init_size[AIOT_ISA_MAX_BINDINGS];
};

/* The file has no alignment guarantee: copy, then convert. */
static u16 fw_le16(const u8 *p)
{
	__le16 v;

	memcpy(&v, p, sizeof(v));
	return le16_to_cpu(v);
}

static u32 fw_le32(const u8 *p)
{
	__le32 v;

	memcpy(&v, p, sizeof(v));
	return le32_to_cpu(v);
}

/* [offset, offset + size) inside a file of @len bytes, overflow-safe. */
static bool aiot_sim_fw_in_file(u32 offset, u32 size, size_t len)
{
	return offset <= len && size <= len - offset;
}

#define fw_err(dev, ...) dev_err(dev, "firmware " AIOT_SIM_FW_NAME ": " __VA_ARGS__)

static int aiot_sim_fw_parse(struct device *dev, const u8 *p, size_t len,
			     u32 device_isa, struct aiot_sim_fw_info *info,
			     struct aiot_sim_fw_layout *l)
{
	u32 file_size, crc, stored_crc, isa;
	unsigned int i;

	if (len < AIOT_SIM_FW_HEADER_SIZE) {
		fw_err(dev, "truncated: %zu bytes, the header alone is %u\n",
		       len, AIOT_SIM_FW_HEADER_SIZE);
		return -EINVAL;
	}
	if (memcmp(p + AIOT_SIM_FW_OFF_MAGIC, AIOT_SIM_FW_MAGIC, 8)) {
		fw_err(dev, "not an aiot NPU firmware (bad magic)\n");
		return -EINVAL;
	}
	if (fw_le16(p + AIOT_SIM_FW_OFF_FORMAT) != AIOT_SIM_FW_FORMAT ||
	    fw_le16(p + AIOT_SIM_FW_OFF_HEADER_SIZE) !=
	    AIOT_SIM_FW_HEADER_SIZE) {
		fw_err(dev, "format %u with a %u-byte header; this driver reads format %u\n",
		       fw_le16(p + AIOT_SIM_FW_OFF_FORMAT),
		       fw_le16(p + AIOT_SIM_FW_OFF_HEADER_SIZE),
		       AIOT_SIM_FW_FORMAT);
		return -EINVAL;
	}
	file_size = fw_le32(p + AIOT_SIM_FW_OFF_FILE_SIZE);
	if (file_size != len || len > AIOT_SIM_FW_MAX_FILE) {
		fw_err(dev, "the header says %u bytes, the file has %zu (truncated or padded; at most %u)\n",
		       file_size, len, AIOT_SIM_FW_MAX_FILE);
		return -EINVAL;
	}
	stored_crc = fw_le32(p + AIOT_SIM_FW_OFF_CRC);
	crc = crc32_le(~0U, p, AIOT_SIM_FW_OFF_CRC);
	crc = crc32_le(crc, p + AIOT_SIM_FW_OFF_CRC + 4,
		       len - AIOT_SIM_FW_OFF_CRC - 4) ^ ~0U;
	if (crc != stored_crc) {
		fw_err(dev, "checksum mismatch: stored %08x, computed %08x (corrupted file)\n",
		       stored_crc, crc);
		return -EBADMSG;
	}

	/* The checksum only proves the file is what its writer wrote. */
	isa = fw_le32(p + AIOT_SIM_FW_OFF_ISA_VERSION);
	if (isa >> 16 != device_isa >> 16 || (isa & 0xffff) > (device_isa & 0xffff)) {
		fw_err(dev, "needs ISA %u.%u, the device runs %u.%u\n", isa >> 16,
		       isa & 0xffff, device_isa >> 16, device_isa & 0xffff);
		return -EINVAL;
	}
	l->nbindings = fw_le32(p + AIOT_SIM_FW_OFF_NBINDINGS);
	l->stream_offset = fw_le32(p + AIOT_SIM_FW_OFF_STREAM);
	l->stream_size = fw_le32(p + AIOT_SIM_FW_OFF_STREAM + 4);
	l->check_binding = fw_le32(p + AIOT_SIM_FW_OFF_CHECK);
	l->check_offset = fw_le32(p + AIOT_SIM_FW_OFF_CHECK + 4);
	l->check_size = fw_le32(p + AIOT_SIM_FW_OFF_CHECK + 8);
	l->golden_offset = fw_le32(p + AIOT_SIM_FW_OFF_GOLDEN);
	l->table_offset = fw_le32(p + AIOT_SIM_FW_OFF_BINDINGS);
	if (fw_le32(p + AIOT_SIM_FW_OFF_RESERVED)) {
		fw_err(dev, "reserved header field is not zero\n");
		return -EINVAL;
	}
	if (!l->nbindings || l->nbindings > AIOT_ISA_MAX_BINDINGS ||
	    !aiot_sim_fw_in_file(l->table_offset,
				 l->nbindings * AIOT_SIM_FW_BINDING_SIZE, len)) {
		fw_err(dev, "bad binding table: %u bindings at %u\n",
		       l->nbindings, l->table_offset);
		return -EINVAL;
	}
	for (i = 0; i < l->nbindings; i++) {
		const u8 *e = p + l->table_offset + i * AIOT_SIM_FW_BINDING_SIZE;

		l->sizes[i] = fw_le32(e);
		l->init_offset[i] = fw_le32(e + 4);
		l->init_size[i] = fw_le32(e + 8);
		if (!l->sizes[i] || l->sizes[i] > AIOT_SIM_FW_MAX_BUFFER ||
		    l->init_size[i] > l->sizes[i] || fw_le32(e + 12) ||
		    !aiot_sim_fw_in_file(l->init_offset[i], l->init_size[i], len)) {
			fw_err(dev, "bad binding %u: %llu bytes, initial bytes %u+%u\n",
			       i, l->sizes[i], l->init_offset[i], l->init_size[i]);
			return -EINVAL;
		}
	}
	if (!aiot_sim_fw_in_file(l->stream_offset, l->stream_size, len)) {
		fw_err(dev, "stream %u+%u outside the file\n", l->stream_offset,
		       l->stream_size);
		return -EINVAL;
	}
	if (l->check_binding >= l->nbindings || !l->check_size ||
	    l->check_offset > l->sizes[l->check_binding] ||
	    l->check_size > l->sizes[l->check_binding] - l->check_offset ||
	    !aiot_sim_fw_in_file(l->golden_offset, l->check_size, len)) {
		fw_err(dev, "bad golden result: binding %u, %u+%u, golden at %u\n",
		       l->check_binding, l->check_offset, l->check_size,
		       l->golden_offset);
		return -EINVAL;
	}
	info->version = fw_le32(p + AIOT_SIM_FW_OFF_VERSION);
	return 0;
}

static int aiot_sim_fw_selftest(struct device *dev, const u8 *p,
				const struct aiot_sim_fw_layout *l)
{
	void *bufs[AIOT_ISA_MAX_BINDINGS] = { };
	struct aiot_isa_summary sum;
	const u8 *out, *golden;
	unsigned int i;
	u32 byte;
	int ret;

	ret = aiot_isa_validate(p + l->stream_offset, l->stream_size, l->sizes,
				l->nbindings, &sum);
	if (ret) {
		fw_err(dev, "the self-test stream is invalid (%d at operation %u)\n",
		       ret, sum.error_op);
		return -EINVAL;
	}
	for (i = 0; i < l->nbindings; i++) {
		bufs[i] = kvzalloc(l->sizes[i], GFP_KERNEL);
		if (!bufs[i]) {
			ret = -ENOMEM;
			goto out;
		}
		memcpy(bufs[i], p + l->init_offset[i], l->init_size[i]);
	}
	ret = aiot_isa_execute(p + l->stream_offset, l->stream_size, bufs,
			       l->sizes, l->nbindings);
	if (ret) {
		fw_err(dev, "the self-test did not run (%d)\n", ret);
		ret = -EIO;
		goto out;
	}
	out = (const u8 *)bufs[l->check_binding] + l->check_offset;
	golden = p + l->golden_offset;
	for (byte = 0; byte < l->check_size; byte++) {
		if (out[byte] != golden[byte]) {
			fw_err(dev, "self-test failed: byte %u of binding %u is 0x%02x, expected 0x%02x\n",
			       l->check_offset + byte, l->check_binding,
			       out[byte], golden[byte]);
			ret = -EIO;
			break;
		}
	}
out:
	for (i = 0; i < l->nbindings; i++)
		kvfree(bufs[i]);
	return ret;
}

/**
 * aiot_sim_fw_load() - load, check and self-test the NPU's firmware
 * @dev: the NPU's device
 * @device_isa: ISA version the device executes
 * @info: receives what the firmware says about itself
 *
 * Return: 0; -ENOENT (or another request_firmware() error) when the file
 * cannot be read; -EINVAL for a malformed file; -EBADMSG for a checksum
 * mismatch; -EIO when the self-test does not reproduce its golden bytes.
 * The reason is in the kernel log.
 */
int aiot_sim_fw_load(struct device *dev, u32 device_isa,
		     struct aiot_sim_fw_info *info)
{
	struct aiot_sim_fw_layout *l;
	const struct firmware *fw;
	ktime_t t0;
	int ret;

	ret = request_firmware(&fw, AIOT_SIM_FW_NAME, dev);
	if (ret) {
		fw_err(dev, "cannot load it (%d): install it in /lib/firmware\n", ret);
		return ret;
	}
	l = kzalloc(sizeof(*l), GFP_KERNEL);
	if (!l) {
		ret = -ENOMEM;
		goto out;
	}
	ret = aiot_sim_fw_parse(dev, fw->data, fw->size, device_isa, info, l);
	if (ret)
		goto out;
	t0 = ktime_get();
	ret = aiot_sim_fw_selftest(dev, fw->data, l);
	if (ret)
		goto out;
	info->selftest_ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	dev_info(dev, "firmware %u.%u.%u: self-test passed (%u bytes checked in %llu us)\n",
		 info->version >> 16, (info->version >> 8) & 0xff,
		 info->version & 0xff, l->check_size,
		 div_u64(info->selftest_ns, 1000));
out:
	kfree(l);
	release_firmware(fw);
	return ret;
}
