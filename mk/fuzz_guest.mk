# The in-guest fuzzer of the whole uAPI (tests/fuzz/guest/, one file per concern;
# docs/fuzzing.md): a guest program that the suite fuzz_guest runs for a
# bounded slice in every guest (20 s, NPU sim, no fault injection), and
# that a long run drives on its own:
#
#   make fuzz-guest [FUZZ_SECONDS=3600] [SEED=N] [FUZZ_KERNEL=debug] [FUZZ_NPU=card]
#                   [FUZZ_ARGS=--no-unbind]
#
# Built without sanitizers, like the other guest programs (the guests have
# no ASan runtime); the host build below carries ASan/UBSan and only checks
# that it builds and parses its options.
FUZZ_GUEST_SRC := $(wildcard tests/fuzz/guest/*.c)
FUZZ_GUEST_HDR := $(wildcard tests/fuzz/guest/*.h)
FUZZ_GUEST_BIN := $(BUILD)/guest/bin/aiot-fuzz
FUZZ_GUEST_HOST := $(BUILD)/fuzz/aiot-fuzz-host
GUEST_PROGS += $(FUZZ_GUEST_BIN)
USERSPACE += $(FUZZ_GUEST_HOST)

FUZZ_SECONDS ?= 600
SEED ?= 1
FUZZ_KERNEL ?= debug
FUZZ_NPU ?= sim

$(FUZZ_GUEST_BIN): $(FUZZ_GUEST_SRC) $(FUZZ_GUEST_HDR) $(wildcard include/uapi/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -pthread -o $@ $(FUZZ_GUEST_SRC) -pthread

$(FUZZ_GUEST_HOST): $(FUZZ_GUEST_SRC) $(FUZZ_GUEST_HDR) $(wildcard include/uapi/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SAN) -pthread -o $@ $(FUZZ_GUEST_SRC) -pthread

# Everything the guest needs (the NPU's firmware above all: without it the
# sim NPU does not probe and only the sensor side gets fuzzed).
.PHONY: fuzz-guest
fuzz-guest: userspace
	AIOT_FUZZ_SECONDS=$(FUZZ_SECONDS) AIOT_FUZZ_SEED=$(SEED) AIOT_FUZZ_ARGS="$(FUZZ_ARGS)" \
		tests/qemu/aiot-qemu test -k $(FUZZ_KERNEL) --npu $(FUZZ_NPU) --no-kunit -t fuzz_guest
