#!/bin/bash
# The whole test suite: install what is needed, fetch the matrix kernels,
# build everything warning-free, run checkpatch, then boot every kernel in
# QEMU and run the guest suite on it. Ends with
# "N passed, N failed, N skipped".
#
# usage: check.sh [-k KERNEL] [TEST ...]
#   -k KERNEL   only this matrix line (repeatable); default: all of them
#   TEST        only these guest tests (names from tests/guest/tests.list)
# GT_JOBS       most VMs at once (default: nproc)
# GT_VM_TIMEOUT seconds one VM may take (default: 1500)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernels=()
while getopts k: opt; do
	case $opt in
	k) kernels+=("$OPTARG") ;;
	*) gt_die "usage: $0 [-k KERNEL] [TEST ...]" ;;
	esac
done
shift $((OPTIND - 1))
only=$(IFS=,; echo "$*")
[ ${#kernels[@]} -gt 0 ] || mapfile -t kernels < <(gt_kernel_names)

jobs=${GT_JOBS:-$(nproc)}
[[ $jobs =~ ^[1-9][0-9]*$ ]] || gt_die "GT_JOBS must be a positive integer, not '$jobs'"

# Seconds each stage took, for the CI budget.
start=$(date +%s)
gt_lap_t=$start

"$GT_TOP/tests/host/deps.sh"
"$GT_TOP/tests/host/setup-kernels.sh" "${kernels[@]}"
gt_lap "packages and kernels"
"$GT_TOP/tests/host/build-matrix.sh" "${kernels[@]}"
make -s -C "$GT_TOP/tests/guest" O="$GT_BUILD/guest"
make -s -C "$GT_TOP/userspace" O="$GT_BUILD/userspace" all "$GT_BUILD/userspace/test-parse"
gt_lap "builds"

results=$(mktemp)
trap 'rm -f "$results"' EXIT

# The CLI's parsers and writers against good, malformed and fuzzed input,
# under ASan and UBSan (userspace/Makefile TEST_SAN), on the host.
cli_rc=0
cli_out=$("$GT_BUILD/userspace/test-parse" "$GT_BUILD/userspace/gup-track") || cli_rc=$?
printf '%s\n' "$cli_out" |
	sed -n -E 's/^ok [0-9]+ /PASS host cli: /p; s/^not ok [0-9]+ /FAIL host cli: /p' >>"$results"
if [ $cli_rc -ne 0 ] && ! grep -q '^FAIL host cli' "$results"; then
	echo "FAIL host cli: test-parse exited $cli_rc (plan not met)" >>"$results"
fi

# The CLI as each other Debian release of the matrix builds it, with that
# release's gcc and libkmod, and its parser tests there.
for rel in $(for k in "${kernels[@]}"; do gt_release "$k"; done | sort -u); do
	[ "$rel" != "$(gt_host_release)" ] || continue
	o=$GT_BUILD/userspace-$rel
	if gt_in_release "$rel" make -s -C "$GT_TOP/userspace" O="$o" \
		all "$o/test-parse" >"$results.rel" 2>&1 &&
	   gt_in_release "$rel" "$o/test-parse" "$o/gup-track" >>"$results.rel" 2>&1; then
		echo "PASS host cli: builds and passes its parser tests in the $rel root ($(grep -c '^ok ' "$results.rel") ok)" >>"$results"
	else
		sed 's/^/  /' "$results.rel" >&2
		echo "FAIL host cli: build or parser tests in the $rel root" >>"$results"
	fi
	rm -f "$results.rel"
done

# A kernel outside the two lines: one line from make, and nothing built.
fake=$(mktemp -d)
mkdir -p "$fake/include/config"
echo 6.6.15-amd64 >"$fake/include/config/kernel.release"
: >"$fake/Makefile"
if out=$(make -s -C "$GT_TOP" KDIR="$fake" modules 2>&1); then
	echo "FAIL host build: a 6.6 kernel was not refused" >>"$results"
elif [ "$(printf '%s\n' "$out" | grep -c '^gup_track ')" = 1 ] &&
	printf '%s\n' "$out" | grep -q '^gup_track supports the 6.1 and 6.12 kernel lines (Debian 12 and 13); .* is 6.6.15-amd64$'; then
	echo "PASS host build: a 6.6 kernel is refused in one line ($(printf '%s\n' "$out" | grep '^gup_track '))" >>"$results"
else
	printf '%s\n' "$out" | sed 's/^/  /' >&2
	echo "FAIL host build: the refusal of a 6.6 kernel does not name it" >>"$results"
fi
rm -rf "$fake"

if "$GT_TOP/tests/host/checkpatch.sh" >"$results.cp" 2>&1; then
	echo "PASS host checkpatch" >>"$results"
else
	sed 's/^/  /' "$results.cp" >&2
	echo "FAIL host checkpatch" >>"$results"
fi
rm -f "$results.cp"

# The Prometheus export of the fixtures, the rules and their tests, the units.
"$GT_TOP/tests/host/monitoring.sh" >>"$results"

# On the PREEMPT_RT builds: nothing a handler runs may sleep there.
for k in "${kernels[@]}"; do
	abi=$(gt_abi "$k")
	grep -q '^CONFIG_PREEMPT_RT=y' "$(gt_kdir "$abi")/.config" || continue
	if python3 "$GT_TOP/tests/host/rt-check.py" "$GT_BUILD/$abi/gup_track.ko" \
		>"$results.rt" 2>&1; then
		echo "PASS host rt-check $k: $(tail -n 1 "$results.rt")" >>"$results"
	else
		sed 's/^/  /' "$results.rt" >&2
		echo "FAIL host rt-check $k: $(tail -n 1 "$results.rt")" >>"$results"
	fi
	rm -f "$results.rt"
done
gt_lap "host cli tests, checkpatch, monitoring and the RT check"

# The .debs and DKMS on this machine; keeps DKMS-built modules for the guest.
"$GT_TOP/tests/host/packaging.sh" "${kernels[@]}" >>"$results"
gt_lap "packaging and DKMS"

# One host thread per VM (single-threaded TCG): at most GT_JOBS VMs at once
# (default: one per CPU), as a queue, so that on a small machine they do
# not starve each other into their timeouts. Each job builds its kernel's
# initramfs, then boots it; results stay per kernel in build/<abi>/tests.

vm_time() {	# vm_time RUNDIR
	local wall cpu
	read -r wall cpu 2>/dev/null <"$1/qemu.seconds" || { echo "no VM time"; return; }
	echo "${wall} s in QEMU (${cpu} s of CPU)"
}

boot() {	# boot KERNEL
	local k=$1 run
	run=$GT_BUILD/$(gt_abi "$k")/tests
	# Never judge a previous run's results.
	rm -rf "$run"
	if ! "$GT_TOP/tests/host/mkinitramfs.sh" "$k"; then
		mkdir -p "$run"
		echo "initramfs: tests/host/mkinitramfs.sh $k failed" >"$run/setup.error"
		return 1
	fi
	gt_log "booting $k ($(gt_abi "$k")) in QEMU"
	"$GT_TOP/tests/host/run-vm.sh" "$k" tests "$only" >/dev/null
	gt_log "$k finished: $(vm_time "$run")"
}

declare -A vms=()	# running jobs: pid -> kernel
gt_log "running ${#kernels[@]} VMs, at most $jobs at once (GT_JOBS)"
for k in "${kernels[@]}"; do
	while [ ${#vms[@]} -ge "$jobs" ]; do
		fin=
		wait -n -p fin "${!vms[@]}" || true
		[ -z "$fin" ] || unset "vms[$fin]"
	done
	boot "$k" &
	vms[$!]=$k
done
wait
gt_lap "VMs"
for k in "${kernels[@]}"; do
	run=$GT_BUILD/$(gt_abi "$k")/tests
	"$GT_TOP/tests/host/verdict.sh" "$k" "$run" >>"$results"
	gt_log "$k: $(vm_time "$run")"
	if grep -q "^FAIL $k " "$results"; then
		gt_log "$k failed; console: $run/console.log, results: $run/ktap.log"
	fi
done

# promtool on what the CLI exported from the real module in each guest.
for k in "${kernels[@]}"; do
	ktap=$GT_BUILD/$(gt_abi "$k")/tests/ktap.log
	# The guest's programs indent their KTAP under /init's.
	grep -q '^ *# prom: ' "$ktap" 2>/dev/null || continue
	sed -n 's/^ *# prom: //p' "$ktap" | tr -d '\r' >"$results.prom"
	if out=$(promtool check metrics <"$results.prom" 2>&1) && [ -z "$out" ]; then
		echo "PASS host monitoring: promtool check metrics: the guest's export on $k" >>"$results"
	else
		printf '%s\n' "$out" | sed 's/^/  /' >&2
		echo "FAIL host monitoring: promtool check metrics: the guest's export on $k" >>"$results"
	fi
	rm -f "$results.prom"
done

cat "$results"
pass=$(grep -c '^PASS ' "$results" || true)
fail=$(grep -c '^FAIL ' "$results" || true)
skip=$(grep -c '^SKIP ' "$results" || true)
gt_log "wall time $(($(date +%s) - start)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
