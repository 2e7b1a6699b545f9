#!/bin/sh
# What `make demo` shows inside the guest: the devices (aiot-info), then a
# live pipeline (aiot-run --sensor): the simulated camera replays two test
# images, every frame's DMA slot is person detection's input on the NPU
# with no copy, and each decision is printed with its capture->decision
# latency; a summary line ends it. The NPU is the one the harness loaded:
# the NPU card by default (aiot-qemu demo), which executes at the host's
# native speed; aiot-sim's with --npu sim, which TCG emulates.
echo "== aiot demo on Linux $(uname -r)"
echo "== modules"
lsmod | grep -E '^(aiot|aiot_sensor|aiot_sim|aiot_card|drm) '
echo "== devices (aiot-info)"
aiot-info || exit 1
model=/aiot/data/models/person_detect.aiot
images=/aiot/data/images/person.bmp,/aiot/data/images/no_person.bmp
if [ ! -f $model ]; then
	echo "== no $model (../shared/models missing at build time): no live pipeline"
	exit 0
fi
echo
echo "== live pipeline: camera0 (replaying person.bmp, no_person.bmp) -> NPU ($(cat /sys/class/*/*/device/aiot/backend 2>/dev/null | head -1), person_detect), 10 s"
# aiot-info samples the device counters while the pipeline runs.
aiot-info --watch 2 --count 5 > /tmp/aiot-watch.log 2>&1 &
watcher=$!
# --hold 6: each image lasts six frames, so the decisions visibly alternate.
echo "\$ aiot-run --sensor camera0 --replay person.bmp,no_person.bmp --hold 6 --duration 10 person_detect.aiot"
# (person_detect's labels, no_person and person, are aiot-run's default.)
aiot-run --sensor camera0 --replay $images --hold 6 --duration 10 $model
rc=$?
wait $watcher
echo
echo "== live statistics during the run (aiot-info --watch 2)"
cat /tmp/aiot-watch.log
exit $rc
