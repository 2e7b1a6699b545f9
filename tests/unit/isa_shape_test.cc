// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// ISA 1.5 SLICE (a strided slice whose strides may be negative) bit for bit
// against an index walk written here from the definition in docs/isa.md, on
// generated cases of every dtype; ISA 1.4's STRIDED_SLICE, which shares its
// validator and executor, on the same cases; every validator rule; the
// version gate and the opcodes after it that stay unassigned.
#include <gtest/gtest.h>

#include "isa_test_util.h"

using namespace isa_test;

namespace {

constexpr uint8_t I8 = AIOT_ISA_DTYPE_INT8, I16 = AIOT_ISA_DTYPE_INT16,
		  I32 = AIOT_ISA_DTYPE_INT32;

template <typename Op> std::vector<uint8_t> One(Op op, uint16_t minor)
{
	return one_op(op, minor);
}

template <typename Op> std::vector<uint8_t> Rec(Op op)
{
	op.hdr.size = sizeof(Op);
	std::vector<uint8_t> v(sizeof(Op));
	std::memcpy(v.data(), &op, sizeof(Op));
	return v;
}

Job Buffers()
{
	Job job;
	for (unsigned b = 0; b < 4; b++)
		job.reserve(b, 4096, 0);
	return job;
}

// Validates (and runs: the executor refuses what the validator refuses) one
// record in a stream declaring ISA 1.minor.
int ValidateRec(const std::vector<uint8_t> &rec, uint16_t minor)
{
	StreamBuilder sb(minor);
	sb.add_raw(rec.data(), rec.size());
	auto s = sb.build();
	Job job = Buffers();
	int rc = job.validate(s);
	EXPECT_EQ(job.run(s), rc);
	return rc;
}

// The reference: walk every output position, input index begin + p * stride
// on each axis, read as the dtype's bytes.
std::vector<uint8_t> RefSlice(const std::vector<uint8_t> &in, const uint32_t *id,
			      const uint32_t *od, const uint32_t *begin, const int64_t *stride,
			      size_t es)
{
	std::vector<uint8_t> out;
	uint32_t p[4];
	for (p[0] = 0; p[0] < od[0]; p[0]++)
		for (p[1] = 0; p[1] < od[1]; p[1]++)
			for (p[2] = 0; p[2] < od[2]; p[2]++)
				for (p[3] = 0; p[3] < od[3]; p[3]++) {
					int64_t idx = 0;
					for (int a = 0; a < 4; a++) {
						int64_t i = int64_t(begin[a]) + int64_t(p[a]) * stride[a];
						EXPECT_GE(i, 0);
						EXPECT_LT(i, int64_t(id[a]));
						idx = idx * id[a] + i;
					}
					for (size_t b = 0; b < es; b++)
						out.push_back(in[size_t(idx) * es + b]);
				}
	return out;
}

} // namespace

