#!/bin/bash
# Boot one matrix kernel in QEMU (TCG: nested KVM does not work here) with
# its test initramfs and a fresh virtio disk, and wait for it to power off.
# TCG runs single-threaded: with one host thread per vCPU, a vCPU can run
# stale code while another patches kernel text (static keys, ftrace,
# kprobes) and die on a stray int3, as seen during 6.12 boot.
# Writes build/<abi>/<mode>/{console.log,ktap.log}, QEMU's exit status
# (qemu.rc) and its wall and CPU seconds (qemu.seconds); prints that
# directory.
#
# usage: run-vm.sh NAME MODE [ONLY]
#   MODE  tests | demo | bench        ONLY  comma-separated test names
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1 mode=$2 only=${3:-}
abi=$(gt_abi "$name")
kroot=$(gt_kroot "$abi")
out=$GT_BUILD/$abi
run=$out/$mode
timeout=${GT_VM_TIMEOUT:-1500}

rm -rf "$run"
mkdir -p "$run"
truncate -s 256M "$run/disk.img"

# no_timer_check: under TCG on a busy host the boot-time check that the
# timer interrupt arrives can give up and panic ("IO-APIC + timer doesn't
# work!"), seen with other VMs and builds sharing the CPUs.
# Two NUMA nodes, the second memory only (CPUs of one cache on two nodes
# warn), so that move_pages(2) has somewhere to move a page to
# (the events test); automatic NUMA balancing stays off, as it was with one.
append="console=ttyS0 no_timer_check panic_on_warn=1 oops=panic panic=-1 numa_balancing=disable gtt.mode=$mode"
[ -z "$only" ] || append="$append gtt.only=$only"
# GT_VM_APPEND: more kernel parameters, last (tests/host/check-debug.sh -c).
[ -z "${GT_VM_APPEND:-}" ] || append="$append $GT_VM_APPEND"

# The benchmark: room to track a million 4 KiB folios, and on 6.12 guest
# time counted in instructions (-icount), so that its ratios repeat to
# 0.1% whatever else the host runs. 6.1 does not boot with -icount.
# GT_VM_MEM: more for a debug kernel (KASAN's shadow and quarantine,
# lockdep), tests/host/check-debug.sh.
mem=${GT_VM_MEM:-2048}
icount=()
if [ "$mode" = bench ]; then
	mem=${GT_BENCH_MEM:-5120}
	append="$append gtt.rounds=${GT_BENCH_ROUNDS:-5} gtt.held=${GT_BENCH_HELD:-1000000}"
	[ -z "${GT_BENCH_PROFILE:-}" ] || append="$append gtt.profile=$GT_BENCH_PROFILE"
	[ -z "${GT_BENCH_ONLY:-}" ] || append="$append gtt.only=$GT_BENCH_ONLY"
	case $abi in
	6.1.*) ;;
	*) icount=(-icount shift=0,sleep=off) ;;
	esac
fi

# The monitoring test (tests/guest/monitoring_e2e.c), on the generic
# flavour of each line: Debian's Prometheus here, with the shipped rules,
# scraping the guest's node_exporter through a port forward on loopback;
# the guest reads its HTTP API at 10.0.2.2. Ports the kernel hands out.
nic=user,model=e1000
prom_pid=
if [ "$mode" = tests ] && [ "$(gt_flavour "$abi")" = generic ] &&
	{ [ -z "$only" ] || [[ ,$only, == *,monitoring_e2e,* ]]; }; then
	command -v prometheus >/dev/null ||
		gt_die "no prometheus (tests/host/deps.sh installs Debian's)"
	read -r pport nport < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
	mkdir -p "$run/prometheus"
	cat >"$run/prometheus/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  evaluation_interval: 1s
		rule_files:
		  - $GT_TOP/monitoring/gup_track.rules.yml
		scrape_configs:
		  - job_name: node
		    static_configs:
		      - targets: ['127.0.0.1:$nport']
	EOF
	prometheus --config.file="$run/prometheus/prometheus.yml" \
		--storage.tsdb.path="$run/prometheus/data" \
		--web.listen-address="127.0.0.1:$pport" \
		>"$run/prometheus/log" 2>&1 &
	prom_pid=$!
	trap 'kill "$prom_pid" 2>/dev/null || true' EXIT
	nic="$nic,hostfwd=tcp:127.0.0.1:$nport-:9100"
	append="$append gtt.prom=$pport"
fi

# More vCPUs for a scale measurement (GT_VM_SMP=4); the suite runs on 2.
smp=${GT_VM_SMP:-2}
[[ $smp =~ ^[1-9][0-9]*$ ]] || gt_die "GT_VM_SMP must be a positive integer, not '$smp'"
[[ $mem =~ ^[1-9][0-9]*$ ]] || gt_die "GT_VM_MEM must be a number of MiB, not '$mem'"

rc=0
# QEMU 7.2's TCG now and then leaves a cmpxchg16b with flags made of a
# register's bits (TF or DF set in the slab's fast path: a #DB or a double
# fault, doc/tcg-double-fault-6.12.txt), with or without -icount. Without
# CX16 the guest never issues one; the kernel then uses its own fallback.
#
# Wall and CPU seconds: on a shared machine the gap between them is the
# time the VM waited for a CPU.
TIMEFORMAT='%R %U %S'
{ time timeout --foreground -k 10 "$timeout" qemu-system-x86_64 \
	-accel tcg,thread=single -cpu max,-cx16 -smp "$smp" -m "$mem" "${icount[@]}" \
	-object memory-backend-ram,id=m0,size=$((mem / 2))M \
	-object memory-backend-ram,id=m1,size=$((mem - mem / 2))M \
	-numa node,nodeid=0,cpus=0-$((smp - 1)),memdev=m0 \
	-numa node,nodeid=1,memdev=m1 \
	-display none -monitor none -no-reboot \
	-kernel "$kroot/boot/vmlinuz-$abi" \
	-initrd "$out/initramfs.cpio" \
	-append "$append" \
	-serial "file:$run/console.log" \
	-serial "file:$run/ktap.log" \
	-drive "file=$run/disk.img,if=virtio,format=raw" \
	-nic "$nic" </dev/null >"$run/qemu.log" 2>&1 || rc=$?; } 2>"$run/qemu.time"
rm -f "$run/disk.img"
if [ -n "$prom_pid" ]; then
	kill "$prom_pid" 2>/dev/null || true
	wait "$prom_pid" 2>/dev/null || true
	rm -rf "$run/prometheus/data"
fi
echo "$rc" >"$run/qemu.rc"
# "<wall> <cpu>", whole seconds
awk '{ printf "%d %d\n", $1 + 0.5, $2 + $3 + 0.5 }' "$run/qemu.time" >"$run/qemu.seconds"
printf '%s\n' "$run"
