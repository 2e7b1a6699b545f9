#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest suite "udev": Debian's systemd-udevd (standalone, --daemon) with the
# project's rules (udev/*.rules, docs/uapi.md "udev"): every documented
# permission, group and link, the same names on 6.1 (the NPU is a render
# node there) and 6.12 (an accel node), and links that follow the devices
# when the modules are unloaded and loaded again and when the devices are
# unbound from their drivers and bound again. TAP on stdout. The
# harness packs systemd-udevd and udevadm (tests/qemu/aiot-qemu) and the
# rules (mk/udev.mk, /aiot/data/udev).
UDEVD=/lib/systemd/systemd-udevd
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
diag() { echo "# $*"; }

# The NPU nodes of aiot devices, "NODE INDEX" a line: accelN on 6.2+,
# renderD<128 + N> on 6.1; recognised by the aiot/ group on the parent.
npu_nodes() {
	for d in /sys/class/accel/accel* /sys/class/drm/renderD*; do
		[ -e "$d/device/aiot/backend" ] || continue
		k=${d##*/}
		case $k in
		accel*) echo "/dev/accel/$k ${k#accel}" ;;
		renderD*) echo "/dev/dri/$k $((${k#renderD} - 128))" ;;
		esac
	done
}

# LINK points at NODE, which has group GROUP and mode MODE.
link_is() { # LINK NODE GROUP MODE
	[ -L "$1" ] && [ "$(readlink -f "$1")" = "$2" ] &&
		[ "$(stat -L -c '%G %a' "$2")" = "$3 $4" ]
}

settle() { udevadm settle --timeout=60; }

# Every documented link of the devices there are now; $1 says when.
check_links() {
	when=$1
	nodes=$(npu_nodes)
	check "$when: one aiot NPU node (${nodes:-none})" test "$(echo "$nodes" | grep -c .)" = 1
	# (a here-document, not a pipe: the loop counts in this shell)
	while read -r node idx; do
		[ -n "$node" ] || continue
		if link_is "/dev/aiot/npu$idx" "$node" render 660; then
			ok "$when: /dev/aiot/npu$idx -> $node, group render, mode 0660"
		else
			not_ok "$when: /dev/aiot/npu$idx -> $node, group render, mode 0660 (link: $(readlink "/dev/aiot/npu$idx"), node: $(stat -c '%G %a' "$node"))"
		fi
	done <<-END
	$nodes
	END
	# The sim's sensors: accel0, mic0, camera0 at least accel0.
	check "$when: aiot-sim's accelerometer is there" test -e /sys/class/aiot/sensor0/name
	for s in /sys/class/aiot/sensor*; do
		[ -e "$s/name" ] || continue
		name=$(cat "$s/name")
		node=/dev/aiot/${s##*/}
		for l in "/dev/aiot/sensors/$name" "/dev/aiot/by-name/$name"; do
			if link_is "$l" "$node" video 660; then
				ok "$when: $l -> $node, group video, mode 0660"
			else
				not_ok "$when: $l -> $node, group video, mode 0660 (link: $(readlink "$l"), node: $(stat -c '%G %a' "$node"))"
			fi
		done
	done
	# Names that cannot be confused: the NPU's links are npuN only, no
	# /dev/aiot/accelN (once the NPU's on 6.12, beside by-name/accel0).
	check "$when: no /dev/aiot/accel* link" test -z "$(ls -d /dev/aiot/accel* 2>/dev/null)"
	check "$when: /dev/aiot/sensors/accel0 is the accelerometer" \
		test "$(cat "/sys/class/aiot/$(basename "$(readlink -f /dev/aiot/sensors/accel0)")/name" \
			2>/dev/null)" = accel0
}

echo "TAP version 13"
if [ ! -x "$UDEVD" ] || ! command -v udevadm > /dev/null; then
	echo "1..1"
	echo "not ok 1 - systemd-udevd and udevadm in the guest (tests/qemu/aiot-qemu packs them)"
	exit 1
fi
diag "kernel $(uname -r)"

mkdir -p /run /etc/udev/rules.d
grep -q " /run " /proc/mounts || mount -t tmpfs tmpfs /run
# The groups the rules name, as Debian's base-passwd has them.
grep -q '^render:' /etc/group 2>/dev/null || echo 'render:x:105:' >> /etc/group
grep -q '^video:' /etc/group 2>/dev/null || echo 'video:x:44:' >> /etc/group
cp /aiot/data/udev/*.rules /etc/udev/rules.d/
"$UDEVD" --daemon 2> /tmp/udevd.log
check "systemd-udevd --daemon starts" udevadm control --ping
udevadm trigger --action=add --subsystem-match=accel --subsystem-match=drm \
	--subsystem-match=aiot
settle
check_links "after trigger"

# Unload: the links go with the devices. aiot-sim is the NPU's and the
# sensors' backend; aiot (and aiot-sensor) go with it.
rmmod aiot_sim && rmmod aiot && rmmod aiot_sensor
check "modules unloaded" test -z "$(grep '^aiot' /proc/modules)"
settle
check "unloaded: no NPU link left" test -z "$(ls -d /dev/aiot/npu* 2>/dev/null)"
check "unloaded: no sensor link left" \
	test -z "$(ls /dev/aiot/sensors/ /dev/aiot/by-name/ 2>/dev/null)"

# Load again: udevd sees the add events itself (no trigger this time).
modprobe aiot && modprobe aiot-sim
check "modules loaded again" grep -q '^aiot_sim ' /proc/modules
settle
check_links "after reload"

# Hotplug: unbind the device under a node from its driver, bind it again;
# the link goes and comes back. $1: the node's class device in sysfs.
rebind() { # CLASSDEV LINK
	dev=$(readlink -f "$1/device")
	drv=$(readlink -f "$dev/driver")
	name=${dev##*/}
	if [ ! -w "$drv/unbind" ]; then
		not_ok "hotplug: $name has a driver to unbind from"
		return
	fi
	echo "$name" > "$drv/unbind"
	settle
	check "hotplug: $name unbound, $2 gone" test ! -e "$2" -a ! -L "$2"
	echo "$name" > "$drv/bind"
	settle
	check "hotplug: $name bound again, $2 back" test -L "$2" -a -e "$2"
}
npu_idx=$(npu_nodes | awk 'NR == 1 { print $2 }')
npu_class=$(for d in /sys/class/accel/accel* /sys/class/drm/renderD*; do
	[ -e "$d/device/aiot/backend" ] && echo "$d"; done | head -1)
rebind "$npu_class" "/dev/aiot/npu$npu_idx"
accel_class=$(basename "$(readlink -f /dev/aiot/sensors/accel0)")
rebind "/sys/class/aiot/$accel_class" /dev/aiot/sensors/accel0
check_links "after hotplug"

udevadm control --exit
sed 's/^/# udevd: /' /tmp/udevd.log
echo "1..$n"
[ "$failed" = 0 ]
