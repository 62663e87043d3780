// Copyright (c) perfcheck authors. SPDX-License-Identifier: MIT
// The flame graph's SVG: the tree of frames, its layout, colors and the escaped text.
#include "perfcheck/profile/flame_graph.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <queue>

#include <fmt/format.h>

namespace perfcheck::profile {
namespace {

constexpr double box_height = 16;
constexpr double top_margin = 36;
constexpr double bottom_margin = 8;
constexpr double side_margin = 10;
constexpr double char_width = 7;  // of the 12 px monospace text, to decide what fits

struct frame_node {
  std::string name;
  std::int64_t weight = 0;
  std::map<std::string, std::unique_ptr<frame_node>> children;
};

frame_node build_tree(const folded_stacks& profile) {
  frame_node root{"all", profile.total, {}};
  for (const auto& [stack, weight] : profile.stacks) {
    frame_node* node = &root;
    std::string_view rest = stack;
    while (true) {
      const auto at = rest.find(';');
      const std::string name(rest.substr(0, at));
      auto& child = node->children[name];
      if (!child) child = std::make_unique<frame_node>(frame_node{name, 0, {}});
      child->weight += weight;
      node = child.get();
      if (at == std::string_view::npos) break;
      rest.remove_prefix(at + 1);
    }
  }
  return root;
}

// The length of the valid UTF-8 sequence at `s[0]`, 0 if there is none.
std::size_t utf8_length(std::string_view s) {
  const auto b = static_cast<unsigned char>(s[0]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || n > s.size()) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) return 0;
  }
  if (n == 2 && b < 0xc2) return 0;  // overlong
  return n;
}

// A box to draw: a frame at a depth, its x span, and its share in both profiles.
struct box {
  const frame_node* node;
  std::size_t depth;
  double x;
  double width;
  double delta;  // share in the candidate minus share in the baseline (0: not differential)
};

// Hue by name (warm colors), or red/blue by the change of share in a differential graph.
std::string fill_of(const box& b, bool differential) {
  if (differential) {
    const double strength = std::min(1.0, std::abs(b.delta) * 5);
    const int fade = static_cast<int>(std::lround(235 - 200 * strength));
    return b.delta > 0 ? fmt::format("rgb(250,{0},{0})", fade) : b.delta < 0 ? fmt::format("rgb({0},{0},250)", fade)
                                                                               : std::string("rgb(235,235,235)");
  }
  std::size_t h = 2166136261u;
  for (const char c : b.node->name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return fmt::format("rgb({},{},{})", 205 + static_cast<int>(h % 50), 80 + static_cast<int>((h >> 8) % 130),
                     40 + static_cast<int>((h >> 16) % 40));
}

// The boxes worth drawing, widest first, at most max_boxes; the baseline's node for each
// frame path gives its share.
std::vector<box> layout(const frame_node& root, const frame_node* base_root, const folded_stacks* baseline,
                        const flame_options& options) {
  const double scale = (options.width - 2 * side_margin) / static_cast<double>(std::max<std::int64_t>(root.weight, 1));
  const auto base_share = [&](const frame_node* n) {
    return n && baseline && baseline->total > 0 ? static_cast<double>(n->weight) / static_cast<double>(baseline->total) : 0.0;
  };
  struct pending {
    const frame_node* node;
    const frame_node* base;
    std::size_t depth;
    double x;
  };
  const auto wider = [](const pending& a, const pending& b) { return a.node->weight < b.node->weight; };
  std::priority_queue<pending, std::vector<pending>, decltype(wider)> queue(wider);
  queue.push({&root, base_root, 0, side_margin});
  std::vector<box> boxes;
  while (!queue.empty() && boxes.size() < options.max_boxes) {
    const pending p = queue.top();
    queue.pop();
    const double width = static_cast<double>(p.node->weight) * scale;
    if (width < options.min_box_width) break;  // every box left is narrower still
    const double share = static_cast<double>(p.node->weight) / static_cast<double>(std::max<std::int64_t>(root.weight, 1));
    boxes.push_back({p.node, p.depth, p.x, width, baseline ? share - base_share(p.base) : 0.0});
    double x = p.x;
    for (const auto& [name, child] : p.node->children) {
      const frame_node* base_child = nullptr;
      if (p.base) {
        const auto found = p.base->children.find(name);
        if (found != p.base->children.end()) base_child = found->second.get();
      }
      queue.push({child.get(), base_child, p.depth + 1, x});
      x += static_cast<double>(child->weight) * scale;
    }
  }
  return boxes;
}

std::string box_svg(const box& b, double bottom, std::int64_t total, bool differential) {
  const double y = bottom - static_cast<double>(b.depth + 1) * box_height;
  const double percent = 100.0 * static_cast<double>(b.node->weight) / static_cast<double>(std::max<std::int64_t>(total, 1));
  std::string tip = fmt::format("{} ({} samples, {:.2f}%", b.node->name, b.node->weight, percent);
  tip += differential ? fmt::format(", {:+.2f} points)", 100.0 * b.delta) : std::string(")");
  std::string out = fmt::format("<g><title>{}</title><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
                                "fill=\"{}\" rx=\"2\"/>",
                                xml_escape(tip), b.x, y, b.width, box_height - 1, fill_of(b, differential));
  const auto fits = static_cast<std::size_t>(std::max(0.0, (b.width - 6) / char_width));
  if (fits >= 3) {
    std::string label = b.node->name;
    if (label.size() > fits) label = label.substr(0, fits - 2) + "..";
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", b.x + 3, y + box_height - 4.5, xml_escape(label));
  }
  return out + "</g>\n";
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t n = utf8_length(text);
    const auto c = static_cast<unsigned char>(text[0]);
    if (n == 0 || (n == 1 && (c < 0x20 || c == 0x7f))) {
      out += "\xef\xbf\xbd";
      text.remove_prefix(1);
      continue;
    }
    switch (text[0]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.append(text.substr(0, n));
    }
    text.remove_prefix(n);
  }
  return out;
}

std::string flame_graph_svg(const folded_stacks& candidate, const folded_stacks* baseline, const flame_options& options) {
  const frame_node root = build_tree(candidate);
  const frame_node base_root = baseline ? build_tree(*baseline) : frame_node{};
  const auto boxes = layout(root, baseline ? &base_root : nullptr, baseline, options);
  std::size_t depth = 0;
  for (const auto& b : boxes) depth = std::max(depth, b.depth + 1);
  const double height = top_margin + static_cast<double>(depth) * box_height + bottom_margin;
  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
      "viewBox=\"0 0 {0:.0f} {1:.0f}\" font-family=\"monospace\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"#fdfdf6\"/>\n"
      "<text x=\"{2:.0f}\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">{3}</text>\n",
      options.width, height, options.width / 2, xml_escape(options.title));
  const double bottom = height - bottom_margin;
  for (const auto& b : boxes) out += box_svg(b, bottom, candidate.total, baseline != nullptr);
  return out + "</svg>\n";
}

}  // namespace perfcheck::profile
