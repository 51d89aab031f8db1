#include "cmd/warn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd/out.h"

void cmd_warn(const char *path, unsigned long long offset, const char *message)
{
	out_flush();
	fprintf(stderr, "lotrace: %s: offset %llu: %s\n", path, offset, message);
}

void cmd_read_error(const char *path, unsigned long long offset)
{
	char msg[300];
	snprintf(msg, sizeof msg, "read error: %s", strerror(errno ? errno : EIO));
	cmd_warn(path, offset, msg);
}
