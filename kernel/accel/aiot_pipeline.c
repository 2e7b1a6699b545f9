// SPDX-License-Identifier: GPL-2.0-only
/*
 * Standing pipelines (docs/pipeline.md): userspace describes once "for
 * every slot of sensor stream S run the front end F, every K slots the
 * model M, deadline D", and reads decision records from a pollable file.
 *
 * The sensor core calls us from its DMA completion path (any context,
 * under its spinlock): aiot_pipeline_slot_done() only notes the slot and
 * queues @slot_work. The work, in process context, queues the slot's jobs
 * through the same path SUBMIT takes (aiot_submit_kernel()), the slot bound
 * from a dma-buf imported once at create. One period is in flight at a
 * time: a decision slot that comes while the period before is still in
 * flight is skipped and counted, never queued behind. Front-end jobs may
 * queue behind each other, a few (@fe_depth), so that one slow slot does
 * not cost its period a hole in the features. The model's fence callback
 * queues @done_work, which writes the period's record.
 *
 * aiot-sensor.ko is reached through symbol_get(): aiot.ko does not need it
 * loaded, and a pipeline keeps it loaded while it holds a stream.
 */

#include <linux/anon_inodes.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>
#include <drm/aiot_accel.h>

#include "aiot_compat.h"
#include "aiot_device.h"
#include "aiot_job_dma.h"
#include "aiot_sensor.h"

/* Slots noted by the DMA path and not yet taken by the work (power of 2). */
#define AIOT_PIPELINE_PENDING	16
/* Front-end jobs unfinished at once, at most (each holds its slot). */
#define AIOT_PIPELINE_FE_MAX	8

/**
 * struct aiot_pipeline_fe_job - a front-end job not known to be finished
 * @done: its fence (a reference)
 * @period: the period its slot belongs to (@slot_period when queued)
 */
struct aiot_pipeline_fe_job {
	struct dma_fence *done;
	u64 period;
};

struct aiot_pipeline_stage {
	void *stream;
	u32 stream_size;
	bool slot;
	u32 slot_binding;
	bool plane1;
	u32 plane1_binding;
	struct drm_gem_object *bos[AIOT_NPU_MAX_BINDINGS];
};

/**
 * struct aiot_pipeline_fbuf - a frame buffer of an external pipeline
 * @dmabuf: the dma-buf, the cache's key (the import holds a reference)
 * @obj: its import
 */
struct aiot_pipeline_fbuf {
	struct dma_buf *dmabuf;
	struct drm_gem_object *obj;
};

/**
 * struct aiot_pipeline_period - the period in flight
 * @slot: the period's last slot
 * @job_id: its model job
 * @done: the model job's fence (a reference)
 * @index: its @slot_period
 * @fe_error: the first error of its front-end jobs, or 0
 * @flags: DRM_AIOT_PIPELINE_REC_* gathered so far
 */
struct aiot_pipeline_period {
	struct aiot_sensor_slot_done slot;
	u64 job_id;
	struct dma_fence *done;
	u64 index;
	int fe_error;
	u32 flags;
};

/**
 * struct aiot_pipeline - one standing pipeline
 * @ref: held by the decision file, by an armed model-fence callback
 * @adev: the device (drm_dev_get())
 * @afile: the creating file's context (a reference)
 * @file: the creating DRM file; used only while @attached, which its
 *	postclose ends (aiot_pipeline_file_close())
 * @node: in @afile's list of pipelines
 * @sensor_file: the sensor stream's file (a reference)
 * @attach: aiot_sensor_consumer_attach(), from symbol_get()
 * @consumer: our hook in the sensor core
 * @slots: the ring's slots, imported as GEM objects (references)
 * @slot_count: how many
 * @external: the frames come from userspace (DRM_AIOT_PIPELINE_IOC_FRAME)
 * @fbufs: with @external, the frame buffers imported so far (under @lock)
 * @fbuf_count: how many
 * @planes: with @external, the planes of a frame (1 or 2)
 * @fe: the front end, or @fe.stream NULL
 * @model: the model
 * @period_slots: K
 * @priority: the jobs' priority
 * @deadline_ns: D, after a slot's DMA completion, 0 for none
 * @out_bo: the buffer a record copies from (a reference), or NULL
 * @out_map: its kernel mapping
 * @out_offset: where a record's bytes start
 * @out_size: how many
 * @lock: the state below and job submission; taken by the works and ioctls
 * @attached: @consumer is attached (and @file usable)
 * @running: started
 * @dead: torn down: the file closed, the device or the sensor went away
 * @busy: a period is in flight (@cur), until its record is written
 * @fe_jobs: front-end jobs queued and not yet seen finished, oldest first
 *	at @fe_head (a ring of @fe_len)
 * @fe_head: see @fe_jobs
 * @fe_len: see @fe_jobs
 * @fe_depth: how many may be unfinished when a slot is given its own
 * @slot_period: the period the next slot belongs to, counted as slots
 *	come (@period counts records, which come later)
 * @fe_error: the first error of the current period's front-end jobs
 * @in_period: slots of the current period seen so far
 * @cur_flags: flags gathered for the current period
 * @cur: the period in flight
 * @next_seq: the sensor sequence expected next
 * @seq_valid: @next_seq is known
 * @period: index of the next period
 * @slot_work: takes the noted slots
 * @done_work: writes the record of the period in flight
 * @kill_work: tears down from a context that may not (the sensor's hook)
 * @release_work: frees the pipeline on the cleanup workqueue
 * @cb: the model fence's callback
 * @irq_lock: @pending, @records, @stats; taken in the DMA path
 * @pending: slots noted and not yet taken
 * @pending_head: the next to take
 * @pending_tail: the next free
 * @gone: the sensor's backend went away
 * @records: the record ring
 * @rec_count: its entries
 * @rec_head: the oldest record
 * @rec_len: records held
 * @stats: the counters
 * @wq: readers wait here
 */
