#!/bin/bash
# Every command the build, the demo and the tests run comes from a package that
# tests/check or tests/demo installs (tests/lib/deps.sh) or that a minimal
# Debian 12 has (Essential or Priority: required).  The cheap stand-in for
# tests/fresh-root: it finds the commands the scripts and makefile recipes run
# and the commands the C and Python files start (tests/lib/shell-commands.py),
# maps each to its package with dpkg -S on this machine, and fails naming any
# whose package no install list brings.  The programs the build makes
# (jpki-tool, the emulator, the test programs: read from the makefiles) are
# the project's own and need no package, whatever is installed here (the
# project's own Debian package, say).  Prints TAP.
#
# usage: [top_srcdir=DIR] tests/deps-coverage.sh [--self-test]
#
# A package counts as brought when it is in JPKI_BUILD_PACKAGES,
# JPKI_TEST_PACKAGES, JPKI_DEMO_PACKAGES or debian/control's Build-Depends,
# or one of those depends on it (Depends or Pre-Depends, first alternative,
# recursively, as dpkg records them here): apt installs those with it.  A command not on this machine is
# listed as a comment and not judged (the tests that run it fail here anyway).
# --self-test also shows that the check fails when a package is missing from
# the lists, that the scan finds commands in the places the tests put them
# (shell, C, Python), that a start it cannot follow fails, that the build's
# own programs pass, and that deps_install names the package apt cannot install.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/..}" && pwd)
. "$top/tests/lib/tap.sh"
. "$top/tests/lib/deps.sh"
SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Commands a C or Python file starts from a variable the scan cannot follow
# to a literal ("FILE EXPRESSION"), each with where the command comes from.
# Any other such call fails the check until its command is named here.
declare -A SPAWN_GIVEN=(
	["tests/hardening/stress.c cmd"]="its argument: tests/hardening/stack.sh gives card-roundtrip's reset (the build's own)"
	["tests/hardening/stress.c cmd1"]="its argument: tests/hardening/stack.sh gives tests/stack reinsert or stop (the project's own)"
	["tests/hardening/stress.c cmd2"]="its argument: tests/hardening/stack.sh gives tests/stack start (the project's own)"
	["tests/integration/card-roundtrip.c reset_cmd"]="its argument: card-pcsc.sh gives card-roundtrip reset (the build's own)"
	["tests/integration/card-roundtrip.c reinsert_cmd"]="its argument: card-pcsc.sh gives tests/stack reinsert (the project's own)"
	["tests/integration/card-roundtrip.c stop_cmd"]="its argument: card-pcsc.sh gives tests/stack stop (the project's own)"
	["tests/integration/card-roundtrip.c start_cmd"]="its argument: card-pcsc.sh gives tests/stack start (the project's own)"
	["tests/integration/tool-pty.py command[0]"]="its arguments: tool-pty.sh gives jpki-tool (the build's own)"
)

# Commands the scan finds that need no package of the lists, each with its
# reason ("tests/demo: " names the demo's judgement).  Shell builtins and
# keywords need no entry (type -t tells them).  The scan sees files, not
# which of their functions run: the demo's entries are functions of the
# shared helpers that only tests/check calls.
declare -A ALLOWED=(
	["tests/demo: /usr/sbin/sshd"]="start_sshd of tests/lib/consumer.sh; only the OpenSSH test calls it"
	["tests/demo: dpkg-checkbuilddeps"]="deps_build_depends of tests/lib/deps.sh; only tests/check calls it"
)

# What tests/demo runs (its build aside: the fresh root proves that).
DEMO_FILES="tests/demo tests/lib/consumer.sh tests/lib/tap.sh tests/lib/deps.sh tests/stack autogen.sh"

