// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-sensor: the sensor-stream class. One character device per stream
 * (/dev/aiot/sensorN, class "aiot"), with a ring of DMA slots, V4L2/IIO-like
 * queue semantics, write fences and dma-buf export. Backends register
 * through aiot_sensor.h. This file: the class, sysfs, registration and the
 * module; the rest, one concern a file:
 *
 *   aiot_sensor_dma.c     the backend's DMA API (dma_begin/dma_end/dma_skip)
 *   aiot_sensor_slot.c    slot arming, queueing, recycling, the watchdog
 *   aiot_sensor_stream.c  the stream operations (configure ... release)
 *   aiot_sensor_fops.c    the character device and its ioctl table
 *   aiot_sensor_ring.c    ring layout, memory and mmap
 *   aiot_sensor_fence.c   the slots' write fences
 *   aiot_sensor_dmabuf.c  a slot exported as a dma-buf
 *
 * Locking: the stream's mutex serializes every operation that changes the
 * configuration, the owner, the streaming state or arms a slot (fence
 * allocation and dma_resv locking happen there, in process context). Its
 * spinlock protects the ring's lists and counters and is the only lock the
 * DMA completion path (hardirq) takes; fences are only signalled there.
 * No copy to or from userspace happens under the mutex (mmap() takes it
 * under mmap_lock): read() takes a slot out of the lists (READING) and a
 * reference on the ring, copies without locks, then requeues the slot.
 */

#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "aiot_compat.h"
#include "aiot_sensor_priv.h"

#define AIOT_SENSOR_MAX_DEVICES	256

static dev_t aiot_sensor_devt;
static DEFINE_IDA(aiot_sensor_ida);

static char *aiot_sensor_devnode(AIOT_DEVNODE_CONST struct device *dev,
				 umode_t *mode)
{
	return kasprintf(GFP_KERNEL, "aiot/%s", dev_name(dev));
}

static struct class aiot_sensor_class = {
	.name = "aiot",
	.devnode = aiot_sensor_devnode,
};

/* sysfs: /sys/class/aiot/sensorN/ — what udev rules and aiot-info read. */

static ssize_t name_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_aiot_sensor(dev)->desc->name);
}
static DEVICE_ATTR_RO(name);

static ssize_t kind_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	static const char * const kinds[] = {
		[AIOT_SENSOR_KIND_OTHER] = "other",
		[AIOT_SENSOR_KIND_ACCEL] = "accel",
		[AIOT_SENSOR_KIND_MIC] = "mic",
		[AIOT_SENSOR_KIND_CAMERA] = "camera",
	};
	u32 kind = to_aiot_sensor(dev)->desc->kind;

	return sysfs_emit(buf, "%s\n",
			  kind < ARRAY_SIZE(kinds) ? kinds[kind] : "other");
}
static DEVICE_ATTR_RO(kind);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	static const char * const states[] = {
		[AIOT_SENSOR_STATE_UNCONFIGURED] = "unconfigured",
		[AIOT_SENSOR_STATE_STOPPED] = "stopped",
		[AIOT_SENSOR_STATE_STREAMING] = "streaming",
		[AIOT_SENSOR_STATE_ERROR] = "error",
	};
	struct aiot_sensor *s = to_aiot_sensor(dev);
	u32 state;

	spin_lock_irq(&s->lock);
	state = aiot_sensor_state(s);
	spin_unlock_irq(&s->lock);
	return sysfs_emit(buf, "%s\n", states[state]);
}
static DEVICE_ATTR_RO(state);

/*
 * The backend's test patterns, "number name" a line (the uAPI has only
 * LIVE, 0; the numbers and names of the others are the backend's).
 */
static ssize_t test_patterns_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	const struct aiot_sensor_desc *d = to_aiot_sensor(dev)->desc;
	int len = 0;
	u32 i;

	for (i = 1; i < 32; i++)
		if ((d->patterns & BIT(i)) && d->test_patterns &&
		    d->test_patterns[i])
			len += sysfs_emit_at(buf, len, "%u %s\n", i,
					     d->test_patterns[i]);
	return len;
}
static DEVICE_ATTR_RO(test_patterns);

