# Benchmarks: guest programs that print figures (never assert speed).
# `make bench` runs every one of them in one deb612 boot on the sim NPU,
# then aiot-bench again in a boot on the emulated NPU card.
# `make bench-ci` (make check's slice) leaves out the explorations of the
# job path's knobs (fastpaths, device-waits: minutes of their own, their
# findings are in docs/latency.md) and keeps the rest on both NPUs.
BENCHES := $(basename $(notdir $(wildcard tests/bench/*.c)))
GUEST_PROGS += $(addprefix $(BUILD)/guest/bench/,$(BENCHES))

$(BUILD)/guest/bench/%: tests/bench/%.c $(INTEGRATION_LIB) $(INTEGRATION_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -Itests/integration -o $@ $< $(INTEGRATION_LIB) $(BENCH_LDLIBS_$*)

BENCH_CI := aiot-bench model-bench npu-compare sensor_bench

.PHONY: bench bench-ci
bench: userspace
	tests/qemu/aiot-qemu bench --npu sim
	tests/qemu/aiot-qemu bench --npu card -t aiot-bench

bench-ci: userspace
	tests/qemu/aiot-qemu bench --npu sim $(addprefix -t ,$(BENCH_CI))
	tests/qemu/aiot-qemu bench --npu card -t aiot-bench
