/*
 * Safe files and input: a trace is never written through a symlink planted
 * at its path (nor over any existing file), and LOTRACE_* values that are
 * malformed, out of range or huge are rejected with one line on stderr that
 * names the variable -- shortened and with control characters escaped, so
 * that a hostile value cannot flood or drive the terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/check_main.h"
#include "support.h"
#include "tracer/lotrace.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void check_contents(const char *path, const char *text)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof buf, f));
	fclose(f);
	ck_assert_str_eq(buf, text);
}

START_TEST(a_symlink_planted_at_the_output_path_is_never_followed)
{
	char target[512], link[512];
	snprintf(target, sizeof target, "%s", test_path("precious"));
	snprintf(link, sizeof link, "%s", test_path("planted"));
	write_file(target, "precious\n");
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(lot_start(link), -EEXIST);
	ck_assert(!lot_enabled());
	check_contents(target, "precious\n");
	/* a dangling one: the file it names is not created either */
	unlink(target);
	ck_assert_int_eq(lot_start(link), -EEXIST);
	ck_assert_int_ne(access(target, F_OK), 0);
	/* nor is any existing file reused, even an empty one */
	write_file(target, "");
	ck_assert_int_eq(lot_start(target), -EEXIST);
	unlink(link);
	unlink(target);
}
END_TEST

/* Run lot_start with var=value; its stderr into err (at most len bytes). */
static int start_with(const char *var, const char *value, char *err, size_t len)
{
	const char *path = test_path("env");
	const char *err_path = test_path("env-err");
	setenv(var, value, 1);
	fflush(stderr);
	int saved = dup(2);
	int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	int rc = lot_start(path);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	unsetenv(var);
	FILE *f = fopen(err_path, "r");
	size_t n = f ? fread(err, 1, len - 1, f) : 0;
	err[n] = 0;
	if (f)
		fclose(f);
	unlink(err_path);
	if (rc == 0)
		lot_stop();
	ck_assert_int_ne(access(path, F_OK) == 0, rc != 0); /* a refused start creates nothing */
	unlink(path);
	return rc;
}

START_TEST(malformed_out_of_range_and_huge_values_are_rejected_with_a_message)
{
	static char huge[1 << 20];
	memset(huge, 'x', sizeof huge - 1);
	const char *cases[][2] = {
		{"LOTRACE_CHUNK_SIZE", "99999999999999999999999"}, /* overflows */
		{"LOTRACE_CHUNK_SIZE", "18446744073709551615"},
		{"LOTRACE_CHUNK_SIZE", "17179869184K"},            /* overflows with the suffix */
		{"LOTRACE_CHUNK_SIZE", "32M"},
		{"LOTRACE_CHUNK_SIZE", " 64K"},
		{"LOTRACE_CHUNK_SIZE", "+64K"},
		{"LOTRACE_CHUNK_SIZE", "64K "},
		{"LOTRACE_CHUNK_SIZE", "0x10000"},
		{"LOTRACE_CHUNK_SIZE", "1e5"},
		{"LOTRACE_CHUNK_SIZE", "64KB"},
		{"LOTRACE_BUFFER_SIZE", "1T"},
		{"LOTRACE_BUFFER_SIZE", "65G"},
		{"LOTRACE_STACK_DEPTH", "99999999999"},
		{"LOTRACE_STACK_DEPTH", "-1"},
		{"LOTRACE_STACKS", "true"},
		{"LOTRACE_IDLE_FLUSH", "0"},
		{"LOTRACE_IDLE_FLUSH", "1441m"},
		{"LOTRACE_IDLE_FLUSH", "1 s"},
		{"LOTRACE_IO", "uring\n"},
		{"LOTRACE_IO", "\x1b[2J\x1b[31mred"},
		{"LOTRACE_SERVICE", huge},
		{"LOTRACE_TAGS", huge},
		{"LOTRACE_OUTPUT", huge},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[8192];
		int rc = start_with(cases[i][0], cases[i][1], err, sizeof err);
		ck_assert_msg(rc == -EINVAL, "%s=%.40s: start returned %d", cases[i][0], cases[i][1], rc);
		ck_assert(!lot_enabled());
		/* one line, naming the variable, short, no control character */
		ck_assert_msg(strstr(err, cases[i][0]) != NULL, "%s: message '%s'", cases[i][0], err);
		size_t len = strlen(err);
		ck_assert_uint_lt(len, 512);
		ck_assert(len > 0 && err[len - 1] == '\n');
		for (size_t k = 0; k + 1 < len; k++)
			ck_assert_msg((unsigned char)err[k] >= 0x20 && err[k] != 0x7f,
				      "%s: control byte in '%s'", cases[i][0], err);
	}
}
END_TEST

START_TEST(values_at_the_limits_are_accepted)
{
	const char *cases[][2] = {
		{"LOTRACE_CHUNK_SIZE", "4096"},
		{"LOTRACE_CHUNK_SIZE", "8M"}, /* two fit the default 16M pool */
		{"LOTRACE_STACK_DEPTH", "128"},
		{"LOTRACE_STACK_DEPTH", "1"},
		{"LOTRACE_SERVICE", "checkout-\xc3\xa9"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char err[1024];
		ck_assert_int_eq(start_with(cases[i][0], cases[i][1], err, sizeof err), 0);
		ck_assert_str_eq(err, "");
	}
}
END_TEST

/* Control bytes other than the line ends in a command's output; -1 if it
 * did not run with status 0. */
static int control_bytes_in_output(const char *cmd, const char *path, size_t *lines)
{
	char line[1024];
	snprintf(line, sizeof line, "cmd/lotrace %s '%s'", cmd, path);
	FILE *p = popen(line, "r");
	ck_assert_ptr_nonnull(p);
	int bad = 0, c;
	*lines = 0;
	while ((c = getc(p)) != EOF) {
		*lines += c == '\n';
		bad += (c < 0x20 && c != '\n') || c == 0x7f;
	}
	return pclose(p) == 0 ? bad : -1;
}

START_TEST(the_tool_escapes_control_characters_from_the_trace)
{
	/* a terminal escape (clear screen, set title), a bell, a fake line */
	static const char evil[] = "x\x1b[2J\x1b]0;owned\x07\r\nfake line\x7f\t";
	setenv("LOTRACE_SERVICE", evil, 1);
	const char *path = test_path("evil");
	ck_assert_int_eq(lot_start(path), 0);
	unsetenv("LOTRACE_SERVICE");
	lot_thread_name(evil);
	lot_span s = lot_span_begin("request", NULL);
	lot_span_attr_str(&s, "user-agent", evil);
	lot_span_end(&s);
	ck_assert_int_eq(lot_stop(), 0);
	const char *cmds[] = {"info", "info --json", "dump", "dump --json"};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		size_t lines;
		ck_assert_int_eq(control_bytes_in_output(cmds[i], path, &lines), 0);
		ck_assert_uint_ge(lines, 1); /* info --json is one line */
	}
	unlink(path);
}
END_TEST

static void add_tests(TCase *tc)
{
	tcase_add_test(tc, a_symlink_planted_at_the_output_path_is_never_followed);
	tcase_add_test(tc, malformed_out_of_range_and_huge_values_are_rejected_with_a_message);
	tcase_add_test(tc, values_at_the_limits_are_accepted);
	tcase_add_test(tc, the_tool_escapes_control_characters_from_the_trace);
}
