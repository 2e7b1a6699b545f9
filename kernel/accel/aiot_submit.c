// SPDX-License-Identifier: GPL-2.0-only
/*
 * SUBMIT, in its steps: look up and copy the command stream and the bound
 * buffers, validate the stream, collect the dependencies (syncobjs and the
 * buffers' dma_resv), arm and push the drm_sched job, hand out the
 * out-fences. Process context: everything the job needs later is
 * allocated, looked up, mapped and validated here.
 */

#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/gpu_scheduler.h>
#include <drm/aiot_accel.h>

#include "aiot_compat.h"
#include "aiot_device.h"
#include "aiot_check.h"
#include "aiot_job.h"

#define AIOT_MAX_IN_SYNCOBJS	64

/*
 * Tell whoever signals the job's in-fences (another job, a sensor's DMA)
 * when the job needs them, so they can hurry as well.
 */
static void aiot_job_forward_deadline(struct aiot_job *job)
{
#if AIOT_HAS_FENCE_DEADLINE
	struct dma_fence *fence;
	unsigned long index;

	xa_for_each(&job->base.dependencies, index, fence)
		dma_fence_set_deadline(fence, ns_to_ktime(job->deadline_ns));
	aiot_job_forward_device_deadline(job, ns_to_ktime(job->deadline_ns));
#endif
}

/*
 * Keep what the job's input depends on: drm_sched drops each dependency
 * once it signalled, without looking at its error, so the job could not
 * tell its input is invalid (a sensor's DMA failed, the stream stopped or
 * timed out, the job that wrote the buffer failed) unless it kept them: its
 * in-syncobjs' fences and the writers of the buffers it reads (not their
 * readers: a reader that failed did not change the data).
 */
static int aiot_job_keep_in_fence(struct aiot_job *job, struct dma_fence *f,
				  unsigned int *room)
{
	struct dma_fence **more;

	if (job->in_fence_count == *room) {
		more = krealloc_array(job->in_fences, *room + 8,
				      sizeof(*more), GFP_KERNEL);
		if (!more)
			return -ENOMEM;
		job->in_fences = more;
		*room += 8;
	}
	job->in_fences[job->in_fence_count++] = dma_fence_get(f);
	return 0;
}

/* Does the job read @obj's memory (through any binding of its resv)? */
static bool aiot_job_reads(struct aiot_job *job, u32 read,
			   struct drm_gem_object *obj)
{
	int i;

	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++)
		if (job->bos[i] && job->bos[i]->resv == obj->resv &&
		    (read & BIT(i)))
			return true;
	return false;
}

/*
 * The writers of the locked reservations of @objs that the job reads: a
 * failed writer of a buffer the job only writes does not spoil its input.
 */
static int aiot_job_keep_writers(struct aiot_job *job, u32 read,
				 struct drm_gem_object **objs, int nobjs)
{
	unsigned int room = job->in_fence_count;
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	int i, ret;

