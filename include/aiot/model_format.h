/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * DOC: aiot compiled model blob
 *
 * What aiot-compile writes and aiot_model_load() reads: one file holding a
 * command stream of the aiot ISA, the weights it reads, the description of
 * the model's input and output tensors and the size of its scratch arena.
 * docs/model-format.md is the prose version of this header.
 *
 * Layout (all integers little-endian, every offset from the start of the
 * blob):
 *
 *   struct aiot_model_file_header        64 bytes at offset 0
 *   struct aiot_model_section[n]         24 bytes each, at header_size
 *   section payloads                     each 8-byte aligned, no overlap
 *
 * Two CRC-32s (IEEE 802.3, as zlib's crc32()) protect it: header_crc over
 * the 64 header bytes with header_crc itself taken as zero, payload_crc over
 * every byte after the header (section table and payloads). A blob's total
 * size is in its header, so truncation is always detected.
 *
 * Compatibility: a reader accepts its own major version and any minor
 * version up to its own; a newer minor may only add optional sections
 * (AIOT_MODEL_SECTION_F_OPTIONAL) or give meaning to reserved fields whose
 * zero value means "as before".
 */
#ifndef AIOT_MODEL_FORMAT_H
#define AIOT_MODEL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AIOT_API
#if defined(__GNUC__)
#define AIOT_API __attribute__((visibility("default")))
#else
#define AIOT_API
#endif
#endif

/* "AIOTMODL" */
#define AIOT_MODEL_MAGIC		"AIOTMODL"
#define AIOT_MODEL_MAGIC_LEN		8
#define AIOT_MODEL_VERSION_MAJOR	1
/*
 * Minor 1 gives aiot_model_tensor.pixel_format (was reserved1) a meaning.
 * A writer declares minor 1 only in a blob that uses it, so blobs without
 * a camera-frame input stay readable by minor-0 readers, and a minor-0
 * reader refuses (by version) one whose input is a camera frame.
 */
/*
 * Minor 2 gives aiot_model_tensor.flags (was reserved0) a meaning:
 * AIOT_MODEL_TENSOR_F_DEQUANTIZE. Declared, like minor 1, only by a blob
 * that uses it.
 */
#define AIOT_MODEL_VERSION_MINOR	2
#define AIOT_MODEL_VERSION_MINOR_PIXEL_FORMAT	1
#define AIOT_MODEL_VERSION_MINOR_DEQUANTIZE	2

#define AIOT_MODEL_HEADER_SIZE		64
#define AIOT_MODEL_SECTION_SIZE		24
#define AIOT_MODEL_TENSOR_SIZE		64
#define AIOT_MODEL_SECTION_ALIGN	8

/* Limits of this reader; a blob beyond them is rejected. */
#define AIOT_MODEL_MAX_SECTIONS		16
#define AIOT_MODEL_MAX_TENSORS		16	/* inputs and outputs together */
#define AIOT_MODEL_MAX_BLOB_SIZE	(1024u * 1024u * 1024u)
#define AIOT_MODEL_MAX_ARENA_SIZE	(1024u * 1024u * 1024u)
#define AIOT_MODEL_MAX_BINDINGS		16
#define AIOT_MODEL_NAME_LEN		24

/* A slot field that names no binding (e.g. a model without weights). */
#define AIOT_MODEL_NO_BINDING		0xff

/**
 * enum aiot_model_section_type - what a section holds
 * @AIOT_MODEL_SECTION_COMMAND_STREAM: an aiot ISA stream (struct
 *	aiot_isa_header first, its size field equal to the section size).
 *	Exactly one.
 * @AIOT_MODEL_SECTION_WEIGHTS: bytes bound at weights_binding, read-only
 *	constants (filters, biases, requantization records). At most one;
 *	required when weights_binding names a slot.
 * @AIOT_MODEL_SECTION_TENSORS: struct aiot_model_tensor records of the
 *	inputs and outputs. Exactly one.
 * @AIOT_MODEL_SECTION_NAME: the model's name, UTF-8, no NUL needed. At
 *	most one; optional.
 */
enum aiot_model_section_type {
	AIOT_MODEL_SECTION_COMMAND_STREAM = 1,
	AIOT_MODEL_SECTION_WEIGHTS = 2,
	AIOT_MODEL_SECTION_TENSORS = 3,
	AIOT_MODEL_SECTION_NAME = 4,
};

/* A reader that does not know the section's type may skip it. */
#define AIOT_MODEL_SECTION_F_OPTIONAL	(1u << 0)

/**
 * struct aiot_model_file_header - at offset 0 of a blob (64 bytes)
 * @magic: AIOT_MODEL_MAGIC, not NUL-terminated.
 * @version_major: AIOT_MODEL_VERSION_MAJOR.
 * @version_minor: AIOT_MODEL_VERSION_MINOR of the writer.
 * @header_size: AIOT_MODEL_HEADER_SIZE; the section table starts here.
 * @section_count: entries in the section table, 1..AIOT_MODEL_MAX_SECTIONS.
 * @total_size: bytes of the whole blob.
 * @header_crc: CRC-32 of these 64 bytes with @header_crc as zero.
 * @payload_crc: CRC-32 of bytes header_size .. total_size - 1.
 * @flags: none defined, must be 0.
 * @isa_version: AIOT_ISA_VERSION() of the command stream.
 * @arena_size: bytes of scratch memory bound at @arena_binding, at most
 *	AIOT_MODEL_MAX_ARENA_SIZE; 0 iff @arena_binding is
 *	AIOT_MODEL_NO_BINDING.
 * @weights_binding: slot of the weights buffer, or AIOT_MODEL_NO_BINDING.
 * @arena_binding: slot of the arena buffer, or AIOT_MODEL_NO_BINDING.
 * @reserved0: must be 0.
 * @reserved: must be 0.
 */
struct aiot_model_file_header {
	char magic[AIOT_MODEL_MAGIC_LEN];
	uint16_t version_major;
	uint16_t version_minor;
	uint32_t header_size;
	uint32_t section_count;
	uint32_t flags;
	uint64_t total_size;
	uint32_t header_crc;
	uint32_t payload_crc;
	uint32_t isa_version;
	uint8_t weights_binding;
	uint8_t arena_binding;
	uint16_t reserved0;
	uint64_t arena_size;
	uint32_t reserved[2];
};

/**
 * struct aiot_model_section - one entry of the section table (24 bytes)
 * @type: &enum aiot_model_section_type.
 * @flags: AIOT_MODEL_SECTION_F_* bits.
 * @offset: where the payload starts: AIOT_MODEL_SECTION_ALIGN-aligned,
 *	after the section table.
 * @size: bytes of the payload; may be 0 only for an optional section.
 */
struct aiot_model_section {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t size;
};

/* aiot_model_tensor.flags */
#define AIOT_MODEL_TENSOR_F_DEQUANTIZE	0x01

enum aiot_model_tensor_direction {
	AIOT_MODEL_TENSOR_INPUT = 0,
	AIOT_MODEL_TENSOR_OUTPUT = 1,
};

/**
 * struct aiot_model_tensor - one input or output of the model (64 bytes)
 * @name: UTF-8, NUL-padded; need not be terminated when it fills the field.
 * @direction: &enum aiot_model_tensor_direction.
 * @dtype: enum aiot_isa_dtype (1 int8, 2 int16, 3 int32).
 * @binding: slot of the buffer holding the tensor; neither the weights nor
 *	the arena slot, and never shared by an input and an output.
 * @flags: 0, or (blob minor version 2 or later, an output only)
 *	AIOT_MODEL_TENSOR_F_DEQUANTIZE: the model's graph gives this output
 *	as float32, from a DEQUANTIZE the device does not run (the ISA has
 *	integer types only). The tensor holds the integer values; the host
 *	dequantizes them as TensorFlow Lite's DEQUANTIZE does, element by
 *	element (float)((double)scale * (q - zero_point)).
 * @offset: byte offset of the tensor in that buffer, a multiple of the
 *	element size.
 * @dims: NHWC shape, each 1..65535.
 * @scale_bits: the quantization scale as IEEE-754 binary32 bits; finite
 *	and > 0.
 * @zero_point: quantization zero point, within the dtype's range.
 * @size: bytes: product of @dims times the element size.
 * @pixel_format: 0: a plain tensor. Otherwise (blob minor version 1 or
 *	later, an input only) the tensor is a camera frame: a V4L2 fourcc
 *	(GREY, YUYV, UYVY, NV12, RGB24, BGR24 of <linux/videodev2.h>),
 *	@dtype int8 (bytes), @dims [1, height, width, 1], @size the frame's
 *	bytes at a stride of width times bytes per pixel (NV12: width *
 *	height * 3 / 2, the chroma plane right after the luma plane); width
 *	even for YUYV, UYVY and NV12, height even for NV12. The model's
 *	first operation converts it (FRAME_TO_TENSOR, docs/isa.md).
 *
 * Tensors in the same slot must not overlap. Inputs come first in the
 * table, then outputs; at least one of each.
 */
struct aiot_model_tensor {
	char name[AIOT_MODEL_NAME_LEN];
	uint8_t direction;
	uint8_t dtype;
	uint8_t binding;
	uint8_t flags;
	uint32_t offset;
	uint32_t dims[4];
	uint32_t scale_bits;
	int32_t zero_point;
	uint32_t size;
	uint32_t pixel_format;
};

/**
 * aiot_model_frame_size() - bytes of a camera frame input
 * @fourcc: a V4L2 fourcc aiot_model_tensor.pixel_format may hold.
 * @width: pixels per row.
 * @height: rows.
 * @bytes: receives width * height * bytes per pixel (NV12: * 3 / 2).
 *
 * Return: 0; -EINVAL for an unknown fourcc, a zero or odd size the format
 * cannot have, or more than 1 GiB.
 */
AIOT_API int aiot_model_frame_size(uint32_t fourcc, uint32_t width, uint32_t height,
				   uint64_t *bytes);

/**
 * struct aiot_model_blob_view - a parsed blob
 * @header: the header, decoded to host byte order.
 * @command_stream: points into the blob.
 * @command_stream_size: bytes.
 * @weights: points into the blob; NULL if none.
 * @weights_size: bytes.
 * @name: the model's name, NUL-terminated ("" if none).
 * @input_count: inputs, first in @tensors.
 * @output_count: outputs, after the inputs.
 * @tensors: decoded tensor records.
 *
 * Pointers refer to the parsed buffer, which must outlive the view.
 */
struct aiot_model_blob_view {
	struct aiot_model_file_header header;
	const void *command_stream;
	size_t command_stream_size;
	const void *weights;
	size_t weights_size;
	char name[64];
	unsigned int input_count;
	unsigned int output_count;
	struct aiot_model_tensor tensors[AIOT_MODEL_MAX_TENSORS];
};

/**
 * aiot_model_blob_parse() - check and decode a compiled model blob
 * @data: the blob; untrusted. Any alignment.
 * @size: bytes at @data.
 * @view: receives the decoded blob.
 * @err: receives a message naming the first problem found, may be NULL.
 * @errlen: bytes at @err.
 *
 * Every offset, length and sum is checked against overflow and the blob's
 * bounds before it is used. The command stream gets a header check here;
 * its operations are validated by the device at submit (or by the ISA
 * validator of the CPU fallback).
 *
 * Return: 0; -ENOEXEC if it is not a model blob (bad magic, too short for
 * a header); -EPROTONOSUPPORT for a version this reader does not know;
 * -EBADMSG if a checksum does not match; -EINVAL for anything else
 * malformed (sizes, offsets, overlaps, fields, limits).
 */
AIOT_API int aiot_model_blob_parse(const void *data, size_t size,
				   struct aiot_model_blob_view *view,
				   char *err, size_t errlen);

/**
 * struct aiot_model_blob_parts - what aiot_model_blob_build() assembles
 * @name: model name, may be NULL.
 * @isa_version: AIOT_ISA_VERSION() of @command_stream.
 * @command_stream: the stream.
 * @command_stream_size: its bytes.
 * @weights: the weights, may be NULL when @weights_size is 0.
 * @weights_size: their bytes.
 * @weights_binding: slot, or AIOT_MODEL_NO_BINDING without weights.
 * @arena_size: bytes of the arena, 0 for none.
 * @arena_binding: slot, or AIOT_MODEL_NO_BINDING without arena.
 * @tensors: inputs first, then outputs, in host byte order.
 * @tensor_count: entries at @tensors.
 */
struct aiot_model_blob_parts {
	const char *name;
	uint32_t isa_version;
	const void *command_stream;
	size_t command_stream_size;
	const void *weights;
	size_t weights_size;
	uint8_t weights_binding;
	uint64_t arena_size;
	uint8_t arena_binding;
	const struct aiot_model_tensor *tensors;
	unsigned int tensor_count;
};

/**
 * aiot_model_blob_build() - write a blob (for compilers and tests)
 * @parts: the contents.
 * @blob_out: receives a malloc()ed blob, to free().
 * @size_out: receives its size.
 * @err: receives a message on failure, may be NULL.
 * @errlen: bytes at @err.
 *
 * The result is checked with aiot_model_blob_parse() before it is
 * returned, so a writer cannot produce what the reader rejects.
 *
 * Return: 0; -EINVAL with a message for parts the format cannot hold;
 * -ENOMEM.
 */
AIOT_API int aiot_model_blob_build(const struct aiot_model_blob_parts *parts,
				   void **blob_out, size_t *size_out,
				   char *err, size_t errlen);

/**
 * aiot_crc32() - CRC-32 (IEEE 802.3, zlib's crc32())
 * @crc: 0 to start, or the result of the previous call to continue.
 * @data: the bytes.
 * @len: their count.
 *
 * Return: the updated CRC.
 */
AIOT_API uint32_t aiot_crc32(uint32_t crc, const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* AIOT_MODEL_FORMAT_H */
