# SPDX-License-Identifier: GPL-2.0
#
# make            build ckpt_cokernel.ko, the co-kernel image and cokctl
# make demo       boot a QEMU guest and show the whole cycle
# make check      every test: build, KUnit, guest tests on each kernel
# make bench      figures as ratios against a baseline in the same VM
# make dkms-install   put the module's sources under /usr/src and have
#                 DKMS build and install it for the running kernel (or
#                 KVERS="..."); make dkms-remove undoes it
# make dkms-source DESTDIR=DIR   only the sources, as DKMS wants them
#
# KDIR selects the kernel build tree; the default is the running kernel's
# when its headers are installed, else the newest Debian 6.1 headers.

COK_TOP := $(CURDIR)
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.0-*-amd64))))

.PHONY: all module cokernel userland clean deps check demo bench
.PHONY: dkms-source dkms-install dkms-remove

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

# --- DKMS ---------------------------------------------------------------
# The version is cokctl's (userland/cokctl.h), the one definition.
DKMS_NAME := ckpt_cokernel
DKMS_VERSION := $(shell sed -n 's/^\#define COKCTL_VERSION[[:space:]]*"\(.*\)"/\1/p' userland/cokctl.h)
DKMS_SRC := $(DESTDIR)/usr/src/$(DKMS_NAME)-$(DKMS_VERSION)
KVERS ?= $(shell uname -r)
# DKMS asks the kernel's build tree for its compiler with a make of its
# own: under ours that make prints "make[1]: Entering directory ...",
# which DKMS then takes for the compiler's name.  So no MAKEFLAGS for it.
DKMS := env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS dkms

# Only the sources: the module, the co-kernel and the shared headers.
dkms-source:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp Makefile Kbuild $(DKMS_SRC)/
	find kmod cokernel xemem -type f \( -name '*.[chS]' -o -name '*.ld' \
		-o -name Makefile -o -name README.md \) | \
		cpio -pdm --quiet $(DKMS_SRC)
	sed 's/\#MODULE_VERSION\#/$(DKMS_VERSION)/' dkms.conf >$(DKMS_SRC)/dkms.conf

dkms-install: dkms-source
	$(DKMS) add -m $(DKMS_NAME) -v $(DKMS_VERSION)
	for k in $(KVERS); do \
		$(DKMS) install -m $(DKMS_NAME) -v $(DKMS_VERSION) -k $$k || exit 1; \
	done

dkms-remove:
	-$(DKMS) remove -m $(DKMS_NAME) -v $(DKMS_VERSION) --all
	rm -rf $(DESTDIR)/usr/src/$(DKMS_NAME)-$(DKMS_VERSION)
