// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Folded stacks (one line per distinct call stack, root first, frames joined by ';', and its
// sample count): the model of a profile, read from `perf script` or callgrind output, and the
// table of the functions whose share grew most (docs/profiles.md). Pure: no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace perfcheck::profile {

/// At most this many distinct stacks are kept; the samples of any further stack are counted in
/// the one stack "[other stacks]", and `folded_stacks::truncated` says so.
inline constexpr std::size_t max_stacks = 20000;
/// Frames deeper than this are cut from the root side of a stack.
inline constexpr std::size_t max_depth = 256;
/// Longer frame names are cut to this many bytes (and end with "...").
inline constexpr std::size_t max_name_bytes = 512;

/// A profile: samples (perf) or instructions (callgrind) by call stack.
struct folded_stacks {
  std::map<std::string, std::int64_t> stacks;  ///< "root;caller;leaf" → weight
  std::int64_t total = 0;                      ///< sum of the weights
  std::int64_t unresolved_leaf = 0;            ///< weight whose leaf frame has no symbol
  std::int64_t unresolved_caller = 0;          ///< weight with an unnamed frame above the leaf
  bool truncated = false;                      ///< more than max_stacks distinct stacks
};

/// Adds `weight` to the stack of `frames` (root first), after cleaning each name (see
/// clean_frame), bounding its depth and the number of stacks.
void add_stack(folded_stacks& profile, std::vector<std::string> frames, std::int64_t weight);

/// A frame name as folded stacks hold it: ';' (the separator) and control characters become
/// '_', and it is cut to max_name_bytes.
std::string clean_frame(std::string_view name);

/// Whether a frame has no symbol: "[unknown]", an empty name, or a bare hexadecimal address.
bool unresolved(std::string_view frame);

/// `perf script` output (perf record -g): a header line per sample, then one indented line per
/// frame, leaf first ("addr symbol+0xoff (dso)"). Each sample weighs 1. The stacks are not rooted
/// at the process's name, so that a baseline command's meet the candidate's.
folded_stacks parse_perf_script(std::string_view text);

/// A callgrind output file written with --separate-callers=N: each function context
/// "leaf'caller'caller..." with its self cost (the first event) becomes a stack; name
/// compression ("fn=(12) name", then "fn=(12)") and the cost of calls (after calls= lines,
/// not self cost) are read as callgrind_format documents.
folded_stacks parse_callgrind(std::string_view text);

/// Merges `other` into `into` (the processes of one run).
void merge(folded_stacks& into, const folded_stacks& other);

/// The folded text: "stack weight\n" per stack, in name order.
std::string folded_text(const folded_stacks& profile);

/// One row of the table of functions: a function's self share (its weight as the leaf over the
/// total) in the candidate and the baseline, and its inclusive share (on the stack at all) in
/// the candidate.
struct function_share {
  std::string name;
  double candidate = 0;            ///< self share in the candidate, 0..1
  double baseline = 0;             ///< self share in the baseline, 0..1 (0 without one)
  double candidate_inclusive = 0;  ///< share of the candidate's weight with it on the stack
  double growth() const { return candidate - baseline; }
};

/// The `rows` functions whose self share grew from `baseline` to `candidate`, largest growth
/// first (ties by name); without a baseline (nullptr), those with the largest share.
std::vector<function_share> share_table(const folded_stacks& candidate, const folded_stacks* baseline,
                                        std::size_t rows = 10);

}  // namespace perfcheck::profile
