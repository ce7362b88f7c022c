# Build and test rules for tests/bench/ (included from the top-level Makefile.am).
