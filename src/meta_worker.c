// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <uthash.h>
#include "docker_meta.h"
#include "meta_worker.h"
#include "oci_bundle.h"
#include "runtime.h"

/* How long stopping waits for a thread inside a source before leaving it behind. */
#define STOP_WAIT_MS 500

struct request {
	struct request *next;
	char *id;
	pid_t pid;
	char *bundle;
};

struct result_node {
	struct result_node *next;
	struct meta_result r;
};

struct source {
	struct meta_worker *w;
	enum meta_source kind;
	pthread_t thread;
	bool started;
	struct request *head, **tail;
	bool failing;
};

/* "b:" or "d:" and a container ID that source is done with. */
struct done {
	UT_hash_handle hh;
	char key[];
};

struct meta_worker {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* work queued, or stop */
	pthread_cond_t ended; /* a thread left its loop */
	bool stop;
	int running;
	int efd;
	char *proc_root;
	struct docker_client *docker;
	struct source bundle, docker_source;
	struct result_node *results, **results_tail;
	int ready; /* results wait: read without the lock, on every event */
	struct done *done;
};

static void free_request(struct request *q)
{
	free(q->id);
	free(q->bundle);
	free(q);
}

static void fetch(struct source *s, const struct request *q, struct meta_result *r)
{
	if (s->kind == META_FROM_BUNDLE)
		r->err = oci_bundle_read(s->w->proc_root, q->pid, q->bundle, &r->meta, r->why, sizeof(r->why));
	else
		r->err = docker_inspect(s->w->docker, r->id, &r->meta, r->why, sizeof(r->why));
	if (r->err)
		meta_clear(&r->meta);
}

static void deliver(struct meta_worker *w, struct result_node *n)
{
	uint64_t one = 1;
	ssize_t unused;

	*w->results_tail = n;
	w->results_tail = &n->next;
	__atomic_store_n(&w->ready, 1, __ATOMIC_RELEASE);
	/* fails only with the counter at its maximum, which still reads as ready */
	unused = write(w->efd, &one, sizeof(one));
	(void)unused;
}

/* "b:ID" or "d:ID" into key, which has room for strlen(id) + 3; returns its length. */
static size_t ask_key(char *key, char tag, const char *id)
{
	size_t len = strlen(id) + 2;

	key[0] = tag;
	key[1] = ':';
	memcpy(key + 2, id, len - 1);
	return len;
}

/* Called with the lock held, as the next two. */
static struct done *find_done(const struct meta_worker *w, char tag, const char *id)
{
	char key[strlen(id) + 3];
	size_t len = ask_key(key, tag, id);
	struct done *d;

	HASH_FIND(hh, w->done, key, len, d);
	return d;
}

/* Marks (source, id) done; false if it was already, or out of memory. */
static bool mark_done(struct meta_worker *w, char tag, const char *id)
{
	char key[strlen(id) + 3];
	size_t len = ask_key(key, tag, id);
	struct done *d;

	if (find_done(w, tag, id))
		return false;
	d = malloc(sizeof(*d) + len + 1);
	if (!d)
		return false;
	memcpy(d->key, key, len + 1);
	HASH_ADD_KEYPTR(hh, w->done, d->key, len, d);
	return true;
}

static void *source_main(void *arg)
{
	struct source *s = arg;
	struct meta_worker *w = s->w;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct result_node *n;
		struct request *q;
		bool skip;

		while (!w->stop && !s->head)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->stop)
			break;
		q = s->head;
		s->head = q->next;
		if (!s->head)
			s->tail = &s->head;
		/* another process named the same bundle and it was read: this one need not be */
		skip = s->kind == META_FROM_BUNDLE && find_done(w, 'b', q->id);
		pthread_mutex_unlock(&w->lock);

		n = calloc(1, sizeof(*n));
		if (n) {
			n->r.source = s->kind;
			n->r.id = q->id;
			q->id = NULL;
			if (skip) {
				n->r.err = -EALREADY;
			} else {
				fetch(s, q, &n->r);
				/* a missing container is an answer, not a failing daemon */
				n->r.first_failure = n->r.err && n->r.err != -ENOENT && !s->failing;
				s->failing = n->r.err && n->r.err != -ENOENT;
			}
		}
		pthread_mutex_lock(&w->lock);
		if (n && !n->r.err && s->kind == META_FROM_BUNDLE)
			mark_done(w, 'b', n->r.id);
		free_request(q);
		if (n)
			deliver(w, n);
	}
	w->running--;
	pthread_cond_broadcast(&w->ended);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static int start_source(struct meta_worker *w, struct source *s, enum meta_source kind)
{
	int err;

	s->w = w;
	s->kind = kind;
	s->tail = &s->head;
	err = pthread_create(&s->thread, NULL, source_main, s);
	if (err)
		return err;
	s->started = true;
	w->running++;
	return 0;
}

struct meta_worker *meta_worker_new(const struct meta_worker_opts *opts)
{
	struct meta_worker *w = calloc(1, sizeof(*w));
	pthread_condattr_t attr;
	int err = ENOMEM;

