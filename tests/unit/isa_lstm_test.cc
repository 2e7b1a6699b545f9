// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// ISA 1.7 UNIDIRECTIONAL_SEQUENCE_LSTM (opcode 49) bit for bit against the
// independent transcription of TensorFlow Lite Micro's integer LSTM in
// isa_lstm_ref.h, on generated cases: sizes, batches and time steps,
// both layouts, zero points at the extremes, the cell state's scales,
// cell clipping, saturating gates and cell states, and the state carried
// from one run to the next. Then every validator rule and the version
// gate.
#include <gtest/gtest.h>

#include "isa_lstm_ref.h"

using namespace isa_test;
using namespace isa_test::reflstm;

namespace {

constexpr uint8_t I8 = AIOT_ISA_DTYPE_INT8, I16 = AIOT_ISA_DTYPE_INT16,
		  I32 = AIOT_ISA_DTYPE_INT32;

struct Case {
	Params p;
	Weights w;
	std::vector<int8_t> x, hidden;
	std::vector<int16_t> cell;
};

int32_t Zp(std::mt19937 &rng)
{
	switch (rng() % 4) {
	case 0:
		return -128;
	case 1:
		return 127;
	default:
		return int32_t(rng() % 256) - 128;
	}
}

double Uniform(std::mt19937 &rng, double lo, double hi)
{
	return lo + (hi - lo) * double(rng() % 1000000) / 1e6;
}

void Quantize(double scale, int32_t *m, int32_t *s)
{
	int shift;
	QuantizeMultiplier(scale, m, &shift);
	*s = shift;
}

// Parameters as TFLite Micro derives them from the tensors' scales
// (lstm_eval_common.cc); @hot multiplies the gates' scales so that the
// fully connected layers and their sums saturate int16.
Case MakeCase(std::mt19937 &rng, int I, int H, int B, int T, bool time_major, double hot)
{
	Case c{};
	Params &p = c.p;
	p.I = I;
	p.H = H;
	p.B = B;
	p.T = T;
	p.time_major = time_major;
	p.in_zp = Zp(rng);
	p.h_zp = Zp(rng);
	double in_scale = Uniform(rng, 0.004, 0.08);
	double h_scale = Uniform(rng, 1.0 / 256, 2.0 / 128);
	for (int g = 0; g < 4; g++) {
		double wi = Uniform(rng, 0.002, 0.05) * hot, wr = Uniform(rng, 0.002, 0.05) * hot;
		Quantize(in_scale * wi * 4096.0, &p.gate[g].in_m, &p.gate[g].in_s);
		Quantize(h_scale * wr * 4096.0, &p.gate[g].rec_m, &p.gate[g].rec_s);
	}
	int pick = int(rng() % 10);
	p.cell_power = pick == 0 ? AIOT_ISA_LSTM_CELL_POWER_MIN :
		       pick == 1 ? AIOT_ISA_LSTM_CELL_POWER_MAX :
				   -15 + int(rng() % 7);
	double cell_scale = std::ldexp(1.0, p.cell_power);
	Quantize(1.0 / 32768, &p.forget_m, &p.forget_s);
	Quantize(std::ldexp(1.0, -30) / cell_scale, &p.input_m, &p.input_s);
	Quantize(std::ldexp(1.0, -30) / h_scale, &p.hidden_m, &p.hidden_s);
	// Cell clips from 1 (everything clipped) to the int16 limit.
	int clip = int(rng() % 6);
	p.clip = clip == 0 ? int32_t(1 + rng() % 100) :
		 clip == 1 ? int32_t(1 + rng() % 32767) : 0;
	p.cell_sigmoid = rng() % 8 == 0;
	for (int g = 0; g < 4; g++) {
		c.w.wi[g].resize(size_t(H) * I);
		c.w.wr[g].resize(size_t(H) * H);
		c.w.bias[g].resize(H);
		for (auto &v : c.w.wi[g])
			v = int8_t(int(rng() % 255) - 127);
		for (auto &v : c.w.wr[g])
			v = int8_t(int(rng() % 255) - 127);
		for (auto &v : c.w.bias[g])
			v = rng() % 8 ? int32_t(rng() % 40001) - 20000 :
					int32_t(rng() % (1u << 24)) - (1 << 23);
	}
	c.x.resize(size_t(T) * B * I);
	for (auto &v : c.x)
		v = int8_t(rng());
	c.hidden.resize(size_t(B) * H);
	for (auto &v : c.hidden)
		v = int8_t(rng());
	c.cell.resize(size_t(B) * H);
	for (auto &v : c.cell)
		v = int16_t(rng());
	return c;
}

// The record for a case, its operands placed in a fresh job: weights and
// biases in slot 0, input 1, output 2, states and scratch 3.
aiot_isa_op_lstm MakeOp(Job &job, const Case &c)
{
	const Params &p = c.p;
	aiot_isa_op_lstm op{};
	op.hdr.opcode = AIOT_ISA_OP_LSTM;
	uint32_t d1 = p.time_major ? p.T : p.B, d2 = p.time_major ? p.B : p.T;
	op.input = tensor(1, job.put(1, c.x.data(), c.x.size()), 1, d1, d2, p.I);
	op.output = tensor(2, job.reserve(2, size_t(p.T) * p.B * p.H), 1, d1, d2, p.H);
	// The four gates' matrices and biases one after the other.
	std::vector<int8_t> wi, wr;
	std::vector<int32_t> bias;
	for (int g = 0; g < 4; g++) {
		wi.insert(wi.end(), c.w.wi[g].begin(), c.w.wi[g].end());
		wr.insert(wr.end(), c.w.wr[g].begin(), c.w.wr[g].end());
		bias.insert(bias.end(), c.w.bias[g].begin(), c.w.bias[g].end());
		op.gate[g] = {p.gate[g].in_m, p.gate[g].in_s, p.gate[g].rec_m, p.gate[g].rec_s};
	}
	op.input_weights = tensor(0, job.put(0, wi.data(), wi.size()), 4, p.H, 1, p.I);
	op.recurrent_weights = tensor(0, job.put(0, wr.data(), wr.size()), 4, p.H, 1, p.H);
	op.bias = tensor(0, job.put(0, bias.data(), bias.size() * 4), 1, 1, 4, p.H, I32);
	op.hidden_state = tensor(3, job.put(3, c.hidden.data(), c.hidden.size()), 1, 1, p.B, p.H);
	op.cell_state = tensor(3, job.put(3, c.cell.data(), c.cell.size() * 2), 1, 1, p.B, p.H,
			       I16);
	op.scratch = tensor(3, job.reserve(3, size_t(4) * p.H * 2), 1, 1, 4, p.H, I16);
	op.input_zero_point = p.in_zp;
	op.hidden_zero_point = p.h_zp;
	op.forget_multiplier = p.forget_m;
	op.forget_shift = p.forget_s;
	op.input_multiplier = p.input_m;
	op.input_shift = p.input_s;
	op.hidden_multiplier = p.hidden_m;
	op.hidden_shift = p.hidden_s;
	op.cell_scale_power = p.cell_power;
	op.cell_clip = p.clip;
	op.time_major = p.time_major;
	op.cell_activation = p.cell_sigmoid ? AIOT_ISA_LSTM_ACT_SIGMOID : AIOT_ISA_LSTM_ACT_TANH;
	return op;
}

std::vector<uint8_t> Stream(const aiot_isa_op_lstm &op,
			    uint16_t minor = AIOT_ISA_VERSION_MINOR)
{
	return one_op(op, minor);
}

// Runs a case twice through one job (the state carried between the runs
// as a keyword spotter carries it between windows), each run against the
// reference continuing from its own state.
void RunCase(Case c, Stats *st)
{
	const Params &p = c.p;
	Job job;
	auto op = MakeOp(job, c);
	auto s = Stream(op);
	aiot_isa_summary sum{};
	ASSERT_EQ(job.validate(s, &sum), 0);
	EXPECT_EQ(sum.isa_minor, uint32_t(AIOT_ISA_VERSION_MINOR)); // the builder's
	EXPECT_EQ(sum.op_mask, 1ull << AIOT_ISA_OP_LSTM);
	EXPECT_EQ(sum.work, uint64_t(p.T) * p.B * p.H * (4 * uint64_t(p.I + p.H) + 1));
	EXPECT_EQ(sum.bindings_written, 0xcu);
	EXPECT_EQ(sum.bindings_read, 0xbu);
	size_t n_out = size_t(p.T) * p.B * p.H, n_state = size_t(p.B) * p.H;
	for (int run = 0; run < 2; run++) {
		ASSERT_EQ(job.run(s), 0);
		auto want = Lstm(p, c.w, c.x, c.hidden, c.cell, st);
		ASSERT_EQ(job.get<int8_t>(2, op.output.offset, n_out), want)
			<< "run " << run << " I" << p.I << " H" << p.H << " B" << p.B << " T"
			<< p.T << (p.time_major ? " time-major" : " batch-major");
		ASSERT_EQ(job.get<int8_t>(3, op.hidden_state.offset, n_state), c.hidden);
		ASSERT_EQ(job.get<int16_t>(3, op.cell_state.offset, n_state), c.cell);
	}
}

TEST(IsaLstm, MatchesTheReferenceOnGeneratedCases)
{
	std::mt19937 rng(1749);
	Stats st;
	int cases = 0, batch_major = 0, multi_batch = 0, clipped = 0, sigmoid = 0, hot = 0;
	for (int iter = 0; iter < 400; iter++) {
		int I = 1 + int(rng() % 12), H = 1 + int(rng() % 10);
		int B = 1 + int(rng() % 3), T = 1 + int(rng() % 6);
		bool tm = rng() % 2;
		double heat = rng() % 4 == 0 ? 60.0 : 1.0;
		Case c = MakeCase(rng, I, H, B, T, tm, heat);
		batch_major += !tm;
		multi_batch += B > 1;
		clipped += c.p.clip > 0;
		sigmoid += c.p.cell_sigmoid;
		hot += heat > 1;
		RunCase(c, &st);
		if (HasFatalFailure())
			return;
		cases++;
	}
	EXPECT_EQ(cases, 400);
	EXPECT_GT(batch_major, 150);
	EXPECT_GT(multi_batch, 200);
	EXPECT_GT(clipped, 80);
	EXPECT_GT(sigmoid, 20);
	EXPECT_GT(hot, 60);
	// The saturating paths were all taken.
	EXPECT_GT(st.fc_sat, 1000);
	EXPECT_GT(st.gate_sum_sat, 100);
	EXPECT_GT(st.cell_sat, 100);
	EXPECT_GT(st.clipped, 100);
	EXPECT_GT(st.act_sat, 1000);
}

// A larger layer, as keyword spotters use, and long sequences.
TEST(IsaLstm, MatchesTheReferenceOnLargerLayers)
{
	std::mt19937 rng(11);
	Stats st;
	RunCase(MakeCase(rng, 40, 64, 1, 16, true, 1.0), &st);
	RunCase(MakeCase(rng, 49, 32, 2, 12, false, 1.0), &st);
	RunCase(MakeCase(rng, 10, 20, 3, 24, true, 8.0), &st);
}

// Extreme inputs, weights and states: every int16 stage saturates.
TEST(IsaLstm, SaturatesLikeTheReference)
{
	std::mt19937 rng(5);
	Stats st;
	for (int i = 0; i < 20; i++) {
		Case c = MakeCase(rng, 8, 6, 2, 4, i % 2, 500.0);
		for (auto &v : c.x)
			v = rng() % 2 ? 127 : -128;
		for (int g = 0; g < 4; g++)
			for (auto &v : c.w.wi[g])
				v = rng() % 2 ? 127 : -127;
		for (auto &v : c.cell)
			v = rng() % 2 ? 32767 : -32768;
		// The cell gate x input gate product alone overflows the cell.
		c.p.input_m = 1 << 30;
		c.p.input_s = 2;
		// So does forget gate x cell state with a multiplier above 1.
		if (i % 4 == 0) {
			c.p.forget_m = 1 << 30;
			c.p.forget_s = 3;
		}
		RunCase(c, &st);
		if (HasFatalFailure())
			return;
	}
	EXPECT_GT(st.cell_sat, 100);
	EXPECT_GT(st.fc_sat, 500);
}

// The same sequences in the two layouts give the same outputs, transposed.
TEST(IsaLstm, LayoutsAgree)
{
	std::mt19937 rng(99);
	Case c = MakeCase(rng, 5, 7, 3, 4, true, 1.0);
	Case d = c;
	d.p.time_major = false;
	for (int t = 0; t < 4; t++)
		for (int b = 0; b < 3; b++)
			std::memcpy(&d.x[(size_t(b) * 4 + t) * 5], &c.x[(size_t(t) * 3 + b) * 5], 5);
	Job jc, jd;
	auto oc = MakeOp(jc, c), od = MakeOp(jd, d);
	ASSERT_EQ(jc.validate(Stream(oc)), 0);
	ASSERT_EQ(jd.validate(Stream(od)), 0);
	ASSERT_EQ(jc.run(Stream(oc)), 0);
	ASSERT_EQ(jd.run(Stream(od)), 0);
	auto tc = jc.get<int8_t>(2, oc.output.offset, 4 * 3 * 7);
	auto td = jd.get<int8_t>(2, od.output.offset, 4 * 3 * 7);
	for (int t = 0; t < 4; t++)
		for (int b = 0; b < 3; b++)
			for (int h = 0; h < 7; h++)
				ASSERT_EQ(tc[(size_t(t) * 3 + b) * 7 + h],
					  td[(size_t(b) * 4 + t) * 7 + h]);
	EXPECT_EQ(jc.get<int8_t>(3, oc.hidden_state.offset, 21),
		  jd.get<int8_t>(3, od.hidden_state.offset, 21));
}

// ------------------------------------------------------------- validator

Case SmallCase()
{
	std::mt19937 rng(3);
	return MakeCase(rng, 3, 2, 2, 2, true, 1.0);
}

// Validates (and runs) a changed record; the executor must refuse exactly
// what the validator refuses.
int Check(void (*change)(aiot_isa_op_lstm &), uint16_t minor = 7, Job *out_job = nullptr)
{
	Job job;
	auto op = MakeOp(job, SmallCase());
	// Room to move operands around without leaving the buffers.
	for (unsigned b = 0; b < 4; b++)
		job.reserve(b, 256, 0);
	change(op);
	auto s = Stream(op, minor);
	int rc = job.validate(s);
	EXPECT_EQ(job.run(s), rc);
	if (out_job)
		*out_job = job;
	return rc;
}

using L = aiot_isa_op_lstm;

TEST(IsaLstm, ValidatorAcceptsTheGoodRecordAndGatesTheVersion)
{
	EXPECT_EQ(sizeof(aiot_isa_op_lstm), 320u);
	EXPECT_EQ(Check([](L &) {}), 0);
	EXPECT_EQ(Check([](L &) {}, 6), -EOPNOTSUPP) << "needs ISA 1.7";
	EXPECT_GE(AIOT_ISA_VERSION_MINOR, 7);
	// The record size is exact.
	Job job;
	auto op = MakeOp(job, SmallCase());
	op.hdr.size = sizeof(op) - 4;
	StreamBuilder sb;
	sb.add_raw(&op, sizeof(op) - 4);
	EXPECT_EQ(job.validate(sb.build()), -EINVAL);
	// So is the header's flags field.
	auto s = Stream(op);
	s[sizeof(aiot_isa_header) + 2] = 1;
	EXPECT_EQ(job.validate(s), -EINVAL);
}

TEST(IsaLstm, ValidatorRejectsBadParameters)
{
	EXPECT_EQ(Check([](L &o) { o.reserved[0] = 1; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.reserved[1] = 1; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.time_major = 2; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.cell_activation = 2; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.input_zero_point = 128; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.input_zero_point = -129; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.hidden_zero_point = 128; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.hidden_zero_point = -129; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.gate[0].input_multiplier = -1; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.gate[1].input_shift = 31; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.gate[2].recurrent_multiplier = -1; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.gate[3].recurrent_shift = -32; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.forget_multiplier = -1; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.forget_shift = 31; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.input_multiplier = -1; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.input_shift = -32; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.hidden_multiplier = -1; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.hidden_shift = 31; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.cell_scale_power = AIOT_ISA_LSTM_CELL_POWER_MIN - 1; }),
		  -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.cell_scale_power = AIOT_ISA_LSTM_CELL_POWER_MAX + 1; }),
		  -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.cell_clip = -1; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.cell_clip = 32768; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.cell_clip = 32767; }), 0);
	EXPECT_EQ(Check([](L &o) { o.gate[3].recurrent_shift = 30; }), 0);
}

