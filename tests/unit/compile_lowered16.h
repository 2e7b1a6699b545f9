// SPDX-License-Identifier: GPL-2.0-only
// A generated .tflite graph with int16 input and output, lowered by
// aiot-compile, then validated and run by the reference executor: the
// runner of the int16 compile tests (compile_s16_test.cc,
// compile_softmax16_test.cc).
#ifndef AIOT_TESTS_COMPILE_LOWERED16_H
#define AIOT_TESTS_COMPILE_LOWERED16_H

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "compile_graph_util.h"

extern "C" {
#include "aiot_isa.h"
#include "lower.h"
}

namespace compile_test {

struct LoweredFree {
	void operator()(aiot_lowered_model *l) const { aiot_lowered_model_free(l); }
};

struct Lowered16 {
	std::unique_ptr<aiot_lowered_model, LoweredFree> l;
	std::string err;
	int rc = 0;

	explicit Lowered16(const std::vector<uint8_t> &tflite)
	{
		std::string lerr;
		ModelPtr m = Load(tflite, &lerr);
		if (!m) {
			rc = -1;
			err = "load: " + lerr;
			return;
		}
		aiot_lowered_model *raw = nullptr;
		char msg[2048];
		rc = aiot_lower_model(m.get(), &raw, msg, sizeof(msg));
		if (rc)
			err = msg;
		l.reset(raw);
	}

	std::vector<int16_t> Run(const std::vector<int16_t> &in, aiot_isa_summary *sum)
	{
		std::vector<uint8_t> input(l->input.bytes, 0), output(l->output.bytes, 0x5a),
			arena(l->arena_size ? l->arena_size : 1, 0);
		EXPECT_EQ(input.size(), in.size() * 2);
		std::memcpy(input.data(), in.data(), std::min(input.size(), in.size() * 2));
		void *b[4] = {l->weights, input.data(), output.data(), arena.data()};
		u64 sz[4] = {l->weights_size, input.size(), output.size(), arena.size()};
		EXPECT_EQ(aiot_isa_validate(l->stream, l->stream_size, sz, 4, sum), 0);
		EXPECT_EQ(aiot_isa_execute(l->stream, l->stream_size, b, sz, 4), 0);
		std::vector<int16_t> out(output.size() / 2);
		std::memcpy(out.data(), output.data(), out.size() * 2);
		return out;
	}
};

} // namespace compile_test

#endif /* AIOT_TESTS_COMPILE_LOWERED16_H */
