// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>
#include "alerts.h"
#include "lcprint.h"
#include "lifecycle.h"
#include "metrics.h"
#include "output.h"
#include "runtime.h"
#include "util.h"

#define NSEC_PER_SEC 1e9

/* Container starts take milliseconds (runc, lxc) to about a second (docker). */
static const double start_bounds_s[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };
#define START_BUCKETS ARRAY_SIZE(start_bounds_s)

#define ORIGIN_COUNT (LC_UNSEEN + 1)
#define EVENT_TYPE_COUNT (NSTRACE_EVENT_TYPE_MAX + 1)

struct runtime_counts {
	uint64_t created[ORIGIN_COUNT];
	uint64_t destroyed;
	uint64_t alive;
	uint64_t incomplete; /* alive and marked incomplete */
	uint64_t joins;
	uint64_t execs[2]; /* by pid 1's chain, by a process that joined */
	uint64_t start_buckets[START_BUCKETS]; /* not cumulative; +Inf is start_count */
	uint64_t start_count;
	uint64_t start_sum_ns;
};

/* Everything a scrape shows; copied whole under the lock. */
struct metrics_counts {
	uint64_t events[EVENT_TYPE_COUNT];
	uint64_t lost;
	uint64_t malformed;
	uint64_t ns_created[NSTRACE_NS_TYPE_COUNT];
	struct runtime_counts runtime[RUNTIME_COUNT];
	uint64_t alerts[ALERT_RULE_COUNT];
	char hooks[16];
};

struct metrics {
	pthread_mutex_t lock;
	struct metrics_counts counts;
	char version[32];
};

/* A container alive in the trace: what its gauges were counted under. */
struct tracked {
	uint64_t serial;
	enum runtime runtime;
	bool incomplete;
	bool start_observed;
	UT_hash_handle hh;
};

struct metrics_output {
	struct output base;
	struct metrics *m;
	const __u64 *malformed;
	struct tracked *alive; /* by serial; touched by the event thread only */
};

struct metrics *metrics_new(const char *version)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	snprintf(m->version, sizeof(m->version), "%s", version);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void metrics_set_hooks(struct metrics *m, const char *hooks)
{
	pthread_mutex_lock(&m->lock);
	snprintf(m->counts.hooks, sizeof(m->counts.hooks), "%s", hooks);
	pthread_mutex_unlock(&m->lock);
}

static struct metrics_output *metrics_of(struct output *o)
{
	return container_of(o, struct metrics_output, base);
}

static struct runtime_counts *by_runtime(struct metrics *m, enum runtime rt)
{
	return &m->counts.runtime[rt < RUNTIME_COUNT ? rt : RUNTIME_UNKNOWN];
}

/* pid_for_children is the pid namespace a CLONE_NEWPID made, as is time_for_children for CLONE_NEWTIME. */
static enum nstrace_ns_type flag_type(enum nstrace_ns_type t)
{
	if (t == NSTRACE_NS_PID_FOR_CHILDREN)
		return NSTRACE_NS_PID;
	if (t == NSTRACE_NS_TIME_FOR_CHILDREN)
		return NSTRACE_NS_TIME;
	return t;
}

static void on_event(struct output *o, const union nstrace_event *e)
{
	struct metrics *m = metrics_of(o)->m;
	nstrace_ns_mask created = nstrace_new_ns(e);
	__u32 type = e->hdr.type;

	pthread_mutex_lock(&m->lock);
	if (type < EVENT_TYPE_COUNT)
		m->counts.events[type]++;
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (created & NS_BIT(t))
			m->counts.ns_created[flag_type(t)]++;
	pthread_mutex_unlock(&m->lock);
}

static void on_lost(struct output *o, __u64 count, __u64 total)
{
	struct metrics_output *mo = metrics_of(o);
	struct tracked *c, *tmp;

	(void)total;
	pthread_mutex_lock(&mo->m->lock);
	mo->m->counts.lost += count;
	/* the model marks every container alive now incomplete */
	HASH_ITER(hh, mo->alive, c, tmp) {
		if (c->incomplete)
			continue;
		c->incomplete = true;
		by_runtime(mo->m, c->runtime)->incomplete++;
	}
	pthread_mutex_unlock(&mo->m->lock);
}

