# Sensor streams: the guest suite compares samples with libm's sine, and
# replays recordings converted from ../shared/models (16 kHz speech, a 96x96
# frame) plus a synthetic accelerometer tap, as aiot-sim firmware files.
GUEST_LDLIBS_sensor := -lm

SENSOR_MODELS ?= ../shared/models
SENSOR_REC_TOOL := tools/aiot-sensor-rec.py
SENSOR_RECS := $(BUILD)/guest/data/firmware/aiot-rec-accel.bin
ifneq ($(wildcard $(SENSOR_MODELS)/micro_speech/yes_1000ms.wav),)
SENSOR_RECS += $(BUILD)/guest/data/firmware/aiot-rec-mic.bin
endif
ifneq ($(wildcard $(SENSOR_MODELS)/person_detection/person.bmp),)
SENSOR_RECS += $(BUILD)/guest/data/firmware/aiot-rec-camera.bin
endif
GUEST_PROGS += $(SENSOR_RECS)

$(BUILD)/guest/data/firmware/aiot-rec-accel.bin: $(SENSOR_REC_TOOL)
	@mkdir -p $(dir $@)
	python3 $(SENSOR_REC_TOOL) accel $@
$(BUILD)/guest/data/firmware/aiot-rec-mic.bin: $(SENSOR_MODELS)/micro_speech/yes_1000ms.wav $(SENSOR_REC_TOOL)
	@mkdir -p $(dir $@)
	python3 $(SENSOR_REC_TOOL) wav $< $@
$(BUILD)/guest/data/firmware/aiot-rec-camera.bin: $(SENSOR_MODELS)/person_detection/person.bmp $(SENSOR_REC_TOOL)
	@mkdir -p $(dir $@)
	python3 $(SENSOR_REC_TOOL) bmp $< $@
