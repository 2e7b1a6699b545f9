# SPDX-License-Identifier: GPL-2.0-only
#
# Command-line tools on libaiot-accel (static: nothing to install in the
# guests but libdrm and libudev, which the harness copies). They also go
# into the guests as /aiot/bin. aiot-compile and aiot-run: mk/run.mk.
#
#   make $(BUILD)/aiot-info $(BUILD)/aiot-bench
#   tests/qemu/aiot-qemu bench      (runs aiot-bench in a guest, see mk/demo.mk)
TOOLS := aiot-info aiot-bench

USERSPACE += $(addprefix $(BUILD)/,$(TOOLS))
GUEST_PROGS += $(addprefix $(BUILD)/guest/bin/,$(TOOLS))

$(BUILD)/aiot-info $(BUILD)/aiot-bench: $(BUILD)/%: tools/%.c $(LIB_A) include/aiot/accel.h \
		include/aiot/sensor.h include/uapi/drm/aiot_accel.h include/uapi/linux/aiot_sensor.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(LIB_A) $(LIB_LDLIBS)

$(BUILD)/guest/bin/%: $(BUILD)/%
	@mkdir -p $(dir $@)
	cp $< $@
