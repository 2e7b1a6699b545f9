// SPDX-License-Identifier: GPL-2.0-only
// Lowering of generated TFLite graphs: every operator that cannot be lowered
// is reported in one run, and each new ISA 1.2 operator lowers to a stream
// that the validator accepts and the executor runs as TFLite Micro would.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "compile_graph_util.h"

#include "isa_test_util.h"

extern "C" {
#include "aiot_isa.h"
#include "lower.h"
}

using namespace compile_test;

namespace {

struct LoweredDeleter {
	void operator()(aiot_lowered_model *l) const { aiot_lowered_model_free(l); }
};
using LoweredPtr = std::unique_ptr<aiot_lowered_model, LoweredDeleter>;

std::vector<std::string> Lines(const std::string &s)
{
	std::vector<std::string> out;
	std::istringstream in(s);
	std::string line;
	while (std::getline(in, line))
		out.push_back(line);
	return out;
}

TEST(LowerReport, EveryUnsupportedOperatorByIndexNameAndReason)
{
	GraphBuilder g;
	int in = g.AddTensor("in", {1, 4}, TFLITE_TYPE_INT8, 0.5f, -1);
	int w = g.AddTensor("w", {2, 4}, TFLITE_TYPE_INT8, 0.25f, 0,
			    {1, 2, 3, 4, 5, 6, 7, 8});
	int fc = g.AddTensor("fc", {1, 2}, TFLITE_TYPE_INT8, 1.0f, 3);
	int cu = g.AddTensor("custom_out", {1, 2}, TFLITE_TYPE_INT32, 1.0f, 0);
	int q = g.AddTensor("q", {1, 2}, TFLITE_TYPE_INT8, 1.0f, 0);
	int idx = g.AddConstI32("idx", {1, 0});
	int ga = g.AddTensor("gather", {1, 2}, TFLITE_TYPE_INT8, 1.0f, 0);
	int fl = g.AddTensor("float", {1, 2}, TFLITE_TYPE_FLOAT32);
	g.AddOp(TFLITE_OP_FULLY_CONNECTED, {in, w, -1}, {fc});          // 0: fine
	g.AddOp(TFLITE_OP_CUSTOM, {fc}, {cu}, 0, nullptr, "MyFancyOp"); // 1
	g.AddOp(TFLITE_OP_QUANTIZE, {cu}, {q});                         // 2: int32 in
	g.AddOp(36 /* GATHER */, {q, idx}, {ga});                        // 3
	g.AddOp(TFLITE_OP_DEQUANTIZE, {ga}, {fl});                       // 4: the host's
	// 5: a float tensor inside the graph (read by 6), after one left out:
	// the report still gives the model's own index.
	int fl2 = g.AddTensor("float2", {1, 2}, TFLITE_TYPE_FLOAT32);
	int q2 = g.AddTensor("q2", {1, 2}, TFLITE_TYPE_INT8, 1.0f, 0);
	g.AddOp(TFLITE_OP_DEQUANTIZE, {q}, {fl2});                       // 5
	g.AddOp(TFLITE_OP_QUANTIZE, {fl2}, {q2});                        // 6: float in
	std::string lerr;
	ModelPtr m = Load(g.Serialize({in}, {fl, q2}), &lerr);
	ASSERT_TRUE(m) << lerr;

	aiot_lowered_model *l = nullptr;
	char err[4096];
	int rc = aiot_lower_model(m.get(), &l, err, sizeof(err));
	EXPECT_EQ(rc, -EOPNOTSUPP);
	EXPECT_EQ(l, nullptr);
	std::vector<std::string> lines = Lines(err);
	ASSERT_EQ(lines.size(), 5u) << err;
	EXPECT_EQ(lines[0], "operator 1 (MyFancyOp): not supported by the aiot ISA");
	EXPECT_EQ(lines[1], "operator 2 (QUANTIZE): input must be int8 or int16, not int32");
	EXPECT_EQ(lines[2], "operator 3 (GATHER): not supported by the aiot ISA");
	EXPECT_EQ(lines[3].rfind("operator 5 (DEQUANTIZE): a float tensor inside the graph: "
				 "the aiot ISA has integer types only", 0), 0u) << lines[3];
	EXPECT_EQ(lines[4].rfind("operator 6 (QUANTIZE): input must be int8 or int16, not "
				 "float32", 0), 0u) << lines[4];
	aiot_lowered_model_free(l);
}

TEST(LowerReport, WrongTensorTypeIsNamed)
{
	// FULLY_CONNECTED on an int32 input: the message says int32.
	GraphBuilder g;
	int in = g.AddTensor("in", {1, 4}, TFLITE_TYPE_INT32, 0.5f, 0);
	int w = g.AddTensor("w", {2, 4}, TFLITE_TYPE_INT8, 0.25f, 0,
			    {1, 2, 3, 4, 5, 6, 7, 8});
	int out = g.AddTensor("out", {1, 2}, TFLITE_TYPE_INT8, 1.0f, 3);
	g.AddOp(TFLITE_OP_FULLY_CONNECTED, {in, w, -1}, {out});
	std::string lerr;
	ModelPtr m = Load(g.Serialize({in}, {out}), &lerr);
	ASSERT_TRUE(m) << lerr;
	aiot_lowered_model *l = nullptr;
	char err[1024];
	EXPECT_EQ(aiot_lower_model(m.get(), &l, err, sizeof(err)), -EOPNOTSUPP);
	EXPECT_STREQ(err, "operator 0 (FULLY_CONNECTED): input must be int8, not int32");
	aiot_lowered_model_free(l);
}

// ---------------------------------------------------------------- ISA 1.2

// Lowers a generated model, validates and runs it on `in`; returns the output.
struct Lowered {
	LoweredPtr l;
	std::string err;
	int rc = 0;

