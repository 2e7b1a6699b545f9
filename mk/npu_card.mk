# SPDX-License-Identifier: GPL-2.0-only
#
# aiot-npu-card: the emulated NPU card (docs/npu-card.md), an ivshmem
# server for QEMU's ivshmem-doorbell that runs jobs with the userspace ISA
# executor (kernel/isa, see mk/isa.mk), and its host tests, which play QEMU
# and the guest against the real program (built with ASan/UBSan for them).
#
#   make $(BUILD)/aiot-npu-card
#   make check-host                 (runs $(BUILD)/tests/npu_card_tests)

CARD_DIR       := emu/npu-card
CARD_SRCS      := $(wildcard $(CARD_DIR)/*.c)
CARD_HDRS      := $(wildcard $(CARD_DIR)/*.h) include/aiot/npu_card_regs.h
CARD_BIN       := $(BUILD)/aiot-npu-card
CARD_SAN_BIN   := $(BUILD)/tests/aiot-npu-card-san
CARD_CFLAGS    := $(HOST_CFLAGS) -I$(ISA_DIR) -I$(CARD_DIR)
CARD_TEST_SRCS := $(wildcard tests/emu/npu_card_*.cc)
CARD_TEST_HDRS := $(wildcard tests/emu/npu_card_*.h)
CARD_TEST_BIN  := $(BUILD)/tests/npu_card_tests

# person_detect compiled by aiot-compile, for the compiled-model test
# (skipped when ../shared/models is not there).
CARD_MODEL     := $(BUILD)/tests/npu_card/person_detect.aiot
CARD_MODEL_SRC := $(AIOT_MODELS_DIR)/person_detection/person_detect.tflite
CARD_MODEL_DEP := $(if $(wildcard $(CARD_MODEL_SRC)),$(CARD_MODEL))

USERSPACE  += $(CARD_BIN)
HOST_TESTS += $(CARD_TEST_BIN)

$(CARD_BIN): $(CARD_SRCS) $(CARD_HDRS) $(ISA_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CARD_CFLAGS) -o $@ $(CARD_SRCS) $(ISA_OBJS)

$(CARD_SAN_BIN): $(CARD_SRCS) $(CARD_HDRS) $(ISA_SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CARD_CFLAGS) $(SAN) -o $@ $(CARD_SRCS) $(ISA_SAN_OBJS)

$(CARD_MODEL): $(CARD_MODEL_SRC) $(BUILD)/aiot-compile
	@mkdir -p $(@D)
	$(BUILD)/aiot-compile -q $< -o $@

$(CARD_TEST_BIN): $(CARD_TEST_SRCS) $(CARD_TEST_HDRS) $(ISA_TEST_HDRS) \
		  $(ISA_SAN_OBJS) $(CARD_SAN_BIN) $(CARD_MODEL_DEP)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -I$(ISA_DIR) -Itests/unit -Itests/emu \
		-DAIOT_NPU_CARD_BIN='"$(abspath $(CARD_SAN_BIN))"' \
		-DAIOT_NPU_CARD_MODEL='"$(abspath $(CARD_MODEL))"' \
		-DAIOT_MODELS_DIR='"$(abspath $(AIOT_MODELS_DIR))"' \
		-o $@ $(CARD_TEST_SRCS) $(ISA_SAN_OBJS) \
		-lgtest -lgtest_main -pthread
