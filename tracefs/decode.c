// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Field decoding: a tep_format_field is resolved once into a struct
 * ltr_field, then read from raw records without trusting the record.
 *
 * libtraceevent's own readers (tep_read_number_field, tep_get_field_raw)
 * do no bounds checks and return zero-extended values, so the reads here
 * are done by hand.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event-parse.h>

#include "internal.h"

/*
 * The C types whose values the kernel stores in slots wider than the
 * type, as syscall tracepoints do with every argument, marking them all
 * unsigned.  Fixed-width types, and the signed 64-bit ones (long, off_t),
 * which keep the slot's size but not its sign; size_t, unsigned long and
 * pointers keep both.
 */
struct ctype {
	const char *name;
	unsigned int size;
	int is_signed;		/* -1: follow the format's signed flag */
};

static const struct ctype ctypes[] = {
	{ "char", 1, -1 },
	{ "signed char", 1, 1 },
	{ "unsigned char", 1, 0 },
	{ "bool", 1, 0 },
	{ "_Bool", 1, 0 },
	{ "s8", 1, 1 },
	{ "__s8", 1, 1 },
	{ "int8_t", 1, 1 },
	{ "u8", 1, 0 },
	{ "__u8", 1, 0 },
	{ "uint8_t", 1, 0 },
	{ "short", 2, 1 },
	{ "short int", 2, 1 },
	{ "signed short", 2, 1 },
	{ "unsigned short", 2, 0 },
	{ "unsigned short int", 2, 0 },
	{ "s16", 2, 1 },
	{ "__s16", 2, 1 },
	{ "int16_t", 2, 1 },
	{ "u16", 2, 0 },
	{ "__u16", 2, 0 },
	{ "uint16_t", 2, 0 },
	{ "umode_t", 2, 0 },
	{ "int", 4, 1 },
	{ "signed", 4, 1 },
	{ "signed int", 4, 1 },
	{ "unsigned", 4, 0 },
	{ "unsigned int", 4, 0 },
	{ "s32", 4, 1 },
	{ "__s32", 4, 1 },
	{ "int32_t", 4, 1 },
	{ "u32", 4, 0 },
	{ "__u32", 4, 0 },
	{ "uint32_t", 4, 0 },
	{ "pid_t", 4, 1 },
	{ "key_t", 4, 1 },
	{ "mqd_t", 4, 1 },
	{ "timer_t", 4, 1 },
	{ "clockid_t", 4, 1 },
	{ "key_serial_t", 4, 1 },
	{ "rwf_t", 4, 1 },
	{ "uid_t", 4, 0 },
	{ "gid_t", 4, 0 },
	{ "qid_t", 4, 0 },
	/*
	 * As wide as a 64-bit slot, but signed, which the syscall formats
	 * do not say ("off_t offset ... signed:0"): lseek's -60 is -60
	 */
	{ "long", 8, 1 },
	{ "long int", 8, 1 },
	{ "signed long", 8, 1 },
	{ "long long", 8, 1 },
	{ "long long int", 8, 1 },
	{ "s64", 8, 1 },
	{ "__s64", 8, 1 },
	{ "int64_t", 8, 1 },
	{ "off_t", 8, 1 },
	{ "loff_t", 8, 1 },
	{ "ssize_t", 8, 1 },
};

static bool word_is(const char *w, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(w, s, len) == 0;
}

/*
 * Reduces a format type such as "const unsigned int" to "unsigned int"
 * in @buf.  Returns false for pointers, arrays and names too long to be
 * one of ctypes[], which all keep the slot's size.
 */
static bool normalize_type(const char *type, char *buf, size_t bufsize)
{
	size_t used = 0;
	const char *p = type;

	if (strpbrk(type, "*[("))
		return false;
	while (*p) {
		const char *w;
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		w = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		len = p - w;
		if (!len || word_is(w, len, "const") ||
		    word_is(w, len, "volatile") || word_is(w, len, "__user"))
			continue;
		if (used + !!used + len + 1 > bufsize)
			return false;
		if (used)
			buf[used++] = ' ';
		memcpy(buf + used, w, len);
		used += len;
	}
	buf[used] = '\0';
	return used > 0;
}

static const struct ctype *find_ctype(const char *type)
{
	char buf[32];
	size_t i;

	if (!normalize_type(type, buf, sizeof(buf)))
		return NULL;
	for (i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++)
		if (!strcmp(ctypes[i].name, buf))
			return &ctypes[i];
	return NULL;
}

/*
 * libtraceevent marks u8[] and s8[] arrays as strings too; they hold
 * addresses and hashes more often than text, so only char arrays count.
 */
