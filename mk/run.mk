# SPDX-License-Identifier: GPL-2.0-only
#
# aiot-compile (TFLite -> model blob), aiot-run (run a blob on the NPU or,
# with --device cpu, on the userspace build of the ISA executor; with
# --sensor, on a live sensor stream through tools/pipeline/, which
# mk/tools.mk builds for aiot-bench too; its parts are tools/run/) and the
# end-to-end model tests: compile -> blob -> lib/model.c's parser -> CPU
# executor, on the real models in $(AIOT_MODELS_DIR).
#
#   make $(BUILD)/aiot-compile $(BUILD)/aiot-run
#   make check-host                 (runs $(BUILD)/tests/compile_models_tests)
#   make models                     (compiles every supported model to $(BUILD)/models)

RUN_CFLAGS      := $(HOST_CFLAGS) -I$(COMPILE_DIR) -Ikernel/isa -Ilib/exec -Itools/pipeline
RUN_SRCS        := $(wildcard tools/run/*.c)
RUN_HDRS        := $(wildcard tools/run/*.h) $(LIVE_PIPELINE_HDRS)
RUN_OBJS        := $(patsubst tools/%.c,$(BUILD)/tools/%.o,$(RUN_SRCS))
RUN_MODELS_TEST := $(BUILD)/tests/compile_models_tests
RUN_MODELS      := hello_world/hello_world_int8 person_detection/person_detect \
		   micro_speech/micro_speech_quantized keyword_benchmark/keyword_scrambled_8bit
# lib/model.c is libc-only: the tests link its sanitized object directly.
RUN_TEST_OBJS   := $(COMPILE_SAN_OBJS) $(COMPILE_ISA_OBJS) $(BUILD)/run/san/cpu_model.o $(FX_SAN_OBJS) \
		   $(BUILD)/lib/san/model.o

USERSPACE  += $(BUILD)/aiot-compile $(BUILD)/aiot-run
HOST_TESTS += $(RUN_MODELS_TEST)

.PHONY: models

$(BUILD)/run/aiot-compile.o: tools/aiot-compile.c $(COMPILE_HDRS) include/aiot/model_format.h \
			     $(ISA_HDRS)
	@mkdir -p $(@D)
	$(CC) $(RUN_CFLAGS) -c $< -o $@

$(BUILD)/tools/run/%.o: tools/run/%.c $(RUN_HDRS) $(COMPILE_HDRS) $(TOOLS_HDRS) $(ISA_HDRS)
	@mkdir -p $(@D)
	$(CC) $(RUN_CFLAGS) -c $< -o $@

$(BUILD)/run/cpu_model.o: $(COMPILE_DIR)/cpu_model.c $(COMPILE_HDRS) $(ISA_HDRS) $(FX_HDRS) \
			  include/aiot/model_format.h
	@mkdir -p $(@D)
	$(CC) $(RUN_CFLAGS) -c $< -o $@

$(BUILD)/run/san/cpu_model.o: $(COMPILE_DIR)/cpu_model.c $(COMPILE_HDRS) $(ISA_HDRS) $(FX_HDRS) \
			      include/aiot/model_format.h
	@mkdir -p $(@D)
	$(CC) $(RUN_CFLAGS) $(SAN) -c $< -o $@

$(BUILD)/aiot-compile: $(BUILD)/run/aiot-compile.o $(BUILD)/libaiot-compile.a \
		       $(BUILD)/libaiot-isa.a $(COMPILE_BLOB_OBJ)
	$(CC) $(HOST_CFLAGS) -o $@ $^ -lm

# The NPU path goes through libaiot-accel; its static library also brings
# lib/model.c's parser, which the CPU path uses too. The live pipeline's
# objects are mk/tools.mk's (read before this fragment).
$(BUILD)/aiot-run: $(RUN_OBJS) $(LIVE_PIPELINE_OBJS) $(TOOLS_COMMON_OBJS) $(BUILD)/run/cpu_model.o \
		   $(BUILD)/libaiot-fastexec.a $(BUILD)/libaiot-isa.a $(LIB_A)
	$(CC) $(HOST_CFLAGS) -o $@ $^ $(LIB_LDLIBS)

$(RUN_MODELS_TEST): tests/unit/compile_models_test.cc tests/unit/compile_test_util.h \
		    tests/unit/compile_blob_util.h \
		    $(RUN_TEST_OBJS) $(COMPILE_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -I$(COMPILE_DIR) -Ikernel/isa -o $@ \
		tests/unit/compile_models_test.cc $(RUN_TEST_OBJS) -lgtest -lgtest_main -pthread -lm

# Graphs of several inputs and outputs, compiled and run on the CPU model.
CPU_MODEL_IO_TEST := $(BUILD)/tests/cpu_model_io_tests
HOST_TESTS += $(CPU_MODEL_IO_TEST)

$(CPU_MODEL_IO_TEST): tests/unit/cpu_model_io_test.cc tests/unit/compile_test_util.h \
		      tests/unit/compile_graph_util.h $(RUN_TEST_OBJS) $(COMPILE_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -I$(COMPILE_DIR) -Ikernel/isa -o $@ \
		tests/unit/cpu_model_io_test.cc $(RUN_TEST_OBJS) -lgtest -lgtest_main -pthread -lm

models: $(BUILD)/aiot-compile
	@mkdir -p $(BUILD)/models
	@set -e; for m in $(RUN_MODELS); do \
		$(BUILD)/aiot-compile $(AIOT_MODELS_DIR)/$$m.tflite \
			-o $(BUILD)/models/$$(basename $$m).aiot; done

# The guest suite tests/integration/run_live.c runs /aiot/bin/aiot-run --sensor
# (the binary and the data come with mk/demo.mk).
GUEST_LDLIBS_run_live := -lm

# aiot-run --v4l2's format decisions, on the host.
RUN_V4L2_FMT_TEST := $(BUILD)/tests/run_v4l2_fmt_tests
HOST_TESTS += $(RUN_V4L2_FMT_TEST)

$(BUILD)/run/san/v4l2_fmt.o: tools/run/v4l2_fmt.c tools/run/v4l2_fmt.h
	@mkdir -p $(@D)
	$(CC) $(RUN_CFLAGS) $(SAN) -c $< -o $@

$(RUN_V4L2_FMT_TEST): tests/unit/run_v4l2_fmt_test.cc $(BUILD)/run/san/v4l2_fmt.o
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -Itools/run -o $@ $^ -lgtest -lgtest_main -pthread

# The guest suite tests/integration/v4l2.c (vivid, packed by aiot-qemu's
# SUITE_KMODS) uses libaiot-accel and /aiot/bin/aiot-run --v4l2.
# It checks FRAME_TO_TENSOR on the NPU against the CPU executor
# (libaiot-isa.a) and runs person_detect compiled with --input.
GUEST_LDLIBS_v4l2 := $(LIB_A) $(BUILD)/libaiot-isa.a $(LIB_LDLIBS)
$(BUILD)/guest/tests/v4l2: $(LIB_A) $(BUILD)/libaiot-isa.a

ifneq ($(wildcard $(AIOT_MODELS_DIR)/person_detection/person_detect.tflite),)
GUEST_PROGS += $(BUILD)/guest/data/models/person_detect_yuyv640.aiot \
	       $(BUILD)/guest/data/models/person_detect_nv12640.aiot \
	       $(BUILD)/guest/data/models/person_detect_nv12m640.aiot
endif
$(BUILD)/guest/data/models/person_detect_%640.aiot: \
		$(AIOT_MODELS_DIR)/person_detection/person_detect.tflite $(BUILD)/aiot-compile
	@mkdir -p $(@D)
	$(BUILD)/aiot-compile -q --input $*:640x480 $< -o $@