struct aiot_pipeline {
	struct kref ref;
	struct aiot_device *adev;
	struct aiot_file *afile;
	struct drm_file *file;
	struct list_head node;
	struct file *sensor_file;
	int (*attach)(struct file *owner, struct aiot_sensor_consumer *c);
	struct aiot_sensor_consumer consumer;
	struct drm_gem_object **slots;
	u32 slot_count;
	bool external;
	struct aiot_pipeline_fbuf fbufs[DRM_AIOT_PIPELINE_MAX_FRAME_BUFS];
	u32 fbuf_count;
	u32 planes;
	struct aiot_pipeline_stage fe;
	struct aiot_pipeline_stage model;
	u32 period_slots;
	u32 priority;
	u64 deadline_ns;
	struct drm_gem_object *out_bo;
	struct iosys_map out_map;
	u32 out_offset;
	u32 out_size;

	struct mutex lock;	/* state, submission */
	bool attached;
	bool running;
	bool dead;
	bool busy;
	struct aiot_pipeline_fe_job fe_jobs[AIOT_PIPELINE_FE_MAX];
	u32 fe_head;
	u32 fe_len;
	u32 fe_depth;
	u64 slot_period;
	int fe_error;
	u32 in_period;
	u32 cur_flags;
	struct aiot_pipeline_period cur;
	u64 next_seq;
	bool seq_valid;
	u64 period;
	struct work_struct slot_work;
	struct work_struct done_work;
	struct work_struct kill_work;
	struct work_struct release_work;
	struct dma_fence_cb cb;

	spinlock_t irq_lock;	/* pending, records, stats; DMA path */
	struct aiot_sensor_slot_done pending[AIOT_PIPELINE_PENDING];
	u32 pending_head;
	u32 pending_tail;
	bool gone;
	struct drm_aiot_pipeline_record *records;
	u32 rec_count;
	u32 rec_head;
	u32 rec_len;
	struct drm_aiot_pipeline_stats stats;
	wait_queue_head_t wq;
};

static void aiot_pipeline_release_work(struct work_struct *work)
{
	struct aiot_pipeline *p = container_of(work, struct aiot_pipeline,
					       release_work);
	int i;
	u32 j;

	for (j = 0; j < p->fe_len; j++)
		dma_fence_put(p->fe_jobs[(p->fe_head + j) %
					 AIOT_PIPELINE_FE_MAX].done);
	dma_fence_put(p->cur.done);
	for (j = 0; p->slots && j < p->slot_count; j++)
		if (p->slots[j])
			drm_gem_object_put(p->slots[j]);
	kfree(p->slots);
	for (j = 0; j < p->fbuf_count; j++) {
		drm_gem_object_put(p->fbufs[j].obj);
		dma_buf_put(p->fbufs[j].dmabuf);
	}
	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		if (p->fe.bos[i])
			drm_gem_object_put(p->fe.bos[i]);
		if (p->model.bos[i])
			drm_gem_object_put(p->model.bos[i]);
	}
	kvfree(p->fe.stream);
	kvfree(p->model.stream);
	if (p->out_bo) {
		if (!iosys_map_is_null(&p->out_map))
			aiot_gem_vunmap(p->out_bo, &p->out_map);
		drm_gem_object_put(p->out_bo);
	}
	if (p->sensor_file)
		fput(p->sensor_file);
	if (p->attach)
		symbol_put(aiot_sensor_consumer_attach);
	kvfree(p->records);
	mutex_destroy(&p->lock);
	aiot_file_put(p->afile);
	drm_dev_put(&p->adev->drm);
	kfree(p);
	/* The cleanup workqueue is drained at module exit. */
	module_put(THIS_MODULE);
}

static void aiot_pipeline_release(struct kref *ref)
{
	struct aiot_pipeline *p = container_of(ref, struct aiot_pipeline, ref);

	/* Maybe from a fence callback's work: free in a context of our own. */
	INIT_WORK(&p->release_work, aiot_pipeline_release_work);
	aiot_queue_cleanup_work(&p->release_work);
}

static void aiot_pipeline_put(struct aiot_pipeline *p)
{
	kref_put(&p->ref, aiot_pipeline_release);
}

/* Add a record; irq_lock held. The oldest is overwritten when full. */
static void aiot_pipeline_push_locked(struct aiot_pipeline *p,
				      struct drm_aiot_pipeline_record *rec)
{
	u32 at;

	if (p->rec_len == p->rec_count) {
		p->stats.overflows++;
		p->rec_head = (p->rec_head + 1) % p->rec_count;
		p->rec_len--;
	}
	rec->late = p->stats.late;
	rec->skipped_slots = p->stats.skipped_slots;
	rec->overflows = p->stats.overflows;
	at = (p->rec_head + p->rec_len) % p->rec_count;
	p->records[at] = *rec;
	p->rec_len++;
}

static void aiot_pipeline_push(struct aiot_pipeline *p,
			       struct drm_aiot_pipeline_record *rec)
{
	unsigned long flags;

	rec->decided_ns = ktime_get_ns();
	spin_lock_irqsave(&p->irq_lock, flags);
	p->stats.periods++;
	if (rec->flags & DRM_AIOT_PIPELINE_REC_LATE)
		p->stats.late++;
	else if (rec->status)
		p->stats.failed++;
	else
		p->stats.decisions++;
	aiot_pipeline_push_locked(p, rec);
	spin_unlock_irqrestore(&p->irq_lock, flags);
	wake_up_interruptible(&p->wq);
}

/*
 * The sensor's DMA path: any context, under the sensor's spinlock. A noted
 * slot is held (not recycled by the ring) until the slot work has queued
 * its jobs, whose read fences then keep it, or skipped it.
 */
