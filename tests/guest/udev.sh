#!/bin/sh
# The opt-in udev rule, installed as the README says, against a real RDMA
# verbs device (soft-RoCE) and an unrelated device.
echo "KTAP version 1"
echo "1..2"
ip link set eth0 up
rdma link show 2>/dev/null | grep -q "rxe0/" ||
	rdma link add rxe0 type rxe netdev eth0
mkdir -p /run/udev
verbs=$(ls -d /sys/class/infiniband_verbs/uverbs* 2>/dev/null | head -n 1)
if [ -n "$verbs" ] &&
   udevadm test --action=add "$verbs" 2>&1 | grep -q "kmod load gup_track"; then
	echo "ok 1 an RDMA verbs device appearing loads gup_track"
else
	udevadm test --action=add "${verbs:-/sys/class/infiniband_verbs}" 2>&1 | tail -n 5 | sed 's/^/# /'
	echo "not ok 1 an RDMA verbs device appearing loads gup_track"
fi
if ! udevadm test --action=add /sys/class/net/eth0 2>&1 | grep -q "kmod load gup_track"; then
	echo "ok 2 an unrelated device does not"
else
	echo "not ok 2 an unrelated device does not"
fi
