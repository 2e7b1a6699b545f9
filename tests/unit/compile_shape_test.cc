// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// STRIDED_SLICE (begin/end/shrink masks, negative indices and strides),
// SLICE, SPLIT and SPLIT_V models, generated here as tiny .tflite files,
// lowered (ISA 1.4 STRIDED_SLICE, or ISA 1.5 SLICE for negative strides)
// and run by the reference executor: bit-exact with an index-list
// implementation of TFLite's slicing rules written here (docs/isa.md).
#include <gtest/gtest.h>

#include <random>

#include "compile_graph_util.h"

extern "C" {
#include "aiot_isa.h"
#include "lower.h"
}

using namespace compile_test;

namespace {

struct Result {
	int rc = 0;
	std::string err;
	std::vector<uint8_t> out;
	uint32_t isa_version = 0, op_count = 0;
};

Result LowerAndRun(const std::vector<uint8_t> &tflite, const std::vector<uint8_t> &in)
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
	std::vector<uint8_t> input(in), output(l->output.bytes, 0x5a),
		arena(l->arena_size ? l->arena_size : 1, 0);
	input.resize(l->input.bytes);
	void *b[4] = {l->weights, input.data(), output.data(), arena.data()};
	u64 sz[4] = {l->weights_size, input.size(), output.size(), arena.size()};
	r.rc = aiot_isa_execute(l->stream, l->stream_size, b, sz, 4);
	r.isa_version = l->isa_version;
	r.op_count = l->op_count;
	r.out = output;
	aiot_lowered_model_free(l);
	return r;
}

// ---- the reference: each axis as the list of input indices it reads ----

struct AxisSpec {
	int32_t begin = 0, end = 0, stride = 1;
	bool begin_masked = false, end_masked = false, shrink = false;
};

int64_t Clamp(int64_t v, int64_t lo, int64_t hi)
{
	return std::min(std::max(v, lo), hi);
}

// TFLite's strided slice of one axis of size d, as the indices it visits.
std::vector<int64_t> AxisIndices(const AxisSpec &a, int64_t d)
{
	auto norm = [d](int64_t i) { return i < 0 ? i + d : i; };
	if (a.shrink)
		return {norm(a.begin)};
	int64_t s = a.stride, start, stop;
	if (s > 0) {
		start = a.begin_masked ? 0 : Clamp(norm(a.begin), 0, d);
		stop = a.end_masked ? d : Clamp(norm(a.end), 0, d);
	} else {
		start = a.begin_masked ? d - 1 : Clamp(norm(a.begin), -1, d - 1);
		stop = a.end_masked ? -1 : Clamp(norm(a.end), -1, d - 1);
	}
	std::vector<int64_t> v;
	for (int64_t i = start; s > 0 ? i < stop : i > stop; i += s)
		v.push_back(i);
	return v;
}

// Gathers the elements (es bytes each) of `in` of `shape` at the cross
// product of the per-axis index lists, row-major.
std::vector<uint8_t> Gather(const std::vector<uint8_t> &in, const std::vector<int32_t> &shape,
			    const std::vector<std::vector<int64_t>> &idx, size_t es)
{
	std::vector<uint8_t> out;
	size_t rank = shape.size();
	std::vector<size_t> pos(rank, 0);
	for (auto &v : idx)
		if (v.empty())
			return out;
	for (;;) {
		int64_t flat = 0;
		for (size_t a = 0; a < rank; a++)
			flat = flat * shape[a] + idx[a][pos[a]];
		for (size_t b = 0; b < es; b++)
			out.push_back(in[size_t(flat) * es + b]);
		size_t a = rank;
		while (a > 0 && ++pos[a - 1] == idx[a - 1].size())
			pos[--a] = 0;
		if (a == 0)
			return out;
	}
}

