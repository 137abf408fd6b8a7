// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Unit tests of flow stickiness arithmetic (module/core/flow.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <uapi/linux/mqos.h>
#include "core/flow.h"

static void test_mask_valid(void **state)
{
	(void)state;
	assert_true(mqos_flow_mask_valid(MQOS_HOOK_DEFAULT_MASK));
	assert_true(mqos_flow_mask_valid(0x1f));
	assert_true(mqos_flow_mask_valid(0xf8000000));
	assert_true(mqos_flow_mask_valid(0xffffffff));
	assert_false(mqos_flow_mask_valid(0));
	assert_false(mqos_flow_mask_valid(0xf));	/* 15 < 16 classes */
	assert_false(mqos_flow_mask_valid(0x2f));	/* not contiguous */
	assert_false(mqos_flow_mask_valid(0x80000000));
	assert_false(mqos_flow_mask_valid(0x1f00001f));
}

static void test_mark_roundtrip(void **state)
{
	u32 m = MQOS_HOOK_DEFAULT_MASK, mark;
	int c;

	(void)state;
	for (c = 0; c <= MQOS_MAX_CLASSES; c++) {
		mark = mqos_flow_mark_set(0xdeadbeef, m, (u8)c);
		assert_int_equal(mqos_flow_mark_class(mark, m), c);
		/* Bits outside the mask are kept. */
		assert_int_equal(mark & ~m, 0xdeadbeef & ~m);
	}
	assert_int_equal(mqos_flow_mark_set(0x1234, m, 2), 0x1234 | (2U << 16));
	assert_int_equal(mqos_flow_mark_set(7, 0xf8000000, 16), 7 | (16U << 27));
	/* Values beyond the class range read as "none". */
	assert_int_equal(mqos_flow_mark_class(0x001f0000, m), 0);
	assert_int_equal(mqos_flow_mark_class(0xffffffff, 0), 0);
	assert_int_equal(mqos_flow_mark_set(5, 0, 3), 5);
}

static void test_raise(void **state)
{
	(void)state;
	assert_int_equal(mqos_flow_raise(0, 0), 0);
	assert_int_equal(mqos_flow_raise(0, 4), 4);	/* first PUBLISH */
	assert_int_equal(mqos_flow_raise(4, 2), 2);	/* QoS 0 then QoS 2 */
	assert_int_equal(mqos_flow_raise(2, 4), 2);	/* never lowered */
	assert_int_equal(mqos_flow_raise(2, 0), 2);
	assert_int_equal(mqos_flow_raise(3, 17), 3);	/* out of range */
	assert_int_equal(mqos_flow_raise(16, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_valid),
		cmocka_unit_test(test_mark_roundtrip),
		cmocka_unit_test(test_raise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
