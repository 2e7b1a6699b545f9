// SPDX-License-Identifier: GPL-2.0-only
/*
 * libaiot-accel's hotplug monitor and sensor counters without a device:
 * the choice of uevent source, which devices are aiot's, node paths from
 * DEVNAME, the table that recognises removals, argument validation, the
 * sysfs counter reader on a fake sysfs directory, and the symbol version
 * of the functions added in 0.2.
 */
#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <aiot/accel.h>
#include <aiot/sensor.h>

#include "internal_logic.h"

namespace {

// A temporary directory, removed with its files at the end of the scope.
class TempDir {
public:
	TempDir()
	{
		char tmpl[] = "/tmp/aiot-lib-test-XXXXXX";
		const char *p = mkdtemp(tmpl);

		path_ = p ? p : "";
	}
	~TempDir()
	{
		if (!path_.empty())
			(void)!std::system(("rm -rf '" + path_ + "'").c_str());
	}
	const std::string &path() const { return path_; }
	void write(const std::string &name, const std::string &text) const
	{
		std::ofstream(path_ + "/" + name) << text;
	}

private:
	std::string path_;
};

// ----------------------------------------------------------- pure logic

TEST(LibMonitorLogic, SourceIsUdevOnlyWhenUdevdListens)
{
	TempDir dir;

	ASSERT_FALSE(dir.path().empty());
	EXPECT_STREQ(aiot_monitor_pick_source((dir.path() + "/control").c_str()), "kernel");
	dir.write("control", "");
	EXPECT_STREQ(aiot_monitor_pick_source((dir.path() + "/control").c_str()), "udev");
	EXPECT_STREQ(aiot_monitor_pick_source(nullptr), "kernel");
	EXPECT_STREQ(aiot_monitor_pick_source("/nonexistent/run/udev/control"), "kernel");
}

TEST(LibMonitorLogic, ClassifiesAiotSubsystems)
{
	const auto accel = static_cast<int>(AIOT_MONITOR_KIND_ACCEL);
	const auto sensor = static_cast<int>(AIOT_MONITOR_KIND_SENSOR);

	EXPECT_EQ(aiot_monitor_classify("aiot", "sensor0"), sensor);
	EXPECT_EQ(aiot_monitor_classify("aiot", "sensor17"), sensor);
	EXPECT_EQ(aiot_monitor_classify("accel", "accel0"), accel);
	EXPECT_EQ(aiot_monitor_classify("drm", "renderD128"), accel);
	// Not ours: DRM card nodes, connectors, other classes, missing fields.
	EXPECT_EQ(aiot_monitor_classify("drm", "card0"), 0);
	EXPECT_EQ(aiot_monitor_classify("drm", "card0-HDMI-A-1"), 0);
	EXPECT_EQ(aiot_monitor_classify("platform", "aiot-sim-npu.0"), 0);
	EXPECT_EQ(aiot_monitor_classify("module", "aiot_sim"), 0);
	EXPECT_EQ(aiot_monitor_classify("aiot", "something"), 0);
	EXPECT_EQ(aiot_monitor_classify("accel", "renderD128"), 0);
	EXPECT_EQ(aiot_monitor_classify(nullptr, "sensor0"), 0);
	EXPECT_EQ(aiot_monitor_classify("aiot", nullptr), 0);
}

std::string devnode(const char *devname, int *ret)
{
	char *path = nullptr;
	std::string out;

	*ret = aiot_monitor_devnode(devname, &path);
	if (*ret == 0)
		out = path;
	else
		EXPECT_EQ(path, nullptr);
	free(path);
	return out;
}

TEST(LibMonitorLogic, NodePathFromDevname)
{
	int ret;

	// Raw kernel uevents: relative to /dev.
	EXPECT_EQ(devnode("accel/accel0", &ret), "/dev/accel/accel0");
	EXPECT_EQ(ret, 0);
	EXPECT_EQ(devnode("dri/renderD128", &ret), "/dev/dri/renderD128");
	EXPECT_EQ(devnode("aiot/sensor3", &ret), "/dev/aiot/sensor3");
	EXPECT_EQ(devnode("null", &ret), "/dev/null");
	// udev's: already absolute.
	EXPECT_EQ(devnode("/dev/accel/accel0", &ret), "/dev/accel/accel0");
	EXPECT_EQ(ret, 0);
	// No node.
	devnode(nullptr, &ret);
	EXPECT_EQ(ret, -ENOENT);
	devnode("", &ret);
	EXPECT_EQ(ret, -ENOENT);
	// Anything outside /dev.
	for (const char *bad : { "/etc/passwd", "/dev/", "/dev", "..", "../etc/passwd",
				 "aiot/../../etc/passwd", "aiot/..", "/dev/../etc" }) {
		devnode(bad, &ret);
		EXPECT_EQ(ret, -EINVAL) << bad;
	}
	// A name that merely contains dots is fine.
	EXPECT_EQ(devnode("aiot/sensor..0", &ret), "/dev/aiot/sensor..0");
}

struct Table {
	struct aiot_monitor_table t = {};
	~Table() { aiot_monitor_table_clear(&t); }
};

struct Event {
	struct aiot_monitor_event *ev = nullptr;
	~Event() { aiot_monitor_event_free(ev); }
	void reset()
	{
		aiot_monitor_event_free(ev);
		ev = nullptr;
	}
};

const char kSensorSys[] = "/sys/devices/platform/aiot-sim-sensor.0/aiot/sensor0";
const char kAccelSys[] = "/sys/devices/platform/aiot-sim-npu.0/accel/accel0";

struct aiot_uevent sensor_uevent(const char *action)
{
	struct aiot_uevent ue = {};

