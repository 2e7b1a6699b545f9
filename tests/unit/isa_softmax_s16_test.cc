// SPDX-License-Identifier: GPL-2.0-only OR MIT
// ISA 1.9's SOFTMAX_S16 against an independent transcription of TensorFlow
// Lite Micro's SoftmaxInt16 and its gen_lut tables (isa_softmax16_ref.h):
// random rows over several betas and scales, extreme inputs, rows of one
// and of AIOT_ISA_MAX_DIM elements, equal rows, in place, perturbed and
// hostile tables; then every validator rule and the version gate.
#include <gtest/gtest.h>

#include "isa_softmax16_ref.h"
#include "isa_test_util.h"

using namespace isa_test;

namespace {

using Dims = std::array<uint32_t, 4>;
constexpr uint8_t kS16 = AIOT_ISA_DTYPE_INT16;

size_t Count(const Dims &d) { return size_t(d[0]) * d[1] * d[2] * d[3]; }

std::vector<uint8_t> Stream(const aiot_isa_op_softmax_s16 &op, uint32_t minor = 9)
{
	StreamBuilder sb;
	sb.add(op);
	auto s = sb.build();
	aiot_isa_header h;
	std::memcpy(&h, s.data(), sizeof(h));
	h.version = AIOT_ISA_VERSION(1, minor);
	std::memcpy(s.data(), &h, sizeof(h));
	return s;
}

aiot_isa_array_ref Ref(uint8_t binding, uint32_t offset)
{
	aiot_isa_array_ref r{};
	r.binding = binding;
	r.offset = offset;
	return r;
}

// A job with the tables in the weights (binding 0), the input in binding
// 1 and the output in binding 2.
struct Case {
	Job job;
	aiot_isa_op_softmax_s16 op{};

