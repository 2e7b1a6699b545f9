// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// MEAN and SUM over any set of axes (keep_dims both ways, negative and
// repeated axes, int8 and int16) and TRANSPOSE_CONV (SAME and VALID, strides,
// with and without bias), generated here as tiny .tflite files, lowered to
// ISA 1.6 and run by the reference executor: bit-exact with the
// implementations of TFLite Micro's reference kernels in isa_16a_ref.h,
// their multipliers derived from the float scales here. Then the refusals.
#include <gtest/gtest.h>

#include <random>

#include "compile_graph_util.h"
#include "isa_16a_ref.h"

extern "C" {
#include "lower.h"
}

using namespace compile_test;
namespace r16 = isa_test::ref16a;

namespace {

struct Result {
	int rc = 0;
	std::string err;
	std::vector<uint8_t> out;
	uint32_t isa_version = 0, op_count = 0;
	uint16_t opcode = 0;
};

Result LowerAndRun(const std::vector<uint8_t> &tflite, const std::vector<uint8_t> &in)
{
	Result r;
	std::string lerr;
	ModelPtr m = Load(tflite, &lerr);
	if (!m) {
		r.rc = -1;
		r.err = "load: " + lerr;
		return r;
	}
	aiot_lowered_model *l = nullptr;
	char msg[2048];
	r.rc = aiot_lower_model(m.get(), &l, msg, sizeof(msg));
	if (r.rc) {
		r.err = msg;
		return r;
	}
	std::vector<uint8_t> input(in), output(l->output.bytes, 0x5a),
		arena(l->arena_size ? l->arena_size : 1, 0);
	input.resize(l->input.bytes);
	void *b[4] = {l->weights, input.data(), output.data(), arena.data()};
	u64 sz[4] = {l->weights_size, input.size(), output.size(), arena.size()};
	r.rc = aiot_isa_execute(l->stream, l->stream_size, b, sz, 4);
	r.isa_version = l->isa_version;
	r.op_count = l->op_count;
	if (l->stream_size >= sizeof(aiot_isa_header) + 2)
		std::memcpy(&r.opcode, l->stream + sizeof(aiot_isa_header), 2);
	r.out = output;
	aiot_lowered_model_free(l);
	return r;
}

std::vector<uint8_t> ReduceModel(int32_t builtin, int8_t type, const std::vector<int32_t> &shape,
				 const std::vector<int32_t> &axes,
				 const std::vector<int32_t> &out_shape, bool keep, float in_scale,
				 int64_t in_zp, float out_scale, int64_t out_zp)
{
	GraphBuilder g;
	int x = g.AddTensor("x", shape, type, in_scale, in_zp);
	int a = g.AddConstI32("axis", axes);
	int y = g.AddTensor("y", out_shape, type, out_scale, out_zp);
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(keep);
	g.AddOp(builtin, {x, a}, {y}, TFLITE_OPTIONS_REDUCER, o);
	return g.Serialize({x}, {y});
}

template <typename T>
void CheckReduceModel(std::mt19937 &rng, bool sum, const std::vector<int32_t> &shape,
		      const std::vector<int32_t> &axes, bool keep, float in_scale, int32_t in_zp,
		      float out_scale, int32_t out_zp, bool *trunc_seen = nullptr)
{
	int8_t type = sizeof(T) == 1 ? TFLITE_TYPE_INT8 : TFLITE_TYPE_INT16;
	int rank = int(shape.size());
	unsigned mask = 0;
	for (int32_t a : axes)
		mask |= 1u << (4 - rank + (a < 0 ? a + rank : a));
	uint32_t d[4] = {1, 1, 1, 1};
	for (int i = 0; i < rank; i++)
		d[4 - rank + i] = uint32_t(shape[i]);
	std::vector<int32_t> out_shape;
	for (int i = 0; i < rank; i++) {
		bool red = mask & (1u << (4 - rank + i));
		if (!red)
			out_shape.push_back(shape[i]);
		else if (keep)
			out_shape.push_back(1);
	}
	size_t n_in = size_t(d[0]) * d[1] * d[2] * d[3];
	std::vector<T> in(n_in);
	for (auto &v : in)
		v = T(rng());
	std::vector<uint8_t> bytes(n_in * sizeof(T));
	std::memcpy(bytes.data(), in.data(), bytes.size());
	auto tfl = ReduceModel(sum ? TFLITE_OP_SUM : TFLITE_OP_MEAN, type, shape, axes, out_shape,
			       keep, in_scale, in_zp, out_scale, out_zp);
	Result r = LowerAndRun(tfl, bytes);
	// TFLite Micro: MEAN with equal quantization divides and truncates.
	bool trunc = !sum && in_zp == out_zp && in_scale == out_scale;
	int32_t m = 0;
	int shift = 0;
	if (!trunc)
		isa_test::ref::QuantizeMultiplier(double(in_scale) / double(out_scale), &m, &shift);
	auto want = r16::RefReduce<T>(in, d, mask, sum, trunc, in_zp, out_zp, m, shift);
	std::vector<uint8_t> wb(want.size() * sizeof(T));
	std::memcpy(wb.data(), want.data(), wb.size());
	ASSERT_EQ(r.rc, 0) << r.err;
	bool hw = !sum && rank == 4 && mask == 0x6 && keep && sizeof(T) == 1;
	EXPECT_EQ(r.opcode, hw ? AIOT_ISA_OP_MEAN : AIOT_ISA_OP_REDUCE);
	if (hw)
		return;  // ISA 1.2 MEAN, tested in compile_ops_test.cc
	EXPECT_EQ(r.isa_version, uint32_t(AIOT_ISA_VERSION(1, 6)));
	ASSERT_EQ(r.out, wb) << (sum ? "SUM" : "MEAN") << " mask " << mask << " keep " << keep;
	if (trunc_seen)
		*trunc_seen |= trunc;
}

TEST(CompileOps16a, MeanAndSumOverEveryAxisSetAreBitExact)
{
	std::mt19937 rng(16);
	int runs = 0;
	bool trunc_seen = false;
	for (int iter = 0; iter < 400; iter++) {
		int rank = 1 + int(rng() % 4);
		std::vector<int32_t> shape(rank);
		for (auto &x : shape)
			x = 1 + int32_t(rng() % 5);
		std::vector<int32_t> axes;
		int na = int(rng() % (rank + 1));
		for (int i = 0; i < na; i++) {
			int a = int(rng() % rank);
			axes.push_back(rng() % 3 == 0 ? a - rank : a);  // negative sometimes
		}
		if (axes.empty() || rng() % 5 == 0)
			axes.push_back(axes.empty() ? 0 : axes[0]);  // repeated axis
		bool keep = rng() % 2;
		bool sum = rng() % 2;
		bool i16 = rng() % 3 == 0;
		float in_scale = std::ldexp(0.5f + float(rng() % 100) / 200.0f, -int(rng() % 8));
		float out_scale = rng() % 4 == 0 ? in_scale :
				  std::ldexp(0.5f + float(rng() % 100) / 200.0f, -int(rng() % 8));
		if (i16) {
			CheckReduceModel<int16_t>(rng, sum, shape, axes, keep, in_scale, 0, out_scale,
						  0, &trunc_seen);
		} else {
			int32_t zi = iter % 7 == 0 ? -128 : iter % 7 == 1 ? 127 : int(rng() % 256) - 128;
			int32_t zo = out_scale == in_scale && rng() % 2 ? zi : int(rng() % 256) - 128;
			CheckReduceModel<int8_t>(rng, sum, shape, axes, keep, in_scale, zi, out_scale,
						 zo, &trunc_seen);
		}
		if (HasFatalFailure())
			return;
		runs++;
	}
	EXPECT_EQ(runs, 400);
	EXPECT_TRUE(trunc_seen);
}

TEST(CompileOps16a, MeanRefusalsNameTheReason)
{
	// A float MEAN names the real type.
	auto tfl = ReduceModel(TFLITE_OP_MEAN, TFLITE_TYPE_INT32, {2, 3}, {1}, {2}, false, 0.0f, 0,
			       0.0f, 0);
	Result r = LowerAndRun(tfl, {});
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("int32"), std::string::npos) << r.err;
	// An axis outside the input.
	tfl = ReduceModel(TFLITE_OP_SUM, TFLITE_TYPE_INT8, {2, 3}, {2}, {2}, false, 0.5f, 0, 0.5f,
			  0);
	r = LowerAndRun(tfl, {});
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("axis 2 outside"), std::string::npos) << r.err;
	// An output shape that is not the reduction's.
	tfl = ReduceModel(TFLITE_OP_SUM, TFLITE_TYPE_INT8, {2, 3}, {1}, {3}, false, 0.5f, 0, 0.5f,
			  0);
	r = LowerAndRun(tfl, {});
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("reduction gives"), std::string::npos) << r.err;
	// int16 beyond the ISA's 2^15 summed elements.
	tfl = ReduceModel(TFLITE_OP_MEAN, TFLITE_TYPE_INT16, {1, 200, 200, 1}, {1, 2},
			  {1, 1, 1, 1}, true, 0.5f, 0, 0.25f, 0);
	r = LowerAndRun(tfl, {});
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("40000"), std::string::npos) << r.err;
}

