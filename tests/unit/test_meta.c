// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * Container metadata: OCI config.json and Docker Engine API answers parsed,
 * kept, merged and carried through JSON; the worker's bookkeeping.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#include "docker_meta.h"
#include "meta.h"
#include "meta_store.h"
#include "meta_worker.h"
#include "oci_bundle.h"
#include "procparse.h"
#include "testing.h"

#define TEXT(s) s, sizeof(s) - 1

static const char containerd_cri[] = "{\"ociVersion\":\"1.0.2\",\"hostname\":\"web-7d4\","
	"\"process\":{\"user\":{\"uid\":101,\"gid\":102},\"args\":[\"nginx\",\"-g\",\"daemon off;\"],\"cwd\":\"/\"},"
	"\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
	"\"io.kubernetes.cri.container-name\":\"nginx\",\"io.kubernetes.cri.image-name\":\"docker.io/library/nginx:1.25\","
	"\"io.kubernetes.cri.sandbox-name\":\"web-7d4\",\"io.kubernetes.cri.sandbox-namespace\":\"shop\"},"
	"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\",\"path\":\"/proc/42/ns/ipc\"},"
	"{\"type\":\"uts\",\"path\":\"/proc/42/ns/uts\"},{\"type\":\"mount\"},"
	"{\"type\":\"network\",\"path\":\"/var/run/netns/cni-1\"},{\"type\":\"cgroup\",\"path\":\"\"}]}}";

static void test_oci_containerd(void)
{
	struct container_meta m = { 0 };
	const char *why = "unset";

	if (!ASSERT_EQ(oci_config_parse(TEXT(containerd_cri), &m, &why), 0, "parse"))
		return;
	ASSERT_TRUE(why == NULL, "no complaint");
	ASSERT_EQ(m.sources, META_FROM_BUNDLE, "source");
	ASSERT_STREQ(m.hostname, "web-7d4", "hostname");
	ASSERT_STREQ(m.name, "nginx", "container name");
	ASSERT_STREQ(m.image, "docker.io/library/nginx:1.25", "image");
	ASSERT_STREQ(m.pod_name, "web-7d4", "pod name");
	ASSERT_STREQ(m.pod_namespace, "shop", "pod namespace");
	if (ASSERT_EQ(m.arg_count, 3, "args"))
		ASSERT_STREQ(m.args[2], "daemon off;", "third arg");
	ASSERT_TRUE(m.has_user, "user known");
	ASSERT_EQ(m.uid, 101, "uid");
	ASSERT_EQ(m.gid, 102, "gid");
	ASSERT_STREQ(m.ns_path[NSTRACE_NS_IPC], "/proc/42/ns/ipc", "ipc joined");
	ASSERT_STREQ(m.ns_path[NSTRACE_NS_UTS], "/proc/42/ns/uts", "uts joined");
	ASSERT_STREQ(m.ns_path[NSTRACE_NS_NET], "/var/run/netns/cni-1", "net joined");
	ASSERT_TRUE(!m.ns_path[NSTRACE_NS_PID] && !m.ns_path[NSTRACE_NS_MNT], "pid and mnt created");
	ASSERT_TRUE(!m.ns_path[NSTRACE_NS_CGROUP], "an empty path creates one");
	meta_clear(&m);
}

static void test_oci_crio_sandbox(void)
{
	static const char crio[] = "{\"annotations\":{\"io.kubernetes.pod.name\":\"db-0\","
		"\"io.kubernetes.pod.namespace\":\"data\",\"io.kubernetes.container.name\":\"postgres\","
		"\"io.kubernetes.cri-o.ImageName\":\"postgres:16\"}}";
	static const char sandbox[] = "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
		"\"io.kubernetes.cri.sandbox-name\":\"web-7d4\",\"io.kubernetes.cri.sandbox-namespace\":\"shop\"}}";
	struct container_meta m = { 0 };
	const char *why;

	ASSERT_EQ(oci_config_parse(TEXT(crio), &m, &why), 0, "CRI-O parse");
	ASSERT_STREQ(m.name, "postgres", "CRI-O container name");
	ASSERT_STREQ(m.image, "postgres:16", "CRI-O image");
	ASSERT_STREQ(m.pod_name, "db-0", "CRI-O pod name");
	ASSERT_STREQ(m.pod_namespace, "data", "CRI-O pod namespace");
	ASSERT_TRUE(!m.has_args && !m.has_user && !m.hostname, "nothing else");
	meta_clear(&m);
	ASSERT_EQ(oci_config_parse(TEXT(sandbox), &m, &why), 0, "sandbox parse");
	ASSERT_TRUE(m.name == NULL, "a pod sandbox has no container name");
	ASSERT_STREQ(m.pod_name, "web-7d4", "the sandbox's pod");
	meta_clear(&m);
}

