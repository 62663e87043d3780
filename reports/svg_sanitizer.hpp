// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// Makes gnuplot's SVG safe and unique to inline into an HTML page.
#pragma once

#include <string>
#include <string_view>

namespace perfcheck::reports {

/// The <svg> element of a standalone SVG document, ready to inline in HTML:
/// - the XML declaration, doctype, comments and processing instructions are dropped;
/// - <script>, <foreignObject>, <iframe>, <object>, <embed> and <style> elements are dropped
///   with their content, and the root's own <title> and <desc> (gnuplot's "Gnuplot" tooltip);
/// - event-handler attributes (on...) are dropped, and href/xlink:href unless local ("#id");
/// - every id gets `id_prefix` ("c12-") and local references ("#id", "url(#id)") follow, so
///   several charts in one page do not share ids.
/// Input without an <svg element gives "". The input is trusted to be well-formed XML
/// (gnuplot's output); anything else is dropped, not repaired.
std::string sanitize_svg(std::string_view svg, std::string_view id_prefix);

/// `svg` with `overlay` inserted before its final </svg>; `svg` unchanged when it has none.
std::string insert_before_svg_end(std::string svg, std::string_view overlay);

}  // namespace perfcheck::reports
