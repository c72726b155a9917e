# dbmig - see README.md. `make`, `make check`, `make demo`, `make install`.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
CC      ?= cc

MYSQL_PC := $(shell $(PKG_CONFIG) --exists libmariadb 2>/dev/null && echo libmariadb || \
	      ($(PKG_CONFIG) --exists mysqlclient 2>/dev/null && echo mysqlclient))
PKGS    := libpq $(MYSQL_PC) libzstd libxxhash jansson
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wformat=2 -Wshadow \
	   -Wno-missing-field-initializers -pthread $(PKG_CFLAGS)
LDFLAGS += -pthread
LDLIBS  += $(PKG_LIBS) -lm
ifdef DEVELOPER
CFLAGS  += -Werror
endif
ifdef SANITIZE
CFLAGS  += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif

LIB_SRCS := lib/util.c lib/json_util.c lib/progress.c lib/md5.c lib/vform.c lib/vform_json.c lib/dberr.c lib/log.c lib/types.c lib/canon.c lib/schema.c \
	    lib/driver.c lib/workpool.c lib/dump.c lib/load.c lib/verify.c lib/verify_rows.c lib/vsql.c lib/keyrange.c lib/blockq.c lib/rowpipe.c lib/copy.c \
	    lib/pg/pg_text.c lib/pg/pg_schema.c lib/pg/pg_ddl.c lib/pg/pg_ddl_mysql.c \
	    lib/pg/drv_pg.c lib/pg/pg_verify.c lib/pg/pg_split.c \
	    lib/mysql/my_text.c lib/mysql/my_uri.c lib/mysql/my_schema.c \
	    lib/mysql/my_ddl.c lib/mysql/my_ddl_pg.c lib/mysql/drv_mysql.c lib/mysql/my_verify.c lib/mysql/my_split.c \
	    dumpfmt/dumpfmt_dir.c dumpfmt/chunk_zstd.c dumpfmt/manifest.c
CMD_SRCS := cmd/main.c cmd/copy.c cmd/dump.c cmd/load.c cmd/verify.c
UNIT_SRCS := $(wildcard tests/unit/t_*.c)

LIB_OBJS := $(LIB_SRCS:.c=.o)
CMD_OBJS := $(CMD_SRCS:.c=.o)
UNIT_BINS := $(UNIT_SRCS:.c=)

all: dbmig

# Rebuild everything when the compiler or flags change (SANITIZE=, CC=).
BUILD_FLAGS := $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS)
.build-flags: FORCE
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' >$@
$(LIB_OBJS) $(CMD_OBJS) $(UNIT_BINS): .build-flags
FORCE:

dbmig: $(CMD_OBJS) libdbmig.a
	$(CC) $(LDFLAGS) -o $@ $(CMD_OBJS) libdbmig.a $(LDLIBS)

libdbmig.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

%.o: %.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

tests/unit/t_%: tests/unit/t_%.c libdbmig.a tests/unit/tinytest.h
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< libdbmig.a $(LDFLAGS) $(LDLIBS)

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)

# Installs missing build and test dependencies (apt-get when root).
deps:
	@scripts/deps.sh

check: deps
	$(MAKE) all unit-bins
	tests/run-all

check-unit: all unit-bins
	tests/run-unit

unit-bins: $(UNIT_BINS)

# Unit tests under valgrind: no leaks, no invalid accesses.
check-valgrind: all unit-bins
	tests/run-unit --valgrind

# Figures beside pg_dump/pg_restore and pgloader; prints tables, never
# fails on speed. BENCH_SCALE: pgbench scale; BENCH_ROWS: sysbench rows/table.
bench: all
	-@scripts/deps.sh pgloader mydumper pgcopydb
	bench/pg-vs-pgdump.sh $(BENCH_SCALE)
	bench/mysql-to-pg.sh $(BENCH_ROWS)
	bench/verify.sh $(BENCH_ROWS)
	bench/peers.sh $(BENCH_PEER_ROWS)

demo: deps
	$(MAKE) all
	tests/demo.sh

lint-man:
	mandoc -Tlint -W warning man/*.1 man/*.5 man/*.7

install: all
	install -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(MANDIR)/man5' \
		'$(DESTDIR)$(MANDIR)/man7'
	install -m 0755 dbmig '$(DESTDIR)$(BINDIR)/'
	install -m 0644 man/*.1 '$(DESTDIR)$(MANDIR)/man1/'
	install -m 0644 man/*.5 '$(DESTDIR)$(MANDIR)/man5/'
	install -m 0644 man/*.7 '$(DESTDIR)$(MANDIR)/man7/'

uninstall:
	rm -f '$(DESTDIR)$(BINDIR)/dbmig'
	cd man && for f in *.1; do rm -f '$(DESTDIR)$(MANDIR)/man1/'"$$f"; done
	cd man && for f in *.5; do rm -f '$(DESTDIR)$(MANDIR)/man5/'"$$f"; done
	cd man && for f in *.7; do rm -f '$(DESTDIR)$(MANDIR)/man7/'"$$f"; done

clean:
	rm -f dbmig libdbmig.a .build-flags $(LIB_OBJS) $(CMD_OBJS) $(UNIT_BINS) \
	      $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)

.PHONY: FORCE all bench deps check check-unit check-valgrind unit-bins demo lint-man install uninstall clean
