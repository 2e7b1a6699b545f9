// SPDX-License-Identifier: GPL-2.0-only
/*
 * The compiled model blob parser (lib/model.c) against valid, truncated,
 * corrupted and hostile blobs. Every rejection must name its cause.
 */
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <aiot/model_format.h>
#include <linux/aiot_isa.h>

namespace {

using Blob = std::vector<uint8_t>;

// Header field offsets (docs/model-format.md).
constexpr size_t kVersionMajor = 8, kVersionMinor = 10, kSectionCount = 16,
		 kFlags = 20, kTotalSize = 24, kHeaderCrc = 32, kPayloadCrc = 36,
		 kIsaVersion = 40, kWeightsBinding = 44, kArenaBinding = 45,
		 kArenaSize = 48, kReserved = 56;

void put32(Blob &b, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[off + i] = uint8_t(v >> (8 * i));
}

void put64(Blob &b, size_t off, uint64_t v)
{
	put32(b, off, uint32_t(v));
	put32(b, off + 4, uint32_t(v >> 32));
}

uint32_t get32(const Blob &b, size_t off)
{
	return uint32_t(b[off]) | uint32_t(b[off + 1]) << 8 |
	       uint32_t(b[off + 2]) << 16 | uint32_t(b[off + 3]) << 24;
}

uint64_t get64(const Blob &b, size_t off)
{
	return uint64_t(get32(b, off)) | uint64_t(get32(b, off + 4)) << 32;
}

// Recompute both checksums after an edit, so the edit itself is judged.
void reseal(Blob &b)
{
	put32(b, kPayloadCrc,
	      aiot_crc32(0, b.data() + AIOT_MODEL_HEADER_SIZE, b.size() - AIOT_MODEL_HEADER_SIZE));
	put32(b, kHeaderCrc, 0);
	put32(b, kHeaderCrc, aiot_crc32(0, b.data(), AIOT_MODEL_HEADER_SIZE));
}

Blob nop_stream()
{
	Blob s(sizeof(aiot_isa_header) + sizeof(aiot_isa_op_nop), 0);

	put32(s, 0, AIOT_ISA_MAGIC);
	put32(s, 4, AIOT_ISA_VERSION_CURRENT);
	put32(s, 8, uint32_t(s.size()));
	put32(s, 12, 1);
	put32(s, sizeof(aiot_isa_header) + 4, sizeof(aiot_isa_op_nop));
	return s;
}

uint32_t float_bits(float f)
{
	uint32_t u;

	std::memcpy(&u, &f, sizeof(u));
	return u;
}

aiot_model_tensor tensor(const char *name, uint8_t dir, uint8_t binding, uint32_t offset,
			 uint32_t c, uint8_t dtype = AIOT_ISA_DTYPE_INT8)
{
	aiot_model_tensor t{};
	unsigned esize = dtype == AIOT_ISA_DTYPE_INT8 ? 1 : dtype == AIOT_ISA_DTYPE_INT16 ? 2 : 4;

	std::strncpy(t.name, name, sizeof(t.name));
	t.direction = dir;
	t.dtype = dtype;
	t.binding = binding;
	t.offset = offset;
	t.dims[0] = 1;
	t.dims[1] = 1;
	t.dims[2] = 1;
	t.dims[3] = c;
	t.scale_bits = float_bits(0.5f);
	t.zero_point = -3;
	t.size = c * esize;
	return t;
}

struct Parts {
	Blob stream = nop_stream();
	Blob weights = Blob(100, 0x5a);
	std::vector<aiot_model_tensor> tensors = {
		tensor("input", AIOT_MODEL_TENSOR_INPUT, 1, 0, 16),
		tensor("output", AIOT_MODEL_TENSOR_OUTPUT, 2, 0, 4),
	};
	aiot_model_blob_parts p{};

