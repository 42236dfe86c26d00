#!/bin/bash
# Build gup_track.ko and the test driver for matrix kernels, warnings as
# errors, each in its own copy of the tree under build/<abi>/ (kbuild writes
# objects next to the sources, so one tree cannot serve two kernels).
#
# A line of another Debian release than this machine's builds in that
# release's build root, with its own gcc (tests/host/setup-root.sh).
#
# usage: build-matrix.sh [name ...]     (default: every line)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(gt_kernel_names)

for n in "${names[@]}"; do
	abi=$(gt_abi "$n")
	rel=$(gt_release "$n")
	kdir=$(gt_kdir "$abi")
	out=$GT_BUILD/$abi
	mkdir -p "$out/tree"
	# Copy only what kbuild needs; keep mtimes so rebuilds stay incremental.
	cp -a --update "$GT_TOP/Kbuild" "$GT_TOP/src" "$GT_TOP/include" "$out/tree/"
	mkdir -p "$out/tree/tests"
	cp -a --update "$GT_TOP/tests/driver" "$out/tree/tests/"
	gt_log "building for $n ($abi, in $rel)"
	gt_in_release "$rel" make -s -C "$kdir" M="$out/tree" GUP_TRACK_WERROR=1 modules
	gt_in_release "$rel" make -s -C "$kdir" M="$out/tree/tests/driver" GUP_TRACK_WERROR=1 modules
	cp "$out/tree/gup_track.ko" "$out"/tree/tests/driver/gup_test_*.ko "$out/"
done
