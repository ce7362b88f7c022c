# Build and test rules for tests/fuzz/ (included from the top-level Makefile.am).
#
# Each target tests/fuzz/fuzz-NAME.c defines LLVMFuzzerTestOneInput.  It is
# built twice:
#  - tests/fuzz/test-fuzz-NAME, a plain C test (any compiler, no libFuzzer)
#    replaying every file of tests/fuzz/corpus/NAME/: the seeds and the inputs
#    of past crashes, so a fixed bug stays fixed under make check, valgrind
#    and ASan;
#  - tests/fuzz/fuzz-NAME, the libFuzzer binary, only in the clang sub-build
#    of "make fuzz" (_fuzz/), and run for a bounded time by "make fuzz-smoke"
#    (tests/fuzz/run-fuzzers.sh).
# "make fuzz-seeds" rewrites the seed corpora from emulator transcripts.

FUZZ_TARGETS = tlv textap cert settings sim card p11 pdf
FUZZ_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz -I$(top_srcdir)/tests/sim
FUZZ_COMMON = tests/fuzz/fuzz.h tests/fuzz/fuzz-util.c
FUZZ_TRANSPORT_SRC = tests/fuzz/fuzz-transport.c tests/fuzz/fuzz-transport.h
FUZZ_LIBS = src/libjpki.la $(CRYPTO_LIBS)
# Target (a), the module over the script transport: its own backend (backend.h).
FUZZ_P11_SRC = tests/fuzz/fuzz-p11.c tests/fuzz/fuzz-p11-run.c tests/fuzz/fuzz-p11-run.h \
	tests/fuzz/fuzz-p11-backend.c $(FUZZ_TRANSPORT_SRC)
FUZZ_P11_LIBS = pkcs11/libjpki-p11.la $(FUZZ_LIBS)
# Set to -fsanitize=fuzzer by the sub-build of make fuzz (libFuzzer's main()).
FUZZ_ENGINE =

