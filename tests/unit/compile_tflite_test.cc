// SPDX-License-Identifier: GPL-2.0-only
// TFLite reader: facts of the real models, hand-made hostile models, and
// truncated / bit-flipped files.
#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <random>

#include "compile_test_util.h"

using namespace compile_test;

namespace {

class RealModel : public ::testing::Test {
protected:
	ModelPtr LoadModel(const std::string &rel)
	{
		std::vector<uint8_t> bytes;
		std::string path = ModelsDir() + "/" + rel;
		if (!ReadFile(path, &bytes))
			return nullptr;
		std::string err;
		ModelPtr m = Load(bytes, &err);
		EXPECT_TRUE(m) << path << ": " << err;
		return m;
	}

	static std::map<std::string, int> OpCounts(const tflite_model *m)
	{
		std::map<std::string, int> counts;
		for (uint32_t i = 0; i < m->operator_count; i++) {
			const tflite_operator *op = &m->operators[i];
			counts[op->custom_name ? op->custom_name
					       : tflite_builtin_name(op->builtin_code)]++;
		}
		return counts;
	}

	static std::vector<int32_t> Shape(const tflite_tensor &t)
	{
		return std::vector<int32_t>(t.shape, t.shape + t.rank);
	}
};

#define LOAD_OR_SKIP(var, rel)                                                   \
	ModelPtr var = LoadModel(rel);                                           \
	if (!var && !HasFailure())                                               \
		GTEST_SKIP() << "model " << rel << " not found under " << ModelsDir() \
			     << " (set AIOT_MODELS_DIR)";                        \
	ASSERT_TRUE(var)

TEST_F(RealModel, HelloWorldInt8)
{
	LOAD_OR_SKIP(m, "hello_world/hello_world_int8.tflite");
	EXPECT_EQ(m->version, 3u);
	EXPECT_EQ(m->subgraph_count, 1u);
	EXPECT_EQ(m->tensor_count, 10u);
	ASSERT_EQ(m->operator_count, 3u);
	for (uint32_t i = 0; i < 3; i++) {
		EXPECT_EQ(m->operators[i].builtin_code, TFLITE_OP_FULLY_CONNECTED);
		EXPECT_EQ(m->operators[i].input_count, 3u);
		EXPECT_EQ(m->operators[i].output_count, 1u);
	}
	EXPECT_EQ(m->operators[0].options.fc.activation, TFLITE_ACT_RELU);
	EXPECT_EQ(m->operators[1].options.fc.activation, TFLITE_ACT_RELU);
	EXPECT_EQ(m->operators[2].options.fc.activation, TFLITE_ACT_NONE);

	ASSERT_EQ(m->input_count, 1u);
	ASSERT_EQ(m->output_count, 1u);
	const tflite_tensor &in = m->tensors[m->inputs[0]];
	const tflite_tensor &out = m->tensors[m->outputs[0]];
	EXPECT_EQ(in.type, TFLITE_TYPE_INT8);
	EXPECT_EQ(out.type, TFLITE_TYPE_INT8);
	EXPECT_EQ(Shape(in), (std::vector<int32_t>{1, 1}));
	EXPECT_EQ(Shape(out), (std::vector<int32_t>{1, 1}));
	ASSERT_EQ(in.quant.count, 1u);
	EXPECT_NEAR(in.quant.scale[0], 0.0244801156, 1e-9);
	EXPECT_EQ(in.quant.zero_point[0], -128);
	ASSERT_EQ(out.quant.count, 1u);
	EXPECT_EQ(out.quant.zero_point[0], 5);
	// The graph's first op reads the input, the last writes the output.
	EXPECT_EQ(m->operators[0].inputs[0], m->inputs[0]);
	EXPECT_EQ(m->operators[2].outputs[0], m->outputs[0]);
	// Weights of op 0: 16x1 int8 constant.
	const tflite_buffer *w = tflite_tensor_data(m.get(), m->operators[0].inputs[1]);
	ASSERT_NE(w, nullptr);
	EXPECT_EQ(w->size, 16u);
	EXPECT_EQ(tflite_tensor_data(m.get(), m->inputs[0]), nullptr);
}

TEST_F(RealModel, HelloWorldFloat)
{
	LOAD_OR_SKIP(m, "hello_world/hello_world_float.tflite");
	EXPECT_EQ(OpCounts(m.get()), (std::map<std::string, int>{{"FULLY_CONNECTED", 3}}));
	EXPECT_EQ(m->tensors[m->inputs[0]].type, TFLITE_TYPE_FLOAT32);
	EXPECT_EQ(m->tensors[m->inputs[0]].quant.count, 0u);
}

TEST_F(RealModel, PersonDetect)
{
	LOAD_OR_SKIP(m, "person_detection/person_detect.tflite");
	EXPECT_EQ(OpCounts(m.get()), (std::map<std::string, int>{
					      {"CONV_2D", 14},
					      {"DEPTHWISE_CONV_2D", 14},
					      {"AVERAGE_POOL_2D", 1},
					      {"RESHAPE", 1},
					      {"SOFTMAX", 1},
				      }));
	EXPECT_EQ(m->operator_count, 31u);
	EXPECT_EQ(m->tensor_count, 89u);
	ASSERT_EQ(m->input_count, 1u);
	ASSERT_EQ(m->output_count, 1u);
	const tflite_tensor &in = m->tensors[m->inputs[0]];
	const tflite_tensor &out = m->tensors[m->outputs[0]];
	EXPECT_EQ(Shape(in), (std::vector<int32_t>{1, 96, 96, 1}));
	EXPECT_EQ(in.type, TFLITE_TYPE_INT8);
	EXPECT_EQ(Shape(out), (std::vector<int32_t>{1, 2}));
	EXPECT_EQ(out.type, TFLITE_TYPE_INT8);
	// softmax output is quantized as 1/256 with zero point -128
	EXPECT_EQ(out.quant.scale[0], 1.0f / 256);
	EXPECT_EQ(out.quant.zero_point[0], -128);

	// First op: depthwise 3x3 stride 2 SAME, RELU6, 1 -> 8 channels,
	// per-channel filter quantization along dimension 3.
	const tflite_operator &op0 = m->operators[0];
	ASSERT_EQ(op0.builtin_code, TFLITE_OP_DEPTHWISE_CONV_2D);
	EXPECT_EQ(op0.options.conv.padding, TFLITE_PADDING_SAME);
	EXPECT_EQ(op0.options.conv.stride_w, 2);
	EXPECT_EQ(op0.options.conv.stride_h, 2);
	EXPECT_EQ(op0.options.conv.dilation_w, 1);
	EXPECT_EQ(op0.options.conv.depth_multiplier, 8);
	EXPECT_EQ(op0.options.conv.activation, TFLITE_ACT_RELU6);
	const tflite_tensor &filter = m->tensors[op0.inputs[1]];
	EXPECT_EQ(Shape(filter), (std::vector<int32_t>{1, 3, 3, 8}));
	EXPECT_EQ(filter.quant.count, 8u);
	EXPECT_EQ(filter.quant.quantized_dimension, 3);
	const tflite_tensor &bias = m->tensors[op0.inputs[2]];
	EXPECT_EQ(bias.type, TFLITE_TYPE_INT32);
	EXPECT_EQ(bias.quant.count, 8u);
	// the file says 3 on a rank-1 tensor; the only axis is 0
	EXPECT_EQ(bias.quant.quantized_dimension, 0);

	int pools = 0, softmaxes = 0;
	for (uint32_t i = 0; i < m->operator_count; i++) {
		const tflite_operator &op = m->operators[i];
		if (op.builtin_code == TFLITE_OP_AVERAGE_POOL_2D) {
			pools++;
			EXPECT_EQ(op.options.pool.padding, TFLITE_PADDING_VALID);
			EXPECT_EQ(op.options.pool.filter_w, 3);
			EXPECT_EQ(op.options.pool.filter_h, 3);
			EXPECT_EQ(op.options.pool.stride_w, 2);
		}
		if (op.builtin_code == TFLITE_OP_SOFTMAX) {
			softmaxes++;
			EXPECT_EQ(op.options.softmax.beta, 1.0f);
		}
		if (op.builtin_code == TFLITE_OP_CONV_2D) {
			EXPECT_EQ(m->tensors[op.inputs[1]].quant.quantized_dimension, 0);
		}
	}
	EXPECT_EQ(pools, 1);
	EXPECT_EQ(softmaxes, 1);
}

TEST_F(RealModel, MicroSpeech)
{
	LOAD_OR_SKIP(m, "micro_speech/micro_speech_quantized.tflite");
	EXPECT_EQ(OpCounts(m.get()), (std::map<std::string, int>{
					      {"RESHAPE", 1},
					      {"DEPTHWISE_CONV_2D", 1},
					      {"FULLY_CONNECTED", 1},
					      {"SOFTMAX", 1},
				      }));
	EXPECT_EQ(Shape(m->tensors[m->inputs[0]]), (std::vector<int32_t>{1, 1960}));
	EXPECT_EQ(Shape(m->tensors[m->outputs[0]]), (std::vector<int32_t>{1, 4}));
	EXPECT_EQ(m->tensors[m->inputs[0]].type, TFLITE_TYPE_INT8);
	const tflite_operator &reshape = m->operators[0];
	ASSERT_EQ(reshape.builtin_code, TFLITE_OP_RESHAPE);
	ASSERT_EQ(reshape.options.reshape.new_shape_count, 4u);
	EXPECT_EQ(reshape.options.reshape.new_shape[1], 49);
	EXPECT_EQ(reshape.options.reshape.new_shape[2], 40);
}

TEST_F(RealModel, KeywordBenchmark)
{
	LOAD_OR_SKIP(m, "keyword_benchmark/keyword_scrambled_8bit.tflite");
	EXPECT_EQ(OpCounts(m.get()), (std::map<std::string, int>{
					      {"QUANTIZE", 2},
					      {"SVDF", 7},
					      {"FULLY_CONNECTED", 5},
					      {"SOFTMAX", 1},
				      }));
	// SVDF keeps its state in variable tensors (input 4).
	for (uint32_t i = 0; i < m->operator_count; i++) {
		if (m->operators[i].builtin_code == 27) {
			EXPECT_TRUE(m->tensors[m->operators[i].inputs[4]].is_variable) << i;
		}
	}
}

TEST_F(RealModel, AudioPreprocessorCustomOps)
{
	LOAD_OR_SKIP(m, "micro_speech/audio_preprocessor_int8.tflite");
	std::map<std::string, int> counts = OpCounts(m.get());
	EXPECT_EQ(counts["SignalWindow"], 1);
	EXPECT_EQ(counts["SignalRfft"], 1);
	EXPECT_EQ(counts["SignalFilterBankLog"], 1);
	EXPECT_EQ(counts["CAST"], 4);
	int custom = 0;
	for (uint32_t i = 0; i < m->operator_count; i++)
		if (m->operators[i].builtin_code == TFLITE_OP_CUSTOM) {
			custom++;
			ASSERT_NE(m->operators[i].custom_name, nullptr);
		} else {
			EXPECT_EQ(m->operators[i].custom_name, nullptr);
		}
	EXPECT_EQ(custom, 9);
}

// Structural invariants the reader promises, on every real model.
TEST_F(RealModel, InvariantsHoldOnAllModels)
{
	int loaded = 0;
	for (const std::string &rel : ModelFiles()) {
		ModelPtr m = LoadModel(rel);
		if (!m)
			continue;
		loaded++;
		for (uint32_t i = 0; i < m->tensor_count; i++) {
			const tflite_tensor &t = m->tensors[i];
			ASSERT_NE(t.name, nullptr);
			ASSERT_LE(t.rank, (uint32_t)TFLITE_MAX_RANK);
			const tflite_buffer *b = tflite_tensor_data(m.get(), i);
			if (b && tflite_type_size(t.type)) {
				EXPECT_EQ(b->size, t.byte_size) << rel << " tensor " << i;
			}
			for (uint32_t q = 0; q < t.quant.count; q++)
				EXPECT_GT(t.quant.scale[q], 0.0f);
		}
		for (uint32_t i = 0; i < m->operator_count; i++) {
			const tflite_operator &op = m->operators[i];
			ASSERT_LT(op.opcode_index, m->opcode_count);
			for (uint32_t k = 0; k < op.input_count; k++)
				ASSERT_LT(op.inputs[k], (int32_t)m->tensor_count);
			for (uint32_t k = 0; k < op.output_count; k++)
				ASSERT_LT(op.outputs[k], (int32_t)m->tensor_count);
			EXPECT_STRNE(tflite_builtin_name(op.builtin_code), "UNKNOWN");
		}
	}
	if (loaded == 0)
		GTEST_SKIP() << "no models under " << ModelsDir();
}

TEST(BuiltinNames, CoverTheSchema)
{
	EXPECT_STREQ(tflite_builtin_name(0), "ADD");
	EXPECT_STREQ(tflite_builtin_name(1), "AVERAGE_POOL_2D");
	EXPECT_STREQ(tflite_builtin_name(3), "CONV_2D");
	EXPECT_STREQ(tflite_builtin_name(4), "DEPTHWISE_CONV_2D");
	EXPECT_STREQ(tflite_builtin_name(6), "DEQUANTIZE");
	EXPECT_STREQ(tflite_builtin_name(9), "FULLY_CONNECTED");
	EXPECT_STREQ(tflite_builtin_name(17), "MAX_POOL_2D");
	EXPECT_STREQ(tflite_builtin_name(22), "RESHAPE");
	EXPECT_STREQ(tflite_builtin_name(25), "SOFTMAX");
	EXPECT_STREQ(tflite_builtin_name(27), "SVDF");
	EXPECT_STREQ(tflite_builtin_name(32), "CUSTOM");
	EXPECT_STREQ(tflite_builtin_name(114), "QUANTIZE");
	EXPECT_STREQ(tflite_builtin_name(126), "BATCH_MATMUL");
	EXPECT_STREQ(tflite_builtin_name(127), "PLACEHOLDER_FOR_GREATER_OP_CODES");
	EXPECT_STREQ(tflite_builtin_name(150), "GELU");
	EXPECT_STREQ(tflite_builtin_name(161), "RIGHT_SHIFT");
	EXPECT_STREQ(tflite_builtin_name(162), "STABLEHLO_LOGISTIC");
	EXPECT_STREQ(tflite_builtin_name(203), "DILATE");
	EXPECT_STREQ(tflite_builtin_name(205), "REDUCE_WINDOW");
	EXPECT_STREQ(tflite_builtin_name(225), "TEMP_STREAMING_CONV_2D");
	EXPECT_STREQ(tflite_builtin_name(206), "UNKNOWN");
	EXPECT_STREQ(tflite_builtin_name(-1), "UNKNOWN");
	EXPECT_STREQ(tflite_type_name(TFLITE_TYPE_INT8), "INT8");
	EXPECT_STREQ(tflite_type_name(99), "UNKNOWN");
	EXPECT_EQ(tflite_type_size(TFLITE_TYPE_INT32), 4u);
	EXPECT_EQ(tflite_type_size(TFLITE_TYPE_STRING), 0u);
}

// ---- hand-made models ------------------------------------------------------

std::string LoadError(const NodeP &root, int *rc = nullptr)
{
	std::string err;
	ModelPtr m = Load(Serialize(root), &err, rc);
	return m ? "" : err;
}

TEST(TinyModel, LoadsAndDecodes)
{
	TinyModel t = MakeTinyModel();
	std::string err;
	ModelPtr m = Load(Serialize(t.model), &err);
	ASSERT_TRUE(m) << err;
	EXPECT_STREQ(m->description, "tiny");
	EXPECT_STREQ(m->subgraph_name, "main");
	ASSERT_EQ(m->operator_count, 1u);
	EXPECT_EQ(m->operators[0].builtin_code, TFLITE_OP_FULLY_CONNECTED);
	EXPECT_EQ(m->operators[0].options.fc.activation, TFLITE_ACT_RELU);
	EXPECT_EQ(m->tensors[1].quant.count, 2u);
	EXPECT_EQ(m->tensors[0].quant.zero_point[0], -1);
	const tflite_buffer *bias = tflite_tensor_data(m.get(), 2);
	ASSERT_NE(bias, nullptr);
	int32_t b1;
	std::memcpy(&b1, bias->data + 4, 4);
	EXPECT_EQ(b1, -100);
}

TEST(TinyModel, InputTensorIndexOutOfRange)
{
	TinyModel t = MakeTinyModel();
	t.op->refs[1] = Vec(std::vector<int32_t>{0, 93, 2});
	EXPECT_EQ(LoadError(t.model), "subgraph 0: operator 0 (FULLY_CONNECTED): input 1: "
				      "tensor index 93 out of range (4 tensors)");
}

TEST(TinyModel, OptionalInputIsAccepted)
{
	TinyModel t = MakeTinyModel();
	t.op->refs[1] = Vec(std::vector<int32_t>{0, 1, -1});
	ModelPtr m = Load(Serialize(t.model));
	ASSERT_TRUE(m);
	EXPECT_EQ(m->operators[0].inputs[2], -1);
	t.op->refs[1] = Vec(std::vector<int32_t>{0, 1, -2});
	EXPECT_NE(LoadError(t.model).find("tensor index -2 out of range"), std::string::npos);
}

TEST(TinyModel, OutputTensorIndexOutOfRange)
{
	TinyModel t = MakeTinyModel();
	t.op->refs[2] = Vec(std::vector<int32_t>{-1});
	EXPECT_NE(LoadError(t.model).find("output 0: tensor index -1 out of range"),
		  std::string::npos);
}

TEST(TinyModel, OpcodeIndexOutOfRange)
{
	TinyModel t = MakeTinyModel();
	t.op->scalars[0] = Bytes<uint32_t>(7);
	EXPECT_EQ(LoadError(t.model), "subgraph 0: operator 0: opcode index 7 out of "
				      "range (1 operator codes)");
}

TEST(TinyModel, GraphInputOutOfRange)
{
	TinyModel t = MakeTinyModel();
	t.subgraph->refs[1] = Vec(std::vector<int32_t>{4});
	EXPECT_EQ(LoadError(t.model), "subgraph 0: input 0: tensor index 4 out of range "
				      "(4 tensors)");
}

TEST(TinyModel, BufferIndexOutOfRange)
{
	TinyModel t = MakeTinyModel();
	t.tensors[3]->scalars[2] = Bytes<uint32_t>(3);
	EXPECT_EQ(LoadError(t.model), "subgraph 0: tensor 3 (output): buffer index 3 out "
				      "of range (3 buffers)");
}

TEST(TinyModel, BufferSizeMustMatchShape)
{
	TinyModel t = MakeTinyModel();
	t.tensors[1]->refs[0] = Vec(std::vector<int32_t>{2, 5});
	t.quants[1]->refs[2] = Vec(std::vector<float>{0.25f, 0.125f});
	EXPECT_NE(LoadError(t.model).find("buffer 1 holds 8 bytes but shape and type need 10"),
		  std::string::npos);
}

TEST(TinyModel, ShapeChecks)
{
	TinyModel t = MakeTinyModel();
	t.tensors[3]->refs[0] = Vec(std::vector<int32_t>{1, -2});
	EXPECT_NE(LoadError(t.model).find("dimension 1 is -2"), std::string::npos);
	t.tensors[3]->refs[0] = Vec(std::vector<int32_t>(9, 1));
	EXPECT_NE(LoadError(t.model).find("rank 9 exceeds"), std::string::npos);
	t.tensors[3]->refs[0] =
		Vec(std::vector<int32_t>{INT32_MAX, INT32_MAX, INT32_MAX, 2});
	EXPECT_NE(LoadError(t.model).find("overflows"), std::string::npos);
	t.tensors[3]->refs[0] = Vec(std::vector<int32_t>{1, 2});
	t.tensors[3]->scalars[1] = Bytes<int8_t>(42);
	EXPECT_NE(LoadError(t.model).find("unknown type 42"), std::string::npos);
}

TEST(TinyModel, QuantizationChecks)
{
	TinyModel t = MakeTinyModel();
	t.quants[0]->refs[3] = Vec(std::vector<int64_t>{-1, 0});
	EXPECT_NE(LoadError(t.model).find("1 scales but 2 zero points"), std::string::npos);
	t.quants[0]->refs[3] = Vec(std::vector<int64_t>{200});
	EXPECT_NE(LoadError(t.model).find("zero_point[0] = 200 out of range for INT8"),
		  std::string::npos);
	t.quants[0]->refs[3] = Vec(std::vector<int64_t>{0});
	t.quants[0]->refs[2] = Vec(std::vector<float>{NAN});
	EXPECT_NE(LoadError(t.model).find("scale[0] = nan must be finite and > 0"),
		  std::string::npos);
	t.quants[0]->refs[2] = Vec(std::vector<float>{-1.0f});
	EXPECT_NE(LoadError(t.model).find("must be finite and > 0"), std::string::npos);
	t.quants[0]->refs[2] = Vec(std::vector<float>{0.5f});
	// per-channel count must match the quantized dimension
	t.quants[1]->scalars[6] = Bytes<int32_t>(1);
	EXPECT_NE(LoadError(t.model).find("2 scales: must be 1 (per tensor) or dimension 1 "
					  "of the shape (4)"),
		  std::string::npos);
	t.quants[1]->scalars[6] = Bytes<int32_t>(2);
	EXPECT_NE(LoadError(t.model).find("quantized_dimension 2 out of range for rank 2"),
		  std::string::npos);
	t.quants[1]->scalars[6] = Bytes<int32_t>(0);
	t.quants[1]->scalars[4] = Bytes<uint8_t>(1); // CustomQuantization
	int rc = 0;
	EXPECT_NE(LoadError(t.model, &rc).find("custom quantization"), std::string::npos);
	EXPECT_EQ(rc, -EOPNOTSUPP);
}

TEST(TinyModel, SparseTensorsRejected)
{
	TinyModel t = MakeTinyModel();
	t.tensors[1]->refs[6] = Table();
	int rc = 0;
	EXPECT_NE(LoadError(t.model, &rc).find("sparse tensors are not supported"),
		  std::string::npos);
	EXPECT_EQ(rc, -EOPNOTSUPP);
}

TEST(TinyModel, BuiltinCodeResolution)
{
	TinyModel t = MakeTinyModel();
	// old files: only the int8 field
	t.opcode->scalars.erase(3);
	ModelPtr m = Load(Serialize(t.model));
	ASSERT_TRUE(m);
	EXPECT_EQ(m->operators[0].builtin_code, TFLITE_OP_FULLY_CONNECTED);
	// codes past 127: the int8 field holds the placeholder
	t.opcode->scalars[0] = Bytes<int8_t>(127);
	t.opcode->scalars[3] = Bytes<int32_t>(150);
	t.op->scalars.erase(3);
	t.op->refs.erase(4);
	m = Load(Serialize(t.model));
	ASSERT_TRUE(m);
	EXPECT_EQ(m->operators[0].builtin_code, 150);
	EXPECT_STREQ(tflite_builtin_name(m->operators[0].builtin_code), "GELU");
	t.opcode->scalars[0] = Bytes<int8_t>(-3);
	EXPECT_NE(LoadError(t.model).find("deprecated_builtin_code -3 is negative"),
		  std::string::npos);
}

TEST(TinyModel, CustomOperatorNeedsName)
{
	TinyModel t = MakeTinyModel();
	t.opcode->scalars[0] = Bytes<int8_t>(TFLITE_OP_CUSTOM);
	t.opcode->scalars[3] = Bytes<int32_t>(TFLITE_OP_CUSTOM);
	t.op->scalars.erase(3);
	t.op->refs.erase(4);
	EXPECT_NE(LoadError(t.model).find("CUSTOM operator code without a custom_code"),
		  std::string::npos);
	t.opcode->refs[1] = Str("MyOp");
	ModelPtr m = Load(Serialize(t.model));
	ASSERT_TRUE(m);
	EXPECT_STREQ(m->operators[0].custom_name, "MyOp");
}

TEST(TinyModel, OptionsMustMatchOperator)
{
	TinyModel t = MakeTinyModel();
	t.op->scalars[3] = Bytes<uint8_t>(TFLITE_OPTIONS_CONV_2D);
	EXPECT_NE(LoadError(t.model).find("builtin_options type 1 does not belong to "
					  "FULLY_CONNECTED"),
		  std::string::npos);
	t.op->scalars[3] = Bytes<uint8_t>(TFLITE_OPTIONS_FULLY_CONNECTED);
	t.options->scalars[0] = Bytes<uint8_t>(9);
	EXPECT_NE(LoadError(t.model).find("options: unknown fused activation 9"),
		  std::string::npos);
}

TEST(TinyModel, ConvOptionsValidated)
{
	TinyModel t = MakeTinyModel();
	t.opcode->scalars[0] = Bytes<int8_t>(TFLITE_OP_CONV_2D);
	t.opcode->scalars[3] = Bytes<int32_t>(TFLITE_OP_CONV_2D);
	t.op->scalars[3] = Bytes<uint8_t>(TFLITE_OPTIONS_CONV_2D);
	NodeP conv = Table();
	conv->scalars[0] = Bytes<uint8_t>(TFLITE_PADDING_VALID);
	conv->scalars[1] = Bytes<int32_t>(2);
	conv->scalars[2] = Bytes<int32_t>(3);
	conv->scalars[3] = Bytes<uint8_t>(TFLITE_ACT_RELU6);
	t.op->refs[4] = conv;
	ModelPtr m = Load(Serialize(t.model));
	ASSERT_TRUE(m);
	const tflite_conv_options &c = m->operators[0].options.conv;
	EXPECT_EQ(c.padding, TFLITE_PADDING_VALID);
	EXPECT_EQ(c.stride_w, 2);
	EXPECT_EQ(c.stride_h, 3);
	EXPECT_EQ(c.dilation_w, 1); // schema default
	EXPECT_EQ(c.activation, TFLITE_ACT_RELU6);

	conv->scalars[1] = Bytes<int32_t>(0);
	EXPECT_EQ(LoadError(t.model), "subgraph 0: operator 0 (CONV_2D): options: "
				      "stride_w 0 must be >= 1");
	conv->scalars[1] = Bytes<int32_t>(1);
	conv->scalars[0] = Bytes<uint8_t>(2);
	EXPECT_NE(LoadError(t.model).find("unknown padding 2"), std::string::npos);
	conv->scalars[0] = Bytes<uint8_t>(0);
	conv->scalars[5] = Bytes<int32_t>(-1);
	EXPECT_NE(LoadError(t.model).find("dilation_h_factor -1 must be >= 1"),
		  std::string::npos);
	// no options at all: strides default to 0, which TFLite would divide by
	t.op->scalars.erase(3);
	t.op->refs.erase(4);
	EXPECT_NE(LoadError(t.model).find("stride_w 0 must be >= 1"), std::string::npos);
}

TEST(TinyModel, ExternalBuffers)
{
	TinyModel t = MakeTinyModel();
	std::vector<uint8_t> bytes = Serialize(t.model);
	// Move the weights out of the flatbuffer: append them to the file and
	// point Buffer.offset/size at them.
	size_t external_at = bytes.size() + 1000; // deliberately past the end first
	t.buffers[1]->refs.erase(0);
	t.buffers[1]->scalars[1] = Bytes<uint64_t>(external_at);
	t.buffers[1]->scalars[2] = Bytes<uint64_t>(8);
	std::string err = LoadError(t.model);
	EXPECT_NE(err.find("buffer 1: external data at offset"), std::string::npos) << err;

	std::vector<uint8_t> base = Serialize(t.model);
	t.buffers[1]->scalars[1] = Bytes<uint64_t>(base.size());
	base = Serialize(t.model);
	const uint8_t weights[8] = {9, 8, 7, 6, 5, 4, 3, 2};
	base.insert(base.end(), weights, weights + 8);
	ModelPtr m = Load(base, &err);
	ASSERT_TRUE(m) << err;
	const tflite_buffer *b = tflite_tensor_data(m.get(), 1);
	ASSERT_NE(b, nullptr);
	EXPECT_TRUE(b->external);
	EXPECT_EQ(b->size, 8u);
	EXPECT_EQ(b->data[0], 9);
	// offset + size overflowing 64 bits
	t.buffers[1]->scalars[1] = Bytes<uint64_t>(UINT64_MAX - 3);
	EXPECT_NE(LoadError(t.model).find("external data"), std::string::npos);
}

TEST(TinyModel, StructuralCorruption)
{
	TinyModel t = MakeTinyModel();
	std::vector<uint8_t> good = Serialize(t.model);
	std::string err;

	std::vector<uint8_t> bad = good;
	std::memcpy(bad.data() + 4, "XXXX", 4);
	EXPECT_FALSE(Load(bad, &err));
	EXPECT_NE(err.find("TFL3"), std::string::npos);

	bad = good;
	uint32_t root = 0x7ffffff0;
	std::memcpy(bad.data(), &root, 4);
	EXPECT_FALSE(Load(bad, &err));
	EXPECT_NE(err.find("root table"), std::string::npos) << err;

	// soffset of the root table pointing before the file start
	bad = good;
	std::memcpy(&root, good.data(), 4);
	int32_t soff = 0x40000000;
	std::memcpy(bad.data() + root, &soff, 4);
	EXPECT_FALSE(Load(bad, &err));
	EXPECT_NE(err.find("vtable"), std::string::npos) << err;

	// vtable claiming a huge inline table size
	bad = good;
	std::memcpy(&soff, good.data() + root, 4);
	uint16_t tsize = 0xfff0;
	std::memcpy(bad.data() + root - soff + 2, &tsize, 2);
	EXPECT_FALSE(Load(bad, &err));
	EXPECT_NE(err.find("table size"), std::string::npos) << err;

	EXPECT_FALSE(Load(std::vector<uint8_t>{}, &err));
	EXPECT_FALSE(Load(std::vector<uint8_t>(7, 0), &err));

	t.model->scalars[0] = Bytes<uint32_t>(2);
	EXPECT_EQ(LoadError(t.model), "schema version 2 is not supported (expected 3)");
	t.model->scalars[0] = Bytes<uint32_t>(3);
	t.model->refs[2] = TableVec({});
	EXPECT_EQ(LoadError(t.model), "model has no subgraphs");
}

TEST(TinyModel, UnterminatedString)
{
	TinyModel t = MakeTinyModel();
	t.model->refs[3] = Str("tiny-description");
	std::vector<uint8_t> bytes = Serialize(t.model);
	// overwrite the NUL after the description
	auto it = std::search(bytes.begin(), bytes.end(), std::begin("tiny-description"),
			      std::end("tiny-description"));
	ASSERT_NE(it, bytes.end());
	*(it + 16) = 'X';
	std::string err;
	EXPECT_FALSE(Load(bytes, &err));
	EXPECT_NE(err.find("not NUL-terminated"), std::string::npos) << err;
}

TEST(TinyModel, AliasedTablesCannotExhaustMemory)
{
	// 200k tensor slots that all alias one tensor table carrying 4096
	// per-channel scales: a sub-megabyte file that would decode to ~10 GB.
	TinyModel t = MakeTinyModel();
	NodeP q = Quant(std::vector<float>(4096, 0.5f), std::vector<int64_t>(4096, 0));
	NodeP big = Tensor("big", {4096}, TFLITE_TYPE_INT8, 0, q);
	t.subgraph->refs[0] = TableVec(std::vector<NodeP>(200000, big));
	t.subgraph->refs[1] = Vec(std::vector<int32_t>{0});
	t.subgraph->refs[2] = Vec(std::vector<int32_t>{0});
	t.op->refs[1] = Vec(std::vector<int32_t>{0, 0, 0});
	t.op->refs[2] = Vec(std::vector<int32_t>{0});
	std::vector<uint8_t> bytes = Serialize(t.model);
	EXPECT_LT(bytes.size(), 1u << 20);
	std::string err;
	int rc = 0;
	EXPECT_FALSE(Load(bytes, &err, &rc));
	EXPECT_EQ(rc, -EFBIG) << err;
}

// ---- damaged real files ------------------------------------------------

class DamagedModel : public ::testing::TestWithParam<std::string> {};

TEST_P(DamagedModel, TruncationsAreRejectedCleanly)
{
	std::vector<uint8_t> bytes;
	if (!ReadFile(ModelsDir() + "/" + GetParam(), &bytes))
		GTEST_SKIP() << "missing " << GetParam();
	// every length for small files; for big ones, all of the first 1 KiB,
	// then ~1500 evenly spread cuts (tables sit both before and after the
	// data in these files, so this still cuts through every table kind)
	size_t stride = bytes.size() <= 8192 ? 1 : bytes.size() / 1500 + 1;
	int rejected = 0;
	for (size_t len = 0; len < bytes.size(); len += (len < 1024 ? 1 : stride)) {
		std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + len);
		std::string err;
		int rc = 0;
		ModelPtr m = Load(cut, &err, &rc);
		if (!m) {
			rejected++;
			ASSERT_FALSE(err.empty()) << "len " << len;
			ASSERT_LT(rc, 0);
		}
	}
	// flatbuffers put the root near the start and data after it: a
	// truncated file almost always loses something the root references
	EXPECT_GT(rejected, 0);
}

