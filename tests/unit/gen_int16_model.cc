// SPDX-License-Identifier: GPL-2.0-only
// Writes int16.tflite, an int8-in, int8-out model whose middle runs on
// int16 elements (ISA 1.8 and 1.9), for the guest `models` suite
// (mk/models.mk):
//   samples int8 [1,6,8,4] -> QUANTIZE -> int16 -> AVERAGE_POOL_2D 2x2
//   SAME -> SUB a constant [4] -> LEAKY_RELU 0.2 -> RESIZE_BILINEAR to
//   [1,9,12,4] (half-pixel centres) -> MAXIMUM with a constant [4]
//   -> TANH (scale 2^-15) -> QUANTIZE -> "peaks" int8 [1,9,12,4]
// Each step has its own quantization, so that a rule of the int16 path
// applied with int8's (the left shift of SUB, the clamps, the element size)
// changes bytes.
//   gen_int16_model OUT.tflite
#include "compile_graph_util.h"
#include "gen_model_main.h"

#include <cstring>

using namespace compile_test;

namespace {

std::vector<uint8_t> I16(const std::vector<int16_t> &v)
{
	std::vector<uint8_t> b(v.size() * 2);
	std::memcpy(b.data(), v.data(), b.size());
	return b;
}

std::vector<uint8_t> Build()
{
	GraphBuilder g;
	const int8_t i8 = TFLITE_TYPE_INT8, i16 = TFLITE_TYPE_INT16;
	int samples = g.AddTensor("samples", {1, 6, 8, 4}, i8, 0.05f, -3);
	int wide = g.AddTensor("wide", {1, 6, 8, 4}, i16, 0.0004f, 0);
	int pooled = g.AddTensor("pooled", {1, 6, 8, 4}, i16, 0.0004f, 0);
	int bias = g.AddTensor("bias", {4}, i16, 0.0005f, 0, I16({-20000, -1, 0, 25000}));
	int centred = g.AddTensor("centred", {1, 6, 8, 4}, i16, 0.0006f, 0);
	int leaky = g.AddTensor("leaky", {1, 6, 8, 4}, i16, 0.0005f, 0);
	int size = g.AddConstI32("size", {9, 12});
	int resized = g.AddTensor("resized", {1, 9, 12, 4}, i16, 0.0005f, 0);
	int floor = g.AddTensor("floor", {4}, i16, 0.0005f, 0, I16({-32768, -3000, 100, 0}));
	int peaks16 = g.AddTensor("peaks16", {1, 9, 12, 4}, i16, 0.0005f, 0);
	int squashed = g.AddTensor("squashed", {1, 9, 12, 4}, i16, 1.0f / 32768, 0);
	int peaks = g.AddTensor("peaks", {1, 9, 12, 4}, i8, 1.0f / 128, 0);

	g.AddOp(TFLITE_OP_QUANTIZE, {samples}, {wide});
	NodeP pool = Table();
	pool->scalars[0] = Bytes<int8_t>(0);	// SAME
	pool->scalars[1] = Bytes<int32_t>(1);	// stride_w
	pool->scalars[2] = Bytes<int32_t>(1);	// stride_h
	pool->scalars[3] = Bytes<int32_t>(2);	// filter_w
	pool->scalars[4] = Bytes<int32_t>(2);	// filter_h
	g.AddOp(TFLITE_OP_AVERAGE_POOL_2D, {wide}, {pooled}, TFLITE_OPTIONS_POOL_2D, pool);
	NodeP sub = Table();
	sub->scalars[0] = Bytes<uint8_t>(0);
	g.AddOp(TFLITE_OP_SUB, {pooled, bias}, {centred}, TFLITE_OPTIONS_SUB, sub);
	NodeP alpha = Table();
	alpha->scalars[0] = Bytes<float>(0.2f);
	g.AddOp(TFLITE_OP_LEAKY_RELU, {centred}, {leaky}, TFLITE_OPTIONS_LEAKY_RELU, alpha);
	NodeP resize = Table();
	resize->scalars[3] = Bytes<uint8_t>(1);	// half_pixel_centers
	g.AddOp(TFLITE_OP_RESIZE_BILINEAR, {leaky, size}, {resized},
		TFLITE_OPTIONS_RESIZE_BILINEAR, resize);
	g.AddOp(TFLITE_OP_MAXIMUM, {resized, floor}, {peaks16});
	g.AddOp(TFLITE_OP_TANH, {peaks16}, {squashed});
	g.AddOp(TFLITE_OP_QUANTIZE, {squashed}, {peaks});
	return g.Serialize({samples}, {peaks});
}

} // namespace

int main(int argc, char **argv)
{
	return GenerateModelFile(argc, argv, Build);
}
