# SPDX-License-Identifier: GPL-2.0
#
# mqos top-level Makefile.
#
#   make                 mqos.ko (for KVER) and userspace/mqosctl
#   make module          only the module; KVER=... or KDIR=... choose the kernel
#   make modules-vm      the module for both VM kernels (6.1 and 6.12)
#   make demo            the README's main command (set-up, build, VM, demo)
#   make check           the README's test command: unit + fuzz + VM selftests
#   make check-debug     not in check: the selftests and a kmemleak scan on a
#                        KASAN/UBSAN/KMEMLEAK/lockdep 6.1 kernel built from
#                        linux-source-6.1, cached in $(MQOS_CACHE)/debug
#   make unit | fuzz | bench
#   make W=1 C=1         extra warnings / sparse, as in the kernel tree
#   make style           checkpatch.pl --strict on the kernel code
#   make setup           install packages, fetch the VM kernels (root)
#
# The module is built in build/<kver>/ (a copy of the sources) so that the
# two VM kernels never share object files; ./mqos.ko is the default one.

SHELL := /bin/bash
TOP := $(CURDIR)
MQOS_CACHE ?= /var/cache/mqos
export MQOS_CACHE

KVER ?= $(shell $(TOP)/scripts/kernels.sh default)
KDIR ?= /lib/modules/$(KVER)/build
ifeq ($(wildcard $(KDIR)/Makefile),)
KDIR := /usr/src/linux-headers-$(KVER)
endif
# A DEBUG=1 module is built apart, so both can sit side by side.
BUILD := $(TOP)/build/$(KVER)$(if $(DEBUG),-debug)
KSRC := Kbuild include module

DEBUG ?=
KMAKE_FLAGS := $(if $(W),W=$(W)) $(if $(C),C=$(C)) $(if $(DEBUG),MQOS_DEBUG=1)

.PHONY: all module modules-vm mqosctl setup check check-debug unit fuzz bench demo \
	style clean vm-test install uninstall dkms-src dkms-install dkms-uninstall

all: module mqosctl

module:
	@test -n "$(KVER)" || { echo "no kernel: run 'make setup' or set KVER/KDIR" >&2; exit 1; }
	@test -e "$(KDIR)/Makefile" || { echo "no headers for $(KVER) at $(KDIR): run 'make setup'" >&2; exit 1; }
	@mkdir -p $(BUILD)
	@# Mirror the sources; cp -u keeps object files of unchanged sources.
	@cp -a -u $(addprefix $(TOP)/,$(KSRC)) $(BUILD)/
	$(MAKE) -C $(KDIR) M=$(BUILD) $(KMAKE_FLAGS) modules
	@$(if $(DEBUG),true,ln -sf build/$(KVER)/mqos.ko $(TOP)/mqos.ko)

modules-vm:
	@for s in 6.1 6.12; do \
		v=$$($(TOP)/scripts/kernels.sh kver $$s); \
		test -n "$$v" || { echo "kernel $$s not fetched: make setup" >&2; exit 1; }; \
		$(MAKE) --no-print-directory module KVER=$$v KDIR=/usr/src/linux-headers-$$v || exit 1; \
	done

mqosctl:
	$(MAKE) -C userspace

setup:
	$(TOP)/scripts/setup.sh

unit:
	$(MAKE) -C tests unit
	$(MAKE) -C userspace test

fuzz:
	$(MAKE) -C tests fuzz

# Host classifier micro-bench + the VM side-by-side run, in one report
# (scripts/bench; see docs/benchmarks.md).
bench: setup
	$(MAKE) modules-vm mqosctl
	$(TOP)/scripts/bench

# The README's two commands.
# The demo boots one kernel (MQOS_DEMO_KERNEL, default 6.1): build for it only.
DEMO_KERNEL := $(or $(MQOS_DEMO_KERNEL),6.1)
demo: setup
	$(MAKE) module mqosctl KVER=$$($(TOP)/scripts/kernels.sh kver $(DEMO_KERNEL))
	MQOS_DEMO_KERNEL=$(DEMO_KERNEL) $(TOP)/scripts/demo

