// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "docker_meta.h"

#define ID_MAX 128

int docker_inspect_parse(const char *text, size_t len, struct container_meta *m, const char **why)
{
	const json_t *config, *labels, *name, *v;
	const char *key;
	json_t *root;
	int err = 0;

	*why = NULL;
	root = meta_load_object(text, len, "the answer is not valid JSON", "the answer is not a JSON object", why);
	if (!root)
		return -EINVAL;
	m->sources |= META_FROM_DOCKER;
	config = json_object_get(root, "Config");
	if (config && !json_is_object(config)) {
		*why = "Config is not an object";
		config = NULL;
	}
	name = json_object_get(root, "Name");
	/* docker keeps names with the leading slash of its old link tree */
	if (json_is_string(name) && json_string_value(name)[0] == '/')
		err = meta_set_text(&m->name, json_string_value(name) + 1, json_string_length(name) - 1);
	else
		err = meta_set_string(&m->name, name);
	if (!err)
		err = meta_set_string(&m->id, json_object_get(root, "Id"));
	if (!err)
		err = meta_set_string(&m->image_id, json_object_get(root, "Image"));
	if (!err)
		err = meta_set_string(&m->image, json_object_get(config, "Image"));
	labels = json_object_get(config, "Labels");
	if (!err && json_is_object(labels)) {
		m->has_labels = true;
		json_object_foreach((json_t *)labels, key, v) {
			if (!json_is_string(v)) {
				*why = *why ? *why : "Config.Labels holds something other than strings";
				continue;
			}
			err = meta_add_label(m, key, json_string_value(v));
			if (err)
				break;
		}
		if (!err)
			err = meta_derive_compose(m);
	} else if (labels && !json_is_null(labels) && !*why) {
		*why = "Config.Labels is not an object";
	}
	json_decref(root);
	return err;
}

static size_t find(const char *s, size_t len, const char *what, size_t from)
{
	size_t n = strlen(what);

	for (size_t i = from; i + n <= len; i++)
		if (!memcmp(s + i, what, n))
			return i;
	return len;
}

/* The value of header name (given with its colon) in the header block, or NULL. */
static const char *header(const char *head, size_t len, const char *name, size_t *value_len)
{
	size_t n = strlen(name);

	for (size_t pos = find(head, len, "\r\n", 0); pos < len; pos = find(head, len, "\r\n", pos + 2)) {
		const char *line = head + pos + 2;
		size_t end = find(head, len, "\r\n", pos + 2), i;

		if (end - (pos + 2) < n || strncasecmp(line, name, n))
			continue;
		for (i = pos + 2 + n; i < end && (head[i] == ' ' || head[i] == '\t'); i++)
			;
		*value_len = end - i;
		return head + i;
	}
	return NULL;
}

int docker_http_parse(const char *text, size_t len, int *status, const char **body, size_t *body_len,
		      const char **why)
{
	size_t head_end = find(text, len, "\r\n\r\n", 0), vlen;
	const char *v;
	int code = 0;

	*why = NULL;
	if (len < 12 || memcmp(text, "HTTP/1.", 7) || !isdigit((unsigned char)text[7]) || text[8] != ' ' ||
	    !isdigit((unsigned char)text[9]) || !isdigit((unsigned char)text[10]) ||
	    !isdigit((unsigned char)text[11])) {
		*why = "the answer is not HTTP";
		return -EINVAL;
	}
	for (int i = 9; i < 12; i++)
		code = code * 10 + (text[i] - '0');
	if (head_end == len) {
		*why = "the answer's headers do not end";
		return -EINVAL;
	}
	*status = code;
	*body = text + head_end + 4;
	*body_len = len - head_end - 4;
	/* asked as HTTP/1.0, a server sends no chunks; one that does is not believed */
	v = header(text, head_end + 2, "Transfer-Encoding:", &vlen);
	if (v && !(vlen == 8 && !strncasecmp(v, "identity", 8))) {
		*why = "the answer is in chunks, though asked as HTTP/1.0";
		return -EINVAL;
	}
	v = header(text, head_end + 2, "Content-Length:", &vlen);
	if (v) {
		unsigned long long n = 0;
		size_t i;

		for (i = 0; i < vlen && isdigit((unsigned char)v[i]) && n <= DOCKER_ANSWER_MAX; i++)
			n = n * 10 + (v[i] - '0');
		if (!vlen || i != vlen || n > *body_len) {
			*why = "the answer's Content-Length is not what came";
			return -EINVAL;
		}
		*body_len = n;
	}
	return 0;
}

struct docker_client {
	char *socket_path;
};

struct docker_client *docker_client_new(const char *socket_path)
{
	struct docker_client *dc = calloc(1, sizeof(*dc));

	if (!dc)
		return NULL;
	dc->socket_path = strdup(socket_path);
	if (!dc->socket_path) {
		free(dc);
		return NULL;
	}
	return dc;
}

