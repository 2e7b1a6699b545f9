# Guest integration tests: every tests/integration/*.c but the shared
# aiot_testlib.c is one suite (one program, TAP on stdout), run by
# tests/qemu/aiot-qemu inside the guests. Built without sanitizers (they run
# in small guests); the host tests carry ASan/UBSan. A suite that needs more
# libraries sets GUEST_LDLIBS_<suite> in its own mk fragment.
INTEGRATION_LIB := tests/integration/aiot_testlib.c
INTEGRATION_SUITES := $(filter-out aiot_testlib,\
	$(basename $(notdir $(wildcard tests/integration/*.c))))
INTEGRATION_HDRS := $(wildcard tests/integration/*.h) $(wildcard include/uapi/*/*.h)

GUEST_PROGS += $(addprefix $(BUILD)/guest/tests/,$(INTEGRATION_SUITES))

$(BUILD)/guest/tests/%: tests/integration/%.c $(INTEGRATION_LIB) $(INTEGRATION_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itests/integration -o $@ $< $(INTEGRATION_LIB) $(GUEST_LDLIBS_$*)
