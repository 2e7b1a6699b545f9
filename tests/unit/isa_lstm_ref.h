// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// An independent implementation of TensorFlow Lite Micro's integer
// UNIDIRECTIONAL_SEQUENCE_LSTM (the 8x8->16 path of lstm_eval: int8
// input, weights and hidden state, int32 biases, int16 gates and cell
// state), written from its definition for the ISA 1.7 host tests
// (isa_lstm_test.cc). It follows TFLite Micro's structure, unlike the
// executor: each time step runs whole [batch, state] arrays through a
// fully connected layer per gate and input (int16 out, saturated), a
// saturating add, the int16 logistic / tanh, then the element-wise
// multiplications, with batch-major inputs run one batch at a time.
#ifndef AIOT_ISA_LSTM_REF_H
#define AIOT_ISA_LSTM_REF_H

#include "isa_test_util.h"

namespace isa_test {
namespace reflstm {

using namespace isa_test::ref;

// TensorFlow Lite's table of 65536 * sigmoid(i / 24) that its int16
// logistic and tanh interpolate (sigmoid_table_uint16; data, Apache-2.0:
// NOTICE).
static const uint16_t kSigmoidTable[256] = {
	32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513,
	38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
	43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
	47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
	51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755,
	55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
	57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519,
	59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
	61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
	62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
	63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835,
	63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
	64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652,
	64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
	64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
	65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
	65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301,
	65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
	65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415,
	65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
	65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
	65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
	65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504,
	65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
	65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520,
	65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
	65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
	65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
	65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532,
	65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
	65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534,
	65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
};

// MultiplyByQuantizedMultiplier; the left shift wraps as TFLite's int32
// multiplication does on the hardware it runs on.
inline int32_t Mbqm(int32_t x, int32_t m, int shift)
{
	int left = shift > 0 ? shift : 0;
	int right = shift > 0 ? 0 : -shift;
	return RDBPOT(SRDHM(int32_t(uint32_t(x) << left), m), right);
}

struct GateQuant {
	int32_t in_m, in_s, rec_m, rec_s;
};

struct Params {
	int I, H, B, T;
	bool time_major;
	int32_t in_zp, h_zp;
	GateQuant gate[4];  // input, forget, cell, output
	int32_t forget_m, forget_s, input_m, input_s, hidden_m, hidden_s;
	int32_t cell_power;
	int32_t clip;       // quantized cell clip, 0: none
	bool cell_sigmoid;  // the cell gate's activation is sigmoid, not tanh
};

struct Weights {
	std::vector<int8_t> wi[4], wr[4];
	std::vector<int32_t> bias[4];
};

// Counts of saturations seen, so that tests can prove they reach them.
struct Stats {
	long fc_sat = 0, gate_sum_sat = 0, cell_sat = 0, clipped = 0, act_sat = 0;
};

// reference_integer_ops::FullyConnected, int8 in, int16 out, kTfLiteActNone.
inline void FullyConnected16(int rows, int depth, int outs, const int8_t *in, int32_t in_offset,
			     const int8_t *w, const int32_t *bias, int32_t m, int32_t s,
			     int16_t *out, Stats *st)
{
	for (int b = 0; b < rows; b++) {
		for (int o = 0; o < outs; o++) {
			int32_t acc = 0;
			for (int d = 0; d < depth; d++)
				acc = int32_t(uint32_t(acc) +
					      uint32_t(int32_t(w[o * depth + d]) *
						       (in[b * depth + d] + in_offset)));
			if (bias)
				acc = int32_t(uint32_t(acc) + uint32_t(bias[o]));
			int32_t v = Mbqm(acc, m, s);
			if (v < -32768 || v > 32767)
				st->fc_sat++;
			v = std::min(32767, std::max(-32768, v));
			out[b * outs + o] = int16_t(v);
		}
	}
}

inline void AddElementWise(const int16_t *a, const int16_t *b, int n, int16_t *out, long *sat)
{
	for (int i = 0; i < n; i++) {
		int32_t sum = a[i] + b[i];
		if (sum < -32768 || sum > 32767)
			(*sat)++;
		out[i] = int16_t(std::min(32767, std::max(-32768, sum)));
	}
}

// reference_integer_ops::Logistic, int16.
inline void Logistic16(int32_t input_multiplier, int32_t input_left_shift, int n,
		       const int16_t *in, int16_t *out, Stats *st)
{
	if (input_multiplier == 0) {
		input_multiplier = 3 << input_left_shift;
		input_left_shift = 0;
	}
	int32_t round = input_left_shift > 0 ? 1 << (input_left_shift - 1) : 0;
	for (int i = 0; i < n; i++) {
		int32_t x = (in[i] * input_multiplier + round) >> input_left_shift;
		uint32_t ax = uint32_t(std::abs(x));
		uint32_t uh = ax >> 9;
		uint32_t r;
		if (uh >= 255) {
			r = 0x7FFFu << 10;
			st->act_sat++;
		} else {
			uint32_t ua = kSigmoidTable[uh], ub = kSigmoidTable[uh + 1];
			r = (ua << 9) + (ax & 0x1ff) * (ub - ua);
		}
		r = x >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
		out[i] = int16_t(r >> 10);
	}
}

// reference_integer_ops::Tanh, int16.
inline void Tanh16(int32_t input_multiplier, int32_t input_left_shift, int n,
		   const int16_t *in, int16_t *out, Stats *st)
{
	if (input_multiplier == 0) {
		input_multiplier = 3 << input_left_shift;
		input_left_shift = 0;
	}
	int32_t round = input_left_shift > 0 ? 1 << (input_left_shift - 1) : 0;
	for (int i = 0; i < n; i++) {
		int32_t x = (in[i] * input_multiplier + round) >> input_left_shift;
		uint32_t ax = uint32_t(std::abs(x));
		uint32_t uh = ax >> 8;
		int32_t r;
		if (uh >= 255) {
			r = 0xFFFF << 8;
			st->act_sat++;
		} else {
			uint32_t ua = kSigmoidTable[uh], ub = kSigmoidTable[uh + 1];
			uint8_t ut = uint8_t(ax & 0xff);
			r = int32_t((ua << 8) + ut * (ub - ua));
		}
		r = x >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
		r >>= 8;
		out[i] = int16_t(r);
	}
}

// lstm_internal::Tanh: the cell state's power-of-two scale folded into
// the tanh's input shift.
inline void TanhOfScale(int32_t scale_power, int n, const int16_t *in, int16_t *out, Stats *st)
{
	int32_t left_shift = (15 + scale_power) - 3;
	int32_t multiplier = 0;
	if (left_shift < 0) {
		left_shift = -left_shift;
		multiplier = 3;
	}
	Tanh16(multiplier, left_shift, n, in, out, st);
}

// reference_integer_ops::MulElementwise with symmetric inputs.
template <typename Out>
void Mul(int n, const int16_t *a, const int16_t *b, int32_t m, int32_t s, int32_t out_zp,
	 int32_t lo, int32_t hi, Out *out, long *sat)
{
	for (int i = 0; i < n; i++) {
		int32_t v = out_zp + Mbqm(int32_t(a[i]) * int32_t(b[i]), m, s);
		if (sat && (v < lo || v > hi))
			(*sat)++;
		out[i] = Out(std::min(hi, std::max(lo, v)));
	}
}

// One gate: input FC (with the bias) and recurrent FC (no bias), each to
// int16, their saturating sum, the activation.
inline void Gate(const Params &p, const Weights &w, int g, int rows, const int8_t *x,
		 const int8_t *h, bool tanh, int16_t *gate_out, Stats *st)
{
	int n = rows * p.H;
	std::vector<int16_t> rec(n);
	FullyConnected16(rows, p.I, p.H, x, -p.in_zp, w.wi[g].data(), w.bias[g].data(),
			 p.gate[g].in_m, p.gate[g].in_s, gate_out, st);
	FullyConnected16(rows, p.H, p.H, h, -p.h_zp, w.wr[g].data(), nullptr, p.gate[g].rec_m,
			 p.gate[g].rec_s, rec.data(), st);
	AddElementWise(gate_out, rec.data(), n, gate_out, &st->gate_sum_sat);
	if (tanh)
		TanhOfScale(-12, n, gate_out, gate_out, st);
	else
		Logistic16(0, 0, n, gate_out, gate_out, st);
}

// LstmStep over @rows batch rows.
inline void Step(const Params &p, const Weights &w, int rows, const int8_t *x, int8_t *hidden,
		 int16_t *cell, int8_t *out, Stats *st)
{
	int n = rows * p.H;
	std::vector<int16_t> fg(n), ig(n), cg(n), og(n), buf(n);
	Gate(p, w, 1, rows, x, hidden, false, fg.data(), st);
	Gate(p, w, 0, rows, x, hidden, false, ig.data(), st);
	Gate(p, w, 2, rows, x, hidden, !p.cell_sigmoid, cg.data(), st);
	// Cell: forget x cell, input x cell gate, the saturating sum, the clip.
	Mul(n, fg.data(), cell, p.forget_m, p.forget_s, 0, -32768, 32767, cell, &st->cell_sat);
	Mul(n, ig.data(), cg.data(), p.input_m, p.input_s, 0, -32768, 32767, buf.data(),
	    &st->cell_sat);
	AddElementWise(cell, buf.data(), n, cell, &st->cell_sat);
	if (p.clip > 0) {
		for (int i = 0; i < n; i++) {
			int16_t c = std::max<int16_t>(std::min<int16_t>(int16_t(p.clip), cell[i]),
						      int16_t(-p.clip));
			st->clipped += c != cell[i];
			cell[i] = c;
		}
	}
	Gate(p, w, 3, rows, x, hidden, false, og.data(), st);
	TanhOfScale(p.cell_power, n, cell, buf.data(), st);
	Mul(n, buf.data(), og.data(), p.hidden_m, p.hidden_s, p.h_zp, -128, 127, hidden,
	    static_cast<long *>(nullptr));
	std::memcpy(out, hidden, size_t(n));
}

// The whole op: @x in the op's layout; @hidden and @cell carry the state
// in and out. Returns the output in the same layout.
inline std::vector<int8_t> Lstm(const Params &p, const Weights &w, const std::vector<int8_t> &x,
				std::vector<int8_t> &hidden, std::vector<int16_t> &cell,
				Stats *st)
{
	std::vector<int8_t> out(size_t(p.T) * p.B * p.H);
	if (p.time_major) {
		for (int t = 0; t < p.T; t++)
			Step(p, w, p.B, x.data() + size_t(t) * p.B * p.I, hidden.data(),
			     cell.data(), out.data() + size_t(t) * p.B * p.H, st);
		return out;
	}
	for (int b = 0; b < p.B; b++)
		for (int t = 0; t < p.T; t++)
			Step(p, w, 1, x.data() + (size_t(b) * p.T + t) * p.I,
			     hidden.data() + size_t(b) * p.H, cell.data() + size_t(b) * p.H,
			     out.data() + (size_t(b) * p.T + t) * p.H, st);
	return out;
}

} // namespace reflstm
} // namespace isa_test

#endif // AIOT_ISA_LSTM_REF_H
