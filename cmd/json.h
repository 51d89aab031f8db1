/*
 * JSON output that puts its own commas: values, keys and nested objects and
 * arrays are written through cmd/out.h as they come, and the writer keeps
 * its place in the document, so that callers never count items to know
 * whether a "," is due.
 *
 * There is one writer, as there is one standard output: a function can add
 * members to an object a caller opened (the report header, the processes).
 * Values at the top level (depth 0) are never separated by commas.
 * Strings are escaped as out_json_str() does (cmd/escape.h).
 *
 * The Chrome export writes hundreds of MB through it, so the small calls are
 * inline, as cmd/out.h's are: a literal key's length is known when compiled.
 */
#ifndef LOT_CMD_JSON_H
#define LOT_CMD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cmd/escape.h"
#include "cmd/out.h"

static inline void json_object(void);     /* { */
static inline void json_object_end(void); /* } */
static inline void json_array(void);      /* [ */
static inline void json_array_end(void);  /* ] */
/* "key": in the open object (a literal: written as is); the next value is its value. */
static inline void json_key(const char *key);
static inline void json_key_n(const char *key, size_t n);
/* A key from the data (escaped). */
void json_key_str(const char *s, size_t n);

void json_str(const char *s, size_t n);
void json_cstr(const char *s);
/* A string of the caller's that needs no escaping (a literal): as is, quoted. */
static inline void json_lit(const char *s);
static inline void json_u64(uint64_t v);
static inline void json_i64(int64_t v);
static inline void json_bool(bool v);
static inline void json_null(void);
/* Bytes as a string of lowercase hex digits (a build-id, a trace id). */
void json_hex(const uint8_t *p, size_t n);
/* An id as a string of 16 lowercase hex digits ("00000000000000ab"). */
static inline void json_hex16(uint64_t v);
/* A number as a string of 0x and its shortest lowercase hex ("0x1f"): an address. */
static inline void json_hex_num(uint64_t v);
/* Integers as strings ("42"), as OTLP/JSON writes 64-bit integers: a reader
 * that parses numbers as doubles would round them. */
static inline void json_u64_str(uint64_t v);
static inline void json_i64_str(int64_t v);
/* v / 1000 with exactly three decimals: nanoseconds as microseconds ("12.345"). */
static inline void json_fixed3(uint64_t v);
/* A value already formatted (a number with a chosen precision). */
void json_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, formatted before (an escaped name kept for many lines, a value
 * written apart): written as is. */
static inline void json_raw(const char *s, size_t n);

/* "key":value members. */
static inline void json_kv_str(const char *key, const char *s, size_t n);
static inline void json_kv_cstr(const char *key, const char *s);
static inline void json_kv_lit(const char *key, const char *s);
static inline void json_kv_u64(const char *key, uint64_t v);
static inline void json_kv_i64(const char *key, int64_t v);
static inline void json_kv_bool(const char *key, bool v);

/* The comma due before the next item, if any, then a line break: one item
 * a line ("[\n{...},\n{...}"). */
static inline void json_break(void);

/*
 * A value written apart, to be put in its place later with json_raw()
 * (OTLP/JSON gathers each process's spans while other processes' come in
 * between): from json_apart() to json_apart_end(), the writer starts at the
 * top level and its output goes to put() (cmd/out.h out_redirect()); after,
 * it is back where it was in the document.  Not nested.
 */
void json_apart(void (*put)(void *ctx, const void *p, size_t n), void *ctx);
void json_apart_end(void);

/* ---- inline part ---- */

/*
 * The writer's place: the depth, and whether the next item takes a comma.
 * Nothing more is needed: a key takes the comma and leaves none to its
 * value; an object or array just closed is an item of its parent, so after
 * it a comma is due (but not at the top level, where values take none).
 * Both flags are in one byte, so an item reads and writes it once.
 */
enum { JSON__COMMA = 1, JSON__INSIDE = 2 /* depth > 0 */ };
struct json_place {
	unsigned depth;
	unsigned char at; /* JSON__COMMA | JSON__INSIDE */
};
extern struct json_place json__w;

/* Before a value: the comma it needs, and the room for it and n bytes more. */
static inline char *json__item(size_t n)
{
	char *p = out_room(n + 1);
	unsigned at = json__w.at;
	if (at & JSON__COMMA)
		*p++ = ',';
	json__w.at = (unsigned char)(at | at >> 1); /* inside a container, a comma is due next */
	return p;
}

