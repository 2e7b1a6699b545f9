// SPDX-License-Identifier: GPL-2.0-only
// The real models end to end, the way aiot-compile and aiot-run use them:
// TFLite file -> lower -> blob (tools/compile/blob.c) -> lib/model.c's
// parser -> CPU executor (tools/compile/cpu_model.c + kernel/isa).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <linux/videodev2.h>

#include "compile_blob_util.h"
#include "compile_test_util.h"
#include "isa_resize_ref.h"

extern "C" {
#include "aiot_isa.h"
#include "blob.h"
#include "cpu_model.h"
#include "lower.h"
}

using namespace compile_test;

namespace {

struct CpuModelDeleter {
	void operator()(aiot_cpu_model *m) const { aiot_cpu_model_free(m); }
};
using CpuModelPtr = std::unique_ptr<aiot_cpu_model, CpuModelDeleter>;

// Compile a model file to blob bytes; empty on failure (message in *err).
std::vector<uint8_t> CompileFile(const std::string &rel, std::string *err,
				 const char *frame_spec = nullptr,
				 const char *window_spec = nullptr)
{
	std::vector<uint8_t> bytes;
	if (!ReadFile(ModelsDir() + "/" + rel, &bytes)) {
		*err = "not found";
		return {};
	}
	ModelPtr m = Load(bytes, err);
	if (!m)
		return {};
	aiot_lowered_model *l = nullptr;
	char msg[4096];
	aiot_lower_frame frame;
	if (frame_spec && aiot_lower_parse_frame(frame_spec, &frame, msg, sizeof(msg))) {
		*err = msg;
		return {};
	}
	aiot_lower_window window;
	if (window_spec && aiot_lower_parse_window(window_spec, &window, msg, sizeof(msg))) {
		*err = msg;
		return {};
	}
	if (aiot_lower_model_opts(m.get(), frame_spec ? &frame : nullptr,
				  window_spec ? &window : nullptr, &l, msg, sizeof(msg))) {
		*err = msg;
		return {};
	}
	aiot_blob_names names = { "test", frame_spec ? "frame" : m->tensors[m->inputs[0]].name,
				  m->tensors[m->outputs[0]].name };
	return WriteBlob(l, names, err);
}

CpuModelPtr LoadBlob(const std::vector<uint8_t> &blob, std::string *err = nullptr,
		     int *rc_out = nullptr)
{
	aiot_cpu_model *m = nullptr;
	char msg[512];
	int rc = aiot_cpu_model_load(blob.data(), blob.size(), &m, msg, sizeof(msg));
	if (rc_out)
		*rc_out = rc;
	if (err)
		*err = rc ? msg : "";
	return CpuModelPtr(m);
}

#define COMPILE_OR_SKIP(var, rel)                                                \
	std::string var##_err;                                                   \
	std::vector<uint8_t> var = CompileFile(rel, &var##_err);                 \
	if (var##_err == "not found")                                            \
		GTEST_SKIP() << rel << " not found under " << ModelsDir();       \
	ASSERT_FALSE(var.empty()) << var##_err

float ScaleOf(const aiot_model_tensor &t)
{
	float f;
	std::memcpy(&f, &t.scale_bits, 4);
	return f;
}

// Same convention as upstream's test and aiot-run: BMP pixel bytes
// unchanged, top row first (rows are stored bottom-up for height > 0).
bool ReadGrayBmp(const std::string &path, std::vector<uint8_t> *pixels)
{
	std::vector<uint8_t> f;
	if (!ReadFile(path, &f) || f.size() < 54 || f[0] != 'B' || f[1] != 'M')
		return false;
	uint32_t data_at;
	int32_t w, h;
	std::memcpy(&data_at, &f[10], 4);
	std::memcpy(&w, &f[18], 4);
	std::memcpy(&h, &f[22], 4);
	if (w != 96 || (h != 96 && h != -96) || f[28] != 8 || data_at + 96 * 96 > f.size())
		return false;
	pixels->resize(96 * 96);
	for (int row = 0; row < 96; row++)
		std::memcpy(&(*pixels)[row * 96], &f[data_at + (h > 0 ? 95 - row : row) * 96], 96);
	return true;
}

TEST(Models, BlobRoundTripsThroughLibParser)
{
	COMPILE_OR_SKIP(blob, "person_detection/person_detect.tflite");
	aiot_model_blob_view view;
	char err[512];
	ASSERT_EQ(aiot_model_blob_parse(blob.data(), blob.size(), &view, err, sizeof(err)), 0)
		<< err;
	EXPECT_STREQ(view.name, "test");
	EXPECT_EQ(view.input_count, 1u);
	EXPECT_EQ(view.output_count, 1u);
	EXPECT_EQ(view.header.weights_binding, AIOT_ISA_BINDING_WEIGHTS);
	EXPECT_EQ(view.header.arena_binding, AIOT_ISA_BINDING_ARENA);
	EXPECT_EQ(view.header.isa_version, (uint32_t)AIOT_ISA_VERSION(1, 0));
	EXPECT_EQ(view.tensors[0].binding, AIOT_ISA_BINDING_INPUT);
	EXPECT_EQ(view.tensors[0].size, 96u * 96u);
	EXPECT_EQ(view.tensors[1].binding, AIOT_ISA_BINDING_OUTPUT);
	EXPECT_EQ(view.tensors[1].dims[3], 2u);
	EXPECT_FLOAT_EQ(ScaleOf(view.tensors[1]), 1.0f / 256);
	EXPECT_EQ(view.tensors[1].zero_point, -128);
	// The blob's CRC-32 (the library's, which blob.c writes with) is zlib's.
	EXPECT_EQ(aiot_crc32(0, "123456789", 9), 0xcbf43926u);
	// The library's own writer gives a blob that parses to the same content.
	aiot_model_blob_parts parts{};
	parts.name = view.name;
	parts.isa_version = view.header.isa_version;
	parts.command_stream = view.command_stream;
	parts.command_stream_size = view.command_stream_size;
	parts.weights = view.weights;
	parts.weights_size = view.weights_size;
	parts.weights_binding = view.header.weights_binding;
	parts.arena_size = view.header.arena_size;
	parts.arena_binding = view.header.arena_binding;
	parts.tensors = view.tensors;
	parts.tensor_count = 2;
	void *lib_blob = nullptr;
	size_t lib_size = 0;
	ASSERT_EQ(aiot_model_blob_build(&parts, &lib_blob, &lib_size, err, sizeof(err)), 0) << err;
	std::vector<uint8_t> theirs((uint8_t *)lib_blob, (uint8_t *)lib_blob + lib_size);
	free(lib_blob);
	EXPECT_EQ(theirs, blob) << "blob.c and lib/model.c lay the format out differently";
}

TEST(Models, HelloWorldApproximatesSine)
{
	COMPILE_OR_SKIP(blob, "hello_world/hello_world_int8.tflite");
	std::string err;
	CpuModelPtr m = LoadBlob(blob, &err);
	ASSERT_TRUE(m) << err;
	const aiot_model_blob_view *v = aiot_cpu_model_view(m.get());
	const aiot_model_tensor &in = v->tensors[0], &out = v->tensors[1];
	auto *x_q = (int8_t *)aiot_cpu_model_tensor(m.get(), 0);
	auto *y_q = (int8_t *)aiot_cpu_model_tensor(m.get(), 1);
	for (double x : {0.77, 1.57, 2.3, 3.14}) {
		long q = std::lround(x / ScaleOf(in)) + in.zero_point;
		*x_q = (int8_t)std::max(-128L, std::min(127L, q));
		ASSERT_EQ(aiot_cpu_model_run(m.get()), 0);
		double y = (*y_q - out.zero_point) * (double)ScaleOf(out);
		EXPECT_NEAR(y, std::sin(x), 0.05) << "x = " << x;
	}
}

TEST(Models, PersonDetectRightClassWins)
{
	COMPILE_OR_SKIP(blob, "person_detection/person_detect.tflite");
	std::string err;
	CpuModelPtr m = LoadBlob(blob, &err);
	ASSERT_TRUE(m) << err;
	auto *in = (uint8_t *)aiot_cpu_model_tensor(m.get(), 0);
	auto *out = (int8_t *)aiot_cpu_model_tensor(m.get(), 1);
	for (std::string name : {"person", "no_person"}) {
		std::vector<uint8_t> img;
		ASSERT_TRUE(ReadGrayBmp(ModelsDir() + "/person_detection/" + name + ".bmp", &img));
		std::memcpy(in, img.data(), img.size());
		ASSERT_EQ(aiot_cpu_model_run(m.get()), 0);
		// out[0] no person, out[1] person; measured 113/-113 and -57/57
		if (name == "person") {
			EXPECT_EQ(out[1], 113);
			EXPECT_EQ(out[0], -113);
		} else {
			EXPECT_EQ(out[0], 57);
			EXPECT_EQ(out[1], -57);
		}
	}
}

// A camera frame of W x H in `format` showing a 96x96 picture (nearest
// upscaled; `pixels` are 0..255 values), chroma varying so that it is read.
std::vector<uint8_t> MakeFrame(const std::string &format, const std::vector<uint8_t> &pixels,
			       int W, int H)
{
	auto p = [&](int x, int y) { return pixels[(y * 96 / H) * 96 + x * 96 / W]; };
	auto luma = [&](int x, int y) { return uint8_t(16 + p(x, y) * 219 / 255); };
	auto chroma = [](int x, int y) { return uint8_t(96 + (x * 7 + y * 3) % 64); };
	std::vector<uint8_t> f;
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			uint8_t v = p(x, y);
			if (format == "grey")
				f.push_back(v);
			else if (format == "rgb24" || format == "bgr24")
				f.insert(f.end(), {v, uint8_t(v ^ (x & 1)), v});
			else if (format == "yuyv")
				f.insert(f.end(), {luma(x, y), chroma(x, y)});
			else if (format == "uyvy")
				f.insert(f.end(), {chroma(x, y), luma(x, y)});
			else if (format == "nv12")
				f.push_back(luma(x, y));
		}
	if (format == "nv12")
		for (int y = 0; y < H / 2; y++)
			for (int x = 0; x < W; x++)
				f.push_back(chroma(x, y));
	return f;
}

// The luma FRAME_TO_TENSOR takes from the frame, per docs/isa.md, written
// here from the formulas: BT.601 limited-range Y expanded, GREY as it is,
// RGB by 77 R + 150 G + 29 B.
std::vector<int32_t> FrameLuma(const std::string &format, const std::vector<uint8_t> &f, int W,
			       int H)
{
	std::vector<int32_t> v(size_t(W) * H);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			size_t i = size_t(y) * W + x;
			int Y;
			if (format == "grey") {
				v[i] = f[i];
				continue;
			}
			if (format == "rgb24" || format == "bgr24") {
				int r = f[3 * i], g = f[3 * i + 1], b = f[3 * i + 2];
				if (format == "bgr24")
					std::swap(r, b);
				v[i] = (77 * r + 150 * g + 29 * b + 128) >> 8;
				continue;
			}
			Y = format == "yuyv" ? f[2 * i] : format == "uyvy" ? f[2 * i + 1] : f[i];
			v[i] = std::min(255, std::max(0, (298 * (Y - 16) + 128) >> 8));
		}
	return v;
}

TEST(Models, PersonDetectOnCameraFramesIsTheModelOnTheReferencePreprocessing)
{
	COMPILE_OR_SKIP(plain, "person_detection/person_detect.tflite");
	std::string err;
	CpuModelPtr ref = LoadBlob(plain, &err);
	ASSERT_TRUE(ref) << err;
	std::vector<uint8_t> img[2];
	ASSERT_TRUE(ReadGrayBmp(ModelsDir() + "/person_detection/person.bmp", &img[1]));
	ASSERT_TRUE(ReadGrayBmp(ModelsDir() + "/person_detection/no_person.bmp", &img[0]));
	for (auto &im : img)	// the files hold int8 (pixel ^ 0x80): back to pixels
		for (auto &b : im)
			b ^= 0x80;
	for (std::string format : {"yuyv", "uyvy", "nv12", "grey", "rgb24", "bgr24"})
		for (auto size : {std::pair<int, int>{640, 480}, {160, 120}}) {
			int W = size.first, H = size.second;
			std::string spec = format + ":" + std::to_string(W) + "x" + std::to_string(H);
			SCOPED_TRACE(spec);
			std::vector<uint8_t> blob = CompileFile(
				"person_detection/person_detect.tflite", &err, spec.c_str());
			ASSERT_FALSE(blob.empty()) << err;
			CpuModelPtr m = LoadBlob(blob, &err);
			ASSERT_TRUE(m) << err;
			const aiot_model_blob_view *v = aiot_cpu_model_view(m.get());
			EXPECT_EQ(v->header.version_minor, AIOT_MODEL_VERSION_MINOR_PIXEL_FORMAT);
			EXPECT_EQ(v->header.isa_version, (uint32_t)AIOT_ISA_VERSION(1, 4));
			EXPECT_NE(v->tensors[0].pixel_format, 0u);
			EXPECT_EQ(v->tensors[0].dims[1], uint32_t(H));
			EXPECT_EQ(v->tensors[0].dims[2], uint32_t(W));
			for (int cls = 0; cls < 2; cls++) {
				std::vector<uint8_t> frame = MakeFrame(format, img[cls], W, H);
				ASSERT_EQ(frame.size(), v->tensors[0].size);
				std::memcpy(aiot_cpu_model_tensor(m.get(), 0), frame.data(),
					    frame.size());
				ASSERT_EQ(aiot_cpu_model_run(m.get()), 0);
				auto *got = (int8_t *)aiot_cpu_model_tensor(m.get(), 1);
				// The reference: the formulas, TFLite's resize, q = v - 128, then
				// the model as compiled without --input.
				auto luma = FrameLuma(format, frame, W, H);
				auto small = isa_resize_ref::Resize(luma, 1, H, W, 1, 0, 0, H, W, 96,
								    96, true, false, true);
				auto *in = (int8_t *)aiot_cpu_model_tensor(ref.get(), 0);
				for (size_t i = 0; i < small.size(); i++)
					in[i] = int8_t(small[i] - 128);
				ASSERT_EQ(aiot_cpu_model_run(ref.get()), 0);
				auto *want = (int8_t *)aiot_cpu_model_tensor(ref.get(), 1);
				EXPECT_EQ(got[0], want[0]) << "class " << cls;
				EXPECT_EQ(got[1], want[1]) << "class " << cls;
				// and at 640x480 the picture is still what it shows (at 160x120
				// the no_person picture, stretched, comes out person by 9..16)
				if (W == 640) {
					EXPECT_GT(got[cls], got[1 - cls]) << "class " << cls;
				}
			}
		}
}

TEST(Models, FrameInputRefusesModelsItCannotFeed)
{
	std::string err;
	// the audio front end's input is int16 samples: no picture
	std::vector<uint8_t> blob = CompileFile("micro_speech/audio_preprocessor_int8.tflite",
						&err, "yuyv:640x480");
	if (err == "not found")
		GTEST_SKIP();
	EXPECT_TRUE(blob.empty());
	EXPECT_NE(err.find("--input YUYV:640x480: the model's input is not int8"),
		  std::string::npos) << err;
	blob = CompileFile("person_detection/person_detect.tflite", &err, "yuyv:641x480");
	EXPECT_TRUE(blob.empty());
	EXPECT_NE(err.find("even width"), std::string::npos) << err;
	blob = CompileFile("person_detection/person_detect.tflite", &err, "mjpg:640x480");
	EXPECT_TRUE(blob.empty());
	EXPECT_NE(err.find("unknown pixel format"), std::string::npos) << err;
	blob = CompileFile("person_detection/person_detect.tflite", &err, "nv12:640x");
	EXPECT_TRUE(blob.empty());
	EXPECT_NE(err.find("WIDTHxHEIGHT"), std::string::npos) << err;
}

// Feeds the first 96 samples of the .wav files as the int16 input.
std::vector<int16_t> WavSamples(const std::string &name, size_t n)
{
	std::vector<uint8_t> f;
	std::vector<int16_t> s(n, 0);
	if (ReadFile(ModelsDir() + "/micro_speech/" + name, &f) && f.size() >= 44 + 2 * n)
		std::memcpy(s.data(), &f[44], 2 * n);
	return s;
}

TEST(Models, KeywordScrambledCompilesAndRunsDeterministically)
{
	COMPILE_OR_SKIP(blob, "keyword_benchmark/keyword_scrambled_8bit.tflite");
	std::string err;
	aiot_model_blob_view view;
	char msg[512];
	ASSERT_EQ(aiot_model_blob_parse(blob.data(), blob.size(), &view, msg, sizeof(msg)), 0);
	EXPECT_EQ(view.header.isa_version, (uint32_t)AIOT_ISA_VERSION(1, 1)); // SVDF
	EXPECT_EQ(view.tensors[0].dtype, AIOT_ISA_DTYPE_INT16);
	EXPECT_EQ(view.tensors[1].dtype, AIOT_ISA_DTYPE_INT32);
	EXPECT_EQ(view.tensors[1].dims[3], 2u);

	// Two model instances fed the same stream agree at every step; the
	// SVDF state makes step 2 differ from step 1 for the same input.
	std::vector<std::vector<int32_t>> outs[2];
	for (int inst = 0; inst < 2; inst++) {
		CpuModelPtr m = LoadBlob(blob, &err);
		ASSERT_TRUE(m) << err;
		auto *in = (int16_t *)aiot_cpu_model_tensor(m.get(), 0);
		auto *out = (int32_t *)aiot_cpu_model_tensor(m.get(), 1);
		for (const char *wav : {"yes_1000ms.wav", "no_1000ms.wav", "silence_1000ms.wav",
					"yes_1000ms.wav"}) {
			auto s = WavSamples(wav, 96);
			std::memcpy(in, s.data(), 96 * 2);
			ASSERT_EQ(aiot_cpu_model_run(m.get()), 0);
			outs[inst].push_back({out[0], out[1]});
			// int32 output of a softmax: probabilities in 1/32768 steps
			EXPECT_NEAR(out[0] + out[1], 32768, 2);
			EXPECT_GE(out[0], 0);
			EXPECT_GE(out[1], 0);
		}
		// After a reset the first result comes back.
		aiot_cpu_model_reset(m.get());
		auto s = WavSamples("yes_1000ms.wav", 96);
		std::memcpy(in, s.data(), 96 * 2);
		ASSERT_EQ(aiot_cpu_model_run(m.get()), 0);
		EXPECT_EQ(std::vector<int32_t>({out[0], out[1]}), outs[inst][0]);
	}
	EXPECT_EQ(outs[0], outs[1]);
}

TEST(Models, MicroSpeechCompilesAndRuns)
{
	COMPILE_OR_SKIP(blob, "micro_speech/micro_speech_quantized.tflite");
	std::string err;
	CpuModelPtr m = LoadBlob(blob, &err);
	ASSERT_TRUE(m) << err;
	ASSERT_EQ(aiot_cpu_model_run(m.get()), 0);
	auto *out = (int8_t *)aiot_cpu_model_tensor(m.get(), 1);
	int sum = 0;
	for (int i = 0; i < 4; i++)
		sum += out[i] + 128;
	EXPECT_NEAR(sum, 256, 4);
}

// The audio front end used to be this test's example of unsupported
// operators; since ISA 1.4 it compiles (AudioFrontEnd.* below run it), and
// compile_ops_test.cc keeps the one-line-per-operator report covered.
TEST(Models, AudioPreprocessorCompilesToIsa14)
{
	std::string err;
	std::vector<uint8_t> blob = CompileFile("micro_speech/audio_preprocessor_int8.tflite", &err);
	if (err == "not found")
		GTEST_SKIP();
	EXPECT_FALSE(blob.empty()) << err;
}

TEST(Models, TruncatedAndBitFlippedBlobsRejected)
{
	COMPILE_OR_SKIP(blob, "hello_world/hello_world_int8.tflite");
	int rc;
	std::string err;
	for (size_t len = 0; len < blob.size(); len += (len < 128 ? 1 : 97)) {
		std::vector<uint8_t> cut(blob.begin(), blob.begin() + len);
		EXPECT_FALSE(LoadBlob(cut, &err, &rc)) << len;
		EXPECT_LT(rc, 0);
		EXPECT_FALSE(err.empty());
	}
	// Every single-bit flip is caught (CRC-32 detects all of them).
	for (size_t i = 0; i < blob.size(); i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			std::vector<uint8_t> bad = blob;
			bad[i] ^= uint8_t(1u << bit);
			ASSERT_FALSE(LoadBlob(bad, &err, &rc)) << "byte " << i << " bit " << bit;
			ASSERT_LT(rc, 0);
		}
	}
	// A blob whose checksums are recomputed after tampering with the stream
	// still meets the ISA validator.
	aiot_model_blob_view view;
	char msg[512];
	ASSERT_EQ(aiot_model_blob_parse(blob.data(), blob.size(), &view, msg, sizeof(msg)), 0);
	std::vector<uint8_t> evil = blob;
	size_t stream_at = (const uint8_t *)view.command_stream - blob.data();
	aiot_isa_tensor t;
	size_t first_input = stream_at + sizeof(aiot_isa_header) + sizeof(aiot_isa_op_header);
	std::memcpy(&t, &evil[first_input], sizeof(t));
	t.offset = 1u << 20; // far outside the input binding
	std::memcpy(&evil[first_input], &t, sizeof(t));
	uint32_t crc = aiot_crc32(0, evil.data() + 64, evil.size() - 64);
	std::memcpy(&evil[36], &crc, 4);
	std::memset(&evil[32], 0, 4);
	crc = aiot_crc32(0, evil.data(), 64);
	std::memcpy(&evil[32], &crc, 4);
	EXPECT_FALSE(LoadBlob(evil, &err, &rc));
	EXPECT_EQ(rc, -ENOSPC) << err;
	EXPECT_NE(err.find("operation 0"), std::string::npos) << err;
}

