// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// UNIDIRECTIONAL_SEQUENCE_LSTM through aiot-compile's lowering: generated
// int8 .tflite models (compile_lstm_model.h) of many shapes, both layouts,
// realistic and extreme quantizations, lowered and run by the reference
// executor several times in a row (the state carried in the arena), then
// after a reset; each output byte-equal to isa_lstm_ref.h's transcription
// of TFLite Micro's kernel fed with parameters this file derives from the
// model's float scales on its own. Then every refusal, by name.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "compile_lstm_model.h"
#include "isa_lstm_ref.h"

extern "C" {
#include "lower.h"
}

using namespace compile_test;
namespace rl = isa_test::reflstm;

namespace {

// TFLite Micro's prepare, written here from its definition
// (lstm_eval_common.cc): float products of the float scales, divided in
// double; the cell state's power from its log2; the clip truncated.
rl::Params ParamsFromScales(const LstmSpec &s)
{
	rl::Params p{};
	p.I = s.I;
	p.H = s.H;
	p.B = s.B;
	p.T = s.T;
	p.time_major = s.time_major;
	p.in_zp = int32_t(s.in_zp);
	p.h_zp = int32_t(s.h_zp);
	const float q312 = std::ldexp(1.0f, -12), q015 = std::ldexp(1.0f, -15);
	auto quant = [](double real, int32_t *m, int32_t *shift) {
		int sh = 0;
		isa_test::ref::QuantizeMultiplier(real, m, &sh);
		*shift = sh;
	};
	for (int g = 0; g < 4; g++) {
		float in_product = s.in_scale * s.wi_scale[g];
		float rec_product = s.h_scale * s.wr_scale[g];
		quant(double(in_product) / double(q312), &p.gate[g].in_m, &p.gate[g].in_s);
		quant(double(rec_product) / double(q312), &p.gate[g].rec_m, &p.gate[g].rec_s);
	}
	quant(double(q015) * double(s.cell_scale) / double(s.cell_scale), &p.forget_m,
	      &p.forget_s);
	quant(double(q015) * double(q015) / double(s.cell_scale), &p.input_m, &p.input_s);
	quant(double(q015) * double(q015) / double(s.h_scale), &p.hidden_m, &p.hidden_s);
	p.cell_power = int32_t(std::lround(std::log2(double(s.cell_scale))));
	p.clip = s.cell_clip > 0.0f ?
		 int16_t(std::min(std::max(double(s.cell_clip) / double(s.cell_scale), -32768.0),
				  32767.0)) : 0;
	p.cell_sigmoid = false;
	return p;
}

rl::Weights WeightsOf(const LstmSpec &s)
{
	rl::Weights w;
	for (int g = 0; g < 4; g++) {
		w.wi[g] = s.wi[g];
		w.wr[g] = s.wr[g];
		w.bias[g] = s.bias[g];
	}
	return w;
}

// A lowered model with its buffers; the arena persists between runs.
struct Compiled {
	int rc = 0;
	std::string err;
	aiot_lowered_model *l = nullptr;
	std::vector<uint8_t> in, out, arena;

	explicit Compiled(const std::vector<uint8_t> &tflite)
	{
		std::string lerr;
		ModelPtr m = Load(tflite, &lerr);
		if (!m) {
			rc = -1;
			err = "load: " + lerr;
			return;
		}
		char msg[4096];
		rc = aiot_lower_model(m.get(), &l, msg, sizeof(msg));
		if (rc) {
			err = msg;
			return;
		}
		in.assign(l->input.bytes, 0);
		out.assign(l->output.bytes, 0);
		arena.assign(l->arena_size ? l->arena_size : 1, 0);
	}
	~Compiled() { aiot_lowered_model_free(l); }

