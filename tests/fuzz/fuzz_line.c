/* fuzz_line.c - libFuzzer target for the stdio framing and the MCP request
 * handling: bytes go through a pipe into jsonrpc_reader in pieces whose
 * sizes the input chooses, and every line (or oversize report) it hands out
 * goes to mcp_stdio.c's on_line through the SB_FUZZ seam. Replies go to stdout,
 * which is sent to /dev/null.
 *
 *     make fuzz && build-fuzz/fuzz/fuzz_line -max_total_time=180 tests/fuzz/corpus/line
 *
 * Input: byte 0 picks the reader's line limit (64 << (b % 8): 64 B..8 KiB),
 * byte 1 the size of the writes (1 + b), the rest is the stream. */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonrpc.h"
#include "log.h"

void mcp_fuzz_line(const char *line, size_t len, int oversize);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_line(const char *line, size_t len, int oversize, void *ctx)
{
	(void)ctx;
	mcp_fuzz_line(line, len, oversize);
}

/* The registry is found next to the binary in a build tree; build-fuzz/fuzz/
 * is one level deeper, so point SWITCHBOARD_DATADIR at the checkout. */
static void set_datadir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (getenv("SWITCHBOARD_DATADIR") || n <= 0)
		return;
	exe[n] = '\0';
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(exe, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
	setenv("SWITCHBOARD_DATADIR", exe, 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	set_datadir();
	log_set_level(LOG_OFF);
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		close(null);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 60000) /* a pipe holds 64 KiB; stay under it */
		return 0;
	size_t max = (size_t)64 << (data[0] % 8);
	size_t step = 1 + (size_t)data[1];
	data += 2;
	size -= 2;
	int fds[2];
	if (pipe(fds) < 0)
		abort();
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	struct jsonrpc_reader r;
	jsonrpc_reader_init(&r, fds[0], max);
	int done = 0;
	for (size_t off = 0; off < size; off += step) {
		size_t n = size - off < step ? size - off : step;
		if (write(fds[1], data + off, n) != (ssize_t)n)
			abort();
		if (jsonrpc_read(&r, on_line, NULL) != 0)
			abort(); /* the write end is open: never EOF here */
	}
	close(fds[1]);
	while (!done) {
		int ret = jsonrpc_read(&r, on_line, NULL);
		if (ret < 0)
			abort();
		done = ret == 1;
	}
	jsonrpc_reader_release(&r);
	close(fds[0]);
	return 0;
}
