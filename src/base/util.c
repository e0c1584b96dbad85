/* util.c - the small helpers every module leans on. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void die_oom(size_t n)
{
	fprintf(stderr, "switchboard: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

void err_init(struct err *e)
{
	e->msg[0] = '\0';
}

int err_set(struct err *e, const char *fmt, ...)
{
	if (!e || e->msg[0])
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (!e->msg[0])
		snprintf(e->msg, sizeof(e->msg), "unknown error");
	return -1;
}

int err_is_set(const struct err *e)
{
	return e && e->msg[0];
}

void buf_init(struct buf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->cap && b->len + n > b->cap)
		return -1;
	if (b->len + n + 1 > b->alloc) {
		size_t a = b->alloc ? b->alloc : 64;
		while (a < b->len + n + 1)
			a *= 2;
		b->data = xrealloc(b->data, a);
		b->alloc = a;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[256];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	int ret;
	if (n < 0) {
		ret = -1;
	} else if ((size_t)n < sizeof(tmp)) {
		ret = buf_add(b, tmp, (size_t)n);
	} else {
		char *p = xmalloc((size_t)n + 1);
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
		ret = buf_add(b, p, (size_t)n);
		free(p);
	}
	va_end(ap2);
	return ret;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *buf_detach(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->alloc = 0;
	return p;
}

int parse_long(const char *s, long *out)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int glob_match(const char *pat, const char *s)
{
	return fnmatch(pat, s, 0) == 0;
}

long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long now_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long now_s(void)
{
	return (long long)time(NULL);
}

void free_secret(char *s)
{
	if (!s)
		return;
	volatile char *v = s;
	while (*v)
		*v++ = 0;
	free(s);
}

char *read_file(const char *path, size_t cap, size_t *len, struct err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err_set(err, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	struct buf b;
	buf_init(&b, cap);
	char tmp[16384];
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(err, "cannot read '%s': %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (buf_add(&b, tmp, (size_t)n) < 0) {
			err_set(err, "'%s' is larger than %zu bytes", path, cap);
			goto fail;
		}
	}
	close(fd);
	if (len)
		*len = b.len;
	return buf_detach(&b);
fail:
	close(fd);
	buf_release(&b);
	return NULL;
}

int mkdir_p(const char *path, int mode, struct err *err)
{
	char *p = xstrdup(path);
	int ret = -1;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST) {
			err_set(err, "cannot create '%s': %s", p, strerror(errno));
			goto out;
		}
		*s = '/';
	}
	if (mkdir(p, (mode_t)mode) < 0 && errno != EEXIST) {
		err_set(err, "cannot create '%s': %s", p, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(p);
	return ret;
}

int write_file_atomic(const char *path, const char *data, size_t len, int mode, int replace,
		      struct err *err)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	int ret = -1, fd = mkstemp(tmp);
	if (fd < 0) {
		err_set(err, "cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	int bad = fchmod(fd, (mode_t)mode) < 0;
	for (size_t off = 0; !bad && off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		bad = n <= 0;
		off += n > 0 ? (size_t)n : 0;
	}
	bad = bad || fsync(fd) < 0;
	int saved = errno;
	if (close(fd) < 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	if (bad) {
		err_set(err, "cannot write '%s': %s", path, strerror(saved));
		goto out;
	}
	/* link() refuses an existing name, so two writers cannot both win. */
	if (replace ? rename(tmp, path) < 0 : link(tmp, path) < 0) {
		if (errno == EEXIST)
			err_set(err, "'%s' exists already", path);
		else
			err_set(err, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (!(replace && ret == 0))
		unlink(tmp);
	free(tmp);
	return ret;
}

void fault_point(const char *name)
{
	const char *want = getenv("SWITCHBOARD_FAULT");
	if (want && strcmp(want, name) == 0)
		raise(SIGKILL);
}

char *html_escape(const char *s)
{
	struct buf b;
	buf_init(&b, 0);
	for (; s && *s; s++) {
		const char *rep = *s == '<'    ? "&lt;"
				  : *s == '>'  ? "&gt;"
				  : *s == '&'  ? "&amp;"
				  : *s == '"'  ? "&quot;"
				  : *s == '\'' ? "&#39;"
					       : NULL;
		if (rep)
			buf_adds(&b, rep);
		else
			buf_add(&b, s, 1);
	}
	char *out = buf_detach(&b);
	return out ? out : xstrdup("");
}