static bool is_char_array(const char *type)
{
	const char *p = type;

	while ((p = strstr(p, "char"))) {
		bool starts = p == type || p[-1] == ' ';
		char end = p[4];

		if (starts && (end == '\0' || end == ' ' || end == '['))
			return true;
		p += 4;
	}
	return false;
}

static enum ltr_field_kind field_kind(const struct tep_format_field *tf)
{
	unsigned long flags = tf->flags;
	bool chars = (flags & TEP_FIELD_IS_STRING) && is_char_array(tf->type);

	if (flags & TEP_FIELD_IS_DYNAMIC) {
		if (!chars || tf->size != 4)
			return LTR_FIELD_OTHER;
		if (flags & TEP_FIELD_IS_RELATIVE)
			return LTR_FIELD_STR_REL;
		return LTR_FIELD_STR_DYN;
	}
	if (flags & TEP_FIELD_IS_ARRAY)
		return chars ? LTR_FIELD_STR_FIXED : LTR_FIELD_OTHER;
	switch (tf->size) {
	case 1:
	case 2:
	case 4:
	case 8:
		return LTR_FIELD_NUMBER;
	default:
		return LTR_FIELD_OTHER;
	}
}

/**
 * ltr_field_init - fill a field descriptor from a parsed format field
 * @f:  the descriptor to fill; written only on success
 * @tf: the field, from a tep_event of the session's tep
 *
 * Works out how to read the field: its kind, and for numbers the bytes
 * that carry the value and their signedness.  A number stored in a wider
 * slot than its declared C type (syscall arguments: "int dfd" in 8 bytes,
 * "signed:0") takes its width and signedness from the C type.
 *
 * Return: 0, or -ENOMEM (errno set).  Release with ltr_field_fini().
 */
int ltr_field_init(struct ltr_field *f, const struct tep_format_field *tf)
{
	struct ltr_field nf = { 0 };

	if (!f || !tf || !tf->name || !tf->type || tf->offset < 0 ||
	    tf->size < 0)
		return ltr_error(EINVAL, "invalid format field");

	nf.offset = tf->offset;
	nf.size = tf->size;
	nf.value_size = tf->size;
	nf.is_signed = tf->flags & TEP_FIELD_IS_SIGNED;
	nf.dynamic = tf->flags & (TEP_FIELD_IS_DYNAMIC | TEP_FIELD_IS_RELATIVE);
	nf.kind = field_kind(tf);
	if (nf.kind == LTR_FIELD_NUMBER) {
		const struct ctype *ct = find_ctype(tf->type);

		/* a slot as wide as the type (8 bytes) keeps its size, and
		 * takes the type's sign; a 4-byte slot of a 32-bit kernel's
		 * long is not one of these */
		if (ct && ct->size <= nf.size) {
			nf.value_size = ct->size;
			if (ct->is_signed >= 0)
				nf.is_signed = ct->is_signed;
		}
	}
	nf.name = strdup(tf->name);
	nf.type = strdup(tf->type);
	if (!nf.name || !nf.type) {
		free(nf.name);
		free(nf.type);
		return ltr_error(ENOMEM, "out of memory for field '%s'",
				 tf->name);
	}
	*f = nf;
	return 0;
}

/**
 * ltr_field_fini - release what ltr_field_init() allocated
 * @f: the descriptor, or NULL; may be zero-filled and never initialised
 */
void ltr_field_fini(struct ltr_field *f)
{
	if (!f)
		return;
	free(f->name);
	free(f->type);
	f->name = NULL;
	f->type = NULL;
}

static int out_of_record(const struct ltr_field *f, uint64_t end,
			 size_t raw_size)
{
	return ltr_error(ERANGE,
			 "field '%s' ends at byte %llu, beyond the %zu-byte record",
			 f->name ? f->name : "?", (unsigned long long)end,
			 raw_size);
}

/* Reads the value bytes of a number field, sign-extended when signed. */
static int read_number(const struct ltr_field *f, const void *raw,
		       size_t raw_size, uint64_t *val)
{
	const unsigned char *p = raw;
	uint64_t end, v;

	if (!f || f->kind != LTR_FIELD_NUMBER)
		return ltr_error(EINVAL, "field '%s' is not a number",
				 f && f->name ? f->name : "?");
	if (!val || !raw)
		return ltr_error(EINVAL, "invalid argument");
	end = (uint64_t)f->offset + f->size;
	if (end > raw_size)
		return out_of_record(f, end, raw_size);

	p += f->offset;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	/* the low-order bytes of a wide slot are its last ones */
	p += f->size - f->value_size;
#endif
	switch (f->value_size) {
	case 1: {
		uint8_t x;

		memcpy(&x, p, sizeof(x));
		v = x;
		break;
	}
	case 2: {
		uint16_t x;

		memcpy(&x, p, sizeof(x));
		v = x;
		break;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, p, sizeof(x));
		v = x;
		break;
	}
	case 8:
		memcpy(&v, p, sizeof(v));
		break;
	default:
		return ltr_error(EINVAL, "field '%s' has an unusual size %u",
				 f->name, f->value_size);
	}

	*val = ltr_field__narrow(f, v);
	return 0;
}

