// SPDX-License-Identifier: GPL-2.0-only
// Lowering of int16 graphs of the operators TensorFlow Lite Micro also runs
// on int16 (ISA 1.8 and the data movement of ISA 1.2): SUB, MUL, MAXIMUM,
// MINIMUM, RELU, RELU6, LEAKY_RELU, AVERAGE_POOL_2D, MAX_POOL_2D,
// RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR, PAD, PADV2, TRANSPOSE,
// CONCATENATION, and LOGISTIC and TANH (ISA 1.9). Each generated graph is lowered, validated and run by the
// reference executor; every output equals an independent transcription of
// the TFLite Micro kernel with its Prepare() arithmetic from the scales.
// What stays int8-only is refused by name and type.
#include <gtest/gtest.h>

#include <cmath>

#include "compile_graph_util.h"
#include "isa_lstm_ref.h"
#include "isa_resize_ref.h"
#include "isa_test_util.h"

extern "C" {
#include "aiot_isa.h"
#include "lower.h"
}

using namespace compile_test;
using namespace isa_test::ref;

namespace {

constexpr int8_t kI16 = TFLITE_TYPE_INT16;

struct LoweredDeleter {
	void operator()(aiot_lowered_model *l) const { aiot_lowered_model_free(l); }
};

std::vector<uint8_t> Bytes16(const std::vector<int16_t> &v)
{
	std::vector<uint8_t> b(v.size() * 2);
	std::memcpy(b.data(), v.data(), b.size());
	return b;
}

// Every int16 value from lo in steps, plus both extremes.
std::vector<int16_t> Sweep(size_t n, int step = 613)
{
	std::vector<int16_t> v(n);
	for (size_t i = 0; i < n; i++)
		v[i] = int16_t(INT16_MIN + int((i * size_t(step)) % 65536));
	if (n > 1) {
		v[0] = INT16_MIN;
		v[n - 1] = INT16_MAX;
	}
	return v;
}

struct Run16 {
	std::unique_ptr<aiot_lowered_model, LoweredDeleter> l;
	std::string err;
	int rc = 0;
	uint32_t minor = 0;
	std::vector<int16_t> out;

