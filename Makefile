# SPDX-License-Identifier: GPL-2.0
#
# make            build ckpt_cokernel.ko, the co-kernel image and cokctl
# make demo       boot a QEMU guest and show the whole cycle
# make check      every test: build, KUnit, guest tests on each kernel
# make bench      figures as ratios against a baseline in the same VM
#
# KDIR selects the kernel build tree; the default is the running kernel's
# when its headers are installed, else the newest Debian 6.1 headers.

COK_TOP := $(CURDIR)
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.0-*-amd64))))

.PHONY: all module cokernel userland clean deps check demo bench

all: module userland

cokernel:
	$(MAKE) -C cokernel

module: cokernel
	$(MAKE) -C $(KDIR) M=$(COK_TOP) COK_TOP=$(COK_TOP) modules

userland:
	$(MAKE) -C userland

clean:
	$(MAKE) -C cokernel clean
	$(MAKE) -C userland clean
	-$(MAKE) -C $(KDIR) M=$(COK_TOP) COK_TOP=$(COK_TOP) clean

# --- test harness (QEMU TCG guests; see tests/ and qemu-images/) -------
# GUEST picks the guest kernel of test-guest/demo/bench: 6.1, 6.12, debug.
GUEST ?= 6.1
TESTS ?= all

.PHONY: test-guest

deps:
	qemu-images/deps.sh

check: deps
	tests/check.sh

test-guest: deps
	tests/run.sh --tests $(TESTS) $(GUEST)

demo: deps
	tests/demo.sh $(GUEST)

bench: deps
	tests/bench.sh $(GUEST)