std::vector<uint8_t> StridedSliceModel(int8_t type, const std::vector<int32_t> &shape,
				       const std::vector<AxisSpec> &ax,
				       const std::vector<int32_t> &out_shape, int32_t ellipsis = 0)
{
	GraphBuilder g;
	std::vector<int32_t> b, e, s;
	int32_t bm = 0, em = 0, sm = 0;
	for (size_t i = 0; i < ax.size(); i++) {
		b.push_back(ax[i].begin);
		e.push_back(ax[i].end);
		s.push_back(ax[i].stride);
		bm |= ax[i].begin_masked << i;
		em |= ax[i].end_masked << i;
		sm |= ax[i].shrink << i;
	}
	int x = g.AddTensor("x", shape, type, 0.25f, type == TFLITE_TYPE_INT8 ? -3 : 0);
	int tb = g.AddConstI32("begin", b), te = g.AddConstI32("end", e),
	    ts = g.AddConstI32("strides", s);
	int y = g.AddTensor("y", out_shape, type, 0.25f, type == TFLITE_TYPE_INT8 ? -3 : 0);
	NodeP o = Table();
	o->scalars[0] = Bytes<int32_t>(bm);
	o->scalars[1] = Bytes<int32_t>(em);
	o->scalars[2] = Bytes<int32_t>(ellipsis);
	o->scalars[4] = Bytes<int32_t>(sm);
	g.AddOp(TFLITE_OP_STRIDED_SLICE, {x, tb, te, ts}, {y}, TFLITE_OPTIONS_STRIDED_SLICE, o);
	return g.Serialize({x}, {y});
}

std::vector<uint8_t> RandomBytes(std::mt19937 &rng, size_t n)
{
	std::vector<uint8_t> v(n);
	for (auto &x : v)
		x = uint8_t(rng());
	return v;
}

size_t Count(const std::vector<int32_t> &shape)
{
	size_t n = 1;
	for (int32_t d : shape)
		n *= size_t(d);
	return n;
}

} // namespace

TEST(CompileShape, StridedSliceWithMasksAndNegativeStridesIsBitExact)
{
	std::mt19937 rng(45);
	int runs = 0, v15 = 0, shrunk = 0, empty = 0;
	for (int iter = 0; iter < 1200; iter++) {
		int8_t type = iter % 4 == 3 ? TFLITE_TYPE_INT16 : TFLITE_TYPE_INT8;
		size_t es = type == TFLITE_TYPE_INT16 ? 2 : 1;
		size_t rank = 1 + rng() % 4;
		std::vector<int32_t> shape(rank);
		for (auto &d : shape)
			d = 1 + int32_t(rng() % 6);
		// begin/end/strides may cover fewer axes than the input has.
		size_t n = iter % 5 == 0 ? 1 + rng() % rank : rank;
		std::vector<AxisSpec> ax(n);
		for (size_t i = 0; i < n; i++) {
			int32_t d = shape[i];
			ax[i].begin = int32_t(rng() % (2 * d + 5)) - d - 2;
			ax[i].end = int32_t(rng() % (2 * d + 5)) - d - 2;
			ax[i].stride = int32_t(1 + rng() % 3) * (rng() % 2 ? -1 : 1);
			ax[i].begin_masked = rng() % 4 == 0;
			ax[i].end_masked = rng() % 4 == 0;
			if (rng() % 5 == 0 && i + 1 < rank) {
				ax[i].shrink = true;
				ax[i].begin = int32_t(rng() % (2 * d)) - d;  // in range
				ax[i].begin_masked = false;  // refused: see below
			}
		}
		std::vector<std::vector<int64_t>> idx;
		std::vector<int32_t> out_shape;
		bool negative = false;
		for (size_t i = 0; i < rank; i++) {
			AxisSpec a;
			if (i < n)
				a = ax[i];
			else
				a.begin_masked = a.end_masked = true;
			idx.push_back(AxisIndices(a, shape[i]));
			if (!a.shrink)
				out_shape.push_back(int32_t(idx.back().size()));
			negative |= a.stride < 0 && idx.back().size() > 1;
		}
		bool is_empty = Count(out_shape) == 0;
		for (auto &d : out_shape)
			d = std::max(d, 1);  // an empty tensor has no valid model
		auto tfl = StridedSliceModel(type, shape, ax, out_shape);
		auto in = RandomBytes(rng, Count(shape) * es);
		Result r = LowerAndRun(tfl, in);
		if (is_empty) {
			EXPECT_NE(r.rc, 0);
			EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
			empty++;
			continue;
		}
		ASSERT_EQ(r.rc, 0) << r.err;
		EXPECT_EQ(r.op_count, 1u);
		EXPECT_EQ(r.isa_version, uint32_t(AIOT_ISA_VERSION(1, negative ? 5 : 4)));
		auto want = Gather(in, shape, idx, es);
		ASSERT_EQ(r.out, want) << "iteration " << iter;
		runs++;
		v15 += negative;
		shrunk += out_shape.size() < rank;
	}
	// The generator is seeded: these are the cases each kind covers.
	EXPECT_GT(runs, 300);
	EXPECT_GT(v15, 90);
	EXPECT_GT(shrunk, 70);
	EXPECT_GT(empty, 100);
}

