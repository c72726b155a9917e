#!/bin/sh
# deps.sh - installs what dbmig needs to build and test, when it is missing.
# As root on Debian/Ubuntu it runs apt-get; otherwise it prints the command.
# Arguments name more packages (make bench: the peer tools).
set -eu
PKGS="$* build-essential pkg-config libpq-dev libzstd-dev libxxhash-dev libjansson-dev
libmariadb-dev postgresql postgresql-contrib mariadb-server mariadb-client bats
bats-assert bats-support jq mandoc clang valgrind man-db sysbench"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system; install the packages listed in INSTALL" >&2
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
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
