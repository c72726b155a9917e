/*
 * cdc_start.h - what change apply gives the load of an online dump
 * (load_online_hooks, load.h): whether the target's state holds a dump,
 * and the record of where its changes start.
 */
#ifndef DBMIG_CDC_START_H
#define DBMIG_CDC_START_H

#include "lib/load/load.h"

extern const struct load_online_hooks cdc_load_online;

#endif
