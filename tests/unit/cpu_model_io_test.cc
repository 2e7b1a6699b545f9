// SPDX-License-Identifier: GPL-2.0-only
// Graphs with several inputs and outputs, end to end on the host: generated
// TFLite graphs lowered, written as blobs, loaded by the CPU model (the
// blob's parser, the validator, both executors) and run; every output is
// compared with an independent computation here. Also what the lowering
// refuses, and the CPU model's indexed access.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "compile_graph_util.h"

extern "C" {
#include <aiot/model_format.h>
#include "aiot_isa.h"
#include "blob.h"
#include "cpu_model.h"
#include "lower.h"
}

using namespace compile_test;

namespace {

struct Compiled {
	int rc = 0;
	std::string err;
	std::vector<uint8_t> blob;
};

// .tflite bytes -> blob, through the compiler's own lowering and writer.
Compiled Compile(const std::vector<uint8_t> &tflite)
{
	Compiled c;
	std::string load_err;
	ModelPtr m = Load(tflite, &load_err);
	if (!m) {
		c.rc = -1;
		c.err = "load: " + load_err;
		return c;
	}
	aiot_lowered_model *lm = nullptr;
	char err[2048] = "";
	c.rc = aiot_lower_model(m.get(), &lm, err, sizeof(err));
	if (c.rc) {
		c.err = err;
		return c;
	}
	void *blob = nullptr;
	size_t size = 0;
	c.rc = aiot_blob_write(lm, nullptr, &blob, &size, err, sizeof(err));
	aiot_lowered_model_free(lm);
	if (c.rc) {
		c.err = std::string("blob: ") + err;
		return c;
	}
	c.blob.assign(static_cast<uint8_t *>(blob), static_cast<uint8_t *>(blob) + size);
	free(blob);
	return c;
}

struct CpuModelDeleter {
	void operator()(aiot_cpu_model *m) const { aiot_cpu_model_free(m); }
};
using CpuModelPtr = std::unique_ptr<aiot_cpu_model, CpuModelDeleter>;

CpuModelPtr LoadCpu(const std::vector<uint8_t> &blob, std::string *err)
{
	aiot_cpu_model *m = nullptr;
	char msg[512] = "";
	if (aiot_cpu_model_load(blob.data(), blob.size(), &m, msg, sizeof(msg))) {
		*err = msg;
		return nullptr;
	}
	return CpuModelPtr(m);
}

// Compiled and loaded on the CPU with n_in inputs and n_out outputs; null,
// with the failure recorded, otherwise.
CpuModelPtr CompileAndLoad(const std::vector<uint8_t> &tflite, unsigned int n_in,
			   unsigned int n_out)
{
	Compiled c = Compile(tflite);
	if (c.rc) {
		ADD_FAILURE() << "compile: " << c.err;
		return nullptr;
	}
	std::string err;
	CpuModelPtr m = LoadCpu(c.blob, &err);
	if (!m) {
		ADD_FAILURE() << "load: " << err;
		return nullptr;
	}
	const aiot_model_blob_view *v = aiot_cpu_model_view(m.get());
	if (v->input_count != n_in || v->output_count != n_out) {
		ADD_FAILURE() << v->input_count << " inputs and " << v->output_count
			      << " outputs, not " << n_in << " and " << n_out;
		return nullptr;
	}
	return m;
}

const float kScale = 0.25f;
const int64_t kZp = -3;

// a, b: int8 [1, 2, 2, 3], one quantization throughout (MAXIMUM, MINIMUM
// and CONCATENATION then move values unchanged).
struct TwoByTwo {
	GraphBuilder g;
	int a, b, mx, mn, cat;

