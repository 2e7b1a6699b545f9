// SPDX-License-Identifier: GPL-2.0-only
//
// Every shared model on the fast executor against the reference executor:
// compiled the way aiot-compile does, loaded twice through cpu_model.c
// (once forced to the reference), fed the upstream test inputs and random
// ones, run several times in a row (stateful models keep state in the
// arena). After every run the outputs AND the whole arena, i.e. every
// intermediate tensor, must be byte-identical, at every SIMD level.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "compile_blob_util.h"
#include "compile_lstm_model.h"
#include "compile_test_util.h"

extern "C" {
#include "cpu_model.h"
#include "fastexec.h"
}

using namespace compile_test;

namespace {

struct CpuModelDeleter {
	void operator()(aiot_cpu_model *m) const { aiot_cpu_model_free(m); }
};
using CpuModelPtr = std::unique_ptr<aiot_cpu_model, CpuModelDeleter>;

std::vector<uint8_t> CompileBytes(const std::vector<uint8_t> &bytes, std::string *err)
{
	ModelPtr m = Load(bytes, err);
	if (!m)
		return {};
	return CompileToBlob(m.get(), "test", err);
}

std::vector<uint8_t> CompileFile(const std::string &rel, std::string *err)
{
	std::vector<uint8_t> bytes;
	if (!ReadFile(ModelsDir() + "/" + rel, &bytes)) {
		*err = "not found";
		return {};
	}
	return CompileBytes(bytes, err);
}

// Sets an environment variable for the scope, restoring the old value.
class ScopedEnv {
public:
	ScopedEnv(const char *name, const char *value) : name_(name)
	{
		const char *old = getenv(name);
		had_ = old != nullptr;
		if (had_)
			old_ = old;
		setenv(name, value, 1);
	}
	~ScopedEnv()
	{
		if (had_)
			setenv(name_, old_.c_str(), 1);
		else
			unsetenv(name_);
	}

private:
	const char *name_;
	bool had_;
	std::string old_;
};

CpuModelPtr LoadWith(const std::vector<uint8_t> &blob, const char *executor,
		     const char *simd, std::string *err)
{
	ScopedEnv e1(AIOT_CPU_EXECUTOR_ENV, executor);
	ScopedEnv e2(AIOT_FX_SIMD_ENV, simd);
	aiot_cpu_model *m = nullptr;
	char msg[512];
	int rc = aiot_cpu_model_load(blob.data(), blob.size(), &m, msg, sizeof(msg));
	*err = rc ? msg : "";
	return CpuModelPtr(m);
}

std::vector<uint8_t> Binding(aiot_cpu_model *m, unsigned int slot)
{
	size_t size = 0;
	auto *p = (uint8_t *)aiot_cpu_model_binding(m, slot, &size);
	return p ? std::vector<uint8_t>(p, p + size) : std::vector<uint8_t>();
}

// Upstream's test inputs where the input is an image or audio, then noise.
std::vector<std::vector<uint8_t>> Inputs(const std::string &rel, size_t size)
{
	std::vector<std::vector<uint8_t>> v;
	std::vector<uint8_t> f;
	if (rel.find("person") != std::string::npos) {
		for (const char *bmp : {"person.bmp", "no_person.bmp"})
			if (ReadFile(ModelsDir() + "/person_detection/" + bmp, &f) &&
			    f.size() >= size)
				v.emplace_back(f.end() - size, f.end());
	} else if (rel.find("micro") != std::string::npos ||
		   rel.find("keyword") != std::string::npos) {
		for (const char *wav : {"yes_1000ms.wav", "no_1000ms.wav"})
			if (ReadFile(ModelsDir() + "/micro_speech/" + wav, &f) &&
			    f.size() >= 44 + size)
				v.emplace_back(f.begin() + 44, f.begin() + 44 + size);
	}
	std::mt19937 g(42);
	for (int i = 0; i < 4; i++) {
		std::vector<uint8_t> r(size);
		for (auto &b : r)
			b = uint8_t(g());
		if (i == 3)
			std::fill(r.begin(), r.end(), 0x80); // all -128
		v.push_back(r);
	}
	return v;
}

// Runs @blob on the fast executor at every SIMD level and on the
// reference, the same inputs in a row: outputs and arenas byte-equal.
void CheckIdenticalToReference(const std::vector<uint8_t> &blob, const std::string &rel)
{
	std::string err;
	CpuModelPtr ref = LoadWith(blob, "reference", "", &err);
	ASSERT_TRUE(ref) << err;
	EXPECT_STREQ(aiot_cpu_model_executor(ref.get()), "reference");
	const aiot_model_blob_view *v = aiot_cpu_model_view(ref.get());
	unsigned int arena = v->header.arena_binding;
	size_t in_size = v->tensors[0].size, out_size = v->tensors[v->input_count].size;
	auto inputs = Inputs(rel, in_size);

	int levels = 0;
	for (aiot_fx_simd simd : {AIOT_FX_SIMD_SCALAR, AIOT_FX_SIMD_SSE41, AIOT_FX_SIMD_AVX2,
				  AIOT_FX_SIMD_NEON}) {
		if (!aiot_fx_simd_supported(simd))
			continue;
		levels++;
		const char *name = aiot_fx_simd_name(simd);
		SCOPED_TRACE(rel + " at " + name);
		CpuModelPtr fast = LoadWith(blob, "fast", name, &err);
		ASSERT_TRUE(fast) << err;
		EXPECT_EQ(std::string(aiot_cpu_model_executor(fast.get())),
			  std::string("fast/") + name);
		aiot_cpu_model_reset(ref.get());
		auto *rin = (uint8_t *)aiot_cpu_model_tensor(ref.get(), 0);
		auto *fin = (uint8_t *)aiot_cpu_model_tensor(fast.get(), 0);
		auto *rout = (uint8_t *)aiot_cpu_model_tensor(ref.get(), v->input_count);
		auto *fout = (uint8_t *)aiot_cpu_model_tensor(fast.get(), v->input_count);
		for (size_t i = 0; i < inputs.size(); i++) {
			std::memcpy(rin, inputs[i].data(), in_size);
			std::memcpy(fin, inputs[i].data(), in_size);
			ASSERT_EQ(aiot_cpu_model_run_reference(ref.get()), 0);
			ASSERT_EQ(aiot_cpu_model_run(fast.get()), 0);
			EXPECT_EQ(std::vector<uint8_t>(fout, fout + out_size),
				  std::vector<uint8_t>(rout, rout + out_size))
				<< "output after input " << i;
			if (arena != AIOT_MODEL_NO_BINDING) {
				ASSERT_EQ(Binding(fast.get(), arena), Binding(ref.get(), arena))
					<< "arena (every intermediate tensor) after input " << i;
			}
		}
	}
	EXPECT_GE(levels, 1);
}

class FastExecModels : public ::testing::TestWithParam<const char *> {};

TEST_P(FastExecModels, IdenticalToReferenceAtEveryLevel)
{
	const std::string rel = GetParam();
	std::string err;
	std::vector<uint8_t> blob = CompileFile(rel, &err);
	if (err == "not found")
		GTEST_SKIP() << rel << " not found under " << ModelsDir();
	ASSERT_FALSE(blob.empty()) << err;
	CheckIdenticalToReference(blob, rel);
}

// A generated LSTM (ISA 1.7, which the fast executor runs on the
// reference, op by op) with its state carried from input to input, the
// hidden state's zero point shifted in place around it.
TEST(FastExecModels, GeneratedLstmIdenticalToReference)
{
	std::mt19937 rng(5);
	LstmSpec s;
	s.I = 10;
	s.H = 8;
	s.B = 2;
	s.T = 5;
	s.h_zp = -6;
	s.out_zp = -6;
	s.cell_clip = 3.0f;
	s.Fill(rng);
	std::string err;
	std::vector<uint8_t> blob = CompileBytes(LstmModel(s), &err);
	ASSERT_FALSE(blob.empty()) << err;
	CheckIdenticalToReference(blob, "generated lstm");
}

INSTANTIATE_TEST_SUITE_P(Shared, FastExecModels,
			 ::testing::Values("person_detection/person_detect.tflite",
					   "hello_world/hello_world_int8.tflite",
					   "micro_speech/micro_speech_quantized.tflite",
					   "keyword_benchmark/keyword_scrambled_8bit.tflite"));

TEST(FastExecModels, BadExecutorChoiceIsAClearError)
{
	std::string err;
	std::vector<uint8_t> blob = CompileFile("hello_world/hello_world_int8.tflite", &err);
	if (err == "not found")
		GTEST_SKIP();
	ASSERT_FALSE(blob.empty()) << err;
	EXPECT_FALSE(LoadWith(blob, "turbo", "", &err));
	EXPECT_NE(err.find("AIOT_CPU_EXECUTOR=turbo"), std::string::npos) << err;
	EXPECT_FALSE(LoadWith(blob, "fast", "avx9", &err));
	EXPECT_NE(err.find("AIOT_FASTEXEC_SIMD=avx9"), std::string::npos) << err;
}

} // namespace