TEST(Models, HostileModelsRejectedCleanly)
{
	std::vector<uint8_t> bytes;
	if (!ReadFile(ModelsDir() + "/hello_world/hello_world_int8.tflite", &bytes))
		GTEST_SKIP();
	// Truncations and bit flips of the TFLite file: either rejected with a
	// message or, if still well formed, lowered to a stream the validator
	// accepts. Never a crash (ASan/UBSan watch).
	std::mt19937 rng(3);
	for (int iter = 0; iter < 400; iter++) {
		std::vector<uint8_t> bad = bytes;
		if (iter % 2)
			bad.resize(std::uniform_int_distribution<size_t>(0, bytes.size() - 1)(rng));
		else
			for (int k = 0; k < 4; k++)
				bad[std::uniform_int_distribution<size_t>(0, bad.size() - 1)(rng)] ^=
					uint8_t(1u << (rng() % 8));
		std::string err;
		ModelPtr m = Load(bad, &err);
		if (!m) {
			EXPECT_FALSE(err.empty());
			continue;
		}
		aiot_lowered_model *l = nullptr;
		char msg[640];
		if (aiot_lower_model(m.get(), &l, msg, sizeof(msg))) {
			EXPECT_NE(msg[0], '\0');
			continue;
		}
		aiot_blob_names names = { "fuzz", "in", "out" };
		void *blob = nullptr;
		size_t size = 0;
		if (aiot_blob_write(l, &names, &blob, &size, msg, sizeof(msg)) == 0) {
			std::vector<uint8_t> b((uint8_t *)blob, (uint8_t *)blob + size);
			CpuModelPtr cm = LoadBlob(b, &err);
			if (cm) {
				EXPECT_EQ(aiot_cpu_model_run(cm.get()), 0);
			}
			free(blob);
		}
		aiot_lowered_model_free(l);
	}
}

} // namespace

