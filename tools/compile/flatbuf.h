/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A bounds-checked FlatBuffers reader without generated code: the binary
 * format's primitives, independent of any schema (tflite_reader.c reads
 * the TFLite schema with them).
 *
 * FlatBuffers layout facts used here (all little-endian):
 *  - byte 0: uoffset (u32) to the root table; bytes 4..7: file identifier.
 *  - a table starts with an soffset (s32); its vtable is at table - soffset.
 *  - a vtable is u16 vtable_size, u16 table_size, then one u16 per field:
 *    the field's offset inside the table, 0 when the field is absent.
 *  - a field referencing a table/vector/string holds a uoffset relative to
 *    the field's own position.
 *  - a vector is a u32 element count followed by the elements; a vector of
 *    tables holds uoffsets relative to each element's position.
 *  - a string is a vector of bytes followed by a NUL terminator.
 *  - a union is two fields: a u8 type (field n) and a table (field n+1).
 *
 * Every access goes through the fb_* helpers below, which bounds-check in
 * 64-bit arithmetic, so no offset in the file can make us read outside it.
 *
 * Every access goes through these helpers, which bounds-check in 64-bit
 * arithmetic, so no offset in the file can make a reader read outside it.
 * Functions that can fail return 0 or a negative errno and leave a message
 * in the reader's msg.
 */
#ifndef AIOT_COMPILE_FLATBUF_H
#define AIOT_COMPILE_FLATBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FB_ERR_MAX 512

struct fb_reader {
	const uint8_t *buf;
	size_t size;
	/* Memory we may still allocate: bounds what a small hostile file can
	 * make us allocate through shared (aliased) tables. */
	size_t alloc_budget;
	char msg[FB_ERR_MAX];
};

struct fb_table {
	size_t pos;       /* position of the table (its soffset) */
	size_t vtable;    /* position of its vtable */
	uint16_t vsize;   /* vtable size in bytes */
	uint16_t tsize;   /* inline table size in bytes */
};

struct fb_vector {
	size_t pos;       /* position of the first element */
	uint32_t count;
};

/* ---- bounds-checked little-endian reads -------------------------------- */

static inline bool fb_in_file(const struct fb_reader *r, uint64_t pos, uint64_t len)
{
	return pos <= r->size && len <= r->size - pos;
}

static inline uint8_t fb_rd_u8(const struct fb_reader *r, size_t pos)
{
	return r->buf[pos];
}

static inline int8_t fb_rd_i8(const struct fb_reader *r, size_t pos)
{
	return (int8_t)r->buf[pos];
}

static inline uint16_t fb_rd_u16(const struct fb_reader *r, size_t pos)
{
	return (uint16_t)(r->buf[pos] | (uint16_t)r->buf[pos + 1] << 8);
}

static inline uint32_t fb_rd_u32(const struct fb_reader *r, size_t pos)
{
	return (uint32_t)r->buf[pos] | (uint32_t)r->buf[pos + 1] << 8 |
	       (uint32_t)r->buf[pos + 2] << 16 | (uint32_t)r->buf[pos + 3] << 24;
}

static inline uint64_t fb_rd_u64(const struct fb_reader *r, size_t pos)
{
	return (uint64_t)fb_rd_u32(r, pos) | (uint64_t)fb_rd_u32(r, pos + 4) << 32;
}

static inline int32_t fb_rd_i32(const struct fb_reader *r, size_t pos)
{
	uint32_t u = fb_rd_u32(r, pos);
	int32_t v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

static inline float fb_rd_f32(const struct fb_reader *r, size_t pos)
{
	uint32_t u = fb_rd_u32(r, pos);
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* ---- error messages and allocation ------------------------------------- */

/* Set the message; returns -EINVAL. */
__attribute__((format(printf, 2, 3)))
int fb_fail(struct fb_reader *r, const char *fmt, ...);
/* Prefix the current message with context ("tensor 5: "), keeping rc. */
__attribute__((format(printf, 3, 4)))
int fb_add_context(struct fb_reader *r, int rc, const char *fmt, ...);
/* calloc() within the reader's alloc_budget (-EFBIG beyond it, -ENOMEM);
 * never NULL on success, even for count 0. */
void *fb_calloc(struct fb_reader *r, size_t count, size_t elem_size, int *rc);

/* ---- flatbuffer structure ---------------------------------------------- */

int fb_table_at(struct fb_reader *r, uint64_t pos, struct fb_table *t);
/* Position of field `index` of width `width`, or 0 when it is absent. */
int fb_field(struct fb_reader *r, const struct fb_table *t, unsigned int index,
	     size_t width, size_t *pos);
/* Scalar fields: the value of field `index`, or `def` when it is absent. */
int fb_u8(struct fb_reader *r, const struct fb_table *t, unsigned int index,
	  uint8_t def, uint8_t *out);
int fb_i8(struct fb_reader *r, const struct fb_table *t, unsigned int index,
	  int8_t def, int8_t *out);
int fb_u32(struct fb_reader *r, const struct fb_table *t, unsigned int index,
	   uint32_t def, uint32_t *out);
int fb_i32(struct fb_reader *r, const struct fb_table *t, unsigned int index,
	   int32_t def, int32_t *out);
int fb_f32(struct fb_reader *r, const struct fb_table *t, unsigned int index,
	   float def, float *out);
int fb_u64(struct fb_reader *r, const struct fb_table *t, unsigned int index,
	   uint64_t def, uint64_t *out);
/* The target of the uoffset at pos. */
int fb_deref(struct fb_reader *r, size_t pos, uint64_t *target);
int fb_vector_at(struct fb_reader *r, uint64_t pos, size_t elem_size, struct fb_vector *v);
/* Vector field; an absent field reads as an empty vector. */
int fb_vector(struct fb_reader *r, const struct fb_table *t, unsigned int index,
	      size_t elem_size, struct fb_vector *v, bool *present);
int fb_table_field(struct fb_reader *r, const struct fb_table *t, unsigned int index,
		   struct fb_table *out, bool *present);
/* Element i of a vector of tables. */
int fb_vector_table(struct fb_reader *r, const struct fb_vector *v, uint32_t i,
		    struct fb_table *out);
/* Copy a string field into a new NUL-terminated allocation ("" if absent). */
int fb_string_dup(struct fb_reader *r, const struct fb_table *t, unsigned int index,
		  char **out, bool *present);
/* Copy an int32 vector field (indices, shapes) into a new array. */
int fb_i32_vector_dup(struct fb_reader *r, const struct fb_table *t, unsigned int index,
		      int32_t **out, uint32_t *count);

#endif /* AIOT_COMPILE_FLATBUF_H */
