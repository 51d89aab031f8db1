/*
 * JSON output that puts its own commas: values, keys and nested objects and
 * arrays are written through cmd/out.h as they come, and the writer keeps,
 * per open object or array, whether a member was already written, so that
 * callers never count items to know whether a "," is due.
 *
 * There is one writer, as there is one standard output: a function can add
 * members to an object a caller opened (the report header, the processes).
 * Values at the top level (depth 0) are never separated by commas.
 * Strings are escaped as out_json_str() does (cmd/escape.h).
 */
#ifndef LOT_CMD_JSON_H
#define LOT_CMD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void json_object(void);     /* { */
void json_object_end(void); /* } */
void json_array(void);      /* [ */
void json_array_end(void);  /* ] */
/* "key": in the open object (a literal: written as is); the next value is its value. */
void json_key(const char *key);
/* A key from the data (escaped). */
void json_key_str(const char *s, size_t n);

void json_str(const char *s, size_t n);
void json_cstr(const char *s);
/* A string of the caller's that needs no escaping (a literal): as is, quoted. */
void json_lit(const char *s);
void json_u64(uint64_t v);
void json_i64(int64_t v);
void json_bool(bool v);
void json_null(void);
/* Bytes as a string of lowercase hex digits (a build-id). */
void json_hex(const uint8_t *p, size_t n);
/* A value already formatted (a number with a chosen precision). */
void json_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, formatted before (an escaped name kept for many lines, a value
 * written apart): written as is. */
void json_raw(const char *s, size_t n);
/* v / 1000 with exactly three decimals: nanoseconds as microseconds ("12.345"). */
void json_fixed3(uint64_t v);
/* An id as a string of 16 lowercase hex digits ("00000000000000ab"). */
void json_hex16(uint64_t v);
/* A number as a string of 0x and its shortest lowercase hex ("0x1f"): an address. */
void json_hex_num(uint64_t v);
/* Integers as strings ("42"), as OTLP/JSON writes 64-bit integers: a reader
 * that parses numbers as doubles would round them. */
void json_u64_str(uint64_t v);
void json_i64_str(int64_t v);

/* "key":value members. */
void json_kv_str(const char *key, const char *s, size_t n);
void json_kv_cstr(const char *key, const char *s);
void json_kv_lit(const char *key, const char *s);
void json_kv_u64(const char *key, uint64_t v);
void json_kv_i64(const char *key, int64_t v);
void json_kv_bool(const char *key, bool v);

/* The comma due before the next item, if any, then a line break: one item
 * a line ("[\n{...},\n{...}"). */
void json_break(void);

/*
 * A value written apart, to be put in its place later with json_raw()
 * (OTLP/JSON gathers each process's spans while other processes' come in
 * between): from json_apart() to json_apart_end(), the writer starts at the
 * top level and its output goes to put() (cmd/out.h out_redirect()); after,
 * it is back where it was in the document.  Not nested.
 */
void json_apart(void (*put)(void *ctx, const void *p, size_t n), void *ctx);
void json_apart_end(void);

#endif
