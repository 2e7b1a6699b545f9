// SPDX-License-Identifier: GPL-2.0-only
// Writes two_io.tflite, an int8 model of two graph inputs and two graph
// outputs, for the guest `models` suite (mk/models.mk compiles it):
//   features [1,4,4,8], gain [1,1,1,8] (broadcast over H and W)
//   sum = ADD(features, gain), product = MUL(features, gain)
//   output 0 "joined" [1,4,4,16] = CONCATENATION(sum, product) on channels
//   output 1 "product_mean" [1,1,1,8] = MEAN(product) over H and W
// The inputs and the outputs each have a size and a quantization of their
// own, so a slot, offset or size mixed up between them changes bytes.
//   gen_two_io_model OUT.tflite
#include "compile_graph_util.h"
#include "gen_model_main.h"

using namespace compile_test;

namespace {

NodeP NoActivation()
{
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(0);
	return o;
}

std::vector<uint8_t> Build()
{
	GraphBuilder g;
	const int8_t i8 = TFLITE_TYPE_INT8;
	int features = g.AddTensor("features", {1, 4, 4, 8}, i8, 0.05f, 3);
	int gain = g.AddTensor("gain", {1, 1, 1, 8}, i8, 0.02f, -10);
	// CONCATENATION moves bytes: its inputs share its quantization.
	int sum = g.AddTensor("sum", {1, 4, 4, 8}, i8, 0.06f, -5);
	int product = g.AddTensor("product", {1, 4, 4, 8}, i8, 0.06f, -5);
	int joined = g.AddTensor("joined", {1, 4, 4, 16}, i8, 0.06f, -5);
	int axes = g.AddConstI32("mean_axes", {1, 2});
	int mean = g.AddTensor("product_mean", {1, 1, 1, 8}, i8, 0.03f, 7);

	g.AddOp(TFLITE_OP_ADD, {features, gain}, {sum}, TFLITE_OPTIONS_ADD, NoActivation());
	g.AddOp(TFLITE_OP_MUL, {features, gain}, {product}, TFLITE_OPTIONS_MUL, NoActivation());
	NodeP concat = Table();
	concat->scalars[0] = Bytes<int32_t>(3);	// axis: channels
	g.AddOp(TFLITE_OP_CONCATENATION, {sum, product}, {joined}, TFLITE_OPTIONS_CONCATENATION,
		concat);
	NodeP keep_dims = Table();
	keep_dims->scalars[0] = Bytes<uint8_t>(1);
	g.AddOp(TFLITE_OP_MEAN, {product, axes}, {mean}, TFLITE_OPTIONS_REDUCER, keep_dims);
	return g.Serialize({features, gain}, {joined, mean});
}

} // namespace

int main(int argc, char **argv)
{
	return GenerateModelFile(argc, argv, Build);
}