// ---- ISA 1.4: the audio front end (audio_preprocessor_int8.tflite) ----------

namespace {

// The 16-bit PCM samples of a RIFF/WAVE file's "data" chunk.
bool ReadWavSamples(const std::string &path, std::vector<int16_t> *samples)
{
	std::vector<uint8_t> f;
	if (!ReadFile(path, &f) || f.size() < 12 || std::memcmp(f.data(), "RIFF", 4) ||
	    std::memcmp(&f[8], "WAVE", 4))
		return false;
	for (size_t at = 12; at + 8 <= f.size();) {
		uint32_t len;
		std::memcpy(&len, &f[at + 4], 4);
		if (!std::memcmp(&f[at], "data", 4)) {
			if (len > f.size() - at - 8)
				return false;
			samples->resize(len / 2);
			std::memcpy(samples->data(), &f[at + 8], samples->size() * 2);
			return true;
		}
		at += 8 + len + (len & 1);
	}
	return false;
}

// expected_features.txt: "NAME.wav: v0 v1 ... v39" lines.
std::vector<int> ExpectedFeatures(const std::string &wav)
{
	std::vector<uint8_t> f;
	std::vector<int> v;
	if (!ReadFile(ModelsDir() + "/micro_speech/expected_features.txt", &f))
		return v;
	std::string text(f.begin(), f.end()), key = wav + ":";
	size_t at = text.find("\n" + key);
	if (at == std::string::npos)
		return v;
	const char *p = text.c_str() + at + 1 + key.size();
	char *end;
	for (long x = std::strtol(p, &end, 10); end != p; x = std::strtol(p, &end, 10)) {
		v.push_back((int)x);
		p = end;
	}
	return v;
}

constexpr int kFrameSamples = 480, kFrameStride = 320, kFrames = 49, kFeatures = 40;

// The front end over the first kFrames windows of a 1 s file, from reset.
bool FrontEndFeatures(aiot_cpu_model *fe, const std::vector<int16_t> &pcm,
		      std::vector<int8_t> *features)
{
	aiot_cpu_model_reset(fe);
	features->assign(kFrames * kFeatures, 0);
	for (int i = 0; i < kFrames; i++) {
		if ((size_t)(i * kFrameStride + kFrameSamples) > pcm.size())
			return false;
		std::memcpy(aiot_cpu_model_tensor(fe, 0), &pcm[i * kFrameStride],
			    kFrameSamples * 2);
		if (aiot_cpu_model_run(fe))
			return false;
		std::memcpy(&(*features)[i * kFeatures], aiot_cpu_model_tensor(fe, 1), kFeatures);
	}
	return true;
}

} // namespace

