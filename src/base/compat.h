/* compat.h - the few calls that differ between Linux and other POSIX systems.
 *
 * Everything Linux- or glibc-only lives behind these functions, with a POSIX
 * fallback beside it, so the rest of src/ compiles with -D_POSIX_C_SOURCE=200809L
 * alone (`make portcheck` checks that). Linux is what the tests run on; the
 * fallbacks are compile-checked there, and the macOS branches (__APPLE__) are
 * written to Apple's documentation but not compiled here. */
#ifndef SB_COMPAT_H
#define SB_COMPAT_H

#include <stddef.h>
#include <time.h>

/* The absolute path of the running executable into buf (size bytes), NUL
 * terminated. Linux: /proc/self/exe; macOS: _NSGetExecutablePath() and
 * realpath(); elsewhere it is unknown. Returns 0, or -1 when unknown or when it
 * does not fit. */
int compat_exe_path(char *buf, size_t size);

/* This process's pid namespace ("pid:[4026531836]" from /proc/self/ns/pid), or
 * "" where unknown: a lock holder's pid means something only to processes in
 * the same one, so "" turns off taking over a dead holder's lock. */
void compat_pid_namespace(char ns[64]);

/* Asks the kernel to send sig to this process when its parent dies (Linux
 * prctl(PR_SET_PDEATHSIG)). Returns 0, or -1 where there is no such thing:
 * then the caller watches getppid() itself. */
int compat_die_with_parent(int sig);

/* pipe() with FD_CLOEXEC set on both ends (pipe2(O_CLOEXEC) on Linux, so no
 * fork in another thread can inherit them in between). Returns 0 or -1 (errno). */
int compat_pipe_cloexec(int fds[2]);

/* Closes every descriptor >= lowfd except keep (pass -1 to keep none).
 * Async-signal-safe: for a child between fork() and exec(). */
void compat_close_from(int lowfd, int keep);

/* execvp() with envp as the new environment (execvpe on glibc). Only returns
 * on failure, with errno set. For a child after fork(). */
int compat_execvpe(const char *file, char *const argv[], char *const envp[]);

/* Starts the desktop's URL opener on url: chosen at run time, `open` on
 * macOS, `wslview` under WSL when present, `xdg-open` elsewhere. Its stdio
 * goes to /dev/null. Waits up to 5 s for it to fail. Returns 0 when an
 * opener took the URL (or is still at it), -1 when there is none or it
 * failed (then print the URL for the user). */
int compat_open_url(const char *url);

/* Overwrites n bytes at p in a way the compiler may not drop. */
void compat_wipe(void *p, size_t n);

/* The usable size of a block from malloc() (malloc_usable_size on glibc,
 * malloc_size on macOS); 0 where unknown, so a caller wipes nothing extra. */
size_t compat_malloc_size(void *p);

/* memmem(), strcasestr() and timegm(), which glibc declares only with
 * _GNU_SOURCE or _DEFAULT_SOURCE. */
void *compat_memmem(const void *hay, size_t hlen, const void *needle, size_t nlen);
char *compat_strcasestr(const char *hay, const char *needle);
time_t compat_timegm(struct tm *tm);

#endif