	Case(const std::vector<int16_t> &x, const Dims &d, int32_t mult, int shift,
	     const refsm16::Lut &exp_lut, const refsm16::Lut &recip_lut)
	{
		op.hdr.opcode = AIOT_ISA_OP_SOFTMAX_S16;
		op.exp_table = Ref(0, job.put(0, exp_lut.data(), exp_lut.size() * 2));
		op.one_over_one_plus_x_table =
			Ref(0, job.put(0, recip_lut.data(), recip_lut.size() * 2));
		op.input = tensor(1, job.put(1, x.data(), x.size() * 2), d[0], d[1],
				  d[2], d[3], kS16);
		op.output = tensor(2, job.reserve(2, x.size() * 2), d[0], d[1], d[2],
				   d[3], kS16);
		op.input_multiplier = mult;
		op.input_shift = shift;
	}
	std::vector<int16_t> Run()
	{
		auto s = Stream(op);
		aiot_isa_summary sum;
		EXPECT_EQ(job.validate(s, &sum), 0);
		EXPECT_EQ(sum.isa_minor, 9u);
		EXPECT_TRUE(sum.op_mask & (1ull << AIOT_ISA_OP_SOFTMAX_S16));
		EXPECT_EQ(job.run(s), 0);
		return job.get<int16_t>(op.output.binding, op.output.offset,
					elems(op.output));
	}
};

std::vector<int16_t> Random(std::mt19937 &rng, size_t n, int lo, int hi)
{
	std::uniform_int_distribution<int> u(lo, hi);
	std::vector<int16_t> v(n);
	for (auto &x : v)
		x = int16_t(u(rng));
	return v;
}

const refsm16::Lut &ExpLut()
{
	static const refsm16::Lut l = refsm16::ExpLut();
	return l;
}

const refsm16::Lut &RecipLut()
{
	static const refsm16::Lut l = refsm16::RecipLut();
	return l;
}

// The tables themselves: the ends that gen_lut's definition fixes.
TEST(IsaSoftmaxS16, TablesHaveTheirDefiningValues)
{
	EXPECT_EQ(ExpLut()[512], 32767);         // exp(0) * 32768, saturated
	// exp(-10) * 32768 = 1.49 rounds to 1, but the line to the next
	// sample (1.52) misses the midpoint's 1.50 -> 2 by one: bias -1.
	EXPECT_EQ(ExpLut()[0], 2);
	EXPECT_EQ(RecipLut()[0], 32767);         // 1 / (1 + 0)
	EXPECT_EQ(RecipLut()[512], 16384);       // 1 / (1 + 1)
	for (int i = 0; i < 512; i++) {
		EXPECT_LE(ExpLut()[i], ExpLut()[i + 1]) << i;
		EXPECT_GE(RecipLut()[i], RecipLut()[i + 1]) << i;
	}
}

TEST(IsaSoftmaxS16, RandomRowsMatchReference)
{
	std::mt19937 rng(1955);
	const float scales[] = {1.0f / 32768, 0.0005f, 0.001f, 0.01f, 0.1f};
	const float betas[] = {1.0f, 0.5f, 2.0f, 0.125f};
	const Dims shapes[] = {{1, 1, 1, 10}, {2, 3, 4, 17}, {1, 1, 5, 1000},
			       {3, 1, 1, 2}, {1, 2, 2, 129}};
	int n = 0;
	for (float scale : scales)
		for (float beta : betas)
			for (const auto &d : shapes) {
				int32_t m;
				int shift;
				refsm16::InputMultiplier(scale, beta, &m, &shift);
				ASSERT_LE(shift, 15);
				// Narrow ranges too, so the exps are not all 0 or 1.
				int span = (n % 3 == 0) ? 32767 : (n % 3 == 1 ? 3000 : 200);
				auto x = Random(rng, Count(d), -span - 1, span);
				Case c(x, d, m, shift, ExpLut(), RecipLut());
				auto want = refsm16::Softmax(x, d[3], m, shift, ExpLut(),
							     RecipLut());
				ASSERT_EQ(c.Run(), want)
					<< "scale " << scale << " beta " << beta << " C " << d[3];
				n++;
			}
}

TEST(IsaSoftmaxS16, ExtremeAndEqualRows)
{
	int32_t m;
	int shift;
	refsm16::InputMultiplier(0.01f, 1.0f, &m, &shift);
	const std::vector<int16_t> rows[] = {
		{INT16_MIN, INT16_MAX, INT16_MIN, INT16_MAX},
		{INT16_MIN, INT16_MIN, INT16_MIN, INT16_MIN},
		{INT16_MAX, INT16_MAX, INT16_MAX, INT16_MAX},
		{0, 0, 0, 0},
		{INT16_MAX, INT16_MIN, INT16_MIN, INT16_MIN},
		{-7, -7, -7, -7},
	};
	for (const auto &x : rows) {
		Case c(x, {1, 1, 1, 4}, m, shift, ExpLut(), RecipLut());
		auto got = c.Run();
		EXPECT_EQ(got, refsm16::Softmax(x, 4, m, shift, ExpLut(), RecipLut()));
	}
	// Four equal values: a quarter each, within a step of 8192.
	Case eq({5, 5, 5, 5}, {1, 1, 1, 4}, m, shift, ExpLut(), RecipLut());
	for (int16_t v : eq.Run())
		EXPECT_NEAR(v, 8192, 2);
	// One winner out of four far below: all of the probability.
	Case win({INT16_MAX, INT16_MIN, INT16_MIN, INT16_MIN}, {1, 1, 1, 4}, m,
		 shift, ExpLut(), RecipLut());
	auto w = win.Run();
	EXPECT_GE(w[0], 32760);
	EXPECT_LE(w[1], 2);       // exp(-10) is the table's floor, not 0
}

TEST(IsaSoftmaxS16, RowsOfOneAndTheLongestRow)
{
	std::mt19937 rng(7);
	int32_t m;
	int shift;
	refsm16::InputMultiplier(0.001f, 1.0f, &m, &shift);
	// A row of one element is probability 1 whatever its value.
	auto x1 = Random(rng, 64, INT16_MIN, INT16_MAX);
	Case one(x1, {1, 4, 16, 1}, m, shift, ExpLut(), RecipLut());
	auto got1 = one.Run();
	EXPECT_EQ(got1, refsm16::Softmax(x1, 1, m, shift, ExpLut(), RecipLut()));
	for (int16_t v : got1)
		EXPECT_GE(v, 32700);

	// AIOT_ISA_MAX_DIM equal values: the largest sum a real table gives.
	const Dims d = {1, 1, 1, AIOT_ISA_MAX_DIM};
	std::vector<int16_t> eq(Count(d), 1234);
	Case big(eq, d, m, shift, ExpLut(), RecipLut());
	std::vector<int32_t> sums;
	EXPECT_EQ(big.Run(), refsm16::Softmax(eq, d[3], m, shift, ExpLut(),
					      RecipLut(), &sums));
	EXPECT_GT(sums[0], 65535 * 32000);

	auto x = Random(rng, Count(d), -2000, 2000);
	Case rnd(x, d, m, shift, ExpLut(), RecipLut());
	EXPECT_EQ(rnd.Run(), refsm16::Softmax(x, d[3], m, shift, ExpLut(), RecipLut()));
}

TEST(IsaSoftmaxS16, InPlaceMatchesReference)
{
	std::mt19937 rng(3);
	int32_t m;
	int shift;
	refsm16::InputMultiplier(0.002f, 1.0f, &m, &shift);
	const Dims d = {2, 1, 3, 33};
	auto x = Random(rng, Count(d), -5000, 5000);
	Case c(x, d, m, shift, ExpLut(), RecipLut());
	c.op.output = c.op.input;
	auto s = Stream(c.op);
	ASSERT_EQ(c.job.validate(s), 0);
	ASSERT_EQ(c.job.run(s), 0);
	EXPECT_EQ(c.job.get<int16_t>(1, c.op.input.offset, x.size()),
		  refsm16::Softmax(x, d[3], m, shift, ExpLut(), RecipLut()));
}

// The executor reads the tables it is given: changing one entry that a
// lookup uses changes the output, and as the reference says.
TEST(IsaSoftmaxS16, PerturbedTablesChangeResults)
{
	int32_t m;
	int shift;
	refsm16::InputMultiplier(0.01f, 1.0f, &m, &shift);
	const std::vector<int16_t> x = {0, -100, -200, -300, -400, -1000};
	const size_t C = x.size();
	auto base = refsm16::Softmax(x, C, m, shift, ExpLut(), RecipLut());
	Case c0(x, {1, 1, 1, uint32_t(C)}, m, shift, ExpLut(), RecipLut());
	ASSERT_EQ(c0.Run(), base);

	auto exp2 = ExpLut();
	for (int i = 300; i < 512; i++)
		exp2[i] = int16_t(exp2[i] - 500);
	auto want = refsm16::Softmax(x, C, m, shift, exp2, RecipLut());
	ASSERT_NE(want, base);
	Case c1(x, {1, 1, 1, uint32_t(C)}, m, shift, exp2, RecipLut());
	EXPECT_EQ(c1.Run(), want);

	auto recip2 = RecipLut();
	for (auto &v : recip2)
		v = int16_t(v / 2);
	want = refsm16::Softmax(x, C, m, shift, ExpLut(), recip2);
	ASSERT_NE(want, base);
	Case c2(x, {1, 1, 1, uint32_t(C)}, m, shift, ExpLut(), recip2);
	EXPECT_EQ(c2.Run(), want);
}

// Tables TFLite never generates: random contents (wrapping slopes) match
// the reference wherever it is defined (a row sum of at least 2); where
// it is not, docs/isa.md defines the result and UBSan sees no overflow.
TEST(IsaSoftmaxS16, HostileTablesAreDefined)
{
	std::mt19937 rng(11);
	int32_t m;
	int shift;
	refsm16::InputMultiplier(0.003f, 1.0f, &m, &shift);
	const Dims d = {1, 1, 8, 40};
	for (int t = 0; t < 20; t++) {
		refsm16::Lut e = Random(rng, 513, 1, 32767);
		refsm16::Lut r = Random(rng, 513, INT16_MIN, INT16_MAX);
		if (t % 2)
			for (size_t i = 0; i < e.size(); i += 2)
				e[i] = int16_t(i % 4 ? 1 : 32767);
		auto x = Random(rng, Count(d), INT16_MIN, INT16_MAX);
		Case c(x, d, m, shift, e, r);
		EXPECT_EQ(c.Run(), refsm16::Softmax(x, d[3], m, shift, e, r)) << t;
	}
	// An exp table of zeros (and one of negative values) sums to <= 0:
	// the row is 0.
	for (int16_t fill : {int16_t(0), int16_t(-3), int16_t(INT16_MIN)}) {
		refsm16::Lut e(513, fill);
		auto x = Random(rng, Count(d), INT16_MIN, INT16_MAX);
		Case c(x, d, m, shift, e, RecipLut());
		for (int16_t v : c.Run())
			ASSERT_EQ(v, 0) << fill;
	}
	// A sum of exactly 1: no shift and no rounding term (TFLite's would be
	// 1 << -1); the output is exp * reciprocal clamped to 32767.
	refsm16::Lut ones(513, 1);
	Case one({42}, {1, 1, 1, 1}, m, shift, ones, RecipLut());
	EXPECT_EQ(one.Run(), std::vector<int16_t>({32767}));
	refsm16::Lut recip_small(513, 5);
	Case one5({42}, {1, 1, 1, 1}, m, shift, ones, recip_small);
	EXPECT_EQ(one5.Run(), std::vector<int16_t>({5}));
	// The largest shift with the row's largest difference.
	Case wide({INT16_MIN, INT16_MAX}, {1, 1, 1, 2}, INT32_MAX, 15, ExpLut(),
		  RecipLut());
	EXPECT_EQ(wide.Run(), refsm16::Softmax({INT16_MIN, INT16_MAX}, 2, INT32_MAX,
						15, ExpLut(), RecipLut()));
}

TEST(IsaSoftmaxS16, ValidatorChecksEveryField)
{
	int32_t m;
	int shift;
	refsm16::InputMultiplier(0.01f, 1.0f, &m, &shift);
	std::vector<int16_t> x(24, 3);
	Case c(x, {1, 2, 3, 4}, m, shift, ExpLut(), RecipLut());
	Job &job = c.job;
	const auto op = c.op;
	ASSERT_EQ(job.validate(Stream(op)), 0);

	// The version gate: the same stream declared 1.8 is refused whole.
	EXPECT_EQ(job.validate(Stream(op, 8)), -EOPNOTSUPP);
	EXPECT_EQ(job.validate(Stream(op, 0)), -EOPNOTSUPP);

	auto bad = op;
	bad.reserved[0] = 1;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.reserved[1] = 0x80000000u;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.hdr.flags = 1;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	// dtypes
	bad = op;
	bad.input.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.output.dtype = AIOT_ISA_DTYPE_INT8;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.output.dtype = AIOT_ISA_DTYPE_INT32;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	// shapes
	bad = op;
	bad.output.dims[3] = 2;
	bad.output.dims[2] = 6;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.input.dims[0] = 0;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.input.reserved = 1;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.input.offset += 1;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.output.offset = uint32_t(job.buf[2].size());
	EXPECT_EQ(job.validate(Stream(bad)), -ENOSPC);
	// the tables: inside a bound buffer, aligned, reserved bytes zero
	// the first 4-aligned offset past the last one that fits
	const uint32_t past = (uint32_t(job.buf[0].size()) - 1026 + 4) & ~3u;
	bad = op;
	bad.exp_table.offset = past;
	EXPECT_EQ(job.validate(Stream(bad)), -ENOSPC);
	bad.exp_table.offset = past - 4;
	EXPECT_EQ(job.validate(Stream(bad)), 0);
	bad = op;
	bad.one_over_one_plus_x_table.offset = past;
	EXPECT_EQ(job.validate(Stream(bad)), -ENOSPC);
	bad = op;
	bad.exp_table.offset += 2;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.one_over_one_plus_x_table.offset += 1;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.exp_table.binding = 5;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.one_over_one_plus_x_table.binding = AIOT_ISA_MAX_BINDINGS;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.exp_table.reserved[1] = 1;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.one_over_one_plus_x_table.reserved[2] = 1;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	// the output overlapping a table or part of the input
	bad = op;
	bad.output.binding = 0;
	bad.output.offset = op.exp_table.offset + 4;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.output.binding = 0;
	bad.output.offset = op.one_over_one_plus_x_table.offset;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad = op;
	bad.output.binding = 1;
	bad.output.offset = op.input.offset + 2;
	job.buf[1].resize(job.buf[1].size() + 2);
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad.output.offset = op.input.offset;
	EXPECT_EQ(job.validate(Stream(bad)), 0);
	// the input may share a buffer with the tables (read-only)
	bad = op;
	bad.exp_table = Ref(1, op.input.offset);
	job.buf[1].resize(op.input.offset + 1026 + 8);
	EXPECT_EQ(job.validate(Stream(bad)), 0);
	// multiplier and shift
	bad = op;
	bad.input_multiplier = -1;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad.input_multiplier = INT32_MIN;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad.input_multiplier = INT32_MAX;
	EXPECT_EQ(job.validate(Stream(bad)), 0);
	bad.input_multiplier = 0;
	EXPECT_EQ(job.validate(Stream(bad)), 0);
	bad = op;
	bad.input_shift = 15;
	EXPECT_EQ(job.validate(Stream(bad)), 0);
	bad.input_shift = 16;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	bad.input_shift = -31;
	EXPECT_EQ(job.validate(Stream(bad)), 0);
	bad.input_shift = -32;
	EXPECT_EQ(job.validate(Stream(bad)), -EINVAL);
	// the record's size is the descriptor's
	static_assert(sizeof(aiot_isa_op_softmax_s16) % 8 == 0, "size");
	StreamBuilder sb;
	auto raw = op;
	raw.hdr.size = sizeof(raw) - 8;
	sb.add_raw(&raw, sizeof(raw) - 8);
	auto s = sb.build();
	EXPECT_EQ(job.validate(s), -EINVAL);
}

} // namespace
