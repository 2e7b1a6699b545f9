# SPDX-License-Identifier: GPL-2.0-only
#
# aiot top-level Makefile.
#
#   make                 kernel modules (against KDIR) and userspace
#   make modules         kernel modules only
#   make userspace       library, tools, guest test programs
#   make check           install dependencies, build, run every test (host + guests)
#   make demo            boot a guest, load the modules, show the devices
#   make install         everything below, into $(DESTDIR)$(PREFIX)
#   make modules_install headers_install install-lib install-tools
#        install-firmware install-udev      (docs/packaging.md)
#   make deb             Debian packages into $(BUILD)/deb (docs/packaging.md)
#   make check-packaging build, install, use and purge those packages
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
BINDIR    ?= $(PREFIX)/bin
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d

CC        ?= cc
CXX       ?= c++
# -Werror is for the project's own builds and checks (make, make check, CI);
# a packager builds with WERROR=0 so that a newer compiler's new warning
# does not fail a distribution build.
WERROR    ?= 1
WARN      := -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -Wshadow -Wstrict-prototypes \
	     -Wmissing-prototypes
CSTD      := -std=c11 -D_GNU_SOURCE
OPT       ?= -O2 -g
SAN       ?= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UAPI_INC  := -Iinclude/uapi -Iinclude $(shell pkg-config --cflags libdrm 2>/dev/null)
# The environment's CPPFLAGS, CFLAGS/CXXFLAGS and LDFLAGS (a distribution's
# hardening flags) come after the project's, so that they win. LDFLAGS ride
# along in the compile flags because every link line uses them; gcc ignores
# linker options when it only compiles.
HOST_CFLAGS   := $(CSTD) $(WARN) $(OPT) $(UAPI_INC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS)
HOST_CXXFLAGS := -std=c++17 -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) $(OPT) \
		 $(UAPI_INC) $(CPPFLAGS) $(CXXFLAGS) $(LDFLAGS)

HOST_TESTS  :=
GUEST_PROGS :=
FUZZ_TARGETS :=
USERSPACE   :=

.PHONY: all modules userspace check check-host check-guest demo install \
	modules_install headers_install install-udev install-tools clean fuzz
all: modules userspace

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

# Into $(DESTDIR)/lib/modules/$(KVER)/ (extra/, or updates/ with Debian's
# headers); depmod runs only for a real install (no DESTDIR): a package's
# postinst (or DKMS) runs it on the target.
modules_install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(DESTDIR),INSTALL_MOD_PATH=$(abspath $(DESTDIR)) DEPMOD=true) \
		modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

headers_install:
	install -d $(DESTDIR)$(PREFIX)/include/drm $(DESTDIR)$(PREFIX)/include/linux
	install -m 0644 include/uapi/drm/*.h $(DESTDIR)$(PREFIX)/include/drm/
	install -m 0644 include/uapi/linux/*.h $(DESTDIR)$(PREFIX)/include/linux/

# $(PREFIX)/lib/udev/rules.d: /usr/lib/udev/rules.d for PREFIX=/usr, where
# packages put rules (/etc/udev/rules.d is the administrator's).
install-udev:
	install -d $(DESTDIR)$(UDEVRULESDIR)
	install -m 0644 udev/*.rules $(DESTDIR)$(UDEVRULESDIR)/

install: modules_install headers_install install-udev

# lib: LIB_A, LIB_LDLIBS; isa: ISA_HDRS, libaiot-isa.a; tools: the tools'
# shared objects (tools/common, tools/pipeline); compile: COMPILE_*,
# AIOT_MODELS_DIR; integration: INTEGRATION_LIB/HDRS; run: aiot-compile,
# aiot-run. The rest only use those.
MK_FRAGMENTS := lib isa fastexec tools compile integration run fastexec_models firmware models npu_card demo \
		monitor sensor bench dts apidoc fuzz_guest udev
MK_FRAGMENTS += aiotd bindings
MK_FRAGMENTS += arm64
MK_FRAGMENTS += pipeline
MK_FRAGMENTS += harness
MK_FRAGMENTS += tflite_check
include $(addprefix mk/,$(addsuffix .mk,$(MK_FRAGMENTS)))

userspace: $(USERSPACE) $(GUEST_PROGS)

# The command-line tools (docs/tools.md) into $(BINDIR).
INSTALL_TOOLS := aiot-info aiot-bench aiot-compile aiot-run aiot-tflite-dump aiot-sensor-rec
INSTALL_TOOLS += aiotd
install: install-tools
install-tools: $(addprefix $(BUILD)/,$(INSTALL_TOOLS))
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $^ $(DESTDIR)$(BINDIR)/

# What the Debian packages ship (debian/rules): no tests, no guest programs.
.PHONY: userspace-dist deb check-packaging
userspace-dist: $(LIB_SO) $(BUILD)/$(LIB_SONAME) $(BUILD)/$(LIB_NAME).so $(LIB_A) \
		$(addprefix $(BUILD)/,$(INSTALL_TOOLS)) $(NPU_FW) $(SENSOR_REC_DIR)/aiot-rec-accel.bin

# make deb: the packages of debian/ built in a copy of the tree (no build
# output, nothing .gitignore names), the .debs into $(BUILD)/deb.
DEB_DIR := $(BUILD)/deb
deb:
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src/aiot
	rsync -a --exclude=/.git --exclude=/$(notdir $(BUILD)) --filter=':- .gitignore' \
		./ $(DEB_DIR)/src/aiot/
	cd $(DEB_DIR)/src/aiot && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		dpkg-buildpackage -b --no-sign -j2
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.buildinfo $(DEB_DIR)/src/*.changes $(DEB_DIR)/
	rm -rf $(DEB_DIR)/src

# Builds the debs, installs them on this machine, uses them, purges them.
check-packaging:
	tests/packaging/check-debs


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