static bool aiot_pipeline_slot_done(struct aiot_sensor_consumer *c,
				    const struct aiot_sensor_slot_done *done)
{
	struct aiot_pipeline *p = container_of(c, struct aiot_pipeline,
					       consumer);
	unsigned long flags;
	bool kick = true;

	spin_lock_irqsave(&p->irq_lock, flags);
	p->stats.slots++;
	if (p->pending_tail - p->pending_head == AIOT_PIPELINE_PENDING) {
		/* The work is that far behind: the chain is late anyway. */
		p->stats.skipped_slots++;
		kick = false;
	} else {
		p->pending[p->pending_tail++ % AIOT_PIPELINE_PENDING] = *done;
	}
	spin_unlock_irqrestore(&p->irq_lock, flags);
	if (kick)
		queue_work(system_highpri_wq, &p->slot_work);
	return kick;
}

static void aiot_pipeline_gone(struct aiot_sensor_consumer *c)
{
	struct aiot_pipeline *p = container_of(c, struct aiot_pipeline,
					       consumer);

	spin_lock(&p->irq_lock);
	p->gone = true;
	spin_unlock(&p->irq_lock);
	kref_get(&p->ref);
	if (!queue_work(system_highpri_wq, &p->kill_work))
		aiot_pipeline_put(p);
}

static bool aiot_pipeline_pop(struct aiot_pipeline *p,
			      struct aiot_sensor_slot_done *done)
{
	bool got = false;

	spin_lock_irq(&p->irq_lock);
	if (p->pending_head != p->pending_tail) {
		*done = p->pending[p->pending_head++ % AIOT_PIPELINE_PENDING];
		got = true;
	}
	spin_unlock_irq(&p->irq_lock);
	return got;
}

static void aiot_pipeline_model_cb(struct dma_fence *fence,
				   struct dma_fence_cb *cb)
{
	struct aiot_pipeline *p = container_of(cb, struct aiot_pipeline, cb);

	/* The reference taken when the callback was armed goes with it. */
	queue_work(system_highpri_wq, &p->done_work);
}

/* Queue one stage on the slot (@frame its planes); p->lock held. */
static int aiot_pipeline_queue(struct aiot_pipeline *p,
			       struct aiot_pipeline_stage *st,
			       const struct aiot_sensor_slot_done *slot,
			       struct drm_gem_object **frame,
			       struct dma_fence **frame_done,
			       struct dma_fence **done, u64 *job_id)
{
	struct aiot_kernel_submit ks = {
		.stream = st->stream,
		.stream_size = st->stream_size,
		.priority = p->priority,
	};
	int ret;

	memcpy(ks.bos, st->bos, sizeof(ks.bos));
	if (st->slot)
		ks.bos[st->slot_binding] = frame[0];
	if (st->plane1)
		ks.bos[st->plane1_binding] = frame[1];
	if (p->deadline_ns)
		ks.deadline_ns = slot->dma_done_ns + p->deadline_ns;
	ret = aiot_submit_kernel(p->file, &ks, done, job_id, false);
	if (ret)
		return ret;
	if (st->slot && frame_done) {
		dma_fence_put(*frame_done);
		*frame_done = dma_fence_get(*done);
	}
	return 0;
}

/*
 * Forget the front-end jobs that have finished, oldest first, keeping the
 * first error of each period's: the current one's, or the one in flight's.
 * Front ends of a skipped period have no record to spoil. p->lock held.
 */
static void aiot_pipeline_reap_fe(struct aiot_pipeline *p)
{
	struct aiot_pipeline_fe_job *j;
	int ret;

	lockdep_assert_held(&p->lock);
	while (p->fe_len) {
		j = &p->fe_jobs[p->fe_head];
		if (!dma_fence_is_signaled(j->done))
			break;
		ret = dma_fence_get_status(j->done);
		if (ret < 0 && j->period == p->slot_period && !p->fe_error)
			p->fe_error = ret;
		else if (ret < 0 && p->busy && j->period == p->cur.index &&
			 !p->cur.fe_error)
			p->cur.fe_error = ret;
		dma_fence_put(j->done);
		p->fe_head = (p->fe_head + 1) % AIOT_PIPELINE_FE_MAX;
		p->fe_len--;
	}
}

/* The current period ends (decided, skipped or failed): the next begins. */
static void aiot_pipeline_next_period(struct aiot_pipeline *p)
{
	p->slot_period++;
	p->in_period = 0;
	p->cur_flags = 0;
	p->fe_error = 0;
}

/* A device or sensor that went away ends the pipeline. */
static void aiot_pipeline_fail_locked(struct aiot_pipeline *p)
{
	lockdep_assert_held(&p->lock);
	p->running = false;
	p->dead = true;
	kref_get(&p->ref);
	if (!queue_work(system_highpri_wq, &p->kill_work))
		aiot_pipeline_put(p);
	wake_up_interruptible_all(&p->wq);
}

/*
 * One slot (@frame: its planes), p->lock held. @frame_done, if not NULL,
 * receives the fence of the last job queued that reads the frame (a
 * reference), or stays NULL when none does (the slot was skipped). Returns
 * whether the slot was skipped.
 */
static bool aiot_pipeline_take_slot(struct aiot_pipeline *p,
				    const struct aiot_sensor_slot_done *slot,
				    struct drm_gem_object **frame,
				    struct dma_fence **frame_done)
{
	struct drm_aiot_pipeline_record rec = {};
	struct dma_fence *done;
	bool decision;
	u64 job_id;
	int ret, idx;

