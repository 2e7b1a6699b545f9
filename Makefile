# SPDX-License-Identifier: GPL-2.0-only
#
# aiot top-level Makefile.
#
#   make                 kernel modules (against KDIR) and userspace
#   make modules         kernel modules only
#   make userspace       library, tools, guest test programs
#   make check           install dependencies, build, run every test (host + guests)
#   make demo            boot a guest, load the modules, show the devices
#   make install         install modules (depmod), uAPI headers, udev rules
#
# Userspace parts are described by fragments in mk/; each one adds its
# host test binaries to HOST_TESTS and its guest programs to GUEST_PROGS.
# The fragments are listed below in dependency order: a fragment's `:=`
# assignments and rule prerequisites are expanded when it is read, so it
# comes after every fragment whose variables it uses.

KVER ?= $(shell . tests/qemu/kernels.sh 2>/dev/null && aiot_kver_612)
KDIR ?= /lib/modules/$(KVER)/build
ifeq ($(wildcard $(KDIR)),)
KDIR := /lib/modules/$(shell uname -r)/build
endif

BUILD     ?= build
PREFIX    ?= /usr/local
DESTDIR   ?=

CC        ?= cc
CXX       ?= c++
WARN      := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD      := -std=c11 -D_GNU_SOURCE
OPT       ?= -O2 -g
SAN       ?= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UAPI_INC  := -Iinclude/uapi -Iinclude $(shell pkg-config --cflags libdrm 2>/dev/null)
HOST_CFLAGS   := $(CSTD) $(WARN) $(OPT) $(UAPI_INC)
HOST_CXXFLAGS := -std=c++17 -Wall -Wextra -Werror $(OPT) $(UAPI_INC)

HOST_TESTS  :=
GUEST_PROGS :=
FUZZ_TARGETS :=
USERSPACE   :=

.PHONY: all modules userspace check check-host check-guest demo install \
	modules_install headers_install clean fuzz
all: modules userspace

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

modules_install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KVER)

headers_install:
	install -d $(DESTDIR)$(PREFIX)/include/drm $(DESTDIR)$(PREFIX)/include/linux
	install -m 0644 include/uapi/drm/*.h $(DESTDIR)$(PREFIX)/include/drm/
	install -m 0644 include/uapi/linux/*.h $(DESTDIR)$(PREFIX)/include/linux/

install: modules_install headers_install
	install -d $(DESTDIR)/etc/udev/rules.d
	install -m 0644 udev/*.rules $(DESTDIR)/etc/udev/rules.d/

# lib: LIB_A, LIB_LDLIBS; isa: ISA_HDRS, libaiot-isa.a; tools: the tools'
# shared objects (tools/common, tools/pipeline); compile: COMPILE_*,
# AIOT_MODELS_DIR; integration: INTEGRATION_LIB/HDRS; run: aiot-compile,
# aiot-run. The rest only use those.
MK_FRAGMENTS := lib isa fastexec tools compile integration run fastexec_models firmware models npu_card demo \
		monitor sensor bench dts apidoc fuzz_guest
include $(addprefix mk/,$(addsuffix .mk,$(MK_FRAGMENTS)))

userspace: $(USERSPACE) $(GUEST_PROGS)

# Each fragment hangs its bounded fuzz run on this target.
fuzz:

check-host: $(HOST_TESTS)
	@set -e; for t in $(HOST_TESTS); do echo "== $$t"; ./$$t; done

check:
	tests/run-all

demo:
	tests/qemu/install-deps.sh
	$(MAKE) userspace
	tests/qemu/aiot-qemu demo

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)
