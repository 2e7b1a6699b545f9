// SPDX-License-Identifier: GPL-2.0-only
// Lowering to the aiot ISA, checked end to end: the lowered stream must pass
// the kernel's validator and, run on the userspace build of the reference
// executor, reproduce upstream's expectations for the real models.
#include <gtest/gtest.h>

#include <cmath>

#include "compile_test_util.h"

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

// A lowered model with its four bindings allocated, validated once.
struct Runner {
	LoweredPtr lowered;
	std::vector<uint8_t> input, output, arena;

	bool Init(const tflite_model *m, std::string *err)
	{
		aiot_lowered_model *l = nullptr;
		char msg[512];
		if (aiot_lower_model(m, &l, msg, sizeof(msg)) != 0) {
			*err = msg;
			return false;
		}
		lowered.reset(l);
		input.assign(l->input.bytes, 0);
		output.assign(l->output.bytes, 0);
		arena.assign(l->arena_size ? l->arena_size : 1, 0);
		aiot_isa_summary summary;
		u64 sizes[4];
		Sizes(sizes);
		int rc = aiot_isa_validate(l->stream, l->stream_size, sizes, 4, &summary);
		if (rc != 0) {
			*err = "validator rejected the stream: " + std::to_string(rc) +
			       " at op " + std::to_string(summary.error_op);
			return false;
		}
		return true;
	}

	void Sizes(u64 sizes[4]) const
	{
		sizes[AIOT_ISA_BINDING_WEIGHTS] = lowered->weights_size;
		sizes[AIOT_ISA_BINDING_INPUT] = input.size();
		sizes[AIOT_ISA_BINDING_OUTPUT] = output.size();
		sizes[AIOT_ISA_BINDING_ARENA] = arena.size();
	}

	int Run()
	{
		void *bindings[4];
		bindings[AIOT_ISA_BINDING_WEIGHTS] = lowered->weights;
		bindings[AIOT_ISA_BINDING_INPUT] = input.data();
		bindings[AIOT_ISA_BINDING_OUTPUT] = output.data();
		bindings[AIOT_ISA_BINDING_ARENA] = arena.data();
		u64 sizes[4];
		Sizes(sizes);
		return aiot_isa_execute(lowered->stream, lowered->stream_size, bindings, sizes, 4);
	}
};

ModelPtr LoadReal(const std::string &rel)
{
	std::vector<uint8_t> bytes;
	if (!ReadFile(ModelsDir() + "/" + rel, &bytes))
		return nullptr;
	return Load(bytes);
}

#define LOAD_OR_SKIP(var, rel)                                                   \
	ModelPtr var = LoadReal(rel);                                            \
	if (!var)                                                                \
		GTEST_SKIP() << "model " << rel << " not found under " << ModelsDir()

TEST(Lower, HelloWorldApproximatesSine)
{
	LOAD_OR_SKIP(m, "hello_world/hello_world_int8.tflite");
	Runner r;
	std::string err;
	ASSERT_TRUE(r.Init(m.get(), &err)) << err;
	EXPECT_EQ(r.lowered->op_count, 3u);
	const aiot_lowered_tensor &in = r.lowered->input, &out = r.lowered->output;
	for (double x : {0.77, 1.57, 2.3, 3.14}) {
		long q = std::lround(x / in.scale) + in.zero_point;
		r.input[0] = (uint8_t)(int8_t)std::max(-128L, std::min(127L, q));
		ASSERT_EQ(r.Run(), 0);
		double y = ((int8_t)r.output[0] - out.zero_point) * (double)out.scale;
		EXPECT_NEAR(y, std::sin(x), 0.05) << "x = " << x;
	}
}