check: setup
	$(TOP)/scripts/check

# Not part of check: builds the debug kernel once (13 min on 2 quiet cores),
# then the whole suite on it in one VM (scripts/check-debug).
check-debug: setup
	$(TOP)/scripts/check-debug

# checkpatch.pl comes from Debian's linux-source-6.1 (installed by setup);
# only its scripts/ are unpacked, once. CamelCase is ignored because the
# kernel's own types (struct Qdisc, Qdisc_ops) trip it out of tree.
CHECKPATCH := /usr/src/linux-source-6.1/scripts/checkpatch.pl
# env_host.h is userspace; mqos_trace.h is TRACE_EVENT macro text, which
# checkpatch misreads (as it does the kernel's own include/trace/events).
STYLE_FILES = $(filter-out module/core/env_host.h module/mqos_trace.h, \
	$(wildcard module/*.c module/*.h module/core/*.c module/core/*.h)) \
	include/uapi/linux/mqos.h

$(CHECKPATCH):
	mkdir -p /usr/src/linux-source-6.1
	tar -C /usr/src/linux-source-6.1 --strip-components=1 \
		-xaf /usr/src/linux-source-6.1.tar.xz --wildcards '*/scripts/*'

style: $(CHECKPATCH)
	$(CHECKPATCH) --strict --no-tree --terse --show-types \
		--ignore SPDX_LICENSE_TAG,FILE_PATH_CHANGES,CAMELCASE -f $(STYLE_FILES)

clean:
	rm -rf build mqos.ko
	-$(MAKE) -C userspace clean
	-$(MAKE) -C tests clean
	-$(MAKE) -C tc clean

# --- install ------------------------------------------------------------------
#   make install [KVER=...] [DESTDIR=...] [PREFIX=/usr/local] [NO_MODULE=1]
#                [MQOS_KO=FILE]
#   make uninstall
#   make dkms-install [KVER=...]     sources to /usr/src/mqos-VERSION, dkms
#                                    add + install; removes other versions
#   make dkms-uninstall              dkms remove of every mqos version
#   make dkms-src [DKMS_VERSION=...] only the DKMS source tree
#
# install puts the module in /lib/modules/$(KVER)/updates/ (then depmod, so
# that `tc qdisc add ... mqos` autoloads it), mqosctl, its man page, the bash
# completion, the systemd units mqos@.service and mqos.service, and the
# example configuration as /etc/mqos/mqos.conf unless that file exists.
# uninstall removes all of it except a mqos.conf the operator changed.
# NO_MODULE=1 installs all but the module (DKMS provides it); MQOS_KO=FILE
# installs that already built mqos.ko (for KVER) instead of building. With DESTDIR
# (staging for a package), depmod, systemctl and dkms are not run.
MQOS_VERSION := $(shell sed -n 's/^\#define MQOS_VERSION_STR[[:space:]]*"\(.*\)"/\1/p' \
	$(TOP)/include/uapi/linux/mqos.h)
DESTDIR ?=
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
MODDIR ?= /lib/modules/$(KVER)/updates
# The configuration installed as /etc/mqos/mqos.conf: the example of
# userspace/examples/ (edit its device names before enabling mqos.service).
MQOS_CONF ?= $(firstword $(wildcard $(TOP)/userspace/examples/mqos.conf \
	$(TOP)/userspace/examples/*.conf))
MQOS_MAN := $(wildcard $(TOP)/userspace/mqosctl.8)
UNITS := mqos@.service mqos.service
DEPMOD ?= depmod
SYSTEMD_RUNNING = $(if $(DESTDIR),,$(wildcard /run/systemd/system))
UNIT_SUBST := sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

install: $(if $(NO_MODULE)$(MQOS_KO),,module) mqosctl
	$(if $(NO_MODULE),,install -D -m 0644 $(or $(MQOS_KO),$(BUILD)/mqos.ko) \
		$(DESTDIR)$(MODDIR)/mqos.ko)
	install -D -m 0755 $(TOP)/userspace/mqosctl $(DESTDIR)$(SBINDIR)/mqosctl
	$(if $(MQOS_MAN),install -D -m 0644 $(MQOS_MAN) $(DESTDIR)$(MANDIR)/man8/mqosctl.8)
	install -D -m 0644 $(TOP)/packaging/mqosctl.bash-completion \
		$(DESTDIR)$(COMPLETIONDIR)/mqosctl
	install -d $(DESTDIR)$(UNITDIR)
	@for u in $(UNITS); do \
		echo "$(UNIT_SUBST) packaging/$$u.in > $(DESTDIR)$(UNITDIR)/$$u"; \
		$(UNIT_SUBST) $(TOP)/packaging/$$u.in > $(DESTDIR)$(UNITDIR)/$$u.tmp && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.tmp && \
		mv $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/mqos
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/mqos/mqos.conf ]; then \
		echo "kept existing $(DESTDIR)$(SYSCONFDIR)/mqos/mqos.conf"; \
	elif [ -z "$(MQOS_CONF)" ]; then \
		echo "no example configuration in userspace/examples/"; \
	else \
		echo "install -m 0644 $(MQOS_CONF) $(DESTDIR)$(SYSCONFDIR)/mqos/mqos.conf"; \
		install -m 0644 $(MQOS_CONF) $(DESTDIR)$(SYSCONFDIR)/mqos/mqos.conf; \
	fi
	$(if $(DESTDIR)$(NO_MODULE),,$(DEPMOD) -a $(KVER))
	$(if $(SYSTEMD_RUNNING),systemctl daemon-reload)
	$(MAKE) -C tc install

uninstall:
	@if [ -n "$(SYSTEMD_RUNNING)" ]; then \
		systemctl stop mqos.service 'mqos@*.service' || true; \
		find /etc/systemd/system -type l -name 'mqos*.service' \
			-lname '*/mqos*.service' -print -delete; \
	fi
	rm -f $(DESTDIR)$(MODDIR)/mqos.ko $(DESTDIR)$(SBINDIR)/mqosctl \
		$(DESTDIR)$(MANDIR)/man8/mqosctl.8 $(DESTDIR)$(COMPLETIONDIR)/mqosctl \
		$(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS))
	@c=$(DESTDIR)$(SYSCONFDIR)/mqos/mqos.conf; \
	if [ -e $$c ] && ! cmp -s $$c "$(MQOS_CONF)"; then \
		echo "kept $$c: it differs from the example (remove it by hand)"; \
	else \
		rm -f $$c && rmdir --ignore-fail-on-non-empty $(DESTDIR)$(SYSCONFDIR)/mqos 2>/dev/null; \
	fi; true
	$(if $(DESTDIR),,$(DEPMOD) -a $(KVER))
	$(if $(SYSTEMD_RUNNING),systemctl daemon-reload)
	@if [ -d /sys/module/mqos ]; then echo "mqos.ko is still loaded: rmmod mqos"; fi
	$(MAKE) -C tc uninstall

# The DKMS source tree: only what Kbuild reads, plus dkms.conf with the
# version stamped in.
DKMS_VERSION ?= $(MQOS_VERSION)
DKMS_SRC = $(DESTDIR)/usr/src/mqos-$(DKMS_VERSION)
DKMS_FILES = Kbuild $(shell cd $(TOP) && find include module -type f \
	\( -name '*.[ch]' -o -name '*.S' -o -name Kbuild \) | LC_ALL=C sort)
# Versions of mqos registered with dkms ("mqos/0.1.0, 6.1.0-..: installed").
dkms_versions = dkms status mqos 2>/dev/null | sed -n 's|^mqos/\([^,:]*\).*|\1|p' | sort -u

dkms-src:
	@test -n "$(DKMS_VERSION)" || { echo "no version in include/uapi/linux/mqos.h" >&2; exit 1; }
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	cd $(TOP) && cp --parents $(DKMS_FILES) $(DKMS_SRC)/
	sed 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="$(DKMS_VERSION)"/' $(TOP)/dkms.conf \
		> $(DKMS_SRC)/dkms.conf

dkms-install:
ifeq ($(DESTDIR),)
	@command -v dkms >/dev/null || { echo "dkms is not installed: apt-get install dkms" >&2; exit 1; }
	@for v in $$($(dkms_versions)); do \
		echo "dkms remove mqos/$$v --all"; dkms remove mqos/$$v --all || exit 1; \
	done
	$(MAKE) --no-print-directory dkms-src
	dkms add mqos/$(DKMS_VERSION)
	dkms install mqos/$(DKMS_VERSION) -k $(KVER)
else
	$(MAKE) --no-print-directory dkms-src
endif

dkms-uninstall:
	@for v in $$($(dkms_versions)); do \
		echo "dkms remove mqos/$$v --all"; dkms remove mqos/$$v --all || exit 1; \
		rm -rf /usr/src/mqos-$$v; \
	done
	rm -rf $(DKMS_SRC)

# --- Debian packages ----------------------------------------------------------
#   make deb [DEB_OUT=build/deb]   mqos-dkms_V_all.deb and mqosctl_V_ARCH.deb,
#                                  dpkg-buildpackage -us -uc -b in a copy of
#                                  the tree (scripts/deb-build); the version
#                                  is MQOS_VERSION_STR, which debian/changelog
#                                  must repeat
DEB_OUT ?= $(TOP)/build/deb
.PHONY: deb
deb:
	$(TOP)/scripts/deb-build $(DEB_OUT)

# --- ARM (scripts/arm) -----------------------------------------------------------
#   make setup-arm       fetch Debian's arm64 and armhf 6.1 headers and their
#                        libnl / json-c into $(MQOS_CACHE)/{arm64,armhf}
#                        (part of make setup)
#   make module-arm64    mqos.ko for arm64 / 32-bit armhf (cross, W= C= pass on;
#   make module-armhf    ARM_KERNEL=6.12 for 6.12, fetched on first use)
#   make mqosctl-arm64   mqosctl for arm64 / armhf (build/<arch>-mqosctl/)
#   make mqosctl-armhf
#   make build-arm       the 6.1 modules and both mqosctl (W=1), and each
#                        mqosctl --help under qemu-user (in make check)
#   make check-arm64     build-arm, the arm64 6.12 module and the selftests' C
#                        helpers for arm64, then the selftests (module_load,
#                        gateway_basic, ctl_basic, ctl_rtnl, nf_hook,
#                        hostile_packets)
#                        in Debian's arm64 6.1 and 6.12 kernels under
#                        qemu-system-aarch64 (TCG), with an initramfs of arm64
#                        packages; KTAP, and one last line N passed, N failed,
#                        N skipped (not in make check; about 8 min once fetched)
ARM_ARCHES := arm64 armhf
ARM_KERNEL ?= 6.1
.PHONY: setup-arm build-arm check-arm64 $(foreach a,$(ARM_ARCHES),module-$(a) mqosctl-$(a))
setup-arm:
	@for a in $(ARM_ARCHES); do $(TOP)/scripts/arm --arch $$a fetch || exit 1; done

$(foreach a,$(ARM_ARCHES),module-$(a)): module-%:
	$(TOP)/scripts/arm --arch $* --kernel $(ARM_KERNEL) fetch
	W=$(W) C=$(C) $(TOP)/scripts/arm --arch $* --kernel $(ARM_KERNEL) module

$(foreach a,$(ARM_ARCHES),mqosctl-$(a)): mqosctl-%:
	$(TOP)/scripts/arm --arch $* mqosctl

build-arm: setup-arm
	@for a in $(ARM_ARCHES); do \
		$(MAKE) --no-print-directory module-$$a W=1 ARM_KERNEL=6.1 && \
		$(MAKE) --no-print-directory mqosctl-$$a && \
		$(TOP)/scripts/arm --arch $$a smoke || exit 1; \
	done

check-arm64: build-arm
	$(MAKE) --no-print-directory module-arm64 W=1 ARM_KERNEL=6.12
	$(TOP)/scripts/arm helpers
	$(TOP)/scripts/arm check
