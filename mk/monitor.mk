# SPDX-License-Identifier: GPL-2.0-only
#
# The guest suite of the hotplug monitor and the sensor counters
# (tests/integration/lib_monitor.c): like lib_accel, it links the static
# library, so the guest needs only libdrm and libudev (copied by the
# harness). The library and its host tests are mk/lib.mk's.
GUEST_LDLIBS_lib_monitor := $(LIB_A) $(LIB_LDLIBS)
$(BUILD)/guest/tests/lib_monitor: $(LIB_A)
