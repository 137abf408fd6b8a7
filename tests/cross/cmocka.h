/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The part of cmocka's API the unit tests use, for the cross builds
 * (tests/Makefile's unit-armhf, unit-s390x) only. Debian ships the cross
 * compilers and their C libraries as packages of the build machine, but
 * cmocka for another architecture only as a multi-arch package, which would
 * need that architecture added to dpkg and its package lists fetched; this
 * header stands in for it so that a cross run needs nothing but the
 * toolchain and qemu-user. The native build (make unit) uses the real
 * cmocka.
 *
 * Output is TAP, as cmocka's with CMOCKA_MESSAGE_OUTPUT=TAP: "1..N", one
 * "ok N - name" or "not ok N - name" per test, a "# file:line: ..." line
 * under a failure, and "# ok - group" or "# not ok - group" at the end.
 * A failed assertion ends its test (longjmp back to the runner); the other
 * tests still run. The group's return value is the number of failed tests.
 */
#ifndef MQOS_TESTS_CROSS_CMOCKA_H
#define MQOS_TESTS_CROSS_CMOCKA_H

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*CMUnitTestFunction)(void **state);
typedef int (*CMFixtureFunction)(void **state);

struct CMUnitTest {
	const char *name;
	CMUnitTestFunction test_func;
	CMFixtureFunction setup_func;
	CMFixtureFunction teardown_func;
	void *initial_state;
};

#define cmocka_unit_test(f) { #f, f, NULL, NULL, NULL }

static jmp_buf cmx_jmp;
static int cmx_in_test;

static void cmx_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

static void cmx_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cmx_in_test)
		abort();
	longjmp(cmx_jmp, 1);
}

#define print_message(...)	printf(__VA_ARGS__)
#define fail_msg(...)		cmx_fail(__FILE__, __LINE__, __VA_ARGS__)

#define cmx_u(x)	((uintmax_t)(x))

#define assert_true(c) do { \
	if (!(c)) \
		cmx_fail(__FILE__, __LINE__, "%s is not true", #c); \
} while (0)
#define assert_false(c) do { \
	if (c) \
		cmx_fail(__FILE__, __LINE__, "%s is not false", #c); \
} while (0)
#define assert_null(p) do { \
	if ((p) != NULL) \
		cmx_fail(__FILE__, __LINE__, "%s is not NULL", #p); \
} while (0)
#define assert_non_null(p) do { \
	if ((p) == NULL) \
		cmx_fail(__FILE__, __LINE__, "%s is NULL", #p); \
} while (0)
/* As cmocka: both sides compared as the largest unsigned integer. */
#define assert_int_equal(a, b) do { \
	uintmax_t cmx_a = cmx_u(a), cmx_b = cmx_u(b); \
	if (cmx_a != cmx_b) \
		cmx_fail(__FILE__, __LINE__, "%s: %#" PRIxMAX " != %#" PRIxMAX, \
			 #a, cmx_a, cmx_b); \
} while (0)
#define assert_int_not_equal(a, b) do { \
	uintmax_t cmx_a = cmx_u(a), cmx_b = cmx_u(b); \
	if (cmx_a == cmx_b) \
		cmx_fail(__FILE__, __LINE__, "%s: %#" PRIxMAX " == %#" PRIxMAX, \
			 #a, cmx_a, cmx_b); \
} while (0)
#define assert_in_range(v, lo, hi) do { \
	uintmax_t cmx_v = cmx_u(v), cmx_l = cmx_u(lo), cmx_h = cmx_u(hi); \
	if (cmx_v < cmx_l || cmx_v > cmx_h) \
		cmx_fail(__FILE__, __LINE__, "%s: %" PRIuMAX " not in %" PRIuMAX \
			 "..%" PRIuMAX, #v, cmx_v, cmx_l, cmx_h); \
} while (0)
#define assert_string_equal(a, b) do { \
	const char *cmx_a = (a), *cmx_b = (b); \
	if (!cmx_a || !cmx_b || strcmp(cmx_a, cmx_b)) \
		cmx_fail(__FILE__, __LINE__, "%s: \"%s\" != \"%s\"", #a, \
			 cmx_a ? cmx_a : "(null)", cmx_b ? cmx_b : "(null)"); \
} while (0)
#define assert_memory_equal(a, b, n) do { \
	const unsigned char *cmx_a = (const void *)(a), *cmx_b = (const void *)(b); \
	size_t cmx_i, cmx_n = (n); \
	for (cmx_i = 0; cmx_i < cmx_n; cmx_i++) \
		if (cmx_a[cmx_i] != cmx_b[cmx_i]) \
			cmx_fail(__FILE__, __LINE__, "%s differs at byte %zu: %#x != %#x", \
				 #a, cmx_i, cmx_a[cmx_i], cmx_b[cmx_i]); \
} while (0)

/* 1 if the test returned, 0 if an assertion failed (in its own frame, so
 * that no local of the runner lives across the longjmp). */
static int cmx_call(CMUnitTestFunction f, void **state)
{
	volatile int ok = 0;

	cmx_in_test = 1;
	if (setjmp(cmx_jmp) == 0) {
		f(state);
		ok = 1;
	}
	cmx_in_test = 0;
	return ok;
}

static int cmx_run(const char *group, const struct CMUnitTest *t, size_t n,
		   CMFixtureFunction setup, CMFixtureFunction teardown)
{
	void *gstate = NULL;
	size_t i;
	int failed = 0;

	printf("1..%zu\n", n);
	if (setup && setup(&gstate)) {
		printf("# not ok - %s: group setup failed\n", group);
		return (int)n;
	}
	for (i = 0; i < n; i++) {
		void *state = t[i].initial_state ? t[i].initial_state : gstate;
		int ok = 1;

		fflush(stdout);
		if (t[i].setup_func && t[i].setup_func(&state)) {
			ok = 0;
		} else {
			ok = cmx_call(t[i].test_func, &state);
			if (t[i].teardown_func && t[i].teardown_func(&state))
				ok = 0;
		}
		printf("%sok %zu - %s\n", ok ? "" : "not ", i + 1, t[i].name);
		failed += !ok;
	}
	if (teardown && teardown(&gstate))
		failed++;
	printf("# %s - %s\n", failed ? "not ok" : "ok", group);
	fflush(stdout);
	return failed;
}

#define cmocka_run_group_tests_name(name, tests, setup, teardown) \
	cmx_run(name, tests, sizeof(tests) / sizeof((tests)[0]), setup, teardown)
#define cmocka_run_group_tests(tests, setup, teardown) \
	cmocka_run_group_tests_name(#tests, tests, setup, teardown)

#endif /* MQOS_TESTS_CROSS_CMOCKA_H */
