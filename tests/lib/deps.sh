# Debian packages the build and the test suites need, and a function that
# installs the missing ones.  Sourced by tests/check and tests/demo.

# Building the module, the tool and the emulator.
JPKI_BUILD_PACKAGES="gcc make autoconf automake libtool pkg-config libpcsclite-dev libssl-dev
	libp11-kit-dev openssl gettext zlib1g-dev"
# The test suites: compilers and checkers, the real PC/SC stack, the consumers.
JPKI_TEST_PACKAGES="clang libclang-rt-14-dev valgrind pcscd vsmartcard-vpcd opensc opensc-pkcs11
	p11-kit softhsm2 gnutls-bin libengine-pkcs11-openssl libnss3-tools mandoc util-linux procps
	locales python3 openssh-server openssh-client firefox-esr openjdk-17-jre-headless libnss3-dev
	poppler-utils qpdf"

# deps_install PACKAGE...: installs the packages that are not installed yet.
# apt-get runs only when something is missing, so a prepared machine pays nothing.
deps_install()
{
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "Installing missing packages: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "error: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	# The tests start the services they need (a private pcscd, sshd) and stop
	# them; installing the packages must not start system-wide ones.
	local policy=/usr/sbin/policy-rc.d made_policy=0 rc=0
	if [ ! -e $policy ]; then
		printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy && made_policy=1
	fi
	apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
	[ $made_policy -eq 1 ] && rm -f $policy
	return $rc
}

# jpki-tool setup's test (tool-setup.sh): the applications it registers the
# module for, run on fresh profiles, and p11-kit-proxy.so.
JPKI_TEST_PACKAGES="$JPKI_TEST_PACKAGES p11-kit-modules thunderbird chromium"
