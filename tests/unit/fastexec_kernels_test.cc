// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// The fast executor (lib/exec) against the reference executor (kernel/isa)
// on generated layers: random shapes, strides, dilations, padding, depth
// multipliers, zero points and per-channel parameters at their extremes,
// accumulators that saturate; at every SIMD level this CPU has, with the
// weights repacked once (constant binding) and at every run. Every byte of
// every binding must come out identical.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <string>

#include "isa_test_util.h"

extern "C" {
#include "fastexec.h"
}

using namespace isa_test;

namespace {

constexpr unsigned kW = 0, kIn = 1, kOut = 2;

std::vector<aiot_fx_simd> Levels()
{
	std::vector<aiot_fx_simd> v;
	for (aiot_fx_simd s : {AIOT_FX_SIMD_SCALAR, AIOT_FX_SIMD_SSE41, AIOT_FX_SIMD_AVX2,
			       AIOT_FX_SIMD_NEON})
		if (aiot_fx_simd_supported(s))
			v.push_back(s);
	return v;
}

struct Rng {
	std::mt19937 g;
	explicit Rng(uint32_t seed) : g(seed) {}
	int32_t in(int32_t lo, int32_t hi)
	{
		return std::uniform_int_distribution<int32_t>(lo, hi)(g);
	}
	bool chance(int percent) { return in(0, 99) < percent; }
	// Zero points: the extremes often, else anywhere in int8.
	int32_t zp()
	{
		int r = in(0, 9);
		return r == 0 ? -128 : r == 1 ? 127 : r == 2 ? 0 : in(-128, 127);
	}
	int8_t s8()
	{
		int r = in(0, 9);
		return int8_t(r == 0 ? -128 : r == 1 ? 127 : in(-128, 127));
	}
	std::vector<int8_t> bytes(size_t n)
	{
		std::vector<int8_t> v(n);
		for (auto &b : v)
			b = s8();
		return v;
	}
	// Per-channel parameters, including out-of-range ones the executor
	// clamps and huge biases that make the sums wrap.
	std::vector<aiot_isa_channel_quant> quant(uint32_t n)
	{
		std::vector<aiot_isa_channel_quant> q(n);
		for (auto &c : q) {
			int r = in(0, 19);
			c.bias = r == 0 ? INT32_MAX : r == 1 ? INT32_MIN : in(-70000, 70000);
			r = in(0, 19);
			c.multiplier = r == 0 ? INT32_MAX : r == 1 ? 0 : r == 2 ? -5 :
				       in(1 << 30, INT32_MAX);
			r = in(0, 19);
			c.shift = r == 0 ? -31 : r == 1 ? 30 : r == 2 ? -40 : r == 3 ? 45 :
				  in(-12, 3);
		}
		return q;
	}
	aiot_isa_activation act()
	{
		aiot_isa_activation a{-128, 127};
		if (chance(30)) {
			a.min = in(-128, 0);
			a.max = in(a.min, 127);
		}
		return a;
	}
};

// Cases the validator accepted (a generated case it rejects tests little).
int g_ran;

// Runs the stream on the reference and on the fast executor at every level
// (constant weights and not), and compares every binding byte for byte.
void Compare(const Job &job, const std::vector<uint8_t> &s, const std::string &what)
{
	Job ref = job;
	int ref_rc = ref.run(s);
	if (!ref_rc)
		g_ran++;
	for (aiot_fx_simd simd : Levels()) {
		for (uint32_t const_mask : {1u << kW, 0u}) {
			SCOPED_TRACE(what + " at " + aiot_fx_simd_name(simd) +
				     (const_mask ? " (weights packed once)" : " (packed per run)"));
			Job fast = job;
			auto sz = fast.sizes();
			std::vector<void *> p;
			for (auto &v : fast.buf)
				p.push_back(v.empty() ? nullptr : v.data());
			aiot_fx_plan *plan = nullptr;
			int rc = aiot_fx_prepare(s.data(), s.size(), p.data(), sz.data(),
						 unsigned(sz.size()), const_mask, simd, &plan);
			if (rc) {
				EXPECT_EQ(rc, ref_rc);
				EXPECT_NE(ref_rc, 0);
				continue;
			}
			ASSERT_EQ(aiot_fx_plan_simd(plan), simd);
			// Twice: a plan's scratch must not leak into a second run.
			for (int run = 0; run < 2; run++) {
				ASSERT_EQ(aiot_fx_run(plan, p.data(), sz.data(), unsigned(sz.size())),
					  ref_rc);
				for (size_t b = 0; b < fast.buf.size(); b++)
					ASSERT_EQ(fast.buf[b], ref.buf[b]) << "binding " << b;
			}
			aiot_fx_free(plan);
		}
	}
}

aiot_isa_op_conv RandomConv(Rng &r, Job &job, bool depthwise, int size_class)
{
	aiot_isa_op_conv op{};
	op.hdr.opcode = depthwise ? AIOT_ISA_OP_DEPTHWISE_CONV_2D : AIOT_ISA_OP_CONV_2D;
	uint32_t batches = r.chance(20) ? 2 : 1;
	uint32_t kh = r.in(1, size_class ? 5 : 3), kw = r.in(1, size_class ? 5 : 3);
	uint32_t in_h = r.in(1, size_class ? 20 : 7), in_w = r.in(1, size_class ? 20 : 7);
	uint32_t cin = r.in(1, size_class ? 40 : 20);
	uint32_t dm = depthwise ? (r.chance(30) ? r.in(2, 3) : 1) : 0;
	uint32_t cout = depthwise ? cin * dm : r.in(1, size_class ? 40 : 35);
	op.stride_h = r.in(1, 3);
	op.stride_w = r.in(1, 3);
	op.dilation_h = r.chance(25) ? r.in(2, 3) : 1;
	op.dilation_w = r.chance(25) ? r.in(2, 3) : 1;
	op.pad_top = r.in(0, (kh - 1) * op.dilation_h);
	op.pad_left = r.in(0, (kw - 1) * op.dilation_w);
	op.depth_multiplier = dm;
	// Output size from the padded extent; bottom/right padding varies.
	int64_t eff_h = int64_t(kh - 1) * op.dilation_h + 1;
	int64_t eff_w = int64_t(kw - 1) * op.dilation_w + 1;
	int64_t span_h = int64_t(in_h) + op.pad_top + r.in(0, 2) - eff_h;
	int64_t span_w = int64_t(in_w) + op.pad_left + r.in(0, 2) - eff_w;
	uint32_t out_h = span_h < 0 ? 1 : uint32_t(span_h / op.stride_h + 1);
	uint32_t out_w = span_w < 0 ? 1 : uint32_t(span_w / op.stride_w + 1);
	op.input_zero_point = r.zp();
	op.output_zero_point = r.zp();
	op.act = r.act();

	auto in = r.bytes(size_t(batches) * in_h * in_w * cin);
	auto filter = depthwise ? r.bytes(size_t(kh) * kw * cout) :
				  r.bytes(size_t(cout) * kh * kw * cin);
	auto q = r.quant(cout);
	op.input = tensor(kIn, job.put(kIn, in.data(), in.size()), batches, in_h, in_w, cin);
	op.filter = depthwise ? tensor(kW, job.put(kW, filter.data(), filter.size()), 1, kh, kw,
				       cout) :
				tensor(kW, job.put(kW, filter.data(), filter.size()), cout, kh, kw,
				       cin);
	op.quant.binding = kW;
	op.quant.offset = job.put(kW, q.data(), q.size() * sizeof(q[0]));
	op.output = tensor(kOut, job.reserve(kOut, size_t(batches) * out_h * out_w * cout),
			   batches, out_h, out_w, cout);
	return op;
}

std::string Describe(const aiot_isa_op_conv &op)
{
	char b[256];
	snprintf(b, sizeof(b), "%s in %ux%ux%ux%u filter %ux%u out %ux%ux%u s%u,%u d%u,%u p%u,%u "
		 "dm%u zp %d/%d act %d..%d",
		 op.hdr.opcode == AIOT_ISA_OP_CONV_2D ? "conv" : "dwconv", op.input.dims[0],
		 op.input.dims[1], op.input.dims[2], op.input.dims[3], op.filter.dims[1],
		 op.filter.dims[2], op.output.dims[1], op.output.dims[2], op.output.dims[3],
		 op.stride_h, op.stride_w, op.dilation_h, op.dilation_w, op.pad_top, op.pad_left,
		 op.depth_multiplier, op.input_zero_point, op.output_zero_point, op.act.min,
		 op.act.max);
	return b;
}

TEST(FastExecKernels, SimdLevelsResolve)
{
	ASSERT_TRUE(aiot_fx_simd_supported(AIOT_FX_SIMD_SCALAR));
	const char *old = getenv(AIOT_FX_SIMD_ENV);
	std::string saved = old ? old : "";
	unsetenv(AIOT_FX_SIMD_ENV);
	int best = aiot_fx_simd_resolve(AIOT_FX_SIMD_AUTO);
	ASSERT_GT(best, 0);
	EXPECT_TRUE(aiot_fx_simd_supported(aiot_fx_simd(best)));
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx2")) {
		EXPECT_EQ(best, AIOT_FX_SIMD_AVX2);
	}
#endif
	setenv(AIOT_FX_SIMD_ENV, "scalar", 1);
	EXPECT_EQ(aiot_fx_simd_resolve(AIOT_FX_SIMD_AUTO), AIOT_FX_SIMD_SCALAR);
	setenv(AIOT_FX_SIMD_ENV, "sse4.2", 1);
	EXPECT_EQ(aiot_fx_simd_resolve(AIOT_FX_SIMD_AUTO), -EINVAL);
	EXPECT_EQ(aiot_fx_simd_resolve(aiot_fx_simd(17)), -EINVAL);
#if defined(__x86_64__)
	EXPECT_EQ(aiot_fx_simd_resolve(AIOT_FX_SIMD_NEON), -EOPNOTSUPP);
#endif
	if (old)
		setenv(AIOT_FX_SIMD_ENV, saved.c_str(), 1);
	else
		unsetenv(AIOT_FX_SIMD_ENV);
}