TEST(IsaShape, SliceMatchesTheIndexWalkForEveryDtypeAndStrideSign)
{
	std::mt19937 g(46);
	int negative = 0, runs = 0;
	for (int iter = 0; iter < 600; iter++) {
		uint8_t dt = iter % 3 == 0 ? I8 : iter % 3 == 1 ? I16 : I32;
		size_t es = aiot_isa_dtype_bytes(dt);
		uint32_t id[4], od[4], begin[4];
		int32_t st[4];
		int64_t st64[4];
		for (int a = 0; a < 4; a++) {
			id[a] = 1 + g() % 7;
			int32_t mag = 1 + int32_t(g() % 3);
			bool neg = g() % 2;
			begin[a] = g() % id[a];
			// Room in the walking direction: begin .. end or begin .. 0.
			uint32_t room = neg ? begin[a] : id[a] - 1 - begin[a];
			od[a] = 1 + (g() % (room / mag + 1));
			st[a] = neg ? -mag : mag;
			st64[a] = st[a];
		}
		bool any_neg = st[0] < 0 || st[1] < 0 || st[2] < 0 || st[3] < 0;
		size_t n_in = size_t(id[0]) * id[1] * id[2] * id[3];
		size_t n_out = size_t(od[0]) * od[1] * od[2] * od[3];
		std::vector<uint8_t> src(n_in * es);
		for (auto &b : src)
			b = uint8_t(g());
		Job job;
		aiot_isa_op_slice s{};
		s.hdr.opcode = AIOT_ISA_OP_SLICE;
		s.input = tensor(1, job.put(1, src.data(), src.size()), id[0], id[1], id[2], id[3],
				 dt);
		s.output = tensor(2, job.reserve(2, n_out * es), od[0], od[1], od[2], od[3], dt);
		std::memcpy(s.begin, begin, sizeof(begin));
		std::memcpy(s.stride, st, sizeof(st));
		aiot_isa_summary sum{};
		ASSERT_EQ(job.validate(One(s, 5), &sum), 0);
		EXPECT_EQ(sum.work, n_out);
		EXPECT_EQ(sum.isa_minor, 5u);
		ASSERT_EQ(job.run(One(s, 5)), 0);
		auto want = RefSlice(src, id, od, begin, st64, es);
		ASSERT_EQ(job.get<uint8_t>(2, s.output.offset, n_out * es), want) << iter;
		negative += any_neg;
		runs++;

		// ISA 1.4's STRIDED_SLICE gives the same for positive strides.
		if (!any_neg) {
			aiot_isa_op_strided_slice o{};
			o.hdr.opcode = AIOT_ISA_OP_STRIDED_SLICE;
			o.input = s.input;
			o.output = s.output;
			std::memcpy(o.begin, begin, sizeof(begin));
			for (int a = 0; a < 4; a++)
				o.stride[a] = uint32_t(st[a]);
			std::fill(job.buf[2].begin(), job.buf[2].end(), 0x5a);
			ASSERT_EQ(job.run(One(o, 4)), 0);
			ASSERT_EQ(job.get<uint8_t>(2, s.output.offset, n_out * es), want);
		}
	}
	EXPECT_GT(negative, 400);
	EXPECT_EQ(runs, 600);
}

TEST(IsaShape, SliceReversesEveryAxisAndTakesHugeStridesOfOneElement)
{
	// [2,3,4,5] int8 reversed on all four axes.
	std::vector<uint8_t> src(120);
	for (size_t i = 0; i < src.size(); i++)
		src[i] = uint8_t(i);
	Job job;
	aiot_isa_op_slice s{};
	s.hdr.opcode = AIOT_ISA_OP_SLICE;
	s.input = tensor(1, job.put(1, src.data(), src.size()), 2, 3, 4, 5);
	s.output = tensor(2, job.reserve(2, 120), 2, 3, 4, 5);
	uint32_t b[4] = { 1, 2, 3, 4 };
	std::memcpy(s.begin, b, sizeof(b));
	for (int a = 0; a < 4; a++)
		s.stride[a] = -1;
	ASSERT_EQ(job.run(One(s, 5)), 0);
	auto out = job.get<uint8_t>(2, s.output.offset, 120);
	for (size_t i = 0; i < 120; i++)
		ASSERT_EQ(out[i], 119 - i);
	// A one-element axis reads begin whatever the stride.
	s.output = tensor(2, s.output.offset, 1, 1, 1, 5);
	s.stride[0] = INT32_MIN;
	s.stride[1] = INT32_MAX;
	s.stride[2] = -7;
	ASSERT_EQ(job.run(One(s, 5)), 0);
	out = job.get<uint8_t>(2, s.output.offset, 5);
	for (int c = 0; c < 5; c++)
		EXPECT_EQ(out[c], ((1 * 3 + 2) * 4 + 3) * 5 + 4 - c);
}

