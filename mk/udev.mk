# SPDX-License-Identifier: GPL-2.0-only
#
# The guest suite "udev" (tests/integration/udev.sh, a shell suite): runs
# Debian's systemd-udevd in the guest with the rules of udev/, which go to
# the guests as /aiot/data/udev/. The harness packs systemd-udevd and udevadm.
GUEST_PROGS += $(BUILD)/guest/tests/udev \
	       $(patsubst udev/%,$(BUILD)/guest/data/udev/%,$(wildcard udev/*.rules))

$(BUILD)/guest/tests/udev: tests/integration/udev.sh
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(BUILD)/guest/data/udev/%.rules: udev/%.rules
	@mkdir -p $(@D)
	install -m 0644 $< $@
