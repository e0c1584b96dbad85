/* util.h - allocation that aborts on failure, bounded buffers, error reports. */
#ifndef SB_UTIL_H
#define SB_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define SB_VERSION "0.1.0"

/* Allocation never fails: out of memory aborts with a message (as in git). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A new string built like printf; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A caller-owned error report. The first message set wins, so the deepest,
 * most precise failure is the one the user sees. Setting never allocates. */
struct err {
	char msg[512];
};
void err_init(struct err *e);
int err_set(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int err_is_set(const struct err *e);

/* A growable byte buffer with a hard cap. Always NUL terminated. */
struct buf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap; /* 0 means no cap */
};
void buf_init(struct buf *b, size_t cap);
void buf_release(struct buf *b);
/* Append n bytes; returns -1 (and appends nothing) when the cap would be passed. */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
/* Give the data to the caller (who frees it); b is left empty. */
char *buf_detach(struct buf *b);

/* Parse a whole decimal integer; 0 on success, -1 on junk or overflow. */
int parse_long(const char *s, long *out);
/* 1 when s matches the shell glob pat (fnmatch(3) with no flags: *, ?,
 * [...] classes, backslash escapes; * matches any byte, '/' and '.' included). */
int glob_match(const char *pat, const char *s);
/* Monotonic milliseconds. */
long long now_ms(void);
/* Wall clock seconds since the epoch. */
long long now_s(void);
/* Wall clock milliseconds since the epoch (timestamps, not intervals). */
long long now_wall_ms(void);
/* Wipe then free a string that held a secret; accepts NULL. */
void free_secret(char *s);
/* Read a whole file (at most cap bytes). Returns a new string or NULL with err. */
char *read_file(const char *path, size_t cap, size_t *len, struct err *err);
/* mkdir -p with the given mode; 0 or -1 with err. */
int mkdir_p(const char *path, int mode, struct err *err);
/* Write len bytes to path through a temporary file in the same folder,
 * flushed to disk and then moved into place, so a reader sees the old file
 * or the new one, never part of one. mode is the new file's. replace 0:
 * fail (err says it exists) when path exists already. 0 or -1 with err. */
int write_file_atomic(const char *path, const char *data, size_t len, int mode, int replace,
		      struct err *err);
/* Fault injection for the crash tests, as SQLite's test hooks: when
 * SWITCHBOARD_FAULT names this point, the process kills itself (SIGKILL, no
 * cleanup) right here. Costs one getenv() otherwise. */
void fault_point(const char *name);

/* s with < > & " ' escaped for HTML text and attribute values (NULL is
 * ""). New string. */
char *html_escape(const char *s);

#endif
