// SPDX-License-Identifier: GPL-2.0-only
// The cases of make check-tflite (tflite_check_cases.h), built with the
// tests' flatbuffer writer (tests/unit/compile_graph_util.h).
#include "tflite_check_cases.h"

#include <cmath>
#include <cstring>

#include "compile_graph_util.h"

using namespace compile_test;

namespace tflite_check {
namespace {

constexpr int8_t kI8 = TFLITE_TYPE_INT8, kI16 = TFLITE_TYPE_INT16, kI32 = TFLITE_TYPE_INT32,
		 kI64 = TFLITE_TYPE_INT64;
enum { kNone = 0, kRelu = 1, kReluN1To1 = 2, kRelu6 = 3 }; // ActivationFunctionType
enum { kSame = 0, kValid = 1 };                            // Padding

struct Q {
	float scale;
	int32_t zp;
};

// xorshift64: the same inputs on every run and every host.
class Rng {
public:
	explicit Rng(uint64_t seed) : s_(seed * 0x9e3779b97f4a7c15ull + 1) {}
	uint32_t Next()
	{
		s_ ^= s_ << 13;
		s_ ^= s_ >> 7;
		s_ ^= s_ << 17;
		return uint32_t(s_ >> 32);
	}
	int32_t In(int32_t lo, int32_t hi) { return lo + int32_t(Next() % uint32_t(hi - lo + 1)); }

private:
	uint64_t s_;
};

size_t Count(const std::vector<int32_t> &shape)
{
	size_t n = 1;
	for (int32_t d : shape)
		n *= size_t(d);
	return n;
}

int ElemSize(int8_t type)
{
	return type == kI8 ? 1 : type == kI16 ? 2 :
	       type == kI32 || type == TFLITE_TYPE_FLOAT32 ? 4 : 8;
}

// Little-endian bytes of the values as the tensor type.
std::vector<uint8_t> Pack(const std::vector<int32_t> &v, int8_t type)
{
	int size = ElemSize(type);
	std::vector<uint8_t> out(v.size() * size_t(size));
	for (size_t i = 0; i < v.size(); i++) {
		int64_t x = v[i];
		std::memcpy(&out[i * size_t(size)], &x, size_t(size)); // little endian host
	}
	return out;
}

std::vector<int32_t> Random(Rng &r, size_t n, int32_t lo, int32_t hi)
{
	std::vector<int32_t> v(n);
	for (auto &x : v)
		x = r.In(lo, hi);
	return v;
}

// The input of the type's full range, a few values at the extremes.
std::vector<int32_t> RandomInput(Rng &r, size_t n, int8_t type)
{
	int32_t lo = type == kI8 ? -128 : -32768, hi = type == kI8 ? 127 : 32767;
	std::vector<int32_t> v = Random(r, n, lo, hi);
	for (size_t i = 0; i < n; i += 7)
		v[i] = (i / 7) % 2 ? lo : hi;
	return v;
}

NodeP Options(const std::vector<std::pair<int, std::vector<uint8_t>>> &fields)
{
	NodeP o = Table();
	for (const auto &f : fields)
		o->scalars[f.first] = f.second;
	return o;
}

// CalculateActivationRangeQuantized: float division, rounded half away.
void ActRange(int act, Q out, int8_t type, int32_t *lo, int32_t *hi)
{
	int32_t qmin = type == kI8 ? -128 : -32768, qmax = type == kI8 ? 127 : 32767;
	auto q = [&](float f) { return out.zp + int32_t(std::round(f / out.scale)); };
	*lo = qmin;
	*hi = qmax;
	if (act == kRelu || act == kRelu6)
		*lo = std::max(qmin, q(0.0f));
	if (act == kRelu6)
		*hi = std::min(qmax, q(6.0f));
	if (act == kReluN1To1) {
		*lo = std::max(qmin, q(-1.0f));
		*hi = std::min(qmax, q(1.0f));
	}
}

// A graph of one input x and one output y.
struct Graph {
	GraphBuilder g;
	int x = -1, y = -1;
	std::vector<int32_t> x_vals, y_shape;
	int8_t x_type = kI8, y_type = kI8;

