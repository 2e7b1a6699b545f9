// SPDX-License-Identifier: GPL-2.0-only
// int16 SOFTMAX lowering (ISA 1.9): generated .tflite graphs with int16
// input and output compile to SOFTMAX_S16 with the two tables in the
// weights, declare ISA 1.9 (and only then), and run bit-exact with the
// independent transcription of TensorFlow Lite Micro (isa_softmax16_ref.h,
// which generates its own tables); what cannot be lowered says why.
#include <gtest/gtest.h>

#include "compile_graph_util.h"
#include "compile_lowered16.h"

#include "isa_softmax16_ref.h"

extern "C" {
#include "aiot_isa.h"
#include "lower.h"
}

using namespace compile_test;
using namespace isa_test;

namespace {

NodeP Beta(float beta)
{
	NodeP o = Table();
	o->scalars[0] = Bytes<float>(beta);
	return o;
}

std::vector<uint8_t> SoftmaxGraph(std::vector<int32_t> shape, float beta, float in_scale,
				  int8_t in_type = TFLITE_TYPE_INT16, int64_t in_zp = 0,
				  int8_t out_type = TFLITE_TYPE_INT16,
				  float out_scale = 1.0f / 32768, int64_t out_zp = 0)
{
	GraphBuilder g;
	int in = g.AddTensor("in", shape, in_type, in_scale, in_zp);
	int out = g.AddTensor("out", shape, out_type, out_scale, out_zp);
	g.AddOp(TFLITE_OP_SOFTMAX, {in}, {out}, TFLITE_OPTIONS_SOFTMAX, Beta(beta));
	return g.Serialize({in}, {out});
}

// The stream's one SOFTMAX_S16 record.
aiot_isa_op_softmax_s16 FindOp(const aiot_lowered_model *l)
{
	aiot_isa_op_softmax_s16 op{};
	size_t pos = sizeof(aiot_isa_header);
	while (pos + sizeof(aiot_isa_op_header) <= l->stream_size) {
		aiot_isa_op_header h;
		std::memcpy(&h, l->stream + pos, sizeof(h));
		if (h.opcode == AIOT_ISA_OP_SOFTMAX_S16) {
			std::memcpy(&op, l->stream + pos, sizeof(op));
			break;
		}
		if (!h.size)
			break;
		pos += h.size;
	}
	return op;
}

refsm16::Lut TableAt(const aiot_lowered_model *l, const aiot_isa_array_ref &r)
{
	refsm16::Lut t(refsm16::kLutSize);
	EXPECT_LE(size_t(r.offset) + t.size() * 2, l->weights_size);
	std::memcpy(t.data(), l->weights + r.offset, t.size() * 2);
	return t;
}

TEST(LowerSoftmaxS16, GeneratedGraphsRunBitExact)
{
	std::mt19937 rng(55);
	const float betas[] = {1.0f, 0.5f, 2.0f, 0.1f};
	const float scales[] = {1.0f / 32768, 1.0f / 4096, 0.0007f, 0.01f, 0.05f};
	const std::vector<int32_t> shapes[] = {{1, 10}, {2, 3, 7}, {1, 2, 2, 33}, {5, 1},
					       {1, 1000}};
	const auto exp_lut = refsm16::ExpLut(), recip_lut = refsm16::RecipLut();
	int n = 0;
	for (float beta : betas)
		for (float scale : scales) {
			const auto &shape = shapes[n++ % 5];
			SCOPED_TRACE(::testing::Message() << "beta " << beta << " scale " << scale);
			Lowered16 low(SoftmaxGraph(shape, beta, scale));
			ASSERT_EQ(low.rc, 0) << low.err;
			EXPECT_EQ(low.l->isa_version, uint32_t(AIOT_ISA_VERSION(1, 9)));
			auto op = FindOp(low.l.get());
			ASSERT_EQ(op.hdr.opcode, AIOT_ISA_OP_SOFTMAX_S16);
			// the compiler's tables are gen_lut's, bit for bit
			EXPECT_EQ(TableAt(low.l.get(), op.exp_table), exp_lut);
			EXPECT_EQ(TableAt(low.l.get(), op.one_over_one_plus_x_table), recip_lut);
			int32_t m;
			int shift;
			refsm16::InputMultiplier(scale, beta, &m, &shift);
			EXPECT_EQ(op.input_multiplier, m);
			EXPECT_EQ(op.input_shift, shift);

			size_t count = 1;
			for (int32_t d : shape)
				count *= size_t(d);
			std::vector<int16_t> x(count);
			for (auto &v : x)
				v = int16_t(std::uniform_int_distribution<int>(-3000, 3000)(rng));
			x[0] = INT16_MAX;
			x[count - 1] = INT16_MIN;
			aiot_isa_summary sum{};
			auto got = low.Run(x, &sum);
			EXPECT_EQ(sum.op_mask, 1ull << AIOT_ISA_OP_SOFTMAX_S16);
			EXPECT_EQ(sum.isa_minor, 9u);
			EXPECT_EQ(got, refsm16::Softmax(x, size_t(shape.back()), m, shift,
							exp_lut, recip_lut));
		}
}

std::string Error(const std::vector<uint8_t> &g)
{
	Lowered16 low(g);
	return low.rc ? low.err : "";
}

TEST(LowerSoftmaxS16, MessagesSayWhy)
{
	EXPECT_EQ(Error(SoftmaxGraph({1, 4}, 1.0f, 0.001f)), "");
	EXPECT_EQ(Error(SoftmaxGraph({1, 4}, 1.0f, 0.001f, TFLITE_TYPE_INT16, 3)),
		  "operator 0 (SOFTMAX): int16 softmax input zero point must be 0, not 3");
	EXPECT_EQ(Error(SoftmaxGraph({1, 4}, 1.0f, 0.001f, TFLITE_TYPE_INT16, 0,
				     TFLITE_TYPE_INT8, 1.0f / 256, -128)),
		  "operator 0 (SOFTMAX): int16 softmax output must be int16, not int8");
	EXPECT_EQ(Error(SoftmaxGraph({1, 4}, 1.0f, 0.001f, TFLITE_TYPE_INT16, 0,
				     TFLITE_TYPE_INT16, 1.0f / 65536, -32768)),
		  "operator 0 (SOFTMAX): int16 softmax output must be scale 1/32768, zero "
		  "point 0 (have 1.52588e-05, -32768)");
	EXPECT_EQ(Error(SoftmaxGraph({1, 4}, 1.0f, 0.001f, TFLITE_TYPE_INT16, 0,
				     TFLITE_TYPE_INT16, 1.0f / 32768, 1)),
		  "operator 0 (SOFTMAX): int16 softmax output must be scale 1/32768, zero "
		  "point 0 (have 3.05176e-05, 1)");
	// 10 x 1 / (10 / 65535) = 65535: a shift of 16, past what int32 holds
	EXPECT_EQ(Error(SoftmaxGraph({1, 4}, 10.0f, 1.0f)),
		  "operator 0 (SOFTMAX): int16 softmax: beta 10 x input scale 1 is too large "
		  "(the input shift would exceed 15)");
	EXPECT_EQ(Error(SoftmaxGraph({1, 4}, 0.0f, 0.001f)),
		  "operator 0 (SOFTMAX): int16 softmax beta must be positive (have 0)");
	// int8 softmax stays ISA 1.0's, with no tables
	Lowered16 i8(SoftmaxGraph({1, 4}, 1.0f, 0.1f, TFLITE_TYPE_INT8, 0, TFLITE_TYPE_INT8,
				1.0f / 256, -128));
	ASSERT_EQ(i8.rc, 0) << i8.err;
	EXPECT_EQ(i8.l->isa_version, uint32_t(AIOT_ISA_VERSION(1, 0)));
	EXPECT_EQ(FindOp(i8.l.get()).hdr.opcode, 0);
}

} // namespace
