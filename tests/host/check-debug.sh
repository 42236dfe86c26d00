#!/bin/bash
# The guest suite on a debug kernel, the check the kernel's own developers
# rely on: Debian's 6.12 source (linux-source-6.12) built from the Debian
# PREEMPT_RT flavour's config, plus lockdep (PROVE_LOCKING,
# PROVE_RAW_LOCK_NESTING), DEBUG_ATOMIC_SLEEP, generic KASAN and
# DEBUG_OBJECTS. Any lockdep splat, KASAN report, sleep in atomic context,
# invalid wait context or ODEBUG warning in the guest's console fails the
# run (verdict.sh). Not part of `make check`: the build takes about an hour
# on 2 cores and the guest is several times slower than the matrix's.
#
# The kernel is built once and cached OUTSIDE the clone, in GT_DEBUG_CACHE
# (default /var/cache/gup_track/debug-kernel), keyed by the source version
# and a hash of the final .config:
#   src/<version>/linux-source-6.12/   the unpacked source (never written to)
#   <version>-<hash>/obj/              the build tree (O=), a valid KDIR
#   <version>-<hash>/root/             laid out like a matrix kernel:
#       boot/vmlinuz-<abi>, lib/modules/<abi>/, usr/src/linux-headers-<abi> -> obj
#   kernels.conf, resolved             the private matrix of one line, "debug"
# The clone's .cache/kernels/<abi> is a link to <version>-<hash>, so that the
# usual scripts (gt_kroot, gt_kdir) find it with GT_KCONF and GT_RESOLVED
# pointing at the private matrix.
#
# Then: the module and the test driver from this tree's src/ (warnings as
# errors), the guest programs, the initramfs, one VM, the verdict. No
# packaging and no DKMS for this kernel (there is no Debian headers package
# for DKMS to build against), so the guest test dkms_modprobe does not run.
#
# usage: check-debug.sh [-b] [-c] [TEST ...]
#   -b          only build (or find) the kernel, print its cache directory
#   -c          carry on past the first report: panic_on_warn=0 and
#               kasan_multi_shot, so that one run shows every report (a
#               KASAN report or an ODEBUG warning otherwise panics the guest);
#               the reports still fail the run
#   TEST        only these guest tests (default: all but dkms_modprobe)
# GT_DEBUG_CACHE  where the kernel is built and cached
# GT_DEBUG_JOBS   make -j for the kernel build (default: nproc); always nice 19
# GT_VM_TIMEOUT   seconds the VM may take (default here: 5400)
# GT_VM_MEM       guest memory in MiB (default here: 3072)
set -euo pipefail
shopt -s inherit_errexit
. "$(dirname "$0")/lib.sh"

build_only=0
append=
while getopts bc opt; do
	case $opt in
	b) build_only=1 ;;
	c) append="panic_on_warn=0 kasan_multi_shot" ;;
	*) gt_die "usage: $0 [-b] [-c] [TEST ...]" ;;
	esac
done
shift $((OPTIND - 1))

dcache=${GT_DEBUG_CACHE:-/var/cache/gup_track/debug-kernel}
src_pkg=linux-source-6.12
src_ver=6.12.118-1~deb12u1	# bookworm-security
base_line=6.12-rt		# the matrix line whose config we start from
localversion=-gtdebug-rt-amd64	# flavour "rt" for gt_flavour
name=debug
jobs=${GT_DEBUG_JOBS:-$(nproc)}

start=$(date +%s)
gt_lap_t=$start

mkdir -p "$dcache" || gt_root mkdir -p "$dcache"
[ -w "$dcache" ] || gt_die "cannot write $dcache (set GT_DEBUG_CACHE)"

"$GT_TOP/tests/host/deps.sh"
# What a kernel build needs beyond the module's.
missing=()
for p in flex bison bc libssl-dev libelf-dev; do
	[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || gt_root apt-get install -y -qq "${missing[@]}" >/dev/null

# The Debian rt kernel: its config, and its modules.dep to name the
# dependencies of the modules the guest loads.
"$GT_TOP/tests/host/setup-kernels.sh" "$base_line"
base_abi=$(gt_abi "$base_line")
base_root=$(gt_kroot "$base_abi")
base_config=$base_root/boot/config-$base_abi

# The source, once.
srcdir=$dcache/src/$src_ver/linux-source-6.12
if [ ! -f "$srcdir/.ready" ]; then
	gt_log "fetching $src_pkg $src_ver"
	rm -rf "$dcache/src/$src_ver"
	mkdir -p "$dcache/src/$src_ver/deb"
	(cd "$dcache/src/$src_ver/deb" && apt-get download -q "$src_pkg=$src_ver" >/dev/null 2>&1) ||
		gt_die "apt-get download $src_pkg=$src_ver failed (apt-get update? bookworm-security in sources?)"
	dpkg-deb -x "$dcache/src/$src_ver"/deb/*.deb "$dcache/src/$src_ver/deb/x"
	tar -C "$dcache/src/$src_ver" -xf "$dcache/src/$src_ver/deb/x/usr/src/linux-source-6.12.tar.xz"
	rm -rf "$dcache/src/$src_ver/deb"
	[ -f "$srcdir/Makefile" ] || gt_die "no linux-source-6.12 in the tarball"
	: >"$srcdir/.ready"
fi

# The config: the rt flavour's, trimmed to the modules the guest loads and
# their dependencies (localmodconfig), with the debug options. Made in a
# scratch build tree every run; its hash names the build.
cfgdir=$(mktemp -d "$dcache/config.XXXXXX")
trap 'rm -rf "$cfgdir"' EXIT
cp "$base_config" "$cfgdir/.config"
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$GT_TOP/tests/guest/modules.list" \
	"$GT_TOP/tests/guest/modules-extra.list" | awk '{ print $1 }' | while read -r m; do
	modprobe -d "$base_root" -S "$base_abi" --show-depends "$m"
done | awk '$1 == "insmod" { n = $2; sub(/.*\//, "", n); sub(/\.ko.*/, "", n); gsub(/-/, "_", n); print n, 0, 0 }' |
	sort -u >"$cfgdir/lsmod"
