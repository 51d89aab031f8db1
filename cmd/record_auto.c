/* `lotrace record --auto`: the command's linkage and the interposer's
 * preload (record_auto.h). */
#include "cmd/record_auto.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <gelf.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cmd as execvp finds it, into out; false if not found. */
static bool find_cmd(const char *cmd, char *out, size_t cap)
{
	if (strchr(cmd, '/')) {
		snprintf(out, cap, "%s", cmd);
		return access(out, X_OK) == 0;
	}
	const char *p = getenv("PATH");
	if (!p)
		p = "/bin:/usr/bin";
	while (*p) {
		size_t n = strcspn(p, ":");
		snprintf(out, cap, "%.*s%s%s", (int)n, p, n ? "/" : "", cmd);
		if (access(out, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

static enum record_links scan(Elf *e)
{
	enum record_links r = RECORD_LINKS_NONE;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !sh.sh_entsize)
			continue;
		size_t n = sh.sh_size / sh.sh_entsize;
		if (sh.sh_type == SHT_DYNAMIC) {
			for (size_t i = 0; i < n; i++) {
				GElf_Dyn dyn;
				if (!gelf_getdyn(d, (int)i, &dyn) || dyn.d_tag != DT_NEEDED)
					continue;
				const char *name = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
				if (name && !strncmp(name, "liblotrace.so", 13))
					return RECORD_LINKS_SHARED;
			}
		} else if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
			for (size_t i = 0; i < n; i++) {
				GElf_Sym sym;
				if (!gelf_getsym(d, (int)i, &sym) || sym.st_shndx == SHN_UNDEF)
					continue;
				const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
				if (name && !strcmp(name, "lot_start"))
					r = RECORD_LINKS_STATIC;
			}
		}
	}
	return r;
}

enum record_links record_links(const char *cmd)
{
	char path[PATH_MAX];
	if (!find_cmd(cmd, path, sizeof path))
		return RECORD_LINKS_UNKNOWN;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return RECORD_LINKS_UNKNOWN;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	enum record_links r = e && elf_kind(e) == ELF_K_ELF ? scan(e) : RECORD_LINKS_UNKNOWN;
	if (e)
		elf_end(e);
	close(fd);
	return r;
}

static bool readable(const char *dir, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", dir, name);
	return access(out, R_OK) == 0;
}

int record_auto_preload(void)
{
	char dir[PATH_MAX] = "", autolib[PATH_MAX + 32], core[PATH_MAX + 32];
	const char *over = getenv("LOTRACE_AUTO_LIB");
	if (over && *over) {
		snprintf(dir, sizeof dir, "%s", over);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		else
			strcpy(dir, ".");
		snprintf(autolib, sizeof autolib, "%s", over);
		if (access(autolib, R_OK) || !readable(dir, "liblotrace.so.0", core, sizeof core)) {
			fprintf(stderr, "lotrace record: LOTRACE_AUTO_LIB=%s: cannot read it or "
				"liblotrace.so.0 beside it\n", over);
			return -1;
		}
	} else {
		/* the build tree: this lotrace is <build>/cmd/lotrace, the libraries
		 * are in <build>/.libs */
		char exe[PATH_MAX - 16];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		exe[n > 0 ? n : 0] = 0;
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		snprintf(dir, sizeof dir, "%s/../.libs", exe);
		if (!(n > 0 && readable(dir, "liblotrace-auto.so", autolib, sizeof autolib) &&
		      readable(dir, "liblotrace.so.0", core, sizeof core))) {
			snprintf(dir, sizeof dir, "%s", LOT_LIBDIR);
			if (!readable(dir, "liblotrace-auto.so", autolib, sizeof autolib) ||
			    !readable(dir, "liblotrace.so.0", core, sizeof core)) {
				fprintf(stderr, "lotrace record: cannot find liblotrace-auto.so (looked "
					"beside this lotrace and in %s; LOTRACE_AUTO_LIB names it)\n",
					LOT_LIBDIR);
				return -1;
			}
		}
	}
	const char *old = getenv("LD_PRELOAD");
	size_t cap = strlen(core) + strlen(autolib) + (old ? strlen(old) : 0) + 4;
	char *v = malloc(cap);
	if (!v)
		return -1;
	snprintf(v, cap, "%s %s%s%s", core, autolib, old && *old ? " " : "", old ? old : "");
	setenv("LD_PRELOAD", v, 1);
	free(v);
	return 0;
}

void record_auto_template(char *tmpl, size_t cap, int pid)
{
	char tail[40];
	snprintf(tail, sizeof tail, "%d.lot", pid);
	size_t n = strlen(tmpl), t = strlen(tail);
	if (n < t || strcmp(tmpl + n - t, tail) || n - t + 7 > cap)
		return;
	strcpy(tmpl + n - t, "%p.lot");
}

void record_auto_others(const char *path, long long since, bool default_name)
{
	char dir[PATH_MAX], stem[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : path;
	if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	snprintf(stem, sizeof stem, "%s", base);
	char *dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = 0;
	size_t n = strlen(stem);
	if (default_name) /* lotrace-prog-PID: the others are lotrace-prog-* */
		while (n && stem[n - 1] >= '0' && stem[n - 1] <= '9')
			stem[--n] = 0;
	else if (n + 1 < sizeof stem)
		stem[n++] = '-', stem[n] = 0;
	DIR *d = opendir(dir);
	if (!d)
		return;
	unsigned shown = 0, more = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, stem, n) || len < 4 || strcmp(e->d_name + len - 4, ".lot") ||
		    !strcmp(e->d_name, base))
			continue;
		char full[2 * PATH_MAX + 2];
		snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(full, &st) || (long long)st.st_mtime < since)
			continue;
		if (shown++ < 20)
			fprintf(stderr, "lotrace record: also traced (another process): %s\n",
				slash ? full : e->d_name);
		else
			more++;
	}
	closedir(d);
	if (more)
		fprintf(stderr, "lotrace record: ... and %u more\n", more);
}