	for (i = 0; i < nobjs; i++) {
		if (!aiot_job_reads(job, read, objs[i]))
			continue;
		dma_resv_for_each_fence(&cursor, objs[i]->resv,
					DMA_RESV_USAGE_WRITE, fence) {
			ret = aiot_job_keep_in_fence(job, fence, &room);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * Did the failed writer @f change the buffer? One of this device's jobs
 * that never reached the backend (cancelled, its own input failed, too
 * late) wrote nothing: the buffer holds what it held, and its error is not
 * its readers' (else one failure fails every later job of a model, each
 * with the error of the one before). A job that ran, and any other
 * driver's or sensor's fence, counts.
 */
static bool aiot_fence_may_have_written(struct aiot_job *job,
					struct dma_fence *f)
{
	struct drm_sched_fence *s_fence = to_drm_sched_fence(f);
	struct dma_fence *parent;

	if (!s_fence || s_fence->sched != &job->adev->sched)
		return true;
	parent = READ_ONCE(s_fence->parent);
	if (!parent || parent->ops != &aiot_hw_fence_ops)
		return false;
	return READ_ONCE(to_aiot_hw_fence(parent)->ran);
}

/*
 * The error a signalled fence ended with, without its lock. The dispatch
 * runs in hard interrupt context (the job order's irq_work), and a
 * foreign fence's lock need not be irq-safe: the core's stub fence (a
 * sync_file exported from an idle dma-buf) takes its lock with interrupts
 * on, and lockdep caught dma_fence_get_status() taking it in the irq_work.
 * The error is set before the signalled bit, so it is final once the bit
 * is seen.
 */
static int aiot_fence_error_unlocked(struct dma_fence *fence)
{
	if (!test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &fence->flags))
		return 0;
	smp_rmb(); /* the error after the bit; pairs with dma_fence_signal() */
	return READ_ONCE(fence->error);
}

/**
 * aiot_job_in_fence_error() - the error one of the job's in-fences ended with
 * @job: a job whose dependencies all signalled (run_job)
 *
 * Return: 0, or the first error found: the job is then not run and ends
 * with it. No allocation, no lock: run_job is a fence signalling path, and
 * the device-wait dispatch calls this in hard interrupt context.
 */
int aiot_job_in_fence_error(struct aiot_job *job)
{
	unsigned int i;
	int err;

	for (i = 0; i < job->in_fence_count; i++) {
		err = aiot_fence_error_unlocked(job->in_fences[i]);
		if (err < 0 &&
		    aiot_fence_may_have_written(job, job->in_fences[i]))
			return err;
	}
	return 0;
}

/* Copy the stream out of its buffer: it must not change once validated. */
/*
 * Copy [offset, offset + size) of a native shmem BO page by page from its
 * page cache: no vmap + vunmap (a vmalloc range and a TLB flush) per SUBMIT
 * for a command buffer userspace rewrites between jobs.
 */
static int aiot_copy_from_shmem(void *dst, struct drm_gem_object *obj,
				u64 offset, u32 size)
{
	struct address_space *mapping = obj->filp->f_mapping;

	while (size) {
		pgoff_t index = offset >> PAGE_SHIFT;
		u32 in_page = offset & ~PAGE_MASK;
		u32 n = min_t(u32, size, PAGE_SIZE - in_page);
		struct page *page;
		void *src;

		page = shmem_read_mapping_page(mapping, index);
		if (IS_ERR(page))
			return PTR_ERR(page);
		src = kmap_local_page(page);
		memcpy(dst, src + in_page, n);
		kunmap_local(src);
		put_page(page);
		dst += n;
		offset += n;
		size -= n;
	}
	return 0;
}

/* Any other BO (an imported dma-buf): through a kernel mapping. */
static int aiot_copy_from_vmap(void *dst, struct drm_gem_object *obj,
			       u64 offset, u32 size)
{
	struct iosys_map map;
	int ret;

	ret = aiot_gem_vmap(obj, &map);
	if (ret)
		return ret;
	iosys_map_memcpy_from(dst, &map, offset, size);
	aiot_gem_vunmap(obj, &map);
	return 0;
}

static int aiot_job_copy_stream(struct aiot_job *job, struct drm_file *file,
				const struct drm_aiot_submit *args)
{
	struct drm_gem_object *obj;
	u64 end;
	void *stream;
	int ret;

	if (!args->cmd_size || args->cmd_size > AIOT_ISA_MAX_STREAM_BYTES)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->cmd_handle);
	if (!obj)
		return -ENOENT;

	end = (u64)args->cmd_offset + args->cmd_size;
	if (end > obj->size) {
		ret = -EINVAL;
		goto out_put;
	}
	/* Held until the job is released: the caller's memory cgroup pays. */
	/* Its size is the caller's: a failure is its ENOMEM, not a warning. */
	stream = kvmalloc(args->cmd_size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!stream) {
		ret = -ENOMEM;
		goto out_put;
	}
	if (!obj->import_attach && obj->filp)
		ret = aiot_copy_from_shmem(stream, obj, args->cmd_offset,
					   args->cmd_size);
	else
		ret = aiot_copy_from_vmap(stream, obj, args->cmd_offset,
					  args->cmd_size);
	if (ret) {
		kvfree(stream);
		goto out_put;
	}
	job->npu.stream = stream;
	job->npu.stream_size = args->cmd_size;
out_put:
	drm_gem_object_put(obj);
	return ret;
}

static int aiot_job_map_bos(struct aiot_job *job);