	const aiot_model_blob_parts *get()
	{
		p.name = "test model";
		p.isa_version = AIOT_ISA_VERSION_CURRENT;
		p.command_stream = stream.data();
		p.command_stream_size = stream.size();
		p.weights = weights.data();
		p.weights_size = weights.size();
		p.weights_binding = 0;
		p.arena_size = 256;
		p.arena_binding = 3;
		p.tensors = tensors.data();
		p.tensor_count = unsigned(tensors.size());
		return &p;
	}
};

int build(Parts &parts, Blob &out, std::string *msg = nullptr)
{
	void *data = nullptr;
	size_t size = 0;
	char err[256] = "";
	int ret = aiot_model_blob_build(parts.get(), &data, &size, err, sizeof(err));

	if (msg)
		*msg = err;
	if (!ret)
		out.assign(static_cast<uint8_t *>(data), static_cast<uint8_t *>(data) + size);
	std::free(data);
	return ret;
}

Blob valid_blob()
{
	Parts parts;
	Blob b;

	EXPECT_EQ(build(parts, b), 0);
	return b;
}

struct Result {
	int ret;
	std::string err;
};

Result parse(const Blob &b)
{
	aiot_model_blob_view view;
	char err[256] = "";
	// A private copy of exactly b.size() bytes: ASan sees any overread.
	uint8_t *copy = static_cast<uint8_t *>(std::malloc(b.size() ? b.size() : 1));

	if (!b.empty())
		std::memcpy(copy, b.data(), b.size());
	int ret = aiot_model_blob_parse(copy, b.size(), &view, err, sizeof(err));
	std::free(copy);
	return { ret, err };
}

// Section table entry i: type at +0, flags +4, offset +8, size +16.
size_t entry(size_t i)
{
	return AIOT_MODEL_HEADER_SIZE + i * AIOT_MODEL_SECTION_SIZE;
}

size_t find_section(const Blob &b, uint32_t type)
{
	for (size_t i = 0; i < get32(b, kSectionCount); i++)
		if (get32(b, entry(i)) == type)
			return i;
	ADD_FAILURE() << "no section of type " << type;
	return 0;
}

size_t tensor_offset(const Blob &b, size_t index)
{
	return get64(b, entry(find_section(b, AIOT_MODEL_SECTION_TENSORS)) + 8) +
	       index * AIOT_MODEL_TENSOR_SIZE;
}

#define EXPECT_REJECTED(blob, errno_, substring) do {			\
	Result r_ = parse(blob);					\
	EXPECT_EQ(r_.ret, -(errno_)) << r_.err;				\
	EXPECT_NE(r_.err.find(substring), std::string::npos)		\
		<< "message: " << r_.err;				\
} while (0)