TEST(IsaShape, ValidatorRejectsBadSlices)
{
	aiot_isa_op_slice s{};
	s.hdr.opcode = AIOT_ISA_OP_SLICE;
	s.input = tensor(1, 0, 1, 4, 6, 8, I16);
	s.output = tensor(2, 0, 1, 2, 3, 4, I16);
	uint32_t b[4] = { 0, 3, 0, 7 };
	int32_t st[4] = { 1, -2, 2, -2 };
	std::memcpy(s.begin, b, sizeof(b));
	std::memcpy(s.stride, st, sizeof(st));
	EXPECT_EQ(ValidateRec(Rec(s), 5), 0);

	auto bad = s; bad.stride[2] = 0;
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -EINVAL) << "zero stride";
	bad = s; bad.begin[1] = 1;  // 1, -1: below the first element
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -EINVAL) << "walks below 0";
	bad = s; bad.begin[2] = 2;  // 2, 4, 6: past the end
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -EINVAL) << "walks past the end";
	bad = s; bad.begin[0] = 1;
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -EINVAL) << "begin outside a 1-element axis";
	bad = s; bad.begin[3] = 0xffffffffu;
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -EINVAL) << "huge begin";
	bad = s; bad.stride[1] = INT32_MIN;
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -EINVAL) << "huge negative stride";
	bad = s; bad.output.dtype = I8;
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -EINVAL) << "dtype changes";
	bad = s; bad.input.dtype = 9; bad.output.dtype = 9;
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -EINVAL) << "unknown dtype";
	bad = s; bad.output.binding = 1;
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -EINVAL) << "output overlaps the input";
	bad = s; bad.output.offset = 4096 - 8;
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -ENOSPC) << "output outside its buffer";
	bad = s; bad.input.reserved = 1;
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -EINVAL) << "reserved tensor field";
	bad = s; bad.hdr.flags = 1;
	EXPECT_EQ(ValidateRec(Rec(bad), 5), -EINVAL) << "op flags";
	auto rec = Rec(s);
	rec.push_back(0);
	rec.push_back(0);
	rec.push_back(0);
	rec.push_back(0);
	uint32_t size = uint32_t(rec.size());
	std::memcpy(&rec[4], &size, 4);
	EXPECT_EQ(ValidateRec(rec, 5), -EINVAL) << "record size";
}

TEST(IsaShape, SliceNeedsIsa15AndLaterOpcodesStayUnassigned)
{
	aiot_isa_op_slice s{};
	s.hdr.opcode = AIOT_ISA_OP_SLICE;
	s.input = tensor(1, 0, 1, 1, 1, 8);
	s.output = tensor(2, 0, 1, 1, 1, 8);
	s.begin[3] = 7;
	for (int a = 0; a < 4; a++)
		s.stride[a] = -1;
	EXPECT_EQ(ValidateRec(Rec(s), 5), 0);
	EXPECT_EQ(ValidateRec(Rec(s), 4), -EOPNOTSUPP);
	EXPECT_EQ(ValidateRec(Rec(s), 0), -EOPNOTSUPP);
	EXPECT_EQ(ValidateRec(Rec(s), AIOT_ISA_VERSION_MINOR + 1), -EOPNOTSUPP)
		<< "a stream newer than the validator";
	for (uint16_t opc = AIOT_ISA_NUM_OPCODES; opc < AIOT_ISA_NUM_OPCODES + 8; opc++) {
		auto rec = Rec(s);
		std::memcpy(&rec[0], &opc, 2);
		EXPECT_EQ(ValidateRec(rec, 5), -EOPNOTSUPP) << opc;
	}
	EXPECT_GE(AIOT_ISA_VERSION_MINOR, 5);
	aiot_isa_summary sum{};
	StreamBuilder sb;
	sb.add(s);
	Job job = Buffers();
	ASSERT_EQ(job.validate(sb.build(), &sum), 0);
	EXPECT_EQ(sum.isa_minor, uint32_t(AIOT_ISA_VERSION_MINOR));
	EXPECT_TRUE(sum.op_mask & (1ull << AIOT_ISA_OP_SLICE));
	EXPECT_EQ(sum.work, 8u);
}
