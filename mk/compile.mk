# SPDX-License-Identifier: GPL-2.0-only
#
# aiot-compile front half: TFLite reader, quantization arithmetic, arena
# planner (libaiot-compile.a), the aiot-tflite-dump tool, unit tests and a
# libFuzzer target.
#
#   make $(BUILD)/aiot-tflite-dump
#   make check-host                   (runs $(BUILD)/tests/compile_unit_tests)
#   make fuzz-tflite [FUZZ_SECONDS=30]

COMPILE_DIR       := tools/compile
# The lowering pass and its end-to-end test need the ISA (uAPI header and
# the reference executor in kernel/isa); without them they are left out.
COMPILE_HAVE_ISA  := $(and $(wildcard include/uapi/linux/aiot_isa.h),$(wildcard kernel/isa/aiot_isa.h))
# cpu_model.c needs the ISA executor and lib/model.c: mk/run.mk builds it.
COMPILE_LIB_SRCS  := $(filter-out $(COMPILE_DIR)/tflite_dump.c $(COMPILE_DIR)/cpu_model.c \
		     $(if $(COMPILE_HAVE_ISA),,$(wildcard $(COMPILE_DIR)/lower*.c)),\
		     $(wildcard $(COMPILE_DIR)/*.c))
COMPILE_HDRS      := $(wildcard $(COMPILE_DIR)/*.h) lib/le_bytes.h
COMPILE_OBJS      := $(patsubst $(COMPILE_DIR)/%.c,$(BUILD)/compile/%.o,$(COMPILE_LIB_SRCS))
# The unit tests link sanitized copies of the objects so that ASan/UBSan
# see inside the library; the installed library stays uninstrumented.
COMPILE_SAN_OBJS  := $(patsubst $(COMPILE_DIR)/%.c,$(BUILD)/compile/san/%.o,$(COMPILE_LIB_SRCS))
# compile_models_test.cc is its own binary (mk/run.mk).
COMPILE_TEST_SRCS := $(filter-out $(if $(COMPILE_HAVE_ISA),,tests/unit/compile_lower_test.cc) \
		     tests/unit/compile_models_test.cc,\
		     $(wildcard tests/unit/compile_*.cc))
# the executor and validator, sanitized, for compile_lower_test.cc
COMPILE_ISA_SRCS  := $(if $(COMPILE_HAVE_ISA),$(wildcard kernel/isa/*.c))
COMPILE_ISA_OBJS  := $(patsubst kernel/isa/%.c,$(BUILD)/compile/isa-san/%.o,$(COMPILE_ISA_SRCS))
# blob.c writes with libaiot-accel's blob writer, lib/model.c (libc only):
# whoever links libaiot-compile.a's blob.o links this object too.
COMPILE_BLOB_OBJ     := $(BUILD)/lib/model.o
COMPILE_BLOB_SAN_OBJ := $(BUILD)/lib/san/model.o
COMPILE_TEST_HDRS := $(COMPILE_HDRS) $(wildcard tests/unit/compile_*.h tests/unit/isa_*.h) \
		     $(wildcard kernel/isa/*.h) include/uapi/linux/aiot_isa.h
COMPILE_TEST_OBJS := $(patsubst tests/unit/%.cc,$(BUILD)/tests/compile-obj/%.o,$(COMPILE_TEST_SRCS))
COMPILE_TEST_BIN  := $(BUILD)/tests/compile_unit_tests
COMPILE_FUZZ_BIN  := $(BUILD)/fuzz/fuzz_tflite

AIOT_MODELS_DIR   ?= ../shared/models
FUZZ_SECONDS      ?= 30
FUZZ_CC           ?= clang

USERSPACE    += $(BUILD)/libaiot-compile.a $(BUILD)/aiot-tflite-dump
HOST_TESTS   += $(COMPILE_TEST_BIN)
FUZZ_TARGETS += $(COMPILE_FUZZ_BIN)

.PHONY: fuzz-tflite

$(BUILD)/compile/tflite_dump.o: $(TOOLS_HDRS)
$(BUILD)/compile/%.o: $(COMPILE_DIR)/%.c $(COMPILE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/compile/san/%.o: $(COMPILE_DIR)/%.c $(COMPILE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN) -c $< -o $@

$(BUILD)/compile/isa-san/%.o: kernel/isa/%.c $(wildcard kernel/isa/*.h) include/uapi/linux/aiot_isa.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Ikernel/isa $(SAN) -c $< -o $@

$(BUILD)/libaiot-compile.a: $(COMPILE_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/aiot-tflite-dump: $(BUILD)/compile/tflite_dump.o $(BUILD)/libaiot-compile.a \
			   $(TOOLS_COMMON_OBJS)
	$(CC) $(HOST_CFLAGS) -o $@ $^ -lm

# An object per test source, so that make -j compiles them side by side.
$(BUILD)/tests/compile-obj/%.o: tests/unit/%.cc $(COMPILE_TEST_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -I$(COMPILE_DIR) -Ikernel/isa -c $< -o $@

$(COMPILE_TEST_BIN): $(COMPILE_TEST_OBJS) $(COMPILE_SAN_OBJS) $(COMPILE_ISA_OBJS) \
		     $(COMPILE_BLOB_SAN_OBJ)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -o $@ $^ -lgtest -lgtest_main -pthread -lm

# libFuzzer needs clang; the library sources are compiled straight in so
# that coverage instrumentation reaches them.
$(COMPILE_FUZZ_BIN): tests/fuzz/fuzz_tflite.c $(COMPILE_LIB_SRCS) lib/model.c $(COMPILE_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(UAPI_INC) -I$(COMPILE_DIR) -o $@ tests/fuzz/fuzz_tflite.c $(COMPILE_LIB_SRCS) \
		lib/model.c -lm

# Bounded run seeded with the real models; new inputs go to the corpus dir.
fuzz-tflite: $(COMPILE_FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/tflite-corpus $(BUILD)/fuzz/tflite-seeds
	@find $(AIOT_MODELS_DIR) -name '*.tflite' -exec cp -f {} $(BUILD)/fuzz/tflite-seeds/ \; 2>/dev/null || true
	$(COMPILE_FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 \
		-print_final_stats=1 $(BUILD)/fuzz/tflite-corpus $(BUILD)/fuzz/tflite-seeds

fuzz: fuzz-tflite
