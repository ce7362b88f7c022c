# Build and test rules for tests/sim/ (included from the top-level Makefile.am).