static void test_oci_damaged(void)
{
	static const struct {
		const char *text;
		int err;
		const char *why;
	} cases[] = {
		{ "", -EINVAL, "config.json is not valid JSON" },
		{ "{\"hostname\":\"a\"", -EINVAL, "config.json is not valid JSON" },
		{ "[1,2]", -EINVAL, "config.json is not a JSON object" },
		{ "\"x\"", -EINVAL, "config.json is not valid JSON" },
		{ "{\"hostname\":7}", 0, "hostname is not a string" },
		{ "{\"process\":[]}", 0, "process is not an object" },
		{ "{\"process\":{\"args\":\"sh\"}}", 0, "process.args is not an array" },
		{ "{\"process\":{\"args\":[\"sh\",1]}}", 0, "process.args holds something other than strings" },
		{ "{\"process\":{\"user\":{\"uid\":-1,\"gid\":0}}}", 0, "process.user has no numeric uid and gid" },
		{ "{\"process\":{\"user\":{\"uid\":4294967296,\"gid\":0}}}", 0,
		  "process.user has no numeric uid and gid" },
		{ "{\"annotations\":[]}", 0, "annotations is not an object" },
		{ "{\"linux\":{\"namespaces\":{}}}", 0, "linux.namespaces is not an array" },
		{ "{\"linux\":{\"namespaces\":[{\"type\":\"bogus\",\"path\":\"/x\"}]}}", 0,
		  "linux.namespaces names an unknown type" },
		{ "{\"linux\":{\"namespaces\":[{\"type\":\"ipc\",\"path\":3}]}}", 0,
		  "linux.namespaces holds an entry without a type or with a non-string path" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_meta m = { 0 };
		const char *why = NULL;
		int err = oci_config_parse(cases[i].text, strlen(cases[i].text), &m, &why);

		if (err != cases[i].err || !why || strcmp(why, cases[i].why))
			FAIL_AT("%s: got %d \"%s\", expected %d \"%s\"", cases[i].text, err, why ? why : "(none)",
				cases[i].err, cases[i].why);
		/* the wrongly shaped field is unknown, not guessed */
		if (m.hostname || m.has_user || m.arg_count || m.name || m.ns_path[NSTRACE_NS_IPC])
			FAIL_AT("%s: a field was filled", cases[i].text);
		meta_clear(&m);
	}
}

static void test_oci_limits(void)
{
	size_t n = META_MAX_ARGS + 5, len = 0;
	char *text = malloc(32 + n * 4 + 2 * META_MAX_STRING);
	struct container_meta m = { 0 };
	const char *why;

	len += sprintf(text, "{\"hostname\":\"");
	/* a multi-byte character across the cut is not split */
	text[len++] = 'a';
	for (size_t i = 0; i < META_MAX_STRING; i += 2) {
		text[len++] = (char)0xc3;
		text[len++] = (char)0xa9;
	}
	len += sprintf(text + len, "\",\"process\":{\"args\":[");
	for (size_t i = 0; i < n; i++)
		len += sprintf(text + len, "%s\"a\"", i ? "," : "");
	len += sprintf(text + len, "]}}");
	ASSERT_EQ(oci_config_parse(text, len, &m, &why), 0, "parse");
	ASSERT_EQ(m.arg_count, META_MAX_ARGS, "args kept");
	ASSERT_EQ(m.args_dropped, 5, "args dropped and counted");
	if (ASSERT_TRUE(m.hostname != NULL, "hostname")) {
		ASSERT_EQ(strlen(m.hostname), META_MAX_STRING - 1, "cut before a split character");
		ASSERT_EQ((unsigned char)m.hostname[strlen(m.hostname) - 1], 0xa9, "ends on a whole character");
	}
	meta_clear(&m);
	free(text);
}

static const char docker_answer[] = "{\"Id\":\"3f2a9c0d\",\"Name\":\"/web\",\"Image\":\"sha256:abc\","
	"\"Config\":{\"Hostname\":\"3f2a9c0d\",\"Image\":\"local/busybox\","
	"\"Labels\":{\"com.docker.compose.project\":\"shop\",\"com.docker.compose.service\":\"front\",\"tier\":\"1\"}}}";

static void test_docker_parse(void)
{
	struct container_meta m = { 0 };
	const char *why = "unset";

	if (!ASSERT_EQ(docker_inspect_parse(TEXT(docker_answer), &m, &why), 0, "parse"))
		return;
	ASSERT_TRUE(why == NULL, "no complaint");
	ASSERT_EQ(m.sources, META_FROM_DOCKER, "source");
	ASSERT_STREQ(m.id, "3f2a9c0d", "id");
	ASSERT_STREQ(m.name, "web", "name without docker's slash");
	ASSERT_STREQ(m.image, "local/busybox", "image as asked for");
	ASSERT_STREQ(m.image_id, "sha256:abc", "image ID");
	ASSERT_EQ(m.label_count, 3, "labels");
	ASSERT_STREQ(meta_label(&m, "tier"), "1", "a label");
	ASSERT_STREQ(m.compose_project, "shop", "compose project");
	ASSERT_STREQ(m.compose_service, "front", "compose service");
	meta_clear(&m);
}

static void test_docker_garbage(void)
{
	static const struct {
		const char *text;
		int err;
		const char *why;
	} cases[] = {
		{ "<html>Bad Gateway</html>", -EINVAL, "the answer is not valid JSON" },
		{ "[]", -EINVAL, "the answer is not a JSON object" },
		{ "{\"Name\":5,\"Config\":7}", 0, "Config is not an object" },
		{ "{\"Config\":{\"Labels\":[1]}}", 0, "Config.Labels is not an object" },
		{ "{\"Config\":{\"Labels\":{\"a\":1,\"b\":\"2\"}}}", 0, "Config.Labels holds something other than strings" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_meta m = { 0 };
		const char *why = NULL;
		int err = docker_inspect_parse(cases[i].text, strlen(cases[i].text), &m, &why);

		if (err != cases[i].err || !why || strcmp(why, cases[i].why))
			FAIL_AT("%s: got %d \"%s\", expected %d \"%s\"", cases[i].text, err, why ? why : "(none)",
				cases[i].err, cases[i].why);
		if (m.name)
			FAIL_AT("%s: a name of the wrong type was taken", cases[i].text);
		meta_clear(&m);
	}
}

static void test_http(void)
{
	static const char ok[] = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}xx";
	static const char closed[] = "HTTP/1.1 404 Not Found\r\nServer: x\r\n\r\n{\"message\":\"no\"}";
	static const char *const bad[] = {
		"", "HTTP/1.0", "SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.0 2x0 OK\r\n\r\n", "HTTP/1.0 200 OK\r\nA: b\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
		"HTTP/1.0 200 OK\r\nContent-Length: 99\r\n\r\n{}", "HTTP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n{}",
		"HTTP/1.0 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n{}",
	};
	const char *body, *why;
	size_t body_len;
	int status;

	ASSERT_EQ(docker_http_parse(TEXT(ok), &status, &body, &body_len, &why), 0, "200");
	ASSERT_EQ(status, 200, "status");
	ASSERT_EQ(body_len, 2, "body cut to Content-Length");
	ASSERT_EQ(memcmp(body, "{}", 2), 0, "body");
	ASSERT_EQ(docker_http_parse(TEXT(closed), &status, &body, &body_len, &why), 0, "404 without length");
	ASSERT_EQ(status, 404, "status");
	ASSERT_EQ(body_len, strlen("{\"message\":\"no\"}"), "body up to the close");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (docker_http_parse(bad[i], strlen(bad[i]), &status, &body, &body_len, &why) != -EINVAL || !why)
			FAIL_AT("case %zu: accepted", i);
}

static void test_json_round_trip(void)
{
	struct container_meta a = { 0 }, b = { 0 }, merged = { 0 };
	const char *why;
	char *text1, *text2;
	json_t *j;

	oci_config_parse(TEXT(containerd_cri), &a, &why);
	meta_set_text(&a.bundle, "/run/b", 6);
	docker_inspect_parse(TEXT(docker_answer), &b, &why);
	ASSERT_EQ(meta_merge(&merged, &a), 0, "merge the bundle's");
	ASSERT_EQ(meta_merge(&merged, &b), 0, "merge docker's");
	ASSERT_EQ(merged.sources, META_FROM_BUNDLE | META_FROM_DOCKER, "both sources");
	ASSERT_STREQ(merged.name, "web", "docker's name wins");
	ASSERT_STREQ(merged.pod_name, "web-7d4", "the bundle's pod stays");
	ASSERT_STREQ(merged.ns_path[NSTRACE_NS_NET], "/var/run/netns/cni-1", "joined namespaces stay");
	j = meta_to_json(&merged);
	text1 = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	meta_clear(&a);
	ASSERT_EQ(meta_from_json(j, &a), 0, "read back");
	json_decref(j);
	j = meta_to_json(&a);
	text2 = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	ASSERT_STREQ(text2, text1, "the same JSON again");
	ASSERT_STREQ(a.compose_service, "front", "compose");
	ASSERT_EQ(a.uid, 101, "uid");
	free(text1);
	free(text2);
	json_decref(j);

	/* what meta_to_json never writes is refused */
	static const char *const bad[] = {
		"[]", "{\"sources\":[\"ldap\"]}", "{\"sources\":[],\"name\":1}", "{\"sources\":[],\"labels\":{\"a\":1}}",
		"{\"sources\":[],\"bundle\":{\"ns_paths\":{\"nope\":\"/x\"}}}",
		"{\"sources\":[],\"bundle\":{\"user\":{\"uid\":-3,\"gid\":0}}}", "{\"name\":\"x\"}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *bj = json_loads(bad[i], 0, NULL);
		struct container_meta m;

		if (meta_from_json(bj, &m) != -EINVAL)
			FAIL_AT("%s accepted", bad[i]);
		json_decref(bj);
	}
	meta_clear(&a);
	meta_clear(&b);
	meta_clear(&merged);
}

static void test_status_creds(void)
{
	static const char status[] = "Name:\trunc\nUid:\t1000\t1001\t1002\t1003\nGid:\t50\t51\t52\t53\n"
				     "Groups:\t4 24 27 \nNSpid:\t9\n";
	static const char *const bad[] = {
		"Uid:\t1\t2\t3\nGid:\t1\t1\t1\t1\nGroups:\n", "Uid:\t1\t1\t1\t1\nGid:\t1\t1\t1\t1\n",
		"Uid:\t1\t1\t1\tx\nGid:\t1\t1\t1\t1\nGroups:\n", "Uid:\t1\t1\t1\t1\t5\nGid:\t1\t1\t1\t1\nGroups:\n",
	};
	struct proc_fs_access c;

	if (!ASSERT_EQ(parse_status_fs_access(TEXT(status), &c), 0, "parse"))
		return;
	ASSERT_EQ(c.fsuid, 1003, "fsuid, the fourth");
	ASSERT_EQ(c.fsgid, 53, "fsgid");
	ASSERT_EQ(c.group_count, 3, "groups");
	ASSERT_EQ(c.groups[2], 27, "last group");
	ASSERT_EQ(parse_status_fs_access(TEXT("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n"), &c), 0, "no groups");
	ASSERT_EQ(c.group_count, 0, "none");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_status_fs_access(bad[i], strlen(bad[i]), &c) != -EINVAL)
			FAIL_AT("case %zu accepted", i);
}

