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
	unsigned int ev;
	u8 cls;
	int c;

	(void)state;
	for (c = 1; c <= MQOS_MAX_CLASSES; c++) {
		/* A first class into a mark whose other bits are all used. */
		mark = mqos_flow_update(0xdeadbeef & ~m, m, (u8)c, false, 0,
					&cls, &ev);
		assert_int_equal(mqos_flow_mark_class(mark, m), c);
		assert_int_equal(cls, c);
		assert_int_equal(mark, (0xdeadbeef & ~m) | (u32)c << 16);
	}
	assert_int_equal(mqos_flow_mark_class(0x1234 | 2U << 16, m), 2);
	assert_int_equal(mqos_flow_mark_class(7 | 16U << 27, 0xf8000000), 16);
	/* Values beyond the class range read as "none". */
	assert_int_equal(mqos_flow_mark_class(0x001f0000, m), 0);
	assert_int_equal(mqos_flow_mark_class(0xffffffff, 0), 0);
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

static void test_age_bits(void **state)
{
	(void)state;
	assert_int_equal(mqos_flow_age_bits(MQOS_HOOK_DEFAULT_MASK), 0);
	assert_int_equal(mqos_flow_age_bits(0x007f0000), 2);
	assert_int_equal(mqos_flow_age_bits(0x00ff0000), 3);
	assert_int_equal(mqos_flow_age_bits(0xffffffff), 27);
	assert_int_equal(mqos_flow_age_bits(0x2f), 0);	/* invalid */
	/* The class is the low 5 bits of a wide mask; the age is not it. */
	assert_int_equal(mqos_flow_mark_class(0x00620000, 0x007f0000), 2);
	assert_int_equal(mqos_flow_mark_class(0x003f0000, 0x007f0000), 0);
}

/* update() without decay is mark_class + raise + mark_set, with events. */
static void test_update_sticky(void **state)
{
	u32 m = MQOS_HOOK_DEFAULT_MASK, mark = 0x1234, n;
	unsigned int ev;
	u8 cls;

	(void)state;
	n = mqos_flow_update(mark, m, 0, false, 0, &cls, &ev);
	assert_int_equal(n, mark);			/* nothing earned */
	assert_int_equal(cls, 0);
	assert_int_equal(ev, 0);
	n = mqos_flow_update(mark, m, 4, false, 0, &cls, &ev);
	assert_int_equal(n, 0x1234 | 4U << 16);		/* first PUBLISH */
	assert_int_equal(cls, 4);
	assert_int_equal(ev, MQOS_FLOW_RAISED);
	n = mqos_flow_update(n, m, 2, false, 0, &cls, &ev);
	assert_int_equal(n, 0x1234 | 2U << 16);		/* QoS 0 then 2 */
	assert_int_equal(ev, MQOS_FLOW_RAISED);
	mark = n;
	n = mqos_flow_update(mark, m, 4, false, 0, &cls, &ev);
	assert_int_equal(n, mark);			/* never lowered */
	assert_int_equal(cls, 2);
	assert_int_equal(ev, 0);
	/* Decay asked for but no age bits: ignored, nothing changes. */
	n = mqos_flow_update(mark, m, 0, true, 1000, &cls, &ev);
	assert_int_equal(n, mark);
	assert_int_equal(cls, 2);
	/* The class field at the top of the mark: no shift by 32. */
	n = mqos_flow_update(7, 0xf8000000, 16, true, 5, &cls, &ev);
	assert_int_equal(n, 7 | 16U << 27);
	/* An invalid mask changes nothing. */
	n = mqos_flow_update(0xffff, 0x2f, 1, false, 0, &cls, &ev);
	assert_int_equal(n, 0xffff);
	assert_int_equal(cls, 0);
}

