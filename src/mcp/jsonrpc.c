/* jsonrpc.c - framing for MCP's stdio transport. This is the only file that
 * writes to stdout; everything for people goes to stderr. */
#include "jsonrpc.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonx.h"
#include "util.h"

static size_t bytes_sent;

void jsonrpc_reader_init(struct jsonrpc_reader *r, int fd, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->max = max;
}

void jsonrpc_reader_release(struct jsonrpc_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->alloc = 0;
}

static void emit(const char *line, size_t len, jsonrpc_line_fn fn, void *ctx)
{
	if (len && line[len - 1] == '\r')
		len--;
	fn(line, len, 0, ctx);
}

/* Take bytes [p, p+n) of fresh input: split into lines, discarding any
 * line that grows past the limit. */
static void feed(struct jsonrpc_reader *r, const char *p, size_t n, jsonrpc_line_fn fn, void *ctx)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t chunk = nl ? (size_t)(nl - p) : n;
		if (r->discarding) {
			r->discarded += chunk;
		} else if (r->len + chunk > r->max) {
			r->discarding = 1;
			r->discarded = r->len + chunk;
			r->len = 0;
		} else {
			if (r->len + chunk + 1 > r->alloc) {
				size_t a = r->alloc ? r->alloc : 4096;
				while (a < r->len + chunk + 1)
					a *= 2;
				r->buf = xrealloc(r->buf, a);
				r->alloc = a;
			}
			memcpy(r->buf + r->len, p, chunk);
			r->len += chunk;
		}
		if (!nl)
			return;
		if (r->discarding) {
			fn(NULL, r->discarded, 1, ctx);
			r->discarding = 0;
			r->discarded = 0;
		} else {
			r->buf[r->len] = '\0';
			emit(r->buf, r->len, fn, ctx);
			r->len = 0;
		}
		p += chunk + 1;
		n -= chunk + 1;
	}
	/* Give back memory after a large message so one big line does not pin it. */
	if (r->len == 0 && r->alloc > (1 << 20)) {
		free(r->buf);
		r->buf = NULL;
		r->alloc = 0;
	}
}

int jsonrpc_read(struct jsonrpc_reader *r, jsonrpc_line_fn fn, void *ctx)
{
	char tmp[65536];
	for (int rounds = 0; rounds < 64; rounds++) {
		ssize_t n = read(r->fd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -1;
		if (n == 0) {
			if (r->discarding) {
				fn(NULL, r->discarded, 1, ctx);
				r->discarding = 0;
			} else if (r->len) {
				r->buf[r->len] = '\0';
				emit(r->buf, r->len, fn, ctx);
			}
			r->len = 0;
			return 1;
		}
		feed(r, tmp, (size_t)n, fn, ctx);
		/* A short read took all there was; the caller's poll (level
		 * triggered) says when more comes, so no read to EAGAIN. */
		if ((size_t)n < sizeof(tmp))
			return 0;
	}
	return 0;
}

int jsonrpc_send(const json_t *msg)
{
	/* Reals in their shortest form: structuredContent says 4.35, as the
	 * text block beside it does, not 4.3499999999999996. */
	char *s = jsonx_dumps(msg);
	if (!s)
		return -1;
	size_t len = strlen(s);
	s[len] = '\n'; /* json_dumps leaves room: overwrite NUL, write len+1 */
	const char *p = s;
	size_t left = len + 1;
	int ret = 0;
	while (left) {
		ssize_t n = write(STDOUT_FILENO, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* stdout shares stdin's O_NONBLOCK when both are one tty or
			 * socket: wait until it drains rather than cut a message. */
			struct pollfd pfd = {.fd = STDOUT_FILENO, .events = POLLOUT};
			if (poll(&pfd, 1, -1) >= 0 || errno == EINTR)
				continue;
		}
		if (n < 0) {
			ret = -1;
			break;
		}
		p += n;
		left -= (size_t)n;
	}
	bytes_sent += len + 1 - left;
	free(s);
	return ret;
}

size_t jsonrpc_bytes_sent(void)
{
	return bytes_sent;
}

json_t *jsonrpc_result_new(json_t *id, json_t *result)
{
	json_t *m = json_object();
	json_object_set_new(m, "jsonrpc", json_string("2.0"));
	json_object_set(m, "id", id ? id : json_null());
	json_object_set_new(m, "result", result ? result : json_object());
	return m;
}

json_t *jsonrpc_error_new(json_t *id, int code, const char *message, json_t *data)
{
	json_t *m = json_object();
	json_t *e = json_object();
	json_object_set_new(m, "jsonrpc", json_string("2.0"));
	/* An error whose request id could not be read carries no id at all:
	 * the MCP schema makes it optional, and clients reject "id": null. */
	if (id && !json_is_null(id))
		json_object_set(m, "id", id);
	json_object_set_new(e, "code", json_integer(code));
	json_object_set_new(e, "message", json_string(message));
	if (data)
		json_object_set_new(e, "data", data);
	json_object_set_new(m, "error", e);
	return m;
}

json_t *jsonrpc_notification_new(const char *method, json_t *params)
{
	json_t *m = json_object();
	json_object_set_new(m, "jsonrpc", json_string("2.0"));
	json_object_set_new(m, "method", json_string(method));
	if (params)
		json_object_set_new(m, "params", params);
	return m;
}