	if (slot->flags & AIOT_SENSOR_BUF_OVERFLOWED ||
	    (p->seq_valid && slot->sequence != p->next_seq)) {
		spin_lock_irq(&p->irq_lock);
		if (p->seq_valid && slot->sequence > p->next_seq)
			p->stats.sensor_drops += slot->sequence - p->next_seq;
		spin_unlock_irq(&p->irq_lock);
		p->cur_flags |= DRM_AIOT_PIPELINE_REC_GAP;
	}
	p->next_seq = slot->sequence + 1;
	p->seq_valid = true;
	p->in_period++;
	decision = p->in_period == p->period_slots;
	aiot_pipeline_reap_fe(p);

	/*
	 * Never queue a decision behind a period still in flight, nor a front
	 * end behind @fe_depth unfinished ones: skip and count. (The model
	 * job of the period in flight may still read the features a front
	 * end writes: implicit sync orders the two.)
	 */
	if ((decision && p->busy) ||
	    (p->fe.stream && p->fe_len >= p->fe_depth)) {
		spin_lock_irq(&p->irq_lock);
		p->stats.skipped_slots++;
		spin_unlock_irq(&p->irq_lock);
		p->cur_flags |= DRM_AIOT_PIPELINE_REC_LATE;
		if (!decision)
			return true;
		/*
		 * The period's decision slot itself: the period is skipped,
		 * counted, with no record (records stay in order; the next
		 * one's @period and @late show it).
		 */
		spin_lock_irq(&p->irq_lock);
		p->stats.periods++;
		p->stats.late++;
		spin_unlock_irq(&p->irq_lock);
		p->period++;
		aiot_pipeline_next_period(p);
		return true;
	}

	if (!drm_dev_enter(&p->adev->drm, &idx)) {
		aiot_pipeline_fail_locked(p);
		return false;
	}
	if (p->fe.stream) {
		ret = aiot_pipeline_queue(p, &p->fe, slot, frame, frame_done,
					  &done, &job_id);
		if (ret)
			goto failed;
		p->fe_jobs[(p->fe_head + p->fe_len) % AIOT_PIPELINE_FE_MAX] =
			(struct aiot_pipeline_fe_job){ done, p->slot_period };
		p->fe_len++;
		spin_lock_irq(&p->irq_lock);
		p->stats.frontend_jobs++;
		spin_unlock_irq(&p->irq_lock);
	}
	if (!decision) {
		drm_dev_exit(idx);
		return false;
	}
	ret = aiot_pipeline_queue(p, &p->model, slot, frame, frame_done,
				  &done, &job_id);
	drm_dev_exit(idx);
	if (ret)
		goto record_error;
	p->busy = true;
	p->cur.slot = *slot;
	p->cur.job_id = job_id;
	p->cur.done = done;
	p->cur.index = p->slot_period;
	p->cur.flags = p->cur_flags;
	p->cur.fe_error = p->fe_error;
	aiot_pipeline_next_period(p);
	kref_get(&p->ref);
	if (dma_fence_add_callback(done, &p->cb, aiot_pipeline_model_cb))
		queue_work(system_highpri_wq, &p->done_work);
	return false;

failed:
	drm_dev_exit(idx);
record_error:
	if (ret == -ENODEV) {
		aiot_pipeline_fail_locked(p);
		return false;
	}
	/* E.g. EBUSY (the file's job limit): this period has no decision. */
	rec.period = p->period++;
	rec.sequence = slot->sequence;
	rec.timestamp_ns = slot->timestamp_ns;
	rec.dma_done_ns = slot->dma_done_ns;
	rec.status = ret;
	rec.flags = p->cur_flags;
	aiot_pipeline_next_period(p);
	aiot_pipeline_push(p, &rec);
	return false;
}

static void aiot_pipeline_slot_work(struct work_struct *work)
{
	struct aiot_pipeline *p = container_of(work, struct aiot_pipeline,
					       slot_work);
	struct aiot_sensor_slot_done slot;

	mutex_lock(&p->lock);
	while (aiot_pipeline_pop(p, &slot)) {
		/* Detached: the sensor has dropped every hold. */
		if (!p->attached)
			continue;
		if (p->running && !p->dead)
			aiot_pipeline_take_slot(p, &slot,
						&p->slots[slot.index], NULL);
		p->consumer.release_slot(&p->consumer, slot.index);
	}
	mutex_unlock(&p->lock);
}

static void aiot_pipeline_done_work(struct work_struct *work)
{
	struct aiot_pipeline *p = container_of(work, struct aiot_pipeline,
					       done_work);
	struct drm_aiot_pipeline_record rec = {};
	int status;

	mutex_lock(&p->lock);
	status = dma_fence_get_status(p->cur.done);
	/*
	 * A front end that failed spoils the period even if the model ran.
	 * The model waited for the period's last front end (it reads what
	 * that one writes), which waited for the ones before: all finished.
	 */
	aiot_pipeline_reap_fe(p);
	if (status >= 0 && p->cur.fe_error)
		status = p->cur.fe_error;
	rec.period = p->period++;
	rec.sequence = p->cur.slot.sequence;
	rec.timestamp_ns = p->cur.slot.timestamp_ns;
	rec.dma_done_ns = p->cur.slot.dma_done_ns;
	aiot_record_times(p->afile, p->cur.job_id, &rec.started_ns,
			  &rec.ended_ns);
	rec.status = status < 0 ? status : 0;
	rec.flags = p->cur.flags;
	if (rec.started_ns)
		rec.flags |= DRM_AIOT_PIPELINE_REC_RAN;
	if (rec.status == -ETIME)
		rec.flags |= DRM_AIOT_PIPELINE_REC_LATE;
	if (!rec.status && p->out_bo) {
		iosys_map_memcpy_from(rec.output, &p->out_map, p->out_offset,
				      p->out_size);
		rec.output_size = p->out_size;
	}
	dma_fence_put(p->cur.done);
	p->cur.done = NULL;
	p->busy = false;
	mutex_unlock(&p->lock);
	aiot_pipeline_push(p, &rec);
	aiot_pipeline_put(p);
}

