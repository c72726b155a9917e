/*
 * progress.c - progress for dump and load (progress.h). A reporter
 * thread redraws the terminal lines or writes the periodic log line; the
 * workers only add to counters under the lock, and JSON events are
 * written whole, one line each, under the same lock so lines never mix.
 */
#include "progress.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "testknobs.h"
#include "util.h"
#include "banned.h"

struct ptable {
	char *name;
	uint64_t rows_expected, bytes_expected;
	uint64_t rows, bytes;
	int parts, parts_done, running;
	double started, finished;	/* seconds since begin; -1 not yet */
};

struct progress {
	enum progress_mode mode;
	const char *verb;
	struct ptable *t;
	int n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	int thread_on, stop, drawn;
	int estimated, no_summary;
	char *step;			/* the step under way after the rows */
	double t0;
	FILE *out;
};

int
progress_mode_parse(const char *s)
{
	static const char *const names[] = { "auto", "tty", "json", "log", "none" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return (int)i;
	return -1;
}

struct progress *
progress_new(enum progress_mode mode, const char *verb)
{
	struct progress *p = xcalloc(1, sizeof(*p));

	if (mode == PROGRESS_AUTO)
		mode = log_get_level() < LOG_INFO ? PROGRESS_NONE
		       : isatty(STDERR_FILENO) ? PROGRESS_TTY : PROGRESS_LOG;
	p->mode = mode;
	p->verb = verb;
	p->out = stderr;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	return p;
}

int
progress_add_table(struct progress *p, const char *name, uint64_t rows, uint64_t bytes,
		   int parts)
{
	struct ptable *t;
	int ti;

	pthread_mutex_lock(&p->mu);
	p->t = xrealloc(p->t, ((size_t)p->n + 1) * sizeof(*p->t));
	t = &p->t[p->n];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->rows_expected = rows;
	t->bytes_expected = bytes;
	t->parts = parts;
	t->started = t->finished = -1;
	ti = p->n++;
	pthread_mutex_unlock(&p->mu);
	return ti;
}

void
progress_estimated(struct progress *p)
{
	p->estimated = 1;
}

void
progress_no_summary(struct progress *p)
{
	p->no_summary = 1;
}

void
progress_rows_back(struct progress *p, int ti, uint64_t rows, uint64_t bytes)
{
	pthread_mutex_lock(&p->mu);
	p->t[ti].rows -= rows < p->t[ti].rows ? rows : p->t[ti].rows;
	p->t[ti].bytes -= bytes < p->t[ti].bytes ? bytes : p->t[ti].bytes;
	pthread_mutex_unlock(&p->mu);
}

static double
elapsed(const struct progress *p)
{
	return now_seconds() - p->t0;
}

/* One JSON event line; the caller holds the lock. */
static void
emit(struct progress *p, json_t *ev)
{
	char *line;

	json_object_set_new(ev, "seconds", json_real(elapsed(p)));
	line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (line) {
		fprintf(p->out, "%s\n", line);
		fflush(p->out);
		free(line);
	}
	json_decref(ev);
}

static json_t *
event(const char *kind, const struct ptable *t)
{
	json_t *ev = json_object();

	json_object_set_new(ev, "event", json_string(kind));
	if (t)
		json_object_set_new(ev, "table", json_string(t->name));
	return ev;
}

static void
human_bytes(char *buf, size_t n, double b)
{
	snprintf(buf, n, b >= 1e9 ? "%.2f GB" : b >= 1e6 ? "%.1f MB" : "%.0f kB",
		 b >= 1e9 ? b / 1e9 : b >= 1e6 ? b / 1e6 : b / 1e3);
}

static void
totals(const struct progress *p, uint64_t *rows, uint64_t *bytes, uint64_t *rexp,
       uint64_t *bexp)
{
	*rows = *bytes = *rexp = *bexp = 0;
	for (int i = 0; i < p->n; i++) {
		*rows += p->t[i].rows;
		*bytes += p->t[i].bytes;
		*rexp += p->t[i].rows_expected;
		*bexp += p->t[i].bytes_expected;
	}
}

/* The done fraction, by rows (the measure the line shows) over the tables
 * whose rows are expected, else by bytes; -1 when neither is known.
 * Estimates stay below 1 until the end. */
static double
fraction(const struct progress *p, uint64_t bytes, uint64_t rexp,
	 uint64_t bexp)
{
	double frac = -1;
	uint64_t rows_counted = 0;

	/* the tables whose rows are expected; one without an estimate
	 * (never analyzed) is left out rather than guessed */
	for (int i = 0; i < p->n; i++)
		if (p->t[i].rows_expected)
			rows_counted += p->t[i].rows;
	if (rexp)
		frac = (double)rows_counted / (double)rexp;
	else if (bexp)
		frac = (double)bytes / (double)bexp;
	if (frac > 1)
		frac = 1;
	if (frac >= 0.99 && p->estimated)
		frac = 0.99;
	return frac;
}

/* "37% 2100000/5600000 rows, 120.3 MB/s, ETA 32 s" */
static void
overall(const struct progress *p, struct strbuf *o)
{
	uint64_t rows, bytes, rexp, bexp;
	double secs = elapsed(p), frac = -1, rate;
	char b[32];

	totals(p, &rows, &bytes, &rexp, &bexp);
	frac = fraction(p, bytes, rexp, bexp);
	rate = secs > 0 ? (double)bytes / secs : 0;
	human_bytes(b, sizeof(b), rate);
	if (frac >= 0)
		strbuf_addf(o, "%3.0f%% ", 100 * frac);
	strbuf_addf(o, "%" PRIu64, rows);
	if (rexp)
		strbuf_addf(o, "/%s%" PRIu64, p->estimated ? "~" : "", rexp);
	strbuf_addf(o, " rows, %s/s", b);
	if (frac > 0.02 && frac < 1)
		strbuf_addf(o, ", ETA %.0f s", secs / frac - secs);
}

static void
bar(struct strbuf *o, double frac, int width)
{
	int fill = (int)(frac * width + 0.5);

	strbuf_addch(o, '[');
	for (int i = 0; i < width; i++)
		strbuf_addch(o, i < fill ? '=' : i == fill ? '>' : ' ');
	strbuf_addch(o, ']');
}

/* Takes the drawn block off the screen; the caller holds the lock. */
static void
erase(struct progress *p)
{
	for (int i = 0; i < p->drawn; i++)
		fputs("\033[1A\033[2K", p->out);
	if (p->drawn)
		fputc('\r', p->out);
	p->drawn = 0;
	fflush(p->out);
}

/* A log line is about to be written: clear the block, the next tick
 * draws it again below the line. */
static void
before_log(void *arg)
{
	struct progress *p = arg;

	pthread_mutex_lock(&p->mu);
	erase(p);
	pthread_mutex_unlock(&p->mu);
}

/* Redraws the terminal block: a line per running table, then the total.
 * The caller holds the lock. */
static void
draw(struct progress *p)
{
	struct strbuf o = STRBUF_INIT;
	uint64_t rows, bytes, rexp, bexp;
	int lines = 0;

	erase(p);
	for (int i = 0; i < p->n; i++) {
		const struct ptable *t = &p->t[i];
		double frac = t->rows_expected ? (double)t->rows / (double)t->rows_expected
			      : t->bytes_expected ? (double)t->bytes / (double)t->bytes_expected
			      : t->parts ? (double)t->parts_done / t->parts : 0;
		double secs = now_seconds() - p->t0 - t->started;
		char b[32];

		if (!t->running)
			continue;
		human_bytes(b, sizeof(b), secs > 0 ? (double)t->bytes / secs : 0);
		strbuf_addf(&o, "\033[2K  %-30.30s ", t->name);
		bar(&o, frac > 1 ? 1 : frac, 20);
		strbuf_addf(&o, " %12" PRIu64 " rows %10s/s\n", t->rows, b);
		lines++;
	}
	totals(p, &rows, &bytes, &rexp, &bexp);
	strbuf_addf(&o, "\033[2K%s ", p->verb);
	{
		double frac = fraction(p, bytes, rexp, bexp);

		bar(&o, frac < 0 ? 0 : frac, 30);
	}
	strbuf_addch(&o, ' ');
	overall(p, &o);
	strbuf_addch(&o, '\n');
	if (p->step) {
		strbuf_addf(&o, "\033[2K  %s\n", p->step);
		lines++;
	}
	fputs(o.buf, p->out);
	fflush(p->out);
	p->drawn = lines + 1;
	strbuf_release(&o);
}

/* The periodic JSON event: the numbers of the terminal's total line. The
 * caller holds the lock. */
static void
progress_event(struct progress *p)
{
	uint64_t rows, bytes, rexp, bexp;
	double frac, secs = elapsed(p);
	json_t *ev = event("progress", NULL);

	totals(p, &rows, &bytes, &rexp, &bexp);
	frac = fraction(p, bytes, rexp, bexp);
	json_object_set_new(ev, "rows", json_integer((json_int_t)rows));
	json_object_set_new(ev, "rows_expected", json_integer((json_int_t)rexp));
	json_object_set_new(ev, "estimated", json_boolean(p->estimated));
	json_object_set_new(ev, "bytes", json_integer((json_int_t)bytes));
	json_object_set_new(ev, "percent", frac >= 0 ? json_real(round(1000 * frac) / 10)
			    : json_null());
	json_object_set_new(ev, "eta_seconds", frac > 0.02 && frac < 1 ?
			    json_real(round(10 * (secs / frac - secs)) / 10) : json_null());
	if (p->step)
		json_object_set_new(ev, "step", json_string(p->step));
	emit(p, ev);
}

static void *
reporter(void *arg)
{
	struct progress *p = arg;
	long knob = testknob_progress_ms();
	double period = knob > 0 ? (double)knob / 1000 : p->mode == PROGRESS_TTY ? 0.25
			: p->mode == PROGRESS_JSON ? 1 : 10;

	pthread_mutex_lock(&p->mu);
	while (!p->stop) {
		struct timespec ts;
		double until = now_seconds() + period;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (time_t)period;
		ts.tv_nsec += (long)((period - (double)(long)period) * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->cv, &p->mu, &ts);
		if (p->stop || now_seconds() < until - 0.01)
			continue;
		if (p->mode == PROGRESS_TTY) {
			draw(p);
		} else if (p->mode == PROGRESS_JSON) {
			progress_event(p);
		} else {
			struct strbuf o = STRBUF_INIT;

			overall(p, &o);
			/* not under our lock: logging may take it (before_log) */
			pthread_mutex_unlock(&p->mu);
			log_info("%s progress: %s", p->verb, o.buf);
			pthread_mutex_lock(&p->mu);
			strbuf_release(&o);
		}
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

void
progress_begin(struct progress *p)
{
	p->t0 = now_seconds();
	if (p->mode == PROGRESS_TTY)
		log_set_hook(before_log, p);
	if (p->mode == PROGRESS_TTY || p->mode == PROGRESS_LOG || p->mode == PROGRESS_JSON)
		p->thread_on = pthread_create(&p->th, NULL, reporter, p) == 0;
}

void
progress_part_start(struct progress *p, int ti)
{
	struct ptable *t = &p->t[ti];

	pthread_mutex_lock(&p->mu);
	if (t->running++ == 0 && t->started < 0) {
		t->started = elapsed(p);
		if (p->mode == PROGRESS_JSON) {
			json_t *ev = event("table_start", t);

			json_object_set_new(ev, "rows_expected", json_integer((json_int_t)t->rows_expected));
			json_object_set_new(ev, "bytes_expected", json_integer((json_int_t)t->bytes_expected));
			emit(p, ev);
		}
	}
	pthread_mutex_unlock(&p->mu);
}

void
progress_rows(struct progress *p, int ti, uint64_t rows, uint64_t bytes)
{
	pthread_mutex_lock(&p->mu);
	p->t[ti].rows += rows;
	p->t[ti].bytes += bytes;
	pthread_mutex_unlock(&p->mu);
}

void
progress_chunk_done(struct progress *p, int ti, const char *chunk, uint64_t rows,
		    uint64_t bytes)
{
	if (p->mode != PROGRESS_JSON)
		return;
	pthread_mutex_lock(&p->mu);
	{
		json_t *ev = event("chunk_done", &p->t[ti]);

		json_object_set_new(ev, "chunk", json_string(chunk));
		json_object_set_new(ev, "rows", json_integer((json_int_t)rows));
		json_object_set_new(ev, "bytes", json_integer((json_int_t)bytes));
		emit(p, ev);
	}
	pthread_mutex_unlock(&p->mu);
}

void
progress_step(struct progress *p, const char *what, int k, int n)
{
	char line[512];

	snprintf(line, sizeof(line), "%s (%d of %d)", what, k, n);
	pthread_mutex_lock(&p->mu);
	free(p->step);
	p->step = xstrdup(line);
	if (p->mode == PROGRESS_JSON) {
		json_t *ev = event("step", NULL);

		json_object_set_new(ev, "what", json_string(what));
		json_object_set_new(ev, "step", json_integer(k));
		json_object_set_new(ev, "of", json_integer(n));
		emit(p, ev);
	}
	pthread_mutex_unlock(&p->mu);
	if (p->mode == PROGRESS_LOG)
		log_info("%s: %s", p->verb, line);
	else if (p->mode == PROGRESS_TTY) {
		pthread_mutex_lock(&p->mu);
		draw(p);
		pthread_mutex_unlock(&p->mu);
	}
}

void
progress_part_done(struct progress *p, int ti)
{
	struct ptable *t = &p->t[ti];

	pthread_mutex_lock(&p->mu);
	t->running--;
	if (++t->parts_done >= t->parts && t->finished < 0) {
		t->finished = elapsed(p);
		if (p->mode == PROGRESS_JSON) {
			json_t *ev = event("table_done", t);

			json_object_set_new(ev, "rows", json_integer((json_int_t)t->rows));
			json_object_set_new(ev, "bytes", json_integer((json_int_t)t->bytes));
			json_object_set_new(ev, "table_seconds", json_real(t->finished - t->started));
			emit(p, ev);
		}
	}
	pthread_mutex_unlock(&p->mu);
}

static void
summary_table(struct progress *p)
{
	uint64_t rows, bytes, rexp, bexp;
	double secs = elapsed(p);

	fprintf(p->out, "%-40s %14s %12s %9s %10s\n", "table", "rows", "MB", "seconds", "MB/s");
	for (int i = 0; i < p->n; i++) {
		const struct ptable *t = &p->t[i];
		double s = t->finished >= 0 && t->started >= 0 ? t->finished - t->started : 0;

		fprintf(p->out, "%-40s %14" PRIu64 " %12.1f %9.2f %10.1f\n", t->name, t->rows,
			(double)t->bytes / 1e6, s, s > 0 ? (double)t->bytes / 1e6 / s : 0);
	}
	totals(p, &rows, &bytes, &rexp, &bexp);
	fprintf(p->out, "%-40s %14" PRIu64 " %12.1f %9.2f %10.1f\n", "total", rows,
		(double)bytes / 1e6, secs, secs > 0 ? (double)bytes / 1e6 / secs : 0);
}

void
progress_end(struct progress *p, int ok)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	if (p->thread_on)
		pthread_join(p->th, NULL);
	if (p->mode == PROGRESS_TTY) {
		log_set_hook(NULL, NULL);
		erase(p);
	}
	if (p->mode == PROGRESS_JSON) {
		uint64_t rows, bytes, rexp, bexp;
		json_t *ev = event("summary", NULL), *tables = json_array();

		totals(p, &rows, &bytes, &rexp, &bexp);
		json_object_set_new(ev, "ok", json_boolean(ok));
		json_object_set_new(ev, "rows", json_integer((json_int_t)rows));
		json_object_set_new(ev, "bytes", json_integer((json_int_t)bytes));
		for (int i = 0; i < p->n; i++) {
			json_t *t = json_object();

			json_object_set_new(t, "table", json_string(p->t[i].name));
			json_object_set_new(t, "rows", json_integer((json_int_t)p->t[i].rows));
			json_object_set_new(t, "bytes", json_integer((json_int_t)p->t[i].bytes));
			json_object_set_new(t, "table_seconds", json_real(
				p->t[i].finished >= 0 ? p->t[i].finished - p->t[i].started : 0));
			json_array_append_new(tables, t);
		}
		json_object_set_new(ev, "tables", tables);
		emit(p, ev);
	} else if (ok && p->mode != PROGRESS_NONE && p->n && !p->no_summary) {
		summary_table(p);
	}
	free(p->step);
	for (int i = 0; i < p->n; i++)
		free(p->t[i].name);
	free(p->t);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}
