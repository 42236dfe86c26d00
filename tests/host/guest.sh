#!/bin/bash
# Install what is needed, build gup_track for one kernel, boot it in QEMU
# and run one guest mode, printing what the guest printed:
#   demo   the README's main job: load gup_track, pin pages with a real
#          workload (io_uring fixed buffers), show what gup_track sees
#   bench  the overhead of the loaded module on kernel-wide workloads, as
#          loaded/unloaded ratios measured in the same VM
#
# usage: guest.sh demo|bench [KERNEL]   (default: first line of kernels.conf)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:?usage: $0 demo|bench [KERNEL]}
case $mode in
demo | bench) ;;
*) gt_die "unknown mode '$mode' (demo or bench)" ;;
esac
k=${2:-$(gt_kernel_names | head -n 1)}

"$GT_TOP/tests/host/deps.sh"
"$GT_TOP/tests/host/setup-kernels.sh" "$k"
"$GT_TOP/tests/host/build-matrix.sh" "$k"
make -s -C "$GT_TOP/tests/guest" O="$GT_BUILD/guest"
make -s -C "$GT_TOP/userspace" O="$GT_BUILD/userspace"
"$GT_TOP/tests/host/mkinitramfs.sh" "$k"
gt_log "booting $k ($(gt_abi "$k")) in QEMU for the $mode"
run=$("$GT_TOP/tests/host/run-vm.sh" "$k" "$mode")

tr -d '\r' <"$run/ktap.log" | grep -vx GUP_TRACK_GUEST_DONE
bad=$(tr -d '\r' <"$run/console.log" |
	grep -E 'BUG:|WARNING:|Oops|Call Trace|general protection|Kernel panic' || true)
if ! grep -q GUP_TRACK_GUEST_DONE "$run/ktap.log" || [ -n "$bad" ]; then
	printf '%s\n' "$bad" >&2
	gt_die "the guest did not finish cleanly; console: $run/console.log"
fi
gt_log "guest console log: $run/console.log"
