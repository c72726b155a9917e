#!/usr/bin/env bats
# The command line: help, version, dispatch, and that every option in a
# command's --help is documented in its manual page (git's t0450).

setup() {
	load '../helpers/common'
}

@test "--version and --help" {
	run -0 dbmig --version
	assert_output --regexp '^dbmig [0-9]+\.[0-9]+\.[0-9]+$'
	run -0 dbmig --help
	assert_output --partial "dump"
	assert_output --partial "load"
	run -2 dbmig
}

@test "only working subcommands are listed" {
	run -0 dbmig --help
	assert_output --partial "verify"
	assert_output --partial "cdc-tail"
	assert_output --partial "cutover-plan"
	run -2 dbmig cutover-plan
	assert_output --partial "give the pair: SOURCE TARGET"
	run -2 dbmig cdc-tail postgresql://x/y postgresql://x/z --output - --from /nonexistent
	assert_output --partial "a TARGET database, --output FILE or -, or --drop (one of them)"
}

@test "dbmig help SUBCOMMAND shows its manual page" {
	MANPAGER=cat PAGER=cat run -0 dbmig help dump
	assert_output --partial "consistent"
	run -2 dbmig help frobnicate
}

# The subcommands as 'dbmig --help' lists them, so a new one is checked
# without editing this file.
subcommands() {
	dbmig --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }'
}

@test "every listed subcommand has --help, a man page and a working 'dbmig help'" {
	subs=$(subcommands)
	[ "$(wc -w <<<"$subs")" -ge 4 ]
	for sub in $subs; do
		run -0 dbmig "$sub" --help
		assert_output --partial "usage: dbmig $sub"
		[ -f "$REPO_ROOT/man/dbmig-$sub.1" ]
		grep -q "^\.Xr dbmig-$sub 1" "$REPO_ROOT/man/dbmig.1"
	done
}

@test "every --help option of every command is in its man page, and back" {
	for sub in $(subcommands); do
		run -0 dbmig "$sub" --help
		help_opts=$(grep -oE -- '--[a-z][a-z-]+' <<<"$output" | sort -u)
		man_opts=$(grep -E '^\.It ' "$REPO_ROOT/man/dbmig-$sub.1" \
			| grep -oE 'Fl \\-[a-z][a-z\\-]*' | sed -E 's/^Fl /-/; s/\\-/-/g' | sort -u)
		[ -n "$man_opts" ]
		assert_equal "$help_opts" "$man_opts"
	done
}

@test "every exit code in exitcodes.h is documented in dbmig(1)" {
	for code in $(grep -oE '= [0-9]+,' "$REPO_ROOT/cmd/exitcodes.h" | tr -dc '0-9\n'); do
		run grep -c "^\.It $code\$" "$REPO_ROOT/man/dbmig.1"
		assert_output 1
	done
}

@test "bad options are said in dbmig's own form, naming the word" {
	for sub in $(subcommands); do
		run -2 dbmig "$sub" --no-such-option
		assert_output --partial "dbmig $sub: error: unknown option, or an option without its value: '--no-such-option'"
		assert_output --partial "Try 'dbmig $sub --help'."
		refute_output --partial "unrecognized option"
	done
	run -2 dbmig load -j
	assert_output --partial "dbmig load: error:"
}

@test "connection strings: the engines' forms are named, and a password's advice fits the engine" {
	run -2 dbmig dump "mysql:/root@127.0.0.1/x" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "starts with 'mysql:' but not 'mysql://'"
	refute_output --partial "root@"
	run -2 dbmig dump "myslq://root@127.0.0.1/x" -o "$BATS_TEST_TMPDIR/d"
	assert_output --partial "cannot tell the engine"
	assert_output --partial "mysql://"
	assert_output --partial "postgresql://"
	run dbmig dump "mysql://app:s3cret@127.0.0.1:1/x?connect-timeout=2" -o "$BATS_TEST_TMPDIR/e"
	assert_output --partial "MYSQL_PWD"
	refute_output --partial "PGPASSWORD"
	refute_output --partial "s3cret"
	run dbmig dump "postgresql://app:s3cret@127.0.0.1:1/x?connect_timeout=2" -o "$BATS_TEST_TMPDIR/f"
	assert_output --partial "PGPASSWORD"
	refute_output --partial "s3cret"
}

@test "the demo's output, not a terminal, holds no escape codes (and the demo still migrates)" {
	unset SERVERS_DIR DBMIG_TEST_PG_URI DBMIG_TEST_MYSQL_URI
	run -0 bash -c "cd '$REPO_ROOT' && PATH='$REPO_ROOT':\$PATH tests/demo.sh 2>&1"
	assert_output --partial "demo finished: both migrated databases are identical to their sources"
	refute_output --partial $'\033'
}
