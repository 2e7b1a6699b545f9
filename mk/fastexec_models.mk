# SPDX-License-Identifier: GPL-2.0-only
#
# The fast executor on the shared models (read after mk/run.mk, whose
# objects it links): a host test that every model's outputs and arena are
# byte-identical to the reference executor's at every SIMD level, and
# `make bench-cpu`: reference vs fast executor vs TensorFlow Lite (XNNPACK,
# WebAssembly under Node) in the same run.
#
#   make check-host              (runs $(BUILD)/tests/fastexec_models_tests)
#   make bench-cpu [BENCH_CPU_RUNS=5] [BENCH_CPU_N=300]

FX_MODELS_TEST := $(BUILD)/tests/fastexec_models_tests
HOST_TESTS     += $(FX_MODELS_TEST)

$(FX_MODELS_TEST): tests/unit/fastexec_models_test.cc tests/unit/compile_test_util.h \
		   tests/unit/compile_graph_util.h tests/unit/compile_lstm_model.h \
		   tests/unit/compile_blob_util.h \
		   $(RUN_TEST_OBJS) $(COMPILE_HDRS) $(FX_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -I$(COMPILE_DIR) -Ikernel/isa -I$(FX_DIR) -o $@ \
		tests/unit/fastexec_models_test.cc $(RUN_TEST_OBJS) -lgtest -lgtest_main \
		-pthread -lm

# TensorFlow Lite's WebAssembly build from npm, installed into the build
# directory on first use (network needed once).
TFLITE_NODE_DIR  := $(BUILD)/tflite-node
TFLITE_WASM_DIR  := $(TFLITE_NODE_DIR)/node_modules/@tensorflow/tfjs-tflite/wasm
BENCH_CPU_ROUNDS ?= 5
BENCH_CPU_N      ?= 300

$(TFLITE_WASM_DIR)/tflite_web_api_cc_simd.js:
	@mkdir -p $(TFLITE_NODE_DIR)
	@test -f $(TFLITE_NODE_DIR)/package.json || \
		echo '{"name":"aiot-tflite-bench","private":true}' > $(TFLITE_NODE_DIR)/package.json
	cd $(TFLITE_NODE_DIR) && npm install --no-audit --no-fund \
		@tensorflow/tfjs-tflite@0.0.1-alpha.10 @tensorflow/tfjs-core@4.9.0 || \
		echo "bench-cpu: npm install failed: no TensorFlow Lite column" >&2

.PHONY: bench-cpu
bench-cpu: $(BUILD)/aiot-run models
	-@command -v npm >/dev/null && $(MAKE) --no-print-directory \
		$(TFLITE_WASM_DIR)/tflite_web_api_cc_simd.js
	tools/cpubench/bench-cpu.sh $(BUILD) $(AIOT_MODELS_DIR) $(TFLITE_WASM_DIR) \
		$(BENCH_CPU_ROUNDS) $(BENCH_CPU_N)
