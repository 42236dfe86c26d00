#!/bin/sh
# The README's main job, inside the guest: show what gup_track exposes
# while a real workload (io_uring fixed buffers) holds pages pinned.
D=/sys/kernel/debug/gup_track

show_debugfs() {
	echo "=== $D $1"
	for f in "$D"/*; do
		echo "--- $f"
		cat "$f"
	done
}

if [ "$1" = show ]; then
	show_debugfs "$2"
	exit
fi

echo "=== kernel $(uname -r); gup_track: $(grep gup_track /proc/modules)"
show_debugfs "before the workload"
echo
echo "=== workload: io_uring IORING_REGISTER_BUFFERS of 256 pages"
/tests/hold_pins 256 sh "$0" show "while the pages are pinned"
