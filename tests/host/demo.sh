#!/bin/bash
# The README's main job: install what is needed, build gup_track for the
# default kernel, boot that kernel in QEMU, load the module, run a real
# pinning workload (io_uring fixed buffers) and show what gup_track sees.
#
# usage: demo.sh [KERNEL]     (default: the first line of tests/kernels.conf)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

k=${1:-$(gt_kernel_names | head -n 1)}
"$GT_TOP/tests/host/deps.sh"
"$GT_TOP/tests/host/setup-kernels.sh" "$k"
"$GT_TOP/tests/host/build-matrix.sh" "$k"
make -s -C "$GT_TOP/tests/guest" O="$GT_BUILD/guest"
"$GT_TOP/tests/host/mkinitramfs.sh" "$k"
gt_log "booting $k ($(gt_abi "$k")) in QEMU; this takes a few seconds"
run=$("$GT_TOP/tests/host/run-vm.sh" "$k" demo)

tr -d '\r' <"$run/ktap.log" | grep -vx GUP_TRACK_GUEST_DONE
bad=$(tr -d '\r' <"$run/console.log" |
	grep -E 'BUG:|WARNING:|Oops|Call Trace|general protection|Kernel panic' || true)
if ! grep -q GUP_TRACK_GUEST_DONE "$run/ktap.log" || [ -n "$bad" ]; then
	printf '%s\n' "$bad" >&2
	gt_die "the guest did not finish cleanly; console: $run/console.log"
fi
gt_log "guest console log: $run/console.log"