	TwoByTwo()
	{
		a = g.AddTensor("in_a", {1, 2, 2, 3}, TFLITE_TYPE_INT8, kScale, kZp);
		b = g.AddTensor("in_b", {1, 2, 2, 3}, TFLITE_TYPE_INT8, kScale, kZp);
		mx = g.AddTensor("max_ab", {1, 2, 2, 3}, TFLITE_TYPE_INT8, kScale, kZp);
		mn = g.AddTensor("min_ab", {1, 2, 2, 3}, TFLITE_TYPE_INT8, kScale, kZp);
		cat = g.AddTensor("concat", {1, 2, 2, 6}, TFLITE_TYPE_INT8, kScale, kZp);
		g.AddOp(TFLITE_OP_MAXIMUM, {a, b}, {mx});
		g.AddOp(TFLITE_OP_MINIMUM, {a, b}, {mn});
		NodeP c = Table();
		c->scalars[0] = Bytes<int32_t>(3);	// axis: channels
		// max_ab is a graph output that this operator reads as well.
		g.AddOp(TFLITE_OP_CONCATENATION, {mx, mn}, {cat}, TFLITE_OPTIONS_CONCATENATION, c);
	}
};

std::vector<int8_t> Random(size_t n, std::mt19937 *rng)
{
	std::uniform_int_distribution<int> d(-128, 127);
	std::vector<int8_t> v(n);
	for (auto &x : v)
		x = int8_t(d(*rng));
	return v;
}

// The expected outputs, computed here: max, min, and both side by side.
void Expect(const std::vector<int8_t> &a, const std::vector<int8_t> &b,
	    std::vector<int8_t> *mx, std::vector<int8_t> *cat)
{
	mx->resize(a.size());
	cat->resize(2 * a.size());
	for (size_t pixel = 0; pixel < a.size() / 3; pixel++)
		for (size_t c = 0; c < 3; c++) {
			size_t i = pixel * 3 + c;
			(*mx)[i] = std::max(a[i], b[i]);
			(*cat)[pixel * 6 + c] = std::max(a[i], b[i]);
			(*cat)[pixel * 6 + 3 + c] = std::min(a[i], b[i]);
		}
}

std::vector<int8_t> Bytes8(const void *p, size_t n)
{
	const int8_t *b = static_cast<const int8_t *>(p);
	return std::vector<int8_t>(b, b + n);
}

// One run of a TwoByTwo model on random inputs 0 and 1; input b and the
// expected max and concatenation. False when the run failed.
bool RunRandomPair(aiot_cpu_model *m, std::mt19937 *rng, std::vector<int8_t> *b,
		   std::vector<int8_t> *mx, std::vector<int8_t> *cat)
{
	std::vector<int8_t> a = Random(12, rng);
	*b = Random(12, rng);
	Expect(a, *b, mx, cat);
	std::memcpy(aiot_cpu_model_input(m, 0), a.data(), 12);
	std::memcpy(aiot_cpu_model_input(m, 1), b->data(), 12);
	return aiot_cpu_model_run(m) == 0;
}

TEST(CpuModelIo, TwoInputsTwoOutputsMatchAnIndependentComputation)
{
	TwoByTwo t;
	CpuModelPtr m = CompileAndLoad(t.g.Serialize({t.a, t.b}, {t.cat, t.mx}), 2, 2);
	ASSERT_TRUE(m);
	const aiot_model_blob_view *v = aiot_cpu_model_view(m.get());
	struct Want {
		const char *name;
		uint8_t direction, binding;
		uint32_t dims3, size;
	} want[] = {
		{"in_a", AIOT_MODEL_TENSOR_INPUT, AIOT_ISA_BINDING_INPUT, 3, 12},
		{"in_b", AIOT_MODEL_TENSOR_INPUT, 4, 3, 12},
		{"concat", AIOT_MODEL_TENSOR_OUTPUT, AIOT_ISA_BINDING_OUTPUT, 6, 24},
		{"max_ab", AIOT_MODEL_TENSOR_OUTPUT, 5, 3, 12},
	};
	for (unsigned int i = 0; i < 4; i++) {
		const aiot_model_tensor &r = v->tensors[i];
		SCOPED_TRACE(i);
		EXPECT_EQ(std::string(r.name, strnlen(r.name, AIOT_MODEL_NAME_LEN)), want[i].name);
		EXPECT_EQ(r.direction, want[i].direction);
		EXPECT_EQ(r.binding, want[i].binding);
		EXPECT_EQ(r.offset, 0u);
		EXPECT_EQ(r.dtype, AIOT_ISA_DTYPE_INT8);
		EXPECT_EQ(r.dims[1], 2u);
		EXPECT_EQ(r.dims[2], 2u);
		EXPECT_EQ(r.dims[3], want[i].dims3);
		EXPECT_EQ(r.size, want[i].size);
		float scale;
		std::memcpy(&scale, &r.scale_bits, 4);
		EXPECT_EQ(scale, kScale);
		EXPECT_EQ(r.zero_point, kZp);
	}

	std::mt19937 rng(14);
	for (int run = 0; run < 20; run++) {
		std::vector<int8_t> a = Random(12, &rng), b = Random(12, &rng), mx, cat;
		if (run == 0)
			std::fill(b.begin(), b.end(), int8_t(-128));	// the extremes
		Expect(a, b, &mx, &cat);
		std::memcpy(aiot_cpu_model_input(m.get(), 0), a.data(), 12);
		std::memcpy(aiot_cpu_model_input(m.get(), 1), b.data(), 12);
		ASSERT_EQ(aiot_cpu_model_run(m.get()), 0);
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 0), 24), cat) << "run " << run;
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 1), 12), mx) << "run " << run;
		std::memset(aiot_cpu_model_output(m.get(), 0), 0x55, 24);
		std::memset(aiot_cpu_model_output(m.get(), 1), 0x55, 12);
		ASSERT_EQ(aiot_cpu_model_run_reference(m.get()), 0);
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 0), 24), cat) << "reference";
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 1), 12), mx) << "reference";
	}
}

