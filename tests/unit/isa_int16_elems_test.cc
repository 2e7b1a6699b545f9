// SPDX-License-Identifier: GPL-2.0-only OR MIT
// ISA 1.8: the pools, SUB, MUL, MAXIMUM, MINIMUM, LEAKY_RELU and RESIZE on
// int16 elements, against an independent reference written from TensorFlow
// Lite Micro's int16 kernels (reference_integer_ops::AveragePool/MaxPool
// for int16, SubElementwise with a left shift of 15, MulElementwise,
// MaximumMinimumBroadcastSlow, QuantizeLeakyRelu<int16_t>,
// ResizeNearestNeighbor and TFLite's ResizeBilinearInteger), then the
// validator: the version gate, mixed element types, the int16 limits.
#include <gtest/gtest.h>

#include "isa_resize_ref.h"
#include "isa_test_util.h"

using namespace isa_test;

namespace {

using Dims = std::array<uint32_t, 4>;
constexpr uint8_t kS16 = AIOT_ISA_DTYPE_INT16;

int rnd(std::mt19937 &rng, int lo, int hi)
{
	return std::uniform_int_distribution<int>(lo, hi)(rng);
}

size_t Count(const Dims &d) { return size_t(d[0]) * d[1] * d[2] * d[3]; }

aiot_isa_tensor T16(uint8_t b, uint32_t off, const Dims &d)
{
	return tensor(b, off, d[0], d[1], d[2], d[3], kS16);
}

// A single-op stream declaring ISA 1.minor.
template <typename Op> std::vector<uint8_t> Stream(const Op &op, uint16_t minor = 8)
{
	return one_op(op, minor);
}

// int16 values, every fifth one at an extreme.
std::vector<int16_t> RandomS16(std::mt19937 &rng, size_t n)
{
	std::vector<int16_t> v(n);
	for (auto &x : v) {
		switch (rnd(rng, 0, 9)) {
		case 0: x = INT16_MIN; break;
		case 1: x = INT16_MAX; break;
		default: x = int16_t(rnd(rng, INT16_MIN, INT16_MAX)); break;
		}
	}
	return v;
}

int16_t Clamp16(int32_t v, int32_t lo, int32_t hi)
{
	return int16_t(std::min(hi, std::max(lo, v)));
}

namespace ref18 {

// TFLite's broadcast: a dim of 1 repeats; the offset into a 4-D tensor.
size_t At(const Dims &d, const Dims &p)
{
	size_t i = 0;
	for (int k = 0; k < 4; k++)
		i = i * d[k] + (d[k] == 1 ? 0 : p[k]);
	return i;
}

struct Binary {
	unsigned int opcode;
	int zp1, zp2, zpo;
	int32_t m1, m2, mo;
	int s1, s2, so;
	int amin, amax;
};

int16_t Elem(const Binary &p, int16_t a, int16_t b)
{
	switch (p.opcode) {
	case AIOT_ISA_OP_MAXIMUM:
		return Clamp16(std::max(a, b), p.amin, p.amax);
	case AIOT_ISA_OP_MINIMUM:
		return Clamp16(std::min(a, b), p.amin, p.amax);
	case AIOT_ISA_OP_MUL:
		// MulElementwise: the zero points are 0 for int16
		return Clamp16(p.zpo + ref::MBQM(int32_t(a) * b, p.mo, p.so), p.amin, p.amax);
	default: {
		// SubElementwise, int16: 65535 << 15 still fits an int32
		const int32_t x1 = (a - p.zp1) * (1 << 15), x2 = (b - p.zp2) * (1 << 15);
		const int32_t y1 = ref::RDBPOT(ref::SRDHM(x1, p.m1), -p.s1);
		const int32_t y2 = ref::RDBPOT(ref::SRDHM(x2, p.m2), -p.s2);
		return Clamp16(ref::RDBPOT(ref::SRDHM(y1 - y2, p.mo), -p.so) + p.zpo, p.amin,
			       p.amax);
	}
	}
}

std::vector<int16_t> Apply(const Binary &p, const std::vector<int16_t> &in1, const Dims &d1,
			   const std::vector<int16_t> &in2, const Dims &d2, const Dims &od)
{
	std::vector<int16_t> out;
	Dims q;
	for (q[0] = 0; q[0] < od[0]; q[0]++)
		for (q[1] = 0; q[1] < od[1]; q[1]++)
			for (q[2] = 0; q[2] < od[2]; q[2]++)
				for (q[3] = 0; q[3] < od[3]; q[3]++)
					out.push_back(Elem(p, in1[At(d1, q)], in2[At(d2, q)]));
	return out;
}

// AveragePool / MaxPool for int16: the int8 loops, the int16 lowest value.
std::vector<int16_t> Pool(bool average, const std::vector<int16_t> &in, int N, int H, int W,
			  int C, int OH, int OW, int fh, int fw, int sh, int sw, int pt, int pl,
			  int amin, int amax)
{
	std::vector<int16_t> out;
	for (int b = 0; b < N; ++b)
		for (int oy = 0; oy < OH; ++oy)
			for (int ox = 0; ox < OW; ++ox)
				for (int c = 0; c < C; ++c) {
					const int x0 = ox * sw - pl, y0 = oy * sh - pt;
					int32_t acc = average ? 0 : -32768;
					int count = 0;
					for (int fy = std::max(0, -y0); fy < std::min(fh, H - y0); ++fy)
						for (int fx = std::max(0, -x0);
						     fx < std::min(fw, W - x0); ++fx) {
							const int v = in[((b * H + y0 + fy) * W +
									  x0 + fx) * C + c];
							acc = average ? acc + v : std::max(acc, v);
							count++;
						}
					if (average)
						acc = acc > 0 ? (acc + count / 2) / count :
								(acc - count / 2) / count;
					out.push_back(Clamp16(acc, amin, amax));
				}
	return out;
}

// QuantizeLeakyRelu<int16_t>
int16_t Leaky(int16_t x, int in_zp, int out_zp, int32_t mi, int si, int32_t ma, int sa)
{
	const int32_t v = x - in_zp;
	return Clamp16(out_zp + (v >= 0 ? ref::MBQM(v, mi, si) : ref::MBQM(v, ma, sa)), INT16_MIN,
		       INT16_MAX);
}

} // namespace ref18

std::vector<int16_t> Out16(const Job &job, const aiot_isa_tensor &t)
{
	return job.get<int16_t>(t.binding, t.offset, elems(t));
}

TEST(IsaInt16Elems, BinaryOpsMatchReferenceWithBroadcasting)
{
	std::mt19937 rng(1801);
	for (unsigned int opcode : {AIOT_ISA_OP_SUB, AIOT_ISA_OP_MUL, AIOT_ISA_OP_MAXIMUM,
				    AIOT_ISA_OP_MINIMUM}) {
		for (int i = 0; i < 120; i++) {
			Dims od, d1, d2;
			for (int k = 0; k < 4; k++) {
				od[k] = uint32_t(rnd(rng, 1, k == 0 ? 2 : 5));
				d1[k] = rnd(rng, 0, 3) ? od[k] : 1;
				d2[k] = rnd(rng, 0, 2) ? od[k] : 1;
			}
			ref18::Binary p{};
			p.opcode = opcode;
			p.amin = INT16_MIN;
			p.amax = INT16_MAX;
			if (rnd(rng, 0, 3) == 0) {
				p.amin = rnd(rng, INT16_MIN, 0);
				p.amax = rnd(rng, p.amin, INT16_MAX);
			}
			aiot_isa_op_add op{};
			op.hdr.opcode = uint16_t(opcode);
			std::uniform_real_distribution<double> e(-6.0, 1.0);
			const double s1 = std::pow(10.0, e(rng)), s2 = std::pow(10.0, e(rng));
			const double so = std::pow(10.0, e(rng));
			if (opcode == AIOT_ISA_OP_SUB) {
				// zero points anywhere in int16, the extremes included
				const int zps[] = {INT16_MIN, INT16_MAX, 0};
				auto zp = [&] {
					return rnd(rng, 0, 1) ? rnd(rng, INT16_MIN, INT16_MAX) :
								zps[rnd(rng, 0, 2)];
				};
				p.zp1 = zp();
				p.zp2 = zp();
				p.zpo = zp();
				const double twice = 2 * std::max(s1, s2);
				ref::QuantizeMultiplier(s1 / twice, &p.m1, &p.s1);
				ref::QuantizeMultiplier(s2 / twice, &p.m2, &p.s2);
				ref::QuantizeMultiplier(std::min(0.99, twice / ((1 << 15) * so)),
							&p.mo, &p.so);
				op.left_shift = 15;
				op.input1_multiplier = p.m1;
				op.input1_shift = p.s1;
				op.input2_multiplier = p.m2;
				op.input2_shift = p.s2;
			} else if (opcode == AIOT_ISA_OP_MUL) {
				p.zpo = rnd(rng, 0, 1) ? 0 : rnd(rng, INT16_MIN, INT16_MAX);
				ref::QuantizeMultiplier(std::min(32767.0, s1 * s2 / so), &p.mo, &p.so);
			}
			if (opcode == AIOT_ISA_OP_SUB || opcode == AIOT_ISA_OP_MUL) {
				op.output_multiplier = p.mo;
				op.output_shift = p.so;
			}
			op.input1_zero_point = p.zp1;
			op.input2_zero_point = p.zp2;
			op.output_zero_point = p.zpo;
			op.act = {p.amin, p.amax};
			auto x1 = RandomS16(rng, Count(d1)), x2 = RandomS16(rng, Count(d2));
			Job job;
			op.input1 = T16(1, job.put(1, x1.data(), x1.size() * 2), d1);
			op.input2 = T16(1, job.put(1, x2.data(), x2.size() * 2), d2);
			op.output = T16(2, job.reserve(2, Count(od) * 2), od);
			aiot_isa_summary sum;
			auto s = Stream(op);
			ASSERT_EQ(job.validate(s, &sum), 0) << opcode << " case " << i;
			EXPECT_EQ(sum.isa_minor, 8u);
			ASSERT_EQ(job.run(s), 0);
			ASSERT_EQ(Out16(job, op.output), ref18::Apply(p, x1, d1, x2, d2, od))
				<< opcode << " case " << i;
			// The int8 rules of ISA 1.3 do not take int16 tensors.
			EXPECT_EQ(job.validate(Stream(op, 7)), -EINVAL);
		}
	}
}

TEST(IsaInt16Elems, PoolsMatchReference)
{
	std::mt19937 rng(1802);
	for (bool average : {true, false}) {
		for (int i = 0; i < 80; i++) {
			const int N = rnd(rng, 1, 2), H = rnd(rng, 1, 9), W = rnd(rng, 1, 9);
			const int C = rnd(rng, 1, 4), fh = rnd(rng, 1, 4), fw = rnd(rng, 1, 4);
			const int sh = rnd(rng, 1, 3), sw = rnd(rng, 1, 3);
			const int pt = rnd(rng, 0, fh - 1), pl = rnd(rng, 0, fw - 1);
			// every window overlaps the input
			const int OH = (H + pt - 1) / sh + 1, OW = (W + pl - 1) / sw + 1;
			int amin = INT16_MIN, amax = INT16_MAX;
			if (rnd(rng, 0, 2) == 0) {
				amin = rnd(rng, INT16_MIN, 0);
				amax = rnd(rng, amin, INT16_MAX);
			}
			auto x = RandomS16(rng, size_t(N) * H * W * C);
			Job job;
			aiot_isa_op_pool op{};
			op.hdr.opcode = average ? AIOT_ISA_OP_AVERAGE_POOL_2D :
						  AIOT_ISA_OP_MAX_POOL_2D;
			op.input = tensor(1, job.put(1, x.data(), x.size() * 2), N, H, W, C, kS16);
			op.output = tensor(2, job.reserve(2, size_t(N) * OH * OW * C * 2), N, OH,
					   OW, C, kS16);
			op.filter_h = uint16_t(fh);
			op.filter_w = uint16_t(fw);
			op.stride_h = uint16_t(sh);
			op.stride_w = uint16_t(sw);
			op.pad_top = uint16_t(pt);
			op.pad_left = uint16_t(pl);
			op.act = {amin, amax};
			auto s = Stream(op);
			ASSERT_EQ(job.validate(s), 0) << i;
			ASSERT_EQ(job.run(s), 0);
			ASSERT_EQ(Out16(job, op.output),
				  ref18::Pool(average, x, N, H, W, C, OH, OW, fh, fw, sh, sw, pt, pl,
					      amin, amax))
				<< (average ? "average " : "max ") << i;
			EXPECT_EQ(job.validate(Stream(op, 7)), -EINVAL);
		}
	}
}

// 65535 int16 values at -32768 less half the count for the rounding is
// INT32_MIN + 1; a window more could overflow, so the validator stops there.
TEST(IsaInt16Elems, AveragePoolWindowLimit)
{
	Job job;
	std::vector<int16_t> x(256 * 257, INT16_MIN);
	aiot_isa_op_pool op{};
	op.hdr.opcode = AIOT_ISA_OP_AVERAGE_POOL_2D;
	op.input = tensor(1, job.put(1, x.data(), x.size() * 2), 1, 256, 257, 1, kS16);
	op.output = tensor(2, job.reserve(2, 4), 1, 2, 1, 1, kS16);
	op.filter_h = 255;
	op.filter_w = 257;
	op.stride_h = op.stride_w = 1;
	op.act = {INT16_MIN, INT16_MAX};
	ASSERT_EQ(AIOT_ISA_MAX_POOL_WINDOW_S16, 255 * 257);
	ASSERT_EQ(job.validate(Stream(op)), 0);
	ASSERT_EQ(job.run(Stream(op)), 0);
	EXPECT_EQ(Out16(job, op.output), (std::vector<int16_t>{INT16_MIN, INT16_MIN}));
	op.filter_h = 256;
	op.output.dims[1] = 1;
	EXPECT_EQ(job.validate(Stream(op)), -E2BIG);
	// The max pool keeps the larger window.
	op.hdr.opcode = AIOT_ISA_OP_MAX_POOL_2D;
	EXPECT_EQ(job.validate(Stream(op)), 0);
}

TEST(IsaInt16Elems, LeakyReluMatchesReference)
{
	std::mt19937 rng(1803);
	for (int i = 0; i < 60; i++) {
		aiot_isa_op_leaky_relu op{};
		op.hdr.opcode = AIOT_ISA_OP_LEAKY_RELU;
		op.input_zero_point = rnd(rng, 0, 1) ? 0 : rnd(rng, INT16_MIN, INT16_MAX);
		op.output_zero_point = rnd(rng, 0, 1) ? 0 : rnd(rng, INT16_MIN, INT16_MAX);
		std::uniform_real_distribution<double> e(-3.0, 1.0);
		const double ratio = std::pow(10.0, e(rng)), alpha = rnd(rng, 0, 100) / 100.0;
		int si = 0, sa = 0;
		ref::QuantizeMultiplier(ratio, &op.identity_multiplier, &si);
		ref::QuantizeMultiplier(ratio * alpha, &op.alpha_multiplier, &sa);
		op.identity_shift = si;
		op.alpha_shift = sa;
		op.act = {INT16_MIN, INT16_MAX};
		const Dims d = {1, uint32_t(rnd(rng, 1, 4)), uint32_t(rnd(rng, 1, 8)), 3};
		auto x = RandomS16(rng, Count(d));
		Job job;
		op.input = T16(1, job.put(1, x.data(), x.size() * 2), d);
		op.output = T16(2, job.reserve(2, Count(d) * 2), d);
		auto s = Stream(op);
		ASSERT_EQ(job.validate(s), 0);
		ASSERT_EQ(job.run(s), 0);
		std::vector<int16_t> want;
		for (int16_t v : x)
			want.push_back(ref18::Leaky(v, op.input_zero_point, op.output_zero_point,
						    op.identity_multiplier, si,
						    op.alpha_multiplier, sa));
		ASSERT_EQ(Out16(job, op.output), want) << i;
		EXPECT_EQ(job.validate(Stream(op, 7)), -EINVAL);
	}
}

TEST(IsaInt16Elems, ResizeMatchesReference)
{
	std::mt19937 rng(1804);
	for (int i = 0; i < 80; i++) {
		const bool bilinear = i % 2;
		const int N = rnd(rng, 1, 2), H = rnd(rng, 1, 7), W = rnd(rng, 1, 7);
		const int C = rnd(rng, 1, 3), OH = rnd(rng, 1, 12), OW = rnd(rng, 1, 12);
		const int mode = rnd(rng, 0, 2);
		const bool align = mode == 1, half = mode == 2;
		auto x = RandomS16(rng, size_t(N) * H * W * C);
		Job job;
		aiot_isa_op_resize op{};
		op.hdr.opcode = AIOT_ISA_OP_RESIZE;
		op.input = tensor(1, job.put(1, x.data(), x.size() * 2), N, H, W, C, kS16);
		op.output = tensor(2, job.reserve(2, size_t(N) * OH * OW * C * 2), N, OH, OW,
				   C, kS16);
		op.crop = {0, 0, uint32_t(H), uint32_t(W)};
		op.mode = bilinear ? AIOT_ISA_RESIZE_BILINEAR : AIOT_ISA_RESIZE_NEAREST;
		op.flags = (align ? AIOT_ISA_RESIZE_ALIGN_CORNERS : 0) |
			   (half ? AIOT_ISA_RESIZE_HALF_PIXEL_CENTERS : 0);
		auto s = Stream(op);
		ASSERT_EQ(job.validate(s), 0);
		ASSERT_EQ(job.run(s), 0);
		std::vector<int32_t> in32(x.begin(), x.end());
		auto want32 = isa_resize_ref::Resize(in32, N, H, W, C, 0, 0, H, W, OH, OW,
						     bilinear, align, half);
		ASSERT_EQ(Out16(job, op.output), std::vector<int16_t>(want32.begin(), want32.end()))
			<< (bilinear ? "bilinear " : "nearest ") << i;
		EXPECT_EQ(job.validate(Stream(op, 7)), -EINVAL);
	}
}

// What ISA 1.8 still refuses: mixed element types, ADD (whose int16 form
// is ADD_S16), MUL's int16 input zero points, SUB's left shift past 15,
// zero points and clamps outside int16.
TEST(IsaInt16Elems, ValidatorRefusesWhatTheArithmeticCannotHold)
{
	Job job;
	std::vector<int16_t> x(12, 1);
	const Dims d = {1, 2, 2, 3};
	aiot_isa_op_add op{};
	op.hdr.opcode = AIOT_ISA_OP_SUB;
	op.input1 = T16(1, job.put(1, x.data(), 24), d);
	op.input2 = T16(1, job.put(1, x.data(), 24), d);
	op.output = T16(2, job.reserve(2, 24), d);
	op.left_shift = 15;
	op.input1_multiplier = op.input2_multiplier = op.output_multiplier = 1 << 30;
	op.act = {INT16_MIN, INT16_MAX};
	ASSERT_EQ(job.validate(Stream(op)), 0);

	auto bad = op;
	bad.left_shift = 16;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.input1_zero_point = INT16_MIN;
	bad.output_zero_point = INT16_MAX;
	EXPECT_EQ(job.validate(Stream(bad)), 0);
	bad.output_zero_point = INT16_MAX + 1;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.act = {INT16_MIN - 1, 0};
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.output.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.input2.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.hdr.opcode = AIOT_ISA_OP_ADD;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);

	auto mul = op;
	mul.hdr.opcode = AIOT_ISA_OP_MUL;
	mul.left_shift = 0;
	mul.input1_multiplier = mul.input2_multiplier = 0;
	mul.output_zero_point = -7;
	ASSERT_EQ(job.validate(Stream(mul)), 0);
	mul.input2_zero_point = 1;
	EXPECT_EQ(job.validate(Stream(mul)), -EINVAL);

	aiot_isa_op_leaky_relu lk{};
	lk.hdr.opcode = AIOT_ISA_OP_LEAKY_RELU;
	lk.input = op.input1;
	lk.output = op.output;
	lk.identity_multiplier = 1 << 30;
	lk.act = {INT16_MIN, INT16_MAX};
	lk.input_zero_point = INT16_MIN;
	ASSERT_EQ(job.validate(Stream(lk)), 0);
	lk.input_zero_point = INT16_MIN - 1;
	EXPECT_EQ(job.validate(Stream(lk)), -EINVAL);
	lk.input_zero_point = 0;
	lk.act.max = INT16_MAX + 1;
	EXPECT_EQ(job.validate(Stream(lk)), -EINVAL);
}

} // namespace