	Run16(const std::vector<uint8_t> &tflite, const std::vector<int16_t> &in)
	{
		std::string lerr;
		ModelPtr m = Load(tflite, &lerr);
		if (!m) {
			rc = -1;
			err = "load: " + lerr;
			return;
		}
		aiot_lowered_model *raw = nullptr;
		char msg[2048];
		rc = aiot_lower_model(m.get(), &raw, msg, sizeof(msg));
		l.reset(raw);
		if (rc) {
			err = msg;
			return;
		}
		std::vector<uint8_t> input = Bytes16(in), output(l->output.bytes, 0x5a),
				     arena(l->arena_size ? l->arena_size : 1, 0);
		input.resize(l->input.bytes);
		void *b[4] = {l->weights, input.data(), output.data(), arena.data()};
		u64 sz[4] = {l->weights_size, input.size(), output.size(), arena.size()};
		aiot_isa_summary sum;
		EXPECT_EQ(aiot_isa_validate(l->stream, l->stream_size, sz, 4, &sum), 0);
		minor = sum.isa_minor;
		EXPECT_EQ(aiot_isa_execute(l->stream, l->stream_size, b, sz, 4), 0);
		out.resize(output.size() / 2);
		std::memcpy(out.data(), output.data(), out.size() * 2);
	}
};

NodeP ActOptions(int act)
{
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(uint8_t(act));
	return o;
}

int16_t Clamp16(int32_t v, int lo = INT16_MIN, int hi = INT16_MAX)
{
	return int16_t(std::min(hi, std::max(lo, v)));
}

// CalculateActivationRangeQuantized for int16
void ActRange16(int act, float scale, int zp, int *lo, int *hi)
{
	auto q = [&](float x) { return zp + int(std::round(x / scale)); };
	*lo = INT16_MIN;
	*hi = INT16_MAX;
	if (act == TFLITE_ACT_RELU || act == TFLITE_ACT_RELU6)
		*lo = std::max(*lo, q(0.0f));
	if (act == TFLITE_ACT_RELU6)
		*hi = std::min(*hi, q(6.0f));
}

// x [1,2,2,4] (op) constant k [4] -> out [1,2,2,4].
struct BinaryCase {
	int32_t builtin;
	float sx, sk, so;
	int zx, zk, zo;
	int act;
};

TEST(LowerInt16, BinaryOpsWithABroadcastConstant)
{
	const BinaryCase cases[] = {
		{TFLITE_OP_SUB, 0.05f, 0.02f, 0.07f, 0, 0, 0, TFLITE_ACT_NONE},
		{TFLITE_OP_SUB, 1e-3f, 3e-4f, 2e-3f, -32768, 32767, 100, TFLITE_ACT_RELU},
		{TFLITE_OP_SUB, 0.5f, 0.5f, 0.01f, 7, -7, 0, TFLITE_ACT_RELU6},
		{TFLITE_OP_MUL, 1e-3f, 2e-3f, 1e-4f, 0, 0, 0, TFLITE_ACT_NONE},
		{TFLITE_OP_MUL, 3e-4f, 1e-3f, 0.05f, 0, 0, -50, TFLITE_ACT_RELU},
		{TFLITE_OP_MAXIMUM, 0.1f, 0.1f, 0.1f, 0, 0, 0, TFLITE_ACT_NONE},
		{TFLITE_OP_MINIMUM, 0.1f, 0.1f, 0.1f, 0, 0, 0, TFLITE_ACT_NONE},
	};
	const std::vector<int16_t> k = {INT16_MIN, -1, 0, INT16_MAX};
	for (const auto &c : cases) {
		GraphBuilder g;
		int x = g.AddTensor("x", {1, 2, 2, 4}, kI16, c.sx, c.zx);
		int kt = g.AddTensor("k", {4}, kI16, c.sk, c.zk, Bytes16(k));
		int out = g.AddTensor("out", {1, 2, 2, 4}, kI16, c.so, c.zo);
		if (c.builtin == TFLITE_OP_SUB)
			g.AddOp(c.builtin, {x, kt}, {out}, TFLITE_OPTIONS_SUB, ActOptions(c.act));
		else if (c.builtin == TFLITE_OP_MUL)
			g.AddOp(c.builtin, {x, kt}, {out}, TFLITE_OPTIONS_MUL, ActOptions(c.act));
		else
			g.AddOp(c.builtin, {x, kt}, {out});
		auto model = g.Serialize({x}, {out});
		for (int step : {613, 4099, 1}) {
			auto in = Sweep(16, step);
			Run16 r(model, in);
			ASSERT_EQ(r.rc, 0) << r.err;
			EXPECT_EQ(r.minor, 8u);
			int lo, hi;
			ActRange16(c.act, c.so, c.zo, &lo, &hi);
			for (size_t i = 0; i < in.size(); i++) {
				const int16_t a = in[i], b = k[i % 4];
				int32_t v;
				if (c.builtin == TFLITE_OP_MAXIMUM) {
					v = std::max(a, b);
				} else if (c.builtin == TFLITE_OP_MINIMUM) {
					v = std::min(a, b);
				} else if (c.builtin == TFLITE_OP_MUL) {
					int32_t m;
					int s;
					QuantizeMultiplier(double(c.sx) * double(c.sk) / double(c.so),
							   &m, &s);
					v = Clamp16(c.zo + MBQM(int32_t(a) * b, m, s), lo, hi);
				} else {
					// CalculateOpDataSub: left shift 15 for int16
					const double twice = 2 * double(std::max(c.sx, c.sk));
					int32_t m1, m2, mo;
					int s1, s2, so;
					QuantizeMultiplier(double(c.sx) / twice, &m1, &s1);
					QuantizeMultiplier(double(c.sk) / twice, &m2, &s2);
					QuantizeMultiplier(twice / ((1 << 15) * double(c.so)), &mo, &so);
					const int32_t y1 = RDBPOT(SRDHM((a - c.zx) * (1 << 15), m1), -s1);
					const int32_t y2 = RDBPOT(SRDHM((b - c.zk) * (1 << 15), m2), -s2);
					v = Clamp16(RDBPOT(SRDHM(y1 - y2, mo), -so) + c.zo, lo, hi);
				}
				EXPECT_EQ(r.out[i], v) << tflite_builtin_name(c.builtin) << " x " << a
						       << " k " << b;
			}
		}
	}
}

// One-input graph x [1,1,1,N] -> out, both int16.
Run16 Unary(int32_t builtin, float sx, int zx, float so, int zo, const std::vector<int16_t> &in,
	    uint8_t options_type = 0, NodeP options = nullptr)
{
	GraphBuilder g;
	const int32_t n = int32_t(in.size());
	int x = g.AddTensor("x", {1, 1, 1, n}, kI16, sx, zx);
	int out = g.AddTensor("out", {1, 1, 1, n}, kI16, so, zo);
	g.AddOp(builtin, {x}, {out}, options_type, options);
	return Run16(g.Serialize({x}, {out}), in);
}

TEST(LowerInt16, ReluRelu6AndLeakyRelu)
{
	struct Q { float sx; int zx; float so; int zo; float alpha; };
	const Q qs[] = {{1e-3f, 0, 1e-3f, 0, 0.2f}, {2e-4f, 300, 7e-4f, -32768, 0.01f},
			{0.5f, -32768, 0.01f, 3, 0.0f}, {1e-4f, 32767, 2e-4f, 0, 3.0f}};
	const auto in = Sweep(512, 131);
	for (const auto &q : qs) {
		int32_t m, mi, ma;
		int s, si, sa;
		QuantizeMultiplier(double(q.sx) / double(q.so), &m, &s);
		QuantizeMultiplier(double(q.sx / q.so), &mi, &si);
		QuantizeMultiplier(double(q.sx * q.alpha / q.so), &ma, &sa);
		auto relu = Unary(TFLITE_OP_RELU, q.sx, q.zx, q.so, q.zo, in);
		auto relu6 = Unary(TFLITE_OP_RELU6, q.sx, q.zx, q.so, q.zo, in);
		NodeP alpha = Table();
		alpha->scalars[0] = Bytes<float>(q.alpha);
		auto leaky = Unary(TFLITE_OP_LEAKY_RELU, q.sx, q.zx, q.so, q.zo, in,
				   TFLITE_OPTIONS_LEAKY_RELU, alpha);
		ASSERT_EQ(relu.rc, 0) << relu.err;
		ASSERT_EQ(relu6.rc, 0) << relu6.err;
		ASSERT_EQ(leaky.rc, 0) << leaky.err;
		EXPECT_EQ(relu.minor, 1u); // SENSOR_TO_INT8 with an int16 output
		EXPECT_EQ(leaky.minor, 8u);
		const int six = std::min(32767, q.zx + int(std::round(6.0f / q.sx)));
		for (size_t i = 0; i < in.size(); i++) {
			const int x = in[i];
			// ReluQuantized<int16_t>: requantize, clamp below at the zero point
			const int v = Clamp16(q.zo + MBQM(x - q.zx, m, s));
			EXPECT_EQ(relu.out[i], std::max(v, q.zo)) << "RELU x " << x;
			// Relu6Quantized<int16_t>: the stored value in input units
			EXPECT_EQ(relu6.out[i], std::min(six, std::max(q.zx, x))) << "RELU6 x " << x;
			// QuantizeLeakyRelu<int16_t>
			const int d = x - q.zx;
			EXPECT_EQ(leaky.out[i], Clamp16(q.zo + (d >= 0 ? MBQM(d, mi, si) :
								     MBQM(d, ma, sa))))
				<< "LEAKY_RELU alpha " << q.alpha << " x " << x;
		}
	}
}

TEST(LowerInt16, PoolsAndResize)
{
	const auto in = Sweep(2 * 5 * 6 * 3, 2741);
	for (bool average : {true, false}) {
		GraphBuilder g;
		int x = g.AddTensor("x", {2, 5, 6, 3}, kI16, 0.01f, 0);
		int out = g.AddTensor("out", {2, 3, 3, 3}, kI16, 0.01f, 0);
		NodeP o = Table();
		o->scalars[0] = Bytes<int8_t>(0);	// SAME
		o->scalars[1] = Bytes<int32_t>(2);	// stride_w
		o->scalars[2] = Bytes<int32_t>(2);	// stride_h
		o->scalars[3] = Bytes<int32_t>(3);	// filter_w
		o->scalars[4] = Bytes<int32_t>(3);	// filter_h
		o->scalars[5] = Bytes<int8_t>(TFLITE_ACT_RELU);
		g.AddOp(average ? TFLITE_OP_AVERAGE_POOL_2D : TFLITE_OP_MAX_POOL_2D, {x}, {out},
			TFLITE_OPTIONS_POOL_2D, o);
		Run16 r(g.Serialize({x}, {out}), in);
		ASSERT_EQ(r.rc, 0) << r.err;
		EXPECT_EQ(r.minor, 8u);
		// SAME, 3x3, stride 2: H 5 -> 3 pads 2 (1 above), W 6 -> 3 pads 1 (0 left)
		for (int b = 0, i = 0; b < 2; b++)
			for (int oy = 0; oy < 3; oy++)
				for (int ox = 0; ox < 3; ox++)
					for (int c = 0; c < 3; c++, i++) {
						int32_t acc = average ? 0 : INT16_MIN, n = 0;
						for (int y = std::max(0, oy * 2 - 1);
						     y < std::min(5, oy * 2 + 2); y++)
							for (int xx = ox * 2; xx < std::min(6, ox * 2 + 3);
							     xx++) {
								const int v = in[size_t(((b * 5 + y) * 6 + xx) * 3 + c)];
								acc = average ? acc + v : std::max(acc, v);
								n++;
							}
						if (average)
							acc = acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n;
						EXPECT_EQ(r.out[size_t(i)], std::max(acc, 0))
							<< (average ? "avg " : "max ") << i;
					}
	}
	for (bool bilinear : {false, true}) {
		for (int flags = 0; flags < 3; flags++) {
			const bool align = flags == 1, half = flags == 2;
			GraphBuilder g;
			int x = g.AddTensor("x", {2, 5, 6, 3}, kI16, 0.01f, 0);
			std::vector<uint8_t> size(8);
			const int32_t oh = 7, ow = 4;
			std::memcpy(size.data(), &oh, 4);
			std::memcpy(size.data() + 4, &ow, 4);
			int sz = g.AddTensor("size", {2}, TFLITE_TYPE_INT32, 0.0f, 0, size);
			int out = g.AddTensor("out", {2, oh, ow, 3}, kI16, 0.01f, 0);
			NodeP o = Table();
			o->scalars[bilinear ? 2 : 0] = Bytes<uint8_t>(align);
			o->scalars[bilinear ? 3 : 1] = Bytes<uint8_t>(half);
			g.AddOp(bilinear ? TFLITE_OP_RESIZE_BILINEAR :
					   TFLITE_OP_RESIZE_NEAREST_NEIGHBOR,
				{x, sz}, {out},
				bilinear ? TFLITE_OPTIONS_RESIZE_BILINEAR :
					   TFLITE_OPTIONS_RESIZE_NEAREST_NEIGHBOR, o);
			Run16 r(g.Serialize({x}, {out}), in);
			ASSERT_EQ(r.rc, 0) << r.err;
			EXPECT_EQ(r.minor, 8u);
			auto want = isa_resize_ref::Resize(std::vector<int32_t>(in.begin(), in.end()),
							   2, 5, 6, 3, 0, 0, 5, 6, oh, ow, bilinear,
							   align, half);
			EXPECT_EQ(r.out, std::vector<int16_t>(want.begin(), want.end()))
				<< bilinear << align << half;
		}
	}
}

TEST(LowerInt16, DataMovementTakesInt16Elements)
{
	const auto in = Sweep(24, 1999);
	{
		// PADV2 with an int16 constant, then TRANSPOSE, then CONCATENATION
		// with an int16 constant: all ISA 1.2.
		GraphBuilder g;
		int x = g.AddTensor("x", {2, 3, 4}, kI16, 0.1f, 0);
		int pads = g.AddConstI32("pads", {0, 0, 1, 0, 0, 1}, {3, 2});
		int cv = g.AddTensor("cv", {1}, kI16, 0.1f, 0, Bytes16({-12345}));
		int padded = g.AddTensor("padded", {2, 4, 5}, kI16, 0.1f, 0);
		int perm = g.AddConstI32("perm", {2, 0, 1});
		int tr = g.AddTensor("tr", {5, 2, 4}, kI16, 0.1f, 0);
		int k = g.AddTensor("k", {1, 2, 4}, kI16, 0.1f, 0,
				    Bytes16({INT16_MIN, 1, 2, 3, 4, 5, 6, INT16_MAX}));
		int out = g.AddTensor("out", {6, 2, 4}, kI16, 0.1f, 0);
		g.AddOp(TFLITE_OP_PADV2, {x, pads, cv}, {padded});
		g.AddOp(TFLITE_OP_TRANSPOSE, {padded, perm}, {tr});
		NodeP o = Table();
		o->scalars[0] = Bytes<int32_t>(0);
		g.AddOp(TFLITE_OP_CONCATENATION, {tr, k}, {out}, TFLITE_OPTIONS_CONCATENATION, o);
		Run16 r(g.Serialize({x}, {out}), in);
		ASSERT_EQ(r.rc, 0) << r.err;
		EXPECT_EQ(r.minor, 2u);
		ASSERT_EQ(r.out.size(), 48u);
		for (int c = 0; c < 5; c++)
			for (int a = 0; a < 2; a++)
				for (int b = 0; b < 4; b++) {
					// padded[a][b][c]: one row before, one column after
					const bool inside = b >= 1 && c < 4;
					const int16_t want = inside ? in[size_t((a * 3 + b - 1) * 4 + c)] :
								      int16_t(-12345);
					EXPECT_EQ(r.out[size_t((c * 2 + a) * 4 + b)], want) << a << b << c;
				}
		EXPECT_EQ(r.out[40], INT16_MIN);
		EXPECT_EQ(r.out[47], INT16_MAX);
	}
	{
		// PAD pads with the int16 zero point.
		GraphBuilder g;
		int x = g.AddTensor("x", {1, 24}, kI16, 0.1f, -300);
		int pads = g.AddConstI32("pads", {0, 0, 2, 1}, {2, 2});
		int out = g.AddTensor("out", {1, 27}, kI16, 0.1f, -300);
		g.AddOp(TFLITE_OP_PAD, {x, pads}, {out});
		Run16 r(g.Serialize({x}, {out}), in);
		ASSERT_EQ(r.rc, 0) << r.err;
		std::vector<int16_t> want = {-300, -300};
		want.insert(want.end(), in.begin(), in.end());
		want.push_back(-300);
		EXPECT_EQ(r.out, want);
	}
}

// TFLite Micro's int16 LOGISTIC / TANH Prepare(): CheckedLog2 of the input
// scale; the power-of-two case (shift 0, TANH also 1) passes multiplier 0,
// which the kernel turns into 3 << shift; otherwise the scale times
// 3 * 4096 doubled into 14..15 bits.
void SigmoidPrepare(float scale, bool tanh_fn, int32_t *multiplier, int32_t *shift)
{
	const float l2 = std::log(scale) * (1.0f / std::log(2.0f));
	const float r = std::round(l2);
	const int pot_shift = 12 + int(r);
	if (std::fabs(l2 - r) < 1e-3f && (pot_shift == 0 || (tanh_fn && pot_shift == 1))) {
		*multiplier = 0;
		*shift = pot_shift;
		return;
	}
	double m = double(scale) * 4096.0 * 3.0;
	int k = 0;
	while (m <= 32767.0 / 2.0 && k <= 30) {
		k++;
		m *= 2.0;
	}
	*multiplier = int32_t(m);
	*shift = k;
}

TEST(LowerInt16, LogisticAndTanh)
{
	const float scales[] = {1.0f / 4096, 1.0f / 2048, 1.0f / 3000, 1e-3f, 1.0f / 32768,
				3e-6f, 0.5f, 2.0f};
	const auto in = Sweep(8192, 8);
	for (int32_t builtin : {TFLITE_OP_LOGISTIC, TFLITE_OP_TANH}) {
		const bool tanh_fn = builtin == TFLITE_OP_TANH;
		for (float sx : scales) {
			auto r = Unary(builtin, sx, 0, 1.0f / 32768, 0, in);
			ASSERT_EQ(r.rc, 0) << r.err;
			EXPECT_EQ(r.minor, 9u);
			int32_t m, sh;
			SigmoidPrepare(sx, tanh_fn, &m, &sh);
			std::vector<int16_t> want(in.size());
			isa_test::reflstm::Stats st{};
			if (tanh_fn)
				isa_test::reflstm::Tanh16(m, sh, int(in.size()), in.data(),
							  want.data(), &st);
			else
				isa_test::reflstm::Logistic16(m, sh, int(in.size()), in.data(),
							      want.data(), &st);
			EXPECT_EQ(r.out, want) << (tanh_fn ? "TANH" : "LOGISTIC") << " scale " << sx;
		}
	}
}

TEST(LowerInt16, LogisticAndTanhRefuseWhatTfliteRefuses)
{
	const auto in = Sweep(8);
	auto zp = Unary(TFLITE_OP_LOGISTIC, 1e-3f, 0, 1.0f / 32768, 1, in);
	EXPECT_EQ(zp.err, "operator 0 (LOGISTIC): int16 zero points must be 0 (have 0, 1)");
	auto out_scale = Unary(TFLITE_OP_TANH, 1e-3f, 0, 1.0f / 256, 0, in);
	EXPECT_EQ(out_scale.err, "operator 0 (TANH): int16 output must have scale 2^-15 "
				 "(has 0.00390625)");
	auto big = Unary(TFLITE_OP_LOGISTIC, 3.0f, 0, 1.0f / 32768, 0, in);
	EXPECT_EQ(big.err, "operator 0 (LOGISTIC): input scale 3 cannot be represented "
			   "(TFLite's int16 multiplier must lie in 1..32767)");
}

TEST(LowerInt16, WhatStaysInt8IsRefusedByItsType)
{
	const auto in = Sweep(8);
	struct Case {
		int32_t builtin;
		const char *err;
	};
	const Case cases[] = {
		{TFLITE_OP_HARD_SWISH, "operator 0 (HARD_SWISH): input must be int8, not int16"},
		{TFLITE_OP_RELU_N1_TO_1, "operator 0 (RELU_N1_TO_1): input must be int8, not "
					 "int16"},
	};
	for (const auto &c : cases) {
		auto r = Unary(c.builtin, 1.0f / 4096, 0, 1.0f / 32768, 0, in);
		EXPECT_EQ(r.rc, -EOPNOTSUPP) << c.err;
		EXPECT_EQ(r.err, c.err);
	}
	{
		// int16 MUL with a zero point: TFLite's int16 is symmetric
		GraphBuilder g;
		int x = g.AddTensor("x", {1, 8}, kI16, 0.1f, 5);
		int k = g.AddTensor("k", {1, 8}, kI16, 0.1f, 0, Bytes16(in));
		int out = g.AddTensor("out", {1, 8}, kI16, 0.1f, 0);
		g.AddOp(TFLITE_OP_MUL, {x, k}, {out}, TFLITE_OPTIONS_MUL, ActOptions(0));
		Run16 r(g.Serialize({x}, {out}), in);
		EXPECT_EQ(r.err, "operator 0 (MUL): int16 input zero points must be 0 (have 5, 0)");
	}
	{
		// mixed element types
		GraphBuilder g;
		int x = g.AddTensor("x", {1, 8}, kI16, 0.1f, 0);
		int k = g.AddTensor("k", {1, 8}, TFLITE_TYPE_INT8, 0.1f, 0,
				    std::vector<uint8_t>(8, 1));
		int out = g.AddTensor("out", {1, 8}, kI16, 0.1f, 0);
		g.AddOp(TFLITE_OP_MAXIMUM, {x, k}, {out});
		Run16 r(g.Serialize({x}, {out}), in);
		EXPECT_EQ(r.err, "operator 0 (MAXIMUM): input 2 is int8 where the operator's other "
				 "tensors are int16");
	}
}

} // namespace