TEST(LibModelFormat, Crc32MatchesZlib)
{
	EXPECT_EQ(aiot_crc32(0, "123456789", 9), 0xcbf43926u);
	EXPECT_EQ(aiot_crc32(0, "", 0), 0u);
	// Incremental use gives the same as one call.
	EXPECT_EQ(aiot_crc32(aiot_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
}

TEST(LibModelFormat, ValidBlobDecodes)
{
	Blob b = valid_blob();
	aiot_model_blob_view view;
	char err[128];

	ASSERT_EQ(aiot_model_blob_parse(b.data(), b.size(), &view, err, sizeof(err)), 0) << err;
	EXPECT_EQ(view.header.version_major, AIOT_MODEL_VERSION_MAJOR);
	EXPECT_EQ(view.header.total_size, b.size());
	EXPECT_EQ(view.header.arena_size, 256u);
	EXPECT_EQ(view.header.weights_binding, 0);
	EXPECT_EQ(view.header.arena_binding, 3);
	EXPECT_EQ(view.command_stream_size, nop_stream().size());
	EXPECT_EQ(std::memcmp(view.command_stream, nop_stream().data(), view.command_stream_size), 0);
	ASSERT_EQ(view.weights_size, 100u);
	EXPECT_EQ(static_cast<const uint8_t *>(view.weights)[99], 0x5a);
	EXPECT_STREQ(view.name, "test model");
	ASSERT_EQ(view.input_count, 1u);
	ASSERT_EQ(view.output_count, 1u);
	EXPECT_STREQ(view.tensors[0].name, "input");
	EXPECT_EQ(view.tensors[0].dims[3], 16u);
	EXPECT_EQ(view.tensors[0].zero_point, -3);
	EXPECT_EQ(view.tensors[0].scale_bits, float_bits(0.5f));
	EXPECT_EQ(view.tensors[1].binding, 2);
	// Every section offset is aligned.
	for (size_t i = 0; i < get32(b, kSectionCount); i++)
		EXPECT_EQ(get64(b, entry(i) + 8) % AIOT_MODEL_SECTION_ALIGN, 0u);
}

TEST(LibModelFormat, ParsesAtAnyAlignment)
{
	Blob b = valid_blob();
	std::vector<uint8_t> shifted(b.size() + 1);
	aiot_model_blob_view view;

	std::memcpy(shifted.data() + 1, b.data(), b.size());
	EXPECT_EQ(aiot_model_blob_parse(shifted.data() + 1, b.size(), &view, nullptr, 0), 0);
}

TEST(LibModelFormat, ModelWithoutWeightsOrArena)
{
	Parts parts;
	Blob b;

	parts.weights.clear();
	parts.get();
	parts.p.weights_size = 0;
	parts.p.arena_size = 0;
	void *data;
	size_t size;
	char err[128] = "";
	ASSERT_EQ(aiot_model_blob_build(&parts.p, &data, &size, err, sizeof(err)), 0) << err;
	b.assign(static_cast<uint8_t *>(data), static_cast<uint8_t *>(data) + size);
	std::free(data);
	aiot_model_blob_view view;
	ASSERT_EQ(aiot_model_blob_parse(b.data(), b.size(), &view, err, sizeof(err)), 0) << err;
	EXPECT_EQ(view.weights, nullptr);
	EXPECT_EQ(view.header.weights_binding, AIOT_MODEL_NO_BINDING);
	EXPECT_EQ(view.header.arena_binding, AIOT_MODEL_NO_BINDING);
}

TEST(LibModelFormat, TruncatedAtEveryLengthIsRejected)
{
	Blob b = valid_blob();

	for (size_t len = 0; len < b.size(); len++) {
		Blob cut(b.begin(), b.begin() + len);
		Result r = parse(cut);

		if (len < AIOT_MODEL_HEADER_SIZE) {
			EXPECT_EQ(r.ret, -ENOEXEC) << "length " << len << ": " << r.err;
		} else {
			EXPECT_EQ(r.ret, -EINVAL) << "length " << len << ": " << r.err;
			EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
		}
	}
	// Padding after the blob is rejected too: the size is exact.
	b.push_back(0);
	EXPECT_REJECTED(b, EINVAL, "truncated or padded");
}

TEST(LibModelFormat, EverySingleBitFlipIsRejected)
{
	Blob b = valid_blob();

	for (size_t byte = 0; byte < b.size(); byte++) {
		for (int bit = 0; bit < 8; bit++) {
			Blob c = b;

			c[byte] ^= uint8_t(1u << bit);
			EXPECT_NE(parse(c).ret, 0) << "byte " << byte << " bit " << bit;
		}
	}
}

TEST(LibModelFormat, BadChecksumsAreRejected)
{
	Blob b = valid_blob();
	Blob c = b;

	c[c.size() - 1] ^= 0xff;	// payload byte
	EXPECT_REJECTED(c, EBADMSG, "payload checksum mismatch");
	c = b;
	put64(c, kArenaSize, 512);	// header field without resealing
	EXPECT_REJECTED(c, EBADMSG, "header checksum mismatch");
	c = b;
	put32(c, kPayloadCrc, get32(c, kPayloadCrc) ^ 1);
	put32(c, kHeaderCrc, 0);
	put32(c, kHeaderCrc, aiot_crc32(0, c.data(), AIOT_MODEL_HEADER_SIZE));
	EXPECT_REJECTED(c, EBADMSG, "payload checksum");
}

TEST(LibModelFormat, BadMagicAndVersionsAreRejected)
{
	Blob b = valid_blob(), c;

	c = b;
	c[0] = 'X';
	EXPECT_REJECTED(c, ENOEXEC, "bad magic");
	c = b;
	put32(c, kVersionMajor, 2);	// also clears the minor: fine
	reseal(c);
	EXPECT_REJECTED(c, EPROTONOSUPPORT, "version 2.0 not supported");
	c = b;
	c[kVersionMinor] = AIOT_MODEL_VERSION_MINOR + 1;
	reseal(c);
	EXPECT_REJECTED(c, EPROTONOSUPPORT, "not supported");
	c = b;
	put32(c, kIsaVersion, AIOT_ISA_VERSION(AIOT_ISA_VERSION_MAJOR + 1, 0));
	reseal(c);
	EXPECT_REJECTED(c, EPROTONOSUPPORT, "ISA major version");
}

TEST(LibModelFormat, HeaderFieldsAreChecked)
{
	Blob b = valid_blob(), c;

	c = b;
	put32(c, kFlags, 1);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "unknown header flags");
	c = b;
	put32(c, kReserved + 4, 1);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "reserved header fields");
	c = b;
	put32(c, kSectionCount, 0);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "section count 0");
	c = b;
	put32(c, kSectionCount, AIOT_MODEL_MAX_SECTIONS + 1);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "section count");
	c = b;
	put32(c, kSectionCount, 0xffffffffu);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "section count");
	c = b;
	put64(c, kTotalSize, ~0ull);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "header says");
	c = b;
	c[kArenaBinding] = AIOT_MODEL_NO_BINDING;	// arena size still 256
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "disagree");
	c = b;
	c[kArenaBinding] = 0;			// the weights slot
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "share binding slot 0");
	c = b;
	c[kWeightsBinding] = 16;
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "weights binding slot 16 out of range");
	c = b;
	c[kWeightsBinding] = AIOT_MODEL_NO_BINDING;	// a weights section remains
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "weights section but no weights binding");
	c = b;
	put64(c, kArenaSize, uint64_t(AIOT_MODEL_MAX_ARENA_SIZE) + 1);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "arena of");
}

