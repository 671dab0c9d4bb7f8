// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* --metrics: /metrics over HTTP from libmicrohttpd's own thread, never the event loop's. */
#include <errno.h>
#include <stdio.h>
#include "metrics_http.h"

#ifdef NSTRACE_NO_HTTP
int metrics_listen(const char *arg, char *why, size_t why_len)
{
	(void)arg;
	snprintf(why, why_len, "this nstrace is a static build, without an HTTP server");
	return -EOPNOTSUPP;
}

struct metrics_server *metrics_server_start(int listen_fd, struct metrics *m)
{
	(void)listen_fd;
	(void)m;
	return NULL;
}

void metrics_server_stop(struct metrics_server *srv)
{
	(void)srv;
}
#else
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>
#include "metrics.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
/* Prometheus scrapes on one connection; a few more for people with curl. */
#define CONNECTION_LIMIT 16
#define CONNECTION_TIMEOUT_S 10

struct metrics_server {
	struct MHD_Daemon *daemon;
	struct metrics *m;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	static char not_found[] = "nstrace serves /metrics only\n";
	static char not_allowed[] = "GET or HEAD only\n";
	struct metrics_server *srv = cls;
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	(void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed, sizeof(not_allowed) - 1,
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(conn, MHD_HTTP_NOT_FOUND, not_found, sizeof(not_found) - 1, MHD_RESPMEM_PERSISTENT);
	f = open_memstream(&body, &len);
	if (!f)
		return MHD_NO;
	err = metrics_write(srv->m, f);
	if (fclose(f) || err) {
		free(body);
		return MHD_NO;
	}
	return reply(conn, MHD_HTTP_OK, body, len, MHD_RESPMEM_MUST_FREE);
}

int metrics_listen(const char *arg, char *why, size_t why_len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	char host[256], port[8];
	struct addrinfo *res;
	const char *bad;
	int fd, err, one = 1;

	if (metrics_addr_split(arg, host, sizeof(host), port, sizeof(port), &bad)) {
		snprintf(why, why_len, "%s", bad);
		return -EINVAL;
	}
	err = getaddrinfo(host, port, &hints, &res);
	if (err) {
		snprintf(why, why_len, "%s: %s", host, gai_strerror(err));
		return -EINVAL;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd >= 0) {
		/* a restarted service binds again at once, past the old connections' TIME_WAIT */
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, CONNECTION_LIMIT)) {
			err = -errno;
			close(fd);
			fd = err;
		}
	} else {
		fd = -errno;
	}
	if (fd < 0)
		snprintf(why, why_len, "%s", strerror(-fd));
	freeaddrinfo(res);
	return fd;
}

struct metrics_server *metrics_server_start(int listen_fd, struct metrics *m)
{
	struct metrics_server *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return NULL;
	srv->m = m;
	/* its thread inherits the signal mask trace_signals_block() set: the loop's signals stay the loop's */
	srv->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL, answer, srv,
				       MHD_OPTION_LISTEN_SOCKET, listen_fd, MHD_OPTION_CONNECTION_LIMIT,
				       (unsigned int)CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
				       (unsigned int)CONNECTION_TIMEOUT_S, MHD_OPTION_END);
	if (!srv->daemon) {
		free(srv);
		return NULL;
	}
	return srv;
}

void metrics_server_stop(struct metrics_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->daemon);
	free(srv);
}
#endif
