/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef _AIOT_SIM_H_
#define _AIOT_SIM_H_

#include <linux/platform_device.h>

#define AIOT_SIM_NPU_NAME	"aiot-sim-npu"
/* "AIOT" + IP revision 0.1 of the reference NPU. */
#define AIOT_SIM_NPU_HW_ID	0x41490001

extern struct platform_driver aiot_sim_npu_driver;

#endif /* _AIOT_SIM_H_ */
