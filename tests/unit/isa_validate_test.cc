// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// The validator against hostile streams, and the executor's refusal to run
// them. Every case starts from a valid stream and breaks one thing.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "isa_test_util.h"

using namespace isa_test;

namespace {

// A valid job: conv 4x4x2 -> 4x4x3 into the arena, then a reshape.
struct Fixture {
	Job job;
	aiot_isa_op_conv conv{};
	aiot_isa_op_reshape reshape{};

	Fixture()
	{
		std::mt19937 rng(42);
		auto f = random_i8(rng, 3 * 3 * 3 * 2);
		auto in = random_i8(rng, 4 * 4 * 2);
		conv.hdr.opcode = AIOT_ISA_OP_CONV_2D;
		conv.filter = tensor(0, job.put(0, f.data(), f.size()), 3, 3, 3, 2);
		conv.quant.offset = put_quant(job, 0, random_quant(rng, 3));
		conv.input = tensor(1, job.put(1, in.data(), in.size()), 1, 4, 4, 2);
		conv.output = tensor(3, job.reserve(3, 48), 1, 4, 4, 3);
		conv.act = { -128, 127 };
		conv.stride_h = conv.stride_w = 1;
		conv.dilation_h = conv.dilation_w = 1;
		conv.pad_top = conv.pad_left = 1;
		reshape.hdr.opcode = AIOT_ISA_OP_RESHAPE;
		reshape.input = conv.output;
		reshape.output = tensor(2, job.reserve(2, 48), 1, 1, 1, 48);
	}
	std::vector<uint8_t> stream() const
	{
		StreamBuilder sb;
		sb.add(conv);
		sb.add(reshape);
		return sb.build();
	}
};

aiot_isa_header *hdr(std::vector<uint8_t> &s)
{
	return reinterpret_cast<aiot_isa_header *>(s.data());
}

TEST(IsaValidate, BaseStreamIsValid)
{
	Fixture fx;
	aiot_isa_summary sum;
	auto s = fx.stream();
	ASSERT_EQ(fx.job.validate(s, &sum), 0);
	EXPECT_EQ(sum.op_count, 2u);
	EXPECT_EQ(sum.op_mask, (1u << AIOT_ISA_OP_CONV_2D) |
			       (1u << AIOT_ISA_OP_RESHAPE));
	EXPECT_EQ(sum.bindings_read, (1u << 0) | (1u << 1) | (1u << 3));
	EXPECT_EQ(sum.bindings_written, (1u << 2) | (1u << 3));
	EXPECT_EQ(sum.work, 48u * 3 * 3 * 2 + 48);
	// A larger buffer than the stream is fine (e.g. a page-sized BO).
	s.resize(s.size() + 100, 0xff);
	EXPECT_EQ(fx.job.validate(s), 0);
}

TEST(IsaValidate, HeaderRejections)
{
	Fixture fx;
	auto base = fx.stream();
	struct Case {
		const char *what;
		std::function<void(std::vector<uint8_t> &)> mutate;
		int err;
	} cases[] = {
		{ "bad magic", [](auto &s) { hdr(s)->magic ^= 1; }, -EINVAL },
		{ "major 2", [](auto &s) { hdr(s)->version = AIOT_ISA_VERSION(2, 0); }, -EOPNOTSUPP },
		{ "major 0", [](auto &s) { hdr(s)->version = AIOT_ISA_VERSION(0, 9); }, -EOPNOTSUPP },
		{ "newer minor", [](auto &s) { hdr(s)->version += 1; }, -EOPNOTSUPP },
		{ "flags", [](auto &s) { hdr(s)->flags = 1u << 31; }, -EINVAL },
		{ "reserved", [](auto &s) { hdr(s)->reserved[2] = 1; }, -EINVAL },
		{ "size beyond len", [](auto &s) { hdr(s)->size += 4; }, -EINVAL },
		{ "size below header", [](auto &s) { hdr(s)->size = 16; }, -EINVAL },
		{ "size unaligned", [](auto &s) { hdr(s)->size -= 1; }, -EINVAL },
		{ "size too big", [](auto &s) { hdr(s)->size = AIOT_ISA_MAX_STREAM_BYTES + 4; }, -E2BIG },
		{ "size max u32", [](auto &s) { hdr(s)->size = 0xffffffffu; }, -E2BIG },
		{ "too many ops", [](auto &s) { hdr(s)->op_count = AIOT_ISA_MAX_OPS + 1; }, -E2BIG },
		{ "op count short", [](auto &s) { hdr(s)->op_count = 1; }, -EINVAL },
		{ "op count long", [](auto &s) { hdr(s)->op_count = 3; }, -EINVAL },
		{ "op count zero", [](auto &s) { hdr(s)->op_count = 0; }, -EINVAL },
	};
	for (auto &c : cases) {
		auto s = base;
		c.mutate(s);
		EXPECT_EQ(fx.job.validate(s), c.err) << c.what;
		EXPECT_EQ(fx.job.run(s), c.err) << c.what;
	}
}

TEST(IsaValidate, EmptyAndTinyInputs)
{
	Fixture fx;
	auto sz = fx.job.sizes();
	EXPECT_EQ(aiot_isa_validate(nullptr, 0, sz.data(), 4, nullptr), -EINVAL);
	uint8_t small[8] = {};
	EXPECT_EQ(aiot_isa_validate(small, sizeof(small), sz.data(), 4, nullptr),
		  -EINVAL);
	auto s = fx.stream();
	EXPECT_EQ(aiot_isa_validate(s.data(), s.size(), nullptr, 4, nullptr),
		  -EINVAL);
	EXPECT_EQ(aiot_isa_validate(s.data(), s.size(), sz.data(),
				    AIOT_ISA_MAX_BINDINGS + 1, nullptr), -EINVAL);
	// A stream of zero operations is valid (a null job).
	StreamBuilder empty;
	auto e = empty.build();
	EXPECT_EQ(aiot_isa_validate(e.data(), e.size(), nullptr, 0, nullptr), 0);
	EXPECT_EQ(aiot_isa_execute(e.data(), e.size(), nullptr, nullptr, 0), 0);
}

TEST(IsaValidate, EveryTruncationIsRejected)
{
	Fixture fx;
	auto base = fx.stream();
	for (size_t len = 0; len < base.size(); ++len) {
		std::vector<uint8_t> s(base.begin(), base.begin() + len);
		EXPECT_NE(fx.job.validate(s), 0) << "len " << len;
		if (len >= sizeof(aiot_isa_header)) {
			// Also with a header that claims exactly the prefix.
			hdr(s)->size = uint32_t(len);
			EXPECT_NE(fx.job.validate(s), 0) << "len " << len;
		}
	}
}

TEST(IsaValidate, OpRecordRejections)
{
	Fixture fx;
	auto base = fx.stream();
	const size_t op0 = sizeof(aiot_isa_header);
	auto op_hdr = [&](std::vector<uint8_t> &s) {
		return reinterpret_cast<aiot_isa_op_header *>(s.data() + op0);
	};
	auto s = base;
	op_hdr(s)->opcode = AIOT_ISA_NUM_OPCODES;
	EXPECT_EQ(fx.job.validate(s), -EOPNOTSUPP);
	s = base;
	op_hdr(s)->opcode = 0xffff;
	EXPECT_EQ(fx.job.validate(s), -EOPNOTSUPP);
	s = base;
	op_hdr(s)->flags = 1;
	EXPECT_EQ(fx.job.validate(s), -EINVAL);
	s = base;
	op_hdr(s)->size += 8;
	EXPECT_EQ(fx.job.validate(s), -EINVAL);
	s = base;
	op_hdr(s)->size = 0;
	EXPECT_EQ(fx.job.validate(s), -EINVAL);
	s = base;
	op_hdr(s)->opcode = AIOT_ISA_OP_NOP;	// size no longer matches
	EXPECT_EQ(fx.job.validate(s), -EINVAL);
}

// Runs a mutation of the conv op and checks the errno and error_op.
void expect_conv(const std::function<void(Fixture &)> &mutate, int err,
		 const char *what)
{
	Fixture fx;
	mutate(fx);
	auto s = fx.stream();
	aiot_isa_summary sum;
	EXPECT_EQ(fx.job.validate(s, &sum), err) << what;
	if (err) {
		EXPECT_EQ(sum.error_op, 0u) << what;
	}
	// The executor refuses too, and writes nothing.
	auto before = fx.job.buf[2];
	EXPECT_EQ(fx.job.run(s), err) << what;
	if (err) {
		EXPECT_EQ(fx.job.buf[2], before) << what;
	}
}

TEST(IsaValidate, TensorRejections)
{
	expect_conv([](Fixture &f) { f.conv.input.reserved = 1; }, -EINVAL, "tensor reserved");
	expect_conv([](Fixture &f) { f.conv.input.dtype = AIOT_ISA_DTYPE_INT16; }, -EINVAL, "wrong dtype");
	expect_conv([](Fixture &f) { f.conv.input.dtype = 0; }, -EINVAL, "dtype 0");
	expect_conv([](Fixture &f) { f.conv.input.dtype = 200; }, -EINVAL, "dtype 200");
	expect_conv([](Fixture &f) { f.conv.input.dims[2] = 0; }, -EINVAL, "zero dim");
	expect_conv([](Fixture &f) { f.conv.input.dims[1] = AIOT_ISA_MAX_DIM + 1; }, -E2BIG, "dim too big");
	expect_conv([](Fixture &f) { f.conv.input.dims[1] = 0xffffffffu; }, -E2BIG, "dim u32 max");
	expect_conv([](Fixture &f) {
		auto &d = f.conv.input.dims;
		d[0] = d[1] = d[2] = d[3] = AIOT_ISA_MAX_DIM;
	}, -E2BIG, "tensor bytes");
	expect_conv([](Fixture &f) { f.conv.input.binding = 4; }, -EINVAL, "binding >= nbindings");
	expect_conv([](Fixture &f) { f.conv.input.binding = 255; }, -EINVAL, "binding 255");
	expect_conv([](Fixture &f) { f.conv.input.offset += 1; }, -ENOSPC, "input past end");
	expect_conv([](Fixture &f) { f.conv.input.offset = 0xffffffffu; }, -ENOSPC, "offset u32 max");
	expect_conv([](Fixture &f) { f.conv.filter.offset = 0xfffffff0u; }, -ENOSPC, "filter offset");
	expect_conv([](Fixture &f) { f.conv.output.dims[3] = 4; f.conv.filter.dims[0] = 4; },
		    -ENOSPC, "output bigger than arena");
	expect_conv([](Fixture &f) { f.conv.quant.offset += 4; }, -ENOSPC, "quant past end");
	expect_conv([](Fixture &f) { f.conv.quant.offset += 2; }, -EINVAL, "quant misaligned");
	expect_conv([](Fixture &f) { f.conv.quant.reserved[1] = 1; }, -EINVAL, "quant reserved");
	expect_conv([](Fixture &f) { f.conv.quant.binding = 9; }, -EINVAL, "quant binding");
}

TEST(IsaValidate, ConvParameterRejections)
{
	expect_conv([](Fixture &f) { f.conv.stride_h = 0; }, -EINVAL, "stride 0");
	expect_conv([](Fixture &f) { f.conv.dilation_w = 0; }, -EINVAL, "dilation 0");
	expect_conv([](Fixture &f) { f.conv.depth_multiplier = 1; }, -EINVAL, "conv dm");
	expect_conv([](Fixture &f) { f.conv.pad_top = 3; }, -EINVAL, "pad beyond filter");
	expect_conv([](Fixture &f) { f.conv.filter.dims[3] = 1; }, -EINVAL, "cin mismatch");
	expect_conv([](Fixture &f) { f.conv.output.dims[3] = 2; }, -EINVAL, "cout mismatch");
	expect_conv([](Fixture &f) { f.conv.input_zero_point = 128; }, -EINVAL, "zp 128");
	expect_conv([](Fixture &f) { f.conv.output_zero_point = -129; }, -EINVAL, "zp -129");
	expect_conv([](Fixture &f) { f.conv.act = { 5, 4 }; }, -EINVAL, "act min > max");
	expect_conv([](Fixture &f) { f.conv.act = { -129, 0 }; }, -EINVAL, "act range");
	expect_conv([](Fixture &f) { f.conv.act = { 0, 128 }; }, -EINVAL, "act range hi");
	expect_conv([](Fixture &f) { f.conv.hdr.opcode = AIOT_ISA_OP_DEPTHWISE_CONV_2D; },
		    -EINVAL, "depthwise with dm 0");
	// Output overlapping an input (arena aliasing) is refused.
	expect_conv([](Fixture &f) {
		f.conv.input.binding = 3;
		f.conv.input.offset = 16;
		f.job.reserve(3, 64);
	}, -EINVAL, "output overlaps input");
	expect_conv([](Fixture &f) { f.conv.output.binding = 0; f.conv.output.offset = 0; },
		    -EINVAL, "output overlaps weights");
}

// Builds a one-op stream from the raw bytes of op and validates it.
template <typename Op> int validate_one(Job &job, Op op)
{
	StreamBuilder sb;
	sb.add(op);
	return job.validate(sb.build());
}

TEST(IsaValidate, OtherOpRejections)
{
	Job job;
	job.reserve(0, 256);
	job.reserve(1, 256);
	job.reserve(2, 256);
	job.reserve(3, 256);

	aiot_isa_op_pool pool{};
	pool.hdr.opcode = AIOT_ISA_OP_MAX_POOL_2D;
	pool.input = tensor(1, 0, 1, 4, 4, 2);
	pool.output = tensor(2, 0, 1, 2, 2, 2);
	pool.act = { -128, 127 };
	pool.filter_h = pool.filter_w = pool.stride_h = pool.stride_w = 2;
	EXPECT_EQ(validate_one(job, pool), 0);
	auto p = pool;
	p.pad_top = 2;
	EXPECT_EQ(validate_one(job, p), -EINVAL) << "window fully in padding";
	p = pool;
	p.output.dims[1] = 3;
	EXPECT_EQ(validate_one(job, p), -EINVAL) << "last window past input";
	p = pool;
	p.filter_h = p.filter_w = 4096;
	EXPECT_EQ(validate_one(job, p), -E2BIG) << "window too large";
	p = pool;
	p.reserved = 1;
	EXPECT_EQ(validate_one(job, p), -EINVAL) << "pool reserved";
	p = pool;
	p.output.dims[3] = 1;
	EXPECT_EQ(validate_one(job, p), -EINVAL) << "channel mismatch";

	aiot_isa_op_add add{};
	add.hdr.opcode = AIOT_ISA_OP_ADD;
	add.input1 = tensor(1, 0, 1, 2, 2, 4);
	add.input2 = tensor(3, 0, 1, 1, 1, 4);
	add.output = tensor(2, 0, 1, 2, 2, 4);
	add.left_shift = 20;
	add.act = { -128, 127 };
	EXPECT_EQ(validate_one(job, add), 0);
	auto a = add;
	a.input2.dims[3] = 2;
	EXPECT_EQ(validate_one(job, a), -EINVAL) << "bad broadcast";
	a = add;
	a.left_shift = 24;
	EXPECT_EQ(validate_one(job, a), -EINVAL) << "left shift";
	a = add;
	a.output_shift = 31;
	EXPECT_EQ(validate_one(job, a), -EINVAL) << "shift 31";
	a = add;
	a.input1_shift = -32;
	EXPECT_EQ(validate_one(job, a), -EINVAL) << "shift -32";
	a = add;
	a.input2_multiplier = -1;
	EXPECT_EQ(validate_one(job, a), -EINVAL) << "negative multiplier";
	a = add;
	a.output = a.input1;	// exact in place is fine
	EXPECT_EQ(validate_one(job, a), 0);
	a.output.offset = 1;	// partial overlap is not
	EXPECT_EQ(validate_one(job, a), -EINVAL);

	aiot_isa_op_softmax sm{};
	sm.hdr.opcode = AIOT_ISA_OP_SOFTMAX;
	sm.input = tensor(1, 0, 1, 1, 2, 10);
	sm.output = tensor(2, 0, 1, 1, 2, 10);
	EXPECT_EQ(validate_one(job, sm), 0);
	auto m = sm;
	m.diff_min = 1;
	EXPECT_EQ(validate_one(job, m), -EINVAL) << "diff_min > 0";
	m = sm;
	m.input_left_shift = 32;
	EXPECT_EQ(validate_one(job, m), -EINVAL) << "left shift 32";
	m = sm;
	m.reserved = 7;
	EXPECT_EQ(validate_one(job, m), -EINVAL) << "softmax reserved";
	m = sm;
	m.output.dims[2] = 1;
	m.output.dims[3] = 20;
	EXPECT_EQ(validate_one(job, m), -EINVAL) << "softmax shape";

	aiot_isa_op_requantize rq{};
	rq.hdr.opcode = AIOT_ISA_OP_SENSOR_TO_INT8;
	rq.input = tensor(1, 0, 1, 1, 10, 3, AIOT_ISA_DTYPE_INT16);
	rq.output = tensor(2, 0, 1, 1, 10, 3);
	rq.input_zero_point = -32768;
	rq.act = { -128, 127 };
	EXPECT_EQ(validate_one(job, rq), 0);
	auto r = rq;
	r.input.offset = 1;
	EXPECT_EQ(validate_one(job, r), -EINVAL) << "int16 misaligned";
	r = rq;
	r.input.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(validate_one(job, r), -EINVAL) << "sensor needs int16";
	r = rq;
	r.input_zero_point = 32768;
	EXPECT_EQ(validate_one(job, r), -EINVAL) << "int16 zp";
	r = rq;
	r.hdr.opcode = AIOT_ISA_OP_REQUANTIZE;
	EXPECT_EQ(validate_one(job, r), -EINVAL) << "requantize needs int8";
	r = rq;
	r.output = r.input;
	r.output.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(validate_one(job, r), -EINVAL) << "sensor in place";

	aiot_isa_op_reshape rs{};
	rs.hdr.opcode = AIOT_ISA_OP_RESHAPE;
	rs.input = tensor(1, 0, 1, 1, 1, 8, AIOT_ISA_DTYPE_INT32);
	rs.output = tensor(2, 0, 1, 1, 2, 4, AIOT_ISA_DTYPE_INT32);
	EXPECT_EQ(validate_one(job, rs), 0);
	auto x = rs;
	x.output.dims[3] = 5;
	EXPECT_EQ(validate_one(job, x), -EINVAL) << "element count";
	x = rs;
	x.output.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(validate_one(job, x), -EINVAL) << "dtype change";

	aiot_isa_op_fully_connected fc{};
	fc.hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED;
	fc.input = tensor(1, 0, 2, 1, 1, 8);
	fc.filter = tensor(0, 0, 3, 1, 1, 8);
	fc.quant.offset = 32;
	fc.output = tensor(2, 0, 2, 1, 1, 3);
	fc.act = { -128, 127 };
	EXPECT_EQ(validate_one(job, fc), 0);
	auto y = fc;
	y.input.dims[1] = 2;
	EXPECT_EQ(validate_one(job, y), -EINVAL) << "fc input not flat";
	y = fc;
	y.reserved = 1;
	EXPECT_EQ(validate_one(job, y), -EINVAL) << "fc reserved";
	y = fc;
	y.filter_zero_point = -200;
	EXPECT_EQ(validate_one(job, y), -EINVAL) << "fc filter zp";
	y = fc;
	y.output.dims[0] = 1;
	EXPECT_EQ(validate_one(job, y), -EINVAL) << "fc batch";
}

TEST(IsaValidate, ErrorOpNamesTheBadOperation)
{
	Fixture fx;
	fx.reshape.output.dims[3] = 47;
	aiot_isa_summary sum;
	auto s = fx.stream();
	EXPECT_EQ(fx.job.validate(s, &sum), -EINVAL);
	EXPECT_EQ(sum.error_op, 1u);
	hdr(s)->magic = 0;
	EXPECT_EQ(fx.job.validate(s, &sum), -EINVAL);
	EXPECT_EQ(sum.error_op, AIOT_ISA_HEADER_OP);
}

TEST(IsaExecute, RefusesMissingBufferAndCancels)
{
	Fixture fx;
	auto s = fx.stream();
	auto sz = fx.job.sizes();
	std::vector<void *> p;
	for (auto &v : fx.job.buf)
		p.push_back(v.data());
	p[1] = nullptr;
	EXPECT_EQ(aiot_isa_execute(s.data(), s.size(), p.data(), sz.data(), 4),
		  -EINVAL);
	EXPECT_EQ(aiot_isa_execute(s.data(), s.size(), nullptr, sz.data(), 4),
		  -EINVAL);
	p[1] = fx.job.buf[1].data();
	int polls = 0;
	aiot_isa_exec_control ctl{};
	// Polled before each of the two (small) operations: stop at the second.
	ctl.should_stop = [](void *arg) {
		return ++*static_cast<int *>(arg) > 1;
	};
	ctl.arg = &polls;
	EXPECT_EQ(aiot_isa_execute_ctl(s.data(), s.size(), p.data(), sz.data(),
				       4, &ctl), -ECANCELED);
	EXPECT_EQ(polls, 2);
}

// Random corruption: the validator never crashes (ASan/UBSan watch), and a
// stream it accepts runs without touching memory outside the buffers.
TEST(IsaValidate, RandomBitFlipsAreSafe)
{
	Fixture fx;
	auto base = fx.stream();
	std::mt19937 rng(99);
	int accepted = 0;
	for (int i = 0; i < 20000; ++i) {
		auto s = base;
		int flips = std::uniform_int_distribution<int>(1, 4)(rng);
		for (int k = 0; k < flips; ++k) {
			size_t at = std::uniform_int_distribution<size_t>(
				0, s.size() - 1)(rng);
			s[at] ^= uint8_t(1u << (rng() % 8));
		}
		aiot_isa_summary sum;
		int v = fx.job.validate(s, &sum);
		int r = fx.job.run(s);
		EXPECT_EQ(v, r);
		if (!v)
			accepted++;
	}
	// Some flips land in values that stay legal (weights, zero points).
	EXPECT_GT(accepted, 0);
}

// Writes seeds for the fuzzer when AIOT_ISA_CORPUS_DIR is set. The fuzz
// input is 4 bytes of binding sizes in 64-byte units, then the stream.
TEST(IsaCorpus, WriteSeeds)
{
	const char *dir = std::getenv("AIOT_ISA_CORPUS_DIR");
	if (!dir)
		GTEST_SKIP() << "set AIOT_ISA_CORPUS_DIR to write seeds";
	Fixture fx;
	auto emit = [&](const char *name, const std::vector<uint8_t> &s,
			const Job &job) {
		std::vector<uint8_t> out;
		for (int b = 0; b < 4; ++b)
			out.push_back(uint8_t((job.buf[b].size() + 63) / 64));
		out.insert(out.end(), s.begin(), s.end());
		std::string path = std::string(dir) + "/" + name;
		FILE *f = std::fopen(path.c_str(), "wb");
		ASSERT_NE(f, nullptr);
		std::fwrite(out.data(), 1, out.size(), f);
		std::fclose(f);
	};
	emit("conv_reshape", fx.stream(), fx.job);
	Job job;
	for (int b = 0; b < 4; ++b)
		job.reserve(b, 512);
	uint8_t codes[] = { AIOT_ISA_OP_FULLY_CONNECTED, AIOT_ISA_OP_DEPTHWISE_CONV_2D,
			    AIOT_ISA_OP_AVERAGE_POOL_2D, AIOT_ISA_OP_ADD,
			    AIOT_ISA_OP_SOFTMAX, AIOT_ISA_OP_SENSOR_TO_INT8 };
	StreamBuilder all;
	aiot_isa_op_fully_connected fc{};
	fc.hdr.opcode = codes[0];
	fc.input = tensor(1, 0, 2, 1, 1, 8);
	fc.filter = tensor(0, 0, 3, 1, 1, 8);
	fc.quant.offset = 32;
	fc.output = tensor(2, 0, 2, 1, 1, 3);
	fc.act = { -128, 127 };
	all.add(fc);
	aiot_isa_op_conv dw{};
	dw.hdr.opcode = codes[1];
	dw.input = tensor(1, 64, 1, 3, 3, 2);
	dw.filter = tensor(0, 128, 1, 2, 2, 4);
	dw.quant.offset = 160;
	dw.output = tensor(3, 0, 1, 3, 3, 4);
	dw.act = { -128, 127 };
	dw.stride_h = dw.stride_w = dw.dilation_h = dw.dilation_w = 1;
	dw.pad_top = 1;
	dw.depth_multiplier = 2;
	all.add(dw);
	aiot_isa_op_pool pool{};
	pool.hdr.opcode = codes[2];
	pool.input = dw.output;
	pool.output = tensor(3, 64, 1, 1, 1, 4);
	pool.act = { -128, 127 };
	pool.filter_h = pool.filter_w = 3;
	pool.stride_h = pool.stride_w = 1;
	all.add(pool);
	aiot_isa_op_add add{};
	add.hdr.opcode = codes[3];
	add.input1 = pool.output;
	add.input2 = tensor(1, 100, 1, 1, 1, 1);
	add.output = tensor(3, 96, 1, 1, 1, 4);
	add.left_shift = 20;
	add.input1_multiplier = add.input2_multiplier = 1 << 30;
	add.output_multiplier = 1 << 30;
	add.output_shift = -18;
	add.act = { -128, 127 };
	all.add(add);
	aiot_isa_op_softmax sm{};
	sm.hdr.opcode = codes[4];
	sm.input = add.output;
	sm.output = tensor(2, 100, 1, 1, 1, 4);
	sm.input_multiplier = 1 << 30;
	sm.input_left_shift = 23;
	sm.diff_min = -248;
	all.add(sm);
	aiot_isa_op_requantize rq{};
	rq.hdr.opcode = codes[5];
	rq.input = tensor(1, 128, 1, 1, 16, 3, AIOT_ISA_DTYPE_INT16);
	rq.output = tensor(2, 128, 1, 1, 16, 3);
	rq.multiplier = 1 << 30;
	rq.shift = -7;
	rq.act = { -128, 127 };
	all.add(rq);
	all.add(aiot_isa_op_nop{ { AIOT_ISA_OP_NOP, 0, 0 } });
	auto s = all.build();
	ASSERT_EQ(job.validate(s), 0);
	emit("all_ops", s, job);
}

} // namespace
