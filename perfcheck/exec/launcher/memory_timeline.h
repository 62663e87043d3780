// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The memory timeline of one run: a point per sample into the reply's fixed array, and once it
// is full, neighbours merged (keeping maxima) so that each point stands for twice as many.
#ifndef PERFCHECK_EXEC_LAUNCHER_MEMORY_TIMELINE_H
#define PERFCHECK_EXEC_LAUNCHER_MEMORY_TIMELINE_H

#include <stdint.h>

#include "launcher_protocol.h"

/// Where the timeline goes and how many samples make one point.
struct memory_timeline {
  struct perfcheck_launcher_reply* reply;  ///< points and point_count
  uint32_t bucket_samples;     ///< samples in the last point so far (0: start a new one)
  uint32_t samples_per_point;  ///< 1, doubled at every merge
};

/// Starts an empty timeline in `reply` (point_count 0).
void memory_timeline_start(struct memory_timeline* timeline,
                           struct perfcheck_launcher_reply* reply);
/// Adds one sample taken `t_ns` after the spawn.
void memory_timeline_add(struct memory_timeline* timeline, int64_t t_ns, int64_t rss_bytes,
                         int32_t processes, int32_t threads);

#endif  // PERFCHECK_EXEC_LAUNCHER_MEMORY_TIMELINE_H
