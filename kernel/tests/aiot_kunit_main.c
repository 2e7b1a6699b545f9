// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot_kunit.ko: the driver's KUnit suites, one file per concern. Each file
 * registers its suites with kunit_test_suite(); they run at module load.
 */

#include <linux/module.h>

MODULE_DESCRIPTION("KUnit suites for the aiot driver");
MODULE_AUTHOR("The aiot authors");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
