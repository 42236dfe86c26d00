#!/bin/bash
# Resolve every line of tests/kernels.conf to the newest Debian ABI, fetch its
# image, headers, headers-common and kbuild packages, and unpack them into
# .cache/kernels/<abi>/root so that modules build and the kernel boots
# without installing anything system-wide. A second run only re-resolves.
#
# usage: setup-kernels.sh [name ...]     (default: every line)
set -euo pipefail
# A failure inside $(fetch ...) must stop the script too.
shopt -s inherit_errexit
. "$(dirname "$0")/lib.sh"

mkdir -p "$GT_CACHE/kernels"
updated=0

# Every apt query and download of a line goes to its own release's apt.
newest_image() {	# newest_image RELEASE REGEX
	gt_in_release "$1" apt-cache search --names-only "$2" | awk '{ print $1 }' |
		sort -V | tail -n 1
}

resolve() {
	local name=$1 rel re pkg
	rel=$(gt_release "$name")
	re=$(sed -e 's/#.*//' "$GT_KCONF" | awk -v n="$name" '$1 == n { print $3 }')
	[ -n "$re" ] || gt_die "no kernel line '$name' in $GT_KCONF"
	pkg=$(newest_image "$rel" "$re")
	if [ -z "$pkg" ] && [ $updated -eq 0 ] && [ "$rel" = "$(gt_host_release)" ]; then
		gt_log "no package matches $re; running apt-get update"
		gt_root apt-get update -qq
		updated=1
		pkg=$(newest_image "$rel" "$re")
	fi
	[ -n "$pkg" ] || gt_die "no package in $rel's apt matches $re (kernel line $name)"
	printf '%s\n' "$pkg"
}

pkg_field() {	# pkg_field RELEASE PACKAGE FIELD
	gt_in_release "$1" apt-cache show --no-all-versions "$2" |
		awk -v f="$3:" '$1 == f { sub(/^[^:]*: */, ""); print; exit }'
}

# Make the headers tree position-independent: the Makefile includes the
# common tree by an absolute path, and a few symlinks may be absolute.
relocate_headers() {
	local root=$1 abi=$2 kdir link target rel
	kdir=$root/usr/src/linux-headers-$abi
	sed -i -e 's|^include /usr/src/|include ../|' "$kdir/Makefile"
	find "$root/usr" -type l -lname '/*' | while read -r link; do
		target=$(readlink "$link")
		rel=$(realpath -m --relative-to="$(dirname "$link")" "$root$target")
		ln -sfn "$rel" "$link"
	done
}

fetch() {
	local name=$1 img=$2 rel abi ver dir root deps d
	rel=$(gt_release "$name")
	abi=${img#linux-image-}
	abi=${abi%-unsigned}
	ver=$(pkg_field "$rel" "$img" Version)
	dir=$GT_CACHE/kernels/$abi
	root=$dir/root

	if [ -f "$dir/.ready" ] && [ "$(cat "$dir/.ready")" = "$ver" ]; then
		printf '%s %s %s\n' "$name" "$abi" "$ver"
		return
	fi

	gt_log "fetching kernel $name: $img $ver"
	rm -rf "$dir"
	mkdir -p "$dir/debs"
	# The headers' own Depends names the matching -common and kbuild packages.
	deps=$(pkg_field "$rel" "linux-headers-$abi" Depends | tr ',|' '\n\n' |
		awk '{ print $1 }' | grep -E '^linux-(headers-.*-common|kbuild-)' | sort -u)
	[ -n "$deps" ] || gt_die "cannot find headers-common/kbuild for linux-headers-$abi"
	# shellcheck disable=SC2086
	gt_in_release "$rel" sh -c 'cd "$1" && shift && apt-get download -q "$@"' sh \
		"$dir/debs" "$img=$ver" "linux-headers-$abi" $deps >/dev/null 2>&1 ||
		gt_die "apt-get download failed for $abi"
	# What the kbuild binaries need to run, in the release's build root.
	if [ "$rel" != "$(gt_host_release)" ]; then
		gt_in_release "$rel" sh -c 'apt-get install -y -qq "$@" >/dev/null' sh \
			$(for d in "$dir"/debs/linux-kbuild-*.deb; do
				dpkg-deb -f "$d" Depends | tr ',' '\n' | awk '{ print $1 }'
			done | sort -u) || gt_die "cannot install what $abi's kbuild needs in the $rel root"
	fi
	for d in "$dir"/debs/*.deb; do
		dpkg-deb -x "$d" "$root"
	done
	relocate_headers "$root" "$abi"
	# Debian 13's packages ship modules in /usr/lib (merged /usr).
	if [ ! -e "$root/lib/modules" ] && [ -d "$root/usr/lib/modules" ]; then
		mkdir -p "$root/lib"
		ln -s ../usr/lib/modules "$root/lib/modules"
	fi
	depmod -b "$root" -F "$root/boot/System.map-$abi" "$abi"
	[ -f "$root/boot/vmlinuz-$abi" ] || gt_die "no vmlinuz in $img"
	rm -rf "$dir/debs"
	printf '%s\n' "$ver" >"$dir/.ready"
	printf '%s %s %s\n' "$name" "$abi" "$ver"
}

names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(gt_kernel_names)

# The build root of each other release the lines name, once.
for rel in $(for n in "${names[@]}"; do gt_release "$n"; done | sort -u); do
	[ "$rel" = "$(gt_host_release)" ] || "$GT_TOP/tests/host/setup-root.sh" "$rel"
done

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
[ -f "$GT_RESOLVED" ] && cp "$GT_RESOLVED" "$tmp"
for n in "${names[@]}"; do
	line=$(fetch "$n" "$(resolve "$n")")
	grep -v "^$n " "$tmp" >"$tmp.new" || true
	printf '%s\n' "$line" >>"$tmp.new"
	mv "$tmp.new" "$tmp"
	gt_log "kernel $line"
done
sort -V "$tmp" >"$GT_RESOLVED"
