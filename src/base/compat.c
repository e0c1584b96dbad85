/* compat.c - Linux calls and their POSIX fallbacks, in one place (compat.h).
 * The only file of src/ that asks for _GNU_SOURCE's extras by itself.
 * -DCOMPAT_POSIX_ONLY builds the fallbacks on Linux too, so `make portcheck` and
 * test_compat can compile and run them here. */
#if !defined(COMPAT_POSIX_ONLY) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif
#include "compat.h"

#include <sys/wait.h>
#include <time.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Which system's calls to use; none of them with COMPAT_POSIX_ONLY. */
#if !defined(COMPAT_POSIX_ONLY)
#if defined(__linux__)
#define COMPAT_LINUX 1
#endif
#if defined(__GLIBC__)
#define COMPAT_GLIBC 1
#endif
#if defined(__APPLE__)
#define COMPAT_APPLE 1
#endif
#if defined(__FreeBSD__) || defined(__OpenBSD__)
#define COMPAT_BSD 1
#endif
#endif

#if defined(COMPAT_LINUX)
#include <malloc.h>
#include <sys/prctl.h>
#elif defined(COMPAT_APPLE)
#include <mach-o/dyld.h>
#include <malloc/malloc.h>
#endif

extern char **environ;

int compat_exe_path(char *buf, size_t size)
{
	if (size == 0)
		return -1;
#if defined(COMPAT_LINUX)
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	if (n <= 0 || (size_t)n >= size - 1)
		return -1;
	buf[n] = '\0';
	return 0;
#elif defined(COMPAT_APPLE)
	char raw[PATH_MAX];
	uint32_t len = sizeof(raw);
	char real[PATH_MAX];
	if (_NSGetExecutablePath(raw, &len) != 0 || !realpath(raw, real) || strlen(real) >= size)
		return -1;
	memcpy(buf, real, strlen(real) + 1);
	return 0;
#else
	(void)buf;
	return -1;
#endif
}

void compat_pid_namespace(char ns[64])
{
#if defined(COMPAT_LINUX)
	ssize_t n = readlink("/proc/self/ns/pid", ns, 63);
	ns[n > 0 ? n : 0] = '\0';
#else
	ns[0] = '\0';
#endif
}

int compat_die_with_parent(int sig)
{
#if defined(COMPAT_LINUX)
	return prctl(PR_SET_PDEATHSIG, sig) == 0 ? 0 : -1;
#else
	(void)sig;
	return -1;
#endif
}

int compat_pipe_cloexec(int fds[2])
{
#if defined(COMPAT_LINUX)
	return pipe2(fds, O_CLOEXEC);
#else
	if (pipe(fds) < 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		errno = e;
		return -1;
	}
	return 0;
#endif
}

void compat_close_from(int lowfd, int keep)
{
#if defined(COMPAT_LINUX) && defined(COMPAT_GLIBC) &&                                              \
	(__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	if (keep >= lowfd) {
		if (keep > lowfd)
			close_range((unsigned)lowfd, (unsigned)keep - 1, 0);
		close_range((unsigned)keep + 1, ~0U, 0);
	} else {
		close_range((unsigned)lowfd, ~0U, 0);
	}
#else
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = lowfd; fd < max; fd++)
		if (fd != keep)
			close(fd);
#endif
}

int compat_execvpe(const char *file, char *const argv[], char *const envp[])
{
#if defined(COMPAT_GLIBC)
	return execvpe(file, argv, envp);
#else
	environ = (char **)envp;
	return execvp(file, argv);
#endif
}

/* An executable named name in $PATH (or name itself when it has a '/'). */
static int on_path(const char *name)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/bin:/bin";
	char probe[PATH_MAX];
	for (const char *p = path; *p;) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > 0 && len + 1 + strlen(name) < sizeof(probe)) {
			memcpy(probe, p, len);
			probe[len] = '/';
			memcpy(probe + len + 1, name, strlen(name) + 1);
			if (access(probe, X_OK) == 0)
				return 1;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

/* WSL's kernel names itself in its release string ("5.15.90.1-microsoft-standard-WSL2"). */
static int is_wsl(const struct utsname *u)
{
	return strstr(u->release, "microsoft") || strstr(u->release, "Microsoft");
}

int compat_open_url(const char *url)
{
	struct utsname u;
	const char *opener = "xdg-open";
	if (uname(&u) == 0) {
		if (strcmp(u.sysname, "Darwin") == 0)
			opener = "open";
		else if (is_wsl(&u) && on_path("wslview"))
			opener = "wslview";
	}
	if (!on_path(opener))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		/* Nothing of the opener's reaches our stdout (the protocol) or stderr. */
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execlp(opener, opener, url, (char *)NULL);
		_exit(127);
	}
	/* Give the opener a few seconds to say it failed (no desktop, no
	 * browser); one still running has taken the URL, and is reaped by
	 * init when we exit. */
	for (long waited = 0; waited < 5000; waited += 50) {
		int status;
		pid_t done = waitpid(pid, &status, WNOHANG);
		if (done == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
		if (done < 0)
			return -1;
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
	}
	return 0;
}

void compat_wipe(void *p, size_t n)
{
#if defined(COMPAT_GLIBC) || defined(COMPAT_BSD)
	explicit_bzero(p, n);
#else
	volatile unsigned char *v = p;
	while (n--)
		*v++ = 0;
#endif
}

size_t compat_malloc_size(void *p)
{
#if defined(COMPAT_GLIBC)
	return malloc_usable_size(p);
#elif defined(COMPAT_APPLE)
	return malloc_size(p);
#else
	(void)p;
	return 0;
#endif
}

void *compat_memmem(const void *hay, size_t hlen, const void *needle, size_t nlen)
{
#if defined(COMPAT_GLIBC) || defined(COMPAT_APPLE) || defined(COMPAT_BSD)
	return memmem(hay, hlen, needle, nlen);
#else
	const unsigned char *h = hay;
	if (nlen == 0)
		return (void *)h;
	for (; hlen >= nlen; h++, hlen--)
		if (*h == *(const unsigned char *)needle && memcmp(h, needle, nlen) == 0)
			return (void *)h;
	return NULL;
#endif
}

char *compat_strcasestr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] &&
		       tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return (char *)hay;
	}
	return n == 0 ? (char *)hay : NULL;
}

time_t compat_timegm(struct tm *tm)
{
#if defined(COMPAT_GLIBC) || defined(COMPAT_APPLE) || defined(COMPAT_BSD)
	return timegm(tm);
#else
	/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
	 * days_from_civil), so no time zone is involved. */
	long long y = (long long)tm->tm_year + 1900 + tm->tm_mon / 12;
	long long m = tm->tm_mon % 12;
	if (m < 0) {
		m += 12;
		y--;
	}
	y -= m < 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 1 ? -2 : 10)) + 2) / 5 + tm->tm_mday - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	long long days = era * 146097 + doe - 719468;
	return (time_t)(days * 86400 + tm->tm_hour * 3600LL + tm->tm_min * 60LL + tm->tm_sec);
#endif
}
