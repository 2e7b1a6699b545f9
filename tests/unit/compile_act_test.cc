// SPDX-License-Identifier: GPL-2.0-only
// Lowering of ISA 1.3's operators from generated TFLite graphs: SUB, MUL,
// MAXIMUM, MINIMUM, RELU, RELU6, RELU_N1_TO_1, LEAKY_RELU, LOGISTIC, TANH and
// HARD_SWISH. Each graph is lowered, validated and run by the reference
// executor, and every output is compared with an independent transcription
// of TensorFlow Lite Micro's int8 kernel (its Prepare() arithmetic from the
// tensor scales included), over all 256 input values where there is one
// input, with extreme zero points and scales.
#include <gtest/gtest.h>

#include <cmath>

#include "compile_graph_util.h"

#include "isa_test_util.h"

extern "C" {
#include "aiot_isa.h"
#include "lower.h"
}

using namespace compile_test;
using namespace isa_test::ref;

namespace {

struct LoweredDeleter {
	void operator()(aiot_lowered_model *l) const { aiot_lowered_model_free(l); }
};

// Lowers a generated model, validates it and runs it on an input.
struct Lowered {
	std::unique_ptr<aiot_lowered_model, LoweredDeleter> l;
	std::string err;
	int rc = 0;

	explicit Lowered(const std::vector<uint8_t> &tflite)
	{
		std::string lerr;
		ModelPtr m = Load(tflite, &lerr);
		if (!m) {
			rc = -1;
			err = "load: " + lerr;
			return;
		}
		aiot_lowered_model *raw = nullptr;
		char msg[2048];
		rc = aiot_lower_model(m.get(), &raw, msg, sizeof(msg));
		if (rc)
			err = msg;
		l.reset(raw);
	}

