#!/bin/sh
# The module DKMS built on the host, loaded the way a system loads it:
# modprobe from /lib/modules/$(uname -r)/updates/dkms, with options from
# /etc/modprobe.d. /init's own copy is put back afterwards.
D=/lib/modules/$(uname -r)/updates/dkms/gup_track.ko
echo "KTAP version 1"
echo "1..4"
rmmod gup_track 2>/dev/null

if [ -f "$D" ] && grep -q '^options gup_track ' /etc/modprobe.d/gup_track.conf; then
	echo "ok 1 the DKMS-built module and the packaged modprobe.d example are installed"
else
	echo "not ok 1 the DKMS-built module and the packaged modprobe.d example are installed"
fi
# As an admin would: edit the packaged example's value.
cp /etc/modprobe.d/gup_track.conf /tmp/gup_track.conf
sed -i 's/max_entries=[0-9]*/max_entries=4096/' /etc/modprobe.d/gup_track.conf
if modprobe gup_track && grep -qx "built_for $(uname -r)" /sys/kernel/debug/gup_track/version; then
	echo "ok 2 modprobe gup_track loads it"
else
	echo "not ok 2 modprobe gup_track loads it"
fi
if [ "$(cat /sys/module/gup_track/parameters/max_entries 2>/dev/null)" = 4096 ] &&
   [ "$(cat /sys/module/gup_track/parameters/policy 2>/dev/null)" = observe ]; then
	echo "ok 3 its options come from /etc/modprobe.d"
else
	echo "# max_entries=$(cat /sys/module/gup_track/parameters/max_entries) policy=$(cat /sys/module/gup_track/parameters/policy)"
	echo "not ok 3 its options come from /etc/modprobe.d"
fi
if modprobe -r gup_track && [ ! -e /sys/module/gup_track ]; then
	echo "ok 4 modprobe -r unloads it"
else
	echo "not ok 4 modprobe -r unloads it"
fi
cp /tmp/gup_track.conf /etc/modprobe.d/gup_track.conf
insmod /lib/gup_track/gup_track.ko