TEST(AudioFrontEnd, FirstFrameEqualsUpstream)
{
	COMPILE_OR_SKIP(blob, "micro_speech/audio_preprocessor_int8.tflite");
	std::string err;
	CpuModelPtr fe = LoadBlob(blob, &err);
	ASSERT_TRUE(fe) << err;
	for (const char *wav : { "yes_30ms.wav", "no_30ms.wav" }) {
		std::vector<int16_t> pcm;
		ASSERT_TRUE(ReadWavSamples(ModelsDir() + "/micro_speech/" + wav, &pcm)) << wav;
		ASSERT_GE(pcm.size(), (size_t)kFrameSamples);
		std::vector<int> want = ExpectedFeatures(wav);
		ASSERT_EQ(want.size(), (size_t)kFeatures) << wav;
		aiot_cpu_model_reset(fe.get());
		std::memcpy(aiot_cpu_model_tensor(fe.get(), 0), pcm.data(), kFrameSamples * 2);
		ASSERT_EQ(aiot_cpu_model_run(fe.get()), 0);
		auto *got = (const int8_t *)aiot_cpu_model_tensor(fe.get(), 1);
		for (int i = 0; i < kFeatures; i++)
			EXPECT_EQ(got[i], want[i]) << wav << " feature " << i;
	}
}

