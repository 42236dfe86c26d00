#!/bin/sh
# Load and unload gup_track ten times in a row. Each time the debugfs
# version file must exist, be 0444, and name this kernel; each unload must
# take the directory away. The module is left loaded, as /init found it.
MOD=/lib/gup_track/gup_track.ko
DIR=/sys/kernel/debug/gup_track
ROUNDS=10
rel=$(uname -r)

echo "KTAP version 1"
echo "1..$((ROUNDS + 1))"

rmmod gup_track 2>/dev/null

i=1
while [ $i -le $ROUNDS ]; do
	why=""
	if ! insmod $MOD; then
		why="insmod failed"
	elif [ "$(stat -c %a $DIR/version 2>/dev/null)" != 444 ]; then
		why="version file missing or not 0444"
	elif ! grep -qx "built_for $rel" $DIR/version ||
	     ! grep -qx "running $rel" $DIR/version ||
	     ! grep -q '^version [0-9]' $DIR/version ||
	     ! grep -qx 'format [0-9]*' $DIR/version; then
		why="version file content: $(tr '\n' ' ' < $DIR/version)"
	fi
	if ! rmmod gup_track; then
		why="${why:+$why; }rmmod failed"
	elif [ -e $DIR ] || [ -e /sys/module/gup_track ]; then
		why="${why:+$why; }still present after rmmod"
	fi
	if [ -z "$why" ]; then
		echo "ok $i load and unload, round $i"
	else
		echo "# $why"
		echo "not ok $i load and unload, round $i"
	fi
	i=$((i + 1))
done

if insmod $MOD && [ -f $DIR/version ]; then
	echo "ok $i reload after the loop"
else
	echo "not ok $i reload after the loop"
fi
