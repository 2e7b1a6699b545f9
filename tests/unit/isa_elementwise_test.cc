// SPDX-License-Identifier: GPL-2.0-only OR MIT
// ISA 1.3: SUB, MUL, MAXIMUM, MINIMUM (ADD's descriptor), LEAKY_RELU and
// TABLE against an independent reference written from TensorFlow Lite
// Micro's kernels (reference_integer_ops::Sub/Mul with 4-D broadcasting,
// reference_ops::MaximumMinimumBroadcastSlow, QuantizeLeakyRelu), the
// validator's rejections, the work it counts and the version gate.
#include <gtest/gtest.h>

#include "isa_test_util.h"

using namespace isa_test;

namespace {

using Dims = std::array<uint32_t, 4>;

int rnd(std::mt19937 &rng, int lo, int hi)
{
	return std::uniform_int_distribution<int>(lo, hi)(rng);
}

size_t Count(const Dims &d) { return size_t(d[0]) * d[1] * d[2] * d[3]; }

aiot_isa_tensor T(uint8_t b, uint32_t off, const Dims &d)
{
	return tensor(b, off, d[0], d[1], d[2], d[3]);
}

// A single-op stream declaring ISA 1.minor.
template <typename Op> std::vector<uint8_t> Stream(const Op &op, uint16_t minor = 3)
{
	return one_op(op, minor);
}

namespace ref13 {

// TFLite's broadcast: a dim of 1 repeats; the offset into a 4-D tensor.
size_t At(const Dims &d, const Dims &p)
{
	size_t i = 0;
	for (int k = 0; k < 4; k++)
		i = i * d[k] + (d[k] == 1 ? 0 : p[k]);
	return i;
}

struct Params {
	unsigned int opcode;
	int zp1, zp2, zpo;
	int32_t m1, m2, mo;
	int s1, s2, so;
	int amin, amax;
};

// One element as TFLite Micro computes it for int8.
int8_t Elem(const Params &p, int8_t a, int8_t b)
{
	switch (p.opcode) {
	case AIOT_ISA_OP_MAXIMUM:
		return ref::Clamp8(std::max(a, b), p.amin, p.amax);
	case AIOT_ISA_OP_MINIMUM:
		return ref::Clamp8(std::min(a, b), p.amin, p.amax);
	case AIOT_ISA_OP_MUL: {
		// reference_integer_ops::MulElementwise
		const int32_t v = (p.zp1 * -1 + a) * (-p.zp2 + b);
		return ref::Clamp8(p.zpo + ref::MBQM(v, p.mo, p.so), p.amin, p.amax);
	}
	default: {
		// reference_integer_ops::SubElementwise (left shift 20)
		const int32_t x1 = (a - p.zp1) * (1 << 20), x2 = (b - p.zp2) * (1 << 20);
		const int32_t y1 = ref::RDBPOT(ref::SRDHM(x1, p.m1), -p.s1);
		const int32_t y2 = ref::RDBPOT(ref::SRDHM(x2, p.m2), -p.s2);
		const int32_t raw = ref::RDBPOT(ref::SRDHM(y1 - y2, p.mo), -p.so) + p.zpo;
		return ref::Clamp8(raw, p.amin, p.amax);
	}
	}
}

std::vector<int8_t> Binary(const Params &p, const std::vector<int8_t> &in1, const Dims &d1,
			   const std::vector<int8_t> &in2, const Dims &d2, const Dims &od)
{
	std::vector<int8_t> out(Count(od));
	size_t o = 0;
	Dims q;
	for (q[0] = 0; q[0] < od[0]; q[0]++)
		for (q[1] = 0; q[1] < od[1]; q[1]++)
			for (q[2] = 0; q[2] < od[2]; q[2]++)
				for (q[3] = 0; q[3] < od[3]; q[3]++)
					out[o++] = Elem(p, in1[At(d1, q)], in2[At(d2, q)]);
	return out;
}

// reference_ops::QuantizeLeakyRelu (int8)
int8_t Leaky(int8_t x, int in_zp, int out_zp, int32_t mi, int si, int32_t ma, int sa)
{
	const int32_t v = x - in_zp;
	const int32_t u = v >= 0 ? out_zp + ref::MBQM(v, mi, si) : out_zp + ref::MBQM(v, ma, sa);
	return int8_t(std::min(127, std::max(-128, u)));
}

} // namespace ref13

// A random shape and one that broadcasts to it (some dims 1).
void RandomShapes(std::mt19937 &rng, Dims *od, Dims *d1, Dims *d2)
{
	for (int k = 0; k < 4; k++) {
		(*od)[k] = uint32_t(rnd(rng, 1, k == 0 ? 2 : 5));
		(*d1)[k] = rnd(rng, 0, 3) ? (*od)[k] : 1;
		(*d2)[k] = rnd(rng, 0, 2) ? (*od)[k] : 1;
	}
}

// Random but realistic parameters of each op, as TFLite Micro's Prepare()
// derives them from scales (SUB, MUL) plus raw extremes.
ref13::Params RandomParams(std::mt19937 &rng, unsigned int opcode)
{
	ref13::Params p{};
	p.opcode = opcode;
	p.amin = -128;
	p.amax = 127;
	if (rnd(rng, 0, 3) == 0) {
		p.amin = rnd(rng, -128, 0);
		p.amax = rnd(rng, p.amin, 127);
	}
	if (opcode == AIOT_ISA_OP_MAXIMUM || opcode == AIOT_ISA_OP_MINIMUM)
		return p;
	const int extremes[] = {-128, 127, 0};
	auto zp = [&] { return rnd(rng, 0, 2) ? rnd(rng, -128, 127) : extremes[rnd(rng, 0, 2)]; };
	p.zp1 = zp();
	p.zp2 = zp();
	p.zpo = zp();
	std::uniform_real_distribution<double> scale(-6.0, 1.0);
	double s1 = std::pow(10.0, scale(rng)), s2 = std::pow(10.0, scale(rng));
	double so = std::pow(10.0, scale(rng));
	if (opcode == AIOT_ISA_OP_MUL) {
		// large right shifts and left shifts up to 15 (65025 << 15 fits)
		double real = s1 * s2 / so;
		if (real >= 32768.0)
			real = 32767.0;
		ref::QuantizeMultiplier(real, &p.mo, &p.so);
		return p;
	}
	double twice = 2 * std::max(s1, s2);
	ref::QuantizeMultiplier(s1 / twice, &p.m1, &p.s1);
	ref::QuantizeMultiplier(s2 / twice, &p.m2, &p.s2);
	double real = twice / ((1 << 20) * so);
	if (real >= 1.0)
		real = 0.99;
	ref::QuantizeMultiplier(real, &p.mo, &p.so);
	return p;
}

aiot_isa_op_add AddOp(const ref13::Params &p)
{
	aiot_isa_op_add op{};
	op.hdr.opcode = uint16_t(p.opcode);
	op.input1_zero_point = p.zp1;
	op.input2_zero_point = p.zp2;
	op.output_zero_point = p.zpo;
	if (p.opcode == AIOT_ISA_OP_SUB) {
		op.left_shift = 20;
		op.input1_multiplier = p.m1;
		op.input1_shift = p.s1;
		op.input2_multiplier = p.m2;
		op.input2_shift = p.s2;
	}
	op.output_multiplier = p.mo;
	op.output_shift = p.so;
	op.act = {p.amin, p.amax};
	return op;
}

TEST(IsaElementwise, BinaryOpsMatchReferenceWithBroadcasting)
{
	std::mt19937 rng(1301);
	for (unsigned int opcode : {AIOT_ISA_OP_SUB, AIOT_ISA_OP_MUL, AIOT_ISA_OP_MAXIMUM,
				    AIOT_ISA_OP_MINIMUM}) {
		for (int i = 0; i < 150; i++) {
			Dims od, d1, d2;
			RandomShapes(rng, &od, &d1, &d2);
			auto p = RandomParams(rng, opcode);
			auto x1 = random_i8(rng, Count(d1)), x2 = random_i8(rng, Count(d2));
			Job job;
			uint32_t o1 = job.put(1, x1.data(), x1.size());
			uint32_t o2 = job.put(1, x2.data(), x2.size());
			job.reserve(2, Count(od));
			auto op = AddOp(p);
			op.input1 = T(1, o1, d1);
			op.input2 = T(1, o2, d2);
			op.output = T(2, 0, od);
			aiot_isa_summary sum;
			auto s = Stream(op);
			ASSERT_EQ(job.validate(s, &sum), 0) << opcode << " case " << i;
			EXPECT_EQ(sum.work, Count(od));
			EXPECT_EQ(sum.isa_minor, 3u);
			ASSERT_EQ(job.run(s), 0);
			EXPECT_EQ(job.get<int8_t>(2, 0, Count(od)),
				  ref13::Binary(p, x1, d1, x2, d2, od))
				<< opcode << " case " << i << " zp " << p.zp1 << "," << p.zp2 << ","
				<< p.zpo << " shifts " << p.s1 << "," << p.s2 << "," << p.so;
		}
	}
}

TEST(IsaElementwise, BinaryOpsEdgeCases)
{
	// Every pair of int8 values, extreme zero points and multipliers: the
	// products and differences saturate at both ends.
	std::vector<int8_t> all(256);
	for (int i = 0; i < 256; i++)
		all[size_t(i)] = int8_t(i - 128);
	const Dims d1{1, 1, 256, 1}, d2{1, 1, 1, 256}, od{1, 1, 256, 256};
	std::vector<ref13::Params> cases;
	for (int zp : {-128, 127}) {
		ref13::Params mul{AIOT_ISA_OP_MUL, zp, 0, zp / 2, 0, 0, 0, 0, 0, 0, -128, 127};
		for (int s : {-31, -20, -1, 0, 7, 15}) {
			mul.mo = s < 0 ? 0x7fffffff : (1 << 30) + 12345;
			mul.so = s;
			cases.push_back(mul);
		}
		ref13::Params sub{AIOT_ISA_OP_SUB, zp, -zp - 1, -zp - 1, 1 << 30, 0x7fffffff, 0x7fffffff,
				  0, -1, -19, -128, 127};
		cases.push_back(sub);
		sub.s1 = -31;
		sub.so = 0;
		cases.push_back(sub);
	}
	cases.push_back({AIOT_ISA_OP_MAXIMUM, 0, 0, 0, 0, 0, 0, 0, 0, 0, -5, 100});
	cases.push_back({AIOT_ISA_OP_MINIMUM, 0, 0, 0, 0, 0, 0, 0, 0, 0, -128, 127});
	for (auto &p : cases) {
		Job job;
		uint32_t o1 = job.put(1, all.data(), 256), o2 = job.put(1, all.data(), 256);
		job.reserve(2, Count(od));
		auto op = AddOp(p);
		op.input1 = T(1, o1, d1);
		op.input2 = T(1, o2, d2);
		op.output = T(2, 0, od);
		ASSERT_EQ(job.run(Stream(op)), 0);
		auto got = job.get<int8_t>(2, 0, Count(od));
		EXPECT_EQ(got, ref13::Binary(p, all, d1, all, d2, od))
			<< p.opcode << " zp " << p.zp1 << " shift " << p.so;
		if (p.opcode == AIOT_ISA_OP_MUL && p.so == 15) {
			// saturates both ways
			EXPECT_NE(std::find(got.begin(), got.end(), 127), got.end());
			EXPECT_NE(std::find(got.begin(), got.end(), -128), got.end());
		}
	}
}

TEST(IsaElementwise, BinaryOpsRunInPlace)
{
	std::mt19937 rng(1302);
	const Dims d{1, 3, 4, 5}, d2{1, 1, 1, 5};
	for (unsigned int opcode : {AIOT_ISA_OP_SUB, AIOT_ISA_OP_MUL, AIOT_ISA_OP_MAXIMUM}) {
		auto p = RandomParams(rng, opcode);
		auto x1 = random_i8(rng, Count(d)), x2 = random_i8(rng, Count(d2));
		Job job;
		uint32_t o1 = job.put(2, x1.data(), x1.size());
		uint32_t o2 = job.put(1, x2.data(), x2.size());
		auto op = AddOp(p);
		op.input1 = T(2, o1, d);
		op.input2 = T(1, o2, d2);
		op.output = T(2, o1, d);
		ASSERT_EQ(job.run(Stream(op)), 0);
		EXPECT_EQ(job.get<int8_t>(2, o1, Count(d)), ref13::Binary(p, x1, d, x2, d2, d));
	}
}

TEST(IsaElementwise, LeakyReluMatchesReference)
{
	std::mt19937 rng(1303);
	for (int i = 0; i < 200; i++) {
		Dims d{1, uint32_t(rnd(rng, 1, 4)), uint32_t(rnd(rng, 1, 4)), uint32_t(rnd(rng, 1, 9))};
		aiot_isa_op_leaky_relu op{};
		op.hdr.opcode = AIOT_ISA_OP_LEAKY_RELU;
		op.input_zero_point = i % 7 == 0 ? -128 : i % 7 == 1 ? 127 : rnd(rng, -128, 127);
		op.output_zero_point = i % 5 == 0 ? 127 : rnd(rng, -128, 127);
		std::uniform_real_distribution<double> e(-3.0, 1.0);
		double in_s = std::pow(10.0, e(rng)), out_s = std::pow(10.0, e(rng));
		double alpha = i % 11 == 0 ? 0.0 : std::pow(10.0, e(rng));
		int si, sa;
		ref::QuantizeMultiplier(in_s / out_s, &op.identity_multiplier, &si);
		ref::QuantizeMultiplier(in_s * alpha / out_s, &op.alpha_multiplier, &sa);
		// large left shifts wrap in TFLite's int32: keep them where it does not
		si = std::min(si, 15);
		sa = std::min(sa, 15);
		op.identity_shift = si;
		op.alpha_shift = sa;
		op.act = {-128, 127};
		auto x = random_i8(rng, Count(d));
		if (i == 0)
			x.assign(Count(d), -128);
		Job job;
		uint32_t off = job.put(1, x.data(), x.size());
		job.reserve(2, Count(d));
		op.input = T(1, off, d);
		op.output = T(2, 0, d);
		aiot_isa_summary sum;
		auto s = Stream(op);
		ASSERT_EQ(job.validate(s, &sum), 0);
		EXPECT_EQ(sum.work, Count(d));
		ASSERT_EQ(job.run(s), 0);
		auto got = job.get<int8_t>(2, 0, Count(d));
		for (size_t k = 0; k < x.size(); k++)
			ASSERT_EQ(got[k], ref13::Leaky(x[k], op.input_zero_point,
						       op.output_zero_point,
						       op.identity_multiplier, si,
						       op.alpha_multiplier, sa))
				<< "case " << i << " x " << int(x[k]);
	}
}

TEST(IsaElementwise, TableLooksUpEveryValueAndRunsInPlace)
{
	std::mt19937 rng(1304);
	auto table = random_i8(rng, 256);
	std::vector<int8_t> x(512);
	for (size_t i = 0; i < x.size(); i++)
		x[i] = int8_t(int(i % 256) - 128);
	std::shuffle(x.begin(), x.end(), rng);
	for (bool in_place : {false, true}) {
		Job job;
		uint32_t t = job.put(0, table.data(), 256);
		uint32_t off = job.put(2, x.data(), x.size());
		uint32_t out = in_place ? off : job.reserve(2, x.size());
		aiot_isa_op_table op{};
		op.hdr.opcode = AIOT_ISA_OP_TABLE;
		op.input = tensor(2, off, 2, 4, 8, 8);
		op.output = tensor(2, out, 2, 4, 8, 8);
		op.table.binding = 0;
		op.table.offset = t;
		aiot_isa_summary sum;
		ASSERT_EQ(job.validate(Stream(op), &sum), 0);
		EXPECT_EQ(sum.work, 512u);
		EXPECT_EQ(sum.bindings_read & 1u, 1u);
		ASSERT_EQ(job.run(Stream(op)), 0);
		auto got = job.get<int8_t>(2, out, x.size());
		for (size_t i = 0; i < x.size(); i++)
			ASSERT_EQ(got[i], table[size_t(x[i] + 128)]) << i;
	}
}

TEST(IsaElementwise, ValidatorRejectsBadParameters)
{
	Job job;
	job.reserve(0, 300);
	job.reserve(1, 64);
	job.reserve(2, 256);
	auto expect = [&](auto op, int err, const char *what) {
		aiot_isa_summary sum;
		EXPECT_EQ(job.validate(Stream(op), &sum), err) << what;
		EXPECT_EQ(sum.error_op, err ? 0u : AIOT_ISA_NO_OP) << what;
		// the executor agrees
		EXPECT_EQ(job.run(Stream(op)), err) << what;
	};

	aiot_isa_op_add sub{};
	sub.hdr.opcode = AIOT_ISA_OP_SUB;
	sub.input1 = tensor(1, 0, 1, 2, 2, 4);
	sub.input2 = tensor(1, 16, 1, 1, 1, 4);
	sub.output = tensor(2, 0, 1, 2, 2, 4);
	sub.left_shift = 20;
	sub.input1_multiplier = sub.input2_multiplier = sub.output_multiplier = 1 << 30;
	sub.act = {-128, 127};
	expect(sub, 0, "sub ok");
	{ auto b = sub; b.left_shift = 24; expect(b, -EINVAL, "sub left shift"); }
	{ auto b = sub; b.input2_shift = 31; expect(b, -EINVAL, "sub shift"); }
	{ auto b = sub; b.output_multiplier = -1; expect(b, -EINVAL, "sub multiplier"); }
	{ auto b = sub; b.input1_zero_point = 128; expect(b, -EINVAL, "sub zp"); }
	{ auto b = sub; b.input2.dims[3] = 2; expect(b, -EINVAL, "sub does not broadcast"); }
	{ auto b = sub; b.act = {5, 4}; expect(b, -EINVAL, "sub act"); }
	{ auto b = sub; b.output.dims[3] = 65; expect(b, -ENOSPC, "sub output outside"); }
	{ auto b = sub; b.output = b.input1; b.output.offset = 1; expect(b, -EINVAL, "sub overlap"); }
	{ auto b = sub; b.output.dtype = AIOT_ISA_DTYPE_INT16; expect(b, -EINVAL, "sub int16"); }

	auto mul = sub;
	mul.hdr.opcode = AIOT_ISA_OP_MUL;
	mul.left_shift = 0;
	mul.input1_multiplier = mul.input2_multiplier = 0;
	mul.output_shift = 30;
	expect(mul, 0, "mul ok");
	{ auto b = mul; b.left_shift = 20; expect(b, -EINVAL, "mul left shift"); }
	{ auto b = mul; b.input1_multiplier = 1; expect(b, -EINVAL, "mul input multiplier"); }
	{ auto b = mul; b.input2_shift = -1; expect(b, -EINVAL, "mul input shift"); }
	{ auto b = mul; b.output_shift = 31; expect(b, -EINVAL, "mul shift"); }
	{ auto b = mul; b.output_zero_point = -129; expect(b, -EINVAL, "mul zp"); }

	for (uint16_t opc : {uint16_t(AIOT_ISA_OP_MAXIMUM), uint16_t(AIOT_ISA_OP_MINIMUM)}) {
		aiot_isa_op_add mx{};
		mx.hdr.opcode = opc;
		mx.input1 = sub.input1;
		mx.input2 = sub.input2;
		mx.output = sub.output;
		mx.act = {-128, 127};
		expect(mx, 0, "max/min ok");
		{ auto b = mx; b.output_zero_point = 1; expect(b, -EINVAL, "max/min zp"); }
		{ auto b = mx; b.output_multiplier = 1; expect(b, -EINVAL, "max/min multiplier"); }
		{ auto b = mx; b.output_shift = 1; expect(b, -EINVAL, "max/min shift"); }
		{ auto b = mx; b.left_shift = 1; expect(b, -EINVAL, "max/min left shift"); }
		{ auto b = mx; b.input1_zero_point = 1; expect(b, -EINVAL, "max/min input zp"); }
	}

	aiot_isa_op_leaky_relu lr{};
	lr.hdr.opcode = AIOT_ISA_OP_LEAKY_RELU;
	lr.input = tensor(1, 0, 1, 2, 2, 4);
	lr.output = tensor(2, 0, 1, 2, 2, 4);
	lr.identity_multiplier = lr.alpha_multiplier = 1 << 30;
	lr.act = {-128, 127};
	expect(lr, 0, "leaky ok");
	{ auto b = lr; b.alpha_multiplier = -1; expect(b, -EINVAL, "leaky alpha multiplier"); }
	{ auto b = lr; b.identity_shift = -32; expect(b, -EINVAL, "leaky identity shift"); }
	{ auto b = lr; b.alpha_shift = 31; expect(b, -EINVAL, "leaky alpha shift"); }
	{ auto b = lr; b.input_zero_point = 200; expect(b, -EINVAL, "leaky zp"); }
	{ auto b = lr; b.output.dims[2] = 1; expect(b, -EINVAL, "leaky shapes differ"); }
	{ auto b = lr; b.act = {0, 128}; expect(b, -EINVAL, "leaky act"); }
	{ auto b = lr; b.input.offset = 60; expect(b, -ENOSPC, "leaky input outside"); }

	aiot_isa_op_table tb{};
	tb.hdr.opcode = AIOT_ISA_OP_TABLE;
	tb.input = tensor(1, 0, 1, 2, 2, 4);
	tb.output = tensor(2, 0, 1, 2, 2, 4);
	tb.table.offset = 44;
	expect(tb, 0, "table ok");
	{ auto b = tb; b.table.offset = 48; expect(b, -ENOSPC, "table past its buffer"); }
	{ auto b = tb; b.table.offset = 2; expect(b, -EINVAL, "table misaligned"); }
	{ auto b = tb; b.table.binding = 9; expect(b, -EINVAL, "table binding"); }
	{ auto b = tb; b.table.reserved[0] = 1; expect(b, -EINVAL, "table ref reserved"); }
	{ auto b = tb; b.reserved[1] = 1; expect(b, -EINVAL, "table reserved"); }
	{ auto b = tb; b.output.dims[3] = 2; expect(b, -EINVAL, "table shapes differ"); }
	{ auto b = tb; b.table.binding = 2; b.table.offset = 0; expect(b, -EINVAL, "table overlaps output"); }
	{ auto b = tb; b.hdr.flags = 1; expect(b, -EINVAL, "table flags"); }
}

TEST(IsaElementwise, NewOpcodesNeedAStreamDeclaringIsa13)
{
	Job job;
	job.reserve(0, 256);
	job.reserve(1, 64);
	job.reserve(2, 64);
	aiot_isa_op_add mx{};
	mx.hdr.opcode = AIOT_ISA_OP_MAXIMUM;
	mx.input1 = mx.input2 = tensor(1, 0, 1, 1, 1, 4);
	mx.output = tensor(2, 0, 1, 1, 1, 4);
	mx.act = {-128, 127};
	aiot_isa_op_leaky_relu lr{};
	lr.hdr.opcode = AIOT_ISA_OP_LEAKY_RELU;
	lr.input = mx.input1;
	lr.output = mx.output;
	lr.act = {-128, 127};
	aiot_isa_op_table tb{};
	tb.hdr.opcode = AIOT_ISA_OP_TABLE;
	tb.input = mx.input1;
	tb.output = mx.output;
	std::vector<std::vector<uint8_t>> streams;
	for (uint16_t opc : {uint16_t(AIOT_ISA_OP_SUB), uint16_t(AIOT_ISA_OP_MUL),
			     uint16_t(AIOT_ISA_OP_MAXIMUM), uint16_t(AIOT_ISA_OP_MINIMUM)}) {
		auto b = mx;
		b.hdr.opcode = opc;
		for (uint32_t minor : {3u, 2u, 0u})
			streams.push_back(Stream(b, minor));
	}
	for (uint32_t minor : {3u, 2u, 0u})
		streams.push_back(Stream(lr, minor));
	for (uint32_t minor : {3u, 2u, 0u})
		streams.push_back(Stream(tb, minor));
	for (size_t i = 0; i < streams.size(); i++) {
		aiot_isa_summary sum;
		bool new_enough = i % 3 == 0;
		int rc = job.validate(streams[i], &sum);
		if (new_enough) {
			// SUB and MUL with zero multipliers are valid too
			EXPECT_EQ(rc, 0) << i;
			EXPECT_EQ(sum.isa_minor, 3u);
			continue;
		}
		EXPECT_EQ(rc, -EOPNOTSUPP) << i;
		EXPECT_EQ(sum.error_op, 0u);
		EXPECT_EQ(job.run(streams[i]), -EOPNOTSUPP);
		EXPECT_EQ(job.get<uint8_t>(2, 0, 4), (std::vector<uint8_t>(4, 0xa5)));
	}
	// A stream declaring ISA 1.4 is refused as a whole.
	auto s = Stream(mx, AIOT_ISA_VERSION_MINOR + 1);
	EXPECT_EQ(job.validate(s), -EOPNOTSUPP);
}

TEST(IsaElementwise, StopHookInterruptsALargeTable)
{
	const size_t n = 4u << 20;
	Job job;
	job.reserve(0, 256, 7);
	job.reserve(1, n, 1);
	job.reserve(2, n, 0);
	aiot_isa_op_table op{};
	op.hdr.opcode = AIOT_ISA_OP_TABLE;
	op.input = tensor(1, 0, 1, 64, 1024, 64);
	op.output = tensor(2, 0, 1, 64, 1024, 64);
	auto s = Stream(op);
	auto sz = job.sizes();
	std::vector<void *> p;
	for (auto &v : job.buf)
		p.push_back(v.data());
	struct Ctl {
		int polls = 0;
	} c;
	aiot_isa_exec_control ctl{};
	ctl.should_stop = [](void *arg) { return ++static_cast<Ctl *>(arg)->polls > 8; };
	ctl.arg = &c;
	EXPECT_EQ(aiot_isa_execute_ctl(s.data(), s.size(), p.data(), sz.data(),
				       unsigned(sz.size()), &ctl), -ECANCELED);
	auto out = job.get<uint8_t>(2, 0, n);
	EXPECT_EQ(out.front(), 7u);
	EXPECT_EQ(out.back(), 0u);
}

} // namespace