static int aiot_job_bind(struct aiot_job *job, struct drm_file *file,
			 const struct drm_aiot_submit *args)
{
	int i;

	/* The uAPI's slots are the ISA's, one to one. */
	BUILD_BUG_ON(DRM_AIOT_MAX_BINDINGS != AIOT_NPU_MAX_BINDINGS);
	BUILD_BUG_ON(ARRAY_SIZE(args->bindings) != AIOT_NPU_MAX_BINDINGS);
	BUILD_BUG_ON(ARRAY_SIZE(job->bos) != AIOT_NPU_MAX_BINDINGS);
	BUILD_BUG_ON(ARRAY_SIZE(job->npu.vaddr) != AIOT_NPU_MAX_BINDINGS);

	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		if (!args->bindings[i])
			continue;
		job->bos[i] = drm_gem_object_lookup(file, args->bindings[i]);
		if (!job->bos[i])
			return -ENOENT;
		job->npu.size[i] = job->bos[i]->size;
	}
	return aiot_job_map_bos(job);
}

/* The bound buffers' kernel mappings, for a CPU backend. */
static int aiot_job_map_bos(struct aiot_job *job)
{
	int i, ret;

	/* A DMA backend gets device mappings instead, once validated. */
	if (job->adev->desc->mem == AIOT_NPU_MEM_DMA)
		return 0;
	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		if (!job->bos[i])
			continue;
		ret = aiot_gem_vmap(job->bos[i], &job->maps[i]);
		if (ret)
			return ret;
		if (job->maps[i].is_iomem) {
			/* The reference NPU needs plain memory. */
			aiot_gem_vunmap(job->bos[i], &job->maps[i]);
			iosys_map_clear(&job->maps[i]);
			return -EINVAL;
		}
		job->npu.vaddr[i] = job->maps[i].vaddr;
	}
	return 0;
}

static int aiot_job_add_in_syncobjs(struct aiot_job *job, struct drm_file *file,
				    const struct drm_aiot_submit *args)
{
	u32 handles[AIOT_MAX_IN_SYNCOBJS];
	struct dma_fence *fence;
	u32 i;
	int ret;

	if (!args->in_syncobj_count)
		return 0;
	if (args->in_syncobj_count > AIOT_MAX_IN_SYNCOBJS)
		return -EINVAL;
	if (copy_from_user(handles, u64_to_user_ptr(args->in_syncobjs),
			   args->in_syncobj_count * sizeof(handles[0])))
		return -EFAULT;

	for (i = 0; i < args->in_syncobj_count; i++) {
		ret = drm_syncobj_find_fence(file, handles[i], 0, 0, &fence);
		if (ret)
			return ret;
		if (!job->in_fences)
			job->in_fences = kmalloc_array(args->in_syncobj_count,
						       sizeof(*job->in_fences),
						       GFP_KERNEL);
		if (!job->in_fences) {
			dma_fence_put(fence);
			return -ENOMEM;
		}
		job->in_fences[job->in_fence_count++] = dma_fence_get(fence);
		/* Takes the reference, even on failure. */
		ret = aiot_job_add_dep(job, fence);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * The distinct reservations of the job, one buffer each, with whether the
 * job writes it; a buffer bound to two slots is locked and fenced once.
 */
static int aiot_job_unique_bos(struct aiot_job *job, u32 written,
			       struct drm_gem_object **objs, bool *writes)
{
	int i, j, n = 0;

	/* @written is a bitmap of the slots (aiot_isa_summary). */
	BUILD_BUG_ON(BITS_PER_TYPE(written) < AIOT_NPU_MAX_BINDINGS);

	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		if (!job->bos[i])
			continue;
		/*
		 * By reservation object: dma-bufs of one sensor slot are
		 * distinct objects sharing the slot's, locked once.
		 */
		for (j = 0; j < n; j++)
			if (objs[j] == job->bos[i] ||
			    objs[j]->resv == job->bos[i]->resv)
				break;
		if (j == n)
			objs[n++] = job->bos[i];
		writes[j] |= !!(written & BIT(i));
	}
	return n;
}

static int aiot_submit_check_args(const struct drm_aiot_submit *args)
{
	if (args->flags & ~DRM_AIOT_SUBMIT_OUT_SYNC_FILE)
		return -EINVAL;
	if (args->pad || args->pad2)
		return -EINVAL;
	if (args->priority > DRM_AIOT_PRIORITY_HIGH)
		return -EINVAL;
	if (args->priority == DRM_AIOT_PRIORITY_HIGH && !capable(CAP_SYS_NICE))
		return -EACCES;
	return 0;
}

/**
 * struct aiot_submit - what SUBMIT holds between its steps
 * @file: the submitting file
 * @args: the ioctl's arguments
 * @job: the job being built; not to be touched once pushed
 * @summary: what the validated stream reads and writes
 * @sched_init: @job's drm_sched job is initialised
 * @objs: the distinct buffers of the job, referenced
 * @writes: whether the job writes each of @objs
 * @nobjs: how many @objs
 * @acquire: the reservation locks of @objs
 * @out_syncobj: the syncobj to signal, or NULL
 * @out_fd: the sync_file's descriptor, or -1
 * @ks: a submission from inside the kernel (a standing pipeline), or NULL
 */
struct aiot_submit {
	struct drm_file *file;
	struct drm_aiot_submit *args;
	const struct aiot_kernel_submit *ks;
	struct aiot_job *job;
	struct aiot_isa_summary summary;
	bool sched_init;
	struct drm_gem_object *objs[AIOT_NPU_MAX_BINDINGS];
	bool writes[AIOT_NPU_MAX_BINDINGS];
	int nobjs;
	struct ww_acquire_ctx acquire;
	struct drm_syncobj *out_syncobj;
	int out_fd;
};

/* A kernel submission: the stream and the buffers are given, not looked up. */
static int aiot_submit_lookup_kernel(struct aiot_submit *s)
{
	const struct aiot_kernel_submit *ks = s->ks;
	struct aiot_job *job = s->job;
	void *stream;
	int i;

	/* kvmalloc + memcpy: 6.1 has no kvmemdup(). */
	stream = kvmalloc(ks->stream_size, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!stream)
		return -ENOMEM;
	memcpy(stream, ks->stream, ks->stream_size);
	job->npu.stream = stream;
	job->npu.stream_size = ks->stream_size;
	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		if (!ks->bos[i])
			continue;
		drm_gem_object_get(ks->bos[i]);
		job->bos[i] = ks->bos[i];
		job->npu.size[i] = ks->bos[i]->size;
	}
	return aiot_job_map_bos(job);
}

