# Build and test rules for man/ (included from the top-level Makefile.am).
dist_man_MANS += man/jpki-pkcs11.8 man/jpki-pkcs11.conf.5
SH_TESTS += man/lint.sh
EXTRA_DIST += man/lint.sh