TEST_P(DamagedModel, BitFlipsNeverCrash)
{
	std::vector<uint8_t> bytes;
	if (!ReadFile(ModelsDir() + "/" + GetParam(), &bytes))
		GTEST_SKIP() << "missing " << GetParam();
	std::mt19937 rng(12345);
	int rejected = 0;
	const int rounds = bytes.size() > 100000 ? 300 : 1500;
	for (int round = 0; round < rounds; round++) {
		std::vector<uint8_t> bad = bytes;
		int flips = 1 + round % 4;
		for (int f = 0; f < flips; f++) {
			// bias towards the metadata at the start/end of the file,
			// where the tables live
			size_t pos = rng() % bad.size();
			if (round % 2)
				pos = rng() % std::min<size_t>(bad.size(), 2048);
			bad[pos] ^= (uint8_t)(1u << (rng() % 8));
		}
		std::string err;
		ModelPtr m = Load(bad, &err);
		if (!m) {
			rejected++;
			ASSERT_FALSE(err.empty());
		} else {
			size_t arena = 0;
			std::vector<size_t> offsets(m->tensor_count + 1);
			char perr[256];
			plan_model_arena(m.get(), 16, offsets.data(), &arena, perr, sizeof(perr));
		}
	}
	EXPECT_GT(rejected, 0);
}

