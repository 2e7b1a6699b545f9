// SPDX-License-Identifier: GPL-2.0-only
// Generated int8 UNIDIRECTIONAL_SEQUENCE_LSTM models as the TFLite converter
// lays them out (24 inputs, optional ones -1, variable output and cell
// state tensors, int32 biases, int16 cell state with a power-of-two
// scale), for compile_lstm_test.cc and fastexec_models_test.cc. The
// weights stay in the spec so that a test can run its own reference on
// them.
#ifndef AIOT_TESTS_COMPILE_LSTM_MODEL_H
#define AIOT_TESTS_COMPILE_LSTM_MODEL_H

#include <cmath>
#include <random>

#include "compile_graph_util.h"

namespace compile_test {

// UnidirectionalSequenceLSTMOptions' union index and fields.
constexpr uint8_t kLstmOptionsType = 71;

struct LstmSpec {
	int I = 4, H = 3, B = 1, T = 2;
	bool time_major = false;
	float in_scale = 0.02f, h_scale = 1.0f / 128, out_scale = 1.0f / 128;
	int64_t in_zp = 0, h_zp = 0, out_zp = 0;
	float wi_scale[4] = {0.01f, 0.01f, 0.01f, 0.01f};
	float wr_scale[4] = {0.01f, 0.01f, 0.01f, 0.01f};
	float cell_scale = 1.0f / 2048;
	float cell_clip = 0.0f;
	uint8_t activation = 4;  // TANH
	// gate g (input, forget, cell, output): [H, I], [H, H], [H]
	std::vector<int8_t> wi[4], wr[4];
	std::vector<int32_t> bias[4];

	// Random weights and biases (biases mostly small, some large).
	void Fill(std::mt19937 &rng)
	{
		for (int g = 0; g < 4; g++) {
			wi[g].resize(size_t(H) * I);
			wr[g].resize(size_t(H) * H);
			bias[g].resize(size_t(H));
			for (auto &v : wi[g])
				v = int8_t(int(rng() % 255) - 127);
			for (auto &v : wr[g])
				v = int8_t(int(rng() % 255) - 127);
			for (auto &v : bias[g])
				v = rng() % 8 ? int32_t(rng() % 40001) - 20000 :
						int32_t(rng() % (1u << 24)) - (1 << 23);
		}
	}
};

template <typename T> std::vector<uint8_t> RawBytes(const std::vector<T> &v)
{
	std::vector<uint8_t> b(v.size() * sizeof(T));
	if (!b.empty())
		std::memcpy(b.data(), v.data(), b.size());
	return b;
}

inline NodeP LstmOptions(uint8_t activation, float cell_clip, bool time_major,
			 bool asymmetric = false)
{
	NodeP o = Table();
	o->scalars[0] = Bytes<uint8_t>(activation);
	o->scalars[1] = Bytes<float>(cell_clip);
	o->scalars[2] = Bytes<float>(0.0f);
	o->scalars[3] = Bytes<uint8_t>(time_major);
	if (asymmetric)
		o->scalars[4] = Bytes<uint8_t>(1);
	return o;
}

// Adds the LSTM's tensors and operator to g, reading x; returns the 24
// input indices (before any test changes them) and the output in *out.
inline std::vector<int32_t> AddLstm(GraphBuilder &g, const LstmSpec &s, int x, int *out,
				    const std::string &prefix = "lstm")
{
	static const char *const gate[4] = {"input", "forget", "cell", "output"};
	const int8_t i8 = TFLITE_TYPE_INT8;
	std::vector<int32_t> in(24, -1);
	in[0] = x;
	for (int k = 0; k < 4; k++) {
		in[size_t(1 + k)] = g.AddTensor(prefix + "/input_to_" + gate[k], {s.H, s.I}, i8,
						s.wi_scale[k], 0, RawBytes(s.wi[k]));
		in[size_t(5 + k)] = g.AddTensor(prefix + "/recurrent_to_" + gate[k], {s.H, s.H},
						i8, s.wr_scale[k], 0, RawBytes(s.wr[k]));
		// TFLite gives the biases the scale in_scale x weight scale.
		in[size_t(12 + k)] = g.AddTensor(prefix + "/" + gate[k] + "_bias", {s.H},
						 TFLITE_TYPE_INT32, s.in_scale * s.wi_scale[k], 0,
						 RawBytes(s.bias[k]));
	}
	in[18] = g.AddTensor(prefix + "/output_state", {s.B, s.H}, i8, s.h_scale, s.h_zp);
	g.SetVariable(in[18]);
	in[19] = g.AddTensor(prefix + "/cell_state", {s.B, s.H}, TFLITE_TYPE_INT16,
			     s.cell_scale, 0);
	g.SetVariable(in[19]);
	std::vector<int32_t> shape = s.time_major ? std::vector<int32_t>{s.T, s.B, s.H} :
						    std::vector<int32_t>{s.B, s.T, s.H};
	*out = g.AddTensor(prefix + "/output", shape, i8, s.out_scale, s.out_zp);
	return in;
}

inline std::vector<int32_t> LstmInputShape(const LstmSpec &s)
{
	return s.time_major ? std::vector<int32_t>{s.T, s.B, s.I} :
			      std::vector<int32_t>{s.B, s.T, s.I};
}

// The whole model: x -> LSTM -> y; @edit may change the 24 inputs or the
// graph before the operator is added.
template <typename Edit>
std::vector<uint8_t> LstmModel(const LstmSpec &s, Edit edit)
{
	GraphBuilder g;
	int x = g.AddTensor("x", LstmInputShape(s), TFLITE_TYPE_INT8, s.in_scale, s.in_zp);
	int y = -1;
	std::vector<int32_t> in = AddLstm(g, s, x, &y);
	NodeP options = LstmOptions(s.activation, s.cell_clip, s.time_major);
	edit(g, in, options);
	g.AddOp(TFLITE_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, in, {y}, kLstmOptionsType, options);
	return g.Serialize({x}, {y});
}

inline std::vector<uint8_t> LstmModel(const LstmSpec &s)
{
	return LstmModel(s, [](GraphBuilder &, std::vector<int32_t> &, NodeP &) {});
}

} // namespace compile_test

#endif // AIOT_TESTS_COMPILE_LSTM_MODEL_H