TEST(CpuModelIo, BadIndicesGiveNull)
{
	TwoByTwo t;
	CpuModelPtr m = CompileAndLoad(t.g.Serialize({t.a, t.b}, {t.cat}), 2, 1);
	ASSERT_TRUE(m);
	EXPECT_NE(aiot_cpu_model_input(m.get(), 1), nullptr);
	EXPECT_EQ(aiot_cpu_model_input(m.get(), 2), nullptr);
	EXPECT_NE(aiot_cpu_model_output(m.get(), 0), nullptr);
	EXPECT_EQ(aiot_cpu_model_output(m.get(), 1), nullptr);
	EXPECT_EQ(aiot_cpu_model_output(m.get(), ~0u), nullptr);
	EXPECT_EQ(aiot_cpu_model_tensor(m.get(), 3), nullptr);
	EXPECT_EQ(aiot_cpu_model_input(nullptr, 0), nullptr);
}

// Outputs that have a home already: an input, an earlier output, a
// constant. Each still gets a slot of its own, filled by a copy.
TEST(CpuModelIo, OutputsThatAliasAreCopiedIntoTheirOwnSlots)
{
	TwoByTwo t;
	std::vector<uint8_t> kbytes = {1, 0x80, 0x7f, 0xfe};
	int k = t.g.AddTensor("const_k", {1, 1, 1, 4}, TFLITE_TYPE_INT8, kScale, kZp, kbytes);
	CpuModelPtr m = CompileAndLoad(t.g.Serialize({t.a, t.b}, {t.mx, t.b, t.mx, k, t.cat}), 2,
				       5);
	ASSERT_TRUE(m);
	const aiot_model_blob_view *v = aiot_cpu_model_view(m.get());
	std::vector<unsigned> slots;
	for (unsigned int i = 0; i < 7; i++)
		slots.push_back(v->tensors[i].binding);
	EXPECT_EQ(slots, (std::vector<unsigned>{1, 4, 2, 5, 6, 7, 8}));

	std::mt19937 rng(7);
	for (int run = 0; run < 5; run++) {
		std::vector<int8_t> b, mx, cat;
		ASSERT_TRUE(RunRandomPair(m.get(), &rng, &b, &mx, &cat));
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 0), 12), mx);
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 1), 12), b);
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 2), 12), mx);
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 3), 4),
			  Bytes8(kbytes.data(), 4));
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 4), 24), cat);
	}
}

TEST(CpuModelIo, AnInputThatIsTheOutputIsCopied)
{
	GraphBuilder g;
	int x = g.AddTensor("x", {1, 1, 2, 2}, TFLITE_TYPE_INT8, kScale, kZp);
	CpuModelPtr m = CompileAndLoad(g.Serialize({x}, {x}), 1, 1);
	ASSERT_TRUE(m);
	const int8_t in[4] = {-128, 127, 0, -3};
	std::memcpy(aiot_cpu_model_input(m.get(), 0), in, 4);
	ASSERT_EQ(aiot_cpu_model_run(m.get()), 0);
	EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 0), 4), Bytes8(in, 4));
}

