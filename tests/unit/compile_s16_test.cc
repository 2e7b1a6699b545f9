// SPDX-License-Identifier: GPL-2.0-only
// int16x8 lowering (ISA 1.6): generated .tflite models with int16
// activations, int8 per-channel weights and int64 (or int32) biases, from
// the test flatbuffer writer, compile to CONV_2D_S16, DEPTHWISE_CONV_2D_S16,
// FULLY_CONNECTED_S16 and ADD_S16 and run bit-exact with the independent
// TFLite Micro int16 reference (isa_s16_ref.h); what cannot be lowered says
// the real types. TRANSPOSE_CONV int16x8 likewise, to ISA 1.9's
// TRANSPOSE_CONV_S16.
#include <gtest/gtest.h>

#include "compile_graph_util.h"
#include "compile_lowered16.h"

#include "isa_s16_ref.h"

extern "C" {
#include "aiot_isa.h"
#include "lower.h"
}

using namespace compile_test;
using namespace isa_test;

namespace {

int rnd(std::mt19937 &rng, int lo, int hi)
{
	return std::uniform_int_distribution<int>(lo, hi)(rng);
}

double rndf(std::mt19937 &rng, double lo, double hi)
{
	return std::uniform_real_distribution<double>(lo, hi)(rng);
}

template <typename T> std::vector<uint8_t> Raw(const std::vector<T> &v)
{
	std::vector<uint8_t> b(v.size() * sizeof(T));
	std::memcpy(b.data(), v.data(), b.size());
	return b;
}

// A constant int8 filter quantized per channel along axis qdim.
int AddFilter(GraphBuilder &g, const std::string &name, std::vector<int32_t> shape,
	      const std::vector<int8_t> &data, const std::vector<float> &scales, int qdim)
{
	int t = g.AddTensor(name, shape, TFLITE_TYPE_INT8, scales[0], 0, Raw(data));
	g.SetQuant(t, scales, std::vector<int64_t>(scales.size(), 0), qdim);
	return t;
}

NodeP ConvOpts(int padding, int sw, int sh, int act, int dw = 1, int dh = 1)
{
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(uint8_t(padding));
	o->scalars[1] = Bytes<int32_t>(sw);
	o->scalars[2] = Bytes<int32_t>(sh);
	o->scalars[3] = Bytes<uint8_t>(uint8_t(act));
	o->scalars[4] = Bytes<int32_t>(dw);
	o->scalars[5] = Bytes<int32_t>(dh);
	return o;
}

NodeP DwOpts(int padding, int sw, int sh, int mult, int act)
{
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(uint8_t(padding));
	o->scalars[1] = Bytes<int32_t>(sw);
	o->scalars[2] = Bytes<int32_t>(sh);
	o->scalars[3] = Bytes<int32_t>(mult);
	o->scalars[4] = Bytes<uint8_t>(uint8_t(act));
	return o;
}

NodeP ActOpts(int act)
{
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(uint8_t(act));
	return o;
}

// CalculateActivationRangeQuantized for an int16 output (zero point 0).
void Act16(int act, float scale, int *lo, int *hi)
{
	auto q = [&](float v) { return int(std::round(v / scale)); };
	*lo = INT16_MIN;
	*hi = INT16_MAX;
	if (act == TFLITE_ACT_RELU) {
		*lo = std::max(*lo, q(0.0f));
	} else if (act == TFLITE_ACT_RELU6) {
		*lo = std::max(*lo, q(0.0f));
		*hi = std::min(*hi, q(6.0f));
	} else if (act == TFLITE_ACT_RELU_N1_TO_1) {
		*lo = std::max(*lo, q(-1.0f));
		*hi = std::min(*hi, q(1.0f));
	}
}

ref16::Quant64 ConvQuant(float in_s, const std::vector<float> &f_s, float out_s,
			 const std::vector<int64_t> &bias)
{
	ref16::Quant64 q;
	for (size_t c = 0; c < f_s.size(); ++c) {
		int32_t m;
		int sh;
		ref::QuantizeMultiplier(double(in_s) * double(f_s[c]) / double(out_s), &m, &sh);
		q.mult.push_back(m);
		q.shift.push_back(sh);
		q.bias.push_back(bias[c]);
	}
	return q;
}

int OutSize(bool same, int in, int k, int stride, int dil)
{
	int eff = (k - 1) * dil + 1;
	return same ? (in + stride - 1) / stride : (in - eff + stride) / stride;
}

int PadBefore(bool same, int in, int out, int k, int stride, int dil)
{
	int eff = (k - 1) * dil + 1;
	int total = std::max(0, (out - 1) * stride + eff - in);
	return same ? total / 2 : 0;
}

std::vector<int8_t> W8(std::mt19937 &rng, size_t n)
{
	std::vector<int8_t> v(n);
	for (auto &x : v)
		x = int8_t(rnd(rng, -127, 127));
	return v;
}

// input -> CONV_2D -> DEPTHWISE_CONV_2D -> ADD(+ broadcast constant) ->
// FULLY_CONNECTED, all int16x8, random shapes, scales, paddings, strides,
// activations and biases.
void ChainCase(unsigned int seed)
{
	std::mt19937 rng(seed);
	GraphBuilder g;
	int H = rnd(rng, 3, 9), W = rnd(rng, 3, 9), Cin = rnd(rng, 1, 4);
	int C1 = rnd(rng, 1, 5), KH = rnd(rng, 1, 3), KW = rnd(rng, 1, 3);
	bool same1 = rnd(rng, 0, 1), same2 = rnd(rng, 0, 1);
	int sh = rnd(rng, 1, 2), sw = rnd(rng, 1, 2);
	int act1 = rnd(rng, 0, 1) ? TFLITE_ACT_RELU : TFLITE_ACT_NONE;
	float s_in = float(rndf(rng, 1e-4, 1e-3)), s1 = float(rndf(rng, 1e-4, 2e-3));
	float s2 = float(rndf(rng, 1e-4, 2e-3)), s3 = float(rndf(rng, 1e-4, 2e-3));
	float s_out = float(rndf(rng, 1e-4, 4e-3));

	// CONV_2D [C1, KH, KW, Cin]
	int OH = OutSize(same1, H, KH, sh, 1), OW = OutSize(same1, W, KW, sw, 1);
	ASSERT_GT(OH, 0);
	ASSERT_GT(OW, 0);
	auto f1 = W8(rng, size_t(C1) * KH * KW * Cin);
	std::vector<float> fs1(C1);
	std::vector<int64_t> b1(C1);
	for (int c = 0; c < C1; ++c) {
		fs1[c] = float(rndf(rng, 0.5, 4.0) / 127.0);
		b1[c] = int64_t(rnd(rng, -2000000, 2000000)) * rnd(rng, 1, 50);
	}
	int in = g.AddTensor("in", {1, H, W, Cin}, TFLITE_TYPE_INT16, s_in, 0);
	int tf1 = AddFilter(g, "conv_w", {C1, KH, KW, Cin}, f1, fs1, 0);
	int tb1 = g.AddTensor("conv_b", {C1}, TFLITE_TYPE_INT64, 0.0f, 0, Raw(b1));
	int t1 = g.AddTensor("conv", {1, OH, OW, C1}, TFLITE_TYPE_INT16, s1, 0);
	g.AddOp(TFLITE_OP_CONV_2D, {in, tf1, tb1}, {t1}, TFLITE_OPTIONS_CONV_2D,
		ConvOpts(same1 ? TFLITE_PADDING_SAME : TFLITE_PADDING_VALID, sw, sh, act1));

	// DEPTHWISE_CONV_2D [1, 3, 3, C1 * dm], int32 bias (widened)
	int dm = rnd(rng, 1, 2), C2 = C1 * dm;
	int DH = OutSize(same2, OH, 3, 1, 1), DW = OutSize(same2, OW, 3, 1, 1);
	if (DH <= 0 || DW <= 0) {
		same2 = true;
		DH = OH;
		DW = OW;
	}
	auto f2 = W8(rng, size_t(9) * C2);
	std::vector<float> fs2(C2);
	std::vector<int32_t> b2(C2);
	for (int c = 0; c < C2; ++c) {
		fs2[c] = float(rndf(rng, 0.5, 4.0) / 127.0);
		b2[c] = rnd(rng, -300000, 300000);
	}
	int tf2 = AddFilter(g, "dw_w", {1, 3, 3, C2}, f2, fs2, 3);
	int tb2 = g.AddTensor("dw_b", {C2}, TFLITE_TYPE_INT32, 0.0f, 0, Raw(b2));
	int t2 = g.AddTensor("dw", {1, DH, DW, C2}, TFLITE_TYPE_INT16, s2, 0);
	g.AddOp(TFLITE_OP_DEPTHWISE_CONV_2D, {t1, tf2, tb2}, {t2},
		TFLITE_OPTIONS_DEPTHWISE_CONV_2D,
		DwOpts(same2 ? TFLITE_PADDING_SAME : TFLITE_PADDING_VALID, 1, 1, dm,
		       TFLITE_ACT_RELU6));

	// ADD with a constant [1, 1, 1, C2], broadcast over H and W
	std::vector<int16_t> addc(C2);
	for (auto &v : addc)
		v = int16_t(rnd(rng, INT16_MIN, INT16_MAX));
	float s_c = float(rndf(rng, 1e-4, 2e-3));
	int tc = g.AddTensor("bias_map", {1, 1, 1, C2}, TFLITE_TYPE_INT16, s_c, 0, Raw(addc));
	int t3 = g.AddTensor("add", {1, DH, DW, C2}, TFLITE_TYPE_INT16, s3, 0);
	g.AddOp(TFLITE_OP_ADD, {t2, tc}, {t3}, TFLITE_OPTIONS_ADD, ActOpts(TFLITE_ACT_NONE));

	// FULLY_CONNECTED over the flattened [1, DH*DW*C2], per-tensor weights
	int D = DH * DW * C2, U = rnd(rng, 1, 6);
	auto f4 = W8(rng, size_t(U) * D);
	float fs4 = float(rndf(rng, 0.5, 4.0) / 127.0 / std::sqrt(double(D)));
	std::vector<int64_t> b4(U);
	for (auto &b : b4)
		b = int64_t(rnd(rng, -1000000, 1000000)) * rnd(rng, 1, 1000);
	int tf4 = g.AddTensor("fc_w", {U, D}, TFLITE_TYPE_INT8, fs4, 0, Raw(f4));
	int tb4 = g.AddTensor("fc_b", {U}, TFLITE_TYPE_INT64, 0.0f, 0, Raw(b4));
	int out = g.AddTensor("out", {1, U}, TFLITE_TYPE_INT16, s_out, 0);
	g.AddOp(TFLITE_OP_FULLY_CONNECTED, {t3, tf4, tb4}, {out}, TFLITE_OPTIONS_FULLY_CONNECTED,
		ActOpts(TFLITE_ACT_NONE));

	Lowered16 low(g.Serialize({in}, {out}));
	ASSERT_EQ(low.rc, 0) << low.err;
	EXPECT_EQ(low.l->isa_version, uint32_t(AIOT_ISA_VERSION(1, 6)));

	std::vector<int16_t> x(size_t(H) * W * Cin);
	for (auto &v : x)
		v = int16_t(rnd(rng, 0, 9) ? rnd(rng, INT16_MIN, INT16_MAX) :
			    (rnd(rng, 0, 1) ? INT16_MAX : INT16_MIN));
	aiot_isa_summary sum{};
	auto got = low.Run(x, &sum);
	EXPECT_EQ(sum.op_mask, (1ull << AIOT_ISA_OP_CONV_2D_S16) |
			       (1ull << AIOT_ISA_OP_DEPTHWISE_CONV_2D_S16) |
			       (1ull << AIOT_ISA_OP_ADD_S16) |
			       (1ull << AIOT_ISA_OP_FULLY_CONNECTED_S16));
	EXPECT_EQ(sum.isa_minor, 6u);

	// The reference, layer by layer.
	int lo, hi;
	ref::ConvGeom g1{1, H, W, Cin, KH, KW, OH, OW, C1, sh, sw, 1, 1,
			 PadBefore(same1, H, OH, KH, sh, 1), PadBefore(same1, W, OW, KW, sw, 1), 0};
	Act16(act1, s1, &lo, &hi);
	auto y1 = ref16::Conv(x, f1, ConvQuant(s_in, fs1, s1, b1), g1, lo, hi);
	ref::ConvGeom g2{1, OH, OW, C1, 3, 3, DH, DW, C2, 1, 1, 1, 1,
			 PadBefore(same2, OH, DH, 3, 1, 1), PadBefore(same2, OW, DW, 3, 1, 1), dm};
	Act16(TFLITE_ACT_RELU6, s2, &lo, &hi);
	auto y2 = ref16::DepthwiseConv(y1, f2, ConvQuant(s1, fs2, s2,
						       std::vector<int64_t>(b2.begin(), b2.end())),
				       g2, lo, hi);
	ref::AddParams p{};
	p.left_shift = 15;
	double twice_max = 2.0 * double(std::max(s2, s_c));
	ref::QuantizeMultiplier(double(s2) / twice_max, &p.m1, &p.s1);
	ref::QuantizeMultiplier(double(s_c) / twice_max, &p.m2, &p.s2);
	ref::QuantizeMultiplier(twice_max / (double(1 << 15) * double(s3)), &p.mo, &p.so);
	p.amin = INT16_MIN;
	p.amax = INT16_MAX;
	std::vector<int16_t> y3(y2.size());
	for (size_t i = 0; i < y2.size(); ++i)
		y3[i] = ref16::AddOne(p, y2[i], addc[i % C2]);
	// TFLite's FC multiplier: the float product of the scales, then double.
	ref16::Quant64 q4;
	int32_t m4;
	int sh4;
	ref::QuantizeMultiplier(double(s3 * fs4) / double(s_out), &m4, &sh4);
	for (int u = 0; u < U; ++u) {
		q4.mult.push_back(m4);
		q4.shift.push_back(sh4);
		q4.bias.push_back(b4[u]);
	}
	auto want = ref16::FullyConnected(y3, f4, q4, 1, D, U, 0, INT16_MIN, INT16_MAX);
	EXPECT_EQ(got, want) << "seed " << seed;
}

TEST(LowerS16, GeneratedChainsRunBitExact)
{
	for (unsigned int seed = 1; seed <= 40; ++seed) {
		SCOPED_TRACE(seed);
		ChainCase(seed);
		if (HasFatalFailure())
			return;
	}
}

// One CONV_2D with the given types; returns the lowering's message.
std::string ConvError(int8_t in_type, int8_t w_type, int8_t out_type, int8_t bias_type,
		      int64_t in_zp = 0)
{
	GraphBuilder g;
	int in = g.AddTensor("in", {1, 4, 4, 2}, in_type, 0.01f, in_zp);
	std::vector<uint8_t> w(size_t(3) * 1 * 1 * 2 * (w_type == TFLITE_TYPE_INT16 ? 2 : 1), 1);
	int tw = g.AddTensor("w", {3, 1, 1, 2}, w_type, 0.02f, 0, w);
	std::vector<uint8_t> b(3 * (bias_type == TFLITE_TYPE_INT64 ? 8 : 4), 0);
	int tb = g.AddTensor("b", {3}, bias_type, 0.0f, 0, b);
	int out = g.AddTensor("out", {1, 4, 4, 3}, out_type, 0.05f, 0);
	g.AddOp(TFLITE_OP_CONV_2D, {in, tw, tb}, {out}, TFLITE_OPTIONS_CONV_2D,
		ConvOpts(TFLITE_PADDING_SAME, 1, 1, TFLITE_ACT_NONE));
	Lowered16 low(g.Serialize({in}, {out}));
	return low.rc ? low.err : "";
}

TEST(LowerS16, MessagesNameTheRealTypes)
{
	EXPECT_EQ(ConvError(TFLITE_TYPE_INT16, TFLITE_TYPE_INT8, TFLITE_TYPE_INT16,
			    TFLITE_TYPE_INT64), "");
	EXPECT_EQ(ConvError(TFLITE_TYPE_INT16, TFLITE_TYPE_INT8, TFLITE_TYPE_INT8,
			    TFLITE_TYPE_INT64),
		  "operator 0 (CONV_2D): int16x8: output must be int16, not int8");
	EXPECT_EQ(ConvError(TFLITE_TYPE_INT16, TFLITE_TYPE_INT16, TFLITE_TYPE_INT16,
			    TFLITE_TYPE_INT64),
		  "operator 0 (CONV_2D): int16x8: filter must be int8, not int16");
	EXPECT_EQ(ConvError(TFLITE_TYPE_INT16, TFLITE_TYPE_INT8, TFLITE_TYPE_INT16,
			    TFLITE_TYPE_FLOAT32),
		  "operator 0 (CONV_2D): int16x8: bias must be int64 or int32, not float32");
	EXPECT_EQ(ConvError(TFLITE_TYPE_INT16, TFLITE_TYPE_INT8, TFLITE_TYPE_INT16,
			    TFLITE_TYPE_INT64, 5),
		  "operator 0 (CONV_2D): int16x8: input zero point 5, must be 0");
	// int8 models still lower as before, and name int32 as int32.
	EXPECT_EQ(ConvError(TFLITE_TYPE_INT8, TFLITE_TYPE_INT8, TFLITE_TYPE_INT8,
			    TFLITE_TYPE_INT32), "");
	EXPECT_EQ(ConvError(TFLITE_TYPE_INT32, TFLITE_TYPE_INT8, TFLITE_TYPE_INT8,
			    TFLITE_TYPE_INT32),
		  "operator 0 (CONV_2D): input must be int8, not int32");
}

TEST(LowerS16, Int8ModelsKeepTheirIsaVersion)
{
	GraphBuilder g;
	int in = g.AddTensor("in", {1, 4}, TFLITE_TYPE_INT8, 0.5f, -1);
	int w = g.AddTensor("w", {2, 4}, TFLITE_TYPE_INT8, 0.25f, 0,
			    {1, 2, 3, 4, 5, 6, 7, 8});
	int out = g.AddTensor("out", {1, 2}, TFLITE_TYPE_INT8, 1.0f, 3);
	g.AddOp(TFLITE_OP_FULLY_CONNECTED, {in, w, -1}, {out});
	Lowered16 low(g.Serialize({in}, {out}));
	ASSERT_EQ(low.rc, 0) << low.err;
	EXPECT_EQ(low.l->isa_version, uint32_t(AIOT_ISA_VERSION(1, 0)));
}

// ------------------------------------------- TRANSPOSE_CONV (ISA 1.9)

struct TconvS16Model {
	std::vector<uint8_t> tflite;
	std::vector<int8_t> filter;
	ref16::TconvGeom geom{};
	ref16::Quant64 quant;
	bool has_bias = false;
};

// output_shape, filter [Cout, KH, KW, Cin] per channel, int16 input[,
// int64 bias] -> int16 output; the padding is the forward convolution's
// from the output to the input, as TFLite computes it.
TconvS16Model TconvS16Graph(std::mt19937 &rng, bool same, bool has_bias,
			    int bias_type = TFLITE_TYPE_INT64, int act = TFLITE_ACT_NONE,
			    int64_t in_zp = 0, int out_type = TFLITE_TYPE_INT16)
{
	TconvS16Model m;
	ref16::TconvGeom &g = m.geom;
	g.N = 1;
	g.Cin = rnd(rng, 1, 4);
	g.Cout = rnd(rng, 1, 4);
	g.KH = rnd(rng, 1, 4);
	g.KW = rnd(rng, 1, 4);
	g.sh = rnd(rng, 1, 3);
	g.sw = rnd(rng, 1, 3);
	g.OH = g.KH + rnd(rng, 0, 6);
	g.OW = g.KW + rnd(rng, 0, 6);
	g.H = OutSize(same, g.OH, g.KH, g.sh, 1);
	g.W = OutSize(same, g.OW, g.KW, g.sw, 1);
	auto pad = [](int out, int k, int s, int in) {
		return std::max(0, (in - 1) * s + k - out) / 2;
	};
	g.pt = pad(g.OH, g.KH, g.sh, g.H);
	g.pl = pad(g.OW, g.KW, g.sw, g.W);
	// Outputs mostly inside int16, some saturating (the bias reaching 3 x 2^21).
	float s_in = float(rndf(rng, 1e-4, 1e-3)), s_out = float(rndf(rng, 1e-3, 1e-2));
	auto f = W8(rng, size_t(g.Cout) * g.KH * g.KW * g.Cin);
	std::vector<float> fs(size_t(g.Cout));
	std::vector<int64_t> bias(size_t(g.Cout), 0);
	for (int c = 0; c < g.Cout; ++c) {
		fs[size_t(c)] = float(rndf(rng, 0.5, 4.0) / 127.0);
		if (has_bias)
			bias[size_t(c)] = int64_t(rnd(rng, -2000000, 2000000)) * rnd(rng, 1, 3);
	}
	GraphBuilder gb;
	int shp = gb.AddConstI32("output_shape", {1, g.OH, g.OW, g.Cout});
	int tw = AddFilter(gb, "w", {g.Cout, g.KH, g.KW, g.Cin}, f, fs, 0);
	int x = gb.AddTensor("x", {1, g.H, g.W, g.Cin}, TFLITE_TYPE_INT16, s_in, in_zp);
	int y = gb.AddTensor("y", {1, g.OH, g.OW, g.Cout}, int8_t(out_type), s_out, 0);
	std::vector<int32_t> ins = {shp, tw, x};
	if (has_bias && bias_type == TFLITE_TYPE_INT64) {
		ins.push_back(gb.AddTensor("b", {g.Cout}, TFLITE_TYPE_INT64, 0.0f, 0, Raw(bias)));
	} else if (has_bias) {
		std::vector<int32_t> b32(bias.begin(), bias.end());
		ins.push_back(gb.AddTensor("b", {g.Cout}, int8_t(bias_type), 0.0f, 0, Raw(b32)));
	}
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(same ? TFLITE_PADDING_SAME : TFLITE_PADDING_VALID);
	o->scalars[1] = Bytes<int32_t>(g.sw);
	o->scalars[2] = Bytes<int32_t>(g.sh);
	if (act)
		o->scalars[3] = Bytes<uint8_t>(uint8_t(act));
	gb.AddOp(TFLITE_OP_TRANSPOSE_CONV, ins, {y}, TFLITE_OPTIONS_TRANSPOSE_CONV, o);
	m.tflite = gb.Serialize({x}, {y});
	m.filter = f;
	m.quant = ConvQuant(s_in, fs, s_out, bias);
	m.has_bias = has_bias;
	return m;
}

TEST(LowerS16, TransposeConvRunsBitExact)
{
	std::mt19937 rng(1909);
	int with_bias = 0, same_n = 0, saturated = 0, total = 0;
	for (int i = 0; i < 80; ++i) {
		SCOPED_TRACE(i);
		bool same = rnd(rng, 0, 1), has_bias = rnd(rng, 0, 2) != 0;
		auto m = TconvS16Graph(rng, same, has_bias);
		const auto &g = m.geom;
		Lowered16 low(m.tflite);
		ASSERT_EQ(low.rc, 0) << low.err;
		// Only a stream with the op declares ISA 1.9.
		EXPECT_EQ(low.l->isa_version, uint32_t(AIOT_ISA_VERSION(1, 9)));
		std::vector<int16_t> x(size_t(g.H) * g.W * g.Cin);
		for (auto &v : x)
			v = int16_t(rnd(rng, 0, 6) ? rnd(rng, INT16_MIN, INT16_MAX) :
				    (rnd(rng, 0, 1) ? INT16_MAX : INT16_MIN));
		aiot_isa_summary sum{};
		auto got = low.Run(x, &sum);
		EXPECT_EQ(sum.op_mask, 1ull << AIOT_ISA_OP_TRANSPOSE_CONV_S16);
		EXPECT_EQ(sum.isa_minor, 9u);
		auto want = ref16::TransposeConv(x, m.filter, m.quant, g, m.has_bias, INT16_MIN,
						 INT16_MAX);
		ASSERT_EQ(got, want) << "case " << i;
		with_bias += has_bias;
		same_n += same;
		for (int16_t v : want)
			saturated += v == INT16_MIN || v == INT16_MAX;
		total += int(want.size());
	}
	EXPECT_GT(with_bias, 40);
	EXPECT_GT(same_n, 25);
	EXPECT_GT(saturated, 0);
	EXPECT_LT(saturated, total / 2);
}

// The first lowering message of an int16 TRANSPOSE_CONV built so.
std::string TconvS16Error(bool has_bias, int bias_type, int act, int64_t in_zp, int out_type)
{
	std::mt19937 rng(7);
	auto m = TconvS16Graph(rng, true, has_bias, bias_type, act, in_zp, out_type);
	Lowered16 low(m.tflite);
	return low.rc ? low.err : "";
}

TEST(LowerS16, TransposeConvRefusalsNameTheReason)
{
	EXPECT_EQ(TconvS16Error(true, TFLITE_TYPE_INT64, 0, 0, TFLITE_TYPE_INT16), "");
	EXPECT_EQ(TconvS16Error(false, TFLITE_TYPE_INT64, 0, 0, TFLITE_TYPE_INT16), "");
	// TFLite's 16x8 TRANSPOSE_CONV takes an int64 bias only.
	EXPECT_EQ(TconvS16Error(true, TFLITE_TYPE_INT32, 0, 0, TFLITE_TYPE_INT16),
		  "operator 0 (TRANSPOSE_CONV): int16x8: bias must be int64, not int32");
	EXPECT_EQ(TconvS16Error(true, TFLITE_TYPE_INT64, 0, 3, TFLITE_TYPE_INT16),
		  "operator 0 (TRANSPOSE_CONV): int16x8: input zero point 3, must be 0");
	EXPECT_EQ(TconvS16Error(true, TFLITE_TYPE_INT64, 0, 0, TFLITE_TYPE_INT8),
		  "operator 0 (TRANSPOSE_CONV): int16x8: filter must be int8 and output int16, "
		  "not int8 and int8");
	EXPECT_NE(TconvS16Error(true, TFLITE_TYPE_INT64, TFLITE_ACT_RELU, 0, TFLITE_TYPE_INT16)
			  .find("fused activation RELU"),
		  std::string::npos);
}

} // namespace
