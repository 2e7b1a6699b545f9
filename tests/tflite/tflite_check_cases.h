// SPDX-License-Identifier: GPL-2.0-only
// The generated models of make check-tflite: one small graph per case,
// every operator aiot-compile lowers, several shapes and quantizations
// each, with a deterministic pseudo-random input.
#ifndef AIOT_TESTS_TFLITE_CHECK_CASES_H
#define AIOT_TESTS_TFLITE_CHECK_CASES_H

#include <cstdint>
#include <string>
#include <vector>

#include "tflite_check_rounding.h"

namespace tflite_check {

struct Case {
	std::string op;     // the row of the results table
	std::string name;   // unique, a file name
	std::vector<uint8_t> model, input;
	size_t out_elems = 0;
	int out_size = 1;   // bytes per output element (int8 1, int16 2, float32 4)
	bool float_out = false; // the graph ends with DEQUANTIZE: float32 out
	// Convolution-like layers: each output element's accumulator, for the
	// rounding explanation (empty for other layers).
	std::vector<Acc> accs;
	// Elementwise layers whose TFLite kernel is written out in the test:
	// each output by double rounding (aiot's), by single rounding and, for
	// ADD/SUB, by XNNPACK's QS8 kernel (empty where not written out).
	std::vector<int32_t> ref_double, ref_single, ref_xnn;
	// Non-empty when TFLite's kernel for the layer computes differently in
	// a way not yet reproduced here: what differs. Elements off by one are
	// then counted as known; more is still a failure.
	std::string known_difference;
	// Non-empty when full TFLite is known to refuse the model: why.
	std::string tflite_refuses;
};

std::vector<Case> AllCases();

} // namespace tflite_check

#endif // AIOT_TESTS_TFLITE_CHECK_CASES_H
