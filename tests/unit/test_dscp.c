// SPDX-License-Identifier: GPL-2.0 OR MIT
/* DSCP names <-> values and the default DSCP -> class map. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <uapi/linux/mqos.h>
#include "core/dscp.h"

static const struct { const char *name; u8 v; u8 cls; } names[] = {
	{ "CS0", 0, MQOS_CLASS_BEST_EFFORT }, { "CS1", 8, MQOS_CLASS_BULK },
	{ "CS2", 16, MQOS_CLASS_ASSURED }, { "CS3", 24, MQOS_CLASS_ASSURED },
	{ "CS4", 32, MQOS_CLASS_REALTIME }, { "CS5", 40, MQOS_CLASS_REALTIME },
	{ "CS6", 48, MQOS_CLASS_CONTROL }, { "CS7", 56, MQOS_CLASS_CONTROL },
	{ "AF11", 10, MQOS_CLASS_ASSURED }, { "AF12", 12, MQOS_CLASS_ASSURED },
	{ "AF13", 14, MQOS_CLASS_ASSURED }, { "AF21", 18, MQOS_CLASS_ASSURED },
	{ "AF22", 20, MQOS_CLASS_ASSURED }, { "AF23", 22, MQOS_CLASS_ASSURED },
	{ "AF31", 26, MQOS_CLASS_ASSURED }, { "AF32", 28, MQOS_CLASS_ASSURED },
	{ "AF33", 30, MQOS_CLASS_ASSURED }, { "AF41", 34, MQOS_CLASS_ASSURED },
	{ "AF42", 36, MQOS_CLASS_ASSURED }, { "AF43", 38, MQOS_CLASS_ASSURED },
	{ "EF", 46, MQOS_CLASS_REALTIME }, { "VA", 44, MQOS_CLASS_REALTIME },
	{ "LE", 1, MQOS_CLASS_BULK },
};

static void test_names(void **state)
{
	size_t i;
	u8 v;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		assert_string_equal(mqos_dscp_name(names[i].v), names[i].name);
		v = 0xff;
		assert_int_equal(mqos_dscp_parse(names[i].name, &v), 0);
		assert_int_equal(v, names[i].v);
	}
	assert_null(mqos_dscp_name(2));
	assert_null(mqos_dscp_name(63));
	assert_int_equal(mqos_dscp_parse("ef", &v), 0);
	assert_int_equal(v, 46);
	assert_int_equal(mqos_dscp_parse("af41", &v), 0);
	assert_int_equal(v, 34);
}

static void test_numbers(void **state)
{
	static const char *bad[] = { "", "64", "-1", "EFX", "E", "AF44", "0x40",
				     "0x", "1a", "00000", "CS8", " 1" };
	size_t i;
	u8 v;

	(void)state;
	assert_int_equal(mqos_dscp_parse("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(mqos_dscp_parse("63", &v), 0);
	assert_int_equal(v, 63);
	assert_int_equal(mqos_dscp_parse("0x2e", &v), 0);
	assert_int_equal(v, 46);
	assert_int_equal(mqos_dscp_parse("0X3F", &v), 0);
	assert_int_equal(v, 63);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(mqos_dscp_parse(bad[i], &v), -1);
	assert_int_equal(mqos_dscp_parse(NULL, &v), -1);
}

static void test_default_map(void **state)
{
	bool named[64] = { false };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		assert_int_equal(mqos_dscp_default_map[names[i].v], names[i].cls);
		named[names[i].v] = true;
	}
	/* Unnamed code points: best-effort. */
	for (i = 0; i < 64; i++)
		if (!named[i])
			assert_int_equal(mqos_dscp_default_map[i],
					 MQOS_CLASS_BEST_EFFORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_default_map),
	};

	return cmocka_run_group_tests_name("dscp", tests, NULL, NULL);
}