/*
 * A container's start is observed once, when pid 1 exits (or at its
 * destroy when the exit was not seen): pid 1's exec chain is whole then,
 * and the value is the "start" total its destroy record shows.
 */
static void observe_start(struct runtime_counts *rc, struct tracked *tc, const struct lc_container *c)
{
	struct lc_timeline tl;
	size_t slot = 0;

	if (tc->start_observed || c->incomplete || !lifecycle_timeline(c, &tl))
		return;
	tc->start_observed = true;
	while (slot < START_BUCKETS && tl.total_ns > start_bounds_s[slot] * NSEC_PER_SEC)
		slot++;
	if (slot < START_BUCKETS)
		rc->start_buckets[slot]++;
	rc->start_count++;
	rc->start_sum_ns += tl.total_ns;
}

static void on_transition(struct output *o, const struct lc_transition *t)
{
	struct metrics_output *mo = metrics_of(o);
	const struct lc_container *c = t->container;
	struct runtime_counts *rc;
	struct tracked *tc;

	HASH_FIND(hh, mo->alive, &c->serial, sizeof(c->serial), tc);
	if (!tc && t->kind == LC_CREATE) {
		tc = calloc(1, sizeof(*tc));
		/* out of memory: the container is counted, its gauges are not */
		if (tc) {
			tc->serial = c->serial;
			tc->runtime = c->runtime.runtime;
			HASH_ADD(hh, mo->alive, serial, sizeof(tc->serial), tc);
		}
	}

	pthread_mutex_lock(&mo->m->lock);
	rc = by_runtime(mo->m, c->runtime.runtime);
	switch (t->kind) {
	case LC_CREATE:
		rc->created[c->origin < ORIGIN_COUNT ? c->origin : LC_UNSEEN]++;
		if (tc)
			by_runtime(mo->m, tc->runtime)->alive++;
		break;
	case LC_INIT:
		break;
	case LC_EXEC:
		rc->execs[t->exec.joined]++;
		break;
	case LC_JOIN:
		rc->joins++;
		break;
	case LC_EXIT:
		if (tc)
			observe_start(rc, tc, c);
		break;
	case LC_DESTROY:
		rc->destroyed++;
		if (tc)
			observe_start(rc, tc, c);
		break;
	}
	/* the model may mark it incomplete on its own: its pid namespace inode came back */
	if (tc && c->incomplete && !tc->incomplete) {
		tc->incomplete = true;
		by_runtime(mo->m, tc->runtime)->incomplete++;
	}
	if (tc && t->kind == LC_DESTROY) {
		by_runtime(mo->m, tc->runtime)->alive--;
		if (tc->incomplete)
			by_runtime(mo->m, tc->runtime)->incomplete--;
	}
	pthread_mutex_unlock(&mo->m->lock);

	if (tc && t->kind == LC_DESTROY) {
		HASH_DEL(mo->alive, tc);
		free(tc);
	}
}

static void on_alert(struct output *o, const struct alert *a, const struct lc_container *c,
		     const struct lc_container *target, const union nstrace_event *cause)
{
	struct metrics *m = metrics_of(o)->m;

	(void)c;
	(void)target;
	(void)cause;
	if (a->rule >= ALERT_RULE_COUNT)
		return;
	pthread_mutex_lock(&m->lock);
	m->counts.alerts[a->rule]++;
	pthread_mutex_unlock(&m->lock);
}

static int on_flush(struct output *o)
{
	struct metrics_output *mo = metrics_of(o);

	if (mo->malformed) {
		pthread_mutex_lock(&mo->m->lock);
		mo->m->counts.malformed = *mo->malformed;
		pthread_mutex_unlock(&mo->m->lock);
	}
	return 0;
}