	int Run(const std::vector<int8_t> &x)
	{
		std::memcpy(in.data(), x.data(), std::min(in.size(), x.size()));
		std::fill(out.begin(), out.end(), 0x5a);
		void *b[4] = {l->weights, in.data(), out.data(), arena.data()};
		u64 sz[4] = {l->weights_size, in.size(), out.size(), arena.size()};
		return aiot_isa_execute(l->stream, l->stream_size, b, sz, 4);
	}
	std::vector<int8_t> Out() const { return std::vector<int8_t>(out.begin(), out.end()); }
};

std::vector<int8_t> RandomInput(std::mt19937 &rng, const LstmSpec &s, int kind)
{
	std::vector<int8_t> x(size_t(s.T) * s.B * s.I);
	for (auto &v : x)
		v = kind == 1 ? int8_t(rng() % 2 ? 127 : -128) : int8_t(rng());
	return x;
}

float Uniform(std::mt19937 &rng, double lo, double hi)
{
	return float(std::uniform_real_distribution<double>(lo, hi)(rng));
}

int64_t Zp(std::mt19937 &rng, bool extreme)
{
	if (extreme)
		return rng() % 3 == 0 ? -128 : rng() % 2 ? 127 : int64_t(rng() % 256) - 128;
	return rng() % 4 == 0 ? 0 : int64_t(rng() % 41) - 20;
}

// Realistic scales (keyword spotter / denoiser ranges), or extreme ones:
// zero points at the limits, gate scales 60x so the layers and their sums
// saturate, the cell scale's power at the ISA's limits, clips down to one
// step of the cell state.
LstmSpec RandomSpec(std::mt19937 &rng, bool extreme)
{
	LstmSpec s;
	s.I = 1 + int(rng() % 12);
	s.H = 1 + int(rng() % 10);
	s.B = 1 + int(rng() % 3);
	s.T = 1 + int(rng() % 6);
	s.time_major = rng() % 2;
	s.in_scale = Uniform(rng, 0.004, 0.08);
	s.in_zp = Zp(rng, extreme);
	s.h_scale = Uniform(rng, 1.0 / 256, 2.0 / 128);
	s.h_zp = Zp(rng, extreme);
	s.out_scale = s.h_scale;
	s.out_zp = s.h_zp;
	double hot = extreme && rng() % 2 ? 60.0 : 1.0;
	for (int g = 0; g < 4; g++) {
		s.wi_scale[g] = Uniform(rng, 0.002, 0.05) * float(hot);
		s.wr_scale[g] = Uniform(rng, 0.002, 0.05) * float(hot);
	}
	int power = -15 + int(rng() % 7);
	if (extreme) {
		int pick = int(rng() % 4);
		power = pick == 0 ? AIOT_ISA_LSTM_CELL_POWER_MIN :
			pick == 1 ? AIOT_ISA_LSTM_CELL_POWER_MAX : -20 + int(rng() % 21);
	}
	s.cell_scale = std::ldexp(1.0f, power);
	int clip = int(rng() % 4);
	s.cell_clip = clip == 0 ? s.cell_scale * float(1 + rng() % 100) + s.cell_scale / 2 :
		      clip == 1 ? Uniform(rng, 0.5, 8.0) : 0.0f;
	if (extreme && clip == 1)
		s.cell_clip = s.cell_scale * 40000.0f; // saturates to 32767
	s.Fill(rng);
	return s;
}

// The LSTM record of a lowered stream (after any TABLE before it).
bool FindLstmRecord(const aiot_lowered_model *l, aiot_isa_op_lstm *out)
{
	size_t at = sizeof(aiot_isa_header);
	while (at + sizeof(aiot_isa_op_header) <= l->stream_size) {
		aiot_isa_op_header h;
		std::memcpy(&h, l->stream + at, sizeof(h));
		if (h.opcode == AIOT_ISA_OP_LSTM && at + sizeof(*out) <= l->stream_size) {
			std::memcpy(out, l->stream + at, sizeof(*out));
			return true;
		}
		if (!h.size)
			return false;
		at += h.size;
	}
	return false;
}

// Every parameter of the record equals this file's derivation, so that a
// change too small to move an output in these cases is still caught.
void ExpectParams(const aiot_isa_op_lstm &v, const rl::Params &p)
{
	for (int g = 0; g < 4; g++) {
		EXPECT_EQ(v.gate[g].input_multiplier, p.gate[g].in_m) << "gate " << g;
		EXPECT_EQ(v.gate[g].input_shift, p.gate[g].in_s) << "gate " << g;
		EXPECT_EQ(v.gate[g].recurrent_multiplier, p.gate[g].rec_m) << "gate " << g;
		EXPECT_EQ(v.gate[g].recurrent_shift, p.gate[g].rec_s) << "gate " << g;
	}
	EXPECT_EQ(v.forget_multiplier, p.forget_m);
	EXPECT_EQ(v.forget_shift, p.forget_s);
	EXPECT_EQ(v.input_multiplier, p.input_m);
	EXPECT_EQ(v.input_shift, p.input_s);
	EXPECT_EQ(v.hidden_multiplier, p.hidden_m);
	EXPECT_EQ(v.hidden_shift, p.hidden_s);
	EXPECT_EQ(v.cell_scale_power, p.cell_power);
	EXPECT_EQ(v.cell_clip, p.clip);
	EXPECT_EQ(v.input_zero_point, p.in_zp);
	EXPECT_EQ(v.hidden_zero_point, p.h_zp);
	EXPECT_EQ(v.time_major, uint32_t(p.time_major));
	EXPECT_EQ(v.cell_activation, uint32_t(AIOT_ISA_LSTM_ACT_TANH));
}

// Runs @runs inputs in a row, then resets the arena and runs the first
// again; every output against the reference with its own carried state.
void CheckSpec(std::mt19937 &rng, const LstmSpec &s, bool extreme, rl::Stats *st, int runs = 3)
{
	Compiled c(LstmModel(s));
	ASSERT_EQ(c.rc, 0) << c.err;
	EXPECT_EQ(c.l->isa_version & 0xffff, 7u);
	// the zero point's in-place shifts around the LSTM (lower_lstm.c)
	EXPECT_EQ(c.l->op_count, s.h_zp ? 3u : 1u);
	EXPECT_EQ(c.l->state_size, size_t(s.B) * s.H * 3);
	rl::Params p = ParamsFromScales(s);
	rl::Weights w = WeightsOf(s);
	aiot_isa_op_lstm rec;
	ASSERT_TRUE(FindLstmRecord(c.l, &rec));
	ExpectParams(rec, p);
	std::vector<int8_t> hidden(size_t(s.B) * s.H, int8_t(s.h_zp));
	std::vector<int16_t> cell(size_t(s.B) * s.H, 0);
	std::vector<int8_t> first_in, first_out;
	for (int r = 0; r < runs; r++) {
		std::vector<int8_t> x = RandomInput(rng, s, extreme && r == 1);
		std::vector<int8_t> want = rl::Lstm(p, w, x, hidden, cell, st);
		ASSERT_EQ(c.Run(x), 0);
		ASSERT_EQ(c.Out(), want) << "run " << r << ": I " << s.I << " H " << s.H << " B "
					 << s.B << " T " << s.T << " time_major " << s.time_major
					 << " h_zp " << s.h_zp << " cell 2^" << p.cell_power
					 << " clip " << p.clip;
		if (r == 0) {
			first_in = x;
			first_out = want;
		}
	}
	// TFLite Micro's reset: hidden state at its zero point, cell state 0;
	// here a zeroed arena.
	std::fill(c.arena.begin(), c.arena.end(), 0);
	ASSERT_EQ(c.Run(first_in), 0);
	EXPECT_EQ(c.Out(), first_out) << "after a reset";
}

TEST(CompileLstm, GeneratedModelsAreBitExactWithTfliteMicro)
{
	std::mt19937 rng(1407);
	rl::Stats st;
	int with_zp = 0, clipped_models = 0;
	for (int i = 0; i < 160; i++) {
		bool extreme = i % 3 == 2;
		LstmSpec s = RandomSpec(rng, extreme);
		with_zp += s.h_zp != 0;
		clipped_models += s.cell_clip > 0.0f;
		SCOPED_TRACE("model " + std::to_string(i));
		CheckSpec(rng, s, extreme, &st);
		if (HasFatalFailure())
			return;
	}
	// the cases reach what they are meant to reach
	EXPECT_GT(with_zp, 40);
	EXPECT_GT(clipped_models, 40);
	EXPECT_GT(st.fc_sat, 0);
	EXPECT_GT(st.gate_sum_sat, 0);
	EXPECT_GT(st.clipped, 0);
	EXPECT_GT(st.act_sat, 0);
}

// A keyword-spotter-sized layer: 49 steps of 40 features into 64 units.
TEST(CompileLstm, KeywordSpotterSizedLayer)
{
	std::mt19937 rng(49);
	rl::Stats st;
	for (bool tm : {false, true}) {
		LstmSpec s;
		s.I = 40;
		s.H = 64;
		s.B = 1;
		s.T = 49;
		s.time_major = tm;
		s.in_scale = 0.0391f;
		s.in_zp = -128;
		s.h_scale = 0.00781f;
		s.h_zp = 3;
		s.out_scale = s.h_scale;
		s.out_zp = s.h_zp;
		for (int g = 0; g < 4; g++) {
			s.wi_scale[g] = 0.0021f + 0.0003f * float(g);
			s.wr_scale[g] = 0.0046f - 0.0005f * float(g);
		}
		s.cell_scale = 1.0f / 2048;
		s.cell_clip = 10.0f;
		s.Fill(rng);
		CheckSpec(rng, s, false, &st, 2);
	}
}

// The int8 hidden state's reset value is its zero point (real 0): with
// zero input weights and biases, only the cell gate's recurrent weights
// non-zero, a hidden state read as real 0 keeps the cell gate at tanh(0),
// the cell state at 0 and every output byte at the zero point. A hidden
// state read as byte 0 would be 77 steps off and move all of them.
TEST(CompileLstm, ResetHiddenStateIsItsZeroPoint)
{
	LstmSpec s;
	s.h_zp = -77;
	s.out_zp = -77;
	for (int g = 0; g < 4; g++) {
		s.wi[g].assign(size_t(s.H) * s.I, 0);
		s.wr[g].assign(size_t(s.H) * s.H, 0);
		s.bias[g].assign(size_t(s.H), 0);
	}
	s.wr[2].assign(size_t(s.H) * s.H, 100);
	Compiled c(LstmModel(s));
	ASSERT_EQ(c.rc, 0) << c.err;
	ASSERT_EQ(c.Run(std::vector<int8_t>(size_t(s.T) * s.B * s.I, 5)), 0);
	EXPECT_EQ(c.Out(), std::vector<int8_t>(size_t(s.T) * s.B * s.H, -77));
}

struct Refusal {
	const char *name;
	std::function<void(LstmSpec &)> spec;
	std::function<void(GraphBuilder &, std::vector<int32_t> &, NodeP &)> edit;
	std::vector<const char *> want;
};

std::string LowerError(const std::vector<uint8_t> &tfl, int *rc)
{
	Compiled c(tfl);
	*rc = c.rc;
	return c.err;
}

TEST(CompileLstm, UnsupportedVariantsAreNamed)
{
	const int8_t i8 = TFLITE_TYPE_INT8, i16 = TFLITE_TYPE_INT16;
	auto none = [](LstmSpec &) {};
	auto keep = [](GraphBuilder &, std::vector<int32_t> &, NodeP &) {};
	std::vector<Refusal> cases = {
		{"peephole", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 in[10] = g.AddTensor("c2f", {3}, i16, 0.01f, 0, std::vector<uint8_t>(6, 1));
		 },
		 {"peephole", "input 10 (cell_to_forget_weights) present"}},
		{"projection", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 in[16] = g.AddTensor("proj", {3, 3}, i8, 0.01f, 0, std::vector<uint8_t>(9, 1));
		 },
		 {"projection", "input 16 (projection_weights) present"}},
		{"layer norm", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 for (int k = 20; k < 24; k++)
				 in[size_t(k)] = g.AddTensor("ln" + std::to_string(k), {3}, i16,
							     0.01f, 0, std::vector<uint8_t>(6, 1));
		 },
		 {"layer normalisation", "input 20 (input_layer_norm_coefficients) present",
		  "input 23 (output_layer_norm_coefficients) present"}},
		{"cifg", none,
		 [&](GraphBuilder &, std::vector<int32_t> &in, NodeP &) {
			 in[1] = in[5] = in[12] = -1;
		 },
		 {"CIFG", "input 1 (input_to_input_weights) absent",
		  "input 12 (input_gate_bias) absent"}},
		{"peephole and projection", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 in[11] = g.AddTensor("c2o", {3}, i16, 0.01f, 0, std::vector<uint8_t>(6, 1));
			 in[16] = g.AddTensor("proj", {3, 3}, i8, 0.01f, 0, std::vector<uint8_t>(9, 1));
		 },
		 {"peephole connections and a projection layer"}},
		{"missing forget weights", none,
		 [&](GraphBuilder &, std::vector<int32_t> &in, NodeP &) { in[6] = -1; },
		 {"input 6 (recurrent_to_forget_weights) is absent"}},
		{"activation none", [](LstmSpec &s) { s.activation = 0; }, keep,
		 {"activation is NONE", "TANH"}},
		{"activation relu6", [](LstmSpec &s) { s.activation = 3; }, keep,
		 {"activation is RELU6"}},
		{"hybrid", none,
		 [&](GraphBuilder &, std::vector<int32_t> &, NodeP &o) {
			 o = LstmOptions(4, 0.0f, false, true);
		 },
		 {"asymmetric_quantize_inputs", "hybrid"}},
		{"20 inputs", none,
		 [&](GraphBuilder &, std::vector<int32_t> &in, NodeP &) { in.resize(20); },
		 {"has 20 inputs", "24-input"}},
		{"cell scale", [](LstmSpec &s) { s.cell_scale = 0.0003f; }, keep,
		 {"input 19 (cell_state)", "not a power of two"}},
		{"cell power", [](LstmSpec &s) { s.cell_scale = 8.0f; }, keep,
		 {"2^3 is outside"}},
		{"per-channel weights", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 g.SetQuant(in[2], {0.01f, 0.02f, 0.03f}, {0, 0, 0}, 0);
		 },
		 {"input 2 (input_to_forget_weights)", "per-channel"}},
		{"weight zero point", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 g.SetQuant(in[7], {0.01f}, {3}, 0);
		 },
		 {"input 7 (recurrent_to_cell_weights)", "zero point 3"}},
		{"state not variable", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 in[18] = g.AddTensor("h", {1, 3}, i8, 1.0f / 128, 0);
		 },
		 {"input 18 (output_state)", "variable tensor"}},
		{"cell state int8", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 in[19] = g.AddTensor("c", {1, 3}, i8, 1.0f / 2048, 0);
			 g.SetVariable(in[19]);
		 },
		 {"input 19 (cell_state) is int8", "int16"}},
		{"float input", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 in[0] = g.AddTensor("xf", {1, 2, 4}, TFLITE_TYPE_FLOAT32);
		 },
		 {"float32 LSTM"}},
		{"int16 input", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 in[0] = g.AddTensor("x16", {1, 2, 4}, i16, 0.001f, 0);
		 },
		 {"input is int16", "int8"}},
		{"float weights", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 in[4] = g.AddTensor("wf", {3, 4}, TFLITE_TYPE_FLOAT32, 0.0f, 0,
					     std::vector<uint8_t>(48, 0));
		 },
		 {"input 4 (input_to_output_weights) is float32"}},
		{"bias shape", none,
		 [&](GraphBuilder &g, std::vector<int32_t> &in, NodeP &) {
			 in[14] = g.AddConstI32("b", {1, 2});
		 },
		 {"input 14 (cell_gate_bias)", "int32 [3]"}},
		{"clip below a step", [](LstmSpec &s) { s.cell_clip = s.cell_scale / 2; }, keep,
		 {"below one step"}},
	};
	for (const Refusal &r : cases) {
		SCOPED_TRACE(r.name);
		std::mt19937 rng(7);
		LstmSpec s;
		r.spec(s);
		s.Fill(rng);
		int rc = 0;
		std::string err = LowerError(LstmModel(s, r.edit), &rc);
		EXPECT_NE(rc, 0);
		EXPECT_NE(err.find("operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM)"), std::string::npos)
			<< err;
		for (const char *w : r.want)
			EXPECT_NE(err.find(w), std::string::npos) << "want \"" << w << "\" in: " << err;
	}
}

