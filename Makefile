# SPDX-License-Identifier: GPL-2.0
#
# make                      build gup_track.ko for the running kernel
# make KERNELRELEASE=<abi>  ... for another installed kernel (dkms passes this)
# make KDIR=<dir>           ... against a kernel build or headers tree
# make driver               the test-only pinning driver, same KDIR rules
# make matrix               both, for every kernel in tests/kernels.conf
# make demo                 install deps, boot the default kernel, show a pin
# make bench [K=name]       overhead of the loaded module, as ratios, plot
# make check                install deps and run the whole test suite
# make check-debug          the guest suite on a PREEMPT_RT+lockdep+KASAN+
#                           DEBUG_OBJECTS build of Debian's 6.12 source, cached
#                           in GT_DEBUG_CACHE (default /var/cache/gup_track/
#                           debug-kernel); about 1 h to build once, not in CI
# make checkpatch           kernel style check of our C sources
# make deb                  gup-track-dkms and gup-track-utils .debs in build/debs

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build

.PHONY: all modules driver kdir clean clean-module deb matrix demo bench check check-debug checkpatch

all: modules

modules: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

driver: kdir
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/driver modules

kdir:
	@test -f $(KDIR)/Makefile || { \
		echo "no kernel build tree at $(KDIR):"; \
		echo "install linux-headers-$(KERNELRELEASE), or pass KDIR=<dir>;"; \
		echo "'make matrix' builds for the test kernels without installing anything"; \
		exit 1; }
	@v=$$(cat $(KDIR)/include/config/kernel.release 2>/dev/null); \
	case "$$v" in 6.1.*|6.12.*) ;; *) \
		echo "gup_track supports the 6.1 and 6.12 kernel lines (Debian 12 and 13); the kernel in $(KDIR) is $${v:-of unknown version}"; \
		exit 1;; esac
	@for c in KPROBES KRETPROBES DEBUG_FS; do \
		grep -q "^CONFIG_$$c=y" $(KDIR)/.config || { \
			echo "gup_track needs CONFIG_$$c=y; the kernel in $(KDIR) lacks it"; \
			exit 1; }; \
	done
	@grep -qE "^CONFIG_DYNAMIC_FTRACE_WITH_(REGS|ARGS)=y" $(KDIR)/.config || { \
		echo "gup_track needs CONFIG_DYNAMIC_FTRACE_WITH_REGS or _ARGS; the kernel in $(KDIR) lacks both"; \
		exit 1; }

clean: clean-module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/driver clean 2>/dev/null || true
	rm -rf build

# What dkms runs: only the module's objects, never build/.
clean-module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true

deb:
	tests/host/deps.sh
	$(MAKE) -C userspace O=$(CURDIR)/build/userspace
	packaging/build-debs.sh

matrix:
	tests/host/deps.sh
	tests/host/setup-kernels.sh
	tests/host/build-matrix.sh

demo:
	tests/host/guest.sh demo

# make bench [K=6.12]: every kernel of tests/kernels.conf, or the one named
bench:
	tests/host/deps.sh
	tests/host/setup-kernels.sh $(K)
	tests/host/bench.sh $(K)

check:
	tests/host/check.sh

# Not part of check (nor CI): see README, Tests.
check-debug:
	tests/host/check-debug.sh

checkpatch:
	tests/host/checkpatch.sh