// ----------------------------------------------------------- TRANSPOSE_CONV

std::vector<uint8_t> TconvModel(const r16::TconvCase &c, bool same, const std::vector<int8_t> &f,
				const std::vector<int32_t> &bias, float in_scale, float f_scale,
				float out_scale, int act = 0)
{
	GraphBuilder g;
	int shp = g.AddConstI32("output_shape", {c.n, c.oh, c.ow, c.cout});
	std::vector<uint8_t> fb(f.size());
	std::memcpy(fb.data(), f.data(), fb.size());
	int w = g.AddTensor("w", {c.cout, c.kh, c.kw, c.cin}, TFLITE_TYPE_INT8, f_scale, 0, fb);
	int x = g.AddTensor("x", {c.n, c.h, c.w, c.cin}, TFLITE_TYPE_INT8, in_scale, c.in_zp);
	int y = g.AddTensor("y", {c.n, c.oh, c.ow, c.cout}, TFLITE_TYPE_INT8, out_scale, c.out_zp);
	std::vector<int32_t> ins = {shp, w, x};
	if (!bias.empty()) {
		std::vector<uint8_t> bb(bias.size() * 4);
		std::memcpy(bb.data(), bias.data(), bb.size());
		ins.push_back(g.AddTensor("b", {int32_t(bias.size())}, TFLITE_TYPE_INT32, 0.0f,
					  0, bb));
	}
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(same ? 0 : 1);
	o->scalars[1] = Bytes<int32_t>(c.sw);
	o->scalars[2] = Bytes<int32_t>(c.sh);
	if (act)
		o->scalars[3] = Bytes<uint8_t>(uint8_t(act));
	g.AddOp(TFLITE_OP_TRANSPOSE_CONV, ins, {y}, TFLITE_OPTIONS_TRANSPOSE_CONV, o);
	return g.Serialize({x}, {y});
}

