# Build and test rules for src/tool/ (included from the top-level Makefile.am).
