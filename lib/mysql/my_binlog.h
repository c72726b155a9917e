/*
 * my_binlog.h - change capture from a MySQL/MariaDB source: what the
 * binlog stream (my_binlog_stream.c) and the start of capture
 * (my_capture.c) share inside lib/mysql.
 */
#ifndef DBMIG_MY_BINLOG_H
#define DBMIG_MY_BINLOG_H

#include <stdint.h>

#include "my_int.h"

struct cdc_slot_status;

/* The source can feed a binlog tail: log_bin, binlog_format=ROW, a row
 * image dbmig can apply, the privileges, a server_id of its own, and
 * (start_file not NULL) the start file still on the server. Each
 * failure names the setting and the fix (DBERR_SOURCE: exit 3). */
int my_binlog_preflight(struct db_conn *c, const char *start_file, uint32_t server_id,
			struct dberr *err);

/* *has is 1 when the server still lists binlog file (SHOW BINARY LOGS). */
int my_binlog_has_file(struct db_conn *c, const char *file, int *has, struct dberr *err);

/* The server_id a tail of the capture named slot registers with: one
 * per dump, far from the small numbers servers are given. */
uint32_t my_binlog_server_id(const char *slot);

/* The source's binlog position now, with its GTID set. */
int my_binlog_position(struct db_conn *c, struct db_position *pos, struct dberr *err);

/* Bytes of binlog from file:pos to the end, and the retention that
 * decides how long the server keeps them. */
int my_binlog_retained(struct db_conn *c, const char *file, uint64_t pos, int64_t *bytes,
		       char *status, size_t n, struct dberr *err);

int my_capture_begin(struct db_conn *c, const char *uri, const struct schema_filter *f,
		     const char *name, unsigned flags, int others, struct db_snapshot *snap,
		     struct dberr *err);
int my_snapshot_exact(struct db_conn *c, const char *uri, struct db_snapshot *snap,
		      struct dberr *err);
int my_capture_drop(struct db_conn *c, const char *slot, const char *publication,
		    struct dberr *err);
int my_capture_status(struct db_conn *c, const char *slot, struct cdc_slot_status *st,
		      struct dberr *err);

/* The source's half of the cutover role (my_fence.c). */
struct cutover_clients;
int my_cutover_clients(struct db_conn *c, void (*fn)(void *arg, const struct cutover_clients *g),
		       void *arg, struct dberr *err);
int my_cutover_coverage(struct db_conn *c, const char *publication, struct strlist *problems,
			struct dberr *err);
int my_cutover_source_privileges(struct db_conn *c, struct strlist *missing, struct dberr *err);
void my_cutover_fence_sql(struct db_conn *c, int on, struct strbuf *out);
int my_cutover_fence(struct db_conn *c, int on, double since, int *ended, struct dberr *err);
int my_cutover_fenced(struct db_conn *c, int *on, struct dberr *err);
int my_cutover_marker(struct db_conn *c, const char *text, struct db_position *marker,
		      struct db_position *after, struct dberr *err);
int my_cutover_writes_after(struct db_conn *c, const char *slot, const char *publication,
			    const struct db_position *from, const struct db_position *to,
			    int64_t *n, struct dberr *err);

#endif
