// SPDX-License-Identifier: GPL-2.0-only
/*
 * FlatBuffers primitives (see flatbuf.h for the layout they rely on).
 */
#include "flatbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- error messages ---------------------------------------------------- */

__attribute__((format(printf, 2, 3)))
int fb_fail(struct fb_reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Prefix the current message with context ("tensor 5: "), keeping rc. */
__attribute__((format(printf, 3, 4)))
int fb_add_context(struct fb_reader *r, int rc, const char *fmt, ...)
{
	char joined[FB_ERR_MAX];
	size_t len, rest;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(joined, sizeof(joined), fmt, ap);
	va_end(ap);
	/* joined = prefix ": " old message, truncated to FB_ERR_MAX - 1 */
	len = strlen(joined);
	if (len + 2 < sizeof(joined)) {
		memcpy(joined + len, ": ", 2);
		len += 2;
		rest = strnlen(r->msg, sizeof(r->msg) - 1);
		if (rest > sizeof(joined) - 1 - len)
			rest = sizeof(joined) - 1 - len;
		memcpy(joined + len, r->msg, rest);
		len += rest;
	}
	joined[len] = '\0';
	memcpy(r->msg, joined, len + 1);
	return rc;
}

void *fb_calloc(struct fb_reader *r, size_t count, size_t elem_size, int *rc)
{
	void *p;

	if (count == 0)
		count = 1; /* a valid pointer even for empty arrays */
	if (elem_size != 0 && count > r->alloc_budget / elem_size) {
		*rc = -EFBIG;
		snprintf(r->msg, sizeof(r->msg),
			 "model needs more memory than its size justifies "
			 "(aliased tables?)");
		return NULL;
	}
	p = calloc(count, elem_size);
	if (!p) {
		*rc = -ENOMEM;
		snprintf(r->msg, sizeof(r->msg), "out of memory");
		return NULL;
	}
	r->alloc_budget -= count * elem_size;
	*rc = 0;
	return p;
}

/* ---- flatbuffer structure ---------------------------------------------- */

int fb_table_at(struct fb_reader *r, uint64_t pos, struct fb_table *t)
{
	int64_t vtable;
	int32_t soffset;

	if (pos % 4 != 0)
		return fb_fail(r, "table at byte %llu is not 4-byte aligned",
			       (unsigned long long)pos);
	if (!fb_in_file(r, pos, 4))
		return fb_fail(r, "table at byte %llu lies outside the file (%zu bytes)",
			       (unsigned long long)pos, r->size);
	soffset = fb_rd_i32(r, (size_t)pos);
	vtable = (int64_t)pos - (int64_t)soffset;
	if (vtable < 0 || vtable % 2 != 0 || !fb_in_file(r, (uint64_t)vtable, 4))
		return fb_fail(r, "table at byte %llu: vtable at byte %lld lies outside "
			       "the file (%zu bytes) or is misaligned",
			       (unsigned long long)pos, (long long)vtable, r->size);
	t->pos = (size_t)pos;
	t->vtable = (size_t)vtable;
	t->vsize = fb_rd_u16(r, t->vtable);
	t->tsize = fb_rd_u16(r, t->vtable + 2);
	if (t->vsize < 4 || t->vsize % 2 != 0 || !fb_in_file(r, t->vtable, t->vsize))
		return fb_fail(r, "table at byte %zu: vtable size %u is invalid",
			       t->pos, t->vsize);
	if (t->tsize < 4 || !fb_in_file(r, t->pos, t->tsize))
		return fb_fail(r, "table at byte %zu: table size %u runs past the end "
			       "of the file (%zu bytes)", t->pos, t->tsize, r->size);
	return 0;
}

/* Position of field `index` of width `width`, or 0 when it is absent
 * (position 0 is the root offset, never a field). */
int fb_field(struct fb_reader *r, const struct fb_table *t, unsigned index,
	     size_t width, size_t *pos)
{
	size_t slot = 4 + 2 * (size_t)index;
	uint16_t off;

	*pos = 0;
	if (slot + 2 > t->vsize)
		return 0;
	off = fb_rd_u16(r, t->vtable + slot);
	if (off == 0)
		return 0;
	if (off < 4 || (size_t)off + width > t->tsize)
		return fb_fail(r, "field %u at table offset %u (width %zu) lies outside "
			       "its table (%u bytes)", index, off, width, t->tsize);
	*pos = t->pos + off;
	if (*pos % width != 0)
		return fb_fail(r, "field %u at byte %zu is not %zu-byte aligned",
			       index, *pos, width);
	return 0;
}

/*
 * Scalar fields: the value of field `index`, or `def` when the table does
 * not have it (flatbuffers leave defaults out).
 */
#define FB_SCALAR_READER(name, type, width, read)				\
	int name(struct fb_reader *r, const struct fb_table *t,		\
		 unsigned int index, type def, type *out)		\
	{									\
		size_t pos;							\
		int rc = fb_field(r, t, index, width, &pos);			\
										\
		*out = rc == 0 && pos ? read(r, pos) : def;			\
		return rc;							\
	}

FB_SCALAR_READER(fb_u8, uint8_t, 1, fb_rd_u8)
FB_SCALAR_READER(fb_i8, int8_t, 1, fb_rd_i8)
FB_SCALAR_READER(fb_u32, uint32_t, 4, fb_rd_u32)
FB_SCALAR_READER(fb_i32, int32_t, 4, fb_rd_i32)
FB_SCALAR_READER(fb_f32, float, 4, fb_rd_f32)
FB_SCALAR_READER(fb_u64, uint64_t, 8, fb_rd_u64)

int fb_deref(struct fb_reader *r, size_t pos, uint64_t *target)
{
	*target = (uint64_t)pos + fb_rd_u32(r, pos);
	if (*target >= r->size)
		return fb_fail(r, "offset at byte %zu points to byte %llu, outside the "
			       "file (%zu bytes)", pos, (unsigned long long)*target, r->size);
	return 0;
}

int fb_vector_at(struct fb_reader *r, uint64_t pos, size_t elem_size,
		 struct fb_vector *v)
{
	if (pos % 4 != 0 || !fb_in_file(r, pos, 4))
		return fb_fail(r, "vector at byte %llu is misaligned or outside the file",
			       (unsigned long long)pos);
	v->count = fb_rd_u32(r, (size_t)pos);
	v->pos = (size_t)pos + 4;
	if (!fb_in_file(r, v->pos, (uint64_t)v->count * elem_size))
		return fb_fail(r, "vector at byte %llu: %u elements of %zu bytes run past "
			       "the end of the file (%zu bytes)", (unsigned long long)pos,
			       v->count, elem_size, r->size);
	return 0;
}

/* The target of offset field `index`; *here false when it is absent. */
static int fb_offset_field(struct fb_reader *r, const struct fb_table *t, unsigned int index,
			   uint64_t *target, bool *here)
{
	size_t pos;
	int rc;

	*here = false;
	rc = fb_field(r, t, index, 4, &pos);
	if (rc || !pos)
		return rc;
	rc = fb_deref(r, pos, target);
	if (!rc)
		*here = true;
	return rc;
}

/* Vector field; an absent field reads as an empty vector. */
int fb_vector(struct fb_reader *r, const struct fb_table *t, unsigned index,
	      size_t elem_size, struct fb_vector *v, bool *present)
{
	uint64_t target = 0;
	bool here;
	int rc;

	v->pos = 0;
	v->count = 0;
	rc = fb_offset_field(r, t, index, &target, &here);
	if (present)
		*present = here;
	if (rc || !here)
		return rc;
	return fb_vector_at(r, target, elem_size, v);
}

int fb_table_field(struct fb_reader *r, const struct fb_table *t, unsigned index,
		   struct fb_table *out, bool *present)
{
	uint64_t target = 0;
	int rc = fb_offset_field(r, t, index, &target, present);

	if (rc || !*present)
		return rc;
	return fb_table_at(r, target, out);
}

int fb_vector_table(struct fb_reader *r, const struct fb_vector *v, uint32_t i,
		    struct fb_table *out)
{
	uint64_t target;
	int rc = fb_deref(r, v->pos + (size_t)i * 4, &target);

	return rc ? rc : fb_table_at(r, target, out);
}

/* Copy a string field into a new NUL-terminated allocation ("" if absent). */
int fb_string_dup(struct fb_reader *r, const struct fb_table *t, unsigned index,
		  char **out, bool *present)
{
	struct fb_vector v;
	bool here;
	int rc;

	*out = NULL;
	rc = fb_vector(r, t, index, 1, &v, &here);
	if (rc)
		return rc;
	if (here && !fb_in_file(r, v.pos, (uint64_t)v.count + 1))
		return fb_fail(r, "string at byte %zu has no NUL terminator inside the file",
			       v.pos);
	if (here && r->buf[v.pos + v.count] != 0)
		return fb_fail(r, "string at byte %zu (%u bytes) is not NUL-terminated",
			       v.pos, v.count);
	*out = fb_calloc(r, (size_t)v.count + 1, 1, &rc);
	if (!*out)
		return rc;
	if (v.count)
		memcpy(*out, r->buf + v.pos, v.count);
	if (present)
		*present = here;
	return 0;
}

/* Copy an int32 vector field (indices, shapes) into a new array. */
int fb_i32_vector_dup(struct fb_reader *r, const struct fb_table *t, unsigned index,
		      int32_t **out, uint32_t *count)
{
	struct fb_vector v;
	int rc;

	*out = NULL;
	*count = 0;
	rc = fb_vector(r, t, index, 4, &v, NULL);
	if (rc)
		return rc;
	*out = fb_calloc(r, v.count, sizeof(int32_t), &rc);
	if (!*out)
		return rc;
	for (uint32_t i = 0; i < v.count; i++)
		(*out)[i] = fb_rd_i32(r, v.pos + (size_t)i * 4);
	*count = v.count;
	return 0;
}
