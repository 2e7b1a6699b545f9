# Benchmarks: guest programs that print figures (never assert speed), run by
# `make bench` (tests/qemu/aiot-qemu bench) in one guest boot.
BENCHES := $(basename $(notdir $(wildcard tests/bench/*.c)))
GUEST_PROGS += $(addprefix $(BUILD)/guest/bench/,$(BENCHES))

$(BUILD)/guest/bench/%: tests/bench/%.c $(INTEGRATION_LIB) $(INTEGRATION_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itests/integration -o $@ $< $(INTEGRATION_LIB) $(BENCH_LDLIBS_$*)

.PHONY: bench
bench: userspace
	tests/qemu/aiot-qemu bench