// Two LSTMs in a row, each with a variant: both are reported, one line each.
TEST(CompileLstm, EveryUnsupportedLstmIsListed)
{
	std::mt19937 rng(3);
	LstmSpec a, b;
	a.Fill(rng);
	b.I = a.H;
	b.Fill(rng);
	GraphBuilder g;
	int x = g.AddTensor("x", LstmInputShape(a), TFLITE_TYPE_INT8, a.in_scale, a.in_zp);
	int y1 = -1, y2 = -1;
	std::vector<int32_t> in1 = AddLstm(g, a, x, &y1, "first");
	in1[9] = g.AddTensor("c2i", {a.H}, TFLITE_TYPE_INT16, 0.01f, 0,
			     std::vector<uint8_t>(size_t(a.H) * 2, 1));
	g.AddOp(TFLITE_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, in1, {y1}, kLstmOptionsType,
		LstmOptions(4, 0.0f, false));
	std::vector<int32_t> in2 = AddLstm(g, b, y1, &y2, "second");
	g.AddOp(TFLITE_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, in2, {y2}, kLstmOptionsType,
		LstmOptions(0, 0.0f, false));
	int rc = 0;
	std::string err = LowerError(g.Serialize({x}, {y2}), &rc);
	EXPECT_NE(rc, 0);
	size_t first = err.find("operator 0 (UNIDIRECTIONAL_SEQUENCE_LSTM): peephole");
	size_t second = err.find("\noperator 1 (UNIDIRECTIONAL_SEQUENCE_LSTM): the cell gate's "
				 "activation is NONE");
	EXPECT_NE(first, std::string::npos) << err;
	EXPECT_NE(second, std::string::npos) << err;
}

