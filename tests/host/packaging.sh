#!/bin/bash
# The Debian packages and DKMS, on this machine (as root; CI's machine is
# thrown away afterwards): install both .debs, build and install the module
# with DKMS for every matrix kernel, refuse a kernel without the needed
# config, keep the DKMS-built modules for the guest's modprobe test, then
# uninstall and remove everything. Prints PASS/FAIL lines. The kernels of
# another Debian release get the same in that release's build root, with
# its own apt and DKMS (tests/host/setup-root.sh).
#
# usage: packaging.sh [name ...]     (default: every line)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	exec sudo -E "$0" "$@"
fi

# dpkg, DKMS's tree and the /lib/modules entries below are machine-wide:
# two runs at once (two checkouts on one machine) would install, build and
# remove each other's packages and modules. Take turns.
exec 9>/run/lock/gup_track-packaging.lock
if ! flock -n 9; then
	gt_log "another packaging.sh runs on this machine; waiting for it"
	flock 9
fi
# Wait for, rather than fail on, anyone else's apt or dpkg run.
apt_wait=(-o DPkg::Lock::Timeout=600)

names=("$@")
[ ${#names[@]} -gt 0 ] || mapfile -t names < <(gt_kernel_names)

ver=$(sed -n 's/^#define GUP_TRACK_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$GT_TOP/include/gup_track/version.h")
log=$GT_BUILD/packaging.log
: >"$log"
host=$(gt_host_release)
where=host

check() {	# check NAME COMMAND...
	local name=$1
	shift
	if "$@" >>"$log" 2>&1; then
		echo "PASS $where packaging: $name"
	else
		echo "FAIL $where packaging: $name (see $log)"
	fi
}

installed_ko() {	# the DKMS-installed module for an ABI, or nothing
	ls "$1"/lib/modules/"$2"/updates/dkms/gup_track.ko* 2>/dev/null | head -n 1
}

created=()
cleanup() {
	local l
	for l in "${created[@]}"; do
		rm -f "$l"
	done
}
trap cleanup EXIT

# A kernel without kprobes: DKMS must refuse it, and say why.
refusals() {
	local fake abi

	fake=$(mktemp -d)
	abi=$(gt_abi "$1")
	printf 'all:\n' >"$fake/Makefile"
	grep -v '^CONFIG_KPROBES=' "$(gt_kdir "$abi")/.config" >"$fake/.config"
	mkdir -p "$fake/include/config"
	cp "$(gt_kdir "$abi")/include/config/kernel.release" "$fake/include/config/"
	check "dkms refuses a kernel without CONFIG_KPROBES" \
		sh -c "! dkms build -m gup_track -v $ver -k 6.1.0-0-nokprobes --kernelsourcedir $fake 2>&1 |
		       tee /dev/stderr | grep -q 'Success' &&
		       dkms build -m gup_track -v $ver -k 6.1.0-0-nokprobes --kernelsourcedir $fake 2>&1 |
		       grep -q 'BUILD_EXCLUSIVE'"
	check "make names the missing option" \
		sh -c "! make -s -C '$GT_TOP' KDIR=$fake kdir 2>&1 | grep -q . ||
		       make -s -C '$GT_TOP' KDIR=$fake kdir 2>&1 | grep -q 'needs CONFIG_KPROBES=y'"
	rm -rf "$fake"
}

# release KERNEL...: the packages and DKMS for these kernels of one release,
# on this machine or in the release's build root.
release() {
	local rel=$1 fs= k abi kdir ko
	shift
	[ "$rel" = "$host" ] || fs=$(gt_rootfs "$rel")
	inrel() { gt_in_release "$rel" "$@"; }

	check "the packages install" \
		inrel apt-get "${apt_wait[@]}" install -y -q \
		"$GT_BUILD"/debs/gup-track-dkms_${ver}_all.deb "$GT_BUILD"/debs/gup-track-utils_${ver}_*.deb
	check "gup-track --version from the package" \
		inrel sh -c "/usr/sbin/gup-track --version | grep -q 'gup-track $ver'"
	check "the textfile timer is installed and not enabled" \
		inrel sh -c "[ -f /usr/lib/systemd/system/gup-track-textfile.timer ] &&
		       [ -f /usr/lib/systemd/system/gup-track-textfile.service ] &&
		       [ ! -e /etc/systemd/system/timers.target.wants/gup-track-textfile.timer ]"
	if [ "$rel" = "$host" ]; then
		check "the installed rules pass their promtool tests" \
			promtool test rules /usr/share/gup-track/prometheus/tests/alerts.test.yml
		# Enabled as the README says (offline: only the symlink), so that
		# the removal below must disable it.
		check "systemctl enable gup-track-textfile.timer" \
			systemctl enable gup-track-textfile.timer
	fi
	check "dkms status lists gup_track/$ver" \
		inrel sh -c "dkms status -m gup_track -v $ver | grep -q 'gup_track/$ver'"
	for k in "$@"; do
		abi=$(gt_abi "$k")
		kdir=$(gt_kdir "$abi")
		# DKMS installs only for a kernel present in /lib/modules: present
		# the extracted image's tree, for the length of the test.
		if [ ! -e "$fs/lib/modules/$abi" ]; then
			mkdir -p "$fs/lib/modules"
			ln -s "$(gt_kroot "$abi")/lib/modules/$abi" "$fs/lib/modules/$abi"
			created+=("$fs/lib/modules/$abi")
		fi
		check "dkms build for $k ($abi)" \
			inrel dkms build -m gup_track -v "$ver" -k "$abi" --kernelsourcedir "$kdir"
		check "dkms install for $k puts it under updates/dkms" \
			inrel sh -c "dkms install -m gup_track -v $ver -k $abi --kernelsourcedir $kdir &&
			       ls /lib/modules/$abi/updates/dkms/gup_track.ko*"
		check "dkms status: installed for $k" \
			inrel sh -c "dkms status -m gup_track -v $ver -k $abi | grep -q installed"
		ko=$(installed_ko "$fs" "$abi")
		mkdir -p "$GT_BUILD/$abi/dkms"
		rm -f "$GT_BUILD/$abi/dkms/gup_track.ko"
		case "$ko" in
		*.xz) xz -dc "$ko" >"$GT_BUILD/$abi/dkms/gup_track.ko" ;;
		*.zst) zstd -qdc "$ko" >"$GT_BUILD/$abi/dkms/gup_track.ko" ;;
		?*) cp "$ko" "$GT_BUILD/$abi/dkms/gup_track.ko" ;;
		esac
	done
	[ "$rel" != "$host" ] || refusals "$1"
	for k in "$@"; do
		abi=$(gt_abi "$k")
		check "dkms uninstall for $k removes the module" \
			inrel sh -c "dkms uninstall -m gup_track -v $ver -k $abi &&
			       ! ls /lib/modules/$abi/updates/dkms/gup_track.ko* 2>/dev/null"
	done
	check "removing the packages removes gup_track from DKMS" \
		inrel sh -c "apt-get ${apt_wait[*]} remove -y -q gup-track-dkms gup-track-utils &&
		       ! dkms status -m gup_track | grep -q . && [ ! -e /usr/sbin/gup-track ] &&
		       [ ! -e /usr/lib/systemd/system/gup-track-textfile.timer ] &&
		       [ ! -L /etc/systemd/system/timers.target.wants/gup-track-textfile.timer ]"
	cleanup
	created=()
}

check "make deb builds both packages" \
	sh -c "make -s -C '$GT_TOP' deb && ls '$GT_BUILD'/debs/gup-track-dkms_${ver}_all.deb '$GT_BUILD'/debs/gup-track-utils_${ver}_*.deb"

# This machine's release first, then each other one in its build root.
mapfile -t rels < <(for k in "${names[@]}"; do gt_release "$k"; done |
	awk -v h="$host" '!seen[$0]++ { print ($0 == h ? 0 : 1), $0 }' | sort -s -k1,1n | awk '{ print $2 }')
for rel in "${rels[@]}"; do
	[ "$rel" = "$host" ] && where=host || where="$rel root"
	mapfile -t ks < <(for k in "${names[@]}"; do
		[ "$(gt_release "$k")" = "$rel" ] && echo "$k"; done)
	release "$rel" "${ks[@]}"
done
where=host
exit 0
