// SPDX-License-Identifier: GPL-2.0-only OR MIT
// ISA 1.9's SIGMOID_S16: int16 LOGISTIC and TANH against the independent
// transcription of TensorFlow Lite Micro's reference_integer_ops::Logistic
// and Tanh in isa_lstm_ref.h, over every int16 input for each multiplier
// and shift; then the validator's rules and the version gate.
#include <gtest/gtest.h>

#include <set>

#include "isa_lstm_ref.h"
#include "isa_test_util.h"

using namespace isa_test;

namespace {

constexpr uint8_t kS16 = AIOT_ISA_DTYPE_INT16;

// Every int16 value once, as a [1, 256, 256, 1] tensor.
std::vector<int16_t> AllInt16()
{
	std::vector<int16_t> v(65536);
	for (int i = 0; i < 65536; i++)
		v[size_t(i)] = int16_t(i - 32768);
	return v;
}

aiot_isa_op_sigmoid_s16 Op(uint32_t fn, int32_t multiplier, int32_t shift, uint32_t in_off,
			   uint32_t out_off, uint32_t rows = 256)
{
	aiot_isa_op_sigmoid_s16 op{};
	op.hdr.opcode = AIOT_ISA_OP_SIGMOID_S16;
	op.input = tensor(AIOT_ISA_BINDING_INPUT, in_off, 1, rows, 256, 1, kS16);
	op.output = tensor(AIOT_ISA_BINDING_OUTPUT, out_off, 1, rows, 256, 1, kS16);
	op.function = fn;
	op.input_multiplier = multiplier;
	op.input_left_shift = shift;
	return op;
}

std::vector<uint8_t> Stream(const aiot_isa_op_sigmoid_s16 &op, uint16_t minor = 9)
{
	return one_op(op, minor);
}

struct Pair {
	int32_t multiplier, shift;
	bool spans; // the inputs cover the table's range without saturating all
};

// TFLite's power-of-two pairs (3, 0) and (6, 0), what its Prepare()
// derives for a few scales (1/3000: 20480 >> 11 ...), and the extremes
// the validator accepts.
const Pair kPairs[] = {
	{3, 0, true},	     {6, 0, true},	   {24576, 13, true}, {16384, 0, false},
	{32767, 0, false},   {32767, 31, false}, {1, 0, true},	      {1, 31, false},
	{20972, 12, true},   {25166, 17, true},	 {17280, 3, false}, {30000, 30, false},
};

std::vector<int16_t> Reference(uint32_t fn, const Pair &p, const std::vector<int16_t> &in)
{
	std::vector<int16_t> out(in.size());
	reflstm::Stats st{};
	if (fn == AIOT_ISA_SIGMOID_TANH)
		reflstm::Tanh16(p.multiplier, p.shift, int(in.size()), in.data(), out.data(), &st);
	else
		reflstm::Logistic16(p.multiplier, p.shift, int(in.size()), in.data(), out.data(),
				    &st);
	return out;
}

TEST(IsaSigmoidS16, EveryInputMatchesTfliteMicro)
{
	const auto in = AllInt16();
	for (uint32_t fn : {AIOT_ISA_SIGMOID_LOGISTIC, AIOT_ISA_SIGMOID_TANH}) {
		for (const auto &p : kPairs) {
			Job job;
			uint32_t io = job.put(AIOT_ISA_BINDING_INPUT, in.data(), in.size() * 2);
			uint32_t oo = job.reserve(AIOT_ISA_BINDING_OUTPUT, in.size() * 2);
			auto s = Stream(Op(fn, p.multiplier, p.shift, io, oo));
			ASSERT_EQ(job.validate(s), 0);
			ASSERT_EQ(job.run(s), 0);
			auto got = job.get<int16_t>(AIOT_ISA_BINDING_OUTPUT, oo, in.size());
			auto want = Reference(fn, p, in);
			size_t bad = 0;
			for (size_t i = 0; i < in.size(); i++) {
				if (got[i] != want[i] && bad++ < 5)
					ADD_FAILURE() << (fn ? "tanh" : "logistic") << " ("
						      << p.multiplier << ", " << p.shift << ") x "
						      << in[i] << ": " << got[i] << " want "
						      << want[i];
			}
			EXPECT_EQ(bad, 0u);
			// the outputs span the function, not a constant
			std::set<int16_t> distinct(got.begin(), got.end());
			if (p.spans) {
				EXPECT_GT(distinct.size(), 1000u) << p.multiplier << " " << p.shift;
			}
		}
	}
}

TEST(IsaSigmoidS16, KnownValues)
{
	// scale 2^-12, TFLite's power-of-two logistic: x = 0 gives 1/2,
	// x = 4096 (1.0) reads table entry 24 (47911 = 65536 * sigmoid(1)),
	// (47911 * 512 + 512) >> 10 = 23956; 32767 (8.0) gives
	// 32768 * sigmoid(8) = 32757.0 and -32768 its complement 11.
	const std::vector<int16_t> in = {0, 4096, -4096, INT16_MAX, INT16_MIN, 1, -1, 0};
	Job job;
	uint32_t io = job.put(AIOT_ISA_BINDING_INPUT, in.data(), in.size() * 2);
	uint32_t oo = job.reserve(AIOT_ISA_BINDING_OUTPUT, in.size() * 2);
	auto op = Op(AIOT_ISA_SIGMOID_LOGISTIC, 3, 0, io, oo, 1);
	op.input.dims[2] = op.output.dims[2] = uint32_t(in.size());
	auto s = Stream(op);
	ASSERT_EQ(job.run(s), 0);
	auto got = job.get<int16_t>(AIOT_ISA_BINDING_OUTPUT, oo, in.size());
	EXPECT_EQ(got[0], 16384);
	EXPECT_EQ(got[1], 23956);
	EXPECT_EQ(got[1] + got[2], 32768); // sigmoid(-t) = 1 - sigmoid(t), less 1 ulp
	EXPECT_EQ(got[3], 32757);
	EXPECT_EQ(got[4], 11);
	// tanh with the same pair (TFLite's for an input scale of 2^-12):
	// tanh(0) = 0, and the saturated ends 32767 and -32767 (the
	// reference's rounding of the negative side)
	op.function = AIOT_ISA_SIGMOID_TANH;
	s = Stream(op);
	ASSERT_EQ(job.run(s), 0);
	got = job.get<int16_t>(AIOT_ISA_BINDING_OUTPUT, oo, in.size());
	EXPECT_EQ(got[0], 0);
	EXPECT_EQ(got[3], 32767);
	EXPECT_EQ(got[4], -32767);
	EXPECT_GT(got[1], 0);
	EXPECT_LT(got[2], 0);
}

TEST(IsaSigmoidS16, InPlace)
{
	const auto in = AllInt16();
	Job job;
	uint32_t off = job.put(AIOT_ISA_BINDING_INPUT, in.data(), in.size() * 2);
	job.buf[AIOT_ISA_BINDING_OUTPUT].resize(4);
	auto op = Op(AIOT_ISA_SIGMOID_TANH, 20972, 12, off, off);
	op.output.binding = AIOT_ISA_BINDING_INPUT;
	auto s = Stream(op);
	ASSERT_EQ(job.validate(s), 0);
	ASSERT_EQ(job.run(s), 0);
	EXPECT_EQ(job.get<int16_t>(AIOT_ISA_BINDING_INPUT, off, in.size()),
		  Reference(AIOT_ISA_SIGMOID_TANH, {20972, 12, true}, in));
}

TEST(IsaSigmoidS16, ValidatorRules)
{
	Job job;
	uint32_t io = job.reserve(AIOT_ISA_BINDING_INPUT, 65536 * 2);
	uint32_t oo = job.reserve(AIOT_ISA_BINDING_OUTPUT, 65536 * 2);
	const auto good = Op(AIOT_ISA_SIGMOID_LOGISTIC, 24576, 13, io, oo);
	ASSERT_EQ(job.validate(Stream(good)), 0);

	// ISA 1.9's opcode in a 1.8 stream: unknown there
	EXPECT_EQ(job.validate(Stream(good, 8)), -EOPNOTSUPP);

	struct Bad {
		const char *what;
		void (*mutate)(aiot_isa_op_sigmoid_s16 &);
		int rc;
	};
	const Bad bad[] = {
		{"function 2", [](aiot_isa_op_sigmoid_s16 &o) { o.function = 2; }, -EINVAL},
		{"multiplier 0", [](aiot_isa_op_sigmoid_s16 &o) { o.input_multiplier = 0; },
		 -EINVAL},
		{"multiplier -3", [](aiot_isa_op_sigmoid_s16 &o) { o.input_multiplier = -3; },
		 -EINVAL},
		{"multiplier 32768",
		 [](aiot_isa_op_sigmoid_s16 &o) { o.input_multiplier = 32768; }, -EINVAL},
		{"shift -1", [](aiot_isa_op_sigmoid_s16 &o) { o.input_left_shift = -1; },
		 -EINVAL},
		{"shift 32", [](aiot_isa_op_sigmoid_s16 &o) { o.input_left_shift = 32; },
		 -EINVAL},
		{"reserved", [](aiot_isa_op_sigmoid_s16 &o) { o.reserved = 1; }, -EINVAL},
		{"int8 input",
		 [](aiot_isa_op_sigmoid_s16 &o) { o.input.dtype = AIOT_ISA_DTYPE_INT8; },
		 -EINVAL},
		{"int8 output",
		 [](aiot_isa_op_sigmoid_s16 &o) { o.output.dtype = AIOT_ISA_DTYPE_INT8; },
		 -EINVAL},
		{"shapes differ", [](aiot_isa_op_sigmoid_s16 &o) { o.output.dims[1] = 128; },
		 -EINVAL},
		{"output past its buffer",
		 [](aiot_isa_op_sigmoid_s16 &o) { o.output.offset += 2; }, -ENOSPC},
		{"odd offset", [](aiot_isa_op_sigmoid_s16 &o) { o.input.offset += 1; }, -EINVAL},
		{"output overlaps the input partly",
		 [](aiot_isa_op_sigmoid_s16 &o) {
			 o.output = o.input;
			 o.output.dims[1] = 128;
			 o.input.dims[1] = 128;
			 o.output.offset += 2;
		 },
		 -EINVAL},
	};
	for (const auto &b : bad) {
		auto op = good;
		b.mutate(op);
		EXPECT_EQ(job.validate(Stream(op)), b.rc) << b.what;
	}
	// the largest accepted pair runs without overflow (UBSan watches)
	auto op = Op(AIOT_ISA_SIGMOID_TANH, AIOT_ISA_SIGMOID_MAX_MULTIPLIER, 0, io, oo);
	EXPECT_EQ(job.run(Stream(op)), 0);
}

} // namespace