// n_in inputs, n_out outputs: output j is the maximum of inputs j and j + 1
// (modulo n_in).
std::vector<uint8_t> Chain(int n_in, int n_out)
{
	GraphBuilder g;
	std::vector<int32_t> ins, outs;
	for (int i = 0; i < n_in; i++)
		ins.push_back(g.AddTensor("i" + std::to_string(i), {1, 1, 1, 4}, TFLITE_TYPE_INT8,
					  kScale, kZp));
	for (int j = 0; j < n_out; j++) {
		outs.push_back(g.AddTensor("o" + std::to_string(j), {1, 1, 1, 4}, TFLITE_TYPE_INT8,
					   kScale, kZp));
		g.AddOp(TFLITE_OP_MAXIMUM, {ins[size_t(j % n_in)], ins[size_t((j + 1) % n_in)]},
			{outs.back()});
	}
	return g.Serialize(ins, outs);
}

TEST(CpuModelIo, RefusedGraphsSayWhy)
{
	{
		TwoByTwo t;
		int lone = t.g.AddTensor("lonely", {1, 2, 2, 3}, TFLITE_TYPE_INT8, kScale, kZp);
		Compiled c = Compile(t.g.Serialize({t.a, t.b}, {t.cat, lone}));
		EXPECT_NE(c.rc, 0);
		EXPECT_NE(c.err.find("graph output 1 (tensor 5, \"lonely\") is written by no "
				     "operator"), std::string::npos) << c.err;
	}
	{
		TwoByTwo t;
		Compiled c = Compile(t.g.Serialize({t.a, t.mx}, {t.cat}));
		EXPECT_NE(c.rc, 0);
		EXPECT_NE(c.err.find("graph input 1 (tensor 2, \"max_ab\") is also written by an "
				     "operator"), std::string::npos) << c.err;
	}
	{
		// 15 inputs and outputs: one more than the binding slots hold.
		Compiled c = Compile(Chain(8, 7));
		EXPECT_NE(c.rc, 0);
		EXPECT_NE(c.err.find("8 graph inputs and 7 outputs: at most 14 together"),
			  std::string::npos) << c.err;
		c = Compile(Chain(7, 7));
		EXPECT_EQ(c.rc, 0) << c.err;
	}
}

// 7 inputs and 7 outputs fill every slot up to 15; each output is right.
TEST(CpuModelIo, FourteenInputsAndOutputsUseEverySlot)
{
	CpuModelPtr m = CompileAndLoad(Chain(7, 7), 7, 7);
	ASSERT_TRUE(m);
	const aiot_model_blob_view *v = aiot_cpu_model_view(m.get());
	std::set<unsigned> slots;
	for (unsigned int i = 0; i < 14; i++)
		slots.insert(v->tensors[i].binding);
	EXPECT_EQ(slots, (std::set<unsigned>{1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
	std::mt19937 rng(3);
	std::vector<std::vector<int8_t>> in;
	for (unsigned int i = 0; i < 7; i++) {
		in.push_back(Random(4, &rng));
		std::memcpy(aiot_cpu_model_input(m.get(), i), in.back().data(), 4);
	}
	ASSERT_EQ(aiot_cpu_model_run(m.get()), 0);
	for (unsigned int j = 0; j < 7; j++) {
		std::vector<int8_t> want(4);
		for (size_t k = 0; k < 4; k++)
			want[k] = std::max(in[j][k], in[(j + 1) % 7][k]);
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), j), 4), want) << "output " << j;
	}
}

