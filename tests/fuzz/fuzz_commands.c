/*
 * libFuzzer target for the `lotrace` tool: each input is written to a
 * memory file, and every command line of `runs` below is run on it through
 * the tool's own main() (cmd/main.c, renamed lotrace_main for this target),
 * so each command's option handling, reading, analysis and printing is
 * covered.  Whatever the bytes, the status is 0, 2 or 3 (never 1, never a
 * crash, hang or leak).  stdout goes to /dev/null; warnings on stderr are
 * dropped by -close_fd_mask=2 (tests/local.mk).
 *
 * A new command is one line in `runs` (the file's place is NULL).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *const runs[][5] = {
	{"info", NULL},
	{"info", "--json", NULL},
	{"dump", NULL},
	{"dump", "--json", NULL},
	{"spans", "--slowest", "2", NULL},
	{"tasks", "--json", NULL},
	{"flame", "--no-symbols", NULL},
	{"timeline", "--width", "60", NULL},
	{"export", "--no-symbols", NULL},
	{"export", "--format", "perfetto", NULL},
	{"profile", "--no-symbols", NULL},
	{"profile", "--by", "span", "--json", NULL},
	{"flame", "--cpu", "--no-symbols", NULL},
	{"export", "--format", "pprof", "--no-symbols", NULL},
};

int lotrace_main(int argc, char **argv);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int mfd = -1;
static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mfd = memfd_create("fuzz-trace", MFD_CLOEXEC);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (mfd < 0 || null < 0 || dup2(null, 1) < 0)
		abort();
	close(null);
	snprintf(path, sizeof path, "/proc/self/fd/%d", mfd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ftruncate(mfd, 0) || (size && pwrite(mfd, data, size, 0) != (ssize_t)size))
		abort();
	for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		char *argv[8] = {"lotrace"};
		int argc = 1;
		for (int k = 0; k < 5; k++) {
			argv[argc++] = runs[i][k] ? (char *)runs[i][k] : path;
			if (!runs[i][k])
				break;
		}
		argv[argc] = NULL;
		int st = lotrace_main(argc, argv);
		if (st != 0 && st != 2 && st != 3) {
			fprintf(stderr, "lotrace %s: status %d\n", runs[i][0], st);
			abort();
		}
	}
	return 0;
}