	std::vector<int8_t> Run(const std::vector<int8_t> &in, uint32_t minor = 3)
	{
		std::vector<uint8_t> input(in.begin(), in.end()), output(l->output.bytes, 0x5a),
			arena(l->arena_size ? l->arena_size : 1, 0);
		input.resize(l->input.bytes);
		void *b[4] = {l->weights, input.data(), output.data(), arena.data()};
		u64 sz[4] = {l->weights_size, input.size(), output.size(), arena.size()};
		aiot_isa_summary sum;
		EXPECT_EQ(aiot_isa_validate(l->stream, l->stream_size, sz, 4, &sum), 0);
		EXPECT_EQ(sum.isa_minor, minor);
		EXPECT_EQ(aiot_isa_execute(l->stream, l->stream_size, b, sz, 4), 0);
		return std::vector<int8_t>(output.begin(), output.end());
	}
};

std::vector<int8_t> AllInt8()
{
	std::vector<int8_t> v(256);
	for (int i = 0; i < 256; i++)
		v[size_t(i)] = int8_t(i - 128);
	return v;
}

std::vector<uint8_t> U8(const std::vector<int8_t> &v) { return {v.begin(), v.end()}; }

NodeP ActOptions(int act)
{
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(uint8_t(act));
	return o;
}

NodeP AlphaOptions(float alpha)
{
	NodeP o = Table();
	o->scalars[0] = Bytes<float>(alpha);
	return o;
}

// CalculateActivationRangeQuantized for int8
void ActRange(int act, float scale, int zp, int *lo, int *hi)
{
	auto q = [&](float x) { return zp + int(std::round(x / scale)); };
	*lo = -128;
	*hi = 127;
	if (act == TFLITE_ACT_RELU || act == TFLITE_ACT_RELU6)
		*lo = std::max(*lo, q(0.0f));
	if (act == TFLITE_ACT_RELU6)
		*hi = std::min(*hi, q(6.0f));
	if (act == TFLITE_ACT_RELU_N1_TO_1) {
		*lo = std::max(*lo, q(-1.0f));
		*hi = std::min(*hi, q(1.0f));
	}
}

// A graph: x [1,2,2,4] (op) constant k [4] -> out [1,2,2,4]; k broadcasts.
struct BinaryCase {
	int32_t builtin;
	float sx, sk, so;
	int zx, zk, zo;
	int act;
};

std::vector<int8_t> BinaryRef(const BinaryCase &c, const std::vector<int8_t> &x,
			      const std::vector<int8_t> &k)
{
	std::vector<int8_t> out(x.size());
	int lo, hi;
	ActRange(c.act, c.so, c.zo, &lo, &hi);
	for (size_t i = 0; i < x.size(); i++) {
		const int8_t a = x[i], b = k[i % 4];
		int32_t v;
		if (c.builtin == TFLITE_OP_MAXIMUM) {
			v = std::max(a, b);
		} else if (c.builtin == TFLITE_OP_MINIMUM) {
			v = std::min(a, b);
		} else if (c.builtin == TFLITE_OP_MUL) {
			int32_t m;
			int s;
			QuantizeMultiplier(double(c.sx) * double(c.sk) / double(c.so), &m, &s);
			v = c.zo + MBQM((a - c.zx) * (b - c.zk), m, s);
			v = std::min(hi, std::max(lo, v));
		} else {
			// PrepareGeneralSubOp: left shift 20, twice the larger scale
			const float twice = 2 * std::max(c.sx, c.sk);
			int32_t m1, m2, mo;
			int s1, s2, so;
			QuantizeMultiplier(double(c.sx / twice), &m1, &s1);
			QuantizeMultiplier(double(c.sk / twice), &m2, &s2);
			QuantizeMultiplier(double(twice / ((1 << 20) * c.so)), &mo, &so);
			(void)twice;
			const int32_t y1 = RDBPOT(SRDHM((a - c.zx) * (1 << 20), m1), -s1);
			const int32_t y2 = RDBPOT(SRDHM((b - c.zk) * (1 << 20), m2), -s2);
			v = RDBPOT(SRDHM(y1 - y2, mo), -so) + c.zo;
			v = std::min(hi, std::max(lo, v));
		}
		out[i] = int8_t(v);
	}
	return out;
}

TEST(LowerIsa13, BinaryOpsWithABroadcastConstant)
{
	const BinaryCase cases[] = {
		{TFLITE_OP_SUB, 0.05f, 0.02f, 0.07f, -3, 10, 5, TFLITE_ACT_NONE},
		{TFLITE_OP_SUB, 0.5f, 0.5f, 0.01f, -128, 127, -128, TFLITE_ACT_RELU},
		{TFLITE_OP_SUB, 0.001f, 0.3f, 0.3f, 127, -128, 127, TFLITE_ACT_RELU6},
		{TFLITE_OP_MUL, 0.05f, 0.02f, 0.001f, -3, 10, 5, TFLITE_ACT_NONE},
		{TFLITE_OP_MUL, 0.5f, 0.25f, 0.0001f, -128, 127, 0, TFLITE_ACT_RELU_N1_TO_1},
		{TFLITE_OP_MUL, 1e-4f, 1e-4f, 1.0f, 127, -128, -128, TFLITE_ACT_RELU},
		{TFLITE_OP_MAXIMUM, 0.1f, 0.1f, 0.1f, 7, 7, 7, TFLITE_ACT_NONE},
		{TFLITE_OP_MINIMUM, 0.1f, 0.1f, 0.1f, -128, -128, -128, TFLITE_ACT_NONE},
	};
	const std::vector<int8_t> k = {-128, -1, 0, 127};
	for (const auto &c : cases) {
		GraphBuilder g;
		int x = g.AddTensor("x", {1, 2, 2, 4}, TFLITE_TYPE_INT8, c.sx, c.zx);
		int kt = g.AddTensor("k", {4}, TFLITE_TYPE_INT8, c.sk, c.zk, U8(k));
		int out = g.AddTensor("out", {1, 2, 2, 4}, TFLITE_TYPE_INT8, c.so, c.zo);
		if (c.builtin == TFLITE_OP_SUB)
			g.AddOp(c.builtin, {x, kt}, {out}, TFLITE_OPTIONS_SUB, ActOptions(c.act));
		else if (c.builtin == TFLITE_OP_MUL)
			g.AddOp(c.builtin, {x, kt}, {out}, TFLITE_OPTIONS_MUL, ActOptions(c.act));
		else
			g.AddOp(c.builtin, {x, kt}, {out});
		Lowered low(g.Serialize({x}, {out}));
		ASSERT_EQ(low.rc, 0) << low.err;
		EXPECT_EQ(low.l->isa_version, uint32_t(AIOT_ISA_VERSION(1, 3)));
		auto all = AllInt8();
		for (size_t at = 0; at < 256; at += 16) {
			std::vector<int8_t> in(all.begin() + long(at), all.begin() + long(at) + 16);
			EXPECT_EQ(low.Run(in), BinaryRef(c, in, k))
				<< tflite_builtin_name(c.builtin) << " at " << at << " zx " << c.zx;
		}
	}
}

TEST(LowerIsa13, MaximumNeedsOneQuantization)
{
	GraphBuilder g;
	int x = g.AddTensor("x", {1, 4}, TFLITE_TYPE_INT8, 0.1f, 0);
	int k = g.AddTensor("k", {1, 4}, TFLITE_TYPE_INT8, 0.2f, 0, {1, 2, 3, 4});
	int out = g.AddTensor("out", {1, 4}, TFLITE_TYPE_INT8, 0.1f, 0);
	g.AddOp(TFLITE_OP_MAXIMUM, {x, k}, {out});
	Lowered low(g.Serialize({x}, {out}));
	EXPECT_EQ(low.rc, -EINVAL);
	EXPECT_EQ(low.err, "operator 0 (MAXIMUM): inputs (0.1, 0) and (0.2, 0) are not "
			   "quantized as the output (0.1, 0)");
}

// One-input graph x [1,1,1,256] -> out, run on every int8 value.
std::vector<int8_t> RunUnary(int32_t builtin, float sx, int zx, float so, int zo,
			     uint8_t options_type = 0, NodeP options = nullptr,
			     uint32_t minor = 3, std::string *err = nullptr)
{
	GraphBuilder g;
	int x = g.AddTensor("x", {1, 1, 1, 256}, TFLITE_TYPE_INT8, sx, zx);
	int out = g.AddTensor("out", {1, 1, 1, 256}, TFLITE_TYPE_INT8, so, zo);
	g.AddOp(builtin, {x}, {out}, options_type, options);
	Lowered low(g.Serialize({x}, {out}));
	if (err)
		*err = low.err;
	if (low.rc)
		return {};
	EXPECT_EQ(low.l->isa_version, uint32_t(AIOT_ISA_VERSION(1, minor)));
	return low.Run(AllInt8(), minor);
}

TEST(LowerIsa13, ReluFamilyIsRequantizeOfIsa10)
{
	struct Q { float sx; int zx; float so; int zo; };
	const Q qs[] = {{0.05f, -10, 0.05f, -10}, {0.02f, 127, 0.07f, -128},
			{0.5f, -128, 0.01f, 3}, {0.003f, 0, 0.003f, 0}};
	for (const auto &q : qs) {
		// ReluQuantized: requantize, clamp below at the output zero point
		int32_t m;
		int s;
		QuantizeMultiplier(double(q.sx) / double(q.so), &m, &s);
		auto relu = RunUnary(TFLITE_OP_RELU, q.sx, q.zx, q.so, q.zo, 0, nullptr, 0);
		auto relu1 = RunUnary(TFLITE_OP_RELU_N1_TO_1, q.sx, q.zx, q.so, q.zo, 0, nullptr, 0);
		auto relu6 = RunUnary(TFLITE_OP_RELU6, q.sx, q.zx, q.so, q.zo, 0, nullptr, 0);
		ASSERT_EQ(relu.size(), 256u);
		ASSERT_EQ(relu1.size(), 256u);
		ASSERT_EQ(relu6.size(), 256u);
		const int six = std::min(127, q.zx + int(std::round(6.0f / q.sx)));
		const int n1 = std::max(-128, q.zo + int(std::round(-1.0f / q.so)));
		const int p1 = std::min(127, q.zo + int(std::round(1.0f / q.so)));
		for (int i = 0; i < 256; i++) {
			const int x = i - 128;
			const int v = std::min(127, std::max(-128, q.zo + MBQM(x - q.zx, m, s)));
			EXPECT_EQ(relu[size_t(i)], std::max(v, q.zo)) << "RELU x " << x;
			EXPECT_EQ(relu1[size_t(i)], std::min(p1, std::max(n1, v))) << "N1_TO_1 x " << x;
			// Relu6Quantized clamps the stored value in input units
			EXPECT_EQ(relu6[size_t(i)], std::min(six, std::max(q.zx, x))) << "RELU6 x " << x;
		}
	}
}

TEST(LowerIsa13, LeakyReluWithItsTwoMultipliers)
{
	struct Q { float sx; int zx; float so; int zo; float alpha; };
	const Q qs[] = {{0.05f, -10, 0.05f, -10, 0.2f}, {0.02f, 127, 0.01f, -128, 0.01f},
			{0.5f, -128, 0.1f, 127, 0.0f}, {0.01f, 5, 0.02f, -20, 3.0f}};
	for (const auto &q : qs) {
		auto y = RunUnary(TFLITE_OP_LEAKY_RELU, q.sx, q.zx, q.so, q.zo,
				  TFLITE_OPTIONS_LEAKY_RELU, AlphaOptions(q.alpha));
		ASSERT_EQ(y.size(), 256u) << q.alpha;
		int32_t mi, ma;
		int si, sa;
		QuantizeMultiplier(double(q.sx * q.alpha / q.so), &ma, &sa);
		QuantizeMultiplier(double(q.sx / q.so), &mi, &si);
		for (int i = 0; i < 256; i++) {
			const int v = i - 128 - q.zx;
			const int u = q.zo + (v >= 0 ? MBQM(v, mi, si) : MBQM(v, ma, sa));
			EXPECT_EQ(y[size_t(i)], std::min(127, std::max(-128, u)))
				<< "alpha " << q.alpha << " x " << i - 128;
		}
	}
	std::string err;
	EXPECT_TRUE(RunUnary(TFLITE_OP_LEAKY_RELU, 0.1f, 0, 0.1f, 0, TFLITE_OPTIONS_LEAKY_RELU,
			     AlphaOptions(-0.5f), 3, &err).empty());
	EXPECT_EQ(err, "operator 0 (LEAKY_RELU): alpha -0.5 is negative; only alpha >= 0 is "
		       "lowered");
}

// gemmlowp's logistic and tanh on FixedPoint<4>, from its definitions.
FP<0> Logistic4(FP<4> a)
{
	if (a.raw == 0)
		return FP<0>::FromRaw(1 << 30);
	FP<4> neg = a.raw > 0 ? FP<4>::FromRaw(-a.raw) : a;
	FP<0> pos = OneOverOnePlusX(ExpOnNegativeValues(neg));
	return a.raw > 0 ? pos : FP<0>::One() - pos;
}

FP<0> OneMinusXOverOnePlusX(FP<0> a)
{
	int64_t sum = int64_t(a.raw) + FP<0>::One().raw;
	FP<0> half_den = FP<0>{int32_t((sum + (sum >= 0 ? 1 : -1)) / 2)};
	FP<2> x = FP<2>::FromRaw(1515870810) + half_den * FP<2>::FromRaw(-1010580540);
	for (int i = 0; i < 3; i++)
		x = x + Rescale<2>(x * (FP<2>::One() - half_den * x));
	return Rescale<0>(x - FP<2>::One());
}

FP<0> Tanh4(FP<4> a)
{
	if (a.raw == 0)
		return FP<0>::FromRaw(0);
	FP<5> n = FP<5>::FromRaw(a.raw < 0 ? a.raw : -a.raw); // ExactMulByPot<1>
	FP<0> t = OneMinusXOverOnePlusX(ExpOnNegativeValues(n));
	return a.raw < 0 ? FP<0>::FromRaw(-t.raw) : t;
}

// reference_integer_ops::Logistic / Tanh with CalculateArithmeticOpData.
int8_t SigmoidRef(bool tanh, float scale, int zp, int8_t x)
{
	int shift;
	const double q = std::frexp(double(scale) * double(1 << 27), &shift);
	const int32_t mult = int32_t(std::round(q * double(1ll << 31)));
	const int radius = int(std::floor(15.0 * double(1ll << 27) / double(1ll << shift)));
	const int32_t v = x - zp;
	if (v <= -radius)
		return -128;
	if (v >= radius)
		return 127;
	const int32_t in4 = MBQM(v, mult, shift);
	int32_t r = tanh ? RDBPOT(Tanh4(FP<4>::FromRaw(in4)).raw, 24) :
			   RDBPOT(Logistic4(FP<4>::FromRaw(in4)).raw, 23) - 128;
	return int8_t(std::min(127, std::max(-128, r)));
}

TEST(LowerIsa13, LogisticAndTanhTablesMatchTflmInteger)
{
	struct Q { float sx; int zx; };
	const Q qs[] = {{0.1f, 0}, {0.0625f, -128}, {0.02f, 127}, {0.2317f, 13},
			{1.0f / 16, 0}, {0.004f, -50}, {3.0f, 0}, {8.5f, -1}};
	for (const auto &q : qs) {
		auto lo = RunUnary(TFLITE_OP_LOGISTIC, q.sx, q.zx, 1.0f / 256, -128);
		auto th = RunUnary(TFLITE_OP_TANH, q.sx, q.zx, 1.0f / 128, 0);
		ASSERT_EQ(lo.size(), 256u) << q.sx;
		ASSERT_EQ(th.size(), 256u) << q.sx;
		for (int i = 0; i < 256; i++) {
			const int8_t x = int8_t(i - 128);
			EXPECT_EQ(lo[size_t(i)], SigmoidRef(false, q.sx, q.zx, x))
				<< "LOGISTIC scale " << q.sx << " zp " << q.zx << " x " << int(x);
			EXPECT_EQ(th[size_t(i)], SigmoidRef(true, q.sx, q.zx, x))
				<< "TANH scale " << q.sx << " zp " << q.zx << " x " << int(x);
		}
		// and close to the real functions (a check on both implementations),
		// except where TFLite Micro's input radius is 0 (scale >= 8): there
		// the input equal to the zero point gives -128 (checked above)
		for (int i = 0; i < 256 && q.sx < 8; i++) {
			const double r = double(q.sx) * (i - 128 - q.zx);
			EXPECT_NEAR(lo[size_t(i)], std::min(127.0, 256.0 / (1 + std::exp(-r)) - 128), 1.01)
				<< q.sx << " " << i;
			EXPECT_NEAR(th[size_t(i)], std::min(127.0, 128.0 * std::tanh(r)), 1.01)
				<< q.sx << " " << i;
		}
		// saturating at the ends for a wide input range
		if (q.sx >= 0.1f) {
			EXPECT_EQ(lo[0], -128);
			EXPECT_EQ(lo[255], 127);
		}
	}
	std::string err;
	EXPECT_TRUE(RunUnary(TFLITE_OP_LOGISTIC, 0.1f, 0, 1.0f / 128, 0, 0, nullptr, 3, &err)
			    .empty());
	EXPECT_EQ(err, "operator 0 (LOGISTIC): output must have scale 1/256 and zero point -128 "
		       "(has 0.0078125, 0)");
	EXPECT_TRUE(RunUnary(TFLITE_OP_TANH, 1e-10f, 0, 1.0f / 128, 0, 0, nullptr, 3, &err)
			    .empty());
	EXPECT_EQ(err.rfind("operator 0 (TANH): input scale 1e-10 cannot be represented", 0), 0u)
		<< err;
}

// reference_ops::HardSwish<int8_t> with HardSwishPrepare's parameters
int16_t Srdhm16(int16_t a, int16_t b)
{
	if (a == b && a == INT16_MIN)
		return INT16_MAX;
	const int32_t ab = int32_t(a) * b;
	const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
	return int16_t((ab + nudge) / (1 << 15));
}

int16_t Rdbpot16(int16_t x, int e)
{
	const int16_t mask = int16_t((1ll << e) - 1);
	const int16_t thr = int16_t((mask >> 1) + (x < 0 ? 1 : 0));
	return int16_t((x >> std::min(e, 15)) + ((x & mask) > thr ? 1 : 0));
}

int16_t Shl16(int16_t a, int e)
{
	const int64_t w = int64_t(a) * (int64_t(1) << e);
	return int16_t(std::min<int64_t>(INT16_MAX, std::max<int64_t>(INT16_MIN, w)));
}

int16_t Down16(int32_t m)
{
	return m >= INT32_MAX - (1 << 15) ? INT16_MAX : int16_t((m + (1 << 15)) >> 16);
}

int8_t HardSwishRef(float sx, int zx, float so, int zo, int8_t x)
{
	const float hires = (1.0f / 128.0f) * sx;
	int32_t om32, rm32;
	int oe, re;
	QuantizeMultiplier(double(hires / so), &om32, &oe);
	QuantizeMultiplier(double(hires / (3.0f / 32768.0f)), &rm32, &re);
	const int16_t om = Down16(om32), rm = Down16(rm32);
	const int16_t v = int16_t(x - zx);
	const int16_t hv = int16_t(v * (1 << 7));
	const int16_t pre = Srdhm16(hv, om);
	int16_t r = hv;
	if (re > 0)
		r = Shl16(r, re - 1);
	r = Srdhm16(r, rm);
	if (re > 0)
		r = Shl16(r, 1);
	if (re < 0)
		r = Rdbpot16(r, -re);
	r = int16_t((r + (1 << 15)) >> 1);
	const int16_t prod = (r == INT16_MIN && pre == INT16_MIN) ?
				     INT16_MAX : int16_t(int32_t(r) * pre / (1 << 15));
	int16_t out = Rdbpot16(prod, -oe);
	out = int16_t(out + zo);
	return int8_t(std::min<int16_t>(127, std::max<int16_t>(-128, out)));
}

TEST(LowerIsa13, HardSwishTableMatchesTflmInteger)
{
	struct Q { float sx; int zx; float so; int zo; };
	const Q qs[] = {{0.05f, -10, 0.03f, -100}, {0.0235f, 127, 0.0235f, -128},
			{0.3f, -128, 0.2f, 5}, {0.01f, 0, 0.5f, 0}, {1.5f, 3, 2.5f, -3},
			{0.1f, 0, 1.0f / 1024, 120},
			// output exponent 0: the final non-rounding multiply shows
			{0.01f, 0, 0.0001f, -128},
			// ... and the int16 zero-point add wraps near the top
			{0.02f, -128, 0.00016f, 127}};
	for (const auto &q : qs) {
		auto y = RunUnary(TFLITE_OP_HARD_SWISH, q.sx, q.zx, q.so, q.zo);
		ASSERT_EQ(y.size(), 256u) << q.sx;
		for (int i = 0; i < 256; i++)
		{
			EXPECT_EQ(y[size_t(i)], HardSwishRef(q.sx, q.zx, q.so, q.zo, int8_t(i - 128)))
				<< "scale " << q.sx << " zp " << q.zx << " x " << i - 128;
			// close to x * relu6(x + 3) / 6 in output units
			const double r = double(q.sx) * (i - 128 - q.zx);
			const double f = r * std::min(6.0, std::max(0.0, r + 3)) / 6 / q.so + q.zo;
			if (q.zo != 127) {
				EXPECT_NEAR(y[size_t(i)], std::min(127.0, std::max(-128.0, f)), 2.01)
					<< "scale " << q.sx << " x " << i - 128;
			}
		}
	}
}

TEST(LowerIsa13, AChainOfNewOperatorsDeclaresIsa13)
{
	// x -> MUL(k) -> LOGISTIC -> SUB(k2) -> out: one stream, ISA 1.3, one
	// table in the weights.
	GraphBuilder g;
	int x = g.AddTensor("x", {1, 3, 4}, TFLITE_TYPE_INT8, 0.05f, 2);
	int k = g.AddTensor("k", {4}, TFLITE_TYPE_INT8, 0.02f, 0, {10, 246, 127, 1});
	int m = g.AddTensor("m", {1, 3, 4}, TFLITE_TYPE_INT8, 0.01f, -5);
	int s = g.AddTensor("s", {1, 3, 4}, TFLITE_TYPE_INT8, 1.0f / 256, -128);
	int k2 = g.AddTensor("k2", {1, 1, 1}, TFLITE_TYPE_INT8, 1.0f / 256, -128, {0x80});
	int out = g.AddTensor("out", {1, 3, 4}, TFLITE_TYPE_INT8, 1.0f / 256, -128);
	g.AddOp(TFLITE_OP_MUL, {x, k}, {m}, TFLITE_OPTIONS_MUL, ActOptions(TFLITE_ACT_NONE));
	g.AddOp(TFLITE_OP_LOGISTIC, {m}, {s});
	g.AddOp(TFLITE_OP_SUB, {s, k2}, {out}, TFLITE_OPTIONS_SUB, ActOptions(TFLITE_ACT_NONE));
	Lowered low(g.Serialize({x}, {out}));
	ASSERT_EQ(low.rc, 0) << low.err;
	EXPECT_EQ(low.l->op_count, 3u);
	EXPECT_GE(low.l->weights_size, 256u);
	std::vector<int8_t> in(12);
	for (int i = 0; i < 12; i++)
		in[size_t(i)] = int8_t(i * 21 - 128);
	auto y = low.Run(in);
	const int8_t kv[4] = {10, -10, 127, 1};
	for (int i = 0; i < 12; i++) {
		BinaryCase mc{TFLITE_OP_MUL, 0.05f, 0.02f, 0.01f, 2, 0, -5, TFLITE_ACT_NONE};
		std::vector<int8_t> kk(kv, kv + 4);
		int8_t mv = BinaryRef(mc, {in[size_t(i)], in[size_t(i)], in[size_t(i)],
					   in[size_t(i)]}, kk)[size_t(i % 4)];
		int8_t sv = SigmoidRef(false, 0.01f, -5, mv);
		BinaryCase sc{TFLITE_OP_SUB, 1.0f / 256, 1.0f / 256, 1.0f / 256, -128, -128, -128,
			      TFLITE_ACT_NONE};
		int8_t want = BinaryRef(sc, {sv, sv, sv, sv}, {-128, -128, -128, -128})[0];
		EXPECT_EQ(y[size_t(i)], want) << i;
		EXPECT_EQ(want, sv); // subtracting the real 0
	}
}

} // namespace
