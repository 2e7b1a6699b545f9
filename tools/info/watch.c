// SPDX-License-Identifier: GPL-2.0-only
/*
 * aiot-info --watch: live statistics every interval, and devices arriving
 * or leaving (the library's monitor).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "info.h"

/* The devices watched, with their counters at the previous update. */
struct watched {
	struct accel_dev *ad;
	struct accel_stats *prev_a;
	int na;
	struct sensor_dev *sd, *prev_s;
	int ns;
	bool want_a, want_s;	/* --accelerators, --sensors */
};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* An arrival or removal: say so, and watch the device, or stop. */
static void on_device_event(struct watched *w, struct aiot_monitor_event *ev, bool json,
			    double t)
{
	bool add = aiot_monitor_event_get_type(ev) == AIOT_MONITOR_EVENT_ADD;
	bool accel = aiot_monitor_event_get_kind(ev) == AIOT_MONITOR_KIND_ACCEL;
	const char *node = aiot_monitor_event_get_path(ev);
	const char *name = aiot_monitor_event_get_sensor_name(ev);
	const char *base = base_name(node);
	int i;

	if (accel ? !w->want_a : !w->want_s)
		return;
	if (json) {
		printf("{\"t\": %.3f, \"event\": \"%s\", \"kind\": \"%s\", \"node\": ", t,
		       add ? "add" : "remove", accel ? "accelerator" : "sensor");
		json_str(node);
		if (name) {
			printf(", \"name\": ");
			json_str(name);
		}
		printf("}\n");
	} else {
		printf("[%7.1f s] %s %s %s%s%s\n", t, add ? "arrived:" : "removed:",
		       accel ? "accelerator" : "sensor stream", node, name ? " " : "",
		       name ? name : "");
	}
	if (accel) {
		for (i = 0; i < w->na && strcmp(w->ad[i].node, node); i++)
			;
		if (!add && i < w->na) {
			memmove(&w->ad[i], &w->ad[i + 1], (size_t)(w->na - i - 1) * sizeof(*w->ad));
			memmove(&w->prev_a[i], &w->prev_a[i + 1],
				(size_t)(w->na - i - 1) * sizeof(*w->prev_a));
			w->na--;
		} else if (add && i == w->na && w->na < MAX_DEVS) {
			struct accel_dev *d = &w->ad[w->na];

			memset(d, 0, sizeof(*d));
			snprintf(d->node, sizeof(d->node), "%s", node);
			snprintf(d->sysdir, sizeof(d->sysdir), "/sys/class/%s/%s",
				 strncmp(base, "renderD", 7) ? "accel" : "drm", base);
			accel_find_stats(d);
			accel_read_stats(d);
			w->prev_a[w->na++] = d->st;
		}
		return;
	}
	for (i = 0; i < w->ns && strcmp(w->sd[i].sysname, base); i++)
		;
	if (!add && i < w->ns) {
		memmove(&w->sd[i], &w->sd[i + 1], (size_t)(w->ns - i - 1) * sizeof(*w->sd));
		memmove(&w->prev_s[i], &w->prev_s[i + 1],
			(size_t)(w->ns - i - 1) * sizeof(*w->prev_s));
		w->ns--;
	} else if (add && i == w->ns && w->ns < MAX_DEVS &&
		   sscanf(base, "sensor%u", &w->sd[w->ns].index) == 1) {
		struct sensor_dev *d = &w->sd[w->ns];

		snprintf(d->sysname, sizeof(d->sysname), "%s", base);
		sensor_read_sysfs(d);
		w->prev_s[w->ns++] = *d;
	}
}

/*
 * Sleep @seconds, reporting device arrivals and removals meanwhile (if
 * @mon). False if interrupted by a signal.
 */
static bool wait_watching(struct aiot_monitor *mon, struct watched *w, double seconds,
			  bool json, uint64_t t0)
{
	uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);

	for (;;) {
		uint64_t t = now_ns();
		struct aiot_monitor_event *ev;
		int ret;

		if (stop)
			return false;
		if (t >= end)
			return true;
		if (!mon) {
			struct timespec ts = { (time_t)((end - t) / 1000000000u),
					       (long)((end - t) % 1000000000u) };

			nanosleep(&ts, NULL);
			continue;
		}
		ret = aiot_monitor_wait(mon, (int64_t)(end - t));
		if (ret <= 0)
			continue;	/* timeout, or a signal: the loop decides */
		while ((ret = aiot_monitor_read_event(mon, &ev)) == 0) {
			on_device_event(w, ev, json, (double)(now_ns() - t0) / 1e9);
			aiot_monitor_event_free(ev);
		}
		if (ret == -ENOBUFS)
			err("device events were lost (the list may be out of date)");
		fflush(stdout);
	}
}

