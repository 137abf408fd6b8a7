# SPDX-License-Identifier: GPL-2.0
#
# mqos top-level Makefile.
#
#   make                 mqos.ko (for KVER) and userspace/mqosctl
#   make module          only the module; KVER=... or KDIR=... choose the kernel
#   make modules-vm      the module for both VM kernels (6.1 and 6.12)
#   make demo            the README's main command (set-up, build, VM, demo)
#   make check           the README's test command: unit + fuzz + VM selftests
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
BUILD := $(TOP)/build/$(KVER)
KSRC := Kbuild include module

DEBUG ?=
KMAKE_FLAGS := $(if $(W),W=$(W)) $(if $(C),C=$(C)) $(if $(DEBUG),MQOS_DEBUG=1)

.PHONY: all module modules-vm mqosctl setup check unit fuzz bench demo \
	style clean vm-test install

all: module mqosctl

module:
	@test -n "$(KVER)" || { echo "no kernel: run 'make setup' or set KVER/KDIR" >&2; exit 1; }
	@test -e "$(KDIR)/Makefile" || { echo "no headers for $(KVER) at $(KDIR): run 'make setup'" >&2; exit 1; }
	@mkdir -p $(BUILD)
	@# Mirror the sources; cp -u keeps object files of unchanged sources.
	@cp -a -u $(addprefix $(TOP)/,$(KSRC)) $(BUILD)/
	$(MAKE) -C $(KDIR) M=$(BUILD) $(KMAKE_FLAGS) modules
	@ln -sf build/$(KVER)/mqos.ko $(TOP)/mqos.ko

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

fuzz:
	$(MAKE) -C tests fuzz

bench: setup
	$(MAKE) -C tests bench

# The README's two commands.
demo: setup
	$(MAKE) modules-vm mqosctl
	$(TOP)/scripts/demo

check: setup
	$(TOP)/scripts/check

# checkpatch.pl comes from Debian's linux-source-6.1 (installed by setup);
# only its scripts/ are unpacked, once. CamelCase is ignored because the
# kernel's own types (struct Qdisc, Qdisc_ops) trip it out of tree.
CHECKPATCH := /usr/src/linux-source-6.1/scripts/checkpatch.pl
STYLE_FILES = $(wildcard module/*.c module/*.h module/core/*.c module/core/*.h) \
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
