// SPDX-License-Identifier: GPL-2.0-only
/* The state of the running TAP case, shared by every file of a suite. */
#include "tap.h"

int tap_case_failed;
const char *tap_skip_reason;
