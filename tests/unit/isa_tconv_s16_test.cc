// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// ISA 1.9's TRANSPOSE_CONV_S16 (int16 activations, int8 weights, int64
// biases) on generated cases, run by the kernel/isa executor and compared
// bit for bit with the independent transcription of TensorFlow Lite's
// int16 reference_integer_ops::TransposeConv in isa_s16_ref.h (a scatter
// into an int64 scratch buffer, where the executor gathers); hand-computed
// cases whose sums need more than 32 bits; int64 biases at the limits;
// every validator rule and the version gate.

#include <gtest/gtest.h>

#include "isa_s16_ref.h"

using namespace isa_test;

namespace {

int rnd(std::mt19937 &rng, int lo, int hi)
{
	return std::uniform_int_distribution<int>(lo, hi)(rng);
}

// Every fifth value at an int16 limit.
std::vector<int16_t> inputs16(std::mt19937 &rng, size_t n)
{
	std::vector<int16_t> v(n);
	for (auto &x : v) {
		switch (rnd(rng, 0, 9)) {
		case 0:
			x = INT16_MIN;
			break;
		case 1:
			x = INT16_MAX;
			break;
		default:
			x = int16_t(rnd(rng, INT16_MIN, INT16_MAX));
			break;
		}
	}
	return v;
}

std::vector<int8_t> weights8(std::mt19937 &rng, size_t n)
{
	std::vector<int8_t> v(n);
	for (auto &x : v)
		x = int8_t(rnd(rng, -128, 127));
	return v;
}

// Scales that put a typical output near +-8000, one layer in four 64
// times bigger (mostly saturated); biases of the sums' size, 0, or far
// beyond them (saturating), all inside TFLite's domain (|acc| < 2^47).
ref16::Quant64 quant64(std::mt19937 &rng, int channels, int taps)
{
	ref16::Quant64 q;
	bool saturate = rnd(rng, 0, 3) == 0;
	double root = std::sqrt(double(std::max(taps, 1)));
	int bias_range = int(std::min(root * (1 << 21), double(1 << 30)));
	std::uniform_real_distribution<double> s(0.25, 2.0);
	for (int c = 0; c < channels; ++c) {
		double d = 0.005 / root * s(rng) * (saturate ? 64 : 1);
		int32_t m;
		int sh;

		ref::QuantizeMultiplier(d, &m, &sh);
		q.mult.push_back(m);
		q.shift.push_back(sh);
		switch (rnd(rng, 0, 5)) {
		case 0:
			q.bias.push_back((rnd(rng, 0, 1) ? 1 : -1) *
					 int64_t(1e9 / d));
			break;
		case 1:
			q.bias.push_back(0);
			break;
		default:
			q.bias.push_back(rnd(rng, -bias_range, bias_range));
			break;
		}
	}
	return q;
}

aiot_isa_activation act16(std::mt19937 &rng)
{
	switch (rnd(rng, 0, 2)) {
	case 0:
		return { INT16_MIN, INT16_MAX };
	case 1:
		return { 0, INT16_MAX };
	default:
		return { -4096, 4096 };
	}
}

// The int64 records need an 8-aligned offset.
uint32_t put_quant64(Job &job, unsigned int b, const ref16::Quant64 &q)
{
	std::vector<aiot_isa_channel_quant64> v(q.bias.size());
	for (size_t i = 0; i < v.size(); ++i)
		v[i] = { q.bias[i], q.mult[i], q.shift[i] };
	while (job.buf[b].size() % 8)
		job.buf[b].push_back(0);
	return job.put(b, v.data(), v.size() * sizeof(v[0]));
}

std::vector<uint8_t> stream_of(const aiot_isa_op_transpose_conv &op,
			       unsigned int minor = AIOT_ISA_VERSION_MINOR)
{
	StreamBuilder sb;
	sb.add(op);
	auto s = sb.build();
	aiot_isa_header h;
	std::memcpy(&h, s.data(), sizeof(h));
	h.version = AIOT_ISA_VERSION(1, minor);
	std::memcpy(s.data(), &h, sizeof(h));
	return s;
}

struct TconvCase {
	Job job;
	aiot_isa_op_transpose_conv op{};
	ref16::TconvGeom g{};
	std::vector<int16_t> want;
};

// Filter [Cout, KH, KW, Cin] and records in binding 0, input in 1, the
// output in 2. The output's size is free: TFLite's SAME and VALID sizes,
// smaller ones (taps fall off the end) and larger ones (rows no tap
// reaches, bias only).
void make_tconv(std::mt19937 &rng, TconvCase &tc, bool has_bias)
{
	ref16::TconvGeom &g = tc.g;
	g.N = rnd(rng, 1, 2);
	g.H = rnd(rng, 1, 6);
	g.W = rnd(rng, 1, 6);
	g.Cin = rnd(rng, 1, 5);
	g.Cout = rnd(rng, 1, 5);
	g.KH = rnd(rng, 1, 4);
	g.KW = rnd(rng, 1, 4);
	g.sh = rnd(rng, 1, 3);
	g.sw = rnd(rng, 1, 3);
	g.pt = rnd(rng, 0, g.KH - 1);
	g.pl = rnd(rng, 0, g.KW - 1);
	g.OH = std::max(1, (g.H - 1) * g.sh + g.KH - g.pt + rnd(rng, -2, 1));
	g.OW = std::max(1, (g.W - 1) * g.sw + g.KW - g.pl + rnd(rng, -2, 1));
	auto act = act16(rng);
	auto in = inputs16(rng, size_t(g.N) * g.H * g.W * g.Cin);
	auto f = weights8(rng, size_t(g.Cout) * g.KH * g.KW * g.Cin);
	auto q = quant64(rng, g.Cout, g.KH * g.KW * g.Cin);
	// No bias tensor: the compiler writes zero biases.
	if (!has_bias)
		std::fill(q.bias.begin(), q.bias.end(), 0);

	auto &op = tc.op;
	op.hdr.opcode = AIOT_ISA_OP_TRANSPOSE_CONV_S16;
	op.filter = tensor(0, tc.job.put(0, f.data(), f.size()), g.Cout, g.KH,
			   g.KW, g.Cin);
	op.quant.offset = put_quant64(tc.job, 0, q);
	op.input = tensor(1, tc.job.put(1, in.data(), in.size() * 2), g.N, g.H,
			  g.W, g.Cin, AIOT_ISA_DTYPE_INT16);
	size_t on = size_t(g.N) * g.OH * g.OW * g.Cout;
	op.output = tensor(2, tc.job.reserve(2, on * 2), g.N, g.OH, g.OW,
			   g.Cout, AIOT_ISA_DTYPE_INT16);
	op.act = act;
	op.stride_h = uint16_t(g.sh);
	op.stride_w = uint16_t(g.sw);
	op.pad_top = uint16_t(g.pt);
	op.pad_left = uint16_t(g.pl);
	tc.want = ref16::TransposeConv(in, f, q, g, has_bias, act.min, act.max);
}

std::vector<int16_t> run(TconvCase &tc)
{
	auto s = stream_of(tc.op);
	EXPECT_EQ(tc.job.validate(s), 0);
	EXPECT_EQ(tc.job.run(s), 0);
	return tc.job.get<int16_t>(2, tc.op.output.offset, tc.want.size());
}

TEST(IsaTconvS16, MatchesReference)
{
	std::mt19937 rng(1901);
	size_t saturated = 0, total = 0;
	for (int i = 0; i < 150; ++i) {
		TconvCase tc;
		make_tconv(rng, tc, i % 3 != 0);
		ASSERT_EQ(tc.job.validate(stream_of(tc.op)), 0) << "case " << i;
		EXPECT_EQ(run(tc), tc.want) << "case " << i;
		for (int16_t v : tc.want)
			saturated += v == INT16_MIN || v == INT16_MAX;
		total += tc.want.size();
	}
	// Both the middle and the int16 limits are reached.
	EXPECT_GT(saturated, total / 50);
	EXPECT_LT(saturated, total / 2);
}

// One output pixel reached by every tap of a KxK filter over C channels,
// all products (-32768) * (-128) = 2^22: the sum K^2 * C * 2^22 is
// 2^32 for K = 4, C = 64, which 32-bit accumulation would wrap to 0.
TEST(IsaTconvS16, SumsBeyond32Bits)
{
	const int K = 4, C = 64;
	TconvCase tc;
	tc.g = { 1, K, K, C, K, K, 1, 1, 1, 1, 1, 0, 0 };
	// Output (0, 0) of a stride-1 transposed conv is reached by input
	// (y, x) through tap (-y, -x) only; a pad of K - 1 makes it tap
	// (K - 1 - y, K - 1 - x): every input element meets every tap.
	tc.g.pt = tc.g.pl = K - 1;
	std::vector<int16_t> in(size_t(K) * K * C, INT16_MIN);
	std::vector<int8_t> f(size_t(K) * K * C, -128);
	ref16::Quant64 q;
	q.bias = { 0 };
	q.mult = { 1 << 30 };	// 0.5: scale 0.5 * 2^-19 = 2^-20
	q.shift = { -19 };
	auto &op = tc.op;
	op.hdr.opcode = AIOT_ISA_OP_TRANSPOSE_CONV_S16;
	op.filter = tensor(0, tc.job.put(0, f.data(), f.size()), 1, K, K, C);
	op.quant.offset = put_quant64(tc.job, 0, q);
	op.input = tensor(1, tc.job.put(1, in.data(), in.size() * 2), 1, K, K,
			  C, AIOT_ISA_DTYPE_INT16);
	op.output = tensor(2, tc.job.reserve(2, 2), 1, 1, 1, 1,
			   AIOT_ISA_DTYPE_INT16);
	op.act = { INT16_MIN, INT16_MAX };
	op.stride_h = op.stride_w = 1;
	op.pad_top = op.pad_left = K - 1;
	tc.want = ref16::TransposeConv(in, f, q, tc.g, true, INT16_MIN,
				       INT16_MAX);
	ASSERT_EQ(tc.want.size(), 1u);
	EXPECT_EQ(tc.want[0], 4096);	// 2^32 * 2^-20
	EXPECT_EQ(run(tc), tc.want);

	// A bias of -2^32 + 2^20 leaves exactly 2^20: output 1.
	TconvCase tb = tc;
	q.bias = { -(int64_t(1) << 32) + (1 << 20) };
	tb.job.buf[0].resize(op.quant.offset);
	tb.op.quant.offset = put_quant64(tb.job, 0, q);
	tb.want = { 1 };
	EXPECT_EQ(run(tb), tb.want);
}

// One input element, one tap: output = clamp(MBQM64(x * w + bias)).
int16_t one_tap(int16_t x, int8_t w, int64_t bias, int32_t mult,
		int32_t shift)
{
	TconvCase tc;
	aiot_isa_channel_quant64 q = { bias, mult, shift };
	auto &op = tc.op;
	op.hdr.opcode = AIOT_ISA_OP_TRANSPOSE_CONV_S16;
	op.filter = tensor(0, tc.job.put(0, &w, 1), 1, 1, 1, 1);
	while (tc.job.buf[0].size() % 8)
		tc.job.buf[0].push_back(0);
	op.quant.offset = tc.job.put(0, &q, sizeof(q));
	op.input = tensor(1, tc.job.put(1, &x, 2), 1, 1, 1, 1,
			  AIOT_ISA_DTYPE_INT16);
	op.output = tensor(2, tc.job.reserve(2, 2), 1, 1, 1, 1,
			   AIOT_ISA_DTYPE_INT16);
	op.act = { INT16_MIN, INT16_MAX };
	op.stride_h = op.stride_w = 1;
	tc.want.resize(1);
	return run(tc)[0];
}

TEST(IsaTconvS16, BiasAndRequantizationExtremes)
{
	const int32_t one = INT32_MAX;	// ~1.0, reduced to 0x7fff
	auto want = [](int64_t acc, int32_t m, int shift) {
		return ref16::Clamp16(ref16::MBQM64(acc, m, shift), INT16_MIN,
				      INT16_MAX);
	};
	// Inside TFLite's domain the int64 bias is exact.
	int64_t big = (int64_t(1) << 47) - (int64_t(1) << 22) - 1;
	EXPECT_EQ(one_tap(INT16_MIN, -128, big, one, -31),
		  want((int64_t(1) << 47) - 1, one, -31));
	EXPECT_EQ(one_tap(INT16_MIN, 127, -big, one, -31),
		  want(-big - 32768 * 127, one, -31));
	// 2^45 + 12345 + 7 * 5 times 0x7fff / 2^46: 16383.5..., rounds to
	// 16384, unsaturated.
	EXPECT_EQ(one_tap(7, 5, (int64_t(1) << 45) + 12345, one, -31),
		  want((int64_t(1) << 45) + 12380, one, -31));
	EXPECT_EQ(one_tap(7, 5, (int64_t(1) << 45) + 12345, one, -31), 16384);
	EXPECT_EQ(one_tap(-3, 1, 0, 1 << 30, 0), -1);	// -1.5 rounds up
	EXPECT_EQ(one_tap(3, 1, 0, 1 << 30, 0), 2);	// 1.5 rounds up
	EXPECT_EQ(one_tap(INT16_MAX, 127, 7000, one, -16),
		  want(int64_t(INT16_MAX) * 127 + 7000, one, -16));
	// At the int64 limits the bias saturates instead of wrapping.
	EXPECT_EQ(one_tap(INT16_MIN, -128, INT64_MAX, one, 0), INT16_MAX);
	EXPECT_EQ(one_tap(INT16_MIN, 127, INT64_MIN, one, 0), INT16_MIN);
	EXPECT_EQ(one_tap(0, 0, INT64_MAX, one, -31), INT16_MAX);
	EXPECT_EQ(one_tap(0, 0, INT64_MIN, one, 7), INT16_MIN);
	// The activation range of the type saturates a huge scale.
	EXPECT_EQ(one_tap(INT16_MAX, 127, 0, one, 7), INT16_MAX);
	EXPECT_EQ(one_tap(INT16_MAX, -128, 0, one, 7), INT16_MIN);
}

// ------------------------------------------------------- validator

class TconvS16Reject : public ::testing::Test {
protected:
	void SetUp() override
	{
		std::mt19937 rng(1902);
		// A case with KH, KW >= 2, two channels out, room for pads.
		do {
			tc = TconvCase();
			make_tconv(rng, tc, true);
		} while (tc.g.KH < 2 || tc.g.KW < 2 || tc.g.Cout < 2 ||
			 tc.g.Cin < 2);
	}
	int rc(const aiot_isa_op_transpose_conv &op,
	       unsigned int minor = AIOT_ISA_VERSION_MINOR)
	{
		return tc.job.validate(stream_of(op, minor));
	}
	TconvCase tc;
};

TEST_F(TconvS16Reject, GoodCasePasses)
{
	EXPECT_EQ(rc(tc.op), 0);
}

TEST_F(TconvS16Reject, ReservedFieldsAreZero)
{
	auto o = tc.op;
	o.reserved[0] = 1;
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	o.reserved[1] = 0x80000000u;
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	o.quant.reserved[0] = 1;
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	o.input.reserved = 1;
	EXPECT_NE(rc(o), 0);
	o = tc.op;
	o.hdr.flags = 1;
	EXPECT_EQ(rc(o), -EINVAL);
}

TEST_F(TconvS16Reject, DtypesAreChecked)
{
	auto o = tc.op;
	o.input.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	o.output.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	o.filter.dtype = AIOT_ISA_DTYPE_INT16;
	EXPECT_NE(rc(o), 0);
	o = tc.op;
	o.input.dtype = AIOT_ISA_DTYPE_INT32;
	EXPECT_NE(rc(o), 0);
	// The int8 opcode keeps refusing int16 activations and records.
	o = tc.op;
	o.hdr.opcode = AIOT_ISA_OP_TRANSPOSE_CONV;
	EXPECT_EQ(rc(o), -EINVAL);
}

TEST_F(TconvS16Reject, ZeroPointsMustBeZero)
{
	auto o = tc.op;
	o.input_zero_point = 1;
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	o.output_zero_point = -1;
	EXPECT_EQ(rc(o), -EINVAL);
}

TEST_F(TconvS16Reject, RecordsInsideTheirBufferAndAligned)
{
	auto o = tc.op;
	o.quant.offset += 4;	// inside, but the int64 bias is misaligned
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	// The last record would start 8 bytes before the end.
	o.quant.offset = uint32_t(tc.job.buf[0].size() - 8);
	o.quant.offset -= o.quant.offset % 8;
	EXPECT_EQ(rc(o), -ENOSPC);
	o = tc.op;
	o.quant.binding = AIOT_ISA_MAX_BINDINGS;
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	o.output.offset = uint32_t(tc.job.buf[2].size());
	EXPECT_EQ(rc(o), -ENOSPC);
	o = tc.op;
	o.input.offset += 1;	// not a multiple of the element size
	EXPECT_EQ(rc(o), -EINVAL);
}

TEST_F(TconvS16Reject, ShapesAndParameters)
{
	auto o = tc.op;
	o.filter.dims[3] -= 1;	// Cin of the filter != the input's
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	o.filter.dims[0] -= 1;	// Cout of the filter != the output's
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	o.output.dims[0] = 1;
	o.input.dims[0] = 1;
	EXPECT_EQ(rc(o), 0);
	if (tc.g.N == 1) {
		o.output.dims[0] = 1;
		o.input.dims[0] = 2;
		EXPECT_NE(rc(o), 0);
	} else {
		o.output.dims[0] = 1;
		o.input.dims[0] = 2;
		EXPECT_EQ(rc(o), -EINVAL);
	}
	o = tc.op;
	o.stride_h = 0;
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	o.stride_w = 0;
	EXPECT_EQ(rc(o), -EINVAL);
	o = tc.op;
	o.pad_top = uint16_t(o.filter.dims[1]);
	EXPECT_EQ(rc(o), -EINVAL);
	o.pad_top = uint16_t(o.filter.dims[1] - 1);
	EXPECT_EQ(rc(o), 0);
	o = tc.op;
	o.pad_left = uint16_t(o.filter.dims[2]);
	EXPECT_EQ(rc(o), -EINVAL);
	o.pad_left = uint16_t(o.filter.dims[2] - 1);
	EXPECT_EQ(rc(o), 0);
	o = tc.op;
	o.stride_h = o.stride_w = 65535;
	EXPECT_EQ(rc(o), 0);
	// The filter's size bounds the taps one output sums, and so the int64
	// sum (|sum| <= 2^30 * 2^22): a larger filter is refused.
	o = tc.op;
	o.filter.dims[1] = o.filter.dims[2] = 65535;
	EXPECT_EQ(rc(o), -E2BIG);
	o = tc.op;
	o.act = { -1, INT16_MAX + 1 };
	EXPECT_EQ(rc(o), -EINVAL);
	o.act = { INT16_MIN - 1, 0 };
	EXPECT_EQ(rc(o), -EINVAL);
	o.act = { 5, 4 };
	EXPECT_EQ(rc(o), -EINVAL);
	o.act = { INT16_MIN, INT16_MAX };
	EXPECT_EQ(rc(o), 0);
}

TEST_F(TconvS16Reject, OutputMayNotOverlapItsOperands)
{
	// The output moved onto each operand in turn, resized to fit there.
	auto onto = [&](const aiot_isa_tensor &t, uint32_t off) {
		auto o = tc.op;
		o.output.binding = t.binding;
		o.output.offset = off;
		o.output.dims[0] = o.input.dims[0];
		o.output.dims[1] = o.output.dims[2] = 1;
		return rc(o);
	};
	EXPECT_EQ(onto(tc.op.input, tc.op.input.offset), -EINVAL);
	EXPECT_EQ(onto(tc.op.filter, tc.op.filter.offset & ~1u), -EINVAL);
	EXPECT_EQ(onto(tc.op.filter, tc.op.quant.offset), -EINVAL);
	// Beside them in the same buffers is fine.
	auto o = tc.op;
	o.output.binding = 1;
	o.output.offset = tc.job.reserve(1, elems(o.output) * 2);
	EXPECT_EQ(rc(o), 0);
}

TEST_F(TconvS16Reject, NeedsIsa19)
{
	for (unsigned int old = 0; old < 9; ++old)
		EXPECT_EQ(rc(tc.op, old), -EOPNOTSUPP) << "1." << old;
	EXPECT_EQ(rc(tc.op, 9), 0);
	// The opcodes after the last one are unassigned.
	for (unsigned int opcode = AIOT_ISA_NUM_OPCODES; opcode < 64; ++opcode) {
		auto o = tc.op;
		o.hdr.opcode = uint16_t(opcode);
		EXPECT_EQ(rc(o), -EOPNOTSUPP) << opcode;
	}
}

TEST_F(TconvS16Reject, SummaryCountsWork)
{
	aiot_isa_summary sum{};
	ASSERT_EQ(tc.job.validate(stream_of(tc.op), &sum), 0);
	const uint32_t *od = tc.op.output.dims, *f = tc.op.filter.dims;
	EXPECT_EQ(sum.work, uint64_t(od[0]) * od[1] * od[2] * od[3] * f[1] *
				    f[2] * f[3]);
	EXPECT_EQ(sum.isa_minor, 9u);
	EXPECT_EQ(sum.op_mask, 1ull << AIOT_ISA_OP_TRANSPOSE_CONV_S16);
	EXPECT_EQ(sum.bindings_written, 1u << 2);
	EXPECT_EQ(sum.bindings_read, (1u << 0) | (1u << 1));
}

// The executor's stop hook ends a large transposed conv part way.
TEST(IsaTconvS16, StopsWhenAsked)
{
	const int C = 256, K = 8, H = 16;
	Job job;
	std::vector<int8_t> f(size_t(C) * K * K * C, 1);
	std::vector<aiot_isa_channel_quant64> q(C, { 0, 1 << 30, 0 });
	std::vector<int16_t> in(size_t(H) * H * C, 7);
	aiot_isa_op_transpose_conv op{};
	op.hdr.opcode = AIOT_ISA_OP_TRANSPOSE_CONV_S16;
	op.filter = tensor(0, job.put(0, f.data(), f.size()), C, K, K, C);
	while (job.buf[0].size() % 8)
		job.buf[0].push_back(0);
	op.quant.offset = job.put(0, q.data(), q.size() * sizeof(q[0]));
	op.input = tensor(1, job.put(1, in.data(), in.size() * 2), 1, H, H, C,
			  AIOT_ISA_DTYPE_INT16);
	uint32_t O = uint32_t(H + K - 1);
	op.output = tensor(2, job.reserve(2, size_t(O) * O * C * 2), 1, O, O, C,
			   AIOT_ISA_DTYPE_INT16);
	op.act = { INT16_MIN, INT16_MAX };
	op.stride_h = op.stride_w = 1;
	auto s = stream_of(op);
	ASSERT_EQ(job.validate(s), 0);
	static int calls;
	calls = 0;
	aiot_isa_exec_control ctl{};
	ctl.should_stop = [](void *) {
		return ++calls > 3;
	};
	auto sz = job.sizes();
	std::vector<void *> p;
	for (auto &v : job.buf)
		p.push_back(v.data());
	EXPECT_EQ(aiot_isa_execute_ctl(s.data(), s.size(), p.data(), sz.data(),
				       unsigned(sz.size()), &ctl),
		  -ECANCELED);
	EXPECT_EQ(calls, 4);
}

} // namespace
