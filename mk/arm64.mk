# SPDX-License-Identifier: GPL-2.0-only
#
# arm64: the userspace an arm64 guest needs, cross-built with Debian's
# aarch64 cross compiler (gcc-aarch64-linux-gnu, libc6-dev:arm64,
# libdrm-dev:arm64, libudev-dev:arm64: tests/qemu/install-deps.sh) into
# $(ARM64_BUILD)/guest/. Only programs: the firmware, the models and the
# other data do not depend on the CPU, and the arm64 guest takes them from
# $(BUILD)/guest/ (make userspace). The modules are built (W=1, against
# Debian's arm64 6.12 headers) by tests/qemu/aiot-qemu, like the x86 ones.
#
#   make arm64-userspace           the programs below
#   make arm64-modules             just the modules, W=1
#   make check-arm64               both, then the arm64 guest's suites, on the
#                                  reference NPU and on the NPU card
#
# The guest runs the suites of ARM64_SUITES (docs/arm64.md says why not the
# others: the step's time budget, mostly); their programs and the tools
# they call are built here.
ARM64_BUILD   := $(BUILD)/arm64
ARM64_CROSS   ?= aarch64-linux-gnu-
ARM64_SUITES  := query lifecycle limits sensor lib_sensor lib_accel lib_monitor accel cmd_stream \
		 job_lifecycle npu_firmware device_waits models sensor_hardening suspend \
		 udev devicetree
# The NPU card's boot (--npu card: the emulator serves the arm64 guest
# over virt's PCIe): the card's own suite and those of ARM64_SUITES that
# use the accelerator (aiot-qemu's CARD_SUITES).
ARM64_CARD_SUITES := card
ARM64_TOOLS   := aiot-run aiot-info aiot-sensor-rec
ARM64_PROGS   := $(addprefix $(ARM64_BUILD)/guest/tests/,$(ARM64_SUITES) $(ARM64_CARD_SUITES)) \
		 $(addprefix $(ARM64_BUILD)/guest/bin/,$(ARM64_TOOLS))

.PHONY: arm64-userspace arm64-modules check-arm64
# A make of its own with the cross compiler and arm64's pkg-config files;
# its build directory keeps the objects apart from the host's. The harness
# runs kernel makes of its own: no jobserver of ours for them.
arm64-userspace:
	PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig \
		$(MAKE) BUILD=$(ARM64_BUILD) CC=$(ARM64_CROSS)gcc CXX=$(ARM64_CROSS)g++ \
		$(ARM64_BUILD)/libaiot-accel.a $(ARM64_BUILD)/lib/model.o $(ARM64_PROGS)

arm64-modules:
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL tests/qemu/aiot-qemu modules -k arm64

# Two boots: the reference NPU (ARM64_SUITES), then the NPU card (those of
# them that use the accelerator, and the card's own suite).
check-arm64: userspace arm64-userspace
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		tests/qemu/aiot-qemu test -k arm64 --npu sim --npu card \
		$(addprefix -t ,$(ARM64_SUITES) $(ARM64_CARD_SUITES))
