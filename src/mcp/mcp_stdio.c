/* mcp_stdio.c - the stdio transport: newline-delimited JSON-RPC on stdin and
 * stdout, and a loop that waits on stdin and on every in-flight transfer at
 * once, so a slow vendor never delays another request. */
#include "mcp.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "jsonrpc.h"
#include "jsonx.h"
#include "log.h"
#include "mcp_core.h"

#define DEFAULT_MAX_MESSAGE (4u << 20)
#define WAIT_MS 200 /* the core looks at the store at least this often */

struct stdio {
	struct mcp_core *core;
	size_t max_message;
};

static void stdio_send(const json_t *msg, const json_t *rid, void *ctx)
{
	(void)rid, (void)ctx;
	jsonrpc_send(msg);
}

static void send_error(int code, const char *text)
{
	json_t *msg = jsonrpc_error_new(NULL, code, text, NULL);
	jsonrpc_send(msg);
	json_decref(msg);
}

/* Framing belongs to the transport: an oversize line or one that is not
 * JSON is answered here; anything that parses goes to the core. */
static void on_line(const char *line, size_t len, int oversize, void *ctx)
{
	struct stdio *io = ctx;
	if (oversize) {
		char *msg = xasprintf("message of %zu bytes exceeds the limit of %zu bytes", len,
				      io->max_message);
		log_warn("%s; discarded", msg);
		send_error(JSONRPC_INVALID_REQUEST, msg);
		free(msg);
		return;
	}
	size_t skip = 0;
	while (skip < len && (line[skip] == ' ' || line[skip] == '\t'))
		skip++;
	if (skip == len)
		return; /* blank lines are harmless */
	json_error_t je;
	/* Any JSON value parses, so a bare 42 or "x" is an invalid request
	 * (-32600) rather than a parse error. */
	json_t *msg = jsonx_loadb(line, len, JSON_DECODE_ANY, &je);
	if (!msg) {
		char *text = xasprintf("parse error: %s", je.text);
		send_error(JSONRPC_PARSE_ERROR, text);
		free(text);
		return;
	}
	mcp_core_handle(io->core, msg);
	json_decref(msg);
}

int mcp_serve(struct mcp_options *opt)
{
	static const struct mcp_transport tr = {stdio_send, NULL};
	struct err e;
	err_init(&e);
	if (!opt->max_message)
		opt->max_message = DEFAULT_MAX_MESSAGE;
	signal(SIGPIPE, SIG_IGN);
	struct stdio io = {mcp_core_new(opt, &tr, &e), opt->max_message};
	if (!io.core) {
		log_error("%s", e.msg);
		return 1;
	}
	int flags = fcntl(STDIN_FILENO, F_GETFL);
	fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK);
	struct jsonrpc_reader rd;
	jsonrpc_reader_init(&rd, STDIN_FILENO, opt->max_message);
	int open_in = 1;
	while (open_in || mcp_core_busy(io.core)) {
		int ready = 0;
		if (http_wait(mcp_core_http(io.core), open_in ? STDIN_FILENO : -1, WAIT_MS,
			      &ready) < 0) {
			err_set(&e, "network loop failed");
			break;
		}
		if (open_in && ready && jsonrpc_read(&rd, on_line, &io) != 0) {
			open_in = 0; /* EOF: finish what is in flight, then exit */
			mcp_core_input_closed(io.core);
		}
		mcp_core_tick(io.core);
	}
	jsonrpc_reader_release(&rd);
	fcntl(STDIN_FILENO, F_SETFL, flags);
	mcp_core_free(io.core);
	if (err_is_set(&e))
		log_error("%s", e.msg);
	return err_is_set(&e) ? 1 : 0;
}

#ifdef SB_FUZZ
/* A test seam for tests/fuzz/fuzz_line.c: one line, as the reader hands it
 * out, through the same on_line as serve. */
struct mcp_core *mcp_core_fuzz_new(struct mcp_options *opt, const struct mcp_transport *tr);
void mcp_core_fuzz_settle(struct mcp_core *srv);
void mcp_core_fuzz_sink(struct mcp_core *srv, int on);
void mcp_fuzz_line(const char *line, size_t len, int oversize);

void mcp_fuzz_line(const char *line, size_t len, int oversize)
{
	static const struct mcp_transport tr = {stdio_send, NULL};
	static struct mcp_options opt;
	static struct stdio io;
	if (!io.core) {
		io.core = mcp_core_fuzz_new(&opt, &tr);
		io.max_message = opt.max_message;
	}
	mcp_core_fuzz_sink(io.core, 1);
	on_line(line, len, oversize, &io);
	mcp_core_fuzz_sink(io.core, 0);
	mcp_core_fuzz_settle(io.core);
}
#endif
