# SPDX-License-Identifier: GPL-2.0-only
#
# The reference NPU's firmware (docs/npu-firmware.md, firmware/README.md):
# aiot-mkfw (firmware/npu/aiot-mkfw.c) writes it
# (its self-test stream and the golden results computed by the userspace
# executor); aiot-sim loads it at probe with request_firmware(). The guests
# get it under /lib/firmware (the harness copies $(BUILD)/guest/firmware),
# `make install` puts it into $(FIRMWARE_DIR).
#
#   make $(BUILD)/firmware/aiot/aiot-sim-npu-1.fw
NPU_FW_NAME  := aiot/aiot-sim-npu-1.fw
NPU_FW       := $(BUILD)/firmware/$(NPU_FW_NAME)
FIRMWARE_DIR ?= /lib/firmware

USERSPACE   += $(BUILD)/aiot-mkfw $(NPU_FW)
GUEST_PROGS += $(BUILD)/guest/firmware/$(NPU_FW_NAME)

# lib/model.o brings aiot_crc32(), the blob format's CRC-32 (libc only).
$(BUILD)/aiot-mkfw: firmware/npu/aiot-mkfw.c kernel/sim/aiot_sim_fw_format.h lib/le_bytes.h $(BUILD)/libaiot-isa.a \
		    $(BUILD)/lib/model.o $(ISA_HDRS)
	$(CC) $(HOST_CFLAGS) -Ikernel -Ikernel/isa -o $@ $< $(BUILD)/lib/model.o \
		$(BUILD)/libaiot-isa.a

$(NPU_FW): $(BUILD)/aiot-mkfw
	@mkdir -p $(@D)
	$(BUILD)/aiot-mkfw -o $@

$(BUILD)/guest/firmware/%: $(BUILD)/firmware/%
	@mkdir -p $(@D)
	cp $< $@

.PHONY: install-firmware
install: install-firmware
install-firmware: $(NPU_FW)
	install -D -m 0644 $(NPU_FW) $(DESTDIR)$(FIRMWARE_DIR)/$(NPU_FW_NAME)

# The guest suite npu_firmware re-seals the images it corrupts with the same
# CRC-32, aiot_crc32() (lib/model.c, libc only).
GUEST_LDLIBS_npu_firmware := $(BUILD)/lib/model.o
$(BUILD)/guest/tests/npu_firmware: $(BUILD)/lib/model.o
