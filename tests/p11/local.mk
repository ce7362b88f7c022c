# Build and test rules for tests/p11/ (included from the top-level Makefile.am).
