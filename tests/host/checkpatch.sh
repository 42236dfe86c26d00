#!/bin/bash
# Kernel coding style check of our C sources with the kernel's own
# checkpatch.pl, taken from Debian's linux-source package of the newest
# resolved matrix kernel and cached in .cache/checkpatch.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cp_dir=$GT_CACHE/checkpatch
if [ ! -x "$cp_dir/checkpatch.pl" ]; then
	[ -s "$GT_RESOLVED" ] || gt_die "kernels not set up: run tests/host/setup-kernels.sh"
	# The highest version this machine's apt can fetch: a trixie kernel's
	# source is not in bookworm's archive. Every flavour of a line
	# (6.12-rt, 6.12-cloud) comes from one package, linux-source-6.12.
	host=$(gt_host_release)
	read -r _ abi ver < <(while read -r name rest; do
		[ "$(gt_release "$name")" = "$host" ] && echo "$name $rest"
	done <"$GT_RESOLVED" | sort -k3,3V | tail -n 1) || true
	[ -n "${ver:-}" ] || gt_die "no matrix kernel of this machine's release ($host)"
	line=$(echo "$abi" | cut -d. -f1,2)
	pkg=linux-source-$line
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	gt_log "fetching checkpatch.pl from $pkg $ver"
	(cd "$tmp" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) ||
		gt_die "apt-get download $pkg=$ver failed"
	dpkg-deb --fsys-tarfile "$tmp"/*.deb |
		tar -xO "./usr/src/linux-source-$line.tar.xz" |
		tar -xJ -C "$tmp" --wildcards --strip-components=2 \
			"*/scripts/checkpatch.pl" "*/scripts/spelling.txt" \
			"*/scripts/const_structs.checkpatch"
	mkdir -p "$cp_dir"
	mv "$tmp"/checkpatch.pl "$tmp"/spelling.txt "$tmp"/const_structs.checkpatch "$cp_dir/"
fi

cd "$GT_TOP"
mapfile -t files < <(git ls-files -- 'src/*.[ch]' 'include/*.h' 'tests/driver/*.[ch]' |
	grep -vx src/compat.h)

checkpatch() {
	# FILE_PATH_CHANGES and SPDX_LICENSE_TAG only make sense in-tree.
	"$cp_dir/checkpatch.pl" --no-tree --quiet --terse --strict --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG"${1:+,$1}" \
		--file "${@:2}" | grep -v '^total: 0 errors, 0 warnings, 0 checks'
	return "${PIPESTATUS[0]}"
}

rc=0
checkpatch "" "${files[@]}" || rc=1
# The compat layer is where version checks belong, and only there.
checkpatch LINUX_VERSION_CODE,CONSTANT_COMPARISON src/compat.h || rc=1
if grep -n LINUX_VERSION_CODE "${files[@]}"; then
	gt_log "version checks belong in src/compat.h only"
	rc=1
fi
exit $rc
