# SPDX-License-Identifier: GPL-2.0-only
#
# make soak-pipeline (not in CI, about 12 minutes): 10 minutes of 16 kHz
# audio through the standing pipeline in a deb612 guest, on the sim NPU or
# with SOAK_NPU=card on the NPU card (docs/pipeline.md): aiot-run --sensor
# mic0 with micro_speech behind the --rolling-window front end, the
# simulated microphone looping yes, no, silence and noise, in a ring of 8
# slots (six front ends may wait behind a slow one). It prints the
# counters (slots, periods, late, skipped, sensor drops, userspace wake-ups
# per slot), DMA done->decision p50/p99, the model's device time, the
# device time a period (fdinfo: its 49 front ends and the model) and the
# process's CPU use. The guest program is written for the run and removed
# after it, so that `make bench` (which runs every program of
# build/guest/bench) does not take it too.
SOAK_PIPELINE := $(BUILD)/guest/bench/soak-pipeline
SOAK_SECONDS ?= 600
SOAK_NPU     ?= sim

.PHONY: soak-pipeline
soak-pipeline: userspace
	@mkdir -p $(dir $(SOAK_PIPELINE))
	printf '%s\n' '#!/bin/sh' \
		'# the standing pipeline for $(SOAK_SECONDS) s of 16 kHz audio (mk/pipeline.mk)' \
		'a=/aiot/data/audio' \
		'/aiot/bin/aiot-run --sensor mic0 --rate 16000 --slots 8 --duration $(SOAK_SECONDS) --summary \' \
		'	--frontend /aiot/data/models/audio_preprocessor_int8_win49.aiot \' \
		'	--replay $$a/yes_1000ms.wav,$$a/no_1000ms.wav,$$a/silence_1000ms.wav,$$a/noise_1000ms.wav \' \
		'	/aiot/data/models/micro_speech_quantized.aiot' > $(SOAK_PIPELINE)
	chmod +x $(SOAK_PIPELINE)
	nice -n 10 tests/qemu/aiot-qemu bench -k deb612 --npu $(SOAK_NPU) -t soak-pipeline; \
		rc=$$?; rm -f $(SOAK_PIPELINE); exit $$rc
