/*
 * log.c - see log.h. One mutex keeps lines from worker threads whole.
 */
#include "log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int log_level = LOG_INFO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static void (*log_before)(void *);
static void *log_before_arg;

void
log_set_hook(void (*before)(void *arg), void *arg)
{
	pthread_mutex_lock(&log_lock);
	log_before = before;
	log_before_arg = arg;
	pthread_mutex_unlock(&log_lock);
}

static int log_json;

void
log_set_json(int on)
{
	log_json = on;
}

/* One message as a JSON event line, written whole. */
static void
log_json_line(const char *level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void
log_json_line(const char *level, const char *fmt, va_list ap)
{
	char msg[2048];
	json_t *ev = json_object();
	char *line;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	json_object_set_new(ev, "event", json_string("log"));
	json_object_set_new(ev, "level", json_string(level));
	json_object_set_new(ev, "message", json_string(msg));
	line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (line) {
		fprintf(stderr, "%s\n", line);
		free(line);
	}
	json_decref(ev);
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_get_level(void)
{
	return log_level;
}

void
log_msg(int level, const char *file, int line, const char *fmt, ...)
{
	static const char *names[] = { "error", "warning", "info", "debug", "trace" };
	va_list ap;

	if (level > log_level)
		return;
	pthread_mutex_lock(&log_lock);
	if (log_before)
		log_before(log_before_arg);
	if (log_json) {
		va_start(ap, fmt);
		log_json_line(names[level], fmt, ap);
		va_end(ap);
		pthread_mutex_unlock(&log_lock);
		return;
	}
	if (!isatty(2) && level != LOG_ERROR) {
		/* Logs kept by cron or CI need the time of each line. */
		time_t t = time(NULL);
		struct tm tm;
		char ts[32];

		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(stderr, "%s ", ts);
	}
	fprintf(stderr, "dbmig: %s: ", names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (log_level >= LOG_DEBUG)
		fprintf(stderr, " (%s:%d)", file, line);
	fputc('\n', stderr);
	pthread_mutex_unlock(&log_lock);
}
