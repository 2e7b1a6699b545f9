#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Host checks of aiot-qemu's kernel-log verdicts: what fails a guest run
and what is shown as someone else's report. The fixture is a real guest
log: the 10^6-call fault-injection fuzz run (seed 16) of issue 13; and
vivid's negative-timeout warning from the debug guest's card run (its
block as the harness printed it, the two lines above "Tainted" written
back in the kernel's format: the run's log was overwritten)."""
import importlib.machinery
import importlib.util
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
loader = importlib.machinery.SourceFileLoader("aiot_qemu", str(HERE / "aiot-qemu"))
spec = importlib.util.spec_from_loader("aiot_qemu", loader)
aq = importlib.util.module_from_spec(spec)
loader.exec_module(aq)


class Guest:
    name = "test"


def problems(lines):
    v = aq.Verdict(Guest())
    aq.check_kernel_log(lines, v, "the test log")
    return v.problems


class KernelLogVerdicts(unittest.TestCase):
    def setUp(self):
        self.log = (HERE / "testdata/fuzz-warn-alloc.log").read_text().splitlines()

    def test_injected_allocation_failure_in_the_fuzzer_is_not_counted(self):
        self.assertEqual(problems(self.log), [])

    def test_the_same_warning_in_another_task_fails(self):
        other = [l.replace("aiot-fuzz: vmalloc error", "modprobe: vmalloc error")
                 for l in self.log]
        self.assertEqual(len(problems(other)), 1)

    def test_a_module_frame_on_the_stack_fails(self):
        log = [l.replace("drm_gem_mmap+0x341/0x510", "aiot_gem_mmap+0x341/0x510 [aiot]")
               for l in self.log]
        self.assertEqual(len(problems(log)), 1)

    def test_a_warning_inside_the_block_still_fails(self):
        log = list(self.log)
        log.insert(3, "[ 1064.550000] WARNING: CPU: 1 PID: 1232 at kernel/aiot.c:1")
        self.assertEqual(len(problems(log)), 1)

    def test_a_report_after_the_block_still_fails(self):
        log = self.log + ["[ 1065.000000] BUG: KASAN: slab-use-after-free in aiot_x+0x1/0x2"]
        self.assertEqual(len(problems(log)), 1)

    def test_a_block_without_its_end_fails(self):
        cut = [l for l in self.log if "</TASK>" not in l]
        self.assertEqual(len(problems(cut)), 1)


class VividOnTheDebugKernel(unittest.TestCase):
    """A lockdep kernel's stacks carry stale "?" frames the rule does not
    name; the reliable frames decide."""

    def setUp(self):
        self.log = (HERE / "testdata/vivid-negative-timeout.log").read_text().splitlines()

    def test_stale_frames_do_not_make_it_aiots(self):
        self.assertEqual(problems(self.log), [])

    def test_a_reliable_foreign_frame_fails(self):
        log = [l.replace("kthread+0x283/0x350", "worker_thread+0x283/0x350")
               for l in self.log]
        self.assertEqual(len(problems(log)), 1)

    def test_a_stale_aiot_frame_fails(self):
        log = [l.replace("? __kthread_parkme+0xb5/0x1e0",
                         "? aiot_sensor_stop+0xb5/0x1e0 [aiot_sensor]") for l in self.log]
        self.assertEqual(len(problems(log)), 1)


if __name__ == "__main__":
    sys.argv[1:1] = ["-v"]
    unittest.main()