class FastExecConv : public ::testing::TestWithParam<int> {};

TEST_P(FastExecConv, MatchesReference)
{
	g_ran = 0;
	Rng r(1000 + GetParam());
	for (int i = 0; i < 12; i++) {
		Job job(3);
		StreamBuilder sb;
		auto op = RandomConv(r, job, false, i % 3 == 0);
		sb.add(op);
		Compare(job, sb.build(), Describe(op));
	}
	EXPECT_GE(g_ran, 10) << "most generated layers must be valid";
}

TEST_P(FastExecConv, DepthwiseMatchesReference)
{
	g_ran = 0;
	Rng r(2000 + GetParam());
	for (int i = 0; i < 12; i++) {
		Job job(3);
		StreamBuilder sb;
		auto op = RandomConv(r, job, true, i % 3 == 0);
		sb.add(op);
		Compare(job, sb.build(), Describe(op));
	}
	EXPECT_GE(g_ran, 10) << "most generated layers must be valid";
}

TEST_P(FastExecConv, FullyConnectedMatchesReference)
{
	g_ran = 0;
	Rng r(3000 + GetParam());
	for (int i = 0; i < 12; i++) {
		Job job(3);
		StreamBuilder sb;
		aiot_isa_op_fully_connected op{};
		op.hdr.opcode = AIOT_ISA_OP_FULLY_CONNECTED;
		uint32_t batches = r.in(1, 6), depth = r.in(1, 300), outs = r.in(1, 70);
		op.input_zero_point = r.zp();
		op.filter_zero_point = r.zp();
		op.output_zero_point = r.zp();
		op.act = r.act();
		auto in = r.bytes(size_t(batches) * depth);
		auto w = r.bytes(size_t(outs) * depth);
		auto q = r.quant(outs);
		op.input = tensor(kIn, job.put(kIn, in.data(), in.size()), batches, 1, 1, depth);
		op.filter = tensor(kW, job.put(kW, w.data(), w.size()), outs, 1, 1, depth);
		op.quant.binding = kW;
		op.quant.offset = job.put(kW, q.data(), q.size() * sizeof(q[0]));
		op.output = tensor(kOut, job.reserve(kOut, size_t(batches) * outs), batches, 1, 1,
				   outs);
		sb.add(op);
		Compare(job, sb.build(),
			"fc " + std::to_string(batches) + "x" + std::to_string(depth) + "->" +
				std::to_string(outs));
	}
	EXPECT_EQ(g_ran, 12);
}

