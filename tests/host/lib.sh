# Shared helpers for the host-side scripts. Source it; do not run it.
# shellcheck shell=bash

GT_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GT_CACHE=${GT_CACHE:-$GT_TOP/.cache}
GT_BUILD=${GT_BUILD:-$GT_TOP/build}
# The matrix and what it resolved to; tests/host/check-debug.sh points
# them at a private matrix of its one debug kernel.
GT_KCONF=${GT_KCONF:-$GT_TOP/tests/kernels.conf}
GT_RESOLVED=${GT_RESOLVED:-$GT_CACHE/kernels/resolved}

gt_log() { printf '[gup_track] %s\n' "$*" >&2; }

# gt_lap STAGE: log the seconds since the last lap (or gt_lap_t) for STAGE.
gt_lap() {
	local now
	now=$(date +%s)
	gt_log "time: $1 $((now - ${gt_lap_t:-$now})) s"
	gt_lap_t=$now
}
gt_die() { printf '[gup_track] error: %s\n' "$*" >&2; exit 1; }

# Run as root, through sudo when we are not.
gt_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		gt_die "need root for: $* (install sudo or run as root)"
	fi
}

# Names of the matrix lines, in file order.
gt_kernel_names() {
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$GT_KCONF" | awk '{ print $1 }'
}

# "<name> <abi> <version>" for a resolved matrix line.
gt_resolved() {
	[ -f "$GT_RESOLVED" ] || gt_die "kernels not set up: run tests/host/setup-kernels.sh"
	awk -v n="$1" '$1 == n { print; found = 1 } END { exit !found }' \
		"$GT_RESOLVED" || gt_die "kernel line '$1' is not in $GT_RESOLVED"
}

gt_abi() { gt_resolved "$1" | awk '{ print $2 }'; }

# Root of the extracted image, headers and kbuild packages of one ABI.
gt_kroot() { printf '%s/kernels/%s/root\n' "$GT_CACHE" "$1"; }
gt_kdir() { printf '%s/usr/src/linux-headers-%s\n' "$(gt_kroot "$1")" "$1"; }

# The flavour of an ABI: the word between the version and the architecture
# (6.1.0-57-cloud-amd64: cloud), or "generic" when there is none.
gt_flavour() {
	local f=${1%-amd64}
	f=${f##*-}
	case $f in
	*[!a-z]* | "") echo generic ;;
	*) echo "$f" ;;
	esac
}

# The Debian release of a matrix line: its second column.
gt_release() {
	sed -e 's/#.*//' "$GT_KCONF" | awk -v n="$1" '$1 == n { print $2; found = 1 } END { exit !found }' ||
		gt_die "no kernel line '$1' in $GT_KCONF"
}

# The release this machine runs; its kernels build with its own toolchain.
gt_host_release() {
	. /etc/os-release && printf '%s\n' "${VERSION_CODENAME:-unknown}"
}

# The build root of another release (tests/host/setup-root.sh makes it).
gt_rootfs() { printf '%s/roots/%s\n' "$GT_CACHE" "$1"; }

# Run a command for a release: here for the host's own, else chrooted into
# its build root, in a private mount namespace that shows the tree, the
# cache and the build directory at the paths they have here.
gt_in_release() {
	local rel=$1 rootfs d
	shift
	if [ "$rel" = "$(gt_host_release)" ]; then
		"$@"
		return
	fi
	rootfs=$(gt_rootfs "$rel")
	[ -f "$rootfs/.ready" ] || gt_die "no $rel build root: run tests/host/setup-root.sh $rel"
	for d in "$GT_TOP" "$GT_CACHE" "$GT_BUILD"; do
		mkdir -p "$d" "$rootfs$d"
	done
	gt_root unshare -m -- /bin/sh -c '
		set -e
		r=$1 top=$2 cache=$3 build=$4
		shift 4
		mount --make-rprivate /
		for d in /proc /sys /dev; do mount --rbind "$d" "$r$d"; done
		for d in "$top" "$cache" "$build"; do mount --bind "$d" "$r$d"; done
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' sh "$rootfs" "$GT_TOP" "$GT_CACHE" "$GT_BUILD" "$@"
}
