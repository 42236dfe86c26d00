#!/bin/bash
# make bench: gup_track's overhead on the paths it hooks, module loaded
# against not loaded in one boot per kernel (tests/guest/bench.sh), then
# the results, the table and the plot (tests/host/bench-report.py) in
# build/bench/:
#   results.csv, results.json, summary.md, ratios.svg, raw-<kernel>.txt
#
# usage: bench.sh [KERNEL...]     (default: every kernel of kernels.conf)
# GT_BENCH_ROUNDS (5), GT_BENCH_HELD (1000000 folios), GT_BENCH_MEM (MiB)
# are passed to the guest (run-vm.sh). One VM at a time: the ratios are
# only as steady as the CPU the VM gets.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ $# -eq 0 ]; then
	mapfile -t kernels < <(gt_kernel_names)
else
	kernels=("$@")
fi
out=$GT_BUILD/bench
mkdir -p "$out"
args=()
failed=()
for k in "${kernels[@]}"; do
	raw=$out/raw-$k.txt
	for try in 1 2; do
		touch "$out/.try"
		if "$GT_TOP/tests/host/guest.sh" bench "$k" >"$raw.tmp"; then
			mv "$raw.tmp" "$raw"
			break
		fi
		# A guest that died before gup_track was ever loaded (TCG
		# faults at boot, doc/tcg-double-fault-6.12.txt) boots once
		# more; one that never booted does not.
		console=
		abi=$(gt_abi "$k" 2>/dev/null) &&
			console=$GT_BUILD/$abi/bench/console.log
		if [ "$try" = 1 ] && [ -n "$console" ] &&
			[ "$console" -nt "$out/.try" ] &&
			! grep -aq 'gup_track: version' "$console"; then
			gt_log "$k: the guest died before gup_track was loaded; booting it once more"
			continue
		fi
		gt_log "$k: the benchmark did not finish cleanly; its rows so far are in $raw"
		mv "$raw.tmp" "$raw"
		failed+=("$k")
		break
	done
	grep -q '^bench ' "$raw" && args+=("$k=$raw")
done
[ ${#args[@]} -gt 0 ] || gt_die "no kernel gave benchmark rows"
# Kernels measured before and not in this run keep their rows.
for f in "$out"/raw-*.txt; do
	k=${f##*/raw-}
	k=${k%.txt}
	[[ " ${kernels[*]} " == *" $k "* ]] || args+=("$k=$f")
done
python3 "$GT_TOP/tests/host/bench-report.py" "$out" "${args[@]}"
gt_log "results in $out: results.csv results.json summary.md ratios.svg ratios.png"
[ ${#failed[@]} -eq 0 ] || gt_die "did not finish cleanly: ${failed[*]}"
