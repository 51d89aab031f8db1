#include "cmd/symbols.h"

#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/idmap.h"

struct symmod {
	const struct lot_module *m;
	Dwfl_Module *dw;   /* NULL: binary not found */
	const char *base;  /* file name of the path */
};

struct symbolizer {
	Dwfl *dwfl;
	char *debuginfo_path;
	Dwfl_Callbacks cbs;
	struct symmod *mods;
	size_t n_mods;
	bool raw;
	struct idmap names, fulls; /* pc -> char * */
};

static bool build_id_matches(const char *path, const struct lot_module *m)
{
	if (!m->build_id_len)
		return access(path, R_OK) == 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = false;
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e) {
		size_t n;
		if (elf_getphdrnum(e, &n) == 0) {
			for (size_t i = 0; i < n && !ok; i++) {
				GElf_Phdr ph;
				if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE)
					continue;
				Elf_Data *d = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
								   ELF_T_NHDR);
				size_t off = 0, name_off, desc_off;
				GElf_Nhdr nh;
				while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
					if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
					    !memcmp((char *)d->d_buf + name_off, "GNU", 4)) {
						ok = nh.n_descsz == m->build_id_len &&
						     !memcmp((char *)d->d_buf + desc_off, m->build_id,
							     m->build_id_len);
						break;
					}
				}
			}
		}
		elf_end(e);
	}
	close(fd);
	return ok;
}

/* Where the module's binary is: its path, or a file with its build-id. */
static char *find_binary(const struct lot_module *m, const char *base, const char *symdir)
{
	char hex[129] = "", p[PATH_MAX];
	for (size_t i = 0; i < m->build_id_len && i < 64; i++)
		snprintf(hex + 2 * i, 3, "%02x", m->build_id[i]);
	if (m->path && m->path[0] == '/' && build_id_matches(m->path, m))
		return strdup(m->path);
	const char *cache = getenv("DEBUGINFOD_CACHE_PATH");
	char home_cache[PATH_MAX] = "";
	if (!cache && getenv("HOME")) {
		snprintf(home_cache, sizeof home_cache, "%s/.cache/debuginfod_client", getenv("HOME"));
		cache = home_cache;
	}
	const char *dirs[2] = {symdir, cache};
	for (int d = 0; d < 2; d++) {
		if (!dirs[d])
			continue;
		if (hex[0]) {
			const char *fmts[] = {"%s/.build-id/%.2s/%s", "%s/.build-id/%.2s/%s.debug",
					      "%s/%.0s%s/executable", "%s/%.0s%s/debuginfo"};
			for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
				snprintf(p, sizeof p, fmts[f], dirs[d], hex, hex + (f < 2 ? 2 : 0));
				if (build_id_matches(p, m))
					return strdup(p);
			}
		}
		if (d == 0 && base && base[0]) {
			snprintf(p, sizeof p, "%s/%s", dirs[d], base);
			if (build_id_matches(p, m))
				return strdup(p);
		}
	}
	return NULL;
}

