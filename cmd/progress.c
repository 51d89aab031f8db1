#include "cmd/progress.h"

#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void progress_start(struct progress *p, const char *cmd, const char *path)
{
	struct stat sb;
	*p = (struct progress){.cmd = cmd};
	if (!isatty(STDERR_FILENO) || stat(path, &sb) || !S_ISREG(sb.st_mode) || sb.st_size <= 0)
		return;
	p->on = true;
	p->size = (uint64_t)sb.st_size;
	p->start_ms = p->last_ms = now_ms();
}

void progress_update(struct progress *p, uint64_t offset)
{
	if (!p->on)
		return;
	uint64_t t = now_ms();
	/* nothing for the first second (short runs stay quiet), then 5 per second */
	if (t - p->start_ms < 1000 || t - p->last_ms < 200)
		return;
	p->last_ms = t;
	p->shown = true;
	fprintf(stderr, "\rlotrace %s: %3u%%", p->cmd, (unsigned)(offset * 100 / p->size));
	fflush(stderr);
}

void progress_clear(struct progress *p)
{
	if (p->shown) {
		fprintf(stderr, "\r\033[K");
		fflush(stderr);
		p->shown = false;
	}
}