TEST(CompileShape, StridedSliceReversesAnImageAndRefusesWhatTfliteRefuses)
{
	// x[:, ::-1, ::-2, 1] on [1, 5, 6, 3]: rows reversed, every other
	// column from the last, channel 1, the channel axis shrunk.
	std::vector<AxisSpec> ax(4);
	ax[0].begin_masked = ax[0].end_masked = true;
	ax[1].stride = -1;
	ax[1].begin_masked = ax[1].end_masked = true;
	ax[2].stride = -2;
	ax[2].begin_masked = ax[2].end_masked = true;
	ax[3].begin = 1;
	ax[3].end = 2;
	ax[3].shrink = true;
	auto tfl = StridedSliceModel(TFLITE_TYPE_INT8, {1, 5, 6, 3}, ax, {1, 5, 3});
	std::vector<uint8_t> in(90);
	for (size_t i = 0; i < in.size(); i++)
		in[i] = uint8_t(i);
	Result r = LowerAndRun(tfl, in);
	ASSERT_EQ(r.rc, 0) << r.err;
	EXPECT_EQ(r.isa_version, uint32_t(AIOT_ISA_VERSION(1, 5)));
	ASSERT_EQ(r.out.size(), 15u);
	for (int h = 0; h < 5; h++)
		for (int w = 0; w < 3; w++)
			EXPECT_EQ(r.out[h * 3 + w], ((4 - h) * 6 + (5 - 2 * w)) * 3 + 1);

	// A shape that disagrees with the slice is named.
	r = LowerAndRun(StridedSliceModel(TFLITE_TYPE_INT8, {1, 5, 6, 3}, ax, {1, 5, 4}), in);
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("the slice is [1,5,3]"), std::string::npos) << r.err;
	// TFLite refuses ellipsis_mask; so do we, by name.
	r = LowerAndRun(StridedSliceModel(TFLITE_TYPE_INT8, {1, 5, 6, 3}, ax, {1, 5, 3}, 1), in);
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("ellipsis_mask"), std::string::npos) << r.err;
	EXPECT_NE(r.err.find("STRIDED_SLICE"), std::string::npos) << r.err;
	// begin_mask on a shrunk axis: TensorFlow and TFLite disagree; refused.
	ax[3].begin_masked = true;
	r = LowerAndRun(StridedSliceModel(TFLITE_TYPE_INT8, {1, 5, 6, 3}, ax, {1, 5, 3}), in);
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("begin_mask on a shrunk axis"), std::string::npos) << r.err;
	ax[3].begin_masked = false;
	// A shrunk axis whose index is outside the input.
	ax[3].begin = 3;
	r = LowerAndRun(StridedSliceModel(TFLITE_TYPE_INT8, {1, 5, 6, 3}, ax, {1, 5, 3}), in);
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("shrunk axis"), std::string::npos) << r.err;
}