	if (!w)
		goto fail;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->ended, &attr);
	pthread_condattr_destroy(&attr);
	w->results_tail = &w->results;
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->proc_root = strdup(opts->proc_root);
	if (w->efd < 0 || !w->proc_root) {
		err = w->efd < 0 ? errno : ENOMEM;
		goto fail;
	}
	if (opts->docker_socket && !(w->docker = docker_client_new(opts->docker_socket)))
		goto fail;
	pthread_mutex_lock(&w->lock);
	err = start_source(w, &w->bundle, META_FROM_BUNDLE);
	if (!err && w->docker)
		err = start_source(w, &w->docker_source, META_FROM_DOCKER);
	pthread_mutex_unlock(&w->lock);
	if (err)
		goto fail;
	return w;
fail:
	meta_worker_free(w);
	errno = err;
	return NULL;
}

static bool wait_ended(struct meta_worker *w)
{
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_nsec += STOP_WAIT_MS * 1000000L;
	deadline.tv_sec += deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;
	while (w->running)
		if (pthread_cond_timedwait(&w->ended, &w->lock, &deadline) == ETIMEDOUT)
			return !w->running;
	return true;
}

static void free_queue(struct request *q)
{
	while (q) {
		struct request *next = q->next;

		free_request(q);
		q = next;
	}
}

void meta_worker_free(struct meta_worker *w)
{
	struct source *sources[2];
	struct done *d, *tmp;
	bool all_ended;

	if (!w)
		return;
	sources[0] = &w->bundle;
	sources[1] = &w->docker_source;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->wake);
	all_ended = wait_ended(w);
	pthread_mutex_unlock(&w->lock);
	for (int i = 0; i < 2; i++) {
		if (!sources[i]->started)
			continue;
		if (all_ended)
			pthread_join(sources[i]->thread, NULL);
		else
			pthread_detach(sources[i]->thread);
	}
	/* a thread still inside a source uses all of this: it goes with the process */
	if (!all_ended)
		return;
	for (int i = 0; i < 2; i++)
		free_queue(sources[i]->head);
	while (w->results) {
		struct result_node *n = w->results;

		w->results = n->next;
		meta_result_free(&n->r);
		free(n);
	}
	HASH_ITER(hh, w->done, d, tmp) {
		HASH_DEL(w->done, d);
		free(d);
	}
	docker_client_free(w->docker);
	if (w->efd >= 0)
		close(w->efd);
	free(w->proc_root);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->ended);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int meta_worker_fd(const struct meta_worker *w)
{
	return w->efd;
}

static bool enqueue(struct meta_worker *w, struct source *s, char tag, const char *id, pid_t pid,
		    const char *bundle, size_t bundle_len)
{
	struct request *q = calloc(1, sizeof(*q));
	bool queued = false;

	if (!q)
		return false;
	q->pid = pid;
	q->id = strdup(id);
	if (bundle)
		q->bundle = strndup(bundle, bundle_len);
	if (!q->id || (bundle && !q->bundle)) {
		free_request(q);
		return false;
	}
	pthread_mutex_lock(&w->lock);
	/*
	 * Docker is asked once per container. A bundle is read once, but
	 * every process that names it is a chance until then: containerd's
	 * first shim process is gone at once, runc create comes next.
	 */
	if (s->started && !w->stop && (tag == 'd' ? mark_done(w, tag, id) : !find_done(w, tag, id))) {
		*s->tail = q;
		s->tail = &q->next;
		queued = true;
		pthread_cond_broadcast(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	if (!queued)
		free_request(q);
	return queued;
}

bool meta_ask_bundle(struct meta_worker *w, const char *id, pid_t pid, const char *bundle, size_t bundle_len)
{
	/* a path with a NUL in it is not the one the runtime opens */
	if (bundle && memchr(bundle, '\0', bundle_len))
		return false;
	return enqueue(w, &w->bundle, 'b', id, pid, bundle, bundle_len);
}

bool meta_ask_docker(struct meta_worker *w, const char *id)
{
	return enqueue(w, &w->docker_source, 'd', id, 0, NULL, 0);
}

int meta_ask_about(struct meta_worker *w, pid_t pid, const char *args, size_t len,
		   int (*asked)(void *ctx, enum meta_source source, const char *id), void *ctx)
{
	struct runtime_bundle bundle;
	struct runtime_hint hint;
	int err = 0;

	/* most processes are no runtime: argv[0] says so before any parsing */
	if (!len || !runtime_bundle_holder(args, strnlen(args, len)))
		return 0;
	if (runtime_bundle_from_argv(args, len, &bundle) &&
	    meta_ask_bundle(w, bundle.id, pid, bundle.path, bundle.path_len))
		err = asked(ctx, META_FROM_BUNDLE, bundle.id);
	runtime_hint_from_argv(args, len, &hint);
	if (!err && hint.runtime == RUNTIME_DOCKER && hint.id[0] && meta_ask_docker(w, hint.id))
		err = asked(ctx, META_FROM_DOCKER, hint.id);
	return err;
}

void meta_worker_drain(struct meta_worker *w, void (*fn)(void *ctx, struct meta_result *r), void *ctx)
{
	struct result_node *n;
	uint64_t count;
	ssize_t unused;

	if (!__atomic_load_n(&w->ready, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&w->lock);
	n = w->results;
	w->results = NULL;
	w->results_tail = &w->results;
	__atomic_store_n(&w->ready, 0, __ATOMIC_RELAXED);
	/* EAGAIN when nothing was ready: the counter is already zero */
	unused = read(w->efd, &count, sizeof(count));
	(void)unused;
	pthread_mutex_unlock(&w->lock);
	while (n) {
		struct result_node *next = n->next;

		fn(ctx, &n->r);
		meta_result_free(&n->r);
		free(n);
		n = next;
	}
}

