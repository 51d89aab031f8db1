/*
 * Printing untrusted bytes (names, strings and values from a trace file).
 *
 * A trace may carry any bytes, so nothing from the file reaches the terminal
 * or a JSON consumer unescaped:
 *   text, quoted:  "..." with \" \\ \n \r \t, other control bytes, DEL and
 *                  bytes that are not valid UTF-8 as \xNN; valid UTF-8 as is.
 *   text, bare:    the same without quotes, and space, '=', '"' as \xNN too,
 *                  so that `key=value` fields always split on the first '='.
 *   text, plain:   control bytes, DEL and bad UTF-8 as above, nothing else:
 *                  for labels drawn in a picture or a viewer (timeline,
 *                  Perfetto names), where quotes need no escaping.
 *   JSON:          a JSON string; control bytes as \n, \t, ... or \u00NN;
 *                  bytes that are not valid UTF-8 become U+FFFD.
 *   XML:           character data or an attribute value (SVG): & < > " as
 *                  entities; control bytes but tab and newline, which XML
 *                  cannot carry, as '?'; bytes that are not valid UTF-8 become
 *                  U+FFFD (an SVG must be well-formed to open at all).
 */
#ifndef LOT_CMD_ESCAPE_H
#define LOT_CMD_ESCAPE_H

#include <stddef.h>

void out_text_quoted(const char *s, size_t n);
void out_text_bare(const char *s, size_t n);
void out_json_str(const char *s, size_t n);
void out_xml(const char *s, size_t n);

/* The same into a malloc'ed NUL-terminated string (for precomputed labels); NULL on ENOMEM. */
char *text_bare_dup(const char *s, size_t n);
char *json_str_dup(const char *s, size_t n);
char *text_plain_dup(const char *s, size_t n);
char *xml_dup(const char *s, size_t n);

#endif
