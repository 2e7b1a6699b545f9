// SPDX-License-Identifier: GPL-2.0-only
/* The accel suite: the device, buffer objects, a job context, its records. */
#include "accel.h"

char accel_node[64];

int open_accel(void)
{
	return aiot_test_open_accel(accel_node, sizeof(accel_node));
}

void bo_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

/* A stream of n NOPs. */
size_t build_nop_stream(void *buf, unsigned int n)
{
	struct aiot_isa_header *h = buf;
	struct aiot_isa_op_nop *op = (void *)(h + 1);
	unsigned int i;

	memset(buf, 0, sizeof(*h) + n * sizeof(*op));
	h->magic = AIOT_ISA_MAGIC;
	h->version = AIOT_ISA_VERSION_CURRENT;
	h->size = sizeof(*h) + n * sizeof(*op);
	h->op_count = n;
	for (i = 0; i < n; i++) {
		op[i].hdr.opcode = AIOT_ISA_OP_NOP;
		op[i].hdr.size = sizeof(op[i]);
	}
	return h->size;
}

/* The known fully-connected job's buffers, mapped; fc 0: a one-NOP stream. */
int ctx_open(struct aiot_test_fc_job *c, int fc)
{
	unsigned int flags = AIOT_TEST_FC_MAPPED | (fc ? 0 : AIOT_TEST_FC_BLANK);

	if (aiot_test_fc_open(c, accel_node, sizeof(accel_node), flags))
		return -1;
	if (!fc)
		c->cmd_size = build_nop_stream(c->cmd_map, 1);
	return 0;
}

struct drm_aiot_submit submit_args(const struct aiot_test_fc_job *c)
{
	struct drm_aiot_submit s = {
		.cmd_handle = c->cmd,
		.cmd_size = c->cmd_size,
		.priority = DRM_AIOT_PRIORITY_NORMAL,
	};

	s.bindings[0] = c->weights;
	s.bindings[1] = c->in;
	s.bindings[2] = c->out;
	return s;
}

int job_wait(int fd, uint64_t id, int64_t timeout_ns,
	     struct drm_aiot_job_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->job_id = id;
	w->timeout_ns = timeout_ns;
	return ioctl(fd, DRM_IOCTL_AIOT_JOB_WAIT, w);
}