	int Input(std::vector<int32_t> shape, int8_t type, Q q, Rng &r)
	{
		x_type = type;
		x_vals = RandomInput(r, Count(shape), type);
		x = g.AddTensor("x", shape, type, q.scale, q.zp);
		return x;
	}
	int Output(std::vector<int32_t> shape, int8_t type, Q q)
	{
		y_shape = shape;
		y_type = type;
		y = g.AddTensor("y", shape, type, q.scale, q.zp);
		return y;
	}
	int Const(const std::string &name, std::vector<int32_t> shape, int8_t type, Q q,
		  const std::vector<int32_t> &vals)
	{
		return g.AddTensor(name, shape, type, q.scale, q.zp, Pack(vals, type));
	}
	Case Finish(const std::string &op, const std::string &name)
	{
		Case c;
		c.op = op;
		c.name = name;
		c.model = g.Serialize({x}, {y});
		c.input = Pack(x_vals, x_type);
		c.out_elems = Count(y_shape);
		c.out_size = ElemSize(y_type);
		return c;
	}
};

// ---- convolution-like layers ----------------------------------------------

enum ConvKind { kConv, kDepthwise, kTransposeConv };

struct ConvSpec {
	ConvKind kind;
	int H, W, Cin, Cout, KH, KW, sh, sw, dh, dw;
	int padding, act;
	Q in, out;
	float w_scale;
	bool per_channel, wide;
	bool no_bias = false; // TRANSPOSE_CONV: three inputs, TFLite allows it
};

// ComputePaddingWithOffset's padding before the data (the extra at the end).
int PadBefore(int stride, int dil, int in, int filter, int out)
{
	int total = (out - 1) * stride + (filter - 1) * dil + 1 - in;
	return total > 0 ? total / 2 : 0;
}

int ConvOut(int padding, int in, int filter, int stride, int dil)
{
	int eff = (filter - 1) * dil + 1;
	return padding == kSame ? (in + stride - 1) / stride : (in - eff + stride) / stride;
}

Case Conv(const std::string &name, const ConvSpec &s, uint64_t seed)
{
	static const char *const kOps[] = { "CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV" };
	Rng r(seed);
	Graph gr;
	int8_t xt = s.wide ? kI16 : kI8;
	int OH, OW, ph, pw;
	if (s.kind == kTransposeConv) {
		OH = s.padding == kSame ? s.H * s.sh : (s.H - 1) * s.sh + s.KH;
		OW = s.padding == kSame ? s.W * s.sw : (s.W - 1) * s.sw + s.KW;
		ph = PadBefore(s.sh, 1, OH, s.KH, s.H);
		pw = PadBefore(s.sw, 1, OW, s.KW, s.W);
	} else {
		OH = ConvOut(s.padding, s.H, s.KH, s.sh, s.dh);
		OW = ConvOut(s.padding, s.W, s.KW, s.sw, s.dw);
		ph = PadBefore(s.sh, s.dh, s.H, s.KH, OH);
		pw = PadBefore(s.sw, s.dw, s.W, s.KW, OW);
	}
	const int mult = s.Cout / s.Cin;
	std::vector<int32_t> wshape = s.kind == kDepthwise ?
		std::vector<int32_t>{1, s.KH, s.KW, s.Cout} :
		std::vector<int32_t>{s.Cout, s.KH, s.KW, s.Cin};
	std::vector<int32_t> w = Random(r, Count(wshape), -127, 127);
	std::vector<float> wsc(size_t(s.per_channel ? s.Cout : 1));
	for (auto &v : wsc)
		v = s.w_scale * float(0.5 + r.In(0, 100) / 100.0);
	std::vector<int32_t> bias = Random(r, size_t(s.Cout), s.wide ? -400000 : -3000,
					   s.wide ? 400000 : 3000);

	int x = gr.Input({1, s.H, s.W, s.Cin}, xt, s.in, r);
	int wt = gr.Const("w", wshape, kI8, {0, 0}, w);
	std::vector<float> bsc;
	for (float v : wsc)
		bsc.push_back(s.in.scale * v);
	gr.g.SetQuant(wt, wsc, std::vector<int64_t>(wsc.size(), 0),
		      s.kind == kDepthwise ? 3 : 0);
	int b = -1;
	if (s.no_bias) {
		std::fill(bias.begin(), bias.end(), 0);
	} else {
		b = gr.Const("b", {s.Cout}, s.wide ? kI64 : kI32, {0, 0}, bias);
		gr.g.SetQuant(b, bsc, std::vector<int64_t>(bsc.size(), 0), 0);
	}
	int y = gr.Output({1, OH, OW, s.Cout}, xt, s.out);

	if (s.kind == kConv)
		gr.g.AddOp(TFLITE_OP_CONV_2D, {x, wt, b}, {y}, TFLITE_OPTIONS_CONV_2D,
			   Options({{0, Bytes<int8_t>(int8_t(s.padding))}, {1, Bytes<int32_t>(s.sw)},
				    {2, Bytes<int32_t>(s.sh)}, {3, Bytes<int8_t>(int8_t(s.act))},
				    {4, Bytes<int32_t>(s.dw)}, {5, Bytes<int32_t>(s.dh)}}));
	else if (s.kind == kDepthwise)
		gr.g.AddOp(TFLITE_OP_DEPTHWISE_CONV_2D, {x, wt, b}, {y},
			   TFLITE_OPTIONS_DEPTHWISE_CONV_2D,
			   Options({{0, Bytes<int8_t>(int8_t(s.padding))}, {1, Bytes<int32_t>(s.sw)},
				    {2, Bytes<int32_t>(s.sh)}, {3, Bytes<int32_t>(mult)},
				    {4, Bytes<int8_t>(int8_t(s.act))}, {5, Bytes<int32_t>(s.dw)},
				    {6, Bytes<int32_t>(s.dh)}}));
	else
		gr.g.AddOp(TFLITE_OP_TRANSPOSE_CONV,
			   s.no_bias ?
			   std::vector<int32_t>{gr.g.AddConstI32("output_shape", {1, OH, OW, s.Cout}),
						wt, x} :
			   std::vector<int32_t>{gr.g.AddConstI32("output_shape", {1, OH, OW, s.Cout}),
						wt, x, b}, {y},
			   TFLITE_OPTIONS_TRANSPOSE_CONV,
			   Options({{0, Bytes<int8_t>(int8_t(s.padding))}, {1, Bytes<int32_t>(s.sw)},
				    {2, Bytes<int32_t>(s.sh)}, {3, Bytes<int8_t>(int8_t(s.act))}}));

	// The accumulators, straight from the definitions.
	std::vector<int64_t> acc(size_t(OH) * OW * s.Cout, 0);
	auto in_at = [&](int iy, int ix, int ic) {
		return int64_t(gr.x_vals[(size_t(iy) * s.W + ix) * s.Cin + ic]) - s.in.zp;
	};
	if (s.kind == kTransposeConv) {
		for (int iy = 0; iy < s.H; iy++)
			for (int ix = 0; ix < s.W; ix++)
				for (int ky = 0; ky < s.KH; ky++)
					for (int kx = 0; kx < s.KW; kx++) {
						int oy = iy * s.sh - ph + ky, ox = ix * s.sw - pw + kx;
						if (oy < 0 || oy >= OH || ox < 0 || ox >= OW)
							continue;
						for (int oc = 0; oc < s.Cout; oc++)
							for (int ic = 0; ic < s.Cin; ic++)
								acc[(size_t(oy) * OW + ox) * s.Cout + oc] +=
									in_at(iy, ix, ic) *
									w[((size_t(oc) * s.KH + ky) * s.KW + kx) * s.Cin + ic];
					}
	} else {
		for (int oy = 0; oy < OH; oy++)
			for (int ox = 0; ox < OW; ox++)
				for (int oc = 0; oc < s.Cout; oc++) {
					int64_t sum = 0;
					for (int ky = 0; ky < s.KH; ky++)
						for (int kx = 0; kx < s.KW; kx++) {
							int iy = oy * s.sh - ph + ky * s.dh;
							int ix = ox * s.sw - pw + kx * s.dw;
							if (iy < 0 || iy >= s.H || ix < 0 || ix >= s.W)
								continue;
							if (s.kind == kDepthwise) {
								sum += in_at(iy, ix, oc / mult) *
								       w[(size_t(ky) * s.KW + kx) * s.Cout + oc];
								continue;
							}
							for (int ic = 0; ic < s.Cin; ic++)
								sum += in_at(iy, ix, ic) *
								       w[((size_t(oc) * s.KH + ky) * s.KW + kx) * s.Cin + ic];
						}
					acc[(size_t(oy) * OW + ox) * s.Cout + oc] = sum;
				}
	}
	int32_t lo, hi;
	ActRange(s.act, s.out, xt, &lo, &hi);
	Case c = gr.Finish(kOps[s.kind] + std::string(s.wide ? " int16x8" : ""), name);
	for (size_t i = 0; i < acc.size(); i++) {
		size_t oc = i % size_t(s.Cout), q = s.per_channel ? oc : 0;
		c.accs.push_back({acc[i] + bias[oc],
				  double(s.in.scale) * double(wsc[q]) / double(s.out.scale),
				  s.in.scale * wsc[q] / s.out.scale, s.out.zp, lo, hi, s.wide});
	}
	return c;
}

struct FcSpec {
	int B, D, O, act;
	Q in, out;
	float w_scale;
	bool wide;
};

Case FullyConnected(const std::string &name, const FcSpec &s, uint64_t seed)
{
	Rng r(seed);
	Graph gr;
	int8_t xt = s.wide ? kI16 : kI8;
	std::vector<int32_t> w = Random(r, size_t(s.O) * s.D, -127, 127);
	std::vector<int32_t> bias = Random(r, size_t(s.O), s.wide ? -400000 : -3000,
					   s.wide ? 400000 : 3000);
	int x = gr.Input({s.B, s.D}, xt, s.in, r);
	int wt = gr.Const("w", {s.O, s.D}, kI8, {s.w_scale, 0}, w);
	int b = gr.Const("b", {s.O}, s.wide ? kI64 : kI32, {s.in.scale * s.w_scale, 0}, bias);
	int y = gr.Output({s.B, s.O}, xt, s.out);
	gr.g.AddOp(TFLITE_OP_FULLY_CONNECTED, {x, wt, b}, {y}, TFLITE_OPTIONS_FULLY_CONNECTED,
		   Options({{0, Bytes<int8_t>(int8_t(s.act))}}));
	int32_t lo, hi;
	ActRange(s.act, s.out, xt, &lo, &hi);
	Case c = gr.Finish(s.wide ? "FULLY_CONNECTED int16x8" : "FULLY_CONNECTED", name);
	for (int bi = 0; bi < s.B; bi++)
		for (int o = 0; o < s.O; o++) {
			int64_t sum = bias[size_t(o)];
			for (int d = 0; d < s.D; d++)
				sum += (int64_t(gr.x_vals[size_t(bi) * s.D + d]) - s.in.zp) *
				       w[size_t(o) * s.D + d];
			// TFLite multiplies the input and filter scales in float.
			c.accs.push_back({sum, double(s.in.scale * s.w_scale) / double(s.out.scale),
					  s.in.scale * s.w_scale / s.out.scale, s.out.zp, lo, hi,
					  s.wide});
		}
	return c;
}

void ConvCases(std::vector<Case> *cases)
{
	const Q in0{0.05f, 3}, in_lo{0.02f, -128}, in_hi{0.03f, 127};
	const Q out0{0.2f, -5}, out_lo{0.5f, -128}, out_hi{0.1f, 127}, out_sat{0.01f, 0};
	const ConvSpec conv[] = {
		{kConv, 8, 8, 3, 4, 3, 3, 1, 1, 1, 1, kSame, kNone, in0, out0, 0.01f, true, false},
		{kConv, 9, 7, 4, 5, 3, 2, 2, 2, 1, 1, kValid, kRelu, in_lo, out_lo, 0.02f, true, false},
		{kConv, 7, 9, 2, 3, 3, 3, 1, 2, 2, 1, kSame, kRelu6, in_hi, out_hi, 0.01f, false, false},
		{kConv, 5, 5, 8, 6, 1, 1, 1, 1, 1, 1, kValid, kNone, in0, out_sat, 0.02f, true, false},
		{kConv, 6, 6, 16, 8, 3, 3, 1, 1, 1, 1, kSame, kReluN1To1, in0, {0.02f, -10}, 0.005f, true, false},
	};
	const ConvSpec dw[] = {
		{kDepthwise, 8, 8, 4, 4, 3, 3, 1, 1, 1, 1, kSame, kNone, in0, out0, 0.02f, true, false},
		{kDepthwise, 9, 8, 3, 6, 3, 3, 2, 2, 1, 1, kValid, kRelu6, in_lo, out_lo, 0.03f, true, false},
		{kDepthwise, 7, 7, 2, 2, 3, 3, 1, 1, 2, 2, kSame, kRelu, in_hi, out_hi, 0.02f, false, false},
		{kDepthwise, 6, 5, 5, 5, 2, 2, 1, 1, 1, 1, kValid, kNone, in0, out_sat, 0.05f, true, false},
	};
	const ConvSpec tconv[] = {
		{kTransposeConv, 4, 4, 3, 2, 3, 3, 2, 2, 1, 1, kSame, kNone, in0, out0, 0.02f, true, false},
		{kTransposeConv, 3, 5, 2, 3, 3, 2, 2, 1, 1, 1, kValid, kNone, in_lo, out_lo, 0.03f, true, false},
		{kTransposeConv, 5, 4, 4, 2, 2, 2, 1, 1, 1, 1, kSame, kNone, in_hi, out_sat, 0.01f, false, false},
	};
	const Q s16in{0.001f, 0}, s16out{0.004f, 0}, s16sat{0.0001f, 0};
	const ConvSpec s16[] = {
		{kConv, 6, 6, 3, 4, 3, 3, 1, 1, 1, 1, kSame, kNone, s16in, s16out, 0.01f, true, true},
		{kConv, 7, 6, 4, 3, 3, 3, 2, 2, 1, 1, kValid, kRelu6, s16in, s16sat, 0.02f, false, true},
		{kDepthwise, 6, 6, 3, 6, 3, 3, 1, 1, 1, 1, kSame, kNone, s16in, s16out, 0.02f, true, true},
		{kDepthwise, 5, 7, 4, 4, 2, 2, 2, 1, 1, 1, kValid, kRelu, s16in, s16sat, 0.03f, true, true},
	};
	uint64_t seed = 100;
	int i = 0;
	for (const auto &s : conv)
		cases->push_back(Conv("conv" + std::to_string(i++), s, seed++));
	i = 0;
	for (const auto &s : dw)
		cases->push_back(Conv("dwconv" + std::to_string(i++), s, seed++));
	i = 0;
	for (const auto &s : tconv)
		cases->push_back(Conv("tconv" + std::to_string(i++), s, seed++));
	i = 0;
	for (const auto &s : s16)
		cases->push_back(Conv("s16conv" + std::to_string(i++), s, seed++));

	const FcSpec fc[] = {
		{1, 16, 8, kNone, in0, out0, 0.01f, false},
		{3, 10, 5, kRelu, in_lo, out_lo, 0.02f, false},
		{2, 64, 4, kRelu6, in_hi, out_sat, 0.01f, false},
		{1, 40, 6, kNone, s16in, s16out, 0.01f, true},
		{2, 12, 5, kNone, s16in, s16sat, 0.02f, true},
	};
	i = 0;
	for (const auto &s : fc)
		cases->push_back(FullyConnected("fc" + std::to_string(i++), s, seed++));
}

// ---- pools ------------------------------------------------------------------

void PoolCases(std::vector<Case> *cases)
{
	struct P {
		int32_t op;
		int H, W, C, KH, KW, sh, sw, padding, act;
		Q q;
	} specs[] = {
		{TFLITE_OP_AVERAGE_POOL_2D, 8, 8, 3, 2, 2, 2, 2, kValid, kNone, {0.05f, 3}},
		{TFLITE_OP_AVERAGE_POOL_2D, 7, 9, 4, 3, 3, 1, 2, kSame, kRelu6, {0.05f, -128}},
		{TFLITE_OP_AVERAGE_POOL_2D, 5, 5, 2, 5, 5, 1, 1, kValid, kNone, {0.1f, 127}},
		{TFLITE_OP_MAX_POOL_2D, 8, 8, 3, 2, 2, 2, 2, kValid, kNone, {0.05f, 3}},
		{TFLITE_OP_MAX_POOL_2D, 7, 9, 4, 3, 3, 1, 2, kSame, kRelu, {0.05f, -20}},
	};
	int i = 0;
	for (const auto &s : specs) {
		Rng r(uint64_t(200 + i));
		Graph gr;
		int x = gr.Input({1, s.H, s.W, s.C}, kI8, s.q, r);
		int y = gr.Output({1, ConvOut(s.padding, s.H, s.KH, s.sh, 1),
				   ConvOut(s.padding, s.W, s.KW, s.sw, 1), s.C}, kI8, s.q);
		gr.g.AddOp(s.op, {x}, {y}, TFLITE_OPTIONS_POOL_2D,
			   Options({{0, Bytes<int8_t>(int8_t(s.padding))}, {1, Bytes<int32_t>(s.sw)},
				    {2, Bytes<int32_t>(s.sh)}, {3, Bytes<int32_t>(s.KW)},
				    {4, Bytes<int32_t>(s.KH)}, {5, Bytes<int8_t>(int8_t(s.act))}}));
		cases->push_back(gr.Finish(s.op == TFLITE_OP_MAX_POOL_2D ? "MAX_POOL_2D" :
					   "AVERAGE_POOL_2D", "pool" + std::to_string(i++)));
	}
}

// ---- elementwise binary operators -------------------------------------------

std::vector<int32_t> Broadcast(const std::vector<int32_t> &a, const std::vector<int32_t> &b)
{
	size_t n = std::max(a.size(), b.size());
	std::vector<int32_t> out(n);
	for (size_t i = 0; i < n; i++) {
		int32_t da = i >= n - a.size() ? a[i - (n - a.size())] : 1;
		int32_t db = i >= n - b.size() ? b[i - (n - b.size())] : 1;
		out[i] = std::max(da, db);
	}
	return out;
}

// The flat index into a (right-aligned, broadcast) of output element i.
size_t BroadcastIndex(size_t i, const std::vector<int32_t> &out, const std::vector<int32_t> &a)
{
	size_t idx = 0, stride = 1;
	for (size_t d = out.size(); d-- > 0;) {
		size_t coord = i % size_t(out[d]);
		i /= size_t(out[d]);
		size_t ad = d + a.size();
		if (ad < out.size())
			continue;
		ad -= out.size();
		if (a[ad] > 1)
			idx += coord * stride;
		stride *= size_t(a[ad]);
	}
	return idx;
}

// TFLite's int8 ADD / SUB (left shift 20, the inputs rescaled to twice the
// larger scale, then to the output), in both rounding modes.
void AddSubRefs(bool sub, Q xq, Q kq, Q yq, int act, const std::vector<int32_t> &xs,
		const std::vector<int32_t> &ks, const std::vector<int32_t> &xv,
		const std::vector<int32_t> &kv, Case *c)
{
	const double twice = 2 * std::max(xq.scale, kq.scale);
	int32_t m1, m2, mo;
	int s1, s2, so;
	QuantizeMultiplier(xq.scale / twice, &m1, &s1);
	QuantizeMultiplier(kq.scale / twice, &m2, &s2);
	QuantizeMultiplier(twice / ((1 << 20) * yq.scale), &mo, &so);
	int32_t lo, hi;
	ActRange(act, yq, kI8, &lo, &hi);
	// XNNPACK: the ratios in float, multipliers of 21 bits (the larger
	// one's exponent sets the shift), one rounding shift of the sum.
	const float xr = xq.scale / yq.scale, kr = (sub ? -1.0f : 1.0f) * (kq.scale / yq.scale);
	int exponent;
	std::frexp(std::max(std::fabs(xr), std::fabs(kr)), &exponent);
	const int xshift = 20 - (exponent - 1);
	const int64_t xm = std::lrint(std::ldexp(xr, xshift)), km = std::lrint(std::ldexp(kr, xshift));
	std::vector<int32_t> ys = Broadcast(xs, ks);
	for (size_t i = 0; i < Count(ys); i++) {
		int32_t a = (xv[BroadcastIndex(i, ys, xs)] - xq.zp) * (1 << 20);
		int32_t b = (kv[BroadcastIndex(i, ys, ks)] - kq.zp) * (1 << 20);
		int32_t d1 = MultiplyDoubleRounding(a, m1, s1), d2 = MultiplyDoubleRounding(b, m2, s2);
		int64_t e1 = MultiplySingleRounding(a, m1, s1), e2 = MultiplySingleRounding(b, m2, s2);
		int64_t d = MultiplyDoubleRounding(sub ? d1 - d2 : d1 + d2, mo, so) + yq.zp;
		int64_t e = MultiplySingleRounding(sub ? e1 - e2 : e1 + e2, mo, so) + yq.zp;
		c->ref_double.push_back(int32_t(std::min<int64_t>(std::max<int64_t>(d, lo), hi)));
		c->ref_single.push_back(int32_t(std::min<int64_t>(std::max<int64_t>(e, lo), hi)));
		int64_t sum = (int64_t(xv[BroadcastIndex(i, ys, xs)]) - xq.zp) * xm +
			      (int64_t(kv[BroadcastIndex(i, ys, ks)]) - kq.zp) * km +
			      (int64_t(1) << (xshift - 1));
		int64_t x = (sum >> xshift) + yq.zp;
		c->ref_xnn.push_back(int32_t(std::min<int64_t>(std::max<int64_t>(x, lo), hi)));
	}
}

void BinaryCases(std::vector<Case> *cases)
{
	struct B {
		const char *op;
		int32_t code;
		uint8_t options_type;
		std::vector<int32_t> xs, ks;
		Q xq, kq, yq;
		int act;
		int8_t type;
	} specs[] = {
		{"ADD", TFLITE_OP_ADD, TFLITE_OPTIONS_ADD, {1, 4, 4, 6}, {1, 4, 4, 6},
		 {0.05f, 3}, {0.03f, -7}, {0.08f, -2}, kNone, kI8},
		{"ADD", TFLITE_OP_ADD, TFLITE_OPTIONS_ADD, {1, 3, 5, 4}, {4},
		 {0.02f, -128}, {0.1f, 127}, {0.05f, 0}, kRelu, kI8},
		{"ADD", TFLITE_OP_ADD, TFLITE_OPTIONS_ADD, {2, 3, 4}, {1},
		 {0.05f, 0}, {0.05f, 0}, {0.01f, 20}, kRelu6, kI8},
		{"ADD int16", TFLITE_OP_ADD, TFLITE_OPTIONS_ADD, {1, 4, 4, 5}, {1, 1, 1, 5},
		 {0.001f, 0}, {0.0007f, 0}, {0.0015f, 0}, kNone, kI16},
		{"ADD int16", TFLITE_OP_ADD, TFLITE_OPTIONS_ADD, {1, 3, 3, 4}, {1, 3, 3, 4},
		 {0.002f, 0}, {0.001f, 0}, {0.001f, 0}, kRelu, kI16},
		{"SUB", TFLITE_OP_SUB, TFLITE_OPTIONS_SUB, {1, 4, 4, 6}, {1, 4, 4, 6},
		 {0.05f, 3}, {0.03f, -7}, {0.08f, -2}, kNone, kI8},
		{"SUB", TFLITE_OP_SUB, TFLITE_OPTIONS_SUB, {1, 3, 5, 4}, {1, 1, 5, 1},
		 {0.02f, 127}, {0.1f, -128}, {0.05f, 0}, kRelu6, kI8},
		{"MUL", TFLITE_OP_MUL, TFLITE_OPTIONS_MUL, {1, 4, 4, 6}, {1, 4, 4, 6},
		 {0.05f, 3}, {0.03f, -7}, {0.08f, -2}, kNone, kI8},
		{"MUL", TFLITE_OP_MUL, TFLITE_OPTIONS_MUL, {1, 3, 5, 4}, {4},
		 {0.02f, -128}, {0.1f, 127}, {0.01f, 5}, kRelu, kI8},
		{"MUL", TFLITE_OP_MUL, TFLITE_OPTIONS_MUL, {2, 6}, {1},
		 {0.1f, 0}, {0.2f, 10}, {0.004f, -1}, kNone, kI8},
		{"MAXIMUM", TFLITE_OP_MAXIMUM, TFLITE_OPTIONS_MAXIMUM_MINIMUM, {1, 4, 4, 6}, {6},
		 {0.05f, 3}, {0.05f, 3}, {0.05f, 3}, kNone, kI8},
		{"MINIMUM", TFLITE_OP_MINIMUM, TFLITE_OPTIONS_MAXIMUM_MINIMUM, {1, 4, 4, 6}, {1, 4, 1, 1},
		 {0.05f, -128}, {0.05f, -128}, {0.05f, -128}, kNone, kI8},
	};
	int i = 0;
	for (const auto &s : specs) {
		Rng r(uint64_t(300 + i));
		Graph gr;
		int x = gr.Input(s.xs, s.type, s.xq, r);
		std::vector<int32_t> kv = RandomInput(r, Count(s.ks), s.type);
		int k = gr.Const("k", s.ks, s.type, s.kq, kv);
		int y = gr.Output(Broadcast(s.xs, s.ks), s.type, s.yq);
		NodeP opts = nullptr;
		if (s.code == TFLITE_OP_ADD || s.code == TFLITE_OP_SUB)
			// pot_scale_int16 false: the general int16 rescaling, as aiot
			opts = Options({{0, Bytes<int8_t>(int8_t(s.act))}, {1, Bytes<uint8_t>(0)}});
		else if (s.code == TFLITE_OP_MUL)
			opts = Options({{0, Bytes<int8_t>(int8_t(s.act))}});
		gr.g.AddOp(s.code, {x, k}, {y}, opts ? s.options_type : 0, opts);
		Case c = gr.Finish(s.op, "binary" + std::to_string(i++));
		if (s.type == kI8 && (s.code == TFLITE_OP_ADD || s.code == TFLITE_OP_SUB))
			AddSubRefs(s.code == TFLITE_OP_SUB, s.xq, s.kq, s.yq, s.act, s.xs, s.ks,
				   gr.x_vals, kv, &c);
		cases->push_back(std::move(c));
	}
}

// ---- one-input operators ----------------------------------------------------

struct U {
	const char *op;
	int32_t code;
	uint8_t options_type;
	NodeP options;
	std::vector<int32_t> shape;
	int8_t xt;
	Q xq;
	int8_t yt;
	Q yq;
};

Case Unary(const U &s, const std::string &name, uint64_t seed)
{
	Rng r(seed);
	Graph gr;
	int x = gr.Input(s.shape, s.xt, s.xq, r);
	int y = gr.Output(s.shape, s.yt, s.yq);
	gr.g.AddOp(s.code, {x}, {y}, s.options ? s.options_type : 0, s.options);
	return gr.Finish(s.op, name);
}

// TFLite's int8 LEAKY_RELU: identity and alpha multipliers from float
// products (LeakyReluPrepare), both rounding modes; and XNNPACK's QS8
// Leaky ReLU, which the delegate runs it with.
void LeakyReluRefs(const U &s, Case *c)
{
	float alpha;
	std::memcpy(&alpha, s.options->scalars[0].data(), sizeof(alpha));
	int32_t mi, ma;
	int si, sa;
	QuantizeMultiplier(double(s.xq.scale * alpha / s.yq.scale), &ma, &sa);
	QuantizeMultiplier(double(s.xq.scale / s.yq.scale), &mi, &si);
	const XnnLeakyRelu xnn = XnnLeakyReluParams(s.xq.scale, s.xq.zp, s.yq.scale, s.yq.zp, alpha);
	std::vector<uint8_t> in = c->input;
	for (uint8_t byte : in) {
		int32_t v = int8_t(byte) - s.xq.zp;
		int32_t m = v >= 0 ? mi : ma, sh = v >= 0 ? si : sa;
		int64_t d = MultiplyDoubleRounding(v, m, sh) + s.yq.zp;
		int64_t e = MultiplySingleRounding(v, m, sh) + s.yq.zp;
		c->ref_double.push_back(int32_t(std::min<int64_t>(std::max<int64_t>(d, -128), 127)));
		c->ref_single.push_back(int32_t(std::min<int64_t>(std::max<int64_t>(e, -128), 127)));
		c->ref_xnn.push_back(XnnLeakyReluElement(xnn, int8_t(byte)));
	}
}

void UnaryCases(std::vector<Case> *cases)
{
	auto alpha = [](float a) { return Options({{0, Bytes<float>(a)}}); };
	auto beta = [](float b) { return Options({{0, Bytes<float>(b)}}); };
	const std::vector<int32_t> sh = {1, 4, 8, 8};
	const U specs[] = {
		{"LOGISTIC", TFLITE_OP_LOGISTIC, 0, nullptr, sh, kI8, {0.05f, 3}, kI8, {1.0f / 256, -128}},
		{"LOGISTIC", TFLITE_OP_LOGISTIC, 0, nullptr, sh, kI8, {0.1f, -128}, kI8, {1.0f / 256, -128}},
		{"LOGISTIC", TFLITE_OP_LOGISTIC, 0, nullptr, sh, kI8, {0.01f, 127}, kI8, {1.0f / 256, -128}},
		{"TANH", TFLITE_OP_TANH, 0, nullptr, sh, kI8, {0.05f, 3}, kI8, {1.0f / 128, 0}},
		{"TANH", TFLITE_OP_TANH, 0, nullptr, sh, kI8, {0.02f, -128}, kI8, {1.0f / 128, 0}},
		{"HARD_SWISH", TFLITE_OP_HARD_SWISH, 0, nullptr, sh, kI8, {0.05f, 3}, kI8, {0.03f, -20}},
		{"HARD_SWISH", TFLITE_OP_HARD_SWISH, 0, nullptr, sh, kI8, {0.1f, -128}, kI8, {0.05f, -128}},
		{"LEAKY_RELU", TFLITE_OP_LEAKY_RELU, TFLITE_OPTIONS_LEAKY_RELU, alpha(0.1f), sh, kI8,
		 {0.05f, 3}, kI8, {0.04f, -10}},
		{"LEAKY_RELU", TFLITE_OP_LEAKY_RELU, TFLITE_OPTIONS_LEAKY_RELU, alpha(0.5f), sh, kI8,
		 {0.02f, -128}, kI8, {0.03f, 127}},
		{"RELU", TFLITE_OP_RELU, 0, nullptr, sh, kI8, {0.05f, 3}, kI8, {0.03f, -128}},
		{"RELU6", TFLITE_OP_RELU6, 0, nullptr, sh, kI8, {0.05f, 3}, kI8, {0.05f, 3}},
		{"RELU_N1_TO_1", TFLITE_OP_RELU_N1_TO_1, 0, nullptr, sh, kI8, {0.02f, 0}, kI8, {0.01f, 1}},
		{"SOFTMAX", TFLITE_OP_SOFTMAX, TFLITE_OPTIONS_SOFTMAX, beta(1.0f), {2, 10}, kI8,
		 {0.1f, 3}, kI8, {1.0f / 256, -128}},
		{"SOFTMAX", TFLITE_OP_SOFTMAX, TFLITE_OPTIONS_SOFTMAX, beta(0.5f), {1, 3, 16}, kI8,
		 {0.05f, -128}, kI8, {1.0f / 256, -128}},
		{"SOFTMAX", TFLITE_OP_SOFTMAX, TFLITE_OPTIONS_SOFTMAX, beta(1.0f), {3, 7}, kI8,
		 {0.02f, 127}, kI16, {1.0f / 65536, -32768}},
		{"QUANTIZE", TFLITE_OP_QUANTIZE, 0, nullptr, sh, kI8, {0.05f, 3}, kI8, {0.07f, -40}},
		{"QUANTIZE", TFLITE_OP_QUANTIZE, 0, nullptr, sh, kI8, {0.05f, -128}, kI8, {0.01f, 127}},
		{"QUANTIZE", TFLITE_OP_QUANTIZE, 0, nullptr, sh, kI16, {0.001f, 0}, kI8, {0.1f, -3}},
	};
	int i = 0;
	for (const auto &s : specs) {
		Case c = Unary(s, "unary" + std::to_string(i), uint64_t(400 + i));
		i++;
		if (s.code == TFLITE_OP_LEAKY_RELU)
			LeakyReluRefs(s, &c);
		cases->push_back(std::move(c));
	}
}

// ---- data movement ----------------------------------------------------------

void ShapeCases(std::vector<Case> *cases)
{
	const Q q{0.05f, 3};
	uint64_t seed = 500;
	// RESHAPE
	{
		Rng r(seed++);
		Graph gr;
		int x = gr.Input({1, 4, 6, 2}, kI8, q, r);
		int y = gr.Output({1, 8, 6}, kI8, q);
		gr.g.AddOp(TFLITE_OP_RESHAPE, {x, gr.g.AddConstI32("shape", {1, 8, 6})}, {y},
			   TFLITE_OPTIONS_RESHAPE, Options({}));
		cases->push_back(gr.Finish("RESHAPE", "reshape0"));
	}
	// PAD, PADV2
	for (int v2 = 0; v2 < 2; v2++) {
		Rng r(seed++);
		Graph gr;
		Q pq = v2 ? Q{0.1f, -128} : q;
		int x = gr.Input({1, 3, 4, 2}, kI8, pq, r);
		int y = gr.Output({1, 6, 5, 4}, kI8, pq);
		std::vector<int32_t> in = {x, gr.g.AddConstI32("paddings", {0, 0, 1, 2, 0, 1, 1, 1},
								 {4, 2})};
		if (v2)
			in.push_back(gr.Const("value", {1}, kI8, pq, {77}));
		gr.g.AddOp(v2 ? TFLITE_OP_PADV2 : TFLITE_OP_PAD, in, {y});
		cases->push_back(gr.Finish(v2 ? "PADV2" : "PAD", v2 ? "padv2" : "pad"));
	}
	// TRANSPOSE
	const std::vector<std::vector<int32_t>> perms = {{0, 2, 1, 3}, {0, 3, 1, 2}, {2, 0, 1}};
	for (size_t i = 0; i < perms.size(); i++) {
		Rng r(seed++);
		Graph gr;
		std::vector<int32_t> xs = perms[i].size() == 4 ? std::vector<int32_t>{1, 3, 4, 5} :
								 std::vector<int32_t>{3, 4, 5};
		std::vector<int32_t> ys;
		for (int32_t p : perms[i])
			ys.push_back(xs[size_t(p)]);
		int x = gr.Input(xs, kI8, q, r);
		int y = gr.Output(ys, kI8, q);
		gr.g.AddOp(TFLITE_OP_TRANSPOSE, {x, gr.g.AddConstI32("perm", perms[i])}, {y});
		cases->push_back(gr.Finish("TRANSPOSE", "transpose" + std::to_string(i)));
	}
	// CONCATENATION: the input between two constants, on several axes.
	struct C {
		std::vector<int32_t> xs, ks;
		int axis;
		std::vector<int32_t> ys;
	} concats[] = {
		{{1, 3, 4, 2}, {1, 3, 4, 3}, 3, {1, 3, 4, 8}},
		{{1, 3, 4, 2}, {1, 2, 4, 2}, -3, {1, 7, 4, 2}},
		{{2, 5}, {1, 5}, 0, {4, 5}},
	};
	int i = 0;
	for (const auto &s : concats) {
		Rng r(seed++);
		Graph gr;
		int x = gr.Input(s.xs, kI8, q, r);
		int a = gr.Const("a", s.ks, kI8, q, RandomInput(r, Count(s.ks), kI8));
		int b = gr.Const("b", s.ks, kI8, q, RandomInput(r, Count(s.ks), kI8));
		int y = gr.Output(s.ys, kI8, q);
		gr.g.AddOp(TFLITE_OP_CONCATENATION, {a, x, b}, {y}, TFLITE_OPTIONS_CONCATENATION,
			   Options({{0, Bytes<int32_t>(s.axis)}, {1, Bytes<int8_t>(kNone)}}));
		cases->push_back(gr.Finish("CONCATENATION", "concat" + std::to_string(i++)));
	}
	// SPLIT / SPLIT_V, the parts concatenated back in reverse order.
	for (int v = 0; v < 2; v++) {
		Rng r(seed++);
		Graph gr;
		int x = gr.Input({1, 4, 6, 3}, kI8, q, r);
		std::vector<int32_t> sizes = v ? std::vector<int32_t>{1, 3, 2} :
						 std::vector<int32_t>{2, 2, 2};
		std::vector<int32_t> parts;
		for (size_t p = 0; p < sizes.size(); p++)
			parts.push_back(gr.g.AddTensor("part" + std::to_string(p), {1, 4, sizes[p], 3},
						       kI8, q.scale, q.zp));
		int axis = gr.g.AddConstI32("axis", {2}, {1});
		if (v)
			gr.g.AddOp(TFLITE_OP_SPLIT_V, {x, gr.g.AddConstI32("sizes", sizes), axis}, parts,
				   79, Options({{0, Bytes<int32_t>(3)}}));
		else
			gr.g.AddOp(TFLITE_OP_SPLIT, {axis, x}, parts, 35,
				   Options({{0, Bytes<int32_t>(3)}}));
		int y = gr.Output({1, 4, 6, 3}, kI8, q);
		gr.g.AddOp(TFLITE_OP_CONCATENATION, {parts[2], parts[1], parts[0]}, {y},
			   TFLITE_OPTIONS_CONCATENATION,
			   Options({{0, Bytes<int32_t>(2)}, {1, Bytes<int8_t>(kNone)}}));
		cases->push_back(gr.Finish(v ? "SPLIT_V" : "SPLIT", v ? "split_v" : "split"));
	}
	// SLICE
	{
		Rng r(seed++);
		Graph gr;
		int x = gr.Input({1, 5, 6, 4}, kI8, q, r);
		int y = gr.Output({1, 3, 3, 3}, kI8, q);
		gr.g.AddOp(TFLITE_OP_SLICE, {x, gr.g.AddConstI32("begin", {0, 1, 3, 1}),
					     gr.g.AddConstI32("size", {1, 3, -1, 3})}, {y});
		cases->push_back(gr.Finish("SLICE", "slice0"));
	}
	// STRIDED_SLICE: strides 2, a begin mask, a negative end, a reverse axis.
	struct S {
		std::vector<int32_t> begin, end, strides;
		int32_t begin_mask, end_mask;
		std::vector<int32_t> ys;
	} slices[] = {
		{{0, 1, 0, 0}, {1, 6, 7, 4}, {1, 2, 3, 1}, 0, 0, {1, 3, 3, 4}},
		{{0, 2, 1, 1}, {1, -1, 6, 4}, {1, 1, 2, 2}, 0b0010, 0, {1, 5, 3, 2}},
		{{0, 5, 0, 0}, {1, 0, 7, 4}, {1, -2, 1, 1}, 0, 0b0100, {1, 3, 7, 4}},
	};
	i = 0;
	for (const auto &s : slices) {
		Rng r(seed++);
		Graph gr;
		int x = gr.Input({1, 6, 7, 4}, kI8, q, r);
		int y = gr.Output(s.ys, kI8, q);
		gr.g.AddOp(TFLITE_OP_STRIDED_SLICE,
			   {x, gr.g.AddConstI32("begin", s.begin), gr.g.AddConstI32("end", s.end),
			    gr.g.AddConstI32("strides", s.strides)},
			   {y}, TFLITE_OPTIONS_STRIDED_SLICE,
			   Options({{0, Bytes<int32_t>(s.begin_mask)}, {1, Bytes<int32_t>(s.end_mask)}}));
		cases->push_back(gr.Finish("STRIDED_SLICE", "strided_slice" + std::to_string(i++)));
	}
}

// ---- reductions and resizes -------------------------------------------------

// An int8 MEAN or SUM: each output by TFLite Micro's integer
// QuantizedMeanOrSum (aiot's) and, where TFLite's reduce.cc takes its
// float-rescaled QuantizedMeanOrSum, by that. Its MEAN over axes 1 and 2
// of a 4-D input kept, and a MEAN or SUM whose quantizations are equal,
// take integer kernels not written out here (identical on these inputs).
void ReduceRefs(bool sum, const std::vector<int32_t> &xs, const std::vector<int32_t> &axes,
		bool keep, Q xq, Q yq, const std::vector<int32_t> &xv, Case *c)
{
	const int rank = int(xs.size());
	std::vector<bool> reduced(xs.size(), false);
	for (int32_t a : axes)
		reduced[size_t(a < 0 ? a + rank : a)] = true;
	const bool same = xq.scale == yq.scale && xq.zp == yq.zp;
	const bool mean_hw = keep && rank == 4 && reduced[1] && reduced[2] && !reduced[0] &&
			     !reduced[3];
	if (same || (!sum && mean_hw))
		return;
	Reduce r{xq.scale, yq.scale, xq.zp, yq.zp, 1, sum};
	std::vector<int32_t> kept; // the output's dims, reduced ones 1
	for (size_t d = 0; d < xs.size(); d++) {
		if (reduced[d])
			r.n *= xs[d];
		kept.push_back(reduced[d] ? 1 : xs[d]);
	}
	std::vector<int32_t> sums(Count(kept), 0);
	for (size_t i = 0; i < xv.size(); i++) {
		size_t rest = i, o = 0, stride = 1;
		for (size_t d = xs.size(); d-- > 0;) { // row-major, last dim fastest
			size_t coord = rest % size_t(xs[d]);
			rest /= size_t(xs[d]);
			if (!reduced[d])
				o += coord * stride;
			stride *= size_t(kept[d]);
		}
		sums[o] += xv[i];
	}
	for (int32_t s : sums) {
		c->ref_double.push_back(TflmIntegerReduce(r, s));
		c->ref_float.push_back(TfliteFloatReduce(r, s));
	}
}

void ReduceCases(std::vector<Case> *cases)
{
	struct R {
		const char *op;
		int32_t code;
		std::vector<int32_t> xs, axes;
		bool keep;
		std::vector<int32_t> ys;
		Q xq, yq;
		int8_t type;
	} specs[] = {
		{"MEAN", TFLITE_OP_MEAN, {1, 5, 6, 4}, {1, 2}, true, {1, 1, 1, 4},
		 {0.05f, 3}, {0.02f, -5}, kI8},
		{"MEAN", TFLITE_OP_MEAN, {1, 5, 6, 4}, {1, 2}, true, {1, 1, 1, 4},
		 {0.05f, 3}, {0.05f, 3}, kI8},
		{"MEAN", TFLITE_OP_MEAN, {1, 4, 6, 5}, {3}, false, {1, 4, 6},
		 {0.05f, -128}, {0.04f, 10}, kI8},
		{"MEAN", TFLITE_OP_MEAN, {2, 3, 8}, {-1, 0}, true, {1, 3, 1},
		 {0.002f, 0}, {0.001f, 0}, kI16},
		{"SUM", TFLITE_OP_SUM, {1, 4, 5, 3}, {1}, true, {1, 1, 5, 3},
		 {0.02f, 1}, {0.1f, -2}, kI8},
		{"SUM", TFLITE_OP_SUM, {1, 4, 5, 3}, {1, 2}, false, {1, 3},
		 {0.01f, 127}, {0.3f, 0}, kI8},
	};
	int i = 0;
	for (const auto &s : specs) {
		Rng r(uint64_t(600 + i));
		Graph gr;
		int x = gr.Input(s.xs, s.type, s.xq, r);
		int y = gr.Output(s.ys, s.type, s.yq);
		gr.g.AddOp(s.code, {x, gr.g.AddConstI32("axes", s.axes)}, {y}, TFLITE_OPTIONS_REDUCER,
			   Options({{0, Bytes<uint8_t>(s.keep)}}));
		Case c = gr.Finish(s.op + std::string(s.type == kI16 ? " int16" : ""),
				   "reduce" + std::to_string(i++));
		if (s.type == kI8)
			ReduceRefs(s.code == TFLITE_OP_SUM, s.xs, s.axes, s.keep, s.xq, s.yq,
				   gr.x_vals, &c);
		cases->push_back(std::move(c));
	}
}

void ResizeCases(std::vector<Case> *cases)
{
	struct Z {
		bool bilinear, align, half;
		int H, W, OH, OW;
	} specs[] = {
		{true, false, false, 4, 5, 7, 9},
		{true, true, false, 4, 5, 7, 9},
		{true, false, true, 5, 4, 8, 3},
		{false, false, false, 4, 5, 7, 9},
		{false, true, false, 4, 5, 8, 10},
		{false, false, true, 5, 4, 3, 7},
	};
	int i = 0;
	for (const auto &s : specs) {
		Rng r(uint64_t(700 + i));
		Graph gr;
		const Q q{0.05f, -7};
		int x = gr.Input({1, s.H, s.W, 3}, kI8, q, r);
		int y = gr.Output({1, s.OH, s.OW, 3}, kI8, q);
		int size = gr.g.AddConstI32("size", {s.OH, s.OW});
		if (s.bilinear)
			gr.g.AddOp(TFLITE_OP_RESIZE_BILINEAR, {x, size}, {y},
				   TFLITE_OPTIONS_RESIZE_BILINEAR,
				   Options({{2, Bytes<uint8_t>(s.align)}, {3, Bytes<uint8_t>(s.half)}}));
		else
			gr.g.AddOp(TFLITE_OP_RESIZE_NEAREST_NEIGHBOR, {x, size}, {y},
				   TFLITE_OPTIONS_RESIZE_NEAREST_NEIGHBOR,
				   Options({{0, Bytes<uint8_t>(s.align)}, {1, Bytes<uint8_t>(s.half)}}));
		Case c = gr.Finish(s.bilinear ? "RESIZE_BILINEAR" : "RESIZE_NEAREST_NEIGHBOR",
				   "resize" + std::to_string(i++));
		if (s.bilinear) {
			// aiot: the reference's 10-bit fixed point; TFLite: the
			// delegate's XNNPACK S8 bilinear, 11-bit weights.
			const Resize rz{s.H, s.W, s.OH, s.OW, 3, s.align, s.half};
			std::vector<int8_t> in(gr.x_vals.begin(), gr.x_vals.end());
			for (int oy = 0; oy < s.OH; oy++)
				for (int ox = 0; ox < s.OW; ox++)
					for (int ch = 0; ch < rz.C; ch++) {
						c.ref_double.push_back(
							RefBilinearElement(rz, in.data(), oy, ox, ch));
						c.ref_xnn.push_back(
							XnnBilinearElement(rz, in.data(), oy, ox, ch));
					}
		}
		cases->push_back(std::move(c));
	}
}

// ---- a graph that ends with DEQUANTIZE: float32 out ---------------------------

// x -> [LOGISTIC or SOFTMAX, or nothing] -> DEQUANTIZE -> float32 y. aiot
// leaves the DEQUANTIZE to the host (the blob's output is the integer
// tensor, marked); TFLite runs it. The floats must be equal bit for bit.
void DequantizeCases(std::vector<Case> *cases)
{
	struct D {
		int32_t code;	// the operator before the DEQUANTIZE, or -1
		std::vector<int32_t> shape;
		int8_t xt;
		Q xq;
		Q mq;		// its output's quantization
	} specs[] = {
		{TFLITE_OP_LOGISTIC, {1, 4, 8, 8}, kI8, {0.05f, 3}, {1.0f / 256, -128}},
		{TFLITE_OP_SOFTMAX, {2, 12}, kI8, {0.1f, -5}, {1.0f / 256, -128}},
		{-1, {1, 3, 5, 7}, kI8, {0.0123f, 7}, {}},
		{-1, {1, 2, 64}, kI16, {0.00123f, 0}, {}},
	};
	int i = 0;
	for (const D &s : specs) {
		Rng r(uint64_t(900 + i));
		Graph gr;
		int x = gr.Input(s.shape, s.xt, s.xq, r), m = x;
		if (s.code >= 0) {
			m = gr.g.AddTensor("m", s.shape, s.xt, s.mq.scale, s.mq.zp);
			if (s.code == TFLITE_OP_SOFTMAX)
				gr.g.AddOp(s.code, {x}, {m}, TFLITE_OPTIONS_SOFTMAX,
					   Options({{0, Bytes<float>(1.0f)}}));
			else
				gr.g.AddOp(s.code, {x}, {m});
		}
		gr.y = gr.g.AddTensor("y_float", s.shape, TFLITE_TYPE_FLOAT32);
		gr.y_shape = s.shape;
		gr.y_type = TFLITE_TYPE_FLOAT32;
		gr.g.AddOp(TFLITE_OP_DEQUANTIZE, {m}, {gr.y});
		Case c = gr.Finish("DEQUANTIZE (float out)", "dequant" + std::to_string(i++));
		c.float_out = true;
		cases->push_back(std::move(c));
	}
}

// ---- int16 elements (ISA 1.8 and the data movement of ISA 1.2) --------------

// The operators TFLite Micro also runs on int16, each once with int16
// tensors (zero point 0, as TFLite's int16 quantization makes them; SUB's
// zero points are not required to be 0 and are not here either). No
// delegate takes int16, so TFLite's own kernels answer: every element must
// be identical.
// int16 SOFTMAX as TFLite Micro (aiot) and TFLite compute it: float
// tables and double(scale) * double(beta), double tables and the float
// product (tflite_check_rounding.h).
void Softmax16Refs(const U &s, Case *c)
{
	float beta;
	std::memcpy(&beta, s.options->scalars[0].data(), sizeof(beta));
	std::vector<int16_t> x(c->input.size() / 2);
	std::memcpy(x.data(), c->input.data(), x.size() * 2);
	int16_t exp_f[513], recip_f[513], exp_d[513], recip_d[513];
	SoftmaxGenLut<float>(true, exp_f);
	SoftmaxGenLut<float>(false, recip_f);
	SoftmaxGenLut<double>(true, exp_d);
	SoftmaxGenLut<double>(false, recip_d);
	int32_t m_micro, m_lite;
	int sh_micro, sh_lite;
	QuantizeMultiplier(double(s.xq.scale) * double(beta) / (10.0 / 65535.0), &m_micro,
			   &sh_micro);
	QuantizeMultiplier(double(s.xq.scale * beta) / (10.0 / 65535.0), &m_lite, &sh_lite);
	const size_t depth = size_t(s.shape.back());
	c->ref_double = SoftmaxInt16(x, depth, m_micro, sh_micro, exp_f, recip_f);
	c->ref_tables = SoftmaxInt16(x, depth, m_lite, sh_lite, exp_d, recip_d);
}

void Int16Cases(std::vector<Case> *cases)
{
	const Q q{0.002f, 0};
	uint64_t seed = 1000;
	int i = 0;
	auto name = [&] { return "int16_" + std::to_string(i++); };
	for (int32_t op : {TFLITE_OP_AVERAGE_POOL_2D, TFLITE_OP_MAX_POOL_2D}) {
		Rng r(seed++);
		Graph gr;
		int x = gr.Input({1, 7, 9, 4}, kI16, q, r);
		int y = gr.Output({1, 7, 5, 4}, kI16, q);
		gr.g.AddOp(op, {x}, {y}, TFLITE_OPTIONS_POOL_2D,
			   Options({{0, Bytes<int8_t>(int8_t(kSame))}, {1, Bytes<int32_t>(2)},
				    {2, Bytes<int32_t>(1)}, {3, Bytes<int32_t>(3)},
				    {4, Bytes<int32_t>(3)}, {5, Bytes<int8_t>(int8_t(kRelu))}}));
		cases->push_back(gr.Finish(op == TFLITE_OP_MAX_POOL_2D ? "MAX_POOL_2D int16" :
					   "AVERAGE_POOL_2D int16", name()));
	}
	struct B {
		const char *op;
		int32_t code;
		uint8_t options_type;
		std::vector<int32_t> xs, ks;
		Q xq, kq, yq;
		int act;
	} binary[] = {
		{"SUB int16", TFLITE_OP_SUB, TFLITE_OPTIONS_SUB, {1, 4, 4, 6}, {1, 4, 4, 6},
		 {0.001f, 0}, {0.0007f, 0}, {0.0015f, 0}, kNone},
		{"SUB int16", TFLITE_OP_SUB, TFLITE_OPTIONS_SUB, {1, 3, 5, 4}, {1, 1, 5, 1},
		 {0.002f, 0}, {0.01f, 0}, {0.005f, 0}, kRelu6},
		{"MUL int16", TFLITE_OP_MUL, TFLITE_OPTIONS_MUL, {1, 4, 4, 6}, {1, 4, 4, 6},
		 {0.001f, 0}, {0.002f, 0}, {0.0001f, 0}, kNone},
		{"MUL int16", TFLITE_OP_MUL, TFLITE_OPTIONS_MUL, {1, 3, 5, 4}, {4},
		 {0.0003f, 0}, {0.001f, 0}, {0.00004f, 0}, kRelu},
		{"MAXIMUM int16", TFLITE_OP_MAXIMUM, TFLITE_OPTIONS_MAXIMUM_MINIMUM, {1, 4, 4, 6},
		 {6}, q, q, q, kNone},
		{"MINIMUM int16", TFLITE_OP_MINIMUM, TFLITE_OPTIONS_MAXIMUM_MINIMUM, {1, 4, 4, 6},
		 {1, 4, 1, 1}, q, q, q, kNone},
	};
	for (const auto &s : binary) {
		Rng r(seed++);
		Graph gr;
		int x = gr.Input(s.xs, kI16, s.xq, r);
		int k = gr.Const("k", s.ks, kI16, s.kq, RandomInput(r, Count(s.ks), kI16));
		int y = gr.Output(Broadcast(s.xs, s.ks), kI16, s.yq);
		NodeP opts = nullptr;
		if (s.code == TFLITE_OP_SUB)
			// pot_scale_int16 false: the general int16 rescaling, as aiot
			opts = Options({{0, Bytes<int8_t>(int8_t(s.act))}, {1, Bytes<uint8_t>(0)}});
		else if (s.code == TFLITE_OP_MUL)
			opts = Options({{0, Bytes<int8_t>(int8_t(s.act))}});
		gr.g.AddOp(s.code, {x, k}, {y}, opts ? s.options_type : 0, opts);
		cases->push_back(gr.Finish(s.op, name()));
	}
	const std::vector<int32_t> sh = {1, 4, 8, 8};
	auto beta = [](float b) { return Options({{0, Bytes<float>(b)}}); };
	const Q kSoftmax16Out{1.0f / 32768, 0};
	const U unary[] = {
		{"LEAKY_RELU int16", TFLITE_OP_LEAKY_RELU, TFLITE_OPTIONS_LEAKY_RELU,
		 Options({{0, Bytes<float>(0.1f)}}), sh, kI16, {0.001f, 0}, kI16, {0.0008f, 0}},
		{"RELU int16", TFLITE_OP_RELU, 0, nullptr, sh, kI16, {0.001f, 0}, kI16, {0.0007f, 0}},
		{"RELU6 int16", TFLITE_OP_RELU6, 0, nullptr, sh, kI16, {0.0003f, 0}, kI16,
		 {0.0003f, 0}},
		// Input scales that are not powers of two: for those TFLite runs
		// the table kernel TFLite Micro always runs (for a power of two
		// its optimized build takes a gemmlowp one instead).
		{"LOGISTIC int16", TFLITE_OP_LOGISTIC, 0, nullptr, sh, kI16, {0.0007f, 0}, kI16,
		 {1.0f / 32768, 0}},
		{"LOGISTIC int16", TFLITE_OP_LOGISTIC, 0, nullptr, sh, kI16, {0.00023f, 0}, kI16,
		 {1.0f / 32768, 0}},
		{"TANH int16", TFLITE_OP_TANH, 0, nullptr, sh, kI16, {0.0005f, 0}, kI16,
		 {1.0f / 32768, 0}},
		{"TANH int16", TFLITE_OP_TANH, 0, nullptr, sh, kI16, {0.00011f, 0}, kI16,
		 {1.0f / 32768, 0}},
		// ISA 1.9's SOFTMAX_S16: output scale 1/32768, zero point 0
		{"SOFTMAX int16", TFLITE_OP_SOFTMAX, TFLITE_OPTIONS_SOFTMAX, beta(1.0f), {2, 10},
		 kI16, {0.0002f, 0}, kI16, kSoftmax16Out},
		{"SOFTMAX int16", TFLITE_OP_SOFTMAX, TFLITE_OPTIONS_SOFTMAX, beta(0.5f), {1, 3, 16},
		 kI16, {0.0005f, 0}, kI16, kSoftmax16Out},
		{"SOFTMAX int16", TFLITE_OP_SOFTMAX, TFLITE_OPTIONS_SOFTMAX, beta(2.0f), {3, 7},
		 kI16, {0.00005f, 0}, kI16, kSoftmax16Out},
		{"SOFTMAX int16", TFLITE_OP_SOFTMAX, TFLITE_OPTIONS_SOFTMAX, beta(1.0f), sh, kI16,
		 {1.0f / 32768, 0}, kI16, kSoftmax16Out},
		{"SOFTMAX int16", TFLITE_OP_SOFTMAX, TFLITE_OPTIONS_SOFTMAX, beta(0.25f),
		 {1, 1, 2, 100}, kI16, {0.003f, 0}, kI16, kSoftmax16Out},
	};
	for (const auto &s : unary) {
		Case c = Unary(s, name(), seed++);
		if (s.code == TFLITE_OP_SOFTMAX)
			Softmax16Refs(s, &c);
		cases->push_back(c);
	}
	for (int v2 = 0; v2 < 2; v2++) {
		Rng r(seed++);
		Graph gr;
		int x = gr.Input({1, 3, 4, 2}, kI16, q, r);
		int y = gr.Output({1, 6, 5, 4}, kI16, q);
		std::vector<int32_t> in = {x, gr.g.AddConstI32("paddings", {0, 0, 1, 2, 0, 1, 1, 1},
								 {4, 2})};
		if (v2)
			in.push_back(gr.Const("value", {1}, kI16, q, {-31000}));
		gr.g.AddOp(v2 ? TFLITE_OP_PADV2 : TFLITE_OP_PAD, in, {y});
		cases->push_back(gr.Finish(v2 ? "PADV2 int16" : "PAD int16", name()));
	}
	{
		Rng r(seed++);
		Graph gr;
		int x = gr.Input({1, 3, 4, 5}, kI16, q, r);
		int y = gr.Output({1, 5, 3, 4}, kI16, q);
		gr.g.AddOp(TFLITE_OP_TRANSPOSE, {x, gr.g.AddConstI32("perm", {0, 3, 1, 2})}, {y});
		cases->push_back(gr.Finish("TRANSPOSE int16", name()));
	}
	{
		Rng r(seed++);
		Graph gr;
		int x = gr.Input({1, 3, 4, 2}, kI16, q, r);
		int a = gr.Const("a", {1, 3, 4, 3}, kI16, q, RandomInput(r, 36, kI16));
		int y = gr.Output({1, 3, 4, 5}, kI16, q);
		gr.g.AddOp(TFLITE_OP_CONCATENATION, {a, x}, {y}, TFLITE_OPTIONS_CONCATENATION,
			   Options({{0, Bytes<int32_t>(-1)}, {1, Bytes<int8_t>(kNone)}}));
		cases->push_back(gr.Finish("CONCATENATION int16", name()));
	}
	for (int bilinear = 0; bilinear < 2; bilinear++) {
		for (int flags = 0; flags < 3; flags++) {
			const bool align = flags == 1, half = flags == 2;
			Rng r(seed++);
			Graph gr;
			int x = gr.Input({1, 4, 5, 3}, kI16, q, r);
			int y = gr.Output({1, 7, 9, 3}, kI16, q);
			int size = gr.g.AddConstI32("size", {7, 9});
			if (bilinear)
				gr.g.AddOp(TFLITE_OP_RESIZE_BILINEAR, {x, size}, {y},
					   TFLITE_OPTIONS_RESIZE_BILINEAR,
					   Options({{2, Bytes<uint8_t>(align)},
						    {3, Bytes<uint8_t>(half)}}));
			else
				gr.g.AddOp(TFLITE_OP_RESIZE_NEAREST_NEIGHBOR, {x, size}, {y},
					   TFLITE_OPTIONS_RESIZE_NEAREST_NEIGHBOR,
					   Options({{0, Bytes<uint8_t>(align)},
						    {1, Bytes<uint8_t>(half)}}));
			cases->push_back(gr.Finish(bilinear ? "RESIZE_BILINEAR int16" :
						   "RESIZE_NEAREST_NEIGHBOR int16", name()));
		}
	}
	// TRANSPOSE_CONV 16x8 (ISA 1.9): SAME and VALID, strides 1..3, with
	// and without bias, per-channel and per-tensor weights, a saturating
	// output scale, a 64-channel input. Without a bias this TFLite build
	// rounds once with the full multiplier where aiot (and TFLite Micro)
	// use the 16-bit one: explained per element (docs/tflite-check.md).
	const Q t_in{0.001f, 0}, t_out{0.004f, 0}, t_sat{0.0001f, 0}, t_deep{0.05f, 0};
	const ConvSpec tconv16[] = {
		{kTransposeConv, 4, 4, 3, 2, 3, 3, 2, 2, 1, 1, kSame, kNone, t_in, t_out, 0.02f,
		 true, true},
		{kTransposeConv, 3, 5, 2, 3, 3, 2, 2, 1, 1, 1, kValid, kNone, t_in, t_out, 0.03f,
		 false, true},
		{kTransposeConv, 5, 4, 4, 2, 2, 2, 1, 1, 1, 1, kSame, kNone, t_in, t_sat, 0.01f,
		 true, true, true},
		{kTransposeConv, 3, 3, 3, 4, 3, 3, 3, 3, 1, 1, kValid, kNone, t_in, t_out, 0.02f,
		 true, true, true},
		{kTransposeConv, 3, 3, 64, 3, 4, 4, 2, 2, 1, 1, kSame, kNone, t_in, t_deep, 0.01f,
		 true, true},
	};
	for (const auto &s : tconv16)
		cases->push_back(Conv(name(), s, seed++));
}

} // namespace

std::vector<Case> AllCases()
{
	std::vector<Case> cases;
	ConvCases(&cases);
	PoolCases(&cases);
	BinaryCases(&cases);
	UnaryCases(&cases);
	ShapeCases(&cases);
	ReduceCases(&cases);
	ResizeCases(&cases);
	DequantizeCases(&cases);
	Int16Cases(&cases);
	return cases;
}

} // namespace tflite_check