static struct aiot_job *aiot_submit_new_job(struct drm_device *drm,
					    struct aiot_file *afile,
					    const struct drm_aiot_submit *args)
{
	struct aiot_hw_fence *hw_fence;
	struct aiot_job *job;

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job)
		return NULL;
	hw_fence = kzalloc(sizeof(*hw_fence), GFP_KERNEL_ACCOUNT);
	if (!hw_fence) {
		kfree(job);
		return NULL;
	}
	job->hw_fence = &hw_fence->base;
	/* From here the job owns these; its cleanup gives them back. */
	__module_get(THIS_MODULE);
	drm_dev_get(drm);
	kref_get(&afile->refcount);
	job->adev = to_aiot_device(drm);
	job->afile = afile;
	job->deadline_ns = args->deadline_ns;
	job->order = &afile->order[args->priority];
	job->device_waits = aiot_job_device_waits_enabled();
	INIT_LIST_HEAD(&job->order_node);
	INIT_LIST_HEAD(&job->npu.node);
	INIT_WORK(&job->cleanup_work, aiot_job_cleanup_work);
	return job;
}

/* Step 1: look up the stream's and the bound buffers; copy the stream. */
static int aiot_submit_lookup(struct aiot_submit *s)
{
	int ret;

	if (s->ks)
		return aiot_submit_lookup_kernel(s);
	ret = aiot_job_copy_stream(s->job, s->file, s->args);
	if (ret)
		return ret;
	return aiot_job_bind(s->job, s->file, s->args);
}

/*
 * Which bindings are the same memory, for the checker's overlap checks:
 * the same object twice, or two objects of one reservation and size (two
 * dma-bufs of one sensor slot: each is the whole slot). alias[i] is the
 * lowest binding of the same memory as binding i (i itself if none).
 */