/*
 * Tear down: no new job after this, the sensor hook detached. Jobs already
 * queued finish (or are cancelled with their file); the record of the
 * period in flight is still written. Idempotent; process context.
 */
static void aiot_pipeline_kill(struct aiot_pipeline *p)
{
	bool detach;

	mutex_lock(&p->lock);
	p->running = false;
	p->dead = true;
	detach = p->attached && !p->external;
	p->attached = false;
	mutex_unlock(&p->lock);
	if (detach)
		p->consumer.detach(&p->consumer);
	/* No slot_done any more: the slot work is the last to touch @file. */
	cancel_work_sync(&p->slot_work);
	wake_up_interruptible_all(&p->wq);
}

static void aiot_pipeline_kill_work(struct work_struct *work)
{
	struct aiot_pipeline *p = container_of(work, struct aiot_pipeline,
					       kill_work);

	aiot_pipeline_kill(p);
	aiot_pipeline_put(p);
}

/* The DRM file is closing: its pipelines may not queue jobs any more. */
void aiot_pipeline_file_close(struct aiot_file *afile)
{
	struct aiot_pipeline *p;

	/* One at a time: a decision file may close meanwhile. */
	for (;;) {
		mutex_lock(&afile->pipelines_lock);
		p = list_first_entry_or_null(&afile->pipelines,
					     struct aiot_pipeline, node);
		if (p) {
			list_del_init(&p->node);
			kref_get(&p->ref);
		}
		mutex_unlock(&afile->pipelines_lock);
		if (!p)
			return;
		aiot_pipeline_kill(p);
		aiot_pipeline_put(p);
	}
}

static int aiot_pipeline_fop_release(struct inode *inode, struct file *f)
{
	struct aiot_pipeline *p = f->private_data;

	aiot_pipeline_kill(p);
	mutex_lock(&p->afile->pipelines_lock);
	list_del_init(&p->node);
	mutex_unlock(&p->afile->pipelines_lock);
	/* A kill queued from the DMA path may still hold a reference. */
	aiot_pipeline_put(p);
	return 0;
}

static bool aiot_pipeline_readable(struct aiot_pipeline *p)
{
	bool ret;

	spin_lock_irq(&p->irq_lock);
	ret = p->rec_len || READ_ONCE(p->dead) || p->gone;
	spin_unlock_irq(&p->irq_lock);
	return ret;
}

static ssize_t aiot_pipeline_fop_read(struct file *f, char __user *buf,
				      size_t count, loff_t *ppos)
{
	struct aiot_pipeline *p = f->private_data;
	struct drm_aiot_pipeline_record rec;
	size_t done = 0;
	int ret;

	if (count < sizeof(rec))
		return -EINVAL;
	for (;;) {
		spin_lock_irq(&p->irq_lock);
		if (p->rec_len)
			break;
		spin_unlock_irq(&p->irq_lock);
		if (READ_ONCE(p->dead))
			return 0;
		if (f->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(p->wq, aiot_pipeline_readable(p));
		if (ret)
			return ret;
	}
	p->stats.wakeups++;
	while (p->rec_len && count - done >= sizeof(rec)) {
		rec = p->records[p->rec_head];
		p->rec_head = (p->rec_head + 1) % p->rec_count;
		p->rec_len--;
		spin_unlock_irq(&p->irq_lock);
		if (copy_to_user(buf + done, &rec, sizeof(rec)))
			return done ? done : -EFAULT;
		done += sizeof(rec);
		spin_lock_irq(&p->irq_lock);
	}
	spin_unlock_irq(&p->irq_lock);
	return done;
}

static __poll_t aiot_pipeline_fop_poll(struct file *f, poll_table *wait)
{
	struct aiot_pipeline *p = f->private_data;
	__poll_t mask = 0;

	poll_wait(f, &p->wq, wait);
	spin_lock_irq(&p->irq_lock);
	if (p->rec_len)
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock_irq(&p->irq_lock);
	if (READ_ONCE(p->dead))
		mask |= EPOLLHUP;
	return mask;
}

/* Validate a stage as SUBMIT would, with @frame (the first slot) bound. */
static int aiot_pipeline_validate_stage(struct aiot_pipeline *p,
					struct aiot_pipeline_stage *st,
					struct drm_gem_object **frame)
{
	struct aiot_kernel_submit ks = {
		.stream = st->stream,
		.stream_size = st->stream_size,
		.priority = p->priority,
	};

	if (!st->stream)
		return 0;
	memcpy(ks.bos, st->bos, sizeof(ks.bos));
	if (st->slot)
		ks.bos[st->slot_binding] = frame[0];
	if (st->plane1)
		ks.bos[st->plane1_binding] = frame[1];
	return aiot_submit_kernel(p->file, &ks, NULL, NULL, true);
}

/* Forget the imports aiot_pipeline_frame_bufs() has not cached. */
static void aiot_pipeline_drop_fresh(struct aiot_pipeline_fbuf *fresh, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		drm_gem_object_put(fresh[i].obj);
		dma_buf_put(fresh[i].dmabuf);
	}
}

/*
 * The imports of a frame's planes, from the cache (one import per dma-buf,
 * kept until the pipeline is freed). A buffer not seen before is imported
 * and the stages are validated with the frame bound, as SUBMIT would: a
 * buffer too small for what a stage reads fails here (ENOSPC, EINVAL),
 * not in a job. p->lock held.
 */
static int aiot_pipeline_frame_bufs(struct aiot_pipeline *p,
				    const struct drm_aiot_pipeline_frame *a,
				    struct drm_gem_object **frame)
{
	struct aiot_pipeline_fbuf fresh[DRM_AIOT_PIPELINE_MAX_PLANES];
	struct dma_buf *dmabuf;
	u32 i, j, nfresh = 0;
	int ret;

