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
		'# aiot-bench: floors, then the five paths idle and under load, with the' \
		'# trivial model and with person_detect; the JSON of each at the end (mk/demo.mk)' \
		'set -e' \
		'/aiot/bin/aiot-bench --model trivial --sensor camera0 --rate 20 --duration 8 \' \
		'	--saturate 0 --json-file /tmp/bench-trivial.json' \
		'/aiot/bin/aiot-bench --model /aiot/data/models/person_detect.aiot \' \
		'	--sensor camera0 --labels no_person,person --duration 8 --no-floors \' \
		'	--saturate 3 --json-file /tmp/bench-person_detect.json \' \
		'	--replay /aiot/data/images/person.bmp,/aiot/data/images/no_person.bmp' \
		'echo "JSON trivial: $$(cat /tmp/bench-trivial.json)"' \
		'echo "JSON person_detect: $$(cat /tmp/bench-person_detect.json)"' > $@
	chmod +x $@

# The kernel's fast paths of the job path, one at a time (aiot.ko's
# submit_highpri, aiot-sim's inline_nop, aiot.ko's job_wait_spin_us,
# device_waits and submit_percpu): the null job and the fenced path under
# load with the trivial model, for each step. submit_highpri and
# submit_percpu apply to devices registered after they are set, hence the
# reload of aiot-sim. The spin (off by default) is not stepped here: see
# docs/latency.md for its figures.
GUEST_PROGS += $(BUILD)/guest/bench/fastpaths
$(BUILD)/guest/bench/fastpaths: mk/demo.mk
	@mkdir -p $(@D)
	printf '%s\n' '#!/bin/sh' \
		'# aiot-bench per fast path of the job path (mk/demo.mk)' \
		'p=/sys/module' \
		'step() {' \
		'	echo "$$1" > $$p/aiot/parameters/submit_highpri' \
		'	echo "$$5" > $$p/aiot/parameters/submit_percpu' \
		'	rmmod aiot_sim && modprobe aiot-sim || exit 1' \
		'	echo "$$2" > $$p/aiot_sim/parameters/inline_nop' \
		'	echo "$$3" > $$p/aiot/parameters/job_wait_spin_us' \
		'	echo "$$4" > $$p/aiot/parameters/device_waits' \
		'	echo "=== fast paths: submit_highpri=$$1 inline_nop=$$2 job_wait_spin_us=$$3 device_waits=$$4 submit_percpu=$$5"' \
		'	/aiot/bin/aiot-bench --model trivial --sensor camera0 --rate 20 --duration 6 \' \
		'		--paths zero-copy --loads cpu_load --saturate 0 --floor-samples 500 \' \
		'		--json-file /tmp/fp.json --quiet | grep -E "null job|throughput|fairness|^  .a. zero-copy, fenced +[|]"' \
		'	echo "JSON $$1 $$2 $$3 $$4 $$5: $$(cat /tmp/fp.json)"' \
		'}' \
		'step 0 0 0 0 0' \
		'step 1 0 0 0 0' \
		'step 1 1 0 0 0' \
		'step 1 1 0 1 0' \
		'step 1 1 0 1 1' > $@
	chmod +x $@

# Who waits for the sensor's fence (aiot.ko's device_waits: the scheduler's
# work or the fence's callback), against the fair scheduler's
# RUN_TO_PARITY (6.12; 6.1 has no such feature and skips those steps):
# every path under load with the trivial model, in one guest.
GUEST_PROGS += $(BUILD)/guest/bench/device-waits
$(BUILD)/guest/bench/device-waits: mk/demo.mk
	@mkdir -p $(@D)
	printf '%s\n' '#!/bin/sh' \
		'# aiot-bench with device_waits off and on, RUN_TO_PARITY on and off (mk/demo.mk)' \
		'f=/sys/kernel/debug/sched/features' \
		'step() {' \
		'	echo "$$1" > /sys/module/aiot/parameters/device_waits' \
		'	if [ "$$2" != - ]; then echo "$$2" > $$f 2>/dev/null || return 0; fi' \
		'	echo "=== device_waits=$$1 sched feature: $$2"' \
		'	/aiot/bin/aiot-bench --model trivial --sensor camera0 --rate 20 --duration 8 \' \
		'		--loads cpu_load --no-floors --saturate 0 \' \
		'		--json-file /tmp/dw.json --quiet 2>&1 | grep -E "^  .[a-e]. |targets"' \
		'	echo "JSON $$1 $$2: $$(cat /tmp/dw.json)"' \
		'}' \
		'step 0 -' \
		'step 1 -' \
		'step 0 NO_RUN_TO_PARITY' \
		'step 1 NO_RUN_TO_PARITY' \
		'echo RUN_TO_PARITY > $$f 2>/dev/null || true' > $@
	chmod +x $@

# The demo runs aiot-run --sensor; the models suite and benchmark run
# aiot-run in the guest, NPU against CPU; the run_live suite, live.
ifneq ($(DEMO_FILES),)
GUEST_PROGS += $(BUILD)/guest/bin/aiot-run $(BUILD)/guest/bench/model-bench \
	       $(BUILD)/guest/bench/npu-compare
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

# person_detect on every NPU of one guest, each job's device time (JOB_WAIT
# started->ended) next to the other's, and the CPU executor's scores.
# In a card boot (aiot-qemu bench --npu card -t npu-compare) aiot-sim is
# loaded again with its NPU, so that the card and the sim's NPU are both
# there; in a sim boot only the sim's is.
$(BUILD)/guest/bench/npu-compare: mk/demo.mk
	@mkdir -p $(@D)
	printf '%s\n' '#!/bin/sh' \
		'# person_detect on each NPU of this guest, then on the CPU (mk/demo.mk)' \
		'm=/aiot/data/models/person_detect.aiot; i=/aiot/data/images/person.bmp' \
		'rmmod aiot_sim && modprobe aiot-sim npu=1 || exit 1' \
		'for n in /dev/accel/accel* /dev/dri/renderD*; do' \
		'	b=$$(cat /sys/class/*/$${n##*/}/device/aiot/backend 2>/dev/null) || continue' \
		'	echo "== $$n: $$b"' \
		'	/aiot/bin/aiot-run --accel $$n $$m $$i || exit 1' \
		'	/aiot/bin/aiot-run --accel $$n --bench 30 $$m $$i | grep -E "^bench|latency|device" || exit 1' \
		'done' \
		'echo "== cpu"' \
		'/aiot/bin/aiot-run --device cpu $$m $$i || exit 1' > $@
	chmod +x $@