static void aiot_job_binding_aliases(struct aiot_job *job, u8 *alias)
{
	struct drm_gem_object *a, *b;
	int i, j;

	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		alias[i] = i;
		a = job->bos[i];
		for (j = 0; a && j < i; j++) {
			b = job->bos[j];
			if (b && (a == b ||
				  (a->resv == b->resv && a->size == b->size))) {
				alias[i] = alias[j];
				break;
			}
		}
	}
}

/*
 * A job may not write what the caller may only read: a buffer imported
 * from a dma-buf opened read-only (a sensor slot exported O_RDONLY).
 */
static int aiot_job_check_writable(struct aiot_job *job, u32 written)
{
	struct drm_gem_object *obj;
	int i;

	for (i = 0; i < AIOT_NPU_MAX_BINDINGS; i++) {
		obj = job->bos[i];
		if (!obj || !(written & BIT(i)) || !obj->import_attach)
			continue;
		if (!(obj->import_attach->dmabuf->file->f_mode & FMODE_WRITE))
			return -EACCES;
	}
	return 0;
}

/*
 * Step 2: validate the copy against the sizes of the bound buffers, with the
 * checker of the ISA the backend declared (aiot_check.c).
 */
static int aiot_submit_validate(struct aiot_submit *s)
{
	u8 alias[AIOT_NPU_MAX_BINDINGS];
	struct aiot_job *job = s->job;
	int ret;

	BUILD_BUG_ON(BITS_PER_TYPE(s->summary.bindings_read) <
		     AIOT_NPU_MAX_BINDINGS);
	BUILD_BUG_ON(BITS_PER_TYPE(s->summary.bindings_written) <
		     AIOT_NPU_MAX_BINDINGS);
	BUILD_BUG_ON(ARRAY_SIZE(s->summary.binding_extent) !=
		     AIOT_NPU_MAX_BINDINGS);

	aiot_job_binding_aliases(job, alias);
	ret = job->adev->checker->validate(job->npu.stream,
					   job->npu.stream_size, job->npu.size,
					   alias, AIOT_NPU_MAX_BINDINGS,
					   &s->summary);
	if (ret) {
		drm_dbg(&job->adev->drm, "command stream rejected at op %u: %d\n",
			s->summary.error_op, ret);
		return ret;
	}
	/* A stream may not use operations newer than the device's ISA. */
	if (s->summary.isa_minor > (job->adev->desc->isa_version & 0xffff)) {
		drm_dbg(&job->adev->drm, "command stream needs ISA 1.%u, device has %u.%u\n",
			s->summary.isa_minor, job->adev->desc->isa_version >> 16,
			job->adev->desc->isa_version & 0xffff);
		return -EOPNOTSUPP;
	}
	/* Bounded work keeps the device, reset and unbind responsive. */
	if (s->summary.work > aiot_device_max_job_work(job->adev)) {
		drm_dbg(&job->adev->drm, "command stream has %llu work, limit %llu\n",
			s->summary.work, aiot_device_max_job_work(job->adev));
		return -E2BIG;
	}
	ret = aiot_job_check_writable(job, s->summary.bindings_written);
	if (ret)
		return ret;
	/* A DMA backend's view of the buffers, now that they are known good. */
	return aiot_job_dma_prepare(job->adev, &job->dma, &job->npu, job->bos,
				    s->summary.bindings_written);
}

/* Step 3: the scheduler job and its explicit dependencies (in-syncobjs). */
static int aiot_submit_dependencies(struct aiot_submit *s)
{
	struct aiot_file *afile = s->file->driver_priv;
	int ret;

	ret = aiot_sched_job_init(&s->job->base,
				  &afile->entities[s->args->priority],
				  afile, s->file);
	if (ret)
		return ret;
	s->sched_init = true;
	return aiot_job_add_in_syncobjs(s->job, s->file, s->args);
}

/* Step 3b: what the out-fences need, taken while SUBMIT may still fail. */
static int aiot_submit_reserve_out_fences(struct aiot_submit *s)
{
	if (s->args->out_syncobj) {
		s->out_syncobj = drm_syncobj_find(s->file, s->args->out_syncobj);
		if (!s->out_syncobj)
			return -ENOENT;
	}
	if (s->args->flags & DRM_AIOT_SUBMIT_OUT_SYNC_FILE) {
		s->out_fd = get_unused_fd_flags(O_CLOEXEC);
		if (s->out_fd < 0)
			return s->out_fd;
	}
	return 0;
}

