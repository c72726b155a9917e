# dbmig - see README.md. `make`, `make check`, `make demo`, `make install`.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
CC      ?= cc

MYSQL_PC := $(shell $(PKG_CONFIG) --exists libmariadb 2>/dev/null && echo libmariadb || \
	      ($(PKG_CONFIG) --exists mysqlclient 2>/dev/null && echo mysqlclient))
PKGS    := libpq $(or $(MYSQL_PC),libmariadb) libzstd libxxhash jansson
# One missing library would empty every flag and confuse the compile
# that follows: name it instead (see INSTALL for the package).
PKGS_MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell $(PKG_CONFIG) --exists $(p) 2>/dev/null && echo y),,$(p))))
ifneq ($(PKGS_MISSING),)
ifeq ($(filter deps clean lint-man uninstall,$(MAKECMDGOALS)),)
ifeq ($(filter check demo,$(MAKECMDGOALS)),)
$(error $(PKG_CONFIG) cannot find: $(PKGS_MISSING) (install its -dev package, see INSTALL; 'make deps' does it on Debian as root))
endif
endif
endif
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# CFLAGS and LDFLAGS are the user's (make CFLAGS=-O0 keeps working); what
# the build needs is in ALL_CFLAGS and ALL_LDFLAGS, as in git's Makefile.
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -I. -Wall -Wextra -Wformat=2 -Wshadow \
	     -Wno-missing-field-initializers -pthread $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pthread $(LDFLAGS)
LDLIBS  += $(PKG_LIBS) -lm
ifdef DEVELOPER
ALL_CFLAGS += -Werror
endif
ifdef SANITIZE
ALL_CFLAGS  += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

# lib/ by layer: base, then the engines (and dumpfmt/ at the top), then
# the procedures. See lib/README.md.
LIB_DIRS := lib/base dumpfmt lib/engine lib/pg lib/mysql lib/dump lib/load lib/copy \
	    lib/verify lib/cdc lib/cutover
LIB_SRCS := $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
CMD_SRCS := $(sort $(wildcard cmd/*.c))
UNIT_SRCS := $(wildcard tests/unit/t_*.c)
# Test tools: small programs the integration tests run (not installed).
TOOL_SRCS := $(wildcard tests/tools/*.c)

LIB_OBJS := $(LIB_SRCS:.c=.o)
CMD_OBJS := $(CMD_SRCS:.c=.o)
UNIT_BINS := $(UNIT_SRCS:.c=)
TOOL_BINS := $(TOOL_SRCS:.c=)

all: dbmig

# Rebuild everything when the compiler or flags change (SANITIZE=, CC=).
BUILD_FLAGS := $(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS)
.build-flags: FORCE
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' >$@
$(LIB_OBJS) $(CMD_OBJS) $(UNIT_BINS) $(TOOL_BINS): .build-flags
FORCE:

dbmig: $(CMD_OBJS) libdbmig.a
	$(CC) $(ALL_LDFLAGS) -o $@ $(CMD_OBJS) libdbmig.a $(LDLIBS)

libdbmig.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJS)

%.o: %.c
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

tests/tools/%: tests/tools/%.c libdbmig.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< libdbmig.a $(ALL_LDFLAGS) $(LDLIBS)

tests/unit/t_%: tests/unit/t_%.c libdbmig.a tests/unit/tinytest.h
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< libdbmig.a $(ALL_LDFLAGS) $(LDLIBS)

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)

# Installs missing build and test dependencies (apt-get when root).
deps:
	@scripts/deps.sh

check: deps
	$(MAKE) all unit-bins
	tests/run-all

check-unit: all unit-bins
	tests/run-unit

unit-bins: $(UNIT_BINS) $(TOOL_BINS)

# The binlog decoder under libFuzzer with ASan and UBSan (clang and
# Debian's libfuzzer-14-dev): FUZZ_RUNS inputs from the captured events
# in tests/fuzz/seeds, in a corpus directory of its own.
FUZZ_RUNS ?= 1000000
FUZZ_SRCS := lib/base/crc.c lib/base/latin1.c lib/mysql/binlog_event.c lib/mysql/binlog_rows.c lib/mysql/binlog_json.c \
	     lib/mysql/binlog_charset.c lib/mysql/binlog_gtid.c lib/base/util.c
tests/fuzz/fuzz_binlog: tests/fuzz/fuzz_binlog.c $(FUZZ_SRCS) lib/mysql/binlog.h lib/mysql/binlog_int.h
	clang -g -O1 -I. -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-o $@ tests/fuzz/fuzz_binlog.c $(FUZZ_SRCS)

fuzz: tests/fuzz/fuzz_binlog
	@d=$$(mktemp -d) && cp tests/fuzz/seeds/* "$$d" && \
	tests/fuzz/fuzz_binlog -runs=$(FUZZ_RUNS) -max_len=8192 -print_final_stats=1 "$$d" \
		>"$$d.log" 2>&1; rc=$$?; \
	grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' "$$d.log"; \
	[ $$rc = 0 ] || tail -40 "$$d.log"; rm -rf "$$d" "$$d.log"; exit $$rc

# Every source through clang's warnings (syntax and semantic checks only,
# so gcc's objects stay): the build is warning-free under both compilers.
CLANG ?= clang
check-clang:
	@for f in $(LIB_SRCS) $(CMD_SRCS) $(UNIT_SRCS) $(TOOL_SRCS); do \
		$(CLANG) -fsyntax-only $(CPPFLAGS) $(filter-out -pthread,$(ALL_CFLAGS)) -Werror "$$f" || exit 1; \
	done

# Unit tests under valgrind: no leaks, no invalid accesses.
check-valgrind: all unit-bins
	tests/run-unit --valgrind

# The larger fault and hostile-input trials (tests/chaos.sh): loads killed
# at random instants, concurrent loads, cut connections, FIFOs, a
# decompression bomb, damaged manifests and chunks; prints a table.
# CHAOS_TRIALS: trials per case; CHAOS_ROWS: rows per source table.
chaos: deps
	$(MAKE) all
	tests/chaos.sh

# Figures beside pg_dump/pg_restore and pgloader; prints tables, never
# fails on speed. BENCH_SCALE: pgbench scale; BENCH_ROWS: sysbench rows/table;
# BENCH_LARGE_ROWS: rows of cdc-large.sh's one source transaction;
# BENCH_CDC_MY_TX: sysbench transactions of cdc-mysql.sh's backlog.
bench: all
	-@scripts/deps.sh pgloader mydumper pgcopydb
	bench/pg-vs-pgdump.sh $(BENCH_SCALE)
	bench/mysql-to-pg.sh $(BENCH_ROWS)
	bench/verify.sh $(BENCH_ROWS)
	bench/peers.sh $(BENCH_PEER_ROWS)
	bench/cdc.sh $(BENCH_CDC_TX)
	bench/cutover.sh $(BENCH_CUTOVER_RUNS)
	bench/cdc-large.sh $(BENCH_LARGE_ROWS)
	bench/cdc-mysql.sh $(BENCH_CDC_MY_TX)

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
	rm -f dbmig libdbmig.a .build-flags $(LIB_OBJS) $(CMD_OBJS) $(UNIT_BINS) $(TOOL_BINS) \
	      $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)

.PHONY: FORCE all bench chaos deps fuzz check check-clang check-unit check-valgrind unit-bins demo lint-man install uninstall clean