TEST(LibModelFormat, SectionsOutOfRangeAreRejected)
{
	Blob b = valid_blob(), c;
	size_t w = entry(find_section(b, AIOT_MODEL_SECTION_WEIGHTS));

	c = b;
	put64(c, w + 8, c.size());		// starts at the end, 100 bytes long
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "outside the payload");
	c = b;
	put64(c, w + 16, ~0ull);		// offset + size overflows 64 bits
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "outside the payload");
	c = b;
	put64(c, w + 8, ~0ull - 7);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "outside the payload");
	c = b;
	put64(c, w + 8, AIOT_MODEL_HEADER_SIZE);	// inside the section table
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "outside the payload");
	c = b;
	put64(c, w + 8, get64(c, w + 8) + 4);		// misaligned
	put64(c, w + 16, 8);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "not 8-byte aligned");
	c = b;
	put32(c, w + 4, 0x80);				// unknown flag
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "unknown flags");
}

TEST(LibModelFormat, OverlappingSectionsAreRejected)
{
	Blob b = valid_blob(), c;
	size_t cmd = entry(find_section(b, AIOT_MODEL_SECTION_COMMAND_STREAM));
	size_t w = entry(find_section(b, AIOT_MODEL_SECTION_WEIGHTS));

	c = b;
	put64(c, w + 8, get64(c, cmd + 8));		// weights on the stream
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "overlap");
	c = b;
	put64(c, w + 8, get64(c, cmd + 8) + 8);	// partly
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "overlap");
}

TEST(LibModelFormat, SectionSetIsChecked)
{
	Blob b = valid_blob(), c;
	size_t w = entry(find_section(b, AIOT_MODEL_SECTION_WEIGHTS));
	size_t t = entry(find_section(b, AIOT_MODEL_SECTION_TENSORS));

	c = b;
	put32(c, w, AIOT_MODEL_SECTION_COMMAND_STREAM);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "a second command stream");
	c = b;
	put32(c, w, 99);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "unknown type 99");
	c = b;
	put32(c, w, 99);
	put32(c, w + 4, AIOT_MODEL_SECTION_F_OPTIONAL);	// skipped; weights now missing
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "no weights section");
	c = b;
	put32(c, t, 99);
	put32(c, t + 4, AIOT_MODEL_SECTION_F_OPTIONAL);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "no tensor table");
	c = b;
	put64(c, t + 16, AIOT_MODEL_TENSOR_SIZE + 1);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "tensor table");
	c = b;
	put64(c, w + 16, 0);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "empty");
}