/* The load bias of a mapping: runtime address minus the ELF's vaddr. */
static bool load_bias(const char *path, const struct lot_module *m, uint64_t *bias)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	bool ok = false;
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	GElf_Ehdr eh;
	size_t n;
	if (e && gelf_getehdr(e, &eh) && elf_getphdrnum(e, &n) == 0) {
		for (size_t i = 0; i < n && !ok; i++) {
			GElf_Phdr ph;
			if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
				continue;
			uint64_t pg = ph.p_offset & ~(uint64_t)0xfff;
			if (m->offset >= pg && m->offset < ph.p_offset + ph.p_filesz) {
				/* start maps file offset m->offset = vaddr + (offset - p_offset) */
				*bias = m->start - (ph.p_vaddr + m->offset - ph.p_offset);
				ok = true;
			}
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return ok;
}

struct symbolizer *sym_new(const struct lot_module *mods, size_t n_mods, const char *symdir,
			   bool raw)
{
	struct symbolizer *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->raw = raw;
	s->n_mods = n_mods;
	s->mods = calloc(n_mods ? n_mods : 1, sizeof *s->mods);
	if (!s->mods) {
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < n_mods; i++) {
		s->mods[i].m = &mods[i];
		const char *p = mods[i].path ? mods[i].path : "";
		const char *slash = strrchr(p, '/');
		s->mods[i].base = slash ? slash + 1 : p;
	}
	if (raw)
		return s;
	elf_version(EV_CURRENT);
	if (asprintf(&s->debuginfo_path, ":.debug:/usr/lib/debug%s%s", symdir ? ":" : "",
		     symdir ? symdir : "") < 0)
		s->debuginfo_path = NULL;
	s->cbs.find_elf = dwfl_linux_proc_find_elf;
	s->cbs.find_debuginfo = dwfl_standard_find_debuginfo;
	s->cbs.debuginfo_path = &s->debuginfo_path;
	s->dwfl = dwfl_begin(&s->cbs);
	if (!s->dwfl)
		return s;
	dwfl_report_begin(s->dwfl);
	for (size_t i = 0; i < n_mods; i++) {
		/* one report per binary: later mappings of the same file share it */
		for (size_t j = 0; j < i; j++) {
			if (s->mods[j].dw && mods[j].path && mods[i].path &&
			    !strcmp(mods[j].path, mods[i].path)) {
				s->mods[i].dw = s->mods[j].dw;
				break;
			}
		}
		if (s->mods[i].dw)
			continue;
		char *file = find_binary(&mods[i], s->mods[i].base, symdir);
		uint64_t bias;
		if (file && load_bias(file, &mods[i], &bias))
			s->mods[i].dw = dwfl_report_elf(s->dwfl, s->mods[i].base, file, -1, bias, true);
		free(file);
	}
	dwfl_report_end(s->dwfl, NULL, NULL);
	return s;
}

static const struct symmod *module_of(const struct symbolizer *s, uint64_t pc)
{
	for (size_t i = 0; i < s->n_mods; i++)
		if (pc >= s->mods[i].m->start && pc < s->mods[i].m->end)
			return &s->mods[i];
	return NULL;
}

/* Where a frame's code is: a return address points after its call, so the
 * call is the byte before; the interrupted instruction of a CPU sample is
 * where it is. */
static uint64_t code_at(uint64_t pc, bool exact) { return exact || !pc ? pc : pc - 1; }

static char *describe(struct symbolizer *s, uint64_t pc, bool exact, bool full)
{
	const struct symmod *sm = module_of(s, pc);
	char *out = NULL;
	if (!sm)
		return asprintf(&out, "0x%" PRIx64, pc) < 0 ? NULL : out;
	uint64_t at = code_at(pc, exact);
	const char *fn = sm->dw && !s->raw ? dwfl_module_addrname(sm->dw, at) : NULL;
	if (!fn)
		return asprintf(&out, "%s+0x%" PRIx64, sm->base[0] ? sm->base : "?",
				pc - sm->m->start + sm->m->offset) < 0
			       ? NULL
			       : out;
	if (full) {
		Dwfl_Line *line = dwfl_module_getsrc(sm->dw, at);
		int lineno = 0;
		const char *src = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
		if (src) {
			const char *slash = strrchr(src, '/');
			return asprintf(&out, "%s (%s:%d)", fn, slash ? slash + 1 : src, lineno) < 0
				       ? NULL
				       : out;
		}
	}
	return strdup(fn);
}

/* Exact PCs are cached apart from return addresses: the top bit is never
 * set in a user-space address. */
#define EXACT_KEY (1ull << 63)

static const char *lookup(struct symbolizer *s, struct idmap *cache, uint64_t pc, bool exact,
			  bool full)
{
	uint64_t key = exact ? pc | EXACT_KEY : pc;
	char *v = idmap_get(cache, key);
	if (v)
		return v;
	v = describe(s, pc, exact, full);
	if (!v)
		return "?";
	if (idmap_put(cache, key, v)) {
		free(v);
		return "?";
	}
	return v;
}

const char *sym_name(struct symbolizer *s, uint64_t pc) { return lookup(s, &s->names, pc, false, false); }
const char *sym_full(struct symbolizer *s, uint64_t pc) { return lookup(s, &s->fulls, pc, false, true); }
const char *sym_frame_name(struct symbolizer *s, uint64_t pc, bool exact)
{
	return lookup(s, &s->names, pc, exact, false);
}
const char *sym_frame_full(struct symbolizer *s, uint64_t pc, bool exact)
{
	return lookup(s, &s->fulls, pc, exact, true);
}

int sym_line(struct symbolizer *s, uint64_t pc, bool exact, char *file, size_t cap)
{
	const struct symmod *sm = module_of(s, pc);
	if (cap)
		file[0] = '\0';
	if (!sm || !sm->dw || s->raw)
		return 0;
	Dwfl_Line *line = dwfl_module_getsrc(sm->dw, code_at(pc, exact));
	int lineno = 0;
	const char *src = line ? dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
	if (!src)
		return 0;
	snprintf(file, cap, "%s", src);
	return lineno;
}

static bool recorder_frame(struct symbolizer *s, uint64_t pc)
{
	const struct symmod *sm = module_of(s, pc);
	if (sm && sm->base && !strncmp(sm->base, "liblotrace.", 11))
		return true;
	return !strncmp(sym_name(s, pc), "lot__", 5);
}

const uint64_t *sym_program_stack(struct symbolizer *s, const uint64_t *pcs, size_t *n)
{
	while (*n > 1 && recorder_frame(s, pcs[0])) {
		pcs++;
		(*n)--;
	}
	return pcs;
}

static void free_cache(struct idmap *m)
{
	for (size_t i = 0; i < m->n_slots; i++)
		free(m->slots[i].val);
	idmap_free(m);
}

void sym_free(struct symbolizer *s)
{
	if (!s)
		return;
	free_cache(&s->names);
	free_cache(&s->fulls);
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s->debuginfo_path);
	free(s->mods);
	free(s);
}