TEST(AudioFrontEnd, OneSecondFilesClassifiedByMicroSpeech)
{
	COMPILE_OR_SKIP(fe_blob, "micro_speech/audio_preprocessor_int8.tflite");
	COMPILE_OR_SKIP(kws_blob, "micro_speech/micro_speech_quantized.tflite");
	CpuModelPtr fe = LoadBlob(fe_blob), kws = LoadBlob(kws_blob);
	ASSERT_TRUE(fe && kws);
	static const char *const labels[] = { "silence", "unknown", "yes", "no" };
	static const struct { const char *wav, *label; } cases[] = {
		{ "yes_1000ms.wav", "yes" }, { "no_1000ms.wav", "no" },
		{ "silence_1000ms.wav", "silence" }, { "noise_1000ms.wav", "silence" },
	};
	for (const auto &c : cases) {
		std::vector<int16_t> pcm;
		std::vector<int8_t> features;
		ASSERT_TRUE(ReadWavSamples(ModelsDir() + "/micro_speech/" + c.wav, &pcm)) << c.wav;
		ASSERT_TRUE(FrontEndFeatures(fe.get(), pcm, &features)) << c.wav;
		std::memcpy(aiot_cpu_model_tensor(kws.get(), 0), features.data(), features.size());
		ASSERT_EQ(aiot_cpu_model_run(kws.get()), 0);
		auto *scores = (const int8_t *)aiot_cpu_model_tensor(kws.get(), 1);
		int best = 0;
		for (int i = 1; i < 4; i++)
			if (scores[i] > scores[best])
				best = i;
		EXPECT_STREQ(labels[best], c.label)
			<< c.wav << ": scores " << (int)scores[0] << " " << (int)scores[1] << " "
			<< (int)scores[2] << " " << (int)scores[3];
	}
}

