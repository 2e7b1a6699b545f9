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
	// Layers whose kernels are written out in the test, each output by:
	// aiot's arithmetic (ref_double: TFLite Micro's reference, double
	// rounding), TFLite's own kernel with single rounding (ref_single),
	// the XNNPACK kernel the delegate runs (ref_xnn: ADD/SUB, LEAKY_RELU,
	// RESIZE_BILINEAR) and TFLite's float-rescaled reduction (ref_float:
	// int8 MEAN/SUM). Empty where not written out.
	std::vector<int32_t> ref_double, ref_single, ref_xnn, ref_float;
	// int16 SOFTMAX: TFLite's kernel with its double-precision tables
	// (ref_double has TFLite Micro's float ones, as aiot).
	std::vector<int32_t> ref_tables;
	// Non-empty when full TFLite is known to refuse the model: why.
	std::string tflite_refuses;
};

std::vector<Case> AllCases();

} // namespace tflite_check

#endif // AIOT_TESTS_TFLITE_CHECK_CASES_H