/* Decay with 3 age bits (mask 0xff << 16): epochs are half decay times. */
static void test_update_decay(void **state)
{
	const u32 m = 0x00ff0000, other = 0xff00ffff;
	unsigned int ev, e;
	u32 mark, n;
	u8 cls;

	(void)state;
	/* Earned realtime (2) at epoch 10: stamp 10 & 3 = 2. */
	mark = mqos_flow_update(other, m, 2, true, 10, &cls, &ev);
	assert_int_equal(mark, other | (2U | 2U << 5) << 16);
	assert_int_equal(ev, MQOS_FLOW_RAISED);
	/* 1 and 2 epochs later, plain packets: still realtime, unchanged. */
	for (e = 11; e <= 12; e++) {
		n = mqos_flow_update(mark, m, 0, true, e, &cls, &ev);
		assert_int_equal(n, mark);
		assert_int_equal(cls, 2);
		assert_int_equal(ev, 0);
	}
	/* A lower class earned (QoS 0) does not refresh realtime's age. */
	n = mqos_flow_update(mark, m, 4, true, 12, &cls, &ev);
	assert_int_equal(n, mark);
	/* 3 epochs: decayed; a plain packet leaves no class at all. */
	n = mqos_flow_update(mark, m, 0, true, 13, &cls, &ev);
	assert_int_equal(cls, 0);
	assert_int_equal(ev, MQOS_FLOW_DECAYED);
	assert_int_equal(n & ~m, other);		/* other bits kept */
	assert_int_equal(mqos_flow_mark_class(n, m), 0);
	/* ... a QoS 0 PUBLISH then makes it best-effort, stamped now. */
	n = mqos_flow_update(mark, m, 4, true, 13, &cls, &ev);
	assert_int_equal(cls, 4);
	assert_int_equal(ev, MQOS_FLOW_DECAYED);
	assert_int_equal(n, other | (4U | 5U << 5) << 16);
	/* Earning realtime again at epoch 12 restarts the age: fine at 14. */
	n = mqos_flow_update(mark, m, 2, true, 12, &cls, &ev);
	assert_int_equal(ev, 0);
	assert_int_equal(n, other | (2U | 4U << 5) << 16);
	mqos_flow_update(n, m, 0, true, 14, &cls, &ev);
	assert_int_equal(cls, 2);
	mqos_flow_update(n, m, 0, true, 15, &cls, &ev);
	assert_int_equal(cls, 0);
	/* A higher class earned on a stale one: raised, counted once. */
	n = mqos_flow_update(mark, m, 1, true, 13, &cls, &ev);
	assert_int_equal(cls, 1);
	assert_int_equal(ev, MQOS_FLOW_RAISED);
	/* Decay off: the stamp stays, nothing falls. */
	n = mqos_flow_update(mark, m, 0, false, 13, &cls, &ev);
	assert_int_equal(n, mark);
	assert_int_equal(cls, 2);
	/* The age wraps at 8 epochs: silent for 8 reads as fresh (flow.h). */
	mqos_flow_update(mark, m, 0, true, 17, &cls, &ev);
	assert_int_equal(cls, 0);
	mqos_flow_update(mark, m, 0, true, 18, &cls, &ev);
	assert_int_equal(cls, 2);
	/* 2 age bits are not enough: decay is ignored, no stamp written. */
	n = mqos_flow_update(0, 0x007f0000, 2, true, 10, &cls, &ev);
	assert_int_equal(n, 2U << 16);
	/* Epoch counters wrap too: stamp at 0xffffffff, 3 epochs later. */
	mark = mqos_flow_update(0, m, 3, true, 0xffffffffU, &cls, &ev);
	mqos_flow_update(mark, m, 0, true, 1, &cls, &ev);
	assert_int_equal(cls, 3);
	mqos_flow_update(mark, m, 0, true, 2, &cls, &ev);
	assert_int_equal(cls, 0);
}

/* Properties over many pseudo-random inputs (a fixed LCG: reproducible). */
static void test_update_properties(void **state)
{
	static const u32 masks[] = { 0x001f0000, 0x007f0000, 0x00ff0000,
				     0xf8000000, 0xffffffff, 0x3e0, 0x2f, 0 };
	u32 x = 12345, mark, m, n, epoch;
	unsigned int i, ev;
	u8 earned, cls, was;
	bool decay;

	(void)state;
	for (i = 0; i < 200000; i++) {
		x = x * 1103515245 + 12345;
		mark = x;
		x = x * 1103515245 + 12345;
		m = masks[(x >> 8) % 8];
		earned = (u8)((x >> 16) % 20);	/* 17..19 are out of range */
		decay = x & 1;
		epoch = x >> 3;
		was = mqos_flow_mark_class(mark, m);
		n = mqos_flow_update(mark, m, earned, decay, epoch, &cls, &ev);
		assert_int_equal(n & ~m, mark & ~m);	/* other bits kept */
		if (!mqos_flow_mask_valid(m)) {
			assert_int_equal(n, mark);
			assert_int_equal(cls, 0);
			continue;
		}
		assert_int_equal(mqos_flow_mark_class(n, m), cls);
		if (!decay || mqos_flow_age_bits(m) < MQOS_FLOW_AGE_MIN_BITS)
			assert_int_equal(cls, mqos_flow_raise(was, earned));
		else	/* decay: the result is the raise of was or of none */
			assert_true(cls == mqos_flow_raise(was, earned) ||
				    cls == mqos_flow_raise(0, earned));
		assert_int_equal(!!(ev & MQOS_FLOW_RAISED),
				 cls && (!was || cls < was));
		assert_int_equal(!!(ev & MQOS_FLOW_DECAYED),
				 was && (!cls || cls > was));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_valid),
		cmocka_unit_test(test_mark_roundtrip),
		cmocka_unit_test(test_raise),
		cmocka_unit_test(test_age_bits),
		cmocka_unit_test(test_update_sticky),
		cmocka_unit_test(test_update_decay),
		cmocka_unit_test(test_update_properties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