/**
 * ltr_field__narrow - a number as the field's C type holds it
 * @f: a number field
 * @v: the value as stored (a hist key prints the whole slot)
 *
 * Return: @v cut to the type's width, then zero- or sign-extended.
 */
uint64_t ltr_field__narrow(const struct ltr_field *f, uint64_t v)
{
	unsigned int shift = 64 - 8 * f->value_size;

	if (f->value_size >= 8)
		return v;
	v &= ((uint64_t)1 << (8 * f->value_size)) - 1;
	if (f->is_signed && shift)
		v = (uint64_t)((int64_t)(v << shift) >> shift);
	return v;
}

/**
 * ltr_field__stored_wider - whether the record keeps the field in a wider
 * slot than its C type (syscall arguments: "int fd" in 8 bytes)
 */
bool ltr_field__stored_wider(const struct ltr_field *f)
{
	return f->value_size < f->size;
}

/**
 * ltr_decode_u64 - read a number field from a raw record
 * @f:        the field
 * @raw:      the ftrace record (PERF_SAMPLE_RAW payload)
 * @raw_size: its length in bytes
 * @val:      out: the value, zero-extended, or sign-extended and cast
 *            when the field is signed; written only on success
 *
 * Return: 0, -ERANGE when the field lies beyond @raw_size, or -EINVAL
 * when @f is not a number (errno set).
 */
int ltr_decode_u64(const struct ltr_field *f, const void *raw,
		   size_t raw_size, uint64_t *val)
{
	return read_number(f, raw, raw_size, val);
}

/**
 * ltr_decode_s64 - read a number field as a signed value
 * @f:        the field
 * @raw:      the ftrace record
 * @raw_size: its length in bytes
 * @val:      out: the value, sign-extended from its C type's width when
 *            that type is signed; written only on success
 *
 * Return: 0, -ERANGE or -EINVAL, as ltr_decode_u64().
 */
int ltr_decode_s64(const struct ltr_field *f, const void *raw,
		   size_t raw_size, int64_t *val)
{
	uint64_t v = 0;
	int ret;

	if (!val)
		return ltr_error(EINVAL, "invalid argument");
	ret = read_number(f, raw, raw_size, &v);
	if (ret)
		return ret;
	*val = (int64_t)v;
	return 0;
}

/**
 * ltr_decode_str - find a string field in a raw record
 * @f:        the field: char[N], __data_loc char[] or __rel_loc char[]
 * @raw:      the ftrace record
 * @raw_size: its length in bytes
 * @str:      out: the string's first byte, inside @raw (borrowed, not
 *            NUL-terminated); written only on success
 * @len:      out: its length up to the first NUL, within the field
 *
 * Return: 0, -ERANGE when the field or the string it points to lies
 * beyond @raw_size, or -EINVAL when @f is not a string (errno set).
 */
int ltr_decode_str(const struct ltr_field *f, const void *raw,
		   size_t raw_size, const char **str, size_t *len)
{
	const char *p;
	uint64_t start, end, n;
	uint32_t loc;

	if (!f || (f->kind != LTR_FIELD_STR_FIXED &&
		   f->kind != LTR_FIELD_STR_DYN &&
		   f->kind != LTR_FIELD_STR_REL))
		return ltr_error(EINVAL, "field '%s' is not a string",
				 f && f->name ? f->name : "?");
	if (!str || !len || !raw)
		return ltr_error(EINVAL, "invalid argument");

	end = (uint64_t)f->offset + f->size;
	if (end > raw_size)
		return out_of_record(f, end, raw_size);

	if (f->kind == LTR_FIELD_STR_FIXED) {
		start = f->offset;
		n = f->size;
	} else {
		memcpy(&loc, (const char *)raw + f->offset, sizeof(loc));
		start = loc & 0xffff;
		n = loc >> 16;
		if (f->kind == LTR_FIELD_STR_REL)
			start += end;
		if (start + n > raw_size)
			return out_of_record(f, start + n, raw_size);
	}

	p = (const char *)raw + start;
	*str = p;
	*len = n ? strnlen(p, n) : 0;
	return 0;
}

