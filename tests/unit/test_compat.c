/* test_compat.c - src/base/compat.c: each call on this system, and (built by case
 * 2047 with -DCOMPAT_POSIX_ONLY -D_POSIX_C_SOURCE=200809L) each POSIX fallback
 * run on Linux: the string and time helpers, close-on-exec pipes, closing
 * inherited descriptors, exec with an environment, and the URL opener. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat.h"
#include "t.h"

#if defined(COMPAT_POSIX_ONLY)
#define LINUX_CALLS 0
#else
#define LINUX_CALLS 1
#endif

static void test_strings(void)
{
	const char *hay = "Bearer TOKEN in a Header";
	CHECK(compat_strcasestr(hay, "header") == hay + 18);
	CHECK(compat_strcasestr(hay, "BEARER") == hay);
	CHECK(compat_strcasestr(hay, "footer") == NULL);
	CHECK(compat_strcasestr(hay, "") == hay);
	CHECK(compat_strcasestr("ab", "abc") == NULL);
	const char bin[] = "--b\0und\0ary--";
	CHECK(compat_memmem(bin, sizeof(bin) - 1, "\0ary", 4) == bin + 7);
	CHECK(compat_memmem(bin, sizeof(bin) - 1, "ary--", 5) == bin + 8);
	CHECK(compat_memmem(bin, sizeof(bin) - 1, "ary--!", 6) == NULL);
	CHECK(compat_memmem(bin, 3, "--b\0", 4) == NULL);
}

static time_t utc(int y, int mon, int d, int h, int mi, int s)
{
	struct tm tm = {0};
	tm.tm_year = y - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return compat_timegm(&tm);
}

static void test_timegm(void)
{
	CHECK(utc(1970, 1, 1, 0, 0, 0) == 0);
	CHECK(utc(2000, 3, 1, 0, 0, 0) == 951868800);
	CHECK(utc(2024, 2, 29, 12, 34, 56) == 1709210096);
	CHECK(utc(1969, 12, 31, 23, 59, 59) == -1);
	CHECK(utc(2038, 1, 19, 3, 14, 8) == 2147483648LL);
}

static void test_pipe_and_close(void)
{
	int fds[2];
	CHECK(compat_pipe_cloexec(fds) == 0);
	CHECK(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	CHECK(fcntl(fds[1], F_GETFD) & FD_CLOEXEC);
	/* A child keeps only the write end (and 0-2) and reports what is open. */
	int extra = open("/dev/null", O_RDONLY);
	pid_t pid = fork();
	if (pid == 0) {
		compat_close_from(3, fds[1]);
		int ok = fcntl(fds[1], F_GETFD) >= 0 && fcntl(fds[0], F_GETFD) < 0 &&
			 errno == EBADF && fcntl(extra, F_GETFD) < 0 && fcntl(2, F_GETFD) >= 0;
		_exit(ok ? 0 : 1);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(extra);
	close(fds[0]);
	close(fds[1]);
}

static void test_execvpe(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *const argv[] = {"sh", "-c", "test \"$SB_COMPAT\" = yes && test -z \"$HOME\"",
				      NULL};
		char *const envp[] = {"SB_COMPAT=yes", "PATH=/usr/bin:/bin", NULL};
		compat_execvpe("sh", argv, envp);
		_exit(127);
	}
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_system(void)
{
	char exe[4096], ns[64];
	int r = compat_exe_path(exe, sizeof(exe));
	if (LINUX_CALLS) {
		CHECK(r == 0 && exe[0] == '/' && strstr(exe, "test_compat") != NULL);
		CHECK(compat_exe_path(exe, 4) == -1);
	} else {
		CHECK(r == -1);
	}
	compat_pid_namespace(ns);
	CHECK(LINUX_CALLS ? strncmp(ns, "pid:[", 5) == 0 : ns[0] == '\0');
	pid_t pid = fork();
	if (pid == 0)
		_exit(compat_die_with_parent(SIGTERM) == (LINUX_CALLS ? 0 : -1) ? 0 : 1);
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	char *p = malloc(40);
	memset(p, 'k', 40);
	size_t n = compat_malloc_size(p);
	CHECK(LINUX_CALLS ? n >= 40 : n == 0);
	compat_wipe(p, 40);
	int zero = 1;
	for (int i = 0; i < 40; i++)
		zero &= p[i] == 0;
	CHECK(zero);
	free(p);
}

/* The opener is looked up on PATH at run time: a fake xdg-open records its
 * argument; with none on PATH the call says so. */
static void test_open_url(void)
{
	char dir[] = "/tmp/sbcompat-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	char opener[64], out[64], script[256];
	snprintf(opener, sizeof(opener), "%s/xdg-open", dir);
	snprintf(out, sizeof(out), "%s/opened", dir);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\nprintf '%%s' \"$1\" > %s.tmp && mv %s.tmp %s\n", out, out, out);
	FILE *f = fopen(opener, "w");
	fputs(script, f);
	fclose(f);
	chmod(opener, 0755);
	const char *old = getenv("PATH");
	char *saved = old ? strdup(old) : NULL;
	char path[300];
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", dir);
	setenv("PATH", path, 1);
	CHECK(compat_open_url("http://127.0.0.1:8976/authorize?x=1") == 0);
	char got[128] = "";
	for (int i = 0; i < 200 && !got[0]; i++) {
		FILE *g = fopen(out, "r");
		if (g) {
			if (!fgets(got, sizeof(got), g))
				got[0] = '\0';
			fclose(g);
		} else {
			struct timespec ts = {0, 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
	}
	CHECK_STR(got, "http://127.0.0.1:8976/authorize?x=1");
	setenv("PATH", dir, 1);
	unlink(opener);
	CHECK(compat_open_url("http://127.0.0.1/") == -1);
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	unlink(out);
	rmdir(dir);
}

int main(void)
{
	test_strings();
	test_timegm();
	test_pipe_and_close();
	test_execvpe();
	test_system();
	test_open_url();
	return t_done();
}
