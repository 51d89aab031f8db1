#include "tracer/output_path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool lot_output_template_ok(const char *t)
{
	for (; *t; t++)
		if (*t == '%' && !strchr("ptns%", *++t))
			return false;
	return true;
}

bool lot_output_is_template(const char *t)
{
	return t && strchr(t, '%');
}

/* Append a substituted field, sanitised (see output_path.h). */
static size_t put_field(char *out, size_t n, size_t cap, const char *v)
{
	for (size_t i = 0; v[i] && n < cap; i++) {
		char c = v[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '-' || c == '_' || (c == '.' && i > 0);
		out[n++] = ok ? c : '_';
	}
	return n;
}

static void program_name(char *out, size_t cap)
{
	int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, out, cap - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		snprintf(out, cap, "prog");
		return;
	}
	out[n] = 0;
	out[strcspn(out, "\n")] = 0;
}

int lot_output_expand(char *out, size_t cap, const char *tmpl, const char *dir,
		      const struct lot_path_fields *f)
{
	if (!tmpl)
		tmpl = LOT_DEFAULT_OUTPUT;
	size_t n = 0;
	if (dir && tmpl[0] != '/') {
		n = strlen(dir);
		if (n + 2 > cap)
			return -ENAMETOOLONG;
		memcpy(out, dir, n);
		if (n && out[n - 1] != '/')
			out[n++] = '/';
	}
	for (const char *t = tmpl; *t && n < cap; t++) {
		if (*t != '%') {
			out[n++] = *t;
			continue;
		}
		char field[256];
		switch (*++t) {
		case 'p':
			snprintf(field, sizeof field, "%d", f->pid);
			break;
		case 't': {
			struct tm tm;
			gmtime_r(&f->when, &tm);
			strftime(field, sizeof field, "%Y%m%dT%H%M%SZ", &tm);
			break;
		}
		case 'n':
			snprintf(field, sizeof field, "%llu", (unsigned long long)f->seq);
			break;
		case 's':
			if (f->service && *f->service)
				snprintf(field, sizeof field, "%s", f->service);
			else
				program_name(field, sizeof field);
			break;
		case '%':
			out[n++] = '%';
			continue;
		default:
			return -EINVAL;
		}
		n = put_field(out, n, cap, field);
	}
	if (n >= cap)
		return -ENAMETOOLONG;
	out[n] = 0;
	return 0;
}

static int create(const char *path)
{
	/* Never follow a planted symlink nor reuse someone's file: traces hold
	 * stacks and arguments, so they are the owner's only. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

int lot_output_create(char *path, size_t cap, bool retry)
{
	int fd = create(path);
	if (fd != -EEXIST || !retry)
		return fd;
	size_t len = strlen(path);
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : len;
	char ext[64];
	if (len - stem >= sizeof ext)
		return fd;
	memcpy(ext, path + stem, len - stem + 1);
	for (int i = 1; i < 100 && fd == -EEXIST; i++) {
		if (stem + 4 + strlen(ext) >= cap)
			return -ENAMETOOLONG;
		snprintf(path + stem, cap - stem, "-%d%s", i, ext);
		fd = create(path);
	}
	return fd;
}