TEST(CompileOps16a, TransposeConvIsBitExact)
{
	std::mt19937 rng(67);
	int runs = 0, with_bias = 0, same_n = 0;
	for (int iter = 0; iter < 150; iter++) {
		r16::TconvCase c{};
		bool same = rng() % 2;
		c.n = 1;
		c.cin = 1 + int(rng() % 4);
		c.cout = 1 + int(rng() % 4);
		c.kh = 1 + int(rng() % 4);
		c.kw = 1 + int(rng() % 4);
		c.sh = 1 + int(rng() % 3);
		c.sw = 1 + int(rng() % 3);
		c.oh = c.kh + int(rng() % 6);
		c.ow = c.kw + int(rng() % 6);
		// The forward convolution's padding, as TFLite computes it.
		auto pad = [&](int out, int k, int s, int *in, int *p) {
			*in = same ? (out + s - 1) / s : (out - k + s) / s;
			int total = (*in - 1) * s + k - out;
			*p = total > 0 ? total / 2 : 0;
		};
		pad(c.oh, c.kh, c.sh, &c.h, &c.pt);
		pad(c.ow, c.kw, c.sw, &c.w, &c.pl);
		c.in_zp = iter % 5 == 0 ? -128 : int(rng() % 256) - 128;
		c.out_zp = iter % 5 == 1 ? 127 : int(rng() % 256) - 128;
		c.amin = -128;
		c.amax = 127;
		std::vector<int8_t> f(size_t(c.cout) * c.kh * c.kw * c.cin), in(size_t(c.h) * c.w * c.cin);
		for (auto &v : f)
			v = int8_t(int(rng() % 255) - 127);
		for (auto &v : in)
			v = int8_t(rng());
		std::vector<int32_t> bias;
		if (rng() % 3)
			for (int o = 0; o < c.cout; o++)
				bias.push_back(int32_t(rng() % 20001) - 10000);
		float in_scale = 0.02f + float(rng() % 100) / 1000.0f;
		float f_scale = 0.002f + float(rng() % 100) / 10000.0f;
		float out_scale = 0.05f + float(rng() % 100) / 200.0f;
		auto tfl = TconvModel(c, same, f, bias, in_scale, f_scale, out_scale);
		std::vector<uint8_t> bytes(in.size());
		std::memcpy(bytes.data(), in.data(), bytes.size());
		Result r = LowerAndRun(tfl, bytes);
		ASSERT_EQ(r.rc, 0) << r.err;
		EXPECT_EQ(r.opcode, AIOT_ISA_OP_TRANSPOSE_CONV);
		EXPECT_EQ(r.isa_version, uint32_t(AIOT_ISA_VERSION(1, 6)));
		// PopulateConvolutionQuantizationParams: in * filter / out per channel.
		isa_test::ref::Quant q;
		int32_t m;
		int s;
		isa_test::ref::QuantizeMultiplier(double(in_scale) * double(f_scale) /
						  double(out_scale), &m, &s);
		for (int o = 0; o < c.cout; o++) {
			q.bias.push_back(bias.empty() ? 0 : bias[o]);
			q.mult.push_back(m);
			q.shift.push_back(s);
		}
		auto want = r16::RefTconv(c, in, f, q);
		std::vector<uint8_t> wb(want.size());
		std::memcpy(wb.data(), want.data(), wb.size());
		ASSERT_EQ(r.out, wb) << "iteration " << iter;
		runs++;
		with_bias += !bias.empty();
		same_n += same;
	}
	EXPECT_EQ(runs, 150);
	EXPECT_GT(with_bias, 70);
	EXPECT_GT(same_n, 50);
}

TEST(CompileOps16a, TransposeConvRefusalsNameTheReason)
{
	r16::TconvCase c{1, 2, 2, 1, 1, 2, 2, 2, 2, 0, 0, 4, 4, 0, 0, -128, 127};
	std::vector<int8_t> f(4, 1);
	// A fused RELU: TFLite applies it, TFLite Micro's reference does not.
	Result r = LowerAndRun(TconvModel(c, false, f, {}, 0.5f, 0.01f, 0.5f, 1), {});
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("disagree"), std::string::npos) << r.err;
	// An input whose size the output, padding and strides do not give.
	r16::TconvCase d = c;
	d.h = 3;
	r = LowerAndRun(TconvModel(d, false, f, {}, 0.5f, 0.01f, 0.5f), {});
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("give"), std::string::npos) << r.err;
	// A bias of the wrong length.
	r = LowerAndRun(TconvModel(c, false, f, {1, 2}, 0.5f, 0.01f, 0.5f), {});
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("bias"), std::string::npos) << r.err;
}

} // namespace
