// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Makes sanitized gnuplot SVG smaller without changing what it draws.
#pragma once

#include <string>
#include <string_view>

namespace perfcheck::reports {

/// `svg` (the output of sanitize_svg) drawn the same with fewer bytes:
/// - whitespace between tags is dropped, except inside <text> (where it may be shown);
/// - a <g> or <defs> without an id and with nothing inside is dropped (gnuplot opens a group
///   per tic, often empty);
/// - an inherited presentation attribute (fill, color, stroke, stroke-*, font-*, text-anchor)
///   whose value is the one the element inherits anyway is dropped, except inside <defs>;
/// - a definition in <defs> that nothing references ("#id", "url(#id)") is dropped;
/// - numbers lose trailing fraction zeros ("256.00" is "256"), and path and polygon vertices
///   are rounded to 0.1 px (gnuplot writes 0.01 px; the chart is about 760 px wide);
/// - runs of spaces inside path, polygon and transform values become one, none at the ends.
/// Ids, references, classes and text are kept byte for byte.
std::string compact_svg(std::string_view svg);

}  // namespace perfcheck::reports
