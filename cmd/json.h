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
void json_u64(uint64_t v);
void json_i64(int64_t v);
void json_bool(bool v);
void json_null(void);
/* Bytes as a string of lowercase hex digits (a build-id). */
void json_hex(const uint8_t *p, size_t n);
/* A value already formatted (a number with a chosen precision). */
void json_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "key":value members. */
void json_kv_str(const char *key, const char *s, size_t n);
void json_kv_cstr(const char *key, const char *s);
void json_kv_u64(const char *key, uint64_t v);
void json_kv_i64(const char *key, int64_t v);
void json_kv_bool(const char *key, bool v);

/* The comma due before the next item, if any, then a line break: one item
 * a line ("[\n{...},\n{...}"). */
void json_break(void);

#endif
