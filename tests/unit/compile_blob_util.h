// SPDX-License-Identifier: GPL-2.0-only
// A loaded TFLite model compiled the way aiot-compile does (lowering, then
// the blob writer), in memory: shared by the tests that run blobs.
#ifndef AIOT_TESTS_COMPILE_BLOB_UTIL_H
#define AIOT_TESTS_COMPILE_BLOB_UTIL_H

#include <cstdlib>
#include <string>
#include <vector>

extern "C" {
#include "blob.h"
#include "lower.h"
#include "tflite.h"
}

namespace compile_test {

// `l` written as a blob under `names`, then freed; empty with *err set (the
// writer's message).
inline std::vector<uint8_t> WriteBlob(aiot_lowered_model *l, const aiot_blob_names &names,
				      std::string *err)
{
	char msg[1024];
	void *blob = nullptr;
	size_t size = 0;
	int rc = aiot_blob_write(l, &names, &blob, &size, msg, sizeof(msg));
	aiot_lowered_model_free(l);
	if (rc) {
		*err = msg;
		return {};
	}
	std::vector<uint8_t> out((uint8_t *)blob, (uint8_t *)blob + size);
	free(blob);
	return out;
}

// The blob, or empty with *err set (the lowering's or writer's message).
inline std::vector<uint8_t> CompileToBlob(const tflite_model *m, const char *name,
					  std::string *err)
{
	aiot_lowered_model *l = nullptr;
	char msg[1024];
	if (aiot_lower_model(m, &l, msg, sizeof(msg))) {
		*err = msg;
		return {};
	}
	aiot_blob_names names = { name, m->tensors[m->inputs[0]].name,
				  m->tensors[m->outputs[0]].name };
	return WriteBlob(l, names, err);
}

} // namespace compile_test

#endif // AIOT_TESTS_COMPILE_BLOB_UTIL_H
