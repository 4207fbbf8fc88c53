#ifndef MEDIC_CSYSTEMD_SHIM_H
#define MEDIC_CSYSTEMD_SHIM_H
#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-daemon.h>
#include <poll.h>
#include <sys/eventfd.h>
/* malloc_trim, for the daemon to give freed heap back (not in Swift's Glibc module). */
#include <malloc.h>
#endif
