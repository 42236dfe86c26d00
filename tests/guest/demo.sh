#!/bin/sh
# The README's main job, inside the guest: what gup_track shows while a
# real workload (io_uring fixed buffers) holds pages pinned.
D=/sys/kernel/debug/gup_track

show() {
	echo "--- $D/$1"
	if [ -n "$2" ]; then
		head -n "$2" "$D/$1"
		echo "... ($(($(wc -l < "$D/$1") - 1)) rows)"
	else
		cat "$D/$1"
	fi
}

if [ "$1" = pinned ]; then
	echo
	echo "=== while the pages are pinned"
	show stats
	show pages 6
	show tasks
	show stacks
	echo
	echo "=== the same through the CLI: gup-track top -o"
	echo 1 > /proc/sys/vm/stat_refresh
	/tests/gup-track top -o
	exit
fi

echo "=== kernel $(uname -r); gup_track: $(grep gup_track /proc/modules)"
show version
show hooks
echo
echo "=== workload: io_uring IORING_REGISTER_BUFFERS of 256 pages"
/tests/hold_pins 256 sh "$0" pinned
echo
echo "=== after the workload"
show tasks
grep -E '^(pins_|active_pins|kernel_|ours_)' $D/stats