// aiot-compile --rolling-window 49 (docs/pipeline.md): the front end as a
// per-slot stage of 320 samples keeping micro_speech's 49x40 input itself.
// Over the slots of the four 1 s recordings played one after the other,
// after every slot the window must be, bit for bit, the last 49 rows the
// plain front end gives, from reset, frame by frame (480 samples every
// 320) over the same samples preceded by 160 zeros (the stage's tail
// starts zeroed); rows before the first are zero. Every 49th slot the
// keyword model on the window gives exactly the bytes it gives on the
// plain features, and the word of the recording that filled the window.
namespace {

constexpr int kHop = 320, kTail = kFrameSamples - kHop;

struct RollingFixture {
	CpuModelPtr fe, win, kws, kws_ref;
	std::vector<int16_t> stream;		// what the stage is fed
	std::vector<int8_t> rows;		// the plain front end's, per slot
	size_t slots = 0;
};

// yes, no, silence, noise, one after the other.
const char *const kWavs[] = { "yes_1000ms.wav", "no_1000ms.wav", "silence_1000ms.wav",
			      "noise_1000ms.wav" };
const char *const kWords[] = { "yes", "no", "silence", "silence" };
const char *const kLabels[] = { "silence", "unknown", "yes", "no" };

// The detection rule of docs/pipeline.md: the top class if its score is
// at least 72 (softmax int8, scale 1/256, zero point -128: a probability of
// 200/256, TFLM's micro_speech threshold), else silence. Scores from
// quiet input are near-uniform (silence_1000ms: -56 -73 -49 -78, "yes"
// on top by a hair).
constexpr int kDetectThreshold = 72;

int BestOf(const int8_t *scores)
{
	int best = 0;
	for (int i = 1; i < 4; i++)
		if (scores[i] > scores[best])
			best = i;
	return scores[best] >= kDetectThreshold ? best : 0;
}

} // namespace

TEST(RollingWindow, ParsesRowsAndHop)
{
	aiot_lower_window w;
	char err[256];
	ASSERT_EQ(aiot_lower_parse_window("49", &w, err, sizeof(err)), 0);
	EXPECT_EQ(w.rows, 49u);
	EXPECT_EQ(w.hop, 0u);
	ASSERT_EQ(aiot_lower_parse_window("49:320", &w, err, sizeof(err)), 0);
	EXPECT_EQ(w.rows, 49u);
	EXPECT_EQ(w.hop, 320u);
	for (const char *bad : { "", "0", "49:", "49:0", ":320", "x", "49:320x", "-1", "65536",
				 "49:320:1", " 49" })
		EXPECT_EQ(aiot_lower_parse_window(bad, &w, err, sizeof(err)), -EINVAL) << bad;
	EXPECT_NE(std::string(err).find("ROWS:HOP"), std::string::npos) << err;
}

TEST(RollingWindow, RefusesWhatIsNotAnAudioFrontEnd)
{
	std::string err;
	auto blob = CompileFile("hello_world/hello_world_int8.tflite", &err, nullptr, "49");
	if (err == "not found")
		GTEST_SKIP();
	EXPECT_TRUE(blob.empty());
	EXPECT_NE(err.find("int16 samples to int8 features"), std::string::npos) << err;
	blob = CompileFile("micro_speech/audio_preprocessor_int8.tflite", &err, nullptr,
			   "49:481");
	if (err == "not found")
		GTEST_SKIP();
	EXPECT_TRUE(blob.empty());
	EXPECT_NE(err.find("hop of 481 samples"), std::string::npos) << err;
	blob = CompileFile("micro_speech/audio_preprocessor_int8.tflite", &err, "grey:8x8", "49");
	EXPECT_TRUE(blob.empty());
	EXPECT_NE(err.find("do not go together"), std::string::npos) << err;
}

TEST(RollingWindow, BlobDescribesSlotAndWindow)
{
	std::string err;
	auto blob = CompileFile("micro_speech/audio_preprocessor_int8.tflite", &err, nullptr, "49");
	if (err == "not found")
		GTEST_SKIP();
	ASSERT_FALSE(blob.empty()) << err;
	CpuModelPtr m = LoadBlob(blob, &err);
	ASSERT_TRUE(m) << err;
	const aiot_model_blob_view *v = aiot_cpu_model_view(m.get());
	ASSERT_EQ(v->input_count, 1u);
	ASSERT_EQ(v->output_count, 1u);
	EXPECT_EQ(v->tensors[0].dtype, AIOT_ISA_DTYPE_INT16);
	EXPECT_EQ(v->tensors[0].size, 640u);
	EXPECT_EQ(v->tensors[0].dims[3], 320u);
	EXPECT_EQ(v->tensors[1].dtype, AIOT_ISA_DTYPE_INT8);
	EXPECT_EQ(v->tensors[1].size, 1960u);
	EXPECT_EQ(v->tensors[1].dims[2], 49u);
	EXPECT_EQ(v->tensors[1].dims[3], 40u);
}

