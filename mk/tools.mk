# Command-line tools. They also go into the guests (build/guest/bin).
TOOLS := aiot-info

USERSPACE += $(addprefix $(BUILD)/,$(TOOLS))
GUEST_PROGS += $(addprefix $(BUILD)/guest/bin/,$(TOOLS))

$(BUILD)/aiot-info: tools/aiot-info.c include/uapi/drm/aiot_accel.h
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $<

$(BUILD)/guest/bin/%: $(BUILD)/%
	@mkdir -p $(dir $@)
	cp $< $@