	explicit Lowered(const std::vector<uint8_t> &tflite)
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
		if (rc)
			err = msg;
		l.reset(raw);
	}

	std::vector<int8_t> Run(const std::vector<int8_t> &in)
	{
		std::vector<uint8_t> input(in.begin(), in.end()), output(l->output.bytes, 0x5a),
			arena(l->arena_size ? l->arena_size : 1, 0);
		input.resize(l->input.bytes);
		void *b[4] = {l->weights, input.data(), output.data(), arena.data()};
		u64 sz[4] = {l->weights_size, input.size(), output.size(), arena.size()};
		aiot_isa_summary sum;
		EXPECT_EQ(aiot_isa_validate(l->stream, l->stream_size, sz, 4, &sum), 0);
		EXPECT_EQ(sum.isa_minor, 2u);
		EXPECT_EQ(aiot_isa_execute(l->stream, l->stream_size, b, sz, 4), 0);
		return std::vector<int8_t>(output.begin(), output.end());
	}
};

std::vector<uint8_t> I8(const std::vector<int8_t> &v) { return {v.begin(), v.end()}; }

std::vector<int8_t> Iota(size_t n, int start = -60)
{
	std::vector<int8_t> v(n);
	for (size_t i = 0; i < n; i++)
		v[i] = int8_t(start + int(i * 7 % 120));
	return v;
}

NodeP ConcatOptions(int32_t axis)
{
	NodeP o = Table();
	o->scalars[0] = Bytes<int32_t>(axis);
	return o;
}

NodeP ReducerOptions(bool keep)
{
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(keep ? 1 : 0);
	return o;
}

TEST(LowerIsa12, PadPadsWithTheZeroPointAndPadV2WithItsConstant)
{
	for (bool v2 : {false, true}) {
		GraphBuilder g;
		int in = g.AddTensor("in", {1, 2, 3}, TFLITE_TYPE_INT8, 0.1f, -7);
		int pads = g.AddConstI32("pads", {1, 0, 0, 2, 1, 1}, {3, 2});
		int cv = g.AddTensor("cv", {1}, TFLITE_TYPE_INT8, 0.1f, -7, I8({100}));
		int out = g.AddTensor("out", {2, 4, 5}, TFLITE_TYPE_INT8, 0.1f, -7);
		if (v2)
			g.AddOp(TFLITE_OP_PADV2, {in, pads, cv}, {out});
		else
			g.AddOp(TFLITE_OP_PAD, {in, pads}, {out});
		Lowered low(g.Serialize({in}, {out}));
		ASSERT_EQ(low.rc, 0) << low.err;
		EXPECT_EQ(low.l->isa_version, uint32_t(AIOT_ISA_VERSION(1, 2)));
		auto x = Iota(6);
		auto y = low.Run(x);
		int8_t pad = v2 ? 100 : -7;
		// Independent: out[a][b][c] = in[a-1][b][c-1] inside, else pad.
		for (int a = 0; a < 2; a++)
			for (int b = 0; b < 4; b++)
				for (int c = 0; c < 5; c++) {
					bool inside = a == 1 && b < 2 && c >= 1 && c < 4;
					int8_t want = inside ? x[size_t(b * 3 + c - 1)] : pad;
					EXPECT_EQ(y[size_t((a * 4 + b) * 5 + c)], want)
						<< v2 << " " << a << b << c;
				}
	}
}

TEST(LowerIsa12, TransposeOfRank3)
{
	GraphBuilder g;
	int in = g.AddTensor("in", {2, 3, 4}, TFLITE_TYPE_INT8, 0.5f, 3);
	int perm = g.AddConstI32("perm", {2, 0, 1});
	int out = g.AddTensor("out", {4, 2, 3}, TFLITE_TYPE_INT8, 0.5f, 3);
	g.AddOp(TFLITE_OP_TRANSPOSE, {in, perm}, {out});
	Lowered low(g.Serialize({in}, {out}));
	ASSERT_EQ(low.rc, 0) << low.err;
	auto x = Iota(24);
	auto y = low.Run(x);
	for (int k = 0; k < 4; k++)
		for (int i = 0; i < 2; i++)
			for (int j = 0; j < 3; j++)
				EXPECT_EQ(y[size_t((k * 2 + i) * 3 + j)], x[size_t((i * 3 + j) * 4 + k)]);
}