// The stage over the slots of the recordings played one after the other,
// from reset; *words gets the word of every 49th slot's decision.
static void RollingCheck(bool reference, const std::vector<const char *> &wavs,
			 std::vector<std::string> *words)
{
	COMPILE_OR_SKIP(fe_blob, "micro_speech/audio_preprocessor_int8.tflite");
	COMPILE_OR_SKIP(kws_blob, "micro_speech/micro_speech_quantized.tflite");
	std::string err;
	auto win_blob = CompileFile("micro_speech/audio_preprocessor_int8.tflite", &err, nullptr,
				    "49");
	ASSERT_FALSE(win_blob.empty()) << err;
	CpuModelPtr fe = LoadBlob(fe_blob), win = LoadBlob(win_blob, &err), kws = LoadBlob(kws_blob),
		    kws_ref = LoadBlob(kws_blob);
	ASSERT_TRUE(fe && win && kws && kws_ref) << err;
	auto run = [reference](aiot_cpu_model *m) {
		return reference ? aiot_cpu_model_run_reference(m) : aiot_cpu_model_run(m);
	};

	std::vector<int16_t> stream(kTail, 0);
	for (const char *wav : wavs) {
		std::vector<int16_t> pcm;
		ASSERT_TRUE(ReadWavSamples(ModelsDir() + "/micro_speech/" + wav, &pcm)) << wav;
		ASSERT_EQ(pcm.size(), 16000u) << wav;
		stream.insert(stream.end(), pcm.begin(), pcm.end());
	}
	const size_t slots = (stream.size() - kTail) / kHop;
	std::vector<int8_t> rows(slots * kFeatures);
	for (size_t j = 0; j < slots; j++) {
		std::memcpy(aiot_cpu_model_tensor(fe.get(), 0), &stream[j * kHop], kFrameSamples * 2);
		ASSERT_EQ(run(fe.get()), 0);
		std::memcpy(&rows[j * kFeatures], aiot_cpu_model_tensor(fe.get(), 1), kFeatures);
	}

	auto *slot = (int16_t *)aiot_cpu_model_tensor(win.get(), 0);
	auto *window = (const int8_t *)aiot_cpu_model_tensor(win.get(), 1);
	for (size_t j = 0; j < slots; j++) {
		std::memcpy(slot, &stream[kTail + j * kHop], kHop * 2);
		ASSERT_EQ(run(win.get()), 0) << "slot " << j;
		std::vector<int8_t> want(kFrames * kFeatures, 0);
		for (int r = 0; r < kFrames; r++) {
			long src = (long)j - (kFrames - 1) + r;
			if (src >= 0)
				std::memcpy(&want[r * kFeatures], &rows[src * kFeatures], kFeatures);
		}
		ASSERT_EQ(std::memcmp(window, want.data(), want.size()), 0) << "slot " << j;
		if ((j + 1) % kFrames)
			continue;
		// model every 49 slots: the window's bytes and the plain rows' agree
		std::memcpy(aiot_cpu_model_tensor(kws.get(), 0), window, kFrames * kFeatures);
		std::memcpy(aiot_cpu_model_tensor(kws_ref.get(), 0), want.data(), want.size());
		ASSERT_EQ(run(kws.get()), 0);
		ASSERT_EQ(run(kws_ref.get()), 0);
		auto *got = (const int8_t *)aiot_cpu_model_tensor(kws.get(), 1);
		ASSERT_EQ(std::memcmp(got, aiot_cpu_model_tensor(kws_ref.get(), 1), 4), 0);
		words->push_back(kLabels[BestOf(got)]);
	}
}

// All four in one stream: 200 slots, four decisions, the front end's noise
// estimate carried over as in a pipeline (noise right after silence scores
// "yes" 36: under the threshold).
TEST(RollingWindow, SlotBySlotEqualsFrameByFrame)
{
	std::vector<std::string> words;
	RollingCheck(false, { kWavs[0], kWavs[1], kWavs[2], kWavs[3] }, &words);
	if (HasFatalFailure() || IsSkipped())
		return;
	ASSERT_EQ(words.size(), 4u);
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(words[i], kWords[i]) << "decision " << i;
}

TEST(RollingWindow, SlotBySlotEqualsFrameByFrameReferenceExecutor)
{
	std::vector<std::string> words;
	RollingCheck(true, { kWavs[0], kWavs[1] }, &words);
	if (HasFatalFailure() || IsSkipped())
		return;
	ASSERT_EQ(words.size(), 2u);
}

// Each recording on its own, from reset (a new pipeline): its word.
TEST(RollingWindow, EachRecordingFromResetGivesItsWord)
{
	for (int i = 0; i < 4; i++) {
		std::vector<std::string> words;
		RollingCheck(false, { kWavs[i] }, &words);
		if (HasFatalFailure() || IsSkipped())
			return;
		ASSERT_EQ(words.size(), 1u);
		EXPECT_EQ(words[0], kWords[i]) << kWavs[i];
	}
}

