/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The container a process runs in, by the name its user knows, derived
 * from its cgroup path as the runtimes and systemd name their cgroups:
 *
 *   docker-<id>.scope            Docker (systemd cgroup driver)
 *   cri-containerd-<id>.scope    containerd through CRI (Kubernetes)
 *   crio-<id>.scope              CRI-O
 *   libpod-<id>.scope, libpod-<id>   Podman
 *   <64 hex digits>              any runtime with the cgroupfs driver
 *                                (/docker/<id>, /kubepods/.../pod<uid>/<id>)
 *   machine-<name>.scope         systemd-nspawn and libvirt machines
 *   <unit>.service               a systemd service
 *
 * Runtimes give the short id (the first 12 hex digits, as docker ps and
 * podman ps show it), machines their name (systemd's \xNN escapes
 * undone), services the unit's name.  The innermost container in the
 * path wins over the containers around it, and any container over a
 * service (the services of a container belong to it).  A process in none
 * of these is the host's: "-".
 */
#ifndef LDEN_CONTAINER_H
#define LDEN_CONTAINER_H

#include <stddef.h>
#include <sys/types.h>

/* The name of the host's processes. */
#define LDEN_CONTAINER_HOST "-"
/* Room for any name: a cgroup's name has at most 255 bytes. */
#define LDEN_CONTAINER_MAX 256

/*
 * lden_container__name - the container of a cgroup path ("/system.slice/
 * docker-<id>.scope") into @buf (truncated to @size, always terminated:
 * LDEN_CONTAINER_MAX holds any), its exact bytes: any but '/' and NUL,
 * so shown escaped (escape.h).  Returns @buf.
 */
const char *lden_container__name(const char *cgroup_path, char *buf,
				size_t size);

/*
 * lden_container__of_cgroup_file - the same, from the text of a
 * /proc/PID/cgroup file: the cgroup v2 line ("0::/...") first, then
 * systemd's v1 hierarchy ("name=systemd"), then the other v1 lines in
 * order; the first that names a container gives it.  Returns @buf.
 */
const char *lden_container__of_cgroup_file(const char *text, char *buf,
					  size_t size);

/*
 * lden_container__of_pid - the container of a running process, read from
 * /proc/@pid/cgroup.  Returns 0, or -ESRCH (no such process) or another
 * negative errno; @buf is written only on success.
 */
int lden_container__of_pid(pid_t pid, char *buf, size_t size);

#endif
