// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-npu-card: a job, from its submission entry (decoded, checked) to
 * its run on the ISA executor and its outputs written back.
 */
#include "card_internal.h"

static bool exec_hook(void *arg)
{
	struct card *c = arg;

	if (c->job_hang) {
		/* A hung card makes no progress; it only answers resets. */
		while (!c->abort_job && !c->stop)
			card_service(c, 50000000ull);
		return true;
	}
	if (c->slow_us) {
		uint64_t end = mono_ns() + (uint64_t)c->slow_us * 1000u;
		uint64_t now;

		while (!c->abort_job && (now = mono_ns()) < end)
			card_service(c, end - now);
	} else if (mono_ns() - c->last_service_ns >= CARD_SERVICE_NS) {
		card_service(c, 0);
	}
	if (c->abort_job)
		return true;
	card_progress(c);
	c->job_progress++;
	return false;
}
void job_free(struct job *j)
{
	unsigned int i;

	free(j->cs_sg.e);
	free(j->stream);
	for (i = 0; i < AIOT_CARD_MAX_BINDINGS; i++) {
		free(j->sg[i].e);
		free(j->buf[i]);
	}
}

static void cqe_fail(struct aiot_card_cq_entry *q, uint32_t status,
		     uint32_t detail, int err)
{
	q->status = status;
	q->detail = detail;
	q->errno_val = (uint32_t)(err < 0 ? -err : err);
}

#define SQE_OFF(f)	((uint32_t)offsetof(struct aiot_card_sq_entry, f))
#define BIND_OFF(i, f)	(SQE_OFF(bindings) + \
			 (uint32_t)((i) * sizeof(struct aiot_card_binding)) + \
			 (uint32_t)offsetof(struct aiot_card_binding, f))

/* Field checks; returns false with @q filled in when the entry is bad. */
static bool job_decode(struct card *c, struct job *j,
		       struct aiot_card_cq_entry *q)
{
	struct aiot_card_sq_entry *d = &j->d;
	unsigned int i;

	d->job_id = le64toh(d->job_id);
	d->flags = le32toh(d->flags);
	d->nbindings = le32toh(d->nbindings);
	d->cs_sgl = le64toh(d->cs_sgl);
	d->cs_sgl_count = le32toh(d->cs_sgl_count);
	d->cs_size = le32toh(d->cs_size);
	q->job_id = d->job_id;

	if (d->flags & ~AIOT_CARD_DESC_F_KNOWN)
		goto bad_flags;
	if (d->nbindings > AIOT_CARD_MAX_BINDINGS) {
		cqe_fail(q, AIOT_CARD_CS_INVALID_DESC, SQE_OFF(nbindings),
			 EINVAL);
		return false;
	}
	if (d->cs_sgl_count == 0 || d->cs_sgl_count > AIOT_CARD_MAX_SG_ENTRIES) {
		cqe_fail(q, AIOT_CARD_CS_INVALID_DESC, SQE_OFF(cs_sgl_count),
			 EINVAL);
		return false;
	}
	if (d->cs_size == 0 || d->cs_size > AIOT_CARD_MAX_CS_SIZE) {
		cqe_fail(q, AIOT_CARD_CS_INVALID_DESC, SQE_OFF(cs_size), EINVAL);
		return false;
	}
	for (i = 0; i < 8; i++) {
		if (d->reserved[i]) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 SQE_OFF(reserved) + 4 * i, EINVAL);
			return false;
		}
	}
	for (i = 0; i < 16; i++) {
		if (d->reserved2[i]) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 SQE_OFF(reserved2) + 4 * i, EINVAL);
			return false;
		}
	}
	for (i = 0; i < AIOT_CARD_MAX_BINDINGS; i++) {
		struct aiot_card_binding *b = &d->bindings[i];

		b->sgl = le64toh(b->sgl);
		b->sgl_count = le32toh(b->sgl_count);
		b->flags = le32toh(b->flags);
		b->size = le64toh(b->size);
		if (b->flags & ~AIOT_CARD_BIND_DIR_MASK) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 BIND_OFF(i, flags), EINVAL);
			return false;
		}
		if (!b->flags || i >= d->nbindings) {
			if (b->flags || b->sgl || b->sgl_count || b->size) {
				cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
					 BIND_OFF(i, flags), EINVAL);
				return false;
			}
			continue;
		}
		if (b->sgl_count == 0 ||
		    b->sgl_count > AIOT_CARD_MAX_SG_ENTRIES) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 BIND_OFF(i, sgl_count), EINVAL);
			return false;
		}
		if (b->size == 0 || b->size > c->ram_size) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 BIND_OFF(i, size), EINVAL);
			return false;
		}
	}
	return true;

bad_flags:
	cqe_fail(q, AIOT_CARD_CS_INVALID_DESC, SQE_OFF(flags), EINVAL);
	return false;
}

/*
 * Run one submission. Returns false when no completion may be posted
 * (reset, removal, shutdown cut it short).
 */
