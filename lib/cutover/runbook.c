/*
 * runbook.c - the exact commands of a pair's cutover and of its way
 * back (cutover.h). Connection strings appear as the shell variables
 * SOURCE and TARGET, set first from what dbmig connected to, without
 * any password (PGPASSWORD, ~/.pgpass or the URI supply it).
 */
#include "cutover.h"

#include <stdio.h>
#include <string.h>

#include "lib/base/banned.h"

static void
line(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
line(struct strlist *l, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strlist_push(l, sb.buf);
	strbuf_release(&sb);
}

/* --proxy's URI without a password. */
static void
proxy_shown(const char *uri, char *out, size_t n)
{
	const char *at = strchr(uri, '@'), *colon = strchr(uri + 12, ':');

	if (at && colon && colon < at)
		snprintf(out, n, "%.*s%s", (int)(colon - uri), uri, at);
	else
		snprintf(out, n, "%s", uri);
}

void
cutover_runbook(const struct cutover_opts *o, const struct cutover_report *r,
		struct strlist *l)
{
	const char *dbmig = o->dbmig ? o->dbmig : "dbmig";
	int same = !strcmp(r->source_engine, r->target_engine);
	char proxy[512], proxy_args[1200];

	proxy_shown(o->proxy ? o->proxy : "pgbouncer://ADMIN@HOST:6432/DBNAME", proxy,
		    sizeof(proxy));
	snprintf(proxy_args, sizeof(proxy_args), "--proxy %s --proxy-config %s", proxy,
		 o->proxy_config ? o->proxy_config : "/etc/pgbouncer/pgbouncer.ini");
	line(l, "SOURCE='%s'", r->source_desc);
	line(l, "TARGET='%s'", r->target_desc);
	line(l, "# 1. readiness: every check ok (this report); a live verify within --verify-age");
	line(l, "%s verify \"$SOURCE\" \"$TARGET\"", dbmig);
	line(l, "%s cutover-plan \"$SOURCE\" \"$TARGET\"", dbmig);
	line(l, "# 2. rehearse: each step with its SQL, each privilege checked, nothing changed");
	if (same) {
		line(l, "%s cutover-plan \"$SOURCE\" \"$TARGET\" --execute --dry-run %s --reverse",
		     dbmig, proxy_args);
		line(l, "# 3. the switch, through PgBouncer: clients keep their connection string "
		     "and wait (PAUSE) instead of failing; the source is fenced read-only, the marker "
		     "applied, sequences set, a reverse stream created on the target, the entry "
		     "pointed at the target (RELOAD), then RESUME");
		line(l, "%s cutover-plan \"$SOURCE\" \"$TARGET\" --execute %s --reverse", dbmig,
		     proxy_args);
		line(l, "# 4. keep the reverse stream applying the new primary's writes to the old "
		     "one, for the way back");
		line(l, "%s cdc-tail \"$TARGET\" \"$SOURCE\"", dbmig);
		line(l, "# rollback, after the switch: fence the target, wait for the reverse "
		     "stream, point the entry back, lift the source's fence");
		line(l, "%s cutover-plan \"$SOURCE\" \"$TARGET\" --rollback %s", dbmig, proxy_args);
	} else {
		line(l, "%s cutover-plan \"$SOURCE\" \"$TARGET\" --execute --dry-run "
		     "--switch-cmd ./switch-clients.sh --reverse", dbmig);
		line(l, "# 3. the switch, across engines: no proxy translates %s's protocol into "
		     "%s's, so the clients are redeployed: the command gets DBMIG_CUTOVER_TARGET "
		     "(no password) and runs once the source is fenced and the target holds every "
		     "write; --reverse makes the change stream back first", r->source_engine,
		     r->target_engine);
		line(l, "%s cutover-plan \"$SOURCE\" \"$TARGET\" --execute --switch-cmd "
		     "./switch-clients.sh --reverse", dbmig);
		line(l, "# 4. keep the reverse stream applying the new primary's writes to the old "
		     "one, for the way back");
		line(l, "%s cdc-tail \"$TARGET\" \"$SOURCE\"", dbmig);
		line(l, "# rollback, after the switch: fence the target, wait for the reverse "
		     "stream, run the command with DBMIG_CUTOVER_ACTION=rollback, lift the "
		     "source's fence");
		line(l, "%s cutover-plan \"$SOURCE\" \"$TARGET\" --rollback --switch-cmd "
		     "./switch-clients.sh", dbmig);
		line(l, "# without --reverse, the way back once clients wrote on the target is "
		     "offline:");
		line(l, "# after they wrote there, the way back is offline: %s copy \"$TARGET\" "
		     "\"$SOURCE\" with writes stopped", dbmig);
	}
}