gt_log "debug kernel: $(wc -l <"$cfgdir/lsmod") modules kept: $(awk '{ printf "%s ", $1 }' "$cfgdir/lsmod")"
make -s -C "$srcdir" O="$cfgdir" LSMOD="$cfgdir/lsmod" localmodconfig </dev/null >"$cfgdir/localmodconfig.log" 2>&1 ||
	{ cat "$cfgdir/localmodconfig.log" >&2; gt_die "localmodconfig failed"; }
sc() { "$srcdir/scripts/config" --file "$cfgdir/.config" "$@"; }
sc --set-str LOCALVERSION "$localversion" -d LOCALVERSION_AUTO \
	-e DEBUG_INFO_NONE -d DEBUG_INFO -d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
	-d DEBUG_INFO_DWARF4 -d DEBUG_INFO_DWARF5 -d DEBUG_INFO_BTF -d DEBUG_INFO_BTF_MODULES \
	-d SECURITY_LOCKDOWN_LSM -d SECURITY_LOCKDOWN_LSM_EARLY \
	-d MODULE_SIG -d MODULE_SIG_ALL --set-str MODULE_SIG_KEY "" \
	--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
	-d MODULE_COMPRESS -e MODULE_COMPRESS_NONE -d MODULE_COMPRESS_XZ \
	-e DEBUG_KERNEL -e PROVE_LOCKING -e PROVE_RAW_LOCK_NESTING -e DEBUG_ATOMIC_SLEEP \
	-e KASAN -e KASAN_GENERIC -e KASAN_INLINE -d KASAN_OUTLINE \
	-e DEBUG_OBJECTS -e DEBUG_OBJECTS_FREE -e DEBUG_OBJECTS_TIMERS -e DEBUG_OBJECTS_WORK \
	-e DEBUG_OBJECTS_RCU_HEAD -e DEBUG_OBJECTS_PERCPU_COUNTER \
	--set-val DEBUG_OBJECTS_ENABLE_DEFAULT 1 -d DEBUG_OBJECTS_SELFTEST \
	--set-val FRAME_WARN 0
make -s -C "$srcdir" O="$cfgdir" olddefconfig </dev/null >/dev/null
# What the module and the suite need, and what this check is for: refuse a
# config that lost any of it.
for c in PREEMPT_RT PROVE_LOCKING PROVE_RAW_LOCK_NESTING DEBUG_ATOMIC_SLEEP KASAN KASAN_GENERIC \
	DEBUG_OBJECTS DEBUG_OBJECTS_FREE DEBUG_OBJECTS_TIMERS DEBUG_OBJECTS_WORK \
	DEBUG_OBJECTS_RCU_HEAD DEBUG_OBJECTS_PERCPU_COUNTER \
	KPROBES KRETPROBES DEBUG_FS FTRACE FUNCTION_TRACER DYNAMIC_FTRACE UNWINDER_ORC \
	USERFAULTFD IO_URING NUMA MEMCG DEBUG_INFO_NONE; do
	grep -q "^CONFIG_$c=y" "$cfgdir/.config" || gt_die "debug kernel config: CONFIG_$c is not set"
done
grep -qE '^CONFIG_DYNAMIC_FTRACE_WITH_(ARGS|REGS)=y' "$cfgdir/.config" ||
	gt_die "debug kernel config: neither DYNAMIC_FTRACE_WITH_ARGS nor _REGS"
grep -qE '^CONFIG_BLK_DEV_NBD=[ym]' "$cfgdir/.config" || gt_die "debug kernel config: no BLK_DEV_NBD"
grep -q '^CONFIG_MODULE_SIG=y' "$cfgdir/.config" && gt_die "debug kernel config: module signing is on"
hash=$(sha256sum <"$cfgdir/.config" | cut -c1-12)
key=$src_ver-$hash
kdir=$dcache/$key
obj=$kdir/obj
kroot=$kdir/root
gt_lap "debug kernel config ($key)"

