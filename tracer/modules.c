/* The module map from dl_iterate_phdr (see tracer/modules.h). */
#include "tracer/modules.h"

#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct snapshot {
	struct lot_module *m;
	size_t n, cap;
	bool failed;
	bool seen_main; /* the first object reported is the main program */
};

/* The GNU build-id in the object's PT_NOTE segments, or NULL. */
static const uint8_t *find_build_id(const struct dl_phdr_info *info, size_t *len)
{
	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_NOTE)
			continue;
		/* Notes are padded to 4 bytes, or to 8 in segments aligned to 8. */
		size_t align = ph->p_align == 8 ? 8 : 4;
		const uint8_t *p = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		size_t left = ph->p_filesz;
		while (left >= sizeof(ElfW(Nhdr))) {
			const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
			size_t name = (nh->n_namesz + align - 1) & ~(align - 1);
			size_t desc = (nh->n_descsz + align - 1) & ~(align - 1);
			size_t total = sizeof *nh + name + desc;
			if (name > left || desc > left || total > left)
				break;
			if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 &&
			    !memcmp(p + sizeof *nh, "GNU", 4) && nh->n_descsz > 0) {
				*len = nh->n_descsz;
				return p + sizeof *nh + name;
			}
			p += total;
			left -= total;
		}
	}
	return NULL;
}

static bool add(struct snapshot *s, const struct lot_module *mod)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 16;
		struct lot_module *m = realloc(s->m, cap * sizeof *m);
		if (!m)
			return false;
		s->m = m;
		s->cap = cap;
	}
	s->m[s->n++] = *mod;
	return true;
}

static int visit(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct snapshot *s = arg;
	(void)size;
	bool is_main = !s->seen_main;
	s->seen_main = true;

	char exe[PATH_MAX];
	const char *path = info->dlpi_name;
	if (is_main && (!path || !*path)) {
		ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (k > 0) {
			exe[k] = 0;
			path = exe;
		}
	}
	if (!path || !*path) /* an anonymous object: nothing to symbolize it by */
		return 0;

	size_t id_len = 0;
	const uint8_t *id = find_build_id(info, &id_len);

	for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || ph->p_memsz == 0)
			continue;
		/* Each entry owns copies, so entries free independently. */
		struct lot_module mod = {
			.start = info->dlpi_addr + ph->p_vaddr,
			.end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz,
			.offset = ph->p_offset,
			.path = strdup(path),
			.build_id = NULL,
			.build_id_len = 0,
		};
		uint8_t *idc = NULL;
		if (id) {
			idc = malloc(id_len);
			if (idc) {
				memcpy(idc, id, id_len);
				mod.build_id = idc;
				mod.build_id_len = id_len;
			}
		}
		if (!mod.path || (id && !idc) || !add(s, &mod)) {
			free((void *)mod.path);
			free(idc);
			s->failed = true;
			return 1; /* stops the iteration */
		}
	}
	return 0;
}

int lot_modules_snapshot(struct lot_module **out, size_t *n)
{
	struct snapshot s = {0};
	dl_iterate_phdr(visit, &s);
	if (s.failed) {
		lot_modules_free(s.m, s.n);
		*out = NULL;
		*n = 0;
		return -ENOMEM;
	}
	*out = s.m;
	*n = s.n;
	return 0;
}

void lot_modules_free(struct lot_module *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((void *)m[i].path);
		free((void *)m[i].build_id);
	}
	free(m);
}