TEST(LibModelFormat, OptionalUnknownSectionIsSkipped)
{
	Blob b = valid_blob();
	size_t n = find_section(b, AIOT_MODEL_SECTION_NAME);

	put32(b, entry(n), 77);
	put32(b, entry(n) + 4, AIOT_MODEL_SECTION_F_OPTIONAL);
	reseal(b);
	Result r = parse(b);
	EXPECT_EQ(r.ret, 0) << r.err;
}

TEST(LibModelFormat, CommandStreamHeaderIsChecked)
{
	Blob b = valid_blob(), c;
	size_t cmd = get64(b, entry(find_section(b, AIOT_MODEL_SECTION_COMMAND_STREAM)) + 8);

	c = b;
	put32(c, cmd, 0x12345678);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "bad ISA magic");
	c = b;
	put32(c, cmd + 8, 1000);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "its header says 1000 bytes");
	c = b;
	/* Any version but the header's (the current one). */
	put32(c, cmd + 4, AIOT_ISA_VERSION(1, AIOT_ISA_VERSION_MINOR - 1));
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "differs from the header");
}

TEST(LibModelFormat, TensorRecordsAreChecked)
{
	Blob b = valid_blob(), c;
	size_t t0 = tensor_offset(b, 0), t1 = tensor_offset(b, 1);

	c = b;
	c[t0 + 25] = 9;				// dtype
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "unknown dtype 9");
	c = b;
	c[t0 + 24] = 2;				// direction
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "direction 2");
	c = b;
	c[t0 + 26] = 0;				// the weights slot
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "is the weights slot");
	c = b;
	c[t0 + 26] = 3;				// the arena slot
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "is the arena slot");
	c = b;
	c[t0 + 26] = 16;
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "binding slot 16 out of range");
	c = b;
	c[t1 + 26] = 1;				// output in the input's slot
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "an input and an output share");
	c = b;
	put32(c, t0 + 56, 17);			// size vs shape
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "does not match its shape");
	c = b;
	put32(c, t0 + 32, 0);			// a zero dimension
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "dimension 0 is 0");
	c = b;
	put32(c, t0 + 36, 70000);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "dimension 1 is 70000");
	c = b;
	for (int d = 0; d < 4; d++)		// 65535^4 bytes: far above the limit
		put32(c, t0 + 32 + 4 * d, 65535);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "does not match its shape");
	c = b;
	put32(c, t0 + 28, 0xfffffff0u);		// offset + size overflows 32 bits
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "overflows 32 bits");
	c = b;
	put32(c, t0 + 48, float_bits(NAN));
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "scale must be finite and positive");
	c = b;
	put32(c, t0 + 48, float_bits(0.0f));
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "scale");
	c = b;
	put32(c, t0 + 48, float_bits(-1.0f));
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "scale");
	c = b;
	put32(c, t0 + 52, 128);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "zero point 128");
	c = b;
	c[t0 + 27] = 1;				// flags: a minor-0 blob has none
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "flags 0x01 in a version 1.0 blob (reserved before 1.2");
	c = b;
	c[t0 + 24] = AIOT_MODEL_TENSOR_OUTPUT;	// two outputs, no input
	c[t0 + 26] = 4;
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "at least one input and one output");
}

