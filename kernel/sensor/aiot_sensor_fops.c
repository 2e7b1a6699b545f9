// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sensor streams, the character device: file operations and the ioctl
 * table (/dev/aiot/sensorN).
 */

#include <linux/cdev.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "aiot_compat.h"
#include "aiot_sensor_priv.h"

/* File operations. */

static int aiot_sensor_open(struct inode *inode, struct file *file)
{
	struct aiot_sensor *s = container_of(inode->i_cdev, struct aiot_sensor,
					     cdev);
	bool gone;

	get_device(&s->dev);
	mutex_lock(&s->mutex);
	gone = !s->ops;
	mutex_unlock(&s->mutex);
	if (gone) {
		put_device(&s->dev);
		return -ENODEV;
	}
	file->private_data = s;
	return nonseekable_open(inode, file);
}

static int aiot_sensor_release(struct inode *inode, struct file *file)
{
	struct aiot_sensor *s = file->private_data;

	aiot_sensor_release_owner(s, file);
	put_device(&s->dev);
	return 0;
}

static __poll_t aiot_sensor_poll(struct file *file, poll_table *wait)
{
	struct aiot_sensor *s = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &s->wq, wait);
	spin_lock_irq(&s->lock);
	if (!READ_ONCE(s->ops))
		mask = EPOLLHUP | EPOLLERR;
	else if (READ_ONCE(s->owner) != file || !s->ring)
		mask = EPOLLERR;
	else if (!list_empty(&s->ring->done))
		mask = EPOLLIN | EPOLLRDNORM;
	else if (!s->streaming)
		mask = EPOLLERR;
	spin_unlock_irq(&s->lock);
	return mask;
}

static ssize_t aiot_sensor_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	return aiot_sensor_read_slot(file->private_data, file, ubuf, count,
				     file->f_flags & O_NONBLOCK);
}

static int aiot_sensor_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct aiot_sensor *s = file->private_data;
	int ret;

	mutex_lock(&s->mutex);
	ret = aiot_sensor_check_owner(s, file);
	if (!ret)
		ret = aiot_sensor_ring_mmap(s->ring, vma);
	mutex_unlock(&s->mutex);
	return ret;
}

/*
 * Each ioctl's struct may grow at its end: the kernel accepts any size from
 * the first published one (the size is in the command). Input beyond what
 * the kernel knows must be zero (-E2BIG); output is truncated or
 * zero-extended to the caller's size.
 */
struct aiot_sensor_ioctl_desc {
	unsigned int dir;
	u32 min_size;
	u32 size;
};

/*
 * The first published size of each struct is the one in its command, but
 * for INFO, which has grown since.
 */
#define AIOT_SENSOR_NONE	{ _IOC_NONE, 0, 0 }

static const struct aiot_sensor_ioctl_desc aiot_sensor_ioctls[] = {
	[_IOC_NR(AIOT_SENSOR_IOC_INFO)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_INFO),
		AIOT_SENSOR_INFO_SIZE_V1,
		sizeof(struct aiot_sensor_info) },
	[_IOC_NR(AIOT_SENSOR_IOC_CONFIGURE)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_CONFIGURE),
		_IOC_SIZE(AIOT_SENSOR_IOC_CONFIGURE),
		sizeof(struct aiot_sensor_config) },
	[_IOC_NR(AIOT_SENSOR_IOC_G_CONFIG)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_G_CONFIG),
		_IOC_SIZE(AIOT_SENSOR_IOC_G_CONFIG),
		sizeof(struct aiot_sensor_config) },
	[_IOC_NR(AIOT_SENSOR_IOC_START)] = AIOT_SENSOR_NONE,
	[_IOC_NR(AIOT_SENSOR_IOC_STOP)] = AIOT_SENSOR_NONE,
	[_IOC_NR(AIOT_SENSOR_IOC_DQBUF)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_DQBUF),
		_IOC_SIZE(AIOT_SENSOR_IOC_DQBUF),
		sizeof(struct aiot_sensor_buffer) },
	[_IOC_NR(AIOT_SENSOR_IOC_QBUF)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_QBUF),
		_IOC_SIZE(AIOT_SENSOR_IOC_QBUF),
		sizeof(struct aiot_sensor_buffer) },
	[_IOC_NR(AIOT_SENSOR_IOC_EXPBUF)] = {
		_IOC_DIR(AIOT_SENSOR_IOC_EXPBUF),
		_IOC_SIZE(AIOT_SENSOR_IOC_EXPBUF),
		sizeof(struct aiot_sensor_expbuf) },
};

