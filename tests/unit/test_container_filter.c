// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* --container: by key, ID prefix, name and pod, and what is undecided while a name is asked for. */
#include <errno.h>
#include "container_filter.h"
#include "testing.h"

static const char id[] = "3f2a9c0d11223344556677889900aabbccddeeff00112233445566778899aabb";

static struct container_meta named(const char *name, const char *pod_ns, const char *pod)
{
	struct container_meta m = { 0 };

	m.name = (char *)name;
	m.pod_namespace = (char *)pod_ns;
	m.pod_name = (char *)pod;
	return m;
}

static void test_match(void)
{
	struct container_filter f = { 0 };
	struct container_meta web = named("web", "shop", "front-1"), db = named("db", NULL, NULL);

	ASSERT_EQ(container_filter_match(&f, 1, "", NULL, false), FILTER_YES, "no filter: everything");
	container_filter_add(&f, "c3");
	container_filter_add(&f, "3f2a");
	container_filter_add(&f, "web");
	container_filter_add(&f, "shop/api-0");
	ASSERT_EQ(container_filter_match(&f, 3, "", NULL, false), FILTER_YES, "key");
	ASSERT_EQ(container_filter_match(&f, 33, "", NULL, false), FILTER_NO, "c33 is not c3");
	ASSERT_EQ(container_filter_match(&f, 1, id, NULL, false), FILTER_YES, "ID prefix");
	ASSERT_EQ(container_filter_match(&f, 1, "3f2", NULL, false), FILTER_NO, "an ID shorter than the prefix");
	ASSERT_EQ(container_filter_match(&f, 1, "ab3f2a", NULL, false), FILTER_NO, "not at the start");
	ASSERT_EQ(container_filter_match(&f, 1, "x", &web, false), FILTER_YES, "name");
	ASSERT_EQ(container_filter_match(&f, 1, "x", &db, false), FILTER_NO, "another name");
	ASSERT_EQ(container_filter_match(&f, 1, "x", NULL, true), FILTER_UNDECIDED, "name still asked for");
	ASSERT_EQ(container_filter_match(&f, 1, "x", &db, true), FILTER_UNDECIDED, "more still asked for");
	web.pod_name = "api-0";
	web.name = "app";
	ASSERT_EQ(container_filter_match(&f, 1, "x", &web, false), FILTER_YES, "pod namespace/name");
	web.pod_namespace = "shop/api-0";
	web.pod_name = "";
	ASSERT_EQ(container_filter_match(&f, 1, "x", &web, false), FILTER_NO, "not a split in the wrong place");
}

static void test_bad_specs(void)
{
	struct container_filter f = { 0 };
	char long_spec[META_MAX_STRING + 1];

	ASSERT_EQ(container_filter_add(&f, ""), -EINVAL, "empty");
	memset(long_spec, 'a', sizeof(long_spec) - 1);
	long_spec[sizeof(long_spec) - 1] = '\0';
	ASSERT_EQ(container_filter_add(&f, long_spec), -ENAMETOOLONG, "too long");
	for (int i = 0; i < CONTAINER_FILTER_MAX; i++)
		container_filter_add(&f, "x");
	ASSERT_EQ(container_filter_add(&f, "y"), -EINVAL, "one too many");
	ASSERT_EQ(f.count, CONTAINER_FILTER_MAX, "kept");
}

int main(void)
{
	SUBTEST("filter: key, ID prefix, name, pod, undecided", test_match());
	SUBTEST("filter: bad specs", test_bad_specs());
	return test_summary();
}