TEST(CompileShape, SliceIsBitExact)
{
	std::mt19937 rng(65);
	int runs = 0;
	for (int iter = 0; iter < 200; iter++) {
		size_t rank = 1 + rng() % 4;
		std::vector<int32_t> shape(rank), begin(rank), size(rank), out_shape(rank);
		std::vector<std::vector<int64_t>> idx(rank);
		for (size_t i = 0; i < rank; i++) {
			shape[i] = 1 + int32_t(rng() % 7);
			begin[i] = int32_t(rng() % shape[i]);
			size[i] = rng() % 3 == 0 ? -1 : 1 + int32_t(rng() % (shape[i] - begin[i]));
			out_shape[i] = size[i] == -1 ? shape[i] - begin[i] : size[i];
			for (int32_t k = 0; k < out_shape[i]; k++)
				idx[i].push_back(begin[i] + k);
		}
		GraphBuilder g;
		int x = g.AddTensor("x", shape, TFLITE_TYPE_INT8, 0.5f, 7);
		int tb = g.AddConstI32("begin", begin), ts = g.AddConstI32("size", size);
		int y = g.AddTensor("y", out_shape, TFLITE_TYPE_INT8, 0.5f, 7);
		g.AddOp(TFLITE_OP_SLICE, {x, tb, ts}, {y});
		auto in = RandomBytes(rng, Count(shape));
		Result r = LowerAndRun(g.Serialize({x}, {y}), in);
		ASSERT_EQ(r.rc, 0) << r.err;
		EXPECT_EQ(r.isa_version, uint32_t(AIOT_ISA_VERSION(1, 4)));
		ASSERT_EQ(r.out, Gather(in, shape, idx, 1)) << iter;
		runs++;
	}
	EXPECT_EQ(runs, 200);

	// Out of range is reported with the axis.
	GraphBuilder g;
	int x = g.AddTensor("x", {4, 4}, TFLITE_TYPE_INT8, 0.5f, 7);
	int tb = g.AddConstI32("begin", {1, 3}), ts = g.AddConstI32("size", {2, 2});
	int y = g.AddTensor("y", {2, 2}, TFLITE_TYPE_INT8, 0.5f, 7);
	g.AddOp(TFLITE_OP_SLICE, {x, tb, ts}, {y});
	Result r = LowerAndRun(g.Serialize({x}, {y}), std::vector<uint8_t>(16));
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("axis 1: begin 3, size 2"), std::string::npos) << r.err;
}

