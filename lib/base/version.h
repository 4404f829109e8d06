/* version: bockit's version, one definition for every tool's -V and
 * imgpull's User-Agent. The Makefile writes it ($(BUILD)/gen/version.c)
 * from `git describe` in a git checkout, else from its RELEASE. */
#ifndef BK_VERSION_H
#define BK_VERSION_H

extern const char bk_version[];

#endif
