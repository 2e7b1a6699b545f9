# Sensor streams: the guest suite compares samples with libm's sine, and
# replays recordings converted from ../shared/models (16 kHz speech, a 96x96
# frame) plus a synthetic accelerometer tap (firmware/README.md says which
# input makes which). aiot-sensor-rec (tools/aiot-sensor-rec.c, on
# include/aiot/sim_sensor.h) writes them; the guests get them as
# /lib/firmware/aiot/aiot-rec-<kind>.bin, aiot-sim's default names.
GUEST_LDLIBS_sensor := -lm

SENSOR_MODELS ?= ../shared/models
SENSOR_REC_TOOL := $(BUILD)/aiot-sensor-rec
SENSOR_REC_DIR := $(BUILD)/guest/firmware/aiot
SENSOR_RECS := $(SENSOR_REC_DIR)/aiot-rec-accel.bin
ifneq ($(wildcard $(SENSOR_MODELS)/micro_speech/yes_1000ms.wav),)
SENSOR_RECS += $(SENSOR_REC_DIR)/aiot-rec-mic.bin
endif
ifneq ($(wildcard $(SENSOR_MODELS)/person_detection/person.bmp),)
SENSOR_RECS += $(SENSOR_REC_DIR)/aiot-rec-camera.bin
endif
USERSPACE += $(SENSOR_REC_TOOL)
GUEST_PROGS += $(SENSOR_RECS) $(BUILD)/guest/bin/aiot-sensor-rec

$(SENSOR_REC_TOOL): tools/aiot-sensor-rec.c tools/common/sensor_rec.c tools/common/sensor_rec.h \
		    include/aiot/sim_sensor.h lib/le_bytes.h $(BUILD)/lib/model.o
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ tools/aiot-sensor-rec.c tools/common/sensor_rec.c \
		$(BUILD)/lib/model.o -lm

$(SENSOR_REC_DIR)/aiot-rec-accel.bin: $(SENSOR_REC_TOOL)
	@mkdir -p $(dir $@)
	$(SENSOR_REC_TOOL) accel $@
$(SENSOR_REC_DIR)/aiot-rec-mic.bin: $(SENSOR_MODELS)/micro_speech/yes_1000ms.wav $(SENSOR_REC_TOOL)
	@mkdir -p $(dir $@)
	$(SENSOR_REC_TOOL) wav $< $@
$(SENSOR_REC_DIR)/aiot-rec-camera.bin: $(SENSOR_MODELS)/person_detection/person.bmp $(SENSOR_REC_TOOL)
	@mkdir -p $(dir $@)
	$(SENSOR_REC_TOOL) bmp $< $@
