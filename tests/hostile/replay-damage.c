// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * replay-damage [--quick] NSTRACE FILE: runs "nstrace replay --json" on
 * FILE and on damaged copies of it: cut inside the header, inside each
 * frame's header and payload and at each frame boundary, with a frame's
 * kind, length, event type, pid levels or argv length made impossible,
 * and with random bytes flipped. Every run must end by itself with
 * status 0 or 1 (no signal), print only valid JSON Lines, and a damaged
 * copy must fail with status 1 and an error naming the damaged frame's
 * offset. NSTRACE_WRAPPER (e.g. "valgrind --error-exitcode=99 -q") is put
 * in front of nstrace; --quick damages only the first, a middle and the
 * last frame, for slow wrappers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include "../unit/testing.h"
#include "jsonl.h"
#include "event.h"

#define FILE_HEADER_LEN 16
#define FRAME_LEN 8
#define MAX_FRAMES 4096
#define MAX_WRAPPER_ARGS 16
#define RANDOM_FLIPS 200
#define QUICK_FLIPS 10

struct frame {
	size_t offset;
	__u32 kind;
	__u32 len;
};

static struct {
	const char *nstrace;
	char *wrapper[MAX_WRAPPER_ARGS];
	const char *dir;
	unsigned char *data;
	size_t size;
	struct frame frames[MAX_FRAMES];
	size_t nframes;
	bool quick;
} ctx;

