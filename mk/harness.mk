# The harness's own checks on the host: tests/qemu/harness_test.py (what a
# guest's kernel log must fail on, and what is shown as not aiot's).
.PHONY: harness-check
harness-check:
	python3 tests/qemu/harness_test.py

check-host: harness-check