	ue.action = action;
	ue.subsystem = "aiot";
	ue.sysname = "sensor0";
	ue.syspath = kSensorSys;
	ue.devname = "aiot/sensor0";
	if (std::strcmp(action, "add") == 0)
		ue.sensor_name = "accel0";
	return ue;
}

TEST(LibMonitorLogic, SensorArrivesAndLeavesWithItsName)
{
	Table table;
	Event e;
	struct aiot_uevent add = sensor_uevent("add"), rm = sensor_uevent("remove");

	ASSERT_EQ(aiot_monitor_table_apply(&table.t, &add, &e.ev), 1);
	ASSERT_NE(e.ev, nullptr);
	EXPECT_EQ(aiot_monitor_event_get_type(e.ev), AIOT_MONITOR_EVENT_ADD);
	EXPECT_EQ(aiot_monitor_event_get_kind(e.ev), AIOT_MONITOR_KIND_SENSOR);
	EXPECT_STREQ(aiot_monitor_event_get_path(e.ev), "/dev/aiot/sensor0");
	EXPECT_STREQ(aiot_monitor_event_get_sensor_name(e.ev), "accel0");
	EXPECT_STREQ(aiot_monitor_event_get_syspath(e.ev), kSensorSys);
	EXPECT_EQ(table.t.count, 1u);
	e.reset();

	// sysfs is gone on removal: no name, and here not even DEVNAME.
	rm.devname = nullptr;
	ASSERT_EQ(aiot_monitor_table_apply(&table.t, &rm, &e.ev), 1);
	EXPECT_EQ(aiot_monitor_event_get_type(e.ev), AIOT_MONITOR_EVENT_REMOVE);
	EXPECT_EQ(aiot_monitor_event_get_kind(e.ev), AIOT_MONITOR_KIND_SENSOR);
	EXPECT_STREQ(aiot_monitor_event_get_path(e.ev), "/dev/aiot/sensor0");
	EXPECT_STREQ(aiot_monitor_event_get_sensor_name(e.ev), "accel0");
	EXPECT_EQ(table.t.count, 0u);
	e.reset();

	// Removed once only.
	EXPECT_EQ(aiot_monitor_table_apply(&table.t, &rm, &e.ev), 0);
	EXPECT_EQ(e.ev, nullptr);
}

TEST(LibMonitorLogic, AccelNodesOfOtherDriversAreIgnored)
{
	Table table;
	Event e;
	struct aiot_uevent ue = {};

	ue.action = "add";
	ue.subsystem = "accel";
	ue.sysname = "accel0";
	ue.syspath = kAccelSys;
	ue.devname = "accel/accel0";
	ue.aiot_parent = false;		// e.g. another NPU's driver
	EXPECT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 0);
	EXPECT_EQ(e.ev, nullptr);
	ue.action = "remove";
	EXPECT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 0);

	ue.action = "add";
	ue.aiot_parent = true;
	ASSERT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 1);
	EXPECT_EQ(aiot_monitor_event_get_kind(e.ev), AIOT_MONITOR_KIND_ACCEL);
	EXPECT_STREQ(aiot_monitor_event_get_path(e.ev), "/dev/accel/accel0");
	EXPECT_EQ(aiot_monitor_event_get_sensor_name(e.ev), nullptr);
	e.reset();

	// Removal: recognised by syspath, the parent no longer matters.
	ue.action = "remove";
	ue.aiot_parent = false;
	ASSERT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 1);
	EXPECT_EQ(aiot_monitor_event_get_type(e.ev), AIOT_MONITOR_EVENT_REMOVE);
	EXPECT_EQ(aiot_monitor_event_get_kind(e.ev), AIOT_MONITOR_KIND_ACCEL);
}

