# SPDX-License-Identifier: GPL-2.0-only
#
# The models the guest `models` suite runs on the reference NPU besides
# person_detect (mk/demo.mk compiles that one): hello_world and
# keyword_scrambled, and the models the tests generate (below), compiled by
# aiot-compile on the host.
GUEST_MODELS_DIR := $(BUILD)/guest/data/models

ifneq ($(wildcard $(AIOT_MODELS_DIR)/hello_world/hello_world_int8.tflite),)
GUEST_PROGS += $(GUEST_MODELS_DIR)/hello_world_int8.aiot \
	       $(GUEST_MODELS_DIR)/keyword_scrambled_8bit.aiot
endif

$(GUEST_MODELS_DIR)/hello_world_int8.aiot: $(AIOT_MODELS_DIR)/hello_world/hello_world_int8.tflite \
					   $(BUILD)/aiot-compile
	@mkdir -p $(@D)
	$(BUILD)/aiot-compile -q $< -o $@

$(GUEST_MODELS_DIR)/keyword_scrambled_8bit.aiot: \
		$(AIOT_MODELS_DIR)/keyword_benchmark/keyword_scrambled_8bit.tflite $(BUILD)/aiot-compile
	@mkdir -p $(@D)
	$(BUILD)/aiot-compile -q $< -o $@

# The suite drives hello_world and the generated models through
# libaiot-accel itself, and runs the generated ones on the CPU reference
# executor in the same process (tools/compile/cpu_model.c, aiot-run's CPU
# path) to compare every output byte.
GUEST_CFLAGS_models := -I$(COMPILE_DIR)
GUEST_LDLIBS_models := $(BUILD)/run/cpu_model.o $(BUILD)/libaiot-fastexec.a \
		       $(BUILD)/libaiot-isa.a $(LIB_A) $(LIB_LDLIBS)
$(BUILD)/guest/tests/models: $(COMPILE_DIR)/cpu_model.h $(BUILD)/run/cpu_model.o \
			     $(BUILD)/libaiot-fastexec.a $(BUILD)/libaiot-isa.a $(LIB_A)

# Models the tests generate, each by a host tool of its own
# (tests/unit/gen_NAME_model.cc), compiled like the others: ops13, ISA
# 1.3's operators; two_io, two graph inputs and two outputs; lstm, two
# stacked UNIDIRECTIONAL_SEQUENCE_LSTM layers; int16, ISA 1.8's int16 elements
# between two QUANTIZEs.
GENERATED_MODELS := ops13 two_io lstm int16
GEN_MODEL_TOOLS  := $(GENERATED_MODELS:%=$(BUILD)/tests/gen_%_model)
GEN_MODEL_HDRS   := tests/unit/gen_model_main.h tests/unit/compile_graph_util.h \
		    tests/unit/compile_lstm_model.h tests/unit/compile_test_util.h
GUEST_PROGS += $(GENERATED_MODELS:%=$(GUEST_MODELS_DIR)/%.aiot)

$(GEN_MODEL_TOOLS): $(BUILD)/tests/gen_%_model: tests/unit/gen_%_model.cc $(GEN_MODEL_HDRS) \
		    $(BUILD)/libaiot-compile.a
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) -I$(COMPILE_DIR) -o $@ $< $(BUILD)/libaiot-compile.a -lm

$(GENERATED_MODELS:%=$(GUEST_MODELS_DIR)/%.tflite): $(GUEST_MODELS_DIR)/%.tflite: \
		$(BUILD)/tests/gen_%_model
	@mkdir -p $(@D)
	$< $@

$(GENERATED_MODELS:%=$(GUEST_MODELS_DIR)/%.aiot): $(GUEST_MODELS_DIR)/%.aiot: \
		$(GUEST_MODELS_DIR)/%.tflite $(BUILD)/aiot-compile
	$(BUILD)/aiot-compile -q $< -o $@

# ISA 1.4: the audio front end and the keyword model it feeds, with
# upstream's 1 s test files (the models suite's audio_front_end_keywords).
ifneq ($(wildcard $(AIOT_MODELS_DIR)/micro_speech/audio_preprocessor_int8.tflite),)
GUEST_AUDIO_DIR := $(BUILD)/guest/data/audio
GUEST_PROGS += $(GUEST_MODELS_DIR)/audio_preprocessor_int8.aiot \
	       $(GUEST_MODELS_DIR)/audio_preprocessor_int8_win49.aiot \
	       $(GUEST_MODELS_DIR)/micro_speech_quantized.aiot \
	       $(patsubst %,$(GUEST_AUDIO_DIR)/%_1000ms.wav,yes no silence noise)
endif

$(GUEST_MODELS_DIR)/audio_preprocessor_int8.aiot $(GUEST_MODELS_DIR)/micro_speech_quantized.aiot: \
		$(GUEST_MODELS_DIR)/%.aiot: $(AIOT_MODELS_DIR)/micro_speech/%.tflite $(BUILD)/aiot-compile
	@mkdir -p $(@D)
	$(BUILD)/aiot-compile -q $< -o $@

# The front end as a standing pipeline's per-slot stage (docs/pipeline.md).
$(GUEST_MODELS_DIR)/audio_preprocessor_int8_win49.aiot: \
		$(AIOT_MODELS_DIR)/micro_speech/audio_preprocessor_int8.tflite $(BUILD)/aiot-compile
	@mkdir -p $(@D)
	$(BUILD)/aiot-compile -q --rolling-window 49 $< -o $@

$(GUEST_AUDIO_DIR)/%.wav: $(AIOT_MODELS_DIR)/micro_speech/%.wav
	@mkdir -p $(@D)
	cp $< $@