TEST(LibModelFormat, TensorOrderAndOverlap)
{
	Parts parts;
	Blob b;
	std::string msg;

	parts.tensors = {
		tensor("out", AIOT_MODEL_TENSOR_OUTPUT, 2, 0, 4),
		tensor("in", AIOT_MODEL_TENSOR_INPUT, 1, 0, 4),
	};
	EXPECT_EQ(build(parts, b, &msg), -EINVAL);
	EXPECT_NE(msg.find("inputs come first"), std::string::npos) << msg;

	parts.tensors = {
		tensor("a", AIOT_MODEL_TENSOR_INPUT, 1, 0, 16),
		tensor("b", AIOT_MODEL_TENSOR_INPUT, 1, 8, 16),
		tensor("out", AIOT_MODEL_TENSOR_OUTPUT, 2, 0, 4),
	};
	EXPECT_EQ(build(parts, b, &msg), -EINVAL);
	EXPECT_NE(msg.find("overlap in binding slot 1"), std::string::npos) << msg;

	// Two inputs side by side in one slot, int16 aligned: fine.
	parts.tensors = {
		tensor("a", AIOT_MODEL_TENSOR_INPUT, 1, 0, 16, AIOT_ISA_DTYPE_INT16),
		tensor("b", AIOT_MODEL_TENSOR_INPUT, 1, 32, 16),
		tensor("out", AIOT_MODEL_TENSOR_OUTPUT, 2, 0, 4, AIOT_ISA_DTYPE_INT32),
	};
	EXPECT_EQ(build(parts, b, &msg), 0) << msg;

	parts.tensors = {
		tensor("a", AIOT_MODEL_TENSOR_INPUT, 1, 1, 16, AIOT_ISA_DTYPE_INT16),
		tensor("out", AIOT_MODEL_TENSOR_OUTPUT, 2, 0, 4),
	};
	EXPECT_EQ(build(parts, b, &msg), -EINVAL);
	EXPECT_NE(msg.find("not a multiple of its element size"), std::string::npos) << msg;

	parts.tensors = {
		tensor("a", AIOT_MODEL_TENSOR_INPUT, 1, 0, 16, AIOT_ISA_DTYPE_INT16),
		tensor("out", AIOT_MODEL_TENSOR_OUTPUT, 2, 0, 4),
	};
	parts.tensors[0].zero_point = 40000;
	EXPECT_EQ(build(parts, b, &msg), -EINVAL);
	EXPECT_NE(msg.find("zero point 40000"), std::string::npos) << msg;
}

TEST(LibModelFormat, BuilderRejectsBadParts)
{
	Parts parts;
	void *data = nullptr;
	size_t size = 0;
	char err[128] = "";

	EXPECT_EQ(aiot_model_blob_build(nullptr, &data, &size, err, sizeof(err)), -EINVAL);
	parts.get();
	parts.p.command_stream = nullptr;
	EXPECT_EQ(aiot_model_blob_build(&parts.p, &data, &size, err, sizeof(err)), -EINVAL);
	EXPECT_STREQ(err, "no command stream");
	parts.get();
	parts.p.tensor_count = AIOT_MODEL_MAX_TENSORS + 1;
	EXPECT_EQ(aiot_model_blob_build(&parts.p, &data, &size, err, sizeof(err)), -EINVAL);
	parts.get();
	parts.p.weights = nullptr;
	EXPECT_EQ(aiot_model_blob_build(&parts.p, &data, &size, err, sizeof(err)), -EINVAL);
	parts.get();
	parts.p.command_stream_size = 8;	// shorter than an ISA header
	EXPECT_EQ(aiot_model_blob_build(&parts.p, &data, &size, err, sizeof(err)), -EINVAL);
	EXPECT_NE(std::string(err).find("shorter than its"), std::string::npos) << err;
	EXPECT_EQ(data, nullptr);
}

TEST(LibModelFormat, ParserArgumentsAndNullMessage)
{
	Blob b = valid_blob();
	aiot_model_blob_view view;

	EXPECT_EQ(aiot_model_blob_parse(nullptr, 10, &view, nullptr, 0), -EINVAL);
	EXPECT_EQ(aiot_model_blob_parse(b.data(), b.size(), nullptr, nullptr, 0), -EINVAL);
	// A message buffer of 1 byte gets an empty, terminated string.
	char tiny[1] = { 'x' };
	EXPECT_EQ(aiot_model_blob_parse(b.data(), 10, &view, tiny, sizeof(tiny)), -ENOEXEC);
	EXPECT_EQ(tiny[0], '\0');
}

// Random edits, resealed so that they get past the checksums: the parser
// must never crash or overread (ASan), whatever it answers.
TEST(LibModelFormat, ResealedRandomMutationsNeverCrash)
{
	Blob b = valid_blob();
	std::mt19937 rng(1234);
	int accepted = 0;

	for (int iter = 0; iter < 20000; iter++) {
		Blob c = b;
		int edits = 1 + int(rng() % 4);

		for (int e = 0; e < edits; e++) {
			size_t at = rng() % c.size();

			if (at == kHeaderCrc || at == kPayloadCrc)
				continue;
			c[at] = uint8_t(rng());
		}
		reseal(c);
		accepted += parse(c).ret == 0;
	}
	// Some edits hit don't-care bytes (weights, name): those stay valid.
	EXPECT_GT(accepted, 0);
}

}  // namespace

