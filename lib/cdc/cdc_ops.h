/*
 * cdc_ops.h - the change-capture role of a driver: reading the source's
 * change stream (PostgreSQL logical replication with pgoutput, the
 * MySQL/MariaDB binlog) as neutral change events from a struct
 * db_position on. Empty until cdc-tail lands; the slot in struct
 * db_driver exists so that it plugs in without touching dump, load or
 * verify.
 */
#ifndef DBMIG_CDC_OPS_H
#define DBMIG_CDC_OPS_H

#include "lib/engine/driver.h"

struct db_cdc_ops {
	/* Nothing yet: the next issues define the change reader. A driver
	 * leaves its cdc pointer NULL, and cdc-tail refuses such an engine
	 * by name. */
	int reserved;
};

#endif