void docker_client_free(struct docker_client *dc)
{
	if (!dc)
		return;
	free(dc->socket_path);
	free(dc);
}

/* IDs come from argv and cgroup paths: only what a container ID is made of goes into a request. */
static bool plain_id(const char *id)
{
	size_t n = strlen(id);

	if (!n || n >= ID_MAX || id[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '_' && id[i] != '-' && id[i] != '.')
			return false;
	return true;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until the deadline: 0, or -ETIMEDOUT. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		long long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int connect_socket(const char *path, long long deadline, char *why, size_t size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(addr.sun_path))
		return meta_why(why, size, -ENAMETOOLONG, "the socket path %s is too long", path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return meta_why(why, size, -errno, "socket: %s", strerror(errno));
	if (!connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		return fd;
	err = -errno;
	/* a listener with a full backlog says EAGAIN: it is not answering now */
	if (err == -EINPROGRESS && !(err = wait_fd(fd, POLLOUT, deadline))) {
		socklen_t len = sizeof(err);

		if (!getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) && !err)
			return fd;
		err = -err;
	}
	close(fd);
	/* whatever the reason, it is the daemon that is missing, never the container (-ENOENT) */
	meta_why(why, size, 0, "cannot connect to %s: %s", path,
	       err == -EAGAIN ? "it accepts no connection now" : strerror(-err));
	return err == -ETIMEDOUT ? err : -ECONNREFUSED;
}

static int send_all(int fd, const char *buf, size_t len, long long deadline)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int err = wait_fd(fd, POLLOUT, deadline);

			if (err)
				return err;
			continue;
		}
		if (n < 0)
			return -errno;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Everything up to the daemon's close, at most cap bytes, before the deadline. */
static ssize_t receive_all(int fd, char *buf, size_t cap, long long deadline)
{
	size_t used = 0;

	for (;;) {
		ssize_t n = recv(fd, buf + used, cap + 1 - used, 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			int err = wait_fd(fd, POLLIN, deadline);

			if (err)
				return err;
			continue;
		}
		if (n < 0)
			return -errno;
		if (!n)
			return used;
		used += n;
		if (used > cap)
			return -EFBIG;
	}
}

/* Headers of the answer come on top of the JSON; this much room for them. */
#define HEAD_MAX (16 * 1024)

int docker_inspect(struct docker_client *dc, const char *id, struct container_meta *m, char *why, size_t why_size)
{
	long long deadline = now_ms() + DOCKER_TIMEOUT_MS;
	char request[ID_MAX + 128], *answer = NULL;
	const char *body, *problem;
	size_t body_len;
	ssize_t len;
	int fd, err, status;

	why[0] = '\0';
	if (!plain_id(id))
		return meta_why(why, why_size, -EINVAL, "not a container ID docker could have");
	/* HTTP/1.0: the daemon closes after one answer and never sends it in chunks */
	snprintf(request, sizeof(request), "GET /containers/%s/json HTTP/1.0\r\nHost: docker\r\n\r\n", id);
	fd = connect_socket(dc->socket_path, now_ms() + DOCKER_CONNECT_TIMEOUT_MS, why, why_size);
	if (fd < 0)
		return fd;
	answer = malloc(DOCKER_ANSWER_MAX + HEAD_MAX + 1);
	if (!answer) {
		err = meta_why(why, why_size, -ENOMEM, "out of memory");
		goto out;
	}
	err = send_all(fd, request, strlen(request), deadline);
	if (err) {
		meta_why(why, why_size, err, "sending the question: %s", strerror(-err));
		goto out;
	}
	len = receive_all(fd, answer, DOCKER_ANSWER_MAX + HEAD_MAX, deadline);
	if (len < 0) {
		err = len == -EFBIG ? meta_why(why, why_size, -EFBIG, "the answer is larger than %d bytes", DOCKER_ANSWER_MAX)
		      : len == -ETIMEDOUT ? meta_why(why, why_size, -ETIMEDOUT, "no whole answer within %d ms", DOCKER_TIMEOUT_MS)
					  : meta_why(why, why_size, len, "reading the answer: %s", strerror(-len));
		goto out;
	}
	err = docker_http_parse(answer, len, &status, &body, &body_len, &problem);
	if (err) {
		meta_why(why, why_size, err, "%s", problem);
		goto out;
	}
	if (status == 404) {
		err = meta_why(why, why_size, -ENOENT, "no such container");
		goto out;
	}
	if (status != 200) {
		err = meta_why(why, why_size, -EIO, "HTTP status %d", status);
		goto out;
	}
	err = docker_inspect_parse(body, body_len, m, &problem);
	if (problem)
		meta_why(why, why_size, err, "%s", problem);
	/* docker answers for a prefix or a name too; a daemon that lies answers for another */
	if (!err && (!m->id || strncmp(m->id, id, strlen(id)))) {
		meta_clear(m);
		err = meta_why(why, why_size, -EINVAL, "the answer is about another container");
	}
out:
	free(answer);
	close(fd);
	return err;
}
