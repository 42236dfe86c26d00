#!/bin/bash
# Build the busybox initramfs for one matrix kernel:
#   build/<abi>/initramfs.cpio
# It holds /init, our modules, the guest modules that ext4 on virtio and
# rdma_rxe need (decompressed: busybox insmod cannot read .ko.xz) and the
# list of those this kernel lacks, the test programs, and mke2fs, rdma and
# libibverbs' rxe provider with their libraries.
#
# usage: mkinitramfs.sh NAME     (modules and programs must be built)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=$1
abi=$(gt_abi "$name")
flavour=$(gt_flavour "$abi")
kroot=$(gt_kroot "$abi")
out=$GT_BUILD/$abi
stage=$out/initramfs
guest=$GT_TOP/tests/guest

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,mnt,etc,tests,lib/gup_track,lib/modules/guest}

cp /bin/busybox "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$guest/init" "$stage/init"
# Without debug info, as Debian ships modules: loading 4 MB of it under
# TCG takes seconds, and the stress suite loads gup_track many times.
for ko in "$out"/gup_track.ko "$out"/gup_test_*.ko; do
	strip --strip-debug -o "$stage/lib/gup_track/$(basename "$ko")" "$ko"
done

# Guest modules in dependency order, each once, decompressed, with an
# "order" file: LIST -> DIR. A list line is "MODULE [optional[=FLAVOUR,...]]":
# an optional module this kernel does not ship (on any flavour, or on the
# flavours named) is left out and named in /lib/modules/absent, which the
# guest tests read to skip what needs it. Any other missing module is an
# error: a kernel that lost a driver must not quietly skip its tests.
copy_modules() {
	local list=$1 dir=$2 m opt deps ko base
	mkdir -p "$dir"
	: >"$dir/order"
	deps=$out/.deps-${dir##*/}
	: >"$deps"
	while read -r m opt; do
		case $opt in
		"" | optional | optional=?*) ;;
		*) gt_die "$list: '$m $opt': the marker is optional or optional=FLAVOUR,..." ;;
		esac
		if modprobe -d "$kroot" -S "$abi" --show-depends "$m" >>"$deps" 2>/dev/null; then
			continue
		fi
		if [ "$opt" != optional ] && [[ ,${opt#optional=}, != *,"$flavour",* ]]; then
			gt_die "guest module $m not found for $abi (flavour $flavour)"
		fi
		gt_log "$name: $m is not shipped by $abi; the tests that need it skip"
		printf '%s\tnot shipped by this kernel (%s)\n' "$m" "$abi" >>"$stage/lib/modules/absent"
	done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list")
	awk '$1 == "insmod" { print $2 }' "$deps" | awk '!seen[$0]++' | while read -r ko; do
		base=$(basename "$ko")
		case "$base" in
		*.ko.xz) base=${base%.xz}; xz -dc "$ko" >"$dir/$base" ;;
		*.ko.zst) base=${base%.zst}; zstd -qdc "$ko" >"$dir/$base" ;;
		*.ko) cp "$ko" "$dir/$base" ;;
		*) gt_die "unknown module format: $ko" ;;
		esac
		echo "$base" >>"$dir/order"
	done
	rm -f "$deps"
}
: >"$stage/lib/modules/absent"
copy_modules "$guest/modules.list" "$stage/lib/modules/guest"
copy_modules "$guest/modules-extra.list" "$stage/lib/modules/extra"

# The module as DKMS built it (tests/host/packaging.sh), for modprobe, with
# the packaged modprobe.d example.
if [ -f "$out/dkms/gup_track.ko" ]; then
	mkdir -p "$stage/lib/modules/$abi/updates/dkms" "$stage/etc/modprobe.d"
	cp "$out/dkms/gup_track.ko" "$stage/lib/modules/$abi/updates/dkms/"
	echo "updates/dkms/gup_track.ko:" >"$stage/lib/modules/$abi/modules.dep"
	cp "$GT_TOP/packaging/modprobe.d/gup_track.conf" "$stage/etc/modprobe.d/"
fi

# Test programs and scripts.
cp "$GT_BUILD"/guest/* "$stage/tests/"
install -m 0755 "$guest"/*.sh "$stage/tests/"
cp "$guest/tests.list" "$stage/tests/list"
cp "$guest/kfilter.awk" "$guest/expected-warnings" "$stage/tests/"

# Dynamically linked programs come with their libraries.
copy_with_libs() {
	local bin=$1 dest=$2 lib
	cp "$bin" "$stage$dest"
	ldd "$bin" | grep -o '/[^ ]*' | while read -r lib; do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}
copy_with_libs "$(command -v mke2fs)" /sbin/mke2fs
cp /etc/mke2fs.conf "$stage/etc/"
copy_with_libs "$(command -v rdma)" /sbin/rdma
# The verbs library loads its soft-RoCE provider as a plugin.
verbs=/usr/lib/x86_64-linux-gnu/libibverbs
mkdir -p "$stage$verbs" "$stage/etc/libibverbs.d"
copy_with_libs "$(ls $verbs/librxe-rdmav*.so)" "$verbs/"
cp /etc/libibverbs.d/rxe.driver "$stage/etc/libibverbs.d/"
copy_with_libs "$GT_BUILD/userspace/gup-track" /tests/gup-track
# The monitoring test: the CLI where the shipped unit runs it, the unit,
# and Debian's node_exporter, downloaded once (never installed here: its
# package would start a service on this machine).
mkdir -p "$stage/usr/sbin" "$stage/usr/bin"
ln -s /tests/gup-track "$stage/usr/sbin/gup-track"
cp "$GT_TOP/packaging/systemd/gup-track-textfile.service" "$stage/tests/"
# Initramfs builds run in parallel (check.sh): one fetches, under a lock,
# and the tree appears whole or not at all.
ne=$GT_CACHE/node-exporter
mkdir -p "$GT_CACHE"
(
	flock 9
	if [ ! -x "$ne/usr/bin/prometheus-node-exporter" ]; then
		tmp=$(mktemp -d "$GT_CACHE/node-exporter.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		(cd "$tmp" && apt-get download -q prometheus-node-exporter >/dev/null 2>&1) ||
			gt_die "apt-get download prometheus-node-exporter failed"
		dpkg-deb -x "$tmp"/prometheus-node-exporter_*.deb "$tmp/root"
		rm -rf "$ne"
		mv "$tmp/root" "$ne"
	fi
) 9>"$GT_CACHE/node-exporter.lock"
copy_with_libs "$ne/usr/bin/prometheus-node-exporter" /usr/bin/prometheus-node-exporter
# udevadm, to test the opt-in rule where the README installs it.
copy_with_libs "$(command -v udevadm)" /sbin/udevadm
# fio, for the stress suite's and the benchmark's I/O load.
mkdir -p "$stage/usr/bin"
copy_with_libs "$(command -v fio)" /usr/bin/fio
# cyclictest, for the benchmark's latency row.
copy_with_libs "$(command -v cyclictest)" /usr/bin/cyclictest
# perf, for a profile of the benchmark (GT_BENCH_PERF=1; tests/guest/bench.sh)
if [ "${GT_BENCH_PERF:-0}" = 1 ] && command -v perf >/dev/null; then
	copy_with_libs "$(command -v perf)" /usr/bin/perf
fi
mkdir -p "$stage/etc/udev/rules.d"
cp "$GT_TOP/udev/60-gup-track.rules" "$stage/etc/udev/rules.d/"
for prog in track_rdma policy_rdma stress_rdma events_rdma large_register; do
	copy_with_libs "$GT_BUILD/guest/$prog" "/tests/$prog"
done

(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out/initramfs.cpio"