TEST(LowerIsa12, ConcatenationWithAConstantOnANegativeAxis)
{
	GraphBuilder g;
	int in = g.AddTensor("in", {1, 2, 2, 3}, TFLITE_TYPE_INT8, 0.25f, 1);
	int k = g.AddTensor("k", {1, 2, 2, 1}, TFLITE_TYPE_INT8, 0.25f, 1, I8({9, 8, 7, 6}));
	int out = g.AddTensor("out", {1, 2, 2, 4}, TFLITE_TYPE_INT8, 0.25f, 1);
	g.AddOp(TFLITE_OP_CONCATENATION, {k, in}, {out}, TFLITE_OPTIONS_CONCATENATION,
		ConcatOptions(-1));
	Lowered low(g.Serialize({in}, {out}));
	ASSERT_EQ(low.rc, 0) << low.err;
	EXPECT_EQ(low.l->op_count, 2u);
	auto x = Iota(12);
	auto y = low.Run(x);
	const int8_t kv[4] = {9, 8, 7, 6};
	for (int p = 0; p < 4; p++) {
		EXPECT_EQ(y[size_t(p * 4)], kv[p]);
		for (int c = 0; c < 3; c++)
			EXPECT_EQ(y[size_t(p * 4 + 1 + c)], x[size_t(p * 3 + c)]);
	}
}

TEST(LowerIsa12, MeanOverHeightAndWidthMatchesTflmInteger)
{
	GraphBuilder g;
	const float in_scale = 0.02f, out_scale = 0.015f;
	int in = g.AddTensor("in", {2, 3, 5, 4}, TFLITE_TYPE_INT8, in_scale, -128);
	int axis = g.AddConstI32("axis", {2, -3});
	int out = g.AddTensor("out", {2, 1, 1, 4}, TFLITE_TYPE_INT8, out_scale, 127);
	g.AddOp(TFLITE_OP_MEAN, {in, axis}, {out}, TFLITE_OPTIONS_REDUCER, ReducerOptions(true));
	Lowered low(g.Serialize({in}, {out}));
	ASSERT_EQ(low.rc, 0) << low.err;
	auto x = Iota(120, -128);
	auto y = low.Run(x);
	int32_t m;
	int s;
	isa_test::ref::QuantizeMultiplier(double(in_scale) / double(out_scale), &m, &s);
	for (int b = 0; b < 2; b++)
		for (int c = 0; c < 4; c++) {
			int32_t acc = 0;
			for (int p = 0; p < 15; p++)
				acc += x[size_t((b * 15 + p) * 4 + c)] + 128;
			acc = isa_test::ref::MBQM(acc, m, s);
			int32_t r = acc > 0 ? (acc + 7) / 15 : (acc - 7) / 15;
			r = std::min(127, std::max(-128, r + 127));
			EXPECT_EQ(y[size_t(b * 4 + c)], r) << b << " " << c;
		}
}

TEST(LowerIsa12, WhatIsNotLoweredSaysWhy)
{
	GraphBuilder g;
	int in = g.AddTensor("in", {1, 2, 2, 3}, TFLITE_TYPE_INT8, 0.25f, 1);
	int pads = g.AddConstI32("pads", {0, 0, 1, 1, 1, 1, 0, 0}, {4, 2});
	int p = g.AddTensor("p", {1, 4, 4, 3}, TFLITE_TYPE_INT8, 0.5f, 1); // other scale
	// ISA 1.6 lowers MEAN over any axes: an axis past the rank is the reason.
	int axis = g.AddConstI32("axis", {1, 5});
	int mn = g.AddTensor("mean", {1, 3}, TFLITE_TYPE_INT8, 0.5f, 0);
	int tr = g.AddTensor("t", {3, 1}, TFLITE_TYPE_INT8, 0.5f, 0);
	int perm = g.AddConstI32("perm", {1, 0});
	g.AddOp(TFLITE_OP_PAD, {in, pads}, {p});
	g.AddOp(TFLITE_OP_MEAN, {p, axis}, {mn}, TFLITE_OPTIONS_REDUCER, ReducerOptions(false));
	g.AddOp(TFLITE_OP_TRANSPOSE, {mn, perm}, {tr});
	Lowered low(g.Serialize({in}, {tr}));
	EXPECT_NE(low.rc, 0);
	auto lines = Lines(low.err);
	ASSERT_EQ(lines.size(), 2u) << low.err;
	EXPECT_EQ(lines[0], "operator 0 (PAD): input quantization (0.25, 1) differs from the "
			    "output's (0.5, 1); requantizing is not lowered");
	EXPECT_EQ(lines[1], "operator 1 (MEAN): axis 5 outside the rank-4 input");
}

} // namespace