TEST(LibMonitorLogic, RenderNodesOnly)
{
	Table table;
	Event e;
	struct aiot_uevent ue = {};

	ue.action = "add";
	ue.subsystem = "drm";
	ue.aiot_parent = true;
	ue.sysname = "card0";
	ue.syspath = "/sys/devices/platform/aiot-sim-npu.0/drm/card0";
	ue.devname = "dri/card0";
	EXPECT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 0);
	ue.sysname = "renderD128";
	ue.syspath = "/sys/devices/platform/aiot-sim-npu.0/drm/renderD128";
	ue.devname = "dri/renderD128";
	ASSERT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 1);
	EXPECT_STREQ(aiot_monitor_event_get_path(e.ev), "/dev/dri/renderD128");
	EXPECT_EQ(table.t.count, 1u);
}

TEST(LibMonitorLogic, OtherActionsAndIncompleteUeventsAreIgnored)
{
	Table table;
	Event e;
	struct aiot_uevent ue = sensor_uevent("add");

	ASSERT_EQ(aiot_monitor_table_apply(&table.t, &ue, nullptr), 1);	// listed at start
	for (const char *action : { "change", "bind", "unbind", "move", "online", "" }) {
		ue.action = action;
		EXPECT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 0) << action;
		EXPECT_EQ(e.ev, nullptr);
	}
	EXPECT_EQ(table.t.count, 1u);
	ue.action = nullptr;
	EXPECT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 0);
	ue = sensor_uevent("add");
	ue.syspath = nullptr;
	EXPECT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 0);
	EXPECT_EQ(aiot_monitor_table_apply(&table.t, nullptr, &e.ev), 0);
	EXPECT_EQ(aiot_monitor_table_apply(nullptr, &ue, &e.ev), 0);
	// No node, nothing to open: not announced, not remembered.
	ue = sensor_uevent("add");
	ue.syspath = "/sys/devices/platform/aiot-sim-sensor.0/aiot/sensor1";
	ue.devname = nullptr;
	EXPECT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 0);
	EXPECT_EQ(table.t.count, 1u);
}

TEST(LibMonitorLogic, AnnouncedAgainRefreshes)
{
	Table table;
	Event e;
	struct aiot_uevent ue = sensor_uevent("add");

	ASSERT_EQ(aiot_monitor_table_apply(&table.t, &ue, nullptr), 1);
	// Listed at start and announced by an event that raced with the listing.
	ue.sensor_name = "mic0";
	ASSERT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 1);
	EXPECT_STREQ(aiot_monitor_event_get_sensor_name(e.ev), "mic0");
	EXPECT_EQ(table.t.count, 1u);
	e.reset();
	// The sensor vanished before its name could be read.
	ue.sensor_name = nullptr;
	ASSERT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 1);
	EXPECT_EQ(aiot_monitor_event_get_sensor_name(e.ev), nullptr);
	EXPECT_EQ(table.t.count, 1u);
}

TEST(LibMonitorLogic, ManyDevices)
{
	Table table;
	std::string sys[100], dev[100];

	for (int i = 0; i < 100; i++) {
		struct aiot_uevent ue = sensor_uevent("add");

		sys[i] = "/sys/devices/platform/x/aiot/sensor" + std::to_string(i);
		dev[i] = "aiot/sensor" + std::to_string(i);
		ue.syspath = sys[i].c_str();
		ue.devname = dev[i].c_str();
		ASSERT_EQ(aiot_monitor_table_apply(&table.t, &ue, nullptr), 1);
	}
	EXPECT_EQ(table.t.count, 100u);
	// Remove in another order than added; each once.
	for (int i = 99; i >= 0; i -= 2) {
		struct aiot_uevent ue = sensor_uevent("remove");
		Event e;

		ue.syspath = sys[i].c_str();
		ASSERT_EQ(aiot_monitor_table_apply(&table.t, &ue, &e.ev), 1);
		EXPECT_EQ(std::string(aiot_monitor_event_get_path(e.ev)), "/dev/" + dev[i]);
	}
	EXPECT_EQ(table.t.count, 50u);
	for (int i = 0; i < 100; i++) {
		struct aiot_uevent ue = sensor_uevent("remove");

		ue.syspath = sys[i].c_str();
		EXPECT_EQ(aiot_monitor_table_apply(&table.t, &ue, nullptr), i % 2 ? 0 : 1) << i;
	}
	EXPECT_EQ(table.t.count, 0u);
}

