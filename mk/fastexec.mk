# SPDX-License-Identifier: GPL-2.0-only
#
# The fast userspace executor (lib/exec): SIMD kernels chosen at run time,
# bit-exact with the reference executor (kernel/isa), which it calls for
# the operations it has no kernel for. Host tests compare every kernel and
# every shared model with the reference at each SIMD level.
#
#   make $(BUILD)/libaiot-fastexec.a
#   make check-host              (runs $(BUILD)/tests/fastexec_tests)
#   make bench-cpu               (reference vs fast vs TensorFlow Lite)

FX_DIR        := lib/exec
FX_SRCS       := $(wildcard $(FX_DIR)/*.c)
FX_HDRS       := $(wildcard $(FX_DIR)/*.h) $(ISA_HDRS)
FX_OBJS       := $(patsubst $(FX_DIR)/%.c,$(BUILD)/fastexec/%.o,$(FX_SRCS))
FX_SAN_OBJS   := $(patsubst $(FX_DIR)/%.c,$(BUILD)/fastexec/san/%.o,$(FX_SRCS))
FX_CFLAGS     := $(HOST_CFLAGS) -O3 -I$(FX_DIR) -I$(ISA_DIR)
FX_TEST_BIN   := $(BUILD)/tests/fastexec_tests
FX_TEST_SRCS  := tests/unit/fastexec_kernels_test.cc

# Each SIMD level's kernels are compiled for it and called only on CPUs
# that have it (lib/exec/fx_cpu.c).
FX_ARCH       := $(shell $(CC) -dumpmachine 2>/dev/null)
ifneq ($(filter x86_64%,$(FX_ARCH)),)
FX_FLAGS_fx_kern_avx2  := -mavx2
FX_FLAGS_fx_kern_sse41 := -msse4.1
endif

USERSPACE  += $(BUILD)/libaiot-fastexec.a
HOST_TESTS += $(FX_TEST_BIN)

$(BUILD)/fastexec/%.o: $(FX_DIR)/%.c $(FX_HDRS)
	@mkdir -p $(@D)
	$(CC) $(FX_CFLAGS) $(FX_FLAGS_$*) -c $< -o $@

$(BUILD)/fastexec/san/%.o: $(FX_DIR)/%.c $(FX_HDRS)
	@mkdir -p $(@D)
	$(CC) $(FX_CFLAGS) $(FX_FLAGS_$*) $(SAN) -c $< -o $@

$(BUILD)/libaiot-fastexec.a: $(FX_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(FX_TEST_BIN): tests/unit/fastexec_kernels_test.cc tests/unit/isa_test_util.h $(FX_SAN_OBJS) \
		$(ISA_SAN_OBJS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -I$(FX_DIR) -I$(ISA_DIR) -o $@ \
		tests/unit/fastexec_kernels_test.cc $(FX_SAN_OBJS) $(ISA_SAN_OBJS) \
		-lgtest -lgtest_main -pthread
