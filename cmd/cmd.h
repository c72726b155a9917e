/*
 * cmd.h - what the subcommand files share with main.c.
 */
#ifndef DBMIG_CMD_H
#define DBMIG_CMD_H

#include <stdint.h>

int cmd_dump(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* Copies a connection string and blanks any password in argv, so `ps`
 * stops showing it; warns that it was visible until now. */
char *take_conninfo_arg(char *arg, const char *what);
/* Parses "64M", "1G", "4096"; returns 0 or -1. */
int parse_size(const char *s, uint64_t *out);
/* Parses a positive int with an upper bound; returns 0 or -1. */
int parse_jobs(const char *s, int *out);
/* Prints "dbmig: error: ..." and "Try 'dbmig SUB --help'." and returns 2. */
int usage_error(const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