union aiot_sensor_ioctl_arg {
	struct aiot_sensor_info info;
	struct aiot_sensor_config cfg;
	struct aiot_sensor_buffer buf;
	struct aiot_sensor_expbuf exp;
};

static long aiot_sensor_do_ioctl(struct aiot_sensor *s, struct file *file,
				 unsigned int nr,
				 union aiot_sensor_ioctl_arg *arg)
{
	switch (nr) {
	case _IOC_NR(AIOT_SENSOR_IOC_INFO):
		/* The snapshot reads only the core's own copies. */
		if (!READ_ONCE(s->ops))
			return -ENODEV;
		aiot_sensor_fill_info(s, &arg->info);
		return 0;
	case _IOC_NR(AIOT_SENSOR_IOC_CONFIGURE):
		return aiot_sensor_configure(s, file, &arg->cfg);
	case _IOC_NR(AIOT_SENSOR_IOC_G_CONFIG): {
		int ret;

		mutex_lock(&s->mutex);
		ret = aiot_sensor_check_owner(s, file);
		if (!ret)
			arg->cfg = s->cfg;
		mutex_unlock(&s->mutex);
		return ret;
	}
	case _IOC_NR(AIOT_SENSOR_IOC_START):
		return aiot_sensor_start(s, file);
	case _IOC_NR(AIOT_SENSOR_IOC_STOP):
		return aiot_sensor_stop(s, file);
	case _IOC_NR(AIOT_SENSOR_IOC_DQBUF):
		if (arg->buf.flags || arg->buf.reserved)
			return -EINVAL;
		return aiot_sensor_dqbuf(s, file, &arg->buf,
					 file->f_flags & O_NONBLOCK);
	case _IOC_NR(AIOT_SENSOR_IOC_QBUF):
		return aiot_sensor_qbuf(s, file, &arg->buf);
	case _IOC_NR(AIOT_SENSOR_IOC_EXPBUF):
		return aiot_sensor_expbuf(s, file, &arg->exp);
	}
	return -ENOTTY;
}

static long aiot_sensor_ioctl(struct file *file, unsigned int cmd,
			      unsigned long uarg)
{
	struct aiot_sensor *s = file->private_data;
	const struct aiot_sensor_ioctl_desc *d;
	void __user *uptr = (void __user *)uarg;
	union aiot_sensor_ioctl_arg arg;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize = _IOC_SIZE(cmd);
	long ret;

	if (_IOC_TYPE(cmd) != AIOT_SENSOR_IOC_MAGIC ||
	    nr >= ARRAY_SIZE(aiot_sensor_ioctls))
		return -ENOTTY;
	d = &aiot_sensor_ioctls[nr];
	if (_IOC_DIR(cmd) != d->dir || usize < d->min_size)
		return -ENOTTY;

	memset(&arg, 0, sizeof(arg));
	if (d->dir & _IOC_WRITE) {
		ret = copy_struct_from_user(&arg, d->size, uptr, usize);
		if (ret)
			return ret;
	}
	ret = aiot_sensor_do_ioctl(s, file, nr, &arg);
	if (ret || !(d->dir & _IOC_READ))
		return ret;
	if (copy_to_user(uptr, &arg, min(usize, d->size)))
		return -EFAULT;
	if (usize > d->size && clear_user(uptr + d->size, usize - d->size))
		return -EFAULT;
	return 0;
}

const struct file_operations aiot_sensor_fops = {
	.owner = THIS_MODULE,
	.open = aiot_sensor_open,
	.release = aiot_sensor_release,
	.read = aiot_sensor_read,
	.poll = aiot_sensor_poll,
	.mmap = aiot_sensor_mmap,
	.unlocked_ioctl = aiot_sensor_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
