/* version.h - the one place the version is written. */
#ifndef DBMIG_VERSION_H
#define DBMIG_VERSION_H
#define DBMIG_VERSION "0.1.0"
#endif
