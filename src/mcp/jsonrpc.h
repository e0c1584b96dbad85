/* jsonrpc.h - newline-delimited JSON-RPC 2.0 on stdio: a bounded line reader
 * and the only writer of stdout. */
#ifndef SB_JSONRPC_H
#define SB_JSONRPC_H

#include <jansson.h>
#include <stddef.h>

#define JSONRPC_PARSE_ERROR -32700
#define JSONRPC_INVALID_REQUEST -32600
#define JSONRPC_METHOD_NOT_FOUND -32601
#define JSONRPC_INVALID_PARAMS -32602
#define JSONRPC_INTERNAL_ERROR -32603

/* Reads lines from a non-blocking fd. A line longer than max bytes is
 * discarded as it streams by (never buffered whole) and reported once with
 * oversize set. */
struct jsonrpc_reader {
	int fd;
	size_t max;
	char *buf;
	size_t len, alloc;
	int discarding;
	size_t discarded;
};

/* Called per complete line (without "\n", a trailing "\r" stripped).
 * When oversize is set, line is NULL and len is the size seen so far. */
typedef void (*jsonrpc_line_fn)(const char *line, size_t len, int oversize, void *ctx);

void jsonrpc_reader_init(struct jsonrpc_reader *r, int fd, size_t max);
void jsonrpc_reader_release(struct jsonrpc_reader *r);
/* Read what is available and hand out complete lines. Returns 0 when more
 * may come, 1 at end of input (a last unterminated line is handed out
 * first), -1 on a read error. */
int jsonrpc_read(struct jsonrpc_reader *r, jsonrpc_line_fn fn, void *ctx);

/* Write one message (borrowed) as compact JSON and "\n" to stdout, flushed.
 * Returns 0, or -1 when stdout is gone. */
int jsonrpc_send(const json_t *msg);

/* New messages. id is borrowed (NULL or json_null() means no id); result and
 * data are stolen (may be NULL). */
json_t *jsonrpc_result_new(json_t *id, json_t *result);
json_t *jsonrpc_error_new(json_t *id, int code, const char *message, json_t *data);
json_t *jsonrpc_notification_new(const char *method, json_t *params);

/* Bytes written to stdout so far (for the benchmark and the tests). */
size_t jsonrpc_bytes_sent(void);

#endif