// SPLIT (or SPLIT_V) then CONCATENATION of the parts in reverse order along
// the same axis: the graph's one output shows every part of the split.
TEST(CompileShape, SplitAndSplitVIntoSeveralOutputsAreBitExact)
{
	std::mt19937 rng(49);
	int runs = 0;
	for (int iter = 0; iter < 120; iter++) {
		bool v = iter % 2;
		size_t rank = 1 + rng() % 4;
		std::vector<int32_t> shape(rank);
		for (auto &d : shape)
			d = 1 + int32_t(rng() % 5);
		int32_t axis = int32_t(rng() % rank);
		int32_t parts = 1 + int32_t(rng() % 4);
		shape[axis] = v ? parts + int32_t(rng() % 5) : parts * (1 + int32_t(rng() % 3));
		std::vector<int32_t> sizes(parts, shape[axis] / parts);
		if (v) {
			int32_t left = shape[axis];
			for (int32_t p = 0; p + 1 < parts; p++) {
				sizes[p] = 1 + int32_t(rng() % (left - (parts - p - 1)));
				left -= sizes[p];
			}
			sizes[parts - 1] = left;
		}
		std::vector<int32_t> size_arg = sizes;
		if (v && rng() % 2)
			size_arg[rng() % parts] = -1;  // inferred
		int32_t axis_arg = rng() % 2 ? axis - int32_t(rank) : axis;

		GraphBuilder g;
		int x = g.AddTensor("x", shape, TFLITE_TYPE_INT8, 0.1f, -9);
		int ta = g.AddConstI32("axis", {axis_arg}, {});
		std::vector<int32_t> outs;
		for (int32_t p = 0; p < parts; p++) {
			auto s = shape;
			s[axis] = sizes[p];
			outs.push_back(g.AddTensor("part" + std::to_string(p), s, TFLITE_TYPE_INT8,
						   0.1f, -9));
		}
		if (v) {
			int ts = g.AddConstI32("size_splits", size_arg);
			g.AddOp(TFLITE_OP_SPLIT_V, {x, ts, ta}, outs);
		} else {
			NodeP o = Table();
			o->scalars[0] = Bytes<int32_t>(parts);
			g.AddOp(TFLITE_OP_SPLIT, {ta, x}, outs, 35, o);
		}
		int y = g.AddTensor("y", shape, TFLITE_TYPE_INT8, 0.1f, -9);
		NodeP c = Table();
		c->scalars[0] = Bytes<int32_t>(axis);
		g.AddOp(TFLITE_OP_CONCATENATION, std::vector<int32_t>(outs.rbegin(), outs.rend()),
			{y}, TFLITE_OPTIONS_CONCATENATION, c);
		auto in = RandomBytes(rng, Count(shape));
		Result r = LowerAndRun(g.Serialize({x}, {y}), in);
		ASSERT_EQ(r.rc, 0) << r.err;
		EXPECT_EQ(r.op_count, uint32_t(2 * parts));

		// The reference: the axis' indices, part by part, last part first.
		std::vector<std::vector<int64_t>> idx(rank);
		for (size_t a = 0; a < rank; a++)
			for (int32_t k = 0; k < shape[a]; k++)
				idx[a].push_back(k);
		std::vector<int64_t> order;
		int32_t start = 0;
		std::vector<int32_t> starts(parts);
		for (int32_t p = 0; p < parts; p++) {
			starts[p] = start;
			start += sizes[p];
		}
		for (int32_t p = parts - 1; p >= 0; p--)
			for (int32_t k = 0; k < sizes[p]; k++)
				order.push_back(starts[p] + k);
		idx[axis] = order;
		ASSERT_EQ(r.out, Gather(in, shape, idx, 1)) << iter;
		runs++;
	}
	EXPECT_EQ(runs, 120);
}

TEST(CompileShape, SplitThatDoesNotDivideIsReported)
{
	GraphBuilder g;
	int x = g.AddTensor("x", {1, 5}, TFLITE_TYPE_INT8, 0.1f, 0);
	int ta = g.AddConstI32("axis", {1}, {});
	int a = g.AddTensor("a", {1, 2}, TFLITE_TYPE_INT8, 0.1f, 0);
	int b = g.AddTensor("b", {1, 2}, TFLITE_TYPE_INT8, 0.1f, 0);
	g.AddOp(TFLITE_OP_SPLIT, {ta, x}, {a, b});
	int y = g.AddTensor("y", {1, 4}, TFLITE_TYPE_INT8, 0.1f, 0);
	NodeP c = Table();
	c->scalars[0] = Bytes<int32_t>(1);
	g.AddOp(TFLITE_OP_CONCATENATION, {a, b}, {y}, TFLITE_OPTIONS_CONCATENATION, c);
	Result r = LowerAndRun(g.Serialize({x}, {y}), std::vector<uint8_t>(5));
	EXPECT_NE(r.rc, 0);
	EXPECT_NE(r.err.find("operator 0 (SPLIT): axis 1 of size 5 does not split into 2"),
		  std::string::npos) << r.err;
}