struct drained {
	int count;
	int err;
	bool first_failure[4];
	char why[META_WHY_LEN];
};

static void on_result(void *ctx, struct meta_result *r)
{
	struct drained *d = ctx;

	if (d->count < 4)
		d->first_failure[d->count] = r->first_failure;
	d->count++;
	d->err = r->err;
	memcpy(d->why, r->why, sizeof(d->why));
}

static void drain_until(struct meta_worker *w, struct drained *d, int count)
{
	struct pollfd pfd = { .fd = meta_worker_fd(w), .events = POLLIN };

	while (d->count < count && poll(&pfd, 1, 5000) == 1)
		meta_worker_drain(w, on_result, d);
}

/* A Docker socket that is not there: each question fails, and only the first is worth saying. */
static void test_worker_docker_gone(void)
{
	char dir[] = "/tmp/nstrace-meta-XXXXXX", sock[64];
	struct meta_worker_opts opts = { .proc_root = "/proc", .docker_socket = sock };
	struct drained d = { 0 };
	struct meta_worker *w;

	if (!mkdtemp(dir)) {
		FAIL_AT("mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(sock, sizeof(sock), "%s/docker.sock", dir);
	w = meta_worker_new(&opts);
	if (!ASSERT_TRUE(w != NULL, "worker"))
		goto out;
	ASSERT_TRUE(meta_ask_docker(w, "aaaa"), "first question");
	ASSERT_TRUE(!meta_ask_docker(w, "aaaa"), "asked once per ID");
	ASSERT_TRUE(meta_ask_docker(w, "bbbb"), "another ID");
	ASSERT_TRUE(meta_ask_docker(w, "../../images/json"), "not an ID: asked, refused by the client");
	drain_until(w, &d, 3);
	ASSERT_EQ(d.count, 3, "every question answered, the bad one too");
	ASSERT_EQ(d.first_failure[0], true, "the first failure is reported");
	ASSERT_EQ(d.first_failure[1], false, "the second is not");
	ASSERT_EQ(d.err, -EINVAL, "the bad ID failed before connecting");
	ASSERT_TRUE(meta_ask_bundle(w, "aaaa", 1, NULL, 0), "a bundle is another source");
	ASSERT_TRUE(meta_ask_bundle(w, "aaaa", 1, NULL, 0), "every process naming an unread bundle is a chance");
	ASSERT_TRUE(!meta_ask_bundle(w, "x", 1, "a\0b", 3), "a path with a NUL is none");
	drain_until(w, &d, 5);
	ASSERT_EQ(d.count, 5, "each bundle question answered");
	ASSERT_TRUE(d.err < 0, "pid 1 is no runtime (or not readable)");
	meta_worker_free(w);
out:
	rmdir(dir);
}

static void test_record_payloads(void)
{
	struct meta_result r = { .source = META_FROM_DOCKER, .err = 0, .first_failure = false }, back;
	char *ask = meta_encode_ask(META_FROM_BUNDLE, "abc"), *answer, *again;
	const char *why;
	bool is_answer = true;

	if (!ASSERT_EQ(meta_decode(ask, strlen(ask), &is_answer, &back), 0, "a question"))
		return;
	ASSERT_EQ(is_answer, false, "is a question");
	ASSERT_EQ(back.source, META_FROM_BUNDLE, "its source");
	ASSERT_STREQ(back.id, "abc", "its ID");
	meta_result_free(&back);
	r.id = "3f2a9c0d";
	strcpy(r.why, "Config.Labels holds something other than strings");
	docker_inspect_parse(TEXT(docker_answer), &r.meta, &why);
	answer = meta_encode_answer(&r);
	if (!ASSERT_EQ(meta_decode(answer, strlen(answer), &is_answer, &back), 0, "an answer"))
		return;
	ASSERT_EQ(is_answer, true, "is an answer");
	ASSERT_STREQ(back.why, r.why, "why");
	ASSERT_STREQ(back.meta.compose_project, "shop", "what it said");
	again = meta_encode_answer(&back);
	ASSERT_STREQ(again, answer, "encoded the same again");
	meta_result_free(&back);
	meta_clear(&r.meta);
	static const char *const bad[] = {
		"", "{}", "{\"ask\":\"ldap\",\"id\":\"a\"}", "{\"ask\":\"docker\"}", "{\"ask\":\"docker\",\"id\":\"\"}",
		"{\"answer\":\"docker\",\"id\":\"a\",\"err\":1,\"why\":\"\",\"first_failure\":false,\"meta\":{\"sources\":[]}}",
		"{\"answer\":\"docker\",\"id\":\"a\",\"err\":0,\"why\":\"\",\"first_failure\":false}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (meta_decode(bad[i], strlen(bad[i]), &is_answer, &back) != -EINVAL)
			FAIL_AT("%s accepted", bad[i]);
	free(ask);
	free(answer);
	free(again);
}

static void test_store(void)
{
	struct meta_store *st = meta_store_new();
	struct meta_result bundle = { .source = META_FROM_BUNDLE, .id = "abc" };
	struct meta_result docker = { .source = META_FROM_DOCKER, .id = "abc" };
	struct meta_result stranger = { .source = META_FROM_DOCKER, .id = "zzz" };
	const struct container_meta *m;
	const char *why;
	int err;

	ASSERT_TRUE(!meta_store_pending(st, "abc"), "nothing asked");
	ASSERT_EQ(meta_store_asked(st, "abc", META_FROM_BUNDLE), 0, "ask the bundle");
	ASSERT_EQ(meta_store_asked(st, "abc", META_FROM_DOCKER), 0, "ask docker");
	ASSERT_TRUE(meta_store_pending(st, "abc"), "pending");
	ASSERT_TRUE(meta_store_get(st, "abc") == NULL, "nothing known yet");
	oci_config_parse(TEXT(containerd_cri), &bundle.meta, &why);
	m = meta_store_answered(st, &bundle, &err);
	ASSERT_TRUE(m && !strcmp(m->pod_name, "web-7d4"), "the bundle's answer");
	ASSERT_TRUE(meta_store_pending(st, "abc"), "docker still pending");
	ASSERT_EQ(meta_store_asked(st, "abc", META_FROM_BUNDLE), 0, "the bundle named again");
	bundle.err = -EALREADY;
	ASSERT_TRUE(meta_store_answered(st, &bundle, &err) == NULL, "read already: nothing new");
	bundle.err = 0;
	docker.err = -ETIMEDOUT;
	ASSERT_TRUE(meta_store_answered(st, &docker, &err) == NULL, "a failure adds nothing");
	ASSERT_TRUE(!meta_store_pending(st, "abc"), "nothing pending");
	ASSERT_STREQ(meta_store_get(st, "abc")->name, "nginx", "still known");
	docker_inspect_parse(TEXT(docker_answer), &stranger.meta, &why);
	ASSERT_TRUE(meta_store_answered(st, &stranger, &err) == NULL, "an answer nobody asked for is dropped");
	ASSERT_TRUE(meta_store_get(st, "zzz") == NULL, "and not kept");
	meta_store_forget(st, "abc");
	ASSERT_TRUE(meta_store_get(st, "abc") == NULL, "forgotten");
	m = meta_store_answered(st, &bundle, &err);
	ASSERT_TRUE(m == NULL, "a late answer about a forgotten container is dropped");
	meta_clear(&bundle.meta);
	meta_clear(&stranger.meta);
	meta_store_free(st);
}

int main(void)
{
	SUBTEST("oci: containerd CRI annotations, user, args, joined namespaces", test_oci_containerd());
	SUBTEST("oci: CRI-O annotations, a pod sandbox", test_oci_crio_sandbox());
	SUBTEST("oci: damaged config.json", test_oci_damaged());
	SUBTEST("oci: limits on args and strings", test_oci_limits());
	SUBTEST("docker: an inspect answer", test_docker_parse());
	SUBTEST("docker: answers of the wrong shape", test_docker_garbage());
	SUBTEST("docker: HTTP answers", test_http());
	SUBTEST("meta: merge and JSON round trip", test_json_round_trip());
	SUBTEST("procparse: credentials from status", test_status_creds());
	SUBTEST("meta: questions and answers as recordings keep them", test_record_payloads());
	SUBTEST("meta store: pending, merged, forgotten", test_store());
	SUBTEST("worker: a Docker socket that is not there", test_worker_docker_gone());
	return test_summary();
}
