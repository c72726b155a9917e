#!/bin/sh
# deps.sh - checks what dbmig needs to build and test, and installs what is
# missing where it can.
#
#   scripts/deps.sh [--build-only] [EXTRA-DEBIAN-PACKAGE...]
#
# On Debian/Ubuntu as root it installs every missing package with apt-get
# (CI's case: a fresh machine). Anywhere else it checks by what is there
# (commands, pkg-config modules, server binaries) rather than by package,
# so Fedora, macOS and a non-root user with everything installed pass.
# What is required stops make with the command that installs it; what is
# optional (clang, valgrind, mandoc, sysbench, man) is named, and the
# checks that need it are skipped with a line that says so.
# DBMIG_TEST_PG_URI / DBMIG_TEST_MYSQL_URI make the local servers optional.
set -eu
build_only=
if [ "${1:-}" = --build-only ]; then build_only=1; shift; fi

DEBIAN_PKGS="$* build-essential pkg-config libpq-dev libzstd-dev libxxhash-dev
libjansson-dev libmariadb-dev postgresql postgresql-contrib mariadb-server
mariadb-client bats bats-assert bats-support jq mandoc clang valgrind man-db sysbench
python3 zstd time pgbouncer"

# --- Debian/Ubuntu as root: install by package (a fresh machine, CI) ---
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
	missing=""
	for p in $DEBIAN_PKGS; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
			missing="$missing $p"
		fi
	done
	[ -z "$missing" ] && exit 0
	echo "deps.sh: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# policy-rc.d keeps the packages from starting system-wide servers we
	# do not use; the tests start their own.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod +x /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	exit 0
fi

# --- anywhere else: check by what is there ---
required="" optional=""
nl='
'
need() { required="$required$nl  $1"; }
want() { optional="$optional$nl  $1"; }
have() { command -v "$1" >/dev/null 2>&1; }
PKG_CONFIG=${PKG_CONFIG:-pkg-config}

have "${CC:-cc}" || need "a C compiler (${CC:-cc})"
if have "$PKG_CONFIG"; then
	for m in libpq libzstd libxxhash jansson; do
		"$PKG_CONFIG" --exists "$m" || need "pkg-config module $m"
	done
	"$PKG_CONFIG" --exists libmariadb || "$PKG_CONFIG" --exists mysqlclient ||
		need "pkg-config module libmariadb (or mysqlclient)"
else
	need "$PKG_CONFIG"
fi
if [ -z "$build_only" ]; then
	have psql || need "psql (the PostgreSQL client)"
	have mariadb || have mysql || need "the mariadb (or mysql) client"
	have jq || need jq
	have python3 || need "python3 (the hostile-dump tests build damaged dumps)"
	have zstd || need "the zstd command (the hostile-dump tests)"
	if [ -z "${DBMIG_TEST_PG_URI:-}" ]; then
		ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || have initdb ||
			[ -x "${PG_BINDIR:-/nonexistent}/initdb" ] ||
			need "a PostgreSQL server (initdb), or DBMIG_TEST_PG_URI"
		have pgbench || ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 ||
			need "pgbench (PostgreSQL's contrib or client tools)"
	fi
	if [ -z "${DBMIG_TEST_MYSQL_URI:-}" ]; then
		have mariadbd || have mysqld || [ -x /usr/sbin/mariadbd ] || [ -x /usr/sbin/mysqld ] ||
			[ -x /usr/libexec/mariadbd ] || [ -x /usr/libexec/mysqld ] ||
			need "a MariaDB server (mariadbd), or DBMIG_TEST_MYSQL_URI"
	fi
	have bats || need bats
	libs=no
	for d in $(echo "${BATS_LIB_PATH:-}" | tr ':' ' ') /usr/lib/bats /usr/share/bats \
		 /usr/local/lib/bats /usr/local/lib /opt/homebrew/lib; do
		if [ -f "$d/bats-support/load.bash" ] && [ -f "$d/bats-assert/load.bash" ]; then
			libs=yes
		fi
	done
	[ "$libs" = yes ] || need "bats-support and bats-assert (or set BATS_LIB_PATH)"
	have mandoc || want "mandoc (man page lint)"
	have clang || want "clang (the clang warning check)"
	have valgrind || want "valgrind (unit tests under valgrind)"
	have sysbench || want "sysbench (the sysbench suite)"
	have pgbouncer || [ -x /usr/sbin/pgbouncer ] || want "pgbouncer (the cutover suite and the demo's online act)"
fi
if [ -n "$optional" ]; then
	echo "deps.sh: optional, not found; the checks that need them are skipped:$optional" >&2
fi
[ -z "$required" ] && exit 0
echo "deps.sh: required, not found:$required" >&2
if [ -f /etc/debian_version ]; then
	echo "deps.sh: as root, 'make deps' installs them; or: sudo apt-get install -y $DEBIAN_PKGS" >&2
elif [ -f /etc/fedora-release ] || [ -f /etc/redhat-release ]; then
	echo "deps.sh: see INSTALL (Fedora / RHEL): sudo dnf install ..." >&2
elif [ "$(uname -s)" = Darwin ]; then
	echo "deps.sh: see INSTALL (macOS): brew install ..." >&2
else
	echo "deps.sh: see INSTALL for the packages on your system" >&2
fi
exit 1
