# Build and test rules for tests/integration/ (included from the top-level Makefile.am).
