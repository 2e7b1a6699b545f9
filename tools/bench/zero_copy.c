// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-bench's path (a), zero-copy: the live pipeline (tools/pipeline/).
 */

#include "bench.h"

/* ------------------------------------------------- (a) zero-copy path */

struct zc_state {
	struct ctx *c;
	struct result *r;
	struct lp_progress pg;
	bool live;
};

static void zc_decision(void *arg, const struct lp_decision *d)
{
	struct zc_state *z = arg;

	if (!d->error) {
		result_add(z->r, d->latency_ns);
		result_times(z->r, d);
		count_class(z->c, z->r, d->scores);
		if (z->live)
			lp_print_decision(&z->c->st, d, z->c->o->labels, z->c->o->label_count);
	}
	if (!z->live)
		progress_tick(&z->pg, z->r, z->c->o->quiet);
}

void run_zero_copy(struct ctx *c, struct result *r, bool live)
{
	struct zc_state z = { .c = c, .r = r, .live = live };
	struct lp_run_opts o = {
		.slots = c->o->slots,
		.duration_ns = (uint64_t)(c->o->duration * 1e9),
		.stop = &interrupted,
		.on_decision = zc_decision,
		.arg = &z,
	};
	struct lp_run_stats s;
	char err[LP_ERR_LEN];

	progress_init(&z.pg, path_names[PATH_ZERO_COPY], c->o->duration);
	if (lp_run_zero_copy(&c->st, &o, &s, err, sizeof(err)))
		die("%s", err);
	lp_progress_done(&z.pg, c->o->quiet || live);
	r->elapsed_ns = s.elapsed_ns;
	r->drops = s.drops;
	r->errors = s.errors;
	r->cpu_ns = s.cpu_ns;
	r->lib_copied = s.lib_copied;
	r->drv_known = s.drv_known;
	r->drv_copied = s.drv_copied;
	r->ran = true;
}
