/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The Docker Engine API on its unix socket: a container's name, image,
 * image ID and labels. The daemon may be slow, gone or answering anything:
 * each question has a deadline, an answer has a size cap, and the parser
 * takes whatever comes (fuzzed). Blocking: call it off the event path
 * (meta_worker.h).
 */
#ifndef NSTRACE_DOCKER_META_H
#define NSTRACE_DOCKER_META_H

#include <stddef.h>
#include "meta.h"

#define DOCKER_DEFAULT_SOCKET "/var/run/docker.sock"
#define DOCKER_ANSWER_MAX (1024 * 1024)
#define DOCKER_CONNECT_TIMEOUT_MS 1000
#define DOCKER_TIMEOUT_MS 3000

/*
 * Parses the answer to GET /containers/ID/json into m. 0 when it is an
 * object; fields of the wrong shape stay NULL and *why names the first.
 * -EINVAL and *why for anything else, -ENOMEM. Pure: fuzzed.
 */
int docker_inspect_parse(const char *text, size_t len, struct container_meta *m, const char **why);

/*
 * Splits an HTTP/1.x answer: its status and its body (cut to a
 * Content-Length). -EINVAL and *why when it is no HTTP answer, or one in
 * chunks. Pure: fuzzed.
 */
int docker_http_parse(const char *text, size_t len, int *status, const char **body, size_t *body_len,
		      const char **why);

struct docker_client;

/* NULL when out of memory; each question connects anew (HTTP/1.0), so a restarted daemon is found again. */
struct docker_client *docker_client_new(const char *socket_path);
void docker_client_free(struct docker_client *dc);

/*
 * Asks for container id. 0 with m filled; -ENOENT when the daemon knows no
 * such container; another negative errno with why[] saying what failed.
 */
int docker_inspect(struct docker_client *dc, const char *id, struct container_meta *m, char *why, size_t why_size);

#endif
