// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// A flame graph as a standalone SVG, drawn from folded stacks: one box per frame, its width its
// share of the weight, callers below callees (Gregg's layout). Differential when a baseline is
// given: widths from the candidate, red where a frame's share grew, blue where it shrank. Every
// name reaches the SVG escaped; the drawing is bounded (docs/profiles.md). Pure: no I/O.
#pragma once

#include <cstddef>
#include <string>

#include "perfcheck/profile/folded.hpp"

namespace perfcheck::profile {

/// How a flame graph is drawn.
struct flame_options {
  std::string title = "Flame graph";  ///< shown at the top (escaped)
  std::size_t max_boxes = 5000;       ///< boxes drawn at most; the narrowest are dropped first
  double width = 1200;                ///< of the drawing, px
  double min_box_width = 0.5;         ///< narrower boxes are not drawn, px
};

/// The SVG document of `candidate`'s flame graph, differential against `baseline` when it is
/// not nullptr. Text that is not valid UTF-8 is shown with U+FFFD in its place.
std::string flame_graph_svg(const folded_stacks& candidate, const folded_stacks* baseline,
                            const flame_options& options = {});

/// `text` safe inside XML (and HTML) text and attribute values: & < > " ' escaped, control
/// characters and invalid UTF-8 replaced by U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace perfcheck::profile
