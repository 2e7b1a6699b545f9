# SPDX-License-Identifier: GPL-2.0-only
#
# What the demo and the tools' benchmark need in the guest: the person
# detection model compiled by aiot-compile, the two test images the
# simulated camera replays, aiot-run (the demo's live pipeline, `aiot-run
# --sensor camera0`, tests/qemu/guest-demo.sh; the guest suites models and
# run_live) and the bench entry that runs aiot-bench.
#
#   make demo                       (README: the live pipeline in a guest)
#   tests/qemu/aiot-qemu bench      (runs $(BUILD)/guest/bench/aiot-bench)
DEMO_MODELS ?= ../shared/models
DEMO_DATA   := $(BUILD)/guest/data

ifneq ($(wildcard $(DEMO_MODELS)/person_detection/person_detect.tflite),)
DEMO_FILES := $(DEMO_DATA)/models/person_detect.aiot \
	      $(DEMO_DATA)/images/person.bmp $(DEMO_DATA)/images/no_person.bmp \
	      $(BUILD)/guest/bench/aiot-bench
GUEST_PROGS += $(DEMO_FILES)
endif

$(DEMO_DATA)/models/%.aiot: $(DEMO_MODELS)/person_detection/%.tflite $(BUILD)/aiot-compile
	@mkdir -p $(@D)
	$(BUILD)/aiot-compile -q $< -o $@

$(DEMO_DATA)/images/%.bmp: $(DEMO_MODELS)/person_detection/%.bmp
	@mkdir -p $(@D)
	cp $< $@

# The harness runs every executable of build/guest/bench with no argument.
$(BUILD)/guest/bench/aiot-bench: mk/demo.mk
	@mkdir -p $(@D)
	printf '%s\n' '#!/bin/sh' \
		'# aiot-bench: zero-copy vs copy vs loopback TCP (mk/demo.mk)' \
		'exec /aiot/bin/aiot-bench --model /aiot/data/models/person_detect.aiot \' \
		'	--sensor camera0 --labels no_person,person --duration 20 \' \
		'	--replay /aiot/data/images/person.bmp,/aiot/data/images/no_person.bmp' > $@
	chmod +x $@

# The demo runs aiot-run --sensor; the models suite and benchmark run
# aiot-run in the guest, NPU against CPU; the run_live suite, live.
ifneq ($(DEMO_FILES),)
GUEST_PROGS += $(BUILD)/guest/bin/aiot-run $(BUILD)/guest/bench/model-bench
endif

$(BUILD)/guest/bench/model-bench: mk/demo.mk
	@mkdir -p $(@D)
	printf '%s\n' '#!/bin/sh' \
		'# person_detect: the reference NPU next to the CPU executor (mk/demo.mk)' \
		'for d in npu cpu; do' \
		'	/aiot/bin/aiot-run --device $$d --bench 50 /aiot/data/models/person_detect.aiot \' \
		'		/aiot/data/images/person.bmp | grep -E "^bench|latency" || exit 1' \
		'done' > $@
	chmod +x $@
