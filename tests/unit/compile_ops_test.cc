// SPDX-License-Identifier: GPL-2.0-only
// Lowering of generated TFLite graphs: every operator that cannot be lowered
// is reported in one run, and each new ISA 1.2 operator lowers to a stream
// that the validator accepts and the executor runs as TFLite Micro would.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "compile_graph_util.h"

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
	g.AddOp(TFLITE_OP_DEQUANTIZE, {ga}, {fl});                       // 4: float out
	std::string lerr;
	ModelPtr m = Load(g.Serialize({in}, {fl}), &lerr);
	ASSERT_TRUE(m) << lerr;

	aiot_lowered_model *l = nullptr;
	char err[4096];
	int rc = aiot_lower_model(m.get(), &l, err, sizeof(err));
	EXPECT_EQ(rc, -EOPNOTSUPP);
	EXPECT_EQ(l, nullptr);
	std::vector<std::string> lines = Lines(err);
	ASSERT_EQ(lines.size(), 4u) << err;
	EXPECT_EQ(lines[0], "operator 1 (MyFancyOp): not supported by the aiot ISA");
	EXPECT_EQ(lines[1], "operator 2 (QUANTIZE): input must be int8 or int16, not int32");
	EXPECT_EQ(lines[2], "operator 3 (GATHER): not supported by the aiot ISA");
	EXPECT_EQ(lines[3].rfind("operator 4 (DEQUANTIZE): ", 0), 0u) << lines[3];
	aiot_lowered_model_free(l);
}

TEST(LowerReport, WrongTensorTypeIsNamed)
{
	// FULLY_CONNECTED on an int16 input: the message says int16.
	GraphBuilder g;
	int in = g.AddTensor("in", {1, 4}, TFLITE_TYPE_INT16, 0.5f, 0);
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
	EXPECT_STREQ(err, "operator 0 (FULLY_CONNECTED): input must be int8, not int16");
	aiot_lowered_model_free(l);
}

} // namespace
