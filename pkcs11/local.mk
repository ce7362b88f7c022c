# Build and test rules for pkcs11/ (included from the top-level Makefile.am).
