#!/bin/bash
# Build the two Debian packages into build/debs:
#   gup-track-dkms   the module's source for DKMS, under /usr/src
#   gup-track-utils  the gup-track CLI, its man page, examples for
#                    modules-load.d, modprobe.d and the opt-in udev rule,
#                    the node_exporter textfile service and timer (not
#                    enabled), and the Prometheus rules
# The CLI must be built first (make -C userspace O=build/userspace).
set -euo pipefail
. "$(dirname "$0")/../tests/host/lib.sh"

ver=$(sed -n 's/^#define GUP_TRACK_VERSION[[:space:]]*"\(.*\)"/\1/p' \
	"$GT_TOP/include/gup_track/version.h")
grep -q "^PACKAGE_VERSION=\"$ver\"" "$GT_TOP/dkms.conf" ||
	gt_die "dkms.conf's PACKAGE_VERSION is not $ver"
cli=$GT_BUILD/userspace/gup-track
[ -x "$cli" ] || gt_die "build the CLI first: make -C userspace O=$GT_BUILD/userspace"
out=$GT_BUILD/debs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"

# gup-track-dkms
root=$work/dkms
src=$root/usr/src/gup_track-$ver
mkdir -p "$src" "$root/DEBIAN"
cp "$GT_TOP"/Kbuild "$GT_TOP"/Makefile "$GT_TOP"/dkms.conf "$src/"
# Sources only: never objects left by an in-tree build.
(cd "$GT_TOP" && find src include -name '*.[ch]' | cpio -pdm --quiet "$src")
cat >"$root/DEBIAN/control" <<CONTROL
Package: gup-track-dkms
Version: $ver
Architecture: all
Maintainer: The gup_track developers <gup-track@localhost>
Depends: dkms (>= 3.0)
Section: kernel
Priority: optional
Description: which pages are pinned by get_user_pages(), as a DKMS module
 gup_track tracks every pin and reference that get_user_pages() and
 pin_user_pages() hand out, per page, with the task, caller and file, and
 can protect pinned page cache from reclaim. This package builds it with
 DKMS for every installed kernel that has its headers.
CONTROL
cat >"$root/DEBIAN/postinst" <<POSTINST
#!/bin/sh
set -e
if [ "\$1" = configure ]; then
	dkms status -m gup_track -v $ver | grep -q . || dkms add -m gup_track -v $ver
	for build in /lib/modules/*/build; do
		[ -d "\$build" ] || continue
		k=\$(basename "\$(dirname "\$build")")
		dkms install -m gup_track -v $ver -k "\$k" ||
			echo "gup-track-dkms: not built for \$k (see above)" >&2
	done
fi
POSTINST
cat >"$root/DEBIAN/prerm" <<PRERM
#!/bin/sh
set -e
if [ "\$1" = remove ] || [ "\$1" = upgrade ]; then
	dkms remove -m gup_track -v $ver --all || true
fi
PRERM
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/gup-track-dkms_${ver}_all.deb" >/dev/null

# gup-track-utils
root=$work/utils
doc=$root/usr/share/doc/gup-track-utils
mkdir -p "$root/DEBIAN" "$root/usr/sbin" "$root/usr/share/man/man8" "$doc/examples"
install -m 0755 "$cli" "$root/usr/sbin/gup-track"
gzip -9n <"$GT_TOP/userspace/gup-track.8" >"$root/usr/share/man/man8/gup-track.8.gz"
cp "$GT_TOP/packaging/modules-load.d/gup_track.conf" "$doc/examples/modules-load.d-gup_track.conf"
cp "$GT_TOP/packaging/modprobe.d/gup_track.conf" "$doc/examples/modprobe.d-gup_track.conf"
cp "$GT_TOP/udev/60-gup-track.rules" "$doc/examples/"
cp "$GT_TOP/README.md" "$doc/"
# The textfile writer: installed, never enabled by the package.
install -D -m 0644 -t "$root/usr/lib/systemd/system" \
	"$GT_TOP/packaging/systemd/gup-track-textfile.service" \
	"$GT_TOP/packaging/systemd/gup-track-textfile.timer"
install -D -m 0644 "$GT_TOP/monitoring/gup_track.rules.yml" \
	"$root/usr/share/gup-track/prometheus/gup_track.rules.yml"
install -D -m 0644 "$GT_TOP/monitoring/tests/alerts.test.yml" \
	"$root/usr/share/gup-track/prometheus/tests/alerts.test.yml"
cat >"$root/DEBIAN/control" <<CONTROL
Package: gup-track-utils
Version: $ver
Architecture: $(dpkg --print-architecture)
Maintainer: The gup_track developers <gup-track@localhost>
Depends: libc6, libkmod2
Recommends: gup-track-dkms (= $ver)
Suggests: prometheus-node-exporter
Section: admin
Priority: optional
Description: the gup-track command for the gup_track kernel module
 gup-track loads gup_track and shows which pages are pinned, by whom, for
 how long, and whether they are file-backed, as tables, JSON or Prometheus
 textfiles, and sets its protection policy. Ships a systemd timer that
 writes the node_exporter textfile (off until enabled) and Prometheus
 alerting and recording rules.
CONTROL
# The timer stays off until the admin enables it; on removal it is stopped
# and disabled, and its textfile removed so that node_exporter stops
# serving stale values.
cat >"$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
	systemctl daemon-reload || true
fi
POSTINST
cat >"$root/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ "$1" = remove ] && command -v systemctl >/dev/null; then
	if [ -d /run/systemd/system ]; then
		systemctl stop gup-track-textfile.timer gup-track-textfile.service || true
	fi
	systemctl disable gup-track-textfile.timer >/dev/null 2>&1 || true
fi
PRERM
cat >"$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
if [ "$1" = remove ] || [ "$1" = purge ]; then
	rm -f /var/lib/prometheus/node-exporter/gup_track.prom
	if [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
	fi
fi
POSTRM
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/gup-track-utils_${ver}_$(dpkg --print-architecture).deb" >/dev/null
ls "$out"