INSTANTIATE_TEST_SUITE_P(Seeds, FastExecConv, ::testing::Range(0, 8));

// Saturation: every input and weight at -128 with the zero point at 127
// gives the largest products (128 * 255) over a deep window, so sums wrap
// around int32 together with a huge bias.
TEST(FastExecKernels, ExtremeProductsAndWrappingSums)
{
	for (bool depthwise : {false, true}) {
		Job job(3);
		StreamBuilder sb;
		aiot_isa_op_conv op{};
		op.hdr.opcode = depthwise ? AIOT_ISA_OP_DEPTHWISE_CONV_2D : AIOT_ISA_OP_CONV_2D;
		uint32_t k = 5, cin = 600, cout = depthwise ? cin : 3;
		std::vector<int8_t> in(size_t(k) * k * cin, -128);
		std::vector<int8_t> w(size_t(k) * k * cin * (depthwise ? 1 : cout), -128);
		std::vector<aiot_isa_channel_quant> q(cout, {INT32_MAX - 5, INT32_MAX, 30});
		op.stride_h = op.stride_w = op.dilation_h = op.dilation_w = 1;
		op.depth_multiplier = depthwise ? 1 : 0;
		op.input_zero_point = 127;
		op.output_zero_point = -128;
		op.act = {-128, 127};
		op.input = tensor(kIn, job.put(kIn, in.data(), in.size()), 1, k, k, cin);
		op.filter = tensor(kW, job.put(kW, w.data(), w.size()), depthwise ? 1 : cout, k, k,
				   depthwise ? cout : cin);
		op.quant.binding = kW;
		op.quant.offset = job.put(kW, q.data(), q.size() * sizeof(q[0]));
		op.output = tensor(kOut, job.reserve(kOut, cout), 1, 1, 1, cout);
		sb.add(op);
		Compare(job, sb.build(), depthwise ? "extreme dwconv" : "extreme conv");
	}
}

