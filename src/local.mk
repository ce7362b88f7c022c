# Build and test rules for src/ (included from the top-level Makefile.am).
