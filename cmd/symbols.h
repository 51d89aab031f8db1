/*
 * Symbolization of stack PCs, offline, with elfutils (libdwfl): function and
 * file:line where debug information exists.
 *
 * The trace header's module map gives each mapping's address range, file
 * offset, path and GNU build-id.  A binary is looked for at its recorded
 * path (accepted only if its build-id matches, when the trace has one), then
 * by build-id in the --symbols directory (DIR/.build-id/xx/rest[.debug],
 * DIR/<build-id hex>/executable, DIR/<file name>) and in the debuginfod
 * client cache ($DEBUGINFOD_CACHE_PATH, else ~/.cache/debuginfod_client).
 * A PC in no module, or in a module whose binary is not found, prints as
 * "module+0xoffset" (the file offset) or "0xaddress": missing symbols never
 * make a command fail.  Results are cached per PC.
 */
#ifndef LOT_CMD_SYMBOLS_H
#define LOT_CMD_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

#include "trace-format/trace.h"

struct symbolizer;

/* raw: never look for binaries ("--no-symbols").  symdir may be NULL.
 * NULL on ENOMEM. */
struct symbolizer *sym_new(const struct lot_module *mods, size_t n_mods, const char *symdir,
			   bool raw);
/* The frame of a return address: "function" (short), or with file:line
 * "function (file.c:12)" (full).  Valid until sym_free().  A return address
 * points after its call, so it is looked up one byte before. */
const char *sym_name(struct symbolizer *s, uint64_t pc);
const char *sym_full(struct symbolizer *s, uint64_t pc);
/* The same for any frame: exact when pc is the instruction itself (the
 * first PC of a CPU sample, the interrupted one: doc/FORMAT.md), looked up
 * where it is; else a return address, as above. */
const char *sym_frame_name(struct symbolizer *s, uint64_t pc, bool exact);
const char *sym_frame_full(struct symbolizer *s, uint64_t pc, bool exact);
/* The source line of a frame (exact as above): its file's path as the
 * debug information gives it into file[cap], and the line; 0 (file "")
 * when unknown. */
int sym_line(struct symbolizer *s, uint64_t pc, bool exact, char *file, size_t cap);
/* The stack pcs[0..*n) (innermost first) without the recorder's own
 * innermost frames -- its probe: lot__* functions, or any frame in
 * liblotrace.so when symbols are not read -- which say nothing about the
 * program.  At least one frame is kept.  Every report and export shows
 * stacks through this. */
const uint64_t *sym_program_stack(struct symbolizer *s, const uint64_t *pcs, size_t *n);
void sym_free(struct symbolizer *s);

#endif