// 96x96 8-bit grayscale BMP -> model input, top row first. Upstream's test
// copies the image bytes (PIL tobytes(), top-down) unchanged into the int8
// input tensor, so pixel 200 is fed as int8 -56; its expectations only hold
// with that convention, which is reproduced here.
bool ReadGrayBmp(const std::string &path, std::vector<uint8_t> *pixels)
{
	std::vector<uint8_t> f;
	if (!ReadFile(path, &f) || f.size() < 54 || f[0] != 'B' || f[1] != 'M')
		return false;
	uint32_t data_at;
	int32_t w, h;
	uint16_t bpp;
	std::memcpy(&data_at, &f[10], 4);
	std::memcpy(&w, &f[18], 4);
	std::memcpy(&h, &f[22], 4);
	std::memcpy(&bpp, &f[28], 2);
	if (w != 96 || (h != 96 && h != -96) || bpp != 8)
		return false;
	size_t stride = (96 + 3) / 4 * 4;
	if (data_at + stride * 96 > f.size())
		return false;
	pixels->resize(96 * 96);
	for (int row = 0; row < 96; row++) {
		int src = h > 0 ? 95 - row : row; // positive height: bottom-up
		for (int col = 0; col < 96; col++)
			(*pixels)[row * 96 + col] = f[data_at + src * stride + col];
	}
	return true;
}

TEST(Lower, PersonDetectClassifiesBothImages)
{
	LOAD_OR_SKIP(m, "person_detection/person_detect.tflite");
	Runner r;
	std::string err;
	ASSERT_TRUE(r.Init(m.get(), &err)) << err;
	EXPECT_EQ(r.lowered->op_count, 31u);
	ASSERT_EQ(r.lowered->input.bytes, 96u * 96u);
	ASSERT_EQ(r.lowered->output.bytes, 2u);
	for (const char *name : {"person", "no_person"}) {
		std::vector<uint8_t> img;
		ASSERT_TRUE(ReadGrayBmp(ModelsDir() + "/person_detection/" + name + ".bmp", &img))
			<< name;
		r.input = img;
		ASSERT_EQ(r.Run(), 0);
		int8_t no_person = (int8_t)r.output[0], person = (int8_t)r.output[1];
		// measured: person 113 vs -113, no_person -57 vs 57
		if (std::string(name) == "person") {
			EXPECT_GT(person, no_person) << (int)no_person << " " << (int)person;
		} else {
			EXPECT_GT(no_person, person) << (int)no_person << " " << (int)person;
		}
	}
}

TEST(Lower, MicroSpeechLowersAndRuns)
{
	LOAD_OR_SKIP(m, "micro_speech/micro_speech_quantized.tflite");
	Runner r;
	std::string err;
	ASSERT_TRUE(r.Init(m.get(), &err)) << err;
	EXPECT_EQ(r.lowered->op_count, 4u);
	EXPECT_EQ(r.lowered->input.bytes, 1960u);
	EXPECT_EQ(r.lowered->output.bytes, 4u);
	ASSERT_EQ(r.Run(), 0);
	int sum = 0; // softmax output: probabilities in 1/256 steps, zp -128
	for (uint8_t v : r.output)
		sum += (int8_t)v + 128;
	EXPECT_NEAR(sum, 256, 4);
}

TEST(Lower, RealModelsWithSvdfAndSignalOpsLower)
{
	ModelPtr kw = LoadReal("keyword_benchmark/keyword_scrambled_8bit.tflite");
	ModelPtr audio = LoadReal("micro_speech/audio_preprocessor_int8.tflite");
	if (!kw || !audio)
		GTEST_SKIP() << "models not found under " << ModelsDir();
	aiot_lowered_model *l = nullptr;
	char err[4096];
	// SVDF is lowered since ISA 1.1 (tests/unit/compile_models_test.cc).
	int rc = aiot_lower_model(kw.get(), &l, err, sizeof(err));
	EXPECT_EQ(rc, 0) << err;
	aiot_lowered_model_free(l);
	l = nullptr;
	// The audio front end compiles since ISA 1.4 (it was this test's
	// example of unsupported operators); compile_ops_test.cc covers the
	// one-line-per-operator report with a generated graph.
	rc = aiot_lower_model(audio.get(), &l, err, sizeof(err));
	EXPECT_EQ(rc, 0) << err;
	if (l) {
		EXPECT_EQ(l->isa_version, (uint32_t)AIOT_ISA_VERSION(1, 4));
	}
	aiot_lowered_model_free(l);
}

} // namespace