TEST_P(DamagedModel, HostileOffsetsRejected)
{
	std::vector<uint8_t> bytes;
	if (!ReadFile(ModelsDir() + "/" + GetParam(), &bytes))
		GTEST_SKIP() << "missing " << GetParam();
	// Overwrite aligned words with values that make hostile offsets,
	// counts and indices wherever they land.
	const uint32_t hostile[] = {0xffffffffu, 0x80000000u, 0x7fffffffu,
				    (uint32_t)bytes.size(), (uint32_t)bytes.size() - 2, 0};
	// every word of small files; 120 random words of big ones
	std::vector<size_t> positions;
	if (bytes.size() <= 8192) {
		for (size_t pos = 0; pos + 4 <= bytes.size(); pos += 4)
			positions.push_back(pos);
	} else {
		std::mt19937 rng(77);
		for (int i = 0; i < 120; i++)
			positions.push_back((rng() % (bytes.size() / 4)) * 4);
	}
	for (size_t pos : positions)
		for (uint32_t v : hostile) {
			std::vector<uint8_t> bad = bytes;
			std::memcpy(bad.data() + pos, &v, 4);
			std::string err;
			ModelPtr m = Load(bad, &err);
			if (!m) {
				ASSERT_FALSE(err.empty());
			}
		}
}

INSTANTIATE_TEST_SUITE_P(AllModels, DamagedModel, ::testing::ValuesIn(ModelFiles()),
			 [](const ::testing::TestParamInfo<std::string> &info) {
				 std::string name = info.param.substr(info.param.find('/') + 1);
				 for (char &c : name)
					 if (!isalnum((unsigned char)c))
						 c = '_';
				 return name;
			 });

} // namespace