if [ -f "$kdir/.ready" ]; then
	gt_log "debug kernel: reusing $kdir (built in $(cat "$kdir/build.seconds" 2>/dev/null || echo '?') s)"
else
	gt_log "debug kernel: building $key in $obj (nice -n 19 make -j$jobs; about an hour on 2 cores)"
	rm -rf "$kdir"
	mkdir -p "$obj"
	cp "$cfgdir/.config" "$obj/.config"
	cp "$cfgdir/lsmod" "$kdir/lsmod"
	t0=$(date +%s)
	if ! nice -n 19 make -C "$srcdir" O="$obj" -j"$jobs" bzImage modules </dev/null >"$kdir/build.log" 2>&1; then
		tail -n 40 "$kdir/build.log" >&2
		gt_die "debug kernel build failed; log: $kdir/build.log"
	fi
	abi=$(cat "$obj/include/config/kernel.release")
	mkdir -p "$kroot/boot" "$kroot/usr/src"
	nice -n 19 make -s -C "$srcdir" O="$obj" INSTALL_MOD_PATH="$kroot" DEPMOD=true \
		modules_install >>"$kdir/build.log" 2>&1 || gt_die "modules_install failed; log: $kdir/build.log"
	cp "$obj/arch/x86/boot/bzImage" "$kroot/boot/vmlinuz-$abi"
	cp "$obj/System.map" "$kroot/boot/System.map-$abi"
	cp "$obj/.config" "$kroot/boot/config-$abi"
	depmod -b "$kroot" -F "$kroot/boot/System.map-$abi" "$abi"
	# The build tree is the KDIR, at the path of a headers package.
	ln -sfn ../../../obj "$kroot/usr/src/linux-headers-$abi"
	echo $(($(date +%s) - t0)) >"$kdir/build.seconds"
	printf '%s\n' "$abi" >"$kdir/.ready"
	gt_log "debug kernel: built $abi in $(cat "$kdir/build.seconds") s"
fi
abi=$(cat "$kdir/.ready")
gt_lap "debug kernel build"

# The private matrix of one line, and the link that makes gt_kroot find it.
printf '# the debug kernel of tests/host/check-debug.sh (never resolved from apt)\n%s\tbookworm\t^$\n' \
	"$name" >"$dcache/kernels.conf"
printf '%s %s %s\n' "$name" "$abi" "$key" >"$dcache/resolved"
mkdir -p "$GT_CACHE/kernels"
ln -sfn "$kdir" "$GT_CACHE/kernels/$abi"
export GT_KCONF=$dcache/kernels.conf GT_RESOLVED=$dcache/resolved
[ "$(gt_kroot "$abi")" -ef "$kroot" ] || gt_die "gt_kroot does not find $kroot"
[ -f "$(gt_kdir "$abi")/Makefile" ] || gt_die "gt_kdir $(gt_kdir "$abi") is not a build tree"
if [ $build_only = 1 ]; then
	printf '%s\n' "$kdir"
	exit 0
fi

# The module from this tree, the guest programs, the CLI.
"$GT_TOP/tests/host/build-matrix.sh" "$name"
make -s -C "$GT_TOP/tests/guest" O="$GT_BUILD/guest"
make -s -C "$GT_TOP/userspace" O="$GT_BUILD/userspace" all
gt_lap "module and guest builds"

if [ $# -gt 0 ]; then
	only=$(IFS=,; echo "$*")
else
	only=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$GT_TOP/tests/guest/tests.list" |
		awk '$1 != "dkms_modprobe" { print $1 }' | paste -sd, -)
fi
case ,$only, in
*,dkms_modprobe,*) gt_die "dkms_modprobe cannot run on the debug kernel: no DKMS build for it" ;;
esac

results=$(mktemp)
trap 'rm -rf "$cfgdir" "$results"' EXIT
run=$GT_BUILD/$abi/tests
rm -rf "$run" "$GT_BUILD/$abi/dkms"
"$GT_TOP/tests/host/mkinitramfs.sh" "$name"
gt_log "booting the debug kernel ($abi) in QEMU: tests $only"
GT_VM_TIMEOUT=${GT_VM_TIMEOUT:-5400} GT_VM_MEM=${GT_VM_MEM:-3072} GT_VM_APPEND=$append \
	"$GT_TOP/tests/host/run-vm.sh" "$name" tests "$only" >/dev/null
read -r wall cpu <"$run/qemu.seconds" || true
gt_log "debug kernel VM: ${wall:-?} s in QEMU (${cpu:-?} s of CPU)"
gt_lap "VM"
"$GT_TOP/tests/host/verdict.sh" "$name" "$run" >>"$results"
cat "$results"
pass=$(grep -c '^PASS ' "$results" || true)
fail=$(grep -c '^FAIL ' "$results" || true)
skip=$(grep -c '^SKIP ' "$results" || true)
[ "$fail" -eq 0 ] || gt_log "console: $run/console.log, results: $run/ktap.log"
gt_log "wall time $(($(date +%s) - start)) s"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