// Blob minor 1: a camera frame input, its V4L2 fourcc in pixel_format.
namespace {

constexpr uint32_t fourcc(char a, char b, char c, char d)
{
	return uint32_t(uint8_t(a)) | uint32_t(uint8_t(b)) << 8 |
	       uint32_t(uint8_t(c)) << 16 | uint32_t(uint8_t(d)) << 24;
}

constexpr uint32_t kYUYV = fourcc('Y', 'U', 'Y', 'V'), kNV12 = fourcc('N', 'V', '1', '2');

aiot_model_tensor frame_tensor(uint32_t pixel_format, uint32_t w, uint32_t h, uint32_t size)
{
	aiot_model_tensor t = tensor("frame", AIOT_MODEL_TENSOR_INPUT, 1, 0, 1);

	t.dims[1] = h;
	t.dims[2] = w;
	t.size = size;
	t.pixel_format = pixel_format;
	return t;
}

}  // namespace

TEST(LibModelFormat, FrameSizes)
{
	uint64_t n = 0;

	EXPECT_EQ(aiot_model_frame_size(kYUYV, 640, 480, &n), 0);
	EXPECT_EQ(n, 640u * 480 * 2);
	EXPECT_EQ(aiot_model_frame_size(kNV12, 640, 480, &n), 0);
	EXPECT_EQ(n, 640u * 480 * 3 / 2);
	EXPECT_EQ(aiot_model_frame_size(fourcc('G', 'R', 'E', 'Y'), 3, 5, &n), 0);
	EXPECT_EQ(n, 15u);
	EXPECT_EQ(aiot_model_frame_size(fourcc('R', 'G', 'B', '3'), 3, 5, &n), 0);
	EXPECT_EQ(n, 45u);
	EXPECT_EQ(aiot_model_frame_size(fourcc('B', 'G', 'R', '3'), 3, 5, &n), 0);
	EXPECT_EQ(aiot_model_frame_size(fourcc('U', 'Y', 'V', 'Y'), 4, 5, &n), 0);
	EXPECT_EQ(n, 40u);
	EXPECT_EQ(aiot_model_frame_size(kYUYV, 641, 480, &n), -EINVAL);	// odd width
	EXPECT_EQ(aiot_model_frame_size(kNV12, 640, 481, &n), -EINVAL);	// odd height
	EXPECT_EQ(aiot_model_frame_size(kNV12, 0, 480, &n), -EINVAL);
	EXPECT_EQ(aiot_model_frame_size(kYUYV, 65536, 2, &n), -EINVAL);
	EXPECT_EQ(aiot_model_frame_size(fourcc('M', 'J', 'P', 'G'), 640, 480, &n), -EINVAL);
	EXPECT_EQ(aiot_model_frame_size(0, 640, 480, &n), -EINVAL);
}

TEST(LibModelFormat, FrameInputIsMinorOneAndRoundTrips)
{
	Parts parts;
	aiot_model_blob_view view;
	Blob b;

	// Without a frame the writer keeps minor 0: older readers still read it.
	b = valid_blob();
	EXPECT_EQ(b[kVersionMinor], 0);
	parts.tensors[0] = frame_tensor(kYUYV, 640, 480, 640 * 480 * 2);
	ASSERT_EQ(build(parts, b), 0);
	EXPECT_EQ(b[kVersionMinor], AIOT_MODEL_VERSION_MINOR_PIXEL_FORMAT);
	ASSERT_EQ(aiot_model_blob_parse(b.data(), b.size(), &view, nullptr, 0), 0);
	EXPECT_EQ(view.tensors[0].pixel_format, kYUYV);
	EXPECT_EQ(view.tensors[0].size, 640u * 480 * 2);
	EXPECT_EQ(get32(b, tensor_offset(b, 0) + 60), kYUYV);
	EXPECT_EQ(view.tensors[1].pixel_format, 0u);

	parts.tensors[0] = frame_tensor(kNV12, 640, 480, 640 * 480 * 3 / 2);
	ASSERT_EQ(build(parts, b), 0);
	ASSERT_EQ(aiot_model_blob_parse(b.data(), b.size(), &view, nullptr, 0), 0);
	EXPECT_EQ(view.tensors[0].pixel_format, kNV12);
}

