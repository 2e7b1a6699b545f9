# Guest integration tests: each suite is one program (TAP on stdout), run by
# tests/qemu/aiot-qemu inside the guests: tests/integration/NAME.c, or a
# suite of several files, tests/integration/NAME/*.c (one of them with
# TAP_MAIN). The shared aiot_testlib.c and tap.c are linked into each. Built
# without sanitizers (they run in small guests); the host tests carry
# ASan/UBSan. A suite that needs more libraries sets GUEST_LDLIBS_<suite> in
# its own mk fragment, more include directories GUEST_CFLAGS_<suite>.
INTEGRATION_LIB := tests/integration/aiot_testlib.c \
	tests/integration/aiot_testlib_stream.c tests/integration/aiot_testlib_cmd.c \
	tests/integration/tap.c
INTEGRATION_FILE_SUITES := $(filter-out aiot_testlib aiot_testlib_stream aiot_testlib_cmd tap,\
	$(basename $(notdir $(wildcard tests/integration/*.c))))
INTEGRATION_DIR_SUITES := $(sort $(notdir $(patsubst %/,%,\
	$(dir $(wildcard tests/integration/*/*.c)))))
INTEGRATION_SUITES := $(INTEGRATION_FILE_SUITES) $(INTEGRATION_DIR_SUITES)
INTEGRATION_HDRS := $(wildcard tests/integration/*.h) $(wildcard include/uapi/*/*.h)

GUEST_PROGS += $(addprefix $(BUILD)/guest/tests/,$(INTEGRATION_SUITES))

$(BUILD)/guest/tests/%: tests/integration/%.c $(INTEGRATION_LIB) $(INTEGRATION_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itests/integration $(GUEST_CFLAGS_$*) -o $@ $< $(INTEGRATION_LIB) \
		$(GUEST_LDLIBS_$*)

define integration_dir_suite
$(BUILD)/guest/tests/$(1): $(wildcard tests/integration/$(1)/*.[ch]) $(INTEGRATION_LIB) \
		$(INTEGRATION_HDRS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(HOST_CFLAGS) -Itests/integration -Itests/integration/$(1) $$(GUEST_CFLAGS_$(1)) \
		-o $$@ \
		$(wildcard tests/integration/$(1)/*.c) $$(INTEGRATION_LIB) $$(GUEST_LDLIBS_$(1))
endef
$(foreach s,$(INTEGRATION_DIR_SUITES),$(eval $(call integration_dir_suite,$(s))))
