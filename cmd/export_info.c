#include "cmd/export_info.h"

#include "cmd/sources.h"

uint64_t export_pid(const struct export_info *info, unsigned proc)
{
	if (!proc || !info->src || proc >= info->src->n)
		return info->pid;
	uint64_t pid = info->src->v[proc].pid;
	return pid ? pid : proc + 1;
}

const char *export_process_name(const struct export_info *info, unsigned proc)
{
	if (!proc || !info->src || proc >= info->src->n)
		return info->process_name;
	return info->src->v[proc].service; /* escaped where it is written */
}

const char *export_frame(const struct export_info *info, uint64_t pc)
{
	return sym_full(info->sym, pc);
}

struct symbolizer *export_sym_of(const struct export_info *info, unsigned proc)
{
	if (!proc || !info->syms || proc >= info->src->n)
		return info->sym;
	if (!info->syms[proc]) {
		const struct lot_file_header *h = info->src->v[proc].hdr;
		info->syms[proc] = sym_new(h->modules, h->n_modules, info->symdir, info->raw_symbols);
		if (!info->syms[proc])
			return info->sym;
	}
	return info->syms[proc];
}

const char *export_frame_of(const struct export_info *info, unsigned proc, uint64_t pc)
{
	struct symbolizer *sym = export_sym_of(info, proc);
	return sym == info->sym ? export_frame(info, pc) : sym_full(sym, pc);
}

bool export_wake_flow(const struct model_interval *iv)
{
	return iv->state == MODEL_BLOCKED && iv->woken && !iv->open &&
	       iv->waker.task_key != iv->task->key;
}

const uint64_t *export_stack(const struct export_info *info, uint32_t stack, size_t *n)
{
	const uint64_t *pcs = stack ? model_stack(info->model, stack, n) : NULL;
	return pcs ? sym_program_stack(export_sym_of(info, model_stack_proc(info->model, stack)), pcs, n)
		   : NULL;
}
