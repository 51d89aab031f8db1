/*
 * doc/FORMAT.md §5.4 lists every event type; trace-format/events.h is the
 * one source of them.  The two must agree: codes, names, timed or not,
 * argument names and kinds, in order, and no type in one but not the other.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace-format/types.h"

#ifndef LOT_TOP_SRCDIR
#define LOT_TOP_SRCDIR "."
#endif

struct row {
	unsigned code;
	char name[64];
	char args[512];
	bool timed; /* in the "Events (all timed)" table */
};

/* The rows "| 0xNN | name | arguments | ..." of §5.4. */
static size_t read_rows(struct row *rows, size_t cap)
{
	FILE *f = fopen(LOT_TOP_SRCDIR "/doc/FORMAT.md", "r");
	ck_assert_msg(f != NULL, "cannot open %s/doc/FORMAT.md", LOT_TOP_SRCDIR);
	char line[2048];
	bool in = false, timed = false;
	size_t n = 0;
	while (fgets(line, sizeof line, f)) {
		if (!strncmp(line, "### ", 4)) {
			in = !strncmp(line, "### 5.4 ", 8);
			continue;
		}
		if (!in)
			continue;
		if (!strncmp(line, "Events", 6))
			timed = true;
		if (strncmp(line, "| 0x", 4))
			continue;
		ck_assert_uint_lt(n, cap);
		struct row *r = &rows[n++];
		char *cells[4] = {0};
		char *p = line + 1;
		for (int c = 0; c < 4 && p; c++) {
			char *bar = strchr(p, '|');
			if (bar)
				*bar = 0;
			while (*p == ' ')
				p++;
			char *e = p + strlen(p);
			while (e > p && e[-1] == ' ')
				*--e = 0;
			cells[c] = p;
			p = bar ? bar + 1 : NULL;
		}
		ck_assert_msg(cells[2] != NULL, "row %zu: not 3 cells", n);
		r->code = (unsigned)strtoul(cells[0], NULL, 16);
		snprintf(r->name, sizeof r->name, "%s", cells[1]);
		snprintf(r->args, sizeof r->args, "%s", cells[2]);
		r->timed = timed;
	}
	fclose(f);
	return n;
}

/* "tid uvar, name string" as the table writes a type's arguments. */
static void describe(const struct lot_type_desc *d, char *out, size_t cap)
{
	out[0] = 0;
	for (unsigned a = 0; a < d->nargs; a++) {
		size_t l = strlen(out);
		snprintf(out + l, cap - l, "%s%s %s", a ? ", " : "", d->arg_names[a],
			 lot_kind_name(d->arg_kinds[a]));
	}
}

START_TEST(format_md_event_table_matches_events_h)
{
	static struct row rows[256];
	size_t n = read_rows(rows, 256);
	ck_assert_uint_gt(n, 0);
	ck_assert_msg(n == lot_builtin_types_count, "FORMAT.md lists %zu types, events.h %zu", n,
		      lot_builtin_types_count);
	for (size_t t = 0; t < lot_builtin_types_count; t++) {
		const struct lot_type_desc *d = &lot_builtin_types[t];
		const struct row *r = NULL;
		for (size_t i = 0; i < n && !r; i++)
			if (rows[i].code == d->code)
				r = &rows[i];
		ck_assert_msg(r != NULL, "0x%02x %s: not in FORMAT.md §5.4", d->code, d->name);
		ck_assert_str_eq(r->name, d->name);
		ck_assert_msg(r->timed == !!(d->flags & LOT_TIMED), "0x%02x %s: in the wrong table",
			      d->code, d->name);
		char want[512];
		describe(d, want, sizeof want);
		ck_assert_msg(!strcmp(r->args, want), "0x%02x %s: FORMAT.md says '%s', events.h '%s'",
			      d->code, d->name, r->args, want);
	}
}
END_TEST

static void add_tests(TCase *tc) { tcase_add_test(tc, format_md_event_table_matches_events_h); }

#include "tests/support/check_main.h"
