// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The --metrics ADDR:PORT parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *arg = malloc(size + 1), host[64], port[8];
	const char *why;
	unsigned long number;
	int err;

	if (!arg)
		return 0;
	memcpy(arg, data, size);
	arg[size] = '\0';
	err = metrics_addr_split(arg, host, sizeof(host), port, sizeof(port), &why);
	/* a pair that parses has a host and a port in range; a refusal says why */
	if (err) {
		if (!why || !*why)
			__builtin_trap();
	} else {
		number = strtoul(port, NULL, 10);
		if (why || !host[0] || !memchr(host, '\0', sizeof(host)) || number < 1 || number > 65535 ||
		    !strstr(arg, host))
			__builtin_trap();
	}
	free(arg);
	return 0;
}
