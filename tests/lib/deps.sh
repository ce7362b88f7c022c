# Debian packages the build and the test suites need, and the functions that
# install the missing ones.  Sourced by tests/check and tests/demo.
#
# A fresh minimal Debian 12 (debootstrap --variant=minbase) has only the
# Essential and "required" packages; every other command the build, the demo
# and the tests run comes from a package named here (tests/deps-coverage.sh
# checks that in every tests/check run; tests/fresh-root proves it in a
# minimal root).

# Building the module, the tool and the emulator.
JPKI_BUILD_PACKAGES="gcc make autoconf automake libtool pkg-config libpcsclite-dev libssl-dev
	libp11-kit-dev openssl gettext zlib1g-dev"
# What tests/demo runs on top of the build: the PC/SC stack with the emulated
# card and the consumers it shows (python3 for the consumer helpers, iproute2's
# ss for tests/stack's free port).
JPKI_DEMO_PACKAGES="pcscd vsmartcard-vpcd opensc gnutls-bin openssh-client util-linux procps python3
	iproute2"
# The test suites: compilers and checkers, the real PC/SC stack, the consumers,
# the manual-page linters (mandoc, groff) and the Debian package build
# (dpkg-dev; the package's own build dependencies come from debian/control).
JPKI_TEST_PACKAGES="clang libclang-rt-14-dev valgrind pcscd vsmartcard-vpcd opensc opensc-pkcs11
	p11-kit softhsm2 gnutls-bin libengine-pkcs11-openssl libnss3-tools mandoc groff-base util-linux
	procps iproute2 locales python3 openssh-server openssh-client firefox-esr openjdk-17-jre-headless
	libnss3-dev dpkg-dev poppler-utils qpdf"

deps_queue=()
deps_why=()

# deps_need WHY PACKAGE...: queues the packages that are not installed yet and
# says so in one line naming WHY they are needed; nothing if all are there.
deps_need()
{
	local why=$1 p missing=()
	shift
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed && continue
		[[ " ${deps_queue[*]} " == *" $p "* ]] && continue
		missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "Will install, for $why: ${missing[*]}"
	for p in "${missing[@]}"; do
		deps_queue+=("$p")
		deps_why+=("$why")
	done
}

# deps_root: fails, saying why, unless this is root (apt-get needs it).
deps_root()
{
	[ "$(id -u)" -eq 0 ] && return 0
	echo "error: missing Debian packages (see above); installing them needs root" >&2
	return 1
}

# deps_no_services COMMAND...: runs the command with services kept from
# starting: the tests start the ones they need (a private pcscd, sshd) and
# stop them; installing the packages must not start system-wide ones.
deps_no_services()
{
	local policy=${JPKI_POLICY_RC:-/usr/sbin/policy-rc.d} made=0 rc=0
	if [ ! -e $policy ]; then
		printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy && made=1
	fi
	DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
	[ $made -eq 1 ] && rm -f $policy
	return $rc
}

# deps_update: apt-get update once per run.
deps_updated=0
deps_update()
{
	[ $deps_updated -eq 1 ] && return 0
	apt-get update -qq || { echo "error: apt-get update failed" >&2; return 1; }
	deps_updated=1
}

# deps_install: installs the packages deps_need queued.  apt-get runs only when
# something is missing, so a prepared machine pays nothing.  When apt cannot
# install them, names each package it cannot install and what it was for.
deps_install()
{
	local i rc=0 log
	[ ${#deps_queue[@]} -eq 0 ] && return 0
	deps_root || return 1
	deps_update || return 1
	log=$(mktemp "${TMPDIR:-/tmp}/jpki-apt.XXXXXX")
	deps_no_services apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${deps_queue[@]}" > "$log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		echo "error: apt-get could not install the packages (its last lines follow)" >&2
		tail -n 15 "$log" | sed 's/^/  /' >&2
		# Which ones: each package alone, simulated.
		for i in "${!deps_queue[@]}"; do
			apt-get install -s -q --no-install-recommends "${deps_queue[$i]}" > /dev/null 2>&1 ||
				echo "error: apt-get cannot install the package ${deps_queue[$i]} (needed for ${deps_why[$i]})" >&2
		done
	fi
	rm -f "$log"
	deps_queue=() deps_why=()
	return $rc
}

# deps_build_depends: installs the Debian package's build dependencies as
# debian/control names them (apt-get build-dep on the source tree), so that
# there is no second list to keep in step.  Needs dpkg-dev (for
# dpkg-checkbuilddeps) installed first.
deps_build_depends()
{
	local unmet log rc=0
	unmet=$(dpkg-checkbuilddeps debian/control 2>&1) && return 0
	unmet=${unmet##*Unmet build dependencies: }
	echo "Will install, for the Debian package build (Build-Depends of debian/control): $unmet"
	deps_root || return 1
	deps_update || return 1
	log=$(mktemp "${TMPDIR:-/tmp}/jpki-apt.XXXXXX")
	deps_no_services apt-get build-dep -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 ./ > "$log" 2>&1 || rc=$?
	if [ $rc -ne 0 ]; then
		echo "error: apt-get build-dep could not install the build dependencies: $unmet (its last lines follow)" >&2
		tail -n 15 "$log" | sed 's/^/  /' >&2
	fi
	rm -f "$log"
	return $rc
}

# jpki-tool setup's test (tool-setup.sh): the applications it registers the
# module for, run on fresh profiles, and p11-kit-proxy.so.
JPKI_TEST_PACKAGES="$JPKI_TEST_PACKAGES p11-kit-modules thunderbird chromium"