TEST(IsaLstm, ValidatorRejectsBadShapesAndTypes)
{
	EXPECT_EQ(Check([](L &o) { o.input.dims[0] = 2; o.output.dims[0] = 2; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.output.dims[3] = 3; }), -EINVAL) << "output depth";
	EXPECT_EQ(Check([](L &o) { o.output.dims[1] = 1; }), -EINVAL) << "output steps";
	EXPECT_EQ(Check([](L &o) { o.time_major = 0; }), 0) << "B = T = 2 either way";
	EXPECT_EQ(Check([](L &o) { o.hidden_state.dims[2] = 1; }), -EINVAL) << "batches";
	EXPECT_EQ(Check([](L &o) { o.hidden_state.dims[1] = 2; o.hidden_state.dims[2] = 1; }),
		  -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.cell_state.dims[3] = 1; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.scratch.dims[2] = 3; }), -EINVAL) << "scratch too small";
	EXPECT_EQ(Check([](L &o) { o.input_weights.dims[3] = 2; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.input_weights.dims[0] = 3; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.recurrent_weights.dims[3] = 1; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.recurrent_weights.dims[1] = 1;
				   o.recurrent_weights.dims[2] = 2; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.bias.dims[2] = 1; o.bias.dims[3] = 8; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.input.dtype = I16; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.output.dtype = I16; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.input_weights.dtype = I16; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.recurrent_weights.dtype = I32; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.bias.dtype = I16; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.hidden_state.dtype = I16; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.cell_state.dtype = I8; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.scratch.dtype = I32; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.bias.reserved = 1; }), -EINVAL);
	EXPECT_EQ(Check([](L &o) { o.cell_state.offset += 1; }), -EINVAL) << "misaligned";
}