/* A u64 counter of the stream, read under the lock its writer holds. */
static ssize_t aiot_sensor_counter_show(struct device *dev, char *buf,
					size_t offset)
{
	struct aiot_sensor *s = to_aiot_sensor(dev);
	u64 n;

	spin_lock_irq(&s->lock);
	n = *(u64 *)((char *)s + offset);
	spin_unlock_irq(&s->lock);
	return sysfs_emit(buf, "%llu\n", n);
}

#define AIOT_SENSOR_COUNTER_ATTR(_name, _field)				\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return aiot_sensor_counter_show(dev, buf,			\
					offsetof(struct aiot_sensor, _field)); \
}									\
static DEVICE_ATTR_RO(_name)

AIOT_SENSOR_COUNTER_ATTR(drops, drops);
AIOT_SENSOR_COUNTER_ATTR(overwritten, overwritten);
AIOT_SENSOR_COUNTER_ATTR(bytes_copied, bytes_copied);
AIOT_SENSOR_COUNTER_ATTR(sequence, next_seq);

static struct attribute *aiot_sensor_attrs[] = {
	&dev_attr_name.attr,
	&dev_attr_kind.attr,
	&dev_attr_state.attr,
	&dev_attr_test_patterns.attr,
	&dev_attr_drops.attr,
	&dev_attr_overwritten.attr,
	&dev_attr_sequence.attr,
	&dev_attr_bytes_copied.attr,
	NULL,
};
ATTRIBUTE_GROUPS(aiot_sensor);

/* Registration by backends. */

static void aiot_sensor_dev_release(struct device *dev)
{
	struct aiot_sensor *s = to_aiot_sensor(dev);

	aiot_sensor_ring_put(s->ring);
	mutex_destroy(&s->mutex);
	ida_free(&aiot_sensor_ida, s->id);
	kfree(s);
}

/**
 * aiot_sensor_alloc() - set up the stream of a sensor backend
 * @parent: the backend's device
 * @desc: static description; copied, but for @desc->test_patterns, which
 *	must outlive the stream's registration
 * @ops: the backend's callbacks, must outlive the registration
 * @priv: the backend's data, see aiot_sensor_get_drvdata()
 *
 * The stream has no device node yet, so nothing can call @ops: the backend
 * stores the result, then makes the stream visible with aiot_sensor_add()
 * (or drops it with aiot_sensor_put()). The two steps exist because a node
 * can be opened and started the moment it exists.
 *
 * Return: the stream, or an ERR_PTR().
 */
struct aiot_sensor *aiot_sensor_alloc(struct device *parent,
				      const struct aiot_sensor_desc *desc,
				      const struct aiot_sensor_ops *ops,
				      void *priv)
{
	struct aiot_sensor *s;
	int id, ret;

	if (!desc || !desc->name || !ops || !ops->start || !ops->stop ||
	    !desc->width || !desc->height || !desc->min_channels ||
	    desc->min_channels > desc->max_channels ||
	    desc->min_rate_hz > desc->max_rate_hz)
		return ERR_PTR(-EINVAL);

	id = ida_alloc_max(&aiot_sensor_ida, AIOT_SENSOR_MAX_DEVICES - 1,
			   GFP_KERNEL);
	if (id < 0)
		return ERR_PTR(id);
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		ida_free(&aiot_sensor_ida, id);
		return ERR_PTR(-ENOMEM);
	}
	s->id = id;
	/* Ours: an open file may outlive the backend's memory. */
	s->desc_copy = *desc;
	strscpy(s->name, desc->name, sizeof(s->name));
	s->desc_copy.name = s->name;
	s->desc = &s->desc_copy;
	s->ops = ops;
	s->priv = priv;
	mutex_init(&s->mutex);
	spin_lock_init(&s->lock);
	init_waitqueue_head(&s->wq);
	INIT_WORK(&s->recycle_work, aiot_sensor_recycle_work);
	INIT_DELAYED_WORK(&s->watchdog, aiot_sensor_watchdog);
	s->fence_context = dma_fence_context_alloc(1);

	device_initialize(&s->dev);
	s->dev.class = &aiot_sensor_class;
	s->dev.parent = parent;
	s->dev.devt = MKDEV(MAJOR(aiot_sensor_devt), id);
	s->dev.groups = aiot_sensor_groups;
	s->dev.release = aiot_sensor_dev_release;
	ret = dev_set_name(&s->dev, "sensor%d", id);
	if (ret) {
		put_device(&s->dev);
		return ERR_PTR(ret);
	}
	cdev_init(&s->cdev, &aiot_sensor_fops);
	s->cdev.owner = THIS_MODULE;
	return s;
}
EXPORT_SYMBOL_GPL(aiot_sensor_alloc);