// -------------------------------------------------------------- the API

TEST(LibMonitorArgs, NullArguments)
{
	struct aiot_monitor_event *ev = nullptr;

	EXPECT_EQ(aiot_monitor_new(nullptr), -EINVAL);
	EXPECT_EQ(aiot_monitor_get_fd(nullptr), -EINVAL);
	EXPECT_EQ(aiot_monitor_get_source(nullptr), nullptr);
	EXPECT_EQ(aiot_monitor_wait(nullptr, 0), -EINVAL);
	EXPECT_EQ(aiot_monitor_read_event(nullptr, &ev), -EINVAL);
	EXPECT_EQ(ev, nullptr);
	aiot_monitor_free(nullptr);
	aiot_monitor_event_free(nullptr);
	EXPECT_EQ(static_cast<int>(aiot_monitor_event_get_type(nullptr)), 0);
	EXPECT_EQ(static_cast<int>(aiot_monitor_event_get_kind(nullptr)), 0);
	EXPECT_EQ(aiot_monitor_event_get_path(nullptr), nullptr);
	EXPECT_EQ(aiot_monitor_event_get_sensor_name(nullptr), nullptr);
	EXPECT_EQ(aiot_monitor_event_get_syspath(nullptr), nullptr);
}

TEST(LibMonitorArgs, QuietOnTheHost)
{
	struct aiot_monitor *mon = nullptr;
	struct aiot_monitor_event *ev = nullptr;
	int ret = aiot_monitor_new(&mon);

	if (ret == -EPERM || ret == -EACCES || ret == -EPROTONOSUPPORT || ret == -EAFNOSUPPORT)
		GTEST_SKIP() << "no uevent netlink socket here: " << aiot_strerror(ret);
	ASSERT_EQ(ret, 0) << aiot_strerror(ret);
	ASSERT_NE(mon, nullptr);
	EXPECT_STREQ(aiot_monitor_get_source(mon), aiot_monitor_pick_source(AIOT_UDEV_CONTROL));
	int fd = aiot_monitor_get_fd(mon);
	EXPECT_GE(fd, 0);
	EXPECT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_TRUE(fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(aiot_monitor_read_event(mon, nullptr), -EINVAL);
	// The host has no aiot device: whatever else happens is skipped.
	int w = aiot_monitor_wait(mon, 1000000);
	EXPECT_TRUE(w == 0 || w == 1) << w;
	EXPECT_EQ(aiot_monitor_read_event(mon, &ev), -EAGAIN);
	EXPECT_EQ(ev, nullptr);
	aiot_monitor_free(mon);
}

// ---------------------------------------------------------- sensor stats

TEST(LibSensorStat, AttributeNames)
{
	EXPECT_STREQ(aiot_sensor_stat_attr(AIOT_SENSOR_STAT_BYTES_COPIED), "bytes_copied");
	EXPECT_STREQ(aiot_sensor_stat_attr(AIOT_SENSOR_STAT_DROPS), "drops");
	EXPECT_STREQ(aiot_sensor_stat_attr(AIOT_SENSOR_STAT_OVERWRITTEN), "overwritten");
	EXPECT_EQ(aiot_sensor_stat_attr(AIOT_SENSOR_STAT_COUNT_), nullptr);
	EXPECT_EQ(aiot_sensor_stat_attr(static_cast<aiot_sensor_stat>(-1)), nullptr);
}

TEST(LibSensorStat, ParsesWhatSysfsWrites)
{
	uint64_t v = 42;

	EXPECT_EQ(aiot_parse_counter("0\n", &v), 0);
	EXPECT_EQ(v, 0u);
	EXPECT_EQ(aiot_parse_counter("1234\n", &v), 0);
	EXPECT_EQ(v, 1234u);
	EXPECT_EQ(aiot_parse_counter("77", &v), 0);
	EXPECT_EQ(v, 77u);
	EXPECT_EQ(aiot_parse_counter("18446744073709551615\n", &v), 0);
	EXPECT_EQ(v, UINT64_MAX);
	v = 42;
	for (const char *bad : { "", "\n", "-1\n", " 1\n", "+1", "0x10", "12a\n", "1 2\n",
				 "1\n\n", "18446744073709551616\n", "abc" })
		EXPECT_EQ(aiot_parse_counter(bad, &v), -EIO) << '"' << bad << '"';
	EXPECT_EQ(aiot_parse_counter(nullptr, &v), -EIO);
	EXPECT_EQ(v, 42u);
}

TEST(LibSensorStat, ReadsAFakeSysfsDirectory)
{
	TempDir dir;
	uint64_t v = 0;

	ASSERT_FALSE(dir.path().empty());
	dir.write("bytes_copied", "4800\n");
	dir.write("drops", "3\n");
	dir.write("overwritten", "garbage\n");
	int dirfd = open(dir.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(dirfd, 0);
	EXPECT_EQ(aiot_sensor_read_counter(dirfd, AIOT_SENSOR_STAT_BYTES_COPIED, &v), 0);
	EXPECT_EQ(v, 4800u);
	EXPECT_EQ(aiot_sensor_read_counter(dirfd, AIOT_SENSOR_STAT_DROPS, &v), 0);
	EXPECT_EQ(v, 3u);
	EXPECT_EQ(aiot_sensor_read_counter(dirfd, AIOT_SENSOR_STAT_OVERWRITTEN, &v), -EIO);
	EXPECT_EQ(aiot_sensor_read_counter(dirfd, AIOT_SENSOR_STAT_COUNT_, &v), -EINVAL);
	EXPECT_EQ(aiot_sensor_read_counter(dirfd, AIOT_SENSOR_STAT_DROPS, nullptr), -EINVAL);
	EXPECT_EQ(aiot_sensor_read_counter(-1, AIOT_SENSOR_STAT_DROPS, &v), -ENODEV);
	// The counter changes between reads: read again, never cached.
	dir.write("drops", "9\n");
	EXPECT_EQ(aiot_sensor_read_counter(dirfd, AIOT_SENSOR_STAT_DROPS, &v), 0);
	EXPECT_EQ(v, 9u);
	// The device goes away: its attributes with it.
	unlink((dir.path() + "/drops").c_str());
	EXPECT_EQ(aiot_sensor_read_counter(dirfd, AIOT_SENSOR_STAT_DROPS, &v), -ENODEV);
	// A directory that was replaced by a new one of the same name is not read.
	std::string moved = dir.path() + ".old";
	ASSERT_EQ(rename(dir.path().c_str(), moved.c_str()), 0);
	ASSERT_EQ(mkdir(dir.path().c_str(), 0755), 0);
	dir.write("bytes_copied", "0\n");
	EXPECT_EQ(aiot_sensor_read_counter(dirfd, AIOT_SENSOR_STAT_BYTES_COPIED, &v), 0);
	EXPECT_EQ(v, 4800u);	// the directory opened, not the path
	(void)!std::system(("rm -rf '" + moved + "'").c_str());
	EXPECT_EQ(aiot_sensor_read_counter(dirfd, AIOT_SENSOR_STAT_BYTES_COPIED, &v), -ENODEV);
	close(dirfd);
}

TEST(LibSensorTestPattern, FindsByNameInAFakeSysfsDirectory)
{
	TempDir dir;
	unsigned int n = 77;

	ASSERT_FALSE(dir.path().empty());
	int dirfd = open(dir.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
	ASSERT_GE(dirfd, 0);
	// A kernel without the attribute has no test pattern by name.
	EXPECT_EQ(aiot_sensor_find_test_pattern_in(dirfd, "ramp", &n), -ENOENT);
	dir.write("test_patterns", "1 sine\n2 ramp\n3 noise\n5 replay\n");
	EXPECT_EQ(aiot_sensor_find_test_pattern_in(dirfd, "ramp", &n), 0);
	EXPECT_EQ(n, 2u);
	EXPECT_EQ(aiot_sensor_find_test_pattern_in(dirfd, "replay", &n), 0);
	EXPECT_EQ(n, 5u);
	EXPECT_EQ(aiot_sensor_find_test_pattern_in(dirfd, "sine", &n), 0);
	EXPECT_EQ(n, 1u);
	// Whole names only; LIVE is not a test pattern.
	EXPECT_EQ(aiot_sensor_find_test_pattern_in(dirfd, "ram", &n), -ENOENT);
	EXPECT_EQ(aiot_sensor_find_test_pattern_in(dirfd, "live", &n), -ENOENT);
	EXPECT_EQ(aiot_sensor_find_test_pattern_in(dirfd, "", &n), -EINVAL);
	EXPECT_EQ(aiot_sensor_find_test_pattern_in(dirfd, nullptr, &n), -EINVAL);
	EXPECT_EQ(aiot_sensor_find_test_pattern_in(dirfd, "ramp", nullptr), -EINVAL);
	EXPECT_EQ(aiot_sensor_find_test_pattern_in(-1, "ramp", &n), -ENODEV);
	// Malformed lists are refused, not half read.
	for (const char *bad : { "x ramp\n", "2ramp\n", "0 live\n", "32 big\n", "-1 neg\n" }) {
		dir.write("test_patterns", bad);
		EXPECT_EQ(aiot_sensor_find_test_pattern_in(dirfd, "ramp", &n), -EIO) << bad;
	}
	EXPECT_EQ(aiot_sensor_find_test_pattern(nullptr, "ramp", &n), -EINVAL);
	close(dirfd);
}

TEST(LibSensorStat, NullSensor)
{
	uint64_t v = 5;

	EXPECT_EQ(aiot_sensor_get_stat(nullptr, AIOT_SENSOR_STAT_BYTES_COPIED, &v), -EINVAL);
	EXPECT_EQ(v, 5u);
}

// ------------------------------------------------------- symbol versions

// The names listed in one version node of the linker script.
std::set<std::string> map_node(const std::string &node)
{
	std::ifstream f("lib/libaiot-accel.map");
	std::stringstream ss;
	std::set<std::string> names;

	ss << f.rdbuf();
	std::string text = ss.str();
	size_t at = text.find(node + " {");
	if (at == std::string::npos)
		return names;
	size_t end = text.find('}', at);
	std::istringstream body(text.substr(at, end - at));
	std::string word;
	while (body >> word) {
		if (!word.empty() && word.back() == ';')
			word.pop_back();
		if (word.rfind("aiot_", 0) == 0 && word.find('*') == std::string::npos)
			names.insert(word);
	}
	return names;
}

TEST(LibExportsVersions, AdditionsCarryTheirNode)
{
	std::set<std::string> listed02 = map_node("AIOT_ACCEL_0.2");
	std::set<std::string> listed03 = map_node("AIOT_ACCEL_0.3");
	std::set<std::string> v01, v02, v03;
	std::string cmd = std::string("nm -D --defined-only ") + AIOT_TEST_LIB_SO;
	FILE *p = popen(cmd.c_str(), "r");
	char line[512];

	ASSERT_NE(p, nullptr);
	while (fgets(line, sizeof(line), p)) {
		char addr[64], type[8], name[256];

		if (sscanf(line, "%63s %7s %255s", addr, type, name) != 3)
			continue;
		std::string n(name);
		size_t at = n.find("@@");
		if (at == std::string::npos)
			continue;
		std::string node = n.substr(at + 2);
		(node == "AIOT_ACCEL_0.2" ? v02 : node == "AIOT_ACCEL_0.3" ? v03 : v01)
			.insert(n.substr(0, at));
	}
	pclose(p);
	ASSERT_GE(listed02.size(), 13u) << "lib/libaiot-accel.map (run from the source tree)";
	EXPECT_EQ(v02, listed02);
	EXPECT_EQ(v03, listed03);
	// What 0.2 and 0.3 added, nothing of it left in 0.1 by a forgotten map entry.
	for (const auto &name : v01) {
		EXPECT_NE(name.rfind("aiot_monitor_", 0), 0u) << name;
		EXPECT_NE(name, "aiot_sensor_get_stat");
		EXPECT_NE(name, "aiot_sensor_find_test_pattern");
	}
	EXPECT_TRUE(v01.count("aiot_accel_open"));
	EXPECT_TRUE(v02.count("aiot_monitor_new"));
	EXPECT_TRUE(v02.count("aiot_sensor_get_stat"));
	EXPECT_TRUE(v03.count("aiot_sensor_find_test_pattern"));
}

}  // namespace