// A depthwise layer on one input channel (person_detect's first layer:
// 96x96x1, 3x3, stride 2, depth multiplier 8) runs as a GEMM with a
// transposed filter; odd sizes and every multiplier up to 9 too.
TEST(FastExecKernels, OneChannelDepthwiseAsGemm)
{
	Rng r(9);
	g_ran = 0;
	for (uint32_t dm = 1; dm <= 9; dm++) {
		Job job(3);
		StreamBuilder sb;
		aiot_isa_op_conv op{};
		op.hdr.opcode = AIOT_ISA_OP_DEPTHWISE_CONV_2D;
		uint32_t in_h = dm == 8 ? 96 : 13 + dm, in_w = dm == 8 ? 96 : 11;
		op.stride_h = op.stride_w = 2;
		op.dilation_h = op.dilation_w = 1;
		op.pad_top = dm % 2;
		op.pad_left = 1;
		op.depth_multiplier = dm;
		op.input_zero_point = r.zp();
		op.output_zero_point = r.zp();
		op.act = r.act();
		uint32_t out_h = (in_h + 2 * op.pad_top - 3) / 2 + 1;
		uint32_t out_w = (in_w + 2 - 3) / 2 + 1;
		auto in = r.bytes(size_t(in_h) * in_w);
		auto f = r.bytes(size_t(9) * dm);
		auto q = r.quant(dm);
		op.input = tensor(kIn, job.put(kIn, in.data(), in.size()), 1, in_h, in_w, 1);
		op.filter = tensor(kW, job.put(kW, f.data(), f.size()), 1, 3, 3, dm);
		op.quant.binding = kW;
		op.quant.offset = job.put(kW, q.data(), q.size() * sizeof(q[0]));
		op.output = tensor(kOut, job.reserve(kOut, size_t(out_h) * out_w * dm), 1, out_h,
				   out_w, dm);
		sb.add(op);
		Compare(job, sb.build(), Describe(op));
	}
	EXPECT_EQ(g_ran, 9);
}

