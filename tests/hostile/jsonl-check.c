// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* jsonl-check FILE...: prints the number of records; exits 1 naming the first bad line. */
#include <stdlib.h>
#include "jsonl.h"

/* The whole file, or NULL on an error (errno set). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len == cap) {
			char *grown = realloc(buf, cap = cap ? 2 * cap : 1 << 16);

			if (!grown) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n);
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	long records = 0;
	char why[256];

	if (argc < 2) {
		fprintf(stderr, "usage: jsonl-check FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		size_t len;
		char *buf = slurp(argv[i], &len);
		long n;

		if (!buf) {
			perror(argv[i]);
			return 1;
		}
		n = jsonl_check(buf, len, why, sizeof(why));
		free(buf);
		if (n < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], why);
			return 1;
		}
		records += n;
	}
	printf("%ld\n", records);
	return 0;
}