// A graph that ends with DEQUANTIZE: the device stops at the integer tensor,
// which the blob names after the float output and marks for the host.
TEST(CpuModelIo, FinalDequantizeIsTheHosts)
{
	TwoByTwo t;
	int f = t.g.AddTensor("max_float", {1, 2, 2, 3}, TFLITE_TYPE_FLOAT32);
	int g = t.g.AddTensor("cat_float", {1, 2, 2, 6}, TFLITE_TYPE_FLOAT32);
	t.g.AddOp(TFLITE_OP_DEQUANTIZE, {t.mx}, {f});
	t.g.AddOp(TFLITE_OP_DEQUANTIZE, {t.cat}, {g});
	// max_ab is both a graph output of its own and the first DEQUANTIZE's.
	CpuModelPtr m = CompileAndLoad(t.g.Serialize({t.a, t.b}, {f, t.mx, g}), 2, 3);
	ASSERT_TRUE(m);
	const aiot_model_blob_view *v = aiot_cpu_model_view(m.get());
	EXPECT_EQ(v->header.version_minor, AIOT_MODEL_VERSION_MINOR_DEQUANTIZE);
	const char *names[] = {"max_float", "max_ab", "cat_float"};
	const uint8_t flags[] = {AIOT_MODEL_TENSOR_F_DEQUANTIZE, 0,
				 AIOT_MODEL_TENSOR_F_DEQUANTIZE};
	for (unsigned int j = 0; j < 3; j++) {
		const aiot_model_tensor &r = v->tensors[2 + j];
		SCOPED_TRACE(j);
		EXPECT_EQ(std::string(r.name, strnlen(r.name, AIOT_MODEL_NAME_LEN)), names[j]);
		EXPECT_EQ(r.flags, flags[j]);
		EXPECT_EQ(r.dtype, AIOT_ISA_DTYPE_INT8);
		float scale;
		std::memcpy(&scale, &r.scale_bits, 4);
		EXPECT_EQ(scale, kScale);
		EXPECT_EQ(r.zero_point, kZp);
	}
	std::mt19937 rng(20);
	for (int run = 0; run < 5; run++) {
		std::vector<int8_t> b, mx, cat;
		ASSERT_TRUE(RunRandomPair(m.get(), &rng, &b, &mx, &cat));
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 0), 12), mx);
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 1), 12), mx);
		EXPECT_EQ(Bytes8(aiot_cpu_model_output(m.get(), 2), 24), cat);
	}
}

// A float tensor anywhere but at a graph output is still refused, by name.
TEST(CpuModelIo, DequantizeInsideTheGraphIsRefused)
{
	TwoByTwo t;
	int f = t.g.AddTensor("max_float", {1, 2, 2, 3}, TFLITE_TYPE_FLOAT32);
	int q = t.g.AddTensor("requant", {1, 2, 2, 3}, TFLITE_TYPE_INT8, kScale, kZp);
	t.g.AddOp(TFLITE_OP_DEQUANTIZE, {t.mx}, {f});
	t.g.AddOp(TFLITE_OP_QUANTIZE, {f}, {q});
	Compiled c = Compile(t.g.Serialize({t.a, t.b}, {q}));
	EXPECT_NE(c.rc, 0);
	EXPECT_NE(c.err.find("operator 3 (DEQUANTIZE): a float tensor inside the graph"),
		  std::string::npos) << c.err;
	// Read by another operator besides being an output: refused too.
	TwoByTwo u;
	int f2 = u.g.AddTensor("max_float", {1, 2, 2, 3}, TFLITE_TYPE_FLOAT32);
	int q2 = u.g.AddTensor("requant", {1, 2, 2, 3}, TFLITE_TYPE_INT8, kScale, kZp);
	u.g.AddOp(TFLITE_OP_DEQUANTIZE, {u.mx}, {f2});
	u.g.AddOp(TFLITE_OP_QUANTIZE, {f2}, {q2});
	c = Compile(u.g.Serialize({u.a, u.b}, {f2, q2}));
	EXPECT_NE(c.rc, 0);
	EXPECT_NE(c.err.find("operator 3 (DEQUANTIZE)"), std::string::npos) << c.err;
}

// A single-input, single-output graph keeps the layout it always had.
TEST(CpuModelIo, SingleInputAndOutputKeepSlotsOneAndTwo)
{
	GraphBuilder one;
	int x = one.AddTensor("x", {1, 1, 1, 4}, TFLITE_TYPE_INT8, kScale, kZp);
	int y = one.AddTensor("y", {1, 1, 1, 4}, TFLITE_TYPE_INT8, kScale, kZp);
	one.AddOp(TFLITE_OP_MAXIMUM, {x, x}, {y});
	Compiled c = Compile(one.Serialize({x}, {y}));
	ASSERT_EQ(c.rc, 0) << c.err;
	aiot_model_blob_view v;
	char err[256];
	ASSERT_EQ(aiot_model_blob_parse(c.blob.data(), c.blob.size(), &v, err, sizeof(err)), 0)
		<< err;
	ASSERT_EQ(v.input_count, 1u);
	ASSERT_EQ(v.output_count, 1u);
	EXPECT_EQ(v.tensors[0].binding, AIOT_ISA_BINDING_INPUT);
	EXPECT_EQ(v.tensors[1].binding, AIOT_ISA_BINDING_OUTPUT);
	EXPECT_EQ(v.header.version_minor, 0u);
}

} // namespace
