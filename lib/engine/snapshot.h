/*
 * snapshot.h - what the roles that read a source share: the snapshot
 * they read at and the filter of the tables they read. The source role
 * (lib/dump/source.h) opens one; change capture (lib/cdc/cdc_ops.h)
 * opens one at the start of its stream.
 */
#ifndef DBMIG_SNAPSHOT_H
#define DBMIG_SNAPSHOT_H

#include "lib/base/position.h"
#include "lib/base/util.h"

/* A point in time on the source that every worker reads at. */
struct db_snapshot {
	char id[128];		/* PostgreSQL: exported snapshot name */
	char kind[32];		/* "pg-exported-snapshot" */
	struct db_position pos;	/* the log position of the snapshot, exact
				 * or (read inside it) a lower bound */
	int shareable;		/* other connections that may import it */
	int consistent;		/* 0 only when the user allowed per-worker snapshots */
	/* change capture that starts exactly at the snapshot (dump
	 * --online): where the changes after it are kept, or "" */
	char slot[64];
	char publication[64];
};

struct schema_filter {
	struct strlist include;	/* -t patterns; empty = all tables */
	struct strlist exclude;	/* -T patterns */
	int unmapped_as_text;	/* carry unmapped types as text (warned) */
};

#endif
