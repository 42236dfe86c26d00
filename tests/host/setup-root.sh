#!/bin/bash
# Make, or bring up to date, the build root of a Debian release other than
# this machine's: a minimal tree made by debootstrap from Debian's archive,
# with that release's gcc, make, DKMS and libkmod, under
# .cache/roots/<release>. Modules for that release's kernels are built in
# it, since its kbuild binaries and compiler flags need its own libc and
# gcc. This machine's apt sources are never touched: the root has its own.
#
# usage: setup-root.sh RELEASE        (trixie)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rel=${1:?usage: setup-root.sh RELEASE}
rootfs=$(gt_rootfs "$rel")
mirror=${GT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${GT_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
# What a module, the CLI and the packaging test need in the root. The
# kernel's kbuild package adds its own dependencies when a kernel is set up.
pkgs=(gcc gcc-14 make libc6-dev libelf-dev kmod xz-utils zstd dkms
      libkmod-dev pkg-config)
want=$(printf '%s\n' "$rel" "${pkgs[@]}" | sha256sum | cut -c1-16)

if [ ! -f "$rootfs/.ready" ] || [ "$(cat "$rootfs/.ready")" != "$want" ]; then
	command -v debootstrap >/dev/null || gt_die "debootstrap is missing: run tests/host/deps.sh"
	gt_log "making the $rel build root in $rootfs (debootstrap)"
	# An interrupted debootstrap leaves its /proc mounted in there.
	awk -v r="$rootfs/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do gt_root umount -l "$m"; done
	gt_root rm -rf --one-file-system "$rootfs"
	mkdir -p "$(dirname "$rootfs")"
	gt_root debootstrap --variant=minbase --include="$(IFS=,; echo "${pkgs[*]}")" \
		"$rel" "$rootfs" "$mirror" >"$rootfs.log" 2>&1 ||
		{ tail -n 20 "$rootfs.log" >&2; gt_die "debootstrap of $rel failed (log: $rootfs.log)"; }
	cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror $rel main
deb $mirror $rel-updates main
deb $security $rel-security main
SOURCES
	# DKMS would build for whatever kernel it finds; the test names them.
	printf 'APT::Install-Recommends "false";\n' >"$rootfs/etc/apt/apt.conf.d/90gup-track"
	printf '%s\n' "$want" >"$rootfs/.ready"
fi
cp /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || true
# Fresh package lists, for the newest kernel ABI and security updates.
gt_in_release "$rel" apt-get update -qq
gt_in_release "$rel" apt-get install -y -qq "${pkgs[@]}" >/dev/null
gt_in_release "$rel" apt-get upgrade -y -qq >/dev/null
gt_log "$rel build root: $(gt_in_release "$rel" gcc-14 --version | head -n 1)"
