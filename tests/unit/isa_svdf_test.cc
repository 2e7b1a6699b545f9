// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// ISA 1.1 additions against an independent C++ rendering of TensorFlow Lite
// Micro's integer kernels: SVDF (svdf_common.cc EvalIntegerSvdfReference,
// int8 and int16 activation state), int8 -> int16 SOFTMAX and QUANTIZE with
// int16/int32 outputs (reference_ops::Requantize).
#include <gtest/gtest.h>

#include "isa_test_util.h"

using namespace isa_test;

namespace {

enum { W = AIOT_ISA_BINDING_WEIGHTS, IN = AIOT_ISA_BINDING_INPUT,
       OUT = AIOT_ISA_BINDING_OUTPUT, ARENA = AIOT_ISA_BINDING_ARENA };

// int32 addition as TFLite's kernels do it on real hardware (wrapping),
// without C++'s undefined overflow.
inline int32_t Wrap(int32_t a, int64_t b) { return int32_t(uint32_t(a) + uint32_t(b)); }

// TFLite Micro's integer SVDF with the state as TFLite keeps it (q values).
template <typename T> struct RefSvdf {
	int batches, depth, filters, memory, rank;
	int32_t in_zp, state_zp, out_zp, m1, m2;
	int s1, s2;
	std::vector<int8_t> wf;
	std::vector<T> wt;
	std::vector<int32_t> bias;
	std::vector<T> state;

	// MicroInterpreter::ResetVariableTensors: int8 filled with its zero point.
	void Reset() { state.assign(size_t(batches) * filters * memory, T(sizeof(T) == 1 ? state_zp : 0)); }

	std::vector<int8_t> Eval(const std::vector<int8_t> &in)
	{
		const int units = filters / rank;
		const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
		std::copy(state.begin() + 1, state.end(), state.begin());
		for (int b = 0; b < batches; b++)
			for (int f = 0; f < filters; f++) {
				int32_t dot = 0;
				for (int c = 0; c < depth; c++)
					dot = Wrap(dot, wf[f * depth + c] * (in[b * depth + c] - in_zp));
				dot = Wrap(ref::MBQM(dot, m1, s1), state_zp);
				dot = std::min(std::max(lo, dot), hi);
				state[(size_t(b) * filters + f) * memory + memory - 1] = T(dot);
			}
		std::vector<int32_t> scratch(size_t(batches) * filters);
		for (int b = 0; b < batches; b++)
			for (int f = 0; f < filters; f++) {
				int32_t acc = 0;
				for (int m = 0; m < memory; m++)
					acc = Wrap(acc, int64_t(wt[f * memory + m]) *
						   (state[(size_t(b) * filters + f) * memory + m] - state_zp));
				scratch[b * filters + f] = acc;
			}
		std::vector<int8_t> out(size_t(batches) * units);
		for (int b = 0; b < batches; b++)
			for (int u = 0; u < units; u++) {
				int32_t acc = bias[u];
				for (int r = 0; r < rank; r++)
					acc = Wrap(acc, scratch[b * filters + u * rank + r]);
				int32_t v = Wrap(ref::MBQM(acc, m2, s2), out_zp);
				out[b * units + u] = int8_t(std::min(std::max(v, -128), 127));
			}
		return out;
	}
};

template <typename T> struct SvdfCase {
	RefSvdf<T> ref;
	Job job{4};
	aiot_isa_op_svdf op{};
	std::vector<uint8_t> stream;

	void Build(std::mt19937 &rng)
	{
		auto &r = ref;
		std::uniform_int_distribution<int> small(1, 3), zp(-128, 127);
		r.batches = small(rng);
		r.depth = std::uniform_int_distribution<int>(1, 40)(rng);
		r.rank = small(rng);
		r.filters = r.rank * std::uniform_int_distribution<int>(1, 12)(rng);
		r.memory = std::uniform_int_distribution<int>(1, 12)(rng);
		r.in_zp = zp(rng);
		r.out_zp = zp(rng);
		r.state_zp = sizeof(T) == 1 ? zp(rng) : 0;
		// Scales as a real model has them; int16 states keep more bits.
		std::uniform_real_distribution<double> sc(0.002, 0.05);
		ref::QuantizeMultiplier(sc(rng) * (sizeof(T) == 1 ? 1.0 : 256.0), &r.m1, &r.s1);
		ref::QuantizeMultiplier(sc(rng) / (sizeof(T) == 1 ? 1.0 : 256.0), &r.m2, &r.s2);
		r.wf = random_i8(rng, size_t(r.filters) * r.depth);
		std::uniform_int_distribution<int> wtd(std::numeric_limits<T>::min(),
						       std::numeric_limits<T>::max());
		r.wt.resize(size_t(r.filters) * r.memory);
		for (auto &w : r.wt)
			w = T(wtd(rng));
		std::uniform_int_distribution<int32_t> bd(-20000, 20000);
		r.bias.resize(r.filters / r.rank);
		for (auto &b : r.bias)
			b = bd(rng);
		r.Reset();

		const uint8_t dt = sizeof(T) == 1 ? AIOT_ISA_DTYPE_INT8 : AIOT_ISA_DTYPE_INT16;
		const uint32_t units = r.filters / r.rank;
		op.hdr.opcode = AIOT_ISA_OP_SVDF;
		op.weights_feature = tensor(W, job.put(W, r.wf.data(), r.wf.size()), r.filters, 1, 1,
					    r.depth);
		op.weights_time = tensor(W, job.put(W, r.wt.data(), r.wt.size() * sizeof(T)),
					 r.filters, 1, 1, r.memory, dt);
		op.bias.binding = W;
		op.bias.offset = job.put(W, r.bias.data(), r.bias.size() * 4);
		op.input = tensor(IN, job.reserve(IN, size_t(r.batches) * r.depth), r.batches, 1, 1,
				  r.depth);
		op.output = tensor(OUT, job.reserve(OUT, size_t(r.batches) * units), r.batches, 1,
				   1, units);
		// A zeroed state buffer is the reset state.
		op.state = tensor(ARENA, job.reserve(ARENA, r.state.size() * sizeof(T), 0),
				  r.batches, 1, r.filters, r.memory, dt);
		op.input_zero_point = r.in_zp;
		op.state_zero_point = r.state_zp;
		op.output_zero_point = r.out_zp;
		op.feature_multiplier = r.m1;
		op.feature_shift = r.s1;
		op.time_multiplier = r.m2;
		op.time_shift = r.s2;
		op.rank = r.rank;
		op.act = { -128, 127 };
		StreamBuilder sb;
		sb.add(op);
		stream = sb.build();
	}

	// The executor's state, decoded to TFLite's q values.
	std::vector<T> State() const
	{
		auto raw = job.template get<T>(ARENA, op.state.offset, ref.state.size());
		for (auto &v : raw)
			v = T(v + ref.state_zp);
		return raw;
	}
};

template <typename T> void RunRandomSvdf(uint32_t seed)
{
	std::mt19937 rng(seed);
	for (int iter = 0; iter < 60; iter++) {
		SvdfCase<T> c;
		c.Build(rng);
		ASSERT_EQ(c.job.validate(c.stream), 0) << "case " << iter;
		// Several invocations: the state carries over.
		for (int step = 0; step < 4; step++) {
			auto in = random_i8(rng, size_t(c.ref.batches) * c.ref.depth);
			std::memcpy(c.job.buf[IN].data() + c.op.input.offset, in.data(), in.size());
			auto want = c.ref.Eval(in);
			ASSERT_EQ(c.job.run(c.stream), 0);
			auto got = c.job.template get<int8_t>(OUT, c.op.output.offset, want.size());
			ASSERT_EQ(got, want) << "case " << iter << " step " << step;
			ASSERT_EQ(c.State(), c.ref.state) << "case " << iter << " step " << step;
		}
	}
}

TEST(IsaSvdf, Int8StateBitExactOverRuns) { RunRandomSvdf<int8_t>(1234); }

TEST(IsaSvdf, Int16StateBitExactOverRuns) { RunRandomSvdf<int16_t>(4321); }

TEST(IsaSvdf, SaturatesFeatureIntoStateRange)
{
	std::mt19937 rng(7);
	SvdfCase<int8_t> c;
	c.Build(rng);
	// A huge feature multiplier drives every new state value to a limit.
	c.ref.m1 = c.op.feature_multiplier = 0x7fffffff;
	c.ref.s1 = c.op.feature_shift = 30;
	StreamBuilder sb;
	sb.add(c.op);
	c.stream = sb.build();
	auto in = random_i8(rng, size_t(c.ref.batches) * c.ref.depth);
	std::memcpy(c.job.buf[IN].data() + c.op.input.offset, in.data(), in.size());
	auto want = c.ref.Eval(in);
	ASSERT_EQ(c.job.run(c.stream), 0);
	EXPECT_EQ(c.job.get<int8_t>(OUT, c.op.output.offset, want.size()), want);
	EXPECT_EQ(c.State(), c.ref.state);
}

TEST(IsaSvdf, ValidatorRejectsBadDescriptors)
{
	std::mt19937 rng(99);
	SvdfCase<int8_t> base;
	base.Build(rng);
	aiot_isa_summary sum;
	ASSERT_EQ(base.job.validate(base.stream, &sum), 0);
	EXPECT_TRUE(sum.op_mask & (1u << AIOT_ISA_OP_SVDF));
	EXPECT_TRUE(sum.bindings_read & (1u << ARENA));
	EXPECT_TRUE(sum.bindings_written & (1u << ARENA));

	auto expect_reject = [&](const char *what, auto mutate, int want = -EINVAL) {
		aiot_isa_op_svdf op = base.op;
		mutate(op);
		StreamBuilder sb;
		sb.add(op);
		int rc = base.job.validate(sb.build());
		// want 0: any rejection (a larger shape may hit the bounds first)
		if (want)
			EXPECT_EQ(rc, want) << what;
		else
			EXPECT_LT(rc, 0) << what;
	};
	expect_reject("rank 0", [](aiot_isa_op_svdf &o) { o.rank = 0; });
	expect_reject("rank not dividing", [](aiot_isa_op_svdf &o) { o.rank = o.weights_feature.dims[0] + 1; });
	expect_reject("reserved", [](aiot_isa_op_svdf &o) { o.reserved[1] = 1; });
	expect_reject("state dtype", [](aiot_isa_op_svdf &o) { o.state.dtype = AIOT_ISA_DTYPE_INT16; });
	expect_reject("time dtype int32", [](aiot_isa_op_svdf &o) { o.weights_time.dtype = AIOT_ISA_DTYPE_INT32; });
	expect_reject("state shape", [](aiot_isa_op_svdf &o) { o.state.dims[3]++; }, 0);
	expect_reject("output units", [](aiot_isa_op_svdf &o) { o.output.dims[3]++; }, 0);
	expect_reject("state not [B,1,F,M]", [](aiot_isa_op_svdf &o) {
		std::swap(o.state.dims[1], o.state.dims[2]);
	});
	expect_reject("state zp", [](aiot_isa_op_svdf &o) { o.state_zero_point = 128; });
	expect_reject("input zp", [](aiot_isa_op_svdf &o) { o.input_zero_point = -129; });
	expect_reject("shift", [](aiot_isa_op_svdf &o) { o.time_shift = 31; });
	expect_reject("multiplier", [](aiot_isa_op_svdf &o) { o.feature_multiplier = -1; });
	expect_reject("act", [](aiot_isa_op_svdf &o) { o.act.min = 5; o.act.max = 4; });
	expect_reject("state aliases output", [](aiot_isa_op_svdf &o) {
		o.state.binding = OUT;
		o.state.offset = o.output.offset;
		o.state.dims[0] = o.state.dims[1] = o.state.dims[2] = o.state.dims[3] = 1;
		o.state.dims[2] = o.weights_feature.dims[0];
		o.state.dims[3] = o.weights_time.dims[3];
	}, -ENOSPC);
	expect_reject("bias outside", [](aiot_isa_op_svdf &o) { o.bias.offset = 1u << 30; }, -ENOSPC);
	expect_reject("state outside", [](aiot_isa_op_svdf &o) { o.state.offset += 4096; }, -ENOSPC);

	// int16 state: zero point must be 0.
	std::mt19937 rng16(5);
	SvdfCase<int16_t> c16;
	c16.Build(rng16);
	ASSERT_EQ(c16.job.validate(c16.stream), 0);
	c16.op.state_zero_point = 1;
	StreamBuilder sb;
	sb.add(c16.op);
	EXPECT_EQ(c16.job.validate(sb.build()), -EINVAL);
}

TEST(IsaSvdf, StateOverlappingInputRejected)
{
	// Same binding for state and input, overlapping bytes.
	std::mt19937 rng(11);
	SvdfCase<int8_t> c;
	c.Build(rng);
	aiot_isa_op_svdf op = c.op;
	op.input.binding = ARENA;
	op.input.offset = op.state.offset;
	StreamBuilder sb;
	sb.add(op);
	EXPECT_EQ(c.job.validate(sb.build()), -EINVAL);
}

// reference_ops::Softmax<int8_t, int16_t>
std::vector<int16_t> RefSoftmax16(const std::vector<int8_t> &in, int depth, int32_t mult,
				  int left_shift, int diff_min)
{
	using namespace ref;
	std::vector<int16_t> out(in.size());
	for (size_t i = 0; i < in.size() / depth; ++i) {
		const int8_t *x = &in[i * depth];
		int8_t mx = *std::max_element(x, x + depth);
		FP<12> sum{0};
		for (int c = 0; c < depth; ++c) {
			int32_t diff = int32_t(x[c]) - mx;
			if (diff >= diff_min)
				sum = sum + Rescale<12>(ExpOnNegativeValues(
						FP<5>::FromRaw(SRDHM(diff * (1 << left_shift), mult))));
		}
		int nbou;
		FP<0> scale = FP<0>::FromRaw(GetReciprocal(sum.raw, 12, &nbou));
		for (int c = 0; c < depth; ++c) {
			int32_t diff = int32_t(x[c]) - mx;
			if (diff < diff_min) {
				out[i * depth + c] = -32768;
				continue;
			}
			FP<0> e = ExpOnNegativeValues(FP<5>::FromRaw(SRDHM(diff * (1 << left_shift), mult)));
			int32_t u = RDBPOT((scale * e).raw, nbou + 31 - 16) - 32768;
			out[i * depth + c] = int16_t(std::min(std::max(u, -32768), 32767));
		}
	}
	return out;
}

TEST(IsaWideOutputs, Int16SoftmaxBitExact)
{
	std::mt19937 rng(21);
	for (int iter = 0; iter < 50; iter++) {
		int rows = std::uniform_int_distribution<int>(1, 5)(rng);
		int depth = std::uniform_int_distribution<int>(1, 30)(rng);
		double in_scale = std::uniform_real_distribution<double>(0.01, 0.5)(rng);
		aiot_isa_op_softmax op{};
		int ls, dmin;
		ref::SoftmaxParams(1.0, in_scale, &op.input_multiplier, &ls, &dmin);
		op.input_left_shift = ls;
		op.diff_min = dmin;
		Job job;
		auto in = random_i8(rng, size_t(rows) * depth);
		op.hdr.opcode = AIOT_ISA_OP_SOFTMAX;
		op.input = tensor(IN, job.put(IN, in.data(), in.size()), 1, 1, rows, depth);
		op.output = tensor(OUT, job.reserve(OUT, in.size() * 2), 1, 1, rows, depth,
				   AIOT_ISA_DTYPE_INT16);
		StreamBuilder sb;
		sb.add(op);
		auto s = sb.build();
		ASSERT_EQ(job.run(s), 0);
		EXPECT_EQ(job.get<int16_t>(OUT, op.output.offset, in.size()),
			  RefSoftmax16(in, depth, op.input_multiplier, ls, dmin))
			<< "case " << iter;
	}
}

TEST(IsaWideOutputs, RequantizeToInt16AndInt32)
{
	std::mt19937 rng(8);
	for (uint8_t out_dt : { AIOT_ISA_DTYPE_INT16, AIOT_ISA_DTYPE_INT32 }) {
		const int esize = out_dt == AIOT_ISA_DTYPE_INT16 ? 2 : 4;
		const int64_t lo = out_dt == AIOT_ISA_DTYPE_INT16 ? -32768 : INT32_MIN;
		const int64_t hi = out_dt == AIOT_ISA_DTYPE_INT16 ? 32767 : INT32_MAX;
		Job job;
		std::vector<int16_t> in(257);
		for (auto &v : in)
			v = int16_t(std::uniform_int_distribution<int>(-32768, 32767)(rng));
		aiot_isa_op_requantize op{};
		op.hdr.opcode = AIOT_ISA_OP_SENSOR_TO_INT8; // int16 input
		op.input = tensor(IN, job.put(IN, in.data(), in.size() * 2), 1, 1, 1, 257,
				  AIOT_ISA_DTYPE_INT16);
		op.output = tensor(OUT, job.reserve(OUT, in.size() * esize), 1, 1, 1, 257, out_dt);
		op.input_zero_point = -32768;
		op.output_zero_point = out_dt == AIOT_ISA_DTYPE_INT16 ? -5 : 0;
		int s;
		ref::QuantizeMultiplier(0.5, &op.multiplier, &s); // keyword model's last QUANTIZE
		op.shift = s;
		op.act = { int32_t(lo), int32_t(hi) };
		StreamBuilder sb;
		sb.add(op);
		auto stream = sb.build();
		ASSERT_EQ(job.validate(stream), 0);
		ASSERT_EQ(job.run(stream), 0);
		for (size_t i = 0; i < in.size(); i++) {
			int64_t want = ref::MBQM(in[i] - op.input_zero_point, op.multiplier, s) +
				       op.output_zero_point;
			want = std::min(std::max(want, lo), hi);
			int64_t got = esize == 2 ? job.get<int16_t>(OUT, op.output.offset, 257)[i] :
						   job.get<int32_t>(OUT, op.output.offset, 257)[i];
			ASSERT_EQ(got, want) << i;
		}
		// act and zero point must fit the output type.
		op.act = { int32_t(lo), int32_t(hi) };
		op.output_zero_point = out_dt == AIOT_ISA_DTYPE_INT16 ? 40000 : 0;
		if (out_dt == AIOT_ISA_DTYPE_INT16) {
			StreamBuilder bad;
			bad.add(op);
			EXPECT_EQ(job.validate(bad.build()), -EINVAL);
		}
	}
}

TEST(IsaWideOutputs, Int8SoftmaxMayNotWriteInt32)
{
	Job job;
	std::vector<int8_t> in(8, 1);
	aiot_isa_op_softmax op{};
	op.hdr.opcode = AIOT_ISA_OP_SOFTMAX;
	op.input = tensor(IN, job.put(IN, in.data(), in.size()), 1, 1, 1, 8);
	op.output = tensor(OUT, job.reserve(OUT, 32), 1, 1, 1, 8, AIOT_ISA_DTYPE_INT32);
	op.input_multiplier = 1 << 30;
	StreamBuilder sb;
	sb.add(op);
	EXPECT_EQ(job.validate(sb.build()), -EINVAL);
}

} // namespace
