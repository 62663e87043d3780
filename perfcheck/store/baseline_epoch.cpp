// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
#include "perfcheck/store/baseline_epoch.hpp"

namespace perfcheck::store {

std::string_view to_string(baseline_state state) {
  switch (state) {
    case baseline_state::accepted:
      return "accepted";
    case baseline_state::pending:
      return "pending";
    case baseline_state::excluded:
      return "excluded";
  }
  return "excluded";
}

std::optional<baseline_state> baseline_state_from_string(std::string_view text) {
  for (baseline_state state :
       {baseline_state::accepted, baseline_state::pending, baseline_state::excluded}) {
    if (text == to_string(state)) return state;
  }
  return std::nullopt;
}

baseline_state state_for(verdict outcome, bool streak_pending, bool first) {
  switch (outcome) {
    case verdict::error:
      return baseline_state::excluded;
    case verdict::regressed:
      return baseline_state::pending;
    case verdict::failed:
      return first ? baseline_state::accepted : baseline_state::pending;
    case verdict::pass:
    case verdict::improved:
    case verdict::skipped:  // its measured figures are sound; the uncounted ones are absent
      return baseline_state::accepted;
    case verdict::inconclusive:
      return streak_pending ? baseline_state::pending : baseline_state::accepted;
  }
  return baseline_state::pending;
}

}  // namespace perfcheck::store
