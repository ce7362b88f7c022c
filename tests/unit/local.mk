# Build and test rules for tests/unit/ (included from the top-level Makefile.am).