// A stream of several layers, including ops without a fast kernel (they run
// on the reference, one at a time, over the same buffers).
TEST(FastExecKernels, MixedStreamMatchesReference)
{
	Rng r(77);
	Job job(4);
	StreamBuilder sb;
	auto conv = RandomConv(r, job, false, 1);
	sb.add(conv);
	aiot_isa_op_pool pool{};
	pool.hdr.opcode = AIOT_ISA_OP_MAX_POOL_2D;
	pool.input = conv.output;
	pool.filter_h = pool.filter_w = 1;
	pool.stride_h = pool.stride_w = 1;
	pool.act = {-128, 127};
	pool.output = tensor(3, job.reserve(3, elems(conv.output)), conv.output.dims[0],
			     conv.output.dims[1], conv.output.dims[2], conv.output.dims[3]);
	sb.add(pool);
	Compare(job, sb.build(), "conv + max pool");
}

TEST(FastExecKernels, BadArgumentsRejected)
{
	Job job(3);
	StreamBuilder sb;
	Rng r(5);
	sb.add(RandomConv(r, job, false, 0));
	auto s = sb.build();
	auto sz = job.sizes();
	std::vector<void *> p;
	for (auto &v : job.buf)
		p.push_back(v.data());
	aiot_fx_plan *plan = nullptr;
	// A buffer smaller than the stream needs: the validator's -ENOSPC.
	auto small = sz;
	small[kOut] -= 1;
	EXPECT_EQ(aiot_fx_prepare(s.data(), s.size(), p.data(), small.data(), 3, 1, AIOT_FX_SIMD_AUTO,
				  &plan), -ENOSPC);
	EXPECT_EQ(plan, nullptr);
	auto bad = s;
	bad[0] ^= 1;
	EXPECT_EQ(aiot_fx_prepare(bad.data(), bad.size(), p.data(), sz.data(), 3, 1,
				  AIOT_FX_SIMD_AUTO, &plan), -EINVAL);
	ASSERT_EQ(aiot_fx_prepare(s.data(), s.size(), p.data(), sz.data(), 3, 1, AIOT_FX_SIMD_AUTO,
				  &plan), 0);
	EXPECT_EQ(aiot_fx_plan_fast_ops(plan), 1u);
	// Smaller buffers or another binding count at run time are refused.
	EXPECT_EQ(aiot_fx_run(plan, p.data(), small.data(), 3), -EINVAL);
	EXPECT_EQ(aiot_fx_run(plan, p.data(), sz.data(), 2), -EINVAL);
	EXPECT_EQ(aiot_fx_run(plan, p.data(), sz.data(), 3), 0);
	aiot_fx_free(plan);
}

} // namespace
