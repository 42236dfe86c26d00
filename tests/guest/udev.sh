#!/bin/sh
# The opt-in udev rule, installed as the README says, against a real RDMA
# verbs device (soft-RoCE, when the kernel ships it) and an unrelated
# device (lo, which every kernel has).
. /tests/gtlib.sh
echo "KTAP version 1"
echo "1..2"
mkdir -p /run/udev
name="an RDMA verbs device appearing loads gup_track"
if why=$(gt_rxe_absent); then
	echo "ok 1 $name # SKIP $why"
else
	ip link set eth0 up
	rdma link show 2>/dev/null | grep -q "rxe0/" ||
		rdma link add rxe0 type rxe netdev eth0
	verbs=$(ls -d /sys/class/infiniband_verbs/uverbs* 2>/dev/null | head -n 1)
	if [ -n "$verbs" ] &&
	   udevadm test --action=add "$verbs" 2>&1 | grep -q "kmod load gup_track"; then
		echo "ok 1 $name"
	else
		udevadm test --action=add "${verbs:-/sys/class/infiniband_verbs}" 2>&1 | tail -n 5 | sed 's/^/# /'
		echo "not ok 1 $name"
	fi
fi
# udevadm must have run the rules for lo, so that silence means "no match".
out=$(udevadm test --action=add /sys/class/net/lo 2>&1)
if echo "$out" | grep -q "kmod load gup_track"; then
	echo "not ok 2 an unrelated device does not"
elif ! echo "$out" | grep -q "60-gup-track.rules"; then
	echo "$out" | tail -n 5 | sed 's/^/# /'
	echo "not ok 2 an unrelated device does not (udevadm did not read the rule)"
else
	echo "ok 2 an unrelated device does not"
fi