	for (i = 0; i < a->planes; i++) {
		dmabuf = dma_buf_get(a->dmabuf_fd[i]);
		if (IS_ERR(dmabuf)) {
			ret = -EBADF;	/* not an open dma-buf */
			goto err;
		}
		frame[i] = NULL;
		for (j = 0; j < p->fbuf_count; j++)
			if (p->fbufs[j].dmabuf == dmabuf)
				frame[i] = p->fbufs[j].obj;
		for (j = 0; j < nfresh; j++)
			if (fresh[j].dmabuf == dmabuf)
				frame[i] = fresh[j].obj;
		if (frame[i]) {
			/* The cache holds its own reference. */
			dma_buf_put(dmabuf);
			continue;
		}
		if (p->fbuf_count + nfresh == DRM_AIOT_PIPELINE_MAX_FRAME_BUFS) {
			dma_buf_put(dmabuf);
			ret = -ENOSPC;
			goto err;
		}
		frame[i] = aiot_gem_prime_import(&p->adev->drm, dmabuf);
		if (IS_ERR(frame[i])) {
			ret = PTR_ERR(frame[i]);
			dma_buf_put(dmabuf);
			goto err;
		}
		fresh[nfresh].dmabuf = dmabuf;
		fresh[nfresh].obj = frame[i];
		nfresh++;
	}
	if (!nfresh)
		return 0;
	ret = aiot_pipeline_validate_stage(p, &p->fe, frame);
	if (!ret)
		ret = aiot_pipeline_validate_stage(p, &p->model, frame);
	if (ret)
		goto err;
	for (j = 0; j < nfresh; j++)
		p->fbufs[p->fbuf_count++] = fresh[j];
	return 0;

err:
	aiot_pipeline_drop_fresh(fresh, nfresh);
	return ret;
}

static int aiot_pipeline_check_frame(const struct aiot_pipeline *p,
				     const struct drm_aiot_pipeline_frame *a)
{
	int i;

	if (!p->external)
		return -EINVAL;	/* a sensor's pipeline takes no frames */
	if (a->flags & ~DRM_AIOT_PIPELINE_FRAME_FENCE_FD)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(a->reserved); i++)
		if (a->reserved[i])
			return -EINVAL;
	if (a->planes != p->planes)
		return -EINVAL;
	for (i = a->planes; i < DRM_AIOT_PIPELINE_MAX_PLANES; i++)
		if (a->dmabuf_fd[i])
			return -EINVAL;
	return 0;
}

/*
 * DRM_AIOT_PIPELINE_IOC_FRAME: run the chain on a frame from userspace,
 * exactly as on a sensor's slot (skipped when the chain is busy), and say
 * when the frame is free again.
 */
static int aiot_pipeline_ioc_frame(struct aiot_pipeline *p, void __user *uarg)
{
	struct aiot_sensor_slot_done slot = {};
	struct drm_gem_object *frame[DRM_AIOT_PIPELINE_MAX_PLANES] = {};
	struct drm_aiot_pipeline_frame a;
	struct dma_fence *fence = NULL;
	struct sync_file *sf = NULL;
	bool skipped = false;
	int fd = -1, ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	ret = aiot_pipeline_check_frame(p, &a);
	if (ret)
		return ret;
	if (a.flags & DRM_AIOT_PIPELINE_FRAME_FENCE_FD) {
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0)
			return fd;
	}
	slot.sequence = a.sequence;
	slot.timestamp_ns = a.timestamp_ns;
	mutex_lock(&p->lock);
	if (p->dead || !p->attached)
		ret = -ENODEV;
	else if (!p->running)
		ret = -EPIPE;
	else
		ret = aiot_pipeline_frame_bufs(p, &a, frame);
	if (!ret) {
		/* The deadline runs from the hand-in, as from a DMA's end. */
		slot.dma_done_ns = ktime_get_ns();
		spin_lock_irq(&p->irq_lock);
		p->stats.slots++;
		spin_unlock_irq(&p->irq_lock);
		skipped = aiot_pipeline_take_slot(p, &slot, frame, &fence);
		if (!fence && p->dead)
			ret = -ENODEV;
	}
	mutex_unlock(&p->lock);
	if (ret)
		goto out;

	a.flags |= skipped ? DRM_AIOT_PIPELINE_FRAME_SKIPPED : 0;
	a.fence_fd = -1;
	if (fd >= 0 && fence) {
		sf = sync_file_create(fence);
		if (!sf) {
			ret = -ENOMEM;
			goto out;
		}
		a.fence_fd = fd;
	}
	if (copy_to_user(uarg, &a, sizeof(a))) {
		ret = -EFAULT;
		goto out;
	}
	if (sf) {
		fd_install(fd, sf->file);
		sf = NULL;
		fd = -1;
	}
out:
	if (sf)
		fput(sf->file);
	if (fd >= 0)
		put_unused_fd(fd);
	dma_fence_put(fence);
	return ret;
}

