/*
 * dumpfmt.h - the dump directory format, version 1 (dumpfmt/SPEC.md).
 *
 * A dump is a directory (0700) holding manifest.json and one zstd file
 * per chunk (0600). Writers create every file under a temporary name,
 * fsync it and rename it into place, so a file with a final name is
 * always complete; the manifest is written last, so a directory without
 * one is an incomplete dump. Readers trust nothing: names are checked
 * against a fixed pattern, sizes and checksums against the manifest.
 */
#ifndef DBMIG_DUMPFMT_H
#define DBMIG_DUMPFMT_H

#include <stdint.h>

#include "lib/base/canon.h"
#include "lib/base/dberr.h"
#include "lib/base/position.h"
#include "lib/base/schema.h"

#define DUMPFMT_VERSION		1
#define DUMPFMT_MANIFEST	"manifest.json"
#define DUMPFMT_CHUNK_MAGIC	"DBMIGCK1"
/* A manifest bigger than this is not ours (64 MiB holds ~100k tables). */
#define DUMPFMT_MAX_MANIFEST	((size_t)64 << 20)

/* What the manifest says besides the schema (SPEC.md section 2). */
struct dump_meta {
	char dump_id[33];	/* random, hex; keys the target's ledger */
	char tool_version[32];
	char created_at[32];	/* UTC, ISO 8601 */
	char engine[32];	/* "postgresql" */
	char server_version[64];
	char database[256];
	char snapshot_kind[32];	/* "pg-exported-snapshot" */
	struct db_position position;	/* of the snapshot (SPEC.md section 2) */
	int inconsistent;	/* readers did not share one snapshot (asked for) */
	int has_schema;		/* DDL may be replayed from this dump */
	int has_data;		/* chunks are present */
	int unmapped_as_text;	/* --unmapped-as-text was given */
	/* dump --online: the source's replication slot and publication
	 * that keep the changes after the snapshot, or "" */
	char slot[64];
	char publication[64];
};

/*
 * Creates dir for a new dump (0700). An existing empty directory is
 * reused; anything else is refused. *created tells whether dir was made
 * here, so a failed dump can remove it again.
 */
int dumpfmt_dir_create(const char *dir, int *created, struct dberr *err);
/* Removes the files a failed dump left (temporaries included) and, when
 * created, the directory. Only names matching the dump's patterns. */
void dumpfmt_dir_cleanup(const char *dir, int created);

/* Checks that name is a chunk file name this format produces. */
int dumpfmt_chunk_name_ok(const char *name);

/* Chunk writer: canonical rows in, one zstd file out. */
struct chunk_writer;
struct chunk_writer *chunk_writer_open(const char *dir, const char *name,
				       int ncols, int level, struct dberr *err);
int chunk_writer_row(struct chunk_writer *w, const struct value *vals,
		     struct dberr *err);
uint64_t chunk_writer_raw_bytes(const struct chunk_writer *w);
/* Finishes, fsyncs and renames the file into place; fills c (c->file is
 * set to a copy of the name). Frees w whatever the outcome. */
int chunk_writer_finish(struct chunk_writer *w, struct chunk *c,
			struct dberr *err);
/* Drops a writer and its temporary file. Accepts NULL. */
void chunk_writer_abort(struct chunk_writer *w);

/* Chunk reader: verifies as it goes; the last row is only handed out
 * once the end marker, row count and checksum have been checked. */
struct chunk_reader;
struct chunk_reader *chunk_reader_open(const char *dir, const struct chunk *c,
				       int ncols, struct dberr *err);
/* Returns 1 with vals filled (valid until the next call), 0 at the
 * verified end, -1 on error (err names the file). */
int chunk_reader_next(struct chunk_reader *r, struct value *vals,
		      struct dberr *err);
void chunk_reader_close(struct chunk_reader *r);
/* Reads a whole chunk, checking its size, rows and both checksums: 0 when
 * it is intact, -1 with err naming the file when it is not. For a load
 * whose target refused a row: a damaged chunk is reported as such. */
int chunk_check(const char *dir, const struct chunk *c, int ncols, struct dberr *err);

/* Manifest. */
int manifest_write(const char *dir, const struct dump_meta *m,
		   const struct schema_model *s, struct dberr *err);
int manifest_read(const char *dir, struct dump_meta *m,
		  struct schema_model *s, struct dberr *err);
/* The manifest as JSON text (malloc'd; NULL when out of memory), and
 * back: a direct copy hands its model to the load side this way, so it
 * sees exactly what a load of the same dump would. path names the text
 * in messages. */
char *manifest_encode(const struct dump_meta *m, const struct schema_model *s);
int manifest_parse(const char *text, size_t len, const char *path,
		   struct dump_meta *m, struct schema_model *s, struct dberr *err);

/* Writes data to dir/name via a temporary file, fsync and rename. */
int dumpfmt_write_file_atomic(const char *dir, const char *name,
			      const void *data, size_t len, struct dberr *err);

#endif