/*
 * Step 3c: the implicit dependencies. Lock the distinct buffers, make room
 * for the job's fence and wait for their writers (a writer also waits for
 * readers). On success the reservations stay locked for step 4.
 */
static int aiot_submit_lock_buffers(struct aiot_submit *s)
{
	struct aiot_job *job = s->job;
	int i, ret;

	s->nobjs = aiot_job_unique_bos(job, s->summary.bindings_written,
				       s->objs, s->writes);
	/* Ours, for the unlock after the push, when the job may be gone. */
	for (i = 0; i < s->nobjs; i++)
		drm_gem_object_get(s->objs[i]);
	ret = drm_gem_lock_reservations(s->objs, s->nobjs, &s->acquire);
	if (ret)
		return ret;
	for (i = 0; i < s->nobjs; i++) {
		ret = dma_resv_reserve_fences(s->objs[i]->resv, 1);
		if (ret)
			goto err_unlock;
		/* Wait for writers; a writer also waits for readers. */
		ret = aiot_job_add_resv_deps(job, s->objs[i], s->writes[i]);
		if (ret)
			goto err_unlock;
	}

	ret = aiot_job_keep_writers(job, s->summary.bindings_read, s->objs,
				    s->nobjs);
	if (ret)
		goto err_unlock;
	if (job->deadline_ns)
		aiot_job_forward_deadline(job);
	return 0;

err_unlock:
	drm_gem_unlock_reservations(s->objs, s->nobjs, &s->acquire);
	return ret;
}

static void aiot_submit_put_objs(struct aiot_submit *s)
{
	int i;

	for (i = 0; i < s->nobjs; i++)
		drm_gem_object_put(s->objs[i]);
}

/*
 * Step 4: arm the job, record it, publish its finished fence in the
 * buffers' dma_resv (writer or reader) and push it. Cannot fail. Returns
 * a reference on the finished fence: once pushed, the job may run and be
 * freed at any moment.
 */
static struct dma_fence *aiot_submit_arm_push(struct aiot_submit *s)
{
	struct aiot_file *afile = s->file->driver_priv;
	struct aiot_job *job = s->job;
	struct dma_fence *done;
	int i;

	mutex_lock(&afile->submit_lock);
	drm_sched_job_arm(&job->base);
	/*
	 * A job that depends on this one must wait for it to finish, not
	 * only to be handed over: the device may still wait for this one's
	 * input (aiot_job_deps.c), or for an earlier job of its entity.
	 */
	set_bit(DRM_SCHED_FENCE_DONT_PIPELINE,
		&job->base.s_fence->finished.flags);
	job->done = dma_fence_get(&job->base.s_fence->finished);
	job->job_id = afile->next_job_id++;

	/*
	 * The fence of the job this record held before (256 jobs ago) is put
	 * when this job is freed, not here: SUBMIT is on the critical path.
	 */
	job->prev_record_done = aiot_record_start(afile, job);
	for (i = 0; i < s->nobjs; i++)
		dma_resv_add_fence(s->objs[i]->resv, job->done,
				   s->writes[i] ? DMA_RESV_USAGE_WRITE :
						  DMA_RESV_USAGE_READ);
	atomic64_inc(&job->adev->stats.submitted);
	atomic64_inc(&afile->stats.submitted);
	s->args->job_id = job->job_id;
	done = dma_fence_get(job->done);
	drm_sched_entity_push_job(&job->base);
	s->job = NULL;
	mutex_unlock(&afile->submit_lock);
	drm_gem_unlock_reservations(s->objs, s->nobjs, &s->acquire);
	aiot_submit_put_objs(s);
	return done;
}

/* Step 5: the out-fences. The job is queued: what fails here cannot undo it. */
static int aiot_submit_out_fences(struct aiot_submit *s, struct dma_fence *done)
{
	struct sync_file *sync_file;
	int ret = 0;

	if (s->out_syncobj) {
		drm_syncobj_replace_fence(s->out_syncobj, done);
		drm_syncobj_put(s->out_syncobj);
	}
	s->args->out_sync_file = -1;
	if (s->out_fd >= 0) {
		sync_file = sync_file_create(done);
		if (!sync_file) {
			put_unused_fd(s->out_fd);
			ret = -ENOMEM;
		} else {
			fd_install(s->out_fd, sync_file->file);
			s->args->out_sync_file = s->out_fd;
		}
	}
	return ret;
}

