# Build and test rules for conf/ (included from the top-level Makefile.am).
dist_p11kitconf_DATA = conf/jpki-pkcs11.module
dist_sysconf_DATA = conf/jpki-pkcs11.conf
