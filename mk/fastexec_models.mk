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
		   $(RUN_TEST_OBJS) $(COMPILE_HDRS) $(FX_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -I$(COMPILE_DIR) -Ikernel/isa -I$(FX_DIR) -o $@ \
		tests/unit/fastexec_models_test.cc $(RUN_TEST_OBJS) -lgtest -lgtest_main \
		-pthread -lm