static long aiot_pipeline_fop_ioctl(struct file *f, unsigned int cmd,
				    unsigned long arg)
{
	struct aiot_pipeline *p = f->private_data;
	struct drm_aiot_pipeline_stats stats;
	int ret = 0;

	switch (cmd) {
	case DRM_AIOT_PIPELINE_IOC_START:
		mutex_lock(&p->lock);
		if (p->dead) {
			ret = -ENODEV;
		} else if (!p->running) {
			p->running = true;
			/* Count gaps from the first slot after this. */
			p->seq_valid = false;
			p->in_period = 0;
			p->cur_flags = 0;
		}
		mutex_unlock(&p->lock);
		return ret;
	case DRM_AIOT_PIPELINE_IOC_STOP:
		mutex_lock(&p->lock);
		p->running = false;
		mutex_unlock(&p->lock);
		return 0;
	case DRM_AIOT_PIPELINE_IOC_STATS:
		spin_lock_irq(&p->irq_lock);
		stats = p->stats;
		spin_unlock_irq(&p->irq_lock);
		if (copy_to_user((void __user *)arg, &stats, sizeof(stats)))
			return -EFAULT;
		return 0;
	case DRM_AIOT_PIPELINE_IOC_FRAME:
		return aiot_pipeline_ioc_frame(p, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations aiot_pipeline_fops = {
	.owner = THIS_MODULE,
	.release = aiot_pipeline_fop_release,
	.read = aiot_pipeline_fop_read,
	.poll = aiot_pipeline_fop_poll,
	.unlocked_ioctl = aiot_pipeline_fop_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static bool aiot_pipeline_bindings_zero(const __u32 *b)
{
	int i;

	for (i = 0; i < DRM_AIOT_MAX_BINDINGS; i++)
		if (b[i])
			return false;
	return true;
}

static int aiot_pipeline_check_stage(const struct drm_aiot_pipeline_stage *st,
				     bool optional, bool external)
{
	if (!st->cmd_size) {
		if (!optional || st->cmd_handle || st->cmd_offset ||
		    st->flags || st->slot_binding || st->reserved ||
		    !aiot_pipeline_bindings_zero(st->bindings))
			return -EINVAL;
		return 0;
	}
	if (st->flags & ~(DRM_AIOT_PIPELINE_STAGE_SLOT |
			  DRM_AIOT_PIPELINE_STAGE_PLANE1))
		return -EINVAL;
	if (st->flags & DRM_AIOT_PIPELINE_STAGE_PLANE1) {
		/* The frame's plane 1: external frames, beside plane 0. */
		if (!external || !(st->flags & DRM_AIOT_PIPELINE_STAGE_SLOT) ||
		    st->plane1_binding >= DRM_AIOT_MAX_BINDINGS ||
		    st->plane1_binding == st->slot_binding ||
		    st->bindings[st->plane1_binding])
			return -EINVAL;
	} else if (st->reserved) {
		return -EINVAL;
	}
	if (st->flags & DRM_AIOT_PIPELINE_STAGE_SLOT) {
		if (st->slot_binding >= DRM_AIOT_MAX_BINDINGS ||
		    st->bindings[st->slot_binding])
			return -EINVAL;
	} else if (st->slot_binding) {
		return -EINVAL;
	}
	return 0;
}

static int aiot_pipeline_check_args(const struct drm_aiot_pipeline_create *a)
{
	bool external = a->flags & DRM_AIOT_PIPELINE_SOURCE_EXTERNAL;
	int i, ret;

	if (a->flags & ~DRM_AIOT_PIPELINE_SOURCE_EXTERNAL)
		return -EINVAL;
	/* Frames from userspace: no sensor stream. */
	if (external && a->sensor_fd != -1)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(a->reserved); i++)
		if (a->reserved[i])
			return -EINVAL;
	ret = aiot_pipeline_check_stage(&a->frontend, true, external);
	if (ret)
		return ret;
	ret = aiot_pipeline_check_stage(&a->model, false, external);
	if (ret)
		return ret;
	/* The slot must reach the chain. */
	if (!(a->frontend.flags & DRM_AIOT_PIPELINE_STAGE_SLOT) &&
	    !(a->model.flags & DRM_AIOT_PIPELINE_STAGE_SLOT))
		return -EINVAL;
	if (!a->period_slots || a->period_slots > 65536)
		return -EINVAL;
	if (a->priority > DRM_AIOT_PRIORITY_HIGH)
		return -EINVAL;
	if (a->priority == DRM_AIOT_PRIORITY_HIGH && !capable(CAP_SYS_NICE))
		return -EACCES;
	if (a->deadline_ns > 10ULL * NSEC_PER_SEC)
		return -EINVAL;
	if (a->output_size > DRM_AIOT_PIPELINE_MAX_OUTPUT ||
	    (!a->output_handle && (a->output_size || a->output_offset)))
		return -EINVAL;
	if (a->record_count > DRM_AIOT_PIPELINE_MAX_RECORDS)
		return -EINVAL;
	return 0;
}

/* Copy a stage's stream and take its buffers; validated later. */
static int aiot_pipeline_load_stage(struct aiot_pipeline_stage *st,
				    const struct drm_aiot_pipeline_stage *ust,
				    struct drm_file *file)
{
	struct drm_gem_object *cmd;
	struct iosys_map map;
	int i, ret;

	if (!ust->cmd_size)
		return 0;
	if (ust->cmd_size > AIOT_ISA_MAX_STREAM_BYTES)
		return -EINVAL;
	cmd = drm_gem_object_lookup(file, ust->cmd_handle);
	if (!cmd)
		return -ENOENT;
	ret = -EINVAL;
	if ((u64)ust->cmd_offset + ust->cmd_size > cmd->size)
		goto out;
	ret = -ENOMEM;
	st->stream = kvmalloc(ust->cmd_size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!st->stream)
		goto out;
	st->stream_size = ust->cmd_size;
	ret = aiot_gem_vmap(cmd, &map);
	if (ret)
		goto out;
	iosys_map_memcpy_from(st->stream, &map, ust->cmd_offset, ust->cmd_size);
	aiot_gem_vunmap(cmd, &map);
	st->slot = ust->flags & DRM_AIOT_PIPELINE_STAGE_SLOT;
	st->slot_binding = ust->slot_binding;
	st->plane1 = ust->flags & DRM_AIOT_PIPELINE_STAGE_PLANE1;
	st->plane1_binding = ust->plane1_binding;
	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		if (!ust->bindings[i])
			continue;
		st->bos[i] = drm_gem_object_lookup(file, ust->bindings[i]);
		if (!st->bos[i]) {
			ret = -ENOENT;
			goto out;
		}
	}
	ret = 0;
out:
	drm_gem_object_put(cmd);
	return ret;
}

static int aiot_pipeline_import_slots(struct aiot_pipeline *p)
{
	struct dma_buf *dmabuf;
	u32 i;

	p->slot_count = p->consumer.slot_count;
	p->slots = kcalloc(p->slot_count, sizeof(*p->slots), GFP_KERNEL);
	if (!p->slots)
		return -ENOMEM;
	for (i = 0; i < p->slot_count; i++) {
		dmabuf = p->consumer.export_slot(&p->consumer, i);
		if (IS_ERR(dmabuf))
			return PTR_ERR(dmabuf);
		p->slots[i] = aiot_gem_prime_import(&p->adev->drm, dmabuf);
		/* The import holds its own reference. */
		dma_buf_put(dmabuf);
		if (IS_ERR(p->slots[i])) {
			int ret = PTR_ERR(p->slots[i]);

			p->slots[i] = NULL;
			return ret;
		}
	}
	return 0;
}

static int aiot_pipeline_setup(struct aiot_pipeline *p,
			       struct drm_aiot_pipeline_create *a)
{
	int ret;

	if (!p->external) {
		p->sensor_file = fget(a->sensor_fd);
		if (!p->sensor_file)
			return -EBADF;
		p->attach = symbol_get(aiot_sensor_consumer_attach);
		if (!p->attach)
			return -EBADF;	/* no aiot-sensor: not a sensor fd */
	}
	ret = aiot_pipeline_load_stage(&p->fe, &a->frontend, p->file);
	if (!ret)
		ret = aiot_pipeline_load_stage(&p->model, &a->model, p->file);
	if (ret)
		return ret;
	if (a->output_handle) {
		p->out_bo = drm_gem_object_lookup(p->file, a->output_handle);
		if (!p->out_bo)
			return -ENOENT;
		if ((u64)a->output_offset + a->output_size > p->out_bo->size)
			return -EINVAL;
		ret = aiot_gem_vmap(p->out_bo, &p->out_map);
		if (ret)
			return ret;
	}
	/* A frame from userspace is never kept waiting behind another. */
	p->fe_depth = 1;
	if (p->external) {
		/*
		 * The stages are validated on the first frame in each new
		 * buffer (aiot_pipeline_frame_bufs()): there is none yet.
		 * @attached: @file is usable until its postclose.
		 */
		p->planes = p->fe.plane1 || p->model.plane1 ? 2 : 1;
		p->attached = true;
		return 0;
	}
	p->consumer.slot_done = aiot_pipeline_slot_done;
	p->consumer.gone = aiot_pipeline_gone;
	ret = p->attach(p->sensor_file, &p->consumer);
	if (ret)
		return ret;
	p->attached = true;
	ret = aiot_pipeline_import_slots(p);
	/*
	 * A front end waiting to run holds its slot: leave the DMA one to
	 * fill and one to recycle (overwrite-oldest), so the ring turns.
	 */
	if (p->slot_count > 3)
		p->fe_depth = min_t(u32, p->slot_count - 2,
				    AIOT_PIPELINE_FE_MAX);
	if (!ret)
		ret = aiot_pipeline_validate_stage(p, &p->fe, p->slots);
	if (!ret)
		ret = aiot_pipeline_validate_stage(p, &p->model, p->slots);
	return ret;
}

int aiot_ioctl_pipeline_create(struct drm_device *drm, void *data,
			       struct drm_file *file)
{
	struct drm_aiot_pipeline_create *a = data;
	struct aiot_file *afile = file->driver_priv;
	struct aiot_pipeline *p;
	struct file *f;
	int fd, ret;

	ret = aiot_pipeline_check_args(a);
	if (ret)
		return ret;
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	kref_init(&p->ref);
	__module_get(THIS_MODULE);
	drm_dev_get(drm);
	kref_get(&afile->refcount);
	p->adev = to_aiot_device(drm);
	p->afile = afile;
	p->file = file;
	INIT_LIST_HEAD(&p->node);
	mutex_init(&p->lock);
	spin_lock_init(&p->irq_lock);
	init_waitqueue_head(&p->wq);
	INIT_WORK(&p->slot_work, aiot_pipeline_slot_work);
	INIT_WORK(&p->done_work, aiot_pipeline_done_work);
	INIT_WORK(&p->kill_work, aiot_pipeline_kill_work);
	p->external = a->flags & DRM_AIOT_PIPELINE_SOURCE_EXTERNAL;
	p->period_slots = a->period_slots;
	p->priority = a->priority;
	p->deadline_ns = a->deadline_ns;
	p->out_offset = a->output_offset;
	p->out_size = a->output_size;
	p->rec_count = a->record_count ?: DRM_AIOT_PIPELINE_DEFAULT_RECORDS;
	p->records = kvcalloc(p->rec_count, sizeof(*p->records),
			      GFP_KERNEL_ACCOUNT);
	if (!p->records) {
		ret = -ENOMEM;
		goto err;
	}
	ret = aiot_pipeline_setup(p, a);
	if (ret)
		goto err;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err;
	}
	f = anon_inode_getfile("aiot-pipeline", &aiot_pipeline_fops, p,
			       O_RDONLY);
	if (IS_ERR(f)) {
		put_unused_fd(fd);
		ret = PTR_ERR(f);
		goto err;
	}
	mutex_lock(&afile->pipelines_lock);
	list_add_tail(&p->node, &afile->pipelines);
	mutex_unlock(&afile->pipelines_lock);
	a->fd = fd;
	fd_install(fd, f);
	return 0;

err:
	aiot_pipeline_kill(p);
	aiot_pipeline_put(p);
	return ret;
}