// An output the graph gives as float32 (a DEQUANTIZE left to the host).
TEST(LibModelFormat, DequantizedOutputIsMinorTwoAndChecked)
{
	Parts parts;
	aiot_model_blob_view view;
	Blob b, c;

	parts.tensors[1].flags = AIOT_MODEL_TENSOR_F_DEQUANTIZE;
	ASSERT_EQ(build(parts, b), 0);
	EXPECT_EQ(b[kVersionMinor], AIOT_MODEL_VERSION_MINOR_DEQUANTIZE);
	ASSERT_EQ(aiot_model_blob_parse(b.data(), b.size(), &view, nullptr, 0), 0);
	EXPECT_EQ(view.tensors[0].flags, 0);
	EXPECT_EQ(view.tensors[1].flags, AIOT_MODEL_TENSOR_F_DEQUANTIZE);
	size_t t0 = tensor_offset(b, 0), t1 = tensor_offset(b, 1);
	EXPECT_EQ(b[t1 + 27], AIOT_MODEL_TENSOR_F_DEQUANTIZE);

	c = b;					// a minor-1 reader's blob: reserved
	c[kVersionMinor] = 1;
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "flags 0x01 in a version 1.1 blob (reserved before 1.2");
	c = b;
	c[t1 + 27] = 0x03;
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "unknown flags 0x02");
	c = b;
	c[t0 + 27] = AIOT_MODEL_TENSOR_F_DEQUANTIZE;
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "tensor 0 (input): DEQUANTIZE on an input");
	// Writing one: the same checks.
	parts.tensors[0].flags = AIOT_MODEL_TENSOR_F_DEQUANTIZE;
	EXPECT_EQ(build(parts, b), -EINVAL);
}

TEST(LibModelFormat, FrameInputsAreChecked)
{
	Parts parts;
	Blob b, c;
	std::string msg;

	parts.tensors[0] = frame_tensor(kYUYV, 640, 480, 640 * 480 * 2);
	ASSERT_EQ(build(parts, b), 0);
	size_t t0 = tensor_offset(b, 0), t1 = tensor_offset(b, 1);

	c = b;					// a minor-0 blob: the field is reserved
	c[kVersionMinor] = 0;
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "reserved before 1.1");
	c = b;
	put32(c, t0 + 60, fourcc('M', 'J', 'P', 'G'));
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "unknown pixel format MJPG");
	c = b;
	put32(c, t0 + 60, 0x01020304);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "unknown pixel format 0x01020304");
	c = b;
	put32(c, t0 + 56, 640 * 480);		// size vs W * H * bpp
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "size 307200 does not match a 640x480 YUYV frame (614400 bytes)");
	c = b;
	put32(c, t0 + 60, kNV12);		// NV12 is 1.5 bytes a pixel
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "does not match a 640x480 NV12 frame (460800 bytes)");
	c = b;
	put32(c, t0 + 40, 641);			// odd width
	put32(c, t0 + 56, 641 * 480 * 2);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "a 641x480 YUYV frame cannot be");
	c = b;
	put32(c, t0 + 44, 2);			// dims[3]
	put32(c, t0 + 56, 640 * 480 * 4);
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "must be [1, height, width, 1]");
	c = b;
	c[t0 + 25] = AIOT_ISA_DTYPE_INT16;
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "frame with dtype 2");
	c = b;
	put32(c, t1 + 60, kYUYV);		// an output is never a frame
	reseal(c);
	EXPECT_REJECTED(c, EINVAL, "only inputs are frames");

	// The writer refuses what the reader would.
	parts.tensors[0].size = 640 * 480;
	EXPECT_EQ(build(parts, b, &msg), -EINVAL);
	EXPECT_NE(msg.find("does not match a 640x480 YUYV frame"), std::string::npos) << msg;
}
