// SPDX-License-Identifier: GPL-2.0-only
// The main() of the host tools that write a generated .tflite for the guest
// `models` suite (gen_*_model.cc, built by mk/models.mk): one argument, the
// file to write.
#ifndef AIOT_TESTS_GEN_MODEL_MAIN_H
#define AIOT_TESTS_GEN_MODEL_MAIN_H

#include <cstdint>
#include <cstdio>
#include <vector>

namespace compile_test {

// Writes build() to argv[1]; the process's exit status.
template <typename Build> int GenerateModelFile(int argc, char **argv, Build build)
{
	if (argc != 2) {
		std::fprintf(stderr, "usage: %s OUT.tflite\n", argv[0]);
		return 2;
	}
	std::vector<uint8_t> bytes = build();
	FILE *f = std::fopen(argv[1], "wb");
	if (!f) {
		std::perror(argv[1]);
		return 1;
	}
	bool written = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
	if (std::fclose(f) || !written) {
		std::perror(argv[1]);
		return 1;
	}
	return 0;
}

} // namespace compile_test

#endif // AIOT_TESTS_GEN_MODEL_MAIN_H