/**
 * aiot_sensor_add() - create the device node of a stream
 * @s: from aiot_sensor_alloc(), not added yet
 *
 * From here on userspace may open and start the stream, and the backend's
 * callbacks may run. Undo with aiot_sensor_unregister().
 *
 * Return: 0, or a negative error code; on error @s is still the caller's,
 * to drop with aiot_sensor_put().
 */
int aiot_sensor_add(struct aiot_sensor *s)
{
	return cdev_device_add(&s->cdev, &s->dev);
}
EXPORT_SYMBOL_GPL(aiot_sensor_add);

/**
 * aiot_sensor_put() - drop a stream that was never added
 * @s: from aiot_sensor_alloc(); aiot_sensor_add() not called or failed
 */
void aiot_sensor_put(struct aiot_sensor *s)
{
	put_device(&s->dev);
}
EXPORT_SYMBOL_GPL(aiot_sensor_put);

/**
 * aiot_sensor_register() - aiot_sensor_alloc() and aiot_sensor_add() in one
 * @parent: the backend's device
 * @desc: as for aiot_sensor_alloc()
 * @ops: as for aiot_sensor_alloc()
 * @priv: as for aiot_sensor_alloc()
 *
 * The node exists before this returns, so @ops may run before the caller
 * has stored the result: for backends whose callbacks use only the stream
 * they are passed. Others use aiot_sensor_alloc() and aiot_sensor_add().
 *
 * Return: the stream, or an ERR_PTR().
 */
struct aiot_sensor *aiot_sensor_register(struct device *parent,
					 const struct aiot_sensor_desc *desc,
					 const struct aiot_sensor_ops *ops,
					 void *priv)
{
	struct aiot_sensor *s;
	int ret;

	s = aiot_sensor_alloc(parent, desc, ops, priv);
	if (IS_ERR(s))
		return s;
	ret = aiot_sensor_add(s);
	if (ret) {
		aiot_sensor_put(s);
		return ERR_PTR(ret);
	}
	return s;
}
EXPORT_SYMBOL_GPL(aiot_sensor_register);

/**
 * aiot_sensor_unregister() - remove a stream
 * @s: from aiot_sensor_register(), or added with aiot_sensor_add()
 *
 * Stops the stream (pending write fences signal with -ENODEV). Open files
 * stay valid but fail with -ENODEV; mappings and dma-bufs keep their memory.
 * The backend's callbacks are never called again once this returns.
 */
void aiot_sensor_unregister(struct aiot_sensor *s)
{
	mutex_lock(&s->mutex);
	aiot_sensor_stop_locked(s, -ENODEV);
	spin_lock_irq(&s->lock);
	WRITE_ONCE(s->ops, NULL);
	spin_unlock_irq(&s->lock);
	aiot_sensor_consumer_gone(s);
	mutex_unlock(&s->mutex);
	wake_up_interruptible_all(&s->wq);
	cancel_work_sync(&s->recycle_work);
	cancel_delayed_work_sync(&s->watchdog);
	cdev_device_del(&s->cdev, &s->dev);
	put_device(&s->dev);
}
EXPORT_SYMBOL_GPL(aiot_sensor_unregister);

static int __init aiot_sensor_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&aiot_sensor_devt, 0, AIOT_SENSOR_MAX_DEVICES,
				  "aiot-sensor");
	if (ret)
		return ret;
	ret = class_register(&aiot_sensor_class);
	if (ret)
		unregister_chrdev_region(aiot_sensor_devt,
					 AIOT_SENSOR_MAX_DEVICES);
	return ret;
}

static void __exit aiot_sensor_exit(void)
{
	class_unregister(&aiot_sensor_class);
	unregister_chrdev_region(aiot_sensor_devt, AIOT_SENSOR_MAX_DEVICES);
	ida_destroy(&aiot_sensor_ida);
}

module_init(aiot_sensor_init);
module_exit(aiot_sensor_exit);

MODULE_DESCRIPTION("aiot sensor streams: ring of DMA slots shared as dma-bufs");
MODULE_AUTHOR("The aiot authors");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
