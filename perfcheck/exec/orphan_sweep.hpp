// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// perfcheck as the last owner of a run's processes: when a launcher dies mid-run (the command
// may kill its own parent), what the launcher was reaping becomes perfcheck's to stop.
#pragma once

#include <sys/types.h>

#include <vector>

namespace perfcheck::exec {

/// Makes this process a child subreaper (PR_SET_CHILD_SUBREAPER), once: an orphan of any of
/// its descendants, a setsid() one included, is reparented to it instead of to init. Throws
/// std::system_error "prctl PR_SET_CHILD_SUBREAPER" when the kernel refuses.
void become_subreaper();

/// Marks `pid` as a child perfcheck started itself (a launcher): sweep_orphans leaves it
/// alone. forget_child undoes that once it is reaped.
void own_child(pid_t pid);
void forget_child(pid_t pid);

/// SIGKILLs every child of this process that it did not start itself (an orphan reparented to
/// it) together with all their descendants, and reaps them, until none is left. Returns how
/// many processes were killed. Best effort: a /proc that cannot be read finds nothing.
int sweep_orphans();

/// Every live descendant of `root` (not `root` itself), from one walk of /proc; children first.
/// Best effort, as sweep_orphans.
std::vector<pid_t> descendants_of(pid_t root);

}  // namespace perfcheck::exec
