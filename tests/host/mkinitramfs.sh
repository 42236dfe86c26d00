#!/bin/bash
# Build the busybox initramfs for one matrix kernel:
#   build/<abi>/initramfs.cpio
# It holds /init, our modules, the guest modules that ext4 on virtio and
# rdma_rxe need (decompressed: busybox insmod cannot read .ko.xz), the static
# test programs, and mke2fs with its libraries.
#
# usage: mkinitramfs.sh NAME     (modules and programs must be built)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1
abi=$(gt_abi "$name")
kroot=$(gt_kroot "$abi")
out=$GT_BUILD/$abi
stage=$out/initramfs
guest=$GT_TOP/tests/guest

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,mnt,etc,tests,lib/gup_track,lib/modules/guest}

cp /bin/busybox "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$guest/init" "$stage/init"
cp "$out/gup_track.ko" "$out/gup_test_pin.ko" "$stage/lib/gup_track/"

# Guest modules in dependency order, each once.
order=$stage/lib/modules/guest/order
: >"$order"
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$guest/modules.list" | while read -r m; do
	modprobe -d "$kroot" -S "$abi" --show-depends "$m" ||
		gt_die "guest module $m not found for $abi"
done | awk '$1 == "insmod" { print $2 }' | awk '!seen[$0]++' | while read -r ko; do
	base=$(basename "$ko")
	case "$base" in
	*.ko.xz) base=${base%.xz}; xz -dc "$ko" >"$stage/lib/modules/guest/$base" ;;
	*.ko.zst) base=${base%.zst}; zstd -qdc "$ko" >"$stage/lib/modules/guest/$base" ;;
	*.ko) cp "$ko" "$stage/lib/modules/guest/$base" ;;
	*) gt_die "unknown module format: $ko" ;;
	esac
	echo "$base" >>"$order"
done

# Test programs and scripts.
cp "$GT_BUILD"/guest/* "$stage/tests/"
install -m 0755 "$guest"/*.sh "$stage/tests/"
cp "$guest/tests.list" "$stage/tests/list"

# mke2fs is dynamically linked: bring its libraries along.
mke2fs=$(command -v mke2fs)
cp "$mke2fs" "$stage/sbin/mke2fs"
cp /etc/mke2fs.conf "$stage/etc/"
ldd "$mke2fs" | grep -o '/[^ ]*' | while read -r lib; do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out/initramfs.cpio"
