/* log.h - stderr logging; every line passes through one redaction function. */
#ifndef SB_LOG_H
#define SB_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

void log_set_level(enum log_level level);
/* Parse "debug|info|warn|error|off"; -1 when unknown. */
int log_parse_level(const char *s);

/* Register a secret value: any later log line containing it shows it as
 * "[redacted]". The log keeps its own copy and wipes it at log_reset(). */
void log_add_secret(const char *value);
void log_reset(void);

/* Redact a string: known secrets, and values after "Bearer ", "Basic ",
 * "token=", "password=", "secret=" and similar. Returns a new string. */
char *log_redact(const char *s);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning for this machine's log only, never the sink (a client): one
 * that would tell a caller what it may not know. */
void log_warn_local(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An optional sink that also receives each line (mcp.c forwards them as
 * notifications/message). The sink gets the redacted text, and only lines
 * logged on the thread that set it (the protocol writer is not shared). */
typedef void (*log_sink_fn)(enum log_level level, const char *line, void *ctx);
void log_set_sink(log_sink_fn fn, void *ctx);

#endif
