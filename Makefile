# SPDX-License-Identifier: GPL-2.0
#
# make                      build gup_track.ko for the running kernel
# make KERNELRELEASE=<abi>  ... for another installed kernel (dkms passes this)
# make KDIR=<dir>           ... against a kernel build or headers tree
# make driver               the test-only pinning driver, same KDIR rules
# make matrix               both, for every kernel in tests/kernels.conf
# make demo                 install deps, boot the default kernel, show a pin
# make bench                overhead of the loaded module, as ratios
# make check                install deps and run the whole test suite
# make checkpatch           kernel style check of our C sources

KERNELRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KERNELRELEASE)/build

.PHONY: all modules driver kdir clean matrix demo bench check checkpatch

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

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C $(KDIR) M=$(CURDIR)/tests/driver clean 2>/dev/null || true
	rm -rf build

matrix:
	tests/host/deps.sh
	tests/host/setup-kernels.sh
	tests/host/build-matrix.sh

demo:
	tests/host/guest.sh demo

bench:
	tests/host/guest.sh bench

check:
	tests/host/check.sh

checkpatch:
	tests/host/checkpatch.sh
