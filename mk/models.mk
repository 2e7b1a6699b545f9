# SPDX-License-Identifier: GPL-2.0-only
#
# The models the guest `models` suite runs on the reference NPU besides
# person_detect (mk/demo.mk compiles that one): hello_world and
# keyword_scrambled, compiled by aiot-compile on the host.
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

# The suite drives hello_world through libaiot-accel itself.
GUEST_LDLIBS_models := $(LIB_A) $(LIB_LDLIBS)
$(BUILD)/guest/tests/models: $(LIB_A)

# ops13: a tiny model of ISA 1.3's operators that the tests generate
# (tests/unit/gen_ops13_model.cc), compiled like the others.
GEN_OPS13 := $(BUILD)/tests/gen_ops13_model
GUEST_PROGS += $(GUEST_MODELS_DIR)/ops13.aiot

$(GEN_OPS13): tests/unit/gen_ops13_model.cc tests/unit/compile_graph_util.h \
	      tests/unit/compile_test_util.h $(BUILD)/libaiot-compile.a
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) -I$(COMPILE_DIR) -o $@ $< $(BUILD)/libaiot-compile.a -lm

$(GUEST_MODELS_DIR)/ops13.tflite: $(GEN_OPS13)
	@mkdir -p $(@D)
	$(GEN_OPS13) $@

$(GUEST_MODELS_DIR)/ops13.aiot: $(GUEST_MODELS_DIR)/ops13.tflite $(BUILD)/aiot-compile
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
