#include "lib/parse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int lot_parse_duration(const char *v, uint64_t *ms)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (end == v || errno || v[0] == '-' || v[0] == '+')
		return -EINVAL;
	uint64_t mul;
	if (!strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "s") || !*end)
		mul = 1000;
	else if (!strcmp(end, "m"))
		mul = 60000;
	else
		return -EINVAL;
	if (n == 0 || n > 86400000ull / mul)
		return -EINVAL;
	*ms = n * mul;
	return 0;
}

static bool whole_number(const char *s, long *out)
{
	char *end;
	errno = 0;
	*out = strtol(s, &end, 10);
	return end != s && !*end && !errno;
}

int lot_parse_signal(const char *v)
{
	const char *name = strncmp(v, "SIG", 3) ? v : v + 3;
	long n = 0;
	if (*v >= '0' && *v <= '9') {
		if (!whole_number(v, &n))
			n = 0;
	} else if (!strncmp(name, "RTMIN", 5) || !strncmp(name, "RTMAX", 5)) {
		long off = 0;
		if (name[5] && ((name[5] != '+' && name[5] != '-') || !whole_number(name + 5, &off)))
			return -EINVAL;
		n = (name[3] == 'I' ? SIGRTMIN : SIGRTMAX) + off;
		if (n < SIGRTMIN)
			n = 0;
	} else {
		for (int i = 1; i < SIGRTMIN && !n; i++) {
			const char *abbrev = sigabbrev_np(i);
			if (abbrev && !strcmp(abbrev, name))
				n = i;
		}
	}
	/* Signals that stop, kill or report a fault are not ours to take. */
	if (n <= 0 || n > SIGRTMAX || n == SIGKILL || n == SIGSTOP || n == SIGSEGV || n == SIGBUS ||
	    n == SIGFPE || n == SIGILL || n == SIGABRT || n == SIGTRAP || n == SIGSYS)
		return -EINVAL;
	return (int)n;
}

unsigned long long lot_proc_starttime(int pid)
{
	char p[64], b[1024];
	if (pid)
		snprintf(p, sizeof p, "/proc/%d/stat", pid);
	else
		snprintf(p, sizeof p, "/proc/self/stat");
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof b - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	b[n] = 0;
	/* after the command name (which may hold spaces and parentheses) */
	char *s = strrchr(b, ')');
	for (int field = 2; s && field < 22; field++)
		s = strchr(s + 1, ' ');
	return s ? strtoull(s + 1, NULL, 10) : 0;
}
