/* t.h - the tiny unit-test harness: CHECK records a failure and goes on;
 * main returns t_done(), which prints "N passed, N failed" for the test. */
#ifndef SB_T_H
#define SB_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (cond) {                                                                        \
			t_pass++;                                                                  \
		} else {                                                                           \
			t_fail++;                                                                  \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);   \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *t_a = (a), *t_b = (b);                                                 \
		if (t_a && t_b && strcmp(t_a, t_b) == 0) {                                         \
			t_pass++;                                                                  \
		} else {                                                                           \
			t_fail++;                                                                  \
			fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__,               \
				t_a ? t_a : "(null)", t_b ? t_b : "(null)");                       \
		}                                                                                  \
	} while (0)

static inline int t_done(void)
{
	fprintf(stderr, "%d passed, %d failed\n", t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