/* A step failed before the push: give back what the steps took. */
static void aiot_submit_abort(struct aiot_submit *s)
{
	aiot_submit_put_objs(s);
	if (s->out_fd >= 0)
		put_unused_fd(s->out_fd);
	if (s->out_syncobj)
		drm_syncobj_put(s->out_syncobj);
	aiot_job_free_unsubmitted(s->job, s->sched_init);
}

int aiot_ioctl_submit(struct drm_device *drm, void *data,
		      struct drm_file *file)
{
	struct aiot_submit s = {
		.file = file,
		.args = data,
		.out_fd = -1,
	};
	struct aiot_file *afile = file->driver_priv;
	struct dma_fence *done;
	int ret;

	ret = aiot_submit_check_args(s.args);
	if (ret)
		return ret;
	/* A job counts until released (aiot_job_cleanup_work()). */
	if (atomic_inc_return(&afile->jobs_in_flight) >
	    aiot_device_max_jobs_in_flight(afile->adev)) {
		atomic_dec(&afile->jobs_in_flight);
		return -EBUSY;
	}
	s.job = aiot_submit_new_job(drm, afile, s.args);
	if (!s.job) {
		atomic_dec(&afile->jobs_in_flight);
		return -ENOMEM;
	}

	ret = aiot_submit_lookup(&s);
	if (!ret)
		ret = aiot_submit_validate(&s);
	if (!ret)
		ret = aiot_submit_dependencies(&s);
	if (!ret)
		ret = aiot_submit_reserve_out_fences(&s);
	if (!ret)
		ret = aiot_submit_lock_buffers(&s);
	if (ret) {
		aiot_submit_abort(&s);
		return ret;
	}

	done = aiot_submit_arm_push(&s);
	ret = aiot_submit_out_fences(&s, done);
	dma_fence_put(done);
	return ret;
}

AIOT_EXPORT_FOR_KUNIT(aiot_ioctl_submit);

/**
 * aiot_submit_kernel() - queue a job from inside the kernel
 * @file: the DRM file the job belongs to (its entities, records, limits)
 * @ks: the stream (copied) and the buffers (referenced by the job)
 * @done: out: the job's finished fence, a reference
 * @job_id: out: the job's id in @file's records
 * @validate_only: validate as SUBMIT would, queue nothing
 *
 * SUBMIT without the handles: the same validation, implicit sync and
 * limits. Process context.
 *
 * Return: 0 or SUBMIT's errors.
 */
int aiot_submit_kernel(struct drm_file *file,
		       const struct aiot_kernel_submit *ks,
		       struct dma_fence **done, u64 *job_id,
		       bool validate_only)
{
	struct drm_aiot_submit args = {
		.priority = ks->priority,
		.deadline_ns = ks->deadline_ns,
	};
	struct aiot_submit s = {
		.file = file,
		.args = &args,
		.ks = ks,
		.out_fd = -1,
	};
	struct aiot_file *afile = file->driver_priv;
	int ret;

	if (!ks->stream_size || ks->stream_size > AIOT_ISA_MAX_STREAM_BYTES ||
	    ks->priority > DRM_AIOT_PRIORITY_HIGH)
		return -EINVAL;
	if (atomic_inc_return(&afile->jobs_in_flight) >
	    aiot_device_max_jobs_in_flight(afile->adev)) {
		atomic_dec(&afile->jobs_in_flight);
		return -EBUSY;
	}
	s.job = aiot_submit_new_job(file->minor->dev, afile, &args);
	if (!s.job) {
		atomic_dec(&afile->jobs_in_flight);
		return -ENOMEM;
	}
	ret = aiot_submit_lookup(&s);
	if (!ret)
		ret = aiot_submit_validate(&s);
	if (!ret && validate_only)
		ret = 1;
	if (!ret)
		ret = aiot_submit_dependencies(&s);
	if (!ret)
		ret = aiot_submit_lock_buffers(&s);
	if (ret) {
		aiot_submit_abort(&s);
		return ret > 0 ? 0 : ret;
	}
	*done = aiot_submit_arm_push(&s);
	*job_id = args.job_id;
	return 0;
}