int watch(struct accel_dev *ad, int na, struct sensor_dev *sd, int ns, bool want_a,
	  bool want_s, double interval, long count, bool json)
{
	static struct accel_stats prev_a[MAX_DEVS];
	static struct sensor_dev prev_s[MAX_DEVS];
	struct watched w = { ad, prev_a, na, sd, prev_s, ns, want_a, want_s };
	struct aiot_monitor *mon = NULL;
	uint64_t t_prev = now_ns(), t0 = t_prev;
	char b1[32];
	int ret = aiot_monitor_new(&mon);

	if (ret)
		err("device arrivals and removals are not reported: %s", aiot_strerror(ret));

	for (int i = 0; i < na; i++) {
		accel_read_stats(&ad[i]);
		prev_a[i] = ad[i].st;
	}
	for (int i = 0; i < ns; i++) {
		sensor_read_sysfs(&sd[i]);
		prev_s[i] = sd[i];
	}
	if (!json)
		printf("every %.3g s; Ctrl-C stops\n", interval);
	for (long k = 0; !stop && (count < 0 || k < count); k++) {
		uint64_t t;
		double dt;

		if (!wait_watching(mon, &w, interval, json, t0))
			break;
		na = w.na;
		ns = w.ns;
		t = now_ns();
		dt = (double)(t - t_prev) / 1e9;
		t_prev = t;
		if (json)
			printf("{\"t\": %.3f, \"accelerators\": [", (double)(t - t0) / 1e9);
		else
			printf("[%7.1f s]\n", (double)(t - t0) / 1e9);
		for (int i = 0; i < na; i++) {
			struct accel_stats *a = &ad[i].st, *p = &prev_a[i];
			double busy;

			accel_read_stats(&ad[i]);
			busy = 100.0 * (double)(a->busy_ns - p->busy_ns) / (dt * 1e9);
			if (busy > 100)
				busy = 100;
			if (json) {
				printf("%s{\"node\": ", i ? ", " : "");
				json_str(ad[i].node);
				if (a->known)
					printf(", \"jobs_submitted\": %" PRIu64 ", \"jobs_completed\": %" PRIu64
					       ", \"jobs_failed\": %" PRIu64 ", \"busy_percent\": %.1f",
					       a->submitted - p->submitted, a->completed - p->completed,
					       a->failed - p->failed, busy);
				printf("}");
			} else if (a->known) {
				printf("  %-18s %7.1f jobs/s submitted, %7.1f/s completed, %" PRIu64
				       " failed, busy %5.1f %%\n",
				       ad[i].node, (double)(a->submitted - p->submitted) / dt,
				       (double)(a->completed - p->completed) / dt,
				       a->failed - p->failed, busy);
			} else {
				printf("  %-18s stats n/a (no job counters in sysfs)\n", ad[i].node);
			}
			*p = *a;
		}
		if (json)
			printf("], \"sensors\": [");
		for (int i = 0; i < ns; i++) {
			struct sensor_dev *s = &sd[i], *p = &prev_s[i];
			double periods;

			sensor_read_sysfs(s);
			/* START resets the sequence: count from 0 then. */
			periods = (double)(s->sequence >= p->sequence ? s->sequence - p->sequence :
					   s->sequence);
			if (json) {
				printf("%s{\"name\": ", i ? ", " : "");
				json_str(s->name);
				printf(", \"state\": ");
				json_str(s->state);
				printf(", \"periods\": %.0f, \"drops\": %" PRIu64, periods,
				       s->drops - p->drops);
				if (s->has_copied)
					printf(", \"bytes_copied\": %" PRIu64,
					       s->bytes_copied - p->bytes_copied);
				printf("}");
			} else {
				printf("  %-18s %-12s %7.1f periods/s, %" PRIu64 " dropped",
				       s->name, s->state, periods / dt, s->drops - p->drops);
				if (s->has_copied)
					printf(", %s/s copied by read()",
					       fmt_bytes(b1, sizeof(b1),
							 (double)(s->bytes_copied - p->bytes_copied) / dt));
				printf("\n");
			}
			*p = *s;
		}
		if (json)
			printf("]}\n");
		fflush(stdout);
	}
	aiot_monitor_free(mon);
	return 0;
}
