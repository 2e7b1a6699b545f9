# SPDX-License-Identifier: GPL-2.0-only
#
# make check-tflite: aiot against a real TensorFlow Lite interpreter (its
# WebAssembly build from npm, under Node; docs/tflite-check.md) on the
# models tests/tflite/ generates: every output element identical or its
# difference explained by the rounding mode. Read after
# mk/fastexec_models.mk (TFLITE_WASM_DIR, its npm install rule).
#
#   make check-tflite [TFLITE_CHECK_ONLY=SUBSTR]

TFLITE_CHECK      := $(BUILD)/tests/tflite_check
TFLITE_CHECK_SRCS := tests/tflite/tflite_check.cc tests/tflite/tflite_check_cases.cc
TFLITE_CHECK_HDRS := $(wildcard tests/tflite/*.h) tests/unit/compile_graph_util.h \
		     tests/unit/compile_test_util.h tests/unit/compile_blob_util.h

$(TFLITE_CHECK): $(TFLITE_CHECK_SRCS) $(TFLITE_CHECK_HDRS) $(RUN_TEST_OBJS) $(COMPILE_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -I$(COMPILE_DIR) -Ikernel/isa -Itests/unit -o $@ \
		$(TFLITE_CHECK_SRCS) $(RUN_TEST_OBJS) -pthread -lm

.PHONY: check-tflite
check-tflite: $(TFLITE_CHECK)
	@command -v node >/dev/null && command -v npm >/dev/null || \
		{ echo "check-tflite: node and npm are needed (Debian: nodejs npm)" >&2; exit 1; }
	@$(MAKE) --no-print-directory $(TFLITE_WASM_DIR)/tflite_web_api_cc_simd.js
	@test -f $(TFLITE_WASM_DIR)/tflite_web_api_cc_simd.js || \
		{ echo "check-tflite: no TensorFlow Lite in $(TFLITE_WASM_DIR)" >&2; exit 1; }
	$(TFLITE_CHECK) --wasm $(TFLITE_WASM_DIR) --work $(BUILD)/tflite-check \
		--runner tools/cpubench/tflite_run.js $(if $(TFLITE_CHECK_ONLY),--only $(TFLITE_CHECK_ONLY))