static void on_destroy(struct output *o)
{
	struct metrics_output *mo = metrics_of(o);
	struct tracked *c, *tmp;

	HASH_ITER(hh, mo->alive, c, tmp) {
		HASH_DEL(mo->alive, c);
		free(c);
	}
	free(mo);
}

static const struct output_ops metrics_ops = {
	.event = on_event,
	.lost = on_lost,
	.transition = on_transition,
	.alert = on_alert,
	.flush = on_flush,
	.destroy = on_destroy,
};

struct output *metrics_output_new(struct metrics *m, const __u64 *malformed)
{
	struct metrics_output *mo = calloc(1, sizeof(*mo));

	if (!mo)
		return NULL;
	mo->base.ops = &metrics_ops;
	mo->m = m;
	mo->malformed = malformed;
	return &mo->base;
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample per runtime of a uint64_t field of struct runtime_counts. */
static void per_runtime(FILE *f, const struct metrics_counts *c, const char *name, size_t offset)
{
	for (int rt = 0; rt < RUNTIME_COUNT; rt++)
		fprintf(f, "%s{runtime=\"%s\"} %" PRIu64 "\n", name, runtime_name(rt),
			*(const uint64_t *)((const char *)&c->runtime[rt] + offset));
}

static void write_start_histogram(FILE *f, const struct metrics_counts *c)
{
	const char *name = "nstrace_container_start_seconds";

	family(f, name, "histogram",
	       "Time from a container's creation to the last exec of its init, observed when the init exits");
	for (int rt = 0; rt < RUNTIME_COUNT; rt++) {
		const struct runtime_counts *rc = &c->runtime[rt];
		uint64_t cumulative = 0;

		for (size_t i = 0; i < START_BUCKETS; i++) {
			cumulative += rc->start_buckets[i];
			fprintf(f, "%s_bucket{runtime=\"%s\",le=\"%g\"} %" PRIu64 "\n", name, runtime_name(rt),
				start_bounds_s[i], cumulative);
		}
		fprintf(f, "%s_bucket{runtime=\"%s\",le=\"+Inf\"} %" PRIu64 "\n", name, runtime_name(rt), rc->start_count);
		fprintf(f, "%s_sum{runtime=\"%s\"} %.9f\n", name, runtime_name(rt), rc->start_sum_ns / NSEC_PER_SEC);
		fprintf(f, "%s_count{runtime=\"%s\"} %" PRIu64 "\n", name, runtime_name(rt), rc->start_count);
	}
}

int metrics_write(struct metrics *m, FILE *f)
{
	struct metrics_counts c;

	pthread_mutex_lock(&m->lock);
	c = m->counts;
	pthread_mutex_unlock(&m->lock);

	family(f, "nstrace_build_info", "gauge", "nstrace's version and the hook set it traces with");
	fprintf(f, "nstrace_build_info{version=\"%s\",hooks=\"%s\"} 1\n", m->version, c.hooks[0] ? c.hooks : "none");

	family(f, "nstrace_events_total", "counter", "Raw events received from the kernel, by type");
	for (__u32 t = NSTRACE_EVENT_CLONE; t < EVENT_TYPE_COUNT; t++)
		fprintf(f, "nstrace_events_total{type=\"%s\"} %" PRIu64 "\n", nstrace_event_name(t), c.events[t]);
	family(f, "nstrace_events_lost_total", "counter",
	       "Events the kernel side dropped: no room in the ring buffer");
	fprintf(f, "nstrace_events_lost_total %" PRIu64 "\n", c.lost);
	family(f, "nstrace_records_dropped_total", "counter", "Records from the kernel nstrace dropped, by reason");
	fprintf(f, "nstrace_records_dropped_total{reason=\"malformed\"} %" PRIu64 "\n", c.malformed);

	family(f, "nstrace_namespaces_created_total", "counter", "Namespaces created by clone and unshare, by type");
	for (int t = 0; t < NSTRACE_NS_TYPE_COUNT; t++)
		if (flag_type(t) == (enum nstrace_ns_type)t)
			fprintf(f, "nstrace_namespaces_created_total{type=\"%s\"} %" PRIu64 "\n", nstrace_ns_name(t),
				c.ns_created[t]);

	family(f, "nstrace_containers_created_total", "counter",
	       "Containers seen to start, by runtime and origin (existing: running at start)");
	for (int rt = 0; rt < RUNTIME_COUNT; rt++)
		for (int o = 0; o < ORIGIN_COUNT; o++)
			fprintf(f, "nstrace_containers_created_total{runtime=\"%s\",origin=\"%s\"} %" PRIu64 "\n",
				runtime_name(rt), lc_origin_name(o), c.runtime[rt].created[o]);
	family(f, "nstrace_containers_destroyed_total", "counter",
	       "Containers ended (their pid namespace gone, or their last process), by runtime");
	per_runtime(f, &c, "nstrace_containers_destroyed_total", offsetof(struct runtime_counts, destroyed));
	family(f, "nstrace_containers_alive", "gauge", "Containers alive now, by runtime");
	per_runtime(f, &c, "nstrace_containers_alive", offsetof(struct runtime_counts, alive));
	family(f, "nstrace_containers_incomplete", "gauge",
	       "Containers alive now whose events were not all seen (lost), by runtime");
	per_runtime(f, &c, "nstrace_containers_incomplete", offsetof(struct runtime_counts, incomplete));
	family(f, "nstrace_container_joins_total", "counter",
	       "Processes that entered a container with setns (docker exec, nsenter), by runtime");
	per_runtime(f, &c, "nstrace_container_joins_total", offsetof(struct runtime_counts, joins));
	family(f, "nstrace_container_execs_total", "counter",
	       "Execs in containers: of pid 1's chain (joined=\"false\") or by a process that joined, by runtime");
	for (int rt = 0; rt < RUNTIME_COUNT; rt++)
		for (int joined = 0; joined < 2; joined++)
			fprintf(f, "nstrace_container_execs_total{runtime=\"%s\",joined=\"%s\"} %" PRIu64 "\n",
				runtime_name(rt), joined ? "true" : "false", c.runtime[rt].execs[joined]);
	write_start_histogram(f, &c);
	family(f, "nstrace_alerts_total", "counter", "Alerts raised (docs/alerts.md), by rule");
	for (int r = 0; r < ALERT_RULE_COUNT; r++)
		fprintf(f, "nstrace_alerts_total{rule=\"%s\"} %" PRIu64 "\n", alert_rule_name(r), c.alerts[r]);
	return ferror(f) ? -EIO : 0;
}

int metrics_addr_split(const char *arg, char *host, size_t host_len, char *port, size_t port_len, const char **why)
{
	const char *colon = strrchr(arg, ':'), *host_start = arg, *host_end;
	unsigned long number;
	char *end;

	*why = "takes ADDR:PORT, such as 127.0.0.1:9560";
	if (!colon || colon == arg)
		return -EINVAL;
	host_end = colon;
	if (arg[0] == '[') {
		/* [IPv6]:PORT */
		if (colon[-1] != ']')
			return -EINVAL;
		host_start = arg + 1;
		host_end = colon - 1;
	} else if (memchr(arg, ':', colon - arg)) {
		*why = "takes an IPv6 address in brackets: [::1]:9560";
		return -EINVAL;
	}
	if (host_end == host_start)
		return -EINVAL;
	*why = "takes a port from 1 to 65535";
	if (colon[1] < '0' || colon[1] > '9')
		return -EINVAL;
	errno = 0;
	number = strtoul(colon + 1, &end, 10);
	if (errno || *end || !number || number > 65535)
		return -EINVAL;
	*why = "takes an address that is too long";
	if ((size_t)(host_end - host_start) >= host_len || strlen(colon + 1) >= port_len)
		return -EINVAL;
	memcpy(host, host_start, host_end - host_start);
	host[host_end - host_start] = '\0';
	snprintf(port, port_len, "%lu", number);
	*why = NULL;
	return 0;
}