// aiot-compile --input nv12m:WxH (ISA 1.6): person_detect takes a
// multi-planar camera's NV12M frame as two inputs, the luma plane (slot 1)
// and the chroma plane (slot 4). On the same pixels it decides exactly
// what the --input nv12 blob decides with both planes in one buffer; and
// the blob reader's rules for NM12 inputs (lib/model.c).
namespace {

struct Nv12mCpuModel {
	aiot_cpu_model *m = nullptr;
	~Nv12mCpuModel() { aiot_cpu_model_free(m); }
};

TEST(CompileNv12m, TwoPlanesDecideAsOneBufferNv12)
{
	std::string err;
	auto nv12m = CompileFile("person_detection/person_detect.tflite", &err, "nv12m:640x480");
	if (err == "not found")
		GTEST_SKIP() << "person_detect.tflite not found under " << ModelsDir();
	ASSERT_FALSE(nv12m.empty()) << err;
	auto nv12 = CompileFile("person_detection/person_detect.tflite", &err, "nv12:640x480");
	ASSERT_FALSE(nv12.empty()) << err;
	Nv12mCpuModel a, b;
	char msg[512];
	ASSERT_EQ(aiot_cpu_model_load(nv12m.data(), nv12m.size(), &a.m, msg, sizeof(msg)), 0)
		<< msg;
	ASSERT_EQ(aiot_cpu_model_load(nv12.data(), nv12.size(), &b.m, msg, sizeof(msg)), 0)
		<< msg;
	const aiot_model_blob_view *v = aiot_cpu_model_view(a.m);
	ASSERT_EQ(v->input_count, 2u);
	ASSERT_EQ(v->output_count, 1u);
	EXPECT_EQ(v->header.isa_version, uint32_t(AIOT_ISA_VERSION(1, 6)));
	EXPECT_EQ(aiot_cpu_model_view(b.m)->header.isa_version, uint32_t(AIOT_ISA_VERSION(1, 4)));
	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(v->tensors[i].pixel_format, uint32_t(V4L2_PIX_FMT_NV12M));
		EXPECT_EQ(v->tensors[i].dims[1], 480u);
		EXPECT_EQ(v->tensors[i].dims[2], 640u);
	}
	EXPECT_EQ(v->tensors[0].binding, AIOT_ISA_BINDING_INPUT);
	EXPECT_EQ(v->tensors[1].binding, AIOT_LOWER_BINDING_CHROMA);
	EXPECT_EQ(v->tensors[0].size, 640u * 480);
	EXPECT_EQ(v->tensors[1].size, 640u * 240);
	std::mt19937 rng(1616);
	for (int iter = 0; iter < 3; iter++) {
		// smooth random pictures so that both classes come up
		std::vector<uint8_t> frame(640 * 480 * 3 / 2);
		uint32_t seed = rng();
		for (size_t k = 0; k < frame.size(); k++)
			frame[k] = uint8_t((k / 640 * (seed % 7) + (k % 640) * (seed % 5) + seed) >> 2);
		std::memcpy(aiot_cpu_model_tensor(b.m, 0), frame.data(), frame.size());
		std::memcpy(aiot_cpu_model_tensor(a.m, 0), frame.data(), 640 * 480);
		std::memcpy(aiot_cpu_model_tensor(a.m, 1), frame.data() + 640 * 480, 640 * 240);
		ASSERT_EQ(aiot_cpu_model_run(a.m), 0);
		ASSERT_EQ(aiot_cpu_model_run(b.m), 0);
		auto *ga = (int8_t *)aiot_cpu_model_tensor(a.m, 2);
		auto *gb = (int8_t *)aiot_cpu_model_tensor(b.m, 1);
		EXPECT_EQ(ga[0], gb[0]) << iter;
		EXPECT_EQ(ga[1], gb[1]) << iter;
	}
}

TEST(CompileNv12m, ReaderWantsLumaThenChromaInTwoSlots)
{
	std::string err;
	auto blob = CompileFile("person_detection/person_detect.tflite", &err, "nv12m:64x48");
	if (err == "not found")
		GTEST_SKIP() << "person_detect.tflite not found under " << ModelsDir();
	ASSERT_FALSE(blob.empty()) << err;
	aiot_model_blob_view view;
	char msg[512];
	ASSERT_EQ(aiot_model_blob_parse(blob.data(), blob.size(), &view, msg, sizeof(msg)), 0)
		<< msg;
	auto rebuild = [&](auto mutate) {
		aiot_model_blob_view v = view;
		mutate(v);
		aiot_model_blob_parts parts{};
		parts.isa_version = v.header.isa_version;
		parts.command_stream = v.command_stream;
		parts.command_stream_size = v.command_stream_size;
		parts.weights = v.weights;
		parts.weights_size = v.weights_size;
		parts.weights_binding = v.header.weights_binding;
		parts.arena_size = v.header.arena_size;
		parts.arena_binding = v.header.arena_binding;
		parts.tensors = v.tensors;
		parts.tensor_count = v.input_count + v.output_count;
		void *out = nullptr;
		size_t size = 0;
		msg[0] = '\0';
		int rc = aiot_model_blob_build(&parts, &out, &size, msg, sizeof(msg));
		free(out);
		return rc;
	};
	EXPECT_EQ(rebuild([](aiot_model_blob_view &) {}), 0) << msg;
	// the planes swapped
	EXPECT_EQ(rebuild([](aiot_model_blob_view &v) { std::swap(v.tensors[0], v.tensors[1]); }),
		  -EINVAL);
	EXPECT_NE(std::string(msg).find("not the luma"), std::string::npos) << msg;
	// both planes in one slot
	EXPECT_EQ(rebuild([](aiot_model_blob_view &v) {
			  v.tensors[1].binding = 1;
			  v.tensors[1].offset = 64 * 48;
		  }), -EINVAL);
	// the chroma plane alone (the luma made a plain NV12 frame)
	EXPECT_EQ(rebuild([](aiot_model_blob_view &v) {
			  v.tensors[0].pixel_format = V4L2_PIX_FMT_NV12;
			  v.tensors[0].size = 64 * 48 * 3 / 2;
		  }), -EINVAL);
	EXPECT_NE(std::string(msg).find("NM12"), std::string::npos) << msg;
	// a chroma plane of the wrong size
	EXPECT_EQ(rebuild([](aiot_model_blob_view &v) { v.tensors[1].size = 64 * 48 / 4; }),
		  -EINVAL);
}

} // namespace
