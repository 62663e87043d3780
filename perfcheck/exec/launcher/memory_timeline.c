// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "memory_timeline.h"

void memory_timeline_start(struct memory_timeline* timeline,
                           struct perfcheck_launcher_reply* reply) {
  timeline->reply = reply;
  timeline->bucket_samples = 0;
  timeline->samples_per_point = 1;
  reply->point_count = 0;
}

// Full: merge neighbours (keeping maxima) and let each point stand for twice as much.
static void merge_neighbours(struct memory_timeline* timeline) {
  struct perfcheck_launcher_reply* reply = timeline->reply;
  for (uint32_t i = 0; i < PERFCHECK_LAUNCHER_MAX_POINTS / 2; ++i) {
    struct perfcheck_launcher_point a = reply->points[2 * i], b = reply->points[2 * i + 1];
    if (b.rss_bytes > a.rss_bytes) a.rss_bytes = b.rss_bytes;
    if (b.processes > a.processes) a.processes = b.processes;
    if (b.threads > a.threads) a.threads = b.threads;
    reply->points[i] = a;
  }
  reply->point_count = PERFCHECK_LAUNCHER_MAX_POINTS / 2;
  timeline->samples_per_point *= 2;
}

void memory_timeline_add(struct memory_timeline* timeline, int64_t t_ns, int64_t rss_bytes,
                         int32_t processes, int32_t threads) {
  struct perfcheck_launcher_reply* reply = timeline->reply;
  if (timeline->bucket_samples == 0) {
    if (reply->point_count == PERFCHECK_LAUNCHER_MAX_POINTS) merge_neighbours(timeline);
    struct perfcheck_launcher_point* p = &reply->points[reply->point_count++];
    p->t_ns = t_ns;
    p->rss_bytes = rss_bytes;
    p->processes = processes;
    p->threads = threads;
  } else {
    struct perfcheck_launcher_point* p = &reply->points[reply->point_count - 1];
    if (rss_bytes > p->rss_bytes) p->rss_bytes = rss_bytes;
    if (processes > p->processes) p->processes = processes;
    if (threads > p->threads) p->threads = threads;
  }
  if (++timeline->bucket_samples >= timeline->samples_per_point) timeline->bucket_samples = 0;
}
