/*
 * The module map: which executable code is loaded where, so that stack PCs
 * can be symbolized offline by path and GNU build-id.
 *
 *   int lot_modules_snapshot(struct lot_module **out, size_t *n);
 *        one entry per executable PT_LOAD segment of every loaded object
 *        (main program, shared libraries, the vDSO): its address range
 *        [start, end), the file offset of start, the object's path (the main
 *        program's from /proc/self/exe) and build-id (NULL and 0 when the
 *        object has none).  0, or -ENOMEM (then *out is NULL and *n 0).
 *   void lot_modules_free(struct lot_module *m, size_t n);
 *        frees a snapshot, its paths and build-ids.
 *
 * Objects loaded after the snapshot (dlopen) are not in it.
 */
#ifndef LOT_TRACER_MODULES_H
#define LOT_TRACER_MODULES_H

#include <stddef.h>

#include "trace-format/trace.h"

int lot_modules_snapshot(struct lot_module **out, size_t *n);
void lot_modules_free(struct lot_module *m, size_t n);

#endif
