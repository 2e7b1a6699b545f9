# SPDX-License-Identifier: GPL-2.0-only
#
# Command-line tools on libaiot-accel (static: nothing to install in the
# guests but libdrm and libudev, which the harness copies). They also go
# into the guests as /aiot/bin. aiot-compile and aiot-run: mk/run.mk.
#
# One folder per tool (tools/info/, tools/bench/; tools/run/ and
# tools/compile/ are mk/run.mk's and mk/compile.mk's), and what they share:
#   tools/common/    messages, whole-file reads, signals: $(TOOLS_COMMON_OBJS);
#                    aiot-sim's replay recordings (sensor_rec.c, needs
#                    aiot_crc32()): in $(LIVE_PIPELINE_OBJS) and aiot-sensor-rec
#   tools/pipeline/  the zero-copy live pipeline (sensor slots bound as a
#                    model's input, jobs queued ahead on the slots' write
#                    fences) of aiot-bench (path (a), --live) and aiot-run
#                    --sensor: $(LIVE_PIPELINE_OBJS), live_pipeline.h
#
#   make $(BUILD)/aiot-info $(BUILD)/aiot-bench
#   tests/qemu/aiot-qemu bench      (runs aiot-bench in a guest, see mk/demo.mk)
TOOLS := aiot-info aiot-bench
TOOLS_HDRS := include/aiot/accel.h include/aiot/sensor.h include/aiot/model_format.h \
	      include/uapi/drm/aiot_accel.h include/uapi/linux/aiot_sensor.h \
	      include/uapi/linux/aiot_isa.h lib/dtype.h lib/le_bytes.h
# tools/common/: what every tool does the same way (messages, files, signals)
TOOLS_COMMON_OBJS := $(patsubst tools/%.c,$(BUILD)/tools/%.o,\
		       $(filter-out tools/common/sensor_rec.c,$(wildcard tools/common/*.c)))
TOOLS_HDRS += $(wildcard tools/common/*.h) include/aiot/sim_sensor.h
LIVE_PIPELINE_SRCS := $(wildcard tools/pipeline/*.c) tools/common/sensor_rec.c
LIVE_PIPELINE_HDRS := $(wildcard tools/pipeline/*.h)
LIVE_PIPELINE_OBJS := $(patsubst tools/%.c,$(BUILD)/tools/%.o,$(LIVE_PIPELINE_SRCS))

USERSPACE += $(addprefix $(BUILD)/,$(TOOLS))
GUEST_PROGS += $(addprefix $(BUILD)/guest/bin/,$(TOOLS))

$(BUILD)/tools/common/%.o: tools/common/%.c $(TOOLS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/tools/pipeline/%.o: tools/pipeline/%.c $(LIVE_PIPELINE_HDRS) $(TOOLS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

INFO_OBJS := $(patsubst tools/%.c,$(BUILD)/tools/%.o,$(wildcard tools/info/*.c))

$(BUILD)/tools/info/%.o: tools/info/%.c $(wildcard tools/info/*.h) $(TOOLS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/aiot-info: $(INFO_OBJS) $(TOOLS_COMMON_OBJS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $^ $(LIB_LDLIBS)

BENCH_OBJS := $(patsubst tools/%.c,$(BUILD)/tools/%.o,$(wildcard tools/bench/*.c))

$(BUILD)/tools/bench/%.o: tools/bench/%.c $(wildcard tools/bench/*.h) $(LIVE_PIPELINE_HDRS) \
			  $(TOOLS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Itools/pipeline -c $< -o $@

# path (e) is a client of Debian's mosquitto broker: libmosquitto-dev
$(BUILD)/aiot-bench: $(BENCH_OBJS) $(LIVE_PIPELINE_OBJS) $(TOOLS_COMMON_OBJS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $^ $(LIB_LDLIBS) -lmosquitto

$(BUILD)/guest/bin/%: $(BUILD)/%
	@mkdir -p $(dir $@)
	cp $< $@

# tools/common's whole-file read, under ASan/UBSan.
TOOLS_COMMON_TEST := $(BUILD)/tests/tools_common_tests
HOST_TESTS += $(TOOLS_COMMON_TEST)

$(BUILD)/tools/common/san/%.o: tools/common/%.c $(TOOLS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN) -c $< -o $@

$(TOOLS_COMMON_TEST): tests/unit/tools_common_test.cc $(BUILD)/tools/common/san/tool.o
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -Itools/common -o $@ $^ -lgtest -lgtest_main -pthread