# The regression tests.
FUZZ_REPLAY = tests/fuzz/fuzz-replay.c $(FUZZ_COMMON)
# Target (h), jpki-tool's PDF code, compiled in (it is not in a library the others link).
FUZZ_PDF_SRC = tests/fuzz/fuzz-pdf.c src/tool/pdf.c src/tool/pdf-update.c src/tool/pdf-xref.c
FUZZ_PDF_CPPFLAGS = $(FUZZ_CPPFLAGS) -I$(top_srcdir)/src/tool $(ZLIB_CFLAGS)
check_PROGRAMS += tests/fuzz/test-fuzz-pdf
C_TESTS += tests/fuzz/test-fuzz-pdf
tests_fuzz_test_fuzz_pdf_SOURCES = $(FUZZ_PDF_SRC) $(FUZZ_REPLAY)
tests_fuzz_test_fuzz_pdf_CPPFLAGS = $(FUZZ_PDF_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/pdf"'
tests_fuzz_test_fuzz_pdf_LDADD = $(ZLIB_LIBS)
check_PROGRAMS += tests/fuzz/test-fuzz-tlv tests/fuzz/test-fuzz-textap \
	tests/fuzz/test-fuzz-cert tests/fuzz/test-fuzz-settings tests/fuzz/test-fuzz-sim \
	tests/fuzz/test-fuzz-card tests/fuzz/test-fuzz-p11
C_TESTS += tests/fuzz/test-fuzz-tlv tests/fuzz/test-fuzz-textap \
	tests/fuzz/test-fuzz-cert tests/fuzz/test-fuzz-settings tests/fuzz/test-fuzz-sim \
	tests/fuzz/test-fuzz-card tests/fuzz/test-fuzz-p11
tests_fuzz_test_fuzz_tlv_SOURCES = tests/fuzz/fuzz-tlv.c $(FUZZ_REPLAY)
tests_fuzz_test_fuzz_tlv_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/tlv"'
tests_fuzz_test_fuzz_tlv_LDADD = $(FUZZ_LIBS)
tests_fuzz_test_fuzz_textap_SOURCES = tests/fuzz/fuzz-textap.c $(FUZZ_TRANSPORT_SRC) $(FUZZ_REPLAY)
tests_fuzz_test_fuzz_textap_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/textap"'
tests_fuzz_test_fuzz_textap_LDADD = $(FUZZ_LIBS)
tests_fuzz_test_fuzz_cert_SOURCES = tests/fuzz/fuzz-cert.c $(FUZZ_REPLAY)
tests_fuzz_test_fuzz_cert_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/cert"'
tests_fuzz_test_fuzz_cert_LDADD = $(FUZZ_LIBS)
tests_fuzz_test_fuzz_settings_SOURCES = tests/fuzz/fuzz-settings.c $(FUZZ_REPLAY)
tests_fuzz_test_fuzz_settings_CPPFLAGS = $(FUZZ_CPPFLAGS) \
	-DFUZZ_CORPUS='"tests/fuzz/corpus/settings"'
tests_fuzz_test_fuzz_settings_LDADD = $(FUZZ_LIBS)
tests_fuzz_test_fuzz_sim_SOURCES = tests/fuzz/fuzz-sim.c $(FUZZ_REPLAY)
tests_fuzz_test_fuzz_sim_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/sim"'
tests_fuzz_test_fuzz_sim_LDADD = tests/sim/libjpkisim.la $(CRYPTO_LIBS)
tests_fuzz_test_fuzz_card_SOURCES = tests/fuzz/fuzz-card.c tests/fuzz/fuzz-card-run.c \
	tests/fuzz/fuzz-card-run.h $(FUZZ_TRANSPORT_SRC) $(FUZZ_REPLAY)
tests_fuzz_test_fuzz_card_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/card"'
tests_fuzz_test_fuzz_card_LDADD = $(FUZZ_LIBS)
tests_fuzz_test_fuzz_p11_SOURCES = $(FUZZ_P11_SRC) $(FUZZ_REPLAY)
tests_fuzz_test_fuzz_p11_CPPFLAGS = $(FUZZ_CPPFLAGS) -DFUZZ_CORPUS='"tests/fuzz/corpus/p11"'
tests_fuzz_test_fuzz_p11_LDADD = $(FUZZ_P11_LIBS)

# The libFuzzer binaries: built on demand only (make fuzz).
EXTRA_PROGRAMS = tests/fuzz/fuzz-tlv tests/fuzz/fuzz-textap tests/fuzz/fuzz-cert \
	tests/fuzz/fuzz-settings tests/fuzz/fuzz-sim tests/fuzz/fuzz-card tests/fuzz/fuzz-p11
tests_fuzz_fuzz_tlv_SOURCES = tests/fuzz/fuzz-tlv.c $(FUZZ_COMMON)
tests_fuzz_fuzz_tlv_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_tlv_LDFLAGS = $(FUZZ_ENGINE)
tests_fuzz_fuzz_tlv_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_textap_SOURCES = tests/fuzz/fuzz-textap.c $(FUZZ_TRANSPORT_SRC) $(FUZZ_COMMON)
tests_fuzz_fuzz_textap_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_textap_LDFLAGS = $(FUZZ_ENGINE)
tests_fuzz_fuzz_textap_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_cert_SOURCES = tests/fuzz/fuzz-cert.c $(FUZZ_COMMON)
tests_fuzz_fuzz_cert_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_cert_LDFLAGS = $(FUZZ_ENGINE)
tests_fuzz_fuzz_cert_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_settings_SOURCES = tests/fuzz/fuzz-settings.c $(FUZZ_COMMON)
tests_fuzz_fuzz_settings_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_settings_LDFLAGS = $(FUZZ_ENGINE)
tests_fuzz_fuzz_settings_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_sim_SOURCES = tests/fuzz/fuzz-sim.c $(FUZZ_COMMON)
tests_fuzz_fuzz_sim_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_sim_LDFLAGS = $(FUZZ_ENGINE)
tests_fuzz_fuzz_sim_LDADD = tests/sim/libjpkisim.la $(CRYPTO_LIBS)
tests_fuzz_fuzz_card_SOURCES = tests/fuzz/fuzz-card.c tests/fuzz/fuzz-card-run.c \
	tests/fuzz/fuzz-card-run.h $(FUZZ_TRANSPORT_SRC) $(FUZZ_COMMON)
tests_fuzz_fuzz_card_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_card_LDFLAGS = $(FUZZ_ENGINE)
tests_fuzz_fuzz_card_LDADD = $(FUZZ_LIBS)
tests_fuzz_fuzz_p11_SOURCES = $(FUZZ_P11_SRC) $(FUZZ_COMMON)
tests_fuzz_fuzz_p11_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_p11_LDFLAGS = $(FUZZ_ENGINE)
tests_fuzz_fuzz_p11_LDADD = $(FUZZ_P11_LIBS)
EXTRA_PROGRAMS += tests/fuzz/fuzz-pdf
tests_fuzz_fuzz_pdf_SOURCES = $(FUZZ_PDF_SRC) $(FUZZ_COMMON)
tests_fuzz_fuzz_pdf_CPPFLAGS = $(FUZZ_PDF_CPPFLAGS)
tests_fuzz_fuzz_pdf_LDFLAGS = $(FUZZ_ENGINE)
tests_fuzz_fuzz_pdf_LDADD = $(ZLIB_LIBS)

# The seed generator (make fuzz-seeds).
EXTRA_PROGRAMS += tests/fuzz/fuzz-seeds
tests_fuzz_fuzz_seeds_SOURCES = tests/fuzz/fuzz-seeds.c tests/fuzz/fuzz-card-run.c \
	tests/fuzz/fuzz-card-run.h tests/fuzz/fuzz-p11-run.c tests/fuzz/fuzz-p11-run.h \
	tests/fuzz/fuzz-p11-backend.c $(FUZZ_TRANSPORT_SRC) $(FUZZ_COMMON)
tests_fuzz_fuzz_seeds_CPPFLAGS = $(FUZZ_CPPFLAGS)
tests_fuzz_fuzz_seeds_LDADD = tests/sim/libtransportsim.la $(FUZZ_P11_LIBS)

fuzz-seeds: tests/fuzz/fuzz-seeds$(EXEEXT) tests/sim/fixture.stamp tests/sim/fixture2.stamp
	cd $(top_srcdir)/tests/fuzz/corpus && $(MKDIR_P) $(FUZZ_TARGETS)
	tests/fuzz/fuzz-seeds $(top_srcdir)/tests/fuzz/corpus tests/sim/fixture tests/sim/fixture2

# libFuzzer with clang, ASan and UBSan, in a sub-build (as check-asan does).
FUZZ_SANITIZE_FLAGS = -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_BINARIES = tests/fuzz/fuzz-tlv$(EXEEXT) tests/fuzz/fuzz-textap$(EXEEXT) \
	tests/fuzz/fuzz-cert$(EXEEXT) tests/fuzz/fuzz-settings$(EXEEXT) \
	tests/fuzz/fuzz-sim$(EXEEXT) tests/fuzz/fuzz-card$(EXEEXT) tests/fuzz/fuzz-p11$(EXEEXT) \
	tests/fuzz/fuzz-pdf$(EXEEXT)
fuzz:
	$(MKDIR_P) _fuzz
	cd _fuzz && { test -f Makefile || $(abs_top_srcdir)/configure --enable-strict --quiet \
		CC=clang CFLAGS='$(FUZZ_SANITIZE_FLAGS)' \
		LDFLAGS='-fsanitize=address,undefined'; } \
		&& $(MAKE) $(AM_MAKEFLAGS) FUZZ_ENGINE=-fsanitize=fuzzer $(FUZZ_BINARIES)

# Each target for FUZZ_SECONDS on a temporary copy of its seed corpus;
# FUZZ_FLAGS may add --seed N and --jobs N (CI does) or --keep DIR.
FUZZ_SECONDS = 30
FUZZ_FLAGS =
fuzz-smoke: fuzz tests/sim/fixture.stamp
	JPKI_SIM_FIXTURE='$(abs_top_builddir)/tests/sim/fixture' \
		$(SHELL) $(top_srcdir)/tests/fuzz/run-fuzzers.sh --bin _fuzz/tests/fuzz $(FUZZ_FLAGS) \
		--corpus $(top_srcdir)/tests/fuzz/corpus $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean-local: clean-fuzz
clean-fuzz:
	-rm -rf _fuzz
.PHONY: fuzz fuzz-smoke fuzz-seeds clean-fuzz
EXTRA_DIST += tests/fuzz/corpus tests/fuzz/run-fuzzers.sh $(FUZZ_TARGETS:%=tests/fuzz/%.dict)
