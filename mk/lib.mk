# SPDX-License-Identifier: GPL-2.0-only
#
# libaiot-accel: shared and static library, pkg-config file, host unit tests
# (Google Test, ASan/UBSan) and the link line of the guest suite lib_accel.
#
#   make $(BUILD)/libaiot-accel.so $(BUILD)/libaiot-accel.a $(BUILD)/aiot-accel.pc
#   make check-host                (runs $(BUILD)/tests/lib_unit_tests)
#   make install-lib [DESTDIR=... PREFIX=...]

LIB_NAME      := libaiot-accel
LIB_VERSION   := 0.4.0
LIB_SOMAJOR   := 0
LIB_SRCS      := $(wildcard lib/*.c)
LIB_HDRS      := $(wildcard lib/*.h) $(wildcard include/aiot/*.h) \
		 include/uapi/drm/aiot_accel.h include/uapi/linux/aiot_isa.h \
		 include/uapi/linux/aiot_sensor.h
LIB_MAP       := lib/libaiot-accel.map
LIB_PKGS      := libdrm libudev
LIB_PKG_CFLAGS := $(shell pkg-config --cflags $(LIB_PKGS) 2>/dev/null)
LIB_PKG_LIBS  := $(shell pkg-config --libs $(LIB_PKGS) 2>/dev/null)
LIB_LDLIBS    := $(LIB_PKG_LIBS) -pthread -lm
LIB_CFLAGS    := $(HOST_CFLAGS) $(LIB_PKG_CFLAGS) -fPIC -fvisibility=hidden -pthread
LIB_OBJS      := $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
# Sanitized copies for the unit tests, so that ASan/UBSan see inside.
LIB_SAN_OBJS  := $(patsubst lib/%.c,$(BUILD)/lib/san/%.o,$(LIB_SRCS))
LIB_SO        := $(BUILD)/$(LIB_NAME).so.$(LIB_VERSION)
LIB_SONAME    := $(LIB_NAME).so.$(LIB_SOMAJOR)
LIB_A         := $(BUILD)/$(LIB_NAME).a
LIB_PC        := $(BUILD)/aiot-accel.pc
LIB_TEST_SRCS := $(wildcard tests/unit/lib_*.cc)
LIB_TEST_HELPERS := $(wildcard tests/unit/lib_*.c)
LIB_TEST_HDRS := $(wildcard tests/unit/lib_*.h)
LIB_TEST_BIN  := $(BUILD)/tests/lib_unit_tests
LIBDIR        ?= $(PREFIX)/lib
INCLUDEDIR    ?= $(PREFIX)/include

USERSPACE  += $(LIB_SO) $(BUILD)/$(LIB_SONAME) $(BUILD)/$(LIB_NAME).so $(LIB_A) $(LIB_PC)
HOST_TESTS += $(LIB_TEST_BIN)

# The guest suite links the static library: nothing to install in the
# guest but libdrm and libudev, which the harness copies (ldd).
GUEST_LDLIBS_lib_accel := $(LIB_A) $(LIB_LDLIBS)
$(BUILD)/guest/tests/lib_accel: $(LIB_A)
GUEST_LDLIBS_lib_sensor := $(LIB_A) $(LIB_LDLIBS)
$(BUILD)/guest/tests/lib_sensor: $(LIB_A)
GUEST_LDLIBS_pipeline := $(LIB_A) $(LIB_LDLIBS)
$(BUILD)/guest/tests/pipeline: $(LIB_A)

.PHONY: install-lib
install: install-lib

$(BUILD)/lib/%.o: lib/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(BUILD)/lib/san/%.o: lib/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) $(SAN) -c $< -o $@

$(LIB_SO): $(LIB_OBJS) $(LIB_MAP)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,$(LIB_SONAME) -Wl,--version-script=$(LIB_MAP) \
		-Wl,-z,defs -Wl,-z,relro -Wl,-z,now $(LDFLAGS) -o $@ $(LIB_OBJS) $(LIB_LDLIBS)

$(BUILD)/$(LIB_SONAME): $(LIB_SO)
	ln -sf $(notdir $<) $@

$(BUILD)/$(LIB_NAME).so: $(BUILD)/$(LIB_SONAME)
	ln -sf $(notdir $<) $@

$(LIB_A): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# The .pc is written again at install time, with the PREFIX/LIBDIR given to
# `make install`. <drm/aiot_accel.h> includes libdrm's "drm.h": libdrm is in
# Requires so that its include path is in --cflags.
define LIB_PC_TEXT
printf '%s\n' \
	'prefix=$(PREFIX)' \
	'libdir=$(LIBDIR)' \
	'includedir=$(INCLUDEDIR)' \
	'' \
	'Name: aiot-accel' \
	'Description: aiot inference accelerators and sensor streams, zero-copy' \
	'Version: $(LIB_VERSION)' \
	'Requires: libdrm' \
	'Requires.private: libudev' \
	'Libs: -L$${libdir} -laiot-accel' \
	'Libs.private: -pthread -lm' \
	'Cflags: -I$${includedir}'
endef

$(LIB_PC): mk/lib.mk
	@mkdir -p $(@D)
	$(LIB_PC_TEXT) > $@

$(LIB_TEST_BIN): $(LIB_TEST_SRCS) $(LIB_TEST_HELPERS) $(LIB_TEST_HDRS) $(LIB_SAN_OBJS) $(LIB_SO)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(LIB_PKG_CFLAGS) $(SAN) -Ilib -c -o $(BUILD)/tests/lib_test_helpers.o $(LIB_TEST_HELPERS)
	$(CXX) $(HOST_CXXFLAGS) $(LIB_PKG_CFLAGS) $(SAN) -Ilib \
		-DAIOT_TEST_LIB_SO='"$(LIB_SO)"' -DAIOT_TEST_MODELS_DIR='"$(abspath ../shared/models)"' \
		-o $@ $(LIB_TEST_SRCS) $(BUILD)/tests/lib_test_helpers.o $(LIB_SAN_OBJS) \
		$(LIB_LDLIBS) -lgtest -lgtest_main

install-lib: $(LIB_SO) $(LIB_A)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/aiot
	install -m 0644 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIB_SO)) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/$(LIB_NAME).so
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	$(LIB_PC_TEXT) > $(DESTDIR)$(LIBDIR)/pkgconfig/aiot-accel.pc
	install -m 0644 include/aiot/*.h $(DESTDIR)$(INCLUDEDIR)/aiot/

# The tutorial's program (docs/libaiot-accel.md), built so that it stays true.
LIB_EXAMPLES := $(BUILD)/examples/sensor-to-decision
USERSPACE += $(LIB_EXAMPLES)

$(BUILD)/examples/%: examples/%.c $(LIB_A) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(LIB_A) $(LIB_LDLIBS)
