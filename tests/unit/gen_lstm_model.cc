// SPDX-License-Identifier: GPL-2.0-only
// Writes lstm.tflite, two stacked int8 UNIDIRECTIONAL_SEQUENCE_LSTM layers
// (int16 cell state) as the TFLite converter lays them out, for the guest
// `models` suite (mk/models.mk compiles it):
//   frames [2,5,6] -> lstm1 (10 units) -> lstm2 (7 units) -> lstm2/output [2,5,7]
// Two batches of five steps, batch-major. The hidden states' zero points
// are not 0 (the compiler then shifts them in place around each LSTM) and
// lstm1 clips its cell state. Both layers keep their state from one run
// to the next, so the NPU and the CPU must carry it alike.
//   gen_lstm_model OUT.tflite
#include "compile_lstm_model.h"
#include "gen_model_main.h"

using namespace compile_test;

namespace {

std::vector<uint8_t> Build()
{
	// A fixed seed: std::mt19937's sequence is the same everywhere.
	std::mt19937 rng(1414);
	LstmSpec first;
	first.I = 6;
	first.H = 10;
	first.B = 2;
	first.T = 5;
	first.in_scale = 0.03f;
	first.in_zp = -20;
	first.h_scale = first.out_scale = 1.0f / 128;
	first.h_zp = first.out_zp = 3;
	for (int g = 0; g < 4; g++) {
		first.wi_scale[g] = 0.004f + 0.002f * float(g);
		first.wr_scale[g] = 0.012f - 0.002f * float(g);
	}
	first.cell_scale = 1.0f / 2048;
	first.cell_clip = 8.0f;
	first.Fill(rng);

	LstmSpec second;
	second.I = first.H;
	second.H = 7;
	second.B = first.B;
	second.T = first.T;
	second.in_scale = first.out_scale;
	second.in_zp = first.out_zp;
	second.h_scale = second.out_scale = 1.0f / 100;
	second.h_zp = second.out_zp = -20;
	for (int g = 0; g < 4; g++) {
		second.wi_scale[g] = 0.009f - 0.001f * float(g);
		second.wr_scale[g] = 0.006f + 0.001f * float(g);
	}
	second.cell_scale = 1.0f / 4096;
	second.Fill(rng);

	GraphBuilder g;
	int frames = g.AddTensor("frames", LstmInputShape(first), TFLITE_TYPE_INT8,
				 first.in_scale, first.in_zp);
	int hidden = -1, out = -1;
	std::vector<int32_t> in1 = AddLstm(g, first, frames, &hidden, "lstm1");
	g.AddOp(TFLITE_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, in1, {hidden}, kLstmOptionsType,
		LstmOptions(first.activation, first.cell_clip, first.time_major));
	std::vector<int32_t> in2 = AddLstm(g, second, hidden, &out, "lstm2");
	g.AddOp(TFLITE_OP_UNIDIRECTIONAL_SEQUENCE_LSTM, in2, {out}, kLstmOptionsType,
		LstmOptions(second.activation, second.cell_clip, second.time_major));
	return g.Serialize({frames}, {out});
}

} // namespace

int main(int argc, char **argv)
{
	return GenerateModelFile(argc, argv, Build);
}