struct run {
	int status;
	char *out, *err;
	size_t out_len, err_len;
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	*len = 0;
	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET)) {
		buf = malloc(n + 1);
		if (buf && fread(buf, 1, n, f) == (size_t)n) {
			buf[n] = '\0';
			*len = n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

static bool write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	bool ok = f && fwrite(data, 1, len, f) == len;

	if (f && fclose(f))
		ok = false;
	return ok;
}

static int redirect(const char *path, int fd)
{
	int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (f < 0 || dup2(f, fd) < 0)
		return -1;
	close(f);
	return 0;
}

/* Runs [wrapper] nstrace replay --json on data; false if it could not be run. */
static bool replay(const void *data, size_t len, struct run *r)
{
	char in[512], out[512], err[512];
	char *argv[MAX_WRAPPER_ARGS + 5];
	size_t n = 0;
	pid_t pid;

	snprintf(in, sizeof(in), "%s/damaged.rec", ctx.dir);
	snprintf(out, sizeof(out), "%s/out", ctx.dir);
	snprintf(err, sizeof(err), "%s/err", ctx.dir);
	if (!write_file(in, data, len))
		return false;
	for (char **w = ctx.wrapper; *w; w++)
		argv[n++] = *w;
	argv[n++] = (char *)ctx.nstrace;
	argv[n++] = "replay";
	argv[n++] = "--json";
	argv[n++] = in;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return false;
	if (!pid) {
		if (redirect(out, 1) || redirect(err, 2))
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &r->status, 0) != pid)
		return false;
	r->out = slurp(out, &r->out_len);
	r->err = slurp(err, &r->err_len);
	return r->out && r->err;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Status 0 or 1, never a signal or a sanitizer's or valgrind's code; both streams JSON Lines. */
static bool check_common(const struct run *r, const char *what)
{
	char why[256];
	bool ok = true;

	if (!WIFEXITED(r->status)) {
		FAIL_AT("%s: killed by signal %d", what, WTERMSIG(r->status));
		return false;
	}
	if (WEXITSTATUS(r->status) > 1) {
		FAIL_AT("%s: exit status %d; stderr: %.300s", what, WEXITSTATUS(r->status), r->err);
		ok = false;
	}
	if (jsonl_check(r->out, r->out_len, why, sizeof(why)) < 0) {
		FAIL_AT("%s: stdout: %s", what, why);
		ok = false;
	}
	if (jsonl_check(r->err, r->err_len, why, sizeof(why)) < 0) {
		FAIL_AT("%s: stderr: %s", what, why);
		ok = false;
	}
	return ok;
}

/* An error record on stderr that names offset as a whole number. */
static bool names_offset(const char *err, size_t offset)
{
	char needle[64];
	const char *p = err;

	snprintf(needle, sizeof(needle), "offset %zu", offset);
	while ((p = strstr(p, needle))) {
		char next = p[strlen(needle)];

		if (next < '0' || next > '9')
			return strstr(err, "\"type\":\"error\"") != NULL;
		p++;
	}
	return false;
}

static void expect_clean(const void *data, size_t len, const char *what)
{
	struct run r = { 0 };

	if (!replay(data, len, &r)) {
		FAIL_AT("%s: could not run nstrace replay: %s", what, strerror(errno));
		run_free(&r);
		return;
	}
	if (check_common(&r, what) && WEXITSTATUS(r.status) != 0)
		FAIL_AT("%s: exit status %d, stderr: %.300s", what, WEXITSTATUS(r.status), r.err);
	else if (!strstr(r.out, "\"type\":\"summary\""))
		FAIL_AT("%s: no summary record", what);
	run_free(&r);
}

static void expect_damage(const void *data, size_t len, size_t offset, const char *what)
{
	struct run r = { 0 };

	if (!replay(data, len, &r)) {
		FAIL_AT("%s: could not run nstrace replay: %s", what, strerror(errno));
		run_free(&r);
		return;
	}
	if (check_common(&r, what) && WEXITSTATUS(r.status) != 1)
		FAIL_AT("%s: exit status %d, want 1", what, WEXITSTATUS(r.status));
	else if (!names_offset(r.err, offset))
		FAIL_AT("%s: no error naming offset %zu; stderr: %.300s", what, offset, r.err);
	run_free(&r);
}

static bool parse_frames(void)
{
	size_t pos = FILE_HEADER_LEN;

	while (pos + FRAME_LEN <= ctx.size && ctx.nframes < MAX_FRAMES) {
		struct frame *f = &ctx.frames[ctx.nframes++];

		f->offset = pos;
		memcpy(&f->kind, ctx.data + pos, 4);
		memcpy(&f->len, ctx.data + pos + 4, 4);
		pos += FRAME_LEN + f->len;
	}
	return pos == ctx.size && ctx.nframes;
}

static bool frame_selected(size_t i)
{
	return !ctx.quick || i == 0 || i == ctx.nframes / 2 || i == ctx.nframes - 1;
}

/* A copy of the recording with value written at pos; the caller frees it. */
static unsigned char *patched(size_t pos, const void *value, size_t len)
{
	unsigned char *copy = malloc(ctx.size);

	if (!copy)
		abort();
	memcpy(copy, ctx.data, ctx.size);
	memcpy(copy + pos, value, len);
	return copy;
}

static void patch_and_expect(size_t pos, const void *value, size_t len, size_t offset, const char *what)
{
	unsigned char *copy = patched(pos, value, len);

	expect_damage(copy, ctx.size, offset, what);
	free(copy);
}

static void damage_header(void)
{
	static const char bad_magic[] = "NSTRACX";
	__u32 version = 99;

	expect_damage(ctx.data, 0, 0, "empty file");
	expect_damage(ctx.data, FILE_HEADER_LEN / 2, 0, "half a file header");
	patch_and_expect(0, bad_magic, sizeof(bad_magic), 0, "bad magic");
	patch_and_expect(8, &version, sizeof(version), 0, "unknown version");
}

static void cut_frames(void)
{
	for (size_t i = 0; i < ctx.nframes; i++) {
		const struct frame *f = &ctx.frames[i];

		if (!frame_selected(i))
			continue;
		expect_clean(ctx.data, f->offset, "cut at a frame boundary");
		expect_damage(ctx.data, f->offset + FRAME_LEN / 2, f->offset, "cut inside a frame header");
		if (f->len)
			expect_damage(ctx.data, f->offset + FRAME_LEN + f->len / 2, f->offset,
				      "cut inside a payload");
	}
}

static void corrupt_frames(void)
{
	const __u32 bad_kind = 0x7f, huge = 0xffffffffu, bad_type = 99, levels = 1000;
	const __u16 args_len = NSTRACE_ARGS_LEN + 1;

	for (size_t i = 0; i < ctx.nframes; i++) {
		const struct frame *f = &ctx.frames[i];
		size_t payload = f->offset + FRAME_LEN;
		__u32 shorter = f->len - 1, type;

		if (!frame_selected(i))
			continue;
		patch_and_expect(f->offset, &bad_kind, 4, f->offset, "unknown frame kind");
		patch_and_expect(f->offset + 4, &huge, 4, f->offset, "frame length beyond any record");
		if (i + 1 < ctx.nframes && f->len)
			patch_and_expect(f->offset + 4, &shorter, 4, f->offset, "frame one byte short");
		if (f->kind != 1 /* RECORD_EVENT */)
			continue;
		patch_and_expect(payload + offsetof(struct nstrace_header, type), &bad_type, 4, f->offset,
				 "unknown event type");
		patch_and_expect(payload + offsetof(struct nstrace_header, nspid_levels), &levels, 4, f->offset,
				 "impossible pid levels");
		memcpy(&type, ctx.data + payload + offsetof(struct nstrace_header, type), sizeof(type));
		if (type == NSTRACE_EVENT_EXEC)
			patch_and_expect(payload + offsetof(struct nstrace_exec_event, args_len), &args_len, 2,
					 f->offset, "argv length beyond its buffer");
	}
}

/* Any byte anywhere: whatever nstrace makes of it, it ends cleanly or with a located error. */
static void flip_bytes(void)
{
	unsigned int seed = 1;
	int flips = ctx.quick ? QUICK_FLIPS : RANDOM_FLIPS;

	for (int i = 0; i < flips && subtest_ok; i++) {
		size_t pos = rand_r(&seed) % ctx.size;
		unsigned char value = rand_r(&seed);
		unsigned char *copy = patched(pos, &value, 1);
		struct run r = { 0 };
		char what[64];

		snprintf(what, sizeof(what), "byte %zu set to %#x", pos, value);
		if (!replay(copy, ctx.size, &r))
			FAIL_AT("%s: could not run nstrace replay", what);
		else if (check_common(&r, what) && WEXITSTATUS(r.status) == 1 && !strstr(r.err, "offset "))
			FAIL_AT("%s: failed without naming an offset: %.300s", what, r.err);
		run_free(&r);
		free(copy);
	}
}

static void split_wrapper(void)
{
	char *w = getenv("NSTRACE_WRAPPER"), *save = NULL, *tok;
	size_t n = 0;

	if (!w)
		return;
	w = strdup(w);
	for (tok = strtok_r(w, " ", &save); tok && n < MAX_WRAPPER_ARGS - 1; tok = strtok_r(NULL, " ", &save))
		ctx.wrapper[n++] = tok;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/nstrace-damage.XXXXXX";
	char path[600];
	int arg = 1;

	if (argc > 1 && !strcmp(argv[1], "--quick")) {
		ctx.quick = true;
		arg++;
	}
	if (argc - arg != 2) {
		fprintf(stderr, "usage: replay-damage [--quick] NSTRACE FILE\n");
		return 2;
	}
	ctx.nstrace = argv[arg];
	split_wrapper();
	ctx.data = (unsigned char *)slurp(argv[arg + 1], &ctx.size);
	if (!ctx.data || !parse_frames()) {
		fprintf(stderr, "replay-damage: %s is not a readable recording\n", argv[arg + 1]);
		return 2;
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	ctx.dir = dir;

	SUBTEST("replay: the intact recording", expect_clean(ctx.data, ctx.size, "intact"));
	SUBTEST("replay: damaged file header, error at offset 0", damage_header());
	SUBTEST("replay: cut recordings end cleanly or name the cut frame", cut_frames());
	SUBTEST("replay: corrupt frames name their offset", corrupt_frames());
	SUBTEST("replay: random byte flips never crash", flip_bytes());

	for (const char *f = "damaged.rec\0out\0err\0"; *f; f += strlen(f) + 1) {
		snprintf(path, sizeof(path), "%s/%s", dir, f);
		unlink(path);
	}
	rmdir(dir);
	free(ctx.data);
	return test_summary();
}
