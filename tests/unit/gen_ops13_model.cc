// SPDX-License-Identifier: GPL-2.0-only
// Writes ops13.tflite, a tiny int8 model made of ISA 1.3's operators, for
// the guest `models` suite (mk/models.mk compiles it with aiot-compile):
// x [1,4,4,8] -> MUL(k8) -> SUB(k1) -> MAXIMUM(k8) -> MINIMUM(k8) ->
// LEAKY_RELU -> HARD_SWISH -> TANH -> LOGISTIC -> RELU6 -> out.
//   gen_ops13_model OUT.tflite
#include "compile_graph_util.h"
#include "gen_model_main.h"

using namespace compile_test;

namespace {

NodeP ActNone()
{
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(0);
	return o;
}

std::vector<uint8_t> Build()
{
	GraphBuilder g;
	const int8_t i8 = TFLITE_TYPE_INT8;
	const std::vector<int32_t> shape = {1, 4, 4, 8};
	int x = g.AddTensor("x", shape, i8, 0.05f, 3);
	int k1 = g.AddTensor("k_mul", {8}, i8, 0.02f, 0, {50, 206, 127, 129, 1, 255, 100, 30});
	int m = g.AddTensor("mul", shape, i8, 0.02f, -3);
	int k2 = g.AddTensor("k_sub", {1}, i8, 0.02f, -3, {20});
	int s = g.AddTensor("sub", shape, i8, 0.03f, 1);
	int k3 = g.AddTensor("k_max", {8}, i8, 0.03f, 1, {128, 236, 246, 0, 10, 20, 156, 1});
	int mx = g.AddTensor("max", shape, i8, 0.03f, 1);
	int k4 = g.AddTensor("k_min", {1, 1, 1, 8}, i8, 0.03f, 1, {127, 90, 60, 30, 0, 226, 126, 100});
	int mn = g.AddTensor("min", shape, i8, 0.03f, 1);
	int lr = g.AddTensor("leaky", shape, i8, 0.02f, -10);
	int hs = g.AddTensor("hard_swish", shape, i8, 0.02f, -20);
	int th = g.AddTensor("tanh", shape, i8, 1.0f / 128, 0);
	int lg = g.AddTensor("logistic", shape, i8, 1.0f / 256, -128);
	int out = g.AddTensor("out", shape, i8, 1.0f / 256, -128);
	NodeP alpha = Table();
	alpha->scalars[0] = Bytes<float>(0.1f);
	g.AddOp(TFLITE_OP_MUL, {x, k1}, {m}, TFLITE_OPTIONS_MUL, ActNone());
	g.AddOp(TFLITE_OP_SUB, {m, k2}, {s}, TFLITE_OPTIONS_SUB, ActNone());
	g.AddOp(TFLITE_OP_MAXIMUM, {s, k3}, {mx});
	g.AddOp(TFLITE_OP_MINIMUM, {mx, k4}, {mn});
	g.AddOp(TFLITE_OP_LEAKY_RELU, {mn}, {lr}, TFLITE_OPTIONS_LEAKY_RELU, alpha);
	g.AddOp(TFLITE_OP_HARD_SWISH, {lr}, {hs});
	g.AddOp(TFLITE_OP_TANH, {hs}, {th});
	g.AddOp(TFLITE_OP_LOGISTIC, {th}, {lg});
	g.AddOp(TFLITE_OP_RELU6, {lg}, {out});
	return g.Serialize({x}, {out});
}

} // namespace

int main(int argc, char **argv)
{
	return GenerateModelFile(argc, argv, Build);
}
