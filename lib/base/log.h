/*
 * log.h - messages to stderr, with a verbosity level set by -v/-q.
 *
 * Data and reports go to stdout from cmd/ only; everything a person reads
 * about progress or trouble comes through here. The messages follow git's
 * style: lowercase, no trailing period, the subject quoted.
 */
#ifndef DBMIG_LOG_H
#define DBMIG_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_TRACE };

void log_set_level(int level);
int log_get_level(void);
void log_msg(int level, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Called (under the log's lock) before each message is written, so a
 * live terminal display can clear itself first; NULL removes it. */
void log_set_hook(void (*before)(void *arg), void *arg);

/* With --progress=json every message is a JSON line too,
 * {"event":"log","level":"warning","message":"..."}, so the stream on
 * stderr holds nothing else. */
void log_set_json(int on);

#define log_error(...) log_msg(LOG_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __FILE__, __LINE__, __VA_ARGS__)
#define log_trace(...) log_msg(LOG_TRACE, __FILE__, __LINE__, __VA_ARGS__)

#endif