bool job_run(struct card *c, struct job *j, struct aiot_card_cq_entry *q)
{
	struct aiot_card_sq_entry *d = &j->d;
	struct aiot_isa_exec_control ctl = { .should_stop = exec_hook,
					     .arg = c };
	struct aiot_isa_summary sum;
	uint32_t readable = 0, writable = 0;
	unsigned int i, nb;
	int r;

	if (!job_decode(c, j, q))
		return true;
	nb = d->nbindings;

	if (knob_take(c, AIOT_CARD_REG_KNOB_DMA_ERROR)) {
		cqe_fail(q, AIOT_CARD_CS_DMA_ERROR, AIOT_CARD_DMA_DETAIL_STREAM,
			 EFAULT);
		return true;
	}
	if (rd32(c, AIOT_CARD_REG_KNOB_HANG)) {
		wr32(c, AIOT_CARD_REG_KNOB_HANG, 0);
		/*
		 * Hung from the moment it takes the job: no DMA, no
		 * progress at all, until a reset aborts it.
		 */
		c->job_hang = true;
		c->in_job = true;
		update_status(c);
		exec_hook(c);
		c->job_hang = false;
		if (c->abort_job || c->stop)
			return false;
	}
	c->slow_us = rd32(c, AIOT_CARD_REG_KNOB_SLOW_US);
	if (c->slow_us > CARD_MAX_SLOW_US)
		c->slow_us = CARD_MAX_SLOW_US;

	q->started_ns = card_now_ns(c);
	wr64(c, AIOT_CARD_REG_CLOCK_NS, q->started_ns);
	r = sg_fetch(c, d->cs_sgl, d->cs_sgl_count, d->cs_size, &j->cs_sg);
	if (r == -ENOMEM) {
		cqe_fail(q, AIOT_CARD_CS_EXEC_ERROR, 0xffffffffu, ENOMEM);
		return true;
	}
	if (r) {
		cqe_fail(q, AIOT_CARD_CS_DMA_ERROR, AIOT_CARD_DMA_DETAIL_STREAM,
			 EFAULT);
		return true;
	}
	j->stream = malloc(d->cs_size);
	if (!j->stream) {
		cqe_fail(q, AIOT_CARD_CS_EXEC_ERROR, 0xffffffffu, ENOMEM);
		return true;
	}
	sg_copy(c, &j->cs_sg, j->stream, d->cs_size, false);

	for (i = 0; i < nb; i++) {
		struct aiot_card_binding *b = &d->bindings[i];

		if (!b->flags)
			continue;
		if (b->flags & AIOT_CARD_BIND_READ)
			readable |= 1u << i;
		if (b->flags & AIOT_CARD_BIND_WRITE)
			writable |= 1u << i;
		r = sg_fetch(c, b->sgl, b->sgl_count, b->size, &j->sg[i]);
		if (r == -ENOMEM) {
			cqe_fail(q, AIOT_CARD_CS_EXEC_ERROR, 0xffffffffu,
				 ENOMEM);
			return true;
		}
		if (r) {
			cqe_fail(q, AIOT_CARD_CS_DMA_ERROR, i, EFAULT);
			return true;
		}
		j->buf[i] = malloc(b->size);
		if (!j->buf[i]) {
			cqe_fail(q, AIOT_CARD_CS_EXEC_ERROR, 0xffffffffu,
				 ENOMEM);
			return true;
		}
		j->size[i] = b->size;
		/* Every bound buffer is read: unwritten bytes keep values. */
		sg_copy(c, &j->sg[i], j->buf[i], b->size, false);
	}

	r = aiot_isa_validate(j->stream, d->cs_size, j->size, nb, &sum);
	if (r) {
		cqe_fail(q, AIOT_CARD_CS_INVALID_STREAM, sum.error_op, r);
		return true;
	}
	for (i = 0; i < nb; i++) {
		uint32_t bit = 1u << i;

		if (((sum.bindings_written & bit) && !(writable & bit)) ||
		    ((sum.bindings_read & bit) && !(readable & bit))) {
			cqe_fail(q, AIOT_CARD_CS_INVALID_DESC,
				 BIND_OFF(i, flags), EINVAL);
			return true;
		}
	}

	c->in_job = true;
	c->job_progress = 0;
	update_status(c);
	/* BUSY until its results and completion are written (the caller). */
	r = aiot_isa_execute_ctl(j->stream, d->cs_size, (void *const *)j->buf,
				 j->size, nb, &ctl);
	c->job_hang = false;
	q->progress = c->job_progress;
	if (c->abort_job)
		return false;
	if (r) {
		cqe_fail(q, AIOT_CARD_CS_EXEC_ERROR, 0xffffffffu, r);
		return true;
	}
	for (i = 0; i < nb; i++) {
		if (writable & (1u << i))
			sg_copy(c, &j->sg[i], j->buf[i], j->size[i], true);
	}
	return true;
}
