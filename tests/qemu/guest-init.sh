#!/bin/sh
# PID 1 of aiot's test guests (busybox). Runs what /aiot/config asks for,
# writes results to the second serial port (ttyS1) between markers the host
# parses, then powers off. The kernel console stays on ttyS0.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/aiot/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm
ln -sf /proc/self/fd /dev/fd

# Everything the kernel reports from here on is the tests' (see aiot-qemu).
echo "aiot-test: guest init starts" > /dev/kmsg

. /aiot/config
out=${AIOT_OUT:-/dev/ttyS1}
say() { echo "$*" > $out; }

say "AIOT-GUEST kernel=$(uname -r) mode=$AIOT_MODE"
kmemleak=/sys/kernel/debug/kmemleak
# Forget what boot itself left behind: only leaks from now on count.
[ -w $kmemleak ] && echo clear > $kmemleak

run_suite() {
	name=$1; shift
	say "AIOT-BEGIN $name"
	"$@" > $out 2>&1
	say "AIOT-END $name rc=$?"
}

# NPU backend (aiot-qemu --npu): the sim's own, or the NPU card, which then
# is the only accelerator (aiot-sim still provides the sensors). Tests learn
# which one from AIOT_TEST_NPU.
export AIOT_TEST_NPU="${AIOT_NPU:-sim}"
if [ "$AIOT_TEST_NPU" = card ]; then
	mkdir -p /etc/modprobe.d
	echo "options aiot_sim npu=0" > /etc/modprobe.d/aiot-card.conf
	# The emulator's control socket (restore after a surprise removal):
	# the third serial port, or what the harness says (arm64: hvc1).
	[ -n "$AIOT_CARD_TTY" ] && export AIOT_CARD_TTY
	stty -F "${AIOT_CARD_TTY:-/dev/ttyS2}" raw -echo 2>/dev/null
fi

# aiot-sim's options for this guest (the arm64 guest: create_devices=0).
if [ -n "$AIOT_SIM_OPTIONS" ]; then
	mkdir -p /etc/modprobe.d
	echo "options aiot_sim $AIOT_SIM_OPTIONS" > /etc/modprobe.d/aiot-sim.conf
fi

load_modules() {
	modprobe aiot && modprobe aiot-sim || return 1
	[ "$AIOT_TEST_NPU" = card ] || return 0
	modprobe aiot-card
}

case "$AIOT_MODE" in
test)
	if [ -n "$AIOT_KUNIT" ]; then
		# Suites run when the module loads; their KTAP goes to dmesg.
		modprobe aiot_kunit
		say "AIOT-KUNIT-LOADED rc=$?"
		rmmod aiot_kunit
	fi
	for t in $AIOT_TESTS; do
		if ! load_modules; then
			say "AIOT-BEGIN $t"; say "not ok 1 - load modules"
			say "AIOT-END $t rc=1"; continue
		fi
		run_suite "$t" /aiot/tests/"$t" $AIOT_TEST_FILTER
	done
	;;
selftest)
	modprobe aiot_harness_selftest warn=1 leak=1
	rmmod aiot_harness_selftest
	;;
bench)
	load_modules
	# -t NAME picks benchmarks; by default all of them.
	for b in /aiot/bench/*; do
		[ -x "$b" ] || continue
		if [ -n "$AIOT_TESTS" ]; then
			case " $AIOT_TESTS " in *" $(basename "$b") "*) ;; *) continue ;; esac
		fi
		echo "== $(basename "$b")" > $out
		"$b" > $out 2>&1
		rc=$?
		[ $rc = 0 ] || say "AIOT-DEMO rc=$rc"
	done
	say "AIOT-DEMO rc=0"
	;;
demo)
	load_modules
	/aiot/demo.sh > $out 2>&1
	say "AIOT-DEMO rc=$?"
	;;
esac

# Unload everything: unload paths run, and whatever they leak shows below.
# Fences hold their module until released, the last ones from a work item:
# give them a moment.
unload() {
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		grep -q "^$1 " /proc/modules || return 0
		rmmod "$1" 2>/dev/null && return 0
		sleep 0.25
	done
}
unload aiot_card
unload aiot_sim
unload aiot
unload aiot_sensor
say "AIOT-UNLOADED $(lsmod | grep -c '^aiot')"
if [ -w $kmemleak ]; then
	# kmemleak reports objects unreferenced for 5 s, after two scans.
	sleep 6
	echo scan > $kmemleak
	echo scan > $kmemleak
	say "AIOT-KMEMLEAK-BEGIN"
	cat $kmemleak > $out
	say "AIOT-KMEMLEAK-END"
fi
say "AIOT-DMESG-BEGIN"
dmesg > $out
say "AIOT-DMESG-END"
say "AIOT-DONE"
sync
poweroff -f