# The files whose commands run on a tests/check or tests/demo machine.
# tests/fresh-root is left out: it runs on the maintainer's own machine
# (it needs git and installs debootstrap itself).  The C and Python files:
# the commands they start.
scanned_files()
{
	(cd "$top" && ls tests/check tests/demo tests/stack autogen.sh .ci/run Makefile.am debian/rules \
		tests/*.sh tests/lib/*.sh man/*.sh tests/*/*.sh tests/*/local.mk src/*/local.mk \
		src/local.mk pkcs11/local.mk conf/local.mk man/local.mk \
		src/*.c src/*/*.c pkcs11/*.c tests/*/*.c tests/*/*.py 2>/dev/null | sort -u)
}

# The makefiles, and the programs and libraries they build: the project's own.
makefiles() { (cd "$top" && ls Makefile.am ./*/local.mk ./*/*/local.mk 2>/dev/null); }
declare -A OWN=()

# build_depends: the package names of debian/control's Build-Depends (first
# alternatives, without versions or architecture qualifiers).
build_depends()
{
	sed -n '/^Build-Depends:/,/^[^ ]/{s/^Build-Depends://;/^[^ ]/d;p}' "$top/debian/control" |
		tr ',' '\n' | sed 's/|.*//; s/[[(<].*//; s/:.*//; s/^[[:space:]]*//; s/[[:space:]]*$//' | grep .
}

