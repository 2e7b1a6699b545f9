# SPDX-License-Identifier: GPL-2.0-only
#
# aiotd (tools/aiotd/, docs/cloud.md): the edge-to-cloud daemon. It runs
# the live pipeline of mk/tools.mk on each configured sensor stream and
# publishes every decision through Debian's libmosquitto, with a bounded
# on-disk spool (tools/aiotd/spool.c) between the pipelines and the broker.
# Read after mk/tools.mk (LIVE_PIPELINE_OBJS, TOOLS_COMMON_OBJS) and
# mk/lib.mk (LIB_A); needs libmosquitto-dev.
#
#   make $(BUILD)/aiotd
#   make check-host                  (runs $(BUILD)/tests/aiotd_spool_tests)
#   tests/qemu/aiot-qemu test -k deb612 -t aiotd
AIOTD_SRCS := $(wildcard tools/aiotd/*.c)
AIOTD_HDRS := $(wildcard tools/aiotd/*.h)
AIOTD_OBJS := $(patsubst tools/%.c,$(BUILD)/tools/%.o,$(AIOTD_SRCS))
AIOTD_TEST := $(BUILD)/tests/aiotd_spool_tests
AIOTD_CMD_TEST := $(BUILD)/tests/aiotd_commands_tests
AIOTD_MU_TEST := $(BUILD)/tests/aiotd_model_update_tests

USERSPACE   += $(BUILD)/aiotd
GUEST_PROGS += $(BUILD)/guest/bin/aiotd
HOST_TESTS  += $(AIOTD_TEST) $(AIOTD_MU_TEST) $(AIOTD_CMD_TEST)

$(BUILD)/tools/aiotd/%.o: tools/aiotd/%.c $(AIOTD_HDRS) $(LIVE_PIPELINE_HDRS) $(TOOLS_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Itools/pipeline -c $< -o $@

$(BUILD)/tools/aiotd/san/%.o: tools/aiotd/%.c $(AIOTD_HDRS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(SAN) -c $< -o $@

$(BUILD)/aiotd: $(AIOTD_OBJS) $(LIVE_PIPELINE_OBJS) $(TOOLS_COMMON_OBJS) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $^ $(LIB_LDLIBS) -lmosquitto -lcrypto

$(AIOTD_TEST): tests/unit/aiotd_spool_test.cc $(BUILD)/tools/aiotd/san/spool.o \
	       $(BUILD)/lib/san/model.o $(AIOTD_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -Itools/aiotd -o $@ $< \
		$(BUILD)/tools/aiotd/san/spool.o $(BUILD)/lib/san/model.o -lgtest -lgtest_main -pthread

# model updates: SHA-256 and HMAC through libcrypto (libssl-dev)
$(AIOTD_MU_TEST): tests/unit/aiotd_model_update_test.cc $(BUILD)/tools/aiotd/san/model_update.o \
		  $(AIOTD_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -Itools/aiotd -o $@ $< \
		$(BUILD)/tools/aiotd/san/model_update.o -lcrypto -lgtest -lgtest_main -pthread

# The guest suite tests/integration/aiotd.c is a client of the broker too.
GUEST_LDLIBS_aiotd := $(BUILD)/tools/aiotd/model_update.o $(LIB_A) $(LIB_LDLIBS) -lmosquitto -lcrypto
$(BUILD)/guest/tests/aiotd: $(BUILD)/tools/aiotd/model_update.o $(LIB_A)

# The suite's TLS material (a test CA, the broker's and a client's
# certificates, a rogue CA's client): made fresh on the host with openssl,
# into the guests' /aiot/data/aiotd-tls.
AIOTD_TLS := $(BUILD)/guest/data/aiotd-tls
GUEST_PROGS += $(AIOTD_TLS)/ca.crt
$(AIOTD_TLS)/ca.crt: tests/integration/aiotd_certs.sh
	rm -rf $(AIOTD_TLS)
	tests/integration/aiotd_certs.sh $(AIOTD_TLS)

# What a broker sends, garbage included, through the commands' dispatcher.
$(AIOTD_CMD_TEST): tests/unit/aiotd_commands_test.cc $(BUILD)/tools/aiotd/san/commands.o \
		   $(BUILD)/tools/aiotd/san/model_update.o $(AIOTD_HDRS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(SAN) -Itools/aiotd -o $@ $< $(BUILD)/tools/aiotd/san/commands.o \
		$(BUILD)/tools/aiotd/san/model_update.o -lcrypto -lgtest -lgtest_main -pthread

# The issue's figure, by hand (not in make check: ~3 min of guest time):
# eight streams publishing for 60 s on the deb612 guest, the sim NPU.
# Builds the suite with STREAMS_SECONDS=60, runs its many_streams case,
# then builds it back as CI runs it.
.PHONY: aiotd-streams-60
aiotd-streams-60: userspace
	rm -f $(BUILD)/guest/tests/aiotd
	$(MAKE) --no-print-directory CFLAGS=-DSTREAMS_SECONDS=60 $(BUILD)/guest/tests/aiotd
	st=0; nice -n 10 tests/qemu/aiot-qemu test -k deb612 --npu sim --no-kunit -v -t aiotd \
		--filter many_streams || st=$$?; rm -f $(BUILD)/guest/tests/aiotd; \
	$(MAKE) --no-print-directory $(BUILD)/guest/tests/aiotd; exit $$st
