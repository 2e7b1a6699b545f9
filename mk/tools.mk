# SPDX-License-Identifier: GPL-2.0-only
#
# Command-line tools on libaiot-accel (static: nothing to install in the
# guests but libdrm and libudev, which the harness copies). They also go
# into the guests as /aiot/bin. aiot-compile and aiot-run: mk/run.mk.
#
# tools/live_pipeline.c is the zero-copy live pipeline (sensor slots bound
# as a model's input, jobs queued ahead on the slots' write fences), shared
# by aiot-bench (path (a), --live) and aiot-run --sensor.
#
#   make $(BUILD)/aiot-info $(BUILD)/aiot-bench
#   tests/qemu/aiot-qemu bench      (runs aiot-bench in a guest, see mk/demo.mk)
TOOLS := aiot-info aiot-bench
TOOLS_HDRS := include/aiot/accel.h include/aiot/sensor.h include/uapi/drm/aiot_accel.h \
	      include/uapi/linux/aiot_sensor.h
LIVE_PIPELINE_OBJ := $(BUILD)/tools/live_pipeline.o

USERSPACE += $(addprefix $(BUILD)/,$(TOOLS))
GUEST_PROGS += $(addprefix $(BUILD)/guest/bin/,$(TOOLS))

$(LIVE_PIPELINE_OBJ): tools/live_pipeline.c tools/live_pipeline.h $(TOOLS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/aiot-info: tools/aiot-info.c $(LIB_A) $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(LIB_A) $(LIB_LDLIBS)

$(BUILD)/aiot-bench: tools/aiot-bench.c tools/live_pipeline.h $(LIVE_PIPELINE_OBJ) $(LIB_A) \
		     $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(LIVE_PIPELINE_OBJ) $(LIB_A) $(LIB_LDLIBS)

$(BUILD)/guest/bin/%: $(BUILD)/%
	@mkdir -p $(dir $@)
	cp $< $@