# closure PACKAGE...: the packages and, of those installed here, what they
# depend on, recursively (one a line).  Read from dpkg's database, so it needs
# no apt lists; a virtual package stands for its installed providers.
closure()
{
	dpkg-query -W -f='${db:Status-Status}\t${Package}\t${Pre-Depends}, ${Depends}\t${Provides}\n' |
		awk -F'\t' -v seeds="$*" '
		function bare(s) { sub(/^[ ]+/, "", s); sub(/[ (:].*/, "", s); return s }
		$1 == "installed" {
			deps[$2] = $3
			n = split($4, pv, ",")
			for (i = 1; i <= n; i++) if ((v = bare(pv[i])) != "") prov[v] = prov[v] " " $2
		}
		END {
			n = split(seeds, queue, /[ \t\n]+/)
			for (i = 1; i <= n; i++) if (queue[i] != "") seen[queue[i]] = 1
			for (i = 1; i <= n; i++) {
				p = queue[i]
				if (p == "") continue
				m = split(prov[p], pp, " ")      # a virtual package: its providers
				for (j = 1; j <= m; j++) if (!(pp[j] in seen)) { seen[pp[j]] = 1; queue[++n] = pp[j] }
				m = split(deps[p], groups, ",")
				for (j = 1; j <= m; j++) {
					split(groups[j], alts, "|")     # the first of the alternatives
					d = bare(alts[1])
					if (d != "" && !(d in seen)) { seen[d] = 1; queue[++n] = d }
				}
			}
			for (p in seen) print p
		}'
}

# owners PATH...: "PATH PACKAGE" for each file a package ships (one dpkg -S for
# all).  Each is also looked up under its other name in a merged-/usr system
# and through symlinks (the alternatives').
owners()
{
	local f c
	declare -A alias=()
	for f in "$@"; do
		for c in "$f" "${f#/usr}" "/usr$f" "$(readlink -f "$f")"; do
			alias[$c]="${alias[$c]:+${alias[$c]} }$f"
		done
	done
	dpkg -S "${!alias[@]}" 2>/dev/null | grep -v '^diversion' | while IFS= read -r line; do
		c=${line#*: }
		for f in ${alias[$c]:-}; do
			echo "$f ${line%%: *}"
		done
	done | sed 's/:[a-z0-9]*$//; s/,.*//' | sort -u -k1,1
}

# required PACKAGE: true for an Essential or Priority: required package.
required()
{
	dpkg-query -W -f='${Essential} ${Priority}\n' "$1" 2>/dev/null | grep -Eq '^yes|required$'
}

# judge LISTED-PACKAGES...: one TAP line per command of the scanned files.
# Reads "NAME FILE:LINE" lines on stdin.
judge()
{
	declare -A brought=() path_of=() where_of=() owner=()
	local p name where path pkg names=()
	for p in $(closure "$@"); do brought[$p]=1; done
	while read -r name where; do
		if [ -n "${OWN[$name]:-}" ]; then
			tap_diag "$scope$name ($where): the build's own program"
			continue
		fi
		if [[ $name == \?* ]]; then
			p="${where%:*} ${name#\?}"
			if [ -n "${SPAWN_GIVEN[$p]:-}" ]; then
				tap_diag "$scope${name#\?} ($where): a command from ${SPAWN_GIVEN[$p]}"
			else
				tap_result 1 "$scope${name#\?} ($where): a command the scan cannot follow; name where it comes from in SPAWN_GIVEN of tests/deps-coverage.sh"
			fi
			continue
		fi
		if [ -n "${ALLOWED[$scope$name]:-}" ]; then
			tap_diag "$scope$name ($where): allowed: ${ALLOWED[$scope$name]}"
			continue
		fi
		case $(type -t "$name") in builtin | keyword) continue ;; esac
		if [[ $name == /* ]]; then
			path=$name
			[ -x "$path" ] && [ -f "$path" ] || continue
		else
			path=$(PATH=$SYS_PATH type -P "$name") || {
				tap_diag "not a command on this machine: $name ($where)"
				continue
			}
		fi
		names+=("$name") path_of[$name]=$path where_of[$name]=$where
	done
	while read -r path pkg; do owner[$path]=$pkg; done < <(owners "${path_of[@]}")
	for name in "${names[@]}"; do
		path=${path_of[$name]} where=${where_of[$name]} pkg=${owner[${path_of[$name]}]:-}
		if [ -z "$pkg" ]; then
			tap_result 1 "$scope$name ($where): $path belongs to no Debian package"
		elif required "$pkg"; then
			tap_result 0 "$scope$name ($where): $pkg, in every minimal Debian"
		elif [ -n "${brought[$pkg]:-}" ]; then
			tap_result 0 "$scope$name ($where): $pkg, installed by $lists_name"
		else
			tap_result 1 "$scope$name ($where): its package $pkg is not installed by $lists_name"
		fi
	done
}

# shellcheck disable=SC2046 # file names without spaces, one a line
own=$(cd "$top" && python3 tests/lib/shell-commands.py --programs $(makefiles)) ||
	tap_bail "tests/lib/shell-commands.py --programs failed"
for p in $own; do OWN[$p]=1; done
[ -n "${OWN[jpki-tool]:-}" ] && [ -n "${OWN[jpki-card-sim]:-}" ] ||
	tap_bail "the build's own programs were not found in the makefiles: $own"

# shellcheck disable=SC2086
lists="$JPKI_BUILD_PACKAGES $JPKI_TEST_PACKAGES $JPKI_DEMO_PACKAGES $(build_depends)"
# shellcheck disable=SC2046 # file names without spaces, one a line
commands=$(cd "$top" && python3 tests/lib/shell-commands.py $(scanned_files)) ||
	tap_bail "tests/lib/shell-commands.py failed"
[ "$(wc -l <<< "$commands")" -gt 50 ] || tap_bail "the scan found too few commands: $commands"

# tests/check: every list.
scope="" lists_name="the lists of tests/lib/deps.sh"
# shellcheck disable=SC2086
judge $lists <<< "$commands"

# tests/demo installs only the build's packages and its own: its scripts are
# judged against those alone.
# shellcheck disable=SC2086
demo_commands=$(cd "$top" && python3 tests/lib/shell-commands.py $DEMO_FILES) ||
	tap_bail "tests/lib/shell-commands.py failed"
scope="tests/demo: " lists_name="JPKI_BUILD_PACKAGES or JPKI_DEMO_PACKAGES"
# shellcheck disable=SC2086
judge $JPKI_BUILD_PACKAGES $JPKI_DEMO_PACKAGES <<< "$demo_commands"
scope="" lists_name="the lists of tests/lib/deps.sh"

if [ "${1:-}" = --self-test ]; then
	# The man-page lint's groff against a list without groff-base (make
	# depends on nothing that brings it) and with it; sed needs no list.
	lint="groff man/lint.sh:9"$'\n'"sed man/lint.sh:1"
	out=$(judge make <<< "$lint")
	tap_ok "a list without groff-base: groff is reported missing" \
		grep -q '^not ok .* - groff (man/lint.sh:9): its package groff-base is not installed by' <<< "$out"
	tap_ok "... and sed is not (it is in every minimal Debian)" \
		grep -q '^ok .* - sed (man/lint.sh:1): sed, in every minimal Debian' <<< "$out"
	out=$(judge make groff-base <<< "$lint")
	tap_fails "with groff-base listed, nothing is missing" grep -q '^not ok' <<< "$out"
	# The scan finds commands where the tests run them.
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/deps-coverage.XXXXXX")
	trap 'rm -rf "$WORK"' EXIT
	cat > "$WORK/t.sh" <<-'EOF'
		x=$(one --flag | two)
		timeout 5 three arg
		unshare -m --propagation private sh -c 'mount --bind a b && exec four "$@"' x
		tap_ok "a description with words" five -x
		a=() b=$(cmp <(twelve) "$f")
		if ! six 2>/dev/null; then :; fi
		for f in a b; do seven "$f"; done
		case $1 in --x) eight ;; *) nine ;; esac
		cat <<EOT > "$WORK/out"
		notacommand here
		EOT
		V=1 ten > "$WORK/y"
		"$VAR" notacommand
		f() { eleven; }
	EOF
	got=$(python3 "$top/tests/lib/shell-commands.py" "$WORK/t.sh" | awk '{print $1}' | tr '\n' ' ')
	tap_is "the scan finds commands in pipes, wrappers, sh -c, conditions, loops, case, functions" \
		"$got" "cat cmp eight eleven exec five four mount nine one seven sh six tap_ok ten three timeout twelve two unshare "

	# ... a wrapper's quoted argument that starts with "-" is no option of it.
	printf '%s\n' 'tap_ok "--a description" thirteen before' > "$WORK/q.sh"
	tap_is "a quoted description starting with - is not taken for tap_ok's option" \
		"$(python3 "$top/tests/lib/shell-commands.py" "$WORK/q.sh" | awk '{print $1}' | tr '\n' ' ')" \
		"tap_ok thirteen "

	# The C files: system() and popen() lines (literal, or the format
	# snprintf put in the variable), exec*() and posix_spawn*() programs (a
	# variable named after the program it is looked up as), and a variable
	# the scan cannot follow, reported.
	cat > "$WORK/t.c" <<-'EOF'
		/* system("notacommand") in a comment */
		int system(const char *command);
		static void f(const char *given, const char *dir)
		{
			char cmd[64], path[64];
			const char *sorter = "/usr/bin/sort";
			snprintf(cmd, sizeof(cmd), "rm -rf '%s' && one | two", dir);
			system(cmd);
			FILE *p = popen("three -x \"quoted\" 2>&1", "r");
			execlp("four", "four", "arg", (char *)NULL);
			snprintf(path, sizeof(path), "%.*s/five", 3, dir);
			posix_spawn(&pid, five, &fa, NULL, argv, environ);
			posix_spawnp(&pid, "six", NULL, NULL, argv, environ);
			execv(sorter, argv);
			system(given);
		}
	EOF
	got=$(python3 "$top/tests/lib/shell-commands.py" "$WORK/t.c" | tr '\n' ' ')
	tap_is "the scan reads C files: system, popen, exec*, posix_spawn*" "$got" \
		"/usr/bin/sort $WORK/t.c:6 ?given $WORK/t.c:15 five $WORK/t.c:12 four $WORK/t.c:10 one $WORK/t.c:7 rm $WORK/t.c:7 six $WORK/t.c:13 three $WORK/t.c:9 two $WORK/t.c:7 "
	# The Python files: subprocess with an argument list or shell=True,
	# os.system, os.exec*, a list in a variable, and a variable it cannot follow.
	cat > "$WORK/t.py" <<-'EOF'
		import os
		import subprocess
		from subprocess import check_output as co
		CMD = ["seven", "-x"]
		subprocess.run(["eight", "--flag"], check=True)
		subprocess.run(CMD)
		co("nine | ten", shell=True)
		os.system(f"eleven {os.getcwd()} && twelve")
		os.execvp("thirteen", ["thirteen"])
		subprocess.Popen(args=sys.argv[1:])
		print("subprocess.run(['notacommand'])")
	EOF
	got=$(python3 "$top/tests/lib/shell-commands.py" "$WORK/t.py" | tr '\n' ' ')
	tap_is "the scan reads Python files: subprocess, os.system, os.exec*" "$got" \
		"?sys.argv[1:] $WORK/t.py:10 eight $WORK/t.py:5 eleven $WORK/t.py:8 nine $WORK/t.py:7 seven $WORK/t.py:6 ten $WORK/t.py:7 thirteen $WORK/t.py:9 twelve $WORK/t.py:8 "
	# ... and the tree's own: modutil that jpki-tool setup starts, rm in a C
	# test, the command tool-pty.py runs.
	tap_ok "the tree's scan has modutil from src/tool/nssdb.c (jpki-tool setup's posix_spawn)" \
		grep -q '^modutil src/tool/nssdb\.c:' <<< "$(cd "$top" && python3 tests/lib/shell-commands.py src/tool/nssdb.c)"
	tap_ok "... rm from the C tests' system()" \
		grep -q '^rm tests/tool/test-setup\.c:' <<< "$(cd "$top" && python3 tests/lib/shell-commands.py tests/tool/test-setup.c)"
	tap_ok "... and tool-pty.py's os.execvp" \
		grep -q '^?command\[0\] tests/integration/tool-pty\.py:' <<< "$(cd "$top" && python3 tests/lib/shell-commands.py tests/integration/tool-pty.py)"
	# shellcheck disable=SC2046 # file names without spaces, one a line
	tap_ok "the scanned files include the C and Python files" \
		sh -c 'printf "%s\n" "$@" | grep -qx src/tool/nssdb.c && printf "%s\n" "$@" | grep -qx tests/integration/marionette.py' x $(scanned_files)
	# The judgement: a followed command is judged by its package, one that
	# cannot be followed fails unless SPAWN_GIVEN names it.
	out=$(judge make <<< "?given t.c:15"$'\n'"?command[0] tests/integration/tool-pty.py:34")
	tap_ok "a command the scan cannot follow fails the check" \
		grep -q '^not ok .* - given (t.c:15): a command the scan cannot follow' <<< "$out"
	tap_fails "... unless SPAWN_GIVEN says where it comes from" grep -q 'command\[0\].*cannot follow' <<< "$out"
	# The build's own programs need no package, whatever is installed here
	# (the project's Debian package brings a /usr/bin/jpki-tool).
	out=$(judge make <<< "jpki-tool tests/package.sh:1"$'\n'"jpki-card-sim x.sh:1"$'\n'"test-jpki x.sh:2")
	tap_fails "jpki-tool, the emulator and a test program are the build's own: no failure" grep -q '^not ok' <<< "$out"
	tap_is "... all three said so" "$(grep -c "the build's own program" <<< "$out")" 3

	# deps_install names the package apt cannot install and what it was for
	# (a stand-in apt-get that knows every package but one).
	mkdir "$WORK/bin"
	printf '#!/bin/sh\ncase " $* " in *" no-such-package "*) echo "E: Unable to locate package no-such-package"; exit 100 ;; esac\nexit 0\n' \
		> "$WORK/bin/apt-get"
	printf '#!/bin/sh\necho 0\n' > "$WORK/bin/id"
	chmod +x "$WORK/bin/apt-get" "$WORK/bin/id"
	out=$(PATH=$WORK/bin:$PATH JPKI_POLICY_RC=$WORK/policy-rc.d bash -c '
		. "$1/tests/lib/deps.sh"
		deps_need "the first reason" no-such-package-a
		deps_need "the second reason" coreutils no-such-package
		deps_install' x "$top" 2>&1)
	tap_ok "deps_install fails when apt-get fails" test $? -ne 0
	tap_ok "... it said what it would install and why" \
		grep -qx 'Will install, for the second reason: no-such-package' <<< "$out"
	tap_ok "... and named the package apt cannot install, with its reason" \
		grep -qx 'error: apt-get cannot install the package no-such-package (needed for the second reason)' <<< "$out"
	tap_fails "... and no other package" grep -q 'cannot install the package no-such-package-a' <<< "$out"
fi
tap_done
