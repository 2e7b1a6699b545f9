# SPDX-License-Identifier: GPL-2.0-only
#
# aiot ISA: the kernel's command-stream validator and reference executor
# (kernel/isa/*.c) built unchanged as a userspace library, its host unit
# tests and a libFuzzer target.
#
#   make $(BUILD)/libaiot-isa.a
#   make check-host                 (runs $(BUILD)/tests/isa_unit_tests)
#   make fuzz-isa [FUZZ_SECONDS=30]

ISA_DIR        := kernel/isa
ISA_SRCS       := $(wildcard $(ISA_DIR)/*.c)
ISA_HDRS       := $(wildcard $(ISA_DIR)/*.h) include/uapi/linux/aiot_isa.h
ISA_OBJS       := $(patsubst $(ISA_DIR)/%.c,$(BUILD)/isa/%.o,$(ISA_SRCS))
# Sanitized copies for the unit tests, so ASan/UBSan see inside the code.
ISA_SAN_OBJS   := $(patsubst $(ISA_DIR)/%.c,$(BUILD)/isa/san/%.o,$(ISA_SRCS))
ISA_TEST_SRCS  := $(wildcard tests/unit/isa_*.cc)
ISA_TEST_HDRS  := $(wildcard tests/unit/isa_*.h)
ISA_TEST_OBJS  := $(patsubst tests/unit/%.cc,$(BUILD)/tests/isa-obj/%.o,$(ISA_TEST_SRCS))
ISA_TEST_BIN   := $(BUILD)/tests/isa_unit_tests
ISA_FUZZ_BIN   := $(BUILD)/fuzz/fuzz_isa
ISA_CORPUS     := tests/fuzz/corpus/isa
ISA_CFLAGS     := $(HOST_CFLAGS) -I$(ISA_DIR)

FUZZ_SECONDS   ?= 30
FUZZ_CC        ?= clang

USERSPACE    += $(BUILD)/libaiot-isa.a
HOST_TESTS   += $(ISA_TEST_BIN)
FUZZ_TARGETS += $(ISA_FUZZ_BIN)

.PHONY: fuzz-isa

$(BUILD)/isa/%.o: $(ISA_DIR)/%.c $(ISA_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ISA_CFLAGS) -c $< -o $@

$(BUILD)/isa/san/%.o: $(ISA_DIR)/%.c $(ISA_HDRS)
	@mkdir -p $(@D)
	$(CC) $(ISA_CFLAGS) $(SAN) -c $< -o $@

$(BUILD)/libaiot-isa.a: $(ISA_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# An object per test source, so that make -j compiles them side by side
# (one g++ for all of them was the longest step of make check-host).
$(BUILD)/tests/isa-obj/%.o: tests/unit/%.cc $(ISA_TEST_HDRS) $(ISA_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -I$(ISA_DIR) -c $< -o $@

$(ISA_TEST_BIN): $(ISA_TEST_OBJS) $(ISA_SAN_OBJS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -o $@ $^ -lgtest -lgtest_main -pthread

# libFuzzer needs clang; the sources are compiled straight in so that
# coverage instrumentation reaches them.
$(ISA_FUZZ_BIN): tests/fuzz/fuzz_isa.c $(ISA_SRCS) $(ISA_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(UAPI_INC) -I$(ISA_DIR) -o $@ tests/fuzz/fuzz_isa.c $(ISA_SRCS)

# Bounded run from the checked-in seeds; new inputs go to a build corpus.
fuzz-isa: $(ISA_FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/isa-corpus
	$(ISA_FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
		-timeout=10 -print_final_stats=1 $(BUILD)/fuzz/isa-corpus \
		$(ISA_CORPUS)

fuzz: fuzz-isa
