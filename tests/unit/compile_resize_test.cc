// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR models, generated here as
// tiny .tflite files, lowered to the ISA 1.4 RESIZE and run by the
// reference executor: bit-exact with an independent implementation of
// TFLite's kernels for the four align_corners / half_pixel_centers
// combinations (bilinear refuses the fourth, as TFLite does).
#include <gtest/gtest.h>

#include <random>

#include "compile_graph_util.h"
#include "isa_resize_ref.h"

extern "C" {
#include "aiot_isa.h"
#include "lower.h"
}

using namespace compile_test;

namespace {

struct Result {
	int rc = 0;
	std::string err;
	std::vector<int8_t> out;
	uint32_t isa_version = 0, op_count = 0;
};

std::vector<uint8_t> ResizeModel(bool bilinear, bool align, bool half, std::vector<int32_t> in,
				 int32_t oh, int32_t ow, float out_scale = 0.05f)
{
	GraphBuilder g;
	const int8_t i8 = TFLITE_TYPE_INT8;
	int x = g.AddTensor("image", in, i8, 0.05f, -7);
	std::vector<uint8_t> size(8);
	std::memcpy(size.data(), &oh, 4);
	std::memcpy(size.data() + 4, &ow, 4);
	int sz = g.AddTensor("size", {2}, TFLITE_TYPE_INT32, 0.0f, 0, size);
	int out = g.AddTensor("resized", {in[0], oh, ow, in[3]}, i8, out_scale, -7);
	NodeP o = Table();
	o->scalars[bilinear ? 2 : 0] = Bytes<uint8_t>(align);
	o->scalars[bilinear ? 3 : 1] = Bytes<uint8_t>(half);
	g.AddOp(bilinear ? TFLITE_OP_RESIZE_BILINEAR : TFLITE_OP_RESIZE_NEAREST_NEIGHBOR, {x, sz},
		{out},
		bilinear ? TFLITE_OPTIONS_RESIZE_BILINEAR : TFLITE_OPTIONS_RESIZE_NEAREST_NEIGHBOR,
		o);
	return g.Serialize({x}, {out});
}

Result LowerAndRun(const std::vector<uint8_t> &tflite, const std::vector<int8_t> &in)
{
	Result r;
	std::string lerr;
	ModelPtr m = Load(tflite, &lerr);
	if (!m) {
		r.rc = -1;
		r.err = "load: " + lerr;
		return r;
	}
	aiot_lowered_model *l = nullptr;
	char msg[2048];
	r.rc = aiot_lower_model(m.get(), &l, msg, sizeof(msg));
	if (r.rc) {
		r.err = msg;
		return r;
	}
	std::vector<uint8_t> input(in.begin(), in.end()), output(l->output.bytes, 0x5a),
		arena(l->arena_size ? l->arena_size : 1, 0);
	input.resize(l->input.bytes);
	void *b[4] = {l->weights, input.data(), output.data(), arena.data()};
	u64 sz[4] = {l->weights_size, input.size(), output.size(), arena.size()};
	r.rc = aiot_isa_execute(l->stream, l->stream_size, b, sz, 4);
	r.isa_version = l->isa_version;
	r.op_count = l->op_count;
	r.out.assign(output.begin(), output.end());
	aiot_lowered_model_free(l);
	return r;
}

TEST(CompileResize, ModelsBitExactForEveryFlagCombination)
{
	std::mt19937 rng(23);
	int runs = 0;
	for (bool bilinear : {false, true})
		for (int flags = 0; flags < 4; flags++) {
			bool align = flags & 1, half = flags & 2;
			for (auto shape : {std::vector<int32_t>{1, 5, 7, 3}, {2, 9, 4, 2},
					   {1, 1, 6, 1}, {1, 48, 64, 3}})
				for (auto osz : {std::pair<int, int>{12, 13}, {3, 2}, {1, 1},
						 {96, 96}}) {
					auto tfl = ResizeModel(bilinear, align, half, shape,
							       osz.first, osz.second);
					size_t n = size_t(shape[0]) * shape[1] * shape[2] * shape[3];
					std::vector<int8_t> in(n);
					for (auto &v : in)
						v = int8_t(rng());
					Result r = LowerAndRun(tfl, in);
					if (bilinear && align && half) {
						EXPECT_NE(r.rc, 0);
						EXPECT_NE(r.err.find("align_corners and half_pixel_centers"),
							  std::string::npos) << r.err;
						continue;
					}
					ASSERT_EQ(r.rc, 0) << r.err;
					EXPECT_EQ(r.isa_version, uint32_t(AIOT_ISA_VERSION(1, 4)));
					EXPECT_EQ(r.op_count, 1u);
					std::vector<int32_t> in32(in.begin(), in.end());
					auto want = isa_resize_ref::Resize(
						in32, shape[0], shape[1], shape[2], shape[3], 0, 0,
						shape[1], shape[2], osz.first, osz.second, bilinear,
						align, half);
					ASSERT_EQ(r.out.size(), want.size());
					for (size_t i = 0; i < want.size(); i++)
						ASSERT_EQ(r.out[i], want[i])
							<< "bilinear " << bilinear << " align " << align
							<< " half " << half << " at " << i;
					runs++;
				}
		}
	EXPECT_EQ(runs, 16 * 7);
}

TEST(CompileResize, RequantizingResizeIsReported)
{
	auto tfl = ResizeModel(true, false, true, {1, 4, 4, 1}, 8, 8, 0.1f);
	Result r = LowerAndRun(tfl, std::vector<int8_t>(16, 1));
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("quantized alike"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("RESIZE_BILINEAR"), std::string::npos) << r.err;
}

} // namespace