/**
 * ltr_field__name - the field's name
 * @f: the field
 *
 * Return: the name, borrowed from @f, or NULL when @f is NULL.
 */
const char *ltr_field__name(const struct ltr_field *f)
{
	return f ? f->name : NULL;
}

/**
 * ltr_field__is_string - whether ltr_field__str() can read the field
 * @f: the field
 *
 * Return: true for char[N], __data_loc char[] and __rel_loc char[].
 */
bool ltr_field__is_string(const struct ltr_field *f)
{
	return f && (f->kind == LTR_FIELD_STR_FIXED ||
		     f->kind == LTR_FIELD_STR_DYN ||
		     f->kind == LTR_FIELD_STR_REL);
}

/**
 * ltr_field__u64 - a number field of a sample
 * @f:   the field, from ltr_event__field()
 * @s:   the sample
 * @val: out: the value (see ltr_decode_u64())
 *
 * Return: 0, -ERANGE or -EINVAL (errno set).
 */
int ltr_field__u64(const struct ltr_field *f, const struct ltr_sample *s,
		   uint64_t *val)
{
	if (!s)
		return ltr_error(EINVAL, "invalid argument");
	return ltr_decode_u64(f, s->raw, s->raw_size, val);
}

/**
 * ltr_field__s64 - a number field of a sample, as a signed value
 * @f:   the field, from ltr_event__field()
 * @s:   the sample
 * @val: out: the value (see ltr_decode_s64())
 *
 * Return: 0, -ERANGE or -EINVAL (errno set).
 */
int ltr_field__s64(const struct ltr_field *f, const struct ltr_sample *s,
		   int64_t *val)
{
	if (!s)
		return ltr_error(EINVAL, "invalid argument");
	return ltr_decode_s64(f, s->raw, s->raw_size, val);
}

/**
 * ltr_field__str - a string field of a sample
 * @f:   the field, from ltr_event__field()
 * @s:   the sample
 * @str: out: the string, inside the sample (borrowed, not NUL-terminated)
 * @len: out: its length without the NUL
 *
 * Return: 0, -ERANGE or -EINVAL (errno set).
 */
int ltr_field__str(const struct ltr_field *f, const struct ltr_sample *s,
		   const char **str, size_t *len)
{
	if (!s)
		return ltr_error(EINVAL, "invalid argument");
	return ltr_decode_str(f, s->raw, s->raw_size, str, len);
}

/**
 * ltr_field__type - the field's C type as the format declares it
 * @f: the field
 *
 * Return: "pid_t", "void *", "__u8[4]", "__data_loc char[]", borrowed
 * from @f, or NULL when @f is NULL.
 */
const char *ltr_field__type(const struct ltr_field *f)
{
	return f ? f->type : NULL;
}

/**
 * ltr_field__bytes - the bytes a field holds in a sample
 * @f:   the field, from ltr_event__field()
 * @s:   the sample
 * @buf: out: its first byte, inside the sample (borrowed)
 * @len: out: how many bytes; for __data_loc and __rel_loc fields the
 *       data they point to, else the field itself (an array of numbers,
 *       an address)
 *
 * Return: 0, or -ERANGE when the bytes lie beyond the record (errno set).
 */
int ltr_field__bytes(const struct ltr_field *f, const struct ltr_sample *s,
		     const void **buf, size_t *len)
{
	uint64_t start, end, n;
	uint32_t loc;

	if (!f || !s || !buf || !len || !s->raw)
		return ltr_error(EINVAL, "invalid argument");
	end = (uint64_t)f->offset + f->size;
	if (end > s->raw_size)
		return out_of_record(f, end, s->raw_size);
	start = f->offset;
	n = f->size;
	if (f->kind == LTR_FIELD_STR_DYN || f->kind == LTR_FIELD_STR_REL ||
	    (f->type && (!strncmp(f->type, "__data_loc", 10) ||
			 !strncmp(f->type, "__rel_loc", 9)))) {
		if (f->size != 4)
			return ltr_error(EINVAL, "field '%s' has an unusual size %u",
					 f->name, f->size);
		memcpy(&loc, (const char *)s->raw + f->offset, sizeof(loc));
		start = loc & 0xffff;
		n = loc >> 16;
		if (!strncmp(f->type, "__rel_loc", 9))
			start += end;
		if (start + n > s->raw_size)
			return out_of_record(f, start + n, s->raw_size);
	}
	*buf = (const char *)s->raw + start;
	*len = n;
	return 0;
}

/**
 * ltr_field__is_signed - whether a number field's C type is signed
 * @f: the field
 */
bool ltr_field__is_signed(const struct ltr_field *f)
{
	return f && f->kind == LTR_FIELD_NUMBER && f->is_signed;
}