// The same model lowers the same way whichever layout the input has: the
// time-major model, its input transposed, gives the transposed output.
TEST(CompileLstm, LayoutsAgree)
{
	std::mt19937 rng(11);
	LstmSpec s;
	s.I = 5;
	s.H = 4;
	s.B = 3;
	s.T = 4;
	s.h_zp = 9;
	s.out_zp = 9;
	s.Fill(rng);
	LstmSpec t = s;
	t.time_major = true;
	Compiled bm(LstmModel(s)), tm(LstmModel(t));
	ASSERT_EQ(bm.rc, 0) << bm.err;
	ASSERT_EQ(tm.rc, 0) << tm.err;
	for (int run = 0; run < 2; run++) {
		std::vector<int8_t> x = RandomInput(rng, s, 0), xt(x.size());
		for (int b = 0; b < s.B; b++)
			for (int st = 0; st < s.T; st++)
				for (int i = 0; i < s.I; i++)
					xt[(size_t(st) * s.B + b) * s.I + i] =
						x[(size_t(b) * s.T + st) * s.I + i];
		ASSERT_EQ(bm.Run(x), 0);
		ASSERT_EQ(tm.Run(xt), 0);
		std::vector<int8_t> a = bm.Out(), o = tm.Out();
		for (int b = 0; b < s.B; b++)
			for (int st = 0; st < s.T; st++)
				for (int h = 0; h < s.H; h++)
					ASSERT_EQ(a[(size_t(b) * s.T + st) * s.H + h],
						  o[(size_t(st) * s.B + b) * s.H + h])
						<< "run " << run;
	}
}

} // namespace
