#include "cmd/progress.h"

#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void progress_start(struct progress *p, const char *what, const char *path)
{
	struct stat sb;
	*p = (struct progress){.what = what};
	if (!isatty(STDERR_FILENO) || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return;
	p->total = (uint64_t)sb.st_size;
	p->start_ms = now_ms();
	p->next_ms = p->start_ms + 1000;
}

void progress_update(struct progress *p, uint64_t offset)
{
	if (!p->total)
		return;
	int64_t t = now_ms();
	if (t < p->next_ms)
		return;
	p->next_ms = t + 200;
	p->shown = true;
	double frac = offset < p->total ? (double)offset / (double)p->total : 1.0;
	fprintf(stderr, "\r%s: %3.0f%% of %.1f MB\033[K", p->what, 100.0 * frac,
		(double)p->total / 1e6);
	fflush(stderr);
}

void progress_done(struct progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r\033[K");
	p->shown = false;
	p->total = 0;
}
