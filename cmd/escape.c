#include "cmd/escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/out.h"

enum style { TEXT_QUOTED, TEXT_BARE, TEXT_PLAIN, JSON, XML };

/* Length of the valid UTF-8 sequence starting at s[0] (a byte >= 0x80), 0 if invalid. */
static size_t utf8_len(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t len;
	uint8_t lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* Whether an ASCII byte needs escaping in a style (bytes >= 0x80 are checked as UTF-8). */
static bool needs_escape(uint8_t c, enum style st)
{
	if (st == XML)
		return (c < 0x20 && c != '\t' && c != '\n') || c == '&' || c == '<' || c == '>' ||
		       c == '"';
	if (c < 0x20 || c == 0x7f)
		return true;
	if (c == '"' || c == '\\')
		return st != TEXT_PLAIN;
	return st == TEXT_BARE && (c == ' ' || c == '=');
}

static char *put_xml_escape(char *p, uint8_t c)
{
	const char *e = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;" : "?";
	size_t n = strlen(e);
	memcpy(p, e, n);
	return p + n;
}

static char *put_escape(char *p, uint8_t c, enum style st)
{
	if (st == XML)
		return put_xml_escape(p, c);
	const char *short_form = NULL;
	switch (c) {
	case '"': short_form = "\\\""; break;
	case '\\': short_form = "\\\\"; break;
	case '\n': short_form = "\\n"; break;
	case '\r': short_form = "\\r"; break;
	case '\t': short_form = "\\t"; break;
	case '\b': short_form = st == JSON ? "\\b" : NULL; break;
	case '\f': short_form = st == JSON ? "\\f" : NULL; break;
	}
	if (short_form && !(st == TEXT_BARE && c == '"')) {
		memcpy(p, short_form, 2);
		return p + 2;
	}
	if (st == JSON) {
		memcpy(p, "\\u00", 4);
		p[4] = cmd_hexdigits[c >> 4];
		p[5] = cmd_hexdigits[c & 15];
		return p + 6;
	}
	p[0] = '\\';
	p[1] = 'x';
	p[2] = cmd_hexdigits[c >> 4];
	p[3] = cmd_hexdigits[c & 15];
	return p + 4;
}

/* Escape s[0, n) into dst (room for 6n bytes); returns the end. */
static char *escape_into(char *dst, const uint8_t *s, size_t n, enum style st)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = s[i];
		if (c < 0x80) {
			if (needs_escape(c, st))
				dst = put_escape(dst, c, st);
			else
				*dst++ = (char)c;
			i++;
			continue;
		}
		size_t len = utf8_len(s + i, n - i);
		if (len) {
			memcpy(dst, s + i, len);
			dst += len;
			i += len;
		} else if (st == JSON || st == XML) {
			memcpy(dst, "\xef\xbf\xbd", 3); /* U+FFFD */
			dst += 3;
			i++;
		} else {
			dst = put_escape(dst, c, st);
			i++;
		}
	}
	return dst;
}

/* Pieces small enough to escape in the output buffer at once; the worst case is 6 bytes out per byte in. */
#define PIECE ((CMD_OUT_CAP - 16) / 6)

static void out_escaped(const char *s, size_t n, enum style st)
{
	const uint8_t *u = (const uint8_t *)s;
	while (n > 0) {
		size_t k = n < PIECE ? n : PIECE;
		/* Don't split a UTF-8 sequence between pieces. */
		for (int j = 0; k < n && j < 3 && k > 1 && (u[k] & 0xc0) == 0x80; j++)
			k--;
		out_commit(escape_into(out_room(6 * k), u, k, st));
		u += k;
		n -= k;
	}
}

void out_text_quoted(const char *s, size_t n)
{
	out_char('"');
	out_escaped(s, n, TEXT_QUOTED);
	out_char('"');
}

void out_text_bare(const char *s, size_t n) { out_escaped(s, n, TEXT_BARE); }

void out_json_str(const char *s, size_t n)
{
	out_char('"');
	out_escaped(s, n, JSON);
	out_char('"');
}

static char *dup_escaped(const char *s, size_t n, enum style st, bool quote)
{
	char *d = malloc(6 * n + 3);
	if (!d)
		return NULL;
	char *p = d;
	if (quote)
		*p++ = '"';
	p = escape_into(p, (const uint8_t *)s, n, st);
	if (quote)
		*p++ = '"';
	*p = '\0';
	return d;
}

char *text_bare_dup(const char *s, size_t n) { return dup_escaped(s, n, TEXT_BARE, false); }
char *json_str_dup(const char *s, size_t n) { return dup_escaped(s, n, JSON, true); }
char *text_plain_dup(const char *s, size_t n) { return dup_escaped(s, n, TEXT_PLAIN, false); }
char *xml_dup(const char *s, size_t n) { return dup_escaped(s, n, XML, false); }

void out_xml(const char *s, size_t n) { out_escaped(s, n, XML); }