static inline void json__open(char c)
{
	char *p = json__item(1);
	*p++ = c;
	out_commit(p);
	json__w.depth++;
	json__w.at = JSON__INSIDE;
}

static inline void json__close(char c)
{
	out_char(c);
	if (json__w.depth)
		json__w.depth--;
	json__w.at = json__w.depth ? JSON__INSIDE | JSON__COMMA : 0;
}

static inline void json_object(void) { json__open('{'); }
static inline void json_object_end(void) { json__close('}'); }
static inline void json_array(void) { json__open('['); }
static inline void json_array_end(void) { json__close(']'); }

/* "key": after the comma due, with m bytes more of room; returns where the value goes. */
static inline char *json__key(const char *key, size_t n, size_t m)
{
	char *p = json__item(n + 3 + m);
	*p++ = '"';
	memcpy(p, key, n);
	p += n;
	*p++ = '"';
	*p++ = ':';
	return p;
}

static inline void json_key_n(const char *key, size_t n)
{
	out_commit(json__key(key, n, 0));
	json__w.at = JSON__INSIDE; /* no comma before the value */
}

static inline void json_key(const char *key) { json_key_n(key, strlen(key)); }

static inline void json_lit(const char *s)
{
	size_t n = strlen(s);
	char *p = json__item(n + 2);
	*p++ = '"';
	memcpy(p, s, n);
	p += n;
	*p++ = '"';
	out_commit(p);
}

static inline void json_raw(const char *s, size_t n)
{
	if (n > CMD_OUT_CAP / 2) { /* a batch of spans: past the buffer */
		out_commit(json__item(0));
		out_write(s, n);
		return;
	}
	char *p = json__item(n);
	memcpy(p, s, n);
	out_commit(p + n);
}

static inline void json_u64(uint64_t v) { out_commit(fmt_u64(json__item(CMD_OUT_FIELD), v)); }
static inline void json_i64(int64_t v) { out_commit(fmt_i64(json__item(CMD_OUT_FIELD), v)); }
static inline void json_bool(bool v) { json_raw(v ? "true" : "false", v ? 4 : 5); }
static inline void json_null(void) { json_raw("null", 4); }

static inline void json_fixed3(uint64_t v)
{
	char *p = fmt_u64(json__item(CMD_OUT_FIELD), v / 1000);
	unsigned frac = (unsigned)(v % 1000);
	*p++ = '.';
	*p++ = (char)('0' + frac / 100);
	memcpy(p, cmd_digit_pairs + 2 * (frac % 100), 2);
	out_commit(p + 2);
}

/* A string of what a cmd/out.h formatter writes (at most CMD_OUT_FIELD - 2 bytes). */
#define JSON__QUOTED(fmt_call)                                  \
	do {                                                    \
		char *p = json__item(CMD_OUT_FIELD);            \
		*p++ = '"';                                     \
		p = fmt_call;                                   \
		*p++ = '"';                                     \
		out_commit(p);                                  \
	} while (0)

static inline void json_hex16(uint64_t v) { JSON__QUOTED(fmt_hex16(p, v)); }
static inline void json_hex_num(uint64_t v) { JSON__QUOTED(fmt_hex(p, v)); }
static inline void json_u64_str(uint64_t v) { JSON__QUOTED(fmt_u64(p, v)); }
static inline void json_i64_str(int64_t v) { JSON__QUOTED(fmt_i64(p, v)); }

static inline void json_kv_str(const char *key, const char *s, size_t n)
{
	json_key(key);
	json_str(s, n);
}

static inline void json_kv_cstr(const char *key, const char *s)
{
	json_key(key);
	json_cstr(s);
}

static inline void json_kv_lit(const char *key, const char *s)
{
	json_key(key);
	json_lit(s);
}

/* A number member: one out_room() for the key and the value. */
static inline void json_kv_u64(const char *key, uint64_t v)
{
	out_commit(fmt_u64(json__key(key, strlen(key), CMD_OUT_FIELD), v));
}

static inline void json_kv_i64(const char *key, int64_t v)
{
	out_commit(fmt_i64(json__key(key, strlen(key), CMD_OUT_FIELD), v));
}

static inline void json_kv_bool(const char *key, bool v)
{
	json_key(key);
	json_bool(v);
}

static inline void json_break(void)
{
	char *p = out_room(2);
	if (json__w.at & JSON__COMMA)
		*p++ = ',';
	json__w.at &= (unsigned char)~JSON__COMMA;
	*p++ = '\n';
	out_commit(p);
}

#endif
