#!/bin/bash
# Install the Debian packages the build, the VM tests and the demo need.
# Only missing packages are installed, so a second run costs a dpkg query.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(
	# module and test-driver builds against the extracted headers
	gcc make libc6-dev libelf-dev dwarves kmod
	# fetching and unpacking the kernels; other releases' build roots
	apt-utils dpkg-dev xz-utils zstd debootstrap
	# the guest: QEMU under TCG, a busybox initramfs, an ext4 disk
	qemu-system-x86 busybox-static cpio e2fsprogs
	# static guest test programs
	liburing-dev libibverbs-dev ibverbs-providers iproute2
	# checkpatch, and the RT call-graph check
	perl python3 binutils
	# the stress suite's and the benchmark's I/O load in the guest
	fio
	# cyclictest, the benchmark's worst-case latency row
	rt-tests
	# the benchmark's plot
	gnuplot-nox
	# the gup-track CLI and its packages
	libkmod-dev pkg-config dkms
	# udevadm, for the udev rule's test in the guest
	udev
	# promtool, for the Prometheus export, rules and their tests;
	# systemd-analyze, for the textfile units
	prometheus systemd
)

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

gt_log "installing: ${missing[*]}"
# Debian's prometheus is here for promtool alone: keep its server from
# starting (and listening on :9090) where systemd runs. Undo with
# systemctl unmask prometheus.service.
if [[ " ${missing[*]} " == *" prometheus "* ]] && [ -d /run/systemd/system ]; then
	gt_log "masking prometheus.service: only promtool is needed"
	gt_root systemctl mask --quiet prometheus.service || true
fi
gt_root apt-get update -qq
gt_root env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
