/* log: runc's --log FILE and --log-format json|text, as podman and
 * containerd read them: one line a message, {"level":"error","msg":"...",
 * "time":"..."} or time="..." level=error msg="...". Installed as the
 * lib/base/msg sink: errors and warnings still go to stderr too, --debug
 * traces only to the file. */
#ifndef BK_OCI_LOG_H
#define BK_OCI_LOG_H

#include <stdbool.h>

/* Open path for appending and send every message line there. */
int bk_oci_log_open(const char *path, bool json);

#endif