TEST(IsaLstm, ValidatorKeepsOperandsInsideTheirBuffers)
{
	EXPECT_EQ(Check([](L &o) { o.input.offset = 1u << 20; }), -ENOSPC);
	EXPECT_EQ(Check([](L &o) { o.output.offset = 1u << 20; }), -ENOSPC);
	EXPECT_EQ(Check([](L &o) { o.input_weights.offset = 1u << 20; }), -ENOSPC);
	EXPECT_EQ(Check([](L &o) { o.recurrent_weights.offset = 1u << 20; }), -ENOSPC);
	EXPECT_EQ(Check([](L &o) { o.bias.offset = 1u << 20; }), -ENOSPC);
	EXPECT_EQ(Check([](L &o) { o.hidden_state.offset = 1u << 20; }), -ENOSPC);
	EXPECT_EQ(Check([](L &o) { o.cell_state.offset = 1u << 20; }), -ENOSPC);
	EXPECT_EQ(Check([](L &o) { o.scratch.offset = 1u << 20; }), -ENOSPC);
	EXPECT_EQ(Check([](L &o) { o.scratch.binding = 9; }), -EINVAL);
}

TEST(IsaLstm, ValidatorRejectsOverlaps)
{
	// Each written operand against another operand.
	EXPECT_EQ(Check([](L &o) { o.output.binding = 1; o.output.offset = o.input.offset; }),
		  -EINVAL) << "output over input";
	EXPECT_EQ(Check([](L &o) { o.output.binding = 3;
				   o.output.offset = o.hidden_state.offset; }), -EINVAL)
		<< "output over hidden state";
	EXPECT_EQ(Check([](L &o) { o.hidden_state.binding = 0;
				   o.hidden_state.offset = o.input_weights.offset; }), -EINVAL)
		<< "hidden state over weights";
	EXPECT_EQ(Check([](L &o) { o.cell_state.binding = 0;
				   o.cell_state.offset = o.bias.offset; }), -EINVAL)
		<< "cell state over a bias";
	EXPECT_EQ(Check([](L &o) { o.cell_state.offset = o.hidden_state.offset; }), -EINVAL)
		<< "cell over hidden state";
	EXPECT_EQ(Check([](L &o) { o.scratch.offset = o.cell_state.offset; }), -EINVAL)
		<< "scratch over the cell state";
	EXPECT_EQ(Check([](L &o) { o.scratch.binding = 1; o.scratch.offset = 0; }), -EINVAL)
		<< "scratch over the input";
	// Read-only operands may share bytes.
	EXPECT_EQ(Check([](L &o) { o.recurrent_weights.offset = o.input_weights.offset; }), 0);
}

// The stop hook is polled within a long LSTM.
TEST(IsaLstm, StopsWhenAsked)
{
	std::mt19937 rng(2);
	Case c = MakeCase(rng, 200, 200, 1, 8, true, 1.0);
	Job job;
	auto op = MakeOp(job, c);
	auto s = Stream(op);
	ASSERT_EQ(job.validate(s), 0);
	auto sz = job.sizes();
	std::vector<void *> ptrs;
	for (auto &v : job.buf)
		ptrs.push_back(v.data());
	int polls = 0;
	aiot_isa_exec_control ctl{};
	ctl.should_stop = [](void *arg) { return ++*static_cast<int *>(arg) > 3; };
	ctl.arg = &polls;
	EXPECT_EQ(aiot_isa_execute_ctl(s.data(), s.size(), ptrs.data(), sz.data(),
				       unsigned(sz.size()), &ctl),
		  -ECANCELED);
	EXPECT_EQ(polls, 4);
}

} // namespace
